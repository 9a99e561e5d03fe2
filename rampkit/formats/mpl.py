"""matplotlib colormaps and norms: ramps to ``(Colormap, Norm)`` and back.

A rampkit ramp becomes a colormap plus the norm that places it on the data,
so ``cmap(norm(values))`` colors values as :func:`rampkit.colorize.colorize`
does:

``linear``
    A ``LinearSegmentedColormap`` with one segment row per stop (hard steps
    keep their two colors) and a ``Normalize`` from the first to the last
    stop. A percent ramp without a basis gets ``Normalize()`` with no limits,
    which matplotlib scales to the data's minimum and maximum, the same
    basis rampkit uses by default.
``nearest``
    A ``ListedColormap`` of the stop colors. Evenly spaced stops get a
    ``Normalize`` whose bins are centred on them; other spacings get a
    ``BoundaryNorm`` with the midpoints as boundaries.
``discrete``
    A ``ListedColormap`` of the class colors with a ``BoundaryNorm``; the
    class at or below the first stop is the colormap's under color.
    matplotlib bins are closed on the left and rampkit classes on the right,
    so each boundary is placed one float64 step above its stop, which makes
    every float64 value fall in the same class in both.
``exact``
    matplotlib has none; with ``lossy=True`` the ramp is written as
    ``nearest``.

The no-value color is the colormap's bad color. Colormaps read back
(:func:`from_matplotlib`) by the inverse rules: a ``ListedColormap`` with a
``Normalize`` keeps its steps as a ``nearest`` ramp whose stops sit at the
bin centres, a ``BoundaryNorm`` gives a ``discrete`` ramp, and a
``LinearSegmentedColormap`` gives a ``linear`` ramp.

The colors of a ``LinearSegmentedColormap`` come from a lookup table of
``N`` entries. :func:`to_matplotlib` picks ``N`` from the steepest segment so
that each entry is within half a unit of the exact color, which keeps
``cmap(norm(values), bytes=True)`` within one unit per channel of rampkit.
NOTE: values within one table entry of a hard step, or of a segment steeper
than the largest table (65536 entries) allows, can take the color on the
other side of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np

from rampkit._text import did_you_mean
from rampkit.color import RGBA
from rampkit.colorize import Basis
from rampkit.errors import FormatError, RampError, UnknownRampError
from rampkit.formats.document import Losses, RampDocument, as_document, coerce_basis
from rampkit.ramp import Ramp, Stop

__all__ = ["from_matplotlib", "loads_matplotlib", "to_matplotlib"]

_MAX_LUT = 1 << 16
_MIN_LUT = 256
_CHANNELS = ("red", "green", "blue", "alpha")


def _unit(color: RGBA) -> tuple[float, float, float, float]:
    return (color[0] / 255, color[1] / 255, color[2] / 255, color[3] / 255)


def _byte(value: float) -> int:
    return int(min(255, max(0, round(float(value) * 255))))


def _rgba(values: Sequence[float]) -> RGBA:
    return (_byte(values[0]), _byte(values[1]), _byte(values[2]), _byte(values[3]))


def _lut_size(positions: Sequence[float], colors: Sequence[RGBA]) -> int:
    """Return a lookup table size that keeps every entry within half a unit."""
    steepest = 0.0
    for index in range(1, len(positions)):
        width = positions[index] - positions[index - 1]
        if width <= 0:
            continue
        change = max(abs(a - b) for a, b in zip(colors[index], colors[index - 1], strict=True))
        steepest = max(steepest, change / width)
    # A lookup is off by at most one entry, 1/N of the unit interval.
    return int(min(_MAX_LUT, max(_MIN_LUT, math.ceil(2 * steepest) + 1)))


def _linear(ramp: Ramp, name: str) -> tuple[Any, Any]:
    from matplotlib.colors import LinearSegmentedColormap, Normalize

    if ramp.relative:
        positions = [p / 100 for p in ramp.positions]
        colors = list(ramp.colors)
        # The colormap spans 0-1 while the stops may not: the ends keep the
        # end colors, as values outside the stops do in rampkit.
        if positions[0] > 0:
            positions.insert(0, 0.0)
            colors.insert(0, colors[0])
        if positions[-1] < 1:
            positions.append(1.0)
            colors.append(colors[-1])
        norm = Normalize()
    else:
        low, high = ramp.positions[0], ramp.positions[-1]
        # NOTE: a ramp whose stops all share one position has no width to
        # spread a colormap over; its colors all land at 0.
        span = high - low or 1.0
        positions = [(p - low) / span for p in ramp.positions]
        positions[-1] = 1.0 if high > low else positions[-1]
        colors = list(ramp.colors)
        norm = Normalize(vmin=low, vmax=high if high > low else low + 1.0)
    segments: dict[str, list[tuple[float, float, float]]] = {key: [] for key in _CHANNELS}
    for x, color in zip(positions, colors, strict=True):
        for key, channel in zip(_CHANNELS, _unit(color), strict=True):
            segments[key].append((x, channel, channel))
    # matplotlib types the segment data with literal channel keys.
    cmap = LinearSegmentedColormap(name, cast(Any, segments), N=_lut_size(positions, colors))
    return cmap, norm


def _evenly_spaced(positions: Sequence[float]) -> bool:
    steps = np.diff(positions)
    return bool(
        len(steps) == 0 or np.allclose(steps, steps[0], rtol=1e-9, atol=0) and steps[0] > 0
    )


def _nearest(ramp: Ramp, name: str, losses: Losses) -> tuple[Any, Any]:
    from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize

    colors = [_unit(color) for color in ramp.colors]
    cmap = ListedColormap(colors, name=name)
    positions = ramp.positions
    n = len(positions)
    if _evenly_spaced(positions):
        half = (positions[-1] - positions[0]) / (2 * (n - 1)) if n > 1 else 0.5
        low, high = positions[0] - half, positions[-1] + half
        if ramp.relative:
            if math.isclose(low, 0.0, abs_tol=1e-9) and math.isclose(high, 100.0):
                return cmap, Normalize()
            losses.add(
                "the percent positions, because a matplotlib Normalize without limits "
                "centres n colors on (i + 0.5) * 100 / n percent (pass a basis)"
            )
            return cmap, Normalize()
        return cmap, Normalize(vmin=low, vmax=high)
    if ramp.relative:
        losses.add("the percent stops of a nearest ramp (pass a basis)")
        return cmap, Normalize()
    midpoints = [(a + b) / 2 for a, b in zip(positions[:-1], positions[1:], strict=True)]
    return cmap, BoundaryNorm(midpoints, ncolors=n, extend="both")


def _discrete(ramp: Ramp, name: str, losses: Losses) -> tuple[Any, Any]:
    from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize

    colors = [_unit(color) for color in ramp.colors]
    if len(colors) == 1:
        return ListedColormap(colors, name=name), Normalize()
    if ramp.relative:
        losses.add("the percent class edges of a discrete ramp (pass a basis)")
        ramp = ramp.resolve(0.0, 100.0)
    boundaries = [math.nextafter(p, math.inf) for p in ramp.positions]
    cmap = ListedColormap(colors[1:], name=name).with_extremes(under=colors[0], over=colors[-1])
    return cmap, BoundaryNorm(boundaries, ncolors=len(colors) - 1)


def to_matplotlib(
    ramp: Ramp | RampDocument,
    *,
    basis: Basis | Sequence[float] | None = None,
    lossy: bool = False,
) -> tuple[Any, Any]:
    """Return a matplotlib colormap and norm that color values as the ramp does.

    Parameters
    ----------
    ramp : Ramp or RampDocument
    basis : Basis or (vmin, vmax), optional
        Resolves a percent ramp into values; by default the document's
        resolved basis, if any. A percent ``linear`` ramp needs none.
    lossy : bool, default False
        Accept writing an ``exact`` ramp as ``nearest``, or percent
        ``nearest`` and ``discrete`` ramps without a basis.

    Returns
    -------
    (matplotlib.colors.Colormap, matplotlib.colors.Normalize)

    Raises
    ------
    LossyConversionError
        If part of the ramp cannot be expressed and ``lossy`` is False.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"0": [0, 0, 0], "10": [200, 100, 50]})
    >>> cmap, norm = to_matplotlib(ramp)
    >>> cmap(norm([0.0, 10.0]), bytes=True).tolist()
    [[0, 0, 0, 255], [200, 100, 50, 255]]
    """
    document = as_document(ramp)
    source = document.ramp
    losses = Losses("a matplotlib colormap", source)
    chosen = coerce_basis(basis) or document.basis
    if source.relative and chosen is not None and chosen.resolved:
        source = source.resolve(float(chosen.vmin), float(chosen.vmax))  # type: ignore[arg-type]
    name = source.name or "rampkit"

    if source.mode == "exact":
        losses.add("mode 'exact' (matplotlib has no exact matching; it becomes 'nearest')")
        cmap, norm = _nearest(source, name, losses)
    elif source.mode == "nearest":
        cmap, norm = _nearest(source, name, losses)
    elif source.mode == "discrete":
        cmap, norm = _discrete(source, name, losses)
    else:
        cmap, norm = _linear(source, name)
    losses.check(lossy)
    return cmap.with_extremes(bad=_unit(source.nodata_color)), norm


# -- reading -----------------------------------------------------------------


def _segment_value(rows: np.ndarray, x: float, side: str) -> float:
    """Return a channel's value at ``x``, from the left or the right of a step."""
    at = np.flatnonzero(rows[:, 0] == x)
    if at.size:
        return float(rows[at[0], 1] if side == "left" else rows[at[-1], 2])
    upper = int(np.searchsorted(rows[:, 0], x))
    x0, _, y0 = rows[upper - 1]
    x1, y1, _ = rows[upper]
    return float(y0 + (y1 - y0) * (x - x0) / (x1 - x0))


