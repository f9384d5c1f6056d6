"""A roster that forgives: what a new coordinator's workbook often holds, read as meant.

Numbers-only dates with one possible reading, merged cells, hidden rows, headers spelled their
own way; and a missing sheet or column reported once, with what was found, without the errors
that only follow from it. Each test writes a real .xlsx in tmp_path and checks the exact lines
`mentordocs check` prints.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from openpyxl.chart import BarChart, Reference
from test_check import check_book, errors_of, problem_line, run_check
from test_roster_kit import base_book, make_roster, set_cell

from mentordocs.roster import check_roster, load_roster

_DATE_FIX = (
    "Fix: Type the date again as 2026-09-01 or 1 Sep 2026 (numbers-only dates like 09/01/2026 "
    "are ambiguous); changing the cell's format in Excel does not change what is typed in it."
)

# -- numbers-only dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13/09/2026", dt.date(2026, 9, 13)),  # no month 13: day first
        ("09/13/2026", dt.date(2026, 9, 13)),  # month first
        ("13.09.26", dt.date(2026, 9, 13)),  # a two-digit year is in this century
    ],
)
def test_a_numbers_only_date_with_one_reading_is_read(
    tmp_path: Path, value: str, expected: dt.date
) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Start date", value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output
    roster = load_roster(tmp_path / "roster.xlsx")
    assert roster.pairs[1].start_date == expected


def test_a_numbers_only_date_with_day_and_month_equal_is_one_date(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "End date", "05/05/2027")
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert load_roster(tmp_path / "roster.xlsx").pairs[1].end_date == dt.date(2027, 5, 5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("09/01/2026", "'09/01/2026' is ambiguous: it could be day/month or month/day."),
        ("10/11/2026", "'10/11/2026' is ambiguous: it could be day/month or month/day."),
        ("31/02/2027", "'31/02/2027' is not a date."),  # neither 31 February nor month 31
        ("13/13/2026", "'13/13/2026' is not a date."),
        ("13/09-2026", "'13/09-2026' is not a date."),  # two different separators
    ],
)
def test_a_numbers_only_date_with_two_or_no_readings_is_an_error(
    tmp_path: Path, value: str, message: str
) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Start date", value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        f"  roster.xlsx, sheet 'Pairs', row 3, column 'Start date': {message} {_DATE_FIX}"
    ]


# -- merged cells --------------------------------------------------------------------------

_UNMERGE = (
    "Fix: If that was not meant, unmerge them (Home > Merge & Center > Unmerge Cells) and "
    "fill in each cell."
)


def _edited(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    """The workbook at ``path`` changed by ``edit`` as Excel would save it, reopened."""
    workbook = openpyxl.load_workbook(path)
    edit(workbook)
    workbook.save(path)
    return path


def _warnings_of(result: Result) -> list[str]:
    lines = result.output.splitlines()
    return lines[lines.index("Warnings:") + 1 : -1] if "Warnings:" in lines else []


def test_a_pair_id_merged_over_goal_rows_is_read_on_each_row(tmp_path: Path) -> None:
    book = base_book()
    book["Goals"].append([None, 3, "Keep a reflective journal", "Long-term", None])
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Goals"].merge_cells("A2:A4"))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Goals', row 2, column 'Pair ID': Cells A2:A4 are merged, so "
        f"'P01' was read in every one of them (rows 2 to 4). {_UNMERGE}"
    ]
    goals = load_roster(path).pairs[0].goals
    assert [g.goal for g in goals] == [
        "Set up classroom routines",
        "Plan differentiated reading groups",
        "Keep a reflective journal",
    ]


@pytest.mark.parametrize("reader", ["fast", "plain"])
def test_a_merge_down_a_whole_column_spreads_over_the_rows_in_use_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    monkeypatch.setenv("MENTORDOCS_ROSTER_READER", reader)
    book = base_book()
    book["Goals"].append([None, 3, "Keep a reflective journal", "Long-term", None])
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Goals"].merge_cells("A2:A5000"))
    result = run_check(path)
    assert result.exit_code == 0, result.output  # not 4,996 goal rows with a Pair ID alone
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Goals', row 2, column 'Pair ID': Cells A2:A5000 are merged, so "
        f"'P01' was read in every one of them (rows 2 to 4). {_UNMERGE}"
    ]
    assert len(load_roster(path).pairs[0].goals) == 3


def test_a_merged_meeting_place_reaches_every_pair(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"].append(["P03", "Ruth Okafor", None, "ruth@example.org", "Sam Lee"])
    book["Pairs"][3] += [None] * (len(book["Pairs"][0]) - len(book["Pairs"][3]))
    set_cell(book, "Pairs", 4, "Mentee email", "sam.lee@example.org")
    set_cell(book, "Pairs", 3, "Meeting mode", "In person")
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Pairs"].merge_cells("L2:L4"))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 2, column 'Meeting place': Cells L2:L4 are merged, so "
        f"'Room 12' was read in every one of them (rows 2 to 4). {_UNMERGE}"
    ]
    assert [p.meeting_place for p in load_roster(path).pairs] == ["Room 12"] * 3


def test_cells_merged_across_columns_name_the_columns(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Calendar", 2, "Notes", None)
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Calendar"].merge_cells("B2:C3"))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Calendar', row 2, column 'Task': Cells B2:C3 are merged, so "
        f"'Set up routines' was read in every one of them (rows 2 and 3 of columns B and C). "
        f"{_UNMERGE}"
    ]
    calendar = load_roster(path).calendar
    assert [(c.task, c.notes) for c in calendar] == [("Set up routines", "Set up routines")] * 2


def test_a_merged_title_above_the_headers_is_not_a_problem(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"].insert(0, ["Pairs for 2026-27"])
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Pairs"].merge_cells("A1:P1"))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output


def test_blank_merged_cells_are_blank(tmp_path: Path) -> None:
    book = base_book()
    path = _edited(make_roster(tmp_path, book), lambda wb: wb["Pairs"].merge_cells("C5:D6"))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output


# -- hidden rows ---------------------------------------------------------------------------


def _hide(sheet: str, *rows: int) -> Callable[[openpyxl.Workbook], None]:
    def edit(workbook: openpyxl.Workbook) -> None:
        for row in rows:
            workbook[sheet].row_dimensions[row].hidden = True

    return edit


def test_hidden_pairs_are_read_with_a_warning(tmp_path: Path) -> None:
    book = base_book()
    path = _edited(make_roster(tmp_path, book), _hide("Pairs", 3))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 3: Row 3 is hidden (or filtered out) in Excel; it was "
        "read like every other row. Fix: Hiding a row does not leave it out: if this pair left "
        "the program, set Status to Ended; otherwise there is nothing to do."
    ]
    assert [p.pair_id for p in load_roster(path).pairs] == ["P01", "P02"]


def test_hidden_rows_are_named_as_runs(tmp_path: Path) -> None:
    book = base_book()
    for number in range(4, 8):
        book["Calendar"].append([f"Month {number}", "A task", None])
    # Row 9 is blank (not read), so hiding it says nothing.
    path = _edited(make_roster(tmp_path, book), _hide("Calendar", 2, 4, 5, 6, 9))
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Calendar', row 2: Rows 2 and 4 to 6 are hidden (or filtered out) "
        "in Excel; they were read like every other row. Fix: Hiding a row does not leave it out: "
        "delete the rows that should not be used; otherwise there is nothing to do."
    ]
    assert len(load_roster(path).calendar) == 6


def test_hidden_pairs_rows_in_plural(tmp_path: Path) -> None:
    path = _edited(make_roster(tmp_path), _hide("Pairs", 2, 3))
    line = problem_line(run_check(path), "sheet 'Pairs', row 2")
    assert "Rows 2 and 3 are hidden (or filtered out) in Excel; they were read" in line
    assert "if these pairs left the program, set Status to Ended" in line


def test_many_hidden_rows_are_counted_after_ten_runs(tmp_path: Path) -> None:
    book = base_book()
    for number in range(4, 31):
        book["Calendar"].append([f"Month {number}", "A task", None])
    path = _edited(make_roster(tmp_path, book), _hide("Calendar", *range(2, 31, 2)))
    line = problem_line(run_check(path), "sheet 'Calendar', row 2")
    assert "Rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 5 more are hidden" in line


def test_a_workbook_whose_chart_cannot_be_read_is_read_in_full(tmp_path: Path) -> None:
    """openpyxl's normal mode also reads charts; the roster is read without it (read-only
    mode, and roster/layout.py for merged cells and hidden rows), so a damaged chart changes
    nothing. (The plain reader, MENTORDOCS_ROSTER_READER=plain, reads charts and steps back to
    read-only mode without merged cells, with a warning: tests/test_roster_layout.py.)"""
    path = make_roster(tmp_path)
    workbook = openpyxl.load_workbook(path)
    pairs = workbook["Pairs"]
    chart = BarChart()
    chart.add_data(Reference(pairs, min_col=10, min_row=1, max_row=3))
    pairs.add_chart(chart, "T2")
    pairs.merge_cells("L2:L3")
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w") as damaged:
        for item, data in parts.items():
            cut = item.filename == "xl/charts/chart1.xml"
            damaged.writestr(item, data[: len(data) // 2] if cut else data)
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert _warnings_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 2, column 'Meeting place': Cells L2:L3 are merged, so "
        f"'Room 12' was read in every one of them (rows 2 and 3). {_UNMERGE}"
    ]
    assert [p.meeting_place for p in load_roster(path).pairs] == ["Room 12", "Room 12"]


# -- headers spelled another way -----------------------------------------------------------

_PAIRS_HEADERS = (
    "'Pair ID', 'Mentor name', 'Mentor role', {mentor}'Mentee name', {mentee}'Plan type', "
    "'Meeting day', 'Meeting time', 'Meeting length (minutes)', 'Meeting mode', "
    "'Meeting place', 'Frequency', 'Start date', 'End date', 'Status'"
)


@pytest.mark.parametrize(
    ("mentor", "mentee"),
    [
        ("E-mail (mentor)", "E-mail (mentee)"),
        ("Mentor e-mail address", "Mentee e-mail address"),
        ("Mentor's email", "Mentee's e-mail"),
        ("EMAIL MENTOR", "email_mentee"),
        ("Mentor mail address", "Address of the mentee's e-mail"),
    ],
)
def test_common_spellings_of_the_email_headers(tmp_path: Path, mentor: str, mentee: str) -> None:
    book = base_book()
    book["Pairs"][0][3] = mentor
    book["Pairs"][0][5] = mentee
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output
    pair = load_roster(tmp_path / "roster.xlsx").pairs[0]
    assert (pair.mentor.email, pair.mentee.email) == (
        "ana.lopez@example.org",
        "liam.obrien@example.org",
    )


def test_other_spellings_of_phones_and_pair_ids(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][0] = "Pair #"
    book["Pairs"][0] += ["Phone number (mentor)", "Mentee telephone"]
    book["Pairs"][1] += ["555-0101", "555-0102"]
    book["Goals"][0][0] = "Pair no."
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    pair = load_roster(tmp_path / "roster.xlsx").pairs[0]
    assert (pair.mentor.phone, pair.mentee.phone, len(pair.goals)) == ("555-0101", "555-0102", 2)


def test_email_alone_on_the_program_sheet_is_the_coordinators(tmp_path: Path) -> None:
    book = base_book()
    book["Program"][4][0] = "Email"  # was Coordinator email
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output
    program = load_roster(tmp_path / "roster.xlsx").program
    assert program.coordinator_email == "dana.whitfield@example.org"


def test_email_beside_the_coordinator_email_is_a_setting_of_ones_own(tmp_path: Path) -> None:
    book = base_book()
    book["Program"].append(["Email", "office@example.org"])
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    program = load_roster(tmp_path / "roster.xlsx").program
    assert program.coordinator_email == "dana.whitfield@example.org"
    assert program.extra["email"] == "office@example.org"


def test_email_alone_on_pairs_is_ambiguous_and_asked_about(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][3] = "Email"
    for row in book["Pairs"]:
        del row[5]  # Mentee email
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    headers = _PAIRS_HEADERS.format(mentor="'Email', ", mentee="")
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 1, column 'Mentor email': The required column "
        f"'Mentor email' is missing. The headers in row 1 are: {headers}. Fix: If 'Email' holds "
        "the Mentor email, rename it 'Mentor email'; otherwise add a column headed "
        "'Mentor email' to row 1.",
        "  roster.xlsx, sheet 'Pairs', row 1, column 'Mentee email': The required column "
        f"'Mentee email' is missing. The headers in row 1 are: {headers}. Fix: If 'Email' holds "
        "the Mentee email, rename it 'Mentee email'; otherwise add a column headed "
        "'Mentee email' to row 1.",
    ]


def test_email_beside_mentee_email_is_still_asked_about(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][3] = "Email"
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    headers = _PAIRS_HEADERS.format(mentor="'Email', ", mentee="'Mentee email', ")
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 1, column 'Mentor email': The required column "
        f"'Mentor email' is missing. The headers in row 1 are: {headers}. Fix: If 'Email' holds "
        "the Mentor email, rename it 'Mentor email'; otherwise add a column headed "
        "'Mentor email' to row 1."
    ]


def test_a_misspelt_header_is_pointed_out(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][3] = "Mentor emial"
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    headers = _PAIRS_HEADERS.format(mentor="'Mentor emial', ", mentee="'Mentee email', ")
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 1, column 'Mentor email': The required column "
        f"'Mentor email' is missing. The headers in row 1 are: {headers}. Fix: If "
        "'Mentor emial' holds the Mentor email, rename it 'Mentor email'; otherwise add a "
        "column headed 'Mentor email' to row 1."
    ]


@pytest.mark.parametrize(
    ("title", "name"), [("Settings", "Program"), ("pair", "Pairs"), ("Goal", "Goals")]
)
def test_sheets_under_other_usual_names(tmp_path: Path, title: str, name: str) -> None:
    book = base_book()
    book[title] = book.pop(name)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert len(load_roster(tmp_path / "roster.xlsx").pairs[0].goals) == 2


# -- a missing sheet or column, reported once ----------------------------------------------

_PAIRS_COLUMNS = (
    "Pair ID, Mentor name, Mentor role, Mentor email, Mentor phone, Mentee name, Mentee role, "
    "Mentee email, Mentee phone, Plan type, Meeting day, Meeting time, Meeting length "
    "(minutes), Meeting mode, Meeting place, Frequency, Start date, End date, Cancellation "
    "plan, Informal contact, Status"
)


def test_a_missing_pairs_sheet_is_the_only_error(tmp_path: Path) -> None:
    book = base_book()
    del book["Pairs"]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx: The workbook has no 'Pairs' sheet. Its sheets are: Program, Goals, "
        f"Meetings, Commitments, Calendar. Fix: Add a sheet named 'Pairs' with the headers "
        f"{_PAIRS_COLUMNS} in row 1 (run 'mentordocs init' for a starter workbook)."
    ]


@pytest.mark.parametrize("title", ["Pair list", "Mentoring 2026-27"])
def test_the_sheet_that_may_be_meant_is_named(tmp_path: Path, title: str) -> None:
    """By a name close to the sheet's, or by its headers."""
    book = base_book()
    book[title] = book.pop("Pairs")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx: The workbook has no 'Pairs' sheet. Its sheets are: Program, Goals, "
        f"Meetings, Commitments, Calendar, {title}. Fix: If '{title}' is that sheet, rename it "
        f"'Pairs'; otherwise add a sheet named 'Pairs' with the headers {_PAIRS_COLUMNS} in "
        "row 1 (run 'mentordocs init' for a starter workbook)."
    ]


