"""Safe writing: whole files or nothing, readable like any other file, Office locks seen."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from mentordocs.errors import OutputError
from mentordocs.fsutil import atomic_write_bytes, is_office_lock_file, office_lock_file, sha256_file


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "P01_goal-sheet.docx"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert sorted(p.name for p in target.parent.iterdir()) == ["P01_goal-sheet.docx"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_written_files_get_the_usual_mode_not_a_private_one(tmp_path):
    # mkstemp creates 0600 files; packets on a shared folder must stay readable by colleagues.
    mask = os.umask(0o022)
    os.umask(mask)
    target = tmp_path / "form.docx"
    atomic_write_bytes(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_a_failed_write_keeps_the_old_file_and_says_what_to_do(tmp_path):
    target = tmp_path / "tracking.xlsx"
    target.write_bytes(b"old workbook")
    target_dir_as_file = tmp_path / "tracking.xlsx" / "inner.xlsx"  # parent is a file
    with pytest.raises(OutputError, match="Could not write|Not a directory|exists"):
        atomic_write_bytes(target_dir_as_file, b"new")
    assert target.read_bytes() == b"old workbook"


def test_office_lock_files_are_found_beside_the_document(tmp_path):
    document = tmp_path / "tracking.xlsx"
    document.write_bytes(b"x")
    assert office_lock_file(document) is None
    (tmp_path / "~$tracking.xlsx").write_bytes(b"lock")
    assert office_lock_file(document) == tmp_path / "~$tracking.xlsx"


def test_libreoffice_lock_files_count_too(tmp_path):
    document = tmp_path / "roster.xlsx"
    (tmp_path / ".~lock.roster.xlsx#").write_text("lock")
    assert office_lock_file(document) == tmp_path / ".~lock.roster.xlsx#"


def test_sha256_of_a_file(tmp_path):
    target = tmp_path / "a"
    target.write_bytes(b"abc")
    assert sha256_file(target) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_lock_file_names_are_recognised():
    assert is_office_lock_file("~$P01_goal-sheet.docx")
    assert is_office_lock_file(".~lock.P01_goal-sheet.docx#")
    assert not is_office_lock_file("P01_goal-sheet.docx")
    assert not is_office_lock_file(".~lock.half")


def test_atomic_folder_appears_whole_or_not_at_all(tmp_path):
    from mentordocs.fsutil import atomic_folder

    target = tmp_path / "P01"
    with atomic_folder(target) as staging:
        (staging / "a.docx").write_bytes(b"a")
        (staging / "b.ics").write_bytes(b"b")
        assert not target.exists()  # nothing under the real name until the block ends
    assert sorted(p.name for p in target.iterdir()) == ["a.docx", "b.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["P01"]

    broken = tmp_path / "P02"
    with pytest.raises(RuntimeError), atomic_folder(broken) as staging:
        (staging / "a.docx").write_bytes(b"a")
        raise RuntimeError("crash half way")
    assert not broken.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["P01"]


def test_atomic_folder_clears_what_a_crashed_run_left(tmp_path):
    from mentordocs.fsutil import atomic_folder

    leftover = tmp_path / ".P03.partial"
    leftover.mkdir()
    (leftover / "half.docx").write_bytes(b"half")
    with atomic_folder(tmp_path / "P03") as staging:
        (staging / "whole.docx").write_bytes(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["P03"]
