"""Render one property of an operation into a georeferenced image.

:func:`render_operation` is the one path from points to image: clean,
grid, colorize, encode. The command line, the local images service and the
lab all call it, so the same request gives the same PNG bytes everywhere.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from rampkit.colorize import BasisLike
from rampkit.errors import OperationDataError
from rampkit.grid import MAX_PIXELS, normalize_projection, rasterize
from rampkit.image import RenderedImage, render_grid
from rampkit.operations import Operation, clean_operation
from rampkit.presets import load_ramp
from rampkit.ramp import Ramp

__all__ = ["DEFAULT_RESOLUTION", "default_resolution", "render_operation"]

logger = logging.getLogger(__name__)

# Pixel size when none is given: 1 m in Web Mercator, as in the images API's
# example request, and about 1 m of latitude in EPSG:4326.
DEFAULT_RESOLUTION = {"EPSG:3857": 1.0, "EPSG:4326": 0.00001}


def default_resolution(projection: str = "EPSG:3857") -> float:
    """Return the default pixel size for a projection, in its units."""
    return DEFAULT_RESOLUTION[normalize_projection(projection)]


def render_operation(
    op: Operation,
    property: str,
    ramp: Ramp | str | os.PathLike[str],
    *,
    resolution: float | None = None,
    projection: str = "EPSG:3857",
    shape: str = "ROUND",
    basis: BasisLike = None,
    clean: bool | dict[str, Any] = True,
    footprint_m: float | None = None,
    max_pixels: int = MAX_PIXELS,
) -> RenderedImage:
    """Clean, grid and colorize one property of an operation.

    Parameters
    ----------
    op : Operation
    property : str
        A numeric property of ``op`` (an original column name that was
        renamed works too).
    ramp : Ramp, preset name or ramp file
    resolution : float, optional
        Pixel size in CRS units; by default 1 m for EPSG:3857 and 0.00001°
        for EPSG:4326.
    projection : {"EPSG:3857", "EPSG:4326"}
        Also spelled ``EPSG_3857`` / ``EPSG_4326``.
    shape : {"ROUND", "SQUARE"}
    basis : Basis, (vmin, vmax), "data" or None
        What percent stops resolve against; None is the grid's valid range.
    clean : bool or dict
        True applies :func:`rampkit.operations.clean_operation` with its
        defaults, a dict passes those options to it, False skips cleaning.
    footprint_m : float, optional
        Footprint size in ground metres; by default the diagonal of each
        point's swath width and distance travelled.
    max_pixels : int
        The largest grid allowed.

    Returns
    -------
    RenderedImage

    Raises
    ------
    OperationDataError
        For an unknown property or when cleaning removes every point.
    GridError
        For a bad resolution, projection or shape, or a grid over the cap.
    """
    name = op.resolve_property(property)
    if not isinstance(ramp, Ramp):
        ramp = load_ramp(ramp)
    crs = normalize_projection(projection)
    if resolution is None:
        resolution = DEFAULT_RESOLUTION[crs]

    if clean:
        options = clean if isinstance(clean, dict) else {}
        cleaned = clean_operation(op, **options)
        if len(cleaned.operation) == 0:
            steps = ", ".join(f"{step}: {count}" for step, count in cleaned.removed.items()
                              if count)
            raise OperationDataError(
                f"cleaning removed all {len(op)} points of operation {op.id!r} ({steps}); "
                "render with clean=False (--no-clean) or relax the cleaning steps"
            )
        op = cleaned.operation

    grid = rasterize(
        op,
        name,
        resolution=resolution,
        projection=crs,
        shape=shape,
        footprint_m=footprint_m,
        max_pixels=max_pixels,
    )
    image = render_grid(grid, ramp, basis=basis)
    logger.info(
        "rendered %s of operation %s: %d x %d pixels at %g %s units",
        name, op.id, image.width, image.height, resolution, crs,
    )
    return image
