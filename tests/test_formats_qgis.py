"""QGIS color map files and QML: reading, writing, and rendering in real QGIS."""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import decode, require_tool

from rampkit.colorize import colorize, evaluate
from rampkit.errors import FormatError, LossyConversionError
from rampkit.formats.document import RampDocument
from rampkit.formats.qgis import (
    dumps_qgis_colormap,
    dumps_qml,
    loads_qgis_colormap,
    loads_qml,
)
from rampkit.presets import get_ramp
from rampkit.ramp import Ramp

DATA = Path(__file__).parent / "data" / "formats"
SYSTEM_PYTHON = "/usr/bin/python3"

DISCRETE = Ramp.from_mapping(
    {"10": [200, 0, 0], "20": [0, 200, 0, 128], "30": [0, 0, 200]}, mode="discrete"
)


# -- the color map export file --------------------------------------------------


def test_export_file_with_interpolation_header_and_inf_row(cases):
    case = cases["C06"]
    document = loads_qgis_colormap(case["input"]["text"])
    expected = case["expected"]
    assert document.ramp.mode == expected["mode"]
    assert list(document.labels) == expected["labels"]
    # The alpha column survives.
    assert document.ramp.colors[1] == (0, 200, 0, 128)
    values = np.array(decode(case["input"]["values"]), dtype=float)
    assert evaluate(values, document.ramp).tolist() == expected["rgba"]


def test_inf_row_sits_on_previous_value(cases):
    document = loads_qgis_colormap(cases["C06"]["input"]["text"])
    assert document.ramp.positions == (10.0, 20.0, 20.0)
    assert document.ramp.colors[2] == (0, 0, 200, 255)


@pytest.mark.parametrize(
    ("header", "mode"),
    [("INTERPOLATED", "linear"), ("DISCRETE", "discrete"), ("EXACT", "exact")],
)
def test_interpolation_header_sets_mode(header, mode):
    text = f"INTERPOLATION:{header}\n0,0,0,0,255,low\n10,255,255,255,255,high\n"
    assert loads_qgis_colormap(text).ramp.mode == mode


def test_files_written_by_qgis_read_back():
    discrete = loads_qgis_colormap((DATA / "qgis_3_22_discrete.txt").read_text())
    interpolated = loads_qgis_colormap((DATA / "qgis_3_22_interpolated.txt").read_text())
    assert discrete.ramp.mode == "discrete"
    assert interpolated.ramp.mode == "linear"
    assert interpolated.ramp.positions == (10.0, 20.0, 30.0)
    assert interpolated.labels == ("<= 10", "10 - 20", "> 20")


def test_label_with_commas_is_kept():
    text = "INTERPOLATION:EXACT\n1,255,0,0,255,wheat, winter\n2,0,0,255,255,oats\n"
    assert loads_qgis_colormap(text).labels == ("wheat, winter", "oats")


def test_unknown_interpolation_is_rejected():
    with pytest.raises(FormatError, match=r"line 1: unknown interpolation 'SMOOTH'"):
        loads_qgis_colormap("INTERPOLATION:SMOOTH\n0,0,0,0,255,a\n")


def test_short_line_is_rejected():
    with pytest.raises(FormatError, match=r"line 2: '10,255' has 2 fields"):
        loads_qgis_colormap("INTERPOLATION:DISCRETE\n10,255\n")


def test_bad_value_is_rejected():
    with pytest.raises(FormatError, match=r"line 1: value 'ten' is not a number"):
        loads_qgis_colormap("ten,0,0,0,255,x\n")


def test_inf_outside_discrete_is_rejected():
    with pytest.raises(FormatError, match=r"'inf' item only has a meaning in a DISCRETE"):
        loads_qgis_colormap("INTERPOLATION:INTERPOLATED\n1,0,0,0,255,a\ninf,1,1,1,255,b\n")


def test_empty_file_is_rejected():
    with pytest.raises(FormatError, match="has no items"):
        loads_qgis_colormap("# QGIS Generated Color Map Export File\nINTERPOLATION:EXACT\n")


def test_writer_adds_inf_row_for_discrete():
    text = dumps_qgis_colormap(DISCRETE)
    lines = text.splitlines()
    assert lines[:2] == ["# QGIS Generated Color Map Export File", "INTERPOLATION:DISCRETE"]
    assert lines[-1] == "inf,0,0,200,255,> 30"
    assert loads_qgis_colormap(text).ramp == DISCRETE


def test_writer_turns_repeated_last_stop_into_inf(cases):
    document = loads_qgis_colormap(cases["C06"]["input"]["text"])
    text = dumps_qgis_colormap(document)
    assert text.splitlines()[-1] == "inf,0,0,200,255,> 20"
    assert loads_qgis_colormap(text) == document


def test_bare_discrete_ramp_gets_class_labels(cases):
    document = loads_qgis_colormap(cases["C06"]["input"]["text"])
    lines = dumps_qgis_colormap(document.ramp).splitlines()
    assert lines[2:] == [
        "10,200,0,0,255,<= 10",
        "20,0,200,0,128,10 - 20",
        "inf,0,0,200,255,> 20",
    ]


