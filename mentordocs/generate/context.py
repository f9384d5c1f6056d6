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

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentordocs.models import (
    COMMITMENT_AREAS,
    MEETING_MODES,
    PLAN_TYPES,
    Break,
    CalendarItem,
    Commitment,
    Extra,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Roster,
    end_review_of,
    forms_due_of,
    midpoint_of,
    plan_methods,
)

if TYPE_CHECKING:
    from mentordocs.tracking import ReturnedForm

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


# ---- review: what the mid-point and end review forms start from ---------------------------------

#: The goal groups of the goal sheet (field id prefix), with whose goals they are.
GOAL_GROUPS = (("goal", "Mentee"), ("mentor_goal", "Mentor"), ("joint_goal", "Joint"))
#: Where the goals of a review come from, in order of preference.
GOAL_SOURCES = ("goal-sheet", "action-plan", "roster")
# Older action plans (1.0) named the mentor's own goals "mentor_growth_{n}_goal".
_GOAL_ID = re.compile(r"^(goal|mentor_goal|joint_goal|mentor_growth)_([1-9][0-9]*)_goal$")
_COMMITMENT_ID = re.compile(
    r"^commitment_(attendance|participation|interaction|other)_([1-9][0-9]*)$"
)
_FORM_NAMES = {
    "goal-sheet": "goal sheet",
    "action-plan": "action plan",
    "terms-of-engagement": "terms of engagement",
    "midpoint-review": "mid-point check-in",
}


def _text_of(values: Mapping[str, object], field_id: str) -> str:
    """A text answer as written (verbatim); "" when blank or not a text."""
    value = values.get(field_id)
    return value if isinstance(value, str) and value.strip() else ""


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _review_goal(slot: int, whose: str, text: str, measure: str, target: object) -> TemplateContext:
    out: TemplateContext = {
        "slot": slot,
        "whose": whose,
        "text": text,
        "measure": measure,
        "midpoint_status": "",
        "midpoint_progress": "",
        "next_step": "",
    }
    when = target if isinstance(target, dt.date) else _iso_date(str(target or ""))
    _dates(out, "target_date", when)
    if when is None and isinstance(target, str) and target.strip():
        out["target_date"] = target  # written, but not as a date: shown as written
    return out


def _returned_goals(values: Mapping[str, object]) -> dict[str, list[TemplateContext]]:
    """The goals a returned form holds, by group, in slot order (only slots with a goal)."""
    found: dict[str, dict[int, TemplateContext]] = {group: {} for group, _ in GOAL_GROUPS}
    whose = dict(GOAL_GROUPS)
    for field_id in values:
        matched = _GOAL_ID.match(field_id)
        text = _text_of(values, field_id) if matched else ""
        if not matched or not text:
            continue
        prefix, slot = matched.group(1), int(matched.group(2))
        group = "mentor_goal" if prefix == "mentor_growth" else prefix
        base = f"{prefix}_{slot}"
        found[group][slot] = _review_goal(
            slot,
            whose[group],
            text,
            _text_of(values, f"{base}_measure"),
            _text_of(values, f"{base}_target_date"),
        )
    return {group: [by_slot[n] for n in sorted(by_slot)] for group, by_slot in found.items()}


def _roster_goals(pair: Pair) -> dict[str, list[TemplateContext]]:
    """The roster's goals by group, each in the slot the goal sheet gave it (1, 2, ...)."""
    return {
        group: [
            _review_goal(slot, whose, goal.goal, goal.measure, goal.target_date)
            for slot, goal in enumerate(pair.goals_of(whose), start=1)
        ]
        for group, whose in GOAL_GROUPS
    }


def _returned_on(item: ReturnedForm) -> str:
    return f" (returned {format_date(item.returned_at.date())})" if item.returned_at else ""


def _not_back(names: list[str], returned: Mapping[str, ReturnedForm], what: str) -> str:
    """Why ``names`` gave nothing: "your goal sheet and action plan have not come back", or
    "your goal sheet came back without goals" (``what``)."""
    missing = [_FORM_NAMES[n] for n in names if n not in returned]
    empty = [_FORM_NAMES[n] for n in names if n in returned]
    parts = []
    if missing:
        verb = "has" if len(missing) == 1 else "have"
        parts.append(f"your {' and '.join(missing)} {verb} not come back")
    if empty:
        parts.append(f"your {' and '.join(empty)} came back without {what}")
    return "; ".join(parts)


