"""``mentordocs send``: each pair's packet by email, or (--remind) a reminder of what is missing."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict

import click

from mentordocs.cli.common import ClickProgress, echo_err, plural, quiet_option
from mentordocs.cli.mailsignin import (
    SMTP_PASSWORD_ENV,
    credentials,
    mail_settings,
    resolve_method,
    sign_in_options,
)
from mentordocs.errors import SendError
from mentordocs.forms import STAGES

if TYPE_CHECKING:
    from mentordocs.models import Roster
    from mentordocs.send import SendResult, Transport

PASSWORD_ENV = SMTP_PASSWORD_ENV
_HOST_PORT = re.compile(r"\[([^\]\s]+)\](?::(\d+))?|([^:\[\]\s]+)(?::(\d+))?")


class _SendOptions(TypedDict):
    """The keyword arguments send_packets and send_reminders share."""

    transport: Transport
    forms: list[str] | None
    pairs: list[str] | None
    message_template: Path | None
    cc_coordinator: bool
    from_address: str | None
    rate: float | None
    resend: bool
    dry_run: bool
    progress: ClickProgress
    stage: str
    on_ctrl_c: Callable[[str], None]


@click.command("send")
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
    help=f"Sign in as USER. A password comes from {PASSWORD_ENV} or is asked for (hidden).",
)
@sign_in_options
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
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default="start",
    show_default=True,
    help="The round of the year: the packet at the start, or the mid-point check-in or "
    "end-of-program review forms made with 'generate --stage'. With --remind: only that "
    "round's forms.",
)
@quiet_option
def send_command(
    out_dir: Path,
    roster_path: Path,
    smtp: str | None,
    outbox: Path | None,
    starttls: bool,
    use_ssl: bool,
    user: str | None,
    sign_in: str | None,
    ms_client_id: str | None,
    ms_tenant: str | None,
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
    stage: str,
) -> None:
    """Email each pair its packet, or (--remind) a reminder of what is missing.

    One message per pair to the mentor and the mentee, replies going to the coordinator, with
    that pair's forms and meetings calendar attached and nothing of any other pair. Every
    message is recorded in OUT/send-log.jsonl: running the command again sends only what is
    missing (a refused address, a pair left out, a new form), never the same thing twice.
    Later in the year, --stage midpoint and --stage end send the forms 'generate --stage'
    made, each round with its own email; --remind with --stage reminds only of that round's
    forms.
    One of --smtp and --outbox, or neither when the roster's Program sheet names the
    'Outgoing mail server'. The password is never an option: set MENTORDOCS_SMTP_PASSWORD or
    type it when asked; Microsoft 365 signs in with --sign-in microsoft365 (a code to enter in
    a browser, once; see docs/mail-sign-in.md). Exit 1 when anything was not sent
    (with --dry-run: would not be).

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs send packets --roster samples/roster.xlsx --outbox outbox
        mentordocs send packets --roster samples/roster.xlsx --smtp smtp.example.org \\
            --starttls --user coordinator@example.org --rate 20 --dry-run
        mentordocs send packets --roster samples/roster.xlsx --outbox outbox --remind tracking.xlsx
        mentordocs generate samples/roster.xlsx -o packets --stage midpoint --tracking tracking.xlsx
        mentordocs send packets --roster samples/roster.xlsx --outbox outbox --stage midpoint
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.roster import load_roster

    if smtp and outbox:
        raise click.UsageError("Give exactly one of --smtp HOST[:PORT] and --outbox DIR.")
    server = _ServerOptions(starttls, use_ssl, user, sign_in, ms_client_id, ms_tenant, cafile)
    _check_server_options(server, outbox=outbox is not None, rate=rate)
    if from_address:
        _check_from(from_address)
    roster = load_roster(roster_path)
    if outbox:
        transport: Transport = _outbox(outbox)
        where = f"written to {click.format_filename(str(outbox))}"
    else:
        transport, where = _smtp_transport(smtp, server, roster, roster_path)
    options = _SendOptions(
        transport=transport,
        forms=list(form_ids) or None,
        pairs=list(pair_ids) or None,
        message_template=message_file,
        cc_coordinator=cc_coordinator,
        from_address=from_address,
        rate=rate,
        resend=resend,
        dry_run=dry_run,
        progress=ClickProgress(quiet=quiet, min_items=2),
        stage=stage,
        on_ctrl_c=_say_stopping,
    )
    result = _send_or_stop(roster, out_dir, tracking, options)
    if tracking is not None and not result.outcomes:
        click.echo(
            "Nothing is outstanding for the pairs chosen"
            + (f" at the {stage} stage" if stage != "start" else "")
            + f", per {click.format_filename(str(tracking))}: no reminder to send."
        )
        return
    _print_send_result(result, where=where)
    if not result.complete:  # a dry run too: the real run would leave these unsent
        raise click.exceptions.Exit(1)


