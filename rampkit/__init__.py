"""rampkit: a Jupyter color-ramp lab for precision-agriculture data.

The top level holds the pure core: the ramp model, colors, presets and
colorizing. Widgets, the images service and Dask load only when used.
"""

from __future__ import annotations

from rampkit._version import __version__
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
    ImagesAPIConnectionError,
    ImagesAPIError,
    LossyConversionError,
    OperationDataError,
    RampError,
    RampkitError,
    RampkitWarning,
    UnknownRampError,
)
from rampkit.presets import RampRegistry, get_ramp, load_ramp, registry
from rampkit.ramp import MODES, Mode, Ramp, Stop

__all__ = [
    "__version__",
    "Basis",
    "ClassificationError",
    "ColorFormatError",
    "colorize",
    "Colorized",
    "evaluate",
    "ExperimentalWarning",
    "ExportExistsError",
    "FewerClassesWarning",
    "FormatError",
    "get_ramp",
    "GridError",
    "ImagesAPIConnectionError",
    "ImagesAPIError",
    "load_ramp",
    "LossyConversionError",
    "Mode",
    "MODES",
    "OperationDataError",
    "parse_color",
    "Ramp",
    "RampError",
    "RampkitError",
    "RampkitWarning",
    "RampRegistry",
    "registry",
    "resolve_basis",
    "RGBA",
    "Stop",
    "to_hex",
    "UnknownRampError",
    "valid_mask",
]
