"""Headless tests of the ramp editor: change controls from Python, read the ramp."""

from __future__ import annotations

import pytest

from rampkit.errors import RampError
from rampkit.lab.editor import RampEditor
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

VALUES = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 110.0]


@pytest.fixture
def editor() -> RampEditor:
    return RampEditor("yield", values=VALUES)


def test_editor_shows_one_row_per_stop(editor: RampEditor) -> None:
    ramp = get_ramp("yield")
    assert len(editor.rows) == len(ramp.stops)
    assert [row.slider.value for row in editor.rows] == list(ramp.positions)
    assert [row.text.value for row in editor.rows] == list(ramp.positions)
    assert editor.rows[0].color.value == "#d73027"
    assert editor.preset.value == "yield"


def test_slider_moves_stop(editor: RampEditor) -> None:
    changes: list[Ramp] = []
    editor.observe(lambda change: changes.append(change["new"]), names="ramp")
    editor.rows[1].slider.value = 40.0
    assert editor.ramp.positions[1] == 40.0
    assert editor.rows[1].text.value == 40.0
    assert len(changes) == 1
    assert editor.preset.value == "(custom)"


def test_text_box_moves_stop(editor: RampEditor) -> None:
    editor.rows[3].text.value = 60.0
    assert editor.ramp.positions[3] == 60.0
    assert editor.rows[3].slider.value == 60.0


def test_move_is_clamped_between_neighbours(editor: RampEditor) -> None:
    editor.rows[1].slider.value = 90.0
    # Stop 3 sits at 50 %: stop 2 stays one slider step (0.1 %) short of it.
    assert editor.ramp.positions == (0.0, 49.9, 50.0, 75.0, 100.0)
    assert editor.rows[1].slider.value == 49.9
    assert editor.message.value == (
        "<span class='rampkit-note'>stop 2 position 90 % is past stop 3 at 50 %, so 49.9 % "
        "is used; type 50 to put both stops at 50 % (a hard step)</span>"
    )


def test_typed_position_past_next_stop(editor: RampEditor) -> None:
    editor.rows[2].text.value = 150.0
    assert editor.ramp.positions == (0.0, 25.0, 74.9, 75.0, 100.0)
    assert editor.rows[2].text.value == 74.9
    assert "stop 3 position 150 % is past stop 4 at 75 %, so 74.9 % is used" in (
        editor.message.value
    )


def test_move_past_previous_stop(editor: RampEditor) -> None:
    editor.rows[3].slider.value = 10.0
    assert editor.ramp.positions == (0.0, 25.0, 50.0, 50.1, 100.0)
    assert "stop 4 position 10 % is past stop 3 at 50 %, so 50.1 % is used" in (
        editor.message.value
    )


def test_exact_neighbour_position_makes_hard_step(editor: RampEditor) -> None:
    editor.rows[2].text.value = 75.0
    assert editor.ramp.positions == (0.0, 25.0, 75.0, 75.0, 100.0)
    assert editor.message.value == ""


def test_clamp_keeps_closer_position(editor: RampEditor) -> None:
    editor.rows[2].text.value = 74.95
    editor.rows[2].text.value = 80.0
    # The stop already sits within one step of stop 4, so it stays put.
    assert editor.ramp.positions[2] == 74.95
    assert "so 74.95 % is used" in editor.message.value


def test_clamp_note_clears_on_next_edit(editor: RampEditor) -> None:
    editor.rows[1].slider.value = 90.0
    assert editor.message.value
    editor.rows[1].slider.value = 30.0
    assert editor.message.value == ""


def test_value_clamp_names_unit() -> None:
    editor = RampEditor("yield", values=VALUES, unit="t/ha")
    editor.use_percent(False)
    # The values run from 10 to 110, so the stops sit at 10, 35, 60, 85 and 110,
    # and the slider step is 0.1.
    editor.rows[1].text.value = 100.0
    assert editor.ramp.positions == (10.0, 59.9, 60.0, 85.0, 110.0)
    assert "stop 2 position 100 t/ha is past stop 3 at 60 t/ha, so 59.9 t/ha is used" in (
        editor.message.value
    )


def test_color_picker_recolors_stop(editor: RampEditor) -> None:
    editor.rows[2].color.value = "#0000ff"
    assert editor.ramp.colors[2] == (0, 0, 255, 255)


def test_add_stop_splits_widest_gap() -> None:
    ramp = Ramp.from_mapping({"0%": "#000000", "20%": "#000000", "100%": "#c8c8c8"})
    editor = RampEditor(ramp)
    editor.add_button.click()
    assert editor.ramp.positions == (0.0, 20.0, 60.0, 100.0)
    # The new stop takes the ramp's color at 60 %, halfway from black to grey.
    assert editor.ramp.colors[2] == (100, 100, 100, 255)
    assert len(editor.rows) == 4


def test_remove_button_removes_stop(editor: RampEditor) -> None:
    editor.rows[1].remove.click()
    assert editor.ramp.positions == (0.0, 50.0, 75.0, 100.0)
    assert len(editor.rows_box.children) == 4


def test_remove_disabled_at_two_stops() -> None:
    editor = RampEditor(Ramp.from_mapping({"0%": "red", "100%": "blue"}))
    assert all(row.remove.disabled for row in editor.rows)
    editor.set_mode("discrete")
    assert not any(row.remove.disabled for row in editor.rows)


