"""Ramp readers and writers for other tools' formats.

Every format is a :class:`RampFormat` in :data:`FORMATS`, with its file
name extensions, what it can store and its reader and writer. Readers
return a :class:`~rampkit.formats.document.RampDocument` (the ramp plus
labels, basis and classification where the format has them); writers take
a ramp or a document.

A writer that cannot store part of a ramp (alpha, percent stops without a
basis, a mode the format lacks, ...) raises
:class:`~rampkit.errors.LossyConversionError` naming each loss, unless
called with ``lossy=True``. :func:`write_ramp` writes atomically and never
replaces a file unless ``overwrite=True``; a conversion that fails leaves no
file behind.

Examples
--------
>>> sorted(FORMATS)[:4]
['colorramp', 'css', 'gdaldem', 'html']
>>> detect_format("field_12.qgis.txt").name
'qgis'
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rampkit._atomic import write_atomic
from rampkit.colorize import Basis
from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.document import (
    RampDocument,
    as_document,
    check_basis_width,
    coerce_basis,
    dumps_document,
    loads_document,
)
from rampkit.ramp import MODES, Ramp, reading_source

__all__ = [
    "FORMATS",
    "RampDocument",
    "RampFormat",
    "detect_format",
    "get_format",
    "dumps_ramp",
    "loads_ramp",
    "read_document",
    "read_ramp",
    "write_ramp",
]

logger = logging.getLogger(__name__)

Reader = Callable[[str], RampDocument]
Writer = Callable[..., str]


@dataclass(frozen=True, slots=True)
class RampFormat:
    """A ramp file format and what it can store.

    Parameters
    ----------
    name : str
        Short name, as ``--to`` and ``--from`` take it.
    description : str
        One line for ``rampkit ramps formats``.
    extensions : tuple of str
        File name endings that select the format, longest match first
        (``.qgis.txt`` before ``.txt``).
    modes : tuple of str
        The interpolation modes the format stores.
    alpha : bool
        Whether stop colors keep their alpha.
    percent : bool
        Whether percent stops are stored without a basis.
    labels : bool
        Whether per-stop labels are stored.
    nodata_color : bool
        Whether the nv color is stored.
    reader : callable or None
        ``reader(text) -> RampDocument``; None for write-only formats.
    writer : callable or None
        ``writer(document, *, basis, lossy, **options) -> str``; None for
        read-only formats.
    options : tuple of str
        Extra keyword options the writer takes.
    read_extensions : tuple of str
        Endings recognized when reading only.
    file_based : bool
        False for sources named rather than read from a file (matplotlib
        colormaps by name).
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    modes: tuple[str, ...]
    alpha: bool
    percent: bool
    labels: bool
    nodata_color: bool
    reader: Reader | None = None
    writer: Writer | None = None
    options: tuple[str, ...] = ()
    read_extensions: tuple[str, ...] = ()
    file_based: bool = True

    @property
    def can_read(self) -> bool:
        """True when the format has a reader."""
        return self.reader is not None

    @property
    def can_write(self) -> bool:
        """True when the format has a writer."""
        return self.writer is not None


# -- option values --------------------------------------------------------------
# The command line passes every -O value as text, so the writers convert
# numbers here and reject a bad value with its key, the value and what the
# option takes.


