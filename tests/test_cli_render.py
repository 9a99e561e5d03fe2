"""``rampkit render`` on the real sample files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import rasterio

from rampkit.cli import main
from rampkit.samples import list_samples, sample_dir

FIXTURES = Path(__file__).resolve().parent / "data"
# The sample id, not the path: load_sample caches the parsed file across tests.
OATS = "field-2-2017-harvest-oats"


def outputs(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + ".aux.xml"), path.with_suffix(".pgw")]


@pytest.mark.parametrize("entry", list_samples(), ids=lambda entry: entry["file"])
def test_every_data_file(entry: dict, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.png"
    code = main([
        "render", str(sample_dir() / entry["file"]), "--property", entry["property"],
        "--resolution", "2", "-o", str(target),
    ])
    printed = capsys.readouterr().out
    assert code == 0
    assert all(path.is_file() for path in outputs(target))
    assert "extent: xmin=" in printed
    assert "basis (data): 0% = " in printed
    with rasterio.open(target) as dataset:
        assert dataset.crs.to_epsg() == 3857
        assert dataset.res == (2.0, 2.0)


def test_json_report_matches_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "seed.png"
    code = main([
        "render", "field-2-2019-planted-spring-wheat", "-p", "AppldRt", "--ramp", "yield_r",
        "--shape", "square", "--projection", "EPSG:4326", "--json", "-o", str(target),
    ])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["property"] == "seedRate"
    assert report["unit"] == "lb/ac"
    assert report["crs"] == "EPSG:4326"
    extent = report["extent"]
    with rasterio.open(target) as dataset:
        assert dataset.crs.to_epsg() == 4326
        bounds = dataset.bounds
    assert (bounds.left, bounds.bottom, bounds.right, bounds.top) == pytest.approx(
        (extent["xmin"], extent["ymin"], extent["xmax"], extent["ymax"]), abs=1e-12
    )
    assert report["basis"]["kind"] == "data"


def test_fixed_and_trimmed_basis(tmp_path: Path, capsys) -> None:
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    assert main(["render", source, "-p", "dryMassPerArea", "--basis", "0", "8",
                 "-o", str(tmp_path / "a.png")]) == 0
    assert "basis (fixed): 0% = 0 t/ha, 100% = 8 t/ha" in capsys.readouterr().out
    assert main(["render", source, "-p", "dryMassPerArea", "--trim", "2", "98",
                 "-o", str(tmp_path / "b.png")]) == 0
    assert "basis (trimmed): " in capsys.readouterr().out


def test_help_names_units(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["render", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "pixel size in CRS units: metres for EPSG:3857 (default 1), degrees" in text
    assert "footprint diameter in ground metres" in text
    assert "--shape {round,square}" in text
    assert "OUT.png.aux.xml" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([OATS, "-p", "yield"], "property 'yield' is not a numeric property .* it has: Crop"),
        ([OATS, "-p", "VRYIELDVOL", "--resolution", "0"],
         "resolution 0.0 must be a finite number"),
        ([OATS, "-p", "VRYIELDVOL", "--resolution", "0.01"],
         "over the cap of 16777216; use a resolution of at least"),
        ([str(FIXTURES / "ops_no_coordinates.csv"), "-p", "Yield"],
         "has no recognisable longitude/latitude columns"),
        ([str(FIXTURES / "ops_empty.geojson"), "-p", "x"], "is empty"),
        ([str(FIXTURES / "ops_polygons.geojson"), "-p", "x"], "not a 'Point'"),
        ([str(FIXTURES / "ops_all_filtered.geojson"), "-p", "dryVolumePerArea"],
         "cleaning removed all 2 points"),
        (["no-such-sample", "-p", "x"],
         "input 'no-such-sample' is neither a file nor a sample id"),
        ([OATS, "-p", "VRYIELDVOL", "--projection", "EPSG:2056"],
         "projection 'EPSG:2056' is not supported"),
    ],
)
def test_errors_leave_no_file(arguments: list[str], message: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.png"
    code = main(["render", *arguments, "-o", str(target)])
    error = capsys.readouterr().err
    assert code == 1
    assert error.startswith("rampkit: error: ")
    assert len(error.strip().splitlines()) == 1
    assert re.search(message, error), error
    assert list(tmp_path.iterdir()) == []


def test_existing_output(tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.png"
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    assert main(["render", source, "-p", "dryMassPerArea", "-o", str(target)]) == 0
    before = target.read_bytes()
    code = main(["render", source, "-p", "dryMassPerArea", "--ramp", "yield", "-o", str(target)])
    assert code == 1
    assert "already exists; pass --force to replace it" in capsys.readouterr().err
    assert target.read_bytes() == before
    assert main(["render", source, "-p", "dryMassPerArea", "--ramp", "yield", "--force",
                 "-o", str(target)]) == 0
    assert target.read_bytes() != before


def test_overwrite_is_force_alias(tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.png"
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    assert main(["render", source, "-p", "dryMassPerArea", "-o", str(target)]) == 0
    before = target.read_bytes()
    assert main(["render", source, "-p", "dryMassPerArea", "--ramp", "yield", "--overwrite",
                 "-o", str(target)]) == 0
    assert target.read_bytes() != before


def test_help_documents_force(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--force, --overwrite" in text
    assert "(--overwrite is an alias)" in text


def test_outputs_follow_umask(tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.png"
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    previous = os.umask(0o022)
    try:
        assert main(["render", source, "-p", "dryMassPerArea", "-o", str(target)]) == 0
    finally:
        os.umask(previous)
    for path in outputs(target):
        assert path.stat().st_mode & 0o777 == 0o644, path.name


def test_missing_output_folder(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "nonexistent" / "dir"
    code = main(["render", OATS, "-p", "VRYIELDVOL", "-o", str(folder / "x.png")])
    error = capsys.readouterr().err
    assert code == 1
    assert f"output folder {str(folder)!r} does not exist; create it first" in error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.jpg", "out.tif", "out"])
def test_output_must_end_png(name: str, tmp_path: Path, capsys) -> None:
    code = main(["render", OATS, "-p", "VRYIELDVOL", "-o", str(tmp_path / name)])
    error = capsys.readouterr().err
    assert code == 1
    assert "does not end in .png" in error
    assert "such as 'out.png'" in error
    assert list(tmp_path.iterdir()) == []


def test_output_png_any_case(tmp_path: Path, capsys) -> None:
    target = tmp_path / "OUT.PNG"
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    assert main(["render", source, "-p", "dryMassPerArea", "-o", str(target)]) == 0
    assert all(path.is_file() for path in outputs(target))


def test_folder_input(tmp_path: Path, capsys) -> None:
    code = main(["render", str(tmp_path), "-p", "x", "-o", str(tmp_path / "b.png")])
    error = capsys.readouterr().err
    assert code == 1
    assert f"input {str(tmp_path)!r} is a folder; give one operation file inside it" in error
    assert "does not exist" not in error
    assert list(tmp_path.iterdir()) == []


def test_extent_printed_without_float_noise(tmp_path: Path, capsys) -> None:
    target = tmp_path / "seed.png"
    assert main(["render", "field-2-2019-planted-spring-wheat", "-p", "AppldRt",
                 "--projection", "EPSG:4326", "-o", str(target)]) == 0
    line = next(text for text in capsys.readouterr().out.splitlines()
                if text.startswith("extent: "))
    printed = dict(item.split("=") for item in line.removeprefix("extent: ").split())
    for text in printed.values():
        assert len(text.partition(".")[2]) <= 9, line
    with rasterio.open(target) as dataset:
        bounds = dataset.bounds
    assert float(printed["xmin"]) == pytest.approx(bounds.left, abs=1e-9)
    assert float(printed["ymin"]) == pytest.approx(bounds.bottom, abs=1e-9)
    assert float(printed["xmax"]) == pytest.approx(bounds.right, abs=1e-9)
    assert float(printed["ymax"]) == pytest.approx(bounds.top, abs=1e-9)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--trim", "98", "2"], "--trim 98 2 must be two percentiles with 0 <= LOWER < UPPER "
         "<= 100; for example --trim 2 98"),
        (["--trim", "2", "120"], "--trim 2 120 must be two percentiles"),
        (["--basis", "8", "0"], "--basis 8 0 must be two different finite values, the "
         "lower first; for example --basis 0 8"),
        (["--basis", "5", "5"], "--basis 5 5 must be two different finite values"),
        (["--basis", "0", "inf"], "--basis 0 inf must be two different finite values"),
        (["--encoding", "utf-8"], "cannot be decoded as 'utf-8'"),
        (["--encoding", "utf-8"], "pass the file's encoding, for example --encoding iso-8859-1"),
    ],
)
def test_messages_use_option_syntax(
    arguments: list[str], message: str, tmp_path: Path, capsys
) -> None:
    source = str(sample_dir() / "csiro_area-2_harvest_grain_iso-8859-1.csv")
    code = main(["render", source, "-p", "dryMassPerArea", *arguments,
                 "-o", str(tmp_path / "out.png")])
    error = capsys.readouterr().err.strip()
    assert code == 1
    assert message in error
    assert "Basis." not in error
    assert "encoding=" not in error
    assert list(tmp_path.iterdir()) == []


def test_usage_error_exit_code(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["render", "x.geojson", "-o", "x.png"])
    assert info.value.code == 2
    assert "--property" in capsys.readouterr().err


def test_png_values_match_colors(tmp_path: Path, capsys) -> None:
    target = tmp_path / "urea.png"
    assert main(["render", "field-1-2018-applied-urea", "-p", "appliedRate", "-o",
                 str(target), "--resolution", "3"]) == 0
    with rasterio.open(target) as dataset:
        alpha = dataset.read(4)
    # Transparent where no footprint reached, opaque elsewhere.
    assert set(np.unique(alpha).tolist()) == {0, 255}
