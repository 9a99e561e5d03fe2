"""Points to a georeferenced grid: projection, footprints and aggregation.

Projection
    Points in WGS 84 are projected with pyproj to EPSG:3857 (Web Mercator,
    the default and what web maps use) or kept in EPSG:4326. ``resolution``
    is the pixel size in CRS units: metres of Web Mercator, or degrees.
    Points beyond the Web Mercator limit, latitude ±85.0511287798066°, are
    dropped (not clamped) from EPSG:3857 grids with a warning that counts
    them, and the grid is clipped to that latitude.

Footprints
    Each point covers a footprint, a disc (``ROUND``) or a square
    (``SQUARE``) whose diameter or side is in ground metres. A point of a
    machine log stands for the strip that its header section covered since
    the previous log entry: a rectangle as wide as the swath
    (``equipmentWidth``) and as long as the distance travelled
    (``distance``). The footprint's size is that rectangle's diagonal,
    ``sqrt(width**2 + distance**2)``, which makes the disc the smallest one
    that contains the rectangle when the rectangle is centred on the point.
    Consecutive points of a section and side-by-side sections then cover
    their strips without gaps. A disc only as wide as the swath leaves
    unpainted pixels where four neighbouring discs meet, because
    side-by-side discs touch at one point only.

    A point without a usable distance (missing, NaN or 0) takes its width
    alone. A point without a width takes the median width of the other
    points. When no point has a width, every point takes the spacing the
    points would have if spread evenly over their bounding box,
    ``sqrt(area / count)``, and the distance is not used. The sizes come
    from each point's own properties, so they do not depend on the order of
    the points. Ground metres become CRS units through the scale factor at
    the point's latitude: ``1 / cos(lat)`` for Web Mercator, and degrees of
    a sphere of radius 6,378,137 m for EPSG:4326, where a round footprint
    becomes an ellipse.

Coverage and aggregation
    A pixel is covered by a footprint when the pixel's centre lies inside
    it. A point whose footprint holds no pixel centre (a footprint smaller
    than a pixel) covers the pixel it lies in, so no point is lost. Where
    footprints overlap, the pixel holds the mean of their values (or the
    min, max, sum or count). Points are summed in value order, so the grid
    does not depend on the order of the input, to the last bit.

Grid
    Pixel edges fall on multiples of ``resolution`` from ``align`` (the CRS
    origin by default). Rows run north to south. Pixels no footprint reached
    are NaN.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import xarray as xr
from affine import Affine
from numpy.typing import ArrayLike, NDArray

from rampkit._warnings import warn_at_caller
from rampkit.errors import GridError, RampkitWarning
from rampkit.operations import LENGTH_UNITS, Operation

__all__ = [
    "AGGREGATES",
    "MAX_PIXELS",
    "MERCATOR_LAT_LIMIT",
    "MERCATOR_Y_LIMIT",
    "PROJECTIONS",
    "SHAPES",
    "footprint_diameters",
    "normalize_projection",
    "rasterize",
    "rasterize_points",
]

logger = logging.getLogger(__name__)

Shape: TypeAlias = Literal["ROUND", "SQUARE"]
Aggregate: TypeAlias = Literal["mean", "min", "max", "sum", "count"]

SHAPES = ("ROUND", "SQUARE")
AGGREGATES = ("mean", "min", "max", "sum", "count")
PROJECTIONS = ("EPSG:3857", "EPSG:4326")
_PROJECTION_ALIASES = {
    "EPSG:3857": "EPSG:3857",
    "EPSG_3857": "EPSG:3857",
    "3857": "EPSG:3857",
    "EPSG:4326": "EPSG:4326",
    "EPSG_4326": "EPSG:4326",
    "4326": "EPSG:4326",
}

# The Web Mercator sphere's radius and the edge of its square map.
EARTH_RADIUS = 6378137.0
MERCATOR_Y_LIMIT = math.pi * EARTH_RADIUS
MERCATOR_LAT_LIMIT = math.degrees(2 * math.atan(math.exp(math.pi)) - math.pi / 2)

# 4096 x 4096 pixels: a few float64 grids of this size fit in a notebook's memory.
MAX_PIXELS = 4096 * 4096

# Modes of the stamping loop: 0 and 4 add values (4 keeps the sum), 1 and 2
# keep the min or max, 3 counts.
_AGGREGATE_CODES = {"mean": 0, "min": 1, "max": 2, "count": 3, "sum": 4}
# Rows per band when points are grouped for stamping. 16 rows of 2,300
# float64 sums and int32 counts take about 0.4 MB, which stays in a core's
# L2 or L3 cache on current x86 CPUs.
_BAND_ROWS = 16


@functools.lru_cache(maxsize=4)
def _transformer(target: str) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", target, always_xy=True)


def normalize_projection(projection: str | int) -> str:
    """Return ``"EPSG:3857"`` or ``"EPSG:4326"`` for any accepted spelling.

    ``EPSG_3857`` is the images API's spelling; ``EPSG:3857`` and the bare
    code are accepted too.

    Examples
    --------
    >>> normalize_projection("EPSG_3857")
    'EPSG:3857'
    """
    key = str(projection).strip().upper()
    if key not in _PROJECTION_ALIASES:
        raise GridError(
            f"projection {projection!r} is not supported; use one of "
            "'EPSG:3857', 'EPSG_3857', 'EPSG:4326', 'EPSG_4326'"
        )
    return _PROJECTION_ALIASES[key]


def _check_options(resolution: float, shape: str, aggregate: str) -> tuple[float, str]:
    try:
        resolution = float(resolution)
    except (TypeError, ValueError):
        raise GridError(
            f"resolution {resolution!r} is not a number; give the pixel size in CRS units"
        ) from None
    if not math.isfinite(resolution) or resolution <= 0:
        raise GridError(
            f"resolution {resolution!r} must be a finite number above 0; give the pixel "
            "size in CRS units, for example 1 (metre) for EPSG:3857"
        )
    shape_key = str(shape).upper()
    if shape_key not in SHAPES:
        raise GridError(f"shape {shape!r} is not supported; use 'ROUND' or 'SQUARE'")
    if aggregate not in AGGREGATES:
        raise GridError(
            f"aggregate {aggregate!r} is not supported; use one of "
            + ", ".join(repr(name) for name in AGGREGATES)
        )
    return resolution, shape_key


def footprint_diameters(op: Operation) -> NDArray[np.float64]:
    """Return each point's footprint diameter in ground metres.

    Each point takes the diagonal ``sqrt(width**2 + distance**2)`` of the
    rectangle it stands for. The width is the swath width
    (``equipmentWidth``), or the median width of the other points when it
    has none. The distance is the distance travelled since the previous log
    entry (``distance``), or 0 when missing. Widths and distances are converted from their
    units to metres; a property without a unit is taken as metres. When no
    point has a width, all take the even-spacing estimate
    ``sqrt(bounding-box area / count)``.

    Raises
    ------
    GridError
        When ``equipmentWidth`` or ``distance`` has a unit that is not a length.
    """
    widths = _lengths_in_metres(op, "equipmentWidth")
    if widths is None:
        return np.full(len(op), _even_spacing(op.lon, op.lat))
    usable = np.isfinite(widths) & (widths > 0)
    if not usable.any():
        return np.full(len(op), _even_spacing(op.lon, op.lat))
    widths = np.where(usable, widths, np.median(widths[usable]))

    distances = _lengths_in_metres(op, "distance")
    if distances is None:
        return widths
    distances = np.where(np.isfinite(distances) & (distances > 0), distances, 0.0)
    return np.hypot(widths, distances)


def _lengths_in_metres(op: Operation, name: str) -> NDArray[np.float64] | None:
    """Return a length property in metres, or None when the operation lacks it."""
    values = op.properties.get(name)
    if values is None:
        return None
    unit = op.units.get(name) or "m"
    factor = LENGTH_UNITS.get(unit.strip().lower())
    if factor is None:
        raise GridError(
            f"{name} unit {unit!r} of operation {op.id!r} is not a known length "
            f"unit; use one of {', '.join(LENGTH_UNITS)} or pass footprint_m"
        )
    return np.asarray(values, dtype=np.float64) * factor


def _even_spacing(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> float:
    """Return sqrt(bounding-box area / count) in metres, at least 1 m."""
    located = np.isfinite(lon) & np.isfinite(lat)
    if located.sum() < 2:
        return 1.0
    lon, lat = lon[located], lat[located]
    metres_per_degree = EARTH_RADIUS * math.pi / 180
    height = (lat.max() - lat.min()) * metres_per_degree
    width = (lon.max() - lon.min()) * metres_per_degree * math.cos(math.radians(lat.mean()))
    return max(1.0, math.sqrt(max(width, 1.0) * max(height, 1.0) / lon.size))


def _stamp(  # type: ignore[no-untyped-def]
    x, y, rx, ry, values, order, origin_x, origin_y, resolution, square, mode, height, width
):
    """Stamp footprints in the given order and return the aggregated grid.

    ``x``, ``y``, ``rx`` and ``ry`` are in CRS units; ``origin_x`` and
    ``origin_y`` are the grid's upper-left corner. Pixels no footprint
    reached are NaN. :func:`_compiled_stamp` compiles this with numba; as
    plain Python it is far too slow for real grids.
    """
    total = np.zeros((height, width), dtype=np.float64)
    count = np.zeros((height, width), dtype=np.int32)
    for k in range(order.size):
        i = order[k]
        cx = (x[i] - origin_x) / resolution
        cy = (origin_y - y[i]) / resolution
        ax = rx[i] / resolution
        ay = ry[i] / resolution
        value = values[i]
        r0 = max(int(math.ceil(cy - ay - 0.5)), 0)
        r1 = min(int(math.floor(cy + ay - 0.5)), height - 1)
        hit = False
        for r in range(r0, r1 + 1):
            # The covered columns of this row: centres within the half-width
            # of the footprint at this row's distance from the point.
            if square:
                half = ax
            else:
                dy = (r + 0.5 - cy) / ay
                left = 1.0 - dy * dy
                if left < 0.0:
                    continue
                half = ax * math.sqrt(left)
            c0 = max(int(math.ceil(cx - half - 0.5)), 0)
            c1 = min(int(math.floor(cx + half - 0.5)), width - 1)
            for c in range(c0, c1 + 1):
                # Modes 0 and 4 add, 1 and 2 keep the min or max, 3 only counts.
                if mode == 0 or mode == 4:
                    total[r, c] += value
                elif mode == 1 or mode == 2:
                    held = total[r, c]
                    if count[r, c] == 0 or (value < held if mode == 1 else value > held):
                        total[r, c] = value
                count[r, c] += 1
            if c1 >= c0:
                hit = True

        # A footprint that holds no pixel centre covers the pixel under the point.
        if not hit:
            r = min(max(int(math.floor(cy)), 0), height - 1)
            c = min(max(int(math.floor(cx)), 0), width - 1)
            if mode == 0 or mode == 4:
                total[r, c] += value
            elif mode == 1 or mode == 2:
                held = total[r, c]
                if count[r, c] == 0 or (value < held if mode == 1 else value > held):
                    total[r, c] = value
            count[r, c] += 1

    # Turn sums into means, counts into values and empty pixels into NaN, in place.
    for r in range(height):
        for c in range(width):
            n = count[r, c]
            if n == 0:
                total[r, c] = np.nan
            elif mode == 0:
                total[r, c] /= n
            elif mode == 3:
                total[r, c] = n
    return total


@functools.lru_cache(maxsize=1)
def _compiled_stamp() -> Any:
    """Compile :func:`_stamp` with numba on first use, so ``import rampkit`` stays fast."""
    import numba

    # cache=True stores the machine code beside the module (or in the user's
    # cache folder), so later processes load it instead of compiling again.
    return numba.njit(cache=True, nogil=True)(_stamp)


def _edges(low: float, high: float, resolution: float, offset: float) -> tuple[float, int]:
    """Return the snapped lower edge and the pixel count covering [low, high]."""
    start = math.floor((low - offset) / resolution)
    stop = math.ceil((high - offset) / resolution)
    return offset + start * resolution, max(int(stop - start), 1)


def _clip_edges(
    low: float, high: float, resolution: float, offset: float, limit: float
) -> tuple[float, int]:
    """Snap [low, high] to the pixel lattice, dropping pixels that cross +-limit."""
    start, count = _edges(low, high, resolution, offset)
    if start < -limit:
        inward = math.ceil((-limit - start) / resolution)
        start, count = start + inward * resolution, count - inward
    if start + count * resolution > limit:
        count -= math.ceil((start + count * resolution - limit) / resolution)
    return start, max(count, 1)


def _smallest_resolution(
    x_span: tuple[float, float],
    y_span: tuple[float, float],
    radius: float,
    resolution: float,
    offset: tuple[float, float],
    max_pixels: int,
) -> float:
    """Return the smallest resolution, to 3 significant digits, whose grid fits."""

    def pixels(candidate: float) -> int:
        _, columns = _edges(x_span[0] - radius, x_span[1] + radius, candidate, offset[0])
        _, rows = _edges(y_span[0] - radius, y_span[1] + radius, candidate, offset[1])
        return columns * rows

    width = x_span[1] - x_span[0] + 2 * radius
    height = y_span[1] - y_span[0] + 2 * radius
    # A grid needs at least one row and one column, so a long, thin extent
    # needs at least max(width, height) / max_pixels.
    candidate = max(
        math.sqrt(width * height / max_pixels), max(width, height) / max_pixels, resolution
    )
    while pixels(candidate) > max_pixels:
        candidate *= 1.001
    # Round up to the fewest significant digits, from 3, that still fit, so
    # the message names a number a user can type and that works as printed.
    # Snapping to the lattice makes the pixel count uneven in the resolution,
    # so a rounded-up value can still be one row too many.
    for significant in range(3, 17):
        scale = 10.0 ** (significant - 1 - math.floor(math.log10(candidate)))
        rounded = math.ceil(candidate * scale) / scale
        if pixels(rounded) <= max_pixels:
            return rounded
    return candidate


def rasterize_points(
    lon: ArrayLike,
    lat: ArrayLike,
    values: ArrayLike,
    *,
    resolution: float,
    projection: str = "EPSG:3857",
    shape: Shape | str = "ROUND",
    footprint_m: float | ArrayLike = 1.0,
    aggregate: Aggregate | str = "mean",
    max_pixels: int = MAX_PIXELS,
    align: Sequence[float] = (0.0, 0.0),
    name: str | None = None,
    unit: str | None = None,
) -> xr.DataArray:
    """Grid point values given as arrays; see :func:`rasterize`.

    Parameters
    ----------
    lon, lat, values : array_like
        WGS 84 degrees and one value per point; points with a non-finite
        coordinate or value are skipped.
    footprint_m : float or array_like
        Footprint diameter (ROUND) or side (SQUARE) in ground metres, one for
        all points or one per point.
    align : (x, y)
        A point in CRS units where pixel corners fall.
    name, unit : str, optional
        The property name and unit recorded in the attributes.

    Examples
    --------
    >>> grid = rasterize_points([0.0], [0.0], [5.0], resolution=10, footprint_m=25,
    ...                         align=(5, 5))
    >>> int((grid.values == 5.0).sum())
    5
    """
    resolution, shape_key = _check_options(resolution, str(shape), str(aggregate))
    crs = normalize_projection(projection)
    if int(max_pixels) < 1:
        raise GridError(f"max_pixels {max_pixels!r} must be at least 1; use the default")
    lon_array = np.asarray(lon, dtype=np.float64).ravel()
    lat_array = np.asarray(lat, dtype=np.float64).ravel()
    value_array = np.asarray(values, dtype=np.float64).ravel()
    diameters = np.broadcast_to(np.asarray(footprint_m, dtype=np.float64), lon_array.shape)
    if not (lon_array.shape == lat_array.shape == value_array.shape):
        raise GridError(
            f"lon, lat and values have {lon_array.size}, {lat_array.size} and "
            f"{value_array.size} items; give one of each per point"
        )

    # Skip points without a location or value, then points the CRS cannot hold.
    keep = (
        np.isfinite(lon_array) & np.isfinite(lat_array) & np.isfinite(value_array)
        & (np.abs(lat_array) <= 90) & (np.abs(lon_array) <= 180)
    )
    if crs == "EPSG:3857":
        beyond = keep & (np.abs(lat_array) > MERCATOR_LAT_LIMIT)
        dropped = int(beyond.sum())
        if dropped:
            warn_at_caller(
                f"dropped {dropped} point{'' if dropped == 1 else 's'} beyond the Web "
                f"Mercator limit of latitude "
                f"±{MERCATOR_LAT_LIMIT:.4f}°; use projection='EPSG:4326' to keep them",
                RampkitWarning,
            )
            keep &= ~beyond
    bad_sizes = keep & ~(np.isfinite(diameters) & (diameters > 0))
    if bad_sizes.any():
        raise GridError(
            f"footprint {float(diameters[bad_sizes][0])!r} m must be a finite size above 0; "
            "give the footprint diameter in metres"
        )
    if not keep.any():
        raise GridError(
            f"no point has a location and a value to grid ({lon_array.size} points given); "
            "check the property and the cleaning steps"
        )
    if not keep.all():
        lon_array, lat_array = lon_array[keep], lat_array[keep]
        value_array, diameters = value_array[keep], diameters[keep]

    # Project, and turn ground metres into CRS units at each point's latitude.
    if crs == "EPSG:3857":
        x, y = _transformer(crs).transform(lon_array, lat_array)
        x, y = np.asarray(x), np.asarray(y)
        radius_x = diameters / 2 / np.cos(np.radians(lat_array))
        radius_y = radius_x
    else:
        x, y = lon_array, lat_array
        radius_y = diameters / 2 / (EARTH_RADIUS * math.pi / 180)
        radius_x = radius_y / np.maximum(np.cos(np.radians(lat_array)), 1e-12)

    # Snap the extent to the pixel lattice; clip Web Mercator to its square.
    reach_x, reach_y = float(radius_x.max()), float(radius_y.max())
    low_x, high_x = float(x.min()) - reach_x, float(x.max()) + reach_x
    low_y, high_y = float(y.min()) - reach_y, float(y.max()) + reach_y
    limit_x, limit_y = (
        (MERCATOR_Y_LIMIT, MERCATOR_Y_LIMIT) if crs == "EPSG:3857" else (180.0, 90.0)
    )
    low_x, high_x = max(low_x, -limit_x), min(high_x, limit_x)
    low_y, high_y = max(low_y, -limit_y), min(high_y, limit_y)
    xmin, columns = _clip_edges(low_x, high_x, resolution, float(align[0]), limit_x)
    ymin, rows = _clip_edges(low_y, high_y, resolution, float(align[1]), limit_y)
    if columns * rows > max_pixels:
        smallest = _smallest_resolution(
            (float(x.min()), float(x.max())),
            (float(y.min()), float(y.max())),
            max(reach_x, reach_y),
            resolution,
            (float(align[0]), float(align[1])),
            int(max_pixels),
        )
        raise GridError(
            f"resolution {resolution!r} gives a grid of {columns} x {rows} = "
            f"{columns * rows} pixels, over the cap of {int(max_pixels)}; use a resolution "
            f"of at least {smallest!r}"
        )
    ymax = ymin + rows * resolution

    # Sum in value order, so the mean does not depend on input order. Then
    # group the points by band of rows with a stable sort, which keeps the
    # value order inside each band and lets the stamping loop work on a
    # cache-sized piece of the grid at a time. Min, max and count need no order.
    if aggregate in ("mean", "sum"):
        order = np.argsort(value_array)
    else:
        order = np.arange(value_array.size)
    band_rows = max(_BAND_ROWS, -(-rows // 65535))
    band = np.clip((ymax - y) // (band_rows * resolution), 0, 65534).astype(np.uint16)
    order = order[np.argsort(band[order], kind="stable")]
    grid = _compiled_stamp()(
        x, y, radius_x, radius_y, value_array, order, xmin, ymax, resolution,
        shape_key == "SQUARE", _AGGREGATE_CODES[str(aggregate)], rows, columns,
    )

    transform = Affine(resolution, 0.0, xmin, 0.0, -resolution, ymax)
    x_centres = xmin + (np.arange(columns) + 0.5) * resolution
    y_centres = ymax - (np.arange(rows) + 0.5) * resolution
    logger.debug("gridded %d points into %d x %d pixels", value_array.size, columns, rows)
    return xr.DataArray(
        grid,
        dims=("y", "x"),
        coords={"y": y_centres, "x": x_centres},
        name=name,
        attrs={
            "crs": crs,
            "transform": transform,
            "resolution": resolution,
            "shape": shape_key,
            "aggregate": str(aggregate),
            "property": name,
            "unit": unit,
            "nodata": np.nan,
            "points": int(value_array.size),
        },
    )


def rasterize(
    op: Operation,
    property: str,
    *,
    resolution: float,
    projection: str = "EPSG:3857",
    shape: Shape | str = "ROUND",
    footprint_m: float | ArrayLike | None = None,
    aggregate: Aggregate | str = "mean",
    max_pixels: int = MAX_PIXELS,
    align: Sequence[float] = (0.0, 0.0),
) -> xr.DataArray:
    """Grid one property of an operation; see the module notes for the rules.

    Parameters
    ----------
    op : Operation
    property : str
        A numeric property (an original column name that was renamed works too).
    resolution : float
        Pixel size in CRS units (metres for EPSG:3857, degrees for EPSG:4326),
        above 0.
    projection : {"EPSG:3857", "EPSG:4326"}
        Also spelled ``EPSG_3857`` / ``EPSG_4326``.
    shape : {"ROUND", "SQUARE"}
        The footprint of each point.
    footprint_m : float or array_like, optional
        Footprint diameter or side in ground metres; by default the diagonal
        of each point's swath width and distance travelled (see
        :func:`footprint_diameters`).
    aggregate : {"mean", "min", "max", "sum", "count"}
        How overlapping footprints combine.
    max_pixels : int
        The largest grid allowed.
    align : (x, y)
        A point in CRS units where pixel corners fall.

    Returns
    -------
    xarray.DataArray
        Dims ``("y", "x")`` with pixel-centre coordinates, rows north to
        south, NaN where no point reached. Attributes: ``crs``,
        ``transform`` (an :class:`affine.Affine`), ``resolution``, ``shape``,
        ``aggregate``, ``property``, ``unit``, ``nodata`` (NaN), ``points``
        and ``operation_id``.

    Raises
    ------
    OperationDataError
        When the operation has no such numeric property.
    GridError
        For a resolution of 0 or below, an unknown projection or shape, a
        grid over ``max_pixels`` (the message names the smallest resolution
        that fits) or no point to grid.
    """
    name = property if property in op.properties else op.resolve_property(property)
    footprint = footprint_diameters(op) if footprint_m is None else footprint_m
    grid = rasterize_points(
        op.lon,
        op.lat,
        op.properties[name],
        resolution=resolution,
        projection=projection,
        shape=shape,
        footprint_m=footprint,
        aggregate=aggregate,
        max_pixels=max_pixels,
        align=align,
        name=name,
        unit=op.units.get(name),
    )
    grid.attrs["operation_id"] = op.id
    return grid
