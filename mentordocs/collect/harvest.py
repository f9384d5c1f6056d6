"""``collect_forms``: every return read, identified, matched and written to the tracking workbook.

Incremental: an existing workbook is read back first; a file already in it (same SHA-256) adds
nothing; of two returns of one pair and form the newest is kept and the other is listed under
Problems. An answer goes into its field's column only when the field is proven
(``matching``); any other answer goes to the Review sheet. Nothing here prints: every file
that cannot be used becomes a ``Problem`` in the workbook and in ``CollectResult``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mentordocs.collect.inputs import RETURN_KINDS, Found, Inventory, find_returns
from mentordocs.collect.mailbox import MailboxError, MailboxHarvest, move_messages, read_mailbox
from mentordocs.collect.matching import (
    Matched,
    References,
    all_for_review,
    identify_from_name,
    match_fields,
)
from mentordocs.collect.pdf import FormLabels, PdfReading, ShownLabel, read_pdf
from mentordocs.collect.reading import (
    FormReadError,
    FormReading,
    Recovered,
    read_file,
    read_return,
)
from mentordocs.collect.versions import FormVersions
from mentordocs.errors import CollectError, OutputError, Problem
from mentordocs.forms import (
    FILLED_IN,
    LEFT_BLANK,
    MENTEE_SIGNATURE,
    MENTOR_SIGNATURE,
    FormSpec,
    FormSpecError,
    Value,
    is_filled,
    labels,
    load_form_spec,
    load_form_specs,
    signed_by,
)
from mentordocs.fsutil import atomic_write_bytes, office_lock_file, sha256_file
from mentordocs.mailsettings import MailboxAddress
from mentordocs.models import Roster
from mentordocs.ooxml.revisions import StrayText
from mentordocs.progress import NoProgress, Progress
from mentordocs.records import MANIFEST_NAME, read_manifest, read_send_log
from mentordocs.signin import Credentials
from mentordocs.tracking import (
    EXCEL_CELL_LIMIT,
    NOTES_HEADER,
    OTHER_SHEET,
    REVIEW_SHEET,
    STATUS_SHEET,
    OtherField,
    ReturnedForm,
    ReviewItem,
    TrackingData,
    excel_length,
    read_tracking,
    write_tracking,
)

__all__ = ["PARALLEL_FROM", "CollectResult", "MailboxInput", "backup_path", "collect_forms"]

PARALLEL_FROM = 200  # files; fewer are read in this process (starting workers costs more)


@dataclass
class CollectResult:
    """What one ``collect_forms`` run did."""

    tracking_path: Path
    read: int = 0  # files read as forms (including ones already in the workbook)
    new: int = 0  # returns added or replaced in this run
    unchanged: int = 0  # files already in the workbook (same checksum)
    other: int = 0  # Word forms mentordocs did not make
    skipped: int = 0  # Office lock files and system files, never looked at
    blank: int = 0  # forms read that are exactly as generated (counted in ``read``)
    not_forms: list[str] = field(default_factory=list)  # files recognisably not forms
    unreadable: int = 0  # files that may be returns but could not be read
    review: int = 0  # answers put on the Review sheet in this run
    messages: int = 0  # mail messages opened in mailboxes this run
    messages_twice: int = 0  # mail messages passed over: a second copy of one read
    still_listed: int = 0  # files the Problems sheet still lists from earlier runs
    moved: int = 0  # mail messages moved to --move-to's folder
    not_moved: bool = False  # moving them failed (after the workbook was saved): ``notes`` say
    notes: list[str] = field(default_factory=list)  # what the mailboxes said (moves, copies)
    problems: list[Problem] = field(default_factory=list)
    backup: Path | None = None
    # The coordinator's templates folders the packets' manifest named, read against (no
    # --templates given), with the forms read from each.
    templates_of_packets: dict[Path, list[str]] = field(default_factory=dict)

    @property
    def attention(self) -> int:
        "Files this run found something wrong with (the Problems sheet says what)."
        return len({p.file for p in self.problems})


@dataclass(frozen=True)
class MailboxInput:
    """A mailbox folder to collect from, and how to sign in to it."""

    address: MailboxAddress
    credentials: Credentials
    cafile: str | None = None  # a certificate authority to trust (a company's own)


def backup_path(tracking_path: str | os.PathLike[str]) -> Path:
    target = Path(tracking_path)
    return target.with_name(target.name + ".bak")


def collect_forms(
    inputs: Sequence[str | os.PathLike[str]],
    tracking_path: str | os.PathLike[str],
    roster: Roster,
    *,
    packets_dir: str | os.PathLike[str] | None = None,
    include_confidential: bool = False,
    templates_dir: str | os.PathLike[str] | None = None,
    jobs: int = 0,
    progress: Progress | None = None,
    mailboxes: Sequence[MailboxInput] = (),
    move_to: str | None = None,
) -> CollectResult:
    """Read returned forms from files, folders, zips, emails and mailboxes into the tracking
    workbook.

    ``mailboxes`` are read for the messages not read before (the workbook remembers which);
    with ``move_to``, the messages whose every attachment was used are moved to that folder
    once the workbook is saved. A mailbox that cannot be opened raises ``MailboxError``
    before anything is written; a connection lost midway keeps what was read (the next run
    goes on) and is listed under Problems.

    The workbook is written to a temporary file and renamed; the previous one is kept as
    ``<name>.bak``. ``jobs`` worker processes read the files (0: one per CPU, used from
    PARALLEL_FROM files on). Raises CollectError when the workbook is open in Excel (nothing
    is written) or cannot be read back.
    """
    target = Path(tracking_path)
    _refuse_open_workbook(target)
    result = CollectResult(tracking_path=target)
    specs = load_form_specs(Path(templates_dir) if templates_dir is not None else None)
    if templates_dir is None and packets_dir is not None:
        specs = _specs_of_packets(Path(packets_dir), specs, result)
    as_read = _file_state(target)  # before reading: a save while collect runs is seen
    previous = read_tracking(target) if target.exists() else TrackingData()
    _refuse_work_of_yours(target, previous)
    harvest = _Harvest(roster, specs, previous, packets_dir, include_confidential)
    inventory = find_returns(inputs)
    mail = _read_mailboxes(mailboxes, previous, inventory, move_to, result, progress)
    for source, read in zip(mailboxes, mail, strict=True):
        if read.complete:  # read to the end: a connection lost on an earlier run is past
            harvest.scanned.add(source.address.label)
    problems = [*result.problems, *inventory.problems]
    result.skipped, result.not_forms = inventory.passed_over, inventory.not_forms
    result.unreadable = sum(1 for p in problems if p.severity == "error")
    progress = progress or NoProgress()
    progress.start(len(inventory.returns), "Reading forms")
    try:
        known = frozenset(harvest.known_checksums)
        readings = _read_all(inventory.returns, jobs, specs, known, harvest.read_pdf)
        for item, reading in zip(inventory.returns, readings, strict=True):
            progress.advance()
            harvest.take(item, reading, result, problems)
    finally:
        progress.finish()
    result.problems = problems
    data = harvest.tracking_data(problems)
    result.still_listed = len({p.file for p in data.problems} - {p.file for p in problems})
    if mail:
        data.mailbox = mail[-1].state
    payload = write_tracking(target, data, roster, specs, packets_dir=packets_dir)
    result.backup = _write_with_backup(target, payload, as_read)
    if move_to:
        try:
            _move_read_mail(mailboxes, mail, move_to, problems, result)
        except KeyboardInterrupt:
            raise StoppedAfterSaving(move_to) from None
    return result


class StoppedAfterSaving(KeyboardInterrupt):
    """Ctrl-C once the workbook was saved, while the emails read were being moved to the
    ``folder``: every return is in the workbook, some emails may still be where they were (and
    are not read again: the workbook remembers them)."""

    def __init__(self, folder: str) -> None:
        super().__init__(folder)
        self.folder = folder


def _specs_of_packets(
    packets: Path, specs: dict[str, FormSpec], result: CollectResult
) -> dict[str, FormSpec]:
    """``specs`` with each form the packets' manifest says was generated from a coordinator's
    templates folder read from that folder (--templates not given): its own questions would
    otherwise go to the Review sheet. The folders used are kept in
    ``result.templates_of_packets``; one no longer there is a warning in ``result.problems``."""
    manifest = read_manifest(packets)
    out = dict(specs)
    gone: dict[Path, list[str]] = {}
    for form in specs:
        folder, there = manifest.templates_folder(form, packets)
        if folder is None:
            continue
        if not there:
            gone.setdefault(folder, []).append(form)
            continue
        try:
            out[form] = load_form_spec(folder / f"{form}.json", expected_form=form)
        except FormSpecError as exc:
            result.problems.append(
                _templates_unusable(
                    packets,
                    f"the {form} forms in the packets were generated from your templates in "
                    f"{folder}, whose declaration cannot be read now ({exc}); they",
                    f"Correct {form}.json (mentordocs templates check {folder} says more), or "
                    "give --templates with the folder that holds your templates now.",
                )
            )
            continue
        result.templates_of_packets.setdefault(folder, []).append(form)
    result.problems += [
        _templates_unusable(
            packets,
            f"the {', '.join(forms)} form(s) in the packets were generated from your "
            f"templates in {folder}, which are no longer there: they",
            "Give --templates with the folder that holds your templates now.",
        )
        for folder, forms in gone.items()
    ]
    return out


def _templates_unusable(packets: Path, why: str, fix: str) -> Problem:
    """The warning for forms of the packets whose recorded templates cannot be used: ``why``
    ends with the subject of what follows ("...; they")."""
    return Problem(
        str(packets / MANIFEST_NAME),
        f"{why} were read against the shipped templates, and answers to questions of your own "
        "are on the Review sheet.",
        fix,
        severity="warning",
    )


def _read_mailboxes(
    mailboxes: Sequence[MailboxInput],
    previous: TrackingData,
    inventory: Inventory,
    move_to: str | None,
    result: CollectResult,
    progress: Progress | None,
) -> list[MailboxHarvest]:
    """Each mailbox's new messages opened into ``inventory`` (the state carried from one to
    the next, so the same message in two folders is read once)."""
    harvests: list[MailboxHarvest] = []
    state = previous.mailbox
    for source in mailboxes:
        mail = read_mailbox(
            source.address,
            source.credentials,
            state,
            move_to=move_to,
            cafile=source.cafile,
            progress=progress,
        )
        harvests.append(mail)
        state = mail.state
        result.messages += mail.read
        result.messages_twice += mail.duplicates
        inventory.returns.extend(mail.inventory.returns)
        inventory.not_forms.extend(mail.inventory.not_forms)
        inventory.problems.extend(mail.inventory.problems)
        inventory.passed_over += mail.inventory.passed_over
        if mail.stopped:
            inventory.problems.append(
                Problem(
                    source.address.label,
                    mail.stopped,
                    "Run the same command again: messages already read are not read twice.",
                )
            )
    return harvests


def _troubled(name: str | None, files: set[str]) -> bool:
    """Whether the message ``name`` (or anything in it) has a problem."""
    return name is None or any(f == name or f.startswith(name + " > ") for f in files)


def _move_read_mail(
    mailboxes: Sequence[MailboxInput],
    harvests: list[MailboxHarvest],
    move_to: str,
    problems: list[Problem],
    result: CollectResult,
) -> None:
    """Move the messages whose attachments were all used (never one with a problem)."""
    troubled = {p.file for p in problems}
    for source, mail in zip(mailboxes, harvests, strict=True):
        uids = [uid for uid in mail.movable if not _troubled(mail.names.get(uid), troubled)]
        try:
            moved = move_messages(
                source.address,
                source.credentials,
                uids,
                mail.uidvalidity,
                move_to,
                cafile=source.cafile,
            )
        except MailboxError as exc:  # the workbook is saved: say so, and what to do instead
            result.not_moved = True
            result.notes.append(
                f"The messages read from {source.address.label} could not all be moved to "
                f"{move_to!r} ({str(exc).split('. ')[0].rstrip('.')}). The workbook is saved "
                "with what they held; the messages not moved stay where they are and are not "
                "read again: move them in your mail program."
            )
            continue
        result.moved += moved.moved
        if moved.note:
            result.notes.append(moved.note)


def _refuse_open_workbook(target: Path) -> None:
    lock = office_lock_file(target)
    if lock is not None:
        raise CollectError(
            f"{target} is open in Excel or LibreOffice (found {lock.name} beside it), so it was "
            "not changed. Close it there and run the command again."
        )


#: What the Review sheet shows for an answer that may be confidential (confidential answers
#: are not copied into the workbook unless --include-confidential is given).
WITHHELD = (
    "(not copied: it may answer a confidential question; read it in the returned form, or "
    "collect with --include-confidential)"
)


def _refuse_work_of_yours(target: Path, previous: TrackingData) -> None:
    """Collect rewrites the workbook from what it read back: refuse to lose what it did not
    write (raises CollectError before anything is read or written)."""
    if not previous.not_ours:
        return
    listed = "; ".join(previous.not_ours)
    raise CollectError(
        f"{target} holds work of yours that collect does not keep when it writes the workbook "
        f"again: {listed}. Undo those changes, or move what you added to a workbook of your own "
        "(or delete it), save, and run the command again; nothing was changed. Collect writes every sheet anew on each run, "
        f"keeping only what is typed in the '{NOTES_HEADER}' column of the {STATUS_SHEET} sheet: "
        "notes on a pair belong there."
    )


def _file_state(path: Path) -> str | None:
    """What a file holds (its checksum); None when there is none. Its content, not its time:
    a sync client (OneDrive, Dropbox) that only touches the file changes nothing."""
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return None


def _write_with_backup(target: Path, payload: bytes, as_read: str | None) -> Path | None:
    """Write the workbook, keeping the previous one as .bak; refused when it was opened in
    Excel, or saved by someone (or another collect) since this run read it (``as_read``):
    writing over it would lose what they saved."""
    if office_lock_file(target) is not None:
        raise CollectError(
            f"{target} was opened in Excel while collecting, so it was not changed. Close it "
            "and run the command again."
        )
    if _file_state(target) != as_read:
        raise CollectError(
            f"{target} was saved by someone else while collect was running (in Excel or "
            "LibreOffice, or by another 'mentordocs collect' at the same time), so it was not "
            "written: that would have lost what was saved. Nothing was changed and no mail was "
            "moved. Run the command again: it reads the workbook as it is now."
        )
    backup = None
    if target.exists():
        backup = backup_path(target)
        try:
            shutil.copy2(target, backup)
        except OSError as exc:
            raise OutputError(
                f"Could not keep a backup of {target} as {backup.name} ({exc}); nothing "
                "was written. Check the folder is writable."
            ) from exc
    atomic_write_bytes(target, payload)
    return backup


# ---- reading, in worker processes when there are many files -----------------------------------

_WORKER_SPECS: Mapping[str, FormSpec] = {}
_WORKER_KNOWN: frozenset[str] = frozenset()


def _init_worker(specs: Mapping[str, FormSpec], known: frozenset[str]) -> None:
    global _WORKER_SPECS, _WORKER_KNOWN
    _WORKER_SPECS, _WORKER_KNOWN = specs, known


def _read_one(item: Found) -> FormReading | FormReadError:
    """Read one file; a file that cannot be used gives its FormReadError (not raised).

    A file whose checksum is known (already in the workbook, or a blank form as generated)
    comes back with its checksum only. A form of ours whose fields all kept their tags is
    matched to its declaration here (``reading.matched``), so a worker sends back values
    rather than every Field.
    """
    data, file_time = item.data, item.file_time
    try:
        if data is None:
            assert item.path is not None
            data, mtime = read_file(item.path)
            file_time = file_time or dt.datetime.fromtimestamp(mtime)
        checksum = hashlib.sha256(data).hexdigest()
        if checksum in _WORKER_KNOWN:
            return FormReading(item.name, checksum, len(data), "", [], file_time=file_time)
        reading = read_return(data, item.name, item.kind, file_time=file_time, sha256=checksum)
    except FormReadError as exc:
        return exc
    spec = _WORKER_SPECS.get(reading.form)
    if spec is not None and reading.fields and all(f.source == "tag" for f in reading.fields):
        matched = match_fields(reading.fields, spec, None)
        if not matched.unproven:
            reading.matched, reading.fields = matched, []
    return reading


def _read_all(
    items: list[Found],
    jobs: int,
    specs: Mapping[str, FormSpec],
    known: frozenset[str],
    read_pdf_here: Callable[[Found], FormReading | FormReadError],
) -> Iterator[FormReading | FormReadError]:
    """Read every file in order; Word and OpenDocument files in ``jobs`` worker processes
    when there are many; PDFs here (their printed answers are located against the pair's
    own form, which this process holds)."""
    words = [item for item in items if item.kind != "pdf"]
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(words) < PARALLEL_FROM:
        _init_worker(specs, known)
        read: Iterator[FormReading | FormReadError] = map(_read_one, words)
        for item in items:
            yield read_pdf_here(item) if item.kind == "pdf" else next(read)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(dict(specs), known)
    ) as pool:
        read = pool.map(_read_one, words, chunksize=16)
        for item in items:
            yield read_pdf_here(item) if item.kind == "pdf" else next(read)


# ---- what each reading adds ---------------------------------------------------------------------


class _Harvest:
    """The workbook's contents as they build up over one run."""

    def __init__(
        self,
        roster: Roster,
        specs: Mapping[str, FormSpec],
        previous: TrackingData,
        packets_dir: str | os.PathLike[str] | None,
        include_confidential: bool,
    ):
        self.roster = roster
        self.specs = specs
        self.previous = previous
        self.include_confidential = include_confidential
        self.pair_ids = [p.pair_id for p in roster.pairs]
        self.blank_checksums, generated = _packet_index(packets_dir)
        self.generated = generated
        self.references = References(roster, generated, _sent_checksums(packets_dir))
        self.versions = FormVersions(specs, packets_dir)
        self.returns = {(r.pair_id, r.form): r for r in previous.returns}
        self.superseded = dict(previous.superseded)
        self.others = list(previous.others)
        self.review = list(previous.review)
        self.seen = {r.sha256 for r in previous.returns}
        self.seen.update(o.sha256 for o in previous.others)
        # Files set aside for a newer return are read again when given again: one comes back
        # once the coordinator takes the newer file out and deletes its row (see _set_aside).
        self.scanned: set[str] = set()  # files whose problems are worked out afresh
        self.added: set[tuple[str, str]] = set()  # (pair, form) of the rows this run added
        self.beside_known: dict[str, set[str]] = {}  # form -> texts its forms show beside fields

    @property
    def known_checksums(self) -> set[str]:
        return self.seen | self.blank_checksums

    def read_pdf(self, item: Found) -> FormReading | FormReadError:
        """A PDF return: its form fields, else its printed answers located for review."""
        try:
            data, file_time = item.data, item.file_time
            if data is None:
                assert item.path is not None
                data, mtime = read_file(item.path)
                file_time = file_time or dt.datetime.fromtimestamp(mtime)
            pdf = read_pdf(
                data,
                item.name,
                self.specs,
                program=self.roster.program.name,
                pair_ids=self.pair_ids,
                labels=self._shown_labels,
            )
        except FormReadError as exc:
            return exc
        reading = _pdf_reading(pdf, file_time)
        spec = self.specs.get(reading.form)
        made = self.references.get(reading.pair_id, spec) if spec and reading.pair_id else None
        if made is not None:  # a field without a name still showing a prompt, or a value the
            # form was sent with (a meeting day from the roster): not an answer
            as_made = {*made.placeholders.values(), *(str(v) for v in made.sent.values())}
            reading.recovered = [
                r
                for r in reading.recovered
                if r.source != "field" or r.field_id or r.text not in as_made
            ]
        if spec is not None:
            for field_id in pdf.unlocated:
                declared, n = spec.lookup(field_id)
                reading.unlocated.append(declared.label_for(n) if declared else field_id)
        return reading

    def _shown_labels(self, pair_id: str, form: str) -> FormLabels | None:
        spec = self.specs.get(form)
        reference = self.references.get(pair_id, spec) if spec is not None else None
        if reference is None:
            return None
        return FormLabels(
            [
                ShownLabel(fid, reference.before.get(fid, ""), reference.placeholders.get(fid, ""))
                for fid, _ in reference.order
            ]
        )

    def take(
        self,
        item: Found,
        reading: FormReading | FormReadError,
        result: CollectResult,
        problems: list[Problem],
    ) -> None:
        if isinstance(reading, FormReadError):
            self.scanned.add(item.name)
            result.unreadable += 1
            problems.append(Problem(item.name, reading.message + ".", reading.fix))
            return
        result.read += 1
        if reading.sha256 in self.blank_checksums:
            result.blank += 1
            if item.sender:  # someone sent it back believing it filled in: say who
                self.scanned.add(item.name)
                problems.append(_sent_back_blank(item))
            return
        if reading.sha256 in self.seen:
            result.unchanged += 1  # its problems from the last run, if any, are kept
            return
        self.seen.add(reading.sha256)
        self.scanned.add(item.name)
        problems.extend(_warnings(item, reading))
        identity = self._identify(item, reading, result, problems)
        if identity is not None:
            self._add(item, reading, *identity, result, problems)

    def _identify(
        self, item: Found, reading: FormReading, result: CollectResult, problems: list[Problem]
    ) -> tuple[str, FormSpec] | None:
        """(pair id, form) of a return, or None when it is not one (said in ``problems``)."""
        program = self.roster.program.name
        if reading.program and reading.program != program:
            problems.append(
                Problem(
                    item.name,
                    f"is a form of another program ('{reading.program}'), not of "
                    f"'{program}'; it was not copied.",
                    "Collect it with that program's roster, or check it was sent to the "
                    "right coordinator.",
                )
            )
            return None
        pair_id, form = reading.pair_id, reading.form
        taken_from = ""  # what the pair was taken from when the form does not say
        if not pair_id or not form:
            named_pair, named_form = identify_from_name(item.name, self.pair_ids, self.specs)
            shown = self._shown_pair(reading.shown) if not pair_id else None
            if shown and named_pair and shown != named_pair:
                problems.append(_pair_disputed(item.name, shown, named_pair))
                return None
            if not named_form and not form:
                named_form = self._shown_form(reading.shown)
            if shown:  # the form's own footer names its pair: as good as its properties
                named_pair = shown
            elif named_pair and not pair_id:
                taken_from = _BY_FILE_NAME
            elif not (pair_id or named_pair) and item.sender:
                named_pair = self._by_sender(item)
                taken_from = f"{item.sender} sent it" if named_pair else ""
            pair_id, form = pair_id or named_pair or "", form or named_form or ""
            if not reading.form and not (named_pair and named_form):
                self._other_form(item, reading, result, problems)
                return None
        spec = self.specs.get(form)
        if spec is None:
            problems.append(
                Problem(
                    item.name,
                    f"says it is form '{form}', which this program's templates do not have.",
                    "Check the templates folder (--templates) matches the forms you sent.",
                )
            )
            return None
        if pair_id not in self.pair_ids:
            problems.append(
                Problem(
                    item.name,
                    f"is for pair '{pair_id or '?'}', which is not in the roster "
                    f"({Path(self.roster.path).name}); it was not copied.",
                    "Add the pair to the roster (sheet 'Pairs') or check the file came "
                    "from this program, then collect again.",
                )
            )
            return None
        if taken_from:
            problems.append(_pair_taken_from(item.name, pair_id, spec, taken_from))
        return pair_id, spec

    def _shown_pair(self, shown: str) -> str | None:
        """The one roster pair a form's headers and footers name ("Pair P03 · Goal sheet"),
        if exactly one."""
        named = {
            pair_id
            for pair_id in self.pair_ids
            if re.search(r"\bPair\s+" + re.escape(pair_id) + r"(?![\w-])", shown)
        }
        return named.pop() if len(named) == 1 else None

    def _shown_form(self, shown: str) -> str | None:
        """The one form whose title a form's headers and footers show, if exactly one."""
        text = shown.casefold()
        named = [form for form, spec in self.specs.items() if spec.title.casefold() in text]
        return named[0] if len(named) == 1 else None

    def _by_sender(self, item: Found) -> str | None:
        """The pair whose mentor or mentee sent the email a file came in, if exactly one."""
        sender = item.sender.casefold()
        pairs = [
            p.pair_id
            for p in self.roster.pairs
            if sender in (p.mentor.email.casefold(), p.mentee.email.casefold())
        ]
        return pairs[0] if len(pairs) == 1 else None

    def _other_form(
        self, item: Found, reading: FormReading, result: CollectResult, problems: list[Problem]
    ) -> None:
        """A Word file that is not one of ours: its fields go to the Other forms sheet."""
        named = [
            f._replace(value="") if f.placeholder and f.kind != "checkbox" else f  # its prompt
            for f in reading.fields
            if f.id or f.source == "legacy"
        ]
        if not named:
            problems.append(
                Problem(
                    item.name,
                    "has no form fields and does not say which pair and form it is, so there "
                    "was nothing to copy.",
                    "If it is a returned form, rename it to start with the pair id and the form "
                    "name (e.g. P03_goal-sheet.docx) and collect again.",
                    severity="warning",
                )
            )
            return
        result.other += 1
        self.others.extend(
            OtherField(
                source=item.name,
                sha256=reading.sha256,
                name=f.alias or f.tag or f.id or "(no name)",
                kind=f.kind,
                value=f.value,
                tag=f.tag,
            )
            for f in named
        )
        long = ((f.alias or f.tag or f.id or "(no name)", f.value) for f in named)
        problems.extend(_too_long_elsewhere(item.name, long, OTHER_SHEET))

    def _add(
        self,
        item: Found,
        reading: FormReading,
        pair_id: str,
        spec: FormSpec,
        result: CollectResult,
        problems: list[Problem],
    ) -> None:
        key = (pair_id, spec.form)
        current = self.returns.get(key)
        if (
            current is not None
            and reading.sha256 in self.superseded
            and not _later(reading.when, current.returned_at)
        ):
            result.unchanged += 1  # set aside before, for the return still in the workbook
            tie = reading.when == current.returned_at
            problems.append(_set_aside(item.name, item.came_in, current, spec, pair_id, tie))
            return
        if reading.sha256 in self.superseded:  # set aside before, and now the only one: what
            self.scanned.add(self.superseded.pop(reading.sha256))  # was said of it is past
        reading.stray += self._typed_beside(pair_id, reading, spec)
        matched = self._match(item, reading, pair_id, spec, problems)
        if self._blank_copy(item, reading, pair_id, spec, matched):
            result.blank += 1
            return
        candidate = ReturnedForm(
            pair_id=pair_id,
            form=spec.form,
            source=item.name,
            sha256=reading.sha256,
            returned_at=reading.when,
            values=self._kept_values(matched, spec),
            confidential_included=self.include_confidential,
            came_in=_came_in(item, reading),
        )
        self._add_review(item, reading, pair_id, spec, matched, result, problems)
        if current is None:
            self.returns[key] = candidate
            self.added.add(key)
            result.new += 1
            problems.extend(_too_long_for_a_cell(item.name, candidate, spec))
            return
        newer, older = _newest(current, candidate)
        self.returns[key] = newer
        self.superseded[older.sha256] = older.source
        self.review = [r for r in self.review if r.sha256 != older.sha256]
        if newer is candidate:
            result.new += key not in self.added  # not twice for one row
            self.added.add(key)
            problems.extend(_too_long_for_a_cell(item.name, candidate, spec))
        tie = older.returned_at == newer.returned_at
        older_came_in = item.came_in if older is candidate else _mailbox_if(older)
        problems.append(_set_aside(older.source, older_came_in, newer, spec, pair_id, tie))
        problems.extend(_signed_in_counterparts(newer, older, spec))

    def _typed_beside(self, pair_id: str, reading: FormReading, spec: FormSpec) -> list[StrayText]:
        """What was typed beside a field, in its paragraph but outside its box, without Track
        Changes (that with Track Changes on is in ``reading.stray`` already): what the
        paragraph shows beyond what the pair's own form shows there. No field's answer."""
        known = self.beside_known.setdefault(spec.form, set())
        unknown = [entry for entry in reading.beside if entry.text not in known]
        if not unknown:
            return []  # only the form's own texts (a check box's label)
        reference = self.references.get(pair_id, spec)
        if (
            reference is None
            or reference.version != reading.template_version
            or not reference.version
        ):
            # Nothing to compare with: the pair's form cannot be made, or not from the template
            # this one was made from (another version's lines may hold other texts).
            return []
        known.update(reference.beside.values())
        tracked = [" ".join(s.text.split()) for s in reading.stray]
        typed = []
        for entry in unknown:
            name = next((n for n in entry.names if n in reference.beside), "")
            if not name or (
                reference.beside[name]
                and not reference.as_sent
                and name not in self.references.fixed_beside(spec)
            ):
                # No field the pair's form has; or a line whose text, in a copy rendered now,
                # may come from the roster (which may have changed since)
                continue
            text = entry.text.replace(reference.beside[name], " ", 1)
            for already in tracked:
                text = text.replace(already, " ", 1) if already else text
            if text.split():
                typed.append(StrayText(" ".join(text.split()), "", name))
        return typed

    def _blank_copy(
        self, item: Found, reading: FormReading, pair_id: str, spec: FormSpec, matched: Matched
    ) -> bool:
        """Whether a file is the pair's own generated copy in the packets folder, saved again
        with nothing written in it (opened in Word and saved): a blank form, not a return.
        Nothing written: every value is what the form is made with now (the roster's goals,
        the placeholders), compared with a copy rendered afresh."""
        generated = self.generated.get((pair_id, spec.form))
        if generated is None or item.path is None or item.path.resolve() != generated.resolve():
            return False
        made = self.references.rendered(pair_id, spec)  # the file itself may be saved over
        if made is None:
            return False
        for field_id, value in matched.values.items():
            if is_filled(value) and value not in (
                made.sent.get(field_id),
                made.placeholders.get(field_id),
            ):
                return False  # an answer: a return, wherever it was saved
        as_made = {*made.sent.values(), *made.placeholders.values()}
        return all(
            not is_filled(text) or text in as_made for text, *_ in _for_review(reading, matched)
        )

    def _match(
        self,
        item: Found,
        reading: FormReading,
        pair_id: str,
        spec: FormSpec,
        problems: list[Problem],
    ) -> Matched:
        if reading.matched is not None and reading.form == spec.form:
            return reading.matched  # every field proven by its tag where it was read
        if reading.damaged:
            return all_for_review(reading.fields, self.references.get(pair_id, spec), _DAMAGED)
        sent, note = self.versions.spec_for(spec, reading.template_version)
        if note:
            problems.append(Problem(item.name, note, "", severity="warning"))
        reference = None
        # Only a form re-saved elsewhere (tags gone) needs a clean copy to compare with.
        if any(f.source not in ("tag", "legacy") for f in reading.fields):
            reference = self.references.get(pair_id, spec)
        matched = match_fields(reading.fields, sent, reference, made_with=reading.template_version)
        if sent is not spec and reference is None:
            # What the questions today's form dropped were sent with (left as they were, they
            # are not answers): the pair's own copy from the packets folder, if it is there.
            reference = self.references.sent_copy(pair_id, spec)
        return self.versions.today(matched, sent, spec, reference)

    def _kept_values(self, matched: Matched, spec: FormSpec) -> dict[str, str | bool]:
        values = dict(matched.values)
        if not self.include_confidential:
            for field_id in spec.layout(values).confidential:
                values[field_id] = FILLED_IN if is_filled(values[field_id]) else LEFT_BLANK
        return values

    def _add_review(
        self,
        item: Found,
        reading: FormReading,
        pair_id: str,
        spec: FormSpec,
        matched: Matched,
        result: CollectResult,
        problems: list[Problem],
    ) -> None:
        """Everything written in a return that is no proven field's answer, for review. Unless
        confidential answers are copied, an answer that may be one (its field is not known to
        be another) says only where to read it, as a confidential column would."""
        found = _for_review(reading, matched)
        private = not self.include_confidential and bool(spec.confidential_ids)

        def shown(text: Value, hint: str, named: bool) -> Value:
            # Copied only when the field is known, by its own name, not to be confidential: a
            # hint from a place or a label is a guess.
            declared = spec.match(hint) if named else None
            if not private or not is_filled(text) or (declared and not declared.confidential):
                return text
            return WITHHELD

        items = [
            ReviewItem(
                pair_id,
                spec.form,
                item.name,
                reading.sha256,
                shown(text, hint, named),
                before,
                hint,
                why,
            )
            for text, before, hint, why, named in found
        ]
        self.review.extend(items)
        result.review += len(found)
        problems.extend(_review_problems(item, reading, matched, self.versions.packets))
        long = ((each.before or each.suggestion, each.text) for each in items)
        problems.extend(_too_long_elsewhere(item.name, long, REVIEW_SHEET))

    def tracking_data(self, problems: list[Problem]) -> TrackingData:
        """What the workbook will hold: problems about files not looked at in this run are
        kept from the last run."""
        mentioned = {p.file for p in problems}
        kept = [
            p
            for p in self.previous.problems
            if p.file not in self.scanned and p.file not in mentioned
        ]
        return TrackingData(
            returns=sorted(self.returns.values(), key=lambda r: (r.pair_id, r.form)),
            others=self.others,
            problems=kept + problems,
            include_confidential=self.include_confidential or self.previous.include_confidential,
            superseded=self.superseded,
            review=self.review,
            generated=self.previous.generated,  # what earlier runs learnt from --packets
            sent=self.previous.sent,
            notes=self.previous.notes,
        )


