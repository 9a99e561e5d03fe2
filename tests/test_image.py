"""Rendered images and their files: PNG, sidecars, GeoTIFF, bounds."""

from __future__ import annotations

import base64
import io
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer

from rampkit.colorize import Basis
from rampkit.errors import ExportExistsError, FormatError, GridError
from rampkit.grid import rasterize_points
from rampkit.image import (
    RenderedImage,
    aux_xml,
    data_url,
    encode_png,
    latlon_bounds,
    render_grid,
    write_geotiff,
    write_png,
    write_values_geotiff,
)
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

FROM_MERCATOR = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
RAMP = Ramp.from_mapping({"0%": [200, 0, 0], "100%": [0, 130, 0], "nv": [0, 0, 0, 0]})


@pytest.fixture
def grid():
    lon = [10.0, 10.0005, 10.001]
    lat = [54.0, 54.0004, 54.0008]
    return rasterize_points(lon, lat, [10.0, 20.0, 30.0], resolution=2.0, footprint_m=6.0)


@pytest.fixture
def grid_4326():
    return rasterize_points([10.0, 10.001], [54.0, 54.0008], [10.0, 30.0], resolution=2e-5,
                            footprint_m=6.0, projection="EPSG:4326")


def test_transparent_where_no_value(grid) -> None:
    image = render_grid(grid, RAMP)
    valid = np.isfinite(grid.values)
    assert (image.rgba[~valid] == 0).all()
    assert (image.rgba[valid, 3] == 255).all()


def test_basis_is_grid_range(grid) -> None:
    image = render_grid(grid, RAMP)
    assert image.basis == Basis("data", 10.0, 30.0)
    fixed = render_grid(grid, RAMP, basis=(0, 100))
    assert fixed.basis == Basis.fixed(0, 100)
    assert not np.array_equal(fixed.rgba, image.rgba)


def test_extent_matches_transform(grid) -> None:
    image = render_grid(grid, RAMP)
    transform = grid.attrs["transform"]
    rows, columns = grid.shape
    assert image.extent == (
        transform.c, transform.f - rows * 2.0, transform.c + columns * 2.0, transform.f
    )
    assert image.crs == "EPSG:3857"
    assert image.property is None
    assert (image.width, image.height) == (columns, rows)


def test_latlon_bounds_match_pyproj(grid) -> None:
    image = render_grid(grid, RAMP)
    xmin, ymin, xmax, ymax = image.extent
    west, south = FROM_MERCATOR.transform(xmin, ymin)
    east, north = FROM_MERCATOR.transform(xmax, ymax)
    (got_south, got_west), (got_north, got_east) = image.latlon_bounds
    assert got_south == pytest.approx(south, abs=1e-9)
    assert got_west == pytest.approx(west, abs=1e-9)
    assert got_north == pytest.approx(north, abs=1e-9)
    assert got_east == pytest.approx(east, abs=1e-9)


def test_latlon_bounds_4326(grid_4326) -> None:
    image = render_grid(grid_4326, RAMP)
    xmin, ymin, xmax, ymax = image.extent
    assert image.latlon_bounds == [[ymin, xmin], [ymax, xmax]]


def test_latlon_bounds_stay_finite() -> None:
    bounds = latlon_bounds((-math.inf, -2.4e8, math.inf, 2.4e8), "EPSG:3857")
    assert bounds == [[-85.0511287798066, -180.0], [85.0511287798066, 180.0]]


def test_lands_on_web_map_pixels() -> None:
    # At zoom 19 a web map pixel is 2*pi*R / (256 * 2**19) metres; rendering at
    # that resolution must put a point on the same global pixel a tile map uses.
    zoom = 19
    resolution = 2 * math.pi * 6378137.0 / (256 * 2**zoom)
    lon, lat = -96.6712345, 49.5487654
    grid = rasterize_points([lon], [lat], [1.0], resolution=resolution, footprint_m=0.01)
    image = render_grid(grid, RAMP)
    row, column = np.argwhere(image.rgba[..., 3] > 0)[0]
    world = 256 * 2**zoom
    expected_column = math.floor((lon + 180) / 360 * world)
    sin_lat = math.sin(math.radians(lat))
    expected_row = math.floor(
        (0.5 - math.log((1 + sin_lat) / (1 - sin_lat)) / (4 * math.pi)) * world
    )
    half = math.pi * 6378137.0
    assert round((image.extent[0] + half) / resolution) + column == expected_column
    assert round((half - image.extent[3]) / resolution) + row == expected_row


