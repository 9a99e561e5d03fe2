"""The images API's V2 legend: ``{"ranges": [{"colorCode", "min", "max"}, ...]}``.

A V2 legend lists flat classes, lowest first, each with an opaque
``#RRGGBB`` color and its bounds. It reads back as a ``discrete`` ramp with a
stop at each class's ``max`` (see :func:`rampkit.legend.ramp_from_v2_legend`)
plus the class edges as a ``manual`` classification, so the lower bound of
the first class survives a round trip.

Writing needs values, so a percent ramp needs a basis. The lower bound of
the first class comes from the document's classification edges, else from
the basis minimum, else it is the first stop itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rampkit.color import to_hex
from rampkit.colorize import Basis
from rampkit.formats.api import loads_json_strict
from rampkit.formats.document import (
    ClassificationSpec,
    Losses,
    RampDocument,
    absolute_ramp,
    as_document,
    coerce_basis,
    format_number,
)
from rampkit.ramp import Ramp

__all__ = ["dumps_v2_legend", "loads_v2_legend", "to_v2_legend"]


def to_v2_legend(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Return the V2 legend of a ramp: one range per stop.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp; by default the document's basis.
    lossy : bool, default False
        Accept losing alpha, a visible nv color, a mode other than
        ``discrete`` (its classes become flat) or percents without a basis.

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be written and ``lossy`` is False.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"10": "#c80000", "20": "#008200"}, mode="discrete")
    >>> to_v2_legend(ramp, basis=(0, 20))["ranges"][0]
    {'colorCode': '#C80000', 'min': 0.0, 'max': 10.0}
    """
    document = as_document(ramp)
    losses = Losses("a V2 legend", document.ramp)
    resolved = absolute_ramp(document, basis, losses)
    losses.mode(("discrete",))
    losses.alpha(nodata=False)
    losses.nodata_color("a V2 legend has no no-value entry")
    positions = resolved.positions
    repeated = [
        index for index in range(1, len(positions)) if positions[index] == positions[index - 1]
    ]
    if repeated:
        steps = ", ".join(format_number(positions[index]) for index in repeated)
        losses.add(f"the hard steps at {steps} (a V2 legend cannot hold an empty class)")
    losses.check(lossy)

    lower = positions[0]
    chosen = coerce_basis(basis) or document.basis
    edges = document.classification.edges if document.classification else ()
    if len(edges) == len(positions) + 1 and edges[0] <= positions[0]:
        lower = edges[0]
    elif chosen is not None and chosen.vmin is not None and chosen.vmin <= positions[0]:
        lower = chosen.vmin
    ranges = []
    for index, stop in enumerate(resolved.stops):
        if index in repeated:
            continue
        low = lower if index == 0 else positions[index - 1]
        ranges.append(
            {"colorCode": to_hex((*stop.color[:3], 255)).upper(), "min": low, "max": stop.position}
        )
    return {"ranges": ranges}


def dumps_v2_legend(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
) -> str:
    """Write a ramp as V2 legend JSON text (see :func:`to_v2_legend`)."""
    return json.dumps(to_v2_legend(ramp, basis=basis, lossy=lossy), indent=2) + "\n"


def loads_v2_legend(text: str | bytes, *, name: str = "") -> RampDocument:
    """Read V2 legend JSON text into a discrete ramp and its class edges.

    Raises
    ------
    FormatError
        With the JSON path of the first bad entry.
    """
    from rampkit.legend import ramp_from_v2_legend

    data = loads_json_strict(text)
    ramp = ramp_from_v2_legend(data, name=name)
    ranges = sorted(data["ranges"], key=lambda item: float(item["max"]))
    edges = (float(ranges[0]["min"]), *ramp.positions)
    classification = None
    if all(earlier <= later for earlier, later in zip(edges[:-1], edges[1:], strict=True)):
        classification = ClassificationSpec("manual", len(ramp.stops), edges)
    return RampDocument(
        ramp,
        classification=classification,
    )
