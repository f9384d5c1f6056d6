"""The tracking workbook over the program's year: the start packet, the mid-point check-in and
the end-of-program review in one workbook (issue 15, point 3).

The two review forms are declared as the contract between the helpers says
(/work/coord/year-contract.md): once they are registered in ``mentordocs.forms`` the shipped
declarations are used, until then the same declarations are written into ``tmp_path``.
Workbooks are written with ``write_tracking``, then reopened with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import missing
from test_collect import PROGRAM, SPECS, complete_values, make_roster

from mentordocs.errors import OfficeError
from mentordocs.forms import SIGNATURE_FIELD_IDS, FormSpec, form_spec_to_json, load_form_spec
from mentordocs.generate.office import convert
from mentordocs.models import Roster
from mentordocs.records import Manifest, ManifestEntry, write_manifest
from mentordocs.tracking import (
    ReturnedForm,
    TrackingData,
    read_outstanding,
    read_tracking,
    write_tracking,
)

GOAL_GROUPS = {
    "goal": "Goal {n}",
    "mentor_goal": "Mentor's goal {n}",
    "joint_goal": "Joint goal {n}",
}
MIDPOINT_STATUS = ["On track", "At risk", "Done", "Changed", "Dropped"]
FINAL_STATUS = ["Achieved", "Partly achieved", "Not achieved", "Changed", "Dropped"]
SECRET = (
    "<script>alert('SECRET-FEEDBACK')</script> & \u05e1\u05d5\u05d3 \U0001f600 =HYPERLINK(\"x\")"
)


def _field(fid, label, kind="text", required=True, confidential=False, group=None, choices=None):
    out = {"id": fid, "label": label, "kind": kind, "required": required}
    out["confidential"] = confidential
    if group:
        out["group"] = group
    if choices:
        out["choices"] = choices
    return out


def _signatures() -> list[dict]:
    declared = form_spec_to_json(SPECS["goal-sheet"])["fields"]
    return [f for f in declared if f["id"] in SIGNATURE_FIELD_IDS]


def contract_declarations() -> dict[str, dict]:
    """The two review forms as the contract declares them."""
    midpoint, end = [], []
    for group, label in GOAL_GROUPS.items():
        midpoint += [
            _field(f"{group}_{{n}}_goal", label, group=group),
            _field(f"{group}_{{n}}_progress", f"{label}: progress so far", group=group),
            _field(f"{group}_{{n}}_evidence", f"{label}: evidence of progress", group=group),
            _field(
                f"{group}_{{n}}_status",
                f"{label}: status",
                "dropdown",
                group=group,
                choices=MIDPOINT_STATUS,
            ),
            _field(f"{group}_{{n}}_next_step", f"{label}: next step", group=group),
        ]
        end += [
            _field(f"{group}_{{n}}_goal", label, group=group),
            _field(
                f"{group}_{{n}}_final_status",
                f"{label}: final status",
                "dropdown",
                group=group,
                choices=FINAL_STATUS,
            ),
            _field(f"{group}_{{n}}_evidence", f"{label}: evidence", group=group),
        ]
    midpoint += [
        _field(
            "commitments_kept",
            "Are we keeping our commitments?",
            "dropdown",
            choices=["Yes, all of them", "Mostly", "Not yet"],
        ),
        _field("commitments_revisit", "Commitments to revisit, and how", required=False),
        _field("meetings_held", "Meetings held so far, against the schedule agreed"),
        _field("meetings_review", "How the meetings are going"),
        _field("second_half_changes", "What we change in the second half"),
    ]
    end += [
        _field("mentee_learned", "What the mentee learned"),
        _field("mentee_will_keep", "What the mentee will keep doing"),
        _field("mentor_growth", "How the mentor grew"),
        _field("relationship_review", "Our relationship against our terms of engagement"),
        _field("terms_kept", "Did we keep our terms?", "dropdown", choices=["Yes", "Mostly", "No"]),
        _field(
            "continue_informally",
            "Will we continue informally?",
            "dropdown",
            choices=["Yes", "No", "Not decided yet"],
        ),
        _field("program_feedback", "Feedback for the program", required=False, confidential=True),
    ]
    head = {"version": "1.0"}
    return {
        "midpoint-review": {
            "form": "midpoint-review",
            "title": "Mid-point check-in",
            "stage": "midpoint",
            **head,
            "fields": midpoint + _signatures(),
        },
        "end-review": {
            "form": "end-review",
            "title": "End-of-program review",
            "stage": "end",
            **head,
            "fields": end + _signatures(),
        },
    }


def year_specs(tmp_path: Path) -> dict[str, FormSpec]:
    """Every form of the year: the shipped ones when the review forms are registered, else the
    start forms and the contract's two declarations."""
    if {"midpoint-review", "end-review"} <= SPECS.keys():
        return dict(SPECS)
    specs = dict(SPECS)
    folder = tmp_path / "year-forms"
    folder.mkdir(exist_ok=True)
    for form, declaration in contract_declarations().items():
        path = folder / f"{form}.json"
        path.write_text(json.dumps(declaration), encoding="utf-8")
        specs[form] = load_form_spec(path, expected_form=form)
    return specs


