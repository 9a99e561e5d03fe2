"""Exceptions and warnings raised by rampkit.

Every exception derives from :class:`RampkitError`. Where a built-in fits,
the class also derives from it, so callers may catch either::

    RampkitError
    ├── RampError (ValueError)              a malformed ramp definition
    ├── ColorFormatError (ValueError)       a color that cannot be parsed
    ├── FormatError (ValueError)            a ramp file or text that cannot be read
    │   └── LossyConversionError            a format cannot hold part of a ramp
    ├── ClassificationError (ValueError)    a bad scheme, k or set of edges
    ├── UnknownRampError (LookupError)      no preset or file with that name
    ├── OperationDataError (ValueError)     operation data that cannot be used
    ├── GridError (ValueError)              a grid that cannot be built
    ├── ExportExistsError (FileExistsError) an export would overwrite a file
    └── ImagesAPIError                      an images API call failed
        ├── ImagesAPIConnectionError        no HTTP response at all
        │   └── ImagesAPITimeoutError (TimeoutError)  no response in time
        ├── ImagesAPIAuthError              401 or 403: missing, wrong or expired token
        ├── ImagesAPINotFoundError (LookupError)   404: no such operation, image or path
        ├── ImagesAPIRequestError (ValueError)     400, 413, 422: the request was rejected
        └── ImagesAPIServerError            429 or 5xx, still failing after the retries

Warnings derive from :class:`RampkitWarning`, a ``UserWarning``.
"""

from __future__ import annotations

__all__ = [
    "ClassificationError",
    "ColorFormatError",
    "ExperimentalWarning",
    "ExportExistsError",
    "FewerClassesWarning",
    "FormatError",
    "GridError",
    "ImagesAPIAuthError",
    "ImagesAPIConnectionError",
    "ImagesAPIError",
    "ImagesAPINotFoundError",
    "ImagesAPIRequestError",
    "ImagesAPIServerError",
    "ImagesAPITimeoutError",
    "LossyConversionError",
    "OperationDataError",
    "PercentScaleWarning",
    "RampError",
    "RampkitError",
    "RampkitWarning",
    "UnknownRampError",
]


class RampkitError(Exception):
    """Base class of every rampkit exception."""


class RampError(RampkitError, ValueError):
    """A ramp definition is malformed."""


class ColorFormatError(RampkitError, ValueError):
    """A color value cannot be parsed."""


class FormatError(RampkitError, ValueError):
    """A ramp file or text cannot be read in the stated format."""


class LossyConversionError(FormatError):
    """A format cannot express part of a ramp, and the loss was not accepted."""


class ClassificationError(RampkitError, ValueError):
    """A classification scheme, class count or set of edges is invalid."""


class UnknownRampError(RampkitError, LookupError):
    """No built-in or registered ramp has the requested name."""


class OperationDataError(RampkitError, ValueError):
    """Operation data cannot be read, normalized or used as requested."""


class GridError(RampkitError, ValueError):
    """Points cannot be turned into a grid with the requested settings."""


class ExportExistsError(RampkitError, FileExistsError):
    """An export would overwrite an existing file without permission."""


class ImagesAPIError(RampkitError):
    """An images API call returned an error status.

    Parameters
    ----------
    message : str
        Human-readable summary.
    status_code : int or None
        HTTP status, or None when no response arrived.
    method, url : str
        The request that failed. The URL never carries a token.
    detail : str
        The server's own message, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str = "",
        url: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url
        self.detail = detail


class ImagesAPIConnectionError(ImagesAPIError):
    """An images API call got no HTTP response (refused, timed out, reset)."""


class RampkitWarning(UserWarning):
    """Base class of rampkit warnings."""


class FewerClassesWarning(RampkitWarning):
    """A classification produced fewer classes than requested."""


class PercentScaleWarning(RampkitWarning):
    """Percent stops all lie within 0–1 %, as fractions of the range would."""


class ExperimentalWarning(RampkitWarning):
    """An experimental feature was used; its behaviour may change."""


class ImagesAPITimeoutError(ImagesAPIConnectionError, TimeoutError):
    """An images API call got no response within the client's timeout."""


class ImagesAPIAuthError(ImagesAPIError):
    """An images API call was rejected for its credentials (401 or 403)."""


class ImagesAPINotFoundError(ImagesAPIError, LookupError):
    """An images API call named an operation, image or path that does not exist (404)."""


class ImagesAPIRequestError(ImagesAPIError, ValueError):
    """An images API call was rejected as invalid (400, 413 or 422)."""


class ImagesAPIServerError(ImagesAPIError):
    """An images API call kept failing with 429 or 5xx after every retry."""
