"""QGIS raster styles: the color map export file and QML.

Both describe a ``QgsColorRampShader``: items of value, color, alpha and
label, plus an interpolation type. The types map onto rampkit modes:

=================  ============
QGIS               rampkit
=================  ============
``INTERPOLATED``   ``linear``
``DISCRETE``       ``discrete``
``EXACT``          ``exact``
=================  ============

QGIS has no ``nearest`` type, and its items are values, so a percent ramp
needs a basis to be written.

Color map export file (what "Export Color Map to File" writes)::

    # QGIS Generated Color Map Export File
    INTERPOLATION:DISCRETE
    10,200,0,0,255,<= 10
    inf,0,0,200,255,> 20

Columns are value, red, green, blue, alpha and label.

The discrete upper end
    In a ``DISCRETE`` shader a value takes the first item whose value is at
    or above it, and a value above the last item is not drawn (checked with
    QGIS 3.22), while rampkit gives it the last color. QGIS styles mark the
    open top class with the value ``inf``. The reader puts an ``inf`` item at
    the previous item's position, where, as a repeated stop, it colors
    exactly the values above that position, and drops it when it only
    repeats the previous color. The writer writes a last stop that repeats
    the previous position with another color as ``inf``, and otherwise adds
    an ``inf`` item of the last color, so both tools color every value alike.

QML (a layer style file) contains the same items in a ``singlebandpseudocolor``
renderer, plus the no-value color in the renderer's ``nodataColor``
attribute (QGIS 3.22 and later).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from rampkit.color import RGBA, parse_color, to_hex
from rampkit.colorize import Basis
from rampkit.errors import ColorFormatError, FormatError, RampError
from rampkit.formats.document import (
    Losses,
    RampDocument,
    absolute_ramp,
    as_document,
    format_number,
)
from rampkit.ramp import NODATA_COLOR, Mode, Ramp, Stop

__all__ = ["dumps_qgis_colormap", "dumps_qml", "loads_qgis_colormap", "loads_qml"]

QGIS_TYPES: dict[str, Mode] = {
    "INTERPOLATED": "linear",
    "DISCRETE": "discrete",
    "EXACT": "exact",
}
_TYPE_OF_MODE = {mode: name for name, mode in QGIS_TYPES.items()}
_HEADER = "# QGIS Generated Color Map Export File"
# The QGIS version whose output the QML writer follows (Debian 12's qgis).
_QML_VERSION = "3.22.16-Białowieża"


def _item_value(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FormatError(
            f"{where}: value {text!r} is not a number; write a value such as 12.5"
        ) from None
    if math.isnan(value) or value == -math.inf:
        raise FormatError(f"{where}: value {text!r} cannot place a color; give a finite value")
    return value


def _build(
    items: Sequence[tuple[float, RGBA, str]],
    mode: Mode,
    nodata_color: RGBA,
    name: str,
    where: str,
) -> RampDocument:
    """Turn shader items into a document, placing ``inf`` items as described above."""
    stops: list[Stop] = []
    labels: list[str] = []
    ordered = sorted(items, key=lambda item: item[0])
    for index, (value, color, label) in enumerate(ordered):
        if value == math.inf:
            if mode != "discrete":
                raise FormatError(
                    f"{where}: an 'inf' item only has a meaning in a DISCRETE shader; give "
                    "a finite value for the last item"
                )
            if index == 0:
                raise FormatError(
                    f"{where}: the only item has the value 'inf'; add an item with a "
                    "finite value below it"
                )
            if index != len(ordered) - 1:
                raise FormatError(f"{where}: more than one item has the value 'inf'; keep one")
            if color == stops[-1].color:
                continue
            value = stops[-1].position
        stops.append(Stop(value, color))
        labels.append(label)
    try:
        ramp = Ramp(tuple(stops), relative=False, nodata_color=nodata_color, mode=mode, name=name)
    except RampError as exc:
        raise FormatError(f"{where}: {exc}") from None
    # Labels that only repeat the values carry nothing, so they are dropped.
    keep_labels = tuple(labels) if any(labels) and tuple(labels) != ramp.keys() else ()
    return RampDocument(ramp, labels=keep_labels)


def _class_labels(ramp: Ramp) -> list[str]:
    """Label each class of a discrete ramp by the values it colors.

    A stop closes the class above the previous stop (``10 - 20``), the first
    class is ``<= 10``, and a last stop that repeats the previous position is
    the open top class (``> 20``).
    """
    keys = [format_number(position) for position in ramp.positions]
    labels = []
    for index, key in enumerate(keys):
        if index == 0:
            labels.append(f"<= {key}")
        elif keys[index - 1] == key and index == len(keys) - 1:
            labels.append(f"> {key}")
        else:
            labels.append(f"{keys[index - 1]} - {key}")
    return labels


def _items_for_writing(
    document: RampDocument, basis: Basis | Sequence[float] | None, losses: Losses
) -> tuple[Ramp, list[tuple[str, RGBA, str]]]:
    ramp = absolute_ramp(document, basis, losses)
    losses.mode(tuple(_TYPE_OF_MODE))
    if ramp.mode == "discrete" and not document.labels and not document.label_format:
        labels = _class_labels(ramp)
    else:
        labels = document.with_ramp(ramp).stop_labels()
    items = [
        (format_number(stop.position), stop.color, label)
        for stop, label in zip(ramp.stops, labels, strict=True)
    ]
    if ramp.mode == "discrete":
        last = ramp.stops[-1]
        previous = ramp.stops[-2] if len(ramp.stops) > 1 else None
        # A repeat of the previous color would be dropped on reading, so only
        # a new color becomes the 'inf' item itself.
        if (
            previous is not None
            and previous.position == last.position
            and previous.color != last.color
        ):
            items[-1] = ("inf", last.color, items[-1][2])
        else:
            items.append(("inf", last.color, f"> {format_number(last.position)}"))
    return ramp, items


# -- color map export file ----------------------------------------------------


def loads_qgis_colormap(text: str, *, name: str = "") -> RampDocument:
    r"""Read a QGIS color map export file.

    Parameters
    ----------
    text : str
        The file's contents.
    name : str, default ""
        Name of the ramp.

    Returns
    -------
    RampDocument
        An absolute ramp, with the labels of the file.

    Raises
    ------
    FormatError
        For a malformed line (with its number) or an unknown interpolation.

    Examples
    --------
    >>> doc = loads_qgis_colormap("INTERPOLATION:EXACT\n1,255,0,0,255,one\n2,0,0,255,255,two\n")
    >>> doc.ramp.mode, doc.ramp.positions, doc.labels
    ('exact', (1.0, 2.0), ('one', 'two'))
    """
    mode: Mode = "linear"
    items: list[tuple[float, RGBA, str]] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.upper().startswith("INTERPOLATION"):
            kind = stripped.partition(":")[2].strip().upper()
            if kind not in QGIS_TYPES:
                raise FormatError(
                    f"line {line_number}: unknown interpolation {kind!r}; QGIS writes "
                    f"{', '.join(QGIS_TYPES)}"
                )
            mode = QGIS_TYPES[kind]
            continue
        fields = stripped.split(",", 5)
        if len(fields) < 4:
            raise FormatError(
                f"line {line_number}: {stripped!r} has {len(fields)} fields; write "
                "'value,red,green,blue,alpha,label'"
            )
        where = f"line {line_number}"
        value = _item_value(fields[0].strip(), where)
        try:
            color = parse_color([_channel(field, where) for field in fields[1:5]], where=where)
        except ColorFormatError as exc:
            raise FormatError(str(exc)) from None
        label = fields[5] if len(fields) > 5 else ""
        items.append((value, color, label))
    if not items:
        raise FormatError(
            "the QGIS color map file has no items; write one "
            "'value,red,green,blue,alpha,label' line per color"
        )
    return _build(items, mode, NODATA_COLOR, name, "QGIS color map file")


def _channel(text: str, where: str) -> int:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        raise FormatError(f"{where}: color component {text.strip()!r} is not an integer in 0-255")
    return int(value)


def dumps_qgis_colormap(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
) -> str:
    """Write a QGIS color map export file.

    Parameters
    ----------
    ramp : Ramp or RampDocument
        Labels come from the document (see :meth:`RampDocument.stop_labels`).
        A discrete ramp without labels or ``label_format`` gets class labels
        (``<= 10``, ``10 - 20``, ``> 20``).
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp; by default the document's basis.
    lossy : bool, default False
        Accept losing what the file cannot hold: the ``nearest`` mode, a
        visible nv color, percents without a basis.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"0": [0, 0, 0], "10": [255, 0, 0, 128]})
    >>> print(dumps_qgis_colormap(ramp), end="")
    # QGIS Generated Color Map Export File
    INTERPOLATION:INTERPOLATED
    0,0,0,0,255,0
    10,255,0,0,128,10
    """
    document = as_document(ramp)
    losses = Losses("a QGIS color map file", document.ramp)
    resolved, items = _items_for_writing(document, basis, losses)
    losses.nodata_color(
        "QGIS draws no-value pixels transparent unless the layer style sets a color"
    )
    losses.check(lossy)

    kind = _TYPE_OF_MODE.get(resolved.mode, "INTERPOLATED")
    lines = [_HEADER, f"INTERPOLATION:{kind}"]
    for value, color, label in items:
        lines.append(f"{value},{color[0]},{color[1]},{color[2]},{color[3]},{_one_line(label)}")
    return "\n".join(lines) + "\n"


def _one_line(label: str) -> str:
    return re.sub(r"[\r\n]+", " ", label)


# -- QML ------------------------------------------------------------------------


def _qml_color(element: ET.Element, where: str) -> RGBA:
    try:
        red, green, blue, _ = parse_color(element.get("color", ""), where=where)
    except ColorFormatError as exc:
        raise FormatError(str(exc)) from None
    alpha = _channel(element.get("alpha", "255"), where)
    return parse_color((red, green, blue, alpha), where=where)


def loads_qml(text: str | bytes, *, name: str = "") -> RampDocument:
    """Read the color ramp of a QGIS singleband pseudocolor QML style.

    Raises
    ------
    FormatError
        If the XML is malformed or has no pseudocolor renderer.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise FormatError(f"QML is not well-formed XML: {exc}") from None
    renderer = root.find(".//rasterrenderer[@type='singlebandpseudocolor']")
    shader = None if renderer is None else renderer.find("./rastershader/colorrampshader")
    if renderer is None or shader is None:
        raise FormatError(
            "QML has no singlebandpseudocolor raster renderer with a colorrampshader; "
            "save the style of a raster layer rendered as 'Singleband pseudocolor'"
        )
    kind = shader.get("colorRampType", "INTERPOLATED").upper()
    if kind not in QGIS_TYPES:
        raise FormatError(
            f"colorRampType {kind!r} is unknown; QGIS writes {', '.join(QGIS_TYPES)}"
        )

    items: list[tuple[float, RGBA, str]] = []
    for index, item in enumerate(shader.findall("item")):
        where = f"item {index + 1}"
        value = _item_value(item.get("value", ""), where)
        items.append((value, _qml_color(item, where), item.get("label", "")))
    if not items:
        raise FormatError("the QML color ramp shader has no items; add at least one class")

    nodata_color = NODATA_COLOR
    nodata_text = renderer.get("nodataColor", "")
    if nodata_text:
        try:
            nodata_color = parse_color([int(part) for part in nodata_text.split(",")])
        except (ValueError, ColorFormatError):
            raise FormatError(
                f"nodataColor {nodata_text!r} is not 'red,green,blue,alpha' integers"
            ) from None
    return _build(items, QGIS_TYPES[kind], nodata_color, name, "QML")


