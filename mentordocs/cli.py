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

# ---- end roster commands ----------------------------------------------------------------------

# ---- templates commands (templates check, templates copy): owned by the forms work ------------

# ---- end templates commands -------------------------------------------------------------------

# ---- generate command: owned by the generator work --------------------------------------------

# ---- end generate command ---------------------------------------------------------------------

# ---- collect and status commands: owned by the harvest work -----------------------------------

# ---- end collect and status commands ----------------------------------------------------------

# ---- send command: owned by the send work -----------------------------------------------------

# ---- end send command -------------------------------------------------------------------------