def signed(values: dict) -> dict:
    return {
        **values,
        "mentor_sign_name": "Mentor",
        "mentor_sign_date": "2027-01-20",
        "mentor_agree": True,
        "mentee_sign_name": "Mentee",
        "mentee_sign_date": "2027-01-21",
        "mentee_agree": True,
    }


def midpoint_values(statuses: dict[str, str]) -> dict:
    """A complete, signed mid-point return; ``statuses``: goal prefix ("goal_2") -> status."""
    values: dict = {
        "commitments_kept": "Mostly",
        "commitments_revisit": "",
        "meetings_held": "6 of 8",
        "meetings_review": "Good",
        "second_half_changes": "Meet earlier",
    }
    for prefix, status in statuses.items():
        values |= {
            f"{prefix}_goal": f"{prefix} as written",
            f"{prefix}_progress": f"progress on {prefix}",
            f"{prefix}_evidence": f"evidence for {prefix}",
            f"{prefix}_status": status,
            f"{prefix}_next_step": f"next for {prefix}",
        }
    return signed(values)


def end_values(statuses: dict[str, str], feedback: str = "filled in") -> dict:
    values: dict = {
        "mentee_learned": "Planning",
        "mentee_will_keep": "Journal",
        "mentor_growth": "Listening",
        "relationship_review": "Kept our terms",
        "terms_kept": "Yes",
        "continue_informally": "Not decided yet",
        "program_feedback": feedback,
    }
    for prefix, status in statuses.items():
        values |= {
            f"{prefix}_goal": f"{prefix} as written",
            f"{prefix}_final_status": status,
            f"{prefix}_evidence": f"final evidence for {prefix}",
        }
    return signed(values)


def goal_sheet() -> dict:
    """A complete goal sheet with the mentee's three goals only."""
    values = complete_values("goal-sheet")
    return {k: v for k, v in values.items() if not k.startswith(("mentor_goal_", "joint_goal_"))}


def year_roster(tmp_path: Path) -> Roster:
    """P01-P04 active, P05 paused."""
    roster = make_roster(tmp_path, 5)
    roster.pairs[4].status = "Paused"
    return roster


def year_returns(feedback: str = "filled in") -> list[ReturnedForm]:
    """P01: everything, to the end. P02: its start forms (with a mentor's goal), a mid-point
    check-in the mentee did not sign. P03: its goal sheet only. P04: nothing."""
    day = dt.datetime(2026, 10, 1, 9, 0)
    p02_sheet = goal_sheet() | {
        "mentor_goal_1_goal": "Mentor's own goal",
        "mentor_goal_1_plan": "Read",
    }
    p02_mid = midpoint_values({"goal_1": "At risk", "goal_2": "On track", "mentor_goal_1": "Done"})
    p02_mid["mentee_agree"] = False
    returns = [
        ReturnedForm(
            "P01",
            form,
            f"P01_{form}.docx",
            "1" * 63 + str(i),
            day,
            goal_sheet() if form == "goal-sheet" else complete_values(form),
        )
        for i, form in enumerate(SPECS)
        if form in ("action-plan", "terms-of-engagement", "goal-sheet", "confidentiality-agreement")
    ]
    returns += [
        ReturnedForm("P02", "goal-sheet", "P02_goal-sheet.docx", "2" * 64, day, p02_sheet),
        ReturnedForm("P03", "goal-sheet", "P03_goal-sheet.docx", "3" * 64, day, goal_sheet()),
        ReturnedForm(
            "P01",
            "midpoint-review",
            "P01_midpoint-review.docx",
            "4" * 64,
            dt.datetime(2027, 1, 20, 10, 0),
            midpoint_values({"goal_1": "On track", "goal_2": "At risk", "goal_3": "Done"}),
        ),
        ReturnedForm(
            "P02",
            "midpoint-review",
            "P02_midpoint-review.docx",
            "5" * 64,
            dt.datetime(2027, 1, 22, 10, 0),
            p02_mid,
        ),
        ReturnedForm(
            "P01",
            "end-review",
            "P01_end-review.docx",
            "6" * 64,
            dt.datetime(2027, 6, 1, 10, 0),
            end_values(
                {"goal_1": "Achieved", "goal_2": "Not achieved", "goal_3": "Achieved"}, feedback
            ),
        ),
    ]
    return returns


