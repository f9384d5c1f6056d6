"""``mentordocs init``: a starter roster workbook for a coordinator to fill in."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument(
    "directory", default=".", type=click.Path(file_okay=False, path_type=str), required=False
)
def init_command(directory: str) -> None:
    """Write a starter roster workbook (roster.xlsx) for a coordinator to fill in.

    DIRECTORY (default: the current folder) gets a roster.xlsx with every sheet, styled and
    frozen header rows, drop-down lists, date formats and an Instructions sheet. An existing
    file is never overwritten. samples/roster.xlsx shows a filled-in roster.

    \b
    Example:
        mentordocs init new-program
        mentordocs check new-program/roster.xlsx
        mentordocs check samples/roster.xlsx
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.roster.starter import STARTER_NAME, write_starter_roster

    path = write_starter_roster(Path(directory) / STARTER_NAME)
    click.echo(f"Wrote {click.format_filename(str(path))}.")
    click.echo(
        "Fill it in (its Instructions sheet explains each sheet), save it, then run: "
        f"mentordocs check {click.format_filename(str(path))}"
    )
