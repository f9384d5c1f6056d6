"""A roster that forgives: what a new coordinator's workbook often holds, read as meant.

Numbers-only dates with one possible reading, merged cells, hidden rows, headers spelled their
own way; and a missing sheet or column reported once, with what was found, without the errors
that only follow from it. Each test writes a real .xlsx in tmp_path and checks the exact lines
`mentordocs check` prints.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from openpyxl.chart import BarChart, Reference
from test_check import check_book, errors_of, problem_line, run_check
from test_roster_kit import base_book, make_roster, set_cell

from mentordocs.roster import load_roster

_DATE_FIX = (
    "Fix: Type the date as 2026-09-01 or 1 Sep 2026 (numbers-only dates like 09/01/2026 are "
    "ambiguous), or choose Format Cells > Date in Excel."
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


def test_a_workbook_whose_chart_cannot_be_read_is_read_without_merged_cells(
    tmp_path: Path,
) -> None:
    """openpyxl's normal mode (which reports merged cells) also reads charts; read-only mode
    does not. A damaged chart leaves the roster readable, with a warning."""
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
    line, link = _warnings_of(result)  # P02's link, merged away, is blank as it was
    assert "Meeting place': The pair meets online but Meeting place has no video link." in link
    assert line.startswith("  roster.xlsx: Part of the workbook cannot be read (XMLSyntaxError: ")
    assert line.endswith(
        "), so merged cells are read as blank and hidden rows are not pointed out. Fix: Open the "
        "workbook in Excel and save it again; check merged cells yourself meanwhile."
    )
    assert [p.meeting_place for p in load_roster(path).pairs] == ["Room 12", ""]
