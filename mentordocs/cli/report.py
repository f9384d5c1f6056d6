"""``mentordocs report``: a one-page program summary from a tracking workbook."""

from __future__ import annotations

import click

from mentordocs.cli.common import plural, templates_option


@click.command("report")
@click.argument("tracking", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="The folder to write summary.xlsx and summary.html (and summary.pdf) into; made if "
    "missing.",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print the page to summary.pdf (needs LibreOffice; set MENTORDOCS_SOFFICE if it "
    "is not found).",
)
@templates_option("Your own templates folder, if you generated with --templates.")
def report_command(tracking: str, out_dir: str, pdf: bool, templates_dir: str | None) -> None:
    """Write a one-page program summary for your report, from a tracking workbook.

    The summary says, for each stage of the year (the start packet, the mid-point check-in,
    the end-of-program review): how many active pairs returned each form, complete and
    signed, how many still owe it and how many were not sent it yet; how many goals stand at
    each status at the mid-point and at the end; and which pairs need attention (forms owed,
    forms not complete or not signed, goals at risk or not achieved), with why.

    It is written into OUT as summary.xlsx (a Summary sheet with charts, set to print on one
    page), summary.html (one page with its charts, to open in a browser, print or attach) and,
    with --pdf, summary.pdf. Only counts, titles, names and statuses are in it: no answer from
    a form, so nothing confidential, even from a workbook collected with
    --include-confidential. The tracking workbook is only read, never changed.

    \b
    Example:
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx --packets packets
        mentordocs report tracking.xlsx -o report
        mentordocs report tracking.xlsx -o report --pdf
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.forms import load_form_specs
    from mentordocs.report import write_report

    specs = load_form_specs(templates_dir)
    result = write_report(tracking, out_dir, specs=specs, pdf=pdf)
    summary = result.summary
    for stage in summary.stages:
        for form in stage.forms:
            click.echo(
                f"{stage.title}: {form.title}: {form.returned} returned, {form.missing} missing"
                + (f", {form.not_sent} not sent yet" if form.not_sent else "")
            )
    for goals in summary.goals:
        counts = ", ".join(f"{n} {status.lower()}" for status, n in goals.counts if n)
        click.echo(f"{goals.title}: {counts or 'none'}")
    click.echo(f"{plural(len(summary.attention), 'pair')} need attention.")
    for path in result.files:
        click.echo(f"Wrote {click.format_filename(str(path))}")
    if result.stale_pdf is not None:
        click.echo(
            f"Note: {click.format_filename(str(result.stale_pdf))} is from an earlier run, with "
            "older figures: run with --pdf to bring it up to date, or delete it."
        )
