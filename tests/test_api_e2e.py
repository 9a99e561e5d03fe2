"""The images API end to end: the client against uvicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import rasterio
from api_fixtures import SMALL_OPERATION, STANDARD_RAMP, TOKEN

from rampkit.api import local as local_module
from rampkit.api.client import ENV_API_TOKEN, ENV_API_URL, ImagesClient
from rampkit.api.local import LocalService, start_local_service
from rampkit.api.service import FailureMode
from rampkit.errors import ImagesAPIConnectionError
from rampkit.formats.api import from_color_ramp
from rampkit.presets import get_ramp
from rampkit.render import render_operation
from rampkit.samples import list_samples, load_sample

pytestmark = pytest.mark.service

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def live_service() -> Iterator[LocalService]:
    with start_local_service() as service:
        yield service


@pytest.fixture(autouse=True)
def no_api_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_API_URL, raising=False)
    monkeypatch.delenv(ENV_API_TOKEN, raising=False)


def test_service_listens_on_loopback(live_service: LocalService) -> None:
    assert live_service.url.startswith("http://127.0.0.1:")
    assert live_service.port > 0
    assert live_service.running


def test_list_download_render(live_service: LocalService) -> None:
    with ImagesClient(live_service.url) as images_client:
        ids = [item["id"] for item in images_client.iter_operations()]
        assert sorted(ids) == sorted(sample["id"] for sample in list_samples())

        op = images_client.load_operation(SMALL_OPERATION)
        assert len(op) == 1543

        image = images_client.create_image(
            get_ramp("leaf_standard"), operation_id=SMALL_OPERATION,
            property="dryMassPerArea", resolution=2,
        )
    expected = render_operation(load_sample(SMALL_OPERATION), "dryMassPerArea",
                                get_ramp("leaf_standard"), resolution=2)
    assert image.png == expected.png
    assert image.url.startswith(live_service.url)


def test_png_opens_georeferenced(live_service: LocalService, tmp_path: Path) -> None:
    with ImagesClient(live_service.url) as images_client:
        image = images_client.create_image(STANDARD_RAMP, operation_id=SMALL_OPERATION,
                                           resolution=2)
        (tmp_path / "image.png").write_bytes(image.png)
        (tmp_path / "image.png.aux.xml").write_text(images_client.fetch_aux_xml(image.url))
    with rasterio.open(tmp_path / "image.png") as dataset:
        assert dataset.crs.to_epsg() == 3857
        assert dataset.count == 4
        assert list(dataset.bounds) == pytest.approx(
            [image.extent[k] for k in ("xmin", "ymin", "xmax", "ymax")])  # type: ignore[index]


def test_stop_frees_the_port() -> None:
    service = start_local_service()
    url = service.url
    with ImagesClient(url) as images_client:
        assert images_client.list_operations(size=1).total == len(list_samples())
    service.stop()
    assert not service.running
    with pytest.raises(ImagesAPIConnectionError, match=r"failed with no response"):
        ImagesClient(url, retries=0).list_operations()


def test_port_in_use(live_service: LocalService) -> None:
    with pytest.raises(ImagesAPIConnectionError, match=(
        rf"local images service on 127.0.0.1:{live_service.port} did not start within 5 s"
    )):
        start_local_service(port=live_service.port, timeout=5)


def test_token_and_retries_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    mode = FailureMode(503, count=2, retry_after=0)
    with start_local_service(token=TOKEN, fail=mode) as service:
        monkeypatch.setenv(ENV_API_URL, service.url)
        monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
        with ImagesClient(backoff=0) as images_client:
            assert images_client.get_operation(SMALL_OPERATION)["id"] == SMALL_OPERATION
    assert mode.failed == 2


def test_default_uses_configured_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_URL, "http://127.0.0.1:9")
    monkeypatch.setattr(local_module, "_shared", None)
    images_client = ImagesClient.default()
    assert images_client.base_url == "http://127.0.0.1:9"
    assert local_module._shared is None


def test_default_starts_one_local_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_module, "_shared", None)
    first = ImagesClient.default()
    second = ImagesClient.default()
    try:
        assert first.base_url == second.base_url
        assert first.base_url.startswith("http://127.0.0.1:")
        assert first.list_operations().total == len(list_samples())
    finally:
        first.close()
        second.close()
        shared = local_module._shared
        assert shared is not None
        shared.stop()


# -- concurrency ----------------------------------------------------------------------------

# Mixed requests; the image requests use three variants so that clients race
# on the same cache entries.
VARIANTS = [
    {"resolution": 2.0, "ramp": STANDARD_RAMP, "mode": "linear"},
    {"resolution": 3.0, "ramp": STANDARD_RAMP, "mode": "linear"},
    {"resolution": 2.0, "ramp": {"30%": [255, 0, 0], "70%": [255, 255, 0], "100%": [0, 0, 255]},
     "mode": "discrete"},
]


def _expected_digests() -> list[str]:
    op = load_sample(SMALL_OPERATION)
    digests = []
    for variant in VARIANTS:
        ramp = from_color_ramp(variant["ramp"], mode=variant["mode"])  # type: ignore[arg-type]
        image = render_operation(op, "dryMassPerArea", ramp, resolution=variant["resolution"])
        digests.append(hashlib.sha256(image.png).hexdigest())
    return digests


def _worker(url: str, worker: int, requests: int) -> list[tuple[int, str]]:
    """Send mixed requests; return (variant, PNG digest) for each image fetched."""
    fetched: list[tuple[int, str]] = []
    with ImagesClient(url, retries=0, timeout=60) as images_client:
        for step in range(requests):
            kind = (worker + step) % 5
            if kind == 0:
                assert images_client.list_operations(size=3).total == len(list_samples())
            elif kind == 1:
                assert images_client.units(SMALL_OPERATION)["dryMassPerArea"] == "t/ha"
            elif kind == 2:
                assert images_client.summary(SMALL_OPERATION)["type"] == "Feature"
            else:
                index = (worker + step) % len(VARIANTS)
                variant = VARIANTS[index]
                image = images_client.create_image(
                    variant["ramp"],  # type: ignore[arg-type]
                    operation_id=SMALL_OPERATION,
                    property="dryMassPerArea",
                    resolution=variant["resolution"],  # type: ignore[arg-type]
                    interpolation=variant["mode"],  # type: ignore[arg-type]
                )
                fetched.append((index, hashlib.sha256(image.png).hexdigest()))
    return fetched


def test_concurrent_clients() -> None:
    expected = _expected_digests()
    with start_local_service() as service:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(_worker, service.url, worker, 25) for worker in range(8)]
            results = [future.result(timeout=120) for future in futures]
        cache = service.app.state.rampkit.images
        entries = cache.values()
        misses = cache.misses

    fetched = [item for result in results for item in result]
    assert len(fetched) == 8 * 25 * 2 // 5
    for index, digest in fetched:
        assert digest == expected[index]
    assert all(entry.intact() for entry in entries)
    # Each variant rendered once, however many clients asked at the same time.
    assert misses == len(VARIANTS)


# -- rampkit serve ------------------------------------------------------------------------------


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop a ``rampkit serve`` process and return its output."""
    process.terminate()
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_serve_command_logs_requests() -> None:
    environment = {**os.environ, "RAMPKIT_SERVE_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rampkit.cli", "serve", "--port", "0"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    banner = ""
    try:
        # Port 0 lets the service pick its own port and name it in the banner,
        # which prints once the port is listening.
        banner = process.stdout.readline()  # type: ignore[union-attr]
        match = re.match(r"rampkit images service on (http://127\.0\.0\.1:\d+) ", banner)
        assert match, banner
        url = match.group(1)
        with ImagesClient(url, token=TOKEN) as images_client:
            assert images_client.list_operations(size=2).total == len(list_samples())
        rejected = httpx.get(url + "/services/operations/api/operations")
        assert rejected.status_code == 401
    finally:
        stdout, stderr = _stop(process)
    output = banner + stdout + stderr
    assert "GET /services/operations/api/operations 200 " in output
    assert "GET /services/operations/api/operations 401 " in output
    assert TOKEN not in output


def test_serve_help_lists_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rampkit.cli", "serve", "--help"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    for option in ("--host", "--port", "--data", "--token", "--max-pixels"):
        assert option in result.stdout



def test_serve_rejects_port_out_of_range() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rampkit.cli", "serve", "--port", "99999"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "rampkit serve: error: argument --port: port 99999 is outside 0-65535; "
        "give a port in that range (0 picks a free one)"
    )
    assert "Traceback" not in result.stderr


