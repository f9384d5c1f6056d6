"""Finding the returns among what the coordinator gives ``collect``.

``find_returns(inputs)`` looks at every file given: folders (searched to the bottom), ``.zip``
archives, saved emails (``.eml``: attachments and forwarded messages), mail folders saved as
one file (mbox: ``.mbox``, Thunderbird's folder files) and Outlook messages (``.msg``), nested
in any way. Every file ends up in exactly one place of the ``Inventory``:

- ``returns``: a file that may be a returned form (Word, OpenDocument or PDF), to be read;
- ``not_forms``: a file that is recognisably something else (a picture, a text, a calendar
  invitation...), named in the command's summary;
- ``problems``: a file that could not be looked at, with what to do about it;
- ``passed_over``: Office's lock files (``~$...``) and system files (``.DS_Store``,
  ``Thumbs.db``, hidden folders such as the packets folder's own ``.mentordocs``), which are
  never returns.

Containers are opened within limits (their size, how many files they hold, how much those
unpack to, how deep they nest), so no file can exhaust the machine.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import email
import email.policy
import io
import mailbox
import os
import quopri
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path, PurePosixPath

import extract_msg
from extract_msg.enums import AttachmentType

from mentordocs.collect.reading import MAX_FILE_BYTES, FormReadError, read_file
from mentordocs.errors import Problem
from mentordocs.fsutil import is_office_lock_file
from mentordocs.ooxml.ns import OLE_SIGNATURE

__all__ = [
    "RETURN_KINDS",
    "ContainerLimits",
    "Found",
    "Inventory",
    "add_email_bytes",
    "find_returns",
    "message_headers",
    "message_label",
]

#: What a file that may be a return is, by the ending of its name.
RETURN_KINDS = {
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".dotm": "docx",
    ".odt": "odt",
    ".pdf": "pdf",
}
_CONTAINERS = {
    ".zip": "zip",
    ".eml": "email",
    ".msg": "outlook",
    ".mbox": "mbox",
    ".mbx": "mbox",
}
#: Attachments that wrap others where collect cannot open them: (what it is, what to do).
_WRAPPED_OUTLOOK = (
    "is Outlook's winmail.dat: the message was sent in Outlook's own rich-text format, which "
    "wraps its attachments where collect cannot open them, so any form in it was not read.",
    "Open the message in Outlook and save the form from it, then collect that file; or ask the "
    "sender to send it again as an ordinary attachment (in Outlook: Format Text > HTML).",
)
_WRAPPED_SMIME = (
    "is the content of a signed or encrypted email (S/MIME), which collect cannot open, so any "
    "form in it was not read.",
    "Open the message in your mail program, save the form from it, and collect that file.",
)
#: Formats a form may come back in that cannot be read, and what to ask for instead.
_UNREADABLE = {
    ".doc": "the old Word 97-2003 format",
    ".rtf": "Rich Text Format",
    ".pages": "Apple Pages' own format",
    ".wpd": "WordPerfect's format",
    ".gdoc": "a link to a Google Docs document, not the document itself",
}
_ASK_FOR_DOCX = (
    "Ask the sender to open it and save it as a Word Document (.docx) (in Google Docs: File > "
    "Download > Microsoft Word), then collect again."
)
_NOT_FORMS = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".heic",
        ".webp",
        ".svg",
        ".emz",
        ".wmf",
        ".txt",
        ".htm",
        ".html",
        ".css",
        ".ics",
        ".vcf",
        ".p7s",
        ".asc",
        ".sig",
        ".xlsx",
        ".xls",
        ".csv",
        ".pptx",
        ".mp3",
        ".mp4",
        ".m4a",
        ".mov",
        ".wav",
    ]
)


@dataclass(frozen=True)
class ContainerLimits:
    """How far a zip, an email or an Outlook message is opened."""

    max_depth: int = 5  # containers inside containers
    max_members: int = 1000  # files in one container
    max_total_bytes: int = 1024 * 1024 * 1024  # unpacked from one container
    max_ratio: int = 100  # unpacked / packed, for members over 1 MB


@dataclass
class Found:
    """One file that may be a return: on disk (``path``) or in memory (``data``)."""

    name: str  # as shown to the coordinator: "reply.eml > forms.zip > P03_goal-sheet.docx"
    path: Path | None
    kind: str  # "docx", "odt" or "pdf"
    data: bytes | None = None
    file_time: dt.datetime | None = None  # the email's date, for a file from an email
    came_in: str = "file"  # "file", or the containers it came in: "email > zip"
    sender: str = ""  # the email address it was sent from, when it came by email


@dataclass
class Inventory:
    returns: list[Found] = field(default_factory=list)
    not_forms: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed_over: int = 0


@dataclass(frozen=True)
class _Origin:
    """Where files inside a container came from."""

    name: str  # the container's display name
    came_in: str  # the chain of containers, "" at the top
    depth: int
    file_time: dt.datetime | None = None
    sender: str = ""

    def inside(
        self,
        kind: str,
        name: str,
        *,
        file_time: dt.datetime | None = None,
        sender: str = "",
    ) -> _Origin:
        """The origin of the files inside container ``name`` of ``kind``, found here."""
        chain = f"{self.came_in} > {kind}" if self.came_in else kind
        return _Origin(
            name=name,
            came_in=chain,
            depth=self.depth + 1,
            file_time=file_time or self.file_time,
            sender=sender or self.sender,
        )


def find_returns(
    inputs: Iterable[str | os.PathLike[str]], limits: ContainerLimits = ContainerLimits()
) -> Inventory:
    """Every file in ``inputs`` (files and folders), sorted into an ``Inventory``."""
    found = Inventory()
    top = _Origin(name="", came_in="", depth=0)
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            _folder(found, path, top, limits)
        elif path.exists():
            _file(found, path, top, limits)
        else:
            found.problems.append(
                Problem(
                    str(path),
                    "does not exist.",
                    "Check the name and folder, and run the command again.",
                )
            )
    return found


def add_email_bytes(
    found: Inventory, data: bytes, name: str, limits: ContainerLimits = ContainerLimits()
) -> None:
    """One email that is not a file on disk (a message fetched from a mailbox): its RFC 822
    ``data`` opened as a saved ``.eml`` is, its attachments sorted into ``found``.

    ``name`` is how the coordinator finds the message (e.g. the mailbox, the sender, the date
    and the subject); each attachment is named ``"<name> > <file name>"``.
    """
    _email(found, name, data, _Origin(name="", came_in="mailbox", depth=0), limits)


def _folder(found: Inventory, path: Path, origin: _Origin, limits: ContainerLimits) -> None:
    """Every file under ``path``, in name order. A subfolder that cannot be opened, a link to a
    file that is gone and a Mac's iCloud placeholder (a file not downloaded) are problems:
    nothing in a folder given is left out without a word."""

    def unreadable(error: OSError) -> None:
        found.problems.append(
            Problem(
                str(error.filename or path),
                f"is a folder that could not be opened ({error.strerror or error}); the files in "
                "it were not read.",
                "Check you may open it (or copy its files to another folder), then collect again.",
            )
        )

    files: list[Path] = []
    seen: set[str] = set()
    for folder, subfolders, names in os.walk(path, onerror=unreadable, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back up the tree: its files are listed already
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders.sort()
        files += (Path(folder) / name for name in names)
    for child in sorted(files):
        relative = child.relative_to(path)
        if _icloud_placeholder(child.name):
            found.problems.append(
                Problem(
                    str(child.with_name(child.name[1 : -len(".icloud")])),
                    "is in iCloud but not downloaded to this Mac, so it was not read.",
                    "In Finder, click its download button (or Control-click it and choose "
                    "Download Now), then collect again.",
                )
            )
        elif _system_file(relative):
            found.passed_over += 1
        elif child.is_file():
            _file(found, child, origin, limits)
        else:
            gone = child.is_symlink() and not child.exists()
            found.problems.append(
                Problem(
                    str(child),
                    "is a shortcut to a file that no longer exists."
                    if gone
                    else "is not a file that can be read (a device or a pipe).",
                    "Put the file itself in the folder, then collect again.",
                )
            )


def _icloud_placeholder(name: str) -> bool:
    "A Mac's stand-in for a file kept in iCloud only: '.P03_goal-sheet.docx.icloud'."
    return name.startswith(".") and name.endswith(".icloud") and len(name) > len("..icloud")


_SYSTEM_FILES = frozenset(("thumbs.db", "desktop.ini", "ehthumbs.db"))


def _system_file(relative: Path) -> bool:
    """A hidden file or folder (a name starting with "."), or one Windows makes by itself."""
    return any(part.startswith(".") for part in relative.parts) or (
        relative.name.lower() in _SYSTEM_FILES
    )


def _file(found: Inventory, path: Path, origin: _Origin, limits: ContainerLimits) -> None:
    """A file on disk: a return is read later; a container is opened now."""
    name = str(path)
    if is_office_lock_file(path.name):
        found.passed_over += 1
        return
    kind = _kind(path.name)
    if kind in RETURN_KINDS.values():
        try:
            with path.open("rb") as file:
                kind = _as_its_content_says(kind, file.read(8))
        except OSError:
            pass  # reading it says what is wrong
        found.returns.append(Found(name, path, kind))
        return
    if kind in ("zip", "email", "outlook", "mbox", "unknown"):
        try:
            data, _ = read_file(path, MAX_FILE_BYTES)
        except FormReadError as exc:
            found.problems.append(Problem(name, exc.message + ".", exc.fix))
            return
        _bytes(found, name, path.name, data, origin, limits, kind, path)
        return
    _classified(found, name, kind)


def _bytes(
    found: Inventory,
    name: str,
    base: str,
    data: bytes,
    origin: _Origin,
    limits: ContainerLimits,
    kind: str,
    path: Path | None = None,
) -> None:
    """A file's bytes (from disk or a container), sorted by what it is."""
    if kind == "unknown":
        kind = _sniff(data)
    if kind == "email" and data.startswith(b"From "):
        kind = "mbox"  # a mail folder's messages, one after another
    kind = _as_its_content_says(kind, data[:8])
    if kind in RETURN_KINDS.values():
        found.returns.append(
            Found(
                name,
                path,
                kind,
                data=None if path is not None else data,
                file_time=origin.file_time,
                came_in=origin.came_in or "file",
                sender=origin.sender,
            )
        )
    elif kind == "mbox":
        if not _too_deep(found, name, origin, limits):
            _mbox(found, name, data, origin, limits, path)
    elif kind in ("zip", "email", "outlook"):
        if _too_deep(found, name, origin, limits):
            return
        opener = {"zip": _zip, "email": _email, "outlook": _outlook}[kind]
        opener(found, name, data, origin, limits)
    else:
        _classified(found, name, kind)


