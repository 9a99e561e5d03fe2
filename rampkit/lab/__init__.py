"""The lab: Jupyter widgets for tuning a ramp over a live map.

Importing :mod:`rampkit.lab` is cheap: each widget's module loads when its
name is first used, so ``from rampkit.lab import Lab`` pulls in ipyleaflet
and the API client only then.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BasisPicker",
    "ExportPanel",
    "Histogram",
    "Lab",
    "MapView",
    "RampComparison",
    "RampEditor",
    "StatsTable",
]

_MODULES = {
    "BasisPicker": "rampkit.lab.basis",
    "ExportPanel": "rampkit.lab.export",
    "Histogram": "rampkit.lab.histogram",
    "Lab": "rampkit.lab.app",
    "MapView": "rampkit.lab.mapview",
    "RampComparison": "rampkit.lab.compare",
    "RampEditor": "rampkit.lab.editor",
    "StatsTable": "rampkit.lab.stats",
}


def __getattr__(name: str) -> Any:
    try:
        module = _MODULES[name]
    except KeyError:
        raise AttributeError(f"module 'rampkit.lab' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
