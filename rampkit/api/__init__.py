"""The images API: a client, the local service and their models.

:class:`ImagesClient` talks to the real images API or to the local service;
:func:`start_local_service` runs the local service in this process, and
:func:`create_app` returns it as an ASGI application. The service's modules
(FastAPI, uvicorn) load only when the service is used.
"""

from __future__ import annotations

from typing import Any

from rampkit.api.client import CreatedImage, ImagesClient, OperationPage

__all__ = [
    "CreatedImage",
    "ImagesClient",
    "LocalService",
    "OperationPage",
    "create_app",
    "start_local_service",
]


def __getattr__(name: str) -> Any:
    # The service pulls in FastAPI and uvicorn; import them on first use only.
    if name == "create_app":
        from rampkit.api.service import create_app

        return create_app
    if name in ("LocalService", "start_local_service"):
        from rampkit.api import local

        return getattr(local, name)
    raise AttributeError(f"module 'rampkit.api' has no attribute {name!r}")
