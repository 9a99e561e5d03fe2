"""The numba loops behind :mod:`rampkit._kernels`, compiled on first import.

The loops are cached on disk (``cache=True``), so only the first process
after an install pays the compile time of about three seconds.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["colorize_kernel", "valid_min_max_kernel"]


@numba.njit(cache=True, nogil=True, parallel=True)
def valid_min_max_kernel(values, nodata, has_nodata):  # type: ignore[no-untyped-def]
    """Return (count, min, max) of the finite values that are not ``nodata``."""
    n = values.size
    chunks = 64
    step = (n + chunks - 1) // chunks
    counts = np.zeros(chunks, np.int64)
    lows = np.full(chunks, np.inf)
    highs = np.full(chunks, -np.inf)
    for c in numba.prange(chunks):
        count = 0
        low = np.inf
        high = -np.inf
        for i in range(c * step, min(n, (c + 1) * step)):
            x = np.float64(values[i])
            if np.isfinite(x) and not (has_nodata and x == nodata):
                count += 1
                low = min(low, x)
                high = max(high, x)
        counts[c] = count
        lows[c] = low
        highs[c] = high
    return counts.sum(), lows.min(), highs.max()

@numba.njit(cache=True, nogil=True, parallel=True)
def colorize_kernel(  # type: ignore[no-untyped-def]
    values, valid, use_valid, nodata, has_nodata,
    positions, colors, base, width, start, delta, mode, nodata_color, out,
):
    """Write the RGBA of each value into ``out`` (n, 4).

    A value is valid where ``valid`` is True when ``use_valid`` is set,
    else where it is finite and not ``nodata``; computing validity here
    saves a pass over memory.
    """
    n = values.size
    count = positions.size
    for i in numba.prange(n):
        x = np.float64(values[i])
        if use_valid:
            ok = valid[i]
        else:
            ok = np.isfinite(x) and not (has_nodata and x == nodata)
        if not ok:
            for c in range(4):
                out[i, c] = nodata_color[c]
            continue

        # Index of the first stop at or above x (the search gdaldem does),
        # found by counting the stops below x: ramps have few stops, and a
        # count has no branches to mispredict.
        segment = 0
        if count <= 64:
            for j in range(count):
                segment += positions[j] < x
        else:
            high = count
            while segment < high:
                middle = (segment + high) >> 1
                if positions[middle] < x:
                    segment = middle + 1
                else:
                    high = middle

        if mode == 3:  # discrete
            index = min(segment, count - 1)
            for c in range(4):
                out[i, c] = colors[index, c]
        elif mode == 2:  # exact
            index = min(segment, count - 1)
            hit = positions[index] == x
            for c in range(4):
                out[i, c] = colors[index, c] if hit else 0
        elif mode == 1:  # nearest
            index = min(segment, count - 1)
            if 0 < segment < count:
                if x - positions[segment - 1] < positions[segment] - x:
                    index = segment - 1
            for c in range(4):
                out[i, c] = colors[index, c]
        else:  # linear
            clipped = min(max(x, positions[0]), positions[count - 1])
            ratio = (clipped - base[segment]) / width[segment]
            for c in range(4):
                channel = start[segment, c] + ratio * delta[segment, c]
                channel = min(max(channel, 0.0), 255.0)
                out[i, c] = np.uint8(np.int64(channel))
