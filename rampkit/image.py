"""Rendered images: RGBA PNG and GeoTIFF files with their georeferencing.

A :class:`RenderedImage` is a colorized grid with everything a map or a GIS
needs to place it: the CRS, the affine transform, the extent in the CRS and
the ``[[south, west], [north, east]]`` bounds that ``ipyleaflet.ImageOverlay``
takes. Rows run north to south.

Files
    :func:`write_png` writes the PNG (real transparency where a pixel has no
    value), the GDAL sidecar ``<name>.png.aux.xml`` with the spatial
    reference and geotransform, and the world file ``<name>.pgw``. GDAL reads
    the sidecar first, so ``rasterio.open("<name>.png")`` returns the grid's
    bounds and CRS. :func:`write_geotiff` writes the RGBA rendering and
    :func:`write_values_geotiff` the float values with NaN as nodata.

Every writer writes to temporary files in the target folder and renames
them into place, so a failure while writing leaves no partial file behind.
The files get mode 0666 less the process umask, as files written with
``open()`` do. A writer raises :class:`~rampkit.errors.ExportExistsError`
rather than replace an existing file, unless ``overwrite=True``. It does
not create missing folders, and it rejects a name whose ending does not
match the format: ``.png`` for PNG, ``.tif`` or ``.tiff`` for GeoTIFF, in
any case.
"""

from __future__ import annotations

import base64
import builtins
import io
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from affine import Affine
from numpy.typing import NDArray

from rampkit._atomic import create_temporary, exists_error
from rampkit.colorize import Basis, BasisLike, colorize
from rampkit.errors import FormatError, GridError
from rampkit.grid import MERCATOR_LAT_LIMIT, normalize_projection
from rampkit.ramp import Ramp

__all__ = [
    "GEOTIFF_SUFFIXES",
    "PNG_SUFFIXES",
    "RenderedImage",
    "aux_xml",
    "check_output_path",
    "data_url",
    "encode_png",
    "latlon_bounds",
    "render_grid",
    "world_file",
    "write_geotiff",
    "write_png",
    "write_values_geotiff",
]

logger = logging.getLogger(__name__)

Extent = tuple[float, float, float, float]


@dataclass(frozen=True, eq=False)
class RenderedImage:
    """A colorized, georeferenced grid.

    Attributes
    ----------
    rgba : ndarray of uint8, shape (rows, columns, 4)
        Read-only; rows run north to south.
    png : bytes
        The RGBA PNG encoding of ``rgba`` (see :func:`encode_png`).
    crs : str
        ``"EPSG:3857"`` or ``"EPSG:4326"``.
    transform : affine.Affine
        Pixel (column, row) to CRS coordinates of the pixel's corner.
    extent : (xmin, ymin, xmax, ymax)
        In CRS units.
    latlon_bounds : [[south, west], [north, east]]
        WGS 84 degrees, as ``ipyleaflet.ImageOverlay`` takes them.
    basis : Basis or None
        The resolved percent basis; None for an absolute ramp.
    property, unit : str or None
        What the pixels show.
    ramp : Ramp
        The ramp that was applied, with percents resolved to values.
    """

    rgba: NDArray[np.uint8]
    png: bytes
    crs: str
    transform: Affine
    extent: Extent
    latlon_bounds: list[list[float]]
    basis: Basis | None
    property: str | None
    unit: str | None
    ramp: Ramp

    @builtins.property
    def width(self) -> int:
        """Columns of pixels."""
        return int(self.rgba.shape[1])

    @builtins.property
    def height(self) -> int:
        """Rows of pixels."""
        return int(self.rgba.shape[0])

    def data_url(self) -> str:
        """Return the PNG as a ``data:image/png;base64,...`` URL."""
        return data_url(self.png)

    def _repr_png_(self) -> bytes:
        return self.png


