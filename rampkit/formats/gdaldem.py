"""``gdaldem color-relief`` color files: read and write.

The format, as GDAL reads it: one entry per line, fields separated by any
run of spaces, tabs, commas or colons. The first field is a value, a
percent (``35%``) or ``nv`` (the no-value color); then either ``R G B [A]``
integers or a color name with an optional alpha (``100 red 128``). Lines
whose first field starts with ``#`` or ``/`` are comments. Repeated values
are kept in file order; together they form a hard step. GMT ``.cpt`` files
(marked by a ``# COLOR_MODEL = RGB`` comment) are read too.

Differences from gdaldem, all on input it would misread: a malformed line
raises :class:`~rampkit.errors.FormatError` with its line number instead of
being skipped or read as 0, and percents may not be mixed with values.

The interpolation mode is a gdaldem command-line option, not part of the
file, so the writer records it in a ``# rampkit: mode=...`` comment that the
reader understands. gdaldem has no ``discrete`` mode; an absolute discrete
ramp is written as hard steps one double apart, which gdaldem's linear mode
colors exactly as the discrete ramp would.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rampkit.color import GDAL_NAMED_COLORS, RGBA
from rampkit.errors import FormatError, LossyConversionError, RampError
from rampkit.ramp import MODES, Mode, Ramp, Stop, format_position, parse_position

__all__ = ["GDALDEM_FLAGS", "dumps_gdaldem", "gdaldem_options", "loads_gdaldem"]

# The gdaldem color-relief option for each mode it has.
GDALDEM_FLAGS: dict[str, tuple[str, ...]] = {
    "linear": (),
    "nearest": ("-nearest_color_entry",),
    "exact": ("-exact_color_entry",),
    "discrete": (),
}

_SEPARATORS = re.compile(r"[ ,\t:]+")
_MODE_COMMENT = re.compile(r"#\s*rampkit:\s*mode\s*=\s*(\w+)")
_NAME_COMMENT = re.compile(r"#\s*rampkit:\s*name\s*=\s*(.*?)\s*$")


def _channel(token: str, line_number: int, line: str) -> int:
    try:
        value = float(token)
    except ValueError:
        value = math.nan
    if not value.is_integer() or not 0 <= value <= 255:
        raise FormatError(
            f"line {line_number}: color component {token!r} is not an integer in 0-255 "
            f"in {line.strip()!r}; write 'value R G B [A]' with integers 0-255"
        )
    return int(value)


def _parse_entry(tokens: list[str], line_number: int, line: str) -> tuple[str, RGBA]:
    key = tokens[0]
    if len(tokens) >= 4:
        if len(tokens) > 5:
            raise FormatError(
                f"line {line_number}: {len(tokens)} fields in {line.strip()!r}; "
                "write 'value R G B [A]'"
            )
        channels = [_channel(token, line_number, line) for token in tokens[1:]]
        if len(channels) == 3:
            channels.append(255)
        return key, (channels[0], channels[1], channels[2], channels[3])
    rgb = GDAL_NAMED_COLORS.get(tokens[1].lower())
    if rgb is None:
        raise FormatError(
            f"line {line_number}: unknown color {tokens[1]!r} in {line.strip()!r}; write "
            f"'value R G B [A]' or use one of: {', '.join(sorted(GDAL_NAMED_COLORS))}"
        )
    alpha = _channel(tokens[2], line_number, line) if len(tokens) == 3 else 255
    return key, (*rgb, alpha)


def _collapse_discrete(stops: list[Stop]) -> list[Stop]:
    """Undo the writer's hard steps for a discrete ramp."""
    kept: list[Stop] = []
    for index, stop in enumerate(stops):
        previous = stops[index - 1] if index else None
        following = stops[index + 1] if index + 1 < len(stops) else None
        is_step_start = (
            previous is not None
            and following is not None
            and stop.position == math.nextafter(previous.position, math.inf)
            and following.color == stop.color
        )
        if not is_step_start:
            kept.append(stop)
    return kept


