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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


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
    from mentordocs.roster import summarize, validate_roster

    loaded, problems = validate_roster(roster)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        click.echo("Errors:")
        for problem in errors:
            click.echo(f"  {problem}")
    if warnings:
        click.echo("Warnings:")
        for problem in warnings:
            click.echo(f"  {problem}")
    name = click.format_filename(roster)
    if errors:
        click.echo(
            f"{name}: {_plural(len(errors), 'error')} and {_plural(len(warnings), 'warning')}. "
            f"Correct the errors, save, and run 'mentordocs check {name}' again."
        )
        raise click.exceptions.Exit(1)
    note = f" ({_plural(len(warnings), 'warning')} above)" if warnings else ""
    summary = f" {summarize(loaded)}" if loaded is not None else ""
    click.echo(f"{name} is ready{note}.{summary}")


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

    from mentordocs.roster import STARTER_NAME, write_starter_roster

    path = write_starter_roster(Path(directory) / STARTER_NAME)
    click.echo(f"Wrote {click.format_filename(str(path))}.")
    click.echo(
        "Fill it in (its Instructions sheet explains each sheet), save it, then run: "
        f"mentordocs check {click.format_filename(str(path))}"
    )


# ---- end roster commands ----------------------------------------------------------------------

# ---- templates commands (templates check, templates copy): owned by the forms work ------------


@cli.group("templates", cls=_Group)
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
    """List the forms of a packet with their template, version and field counts.

    \b
    Example:
        mentordocs templates list
    """
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
    from mentordocs.forms import copy_templates

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
    help="Render with pairs of this roster (one of each plan type, the biggest and the "
    "smallest) instead of the built-in sample; needed when your templates use your own columns.",
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
    from mentordocs.forms import check_templates, templates_dir

    contexts = None
    if roster is not None:
        from mentordocs.generate.context import build_context, program_context, representative_pairs
        from mentordocs.roster import load_roster

        loaded = load_roster(roster)
        program = program_context(loaded.program)
        pairs = representative_pairs(loaded)
        contexts = [build_context(loaded, pair, program) for pair in pairs]
    problems = check_templates(directory, contexts)
    where = click.format_filename(directory or str(templates_dir()))
    if problems:
        for problem in problems:
            click.echo(str(problem))
        count = len(problems)
        click.echo(f"{where}: {count} problem{'' if count == 1 else 's'} in the templates.")
        raise click.exceptions.Exit(1)
    click.echo(f"{where}: all four templates match their declarations.")


# ---- end templates commands -------------------------------------------------------------------

# ---- generate command: owned by the generator work --------------------------------------------

_FORM_CHOICES = (
    "action-plan",
    "terms-of-engagement",
    "goal-sheet",
    "confidentiality-agreement",
)


@cli.command()
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
    type=click.Choice(_FORM_CHOICES),
    help="Only this form (repeat for several). Default: all four.",
)
@click.option(
    "--pair",
    "pairs",
    multiple=True,
    metavar="PAIR_ID",
    help="Only this pair (repeat for several). Default: every Active pair.",
)
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of your own templates (see 'mentordocs templates copy').",
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
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def generate(
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
) -> None:
    """Make every pair's packet: the fillable Word forms and a meetings calendar.

    Writes OUT/<pair id>/ with one .docx per form and <pair id>_meetings.ics, and records
    everything in OUT/manifest.json. Running it again only rewrites what changed, and never
    replaces a form someone edited after it was generated (unless --force).

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs generate samples/roster.xlsx -o packets --pair P01 --form goal-sheet
        mentordocs generate samples/roster.xlsx -o packets --zip --jobs 2
    """
    from mentordocs.generate.packets import SelectionError, generate_packets
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
        )
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from exc
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
    click.echo(f"Packets for {len(result.pairs)} pair(s) in {out_dir}: " + ", ".join(parts) + ".")
    if result.skipped_edited:
        click.echo("To replace the edited files with freshly generated ones, add --force.")


# ---- end generate command ---------------------------------------------------------------------

# ---- collect and status commands: owned by the harvest work -----------------------------------


