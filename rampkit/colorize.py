"""Colorize value grids with a ramp: values to RGBA ``uint8``.

The rules of the ramp (modes, rounding, repeated stops) are in
:mod:`rampkit.ramp`. This module adds what a grid brings:

Validity
    A value is *valid* when it is finite and not equal to the declared
    ``nodata`` value. Invalid values get the ramp's ``nodata_color`` and
    never count toward the percent basis. 0 is data unless declared nodata.
    A nodata value that the dtype cannot hold (-9999 for ``uint8``) matches
    no pixel; it is never wrapped into range.

Basis
    Percent stops resolve against a basis, recorded in the result:
    ``data`` (the valid minimum and maximum, the default), ``fixed`` (a range
    the caller gives, for legends that stay the same across fields and
    years) or ``trimmed`` (two percentiles of the valid values, such as the
    2nd and 98th, with linear interpolation as in :func:`numpy.percentile`).
    With vmin == vmax every percent resolves to that value and every valid
    pixel takes the first stop's color, as gdaldem does.

Agreement with gdaldem
    For float32 and integer grids whose nodata value is declared,
    :func:`colorize` returns the bytes ``gdaldem color-relief -alpha`` writes
    for the same color file. The deliberate differences: NaN is always
    invalid here, a value at a repeated stop takes the first-listed color
    (gdaldem 3.6 and later average the repeated colors there), and ``exact``
    mode matches every stop, as gdaldem's documentation says (gdaldem 3.6.2
    matches only the first entry of its sorted table, which is the ``nv``
    entry when the band declares nodata).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rampkit import _kernels
from rampkit.errors import RampError
from rampkit.ramp import Ramp

__all__ = [
    "Basis",
    "BasisLike",
    "Colorized",
    "colorize",
    "evaluate",
    "resolve_basis",
    "valid_mask",
]

BasisKind: TypeAlias = Literal["data", "fixed", "trimmed"]

# Pixels per work unit. About 64 k float64 values keep the temporaries of one
# chunk inside a core's L2 cache, which is what makes the chunked loop faster
# than whole-array numpy on large grids.
_CHUNK = 1 << 16
# Grids of at least this many pixels are split across threads; numpy releases
# the GIL in the ufuncs used here.
_THREAD_MIN = 1 << 20
# Below this many values the compiled loop's call overhead outweighs its speed.
_KERNEL_MIN = 1 << 12


@dataclass(frozen=True, slots=True)
class Basis:
    """The range that percent stops resolve against.

    Parameters
    ----------
    kind : {"data", "fixed", "trimmed"}
        How the range is (or was) found.
    vmin, vmax : float or None
        The range; None until resolved for ``data`` and ``trimmed``.
    lower, upper : float or None
        Percentiles (0–100) for ``trimmed``.

    Examples
    --------
    >>> Basis.fixed(0, 250)
    Basis(kind='fixed', vmin=0.0, vmax=250.0, lower=None, upper=None)
    """

    kind: BasisKind = "data"
    vmin: float | None = None
    vmax: float | None = None
    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("data", "fixed", "trimmed"):
            raise RampError(
                f"unknown basis kind {self.kind!r}; use 'data', 'fixed' or 'trimmed'"
            )
        for name in ("vmin", "vmax", "lower", "upper"):
            value = getattr(self, name)
            if value is not None:
                value = float(value)
                if not math.isfinite(value):
                    raise RampError(f"basis {name} {value!r} is not finite; give a number")
                object.__setattr__(self, name, value)
        if self.vmin is not None and self.vmax is not None and self.vmin > self.vmax:
            raise RampError(
                f"basis vmin {self.vmin!r} is above vmax {self.vmax!r}; swap them"
            )
        if self.kind == "fixed" and (self.vmin is None or self.vmax is None):
            raise RampError("a fixed basis needs vmin and vmax; use Basis.fixed(vmin, vmax)")
        if self.kind == "trimmed":
            lower, upper = self.lower, self.upper
            if lower is None or upper is None or not 0 <= lower < upper <= 100:
                raise RampError(
                    f"trimmed basis percentiles ({lower!r}, {upper!r}) must satisfy "
                    "0 <= lower < upper <= 100, for example Basis.trimmed(2, 98)"
                )

    @classmethod
    def data(cls) -> Basis:
        """Return the default basis: the valid minimum and maximum."""
        return cls("data")

    @classmethod
    def fixed(cls, vmin: float, vmax: float) -> Basis:
        """Return a basis with a given range."""
        return cls("fixed", vmin, vmax)

    @classmethod
    def trimmed(cls, lower: float = 2.0, upper: float = 98.0) -> Basis:
        """Return a basis from two percentiles of the valid values."""
        return cls("trimmed", lower=lower, upper=upper)

    @property
    def resolved(self) -> bool:
        """True when vmin and vmax are known."""
        return self.vmin is not None and self.vmax is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the basis as a JSON-ready dict, omitting unset fields."""
        fields = {"kind": self.kind, "vmin": self.vmin, "vmax": self.vmax,
                  "lower": self.lower, "upper": self.upper}
        return {key: value for key, value in fields.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Basis:
        """Build a basis from :meth:`to_dict` output."""
        return cls(**data)


BasisLike: TypeAlias = "Basis | tuple[float, float] | str | None"


def _as_basis(spec: BasisLike) -> Basis:
    if spec is None:
        return Basis.data()
    if isinstance(spec, Basis):
        return spec
    if isinstance(spec, str):
        if spec == "data":
            return Basis.data()
        raise RampError(
            f"basis {spec!r} is not understood; use 'data', a (vmin, vmax) pair, "
            "Basis.fixed(vmin, vmax) or Basis.trimmed(2, 98)"
        )
    try:
        vmin, vmax = spec
    except (TypeError, ValueError):
        raise RampError(
            f"basis {spec!r} is not understood; use 'data', a (vmin, vmax) pair, "
            "Basis.fixed(vmin, vmax) or Basis.trimmed(2, 98)"
        ) from None
    return Basis.fixed(vmin, vmax)


def _unwrap(values: ArrayLike, nodata: float | None) -> tuple[NDArray[Any], float | None]:
    """Return the numpy array and nodata of an array or xarray.DataArray."""
    source: Any = values
    if hasattr(source, "dims") and hasattr(source, "attrs"):
        if nodata is None:
            attrs = source.attrs
            nodata = attrs.get("nodata", attrs.get("_FillValue"))
        source = source.values
    array = np.asarray(source)
    if array.dtype.kind not in "biuf":
        raise RampError(
            f"cannot colorize values of dtype {array.dtype}; give a numeric array"
        )
    return array, nodata


def valid_mask(values: ArrayLike, nodata: float | None = None) -> NDArray[np.bool_]:
    """Return True where a value is finite and not the declared nodata.

    Examples
    --------
    >>> valid_mask(np.array([0, -9999, 5], dtype=np.int16), nodata=-9999).tolist()
    [True, False, True]
    >>> valid_mask(np.array([0, 44, 255], dtype=np.uint8), nodata=300).tolist()
    [True, True, True]
    """
    array, nodata = _unwrap(values, nodata)
    valid: NDArray[np.bool_]
    if array.dtype.kind == "f":
        valid = np.isfinite(array)
    else:
        valid = np.ones(array.shape, dtype=bool)
    if nodata is None or (isinstance(nodata, float) and math.isnan(nodata)):
        return valid
    nodata = float(nodata)
    if array.dtype.kind in "iu":
        # Compare in the array's own dtype only when the dtype can hold the
        # nodata value; otherwise no pixel can equal it, and casting would wrap.
        info = np.iinfo(array.dtype)
        if nodata.is_integer() and info.min <= nodata <= info.max:
            valid &= np.not_equal(array, array.dtype.type(int(nodata)))
        return valid
    if array.dtype.kind == "b":
        return valid
    # A float64 scalar makes numpy compare in double precision, as gdaldem
    # does, instead of casting the nodata value to a float32 array's dtype.
    valid &= np.not_equal(array, np.float64(nodata))
    return valid


def resolve_basis(
    values: ArrayLike, basis: BasisLike = None, *, nodata: float | None = None
) -> Basis:
    """Resolve a basis specification against the valid values of a grid.

    Returns
    -------
    Basis
        With ``vmin`` and ``vmax`` set. A grid without valid values resolves
        the ``data`` and ``trimmed`` kinds to ``(0.0, 0.0)``.

    Examples
    --------
    >>> resolve_basis(np.array([np.nan, 2.0, 7.0])).vmax
    7.0
    """
    spec = _as_basis(basis)
    if spec.resolved:
        return spec
    array, nodata = _unwrap(values, nodata)
    valid_values = array[valid_mask(array, nodata)]
    if valid_values.size == 0:
        return Basis(spec.kind, 0.0, 0.0, spec.lower, spec.upper)
    if spec.kind == "trimmed":
        low, high = np.percentile(valid_values.astype(np.float64), [spec.lower, spec.upper])
        return Basis("trimmed", float(low), float(high), spec.lower, spec.upper)
    return Basis("data", float(valid_values.min()), float(valid_values.max()))


# -- evaluation -------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    """Per-segment lookup tables of an absolute ramp.

    Segment k (0..n) contains the values whose first stop at or above them
    is stop k: segment 0 is at or below the first stop, segment n is above the
    last stop, and segment k in between is the interval (stop k-1, stop k].
    """

    positions: NDArray[np.float64]
    colors: NDArray[np.uint8]  # (n, 4)
    base: NDArray[np.float64]  # (n + 1,) interval start
    width: NDArray[np.float64]  # (n + 1,) interval width, 1 where unused
    start: NDArray[np.float64]  # (n + 1, 4) 0.45 + start color
    delta: NDArray[np.float64]  # (n + 1, 4) end color - start color


def _tables(ramp: Ramp) -> _Tables:
    positions = np.asarray(ramp.positions, dtype=np.float64)
    colors = np.asarray(ramp.colors, dtype=np.int64)
    n = len(positions)
    base = np.empty(n + 1)
    width = np.ones(n + 1)
    start = np.empty((n + 1, 4))
    delta = np.zeros((n + 1, 4))
    base[0], base[n] = positions[0], positions[-1]
    start[0] = colors[0]
    start[n] = colors[-1]
    if n > 1:
        base[1:n] = positions[:-1]
        widths = positions[1:] - positions[:-1]
        # A zero-width interval (a repeated stop) is never selected by the
        # first-stop-at-or-above search, so its width only has to be nonzero.
        width[1:n] = np.where(widths > 0, widths, 1.0)
        start[1:n] = colors[:-1]
        delta[1:n] = colors[1:] - colors[:-1]
    # gdaldem computes int(0.45 + start + ratio * (end - start)); adding 0.45
    # to the integer start first is the same double operation.
    start = 0.45 + start
    return _Tables(positions, colors.astype(np.uint8), base, width, start, delta)


def _evaluate_chunk(
    x: NDArray[np.float64], mode: str, tables: _Tables, out: NDArray[np.uint8]
) -> None:
    """Write the RGBA of the finite values ``x`` into ``out`` (len(x), 4)."""
    positions = tables.positions
    n = len(positions)
    segment = np.searchsorted(positions, x, side="left")

    if mode == "discrete":
        np.take(tables.colors, np.minimum(segment, n - 1), axis=0, out=out)
        return

    if mode == "exact":
        index = np.minimum(segment, n - 1)
        hit = positions[index] == x
        np.take(tables.colors, index, axis=0, out=out)
        out[~hit] = 0
        return

    if mode == "nearest":
        lower = np.maximum(segment - 1, 0)
        upper = np.minimum(segment, n - 1)
        # gdaldem picks the lower stop only when it is strictly closer.
        use_lower = (segment > 0) & (segment < n) & (
            (x - positions[lower]) < (positions[upper] - x)
        )
        np.take(tables.colors, np.where(use_lower, lower, upper), axis=0, out=out)
        return

    # linear: clip so that x - base cannot overflow outside the stops; clipping
    # does not change the color of the end segments, whose delta is 0.
    clipped = np.clip(x, positions[0], positions[-1])
    ratio = (clipped - tables.base[segment]) / tables.width[segment]
    start = tables.start[segment]
    delta = tables.delta[segment]
    channels = start + ratio[:, None] * delta
    np.clip(channels, 0, 255, out=channels)
    out[:] = channels.astype(np.uint8)  # truncates toward zero, as a C cast does


def evaluate(
    values: ArrayLike,
    ramp: Ramp,
    valid: NDArray[np.bool_] | None = None,
    *,
    nodata: float | None = None,
    use_kernel: bool | None = None,
) -> NDArray[np.uint8]:
    """Apply an absolute ramp to values, with no basis resolution.

    Parameters
    ----------
    values : array_like
        Numeric values of any shape.
    ramp : Ramp
        An absolute ramp (see :meth:`Ramp.resolve`).
    valid : ndarray of bool, optional
        Pixels to color; the others get ``ramp.nodata_color``. Defaults to
        the finite values that are not ``nodata``.
    nodata : float, optional
        The value that marks a pixel without data, used when ``valid`` is
        not given.
    use_kernel : bool or None, default None
        Use the compiled numba loop (True) or numpy (False); by default the
        loop for grids of 4096 values or more when numba is installed. Both
        give identical bytes.

    Returns
    -------
    ndarray of uint8, shape ``values.shape + (4,)``

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"0": [0, 0, 0], "100": [200, 100, 50]})
    >>> evaluate([0.0, 50.0, 100.0], ramp).tolist()
    [[0, 0, 0, 255], [100, 50, 25, 255], [200, 100, 50, 255]]
    """
    if ramp.relative:
        raise RampError(
            "evaluate() needs an absolute ramp; call ramp.resolve(vmin, vmax) "
            "or use colorize(), which resolves percents against a basis"
        )
    array = np.asarray(values)
    flat = array.reshape(-1)
    tables = _tables(ramp)
    out = np.empty((flat.size, 4), dtype=np.uint8)
    if use_kernel is None:
        use_kernel = _kernels.AVAILABLE and flat.size >= _KERNEL_MIN
    if use_kernel and array.dtype.kind in "iuf":
        nodata_value, has_nodata = _kernel_nodata(nodata)
        use_valid = valid is not None
        flat_valid = (
            np.ascontiguousarray(np.asarray(valid, dtype=bool).reshape(-1))
            if use_valid
            else np.ones(1, dtype=bool)
        )
        colorize_kernel, _ = _kernels.load()
        colorize_kernel(
            np.ascontiguousarray(flat),
            flat_valid,
            use_valid,
            nodata_value,
            has_nodata,
            tables.positions,
            tables.colors,
            tables.base,
            tables.width,
            tables.start,
            tables.delta,
            _kernels.MODE_CODES[ramp.mode],
            np.asarray(ramp.nodata_color, dtype=np.uint8),
            out,
        )
        return out.reshape(array.shape + (4,))

    if valid is None:
        valid = valid_mask(array, nodata)
    flat_valid = np.asarray(valid, dtype=bool).reshape(-1)
    out[:] = np.asarray(ramp.nodata_color, dtype=np.uint8)

    # Integer grids with a narrow value range (every 8- and 16-bit grid):
    # color each possible value once, then look the pixels up.
    if array.dtype.kind in "biu" and flat_valid.any():
        low = int(flat[flat_valid].min())
        high = int(flat[flat_valid].max())
        if high - low < 1 << 16:
            domain = np.arange(low, high + 1, dtype=np.float64)
            table = np.empty((domain.size, 4), dtype=np.uint8)
            _evaluate_chunk(domain, ramp.mode, tables, table)
            index = flat[flat_valid].astype(np.int64) - low
            out[flat_valid] = table[index]
            return out.reshape(array.shape + (4,))

    all_valid = bool(flat_valid.all())

    def work(start: int) -> None:
        stop = min(start + _CHUNK, flat.size)
        x = flat[start:stop].astype(np.float64, copy=False)
        if all_valid:
            _evaluate_chunk(x, ramp.mode, tables, out[start:stop])
            return
        keep = flat_valid[start:stop]
        if not keep.any():
            return
        chunk = np.empty((int(keep.sum()), 4), dtype=np.uint8)
        _evaluate_chunk(x[keep], ramp.mode, tables, chunk)
        out[start:stop][keep] = chunk

    starts = range(0, flat.size, _CHUNK)
    workers = min(os.cpu_count() or 1, 8)
    if flat.size >= _THREAD_MIN and workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, starts))
    else:
        for start in starts:
            work(start)
    return out.reshape(array.shape + (4,))


def _kernel_nodata(nodata: float | None) -> tuple[float, bool]:
    """Return the nodata value and flag for the compiled validity loop."""
    # NaN needs no flag: the compiled loops treat every non-finite value as invalid.
    if nodata is None or math.isnan(float(nodata)):
        return 0.0, False
    return float(nodata), True


@dataclass(frozen=True)
class Colorized:
    """The result of :func:`colorize`.

    Attributes
    ----------
    rgba : ndarray of uint8, shape ``values.shape + (4,)``
    basis : Basis or None
        The resolved basis that percents were turned into values with; None
        for an absolute ramp.
    ramp : Ramp
        The absolute ramp that was applied.
    valid : ndarray of bool
        True where the input had a value (computed when first read).
    """

    rgba: NDArray[np.uint8]
    basis: Basis | None
    ramp: Ramp
    values: NDArray[Any] = field(repr=False)
    nodata: float | None = None

    @cached_property
    def valid(self) -> NDArray[np.bool_]:
        """True where the input had a value."""
        return valid_mask(self.values, self.nodata)


def colorize(
    values: ArrayLike,
    ramp: Ramp,
    *,
    basis: BasisLike = None,
    nodata: float | None = None,
) -> Colorized:
    """Colorize a grid of values with a ramp.

    Parameters
    ----------
    values : array_like or xarray.DataArray
        Numeric values of any dtype and shape; a DataArray's ``nodata`` or
        ``_FillValue`` attribute is used when ``nodata`` is not given.
    ramp : Ramp
        Relative or absolute ramp.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against; None means the valid min and max.
        Ignored for absolute ramps.
    nodata : float, optional
        The value that marks a pixel without data.

    Returns
    -------
    Colorized
        RGBA bytes, the resolved basis, the applied ramp and the valid mask.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"0%": [0, 0, 0], "100%": [200, 100, 50]})
    >>> result = colorize(np.array([-9999.0, 0.0, 50.0, 100.0]), ramp, nodata=-9999)
    >>> result.rgba.tolist()
    [[0, 0, 0, 0], [0, 0, 0, 255], [100, 50, 25, 255], [200, 100, 50, 255]]
    >>> (result.basis.vmin, result.basis.vmax)
    (0.0, 100.0)
    """
    array, nodata = _unwrap(values, nodata)
    spec = _as_basis(basis)
    resolved: Basis | None = None
    fast = _kernels.AVAILABLE and array.size >= _KERNEL_MIN and array.dtype.kind in "iuf"
    if ramp.relative and fast and spec.kind == "data" and not spec.resolved:
        # One compiled pass finds the range of the valid values.
        nodata_value, has_nodata = _kernel_nodata(nodata)
        _, valid_min_max_kernel = _kernels.load()
        count, low, high = valid_min_max_kernel(
            np.ascontiguousarray(array).reshape(-1), nodata_value, has_nodata
        )
        resolved = Basis("data", float(low), float(high)) if count else Basis("data", 0.0, 0.0)
    applied = ramp
    if ramp.relative:
        if resolved is None:
            resolved = resolve_basis(array, spec, nodata=nodata)
        applied = ramp.resolve(float(resolved.vmin or 0.0), float(resolved.vmax or 0.0))
    rgba = evaluate(array, applied, nodata=nodata)
    return Colorized(rgba=rgba, basis=resolved, ramp=applied, values=array, nodata=nodata)
