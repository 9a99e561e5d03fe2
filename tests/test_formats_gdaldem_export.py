"""Files exported by write_ramp, run through the real gdaldem color-relief."""

import numpy as np
import pytest

from rampkit.colorize import colorize
from rampkit.formats import read_document, write_ramp
from rampkit.formats.gdaldem import gdaldem_options
from rampkit.presets import get_ramp

pytestmark = pytest.mark.gdaldem


def values_grid(rng):
    values = rng.normal(150, 35, (64, 64)).astype(np.float32)
    flat = values.reshape(-1)
    flat[:6] = [-10, 0, 90, 210, 400, 1e6]
    flat[6:9] = -9999
    return values


@pytest.mark.parametrize("name", ["leaf_standard", "yield", "moisture"])
def test_percent_export_matches(gdaldem, tmp_path, rng, name):
    ramp = get_ramp(name)
    path = write_ramp(ramp, tmp_path / f"{name}.txt")
    values = values_grid(rng)
    expected = gdaldem(values, path.read_text(), tmp_path, nodata=-9999)
    assert np.array_equal(colorize(values, ramp, nodata=-9999).rgba, expected)


@pytest.mark.parametrize("mode", ["linear", "nearest", "exact", "discrete"])
def test_export_with_basis_matches(gdaldem, tmp_path, rng, mode):
    ramp = get_ramp("leaf_standard").with_mode(mode).with_nodata_color([1, 2, 3, 4])
    path = write_ramp(ramp, tmp_path / "ramp.txt", basis=(100, 200))
    assert "%" not in path.read_text()
    values = values_grid(rng)
    # exact matches only values on a stop, so put some there
    values.reshape(-1)[9:16] = [100, 135, 145, 155, 165, 175, 200]
    absolute = ramp.resolve(100, 200)
    expected = gdaldem(
        values,
        path.read_text(),
        tmp_path,
        nodata=-9999,
        options=tuple(gdaldem_options(absolute)[1:]),
    )
    actual = colorize(values, ramp, basis=(100, 200), nodata=-9999).rgba
    if mode == "exact":
        # gdaldem 3.6.2 matches only its first color entry exactly, which
        # here is the nv entry (see rampkit.colorize), so compare the values
        # off the stops, which both leave transparent.
        off_stops = ~np.isin(values, absolute.positions)
        assert np.array_equal(actual[off_stops], expected[off_stops])
        return
    assert np.array_equal(actual, expected)


def test_qgis_file_converted_to_gdaldem_matches(gdaldem, tmp_path, cases):
    source = tmp_path / "classes.qgis.txt"
    source.write_text(cases["C06"]["input"]["text"])
    document = read_document(source)
    target = write_ramp(document, tmp_path / "classes.txt")
    values = np.array([[5, 10, 15, 19.5, 20.5, 21, 1e9]], dtype=np.float32)
    expected = gdaldem(values, target.read_text(), tmp_path)
    assert np.array_equal(colorize(values, document.ramp).rgba, expected)
