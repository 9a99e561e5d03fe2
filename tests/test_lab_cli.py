"""Tests of ``rampkit lab``: finding the notebooks, the server command, a real start."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from ports import unused_port

from rampkit.cli import build_parser, main
from rampkit.cli.lab import QUICKSTART, find_notebooks, lab_command
from rampkit.errors import RampkitError

ROOT = Path(__file__).resolve().parents[1]


def test_lab_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "quickstart" in out
    assert "--no-browser" in out


def test_lab_rejects_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    # Parsing alone: a port that got through would start JupyterLab.
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["lab", "--port", "70000"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --port: port 70000 is outside 0-65535" in err
    assert "Traceback" not in err


def test_finds_checkout_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_notebooks() == ROOT / "notebooks"


def test_prefers_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / QUICKSTART).write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert find_notebooks() == tmp_path / "notebooks"


def test_folder_without_quickstart_raises(tmp_path: Path) -> None:
    with pytest.raises(RampkitError, match=r"notebook folder '.*' has no 01_quickstart.ipynb"):
        find_notebooks(tmp_path)


def test_lab_command_options() -> None:
    notebook = ROOT / "notebooks" / QUICKSTART
    command = lab_command(notebook, port=8899, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={notebook.parent}" in command
    assert f"--LabApp.default_url=/lab/tree/{QUICKSTART}" in command
    assert "--port=8899" in command
    assert "--ServerApp.port_retries=0" in command
    assert "--no-browser" in command
    assert "--ip=127.0.0.1" in command
    assert "--ServerApp.port_retries=0" not in lab_command(notebook)


def test_voila_command() -> None:
    command = lab_command(ROOT / "notebooks" / QUICKSTART, voila=True, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "voila"]
    assert "--no-browser" in command


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.service
def test_lab_starts_service_and_jupyterlab(tmp_path: Path) -> None:
    port = unused_port()
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("RAMPKIT_API_URL", "RAMPKIT_API_TOKEN")
    }
    env.update(
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        IPYTHONDIR=str(tmp_path / "ipython"),
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / QUICKSTART).write_bytes((ROOT / "notebooks" / QUICKSTART).read_bytes())
    # JupyterLab writes its log to the same stderr; a file never fills up and
    # blocks it the way an unread pipe would.
    log = tmp_path / "lab.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "rampkit.cli", "lab", "--no-browser", f"--port={port}",
             "--notebook-dir", str(notebooks)],
            cwd=tmp_path, env=env, stderr=stderr, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not log.read_text().endswith("\n"):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "rampkit lab printed nothing within 60 s"
            time.sleep(0.1)
        first_line = log.read_text().splitlines()[0]
        match = re.search(r"local images service at (http://127\.0\.0\.1:\d+)", first_line)
        assert match, first_line
        with urllib.request.urlopen(
            f"{match.group(1)}/services/operations/api/operations", timeout=10
        ) as response:
            ids = [item["id"] for item in json.load(response)]
        assert "field-1-2018-harvest-winter-wheat" in ids

        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/api/status"):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "JupyterLab did not start within 60 s"
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        finally:
            # rampkit lab runs in its own process group, so this also stops a
            # JupyterLab or kernel that outlived it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert code == 0
    assert not _answers(f"http://127.0.0.1:{port}/api/status")
