"""generate_packets and `mentordocs generate`: real files written, reopened and checked."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import re
import zipfile
from pathlib import Path

import docx
import icalendar
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER, TEMPLATES
from test_render import custom_properties, fields_by_tag, make_template

from mentordocs.cli import cli
from mentordocs.errors import OfficeError, OutputError, TemplateError
from mentordocs.forms import FORM_IDS, stage_forms
from mentordocs.fsutil import sha256_bytes, sha256_file
from mentordocs.generate.context import sample_roster
from mentordocs.generate.packets import (
    AUTO_JOBS_PAIRS,
    GenerateResult,
    SelectionError,
    generate_packets,
)
from mentordocs.models import Roster
from mentordocs.records import declaration_path, read_manifest

PACKET = stage_forms()  # the packet: the start's forms


# The content controls of test_render.make_template's small template, declared.
SMALL_TEMPLATE_FIELDS = [
    {"id": "mentor_email", "label": "Mentor's email", "kind": "text", "required": True},
    {"id": "mentee_name", "label": "Mentee's name", "kind": "text", "required": True},
    {"id": "goal_{n}_goal", "label": "Goal {n}", "kind": "text", "required": True, "group": "goal"},
]


def declare_small_template(folder: Path, form: str) -> Path:
    """``form``'s shipped declaration, its fields those of the small template (title and
    version kept): what a coordinator's folder of edited templates holds."""
    declaration = json.loads((TEMPLATES / f"{form}.json").read_text(encoding="utf-8"))
    declaration["fields"] = [
        {"confidential": False, **declared} for declared in SMALL_TEMPLATE_FIELDS
    ]
    path = folder / f"{form}.json"
    path.write_text(json.dumps(declaration, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A templates folder: small docxtpl templates of our own, each with its declaration."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for form in FORM_IDS:
        declare_small_template(folder, form)
        make_template(folder / f"{form}.docx", extra_paragraphs=(f"Form: {form}",))
    return folder


@pytest.fixture
def roster() -> Roster:
    built = sample_roster()
    built.pairs = built.pairs[:3]  # the three methods alone: enough for packets and files
    return built


def all_files(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (a calendar's DTSTAMP lines left out: the time)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == "manifest.json":
            continue
        data = path.read_bytes()
        if path.suffix == ".ics":
            data = re.sub(rb"DTSTAMP:\d{8}T\d{6}Z\r\n", b"", data)
        found[str(path.relative_to(folder))] = sha256_bytes(data)
    return found


def run(roster: Roster, out: Path, templates: Path, **options) -> GenerateResult:
    return generate_packets(roster, out, templates_dir=templates, **options)


def test_layout_manifest_fields_and_properties(roster: Roster, templates: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run(roster, out, templates)
    assert result.pairs == ["P001", "P002", "P003"]
    assert result.forms == list(PACKET)
    assert len(result.written) == 3 * 5 and not result.unchanged
    for pair in roster.pairs:
        folder = out / pair.pair_id
        expected = {f"{pair.pair_id}_{form}.docx" for form in PACKET}
        expected.add(f"{pair.pair_id}_meetings.ics")
        assert {p.name for p in folder.iterdir()} == expected
        for form in PACKET:
            data = (folder / f"{pair.pair_id}_{form}.docx").read_bytes()
            props = custom_properties(data)
            assert props["mentordocs.program"] == roster.program.name
            assert props["mentordocs.pair_id"] == pair.pair_id
            assert props["mentordocs.form"] == form
            declared = json.loads((templates / f"{form}.json").read_text(encoding="utf-8"))
            assert declared["version"] == ("2.1" if form == "goal-sheet" else "2.0")
            assert props["mentordocs.template_version"].startswith(f"{declared['version']}+")
            fields = fields_by_tag(data)
            assert fields["mentor_email"] == pair.mentor.email
            assert fields["mentee_name"] == pair.mentee.name
            document = docx.Document(io.BytesIO(data))
            assert f"Form: {form}" in [p.text for p in document.paragraphs]
    manifest = read_manifest(out)
    assert manifest.program == roster.program.name
    assert len(manifest.files) == 15
    for entry in manifest.files:
        assert sha256_file(out / entry.path) == entry.sha256
        assert entry.generated_at
        assert entry.form in (*PACKET, "meetings")
        assert bool(entry.template_version) == (entry.form != "meetings")
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert [p.relative_to(out).as_posix() for p in leftovers] == [".mentordocs"]
    # The declaration of each form's template version, kept for collect.
    versions = {e.form: e.template_version for e in manifest.files if e.form != "meetings"}
    for form, version in versions.items():
        kept = json.loads(declaration_path(out, form, version).read_text(encoding="utf-8"))
        assert kept["form"] == form and kept["fields"]


def test_rerun_writes_nothing_when_nothing_changed(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.*")}
    result = run(roster, out, templates)
    assert result.written == [] and len(result.unchanged) == 15
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.*") if p.name != "manifest.json"} == {
        p: t for p, t in before.items() if p.name != "manifest.json"
    }


def test_rerun_writes_only_what_changed(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    roster.pairs[1].mentee.name = "Renamed Mentee"
    result = run(roster, out, templates)
    # the mentee's name is in every form and in the calendar's event titles
    expected = [f"P002/P002_{form}.docx" for form in PACKET] + ["P002/P002_meetings.ics"]
    assert result.written == sorted(expected)
    assert len(result.unchanged) == 10
    fields = fields_by_tag((out / "P002/P002_goal-sheet.docx").read_bytes())
    assert fields["mentee_name"] == "Renamed Mentee"
    entry = read_manifest(out).by_path()["P002/P002_goal-sheet.docx"]
    assert entry.sha256 == sha256_file(out / entry.path)


def test_edited_file_is_kept_unless_force(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    edited = out / "P001" / "P001_goal-sheet.docx"
    edited.write_bytes(edited.read_bytes() + b"typed by a coordinator")
    edited_sha = sha256_file(edited)
    roster.pairs[0].mentee.name = "Changed"  # would otherwise rewrite every P001 form

    result = run(roster, out, templates)
    assert result.skipped_edited == ["P001/P001_goal-sheet.docx"]
    assert sha256_file(edited) == edited_sha
    assert "P001/P001_action-plan.docx" in result.written
    assert any("--force" in w for w in result.warnings)
    # still protected the next time
    assert run(roster, out, templates).skipped_edited == ["P001/P001_goal-sheet.docx"]

    result = run(roster, out, templates, force=True)
    assert result.written == ["P001/P001_goal-sheet.docx"]
    assert fields_by_tag(edited.read_bytes())["mentee_name"] == "Changed"
    assert read_manifest(out).by_path()["P001/P001_goal-sheet.docx"].sha256 == sha256_file(edited)


def test_file_not_made_here_is_never_replaced(roster, templates, tmp_path):
    out = tmp_path / "out"
    own = out / "P001" / "P001_goal-sheet.docx"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"someone's own file")
    result = run(roster, out, templates)
    assert result.skipped_edited == ["P001/P001_goal-sheet.docx"]
    assert own.read_bytes() == b"someone's own file"


def test_file_open_in_word_is_not_replaced(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    (out / "P001" / "~$01_goal-sheet.docx").write_bytes(b"lock")
    roster.pairs[0].mentee.name = "Changed"
    result = run(roster, out, templates)
    assert result.skipped_open == ["P001/P001_goal-sheet.docx"]
    assert any("Close them" in w for w in result.warnings)


def test_deleted_file_is_made_again(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    (out / "P003" / "P003_meetings.ics").unlink()
    result = run(roster, out, templates)
    assert result.written == ["P003/P003_meetings.ics"]


def test_interrupted_run_leaves_whole_packets_and_a_manifest(
    roster, templates, tmp_path, monkeypatch
):
    import mentordocs.generate.packets as generate_module

    real_folder = generate_module.atomic_folder
    calls = []

    @contextlib.contextmanager
    def failing_folder(path):
        calls.append(path)
        with real_folder(path) as staging:
            yield staging
            if len(calls) == 3:  # the third packet: its files are written, then the disk fills
                raise OutputError(f"Could not write {path}: disk full.")

    monkeypatch.setattr(generate_module, "atomic_folder", failing_folder)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="disk full"):
        run(roster, out, templates)
    recorded = read_manifest(out).files
    done = {entry.pair_id for entry in recorded}
    assert len(done) == 2  # the two packets finished before the failure, whole
    for entry in recorded:
        assert sha256_file(out / entry.path) == entry.sha256
    assert sorted(p.name for p in out.iterdir()) == sorted([*done, ".mentordocs", "manifest.json"])
    per_pair = len(recorded) // 2

    monkeypatch.setattr(generate_module, "atomic_folder", real_folder)
    result = run(roster, out, templates)
    assert len(result.unchanged) == len(recorded)
    assert len(result.written) == per_pair * (len(roster.pairs) - 2)


def test_a_changed_file_in_an_existing_packet_is_replaced_atomically(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    pair = roster.pairs[0]
    pair.mentor.name = "Someone New"
    result = run(roster, out, templates)
    assert result.written and all(rel.startswith(pair.pair_id + "/") for rel in result.written)
    assert not [p for p in out.rglob("*") if p.name.endswith((".tmp", ".partial"))]


def test_failure_in_a_worker_is_reported_and_what_was_written_recorded(roster, templates, tmp_path):
    roster.pairs.extend(
        dataclasses.replace(roster.pairs[n % 3], pair_id=f"X{n:02d}") for n in range(12)
    )
    # X11: a pair the check before the run does not render (it renders 12 representative
    # pairs, the last 3 copies of P003 left out), so the error comes from a worker.
    make_template(
        templates / "goal-sheet.docx",
        extra_paragraphs=('{% if pair.id == "X11" %}{{ mentor.nickname }}{% endif %}',),
    )
    out = tmp_path / "out"
    with pytest.raises(TemplateError, match=r"goal-sheet.docx.*\{\{ mentor.nickname \}\}"):
        run(roster, out, templates, jobs=2)
    written = read_manifest(out).files
    assert written  # the other pairs' files
    for entry in written:
        assert sha256_file(out / entry.path) == entry.sha256
    on_disk = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*.*")
        if p.name != "manifest.json" and not p.relative_to(out).as_posix().startswith(".")
    }
    assert on_disk == {entry.path for entry in written}
    assert not (out / "X11" / "X11_goal-sheet.docx").exists()


def test_undefined_variable_fails_before_anything_is_written(roster, templates, tmp_path):
    make_template(templates / "goal-sheet.docx", extra_paragraphs=("{{ mentor.nickname }}",))
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as error:
        run(roster, out, templates)
    assert "goal-sheet.docx" in str(error.value)
    assert "{{ mentor.nickname }}" in str(error.value)
    assert not out.exists()


def test_unknown_variable_fails_before_anything_is_written(roster, templates, tmp_path):
    make_template(templates / "action-plan.docx", extra_paragraphs=("{{ coach.name }}",))
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as error:
        run(roster, out, templates)
    message = str(error.value)
    assert "action-plan.docx" in message and "coach" in message and "{{ coach.name }}" in message
    assert "mentor" in message  # lists the variables that exist
    assert not out.exists()


def test_syntax_error_fails_before_anything_is_written(roster, templates, tmp_path):
    make_template(templates / "terms-of-engagement.docx", extra_paragraphs=("{% if pair.id %}",))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TemplateError, match="terms-of-engagement.docx"):
        run(roster, out, templates)
    assert list(out.iterdir()) == []


def test_names_too_long_for_a_file_name_are_cut_to_its_bytes_never_to_one_file(
    roster, templates, tmp_path
):
    # A name pattern led by a long name: cut to the 255 bytes a file name may have, the form's
    # part would go and the four forms would overwrite each other. Said before anything is
    # written, naming the pair.
    roster.pairs[2].mentor.name = "Anastasia " + "Вишневецкая-Оболенская " * 8
    out = tmp_path / "out"
    with pytest.raises(SelectionError) as error:
        run(roster, out, templates, name_pattern="{mentor} - {form}")
    assert "two forms of pair P003" in str(error.value) and "{form}" in str(error.value)
    assert not out.exists()
    # the form first: every name is cut to whole UTF-8 characters and the packet is whole
    result = run(roster, out, templates, name_pattern="{form} - {mentor}")
    names = sorted(p.name for p in (out / "P003").glob("*.docx"))
    assert len(names) == len(PACKET) == len(set(names))
    assert all(len(name.encode()) <= 160 for name in names)
    assert not result.skipped_edited


def test_unknown_form_and_pair_list_the_valid_ones(roster, templates, tmp_path):
    with pytest.raises(SelectionError) as error:
        run(roster, tmp_path / "out", templates, forms=["goal-sheets"])
    assert "goal-sheets" in str(error.value) and "goal-sheet," in str(error.value)
    with pytest.raises(SelectionError) as error:
        run(roster, tmp_path / "out", templates, pairs=["P009"])
    assert "P009" in str(error.value) and "P001, P002, P003" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_choosing_forms_and_pairs(roster, templates, tmp_path):
    out = tmp_path / "out"
    result = run(roster, out, templates, forms=["goal-sheet"], pairs=["p002"])
    assert result.written == ["P002/P002_goal-sheet.docx", "P002/P002_meetings.ics"]
    assert sorted(p.name for p in out.iterdir()) == [".mentordocs", "P002", "manifest.json"]


def test_inactive_pairs(roster, templates, tmp_path):
    roster.pairs[1].status = "Paused"
    result = run(roster, tmp_path / "a", templates)
    assert result.pairs == ["P001", "P003"]
    result = run(roster, tmp_path / "b", templates, include_inactive=True)
    assert result.pairs == ["P001", "P002", "P003"]
    with pytest.raises(SelectionError, match=r"P002 \(Paused\).*--include-inactive"):
        run(roster, tmp_path / "c", templates, pairs=["P002"])
    for pair in roster.pairs:
        pair.status = "Ended"
    with pytest.raises(SelectionError, match="No active pairs"):
        run(roster, tmp_path / "d", templates)


def test_pair_ids_sharing_a_folder_are_refused(roster, templates, tmp_path):
    roster.pairs[1].pair_id = "p001"
    roster.pairs[1].row = 3
    with pytest.raises(SelectionError, match=r"'P001' and 'p001'.*same packet folder.*row 3"):
        run(roster, tmp_path / "out", templates)
    assert not (tmp_path / "out").exists()


def test_name_pattern(roster, templates, tmp_path):
    out = tmp_path / "out"
    result = run(roster, out, templates, name_pattern="{form} - {mentee}", pairs=["P001"])
    assert "P001/goal-sheet - Mentee 1.docx" in result.written
    assert "P001/meetings - Mentee 1.ics" in result.written
    with pytest.raises(SelectionError, match=r"must contain \{form\}"):
        run(roster, out, templates, name_pattern="{pair_id}")
    with pytest.raises(SelectionError, match=r"\{school\}"):
        run(roster, out, templates, name_pattern="{school}_{form}")


def test_zip_per_pair(roster, templates, tmp_path):
    out = tmp_path / "out"
    result = run(roster, out, templates, zip_packets=True)
    assert result.zips == ["P001.zip", "P002.zip", "P003.zip"]
    with zipfile.ZipFile(out / "P001.zip") as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in (out / "P001").iterdir())
        assert (
            archive.read("P001_goal-sheet.docx") == (out / "P001/P001_goal-sheet.docx").read_bytes()
        )
    entry = read_manifest(out).by_path()["P001.zip"]
    assert entry.form == "zip" and entry.sha256 == sha256_file(out / "P001.zip")
    again = run(roster, out, templates, zip_packets=True)
    assert again.zips == [] and "P001.zip" in again.unchanged


def test_two_jobs_give_the_same_files_as_one(roster, templates, tmp_path):
    roster.pairs.extend(
        dataclasses.replace(roster.pairs[n % 3], pair_id=f"X{n:02d}") for n in range(9)
    )
    one = run(roster, tmp_path / "one", templates, jobs=1)
    two = run(roster, tmp_path / "two", templates, jobs=2)
    assert one.written == two.written
    assert all_files(tmp_path / "one") != {}
    assert all_files(tmp_path / "one") == all_files(tmp_path / "two")

    def entries(folder: Path) -> list:
        return [
            (e.path, "" if e.form == "meetings" else e.sha256, e.template_version)
            for e in read_manifest(folder).files
        ]

    assert entries(tmp_path / "one") == entries(tmp_path / "two")
    # and a parallel re-run finds everything up to date
    assert run(roster, tmp_path / "two", templates, jobs=2).written == []


def test_default_jobs_use_every_cpu_for_a_large_roster_only(roster, templates, tmp_path):
    """Starting worker processes costs a few tenths of a second: by default a small roster is
    done in this process, a large one on every CPU."""
    small = generate_packets(roster, tmp_path / "small", templates_dir=templates)
    roster.pairs.extend(
        dataclasses.replace(roster.pairs[n % 3], pair_id=f"X{n:03d}")
        for n in range(AUTO_JOBS_PAIRS)
    )
    large = generate_packets(
        roster, tmp_path / "large", templates_dir=templates, forms=["goal-sheet"]
    )
    one = generate_packets(
        roster, tmp_path / "one", templates_dir=templates, jobs=1, forms=["goal-sheet"]
    )
    assert (small.processes, large.processes, one.processes) == (1, os.cpu_count() or 1, 1)
    assert len(large.written) == len(one.written) == 2 * len(large.pairs)  # form + calendar
    help_text = CliRunner().invoke(cli, ["generate", "--help"]).output
    assert f"one per CPU for {AUTO_JOBS_PAIRS} pairs or more" in " ".join(help_text.split())


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, total: int, label: str) -> None:
        self.calls.append(("start", total, label))

    def advance(self, steps: int = 1) -> None:
        self.calls.append(("advance", steps))

    def finish(self) -> None:
        self.calls.append(("finish",))


def test_progress_is_reported(roster, templates, tmp_path):
    progress = Recorder()
    run(roster, tmp_path / "out", templates, progress=progress)
    assert progress.calls[0] == ("start", 3, "Generating packets")
    assert sum(c[1] for c in progress.calls if c[0] == "advance") == 3
    assert progress.calls[-1] == ("finish",)


def test_meetings_calendar_parses_back(roster, templates, tmp_path):
    out = tmp_path / "out"
    run(roster, out, templates)
    calendar = icalendar.Calendar.from_ical((out / "P001" / "P001_meetings.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == len(roster.pairs[0].meetings) + 2  # and the mid-point and end review
    assert events[0]["DTSTART"].dt == dt.datetime.combine(
        roster.pairs[0].meetings[0].date, roster.pairs[0].meetings[0].time
    )


def test_pdf_without_libreoffice_fails_before_writing(roster, templates, tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORDOCS_SOFFICE", str(tmp_path / "no-soffice"))
    out = tmp_path / "out"
    with pytest.raises(OfficeError, match="LibreOffice"):
        run(roster, out, templates, pdf=True)
    assert not out.exists()


@pytest.mark.soffice
def test_pdf_for_one_packet(roster, templates, tmp_path):
    out = tmp_path / "out"
    result = run(roster, out, templates, pairs=["P001"], pdf=True, zip_packets=True)
    assert result.pdfs == [f"P001/P001_{form}.pdf" for form in sorted(PACKET)]
    for rel in result.pdfs:
        assert (out / rel).read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(out / "P001.zip") as archive:
        assert "P001_goal-sheet.pdf" in archive.namelist()
    assert not [p for p in out.rglob(".mentordocs-pdf-*")]
    assert read_manifest(out).by_path()["P001/P001_goal-sheet.pdf"].form == "goal-sheet"
    # nothing changed: no second LibreOffice run, the PDFs stay
    again = run(roster, out, templates, pairs=["P001"], pdf=True)
    assert again.pdfs == []


# ---- the command line -----------------------------------------------------------------------


def test_cli_generate(templates, tmp_path):
    out = tmp_path / "packets"
    args = ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--templates", str(templates)]
    result = CliRunner().invoke(cli, [*args, "--pair", "P01", "--pair", "P02", "--zip"])
    assert result.exit_code == 0, result.output
    assert "Packets for 2 pair(s)" in result.output
    assert "10 file(s) written, 0 unchanged, 2 zip(s) written." in result.output
    assert (out / "P01" / "P01_action-plan.docx").exists()
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(data["files"]) == 12

    edited = out / "P01" / "P01_goal-sheet.docx"
    edited.write_bytes(b"edited")
    result = CliRunner().invoke(cli, [*args, "--pair", "P01", "--force"])
    assert result.exit_code == 0, result.output
    assert "1 file(s) written, 4 unchanged" in result.output


def test_cli_usage_errors_exit_2(templates, tmp_path):
    args = [
        "generate",
        str(SAMPLE_ROSTER),
        "-o",
        str(tmp_path / "out"),
        "--templates",
        str(templates),
    ]
    result = CliRunner().invoke(cli, [*args, "--pair", "Z99"])
    assert result.exit_code == 2
    assert "No pair 'Z99'" in result.output and "P01" in result.output
    result = CliRunner().invoke(cli, [*args, "--form", "nope"])
    assert result.exit_code == 2 and "goal-sheet" in result.output


def test_cli_template_error_exit_1(templates, tmp_path):
    make_template(templates / "goal-sheet.docx", extra_paragraphs=("{% for x in %}",))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--templates", str(templates)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: Template ") and "goal-sheet.docx" in result.output
    assert not out.exists()


def test_cli_help_has_example():
    result = CliRunner().invoke(cli, ["generate", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "samples/roster.xlsx" in result.output


FAKE_SOFFICE = """\
#!{python}
# A stand-in for LibreOffice: logs its command line, writes a "PDF" naming each input's sha256.
import hashlib, json, pathlib, sys
args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
outdir = pathlib.Path(args[args.index("--outdir") + 1])
outdir.mkdir(parents=True, exist_ok=True)
for name in args:
    if name.endswith(".docx"):
        digest = hashlib.sha256(pathlib.Path(name).read_bytes()).hexdigest()
        (outdir / (pathlib.Path(name).stem + ".pdf")).write_bytes(b"%PDF-fake " + digest.encode())
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch) -> Path:
    """MENTORDOCS_SOFFICE -> a script that fakes soffice; returns its log (one JSON line a run)."""
    import stat
    import sys

    log = tmp_path / "soffice-calls.jsonl"
    script = tmp_path / "fake-soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable, log=str(log)), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("MENTORDOCS_SOFFICE", str(script))
    return log


def test_cli_pdf_converts_every_form_of_every_pair_in_one_soffice_call(
    templates, tmp_path, fake_soffice
):
    out = tmp_path / "packets"
    args = ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--templates", str(templates), "--pdf"]
    result = CliRunner().invoke(cli, [*args, "--pair", "P01", "--pair", "P02", "--pair", "P03"])
    assert result.exit_code == 0, result.output
    assert "12 PDF(s) made" in result.output

    calls = [json.loads(line) for line in fake_soffice.read_text(encoding="utf-8").splitlines()]
    assert len(calls) == 1, f"expected one soffice run for the whole batch, got {len(calls)}"
    call = calls[0]
    assert call[call.index("--convert-to") + 1] == "pdf"
    assert "--headless" in call
    assert len([a for a in call if a.endswith(".docx")]) == 12
    docx_files = sorted(out.glob("P0[123]/*.docx"))
    assert len(docx_files) == 12
    for source in docx_files:  # each PDF sits beside its own form and was made from it
        pdf = source.with_suffix(".pdf")
        assert pdf.read_bytes() == b"%PDF-fake " + sha256_file(source).encode()
    assert not list(out.rglob(".mentordocs-pdf-*")), "the scratch folder was left behind"
    manifest = read_manifest(out).by_path()
    assert manifest["P02/P02_goal-sheet.pdf"].sha256 == sha256_file(out / "P02/P02_goal-sheet.pdf")

    # Up to date: no LibreOffice run at all. One form changed: one run, for that form only.
    again = CliRunner().invoke(cli, [*args, "--pair", "P01", "--pair", "P02", "--pair", "P03"])
    assert again.exit_code == 0, again.output
    assert "PDF(s) made" not in again.output
    assert len(fake_soffice.read_text(encoding="utf-8").splitlines()) == 1
    make_template(templates / "goal-sheet.docx", extra_paragraphs=("Form: goal-sheet, v2",))
    changed = CliRunner().invoke(cli, [*args, "--pair", "P01", "--pair", "P02", "--pair", "P03"])
    assert changed.exit_code == 0, changed.output
    assert "3 PDF(s) made" in changed.output
    calls = fake_soffice.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 2
    assert len([a for a in json.loads(calls[1]) if a.endswith(".docx")]) == 3


def test_cli_pdf_that_libreoffice_cannot_make_names_the_form(templates, tmp_path, fake_soffice):
    """A form LibreOffice fails on is named as the coordinator knows it, not as a scratch copy."""
    out = tmp_path / "packets"
    generate = ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--templates", str(templates)]
    made = CliRunner().invoke(cli, [*generate, "--pair", "P01", "--pair", "P02"])
    assert made.exit_code == 0, made.output
    bad = out / "P02" / "P02_goal-sheet.docx"
    # the fake soffice writes no PDF for a file it cannot read as a zip (a damaged .docx)
    script = Path(os.environ["MENTORDOCS_SOFFICE"])
    script.write_text(
        script.read_text(encoding="utf-8").replace(
            '    if name.endswith(".docx"):',
            '    if name.endswith(".docx") and pathlib.Path(name).read_bytes()[:2] == b"PK":',
        ),
        encoding="utf-8",
    )
    bad.write_bytes(b"damaged")
    result = CliRunner().invoke(cli, [*generate, "--pair", "P01", "--pair", "P02", "--pdf"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Making the PDFs failed")
    assert str(bad) in result.output, result.output
    assert "mentordocs-pdf-" not in result.output
    assert not list(out.rglob("*.pdf")), "a failed batch must not leave some PDFs"
    assert not list(out.rglob(".mentordocs-pdf-*"))


def test_cli_pdf_without_libreoffice_is_a_clear_error(templates, tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORDOCS_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "packets"
    result = CliRunner().invoke(
        cli,
        ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--templates", str(templates), "--pdf"],
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "LibreOffice" in result.output and "MENTORDOCS_SOFFICE" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_ctrl_c_in_the_terminal_stops_generate_with_what_to_do_and_no_traceback(
    tmp_path, monkeypatch
):
    # Ctrl-C reaches every process of the terminal, the worker processes too: each printed
    # its own traceback, and the command said only "Aborted!". Run for real, in a process
    # group of its own, as a terminal runs it.
    import os
    import signal
    import subprocess
    import sys
    import time

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import build_roster_workbook  # the benchmark's roster of many pairs

    roster = build_roster_workbook(400, tmp_path / "roster.xlsx")
    out = tmp_path / "packets"
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mentordocs",
            "generate",
            str(roster),
            "-o",
            str(out),
            "-q",
            "--jobs",
            "2",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not any(out.glob("*/*.docx")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGINT)
    output, errors = run.communicate(timeout=120)
    assert run.returncode == 130, (output, errors)
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors
    said = " ".join(errors.split())
    assert (
        f"Stopped (Ctrl-C). The files made so far are in {out} and listed in its manifest.json. "
        "Run the same command again to finish: what is already made is kept."
    ) in said
    written = {p.relative_to(out).as_posix() for p in out.glob("*/*.docx")}
    listed = {e.path for e in read_manifest(out).files if e.path.endswith(".docx")}
    assert written and written <= listed  # every form made is in the manifest
    again = subprocess.run(
        [sys.executable, "-m", "mentordocs", "generate", str(roster), "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert len(read_manifest(out).files) == 400 * 5
