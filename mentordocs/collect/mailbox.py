"""Returned forms straight from a mailbox folder, over IMAP.

``collect`` can be given a mailbox as an input beside files and folders::

    imaps://coordinator@school.org@outlook.office365.com/INBOX     (TLS, port 993)
    imap://coordinator@mail.school.org:143/Mentoring%20returns     (STARTTLS)

(``parse_mailbox_url`` and ``MailboxAddress`` live in ``mentordocs.mailsettings``, beside
the other mail settings, and are repeated here for collect's callers.)

``read_mailbox`` signs in (a password, or OAuth 2.0 through ``mentordocs.signin``), opens the
folder read-only (EXAMINE) and fetches each message it has not read before with
``BODY.PEEK[]``, so nothing is deleted and no message is marked read. Each message's bytes go
through the same code as a saved ``.eml`` (``inputs.add_email_bytes``): attachments, zips,
forwarded and attached messages, Outlook ``.msg`` attachments, within ``ContainerLimits``.

What has been read is a ``MailboxState`` (``mentordocs.tracking.mailstate``), kept in the
tracking workbook, so the next run reads only new messages: the folder's UIDVALIDITY and the
UIDs looked at, and the Message-IDs read (the same message delivered twice is read once).

``move_messages`` moves the messages read (on request, once the workbook is saved) to another
folder: MOVE when the server has it, else COPY, flag ``\\Deleted`` and ``UID EXPUNGE`` of
those messages only.

Nothing here prints: progress goes to a ``Progress``; what stops a run before anything is read
(an address, a sign-in, a folder, a certificate) is a ``MailboxError`` saying what, where and
what to do; a connection lost while reading ends the run early with what was read kept
(``MailboxHarvest.stopped``).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import imaplib
import os
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from mentordocs.collect.inputs import (
    ContainerLimits,
    Inventory,
    add_email_bytes,
    message_headers,
    message_label,
)
from mentordocs.collect.reading import MAX_FILE_BYTES
from mentordocs.errors import CollectError, Problem
from mentordocs.mailsettings import MailboxAddress, is_mailbox_url, parse_mailbox_url
from mentordocs.progress import NoProgress, Progress
from mentordocs.signin import Credentials, SignInError, XOAuth2, tls_context
from mentordocs.tracking.mailstate import MailboxState, normalize_message_id

__all__ = [
    "IMAP_PASSWORD_ENV",
    "MailboxAddress",
    "MailboxError",
    "MailboxHarvest",
    "MoveResult",
    "decode_folder_name",
    "encode_folder_name",
    "is_mailbox_url",
    "move_messages",
    "parse_mailbox_url",
    "read_mailbox",
]

#: Where the command line takes an IMAP password from (else it asks, hidden).
IMAP_PASSWORD_ENV = "MENTORDOCS_IMAP_PASSWORD"
_SIGN_IN_DOCS = "docs/mail-sign-in.md"


class MailboxError(CollectError):
    "The mailbox could not be read: what went wrong, where, and what to do."


# ---- what a run returns -----------------------------------------------------------------------


@dataclass
class MailboxHarvest:
    """What ``read_mailbox`` found in one folder.

    ``inventory`` holds the attachments sorted as ``find_returns`` sorts files (each return's
    ``sender`` is the message's From address); ``state`` is the state to save with the
    workbook (what was read before and now). ``movable`` lists the UIDs (under
    ``uidvalidity``) of the messages read this run whose every attachment was a form or
    plainly not a form, with nothing to look into: what ``move_messages`` may move.
    ``names`` gives each UID read (or passed over as a duplicate) its name in ``inventory``. ``stopped`` says why the run
    ended before reading every new message ("" when it did not).
    """

    address: MailboxAddress
    inventory: Inventory = field(default_factory=Inventory)
    state: MailboxState = field(default_factory=MailboxState)
    uidvalidity: int = 0
    messages: int = 0  # in the folder
    read: int = 0  # opened this run
    already_read: int = 0  # looked at by an earlier run
    duplicates: int = 0  # the same Message-ID as a message already read
    movable: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    stopped: str = ""

    @property
    def complete(self) -> bool:
        return not self.stopped


@dataclass
class MoveResult:
    """``moved`` messages; ``copied``: copied to the folder but left where they were, because
    the server cannot remove one message alone (``note`` says so)."""

    moved: int = 0
    copied: int = 0
    note: str = ""


# ---- reading ----------------------------------------------------------------------------------


@dataclass
class _Header:
    uid: int
    size: int
    message_id: str
    name: str


def read_mailbox(
    address: MailboxAddress,
    credentials: Credentials,
    state: MailboxState | None = None,
    *,
    move_to: str | None = None,
    limits: ContainerLimits | None = None,
    cafile: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    max_message_bytes: int = MAX_FILE_BYTES,
    batch_messages: int = 25,
    batch_bytes: int = 16 * 1024 * 1024,
    progress: Progress | None = None,
) -> MailboxHarvest:
    """Read every message of ``address``'s folder not read before (per ``state``, which is not
    changed: the new state is ``result.state``).

    ``move_to``, when the coordinator asked to move what is read, is only checked to exist
    here, before anything is read; ``move_messages`` moves once the workbook is saved.
    Raises ``MailboxError`` for what stops the run before a message is read.
    """
    result = MailboxHarvest(address, state=copy.deepcopy(state or MailboxState()))
    imap = _connect(address, credentials, cafile, timeout)
    try:
        try:
            if move_to is not None:
                _check_target(imap, address, move_to)
            result.uidvalidity, uids = _examine(imap, address)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(
                f"Opening {address.label} on {address.where} failed ({_reply(exc)}). Nothing was "
                "read; run the same command again (if it fails again, save the messages as "
                "files from your mail program and collect those)."
            ) from exc
        result.messages = len(uids)
        known = result.state.known_uids(address.key, result.uidvalidity)
        new = [uid for uid in uids if uid not in known]
        result.already_read = len(uids) - len(new)
        try:
            wanted = _headers(imap, result, new, max_message_bytes)
            _bodies(
                imap,
                result,
                wanted,
                limits or ContainerLimits(),
                batch_messages,
                batch_bytes,
                progress,
            )
        except (imaplib.IMAP4.error, OSError) as exc:  # IMAP4.abort: the connection is gone
            result.stopped = _lost(address, result, exc)
    finally:
        _logout(imap)
    return result


def _headers(
    imap: imaplib.IMAP4, result: MailboxHarvest, new: list[int], max_bytes: int
) -> list[_Header]:
    """The new messages worth fetching, in UID order; duplicates and messages too big are
    recorded as looked at here."""
    address, state = result.address, result.state
    wanted: list[_Header] = []
    this_run: set[str] = set()
    for chunk in _chunked(new, 200):
        typ, data = imap.uid(
            "FETCH",
            _uid_set(chunk),
            "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM SUBJECT DATE)])",
        )
        _check_ok(typ, data, "FETCH")
        for uid, size, literal in sorted(_fetched(data)):
            header = _header(address, uid, size, literal or b"")
            if header.message_id and (
                header.message_id in state.message_ids or header.message_id in this_run
            ):
                result.duplicates += 1
                result.movable.append(uid)  # with its twin: its name says which message it is
                result.names[uid] = header.name
                state.mark(address.key, result.uidvalidity, uid)
                continue
            if size > max_bytes:
                result.inventory.problems.append(_too_big(header, max_bytes))
                state.mark(address.key, result.uidvalidity, uid, header.message_id)
                continue
            this_run.add(header.message_id)
            wanted.append(header)
    return wanted


def _bodies(
    imap: imaplib.IMAP4,
    result: MailboxHarvest,
    wanted: list[_Header],
    limits: ContainerLimits,
    batch_messages: int,
    batch_bytes: int,
    progress: Progress | None,
) -> None:
    """Fetch and open the wanted messages, a batch at a time; each one is recorded as read as
    soon as its attachments are in the inventory."""
    progress = progress or NoProgress()
    progress.start(len(wanted), f"Reading {result.address.label}")
    try:
        for batch in _batches(wanted, batch_messages, batch_bytes):
            typ, data = imap.uid("FETCH", _uid_set([h.uid for h in batch]), "(UID BODY.PEEK[])")
            _check_ok(typ, data, "FETCH")
            bodies = {uid: literal for uid, _, literal in _fetched(data) if literal is not None}
            for header in batch:
                body = bodies.get(header.uid)
                if body is None:  # deleted meanwhile by another mail program: next run
                    continue
                _open_message(result, header, body, limits)
                progress.advance()
    finally:
        progress.finish()


def _open_message(
    result: MailboxHarvest, header: _Header, body: bytes, limits: ContainerLimits
) -> None:
    found = result.inventory
    before = (len(found.returns), len(found.not_forms), len(found.problems))
    add_email_bytes(found, body, header.name, limits)
    after = (len(found.returns), len(found.not_forms), len(found.problems))
    if after[2] == before[2] and (after[0], after[1]) != (before[0], before[1]):
        result.movable.append(header.uid)
    result.names[header.uid] = header.name
    result.read += 1
    result.state.mark(result.address.key, result.uidvalidity, header.uid, header.message_id)


def _header(address: MailboxAddress, uid: int, size: int, literal: bytes) -> _Header:
    headers = message_headers(literal)
    name = f"{address.label} > {message_label(headers)}"
    return _Header(uid, size, normalize_message_id(headers.get("Message-ID")), name)


def _too_big(header: _Header, max_bytes: int) -> Problem:
    return Problem(
        header.name,
        f"is a message of {header.size / 1024 / 1024:,.0f} MB, more than collect reads "
        f"({max_bytes / 1024 / 1024:,.0f} MB); it was not read.",
        "Save its attachments from your mail program and collect them as files.",
    )


def _lost(address: MailboxAddress, result: MailboxHarvest, exc: BaseException) -> str:
    gone = isinstance(exc, (imaplib.IMAP4.abort, OSError))
    what = "The connection to" if gone else "Reading stopped: an error from"
    return (
        f"{what} {address.where} {'was lost ' if gone else ''}while reading {address.label} "
        f"({_reply(exc)}), after {result.read} new message(s). What was read is kept: run the "
        "same command again to read the rest."
    )


def _batches(headers: list[_Header], count: int, size: int) -> Iterator[list[_Header]]:
    batch: list[_Header] = []
    total = 0
    for header in headers:
        if batch and (len(batch) >= count or total + header.size > size):
            yield batch
            batch, total = [], 0
        batch.append(header)
        total += header.size
    if batch:
        yield batch


def _chunked(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)


# ---- the FETCH response -----------------------------------------------------------------------

_FETCH_START = re.compile(rb"^\d+ \(")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


def _fetched(data: Sequence[object]) -> list[tuple[int, int, bytes | None]]:
    """imaplib's FETCH answer as ``(uid, size, literal)`` per message.

    imaplib gives a message with a literal as a tuple ``(text before the literal, literal)``
    followed by the text after it (``b")"`` or ``b" UID 7)"``: servers put UID before or after
    the body); a FETCH without a literal (a flag change another program made) as bytes.
    """
    items: list[list[bytes]] = []
    literals: list[bytes | None] = []
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            items.append([bytes(part[0])])
            literals.append(bytes(part[1]))
        elif isinstance(part, bytes) and _FETCH_START.match(part):
            items.append([part])
            literals.append(None)
        elif isinstance(part, bytes) and items:
            items[-1].append(part)
    out: list[tuple[int, int, bytes | None]] = []
    for texts, literal in zip(items, literals, strict=True):
        meta = b" ".join(texts)
        uid = _UID.search(meta)
        if uid is None:
            continue
        size = _SIZE.search(meta)
        out.append((int(uid.group(1)), int(size.group(1)) if size else 0, literal))
    return out


# ---- connecting and signing in ----------------------------------------------------------------


def _context(cafile: str | os.PathLike[str] | None) -> ssl.SSLContext:
    return tls_context(cafile, MailboxError)


def _connect(
    address: MailboxAddress,
    credentials: Credentials,
    cafile: str | os.PathLike[str] | None,
    timeout: float,
) -> imaplib.IMAP4:
    """A signed-in connection, or a MailboxError saying what went wrong and what to do.

    An OAuth 2.0 token the server refuses is replaced by a fresh one, once, on a new
    connection (servers slow down further attempts on a connection that failed one)."""
    context = _context(cafile)
    refused = ""
    for force_refresh in (False, True) if credentials.token is not None else (False,):
        imap: imaplib.IMAP4 | None = None
        try:
            if address.scheme == "imaps":
                imap = imaplib.IMAP4_SSL(
                    address.host, address.port, ssl_context=context, timeout=timeout
                )
            else:
                imap = imaplib.IMAP4(address.host, address.port, timeout=timeout)
                _starttls(imap, address, context)
            refused = _sign_in(imap, address, credentials, force_refresh)
            if not refused:
                return imap
            _logout(imap)
        except (MailboxError, SignInError):
            _logout(imap)
            raise
        except BaseException as exc:
            _logout(imap)
            translated = _connect_error(address, exc)
            if translated is None:
                raise
            raise translated from exc
    raise MailboxError(
        f"{_first_up(address.where)} refused the OAuth 2.0 sign-in for {credentials.user} "
        f"({refused}). Check that IMAP is turned on for this mailbox and that the app "
        "registration has the IMAP.AccessAsUser.All permission, with your IT department "
        f"(see {_SIGN_IN_DOCS})."
    )


def _starttls(imap: imaplib.IMAP4, address: MailboxAddress, context: ssl.SSLContext) -> None:
    if "STARTTLS" in _capabilities(imap):
        imap.starttls(ssl_context=context)
    elif not address.loopback:
        raise MailboxError(
            f"{_first_up(address.where)} does not offer STARTTLS, so the password would cross the "
            f"network unencrypted; nothing was sent. Use imaps://{address.user}@{address.host}/"
            f"{address.folder} (TLS, port 993), or ask your IT department for the server's "
            "encrypted address."
        )


def _connect_error(address: MailboxAddress, exc: BaseException) -> MailboxError | None:
    where = address.where
    retry = "then run the same command again."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailboxError(
            f"The certificate of {where} could not be verified ({exc.verify_message}). Check "
            "the server name in the mailbox address; if your organisation uses its own "
            "certificate authority, give its certificate with --cafile FILE."
        )
    if isinstance(exc, ssl.SSLError):
        return MailboxError(
            f"The encrypted connection to {where} failed ({exc.reason or exc}). Check the "
            "port: imaps:// is usually 993, imap:// (STARTTLS) 143."
        )
    if isinstance(exc, socket.gaierror):
        return MailboxError(
            f"The server {address.host} was not found ({exc.strerror or exc}). Check the "
            f"server name in the mailbox address and your network, {retry}"
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailboxError(
            f"{_first_up(where)} refused the connection. Check the server name and port in the mailbox "
            f"address (imaps:// is usually 993, imap:// 143), {retry}"
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return MailboxError(
            f"{_first_up(where)} did not answer in time. Check your network, {retry}"
        )
    if isinstance(exc, (imaplib.IMAP4.error, OSError)):
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return MailboxError(
            f"Could not connect to {where} ({detail}). Check the mailbox address and your "
            f"network, {retry}"
        )
    return None


def _sign_in(
    imap: imaplib.IMAP4, address: MailboxAddress, credentials: Credentials, force_refresh: bool
) -> str:
    """Sign in: "" when in, else (OAuth 2.0 only) why the token was refused."""
    capabilities = _capabilities(imap)
    if credentials.token is not None:
        return _sign_in_oauth(imap, address, credentials, capabilities, force_refresh)
    if "LOGINDISABLED" in capabilities:
        raise MailboxError(
            f"{_first_up(address.where)} does not accept a password here. Use imaps:// (TLS), "
            f"or the sign-in your provider requires (see {_SIGN_IN_DOCS})."
        )
    password = credentials.password_value()
    try:
        if not password.isascii() and "AUTH=PLAIN" in capabilities:
            plain = f"\0{credentials.user}\0{password}".encode()
            imap.authenticate("PLAIN", lambda _challenge: plain)
        else:
            imap.login(credentials.user, password)
    except imaplib.IMAP4.abort:
        raise
    except (imaplib.IMAP4.error, UnicodeEncodeError) as exc:
        raise MailboxError(
            f"{_first_up(address.where)} refused the sign-in for {credentials.user} "
            f"({_reply(exc)}). Check the user name and the password ({_password_hint()}). "
            "Gmail and Google Workspace need an app password; Microsoft 365 needs --sign-in "
            f"microsoft365 (see {_SIGN_IN_DOCS}). Nothing was read."
        ) from exc
    return ""


def _sign_in_oauth(
    imap: imaplib.IMAP4,
    address: MailboxAddress,
    credentials: Credentials,
    capabilities: set[str],
    force_refresh: bool,
) -> str:
    assert credentials.token is not None
    if "AUTH=XOAUTH2" not in capabilities:
        raise MailboxError(
            f"{_first_up(address.where)} does not accept OAuth 2.0 sign-in (XOAUTH2). Sign in "
            f"with a password instead, or check the server name (see {_SIGN_IN_DOCS})."
        )
    token = credentials.token.access_token(force_refresh=force_refresh)
    exchange = XOAuth2(credentials.user, token)
    try:
        imap.authenticate("XOAUTH2", exchange.imap)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        return _reply(exc) + (f"; {exchange.error}" if exchange.error else "")
    return ""


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _password_hint() -> str:
    return f"{IMAP_PASSWORD_ENV}, or the one typed when asked"


def _reply(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return " ".join(text.split()) or type(exc).__name__


def _logout(imap: imaplib.IMAP4 | None) -> None:
    if imap is None:
        return
    try:
        imap.logout()
    except Exception:  # the server may already be gone; nothing to save
        with contextlib.suppress(Exception):  # already closed
            imap.shutdown()


def _capabilities(imap: imaplib.IMAP4) -> set[str]:
    """What the server says it can do now (it says more once signed in)."""
    typ, data = imap.capability()
    return set(_text(data).upper().split()) if typ == "OK" else set()


def _check_ok(typ: str, data: Sequence[object], command: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.abort(f"{command} answered {typ} {_text(data)}")


def _text(data: Sequence[object]) -> str:
    """A server's answer (imaplib's list of bytes) as one line of text."""
    parts = [p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in data if p]
    return " ".join(" ".join(parts).split())


# ---- folders ----------------------------------------------------------------------------------


def _examine(imap: imaplib.IMAP4, address: MailboxAddress) -> tuple[int, list[int]]:
    """Open the folder read-only: its UIDVALIDITY and its messages' UIDs."""
    typ, data = imap.select(_mailbox_name(address.folder), readonly=True)
    if typ != "OK":
        raise _no_folder(imap, address, address.folder, _text(data))
    uidvalidity = _uidvalidity(imap, address)
    typ, data = imap.uid("SEARCH", "ALL")
    _check_ok(typ, data, "SEARCH")
    uids = sorted(int(uid) for uid in bytes(data[0] or b"").split())
    return uidvalidity, uids


