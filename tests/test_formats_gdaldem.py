import pytest

from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.gdaldem import dumps_gdaldem, loads_gdaldem
from rampkit.presets import get_ramp, registry
from rampkit.ramp import Ramp


def test_comments_blank_lines_and_separators():
    text = "# comment\n/ also a comment\n\n0 0 0 0\n10,255,0,0\n20\t0:0:255 128\n  \nnv 1 2 3 4\n"
    ramp = loads_gdaldem(text)
    assert ramp.positions == (0.0, 10.0, 20.0)
    assert ramp.colors == ((0, 0, 0, 255), (255, 0, 0, 255), (0, 0, 255, 128))
    assert ramp.nodata_color == (1, 2, 3, 4)


def test_percent_named_colors_and_alpha():
    ramp = loads_gdaldem("0% red\n50% yellow 128\n100% green\n")
    assert ramp.relative
    assert ramp.colors[1] == (255, 255, 0, 128)


def test_repeated_values_kept_in_file_order(cases):
    ramp = loads_gdaldem(cases["C05"]["input"]["gdaldem_text"])
    assert ramp.positions == (0.0, 50.0, 50.0, 100.0)
    assert ramp.colors[1:3] == ((100, 0, 0, 255), (0, 0, 100, 255))
    assert loads_gdaldem(dumps_gdaldem(ramp)) == ramp


def test_alpha_column_written_on_every_line(cases):
    ramp = Ramp.from_mapping(cases["C09"]["input"]["ramp"])
    lines = [line for line in dumps_gdaldem(ramp).splitlines() if not line.startswith("#")]
    assert lines == ["0 0 0 0 255", "100 0 0 0 55", "nv 0 0 0 0"]


@pytest.mark.parametrize("name", sorted(registry()))
@pytest.mark.parametrize("mode", ["linear", "nearest", "exact"])
def test_presets_round_trip(name, mode):
    ramp = get_ramp(name).with_mode(mode)
    assert loads_gdaldem(dumps_gdaldem(ramp)) == ramp


def test_discrete_round_trip_through_hard_steps():
    ramp = Ramp.from_mapping({"10": "red", "20": [0, 200, 0, 128], "30": "blue"},
                             mode="discrete", name="classes")
    assert loads_gdaldem(dumps_gdaldem(ramp)) == ramp


def test_mode_option_overrides_comment():
    text = dumps_gdaldem(get_ramp("yield").with_mode("nearest"))
    assert "# rampkit: mode=nearest (run gdaldem color-relief with -nearest_color_entry)" in text
    assert loads_gdaldem(text, mode="linear").mode == "linear"


def test_cpt_file():
    text = "# COLOR_MODEL = RGB\n0 0 0 0 10 255 0 0\n10 255 0 0 20 0 0 255\nN 1 2 3\n"
    ramp = loads_gdaldem(text)
    assert ramp.positions == (0.0, 10.0, 10.0, 20.0)
    assert ramp.nodata_color == (1, 2, 3, 255)


def test_relative_discrete_needs_lossy():
    ramp = get_ramp("yield").with_mode("discrete")
    with pytest.raises(LossyConversionError, match=r"gdaldem has no discrete mode"):
        dumps_gdaldem(ramp)
    assert "50% 254 224 139 255" in dumps_gdaldem(ramp, lossy=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 0 0 0\n10 256 0 0\n", r"line 2: color component '256' is not an integer in 0-255"),
        ("0 0 0 0\n10 1.5 0 0\n", r"line 2: color component '1.5'"),
        ("0 0 0 0\n10 reddish\n", r"line 2: unknown color 'reddish' in '10 reddish'"),
        ("0 0 0 0\n10 255 0\n", r"line 2: unknown color '255'"),
        ("0 0 0 0\n100\n", r"line 2: '100' has no color"),
        ("0 0 0 0\nabc 1 2 3\n", r"line 2: stop key 'abc' is not a number or a percent"),
        ("0% 0 0 0\n120% 1 2 3\n", r"line 2: percent stop '120%' is outside 0%-100%"),
        ("0% 0 0 0\n50 1 2 3\n", r"line 2: mixes percents \(line 1\) and values \(line 2\)"),
        ("0 0 0 0 0 0\n1 1 1 1\n", r"line 1: 6 fields"),
        ("# only a comment\n", r"needs at least 2 stops, got 0"),
        ("# COLOR_MODEL = HSV\n", r"only 'COLOR_MODEL = RGB'"),
        ("# rampkit: mode=smooth\n0 red\n1 blue\n", r"unknown mode 'smooth'"),
    ],
)
def test_malformed_files(text, message):
    with pytest.raises(FormatError, match=message):
        loads_gdaldem(text)
