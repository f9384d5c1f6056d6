"""The packets folder's records: manifest.json and send-log.jsonl, read back as written."""

from __future__ import annotations

import json

import pytest

from mentordocs.errors import OutputError
from mentordocs.records import (
    MANIFEST_NAME,
    SEND_LOG_NAME,
    Manifest,
    ManifestEntry,
    SendRecord,
    SentFile,
    append_send_record,
    made_from_parts,
    made_from_text,
    read_manifest,
    read_send_log,
    write_manifest,
)


def test_manifest_round_trip_sorted_and_plain_json(tmp_path):
    manifest = Manifest(
        program="Programme d'accueil é 新",
        roster="roster.xlsx",
        generator="mentordocs 0.1.0",
        files=[
            ManifestEntry("P02", "goal-sheet", "P02/P02_goal-sheet.docx", "b" * 64, "1.0+ab"),
            ManifestEntry("P01", "meetings", "P01/P01_meetings.ics", "a" * 64, "", "2026-11-22"),
        ],
    )
    write_manifest(tmp_path, manifest)
    data = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [f["pair_id"] for f in data["files"]] == ["P01", "P02"]
    back = read_manifest(tmp_path)
    assert back.program == manifest.program
    assert back.by_path()["P02/P02_goal-sheet.docx"].template_version == "1.0+ab"
    assert [e.path for e in back.for_pair("P01")] == ["P01/P01_meetings.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME]  # no temporary left


def test_missing_manifest_is_empty_and_a_damaged_one_says_how_to_recover(tmp_path):
    assert read_manifest(tmp_path).files == []
    (tmp_path / MANIFEST_NAME).write_text('{"files": [{"pair_id": "P01"', encoding="utf-8")
    with pytest.raises(OutputError, match="damaged.*--force"):
        read_manifest(tmp_path)


def _record(pair_id: str) -> SendRecord:
    return SendRecord(
        kind="packet",
        pair_id=pair_id,
        recipients=["ana@example.org", "liam@example.org"],
        files=[SentFile("P01/P01_goal-sheet.docx", "c" * 64, "goal-sheet")],
        message_id="<1@example.org>",
        sent_at="2026-11-22T08:00:00+00:00",
        transport="smtp",
    )


def test_send_log_appends_one_line_per_message_and_reads_back(tmp_path):
    append_send_record(tmp_path, _record("P01"))
    append_send_record(tmp_path, _record("P02"))
    lines = (tmp_path / SEND_LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    records = read_send_log(tmp_path)
    assert [r.pair_id for r in records] == ["P01", "P02"]
    assert records[0].files[0] == SentFile("P01/P01_goal-sheet.docx", "c" * 64, "goal-sheet")


def test_a_damaged_send_log_line_is_named(tmp_path):
    append_send_record(tmp_path, _record("P01"))
    with (tmp_path / SEND_LOG_NAME).open("a", encoding="utf-8") as fh:
        fh.write('{"kind": "packet", "pair_id": \n')
    with pytest.raises(OutputError, match="line 2"):
        read_send_log(tmp_path)


def test_a_damaged_send_log_line_says_which_message_it_recorded(tmp_path):
    # Deleting a damaged line, as advised, means its message goes again: the error names it.
    append_send_record(tmp_path, _record("P01"))
    append_send_record(tmp_path, _record("P05"))
    path = tmp_path / SEND_LOG_NAME
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(lines[0] + "\n" + lines[1][:150] + "\n", encoding="utf-8")  # cut short
    with pytest.raises(OutputError) as caught:
        read_send_log(tmp_path)
    said = str(caught.value)
    assert f"{path}, line 2, is damaged" in said
    assert "It records a packet to P05." in said  # its time was cut off
    assert "delete it and leave P05 out of the next send" in said


def test_a_send_log_line_of_a_newer_version_is_read(tmp_path):
    append_send_record(tmp_path, _record("P01"))
    path = tmp_path / SEND_LOG_NAME
    line = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(line[:-1] + ', "thread": "abc"}\n', encoding="utf-8")
    assert [r.pair_id for r in read_send_log(tmp_path)] == ["P01"]


def test_what_each_file_was_made_from_is_kept_once_per_distinct_set(tmp_path):
    shared = made_from_text({"mentor": "a" * 12, "mentee": "b" * 12})
    files = [
        ManifestEntry("P01", "goal-sheet", "P01/P01_goal-sheet.docx", "1" * 64, made_from=shared),
        ManifestEntry("P01", "action-plan", "P01/P01_action-plan.docx", "2" * 64, made_from=shared),
        ManifestEntry(
            "P02", "goal-sheet", "P02/P02_goal-sheet.docx", "3" * 64,
            made_from=made_from_text({"mentor": "c" * 12}),
        ),
        ManifestEntry("P02", "zip", "P02.zip", "4" * 64),  # nothing said: none kept
    ]  # fmt: skip
    write_manifest(tmp_path, Manifest(program="P", files=files))
    written = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert written["made_from"] == [
        {
            "made": "mentee=bbbbbbbbbbbb mentor=aaaaaaaaaaaa",  # P01's two files share one
            "files": ["P01/P01_action-plan.docx", "P01/P01_goal-sheet.docx"],
        },
        {"made": "mentor=cccccccccccc", "files": ["P02/P02_goal-sheet.docx"]},
    ]
    assert all("made_from" not in entry for entry in written["files"])  # older versions read these
    again = {e.path: e.made_from for e in read_manifest(tmp_path).files}
    assert again == {e.path: e.made_from for e in files}
    assert made_from_parts(shared) == {"mentor": "a" * 12, "mentee": "b" * 12}
