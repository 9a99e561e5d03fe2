"""rio-tiler and TiTiler colormaps: JSON that ``colormap=`` takes (write only).

Two shapes exist:

``values``
    ``{"0": [r, g, b, a], "1": ...}``: one color per integer pixel value;
    pixels whose value is not listed are transparent. An ``exact`` ramp with
    integer stops fits it exactly. Other modes are sampled at every integer
    from the first to the last stop, which colors integer rasters as rampkit
    does, but nothing between the integers or outside the stops.
``intervals``
    ``[[[min, max], [r, g, b, a]], ...]``: a ``discrete`` ramp, one interval
    per class. The first class starts at the lowest float64 and the last
    one ends at the highest, since rampkit colors values beyond the end
    stops with the end colors.

NOTE: rio-tiler's intervals are closed on the left (``min <= value < max``)
and rampkit's classes on the right, so values exactly on an edge differ.

rio-tiler paints masked (nodata) pixels transparent, which matches the
default nv; another nv color is a loss.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from rampkit.colorize import Basis, evaluate
from rampkit.errors import FormatError
from rampkit.formats.document import Losses, RampDocument, absolute_ramp, as_document
from rampkit.ramp import Ramp

__all__ = ["MAX_VALUES", "dumps_riotiler", "to_riotiler"]

# The maximum number of entries in a values colormap: enough for any 16-bit raster.
MAX_VALUES = 1 << 16
_LOWEST = -sys.float_info.max
_HIGHEST = sys.float_info.max


def _values(ramp: Ramp, losses: Losses) -> dict[str, list[int]]:
    positions = ramp.positions
    if ramp.mode == "exact":
        if any(not p.is_integer() for p in positions):
            losses.add("the stops at non-integer values (a values colormap keys integers)")
        values = np.array(sorted({math.floor(p) for p in positions if p.is_integer()}), float)
    else:
        losses.add(
            f"the colors between integers and outside {positions[0]:g}-{positions[-1]:g} "
            f"(a values colormap colors only the integer pixel values it lists; "
            f"mode {ramp.mode!r} is sampled at each integer)"
        )
        low, high = math.ceil(positions[0]), math.floor(positions[-1])
        count = high - low + 1
        if count > MAX_VALUES:
            raise FormatError(
                f"a values colormap for stops {positions[0]:g} to {positions[-1]:g} would "
                f"list {count} integers, more than {MAX_VALUES}; use kind='intervals'"
            )
        values = np.arange(low, high + 1, dtype=np.float64)
    rgba = evaluate(values, ramp)
    return {
        str(int(value)): [int(c) for c in color] for value, color in zip(values, rgba, strict=True)
    }


def _intervals(ramp: Ramp, losses: Losses) -> list[Any]:
    if ramp.mode != "discrete":
        losses.add(f"mode {ramp.mode!r} (intervals are flat classes; each takes its top color)")
    intervals: list[Any] = []
    positions = ramp.positions
    for index, stop in enumerate(ramp.stops):
        low = _LOWEST if index == 0 else positions[index - 1]
        high = _HIGHEST if index == len(positions) - 1 else stop.position
        if low == high:
            continue
        intervals.append([[low, high], list(stop.color)])
    return intervals


def to_riotiler(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
    kind: Literal["values", "intervals"] | None = None,
) -> dict[str, list[int]] | list[Any]:
    """Return a rio-tiler colormap for a ramp.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp; by default the document's basis.
    lossy : bool, default False
        Accept the losses listed in the module docstring.
    kind : {"values", "intervals"}, optional
        The colormap shape; by default ``intervals`` for a ``discrete`` ramp
        and ``values`` otherwise.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"1": "#ff0000", "2": "#0000ff"}, mode="exact")
    >>> to_riotiler(ramp)
    {'1': [255, 0, 0, 255], '2': [0, 0, 255, 255]}
    """
    document = as_document(ramp)
    losses = Losses("a rio-tiler colormap", document.ramp)
    resolved = absolute_ramp(document, basis, losses)
    losses.nodata_color("rio-tiler draws masked pixels transparent")
    chosen = kind or ("intervals" if resolved.mode == "discrete" else "values")
    if chosen not in ("values", "intervals"):
        raise FormatError(f"colormap kind {chosen!r} is unknown; use 'values' or 'intervals'")
    colormap = _values(resolved, losses) if chosen == "values" else _intervals(resolved, losses)
    losses.check(lossy)
    return colormap


def dumps_riotiler(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
    kind: Literal["values", "intervals"] | None = None,
) -> str:
    """Write a rio-tiler colormap as JSON text (see :func:`to_riotiler`)."""
    return json.dumps(to_riotiler(ramp, basis=basis, lossy=lossy, kind=kind)) + "\n"
