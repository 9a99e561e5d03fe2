"""Classification: schemes, class edges and per-class statistics.

A :class:`Classification` splits a value range into k classes.

Edges
    ``edges`` contains k + 1 ascending values. Classes are right-closed, as
    in mapclassify: class i contains the values in ``(edges[i], edges[i +
    1]]``, and class 0 also contains ``edges[0]``. The upper edges
    ``edges[1:]`` are strictly ascending. ``edges[0] == edges[1]`` is allowed
    and means that class 0 contains that one value (a tie at the minimum, or
    constant data).
    Values outside the edges fall in the end classes, the way a ``discrete``
    ramp paints them.

Validity
    NaN, infinities and the declared ``nodata`` value are left out of edges
    and counts, counted in ``n_nodata``, and get class id ``-1``
    (:data:`NODATA_CLASS`). See :func:`rampkit.colorize.valid_mask`.

Fewer classes than requested
    Constant data, fewer distinct values than k, ties that make edges
    coincide and classes that would be empty reduce k. A
    :class:`~rampkit.errors.FewerClassesWarning` says from how many to how
    many classes and why. A computed scheme leaves no class empty unless
    ``merge_empty=False`` keeps the scheme's own edges. Empty classes also
    come from ``manual`` edges, from ``equal_interval`` and ``pretty`` over a
    fixed ``vmin``/``vmax`` range, and from shared edges
    (:func:`fixed_classification`) applied to one field.

Schemes
    ``quantile``
        Upper edges at the i/k quantiles, with linear interpolation (the
        :func:`numpy.quantile` default and what mapclassify's ``Quantiles``
        computes). The API's V2 images use 7 quantile classes with the
        colors in :data:`V2_COLORS`.
    ``equal_interval``
        k classes of equal width between the minimum and the maximum.
    ``natural_breaks``
        Fisher–Jenks optimal breaks from mapclassify, on a seeded random
        sample of ``sample_size`` values when there are more, so that it stays
        interactive on large grids.
    ``std_mean``
        Edges at the mean plus multiples of the standard deviation; edges
        outside the data range are dropped.
    ``pretty``
        At most k classes whose edges are round numbers (1, 2, 2.5 or 5 times a
        power of ten).
    ``manual``
        The ``edges`` the caller gives; they must cover the valid values.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rampkit._text import short_repr
from rampkit._warnings import warn_at_caller
from rampkit.color import RGBA, parse_color
from rampkit.colorize import Basis, valid_mask
from rampkit.errors import ClassificationError, FewerClassesWarning
from rampkit.ramp import Ramp, Stop

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLASSIFICATION_SCHEMA",
    "DEFAULT_SAMPLE_SIZE",
    "MAX_K",
    "NODATA_CLASS",
    "SCHEMES",
    "V2_COLORS",
    "Classification",
    "Scheme",
    "classify",
    "fixed_classification",
]

Scheme: TypeAlias = Literal[
    "quantile", "equal_interval", "natural_breaks", "std_mean", "pretty", "manual"
]
SCHEMES: tuple[str, ...] = get_args(Scheme)
CLASSIFICATION_SCHEMA = "rampkit.classification/1"
NODATA_CLASS = -1
# More classes cannot be told apart on a map or in a legend. Class ids are
# int16, which keeps a multi-megapixel grid of ids small and holds this many.
MAX_K = 255
# Fisher-Jenks takes time proportional to k * n**2. On 2,000 values and k = 7
# mapclassify's numba version takes about 15 ms (measured on the 2-core
# development machine), fast enough for a widget to reclass on every change.
DEFAULT_SAMPLE_SIZE = 2000
# The palette of the API's V2 images: 7 quantile classes, lowest to highest.
V2_COLORS: tuple[str, ...] = (
    "#C80000", "#FF2800", "#FF9600", "#FFF000", "#00E600", "#00BE00", "#008200",
)

RampSource: TypeAlias = "Ramp | str | Sequence[Any]"



def _number(value: float) -> str:
    """Format a float for a message: 7.0 reads as 7, 1.75 stays 1.75."""
    value = float(value)
    return f"{value:g}" if abs(value) < 1e15 or not math.isfinite(value) else repr(value)


# -- input ------------------------------------------------------------------


def _as_numpy(values: object) -> NDArray[Any]:
    """Return the numpy array of an array_like or an xarray.DataArray."""
    if hasattr(values, "dims") and hasattr(values, "attrs"):
        values = cast(Any, values).values
    return np.asarray(values)


def _valid_values(values: ArrayLike, nodata: float | None) -> tuple[NDArray[np.float64], int]:
    """Return the valid values as float64 (unsorted) and the count of invalid ones."""
    array = _as_numpy(values)
    if array.dtype.kind not in "biuf":
        raise ClassificationError(
            f"cannot classify values of dtype {array.dtype}; give a numeric array"
        )
    valid = valid_mask(values, nodata)
    selected = array[valid].astype(np.float64, copy=False).reshape(-1)
    return selected, int(array.size - selected.size)


def _check_scheme(scheme: object) -> str:
    if scheme in SCHEMES:
        return str(scheme)
    close = difflib.get_close_matches(str(scheme), SCHEMES, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    known = ", ".join(repr(name) for name in SCHEMES)
    raise ClassificationError(f"unknown scheme {short_repr(scheme)}; {hint}known schemes: {known}")


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ClassificationError(
            f"k {short_repr(k)} is not an integer; give a class count such as 7"
        )
    if k < 2:
        raise ClassificationError(
            f"k {int(k)} is below 2; a classification needs at least 2 classes"
        )
    if k > MAX_K:
        raise ClassificationError(
            f"k {int(k)} is above the maximum of {MAX_K} classes that class ids and legends "
            "can hold; use fewer classes or a linear ramp"
        )
    return int(k)


def _check_manual_edges(edges: object) -> NDArray[np.float64]:
    try:
        array = np.asarray(edges, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ClassificationError(
            f"edges {short_repr(edges)} are not numbers; give k + 1 ascending values"
        ) from None
    if array.size < 3:
        raise ClassificationError(
            f"edges {short_repr(list(array))} give {max(array.size - 1, 0)} classes; "
            "give at least 3 edges for 2 classes"
        )
    if array.size - 1 > MAX_K:
        raise ClassificationError(
            f"edges give {array.size - 1} classes, above the maximum of {MAX_K}; "
            "give fewer edges"
        )
    if not np.isfinite(array).all():
        index = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ClassificationError(
            f"edges[{index}] {_number(array[index])} is not finite; give finite values"
        )
    steps = np.diff(array)
    if (steps <= 0).any():
        index = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise ClassificationError(
            f"edges must be strictly ascending, got {short_repr(array.tolist())} "
            f"(edges[{index}] = {_number(array[index])} is not above "
            f"edges[{index - 1}] = {_number(array[index - 1])}); sort them and drop repeats"
        )
    return array


# -- edges of each scheme ---------------------------------------------------


def _quantile_uppers(x: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    # mapclassify's quantile() computes the same linear-interpolation
    # percentiles, but sorts the data once per class; x is sorted already.
    return np.quantile(x, np.arange(1, k + 1) / k, method="linear")


def _equal_interval_uppers(low: float, high: float, k: int) -> NDArray[np.float64]:
    uppers = low + (high - low) * (np.arange(1, k + 1) / k)
    uppers[-1] = high
    return uppers


def _std_mean_uppers(x: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    # Multiples of the standard deviation around the mean: for odd k the
    # middle class is (mean - std, mean + std], as in mapclassify's StdMean
    # default for k = 5; for even k the mean itself is an edge.
    half = k // 2
    if k % 2:
        multiples = [m for m in range(-half, half + 1) if m != 0]
    else:
        multiples = list(range(-(half - 1), half))
    mean = float(x.mean())
    std = float(x.std(ddof=1))
    return np.array([mean + std * m for m in multiples] + [float(x[-1])])


def _pretty_edges(low: float, high: float, k: int) -> NDArray[np.float64]:
    # The smallest step of 1, 2, 2.5 or 5 times a power of ten that covers
    # [low, high] in at most k classes, with edges at multiples of the step.
    # mapclassify's PrettyBreaks rounds the range up before it picks a step,
    # which often halves the class count (3 classes for k = 7 on 5 to 283.9),
    # so it is not used here.
    magnitude = 10.0 ** math.floor(math.log10((high - low) / k))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0):
        step = factor * magnitude
        start, stop = math.floor(low / step), math.ceil(high / step)
        if stop - start <= k:
            break
    # Rounding removes float noise such as 0.30000000000000004, so that the
    # edges print as the round numbers they are.
    decimals = max(0, 1 - math.floor(math.log10(step)))
    edges = np.arange(start, stop + 1) * step
    if decimals <= 300:
        # Steps near the float minimum (1e-308) would overflow 10**decimals.
        edges = np.round(edges, decimals)
    edges[0] = min(float(edges[0]), low)
    edges[-1] = max(float(edges[-1]), high)
    return edges.astype(np.float64)


def _natural_breaks_uppers(
    x: NDArray[np.float64], k: int, sample_size: int, seed: int
) -> tuple[NDArray[np.float64], str]:
    """Return Fisher-Jenks upper edges and a reason when k had to drop."""
    import mapclassify

    sample = x
    if x.size > sample_size:
        rng = np.random.default_rng(seed)
        index = np.sort(rng.choice(x.size, size=sample_size - 2, replace=False))
        sample = np.concatenate(([x[0]], x[index], [x[-1]]))

    distinct = int(np.count_nonzero(np.diff(sample))) + 1
    reason = ""
    if distinct < k:
        reason = f"the sample of {sample.size} values holds only {distinct} distinct values"
        k = distinct
    if k == 1:
        return np.array([x[-1]]), reason

    # mapclassify's Fisher-Jenks sums squares in float32, which loses the
    # breaks on large raw values (mg/m2 yields reach millions). Mapping the
    # sample onto [-0.5, 0.5] keeps the optimal partition and the sums small,
    # and the breaks map back by position because they are sample values.
    # The range, unlike the standard deviation, cannot underflow to 0.
    middle = sample[0] / 2 + sample[-1] / 2
    scaled = (sample - middle) / (sample[-1] - sample[0])
    # Values a few ulps apart (1e-300 beside 0) can become equal when scaled.
    scaled_distinct = int(np.count_nonzero(np.diff(scaled))) + 1
    if scaled_distinct < k:
        reason = f"only {scaled_distinct} values differ at float precision"
        k = scaled_distinct
    if k == 1:
        return np.array([x[-1]]), reason
    breaks = np.asarray(mapclassify.FisherJenks(scaled, k=k).bins, dtype=np.float64)
    # The last sample value at each break keeps values that scaled equal together.
    positions = np.searchsorted(scaled, breaks, side="right") - 1
    uppers = sample[positions]
    uppers[-1] = x[-1]
    return uppers, reason


# -- counting and merging -----------------------------------------------------


def _summarize(
    x: NDArray[np.float64], uppers: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Return counts, minima and maxima per class of the sorted values ``x``."""
    ends = np.searchsorted(x, uppers, side="right")
    ends[-1] = x.size
    starts = np.concatenate(([0], ends[:-1]))
    counts = (ends - starts).astype(np.int64)
    nonempty = counts > 0
    minima = np.full(uppers.size, np.nan)
    maxima = np.full(uppers.size, np.nan)
    if x.size:
        minima[nonempty] = x[starts[nonempty]]
        maxima[nonempty] = x[ends[nonempty] - 1]
    return counts, minima, maxima