def _too_deep(found: Inventory, name: str, origin: _Origin, limits: ContainerLimits) -> bool:
    """Whether container ``name``, found in ``origin``, is nested past the limit (then it is
    named on the Problems sheet, not opened)."""
    if origin.depth < limits.max_depth:
        return False
    found.problems.append(
        Problem(
            name,
            f"is a container nested {origin.depth} levels deep; it was not opened.",
            "Save the forms inside it as separate files and collect those.",
        )
    )
    return True


def _classified(found: Inventory, name: str, kind: str) -> None:
    if kind.startswith("unreadable:"):
        what = kind.split(":", 1)[1]
        found.problems.append(Problem(name, f"is in {what}, which cannot be read.", _ASK_FOR_DOCX))
    else:
        found.not_forms.append(name)


def _kind(file_name: str) -> str:
    """What a file is by its name: a return kind, a container, "unreadable:...", "not a form",
    or "unknown" (then its content decides)."""
    suffix = PurePosixPath(file_name.lower()).suffix
    if suffix in RETURN_KINDS:
        return RETURN_KINDS[suffix]
    if suffix in _CONTAINERS:
        return _CONTAINERS[suffix]
    if suffix in _UNREADABLE:
        return "unreadable:" + _UNREADABLE[suffix]
    if suffix in _NOT_FORMS:
        return "not a form"
    return "unknown"