def test_bare_discrete_ramp_labels_added_inf_row():
    lines = dumps_qgis_colormap(DISCRETE).splitlines()
    labels = [line.split(",", 5)[5] for line in lines[2:]]
    assert labels[0].startswith("<= ")
    assert labels[-1] == "> 30"
    assert labels[-2].endswith(" - 30")


def test_bare_linear_ramp_labels_are_values():
    ramp = Ramp.from_mapping({"0": [0, 0, 0], "10": [255, 0, 0]})
    lines = dumps_qgis_colormap(ramp).splitlines()
    assert lines[2:] == ["0,0,0,0,255,0", "10,255,0,0,255,10"]


def test_qml_labels_classes_of_bare_ramp(cases):
    document = loads_qgis_colormap(cases["C06"]["input"]["text"])
    root = ET.fromstring(dumps_qml(document.ramp).split("\n", 1)[1])
    labels = [item.get("label") for item in root.iter("item")]
    assert labels == ["<= 10", "10 - 20", "> 20"]


def test_writer_needs_basis_for_percents():
    with pytest.raises(LossyConversionError, match=r"would lose the percent stops.*--basis"):
        dumps_qgis_colormap(get_ramp("yield"))
    text = dumps_qgis_colormap(get_ramp("yield"), basis=(100, 200))
    assert text.splitlines()[2].startswith("100,215,48,39,255,")


def test_writer_rejects_nearest_and_visible_nodata():
    ramp = DISCRETE.with_mode("nearest").with_nodata_color([9, 9, 9, 255])
    with pytest.raises(LossyConversionError, match=r"mode 'nearest'.*the nv color #090909ff"):
        dumps_qgis_colormap(ramp)
    assert "INTERPOLATION:INTERPOLATED" in dumps_qgis_colormap(ramp, lossy=True)


def test_label_format_fills_labels():
    document = RampDocument(DISCRETE, unit="bu/ac", label_format="<= {value:.0f} {unit}")
    lines = dumps_qgis_colormap(document).splitlines()
    assert lines[2] == "10,200,0,0,255,<= 10 bu/ac"


def test_bad_label_format_is_reported():
    document = RampDocument(DISCRETE, label_format="{mean}")
    with pytest.raises(FormatError, match=r"label_format '\{mean\}' cannot be filled in"):
        dumps_qgis_colormap(document)


# -- QML ------------------------------------------------------------------------


def test_qml_written_by_qgis_reads_back():
    document = loads_qml((DATA / "qgis_3_22_discrete.qml").read_text(encoding="utf-8"))
    assert document.ramp.mode == "discrete"
    assert document.ramp.nodata_color == (1, 2, 3, 4)
    assert document.ramp.colors == ((200, 0, 0, 255), (0, 200, 0, 128), (0, 0, 200, 255))
    assert document.labels == ("<= 10", "10 - 20", "> 20")


def _shader_structure(root):
    renderer = root.find("./pipe/rasterrenderer")
    shader = renderer.find("./rastershader/colorrampshader")
    return {
        "root": root.tag,
        "renderer": renderer.get("type"),
        "renderer_attributes": {
            "band",
            "opacity",
            "alphaBand",
            "classificationMin",
            "classificationMax",
            "nodataColor",
        }
        <= set(renderer.attrib),
        "shader_attributes": {
            "colorRampType",
            "classificationMode",
            "clip",
            "minimumValue",
            "maximumValue",
        }
        <= set(shader.attrib),
        "items": [sorted(item.attrib) for item in shader.findall("item")],
        "min_max_origin": [child.tag for child in renderer.find("minMaxOrigin")],
    }


@pytest.mark.parametrize("name", ["discrete", "interpolated"])
def test_qml_structure_matches_what_qgis_writes(name):
    qgis = ET.parse(DATA / f"qgis_3_22_{name}.qml").getroot()
    source = loads_qml(ET.tostring(qgis))
    ours = ET.fromstring(dumps_qml(source).encode())
    assert _shader_structure(ours) == _shader_structure(qgis)
    ours_items = ours.findall(".//colorrampshader/item")
    qgis_items = qgis.findall(".//colorrampshader/item")
    assert [dict(i.attrib) for i in ours_items] == [dict(i.attrib) for i in qgis_items]
    assert ours.find(".//colorrampshader").get("colorRampType") == qgis.find(
        ".//colorrampshader"
    ).get("colorRampType")


def test_qml_round_trip_keeps_nodata_and_labels():
    document = RampDocument(
        DISCRETE.with_nodata_color([10, 20, 30, 40]), labels=("low", "mid", "high")
    )
    assert loads_qml(dumps_qml(document)) == document


def test_qml_without_pseudocolor_renderer_is_rejected():
    text = '<qgis><pipe><rasterrenderer type="singlebandgray"/></pipe></qgis>'
    with pytest.raises(FormatError, match="no singlebandpseudocolor raster renderer"):
        loads_qml(text)


def test_qml_bad_xml_is_rejected():
    with pytest.raises(FormatError, match="QML is not well-formed XML"):
        loads_qml("<qgis>")


