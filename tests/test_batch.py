"""``rampkit.batch`` on the real sample files, in process and on real Dask clusters."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rampkit.batch import render_batch
from rampkit.colorize import Basis
from rampkit.errors import ExportExistsError, GridError, RampError, UnknownRampError
from rampkit.image import write_png
from rampkit.render import render_operation
from rampkit.samples import load_sample, sample_path

# Two small harvests that both record grain moisture, and an application that does not.
CSIRO = "csiro-area-2-harvest-grain"
ISOXML = "isoxml-task-1-forage-harvest"
UREA = "field-1-2018-applied-urea"
PROPERTY = "harvestMoisture"
RESOLUTION = 4.0


def files_of(folder: Path, operation_id: str) -> list[Path]:
    png = folder / f"{operation_id}.png"
    return [png, folder / f"{operation_id}.png.aux.xml", folder / f"{operation_id}.pgw"]


def reference(folder: Path, operation_id: str, basis: object = None) -> list[Path]:
    """Render one sample the way ``rampkit render`` does and return its three files."""
    folder.mkdir(exist_ok=True)
    image = render_operation(load_sample(operation_id), PROPERTY, "leaf_standard",
                             resolution=RESOLUTION, basis=basis)  # type: ignore[arg-type]
    write_png(image, folder / f"{operation_id}.png")
    return files_of(folder, operation_id)


def assert_same_files(folder: Path, expected_folder: Path, operation_id: str,
                      basis: object = None) -> None:
    expected = reference(expected_folder, operation_id, basis)
    for got, want in zip(files_of(folder, operation_id), expected, strict=True):
        assert got.read_bytes() == want.read_bytes(), got.name


def data_range(operation_id: str) -> tuple[float, float]:
    image = render_operation(load_sample(operation_id), PROPERTY, "leaf_standard",
                             resolution=RESOLUTION)
    assert image.basis is not None and image.basis.vmin is not None
    assert image.basis.vmax is not None
    return image.basis.vmin, image.basis.vmax


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """A Dask cluster inside this process: a real scheduler and workers."""
    from distributed import Client, LocalCluster

    # The scheduler's HTTP server would take port 8787 on every interface by
    # default; a free port on 127.0.0.1 keeps it local and never clashes.
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                     dashboard_address="127.0.0.1:0") as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def test_in_process_matches_render_operation(tmp_path: Path) -> None:
    result = render_batch([CSIRO, ISOXML], PROPERTY, tmp_path / "out", resolution=RESOLUTION)
    assert result.ok
    assert [row.operation_id for row in result.rows] == [CSIRO, ISOXML]
    for operation_id in (CSIRO, ISOXML):
        assert_same_files(tmp_path / "out", tmp_path / "expected", operation_id)
    # Each image keeps its own range, so no shared legend is written.
    assert result.basis is None
    assert result.legend is None
    assert not (tmp_path / "out" / "legend.png").exists()
    assert result.rows[0].basis == Basis("data", *data_range(CSIRO))


def test_dask_matches_render_operation(tmp_path: Path, client: object) -> None:
    result = render_batch([ISOXML, CSIRO], PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          scheduler=client)
    assert result.ok
    for operation_id in (CSIRO, ISOXML):
        assert_same_files(tmp_path / "out", tmp_path / "expected", operation_id)
    # The caller's client stays open for further work.
    assert client.submit(sum, [1, 2]).result() == 3  # type: ignore[attr-defined]


def test_scheduler_address_connects_and_matches(tmp_path: Path, client: object) -> None:
    address = client.scheduler.address  # type: ignore[attr-defined]
    result = render_batch([CSIRO], PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          basis="shared", scheduler=address)
    assert result.ok
    vmin, vmax = data_range(CSIRO)
    assert_same_files(tmp_path / "out", tmp_path / "expected", CSIRO, (vmin, vmax))


@pytest.mark.slow
def test_local_cluster_with_worker_processes(tmp_path: Path) -> None:
    # scheduler="local" starts worker processes on 127.0.0.1 and closes them again.
    result = render_batch([CSIRO, ISOXML, UREA], PROPERTY, tmp_path / "out",
                          resolution=RESOLUTION, basis="shared", scheduler="local")
    assert [row.ok for row in result.rows] == [True, True, False]
    assert result.basis is not None
    for operation_id in (CSIRO, ISOXML):
        assert_same_files(tmp_path / "out", tmp_path / "expected", operation_id,
                          (result.basis.vmin, result.basis.vmax))


@pytest.mark.parametrize("where", ["here", "dask"])
def test_shared_basis_is_pooled_range(tmp_path: Path, client: object, where: str) -> None:
    (low_a, high_a), (low_b, high_b) = data_range(CSIRO), data_range(ISOXML)
    assert (low_a, high_a) != (low_b, high_b)
    pooled = (min(low_a, low_b), max(high_a, high_b))
    result = render_batch([CSIRO, ISOXML], PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          basis="shared", scheduler=client if where == "dask" else None)
    assert result.basis == Basis.fixed(*pooled)
    assert [row.basis for row in result.rows] == [Basis.fixed(*pooled)] * 2
    for operation_id in (CSIRO, ISOXML):
        assert_same_files(tmp_path / "out", tmp_path / "expected", operation_id, pooled)
    assert result.legend == tmp_path / "out" / "legend.png"
    assert result.legend.read_bytes().startswith(b"\x89PNG")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["basis"] == {"kind": "fixed", "vmin": pooled[0], "vmax": pooled[1]}
    assert manifest["options"]["basis_mode"] == "shared"


def test_fixed_basis(tmp_path: Path) -> None:
    result = render_batch([CSIRO], PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          basis=(10, 30))
    assert result.rows[0].basis == Basis.fixed(10, 30)
    assert_same_files(tmp_path / "out", tmp_path / "expected", CSIRO, (10.0, 30.0))
    assert result.legend is not None and result.legend.is_file()


def test_failing_inputs_are_recorded(tmp_path: Path, client: object) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    inputs = [CSIRO, UREA, str(broken), str(tmp_path / "missing.csv"), ISOXML]
    result = render_batch(inputs, PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          scheduler=client)
    assert [row.ok for row in result.rows] == [True, False, False, False, True]
    urea, bad, missing = result.rows[1:4]
    assert f"property {PROPERTY!r} is not a numeric property" in str(urea.error)
    assert "broken.geojson" in str(bad.error)
    assert "neither a file nor a sample id" in str(missing.error)
    assert (urea.output, urea.width, urea.basis) == (None, None, None)
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == sorted(
        [path.name for operation_id in (CSIRO, ISOXML)
         for path in files_of(tmp_path / "out", operation_id)] + ["manifest.json"]
    )
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [row["error"] is None for row in manifest["rows"]] == [True, False, False, False,
                                                                  True]
    assert manifest["rows"][0]["output"] == f"{CSIRO}.png"


def test_cleaning_that_removes_everything_is_recorded(tmp_path: Path) -> None:
    result = render_batch([CSIRO], PROPERTY, tmp_path / "out", resolution=RESOLUTION,
                          clean={"min_speed": 1000.0})
    assert "cleaning removed all" in str(result.rows[0].error)
    assert not files_of(tmp_path / "out", CSIRO)[0].exists()


def test_file_input_is_named_after_the_file(tmp_path: Path) -> None:
    source = tmp_path / "paddock-7.csv"
    shutil.copyfile(sample_path(CSIRO), source)
    result = render_batch([source], "dryMassPerArea", tmp_path / "out", resolution=RESOLUTION)
    assert result.rows[0].operation_id == "paddock-7"
    assert result.rows[0].output == tmp_path / "out" / "paddock-7.png"
    assert result.rows[0].output.is_file()


def test_name_clash_raises_before_writing(tmp_path: Path) -> None:
    copy = tmp_path / f"{CSIRO}.csv"
    shutil.copyfile(sample_path(CSIRO), copy)
    with pytest.raises(ExportExistsError) as info:
        render_batch([ISOXML, CSIRO, str(copy)], PROPERTY, tmp_path / "out",
                     resolution=RESOLUTION)
    message = str(info.value)
    assert f"{CSIRO}.png" in message
    assert str(copy) in message
    assert "separate output folders" in message
    assert not (tmp_path / "out").exists()


def test_existing_file_raises_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    world = out / f"{ISOXML}.pgw"
    world.write_text("keep\n", encoding="ascii")
    with pytest.raises(ExportExistsError, match=r"overwrite=True") as info:
        render_batch([CSIRO, ISOXML], PROPERTY, out, resolution=RESOLUTION)
    assert str(world) in str(info.value)
    assert sorted(out.iterdir()) == [world]
    assert world.read_text(encoding="ascii") == "keep\n"

    result = render_batch([CSIRO, ISOXML], PROPERTY, out, resolution=RESOLUTION,
                          overwrite=True)
    assert result.ok
    assert world.read_text(encoding="ascii") != "keep\n"


def test_existing_manifest_raises(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_batch([CSIRO], PROPERTY, out, resolution=RESOLUTION)
    with pytest.raises(ExportExistsError, match="manifest.json"):
        render_batch([ISOXML], PROPERTY, out, resolution=RESOLUTION)
    assert not files_of(out, ISOXML)[0].exists()


def test_overwrite_removes_earlier_batch_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = render_batch([CSIRO, ISOXML], PROPERTY, out, resolution=RESOLUTION,
                         basis="shared")
    assert first.legend == out / "legend.png"
    unrelated = out / "notes.txt"
    unrelated.write_text("mine\n", encoding="utf-8")

    second = render_batch([CSIRO], PROPERTY, out, resolution=RESOLUTION, overwrite=True)
    # The second batch has per-image ranges and no ISOXML input: the shared
    # legend and the ISOXML files would no longer match its manifest.
    assert second.removed == tuple(sorted([*files_of(out, ISOXML), out / "legend.png"]))
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [*(path.name for path in files_of(out, CSIRO)), "manifest.json", "notes.txt"]
    )
    assert unrelated.read_text(encoding="utf-8") == "mine\n"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["legend"] is None
    assert [row["input"] for row in manifest["rows"]] == [CSIRO]


def test_failed_input_keeps_earlier_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_batch([CSIRO, ISOXML], PROPERTY, out, resolution=RESOLUTION, basis="shared")
    before = sorted(path.name for path in out.iterdir())

    # A mistyped property fails every input of the new batch.
    result = render_batch([CSIRO], "harvestMoistur", out, resolution=RESOLUTION,
                          overwrite=True)
    assert not result.ok
    assert result.removed == ()
    assert sorted(path.name for path in out.iterdir()) == before


def test_same_name_other_case_not_removed(tmp_path: Path) -> None:
    upper, lower = tmp_path / "Field.csv", tmp_path / "lower" / "field.csv"
    lower.parent.mkdir()
    shutil.copyfile(sample_path(CSIRO), upper)
    shutil.copyfile(sample_path(CSIRO), lower)
    out = tmp_path / "out"
    render_batch([upper], "dryMassPerArea", out, resolution=RESOLUTION)
    # On macOS and Windows 'field.png' replaces 'Field.png' in place, so the
    # earlier name must not be deleted as stale.
    result = render_batch([lower], "dryMassPerArea", out, resolution=RESOLUTION,
                          overwrite=True)
    assert result.removed == ()
    assert (out / "field.png").is_file()


@pytest.mark.parametrize("rows", [None, "x", [1, None]])
def test_malformed_earlier_manifest_removes_nothing(tmp_path: Path, rows: object) -> None:
    out = tmp_path / "out"
    render_batch([CSIRO], PROPERTY, out, resolution=RESOLUTION)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["rows"] = rows
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = render_batch([ISOXML], PROPERTY, out, resolution=RESOLUTION, overwrite=True)
    assert result.removed == ()
    assert files_of(out, CSIRO)[0].is_file()


def test_manifest_outside_names_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_batch([CSIRO], PROPERTY, out, resolution=RESOLUTION)
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"keep")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["rows"].append({"input": "x", "output": "../outside.png"})
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")

    result = render_batch([CSIRO], PROPERTY, out, resolution=RESOLUTION, overwrite=True)
    assert result.removed == ()
    assert outside.read_bytes() == b"keep"


def test_unit_in_result_and_manifest(tmp_path: Path) -> None:
    result = render_batch([CSIRO], PROPERTY, tmp_path / "out", resolution=RESOLUTION)
    assert result.unit == load_sample(CSIRO).units[PROPERTY]
    assert result.to_dict()["unit"] == result.unit


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"basis": "mean"}, RampError, "'mean' is invalid"),
        ({"basis": (5, 1)}, RampError, "swap them"),
        ({"ramp": "no_such_ramp"}, UnknownRampError, "no_such_ramp"),
        ({"resolution": -1}, GridError, "above 0"),
        ({"shape": "hexagon"}, GridError, "'hexagon'"),
        ({"projection": "EPSG:2056"}, GridError, "EPSG:2056"),
        ({"footprint_m": 0}, GridError, "footprint 0"),
    ],
)
def test_bad_options_raise_before_writing(tmp_path: Path, options: dict, error: type,
                                          text: str) -> None:
    with pytest.raises(error, match=text):
        render_batch([CSIRO], PROPERTY, tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_missing_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="create it first"):
        render_batch([CSIRO], PROPERTY, tmp_path / "no" / "out")


def test_unreachable_scheduler_names_the_address(tmp_path: Path) -> None:
    import socket

    from dask import config

    # A socket that is bound but does not listen refuses connections, and
    # holding it keeps any other process from taking the port meanwhile.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with config.set({"distributed.comm.timeouts.connect": "1s"}), \
                pytest.raises(OSError, match=f"tcp://127.0.0.1:{port}"):
            render_batch([CSIRO], PROPERTY, tmp_path / "out",
                         scheduler=f"tcp://127.0.0.1:{port}")
    assert not (tmp_path / "out").exists()


def test_malformed_scheduler_address_is_clear(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"scheduler at 'no-port'.*check the address"):
        render_batch([CSIRO], PROPERTY, tmp_path / "out", scheduler="no-port")
    assert not (tmp_path / "out").exists()


def test_dataframe(tmp_path: Path) -> None:
    result = render_batch([CSIRO, UREA], PROPERTY, tmp_path / "out", resolution=RESOLUTION)
    frame = result.to_dataframe()
    assert list(frame.columns) == ["input", "operation_id", "output", "width", "height",
                                   "basis_kind", "basis_vmin", "basis_vmax", "seconds",
                                   "error"]
    assert frame["width"].tolist()[0] == result.rows[0].width
    assert frame["width"].isna().tolist() == [False, True]
    assert str(frame["width"].dtype) == "Int64"
    assert frame["error"].isna().tolist() == [True, False]
    assert (frame["seconds"] > 0).all()


def test_without_scheduler_distributed_is_not_imported(tmp_path: Path) -> None:
    # xarray imports dask.array itself when it builds a grid, to recognise dask
    # arrays, so only the import of rampkit.batch is checked for dask.
    code = (
        "import sys\n"
        "from rampkit.batch import render_batch\n"
        "print('dask' in sys.modules)\n"
        f"result = render_batch([{CSIRO!r}], {PROPERTY!r}, {str(tmp_path / 'out')!r}, "
        "resolution=4)\n"
        "assert result.ok, result.rows\n"
        "print('distributed' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert run.stdout.split() == ["False", "False"]


# -- the command ------------------------------------------------------------------


def test_cli_failure_exits_1_after_rest(tmp_path: Path, capsys) -> None:
    from rampkit.cli import main

    out = tmp_path / "out"
    code = main(["batch", CSIRO, UREA, ISOXML, "-p", PROPERTY, "-o", str(out),
                 "--resolution", "4", "--shared-basis"])
    printed = capsys.readouterr()
    assert code == 1
    lines = printed.out.splitlines()
    assert lines[0].startswith(f"wrote {out / CSIRO}.png (")
    unit = load_sample(CSIRO).units[PROPERTY]
    assert f" {unit}, 100% = " in lines[0]
    assert lines[1].startswith(f"failed {UREA}: property {PROPERTY!r} is not a numeric")
    assert lines[2].startswith(f"wrote {out / ISOXML}.png (")
    assert lines[3] == f"wrote {out / 'legend.png'}"
    assert lines[4] == f"2 of 3 operations rendered; manifest: {out / 'manifest.json'}"
    assert printed.err.splitlines() == [
        f"rampkit: error: 1 of 3 operations failed; their messages are in "
        f"{out / 'manifest.json'}"
    ]
    pooled = (min(data_range(CSIRO)[0], data_range(ISOXML)[0]),
              max(data_range(CSIRO)[1], data_range(ISOXML)[1]))
    for operation_id in (CSIRO, ISOXML):
        assert_same_files(out, tmp_path / "expected", operation_id, pooled)


def test_cli_json_on_dask(tmp_path: Path, client: object, capsys) -> None:
    from rampkit.cli import main

    out = tmp_path / "out"
    address = client.scheduler.address  # type: ignore[attr-defined]
    code = main(["batch", CSIRO, ISOXML, "-p", PROPERTY, "-o", str(out), "--resolution",
                 "4", "--basis", "10,30", "--scheduler", address, "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [row["output"] for row in report["rows"]] == [f"{CSIRO}.png", f"{ISOXML}.png"]
    assert report["basis"] == {"kind": "fixed", "vmin": 10.0, "vmax": 30.0}
    assert report["legend"] == "legend.png"
    assert_same_files(out, tmp_path / "expected", CSIRO, (10.0, 30.0))


def test_cli_existing_files_one_line(tmp_path: Path, capsys) -> None:
    from rampkit.cli import main

    out = tmp_path / "out"
    arguments = ["batch", CSIRO, "-p", PROPERTY, "-o", str(out), "--resolution", "4"]
    assert main(arguments) == 0
    before = {path: path.read_bytes() for path in out.iterdir()}
    capsys.readouterr()
    assert main(arguments) == 1
    printed = capsys.readouterr()
    assert printed.out == ""
    assert len(printed.err.splitlines()) == 1
    assert printed.err.startswith("rampkit: error: file ")
    assert "--force" in printed.err
    assert {path: path.read_bytes() for path in out.iterdir()} == before
    assert main([*arguments, "--force"]) == 0


def test_cli_bad_basis_one_line(tmp_path: Path, capsys) -> None:
    from rampkit.cli import main

    code = main(["batch", CSIRO, "-p", PROPERTY, "-o", str(tmp_path / "out"),
                 "--basis", "5", "1"])
    assert code == 1
    assert capsys.readouterr().err == (
        "rampkit: error: --basis 5 1 must be two different finite values, the lower "
        "first; for example --basis 0 8\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["batch", "-p", PROPERTY, "-o", "out"],
        ["batch", CSIRO, "-o", "out"],
        ["batch", CSIRO, "-p", PROPERTY, "-o", "out", "--basis", "0", "1", "--shared-basis"],
    ],
    ids=["no input", "no property", "two bases"],
)
def test_cli_usage_errors_exit_2(arguments: list[str], tmp_path: Path, capsys,
                                 monkeypatch) -> None:
    from rampkit.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(arguments)
    assert info.value.code == 2
    assert "usage: rampkit batch" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
