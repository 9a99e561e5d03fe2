"""The images API client: configuration, auth, paging, retries, errors, responses.

Calls go to the local service in-process (httpx.ASGITransport). Only the
shapes of the real remote API that the local service never sends (a
plain-text image URL, a JSON string, links to another host) use
httpx.MockTransport.
"""

from __future__ import annotations

import gc
import gzip
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_fixtures import (  # noqa: F401 - *_fixture registers the fixtures
    BASE,
    SMALL_OPERATION,
    STANDARD_RAMP,
    TOKEN,
    client_fixture,
    in_process_client,
    service_app_fixture,
    token_app_fixture,
)

from rampkit.api.client import ENV_API_TOKEN, ENV_API_URL, ImagesClient
from rampkit.api.service import FailureMode, create_app
from rampkit.errors import (
    ImagesAPIAuthError,
    ImagesAPIConnectionError,
    ImagesAPIError,
    ImagesAPINotFoundError,
    ImagesAPIRequestError,
    ImagesAPIServerError,
    ImagesAPITimeoutError,
)
from rampkit.formats.api import from_color_ramp
from rampkit.image import aux_xml
from rampkit.presets import get_ramp
from rampkit.render import render_operation
from rampkit.samples import list_samples, load_sample


@pytest.fixture(autouse=True)
def no_api_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's own API settings out of these tests."""
    monkeypatch.delenv(ENV_API_URL, raising=False)
    monkeypatch.delenv(ENV_API_TOKEN, raising=False)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the client's waits between retries instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr("rampkit.api.client._sleep", waits.append)
    return waits


# -- configuration -------------------------------------------------------------------


def test_base_url_defaults_to_real_api() -> None:
    assert ImagesClient().base_url == "https://api.withleaf.io"


def test_base_url_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    images_client = ImagesClient()
    monkeypatch.setenv(ENV_API_URL, "http://127.0.0.1:9/")
    assert images_client.base_url == "http://127.0.0.1:9"


