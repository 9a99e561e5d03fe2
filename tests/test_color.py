import pytest

from rampkit.color import GDAL_NAMED_COLORS, parse_color, to_hex
from rampkit.errors import ColorFormatError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([200, 0, 0], (200, 0, 0, 255)),
        ((0, 0, 0, 55), (0, 0, 0, 55)),
        ([1.0, 2.0, 3.0], (1, 2, 3, 255)),
        ([0.0, 0.0, 0.0], (0, 0, 0, 255)),
        ([1, 0, 0], (1, 0, 0, 255)),
        ("#c80000", (200, 0, 0, 255)),
        ("#C80000", (200, 0, 0, 255)),
        ("#00000000", (0, 0, 0, 0)),
        ("#f80", (255, 136, 0, 255)),
        ("  #0a0b0c  ", (10, 11, 12, 255)),
        ("Red", (255, 0, 0, 255)),
        ("grey", (191, 191, 191, 255)),
    ],
)
def test_parse_color_accepts(value, expected):
    assert parse_color(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], r"color \[1, 2\] has 2 components; give 3 \(RGB\) or 4"),
        ([1, 2, 3, 4, 5], r"has 5 components"),
        ([256, 0, 0], r"component 256 outside 0-255"),
        ([-1, 0, 0], r"component -1 outside 0-255"),
        ([0.5, 0.2, 0.1], r"fractional component 0.5; give integers in 0-255, not 0-1"),
        (["a", 0, 0], r"non-numeric component 'a'"),
        ([True, 0, 0], r"non-numeric component True"),
        ("#12345", r"invalid hex color '#12345'"),
        ("#gg0000", r"invalid hex color '#gg0000'"),
        ("reddish", r"unknown color name 'reddish'; use a hex string .* aqua, black"),
        (12, r"cannot read 12 as a color"),
        ((1.0, 0.0, 0.0), r"color \(1.0, 0.0, 0.0\) is ambiguous: floats of 0 and 1 look like"),
        ([0.0, 1.0, 0.0, 1.0], r"is ambiguous"),
    ],
)
def test_parse_color_rejects(value, message):
    with pytest.raises(ColorFormatError, match=message):
        parse_color(value)


def test_parse_color_where_prefix():
    with pytest.raises(ColorFormatError, match=r"^stops\[3\]\.color: color"):
        parse_color([1, 2], where="stops[3].color")


def test_to_hex_round_trip_every_named_color():
    for name in GDAL_NAMED_COLORS:
        color = parse_color(name)
        assert parse_color(to_hex(color)) == color


def test_to_hex_alpha_choices():
    assert to_hex((1, 2, 3, 255)) == "#010203"
    assert to_hex((1, 2, 3, 255), alpha=True) == "#010203ff"
    assert to_hex((1, 2, 3, 4)) == "#01020304"
    with pytest.raises(ColorFormatError, match=r"has alpha 4, which '#rrggbb' cannot hold"):
        to_hex((1, 2, 3, 4), alpha=False)