def packets(tmp_path: Path) -> Path:
    """A packets folder whose manifest says: mid-point check-ins generated for P01, P02 and
    P05 (paused), the end review for P01 only; start forms for everyone."""
    out = tmp_path / "packets"
    out.mkdir(exist_ok=True)
    entries = [
        ManifestEntry(f"P0{n}", form, f"P0{n}/P0{n}_{form}.docx", "0" * 64, "1.0", when)
        for n in range(1, 6)
        for form, when in [("goal-sheet", "2026-09-01T09:00:00+00:00")]
    ]
    entries += [
        ManifestEntry(p, "midpoint-review", f"{p}/{p}_midpoint-review.docx", "0" * 64, "1.0", when)
        for p in ("P01", "P02", "P05")
        for when in ["2027-01-10T09:00:00+00:00"]
    ]
    entries.append(
        ManifestEntry(
            "P01", "end-review", "P01/P01_end-review.docx", "0" * 64, "1.0", "2027-05-20T09:00:00"
        )
    )
    write_manifest(out, Manifest(program=PROGRAM, files=entries))
    return out


def year_workbook(tmp_path: Path, feedback: str = "filled in", included: bool = False) -> Path:
    target = tmp_path / "tracking.xlsx"
    data = TrackingData(returns=year_returns(feedback), include_confidential=included)
    payload = write_tracking(
        target, data, year_roster(tmp_path), year_specs(tmp_path), packets_dir=packets(tmp_path)
    )
    target.write_bytes(payload)
    return target


def label(tmp_path: Path, form: str, field_id: str) -> str:
    """A field's column header on its form's sheet: its label as the declaration words it."""
    spec = year_specs(tmp_path)[form]
    declared, n = spec.lookup(field_id)
    assert declared is not None, field_id
    return declared.label_for(n)


def goal_header(tmp_path: Path, form: str, suffix: str) -> str:
    """A later stage's column on the Goals sheet: "Mid-point: " and the question, as the
    declaration words it for goal 1 without "Goal 1: " (nor " at the mid-point")."""
    stage, phrase = {
        "midpoint-review": ("Mid-point", " at the mid-point"),
        "end-review": ("End", " at the end"),
    }[form]
    question = label(tmp_path, form, f"goal_1_{suffix}").removeprefix("Goal 1: ")
    question = question.removesuffix(phrase)
    return f"{stage}: {question[:1].upper()}{question[1:]}"


def rows_of(path: Path, title: str, header: int = 1) -> list[dict]:
    ws = openpyxl.load_workbook(path)[title]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[header - 1], row, strict=False)) for row in rows[header:]]


# ---- owed, per stage ---------------------------------------------------------------------------


