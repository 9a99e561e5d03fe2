"""The local images service: the images API's paths, served from a data directory.

:func:`create_app` returns a FastAPI (ASGI) application that serves the
operations and images calls of the images API under their real paths, for
the bundled samples or any folder of operation files (see
:mod:`rampkit.api.store`). Images are rendered with
:func:`rampkit.render.render_operation`, the function notebooks use, so an
image from the service equals the in-process one byte for byte.

Behaviour the public API documentation leaves open, decided here:

Authentication
    Started without a token, the service accepts every request. Started with
    one, every call except ``POST /api/authenticate`` needs
    ``Authorization: Bearer <token>``; ``/api/authenticate`` hands the token
    out for the username and password pairs given in ``users``.
Errors
    Every error is problem JSON (``type``, ``title``, ``status``,
    ``message``, ``errorKey``, ``path``) whose message names the field and
    value at fault. Validation errors are 400, not FastAPI's 422.
Paging
    ``page`` from 0, ``size`` from 1 to 100 (default 20); ``X-Total-Count``
    and a ``Link`` header with ``first``, ``prev``, ``next`` and ``last``.
Time filters
    ``startTime`` keeps operations that end at or after it, ``endTime`` those
    that start at or before it, ``updatedTime`` those updated at or after
    it. Operations without the time in question are left out.
Images
    ``POST /services/images/api/images`` answers 201 with the image's URL
    (``/services/geoimages/api/images/{id}/{property}``), extent, legend
    and resolved percent basis. The image id is derived from the request's
    content, so equal requests share one id and one cache entry.

Every request is logged as one INFO line on this module's logger: method,
path, status and milliseconds. Query strings and headers are never logged,
so neither is a token.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rampkit._text import short_repr
from rampkit._version import __version__
from rampkit.api.models import OPERATION_TYPES, ImageRequest
from rampkit.api.store import (
    CachedImage,
    LRUCache,
    OperationEntry,
    OperationStore,
    UnknownOperationError,
    request_key,
)
from rampkit.errors import (
    FormatError,
    GridError,
    OperationDataError,
    RampError,
)

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "GEOIMAGES_PATH",
    "IMAGES_PATH",
    "OPERATIONS_PATH",
    "FailureMode",
    "ProblemError",
    "create_app",
]

logger = logging.getLogger(__name__)

OPERATIONS_PATH = "/services/operations/api/operations"
IMAGES_PATH = "/services/images/api/images"
GEOIMAGES_PATH = "/services/geoimages/api/images"
AUTHENTICATE_PATH = "/api/authenticate"

# 16 megapixels is a 4000 x 4000 image: far above a field at 1 m pixels, and
# about 64 MB of RGBA, so one request cannot take the memory of a notebook host.
DEFAULT_MAX_PIXELS = 16_000_000
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
# The V1 and V2 image lists use the standard ramp and this pixel size (metres
# of Web Mercator), coarsened when a large operation would exceed the cap.
LIST_IMAGE_RESOLUTION = 2.0
PROBLEM_MEDIA_TYPE = "application/problem+json"

# Per-point amounts whose sum is a total of the operation (area, mass, volume, distance).
TOTAL_PROPERTIES = ("area", "distance", "wetMass", "dryMass", "wetVolume", "dryVolume")

# Properties the V1 and V2 lists show, per operation type, when the data has them.
IMAGE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "harvested": ("dryVolumePerArea", "dryMassPerArea", "wetVolumePerArea",
                  "wetMassPerArea", "harvestMoisture", "elevation"),
    "planted": ("seedRate", "seedRateTarget", "seedDepth", "elevation"),
    "applied": ("appliedRate", "appliedRateTarget", "elevation"),
    "tillage": ("tillageDepthActual", "tillageDepthTarget", "elevation"),
}


class ProblemError(Exception):
    """An error the service returns as problem JSON.

    Parameters
    ----------
    status : int
        HTTP status.
    message : str
        What failed, on which value, and how to fix it.
    error_key : str
        A stable machine-readable key, such as ``"invalidResolution"``.
    headers : mapping, optional
        Extra response headers (``WWW-Authenticate``, ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_key: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_key = error_key
        self.headers = dict(headers or {})


@dataclass
class FailureMode:
    """Make the service fail on purpose, for testing a client's retries.

    The first ``count`` requests whose path starts with ``path_prefix`` get a
    response with ``status`` (and ``Retry-After`` when given); later ones are
    served normally. ``failed`` counts the failures sent so far.

    Parameters
    ----------
    status : int, default 503
        The status to answer with.
    count : int, default 1
        How many requests fail before the service recovers.
    retry_after : float, optional
        Seconds to send in ``Retry-After``.
    path_prefix : str, default "/services"
        Only requests under this path fail.
    """

    status: int = 503
    count: int = 1
    retry_after: float | None = None
    path_prefix: str = "/services"
    failed: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def take(self, path: str) -> bool:
        """Return True when this request is one that must fail, counting it."""
        if not path.startswith(self.path_prefix):
            return False
        with self._lock:
            if self.failed >= self.count:
                return False
            self.failed += 1
            return True


@dataclass(frozen=True)
class _ImageSpec:
    """A request whose image can be rendered (again) on demand."""

    request: ImageRequest
    property_name: str
    key: str

    @property
    def image_id(self) -> str:
        return self.key[:32]


@dataclass
class _ServiceState:
    store: OperationStore
    token: str | None
    users: dict[str, str]
    max_pixels: int
    fail: FailureMode | None
    images: LRUCache[str, CachedImage]
    specs: LRUCache[str, _ImageSpec]
    geojson: LRUCache[tuple[Any, ...], bytes]


# -- problem JSON ---------------------------------------------------------------


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _problem_response(
    request: Request, status: int, message: str, error_key: str,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "message": message,
        "errorKey": error_key,
        "path": request.url.path,
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}),
                        media_type=PROBLEM_MEDIA_TYPE)