def _as_its_content_says(kind: str, head: bytes) -> str:
    """A PDF named like a Word file is read as a PDF, and a Word or OpenDocument file (a zip)
    named like a PDF as one of those (the reader tells them apart)."""
    if kind in ("docx", "odt") and head.startswith(b"%PDF-"):
        return "pdf"
    if kind == "pdf" and head.startswith(b"PK\x03\x04"):
        return "docx"
    return kind


def _sniff(data: bytes) -> str:
    """What a file whose name says nothing is, by its first bytes and parts."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(OLE_SIGNATURE):
        return (
            "outlook"
            if b"_\x00_\x00s\x00u\x00b\x00s\x00t\x00g\x00" in data
            else ("unreadable:" + _UNREADABLE[".doc"])
        )
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = {n.lower() for n in archive.namelist()}
                if "[content_types].xml" in names:
                    # An Office package: a Word document has its main part under word/; a
                    # workbook (this tool's own tracking.xlsx.bak) or a slide show is no form.
                    office = {n.split("/", 1)[0] for n in names}
                    return (
                        "not a form" if office & {"xl", "ppt"} and "word" not in office else "docx"
                    )
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
            return "docx"  # a damaged zip that may be a form: reading it says what is wrong
        return "zip"
    if data.startswith(b"From "):  # the line before each message of a mail folder file
        return "mbox"
    if data[:4096].lstrip().lower().startswith((b"received:", b"from:", b"return-path:")) or (
        b"\nmime-version:" in data[:4096].lower()
    ):
        return "email"
    return "not a form"


# ---- containers ---------------------------------------------------------------------------------


def _zip(
    found: Inventory, name: str, data: bytes, origin: _Origin, limits: ContainerLimits
) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        found.problems.append(
            Problem(
                name,
                f"is a damaged zip archive ({exc}); nothing in it was read.",
                "Ask the sender to zip the forms again, or to send them unzipped.",
            )
        )
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members:
            found.problems.append(
                Problem(
                    name,
                    "is an empty zip archive: there was no form in it.",
                    "If the sender meant to send forms, ask them to zip the forms again.",
                    severity="warning",
                )
            )
            return
        problem = _zip_problem(members, limits)
        if problem:
            found.problems.append(
                Problem(name, problem, "Unzip it yourself and collect the forms in it.")
            )
            return
        for info in members:
            _zip_member(found, name, archive, info, origin, limits)


def _zip_problem(members: list[zipfile.ZipInfo], limits: ContainerLimits) -> str:
    if len(members) > limits.max_members:
        return f"holds {len(members):,} files, more than collect opens in one archive ({limits.max_members:,})."
    if sum(info.file_size for info in members) > limits.max_total_bytes:
        return 'unpacks to far more data than a set of forms could hold (a "zip bomb"); it was not opened.'
    for info in members:
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            return f'holds {info.filename}, which unpacks to far more than it should (a "zip bomb"); it was not opened.'
    return ""


def _zip_member(
    found: Inventory,
    name: str,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    origin: _Origin,
    limits: ContainerLimits,
) -> None:
    base = PurePosixPath(info.filename.replace("\\", "/")).name
    member_name = f"{name} > {info.filename}"
    if is_office_lock_file(base) or base.startswith("._") or "__MACOSX/" in info.filename:
        found.passed_over += 1  # Office's lock files and the Mac's resource forks
        return
    kind = _kind(base)
    if kind == "not a form" or kind.startswith("unreadable:"):
        _classified(found, member_name, kind)
        return
    if info.file_size > MAX_FILE_BYTES:
        found.problems.append(
            Problem(
                member_name,
                "is far larger than any form; it was not read.",
                "Check what the file is; unzip it and collect it separately if it is a form.",
            )
        )
        return
    try:
        payload = archive.read(info)
    except RuntimeError:  # zipfile: "File ... is encrypted, password required"
        found.problems.append(
            Problem(
                member_name,
                "is protected with a password inside the zip archive, so it was not read.",
                "Ask the sender to zip the forms again without a password.",
            )
        )
        return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        found.problems.append(
            Problem(
                member_name,
                f"is damaged inside the zip archive ({exc}).",
                "Ask the sender to zip the forms again, or to send them unzipped.",
            )
        )
        return
    inner = origin.inside("zip", member_name, file_time=_zipped_at(info))
    _bytes(found, member_name, base, payload, inner, limits, kind)


def _zipped_at(info: zipfile.ZipInfo) -> dt.datetime | None:
    """When a zipped file was last saved, as the zip records it (local time); None for the
    zip format's "no date" (1 January 1980) or a date that cannot be one."""
    if info.date_time[:3] == (1980, 1, 1):
        return None
    try:
        return dt.datetime(*info.date_time)
    except ValueError:
        return None