def test_a_later_stage_is_owed_only_where_it_was_generated_or_returned(tmp_path):
    path = year_workbook(tmp_path)
    owed = read_outstanding(path)
    forms = {pair: [(o.stage, o.form) for o in items] for pair, items in owed.items()}
    # P01 returned everything, complete and signed.
    assert "P01" not in forms
    # P02: the start forms it did not return, its mid-point check-in unsigned; no end review.
    assert forms["P02"] == [
        ("start", "action-plan"),
        ("start", "terms-of-engagement"),
        ("start", "confidentiality-agreement"),
        ("midpoint", "midpoint-review"),
    ]
    [mid] = [o for o in owed["P02"] if o.stage == "midpoint"]
    assert mid.reasons == ["not signed by mentee"] or mid.reasons[-1] == "not signed by mentee"
    assert mid.form_title == "Mid-point check-in"
    # P03 and P04: no mid-point check-in was generated for them: not owed, never "not returned".
    assert all(stage == "start" for stage, _ in forms["P03"] + forms["P04"])
    assert "P05" not in forms  # paused
    assert read_outstanding(path, stage="midpoint") == {"P02": [mid]}
    assert read_outstanding(path, stage="end") == {}
    assert {p: [o.form for o in items] for p, items in read_outstanding(path, "start").items()} == {
        p: [f for s, f in items if s == "start"] for p, items in forms.items()
    }


def test_status_sheet_groups_each_stage_and_says_not_sent_yet(tmp_path):
    path = year_workbook(tmp_path)
    ws = openpyxl.load_workbook(path)["Status"]
    groups = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value}
    assert list(groups)[:4] == [SPECS[f].title for f in list(SPECS)[:4]]
    assert list(groups)[-3:] == [
        "Mid-point: Mid-point check-in",
        "End: End-of-program review",
        "Kept by collect",
    ]
    assert [c.value for c in ws[2]][:4] == ["Pair", "Mentor", "Mentee", "Status"]
    assert ws.cell(2, ws.max_column).value == "Your notes"
    pairs = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    mid, end = groups["Mid-point: Mid-point check-in"], groups["End: End-of-program review"]
    # Generated, Sent, Returned, File, Complete, Mentor signed, Mentee signed
    p01 = [ws.cell(pairs["P01"], mid + i).value for i in range(7)]
    assert p01[0] == dt.datetime(2027, 1, 10) and p01[2] == dt.datetime(2027, 1, 20)
    assert p01[3:] == ["P01_midpoint-review.docx", "Yes", "Yes", "Yes"]
    p02 = [ws.cell(pairs["P02"], mid + i).value for i in range(7)]
    assert p02[4:] == ["No (1 blank)", "Yes", "No"]
    assert ws.cell(pairs["P02"], end + 2).value == "Not sent yet"
    assert ws.cell(pairs["P03"], mid).value is None
    assert ws.cell(pairs["P03"], mid + 2).value == "Not sent yet"
    assert ws.cell(pairs["P04"], end + 2).value == "Not sent yet"
    # Generated for P05 (paused) but not returned: owed, so blank (and not red: not Active).
    assert ws.cell(pairs["P05"], mid + 2).value is None
    assert ws.cell(pairs["P05"], mid).value == dt.datetime(2027, 1, 10)


def test_each_stage_has_its_form_sheet(tmp_path):
    path = year_workbook(tmp_path)
    names = openpyxl.load_workbook(path).sheetnames
    assert names[:2] == ["Dashboard", "Status"]
    assert names[2:8] == [spec.title for spec in year_specs(tmp_path).values()]
    [p01, p02] = rows_of(path, "Mid-point check-in")
    assert (p01["Pair"], p02["Pair"]) == ("P01", "P02")
    assert p01[label(tmp_path, "midpoint-review", "goal_2_status")] == "At risk"
    assert p02[label(tmp_path, "midpoint-review", "mentor_goal_1_status")] == "Done"
    assert p02["Signed by mentee"] == "No"
    [end] = rows_of(path, "End-of-program review")
    assert end[label(tmp_path, "end-review", "goal_2_final_status")] == "Not achieved"
    feedback = label(tmp_path, "end-review", "program_feedback")
    assert end[feedback] == "filled in"  # confidential: not copied


