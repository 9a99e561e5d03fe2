"""Points to grids: footprints, overlaps, projections, limits."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from pyproj import Transformer

from rampkit.errors import GridError, OperationDataError, RampkitWarning
from rampkit.grid import (
    MAX_PIXELS,
    MERCATOR_LAT_LIMIT,
    MERCATOR_Y_LIMIT,
    footprint_diameters,
    normalize_projection,
    rasterize,
    rasterize_points,
)
from rampkit.image import latlon_bounds
from rampkit.operations import Operation, clean_operation
from rampkit.samples import load_sample

TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)


def operation(lon, lat, values, **properties) -> Operation:
    return Operation(
        id="grid-test",
        operation_type="harvested",
        lon=np.asarray(lon, dtype=float),
        lat=np.asarray(lat, dtype=float),
        properties={"dryVolumePerArea": np.asarray(values, dtype=float), **properties},
        units={"dryVolumePerArea": "bu/ac"},
    )


# -- C12: footprints wider than a pixel, and overlaps -------------------------------------


def c12_grid(case: dict, points: list[list[float]], **options) -> np.ndarray:
    """Grid the case's [lat, lon, value] points with a pixel centre on (0, 0)."""
    lat, lon, values = np.array(points, dtype=float).T
    # Pixel edges at 5 + 10k put a pixel centre exactly on the point.
    return rasterize_points(
        lon, lat, values, resolution=10, footprint_m=case["input"]["single_point"][
            "footprint_diameter_m"], align=(5.0, 5.0), **options
    )


def test_c12_footprint_covers_five_pixels(cases: dict) -> None:
    case = cases["C12"]
    grid = c12_grid(case, [case["input"]["single_point"]["point"]])
    values = grid.values
    covered = np.argwhere(np.isfinite(values))
    centre = np.argwhere((grid.x.values[None, :] == 0) & (grid.y.values[:, None] == 0))[0]
    offsets = {tuple(cell - centre) for cell in covered}
    assert offsets == {(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)}
    assert (values[np.isfinite(values)] == 5.0).all()


def test_c12_overlap_is_mean(cases: dict) -> None:
    case = cases["C12"]
    grid = c12_grid(case, case["input"]["overlap"]["points"])
    finite = grid.values[np.isfinite(grid.values)]
    assert finite.size == 5
    assert (finite == 15.0).all()


def test_c12_reversed_order_identical(cases: dict) -> None:
    case = cases["C12"]
    points = case["input"]["overlap"]["points"]
    forward = c12_grid(case, points)
    backward = c12_grid(case, points[::-1])
    np.testing.assert_array_equal(forward.values, backward.values)


def test_order_independent_to_the_bit(rng: np.random.Generator) -> None:
    size = 5000
    lon = -96.67 + rng.uniform(0, 0.002, size)
    lat = 49.55 + rng.uniform(0, 0.002, size)
    values = rng.normal(150, 40, size)
    widths = rng.uniform(2, 12, size)
    first = rasterize_points(lon, lat, values, resolution=1.0, footprint_m=widths)
    order = rng.permutation(size)
    second = rasterize_points(lon[order], lat[order], values[order], resolution=1.0,
                              footprint_m=widths[order])
    assert first.values.tobytes() == second.values.tobytes()


def test_square_footprint_covers_nine(cases: dict) -> None:
    case = cases["C12"]
    grid = c12_grid(case, [case["input"]["single_point"]["point"]], shape="SQUARE")
    assert np.isfinite(grid.values).sum() == 9


@pytest.mark.parametrize(("aggregate", "expected"), [
    ("min", 10.0), ("max", 20.0), ("sum", 30.0), ("count", 2.0), ("mean", 15.0),
])
def test_overlap_aggregates(cases: dict, aggregate: str, expected: float) -> None:
    case = cases["C12"]
    grid = c12_grid(case, case["input"]["overlap"]["points"], aggregate=aggregate)
    finite = grid.values[np.isfinite(grid.values)]
    assert finite.size == 5
    assert (finite == expected).all()