def test_png_decodes_to_rgba(grid) -> None:
    image = render_grid(grid, RAMP)
    decoded = np.asarray(Image.open(io.BytesIO(image.png)))
    assert decoded.shape == image.rgba.shape
    np.testing.assert_array_equal(decoded, image.rgba)


def test_png_bytes_deterministic(grid) -> None:
    first = render_grid(grid, RAMP)
    second = render_grid(grid.copy(deep=True), RAMP)
    assert first.png == second.png
    assert encode_png(np.array(first.rgba)) == first.png


def test_encode_png_rejects_rgb() -> None:
    with pytest.raises(GridError, match=r"got shape \(2, 2, 3\) and dtype uint8"):
        encode_png(np.zeros((2, 2, 3), dtype=np.uint8))


def test_rgba_read_only(grid) -> None:
    image = render_grid(grid, RAMP)
    with pytest.raises(ValueError, match="read-only"):
        image.rgba[0, 0, 0] = 1


def test_data_url_round_trip(grid) -> None:
    image = render_grid(grid, RAMP)
    url = data_url(image.png)
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == image.png
    assert image.data_url() == url


@pytest.mark.parametrize("fixture", ["grid", "grid_4326"])
def test_png_opens_georeferenced(fixture: str, request, tmp_path: Path) -> None:
    image = render_grid(request.getfixturevalue(fixture), RAMP)
    path = write_png(image, tmp_path / "yield.png")
    assert (tmp_path / "yield.png.aux.xml").is_file()
    assert (tmp_path / "yield.pgw").is_file()
    with rasterio.open(path) as dataset:
        assert dataset.crs.to_epsg() == int(image.crs.split(":")[1])
        assert tuple(dataset.bounds) == pytest.approx(image.extent, abs=1e-9)
        assert dataset.count == 4
        np.testing.assert_array_equal(np.moveaxis(dataset.read(), 0, -1), image.rgba)


