"""Headless tests of the basis picker, alone and inside the lab."""

from __future__ import annotations

import numpy as np
import pytest

from rampkit.colorize import Basis
from rampkit.lab.app import Lab
from rampkit.lab.basis import BasisPicker

SAMPLE = "csiro-area-2-harvest-grain"


@pytest.fixture(scope="module")
def client():
    from rampkit.api.client import ImagesClient

    with ImagesClient.default() as images_client:
        yield images_client


@pytest.fixture
def lab(client) -> Lab:
    return Lab(SAMPLE, client=client)


def _valid(lab: Lab) -> np.ndarray:
    values = np.asarray(lab.grid.values)
    return values[np.isfinite(values)]


# -- the picker alone -------------------------------------------------------------


def test_fixed_starts_at_data_range() -> None:
    picker = BasisPicker(data_range=(20.0, 80.0), unit="bu/ac")
    assert picker.low.disabled
    picker.kind.value = "fixed"
    assert picker.basis == Basis.fixed(20.0, 80.0)
    assert not picker.low.disabled
    assert picker.unit_label.value == "bu/ac"


def test_trimmed_starts_at_2_and_98() -> None:
    picker = BasisPicker(data_range=(20.0, 80.0))
    picker.kind.value = "trimmed"
    assert picker.basis == Basis.trimmed(2.0, 98.0)
    assert "percentiles" in picker.unit_label.value


def test_typed_bounds_change_basis() -> None:
    picker = BasisPicker(Basis.fixed(0.0, 100.0))
    picker.high.value = 250.0
    assert picker.basis == Basis.fixed(0.0, 250.0)
    picker.low.value = 50.0
    assert picker.basis == Basis.fixed(50.0, 250.0)


def test_inverted_range_keeps_basis() -> None:
    picker = BasisPicker(Basis.fixed(20.0, 80.0))
    picker.low.value = 90.0
    assert picker.basis == Basis.fixed(20.0, 80.0)
    assert "low 90 must be below high 80" in picker.message.value
    assert "The map keeps the fixed range 20 to 80." in picker.message.value
    picker.low.value = 10.0
    assert picker.basis == Basis.fixed(10.0, 80.0)
    assert picker.message.value == ""


def test_percentile_over_100_keeps_basis() -> None:
    picker = BasisPicker(Basis.trimmed(5.0, 95.0))
    picker.high.value = 120.0
    assert picker.basis == Basis.trimmed(5.0, 95.0)
    expected = "low 5 and high 120 must satisfy 0 &lt;= low &lt; high &lt;= 100"
    assert expected in picker.message.value
    assert "The map keeps the percentiles 5 to 95." in picker.message.value


def test_nan_bound_keeps_basis() -> None:
    picker = BasisPicker(Basis.fixed(20.0, 80.0))
    picker.high.value = float("nan")
    assert picker.basis == Basis.fixed(20.0, 80.0)
    assert "must both be numbers" in picker.message.value


def test_back_to_data_range() -> None:
    picker = BasisPicker(Basis.fixed(0.0, 1.0), data_range=(3.0, 4.0))
    picker.kind.value = "data"
    assert picker.basis == Basis.data()
    assert (picker.low.value, picker.high.value) == (3.0, 4.0)
    assert picker.high.disabled


def test_new_data_clears_stale_error() -> None:
    picker = BasisPicker(Basis.fixed(10.0, 20.0), data_range=(3.0, 4.0))
    picker.low.value = 30.0
    assert picker.message.value != ""
    picker.set_data_range((5.0, 9.0))
    assert picker.message.value == ""
    assert (picker.low.value, picker.high.value) == (10.0, 20.0)


def test_new_data_keeps_fixed_basis() -> None:
    picker = BasisPicker(Basis.fixed(0.0, 1.0), data_range=(3.0, 4.0))
    picker.set_data_range((5.0, 9.0), "%")
    assert picker.basis == Basis.fixed(0.0, 1.0)
    assert (picker.low.value, picker.high.value) == (0.0, 1.0)
    assert picker.unit_label.value == "%"


