"""``rampkit serve``: run the local images service."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import socket
from typing import Any

from rampkit.errors import RampkitError

__all__ = ["add_parser", "port_number"]

ENV_SERVE_TOKEN = "RAMPKIT_SERVE_TOKEN"


def port_number(text: str) -> int:
    """Parse a ``--port`` value: a TCP port from 0 to 65535, where 0 picks a free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"port {text!r} is not a whole number; give a port from 0 to 65535"
        ) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"port {port} is outside 0-65535; give a port in that range (0 picks a free one)"
        )
    return port


def _listen_sockets(host: str, port: int) -> list[socket.socket]:
    """Bind one socket for each address ``host`` resolves to, as uvicorn would.

    Binding here, before uvicorn starts, turns a busy port into one line on
    stderr instead of uvicorn's log and exit. The sockets listen before they
    are returned, so once the banner prints, a client that connects is queued
    until uvicorn accepts it rather than refused.

    Raises
    ------
    RampkitError
        If ``host`` does not resolve or an address cannot be bound.
    """
    try:
        addresses = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise RampkitError(
            f"host {host!r} cannot be resolved ({exc.strerror}); pass an address such as "
            "127.0.0.1 to --host"
        ) from exc
    sockets: list[socket.socket] = []
    bind_port = port
    try:
        for family, kind, protocol, _, address in dict.fromkeys(addresses):
            # asyncio (3.11) sets TCP_NODELAY only on connections of a socket made
            # with IPPROTO_TCP, so the protocol comes from getaddrinfo, not 0.
            sock = socket.socket(family, kind, protocol)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            # With port 0 each bind would get its own free port, but the banner
            # and uvicorn show one, so every further address reuses the first port.
            sock.bind((address[0], bind_port, *address[2:]))
            bind_port = int(sock.getsockname()[1])
            # uvicorn's default backlog; the kernel caps it at somaxconn.
            sock.listen(2048)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        if exc.errno == errno.EADDRINUSE and port == 0:
            raise RampkitError(
                f"port {bind_port}, picked for --port 0, is free on one address of {host} "
                "but in use on another; run again or pick a port with --port"
            ) from exc
        if exc.errno == errno.EADDRINUSE:
            raise RampkitError(
                f"port {port} on {host} is already in use; pick another with --port"
            ) from exc
        raise RampkitError(
            f"listening on port {port} of {host} failed: {exc.strerror}; pick another "
            "--port or --host"
        ) from exc
    return sockets


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
    sockets = _listen_sockets(args.host, args.port)
    try:
        bound_port = int(sockets[0].getsockname()[1])
        url_host = f"[{args.host}]" if ":" in args.host else args.host
        source = args.data or "the bundled samples"
        auth = "a Bearer token" if token else "no token"
        print(
            f"rampkit images service on http://{url_host}:{bound_port} serving {source}, "
            f"requiring {auth}; press Ctrl+C to stop",
            flush=True,
        )
        # uvicorn's own access log would print query strings; the service logs paths only.
        config = uvicorn.Config(
            app, host=args.host, port=bound_port, log_config=None, access_log=False
        )
        server = uvicorn.Server(config)
        # uvicorn shuts down on Ctrl+C and then raises KeyboardInterrupt again.
        # Ctrl+C is the normal way to stop, so it exits with 0.
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
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
    parser.add_argument(
        "--port", type=port_number, default=8765,
        help="TCP port, 0-65535 (default 8765; 0 picks a free one)",
    )
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
