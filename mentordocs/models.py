"""The roster as plain dataclasses: what ``load_roster`` returns and the templates see.

Every text value is already trimmed and cleaned of characters Word cannot hold; dates are
``datetime.date``, times ``datetime.time``, numbers ``int``/``float``. ``extra`` keeps the
columns a coordinator added (key: normalised header, e.g. ``"dietary_needs"``) so custom
templates can use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentordocs.errors import Problem

PLAN_TYPES = ("Mentee-focused", "Mutual growth", "Coaching")
MEETING_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MEETING_MODES = ("In person", "Online", "Hybrid")
FREQUENCIES = ("Weekly", "Every 2 weeks", "Monthly")
STATUSES = ("Active", "Paused", "Ended")
HORIZONS = ("Short-term", "Long-term")
COMMITMENT_AREAS = ("Attendance", "Participation", "Interaction", "Other")

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
    extra: Extra = field(default_factory=dict)


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
    _schedule: list[Meeting] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def meetings(self) -> list[Meeting]:
        """The pair's meetings: those listed on the Meetings sheet, else the schedule worked out
        from its dates, meeting day, time and frequency (``derived=True``).

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
) -> list[Meeting]:
    """Meeting dates from ``start`` to ``end`` (both included) on ``day`` at ``frequency``.

    Weekly and Every 2 weeks count from the first ``day`` on or after ``start``. Monthly keeps
    that first meeting's place in its month: if it is the first Tuesday, every meeting is a
    first Tuesday; a fifth weekday becomes the last one in months that have no fifth. No day or
    no frequency: no meetings.
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
    return [Meeting(pair_id=pair_id, date=d, time=time, place=place, derived=True) for d in dates]
