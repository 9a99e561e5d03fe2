"""The images API's ramp JSON: ``colorRamp`` bodies and V1 image entries.

A ``colorRamp`` is a JSON object whose keys are percents (``"35%"``) or
values (``"12.5"``) and ``"nv"``, each mapped to an RGB or RGBA list::

    {"0%": [200, 0, 0], "35%": [255, 40, 0], ..., "nv": [0, 0, 0, 0]}

The V1 images call (``GET /operations/{id}/images``) returns entries with
the same object under ``"ramp"``, beside ``property``, ``url`` and
``downloadUrl``. A JSON object cannot keep the same key twice, so reading
rejects a repeated key instead of keeping the last one as Python's ``json``
module does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rampkit.color import RGBA
from rampkit.errors import FormatError, LossyConversionError, RampError
from rampkit.ramp import Mode, Ramp

__all__ = [
    "dumps_color_ramp",
    "from_color_ramp",
    "from_v1_image",
    "loads_color_ramp",
    "loads_json_strict",
    "to_color_ramp",
    "to_v1_image",
]


def _color_list(color: RGBA, *, keep_alpha: bool = False) -> list[int]:
    if color[3] == 255 and not keep_alpha:
        return list(color[:3])
    return list(color)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise FormatError(
                f"JSON object repeats the key {key!r}; each stop needs its own key, so "
                "remove one, or write a hard step as two nearby positions"
            )
        seen[key] = value
    return seen


def loads_json_strict(text: str | bytes) -> Any:
    """Parse JSON text, raising :class:`FormatError` on repeated object keys.

    Examples
    --------
    >>> loads_json_strict('{"0%": [0, 0, 0], "0%": [1, 1, 1]}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rampkit.errors.FormatError: JSON object repeats the key '0%'; ...
    """
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def from_color_ramp(
    color_ramp: Mapping[str, Any], *, mode: Mode = "linear", name: str = ""
) -> Ramp:
    """Build a ramp from a ``colorRamp`` object.

    Parameters
    ----------
    color_ramp : mapping
        ``{"0%": [r, g, b], ..., "nv": [r, g, b, a]}``.
    mode : str, default "linear"
        The interpolation mode; the API sends it beside the ramp, as
        ``interpolation``, not inside it.
    name : str, default ""
        Name of the new ramp.

    Raises
    ------
    FormatError
        If the value is not a JSON object, or a key or color is malformed.

    Examples
    --------
    >>> from_color_ramp({"100%": [0, 130, 0], "0%": [200, 0, 0]}).keys()
    ('0%', '100%')
    """
    if not isinstance(color_ramp, Mapping):
        raise FormatError(
            f"a colorRamp must be a JSON object such as {{\"0%\": [200, 0, 0], ...}}, "
            f"got {type(color_ramp).__name__}"
        )
    try:
        return Ramp.from_mapping(color_ramp, mode=mode, name=name)
    except RampError as exc:
        raise FormatError(f"colorRamp: {exc}") from None


def to_color_ramp(ramp: Ramp, *, lossy: bool = False) -> dict[str, list[int]]:
    """Return the ``colorRamp`` object of a ramp.

    Stops at one position (hard steps) cannot share a key, and the mode and
    name are not part of a ``colorRamp``.

    Parameters
    ----------
    ramp : Ramp
    lossy : bool, default False
        Accept losing the mode (anything but ``linear``), or one of two stops
        at the same position; the first-listed stop is kept.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.

    Examples
    --------
    >>> from rampkit.presets import get_ramp
    >>> to_color_ramp(get_ramp("leaf_standard"))["35%"]
    [255, 40, 0]
    """
    if ramp.mode != "linear" and not lossy:
        raise LossyConversionError(
            f"a colorRamp has no interpolation mode, so mode {ramp.mode!r} would be lost; "
            "send it as the request's 'interpolation' field, or pass lossy=True"
        )
    body: dict[str, list[int]] = {}
    for key, color in zip(ramp.keys(), ramp.colors, strict=True):
        if key in body:
            if not lossy:
                raise LossyConversionError(
                    f"two stops sit at {key!r} (a hard step), which a colorRamp object "
                    "cannot hold; move one slightly, or pass lossy=True to keep the first"
                )
            continue
        body[key] = _color_list(color)
    body["nv"] = _color_list(ramp.nodata_color, keep_alpha=True)
    return body


def loads_color_ramp(text: str | bytes, *, mode: Mode = "linear", name: str = "") -> Ramp:
    """Read a ramp from ``colorRamp`` JSON text, rejecting repeated keys."""
    return from_color_ramp(loads_json_strict(text), mode=mode, name=name)


def dumps_color_ramp(ramp: Ramp, *, lossy: bool = False, indent: int | None = None) -> str:
    """Write a ramp as ``colorRamp`` JSON text (see :func:`to_color_ramp`)."""
    return json.dumps(to_color_ramp(ramp, lossy=lossy), indent=indent)


def from_v1_image(entry: Mapping[str, Any]) -> tuple[str, Ramp]:
    """Read the property and ramp of a V1 image entry.

    Examples
    --------
    >>> prop, ramp = from_v1_image(
    ...     {"property": "harvestMoisture", "ramp": {"0%": [200, 0, 0], "100%": [0, 130, 0]},
    ...      "url": "https://example.invalid/a.png"})
    >>> prop, ramp.keys()
    ('harvestMoisture', ('0%', '100%'))
    """
    if not isinstance(entry, Mapping) or "ramp" not in entry:
        raise FormatError(
            "a V1 image entry is a JSON object with 'property', 'ramp', 'url' and "
            f"'downloadUrl'; got {str(entry)[:80]!r}"
        )
    prop = str(entry.get("property", ""))
    return prop, from_color_ramp(entry["ramp"], name=prop)


def to_v1_image(
    ramp: Ramp, property_name: str, *, url: str = "", download_url: str = "", lossy: bool = False
) -> dict[str, Any]:
    """Return a V1 image entry for a ramp and a property."""
    return {
        "property": property_name,
        "ramp": to_color_ramp(ramp, lossy=lossy),
        "url": url,
        "downloadUrl": download_url or url,
    }
