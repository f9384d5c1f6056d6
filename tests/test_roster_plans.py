"""The roster for every plan: plan types that combine methods, whose goal a goal is, school
breaks that worked-out schedules skip, and the paper size the forms print on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_roster_kit import base_book, make_roster, set_cell

from mentordocs.cli import cli
from mentordocs.models import PLAN_TYPES, Break, derive_schedule, plan_methods, plan_type_of
from mentordocs.roster import check_roster, load_roster


def warnings_of(path: Path) -> list[str]:
    return [str(p) for p in check_roster(path) if p.severity == "warning"]


def errors_of(path: Path) -> list[str]:
    return [str(p) for p in check_roster(path) if p.severity == "error"]


# -- plan types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Mutual growth + Coaching", "Mutual growth + Coaching"),
        ("coaching + mutual growth", "Mutual growth + Coaching"),
        ("Coaching and mutual", "Mutual growth + Coaching"),
        ("Mentee focused, coaching", "Mentee-focused + Coaching"),
        ("Coaching & Mentee-focused", "Mentee-focused + Coaching"),
        ("Mentee-focused + Mutual growth", "Mutual growth"),  # mutual growth holds it
        ("Mentee-focused / Mutual growth / Coaching", "Mutual growth + Coaching"),
        ("Coaching+Coaching", "Coaching"),
    ],
)
def test_a_plan_type_may_join_methods(tmp_path: Path, written: str, expected: str) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Plan type", written)
    pair = load_roster(make_roster(tmp_path, book)).pair("P01")
    assert pair.plan_type == expected
    assert pair.plan_type in PLAN_TYPES
    assert pair.methods == tuple(expected.split(" + "))


def test_an_unknown_method_in_a_plan_type_is_named(tmp_path: Path) -> None:
    book = base_book()
    set_cell(book, "Pairs", 2, "Plan type", "Coaching + Peer review")
    [error] = errors_of(make_roster(tmp_path, book))
    assert "'Peer review' in 'Coaching + Peer review' is not a plan method" in error
    assert "Mutual growth + Coaching" in error


def test_plan_type_helpers() -> None:
    assert plan_methods("Mutual growth + Coaching") == ("Mutual growth", "Coaching")
    assert plan_methods("") == ("Mentee-focused",)
    assert plan_type_of(["Coaching", "Mentee-focused"]) == "Mentee-focused + Coaching"
    assert {plan_type_of(plan_methods(t)) for t in PLAN_TYPES} == set(PLAN_TYPES)


# -- whose goal ------------------------------------------------------------------------------


def goals_book() -> dict:
    book = base_book()
    book["Goals"] = [
        ["Pair ID", "Goal #", "Goal", "Whose goal"],
        ["P02", None, "Mentee one", None],
        ["P02", None, "Mentor one", "Mentor"],
        ["P02", None, "Mentee two", "mentee"],
        ["P02", 2, "Mentor two", "MENTOR"],
        ["P02", None, "Ours", "Joint"],
    ]
    set_cell(book, "Pairs", 3, "Plan type", "Mutual growth + Coaching")
    return book


def test_whose_goal_defaults_to_the_mentee_and_each_kind_is_numbered_from_one(
    tmp_path: Path,
) -> None:
    path = make_roster(tmp_path, goals_book())
    pair = load_roster(path).pair("P02")
    assert [(g.whose, g.number, g.goal) for g in pair.goals] == [
        ("Mentee", 1, "Mentee one"),
        ("Mentee", 2, "Mentee two"),
        ("Mentor", 1, "Mentor one"),
        ("Mentor", 2, "Mentor two"),
        ("Joint", 1, "Ours"),
    ]
    assert [g.goal for g in pair.goals_of("Mentor")] == ["Mentor one", "Mentor two"]
    assert warnings_of(path) == []


def test_two_goals_of_one_kind_may_not_share_a_number(tmp_path: Path) -> None:
    book = goals_book()
    book["Goals"].append(["P02", 2, "Mentor three", "Mentor"])
    [error] = errors_of(make_roster(tmp_path, book))
    assert "Pair P02 has two mentor goals numbered 2 (rows 5 and 7)" in error


def test_a_goal_that_does_not_fit_the_plan_type_is_shown_with_a_warning(tmp_path: Path) -> None:
    book = goals_book()
    set_cell(book, "Pairs", 3, "Plan type", "Mentee-focused")
    path = make_roster(tmp_path, book)
    found = warnings_of(path)
    assert len(found) == 3  # two mentor's goals and a joint goal
    assert "row 3, column 'Whose goal': Pair P02 has a mentor's goal, but its plan type" in found[0]
    assert "Mentee-focused + Mutual growth" in found[0]
    assert "a joint goal" in found[2] and "Mentee-focused + Coaching" in found[2]
    assert len(load_roster(path).pair("P02").goals_of("Joint")) == 1


def test_an_unknown_whose_goal_is_an_error(tmp_path: Path) -> None:
    book = goals_book()
    book["Goals"][1][3] = "Principal"
    [error] = errors_of(make_roster(tmp_path, book))
    assert "'Principal' is not one of the allowed values for Whose goal" in error
    assert "Mentee, Mentor, Joint" in error


# -- breaks ----------------------------------------------------------------------------------

WINTER = Break("Winter break", dt.date(2026, 12, 21), dt.date(2027, 1, 1))


def test_a_worked_out_schedule_skips_every_meeting_in_a_break() -> None:
    weekly = derive_schedule(
        dt.date(2026, 12, 1), dt.date(2027, 1, 31), "Tuesday", "Weekly", breaks=[WINTER]
    )
    days = [m.date for m in weekly]
    assert dt.date(2026, 12, 15) in days and dt.date(2027, 1, 5) in days
    assert not any(day in WINTER for day in days)
    assert len(days) == 9 - 2  # 22 and 29 December left out
    fortnightly = derive_schedule(
        dt.date(2026, 12, 1), dt.date(2027, 1, 31), "Tuesday", "Every 2 weeks", breaks=[WINTER]
    )
    # the rhythm goes on after the break: the same weeks as without it
    assert [m.date.isoformat() for m in fortnightly] == [
        "2026-12-01",
        "2026-12-15",
        "2027-01-12",
        "2027-01-26",
    ]


def test_the_breaks_sheet(tmp_path: Path) -> None:
    book = base_book()
    book["Breaks"] = [
        ["Name", "First day", "Last day"],
        ["Winter break", dt.datetime(2026, 12, 21), dt.datetime(2027, 1, 1)],
        ["Thanksgiving", dt.datetime(2026, 11, 25), dt.datetime(2026, 11, 27)],
        [None, dt.datetime(2026, 10, 12), None],
    ]
    path = make_roster(tmp_path, book)
    roster = load_roster(path)
    assert [(b.name, b.first_day.isoformat(), b.last_day.isoformat()) for b in roster.breaks] == [
        ("Break", "2026-10-12", "2026-10-12"),
        ("Thanksgiving", "2026-11-25", "2026-11-27"),
        ("Winter break", "2026-12-21", "2027-01-01"),
    ]
    p02 = roster.pair("P02")  # Thursdays, every 2 weeks, from 3 September
    days = {m.date for m in p02.meetings}
    assert dt.date(2026, 11, 26) not in days  # Thanksgiving
    assert dt.date(2026, 12, 10) in days and dt.date(2027, 1, 7) in days
    assert not any(day in b for b in roster.breaks for day in days)
    assert warnings_of(path) == []


def test_check_warns_about_a_listed_meeting_in_a_break(tmp_path: Path) -> None:
    book = base_book()
    book["Holidays"] = [["Break", "From", "To"], ["Fall break", dt.datetime(2026, 9, 21), None]]
    result = CliRunner().invoke(cli, ["check", str(make_roster(tmp_path, book))])
    assert result.exit_code == 0, result.output
    assert (
        "sheet 'Meetings', row 3, column 'Date': The meeting on 2026-09-22 falls in Fall break "
        "(2026-09-21 to 2026-09-21, Breaks sheet row 2)" not in result.output
    )
    book["Holidays"][1][2] = dt.datetime(2026, 9, 25)
    result = CliRunner().invoke(cli, ["check", str(make_roster(tmp_path, book))])
    assert result.exit_code == 0, result.output
    assert (
        "sheet 'Meetings', row 3, column 'Date': The meeting on 2026-09-22 falls in Fall break "
        "(2026-09-21 to 2026-09-25, Breaks sheet row 2). Fix: Move the meeting" in result.output
    )


def test_a_break_ending_before_it_starts_is_an_error(tmp_path: Path) -> None:
    book = base_book()
    book["Breaks"] = [
        ["Name", "First day", "Last day"],
        ["Spring", dt.datetime(2027, 4, 2), dt.datetime(2027, 3, 29)],
    ]
    [error] = errors_of(make_roster(tmp_path, book))
    assert "sheet 'Breaks', row 2, column 'Last day': The break ends (2027-03-29)" in error


# -- paper size ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (None, "A4"),
        ("Letter", "Letter"),
        ("US Letter", "Letter"),
        ("a4", "A4"),
        ("8.5x11", "Letter"),
    ],
)
def test_paper_size(tmp_path: Path, written: str | None, expected: str) -> None:
    book = base_book()
    book["Program"].append(["Paper size", written])
    assert load_roster(make_roster(tmp_path, book)).program.paper_size == expected


def test_an_unknown_paper_size_is_an_error(tmp_path: Path) -> None:
    book = base_book()
    book["Program"].append(["Paper", "Legal"])
    [error] = errors_of(make_roster(tmp_path, book))
    assert "'Legal' is not one of the allowed values for Paper size" in error
    assert "Choose one of: A4, Letter." in error


def test_the_calendar_file_has_no_meeting_in_a_break() -> None:
    import icalendar

    from mentordocs.generate.ics import pair_calendar

    roster = load_roster(Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx")
    pair = roster.pair("P11")  # weekly, on Thursdays, its dates worked out
    assert pair.frequency == "Weekly" and not pair.listed_meetings
    calendar = icalendar.Calendar.from_ical(pair_calendar(roster, pair))
    days = [event.decoded("DTSTART") for event in calendar.walk("VEVENT")]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in days]
    winter = next(b for b in roster.breaks if b.name == "Winter break")
    assert days and not [d for d in days if d in winter]
    # nine Thursdays in December and January, less 24 and 31 December; and the mid-point check
    assert len([d for d in days if dt.date(2026, 12, 1) <= d <= dt.date(2027, 1, 31)]) == 7 + 1
    assert roster.program.end_review in days  # the end review, the sample's End review setting
