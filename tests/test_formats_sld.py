"""SLD ColorMap reading and writing."""

import xml.etree.ElementTree as ET

import pytest

from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.document import RampDocument
from rampkit.formats.sld import dumps_sld, loads_sld
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

NS = {"sld": "http://www.opengis.net/sld"}
ABSOLUTE = Ramp.from_mapping(
    {"100": "#c80000", "150": [255, 240, 0, 77], "200": "#008200"}, name="yield_bu"
)


def color_map(text):
    return ET.fromstring(text.encode()).find(".//sld:ColorMap", NS)


@pytest.mark.parametrize(
    ("mode", "kind"), [("linear", "ramp"), ("discrete", "intervals"), ("exact", "values")]
)
def test_type_follows_mode(mode, kind):
    text = dumps_sld(ABSOLUTE.with_mode(mode))
    assert color_map(text).get("type") == kind
    assert loads_sld(text).ramp.mode == mode


def test_document_structure():
    root = ET.fromstring(dumps_sld(ABSOLUTE).encode())
    assert root.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"
    assert root.get("version") == "1.0.0"
    assert root.find("./sld:NamedLayer/sld:Name", NS).text == "yield_bu"
    path = "./sld:NamedLayer/sld:UserStyle/sld:FeatureTypeStyle/sld:Rule/sld:RasterSymbolizer"
    assert root.find(path + "/sld:ColorMap", NS) is not None


def test_entries_carry_opacity_and_labels():
    document = RampDocument(ABSOLUTE, labels=("low", "mid", "high"))
    entries = color_map(dumps_sld(document)).findall("sld:ColorMapEntry", NS)
    assert [e.get("quantity") for e in entries] == ["100", "150", "200"]
    assert entries[1].get("opacity") == "0.302"
    assert entries[1].get("color") == "#fff000"
    assert [e.get("label") for e in entries] == ["low", "mid", "high"]


def test_round_trip_with_alpha_and_labels():
    document = RampDocument(ABSOLUTE, labels=("low", "mid", "high"))
    assert loads_sld(dumps_sld(document)) == document


def test_every_alpha_survives():
    for alpha in range(256):
        ramp = Ramp.from_mapping({"0": [1, 2, 3, alpha], "1": [4, 5, 6]})
        assert loads_sld(dumps_sld(ramp, lossy=True)).ramp.colors[0][3] == alpha


def test_nodata_entry_carries_nv():
    ramp = ABSOLUTE.with_nodata_color([10, 20, 30, 255])
    with pytest.raises(LossyConversionError, match="the nv color #0a141eff"):
        dumps_sld(ramp)
    text = dumps_sld(ramp, nodata=-9999)
    entries = color_map(text).findall("sld:ColorMapEntry", NS)
    assert (entries[0].get("quantity"), entries[0].get("label")) == ("-9999", "nv")
    assert loads_sld(text).ramp == ramp


def test_percent_ramp_needs_basis():
    with pytest.raises(LossyConversionError, match="would lose the percent stops"):
        dumps_sld(get_ramp("yield"))
    ramp = loads_sld(dumps_sld(get_ramp("yield"), basis=(0, 200))).ramp
    assert ramp.positions == (0.0, 50.0, 100.0, 150.0, 200.0)


def test_nearest_is_lossy():
    with pytest.raises(LossyConversionError, match="mode 'nearest'"):
        dumps_sld(ABSOLUTE.with_mode("nearest"))


def test_reads_prefixed_and_plain_sld():
    prefixed = (
        '<sld:StyledLayerDescriptor xmlns:sld="http://www.opengis.net/sld"><sld:NamedLayer>'
        "<sld:Name>dem</sld:Name><sld:UserStyle><sld:FeatureTypeStyle><sld:Rule>"
        '<sld:RasterSymbolizer><sld:ColorMap type="intervals">'
        '<sld:ColorMapEntry color="#008000" quantity="150"/>'
        '<sld:ColorMapEntry color="#663333" quantity="256"/>'
        "</sld:ColorMap></sld:RasterSymbolizer></sld:Rule></sld:FeatureTypeStyle>"
        "</sld:UserStyle></sld:NamedLayer></sld:StyledLayerDescriptor>"
    )
    ramp = loads_sld(prefixed).ramp
    assert (ramp.name, ramp.mode, ramp.positions) == ("dem", "discrete", (150.0, 256.0))
    plain = (
        '<ColorMap><ColorMapEntry color="#000000" quantity="0"/>'
        '<ColorMapEntry color="#ffffff" quantity="1"/></ColorMap>'
    )
    assert loads_sld(plain).ramp.mode == "linear"


def test_errors_name_the_entry():
    with pytest.raises(FormatError, match="SLD has no ColorMap"):
        loads_sld("<StyledLayerDescriptor/>")
    with pytest.raises(FormatError, match="ColorMap type 'classes' is unknown"):
        loads_sld('<ColorMap type="classes"/>')
    with pytest.raises(FormatError, match="ColorMapEntry 2: quantity 'high' is not a finite"):
        loads_sld(
            '<ColorMap><ColorMapEntry color="#000000" quantity="0"/>'
            '<ColorMapEntry color="#ffffff" quantity="high"/></ColorMap>'
        )
    with pytest.raises(FormatError, match="ColorMapEntry 1: opacity '2' is not a number in 0-1"):
        loads_sld('<ColorMap><ColorMapEntry color="#000000" quantity="0" opacity="2"/></ColorMap>')
    with pytest.raises(FormatError, match="ColorMapEntry 1: invalid hex color '#12'"):
        loads_sld('<ColorMap><ColorMapEntry color="#12" quantity="0"/></ColorMap>')
