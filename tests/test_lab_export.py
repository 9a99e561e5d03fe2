"""Headless tests of the export panel: files through write_ramp, images through the API."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rampkit.errors import RampkitError
from rampkit.formats import FORMATS, read_ramp
from rampkit.lab.export import ExportPanel
from rampkit.presets import get_ramp
from rampkit.render import render_operation
from rampkit.samples import load_sample

SAMPLE = "csiro-area-2-harvest-grain"


def test_format_list_is_writable_formats() -> None:
    panel = ExportPanel("yield")
    writable = [name for name, spec in FORMATS.items() if spec.writer is not None]
    assert list(panel.format.options) == writable


def test_file_name_follows_format() -> None:
    panel = ExportPanel("yield")
    panel.format.value = "gdaldem"
    assert panel.filename.value == "yield" + FORMATS["gdaldem"].extensions[0]


def test_save_round_trips(tmp_path) -> None:
    ramp = get_ramp("yield").move_stop(2, 40.0)
    panel = ExportPanel(ramp, directory=tmp_path)
    panel.format.value = "rampkit"
    panel.save_button.click()
    path = panel.saved[-1]
    assert path.parent == tmp_path
    assert read_ramp(path) == ramp
    assert "saved rampkit" in panel.status.value


def test_save_keeps_existing_file(tmp_path) -> None:
    panel = ExportPanel("yield", directory=tmp_path)
    panel.format.value = "gdaldem"
    panel.save_button.click()
    first = panel.saved[-1].read_text()
    panel.ramp = get_ramp("moisture")
    panel.save_button.click()
    assert "exists" in panel.status.value
    assert panel.saved[-1].read_text() == first
    panel.overwrite.value = True
    panel.save_button.click()
    assert panel.saved[-1].read_text() != first


def test_every_format_saves(tmp_path) -> None:
    panel = ExportPanel("yield", directory=tmp_path, basis=None)
    panel.lossy.value = True
    panel.basis = (0.0, 10.0)
    for name in panel.format.options:
        panel.format.value = name
        path = panel.save()
        assert path.is_file(), name
        assert path.stat().st_size > 0, name


def test_send_without_client_raises() -> None:
    panel = ExportPanel("yield")
    assert panel.send_button.disabled
    with pytest.raises(RampkitError, match=r"cannot send the ramp: the export panel has no API"):
        panel.send()


@pytest.mark.service
def test_send_matches_local_render() -> None:
    from rampkit.api.client import ImagesClient

    client = ImagesClient.default()
    ramp = get_ramp("yield").move_stop(2, 35.0)
    panel = ExportPanel(
        ramp, client=client, operation_id=SAMPLE, property="dryMassPerArea", resolution=5.0
    )
    panel.send_button.click()
    remote = np.asarray(Image.open(io.BytesIO(bytes(panel.remote_image.value))))
    local = render_operation(load_sample(SAMPLE), "dryMassPerArea", ramp, resolution=5.0)
    assert np.array_equal(remote, local.rgba)
    assert "images API returned" in panel.status.value