def _send_or_stop(
    roster: Roster, out_dir: Path, tracking: Path | None, options: _SendOptions
) -> SendResult:
    """Send (or remind); on Ctrl-C, say what went out and exit 130. Each message is logged
    before Ctrl-C is let through, so running again sends exactly the rest."""
    from mentordocs.records import SEND_LOG_NAME
    from mentordocs.send import InterruptedMidMessage, StoppedBySignal, send_packets, send_reminders

    logged = _logged(out_dir)
    try:
        if tracking is not None:
            return send_reminders(roster, out_dir, tracking, **options)
        return send_packets(roster, out_dir, **options)
    except KeyboardInterrupt as exc:
        how, code = "Ctrl-C", 130
        if isinstance(exc, StoppedBySignal):  # a scheduler's kill, the terminal closed
            how, code = exc.name, 128 + exc.number
        elif isinstance(exc, InterruptedMidMessage) and exc.name != how:
            how, code = exc.name, 128 + signal.Signals[exc.name]
        if options["dry_run"]:
            echo_err(f"\nStopped ({how}). Nothing was sent (a dry run).")
            raise click.exceptions.Exit(code) from None
        went = _logged(out_dir) - logged
        log = click.format_filename(str(Path(out_dir) / SEND_LOG_NAME))
        said = f"\nStopped ({how}). {plural(went, 'message')} went out before that, each recorded in {log}."
        if isinstance(exc, InterruptedMidMessage):  # pressed twice: one may be unrecorded
            said += (
                f" The message to {exc.pair_id} was being handed to the server at that moment: "
                "it may have gone without being recorded, and would go again. Ask the pair "
                f"whether it arrived; if it did, leave {exc.pair_id} out of the next run "
                "(name the other pairs with --pair)."
            )
        else:
            said += " Run the same command again to send the rest: nothing is sent twice."
        echo_err(said)
        raise click.exceptions.Exit(code) from None


def _say_stopping(pair_id: str) -> None:
    """Said at once on Ctrl-C while a message goes out: the server may take a while (up to its
    timeout) to accept it, and a second Ctrl-C then could leave it unrecorded."""
    echo_err(
        f"\nCtrl-C: stopping once the message to {pair_id}, which the server is taking now, is "
        "recorded in the send log (this can take up to a minute on a slow server). Pressing "
        "Ctrl-C again stops at once, but that message may then go out unrecorded."
    )


def _logged(out_dir: Path) -> int:
    """How many messages the packets folder's send log records, one a line (0 if it cannot be
    read): counted, not parsed, since send reads the log itself."""
    from mentordocs.records import SEND_LOG_NAME

    try:
        with (out_dir / SEND_LOG_NAME).open(encoding="utf-8", errors="replace") as log:
            return sum(1 for line in log if line.strip())
    except OSError:
        return 0


def _check_from(from_address: str) -> None:
    """--from must be an address (checked before anything is read or sent)."""
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.send import parse_address

    try:
        parse_address(from_address, "--from")
    except SendError as exc:
        raise click.BadParameter(str(exc), param_hint="'--from'") from exc


class _ServerOptions(NamedTuple):
    """The options about the SMTP server and signing in to it."""

    starttls: bool
    use_ssl: bool
    user: str | None
    sign_in: str | None
    ms_client_id: str | None
    ms_tenant: str | None
    cafile: Path | None


def _check_server_options(server: _ServerOptions, *, outbox: bool, rate: float | None) -> None:
    if server.starttls and server.use_ssl:
        raise click.UsageError("Give --starttls or --ssl, not both.")
    if outbox:
        given = [
            name
            for name, value in (
                ("--starttls", server.starttls),
                ("--ssl", server.use_ssl),
                ("--user", server.user),
                ("--sign-in", server.sign_in),
                ("--ms-client-id", server.ms_client_id),
                ("--ms-tenant", server.ms_tenant),
                ("--cafile", server.cafile),
                ("--rate", rate),
            )
            if value
        ]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise click.UsageError(f"{', '.join(given)} {verb} only with --smtp, not --outbox.")


