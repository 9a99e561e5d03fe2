"""Color parsing and formatting.

A color in rampkit is an ``RGBA`` tuple of four integers in 0–255; a three
component color means alpha 255. At the edges (files, JSON, widgets) colors
may also be written as ``#rgb``, ``#rrggbb`` or ``#rrggbbaa`` hex strings, or
as one of the names that ``gdaldem color-relief`` knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TypeAlias

from rampkit._text import short_repr
from rampkit.errors import ColorFormatError

__all__ = ["GDAL_NAMED_COLORS", "RGBA", "parse_color", "to_hex"]

RGBA: TypeAlias = tuple[int, int, int, int]

# The names gdaldem color-relief accepts, with the RGB it gives them. GDAL
# stores each channel as a float fraction and truncates 255 * fraction, so
# 0.75 becomes 191 and 0.5 becomes 127 (apps/gdaldem_lib.cpp, checked against
# gdaldem 3.6.2 by the test suite).
GDAL_NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "magenta": (255, 0, 255),
    "cyan": (0, 255, 255),
    "aqua": (0, 191, 191),
    "grey": (191, 191, 191),
    "gray": (191, 191, 191),
    "orange": (255, 127, 0),
    "brown": (191, 127, 63),
    "purple": (127, 0, 255),
    "violet": (127, 0, 255),
    "indigo": (0, 127, 255),
}

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")



def _parse_hex(text: str, where: str) -> RGBA:
    match = _HEX.fullmatch(text)
    if match is None or not text.startswith("#"):
        raise ColorFormatError(
            f"{where}invalid hex color {short_repr(text)}; "
            "write '#rgb', '#rrggbb' or '#rrggbbaa' with hex digits 0-9 and a-f"
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    if len(digits) == 6:
        digits += "ff"
    r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return (r, g, b, a)


def _parse_components(value: Sequence[object], where: str) -> RGBA:
    if len(value) not in (3, 4):
        raise ColorFormatError(
            f"{where}color {short_repr(value)} has {len(value)} components; "
            "give 3 (RGB) or 4 (RGBA) integers in 0-255"
        )
    channels: list[int] = []
    for component in value:
        if isinstance(component, bool) or not isinstance(component, Real):
            raise ColorFormatError(
                f"{where}color {short_repr(value)} has a non-numeric component "
                f"{short_repr(component)}; give integers in 0-255"
            )
        if not isinstance(component, Integral) and not float(component).is_integer():
            raise ColorFormatError(
                f"{where}color {short_repr(value)} has a fractional component "
                f"{component!r}; give integers in 0-255, not 0-1 fractions"
            )
        number = int(float(component))
        if not 0 <= number <= 255:
            raise ColorFormatError(
                f"{where}color {short_repr(value)} has component {number} outside 0-255; "
                "give integers in 0-255"
            )
        channels.append(number)
    # Floats that are all 0 or 1, with at least one 1, read as a 0-1 color
    # such as matplotlib's (1.0, 0.0, 0.0) just as well as a near-black
    # 0-255 one; black (all 0) means the same in both scales.
    floats = [c for c in value if isinstance(c, Real) and not isinstance(c, Integral)]
    if floats and set(channels) <= {0, 1} and 1 in channels:
        raise ColorFormatError(
            f"{where}color {short_repr(value)} is ambiguous: floats of 0 and 1 look like a 0-1 "
            "color; give integers in 0-255, for example (255, 0, 0) for red"
        )
    if len(channels) == 3:
        channels.append(255)
    return (channels[0], channels[1], channels[2], channels[3])


def parse_color(value: object, *, where: str = "") -> RGBA:
    """Parse a color into an RGBA tuple of integers in 0–255.

    Parameters
    ----------
    value : sequence of 3 or 4 int, str
        ``[r, g, b]``, ``[r, g, b, a]``, a hex string (``#rgb``, ``#rrggbb``,
        ``#rrggbbaa``) or a gdaldem color name such as ``"red"``.
    where : str, default ""
        Location of the value (for example ``"stops[3].color"``), used to
        start error messages.

    Returns
    -------
    RGBA
        Four integers; alpha is 255 when the input has none.

    Raises
    ------
    ColorFormatError
        If the value has the wrong length, a component outside 0–255, bad hex
        digits or an unknown name.

    Examples
    --------
    >>> parse_color([200, 0, 0])
    (200, 0, 0, 255)
    >>> parse_color("#0f08")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rampkit.errors.ColorFormatError: invalid hex color '#0f08'; write '#rgb', ...
    >>> parse_color("#00e600")
    (0, 230, 0, 255)
    >>> parse_color("orange")
    (255, 127, 0, 255)
    """
    prefix = f"{where}: " if where else ""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("#"):
            return _parse_hex(text, prefix)
        named = GDAL_NAMED_COLORS.get(text.lower())
        if named is None:
            raise ColorFormatError(
                f"{prefix}unknown color name {short_repr(value)}; use a hex string such as "
                f"'#c80000' or one of: {', '.join(sorted(GDAL_NAMED_COLORS))}"
            )
        return (*named, 255)
    if isinstance(value, Sequence):
        return _parse_components(value, prefix)
    # numpy arrays and other iterables of numbers
    if hasattr(value, "__len__") and hasattr(value, "__getitem__") and hasattr(value, "tolist"):
        return _parse_components(list(value.tolist()), prefix)
    raise ColorFormatError(
        f"{prefix}cannot read {short_repr(value)} as a color; give [r, g, b], "
        "[r, g, b, a] with integers in 0-255, or a hex string such as '#c80000'"
    )


def to_hex(color: Sequence[int], *, alpha: bool | None = None) -> str:
    """Format a color as a lowercase hex string.

    Parameters
    ----------
    color : sequence of 3 or 4 int
        The color to format.
    alpha : bool or None, default None
        Write ``#rrggbbaa`` when True and ``#rrggbb`` when False. None writes
        the alpha digits only when alpha is not 255.

    Returns
    -------
    str

    Examples
    --------
    >>> to_hex((200, 0, 0, 255))
    '#c80000'
    >>> to_hex((0, 0, 0, 0))
    '#00000000'
    """
    r, g, b, a = parse_color(color)
    if alpha is None:
        alpha = a != 255
    if alpha:
        return f"#{r:02x}{g:02x}{b:02x}{a:02x}"
    if a != 255:
        raise ColorFormatError(
            f"color {tuple(color)!r} has alpha {a}, which '#rrggbb' cannot hold; "
            "pass alpha=True or alpha=None"
        )
    return f"#{r:02x}{g:02x}{b:02x}"
