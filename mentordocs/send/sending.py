"""Email each pair its packet, or a reminder of what is still missing, exactly once.

``send_packets`` sends one message per pair to the mentor and the mentee (Reply-To the
coordinator) with that pair's forms and meetings calendar attached; ``send_reminders`` sends
each pair with outstanding forms (per the tracking workbook) a reminder naming them, with those
forms attached again. Both go through a ``Transport`` (SMTP or a folder of .eml files).

Never twice: every message is appended to ``OUT/send-log.jsonl`` (``records.SendRecord``) as soon
as the server accepts it. Before each message the log is consulted per recipient and per file
(path + sha256), so a re-run sends exactly what is missing: a recipient the server refused
gets it next time, a new form goes alone, and a form that changed since it was sent is held back
and reported until ``resend=True``. Reminders: the same outstanding forms are not reminded twice
on the same day (one reminder a day at most) unless ``resend=True``.

The whole run is planned before anything is sent: every file is checked (it belongs to that pair
by manifest, folder and document property) and every message is rendered, so a mistake in the
email template or a missing file is reported before the first email leaves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import make_msgid
from pathlib import Path

from mentordocs.errors import MentordocsError, Problem, SendError
from mentordocs.forms import (
    DEFAULT_STAGE,
    FORM_IDS,
    NOT_RETURNED,
    STAGES,
    form_stage,
    load_form_specs,
    stage_forms,
)
from mentordocs.fsutil import office_lock_file, sha256_bytes, sha256_file
from mentordocs.models import Pair, Roster, end_review_of, forms_due_of, midpoint_of
from mentordocs.ooxml.ns import PROP_PAIR
from mentordocs.ooxml.package import PackageError, WordPackage
from mentordocs.progress import NoProgress, Progress
from mentordocs.records import (
    MANIFEST_NAME,
    SEND_LOG_NAME,
    Manifest,
    ManifestEntry,
    SendRecord,
    SentFile,
    append_send_record,
    now_iso,
    read_manifest,
    read_send_log,
)
from mentordocs.roster.cells import shown_address
from mentordocs.send.messages import (
    Attachment,
    EmailTemplate,
    RenderedEmail,
    build_message,
    format_date,
    make_address,
    parse_address,
)
from mentordocs.send.outdated import Outdated, PacketFile, shell_word
from mentordocs.send.transports import (
    ConnectionFailed,
    Delivery,
    MessageRefused,
    OutboxTransport,
    RateLimiter,
    Transport,
)
from mentordocs.tracking import Coverage, Outstanding, read_coverage

if sys.platform == "win32":  # the send lock: each system has its own way to lock a file
    import msvcrt
else:
    import fcntl

PACKET = "packet"
REMINDER = "reminder"
#: The shipped email template of each stage's forms (templates/email/<name>.txt and .html).
STAGE_TEMPLATES = {"start": PACKET, "midpoint": "midpoint", "end": "end"}
#: What each stage's forms are called in messages.
STAGE_WORDS = {
    "start": "packet",
    "midpoint": "mid-point check-in",
    "end": "end-of-program review",
}
CALENDAR_FORM = "meetings"  # the manifest's form id of a pair's .ics

# Outcome statuses.
SENT = "sent"
WOULD_SEND = "would send"  # dry run
ALREADY_SENT = "already sent"
CHANGED = "changed"  # a file changed since it was sent; held back until resend
FAILED = "failed"
SKIPPED = "skipped"  # nothing to do for this pair (not active, nothing missing)

SENDABLE_SUFFIXES = (".docx", ".ics")
NOT_REACHED = "not sent: the run stopped before this message"


@dataclass
class Outcome:
    """What happened (or, in a dry run, would happen) to one pair's message."""

    pair_id: str
    kind: str
    status: str
    detail: str = ""  # why, for anything but a plain send; says what to do
    recipients: list[str] = field(default_factory=list)  # "Name <address>"
    files: list[str] = field(default_factory=list)  # attached file names
    refused: dict[str, str] = field(default_factory=dict)  # address -> server reply
    message_id: str = ""
    eml: str = ""
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.pair_id}: {self.detail}" if self.detail else f"{self.pair_id}: {self.status}"


