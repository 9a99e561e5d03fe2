"""Headless tests of the histogram widget."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from rampkit.lab.histogram import Histogram
from rampkit.ramp import Ramp

BLACK_WHITE = Ramp.from_mapping({"0%": [0, 0, 0], "100%": [200, 200, 200]})


def _pixels(histogram: Histogram) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(histogram.image.value)))


def test_counts_skip_nan_and_nodata() -> None:
    values = [np.nan, -9999.0, 0.0, 1.0, 2.0, 3.0]
    histogram = Histogram(values, BLACK_WHITE, bins=3, nodata=-9999.0)
    assert histogram.counts.tolist() == [1, 1, 2]
    assert histogram.edges.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_bars_take_ramp_color_at_centre() -> None:
    histogram = Histogram([0.0, 10.0], BLACK_WHITE, bins=2)
    # Centres at 2.5 and 7.5 of 0-10 are 25 % and 75 % of the way to 200.
    assert histogram.bar_colors[:, 0].tolist() == [50, 150]


def test_stop_lines_follow_ramp() -> None:
    histogram = Histogram(np.linspace(10, 20, 100), BLACK_WHITE)
    assert histogram.stop_values == (10.0, 20.0)
    before = histogram.image.value
    histogram.ramp = BLACK_WHITE.add_stop(50.0, "red")
    assert histogram.stop_values == (10.0, 15.0, 20.0)
    assert histogram.image.value != before
    column = _pixels(histogram)[:100, histogram._x(15.0)]
    assert (column[:, :3] == 30).all()


def test_fixed_basis_moves_stops() -> None:
    histogram = Histogram(np.linspace(0, 10, 100), BLACK_WHITE, basis=(0.0, 5.0))
    assert histogram.stop_values == (0.0, 5.0)


def test_image_size_and_axis_text() -> None:
    histogram = Histogram(np.arange(5.0), BLACK_WHITE, width=200, height=80, unit="bu/ac")
    assert _pixels(histogram).shape == (80, 200, 4)
    assert "4 bu/ac" in histogram.axis.value
    assert "5 values" in histogram.axis.value


def test_constant_values_draw() -> None:
    histogram = Histogram([3.0, 3.0, 3.0], BLACK_WHITE, bins=4)
    assert int(histogram.counts.sum()) == 3
    assert bytes(histogram.image.value).startswith(b"\x89PNG")


def test_summary_lists() -> None:
    histogram = Histogram([0.0, 1.0], BLACK_WHITE, bins=2)
    assert histogram.summary() == {
        "counts": [1, 1],
        "edges": [0.0, 0.5, 1.0],
        "stops": [0.0, 1.0],
    }