def latlon_bounds(extent: Sequence[float], crs: str) -> list[list[float]]:
    """Return ``[[south, west], [north, east]]`` in degrees for an extent in a CRS.

    Latitudes are clamped to the Web Mercator limit ±85.0511287798066° and
    longitudes to ±180°, in either CRS, because web maps show nothing
    beyond that latitude; the result is always finite.

    NOTE: a web map stretches an overlay linearly in Web Mercator, so an
    EPSG:4326 image, whose rows are equal steps of latitude, lands a little
    off between its edges. The error grows with the image's height, and an
    EPSG:4326 image that reaches past the latitude limit is squeezed into
    the clamped bounds. Render in EPSG:3857 for map overlays.

    Examples
    --------
    >>> latlon_bounds((-20037508.342789244, -20037508.342789244,
    ...                20037508.342789244, 20037508.342789244), "EPSG:3857")
    [[-85.0511287798066, -180.0], [85.0511287798066, 180.0]]
    """
    xmin, ymin, xmax, ymax = (float(value) for value in extent)
    radius = 6378137.0
    geographic = normalize_projection(crs) == "EPSG:4326"

    def lat(y: float) -> float:
        degrees = y if geographic else math.degrees(math.atan(math.sinh(y / radius)))
        return max(-MERCATOR_LAT_LIMIT, min(MERCATOR_LAT_LIMIT, degrees))

    def lon(x: float) -> float:
        degrees = x if geographic else math.degrees(x / radius)
        return max(-180.0, min(180.0, degrees))

    return [[lat(ymin), lon(xmin)], [lat(ymax), lon(xmax)]]


def encode_png(rgba: NDArray[np.uint8]) -> bytes:
    """Encode an RGBA array as PNG bytes.

    The same array always gives the same bytes: Pillow writes no time stamp
    or other varying chunk, and the compression level is fixed.

    Raises
    ------
    GridError
        When the array is not ``(rows, columns, 4)`` uint8.
    """
    from PIL import Image

    array = np.asarray(rgba)
    if array.ndim != 3 or array.shape[2] != 4 or array.dtype != np.uint8:
        raise GridError(
            f"an RGBA image must be a (rows, columns, 4) uint8 array, got shape "
            f"{array.shape} and dtype {array.dtype}; pass the rgba of a Colorized result"
        )
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array), mode="RGBA").save(
        buffer, format="PNG", compress_level=6
    )
    return buffer.getvalue()


