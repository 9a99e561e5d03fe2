"""Shared fixtures: seeded randomness, grids with gaps, the real gdaldem."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES_FILE = ROOT / "tests" / "data" / "cases.json"


def require_tool(reason: str) -> None:
    """Skip a test whose tool is missing, or fail it where CI sets RAMPKIT_REQUIRE_TOOLS=1."""
    if os.environ.get("RAMPKIT_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason}; CI requires every tool")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def no_images_api_settings() -> Iterator[None]:
    """Keep a developer's own images API URL and token out of every test.

    Module-scoped fixtures such as a lab's client are built before a test's
    own ``monkeypatch`` applies, so the variables are removed for the whole session.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RAMPKIT_API_URL", raising=False)
        patch.delenv("RAMPKIT_API_TOKEN", raising=False)
        yield


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261204)


@pytest.fixture
def grid(rng: np.random.Generator) -> np.ndarray:
    """A 64x64 float32 yield-like grid with NaN holes and a -9999 nodata block."""
    values = rng.normal(150.0, 30.0, (64, 64)).astype(np.float32)
    values[5:9, 10:20] = np.nan
    values[40:44, 40:50] = -9999.0
    return values


@pytest.fixture(scope="session")
def cases() -> dict[str, dict]:
    """The field cases, by id."""
    return {case["id"]: case for case in json.loads(CASES_FILE.read_text(encoding="utf-8"))}


def decode(value: object) -> object:
    """Turn the strings 'nan', 'inf', '-inf' of the case files into floats."""
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


@pytest.fixture(scope="session")
def gdaldem() -> Callable[..., np.ndarray]:
    """Run the real ``gdaldem color-relief -alpha`` on an array; return RGBA (H, W, 4)."""
    executable = shutil.which("gdaldem")
    if executable is None:
        require_tool("gdaldem is not installed (apt-get install gdal-bin)")
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    def run(
        values: np.ndarray,
        color_text: str,
        tmp_path: Path,
        *,
        nodata: float | None = None,
        options: tuple[str, ...] = (),
    ) -> np.ndarray:
        values = np.atleast_2d(values)
        source = tmp_path / "values.tif"
        colors = tmp_path / "colors.txt"
        target = tmp_path / "rgba.tif"
        profile = {
            "driver": "GTiff",
            "width": values.shape[1],
            "height": values.shape[0],
            "count": 1,
            "dtype": values.dtype.name,
            "transform": from_origin(0, values.shape[0], 1, 1),
        }
        if nodata is not None:
            profile["nodata"] = nodata
        with rasterio.open(source, "w", **profile) as dataset:
            dataset.write(values, 1)
        colors.write_text(color_text, encoding="utf-8")
        # GDAL_PAM_ENABLED=NO keeps gdaldem from caching statistics in an
        # .aux.xml file, so each run computes the percent basis itself.
        result = subprocess.run(
            [executable, "color-relief", "-q", "-alpha", *options, str(source), str(colors),
             str(target)],
            capture_output=True,
            text=True,
            env={"GDAL_PAM_ENABLED": "NO", "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert result.returncode == 0, result.stderr
        with rasterio.open(target) as dataset:
            return np.moveaxis(dataset.read(), 0, -1)

    return run
