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
    "MODES",
    "RGBA",
    "Basis",
    "ClassificationError",
    "ColorFormatError",
    "Colorized",
    "ExperimentalWarning",
    "ExportExistsError",
    "FewerClassesWarning",
    "FormatError",
    "GridError",
    "ImagesAPIConnectionError",
    "ImagesAPIError",
    "LossyConversionError",
    "Mode",
    "OperationDataError",
    "Ramp",
    "RampError",
    "RampRegistry",
    "RampkitError",
    "RampkitWarning",
    "Stop",
    "UnknownRampError",
    "__version__",
    "colorize",
    "evaluate",
    "get_ramp",
    "load_ramp",
    "parse_color",
    "registry",
    "resolve_basis",
    "to_hex",
    "valid_mask",
]
