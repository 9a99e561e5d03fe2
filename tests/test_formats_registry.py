"""The format registry: detection, sniffing, read_ramp and write_ramp."""

import json

import pytest

from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats import (
    FORMATS,
    detect_format,
    dumps_ramp,
    get_format,
    loads_ramp,
    read_document,
    read_ramp,
    write_ramp,
)
from rampkit.formats.document import RampDocument
from rampkit.presets import get_ramp


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.json", "rampkit"),
        ("a.ramp.json", "rampkit"),
        ("a.colorramp.json", "colorramp"),
        ("a.request.json", "request"),
        ("a.legend.json", "v2legend"),
        ("a.txt", "gdaldem"),
        ("a.clr", "gdaldem"),
        ("A.QGIS.TXT", "qgis"),
        ("a.qml", "qml"),
        ("a.sld", "sld"),
        ("a.titiler.json", "riotiler"),
        ("a.css", "css"),
        ("a.htm", "html"),
    ],
)
def test_detect_format_by_name(name, expected):
    assert detect_format(name).name == expected


def test_cpt_is_read_only():
    assert detect_format("a.cpt", reading=True).name == "gdaldem"
    with pytest.raises(
        FormatError,
        match=r"cannot write 'a.cpt': writing .cpt files is not supported \(gdaldem only reads "
        r"them\); name the file with one of .gdaldem.txt, .txt, .clr",
    ):
        detect_format("a.cpt")


def test_unknown_extension_lists_known_ones():
    with pytest.raises(FormatError, match=r"cannot tell the ramp format of 'a.png'.*\.sld"):
        detect_format("a.png")


def test_unknown_format_name():
    with pytest.raises(FormatError, match=r"unknown ramp format 'geotiff'; use one of rampkit"):
        get_format("geotiff")


def test_every_format_is_described():
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert fmt.description
        assert fmt.can_read or fmt.can_write
        assert set(fmt.modes) <= {"linear", "nearest", "exact", "discrete"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"0%": [200, 0, 0], "100%": [0, 130, 0]}', "colorramp"),
        ('{"colorRamp": {"0%": [200, 0, 0], "100%": [0, 130, 0]}, "resolution": 2}', "request"),
        ('{"ranges": [{"colorCode": "#C80000", "min": 0, "max": 5}]}', "v2legend"),
        ('{"property": "seedRate", "ramp": {"0%": "red", "100%": "blue"}}', "v1image"),
    ],
)
def test_json_content_is_sniffed(tmp_path, content, expected):
    path = tmp_path / "ramp.json"
    path.write_text(content)
    reference = loads_ramp(content, expected)
    assert read_document(path).ramp.with_name("x") == reference.ramp.with_name("x")


def test_qgis_text_in_txt_is_sniffed(tmp_path, cases):
    path = tmp_path / "classes.txt"
    path.write_text(cases["C06"]["input"]["text"])
    document = read_document(path)
    assert document.ramp.mode == "discrete"
    assert document.labels == ("<= 10", "10 - 20", "> 20")


def test_read_ramp_names_ramp_after_file(tmp_path):
    path = tmp_path / "field_7.qgis.txt"
    path.write_text("INTERPOLATION:EXACT\n1,255,0,0,255,a\n2,0,0,255,255,b\n")
    assert read_ramp(path).name == "field_7"


def test_read_error_names_the_file(tmp_path):
    path = tmp_path / "broken.sld"
    path.write_text("<StyledLayerDescriptor>")
    with pytest.raises(FormatError, match=r"broken.sld: SLD is not well-formed XML"):
        read_ramp(path)


def test_write_only_format_cannot_be_read(tmp_path):
    path = tmp_path / "a.css"
    path.write_text(".x {}")
    with pytest.raises(FormatError, match="format 'css' is write-only; read one of rampkit"):
        read_ramp(path)


def test_read_only_format_cannot_be_written(tmp_path):
    with pytest.raises(FormatError, match=r"format 'matplotlib' is read-only.*to_matplotlib"):
        write_ramp(get_ramp("yield"), tmp_path / "a.txt", format="matplotlib")