def _linear_stops(cmap: Any) -> list[tuple[float, RGBA]]:
    data = cmap._segmentdata
    if any(callable(data.get(key)) for key in _CHANNELS):
        # Channels given as functions: sample the lookup table.
        samples = cmap(np.linspace(0.0, 1.0, cmap.N))
        return [(i / (cmap.N - 1), _rgba(row)) for i, row in enumerate(samples)]
    rows = {
        key: np.asarray(data.get(key, [(0.0, 1.0, 1.0), (1.0, 1.0, 1.0)]), float)
        for key in _CHANNELS
    }
    xs = sorted({float(x) for key in _CHANNELS for x in rows[key][:, 0]})
    stops: list[tuple[float, RGBA]] = []
    for x in xs:
        left = _rgba([_segment_value(rows[key], x, "left") for key in _CHANNELS])
        right = _rgba([_segment_value(rows[key], x, "right") for key in _CHANNELS])
        # Rows that repeat one x are kept as they are, so hard steps survive.
        repeats = max(int(np.count_nonzero(rows[key][:, 0] == x)) for key in _CHANNELS)
        if repeats > 1 and all(
            np.array_equal(rows[key][:, 0], rows[_CHANNELS[0]][:, 0]) for key in _CHANNELS
        ):
            for index in np.flatnonzero(rows["red"][:, 0] == x):
                stops.append((x, _rgba([rows[key][index, 1] for key in _CHANNELS])))
            continue
        stops.append((x, left))
        if right != left:
            stops.append((x, right))
    return stops


