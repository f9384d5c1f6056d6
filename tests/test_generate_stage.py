"""The mid-point and end review: the ``review`` context built from what a pair returned, and
``generate --stage``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mentordocs.generate.context import (
    build_context,
    latest_returns,
    review_context,
    sample_contexts,
    sample_roster,
    stage_due_date,
)
from mentordocs.models import Roster
from mentordocs.tracking import ReturnedForm

HOSTILE = 'Tom & Jerry\'s <b>"plan"</b> {{ pair.id }} {% if %} ☺ مرحبا\nline two\t'
RETURNED = dt.datetime(2026, 10, 3, 9, 30)


@pytest.fixture
def roster() -> Roster:
    return sample_roster()


def returned(form: str, values: dict[str, str | bool], when: dt.datetime | None = RETURNED):
    return ReturnedForm("P002", form, f"P002_{form}.docx", "", when, values)


def test_goals_as_the_pair_wrote_them_in_the_goal_sheet_verbatim(roster):
    pair = roster.pair("P002")  # mutual growth: the mentee's goals and the mentor's own
    sheet = returned(
        "goal-sheet",
        {
            "goal_1_goal": HOSTILE,
            "goal_1_measure": "Tallies & notes",
            "goal_1_target_date": "2027-03-12",
            "goal_2_goal": "   ",  # a blank slot is no goal
            "goal_3_goal": "Third, in slot 3",
            "mentor_goal_2_goal": "The mentor's own, in slot 2",
            "goal_1_horizon": "Short-term",
        },
    )
    review = review_context(roster, pair, "midpoint", {"goal-sheet": sheet})
    assert review["stage"] == "midpoint"
    assert review["goals_source"] == "goal-sheet"
    assert (
        review["goals_source_text"]
        == "as you wrote them in your goal sheet (returned 3 October 2026)"
    )
    goals = review["goals"]
    assert [(g["slot"], g["text"]) for g in goals["goal"]] == [
        (1, HOSTILE),
        (3, "Third, in slot 3"),
    ]
    assert goals["goal"][0]["measure"] == "Tallies & notes"
    assert goals["goal"][0]["target_date"] == "12 March 2027"
    assert goals["goal"][0]["target_date_iso"] == "2027-03-12"
    assert [(g["slot"], g["whose"]) for g in goals["mentor_goal"]] == [(2, "Mentor")]
    assert goals["joint_goal"] == []
    assert goals["goal"][0]["midpoint_status"] == goals["goal"][0]["next_step"] == ""


def test_action_plan_goals_when_the_goal_sheet_has_not_come_back(roster):
    pair = roster.pair("P002")
    # An action plan of template 1.0 held the goals (and "mentor_growth" for the mentor's own).
    plan = returned(
        "action-plan", {"goal_2_goal": "From the plan", "mentor_growth_1_goal": "Mentor's, 1.0"}
    )
    review = review_context(roster, pair, "midpoint", {"action-plan": plan})
    assert review["goals_source"] == "action-plan"
    assert review["goals_source_text"] == (
        "as you wrote them in your action plan (returned 3 October 2026): your goal sheet has "
        "not come back"
    )
    assert [g["text"] for g in review["goals"]["goal"]] == ["From the plan"]
    assert [g["text"] for g in review["goals"]["mentor_goal"]] == ["Mentor's, 1.0"]


def test_roster_goals_when_neither_came_back_and_the_text_says_why(roster):
    pair = roster.pair("P005")  # mutual growth + coaching: all three kinds of goal
    review = review_context(roster, pair, "midpoint", {})
    assert review["goals_source"] == "roster"
    assert review["goals_source_text"] == (
        "from the program's roster: your goal sheet and action plan have not come back"
    )
    assert [g["text"] for g in review["goals"]["goal"]] == [g.goal for g in pair.goals_of("Mentee")]
    assert [g["slot"] for g in review["goals"]["goal"]] == [1, 2]
    assert [g["whose"] for g in review["goals"]["joint_goal"]] == ["Joint"]
    empty_sheet = returned("goal-sheet", {"goal_1_goal": "", "mentor_agree": True})
    review = review_context(roster, pair, "end", {"goal-sheet": empty_sheet})
    assert review["goals_source"] == "roster"
    assert review["goals_source_text"] == (
        "from the program's roster: your action plan has not come back; your goal sheet came "
        "back without goals"
    )


def test_commitments_as_returned_else_the_rosters(roster):
    pair = roster.pair("P002")
    plan = returned(
        "action-plan",
        {
            "commitment_other_1": "Other, first",
            "commitment_attendance_2": HOSTILE,
            "commitment_attendance_1": "On time",
            "commitment_interaction_1": "",
        },
    )
    review = review_context(roster, pair, "midpoint", {"action-plan": plan})
    assert review["commitments"] == [
        {"area": "Attendance", "text": "On time"},
        {"area": "Attendance", "text": HOSTILE},
        {"area": "Other", "text": "Other, first"},
    ]
    assert review["commitments_source_text"] == (
        "as you agreed them in your action plan (returned 3 October 2026)"
    )
    review = review_context(roster, pair, "midpoint", {})
    assert review["commitments"] == [{"area": c.area, "text": c.text} for c in pair.commitments]
    assert review["commitments_source_text"] == (
        "from the program's roster: your action plan has not come back"
    )


def test_meetings_agreed_in_the_terms_else_the_rosters(roster):
    pair = roster.pair("P002")
    terms = returned(
        "terms-of-engagement",
        {
            "meeting_frequency": "Every 2 weeks",
            "meeting_day": "Tuesday",
            "meeting_time": "3:30 pm",
            "meeting_length": "45",
            "meeting_mode": "In person",
            "meeting_place": HOSTILE,
        },
    )
    review = review_context(roster, pair, "midpoint", {"terms-of-engagement": terms})
    assert review["meetings_agreed"] == (
        f"Every 2 weeks on Tuesday at 3:30 pm, 45 minutes, in person, {HOSTILE}"
    )
    assert review["meetings_source"] == "terms-of-engagement"
    review = review_context(roster, pair, "midpoint", {})
    assert (
        review["meetings_agreed"] == "Weekly on Wednesday at 15:30, 45 minutes, in person, Room 12"
    )
    assert review["meetings_source"] == "roster"


def test_end_review_goals_carry_the_midpoint_status_progress_next_step_and_wording(roster):
    pair = roster.pair("P002")
    sheet = returned("goal-sheet", {"goal_1_goal": "As first written", "goal_2_goal": "Second"})
    midpoint = returned(
        "midpoint-review",
        {
            "goal_1_goal": "Reworded at the mid-point",
            "goal_1_status": "Changed",
            "goal_1_progress": HOSTILE,
            "goal_1_next_step": "Ask the principal",
            "goal_2_goal": "Second",
            "goal_2_status": "At risk",
        },
        when=dt.datetime(2027, 1, 25, 12, 0),
    )
    review = review_context(roster, pair, "end", {"goal-sheet": sheet, "midpoint-review": midpoint})
    first, second = review["goals"]["goal"]
    assert first["text"] == "Reworded at the mid-point"
    assert (first["midpoint_status"], first["midpoint_progress"], first["next_step"]) == (
        "Changed",
        HOSTILE,
        "Ask the principal",
    )
    assert (second["text"], second["midpoint_status"], second["next_step"]) == (
        "Second",
        "At risk",
        "",
    )
    assert review["goals_source"] == "goal-sheet"
    assert review["goals_source_text"] == (
        "as you wrote them in your goal sheet (returned 3 October 2026), as your mid-point "
        "check-in (returned 25 January 2027) left them"
    )
    # The mid-point check-in is only read for the end review.
    review = review_context(
        roster, pair, "midpoint", {"goal-sheet": sheet, "midpoint-review": midpoint}
    )
    assert review["goals"]["goal"][0]["text"] == "As first written"
    assert review["goals"]["goal"][0]["midpoint_status"] == ""


def test_due_date_of_each_stage(roster):
    pair = roster.pair("P001")
    program = roster.program
    assert stage_due_date(roster, pair, "start") == program.forms_due
    assert stage_due_date(roster, pair, "midpoint") == program.midpoint
    assert stage_due_date(roster, pair, "end") == pair.end_date  # no End review setting
    program.end_review = dt.date(2027, 6, 18)
    assert stage_due_date(roster, pair, "end") == dt.date(2027, 6, 18)
    review = review_context(roster, pair, "end")
    assert (review["due_date"], review["due_date_iso"]) == ("18 June 2027", "2027-06-18")
    assert review["due_date_long"] == "Friday 18 June 2027"


def test_every_context_has_a_review_and_the_start_one_is_the_rosters(roster):
    pair = roster.pair("P001")
    review = build_context(roster, pair)["review"]
    assert review["stage"] == "start"
    assert review["goals_source"] == "roster"
    assert review["goals_source_text"] == "from the program's roster"
    assert review["due_date_iso"] == roster.program.forms_due.isoformat()
    stages = [context["review"]["stage"] for context in sample_contexts()]
    assert set(stages) == {"midpoint", "end"}
    sources = {context["review"]["goals_source"] for context in sample_contexts()}
    assert sources == {"goal-sheet", "roster"}


def test_latest_returns_keeps_each_pairs_latest_return_of_each_form():
    older = ReturnedForm("P01", "goal-sheet", "a.docx", "", dt.datetime(2026, 9, 1), {"x": "old"})
    newer = ReturnedForm("P01", "goal-sheet", "b.docx", "", dt.datetime(2026, 9, 9), {"x": "new"})
    undated = ReturnedForm("P01", "goal-sheet", "c.docx", "", None, {"x": "undated"})
    other = ReturnedForm("P02", "action-plan", "d.docx", "", None, {})
    found = latest_returns([older, newer, undated, other])
    assert found["P01"]["goal-sheet"] is newer
    assert found["P02"]["action-plan"] is other


def test_templates_check_of_a_folder_copied_before_the_review_forms_warns(tmp_path):
    from click.testing import CliRunner

    from mentordocs.cli import cli
    from mentordocs.forms import stage_forms

    folder = tmp_path / "mine"
    assert CliRunner().invoke(cli, ["templates", "copy", str(folder)]).exit_code == 0
    for form in ("midpoint-review", "end-review"):
        (folder / f"{form}.json").unlink()
        (folder / f"{form}.docx").unlink()
    result = CliRunner().invoke(cli, ["templates", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Warning: ") == 2
    assert "the midpoint-review form is not in this folder" in result.output
    assert f"Copy it in with 'mentordocs templates copy {folder}'" in result.output
    assert f"the {len(stage_forms())} templates in it match their declarations" in result.output
    # Half a form (its declaration without its template) is still an error.
    (folder / "end-review.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "check", str(folder)])
    assert result.exit_code == 1, result.output


# ---- generate --stage: real files -------------------------------------------------------------


def _tracking(tmp_path, roster, returns) -> Path:
    from mentordocs.forms import load_form_specs
    from mentordocs.tracking import TrackingData, write_tracking

    path = tmp_path / "tracking.xlsx"
    path.write_bytes(write_tracking(path, TrackingData(returns=returns), roster, load_form_specs()))
    return path


def _fields(path: Path) -> dict[str, object]:
    from test_render import fields_by_tag

    return fields_by_tag(path.read_bytes())


def test_generate_midpoint_adds_the_stage_forms_beside_the_packet(roster, tmp_path):
    from test_generate import Recorder

    from mentordocs.generate.packets import generate_packets
    from mentordocs.records import read_manifest

    out = tmp_path / "packets"
    generate_packets(roster, out)
    before = {
        p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    }
    start_entries = {e.path: e for e in read_manifest(out).files}
    goal = ReturnedForm(
        "P002",
        "goal-sheet",
        "P002_goal-sheet.docx",
        "",
        RETURNED,
        {"goal_1_goal": HOSTILE, "goal_2_goal": "Second, our words", "mentor_goal_1_goal": "Mine"},
    )
    tracking = _tracking(tmp_path, roster, [goal])
    progress = Recorder()
    result = generate_packets(roster, out, stage="midpoint", tracking=tracking, progress=progress)
    assert progress.calls[0] == ("start", len(roster.pairs), "Generating mid-point check-in forms")
    assert sum(c[1] for c in progress.calls if c[0] == "advance") == len(roster.pairs)
    assert result.stage == "midpoint" and result.forms == ["midpoint-review"]
    assert result.written == [f"{p.pair_id}/{p.pair_id}_midpoint-review.docx" for p in roster.pairs]
    assert result.goal_sources["P002"] == "goal-sheet"
    assert result.roster_goals == ["P001", "P003", "P004", "P005"]
    # The start's files are untouched, their manifest entries kept; the new ones added.
    assert {p: p.read_bytes() for p in before} == before
    manifest = {e.path: e for e in read_manifest(out).files}
    assert {path: manifest[path] for path in start_entries} == start_entries
    assert manifest["P002/P002_midpoint-review.docx"].form == "midpoint-review"
    assert not list(out.glob("*/*midpoint-review.ics"))
    fields = _fields(out / "P002" / "P002_midpoint-review.docx")
    assert fields["goal_1_goal"] == HOSTILE  # verbatim, in its slot
    assert fields["goal_2_goal"] == "Second, our words"
    assert fields["mentor_goal_1_goal"] == "Mine"
    assert "goal_3_goal" not in fields
    fields = _fields(out / "P001" / "P001_midpoint-review.docx")
    assert fields["goal_1_goal"] == roster.pair("P001").goals_of("Mentee")[0].goal
    # Running it again (in worker processes: each gets its pairs' reviews) changes nothing.
    again = generate_packets(roster, out, stage="midpoint", tracking=tracking, jobs=2)
    assert again.processes == 2
    assert again.written == [] and len(again.unchanged) == len(roster.pairs)
    # What each file was made from, for send: P002's check-in shows the goals it wrote, so a
    # change to the roster's Goals sheet does not make it out of date; P001's shows the roster's.
    from mentordocs.records import made_from_parts

    made = {e.path: made_from_parts(e.made_from) for e in read_manifest(out).files}
    assert "goals" not in made["P002/P002_midpoint-review.docx"]
    assert "goals" in made["P001/P001_midpoint-review.docx"]
    assert "goals" in made["P002/P002_goal-sheet.docx"]  # the start's, from the roster


def test_a_tracking_workbook_of_another_program_is_refused(roster, tmp_path):
    import dataclasses

    from mentordocs.errors import OutputError
    from mentordocs.generate.packets import generate_packets

    other = dataclasses.replace(
        roster, program=dataclasses.replace(roster.program, name="Another district's program")
    )
    goal = ReturnedForm("P002", "goal-sheet", "x.docx", "", RETURNED, {"goal_1_goal": "Theirs"})
    tracking = _tracking(tmp_path, other, [goal])
    out = tmp_path / "packets"
    with pytest.raises(OutputError, match="collected for the program 'Another district's program'"):
        generate_packets(roster, out, stage="midpoint", tracking=tracking)
    assert not out.exists()  # refused before anything was written


def test_a_form_of_another_stage_or_a_later_stage_without_tracking_is_refused(roster, tmp_path):
    from mentordocs.generate.packets import SelectionError, generate_packets

    with pytest.raises(SelectionError, match="give the tracking workbook .* --tracking"):
        generate_packets(roster, tmp_path / "out", stage="end")
    with pytest.raises(SelectionError, match=r"goal-sheet is not a form of the 'end' stage"):
        generate_packets(
            roster, tmp_path / "out", stage="end", forms=["goal-sheet"], tracking="x.xlsx"
        )
    with pytest.raises(SelectionError, match=r"end-review \(--stage end\)"):
        generate_packets(roster, tmp_path / "out", forms=["end-review"])
    assert not (tmp_path / "out").exists()


def test_generate_stage_command_line(tmp_path):
    from click.testing import CliRunner
    from conftest import SAMPLE_ROSTER

    from mentordocs.cli import cli
    from mentordocs.roster import load_roster

    out = tmp_path / "packets"
    runner = CliRunner()
    assert runner.invoke(cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--stage", "end"])
    assert result.exit_code == 2
    assert "give the tracking workbook 'mentordocs collect' keeps" in result.output
    result = runner.invoke(
        cli,
        ["generate", str(SAMPLE_ROSTER), "-o", str(out), "--stage", "end", "--tracking", "no.xlsx"],
    )
    assert result.exit_code == 1
    assert "Error: no.xlsx does not exist. Run 'mentordocs collect' first" in result.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(
        cli,
        [
            "generate",
            str(SAMPLE_ROSTER),
            "-o",
            str(out),
            "--stage",
            "end",
            "--tracking",
            str(broken),
        ],
    )
    assert result.exit_code == 1 and "is not a workbook mentordocs can read" in result.output

    roster = load_roster(SAMPLE_ROSTER)
    active = [pair.pair_id for pair in roster.pairs if pair.active]
    first = active[0]
    sheet = ReturnedForm(first, "goal-sheet", "g.docx", "", RETURNED, {"goal_1_goal": HOSTILE})
    tracking = _tracking(tmp_path, roster, [sheet])
    result = runner.invoke(
        cli,
        [
            "generate",
            str(SAMPLE_ROSTER),
            "-o",
            str(out),
            "--stage",
            "end",
            "--tracking",
            str(tracking),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        f"End-of-program review forms for {len(active)} pair(s) in {out}: {len(active)} file(s) written"
        in result.output
    )
    assert f"Goals from their goal sheet: 1 pair(s): {first}." in result.output
    others = ", ".join(active[1:])
    assert f"have not come back with goals): {len(active) - 1} pair(s): {others}." in result.output
    assert _fields(out / first / f"{first}_end-review.docx")["goal_1_goal"] == HOSTILE