@dataclass
class SendResult:
    """The outcome of every pair considered, in roster order."""

    kind: str
    transport: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str = ""  # why the run stopped before the end (connection lost, login refused...)
    stage: str = DEFAULT_STAGE  # the round of the year whose forms were sent
    warnings: list[str] = field(default_factory=list)  # what could not be checked, and why

    def with_status(self, status: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def sent(self) -> list[Outcome]:
        return self.with_status(SENT)

    @property
    def would_send(self) -> list[Outcome]:
        return self.with_status(WOULD_SEND)

    @property
    def already_sent(self) -> list[Outcome]:
        return self.with_status(ALREADY_SENT)

    @property
    def changed(self) -> list[Outcome]:
        return self.with_status(CHANGED)

    @property
    def failed(self) -> list[Outcome]:
        return self.with_status(FAILED)

    @property
    def skipped(self) -> list[Outcome]:
        return self.with_status(SKIPPED)

    @property
    def refused(self) -> list[Outcome]:
        "Messages that went out, but not to every recipient."
        return [outcome for outcome in self.sent if outcome.refused]

    @property
    def complete(self) -> bool:
        "True when everything asked for was sent (or already had been)."
        return not (self.failed or self.changed or self.refused or self.stopped)


class _PairProblem(Exception):
    "One pair cannot be sent; the others can."


@dataclass
class _Plan:
    pair: Pair
    outcome: Outcome
    to: list[Address]
    cc: list[Address]
    files: list[PacketFile]
    rendered: RenderedEmail | None = None
    missing_forms: list[str] = field(default_factory=list)  # reminders: the forms named
    stage: str = DEFAULT_STAGE


# ---- public API ---------------------------------------------------------------------------------


def send_packets(
    roster: Roster,
    out_dir: str | os.PathLike[str],
    *,
    transport: Transport,
    forms: Iterable[str] | None = None,
    pairs: Iterable[str] | None = None,
    message_template: str | os.PathLike[str] | EmailTemplate | None = None,
    cc_coordinator: bool = False,
    from_address: str | None = None,
    rate: float | None = None,
    resend: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    stage: str = DEFAULT_STAGE,
    on_ctrl_c: Callable[[str], None] | None = None,
) -> SendResult:
    """Email each pair its packet: its forms (all, or ``forms``) and its meetings .ics.

    ``stage`` ("start", "midpoint", "end") chooses the round of the year: the start's packet
    (the default) or a later stage's forms (generated with ``generate --stage``), each with
    its own shipped email. ``pairs`` limits the run to those pair ids (otherwise every active
    pair of the roster); ``rate`` is messages per minute. Returns a ``SendResult``; raises
    ``SendError`` only for problems found before anything is sent (no packets, unknown pair,
    form or stage, template error) or when a sent message cannot be recorded in the send log.

    Ctrl-C while a message is being handed to the server waits until it is recorded in the
    send log, then stops the run (``KeyboardInterrupt``); ``on_ctrl_c`` is called at once with
    the pair's id, to say so (the server may take up to its timeout). A second Ctrl-C stops at
    once: ``InterruptedMidMessage``, the message perhaps sent and not recorded.
    """
    out = Path(out_dir)
    _check_stage(stage)
    manifest = _read_manifest(out)
    _check_program(roster, manifest, out)
    outdated = Outdated(roster, manifest, out, stage)
    template = _template(message_template, STAGE_TEMPLATES[stage])
    selected = _select_pairs(roster, pairs)
    wanted_forms = _check_forms(forms, manifest, allow_calendar=stage == DEFAULT_STAGE, stage=stage)
    with _send_lock(out, dry_run):
        log = read_send_log(out)
        sender, reply_to = _sender(roster, from_address)
        result = SendResult(kind=PACKET, transport=transport.name, dry_run=dry_run, stage=stage)

        plans: list[_Plan] = []
        earlier: list[tuple[_Plan, Outcome]] = []  # others' earlier copies, by message
        for pair, named in selected:
            outcome = Outcome(pair.pair_id, PACKET, WOULD_SEND)
            result.outcomes.append(outcome)
            if not pair.active and not named:
                outcome.status = SKIPPED
                outcome.detail = (
                    f"not sent: the pair's status is '{pair.status}' in the roster "
                    "(name it with --pair to send anyway)"
                )
                continue
            try:
                to, cc = _recipients(roster, pair, cc_coordinator)
                files = _pair_files(out, manifest, pair, wanted_forms, kinds=None, stage=stage)
            except _PairProblem as exc:
                outcome.status = FAILED
                outcome.detail = str(exc)
                continue
            plan = _Plan(pair, outcome, to, cc, files, stage=stage)
            # Render for every pair, even one already sent, so a template mistake always shows.
            plan.rendered = _render_packet(template, roster, pair, plan.files, stage)
            held = _decide_packet(plan, log, resend)
            if held is not None:  # others had an earlier copy: said once this message goes
                earlier.append((plan, held))
            if outcome.status in (WOULD_SEND, CHANGED):
                _check_open(plan)
            for check in (
                outdated.roster_changed,
                outdated.returns_changed,
                outdated.template_changed,
            ):
                if outcome.status == WOULD_SEND and (why := check(pair, plan.files)):
                    outcome.status, outcome.detail = FAILED, why
            if outcome.status == WOULD_SEND and plan.files != files:
                plan.rendered = _render_packet(template, roster, pair, plan.files, stage)
            if outcome.status == WOULD_SEND:
                plans.append(plan)

        result.warnings += outdated.warnings
        limiter = RateLimiter(rate, clock=clock, sleep=sleep)
        _deliver(result, plans, out, transport, sender, reply_to, limiter, progress, on_ctrl_c)
    result.outcomes += [held for plan, held in earlier if plan.outcome.status in (SENT, WOULD_SEND)]
    return result


def send_reminders(
    roster: Roster,
    out_dir: str | os.PathLike[str],
    tracking_path: str | os.PathLike[str],
    *,
    transport: Transport,
    forms: Iterable[str] | None = None,
    pairs: Iterable[str] | None = None,
    message_template: str | os.PathLike[str] | EmailTemplate | None = None,
    cc_coordinator: bool = False,
    from_address: str | None = None,
    rate: float | None = None,
    resend: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    today: dt.date | None = None,
    stage: str = DEFAULT_STAGE,
    on_ctrl_c: Callable[[str], None] | None = None,
) -> SendResult:
    """Remind each pair with outstanding forms (per the tracking workbook) of what is missing.

    The message names each missing form and why (not returned, incomplete, unsigned) and
    attaches those forms again. Pairs with nothing missing get nothing. Only the forms of
    ``stage`` count (default: the start's packet). The same outstanding forms are reminded at
    most once a day (``today``, default the local date) unless ``resend``. ``on_ctrl_c``: as
    for ``send_packets``.
    """
    out = Path(out_dir)
    _check_stage(stage)
    manifest = _read_manifest(out)
    _check_program(roster, manifest, out)
    outdated = Outdated(roster, manifest, out, stage)
    template = _template(message_template, REMINDER)
    selected = _select_pairs(roster, pairs)
    wanted_forms = _check_forms(forms, manifest, allow_calendar=False, stage=stage)
    coverage = read_coverage(tracking_path)
    outstanding = _outstanding_at(coverage, stage)
    _check_tracking_program(roster, coverage, Path(tracking_path))
    with _send_lock(out, dry_run):
        log = read_send_log(out)
        delivered = _Received(log, manifest)
        _check_tracking_knows(
            Path(tracking_path),
            coverage,
            log,
            delivered,
            [pair for pair, _ in selected if pair.active],
            wanted_forms,
            stage,
        )
        sender, reply_to = _sender(roster, from_address)
        day = today or dt.date.today()
        result = SendResult(kind=REMINDER, transport=transport.name, dry_run=dry_run, stage=stage)

        plans: list[_Plan] = []
        for pair, named in selected:
            items = _owed(outstanding, pair, wanted_forms)
            if not items:
                continue  # nothing missing: no reminder, nothing to report
            outcome = Outcome(pair.pair_id, REMINDER, WOULD_SEND)
            result.outcomes.append(outcome)
            items, never = _to_remind(roster, pair, named, items, delivered, stage, outcome)
            if not items:
                continue
            missing_forms = list(dict.fromkeys(item.form for item in items))
            try:
                to, cc = _recipients(roster, pair, cc_coordinator)
                files = _pair_files(
                    out, manifest, pair, set(missing_forms), kinds=(".docx",), stage=stage
                )
                _refuse_edited_copies(files, outdated, pair)
            except _PairProblem as exc:
                outcome.status = FAILED
                outcome.detail = str(exc)
                continue
            plan = _Plan(pair, outcome, to, cc, files, missing_forms=missing_forms, stage=stage)
            missing = _missing(items, missing_forms, files)
            context = _context(roster, pair, files, None, missing=missing, today=day, stage=stage)
            plan.rendered = template.render(context, where=f"for the reminder to {pair.pair_id}")
            _decide_reminder(plan, missing_forms, log, resend, day)
            if outcome.status == WOULD_SEND:
                _check_open(plan)
            # (A template changed since, or returns collected since, hold nothing back: the
            # copy attached is the one the pair has.)
            if outcome.status == WOULD_SEND and (why := outdated.roster_changed(pair, plan.files)):
                outcome.status, outcome.detail = FAILED, why
            if outcome.status == WOULD_SEND:
                outcome.detail = _reminder_notes(never, missing_forms, files)
                plans.append(plan)

        if pairs is None:
            result.outcomes += _not_in_roster(roster, outstanding, wanted_forms, tracking_path)
        limiter = RateLimiter(rate, clock=clock, sleep=sleep)
        _deliver(result, plans, out, transport, sender, reply_to, limiter, progress, on_ctrl_c)
    return result


def _owed(
    outstanding: dict[str, list[Outstanding]], pair: Pair, wanted_forms: set[str] | None
) -> list[Outstanding]:
    "What the pair owes, of the forms asked for (all when ``wanted_forms`` is None)."
    owed = outstanding.get(pair.pair_id, [])
    return [item for item in owed if wanted_forms is None or item.form in wanted_forms]


def _refuse_edited_copies(files: list[PacketFile], outdated: Outdated, pair: Pair) -> None:
    """A reminder attaches the blank copies generate made, and says so: a file changed since
    (a form sent back, saved over the blank one) may hold answers, confidential ones too."""
    edited = [f.rel for f in files if f.edited]
    if edited:
        command = outdated.generate_command(f" --pair {shell_word(pair.pair_id)}")
        names = ", ".join(edited)
        raise _PairProblem(
            f"no reminder: {names} changed since generate made "
            f"{'it' if len(edited) == 1 else 'them'}, and a reminder attaches the blank copy "
            "(a form sent back and saved over it would go with its answers). Move "
            f"{'it' if len(edited) == 1 else 'them'} out of the packets folder (collect a "
            f"returned form from where you put it), run '{command}' to make the blank copy "
            "again, then send the reminders again"
        )


def _outstanding_at(coverage: Coverage, stage: str) -> dict[str, list[Outstanding]]:
    "The forms each pair owes per the tracking workbook, of ``stage`` only."
    return {
        pair_id: kept
        for pair_id, items in coverage.outstanding.items()
        if (kept := [item for item in items if form_stage(item.form) == stage])
    }


def _to_remind(
    roster: Roster,
    pair: Pair,
    named: bool,
    items: list[Outstanding],
    delivered: _Received,
    stage: str,
    outcome: Outcome,
) -> tuple[list[Outstanding], str]:
    """The owed forms a reminder names, and which were left out as never sent to the pair;
    none, with the outcome skipped and why, when there is nothing to remind the pair of."""
    if not pair.active and not named:
        outcome.status = SKIPPED
        outcome.detail = (
            f"no reminder: the pair's status is '{pair.status}' in the roster "
            "(name it with --pair to remind them anyway)"
        )
        return [], ""
    each = delivered.by_each(pair.pair_id, _addresses(roster, pair))
    never = "" if named else _never_sent(items, each, stage)
    if never:  # a reminder of a form the pair (or one of them) never received: not yet
        received = set.intersection(*each.values())
        items = [item for item in items if item.form in received]
        if not items:
            outcome.status = SKIPPED
            outcome.detail = f"no reminder: {never}"
    return items, never


def _reminder_notes(never: str, missing_forms: list[str], files: list[PacketFile]) -> str:
    "What a reminder about to go says beside it: forms left out, forms without a file."
    notes = [f"not reminded of what was never sent: {never}"] if never else []
    attached = {f.form for f in files}
    without_file = [form for form in missing_forms if form not in attached]
    if without_file:
        notes.append(
            f"no file to attach for {', '.join(without_file)} (not in {MANIFEST_NAME}); "
            "the reminder names it without attaching it"
        )
    return "; ".join(notes)


class _Received:
    """The forms (Word files, not the calendar) each recipient of each pair received in a
    packet, per the send log: recipients the server refused left out (a record from before
    forms were logged: known by the file's path)."""

    def __init__(self, log: list[SendRecord], manifest: Manifest) -> None:
        form_of = {entry.path: entry.form for entry in manifest.files}
        self.forms: dict[str, dict[str, set[str]]] = {}  # pair id -> address -> forms
        for record in log:
            if record.kind != PACKET:
                continue
            refused = {address.casefold() for address in record.refused}
            forms = {
                f.form or form_of.get(f.path, "") for f in record.files if f.path.endswith(".docx")
            } - {""}
            for recipient in record.recipients:
                if recipient.casefold() not in refused:
                    by_address = self.forms.setdefault(record.pair_id, {})
                    by_address.setdefault(recipient.casefold(), set()).update(forms)

    def by_pair(self, pair_id: str) -> set[str]:
        "The forms that reached at least one of the pair's recipients."
        return set().union(*self.forms.get(pair_id, {}).values())

    def by_each(self, pair_id: str, addresses: list[str]) -> dict[str, set[str]]:
        "The forms each of ``addresses`` (as the roster has them now) received."
        got = self.forms.get(pair_id, {})
        return {address: got.get(address.casefold(), set()) for address in addresses}


def _never_sent(items: list[Outstanding], each: dict[str, set[str]], stage: str) -> str:
    """Which of the owed forms never reached the pair (or one of its two people, ``each``:
    address -> forms received) in a packet, and what to do ('' if none)."""
    received = set.intersection(*each.values()) if each else set()
    never = [item.form_title or item.form for item in items if item.form not in received]
    if not never:
        return ""
    owed = {i.form for i in items}
    lacking = [address for address, got in each.items() if not owed <= got]
    to = "the pair" if len(lacking) == len(each) else " and ".join(lacking)
    staged = "" if stage == DEFAULT_STAGE else f" --stage {stage}"
    whole = not received & owed and len(never) > 1
    one = whole or len(never) == 1  # "its packet was ... it", else "... were ... them"
    what = "its packet" if whole else ", ".join(never)
    it, they = ("it", "it") if one else ("them", "they")
    return (
        f"{what} {'was' if one else 'were'} never sent to {to}; send {it} first "
        f"('mentordocs send' without --remind{staged}), or, if {they} reached {to} another "
        "way, name the pair with --pair"
    )


def _check_tracking_program(roster: Roster, coverage: Coverage, path: Path) -> None:
    """Refuse another program's tracking workbook: its pair ids would name other people."""
    _same_program(
        roster,
        coverage.program,
        f"{path} is the tracking workbook of",
        "Give the tracking workbook collected for this roster (collect's -o), or the roster of "
        "that program.",
    )


def _same_program(roster: Roster, program: str, holds: str, fix: str) -> None:
    """Refuse a folder or workbook another program's (``program``; '' when it does not say)."""
    if program and program != roster.program.name:
        raise SendError(
            f"{holds} '{program}', but {roster.path.name} is the roster of "
            f"'{roster.program.name}' (sheet 'Program'). {fix}"
        )


def _check_tracking_knows(
    path: Path,
    coverage: Coverage,
    log: list[SendRecord],
    delivered: _Received,
    pairs: list[Pair],
    wanted_forms: set[str] | None,
    stage: str,
) -> None:
    """Refuse a tracking workbook that does not know forms it is asked about were sent (a
    later stage's forms, a pair added since it was collected, or collected without the
    packets folder): it would say nothing is outstanding for them."""
    unknown = [
        (pair.pair_id, form)
        for pair in pairs
        for form in sorted(delivered.by_pair(pair.pair_id))
        if form_stage(form) == stage
        and (wanted_forms is None or form in wanted_forms)
        and (pair.pair_id, form) not in coverage.known
    ]
    if not unknown:
        return
    pair_ids = list(dict.fromkeys(pair_id for pair_id, _ in unknown))
    shown = ", ".join(pair_ids[:10]) + (
        f" and {len(pair_ids) - 10} more" if len(pair_ids) > 10 else ""
    )
    collected = coverage.collected_at
    sent = _last_sent(log, set(unknown))
    if collected is not None and sent is not None and sent > collected:
        why = (
            f"was collected on {collected:%Y-%m-%d %H:%M}, before forms it is asked about were sent"
        )
    else:
        why = (
            "does not know forms it is asked about were sent (it was collected without the "
            "packets folder, or from a roster without those pairs)"
        )
    raise SendError(
        f"{path} {why} (to {shown}): it cannot say whether they came back, so it would remind "
        f"nobody of them. Run 'mentordocs collect' again into {path} with --packets and the "
        "packets folder, then send the reminders; nothing was sent."
    )


def _last_sent(log: list[SendRecord], forms: set[tuple[str, str]]) -> dt.datetime | None:
    "When the last packet holding one of ``forms`` (pair id, form) was sent, in local time."
    times = []
    for record in log:
        if record.kind == PACKET and any((record.pair_id, f.form) in forms for f in record.files):
            try:
                when = dt.datetime.fromisoformat(record.sent_at)
            except ValueError:
                continue
            times.append(when.astimezone().replace(tzinfo=None) if when.tzinfo else when)
    return max(times, default=None)


def _missing(
    items: list[Outstanding], missing_forms: list[str], files: list[PacketFile]
) -> list[dict[str, object]]:
    """What a reminder's template calls ``missing``: each form's title, reasons and file name."""
    by_form = {f.form: f for f in files}
    return [
        {
            "form": form,
            "title": _outstanding_title(items, form),
            "reasons": _reasons(item for item in items if item.form == form),
            "filename": by_form[form].path.name if form in by_form else "",
            # Sent back already, but incomplete or unsigned: the attached copy is the blank one.
            "returned": not any(
                reason == NOT_RETURNED
                for item in items
                if item.form == form
                for reason in item.reasons
            ),
        }
        for form in missing_forms
    ]


def _not_in_roster(
    roster: Roster,
    outstanding: dict[str, list[Outstanding]],
    wanted_forms: set[str] | None,
    tracking_path: str | os.PathLike[str],
) -> list[Outcome]:
    """A failure for each pair owing (wanted) forms per the tracking workbook, not in the roster."""
    in_roster = {pair.pair_id for pair in roster.pairs}
    return [
        Outcome(
            pair_id,
            REMINDER,
            FAILED,
            detail=(
                f"has outstanding forms in {Path(tracking_path).name} but is not in the "
                f"roster {roster.path.name}; add the pair back to the roster (or remove "
                "its rows from the tracking workbook)"
            ),
        )
        for pair_id in sorted(set(outstanding) - in_roster)
        if wanted_forms is None or any(item.form in wanted_forms for item in outstanding[pair_id])
    ]


# ---- planning -----------------------------------------------------------------------------------


LOCK_NAME = ".send.lock"


@contextlib.contextmanager
def _send_lock(out: Path, dry_run: bool) -> Iterator[None]:
    """Only one ``send`` at a time per packets folder (two at once could both send a pair).

    An operating-system lock on ``OUT/.send.lock``: released when the run ends or dies, so a
    crash never leaves a stale lock behind.
    """
    if dry_run:
        yield
        return
    path = out / LOCK_NAME
    try:
        handle = open(path, "a+b")  # noqa: SIM115 (held for the whole run)
    except OSError as exc:
        raise SendError(
            f"Cannot write in {out} ({exc.strerror or exc}); send records what it sends there. "
            "Check that the folder is writable."
        ) from exc
    try:
        try:
            if sys.platform == "win32":
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise SendError(
                f"Another 'mentordocs send' is working on {out} right now. Wait for it to "
                "finish, then run this command again (it will send only what is still missing)."
            ) from exc
        _check_log_writable(out)
        yield
    finally:
        handle.close()


def _check_log_writable(out: Path) -> None:
    """The send log can be added to: found out after a message went, it would go again."""
    log = out / SEND_LOG_NAME
    try:
        with open(log, "ab"):
            pass
    except OSError as exc:
        raise SendError(
            f"Cannot write {log} ({exc.strerror or exc}). send records there each message "
            "as it goes, so that none is sent twice; nothing was sent. Check that you may "
            "change that file (not read-only, not on a drive that is gone), then run the "
            "command again."
        ) from exc


def _check_program(roster: Roster, manifest: Manifest, out: Path) -> None:
    """Refuse a packets folder made for another program: the pair ids would match wrong people."""
    _same_program(
        roster,
        manifest.program,
        f"{out} holds the packets of",
        "Give the roster those packets were made from, or generate the packets from this "
        "roster into another folder.",
    )


def _read_manifest(out: Path) -> Manifest:
    if not out.is_dir():
        raise SendError(
            f"{out} is not a folder. Give the packets folder written by 'mentordocs generate'."
        )
    manifest = read_manifest(out)
    if not manifest.files:
        raise SendError(
            f"{out / MANIFEST_NAME} is missing or lists no files, so there is nothing to send. "
            f"Run 'mentordocs generate ROSTER -o {out}' first."
        )
    return manifest


def _template(
    message_template: str | os.PathLike[str] | EmailTemplate | None, kind: str
) -> EmailTemplate:
    if isinstance(message_template, EmailTemplate):
        return message_template
    if message_template is None:
        return EmailTemplate.default(kind)
    return EmailTemplate.from_file(message_template)


def _select_pairs(roster: Roster, pairs: Iterable[str] | None) -> list[tuple[Pair, bool]]:
    """The pairs to consider, with whether each was named explicitly."""
    if pairs is None:
        return [(pair, False) for pair in roster.pairs]
    wanted = list(dict.fromkeys(pairs))
    if not wanted:
        return [(pair, False) for pair in roster.pairs]
    by_id = {pair.pair_id.casefold(): pair for pair in roster.pairs}
    unknown = [pair_id for pair_id in wanted if pair_id.casefold() not in by_id]
    if unknown:
        known = ", ".join(pair.pair_id for pair in roster.pairs[:10])
        more = f" and {len(roster.pairs) - 10} more" if len(roster.pairs) > 10 else ""
        raise SendError(
            f"--pair {', '.join(unknown)}: no such pair in {roster.path.name} (sheet 'Pairs', "
            f"column 'Pair ID'). Pairs there: {known}{more}."
        )
    chosen = list(dict.fromkeys(by_id[pair_id.casefold()].pair_id for pair_id in wanted))
    return [(pair, True) for pair in roster.pairs if pair.pair_id in chosen]


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise SendError(f"No stage {stage!r}. The stages are: {', '.join(STAGES)}.")


def _check_forms(
    forms: Iterable[str] | None, manifest: Manifest, *, allow_calendar: bool, stage: str
) -> set[str] | None:
    if forms is None:
        return None
    wanted = set(forms)
    if not wanted:
        return None
    known = set(FORM_IDS) | {entry.form for entry in manifest.files if entry.form != "zip"}
    if not allow_calendar:
        known.discard(CALENDAR_FORM)
    unknown = sorted(wanted - known)
    if unknown:
        raise SendError(
            f"--form {', '.join(unknown)}: no such form. Forms you can name: "
            f"{', '.join(sorted(known))}."
        )
    elsewhere = sorted(
        form for form in wanted if form != CALENDAR_FORM and form_stage(form) != stage
    )
    if elsewhere:
        described = ", ".join(f"{form} (--stage {form_stage(form)})" for form in elsewhere)
        raise SendError(
            f"--form {', '.join(elsewhere)}: not a form of the {stage!r} stage. Give the "
            f"stage it belongs to: {described}."
        )
    return wanted


def _sender(roster: Roster, from_address: str | None) -> tuple[Address, Address]:
    program = roster.program
    try:
        coordinator = make_address(
            program.coordinator_name, program.coordinator_email, "The coordinator"
        )
    except SendError as exc:
        problem = Problem(
            file=roster.path.name,
            sheet="Program",
            column="Coordinator email",
            message=str(exc),
            fix="Replies go to this address, so it must be right.",
        )
        raise SendError(str(problem)) from exc
    sender = parse_address(from_address, "--from") if from_address else coordinator
    return sender, coordinator


def _recipients(
    roster: Roster, pair: Pair, cc_coordinator: bool
) -> tuple[list[Address], list[Address]]:
    to: list[Address] = []
    for role, person in (("Mentor", pair.mentor), ("Mentee", pair.mentee)):
        try:
            address = make_address(person.name, person.email, f"The {role.lower()}")
        except SendError as exc:
            problem = Problem(
                file=roster.path.name,
                sheet="Pairs",
                row=pair.row or None,
                column=f"{role} email",
                message=str(exc),
            )
            raise _PairProblem(f"not sent: {problem}") from exc
        if all(address.addr_spec.casefold() != other.addr_spec.casefold() for other in to):
            to.append(address)
    cc: list[Address] = []
    if cc_coordinator:
        coordinator = make_address(
            roster.program.coordinator_name, roster.program.coordinator_email, "The coordinator"
        )
        if all(coordinator.addr_spec.casefold() != a.addr_spec.casefold() for a in to):
            cc.append(coordinator)
    return to, cc


def _addresses(roster: Roster, pair: Pair) -> list[str]:
    """The pair's addresses as a message is sent to them (``_recipients``); as typed when one
    is wrong (the message then fails, saying why)."""
    try:
        return [address.addr_spec for address in _recipients(roster, pair, False)[0]]
    except _PairProblem:
        return list(dict.fromkeys((p.email or "").strip() for p in (pair.mentor, pair.mentee)))


def _docx_pair_id(path: Path, entry: ManifestEntry, out: Path) -> str | None:
    """The pair a generated .docx says it belongs to (its custom properties), if it says."""
    try:
        with WordPackage(path.read_bytes()) as package:
            return package.custom_properties(package.layout().custom).get(PROP_PAIR) or None
    except (OSError, PackageError) as exc:
        why = exc.message if isinstance(exc, PackageError) else (exc.strerror or str(exc))
        raise _PairProblem(
            f"not sent: {entry.path} is not a readable Word document ({why.rstrip('.')}). "
            f"{_remake(entry, out)}"
        ) from exc


def _remake(entry: ManifestEntry, out: Path) -> str:
    "How to make one file of a packet again, replacing that file alone."
    return (
        f"Make it again with 'mentordocs generate ROSTER -o {shell_word(out)} --pair {shell_word(entry.pair_id)} "
        f"--form {entry.form} --force' (--force replaces that form only)."
    )


def _pair_files(
    out: Path,
    manifest: Manifest,
    pair: Pair,
    wanted_forms: set[str] | None,
    *,
    kinds: tuple[str, ...] | None,
    stage: str = DEFAULT_STAGE,
) -> list[PacketFile]:
    """The pair's files to attach, each proven to belong to this pair (else ``_PairProblem``).

    Packets (``kinds=None``): the selected forms of ``stage`` plus, for the start's packet,
    the meetings calendar; reminders: the .docx of the named forms.
    """
    suffixes = kinds or SENDABLE_SUFFIXES
    of_stage = set(stage_forms(stage)) | ({CALENDAR_FORM} if stage == DEFAULT_STAGE else set())
    entries = [
        entry
        for entry in manifest.for_pair(pair.pair_id)
        if Path(entry.path).suffix.lower() in suffixes
        and entry.form != "zip"
        and (entry.form in of_stage or (stage == DEFAULT_STAGE and entry.form not in FORM_IDS))
    ]
    if not entries and kinds is None:
        command = "mentordocs generate"
        if stage != DEFAULT_STAGE:
            command += f" ROSTER --stage {stage} --tracking TRACKING.xlsx"
        raise _PairProblem(
            f"not sent: {out / MANIFEST_NAME} lists no {STAGE_WORDS[stage]} forms for "
            f"the pair. Run '{command}' for this roster with -o {out} first."
            if stage != DEFAULT_STAGE
            else f"not sent: {out / MANIFEST_NAME} lists no packet for the pair. Run "
            f"'mentordocs generate' for this roster with -o {out} first."
        )
    chosen = [
        entry
        for entry in entries
        if wanted_forms is None
        or entry.form in wanted_forms
        or (kinds is None and entry.form == CALENDAR_FORM)
    ]
    if wanted_forms and kinds is None:
        lacking = sorted(wanted_forms - {entry.form for entry in entries})
        if lacking:
            raise _PairProblem(
                f"not sent: {out / MANIFEST_NAME} lists no {', '.join(lacking)} for "
                f"{pair.pair_id}. Run 'mentordocs generate' for this roster with -o {out} "
                "(and the same --form) first."
            )
    chosen.sort(key=_file_order)
    root = out.resolve()
    pair_dir = (root / pair.pair_id).resolve()
    files: list[PacketFile] = []
    for entry in chosen:
        files.append(_checked_file(root, pair_dir, pair, entry))
    return files


def _file_order(entry: ManifestEntry) -> tuple[int, str]:
    order = list(FORM_IDS) + [CALENDAR_FORM]
    return (order.index(entry.form) if entry.form in order else len(order), entry.path)


def _checked_file(root: Path, pair_dir: Path, pair: Pair, entry: ManifestEntry) -> PacketFile:
    """Refuse any file that is not provably this pair's: manifest, folder and document agree."""
    path = (root / entry.path).resolve()
    if entry.pair_id != pair.pair_id or not path.is_relative_to(pair_dir) or path == pair_dir:
        raise _PairProblem(
            f"not sent: {entry.path} is listed for {entry.pair_id} in {MANIFEST_NAME} but is not "
            f"inside the folder {pair.pair_id}/, so it could belong to another pair. Run "
            f"'mentordocs generate ROSTER -o {shell_word(root)} --pair {shell_word(pair.pair_id)} --force' to make "
            "that pair's files again."
        )
    if not path.is_file():
        raise _PairProblem(
            f"not sent: {entry.path} is listed in {MANIFEST_NAME} but missing. Run 'mentordocs "
            "generate' again to recreate it (it keeps the files that are there)."
        )
    lock = office_lock_file(path)
    if path.suffix.lower() == ".docx" and lock is None:
        owner = _docx_pair_id(path, entry, root)
        if owner is not None and owner != pair.pair_id:
            raise _PairProblem(
                f"not sent: {entry.path} is the form of pair {owner} (its document property "
                f"{PROP_PAIR}), not of {pair.pair_id}: someone copied a file between folders. "
                f"{_remake(entry, root)}"
            )
    return PacketFile(
        entry.form, entry.path, path, sha256_file(path), lock.name if lock else "", entry.sha256
    )


def _check_open(plan: _Plan) -> None:
    """Hold back a pair with a file to send that is open in Word or LibreOffice (it may be
    half saved); a pair that already has everything is not held back for it."""
    open_file = next((f for f in plan.files if f.lock), None)
    if open_file is not None:
        plan.outcome.status = FAILED
        plan.outcome.detail = (
            f"not sent: {open_file.rel} is open in Word or LibreOffice (lock file "
            f"{open_file.lock}). Close it, then run the same command again."
        )


# ---- what the send log says -----------------------------------------------------------------------


def _delivered(
    records: list[SendRecord], pair_id: str, kind: str
) -> dict[tuple[str, str], tuple[str, str]]:
    """(recipient, file path) -> (sha256, sent_at) of the latest copy each recipient received."""
    delivered: dict[tuple[str, str], tuple[str, str]] = {}
    for record in records:
        if record.kind != kind or record.pair_id != pair_id:
            continue
        refused = {address.casefold() for address in record.refused}
        for recipient in record.recipients:
            if recipient.casefold() in refused:
                continue
            for sent in record.files:
                delivered[(recipient.casefold(), sent.path)] = (sent.sha256, record.sent_at)
    return delivered


def _already(records: list[SendRecord], pair_id: str, kind: str, sent_at: str) -> str:
    """'already sent on <date>', or where the .eml went when it was written to an outbox."""
    when = _sent_date(sent_at)
    for record in records:
        same = record.pair_id == pair_id and record.kind == kind and record.sent_at == sent_at
        if same and record.transport == "outbox" and record.eml:
            return (
                f"already written to {record.eml} on {when} (send it from your mail program; "
                "use --resend to write it again)"
            )
    return f"already sent on {when}"


def _sent_date(sent_at: str) -> str:
    try:
        return dt.datetime.fromisoformat(sent_at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return sent_at


def _describe(plan: _Plan) -> None:
    plan.outcome.recipients = [
        str(address).replace(address.addr_spec, shown_address(address.addr_spec))
        for address in plan.to + plan.cc
    ]
    plan.outcome.files = [f.path.name for f in plan.files]


def _decide_packet(plan: _Plan, records: list[SendRecord], resend: bool) -> Outcome | None:
    """What of the packet goes, to whom: each recipient gets the files they never had (as they
    are now); a file a recipient had in another version is held back for --resend. When both
    happen (a mentee's address corrected after the forms changed), the message goes to those
    lacking files and the returned outcome reports the earlier copies, so that neither waits
    for the other."""
    outcome = plan.outcome
    if resend:
        _describe(plan)
        return None
    delivered = _delivered(records, plan.pair.pair_id, PACKET)
    # The same file under another name (generate --name changed since): received all the same.
    same = {(key, sha): when for (key, _), (sha, when) in delivered.items()}
    needing: list[Address] = []
    new_files: list[PacketFile] = []
    changed: dict[str, str] = {}  # form -> sent_at
    earlier: list[tuple[Address, PacketFile, str]] = []  # who had which file in another version
    last_sent = ""
    for address in plan.to:
        key = address.addr_spec.casefold()
        lacks = False
        for f in plan.files:
            got = delivered.get((key, f.rel))
            if got is None and (key, f.sha256) in same:
                last_sent = max(last_sent, same[(key, f.sha256)])
                continue
            if got is None:
                lacks = True
                if f not in new_files:
                    new_files.append(f)
            elif got[0] != f.sha256:
                changed.setdefault(f.form, got[1])
                earlier.append((address, f, got[1]))
            else:
                last_sent = max(last_sent, got[1])
        if lacks:
            needing.append(address)
    if changed and not needing:
        outcome.status = CHANGED
        outcome.detail = _changed_since(changed, plan)
        _describe(plan)
        return None
    if not needing:
        outcome.status = ALREADY_SENT
        outcome.detail = _already(records, plan.pair.pair_id, PACKET, last_sent)
        _describe(plan)
        return None
    # Exactly what is missing: to whoever lacks something, the files somebody lacks.
    every_form = {f.form for f in plan.files}
    plan.to = needing
    plan.files = [f for f in plan.files if f in new_files]
    _describe(plan)
    # The earlier copies this message does not replace (its recipients get its files as now).
    still = [(a, f, when) for a, f, when in earlier if a not in needing or f not in new_files]
    if not still:
        return None
    holders = list(dict.fromkeys(str(address) for address, _, _ in still))
    forms = {f.form: max(when for _, g, when in still if g.form == f.form) for _, f, _ in still}
    names = list(dict.fromkeys(f.path.name for _, f, _ in still))
    held = Outcome(plan.pair.pair_id, PACKET, CHANGED, recipients=holders, files=names)
    names_now = ", ".join(str(address) for address in needing)
    options = "" if set(forms) == every_form else "".join(f" --form {form}" for form in forms)
    held.detail = (
        _changed_since(forms, plan, f" to {', '.join(holders)}")
        + f" ({names_now} got the new version now). To send it to them as well, use --resend "
        f"--pair {shell_word(plan.pair.pair_id)}{options} ({names_now} then gets it again)"
    )
    return held


def _changed_since(changed: dict[str, str], plan: _Plan, to: str = "") -> str:
    "What changed since it was sent (``to`` whom, when not to everyone), and, if so, what to do."
    names = ", ".join(changed)
    when = _sent_date(max(changed.values()))
    verb = "changed since it was" if len(changed) == 1 else "changed since they were"
    if to:
        return f"{names} {verb} sent{to} on {when}"
    return f"{names} {verb} sent on {when}; use --resend to send the new version" + (
        " (with --form to send only that form)" if len(plan.files) > 1 else ""
    )


def _decide_reminder(
    plan: _Plan, missing_forms: list[str], records: list[SendRecord], resend: bool, day: dt.date
) -> None:
    """Reminders: the same outstanding forms at most once a day per recipient (unless resend)."""
    if resend:
        _describe(plan)
        return
    signature = _reminder_files(plan.files, missing_forms)
    key_set = {(f.form, f.path, f.sha256) for f in signature}
    done: dict[str, str] = {}  # recipient -> sent_at
    for record in records:
        if record.kind != REMINDER or record.pair_id != plan.pair.pair_id:
            continue
        try:
            when = dt.datetime.fromisoformat(record.sent_at)
        except ValueError:
            continue
        if when.date() != day or {(f.form, f.path, f.sha256) for f in record.files} != key_set:
            continue
        refused = {address.casefold() for address in record.refused}
        for recipient in record.recipients:
            if recipient.casefold() not in refused:
                done[recipient.casefold()] = record.sent_at
    needing = [a for a in plan.to if a.addr_spec.casefold() not in done]
    if not needing:
        plan.outcome.status = ALREADY_SENT
        plan.outcome.detail = (
            f"a reminder for the same forms was already sent today ({_sent_date(max(done.values()))}); "
            "use --resend to send another"
        )
    else:
        plan.to = needing
    _describe(plan)


def _reminder_files(files: list[PacketFile], missing_forms: list[str]) -> list[SentFile]:
    """What a reminder records: each attached file, and each named form that had no file."""
    recorded = [SentFile(path=f.rel, sha256=f.sha256, form=f.form) for f in files]
    attached = {f.form for f in files}
    recorded += [
        SentFile(path="", sha256="", form=form) for form in missing_forms if form not in attached
    ]
    return recorded


# ---- the email's words ----------------------------------------------------------------------------


_TITLES: dict[str, str] = {}


def _form_title(form: str) -> str:
    """The form's title from its declaration ("Goal sheet"), else made from its id."""
    if not _TITLES:
        try:
            _TITLES.update({form_id: spec.title for form_id, spec in load_form_specs().items()})
        except (MentordocsError, OSError, ValueError):
            _TITLES["\0"] = ""  # remember the failure; fall back to the id
    if form == CALENDAR_FORM:
        return "Meetings calendar"
    return _TITLES.get(form) or form.replace("-", " ").replace("_", " ").capitalize()


def _outstanding_title(items: list[Outstanding], form: str) -> str:
    for item in items:
        if item.form == form and item.form_title:
            return item.form_title
    return _form_title(form)


def _reasons(items: Iterable[Outstanding]) -> list[str]:
    reasons: list[str] = []
    for item in items:
        for reason in item.reasons:
            if reason and reason not in reasons:
                reasons.append(reason)
    return reasons or ["not returned"]


def _render_packet(
    template: EmailTemplate, roster: Roster, pair: Pair, files: list[PacketFile], stage: str
) -> RenderedEmail:
    forms_files = [f for f in files if f.form != CALENDAR_FORM]
    calendar = next((f for f in files if f.form == CALENDAR_FORM), None)
    context = _context(
        roster, pair, forms_files, calendar, missing=[], today=dt.date.today(), stage=stage
    )
    return template.render(context, where=f"for pair {pair.pair_id}")


def _context(
    roster: Roster,
    pair: Pair,
    forms: list[PacketFile],
    calendar: PacketFile | None,
    *,
    missing: list[dict[str, object]],
    today: dt.date,
    stage: str = DEFAULT_STAGE,
) -> dict[str, object]:
    program = roster.program
    due = {
        "start": forms_due_of(program, pair),
        "midpoint": midpoint_of(program, pair),
        "end": end_review_of(program, pair),
    }.get(stage)
    return {
        "program": program,
        "pair": pair,
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "coordinator": {"name": program.coordinator_name, "email": program.coordinator_email},
        "forms": [
            {"id": f.form, "title": _form_title(f.form), "filename": f.path.name} for f in forms
        ],
        "calendar": calendar.path.name if calendar else "",
        "due_date": format_date(due) if due else "",
        "due_passed": bool(due and due < today),
        "missing": missing,
        "stage": stage,
    }


# ---- sending ------------------------------------------------------------------------------------


def _attachments(plan: _Plan) -> list[Attachment]:
    attachments: list[Attachment] = []
    for f in plan.files:
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            raise _PairProblem(
                f"not sent: {f.rel} could not be read ({exc.strerror or exc}). Close it if it "
                "is open and run the same command again."
            ) from exc
        if sha256_bytes(data) != f.sha256:
            raise _PairProblem(
                f"not sent: {f.rel} changed while sending. Run the same command again."
            )
        attachments.append(Attachment(f.path.name, data))
    return attachments


def _deliver(
    result: SendResult,
    plans: list[_Plan],
    out: Path,
    transport: Transport,
    sender: Address,
    reply_to: Address,
    limiter: RateLimiter,
    progress: Progress | None,
    on_ctrl_c: Callable[[str], None] | None,
) -> None:
    if result.dry_run or not plans:
        return
    progress = progress or NoProgress()
    try:
        transport.open()
    except ConnectionFailed as exc:
        _stop(result, plans, str(exc))
        return
    progress.start(
        len(plans), "Sending reminders" if result.kind == REMINDER else "Sending packets"
    )
    recorded = frozenset(Path(record.eml).name for record in read_send_log(out) if record.eml)
    try:
        for index, plan in enumerate(plans):
            try:
                _send_one(
                    plan,
                    result.kind,
                    (out, recorded),
                    transport,
                    (sender, reply_to),
                    limiter,
                    on_ctrl_c,
                )
            except ConnectionFailed as exc:
                _stop(result, plans[index:], str(exc))
                return
            progress.advance()
    finally:
        progress.finish()
        transport.close()


def _send_one(
    plan: _Plan,
    kind: str,
    log: tuple[Path, frozenset[str]],
    transport: Transport,
    addresses: tuple[Address, Address],
    limiter: RateLimiter,
    on_ctrl_c: Callable[[str], None] | None,
) -> None:
    """Send one pair's message and record it in the send log; its outcome says what happened.

    Raises ``ConnectionFailed`` when nothing more can be sent, and ``SendError`` when the
    message went out but could not be recorded (the run must stop, or it could go twice).
    ``log`` is the packets folder and the names of the outbox drafts its send log records.
    """
    out, recorded = log
    outcome = plan.outcome
    try:
        attachments = _attachments(plan)
    except _PairProblem as exc:
        outcome.status, outcome.detail = FAILED, str(exc)
        return
    assert plan.rendered is not None
    sender, reply_to = addresses
    message_id = make_msgid(domain=sender.domain)
    message = build_message(
        sender=sender,
        to=plan.to,
        cc=plan.cc,
        reply_to=reply_to,
        rendered=plan.rendered,
        attachments=attachments,
        message_id=message_id,
    )
    envelope = list(dict.fromkeys(address.addr_spec for address in plan.to + plan.cc))
    name = _message_name(plan, kind)
    if isinstance(transport, OutboxTransport):
        draft = transport.unrecorded_draft(message, name, recorded)
        if draft is not None:
            _take_draft(plan, kind, out, draft, envelope)
            return
    limiter.wait()
    with _ctrl_c_held(plan.pair.pair_id, on_ctrl_c):  # sent and recorded, or neither
        try:
            delivery = transport.send(message, sender.addr_spec, envelope, name=name)
        except MessageRefused as exc:
            outcome.status, outcome.detail = FAILED, f"not sent: {exc}"
            outcome.refused = dict(exc.refused)
            return
        _record(plan, kind, out, transport.name, message_id, envelope, delivery, plan.stage)
    outcome.status = SENT
    outcome.message_id = message_id
    outcome.eml = delivery.eml
    outcome.subject = plan.rendered.subject
    outcome.refused = dict(delivery.refused)
    if delivery.refused:
        pair_addresses = {a.addr_spec.casefold() for a in plan.to}
        refused = ", ".join(f"{a} ({r})" for a, r in delivery.refused.items())
        outcome.detail = (
            f"the server refused {refused}; the others got the message. Correct the "
            "address in the roster and run the same command again to send it to them"
        )
        if pair_addresses <= {a.casefold() for a in delivery.refused}:
            outcome.status = FAILED


def _take_draft(
    plan: _Plan, kind: str, out: Path, draft: tuple[Path, str | None], envelope: list[str]
) -> None:
    """An outbox draft of the pair's message that a stopped run wrote without recording it:
    recorded now instead of a second draft being written (two drafts, two messages sent); one
    that is not this message holds the pair back, named."""
    path, message_id = draft
    outcome = plan.outcome
    if message_id is None:
        outcome.status = FAILED
        outcome.detail = (
            f"not written: {path} is already in the outbox but not in the send log (a run "
            "stopped while writing it, or a copy), and it is not this message. If you have not "
            "sent it, delete it and run the same command again; if you have, the pair has a "
            "message: leave the pair out of the next run"
        )
        return
    _record(plan, kind, out, "outbox", message_id, envelope, Delivery(eml=str(path)), plan.stage)
    outcome.status = SENT
    outcome.message_id = message_id
    outcome.eml = str(path)
    outcome.subject = plan.rendered.subject if plan.rendered else ""
    outcome.detail = (
        "a run that stopped had written this draft without recording it; recorded now, not "
        "written a second time"
    )


class InterruptedMidMessage(KeyboardInterrupt):
    """Ctrl-C pressed twice (or another stop signal, ``name``) while a message was being
    handed to the server: it may have gone out without being recorded in the send log
    (``pair_id`` says whose)."""

    def __init__(self, pair_id: str, name: str = "Ctrl-C") -> None:
        super().__init__(pair_id)
        self.pair_id, self.name = pair_id, name


def _signal_name(number: int) -> str:
    "Ctrl-C, or the signal's name (SIGTERM, SIGHUP)."
    return "Ctrl-C" if number == signal.SIGINT else signal.Signals(number).name


class StoppedBySignal(KeyboardInterrupt):
    """The run was asked to stop by SIGTERM (a scheduler, ``kill``) or SIGHUP (the terminal
    closed) and stopped once the message going out was recorded. ``name``: the signal's."""

    def __init__(self, name: str, number: int) -> None:
        super().__init__(name)
        self.name, self.number = name, number


# Ctrl-C, and the signals that ask a program to stop (SIGHUP: not on Windows).
_HELD_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
)


@contextlib.contextmanager
def _ctrl_c_held(pair_id: str, on_ctrl_c: Callable[[str], None] | None) -> Iterator[None]:
    """Ctrl-C (or SIGTERM, SIGHUP) waits while one message is handed to the server and
    recorded in the send log (a message sent but not recorded would go again on the next run),
    then stops the run; a second one stops it at once. ``on_ctrl_c(pair_id)`` at the first
    Ctrl-C, to say so. Only in the main thread, where Python handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if pressed:
            raise InterruptedMidMessage(pair_id, _signal_name(signum))
        pressed.append(signum)
        if on_ctrl_c is not None and signum == signal.SIGINT:
            with contextlib.suppress(OSError):  # a terminal gone: nothing to say it on
                on_ctrl_c(pair_id)

    # A signal set to be ignored (nohup, trap '' TERM) stays ignored: the run goes on.
    held = [n for n in _HELD_SIGNALS if n == signal.SIGINT or signal.getsignal(n) != signal.SIG_IGN]
    previous = {number: signal.signal(number, hold) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is None:  # set outside Python: the default is the closest
                handler = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
            signal.signal(number, handler)
    if pressed and pressed[0] != signal.SIGINT:
        raise StoppedBySignal(_signal_name(pressed[0]), pressed[0])
    if pressed:
        raise KeyboardInterrupt


def _message_name(plan: _Plan, kind: str) -> str:
    """What an outbox names the message: the pair, and the round unless it is the start's
    packet (P01_packet, P01_reminder, P01_midpoint, P01_midpoint-reminder)."""
    if plan.stage == DEFAULT_STAGE:
        return f"{plan.pair.pair_id}_{kind}"
    return f"{plan.pair.pair_id}_{plan.stage}" + ("-reminder" if kind == REMINDER else "")


def _record(
    plan: _Plan,
    kind: str,
    out: Path,
    transport: str,
    message_id: str,
    envelope: list[str],
    delivery: Delivery,
    stage: str = DEFAULT_STAGE,
) -> None:
    """Append the message just sent to the send log; ``SendError`` (stop the run) if it can't."""
    files = (
        _reminder_files(plan.files, plan.missing_forms)
        if kind == REMINDER
        else [SentFile(path=f.rel, sha256=f.sha256, form=f.form) for f in plan.files]
    )
    record = SendRecord(
        kind=kind,
        pair_id=plan.pair.pair_id,
        recipients=envelope,
        files=files,
        message_id=message_id,
        sent_at=now_iso(),
        transport=transport,
        refused=sorted(delivery.refused),
        eml=delivery.eml,
        stage=stage,
    )
    try:
        append_send_record(out, record)
    except (OSError, MentordocsError) as exc:
        plan.outcome.status = FAILED
        plan.outcome.detail = "sent, but could not be recorded"
        raise SendError(
            f"The message to {plan.pair.pair_id} was sent (Message-ID {message_id}) but "
            f"could not be recorded in {out / SEND_LOG_NAME} ({exc}). Stopped so nothing "
            f"is sent twice: free some disk space or fix the file's permissions, and "
            f"leave {plan.pair.pair_id} out of the next run (it has its message)."
        ) from exc


def _stop(result: SendResult, plans: list[_Plan], reason: str) -> None:
    result.stopped = reason
    for plan in plans:
        plan.outcome.status = FAILED
        plan.outcome.detail = NOT_REACHED
