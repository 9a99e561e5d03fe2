"""SLD 1.0 raster styles: a ``RasterSymbolizer`` with a ``ColorMap``.

The ``ColorMap`` ``type`` attribute (a GeoServer extension of SLD 1.0 that
GeoTools and QGIS read too) follows the ramp's mode:

=============  ============
``type``       rampkit mode
=============  ============
``ramp``       ``linear``
``intervals``  ``discrete``
``values``     ``exact``
=============  ============

There is no ``nearest`` type. Entries carry values (``quantity``), so a
percent ramp needs a basis. Alpha is the entry's ``opacity`` (0-1), written
with enough digits to read back to the same 0-255 value.

No-value pixels
    SLD has no no-value color: a server draws the band's nodata pixels
    transparent, which matches rampkit's default ``nv``. When the caller
    names the nodata value, the writer also adds an entry for it with the
    nv color and the label ``nv``, which the reader takes back as the nv
    color. A visible nv without a nodata value is a loss.

NOTE: GeoServer's ``intervals`` give a value the color of the first entry
whose quantity is above it (GeoServer issue GEOS-9317), so classes are
closed on the left there, while rampkit's discrete classes are closed on the
right. Only values exactly on an edge differ.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

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

__all__ = ["dumps_sld", "loads_sld"]

SLD_NAMESPACE = "http://www.opengis.net/sld"
SLD_TYPES: dict[str, Mode] = {"ramp": "linear", "intervals": "discrete", "values": "exact"}
_TYPE_OF_MODE = {mode: name for name, mode in SLD_TYPES.items()}
_NODATA_LABEL = "nv"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _find_all(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if _local(element.tag) == name]


def _opacity_to_alpha(text: str, where: str) -> int:
    try:
        opacity = float(text)
    except ValueError:
        opacity = math.nan
    if not 0.0 <= opacity <= 1.0:
        raise FormatError(f"{where}: opacity {text!r} is not a number in 0-1")
    return int(round(opacity * 255))


def _alpha_to_opacity(alpha: int) -> str:
    if alpha == 255:
        return "1"
    if alpha == 0:
        return "0"
    # Four decimals always read back to the same alpha: 0.5 / 255 > 0.00005.
    return f"{alpha / 255:.4f}".rstrip("0")


def loads_sld(text: str | bytes, *, name: str = "") -> RampDocument:
    """Read the first ``ColorMap`` of an SLD document.

    Elements are matched by local name, so SLD 1.0 files with or without a
    namespace prefix are read alike.

    Raises
    ------
    FormatError
        If the XML is malformed, has no ``ColorMap`` entries, or an entry has
        a bad quantity, color or opacity.

    Examples
    --------
    >>> doc = loads_sld('<ColorMap type="values"><ColorMapEntry color="#ff0000" '
    ...                 'quantity="1" label="wheat"/><ColorMapEntry color="#0000ff" '
    ...                 'quantity="2" opacity="0.5"/></ColorMap>')
    >>> doc.ramp
    Ramp(exact, 1=#ff0000, 2=#0000ff80, nv=#00000000)
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise FormatError(f"SLD is not well-formed XML: {exc}") from None
    color_maps = _find_all(root, "ColorMap")
    if not color_maps:
        raise FormatError(
            "SLD has no ColorMap; style the raster with a RasterSymbolizer that contains a "
            "<ColorMap> of <ColorMapEntry> elements"
        )
    color_map = color_maps[0]
    kind = color_map.get("type", "ramp")
    if kind not in SLD_TYPES:
        raise FormatError(
            f"ColorMap type {kind!r} is unknown; use {', '.join(map(repr, SLD_TYPES))}"
        )
    if not name:
        names = [element.text or "" for element in _find_all(root, "Name")]
        name = names[0].strip() if names else ""

    stops: list[Stop] = []
    labels: list[str] = []
    nodata_color = NODATA_COLOR
    for index, entry in enumerate(_find_all(color_map, "ColorMapEntry")):
        where = f"ColorMapEntry {index + 1}"
        try:
            red, green, blue, _ = parse_color(entry.get("color", ""), where=where)
        except ColorFormatError as exc:
            raise FormatError(str(exc)) from None
        color = (red, green, blue, _opacity_to_alpha(entry.get("opacity", "1"), where))
        label = entry.get("label", "")
        if label == _NODATA_LABEL:
            nodata_color = color
            continue
        quantity = entry.get("quantity", "")
        try:
            value = float(quantity)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise FormatError(f"{where}: quantity {quantity!r} is not a finite number")
        stops.append(Stop(value, color))
        labels.append(label)
    try:
        ramp = Ramp(
            tuple(stops),
            relative=False,
            nodata_color=nodata_color,
            mode=SLD_TYPES[kind],
            name=name,
        )
    except RampError as exc:
        raise FormatError(f"SLD ColorMap: {exc}") from None
    keep = tuple(labels) if any(labels) and tuple(labels) != ramp.keys() else ()
    return RampDocument(ramp, labels=keep)


def dumps_sld(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
    nodata: float | None = None,
) -> str:
    """Write an SLD 1.0 document with one raster ``ColorMap``.

    Parameters
    ----------
    ramp : Ramp or RampDocument
        Labels come from the document (see :meth:`RampDocument.stop_labels`).
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp; by default the document's basis.
    lossy : bool, default False
        Accept losing the ``nearest`` mode, percents without a basis, or a
        visible nv color without ``nodata``.
    nodata : float, optional
        The band's nodata value; adds an entry that paints it with the nv
        color.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.
    """
    document = as_document(ramp)
    losses = Losses("SLD", document.ramp)
    resolved = absolute_ramp(document, basis, losses)
    losses.mode(tuple(_TYPE_OF_MODE))
    if nodata is None:
        losses.nodata_color(
            "SLD draws nodata transparent; pass nodata=VALUE, or -O nodata=VALUE, to add an "
            "entry for it"
        )
    losses.check(lossy)

    ET.register_namespace("", SLD_NAMESPACE)
    ET.register_namespace("ogc", "http://www.opengis.net/ogc")
    sld = f"{{{SLD_NAMESPACE}}}"
    root = ET.Element(f"{sld}StyledLayerDescriptor", {"version": "1.0.0"})
    layer = ET.SubElement(root, f"{sld}NamedLayer")
    title = resolved.name or "rampkit"
    ET.SubElement(layer, f"{sld}Name").text = title
    style = ET.SubElement(layer, f"{sld}UserStyle")
    ET.SubElement(style, f"{sld}Title").text = resolved.description or title
    rule = ET.SubElement(ET.SubElement(style, f"{sld}FeatureTypeStyle"), f"{sld}Rule")
    symbolizer = ET.SubElement(rule, f"{sld}RasterSymbolizer")
    ET.SubElement(symbolizer, f"{sld}Opacity").text = "1.0"
    color_map = ET.SubElement(
        symbolizer, f"{sld}ColorMap", {"type": _TYPE_OF_MODE.get(resolved.mode, "ramp")}
    )

    entries: list[tuple[str, RGBA, str]] = []
    if nodata is not None:
        entries.append((format_number(float(nodata)), resolved.nodata_color, _NODATA_LABEL))
    for stop, label in zip(
        resolved.stops, document.with_ramp(resolved).stop_labels(), strict=True
    ):
        entries.append((format_number(stop.position), stop.color, label))
    # ColorMap entries must be in ascending order of quantity.
    entries.sort(key=lambda entry: float(entry[0]))
    for quantity, color, label in entries:
        ET.SubElement(
            color_map,
            f"{sld}ColorMapEntry",
            {
                "color": to_hex((*color[:3], 255), alpha=False),
                "quantity": quantity,
                "opacity": _alpha_to_opacity(color[3]),
                "label": label,
            },
        )
    ET.indent(root, space="  ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    )