def test_small_footprint_keeps_point() -> None:
    # A 0.1 m disc holds no pixel centre of a 10 m grid; the point still shows.
    grid = rasterize_points([0.00003], [0.00003], [7.0], resolution=10, footprint_m=0.1)
    assert np.isfinite(grid.values).sum() == 1
    assert np.nanmax(grid.values) == 7.0


# -- footprints in ground metres ------------------------------------------------------


def covered_pixels(lat: float, footprint: float, projection: str, resolution: float) -> int:
    grid = rasterize_points([10.0], [lat], [1.0], resolution=resolution,
                            footprint_m=footprint, projection=projection)
    return int(np.isfinite(grid.values).sum())


def test_footprint_scales_with_latitude() -> None:
    # Web Mercator stretches ground by 1/cos(lat): 2x at 60 degrees, so a disc
    # covers about 4x the pixels there.
    equator = covered_pixels(0.0, 40.0, "EPSG:3857", 1.0)
    north = covered_pixels(60.0, 40.0, "EPSG:3857", 1.0)
    assert equator == pytest.approx(math.pi * 20**2, rel=0.02)
    assert north == pytest.approx(4 * equator, rel=0.02)


def test_footprint_in_degrees_is_ellipse() -> None:
    resolution = 1e-5
    grid = rasterize_points([10.0], [60.0], [1.0], resolution=resolution, footprint_m=40.0,
                            projection="EPSG:4326")
    rows, columns = np.nonzero(np.isfinite(grid.values))
    degrees_per_metre = 180 / (math.pi * 6378137.0)
    height = (rows.max() - rows.min() + 1) * resolution
    width = (columns.max() - columns.min() + 1) * resolution
    assert height == pytest.approx(40 * degrees_per_metre, abs=resolution)
    assert width == pytest.approx(2 * 40 * degrees_per_metre, abs=resolution)


def test_swath_and_distance_in_feet() -> None:
    op = load_sample("field-2-2017-harvest-oats")
    diameters = footprint_diameters(op)
    width = np.asarray(op.properties["equipmentWidth"]) * 0.3048
    distance = np.asarray(op.properties["distance"]) * 0.3048
    np.testing.assert_allclose(diameters, np.sqrt(width**2 + distance**2))


def test_distance_widens_footprint() -> None:
    op = operation([10.0, 10.001, 10.002, 10.003], [54.0] * 4, [1.0, 2.0, 3.0, 4.0],
                   equipmentWidth=np.array([3.0, 3.0, 3.0, 3.0]),
                   distance=np.array([4.0, np.nan, 0.0, -1.0]))
    # A 3 m x 4 m rectangle has a 5 m diagonal; without a usable distance
    # the footprint is the swath width.
    np.testing.assert_allclose(footprint_diameters(op), [5.0, 3.0, 3.0, 3.0])


def test_distance_ignored_without_width() -> None:
    lon, lat = np.meshgrid(np.linspace(0, 0.001, 10), np.linspace(0, 0.001, 10))
    op = operation(lon.ravel(), lat.ravel(), np.ones(100), distance=np.full(100, 50.0))
    side = 0.001 * 6378137.0 * math.pi / 180
    np.testing.assert_allclose(footprint_diameters(op), side / 10, rtol=1e-6)


def test_distance_unit_not_length() -> None:
    op = Operation(id="d", operation_type="harvested", lon=[10.0], lat=[54.0],
                   properties={"equipmentWidth": [3.0], "distance": [1.0]},
                   units={"equipmentWidth": "m", "distance": "s"})
    with pytest.raises(GridError, match="distance unit 's' .* is not a known length unit; "
                       "use one of .* or pass footprint_m"):
        footprint_diameters(op)


def count_pinholes(values: np.ndarray) -> tuple[int, int]:
    """Return the empty pixels whose four neighbours are painted, and the painted pixels."""
    painted = np.isfinite(values)
    inside = ~painted[1:-1, 1:-1]
    surrounded = painted[:-2, 1:-1] & painted[2:, 1:-1] & painted[1:-1, :-2] & painted[1:-1, 2:]
    return int((inside & surrounded).sum()), int(painted.sum())


