"""Round trips: rampkit -> format -> rampkit gives the original ramp back.

The property for every format that both reads and writes: when writing
raises no LossyConversionError, reading the text back gives the same ramp.
So a format either stores a ramp whole or says what it would lose.
"""

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rampkit.errors import LossyConversionError
from rampkit.formats import FORMATS, dumps_ramp, loads_ramp
from rampkit.formats.document import RampDocument
from rampkit.formats.mpl import from_matplotlib, to_matplotlib
from rampkit.ramp import MODES, NODATA_COLOR, Ramp, Stop

# Generated ramps may put every percent stop within 0-1 %: a valid ramp
# that rampkit warns about, because such stops are usually fractions.
pytestmark = pytest.mark.filterwarnings("ignore::rampkit.errors.PercentScaleWarning")

ROUND_TRIP_FORMATS = sorted(
    name for name, fmt in FORMATS.items() if fmt.can_read and fmt.can_write and fmt.file_based
)
# Formats that store the ramp's name; the others name it after the file.
NAMED = {"rampkit", "gdaldem", "sld"}
# More examples for a longer search: RAMPKIT_EXAMPLES=1500 pytest tests/test_formats_roundtrip.py
EXAMPLES = int(os.environ.get("RAMPKIT_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

channel = st.integers(0, 255)
alpha = st.sampled_from([255, 255, 255, 0, 128]) | channel
colors = st.tuples(channel, channel, channel, alpha)


@st.composite
def ramps(draw, modes=MODES, relative=None, hard_steps=True, alpha=True, nodata=True):
    mode = draw(st.sampled_from(modes))
    is_relative = draw(st.booleans()) if relative is None else relative
    count = draw(st.integers(1 if mode == "discrete" else 2, 6))
    if is_relative:
        position = st.floats(0, 100, allow_nan=False, allow_subnormal=False)
    else:
        position = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False) | st.integers(
            -500, 500
        ).map(float)
    positions = draw(st.lists(position, min_size=count, max_size=count))
    if hard_steps and count > 1 and draw(st.booleans()):
        index = draw(st.integers(1, count - 1))
        positions[index] = positions[index - 1]
    stop_colors = colors if alpha else st.tuples(channel, channel, channel, st.just(255))
    stops = tuple(Stop(p, draw(stop_colors)) for p in positions)
    nodata_color = draw(st.sampled_from([NODATA_COLOR]) | colors) if nodata else NODATA_COLOR
    name = draw(st.sampled_from(["", "yield", "field_7"]))
    return Ramp(stops, relative=is_relative, nodata_color=nodata_color, mode=mode, name=name)


def comparable(ramp: Ramp, original: Ramp, format_name: str) -> Ramp:
    # SLD needs a layer name, so an unnamed ramp comes back named 'rampkit'.
    keeps_name = format_name in NAMED and bool(original.name)
    return ramp if keeps_name else ramp.with_name("")


@pytest.mark.parametrize("format_name", ROUND_TRIP_FORMATS)
@SETTINGS
@given(data=st.data())
def test_lossless_write_reads_back(format_name, data):
    # Draw mostly what the format claims to store, so few examples are lost
    # to the assume() below; the rest checks that losses are reported.
    fmt = FORMATS[format_name]
    claimed = ramps(
        modes=fmt.modes,
        relative=None if fmt.percent else False,
        alpha=fmt.alpha,
        nodata=fmt.nodata_color,
    )
    ramp = data.draw(claimed | ramps(), label="ramp")
    if format_name == "gdaldem" and ramp.mode == "discrete":
        # NOTE: the gdaldem writer spells a discrete ramp as hard steps one
        # double apart, which its reader cannot tell apart from stops that
        # already repeat a position or sit one double apart.
        positions = ramp.positions
        assume(
            all(
                math.nextafter(a, math.inf) < b
                for a, b in zip(positions[:-1], positions[1:], strict=True)
            )
        )
    try:
        text = dumps_ramp(ramp, format_name)
    except LossyConversionError:
        assume(False)
    back = loads_ramp(text, format_name).ramp
    assert comparable(back, ramp, format_name) == comparable(ramp, ramp, format_name)


@pytest.mark.parametrize("format_name", ["qgis", "qml", "sld", "v2legend"])
@SETTINGS
@given(data=st.data())
def test_value_formats_keep_absolute_ramps(format_name, data):
    # Narrow the ramp to what the format stores, so the round trip always runs.
    fmt = FORMATS[format_name]
    ramp = data.draw(ramps(modes=fmt.modes, relative=False, hard_steps=False), label="ramp")
    ramp = ramp.with_nodata_color(NODATA_COLOR)
    if not fmt.alpha:
        ramp = ramp.with_stops(Stop(s.position, (*s.color[:3], 255)) for s in ramp.stops)
    assume(len(set(ramp.positions)) == len(ramp.positions))
    back = loads_ramp(dumps_ramp(ramp, format_name), format_name).ramp
    assert comparable(back, ramp, format_name) == comparable(ramp, ramp, format_name)


@SETTINGS
@given(ramp=ramps(modes=("linear",), relative=True))
def test_percent_ramps_resolve_with_basis(ramp):
    ramp = ramp.with_nodata_color(NODATA_COLOR)
    back = loads_ramp(dumps_ramp(ramp, "sld", basis=(10, 30)), "sld").ramp
    assert back.with_name("") == ramp.resolve(10, 30).with_name("")


@SETTINGS
@given(ramp=ramps(modes=("linear", "discrete"), relative=False))
def test_matplotlib_absolute_round_trip(ramp):
    positions = ramp.positions
    assume(positions[-1] > positions[0])
    if ramp.mode == "discrete":
        assume(len(ramp.stops) > 1)
        assume(all(a < b for a, b in zip(positions[:-1], positions[1:], strict=True)))
    back = from_matplotlib(*to_matplotlib(ramp), name=ramp.name)
    assert (back.mode, back.relative, back.colors, back.nodata_color) == (
        ramp.mode,
        ramp.relative,
        ramp.colors,
        ramp.nodata_color,
    )
    # Positions go through (p - first) / span and back, which can move the
    # last bits of a double.
    span = positions[-1] - positions[0]
    assert np.allclose(back.positions, positions, rtol=0, atol=span * 1e-12)


@SETTINGS
@given(ramp=ramps(modes=("linear",), relative=True), ends=st.booleans())
def test_matplotlib_percent_round_trip(ramp, ends):
    stops = ramp.stops
    # Percents come back rounded to 1e-10 %, so draw them on a coarser grid.
    stops = tuple(Stop(round(s.position, 4), s.color) for s in stops)
    if ends:
        stops = (Stop(0.0, stops[0].color), *stops[1:-1], Stop(100.0, stops[-1].color))
    ramp = ramp.with_stops(stops)
    assume(ramp.positions[0] == 0.0 and ramp.positions[-1] == 100.0)
    assert from_matplotlib(*to_matplotlib(ramp), name=ramp.name) == ramp


@SETTINGS
@given(count=st.integers(1, 40), data=st.data())
def test_matplotlib_listed_round_trip(count, data):
    from matplotlib.colors import ListedColormap

    palette = data.draw(st.lists(colors, min_size=count, max_size=count))
    cmap = ListedColormap([[c / 255 for c in color] for color in palette])
    ramp = from_matplotlib(cmap, name="")
    assert ramp.colors == tuple(palette)
    assert from_matplotlib(*to_matplotlib(ramp), name="") == ramp


@SETTINGS
@given(ramp=ramps())
def test_document_keeps_labels(ramp):
    labels = tuple(f"class {i}" for i in range(len(ramp.stops)))
    document = RampDocument(ramp, property="seedRate", unit="seeds/ac", labels=labels)
    assert loads_ramp(dumps_ramp(document, "rampkit"), "rampkit") == document