def test_serve_busy_port_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = int(busy.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "rampkit.cli", "serve", "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    # No banner: the service never listened.
    assert result.stdout == ""
    assert result.stderr == (
        f"rampkit: error: port {port} on 127.0.0.1 is already in use; "
        "pick another with --port\n"
    )


def test_serve_port_zero_prints_bound_port() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "rampkit.cli", "serve", "--port", "0"],
        cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()  # type: ignore[union-attr]
        match = re.match(r"rampkit images service on (http://127\.0\.0\.1:(\d+)) ", banner)
        assert match, banner
        assert int(match.group(2)) != 0
        # Connect at once: the banner promises that the port is listening, and
        # a raw connect is fast enough to beat uvicorn's start-up.
        socket.create_connection(("127.0.0.1", int(match.group(2))), timeout=5).close()
        response = httpx.get(match.group(1) + "/services/operations/api/operations", timeout=10)
        assert response.status_code == 200
    finally:
        _stop(process)


def test_listen_sockets_port_zero_shares_port(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not every machine has a host name that resolves to two addresses, so a fake
    # getaddrinfo returns two loopback addresses, which Linux binds without setup.
    from rampkit.cli import serve as serve_module

    def two_loopback_addresses(
        host: str, port: int, *args: object, **kwargs: object
    ) -> list[tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[str, int]]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port)),
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.2", port)),
        ]

    monkeypatch.setattr(serve_module.socket, "getaddrinfo", two_loopback_addresses)
    sockets = serve_module._listen_sockets("two-loopback-addresses", 0)
    try:
        names = [sock.getsockname() for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
    assert [name[0] for name in names] == ["127.0.0.1", "127.0.0.2"]
    assert names[0][1] != 0
    assert names[1][1] == names[0][1]
