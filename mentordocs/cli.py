"""The ``mentordocs`` command line: a thin layer over the library.

Errors from the core (``MentordocsError``) are shown as ``Error: ...`` with exit code 1; a wrong
command line exits 2 (Click's usage errors). Progress goes to stderr, results to stdout or files.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from mentordocs import __version__
from mentordocs.errors import MentordocsError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """A group whose commands turn library errors into ``Error: ...`` and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MentordocsError as exc:
            raise click.ClickException(str(exc)) from exc


class ClickProgress:
    """Draws core progress as a bar on stderr; silent with --quiet or when stderr is no terminal."""

    def __init__(self, quiet: bool = False, min_items: int = 20):
        self.enabled = not quiet and sys.stderr.isatty()
        self.min_items = min_items
        self._bar: Any = None

    def start(self, total: int, label: str) -> None:
        if self.enabled and total >= self.min_items:
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr, width=30)
            self._bar.__enter__()

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def echo_err(message: str) -> None:
    click.echo(message, err=True)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="mentordocs")
def cli() -> None:
    """Run the paperwork of a mentoring program in bulk.

    \b
    1. Fill one roster workbook:      mentordocs init      (then edit roster.xlsx in Excel)
    2. Check it:                      mentordocs check samples/roster.xlsx
    3. Make every pair's packet:      mentordocs generate samples/roster.xlsx -o packets
    4. Email each pair its packet:    mentordocs send packets --roster samples/roster.xlsx --outbox outbox
    5. Read the returned forms:       mentordocs collect returned/ -o tracking.xlsx --roster samples/roster.xlsx
    6. See what is still missing:     mentordocs status tracking.xlsx

    Run 'mentordocs COMMAND -h' for each command's options and an example.
    """


# ---- roster commands (check, init): owned by the roster work ----------------------------------


def format_problem(problem: Any) -> str:
    """One problem on one line: where, what is wrong, and 'Fix: ...'."""
    text = f"{problem.location}: {problem.message}"
    if problem.fix:
        text += f" Fix: {problem.fix}"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@cli.command("check")
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
    from mentordocs.roster import check_roster, load_roster, summarize

    problems = check_roster(roster)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        click.echo("Errors:")
        for problem in errors:
            click.echo(f"  {format_problem(problem)}")
    if warnings:
        click.echo("Warnings:")
        for problem in warnings:
            click.echo(f"  {format_problem(problem)}")
    name = click.format_filename(roster)
    if errors:
        click.echo(
            f"{name}: {_plural(len(errors), 'error')} and {_plural(len(warnings), 'warning')}. "
            f"Correct the errors, save, and run 'mentordocs check {name}' again."
        )
        raise click.exceptions.Exit(1)
    summary = summarize(load_roster(roster))
    note = f" ({_plural(len(warnings), 'warning')} above)" if warnings else ""
    click.echo(f"{name} is ready{note}. {summary}")


@cli.command("init")
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
    from pathlib import Path

    from mentordocs.starter import STARTER_NAME, write_starter_roster

    path = write_starter_roster(Path(directory) / STARTER_NAME)
    click.echo(f"Wrote {click.format_filename(str(path))}.")
    click.echo(
        "Fill it in (its Instructions sheet explains each sheet), save it, then run: "
        f"mentordocs check {click.format_filename(str(path))}"
    )


# ---- end roster commands ----------------------------------------------------------------------

# ---- templates commands (templates check, templates copy): owned by the forms work ------------

# ---- end templates commands -------------------------------------------------------------------

# ---- generate command: owned by the generator work --------------------------------------------

# ---- end generate command ---------------------------------------------------------------------

# ---- collect and status commands: owned by the harvest work -----------------------------------

# ---- end collect and status commands ----------------------------------------------------------

# ---- send command: owned by the send work -----------------------------------------------------

# ---- end send command -------------------------------------------------------------------------
