"""load_roster: what the rest of mentordocs gets (types, trimming, extras, defaults, schedule)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_roster_kit import base_book, make_roster, set_cell

from mentordocs.errors import Problem, RosterError
from mentordocs.models import FREQUENCIES, MEETING_DAYS, Goal, Meeting, Pair, Roster
from mentordocs.roster import (
    PROGRAM_SETTINGS,
    SHEETS,
    check_roster,
    derive_schedule,
    load_roster,
    normalize_header,
)

REPO = Path(__file__).resolve().parent.parent


def load_book(tmp_path: Path, book: dict) -> Roster:
    return load_roster(make_roster(tmp_path, book))


# -- types ---------------------------------------------------------------------------------


def test_loader_result_types(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    assert isinstance(roster, Roster)
    program = roster.program
    assert program.start_date == dt.date(2026, 9, 1)
    assert type(program.start_date) is dt.date  # not a datetime
    assert type(program.forms_due) is dt.date
    pair = roster.pair("P01")
    assert isinstance(pair, Pair)
    assert pair.meeting_time == dt.time(15, 30)
    assert pair.meeting_length == 45 and type(pair.meeting_length) is int
    assert type(pair.start_date) is dt.date
    assert pair.row == 2
    goal = pair.goals[0]
    assert isinstance(goal, Goal)
    assert type(goal.target_date) is dt.date
    assert type(goal.number) is int
    meeting = pair.meetings[0]
    assert isinstance(meeting, Meeting)
    assert type(meeting.date) is dt.date and meeting.time == dt.time(15, 30)


def test_text_is_trimmed_and_names_keep_their_letters(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor name", "  Ana   María López \n")
    set_cell(book, "Pairs", 2, "Mentor email", "\tana.lopez@example.org  ")
    set_cell(book, "Pairs", 2, "Meeting place", "  Room 12 ")
    set_cell(book, "Commitments", 2, "Commitment", "  We will be on time.\n  ")
    roster = load_book(tmp_path, book)
    pair = roster.pair("P01")
    assert pair.mentor.name == "Ana María López"
    assert pair.mentor.email == "ana.lopez@example.org"
    assert pair.meeting_place == "Room 12"
    assert pair.mentee.name == "Liam O'Brien"
    assert roster.pair("P02").mentor.name == "Wei Zhang 张伟"
    assert roster.commitments[0].text == "We will be on time."


def test_numbers_typed_in_text_columns_become_text(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Pair ID", 7)
    book["Pairs"][0].append("Mentor phone")
    book["Pairs"][1].append(5550102301)
    for sheet in ("Goals", "Meetings"):
        for row in book[sheet][1:]:
            row[0] = 7
    roster = load_book(tmp_path, book)
    pair = roster.pair("7")
    assert pair.mentor.phone == "5550102301"
    assert [g.pair_id for g in pair.goals] == ["7", "7"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.time(15, 30), dt.time(15, 30)),
        (dt.datetime(1899, 12, 30, 15, 30), dt.time(15, 30)),
        ("15:30", dt.time(15, 30)),
        ("3:30 PM", dt.time(15, 30)),
        ("3:30pm", dt.time(15, 30)),
        ("3 pm", dt.time(15, 0)),
        ("8.15", dt.time(8, 15)),
        ("noon", dt.time(12, 0)),
        (0.6875, dt.time(16, 30)),
    ],
)
def test_times(tmp_path: Path, value: object, expected: dt.time) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting time", value)
    assert load_book(tmp_path, book).pair("P01").meeting_time == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 9, 14, 0, 0), dt.date(2026, 9, 14)),
        (dt.datetime(2026, 9, 14, 10, 30), dt.date(2026, 9, 14)),
        ("2026-09-14", dt.date(2026, 9, 14)),
        ("2026/09/14", dt.date(2026, 9, 14)),
        ("14 Sep 2026", dt.date(2026, 9, 14)),
        ("14 September 2026", dt.date(2026, 9, 14)),
        ("September 14, 2026", dt.date(2026, 9, 14)),
        ("Sept 14th, 2026", dt.date(2026, 9, 14)),
        ("Monday 14 September 2026", dt.date(2026, 9, 14)),
    ],
)
def test_dates(tmp_path: Path, value: object, expected: dt.date) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Start date", value)
    assert load_book(tmp_path, book).pair("P01").start_date == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(45, 45), (45.0, 45), ("45", 45), ("45 min", 45), ("1 hour", 60), ("1.5 hours", 90)],
)
def test_meeting_length(tmp_path: Path, value: object, expected: int) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting length (minutes)", value)
    assert load_book(tmp_path, book).pair("P01").meeting_length == expected


# -- listed values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "attribute", "expected"),
    [
        ("Meeting day", "mon", "meeting_day", "Monday"),
        ("Meeting day", "THURS", "meeting_day", "Thursday"),
        ("Meeting mode", "in-person", "meeting_mode", "In person"),
        ("Meeting mode", "ONLINE", "meeting_mode", "Online"),
        ("Frequency", "Biweekly", "frequency", "Every 2 weeks"),
        ("Frequency", "Fortnightly", "frequency", "Every 2 weeks"),
        ("Frequency", "every 2 weeks", "frequency", "Every 2 weeks"),
        ("Plan type", "mentee focused", "plan_type", "Mentee-focused"),
        ("Plan type", "COACHING", "plan_type", "Coaching"),
        ("Status", "paused", "status", "Paused"),
    ],
)
def test_listed_values_are_stored_in_their_canonical_spelling(
    tmp_path: Path, header: str, value: str, attribute: str, expected: str
) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, header, value)
    assert getattr(load_book(tmp_path, book).pair("P01"), attribute) == expected


# -- defaults ------------------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    program = roster.program
    # Mid-point check blank: halfway between 2026-09-01 and 2027-06-11 (283 days).
    assert program.midpoint == dt.date(2027, 1, 20)
    pair = roster.pair("P01")
    assert pair.plan_type == "Mentee-focused"  # blank
    assert pair.status == "Active" and pair.active  # blank
    assert (pair.start_date, pair.end_date) == (program.start_date, program.end_date)


def test_explicit_midpoint_and_pair_dates(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Program", 8, "Value", "2027-01-15")
    set_cell(book, "Pairs", 3, "Start date", dt.datetime(2027, 1, 11))
    roster = load_book(tmp_path, book)
    assert roster.program.midpoint == dt.date(2027, 1, 15)
    assert roster.pair("P02").start_date == dt.date(2027, 1, 11)
    assert roster.pair("P02").end_date == dt.date(2027, 6, 11)


def test_end_review_setting_blank_is_none_and_a_date_is_read(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    assert roster.program.end_review is None  # no End review row: each pair's end date
    book = base_book()
    book["Program"].insert(8, ["End review", dt.datetime(2027, 6, 4)])
    roster = load_book(tmp_path, book)
    assert roster.program.end_review == dt.date(2027, 6, 4)
    assert roster.warnings == []


def test_end_review_outside_the_program_is_a_warning_with_its_row(tmp_path: Path) -> None:
    book = base_book()
    book["Program"].insert(8, ["End review", dt.datetime(2027, 7, 30)])
    roster = load_book(tmp_path, book)
    assert roster.program.end_review == dt.date(2027, 7, 30)
    [warning] = roster.warnings
    assert (warning.sheet, warning.row, warning.column) == ("Program", 9, "Value")
    assert "end review (2027-07-30) is outside the program's dates" in warning.message
    assert "End review setting" in warning.fix


def test_commitment_area_defaults_to_other(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Commitments", 2, "Area", None)
    assert load_book(tmp_path, book).commitments[0].area == "Other"


# -- extra columns and settings ------------------------------------------------------------


def test_extra_columns_are_kept_by_normalised_header(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0] += ["School", "Dietary needs", "Start Bonus?"]
    book["Pairs"][1] += ["  Lincoln Elementary ", None, 250]
    book["Pairs"][2] += ["Jefferson Middle", "Vegetarian", 300.0]
    book["Goals"][0].append("CSTP standard")
    book["Goals"][1].append("CSTP 4")
    book["Program"].append(["District code", "CV-042"])
    book["Program"].append(["Kick-off date", dt.datetime(2026, 8, 27)])
    roster = load_book(tmp_path, book)
    assert roster.pair("P01").extra == {
        "school": "Lincoln Elementary",
        "dietary_needs": "",
        "start_bonus": 250,
    }
    assert roster.pair("P02").extra == {
        "school": "Jefferson Middle",
        "dietary_needs": "Vegetarian",
        "start_bonus": 300,
    }
    goal = next(g for g in roster.pair("P01").goals if g.row == 2)
    assert goal.extra == {"cstp_standard": "CSTP 4"}
    assert roster.program.extra == {"district_code": "CV-042", "kickoff_date": dt.date(2026, 8, 27)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mentor E-mail", "mentor_email"),
        ("mentor_email", "mentor_email"),
        ("MENTOR  EMAIL", "mentor_email"),
        ("  Mentor email: ", "mentor_email"),
        ("Goal #", "goal_number"),
        ("Meeting length (minutes)", "meeting_length_minutes"),
        ("Mid-point check", "midpoint_check"),
        ("Mentor's school", "mentors_school"),
        ("Dietary needs / allergies", "dietary_needs_allergies"),
        ("École", "école"),
        ("R&D budget", "r_and_d_budget"),
    ],
)
def test_normalize_header(text: str, expected: str) -> None:
    assert normalize_header(text) == expected


# -- goals, meetings, commitments ----------------------------------------------------------


def test_goals_are_sorted_by_number_and_blank_numbers_fill_gaps_in_sheet_order(
    tmp_path: Path,
) -> None:
    book = base_book()
    book["Goals"] = [
        ["Pair ID", "Goal #", "Goal"],
        ["P01", 3, "third"],
        ["P01", None, "first blank"],
        ["P01", None, "second blank"],
        ["P01", 1, "one"],
        ["P02", None, "a"],
        ["P02", None, "b"],
    ]
    roster = load_book(tmp_path, book)
    assert [(g.number, g.goal) for g in roster.pair("P01").goals] == [
        (1, "one"),
        (2, "first blank"),
        (3, "third"),
        (4, "second blank"),
    ]
    assert [(g.number, g.goal) for g in roster.pair("P02").goals] == [(1, "a"), (2, "b")]


def test_meetings_from_the_sheet_are_sorted_and_fill_in_time_and_place(tmp_path: Path) -> None:
    book = base_book()
    book["Meetings"].append(["P01", dt.datetime(2026, 9, 1), None, None, "First"])
    roster = load_book(tmp_path, book)
    meetings = roster.pair("P01").meetings
    assert [m.date for m in meetings] == [
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 8),
        dt.date(2026, 9, 22),
    ]
    assert not any(m.derived for m in meetings)
    assert meetings[0].focus == "First" and meetings[0].row == 4
    assert meetings[2].time == dt.time(15, 30)  # blank: the pair's meeting time
    assert meetings[2].place == "Room 12"  # blank: the pair's meeting place


def test_a_time_typed_in_the_date_cell_is_the_meetings_time(tmp_path: Path) -> None:
    # Excel keeps "2026-09-01 15:30" typed in one cell as a date and time: the time is the
    # meeting's (it was dropped, and the pair's 15:30 default, or an all-day event, used).
    book = base_book()
    book["Meetings"].append(["P01", dt.datetime(2026, 9, 1, 10, 45), None, None, "First"])
    # Excel's stored fraction of a day can come back a microsecond short of the minute.
    book["Meetings"].append(["P01", dt.datetime(2026, 9, 2, 9, 14, 59, 999_999), None, None, ""])
    book["Meetings"].append(["P01", dt.datetime(2026, 9, 3, 8, 0), dt.time(17, 0), None, ""])
    roster = load_book(tmp_path, book)
    times = {m.date: m.time for m in roster.pair("P01").meetings}
    assert times[dt.date(2026, 9, 1)] == dt.time(10, 45)
    assert times[dt.date(2026, 9, 2)] == dt.time(9, 15)
    assert times[dt.date(2026, 9, 8)] == dt.time(15, 30)  # a date alone: as before
    # Both cells hold a time and they differ: the Time column's, with a warning on the date.
    assert times[dt.date(2026, 9, 3)] == dt.time(17, 0)
    [warning] = [w for w in roster.warnings if w.sheet == "Meetings"]
    assert (warning.row, warning.column) == (6, "Date")
    assert "also holds the time 08:00, but the Time column says 17:00" in warning.message


def test_a_date_and_time_typed_as_text_are_read_as_both(tmp_path: Path) -> None:
    # A cell formatted as Text (or a roster pasted from another system) keeps "2026-09-08
    # 10:00" as text: it was refused as "not a date". The date is the meeting's date and the
    # time its time, in the usual spellings.
    book = base_book()
    book["Meetings"].append(["P01", "2026-09-01 10:45", None, None, "First"])
    book["Meetings"].append(["P01", "2 Sep 2026 3:30 PM", None, None, ""])
    book["Meetings"].append(["P01", "2026-09-03T08:00", None, None, ""])
    book["Meetings"].append(["P01", "Friday 4 September 2026 at 9am", None, None, ""])
    book["Meetings"].append(["P01", "2026-09-05 08:00", dt.time(17, 0), None, ""])
    roster = load_book(tmp_path, book)  # no error raised
    times = {m.date: m.time for m in roster.pair("P01").meetings}
    assert times[dt.date(2026, 9, 1)] == dt.time(10, 45)
    assert times[dt.date(2026, 9, 2)] == dt.time(15, 30)
    assert times[dt.date(2026, 9, 3)] == dt.time(8, 0)
    assert times[dt.date(2026, 9, 4)] == dt.time(9, 0)
    assert times[dt.date(2026, 9, 5)] == dt.time(17, 0)
    [warning] = [w for w in roster.warnings if w.sheet == "Meetings"]
    assert "also holds the time 08:00, but the Time column says 17:00" in warning.message


@pytest.mark.parametrize("typed", ["2026-09-01 25:00", "2026-13-01 10:00", "Sep 2026 10:00"])
def test_a_date_and_time_that_is_no_date_and_time_is_still_refused(
    tmp_path: Path, typed: str
) -> None:
    book = base_book()
    book["Meetings"].append(["P01", typed, None, None, ""])
    with pytest.raises(RosterError) as caught:
        load_book(tmp_path, book)
    [error] = caught.value.problems
    assert error.column == "Date" and "is not a date" in error.message


def test_commitments_program_wide_first_then_the_pairs(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    assert [c.text for c in roster.commitments] == ["We will come to every meeting on time."]
    assert [(c.pair_id, c.area) for c in roster.pair("P02").commitments] == [
        ("", "Attendance"),
        ("P02", "Interaction"),
    ]
    assert [c.pair_id for c in roster.pair("P01").commitments] == [""]


def test_calendar(tmp_path: Path) -> None:
    book = base_book()
    book["Calendar"].append([dt.datetime(2026, 11, 1), "Conferences", None])
    roster = load_book(tmp_path, book)
    assert [(c.month, c.task, c.notes) for c in roster.calendar] == [
        ("September", "Set up routines", ""),
        ("October", "Observe a lesson", "Use the observation form"),
        ("November 2026", "Conferences", ""),
    ]


# -- derived schedule ----------------------------------------------------------------------


def test_weekly_schedule() -> None:
    meetings = derive_schedule(
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 30),
        "Thursday",
        "Weekly",
        time=dt.time(8),
        place="Lab",
        pair_id="P9",
    )
    assert [m.date for m in meetings] == [dt.date(2026, 9, d) for d in (3, 10, 17, 24)]
    assert all(
        m.derived and m.time == dt.time(8) and m.place == "Lab" and m.pair_id == "P9"
        for m in meetings
    )


def test_every_two_weeks_schedule_includes_the_start_and_end_days() -> None:
    meetings = derive_schedule(
        dt.date(2026, 9, 3), dt.date(2026, 10, 15), "Thursday", "Every 2 weeks"
    )
    assert [m.date for m in meetings] == [
        dt.date(2026, 9, 3),
        dt.date(2026, 9, 17),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 15),
    ]


def test_monthly_schedule_keeps_the_weekday_of_the_month() -> None:
    # First Tuesday on or after 2026-09-01 is 2026-09-01: every first Tuesday.
    meetings = derive_schedule(dt.date(2026, 9, 1), dt.date(2026, 12, 31), "Tuesday", "Monthly")
    assert [m.date for m in meetings] == [
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 6),
        dt.date(2026, 11, 3),
        dt.date(2026, 12, 1),
    ]
    # Starting mid-month: the third Friday each month.
    meetings = derive_schedule(dt.date(2026, 9, 14), dt.date(2026, 11, 30), "Friday", "Monthly")
    assert [m.date for m in meetings] == [
        dt.date(2026, 9, 18),
        dt.date(2026, 10, 16),
        dt.date(2026, 11, 20),
    ]


def test_monthly_fifth_weekday_becomes_the_last_one() -> None:
    meetings = derive_schedule(dt.date(2026, 9, 29), dt.date(2026, 11, 30), "Tuesday", "Monthly")
    # 2026-09-29 is the fifth Tuesday; October has a fifth (27th), November's last is the 24th.
    assert [m.date for m in meetings] == [
        dt.date(2026, 9, 29),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 24),
    ]


@pytest.mark.parametrize(("day", "frequency"), [("", "Weekly"), ("Monday", ""), ("", "")])
def test_no_day_or_frequency_means_no_derived_meetings(day: str, frequency: str) -> None:
    assert derive_schedule(dt.date(2026, 9, 1), dt.date(2027, 6, 1), day, frequency) == []


def test_pairs_without_meeting_rows_get_a_derived_schedule(tmp_path: Path) -> None:
    roster = load_roster(make_roster(tmp_path))
    p02 = roster.pair("P02")  # Thursday 08:00 every 2 weeks, online, 2026-09-01..2027-06-11
    assert all(m.derived for m in p02.meetings)
    assert p02.meetings[0].date == dt.date(2026, 9, 3)
    assert p02.meetings[-1].date == dt.date(2027, 6, 10)
    assert len(p02.meetings) == 21
    assert {m.place for m in p02.meetings} == {"https://video.example.org/p02"}


def test_pair_with_no_meeting_day_has_no_meetings_and_no_problem(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 3, "Meeting day", None)
    set_cell(book, "Pairs", 3, "Frequency", None)
    path = make_roster(tmp_path, book)
    assert load_roster(path).pair("P02").meetings == []
    assert check_roster(path) == []


# -- control characters and text round trip ------------------------------------------------


def test_vertical_tab_becomes_a_line_break_and_others_are_removed(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Meeting place", "Room 12\x0bback door")
    set_cell(book, "Calendar", 2, "Task", "Set up\x07 routines\x00")
    roster = load_book(tmp_path, book)
    assert roster.pair("P01").meeting_place == "Room 12 back door"  # one-line field
    assert roster.calendar[0].task == "Set up routines"
    assert [(w.sheet, w.row, w.column) for w in roster.warnings] == [
        ("Pairs", 2, "Meeting place"),
        ("Calendar", 2, "Task"),
    ]
    book = base_book()
    set_cell(book, "Commitments", 2, "Commitment", "We will:\x0bbe on time")
    assert load_book(tmp_path, book).commitments[0].text == "We will:\nbe on time"


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32)) + "\x7f\ufffe\uffff",
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() and "_x" not in s and not s.startswith("="))  # openpyxl: "=" = formula


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_TEXT)
def test_text_survives_the_round_trip(tmp_path: Path, text: str) -> None:
    # &, <, quotes, emoji, right-to-left text: what is typed is what templates get (trimmed).
    book = base_book()
    set_cell(book, "Commitments", 2, "Commitment", text + "\n" + text)
    roster = load_book(tmp_path, book)
    assert roster.commitments[0].text == (text + "\n" + text).strip()


@pytest.mark.parametrize(
    "text", ["R&D <team> \"quoted\" 'single'", "مرحبا بكم", "Emoji 🎉 ok", "line one\nline two"]
)
def test_special_text_is_kept(tmp_path: Path, text: str) -> None:
    book = base_book()
    set_cell(book, "Calendar", 2, "Notes", text)
    assert load_book(tmp_path, book).calendar[0].notes == text


# -- errors and warnings -------------------------------------------------------------------


def test_load_roster_raises_with_every_error(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Mentor email", "ana@")
    set_cell(book, "Pairs", 3, "Status", "Sleeping")
    with pytest.raises(RosterError) as caught:
        load_book(tmp_path, book)
    problems = caught.value.problems
    assert [(p.sheet, p.row, p.column, p.severity) for p in problems] == [
        ("Pairs", 2, "Mentor email", "error"),
        ("Pairs", 3, "Status", "error"),
    ]
    assert all(isinstance(p, Problem) and p.file == "roster.xlsx" and p.fix for p in problems)
    message = str(caught.value)
    assert message.startswith("2 problem(s) in the roster:")
    assert "sheet 'Pairs', row 2, column 'Mentor email'" in message


def test_load_roster_raises_for_file_problems(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="File not found"):
        load_roster(tmp_path / "missing.xlsx")


def test_warnings_are_on_the_roster(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Meetings", 3, "Date", dt.datetime(2027, 9, 1))
    roster = load_book(tmp_path, book)
    assert [(w.sheet, w.row, w.column, w.severity) for w in roster.warnings] == [
        ("Meetings", 3, "Date", "warning")
    ]


def test_check_roster_lists_errors_then_warnings(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Meetings", 3, "Date", dt.datetime(2027, 9, 1))  # warning
    set_cell(book, "Calendar", 3, "Task", None)  # error
    problems = check_roster(make_roster(tmp_path, book))
    assert [p.severity for p in problems] == ["error", "warning"]


def test_header_as_written_is_reported(tmp_path: Path) -> None:
    book = base_book()
    book["Pairs"][0][3] = "MENTOR E-MAIL"
    set_cell(book, "Pairs", 2, "MENTOR E-MAIL", "nope")
    problems = check_roster(make_roster(tmp_path, book))
    assert [(p.row, p.column) for p in problems] == [(2, "MENTOR E-MAIL")]


# -- the format is documented and shared ---------------------------------------------------


def test_the_sample_loads(tmp_path: Path) -> None:
    roster = load_roster(REPO / "samples" / "roster.xlsx")
    assert len(roster.pairs) == 12
    assert {p.status for p in roster.pairs} == {"Active", "Paused"}
    assert any(
        p.meeting_mode == "Online" and p.meeting_place.startswith("https://") for p in roster.pairs
    )
    assert {p.plan_type for p in roster.pairs} == {
        "Mentee-focused",
        "Mutual growth",
        "Coaching",
        "Mentee-focused + Coaching",
        "Mutual growth + Coaching",
    }
    assert {c.area for c in roster.commitments} == {
        "Attendance",
        "Participation",
        "Interaction",
        "Other",
    }
    with_goals = [p for p in roster.pairs if p.goals_of("Mentee")]
    assert with_goals and all(1 <= len(p.goals_of("Mentee")) <= 5 for p in with_goals)
    assert all(1 <= len(p.goals_of("Joint")) <= 2 for p in roster.pairs if "Coaching" in p.methods)
    assert any(p.meetings and not p.meetings[0].derived for p in roster.pairs)
    assert any(p.meetings and p.meetings[0].derived for p in roster.pairs)
    assert all("school" in p.extra for p in roster.pairs)
    names = " ".join(p.mentor.name + p.mentee.name for p in roster.pairs)
    for sample in ("'", "张", "ف", "Ол", "अ", "Γ", "é"):
        assert sample in names
    assert roster.warnings == []


def test_docs_describe_every_sheet_column_and_setting() -> None:
    text = (REPO / "docs" / "roster.md").read_text(encoding="utf-8")
    for spec in SHEETS:
        assert f"## {spec.name}" in text
        if spec.name == "Program":  # Setting/Value: its settings are checked below
            continue
        for column in spec.columns:
            assert f"| {column.header} |" in text, column.header
    for setting in PROGRAM_SETTINGS:
        assert f"| {setting.header} |" in text, setting.header
    from mentordocs.mailsettings import SETTINGS

    for mail_setting in SETTINGS:
        assert f"| {mail_setting.name} |" in text, mail_setting.name


# -- properties ----------------------------------------------------------------------------

_DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    start=_DATES,
    days=st.integers(min_value=0, max_value=400),
    day=st.sampled_from(MEETING_DAYS),
    frequency=st.sampled_from(FREQUENCIES),
)
def test_derived_meetings_fall_on_the_day_within_the_dates(
    start: dt.date, days: int, day: str, frequency: str
) -> None:
    end = start + dt.timedelta(days=days)
    dates = [m.date for m in derive_schedule(start, end, day, frequency)]
    assert all(start <= d <= end for d in dates)
    assert all(d.weekday() == MEETING_DAYS.index(day) for d in dates)
    assert dates == sorted(set(dates))
    gaps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    if frequency == "Weekly":
        assert gaps <= {7} and len(dates) >= days // 7
    elif frequency == "Every 2 weeks":
        assert gaps <= {14}
    else:
        assert gaps <= {28, 35} and len({(d.year, d.month) for d in dates}) == len(dates)
    if days >= 6:
        assert dates, "a week or more always holds the meeting day once"


@given(st.text(max_size=30))
def test_normalize_header_ignores_case_and_spacing(text: str) -> None:
    key = normalize_header(text)
    assert normalize_header(text.upper()) == normalize_header(text.lower()) or not text.isascii()
    assert normalize_header(f"  {text}  ") == key
    assert normalize_header(key) == key
    assert key == key.strip("_") and "__" not in key


# -- pair ids that would break folders, files or matching ------------------------------------


def test_a_pair_id_too_long_for_a_file_name_or_named_like_a_packets_file_is_an_error(
    tmp_path: Path,
) -> None:
    book = base_book()
    long_id = "Mentoring pair of " + "Ana López and Ben Okafor " * 3
    set_cell(book, "Pairs", 2, "Pair ID", long_id)
    set_cell(book, "Pairs", 3, "Pair ID", "Manifest.json")
    problems = check_roster(make_roster(tmp_path, book))
    errors = [p for p in problems if p.sheet == "Pairs" and p.column == "Pair ID"]
    assert [(p.sheet, p.row) for p in errors] == [("Pairs", 2), ("Pairs", 3)]
    assert f"is {len(long_id.strip())} characters long" in errors[0].message
    assert "at most 40" in errors[0].message and "'P01'" in errors[0].fix
    assert "file mentordocs keeps in the packets folder" in errors[1].message


def test_a_pair_id_is_the_same_however_its_accents_were_typed(tmp_path: Path) -> None:
    composed, decomposed = "Pé01", unicodedata.normalize("NFD", "Pé01")
    assert composed != decomposed
    book = base_book()
    set_cell(book, "Pairs", 2, "Pair ID", composed)
    for row in book["Goals"][1:] + book["Meetings"][1:]:
        row[0] = decomposed  # typed on another computer
    roster = load_book(tmp_path, book)
    [pair] = [p for p in roster.pairs if p.pair_id == composed]
    assert len(pair.goals) == 2 and len(pair.meetings) == 2
    # and two rows that differ only so are one ID used twice
    set_cell(book, "Pairs", 3, "Pair ID", decomposed)
    problems = check_roster(make_roster(tmp_path, book, name="twice.xlsx"))
    assert any("is used twice" in p.message and p.row == 3 for p in problems)


def test_pair_ids_that_differ_only_in_spaces_or_punctuation_are_an_error(tmp_path: Path) -> None:
    """'P 1' and 'P_1' would share calendar event ids and be mixed up by people and file
    names: the later row is named, and the roster is not used until it is fixed."""
    book = base_book()
    set_cell(book, "Pairs", 2, "Pair ID", "P 1")
    set_cell(book, "Pairs", 3, "Pair ID", "p_1")
    problems = check_roster(make_roster(tmp_path, book))
    [error] = [p for p in problems if p.column == "Pair ID" and p.sheet == "Pairs"]
    assert (error.row, error.severity) == (3, "error")
    assert "'p_1' differs from 'P 1' (row 2) only in spaces or punctuation" in error.message
    assert "differs in its letters or digits" in error.fix
    # IDs that differ in a letter or a digit are fine, punctuation and all
    set_cell(book, "Pairs", 3, "Pair ID", "P_2")
    problems = check_roster(make_roster(tmp_path, book, name="fine.xlsx"))
    assert not [p for p in problems if p.column == "Pair ID" and p.sheet == "Pairs"]


def test_a_header_that_looks_like_a_missing_optional_column_is_warned_about(
    tmp_path: Path,
) -> None:
    """'Meeting plce' for 'Meeting place' would leave every form without its place."""
    book = base_book()
    pairs = book["Pairs"]
    pairs[0] = ["Meeting plce" if h == "Meeting place" else h for h in pairs[0]]
    problems = check_roster(make_roster(tmp_path, book))
    [warning] = [p for p in problems if "looks like the column" in p.message]
    assert (warning.sheet, warning.row, warning.column, warning.severity) == (
        "Pairs",
        1,
        "Meeting plce",
        "warning",
    )
    assert "The column 'Meeting plce' is not one mentordocs reads" in warning.message
    assert "rename it 'Meeting place'" in warning.fix


@pytest.mark.parametrize("header", ["Pair status", "Satus"])
def test_a_header_that_looks_like_the_missing_status_column_is_an_error(
    tmp_path: Path, header: str
) -> None:
    """Read without its Status, every pair is Active: 'Satus' sent Paused and Ended pairs
    their packets after a warning nobody reads ('Note: the roster has 2 warning(s)')."""
    book = base_book()
    pairs = book["Pairs"]
    pairs[0] = [header if h == "Status" else h for h in pairs[0]]
    with pytest.raises(RosterError) as caught:
        load_book(tmp_path, book)
    [error] = [p for p in caught.value.problems if "looks like the column" in p.message]
    assert (error.sheet, error.row, error.column, error.severity) == ("Pairs", 1, header, "error")
    assert "every pair would be Active and get its packet, Paused and Ended ones too" in (
        error.message
    )
    assert "rename it 'Status'" in error.fix


def test_a_setting_that_looks_like_a_missing_one_is_warned_about(tmp_path: Path) -> None:
    """'Forms due back by' for 'Forms due' only reached the templates as program.extra: the
    due date was left off every form without a word. A setting of one's own is fine."""
    book = base_book()
    program = book["Program"]
    row = next(i for i, r in enumerate(program, start=1) if r[0] == "Forms due")
    program[row - 1][0] = "Forms due back by"
    program.append(["Outgoing mail sever", "smtp.example.org"])
    mail_row = len(program)
    program.append(["District code", "NF-01"])
    path = make_roster(tmp_path, book)
    problems = check_roster(path)
    warnings = {p.row: p for p in problems if "looks like the setting" in p.message}
    assert sorted(warnings) == [row, mail_row]
    first = warnings[row]
    assert (first.sheet, first.column, first.severity) == ("Program", "Setting", "warning")
    assert (
        "The setting 'Forms due back by' is not one mentordocs reads (it only reaches your own "
        "templates, as program.extra); it looks like the setting 'Forms due', which is missing"
        in first.message
    )
    assert "rename it 'Forms due' in column A" in first.fix
    assert "'Outgoing mail server'" in warnings[mail_row].message
    assert not [p for p in problems if "District code" in p.message]
    roster = load_roster(path)
    assert roster.program.forms_due is None
    assert roster.program.extra["district_code"] == "NF-01"


@pytest.mark.parametrize(
    ("written", "offered"),
    [("inactive", None), ("Not active", None), ("non-active", None), ("Activ", "Active")],
)
def test_a_status_is_never_offered_as_the_opposite_of_what_was_written(
    tmp_path: Path, written: str, offered: str | None
) -> None:
    """'inactive' is spelled close to 'Active' and means the opposite: no 'Did you mean'."""
    book = base_book()
    set_cell(book, "Pairs", 3, "Status", written)
    [problem] = [p for p in check_roster(make_roster(tmp_path, book)) if p.column == "Status"]
    assert f"'{written}' is not one of the allowed values for Status" in problem.message
    if offered is None:
        assert "Did you mean" not in problem.fix
        assert "Choose one of: Active, Paused, Ended." in problem.fix
    else:
        assert f"Did you mean '{offered}'?" in problem.fix
