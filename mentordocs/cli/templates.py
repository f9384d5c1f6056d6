"""``mentordocs templates list|copy|check``: the Word form templates and a coordinator's edits."""

from __future__ import annotations

from pathlib import Path

import click

from mentordocs.cli.common import MentordocsGroup, plural


@click.group("templates", cls=MentordocsGroup)
def templates_group() -> None:
    """The Word form templates: list them, copy them out to edit, check your edits.

    \b
    Example:
        mentordocs templates list
        mentordocs templates copy my-templates
        mentordocs templates check my-templates --roster samples/roster.xlsx
    """


@templates_group.command("list")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=str))
def templates_list_command(directory: str | None) -> None:
    """List every form with its template, version and field counts.

    The packet's four forms come first, then the mid-point check-in and the end review.

    \b
    Example:
        mentordocs templates list
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.forms import load_form_specs

    for spec in load_form_specs(directory).values():
        required = sum(1 for f in spec.fields if f.required)
        click.echo(
            f"{spec.form:<27} {spec.title:<28} v{spec.version:<5} {len(spec.fields):>3} fields "
            f"({required} required)  {click.format_filename(str(spec.template_path))}"
        )


@templates_group.command("copy")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
def templates_copy_command(directory: str) -> None:
    """Copy the templates and their declarations into DIRECTORY, to edit in Word.

    Never overwrites: a file already in DIRECTORY is kept as it is. Edit the wording in
    Word, then run 'mentordocs templates check DIRECTORY' and generate with
    'mentordocs generate ROSTER -o OUT --templates DIRECTORY'.

    \b
    Example:
        mentordocs templates copy my-templates
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.generate.templates import copy_templates

    copied, kept = copy_templates(directory)
    for path in copied:
        click.echo(f"copied {click.format_filename(str(path))}")
    for path in kept:
        click.echo(f"kept   {click.format_filename(str(path))} (already there; not overwritten)")
    click.echo(f"Edit the templates in Word, then run: mentordocs templates check {directory}")


@templates_group.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=str),
    help="Render with pairs of this roster too (one of each plan type, the biggest and the "
    "smallest); needed when your templates use your own columns.",
)
def templates_check_command(directory: str | None, roster: str | None) -> None:
    """Check templates against their .json declarations (default: the shipped ones).

    Renders each form with sample data and reports: Jinja syntax errors, unknown variables
    (with the template and the tag), content controls without a tag, duplicated field ids,
    fields the declaration lacks and declared fields the template lacks. Exits 1 on any
    problem.

    \b
    Example:
        mentordocs templates check
        mentordocs templates check my-templates --roster samples/roster.xlsx
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.forms import FORM_IDS, templates_dir
    from mentordocs.generate.context import roster_contexts, sample_contexts
    from mentordocs.generate.templates import check_templates
    from mentordocs.roster import load_roster

    contexts = samples = None
    if roster is not None:
        loaded = load_roster(roster)
        contexts, samples = roster_contexts(loaded), sample_contexts(like=loaded)
    problems = check_templates(directory, contexts, samples)
    where = click.format_filename(directory or str(templates_dir()))
    for problem in problems:
        click.echo(("Warning: " if problem.severity == "warning" else "") + str(problem))
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        click.echo(f"{where}: {plural(len(errors), 'problem')} in the templates.")
        raise click.exceptions.Exit(1)
    folder = Path(directory) if directory is not None else templates_dir()
    checked = sum(
        (folder / f"{form}.json").exists() or (folder / f"{form}.docx").exists()
        for form in FORM_IDS
    )
    if checked < len(FORM_IDS):
        click.echo(f"{where}: the {checked} templates in it match their declarations.")
    else:
        click.echo(f"{where}: all {checked} templates match their declarations.")