def _number_option(key: str, value: Any, accepted: str, example: str) -> float:
    """Return an option value as an int or float, parsing text."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        for number_type in (int, float):
            try:
                number = number_type(value.strip())
                break
            except ValueError:
                continue
    if number is None:
        raise FormatError(
            f"option {key} {value!r} is not {accepted}; write for example {key}={example}"
        )
    return number


def _band_option(value: Any) -> int:
    accepted = "a band number (an integer 1 or more)"
    band = _number_option("band", value, accepted, "1")
    if not float(band).is_integer() or band < 1:
        raise FormatError(f"option band {value!r} is not {accepted}; write for example band=1")
    return int(band)


def _nodata_option(value: Any) -> float | None:
    if value is None:
        return None
    accepted = "a finite number (the band's nodata value)"
    nodata = _number_option("nodata", value, accepted, "-9999")
    if not math.isfinite(nodata):
        raise FormatError(
            f"option nodata {value!r} is not {accepted}; write for example nodata=-9999"
        )
    return nodata


def _text_option(value: Any) -> str | None:
    """Return a free-text option (a title, URL or id) as text."""
    return None if value is None else str(value)


# -- adapters: every reader takes text, every writer a document -------------------


def _read_rampkit(text: str) -> RampDocument:
    return loads_document(text)


def _write_rampkit(document: RampDocument, *, basis: Any = None, lossy: bool = False) -> str:
    chosen = coerce_basis(basis)
    if chosen is not None:
        document = replace(document, basis=chosen)
    return dumps_document(document)


def _read_colorramp(text: str) -> RampDocument:
    from rampkit.formats.api import loads_color_ramp

    return RampDocument(loads_color_ramp(text))


def _write_colorramp(document: RampDocument, *, basis: Any = None, lossy: bool = False) -> str:
    from rampkit.formats.api import dumps_color_ramp

    return dumps_color_ramp(document.ramp, lossy=lossy, indent=2) + "\n"


def _read_v1image(text: str) -> RampDocument:
    from rampkit.formats.api import from_v1_image, loads_json_strict

    property_name, ramp = from_v1_image(loads_json_strict(text))
    return RampDocument(ramp, property=property_name)


def _write_v1image(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, url: str = ""
) -> str:
    from rampkit.formats.api import to_v1_image

    entry = to_v1_image(document.ramp, document.property, url=str(url), lossy=lossy)
    return json.dumps(entry, indent=2) + "\n"


def _read_request(text: str) -> RampDocument:
    from rampkit.formats.request import loads_image_request

    return loads_image_request(text)


def _write_request(
    document: RampDocument,
    *,
    basis: Any = None,
    lossy: bool = False,
    property: str | None = None,  # noqa: A002
    resolution: Any = 1,
    operation_id: Any = None,
    **options: Any,
) -> str:
    from rampkit.formats.request import dumps_image_request

    if property is not None:
        document = replace(document, property=str(property))
    resolution = _number_option(
        "resolution", resolution, "a positive number (the pixel size in CRS units)", "2"
    )
    return dumps_image_request(
        document,
        basis=coerce_basis(basis),
        lossy=lossy,
        resolution=resolution,
        operation_id=_text_option(operation_id),
        **options,
    )


def _read_v2legend(text: str) -> RampDocument:
    from rampkit.formats.v2legend import loads_v2_legend

    return loads_v2_legend(text)


def _write_v2legend(document: RampDocument, *, basis: Any = None, lossy: bool = False) -> str:
    from rampkit.formats.v2legend import dumps_v2_legend

    return dumps_v2_legend(document, basis=basis, lossy=lossy)


def _read_gdaldem(text: str) -> RampDocument:
    from rampkit.formats.gdaldem import loads_gdaldem

    return RampDocument(loads_gdaldem(text))


def _write_gdaldem(document: RampDocument, *, basis: Any = None, lossy: bool = False) -> str:
    from rampkit.formats.gdaldem import dumps_gdaldem

    ramp = document.ramp
    chosen = coerce_basis(basis) or document.basis
    if ramp.relative:
        check_basis_width(chosen)
    # With a basis the file gets values, which gdaldem applies to any raster
    # the same way; without one it keeps percents of each raster's range.
    if ramp.relative and chosen is not None and chosen.resolved:
        ramp = ramp.resolve(float(chosen.vmin), float(chosen.vmax))  # type: ignore[arg-type]
    return dumps_gdaldem(ramp, lossy=lossy)


def _read_qgis(text: str) -> RampDocument:
    from rampkit.formats.qgis import loads_qgis_colormap

    return loads_qgis_colormap(text)


def _write_qgis(document: RampDocument, *, basis: Any = None, lossy: bool = False) -> str:
    from rampkit.formats.qgis import dumps_qgis_colormap

    return dumps_qgis_colormap(document, basis=basis, lossy=lossy)


def _read_qml(text: str) -> RampDocument:
    from rampkit.formats.qgis import loads_qml

    return loads_qml(text)


def _write_qml(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, band: int = 1
) -> str:
    from rampkit.formats.qgis import dumps_qml

    return dumps_qml(document, basis=basis, lossy=lossy, band=_band_option(band))


def _read_sld(text: str) -> RampDocument:
    from rampkit.formats.sld import loads_sld

    return loads_sld(text)


def _write_sld(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, nodata: float | None = None
) -> str:
    from rampkit.formats.sld import dumps_sld

    return dumps_sld(document, basis=basis, lossy=lossy, nodata=_nodata_option(nodata))


def _read_matplotlib(text: str) -> RampDocument:
    from rampkit.formats.mpl import loads_matplotlib

    return loads_matplotlib(text)


def _write_riotiler(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, kind: Any = None
) -> str:
    from rampkit.formats.riotiler import dumps_riotiler

    return dumps_riotiler(document, basis=basis, lossy=lossy, kind=kind)


def _write_css(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, direction: str = "to right"
) -> str:
    from rampkit.formats.css import dumps_css

    return dumps_css(document, lossy=lossy, direction=direction)


def _write_html(
    document: RampDocument, *, basis: Any = None, lossy: bool = False, title: str | None = None
) -> str:
    from rampkit.formats.css import dumps_html_legend

    return dumps_html_legend(document, basis=basis, lossy=lossy, title=_text_option(title))


_ALL_MODES = tuple(MODES)

FORMATS: dict[str, RampFormat] = {
    fmt.name: fmt
    for fmt in (
        RampFormat(
            "rampkit",
            "rampkit ramp document (rampkit.ramp/1 JSON)",
            (".ramp.json", ".json"),
            _ALL_MODES,
            True,
            True,
            True,
            True,
            _read_rampkit,
            _write_rampkit,
        ),
        RampFormat(
            "colorramp",
            "the images API's colorRamp object",
            (".colorramp.json",),
            ("linear",),
            True,
            True,
            False,
            True,
            _read_colorramp,
            _write_colorramp,
        ),
        RampFormat(
            "request",
            "the images API's POST /images body",
            (".request.json",),
            _ALL_MODES,
            True,
            True,
            False,
            True,
            _read_request,
            _write_request,
            ("projection", "resolution", "shape", "operation_id", "property"),
        ),
        RampFormat(
            "v1image",
            "the images API's V1 image entry (property and ramp)",
            (".v1image.json",),
            ("linear",),
            True,
            True,
            False,
            True,
            _read_v1image,
            _write_v1image,
            ("url",),
        ),
        RampFormat(
            "v2legend",
            "the images API's V2 legend (ranges of colorCode, min, max)",
            (".legend.json", ".v2legend.json"),
            ("discrete",),
            False,
            False,
            False,
            False,
            _read_v2legend,
            _write_v2legend,
        ),
        RampFormat(
            "gdaldem",
            "gdaldem color-relief color file, percent or absolute",
            (".gdaldem.txt", ".txt", ".clr"),
            _ALL_MODES,
            True,
            True,
            False,
            True,
            _read_gdaldem,
            _write_gdaldem,
            read_extensions=(".cpt",),
        ),
        RampFormat(
            "qgis",
            "QGIS color map export file (INTERPOLATION header, labels)",
            (".qgis.txt",),
            ("linear", "discrete", "exact"),
            True,
            False,
            True,
            False,
            _read_qgis,
            _write_qgis,
        ),
        RampFormat(
            "qml",
            "QGIS layer style for a singleband pseudocolor raster",
            (".qml",),
            ("linear", "discrete", "exact"),
            True,
            False,
            True,
            True,
            _read_qml,
            _write_qml,
            ("band",),
        ),
        RampFormat(
            "sld",
            "SLD 1.0 RasterSymbolizer ColorMap (ramp, intervals, values)",
            (".sld",),
            ("linear", "discrete", "exact"),
            True,
            False,
            True,
            False,
            _read_sld,
            _write_sld,
            ("nodata",),
        ),
        RampFormat(
            "matplotlib",
            "a registered matplotlib colormap, by name (read)",
            (),
            ("linear", "nearest", "discrete"),
            True,
            True,
            False,
            True,
            _read_matplotlib,
            None,
            file_based=False,
        ),
        RampFormat(
            "riotiler",
            "rio-tiler / TiTiler colormap JSON, values or intervals",
            (".riotiler.json", ".titiler.json"),
            ("exact", "discrete"),
            True,
            False,
            False,
            False,
            None,
            _write_riotiler,
            ("kind",),
        ),
        RampFormat(
            "css",
            "CSS rule with a linear-gradient background",
            (".css",),
            ("linear", "nearest", "discrete"),
            True,
            True,
            False,
            True,
            None,
            _write_css,
            ("direction",),
        ),
        RampFormat(
            "html",
            "standalone HTML legend: gradient bar, labels, nv swatch",
            (".html", ".htm"),
            ("linear", "nearest", "discrete"),
            True,
            True,
            True,
            True,
            None,
            _write_html,
            ("title",),
        ),
    )
}


def _known_formats() -> str:
    return ", ".join(FORMATS)


def get_format(name: str) -> RampFormat:
    """Return the format called ``name``.

    Raises
    ------
    FormatError
        If no format has that name.
    """
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise FormatError(
            f"unknown ramp format {name!r}; use one of {_known_formats()} "
            "(rampkit ramps formats lists them)"
        ) from None


def detect_format(path: str | os.PathLike[str], *, reading: bool = False) -> RampFormat:
    """Return the format a file name selects, matching the longest extension.

    Parameters
    ----------
    path : str or os.PathLike
    reading : bool, default False
        Also match the extensions only readers know (``.cpt``).

    Raises
    ------
    FormatError
        If no format claims the file's extension.

    Examples
    --------
    >>> detect_format("yield.sld").name, detect_format("YIELD.Legend.JSON").name
    ('sld', 'v2legend')
    """
    name = Path(path).name.lower()
    matches: list[tuple[int, RampFormat]] = []
    for fmt in FORMATS.values():
        endings = fmt.extensions + (fmt.read_extensions if reading else ())
        for ending in endings:
            if name.endswith(ending):
                matches.append((len(ending), fmt))
    if not matches and not reading:
        for fmt in FORMATS.values():
            read_only = [ending for ending in fmt.read_extensions if name.endswith(ending)]
            if read_only:
                raise FormatError(
                    f"cannot write {str(path)!r}: writing {read_only[0]} files is not "
                    f"supported ({fmt.name} only reads them); name the file with one of "
                    f"{', '.join(fmt.extensions)}"
                )
    if not matches:
        known = ", ".join(e for fmt in FORMATS.values() for e in fmt.extensions)
        raise FormatError(
            f"cannot tell the ramp format of {str(path)!r} from its name; name the file "
            f"with one of {known}, or give the format (--to/--from, format=...)"
        )
    return max(matches, key=lambda match: match[0])[1]


_QGIS_HEADER = re.compile(r"^\s*INTERPOLATION\s*:", re.MULTILINE)


def _sniff(text: str, guess: RampFormat) -> RampFormat:
    """Refine a guess from a generic extension by looking at the content."""
    if guess.name == "gdaldem" and _QGIS_HEADER.search(text):
        return FORMATS["qgis"]
    if guess.name != "rampkit":
        return guess
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return guess
    if not isinstance(data, dict) or "schema" in data or "stops" in data:
        return guess
    if "ranges" in data:
        return FORMATS["v2legend"]
    if "colorRamp" in data:
        return FORMATS["request"]
    if "ramp" in data and "property" in data:
        return FORMATS["v1image"]
    return FORMATS["colorramp"]


def _stem(path: Path, fmt: RampFormat) -> str:
    name = path.name
    for ending in sorted(fmt.extensions + fmt.read_extensions, key=len, reverse=True):
        if name.lower().endswith(ending):
            return name[: -len(ending)]
    return path.stem


def loads_ramp(text: str, format: str) -> RampDocument:  # noqa: A002
    """Read a ramp document from text in a named format.

    Raises
    ------
    FormatError
        If the format is unknown, cannot be read, or the text is malformed.
    """
    fmt = get_format(format)
    if fmt.reader is None:
        readable = ", ".join(f.name for f in FORMATS.values() if f.can_read)
        raise FormatError(f"format {fmt.name!r} is write-only; read one of {readable}")
    return fmt.reader(text)


def read_document(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002
) -> RampDocument:
    """Read a ramp file into a document.

    Parameters
    ----------
    path : str or os.PathLike
        The file. For a format that is not file based (``matplotlib``) this
        is the name to look up.
    format : str, optional
        A name from :data:`FORMATS`; by default chosen from the file name and,
        for ``.json`` and ``.txt``, the content.

    Returns
    -------
    RampDocument
        A ramp without a name is named after the file.

    Raises
    ------
    FormatError
        If the format is unknown or write-only, or the content is malformed.
    OSError
        If the file cannot be read.
    """
    if format is not None and not get_format(format).file_based:
        return loads_ramp(str(path), format)
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    fmt = get_format(format) if format else _sniff(text, detect_format(path, reading=True))
    if fmt.reader is None:
        readable = ", ".join(f.name for f in FORMATS.values() if f.can_read)
        raise FormatError(f"format {fmt.name!r} is write-only; read one of {readable}")
    source = reading_source.set(str(path))
    try:
        document = fmt.reader(text)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None
    finally:
        reading_source.reset(source)
    if not document.ramp.name:
        document = document.with_ramp(document.ramp.with_name(_stem(path, fmt)))
    logger.debug("read %s as %s", path, fmt.name)
    return document


def read_ramp(path: str | os.PathLike[str], *, format: str | None = None) -> Ramp:  # noqa: A002
    """Read a ramp file, choosing the format from its name and content.

    See :func:`read_document`, which also returns labels, basis and
    classification.
    """
    return read_document(path, format=format).ramp


def dumps_ramp(
    ramp: Ramp | RampDocument,
    format: str,  # noqa: A002
    *,
    lossy: bool = False,
    basis: Basis | Sequence[float] | None = None,
    **options: Any,
) -> str:
    """Return a ramp as text in a named format.

    Raises
    ------
    FormatError
        If the format is unknown or read-only, or an option is not one it takes.
    LossyConversionError
        If the format cannot store part of the ramp and ``lossy`` is False.
    """
    fmt = get_format(format)
    if fmt.writer is None:
        writable = ", ".join(f.name for f in FORMATS.values() if f.can_write)
        raise FormatError(
            f"format {fmt.name!r} is read-only; write one of {writable}"
            + (
                " (use rampkit.formats.mpl.to_matplotlib for a colormap object)"
                if fmt.name == "matplotlib"
                else ""
            )
        )
    unknown = sorted(set(options) - set(fmt.options))
    if unknown:
        takes = ", ".join(fmt.options) or "none"
        raise FormatError(
            f"option {unknown[0]!r} is not used by format {fmt.name!r}; its options: {takes}"
        )
    document = as_document(ramp)
    chosen = coerce_basis(basis)
    if document.ramp.relative:
        check_basis_width(chosen)
    try:
        return fmt.writer(document, basis=chosen, lossy=lossy, **options)
    except LossyConversionError as exc:
        message = str(exc)
        if "lossy=True" not in message or "--lossy" in message:
            raise
        # Some writers name only the Python keyword; the same message reaches
        # the command line, where the switch is --lossy.
        message = message.replace("lossy=True", "lossy=True (--lossy on the command line)", 1)
        raise LossyConversionError(message) from None


def write_ramp(
    ramp: Ramp | RampDocument,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,  # noqa: A002
    overwrite: bool = False,
    lossy: bool = False,
    basis: Basis | Sequence[float] | None = None,
    **options: Any,
) -> Path:
    """Write a ramp to a file, atomically.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    path : str or os.PathLike
        The target; its name selects the format unless ``format`` is given.
    format : str, optional
        A name from :data:`FORMATS`.
    overwrite : bool, default False
        Replace an existing file.
    lossy : bool, default False
        Accept losing what the format cannot store.
    basis : Basis or (vmin, vmax), optional
        Resolves percents for formats that take values.
    **options
        Format options, listed in :attr:`RampFormat.options`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ExportExistsError
        If the file exists and ``overwrite`` is False; it is left as it was.
    LossyConversionError
        If the format cannot store part of the ramp and ``lossy`` is False;
        no file is written.
    FormatError
        If the format is unknown or read-only.
    """
    fmt = get_format(format) if format else detect_format(path)
    text = dumps_ramp(ramp, fmt.name, lossy=lossy, basis=basis, **options)
    written = write_atomic(path, text, overwrite=overwrite)
    logger.info("wrote %s as %s", written, fmt.name)
    return written
