"""Run the local images service in a background thread of this process.

:func:`start_local_service` is the one call a notebook needs: it starts
uvicorn on 127.0.0.1 (a free port unless one is given), waits until the
service accepts connections and returns a :class:`LocalService` with its
``url``. ``stop()`` (or leaving a ``with`` block) shuts it down.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from pathlib import Path
from typing import Any

from rampkit.errors import ImagesAPIConnectionError

__all__ = ["LocalService", "shared_local_service", "start_local_service"]

logger = logging.getLogger(__name__)

_shared: LocalService | None = None
_shared_lock = threading.Lock()


class LocalService:
    """A running local images service.

    Attributes
    ----------
    url : str
        The base URL, such as ``http://127.0.0.1:51234``.
    host : str
        The address it listens on.
    port : int
        The port it listens on.
    app : fastapi.FastAPI
        The application it serves.
    """

    def __init__(self, server: Any, thread: threading.Thread, host: str, port: int,
                 app: Any) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self.app = app
        url_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{url_host}:{port}"

    @property
    def running(self) -> bool:
        """True while the server thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the service and wait up to ``timeout`` seconds for its thread."""
        if not self._thread.is_alive():
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            # Open keep-alive connections can hold a graceful stop; end them.
            self._server.force_exit = True
            self._thread.join(timeout)
        logger.info("local images service at %s stopped", self.url)

    def __enter__(self) -> LocalService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LocalService(url={self.url!r}, {state})"


def start_local_service(
    *,
    data_dir: str | Path | None = None,
    token: str | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
    timeout: float = 30.0,
    **app_options: Any,
) -> LocalService:
    """Start the local images service in a background thread and return it.

    Parameters
    ----------
    data_dir : path, optional
        A folder of operation files; the bundled samples when omitted.
    token : str, optional
        Require ``Authorization: Bearer <token>`` on every call.
    port : int, default 0
        The port; 0 picks a free one.
    host : str, default "127.0.0.1"
        The address to listen on. Keep the loopback address unless other
        machines must reach the service.
    timeout : float, default 30.0
        Seconds to wait for the service to accept connections.
    **app_options
        Passed to :func:`rampkit.api.service.create_app` (``users``,
        ``max_pixels``, ``fail``, ``cache_size``).

    Returns
    -------
    LocalService

    Raises
    ------
    ImagesAPIConnectionError
        If the service does not start within ``timeout``.

    Examples
    --------
    >>> with start_local_service() as service:  # doctest: +SKIP
    ...     ImagesClient(service.url).list_operations()
    """
    import uvicorn

    from rampkit.api.service import create_app

    app = create_app(data_dir, token=token, **app_options)

    # uvicorn binds the socket itself: it then sets TCP_NODELAY on each
    # connection, which a socket bound here and handed over does not get, and
    # small answers would wait about 40 ms for delayed ACKs.
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off",
        timeout_graceful_shutdown=2,
    )
    # uvicorn captures signals only on the main thread, so a thread leaves them alone.
    server = uvicorn.Server(config)

    def run() -> None:
        # uvicorn exits with SystemExit when it cannot bind; end the thread quietly
        # and let the wait below report it.
        try:
            server.run()
        except SystemExit:
            logger.debug("uvicorn exited before the service started on %s:%d", host, port)

    thread = threading.Thread(target=run, name="rampkit-service", daemon=True)
    thread.start()

    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ImagesAPIConnectionError(
                f"local images service on {host}:{port} did not start within {timeout:g} s; "
                "see the log of uvicorn.error for the cause (a port in use, for example)",
                url=f"http://{host}:{port}",
            )
        time.sleep(0.01)
    bound_port = int(server.servers[0].sockets[0].getsockname()[1])
    service = LocalService(server, thread, host, bound_port, app)
    logger.info("local images service started at %s", service.url)
    return service


def shared_local_service() -> LocalService:
    """Return this process's local service on the bundled samples, starting it once.

    It stops when the interpreter exits.
    """
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = start_local_service()
            atexit.register(_shared.stop)
        return _shared
