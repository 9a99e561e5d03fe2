"""The map view: a rendered grid as an ipyleaflet image overlay with a legend.

:class:`MapView` keeps the grid's values in memory, so a new ramp costs one
:func:`~rampkit.colorize.colorize` call, one PNG encoding and one data URL;
nothing is regridded. The overlay's ``url`` is a ``data:image/png`` URL, so
the map needs no file server and works in Voilà and on Binder.

The map has no basemap unless one is given: a tile layer cannot load
offline, in tests or behind a firewall, and an empty grey background shows
the overlay as well. Pass ``basemap=ipyleaflet.basemaps.OpenStreetMap.Mapnik``
(or any tile layer) when the browser can reach the tiles.

ImageOverlay stretches the PNG linearly between its south-west and
north-east corners in the map's Web Mercator projection, so EPSG:3857 grids
line up pixel for pixel.

The map is fitted to the grid in Python (:func:`fit_view`): its center and
zoom are computed from the grid's bounds and the map's CSS height, so the
fit does not depend on when the browser gives the map a size. ipyleaflet
0.20's ``Map.fit_bounds`` instead changes the zoom step by step from the
bounds the browser reports back, so its result depends on that timing, and
in Voilà it could leave the map zoomed far out.
"""

from __future__ import annotations

import logging
import math
import re
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ipyleaflet
import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import NDArray

from rampkit.colorize import Basis, BasisLike, Colorized, colorize, resolve_basis
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

__all__ = ["GridPainter", "MapView", "encode_png_fast", "fit_view", "legend_for"]

logger = logging.getLogger(__name__)

# Images of at least this many bytes are deflated in two threads; zlib
# releases the GIL, so the halves compress at the same time.
_PARALLEL_BYTES = 1 << 21


# Leaflet draws Web Mercator tiles of 256 CSS pixels, so at zoom z the world is
# 256 * 2**z pixels wide and tall.
_TILE_PIXELS = 256
# Leaflet's Web Mercator stops at this latitude, where the world is square.
_MAX_LATITUDE = 85.0511287798
# The zoom of a grid too small to measure, and the highest zoom a fit picks.
_MAX_FIT_ZOOM = 22
# The map height a fit assumes when the CSS height is not in pixels ("50vh").
_DEFAULT_MAP_PIXELS = 400
# The share of the map's height (and assumed width) the grid may fill.
_FIT_SHARE = 0.9


def _mercator_y(latitude: float) -> float:
    """Return a latitude's Web Mercator y as a share of the world's height, 0 at the top."""
    latitude = min(max(latitude, -_MAX_LATITUDE), _MAX_LATITUDE)
    sine = math.sin(math.radians(latitude))
    return 0.5 - math.log((1.0 + sine) / (1.0 - sine)) / (4.0 * math.pi)


def _css_pixels(height: str | None) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)px\s*", height or "")
    return float(match.group(1)) if match else float(_DEFAULT_MAP_PIXELS)


def fit_view(
    bounds: tuple[tuple[float, float], tuple[float, float]],
    height: str | None = "420px",
    *,
    max_zoom: float | None = None,
) -> tuple[tuple[float, float], int]:
    """Return the center and whole zoom that show ``bounds`` in a map of CSS ``height``.

    The zoom is the largest at which the bounds fill at most 90 % of the
    map's height and of its width.

    Parameters
    ----------
    bounds : ((float, float), (float, float))
        The ((south, west), (north, east)) corners in degrees.
    height : str, default "420px"
        The map's CSS height. A height in other units counts as 400 px.
    max_zoom : float, optional
        The map's maximum zoom; 22 when not given.

    Returns
    -------
    ((float, float), int)
        The (latitude, longitude) center and the zoom.

    Examples
    --------
    A field about 1.1 km square fills a 420 px map at zoom 15:

    >>> center, zoom = fit_view(((45.0, -93.01), (45.01, -93.0)))
    >>> zoom
    15
    """
    (south, west), (north, east) = bounds
    # NOTE: the kernel never learns the map's width. The fit assumes a map at
    # least as wide as it is tall, so a narrower map crops a wide grid.
    pixels = _FIT_SHARE * _css_pixels(height)
    zoom = float(_MAX_FIT_ZOOM if max_zoom is None else max_zoom)
    spans = (abs(_mercator_y(south) - _mercator_y(north)), abs(east - west) / 360.0)
    for span in spans:
        if span > 0.0:
            zoom = min(zoom, math.log2(pixels / (_TILE_PIXELS * span)))
    center = ((south + north) / 2.0, (west + east) / 2.0)
    return center, max(math.floor(zoom), 0)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _deflate_part(part: memoryview, last: bool) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    # A full flush ends the part on a byte boundary with an empty stored
    # block, so raw deflate parts concatenate into one valid stream.
    mode = zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
    return compressor.compress(part) + compressor.flush(mode)