def test_goals_are_followed_across_the_stages(tmp_path):
    path = year_workbook(tmp_path)
    ws = openpyxl.load_workbook(path)["Goals"]
    goals = rows_of(path, "Goals")
    assert [(g["Pair"], g["Whose goal"], g["Goal #"]) for g in goals] == [
        ("P01", "Mentee", 1),
        ("P01", "Mentee", 2),
        ("P01", "Mentee", 3),
        ("P02", "Mentee", 1),
        ("P02", "Mentee", 2),
        ("P02", "Mentee", 3),
        ("P02", "Mentor", 1),
        ("P03", "Mentee", 1),
        ("P03", "Mentee", 2),
        ("P03", "Mentee", 3),
    ]
    mid_progress = goal_header(tmp_path, "midpoint-review", "progress")
    mid_status = goal_header(tmp_path, "midpoint-review", "status")
    final_status = goal_header(tmp_path, "end-review", "final_status")
    final_evidence = goal_header(tmp_path, "end-review", "evidence")
    p01_2 = goals[1]
    assert p01_2["Written in"] == "Goal sheet"
    assert p01_2["Goal"] == "answer for goal_2_goal"  # as written at the start
    assert p01_2[mid_progress] == "progress on goal_2"
    assert p01_2[mid_status] == "At risk"
    assert p01_2[final_status] == "Not achieved"
    assert p01_2[final_evidence] == "final evidence for goal_2"
    assert p01_2["Latest status"] == "Not achieved"
    mentor = goals[6]
    assert (mentor["Goal"], mentor[mid_status], mentor["Latest status"]) == (
        "Mentor's own goal",
        "Done",
        "Done",
    )
    assert goals[7][mid_status] is None  # P03: no check-in
    # The goal sheet asks no progress or status (version 2.1: the check-in and review do), so
    # the start has no such columns, and a goal not yet checked in on has no latest status.
    assert not {"Status", "Progress at the mid-point check"} & set(goals[0])
    assert goals[7]["Latest status"] is None
    # A coordinator filters the whole sheet: the filter spans every column and row.
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}11"
    at_risk = [(g["Pair"], g["Goal #"]) for g in goals if g[mid_status] == "At risk"]
    assert at_risk == [("P01", 2), ("P02", 1)]
    assert len(ws.conditional_formatting) >= 3  # Latest status and each stage's status


def test_dashboard_counts_and_charts_per_stage(tmp_path):
    path = year_workbook(tmp_path)
    ws = openpyxl.load_workbook(path)["Dashboard"]
    rows = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    table = {r[0]: r[1:6] for r in rows if isinstance(r[1], int)}
    # Returned, Complete, Signed, Missing, Not sent yet (of the 4 active pairs)
    assert table["Goal sheet"] == (3, 3, 3, 1, 0)
    assert table["Mid-point: Mid-point check-in"] == (2, 1, 1, 0, 2)
    assert table["End: End-of-program review"] == (1, 1, 1, 0, 3)
    goals = {
        r[0]: r[1]
        for r in rows
        if len(r) > 1
        and isinstance(r[1], int)
        and r[0] in (*MIDPOINT_STATUS, *FINAL_STATUS, "Not given")
    }
    mid_at = rows.index(next(r for r in rows if str(r[0]).startswith("Goals at the mid-point")))
    mid = {r[0]: r[1] for r in rows[mid_at + 1 : mid_at + 7]}
    assert mid == {
        "On track": 2,
        "At risk": 2,
        "Done": 2,
        "Changed": 0,
        "Dropped": 0,
        "Not given": 0,
    }
    end_at = rows.index(next(r for r in rows if str(r[0]).startswith("Goals at the end")))
    end = {r[0]: r[1] for r in rows[end_at + 1 : end_at + 7]}
    assert end == {
        "Achieved": 2,
        "Partly achieved": 0,
        "Not achieved": 1,
        "Changed": 0,
        "Dropped": 0,
        "Not given": 0,
    }
    assert goals  # the tables are read from the sheet itself
    # Every table heading and row name fits its column (the title and notes above may overflow).
    width = ws.column_dimensions["A"].width
    assert all(len(str(r[0])) <= width for r in rows[3:] if r[0] is not None), width
    with zipfile.ZipFile(path) as package:
        charts = sorted(n for n in package.namelist() if n.startswith("xl/charts/chart"))
        titles = [package.read(n).decode() for n in charts]
    assert len(charts) == 5  # a chart per stage's returns, goals at the mid-point and at the end
    for title in ("Start: forms per pair", "Mid-point: forms per pair", "End: forms per pair"):
        assert sum(title in xml for xml in titles) == 1, title
    assert sum("Goals at the mid-point" in xml for xml in titles) == 1
    assert sum("Goals at the end" in xml for xml in titles) == 1
    # Each stage's chart draws that stage's rows, its series named by the table's headers.
    [mid_chart] = [xml for xml in titles if "Mid-point: forms per pair" in xml]
    row = 1 + next(i for i, r in enumerate(ws.values) if r[0] == "Mid-point: Mid-point check-in")
    rows_drawn = re.findall(r"<f>'Dashboard'!\$[A-E]\$(\d+)(?::\$[A-E]\$(\d+))?</f>", mid_chart)
    assert {n for pair in rows_drawn for n in pair if n} == {str(row)}
    series = re.findall(r"<tx><v>([^<]+)</v></tx>", mid_chart)
    assert series == ["Returned", "Complete", "Signed", "Missing"]


