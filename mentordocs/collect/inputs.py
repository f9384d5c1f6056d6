"""Finding the returns among what the coordinator gives ``collect``: files, folders, emails.

``find_returns(inputs, problems)`` expands folders (recursively) and saved emails (their
attachments) into the list of Word files to read, in a stable order. Every file given that is
not read becomes a Problem saying what to do, so nothing is passed over in silence.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from mentordocs.errors import Problem
from mentordocs.fsutil import is_office_lock_file

__all__ = ["WORD_SUFFIXES", "Found", "find_returns"]

WORD_SUFFIXES = (".docx", ".docm", ".odt")  # .odt: a form saved from LibreOffice


@dataclass
class Found:
    """One file to read: on disk (``path``) or in memory (``data``, from an email)."""

    name: str  # as shown to the coordinator, e.g. "reply.eml > P03_goal-sheet.docx"
    path: Path | None
    data: bytes | None = None
    file_time: dt.datetime | None = None


def find_returns(
    inputs: Iterable[str | os.PathLike[str]], problems: list[Problem]
) -> tuple[list[Found], int]:
    """Every Word file to read, and how many Office lock files were passed over."""
    found: list[Found] = []
    skipped = 0
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if is_office_lock_file(child.name):
                    skipped += 1
                elif child.name.lower().endswith(WORD_SUFFIXES):
                    found.append(Found(str(child), child))
                elif child.name.lower().endswith(".eml"):
                    found.extend(_email_attachments(child, problems))
        elif not path.exists():
            problems.append(
                Problem(
                    str(path),
                    "does not exist.",
                    "Check the name and folder, and run the command again.",
                )
            )
        elif is_office_lock_file(path.name):
            skipped += 1
        elif path.name.lower().endswith(".eml"):
            found.extend(_email_attachments(path, problems))
        elif path.name.lower().endswith(WORD_SUFFIXES):
            found.append(Found(str(path), path))
        else:
            problems.append(
                Problem(
                    str(path),
                    "is not a Word form (.docx) or a saved email (.eml), so it was not read.",
                    "Save returned forms as .docx (or save the whole email as .eml) and give "
                    "those instead.",
                )
            )
    return found, skipped


def _email_attachments(path: Path, problems: list[Problem]) -> list[Found]:
    try:
        with path.open("rb") as fh:
            message = email.message_from_binary_file(fh, policy=email.policy.default)
    except OSError as exc:
        problems.append(Problem(str(path), f"could not be opened ({exc}).", "Check the file."))
        return []
    when = _sent_at(message) or dt.datetime.fromtimestamp(path.stat().st_mtime)
    out: list[Found] = []
    for part in message.walk():
        filename = part.get_filename()
        if not filename or part.is_multipart():
            continue
        base = Path(filename.replace("\\", "/")).name
        if is_office_lock_file(base) or not base.lower().endswith(WORD_SUFFIXES):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            problems.append(
                Problem(
                    f"{path} > {base}",
                    "is an empty attachment.",
                    "Ask the sender to attach the form again.",
                )
            )
            continue
        out.append(Found(f"{path} > {base}", None, payload, when))
    if not out:
        problems.append(
            Problem(
                str(path),
                "is a saved email with no Word form (.docx) attached.",
                "Save the reply that carries the form, or save its attachment as a .docx.",
                severity="warning",
            )
        )
    return out


def _sent_at(message: EmailMessage) -> dt.datetime | None:
    """The email's Date header as local time, if it has a readable one."""
    header = message.get("Date")
    if not header:
        return None
    try:
        when = parsedate_to_datetime(str(header))
    except (TypeError, ValueError):
        return None
    return when.astimezone().replace(tzinfo=None) if when.tzinfo is not None else when