def test_unknown_option_is_rejected():
    with pytest.raises(
        FormatError, match="option 'nodata' is not used by format 'qml'; its options: band"
    ):
        dumps_ramp(get_ramp("yield"), "qml", basis=(0, 1), nodata=-9999)


@pytest.mark.parametrize(
    ("fmt", "options", "expected"),
    [
        ("request", {"resolution": "abc"}, "option resolution 'abc' is not a positive number"),
        ("request", {"resolution": [2]}, r"option resolution \[2\] is not a positive number"),
        ("request", {"shape": 1}, "shape 1 is not supported; use ROUND or SQUARE"),
        ("qml", {"band": "x"}, r"option band 'x' is not a band number.*band=1"),
        ("sld", {"nodata": "x"}, r"option nodata 'x' is not a finite number.*nodata=-9999"),
        ("css", {"direction": "sideways"}, "direction 'sideways' is not a CSS gradient"),
    ],
)
def test_bad_option_value_is_rejected(fmt, options, expected):
    with pytest.raises(FormatError, match=expected):
        dumps_ramp(get_ramp("yield"), fmt, basis=(0, 1), **options)


def test_numeric_option_text_is_parsed():
    assert '<rasterrenderer type="singlebandpseudocolor" band="2"' in dumps_ramp(
        get_ramp("yield"), "qml", basis=(0, 1), band="2"
    )
    assert 'quantity="-9999"' in dumps_ramp(get_ramp("yield"), "sld", basis=(0, 1), nodata="-9999")


def test_matplotlib_is_read_by_name():
    document = read_document("viridis", format="matplotlib")
    assert document.ramp.mode == "nearest"
    assert len(document.ramp.stops) == 256


def test_format_argument_overrides_name(tmp_path):
    path = write_ramp(get_ramp("yield"), tmp_path / "out.json", format="colorramp")
    assert json.loads(path.read_text())["25%"] == [252, 141, 89]


def test_basis_is_recorded_in_rampkit_document(tmp_path):
    path = write_ramp(get_ramp("yield"), tmp_path / "out.ramp.json", basis=(100, 200))
    document = read_document(path)
    assert (document.basis.kind, document.basis.vmin, document.basis.vmax) == (
        "fixed",
        100.0,
        200.0,
    )


def test_gdaldem_gets_values_with_basis():
    text = dumps_ramp(get_ramp("yield"), "gdaldem", basis=(100, 200))
    assert "\n150 254 224 139 255\n" in text
    assert "%" not in text
    assert "\n50% 254 224 139 255\n" in dumps_ramp(get_ramp("yield"), "gdaldem")


def test_lossy_error_lists_every_loss():
    ramp = get_ramp("yield").with_mode("nearest").with_stop(0, color=[1, 2, 3, 4])
    with pytest.raises(LossyConversionError) as error:
        dumps_ramp(ramp, "v2legend")
    message = str(error.value)
    assert "writing ramp 'yield' as a V2 legend would lose" in message
    assert "the percent stops" in message
    assert "mode 'nearest'" in message
    assert "alpha of the stops at 0%" in message
    assert message.endswith("pass lossy=True (--lossy on the command line) to accept the loss")


def test_document_writers_accept_plain_ramps():
    assert isinstance(
        loads_ramp(dumps_ramp(get_ramp("yield"), "rampkit"), "rampkit"), RampDocument
    )


def test_zero_width_basis_is_rejected():
    for fmt in ("qml", "gdaldem", "request", "rampkit"):
        with pytest.raises(FormatError, match=r"basis 100,100 has zero width.*vmin below vmax"):
            dumps_ramp(get_ramp("yield"), fmt, basis=(100, 100))


def test_zero_width_document_basis_is_rejected():
    from rampkit.colorize import Basis

    document = RampDocument(get_ramp("yield"), basis=Basis.fixed(5, 5))
    for fmt in ("qml", "gdaldem", "sld"):
        with pytest.raises(FormatError, match=r"basis 5,5 has zero width"):
            dumps_ramp(document, fmt)