def test_a_missing_column_hides_no_other_problem_and_causes_none(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", "olga@")  # a problem of its own
    for row in book["Pairs"]:
        del row[3]  # Mentor email
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    headers = _PAIRS_HEADERS.format(mentor="", mentee="'Mentee email', ")
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 1, column 'Mentor email': The required column "
        f"'Mentor email' is missing. The headers in row 1 are: {headers}. Fix: Add a column "
        "headed 'Mentor email' to row 1.",
        "  roster.xlsx, sheet 'Pairs', row 3, column 'Mentee email': 'olga@' is not a valid "
        "email address. Fix: Enter one address like name@example.org (no spaces, one @, a "
        "domain with a dot).",
    ]


def test_a_missing_pair_id_column_is_not_followed_by_unknown_ids(tmp_path: Path) -> None:
    book = base_book()
    for row in book["Pairs"]:
        del row[0]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert [line.split(":")[1] for line in errors_of(result)] == [
        " The required column 'Pair ID' is missing. The headers in row 1 are"
    ]


def test_an_empty_pairs_sheet_is_not_followed_by_unknown_ids(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"] = book["Pairs"][:1]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs': The Pairs sheet has no pairs yet. Fix: Fill in one row "
        "per mentor/mentee pair below the header row."
    ]