@pytest.mark.parametrize("shape", ["ROUND", "SQUARE"])
def test_dense_harvest_has_few_pinholes(shape: str) -> None:
    # Oats logged about every second by 1.83 m header sections. With discs
    # as wide as the swath, 26,065 single pixels (5.5 % of the painted ones)
    # stayed empty at 1 m, and 1,816 (0.3 %) with the diagonal footprint. A
    # lone empty pixel inside a harvested pass is an artefact, not missing
    # data, so fewer than 1 % may remain.
    op = clean_operation(load_sample("field-2-2017-harvest-oats")).operation
    grid = rasterize(op, "VRYIELDVOL", resolution=1, shape=shape)
    pinholes, painted = count_pinholes(grid.values)
    assert pinholes < 0.01 * painted, (pinholes, painted)


def test_missing_width_takes_median() -> None:
    op = operation([10.0, 10.001, 10.002], [54.0] * 3, [1.0, 2.0, 3.0],
                   equipmentWidth=np.array([10.0, np.nan, 20.0]))
    np.testing.assert_allclose(footprint_diameters(op), [10.0, 15.0, 20.0])


def test_no_width_uses_even_spacing() -> None:
    # 100 points over a 0.001 x 0.001 degree box at the equator: 111.3 m square.
    lon, lat = np.meshgrid(np.linspace(0, 0.001, 10), np.linspace(0, 0.001, 10))
    op = operation(lon.ravel(), lat.ravel(), np.ones(100))
    side = 0.001 * 6378137.0 * math.pi / 180
    np.testing.assert_allclose(footprint_diameters(op), side / 10, rtol=1e-6)


def test_width_unit_not_length() -> None:
    op = Operation(id="w", operation_type="harvested", lon=[10.0], lat=[54.0],
                   properties={"equipmentWidth": [3.0]}, units={"equipmentWidth": "kg"})
    with pytest.raises(GridError, match="equipmentWidth unit 'kg' .* is not a known length unit"):
        footprint_diameters(op)


# -- the grid ----------------------------------------------------------------------------


def test_grid_georeference() -> None:
    lon, lat = [10.0, 10.002], [54.0, 54.001]
    grid = rasterize_points(lon, lat, [1.0, 2.0], resolution=2.0, footprint_m=4.0)
    transform = grid.attrs["transform"]
    assert grid.attrs["crs"] == "EPSG:3857"
    assert transform.a == 2.0
    assert transform.e == -2.0
    # Pixel edges fall on multiples of the resolution.
    assert transform.c % 2.0 == 0
    assert transform.f % 2.0 == 0
    # Rows run north to south, and coordinates are pixel centres.
    assert (np.diff(grid.y.values) < 0).all()
    assert grid.x.values[0] == transform.c + 1.0
    assert grid.y.values[0] == transform.f - 1.0
    # Each point's value sits on the pixel under it.
    x, y = TO_MERCATOR.transform(lon, lat)
    for px, py, value in zip(x, y, [1.0, 2.0], strict=True):
        column, row = ~transform * (px, py)
        assert grid.values[int(row), int(column)] == value


def test_grid_attributes_from_operation() -> None:
    op = load_sample("csiro-area-2-harvest-grain")
    grid = rasterize(op, "Yld Mass(Dry)(tonne/ha)", resolution=2)
    assert grid.attrs["property"] == "dryMassPerArea"
    assert grid.attrs["unit"] == "t/ha"
    assert grid.attrs["operation_id"] == "csiro-area-2-harvest-grain"
    assert math.isnan(grid.attrs["nodata"])
    values = op.properties["dryMassPerArea"]
    assert np.nanmin(grid.values) >= values.min()
    assert np.nanmax(grid.values) <= values.max()


