"""Legends: the API's V2 legend, classed and continuous legends, and their renderings.

Labels
    Classed legend labels show the class edges with as many decimals as
    they need, and one count of decimals for the whole legend. The count is
    the smallest for which the rounded edges are distinct and every value of
    the classified data stays in its class when the rounded edges replace the
    exact ones (classes stay right-closed). The outer edges only need to stay
    distinct, because values beyond them fall in the end classes anyway. The guarantee
    uses the smallest and largest value of each class that the
    :class:`~rampkit.classify.Classification` recorded; a classification
    without them (read from a V2 legend) only gets distinct labels.

Renderings
    ``to_html()`` returns a self-contained HTML fragment for notebooks and
    widgets, ``to_png()`` a PNG drawn with matplotlib's Agg backend (the same
    bytes for the same legend, matplotlib version and fonts), and
    ``to_leaflet()`` the ``{label: color}`` dict that
    ``ipyleaflet.LegendControl(legend=...)`` takes.
"""

from __future__ import annotations

import html
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal
from typing import Any, NamedTuple, TypeAlias

import numpy as np
from numpy.typing import NDArray

from rampkit.classify import V2_COLORS, Classification, RampSource
from rampkit.color import RGBA, parse_color, to_hex
from rampkit.colorize import Basis, evaluate
from rampkit.errors import ColorFormatError, FormatError, RampError
from rampkit.ramp import Ramp, Stop

__all__ = [
    "ClassedLegend",
    "ContinuousLegend",
    "LegendEntry",
    "NumberFormat",
    "classed_legend",
    "continuous_legend",
    "edge_labels",
    "ramp_from_v2_legend",
    "v2_legend",
]

NumberFormat: TypeAlias = "str | Callable[[float], str] | None"

# Decimals tried before falling back to the shortest exact text of a float.
_MAX_DECIMALS = 15
# Enough digits that quantizing any finite double to 15 decimals is exact.
_CONTEXT = Context(prec=400)
_DASH = "\u2013"
# Samples of a continuous legend's gradient, for the PNG and the HTML.
_GRADIENT_SIZE = 256
_HTML_GRADIENT_STOPS = 64


class LegendEntry(NamedTuple):
    """One legend row: its label and color."""

    label: str
    color: RGBA


# -- number formatting ------------------------------------------------------


def _fixed(value: float, decimals: int, rounding: str = ROUND_HALF_EVEN) -> str:
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(value).quantize(quantum, rounding=rounding, context=_CONTEXT)
    text = format(number, "f")
    # "-0" and "-0.0" read as a sign error on a legend.
    return text.lstrip("-") if number.is_zero() else text


def _custom(fmt: str | Callable[[float], str]) -> Callable[[float], str]:
    if callable(fmt):
        return fmt
    if "{" in fmt:
        return fmt.format
    return lambda value: format(value, fmt)