def _email(
    found: Inventory, name: str, data: bytes, origin: _Origin, limits: ContainerLimits
) -> None:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        _email_message(found, name, message, origin, limits)
    except RecursionError:  # Python's email parser recurses once per nested message or part
        found.problems.append(
            Problem(
                name,
                "is an email with messages or parts nested hundreds of levels deep; it could "
                "not be opened (any form listed from it before this was read).",
                "Ask the sender to attach the forms to a new email, or save them as files and "
                "collect those.",
            )
        )


def _email_message(
    found: Inventory, name: str, message: EmailMessage, origin: _Origin, limits: ContainerLimits
) -> None:
    sender = parseaddr(str(message.get("From", "")))[1]
    here = origin.inside("email", name, file_time=_sent_at(message), sender=sender)
    before = (len(found.returns), len(found.not_forms), len(found.problems))
    for part in _leaves(message):
        if part.get_content_type() == "message/rfc822":
            inner = _attached_message(part)
            if inner is not None:
                subject = str(inner.get("Subject", "")) or "forwarded message"
                if not _too_deep(found, f"{name} > {subject}", here, limits):
                    _email_message(found, f"{name} > {subject}", inner, here, limits)
        else:
            _email_part(found, name, part, here, limits)
    if (len(found.returns), len(found.problems)) != (before[0], before[2]):
        return
    others = [n.rsplit(" > ", 1)[-1] for n in found.not_forms[before[1] :]]
    found.problems.append(
        Problem(
            name,
            f"is an email with no form attached (only {', '.join(others)}), so there was no "
            "form to read."
            if others
            else "is an email with nothing attached, so there was no form to read.",
            "If the sender meant to return a form, ask them to attach it and send it again.",
            severity="warning",
        )
    )