def data_url(png: bytes) -> str:
    """Return PNG bytes as a ``data:`` URL, for widgets that take a URL.

    Examples
    --------
    >>> data_url(b"png")
    'data:image/png;base64,cG5n'
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _grid_georeference(grid: xr.DataArray) -> tuple[str, Affine, Extent]:
    crs = grid.attrs.get("crs")
    transform = grid.attrs.get("transform")
    if crs is None or transform is None:
        raise GridError(
            "grid has no 'crs' or 'transform' attribute; build it with rampkit.grid.rasterize"
        )
    transform = Affine(*tuple(transform)[:6])
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise GridError(
            f"grid transform {tuple(transform)[:6]!r} is rotated or south-up; grids from "
            "rasterize run north to south with no rotation"
        )
    rows, columns = grid.shape
    xmin, ymax = transform.c, transform.f
    xmax = xmin + columns * transform.a
    ymin = ymax + rows * transform.e
    return normalize_projection(crs), transform, (xmin, ymin, xmax, ymax)


def render_grid(grid: xr.DataArray, ramp: Ramp, *, basis: BasisLike = None) -> RenderedImage:
    """Colorize a grid from :func:`rampkit.grid.rasterize` into a georeferenced image.

    Parameters
    ----------
    grid : xarray.DataArray
        With ``crs`` and ``transform`` attributes; NaN is no value.
    ramp : Ramp
        A relative ramp resolves its percents against ``basis``.
    basis : Basis, (vmin, vmax), "data" or None
        As in :func:`rampkit.colorize.colorize`; None is the grid's valid
        minimum and maximum.

    Returns
    -------
    RenderedImage
    """
    crs, transform, extent = _grid_georeference(grid)
    result = colorize(grid, ramp, basis=basis)
    rgba = result.rgba
    rgba.setflags(write=False)
    return RenderedImage(
        rgba=rgba,
        png=encode_png(rgba),
        crs=crs,
        transform=transform,
        extent=extent,
        latlon_bounds=latlon_bounds(extent, crs),
        basis=result.basis,
        property=grid.attrs.get("property", grid.name),
        unit=grid.attrs.get("unit"),
        ramp=result.ramp,
    )


# -- georeferencing files ---------------------------------------------------------


def _wkt(crs: str) -> str:
    # GDAL's own WKT 1 export, which keeps the axis order of EPSG:4326.
    from rasterio.crs import CRS

    return str(CRS.from_user_input(crs).to_wkt())


def aux_xml(image: RenderedImage) -> str:
    """Return the GDAL PAM sidecar (``.aux.xml``) text for an image.

    It holds the spatial reference as WKT and the six-number GDAL
    geotransform. The text is what GDAL (the version bundled with rasterio)
    writes for an RGBA PNG with the same georeferencing.
    """
    from xml.sax.saxutils import escape

    crs = normalize_projection(image.crs)
    t = image.transform
    numbers = (t.c, t.a, t.b, t.f, t.d, t.e)
    geotransform = ",".join(f"{value:24.16e}" for value in numbers)
    return (
        "<PAMDataset>\n"
        f'  <SRS dataAxisToSRSAxisMapping="{_axis_mapping(crs)}">'
        f"{escape(_wkt(crs))}</SRS>\n"
        f"  <GeoTransform>{geotransform}</GeoTransform>\n"
        '  <Metadata domain="IMAGE_STRUCTURE">\n'
        '    <MDI key="INTERLEAVE">PIXEL</MDI>\n'
        "  </Metadata>\n"
        "</PAMDataset>\n"
    )


def _axis_mapping(crs: str) -> str:
    # GDAL's PAM files record the traditional GIS order (x = east) for both CRSs.
    return "2,1" if crs == "EPSG:4326" else "1,2"


def world_file(image: RenderedImage) -> str:
    """Return the world file (``.pgw``) text: pixel size, rotation, upper-left centre."""
    t = image.transform
    centre_x = t.c + t.a / 2 + t.b / 2
    centre_y = t.f + t.d / 2 + t.e / 2
    return "".join(f"{value:.10f}\n" for value in (t.a, t.d, t.b, t.e, centre_x, centre_y))


# Name endings the writers accept, compared in lower case.
PNG_SUFFIXES = (".png",)
GEOTIFF_SUFFIXES = (".tif", ".tiff")


def check_output_path(path: str | os.PathLike[str], suffixes: Sequence[str]) -> Path:
    """Check that an output name has one of ``suffixes`` and that its folder exists.

    ``suffixes`` are lower case with the dot, such as ``(".png",)``; the
    name's ending is compared without regard to case.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FormatError
        When the name does not end in one of ``suffixes``.
    FileNotFoundError
        When the folder that would hold the file does not exist.
    NotADirectoryError
        When that folder's path names something other than a folder.
    """
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        endings = " or ".join(suffixes)
        example = (target.name.split(".", 1)[0] or "out") + suffixes[0]
        raise FormatError(
            f"output name {str(target)!r} does not end in {endings}; the file is written "
            f"as {'PNG' if suffixes == PNG_SUFFIXES else 'GeoTIFF'}, so give a name such "
            f"as {example!r}"
        )
    folder = target.parent
    if not folder.exists():
        raise FileNotFoundError(
            f"output folder {str(folder)!r} does not exist; create it first"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"output folder {str(folder)!r} is not a folder; give a path inside a folder"
        )
    return target


def _check_targets(paths: Sequence[Path], overwrite: bool) -> None:
    if overwrite:
        return
    for path in paths:
        if path.exists():
            raise exists_error(path)


def _write_atomically(writers: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write each file to a temporary name, then rename all into place."""
    done: list[tuple[Path, Path]] = []
    try:
        for target, write in writers:
            temporary = create_temporary(target)
            done.append((temporary, target))
            write(temporary)
        for temporary, target in done:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in done:
            temporary.unlink(missing_ok=True)
        raise


