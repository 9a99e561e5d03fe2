"""``rampkit serve``: run the local images service."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

__all__ = ["add_parser"]

ENV_SERVE_TOKEN = "RAMPKIT_SERVE_TOKEN"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from rampkit.api.service import DEFAULT_MAX_PIXELS, create_app

    token = args.token or os.environ.get(ENV_SERVE_TOKEN) or None
    max_pixels = args.max_pixels or DEFAULT_MAX_PIXELS
    app = create_app(args.data, token=token, max_pixels=max_pixels)

    # The service logs one line per request; show them unless -q was given.
    service_logger = logging.getLogger("rampkit.api.service")
    if service_logger.getEffectiveLevel() > logging.INFO and not args.quiet:
        service_logger.setLevel(logging.INFO)
    source = args.data or "the bundled samples"
    auth = "a Bearer token" if token else "no token"
    print(
        f"rampkit images service on http://{args.host}:{args.port} serving {source}, "
        f"requiring {auth}; press Ctrl+C to stop",
        flush=True,
    )
    # uvicorn's own access log would print query strings; the service logs paths only.
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``rampkit serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="run the local images service",
        description=(
            "Serve the images API's operations and images calls for the bundled samples "
            "or a folder of operation files. Each request is logged as method, path, "
            "status and milliseconds; tokens are never logged."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    parser.add_argument(
        "--data", metavar="DIR", default=None,
        help="folder of operation files (.geojson, .geojson.gz, .parquet, .zip, .csv, each "
        "with an optional NAME.meta.json); default: the bundled samples",
    )
    parser.add_argument(
        "--token", default=None,
        help=f"require 'Authorization: Bearer TOKEN' on every call (default: "
        f"${ENV_SERVE_TOKEN}, else no token); the environment variable keeps the token "
        "out of the process list",
    )
    parser.add_argument(
        "--max-pixels", type=int, default=None,
        help="largest image a request may make, in pixels (default 16000000)",
    )
    parser.set_defaults(func=_serve)