def _attached_message(part: EmailMessage) -> EmailMessage | None:
    """The message attached (or forwarded) as ``part`` (message/rfc822). Exchange sends some
    base64-encoded, which Python's parser reads as a message without headers: decoded here."""
    inner = part.get_payload(0)
    if not isinstance(inner, EmailMessage):
        return None
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable") or len(inner.keys()) > 0:
        return inner
    encoded = inner.get_payload()
    if not isinstance(encoded, str):
        return inner
    try:
        raw = (
            base64.b64decode(encoded)
            if encoding == "base64"
            else quopri.decodestring(encoded.encode("ascii", "replace"))
        )
    except (binascii.Error, ValueError):
        return inner
    decoded = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(decoded, EmailMessage)
    return decoded


def message_headers(message: bytes) -> Message:
    "A message's header lines, parsed (from them alone, or from the whole message)."
    return BytesHeaderParser(policy=email.policy.default).parsebytes(message)


def message_label(parsed: Message) -> str:
    """How a coordinator finds one message in a mail program: ``message from <sender>, <sent,
    to the second>, "<subject>"`` (from its headers, ``message_headers``)."""
    sender = parseaddr(str(parsed.get("From", "")))[1] or "an unknown sender"
    sent = _date_header(parsed.get("Date"))
    when = f", {sent:%Y-%m-%d %H:%M:%S}" if sent is not None else ""
    subject = " ".join(str(parsed.get("Subject", "")).split()).replace(" > ", " - ")
    if len(subject) > 70:
        subject = subject[:69] + "…"
    return f'message from {sender}{when}, "{subject or "no subject"}"'