def _element(
    parent: ET.Element, tag: str, text: str | None = None, **attributes: Any
) -> ET.Element:
    child = ET.SubElement(parent, tag, {key: str(value) for key, value in attributes.items()})
    if text is not None:
        child.text = text
    return child


def dumps_qml(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
    band: int = 1,
) -> str:
    """Write a QML style for a singleband pseudocolor raster layer.

    The structure follows what QGIS 3.22 saves for such a layer: a
    ``rasterrenderer`` of type ``singlebandpseudocolor`` with the classified
    range, a ``colorrampshader`` with one ``item`` per stop and the
    no-value color in ``nodataColor``.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp; by default the document's basis.
    lossy : bool, default False
        Accept losing the ``nearest`` mode or percents without a basis.
    band : int, default 1
        The raster band the style colors.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.
    """
    document = as_document(ramp)
    losses = Losses("a QGIS QML style", document.ramp)
    resolved, items = _items_for_writing(document, basis, losses)
    losses.check(lossy)

    finite = [stop.position for stop in resolved.stops]
    low, high = format_number(finite[0]), format_number(finite[-1])
    nodata = resolved.nodata_color
    root = ET.Element("qgis", {"version": _QML_VERSION, "styleCategories": "Symbology"})
    pipe = _element(root, "pipe")
    renderer = _element(
        pipe,
        "rasterrenderer",
        type="singlebandpseudocolor",
        band=band,
        opacity="1",
        alphaBand="-1",
        classificationMin=low,
        classificationMax=high,
        nodataColor=",".join(map(str, nodata)) if nodata != NODATA_COLOR else "",
    )
    origin = _element(renderer, "minMaxOrigin")
    for tag, text in (
        ("limits", "None"),
        ("extent", "WholeRaster"),
        ("statAccuracy", "Estimated"),
        ("cumulativeCutLower", "0.02"),
        ("cumulativeCutUpper", "0.98"),
        ("stdDevFactor", "2"),
    ):
        _element(origin, tag, text)
    shader = _element(_element(renderer, "rastershader"), "colorrampshader")
    for key, value in (
        ("colorRampType", _TYPE_OF_MODE.get(resolved.mode, "INTERPOLATED")),
        ("classificationMode", "1"),
        ("clip", "0"),
        ("minimumValue", low),
        ("maximumValue", high),
        ("labelPrecision", "6"),
    ):
        shader.set(key, value)
    for value, color, label in items:
        _element(
            shader,
            "item",
            value=value,
            color=to_hex((*color[:3], 255), alpha=False),
            alpha=color[3],
            label=label,
        )
    _element(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    _element(pipe, "rasterresampler", maxOversampling="2")
    _element(root, "blendMode", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"
