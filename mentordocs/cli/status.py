"""``mentordocs status``: the forms each pair still owes, from a tracking workbook."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from mentordocs.cli.common import plural

#: The stages of the program's year, as ``mentordocs.forms.STAGES`` (a copy, so that 'mentordocs
#: -h' imports no more of the library; a test checks they agree).
STAGES = ("start", "midpoint", "end")

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
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    help="Only this stage's forms: start (the first packet), midpoint (the mid-point "
    "check-in) or end (the end-of-program review). Default: every stage sent so far.",
)
def status_command(tracking: str, show_all: bool, as_json: bool, stage: str | None) -> None:
    """Show what each pair still owes, from a tracking workbook, stage by stage.

    First, for each form: how many pairs returned it, how many of those returns are complete
    (every required field filled) and signed (by the mentor and the mentee), and how many
    Active pairs owe it and have not returned it. Then one line per Active pair that still
    owes something, e.g. "P03: Goal sheet (not returned), Terms of engagement (not signed by
    mentee)"; pairs that owe exactly the same share one entry, followed by their ids. Last,
    your own notes on those pairs (what you typed in the Status sheet's "Your notes" column).

    The year has three stages: the start packet, the mid-point check-in and the end-of-program
    review. A later stage's form is owed by a pair once it was generated for the pair (collect
    with --packets reads that from the packets folder) or the pair returned it; until then it
    is counted as "Not sent" for that stage, never as missing. --stage shows one stage only.

    --all lists every form each pair owes, one per line, with every reason in full (which
    fields are blank); --json prints the same as JSON, for other tools (a later stage's
    forms carry "stage": "midpoint" or "end").

    \b
    Example:
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs status tracking.xlsx
        mentordocs status tracking.xlsx --all
        mentordocs status tracking.xlsx --stage midpoint
        mentordocs status tracking.xlsx --json
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.tracking import read_not_sent, read_outstanding, read_tracking

    outstanding = read_outstanding(tracking, stage=stage)
    if as_json:
        payload = {
            pair_id: [_as_json(item) for item in items] for pair_id, items in outstanding.items()
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if show_all:
        _echo_all(outstanding)
        return
    not_sent = read_not_sent(tracking)
    for line in summary_lines(
        outstanding, read_tracking(tracking), _form_titles(), stage=stage, not_sent=not_sent
    ):
        click.echo(line)


def _as_json(item: Outstanding) -> dict[str, object]:
    """An item as JSON; "stage" only for a later stage's form (the start's stay as they were)."""
    out: dict[str, object] = asdict(item)
    if item.stage == STAGES[0]:
        del out["stage"]
    return out


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
    *,
    stage: str | None = None,
    not_sent: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> list[str]:
    """The counts per form, then what each pair that owes something owes (pairs owing the
    same, one entry with their ids).

    Returned counts the active pairs whose form was collected; Complete and Signed, those of their
    returns that owe no "incomplete" or "not signed" reason; Missing, the pairs whose form is
    "not returned" (the reasons ``read_outstanding`` documents). Once a later stage is open,
    the counts come in one table per stage (headed by the stage's name), a later stage's with
    a Not sent column: the active pairs its form was not generated for yet. ``stage`` keeps
    one stage's table.
    """
    from mentordocs.tracking import STAGE_TITLES

    # The counts are of the active pairs, as the Dashboard's: a Paused pair, or one no longer
    # on the roster, owes nothing, so its return could not be told complete or not here.
    active = {p.pair_id for p in data.pairs if p.active} if data.pairs else None
    returned: dict[str, set[str]] = {}
    for ret in data.returns:
        if active is None or ret.pair_id in active:
            returned.setdefault(ret.form, set()).add(ret.pair_id)
    owed: dict[str, dict[str, list[str]]] = {}  # form -> pair -> reasons
    known = dict(titles)
    for pair_id, items in outstanding.items():
        for item in items:
            owed.setdefault(item.form, {})[pair_id] = item.reasons
            known.setdefault(item.form, item.form_title or item.form)
    unsent: dict[str, int] = {}
    for waiting in (not_sent or {}).values():
        for _, form in waiting:
            unsent[form] = unsent.get(form, 0) + 1
    forms = [f for f in known if f in returned or f in owed or f in unsent]  # packet order
    forms += sorted((set(returned) | set(owed) | set(unsent)) - set(forms))
    stage_of = {form: data.form_stages.get(form, STAGES[0]) for form in forms}
    forms.sort(key=lambda f: STAGES.index(stage_of[f]) if stage_of[f] in STAGES else 0)
    if stage is not None:
        forms = [f for f in forms if stage_of[f] == stage]
    staged = len(data.stages) > 1 or stage not in (None, STAGES[0])
    names = [known.get(form, form) for form in forms]
    heads = [STAGE_TITLES.get(s, s) for s in STAGES] if staged else ["Form"]
    width = max([*(len(head) for head in heads), *(len(name) for name in names)])
    lines: list[str] = []
    for block in dict.fromkeys(stage_of[f] for f in forms):
        later = block != STAGES[0]
        columns = _COUNTS + (("Not sent",) if later else ())
        head = STAGE_TITLES.get(block, block) if staged else "Form"
        if lines:
            lines.append("")
        lines.append(f"{head:<{width}}  " + "  ".join(columns))
        for form, name in zip(forms, names, strict=True):
            if stage_of[form] != block:
                continue
            pairs, reasons = returned.get(form, set()), owed.get(form, {})
            incomplete = sum(1 for p in pairs if _any_starts(reasons.get(p), "incomplete"))
            unsigned = sum(1 for p in pairs if _any_starts(reasons.get(p), "not signed"))
            missing = sum(1 for r in reasons.values() if "not returned" in r)
            counts = [len(pairs), len(pairs) - incomplete, len(pairs) - unsigned, missing]
            counts += [unsent.get(form, 0)] if later else []
            cells = (f"{n:>{len(h)}}" for n, h in zip(counts, columns, strict=True))
            lines.append(f"{name:<{width}}  " + "  ".join(cells))
    if not outstanding:
        lines.append(
            "Nothing outstanding: every active pair has returned every form, complete and signed."
            if not unsent or stage == STAGES[0]
            else "Nothing outstanding: every active pair has returned every form sent to it, "
            "complete and signed."
        )
        return lines
    return lines + _owing_lines(outstanding) + _note_lines(outstanding, data)


def _note_lines(outstanding: Mapping[str, Sequence[Outstanding]], data: TrackingData) -> list[str]:
    """The coordinator's own notes (the Status sheet's 'Your notes') on the pairs that owe
    something, so that a reminder is not sent to a pair the coordinator knows is away."""
    noted = [(pair_id, data.notes[pair_id]) for pair_id in outstanding if pair_id in data.notes]
    if not noted:
        return []
    lines = ["", "Your notes on these pairs (the Status sheet's last column):"]
    for pair_id, note in noted:
        text = " ".join(_shown_note(note.value, note.number_format).split())
        lines.append(f"{pair_id}: {text if len(text) <= 90 else text[:87] + '...'}")
    return lines


def _owing_lines(outstanding: Mapping[str, Sequence[Outstanding]]) -> list[str]:
    """What each pair owes, pairs owing exactly the same in one entry (at the start of a year,
    often every pair: every form not returned): what they owe, then their ids on as few lines
    as fit; then the count."""
    owe = "owes" if len(outstanding) == 1 else "owe"
    lines = ["", f"{plural(len(outstanding), 'pair')} still {owe} something:"]
    alike: dict[str, list[str]] = {}
    for pair_id, items in outstanding.items():
        owes = ", ".join(
            f"{item.form_title or item.form} ({', '.join(_DETAILS.sub('', r) for r in item.reasons)})"
            for item in items
        )
        alike.setdefault(owes, []).append(pair_id)
    for owes, pair_ids in alike.items():
        if len(pair_ids) == 1:
            lines.append(f"{pair_ids[0]}: {owes}")
        else:
            lines.append(f"{plural(len(pair_ids), 'pair')}: {owes}")
            lines += textwrap.wrap(
                ", ".join(pair_ids),
                width=100,
                initial_indent="  ",
                subsequent_indent="  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    count = sum(len(items) for items in outstanding.values())
    lines.append(
        f"{plural(count, 'form')} outstanding for {plural(len(outstanding), 'pair')}. "
        "With --all: every reason in full."
    )
    return lines


def _shown_note(value: object, number_format: str) -> str:
    """A note as its cell shows it, near enough: a date, a time, a percentage."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and "%" in number_format:
        return f"{value * 100:g}%"
    return str(value)


def _any_starts(reasons: Sequence[str] | None, prefix: str) -> bool:
    return any(reason.startswith(prefix) for reason in reasons or ())