def _merge_empty(
    x: NDArray[np.float64], uppers: NDArray[np.float64]
) -> tuple[NDArray[np.float64], int]:
    """Drop the edges of empty classes; return the new upper edges and how many went."""
    removed = 0
    while uppers.size > 1:
        counts, _, _ = _summarize(x, uppers)
        empty = np.flatnonzero(counts == 0)
        if empty.size == 0:
            break
        index = int(empty[0])
        # An empty class joins the class above it; the last class joins the one below.
        drop = index if index < uppers.size - 1 else index - 1
        uppers = np.delete(uppers, drop)
        removed += 1
    return uppers, removed


def _compute_edges(
    x: NDArray[np.float64],
    scheme: str,
    k: int,
    *,
    low: float,
    high: float,
    sample_size: int,
    seed: int,
    merge_empty: bool,
    fixed_range: bool,
) -> tuple[NDArray[np.float64], list[str]]:
    """Return the edges for sorted values ``x`` in ``[low, high]`` and why k dropped."""
    reasons: list[str] = []
    if low == high:
        return np.array([low, low]), [f"all valid values are equal to {_number(low)}"]

    # With a fixed range, equal_interval and pretty take their edges from the
    # range alone, so the data may neither reduce k nor merge classes.
    keep_range = fixed_range and scheme in ("equal_interval", "pretty")
    distinct = int(np.count_nonzero(np.diff(x))) + 1 if x.size else 0
    if not keep_range and distinct < k:
        noun = "value" if distinct == 1 else "values"
        reasons.append(f"there are only {distinct} distinct {noun}")
        k = distinct
    if k == 1:
        return np.array([low, high]), reasons

    lower = low
    if scheme == "quantile":
        uppers = _quantile_uppers(x, k)
    elif scheme == "equal_interval":
        uppers = _equal_interval_uppers(low, high, k)
    elif scheme == "natural_breaks":
        if distinct <= k:
            # One class per distinct value is the optimal partition.
            uppers = np.unique(x)
        else:
            uppers, reason = _natural_breaks_uppers(x, k, sample_size, seed)
            if reason:
                reasons.append(reason)
    elif scheme == "std_mean":
        uppers = _std_mean_uppers(x, k)
        inside = (uppers > low) & (uppers < high)
        inside[-1] = True
        if not inside.all():
            outside = int((~inside).sum())
            noun = "edge lies" if outside == 1 else "edges lie"
            reasons.append(
                f"{outside} standard-deviation {noun} outside the data range "
                f"{_number(low)} to {_number(high)}"
            )
        uppers = uppers[inside]
    else:  # pretty
        ticks = _pretty_edges(low, high, k)
        lower, uppers = float(ticks[0]), ticks[1:]
    uppers = uppers.astype(np.float64)
    uppers[-1] = max(float(uppers[-1]), high)

    unique = np.unique(uppers)
    if unique.size < uppers.size:
        values, repeats = np.unique(uppers, return_counts=True)
        tied = ", ".join(_number(v) for v in values[repeats > 1][:3])
        reasons.append(f"{scheme} edges coincide at {tied} (ties)")
        uppers = unique

    if merge_empty and x.size and not keep_range:
        uppers, removed = _merge_empty(x, uppers)
        if removed:
            noun = "class" if removed == 1 else "classes"
            reasons.append(f"{removed} {noun} would be empty")

    return np.concatenate(([lower], uppers)), reasons


