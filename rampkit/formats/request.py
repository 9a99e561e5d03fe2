"""The whole ``POST /images`` request body as a ramp format.

The documented body is ``colorRamp``, ``projection``, ``resolution`` and
``shape``. rampkit adds ``interpolation`` (the ramp's mode), ``basis`` (how
percents resolve) and ``property``, and the data source (``operationId``,
``fileId`` or ``geojson``), none of which the documented service needs. The
writer adds ``interpolation`` only for a mode other than ``linear`` and
``basis`` only when the document has one, so a body for a plain ramp contains
only the four documented fields.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any, cast

from rampkit.colorize import Basis
from rampkit.errors import FormatError, LossyConversionError, RampError
from rampkit.formats.api import from_color_ramp, loads_json_strict, to_color_ramp
from rampkit.formats.document import RampDocument, as_document, coerce_basis
from rampkit.ramp import MODES, Mode, Ramp

__all__ = ["dumps_image_request", "from_image_request", "loads_image_request", "to_image_request"]

PROJECTIONS = ("EPSG_3857", "EPSG:3857", "EPSG_4326", "EPSG:4326")
SHAPES = ("ROUND", "SQUARE")


def to_image_request(
    ramp: Ramp | RampDocument,
    *,
    projection: str = "EPSG_3857",
    resolution: float = 1,
    shape: str = "ROUND",
    basis: Basis | tuple[float, float] | None = None,
    operation_id: str | None = None,
    lossy: bool = False,
) -> dict[str, Any]:
    """Return a ``POST /images`` body that renders with the ramp.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    projection : str, default "EPSG_3857"
        ``EPSG_3857``, ``EPSG:3857``, ``EPSG_4326`` or ``EPSG:4326``.
    resolution : float, default 1
        Pixel size in CRS units, greater than 0.
    shape : {"ROUND", "SQUARE"}, default "ROUND"
        Footprint of each point.
    basis : Basis or (vmin, vmax), optional
        Sent as ``basis``; by default the document's basis.
    operation_id : str, optional
        Sent as ``operationId``.
    lossy : bool, default False
        Accept keeping only the first of two stops at one position.

    Raises
    ------
    FormatError
        For an unknown projection or shape, or a resolution that is not
        positive.
    LossyConversionError
        If a hard step would be lost and ``lossy`` is False.

    Examples
    --------
    >>> from rampkit.presets import get_ramp
    >>> body = to_image_request(get_ramp("leaf_standard"), resolution=2)
    >>> list(body), body["colorRamp"]["35%"]
    (['colorRamp', 'projection', 'resolution', 'shape'], [255, 40, 0])
    """
    document = as_document(ramp)
    if projection not in PROJECTIONS:
        raise FormatError(
            f"projection {projection!r} is not supported; use one of {', '.join(PROJECTIONS)}"
        )
    if not isinstance(shape, str) or shape.upper() not in SHAPES:
        raise FormatError(f"shape {shape!r} is not supported; use ROUND or SQUARE")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, numbers.Real)
        or not math.isfinite(resolution)
        or resolution <= 0
    ):
        raise FormatError(
            f"resolution {resolution!r} is not a positive number; give the pixel size in CRS "
            "units, such as resolution=1"
        )
    keys = document.ramp.keys()
    repeated = sorted({key for index, key in enumerate(keys) if key in keys[:index]})
    if repeated and not lossy:
        raise LossyConversionError(
            f"two stops sit at {repeated[0]!r} (a hard step), which a colorRamp object cannot "
            "hold; move one slightly, or pass lossy=True (--lossy on the command line) to "
            "keep the first"
        )
    body: dict[str, Any] = {
        # The mode is sent as 'interpolation', so leaving it out of the
        # colorRamp loses nothing; lossy=True lets to_color_ramp do that.
        "colorRamp": to_color_ramp(document.ramp, lossy=True),
        "projection": projection,
        "resolution": resolution,
        "shape": shape.upper(),
    }
    if document.ramp.mode != "linear":
        body["interpolation"] = document.ramp.mode
    chosen = coerce_basis(basis) or document.basis
    if chosen is not None:
        body["basis"] = chosen.to_dict()
    if document.property:
        body["property"] = document.property
    if operation_id is not None:
        body["operationId"] = operation_id
    return body


def from_image_request(body: Mapping[str, Any], *, name: str = "") -> RampDocument:
    """Read the ramp, mode, basis and property of a ``POST /images`` body.

    Raises
    ------
    FormatError
        If ``colorRamp`` is missing or malformed, or ``interpolation`` or
        ``basis`` is invalid.
    """
    if not isinstance(body, Mapping) or "colorRamp" not in body:
        raise FormatError(
            "an images request body is a JSON object with 'colorRamp', 'projection', "
            "'resolution' and 'shape'; this one has no 'colorRamp'"
        )
    mode = body.get("interpolation") or "linear"
    if mode not in MODES:
        raise FormatError(f"interpolation {mode!r} is not a mode; use one of {', '.join(MODES)}")
    ramp = from_color_ramp(body["colorRamp"], mode=cast(Mode, mode), name=name)
    basis = None
    raw = body.get("basis")
    if isinstance(raw, Mapping):
        try:
            basis = Basis.from_dict(dict(raw))
        except (TypeError, RampError) as exc:
            raise FormatError(f"basis {dict(raw)!r} is invalid: {exc}") from None
    elif raw not in (None, "data"):
        raise FormatError(
            f'basis {raw!r} is not understood; use "data" or an object such as '
            '{"kind": "fixed", "vmin": 0, "vmax": 250}'
        )
    return RampDocument(ramp, property=str(body.get("property") or ""), basis=basis)


def dumps_image_request(ramp: Ramp | RampDocument, **options: Any) -> str:
    """Write a ``POST /images`` body as JSON text (see :func:`to_image_request`)."""
    return json.dumps(to_image_request(ramp, **options), indent=2) + "\n"


def loads_image_request(text: str | bytes, *, name: str = "") -> RampDocument:
    """Read a ``POST /images`` body from JSON text, rejecting repeated keys."""
    return from_image_request(loads_json_strict(text), name=name)
