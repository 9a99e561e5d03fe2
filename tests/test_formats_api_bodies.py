"""The images API's request body and V2 legend as ramp formats."""

import json

import pytest

from rampkit.api.models import ImageRequest
from rampkit.colorize import Basis
from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.document import ClassificationSpec, RampDocument
from rampkit.formats.request import (
    dumps_image_request,
    from_image_request,
    loads_image_request,
    to_image_request,
)
from rampkit.formats.v2legend import dumps_v2_legend, loads_v2_legend, to_v2_legend
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

V2_COLORS = ["#C80000", "#FF2800", "#FF9600", "#FFF000", "#00E600", "#00BE00", "#008200"]
EDGES = (101.5, 130.0, 140.0, 150.0, 160.0, 170.0, 180.0, 212.25)


# -- POST /images body ----------------------------------------------------------------


def test_plain_body_has_documented_fields():
    body = to_image_request(get_ramp("leaf_standard"))
    assert body == {
        "colorRamp": {
            "0%": [200, 0, 0],
            "35%": [255, 40, 0],
            "45%": [255, 150, 0],
            "55%": [255, 240, 0],
            "65%": [0, 230, 0],
            "75%": [0, 190, 0],
            "100%": [0, 130, 0],
            "nv": [0, 0, 0, 0],
        },
        "projection": "EPSG_3857",
        "resolution": 1,
        "shape": "ROUND",
    }


def test_body_carries_mode_basis_and_property():
    document = RampDocument(
        get_ramp("yield").with_mode("nearest"),
        property="dryVolumePerArea",
        basis=Basis.fixed(100, 200),
    )
    body = to_image_request(document, resolution=2.5, shape="square", operation_id="op-1")
    assert body["interpolation"] == "nearest"
    assert body["basis"] == {"kind": "fixed", "vmin": 100.0, "vmax": 200.0}
    assert body["shape"] == "SQUARE"
    # The local service's own request model accepts the body.
    request = ImageRequest.model_validate(body)
    assert request.ramp() == document.ramp.with_name("")
    assert loads_image_request(dumps_image_request(document)) == document.with_ramp(
        document.ramp.with_name("")
    )


def test_body_option_errors():
    ramp = get_ramp("yield")
    with pytest.raises(FormatError, match="projection 'EPSG:32615' is not supported"):
        to_image_request(ramp, projection="EPSG:32615")
    with pytest.raises(FormatError, match="shape 'HEX' is not supported; use ROUND or SQUARE"):
        to_image_request(ramp, shape="HEX")
    with pytest.raises(FormatError, match="resolution 0 is not a positive number"):
        to_image_request(ramp, resolution=0)


def test_body_hard_step_is_lossy():
    ramp = Ramp((("0%", "red"), ("50%", "blue"), ("50%", "white"), ("100%", "black")))
    with pytest.raises(LossyConversionError, match="two stops sit at '50%'"):
        to_image_request(ramp)


def test_body_read_errors():
    with pytest.raises(FormatError, match="this one has no 'colorRamp'"):
        from_image_request({"projection": "EPSG_3857"})
    with pytest.raises(FormatError, match="interpolation 'cubic' is not a mode"):
        from_image_request({"colorRamp": {"0%": "red", "100%": "blue"}, "interpolation": "cubic"})
    with pytest.raises(FormatError, match="basis 'median' is not understood"):
        from_image_request({"colorRamp": {"0%": "red", "100%": "blue"}, "basis": "median"})


# -- V2 legend ----------------------------------------------------------------------


def v2_document():
    ramp = Ramp(tuple(zip(EDGES[1:], V2_COLORS, strict=True)), relative=False, mode="discrete")
    return RampDocument(ramp, classification=ClassificationSpec("quantile", 7, EDGES))


def test_v2_legend_ranges():
    legend = to_v2_legend(v2_document())
    assert len(legend["ranges"]) == 7
    assert legend["ranges"][0] == {"colorCode": "#C80000", "min": 101.5, "max": 130.0}
    assert legend["ranges"][-1] == {"colorCode": "#008200", "min": 180.0, "max": 212.25}


def test_v2_legend_round_trip_keeps_edges():
    back = loads_v2_legend(dumps_v2_legend(v2_document()))
    assert back.ramp == v2_document().ramp
    assert back.classification.edges == EDGES


def test_v2_legend_matches_legend_module():
    import numpy as np

    from rampkit.classify import classify
    from rampkit.legend import v2_legend

    values = np.linspace(0, 70, 71)
    classification = classify(values, "equal_interval", k=7)
    theirs = v2_legend(classification, V2_COLORS)
    document = RampDocument(
        classification.to_ramp(V2_COLORS),
        classification=(ClassificationSpec("equal_interval", 7, tuple(classification.edges))),
    )
    assert to_v2_legend(document) == theirs


def test_v2_legend_losses():
    ramp = get_ramp("yield")
    with pytest.raises(LossyConversionError, match="percent stops.*mode 'linear'"):
        to_v2_legend(ramp)
    alpha = v2_document().ramp.with_stop(0, color=[200, 0, 0, 100])
    with pytest.raises(LossyConversionError, match="alpha of the stops at 130"):
        to_v2_legend(alpha)


def test_v2_legend_lower_bound_from_basis():
    ramp = Ramp.from_mapping({"10": "red", "20": "blue"}, mode="discrete")
    assert to_v2_legend(ramp, basis=(2, 20))["ranges"][0]["min"] == 2.0
    assert to_v2_legend(ramp)["ranges"][0]["min"] == 10.0


def test_v2_legend_read_error():
    with pytest.raises(FormatError, match="ranges\\[1\\].max 'x' is not a finite number"):
        loads_v2_legend(
            json.dumps(
                {
                    "ranges": [
                        {"colorCode": "#C80000", "min": 0, "max": 1},
                        {"colorCode": "#C80000", "min": 1, "max": "x"},
                    ]
                }
            )
        )