def _fewer_message(result: Classification, reasons: list[str]) -> str:
    """Return the warning text for a drop in k, or "" when the data did not cause one.

    ``pretty`` may return fewer than k classes because of its round steps
    alone; that is the scheme, not the data, so it gives no warning.
    """
    if result.k >= result.k_requested or not reasons:
        return ""
    return (
        f"{result.scheme}: k reduced from {result.k_requested} to {result.k} "
        f"because {' and '.join(reasons)}"
    )


# -- the classification -----------------------------------------------------


def _ramp_from_source(source: RampSource) -> Ramp | list[RGBA]:
    """Return a Ramp for a ramp or preset name, or the parsed colors of a palette."""
    if isinstance(source, Ramp):
        return source
    if isinstance(source, str):
        from rampkit.presets import get_ramp

        return get_ramp(source)
    if isinstance(source, Iterable):
        colors = [parse_color(color, where=f"colors[{i}]") for i, color in enumerate(source)]
        if not colors:
            raise ClassificationError(
                "the palette is empty; give a ramp, a preset name or a list of colors"
            )
        return colors
    raise ClassificationError(
        f"cannot take colors from {short_repr(source)}; give a Ramp, a preset name such as "
        "'leaf_standard' or a list of colors such as V2_COLORS"
    )


