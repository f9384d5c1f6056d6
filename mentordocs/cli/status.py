"""``mentordocs status``: the forms each pair still owes, from a tracking workbook."""

from __future__ import annotations

import json
from dataclasses import asdict

import click


@click.command("status")
@click.argument("tracking", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def status_command(tracking: str, as_json: bool) -> None:
    """Show the forms each pair still owes, from a tracking workbook.

    \b
    Example:
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs status tracking.xlsx
        mentordocs status tracking.xlsx --json
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.tracking import read_outstanding

    outstanding = read_outstanding(tracking)
    if as_json:
        payload = {
            pair_id: [asdict(item) for item in items] for pair_id, items in outstanding.items()
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
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
