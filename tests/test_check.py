"""`mentordocs check ROSTER`: every validation, through the command line.

Each test builds a roster in tmp_path (test_roster_kit), breaks one thing, and checks the exit
code and the problem line: sheet, row as Excel numbers it, column, what is wrong and the fix.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_roster_kit import base_book, make_roster, save, set_cell

from mentordocs.cli import cli

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx"


def run_check(path: Path | str) -> Result:
    return CliRunner().invoke(cli, ["check", str(path)])


def problem_line(result: Result, *parts: str) -> str:
    """The one output line that contains every part; fails listing the output otherwise."""
    lines = [line for line in result.output.splitlines() if all(p in line for p in parts)]
    assert len(lines) == 1, f"expected one line with {parts!r} in:\n{result.output}"
    return lines[0]


def errors_of(result: Result) -> list[str]:
    lines = result.output.splitlines()
    if "Errors:" not in lines:
        return []
    start = lines.index("Errors:") + 1
    end = lines.index("Warnings:") if "Warnings:" in lines else len(lines) - 1
    return lines[start:end]


def check_book(tmp_path: Path, book: dict) -> Result:
    return run_check(make_roster(tmp_path, book))


# -- clean rosters -------------------------------------------------------------------------


def test_clean_roster_passes_and_says_what_it_found(tmp_path: Path) -> None:
    result = run_check(make_roster(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Errors:" not in result.output and "Warnings:" not in result.output
    assert "is ready" in result.output
    assert "'Riverside New Teacher Mentoring': 2 pairs, 2 active" in result.output
    assert "2 goals" in result.output
    assert "2 meetings listed" in result.output


def test_sample_roster_passes_without_warnings() -> None:
    result = run_check(SAMPLE)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output
    assert "12 pairs, 11 active" in result.output


def test_check_help_has_an_example_on_the_sample() -> None:
    result = CliRunner().invoke(cli, ["check", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "mentordocs check samples/roster.xlsx" in result.output


def test_check_without_a_roster_is_a_usage_error() -> None:
    assert CliRunner().invoke(cli, ["check"]).exit_code == 2


# -- sheets and columns --------------------------------------------------------------------


@pytest.mark.parametrize("sheet", ["Program", "Pairs"])
def test_missing_required_sheet(tmp_path: Path, sheet: str) -> None:
    book = base_book()
    del book[sheet]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, f"The workbook has no '{sheet}' sheet.")
    assert line.strip().startswith("roster.xlsx: ")
    assert f"Fix: Add a sheet named '{sheet}'" in line


def test_optional_sheets_may_be_missing(tmp_path: Path) -> None:
    book = base_book()
    for sheet in ("Goals", "Meetings", "Commitments", "Calendar"):
        del book[sheet]
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output


def test_missing_required_column(tmp_path: Path) -> None:
    book = base_book()
    for row in book["Pairs"]:
        del row[3]  # Mentor email
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 1, column 'Mentor email'")
    assert "The required column 'Mentor email' is missing." in line
    assert "Fix: Add a column headed 'Mentor email' to row 1." in line


def test_missing_required_column_in_an_optional_sheet(tmp_path: Path) -> None:
    book = base_book()
    for row in book["Goals"]:
        del row[2]  # Goal
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Goals', row 1, column 'Goal'", "is missing")


def test_headers_match_whatever_their_case_spacing_and_punctuation(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][0] = "PAIR  ID"
    book["Pairs"][0][3] = "Mentor E-mail"
    book["Pairs"][0][5] = "mentee_email"
    book["Pairs"][0][9] = "Meeting Length"
    book["Goals"][0][1] = "Goal No."
    book["Pairs"].insert(0, [None] * len(book["Pairs"][0]))  # a blank row above the headers
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output


def test_a_title_row_above_the_headers(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentor email", "wei@")
    book["Pairs"].insert(0, ["Pairs for 2026-27 (updated by Dana)"])  # row 3 becomes row 4
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result) == [
        "  roster.xlsx, sheet 'Pairs', row 4, column 'Mentor email': 'wei@' is not a valid email "
        "address. Fix: Enter one address like name@example.org (no spaces, one @, a domain with a dot)."
    ]


def test_two_columns_with_the_same_meaning(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0].append("Mentor e-mail")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 1, column 'Mentor e-mail'")
    assert "Two columns mean 'Mentor email'" in line


def test_values_in_a_column_without_header_are_a_warning(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][1] += [None, "stray note"]  # column R has no header
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    line = problem_line(result, "sheet 'Pairs', row 2", "Column R has values but no header")
    assert "Fix: Type a header in row 1" in line


# -- required cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Pair ID", 2),
        ("Mentor name", 3),
        ("Mentor email", 2),
        ("Mentee name", 3),
        ("Mentee email", 3),
    ],
)
def test_blank_required_cell_in_pairs(tmp_path: Path, header: str, row: int) -> None:
    book = base_book()
    set_cell(book, "Pairs", row, header, "   ")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, f"sheet 'Pairs', row {row}, column '{header}'")
    assert f"'{header}' is required but the cell is empty." in line
    assert f"Fix: Fill in {header}." in line


@pytest.mark.parametrize(
    ("sheet", "header"),
    [("Goals", "Goal"), ("Meetings", "Date"), ("Commitments", "Commitment"), ("Calendar", "Task")],
)
def test_blank_required_cell_in_other_sheets(tmp_path: Path, sheet: str, header: str) -> None:
    book = base_book()
    set_cell(book, sheet, 3, header, None)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, f"sheet '{sheet}', row 3, column '{header}'", "is required")


def test_blank_required_program_setting(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 4, "Value", None)  # Coordinator name
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Program', row 4, column 'Value'")
    assert "'Coordinator name' is required" in line
    assert "Fix: Fill in Coordinator name." in line


def test_missing_program_setting_row(tmp_path: Path) -> None:
    book = base_book()
    del book["Program"][5]  # Start date
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Program', column 'Setting'", "'Start date' is missing")
    assert "Fix: Add a row with 'Start date' in column A" in line


def test_duplicate_program_setting(tmp_path: Path) -> None:
    book = base_book()
    book["Program"].append(["program NAME", "Another name"])
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Program', row 12", "appears twice (rows 2 and 12)")


def test_an_empty_pairs_sheet_asks_to_fill_it_in(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"] = book["Pairs"][:1]
    book["Goals"] = book["Goals"][:1]
    book["Meetings"] = book["Meetings"][:1]
    book["Commitments"] = book["Commitments"][:2]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs'", "no pairs yet")
    assert "Fix: Fill in one row per mentor/mentee pair" in line


# -- pair IDs ------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["P01", "p01", " P01 "])
def test_duplicate_pair_id(tmp_path: Path, other: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Pair ID", other)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Pair ID'")
    assert "is used twice (first on row 2)" in line
    assert "Fix: Give each pair its own ID" in line


@pytest.mark.parametrize(
    ("pair_id", "suggestion"),
    [
        ("P/01", "P-01"),
        ("P:01", "P-01"),
        ('P"1"', "P-1-"),
        (".P01", "P01"),
        ("P01.", "P01"),
        ("CON", "P-CON"),
    ],
)
def test_pair_id_must_be_usable_in_file_names(
    tmp_path: Path, pair_id: str, suggestion: str
) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Pair ID", pair_id)
    book["Commitments"] = book["Commitments"][:2]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Pair ID'")
    assert "file name" in line
    assert f"e.g. '{suggestion}'" in line


@pytest.mark.parametrize(("sheet", "row"), [("Goals", 2), ("Meetings", 3), ("Commitments", 3)])
def test_pair_id_not_in_pairs(tmp_path: Path, sheet: str, row: int) -> None:
    book = base_book()
    set_cell(book, sheet, row, "Pair ID", "P011")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, f"sheet '{sheet}', row {row}, column 'Pair ID'")
    assert "Pair ID 'P011' is not on the Pairs sheet." in line
    assert "Fix: Did you mean 'P01'?" in line


def test_pair_ids_match_other_sheets_whatever_the_case(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Goals", 2, "Pair ID", "p01")
    assert check_book(tmp_path, book).exit_code == 0


def test_numeric_pair_ids_are_text(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Pair ID", 101)
    for sheet in ("Goals", "Meetings"):
        for row in book[sheet][1:]:
            row[0] = 101.0
    assert check_book(tmp_path, book).exit_code == 0


# -- emails and people ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "fix"),
    [
        ("ana@", "Enter one address like name@example.org"),
        ("ana.lopez@example", "Enter one address like name@example.org"),
        ("ana lopez@example.org", "Enter one address like name@example.org"),
        ("ana..lopez@example.org", "Enter one address like name@example.org"),
        ("ana@@example.org", "Enter one address like name@example.org"),
        ("Ana López <ana.lopez@example.org>", "Keep only the address: ana.lopez@example.org"),
    ],
)
def test_malformed_email(tmp_path: Path, address: str, fix: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor email", address)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 2, column 'Mentor email'")
    assert f"'{address}' is not a valid email address" in line
    assert f"Fix: {fix}" in line


def test_malformed_coordinator_email(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 5, "Value", "dana.whitfield at example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Program', row 5, column 'Value'", "not a valid email address")


def test_signed_copies_to_takes_several_addresses(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 11, "Value", "hr@example.org; principal@example.org")
    assert check_book(tmp_path, book).exit_code == 0
    set_cell(book, "Program", 11, "Value", "hr@example.org, principal")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Program', row 11, column 'Value'")
    assert "'principal' is not a valid email address." in line
    assert "Fix: Enter addresses like name@example.org, separated by ';'." in line


def test_sheet_names_match_whatever_their_case(tmp_path: Path) -> None:
    book = {
        name.upper() if name == "Pairs" else f" {name.lower()} ": rows
        for name, rows in base_book().items()
    }
    set_cell(book, "PAIRS", 2, "Mentor email", "ana@")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert errors_of(result)[0].startswith(
        "  roster.xlsx, sheet 'PAIRS', row 2, column 'Mentor email'"
    )


def test_unusual_but_valid_emails_pass(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor email", "mailto:ana+mentoring@mail.example.org")
    set_cell(book, "Pairs", 3, "Mentor email", "o'neil.wei@example.co.uk")
    assert check_book(tmp_path, book).exit_code == 0


def test_an_address_send_would_refuse_is_named_by_check(tmp_path: Path) -> None:
    # An accent before the @: valid, but send refuses it (few servers accept it); check says so
    # now, not on the day the packets go out.
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", "kwamé.mensah@example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 0  # generate can go on; it is a warning
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "'kwamé.mensah@example.org' has letters outside plain ASCII" in line
    assert "'mentordocs send' will not send to it" in line
    assert "Fix: Use another address for this person" in line
    set_cell(book, "Pairs", 3, "Mentee email", "kwame.mensah@exämple.org")  # a domain is fine
    assert "Warnings:" not in check_book(tmp_path, book).output


def test_invisible_characters_copied_with_an_address(tmp_path: Path) -> None:
    # A zero-width space or a byte order mark copied in from a web page: at the ends they are
    # dropped (as spaces are); inside, the address is not what the coordinator sees. Both were
    # called "letters outside plain ASCII (such as é or ü)", which the cell does not show.
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor email", "\u200bana.lopez@example.org\ufeff")
    set_cell(book, "Pairs", 3, "Mentee email", "kwame\u200b.mensah@example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert "row 2" not in result.output  # the mentor's: only at its ends, dropped
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "holds an invisible character (U+200B ZERO WIDTH SPACE)" in line
    assert "Fix: Delete what is in the cell and type the address again." in line
    assert "such as é or ü" not in result.output
    from mentordocs.roster import load_roster

    set_cell(book, "Pairs", 3, "Mentee email", "kwame.mensah@example.org")
    roster = load_roster(make_roster(tmp_path, book))
    assert roster.pairs[0].mentor.email == "ana.lopez@example.org"


def test_an_international_domain_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    book = base_book()
    # Latin and Arabic letters in one part of a domain: IDNA 2008 allows no such name.
    set_cell(book, "Pairs", 3, "Mentee email", "kwame@schoolا.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "'kwame@schoolا.org' has a domain (after the @) that is not a valid" in line
    assert "(Invalid direction for codepoint" in line
    assert "Fix: Copy the address exactly as the person gave it" in line
    set_cell(book, "Pairs", 3, "Mentee email", "kwame@straße.de")  # IDNA 2008 allows ß
    assert check_book(tmp_path, book).exit_code == 0


def test_same_person_as_mentor_and_mentee_by_email(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", "WEI.ZHANG@example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "same email address" in line
    assert "Fix: A pair is two people" in line


def test_same_person_as_mentor_and_mentee_by_name(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentee name", "ana  LÓPEZ")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 2, column 'Mentee name'")
    assert "same name" in line


def test_one_email_for_two_different_people_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", "liam.obrien@example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "belongs to 'Liam O'Brien' on row 2 but to 'Olga Petrova' here" in line


def test_a_mentor_with_two_mentees_is_fine(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentor name", "Ana López")
    set_cell(book, "Pairs", 3, "Mentor email", "ana.lopez@example.org")
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output


# -- dates, times, numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("next week", "'next week' is not a date."),
        ("09/01/2026", "'09/01/2026' is ambiguous: it could be day/month or month/day."),
        ("2026-02-30", "'2026-02-30' is not a date."),
        (dt.time(9, 0), "is a time, not a date."),
    ],
)
def test_a_date_that_is_not_a_date(tmp_path: Path, value: object, message: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Start date", value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Start date'")
    assert message in line
    assert "Fix: Type the date again as 2026-09-01 or 1 Sep 2026" in line


@pytest.mark.parametrize(
    "value", ["2026-09-14", "14 Sep 2026", "September 14, 2026", "Sept 14th 2026", "14-Sep-2026"]
)
def test_dates_typed_as_text_are_accepted(tmp_path: Path, value: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Start date", value)
    assert check_book(tmp_path, book).exit_code == 0


def test_a_date_stored_as_a_number_is_read_with_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Start date", 46279)  # 2026-09-14 as an Excel serial
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "sheet 'Pairs', row 3, column 'Start date'", "read as 2026-09-14")


def test_pair_end_before_start(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Start date", dt.datetime(2027, 2, 1))
    set_cell(book, "Pairs", 2, "End date", dt.datetime(2026, 12, 1))
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 2, column 'End date'")
    assert "ends (2026-12-01) before it starts (2027-02-01)" in line
    assert "Fix: Correct the pair's Start date or End date" in line


def test_pair_end_before_the_programs_start(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "End date", dt.datetime(2026, 8, 1))
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Pairs', row 2, column 'End date'", "before it starts (2026-09-01)")


def test_program_end_before_start(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 7, "Value", dt.datetime(2026, 6, 1))
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Program', row 7, column 'Value'")
    assert "The program ends (2026-06-01) before it starts (2026-09-01)." in line


@pytest.mark.parametrize("value", ["half past three", "25:00", "3:30 XM"])
def test_a_time_that_is_not_a_time(tmp_path: Path, value: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting time", value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 2, column 'Meeting time'")
    assert f"'{value}' is not a time." in line
    assert "Fix: Type the time as 15:30 or 3:30 PM" in line


@pytest.mark.parametrize("value", ["an hour", "-5", "0", "45.5"])
def test_meeting_length_must_be_minutes(tmp_path: Path, value: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting length (minutes)", value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 2, column 'Meeting length (minutes)'")
    assert "is not a meeting length in minutes" in line


def test_goal_number_must_be_a_whole_number(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Goals", 2, "Goal #", "first")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Goals', row 2, column 'Goal #'", "'first' is not a whole number.")


def test_duplicate_goal_numbers(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Goals", 3, "Goal #", 2)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Goals', row 3, column 'Goal #'")
    assert "Pair P01 has two goals numbered 2 (rows 2 and 3)." in line


# -- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "row", "header", "value", "allowed"),
    [
        (
            "Pairs",
            2,
            "Meeting day",
            "Tusday",
            "Did you mean 'Tuesday'? Choose one of: Monday, Tuesday",
        ),
        ("Pairs", 2, "Meeting mode", "By phone", "Choose one of: In person, Online, Hybrid."),
        ("Pairs", 2, "Frequency", "Daily", "Choose one of: Weekly, Every 2 weeks, Monthly."),
        (
            "Pairs",
            2,
            "Plan type",
            "Peer",
            "Choose one of: Mentee-focused, Mutual growth, Coaching, Mentee-focused + Coaching, "
            "Mutual growth + Coaching.",
        ),
        (
            "Pairs",
            3,
            "Status",
            "Actve",
            "Did you mean 'Active'? Choose one of: Active, Paused, Ended.",
        ),
        ("Goals", 2, "Horizon", "Medium", "Choose one of: Short-term, Long-term."),
        (
            "Commitments",
            2,
            "Area",
            "Punctuality",
            "Choose one of: Attendance, Participation, Interaction, Other.",
        ),
    ],
)
def test_value_outside_a_list(
    tmp_path: Path, sheet: str, row: int, header: str, value: str, allowed: str
) -> None:
    book = base_book()
    set_cell(book, sheet, row, header, value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, f"sheet '{sheet}', row {row}, column '{header}'")
    assert f"'{value}' is not one of the allowed values for {header}." in line
    assert f"Fix: {allowed}" in line


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Meeting day", "tue"),
        ("Meeting day", "WEDNESDAYS"),
        ("Meeting mode", "in-person"),
        ("Meeting mode", "Virtual"),
        ("Frequency", "Biweekly"),
        ("Frequency", "fortnightly"),
        ("Plan type", "mutual growth"),
        ("Status", "on hold"),
    ],
)
def test_obvious_variants_of_listed_values_pass(tmp_path: Path, header: str, value: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, header, value)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output


# -- formulas, control characters, blank rows, spaces --------------------------------------


def _with_cached_value(path: Path, cached: str) -> None:
    """Give every formula in the workbook a saved value, as Excel does when it saves."""
    data = path.read_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(
                    rb"<c r=\"([A-Z]+\d+)\"><f>(.*?)</f><v></v></c>",
                    lambda m: (
                        b'<c r="'
                        + m.group(1)
                        + b'" t="str"><f>'
                        + m.group(2)
                        + b"</f><v>"
                        + cached.encode()
                        + b"</v></c>"
                    ),
                    content,
                )
            target.writestr(info, content)
    path.write_bytes(out.getvalue())


def test_formula_without_a_saved_value(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", '=LOWER("Olga.Petrova@example.org")')
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    line = problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'")
    assert "formula whose result was never saved" in line
    assert "Fix: Open the workbook in Excel and save it" in line
    assert "is required" not in result.output  # reported once, not also as blank


def test_formula_with_a_saved_value_is_read(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", '=LOWER("Olga.Petrova@example.org")')
    path = make_roster(tmp_path, book)
    _with_cached_value(path, "olga.petrova@example.org")
    result = run_check(path)
    assert result.exit_code == 0, result.output


def test_formula_showing_an_excel_error(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Mentee email", "=VLOOKUP(A3,Staff!A:B,2,FALSE)")
    path = make_roster(tmp_path, book)
    _with_cached_value(path, "#N/A")
    result = run_check(path)
    assert result.exit_code == 1
    problem_line(result, "sheet 'Pairs', row 3, column 'Mentee email'", "Excel error #N/A")


@pytest.mark.parametrize(
    ("text", "kind", "replaced"),
    [
        ("Meet in the library\x0bbring laptops", "vertical tab", "replaced by a line break"),
        ("Bell\x07 ringing", "bell", "removed"),
        ("Form\x0cfeed", "form feed", "replaced by a line break"),
        ("Escape\x1b char", "U+001B", "removed"),
    ],
)
def test_control_characters_are_cleaned_with_a_warning(
    tmp_path: Path, text: str, kind: str, replaced: str
) -> None:
    book = base_book()
    set_cell(book, "Calendar", 3, "Task", text)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    line = problem_line(result, "sheet 'Calendar', row 3, column 'Task'")
    assert f"hidden characters that a Word file cannot hold ({kind})" in line
    assert replaced in line


def test_blank_rows_and_stray_spaces_are_not_problems(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"].insert(2, [None] * 16)
    book["Pairs"].insert(2, ["  ", None, "", "   "])
    set_cell(book, "Pairs", 2, "Mentor name", "  Ana   López  ")
    set_cell(book, "Pairs", 2, "Mentor email", " ana.lopez@example.org ")
    set_cell(book, "Pairs", 2, "Meeting day", " Tuesday ")
    book["Goals"].append([None] * 5)
    book["Goals"].append(["P02", None, "  Try one new routine  ", None, None])
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output


# -- warnings ------------------------------------------------------------------------------


def test_warnings_do_not_fail_and_come_after_errors(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "End date", dt.datetime(2027, 7, 30))  # warning: after program end
    set_cell(book, "Pairs", 2, "Mentor email", "ana@")  # error
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines.index("Errors:") < lines.index("Warnings:")
    warning = problem_line(result, "sheet 'Pairs', row 3, column 'End date'")
    assert lines.index(warning) > lines.index("Warnings:")
    assert "go outside the program's (2026-09-01 to 2027-06-11)" in warning
    assert "1 error and 1 warning" in result.output


def test_more_than_five_goals_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    for number in range(3, 7):
        book["Goals"].append(["P01", number, f"Goal {number}", None, None])
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    line = problem_line(result, "sheet 'Goals', row 7, column 'Goal'")  # the sixth goal
    assert "Pair P01 has 6 goals; the goal sheet is meant for 3 to 5." in line


def test_meeting_outside_the_pairs_dates_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Meetings", 3, "Date", dt.datetime(2027, 8, 2))
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "sheet 'Meetings', row 3, column 'Date'", "is outside the pair's dates")


def test_online_pair_without_a_link_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Meeting place", None)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "sheet 'Pairs', row 3, column 'Meeting place'", "no video link")


def test_meeting_day_without_frequency_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Frequency", None)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(
        result, "sheet 'Pairs', row 3, column 'Frequency'", "no meeting dates are worked out"
    )


def test_target_date_outside_the_pair_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Goals", 2, "Target date", dt.datetime(2028, 1, 1))
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "sheet 'Goals', row 2, column 'Target date'", "outside the pair's dates")


# -- the file itself -----------------------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    result = run_check(tmp_path / "rooster.xlsx")
    assert result.exit_code == 1
    line = problem_line(result, "rooster.xlsx: File not found.")
    assert "Fix: Check the name and folder" in line
    assert "Traceback" not in result.output


def test_a_folder_instead_of_a_file(tmp_path: Path) -> None:
    make_roster(tmp_path)
    result = run_check(tmp_path)
    assert result.exit_code == 1
    line = problem_line(result, "This is a folder")
    assert f"Did you mean {tmp_path / 'roster.xlsx'}?" in line


def test_old_xls_workbook(tmp_path: Path) -> None:
    path = tmp_path / "roster.xls"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024 + "Workbook".encode("utf-16-le")
    )
    result = run_check(path)
    assert result.exit_code == 1
    line = problem_line(result, "roster.xls: This is an old Excel 97-2003 workbook (.xls).")
    assert "Fix: Open it in Excel and choose File > Save As > Excel Workbook (.xlsx)" in line


def test_html_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "roster.xls"
    path.write_text("<html><table><tr><td>Pair ID</td></tr></table></html>")
    result = run_check(path)
    assert result.exit_code == 1
    problem_line(result, "roster.xls:", "Excel Workbook (.xlsx)")


def test_password_protected_workbook(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE2 container holding EncryptionInfo and EncryptedPackage.
    path = tmp_path / "roster.xlsx"
    directory = (
        "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40 + "EncryptedPackage".encode("utf-16-le")
    )
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory)
    result = run_check(path)
    assert result.exit_code == 1
    line = problem_line(result, "roster.xlsx: The workbook is protected with a password")
    assert "Fix: In Excel choose File > Info > Protect Workbook > Encrypt with Password" in line


def test_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Pair ID,Mentor name\nP01,Ana\n")
    result = run_check(path)
    assert result.exit_code == 1
    line = problem_line(result, "roster.csv: This is a text (CSV) file")
    assert "save it as Excel Workbook (.xlsx)" in line


def test_opendocument_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "roster.ods"
    path.write_bytes(b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet")
    result = run_check(path)
    assert result.exit_code == 1
    line = problem_line(result, "roster.ods: This is a .ods spreadsheet")
    assert (
        "Fix: Save it in Excel format: File > Save As > Excel 2007-365 (.xlsx) in LibreOffice"
        in line
    )


def test_text_file_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_text("Pair ID;Mentor name\n")
    result = run_check(path)
    assert result.exit_code == 1
    problem_line(result, "This is not an Excel workbook (it looks like a text file).")


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_corrupt_workbook(tmp_path: Path, keep: float) -> None:
    path = make_roster(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    result = run_check(path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    line = problem_line(result, "roster.xlsx:", "Fix:")
    assert "damaged" in line or "cannot be read" in line


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    result = run_check(path)
    assert result.exit_code == 1
    problem_line(result, "roster.xlsx: The file cannot be read as an Excel workbook")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"")
    result = run_check(path)
    assert result.exit_code == 1
    problem_line(result, "The file is empty (0 bytes).")


def test_lock_file_given_as_the_roster(tmp_path: Path) -> None:
    lock = tmp_path / "~$roster.xlsx"
    lock.write_bytes(b"\x00" * 165)
    result = run_check(lock)
    assert result.exit_code == 1
    line = problem_line(result, "lock file Excel keeps while a workbook is open")
    assert "Fix: Give the workbook's own name instead, e.g. roster.xlsx." in line


@pytest.mark.parametrize("lock_name", ["~$roster.xlsx", ".~lock.roster.xlsx#"])
def test_roster_open_in_excel_is_a_warning(tmp_path: Path, lock_name: str) -> None:
    path = make_roster(tmp_path)
    (tmp_path / lock_name).write_bytes(b"\x00" * 165)
    result = run_check(path)
    assert result.exit_code == 0
    line = problem_line(result, "seems to be open in Excel or LibreOffice")
    assert "changes not yet saved are not seen" in line
    assert "Fix: Save the workbook in Excel first" in line


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 5, "Value", "nobody")
    set_cell(book, "Pairs", 2, "Mentor email", "ana@")
    set_cell(book, "Pairs", 3, "Meeting day", "Someday")
    set_cell(book, "Goals", 3, "Pair ID", "P99")
    set_cell(book, "Meetings", 2, "Date", "soon")
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    errors = errors_of(result)
    assert len(errors) == 5, result.output
    assert [e.split(",")[1].strip() for e in errors] == [
        "sheet 'Program'",
        "sheet 'Pairs'",
        "sheet 'Pairs'",
        "sheet 'Goals'",
        "sheet 'Meetings'",
    ]
    assert all("Fix: " in e for e in errors)
    assert "5 errors and 0 warnings" in result.output


def test_check_does_not_change_the_roster(tmp_path: Path) -> None:
    path = make_roster(tmp_path)
    before = path.read_bytes()
    copy = tmp_path / "copy.xlsx"
    shutil.copy(path, copy)
    run_check(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.xlsx", "roster.xlsx"]


def test_save_helper_round_trips(tmp_path: Path) -> None:
    # A guard for the helper the tests above rely on.
    path = save(base_book(), tmp_path / "x.xlsx")
    assert run_check(path).exit_code == 0


def test_midpoint_outside_the_program_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 8, "Value", dt.datetime(2027, 8, 1))
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    line = problem_line(result, "sheet 'Program', row 8, column 'Value'")
    assert "The mid-point check (2027-08-01) is outside the program's dates." in line


def test_the_same_meeting_twice_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    book["Meetings"].append(["P01", dt.datetime(2026, 9, 8), dt.time(15, 30), None, "Again"])
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(
        result, "sheet 'Meetings', row 4, column 'Date'", "has this meeting twice (rows 2 and 4)"
    )


def test_two_extra_columns_with_one_header_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0] += ["School", "school"]
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "sheet 'Pairs', row 1, column 'school'", "only the first one is used")


def test_an_unusually_long_meeting_is_a_warning(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting length (minutes)", 450)
    result = check_book(tmp_path, book)
    assert result.exit_code == 0
    problem_line(result, "column 'Meeting length (minutes)'", "450 minutes is unusually long")


# -- the Program sheet's mail settings ----------------------------------------------------------


def test_mail_settings_are_checked_with_the_rest(tmp_path: Path) -> None:
    book = base_book()
    book["Program"] += [
        ["Outgoing mail server", "smtp.example.org:99999"],  # row 12
        ["Mail sign-in", "Carrier pigeon"],  # row 13
        ["Collect from", "https://mail.example.org"],  # row 14: an alias of Mailbox to collect
        ["SMTP password", "hunter2"],  # row 15
    ]
    result = check_book(tmp_path, book)
    assert result.exit_code == 1
    assert "not a port number" in problem_line(result, "row 12", "column 'Value'")
    assert "Password, Microsoft 365 or None" in problem_line(result, "row 13")
    assert "imaps://USER@SERVER/FOLDER" in problem_line(result, "row 14")
    assert "must never hold one" in problem_line(result, "row 15")
    assert len(errors_of(result)) == 4


def test_good_mail_settings_pass(tmp_path: Path) -> None:
    book = base_book()
    book["Program"] += [
        ["Outgoing mail server", "smtp.office365.com:587"],
        ["Mail sign-in", "Microsoft 365"],
        ["Microsoft client ID", "0a1b2c3d-1111-2222-3333-444455556666"],
        ["Mailbox to collect", "imaps://outlook.office365.com/INBOX"],
    ]
    result = check_book(tmp_path, book)
    assert result.exit_code == 0, result.output
    assert "Warnings:" not in result.output
