"""What every pair still owes, from its returns and the forms' rules, stage by stage.

The forms of the start packet are owed by every active pair. A later stage's form (the
mid-point check-in, the end-of-program review) is owed by a pair only once it was generated
for that pair (the packets folder's manifest) or the pair returned it; until then it is "not
sent yet", never "not returned".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mentordocs.forms import STAGES, FormSpec, outstanding_reasons
from mentordocs.models import Roster
from mentordocs.tracking.data import FormDates, Outstanding, ReturnedForm

__all__ = ["is_owed", "latest_returns", "not_sent_for", "open_stages", "outstanding_for"]


def latest_returns(returns: Iterable[ReturnedForm]) -> dict[tuple[str, str], ReturnedForm]:
    """The return kept for each (pair id, form)."""
    return {(r.pair_id, r.form): r for r in returns}


def by_stage(specs: Mapping[str, FormSpec]) -> dict[str, dict[str, FormSpec]]:
    """The forms of each stage (in ``STAGES`` order; a stage without forms is left out), each
    stage's forms in the order given."""
    out: dict[str, dict[str, FormSpec]] = {}
    for stage in STAGES:
        forms = {form: spec for form, spec in specs.items() if spec.stage == stage}
        if forms:
            out[stage] = forms
    return out


def open_stages(
    specs: Mapping[str, FormSpec], returns: Iterable[ReturnedForm], generated: FormDates
) -> list[str]:
    """The stages the workbook shows: the start always, a later stage once one of its forms was
    generated for a pair or came back from one."""
    seen = {form for _, form in generated} | {r.form for r in returns}
    return [
        stage
        for stage, forms in by_stage(specs).items()
        if stage == STAGES[0] or seen.intersection(forms)
    ]


def is_owed(pair_id: str, spec: FormSpec, returned: bool, generated: FormDates) -> bool:
    """Whether a pair owes this form at all: a start form always; a later stage's form once it
    was generated for the pair or the pair returned it."""
    return spec.stage == STAGES[0] or returned or (pair_id, spec.form) in generated


def outstanding_for(
    roster: Roster,
    returns: Iterable[ReturnedForm],
    specs: Mapping[str, FormSpec],
    *,
    generated: FormDates | None = None,
    stage: str | None = None,
) -> dict[str, list[Outstanding]]:
    """What every active pair still owes, per form, keyed by pair id (pairs owing nothing
    omitted), forms in stage order. ``generated`` says which later-stage forms each pair was
    given (without it, only the start forms and the later ones returned can be owed);
    ``stage`` keeps one stage's forms only."""
    latest = latest_returns(returns)
    dates = generated or {}
    staged = by_stage(specs)
    out: dict[str, list[Outstanding]] = {}
    for pair in roster.pairs:
        if not pair.active:
            continue
        for form_stage, forms in staged.items():
            if stage is not None and form_stage != stage:
                continue
            for form, spec in forms.items():
                ret = latest.get((pair.pair_id, form))
                if not is_owed(pair.pair_id, spec, ret is not None, dates):
                    continue
                reasons = outstanding_reasons(ret.values if ret is not None else None, spec)
                if reasons:
                    out.setdefault(pair.pair_id, []).append(
                        Outstanding(pair.pair_id, form, reasons, spec.title, form_stage)
                    )
    return out


def not_sent_for(
    roster: Roster,
    returns: Iterable[ReturnedForm],
    specs: Mapping[str, FormSpec],
    generated: FormDates,
) -> dict[str, list[str]]:
    """The forms of the open later stages not generated for an active pair yet (nor returned),
    keyed by pair id: what the pair will owe once they are sent."""
    latest = latest_returns(returns)
    stages = open_stages(specs, latest.values(), generated)
    out: dict[str, list[str]] = {}
    for pair in roster.pairs:
        if not pair.active:
            continue
        for form, spec in specs.items():
            if spec.stage == STAGES[0] or spec.stage not in stages:
                continue
            if not is_owed(pair.pair_id, spec, (pair.pair_id, form) in latest, generated):
                out.setdefault(pair.pair_id, []).append(form)
    return out