_DAMAGED = (
    "the file is damaged (not well-formed XML, e.g. saved by LibreOffice 7.4 with Track "
    "Changes on); this was read from what could be made of it"
)


def _for_review(
    reading: FormReading, matched: Matched
) -> list[tuple[str | bool, str, str, str, bool]]:
    """(what was written, the text before it, the field it suggests, why, whether that field
    is named by the answer's own box) of each answer in ``reading`` that is no proven field's
    answer."""
    found = [
        (u.field.value, u.field.before, u.suggestion, u.why, u.named) for u in matched.unproven
    ]
    found += [
        (typed.text, typed.before, typed.control_before, _TYPED_OUTSIDE, False)
        for typed in reading.stray
    ]
    found += [
        (
            recovered.text,
            recovered.label,
            recovered.field_id,
            (
                "read from a field of the PDF ("
                if recovered.source == "field"
                else "read from the printed form ("
            )
            + recovered.sure
            + (f": {recovered.reason}" if recovered.reason else "")
            + "); confirm it against the PDF",
            False,
        )
        for recovered in reading.recovered
    ]
    return found


#: How a PDF form whose fields have no usable names came back ("Came in as").
UNNAMED_PDF = "pdf (fields without names)"

_TYPED_OUTSIDE = "typed outside the form's fields, so it is no field's answer"


