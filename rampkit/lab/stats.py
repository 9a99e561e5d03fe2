"""Per-class statistics of a classed (discrete) ramp, as a table widget.

The classes are the ones the map draws. A discrete ramp gives a value the
color of the first stop whose position is greater than or equal to it, so
class ``i`` contains the values in ``(stop[i-1], stop[i]]``. The first class
is open below, and the last also takes the values above the last stop. The
table therefore counts exactly the pixels that carry each color.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from rampkit.color import RGBA, to_hex
from rampkit.colorize import BasisLike, resolve_basis
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

__all__ = ["ClassStats", "StatsTable", "class_statistics"]


@dataclass(frozen=True, slots=True)
class ClassStats:
    """Statistics of one class.

    Attributes
    ----------
    color : RGBA
        The class color.
    low, high : float
        The class bounds; ``low`` is excluded except in the first class,
        ``high`` is included except in the last class, which is open above.
    count : int
        Valid values in the class.
    share : float
        ``count`` as a fraction (0-1) of all valid values; for a grid, the
        share of the covered area.
    mean, minimum, maximum : float
        Of the values in the class; NaN for an empty class.
    """

    color: RGBA
    low: float
    high: float
    count: int
    share: float
    mean: float
    minimum: float
    maximum: float


def class_statistics(
    values: ArrayLike,
    ramp: Ramp,
    *,
    basis: BasisLike = None,
    nodata: float | None = None,
) -> list[ClassStats]:
    """Count and summarize the values in each class of a ramp's stops.

    Parameters
    ----------
    values : array_like
        The data; NaN, infinities and ``nodata`` are left out.
    ramp : Ramp
        Its stops bound the classes, in any mode; percents resolve against
        ``basis``.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against; None means the values' min and max.
    nodata : float, optional
        A value that marks missing data.

    Returns
    -------
    list of ClassStats
        One per stop, in position order.

    Examples
    --------
    >>> ramp = Ramp.from_mapping({"2": "red", "4": "blue"}, mode="discrete")
    >>> [(c.count, c.mean) for c in class_statistics([1, 2, 3, 4, 5], ramp)]
    [(2, 1.5), (3, 4.0)]
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    keep = np.isfinite(flat)
    if nodata is not None:
        keep &= flat != nodata
    valid = flat[keep]
    absolute = ramp
    if ramp.relative:
        resolved = resolve_basis(valid, basis) if valid.size else None
        vmin = float(resolved.vmin) if resolved and resolved.vmin is not None else 0.0
        vmax = float(resolved.vmax) if resolved and resolved.vmax is not None else 0.0
        absolute = ramp.resolve(vmin, vmax)

    positions = np.asarray(absolute.positions, dtype=np.float64)
    # side="left" finds the first stop >= the value: the discrete mode's rule.
    class_ids = np.minimum(np.searchsorted(positions, valid, side="left"), len(positions) - 1)
    total = valid.size
    result: list[ClassStats] = []
    for index, color in enumerate(absolute.colors):
        members = valid[class_ids == index]
        low = -np.inf if index == 0 else float(positions[index - 1])
        high = np.inf if index == len(positions) - 1 else float(positions[index])
        count = int(members.size)
        result.append(
            ClassStats(
                color=color,
                low=low,
                high=high,
                count=count,
                share=count / total if total else 0.0,
                mean=float(members.mean()) if count else float("nan"),
                minimum=float(members.min()) if count else float("nan"),
                maximum=float(members.max()) if count else float("nan"),
            )
        )
    return result


def _bound(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value:.4g}"


class StatsTable(widgets.VBox):
    """A table of per-class statistics, shown while the ramp is discrete.

    Parameters
    ----------
    values : array_like
        The data.
    ramp : Ramp or str, default "yield"
        The ramp, or a preset name.
    basis : Basis, (vmin, vmax), "data" or None
        What percents resolve against.
    unit : str, default ""
        The values' unit, for the header.
    nodata : float, optional
        A value that marks missing data.

    Attributes
    ----------
    rows : list of ClassStats
        The statistics shown; empty while the ramp is not discrete.
    """

    ramp = traitlets.Instance(Ramp, help="The ramp whose classes are counted.")

    def __init__(
        self,
        values: ArrayLike,
        ramp: Ramp | str = "yield",
        *,
        basis: BasisLike = None,
        unit: str = "",
        nodata: float | None = None,
    ) -> None:
        self.unit = unit
        self._basis: BasisLike = basis
        self._nodata = nodata
        self._values = np.asarray(values, dtype=np.float64)
        self.rows: list[ClassStats] = []
        self.table = widgets.HTML()
        start = get_ramp(ramp) if isinstance(ramp, str) else ramp
        super().__init__([self.table], ramp=start)
        self.add_class("rampkit-stats")
        self.observe(lambda change: self.refresh(), names="ramp")
        self.refresh()

    @property
    def basis(self) -> BasisLike:
        """The basis given for percents."""
        return self._basis

    @basis.setter
    def basis(self, basis: BasisLike) -> None:
        self._basis = basis
        self.refresh()

    def set_values(self, values: ArrayLike, *, nodata: float | None = None) -> None:
        """Use other data."""
        self._values = np.asarray(values, dtype=np.float64)
        self._nodata = nodata
        self.refresh()

    def refresh(self) -> None:
        """Recount the classes of the current ramp, or hide the table when it is not discrete."""
        if self.ramp.mode != "discrete":
            self.rows = []
            self.table.value = ""
            self.layout.display = "none"
            return
        self.layout.display = None
        self.rows = class_statistics(
            self._values, self.ramp, basis=self._basis, nodata=self._nodata
        )
        self.table.value = self.to_html()

    def to_html(self) -> str:
        """Return the table as HTML."""
        unit = f" ({html.escape(self.unit)})" if self.unit else ""
        head = (
            "<tr><th></th><th>from</th><th>to" + unit + "</th><th>count</th>"
            "<th>share</th><th>mean</th></tr>"
        )
        body = []
        for row in self.rows:
            swatch = (
                f"<span style='display:inline-block;width:1.2em;height:1em;"
                f"background:{to_hex(row.color)[:7]}'></span>"
            )
            mean = "" if row.count == 0 else f"{row.mean:.4g}"
            body.append(
                f"<tr><td>{swatch}</td><td>{_bound(row.low)}</td><td>{_bound(row.high)}</td>"
                f"<td>{row.count}</td><td>{row.share:.1%}</td><td>{mean}</td></tr>"
            )
        return "<table class='rampkit-stats-table'>" + head + "".join(body) + "</table>"

    def summary(self) -> list[dict[str, Any]]:
        """Return the rows as dicts of plain numbers."""
        return [
            {"color": to_hex(r.color), "low": r.low, "high": r.high, "count": r.count,
             "share": r.share, "mean": r.mean}
            for r in self.rows
        ]
