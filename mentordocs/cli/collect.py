"""``mentordocs collect``: returned forms read into a tracking workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mentordocs.cli.common import ClickProgress, echo_err, quiet_option, templates_option

if TYPE_CHECKING:
    from mentordocs.collect import CollectResult


@click.command("collect")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=False, path_type=str))
@click.option(
    "-o",
    "--output",
    "tracking",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The tracking workbook (.xlsx) to create or add to.",
)
@click.option(
    "--roster",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="The program's roster workbook.",
)
@click.option(
    "--packets",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="The folder the packets were generated into (fills Generated/Sent, helps match fields).",
)
@templates_option("Your own templates folder, if you generated with --templates.")
@click.option(
    "--include-confidential",
    is_flag=True,
    help="Copy confidential answers too (by default only 'filled in' or 'blank').",
)
@quiet_option
def collect_command(
    inputs: tuple[str, ...],
    tracking: str,
    roster: str,
    packets: str | None,
    templates_dir: str | None,
    include_confidential: bool,
    quiet: bool,
) -> None:
    """Read returned forms into a tracking workbook.

    INPUTS are files and folders (searched to the bottom): Word forms (.docx), OpenDocument
    forms (.odt), PDFs, zip archives, saved emails (.eml) and Outlook messages (.msg), the
    attachments and forwarded messages inside them included. Every file is either read as a
    form, named as not a form (pictures, texts...), or listed on the workbook's Problems sheet
    with what to do. An answer goes into its question's column only when the question is
    proven (the field's name, or its label in the pair's own form); any other answer is put on
    the Review sheet for you to check.

    Running it again adds new returns to the same workbook; the previous workbook is kept as
    TRACKING.xlsx.bak. The command ends with exit code 1 when a file that may be a returned
    form could not be read (the Problems sheet says which and why), 0 otherwise.

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx --packets packets
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.collect import collect_forms
    from mentordocs.roster import load_roster

    if not tracking.lower().endswith(".xlsx"):
        raise click.BadParameter(
            f"{tracking!r} does not end in .xlsx: the tracking workbook is an Excel workbook "
            "(with several sheets and a chart, which a .csv cannot hold). Give a name ending in "
            ".xlsx, e.g. -o tracking.xlsx.",
            param_hint="'-o' / '--output'",
        )
    loaded = load_roster(roster)
    result = collect_forms(
        list(inputs),
        tracking,
        loaded,
        packets_dir=packets,
        include_confidential=include_confidential,
        templates_dir=templates_dir,
        progress=ClickProgress(quiet=quiet),
    )
    _report(result, tracking)
    if result.unreadable:
        raise SystemExit(1)


def _report(result: CollectResult, tracking: str) -> None:
    """What the run did, ending with one line that counts every file."""
    click.echo(
        f"{result.new} new return(s), {result.unchanged} already in the workbook, "
        f"{result.other} form(s) made elsewhere (Other forms sheet)"
        + (f", {result.review} answer(s) to check on the Review sheet" if result.review else "")
        + "."
    )
    if result.skipped:
        click.echo(
            f"{result.skipped} file(s) passed over: blank forms exactly as generated, Office lock "
            "files (~$...) and system files."
        )
    if result.not_forms:
        names = ", ".join(Path(n.split(" > ")[-1]).name for n in result.not_forms[:5])
        more = f" and {len(result.not_forms) - 5} more" if len(result.not_forms) > 5 else ""
        click.echo(f"{len(result.not_forms)} file(s) are not forms: {names}{more}.")
    for problem in result.problems[:20]:
        echo_err(f"  - {problem}")
    if len(result.problems) > 20:
        echo_err(f"  ... and {len(result.problems) - 20} more on the Problems sheet.")
    click.echo(
        f"Wrote {click.format_filename(tracking)}"
        + (f" (previous version kept as {result.backup.name})" if result.backup else "")
    )
    click.echo(
        f"Files: {result.read} read as forms, {len(result.not_forms)} not forms, "
        f"{result.attention} needing attention"
        + (f" ({result.unreadable} could not be read)" if result.unreadable else "")
        + "."
    )
