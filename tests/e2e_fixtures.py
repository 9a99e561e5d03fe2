"""Fixtures for the browser tests: a JupyterLab server, a Voilà server and Chromium.

Test modules import these names so pytest registers them. Each server runs
once per test module on an unused 127.0.0.1 port. It serves a temporary copy of
``notebooks/``, because JupyterLab writes checkpoints next to any notebook it
opens, and keeps Jupyter's and IPython's state directories inside that copy.
It is stopped through its process handle. The browser is Debian's Chromium
(``/usr/bin/chromium``, or ``$CHROMIUM``) driven by Playwright; Playwright's own
browser download is not used. Pages may only reach 127.0.0.1: every other
request is aborted. Screenshots go to ``test-artifacts/`` (or
``$E2E_ARTIFACTS``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ports import unused_port

__all__ = ["ARTIFACTS", "browser", "e2e_home", "lab_server", "page", "voila_server"]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
QUICKSTART = "notebooks/01_quickstart.ipynb"

# Headless Chromium in a container: no sandbox, no GPU, no shared-memory
# files, and none of the background requests to Google services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path,
                        timeout: float = 90.0) -> None:
    """Poll ``url`` until the server returns a response with any HTTP status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited with code {process.returncode} before answering; "
                f"log:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s; log:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM lets the Jupyter server shut its kernels down first. The server
    # runs in its own process group, so the kill afterwards reaches any kernel
    # it left behind.
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        logging.getLogger(__name__).warning("server %d ignored SIGTERM for 20 s", process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def _serve(command: Callable[[int], list[str]], ready_path: str, root: Path,
           env: dict[str, str], log: Path) -> Iterator[str]:
    """Start a server on an unused port and yield its base URL once it responds.

    The servers are started with port retries off, so a port taken between the
    pick and the bind ends the process instead of moving it to another port.
    The start is then tried again on a new port.
    """
    for attempt in range(3):
        port = unused_port()
        with log.open("wb") as output:
            process = subprocess.Popen(command(port), cwd=root, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(base + ready_path, process, log)
        except RuntimeError:
            _stop(process)
            # Both servers log "The port N is already in use" before they exit.
            if attempt == 2 or "already in use" not in log.read_text():
                raise
            continue
        except BaseException:
            _stop(process)
            raise
        try:
            yield base
        finally:
            _stop(process)
        return


@pytest.fixture(scope="module")
def e2e_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Return a folder with a copy of the notebooks and the environment for servers."""
    root = tmp_path_factory.mktemp("e2e")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    home = root / "home"
    # Without this setting JupyterLab shows a toast over the notebook that
    # offers to fetch Jupyter news.
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("RAMPKIT_API_URL", "RAMPKIT_API_TOKEN")
    }
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        # The kernels import rampkit from this checkout.
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return root, env


@pytest.fixture(scope="module")
def lab_server(e2e_home: tuple[Path, dict[str, str]]) -> Iterator[tuple[str, str]]:
    """Serve JupyterLab on the notebooks copy; yield its base URL and token."""
    root, env = e2e_home
    token = secrets.token_hex(16)

    def command(port: int) -> list[str]:
        arguments = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            arguments.append("--allow-root")
        return arguments

    with _serve(command, f"/api/status?token={token}", root, env, root / "lab.log") as base:
        yield base, token


@pytest.fixture(scope="module")
def voila_server(e2e_home: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """Serve the quickstart as a Voilà app; yield its base URL."""
    root, env = e2e_home

    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "voila", QUICKSTART, "--no-browser", f"--port={port}",
            "--Voila.port_retries=0", "--Voila.ip=127.0.0.1", "--show_tracebacks=True",
        ]

    # GET / would run the notebook; the static files only show the server is up.
    with _serve(command, "/voila/static/", root, env, root / "voila.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch headless Chromium once per test module."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed; install Debian's chromium package")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Open a page that may only reach 127.0.0.1; screenshot it when the test ends.

    ``page.errors`` collects uncaught JavaScript errors.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(LOOPBACK)
        else route.abort(),
    )
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    try:
        yield tab
    finally:
        # A crashed page cannot be captured; the context still closes.
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
