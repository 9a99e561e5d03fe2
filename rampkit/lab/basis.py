"""A widget that picks the range percent stops resolve against.

Three kinds, as :class:`rampkit.colorize.Basis` defines them: the valid
data's minimum and maximum, two percentiles of the data (trimmed), or two
fixed values in the property's unit. A fixed range is how two fields or two
years share one legend. The two number boxes mean percentiles for the
trimmed kind and values for the fixed kind. An entry that is not a valid
range leaves the basis as it was and shows why.
"""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as widgets
import traitlets

from rampkit.colorize import Basis

__all__ = ["BasisPicker"]

KINDS = (
    ("data range (min to max)", "data"),
    ("trimmed (percentiles)", "trimmed"),
    ("fixed values", "fixed"),
)
DEFAULT_PERCENTILES = (2.0, 98.0)


class BasisPicker(widgets.VBox):
    """Pick the basis of percent stops: data range, trimmed or fixed.

    Parameters
    ----------
    basis : Basis, optional
        The starting basis; the data range by default.
    data_range : (float, float), optional
        The data's current minimum and maximum: the starting values offered
        when the user switches to a fixed range.
    unit : str, default ""
        The property's unit, shown beside the fixed values.

    Attributes
    ----------
    basis : Basis
        The picked basis (a traitlet; observe it to follow changes).

    Examples
    --------
    >>> picker = BasisPicker(data_range=(20.0, 80.0), unit="bu/ac")
    >>> picker.kind.value = "fixed"
    >>> picker.basis
    Basis(kind='fixed', vmin=20.0, vmax=80.0, lower=None, upper=None)
    >>> picker.low.value = 90.0
    >>> picker.basis.vmin, picker.message.value != ""
    (20.0, True)
    """

    basis = traitlets.Instance(Basis)

    def __init__(
        self,
        basis: Basis | None = None,
        *,
        data_range: tuple[float, float] | None = None,
        unit: str = "",
    ) -> None:
        basis = Basis.data() if basis is None else basis
        self.data_range = data_range
        self.unit = unit

        self.kind = widgets.Dropdown(
            options=KINDS, value=basis.kind, description="basis",
            tooltip="the range that 0% and 100% of the ramp stand for",
            layout=widgets.Layout(width="300px"),
        )
        # continuous_update=False applies a typed number on Enter or when the
        # box loses focus, so half-typed numbers never repaint the map.
        self.low = widgets.FloatText(
            description="low", continuous_update=False,
            tooltip="0% of the ramp: a percentile (trimmed) or a value (fixed)",
            layout=widgets.Layout(width="180px"),
        )
        self.high = widgets.FloatText(
            description="high", continuous_update=False,
            tooltip="100% of the ramp: a percentile (trimmed) or a value (fixed)",
            layout=widgets.Layout(width="180px"),
        )
        self.unit_label = widgets.HTML()
        self.message = widgets.HTML()
        self.resolved = widgets.HTML()
        self._updating = False

        super().__init__(basis=basis)
        self.add_class("rampkit-basis-picker")
        self.children = (
            self.kind,
            widgets.HBox([self.low, self.high, self.unit_label]),
            self.resolved,
            self.message,
        )
        self._show(basis)
        self.kind.observe(self._on_kind, names="value")
        self.low.observe(self._on_bounds, names="value")
        self.high.observe(self._on_bounds, names="value")

    def set_basis(self, basis: Basis) -> None:
        """Show ``basis`` in the boxes and make it the picked basis."""
        self._show(basis)
        self.message.value = ""
        self.basis = basis

    def show_resolved(self, resolved: Basis | None) -> None:
        """Show the values that 0% and 100% resolved to, as the map last painted them."""
        if resolved is None or resolved.vmin is None or resolved.vmax is None:
            self.resolved.value = ""
            return
        unit = f" {html.escape(self.unit)}" if self.unit else ""
        self.resolved.value = (
            f"<span class='rampkit-status'>0% = {resolved.vmin:.6g}{unit}, "
            f"100% = {resolved.vmax:.6g}{unit}</span>"
        )

    def set_data_range(self, data_range: tuple[float, float] | None, unit: str = "") -> None:
        """Take the range and unit of new data, for a new grid or property.

        A picked trimmed or fixed basis stays as it is; the data range kind
        shows the new range.
        """
        self.data_range = data_range
        self.unit = unit
        # The boxes go back to the picked basis, so an error about an entry
        # that was never applied no longer holds.
        self.message.value = ""
        self._show(self.basis)

    def _show(self, basis: Basis) -> None:
        """Put ``basis`` in the boxes without reacting to the change."""
        self._updating = True
        try:
            self.kind.value = basis.kind
            if basis.kind == "trimmed":
                bounds = (basis.lower, basis.upper)
            elif basis.kind == "fixed":
                bounds = (basis.vmin, basis.vmax)
            else:
                bounds = self.data_range or (None, None)
            if bounds[0] is not None and bounds[1] is not None:
                self.low.value, self.high.value = float(bounds[0]), float(bounds[1])
            self._layout_for(basis.kind)
        finally:
            self._updating = False

    def _layout_for(self, kind: str) -> None:
        # The boxes are read-only for the data range, which they only show.
        self.low.disabled = self.high.disabled = kind == "data"
        if kind == "trimmed":
            self.unit_label.value = "percentiles, 0-100"
        else:
            self.unit_label.value = html.escape(self.unit)

    def _on_kind(self, change: dict[str, Any]) -> None:
        if self._updating:
            return
        kind = change["new"]
        self._updating = True
        try:
            if kind == "trimmed":
                self.low.value, self.high.value = DEFAULT_PERCENTILES
            elif self.data_range is not None:
                # The data range is where a user starts to set a fixed range.
                self.low.value, self.high.value = self.data_range
            self._layout_for(kind)
        finally:
            self._updating = False
        self._apply()

    def _on_bounds(self, change: dict[str, Any]) -> None:
        if not self._updating:
            self._apply()

    def _apply(self) -> None:
        kind = self.kind.value
        low, high = float(self.low.value), float(self.high.value)
        problem = ""
        if kind != "data" and not (math.isfinite(low) and math.isfinite(high)):
            problem = f"low {low:g} and high {high:g} must both be numbers"
        elif kind == "trimmed" and not 0 <= low < high <= 100:
            problem = (
                f"percentiles low {low:g} and high {high:g} must satisfy "
                "0 <= low < high <= 100, for example 2 and 98"
            )
        elif kind == "fixed" and not low < high:
            problem = (
                f"fixed range low {low:g} must be below high {high:g}; "
                "enter a smaller low or a larger high"
            )
        if problem:
            # The views keep the last valid basis. The message names it, so
            # the boxes and the map do not disagree without a reason.
            current = _describe(self.basis)
            self.message.value = (
                f"<span class='rampkit-error'>{html.escape(problem)}. The map keeps "
                f"{html.escape(current)}.</span>"
            )
            return
        if kind == "trimmed":
            basis = Basis.trimmed(low, high)
        elif kind == "fixed":
            basis = Basis.fixed(low, high)
        else:
            basis = Basis.data()
        self.message.value = ""
        self.basis = basis


def _describe(basis: Basis) -> str:
    """Return a short description of a basis for messages."""
    if basis.kind == "trimmed":
        return f"the percentiles {basis.lower:g} to {basis.upper:g}"
    if basis.kind == "fixed":
        return f"the fixed range {basis.vmin:g} to {basis.vmax:g}"
    return "the data range"
