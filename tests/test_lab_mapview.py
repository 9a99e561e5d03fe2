"""Headless tests of the map view and the split-map comparison, on a real sample grid."""

from __future__ import annotations

import base64
import io
import math

import ipyleaflet
import numpy as np
import pytest
from PIL import Image

from rampkit.colorize import colorize
from rampkit.grid import rasterize
from rampkit.image import render_grid
from rampkit.lab.compare import RampComparison
from rampkit.lab.mapview import MapView, encode_png_fast, fit_view
from rampkit.presets import get_ramp
from rampkit.samples import load_sample


@pytest.fixture(scope="module")
def grid():
    operation = load_sample("csiro-area-2-harvest-grain")
    return rasterize(operation, "dryMassPerArea", resolution=5)


def _decode(url: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url[len(prefix):]))))


def test_overlay_shows_colorized_grid(grid) -> None:
    view = MapView(grid, "yield", unit="t/ha")
    expected = colorize(grid.values, get_ramp("yield")).rgba
    assert np.array_equal(_decode(view.overlay.url), expected)


def test_overlay_bounds_match_image(grid) -> None:
    view = MapView(grid, "yield")
    (south, west), (north, east) = render_grid(grid, get_ramp("yield")).latlon_bounds
    assert [tuple(corner) for corner in view.overlay.bounds] == [(south, west), (north, east)]
    assert view.map.center == [(south + north) / 2, (west + east) / 2]


def _pixel_size(bounds, zoom: float) -> tuple[float, float]:
    """Return the on-screen (width, height) in CSS pixels of lat/lon bounds at a zoom."""
    from pyproj import Transformer

    (south, west), (north, east) = bounds
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    left, bottom = to_mercator.transform(west, south)
    right, top = to_mercator.transform(east, north)
    metres_per_pixel = 2 * math.pi * 6378137 / (256 * 2**zoom)
    return (right - left) / metres_per_pixel, (top - bottom) / metres_per_pixel


def test_map_zoom_fits_grid(grid) -> None:
    view = MapView(grid, "yield")
    zoom = view.map.zoom
    width, height = _pixel_size(view.latlon_bounds, zoom)
    # The grid fills at most 90 % of the 420 px map, and one zoom more would overflow.
    assert max(width, height) <= 0.9 * 420
    assert max(_pixel_size(view.latlon_bounds, zoom + 1)) > 0.9 * 420
    assert height >= 100


def test_map_zoom_follows_height(grid) -> None:
    short = MapView(grid, "yield", height="210px")
    tall = MapView(grid, "yield")
    assert short.map.zoom == tall.map.zoom - 1


def test_fit_view_edge_cases() -> None:
    field = ((45.0, -93.01), (45.01, -93.0))
    assert fit_view(field, "50vh") == fit_view(field, "400px")
    point = ((45.0, -93.0), (45.0, -93.0))
    assert fit_view(point) == ((45.0, -93.0), 22)
    assert fit_view(point, max_zoom=19)[1] == 19
    world = ((-85.0, -180.0), (85.0, 180.0))
    assert fit_view(world)[1] == 0


def test_no_basemap_by_default(grid) -> None:
    view = MapView(grid, "yield")
    assert not any(isinstance(layer, ipyleaflet.TileLayer) for layer in view.map.layers)
    assert view.map.layers == (view.overlay,)


def test_optional_basemap(grid) -> None:
    view = MapView(grid, "yield", basemap=ipyleaflet.basemaps.OpenStreetMap.Mapnik)
    assert any(isinstance(layer, ipyleaflet.TileLayer) for layer in view.map.layers)


def test_ramp_change_repaints_and_relabels(grid) -> None:
    view = MapView(grid, "yield", unit="t/ha", title="dryMassPerArea")
    url, legend = view.overlay.url, view.legend.legend
    ramp = get_ramp("yield").move_stop(2, 30.0)
    view.ramp = ramp
    assert view.overlay.url != url
    assert np.array_equal(_decode(view.overlay.url), colorize(grid.values, ramp).rgba)
    assert view.legend.legend != legend
    assert view.legend.title == "dryMassPerArea (t/ha)"


def test_discrete_ramp_gets_class_legend(grid) -> None:
    ramp = get_ramp("yield").with_mode("discrete")
    view = MapView(grid, ramp, unit="t/ha")
    labels = list(view.legend.legend)
    assert len(labels) == len(ramp.stops)
    # The first stop sits at 0 %, the data minimum, so the first class holds
    # that one value and is labelled with it alone; the others are ranges.
    assert all("–" in label for label in labels[1:])