def _review_problems(
    item: Found, reading: FormReading, matched: Matched, packets: Path | None
) -> list[Problem]:
    """The warnings that send the coordinator to the Review sheet (``packets``: the packets
    folder collect was given, if any)."""
    problems = []
    if reading.damaged:
        problems.append(
            Problem(
                item.name,
                f"is damaged ({', '.join(reading.damaged)} is not well-formed XML; LibreOffice "
                "7.4 writes such files when a form is edited with Track Changes on): what could "
                "be read of it is on the Review sheet, none of it in the form's columns.",
                "Check it against the file, or ask the sender to accept all changes (Edit > "
                "Track Changes > Accept All), save and send it again.",
                severity="warning",
            )
        )
        return problems
    problems.extend(_unproven_problems(item, matched, packets))
    if reading.stray:
        problems.append(
            Problem(
                item.name,
                f"has {len(reading.stray)} piece(s) of text typed outside the form's fields; "
                "they are on the Review sheet.",
                "Check each one and add it to the answer it belongs to, if any.",
                severity="warning",
            )
        )
    nameless = [r for r in reading.recovered if r.source == "field" and not r.field_id]
    if nameless:
        which = (
            "whose fields have"
            if reading.format == UNNAMED_PDF
            else f"with {len(nameless)} field(s) that have"
        )
        problems.append(
            Problem(
                item.name,
                f"is a PDF form {which} no names saying which question each answers (the form "
                "lost them in the program it was filled in before the PDF was made): it counts "
                f"as returned, and the {len(nameless)} answer(s) in those fields are on the "
                "Review sheet, not in the form's columns.",
                "Check the answers against the PDF and copy them into the form's columns, or ask "
                "the pair to return the Word form itself.",
                severity="warning",
            )
        )
    if reading.format == "pdf (printed)":
        found = (
            f"the {len(reading.recovered)} answer(s) read from its text are on the Review sheet, "
            "not in the form's columns"
            if reading.recovered
            else "no answer could be read from its text with certainty"
        )
        if reading.unlocated:
            found += (
                f"; the answers to {len(reading.unlocated)} question(s) could not be found in "
                f"its text ({_listed(reading.unlocated)})"
            )
        problems.append(
            Problem(
                item.name,
                "is a PDF without form fields (printed or exported from the form): it counts as "
                f"returned, and {found}.",
                "Check the answers against the PDF and copy them into the form's columns, or ask "
                "the pair to return the Word form itself.",
                severity="warning",
            )
        )
    return problems


