"""The variables every form template sees: ``build_context(roster, pair)``.

The context holds plain dicts, lists, str, int, float and bool only (it crosses process
boundaries when ``generate --jobs`` runs), with every roster text exactly as the roster gives it:
the renderer escapes XML, so nothing here is pre-escaped. Dates come four ways: ``start_date``
("1 September 2026", the way the forms' date pickers show a date), ``start_date_long``
("Tuesday 1 September 2026"), ``start_date_iso`` ("2026-09-01") and ``start_date_full``
("2026-09-01T00:00:00Z", the value of a date picker's ``w:fullDate``); an absent date is "".

Top-level names: ``program``, ``pair``, ``mentor``, ``mentee``, ``goals`` (the mentee's goals),
``goal_slots`` (the mentee's goals padded with empty slots to 5: the goal sheet),
``plan_goals`` (the first 5 slots), ``mentor_goals`` / ``mentor_goal_slots`` and
``joint_goals`` / ``joint_goal_slots`` (the mentor's own and the joint goals, padded to 2),
``commitments`` (by area: the roster's, then empty slots), ``meetings``, ``breaks``,
``calendar``, ``plan`` (the plan's methods and which sections the forms show), ``page`` (the
paper size). See docs/forms.md for every key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mentordocs.models import (
    COMMITMENT_AREAS,
    PLAN_TYPES,
    Break,
    CalendarItem,
    Commitment,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Roster,
    plan_methods,
)

# Any: a context maps names to plain values of whatever kind the templates use (text, numbers,
# dates as text, lists and dicts of them).
TemplateContext = dict[str, Any]

REQUIRED_GOALS = 3  # pairs set 3 to 5 goals: slots past the third are optional when empty
GOAL_SLOTS = (
    5  # both forms offer at least this many goal slots (the goal sheet more if the roster has)
)
MAX_PLAN_GOALS = 5  # the action plan shows exactly this many goal slots
EMPTY_COMMITMENT_SLOTS = 2  # empty "We will ..." slots after the roster's, per area
SHARED_GOAL_SLOTS = 2  # slots for the mentor's own goals, and for joint (coaching) goals
# Page width and height in twentieths of a point (w:pgSz), by the Paper size setting.
PAGE_SIZES = {"A4": (11906, 16838), "Letter": (12240, 15840)}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_date(value: dt.date | None) -> str:
    """``1 September 2026`` (the date pickers' own format), or "" for no date."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_date_long(value: dt.date | None) -> str:
    """``Tuesday 1 September 2026``, or "" for no date."""
    if value is None:
        return ""
    return f"{_DAYS[value.weekday()]} {format_date(value)}"


def format_time(value: dt.time | None) -> str:
    """``15:30``, or "" for no time."""
    return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def _dates(out: TemplateContext, name: str, value: dt.date | None) -> None:
    out[name] = format_date(value)
    out[f"{name}_long"] = format_date_long(value)
    out[f"{name}_iso"] = value.isoformat() if value is not None else ""
    out[f"{name}_full"] = f"{value.isoformat()}T00:00:00Z" if value is not None else ""


def _plain(value: object) -> object:
    """An extra column's value as str/int/float/bool (dates formatted like the others)."""
    if value is None:
        return ""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return f"{format_date(value.date())} {format_time(value.time())}"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    return str(value)


def _extras(extra: TemplateContext) -> TemplateContext:
    return {key: _plain(value) for key, value in extra.items()}


def _person(person: Person) -> TemplateContext:
    return {"name": person.name, "role": person.role, "email": person.email, "phone": person.phone}


def program_context(program: Program) -> TemplateContext:
    """The ``program`` variable: the same for every pair, so a caller may build it once."""
    out: TemplateContext = {
        "name": program.name,
        "organization": program.organization,
        "coordinator": {"name": program.coordinator_name, "email": program.coordinator_email},
        "coordinator_name": program.coordinator_name,
        "coordinator_email": program.coordinator_email,
        "standards": program.standards,
        "signed_copies_to": program.signed_copies_to,
        "paper_size": program.paper_size,
        "extra": _extras(program.extra),
    }
    _dates(out, "start_date", program.start_date)
    _dates(out, "end_date", program.end_date)
    _dates(out, "midpoint", program.midpoint)
    _dates(out, "forms_due", program.forms_due)
    return out


def _goal(goal: Goal | None, number: int, whose: str = "Mentee") -> TemplateContext:
    if goal is None:
        out: TemplateContext = {
            "number": number,
            "whose": whose,
            "goal": "",
            "horizon": "",
            "mentor_support": "",
            "mentee_accountable": "",
            "measure": "",
            "extra": {},
            "prefilled": False,
        }
        _dates(out, "target_date", None)
        return out
    out = {
        "number": number,
        "whose": goal.whose,
        "goal": goal.goal,
        "horizon": goal.horizon,
        "mentor_support": goal.mentor_support,
        "mentee_accountable": goal.mentee_accountable,
        "measure": goal.measure,
        "extra": _extras(goal.extra),
        "prefilled": True,
    }
    _dates(out, "target_date", goal.target_date)
    return out


def _goal_slots(
    goals: list[Goal], whose: str, at_least: int, required: int = 0
) -> tuple[list[TemplateContext], list[TemplateContext]]:
    """One kind of goal: the roster's (numbered by their Goal #) and the slots a form shows,
    the roster's then empty ones up to ``at_least``, each with its ``slot`` (the number in
    its field ids) and ``optional`` (an empty slot past the ``required`` first ones)."""
    given = [_goal(goal, goal.number or index) for index, goal in enumerate(goals, start=1)]
    slots = list(given)
    while len(slots) < at_least:
        slots.append(_goal(None, len(slots) + 1, whose))
    for index, slot in enumerate(slots, start=1):
        slot["slot"] = index
        slot["optional"] = index > required and not slot["prefilled"]
    return given, slots


def _break(item: Break) -> TemplateContext:
    out: TemplateContext = {"name": item.name, "one_day": item.first_day == item.last_day}
    _dates(out, "first_day", item.first_day)
    _dates(out, "last_day", item.last_day)
    return out


def plan_context(pair: Pair) -> TemplateContext:
    """The ``plan`` variable: the plan type, its methods, a flag per method, and which goal
    sections the forms show (a kind of goal the roster gives the pair shows whatever the plan
    type)."""
    methods = pair.methods
    mentee_focused = "Mentee-focused" in methods
    mutual_growth = "Mutual growth" in methods
    coaching = "Coaching" in methods
    return {
        "type": pair.plan_type,
        "methods": list(methods),
        "combined": len(methods) > 1,
        "mentee_focused": mentee_focused,
        "mutual_growth": mutual_growth,
        "coaching": coaching,
        "mentee_goals": mentee_focused or mutual_growth or bool(pair.goals_of("Mentee")),
        "mentor_goals": mutual_growth or bool(pair.goals_of("Mentor")),
        "joint_goals": coaching or bool(pair.goals_of("Joint")),
    }


def page_context(program: Program) -> TemplateContext:
    """The ``page`` variable: the paper size and its width and height in twips (w:pgSz)."""
    size = program.paper_size if program.paper_size in PAGE_SIZES else "A4"
    width, height = PAGE_SIZES[size]
    return {"size": size, "width": width, "height": height}


def _meeting(meeting: Meeting, number: int) -> TemplateContext:
    out: TemplateContext = {
        "number": number,
        "time": format_time(meeting.time),
        "place": meeting.place,
        "focus": meeting.focus,
        "derived": meeting.derived,
        "weekday": _DAYS[meeting.date.weekday()],
    }
    _dates(out, "date", meeting.date)
    return out


def _calendar(items: list[CalendarItem]) -> list[TemplateContext]:
    out: list[TemplateContext] = []
    previous_month = None
    for number, item in enumerate(items, start=1):
        out.append(
            {
                "number": number,
                "month": item.month,
                "task": item.task,
                "notes": item.notes,
                "first_in_month": item.month != previous_month,
            }
        )
        previous_month = item.month
    return out


def _commitments(commitments: list[Commitment]) -> dict[str, list[TemplateContext]]:
    """By area key ("attendance", ...): the roster's commitments, then empty slots, numbered."""
    by_area: dict[str, list[TemplateContext]] = {area.lower(): [] for area in COMMITMENT_AREAS}
    for commitment in commitments:
        key = commitment.area.lower()
        rows = by_area.setdefault(key, [])
        rows.append(
            {
                "number": len(rows) + 1,
                "text": commitment.text,
                "program_wide": commitment.pair_id == "",
            }
        )
    for rows in by_area.values():
        for _ in range(EMPTY_COMMITMENT_SLOTS):
            rows.append({"number": len(rows) + 1, "text": "", "program_wide": False})
    return by_area


def _meeting_summary(pair: Pair) -> str:
    """``Every 2 weeks on Tuesday at 15:30, 45 minutes``, from whatever the roster gives."""
    parts: list[str] = []
    if pair.frequency:
        parts.append(pair.frequency)
    if pair.meeting_day:
        parts.append(f"on {pair.meeting_day}" if parts else f"{pair.meeting_day}s")
    if pair.meeting_time is not None:
        parts.append(f"at {format_time(pair.meeting_time)}")
    text = " ".join(parts)
    if pair.meeting_length:
        text = (
            f"{text}, {pair.meeting_length} minutes" if text else f"{pair.meeting_length} minutes"
        )
    return text


def pair_context(pair: Pair) -> TemplateContext:
    """The ``pair`` variable."""
    out: TemplateContext = {
        "id": pair.pair_id,
        "pair_id": pair.pair_id,
        "plan_type": pair.plan_type,
        "status": pair.status,
        "meeting_day": pair.meeting_day,
        "meeting_time": format_time(pair.meeting_time),
        "meeting_length": pair.meeting_length if pair.meeting_length is not None else "",
        "meeting_length_text": f"{pair.meeting_length} minutes" if pair.meeting_length else "",
        "meeting_mode": pair.meeting_mode,
        "meeting_place": pair.meeting_place,
        "frequency": pair.frequency,
        "meeting_summary": _meeting_summary(pair),
        "cancellation_plan": pair.cancellation_plan,
        "informal_contact": pair.informal_contact,
        "extra": _extras(pair.extra),
    }
    _dates(out, "start_date", pair.start_date)
    _dates(out, "end_date", pair.end_date)
    return out


def build_context(
    roster: Roster, pair: Pair, program: TemplateContext | None = None
) -> TemplateContext:
    """Every variable the form templates see for ``pair``.

    ``program`` may be passed in (``program_context(roster.program)``) when building many
    contexts, since it is the same for every pair.
    """
    goals, slots = _goal_slots(pair.goals_of("Mentee"), "Mentee", GOAL_SLOTS, REQUIRED_GOALS)
    mentor_goals, mentor_slots = _goal_slots(
        pair.goals_of("Mentor"), "Mentor", SHARED_GOAL_SLOTS, 1
    )
    joint_goals, joint_slots = _goal_slots(pair.goals_of("Joint"), "Joint", SHARED_GOAL_SLOTS, 1)
    return {
        "program": program if program is not None else program_context(roster.program),
        "pair": pair_context(pair),
        "mentor": _person(pair.mentor),
        "mentee": _person(pair.mentee),
        "goals": goals,
        "goal_slots": slots,
        "plan_goals": slots[:MAX_PLAN_GOALS],
        "mentor_goals": mentor_goals,
        "mentor_goal_slots": mentor_slots,
        "joint_goals": joint_goals,
        "joint_goal_slots": joint_slots,
        "commitments": _commitments(pair.commitments),
        "meetings": [_meeting(m, n) for n, m in enumerate(pair.meetings, start=1)],
        "breaks": [
            _break(b)
            for b in pair.breaks
            if b.last_day >= pair.start_date and b.first_day <= pair.end_date
        ],
        "calendar": _calendar(roster.calendar),
        "plan": plan_context(pair),
        "page": page_context(roster.program),
    }


def representative_pairs(roster: Roster, limit: int = 12) -> list[Pair]:
    """A few pairs that between them show every variant of the forms.

    The first pair of each plan type, the pairs with the most and the fewest goals, meetings
    and commitments, then the first pairs in order, up to ``limit`` (used by ``templates check
    --roster``, where rendering every pair of a big roster would add nothing).
    """
    chosen: list[Pair] = []

    def take(pair: Pair | None) -> None:
        if pair is not None and all(pair is not other for other in chosen):
            chosen.append(pair)

    pairs = roster.pairs
    for plan_type in sorted({pair.plan_type for pair in pairs}):
        take(next(pair for pair in pairs if pair.plan_type == plan_type))
    for key in (
        lambda pair: len(pair.goals),
        lambda pair: len(pair.meetings),
        lambda pair: len(pair.commitments),
    ):
        if pairs:
            take(max(pairs, key=key))
            take(min(pairs, key=key))
    for pair in pairs:
        if len(chosen) >= limit:
            break
        take(pair)
    return chosen


def sample_roster() -> Roster:
    """A small built-in roster (one pair per plan type, combined ones too) for ``templates
    check`` and tests."""
    program = Program(
        name="Northfield Schools New Teacher Mentoring",
        coordinator_name="Dana Whitfield",
        coordinator_email="dana.whitfield@example.org",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 6, 30),
        midpoint=dt.date(2027, 1, 29),
        organization="Northfield School District",
        forms_due=dt.date(2026, 9, 18),
        standards="the state's educator standards",
        signed_copies_to="the Mentoring Committee, mentoring@example.org",
        extra={"district_code": "NF-01"},
    )
    calendar = [
        CalendarItem("September", "Tour the building and meet key colleagues", "First week"),
        CalendarItem("September", "Agree our terms of engagement and sign the forms"),
        CalendarItem("October", "Observe a lesson together and talk it through"),
        CalendarItem("November", "Plan for parent conferences"),
        CalendarItem("January", "Mid-point check: review goals and progress"),
        CalendarItem("May", "Look back on the year and celebrate"),
    ]
    program_wide = [
        Commitment("", "Attendance", "We will start and end our meetings on time."),
        Commitment(
            "", "Interaction", "We will honour confidentiality: what is said here stays here."
        ),
    ]
    breaks = [Break("Winter break", dt.date(2026, 12, 21), dt.date(2027, 1, 1))]
    pairs = [
        _sample_pair(program, number, plan_type, program_wide, breaks)
        for number, plan_type in enumerate(PLAN_TYPES, start=1)
    ]
    return Roster(
        path=Path("sample-roster.xlsx"),
        program=program,
        pairs=pairs,
        calendar=calendar,
        commitments=program_wide,
        breaks=breaks,
    )