def test_fixed_basis_is_used(grid) -> None:
    view = MapView(grid, "yield", basis=(0.0, 10.0))
    assert (view.resolved_basis.vmin, view.resolved_basis.vmax) == (0.0, 10.0)
    expected = colorize(grid.values, get_ramp("yield"), basis=(0.0, 10.0)).rgba
    assert np.array_equal(_decode(view.overlay.url), expected)


def test_opacity_slider_sets_overlay(grid) -> None:
    view = MapView(grid, "yield")
    view.opacity_slider.value = 0.4
    assert view.overlay.opacity == 0.4
    assert view.opacity == 0.4


def _lat_lon_of_pixel(grid, row: int, column: int) -> tuple[float, float]:
    from pyproj import Transformer

    x, y = float(grid.x[column]), float(grid.y[row])
    lon, lat = Transformer.from_crs(grid.attrs["crs"], "EPSG:4326", always_xy=True).transform(
        x, y
    )
    return lat, lon


def test_click_reads_value(grid) -> None:
    view = MapView(grid, "yield", unit="t/ha")
    rows, columns = np.nonzero(np.isfinite(grid.values))
    row, column = int(rows[len(rows) // 2]), int(columns[len(columns) // 2])
    lat, lon = _lat_lon_of_pixel(grid, row, column)
    # The message the browser sends when the map is clicked.
    message = {"event": "interaction", "type": "click", "coordinates": [lat, lon]}
    view.map._handle_leaflet_event(None, message, [])
    expected = float(grid.values[row, column])
    assert math.isclose(view.value_at(lat, lon), expected)
    assert f"{expected:.4g} t/ha" in view.readout.value


def test_click_outside_or_on_gap(grid) -> None:
    view = MapView(grid, "yield")
    (south, west), _ = view.latlon_bounds
    assert view.show_value(south - 0.01, west) is None
    assert "no value" in view.readout.value
    rows, columns = np.nonzero(np.isnan(grid.values))
    lat, lon = _lat_lon_of_pixel(grid, int(rows[0]), int(columns[0]))
    assert view.value_at(lat, lon) is None


@pytest.mark.parametrize("shape", [(3, 5), (800, 700)])
def test_fast_png_round_trip(shape: tuple[int, int]) -> None:
    # 800 x 700 x 4 bytes is over the two-thread threshold, 3 x 5 is under it.
    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    rgba[: shape[0] // 2] = 0
    decoded = np.asarray(Image.open(io.BytesIO(encode_png_fast(rgba))))
    assert np.array_equal(decoded, rgba)


def test_comparison_paints_both_sides(grid) -> None:
    comparison = RampComparison(grid, "yield", "moisture")
    assert comparison.split in comparison.map.controls
    assert comparison.split.left_layer is comparison.left_overlay
    left = _decode(comparison.left_overlay.url)
    right = _decode(comparison.right_overlay.url)
    assert np.array_equal(left, colorize(grid.values, get_ramp("yield")).rgba)
    assert np.array_equal(right, colorize(grid.values, get_ramp("moisture")).rgba)
    assert comparison.left_preset.value == "yield"


def test_comparison_map_fits_grid(grid) -> None:
    comparison = RampComparison(grid, "yield", "moisture")
    view = MapView(grid, "yield")
    assert comparison.map.zoom == view.map.zoom
    assert comparison.map.center == view.map.center


def test_comparison_preset_changes_one_side(grid) -> None:
    comparison = RampComparison(grid, "yield", "moisture")
    right = comparison.right_overlay.url
    comparison.left_preset.value = "elevation"
    assert comparison.left == get_ramp("elevation")
    assert np.array_equal(
        _decode(comparison.left_overlay.url), colorize(grid.values, get_ramp("elevation")).rgba
    )
    assert comparison.right_overlay.url == right


def test_comparison_shares_basis(grid) -> None:
    comparison = RampComparison(grid, "yield", "yield_colorblind", basis=(1.0, 3.0))
    assert comparison.resolved_basis("left").vmin == 1.0
    assert comparison.resolved_basis("right").vmax == 3.0
    assert not any(isinstance(layer, ipyleaflet.TileLayer) for layer in comparison.map.layers)