def _listed(names: list[str], most: int = 5) -> str:
    """'a', 'b', ... : the first ``most`` of ``names``, quoted."""
    return ", ".join(repr(name) for name in names[:most]) + (", ..." if len(names) > most else "")


def _unproven_problems(item: Found, matched: Matched, packets: Path | None) -> list[Problem]:
    """The warnings for answers whose field is not proven: named a field the declaration does
    not list, a question of the template version the form was made from only, or nameless."""
    unproven = matched.unproven
    undeclared = list(dict.fromkeys(u.undeclared for u in unproven if u.undeclared))
    retired = list(dict.fromkeys(u.suggestion for u in unproven if u.retired))
    unnamed = [u for u in unproven if not u.undeclared and not u.retired]
    review = "they are on the Review sheet, not in the form's columns."
    said = [  # (whether it applies, what, what to do)
        (
            undeclared,
            f"has answers in {len(undeclared)} field(s) its form's declaration does not list "
            f"({_listed(undeclared)}); {review}",
            "If the forms were generated with your own templates, give collect --templates "
            "YOUR-FOLDER"
            + ("" if packets else " (or --packets with the folder they were generated into)")
            + " every time, so that later returns are filed in their columns; copy these "
            "answers from the Review sheet into their columns.",
        ),
        (
            retired,
            f"has answers to {len(retired)} question(s) that the template it was made from "
            f"asks and the one it is read against today does not ({_listed(retired)}); {review}",
            "Copy each into a column of today's form where it belongs. If the forms were "
            "generated with your own templates, give collect --templates YOUR-FOLDER.",
        ),
        (
            unnamed,
            f"has {len(unnamed)} answer(s) whose question could not be proven (usually because "
            f"another program removed the fields' names); {review}",
            "Check each one on the Review sheet and copy it into its column if it is right."
            + (
                ""
                if packets
                else " Giving --packets lets collect compare with the form as it was sent."
            ),
        ),
    ]
    return [Problem(item.name, what, fix, severity="warning") for found, what, fix in said if found]


