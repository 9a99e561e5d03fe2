import json

import pytest

from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.api import (
    dumps_color_ramp,
    from_color_ramp,
    from_v1_image,
    loads_color_ramp,
    to_color_ramp,
    to_v1_image,
)
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

API_STANDARD = (
    '{"0%": [200, 0, 0], "35%": [255, 40, 0], "45%": [255, 150, 0], "55%": [255, 240, 0], '
    '"65%": [0, 230, 0], "75%": [0, 190, 0], "100%": [0, 130, 0], "nv": [0, 0, 0, 0]}'
)


def test_reads_the_api_standard_ramp():
    ramp = loads_color_ramp(API_STANDARD)
    assert ramp == get_ramp("leaf_standard").with_name("")
    assert ramp.nodata_color == (0, 0, 0, 0)


def test_writes_rgb_when_opaque_and_rgba_otherwise():
    ramp = Ramp.from_mapping({"0%": [1, 2, 3], "100%": [4, 5, 6, 7], "nv": [9, 9, 9, 0]})
    assert to_color_ramp(ramp) == {"0%": [1, 2, 3], "100%": [4, 5, 6, 7], "nv": [9, 9, 9, 0]}


def test_round_trip_text_is_identical():
    assert json.loads(dumps_color_ramp(loads_color_ramp(API_STANDARD))) == json.loads(API_STANDARD)


def test_absolute_keys_round_trip():
    ramp = Ramp.from_mapping({"-5000": [0, 0, 50], "0.125": [200, 200, 250]})
    body = to_color_ramp(ramp)
    assert list(body) == ["-5000", "0.125", "nv"]
    assert from_color_ramp(body) == ramp


def test_repeated_key_in_json_text_is_an_error(cases):
    text = '{"0%": [0, 0, 0], "50%": [100, 0, 0], "50%": [0, 0, 100], "100%": [0, 0, 200]}'
    with pytest.raises(FormatError, match=r"JSON object repeats the key '50%'"):
        loads_color_ramp(text)


def test_hard_step_cannot_be_written_without_loss():
    ramp = Ramp([(0, "black"), (50, "red"), (50, "blue"), (100, "white")], relative=False)
    with pytest.raises(LossyConversionError, match=r"two stops sit at '50' \(a hard step\)"):
        to_color_ramp(ramp)
    kept = to_color_ramp(ramp, lossy=True)
    assert kept["50"] == [255, 0, 0]


def test_mode_cannot_be_written_without_loss():
    with pytest.raises(LossyConversionError, match=r"mode 'discrete' would be lost; send it"):
        to_color_ramp(get_ramp("yield").with_mode("discrete"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", r"a colorRamp must be a JSON object"),
        ('{"0%": [1, 2, 3], "x": [1, 2, 3]}', r"colorRamp: key 'x': stop key 'x' is not a number"),
        ('{"0%": [1, 2, 3], "150%": [1, 2, 3]}', r"percent stop '150%' is outside 0%-100%"),
        ('{"0%": [1, 2, 3], "100": [1, 2, 3]}', r"mixes percent key '0%' with value key '100'"),
        ('{"0%": [1, 2, 3], "100%": [1, 2, 3, 4, 5]}', r"has 5 components"),
        ('{"0%": [1, 2, 3]', r"invalid JSON at line 1"),
    ],
)
def test_bad_color_ramps(text, message):
    with pytest.raises(FormatError, match=message):
        loads_color_ramp(text)


def test_v1_image_entry_round_trip():
    entry = to_v1_image(get_ramp("moisture"), "harvestMoisture", url="http://127.0.0.1/x.png")
    assert entry["downloadUrl"] == "http://127.0.0.1/x.png"
    prop, ramp = from_v1_image(json.loads(json.dumps(entry)))
    assert prop == "harvestMoisture"
    assert ramp.colors == get_ramp("moisture").colors


def test_v1_image_entry_without_ramp():
    with pytest.raises(FormatError, match=r"a V1 image entry is a JSON object with 'property'"):
        from_v1_image({"property": "x"})
