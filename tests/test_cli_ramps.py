import json
import subprocess
import sys

import pytest

from rampkit import __version__
from rampkit.cli import COMMAND_MODULES, build_parser, main
from rampkit.formats.gdaldem import loads_gdaldem
from rampkit.presets import get_ramp, registry


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"rampkit {__version__}"


def test_console_script_runs():
    result = subprocess.run(
        [sys.executable, "-m", "rampkit.cli", "ramps", "list"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "leaf_standard" in result.stdout


def test_ramps_list_names_and_purposes(capsys):
    assert main(["ramps", "list"]) == 0
    out = capsys.readouterr().out
    for name, ramp in registry().items():
        assert f"{name}  " in out or out.startswith(name)
        assert ramp.description in out


def test_ramps_show_summary(capsys):
    assert main(["ramps", "show", "leaf_standard"]) == 0
    out = capsys.readouterr().out
    assert "35%  #ff2800" in out
    assert "nv  #00000000" in out


def test_ramps_show_formats(capsys):
    assert main(["ramps", "show", "yield_r", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "yield_r"
    assert main(["ramps", "show", "leaf_standard", "--format", "colorramp"]) == 0
    assert json.loads(capsys.readouterr().out)["35%"] == [255, 40, 0]
    assert main(["ramps", "show", "moisture", "--format", "gdaldem"]) == 0
    assert loads_gdaldem(capsys.readouterr().out) == get_ramp("moisture")


def test_ramps_show_every_writable_format(capsys):
    from rampkit.formats import FORMATS, loads_ramp

    for name, fmt in FORMATS.items():
        if not fmt.can_write:
            continue
        args = ["ramps", "show", "leaf_standard", "--format", name, "--basis", "0", "100"]
        assert main([*args, "--lossy"]) == 0, name
        out = capsys.readouterr().out
        assert out, name
        if fmt.can_read:
            assert loads_ramp(out, name).ramp.colors[0][:3] == (200, 0, 0), name


def test_ramps_show_qml_needs_basis(capsys):
    assert main(["ramps", "show", "leaf_standard", "--format", "qml"]) == 1
    err = capsys.readouterr().err
    assert "would lose the percent stops" in err
    assert "--basis MIN MAX" in err
    assert "--lossy on the command line" in err


def test_ramps_show_passes_options(capsys):
    args = ["ramps", "show", "yield", "--format", "request", "-O", "resolution=2"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["resolution"] == 2


def test_ramps_show_summary_rejects_writer_options(capsys):
    assert main(["ramps", "show", "yield", "--basis", "0", "100"]) == 1
    err = capsys.readouterr().err
    assert "--basis, --lossy and --option do not apply to --format summary" in err


def test_ramps_show_unknown_format_is_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["ramps", "show", "yield", "--format", "geotiff"])
    assert stop.value.code == 2
    assert "invalid choice: 'geotiff'" in capsys.readouterr().err


def test_ramps_show_qgis_labels_and_open_class(tmp_path, capsys, cases):
    path = tmp_path / "c06.txt"
    path.write_text(cases["C06"]["input"]["text"])
    assert main(["ramps", "show", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "mode:        discrete" in lines
    assert "          10  #c80000    <= 10" in lines
    assert "          20  #00c80080  10 - 20" in lines
    assert "        > 20  #0000c8    > 20" in lines


def test_ramps_show_open_class_without_labels(tmp_path, capsys):
    path = tmp_path / "classes.json"
    path.write_text(
        '{"mode": "discrete", "stops": [{"position": 10, "color": "#ff0000"}, '
        '{"position": 20, "color": "#00ff00"}, {"position": 20, "color": "#0000ff"}]}'
    )
    assert main(["ramps", "show", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "          20  #00ff00" in lines
    assert "        > 20  #0000ff" in lines


def test_ramps_show_a_file(tmp_path, capsys):
    path = tmp_path / "mine.txt"
    path.write_text("0 black\n100 white\n")
    assert main(["ramps", "show", str(path)]) == 0
    assert "100  #ffffff" in capsys.readouterr().out


def test_unknown_ramp_is_one_line_error(capsys):
    assert main(["ramps", "show", "yeld"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rampkit: error: unknown ramp 'yeld' (did you mean 'yield'?);")
    assert "Traceback" not in err


def test_unknown_ramp_suggests_close_name(capsys):
    assert main(["ramps", "show", "leaf_standrd"]) == 1
    err = capsys.readouterr().err
    assert "unknown ramp 'leaf_standrd' (did you mean 'leaf_standard'?)" in err


def test_unknown_colormap_uses_shell_terms(capsys):
    assert main(["ramps", "convert", "viridsi", "x.txt", "--from", "matplotlib"]) == 1
    err = capsys.readouterr().err
    assert "unknown matplotlib colormap 'viridsi' (did you mean 'viridis'" in err
    assert "list them with: python -c" in err


def test_usage_error_exit_code():
    with pytest.raises(SystemExit) as stop:
        main(["ramps", "show"])
    assert stop.value.code == 2


def _subcommand_parsers(parser):
    for action in parser._actions:  # argparse keeps subparsers here
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for name, sub in action.choices.items():
                yield name, sub
                yield from ((f"{name} {n}", s) for n, s in _subcommand_parsers(sub))


def test_every_subcommand_has_help(capsys):
    names = [name for name, _ in _subcommand_parsers(build_parser())]
    assert "ramps list" in names
    assert "ramps show" in names
    assert len(names) >= len(COMMAND_MODULES)
    for name in names:
        with pytest.raises(SystemExit) as stop:
            main([*name.split(), "--help"])
        assert stop.value.code == 0
        assert "usage: rampkit" in capsys.readouterr().out
