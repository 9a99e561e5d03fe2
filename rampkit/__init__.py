"""rampkit: a Jupyter color-ramp lab for precision-agriculture data.

The top level holds the pure core: the ramp model, colors, presets,
colorizing, classification and legends, plus the images API client.
Widgets, the images service and Dask load only when used.
"""

from __future__ import annotations

from typing import Any

from rampkit._version import __version__
from rampkit.classify import (
    NODATA_CLASS,
    SCHEMES,
    V2_COLORS,
    Classification,
    classify,
    fixed_classification,
)
from rampkit.color import RGBA, parse_color, to_hex
from rampkit.colorize import Basis, Colorized, colorize, evaluate, resolve_basis, valid_mask
from rampkit.errors import (
    ClassificationError,
    ColorFormatError,
    ExperimentalWarning,
    ExportExistsError,
    FewerClassesWarning,
    FormatError,
    GridError,
    ImagesAPIAuthError,
    ImagesAPIConnectionError,
    ImagesAPIError,
    ImagesAPINotFoundError,
    ImagesAPIRequestError,
    ImagesAPIServerError,
    ImagesAPITimeoutError,
    LossyConversionError,
    OperationDataError,
    RampError,
    RampkitError,
    RampkitWarning,
    UnknownRampError,
)
from rampkit.formats import read_ramp, write_ramp
from rampkit.formats.document import RampDocument
from rampkit.legend import (
    ClassedLegend,
    ContinuousLegend,
    classed_legend,
    continuous_legend,
    ramp_from_v2_legend,
    v2_legend,
)
from rampkit.presets import RampRegistry, get_ramp, load_ramp, registry
from rampkit.ramp import MODES, Mode, Ramp, Stop

__all__ = [
    "__version__",
    "Basis",
    "classed_legend",
    "ClassedLegend",
    "Classification",
    "ClassificationError",
    "classify",
    "ColorFormatError",
    "colorize",
    "Colorized",
    "continuous_legend",
    "ContinuousLegend",
    "evaluate",
    "ExperimentalWarning",
    "ExportExistsError",
    "FewerClassesWarning",
    "fixed_classification",
    "FormatError",
    "get_ramp",
    "GridError",
    "ImagesAPIAuthError",
    "ImagesAPIConnectionError",
    "ImagesAPIError",
    "ImagesAPINotFoundError",
    "ImagesAPIRequestError",
    "ImagesAPIServerError",
    "ImagesAPITimeoutError",
    "ImagesClient",
    "load_ramp",
    "LossyConversionError",
    "Mode",
    "MODES",
    "NODATA_CLASS",
    "OperationDataError",
    "parse_color",
    "Ramp",
    "ramp_from_v2_legend",
    "RampDocument",
    "RampError",
    "RampkitError",
    "RampkitWarning",
    "RampRegistry",
    "read_ramp",
    "registry",
    "resolve_basis",
    "RGBA",
    "SCHEMES",
    "Stop",
    "to_hex",
    "UnknownRampError",
    "V2_COLORS",
    "v2_legend",
    "valid_mask",
    "write_ramp",
]


def __getattr__(name: str) -> Any:
    # httpx and asyncio add about 0.3 s to an import that needs no client.
    if name == "ImagesClient":
        from rampkit.api.client import ImagesClient

        return ImagesClient
    raise AttributeError(f"module 'rampkit' has no attribute {name!r}")