def _lookup(cmap: Any, norm: Any, value: float) -> RGBA:
    return _rgba(cmap(norm(np.array([value], dtype=np.float64)))[0])


def _unknown_colormap_message(name: str, registered: Iterable[str]) -> str:
    # matplotlib's names are case-sensitive ('RdYlGn'), so close matches are
    # found ignoring case and suggested in matplotlib's spelling.
    suggestion = did_you_mean(name, registered)
    return (
        f"unknown matplotlib colormap {name!r}{suggestion}; give a registered name such as "
        "'viridis' or 'RdYlGn', or list them with: python -c \"import matplotlib; "
        'print(sorted(matplotlib.colormaps))"'
    )


def from_matplotlib(cmap: Any, norm: Any = None, *, name: str | None = None) -> Ramp:
    """Build a ramp from a matplotlib colormap (or its name) and an optional norm.

    Parameters
    ----------
    cmap : matplotlib.colors.Colormap or str
        A colormap, or the name of a registered one (``"viridis"``).
    norm : matplotlib.colors.Normalize, optional
        Places the colormap on values. None, or a ``Normalize`` without
        limits, gives a percent ramp over the data's range.
    name : str, optional
        Name of the ramp; by default the colormap's.

    Returns
    -------
    Ramp
        ``linear`` for a ``LinearSegmentedColormap``; ``nearest`` for a
        ``ListedColormap`` (its steps are kept, never blended); ``discrete``
        for a ``BoundaryNorm``.

    Raises
    ------
    UnknownRampError
        If no colormap has that name.
    FormatError
        For a norm other than ``Normalize`` and ``BoundaryNorm``.

    Examples
    --------
    >>> ramp = from_matplotlib("tab10")
    >>> ramp.mode, ramp.keys()[:2], ramp.colors[0]
    ('nearest', ('5%', '15%'), (31, 119, 180, 255))
    """
    import matplotlib
    from matplotlib.colors import (
        BoundaryNorm,
        LinearSegmentedColormap,
        ListedColormap,
        Normalize,
    )

    if isinstance(cmap, str):
        try:
            cmap = matplotlib.colormaps[cmap]
        except KeyError:
            raise UnknownRampError(_unknown_colormap_message(cmap, matplotlib.colormaps)) from None
    ramp_name = cmap.name if name is None else name
    nodata_color = _rgba(cmap.get_bad())

    if isinstance(norm, BoundaryNorm):
        return _from_boundary_norm(cmap, norm, ramp_name, nodata_color)
    if norm is not None and type(norm) is not Normalize:
        raise FormatError(
            f"norm {type(norm).__name__} cannot be read as a ramp; use Normalize or BoundaryNorm"
        )
    limits = None
    if norm is not None and norm.vmin is not None and norm.vmax is not None:
        limits = (float(norm.vmin), float(norm.vmax))

    stops: list[tuple[float, RGBA]]
    if isinstance(cmap, ListedColormap):
        count = cmap.N
        stops = [((i + 0.5) / count, _rgba(cmap(i))) for i in range(count)]
        # A nearest ramp needs two stops; one color is a single class.
        mode = "nearest" if count > 1 else "discrete"
    elif isinstance(cmap, LinearSegmentedColormap):
        stops = _linear_stops(cmap)
        mode = "linear"
    else:
        raise FormatError(
            f"colormap type {type(cmap).__name__} cannot be read as a ramp; use a "
            "ListedColormap or LinearSegmentedColormap"
        )
    to_position: Callable[[float], float]
    if limits is None:
        # Rounding to 1e-10 percent undoes the float error of p / 100 * 100.
        to_position = lambda x: min(100.0, max(0.0, round(x * 100, 10)))  # noqa: E731
    else:
        low, high = limits
        to_position = lambda x: low + x * (high - low)  # noqa: E731
    try:
        return Ramp(
            tuple(Stop(to_position(x), color) for x, color in stops),
            relative=limits is None,
            nodata_color=nodata_color,
            mode=mode,  # type: ignore[arg-type]
            name=ramp_name,
        )
    except RampError as exc:
        raise FormatError(f"matplotlib colormap {ramp_name!r}: {exc}") from None


def _from_boundary_norm(cmap: Any, norm: Any, name: str, nodata_color: RGBA) -> Ramp:
    boundaries = [float(b) for b in norm.boundaries]
    # A left-closed bin [b_i, b_i+1) is the right-closed class ending one
    # float64 step below b_i+1, the inverse of what to_matplotlib writes.
    edges = [math.nextafter(b, -math.inf) for b in boundaries]
    stops = [Stop(edges[0], _lookup(cmap, norm, -math.inf))]
    # Each bin is [low, high), so its lower boundary lies inside it, even
    # for a bin one double wide.
    for low, edge in zip(boundaries[:-1], edges[1:], strict=True):
        stops.append(Stop(edge, _lookup(cmap, norm, low)))
    over = _lookup(cmap, norm, math.inf)
    if over != stops[-1].color:
        # A repeated last position gives the values above it their own color.
        stops.append(Stop(edges[-1], over))
    return Ramp(
        tuple(stops), relative=False, nodata_color=nodata_color, mode="discrete", name=name
    )


def loads_matplotlib(text: str, *, name: str = "") -> RampDocument:
    """Read the registered matplotlib colormap named by ``text`` (``"viridis"``)."""
    return RampDocument(from_matplotlib(text.strip(), name=name or None))