def test_qml_bad_nodata_color_is_rejected():
    text = (
        (DATA / "qgis_3_22_discrete.qml")
        .read_text(encoding="utf-8")
        .replace('nodataColor="1,2,3,4"', 'nodataColor="red"')
    )
    with pytest.raises(FormatError, match=r"nodataColor 'red' is not 'red,green,blue,alpha'"):
        loads_qml(text)


# -- real QGIS ----------------------------------------------------------------------


def _has_pyqgis() -> bool:
    if not shutil.which(SYSTEM_PYTHON):
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False
    )
    return probe.returncode == 0


def assert_same_colors(qgis: np.ndarray, ours: np.ndarray) -> None:
    """QGIS truncates where rampkit rounds, and stores colors premultiplied by alpha."""
    ours = ours.astype(int)
    assert (np.abs(qgis[:, 3] - ours[:, 3]) <= 1).all()
    visible = ours[:, 3] > 0
    # Premultiplying by alpha a and back loses up to 255 / a units per channel.
    tolerance = 1 + 255 // np.maximum(ours[visible, 3:4], 1)
    assert (np.abs(qgis[visible, :3] - ours[visible, :3]) <= tolerance).all()


RAMPS = {
    "linear": Ramp.from_mapping(
        {"10": [200, 0, 0], "20": [0, 200, 0, 128], "30": [0, 0, 200], "nv": [0, 0, 0, 0]}
    ),
    "discrete": DISCRETE,
    "exact": DISCRETE.with_mode("exact"),
}
VALUES = np.array([-5, 10, 12.5, 15, 19.99, 20, 20.01, 25, 30, 31, 1e6, -9999])
C06_VALUES = np.array([5, 10, 15, 20, 21, 1e9])
NODATA_RAMP = DISCRETE.with_nodata_color([255, 0, 255, 255])


def _render_jobs(c06_text: str) -> dict[str, tuple[np.ndarray, str, str]]:
    """Every QGIS render the tests compare: name -> (values, style text, suffix)."""
    jobs = {}
    for mode, ramp in RAMPS.items():
        jobs[f"{mode}.qml"] = (VALUES, dumps_qml(ramp), ".qml")
        jobs[f"{mode}.txt"] = (VALUES, dumps_qgis_colormap(ramp), ".txt")
    jobs["inf"] = (C06_VALUES, dumps_qml(loads_qgis_colormap(c06_text)), ".qml")
    jobs["nodata"] = (np.array([15.0, -9999.0]), dumps_qml(NODATA_RAMP), ".qml")
    return jobs


@pytest.fixture(scope="module")
def qgis_rendered(tmp_path_factory, cases):
    """Render every job in one headless QGIS run; return name -> (N, 4) RGBA."""
    if not _has_pyqgis():
        require_tool("PyQGIS is not installed (apt-get install qgis python3-qgis)")
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    folder = tmp_path_factory.mktemp("qgis")
    jobs = _render_jobs(cases["C06"]["input"]["text"])
    arguments = []
    for index, (values, style_text, suffix) in enumerate(jobs.values()):
        raster = folder / f"values_{index}.tif"
        style = folder / f"style_{index}{suffix}"
        style.write_text(style_text, encoding="utf-8")
        row = np.asarray(values, dtype=np.float64).reshape(1, -1)
        with rasterio.open(
            raster,
            "w",
            driver="GTiff",
            width=row.shape[1],
            height=1,
            count=1,
            dtype="float64",
            nodata=-9999.0,
            transform=from_origin(0, 1, 1, 1),
        ) as dataset:
            dataset.write(row, 1)
        arguments += [str(raster), str(style)]
    env = {
        "PATH": "/usr/bin:/bin",
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(folder),
        "XDG_RUNTIME_DIR": str(folder),
    }
    result = subprocess.run(
        [SYSTEM_PYTHON, str(DATA / "qgis_render.py"), *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout.strip().splitlines()[-1])
    rendered = {}
    for name, entry in zip(jobs, output["results"], strict=True):
        assert entry["renderer"] == "QgsSingleBandPseudoColorRenderer"
        rendered[name] = np.array(entry["rgba"], dtype=int)
    return rendered


@pytest.mark.parametrize("mode", sorted(RAMPS))
@pytest.mark.parametrize("suffix", [".qml", ".txt"])
def test_qgis_renders_exported_style_like_rampkit(qgis_rendered, mode, suffix):
    ours = colorize(VALUES, RAMPS[mode], nodata=-9999).rgba
    assert_same_colors(qgis_rendered[f"{mode}{suffix}"], ours)


def test_qgis_renders_inf_class_like_rampkit(qgis_rendered, cases):
    document = loads_qgis_colormap(cases["C06"]["input"]["text"])
    assert_same_colors(qgis_rendered["inf"], evaluate(C06_VALUES, document.ramp))


def test_qgis_renders_nodata_color_from_qml(qgis_rendered):
    assert qgis_rendered["nodata"][1].tolist() == [255, 0, 255, 255]