def test_points_without_value_skipped() -> None:
    grid = rasterize_points([10.0, 10.001], [54.0, 54.0], [np.nan, 3.0], resolution=1,
                            footprint_m=2)
    assert grid.attrs["points"] == 1
    assert np.nanmin(grid.values) == 3.0


def test_projection_aliases() -> None:
    assert normalize_projection("EPSG_3857") == "EPSG:3857"
    assert normalize_projection("epsg:4326") == "EPSG:4326"
    assert normalize_projection(4326) == "EPSG:4326"


# -- C11: latitudes beyond the Web Mercator limit ---------------------------------------------


def test_c11_point_dropped_with_warning(cases: dict) -> None:
    case = cases["C11"]
    lat, lon, values = np.array(case["input"]["points"], dtype=float).T
    with pytest.warns(RampkitWarning, match="dropped 1 point beyond the Web Mercator limit"):
        grid = rasterize_points(lon, lat, values, resolution=case["input"]["resolution_m"],
                                footprint_m=10.0)
    assert grid.attrs["points"] == 1
    assert np.nanmax(grid.values) == 2.0
    transform = grid.attrs["transform"]
    x, y = TO_MERCATOR.transform(10.0, 10.0)
    # The extent comes from the remaining point only: one 1 km pixel around it.
    assert grid.shape == (1, 1)
    assert transform.c <= x <= transform.c + 1000
    assert transform.f - 1000 <= y <= transform.f
    assert np.isfinite(list(transform)).all()


def test_c11_grid_case_bounds(cases: dict) -> None:
    case = cases["C11"]
    edges = case["input"]["grid_case"]
    with np.errstate(all="ignore"):
        x, y = TO_MERCATOR.transform(edges["lon_edges"], edges["lat_edges"])
    bounds = latlon_bounds((x[0], y[0], x[1], y[1]), "EPSG:3857")
    assert bounds == case["expected"]["grid_case_bounds"]
    assert case["expected"]["y_limit_epsg3857"] == MERCATOR_Y_LIMIT
    assert pytest.approx(85.0511287798066, abs=1e-12) == MERCATOR_LAT_LIMIT


def test_c11_grid_case_bounds_4326(cases: dict) -> None:
    case = cases["C11"]
    edges = case["input"]["grid_case"]
    extent = (edges["lon_edges"][0], edges["lat_edges"][0],
              edges["lon_edges"][1], edges["lat_edges"][1])
    assert latlon_bounds(extent, "EPSG:4326") == case["expected"]["grid_case_bounds"]
    assert latlon_bounds(extent, "EPSG_4326") == case["expected"]["grid_case_bounds"]


def test_c11_warning_points_at_caller(cases: dict) -> None:
    lat, lon, values = np.array(cases["C11"]["input"]["points"], dtype=float).T
    with pytest.warns(RampkitWarning, match="beyond the Web Mercator limit") as record:
        rasterize_points(lon, lat, values, resolution=1000, footprint_m=10.0)
    assert record[0].filename == __file__
    op = operation(lon, lat, values)
    with pytest.warns(RampkitWarning, match="beyond the Web Mercator limit") as record:
        rasterize(op, "dryVolumePerArea", resolution=1000, footprint_m=10.0)
    assert record[0].filename == __file__


def test_c11_grid_clipped_to_limit() -> None:
    # Footprints that reach past the edge of Web Mercator's square are cut there.
    grid = rasterize_points([-179.9, 179.9], [-85.0, 85.0], [1.0, 2.0], resolution=1e6,
                            footprint_m=2e5)
    transform = grid.attrs["transform"]
    rows, columns = grid.shape
    assert transform.c >= -MERCATOR_Y_LIMIT
    assert transform.c + columns * transform.a <= MERCATOR_Y_LIMIT
    assert transform.f <= MERCATOR_Y_LIMIT
    assert transform.f + rows * transform.e >= -MERCATOR_Y_LIMIT
    assert np.nansum(grid.values) == 3.0


