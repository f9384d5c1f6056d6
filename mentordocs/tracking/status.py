"""What every pair still owes, from its returns and the forms' rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mentordocs.forms import FormSpec, outstanding_reasons
from mentordocs.models import Roster
from mentordocs.tracking.data import Outstanding, ReturnedForm


def latest_returns(returns: Iterable[ReturnedForm]) -> dict[tuple[str, str], ReturnedForm]:
    """The return kept for each (pair id, form)."""
    return {(r.pair_id, r.form): r for r in returns}


def outstanding_for(
    roster: Roster, returns: Iterable[ReturnedForm], specs: Mapping[str, FormSpec]
) -> dict[str, list[Outstanding]]:
    """What every active pair still owes, per form, keyed by pair id (pairs owing nothing omitted)."""
    latest = latest_returns(returns)
    out: dict[str, list[Outstanding]] = {}
    for pair in roster.pairs:
        if not pair.active:
            continue
        for form, spec in specs.items():
            ret = latest.get((pair.pair_id, form))
            reasons = outstanding_reasons(ret.values if ret is not None else None, spec)
            if reasons:
                out.setdefault(pair.pair_id, []).append(
                    Outstanding(pair.pair_id, form, reasons, spec.title)
                )
    return out
