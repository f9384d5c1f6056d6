"""The tracking workbook on its own: rules, writing, reading back (also after Excel-like saves)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from test_collect import PROGRAM, SPECS, complete_values, make_roster

from mentordocs.errors import Problem
from mentordocs.forms import blank_required, signed_by, stage_forms
from mentordocs.tracking import (
    OtherField,
    ReturnedForm,
    TrackingData,
    TrackingFileError,
    outstanding_for,
    read_outstanding,
    read_tracking,
    write_tracking,
)


def sample_data() -> TrackingData:
    values = complete_values("goal-sheet")
    values["goal_2_goal"] = (
        '=SUM(A1:A9) & <b> "quoted"\nsecond line \u05e9\u05dc\u05d5\u05dd \U0001f600'
    )
    values["goal_3_target_date"] = "not a date"
    partial = {"goal_1_goal": "Only this", "goal_1_horizon": "", "mentor_agree": True}
    return TrackingData(
        returns=[
            ReturnedForm(
                "P01",
                "goal-sheet",
                "in/P01_goal-sheet.docx",
                "a" * 64,
                dt.datetime(2026, 10, 1, 9, 30),
                values,
            ),
            ReturnedForm("P02", "goal-sheet", "reply.eml > P02.docx", "b" * 64, None, partial),
        ],
        others=[
            OtherField("x.docx", "c" * 64, "Check1", "checkbox", True),
            OtherField("x.docx", "c" * 64, "Text1", "text", "typed"),
        ],
        problems=[Problem("bad.docx", "is damaged.", "Ask again.")],
        superseded={"d" * 64: "old/P01_goal-sheet.docx"},
    )


def write(tmp_path: Path, data: TrackingData | None = None) -> Path:
    target = tmp_path / "tracking.xlsx"
    target.write_bytes(
        write_tracking(target, data or sample_data(), make_roster(tmp_path, 3), SPECS)
    )
    return target


def test_rules_complete_and_signed():
    data = sample_data()
    spec = SPECS["goal-sheet"]
    assert blank_required(data.returns[0].values, spec) == []
    assert signed_by(data.returns[0].values, "mentor") and signed_by(
        data.returns[0].values, "mentee"
    )
    blank = blank_required(data.returns[1].values, spec)
    assert "goal_1_horizon" in blank and "goal_2_goal" not in blank  # goal 2 absent
    assert not signed_by(data.returns[1].values, "mentor")  # ticked, but no name typed


def test_optional_goal_slots_do_not_make_a_form_incomplete():
    # The goal sheet offers five goal slots; the declaration requires goals 1 to 3 only.
    spec = SPECS["goal-sheet"]
    values = complete_values("goal-sheet")
    for field_id in list(values):
        if field_id.startswith("goal_1_"):
            values[field_id.replace("goal_1_", "goal_4_")] = ""
            values[field_id.replace("goal_1_", "goal_5_")] = ""
    ret = ReturnedForm("P01", "goal-sheet", "P01_goal-sheet.docx", "e" * 64, None, values)
    assert blank_required(ret.values, spec) == []
    values = {**values, "goal_3_goal": ""}
    ret = ReturnedForm("P01", "goal-sheet", "P01_goal-sheet.docx", "e" * 64, None, values)
    assert blank_required(ret.values, spec) == ["goal_3_goal"]


def test_outstanding_names_the_blank_fields_as_the_form_words_them(tmp_path):
    roster = make_roster(tmp_path, 1)
    spec = SPECS["goal-sheet"]
    values = complete_values("goal-sheet")
    values["goal_2_measure"] = ""
    values["mentee_agree"] = False
    ret = ReturnedForm("P01", "goal-sheet", "P01_goal-sheet.docx", "f" * 64, None, values)
    [owed] = [o for o in outstanding_for(roster, [ret], SPECS)["P01"] if o.form == "goal-sheet"]
    label = spec.field("goal_2_measure").label_for(2)
    assert owed.reasons == [
        f"incomplete: 2 required fields blank ({label}, Mentee agrees)",
        "not signed by mentee",
    ]


def test_outstanding_skips_inactive_pairs(tmp_path):
    roster = make_roster(tmp_path, 3)
    roster.pairs[2].status = "Paused"
    out = outstanding_for(roster, sample_data().returns, SPECS)
    assert set(out) == {"P01", "P02"}
    # The start's forms: a later stage's are owed only once generated for the pair.
    assert [o.form for o in out["P01"]] == [f for f in stage_forms() if f != "goal-sheet"]


def test_written_workbook_reads_back_the_same(tmp_path):
    data = sample_data()
    target = write(tmp_path, data)
    back = read_tracking(target)
    assert back.returns[0].values == data.returns[0].values
    assert back.returns[0].returned_at == dt.datetime(2026, 10, 1, 9, 30)
    assert back.returns[1].values["mentor_agree"] is True
    assert back.returns[1].values["goal_1_goal"] == "Only this"
    assert back.others == data.others
    assert back.problems == data.problems
    assert back.superseded == data.superseded


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    target = write(tmp_path)
    ws = openpyxl.load_workbook(target)["Goal sheet"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(2, header.index("Goal 2") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=SUM")
    assert ws.cell(2, header.index("Goal 3: target date") + 1).value == "not a date"
    date = ws.cell(2, header.index("Goal 1: target date") + 1)
    assert date.is_date and date.number_format == "yyyy-mm-dd"
    assert ws.cell(2, header.index("Goal 1") + 1).alignment.wrap_text


def test_problems_read_as_sentences(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["Problems"]
    assert [c.value for c in ws[2]][:3] == ["bad.docx", "This file is damaged.", "Ask again."]


def test_workbook_saved_again_by_another_program_reads_back(tmp_path):
    # Saved again as Excel does (openpyxl here): shared strings instead of inline ones,
    # styles renumbered, dates as numbers with a date format.
    target = write(tmp_path)
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(target).save(resaved)
    before, after = read_tracking(target), read_tracking(resaved)
    assert after.returns == before.returns
    assert after.others == before.others and after.problems == before.problems
    assert read_outstanding(resaved) == read_outstanding(target)


def test_not_a_tracking_workbook(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(TrackingFileError, match="was not written by 'mentordocs collect'"):
        read_tracking(plain)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TrackingFileError, match="not a workbook mentordocs can read"):
        read_outstanding(broken)
    with pytest.raises(TrackingFileError, match="does not exist"):
        read_tracking(tmp_path / "missing.xlsx")


def test_sheet_titles_are_valid_and_unique(tmp_path):
    odd = {
        form: dataclasses.replace(spec, title="Goals: [draft]/v2?")
        for form, spec in list(SPECS.items())[:2]
    }
    target = tmp_path / "tracking.xlsx"
    target.write_bytes(write_tracking(target, TrackingData(), make_roster(tmp_path, 1), odd))
    names = openpyxl.load_workbook(target).sheetnames
    forms = [n for n in names if n.startswith("Goals ")]
    assert len(forms) == 2 and forms[0] != forms[1]
    assert all(len(n) <= 31 and not set("[]:*?/\\") & set(n) for n in forms)


def test_program_name_on_the_dashboard(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    assert wb.sheetnames[0] == "Dashboard"  # the first sheet a coordinator sees
    assert wb["Dashboard"]["A1"].value == f"{PROGRAM}: returned forms"


def test_the_roster_given_for_the_tracking_workbook_is_named_as_such(tmp_path):
    from conftest import SAMPLE_ROSTER

    with pytest.raises(TrackingFileError) as caught:
        read_tracking(SAMPLE_ROSTER)
    assert "it looks like a roster" in str(caught.value)
    assert "Give the tracking workbook collect writes" in str(caught.value)


def test_a_blank_check_box_cell_stays_blank_when_written_again(tmp_path):
    # A printed PDF's answers are on the Review sheet only: its row's check box columns are
    # blank. Read back and written again (every collect does), they stayed blank the first
    # time and became "No" the next: a run that read nothing new changed the workbook.
    data = TrackingData(
        returns=[ReturnedForm("P01", "goal-sheet", "goals.pdf", "a" * 64, None, {})]
    )
    first = write(tmp_path, data)
    again = write(tmp_path, read_tracking(first))
    from test_collect import sheet_rows

    [row] = sheet_rows(again, "Goal sheet")
    agree = [label for label in row if label.endswith("agrees")]
    assert agree and all(row[label] is None for label in agree), row
    assert read_tracking(again).returns[0].values.get("mentor_agree", "") == ""
