"""The roster as plain dataclasses: what ``load_roster`` returns and the templates see.

Every text value is already trimmed and cleaned of characters Word cannot hold; dates are
``datetime.date``, times ``datetime.time``, numbers ``int``/``float``. ``extra`` keeps the
columns a coordinator added (key: normalised header, e.g. ``"dietary_needs"``) so custom
templates can use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentordocs.errors import Problem

# The three planning methods of Sweeny's "Developing a Mentoring Action Plan"; a pair may use
# more than one ("all three methods might best be used to plan different aspects of your work").
PLAN_METHODS = ("Mentee-focused", "Mutual growth", "Coaching")
PLAN_JOINER = " + "
# The plan types a pair may have: one method, or coaching beside one of the others. Mutual
# growth already holds the mentee-focused plan (the mentee's goals come first), so
# "Mentee-focused + Mutual growth" is simply Mutual growth.
PLAN_TYPES = (
    "Mentee-focused",
    "Mutual growth",
    "Coaching",
    "Mentee-focused + Coaching",
    "Mutual growth + Coaching",
)
WHOSE_GOALS = ("Mentee", "Mentor", "Joint")  # whose goal a row of the Goals sheet is
PAPER_SIZES = ("A4", "Letter")
MEETING_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MEETING_MODES = ("In person", "Online", "Hybrid")
FREQUENCIES = ("Weekly", "Every 2 weeks", "Monthly")
STATUSES = ("Active", "Paused", "Ended")
HORIZONS = ("Short-term", "Long-term")
COMMITMENT_AREAS = ("Attendance", "Participation", "Interaction", "Other")


def plan_type_of(methods: Iterable[str]) -> str:
    """The plan type using ``methods`` (each one of PLAN_METHODS), as PLAN_TYPES spells it:
    in PLAN_METHODS order, Mentee-focused left out beside Mutual growth (which holds it)."""
    chosen = set(methods)
    if "Mutual growth" in chosen:
        chosen.discard("Mentee-focused")
    return PLAN_JOINER.join(method for method in PLAN_METHODS if method in chosen)


def plan_methods(plan_type: str) -> tuple[str, ...]:
    """The methods of a plan type (``"Mutual growth + Coaching"``: both); an unknown or blank
    one is Mentee-focused."""
    methods = tuple(m for m in plan_type.split(PLAN_JOINER.strip()) if m.strip() in PLAN_METHODS)
    return tuple(m.strip() for m in methods) or ("Mentee-focused",)


# Any: a coordinator's own columns hold whatever Excel holds (text, numbers, dates, times).
Extra = dict[str, Any]


@dataclass(slots=True)
class Person:
    name: str
    email: str
    role: str = ""
    phone: str = ""


@dataclass(slots=True)
class Program:
    name: str
    coordinator_name: str
    coordinator_email: str
    start_date: dt.date
    end_date: dt.date
    midpoint: dt.date  # "Mid-point check"; defaults to halfway between start and end
    organization: str = ""
    forms_due: dt.date | None = None
    standards: str = ""
    signed_copies_to: str = ""
    paper_size: str = "A4"  # one of PAPER_SIZES: the page size of the forms
    extra: Extra = field(default_factory=dict)
    # "End review": when the end-of-program review is due; None (blank) = each pair's end date.
    end_review: dt.date | None = None
    # The Excel row of every setting, by its name as written in column A (for messages).
    setting_rows: dict[str, int] = field(default_factory=dict)


def midpoint_of(program: Program, pair: Pair) -> dt.date:
    """The pair's mid-point check: the program's, or the middle of the pair's own dates when
    the program's falls outside them."""
    if (pair.start_date, pair.end_date) == (program.start_date, program.end_date):
        return program.midpoint
    if pair.start_date <= program.midpoint <= pair.end_date:
        return program.midpoint
    return pair.start_date + (pair.end_date - pair.start_date) / 2


def forms_due_of(program: Program, pair: Pair) -> dt.date | None:
    """When the pair's first forms are due back: the Forms due setting; for a pair that starts
    after it (one that joined late), as long after the pair's start as the setting is after
    the program's."""
    due = program.forms_due
    if due is None or due >= pair.start_date:
        return due
    return pair.start_date + max(due - program.start_date, dt.timedelta(0))


def end_review_of(program: Program, pair: Pair) -> dt.date:
    """The pair's end review: the program's "End review" setting when it falls within the
    pair's dates, else the pair's end date."""
    review = program.end_review
    if review is not None and pair.start_date <= review <= pair.end_date:
        return review
    return pair.end_date


@dataclass(slots=True)
class Goal:
    pair_id: str
    number: int  # "Goal #"; numbered 1.. in sheet order where blank
    goal: str
    horizon: str = ""  # one of HORIZONS or ""
    mentor_support: str = ""
    mentee_accountable: str = ""
    measure: str = ""
    target_date: dt.date | None = None
    extra: Extra = field(default_factory=dict)
    row: int = 0  # Excel row in the Goals sheet
    whose: str = "Mentee"  # one of WHOSE_GOALS: the mentee's, the mentor's own, or set jointly