@cli.command("collect")
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
@click.option(
    "--templates",
    "templates_dir",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="Your own templates folder, if you generated with --templates.",
)
@click.option(
    "--include-confidential",
    is_flag=True,
    help="Copy confidential answers too (by default only 'filled in' or 'blank').",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
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
    from mentordocs.collect.harvest import collect_forms
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


@cli.command("status")
@click.argument("tracking", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def status_command(tracking: str, as_json: bool) -> None:
    """Show the forms each pair still owes, from a tracking workbook.

    \b
    Example:
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs status tracking.xlsx
        mentordocs status tracking.xlsx --json
    """
    import json as json_module
    from dataclasses import asdict

    from mentordocs.tracking.workbook import read_outstanding

    outstanding = read_outstanding(tracking)
    if as_json:
        payload = {
            pair_id: [asdict(item) for item in items] for pair_id, items in outstanding.items()
        }
        click.echo(json_module.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not outstanding:
        click.echo(
            "Nothing outstanding: every active pair has returned every form, complete and signed."
        )
        return
    for pair_id, items in outstanding.items():
        click.echo(f"{pair_id}:")
        for item in items:
            click.echo(f"  {item.form_title or item.form}: {'; '.join(item.reasons)}")
    count = sum(len(items) for items in outstanding.values())
    click.echo(f"{count} form(s) outstanding for {len(outstanding)} pair(s).")


# ---- end collect and status commands ----------------------------------------------------------

# ---- send command: owned by the send work -----------------------------------------------------

import re as _re  # noqa: E402
from pathlib import Path  # noqa: E402

PASSWORD_ENV = "MENTORDOCS_SMTP_PASSWORD"
_HOST_PORT = _re.compile(r"\[([^\]\s]+)\](?::(\d+))?|([^:\[\]\s]+)(?::(\d+))?")


def _smtp_host_port(value: str) -> tuple[str, int | None]:
    """``host``, ``host:port`` or ``[IPv6 address]:port`` from --smtp."""
    match = _HOST_PORT.fullmatch(value.strip())
    port_text = match and (match.group(2) or match.group(4))
    port = int(port_text) if port_text else None
    if not match or (port is not None and not 0 < port < 65536):
        raise click.BadParameter(
            f"{value!r} is not HOST or HOST:PORT (e.g. smtp.example.org:587).",
            param_hint="'--smtp'",
        )
    return match.group(1) or match.group(3), port


def _print_send_result(result: Any, *, where: str) -> None:
    from mentordocs.records import SEND_LOG_NAME as SEND_LOG
    from mentordocs.send.sending import CHANGED, FAILED, NOT_REACHED, WOULD_SEND

    noun = "reminder" if result.kind == "reminder" else "message"
    if result.dry_run:
        for outcome in result.outcomes:
            if outcome.status == WOULD_SEND:
                click.echo(
                    f"{outcome.pair_id}: would send to {', '.join(outcome.recipients)}: "
                    f"{', '.join(outcome.files) or '(no attachment)'}"
                )
                if outcome.detail:
                    click.echo(f"    note: {outcome.detail}")
            else:
                click.echo(f"{outcome}")
        counts = [f"{_plural(len(result.would_send), noun)} would be {where}"]
    else:
        for outcome in result.skipped:
            click.echo(f"{outcome}")
        already = result.already_sent
        if len(already) > 10:
            ids = ", ".join(o.pair_id for o in already)
            done = "Already written" if result.transport == "outbox" else "Already sent"
            click.echo(f"{done} (see {SEND_LOG}): {ids}")
        else:
            for outcome in already:
                click.echo(f"{outcome}")
        counts = [f"{len(result.sent)} {'written' if result.transport == 'outbox' else 'sent'}"]
    counts.append(f"{len(result.already_sent)} already sent")
    if result.changed:
        counts.append(f"{len(result.changed)} changed since sent")
    counts.append(f"{len(result.failed)} failed")
    if result.skipped:
        counts.append(f"{len(result.skipped)} skipped")
    problems = [o for o in result.outcomes if o.status in (FAILED, CHANGED)] + result.refused
    if not result.dry_run:
        for outcome in problems:
            if outcome.detail != NOT_REACHED:
                echo_err(f"{outcome}")
    if result.stopped:
        not_reached = [o.pair_id for o in problems if o.detail == NOT_REACHED]
        echo_err(f"Stopped: {result.stopped}")
        if not_reached:
            echo_err(f"Not sent because of that: {', '.join(not_reached)}.")
    summary = ", ".join(counts) + "."
    if result.dry_run:
        summary = f"Dry run: {summary} Nothing was sent."
    click.echo(summary)
    if not result.dry_run and problems and not result.stopped:
        echo_err(
            "Fix what is listed above and run the same command again: only what is missing "
            "will be sent."
        )
    elif result.stopped:
        echo_err(
            "Once that is fixed, run the same command again: only what is missing will be sent."
        )


@cli.command("send")
@click.argument(
    "out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--roster",
    "roster_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The roster workbook the packets were made from (names and email addresses).",
)
@click.option("--smtp", metavar="HOST[:PORT]", help="Send through this mail server.")
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each message as a .eml file in this folder, to send from your own mail program.",
)
@click.option("--starttls", is_flag=True, help="Encrypt the connection with STARTTLS (port 587).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect over SSL/TLS (port 465).")
@click.option(
    "--user",
    metavar="USER",
    help=f"Log in as USER. The password comes from {PASSWORD_ENV} or is asked for (hidden).",
)
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust server certificates signed by this certificate (PEM), e.g. a company CA.",
)
@click.option(
    "--from",
    "from_address",
    metavar="ADDRESS",
    help="Sender address (default: the roster's coordinator; replies always go to them).",
)
@click.option("--cc-coordinator", is_flag=True, help="Send the coordinator a copy of each message.")
@click.option(
    "--message",
    "message_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own email template (see docs/send.md) instead of the shipped one.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    metavar="N",
    help="At most N messages per minute (providers throttle bulk mail).",
)
@click.option(
    "--pair", "pair_ids", multiple=True, metavar="ID", help="Only this pair (repeatable)."
)
@click.option(
    "--form", "form_ids", multiple=True, metavar="ID", help="Only this form (repeatable)."
)
@click.option("--resend", is_flag=True, help="Send again what was already sent.")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@click.option(
    "--remind",
    "tracking",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TRACKING.xlsx",
    help="Send reminders of the forms still missing per this tracking workbook.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def send_command(
    out_dir: Path,
    roster_path: Path,
    smtp: str | None,
    outbox: Path | None,
    starttls: bool,
    use_ssl: bool,
    user: str | None,
    cafile: Path | None,
    from_address: str | None,
    cc_coordinator: bool,
    message_file: Path | None,
    rate: float | None,
    pair_ids: tuple[str, ...],
    form_ids: tuple[str, ...],
    resend: bool,
    dry_run: bool,
    tracking: Path | None,
    quiet: bool,
) -> None:
    """Email each pair its packet, or (--remind) a reminder of what is missing.

    One message per pair to the mentor and the mentee, replies going to the coordinator, with
    that pair's forms and meetings calendar attached and nothing of any other pair. Every
    message is recorded in OUT/send-log.jsonl: running the command again sends only what is
    missing (a refused address, a pair left out, a new form), never the same thing twice.
    Exactly one of --smtp and --outbox. The password is never an option: set
    MENTORDOCS_SMTP_PASSWORD or type it when asked. Exit 1 when anything was not sent.

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs send packets --roster samples/roster.xlsx --outbox outbox
        mentordocs send packets --roster samples/roster.xlsx --smtp smtp.example.org \\
            --starttls --user coordinator@example.org --rate 20 --dry-run
        mentordocs send packets --roster samples/roster.xlsx --outbox outbox --remind tracking.xlsx
    """
    import os

    from mentordocs.roster import load_roster
    from mentordocs.send.mail import OutboxTransport, SMTPTransport
    from mentordocs.send.sending import send_packets, send_reminders

    if bool(smtp) == bool(outbox):
        raise click.UsageError("Give exactly one of --smtp HOST[:PORT] and --outbox DIR.")
    if from_address:
        from mentordocs.errors import SendError
        from mentordocs.send.mail import parse_address

        try:
            parse_address(from_address, "--from")
        except SendError as exc:
            raise click.BadParameter(str(exc), param_hint="'--from'") from exc
    if starttls and use_ssl:
        raise click.UsageError("Give --starttls or --ssl, not both.")
    if outbox:
        given = [
            name
            for name, value in (
                ("--starttls", starttls),
                ("--ssl", use_ssl),
                ("--user", user),
                ("--cafile", cafile),
                ("--rate", rate),
            )
            if value
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)} only apply with --smtp, not --outbox.")
        transport: Any = OutboxTransport(outbox)
        where = f"written to {click.format_filename(str(outbox))}"
    else:
        assert smtp is not None
        host, port = _smtp_host_port(smtp)

        def password() -> str:
            value = os.environ.get(PASSWORD_ENV)
            if value:
                return value
            return click.prompt(
                f"Password for {user} on {host} (or set {PASSWORD_ENV})",
                hide_input=True,
                err=True,
            )

        security = "ssl" if use_ssl else "starttls" if starttls else "plain"
        transport = SMTPTransport(
            host,
            port,
            security=security,
            user=user,
            password=password if user else None,
            cafile=cafile,
        )
        where = f"sent through {host}"

    roster = load_roster(roster_path)
    options: dict[str, Any] = {
        "transport": transport,
        "forms": list(form_ids) or None,
        "pairs": list(pair_ids) or None,
        "message_template": message_file,
        "cc_coordinator": cc_coordinator,
        "from_address": from_address,
        "rate": rate,
        "resend": resend,
        "dry_run": dry_run,
        "progress": ClickProgress(quiet=quiet, min_items=2),
    }
    if tracking is not None:
        result = send_reminders(roster, out_dir, tracking, **options)
    else:
        result = send_packets(roster, out_dir, **options)
    if tracking is not None and not result.outcomes:
        click.echo(
            f"Nothing is outstanding for the pairs chosen, per "
            f"{click.format_filename(str(tracking))}: no reminder to send."
        )
        return
    _print_send_result(result, where=where)
    if not result.dry_run and not result.complete:
        raise click.exceptions.Exit(1)


# ---- end send command -------------------------------------------------------------------------
