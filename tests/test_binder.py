"""Check the Binder configuration in binder/ with repo2docker, without Docker.

repo2docker lives in its own virtual environment, ``.r2d/`` at the repository
root, because it pins packages of its own. The first run creates it with
``python3 -m venv .r2d && .r2d/bin/pip install jupyter-repo2docker``. When that
fails, for example without access to a package index, the tests that need it
are skipped with the reason. ``repo2docker --no-build --no-run --debug`` prints the Dockerfile it
would build and exits non-zero on a configuration it cannot use.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
R2D_VENV = ROOT / ".r2d"
R2D = R2D_VENV / "bin" / "repo2docker"


@pytest.fixture(scope="module")
def repo2docker() -> Path:
    if not R2D.exists():
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", str(R2D_VENV)],
                check=True, capture_output=True, timeout=120,
            )
            subprocess.run(
                [str(R2D_VENV / "bin" / "pip"), "install", "-q", "jupyter-repo2docker"],
                check=True, capture_output=True, timeout=300,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            output = getattr(exc, "stderr", b"") or b""
            pytest.skip(
                f"cannot create {R2D_VENV} with jupyter-repo2docker: {exc}; "
                f"{output.decode(errors='replace')[-300:]}"
            )
    return R2D


def _dockerfile(repo2docker: Path, repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(repo2docker), "--no-build", "--no-run", "--debug", str(repo)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_requirements_are_pinned() -> None:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[-1] == ".", "rampkit itself must be installed from the repository"
    unpinned = [line for line in lines[:-1] if "==" not in line]
    assert unpinned == []


def test_requirements_cover_lab_stack() -> None:
    text = (BINDER / "requirements.txt").read_text()
    for package in ("jupyterlab==", "ipywidgets==", "ipyleaflet==", "voila=="):
        assert package in text


def test_runtime_is_python_311() -> None:
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_postbuild_is_executable_script() -> None:
    post_build = BINDER / "postBuild"
    assert post_build.read_text().startswith("#!/bin/bash\n")
    assert post_build.stat().st_mode & stat.S_IXUSR


def test_repo2docker_accepts_binder(repo2docker: Path) -> None:
    result = _dockerfile(repo2docker, ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "python=3.11" in output
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in output
    assert "./binder/postBuild" in output


def test_repo2docker_rejects_bad_runtime(repo2docker: Path, tmp_path: Path) -> None:
    # The same configuration with an unsupported Python must fail, which
    # shows the check above can fail at all.
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    (repo / "binder" / "runtime.txt").write_text("python-3.99\n")
    result = _dockerfile(repo2docker, repo)
    assert result.returncode != 0
    assert "3.99" in result.stdout + result.stderr
