"""``mentordocs status``: the forms each pair still owes, from a tracking workbook."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from mentordocs.cli.common import plural

if TYPE_CHECKING:
    from mentordocs.tracking import Outstanding, TrackingData

# A reason's details in brackets, left out of the summary: "(Goal 2, Mentee agrees and 3 more)".
_DETAILS = re.compile(r"\s*\(.*\)$")
_COUNTS = ("Returned", "Complete", "Signed", "Missing")


@click.command("status")
@click.argument("tracking", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "--all", "show_all", is_flag=True, help="Every form each pair owes, with every reason in full."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text (as --all).")
def status_command(tracking: str, show_all: bool, as_json: bool) -> None:
    """Show what each pair still owes, from a tracking workbook.

    First, for each form: how many pairs returned it, how many of those returns are complete
    (every required field filled) and signed (by the mentor and the mentee), and how many
    Active pairs have not returned it. Then one line per Active pair that still owes
    something, e.g. "P03: Goal sheet (not returned), Terms of engagement (not signed by
    mentee)".

    --all lists every form each pair owes, one per line, with every reason in full (which
    fields are blank); --json prints the same as JSON, for other tools.

    \b
    Example:
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs status tracking.xlsx
        mentordocs status tracking.xlsx --all
        mentordocs status tracking.xlsx --json
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.tracking import read_outstanding, read_tracking

    outstanding = read_outstanding(tracking)
    if as_json:
        payload = {
            pair_id: [asdict(item) for item in items] for pair_id, items in outstanding.items()
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if show_all:
        _echo_all(outstanding)
        return
    for line in summary_lines(outstanding, read_tracking(tracking), _form_titles()):
        click.echo(line)


def _echo_all(outstanding: Mapping[str, Sequence[Outstanding]]) -> None:
    """Every form each pair owes, with every reason in full."""
    if not outstanding:
        click.echo(
            "Nothing outstanding: every active pair has returned every form, complete and signed."
        )
        return
    for pair_id, items in outstanding.items():
        click.echo(f"{pair_id}:")
        for item in items:
            click.echo(f"  {item.form_title or item.form}: {'; '.join(item.reasons)}")
    count = sum(len(items) for items in outstanding.values())
    click.echo(f"{count} form(s) outstanding for {len(outstanding)} pair(s).")


def _form_titles() -> dict[str, str]:
    """Each form's title, in packet order; empty when the form declarations cannot be read."""
    from mentordocs.errors import MentordocsError
    from mentordocs.forms import load_form_specs

    try:
        return {form: spec.title for form, spec in load_form_specs().items()}
    except MentordocsError:  # titles are a nicety; the ids are enough
        return {}


def summary_lines(
    outstanding: Mapping[str, Sequence[Outstanding]],
    data: TrackingData,
    titles: Mapping[str, str],
) -> list[str]:
    """The counts per form, then one line per pair that owes something.

    Returned counts the pairs whose form was collected; Complete and Signed, those of their
    returns that owe no "incomplete" or "not signed" reason; Missing, the pairs whose form is
    "not returned" (the reasons ``read_outstanding`` documents).
    """
    returned: dict[str, set[str]] = {}
    for ret in data.returns:
        returned.setdefault(ret.form, set()).add(ret.pair_id)
    owed: dict[str, dict[str, list[str]]] = {}  # form -> pair -> reasons
    known = dict(titles)
    for pair_id, items in outstanding.items():
        for item in items:
            owed.setdefault(item.form, {})[pair_id] = item.reasons
            known.setdefault(item.form, item.form_title or item.form)
    forms = [f for f in known if f in returned or f in owed]  # packet order
    forms += sorted((set(returned) | set(owed)) - set(forms))
    names = [known.get(form, form) for form in forms]
    width = max([len("Form"), *(len(name) for name in names)])
    lines = [f"{'Form':<{width}}  " + "  ".join(_COUNTS)] if forms else []
    for form, name in zip(forms, names, strict=True):
        pairs, reasons = returned.get(form, set()), owed.get(form, {})
        incomplete = sum(1 for p in pairs if _any_starts(reasons.get(p), "incomplete"))
        unsigned = sum(1 for p in pairs if _any_starts(reasons.get(p), "not signed"))
        missing = sum(1 for r in reasons.values() if "not returned" in r)
        counts = (len(pairs), len(pairs) - incomplete, len(pairs) - unsigned, missing)
        cells = (f"{n:>{len(h)}}" for n, h in zip(counts, _COUNTS, strict=True))
        lines.append(f"{name:<{width}}  " + "  ".join(cells))
    if not outstanding:
        lines.append(
            "Nothing outstanding: every active pair has returned every form, complete and signed."
        )
        return lines
    owe = "owes" if len(outstanding) == 1 else "owe"
    lines += ["", f"{plural(len(outstanding), 'pair')} still {owe} something:"]
    for pair_id, items in outstanding.items():
        owes = ", ".join(
            f"{item.form_title or item.form} ({', '.join(_DETAILS.sub('', r) for r in item.reasons)})"
            for item in items
        )
        lines.append(f"{pair_id}: {owes}")
    count = sum(len(items) for items in outstanding.values())
    lines.append(
        f"{plural(count, 'form')} outstanding for {plural(len(outstanding), 'pair')}. "
        "With --all: every reason in full."
    )
    return lines


def _any_starts(reasons: Sequence[str] | None, prefix: str) -> bool:
    return any(reason.startswith(prefix) for reason in reasons or ())
