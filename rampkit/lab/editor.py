"""The ramp editor: one row per stop, presets, modes, classing, undo and redo.

:class:`RampEditor` edits an immutable :class:`~rampkit.ramp.Ramp` held in its
``ramp`` trait. Every control builds a new ramp through the ramp's own
transformations and assigns it, so ``editor.observe(..., names="ramp")`` receives
one change per edit and the editor never holds a half-edited ramp.

Stop rows
    Each row has a slider and a text box for the position and a color
    picker. A moved stop is clamped between its neighbours, so the row a
    user drags keeps its place and never swaps with the next stop. A clamped
    stop stays one slider step short of its neighbour, and the editor's
    message names the stop, the position requested and the position used.
    Two stops share a position (a hard step) only when that exact position
    is typed. Positions are percents of the basis range or values in the
    data's unit, as the ramp is; the *positions* toggle converts between the
    two through the editor's basis.

History
    Each edit pushes the previous ramp on the undo stack. Consecutive edits of
    the same stop position (a slider drag sends dozens) or of the same color
    merge into one entry, so one undo returns to where the drag started.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from rampkit.color import RGBA, parse_color, to_hex
from rampkit.errors import RampError
from rampkit.presets import get_ramp, registry
from rampkit.ramp import MODES, Ramp, Stop

__all__ = ["RampEditor", "StopRow"]

logger = logging.getLogger(__name__)

_HISTORY_LIMIT = 200


def _auto_width() -> widgets.Layout:
    return widgets.Layout(width="auto")


def _alpha_to_opacity(alpha: int) -> float:
    return round(alpha / 255.0, 3)


def _opacity_to_alpha(opacity: float) -> int:
    return int(round(min(max(opacity, 0.0), 1.0) * 255))


def _format_position(position: float) -> str:
    return f"{position:.10g}"


def _tidy(position: float) -> float:
    # Drops the binary noise of a sum such as 2.4875 - 0.001.
    return float(f"{position:.12g}")


def _schemes() -> tuple[str, ...]:
    from rampkit.classify import SCHEMES

    # "manual" needs edges, which the editor has no way to ask for.
    return tuple(name for name in SCHEMES if name != "manual")


class StopRow(widgets.HBox):
    """The controls of one stop: position slider, position text box, color, remove.

    Parameters
    ----------
    index : int
        The stop's index in the ramp.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.label = widgets.Label(f"{index + 1}", layout=widgets.Layout(width="2em"))
        self.slider = widgets.FloatSlider(
            min=0.0,
            max=100.0,
            step=0.1,
            readout=False,
            continuous_update=True,
            layout=widgets.Layout(width="220px"),
        )
        self.text = widgets.FloatText(layout=widgets.Layout(width="90px"))
        self.color = widgets.ColorPicker(concise=True, layout=widgets.Layout(width="36px"))
        self.remove = widgets.Button(
            icon="minus", tooltip="remove this stop", layout=widgets.Layout(width="36px")
        )
        super().__init__([self.label, self.slider, self.text, self.color, self.remove])
        self.add_class("rampkit-stop-row")