def _pdf_reading(pdf: PdfReading, file_time: dt.datetime | None) -> FormReading:
    reading = pdf.form_reading(file_time)
    reading.format = (
        "pdf" if pdf.fields else (UNNAMED_PDF if pdf.unnamed_fields else "pdf (printed)")
    )
    reading.recovered = [
        Recovered(item.field_id, item.label, str(item.value), item.sure, item.reason, item.source)
        for item in pdf.review
    ]
    return reading


def _came_in(item: Found, reading: FormReading) -> str:
    """How a return came back, in a coordinator's words: "docx", "odt, in email > zip"."""
    kind = reading.format
    return kind if item.came_in == "file" else f"{kind}, in {item.came_in}"


def _warnings(item: Found, reading: FormReading) -> list[Problem]:
    warnings = []
    if reading.macros:
        warnings.append(
            Problem(
                item.name,
                "contains macros (it is a macro-enabled .docm). Its answers were read, but "
                "macros can carry viruses.",
                "Do not open it in Word unless you trust the sender; ask for a plain .docx next "
                "time.",
                severity="warning",
            )
        )
    if reading.attached_template:
        warnings.append(
            Problem(
                item.name,
                f"is attached to a template elsewhere ({reading.attached_template}), which Word "
                "fetches when it opens the file and which can carry macros. Its answers were "
                "read.",
                "Do not open it in Word unless you trust the sender; ask them to send the form "
                "itself, saved as a plain .docx.",
                severity="warning",
            )
        )
    return warnings


