"""rampkit ramps convert and rampkit ramps formats."""

import json
import re
import subprocess
import sys

import pytest

from rampkit.cli import main
from rampkit.formats import FORMATS, read_document
from rampkit.presets import get_ramp


def test_formats_lists_every_format(capsys):
    assert main(["ramps", "formats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["FORMAT", "READ", "WRITE"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == list(FORMATS)
    gdaldem = next(line for line in lines if line.startswith("gdaldem "))
    assert ".clr .cpt(read)" in gdaldem
    qml = next(line for line in lines if line.startswith("qml "))
    assert ".qml" in qml
    assert "needs --basis" in qml


def test_formats_long_describes(capsys):
    assert main(["ramps", "formats", "--long"]) == 0
    assert "sld: SLD 1.0 RasterSymbolizer ColorMap" in capsys.readouterr().out


def test_convert_preset_to_sld(tmp_path, capsys):
    target = tmp_path / "yield.sld"
    assert main(["ramps", "convert", "yield", str(target), "--basis", "100,200"]) == 0
    assert f"wrote {target}" in capsys.readouterr().err
    ramp = read_document(target).ramp
    assert ramp == get_ramp("yield").resolve(100, 200)


def test_convert_file_to_file_detects_formats(tmp_path, cases):
    source = tmp_path / "classes.txt"
    source.write_text(cases["C06"]["input"]["text"])
    target = tmp_path / "classes.qml"
    assert main(["ramps", "convert", str(source), str(target)]) == 0
    assert read_document(target) == read_document(source)


def test_convert_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "yield.json"
    target.write_text("keep me")
    assert main(["ramps", "convert", "yield", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rampkit: error: file ")
    assert "already exists; pass overwrite=True (--force on the command line)" in err
    assert target.read_text() == "keep me"
    assert main(["ramps", "convert", "yield", str(target), "--force"]) == 0
    assert json.loads(target.read_text())["name"] == "yield"


def test_convert_lossy_needs_flag(tmp_path, capsys):
    target = tmp_path / "yield.legend.json"
    assert main(["ramps", "convert", "yield", str(target), "--basis", "0,10"]) == 1
    err = capsys.readouterr().err
    assert "would lose mode 'linear'" in err
    assert not target.exists()
    assert main(["ramps", "convert", "yield", str(target), "--basis", "0,10", "--lossy"]) == 0
    assert len(json.loads(target.read_text())["ranges"]) == 5


def test_convert_to_and_from_override_names(tmp_path):
    target = tmp_path / "out.json"
    assert main(["ramps", "convert", "leaf_standard", str(target), "--to", "colorramp"]) == 0
    assert json.loads(target.read_text())["35%"] == [255, 40, 0]
    copy = tmp_path / "copy.txt"
    assert main(["ramps", "convert", str(target), str(copy), "--from", "colorramp"]) == 0
    assert read_document(copy).ramp.colors == get_ramp("leaf_standard").colors


def test_convert_matplotlib_name_to_stdout(capsys):
    assert main(["ramps", "convert", "tab10", "-", "--from", "matplotlib", "--to", "css"]) == 0
    assert "#1f77b4 0%, #1f77b4 10%, #ff7f0e 10%" in capsys.readouterr().out


def test_stdout_needs_to(capsys):
    assert main(["ramps", "convert", "yield", "-"]) == 1
    assert "OUT '-' (standard output) has no file name" in capsys.readouterr().err


def test_options_reach_the_writer(tmp_path):
    target = tmp_path / "yield.request.json"
    args = [
        "ramps",
        "convert",
        "yield",
        str(target),
        "-O",
        "resolution=2.5",
        "-O",
        "shape=square",
        "--option",
        "operation-id=op-7",
    ]
    assert main(args) == 0
    body = json.loads(target.read_text())
    assert (body["resolution"], body["shape"], body["operationId"]) == (2.5, "SQUARE", "op-7")


def test_unknown_option_is_an_error(tmp_path, capsys):
    assert main(["ramps", "convert", "yield", str(tmp_path / "a.qml"), "-O", "nodata=1"]) == 1
    assert "option 'nodata' is not used by format 'qml'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("--basis=10", "argument --basis: expected 2 arguments"),
        ("--basis=a,b", "basis 'a b' is not two numbers; give MIN MAX or MIN,MAX"),
        ("--basis=9,1", "basis '9 1' is not a finite range with MIN <= MAX"),
        ("--option=nodata", "option 'nodata' is not KEY=VALUE"),
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path, capsys, argument, message):
    with pytest.raises(SystemExit) as stop:
        main(["ramps", "convert", "yield", str(tmp_path / "a.sld"), argument])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_unknown_input_name(tmp_path, capsys):
    assert main(["ramps", "convert", "no_such_ramp", str(tmp_path / "a.sld")]) == 1
    assert "unknown ramp 'no_such_ramp'" in capsys.readouterr().err


def test_convert_help_runs():
    result = subprocess.run(
        [sys.executable, "-m", "rampkit.cli", "ramps", "convert", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--lossy" in result.stdout
    assert "--force" in result.stdout


def test_property_option_names_the_property(tmp_path):
    target = tmp_path / "yield.request.json"
    assert main(["ramps", "convert", "yield", str(target), "-O", "property=dryVolumePerArea"]) == 0
    assert json.loads(target.read_text())["property"] == "dryVolumePerArea"


@pytest.mark.parametrize(
    ("fmt", "option", "expected"),
    [
        ("request", "resolution=abc", "option resolution 'abc' is not a positive number"),
        ("request", "resolution=-2", "resolution -2 is not a positive number"),
        ("request", "shape=1", "shape '1' is not supported; use ROUND or SQUARE"),
        ("request", "projection=4326", "projection '4326' is not supported; use one of"),
        ("qml", "band=abc", r"option band 'abc' is not a band number \(an integer 1 or more\)"),
        ("qml", "band=0", "option band '0' is not a band number"),
        ("qml", "band=1.5", "option band '1.5' is not a band number"),
        ("sld", "nodata=abc", "option nodata 'abc' is not a finite number"),
        ("sld", "nodata=nan", "option nodata 'nan' is not a finite number"),
        ("riotiler", "kind=5", "colormap kind '5' is unknown; use 'values' or 'intervals'"),
        ("css", "direction=5", "direction '5' is not a CSS gradient direction"),
    ],
)
def test_convert_bad_option_value_is_one_line(fmt, option, expected, capsys):
    args = ["ramps", "convert", "leaf_standard", "-", "--to", fmt, "--basis", "0,100"]
    assert main([*args, "-O", option]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rampkit: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert re.search(expected, err)


def test_convert_text_options_stay_text(capsys):
    args = ["ramps", "convert", "leaf_standard", "-", "--to", "request"]
    assert main([*args, "-O", "operation_id=12", "-O", "resolution=2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["operationId"] == "12"
    assert body["resolution"] == 2
    args = ["ramps", "convert", "leaf_standard", "-", "--to", "html"]
    assert main([*args, "-O", "title=2024"]) == 0
    assert "<title>2024</title>" in capsys.readouterr().out


def test_convert_lossy_hint_names_switch(tmp_path, capsys):
    source = tmp_path / "classes.txt"
    source.write_text("INTERPOLATION:DISCRETE\n10,200,0,0,255\n20,0,200,0,255\n")
    assert main(["ramps", "convert", str(source), str(tmp_path / "x.colorramp.json")]) == 1
    err = capsys.readouterr().err
    assert "--lossy" in err


def test_convert_to_cpt_is_rejected(tmp_path, capsys):
    target = tmp_path / "x.cpt"
    assert main(["ramps", "convert", "leaf_standard", str(target)]) == 1
    err = capsys.readouterr().err
    assert "writing .cpt files is not supported (gdaldem only reads them)" in err
    assert "name the file with one of .gdaldem.txt, .txt, .clr" in err
    assert not target.exists()


@pytest.mark.parametrize("basis", [["100,100"], ["100", "100"]])
def test_convert_zero_width_basis_is_rejected(tmp_path, capsys, basis):
    target = tmp_path / "e3.qml"
    assert main(["ramps", "convert", "leaf_standard", str(target), "--basis", *basis]) == 1
    err = capsys.readouterr().err
    assert "basis 100,100 has zero width, so every percent stop would sit at 100" in err
    assert "--basis MIN MAX" in err
    assert not target.exists()


@pytest.mark.parametrize("basis", [["60,200"], ["60", "200"], ["-10", "10"]])
def test_convert_basis_takes_one_or_two_values(tmp_path, basis):
    target = tmp_path / "yield.qml"
    assert main(["ramps", "convert", "yield", str(target), "--basis", *basis]) == 0
    vmin, vmax = (float(value) for value in ",".join(basis).split(","))
    assert read_document(target).ramp == get_ramp("yield").resolve(vmin, vmax)


@pytest.mark.parametrize("basis", [["0", "100"], ["0,100"], ["--basis=0,100"]])
def test_convert_basis_before_in_out(tmp_path, basis):
    target = tmp_path / "a.qml"
    option = basis if basis[0].startswith("--") else ["--basis", *basis]
    assert main(["ramps", "convert", *option, "yield", str(target)]) == 0
    expected = get_ramp("yield").resolve(0, 100)
    assert read_document(target).ramp.stops == expected.stops


def test_convert_basis_needs_two_numbers(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["ramps", "convert", "yield", str(tmp_path / "a.qml"), "--basis", "0", "x"])
    assert stop.value.code == 2
    assert "basis '0 x' is not two numbers; give MIN MAX or MIN,MAX" in capsys.readouterr().err
