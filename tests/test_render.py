"""render_operation: the one path from an operation to a PNG."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rampkit.colorize import Basis, colorize
from rampkit.errors import GridError, OperationDataError, UnknownRampError
from rampkit.grid import rasterize
from rampkit.operations import clean_operation, read_operation
from rampkit.presets import get_ramp
from rampkit.render import default_resolution, render_operation
from rampkit.samples import list_samples, load_sample

FIXTURES = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("entry", list_samples(), ids=lambda entry: entry["id"])
def test_every_sample_renders(entry: dict) -> None:
    op = load_sample(entry["id"])
    image = render_operation(op, entry["property"], "leaf_standard", resolution=2)
    rgba = np.asarray(Image.open(io.BytesIO(image.png)))
    assert rgba.shape == (image.height, image.width, 4)
    assert (rgba[..., 3] > 0).any()
    assert image.property == entry["property"]
    assert image.unit == op.units.get(entry["property"])
    assert image.basis.vmin < image.basis.vmax


def test_render_equals_steps() -> None:
    # The image is exactly clean -> rasterize -> colorize, with the basis from the grid.
    op = load_sample("field-1-2018-applied-urea")
    ramp = get_ramp("leaf_standard")
    image = render_operation(op, "appliedRate", ramp, resolution=3)
    grid = rasterize(clean_operation(op).operation, "appliedRate", resolution=3)
    expected = colorize(grid.values, ramp)
    np.testing.assert_array_equal(image.rgba, expected.rgba)
    assert image.basis == Basis("data", float(np.nanmin(grid.values)),
                                float(np.nanmax(grid.values)))


def test_same_request_same_bytes() -> None:
    op = load_sample("csiro-area-2-harvest-grain")
    first = render_operation(op, "dryMassPerArea", "leaf_standard")
    again = render_operation(read_operation(op_path("csiro-area-2-harvest-grain")),
                             "dryMassPerArea", get_ramp("leaf_standard"))
    assert first.png == again.png


def op_path(operation_id: str) -> Path:
    from rampkit.samples import sample_path

    return sample_path(operation_id)


def test_shuffled_points_same_png(rng: np.random.Generator) -> None:
    op = load_sample("isoxml-task-1-forage-harvest")
    order = rng.permutation(len(op))
    shuffled = replace(
        op,
        lon=op.lon[order],
        lat=op.lat[order],
        properties={name: values[order] for name, values in op.properties.items()},
        extra={name: values[order] for name, values in op.extra.items()},
    )
    first = render_operation(op, "wetMassPerArea", "yield", resolution=1)
    second = render_operation(shuffled, "wetMassPerArea", "yield", resolution=1)
    assert first.png == second.png


def test_cleaning_switch() -> None:
    op = load_sample("field-2-2017-harvest-oats")
    cleaned = render_operation(op, "wetVolumePerArea", "leaf_standard", resolution=3)
    raw = render_operation(op, "wetVolumePerArea", "leaf_standard", resolution=3, clean=False)
    # VRYIELDVOL has zeros that the default rules drop; without cleaning they set the minimum.
    assert raw.basis.vmin == 0.0
    assert cleaned.basis.vmin > 0.0
    loose = render_operation(op, "wetVolumePerArea", "leaf_standard", resolution=3,
                             clean={"outlier_filter": False})
    assert loose.basis.vmax >= cleaned.basis.vmax


def test_column_name_and_4326() -> None:
    op = load_sample("field-2-2019-planted-spring-wheat")
    image = render_operation(op, "AppldRt", "leaf_standard", projection="EPSG_4326",
                             shape="SQUARE")
    assert image.property == "seedRate"
    assert image.crs == "EPSG:4326"
    assert image.transform.a == default_resolution("EPSG:4326")
    (south, west), (north, east) = image.latlon_bounds
    assert south <= op.lat.min() <= op.lat.max() <= north
    assert west <= op.lon.min() <= op.lon.max() <= east


def test_unknown_property_lists_properties() -> None:
    op = load_sample("field-1-2018-applied-urea")
    message = r"property .yield. .* it has: appliedRate \(rate_appld\), x, y"
    with pytest.raises(OperationDataError, match=message):
        render_operation(op, "yield", "leaf_standard")


def test_everything_filtered_out() -> None:
    op = read_operation(FIXTURES / "ops_all_filtered.geojson")
    message = r"cleaning removed all 2 points .*clean=False \(--no-clean\)"
    with pytest.raises(OperationDataError, match=message):
        render_operation(op, "dryVolumePerArea", "leaf_standard")


def test_unknown_ramp() -> None:
    op = load_sample("csiro-area-2-harvest-grain")
    with pytest.raises(UnknownRampError):
        render_operation(op, "dryMassPerArea", "no_such_ramp")


def test_bad_resolution() -> None:
    op = load_sample("csiro-area-2-harvest-grain")
    with pytest.raises(GridError, match="resolution -1.0 must be a finite number above 0"):
        render_operation(op, "dryMassPerArea", "leaf_standard", resolution=-1)


def test_geojson_from_operation_renders_same() -> None:
    from rampkit.operations import operation_from_geojson

    op = load_sample("csiro-area-2-harvest-grain")
    again = operation_from_geojson(json.loads(json.dumps(op.to_geojson())), units=dict(op.units))
    first = render_operation(op, "dryMassPerArea", "leaf_standard")
    second = render_operation(again, "dryMassPerArea", "leaf_standard")
    assert first.png == second.png
