"""``mentordocs init``: a starter roster workbook for a coordinator to fill in."""

from __future__ import annotations

from pathlib import Path

import click

# Names of other files a coordinator may give for the workbook (not a folder to make).
_OTHER_FILES = frozenset(
    (".csv", ".xls", ".xlsm", ".xlsb", ".xltx", ".ods", ".numbers", ".txt", ".docx", ".json")
)


@click.command("init")
@click.argument("where", default=".", type=click.Path(path_type=str), required=False)
def init_command(where: str) -> None:
    """Write a starter roster workbook for a coordinator to fill in.

    WHERE is a folder (default: the current one), which gets a roster.xlsx, or the name of the
    workbook to write, ending in .xlsx. It has every sheet, styled and frozen header rows,
    drop-down lists, date formats, the optional mail settings and an Instructions sheet. An
    existing file is never overwritten. samples/roster.xlsx shows a filled-in roster.

    \b
    Example:
        mentordocs init new-program
        mentordocs check new-program/roster.xlsx
        mentordocs init spring-2027.xlsx
        mentordocs check samples/roster.xlsx
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.roster.starter import STARTER_NAME, write_starter_roster

    target = Path(where)
    is_workbook = target.suffix.lower() == ".xlsx" and not target.is_dir()
    if target.is_file() and not is_workbook:
        raise click.UsageError(
            f"{click.format_filename(where)} is a file, not a folder. Give a folder for "
            "roster.xlsx, or the name of a new workbook ending in .xlsx."
        )
    if not is_workbook and not target.is_dir() and target.suffix.lower() in _OTHER_FILES:
        raise click.UsageError(
            f"{click.format_filename(where)} is not the name of an .xlsx workbook, which is "
            f"how the roster is written. Give a name ending in .xlsx, e.g. "
            f"{click.format_filename(str(target.with_suffix('.xlsx')))}, or a folder."
        )
    if not is_workbook:
        target = target / STARTER_NAME
    path = write_starter_roster(target)
    click.echo(f"Wrote {click.format_filename(str(path))}.")
    click.echo(
        "Fill it in (its Instructions sheet explains each sheet), save it, then run: "
        f"mentordocs check {click.format_filename(str(path))}"
    )