def _sample_goals(pair_id: str, methods: tuple[str, ...]) -> list[Goal]:
    """The goals of a pair of ``sample_roster``: the mentee's unless the plan is coaching only,
    the mentor's own with mutual growth, a joint one with coaching."""
    goals = []
    if methods != ("Coaching",):
        goals += [
            Goal(
                pair_id,
                1,
                "Build calm, consistent classroom routines",
                "Short-term",
                "Share routines that work and observe one lesson a month",
                "Try one new routine each week and note what happens",
                "Fewer interruptions logged per lesson",
                dt.date(2026, 12, 18),
            ),
            Goal(pair_id, 2, "Plan a unit around the standards", "Long-term"),
        ]
    if "Mutual growth" in methods:
        goals.append(
            Goal(
                pair_id,
                1,
                "Ask more open questions and give fewer answers",
                mentor_support="Record one conversation a month and count the questions",
                mentee_accountable="Say when an answer would have helped more",
                measure="Twice as many open questions by the mid-point check",
                target_date=dt.date(2027, 1, 29),
                whose="Mentor",
            )
        )
    if "Coaching" in methods:
        goals.append(
            Goal(
                pair_id,
                1,
                "Find out which discussion protocols get every student talking",
                mentor_support="Tries two protocols in Grade 8 and invites an observation",
                mentee_accountable="Tries the same protocols in Grade 6",
                measure="Talk tallies from each observation",
                target_date=dt.date(2027, 4, 30),
                whose="Joint",
            )
        )
    return goals


