"""The composed lab: pick an operation and a property, tune the ramp, watch the map.

:class:`Lab` wires the widgets of :mod:`rampkit.lab` together:

- the operation and property pickers and the resolution box load and grid
  the data (heavy: they run when a choice is made or the box loses focus);
- the :class:`~rampkit.lab.editor.RampEditor` sends every new ramp to the
  map, the histogram, the class statistics and the export panel (light: one
  recolor of the cached grid).

Operations come through the images API client. ``ImagesClient.default()``
starts the local images service with the bundled samples when no API URL or
token is configured, so the lab works offline.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets

from rampkit.colorize import BasisLike, _as_basis
from rampkit.errors import RampkitError
from rampkit.lab.basis import BasisPicker
from rampkit.lab.compare import RampComparison
from rampkit.lab.editor import RampEditor
from rampkit.lab.export import ExportPanel
from rampkit.lab.histogram import Histogram
from rampkit.lab.mapview import MapView
from rampkit.lab.stats import StatsTable
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

__all__ = ["Lab", "default_property"]

logger = logging.getLogger(__name__)

# The property shown first for each operation type, when the operation has it.
_PREFERRED = {
    "harvested": ("dryVolumePerArea", "dryMassPerArea", "wetVolumePerArea", "wetMassPerArea"),
    "planted": ("seedRate", "seedRateTarget"),
    "applied": ("appliedRate", "appliedRateTarget"),
    "tillage": ("tillageDepthActual",),
}
# The preset the lab starts with for each operation type; rates get the API's
# standard ramp, because rate_vs_target is meant for rate minus target.
_PRESET = {"harvested": "yield", "planted": "leaf_standard", "applied": "leaf_standard"}


def default_property(operation: Any) -> str:
    """Return the property to show first: the catalog's choice, else a typical one.

    Parameters
    ----------
    operation : rampkit.operations.Operation

    Raises
    ------
    RampkitError
        If the operation has no numeric property.
    """
    numeric = operation.numeric_properties()
    if not numeric:
        raise RampkitError(
            f"operation {operation.id!r} has no numeric property to map; "
            "pick another operation"
        )
    chosen = operation.metadata.get("property")
    if chosen in numeric:
        return str(chosen)
    for name in _PREFERRED.get(operation.operation_type, ()):
        if name in numeric:
            return name
    return str(numeric[0])



def _with_unit(unit: str) -> str:
    """Return ``" unit"`` for a message, or "" when the unit is unknown."""
    return f" {unit}" if unit else ""

class Lab(widgets.VBox):
    """The ramp lab: operation and property pickers, editor, map, histogram, stats, export.

    Parameters
    ----------
    operation : str, optional
        The id of the operation to open; by default the first the API lists.
    property : str, optional
        The property to paint; by default :func:`default_property`.
    client : ImagesClient, optional
        By default ``ImagesClient.default()``, which starts the local service
        when no API is configured.
    ramp : Ramp or str, optional
        The starting ramp; by default a preset that fits the operation type.
    resolution : float, default 5.0
        Pixel size in CRS units (metres for EPSG:3857).
    projection : str, default "EPSG:3857"
    shape : {"ROUND", "SQUARE"}, default "ROUND"
    clean : bool, default True
        Apply the images API's default cleanup rules before gridding, as the
        API does, so the map and the API's image agree.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against; None means the grid's min and max.
    basemap : optional
        A tile basemap for browsers that can reach tiles; none by default.

    Examples
    --------
    Headless, as in the tests::

        lab = Lab("field-1-2018-harvest-winter-wheat")
        before = lab.map_view.overlay.url
        lab.editor.rows[2].slider.value = 40.0
        assert lab.map_view.overlay.url != before
    """

    ramp = traitlets.Instance(Ramp, help="The ramp in the editor, shown by every view.")

    def __init__(
        self,
        operation: str | None = None,
        property: str | None = None,
        *,
        client: Any = None,
        ramp: Ramp | str | None = None,
        resolution: float = 5.0,
        projection: str = "EPSG:3857",
        shape: str = "ROUND",
        clean: bool = True,
        basis: BasisLike = None,
        basemap: Any = None,
    ) -> None:
        owns_client = client is None
        if client is None:
            from rampkit.api.client import ImagesClient

            client = ImagesClient.default()
        self.client = client
        try:
            self._build(
                operation, property, ramp=ramp, resolution=resolution,
                projection=projection, shape=shape, clean=clean, basis=basis, basemap=basemap,
            )
        except BaseException:
            # A lab that failed to open is never used, so the connections of a
            # client it made itself are closed here. A caller's client stays open.
            if owns_client:
                client.close()
            raise

    def _build(
        self,
        operation: str | None,
        property: str | None,
        *,
        ramp: Ramp | str | None,
        resolution: float,
        projection: str,
        shape: str,
        clean: bool,
        basis: BasisLike,
        basemap: Any,
    ) -> None:
        client = self.client
        self.projection = projection
        self.shape = shape
        self._basis = basis
        self._operations: dict[Any, Any] = {}
        self._selecting = False

        records = list(client.list_operations(size=100))
        if not records:
            raise RampkitError(
                f"the images API at {client.base_url} lists no operations; "
                "upload one or start the local service with its samples"
            )
        labels = [(f"{r['id']} ({r.get('type', '?')})", r["id"]) for r in records]
        ids = [r["id"] for r in records]
        operation = ids[0] if operation is None else operation
        if operation not in ids:
            raise RampkitError(
                f"operation {operation!r} is not listed by the images API at "
                f"{client.base_url}; known operations: {', '.join(ids)}"
            )
        self.operation = self._load(operation)
        property = default_property(self.operation) if property is None else (
            self.operation.resolve_property(property)
        )
        if ramp is None:
            ramp = _PRESET.get(self.operation.operation_type, "yield")
        start = get_ramp(ramp) if isinstance(ramp, str) else ramp

        self.operation_picker = widgets.Dropdown(
            options=labels, value=operation, description="operation",
            layout=widgets.Layout(width="420px"),
        )
        self.property_picker = widgets.Dropdown(
            options=self._property_options(), value=property, description="property",
            layout=widgets.Layout(width="360px"),
        )
        self.resolution = widgets.BoundedFloatText(
            value=resolution, min=1e-9, max=1e9, description="resolution",
            continuous_update=False, layout=widgets.Layout(width="200px"),
        )
        self.clean = widgets.Checkbox(
            value=clean, description="clean", indent=False,
            tooltip="drop points by the images API's default cleanup rules",
        )
        self.status = widgets.HTML()

        self.grid = self._rasterize(property, resolution)
        unit = self.unit
        values = self.grid.values
        self.map_view = MapView(
            self.grid, start, basis=basis, unit=unit, title=property, basemap=basemap
        )
        self.editor = RampEditor(start, values=values, unit=unit, basis=self._basis_range())
        self.basis_picker = BasisPicker(
            _as_basis(basis), data_range=self._data_range(), unit=unit
        )
        # The property and unit a fixed range was set for: a range in bu/ac
        # means nothing for elevation in ft.
        self._basis_for = (property, unit)
        self.basis_picker.show_resolved(self.map_view.resolved_basis)
        self.histogram = Histogram(values, start, basis=basis, unit=unit)
        self.stats = StatsTable(values, start, basis=basis, unit=unit)
        self.export = ExportPanel(
            start, client=client, operation_id=operation, property=property,
            resolution=resolution, projection=projection,
            basis=self.map_view.resolved_basis, local_png=self.map_view.png,
        )

        # The comparison map is built when its tab is first opened, so the
        # lab does not paint the grid twice more on every start.
        self.comparison: RampComparison | None = None
        self._comparison_link: Any = None
        self.comparison_box = widgets.VBox()
        self.tabs = widgets.Tab(children=[
            widgets.VBox([self.basis_picker, self.editor]), self.export, self.comparison_box,
        ])
        for index, title in enumerate(("ramp", "export", "compare")):
            self.tabs.set_title(index, title)

        super().__init__(ramp=start)
        self.add_class("rampkit-lab")
        self.children = (
            widgets.HBox([self.operation_picker, self.property_picker, self.resolution,
                          self.clean]),
            self.status,
            widgets.HBox([
                widgets.VBox([self.map_view, self.histogram, self.stats],
                             layout=widgets.Layout(width="55%")),
                widgets.VBox([self.tabs], layout=widgets.Layout(width="45%")),
            ]),
        )

        # The editor owns the ramp; everything else follows it.
        traitlets.link((self.editor, "ramp"), (self, "ramp"))
        for view in (self.map_view, self.histogram, self.stats, self.export):
            traitlets.dlink((self, "ramp"), (view, "ramp"))
        self.map_view.observe(self._on_repaint, names="resolved_basis")
        self.basis_picker.observe(self._on_basis_picked, names="basis")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.observe(self._on_ramp, names="ramp")
        self.operation_picker.observe(self._on_operation, names="value")
        self.property_picker.observe(self._on_property, names="value")
        self.resolution.observe(self._on_resolution, names="value")
        self.clean.observe(self._on_resolution, names="value")
        self._say(f"{len(self.operation)} points, grid {self.grid.shape[1]} x "
                  f"{self.grid.shape[0]} px")

    # -- data (the heavy steps) -------------------------------------------------

    @property
    def property_name(self) -> str:
        """The property being painted."""
        return str(self.property_picker.value)

    @property
    def unit(self) -> str:
        """The unit of the property being painted, or ""."""
        return str(self.operation.units.get(self.property_name, ""))

    def _load(self, operation_id: str) -> Any:
        if operation_id not in self._operations:
            logger.info("loading operation %s", operation_id)
            self._operations[operation_id] = self.client.load_operation(operation_id)
        return self._operations[operation_id]

    def _property_options(self) -> list[tuple[str, str]]:
        options = []
        for name in self.operation.numeric_properties():
            unit = self.operation.units.get(name)
            options.append((f"{name} ({unit})" if unit else name, name))
        return options

    def _rasterize(self, property: str, resolution: float) -> Any:
        from rampkit.grid import rasterize
        from rampkit.operations import clean_operation

        operation = self.operation
        if self.clean.value:
            # The images API cleans with the default rules before gridding; the
            # lab does the same so its map and the API's image agree.
            key = (operation.id, "clean")
            if key not in self._operations:
                self._operations[key] = clean_operation(operation).operation
            operation = self._operations[key]
        return rasterize(
            operation, property, resolution=resolution, projection=self.projection,
            shape=self.shape,
        )

    def _data_range(self) -> tuple[float, float] | None:
        """Return the valid minimum and maximum of the grid, or None when it is empty."""
        values = np.asarray(self.grid.values)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return None
        return (float(finite.min()), float(finite.max()))

    def _basis_range(self) -> tuple[float, float] | None:
        basis = self.map_view.resolved_basis
        if basis is None or basis.vmin is None or basis.vmax is None:
            return None
        return (basis.vmin, basis.vmax)

    def _regrid(self) -> None:
        grid = self._rasterize(self.property_name, float(self.resolution.value))
        self.grid = grid
        unit = self.unit
        self.map_view.set_grid(grid, unit=unit, title=self.property_name)
        self.histogram.unit = unit
        self.histogram.set_values(grid.values)
        self.stats.unit = unit
        self.stats.set_values(grid.values)
        self.editor.unit = unit
        self.editor.set_values(grid.values, basis=self._basis_range())
        self.basis_picker.set_data_range(self._data_range(), unit)
        self.export.operation_id = self.operation.id
        self.export.property = self.property_name
        self.export.resolution = float(self.resolution.value)
        notice = self._check_fixed_basis()
        if self.comparison is not None:
            self.show_comparison(rebuild=True)
        self._say(f"{len(self.operation)} points, grid {grid.shape[1]} x {grid.shape[0]} px"
                  + (f"; {notice}" if notice else ""))

    def _check_fixed_basis(self) -> str:
        """Fit a fixed range to a new grid; return a note for the status line, or "".

        A fixed range stays for the same property and unit, which is how two
        fields or years share a legend. For another property it goes back to
        the data range, since its values would all fall outside.
        """
        basis = _as_basis(self._basis)
        vmin, vmax = basis.vmin, basis.vmax
        if basis.kind != "fixed" or vmin is None or vmax is None:
            return ""
        old_property, old_unit = self._basis_for
        if (self.property_name, self.unit) != self._basis_for:
            self.basis = None
            return (
                f"the fixed range {vmin:g} to {vmax:g}{_with_unit(old_unit)} was set for "
                f"{old_property}, so percents now span the data range of {self.property_name}"
            )
        data_range = self._data_range()
        if data_range is None or vmin <= data_range[1] and data_range[0] <= vmax:
            return ""
        side = "above" if data_range[0] > vmax else "below"
        return (
            f"every value lies {side} the fixed range {vmin:g} to {vmax:g}"
            f"{_with_unit(self.unit)}, so the map has one color; pick the data range or "
            "another range"
        )

    def _guarded(self, action: Any) -> None:
        try:
            action()
        except RampkitError as exc:
            logger.info("lab update failed: %s", exc)
            self._say(str(exc), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        css = "rampkit-error" if error else "rampkit-status"
        self.status.value = f"<span class='{css}'>{html.escape(text)}</span>"

    def select(self, operation: str | None = None, property: str | None = None) -> None:
        """Show another operation and/or property, as the pickers do.

        Raises
        ------
        RampkitError
            If the operation cannot be loaded or gridded.
        """
        if operation is not None and operation != self.operation.id:
            self.operation = self._load(operation)
            self._selecting = True
            try:
                self.property_picker.options = self._property_options()
                self.property_picker.value = (
                    default_property(self.operation) if property is None
                    else self.operation.resolve_property(property)
                )
                self.operation_picker.value = operation
            finally:
                self._selecting = False
        elif property is not None:
            self.property_picker.value = self.operation.resolve_property(property)
        self._regrid()

    def _on_operation(self, change: dict[str, Any]) -> None:
        if change["new"] != self.operation.id:
            self._guarded(lambda: self.select(operation=change["new"]))

    def _on_property(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and not self._selecting:
            self._guarded(self._regrid)

    def _on_resolution(self, change: dict[str, Any]) -> None:
        self._guarded(self._regrid)

    def show_comparison(self, right: Ramp | str = "yield_colorblind", *,
                        rebuild: bool = False) -> RampComparison:
        """Build (once) and return the split map: the lab's ramp left, ``right`` right.

        The left side follows the editor. Opening the *compare* tab calls this.

        Parameters
        ----------
        right : Ramp or str, default "yield_colorblind"
            The ramp to compare with, or a preset name.
        rebuild : bool, default False
            Build it again, for a new grid; the right ramp is kept.
        """
        if self.comparison is not None and not rebuild:
            return self.comparison
        if self.comparison is not None:
            right = self.comparison.right
            self._comparison_link.unlink()
        self.comparison = RampComparison(self.grid, self.ramp, right, basis=self._basis)
        self._comparison_link = traitlets.dlink((self, "ramp"), (self.comparison, "left"))
        self.comparison_box.children = (self.comparison,)
        return self.comparison

    def _on_tab(self, change: dict[str, Any]) -> None:
        if change["new"] == 2:
            self._guarded(self.show_comparison)

    # -- the live path ----------------------------------------------------------

    def _on_ramp(self, change: dict[str, Any]) -> None:
        self.export.local_image.value = self.map_view.png

    def _on_repaint(self, change: dict[str, Any]) -> None:
        self.export.basis = change["new"]
        self.basis_picker.show_resolved(change["new"])

    def _on_basis_picked(self, change: dict[str, Any]) -> None:
        if change["new"] != _as_basis(self._basis):
            self.basis = change["new"]

    @property
    def basis(self) -> BasisLike:
        """What percents resolve against, for the map, histogram and statistics."""
        return self._basis

    @basis.setter
    def basis(self, basis: BasisLike) -> None:
        picked = _as_basis(basis)
        self._basis = basis
        if picked.kind == "fixed":
            self._basis_for = (self.property_name, self.unit)
        if self.basis_picker.basis != picked:
            self.basis_picker.set_basis(picked)
        self.map_view.basis = basis
        self.histogram.basis = basis
        self.stats.basis = basis
        self.editor.set_values(self.grid.values, basis=self._basis_range())
        if self.comparison is not None:
            self.comparison.basis = basis