def test_a_missing_value_column_is_the_only_program_error(tmp_path: Path) -> None:
    book = base_book()
    for row in book["Program"]:
        del row[1]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Program', row 1, column 'Value': The required column 'Value' is "
        "missing. The headers in row 1 are: 'Setting'. Fix: Add a column headed 'Value' to "
        "row 1."
    ]


def test_a_missing_goal_column_is_the_only_goals_error(tmp_path: Path) -> None:
    book = base_book()
    for row in book["Goals"]:
        del row[2]  # Goal
    set_cell(book, "Goals", 3, "Pair ID", "P09")  # a problem of its own
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Goals', row 1, column 'Goal': The required column 'Goal' is "
        "missing. The headers in row 1 are: 'Pair ID', 'Goal #', 'Horizon', 'Target date'. "
        "Fix: Add a column headed 'Goal' to row 1.",
        "  roster.xlsx, sheet 'Goals', row 3, column 'Pair ID': Pair ID 'P09' is not on the "
        "Pairs sheet. Fix: Did you mean 'P02'? Use an ID from the Pairs sheet, or add the pair "
        "there.",
    ]


def test_a_missing_setting_names_the_settings_found(tmp_path: Path) -> None:
    book = base_book()
    del book["Program"][5]  # Start date
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Program', column 'Setting': The setting 'Start date' is missing. "
        "The settings in column A are: 'Program name', 'Organization', 'Coordinator name', "
        "'Coordinator email', 'End date', 'Mid-point check', 'Forms due', 'Standards', "
        "'Signed copies to'. Fix: Add a row with 'Start date' in column A and its value in "
        "column B. First day of the program, e.g. 2026-09-01."
    ]