def _meetings_answered(values: Mapping[str, object]) -> str:
    """The meetings the terms of engagement agreed: "Every 2 weeks on Tuesday at 15:30, 45
    minutes, in person, Room 12" (each answer as written; "" when none)."""
    frequency = _text_of(values, "meeting_frequency")
    day = _text_of(values, "meeting_day")
    time = _text_of(values, "meeting_time")
    length = _text_of(values, "meeting_length")
    mode = _text_of(values, "meeting_mode")
    place = _text_of(values, "meeting_place")
    head = " ".join(
        part
        for part in (
            frequency,
            (f"on {day}" if frequency else f"{day}s") if day else "",
            f"at {time}" if time else "",
        )
        if part
    )
    tail = [
        f"{length} minutes" if length.strip().isdigit() else length,
        mode.lower() if mode in MEETING_MODES else mode,
        place,
    ]
    return ", ".join(part for part in (head, *tail) if part)


def _meetings_from_roster(pair: Pair) -> str:
    mode = pair.meeting_mode.lower() if pair.meeting_mode in MEETING_MODES else pair.meeting_mode
    return ", ".join(part for part in (_meeting_summary(pair), mode, pair.meeting_place) if part)


def stage_due_date(roster: Roster, pair: Pair, stage: str) -> dt.date | None:
    """When the stage's forms are due: the Forms due setting for the start, the pair's
    mid-point check, the pair's end review (the End review setting, else its end date)."""
    if stage == "midpoint":
        return midpoint_of(roster.program, pair)
    if stage == "end":
        return end_review_of(roster.program, pair)
    return forms_due_of(roster.program, pair)


def latest_returns(returns: Iterable[ReturnedForm]) -> dict[str, dict[str, ReturnedForm]]:
    """Pair id -> form -> the pair's latest return of that form (by returned date, then order)."""
    out: dict[str, dict[str, ReturnedForm]] = {}
    for item in returns:
        forms = out.setdefault(item.pair_id, {})
        before = forms.get(item.form)
        if before is None or (item.returned_at or dt.datetime.min) >= (
            before.returned_at or dt.datetime.min
        ):
            forms[item.form] = item
    return out


