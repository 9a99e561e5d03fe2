"""A histogram of the data, each bar in the ramp's color, with the stops drawn on it.

The bar counts are computed once per data set. A new ramp only recolors the
bars and moves the stop lines, which are drawn straight into an RGBA array,
so the histogram keeps up with a dragged slider.
"""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from rampkit.colorize import Basis, BasisLike, colorize, resolve_basis
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

__all__ = ["Histogram"]

_BACKGROUND = (255, 255, 255, 255)
_AXIS = (120, 120, 120, 255)
_STOP_LINE = (30, 30, 30, 255)
_NODATA_BAR = (190, 190, 190, 255)


class Histogram(widgets.VBox):
    """The distribution of the values, colored by the ramp, with stop positions marked.

    Parameters
    ----------
    values : array_like
        The data; NaN, infinities and ``nodata`` are left out.
    ramp : Ramp or str, default "yield"
        The ramp, or a preset name.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against, as for :func:`rampkit.colorize.colorize`.
    bins : int, default 64
        Number of bars.
    unit : str, default ""
        The values' unit, shown under the axis.
    nodata : float, optional
        A value that marks missing data.
    width, height : int, default 480 and 140
        Size of the image in pixels.

    Attributes
    ----------
    counts : ndarray of int
        Values per bar.
    edges : ndarray of float
        The ``bins + 1`` bar edges.
    bar_colors : ndarray of uint8, shape (bins, 4)
        The ramp's color at each bar's centre.
    stop_values : tuple of float
        The stop positions as values, where the lines are drawn.
    """

    ramp = traitlets.Instance(Ramp, help="The ramp the bars are colored with.")

    def __init__(
        self,
        values: ArrayLike,
        ramp: Ramp | str = "yield",
        *,
        basis: BasisLike = None,
        bins: int = 64,
        unit: str = "",
        nodata: float | None = None,
        width: int = 480,
        height: int = 140,
    ) -> None:
        self.bins = int(bins)
        self.unit = unit
        self.size = (int(width), int(height))
        self._basis: BasisLike = basis
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px"))
        self.axis = widgets.HTML()
        start = get_ramp(ramp) if isinstance(ramp, str) else ramp
        super().__init__([self.image, self.axis], ramp=start)
        self.add_class("rampkit-histogram")
        self.set_values(values, nodata=nodata)
        self.observe(lambda change: self.redraw(), names="ramp")

    @property
    def basis(self) -> BasisLike:
        """The basis given for percents."""
        return self._basis

    @basis.setter
    def basis(self, basis: BasisLike) -> None:
        self._basis = basis
        self.redraw()

    def set_values(self, values: ArrayLike, *, nodata: float | None = None) -> None:
        """Count the values into bars again; the heavy step, run once per data set."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        keep = np.isfinite(flat)
        if nodata is not None:
            keep &= flat != nodata
        self._values = flat[keep]
        if self._values.size:
            low, high = float(self._values.min()), float(self._values.max())
        else:
            low, high = 0.0, 1.0
        if high == low:
            high = low + 1.0
        self.counts, self.edges = np.histogram(self._values, bins=self.bins, range=(low, high))
        self.redraw()

    def _resolved(self) -> tuple[Ramp, Basis | None]:
        if not self.ramp.relative:
            return self.ramp, None
        basis = resolve_basis(self._values, self._basis) if self._values.size else Basis.fixed(
            0.0, 1.0
        )
        return self.ramp.resolve(float(basis.vmin or 0.0), float(basis.vmax or 0.0)), basis

    def redraw(self) -> None:
        """Recolor the bars and redraw the stop lines for the current ramp."""
        absolute, basis = self._resolved()
        centres = (self.edges[:-1] + self.edges[1:]) / 2.0
        self.bar_colors = colorize(centres, absolute).rgba
        self.stop_values = absolute.positions
        self.png = self._draw()
        self.image.value = self.png
        unit = f" {self.unit}" if self.unit else ""
        self.axis.value = (
            f"<div style='display:flex;justify-content:space-between;width:{self.size[0]}px'>"
            f"<span>{self.edges[0]:.4g}{unit}</span><span>{int(self.counts.sum())} values"
            f"</span><span>{self.edges[-1]:.4g}{unit}</span></div>"
        )

    def _x(self, value: float) -> int:
        low, high = float(self.edges[0]), float(self.edges[-1])
        return int(round((value - low) / (high - low) * (self.size[0] - 1)))

    def _draw(self) -> bytes:
        width, height = self.size
        canvas: NDArray[np.uint8] = np.empty((height, width, 4), dtype=np.uint8)
        canvas[:] = _BACKGROUND
        plot_height = height - 2
        peak = max(int(self.counts.max()), 1)

        # Bars: each covers its share of the width, colored at its centre.
        for index, count in enumerate(self.counts):
            left = self._x(float(self.edges[index]))
            right = max(self._x(float(self.edges[index + 1])), left + 1)
            bar = int(round(count / peak * plot_height))
            if bar == 0:
                continue
            color = self.bar_colors[index]
            # A transparent ramp color is drawn grey so the bar stays visible.
            canvas[plot_height - bar:plot_height, left:right] = (
                color if color[3] else _NODATA_BAR
            )
        canvas[plot_height:, :] = _AXIS

        for value in self.stop_values:
            if self.edges[0] <= value <= self.edges[-1]:
                x = self._x(value)
                canvas[:plot_height, max(x - 1, 0):x + 1] = _STOP_LINE

        buffer = io.BytesIO()
        Image.fromarray(canvas, "RGBA").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def summary(self) -> dict[str, Any]:
        """Return the counts, edges and stop values as plain lists."""
        return {
            "counts": self.counts.tolist(),
            "edges": self.edges.tolist(),
            "stops": list(self.stop_values),
        }
