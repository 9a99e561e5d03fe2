"""Fixtures for the images API tests: the app in-process, clients, data folders.

Test modules import the fixtures they use from here (``client_fixture``
registers the fixture ``client``), so they stay out of the shared conftest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rampkit.api.client import ImagesClient
from rampkit.api.service import create_app
from rampkit.samples import sample_dir

# The smallest sample (1,543 points) keeps renders in tests fast.
SMALL_OPERATION = "csiro-area-2-harvest-grain"
SMALL_FILE = "csiro_area-2_harvest_grain_iso-8859-1.csv"
STANDARD_RAMP = {
    "0%": [200, 0, 0], "35%": [255, 40, 0], "45%": [255, 150, 0], "55%": [255, 240, 0],
    "65%": [0, 230, 0], "75%": [0, 190, 0], "100%": [0, 130, 0], "nv": [0, 0, 0, 0],
}
TOKEN = "tok-3f9c2a7e51b84d6c"
BASE = "http://images.local"


def in_process_client(app: FastAPI, **options: Any) -> ImagesClient:
    """Return an ImagesClient that calls ``app`` in this process."""
    return ImagesClient(BASE, transport=httpx.ASGITransport(app=app), **options)


def image_body(**changes: object) -> dict[str, object]:
    """Return a valid POST /images body for the small sample, with changes."""
    body: dict[str, object] = {
        "colorRamp": STANDARD_RAMP,
        "projection": "EPSG_3857",
        "resolution": 2,
        "shape": "ROUND",
        "operationId": SMALL_OPERATION,
        "property": "dryMassPerArea",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture(name="service_app", scope="module")
def service_app_fixture() -> FastAPI:
    """The local service on the bundled samples, without a token."""
    return create_app()


@pytest.fixture(name="client")
def client_fixture(service_app: FastAPI) -> Iterator[ImagesClient]:
    """An ImagesClient calling ``service_app`` through httpx.ASGITransport."""
    with in_process_client(service_app, retries=0) as images_client:
        yield images_client


@pytest.fixture(name="token_app", scope="module")
def token_app_fixture() -> FastAPI:
    """The local service requiring TOKEN, with one user ana / pw-ana."""
    return create_app(token=TOKEN, users={"ana": "pw-ana"})


@pytest.fixture(name="data_folder")
def data_folder_fixture(tmp_path: Path) -> Path:
    """A folder with the small sample as a CSV and a metadata file beside it."""
    folder = tmp_path / "ops"
    folder.mkdir()
    shutil.copy(sample_dir() / SMALL_FILE, folder / "north_2021.csv")
    (folder / "north_2021.meta.json").write_text(
        '{"id": "north-2021", "type": "harvested", "field": "north", '
        '"date": "2021-09-14", "encoding": "iso-8859-1", "property": "dryMassPerArea"}',
        encoding="utf-8",
    )
    return folder
