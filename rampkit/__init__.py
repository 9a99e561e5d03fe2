"""rampkit: a Jupyter color-ramp lab for precision-agriculture data.

The top level contains the pure core: the ramp model, colors, presets,
colorizing, classification and legends, plus the images API client.
Widgets, the images service and Dask load only when used.
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any as _Any

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
    "BatchResult",
    "classed_legend",
    "ClassedLegend",
    "Classification",
    "ClassificationError",
    "classify",
    "clean_operation",
    "CleanResult",
    "ColorFormatError",
    "colorize",
    "Colorized",
    "continuous_legend",
    "ContinuousLegend",
    "data_url",
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
    "list_samples",
    "load_ramp",
    "load_sample",
    "LossyConversionError",
    "Mode",
    "MODES",
    "NODATA_CLASS",
    "Operation",
    "operation_from_geojson",
    "OperationDataError",
    "parse_color",
    "Ramp",
    "ramp_from_v2_legend",
    "RampDocument",
    "RampError",
    "RampkitError",
    "RampkitWarning",
    "RampRegistry",
    "rasterize",
    "read_operation",
    "read_ramp",
    "registry",
    "render_batch",
    "render_grid",
    "render_operation",
    "RenderedImage",
    "resolve_basis",
    "RGBA",
    "SCHEMES",
    "Stop",
    "to_hex",
    "UnknownRampError",
    "V2_COLORS",
    "v2_legend",
    "valid_mask",
    "write_geotiff",
    "write_png",
    "write_ramp",
    "write_values_geotiff",
]


# Names whose modules load xarray, pandas or httpx (about 0.4 s together);
# they are imported on first access so that 'import rampkit' stays fast.
_LAZY = {
    "BatchResult": "rampkit.batch",
    "CleanResult": "rampkit.operations",
    "ImagesClient": "rampkit.api.client",
    "Operation": "rampkit.operations",
    "RenderedImage": "rampkit.image",
    "clean_operation": "rampkit.operations",
    "data_url": "rampkit.image",
    "list_samples": "rampkit.samples",
    "load_sample": "rampkit.samples",
    "operation_from_geojson": "rampkit.operations",
    "rasterize": "rampkit.grid",
    "read_operation": "rampkit.operations",
    "render_batch": "rampkit.batch",
    "render_grid": "rampkit.image",
    "render_operation": "rampkit.render",
    "write_geotiff": "rampkit.image",
    "write_png": "rampkit.image",
    "write_values_geotiff": "rampkit.image",
}


def __getattr__(name: str) -> _Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'rampkit' has no attribute {name!r}")
    return getattr(_importlib.import_module(module_name), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