def _too_long_for_a_cell(source: str, ret: ReturnedForm, spec: FormSpec) -> list[Problem]:
    """A warning for each answer longer than an Excel cell holds (the workbook shows its
    beginning; the whole answer is in the returned form)."""
    return [
        Problem(
            source,
            f"answers '{declared.label_for(spec.instance(field_id))}' with "
            f"{excel_length(value):,} characters, more than an Excel cell holds "
            f"({EXCEL_CELL_LIMIT:,}); "
            "the workbook shows its beginning.",
            "Read the whole answer in the returned form.",
            severity="warning",
        )
        for field_id, value in ret.values.items()
        if isinstance(value, str)
        and excel_length(value) > EXCEL_CELL_LIMIT
        and (declared := spec.match(field_id)) is not None
    ]


def _too_long_elsewhere(
    source: str, texts: Iterable[tuple[str, Value]], sheet: str
) -> list[Problem]:
    """A warning for each text, put on the Review or Other forms sheet after ``label``, that
    is longer than an Excel cell holds (the sheet shows its beginning)."""
    return [
        Problem(
            source,
            f"holds an answer of {excel_length(text):,} characters"
            + (f" (after '{label}')" if label else "")
            + f", more than an Excel cell holds ({EXCEL_CELL_LIMIT:,}); the {sheet} sheet "
            "shows its beginning.",
            "Read the whole answer in the returned form.",
            severity="warning",
        )
        for label, text in texts
        if isinstance(text, str) and excel_length(text) > EXCEL_CELL_LIMIT
    ]