# ---- a workbook of the start alone, the hidden sheet, re-saves ---------------------------------


def test_a_start_only_workbook_is_laid_out_as_before(tmp_path):
    """With the review forms declared but not generated nor returned, the workbook is the one
    the start packet always made: same sheets, same Status and Dashboard, one chart."""
    roster = make_roster(tmp_path, 3)
    returns = [
        ReturnedForm("P01", "goal-sheet", "a.docx", "a" * 64, None, complete_values("goal-sheet"))
    ]
    now = dt.datetime(2026, 10, 2, 9, 0)
    start = tmp_path / "start.xlsx"
    year = tmp_path / "year.xlsx"
    packet = {form: spec for form, spec in SPECS.items() if spec.stage == "start"}
    start.write_bytes(write_tracking(start, TrackingData(returns=returns), roster, packet, now=now))
    everything = year_specs(tmp_path)
    year.write_bytes(
        write_tracking(year, TrackingData(returns=returns), roster, everything, now=now)
    )
    a, b = openpyxl.load_workbook(start), openpyxl.load_workbook(year)
    assert a.sheetnames == b.sheetnames
    for title in a.sheetnames:
        if title != "_mentordocs":
            assert list(a[title].values) == list(b[title].values), title
    assert read_outstanding(start) == read_outstanding(year)
    with zipfile.ZipFile(year) as package:
        assert sum(n.startswith("xl/charts/chart") for n in package.namelist()) == 1


def test_what_was_generated_is_kept_for_runs_without_packets(tmp_path):
    from mentordocs.collect import collect_forms

    path = year_workbook(tmp_path)
    before = read_tracking(path)
    assert before.generated[("P02", "midpoint-review")] == dt.date(2027, 1, 10)
    assert before.stages == ["start", "midpoint", "end"]
    assert before.form_stages["end-review"] == "end"
    assert [(p.pair_id, p.status) for p in before.pairs][-1] == ("P05", "Paused")
    owed = read_outstanding(path)
    # collect again with nothing new and no --packets: the dates stay.
    collect_forms([], path, year_roster(tmp_path))
    after = read_tracking(path)
    assert after.generated == before.generated and after.sent == before.sent
    # ... and rewritten from what was read back, the same pairs owe the same forms.
    again = tmp_path / "again.xlsx"
    again.write_bytes(write_tracking(again, before, year_roster(tmp_path), year_specs(tmp_path)))
    assert read_outstanding(again) == owed

    # A pair with two goals does not read back with a third, blank one (which would make its
    # mid-point check-in incomplete on the next run).
    def key(r: ReturnedForm) -> tuple[str, str]:
        return r.pair_id, r.form

    assert read_tracking(again).returns == before.returns
    assert sorted(before.returns, key=key) == sorted(year_returns(), key=key)


def test_status_and_reminders_agree_after_excel_saves_the_workbook(tmp_path):
    # Saved again as Excel does (openpyxl here): shared strings, dates as numbers.
    path = year_workbook(tmp_path)
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(path).save(resaved)
    assert read_tracking(resaved).not_ours == []  # nothing taken for the coordinator's work
    assert read_outstanding(resaved) == read_outstanding(path)
    assert read_outstanding(resaved, "midpoint") == read_outstanding(path, "midpoint")
    assert read_tracking(resaved).generated == read_tracking(path).generated


