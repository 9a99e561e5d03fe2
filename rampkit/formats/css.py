"""CSS gradients and HTML legends (write only).

``linear``
    Color stops at the stop positions, so a hard step (two stops at one
    position) stays a hard edge.
``discrete``
    Each class color from the previous stop to its own stop.
``nearest``
    Each color from the midpoint before its stop to the midpoint after it.
``exact``
    A gradient cannot show single values; a loss.

Positions are percents of the gradient's length: a percent ramp keeps its
percents, and an absolute ramp is spread from its first to its last stop,
which the legend labels with values. Colors with alpha are written as
``#rrggbbaa``. The nv color is not part of a gradient; the HTML legend shows
it as a separate swatch.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from rampkit.color import RGBA, to_hex
from rampkit.colorize import Basis
from rampkit.errors import FormatError
from rampkit.formats.document import Losses, RampDocument, as_document, coerce_basis
from rampkit.ramp import Ramp, format_position

__all__ = ["dumps_css", "dumps_html_legend", "to_css_gradient"]


def _percent(value: float) -> str:
    return format_position(round(value, 6), True)


def _gradient_stops(ramp: Ramp) -> list[tuple[RGBA, float]]:
    positions = list(ramp.positions)
    colors = list(ramp.colors)
    if ramp.relative:
        percents = positions
    else:
        low, span = positions[0], positions[-1] - positions[0]
        percents = [100.0 * (p - low) / span if span else 0.0 for p in positions]
    if ramp.mode == "discrete":
        stops = [(colors[0], 0.0), (colors[0], percents[0])]
        for index in range(1, len(colors)):
            stops += [(colors[index], percents[index - 1]), (colors[index], percents[index])]
        return stops
    if ramp.mode == "nearest":
        edges = [(a + b) / 2 for a, b in zip(percents[:-1], percents[1:], strict=True)]
        bounds = [0.0, *edges, 100.0]
        stops = []
        for index, color in enumerate(colors):
            stops += [(color, bounds[index]), (color, bounds[index + 1])]
        return stops
    return list(zip(colors, percents, strict=True))


# The directions that CSS Images Level 3 allows in linear-gradient():
# 'to' with one side or two crossing sides, or an angle with its unit.
_DIRECTION = re.compile(
    r"to\s+(?:(?:left|right)(?:\s+(?:top|bottom))?|(?:top|bottom)(?:\s+(?:left|right))?)"
    r"|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:deg|grad|rad|turn)|0",
    re.IGNORECASE,
)


def to_css_gradient(
    ramp: Ramp | RampDocument, *, lossy: bool = False, direction: str = "to right"
) -> str:
    """Return a CSS ``linear-gradient()`` that draws the ramp.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    lossy : bool, default False
        Accept drawing an ``exact`` ramp as ``nearest``.
    direction : str, default "to right"
        The gradient line, as CSS writes it (``"to top"``, ``"90deg"``).

    Raises
    ------
    FormatError
        If ``direction`` is neither a side (``to right``) nor an angle.
    LossyConversionError
        For an ``exact`` ramp when ``lossy`` is False.

    Examples
    --------
    >>> to_css_gradient(Ramp.from_mapping({"0%": "#c80000", "100%": "#008200"}))
    'linear-gradient(to right, #c80000 0%, #008200 100%)'
    """
    if not isinstance(direction, str) or not _DIRECTION.fullmatch(direction.strip()):
        raise FormatError(
            f"direction {direction!r} is not a CSS gradient direction; write a side such as "
            "direction='to right' or 'to top left', or an angle such as '90deg'"
        )
    document = as_document(ramp)
    source = document.ramp
    losses = Losses("a CSS gradient", source)
    losses.mode(("linear", "nearest", "discrete"))
    losses.check(lossy)
    if source.mode == "exact":
        source = source.with_mode("nearest")
    parts = [f"{to_hex(color)} {_percent(percent)}" for color, percent in _gradient_stops(source)]
    return f"linear-gradient({direction}, {', '.join(parts)})"


def _class_name(name: str) -> str:
    return "rampkit-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "ramp")


def dumps_css(
    ramp: Ramp | RampDocument, *, lossy: bool = False, direction: str = "to right"
) -> str:
    """Write a CSS rule that paints an element with the ramp's gradient.

    The selector is ``.rampkit-<name>``; a custom property
    ``--rampkit-nodata-color`` carries the nv color.
    """
    document = as_document(ramp)
    gradient = to_css_gradient(document, lossy=lossy, direction=direction)
    return (
        f".{_class_name(document.ramp.name)} {{\n"
        f"  background: {gradient};\n"
        f"  --rampkit-nodata-color: {to_hex(document.ramp.nodata_color, alpha=True)};\n"
        "}\n"
    )


def dumps_html_legend(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
    title: str | None = None,
) -> str:
    """Write a standalone HTML legend: a gradient bar, one row per stop and the nv swatch.

    Parameters
    ----------
    ramp : Ramp or RampDocument
        Labels come from the document (see :meth:`RampDocument.stop_labels`).
    basis : Basis or (vmin, vmax), optional
        Labels a percent ramp with values; by default the document's basis.
    lossy : bool, default False
        Accept drawing an ``exact`` ramp's bar as ``nearest``.
    title : str, optional
        Heading; by default the ramp's name and the document's unit.
    """
    document = as_document(ramp)
    gradient = to_css_gradient(document, lossy=lossy)
    source = document.ramp
    chosen = coerce_basis(basis) or document.basis
    labelled = document
    if source.relative and chosen is not None and chosen.resolved and not document.labels:
        labelled = document.with_ramp(source.resolve(float(chosen.vmin), float(chosen.vmax)))  # type: ignore[arg-type]
    labels = labelled.stop_labels()
    heading = (
        title
        if title is not None
        else " ".join(
            part for part in (source.name, f"({document.unit})" if document.unit else "") if part
        )
    )

    rows = []
    for color, label in zip(source.colors, labels, strict=True):
        rows.append(
            f'    <li><span class="swatch" style="background: {to_hex(color)}"></span>'
            f"{html.escape(label)}</li>"
        )
    rows.append(
        '    <li><span class="swatch" style="background: '
        f'{to_hex(source.nodata_color, alpha=True)}"></span>no value</li>'
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{html.escape(heading or 'ramp')}</title>",
            "<style>",
            ".rampkit-legend { font: 13px sans-serif; }",
            f".rampkit-legend .bar {{ height: 16px; width: 320px; background: {gradient}; }}",
            ".rampkit-legend ul { list-style: none; padding: 0; }",
            ".rampkit-legend .swatch { display: inline-block; width: 14px; height: 14px;"
            " margin-right: 6px; vertical-align: middle; border: 1px solid #999; }",
            "</style>",
            "</head>",
            "<body>",
            '<div class="rampkit-legend">',
            f"  <h3>{html.escape(heading)}</h3>" if heading else "",
            '  <div class="bar"></div>',
            "  <ul>",
            *rows,
            "  </ul>",
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )
