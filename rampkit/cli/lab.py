"""``rampkit lab``: open JupyterLab on the quickstart notebook with the local service.

The command starts the local images service on a free 127.0.0.1 port and
passes its URL to JupyterLab's kernels in ``RAMPKIT_API_URL``, so every
``ImagesClient.default()`` in the notebooks calls it. It then runs JupyterLab
on the notebook folder and stops the service when JupyterLab exits. With
``RAMPKIT_API_URL`` or ``RAMPKIT_API_TOKEN`` already set, no service starts.

The notebooks come from ``--notebook-dir``, else from ``notebooks/`` in the
current folder or in the source checkout rampkit runs from, else from the
copy an installed wheel carries in ``rampkit/_notebooks``, which is first
copied to ``./rampkit-notebooks`` so edits can be saved.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from rampkit.cli.serve import port_number
from rampkit.errors import RampkitError

__all__ = ["QUICKSTART", "add_parser", "find_notebooks", "lab_command"]

logger = logging.getLogger(__name__)

QUICKSTART = "01_quickstart.ipynb"
_PACKAGE = Path(__file__).resolve().parents[1]


def find_notebooks(notebook_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder holding the quickstart notebook.

    Parameters
    ----------
    notebook_dir : path, optional
        A folder to use; it must contain the quickstart.

    Raises
    ------
    RampkitError
        When no candidate folder has ``01_quickstart.ipynb``.
    """
    if notebook_dir is not None:
        folder = Path(notebook_dir)
        if not (folder / QUICKSTART).is_file():
            raise RampkitError(
                f"notebook folder {str(folder)!r} has no {QUICKSTART}; pass the notebooks/ "
                "folder of a rampkit checkout"
            )
        return folder
    candidates = [Path.cwd() / "notebooks", _PACKAGE.parent / "notebooks"]
    for folder in candidates:
        if (folder / QUICKSTART).is_file():
            return folder
    bundled = _PACKAGE / "_notebooks"
    if (bundled / QUICKSTART).is_file():
        target = Path.cwd() / "rampkit-notebooks"
        if not target.exists():
            shutil.copytree(bundled, target)
            logger.info("copied the notebooks to %s", target)
        return target
    searched = ", ".join(repr(str(folder)) for folder in [*candidates, bundled])
    raise RampkitError(
        f"no {QUICKSTART} found in {searched}; run rampkit lab from a rampkit checkout "
        "or pass --notebook-dir"
    )


def lab_command(
    notebook: Path, *, port: int = 0, open_browser: bool = True, voila: bool = False
) -> list[str]:
    """Return the command line that serves ``notebook`` in JupyterLab (or Voilà).

    Parameters
    ----------
    notebook : Path
        The notebook to open; its folder becomes the server's root.
    port : int, default 0
        The server port; 0 lets the server pick one (8888 or the next free
        one). JupyterLab stops with an error when a chosen port is busy.
    open_browser : bool, default True
        Open a browser tab.
    voila : bool, default False
        Serve the notebook as a Voilà app instead of in JupyterLab.
    """
    if voila:
        command = [sys.executable, "-m", "voila", str(notebook), "--Voila.ip=127.0.0.1"]
        if port:
            command.append(f"--port={port}")
        if not open_browser:
            command.append("--no-browser")
        return command
    command = [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebook.parent}",
        "--ip=127.0.0.1", f"--LabApp.default_url=/lab/tree/{notebook.name}",
    ]
    if port:
        # A port the user chose must not silently become the next free one.
        command += [f"--port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # JupyterLab refuses to start as root without this flag (containers, CI).
        command.append("--allow-root")
    return command


def _run(args: argparse.Namespace) -> int:
    from rampkit.api.local import start_local_service

    folder = find_notebooks(args.notebook_dir)
    notebook = folder / QUICKSTART
    env = dict(os.environ)
    service = None
    if not env.get("RAMPKIT_API_URL") and not env.get("RAMPKIT_API_TOKEN"):
        service = start_local_service()
        env["RAMPKIT_API_URL"] = service.url
        print(f"rampkit: local images service at {service.url}", file=sys.stderr)
    command = lab_command(
        notebook, port=args.port, open_browser=not args.no_browser, voila=args.voila
    )
    process: subprocess.Popen[bytes] | None = None
    stop_requested = False

    def terminate_child(signum: int, frame: object) -> None:
        # A SIGTERM that arrives while Popen runs finds no process yet, so the
        # flag makes the code after Popen terminate the new child.
        nonlocal stop_requested
        stop_requested = True
        if process is not None:
            process.terminate()

    # SIGTERM stops JupyterLab first, so its kernels shut down cleanly. The
    # handler is installed before the child starts, because a SIGTERM between
    # the two would end rampkit lab and leave JupyterLab running.
    previous = signal.signal(signal.SIGTERM, terminate_child)
    try:
        logger.info("running %s", " ".join(command))
        process = subprocess.Popen(command, env=env, cwd=folder)
        if stop_requested:
            process.terminate()
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # JupyterLab received the same Ctrl-C and prompts to confirm.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
        if service is not None:
            service.stop()


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit lab``."""
    parser = subparsers.add_parser(
        "lab",
        help="open JupyterLab on the quickstart notebook with the local images service",
        description=(
            "Start the local images service and open JupyterLab on the quickstart "
            "notebook. With RAMPKIT_API_URL or RAMPKIT_API_TOKEN set, the notebooks "
            "use that API instead and no local service starts."
        ),
    )
    parser.add_argument(
        "--notebook-dir", help="folder with the rampkit notebooks (default: found)"
    )
    parser.add_argument(
        "--port", type=port_number, default=0,
        help="server port, 0-65535 (default 0: the first free port from 8888)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument(
        "--voila", action="store_true", help="serve the quickstart as a Voilà app instead"
    )
    parser.set_defaults(func=_run)