def encode_png_fast(rgba: NDArray[np.uint8]) -> bytes:
    """Encode an RGBA array as PNG for the live map.

    :func:`rampkit.image.encode_png` uses zlib level 6 and Pillow's row
    filters, which took 150-250 ms on a 1000 x 1000 grid on a 2-core machine
    (``benchmarks/bench_lab.py``). The live path re-encodes on every slider
    step, so this writer uses no row filter and zlib level 1, and deflates
    large images in two threads. The size depends on the image: on that grid
    the result was smaller than ``encode_png``'s, on noisy images it is larger.
    Both decode to the same pixels.

    Parameters
    ----------
    rgba : ndarray of uint8, shape (rows, columns, 4)

    Returns
    -------
    bytes
        A PNG file.
    """
    height, width, _ = rgba.shape
    raw = np.empty((height, width * 4 + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" on every row
    raw[:, 1:] = rgba.reshape(height, width * 4)
    data = raw.reshape(-1).data
    if data.nbytes >= _PARALLEL_BYTES:
        half = data.nbytes // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(pool.map(_deflate_part, (data[:half], data[half:]), (False, True)))
        body = b"".join(parts)
    else:
        body = _deflate_part(data, True)
    # zlib wrapper: header for deflate with a 32 KiB window and fastest
    # compression, then the Adler-32 of the uncompressed bytes.
    stream = b"\x78\x01" + body + struct.pack(">I", zlib.adler32(data))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", stream)
        + _png_chunk(b"IEND", b"")
    )


def _classed_legend(ramp: Ramp, basis: Basis | None, unit: str, title: str) -> Any:
    """Return the class legend of a discrete ramp, or None when its stops repeat."""
    from rampkit.classify import Classification
    from rampkit.errors import ClassificationError
    from rampkit.legend import classed_legend

    absolute = ramp
    if ramp.relative:
        if basis is None or not basis.resolved:
            return None
        absolute = ramp.resolve(float(basis.vmin or 0.0), float(basis.vmax or 0.0))
    uppers = list(absolute.positions)
    # The lowest class is open below: its label starts at the data minimum.
    low = uppers[0] if basis is None or basis.vmin is None else min(basis.vmin, uppers[0])
    k = len(uppers)
    try:
        # Only the edges matter for the labels; the counts are not shown.
        classification = Classification(
            scheme="manual", k=k, edges=(low, *uppers), counts=(0,) * k, k_requested=k
        )
    except ClassificationError:
        return None
    return classed_legend(classification, absolute, unit=unit, title=title)


def legend_for(ramp: Ramp, basis: Basis | None, *, unit: str = "", title: str = "") -> Any:
    """Return the legend the map shows for a ramp and the basis it resolved against.

    A discrete ramp gets one entry per class; other modes, and discrete
    ramps with repeated stop positions, get ticks along the gradient.

    Returns
    -------
    ClassedLegend or ContinuousLegend
    """
    from rampkit.legend import continuous_legend

    if ramp.mode == "discrete":
        legend = _classed_legend(ramp, basis, unit, title)
        if legend is not None:
            return legend
    resolved = None
    if basis is not None and basis.resolved:
        resolved = (float(basis.vmin or 0.0), float(basis.vmax or 0.0))
    return continuous_legend(ramp, resolved, unit=unit, title=title)


class GridPainter:
    """The grid's values kept in memory, painted with any ramp on demand.

    Parameters
    ----------
    grid : xarray.DataArray
        A grid from :func:`rampkit.grid.rasterize`.

    Attributes
    ----------
    values : ndarray
        The grid's values, rows from north to south.
    nodata : float or None
        The grid's declared nodata value.
    latlon_bounds : ((float, float), (float, float))
        The ((south, west), (north, east)) corners in degrees.
    """

    def __init__(self, grid: Any) -> None:
        from rampkit.image import render_grid

        self.grid = grid
        self.values: NDArray[Any] = np.asarray(getattr(grid, "values", grid))
        self.nodata = _grid_nodata(grid)
        self._bases: dict[Any, Basis] = {}
        # One full render gives the bounds; later paints only recolor.
        probe = render_grid(grid, get_ramp("yield"))
        self.latlon_bounds = _as_bounds(probe.latlon_bounds)

    def resolve(self, basis: BasisLike = None) -> Basis:
        """Return the basis resolved against the grid, computed once per basis."""
        try:
            return self._bases[basis]
        except KeyError:
            resolved = resolve_basis(self.values, basis, nodata=self.nodata)
            self._bases[basis] = resolved
            return resolved
        except TypeError:  # an unhashable spec such as a list
            return resolve_basis(self.values, basis, nodata=self.nodata)

    def paint(self, ramp: Ramp, basis: BasisLike = None) -> tuple[Colorized, bytes]:
        """Return the colorized grid and its PNG for a ramp.

        The basis is resolved once per grid and passed on resolved, so a
        repaint does not scan the grid for its minimum and maximum again.
        """
        resolved = self.resolve(basis) if ramp.relative else None
        colorized = colorize(self.values, ramp, basis=resolved, nodata=self.nodata)
        return colorized, encode_png_fast(colorized.rgba)


def _grid_nodata(grid: Any) -> float | None:
    attrs = getattr(grid, "attrs", {})
    for key in ("nodata", "_FillValue"):
        value = attrs.get(key)
        # A NaN nodata adds nothing: NaN is always "no value" in colorize.
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            return float(value)
    return None


def _as_bounds(bounds: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    if isinstance(bounds, dict):
        return (
            (float(bounds["south"]), float(bounds["west"])),
            (float(bounds["north"]), float(bounds["east"])),
        )
    (south, west), (north, east) = bounds
    return (float(south), float(west)), (float(north), float(east))


class MapView(widgets.VBox):
    """An ipyleaflet map of a grid painted with a ramp, with legend and value readout.

    Parameters
    ----------
    grid : xarray.DataArray
        A grid from :func:`rampkit.grid.rasterize`: values with NaN where no
        point reached, its CRS and coordinates.
    ramp : Ramp or str, default "yield"
        The ramp, or a preset name.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against; None means the grid's min and max.
    unit : str, default ""
        The values' unit, for the legend and the readout.
    title : str, default ""
        The legend's heading, such as the property name; the unit follows it.
    basemap : dict, TileProvider or TileLayer, optional
        A basemap for browsers that can reach tiles; none by default.
    height : str, default "420px"
        The map's CSS height.

    Attributes
    ----------
    map : ipyleaflet.Map
    overlay : ipyleaflet.ImageOverlay
    legend : ipyleaflet.LegendControl
    legend_data : ClassedLegend or ContinuousLegend
        The legend shown, from :func:`legend_for`.
    readout : ipywidgets.HTML
        The value under the last click.
    colorized : Colorized
        The last result of :func:`rampkit.colorize.colorize`.
    png : bytes
        The PNG the overlay shows.
    """

    ramp = traitlets.Instance(Ramp, help="The ramp that paints the grid.")
    opacity = traitlets.Float(1.0, min=0.0, max=1.0, help="Overlay opacity, 0-1.")
    resolved_basis = traitlets.Instance(
        Basis, allow_none=True, help="The range percents resolved against in the last paint."
    )

    def __init__(
        self,
        grid: Any,
        ramp: Ramp | str = "yield",
        *,
        basis: BasisLike = None,
        unit: str = "",
        title: str = "",
        basemap: Any = None,
        height: str = "420px",
    ) -> None:
        self.unit = unit
        self.title = title
        self._basis: BasisLike = basis
        self.png = b""
        self.colorized: Colorized | None = None

        if basemap is None:
            # layers=() keeps ipyleaflet from adding its default tile layer.
            self.map = ipyleaflet.Map(
                layers=(),
                center=(0.0, 0.0),
                zoom=2,
                attribution_control=False,
                scroll_wheel_zoom=True,
                layout=widgets.Layout(height=height),
            )
        else:
            self.map = ipyleaflet.Map(
                basemap=basemap, center=(0.0, 0.0), zoom=2, scroll_wheel_zoom=True,
                layout=widgets.Layout(height=height),
            )
        self.overlay = ipyleaflet.ImageOverlay(name="rampkit", url="", opacity=1.0)
        self.legend = ipyleaflet.LegendControl({}, title=unit, position="bottomright")
        self.readout = widgets.HTML("click the map for a value")
        self.readout.add_class("rampkit-readout")
        self.map.add(self.overlay)
        self.map.add(self.legend)
        self.map.add(ipyleaflet.WidgetControl(widget=self.readout, position="topright"))
        self.map.on_interaction(self._on_interaction)
        self.opacity_slider = widgets.FloatSlider(
            value=1.0, min=0.0, max=1.0, step=0.05, description="opacity"
        )
        # Python-side links, so the overlay follows the slider headless too.
        traitlets.link((self.opacity_slider, "value"), (self, "opacity"))
        traitlets.dlink((self, "opacity"), (self.overlay, "opacity"))

        start = get_ramp(ramp) if isinstance(ramp, str) else ramp
        super().__init__([self.map, self.opacity_slider], ramp=start)
        self.add_class("rampkit-map")
        self.set_grid(grid)
        self.observe(self._on_ramp_change, names="ramp")

    # -- data --------------------------------------------------------------

    @property
    def grid(self) -> Any:
        """The grid being shown."""
        return self._grid

    @property
    def values(self) -> NDArray[Any]:
        """The grid's values as a numpy array (rows from north to south)."""
        return self._values

    @property
    def basis(self) -> BasisLike:
        """The basis given for percents: None, a Basis or a (vmin, vmax) pair."""
        return self._basis

    @basis.setter
    def basis(self, basis: BasisLike) -> None:
        self._basis = basis
        self.repaint()

    @property
    def latlon_bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The overlay's ((south, west), (north, east)) corners in degrees."""
        return self._bounds

    def set_grid(
        self, grid: Any, *, unit: str | None = None, title: str | None = None, fit: bool = True
    ) -> None:
        """Show another grid; a heavy step that also recenters the map.

        Parameters
        ----------
        grid : xarray.DataArray
            The new grid.
        unit, title : str, optional
            Its unit and the legend's heading; unchanged when omitted.
        fit : bool, default True
            Fit the map to the grid's bounds.
        """
        if unit is not None:
            self.unit = unit
        if title is not None:
            self.title = title
        self.painter = GridPainter(grid)
        self._grid = grid
        self._values = self.painter.values
        self._nodata = self.painter.nodata
        (south, west), (north, east) = self._bounds = self.painter.latlon_bounds
        self._setup_readout(grid)
        self.overlay.bounds = ((south, west), (north, east))
        self.repaint()
        if fit:
            self.fit()

    def fit(self) -> None:
        """Center the map on the grid at the largest zoom that shows all of it."""
        center, zoom = fit_view(
            self._bounds, self.map.layout.height, max_zoom=self.map.max_zoom
        )
        self.map.center = center
        self.map.zoom = zoom

    # -- painting (the live path) ----------------------------------------------

    def repaint(self) -> None:
        """Recolor the cached grid with the current ramp and update overlay and legend."""
        colorized, png = self.painter.paint(self.ramp, self._basis)
        self._show(colorized.rgba, png, colorized=colorized, basis=colorized.basis)

    def _show(
        self, rgba: NDArray[np.uint8], png: bytes, *, colorized: Colorized | None,
        basis: Basis | None,
    ) -> None:
        from rampkit.image import data_url

        self.rgba = rgba
        self.png = png
        self.colorized = colorized
        self.overlay.url = data_url(png)
        self.resolved_basis = basis
        legend = legend_for(self.ramp, basis, unit=self.unit, title=self.title)
        self.legend_data = legend
        self.legend.title = legend.title or "legend"
        self.legend.legend = legend.to_leaflet()

    def _on_ramp_change(self, change: dict[str, Any]) -> None:
        self.repaint()

    # -- value readout ---------------------------------------------------------

    def _setup_readout(self, grid: Any) -> None:
        from pyproj import CRS, Transformer

        crs = None
        for holder in (getattr(grid, "attrs", {}), getattr(grid, "coords", {})):
            if "crs" in holder:
                crs = holder["crs"]
                break
        if crs is not None and not isinstance(crs, str):
            crs = getattr(crs, "values", crs)
            crs = crs.item() if hasattr(crs, "item") else crs
        self._transformer = (
            Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(crs), always_xy=True)
            if crs is not None
            else None
        )
        self._x = np.asarray(grid["x"].values) if "x" in getattr(grid, "coords", {}) else None
        self._y = np.asarray(grid["y"].values) if "y" in getattr(grid, "coords", {}) else None

    def value_at(self, lat: float, lon: float) -> float | None:
        """Return the grid value at a point, or None outside the grid or where it has none.

        Parameters
        ----------
        lat, lon : float
            The point in degrees (WGS 84).
        """
        if self._x is None or self._y is None or self._transformer is None:
            return None
        x, y = self._transformer.transform(lon, lat)
        column = self._nearest(self._x, x)
        row = self._nearest(self._y, y)
        if column is None or row is None:
            return None
        value = float(self._values[row, column])
        if not math.isfinite(value) or (self._nodata is not None and value == self._nodata):
            return None
        return value

    @staticmethod
    def _nearest(centres: NDArray[Any], coordinate: float) -> int | None:
        if centres.size == 0:
            return None
        index = int(np.argmin(np.abs(centres - coordinate)))
        half = abs(float(centres[1] - centres[0])) / 2.0 if centres.size > 1 else math.inf
        if abs(float(centres[index]) - coordinate) > half:
            return None
        return index

    def _on_interaction(self, **event: Any) -> None:
        if event.get("type") != "click":
            return
        lat, lon = event["coordinates"]
        self.show_value(lat, lon)

    def show_value(self, lat: float, lon: float) -> float | None:
        """Show the value at a point in the readout, as a click there does, and return it."""
        value = self.value_at(lat, lon)
        where = f"{lat:.5f}, {lon:.5f}"
        if value is None:
            self.readout.value = f"no value at {where}"
        else:
            unit = f" {self.unit}" if self.unit else ""
            self.readout.value = f"<b>{value:.4g}{unit}</b> at {where}"
        return value
