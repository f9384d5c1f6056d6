"""``mentordocs collect``: returned forms read into a tracking workbook."""

from __future__ import annotations

import click

from mentordocs.cli.common import ClickProgress, echo_err, quiet_option, templates_option


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

    INPUTS are .docx files, folders (searched recursively) and saved emails (.eml; their
    .docx attachments are read). Running it again adds new returns to the same workbook; the
    previous workbook is kept as TRACKING.xlsx.bak. Files that cannot be used are listed on
    the workbook's Problems sheet.

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx --packets packets
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.collect import collect_forms
    from mentordocs.roster import load_roster

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
    errors = [p for p in result.problems if p.severity == "error"]
    warnings = [p for p in result.problems if p.severity != "error"]
    click.echo(
        f"{result.read} form(s) read, {result.new} new, {result.unchanged} already in the "
        f"workbook, {result.other} other form(s), {len(errors)} problem(s), "
        f"{len(warnings)} warning(s)."
    )
    if result.skipped:
        click.echo(
            f"{result.skipped} file(s) skipped: blank forms exactly as generated, or Office "
            "lock files (~$...)."
        )
    for problem in result.problems[:20]:
        echo_err(f"  - {problem}")
    if len(result.problems) > 20:
        echo_err(f"  ... and {len(result.problems) - 20} more on the Problems sheet.")
    click.echo(
        f"Wrote {click.format_filename(tracking)}"
        + (f" (previous version kept as {result.backup.name})" if result.backup else "")
    )