def saved_by_calc(path: Path, tmp_path: Path, soffice: str) -> Path:
    """The workbook opened and saved as .xlsx by LibreOffice Calc, as a coordinator would."""
    try:
        (resaved,) = convert(
            [path], "xlsx:Calc MS Excel 2007 XML", tmp_path / "calc", soffice=soffice
        )
    except OfficeError as exc:
        if "source file could not be loaded" in str(exc):  # a soffice without Calc
            missing(f"LibreOffice Calc is not installed with this soffice ({exc})")
        raise
    return resaved


@pytest.mark.soffice
def test_status_and_reminders_agree_after_libreoffice_calc_saves_the_workbook(tmp_path, soffice):
    # A coordinator who opens the workbook in LibreOffice Calc and saves it as .xlsx.
    path = year_workbook(tmp_path)
    resaved = saved_by_calc(path, tmp_path, soffice)
    assert read_outstanding(resaved) == read_outstanding(path)
    assert read_outstanding(resaved, "midpoint") == read_outstanding(path, "midpoint")
    before, after = read_tracking(path), read_tracking(resaved)
    assert after.not_ours == []  # Calc's dates, numbers and empty cells are not taken for edits
    assert after.generated == before.generated
    assert sorted(after.returns, key=lambda r: (r.pair_id, r.form)) == sorted(
        before.returns, key=lambda r: (r.pair_id, r.form)
    )


