"""Two ramps on the same grid, side by side under a split-map slider.

:class:`RampComparison` paints one grid twice and puts the images on the two
sides of an ipyleaflet ``SplitMapControl``: drag the divider to compare the
ramps over the same pixels. Both sides share the grid's cached values, so a
new ramp on either side costs one recolor and one PNG encoding.
"""

from __future__ import annotations

from typing import Any

import ipyleaflet
import ipywidgets as widgets
import traitlets

from rampkit.colorize import Basis, BasisLike
from rampkit.image import data_url
from rampkit.lab.mapview import GridPainter, fit_view
from rampkit.presets import get_ramp, registry
from rampkit.ramp import Ramp

__all__ = ["RampComparison"]


class RampComparison(widgets.VBox):
    """A split map: one ramp left of the divider, another right of it.

    Parameters
    ----------
    grid : xarray.DataArray
        A grid from :func:`rampkit.grid.rasterize`.
    left, right : Ramp or str
        The two ramps, or preset names.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against, the same on both sides.
    basemap : dict, TileProvider or TileLayer, optional
        A basemap for browsers that can reach tiles; none by default.
    height : str, default "420px"
        The map's CSS height.

    Attributes
    ----------
    map : ipyleaflet.Map
    left_overlay, right_overlay : ipyleaflet.ImageOverlay
    split : ipyleaflet.SplitMapControl
    left_png, right_png : bytes
        The PNGs each side shows.
    """

    left = traitlets.Instance(Ramp, help="The ramp left of the divider.")
    right = traitlets.Instance(Ramp, help="The ramp right of the divider.")

    def __init__(
        self,
        grid: Any,
        left: Ramp | str = "yield",
        right: Ramp | str = "yield_colorblind",
        *,
        basis: BasisLike = None,
        basemap: Any = None,
        height: str = "420px",
    ) -> None:
        self.painter = GridPainter(grid)
        self._basis: BasisLike = basis
        bounds = self.painter.latlon_bounds
        # The comparison opens in a tab, where the map has no size until shown,
        # so the view is computed here rather than fitted in the browser.
        center, zoom = fit_view(bounds, height)
        options: dict[str, Any] = {
            "center": center, "zoom": zoom, "layout": widgets.Layout(height=height)
        }
        if basemap is None:
            self.map = ipyleaflet.Map(layers=(), attribution_control=False, **options)
        else:
            self.map = ipyleaflet.Map(basemap=basemap, **options)
        self.left_overlay = ipyleaflet.ImageOverlay(name="left", url="", bounds=bounds)
        self.right_overlay = ipyleaflet.ImageOverlay(name="right", url="", bounds=bounds)
        self.split = ipyleaflet.SplitMapControl(
            left_layer=self.left_overlay, right_layer=self.right_overlay
        )
        self.map.add(self.split)

        names = ["(custom)", *sorted(registry())]
        self.left_preset = widgets.Dropdown(options=names, description="left")
        self.right_preset = widgets.Dropdown(options=names, description="right")
        self.left_preset.observe(lambda c: self._pick("left", c["new"]), names="value")
        self.right_preset.observe(lambda c: self._pick("right", c["new"]), names="value")

        left_ramp = get_ramp(left) if isinstance(left, str) else left
        right_ramp = get_ramp(right) if isinstance(right, str) else right
        super().__init__(
            [widgets.HBox([self.left_preset, self.right_preset]), self.map],
            left=left_ramp,
            right=right_ramp,
        )
        self.add_class("rampkit-compare")
        self.observe(self._on_ramp_change, names=["left", "right"])
        self._paint("left")
        self._paint("right")

    @property
    def basis(self) -> BasisLike:
        """The basis given for percents on both sides."""
        return self._basis

    @basis.setter
    def basis(self, basis: BasisLike) -> None:
        self._basis = basis
        self._paint("left")
        self._paint("right")

    def resolved_basis(self, side: str) -> Basis | None:
        """Return the basis the given side ("left" or "right") resolved percents against."""
        return self._resolved[side]

    def _pick(self, side: str, name: str) -> None:
        if name != "(custom)":
            setattr(self, side, get_ramp(name))

    def _on_ramp_change(self, change: dict[str, Any]) -> None:
        self._paint(change["name"])

    def _paint(self, side: str) -> None:
        ramp = getattr(self, side)
        colorized, png = self.painter.paint(ramp, self._basis)
        if not hasattr(self, "_resolved"):
            self._resolved: dict[str, Basis | None] = {}
        self._resolved[side] = colorized.basis
        setattr(self, f"{side}_png", png)
        getattr(self, f"{side}_overlay").url = data_url(png)
        preset = getattr(self, f"{side}_preset")
        preset.value = ramp.name if ramp.name in preset.options and (
            ramp == registry().get(ramp.name)
        ) else "(custom)"