def _uidvalidity(imap: imaplib.IMAP4, address: MailboxAddress) -> int:
    """The selected folder's UIDVALIDITY, from SELECT's answer or else from STATUS."""
    _, data = imap.response("UIDVALIDITY")
    if data and data[-1] is not None:
        return int(data[-1])
    typ, data = imap.status(_mailbox_name(address.folder), "(UIDVALIDITY)")
    found = re.search(rb"UIDVALIDITY (\d+)", bytes(data[0] or b"")) if typ == "OK" else None
    if found is None:
        raise MailboxError(
            f"{_first_up(address.where)} did not say the UIDVALIDITY of {address.label}, which collect "
            "needs to know which messages it has read. Save the messages as files instead."
        )
    return int(found.group(1))


def _check_target(imap: imaplib.IMAP4, address: MailboxAddress, folder: str) -> None:
    if folder == address.folder:
        raise MailboxError(
            f"--move-to names the folder being read ({folder}). Give another folder, e.g. "
            "'Collected forms'."
        )
    typ, data = imap.list('""', _mailbox_name(folder))
    if typ != "OK" or not [item for item in data if item]:
        raise _no_folder(imap, address, folder, "no such folder", moving=True)


def _no_folder(
    imap: imaplib.IMAP4, address: MailboxAddress, folder: str, reply: str, *, moving: bool = False
) -> MailboxError:
    names = _folder_names(imap)
    shown = ", ".join(names[:30]) + (" ..." if len(names) > 30 else "")
    what = "the folder to move messages to" if moving else "the folder to read"
    return MailboxError(
        f"The folder {folder!r} ({what}) does not exist in {address.user}'s mailbox on "
        f"{address.host} ({reply}). The folders there are: {shown or 'none found'}. Check the "
        "spelling, or create the folder in your mail program. Nothing was read."
    )


