"""Real Outlook .msg files for tests, written with extract-msg's OLE writer.

An .msg is an OLE compound file laid out as [MS-OXMSG] describes: a property stream, one
stream per string or binary property (``__substg1.0_<tag><type>``), a storage per recipient
and per attachment, and a named-property map. ``outlook_message`` writes the parts Outlook
itself writes for a plain message with attachments (by value, or an embedded message); the
files are read back by extract-msg, the reader ``collect`` uses, in the tests.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract_msg import OleWriter

_PT_LONG, _PT_UNICODE, _PT_BINARY, _PT_OBJECT = 0x0003, 0x001F, 0x0102, 0x000D
_ATTACH_BY_VALUE, _ATTACH_EMBEDDED_MSG = 1, 5


@dataclass
class Attachment:
    "A file attached by value, or (``message`` set) an attached Outlook message."

    filename: str = ""
    data: bytes = b""
    mime_type: str = "application/octet-stream"
    message: OutlookMessage | None = None


@dataclass
class OutlookMessage:
    subject: str
    sender: str  # an email address
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def _text(value: str) -> bytes:
    return value.encode("utf-16-le")


def _fixed(tag: int, kind: int, value: int) -> bytes:
    """One fixed-length property entry (16 bytes): tag, flags (readable+writable), value."""
    return struct.pack("<IIQ", (tag << 16) | kind, 6, value)


def _variable(tag: int, kind: int, size: int) -> bytes:
    """A variable-length property entry: its size here, its bytes in a stream of their own."""
    return struct.pack("<IIII", (tag << 16) | kind, 6, size, 0)


def _strings(writer: OleWriter, prefix: str, values: Sequence[tuple[int, str]]) -> bytes:
    entries = b""
    for tag, value in values:
        data = _text(value)
        writer.addEntry(f"{prefix}__substg1.0_{tag:04X}{_PT_UNICODE:04X}", data)
        entries += _variable(tag, _PT_UNICODE, len(data) + 2)
    return entries


def _message(writer: OleWriter, message: OutlookMessage, prefix: str, top: bool) -> None:
    entries = _strings(
        writer,
        prefix,
        [
            (0x001A, "IPM.Note"),
            (0x0037, message.subject),
            (0x1000, message.body),
            (0x0C1F, message.sender),
            (0x5D01, message.sender),
            (0x0C1A, message.sender.split("@")[0]),
            (0x0065, message.sender),
        ],
    )
    for number, attachment in enumerate(message.attachments):
        _attachment(writer, attachment, f"{prefix}__attach_version1.0_#{number:08X}/")
    count = len(message.attachments)
    # The top level's header is 32 bytes; an embedded message's 24 (no reserved tail).
    header = struct.pack("<8xIIII", 0, count, 0, count) + (b"\0" * 8 if top else b"")
    writer.addEntry(f"{prefix}__properties_version1.0", header + entries)
    if top:
        for name in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
            writer.addEntry(f"__nameid_version1.0/{name}", b"")


def _attachment(writer: OleWriter, attachment: Attachment, prefix: str) -> None:
    writer.addEntry(prefix.rstrip("/"), storage=True)
    if attachment.message is not None:
        entries = _fixed(0x3705, _PT_LONG, _ATTACH_EMBEDDED_MSG)
        storage = f"{prefix}__substg1.0_3701{_PT_OBJECT:04X}/"
        writer.addEntry(storage.rstrip("/"), storage=True)
        _message(writer, attachment.message, storage, top=False)
        entries += _strings(writer, prefix, [(0x3001, attachment.message.subject)])
    else:
        entries = _fixed(0x3705, _PT_LONG, _ATTACH_BY_VALUE)
        writer.addEntry(f"{prefix}__substg1.0_3701{_PT_BINARY:04X}", attachment.data)
        entries += _variable(0x3701, _PT_BINARY, len(attachment.data))
        entries += _strings(
            writer,
            prefix,
            [
                (0x3707, attachment.filename),
                (0x3704, attachment.filename[:12]),
                (0x3001, attachment.filename),
                (0x370E, attachment.mime_type),
            ],
        )
    writer.addEntry(f"{prefix}__properties_version1.0", b"\0" * 8 + entries)


def outlook_message(message: OutlookMessage) -> bytes:
    """``message`` as the bytes of an Outlook .msg file."""
    writer = OleWriter()
    _message(writer, message, "", top=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
