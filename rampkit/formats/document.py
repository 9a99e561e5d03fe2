"""The rampkit ramp document: a ramp plus what it was tuned for.

A document is a ``rampkit.ramp/1`` JSON object. Its ramp part is what
:meth:`rampkit.ramp.Ramp.to_dict` writes (``name``, ``description``,
``mode``, ``stops``, ``nodata_color``). The document adds the property and
unit the ramp was tuned for, how percents were resolved (the basis), the
classification that placed the stops, a label format, per-stop labels and
free notes. Keys are written in one fixed order and colors as hex strings,
so a saved document diffs line by line::

    {
      "schema": "rampkit.ramp/1",
      "name": "yield",
      "property": "dryVolumePerArea",
      "unit": "bu/ac",
      "mode": "linear",
      "stops": [{"position": "0%", "color": "#d73027", "label": "low"}, ...],
      "nodata_color": "#00000000",
      "basis": {"kind": "trimmed", "vmin": 112.5, "vmax": 231.0, "lower": 2, "upper": 98},
      "classification": {"scheme": "quantile", "k": 7, "edges": [...]},
      "label_format": "{value:.0f} {unit}",
      "notes": "..."
    }

Every key except ``stops`` is optional when reading. A ramp file without
the document keys (the presets in ``rampkit/ramps/``) is a valid document.

This module also holds the helpers the format writers share: turning a
ramp or document into a document, resolving percents for formats that take
values only, and collecting what a format would lose.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rampkit._text import short_repr
from rampkit.color import to_hex
from rampkit.colorize import Basis
from rampkit.errors import FormatError, LossyConversionError, RampError
from rampkit.ramp import NODATA_COLOR, RAMP_SCHEMA, Ramp, format_position

__all__ = [
    "ClassificationSpec",
    "RampDocument",
    "as_document",
    "dumps_document",
    "loads_document",
]

# The order keys are written in; unknown keys never reach the output.
_KEY_ORDER = (
    "schema",
    "name",
    "description",
    "property",
    "unit",
    "mode",
    "stops",
    "nodata_color",
    "basis",
    "classification",
    "label_format",
    "notes",
)



@dataclass(frozen=True, slots=True)
class ClassificationSpec:
    """The classification that placed a ramp's stops.

    Parameters
    ----------
    scheme : str
        ``"quantile"``, ``"equal_interval"``, ``"natural_breaks"``,
        ``"manual"`` or another scheme name.
    k : int
        Number of classes, at least 1.
    edges : sequence of float
        ``k + 1`` ascending class edges; classes are right-closed.
    """

    scheme: str
    k: int
    edges: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise RampError(f"classification k {self.k!r} is not a positive integer; give k >= 1")
        edges = tuple(float(edge) for edge in self.edges)
        if edges and len(edges) != self.k + 1:
            raise RampError(
                f"classification edges {short_repr(list(edges))} have {len(edges)} values for "
                f"k={self.k}; give k + 1 = {self.k + 1} edges"
            )
        for index in range(1, len(edges)):
            if not edges[index - 1] <= edges[index]:
                raise RampError(
                    f"classification edges {short_repr(list(edges))} are not ascending at index "
                    f"{index}; sort them"
                )
        object.__setattr__(self, "edges", edges)

    def to_dict(self) -> dict[str, Any]:
        """Return the classification as a JSON-ready dict."""
        return {"scheme": self.scheme, "k": self.k, "edges": list(self.edges)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClassificationSpec:
        """Build a classification from :meth:`to_dict` output."""
        if not isinstance(data, Mapping) or "scheme" not in data or "k" not in data:
            raise RampError(
                f"classification {short_repr(data)} is not an object with 'scheme', 'k' and "
                '\'edges\'; write {"scheme": "quantile", "k": 7, "edges": [...]}'
            )
        return cls(str(data["scheme"]), data["k"], tuple(data.get("edges", ())))


@dataclass(frozen=True, slots=True)
class RampDocument:
    """A ramp with the settings it was tuned with.

    Parameters
    ----------
    ramp : Ramp
        Name, stops, ``nodata_color`` and mode.
    property : str, default ""
        The property the ramp colors, in the API's names (``dryVolumePerArea``).
    unit : str, default ""
        The property's unit (``bu/ac``).
    basis : Basis or None, default None
        How percents were resolved, with the resolved ``vmin`` and ``vmax``.
    classification : ClassificationSpec or None, default None
        The scheme, ``k`` and edges when the stops come from a classification.
    label_format : str, default ""
        A :meth:`str.format` pattern for legend labels; it may use
        ``{value}``, ``{lower}``, ``{upper}``, ``{key}`` and ``{unit}``.
    labels : tuple of str, default ()
        One label per stop, or empty. Explicit labels win over ``label_format``.
    notes : str, default ""
        Free text.

    Examples
    --------
    >>> from rampkit.presets import get_ramp
    >>> doc = RampDocument(get_ramp("yield"), property="dryVolumePerArea", unit="bu/ac")
    >>> RampDocument.from_dict(doc.to_dict()) == doc
    True
    """

    ramp: Ramp
    property: str = ""
    unit: str = ""
    basis: Basis | None = None
    classification: ClassificationSpec | None = None
    label_format: str = ""
    labels: tuple[str, ...] = field(default=())
    notes: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.ramp, Ramp):
            raise RampError(f"RampDocument.ramp must be a Ramp, got {short_repr(self.ramp)}")
        labels = tuple(str(label) for label in self.labels)
        if labels and len(labels) != len(self.ramp.stops):
            raise RampError(
                f"{len(labels)} labels for {len(self.ramp.stops)} stops; give one label per "
                "stop, or none"
            )
        object.__setattr__(self, "labels", labels)

    def with_ramp(self, ramp: Ramp) -> RampDocument:
        """Return a copy with another ramp; labels are dropped if the stop count changes."""
        labels = self.labels if len(ramp.stops) == len(self.ramp.stops) else ()
        return replace(self, ramp=ramp, labels=labels)

    def stop_labels(self) -> list[str]:
        """Return one legend label per stop.

        Explicit :attr:`labels` come first. Otherwise :attr:`label_format`
        is filled in with ``value`` (the stop position), ``lower`` and
        ``upper`` (the class bounds of a discrete stop), ``key`` (``"35%"``
        or ``"12.5"``) and ``unit``. ``lower`` is the previous stop, or
        ``-inf`` for the first. Without either, the key is the label.

        Raises
        ------
        FormatError
            If ``label_format`` names another field or is malformed.
        """
        if self.labels:
            return list(self.labels)
        keys = self.ramp.keys()
        if not self.label_format:
            return list(keys)
        labels: list[str] = []
        positions = self.ramp.positions
        for index, (key, value) in enumerate(zip(keys, positions, strict=True)):
            lower = positions[index - 1] if index else -math.inf
            try:
                labels.append(
                    self.label_format.format(
                        value=value, lower=lower, upper=value, key=key, unit=self.unit
                    )
                )
            except (KeyError, IndexError, ValueError) as exc:
                raise FormatError(
                    f"label_format {self.label_format!r} cannot be filled in ({exc}); use the "
                    "fields {value}, {lower}, {upper}, {key} and {unit}, as in '{value:.1f}'"
                ) from None
        return labels

    def to_dict(self) -> dict[str, Any]:
        """Return the document as a JSON-ready dict in its fixed key order."""
        data = self.ramp.to_dict()
        if self.labels:
            for stop, label in zip(data["stops"], self.labels, strict=True):
                stop["label"] = label
        if self.property:
            data["property"] = self.property
        if self.unit:
            data["unit"] = self.unit
        if self.basis is not None:
            data["basis"] = self.basis.to_dict()
        if self.classification is not None:
            data["classification"] = self.classification.to_dict()
        if self.label_format:
            data["label_format"] = self.label_format
        if self.notes:
            data["notes"] = self.notes
        return {key: data[key] for key in _KEY_ORDER if key in data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RampDocument:
        """Build a document from a ``rampkit.ramp/1`` dict.

        Raises
        ------
        RampError
            With the JSON path of the first bad entry.
        """
        ramp = Ramp.from_dict(data)
        labels: tuple[str, ...] = ()
        raw_stops = data["stops"]
        if any(isinstance(stop, Mapping) and "label" in stop for stop in raw_stops):
            labels = tuple(str(stop.get("label", "")) for stop in raw_stops)
            # Ramp sorts its stops, so sort the labels the same way.
            labels = _sorted_like(raw_stops, labels)
        basis = None
        if data.get("basis") is not None:
            raw = data["basis"]
            if not isinstance(raw, Mapping):
                raise RampError(
                    f"basis {short_repr(raw)} is not an object; write "
                    '{"kind": "fixed", "vmin": 0, "vmax": 250}'
                )
            try:
                basis = Basis(**raw)
            except TypeError:
                raise RampError(
                    f"basis {short_repr(dict(raw))} has unknown keys; use kind, vmin, vmax, "
                    "lower and upper"
                ) from None
        classification = None
        if data.get("classification") is not None:
            classification = ClassificationSpec.from_dict(data["classification"])
        return cls(
            ramp,
            property=str(data.get("property", "")),
            unit=str(data.get("unit", "")),
            basis=basis,
            classification=classification,
            label_format=str(data.get("label_format", "")),
            labels=labels,
            notes=str(data.get("notes", "")),
        )


def _sorted_like(
    raw_stops: Sequence[Mapping[str, Any]], labels: tuple[str, ...]
) -> tuple[str, ...]:
    from rampkit.ramp import parse_position

    positions = [parse_position(stop["position"])[0] for stop in raw_stops]
    order = sorted(range(len(positions)), key=lambda index: positions[index])
    return tuple(labels[index] for index in order)


def as_document(ramp: Ramp | RampDocument) -> RampDocument:
    """Return ``ramp`` as a document; a document is returned unchanged."""
    if isinstance(ramp, RampDocument):
        return ramp
    if isinstance(ramp, Ramp):
        return RampDocument(ramp)
    raise RampError(f"expected a Ramp or RampDocument, got {short_repr(ramp)}")


def dumps_document(ramp: Ramp | RampDocument) -> str:
    """Write a ramp or document as indented ``rampkit.ramp/1`` JSON text.

    Examples
    --------
    >>> from rampkit.ramp import Ramp
    >>> print(dumps_document(Ramp.from_mapping({"0%": "red", "100%": "blue"})), end="")
    {
      "schema": "rampkit.ramp/1",
      "mode": "linear",
      "stops": [
        {
          "position": "0%",
          "color": "#ff0000"
        },
        {
          "position": "100%",
          "color": "#0000ff"
        }
      ],
      "nodata_color": "#00000000"
    }
    """
    return json.dumps(as_document(ramp).to_dict(), indent=2, ensure_ascii=False) + "\n"


def loads_document(text: str | bytes) -> RampDocument:
    """Read a ``rampkit.ramp/1`` document from JSON text.

    Raises
    ------
    FormatError
        If the text is not JSON or the document is invalid.
    """
    from rampkit.formats.api import loads_json_strict

    data = loads_json_strict(text)
    if not isinstance(data, Mapping):
        raise FormatError(f"a ramp document is a JSON object, got {type(data).__name__}")
    schema = data.get("schema", RAMP_SCHEMA)
    if schema != RAMP_SCHEMA:
        raise FormatError(
            f"schema {schema!r} is not supported; this rampkit reads {RAMP_SCHEMA!r}"
        )
    try:
        return RampDocument.from_dict(data)
    except RampError as exc:
        raise FormatError(f"ramp document: {exc}") from None


# -- helpers shared by the format writers ------------------------------------


def coerce_basis(basis: Basis | Sequence[float] | None) -> Basis | None:
    """Return ``basis`` as a :class:`Basis`; a ``(vmin, vmax)`` pair becomes a fixed one."""
    if basis is None or isinstance(basis, Basis):
        return basis
    try:
        vmin, vmax = basis
    except (TypeError, ValueError):
        raise RampError(
            f"basis {short_repr(basis)} is not a Basis or a (vmin, vmax) pair; "
            "give basis=(0, 250) or Basis.fixed(0, 250)"
        ) from None
    return Basis.fixed(vmin, vmax)


def check_basis_width(basis: Basis | None) -> None:
    """Raise :class:`FormatError` for a resolved basis with ``vmin == vmax``.

    Resolving percents against such a basis puts every stop at one value,
    which an exported ramp cannot color by.
    """
    if basis is None or not basis.resolved or basis.vmin != basis.vmax:
        return
    value = format_number(float(basis.vmin))  # type: ignore[arg-type]
    raise FormatError(
        f"basis {value},{value} has zero width, so every percent stop would sit at {value}; "
        "pass basis=(vmin, vmax) with vmin below vmax (--basis MIN MAX on the command "
        "line), such as the data range of the property"
    )


class Losses:
    """The parts of a ramp a writer cannot store, checked once at the end.

    Parameters
    ----------
    format_name : str
        The format being written, named in the error message.
    ramp : Ramp
        The ramp being written, named in the error message.
    """

    def __init__(self, format_name: str, ramp: Ramp) -> None:
        self.format_name = format_name
        self.ramp = ramp
        self.items: list[str] = []

    def add(self, description: str) -> None:
        """Record one thing the format cannot hold."""
        if description not in self.items:
            self.items.append(description)

    def alpha(self, *, nodata: bool = True) -> None:
        """Record stop colors (and, when ``nodata``, the nv color) with alpha below 255."""
        keys = [
            key
            for key, color in zip(self.ramp.keys(), self.ramp.colors, strict=True)
            if color[3] != 255
        ]
        if keys:
            self.add(f"alpha of the stops at {', '.join(keys)}")
        if nodata and self.ramp.nodata_color[3] not in (0, 255):
            self.add(f"alpha {self.ramp.nodata_color[3]} of the nv color")

    def nodata_color(self, reason: str) -> None:
        """Record the nv color, for formats that always draw no-value pixels transparent."""
        color = self.ramp.nodata_color
        if color != NODATA_COLOR:
            self.add(f"the nv color {to_hex(color, alpha=True)} ({reason})")

    def mode(self, supported: Sequence[str]) -> None:
        """Record the ramp's mode when the format lacks it."""
        if self.ramp.mode not in supported:
            self.add(f"mode {self.ramp.mode!r} (the format has {', '.join(map(repr, supported))})")

    def check(self, lossy: bool) -> None:
        """Raise :class:`LossyConversionError` listing every loss, unless ``lossy``."""
        if not self.items or lossy:
            return
        name = f"ramp {self.ramp.name!r}" if self.ramp.name else "the ramp"
        raise LossyConversionError(
            f"writing {name} as {self.format_name} would lose {'; '.join(self.items)}; "
            "pass lossy=True (--lossy on the command line) to accept the loss"
        )


def absolute_ramp(
    document: RampDocument, basis: Basis | Sequence[float] | None, losses: Losses
) -> Ramp:
    """Return the document's ramp with percents resolved, for formats that take values only.

    The basis is ``basis`` when given, else the document's resolved basis.
    Without either, the percents are recorded as a loss and kept as plain
    numbers 0-100.
    """
    ramp = document.ramp
    if not ramp.relative:
        return ramp
    chosen = coerce_basis(basis) or document.basis
    check_basis_width(chosen)
    if chosen is not None and chosen.resolved:
        return ramp.resolve(float(chosen.vmin), float(chosen.vmax))  # type: ignore[arg-type]
    losses.add(
        "the percent stops, because the format takes values only and no basis was given "
        "(pass basis=(vmin, vmax), or --basis MIN MAX)"
    )
    return replace(ramp, relative=False)


def format_number(value: float) -> str:
    """Format a number as the shortest text that reads back exactly."""
    return format_position(value, False)
