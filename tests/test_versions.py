"""A form made from an earlier version of a template is read against that version's fields."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLE_ROSTER, TEMPLATES
from test_roundtrip import fill_docx
from test_templates import _copy_templates, _delete_anchor, _rename_recognition

from mentordocs.cli import cli
from mentordocs.collect import collect_forms, read_form
from mentordocs.generate.packets import generate_packets
from mentordocs.records import read_manifest
from mentordocs.roster import load_roster
from mentordocs.tracking import read_tracking


def test_an_answer_to_a_question_todays_form_no_longer_asks_goes_to_review(tmp_path: Path):
    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0].pair_id
    packets = tmp_path / "packets"
    generate_packets(roster, packets, pairs=[pair], forms=["goal-sheet"])
    [sent] = list(packets.rglob("*_goal-sheet.docx"))
    values = {"goal_1_goal": "Kept question", "goal_1_priority": "High"}
    returned = tmp_path / "in" / sent.name
    returned.parent.mkdir()
    returned.write_bytes(fill_docx(sent.read_bytes(), values))
    shipped = json.loads((TEMPLATES / "goal-sheet.json").read_text(encoding="utf-8"))["version"]
    assert read_form(returned).template_version.startswith(f"{shipped}+")

    # Mid-year the coordinator changes the goal sheet: a new version, no "priority" question.
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates, ignore=shutil.ignore_patterns("*.py", "email"))
    declaration = json.loads((templates / "goal-sheet.json").read_text(encoding="utf-8"))
    declaration["version"] = "9.0"
    declaration["fields"] = [f for f in declaration["fields"] if "priority" not in f["id"]]
    (templates / "goal-sheet.json").write_text(json.dumps(declaration), encoding="utf-8")

    tracking = tmp_path / "t.xlsx"
    result = collect_forms(
        [returned.parent], tracking, roster, packets_dir=packets, templates_dir=templates
    )
    assert result.unreadable == 0 and result.new == 1
    data = read_tracking(tracking)
    [ret] = data.returns
    assert ret.values["goal_1_goal"] == "Kept question"
    assert "goal_1_priority" not in ret.values  # today's form has no such column
    [item] = data.review
    assert item.text == "High" and "earlier version" in item.why
    # The file's warning says so (it blamed another program for removing the fields' names).
    [warning] = [p for p in result.problems if p.file.endswith(returned.name)]
    assert "has answers to 1 question(s) that the template it was made from asks" in (
        warning.message
    )
    assert "('goal_1_priority')" in warning.message and "another program" not in warning.message

    # Without the packets folder the old declaration is not known: read against today's,
    # with a warning that says so, and the answer still not lost.
    result = collect_forms([returned.parent], tmp_path / "t2.xlsx", roster, templates_dir=templates)
    [note] = [p for p in result.problems if f"version {shipped}" in p.message]
    assert note.severity == "warning"


#: The goal sheet as it was at version 2.0, before its progress and status questions went to
#: the mid-point check-in and the end review (asked once): its template and declaration.
GOAL_SHEET_2_0 = Path(__file__).parent / "fixtures" / "goal-sheet-2.0"


def test_a_goal_sheet_of_version_2_0_with_midpoint_progress_is_read_against_2_0(tmp_path: Path):
    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0].pair_id
    old = json.loads((GOAL_SHEET_2_0 / "goal-sheet.json").read_text(encoding="utf-8"))
    today = json.loads((TEMPLATES / "goal-sheet.json").read_text(encoding="utf-8"))
    assert (old["version"], today["version"]) == ("2.0", "2.1")
    asked_later = {"goal_{n}_midpoint_progress", "goal_{n}_status"}
    assert asked_later <= {f["id"] for f in old["fields"]}
    assert not asked_later & {f["id"] for f in today["fields"]}

    # The packet went out with the 2.0 goal sheet: generate kept 2.0's declaration with it.
    templates_2_0 = tmp_path / "templates-2.0"
    shutil.copytree(TEMPLATES, templates_2_0, ignore=shutil.ignore_patterns("*.py", "email"))
    for name in ("goal-sheet.docx", "goal-sheet.json"):
        shutil.copyfile(GOAL_SHEET_2_0 / name, templates_2_0 / name)
    packets = tmp_path / "packets"
    generate_packets(
        roster, packets, pairs=[pair], forms=["goal-sheet"], templates_dir=templates_2_0
    )
    [sent] = list(packets.rglob("*_goal-sheet.docx"))
    values = {
        "goal_1_goal": "Kept question",
        "goal_1_measure": "Two observations",
        "goal_1_midpoint_progress": "Halfway: two routines of five",
        "goal_1_status": "In progress",
    }
    returned = tmp_path / "in" / sent.name
    returned.parent.mkdir()
    returned.write_bytes(fill_docx(sent.read_bytes(), values))
    assert read_form(returned).template_version.startswith("2.0+")

    # Collected with today's (2.1) templates: read against 2.0's declaration, no warning, and
    # the answers 2.1 no longer asks are kept (on the Review sheet), each under its 2.0 field.
    # (Given as --templates: without it, collect would read against the 2.0 folder the
    # packets' manifest names, the one they were generated with.)
    tracking = tmp_path / "t.xlsx"
    result = collect_forms(
        [returned.parent], tracking, roster, packets_dir=packets, templates_dir=TEMPLATES
    )
    assert result.unreadable == 0 and result.new == 1
    assert not [p for p in result.problems if "version 2.0" in p.message]
    data = read_tracking(tracking)
    [ret] = data.returns
    assert ret.values["goal_1_goal"] == "Kept question"
    assert ret.values["goal_1_measure"] == "Two observations"
    assert "goal_1_midpoint_progress" not in ret.values and "goal_1_status" not in ret.values
    review = {item.suggestion: item for item in data.review}
    assert review["goal_1_midpoint_progress"].text == "Halfway: two routines of five"
    assert review["goal_1_status"].text == "In progress"
    assert all("earlier version" in item.why for item in review.values())
    # 2.0's status drop-downs started at "Not started": the other goals' came back as they
    # were sent (the pair's copy in the packets folder says so), which is no answer to review.
    assert set(review) == {"goal_1_midpoint_progress", "goal_1_status"}
    sent_copy = read_form(sent)
    started = {f.id: f.value for f in sent_copy.fields if f.id.endswith("_status")}
    assert started and set(started.values()) == {"Not started"}

    # Without the pair's sent copy to compare with, nothing is dropped: every status that
    # came back is shown for review.
    alone = tmp_path / "alone.xlsx"
    result = collect_forms([returned.parent], alone, roster)
    assert result.new == 1
    shown = [(item.why, item.text) for item in read_tracking(alone).review]
    statuses = sorted(text for why, text in shown if "_status'" in why)
    assert statuses == ["In progress"] + ["Not started"] * (len(started) - 1)


def test_collect_given_the_packets_reads_against_the_templates_they_were_generated_with(
    tmp_path: Path,
):
    """generate --templates MINE, then collect --packets without --templates: a question of
    the coordinator's own went to the Review sheet, as if a program had removed its name.
    The manifest names, form by form, the templates folder each was generated from; collect
    reads against it and says so; a later run of generate with the shipped templates for
    another form leaves that alone; a folder copied before the review forms came is fine; the
    project moved whole is found again; a folder no longer there is a warning."""
    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0].pair_id
    project = tmp_path / "project"
    project.mkdir()
    mine = _copy_templates(project)
    for old in ("midpoint-review", "end-review"):  # copied before the review forms came
        for suffix in (".docx", ".json"):
            (mine / f"{old}{suffix}").unlink()
    _rename_recognition(mine)  # 'recognition' becomes a question of the coordinator's own
    declaration = mine / "terms-of-engagement.json"
    declaration.write_text(
        declaration.read_text(encoding="utf-8").replace('"id": "recognition"', '"id": "thanks"'),
        encoding="utf-8",
    )
    _delete_anchor(mine / "terms-of-engagement.docx", "recognition")
    packets = project / "packets"
    generate_packets(
        roster, packets, pairs=[pair], forms=["terms-of-engagement"], templates_dir=mine
    )
    # Later, another form from the shipped templates, into the same packets folder.
    generate_packets(roster, packets, pairs=[pair], forms=["goal-sheet"])
    [sent] = list(packets.rglob("*_terms-of-engagement.docx"))
    returned = tmp_path / "in" / sent.name
    returned.parent.mkdir()
    returned.write_bytes(fill_docx(sent.read_bytes(), {"thanks": "A note after each visit"}))

    tracking = tmp_path / "t.xlsx"
    result = collect_forms([returned.parent], tracking, roster, packets_dir=packets)
    assert result.templates_of_packets == {mine.resolve(): ["terms-of-engagement"]}
    assert (result.new, result.review, result.problems) == (1, 0, [])
    [ret] = read_tracking(tracking).returns
    assert ret.values["thanks"] == "A note after each visit"
    output = (
        CliRunner()
        .invoke(
            cli,
            ["collect", str(returned.parent), "-o", str(tmp_path / "cli.xlsx")]
            + ["--roster", str(SAMPLE_ROSTER), "--packets", str(packets)],
        )
        .output
    )
    assert f"Read terms-of-engagement against your templates in {mine.resolve()}" in output

    # The project (packets and templates side by side) moved elsewhere: found again.
    moved = project.rename(tmp_path / "project-moved")
    result = collect_forms(
        [returned.parent], tmp_path / "t3.xlsx", roster, packets_dir=moved / "packets"
    )
    assert result.templates_of_packets == {(moved / mine.name).resolve(): ["terms-of-engagement"]}
    assert result.review == 0

    # Its declaration broken: said so, with the error, and read against the shipped ones.
    broken = moved / mine.name / "terms-of-engagement.json"
    kept = broken.read_bytes()
    broken.write_text("{", encoding="utf-8")
    result = collect_forms(
        [returned.parent], tmp_path / "t5.xlsx", roster, packets_dir=moved / "packets"
    )
    [unreadable] = [p for p in result.problems if p.file.endswith("manifest.json")]
    assert "whose declaration cannot be read now" in unreadable.message
    assert "not valid JSON" in unreadable.message and "templates check" in unreadable.fix
    broken.write_bytes(kept)

    # The templates folder gone: read against the shipped ones, and said so twice.
    shutil.rmtree(moved / mine.name)
    result = collect_forms(
        [returned.parent], tmp_path / "t2.xlsx", roster, packets_dir=moved / "packets"
    )
    assert result.templates_of_packets == {} and result.review == 1
    [gone] = [p for p in result.problems if p.file.endswith("manifest.json")]
    assert gone.severity == "warning" and "which are no longer there" in gone.message
    assert "terms-of-engagement form(s)" in gone.message and "Give --templates" in gone.fix
    # Read against the declaration the form was made from (kept in the packets folder), its
    # own question is one today's templates do not ask.
    [retired] = [p for p in result.problems if p.file.endswith(sent.name)]
    assert "that the template it was made from asks and the one it is read against" in (
        retired.message
    )
    assert "('thanks')" in retired.message and "--templates YOUR-FOLDER" in retired.fix

    # Without the packets folder either: a field its declaration does not list.
    result = collect_forms([returned.parent], tmp_path / "t4.xlsx", roster)
    [undeclared] = [p for p in result.problems if p.file.endswith(sent.name)]
    assert "its form's declaration does not list ('thanks')" in undeclared.message
    assert "(or --packets with the folder they were generated into)" in undeclared.fix


def test_regenerating_one_pair_with_other_templates_keeps_the_packets_record_and_says_so(
    tmp_path: Path,
):
    """generate --pair P01 without --templates, after every pair's forms were made from the
    coordinator's templates: the record of the form's folder went to the shipped templates
    for every pair's copy, and collect read the others against the wrong declaration."""
    roster = load_roster(SAMPLE_ROSTER)
    first, second = (pair.pair_id for pair in roster.pairs[:2])
    mine = _copy_templates(tmp_path)
    packets = tmp_path / "packets"
    form = ["terms-of-engagement"]
    generate_packets(roster, packets, pairs=[first, second], forms=form, templates_dir=mine)
    result = generate_packets(roster, packets, pairs=[first], forms=form)
    [warning] = result.warnings
    assert "This run made terms-of-engagement from the shipped templates, while the other" in (
        warning
    )
    assert f"run it again with --templates {mine.resolve()}" in warning
    assert read_manifest(packets).templates_folder(form[0], packets) == (mine.resolve(), True)
    # Every pair's forms again, from the shipped templates: that is recorded.
    result = generate_packets(roster, packets, pairs=[first, second], forms=form)
    assert result.warnings == []
    assert read_manifest(packets).templates_folder(form[0], packets) == (None, True)


