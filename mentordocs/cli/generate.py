"""``mentordocs generate``: every pair's packet of fillable Word forms and a meetings calendar."""

from __future__ import annotations

import click

from mentordocs.cli.common import ClickProgress, echo_err, quiet_option, templates_option
from mentordocs.forms import FORM_IDS, STAGES


@click.command("generate")
@click.argument("roster", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the packets (made if missing; re-running updates it).",
)
@click.option(
    "--form",
    "forms",
    multiple=True,
    type=click.Choice(FORM_IDS),
    help="Only this form (repeat for several). Default: every form of the stage.",
)
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default="start",
    show_default=True,
    help="The round of the year: the packet at the start, the mid-point check-in, or the "
    "end-of-program review (these two need --tracking).",
)
@click.option(
    "--tracking",
    type=click.Path(dir_okay=False),
    metavar="TRACKING.xlsx",
    help="The tracking workbook 'mentordocs collect' keeps: the review forms start from what "
    "each pair returned.",
)
@click.option(
    "--pair",
    "pairs",
    multiple=True,
    metavar="PAIR_ID",
    help="Only this pair (repeat for several). Default: every Active pair.",
)
@templates_option(
    "Folder of your own templates (see 'mentordocs templates copy'); checked against their "
    ".json declarations first, as 'mentordocs templates check' does."
)
@click.option("--include-inactive", is_flag=True, help="Also Paused and Ended pairs.")
@click.option(
    "--name",
    "name_pattern",
    default="{pair_id}_{form}",
    show_default=True,
    help="File names: {pair_id}, {form}, {mentor}, {mentee}, {program}.",
)
@click.option("--pdf", is_flag=True, help="Also a PDF beside each form (needs LibreOffice).")
@click.option(
    "--zip", "zip_packets", is_flag=True, help="Also one zip per pair: OUT/<pair id>.zip."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes that render and write in parallel (0: one per CPU). "
    "Default: one per CPU for 200 pairs or more, else 1.",
)
@click.option("--force", is_flag=True, help="Replace files that were edited after generating.")
@quiet_option
def generate_command(
    roster: str,
    out_dir: str,
    forms: tuple[str, ...],
    pairs: tuple[str, ...],
    templates_dir: str | None,
    include_inactive: bool,
    name_pattern: str,
    pdf: bool,
    zip_packets: bool,
    jobs: int | None,
    force: bool,
    quiet: bool,
    stage: str,
    tracking: str | None,
) -> None:
    """Make every pair's packet: the fillable Word forms and a meetings calendar.

    Writes OUT/<pair id>/ with one .docx per form and <pair id>_meetings.ics, and records
    everything in OUT/manifest.json. Running it again only rewrites what changed, and never
    replaces a form someone edited after it was generated (unless --force).

    Later in the year, --stage midpoint (the mid-point check-in) and --stage end (the
    end-of-program review) write those forms into the same folders, each started from what
    the pair returned, per the tracking workbook (--tracking): its goals as it wrote them, its
    commitments, the meetings it agreed. A pair whose goals never came back gets the roster's,
    and the summary names it ('mentordocs send -h' shows the mid-point round).

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs generate samples/roster.xlsx -o packets --pair P01 --form goal-sheet
        mentordocs generate samples/roster.xlsx -o packets --zip --jobs 2
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.generate.packets import STAGE_NAMES, SelectionError, generate_packets
    from mentordocs.records import MANIFEST_NAME
    from mentordocs.roster import load_roster

    loaded = load_roster(roster)
    try:
        result = generate_packets(
            loaded,
            out_dir,
            forms=forms or None,
            pairs=pairs or None,
            templates_dir=templates_dir,
            include_inactive=include_inactive,
            name_pattern=name_pattern,
            pdf=pdf,
            zip_packets=zip_packets,
            jobs=jobs,
            force=force,
            progress=ClickProgress(quiet=quiet),
            stage=stage,
            tracking=tracking,
        )
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from exc
    except KeyboardInterrupt:
        echo_err(
            f"\nStopped (Ctrl-C). The files made so far are in {click.format_filename(str(out_dir))} "
            f"and listed in its {MANIFEST_NAME}. Run the same command again to finish: what is "
            "already made is kept."
        )
        raise click.exceptions.Exit(130) from None
    if loaded.warnings:
        echo_err(
            f"Note: the roster has {len(loaded.warnings)} warning(s); "
            f"'mentordocs check {roster}' lists them."
        )
    for warning in result.warnings:
        echo_err(f"Warning: {warning}")
    parts = [f"{len(result.written)} file(s) written", f"{len(result.unchanged)} unchanged"]
    if result.pdfs:
        parts.append(f"{len(result.pdfs)} PDF(s) made")
    if result.zips:
        parts.append(f"{len(result.zips)} zip(s) written")
    if result.skipped_edited:
        parts.append(f"{len(result.skipped_edited)} kept because edited since generation")
    if result.skipped_open:
        parts.append(f"{len(result.skipped_open)} kept because open in Word")
    what = STAGE_NAMES[stage]
    click.echo(
        f"{what[0].upper()}{what[1:]} for {len(result.pairs)} pair(s) in {out_dir}: "
        + ", ".join(parts)
        + "."
    )
    if result.goal_sources:
        _echo_goal_sources(result.goal_sources)
    if result.skipped_edited:
        click.echo("To replace the edited files with freshly generated ones, add --force.")


def _echo_goal_sources(sources: dict[str, str]) -> None:
    """Where each pair's goals came from: their goal sheet, their action plan, the roster."""
    by_source: dict[str, list[str]] = {}
    for pair_id, source in sources.items():
        by_source.setdefault(source, []).append(pair_id)
    described = {
        "goal-sheet": "their goal sheet",
        "action-plan": "their action plan (the goal sheet has not come back)",
        "roster": "the roster (their goal sheet and action plan have not come back with goals)",
    }
    for source in ("goal-sheet", "action-plan", "roster"):
        pairs = by_source.get(source)
        if pairs:
            click.echo(f"Goals from {described[source]}: {len(pairs)} pair(s): {', '.join(pairs)}.")
