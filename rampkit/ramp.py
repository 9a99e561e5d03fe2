"""The ramp model: stops, colors, interpolation modes and the no-value color.

A :class:`Ramp` is an ordered tuple of :class:`Stop` objects plus a
``nodata_color``. The rules below hold everywhere in rampkit.

Positions
    Either every stop is *relative* (a percent of the basis range, 0–100,
    written ``"35%"``) or every stop is *absolute* (a value in the data's
    unit). Stops are kept sorted by position with a stable sort, so two stops
    at the same position (a hard step) keep the order they were given in.

Colors
    RGBA tuples of integers in 0–255 (see :mod:`rampkit.color`).

Modes (the first three follow ``gdaldem color-relief``)
    ``linear``
        Each channel, alpha included, is interpolated between the two stops
        around the value and rounded as gdaldem rounds: add 0.45 and truncate.
        Values below the first stop take its color, values above the last
        stop take the last color. At a repeated position, the value itself
        takes the first-listed color of the repeat.
    ``nearest``
        The color of the closest stop; on a tie, the upper one.
    ``exact``
        Only values equal to a stop position are colored; all other values
        become ``(0, 0, 0, 0)``.
    ``discrete``
        Classes as in QGIS's discrete color map: a value takes the color of
        the first stop whose position is greater than or equal to it, so a
        value equal to a breakpoint belongs to the class below it. Values
        above the last stop take the last color. A discrete ramp of k stops
        draws k classes, so one stop is allowed in this mode.

No-value color
    ``nodata_color`` paints NaN, infinities and the declared nodata value;
    fully transparent ``(0, 0, 0, 0)`` by default.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any, Literal, TypeAlias, cast, get_args

import numpy as np

from rampkit._text import short_repr
from rampkit._warnings import warn_at_caller
from rampkit.color import RGBA, parse_color, to_hex
from rampkit.errors import ColorFormatError, PercentScaleWarning, RampError

__all__ = [
    "MODES",
    "NODATA_COLOR",
    "RAMP_SCHEMA",
    "Mode",
    "Ramp",
    "Stop",
    "format_position",
    "parse_position",
]

Mode: TypeAlias = Literal["linear", "nearest", "exact", "discrete"]
MODES: tuple[str, ...] = get_args(Mode)
NODATA_COLOR: RGBA = (0, 0, 0, 0)
RAMP_SCHEMA = "rampkit.ramp/1"



def format_position(position: float, relative: bool) -> str:
    """Format a stop position as the shortest text that reads back exactly.

    Examples
    --------
    >>> format_position(35.0, True)
    '35%'
    >>> format_position(0.1, False)
    '0.1'
    """
    if position == int(position) and abs(position) < 1e15:
        text = str(int(position))
    else:
        text = repr(float(position))
    return f"{text}%" if relative else text


def parse_position(key: object, *, where: str = "") -> tuple[float, bool]:
    """Parse a stop key into ``(position, relative)``.

    Parameters
    ----------
    key : str or real number
        ``"35%"`` for a relative stop, or a number (or numeric string) for an
        absolute one.
    where : str, default ""
        Location of the key, used to start error messages.

    Returns
    -------
    tuple of (float, bool)

    Raises
    ------
    RampError
        If the key is not a number, is not finite, or is a percent outside
        0–100.

    Examples
    --------
    >>> parse_position("35%")
    (35.0, True)
    >>> parse_position("-5000")
    (-5000.0, False)
    """
    prefix = f"{where}: " if where else ""
    if isinstance(key, bool):
        raise RampError(f"{prefix}stop position {key!r} is not a number; use '35%' or 12.5")
    if isinstance(key, Real):
        value = float(key)
        relative = False
    elif isinstance(key, str):
        text = key.strip()
        relative = text.endswith("%")
        number = text[:-1].strip() if relative else text
        try:
            value = float(number)
        except ValueError:
            raise RampError(
                f"{prefix}stop key {key!r} is not a number or a percent; "
                "write a percent such as '35%', a value such as '12.5', or 'nv'"
            ) from None
    else:
        raise RampError(
            f"{prefix}stop position {short_repr(key)} is not a number; "
            "write a percent such as '35%' or a value such as 12.5"
        )
    if not math.isfinite(value):
        raise RampError(f"{prefix}stop position {key!r} is not finite; give a finite number")
    if relative and not 0.0 <= value <= 100.0:
        raise RampError(
            f"{prefix}percent stop {key!r} is outside 0%-100%; percents are positions "
            "between the basis minimum (0%) and maximum (100%)"
        )
    return value, relative


@dataclass(frozen=True, slots=True)
class Stop:
    """One color at one position of a ramp.

    Parameters
    ----------
    position : float
        A percent of the basis range (relative ramps) or a value in the
        data's unit (absolute ramps).
    color : RGBA
        Any color :func:`rampkit.color.parse_color` reads; stored as RGBA.
    """

    position: float
    color: RGBA

    def __post_init__(self) -> None:
        if isinstance(self.position, bool) or not isinstance(self.position, Real):
            raise RampError(f"stop position {short_repr(self.position)} is not a number")
        if not math.isfinite(self.position):
            raise RampError(f"stop position {self.position!r} is not finite")
        object.__setattr__(self, "position", float(self.position))
        object.__setattr__(self, "color", parse_color(self.color))


def _coerce_stop(item: object, index: int) -> Stop:
    if isinstance(item, Stop):
        return item
    if isinstance(item, Mapping):
        try:
            position, color = item["position"], item["color"]
        except KeyError as exc:
            raise RampError(
                f"stops[{index}] is missing {exc.args[0]!r}; give "
                "{'position': ..., 'color': ...}"
            ) from None
    elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
        position, color = item
    else:
        raise RampError(
            f"stops[{index}] is {short_repr(item)}; give a Stop, a (position, color) pair "
            "or a {'position': ..., 'color': ...} mapping"
        )
    if isinstance(position, str):
        position, _ = parse_position(position, where=f"stops[{index}].position")
    try:
        return Stop(position, parse_color(color, where=f"stops[{index}].color"))
    except RampError as exc:
        raise RampError(f"stops[{index}].position: {exc}") from None


_transforming: ContextVar[bool] = ContextVar("rampkit_ramp_transforming", default=False)
# The file a reader is building ramps from, named in warnings about them.
reading_source: ContextVar[str] = ContextVar("rampkit_ramp_source", default="")


def _look_like_fractions(stops: Sequence[Stop]) -> bool:
    """Return True when percent stops span at most 0–1 %, as fractions 0–1 would."""
    positions = {stop.position for stop in stops}
    return len(positions) >= 2 and max(positions) <= 1.0


def _warn_if_fractions(stops: Sequence[Stop]) -> None:
    """Warn when percent stops look like fractions, unless a transformation is running."""
    if _transforming.get() or not _look_like_fractions(stops):
        return
    top = format_position(max(stop.position for stop in stops), relative=True)
    source = reading_source.get()
    warn_at_caller(
        (f"{source}: " if source else "")
        + f"every percent stop lies between 0% and {top}, so values above {top} of the "
        "basis range all take the last color; percents run from 0 to 100, so if the "
        "positions are fractions of the range, multiply them by 100 (0.5 -> 50%)",
        PercentScaleWarning,
    )


@dataclass(frozen=True, slots=True)
class Ramp:
    """An immutable color ramp.

    Parameters
    ----------
    stops : sequence of Stop or (position, color) pairs
        At least two stops (one is enough in ``discrete`` mode). Sorted by
        position on construction, keeping the given order at equal positions.
    relative : bool, default True
        True when positions are percents of the basis range (0–100).
    nodata_color : RGBA, default (0, 0, 0, 0)
        Color of pixels with no value.
    mode : {"linear", "nearest", "exact", "discrete"}, default "linear"
        How values between stops are colored; see the module docstring.
    name : str, default ""
        Short name, lower snake case for presets (``"yield"``).
    description : str, default ""
        One line on what the ramp is for.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"100%": [0, 130, 0], "0%": [200, 0, 0]})
    >>> ramp
    Ramp(linear, 0%=#c80000, 100%=#008200, nv=#00000000)
    >>> ramp.reversed().stops[0].color
    (0, 130, 0, 255)
    """

    stops: tuple[Stop, ...]
    relative: bool = True
    nodata_color: RGBA = NODATA_COLOR
    mode: Mode = "linear"
    name: str = ""
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.stops, (str, bytes)) or not isinstance(self.stops, Iterable):
            raise RampError(f"stops must be a sequence of stops, got {short_repr(self.stops)}")
        stops = [_coerce_stop(item, index) for index, item in enumerate(self.stops)]

        if self.mode not in MODES:
            raise RampError(
                f"unknown interpolation mode {self.mode!r}; use one of {', '.join(MODES)}"
            )
        minimum = 1 if self.mode == "discrete" else 2
        if len(stops) < minimum:
            raise RampError(
                f"a {self.mode} ramp needs at least {minimum} stops, got {len(stops)}; "
                "add a stop for each end of the range"
            )
        if self.relative:
            for index, stop in enumerate(stops):
                if not 0.0 <= stop.position <= 100.0:
                    raise RampError(
                        f"stops[{index}]: percent position {stop.position!r} is outside "
                        "0-100; use relative=False for absolute values"
                    )

        # A stable sort keeps the given order of stops at one position, which
        # is what makes a repeated position a hard step.
        stops.sort(key=lambda stop: stop.position)
        object.__setattr__(self, "stops", tuple(stops))
        object.__setattr__(self, "relative", bool(self.relative))
        try:
            nodata_color = parse_color(self.nodata_color, where="nodata_color")
        except ColorFormatError as exc:
            raise RampError(str(exc)) from None
        object.__setattr__(self, "nodata_color", nodata_color)
        # Last, so that a ramp which fails to build gives its error alone.
        if self.relative:
            _warn_if_fractions(self.stops)

    # -- construction -----------------------------------------------------

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, Any] | Iterable[tuple[str, Any]],
        *,
        mode: Mode = "linear",
        name: str = "",
        description: str = "",
    ) -> Ramp:
        """Build a ramp from ``{"0%": color, ..., "nv": color}`` pairs.

        This is the shape of the images API's ``colorRamp``. Keys are
        percents or values, one kind per ramp, and ``"nv"`` is the no-value
        color. Pairs may be given as an iterable to keep repeated keys.

        Raises
        ------
        RampError
            If a key is malformed, percents and values are mixed, a key repeats
            or a color is invalid.
        """
        items = list(mapping.items()) if isinstance(mapping, Mapping) else list(mapping)
        nodata_color = NODATA_COLOR
        stops: list[Stop] = []
        kinds: dict[bool, str] = {}
        seen: set[str] = set()
        for key, value in items:
            text = str(key).strip()
            if text in seen:
                raise RampError(
                    f"key {text!r} appears twice; a ramp object cannot repeat a key, so "
                    "write hard steps as two nearby positions or use a gdaldem text file"
                )
            seen.add(text)
            if text.lower() == "nv":
                try:
                    nodata_color = parse_color(value, where="nv")
                except ColorFormatError as exc:
                    raise RampError(str(exc)) from None
                continue
            position, relative = parse_position(key, where=f"key {text!r}")
            kinds.setdefault(relative, text)
            if len(kinds) > 1:
                raise RampError(
                    f"ramp mixes percent key {kinds[True]!r} with value key {kinds[False]!r}; "
                    "use percents for every stop or values for every stop"
                )
            try:
                color = parse_color(value, where=f"key {text!r}")
            except ColorFormatError as exc:
                raise RampError(str(exc)) from None
            stops.append(Stop(position, color))
        relative = next(iter(kinds), True)
        return cls(
            tuple(stops),
            relative=relative,
            nodata_color=nodata_color,
            mode=mode,
            name=name,
            description=description,
        )

    # -- views -------------------------------------------------------------

    @property
    def positions(self) -> tuple[float, ...]:
        """Stop positions in ascending order."""
        return tuple(stop.position for stop in self.stops)

    @property
    def colors(self) -> tuple[RGBA, ...]:
        """Stop colors in the order of :attr:`positions`."""
        return tuple(stop.color for stop in self.stops)

    def keys(self) -> tuple[str, ...]:
        """Return each stop position as text: ``"35%"`` or ``"12.5"``."""
        return tuple(format_position(p, self.relative) for p in self.positions)

    # -- transformations (each returns a new ramp) ------------------------

    def _with(self, **changes: Any) -> Ramp:
        # A ramp whose stops already look like fractions was warned about when
        # it was built, so its transformations stay quiet. A transformation
        # that makes the stops look like fractions warns.
        if not (self.relative and _look_like_fractions(self.stops)):
            return replace(self, **changes)
        token = _transforming.set(True)
        try:
            return replace(self, **changes)
        finally:
            _transforming.reset(token)

    def reversed(self) -> Ramp:
        """Return the ramp with its colors in reverse order over the same positions."""
        colors = list(reversed(self.colors))
        pairs = zip(self.positions, colors, strict=True)
        return self._with(stops=tuple(Stop(position, color) for position, color in pairs))

    def with_stops(self, stops: Iterable[Stop | tuple[float, Any]]) -> Ramp:
        """Return a copy with other stops."""
        return self._with(stops=tuple(stops))

    def with_stop(
        self, index: int, *, position: float | None = None, color: Any = None
    ) -> Ramp:
        """Return a copy with stop ``index`` moved, recolored or both."""
        old = self._stop_at(index)
        new = Stop(
            old.position if position is None else position,
            old.color if color is None else parse_color(color),
        )
        stops = list(self.stops)
        stops[index] = new
        return self._with(stops=tuple(stops))

    def add_stop(self, position: float, color: Any) -> Ramp:
        """Return a copy with one more stop (after existing stops at that position)."""
        return self._with(stops=(*self.stops, Stop(position, parse_color(color))))

    def remove_stop(self, index: int) -> Ramp:
        """Return a copy without stop ``index``."""
        self._stop_at(index)
        stops = list(self.stops)
        del stops[index]
        return self._with(stops=tuple(stops))

    def move_stop(self, index: int, position: float) -> Ramp:
        """Return a copy with stop ``index`` at a new position."""
        return self.with_stop(index, position=position)

    def with_nodata_color(self, color: Any) -> Ramp:
        """Return a copy with another no-value color."""
        return self._with(nodata_color=parse_color(color, where="nodata_color"))

    def with_mode(self, mode: Mode) -> Ramp:
        """Return a copy with another interpolation mode."""
        return self._with(mode=mode)

    def with_name(self, name: str, description: str | None = None) -> Ramp:
        """Return a copy with another name (and description)."""
        return self._with(
            name=name, description=self.description if description is None else description
        )

    def resolve(self, vmin: float, vmax: float) -> Ramp:
        """Return the absolute ramp for a basis range; absolute ramps return themselves.

        A percent p becomes ``vmin + (p / 100) * (vmax - vmin)``, the formula
        gdaldem uses, so both resolve a ramp to the same values.

        Examples
        --------
        >>> Ramp.from_mapping({"0%": "black", "50%": "red"}).resolve(10, 30).positions
        (10.0, 20.0)
        """
        if not self.relative:
            return self
        if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmax < vmin:
            raise RampError(
                f"basis ({vmin!r}, {vmax!r}) is not a finite ascending range; "
                "give vmin <= vmax"
            )
        stops = tuple(
            Stop(vmin + (stop.position / 100.0) * (vmax - vmin), stop.color)
            for stop in self.stops
        )
        return self._with(stops=stops, relative=False)

    def sample(self, k: int) -> list[RGBA]:
        """Return a palette of ``k`` colors evenly spaced over the ramp.

        Colors come from linear interpolation between the first and last stop
        positions, whatever the ramp's mode, so a palette follows the ramp's
        look. The first and last colors are the end stops' colors.

        Examples
        --------
        >>> Ramp.from_mapping({"0%": [0, 0, 0], "100%": [200, 100, 50]}).sample(3)
        [(0, 0, 0, 255), (100, 50, 25, 255), (200, 100, 50, 255)]
        """
        if k < 1:
            raise RampError(f"cannot sample {k} colors; k must be at least 1")
        # colorize imports this module, so import it here.
        from rampkit.colorize import evaluate

        first, last = self.positions[0], self.positions[-1]
        if k == 1:
            values = [first]
        else:
            values = [first + (last - first) * i / (k - 1) for i in range(k)]
        linear = self.with_mode("linear")
        if linear.relative:
            linear = replace(linear, relative=False)
        rgba = evaluate(np.asarray(values, dtype=np.float64), linear)
        return [cast(RGBA, tuple(int(c) for c in row)) for row in rgba]

    def _stop_at(self, index: int) -> Stop:
        try:
            return self.stops[index]
        except IndexError:
            raise RampError(
                f"stop index {index} is out of range; this ramp has {len(self.stops)} stops "
                f"(0 to {len(self.stops) - 1})"
            ) from None

    # -- serialization ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the ramp as a ``rampkit.ramp/1`` JSON-ready dict.

        Colors are hex strings so that files stay editable by hand; percents
        are written as ``"35%"`` strings and values as numbers.
        """
        stops: list[dict[str, Any]] = []
        for stop in self.stops:
            position: Any = format_position(stop.position, True) if self.relative else (
                stop.position
            )
            stops.append({"position": position, "color": to_hex(stop.color)})
        document: dict[str, Any] = {"schema": RAMP_SCHEMA}
        if self.name:
            document["name"] = self.name
        if self.description:
            document["description"] = self.description
        document["mode"] = self.mode
        document["stops"] = stops
        document["nodata_color"] = to_hex(self.nodata_color, alpha=True)
        return document

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Ramp:
        """Build a ramp from a ``rampkit.ramp/1`` dict (see :meth:`to_dict`).

        Raises
        ------
        RampError
            With the JSON path of the first bad entry (``stops[3].color``).
        """
        if not isinstance(document, Mapping):
            raise RampError(f"a ramp document must be a JSON object, got {short_repr(document)}")
        schema = document.get("schema", RAMP_SCHEMA)
        if schema != RAMP_SCHEMA:
            raise RampError(
                f"schema {schema!r} is not supported; this rampkit reads {RAMP_SCHEMA!r}"
            )
        raw_stops = document.get("stops")
        if not isinstance(raw_stops, list):
            raise RampError(
                "ramp document has no 'stops' list; add "
                "\"stops\": [{\"position\": \"0%\", \"color\": \"#c80000\"}, ...]"
            )
        stops: list[Stop] = []
        kinds: set[bool] = set()
        for index, item in enumerate(raw_stops):
            if not isinstance(item, Mapping) or "position" not in item or "color" not in item:
                raise RampError(
                    f"stops[{index}] is {short_repr(item)}; give "
                    "{\"position\": ..., \"color\": ...}"
                )
            position, relative = parse_position(
                item["position"], where=f"stops[{index}].position"
            )
            kinds.add(relative)
            if len(kinds) > 1:
                raise RampError(
                    f"stops[{index}].position {item['position']!r} mixes percents and "
                    "values; use one kind for every stop"
                )
            try:
                color = parse_color(item["color"], where=f"stops[{index}].color")
            except ColorFormatError as exc:
                raise RampError(str(exc)) from None
            stops.append(Stop(position, color))
        mode = document.get("mode", "linear")
        return cls(
            tuple(stops),
            relative=next(iter(kinds), True),
            nodata_color=document.get("nodata_color", NODATA_COLOR),
            mode=mode,
            name=str(document.get("name", "")),
            description=str(document.get("description", "")),
        )

    def __repr__(self) -> str:
        pairs = zip(self.keys(), self.colors, strict=True)
        parts = [f"{key}={to_hex(color)}" for key, color in pairs]
        if len(parts) > 8:
            parts = [*parts[:3], f"... {len(parts) - 6} more ...", *parts[-3:]]
        head = [repr(self.name)] if self.name else []
        inner = ", ".join([*head, self.mode, *parts, f"nv={to_hex(self.nodata_color)}"])
        return f"Ramp({inner})"
