"""A pair's goals across the forms and stages: which fields hold goals, and their status.

A goal is one instance of a goal group (``goal``: the mentee's, ``mentor_goal``: the mentor's
own, ``joint_goal``: the pair's joint goal) in any form; the same group and number in the goal
sheet, the mid-point check-in and the end-of-program review is the same goal followed across
the year. Its status at a stage is the group's drop-down whose field id ends in ``status``
(``goal_{n}_status`` at the mid-point, ``goal_{n}_final_status`` at the end).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mentordocs.forms import FieldSpec, FormSpec, Value, is_filled
from mentordocs.models import WHOSE_GOALS

__all__ = [
    "GOAL_GROUPS",
    "NOT_GIVEN",
    "GoalKey",
    "goals_of",
    "status_counts",
    "status_field",
    "suffix_of",
]

#: Whose goal a repeated group of goal fields holds (the goal sheet's three kinds of goal).
GOAL_GROUPS = {"goal": "Mentee", "mentor_goal": "Mentor", "joint_goal": "Joint"}
#: A goal whose status was left blank, in counts.
NOT_GIVEN = "Not given"
TYPED_IN = "Something else (typed in)"  # a status typed instead of chosen

#: (whose goal as an index of WHOSE_GOALS, goal number)
GoalKey = tuple[int, int]


def suffix_of(declared: FieldSpec) -> str:
    """What a goal field asks, without its group and number: ``goal_{n}_status`` -> ``status``."""
    return declared.id.partition("{n}")[2].lstrip("_")


def goals_of(spec: FormSpec, values: Mapping[str, Value]) -> dict[GoalKey, dict[str, Value]]:
    """A return's goals: (whose, number) -> field suffix -> value; empty slots left out."""
    goals: dict[GoalKey, dict[str, Value]] = {}
    for field_id, value in values.items():
        declared, n = spec.lookup(field_id)
        if declared is None or n is None or declared.group not in GOAL_GROUPS:
            continue
        whose = WHOSE_GOALS.index(GOAL_GROUPS[declared.group])
        goals.setdefault((whose, n), {})[suffix_of(declared)] = value
    return {key: answers for key, answers in goals.items() if any(map(is_filled, answers.values()))}


def status_field(spec: FormSpec) -> FieldSpec | None:
    """The drop-down that says where a goal stands in this form (None: the form has none)."""
    for declared in spec.fields:
        if (
            declared.group in GOAL_GROUPS
            and declared.kind == "dropdown"
            and suffix_of(declared).endswith("status")
        ):
            return declared
    return None


def chosen_status(declared: FieldSpec, value: str) -> str | None:
    """The drop-down choice ``value`` is, whatever its letter case and spaces ("at risk" is
    "At risk"); None for a status typed that is none of them."""
    wanted = " ".join(value.split()).casefold()
    return next((c for c in declared.choices if c.casefold() == wanted), None)


def status_counts(
    spec: FormSpec, returns: Iterable[tuple[str, Mapping[str, Value]]], pair_ids: set[str]
) -> list[tuple[str, int]] | None:
    """How many goals of ``pair_ids``'s returns of ``spec`` stand at each status (the
    drop-down's choices in order, then TYPED_IN for a status typed instead of chosen, then
    NOT_GIVEN); None when the form has no goal status. ``returns`` are (pair id, values).
    What was typed is never shown: the counts go into reports that hold no answers."""
    declared = status_field(spec)
    if declared is None:
        return None
    suffix = suffix_of(declared)
    counts = dict.fromkeys(declared.choices, 0)
    blank = 0
    for pair_id, values in returns:
        if pair_id not in pair_ids:
            continue
        for answers in goals_of(spec, values).values():
            value = answers.get(suffix)
            if isinstance(value, str) and value.strip():
                status = chosen_status(declared, value) or TYPED_IN
                counts[status] = counts.get(status, 0) + 1
            else:
                blank += 1
    return [*counts.items(), (NOT_GIVEN, blank)]
