"""Warnings that point at the caller's code rather than at rampkit's."""

from __future__ import annotations

import inspect
import warnings

__all__ = ["warn_at_caller"]


def _in_package(module_name: object) -> bool:
    return isinstance(module_name, str) and (
        module_name == "rampkit" or module_name.startswith("rampkit.")
    )


def _caller_stacklevel() -> int:
    """Return the ``stacklevel`` of the first frame outside the rampkit package.

    Frames are matched by their module's name rather than their file,
    because the ``__init__`` that dataclasses generate runs in the module's
    namespace but has no file of its own. The level is counted as
    ``warnings.warn`` counts it when called from :func:`warn_at_caller`.
    """
    frame = inspect.currentframe()
    level = 0
    while frame is not None and _in_package(frame.f_globals.get("__name__")):
        frame = frame.f_back
        level += 1
    return max(level, 1)


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """Issue a warning attributed to the first caller outside rampkit.

    A warning raised deep in the package, for example while a format reader
    builds a ramp, then names the line of the user's code that started it.
    """
    warnings.warn(message, category, stacklevel=_caller_stacklevel())
