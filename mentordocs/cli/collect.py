"""``mentordocs collect``: returned forms read into a tracking workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

from mentordocs.cli.common import ClickProgress, echo_err, quiet_option, templates_option
from mentordocs.cli.mailsignin import credentials, mail_settings, resolve_method, sign_in_options

if TYPE_CHECKING:
    from mentordocs.collect import CollectResult, MailboxInput
    from mentordocs.mailsettings import MailSettings
    from mentordocs.models import Roster


@click.command("collect")
@click.argument("inputs", nargs=-1, type=click.Path(exists=False, path_type=str))
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
    help="The folder the packets were generated into (fills Generated/Sent, says which pairs "
    "were given a later stage's forms, helps match fields).",
)
@templates_option("Your own templates folder, if you generated with --templates.")
@click.option(
    "--include-confidential",
    is_flag=True,
    help="Copy confidential answers too (by default only 'filled in' or 'blank').",
)
@click.option(
    "--move-to",
    metavar="FOLDER",
    help="Move each mail message whose forms were read into this mailbox folder (after the "
    "workbook is saved); by default messages are left where they are, unread.",
)
@sign_in_options
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust mail server certificates signed by this certificate (PEM), e.g. a company CA.",
)
@quiet_option
def collect_command(
    inputs: tuple[str, ...],
    tracking: str,
    roster: str,
    packets: str | None,
    templates_dir: str | None,
    include_confidential: bool,
    move_to: str | None,
    sign_in: str | None,
    ms_client_id: str | None,
    ms_tenant: str | None,
    cafile: Path | None,
    quiet: bool,
) -> None:
    """Read returned forms into a tracking workbook.

    INPUTS are files and folders (searched to the bottom): Word forms (.docx), OpenDocument
    forms (.odt), PDFs, zip archives, saved emails (.eml) and Outlook messages (.msg), the
    attachments and forwarded messages inside them included; and mailbox folders,
    imaps://USER@SERVER/FOLDER (with no INPUTS, the roster's 'Mailbox to collect'). A mailbox
    is read without changing anything in it (messages stay unread), and only the messages not
    read before; the password comes from MENTORDOCS_IMAP_PASSWORD or is asked for, or use
    --sign-in microsoft365 (see docs/mail-sign-in.md). Every file is either read as a
    form, named as not a form (pictures, texts...), or listed on the workbook's Problems sheet
    with what to do. An answer goes into its question's column only when the question is
    proven (the field's name, or its label in the pair's own form); any other answer is put on
    the Review sheet for you to check.

    Running it again adds new returns to the same workbook; the previous workbook is kept as
    TRACKING.xlsx.bak. The whole year goes into one workbook: the mid-point check-ins and
    end-of-program reviews too. A later stage's form is owed by a pair once it was generated
    for it, which the workbook learns from --packets (and keeps): collect with --packets
    after each 'generate --stage'; until then the Status sheet says "Not sent yet". The command ends with exit code 1 when a file that may be a returned
    form could not be read (the Problems sheet says which and why), 0 otherwise.

    \b
    Example:
        mentordocs generate samples/roster.xlsx -o packets
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx
        mentordocs collect packets -o tracking.xlsx --roster samples/roster.xlsx --packets packets
    """
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.collect import collect_forms
    from mentordocs.mailsettings import is_mailbox_url
    from mentordocs.roster import load_roster

    if not tracking.lower().endswith(".xlsx"):
        raise click.BadParameter(
            f"{tracking!r} does not end in .xlsx: the tracking workbook is an Excel workbook "
            "(with several sheets and a chart, which a .csv cannot hold). Give a name ending in "
            ".xlsx, e.g. -o tracking.xlsx.",
            param_hint="'-o' / '--output'",
        )
    loaded = load_roster(roster)
    files = [item for item in inputs if not is_mailbox_url(item)]
    login = _SignIn(sign_in, ms_client_id, ms_tenant, cafile)
    mailboxes, settings = _mailboxes(inputs, loaded, Path(roster), login)
    if not files and not mailboxes:
        raise click.UsageError(
            "Give the files, folders or mailbox to collect from (or write the 'Mailbox to "
            "collect' on the roster's Program sheet)."
        )
    if move_to and not mailboxes:
        raise click.UsageError(
            f"--move-to {move_to!r} moves messages within a mailbox, and no mailbox is being "
            "read. Add the mailbox (imaps://USER@SERVER/FOLDER) to the inputs, or leave "
            "--move-to out."
        )
    try:
        result = collect_forms(
            files,
            tracking,
            loaded,
            packets_dir=packets,
            include_confidential=include_confidential,
            templates_dir=templates_dir,
            progress=ClickProgress(quiet=quiet),
            mailboxes=mailboxes,
            move_to=move_to or (settings.move_to if settings and mailboxes else None) or None,
        )
    except KeyboardInterrupt as exc:
        _say_stopped(exc, tracking)
        raise click.exceptions.Exit(130) from None
    _report(result, tracking)
    if result.unreadable or result.not_moved:
        raise SystemExit(1)


def _say_stopped(exc: KeyboardInterrupt, tracking: str | Path) -> None:
    "What Ctrl-C left: the workbook as it was, or saved with some emails not moved yet."
    from mentordocs.collect.harvest import StoppedAfterSaving

    where = click.format_filename(str(tracking))
    if isinstance(exc, StoppedAfterSaving):
        echo_err(
            f"\nStopped (Ctrl-C) after {where} was saved: every return read is in it, but some "
            f"of the emails read may not have been moved to '{exc.folder}' yet. They will not "
            "be read again; move the ones still in the mailbox's folder by hand."
        )
    else:
        echo_err(
            f"\nStopped (Ctrl-C). Nothing was written: {where} is as it was and no email was "
            "moved. Run the same command again to collect."
        )


class _SignIn(NamedTuple):
    method: str | None
    client_id: str | None
    tenant: str | None
    cafile: Path | None


def _mailboxes(
    inputs: tuple[str, ...], roster: Roster, roster_path: Path, sign_in: _SignIn
) -> tuple[list[MailboxInput], MailSettings | None]:
    """The mailbox inputs (or the roster's mailbox when no input is given), each with how to
    sign in to it."""
    # Imported here to keep 'mentordocs -h' fast (see mentordocs.cli).
    from mentordocs.collect import MailboxInput
    from mentordocs.collect.mailbox import IMAP_PASSWORD_ENV
    from mentordocs.mailsettings import MailAddressError, is_mailbox_url, parse_mailbox_url
    from mentordocs.signin import IMAP_SCOPE

    urls = [item for item in inputs if is_mailbox_url(item)]
    settings = mail_settings(roster, roster_path) if urls or not inputs else None
    default_user = (settings.mail_user if settings else "") or roster.program.coordinator_email
    try:
        addresses = [parse_mailbox_url(url, default_user=default_user) for url in urls]
    except MailAddressError as exc:
        raise click.BadParameter(str(exc), param_hint="INPUTS") from exc
    if not inputs and settings is not None and settings.mailbox is not None:
        addresses = [settings.mailbox]
    out = []
    for address in addresses:
        method = resolve_method(sign_in.method, settings, address.user)
        if method == "none":
            raise click.BadParameter(
                f"a mailbox ({address.host}) always needs a sign-in; 'none' is only for a mail "
                "relay that sends without one. Use --sign-in password (the default) or "
                "microsoft365, or change 'Mail sign-in' on the roster's Program sheet.",
                param_hint="'--sign-in'",
            )
        login = credentials(
            method=method,
            user=address.user,
            host=address.host,
            password_env=IMAP_PASSWORD_ENV,
            scopes=[IMAP_SCOPE],
            settings=settings,
            client_id=sign_in.client_id,
            tenant=sign_in.tenant,
            cafile=sign_in.cafile,
        )
        cafile = str(sign_in.cafile) if sign_in.cafile else None
        out.append(MailboxInput(address, login, cafile))
    return out, settings


def _report(result: CollectResult, tracking: str) -> None:
    """What the run did, ending with one line that counts every file."""
    click.echo(
        f"{result.new} new return(s), {result.unchanged} already in the workbook, "
        f"{result.other} form(s) made elsewhere (Other forms sheet)"
        + (f", {result.review} answer(s) to check on the Review sheet" if result.review else "")
        + "."
    )
    if result.blank:
        click.echo(
            f"{result.blank} form(s) as generated, nothing filled in: not counted as returned."
        )
    if result.skipped:
        click.echo(
            f"{result.skipped} file(s) passed over: Office lock files (~$...) and system files "
            "(hidden folders too)."
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
    for folder, forms in result.templates_of_packets.items():
        click.echo(
            f"Read {', '.join(forms)} against your templates in "
            f"{click.format_filename(str(folder))}, which the packets were generated with (give "
            "--templates to use others)."
        )
    if result.messages or result.moved or result.notes or result.messages_twice:
        click.echo(
            f"Mail: {result.messages} new message(s) read"
            + (
                f" (and {result.messages_twice} second copy(ies) of a message read, passed over)"
                if result.messages_twice
                else ""
            )
            + (f", {result.moved} moved" if result.moved else "")
            + "."
            + "".join(f" {note}" for note in result.notes)
        )
    click.echo(
        f"Files: {result.read} read as forms"
        + (f" ({result.blank} of them blank, as generated)" if result.blank else "")
        + f", {len(result.not_forms)} not forms"
        + (f", {result.skipped} passed over" if result.skipped else "")
        + f", {result.attention} needing attention"
        + (f" ({result.unreadable} could not be read)" if result.unreadable else "")
        + (
            f"; the Problems sheet still lists {result.still_listed} more from earlier runs"
            if result.still_listed
            else ""
        )
        + "."
    )
