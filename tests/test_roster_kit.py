"""Build small roster workbooks for the roster, check and init tests.

``base_book()`` is a valid roster as plain rows (sheet name -> rows, header first); a test
changes one cell with ``set_cell`` (row numbers as Excel shows them) and writes it with ``save``.
Imported by test_roster*.py and test_check*.py; it holds a few tests of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from mentordocs.roster import load_roster

Book = dict[str, list[list[Any]]]


def base_book() -> Book:
    """A valid roster: two pairs, goals, meetings for P01, commitments and a calendar."""
    return {
        "Program": [
            ["Setting", "Value"],
            ["Program name", "Riverside New Teacher Mentoring"],
            ["Organization", "Riverside Unified"],
            ["Coordinator name", "Dana Whitfield"],
            ["Coordinator email", "dana.whitfield@example.org"],
            ["Start date", dt.datetime(2026, 9, 1)],
            ["End date", dt.datetime(2027, 6, 11)],
            ["Mid-point check", None],
            ["Forms due", dt.datetime(2026, 9, 25)],
            ["Standards", "State Standards for the Teaching Profession"],
            ["Signed copies to", "hr@example.org"],
        ],
        "Pairs": [
            [
                "Pair ID",
                "Mentor name",
                "Mentor role",
                "Mentor email",
                "Mentee name",
                "Mentee email",
                "Plan type",
                "Meeting day",
                "Meeting time",
                "Meeting length (minutes)",
                "Meeting mode",
                "Meeting place",
                "Frequency",
                "Start date",
                "End date",
                "Status",
            ],
            [
                "P01",
                "Ana López",
                "Grade 3 teacher",
                "ana.lopez@example.org",
                "Liam O'Brien",
                "liam.obrien@example.org",
                None,
                "Tuesday",
                dt.time(15, 30),
                45,
                "In person",
                "Room 12",
                "Weekly",
                None,
                None,
                None,
            ],
            [
                "P02",
                "Wei Zhang 张伟",
                "Instructional coach",
                "wei.zhang@example.org",
                "Olga Petrova",
                "olga.petrova@example.org",
                "Mutual growth",
                "Thursday",
                dt.time(8, 0),
                30,
                "Online",
                "https://video.example.org/p02",
                "Every 2 weeks",
                None,
                None,
                "Active",
            ],
        ],
        "Goals": [
            ["Pair ID", "Goal #", "Goal", "Horizon", "Target date"],
            ["P01", 2, "Plan differentiated reading groups", "Long-term", dt.datetime(2027, 3, 1)],
            ["P01", 1, "Set up classroom routines", "Short-term", dt.datetime(2026, 10, 1)],
        ],
        "Meetings": [
            ["Pair ID", "Date", "Time", "Place", "Focus"],
            ["P01", dt.datetime(2026, 9, 8), dt.time(15, 30), "Room 12", "Getting started"],
            ["P01", dt.datetime(2026, 9, 22), None, None, "Routines"],
        ],
        "Commitments": [
            ["Pair ID", "Area", "Commitment"],
            [None, "Attendance", "We will come to every meeting on time."],
            ["P02", "Interaction", "We will turn cameras on."],
        ],
        "Calendar": [
            ["Month", "Task", "Notes"],
            ["September", "Set up routines", None],
            ["October", "Observe a lesson", "Use the observation form"],
        ],
    }


def set_cell(book: Book, sheet: str, row: int, header: str, value: Any) -> None:
    """Set the cell of ``sheet`` at Excel ``row`` under ``header`` (adding rows as needed)."""
    rows = book[sheet]
    column = rows[0].index(header)
    while len(rows) < row:
        rows.append([None] * len(rows[0]))
    while len(rows[row - 1]) <= column:
        rows[row - 1].append(None)
    rows[row - 1][column] = value


def save(book: Book, path: Path) -> Path:
    """Write ``book`` as an .xlsx at ``path`` (text starting with '=' becomes a formula).

    Control characters are written the way Excel writes them (``_x000B_``).
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in book.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([_excel_escape(v) if isinstance(v, str) else v for v in row])
    workbook.save(path)
    return path


def _excel_escape(text: str) -> str:
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 32 and c not in "\t\n\r" else c for c in text)


def make_roster(tmp_path: Path, book: Book | None = None, name: str = "roster.xlsx") -> Path:
    return save(book if book is not None else base_book(), tmp_path / name)


def test_base_book_is_a_valid_roster(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    assert [p.pair_id for p in roster.pairs] == ["P01", "P02"]
    assert roster.warnings == []


def test_set_cell_counts_rows_as_excel_does() -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor email", "x@example.org")
    set_cell(book, "Pairs", 5, "Pair ID", "P05")
    assert book["Pairs"][1][3] == "x@example.org"
    assert book["Pairs"][4][0] == "P05"
    assert book["Pairs"][3] == [None] * len(book["Pairs"][0])