_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?:NIL|"(?:[^"\\]|\\.)*") (?P<name>.*)$')


def _folder_names(imap: imaplib.IMAP4) -> list[str]:
    try:
        typ, data = imap.list()
    except (imaplib.IMAP4.error, OSError):
        return []
    names: list[str] = []
    for item in data if typ == "OK" else []:
        line, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, None)
        match = _LIST_LINE.match(bytes(line or b""))
        if not match or b"\\noselect" in match.group("flags").lower():
            continue
        raw = literal if literal is not None else match.group("name")
        raw = raw[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\") if raw[:1] == b'"' else raw
        names.append(decode_folder_name(raw.decode("ascii", "replace")))
    return sorted(names, key=lambda n: (n.upper() != "INBOX", n.lower()))


def _mailbox_name(folder: str) -> str:
    """A folder name as an IMAP command argument: modified UTF-7, quoted."""
    encoded = encode_folder_name(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_folder_name(name: str) -> str:
    """``name`` in IMAP's modified UTF-7 (RFC 3501, 5.1.3): ``Réponses`` -> ``R&AOk-ponses``."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def decode_folder_name(name: str) -> str:
    """The other way: ``R&AOk-ponses`` -> ``Réponses`` (left as is when it is not valid)."""

    def decode(match: re.Match[str]) -> str:
        text = match.group(1)
        if not text:
            return "&"
        padded = text.replace(",", "/") + "=" * (-len(text) % 4)
        try:
            return base64.b64decode(padded).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)

    return re.sub(r"&([A-Za-z0-9+,]*)-", decode, name)


# ---- moving -----------------------------------------------------------------------------------


def move_messages(
    address: MailboxAddress,
    credentials: Credentials,
    uids: Sequence[int],
    uidvalidity: int,
    to_folder: str,
    *,
    cafile: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
) -> MoveResult:
    """Move messages ``uids`` of ``address``'s folder to ``to_folder`` (call it once the
    tracking workbook holding what they brought is saved).

    Uses MOVE when the server has it; else COPY, then flag ``\\Deleted`` and ``UID EXPUNGE``
    exactly those messages (never a plain EXPUNGE, which would also remove messages the
    coordinator deleted but kept); a server with neither leaves them copied only. Nothing is
    moved if the folder's UIDVALIDITY changed since they were read. Raises ``MailboxError``.
    """
    result = MoveResult()
    if not uids:
        return result
    imap = _connect(address, credentials, cafile, timeout)
    try:
        _check_target(imap, address, to_folder)
        typ, data = imap.select(_mailbox_name(address.folder))
        if typ != "OK":
            raise _no_folder(imap, address, address.folder, _text(data))
        if _uidvalidity(imap, address) != uidvalidity:
            raise MailboxError(
                f"{address.label} was rebuilt on the server since it was read (its UIDVALIDITY "
                "changed), so no message was moved. Move them in your mail program."
            )
        capabilities = _capabilities(imap)
        for chunk in _chunked(sorted(uids), 200):
            _move_chunk(imap, result, chunk, to_folder, capabilities)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(
            f"Moving the messages read from {address.label} to {to_folder!r} stopped after "
            f"{result.moved} of {len(uids)} ({_reply(exc)}). The forms were collected; the "
            "others stay where they are and will not be read again: move them in your mail "
            "program."
        ) from exc
    finally:
        _logout(imap)
    return result


def _move_chunk(
    imap: imaplib.IMAP4, result: MoveResult, chunk: Sequence[int], to: str, capabilities: set[str]
) -> None:
    uid_set, target = _uid_set(chunk), _mailbox_name(to)
    if "MOVE" in capabilities:
        typ, data = imap.uid("MOVE", uid_set, target)
        _check_ok(typ, data, "MOVE")
        result.moved += len(chunk)
        return
    typ, data = imap.uid("COPY", uid_set, target)
    _check_ok(typ, data, "COPY")
    if "UIDPLUS" not in capabilities:
        result.copied += len(chunk)
        result.note = (
            f"The server cannot remove single messages (no MOVE or UIDPLUS), so the messages "
            f"were copied to {to!r} and also left where they were."
        )
        return
    typ, data = imap.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
    _check_ok(typ, data, "STORE")
    typ, data = imap.uid("EXPUNGE", uid_set)
    _check_ok(typ, data, "UID EXPUNGE")
    result.moved += len(chunk)
