"""The ``mentordocs`` command line: a thin Click layer over the library.

One module per command (``check``, ``init``, ``templates``, ``generate``, ``collect``,
``status``, ``report``, ``send``) on the pieces they share in ``common``; this module makes the group and
registers them. Errors from the core (``MentordocsError``) are shown as ``Error: ...`` with exit
code 1; a wrong command line exits 2 (Click's usage errors). Progress goes to stderr, results to
stdout or files.

Imports: a command module imports click, the standard library, ``mentordocs.errors`` and
``mentordocs.cli.common`` at the top, and the rest of the library (which loads lxml, openpyxl,
Jinja and docxtpl) inside the command that uses it, so that ``mentordocs -h`` stays fast.
"""

from __future__ import annotations

import click

from mentordocs import __version__
from mentordocs.cli.check import check_command
from mentordocs.cli.collect import collect_command
from mentordocs.cli.common import CONTEXT_SETTINGS, MentordocsGroup
from mentordocs.cli.generate import generate_command
from mentordocs.cli.init import init_command
from mentordocs.cli.report import report_command
from mentordocs.cli.send import send_command
from mentordocs.cli.status import status_command
from mentordocs.cli.templates import templates_group


@click.group(cls=MentordocsGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="mentordocs")
def cli() -> None:
    """Run the paperwork of a mentoring program in bulk.

    \b
    1. Fill one roster workbook:      mentordocs init      (then edit roster.xlsx in Excel)
    2. Check it:                      mentordocs check roster.xlsx
    3. Make every pair's packet:      mentordocs generate roster.xlsx -o packets
    4. Email each pair its packet:    mentordocs send packets --roster roster.xlsx --outbox outbox
    5. Read the returned forms:       mentordocs collect returned/ -o tracking.xlsx --roster roster.xlsx --packets packets
    6. See what is still missing:     mentordocs status tracking.xlsx
    7. Summarise it for your report:  mentordocs report tracking.xlsx -o report

    To try it first on the sample program, give samples/roster.xlsx as the roster.
    Run 'mentordocs COMMAND -h' for each command's options and an example.
    """


cli.add_command(check_command)
cli.add_command(init_command)
cli.add_command(templates_group)
cli.add_command(generate_command)
cli.add_command(collect_command)
cli.add_command(status_command)
cli.add_command(report_command)
cli.add_command(send_command)

__all__ = ["cli"]