def test_token_read_at_call_time(token_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    images_client = in_process_client(token_app)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    assert images_client.list_operations().total == len(list_samples())


def test_constructor_checks_options() -> None:
    with pytest.raises(ValueError, match=r"retries -1 is negative; give 0 or more"):
        ImagesClient(retries=-1)
    with pytest.raises(ValueError, match=r"timeout 0 is not a positive number of seconds"):
        ImagesClient(timeout=0)


def test_repr_hides_token(monkeypatch: pytest.MonkeyPatch) -> None:
    given = ImagesClient("http://127.0.0.1:1", token=TOKEN, username="ana", password="pw-ana")
    assert repr(given) == "ImagesClient(base_url='http://127.0.0.1:1', token=set)"
    assert TOKEN not in str(given)
    assert "pw-ana" not in repr(given)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    assert TOKEN not in repr(ImagesClient())


# -- authentication ----------------------------------------------------------------------


def test_missing_token_raises_auth_error(token_app: Any) -> None:
    with pytest.raises(ImagesAPIAuthError, match=(
        r"GET http://images.local/services/operations/api/operations returned 401 "
        r"Unauthorized: Authorization header is missing.*; pass token=\.\.\., set "
        r"RAMPKIT_API_TOKEN, or call authenticate\(username, password\)"
    )) as caught:
        in_process_client(token_app).list_operations()
    assert caught.value.status_code == 401
    assert caught.value.method == "GET"
    assert caught.value.url == f"{BASE}/services/operations/api/operations"


def test_wrong_token_never_in_error(token_app: Any) -> None:
    wrong = "wrong-tok-7d1e0b"
    with pytest.raises(ImagesAPIAuthError) as caught:
        in_process_client(token_app, token=wrong).list_operations()
    for text in (str(caught.value), caught.value.detail, repr(caught.value)):
        assert wrong not in text
        assert TOKEN not in text


def test_authenticate_gets_token(token_app: Any) -> None:
    images_client = in_process_client(token_app)
    images_client.authenticate("ana", "pw-ana")
    assert images_client.has_token
    assert images_client.get_operation(SMALL_OPERATION)["id"] == SMALL_OPERATION


def test_authenticate_rejected(token_app: Any) -> None:
    images_client = in_process_client(token_app)
    with pytest.raises(ImagesAPIAuthError, match=(
        r"POST http://images.local/api/authenticate returned 401 Unauthorized: username "
        r"'ana' or its password is not valid"
    )) as caught:
        images_client.authenticate("ana", "guess-xyz")
    assert "guess-xyz" not in str(caught.value)


def test_authenticate_needs_credentials() -> None:
    with pytest.raises(ImagesAPIAuthError, match=r"authenticate\(\) needs a username and a "
                                                 r"password; pass both"):
        ImagesClient("http://127.0.0.1:1").authenticate()


def test_reauthenticates_once_on_401(
    token_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    stale = in_process_client(token_app, token="expired-tok", username="ana",
                              password="pw-ana")
    with caplog.at_level(logging.INFO):
        assert stale.get_operation(SMALL_OPERATION)["id"] == SMALL_OPERATION
    service_lines = [r.getMessage() for r in caplog.records if r.name == "rampkit.api.service"]
    assert [line.rsplit(" ", 2)[0] for line in service_lines] == [
        f"GET /services/operations/api/operations/{SMALL_OPERATION} 401",
        "POST /api/authenticate 200",
        f"GET /services/operations/api/operations/{SMALL_OPERATION} 200",
    ]
    for secret in (TOKEN, "expired-tok", "pw-ana"):
        assert secret not in caplog.text


def test_reauthentication_failure_stops(token_app: Any) -> None:
    app = create_app(token=TOKEN, users={"ana": "new-password"})
    stale = in_process_client(app, token="expired-tok", username="ana", password="old")
    with pytest.raises(ImagesAPIAuthError, match=r"POST .*/api/authenticate returned 401"):
        stale.list_operations()


def test_token_only_sent_to_api_origin() -> None:
    seen: dict[str, str | None] = {}

    def remote(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = request.headers.get("Authorization")
        if request.url.path.endswith("/standardGeojson"):
            return httpx.Response(200, json={
                "standardGeojson": "https://files.example.org/op-1.geojson",
                "downloadStandardGeojson": "https://api.example.org/download/op-1.geojson",
            })
        return httpx.Response(200, json={"type": "FeatureCollection", "features": []})

    images_client = ImagesClient("https://api.example.org", token=TOKEN,
                                 transport=httpx.MockTransport(remote))
    images_client.request("GET", "https://files.example.org/op-1.geojson")
    images_client.get_geojson("op-1")
    assert seen["https://files.example.org/op-1.geojson"] is None
    assert seen["https://api.example.org/download/op-1.geojson"] == f"Bearer {TOKEN}"


# -- operations --------------------------------------------------------------------------


def test_list_page(client: ImagesClient) -> None:
    page = client.list_operations(size=4)
    assert len(page) == 4
    assert page.total == len(list_samples())
    assert page.next_url is not None and "page=1" in page.next_url


def test_iter_operations_follows_pages(client: ImagesClient) -> None:
    ids = [item["id"] for item in client.iter_operations(size=2)]
    assert ids == sorted(sample["id"] for sample in list_samples())


def test_iter_operations_with_filter(client: ImagesClient) -> None:
    ids = {item["id"] for item in client.iter_operations(size=1, operation_type="harvested")}
    assert ids == {s["id"] for s in list_samples() if s["type"] == "harvested"}


def test_unknown_filter_rejected(client: ImagesClient) -> None:
    with pytest.raises(TypeError, match=r"unknown operations filter 'crop'; use one of"):
        client.list_operations(crop="oats")  # type: ignore[arg-type]


def remote_pages(items: list[dict[str, Any]], *, total: bool) -> httpx.MockTransport:
    """A remote API that pages ``items`` without Link headers."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["size"])
        headers = {"X-Total-Count": str(len(items))} if total else {}
        return httpx.Response(200, json=items[page * size:(page + 1) * size], headers=headers)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("total", [True, False])
def test_iter_operations_without_links(total: bool) -> None:
    items = [{"id": f"op-{n}"} for n in range(7)]
    remote = ImagesClient("https://api.example.org", transport=remote_pages(items, total=total))
    assert [item["id"] for item in remote.iter_operations(size=3)] == [
        item["id"] for item in items]


def test_get_operation_not_found(client: ImagesClient) -> None:
    with pytest.raises(ImagesAPINotFoundError, match=(
        r"GET http://images.local/services/operations/api/operations/ghost returned 404 "
        r"Not Found: operation 'ghost' not found; .*list operations with "
        r"ImagesClient.list_operations\(\)"
    )) as caught:
        client.get_operation("ghost")
    assert caught.value.status_code == 404
    assert caught.value.detail.startswith("operation 'ghost' not found")
    assert isinstance(caught.value, LookupError)


def test_load_operation_standard_and_filtered(client: ImagesClient) -> None:
    standard = client.load_operation(SMALL_OPERATION)
    filtered = client.load_operation(SMALL_OPERATION, filtered=True)
    sample = load_sample(SMALL_OPERATION)
    assert len(standard) == len(sample) == 1543
    assert len(filtered) < len(standard)
    assert standard.operation_type == "harvested"
    assert standard.units["dryMassPerArea"] == "t/ha"
    assert standard.properties["dryMassPerArea"].tolist() == pytest.approx(
        sample.properties["dryMassPerArea"].tolist(), nan_ok=True)


def test_summary_and_units(client: ImagesClient) -> None:
    summary = client.summary(SMALL_OPERATION)
    units = client.units(SMALL_OPERATION)
    assert summary["type"] == "Feature"
    assert summary["properties"]["dryMassPerArea"]["unit"] == units["dryMassPerArea"] == "t/ha"


def test_gzipped_geojson_download() -> None:
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
         "properties": {"wetMass": 3.0}}]}

    def remote(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/filteredGeojson"):
            return httpx.Response(200, json={"filteredGeojson": "https://api.example.org/f.gz"})
        return httpx.Response(200, content=gzip.compress(json.dumps(document).encode()))

    remote_client = ImagesClient("https://api.example.org", transport=httpx.MockTransport(remote))
    assert remote_client.get_geojson("op-1", filtered=True) == document


def test_v1_and_v2_lists(client: ImagesClient) -> None:
    v1 = client.images(SMALL_OPERATION)
    v2 = client.images_v2(SMALL_OPERATION)
    assert {entry["property"] for entry in v1} == {entry["property"] for entry in v2}
    assert client.fetch_image(v2[0]["url"])[:4] == b"\x89PNG"


# -- images ------------------------------------------------------------------------------


def test_create_image_from_ramp(client: ImagesClient) -> None:
    ramp = get_ramp("leaf_standard")
    image = client.create_image(ramp, operation_id=SMALL_OPERATION, property="dryMassPerArea",
                                resolution=2)
    expected = render_operation(load_sample(SMALL_OPERATION), "dryMassPerArea", ramp,
                                resolution=2)
    assert image.png == expected.png
    assert (image.width, image.height) == (expected.width, expected.height)
    assert image.extent is not None
    assert image.extent["latlonBounds"] == expected.latlon_bounds
    assert image.legend is not None and image.legend["unit"] == "t/ha"
    assert image.basis == expected.basis.to_dict()


def test_create_image_sends_mode_as_interpolation(client: ImagesClient) -> None:
    ramp = from_color_ramp({"0%": [200, 0, 0], "50%": [0, 0, 200], "100%": [0, 130, 0]},
                           mode="discrete")
    image = client.create_image(ramp, operation_id=SMALL_OPERATION, resolution=2)
    assert image.answer["interpolation"] == "discrete"
    assert len(image.legend["ranges"]) == 3  # type: ignore[index]


def test_create_image_rejected(client: ImagesClient) -> None:
    with pytest.raises(ImagesAPIRequestError, match=(
        r"POST http://images.local/services/images/api/images returned 400 Bad Request: "
        r"resolution -1.0 is not a positive number"
    )) as caught:
        client.create_image(STANDARD_RAMP, operation_id=SMALL_OPERATION, resolution=-1)
    assert caught.value.status_code == 400
    assert isinstance(caught.value, ValueError)


def test_create_image_over_cap() -> None:
    capped = in_process_client(create_app(max_pixels=5_000), retries=0)
    with pytest.raises(ImagesAPIRequestError, match=(
        r"returned 413 Request Entity Too Large: resolution 0.5 gives a grid .* use a "
        r"resolution of at least [\d.]+; use a coarser resolution"
    )):
        capped.create_image(STANDARD_RAMP, operation_id=SMALL_OPERATION, resolution=0.5)


@pytest.fixture(scope="module")
def rendered() -> Any:
    return render_operation(load_sample(SMALL_OPERATION), "dryMassPerArea",
                            get_ramp("leaf_standard"), resolution=2)


def remote_images(answer: httpx.Response, rendered: Any) -> httpx.MockTransport:
    """A remote images API whose POST response takes the given form."""
    png_url = "https://api.example.org/services/geoimages/api/images/6f1c/dryMassPerArea"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return answer
        if str(request.url) == png_url:
            return httpx.Response(200, content=rendered.png)
        if str(request.url) == png_url + ".aux.xml":
            return httpx.Response(200, text=aux_xml(rendered))
        return httpx.Response(404, json={"title": "Not Found", "status": 404})

    return httpx.MockTransport(handler)


PNG_URL = "https://api.example.org/services/geoimages/api/images/6f1c/dryMassPerArea"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text=PNG_URL, headers={"Content-Type": "text/plain"}),
        httpx.Response(200, text=PNG_URL + "\n"),
        httpx.Response(200, text=json.dumps(PNG_URL)),
        httpx.Response(200, json={"url": PNG_URL}),
        httpx.Response(201, json={"downloadUrl": PNG_URL}),
    ],
    ids=["plain-text", "plain-text-newline", "json-string", "object-url", "object-download"],
)
def test_create_image_answer_forms(answer: httpx.Response, rendered: Any) -> None:
    remote = ImagesClient("https://api.example.org", token=TOKEN,
                          transport=remote_images(answer, rendered))
    image = remote.create_image(get_ramp("leaf_standard"), operation_id="op-1",
                                property="dryMassPerArea", resolution=2)
    assert image.url == PNG_URL
    assert image.png == rendered.png
    # Without an extent in the response, it comes from the .aux.xml sidecar.
    assert image.extent is not None
    assert image.extent["crs"] == "EPSG:3857"
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), rendered.extent, strict=True):
        assert image.extent[key] == pytest.approx(value)
    for corner, expected in zip(image.extent["latlonBounds"], rendered.latlon_bounds, strict=True):
        assert corner == pytest.approx(expected)
    assert image.legend is None


def test_create_image_answer_without_url(rendered: Any) -> None:
    remote = ImagesClient("https://api.example.org",
                          transport=remote_images(httpx.Response(200, json={"ok": True}),
                                                  rendered))
    with pytest.raises(ImagesAPIError, match=r"POST https://api.example.org/services/images/api/"
                                             r"images returned no image URL"):
        remote.create_image(STANDARD_RAMP, operation_id="op-1")


# -- retries -----------------------------------------------------------------------------------


def test_retries_then_succeeds(sleeps: list[float]) -> None:
    failing = in_process_client(create_app(fail=FailureMode(503, count=2)), backoff=0.25)
    assert failing.list_operations().total == len(list_samples())
    # No Retry-After: the backoff doubles.
    assert sleeps == [0.25, 0.5]


def test_retry_after_is_honoured(sleeps: list[float]) -> None:
    mode = FailureMode(429, count=1, retry_after=1.5)
    limited = in_process_client(create_app(fail=mode))
    limited.get_operation(SMALL_OPERATION)
    assert sleeps == [1.5]
    assert mode.failed == 1


def test_retry_after_is_capped(sleeps: list[float]) -> None:
    mode = FailureMode(503, count=1, retry_after=600)
    in_process_client(create_app(fail=mode), max_retry_wait=2).list_operations()
    assert sleeps == [2]


def test_retries_give_up(sleeps: list[float]) -> None:
    mode = FailureMode(502, count=10)
    broken = in_process_client(create_app(fail=mode), retries=2, backoff=0.1)
    with pytest.raises(ImagesAPIServerError, match=(
        r"GET http://images.local/services/operations/api/operations returned 502 Bad "
        r"Gateway: the service is set to fail this request on purpose \(3 of 10\); retry; "
        r"gave up after 2 retries; try again later"
    )) as caught:
        broken.list_operations()
    assert caught.value.status_code == 502
    assert mode.failed == 3
    assert sleeps == [0.1, 0.2]


def test_post_image_retried(sleeps: list[float]) -> None:
    mode = FailureMode(503, count=1, path_prefix="/services/images")
    flaky = in_process_client(create_app(fail=mode), backoff=0)
    image = flaky.create_image(STANDARD_RAMP, operation_id=SMALL_OPERATION, resolution=3)
    assert image.png[:4] == b"\x89PNG"
    assert mode.failed == 1


def test_client_errors_not_retried(sleeps: list[float]) -> None:
    mode = FailureMode(400, count=3)
    rejecting = in_process_client(create_app(fail=mode))
    with pytest.raises(ImagesAPIRequestError, match=r"returned 400 Bad Request"):
        rejecting.list_operations()
    assert mode.failed == 1
    assert sleeps == []


def test_forbidden_is_auth_error() -> None:
    forbidding = in_process_client(create_app(fail=FailureMode(403, count=1)))
    with pytest.raises(ImagesAPIAuthError, match=r"returned 403 Forbidden: .*; the token has no "
                                                 r"access to this resource"):
        forbidding.list_operations()


# -- no response ---------------------------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that accepts connections and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_timeout(silent_port: int) -> None:
    slow = ImagesClient(f"http://127.0.0.1:{silent_port}", timeout=0.3, token=TOKEN)
    with pytest.raises(ImagesAPITimeoutError, match=(
        rf"GET http://127.0.0.1:{silent_port}/services/operations/api/operations timed out "
        r"after 0.3 s; the server may be busy, so try again or pass a larger timeout"
    )) as caught:
        slow.list_operations()
    assert isinstance(caught.value, TimeoutError)
    assert TOKEN not in str(caught.value)


def test_connection_refused() -> None:
    # Linux refuses a connection to a port that is bound but not listening, and
    # keeping the probe bound stops another process from taking the port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(ImagesAPIConnectionError, match=(
            rf"GET http://127.0.0.1:{port}/services/operations/api/operations failed with no "
            r"response \(ConnectError: .*\); check the URL and that the service is running"
        )):
            ImagesClient(f"http://127.0.0.1:{port}", retries=0).list_operations()


# -- in-process transport --------------------------------------------------------------------


def bridge_threads() -> int:
    """Count the event loop threads of in-process clients."""
    return sum(thread.name == "rampkit-asgi-bridge" for thread in threading.enumerate())


def test_dropped_clients_end_threads(service_app: Any) -> None:
    gc.collect()
    threads_before = threading.active_count()
    bridges_before = bridge_threads()
    clients = [in_process_client(service_app) for _ in range(20)]
    for images_client in clients:
        images_client.list_operations()
    assert bridge_threads() == bridges_before + 20

    del clients, images_client
    gc.collect()
    deadline = time.monotonic() + 5
    while bridge_threads() > bridges_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bridge_threads() == bridges_before
    assert threading.active_count() <= threads_before


def test_closed_client_ends_thread(service_app: Any) -> None:
    gc.collect()
    bridges_before = bridge_threads()
    images_client = in_process_client(service_app)
    images_client.list_operations()
    assert bridge_threads() == bridges_before + 1

    images_client.close()
    assert bridge_threads() == bridges_before


# -- logging -------------------------------------------------------------------------------------


def test_client_logs_requests_without_token(
    token_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    images_client = in_process_client(token_app, username="ana", password="pw-ana")
    with caplog.at_level(logging.DEBUG):
        images_client.authenticate()
        images_client.list_operations(size=2)
        images_client.create_image(STANDARD_RAMP, operation_id=SMALL_OPERATION, resolution=3)
    client_lines = [r.getMessage() for r in caplog.records if r.name == "rampkit.api.client"]
    assert any(line.startswith("GET http://images.local/services/operations/api/operations "
                               "200 (") for line in client_lines)
    assert any(line.startswith("POST http://images.local/services/images/api/images 201 (")
               for line in client_lines)
    assert TOKEN not in caplog.text
    assert "pw-ana" not in caplog.text
