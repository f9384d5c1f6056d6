"""The program summary: what a coordinator's report needs, worked out from a tracking workbook.

Only counts, the forms' titles, the pairs' names and statuses, the reasons a form is owed
("not returned", "not signed by mentee") and the goals' status drop-downs go into it: never
an answer written in a form, so never a confidential one, even from a workbook collected with
--include-confidential.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mentordocs.forms import STAGES, FormSpec, is_filled, signed_by
from mentordocs.models import WHOSE_GOALS
from mentordocs.tracking import STAGE_TITLES, Outstanding, ReturnedForm, TrackingData
from mentordocs.tracking.data import STAGE_PHRASES
from mentordocs.tracking.goals import (
    TYPED_IN,
    chosen_status,
    goals_of,
    status_counts,
    status_field,
    suffix_of,
)

__all__ = [
    "ATTENTION_STATUSES",
    "Attention",
    "FormReturns",
    "GoalStatuses",
    "ProgramSummary",
    "StageReturns",
    "build_summary",
]

#: A goal whose latest status is one of these puts its pair on the attention list.
ATTENTION_STATUSES = ("At risk", "Not achieved")
# A reason's details in brackets, left out: "(Goal 2, Mentee agrees and 3 more)".
_DETAILS = re.compile(r"\s*\(.*\)$")
_WHOSE = {"Mentee": "Mentee's goal", "Mentor": "Mentor's goal", "Joint": "Joint goal"}


@dataclass
class FormReturns:
    """One form's counts over the active pairs."""

    form: str
    title: str
    returned: int  # pairs whose form came back
    complete: int  # of those, with every required field filled
    signed: int  # of those, signed by the mentor and the mentee
    missing: int  # pairs that owe it and have not returned it
    not_sent: int  # pairs a later stage's form was not generated for yet (start: 0)


@dataclass
class StageReturns:
    stage: str
    title: str  # "Start", "Mid-point", "End"
    forms: list[FormReturns] = field(default_factory=list)


@dataclass
class GoalStatuses:
    """How many goals stand at each status at one stage (the form's drop-down choices, then
    a status typed instead of chosen, counted but never shown, then "Not given")."""

    stage: str
    title: str  # "Goals at the mid-point"
    counts: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass
class Attention:
    """A pair that needs the coordinator's attention, and why (short phrases)."""

    pair_id: str
    mentor: str
    mentee: str
    reasons: list[str]


@dataclass
class ProgramSummary:
    program: str
    collected_at: dt.datetime | None
    active_pairs: int
    stages: list[StageReturns]
    goals: list[GoalStatuses]
    attention: list[Attention]