# -- inside the lab ---------------------------------------------------------------


def test_lab_picker_starts_at_data_range(lab: Lab) -> None:
    valid = _valid(lab)
    assert lab.basis_picker.basis == Basis.data()
    assert lab.basis_picker.low.value == pytest.approx(float(valid.min()))
    assert lab.basis_picker.high.value == pytest.approx(float(valid.max()))


def test_lab_fixed_basis_repaints_views(lab: Lab) -> None:
    png = lab.map_view.png
    lab.basis_picker.kind.value = "fixed"
    lab.basis_picker.high.value = float(_valid(lab).max()) * 2
    vmax = lab.basis_picker.high.value
    assert lab.basis == Basis.fixed(lab.basis_picker.low.value, vmax)
    assert lab.map_view.resolved_basis.vmax == vmax
    assert lab.histogram.stop_values[-1] == vmax
    assert lab.editor.basis[1] == vmax
    assert lab.export.basis.vmax == vmax
    assert lab.map_view.png != png


def test_lab_trimmed_basis_uses_percentiles(lab: Lab) -> None:
    lab.basis_picker.kind.value = "trimmed"
    low, high = np.percentile(_valid(lab).astype(np.float64), [2.0, 98.0])
    resolved = lab.map_view.resolved_basis
    assert resolved.kind == "trimmed"
    assert resolved.vmin == pytest.approx(low)
    assert resolved.vmax == pytest.approx(high)


def test_lab_basis_setter_updates_picker(lab: Lab) -> None:
    lab.basis = (5.0, 50.0)
    assert lab.basis_picker.kind.value == "fixed"
    assert (lab.basis_picker.low.value, lab.basis_picker.high.value) == (5.0, 50.0)
    assert lab.basis_picker.basis == Basis.fixed(5.0, 50.0)
    # The setter's own value is kept, not replaced by the picker's echo.
    assert lab.basis == (5.0, 50.0)


def test_lab_shows_resolved_range(lab: Lab) -> None:
    lab.basis_picker.kind.value = "trimmed"
    resolved = lab.map_view.resolved_basis
    assert f"0% = {resolved.vmin:.6g} " in lab.basis_picker.resolved.value
    assert f"100% = {resolved.vmax:.6g} " in lab.basis_picker.resolved.value


def test_lab_fixed_range_reset_for_other_property(lab: Lab) -> None:
    first = lab.property_name
    lab.basis = (40.0, 60.0)
    other = next(value for _, value in lab.property_picker.options if value != first)
    lab.property_picker.value = other
    assert lab.basis is None
    assert lab.basis_picker.basis == Basis.data()
    assert lab.map_view.resolved_basis.kind == "data"
    assert f"was set for {first}" in lab.status.value
    assert f"the data range of {other}" in lab.status.value


def test_lab_fixed_range_kept_for_same_property(lab: Lab) -> None:
    lab.basis = (40.0, 60.0)
    lab.resolution.value = float(lab.resolution.value) * 2
    assert lab.basis == (40.0, 60.0)
    assert lab.map_view.resolved_basis.vmax == 60.0


def test_lab_fixed_range_outside_data_noted(lab: Lab) -> None:
    top = float(_valid(lab).max())
    lab.basis = (top + 10.0, top + 20.0)
    lab.resolution.value = float(lab.resolution.value) * 2
    assert "every value lies below the fixed range" in lab.status.value


def test_lab_new_property_updates_range(lab: Lab) -> None:
    before = (lab.basis_picker.low.value, lab.basis_picker.high.value)
    other = next(
        value for _, value in lab.property_picker.options if value != lab.property_name
    )
    lab.property_picker.value = other
    valid = _valid(lab)
    after = (lab.basis_picker.low.value, lab.basis_picker.high.value)
    assert after != before
    assert after[0] == pytest.approx(float(valid.min()))
    assert after[1] == pytest.approx(float(valid.max()))