def _sample_pair(
    program: Program,
    number: int,
    plan_type: str,
    program_wide: list[Commitment],
    breaks: list[Break],
) -> Pair:
    pair_id = f"P{number:03d}"
    start = program.start_date
    meetings = [
        Meeting(
            pair_id,
            start + dt.timedelta(days=7 * k + 1),
            dt.time(15, 30),
            "Room 12",
            "Getting started" if k == 0 else "",
            derived=True,
        )
        for k in range(4)
    ]
    return Pair(
        pair_id=pair_id,
        mentor=Person(f"Mentor {number}", f"mentor{number}@example.org", "Teacher", "555-0100"),
        mentee=Person(f"Mentee {number}", f"mentee{number}@example.org", "New teacher"),
        start_date=start,
        end_date=program.end_date,
        plan_type=plan_type,
        meeting_day="Wednesday",
        meeting_time=dt.time(15, 30),
        meeting_length=45,
        meeting_mode="In person",
        meeting_place="Room 12",
        frequency="Weekly",
        cancellation_plan="Text at least a day before and offer another time.",
        informal_contact="Email or a quick visit before school",
        goals=_sample_goals(pair_id, plan_methods(plan_type)),
        listed_meetings=meetings,
        commitments=list(program_wide)
        + [Commitment(pair_id, "Participation", "We will come with one question each.")],
        extra={"school": "Northfield Middle"},
        breaks=breaks,
    )


def sample_contexts() -> list[TemplateContext]:
    """One context per plan type (PLAN_TYPES) from ``sample_roster()``: together they show
    every section."""
    roster = sample_roster()
    return [build_context(roster, pair) for pair in roster.pairs]