def _palette(source: RampSource, k: int) -> tuple[list[RGBA], RGBA]:
    """Return k class colors and the no-value color for a ramp, preset or palette."""
    resolved = _ramp_from_source(source)
    if isinstance(resolved, Ramp):
        if resolved.mode == "discrete" and len(resolved.stops) == k:
            return list(resolved.colors), resolved.nodata_color
        return resolved.sample(k), resolved.nodata_color
    if len(resolved) == k:
        return resolved, (0, 0, 0, 0)
    if len(resolved) == 1:
        return resolved * k, (0, 0, 0, 0)
    # Spread the given colors evenly over a linear ramp and sample k of them.
    step = 100.0 / (len(resolved) - 1)
    ramp = Ramp(tuple(Stop(i * step, color) for i, color in enumerate(resolved)))
    return ramp.sample(k), (0, 0, 0, 0)


def _percents(values: NDArray[np.float64], basis: Basis | tuple[float, float]) -> list[float]:
    if isinstance(basis, Basis):
        if not basis.resolved:
            raise ClassificationError(
                f"basis {basis!r} is not resolved; give Basis.fixed(vmin, vmax) or the "
                "basis a colorize() result recorded"
            )
        vmin, vmax = float(basis.vmin), float(basis.vmax)  # type: ignore[arg-type]
    else:
        vmin, vmax = (float(v) for v in basis)
    if values[0] < vmin or values[-1] > vmax:
        raise ClassificationError(
            f"edges {_number(values[0])} to {_number(values[-1])} fall outside the basis "
            f"{_number(vmin)} to {_number(vmax)}; widen the basis or use relative=False"
        )
    if vmax == vmin:
        return [100.0] * values.size
    percents = (values - vmin) / (vmax - vmin) * 100.0
    return [min(max(float(p), 0.0), 100.0) for p in percents]


def _nan_to_none(values: Iterable[float]) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values]