def _data_bounds(
    classification: Classification,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return, per inner edge, the largest value at or below it and the smallest above it.

    A class without recorded values puts no constraint on its neighbours.
    """
    maxima = np.asarray(classification.class_max, dtype=np.float64)
    minima = np.asarray(classification.class_min, dtype=np.float64)
    below = np.fmax.accumulate(np.where(np.isnan(maxima), -np.inf, maxima))
    above = np.fmin.accumulate(np.where(np.isnan(minima), np.inf, minima)[::-1])[::-1]
    # Inner edge i (1 to k - 1) sits between class i - 1 and class i.
    return below[:-1], above[1:]


def _inner_text(edge: float, decimals: int, below: float, above: float) -> str | None:
    """Return a label with ``decimals`` decimals in ``[below, above)``, or None.

    The rounded edge comes first; when it falls outside, the smallest number
    with that many decimals at or above ``below`` may still fit the gap.
    """
    text = _fixed(edge, decimals)
    if below <= float(text) < above:
        return text
    if math.isinf(below):
        return None
    text = _fixed(below, decimals, ROUND_CEILING)
    return text if float(text) < above else None


def _ascending(texts: list[str], edges: Sequence[float]) -> bool:
    values = [float(text) for text in texts]
    uppers = values[1:]
    if any(b <= a for a, b in zip(uppers, uppers[1:], strict=False)):
        return False
    return not (edges[0] < edges[1] and values[0] >= values[1])


def edge_labels(classification: Classification, fmt: NumberFormat = None) -> tuple[str, ...]:
    """Return the text of each of the k + 1 class edges; see the module docstring.

    Parameters
    ----------
    classification : Classification
    fmt : str or callable, optional
        A format spec (``".1f"``, ``"{:,.0f}"``) or a function of a float.
        None picks the decimals automatically; a given format carries no
        guarantee that labels stay distinct.

    Examples
    --------
    >>> from rampkit.classify import classify
    >>> c = classify(np.array([1.04, 2.0, 2.61, 4.2]), "equal_interval", k=2)
    >>> c.edges
    (1.04, 2.62, 4.2)
    >>> edge_labels(c)
    ('1', '3', '4')
    """
    edges = classification.edges
    if fmt is not None:
        render = _custom(fmt)
        return tuple(render(edge) for edge in edges)

    below, above = _data_bounds(classification)
    for decimals in range(_MAX_DECIMALS + 1):
        inner = [
            _inner_text(edge, decimals, low, high)
            for edge, low, high in zip(edges[1:-1], below, above, strict=True)
        ]
        if any(text is None for text in inner):
            continue
        texts = [_fixed(edges[0], decimals), *(t for t in inner if t), _fixed(edges[-1], decimals)]
        if edges[0] == edges[1]:
            texts[0] = texts[1]
        if _ascending(texts, edges):
            return tuple(texts)
    # The shortest text that reads back as the same float keeps every class.
    return tuple(repr(float(edge)) for edge in edges)


def _tick_labels(values: Sequence[float], fmt: NumberFormat) -> tuple[str, ...]:
    if fmt is not None:
        render = _custom(fmt)
        return tuple(render(value) for value in values)
    for decimals in range(_MAX_DECIMALS + 1):
        texts = tuple(_fixed(value, decimals, ROUND_HALF_EVEN) for value in values)
        if len(set(texts)) == len(texts):
            return texts
    return tuple(repr(float(value)) for value in values)


def _css(color: RGBA) -> str:
    r, g, b, a = color
    if a == 255:
        return to_hex(color)
    return f"rgba({r}, {g}, {b}, {a / 255:.3f})"


def _title(title: str, unit: str) -> str:
    if title and unit:
        return f"{title} ({unit})"
    return title or unit


def _mpl_color(color: RGBA) -> tuple[float, float, float, float]:
    r, g, b, a = color
    return (r / 255, g / 255, b / 255, a / 255)


def _save_png(figure: Any, path: str | os.PathLike[str] | None) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No Software tag, so the bytes do not change with the matplotlib version string.
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    data = buffer.getvalue()
    if path is not None:
        with open(path, "wb") as handle:
            handle.write(data)
    return data


# -- classed legend -----------------------------------------------------------

# PNG layout of a classed legend, in pixels at 100 dpi.
_ROW = 22
_SWATCH = (28, 16)
_PAD = 8
_TITLE = 24


@dataclass(frozen=True, slots=True)
class ClassedLegend:
    """A legend of k classes: one swatch and one range label per class.

    Attributes
    ----------
    entries : tuple of LegendEntry
        ``(label, color)`` per class, lowest class first.
    bounds : tuple of float
        The k + 1 edges as the labels show them.
    title : str
        The heading, with the unit in brackets.
    unit : str
        The property's unit, such as ``"bu/ac"``.
    """

    entries: tuple[LegendEntry, ...]
    bounds: tuple[float, ...]
    title: str = ""
    unit: str = ""

    def to_leaflet(self) -> dict[str, str]:
        """Return ``{label: "#rrggbb"}`` for ``ipyleaflet.LegendControl(legend=...)``."""
        return {entry.label: to_hex(entry.color) for entry in self.entries}

    def to_html(self) -> str:
        """Return an HTML fragment: a title and one swatch row per class."""
        rows = []
        if self.title:
            rows.append(f'<div style="font-weight: bold">{html.escape(self.title)}</div>')
        for label, color in self.entries:
            rows.append(
                '<div><span style="display: inline-block; width: 1.6em; height: 1em; '
                f'vertical-align: middle; background: {_css(color)}"></span> '
                f"{html.escape(label)}</div>"
            )
        body = "\n".join(rows)
        return (
            '<div class="rampkit-legend" style="font: 12px sans-serif; line-height: 1.5">\n'
            f"{body}\n</div>"
        )

    def to_png(self, path: str | os.PathLike[str] | None = None) -> bytes:
        """Draw the legend as a PNG; write it to ``path`` when given and return the bytes.

        Swatch i is a ``28 x 16`` pixel rectangle whose top-left corner is at
        ``(8, top + 22 * i + 3)``, with ``top`` 24 pixels when there is a title
        and 8 without.
        """
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        longest = max((len(entry.label) for entry in self.entries), default=0)
        width = max(160, _PAD * 3 + _SWATCH[0] + 8 * longest, 8 * len(self.title) + 2 * _PAD)
        top = _TITLE if self.title else _PAD
        height = top + _ROW * len(self.entries) + _PAD
        figure = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor="white")
        if self.title:
            figure.text(_PAD / width, 1 - (_PAD + 8) / height, self.title,
                        fontsize=10, fontweight="bold", va="center", ha="left")
        for index, (label, color) in enumerate(self.entries):
            y = top + _ROW * index + (_ROW - _SWATCH[1]) // 2
            figure.add_artist(Rectangle(
                (_PAD / width, 1 - (y + _SWATCH[1]) / height), _SWATCH[0] / width,
                _SWATCH[1] / height, transform=figure.transFigure,
                facecolor=_mpl_color(color), edgecolor="none", antialiased=False,
            ))
            figure.text((2 * _PAD + _SWATCH[0]) / width, 1 - (y + _SWATCH[1] / 2) / height,
                        label, fontsize=9, va="center", ha="left")
        return _save_png(figure, path)

    def _repr_html_(self) -> str:
        return self.to_html()


def classed_legend(
    classification: Classification,
    ramp: RampSource = "leaf_standard",
    *,
    unit: str = "",
    fmt: NumberFormat = None,
    title: str = "",
) -> ClassedLegend:
    """Build the legend of a classification colored by a ramp.

    Parameters
    ----------
    classification : Classification
    ramp : Ramp, str or sequence of colors, default "leaf_standard"
        Class colors, taken as :meth:`Classification.to_ramp` takes them.
    unit : str, default ""
        The property's unit, shown in the title.
    fmt : str or callable, optional
        Number format; None picks decimals as described in the module docstring.
    title : str, default ""
        The heading, such as the property name.

    Examples
    --------
    >>> from rampkit.classify import classify
    >>> c = classify(np.array([5.0, 20.0, 35.0, 50.0]), "equal_interval", k=3)
    >>> legend = classed_legend(c, ["#C80000", "#FFF000", "#008200"], unit="bu/ac")
    >>> legend.to_leaflet()
    {'5 – 20': '#c80000', '20 – 35': '#fff000', '35 – 50': '#008200'}
    """
    colors = classification.to_ramp(ramp).colors
    texts = edge_labels(classification, fmt)
    entries = []
    for index, color in enumerate(colors):
        lower, upper = texts[index], texts[index + 1]
        single = index == 0 and classification.edges[0] == classification.edges[1]
        label = upper if single else f"{lower} {_DASH} {upper}"
        entries.append(LegendEntry(label, color))
    try:
        bounds = tuple(float(text) for text in texts)
    except ValueError:
        bounds = classification.edges
    return ClassedLegend(tuple(entries), bounds, _title(title, unit), unit)


# -- continuous legend --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContinuousLegend:
    """A gradient bar with labelled ticks.

    Attributes
    ----------
    entries : tuple of LegendEntry
        ``(label, color)`` at each tick, lowest first.
    ticks : tuple of float
        Tick values, in the data's unit.
    gradient : tuple of RGBA
        The ramp's colors at evenly spaced values from ``vmin`` to ``vmax``.
    vmin, vmax : float
        The value range the bar spans.
    title, unit : str
    """

    entries: tuple[LegendEntry, ...]
    ticks: tuple[float, ...]
    gradient: tuple[RGBA, ...]
    vmin: float
    vmax: float
    title: str = ""
    unit: str = ""

    def to_leaflet(self) -> dict[str, str]:
        """Return ``{tick label: "#rrggbb"}`` for ``ipyleaflet.LegendControl``."""
        return {entry.label: to_hex(entry.color) for entry in self.entries}

    def _position(self, value: float) -> float:
        span = self.vmax - self.vmin
        return 0.0 if span == 0 else (value - self.vmin) / span * 100.0

    def to_html(self) -> str:
        """Return an HTML fragment: a title, a CSS gradient bar and tick labels."""
        count = len(self.gradient)
        picks = np.linspace(0, count - 1, min(count, _HTML_GRADIENT_STOPS)).round().astype(int)
        stops = ", ".join(
            f"{_css(self.gradient[i])} {i / max(count - 1, 1) * 100:.2f}%" for i in picks
        )
        parts = ['<div class="rampkit-legend" style="font: 12px sans-serif; width: 16em">']
        if self.title:
            parts.append(f'<div style="font-weight: bold">{html.escape(self.title)}</div>')
        parts.append(
            f'<div style="height: 1em; background: linear-gradient(to right, {stops})"></div>'
        )
        parts.append('<div style="position: relative; height: 1.4em">')
        for (label, _), value in zip(self.entries, self.ticks, strict=True):
            parts.append(
                f'<span style="position: absolute; left: {self._position(value):.2f}%; '
                f'transform: translateX(-50%)">{html.escape(label)}</span>'
            )
        parts.append("</div>\n</div>")
        return "\n".join(parts)

    def to_png(self, path: str | os.PathLike[str] | None = None) -> bytes:
        """Draw the gradient bar with ticks as a PNG; write it to ``path`` when given."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(3.2, 0.9 if self.title else 0.7), dpi=100, facecolor="white")
        axes = figure.add_axes((0.06, 0.45, 0.88, 0.25 if self.title else 0.35))
        low, high = self.vmin, self.vmax
        if high == low:
            low, high = low - 0.5, high + 0.5
        image = np.asarray(self.gradient, dtype=np.uint8)[np.newaxis, :, :]
        axes.imshow(image, aspect="auto", extent=(low, high, 0, 1), interpolation="nearest")
        axes.set_yticks([])
        axes.set_xticks(list(self.ticks), [entry.label for entry in self.entries], fontsize=8)
        axes.set_xlim(low, high)
        if self.title:
            axes.set_title(self.title, fontsize=9, loc="left")
        return _save_png(figure, path)

    def _repr_html_(self) -> str:
        return self.to_html()


def _resolve_range(ramp: Ramp, basis: Basis | tuple[float, float] | None) -> tuple[float, float]:
    if basis is None:
        if ramp.relative:
            raise RampError(
                "a relative ramp needs a basis for its legend; pass Basis.fixed(vmin, vmax), "
                "a (vmin, vmax) pair or the basis a colorize() result recorded"
            )
        return ramp.positions[0], ramp.positions[-1]
    if isinstance(basis, Basis):
        if basis.vmin is None or basis.vmax is None:
            raise RampError(
                f"basis {basis!r} is not resolved; use resolve_basis(values, basis) first"
            )
        return basis.vmin, basis.vmax
    vmin, vmax = (float(value) for value in basis)
    if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmax < vmin:
        raise RampError(f"basis {basis!r} is not a finite ascending range; give vmin <= vmax")
    return vmin, vmax


def continuous_legend(
    ramp: Ramp,
    basis: Basis | tuple[float, float] | None = None,
    *,
    unit: str = "",
    ticks: int | Sequence[float] = 5,
    fmt: NumberFormat = None,
    title: str = "",
) -> ContinuousLegend:
    """Build a gradient legend of a ramp over a value range.

    Parameters
    ----------
    ramp : Ramp
        Relative or absolute; any mode (the gradient shows hard steps as such).
    basis : Basis or (vmin, vmax), optional
        The resolved range of the render; an absolute ramp defaults to its
        first and last stop.
    unit : str, default ""
    ticks : int or sequence of float, default 5
        A count of evenly spaced ticks from vmin to vmax (ends included), or
        the tick values.
    fmt : str or callable, optional
        Number format; None gives the fewest decimals that keep ticks distinct.
    title : str, default ""

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"0%": [200, 0, 0], "100%": [0, 130, 0]})
    >>> continuous_legend(ramp, (5.0, 283.9), unit="bu/ac", ticks=3).to_leaflet()
    {'5': '#c80000', '144': '#644100', '284': '#008200'}
    """
    vmin, vmax = _resolve_range(ramp, basis)
    absolute = ramp.resolve(vmin, vmax)
    if isinstance(ticks, bool):
        raise RampError(f"ticks {ticks!r} is not a count or a list of values; give 5 or [0, 50]")
    if isinstance(ticks, int):
        if ticks < 1:
            raise RampError(f"ticks {ticks!r} is below 1; give a tick count such as 5")
        count = 1 if vmin == vmax else ticks
        values = np.linspace(vmin, vmax, count) if count > 1 else np.array([vmin])
    else:
        values = np.asarray(list(ticks), dtype=np.float64)
    labels = _tick_labels([float(v) for v in values], fmt)
    tick_colors = evaluate(values, absolute)
    samples = np.linspace(vmin, vmax, _GRADIENT_SIZE)
    gradient = tuple(tuple(int(c) for c in row) for row in evaluate(samples, absolute))
    entries = tuple(
        LegendEntry(label, tuple(int(c) for c in color))  # type: ignore[arg-type]
        for label, color in zip(labels, tick_colors, strict=True)
    )
    return ContinuousLegend(
        entries,
        tuple(float(v) for v in values),
        gradient,  # type: ignore[arg-type]
        vmin,
        vmax,
        _title(title, unit),
        unit,
    )


# -- the API's V2 legend ------------------------------------------------------


def v2_legend(
    classification: Classification, ramp: RampSource = V2_COLORS
) -> dict[str, list[dict[str, Any]]]:
    """Return the legend of the API's V2 images for a classification.

    Parameters
    ----------
    classification : Classification
    ramp : Ramp, str or sequence of colors, default V2_COLORS
        Class colors, taken as :meth:`Classification.to_ramp` takes them.

    Returns
    -------
    dict
        ``{"ranges": [{"colorCode": "#RRGGBB", "min": float, "max": float}, ...]}``,
        lowest class first, with the exact class edges.

    Examples
    --------
    >>> from rampkit.classify import classify
    >>> c = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", k=2)
    >>> v2_legend(c, ["#C80000", "#008200"])["ranges"][1]
    {'colorCode': '#008200', 'min': 2.5, 'max': 4.0}
    """
    colors = classification.to_ramp(ramp).colors
    edges = classification.edges
    ranges = [
        {"colorCode": to_hex(color[:3]).upper(), "min": edges[i], "max": edges[i + 1]}
        for i, color in enumerate(colors)
    ]
    return {"ranges": ranges}


def _legend_number(item: Mapping[str, Any], key: str, index: int) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(
            f"ranges[{index}].{key} {value!r} is not a finite number; "
            "each range needs numeric 'min' and 'max'"
        )
    return float(value)


def ramp_from_v2_legend(legend: Mapping[str, Any], *, name: str = "v2_legend") -> Ramp:
    """Read a V2 legend back into a ``discrete`` ramp with a stop at each range's max.

    Ranges may come in any order; they are sorted by ``max``.

    Raises
    ------
    FormatError
        With the JSON path of the first bad entry (``ranges[2].colorCode``).

    Examples
    --------
    >>> legend = {"ranges": [{"colorCode": "#C80000", "min": 1, "max": 2.5},
    ...                      {"colorCode": "#008200", "min": 2.5, "max": 4}]}
    >>> ramp_from_v2_legend(legend)
    Ramp('v2_legend', discrete, 2.5=#c80000, 4=#008200, nv=#00000000)
    """
    ranges = legend.get("ranges") if isinstance(legend, Mapping) else None
    if not isinstance(ranges, list) or not ranges:
        raise FormatError(
            f"V2 legend {str(legend)[:80]!r} has no 'ranges' list; give "
            "{\"ranges\": [{\"colorCode\": \"#C80000\", \"min\": 0, \"max\": 10}, ...]}"
        )
    stops: list[tuple[float, RGBA]] = []
    for index, item in enumerate(ranges):
        if not isinstance(item, Mapping):
            raise FormatError(
                f"ranges[{index}] {item!r} is not an object; give colorCode, min and max"
            )
        lower = _legend_number(item, "min", index)
        upper = _legend_number(item, "max", index)
        if lower > upper:
            raise FormatError(
                f"ranges[{index}] has min {lower!r} above max {upper!r}; swap them"
            )
        try:
            color = parse_color(item.get("colorCode"), where=f"ranges[{index}].colorCode")
        except ColorFormatError as exc:
            raise FormatError(str(exc)) from None
        stops.append((upper, color))
    stops.sort(key=lambda stop: stop[0])
    for (first, _), (second, _) in zip(stops, stops[1:], strict=False):
        if first == second:
            raise FormatError(
                f"two V2 legend ranges end at max {first!r}; each class needs its own max"
            )
    return Ramp(
        tuple(Stop(position, color) for position, color in stops),
        relative=False,
        mode="discrete",
        name=name,
    )