class RampEditor(widgets.VBox):
    """Edit a ramp's stops, colors, no-value color, mode and classes.

    Parameters
    ----------
    ramp : Ramp or str, default "yield"
        The ramp to start from, or the name of a preset.
    values : array_like, optional
        The data the ramp will paint. It sets the basis range for converting
        between percents and values, the slider range of absolute ramps, and
        the data that the classification schemes class.
    basis : (float, float), optional
        The range percents resolve against; by default the minimum and maximum
        of the finite ``values``, or (0, 100) without values.
    unit : str, default ""
        The data's unit, shown beside absolute positions.

    Examples
    --------
    >>> editor = RampEditor("yield", values=[0.0, 50.0, 100.0])
    >>> editor.move_stop(1, 30.0)
    >>> editor.ramp.positions[1]
    30.0
    >>> editor.undo()
    >>> editor.ramp == get_ramp("yield")
    True
    """

    ramp = traitlets.Instance(Ramp, help="The ramp being edited.")
    can_undo = traitlets.Bool(False, help="True when there is an edit to undo.")
    can_redo = traitlets.Bool(False, help="True when there is an undone edit to redo.")
    classed = traitlets.Bool(
        False, help="True while the stops sit where the scheme and k placed them."
    )

    def __init__(
        self,
        ramp: Ramp | str = "yield",
        *,
        values: ArrayLike | None = None,
        basis: tuple[float, float] | None = None,
        unit: str = "",
    ) -> None:
        start = get_ramp(ramp) if isinstance(ramp, str) else ramp
        self._values: NDArray[np.float64] | None = None
        self._basis: tuple[float, float] = (0.0, 100.0)
        self._explicit_basis = basis
        self.unit = unit
        self._undo: list[Ramp] = []
        self._redo: list[Ramp] = []
        self._group: object = None
        self._syncing = False
        self.rows: list[StopRow] = []
        self.classification: Any = None

        self._build_controls()
        super().__init__(ramp=start)
        self.add_class("rampkit-editor")
        self.set_values(values, basis=basis)
        self.observe(self._on_ramp_change, names="ramp")
        self._refresh()

    # -- construction of the controls ------------------------------------

    def _build_controls(self) -> None:
        self.preset = widgets.Dropdown(
            options=["(custom)", *sorted(registry())],
            value="(custom)",
            description="preset",
            layout=widgets.Layout(width="230px"),
        )
        self.mode = widgets.Dropdown(
            options=list(MODES), description="mode", layout=widgets.Layout(width="200px")
        )
        self.positions = widgets.ToggleButtons(
            options=[("percent", "percent"), ("value", "value")],
            description="positions",
            style={"button_width": "76px", "description_width": "initial"},
        )
        self.reverse_button = widgets.Button(
            description="reverse", icon="exchange", layout=_auto_width()
        )
        self.add_button = widgets.Button(
            description="add stop", icon="plus", layout=_auto_width()
        )
        self.undo_button = widgets.Button(
            description="undo", icon="undo", disabled=True, layout=_auto_width()
        )
        self.redo_button = widgets.Button(
            description="redo", icon="repeat", disabled=True, layout=_auto_width()
        )
        self.nodata_color = widgets.ColorPicker(
            concise=True, description="nv color", layout=widgets.Layout(width="140px")
        )
        self.nodata_opacity = widgets.FloatSlider(
            min=0.0, max=1.0, step=0.01, description="nv opacity", continuous_update=False
        )
        self.scheme = widgets.Dropdown(
            options=list(_schemes()), description="scheme", layout=widgets.Layout(width="230px")
        )
        # Classing reads every value; it runs when the slider is released.
        self.k = widgets.IntSlider(
            value=7, min=2, max=12, description="k", continuous_update=False,
            style={"description_width": "initial"}, layout=widgets.Layout(width="200px"),
        )
        self.classify_button = widgets.Button(
            description="place stops", icon="th-list", layout=_auto_width()
        )
        self.message = widgets.HTML()
        self.rows_box = widgets.VBox()

        self.preset.observe(self._on_preset, names="value")
        self.mode.observe(self._on_mode, names="value")
        self.positions.observe(self._on_positions, names="value")
        self.reverse_button.on_click(lambda _: self.reverse())
        self.add_button.on_click(lambda _: self.add_stop())
        self.undo_button.on_click(lambda _: self.undo())
        self.redo_button.on_click(lambda _: self.redo())
        self.nodata_color.observe(self._on_nodata, names="value")
        self.nodata_opacity.observe(self._on_nodata, names="value")
        self.classify_button.on_click(lambda _: self.place_stops())
        self.k.observe(self._on_class_setting, names="value")
        self.scheme.observe(self._on_class_setting, names="value")

    def _layout(self) -> list[widgets.Widget]:
        # Rows of controls wrap, so the editor fits a narrow notebook column.
        def row(*children: widgets.Widget) -> widgets.HBox:
            return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap"))

        return [
            row(self.preset, self.mode, self.reverse_button),
            row(self.positions, self.add_button, self.undo_button, self.redo_button),
            self.rows_box,
            row(self.nodata_color, self.nodata_opacity),
            row(self.scheme, self.k, self.classify_button),
            self.message,
        ]

    # -- data and basis ----------------------------------------------------

    @property
    def basis(self) -> tuple[float, float]:
        """The (vmin, vmax) range percents resolve against."""
        return self._basis

    @property
    def values(self) -> NDArray[np.float64] | None:
        """The finite data values, flattened, or None."""
        return self._values

    def set_values(
        self, values: ArrayLike | None, *, basis: tuple[float, float] | None = None
    ) -> None:
        """Set the data the ramp paints, and with it the basis range.

        Parameters
        ----------
        values : array_like or None
            Data values; NaN and infinities are dropped.
        basis : (float, float), optional
            A fixed range; by default the minimum and maximum of ``values``.
        """
        if values is None:
            self._values = None
        else:
            flat = np.asarray(values, dtype=np.float64).ravel()
            self._values = flat[np.isfinite(flat)]
        self._explicit_basis = basis
        if basis is not None:
            vmin, vmax = float(basis[0]), float(basis[1])
            if not (math.isfinite(vmin) and math.isfinite(vmax)) or vmax < vmin:
                raise RampError(
                    f"basis {basis!r} is not a finite ascending range; give (vmin, vmax) "
                    "with vmin <= vmax"
                )
            self._basis = (vmin, vmax)
        elif self._values is not None and self._values.size:
            self._basis = (float(self._values.min()), float(self._values.max()))
        else:
            self._basis = (0.0, 100.0)
        if self.rows:
            self._refresh()

    def _to_value(self, percent: float) -> float:
        vmin, vmax = self._basis
        return vmin + percent / 100.0 * (vmax - vmin)

    def _to_percent(self, value: float) -> float:
        vmin, vmax = self._basis
        if vmax == vmin:
            return 0.0
        return min(max((value - vmin) / (vmax - vmin) * 100.0, 0.0), 100.0)

    # -- edits (each records history) ----------------------------------------

    def _set_ramp(self, ramp: Ramp, *, record: bool = True, group: object = None) -> None:
        if ramp == self.ramp:
            # A clamped or rejected edit leaves the ramp as it was. Show it
            # again, so the control that sent the edit drops the bad value.
            self._refresh()
            return
        if record:
            if group is None or group != self._group:
                self._undo.append(self.ramp)
                del self._undo[:-_HISTORY_LIMIT]
            self._redo.clear()
        self._group = group if record else None
        self.classed = False
        self.ramp = ramp

    def move_stop(self, index: int, position: float) -> None:
        """Move stop ``index``, clamped between its neighbours.

        A position past a neighbour is clamped to one slider step short of
        it, and the editor's ``message`` shows a note with the stop, the
        position requested and the position used. Only the neighbour's exact
        position puts both stops at one position (a hard step).

        Parameters
        ----------
        index : int
            Stop index.
        position : float
            New position, a percent or a value as the ramp is.
        """
        self.ramp._stop_at(index)
        requested = float(position)
        used, note = self._clamp_position(index, requested)
        if note:
            self.message.value = f"<span class='rampkit-note'>{note}</span>"
        else:
            self.message.value = ""
        self._set_ramp(self.ramp.move_stop(index, used), group=("move", index))

    def _clamp_position(self, index: int, requested: float) -> tuple[float, str]:
        """Return where stop ``index`` goes for ``requested``, and a note when it is clamped.

        The note is "" when the requested position is used as it is.
        """
        positions = self.ramp.positions
        current = positions[index]
        step = self._slider_range()[2]
        unit = self._position_unit()
        neighbour_index = None
        if index > 0 and requested < positions[index - 1]:
            neighbour_index = index - 1
            # One step above the neighbour, unless the stop already sits closer.
            used = min(_tidy(positions[index - 1] + step), current)
        elif index + 1 < len(positions) and requested > positions[index + 1]:
            neighbour_index = index + 1
            used = max(_tidy(positions[index + 1] - step), current)
        elif self.ramp.relative and not 0.0 <= requested <= 100.0:
            used = min(max(requested, 0.0), 100.0)
        else:
            return requested, ""

        stop = f"stop {index + 1} position {_format_position(requested)}{unit}"
        result = f"so {_format_position(used)}{unit} is used"
        if neighbour_index is None:
            return used, f"{stop} is outside 0-100 %, {result}"
        neighbour = _format_position(positions[neighbour_index])
        return used, (
            f"{stop} is past stop {neighbour_index + 1} at {neighbour}{unit}, {result}; "
            f"type {neighbour} to put both stops at {neighbour}{unit} (a hard step)"
        )

    def _position_unit(self) -> str:
        if self.ramp.relative:
            return " %"
        return f" {html.escape(self.unit)}" if self.unit else ""

    def set_color(self, index: int, color: Any) -> None:
        """Recolor stop ``index``; keeps the stop's alpha when ``color`` has none."""
        old = self.ramp._stop_at(index).color
        new = parse_color(color)
        if isinstance(color, str) and len(color.lstrip("#")) in (3, 6):
            new = (*new[:3], old[3])
        self._set_ramp(self.ramp.with_stop(index, color=new), group=("color", index))

    def add_stop(self, position: float | None = None, color: Any = None) -> None:
        """Add a stop; by default in the middle of the widest gap, in the ramp's color there.

        Parameters
        ----------
        position : float, optional
            Where to add it.
        color : color, optional
            Its color; by default the color the ramp has at ``position``.
        """
        positions = self.ramp.positions
        if position is None:
            gaps = np.diff(positions)
            widest = int(np.argmax(gaps))
            position = positions[widest] + gaps[widest] / 2.0
        if color is None:
            from rampkit.colorize import evaluate

            # A percent ramp resolved over (0, 100) keeps its positions as values.
            linear = self.ramp.with_mode("linear").resolve(0.0, 100.0)
            rgba = evaluate(np.array([position], dtype=np.float64), linear)
            color = tuple(int(c) for c in rgba[0])
        self._set_ramp(self.ramp.add_stop(position, color))

    def remove_stop(self, index: int) -> None:
        """Remove stop ``index``; the ramp keeps at least the stops its mode needs."""
        self._set_ramp(self.ramp.remove_stop(index))

    def reverse(self) -> None:
        """Reverse the colors over the same positions."""
        self._set_ramp(self.ramp.reversed())

    def set_mode(self, mode: str) -> None:
        """Set the interpolation mode: linear, nearest, exact or discrete."""
        self._set_ramp(self.ramp.with_mode(mode))  # type: ignore[arg-type]

    def set_nodata_color(self, color: Any, opacity: float | None = None) -> None:
        """Set the no-value color, and its opacity (0-1) when given."""
        rgba = parse_color(color)
        if opacity is not None:
            rgba = (*rgba[:3], _opacity_to_alpha(opacity))
        self._set_ramp(self.ramp.with_nodata_color(rgba), group="nodata")

    def load_preset(self, name: str) -> None:
        """Replace the ramp with a preset, resolved to values when the editor shows values."""
        ramp = get_ramp(name)
        if not self.ramp.relative and ramp.relative:
            ramp = ramp.resolve(*self._basis)
        self._set_ramp(ramp)

    def use_percent(self, relative: bool) -> None:
        """Convert stop positions to percents (True) or values (False) over the basis."""
        if relative == self.ramp.relative:
            return
        if relative:
            stops = [Stop(self._to_percent(s.position), s.color) for s in self.ramp.stops]
            ramp = Ramp(
                tuple(stops),
                relative=True,
                nodata_color=self.ramp.nodata_color,
                mode=self.ramp.mode,
                name=self.ramp.name,
                description=self.ramp.description,
            )
        else:
            ramp = self.ramp.resolve(*self._basis)
        self._set_ramp(ramp)

    def place_stops(self, scheme: str | None = None, k: int | None = None) -> None:
        """Place the stops at the class edges of the editor's values.

        A ``discrete`` ramp becomes k classes with one stop at each upper
        class edge (:meth:`~rampkit.classify.Classification.to_ramp`). A ramp
        in any other mode gets k + 1 stops at the class edges and keeps its
        mode (:meth:`~rampkit.classify.Classification.place_stops`). Colors
        are sampled from the current ramp, and positions keep its kind.

        Parameters
        ----------
        scheme : str, optional
            A classification scheme; default the scheme dropdown.
        k : int, optional
            The number of classes; default the k slider.

        Raises
        ------
        RampError
            If the editor has no values to class.
        """
        scheme = self.scheme.value if scheme is None else scheme
        k = self.k.value if k is None else int(k)
        if self._values is None or self._values.size == 0:
            raise RampError(
                f"cannot place stops by {scheme!r}: the editor has no data values; "
                "pass values= to RampEditor or call set_values()"
            )
        from rampkit.classify import classify

        classification = classify(self._values, scheme, k)
        relative = self.ramp.relative
        if self.ramp.mode == "discrete":
            ramp = classification.to_ramp(self.ramp, relative=relative, basis=self._basis)
        else:
            ramp = classification.place_stops(
                self.ramp, relative=relative, basis=self._basis
            ).with_mode(self.ramp.mode)
        self._set_ramp(ramp.with_name(self.ramp.name, self.ramp.description))
        self.classification = classification
        self.classed = True

    def undo(self) -> None:
        """Return to the ramp before the last edit; does nothing without one."""
        if not self._undo:
            return
        self._redo.append(self.ramp)
        self._group = None
        self.classed = False
        self.ramp = self._undo.pop()

    def redo(self) -> None:
        """Reapply the last undone edit; does nothing without one."""
        if not self._redo:
            return
        self._undo.append(self.ramp)
        self._group = None
        self.classed = False
        self.ramp = self._redo.pop()

    # -- widget callbacks ------------------------------------------------------

    def _guarded(self, handler: Callable[[], None]) -> None:
        if self._syncing:
            return
        # The message is cleared before the handler runs, so a handler can set a note.
        self.message.value = ""
        try:
            handler()
        except RampError as exc:
            self.message.value = f"<span class='rampkit-error'>{exc}</span>"
            self._refresh()

    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"] != "(custom)":
            self._guarded(lambda: self.load_preset(change["new"]))

    def _on_mode(self, change: dict[str, Any]) -> None:
        self._guarded(lambda: self.set_mode(change["new"]))

    def _on_positions(self, change: dict[str, Any]) -> None:
        self._guarded(lambda: self.use_percent(change["new"] == "percent"))

    def _on_nodata(self, change: dict[str, Any]) -> None:
        self._guarded(
            lambda: self.set_nodata_color(self.nodata_color.value, self.nodata_opacity.value)
        )

    def _on_class_setting(self, change: dict[str, Any]) -> None:
        # A new scheme or k moves the stops only while they are placed by
        # classing; hand-placed stops stay until "place stops" is pressed.
        if self.classed:
            self._guarded(self.place_stops)

    def _on_ramp_change(self, change: dict[str, Any]) -> None:
        self._refresh()

    def _wire_row(self, row: StopRow) -> None:
        index = row.index
        row.slider.observe(
            lambda c: self._guarded(lambda: self.move_stop(index, c["new"])), names="value"
        )
        row.text.observe(
            lambda c: self._guarded(lambda: self.move_stop(index, c["new"])), names="value"
        )
        row.color.observe(
            lambda c: self._guarded(lambda: self.set_color(index, c["new"])), names="value"
        )
        row.remove.on_click(lambda _: self._guarded(lambda: self.remove_stop(index)))

    # -- showing the ramp ------------------------------------------------------

    def _slider_range(self) -> tuple[float, float, float]:
        if self.ramp.relative:
            return 0.0, 100.0, 0.1
        low, high = self._basis
        positions = self.ramp.positions
        low, high = min(low, positions[0]), max(high, positions[-1])
        if high == low:
            high = low + 1.0
        step = 10.0 ** math.floor(math.log10((high - low) / 1000.0))
        return low, high, step

    def _refresh(self) -> None:
        """Show the current ramp in every control without triggering edits."""
        ramp = self.ramp
        self._syncing = True
        try:
            while len(self.rows) < len(ramp.stops):
                row = StopRow(len(self.rows))
                self._wire_row(row)
                self.rows.append(row)
            del self.rows[len(ramp.stops):]
            low, high, step = self._slider_range()
            removable = len(ramp.stops) > (1 if ramp.mode == "discrete" else 2)
            for row, stop in zip(self.rows, ramp.stops, strict=True):
                # Widen before narrowing so the slider never clips the value.
                row.slider.min, row.slider.max = min(row.slider.min, low), max(
                    row.slider.max, high
                )
                row.slider.value = stop.position
                row.slider.min, row.slider.max, row.slider.step = low, high, step
                row.text.value = stop.position
                row.color.value = to_hex(stop.color)[:7]
                row.remove.disabled = not removable
                row.label.value = f"{row.index + 1}"
            self.rows_box.children = tuple(self.rows)
            self.mode.value = ramp.mode
            self.positions.value = "percent" if ramp.relative else "value"
            self.nodata_color.value = to_hex(ramp.nodata_color)[:7]
            self.nodata_opacity.value = _alpha_to_opacity(ramp.nodata_color[3])
            self.preset.value = ramp.name if ramp.name in self.preset.options and (
                ramp == registry().get(ramp.name)
            ) else "(custom)"
            self.can_undo, self.can_redo = bool(self._undo), bool(self._redo)
            self.undo_button.disabled = not self._undo
            self.redo_button.disabled = not self._redo
            self.positions.description = "positions" if ramp.relative or not self.unit else (
                f"positions ({self.unit})"
            )
            if not self.children:  # type: ignore[has-type]
                self.children = tuple(self._layout())
        finally:
            self._syncing = False

    # -- readouts ----------------------------------------------------------

    def stop_colors(self) -> list[RGBA]:
        """Return the stop colors, in position order."""
        return list(self.ramp.colors)

    def stop_positions(self, *, relative: bool | None = None) -> list[float]:
        """Return the stop positions, as percents or values over the basis.

        Parameters
        ----------
        relative : bool, optional
            True for percents, False for values; default the ramp's own kind.
        """
        positions: Sequence[float] = self.ramp.positions
        if relative is None or relative == self.ramp.relative:
            return list(positions)
        if relative:
            return [self._to_percent(p) for p in positions]
        return [self._to_value(p) for p in positions]