def _without_properties(data: bytes) -> bytes:
    """A .docx without its custom properties, as Google Docs exports a form."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/custom.xml":
                continue
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                payload = re.sub(rb"<[^<>]*custom(?:-properties|\.xml)[^<>]*/>", b"", payload)
            target.writestr(info, payload)
    return out.getvalue()


def test_a_form_without_its_properties_is_known_by_the_pair_its_footer_names(tmp_path: Path):
    """The forms' footers say 'Pair P01 · ...': a form that lost its properties is filed by
    that without a warning; one whose file name names another pair is not guessed at."""
    roster = load_roster(SAMPLE_ROSTER)
    first, second = (pair.pair_id for pair in roster.pairs[:2])
    packets = tmp_path / "packets"
    generate_packets(roster, packets, pairs=[first], forms=["goal-sheet"])
    [sent] = list(packets.rglob("*_goal-sheet.docx"))
    filled = fill_docx(sent.read_bytes(), {"goal_1_goal": "Plan lessons a week ahead"})
    bare = _without_properties(filled)
    assert not read_form(_written(tmp_path, "x.docx", bare)).pair_id

    # Named any way at all: the footer says whose it is.
    folder = tmp_path / "in"
    _written(folder, "my goals (final).docx", bare)
    result = collect_forms([folder], tmp_path / "t.xlsx", roster)
    assert (result.new, result.problems) == (1, [])
    [ret] = read_tracking(tmp_path / "t.xlsx").returns
    assert (ret.pair_id, ret.values["goal_1_goal"]) == (first, "Plan lessons a week ahead")

    # Named as generated: the footer agrees, so no warning (the file name is no proof).
    _written(tmp_path / "named", sent.name, bare)
    result = collect_forms([tmp_path / "named"], tmp_path / "t3.xlsx", roster)
    assert (result.new, result.problems) == (1, [])

    # Named for another pair: not copied, and the problem says how to settle it.
    other = tmp_path / "other"
    _written(other, f"{second}_goal-sheet.docx", bare)
    result = collect_forms([other], tmp_path / "t2.xlsx", roster)
    assert result.new == 0
    [problem] = result.problems
    assert f"says in its footer that it is pair {first}'s form, but its file name says pair " in (
        problem.message
    )
    assert f"change 'Pair {first}' in its footer to 'Pair {second}'" in problem.fix
    assert problem.severity == "error"


def _written(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
