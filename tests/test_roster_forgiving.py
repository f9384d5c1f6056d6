"""A roster that forgives: what a new coordinator's workbook often holds, read as meant.

Numbers-only dates with one possible reading, merged cells, hidden rows, headers spelled their
own way; and a missing sheet or column reported once, with what was found, without the errors
that only follow from it. Each test writes a real .xlsx in tmp_path and checks the exact lines
`mentordocs check` prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_check import check_book, errors_of, problem_line
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
