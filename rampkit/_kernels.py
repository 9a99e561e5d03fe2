"""Compiled loops for colorizing, with numba.

Each kernel does per pixel what :func:`rampkit.colorize._evaluate_chunk`
does per array, with the same double-precision operations in the same
order, so both give identical bytes; the test suite compares them. numba
is used because the numpy version makes about 25 passes over memory per
grid, which is too slow for live recoloring of megapixel grids. When numba
cannot be imported, :data:`AVAILABLE` is False and colorize uses numpy.
"""

from __future__ import annotations

import importlib.util
from typing import Any

__all__ = ["AVAILABLE", "MODE_CODES", "load"]

MODE_CODES = {"linear": 0, "nearest": 1, "exact": 2, "discrete": 3}

# Importing numba takes about half a second, so it waits for the first grid.
AVAILABLE = importlib.util.find_spec("numba") is not None
_loaded: tuple[Any, Any] | None = None


def load() -> tuple[Any, Any]:
    """Return ``(colorize_kernel, valid_min_max_kernel)``, compiling them on first use."""
    global _loaded
    if _loaded is None:
        from rampkit import _numba_loops

        _loaded = (_numba_loops.colorize_kernel, _numba_loops.valid_min_max_kernel)
    return _loaded