@pytest.mark.soffice
def test_awkward_answers_are_not_taken_for_edits_after_calc_saves_the_workbook(tmp_path, soffice):
    """Calc counts a cell's length as Excel does (an emoji is two), turns a lone carriage
    return into a line feed and decodes Excel's escapes (_x000D_): none of that, done by
    saving the workbook, is taken for the coordinator's edit; and nothing is cut silently."""
    from test_collect import make_docx, with_a_copied_box

    from mentordocs.collect import collect_forms
    from mentordocs.tracking.data import excel_length

    emoji = "x" * 32_000 + "\U0001f600" * 600  # 32,600 characters, 33,200 for Excel
    roster = make_roster(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    answers = {
        "goal_1_goal": emoji,
        "goal_2_goal": "lone\rreturn, and\r\nboth",
        "goal_3_goal": "a_x000D_b",
    }
    (folder / "P01_goal-sheet.docx").write_bytes(make_docx("goal-sheet", "P01", answers))
    copied = with_a_copied_box("goal-sheet", "goal_1_goal", "first", "Goal_x0020_Sheet\rsecond")
    (folder / "P02_goal-sheet.docx").write_bytes(copied)
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([folder], tracking, roster)
    [cut] = [p for p in result.problems if "more than an Excel cell" in p.message]
    assert "answers 'Goal 1' with 33,200 characters" in cut.message
    goal = openpyxl.load_workbook(tracking)["Goal sheet"]
    cells = [c.value for row in goal.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert all(excel_length(v) <= 32_767 for v in cells)
    assert not any("\r" in v for v in cells)  # line breaks as Excel keeps them
    resaved = saved_by_calc(tracking, tmp_path, soffice)
    assert read_tracking(resaved).not_ours == []
    collect_forms([folder], resaved, roster)  # nothing new: read back and written again


def _escaped_answers(tmp_path: Path) -> tuple[Path, Path, Roster]:
    """A tracking workbook holding answers and a file name that spell Excel's own escapes."""
    from test_collect import make_docx

    from mentordocs.collect import collect_forms

    roster = make_roster(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    answers = {"goal_1_goal": "See Goal_x0020_Sheet.docx", "goal_2_goal": "a_x000D_b"}
    (folder / "P01_Goal_x0020_Sheet.docx").write_bytes(make_docx("goal-sheet", "P01", answers))
    tracking = tmp_path / "t.xlsx"
    collect_forms([folder], tracking, roster)
    return tracking, folder, roster


def test_text_that_spells_an_excel_escape_is_written_to_show_as_it_is(tmp_path):
    # Excel and Calc decode _x0020_ in a cell's text (a space): a SharePoint file name or an
    # answer holding it is written with its underscore escaped, and read back as it was,
    # run after run.
    from mentordocs.collect import collect_forms

    tracking, folder, roster = _escaped_answers(tmp_path)
    with zipfile.ZipFile(tracking) as package:
        xml = b"".join(package.read(n) for n in package.namelist() if n.startswith("xl/"))
    assert b"See Goal_x005F_x0020_Sheet.docx" in xml and b"a_x005F_x000D_b" in xml
    assert b"P01_Goal_x005F_x0020_Sheet.docx" in xml
    [ret] = read_tracking(tracking).returns
    assert ret.values["goal_1_goal"] == "See Goal_x0020_Sheet.docx"
    assert ret.values["goal_2_goal"] == "a_x000D_b"
    assert ret.source.endswith("P01_Goal_x0020_Sheet.docx")
    result = collect_forms([folder], tracking, roster)  # read back and written again
    assert result.unchanged == 1
    [again] = read_tracking(tracking).returns
    assert again.values == ret.values and again.source == ret.source


@pytest.mark.soffice
def test_calc_shows_text_that_spells_an_excel_escape_as_it_is(tmp_path, soffice):
    tracking, _, _ = _escaped_answers(tmp_path)
    try:
        (page,) = convert([tracking], "html:HTML (StarCalc)", tmp_path / "html", soffice=soffice)
    except OfficeError as exc:
        if "source file could not be loaded" in str(exc):  # a soffice without Calc
            missing(f"LibreOffice Calc is not installed with this soffice ({exc})")
        raise
    shown = page.read_text(encoding="utf-8", errors="replace")
    assert "See Goal_x0020_Sheet.docx" in shown and "a_x000D_b" in shown
    assert "P01_Goal_x0020_Sheet.docx" in shown
    assert "See Goal Sheet.docx" not in shown
    # Calc writes the escape of a character XML can hold as it is (_x0020_), and shows it so.
    resaved = saved_by_calc(tracking, tmp_path, soffice)
    [ret] = read_tracking(resaved).returns
    assert ret.values["goal_1_goal"] == "See Goal_x0020_Sheet.docx"
    assert ret.values["goal_2_goal"] == "a_x000D_b"
    assert ret.source.endswith("P01_Goal_x0020_Sheet.docx")


# ---- mentordocs status ---------------------------------------------------------------------------


def test_status_command_shows_each_stage(tmp_path):
    from click.testing import CliRunner

    from mentordocs.cli import cli
    from mentordocs.cli.status import STAGES as CLI_STAGES
    from mentordocs.forms import STAGES

    assert CLI_STAGES == STAGES
    path = year_workbook(tmp_path)
    result = CliRunner().invoke(cli, ["status", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Start", "Returned", "Complete", "Signed", "Missing"]
    mid = lines.index(next(line for line in lines if line.startswith("Mid-point ")))
    assert lines[mid].split() == [
        "Mid-point",
        "Returned",
        "Complete",
        "Signed",
        "Missing",
        "Not",
        "sent",
    ]
    assert lines[mid + 1].split()[-5:] == ["2", "1", "1", "0", "2"]  # P03, P04 not sent yet
    end = lines.index(next(line for line in lines if line.startswith("End ")))
    assert lines[end + 1].split()[-5:] == ["1", "1", "1", "0", "3"]
    p02 = next(line for line in lines if line.startswith("P02: "))
    assert p02.endswith(
        "Mid-point check-in (incomplete: 1 required field blank, not signed by mentee)"
    )
    assert not any("Mid-point" in line for line in lines if line.startswith(("P03", "P04")))
    only = CliRunner().invoke(cli, ["status", str(path), "--stage", "midpoint"])
    shown = only.output.splitlines()
    assert [line.split() for line in shown[:2]] == [lines[mid].split(), lines[mid + 1].split()]
    assert shown[2:] == [
        "",
        "1 pair still owes something:",
        "P02: Mid-point check-in (incomplete: 1 required field blank, not signed by mentee)",
        "1 form outstanding for 1 pair. With --all: every reason in full.",
    ]
    payload = json.loads(CliRunner().invoke(cli, ["status", str(path), "--json"]).output)
    assert payload["P02"][-1]["stage"] == "midpoint"
    assert "stage" not in payload["P02"][0]  # a start form's item is as it always was
    bad = CliRunner().invoke(cli, ["status", str(path), "--stage", "later"])
    assert bad.exit_code == 2 and "'later' is not one of 'start', 'midpoint', 'end'" in bad.output
