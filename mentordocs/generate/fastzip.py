"""The one fast path of ``generate``: a zip whose unchanging members are compressed only once.

Every form made from a template carries the template's other parts (styles, theme, numbering,
settings...) unchanged; the styles alone are 350 KB, and compressing them again for each of
thousands of forms is most of what packing a form costs. ``FastPacker`` compresses those parts
once, when the template is loaded, and writes each form's zip from them and its newly rendered
parts, with the zip headers built here (the stdlib ``zipfile`` has no public way to write data
that is already compressed).

It writes what ``StaticParts.pack`` (``zipfile``) writes: the same members in the same order,
the same bytes once unpacked, the same time stamps. A test reads both with ``zipfile`` for
every template and compares them, and ``benchmarks/generate.py`` prints what it buys. Only the
plain case is done here: deflate, no encryption, no zip64; anything bigger goes to ``zipfile``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FastPacker"]

_VERSION = 20  # 2.0: deflate
_DEFLATED = 8
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00, as StaticParts writes
_UNIX_FILE = 0o644 << 16
_MADE_BY_UNIX = (3 << 8) | _VERSION
_LIMIT = 0xFFFF_FFFF - 1  # beyond this a member needs zip64: left to zipfile
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True)
class _Member:
    name: bytes
    crc: int
    packed: bytes
    size: int


def _member(name: str, data: bytes, level: int) -> _Member:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return _Member(name.encode("utf-8"), zlib.crc32(data), packed, len(data))


class FastPacker:
    """Packs forms from static parts compressed once and rendered parts compressed per form."""

    def __init__(self, static: Iterable[tuple[str, bytes]], level: int = 3, static_level: int = 9):
        self.level = level
        self.static = [_member(name, data, static_level) for name, data in static]

    @staticmethod
    def fits(sizes: Iterable[int]) -> bool:
        "Whether members of these sizes can be written without zip64."
        sizes = list(sizes)
        return len(sizes) < 0xFFFF and sum(sizes) < _LIMIT // 2

    def pack(self, rendered: Iterable[tuple[str, bytes]]) -> bytes:
        members = self.static + [_member(name, data, self.level) for name, data in rendered]
        chunks: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for m in members:
            flags = 0 if m.name.isascii() else 0x800  # UTF-8 names
            header = _LOCAL.pack(
                0x04034B50, _VERSION, flags, _DEFLATED, _DOS_TIME, _DOS_DATE,
                m.crc, len(m.packed), m.size, len(m.name), 0,
            )  # fmt: skip
            central.append(
                _CENTRAL.pack(
                    0x02014B50,
                    _MADE_BY_UNIX,
                    _VERSION,
                    flags,
                    _DEFLATED,
                    _DOS_TIME,
                    _DOS_DATE,
                    m.crc,
                    len(m.packed),
                    m.size,
                    len(m.name),
                    0,
                    0,
                    0,
                    0,
                    _UNIX_FILE,
                    offset,
                )  # fmt: skip
                + m.name
            )
            chunks += (header, m.name, m.packed)
            offset += len(header) + len(m.name) + len(m.packed)
        directory = b"".join(central)
        end = _END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
        return b"".join([*chunks, directory, end])
