"""Tests for rampkit.legend: V2 legends, labels and the three renderings."""

from __future__ import annotations

import io
import json
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from rampkit.classify import SCHEMES, V2_COLORS, Classification, classify
from rampkit.color import parse_color
from rampkit.colorize import Basis, colorize
from rampkit.errors import FewerClassesWarning, FormatError, RampError
from rampkit.legend import (
    ClassedLegend,
    ContinuousLegend,
    LegendEntry,
    classed_legend,
    continuous_legend,
    edge_labels,
    ramp_from_v2_legend,
    v2_legend,
)
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

DATA = Path(__file__).resolve().parents[1] / "data"
DASH = "\u2013"


@pytest.fixture(scope="module")
def csiro_yield() -> np.ndarray:
    """Dry yield (t/ha) of the CSIRO harvest, recorded with two decimals."""
    frame = pd.read_csv(DATA / "csiro_area-2_harvest_grain_iso-8859-1.csv",
                        encoding="iso-8859-1")
    return frame["Yld Mass(Dry)(tonne/ha)"].to_numpy(dtype=np.float64)


def quiet_classify(*args, **kwargs) -> Classification:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewerClassesWarning)
        return classify(*args, **kwargs)


def label_edges(legend: ClassedLegend) -> list[float]:
    """Read the k + 1 edges back from the label text, as a reader would."""
    edges: list[float] = []
    for index, (label, _) in enumerate(legend.entries):
        parts = label.split(f" {DASH} ")
        if index == 0:
            edges.append(float(parts[0]))
        edges.append(float(parts[-1]))
    return edges