def _outbox(outbox: Path) -> Transport:
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.send import OutboxTransport

    return OutboxTransport(outbox)


def _smtp_transport(
    smtp: str | None, server: _ServerOptions, roster: Roster, roster_path: Path
) -> tuple[Transport, str]:
    """The SMTP transport: --smtp (with --starttls/--ssl) replaces the roster's outgoing server
    and security as a whole; the sign-in (user, method, Microsoft 365 registration) comes from
    the options, else from the roster."""
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.send import SMTPTransport
    from mentordocs.signin import SMTP_SCOPE

    settings = mail_settings(roster, roster_path)
    if smtp:
        host, port = _smtp_host_port(smtp)
        security = "ssl" if server.use_ssl else "starttls" if server.starttls else "plain"
    elif settings.outgoing_server:
        host, port = settings.outgoing_server, settings.outgoing_port
        security = ("ssl" if server.use_ssl else "starttls" if server.starttls else "") or (
            settings.outgoing_security or "starttls"
        )
    else:
        raise click.UsageError(
            "Give exactly one of --smtp HOST[:PORT] and --outbox DIR (or write the 'Outgoing "
            "mail server' on the roster's Program sheet)."
        )
    user = server.user or settings.mail_user
    method = resolve_method(server.sign_in, settings, user)
    login = None
    if method != "none":
        user = user or roster.program.coordinator_email
        login = credentials(
            method=method,
            user=user,
            host=host,
            password_env=SMTP_PASSWORD_ENV,
            scopes=[SMTP_SCOPE],
            settings=settings,
            client_id=server.ms_client_id,
            tenant=server.ms_tenant,
            cafile=server.cafile,
        )
    transport = SMTPTransport(
        host,
        port,
        security=security,
        user=login.user if login else None,
        password=login.password if login else None,
        token=login.token if login else None,
        cafile=server.cafile,
    )
    return transport, f"sent through {host}"


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


def _print_send_result(result: SendResult, *, where: str) -> None:
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.records import SEND_LOG_NAME as SEND_LOG
    from mentordocs.send import CHANGED, FAILED, NOT_REACHED, WOULD_SEND

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
        counts = [f"{plural(len(result.would_send), noun)} would be {where}"]
    else:
        skipped: dict[str, list[str]] = {}  # one line for the pairs skipped for one reason
        for outcome in result.skipped:
            skipped.setdefault(outcome.detail, []).append(outcome.pair_id)
        for detail, skipped_ids in skipped.items():
            click.echo(f"{', '.join(skipped_ids)}: {detail}")
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
    counts.append(f"{len(result.failed)} {'would fail' if result.dry_run else 'failed'}")
    if result.skipped:
        counts.append(f"{len(result.skipped)} skipped")
    problems = [o for o in result.outcomes if o.status in (FAILED, CHANGED)] + result.refused
    if not result.dry_run:
        reported: dict[str, list[str]] = {}  # one line for the pairs held back for one reason
        for outcome in problems:
            if outcome.detail != NOT_REACHED:
                reported.setdefault(outcome.detail or outcome.status, []).append(outcome.pair_id)
        for detail, problem_ids in reported.items():
            echo_err(f"{', '.join(problem_ids)}: {detail}")
    for warning in result.warnings:
        echo_err(f"Warning: {warning}")
    if result.stopped:
        not_reached = [o.pair_id for o in problems if o.detail == NOT_REACHED]
        echo_err(f"Stopped: {result.stopped}")
        if not_reached:
            echo_err(f"Not sent because of that: {', '.join(not_reached)}.")
    summary = ", ".join(counts) + "."
    if result.dry_run:
        summary = f"Dry run: {summary} Nothing was sent."
    click.echo(summary)
    drafts = [Path(o.eml) for o in result.sent if o.eml]
    if drafts:  # the outbox: which files are new, among those of earlier runs
        names = ", ".join(d.name for d in drafts[:10]) + (
            f" and {len(drafts) - 10} more" if len(drafts) > 10 else ""
        )
        click.echo(
            f"New in {drafts[0].parent}: {names}. Open each in your mail program and send it."
        )
    if result.dry_run and problems:
        echo_err(
            f"Sending now would leave {plural(len(problems), noun)} unsent: fix what is listed "
            "above first, then run the command again."
        )
    elif problems and not result.stopped:
        echo_err(
            "Fix what is listed above (each line says how) and run the command again: only "
            "what is missing will be sent."
        )
    elif result.stopped:
        echo_err(
            "Once that is fixed, run the same command again: only what is missing will be sent."
        )