def review_context(
    roster: Roster,
    pair: Pair,
    stage: str = "start",
    returned: Mapping[str, ReturnedForm] | None = None,
) -> TemplateContext:
    """The ``review`` variable: what the pair wrote so far, for the review forms of ``stage``.

    ``returned`` maps a form id to the pair's return of it, as the tracking workbook holds it
    (``latest_returns(read_tracking(path).returns)[pair_id]``). The goals are the pair's as
    they wrote them in their goal sheet, else their action plan, else the roster's (and
    ``goals_source_text`` says which and why); the commitments those of their action plan,
    else the roster's; the meetings those their terms of engagement agreed, else the roster's.
    For the end review each goal also carries its mid-point status, progress and next step,
    and its wording as the mid-point check-in left it. Every text is verbatim.
    """
    returned = returned or {}
    out: TemplateContext = {"stage": stage}

    goals: dict[str, list[TemplateContext]] | None = None
    for form in ("goal-sheet", "action-plan"):
        item = returned.get(form)
        found = _returned_goals(item.values) if item is not None else None
        if found is not None and any(found.values()):
            goals = found
            out["goals_source"] = form
            out["goals_source_text"] = f"as you wrote them in your {_FORM_NAMES[form]}" + (
                _returned_on(item) if item is not None else ""
            )
            if form == "action-plan":
                out["goals_source_text"] += ": " + _not_back(["goal-sheet"], returned, "goals")
            break
    if goals is None:
        goals = _roster_goals(pair)
        out["goals_source"] = "roster"
        reason = _not_back(["goal-sheet", "action-plan"], returned, "goals")
        out["goals_source_text"] = "from the program's roster" + (
            f": {reason}" if stage != "start" else ""
        )
    midpoint = returned.get("midpoint-review") if stage == "end" else None
    if midpoint is not None:
        updated = False
        for group, rows in goals.items():
            for goal in rows:
                base = f"{group}_{goal['slot']}"
                goal["midpoint_status"] = _text_of(midpoint.values, f"{base}_status")
                goal["midpoint_progress"] = _text_of(midpoint.values, f"{base}_progress")
                goal["next_step"] = _text_of(midpoint.values, f"{base}_next_step")
                rewritten = _text_of(midpoint.values, f"{base}_goal")
                if rewritten and rewritten != goal["text"]:
                    goal["text"], updated = rewritten, True
        if updated:
            out["goals_source_text"] += (
                f", as your {_FORM_NAMES['midpoint-review']}{_returned_on(midpoint)} left them"
            )
    out["goals"] = goals

    plan = returned.get("action-plan")
    commitments = _returned_commitments(plan.values) if plan is not None else []
    if plan is not None and commitments:
        out["commitments_source"] = "action-plan"
        out["commitments_source_text"] = (
            f"as you agreed them in your action plan{_returned_on(plan)}"
        )
    else:
        commitments = [{"area": c.area, "text": c.text} for c in pair.commitments]
        out["commitments_source"] = "roster"
        reason = _not_back(["action-plan"], returned, "commitments")
        out["commitments_source_text"] = "from the program's roster" + (
            f": {reason}" if stage != "start" else ""
        )
    out["commitments"] = commitments

    terms = returned.get("terms-of-engagement")
    agreed = _meetings_answered(terms.values) if terms is not None else ""
    if terms is not None and agreed:
        out["meetings_source"] = "terms-of-engagement"
        out["meetings_source_text"] = (
            f"as you agreed them in your terms of engagement{_returned_on(terms)}"
        )
    else:
        agreed = _meetings_from_roster(pair)
        out["meetings_source"] = "roster"
        reason = _not_back(["terms-of-engagement"], returned, "the meetings")
        out["meetings_source_text"] = "from the program's roster" + (
            f": {reason}" if stage != "start" else ""
        )
    out["meetings_agreed"] = agreed
    _dates(out, "due_date", stage_due_date(roster, pair, stage))
    return out


def _returned_commitments(values: Mapping[str, object]) -> list[TemplateContext]:
    """The commitments an action plan holds, by area (COMMITMENT_AREAS order), then number."""
    found: list[tuple[int, int, TemplateContext]] = []
    areas = [area.lower() for area in COMMITMENT_AREAS]
    for field_id in values:
        matched = _COMMITMENT_ID.match(field_id)
        text = _text_of(values, field_id) if matched else ""
        if matched and text:
            index = areas.index(matched.group(1))
            found.append(
                (index, int(matched.group(2)), {"area": COMMITMENT_AREAS[index], "text": text})
            )
    return [item for _, _, item in sorted(found, key=lambda entry: entry[:2])]