def test_nodata_color_and_opacity(editor: RampEditor) -> None:
    editor.nodata_color.value = "#808080"
    editor.nodata_opacity.value = 0.5
    assert editor.ramp.nodata_color == (128, 128, 128, 128)


def test_preset_dropdown_loads_preset(editor: RampEditor) -> None:
    editor.preset.value = "moisture"
    assert editor.ramp == get_ramp("moisture")


def test_reverse_button(editor: RampEditor) -> None:
    editor.reverse_button.click()
    assert editor.ramp.colors == tuple(reversed(get_ramp("yield").colors))
    assert editor.ramp.positions == get_ramp("yield").positions


def test_mode_dropdown(editor: RampEditor) -> None:
    editor.mode.value = "nearest"
    assert editor.ramp.mode == "nearest"


def test_positions_toggle_converts_to_values(editor: RampEditor) -> None:
    # The values run from 10 to 110, so 25 % is 35 and 75 % is 85.
    editor.positions.value = "value"
    assert not editor.ramp.relative
    assert editor.ramp.positions == (10.0, 35.0, 60.0, 85.0, 110.0)
    assert editor.rows[1].slider.min == 10.0
    assert editor.rows[1].slider.max == 110.0
    editor.positions.value = "percent"
    assert editor.ramp.relative
    assert editor.ramp.positions == get_ramp("yield").positions


def test_preset_resolves_when_editing_values(editor: RampEditor) -> None:
    editor.use_percent(False)
    editor.load_preset("moisture")
    assert editor.ramp.positions == (10.0, 35.0, 60.0, 85.0, 110.0)


def test_undo_merges_one_drag(editor: RampEditor) -> None:
    for value in (30.0, 35.0, 40.0, 45.0):
        editor.rows[1].slider.value = value
    editor.rows[2].color.value = "#000000"
    editor.undo()
    assert editor.ramp.positions[1] == 45.0
    assert editor.ramp.colors[2] == get_ramp("yield").colors[2]
    editor.undo()
    assert editor.ramp == get_ramp("yield")
    assert not editor.can_undo
    assert editor.undo_button.disabled


def test_redo_reapplies(editor: RampEditor) -> None:
    editor.reverse()
    editor.undo()
    assert editor.can_redo
    editor.redo_button.click()
    assert editor.ramp == get_ramp("yield").reversed()
    assert not editor.can_redo


def test_new_edit_clears_redo(editor: RampEditor) -> None:
    editor.reverse()
    editor.undo()
    editor.set_mode("nearest")
    assert not editor.can_redo


def test_undo_without_history_is_noop(editor: RampEditor) -> None:
    editor.undo()
    editor.redo()
    assert editor.ramp == get_ramp("yield")


def test_assigning_ramp_updates_rows(editor: RampEditor) -> None:
    editor.ramp = Ramp.from_mapping({"0%": "#000000", "100%": "#ffffff"})
    assert len(editor.rows) == 2
    assert editor.rows[1].color.value == "#ffffff"


def test_bad_text_position_shows_message() -> None:
    editor = RampEditor("yield")
    editor.rows[4].text.value = 250.0
    # Clamped to the percent range rather than rejected.
    assert editor.ramp.positions[4] == 100.0
    assert editor.rows[4].text.value == 100.0
    assert editor.message.value == (
        "<span class='rampkit-note'>stop 5 position 250 % is outside 0-100 %, so 100 % is "
        "used</span>"
    )


def test_place_stops_without_values_raises() -> None:
    editor = RampEditor("yield")
    with pytest.raises(RampError, match=r"cannot place stops by 'quantile': the editor has no"):
        editor.place_stops("quantile", 5)


def test_bad_basis_raises() -> None:
    with pytest.raises(RampError, match=r"basis \(5, 1\) is not a finite ascending range"):
        RampEditor("yield", values=VALUES, basis=(5, 1))


def test_remove_last_stops_shows_message() -> None:
    editor = RampEditor(Ramp.from_mapping({"0%": "red", "100%": "blue"}))
    editor.rows[0].remove.click()
    assert "needs at least 2 stops" in editor.message.value
    assert len(editor.ramp.stops) == 2


def test_place_stops_quantile_linear(editor: RampEditor) -> None:
    editor.place_stops("equal_interval", 4)
    # Equal intervals over 10-110: edges every 25, i.e. every 25 %.
    assert editor.ramp.positions == (0.0, 25.0, 50.0, 75.0, 100.0)
    assert editor.ramp.mode == "linear"
    assert editor.classed


def test_place_stops_discrete_gives_classes(editor: RampEditor) -> None:
    editor.set_mode("discrete")
    editor.scheme.value = "equal_interval"
    editor.k.value = 4
    editor.classify_button.click()
    assert editor.ramp.mode == "discrete"
    assert editor.ramp.positions == (25.0, 50.0, 75.0, 100.0)
    assert editor.classed
    # While classed, a new k re-places the stops.
    editor.k.value = 2
    assert editor.ramp.positions == (50.0, 100.0)


def test_moving_stop_ends_classing(editor: RampEditor) -> None:
    editor.place_stops("equal_interval", 4)
    editor.move_stop(1, 30.0)
    assert not editor.classed
    editor.k.value = 3
    assert editor.ramp.positions[1] == 30.0