def test_world_file_alone_places_png(grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    write_png(image, tmp_path / "yield.png")
    (tmp_path / "yield.png.aux.xml").unlink()
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(tmp_path / "yield.png") as dataset:
        assert tuple(dataset.bounds) == pytest.approx(image.extent, abs=1e-6)


@pytest.mark.parametrize("fixture", ["grid", "grid_4326"])
def test_aux_xml_as_gdal_writes_it(fixture: str, request, tmp_path: Path) -> None:
    image = render_grid(request.getfixturevalue(fixture), RAMP)
    # Let GDAL write a PNG with the same georeferencing; it puts both in a PAM sidecar.
    with rasterio.open(
        tmp_path / "gdal.png", "w", driver="PNG", width=image.width, height=image.height,
        count=4, dtype="uint8", crs=image.crs, transform=image.transform,
    ) as dataset:
        dataset.write(np.moveaxis(np.asarray(image.rgba), -1, 0))
    written = (tmp_path / "gdal.png.aux.xml").read_text(encoding="utf-8")
    assert aux_xml(image) == written


def test_aux_xml_layout(grid) -> None:
    text = aux_xml(render_grid(grid, RAMP))
    assert text.startswith("<PAMDataset>")
    assert 'AUTHORITY["EPSG","3857"]' in text
    assert "<GeoTransform>" in text
    numbers = text.split("<GeoTransform>")[1].split("</GeoTransform>")[0].split(",")
    assert [float(n) for n in numbers][1:3] == [2.0, 0.0]


def test_refuses_overwrite(grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    write_png(image, tmp_path / "a.png")
    with pytest.raises(ExportExistsError, match="already exists; pass overwrite=True"):
        write_png(image, tmp_path / "a.png")
    (tmp_path / "b.pgw").write_text("old", encoding="ascii")
    with pytest.raises(ExportExistsError, match="b.pgw' already exists"):
        write_png(image, tmp_path / "b.png")
    assert not (tmp_path / "b.png").exists()
    write_png(image, tmp_path / "b.png", overwrite=True)
    assert (tmp_path / "b.pgw").read_text(encoding="ascii") != "old"


def test_failed_write_leaves_nothing(grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    broken = RenderedImage(
        rgba=image.rgba, png=image.png, crs="EPSG:32612", transform=image.transform,
        extent=image.extent, latlon_bounds=image.latlon_bounds, basis=image.basis,
        property=None, unit=None, ramp=image.ramp,
    )
    with pytest.raises(GridError, match="projection 'EPSG:32612' is not supported"):
        write_png(broken, tmp_path / "broken.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_files_follow_umask(umask: int, grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    previous = os.umask(umask)
    try:
        write_png(image, tmp_path / "a.png")
        write_geotiff(image, tmp_path / "rgba.tif")
        write_values_geotiff(grid, tmp_path / "values.tif")
    finally:
        os.umask(previous)
    expected = 0o666 & ~umask
    for name in ("a.png", "a.png.aux.xml", "a.pgw", "rgba.tif", "values.tif"):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected, name


def test_missing_folder_not_created(grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    folder = tmp_path / "missing" / "deeper"
    message = re.escape(f"output folder {str(folder)!r} does not exist; create it first")
    with pytest.raises(FileNotFoundError, match=message):
        write_png(image, folder / "a.png")
    with pytest.raises(FileNotFoundError, match=message):
        write_geotiff(image, folder / "a.tif")
    with pytest.raises(FileNotFoundError, match=message):
        write_values_geotiff(grid, folder / "a.tif")
    assert list(tmp_path.iterdir()) == []


def test_folder_path_is_a_file(grid, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="ascii")
    with pytest.raises(NotADirectoryError, match="output folder '.*plain' is not a folder"):
        write_png(render_grid(grid, RAMP), tmp_path / "plain" / "a.png")


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.png.tmp", "out.tif"])
def test_png_name_must_end_png(name: str, grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    with pytest.raises(FormatError, match=r"does not end in \.png; .* such as 'out\.png'"):
        write_png(image, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_png_name_any_case(grid, tmp_path: Path) -> None:
    path = write_png(render_grid(grid, RAMP), tmp_path / "OUT.PNG")
    assert path.is_file()
    assert (tmp_path / "OUT.PNG.aux.xml").is_file()


@pytest.mark.parametrize("name", ["out.png", "out.tif.gz", "out"])
def test_geotiff_name_must_end_tif(name: str, grid, tmp_path: Path) -> None:
    image = render_grid(grid, RAMP)
    message = r"does not end in \.tif or \.tiff; .*GeoTIFF.* such as 'out\.tif'"
    with pytest.raises(FormatError, match=message):
        write_geotiff(image, tmp_path / name)
    with pytest.raises(FormatError, match=message):
        write_values_geotiff(grid, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_geotiff_accepts_tiff_any_case(grid, tmp_path: Path) -> None:
    assert write_geotiff(render_grid(grid, RAMP), tmp_path / "a.TIFF").is_file()
    assert write_values_geotiff(grid, tmp_path / "b.Tif").is_file()


def test_geotiff_rgba(grid, tmp_path: Path) -> None:
    image = render_grid(grid, get_ramp("leaf_standard"))
    path = write_geotiff(image, tmp_path / "rgba.tif")
    with rasterio.open(path) as dataset:
        assert dataset.count == 4
        assert dataset.colorinterp[3] == rasterio.enums.ColorInterp.alpha
        assert dataset.crs.to_epsg() == 3857
        assert tuple(dataset.bounds) == pytest.approx(image.extent)
        np.testing.assert_array_equal(np.moveaxis(dataset.read(), 0, -1), image.rgba)
    with pytest.raises(ExportExistsError, match="rgba.tif' already exists"):
        write_geotiff(image, path)
    assert [p.name for p in tmp_path.iterdir()] == ["rgba.tif"]


def test_geotiff_values(tmp_path: Path) -> None:
    grid = rasterize_points([10.0, 10.001], [54.0, 54.0], [10.5, 30.25], resolution=2.0,
                            footprint_m=4.0, name="dryVolumePerArea", unit="bu/ac")
    path = write_values_geotiff(grid, tmp_path / "values.tif")
    with rasterio.open(path) as dataset:
        values = dataset.read(1)
        assert math.isnan(dataset.nodata)
        assert dataset.descriptions[0] == "dryVolumePerArea"
        assert dataset.units[0] == "bu/ac"
        assert tuple(dataset.transform)[:6] == tuple(grid.attrs["transform"])[:6]
    np.testing.assert_array_equal(np.isnan(values), np.isnan(grid.values))
    np.testing.assert_array_equal(values[~np.isnan(values)], grid.values[~np.isnan(values)])


def test_grid_without_georeference() -> None:
    import xarray as xr

    with pytest.raises(GridError, match="grid has no 'crs' or 'transform' attribute"):
        render_grid(xr.DataArray(np.ones((2, 2))), RAMP)