def test_the_example_in_roster_md_is_what_check_prints(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    program = workbook.active
    assert program is not None
    program.title = "Program"
    for setting in (
        ["Setting", "Value"],
        ["Program name", "X"],
        ["Coordinator name", "C"],
        ["Coordinator email", "c@example.org"],
        ["Start date", "2026-09-01"],
        ["End date", "2027-06-01"],
    ):
        program.append(setting)
    pairs = workbook.create_sheet("Pairs")
    for row in (
        ["Pair ID", "Mentor name", "Email", "Mentee name", "Meeting place"],
        ["P01", "Ann Lee", "ann@example.org", "Bo Chen", "Room 12"],
        ["P02", "Cy Dee", "cy@example.org", "Di Eve", None],
        ["P03", "Ed Fox", "ed@example.org", "Flo Gee", None],
        ["P04", "Gil Ho", "gil@example.org", "Hal Ivy", "Room 3"],
    ):
        pairs.append(row)
    pairs.merge_cells("E2:E4")
    pairs.row_dimensions[5].hidden = True
    workbook.save(tmp_path / "roster.xlsx")
    doc = (Path(__file__).resolve().parent.parent / "docs" / "roster.md").read_text()
    example = doc.split("and a hidden row gives:\n\n```\n")[1].split("```")[0]
    assert run_check(tmp_path / "roster.xlsx").output.startswith(example)


def test_excel_extensions_openpyxl_would_drop_give_no_python_warning(tmp_path: Path) -> None:
    """Excel saves drop-downs that list another sheet's cells as an extension; openpyxl's normal
    mode warns it "will be removed" (when saving, which check never does)."""
    path = make_roster(tmp_path)
    extension = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="0"/></ext></extLst></worksheet>'
    )
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w") as saved:
        for item, data in parts.items():
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</worksheet>", extension)
            saved.writestr(item, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert check_roster(path) == []
    assert [str(w.message) for w in caught] == []
