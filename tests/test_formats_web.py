"""Formats for web tools: rio-tiler colormaps, CSS gradients and HTML legends."""

import json
import sys

import numpy as np
import pytest

from rampkit.colorize import evaluate
from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.css import dumps_css, dumps_html_legend, to_css_gradient
from rampkit.formats.document import RampDocument
from rampkit.formats.riotiler import dumps_riotiler, to_riotiler
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

CLASSES = Ramp.from_mapping(
    {"10": "#c80000", "20": [0, 200, 0, 128], "30": "#0000c8"}, mode="discrete", name="classes"
)


def apply_intervals(colormap, values):
    """Color values as rio-tiler's interval colormaps do: min <= value < max."""
    out = np.zeros((len(values), 4), dtype=int)
    for (low, high), color in colormap:
        inside = (values >= low) & (values < high)
        out[inside] = color
    return out


# -- rio-tiler --------------------------------------------------------------------


def test_intervals_color_like_discrete(rng):
    colormap = to_riotiler(CLASSES)
    assert colormap[0] == [[-sys.float_info.max, 10.0], [200, 0, 0, 255]]
    assert colormap[-1] == [[20.0, sys.float_info.max], [0, 0, 200, 255]]
    values = rng.uniform(-100, 100, 5000)
    assert np.array_equal(apply_intervals(colormap, values), evaluate(values, CLASSES))


def test_intervals_json_is_valid():
    data = json.loads(dumps_riotiler(CLASSES))
    assert data[1] == [[10.0, 20.0], [0, 200, 0, 128]]


def test_values_for_exact_ramp():
    ramp = CLASSES.with_mode("exact")
    assert to_riotiler(ramp) == {
        "10": [200, 0, 0, 255],
        "20": [0, 200, 0, 128],
        "30": [0, 0, 200, 255],
    }


def test_values_sample_integers():
    ramp = get_ramp("yield")
    with pytest.raises(
        LossyConversionError, match="the colors between integers and outside 0-255"
    ):
        to_riotiler(ramp, basis=(0, 255))
    colormap = to_riotiler(ramp, basis=(0, 255), lossy=True)
    assert len(colormap) == 256
    expected = evaluate(np.arange(256.0), ramp.resolve(0, 255))
    assert [colormap[str(i)] for i in range(256)] == expected.tolist()


def test_values_are_limited():
    ramp = Ramp.from_mapping({"0": "red", "1e6": "blue"})
    with pytest.raises(FormatError, match="would list 1000001 integers, more than 65536"):
        to_riotiler(ramp, lossy=True)


def test_visible_nodata_is_lossy():
    with pytest.raises(LossyConversionError, match="the nv color #ff0000ff"):
        to_riotiler(CLASSES.with_nodata_color("red"))


def test_unknown_kind():
    with pytest.raises(FormatError, match="colormap kind 'palette' is unknown"):
        to_riotiler(CLASSES, kind="palette")


# -- CSS and HTML -------------------------------------------------------------------


def test_linear_gradient_keeps_percents():
    assert to_css_gradient(get_ramp("yield")) == (
        "linear-gradient(to right, #d73027 0%, #fc8d59 25%, #fee08b 50%, #91cf60 75%, "
        "#1a9850 100%)"
    )


def test_absolute_gradient_spreads_stops():
    ramp = Ramp.from_mapping({"100": "red", "150": "blue", "300": "white"})
    assert to_css_gradient(ramp) == (
        "linear-gradient(to right, #ff0000 0%, #0000ff 25%, #ffffff 100%)"
    )


def test_discrete_gradient_has_hard_edges():
    gradient = to_css_gradient(CLASSES)
    assert gradient == (
        "linear-gradient(to right, #c80000 0%, #c80000 0%, #00c80080 0%, #00c80080 50%, "
        "#0000c8 50%, #0000c8 100%)"
    )


def test_nearest_gradient_splits_at_midpoints():
    ramp = Ramp.from_mapping({"0%": "red", "100%": "blue"}, mode="nearest")
    assert to_css_gradient(ramp) == (
        "linear-gradient(to right, #ff0000 0%, #ff0000 50%, #0000ff 50%, #0000ff 100%)"
    )


def test_exact_gradient_is_lossy():
    with pytest.raises(LossyConversionError, match="mode 'exact'"):
        to_css_gradient(CLASSES.with_mode("exact"))


def test_css_rule():
    css = dumps_css(CLASSES.with_name("dry yield"))
    assert css.startswith(".rampkit-dry-yield {\n  background: linear-gradient(")
    assert "--rampkit-nodata-color: #00000000;" in css


def test_html_legend_rows_and_escaping():
    document = RampDocument(get_ramp("yield"), unit="bu/ac", label_format="{value:.0f} <{unit}>")
    page = dumps_html_legend(document, basis=(100, 200))
    assert page.startswith("<!DOCTYPE html>")
    assert "<h3>yield (bu/ac)</h3>" in page
    assert '<span class="swatch" style="background: #fee08b"></span>150 &lt;bu/ac&gt;</li>' in page
    assert '#00000000"></span>no value</li>' in page
    assert "linear-gradient(to right, #d73027 0%" in page