def _validation_message(errors: list[Any]) -> str:
    """Join pydantic errors into one message that names each field and value."""
    parts: list[str] = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        name = ".".join(location) or "body"
        message = str(error.get("msg", "is invalid"))
        kind = error.get("type", "")
        if kind == "value_error":
            # Our own validators already name the field and the value.
            parts.append(message.removeprefix("Value error, "))
        elif kind == "missing":
            parts.append(f"{name} is missing; add it to the request")
        elif kind == "extra_forbidden":
            parts.append(f"{name} is not a known field; remove it or check its spelling")
        elif kind == "json_invalid":
            parts.append(f"request body is not valid JSON: {message}")
        else:
            parts.append(f"{name} {short_repr(error.get('input'))} is invalid: {message}")
    return "; ".join(parts) or "the request is invalid"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _service_problem(request: Request, exc: ProblemError) -> Response:
        # The request line itself is logged by the middleware; this adds the reason.
        logger.debug("%s %s: %s (%s)", request.method, request.url.path, exc.message,
                     exc.error_key)
        return _problem_response(request, exc.status, exc.message, exc.error_key, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _problem_response(
            request, 400, _validation_message(list(exc.errors())), "invalidRequest"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = (
                f"path {request.url.path!r} not found; the service answers under "
                f"{OPERATIONS_PATH}, {IMAGES_PATH} and {GEOIMAGES_PATH}"
            )
            return _problem_response(request, 404, message, "notFound")
        if exc.status_code == 405:
            message = f"method {request.method} is not allowed on {request.url.path!r}"
            return _problem_response(request, 405, message, "methodNotAllowed")
        return _problem_response(request, exc.status_code, str(exc.detail), "httpError")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("%s %s failed", request.method, request.url.path)
        message = f"internal error ({type(exc).__name__}); see the service log"
        return _problem_response(request, 500, message, "internalError")


# -- helpers --------------------------------------------------------------------


def _state(request: Request) -> _ServiceState:
    state: _ServiceState = request.app.state.rampkit
    return state


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _parse_time(name: str, value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ProblemError(
            400,
            f"{name} {value!r} is not an ISO 8601 time; write it as 2019-05-05 or "
            "2019-05-05T04:19:04Z",
            error_key="invalidTime",
        ) from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _entry_or_404(state: _ServiceState, operation_id: str) -> OperationEntry:
    try:
        return state.store.entry(operation_id)
    except UnknownOperationError as exc:
        raise ProblemError(404, str(exc), error_key="operationNotFound") from None


def _operation_or_problem(state: _ServiceState, entry: OperationEntry) -> Any:
    try:
        return state.store.operation_for(entry)
    except OperationDataError as exc:
        raise ProblemError(
            422, f"operation {entry.id!r} cannot be read: {exc}", error_key="unreadableOperation"
        ) from None


def _record(state: _ServiceState, entry: OperationEntry) -> dict[str, Any]:
    """Return an operation record in the API's shape."""
    start, end, field_id = entry.start_time, entry.end_time, entry.field_id
    op_type = entry.type
    if op_type is None or start is None or field_id is None:
        # Only files without metadata get here; their record comes from the data.
        op_type = state.store.operation_type(entry)
        try:
            metadata = state.store.operation_for(entry).metadata
        except OperationDataError:
            metadata = {}
        start = start or metadata.get("startTime")
        end = end or metadata.get("endTime")
        field_id = field_id or metadata.get("field")
    return {
        "id": entry.id,
        "apiOwnerUsername": "local",
        "leafUserId": entry.leaf_user_id or "local-user",
        "startTime": start,
        "endTime": end,
        "updatedTime": entry.updated_time,
        "type": op_type,
        "files": [entry.path.name],
        "fields": [{"id": field_id, "coverage": None}] if field_id else [],
        "providers": [entry.provider] if entry.provider else [],
    }


def _matches(record: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    for key in ("leafUserId", "operationType", "fieldId", "provider"):
        wanted = filters.get(key)
        if wanted is None:
            continue
        if key == "operationType" and record["type"] != wanted:
            return False
        if key == "leafUserId" and record["leafUserId"] != wanted:
            return False
        if key == "fieldId" and wanted not in [field["id"] for field in record["fields"]]:
            return False
        if key == "provider" and wanted not in record["providers"]:
            return False
    checks: tuple[tuple[str, str, Callable[[datetime, datetime], bool]], ...] = (
        ("startTime", "endTime", lambda op_time, limit: op_time >= limit),
        ("endTime", "startTime", lambda op_time, limit: op_time <= limit),
        ("updatedTime", "updatedTime", lambda op_time, limit: op_time >= limit),
    )
    for name, record_key, keep in checks:
        limit = filters.get(name)
        if limit is None:
            continue
        op_time = _parse_time(record_key, record.get(record_key))
        if op_time is None or not keep(op_time, limit):
            return False
    return True


def _link_header(request: Request, page: int, size: int, total: int) -> str:
    last = max(0, math.ceil(total / size) - 1)
    params = {key: value for key, value in request.query_params.items()
              if key not in ("page", "size")}

    def link(number: int, rel: str) -> str:
        query = urlencode({**params, "page": number, "size": size})
        return f'<{_absolute(request, request.url.path)}?{query}>; rel="{rel}"'

    links = []
    if page < last:
        links.append(link(page + 1, "next"))
    if page > 0:
        links.append(link(min(page - 1, last), "prev"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    return ",".join(links)


# -- rendering ------------------------------------------------------------------


def _default_property(entry: OperationEntry | None, op: Any) -> str:
    name = (entry.default_property if entry else None) or op.metadata.get("property")
    if name:
        return str(name)
    numeric = op.numeric_properties()
    if not numeric:
        raise ProblemError(
            400, f"operation {op.id!r} has no numeric property to paint",
            error_key="noNumericProperty",
        )
    return str(numeric[0])


def _resolve_property(op: Any, name: str, *, status: int) -> str:
    try:
        return str(op.resolve_property(name))
    except OperationDataError as exc:
        raise ProblemError(status, str(exc), error_key="unknownProperty") from None


def _source(
    state: _ServiceState, body: ImageRequest
) -> tuple[Any, OperationEntry | None, list[Any]]:
    """Return the operation a request names, its entry and its part of the cache key."""
    if body.geojson is not None:
        from rampkit.operations import operation_from_geojson

        try:
            op = operation_from_geojson(body.geojson, operation_id="geojson")
        except OperationDataError as exc:
            raise ProblemError(400, f"geojson: {exc}", error_key="invalidGeojson") from None
        return op, None, ["geojson", request_key({"geojson": body.geojson})]
    source_id = body.source_id or ""
    entry = None
    if body.file_id is not None:
        for candidate in state.store.entries():
            if body.file_id in (candidate.path.name, candidate.id):
                entry = candidate
                break
        if entry is None:
            raise ProblemError(
                404, f"fileId {body.file_id!r} not found; list files with GET {OPERATIONS_PATH}",
                error_key="fileNotFound",
            )
    else:
        entry = _entry_or_404(state, source_id)
    op = _operation_or_problem(state, entry)
    return op, entry, ["operation", entry.id, [list(part) for part in entry.signature]]


def _legend(image: Any, ramp: Any) -> dict[str, Any]:
    """Return the legend of a rendered image: classes or color stops, with values."""
    from rampkit.color import to_hex

    resolved = image.ramp
    legend: dict[str, Any] = {
        "unit": image.unit,
        "nodataColor": to_hex(ramp.nodata_color, alpha=True).upper(),
    }
    if ramp.mode == "discrete":
        # A discrete stop is the upper edge of its class. The first class starts
        # at the basis minimum; an absolute ramp has no basis, so its first
        # class is open below (min null).
        lower = image.basis.vmin if image.basis is not None else None
        ranges = []
        for position, color in zip(resolved.positions, resolved.colors, strict=True):
            ranges.append({"colorCode": to_hex(color).upper(), "min": lower, "max": position})
            lower = position
        legend["ranges"] = ranges
    else:
        legend["stops"] = [
            {"position": key, "value": value, "colorCode": to_hex(color).upper()}
            for key, value, color in zip(
                ramp.keys(), resolved.positions, resolved.colors, strict=True
            )
        ]
    return legend


def _render(state: _ServiceState, spec: _ImageSpec) -> CachedImage:
    """Render an image spec with the same function notebooks use."""
    from rampkit.image import aux_xml
    from rampkit.render import render_operation

    body = spec.request
    op, _, _ = _source(state, body)
    ramp = body.ramp()
    try:
        image = render_operation(
            op,
            spec.property_name,
            ramp,
            resolution=body.resolution,
            projection=body.projection,
            shape=body.shape,
            basis=body.basis_spec(),
            max_pixels=state.max_pixels,
        )
    except GridError as exc:
        over_cap = "pixel" in str(exc) and ("cap" in str(exc) or "limit" in str(exc))
        raise ProblemError(
            413 if over_cap else 400, str(exc),
            error_key="gridTooLarge" if over_cap else "invalidGrid",
        ) from None
    except OperationDataError as exc:
        raise ProblemError(400, str(exc), error_key="unusableData") from None
    except RampError as exc:
        raise ProblemError(400, f"colorRamp: {exc}", error_key="invalidColorRamp") from None

    height, width = image.rgba.shape[:2]
    xmin, ymin, xmax, ymax = (float(v) for v in image.extent)
    meta = {
        "width": int(width),
        "height": int(height),
        "unit": image.unit,
        "extent": {
            "crs": str(image.crs),
            "xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax,
            "latlonBounds": [[float(v) for v in corner] for corner in image.latlon_bounds],
        },
        "basis": image.basis.to_dict() if image.basis is not None else None,
        "legend": _legend(image, ramp),
    }
    return CachedImage.create(image.png, aux_xml(image), meta)


def _spec_for(state: _ServiceState, body: ImageRequest) -> _ImageSpec:
    op, entry, data_key = _source(state, body)
    name = body.property_name or _default_property(entry, op)
    property_name = _resolve_property(op, name, status=400)
    # The data enters the key once, through data_key, however the request named it.
    request_part = body.model_dump(
        by_alias=True, exclude_none=True, exclude={"geojson", "operation_id", "file_id"}
    )
    request_part["property"] = property_name
    key = request_key({"data": data_key, "request": request_part, "version": __version__})
    spec = _ImageSpec(body, property_name, key)
    state.specs.put(spec.image_id, spec)
    return spec


def _image(state: _ServiceState, spec: _ImageSpec) -> CachedImage:
    return state.images.get_or_create(spec.key, lambda: _render(state, spec))


def _image_urls(request: Request, spec: _ImageSpec) -> dict[str, str]:
    url = _absolute(request, f"{GEOIMAGES_PATH}/{spec.image_id}/{spec.property_name}")
    return {"url": url, "downloadUrl": f"{url}?download=true", "auxXmlUrl": f"{url}.aux.xml"}


def _image_properties(op: Any) -> list[str]:
    numeric = op.numeric_properties()
    preferred = [name for name in IMAGE_PROPERTIES.get(op.operation_type, ())
                 if name in numeric]
    default = op.metadata.get("property")
    if default in numeric and default not in preferred:
        preferred.insert(0, default)
    return preferred or numeric[:1]


def _list_resolution(op: Any, max_pixels: int) -> float:
    """Return the pixel size of list images: 2 m, or coarser when the cap needs it."""
    import numpy as np

    # Web Mercator by formula; the footprints add a margin the 1.2 factor covers.
    lat = np.radians(np.clip(op.lat, -85.0, 85.0))
    x = 6378137.0 * np.radians(op.lon)
    y = 6378137.0 * np.log(np.tan(np.pi / 4 + lat / 2))
    area = float(np.ptp(x) + 40) * float(np.ptp(y) + 40)
    if area / LIST_IMAGE_RESOLUTION**2 <= max_pixels / 1.2:
        return LIST_IMAGE_RESOLUTION
    return float(np.ceil(np.sqrt(area * 1.2 / max_pixels)))


def _list_spec(
    state: _ServiceState, op: Any, property_name: str,
    color_ramp: dict[str, Any], interpolation: str = "linear",
) -> _ImageSpec:
    body = ImageRequest.model_validate({
        "colorRamp": color_ramp,
        "operationId": op.id,
        "property": property_name,
        "projection": "EPSG:3857",
        "resolution": _list_resolution(op, state.max_pixels),
        "shape": "ROUND",
        "interpolation": interpolation,
    })
    return _spec_for(state, body)


# -- the application --------------------------------------------------------------


def create_app(
    data_dir: str | Path | None = None,
    *,
    token: str | None = None,
    users: Mapping[str, str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    fail: FailureMode | None = None,
    cache_size: int = 64,
) -> FastAPI:
    """Return the local images service as an ASGI application.

    Parameters
    ----------
    data_dir : path, optional
        A folder of operation files (see :mod:`rampkit.api.store`); the
        bundled samples when omitted.
    token : str, optional
        When given, every call needs ``Authorization: Bearer <token>``.
    users : mapping of str to str, optional
        Username and password pairs that ``POST /api/authenticate`` accepts;
        it answers with ``token``.
    max_pixels : int, default 16_000_000
        The largest image a request may make; larger grids are answered with
        413 and the smallest resolution that fits.
    fail : FailureMode, optional
        Answer some requests with an error on purpose (for retry tests).
    cache_size : int, default 64
        How many rendered images to keep in memory.

    Returns
    -------
    fastapi.FastAPI
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels {max_pixels!r} must be at least 1")
    state = _ServiceState(
        store=OperationStore(data_dir),
        token=token,
        users=dict(users or {}),
        max_pixels=int(max_pixels),
        fail=fail,
        images=LRUCache(cache_size),
        specs=LRUCache(max(1024, cache_size * 16)),
        geojson=LRUCache(4),
    )
    app = FastAPI(
        title="rampkit local images service",
        version=__version__,
        description="The images API's operations and images calls, served locally.",
    )
    app.state.rampkit = state
    _install_error_handlers(app)
    _install_middleware(app, state)

    app.include_router(_auth_router(state))
    app.include_router(_operations_router(), dependencies=[Depends(_require_token)])
    app.include_router(_images_router(), dependencies=[Depends(_require_token)])
    return app


def _install_middleware(app: FastAPI, state: _ServiceState) -> None:
    @app.middleware("http")
    async def _log_and_fail(request: Request, call_next: Callable[..., Any]) -> Response:
        start = time.perf_counter()
        if state.fail is not None and state.fail.take(request.url.path):
            headers = {}
            if state.fail.retry_after is not None:
                headers["Retry-After"] = f"{state.fail.retry_after:g}"
            response: Response = _problem_response(
                request, state.fail.status,
                f"the service is set to fail this request on purpose "
                f"({state.fail.failed} of {state.fail.count}); retry",
                "failingOnPurpose", headers,
            )
        else:
            response = await call_next(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        logger.info("%s %s %d %.1f ms", request.method, request.url.path,
                    response.status_code, elapsed_ms)
        return response


def _require_token(request: Request) -> None:
    expected = _state(request).token
    if expected is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not header:
        message = "Authorization header is missing; send 'Authorization: Bearer <token>'"
    elif scheme.lower() != "bearer" or not given:
        message = f"Authorization scheme {scheme!r} is not supported; use 'Bearer <token>'"
    elif not secrets.compare_digest(given.strip().encode(), expected.encode()):
        message = "the Bearer token is not valid; use the token the service was started with"
    else:
        return
    raise ProblemError(401, message, error_key="unauthorized",
                         headers={"WWW-Authenticate": "Bearer"})


def _auth_router(state: _ServiceState) -> APIRouter:
    router = APIRouter()

    @router.post(AUTHENTICATE_PATH)
    async def authenticate(request: Request) -> JSONResponse:
        """Exchange a username and password for the service's token."""
        body = await _json_body(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ProblemError(
                400, "username and password must both be strings in the JSON body",
                error_key="invalidCredentials",
            )
        known = state.users.get(username)
        if state.token is None:
            return JSONResponse({"id_token": "local"})
        if known is None or not secrets.compare_digest(known.encode(), password.encode()):
            raise ProblemError(401, f"username {username!r} or its password is not valid",
                                 error_key="badCredentials")
        return JSONResponse({"id_token": state.token})

    return router


async def _json_body(request: Request) -> dict[str, Any]:
    from rampkit.formats.api import loads_json_strict

    raw = await request.body()
    if not raw.strip():
        raise ProblemError(400, "request body is empty; send a JSON object",
                             error_key="invalidBody")
    try:
        body = loads_json_strict(raw)
    except FormatError as exc:
        raise ProblemError(400, f"request body is not valid JSON: {exc}",
                             error_key="invalidBody") from None
    if not isinstance(body, dict):
        raise ProblemError(
            400, f"request body must be a JSON object, got {type(body).__name__}",
            error_key="invalidBody",
        )
    return body


def _operations_router() -> APIRouter:
    router = APIRouter(prefix=OPERATIONS_PATH)

    @router.get("")
    def list_operations(
        request: Request,
        page: int = 0,
        size: int = PAGE_SIZE_DEFAULT,
        leafUserId: str | None = None,  # noqa: N803 - the API's parameter names
        provider: str | None = None,
        startTime: str | None = None,  # noqa: N803
        endTime: str | None = None,  # noqa: N803
        updatedTime: str | None = None,  # noqa: N803
        operationType: str | None = None,  # noqa: N803
        fieldId: str | None = None,  # noqa: N803
    ) -> Response:
        """List operations, with filters and paging."""
        state = _state(request)
        if page < 0:
            raise ProblemError(400, f"page {page!r} is negative; pages count from 0",
                                 error_key="invalidPage")
        if not 1 <= size <= PAGE_SIZE_MAX:
            raise ProblemError(
                400, f"size {size!r} is outside 1-{PAGE_SIZE_MAX}; ask for at most "
                f"{PAGE_SIZE_MAX} operations per page", error_key="invalidSize",
            )
        if operationType is not None and operationType not in OPERATION_TYPES:
            raise ProblemError(
                400, f"operationType {operationType!r} is not known; use one of "
                + ", ".join(OPERATION_TYPES), error_key="invalidOperationType",
            )
        filters = {
            "leafUserId": leafUserId, "provider": provider, "operationType": operationType,
            "fieldId": fieldId,
            "startTime": _parse_time("startTime", startTime),
            "endTime": _parse_time("endTime", endTime),
            "updatedTime": _parse_time("updatedTime", updatedTime),
        }
        records = [_record(state, entry) for entry in state.store.entries()]
        records = [record for record in records if _matches(record, filters)]
        total = len(records)
        items = records[page * size:(page + 1) * size]
        return JSONResponse(items, headers={
            "X-Total-Count": str(total),
            "Link": _link_header(request, page, size, total),
        })

    @router.get("/{operation_id}")
    def get_operation(request: Request, operation_id: str) -> dict[str, Any]:
        """Return one operation."""
        state = _state(request)
        return _record(state, _entry_or_404(state, operation_id))

    for kind in ("standardGeojson", "filteredGeojson"):
        router.add_api_route(f"/{{operation_id}}/{kind}", _geojson_links(kind), methods=["GET"])
        router.add_api_route(f"/{{operation_id}}/files/{kind}.geojson", _geojson_file(kind),
                             methods=["GET"])

    @router.get("/{operation_id}/summary")
    def summary(request: Request, operation_id: str) -> dict[str, Any]:
        """Return the operation's summary as a GeoJSON Feature."""
        import numpy as np

        state = _state(request)
        op = _operation_or_problem(state, _entry_or_404(state, operation_id))
        properties: dict[str, Any] = dict(op.summary())
        totals: dict[str, Any] = {"points": {"value": len(op), "unit": None}}
        for name in TOTAL_PROPERTIES:
            values = op.properties.get(name)
            if values is not None and np.isfinite(values).any():
                totals[name] = {"value": float(np.nansum(values)), "unit": op.units.get(name)}
        properties["totals"] = totals
        geometry = None
        if len(op):
            west, east = float(op.lon.min()), float(op.lon.max())
            south, north = float(op.lat.min()), float(op.lat.max())
            geometry = {"type": "Polygon", "coordinates": [[
                [west, south], [east, south], [east, north], [west, north], [west, south],
            ]]}
        return {"type": "Feature", "geometry": geometry, "properties": properties}

    @router.get("/{operation_id}/units")
    def units(request: Request, operation_id: str) -> dict[str, str]:
        """Return each property's unit."""
        state = _state(request)
        op = _operation_or_problem(state, _entry_or_404(state, operation_id))
        return {name: unit for name, unit in op.units.items() if unit is not None}

    @router.get("/{operation_id}/images")
    def images_v1(request: Request, operation_id: str) -> list[dict[str, Any]]:
        """List V1 images: the standard ramp on each image property."""
        from rampkit.formats.api import to_color_ramp, to_v1_image
        from rampkit.presets import get_ramp

        state = _state(request)
        op = _operation_or_problem(state, _entry_or_404(state, operation_id))
        ramp = get_ramp("leaf_standard")
        entries = []
        for name in _image_properties(op):
            spec = _list_spec(state, op, name, to_color_ramp(ramp, lossy=True))
            urls = _image_urls(request, spec)
            entries.append(to_v1_image(ramp, name, url=urls["url"],
                                       download_url=urls["downloadUrl"], lossy=True))
        return entries

    @router.get("/{operation_id}/imagesV2")
    def images_v2(request: Request, operation_id: str) -> list[dict[str, Any]]:
        """List V2 images: 7 quantile classes of each image property."""
        from rampkit.classify import V2_COLORS
        from rampkit.formats.api import to_color_ramp
        from rampkit.legend import v2_legend

        state = _state(request)
        op = _operation_or_problem(state, _entry_or_404(state, operation_id))
        entries = []
        for name in _image_properties(op):
            classes = _v2_classes(op, name)
            color_ramp = to_color_ramp(classes.to_ramp(list(V2_COLORS)).with_mode("linear"))
            spec = _list_spec(state, op, name, color_ramp, "discrete")
            image = _image(state, spec)
            extent = image.meta["extent"]
            urls = _image_urls(request, spec)
            entries.append({
                "property": name,
                "legend": v2_legend(classes, list(V2_COLORS)),
                "extent": {key: extent[key] for key in ("xmin", "xmax", "ymin", "ymax")},
                "url": urls["url"],
                "downloadUrl": urls["downloadUrl"],
            })
        return entries

    return router


def _v2_classes(op: Any, name: str) -> Any:
    """Return 7 quantile classes of a property's values after the default cleaning."""
    import warnings

    from rampkit.classify import V2_COLORS, classify
    from rampkit.operations import clean_operation

    try:
        values = clean_operation(op).operation.properties[name]
    except OperationDataError as exc:
        raise ProblemError(422, f"operation {op.id!r} cannot be cleaned: {exc}",
                             error_key="unusableData") from None
    # Ties can merge classes; that is expected for V2 lists, so log it, do not warn.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classes = classify(values, "quantile", k=len(V2_COLORS))
    for warning in caught:
        logger.info("V2 classes of %s in operation %s: %s", name, op.id, warning.message)
    return classes


def _geojson_links(kind: str) -> Callable[..., dict[str, str]]:
    def links(request: Request, operation_id: str) -> dict[str, str]:
        state = _state(request)
        _entry_or_404(state, operation_id)
        url = _absolute(request, f"{OPERATIONS_PATH}/{operation_id}/files/{kind}.geojson")
        download = f"download{kind[0].upper()}{kind[1:]}"
        return {kind: url, download: f"{url}?download=true"}

    links.__doc__ = f"Return the links to the operation's {kind}."
    return links


def _geojson_file(kind: str) -> Callable[..., Response]:
    def document(request: Request, operation_id: str, download: bool = False) -> Response:
        import json

        state = _state(request)
        entry = _entry_or_404(state, operation_id)
        key = (entry.id, entry.signature, kind)

        def build() -> bytes:
            op = _operation_or_problem(state, entry)
            if kind == "filteredGeojson":
                from rampkit.operations import clean_operation

                try:
                    op = clean_operation(op).operation
                except OperationDataError as exc:
                    raise ProblemError(422, f"operation {op.id!r} cannot be cleaned: {exc}",
                                         error_key="unusableData") from None
            return json.dumps(op.to_geojson(), separators=(",", ":")).encode("utf-8")

        content = state.geojson.get_or_create(key, build)
        headers = {}
        if download:
            filename = f"{operation_id}-{kind}.geojson"
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(content, media_type="application/geo+json", headers=headers)

    document.__doc__ = f"Return the operation's {kind} FeatureCollection."
    return document


def _images_router() -> APIRouter:
    router = APIRouter()

    @router.post(IMAGES_PATH, status_code=201)
    async def create_image(request: Request) -> JSONResponse:
        """Render an image and answer with its URL, extent, legend and basis."""
        state = _state(request)
        raw = await _json_body(request)
        try:
            body = ImageRequest.model_validate(raw)
        except ValidationError as exc:
            raise ProblemError(400, _validation_message(list(exc.errors())),
                                 error_key="invalidRequest") from None

        def work() -> tuple[_ImageSpec, CachedImage]:
            spec = _spec_for(state, body)
            return spec, _image(state, spec)

        spec, image = await run_in_threadpool(work)
        urls = _image_urls(request, spec)
        answer = {
            "id": spec.image_id,
            "property": spec.property_name,
            **urls,
            "projection": body.projection,
            "resolution": body.resolution,
            "shape": body.shape,
            "interpolation": body.interpolation or "linear",
            "colorRamp": body.color_ramp,
            **image.meta,
        }
        return JSONResponse(answer, status_code=201, headers={"Location": urls["url"]})

    @router.get(GEOIMAGES_PATH + "/{image_id}/{name}")
    def image_file(request: Request, image_id: str, name: str, download: bool = False) -> Response:
        """Return a rendered PNG, or its ``.aux.xml`` sidecar."""
        state = _state(request)
        sidecar = name.endswith(".aux.xml")
        property_name = name.removesuffix(".aux.xml")
        spec = state.specs.get(image_id)
        if spec is None or spec.property_name != property_name:
            raise ProblemError(
                404, f"image {image_id!r} with property {property_name!r} not found; create "
                f"it with POST {IMAGES_PATH}", error_key="imageNotFound",
            )
        image = _image(state, spec)
        headers = {"ETag": f'"{image.digest}"', "Cache-Control": "private, max-age=3600"}
        if sidecar:
            return Response(image.aux_xml, media_type="application/xml", headers=headers)
        if download:
            headers["Content-Disposition"] = f'attachment; filename="{property_name}.png"'
        return Response(image.png, media_type="image/png", headers=headers)

    return router