def _sidecar_paths(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + ".aux.xml"), path.with_suffix(".pgw")


def write_png(
    image: RenderedImage, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the PNG, its ``.png.aux.xml`` sidecar and its ``.pgw`` world file.

    Returns
    -------
    pathlib.Path
        The PNG's path.

    Raises
    ------
    FormatError
        When the name does not end in ``.png`` (in any case).
    FileNotFoundError
        When the folder for the files does not exist.
    ExportExistsError
        When one of the three files exists and ``overwrite`` is False.
    """
    target = check_output_path(path, PNG_SUFFIXES)
    aux_path, world_path = _sidecar_paths(target)
    _check_targets((target, aux_path, world_path), overwrite)
    _write_atomically([
        (target, lambda temporary: temporary.write_bytes(image.png)),
        (aux_path, lambda temporary: temporary.write_text(aux_xml(image), encoding="utf-8")),
        (world_path, lambda temporary: temporary.write_text(world_file(image), encoding="ascii")),
    ])
    logger.info("wrote %s with its .aux.xml and world file", target)
    return target


def _write_tiff(
    path: Path, array: NDArray[Any], crs: str, transform: Affine, **profile: Any
) -> None:
    import rasterio

    bands = array.shape[2] if array.ndim == 3 else 1
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=array.shape[1],
        height=array.shape[0],
        count=bands,
        dtype=array.dtype,
        crs=crs,
        transform=transform,
        compress="deflate",
        **profile,
    ) as dataset:
        if array.ndim == 3:
            dataset.write(np.moveaxis(array, 2, 0))
        else:
            dataset.write(array, 1)


def write_geotiff(
    image: RenderedImage, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the RGBA rendering as a four-band GeoTIFF with an alpha band.

    Raises
    ------
    FormatError
        When the name does not end in ``.tif`` or ``.tiff`` (in any case).
    FileNotFoundError
        When the folder for the file does not exist.
    ExportExistsError
        When the file exists and ``overwrite`` is False.
    """
    target = check_output_path(path, GEOTIFF_SUFFIXES)
    _check_targets((target,), overwrite)
    _write_atomically([
        (target, lambda temporary: _write_tiff(
            temporary, np.asarray(image.rgba), image.crs, image.transform, photometric="RGB",
            alpha="YES",
        )),
    ])
    logger.info("wrote %s", target)
    return target


def write_values_geotiff(
    grid: xr.DataArray, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the grid's float values as a one-band GeoTIFF with NaN as nodata.

    The band description is the property name and the unit goes into the
    band's ``unit`` tag, for GIS use.

    Raises
    ------
    FormatError
        When the name does not end in ``.tif`` or ``.tiff`` (in any case).
    FileNotFoundError
        When the folder for the file does not exist.
    ExportExistsError
        When the file exists and ``overwrite`` is False.
    """
    crs, transform, _ = _grid_georeference(grid)
    target = check_output_path(path, GEOTIFF_SUFFIXES)
    _check_targets((target,), overwrite)
    values = np.asarray(grid.values, dtype=np.float64)

    def write(temporary: Path) -> None:
        import rasterio

        _write_tiff(temporary, values, crs, transform, nodata=np.nan)
        with rasterio.open(temporary, "r+") as dataset:
            if grid.attrs.get("property"):
                dataset.set_band_description(1, str(grid.attrs["property"]))
            if grid.attrs.get("unit"):
                dataset.set_band_unit(1, str(grid.attrs["unit"]))

    _write_atomically([(target, write)])
    logger.info("wrote %s", target)
    return target