def build_summary(
    data: TrackingData,
    outstanding: Mapping[str, list[Outstanding]],
    not_sent: Mapping[str, list[tuple[str, str]]],
    specs: Mapping[str, FormSpec],
) -> ProgramSummary:
    """The summary of a tracking workbook read back (``read_tracking``, ``read_outstanding``,
    ``read_not_sent``), with the forms' declarations ``specs`` (for complete, signed and the
    goals' status)."""
    pairs = [p for p in data.pairs if p.active]
    if not data.pairs:  # a workbook from before the pairs were kept: every pair seen
        seen = {r.pair_id for r in data.returns} | set(outstanding)
        ids = sorted(seen)
    else:
        ids = [p.pair_id for p in pairs]
    active = set(ids)
    latest = {(r.pair_id, r.form): r for r in data.returns if r.pair_id in active}
    unsent: dict[str, int] = {}
    for waiting in not_sent.values():
        for _, form in waiting:
            unsent[form] = unsent.get(form, 0) + 1
    owed: dict[str, int] = {}
    for items in outstanding.values():
        for item in items:
            if "not returned" in item.reasons and item.pair_id in active:
                owed[item.form] = owed.get(item.form, 0) + 1
    # Complete as collect judged it (with the declarations it was given, a coordinator's own
    # templates' included), not recounted here with what may be other declarations.
    incomplete = {
        (item.pair_id, item.form)
        for items in outstanding.values()
        for item in items
        if any(reason.startswith("incomplete") for reason in item.reasons)
    }
    open_stages = data.stages or [STAGES[0]]
    stages: list[StageReturns] = []
    for stage in open_stages:
        block = StageReturns(stage, STAGE_TITLES.get(stage, stage))
        for form, spec in specs.items():
            if spec.stage != stage:
                continue
            returns = [r for (_, f), r in latest.items() if f == form]
            block.forms.append(
                FormReturns(
                    form=form,
                    title=spec.title,
                    returned=len(returns),
                    complete=sum(1 for r in returns if (r.pair_id, form) not in incomplete),
                    signed=sum(
                        1
                        for r in returns
                        if signed_by(r.values, "mentor") and signed_by(r.values, "mentee")
                    ),
                    missing=owed.get(form, 0),
                    not_sent=unsent.get(form, 0),
                )
            )
        if block.forms:
            stages.append(block)
    goals: list[GoalStatuses] = []
    for stage in open_stages[1:]:
        for form, spec in specs.items():
            declared = status_field(spec)
            if spec.stage != stage or declared is None or declared.confidential:
                continue
            values = [(r.pair_id, r.values) for (_, f), r in latest.items() if f == form]
            counts = status_counts(spec, values, active)
            if counts is not None:
                title = f"Goals {STAGE_PHRASES.get(stage, stage)}"
                goals.append(GoalStatuses(stage, title, counts))
    names = {p.pair_id: (p.mentor, p.mentee) for p in data.pairs}
    at_risk = _goals_needing_attention(latest, specs, open_stages)
    attention = []
    for pair_id in ids:
        reasons = [
            f"{item.form_title or item.form}: "
            + ", ".join(_DETAILS.sub("", reason) for reason in item.reasons)
            for item in outstanding.get(pair_id, [])
        ]
        reasons += at_risk.get(pair_id, [])
        if reasons:
            mentor, mentee = names.get(pair_id, ("", ""))
            attention.append(Attention(pair_id, mentor, mentee, reasons))
    return ProgramSummary(
        program=data.program,
        collected_at=data.collected_at,
        active_pairs=len(ids),
        stages=stages,
        goals=goals,
        attention=attention,
    )


def _goals_needing_attention(
    latest: Mapping[tuple[str, str], ReturnedForm],
    specs: Mapping[str, FormSpec],
    stages: list[str],
) -> dict[str, list[str]]:
    """Pair id -> "Mentee's goal 2: At risk at the mid-point" for every goal whose latest
    status (the last stage that gave one) is in ATTENTION_STATUSES."""
    latest_status: dict[tuple[str, int, int], tuple[str, str]] = {}  # goal -> (status, stage)
    for stage in stages[1:]:
        for form, spec in specs.items():
            declared = status_field(spec)
            if spec.stage != stage or declared is None or declared.confidential:
                continue
            suffix = suffix_of(declared)
            for (pair_id, ret_form), ret in sorted(latest.items()):
                if ret_form != form:
                    continue
                for (whose, n), answers in goals_of(spec, ret.values).items():
                    value = answers.get(suffix)
                    if isinstance(value, str) and is_filled(value):
                        status = chosen_status(declared, value) or TYPED_IN
                        latest_status[(pair_id, whose, n)] = (status, stage)
    out: dict[str, list[str]] = {}
    for (pair_id, whose, n), (status, stage) in sorted(latest_status.items()):
        if status in ATTENTION_STATUSES:
            phrase = STAGE_PHRASES.get(stage, stage)
            kind = _WHOSE.get(WHOSE_GOALS[whose], "Goal")
            out.setdefault(pair_id, []).append(f"{kind} {n}: {status} {phrase}")
    return out
