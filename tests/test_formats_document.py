"""The rampkit ramp document: keys, order, labels and errors."""

import json

import pytest

from rampkit.colorize import Basis
from rampkit.errors import FormatError, RampError
from rampkit.formats.document import (
    ClassificationSpec,
    RampDocument,
    dumps_document,
    loads_document,
)
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

FULL = RampDocument(
    Ramp.from_mapping(
        {"0%": "#c80000", "50%": [255, 240, 0, 128], "100%": "#008200", "nv": [1, 2, 3, 4]},
        mode="discrete",
        name="yield_classes",
        description="three classes",
    ),
    property="dryVolumePerArea",
    unit="bu/ac",
    basis=Basis("trimmed", 110.5, 230.25, 2, 98),
    classification=ClassificationSpec("quantile", 3, (100.0, 150.0, 190.0, 240.0)),
    label_format="{value:.0f} {unit}",
    labels=("low", "mid", "high"),
    notes="tuned on the 2018 wheat harvest",
)


def test_round_trip_keeps_every_field():
    assert loads_document(dumps_document(FULL)) == FULL
    assert RampDocument.from_dict(FULL.to_dict()) == FULL


def test_keys_come_in_fixed_order():
    keys = list(json.loads(dumps_document(FULL)))
    assert keys == [
        "schema",
        "name",
        "description",
        "property",
        "unit",
        "mode",
        "stops",
        "nodata_color",
        "basis",
        "classification",
        "label_format",
        "notes",
    ]


def test_colors_are_hex_and_labels_sit_in_stops():
    data = json.loads(dumps_document(FULL))
    assert data["stops"][1] == {"position": "50%", "color": "#fff00080", "label": "mid"}
    assert data["nodata_color"] == "#01020304"
    assert data["basis"] == {
        "kind": "trimmed",
        "vmin": 110.5,
        "vmax": 230.25,
        "lower": 2.0,
        "upper": 98.0,
    }


def test_text_is_diff_friendly():
    text = dumps_document(FULL)
    assert text.endswith("}\n")
    # One stop field per line, so a changed color is a one-line diff.
    assert '      "color": "#c80000",\n' in text
    assert dumps_document(FULL) == text


def test_preset_file_is_a_document():
    document = loads_document(json.dumps(get_ramp("yield").to_dict()))
    assert document.ramp == get_ramp("yield")
    assert document.basis is None


def test_labels_follow_sorted_stops():
    data = {
        "stops": [
            {"position": 10, "color": "red", "label": "ten"},
            {"position": 5, "color": "blue", "label": "five"},
        ]
    }
    document = RampDocument.from_dict(data)
    assert document.ramp.positions == (5.0, 10.0)
    assert document.labels == ("five", "ten")


def test_stop_labels_use_label_format():
    document = RampDocument(
        get_ramp("yield").resolve(100, 200),
        unit="bu/ac",
        label_format="{lower:.0f}-{upper:.0f} {unit}",
    )
    labels = document.stop_labels()
    assert labels[0] == "-inf-100 bu/ac"
    assert labels[1] == "100-125 bu/ac"


def test_stop_labels_default_to_keys():
    assert RampDocument(get_ramp("yield")).stop_labels() == list(get_ramp("yield").keys())


def test_wrong_label_count_is_rejected():
    with pytest.raises(RampError, match="2 labels for 5 stops; give one label per stop"):
        RampDocument(get_ramp("yield"), labels=("a", "b"))


def test_unknown_schema_is_rejected():
    with pytest.raises(FormatError, match="schema 'rampkit.ramp/2' is not supported"):
        loads_document('{"schema": "rampkit.ramp/2", "stops": []}')


def test_bad_basis_is_rejected():
    text = json.dumps({**get_ramp("yield").to_dict(), "basis": {"kind": "fixed", "low": 1}})
    with pytest.raises(FormatError, match="basis .* has unknown keys; use kind, vmin, vmax"):
        loads_document(text)


def test_bad_classification_is_rejected():
    with pytest.raises(RampError, match=r"have 3 values for k=3; give k \+ 1 = 4 edges"):
        ClassificationSpec("quantile", 3, (1, 2, 3))
    with pytest.raises(RampError, match="are not ascending at index 2"):
        ClassificationSpec("manual", 2, (1, 3, 2))
    with pytest.raises(RampError, match="k 0 is not a positive integer"):
        ClassificationSpec("manual", 0)


def test_not_an_object_is_rejected():
    with pytest.raises(FormatError, match="a ramp document is a JSON object, got list"):
        loads_document("[]")