def build_context(
    roster: Roster,
    pair: Pair,
    program: TemplateContext | None = None,
    review: TemplateContext | None = None,
) -> TemplateContext:
    """Every variable the form templates see for ``pair``.

    ``program`` may be passed in (``program_context(roster.program)``) when building many
    contexts, since it is the same for every pair. ``review`` is what the mid-point and end
    review forms start from (``review_context``); default: the start's, from the roster.
    """
    goals, slots = _goal_slots(pair.goals_of("Mentee"), "Mentee", GOAL_SLOTS, REQUIRED_GOALS)
    mentor_goals, mentor_slots = _goal_slots(
        pair.goals_of("Mentor"), "Mentor", SHARED_GOAL_SLOTS, 1
    )
    joint_goals, joint_slots = _goal_slots(pair.goals_of("Joint"), "Joint", SHARED_GOAL_SLOTS, 1)
    if program is None:
        program = program_context(roster.program)
    due = forms_due_of(roster.program, pair)
    if due != roster.program.forms_due:  # a pair that joined late: its own date, on its forms
        program = dict(program)
        _dates(program, "forms_due", due)
    return {
        "program": program,
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
        "review": review if review is not None else review_context(roster, pair),
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


def roster_contexts(
    roster: Roster,
    pairs: Sequence[Pair] | None = None,
    reviews: Mapping[str, TemplateContext] | None = None,
) -> list[TemplateContext]:
    """The contexts of ``representative_pairs`` of ``pairs`` (default: the roster's), each
    with its ``review`` from ``reviews`` when given (a later stage's), to check templates with
    what ``generate`` will really render (``templates check --roster``, ``generate
    --templates``)."""
    chosen = representative_pairs(
        dataclasses.replace(roster, pairs=list(roster.pairs if pairs is None else pairs))
    )
    program = program_context(roster.program)
    return [
        build_context(roster, pair, program, (reviews or {}).get(pair.pair_id)) for pair in chosen
    ]


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


def sample_returns(roster: Roster, pair: Pair, stage: str) -> dict[str, ReturnedForm]:
    """What a pair of ``sample_roster`` might have returned before ``stage``: a goal sheet
    holding its roster goals reworded, an action plan's commitments, the meetings its terms
    agreed, and (before the end review) a mid-point check-in with each goal's status."""
    from mentordocs.tracking import ReturnedForm

    returned_at = dt.datetime.combine(roster.program.start_date, dt.time()) + dt.timedelta(days=30)
    sheet: dict[str, str | bool] = {}
    for group, whose in GOAL_GROUPS:
        for slot, goal in enumerate(pair.goals_of(whose), start=1):
            sheet[f"{group}_{slot}_goal"] = f"{goal.goal}, as we wrote it"
            sheet[f"{group}_{slot}_measure"] = goal.measure or "What we will see"
            sheet[f"{group}_{slot}_target_date"] = roster.program.end_date.isoformat()
    plan: dict[str, str | bool] = {
        "commitment_attendance_1": "We will meet every week, whatever happens.",
        "commitment_interaction_1": "We will listen first.",
    }
    terms: dict[str, str | bool] = {
        "meeting_frequency": "Every 2 weeks",
        "meeting_day": "Tuesday",
        "meeting_time": "15:30",
        "meeting_length": "45",
        "meeting_mode": "In person",
        "meeting_place": "Room 12",
    }
    forms = {"goal-sheet": sheet, "action-plan": plan, "terms-of-engagement": terms}
    if stage == "end":
        midpoint: dict[str, str | bool] = {}
        for name in sheet:
            if name.endswith("_goal"):
                base = name[: -len("_goal")]
                midpoint[f"{base}_goal"] = str(sheet[name])
                midpoint[f"{base}_status"] = "On track"
                midpoint[f"{base}_progress"] = "Half way there"
                midpoint[f"{base}_next_step"] = "Keep going"
        forms["midpoint-review"] = midpoint
    return {
        form: ReturnedForm(
            pair.pair_id, form, f"{pair.pair_id}_{form}.docx", "", returned_at, values
        )
        for form, values in forms.items()
    }


def sample_contexts(like: Roster | None = None) -> list[TemplateContext]:
    """One context per plan type (PLAN_TYPES) from ``sample_roster()``: together they show
    every section. Their ``review`` alternates between the mid-point and the end stage, from
    the returns of ``sample_returns``; the last one's comes from the roster alone.

    ``like``: a coordinator's roster whose own columns and settings (``program.extra``,
    ``pair.extra``, a goal's ``extra``) the samples get too, with that roster's first value of
    each, so a template using them renders for every plan type."""
    roster = sample_roster()
    if like is not None:
        _extras_like(roster, like)
    contexts = []
    for index, pair in enumerate(roster.pairs):
        stage = "midpoint" if index % 2 == 0 else "end"
        returned = sample_returns(roster, pair, stage) if index < len(roster.pairs) - 1 else {}
        review = review_context(roster, pair, stage, returned)
        contexts.append(build_context(roster, pair, review=review))
    return contexts


def _extras_like(samples: Roster, like: Roster) -> None:
    """Give the sample roster ``like``'s own columns and settings (its first value of each)
    where the samples lack them."""
    samples.program.extra = {**like.program.extra, **samples.program.extra}
    pair_extra: Extra = {}
    goal_extra: Extra = {}
    for pair in like.pairs:
        for key, value in pair.extra.items():
            pair_extra.setdefault(key, value)
        for goal in pair.goals:
            for key, value in goal.extra.items():
                goal_extra.setdefault(key, value)
    for pair in samples.pairs:
        pair.extra = {**pair_extra, **pair.extra}
        for goal in pair.goals:
            goal.extra = {**goal_extra, **goal.extra}