def _signed_in_counterparts(
    kept: ReturnedForm, other: ReturnedForm, spec: FormSpec
) -> list[Problem]:
    """The mentor and the mentee often each sign and send their own copy of a form: a signature
    the kept return lacks and the other copy has is carried over (its name, date and tick),
    and said so. The answers stay the kept return's. Not when the other copy answers
    differently: its signer signed other answers, and the kept ones stay unsigned (said so)."""
    problems = []
    signature_fields = {*MENTOR_SIGNATURE, *MENTEE_SIGNATURE}
    differing = [
        field_id
        for field_id, value in other.values.items()
        if field_id not in signature_fields
        and is_filled(value)
        and is_filled(kept.values.get(field_id))
        and str(value).strip() != str(kept.values[field_id]).strip()
    ]
    for role, fields in (("mentor", MENTOR_SIGNATURE), ("mentee", MENTEE_SIGNATURE)):
        if not signed_by(other.values, role) or signed_by(kept.values, role):
            continue
        if differing:
            problems.append(
                Problem(
                    kept.source,
                    f"is not signed by the {role}. {other.source}, another copy of the same "
                    f"form, is, but its answers differ ({labels(differing, spec)}): the "
                    f"{role} signed other answers, so this file counts as not signed by the "
                    f"{role}.",
                    f"Ask the {role} to sign this copy, or agree which answers stand.",
                    severity="warning",
                )
            )
            continue
        kept.values.update({f: other.values[f] for f in fields if f in other.values})
        problems.append(
            Problem(
                kept.source,
                f"is not signed by the {role}, but {other.source}, another copy of the same "
                f"form, is: the {role}'s signature there is counted with this file's answers "
                "(each signed their own copy).",
                f"Nothing to do if the two are copies of the same agreement; otherwise ask the "
                f"{role} to sign this one.",
                severity="warning",
            )
        )
    return problems


