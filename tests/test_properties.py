"""Property tests of the core with Hypothesis."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rampkit.color import parse_color, to_hex
from rampkit.colorize import colorize, evaluate
from rampkit.formats.api import from_color_ramp, to_color_ramp
from rampkit.formats.gdaldem import dumps_gdaldem, loads_gdaldem
from rampkit.ramp import MODES, Ramp, Stop

# Generated ramps may put every percent stop within 0-1 %: a valid ramp
# that rampkit warns about, because such stops are usually fractions.
pytestmark = pytest.mark.filterwarnings("ignore::rampkit.errors.PercentScaleWarning")

settings.register_profile("rampkit", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rampkit")

colors = st.tuples(*[st.integers(0, 255)] * 4)
percents = st.floats(0, 100, allow_nan=False)
values = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


@st.composite
def ramps(draw, relative=None, distinct=False):
    relative = draw(st.booleans()) if relative is None else relative
    positions = percents if relative else values
    count = draw(st.integers(2, 9))
    if distinct:
        keys = draw(st.lists(positions, min_size=count, max_size=count, unique=True))
    else:
        keys = draw(st.lists(positions, min_size=count, max_size=count))
    stops = [Stop(position, draw(colors)) for position in keys]
    return Ramp(tuple(stops), relative=relative, nodata_color=draw(colors),
                mode=draw(st.sampled_from(MODES)))


@given(colors)
def test_hex_round_trip(color):
    assert parse_color(to_hex(color)) == color


@given(ramps())
def test_dict_round_trip(ramp):
    assert Ramp.from_dict(ramp.to_dict()) == ramp


@given(ramps())
def test_reversed_twice_is_identity(ramp):
    assert ramp.reversed().reversed() == ramp


@given(ramps(distinct=True))
def test_color_ramp_round_trip(ramp):
    assert from_color_ramp(to_color_ramp(ramp, lossy=True), mode=ramp.mode) == ramp


@given(ramps())
def test_gdaldem_round_trip(ramp):
    if ramp.mode == "discrete" and ramp.relative:
        ramp = ramp.with_mode("linear")
    assert loads_gdaldem(dumps_gdaldem(ramp)) == ramp


@given(ramps(relative=False), arrays(np.float64, st.integers(1, 300),
                                     elements=st.floats(-2e6, 2e6) | st.sampled_from(
                                         [np.nan, np.inf, -np.inf])))
def test_compiled_equals_numpy(ramp, data):
    valid = np.isfinite(data)
    assert np.array_equal(evaluate(data, ramp, valid, use_kernel=True),
                          evaluate(data, ramp, valid, use_kernel=False))


@given(ramps(), arrays(np.float32, st.integers(1, 200),
                       elements=st.floats(-1e4, 1e4, width=32) | st.just(np.nan)))
def test_invalid_values_get_nodata_color_only(ramp, data):
    result = colorize(data, ramp)
    invalid = ~np.isfinite(data)
    assert (result.rgba[invalid] == ramp.nodata_color).all()
    assert np.array_equal(result.valid, ~invalid)


@given(ramps(relative=False), values)
def test_linear_stays_within_neighbour_colors(ramp, value):
    ramp = ramp.with_mode("linear")
    rgba = evaluate(np.array([value]), ramp)[0]
    positions = np.array(ramp.positions)
    index = int(np.searchsorted(positions, value, side="left"))
    low = ramp.colors[max(index - 1, 0)]
    high = ramp.colors[min(index, len(positions) - 1)]
    for channel in range(4):
        assert min(low[channel], high[channel]) <= rgba[channel] <= max(low[channel],
                                                                        high[channel])


@pytest.mark.parametrize("mode", MODES)
def test_values_on_stops_take_stop_colors(mode):
    ramp = Ramp.from_mapping({"0": "black", "10": [9, 8, 7, 6], "20": "white"}, mode=mode)
    rgba = evaluate(np.array(ramp.positions), ramp)
    assert [tuple(c) for c in rgba.tolist()] == list(ramp.colors)
