"""Headless tests of the composed lab, on the local images service and a real sample."""

from __future__ import annotations

import base64
import gc
import io
import warnings

import numpy as np
import pytest
from PIL import Image

from rampkit.errors import RampkitError
from rampkit.lab.app import Lab, default_property
from rampkit.presets import get_ramp
from rampkit.render import render_operation
from rampkit.samples import load_sample

pytestmark = pytest.mark.service

SAMPLE = "csiro-area-2-harvest-grain"


@pytest.fixture(scope="module")
def client():
    from rampkit.api.client import ImagesClient

    return ImagesClient.default()


@pytest.fixture
def lab(client) -> Lab:
    return Lab(SAMPLE, client=client)


def _decode(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def test_lab_opens_sample(lab: Lab) -> None:
    assert lab.property_name == "dryMassPerArea"
    assert lab.unit == "t/ha"
    assert ("dryMassPerArea (t/ha)", "dryMassPerArea") in lab.property_picker.options
    assert lab.map_view.legend.title == "dryMassPerArea (t/ha)"
    assert lab.ramp == get_ramp("yield")


def test_map_matches_images_api_render(lab: Lab) -> None:
    expected = render_operation(load_sample(SAMPLE), "dryMassPerArea", "yield", resolution=5.0)
    assert np.array_equal(_decode(lab.map_view.overlay.url), expected.rgba)


def test_stop_slider_repaints_everything(lab: Lab) -> None:
    url = lab.map_view.overlay.url
    legend = dict(lab.map_view.legend.legend)
    histogram = bytes(lab.histogram.image.value)
    lab.editor.rows[2].slider.value = 30.0
    assert lab.ramp.positions[2] == 30.0
    assert lab.map_view.overlay.url != url
    assert lab.map_view.legend.legend != legend
    assert bytes(lab.histogram.image.value) != histogram
    assert lab.export.ramp == lab.ramp
    assert bytes(lab.export.local_image.value) == lab.map_view.png


def test_classing_shows_statistics(lab: Lab) -> None:
    assert lab.stats.rows == []
    lab.editor.mode.value = "discrete"
    lab.editor.scheme.value = "quantile"
    lab.editor.k.value = 5
    lab.editor.classify_button.click()
    assert len(lab.stats.rows) == 5
    assert sum(row.count for row in lab.stats.rows) == int(np.isfinite(lab.grid.values).sum())
    assert len(lab.map_view.legend.legend) == 5


def test_property_picker_regrids(lab: Lab) -> None:
    lab.property_picker.value = "harvestMoisture"
    assert lab.grid.attrs["property"] == "harvestMoisture"
    assert lab.map_view.legend.title == "harvestMoisture (%)"
    assert lab.histogram.unit == "%"


def test_resolution_change_regrids(lab: Lab) -> None:
    shape = lab.grid.shape
    lab.resolution.value = 10.0
    assert lab.grid.shape[0] < shape[0]
    assert lab.map_view.values.shape == lab.grid.shape


def test_too_fine_resolution_shows_error(lab: Lab) -> None:
    shape = lab.grid.shape
    lab.resolution.value = 0.001
    assert "rampkit-error" in lab.status.value
    assert "use a resolution of at least" in lab.status.value
    assert lab.grid.shape == shape


def test_select_other_operation(lab: Lab) -> None:
    lab.select(operation="field-1-2018-applied-urea")
    assert lab.operation.id == "field-1-2018-applied-urea"
    assert lab.property_name == default_property(lab.operation)
    assert lab.operation_picker.value == "field-1-2018-applied-urea"
    assert lab.export.operation_id == "field-1-2018-applied-urea"


def test_unknown_operation_raises(client) -> None:
    with pytest.raises(RampkitError, match=r"operation 'no-such-field' is not listed by the"):
        Lab("no-such-field", client=client)


@pytest.mark.parametrize(
    ("operation", "property", "message"),
    [
        ("no-such-field", None, r"operation 'no-such-field' is not listed by the"),
        (SAMPLE, "noSuchProperty", r"property 'noSuchProperty' is not a numeric property"),
    ],
    ids=["unknown operation", "unknown property"],
)
def test_failed_lab_closes_own_client(operation: str, property: str | None,
                                      message: str) -> None:
    # Garbage from earlier tests is collected first, so only this lab's leaks count.
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RampkitError, match=message):
            Lab(operation, property)
        # An unclosed socket warns when it is collected.
        gc.collect()
    leaks = [str(warning.message) for warning in caught
             if issubclass(warning.category, ResourceWarning)]
    assert leaks == []


def test_failed_lab_keeps_caller_client(client) -> None:
    connections = client.http
    with pytest.raises(RampkitError, match=r"operation 'no-such-field' is not listed"):
        Lab("no-such-field", client=client)
    assert client.http is connections
    assert not connections.is_closed


def test_fixed_basis_reaches_all_views(lab: Lab) -> None:
    lab.basis = (0.0, 10.0)
    assert lab.map_view.resolved_basis.vmax == 10.0
    assert lab.histogram.stop_values[-1] == 10.0
    assert lab.editor.basis == (0.0, 10.0)


def test_compare_tab_builds_split_map(lab: Lab) -> None:
    assert lab.comparison is None
    lab.tabs.selected_index = 2
    comparison = lab.comparison
    assert comparison is not None
    assert comparison.left == lab.ramp
    left = comparison.left_overlay.url
    lab.editor.move_stop(2, 30.0)
    assert comparison.left == lab.ramp
    assert comparison.left_overlay.url != left


def test_compare_follows_new_grid(lab: Lab) -> None:
    comparison = lab.show_comparison("moisture")
    lab.resolution.value = 10.0
    assert lab.comparison is not comparison
    assert lab.comparison.right == get_ramp("moisture")
    assert lab.comparison.painter.values.shape == lab.grid.shape