def _mbox(
    found: Inventory,
    name: str,
    data: bytes,
    origin: _Origin,
    limits: ContainerLimits,
    path: Path | None,
) -> None:
    """A mail folder saved as one file (mbox: Thunderbird's folder files, Apple Mail's and
    Gmail's exports): each message in it opened as a saved email is, named by its sender,
    date and subject."""
    with contextlib.ExitStack() as stack:
        if path is None:  # in a zip or an email: the standard library reads mbox from a file
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="mentordocs-"))
            path = Path(scratch) / "mail"
            path.write_bytes(data)
        box = mailbox.mbox(path, create=False)
        stack.callback(box.close)
        keys = box.keys()
        if not keys or len(keys) > limits.max_members:
            found.problems.append(
                Problem(
                    name,
                    f"is a mail folder file holding {len(keys):,} messages, more than collect "
                    f"opens in one file ({limits.max_members:,}); none was read."
                    if keys
                    else "is a mail folder file with no message in it.",
                    "Save the messages that hold forms as separate emails (.eml), or their "
                    "forms as files, and collect those.",
                    severity="error" if keys else "warning",
                )
            )
            return
        here = origin.inside("mail folder", name)
        for key in keys:
            message = box.get_bytes(key)
            label = message_label(message_headers(message))
            _email(found, f"{name} > {label}", message, here, limits)


def _leaves(message: EmailMessage) -> Iterator[EmailMessage]:
    """The parts of a message that are not containers of parts (an attached message counts
    as a leaf: it is opened on its own), in order."""
    if not message.is_multipart():
        yield message
        return
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            yield from _leaves(part)
        else:
            yield part


def _email_part(
    found: Inventory, name: str, part: EmailMessage, here: _Origin, limits: ContainerLimits
) -> None:
    filename = part.get_filename()
    if not filename:
        if not part.is_attachment() and part.get_content_maintype() in ("text", "image"):
            return  # the message's own text, or a picture shown in it
        # Attached without a name (some mail programs): what it is, its content says.
        filename = f"unnamed attachment ({part.get_content_type().replace('/', ' ')})"
    base = PurePosixPath(filename.replace("\\", "/")).name
    part_name = f"{name} > {base}"
    if is_office_lock_file(base):
        found.passed_over += 1
        return
    wrapped = _wrapped(part, base)
    if wrapped is not None:
        found.problems.append(Problem(part_name, *wrapped))
        return
    kind = _kind(base)
    if kind == "not a form" or kind.startswith("unreadable:"):
        _classified(found, part_name, kind)
        return
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        found.problems.append(
            Problem(
                part_name, "is an empty attachment.", "Ask the sender to attach the form again."
            )
        )
        return
    _bytes(found, part_name, base, payload, here, limits, kind)


def _wrapped(part: EmailMessage, base: str) -> tuple[str, str] | None:
    """What to say of an attachment that wraps others where collect cannot open them
    (Outlook's winmail.dat, an S/MIME message's content), or None."""
    content_type = part.get_content_type()
    if content_type == "application/ms-tnef" or base.lower() == "winmail.dat":
        return _WRAPPED_OUTLOOK
    if content_type in (
        "application/pkcs7-mime",
        "application/x-pkcs7-mime",
    ) or base.lower().endswith(".p7m"):
        return _WRAPPED_SMIME
    return None