@dataclass(slots=True)
class Meeting:
    pair_id: str
    date: dt.date
    time: dt.time | None = None
    place: str = ""
    focus: str = ""
    derived: bool = False  # True when computed from the pair's day/time/frequency
    row: int = 0  # Excel row in the Meetings sheet (0 when derived)


@dataclass(slots=True)
class Commitment:
    pair_id: str  # "" for a program-wide commitment
    area: str  # one of COMMITMENT_AREAS
    text: str
    row: int = 0


@dataclass(slots=True)
class CalendarItem:
    month: str
    task: str
    notes: str = ""
    row: int = 0


@dataclass(slots=True)
class Break:
    """A school holiday or closure, first and last day included: no meeting is worked out in it."""

    name: str
    first_day: dt.date
    last_day: dt.date
    row: int = 0  # Excel row in the Breaks sheet

    def __contains__(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(slots=True)
class Pair:
    pair_id: str
    mentor: Person
    mentee: Person
    start_date: dt.date  # defaults to the program's
    end_date: dt.date  # defaults to the program's
    plan_type: str = "Mentee-focused"
    meeting_day: str = ""
    meeting_time: dt.time | None = None
    meeting_length: int | None = None  # minutes
    meeting_mode: str = ""
    meeting_place: str = ""
    frequency: str = ""
    cancellation_plan: str = ""
    informal_contact: str = ""
    status: str = "Active"
    goals: list[Goal] = field(default_factory=list)
    listed_meetings: list[Meeting] = field(default_factory=list)  # rows of the Meetings sheet
    commitments: list[Commitment] = field(default_factory=list)  # program-wide + this pair's
    extra: Extra = field(default_factory=dict)
    row: int = 0  # Excel row in the Pairs sheet
    breaks: list[Break] = field(default_factory=list)  # the program's: no meetings worked out
    _schedule: list[Meeting] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def methods(self) -> tuple[str, ...]:
        """The planning methods of the pair's plan type (``plan_methods``)."""
        return plan_methods(self.plan_type)

    def goals_of(self, whose: str) -> list[Goal]:
        """The pair's goals of one kind ("Mentee", "Mentor" or "Joint"), in number order."""
        return [goal for goal in self.goals if goal.whose == whose]

    @property
    def meetings(self) -> list[Meeting]:
        """The pair's meetings: those listed on the Meetings sheet, else the schedule worked out
        from its dates, meeting day, time and frequency (``derived=True``), leaving out every
        date in one of its ``breaks``.

        The schedule is worked out the first time it is asked for, not when the roster loads,
        so a roster of thousands of pairs stays small until each pair's packet is made.
        """
        if self.listed_meetings:
            return self.listed_meetings
        if self._schedule is None:
            self._schedule = derive_schedule(
                self.start_date,
                self.end_date,
                self.meeting_day,
                self.frequency,
                time=self.meeting_time,
                place=self.meeting_place,
                pair_id=self.pair_id,
                breaks=self.breaks,
            )
        return self._schedule

    @meetings.setter
    def meetings(self, value: list[Meeting]) -> None:
        self.listed_meetings = list(value)
        self._schedule = None


@dataclass(slots=True)
class Roster:
    path: Path
    program: Program
    pairs: list[Pair]
    calendar: list[CalendarItem] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)  # program-wide only
    warnings: list[Problem] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)  # the Breaks sheet, in date order

    def pair(self, pair_id: str) -> Pair:
        for candidate in self.pairs:
            if candidate.pair_id == pair_id:
                return candidate
        raise KeyError(pair_id)


def derive_schedule(
    start: dt.date,
    end: dt.date,
    day: str,
    frequency: str,
    *,
    time: dt.time | None = None,
    place: str = "",
    pair_id: str = "",
    breaks: Iterable[Break] = (),
) -> list[Meeting]:
    """Meeting dates from ``start`` to ``end`` (both included) on ``day`` at ``frequency``.

    Weekly and Every 2 weeks count from the first ``day`` on or after ``start``. Monthly keeps
    that first meeting's place in its month: if it is the first Tuesday, every meeting is a
    first Tuesday; a fifth weekday becomes the last one in months that have no fifth. No day or
    no frequency: no meetings. A date inside one of ``breaks`` is left out (the rhythm goes on
    after it: every 2 weeks stays on the same weeks).
    """
    if day not in MEETING_DAYS or frequency not in FREQUENCIES or end < start:
        return []
    weekday = MEETING_DAYS.index(day)
    first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    dates: list[dt.date] = []
    if frequency in ("Weekly", "Every 2 weeks"):
        step = dt.timedelta(days=7 if frequency == "Weekly" else 14)
        current = first
        while current <= end:
            dates.append(current)
            current += step
    else:
        ordinal = (first.day - 1) // 7  # 0 = first, 4 = fifth
        year, month = first.year, first.month
        while True:
            weeks = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
            current = dt.date(year, month, weeks[min(ordinal, len(weeks) - 1)])
            if current > end:
                break
            if current >= start:
                dates.append(current)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    closed = tuple(breaks)
    return [
        Meeting(pair_id=pair_id, date=d, time=time, place=place, derived=True)
        for d in dates
        if not any(d in closure for closure in closed)
    ]