@dataclass(frozen=True, slots=True)
class Classification:
    """Class edges and counts; see the module docstring for closure and nodata rules.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    k : int
        Number of classes; ``len(edges) - 1``.
    edges : tuple of float
        k + 1 values; ``edges[1:]`` strictly ascending, ``edges[0] <= edges[1]``.
    counts : tuple of int
        Valid values per class, in the data the edges were computed on.
    k_requested : int
        The k that was asked for; larger than ``k`` when classes were dropped.
    n_nodata : int
        Values left out as NaN, infinite or nodata.
    class_min, class_max : tuple of float
        Smallest and largest valid value in each class; NaN for an empty
        class. Legends use them to round labels without moving a value to
        another class.

    Examples
    --------
    >>> c = classify(np.array([1.0, 2.0, 3.0, 4.0, np.nan]), "equal_interval", k=2)
    >>> c.edges, c.counts, c.n_nodata
    ((1.0, 2.5, 4.0), (2, 2), 1)
    >>> c.class_ids(np.array([np.nan, 1.0, 2.5, 2.6, 9.0])).tolist()
    [-1, 0, 0, 1, 1]
    """

    scheme: str
    k: int
    edges: tuple[float, ...]
    counts: tuple[int, ...]
    k_requested: int
    n_nodata: int = 0
    class_min: tuple[float, ...] = ()
    class_max: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        _check_scheme(self.scheme)

        edges = tuple(float(e) for e in self.edges)
        if len(edges) != self.k + 1:
            raise ClassificationError(
                f"{len(edges)} edges do not make k = {self.k} classes; give k + 1 edges"
            )
        if not all(math.isfinite(e) for e in edges):
            raise ClassificationError(f"edges {short_repr(edges)} are not all finite")
        uppers = np.asarray(edges[1:])
        if (np.diff(uppers) <= 0).any() or edges[0] > edges[1]:
            raise ClassificationError(
                f"edges {short_repr(edges)} are not ascending; the upper edges must rise "
                "strictly and edges[0] may equal edges[1] only"
            )

        counts = tuple(int(c) for c in self.counts)
        if len(counts) != self.k:
            raise ClassificationError(
                f"{len(counts)} counts do not match k = {self.k}; give one count per class"
            )
        nan = (math.nan,) * self.k
        class_min = tuple(float(v) for v in self.class_min) or nan
        class_max = tuple(float(v) for v in self.class_max) or nan
        if len(class_min) != self.k or len(class_max) != self.k:
            raise ClassificationError(
                f"class_min and class_max need {self.k} values each; give one per class"
            )

        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "class_min", class_min)
        object.__setattr__(self, "class_max", class_max)
        object.__setattr__(self, "k", int(self.k))
        object.__setattr__(self, "k_requested", int(self.k_requested))
        object.__setattr__(self, "n_nodata", int(self.n_nodata))

    # -- applying the classes ---------------------------------------------

    @property
    def uppers(self) -> tuple[float, ...]:
        """Upper edge of each class, ``edges[1:]`` (mapclassify's ``bins``)."""
        return self.edges[1:]

    def class_ids(self, values: ArrayLike, *, nodata: float | None = None) -> NDArray[np.int16]:
        """Return the class of each value: 0 to k - 1, or -1 where there is no value.

        Values below ``edges[0]`` get class 0 and values above ``edges[-1]``
        get class k - 1, as a discrete ramp from :meth:`to_ramp` colors them.

        Returns
        -------
        ndarray of int16, the shape of ``values``
        """
        array = _as_numpy(values)
        valid = valid_mask(values, nodata)
        ids = np.full(array.shape, NODATA_CLASS, dtype=np.int16)
        uppers = np.asarray(self.edges[1:-1])
        found = np.searchsorted(uppers, array[valid].astype(np.float64, copy=False), side="left")
        ids[valid] = found
        return ids

    def gvf(self, values: ArrayLike, *, nodata: float | None = None) -> float:
        """Return the goodness of variance fit of these classes on ``values``.

        GVF is ``1 - SDCM / SDAM``: the squared deviations from the class
        means over those from the overall mean. 1 is a perfect fit; constant
        data gives 1.0.

        Examples
        --------
        >>> c = classify(np.array([1.0, 1.0, 5.0, 5.0]), "equal_interval", k=2)
        >>> c.gvf(np.array([1.0, 1.0, 5.0, 5.0]))
        1.0
        """
        x, _ = _valid_values(values, nodata)
        if x.size == 0:
            return math.nan
        ids = self.class_ids(x)
        deviations = x - x.mean()
        total = float(np.dot(deviations, deviations))
        if total == 0.0:
            return 1.0
        counts = np.bincount(ids, minlength=self.k)
        sums = np.bincount(ids, weights=x, minlength=self.k)
        means = np.divide(sums, counts, out=np.zeros(self.k), where=counts > 0)
        residuals = x - means[ids]
        return 1.0 - float(np.dot(residuals, residuals)) / total

    def statistics_records(
        self,
        values: ArrayLike,
        *,
        points: ArrayLike | None = None,
        nodata: float | None = None,
        pixel_area: float | None = None,
    ) -> list[dict[str, Any]]:
        """Return per-class statistics as plain dicts (JSON-ready).

        Parameters
        ----------
        values : array_like or xarray.DataArray
            The values to count: a grid (2-D or more, each value a pixel) or
            point values (1-D).
        points : array_like, optional
            Point values to count beside a grid.
        nodata : float, optional
            The value that marks a missing value.
        pixel_area : float, optional
            Area of one value (pixel), in the unit the ``area`` key should have.

        Returns
        -------
        list of dict
            One dict per class with these keys:

            - ``class``, ``lower``, ``upper``: the class index and edges;
            - ``count``: valid values in the class;
            - ``pixel_count``: ``count`` for a grid, None for 1-D values;
            - ``point_count``: counted in ``points`` when given, else
              ``count`` for 1-D values, else None;
            - ``share``: the class's part of all valid values, 0 to 1 (for a
              grid, the share of the covered area);
            - ``area``: ``count * pixel_area``, or None without a pixel area;
            - ``mean``: the mean value, None for an empty class.
        """
        x, _ = _valid_values(values, nodata)
        ndim = _as_numpy(values).ndim
        ids = self.class_ids(x)
        counts = np.bincount(ids, minlength=self.k)
        sums = np.bincount(ids, weights=x, minlength=self.k)
        total = int(counts.sum())
        point_counts: NDArray[np.int64] | None = None
        if points is not None:
            point_values, _ = _valid_values(points, nodata)
            point_counts = np.bincount(self.class_ids(point_values), minlength=self.k)
        elif ndim <= 1:
            point_counts = counts

        records: list[dict[str, Any]] = []
        for index in range(self.k):
            count = int(counts[index])
            records.append({
                "class": index,
                "lower": self.edges[index],
                "upper": self.edges[index + 1],
                "count": count,
                "pixel_count": count if ndim >= 2 else None,
                "point_count": None if point_counts is None else int(point_counts[index]),
                "share": count / total if total else 0.0,
                "area": None if pixel_area is None else count * float(pixel_area),
                "mean": float(sums[index] / count) if count else None,
            })
        return records

    def statistics(
        self,
        values: ArrayLike,
        *,
        points: ArrayLike | None = None,
        nodata: float | None = None,
        pixel_area: float | None = None,
    ) -> pd.DataFrame:
        """Return per-class statistics as a pandas DataFrame, one row per class.

        The columns are the keys of :meth:`statistics_records`; the goodness
        of variance fit of the whole classification is in ``df.attrs["gvf"]``.
        """
        import pandas as pd

        records = self.statistics_records(
            values, points=points, nodata=nodata, pixel_area=pixel_area
        )
        frame = pd.DataFrame.from_records(records).set_index("class")
        for column in ("pixel_count", "point_count"):
            frame[column] = frame[column].astype("Int64")
        frame["area"] = frame["area"].astype("Float64")
        frame["mean"] = frame["mean"].astype("Float64")
        frame.attrs["gvf"] = self.gvf(values, nodata=nodata)
        return frame

    # -- ramps ---------------------------------------------------------------

    def to_ramp(
        self,
        ramp: RampSource = "leaf_standard",
        *,
        relative: bool = False,
        basis: Basis | tuple[float, float] | None = None,
    ) -> Ramp:
        """Return a ``discrete`` ramp with one stop at each upper edge.

        Parameters
        ----------
        ramp : Ramp, str or sequence of colors, default "leaf_standard"
            Where the k class colors come from: ``ramp.sample(k)`` for a ramp
            or preset name (a discrete ramp with k stops gives its own colors),
            or a list of colors such as :data:`V2_COLORS`, used as is when it
            has k colors and spread over a linear ramp otherwise.
        relative : bool, default False
            Write stops as percents of ``basis`` instead of values. Absolute
            stops keep every value in its class exactly; percents are resolved
            again when the ramp is applied.
        basis : Basis or (vmin, vmax), optional
            The range percents refer to; default ``(edges[0], edges[-1])``.

        Examples
        --------
        >>> c = classify(np.array([1.0, 2.0, 3.0, 4.0]), "equal_interval", k=2)
        >>> c.to_ramp(["#C80000", "#008200"])
        Ramp('equal_interval_2', discrete, 2.5=#c80000, 4=#008200, nv=#00000000)
        """
        colors, nodata_color = _palette(ramp, self.k)
        positions = np.asarray(self.edges[1:])
        if relative:
            basis = (self.edges[0], self.edges[-1]) if basis is None else basis
            positions = np.asarray(_percents(positions, basis))
        stops = tuple(Stop(float(p), color) for p, color in zip(positions, colors, strict=True))
        base = ""
        if isinstance(ramp, Ramp):
            base = ramp.name
        elif isinstance(ramp, str):
            base = ramp
        name = f"{base}_{self.scheme}_{self.k}" if base else f"{self.scheme}_{self.k}"
        if isinstance(ramp, Ramp) and ramp.mode == "discrete" and len(ramp.stops) == self.k:
            # A ramp that is already classed keeps its name.
            name = ramp.name
        return Ramp(stops, relative=relative, nodata_color=nodata_color, mode="discrete",
                    name=name)

    def place_stops(
        self,
        ramp: RampSource,
        *,
        relative: bool = True,
        basis: Basis | tuple[float, float] | None = None,
    ) -> Ramp:
        """Return a ``linear`` ramp with its stops at the k + 1 class edges.

        A ramp with k + 1 stops keeps its colors; any other ramp is sampled
        at k + 1 evenly spaced points first. When ``edges[0] == edges[1]``
        the first two stops share a position, which is a hard step.

        Parameters
        ----------
        ramp : Ramp, str or sequence of colors
        relative : bool, default True
            Write positions as percents of ``basis`` (default
            ``(edges[0], edges[-1])``); False writes the edge values.
        basis : Basis or (vmin, vmax), optional

        Examples
        --------
        >>> c = classify(np.array([0.0, 1.0, 2.0, 10.0]), "equal_interval", k=2)
        >>> c.place_stops(Ramp.from_mapping({"0%": "red", "100%": "blue"})).keys()
        ('0%', '50%', '100%')
        """
        resolved = _ramp_from_source(ramp)
        if isinstance(resolved, Ramp) and len(resolved.stops) == self.k + 1:
            colors = list(resolved.colors)
            nodata_color = resolved.nodata_color
        else:
            colors, nodata_color = _palette(ramp, self.k + 1)
        positions = np.asarray(self.edges)
        if relative:
            basis = (self.edges[0], self.edges[-1]) if basis is None else basis
            positions = np.asarray(_percents(positions, basis))
        stops = tuple(Stop(float(p), color) for p, color in zip(positions, colors, strict=True))
        name = resolved.name if isinstance(resolved, Ramp) else ""
        return Ramp(stops, relative=relative, nodata_color=nodata_color, mode="linear", name=name)

    # -- serialization ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the classification as a ``rampkit.classification/1`` JSON-ready dict."""
        return {
            "schema": CLASSIFICATION_SCHEMA,
            "scheme": self.scheme,
            "k": self.k,
            "k_requested": self.k_requested,
            "edges": list(self.edges),
            "counts": list(self.counts),
            "n_nodata": self.n_nodata,
            "class_min": _nan_to_none(self.class_min),
            "class_max": _nan_to_none(self.class_max),
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Classification:
        """Build a classification from :meth:`to_dict` output.

        Raises
        ------
        ClassificationError
            If the schema is another one or a key is missing or invalid.
        """
        if not isinstance(document, Mapping):
            raise ClassificationError(
                f"a classification document must be a JSON object, got {short_repr(document)}"
            )
        schema = document.get("schema", CLASSIFICATION_SCHEMA)
        if schema != CLASSIFICATION_SCHEMA:
            raise ClassificationError(
                f"schema {schema!r} is not supported; this rampkit reads "
                f"{CLASSIFICATION_SCHEMA!r}"
            )
        missing = [key for key in ("scheme", "edges", "counts") if key not in document]
        if missing:
            raise ClassificationError(
                f"classification document is missing {', '.join(map(repr, missing))}; "
                "write it with Classification.to_dict()"
            )
        edges = list(document["edges"])
        k = int(document.get("k", len(edges) - 1))

        def floats(key: str) -> tuple[float, ...]:
            raw = document.get(key) or ()
            return tuple(math.nan if v is None else float(v) for v in raw)

        try:
            return cls(
                scheme=document["scheme"],
                k=k,
                edges=tuple(edges),
                counts=tuple(document["counts"]),
                k_requested=int(document.get("k_requested", k)),
                n_nodata=int(document.get("n_nodata", 0)),
                class_min=floats("class_min"),
                class_max=floats("class_max"),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ClassificationError):
                raise
            raise ClassificationError(f"classification document is invalid: {exc}") from None


def _build(
    x: NDArray[np.float64],
    scheme: str,
    k: int,
    *,
    edges: object,
    vmin: float | None,
    vmax: float | None,
    n_nodata: int,
    sample_size: int,
    seed: int,
    merge_empty: bool,
) -> tuple[Classification, list[str]]:
    """Classify the valid values ``x`` (any order); return the result and reasons."""
    scheme = _check_scheme(scheme)
    if edges is not None and scheme != "manual":
        raise ClassificationError(
            f"edges {short_repr(edges)} were given with scheme {scheme!r}; edges are only "
            "used with scheme='manual'"
        )
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 10:
        raise ClassificationError(
            f"sample_size {short_repr(sample_size)} is too small; give an integer of at least 10"
        )
    x = np.sort(x)

    if scheme == "manual":
        if edges is None:
            raise ClassificationError(
                "scheme 'manual' needs edges; pass edges=[e0, e1, ..., ek] in ascending order"
            )
        manual = _check_manual_edges(edges)
        if x.size and (x[0] < manual[0] or x[-1] > manual[-1]):
            outside = x[0] if x[0] < manual[0] else x[-1]
            raise ClassificationError(
                f"edges {_number(manual[0])} to {_number(manual[-1])} do not cover the value "
                f"{_number(outside)}; extend the first or last edge to cover "
                f"{_number(x[0])} to {_number(x[-1])}"
            )
        counts, minima, maxima = _summarize(x, manual[1:])
        k = manual.size - 1
        result = Classification(
            scheme, k, tuple(manual), tuple(counts), k, n_nodata, tuple(minima), tuple(maxima)
        )
        return result, []

    k = _check_k(k)
    if vmin is not None and vmax is not None and vmin > vmax:
        raise ClassificationError(f"vmin {vmin!r} is above vmax {vmax!r}; swap them")
    for name, bound in (("vmin", vmin), ("vmax", vmax)):
        if bound is not None and not math.isfinite(bound):
            raise ClassificationError(f"{name} {bound!r} is not finite; give a finite number")
    range_only = vmin is not None and vmax is not None and scheme in ("equal_interval", "pretty")
    if x.size == 0 and not range_only:
        raise ClassificationError(
            f"no valid values to classify ({n_nodata} values are NaN, infinite or nodata); "
            "give data with values, or vmin and vmax with 'equal_interval' or 'pretty'"
        )
    # A fixed range clips the values into it, so that they land in the end
    # classes as a discrete ramp would paint them.
    low = float(x[0]) if vmin is None else float(vmin)
    high = float(x[-1]) if vmax is None else float(vmax)
    if vmin is not None or vmax is not None:
        x = np.clip(x, low, high)

    computed, reasons = _compute_edges(
        x, scheme, k, low=low, high=high, sample_size=sample_size, seed=seed,
        merge_empty=merge_empty, fixed_range=vmin is not None or vmax is not None,
    )
    counts, minima, maxima = _summarize(x, computed[1:]) if x.size else (
        np.zeros(computed.size - 1, np.int64), np.full(computed.size - 1, np.nan),
        np.full(computed.size - 1, np.nan),
    )
    result = Classification(
        scheme,
        computed.size - 1,
        tuple(computed),
        tuple(counts),
        k,
        n_nodata,
        tuple(minima),
        tuple(maxima),
    )
    return result, reasons


def classify(
    values: ArrayLike,
    scheme: Scheme | str = "quantile",
    k: int = 7,
    *,
    edges: Sequence[float] | None = None,
    nodata: float | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
    merge_empty: bool = True,
) -> Classification:
    """Classify values with a scheme.

    mapclassify computes the Fisher–Jenks breaks (its numba-compiled exact
    algorithm). The other schemes are a few lines of numpy on values that
    are sorted once and shared by every step. mapclassify's classifiers
    would also label and summarize every value on each call, and they handle
    neither NaN, constant data nor empty classes. ``benchmarks/bench_classify.py``
    times every scheme against mapclassify.

    Parameters
    ----------
    values : array_like or xarray.DataArray
        Numeric values of any shape; a DataArray's ``nodata`` or
        ``_FillValue`` attribute is used when ``nodata`` is not given.
    scheme : str, default "quantile"
        One of :data:`SCHEMES`; see the module docstring.
    k : int, default 7
        Number of classes, 2 to :data:`MAX_K`; ignored for ``manual``, whose
        edges set it.
    edges : sequence of float, optional
        The k + 1 strictly ascending edges of scheme ``manual``.
    nodata : float, optional
        The value that marks a missing value.
    sample_size : int, default 2000
        For ``natural_breaks``: Fisher–Jenks runs on this many values drawn
        at random (the minimum and maximum always among them).
    seed : int, default 0
        Seed of that sample, so a classification can be repeated.
    merge_empty : bool, default True
        Merge a class that holds no value into its neighbour. False keeps the
        scheme's own edges (equal widths, round numbers) with empty classes.

    Returns
    -------
    Classification

    Raises
    ------
    ClassificationError
        For an unknown scheme, k below 2 or above :data:`MAX_K`, manual edges
        that are not strictly ascending or do not cover the data, or data with
        no valid value.

    Warns
    -----
    FewerClassesWarning
        When fewer than k classes result, with the reason.

    Examples
    --------
    >>> classify(np.array([np.nan, 4.0, 1.0, 2.0, 3.0]), "quantile", k=2).edges
    (1.0, 2.5, 4.0)
    >>> classify(np.arange(1.0, 101.0), "equal_interval", k=4).edges
    (1.0, 25.75, 50.5, 75.25, 100.0)
    """
    x, n_nodata = _valid_values(values, nodata)
    result, reasons = _build(
        x, scheme, k, edges=edges, vmin=None, vmax=None, n_nodata=n_nodata,
        sample_size=sample_size, seed=seed, merge_empty=merge_empty,
    )
    message = _fewer_message(result, reasons)
    if message:
        warn_at_caller(message, FewerClassesWarning)
    return result


def fixed_classification(
    arrays: Iterable[ArrayLike],
    scheme: Scheme | str = "quantile",
    k: int = 7,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
    edges: Sequence[float] | None = None,
    nodata: float | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
    merge_empty: bool = True,
) -> Classification:
    """Classify several data sets at once, so that they share one legend.

    The edges come from the valid values of all arrays pooled together, or
    from a fixed range. With ``vmin`` and ``vmax``, ``equal_interval`` and
    ``pretty`` need no data at all. The other schemes then use the pooled
    values clipped into the range, and the range gives their end edges.
    Apply the result to each field with :meth:`Classification.class_ids` or
    :meth:`Classification.to_ramp`; a class may be empty in one field.

    Parameters
    ----------
    arrays : iterable of array_like
        The values of each field, operation or year.
    scheme, k, edges, nodata, sample_size, seed, merge_empty
        As in :func:`classify`.
    vmin, vmax : float, optional
        A fixed range for the outer edges.

    Examples
    --------
    >>> c = fixed_classification([np.array([10.0, 20.0]), np.array([30.0])],
    ...                          "equal_interval", 4, vmin=0, vmax=200)
    >>> c.edges
    (0.0, 50.0, 100.0, 150.0, 200.0)
    """
    pooled: list[NDArray[np.float64]] = []
    n_nodata = 0
    for array in arrays:
        x, missing = _valid_values(array, nodata)
        pooled.append(x)
        n_nodata += missing
    x = np.concatenate(pooled) if pooled else np.empty(0)
    result, reasons = _build(
        x, scheme, k, edges=edges, vmin=vmin, vmax=vmax, n_nodata=n_nodata,
        sample_size=sample_size, seed=seed, merge_empty=merge_empty,
    )
    message = _fewer_message(result, reasons)
    if message:
        warn_at_caller(message, FewerClassesWarning)
    return result
