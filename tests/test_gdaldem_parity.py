"""rampkit against the real ``gdaldem color-relief -alpha``, byte for byte.

Each test writes a grid to GeoTIFF, runs gdaldem on a color file written by
rampkit's own gdaldem writer, and compares the RGBA with ``colorize``. Where
Debian's gdaldem 3.6.2 departs from rampkit on purpose, the test names the
pixels and checks both sides' values there.
"""

import numpy as np
import pytest

from rampkit.colorize import colorize
from rampkit.formats.gdaldem import dumps_gdaldem, gdaldem_options, loads_gdaldem
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

pytestmark = pytest.mark.gdaldem

ABSOLUTE = Ramp.from_mapping(
    {"100": [200, 0, 0], "130": [255, 40, 0, 200], "150": [255, 240, 0],
     "170": [0, 230, 0, 128], "200": [0, 130, 0], "nv": [1, 2, 3, 4]}
)


def yield_grid(rng, dtype, shape=(96, 96), nodata=-9999):
    values = rng.normal(150, 35, shape)
    values = values.astype(dtype)
    flat = values.reshape(-1)
    flat[:5] = [100, 130, 150, 170, 200]  # exactly on stops
    flat[5:9] = [0, 99, 201, 10_000]  # outside the stops
    flat[9:12] = nodata
    return values


@pytest.mark.parametrize("dtype", ["float32", "int16"])
@pytest.mark.parametrize("mode", ["linear", "nearest"])
def test_absolute_ramp_matches(gdaldem, tmp_path, rng, dtype, mode):
    ramp = ABSOLUTE.with_mode(mode)
    values = yield_grid(rng, dtype)
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, nodata=-9999,
                       options=tuple(gdaldem_options(ramp)[1:]))
    actual = colorize(values, ramp, nodata=-9999).rgba
    assert np.array_equal(actual, expected)


@pytest.mark.parametrize("dtype", ["float32", "int16"])
@pytest.mark.parametrize("name", ["leaf_standard", "yield", "yield_colorblind"])
def test_percent_ramp_matches_with_data_basis(gdaldem, tmp_path, rng, dtype, name):
    ramp = get_ramp(name)
    values = yield_grid(rng, dtype)
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, nodata=-9999)
    result = colorize(values, ramp, nodata=-9999)
    assert np.array_equal(result.rgba, expected)
    assert result.basis.vmin == float(values[values != -9999].min())


def test_int16_lookup_table_path_matches(gdaldem, tmp_path, rng):
    # gdaldem precomputes a 65536-entry table for int16 grids over 65536 pixels
    values = rng.integers(-500, 3000, (300, 300)).astype(np.int16)
    values[0, :20] = -9999
    ramp = get_ramp("elevation")
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, nodata=-9999)
    assert np.array_equal(colorize(values, ramp, nodata=-9999).rgba, expected)


def test_large_float_grid_compiled_path_matches(gdaldem, tmp_path, rng):
    values = rng.gamma(4.0, 30.0, (512, 512)).astype(np.float32)
    values[100:120, 200:260] = -9999
    ramp = get_ramp("leaf_standard")
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, nodata=-9999)
    assert np.array_equal(colorize(values, ramp, nodata=-9999).rgba, expected)


def test_nan_as_declared_nodata_matches(gdaldem, tmp_path, rng):
    values = yield_grid(rng, "float32", nodata=np.nan)
    expected = gdaldem(values, dumps_gdaldem(ABSOLUTE), tmp_path, nodata=np.nan)
    assert np.array_equal(colorize(values, ABSOLUTE).rgba, expected)


def test_undeclared_nan_is_nodata_only_in_rampkit(gdaldem, tmp_path, rng):
    values = yield_grid(rng, "float32")
    values[50, 50:55] = np.nan
    expected = gdaldem(values, dumps_gdaldem(ABSOLUTE), tmp_path, nodata=-9999)
    actual = colorize(values, ABSOLUTE, nodata=-9999).rgba
    nan = np.isnan(values)
    assert np.array_equal(actual[~nan], expected[~nan])
    # gdaldem paints an undeclared NaN with the last stop's color; rampkit uses nv
    assert (expected[nan] == [0, 130, 0, 255]).all()
    assert (actual[nan] == [1, 2, 3, 4]).all()


def test_named_colors_and_separators_match(gdaldem, tmp_path):
    text = "# named colors, mixed separators\n0 black\n10,orange\n20:aqua 128\n30\tbrown\n" \
           "40 indigo\n\n50 grey\nnv white 0\n"
    values = np.arange(-5, 56, dtype=np.float32).reshape(1, -1)
    expected = gdaldem(values, text, tmp_path, nodata=-9999)
    assert np.array_equal(colorize(values, loads_gdaldem(text), nodata=-9999).rgba, expected)


def test_discrete_written_as_hard_steps_matches(gdaldem, tmp_path, rng):
    ramp = Ramp.from_mapping({"120": "#c80000", "140": "#ff9600", "160": "#00e600",
                              "250": "#008200"}, mode="discrete")
    values = yield_grid(rng, "float32")
    values.reshape(-1)[12:16] = [120, 140, 160, 140.00001]
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, nodata=-9999)
    assert np.array_equal(colorize(values, ramp, nodata=-9999).rgba, expected)


def test_repeated_value_differs_only_at_the_step(gdaldem, tmp_path, cases):
    text = cases["C05"]["input"]["gdaldem_text"]
    values = np.array([[0, 25, 49.999, 50, 50.001, 75, 100]], dtype=np.float32)
    expected = gdaldem(values, text, tmp_path, nodata=-9999)
    actual = colorize(values, loads_gdaldem(text), nodata=-9999).rgba
    step = values == 50
    assert np.array_equal(actual[~step], expected[~step])
    # gdaldem 3.6.2 spreads the repeated entries a few ulps apart and averages
    # there; rampkit gives the first-listed color, the class convention.
    assert expected[step].tolist() == [[50, 0, 50, 255]]
    assert actual[step].tolist() == [[100, 0, 0, 255]]


def test_exact_mode_follows_the_documentation(gdaldem, tmp_path):
    ramp = ABSOLUTE.with_mode("exact")
    values = np.array([[100, 130, 150, 170, 200, 125, 99, 201]], dtype=np.float32)
    # No nodata is declared: gdaldem would sort the nv entry first, and then
    # not even the first stop would match.
    expected = gdaldem(values, dumps_gdaldem(ramp), tmp_path, options=("-exact_color_entry",))
    actual = colorize(values, ramp).rgba
    # Both: the first entry matches, and values between entries are transparent.
    assert actual[0, 0].tolist() == expected[0, 0].tolist() == [200, 0, 0, 255]
    assert (actual[0, 5:] == 0).all()
    assert (expected[0, 5:] == 0).all()
    # gdaldem 3.6.2 leaves exact matches of the later entries transparent,
    # contrary to its documentation (fixed in later GDAL); rampkit colors them.
    assert (expected[0, 1:5] == 0).all()
    assert actual[0, 1:5].tolist() == [list(c) for c in ABSOLUTE.colors[1:]]
