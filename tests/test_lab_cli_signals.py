"""Tests of how ``rampkit lab`` passes SIGTERM on to the JupyterLab it starts."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from rampkit.cli import build_parser
from rampkit.cli import lab as lab_module

ROOT = Path(__file__).resolve().parents[1]


class SigtermDuringStart:
    """Stand-in for ``subprocess.Popen`` that receives SIGTERM while it starts.

    The signal is sent only when a Python handler is installed, because the
    default action would end the test process.
    """

    instances: list[SigtermDuringStart] = []

    def __init__(self, command: list[str], **kwargs: Any) -> None:
        self.handler_at_start = signal.getsignal(signal.SIGTERM)
        self.terminate_calls = 0
        SigtermDuringStart.instances.append(self)
        if callable(self.handler_at_start):
            os.kill(os.getpid(), signal.SIGTERM)

    def terminate(self) -> None:
        self.terminate_calls += 1

    def wait(self) -> int:
        return -signal.SIGTERM if self.terminate_calls else 0


@pytest.fixture
def fake_popen(monkeypatch: pytest.MonkeyPatch) -> type[SigtermDuringStart]:
    # An API URL in the environment keeps rampkit lab from starting the local service.
    monkeypatch.setenv("RAMPKIT_API_URL", "http://127.0.0.1:9/unused")
    monkeypatch.delenv("RAMPKIT_API_TOKEN", raising=False)
    monkeypatch.setattr(lab_module.subprocess, "Popen", SigtermDuringStart)
    SigtermDuringStart.instances = []
    return SigtermDuringStart


def run_lab() -> int:
    args = build_parser().parse_args(
        ["lab", "--notebook-dir", str(ROOT / "notebooks"), "--no-browser"]
    )
    return int(args.func(args))


def test_sigterm_handler_precedes_child(fake_popen: type[SigtermDuringStart]) -> None:
    previous = signal.getsignal(signal.SIGTERM)

    run_lab()

    [child] = fake_popen.instances
    assert callable(child.handler_at_start)
    assert child.handler_at_start is not previous


def test_sigterm_during_start_terminates_child(fake_popen: type[SigtermDuringStart]) -> None:
    exit_code = run_lab()

    [child] = fake_popen.instances
    assert child.terminate_calls == 1
    assert exit_code == -signal.SIGTERM


def test_sigterm_handler_restored_after_exit(fake_popen: type[SigtermDuringStart]) -> None:
    previous = signal.getsignal(signal.SIGTERM)

    run_lab()

    assert signal.getsignal(signal.SIGTERM) is previous