def _sent_at(message: EmailMessage) -> dt.datetime | None:
    """The email's Date header as local time, if it has a readable one."""
    return _date_header(message.get("Date"))


def _date_header(header: object) -> dt.datetime | None:
    """A Date header as local time without a zone; None when there is none or it cannot be
    read (malformed, or out of range: year 9999 in a far time zone)."""
    if not header:
        return None
    try:
        return _local(parsedate_to_datetime(str(header)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _local(when: dt.datetime) -> dt.datetime | None:
    "``when`` as local time without a zone (None when it is out of range)."
    if when.tzinfo is None:
        return when
    try:
        return when.astimezone().replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        return None


def _outlook(
    found: Inventory, name: str, data: bytes, origin: _Origin, limits: ContainerLimits
) -> None:
    try:
        message = extract_msg.openMsg(data, strict=False)
    except Exception as exc:  # extract-msg raises many kinds on damaged or unusual files
        found.problems.append(
            Problem(
                name,
                f"could not be opened as an Outlook message ({type(exc).__name__}: {exc}).",
                "Open it in Outlook and save the attachments as files, then collect those.",
            )
        )
        return
    try:
        _outlook_message(found, name, message, origin, limits)
    finally:
        message.close()


def _outlook_message(
    found: Inventory,
    name: str,
    message: extract_msg.MSGFile,
    origin: _Origin,
    limits: ContainerLimits,
) -> None:
    sender = _outlook_sender(message)
    sent = getattr(message, "date", None)
    when = _local(sent) if isinstance(sent, dt.datetime) else None
    here = origin.inside(
        "Outlook message",
        name,
        sender=sender,
        file_time=when if isinstance(when, dt.datetime) else None,
    )
    attachments = list(getattr(message, "attachments", []))
    if not attachments:
        found.problems.append(
            Problem(
                name,
                "is an Outlook message with nothing attached, so there was no form to read.",
                "If the sender meant to return a form, ask them to attach it and send it again.",
                severity="warning",
            )
        )
    if len(attachments) > limits.max_members:
        found.problems.append(
            Problem(
                name,
                f"holds {len(attachments):,} attachments; it was not opened.",
                "Save the forms in it as files and collect those.",
            )
        )
        return
    for attachment in attachments:
        _outlook_attachment(found, name, attachment, here, limits)


# The sender's address, as Outlook stores it: PR_SENDER_SMTP_ADDRESS, else
# PR_SENDER_EMAIL_ADDRESS (an SMTP address for mail from outside the organisation).
_SENDER_STREAMS = ("__substg1.0_5D01", "__substg1.0_0C1F")


def _outlook_sender(message: extract_msg.MSGFile) -> str:
    for stream in _SENDER_STREAMS:
        address = message.getStringStream(stream)
        if address and "@" in address:
            return str(address)
    return parseaddr(str(getattr(message, "sender", "") or ""))[1]


def _outlook_attachment(
    found: Inventory, name: str, attachment: object, here: _Origin, limits: ContainerLimits
) -> None:
    kind_of = getattr(attachment, "type", None)
    data = getattr(attachment, "data", None)
    if kind_of in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED) and data is not None:
        subject = str(getattr(data, "subject", "") or "attached message")
        if not _too_deep(found, f"{name} > {subject}", here, limits):
            _outlook_message(found, f"{name} > {subject}", data, here, limits)
        return
    filename = str(
        getattr(attachment, "longFilename", None)
        or getattr(attachment, "shortFilename", None)
        or "attachment"
    )
    part_name = f"{name} > {filename}"
    if not isinstance(data, bytes):
        found.problems.append(
            Problem(
                part_name,
                "is an attachment of a kind that cannot be read here.",
                "Open the message in Outlook, save the attachment as a file and collect that.",
            )
        )
        return
    kind = _kind(filename)
    if kind == "not a form" or kind.startswith("unreadable:"):
        _classified(found, part_name, kind)
        return
    _bytes(found, part_name, filename, data, here, limits, kind)
