"""Atomic, non-overwriting writes."""

import os
import stat

import pytest

from rampkit._atomic import write_atomic
from rampkit.errors import ExportExistsError, LossyConversionError
from rampkit.formats import write_ramp
from rampkit.presets import get_ramp


def test_writes_new_file(tmp_path):
    target = tmp_path / "ramp.txt"
    assert write_atomic(target, "hello\n") == target
    assert target.read_text() == "hello\n"


def test_existing_file_is_kept(tmp_path):
    target = tmp_path / "ramp.txt"
    target.write_text("old")
    with pytest.raises(
        ExportExistsError,
        match=r"file '.*ramp.txt' already exists; pass "
        r"overwrite=True \(--force on the command line\)",
    ):
        write_atomic(target, "new")
    assert target.read_text() == "old"


def test_exists_error_is_a_file_exists_error(tmp_path):
    target = tmp_path / "ramp.txt"
    target.write_text("old")
    with pytest.raises(FileExistsError):
        write_atomic(target, "new")


def test_overwrite_replaces(tmp_path):
    target = tmp_path / "ramp.txt"
    target.write_text("old")
    write_atomic(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"


def test_no_temporary_files_remain(tmp_path):
    write_atomic(tmp_path / "a.txt", "x")
    (tmp_path / "b.txt").write_text("y")
    with pytest.raises(ExportExistsError):
        write_atomic(tmp_path / "b.txt", "z")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_missing_directory_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "a.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = write_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_lossy_conversion_writes_no_file(tmp_path):
    target = tmp_path / "yield.sld"
    with pytest.raises(LossyConversionError):
        write_ramp(get_ramp("yield"), target)
    assert list(tmp_path.iterdir()) == []


def test_lossy_conversion_keeps_existing_file(tmp_path):
    target = tmp_path / "yield.sld"
    target.write_text("old")
    with pytest.raises(LossyConversionError):
        write_ramp(get_ramp("yield"), target, overwrite=True)
    assert target.read_text() == "old"


def test_write_ramp_overwrite(tmp_path):
    target = tmp_path / "yield.gdaldem.txt"
    write_ramp(get_ramp("yield"), target)
    with pytest.raises(ExportExistsError):
        write_ramp(get_ramp("moisture"), target)
    write_ramp(get_ramp("moisture"), target, overwrite=True)
    assert "moisture" in target.read_text()
