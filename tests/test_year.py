"""The program's year end to end (issue 15): the packet, the mid-point check-in, the end review.

Generate the sample's packets, fill every form as a person would (hostile strings included),
collect; generate the mid-point forms from that workbook and check, for every pair, that the
goals it wrote are in its form verbatim (a pair whose goal sheet never came back gets the
roster's, and the form says so); fill and collect them into the same workbook; check every
answer of both stages is in place; the same for the end review. Real files throughout,
reopened with python-docx, lxml and openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from openpyxl import load_workbook
from test_render import fields_by_tag
from test_roundtrip import fill_docx, planned_values

from mentordocs.collect import collect_forms, read_form
from mentordocs.forms import load_form_specs, stage_forms
from mentordocs.generate.packets import generate_packets
from mentordocs.roster import load_roster
from mentordocs.tracking import read_tracking

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
GROUPS = {"goal": "Mentee", "mentor_goal": "Mentor", "joint_goal": "Joint"}
HOSTILE = "Goal & <b>bold</b> \"quoted\" 'it's' {{ pair.id }} {% raw %} 😀 שלום مرحبا"


def document_text(path: Path) -> str:
    """The body's text as Word shows it (python-docx opens the file; lxml reads every run,
    also those inside content controls and table cells), whitespace collapsed."""
    docx.Document(str(path))  # a valid Word document
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    parts = []
    for el in root.iter(W + "t", W + "br", W + "tab", W + "p"):
        parts.append(el.text or "" if el.tag == W + "t" else " ")
    return " ".join("".join(parts).split())


def flat(text: str) -> str:
    return " ".join(text.split())


def fill(path: Path, returned: Path, values: dict[str, object]) -> None:
    target = returned / f"{path.stem} (filled).docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(fill_docx(path.read_bytes(), values))


GOAL_ID = re.compile(r"^(goal|mentor_goal|joint_goal)_([1-9][0-9]*)_goal$")


def goals_in(values: dict[str, object]) -> dict[str, dict[int, str]]:
    """The goals a return or a form holds: group -> slot -> text (non-blank only)."""
    found: dict[str, dict[int, str]] = {group: {} for group in GROUPS}
    for field_id, value in values.items():
        matched = GOAL_ID.match(field_id)
        if matched and isinstance(value, str) and value.strip():
            found[matched.group(1)][int(matched.group(2))] = value
    return found


def check_in_workbook(tracking: Path, expected: dict[tuple[str, str], dict[str, object]]):
    """Every answer is back in its field (read_tracking), and every text answer is in a cell
    of its pair's row of a form sheet as openpyxl opens the workbook."""
    specs = load_form_specs()
    got = {(r.pair_id, r.form): r for r in read_tracking(tracking).returns}
    assert set(expected) <= set(got)
    for key, values in expected.items():
        for field_id, value in values.items():
            if specs[key[1]].match(field_id) is not None:
                assert got[key].values.get(field_id) == value, (key, field_id)
    book = load_workbook(tracking, read_only=True)
    rows: dict[str, set[str]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if row and isinstance(row[0], str):
                rows.setdefault(row[0], set()).update(v for v in row if isinstance(v, str))
    book.close()
    for (pair_id, _form), values in expected.items():
        for value in values.values():
            if isinstance(value, str) and value and not _is_date(value):
                assert value in rows[pair_id], (pair_id, value)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The whole year, run once: each stage generated from the workbook the last one filled."""
    base = tmp_path_factory.mktemp("year")
    roster = load_roster(SAMPLE)
    active = [pair for pair in roster.pairs if pair.active]
    # One pair never returns its goal sheet, another skips the mid-point check-in.
    no_goal_sheet, no_midpoint = active[1].pair_id, active[2].pair_id
    packets, tracking = base / "packets", base / "tracking.xlsx"
    specs = load_form_specs()
    expected: dict[tuple[str, str], dict[str, object]] = {}

    def fill_stage(stage: str, returned: Path, skip: set[tuple[str, str]], edit=None) -> None:
        for pair in active:
            for form in stage_forms(stage):
                if (pair.pair_id, form) in skip:
                    continue
                path = packets / pair.pair_id / f"{pair.pair_id}_{form}.docx"
                values = planned_values(path, specs[form], pair.pair_id)
                if edit is not None:
                    edit(pair.pair_id, form, path, values)
                fill(path, returned, values)
                expected[(pair.pair_id, form)] = values

    def start_goals(pair_id, form, path, values):
        if form == "goal-sheet" and pair_id == active[0].pair_id:
            values["goal_1_goal"] = HOSTILE  # a goal no template may mangle

    generate_packets(roster, packets)
    fill_stage("start", base / "returned-start", {(no_goal_sheet, "goal-sheet")}, start_goals)
    collect_forms(
        [base / "returned-start"], tracking, roster, packets_dir=packets, include_confidential=True
    )
    after_start = dict(expected)

    midpoint = generate_packets(roster, packets, stage="midpoint", tracking=tracking)
    prefilled: dict[str, dict[str, str]] = {}

    def keep_or_reword(pair_id, form, path, values):
        # The goals as the form prefills them; the first pair rewords its first goal.
        shown = fields_by_tag(path.read_bytes())
        prefilled[pair_id] = {k: v for k, v in shown.items() if k.endswith("_goal")}
        for field_id, text in prefilled[pair_id].items():
            values[field_id] = text
        if pair_id == active[0].pair_id:
            values["goal_1_goal"] = "Reworded at the mid-point: " + HOSTILE

    fill_stage(
        "midpoint", base / "returned-midpoint", {(no_midpoint, "midpoint-review")}, keep_or_reword
    )
    collect_forms(
        [base / "returned-midpoint"],
        tracking,
        roster,
        packets_dir=packets,
        include_confidential=True,
    )
    after_midpoint = dict(expected)

    end = generate_packets(roster, packets, stage="end", tracking=tracking)
    fill_stage("end", base / "returned-end", set())
    collect_forms(
        [base / "returned-end"], tracking, roster, packets_dir=packets, include_confidential=True
    )
    return {
        "roster": roster,
        "active": active,
        "packets": packets,
        "tracking": tracking,
        "no_goal_sheet": no_goal_sheet,
        "no_midpoint": no_midpoint,
        "after_start": after_start,
        "after_midpoint": after_midpoint,
        "expected": expected,
        "midpoint": midpoint,
        "end": end,
        "prefilled": prefilled,
    }


def test_midpoint_forms_hold_the_goals_each_pair_wrote_verbatim(year):
    packets, roster = year["packets"], year["roster"]
    assert year["midpoint"].written == sorted(
        f"{p.pair_id}/{p.pair_id}_midpoint-review.docx" for p in year["active"]
    )
    checked = 0
    for pair in year["active"]:
        path = packets / pair.pair_id / f"{pair.pair_id}_midpoint-review.docx"
        assert read_form(path).form == "midpoint-review"
        fields = fields_by_tag(path.read_bytes())
        text = document_text(path)
        sheet = year["after_start"].get((pair.pair_id, "goal-sheet"))
        if sheet is not None:
            wrote = goals_in(sheet)
            assert "The goals below are as you wrote them in your goal sheet (returned" in text
        else:  # never came back: the roster's goals, and the form says so
            wrote = {
                group: {n: g.goal for n, g in enumerate(pair.goals_of(whose), start=1)}
                for group, whose in GROUPS.items()
            }
            assert "from the program's roster: your goal sheet has not come back" in text
        shown = goals_in(fields)
        assert shown == wrote, pair.pair_id  # every goal, in its slot, verbatim
        checked += sum(len(slots) for slots in wrote.values())
    assert checked >= 2 * len(year["active"])
    first = year["active"][0].pair_id
    assert (
        fields_by_tag((packets / first / f"{first}_midpoint-review.docx").read_bytes())[
            "goal_1_goal"
        ]
        == HOSTILE
    )
    assert year["midpoint"].roster_goals == [year["no_goal_sheet"]]
    assert roster.program.midpoint.strftime("%B") in document_text(
        packets / first / f"{first}_midpoint-review.docx"
    )


def test_start_and_midpoint_answers_are_all_in_the_workbook(year):
    # The workbook after the end review still holds every answer of the first two stages.
    check_in_workbook(year["tracking"], year["after_midpoint"])
    forms = {form for _, form in year["after_midpoint"]}
    assert forms == set(stage_forms("start")) | {"midpoint-review"}


def test_end_review_starts_from_the_midpoint_and_every_answer_comes_back(year):
    packets = year["packets"]
    for pair in year["active"]:
        path = packets / pair.pair_id / f"{pair.pair_id}_end-review.docx"
        fields = fields_by_tag(path.read_bytes())
        text = document_text(path)
        midpoint = year["after_midpoint"].get((pair.pair_id, "midpoint-review"))
        if midpoint is not None:
            # The goals as the mid-point check-in left them, with its status and progress.
            for field_id, value in midpoint.items():
                if field_id.endswith("_goal") and field_id in fields:
                    assert fields[field_id] == value, (pair.pair_id, field_id)
                if field_id.endswith(("_progress", "_next_step")) and value:
                    assert flat(str(value)) in text, (pair.pair_id, field_id)
        else:  # no mid-point return: the goals as the mid-point form showed them, no status
            shown = fields_by_tag(
                (packets / pair.pair_id / f"{pair.pair_id}_midpoint-review.docx").read_bytes()
            )
            assert goals_in(fields) == goals_in(shown)
            assert f"{pair.pair_id} goal_1_progress" not in text
        if pair.pair_id == year["no_goal_sheet"]:
            assert "from the program's roster" in text
    first = year["active"][0].pair_id
    first_fields = fields_by_tag((packets / first / f"{first}_end-review.docx").read_bytes())
    assert first_fields["goal_1_goal"] == "Reworded at the mid-point: " + HOSTILE
    check_in_workbook(year["tracking"], year["expected"])
    assert {form for _, form in year["expected"]} == set(load_form_specs())


def test_the_start_packet_was_never_touched_by_the_later_stages(year):
    packets = year["packets"]
    for pair in year["active"]:
        names = sorted(p.name for p in (packets / pair.pair_id).iterdir())
        assert names == sorted(
            [f"{pair.pair_id}_{form}.docx" for form in load_form_specs()]
            + [f"{pair.pair_id}_meetings.ics"]
        )
    again = generate_packets(year["roster"], packets)
    assert again.written == []  # the packet is as generated at the start
    assert len(again.unchanged) == 5 * len(year["active"])
