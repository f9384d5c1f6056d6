"""``mentordocs check``: every problem of a roster workbook, at once."""

from __future__ import annotations

import click

from mentordocs.cli.common import plural


@click.command("check")
@click.argument("roster", type=click.Path(dir_okay=True, path_type=str))
def check_command(roster: str) -> None:
    """Check a roster workbook and list every problem in it at once.

    Each problem is on its own line with the sheet, the row as Excel numbers it, the column,
    what is wrong and how to fix it: errors first, then warnings (things that are allowed but
    probably wrong). Exits 0 when there is no error (warnings do not fail), 1 otherwise.

    \b
    Example:
        mentordocs check samples/roster.xlsx
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.roster import summarize, validate_roster

    loaded, problems = validate_roster(roster)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        click.echo("Errors:")
        for problem in errors:
            click.echo(f"  {problem}")
    if warnings:
        click.echo("Warnings:")
        for problem in warnings:
            click.echo(f"  {problem}")
    name = click.format_filename(roster)
    if errors:
        click.echo(
            f"{name}: {plural(len(errors), 'error')} and {plural(len(warnings), 'warning')}. "
            f"Correct the errors, save, and run 'mentordocs check {name}' again."
        )
        raise click.exceptions.Exit(1)
    note = f" ({plural(len(warnings), 'warning')} above)" if warnings else ""
    summary = f" {summarize(loaded)}" if loaded is not None else ""
    click.echo(f"{name} is ready{note}.{summary}")