def loads_gdaldem(text: str, *, mode: Mode | None = None, name: str = "") -> Ramp:
    r"""Read a ramp from gdaldem color-relief text.

    Parameters
    ----------
    text : str
        The color file's contents.
    mode : str, optional
        Interpolation mode; by default the one in a ``# rampkit: mode=``
        comment, else ``linear``.
    name : str, default ""
        Name of the ramp; by default the one in a ``# rampkit: name=`` comment.

    Raises
    ------
    FormatError
        For a malformed line (with its number) or a ramp rampkit cannot hold.

    Examples
    --------
    >>> ramp = loads_gdaldem("100 0 0 250\n0 0 0 0\n50,100,200,0\nnv 0 0 0 0\n")
    >>> ramp.keys(), ramp.colors[1]
    (('0', '50', '100'), (100, 200, 0, 255))
    """
    stops: list[Stop] = []
    kinds: dict[bool, int] = {}
    nodata_color: RGBA | None = None
    file_mode: str | None = None
    file_name = ""
    is_cpt = False

    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            if "COLOR_MODEL" in stripped:
                if "COLOR_MODEL = RGB" not in stripped:
                    raise FormatError(
                        f"line {line_number}: only 'COLOR_MODEL = RGB' .cpt files are supported"
                    )
                is_cpt = True
            if match := _MODE_COMMENT.match(stripped):
                file_mode = match.group(1)
            elif match := _NAME_COMMENT.match(stripped):
                file_name = match.group(1)
            continue
        tokens = [token for token in _SEPARATORS.split(stripped) if token]
        if not tokens or tokens[0].startswith(("#", "/")):
            continue

        if is_cpt:
            if len(tokens) == 8:
                for offset in (0, 4):
                    position, _ = parse_position(tokens[offset], where=f"line {line_number}")
                    color = tuple(_channel(t, line_number, line) for t in tokens[offset + 1 :
                                                                              offset + 4])
                    stops.append(Stop(position, (*color, 255)))  # type: ignore[arg-type]
                    kinds[False] = line_number
            elif len(tokens) == 4 and tokens[0].upper() == "N":
                color = tuple(_channel(t, line_number, line) for t in tokens[1:4])
                nodata_color = (*color, 255)  # type: ignore[assignment]
            continue

        if len(tokens) < 2:
            raise FormatError(
                f"line {line_number}: {stripped!r} has no color; write 'value R G B [A]'"
            )
        key, color = _parse_entry(tokens, line_number, line)
        if key.lower() == "nv":
            nodata_color = color
            continue
        try:
            position, relative = parse_position(key, where=f"line {line_number}")
        except RampError as exc:
            raise FormatError(str(exc)) from None
        kinds.setdefault(relative, line_number)
        if len(kinds) > 1:
            raise FormatError(
                f"line {line_number}: mixes percents (line {kinds[True]}) and values "
                f"(line {kinds[False]}); use percents for every entry or values for every entry"
            )
        stops.append(Stop(position, color))

    chosen_mode = mode or file_mode or "linear"
    if chosen_mode not in MODES:
        raise FormatError(
            f"unknown mode {chosen_mode!r} in '# rampkit: mode=' comment; "
            f"use one of {', '.join(MODES)}"
        )
    relative = next(iter(kinds), False)
    if chosen_mode == "discrete" and not relative:
        stops = _collapse_discrete(sorted(stops, key=lambda s: s.position))
    try:
        return Ramp(
            tuple(stops),
            relative=relative,
            nodata_color=nodata_color if nodata_color is not None else (0, 0, 0, 0),
            mode=chosen_mode,  # type: ignore[arg-type]
            name=name or file_name,
        )
    except RampError as exc:
        raise FormatError(f"gdaldem color file: {exc}") from None


def _line(key: str, color: RGBA) -> str:
    return f"{key} {color[0]} {color[1]} {color[2]} {color[3]}"


def dumps_gdaldem(ramp: Ramp, *, lossy: bool = False) -> str:
    """Write a ramp as gdaldem color-relief text.

    Every line carries the alpha column, so the file keeps transparency when
    gdaldem runs with ``-alpha``. The ``nv`` line is always written; gdaldem
    applies it only to a band with a declared nodata value.

    Parameters
    ----------
    ramp : Ramp
    lossy : bool, default False
        Accept writing a relative discrete ramp, which gdaldem would
        interpolate, as plain stops.

    Raises
    ------
    LossyConversionError
        For a relative discrete ramp when ``lossy`` is False.

    Examples
    --------
    >>> print(dumps_gdaldem(Ramp.from_mapping({"0": [0, 0, 0], "100": [0, 0, 0, 55]})), end="")
    # rampkit: mode=linear
    0 0 0 0 255
    100 0 0 0 55
    nv 0 0 0 0
    """
    lines: list[str] = []
    if ramp.name:
        lines.append(f"# rampkit: name={ramp.name}")
    flags = " ".join(GDALDEM_FLAGS[ramp.mode])
    hint = f" (run gdaldem color-relief with {flags})" if flags else ""
    lines.append(f"# rampkit: mode={ramp.mode}{hint}")

    if ramp.mode == "discrete" and ramp.relative and not lossy:
        raise LossyConversionError(
            "gdaldem has no discrete mode, and a percent discrete ramp cannot be written "
            "as hard steps; resolve it first with ramp.resolve(vmin, vmax), or pass "
            "lossy=True to write plain stops that gdaldem will interpolate"
        )
    if ramp.mode == "discrete" and not ramp.relative:
        previous: float | None = None
        for stop in ramp.stops:
            # A class of zero width (a repeated position) needs no step start.
            if previous is not None and stop.position > previous:
                start = math.nextafter(previous, math.inf)
                lines.append(_line(format_position(start, False), stop.color))
            lines.append(_line(format_position(stop.position, False), stop.color))
            previous = stop.position
    else:
        for key, color in zip(ramp.keys(), ramp.colors, strict=True):
            lines.append(_line(key, color))
    lines.append(_line("nv", ramp.nodata_color))
    return "\n".join(lines) + "\n"


def gdaldem_options(ramp: Ramp) -> list[str]:
    """Return the gdaldem color-relief options that match the ramp's mode."""
    options: list[Any] = ["-alpha", *GDALDEM_FLAGS[ramp.mode]]
    return options