class TagChecker(HTMLParser):
    """Record unbalanced tags of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def balanced(fragment: str) -> bool:
    checker = TagChecker()
    checker.feed(fragment)
    return not checker.errors and not checker.stack


# -- the API's V2 legend ------------------------------------------------------------


def test_v2_legend_shape(csiro_yield):
    result = classify(csiro_yield, "quantile", 7)
    legend = v2_legend(result)
    ranges = legend["ranges"]
    assert [item["colorCode"] for item in ranges] == list(V2_COLORS)
    assert [item["min"] for item in ranges] == list(result.edges[:-1])
    assert [item["max"] for item in ranges] == list(result.edges[1:])
    assert json.loads(json.dumps(legend)) == legend


def test_v2_legend_round_trip(csiro_yield):
    result = classify(csiro_yield, "quantile", 7)
    ramp = ramp_from_v2_legend(v2_legend(result))
    assert ramp.mode == "discrete"
    assert ramp.relative is False
    assert ramp.positions == result.uppers
    assert [to_code(color) for color in ramp.colors] == list(V2_COLORS)
    palette = np.array([parse_color(color) for color in V2_COLORS], dtype=np.uint8)
    rgba = colorize(csiro_yield, ramp).rgba
    np.testing.assert_array_equal(rgba, palette[result.class_ids(csiro_yield)])


def to_code(color) -> str:
    return "#{:02X}{:02X}{:02X}".format(*color[:3])


def test_v2_legend_unsorted_ranges():
    legend = {"ranges": [
        {"colorCode": "#008200", "min": 2.5, "max": 4},
        {"colorCode": "#C80000", "min": 1, "max": 2.5},
    ]}
    ramp = ramp_from_v2_legend(legend)
    assert ramp.positions == (2.5, 4.0)
    assert ramp.colors == ((200, 0, 0, 255), (0, 130, 0, 255))


@pytest.mark.parametrize(
    ("legend", "pattern"),
    [
        ({}, r"V2 legend '\{\}' has no 'ranges' list"),
        ({"ranges": []}, r"has no 'ranges' list"),
        ({"ranges": ["x"]}, r"ranges\[0\] 'x' is not an object; give colorCode, min and max"),
        ({"ranges": [{"colorCode": "#C80000", "min": 0, "max": "ten"}]},
         r"ranges\[0\]\.max 'ten' is not a finite number"),
        ({"ranges": [{"colorCode": "#C80000", "min": 5, "max": 1}]},
         r"ranges\[0\] has min 5.0 above max 1.0; swap them"),
        ({"ranges": [{"colorCode": "#C80000", "min": 0, "max": 1},
                     {"colorCode": "#C8000", "min": 1, "max": 2}]},
         r"ranges\[1\]\.colorCode: invalid hex color '#C8000'"),
        ({"ranges": [{"colorCode": "#C80000", "min": 0, "max": 1},
                     {"colorCode": "#008200", "min": 0, "max": 1}]},
         r"two V2 legend ranges end at max 1.0"),
    ],
)
def test_v2_legend_errors(legend, pattern):
    with pytest.raises(FormatError, match=pattern):
        ramp_from_v2_legend(legend)


# -- labels --------------------------------------------------------------------------


def test_labels_two_decimal_data(csiro_yield):
    result = classify(csiro_yield, "equal_interval", 5)
    # The data and the edges 0.38 + 1.5 i lie on a 0.01 grid, and values
    # crowd every edge, so two decimals are needed and enough.
    assert edge_labels(result) == ("0.38", "1.88", "3.38", "4.88", "6.38", "7.88")
    legend = classed_legend(result)
    ids = result.class_ids(csiro_yield)
    label_ids = np.searchsorted(np.asarray(label_edges(legend)[1:-1]), csiro_yield, "left")
    np.testing.assert_array_equal(label_ids, ids)


def test_labels_gain_decimals_when_needed():
    values = np.array([1.01, 1.02, 1.03, 1.04])
    result = classify(values, "manual", edges=[1.0, 1.025, 1.05])
    assert edge_labels(result) == ("1.00", "1.02", "1.05")


def test_labels_single_value_class(cases):
    values = np.asarray(cases["C07"]["input"]["values"], dtype=np.float64)
    result = quiet_classify(values, "quantile", 4)
    legend = classed_legend(result, ["#C80000", "#FFF000", "#008200"])
    # Integer data need no decimals: no value lies between 1 and the edge 1.75.
    assert result.edges == (0.0, 0.0, 1.75, 4.0)
    assert [label for label, _ in legend.entries] == ["0", f"0 {DASH} 1", f"1 {DASH} 4"]


def test_labels_custom_format():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    assert edge_labels(result, ".2f") == ("1.00", "2.50", "4.00")
    assert edge_labels(result, "{:.1f} t/ha") == ("1.0 t/ha", "2.5 t/ha", "4.0 t/ha")
    assert edge_labels(result, lambda value: f"<{value:g}>") == ("<1>", "<2.5>", "<4>")


def test_labels_no_negative_zero():
    result = classify(np.array([-0.04, 0.5, 3.0]), "manual", edges=[-0.04, 1, 3])
    assert edge_labels(result)[0] == "0"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(
            st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
            st.integers(-50, 50).map(float),
            st.integers(0, 2000).map(lambda n: n / 1000),
        ),
        min_size=2,
        max_size=80,
    ),
    scheme=st.sampled_from([s for s in SCHEMES if s != "manual"]),
    k=st.integers(2, 9),
)
def test_property_labels_keep_classes(values, scheme, k):
    array = np.asarray(values, dtype=np.float64)
    result = quiet_classify(array, scheme, k)
    legend = classed_legend(result)
    labels = [label for label, _ in legend.entries]
    assert len(set(labels)) == len(labels)
    edges = label_edges(legend)
    assert edges == list(legend.bounds)
    label_ids = np.searchsorted(np.asarray(edges[1:-1]), array, side="left")
    np.testing.assert_array_equal(label_ids, result.class_ids(array))


# -- classed legend --------------------------------------------------------------


def test_classed_legend_entries(csiro_yield):
    result = classify(csiro_yield, "quantile", 7)
    legend = classed_legend(result, V2_COLORS, unit="t/ha", title="Dry yield")
    assert legend.title == "Dry yield (t/ha)"
    assert legend.unit == "t/ha"
    assert len(legend.entries) == 7
    assert all(isinstance(entry, LegendEntry) for entry in legend.entries)
    assert [color for _, color in legend.entries] == [parse_color(c) for c in V2_COLORS]


def test_classed_legend_unit_only():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    assert classed_legend(result, unit="bu/ac").title == "bu/ac"


def test_classed_legend_leaflet_control():
    ipyleaflet = pytest.importorskip("ipyleaflet")
    result = classify(np.array([5.0, 20.0, 35.0, 50.0]), "equal_interval", 3)
    legend = classed_legend(result, ["#C80000", "#FFF000", "#008200"], unit="bu/ac")
    entries = legend.to_leaflet()
    assert entries == {f"5 {DASH} 20": "#c80000", f"20 {DASH} 35": "#fff000",
                       f"35 {DASH} 50": "#008200"}
    control = ipyleaflet.LegendControl(legend=entries, title=legend.title)
    assert control.legend == entries


def test_classed_legend_html_escapes():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    ramp = Ramp.from_mapping({"0%": [200, 0, 0, 128], "100%": [0, 130, 0]})
    fragment = classed_legend(result, ramp, unit="<kg>", title="a & b").to_html()
    assert balanced(fragment)
    assert "a &amp; b (&lt;kg&gt;)" in fragment
    assert "<kg>" not in fragment
    assert "rgba(200, 0, 0, 0.502)" in fragment
    assert "#008200" in fragment
    assert f"2 {DASH} 4" in fragment


def test_classed_legend_png(tmp_path, csiro_yield):
    result = classify(csiro_yield, "quantile", 7)
    legend = classed_legend(result, V2_COLORS, unit="t/ha", title="Dry yield")
    target = tmp_path / "legend.png"
    data = legend.to_png(target)
    assert data == legend.to_png()
    assert target.read_bytes() == data
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    assert image.size[1] == 24 + 22 * 7 + 8
    # The centre of swatch i sits at (8 + 14, 24 + 22 i + 3 + 8).
    for index, (_, color) in enumerate(legend.entries):
        assert image.getpixel((22, 24 + 22 * index + 11)) == color


def test_classed_legend_png_without_title():
    result = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", 2)
    legend = classed_legend(result, ["#C80000", "#008200"])
    image = Image.open(io.BytesIO(legend.to_png())).convert("RGBA")
    assert image.size[1] == 8 + 22 * 2 + 8
    assert image.getpixel((22, 8 + 11)) == (200, 0, 0, 255)
    assert image.getpixel((22, 8 + 22 + 11)) == (0, 130, 0, 255)


# -- continuous legend ------------------------------------------------------------


def test_continuous_legend_ticks():
    ramp = get_ramp("leaf_standard")
    legend = continuous_legend(ramp, (5.0, 283.9), unit="bu/ac", title="Dry yield")
    assert isinstance(legend, ContinuousLegend)
    assert legend.title == "Dry yield (bu/ac)"
    assert legend.ticks == tuple(np.linspace(5.0, 283.9, 5))
    assert [label for label, _ in legend.entries] == ["5", "75", "144", "214", "284"]
    expected = colorize(np.asarray(legend.ticks), ramp, basis=(5.0, 283.9)).rgba
    assert [color for _, color in legend.entries] == [tuple(row) for row in expected.tolist()]
    assert legend.gradient[0] == (200, 0, 0, 255)
    assert legend.gradient[-1] == (0, 130, 0, 255)


def test_continuous_legend_close_ticks_gain_decimals():
    ramp = Ramp.from_mapping({"0%": "red", "100%": "blue"})
    legend = continuous_legend(ramp, Basis.fixed(0.0, 0.3), ticks=4)
    assert [label for label, _ in legend.entries] == ["0.0", "0.1", "0.2", "0.3"]


def test_continuous_legend_tick_values_and_format():
    ramp = Ramp.from_mapping({"0": "red", "200": "blue"})
    legend = continuous_legend(ramp, ticks=[0, 100, 200], fmt=".1f")
    assert (legend.vmin, legend.vmax) == (0.0, 200.0)
    assert legend.to_leaflet() == {"0.0": "#ff0000", "100.0": "#7f007f", "200.0": "#0000ff"}


def test_continuous_legend_constant_basis():
    ramp = get_ramp("leaf_standard")
    legend = continuous_legend(ramp, (7.0, 7.0))
    assert legend.entries == (LegendEntry("7", (200, 0, 0, 255)),)
    assert Image.open(io.BytesIO(legend.to_png())).size == (320, 70)


def test_continuous_legend_errors():
    ramp = get_ramp("leaf_standard")
    with pytest.raises(RampError, match=r"a relative ramp needs a basis for its legend"):
        continuous_legend(ramp)
    with pytest.raises(RampError, match=r"basis .* is not resolved; use resolve_basis"):
        continuous_legend(ramp, Basis.data())
    with pytest.raises(RampError, match=r"basis \(5, 1\) is not a finite ascending range"):
        continuous_legend(ramp, (5, 1))
    with pytest.raises(RampError, match=r"ticks 0 is below 1"):
        continuous_legend(ramp, (0, 1), ticks=0)
    with pytest.raises(RampError, match=r"ticks True is not a count or a list of values"):
        continuous_legend(ramp, (0, 1), ticks=True)


def test_continuous_legend_html_and_png(tmp_path):
    ramp = Ramp.from_mapping({"0%": [200, 0, 0], "100%": [0, 130, 0]})
    legend = continuous_legend(ramp, (0.0, 100.0), unit="%", title="Moisture")
    fragment = legend.to_html()
    assert balanced(fragment)
    assert "linear-gradient(to right, #c80000 0.00%" in fragment
    assert "#008200 100.00%" in fragment
    assert "Moisture (%)" in fragment
    data = legend.to_png(tmp_path / "bar.png")
    assert data == legend.to_png()
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    # The bar spans 6 % to 94 % of the 320-pixel width, 45 % to 70 % from the bottom.
    row = int(90 * (1 - 0.575))
    left = np.array(image.getpixel((int(320 * 0.06) + 2, row)))
    right = np.array(image.getpixel((int(320 * 0.94) - 2, row)))
    # Past the black frame; resampling 256 samples onto the bar blends neighbours.
    assert np.abs(left - (200, 0, 0, 255)).max() <= 3
    assert np.abs(right - (0, 130, 0, 255)).max() <= 3


def test_constant_data_legends(cases):
    values = np.asarray(cases["C01"]["input"]["classify"]["values"], dtype=np.float64)
    result = quiet_classify(values, "equal_interval", 4)
    legend = classed_legend(result, V2_COLORS, unit="bu/ac")
    assert legend.entries == (LegendEntry("7", (200, 0, 0, 255)),)
    assert v2_legend(result) == {"ranges": [{"colorCode": "#C80000", "min": 7.0, "max": 7.0}]}
    assert Image.open(io.BytesIO(legend.to_png())).size[1] == 24 + 22 + 8
    placed = result.place_stops("leaf_standard")
    assert placed.keys() == ("100%", "100%")