def test_c11_kept_in_4326() -> None:
    grid = rasterize_points([0.0, 10.0], [89.9, 10.0], [1.0, 2.0], resolution=0.5,
                            footprint_m=10.0, projection="EPSG:4326")
    assert grid.attrs["points"] == 2


# -- limits and bad input ----------------------------------------------------------------


@pytest.mark.parametrize("resolution", [0, -1, float("nan"), float("inf")])
def test_bad_resolution(resolution: float) -> None:
    with pytest.raises(GridError, match="must be a finite number above 0; give the pixel size"):
        rasterize_points([10.0], [54.0], [1.0], resolution=resolution)


def test_resolution_not_number() -> None:
    with pytest.raises(GridError, match="resolution 'fine' is not a number"):
        rasterize_points([10.0], [54.0], [1.0], resolution="fine")


def test_bad_options() -> None:
    with pytest.raises(GridError, match="projection 'EPSG:32612' is not supported; use one of"):
        rasterize_points([10.0], [54.0], [1.0], resolution=1, projection="EPSG:32612")
    with pytest.raises(GridError, match="shape 'hex' is not supported; use 'ROUND' or 'SQUARE'"):
        rasterize_points([10.0], [54.0], [1.0], resolution=1, shape="hex")
    with pytest.raises(GridError, match="aggregate 'median' is not supported"):
        rasterize_points([10.0], [54.0], [1.0], resolution=1, aggregate="median")
    with pytest.raises(GridError, match="footprint -2.0 m must be a finite size above 0"):
        rasterize_points([10.0], [54.0], [1.0], resolution=1, footprint_m=-2)
    with pytest.raises(GridError, match="lon, lat and values have 2, 1 and 1 items"):
        rasterize_points([10.0, 11.0], [54.0], [1.0], resolution=1)


def test_no_points_to_grid() -> None:
    with pytest.raises(GridError, match="no point has a location and a value to grid"):
        rasterize_points([10.0], [54.0], [np.nan], resolution=1)


def test_unknown_property() -> None:
    op = operation([10.0], [54.0], [1.0])
    with pytest.raises(OperationDataError, match="property 'yield' is not .* it has: dryVolume"):
        rasterize(op, "yield", resolution=1)


@pytest.mark.parametrize("cap", range(10_000, 10_050))
def test_named_resolution_fits_cap(cap: int) -> None:
    # Snapping to the pixel lattice makes the pixel count uneven in the
    # resolution, so the named resolution must be checked, not assumed.
    op = clean_operation(load_sample("csiro-area-2-harvest-grain")).operation
    with pytest.raises(GridError, match="use a resolution of at least") as info:
        rasterize(op, "dryMassPerArea", resolution=1, max_pixels=cap)
    smallest = float(str(info.value).rsplit(" ", 1)[-1])
    grid = rasterize(op, "dryMassPerArea", resolution=smallest, max_pixels=cap)
    assert grid.size <= cap


def test_pixel_cap_names_smallest_resolution() -> None:
    lon = [10.0, 10.01]
    lat = [54.0, 54.01]
    cap = 10_000
    message = "over the cap of 10000; use a resolution of at least"
    with pytest.raises(GridError, match=message) as info:
        rasterize_points(lon, lat, [1.0, 2.0], resolution=1.0, footprint_m=5, max_pixels=cap)
    smallest = float(re.search(r"at least ([0-9.e+]+)", str(info.value)).group(1))
    grid = rasterize_points(lon, lat, [1.0, 2.0], resolution=smallest, footprint_m=5,
                            max_pixels=cap)
    assert grid.size <= cap
    # The value is rounded to 3 significant digits: one step less no longer fits.
    step = 10 ** (math.floor(math.log10(smallest)) - 2)
    with pytest.raises(GridError, match="over the cap"):
        rasterize_points(lon, lat, [1.0, 2.0], resolution=smallest - step, footprint_m=5,
                         max_pixels=cap)


def test_default_cap() -> None:
    assert MAX_PIXELS == 4096 * 4096