def _pair_disputed(source: str, shown: str, named: str) -> Problem:
    """The problem of a form without its properties whose footer and file name name two
    pairs: which one it is for is not guessed."""
    return Problem(
        source,
        f"says in its footer that it is pair {shown}'s form, but its file name says pair "
        f"{named} (its properties, which would settle it, are gone); it was not copied.",
        f"Open it and see whose answers it holds. If pair {shown}'s, rename the file to start "
        f"with {shown} and collect again. If pair {named}'s (written on a copy of {shown}'s "
        f"form), change 'Pair {shown}' in its footer to 'Pair {named}' in Word, save, and "
        "collect again.",
    )


def _pair_taken_from(source: str, pair_id: str, spec: FormSpec, because: str) -> Problem:
    """The warning for a return that does not carry its pair (the program it was last saved
    with dropped the form's properties): filed as ``pair_id``'s ``because`` ...."""
    rename = (
        "rename the file to start with that pair's id"
        if because == _BY_FILE_NAME
        else "save the attachment as a file named with that pair's id first"
    )
    return Problem(
        source,
        "does not carry the pair it is for (the program it was last saved with dropped the "
        f"form's properties, as Google Docs does); it was taken as pair {pair_id}'s because "
        f"{because}.",
        f"Check it is pair {pair_id}'s {spec.title} (the names on it). If it is another "
        f"pair's: {rename}, delete pair {pair_id}'s row on the sheet '{spec.title}', save, and "
        "collect it again.",
        severity="warning",
    )


_BY_FILE_NAME = "of its file name"


def _sent_back_blank(item: Found) -> Problem:
    "The warning for a form emailed back exactly as it was generated, nothing filled in."
    return Problem(
        item.name,
        "is the form exactly as it was sent, with nothing filled in, so it does not count as "
        "returned.",
        f"If {item.sender} meant to return it filled in, ask them to fill it in, save it, and "
        "send it again.",
        severity="warning",
    )


def _mailbox_if(ret: ReturnedForm) -> str:
    "How a return in the workbook came, as far as the set-aside warning needs: from a mailbox?"
    return "mailbox" if "in mailbox" in ret.came_in else ""


def _set_aside(
    source: str, came_in: str, kept: ReturnedForm, spec: FormSpec, pair_id: str, tie: bool
) -> Problem:
    """The warning for a return of a pair's form set aside for another one, ``kept``.
    ``came_in``: how the one set aside came (a message of a mailbox is read once: to bring it
    back, the coordinator saves it as a file)."""
    if tie:
        saved = f"both saved {_when(kept)}" if kept.returned_at else "neither says when"
        said = (
            f"is another return of {spec.title} for pair {pair_id} than {kept.source}, and which "
            f"is newer cannot be told ({saved}): the one collected first, {kept.source}, is in "
            "the workbook."
        )
    else:
        said = (
            f"is an older return of {spec.title} for pair {pair_id} than {kept.source} (saved "
            f"{_when(kept)}); the newer one is in the workbook."
        )
    take_out = "" if _mailbox_if(kept) else f"take {kept.source} out of the folder, "
    again = (
        "collect again, giving this form saved from that message as a file (a message is read "
        "from the mailbox only once)."
        if came_in.startswith("mailbox")
        else "collect again."
    )
    return Problem(
        source,
        said,
        f"Nothing to do if {kept.source} is the right one. If this one is: {take_out}delete pair "
        f"{pair_id}'s row on the sheet '{spec.title}', save, and {again}",
        severity="warning",
    )


def _when(ret: ReturnedForm) -> str:
    return f"{ret.returned_at:%Y-%m-%d %H:%M}" if ret.returned_at else "at an unknown time"


def _later(when: dt.datetime | None, than: dt.datetime | None) -> bool:
    """Whether ``when`` is later than ``than`` (an unknown time is the earliest)."""
    floor = dt.datetime.min
    return (when or floor) > (than or floor)


def _newest(a: ReturnedForm, b: ReturnedForm) -> tuple[ReturnedForm, ReturnedForm]:
    """(newer, older) of two returns: the document's modified time, then the file's; ``a``
    when neither is later."""
    return (b, a) if _later(b.returned_at, a.returned_at) else (a, b)


def _sent_checksums(packets_dir: str | os.PathLike[str] | None) -> dict[tuple[str, str], str]:
    """The checksum of the Word file of each (pair, form) as last sent, per the packets
    folder's send log (empty when none, or when it cannot be read: send says what is wrong)."""
    if packets_dir is None:
        return {}
    try:
        log = read_send_log(packets_dir)
    except OutputError:
        return {}
    return {
        (record.pair_id, sent.form): sent.sha256
        for record in log
        for sent in record.files
        if sent.form and sent.path.lower().endswith(".docx")
    }


def _packet_index(
    packets_dir: str | os.PathLike[str] | None,
) -> tuple[set[str], dict[tuple[str, str], Path]]:
    """Checksums of forms as generated (blank) and the generated file per (pair, form)."""
    if packets_dir is None:
        return set(), {}
    folder = Path(packets_dir)
    manifest = read_manifest(folder)
    checksums = {entry.sha256 for entry in manifest.files}
    files = {
        (entry.pair_id, entry.form): folder / entry.path
        for entry in manifest.files
        if Path(entry.path).suffix.lower() in RETURN_KINDS
    }
    return checksums, files
