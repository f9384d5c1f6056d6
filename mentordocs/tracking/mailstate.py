"""What ``collect`` remembers of the mailboxes it has read, kept in the tracking workbook.

A mailbox folder is read again and again over a program (every week, say); each run should
look only at messages it has not seen. IMAP names every message of a folder by a UID that is
never reused as long as the folder's UIDVALIDITY stays the same, so ``MailboxState`` keeps,
per folder, its UIDVALIDITY and the UIDs already looked at; and, for every folder together,
the Message-IDs read, so the same message delivered twice (or read in INBOX, moved, then met
again in another folder) is read once. A changed UIDVALIDITY (the folder was rebuilt) means
every message of that folder is looked at again; the Message-IDs still prevent reading one
twice.

The state travels in the workbook's hidden sheet as rows ``[kind, ...]`` (``rows()`` and
``MailboxState.from_rows()``), beside the other rows ``read_tracking`` reads:

- ``["mailbox", KEY, UIDVALIDITY, "1:40,42,45:60"]``: a folder and UIDs looked at (a long
  list of UIDs takes several such rows, each under Excel's 32,767 characters a cell);
- ``["mailbox-message-id", "<id@host>"]``: one row per Message-ID read.

Nothing here talks to a server or to openpyxl; a password or a token never goes in here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["FOLDER_ROW", "MESSAGE_ID_ROW", "FolderState", "MailboxState", "normalize_message_id"]

FOLDER_ROW = "mailbox"
MESSAGE_ID_ROW = "mailbox-message-id"
_CELL_TEXT = 30_000  # a cell holds 32,767 characters; stay well under


@dataclass
class FolderState:
    """One folder: its UIDVALIDITY when last read and the UIDs looked at under it."""

    uidvalidity: int
    uids: set[int] = field(default_factory=set)


@dataclass
class MailboxState:
    """Every folder read (by its key, e.g. ``imaps://me@example.org@imap.example.org:993/INBOX``)
    and every Message-ID read (normalised with ``normalize_message_id``)."""

    folders: dict[str, FolderState] = field(default_factory=dict)
    message_ids: set[str] = field(default_factory=set)

    def known_uids(self, key: str, uidvalidity: int) -> set[int]:
        """The UIDs of folder ``key`` already looked at, if its UIDVALIDITY is unchanged."""
        folder = self.folders.get(key)
        return set(folder.uids) if folder and folder.uidvalidity == uidvalidity else set()

    def mark(self, key: str, uidvalidity: int, uid: int, message_id: str = "") -> None:
        """Record message ``uid`` of folder ``key`` as looked at (a new UIDVALIDITY starts the
        folder's list afresh)."""
        folder = self.folders.get(key)
        if folder is None or folder.uidvalidity != uidvalidity:
            folder = self.folders[key] = FolderState(uidvalidity)
        folder.uids.add(uid)
        if message_id:
            self.message_ids.add(message_id)

    def rows(self) -> list[list[object]]:
        """The state as hidden-sheet rows (see the module's docstring)."""
        out: list[list[object]] = []
        for key in sorted(self.folders):
            folder = self.folders[key]
            chunks = _chunks(_ranges(folder.uids)) or [""]
            out.extend([FOLDER_ROW, key, folder.uidvalidity, chunk] for chunk in chunks)
        out.extend([MESSAGE_ID_ROW, message_id] for message_id in sorted(self.message_ids))
        return out

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> MailboxState:
        """The state held by hidden-sheet ``rows`` (rows of other kinds are ignored; a row that
        cannot be understood is skipped, so the worst case is reading a message again)."""
        state = cls()
        for row in rows:
            kind = row[0] if row else None
            if kind == FOLDER_ROW and len(row) >= 3:
                _folder_row(state, row)
            elif kind == MESSAGE_ID_ROW and len(row) >= 2 and row[1]:
                state.message_ids.add(str(row[1]))
        return state


def _folder_row(state: MailboxState, row: Sequence[object]) -> None:
    key = str(row[1] or "")
    try:
        uidvalidity = int(str(row[2]))
        uids = _parse_ranges(str(row[3] or "")) if len(row) > 3 else set()
    except ValueError:
        return
    if not key:
        return
    folder = state.folders.get(key)
    if folder is None or folder.uidvalidity != uidvalidity:
        folder = state.folders[key] = FolderState(uidvalidity)
    folder.uids |= uids


def normalize_message_id(header: str | None) -> str:
    """A Message-ID as kept in the state: spaces removed; "" when there is none. An unusually
    long one, or one with characters a workbook cell cannot hold, is kept as its SHA-256."""
    text = "".join(str(header or "").split())
    if not text:
        return ""
    if len(text) > 500 or not text.isprintable() or not text.isascii():
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return text


def _ranges(uids: Iterable[int]) -> list[str]:
    """``{1, 2, 3, 5}`` as ``["1:3", "5"]``."""
    out: list[str] = []
    start = previous = None
    for uid in sorted(uids):
        if previous is not None and uid == previous + 1:
            previous = uid
            continue
        if start is not None:
            out.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = uid
    if start is not None:
        out.append(str(start) if start == previous else f"{start}:{previous}")
    return out


def _chunks(parts: list[str]) -> list[str]:
    chunks: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + 1 + len(part) > _CELL_TEXT:
            chunks.append(current)
            current = ""
        current = f"{current},{part}" if current else part
    if current:
        chunks.append(current)
    return chunks


def _parse_ranges(text: str) -> set[int]:
    uids: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition(":")
        low, high = int(first), int(last or first)
        if high < low or high - low > 10_000_000:
            raise ValueError(part)
        uids.update(range(low, high + 1))
    return uids
