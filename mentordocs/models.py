"""The roster as plain dataclasses: what ``load_roster`` returns and the templates see.

Every text value is already trimmed and cleaned of characters Word cannot hold; dates are
``datetime.date``, times ``datetime.time``, numbers ``int``/``float``. ``extra`` keeps the
columns a coordinator added (key: normalised header, e.g. ``"dietary_needs"``) so custom
templates can use them.
"""

from __future__ import annotations

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
    extra: dict[str, Any] = field(default_factory=dict)


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
    extra: dict[str, Any] = field(default_factory=dict)
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
    meetings: list[Meeting] = field(default_factory=list)  # from the sheet, else derived
    commitments: list[Commitment] = field(default_factory=list)  # program-wide + this pair's
    extra: dict[str, Any] = field(default_factory=dict)
    row: int = 0  # Excel row in the Pairs sheet

    @property
    def active(self) -> bool:
        return self.status == "Active"


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
