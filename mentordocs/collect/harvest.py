"""Harvest returned forms into the tracking workbook.

``read_form`` reads one .docx/.docm safely (bounded zip, no DTDs, main part found through
``_rels/.rels``); ``collect_forms`` reads any mix of files, folders and saved emails, works
out which pair and form each one is, matches its fields to the form's declaration and writes
the tracking workbook (incrementally, atomically, keeping a backup). Nothing here prints: every
file that cannot be used becomes a ``Problem`` in the workbook and in ``CollectResult``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import os
import posixpath
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from io import BytesIO
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from mentordocs.errors import CollectError, MentordocsError, OutputError, Problem
from mentordocs.fsutil import atomic_write_bytes, is_office_lock_file, office_lock_file
from mentordocs.models import Roster
from mentordocs.ooxml.controls import (
    Field,
    UnsafeXmlError,
    normalize_namespaces,
    parse_xml,
    read_fields,
    read_fields_fast,
)
from mentordocs.progress import NoProgress, Progress

PROP_PROGRAM = "mentordocs.program"
PROP_PAIR = "mentordocs.pair_id"
PROP_FORM = "mentordocs.form"
PROP_VERSION = "mentordocs.template_version"

WORD_SUFFIXES = (".docx", ".docm")
PARALLEL_FROM = 200  # files; fewer are read in this process (starting workers costs more)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_LOCAL_LENGTHS = struct.Struct("<HH")  # file name and extra field lengths in a local header
_DEFLATE_MAX_RATIO = 1032  # deflate never unpacks one byte to more than this many


@dataclass(frozen=True)
class ReadLimits:
    """Bounds that keep a hostile file (a "zip bomb") from exhausting memory or time."""

    max_part_bytes: int = 50 * 1024 * 1024  # one XML part, uncompressed
    max_total_bytes: int = 200 * 1024 * 1024  # every member, uncompressed (declared)
    max_ratio: int = 100  # uncompressed / compressed, for members over 1 MB
    max_members: int = 10_000


DEFAULT_LIMITS = ReadLimits()


class FormReadError(CollectError):
    """One file cannot be read as a Word form. ``fix`` says what the coordinator can do."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message, fix)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}. {self.fix}".strip()


@dataclass
class FormReading:
    """What one Word file holds: identity properties, fields in document order, flags."""

    name: str  # as shown to the coordinator, e.g. "reply.eml > P03_goal-sheet.docx"
    sha256: str
    size: int
    main_part: str
    fields: list[Field]
    properties: dict[str, str] = field(default_factory=dict)
    modified: dt.datetime | None = None  # docProps/core.xml dcterms:modified
    file_time: dt.datetime | None = None  # file mtime, or the email's Date
    macros: bool = False
    strict: bool = False
    # Field id -> value, worked out where the file was read when every control kept its tag
    # (then ``fields`` is left empty, so less travels back from a worker process).
    values: dict[str, Any] | None = None

    @property
    def program(self) -> str:
        return self.properties.get(PROP_PROGRAM, "")

    @property
    def pair_id(self) -> str:
        return self.properties.get(PROP_PAIR, "")

    @property
    def form(self) -> str:
        return self.properties.get(PROP_FORM, "")

    @property
    def when(self) -> dt.datetime | None:
        """When it was last saved: the document's own time, else the file's."""
        return self.modified or self.file_time


# ---- reading one file ------------------------------------------------------------------------


def read_form(
    source: str | os.PathLike[str] | bytes,
    name: str | None = None,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    file_time: dt.datetime | None = None,
) -> FormReading:
    """Read one Word form (path or bytes). Raises FormReadError saying why it cannot be used."""
    if isinstance(source, bytes):
        data = source
        display = name or "form.docx"
    else:
        display = name or os.path.basename(source)
        data, mtime = _read_file(source)
        if file_time is None:
            file_time = dt.datetime.fromtimestamp(mtime)
    return _read_bytes(data, display, limits, file_time)


_O_BINARY = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_file(path: str | os.PathLike[str]) -> tuple[bytes, float]:
    """A file's bytes and modification time: one open, one fstat, one read when the file is
    as long as fstat said (more reads only when it is not: it is growing or shrinking)."""
    try:
        fd = os.open(path, _O_BINARY)
        try:
            status = os.fstat(fd)
            size = status.st_size
            data = os.read(fd, size + 1)
            if len(data) != size:
                chunks = [data]
                while data:
                    data = os.read(fd, 1 << 20)
                    chunks.append(data)
                data = b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        raise FormReadError(
            f"could not be opened ({exc.strerror or exc})",
            "Check the file still exists and you may read it.",
        ) from exc
    return data, status.st_mtime


def _read_bytes(
    data: bytes,
    name: str,
    limits: ReadLimits,
    file_time: dt.datetime | None,
    sha256: str | None = None,  # when the caller has worked it out already
) -> FormReading:
    if data[:8] == OLE_MAGIC:
        raise FormReadError(
            "is protected with a password, or saved in the old Word 97-2003 format, so its "
            "answers cannot be read",
            "Ask the sender to remove the password (Word: File > Info > Protect Document > "
            "Encrypt with Password, clear it) and save it as a Word Document (.docx).",
        )
    if data[:2] != b"PK":
        raise FormReadError(
            "is not a Word document (.docx) even though it is named like one",
            "Ask the sender to open the form in Word or LibreOffice and save it as a Word "
            "Document (.docx).",
        )
    members = _plain_directory(data)
    archive = None
    if members is None:  # anything unusual: zipfile reads the directory (and says what is wrong)
        try:
            archive = zipfile.ZipFile(BytesIO(data))
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise FormReadError(
                "is damaged (its contents cannot be unpacked)",
                "Ask the sender to save the form again and send it once more.",
            ) from exc
    package = _Package(archive, name, limits, data, members)
    try:
        layout = package.layout()
        main = layout.main
        macros = layout.macros or name.lower().endswith(".docm")
        raw_main = package.read(main)
        strict = b"purl.oclc.org/ooxml" in raw_main[:4096]
        fields = package.fields(main, raw_main)
        for part in layout.stories:
            raw = package.read(part)
            if _may_hold_fields(raw):
                fields.extend(package.fields(part, raw))
        properties = package.custom_properties(layout.custom)
        modified = package.modified(layout.core)
    finally:
        package.close()
    return FormReading(
        name=name,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=len(data),
        main_part=main,
        fields=fields,
        properties=properties,
        modified=modified,
        file_time=file_time,
        macros=macros,
        strict=strict,
    )


_OTHER_STORIES = ("header", "footer", "footnotes", "endnotes")


def _may_hold_fields(xml: bytes) -> bool:
    """Cheap pre-check: a part without "sdt" or "ffData" anywhere has no form fields.

    A part in UTF-16 (legal, though Word never writes it) is always parsed.
    """
    return b"sdt" in xml or b"ffData" in xml or xml[:2] in (b"\xff\xfe", b"\xfe\xff")


class _Member(tuple):
    """What ``_Package`` needs of a zip directory entry, by the names ``zipfile.ZipInfo`` uses:
    (name, flags, method, CRC, compressed size, size, local header offset). A tuple, made in
    one step, as every entry of every file gets one."""

    __slots__ = ()
    filename = orig_filename = property(itemgetter(0))
    flag_bits = property(itemgetter(1))
    compress_type = property(itemgetter(2))
    CRC = property(itemgetter(3))
    compress_size = property(itemgetter(4))
    file_size = property(itemgetter(5))
    header_offset = property(itemgetter(6))


def _member_name(raw: bytes, flags: int) -> str | None:
    """A member's name as zipfile decodes it (UTF-8 when flagged, else code page 437, which
    is ASCII below 128: decoded as such, far faster); None when it is not valid UTF-8."""
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None


_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
# A central directory entry, unpacking only what is used: signature, flags, method, CRC,
# compressed and real size, name/extra/comment lengths, disk, local header offset.
_DIRECTORY_ENTRY = struct.Struct("<4s4xHH4xLLLHHHH6xL")
_ENTRY_LENGTHS = struct.Struct("<HHH")  # name, extra field and comment lengths, at 28


def _plain_directory(data: bytes) -> list[_Member] | None:
    """The members of a plain zip (one disk, no comment, no zip64, nothing before or between),
    read straight from its central directory; None for anything else (zipfile reads those)."""
    if len(data) < 22:
        return None
    end = _END_OF_DIRECTORY.unpack_from(data, len(data) - 22)
    signature, disk, directory_disk, on_disk, total, size, offset, comment = end
    if (
        signature != b"PK\x05\x06"
        or disk
        or directory_disk
        or comment
        or on_disk != total
        or offset + size != len(data) - 22
    ):
        return None
    members = []
    append = members.append
    position = offset
    stop = offset + size
    unpack = _DIRECTORY_ENTRY.unpack_from
    lengths = _ENTRY_LENGTHS.unpack_from
    known = _ENTRIES
    for _ in range(total):
        if position + 46 > stop:
            return None
        # An entry seen before byte for byte (the same part of a form made from the same
        # template, at the same place) reads the same.
        name_length, extra_length, comment_length = lengths(data, position + 28)
        end = position + 46 + name_length + extra_length + comment_length
        entry = data[position:end]
        member = known.get(entry)
        if member is not None:
            append(member)
            position = end
            continue
        (
            signature,
            flags,
            method,
            crc,
            csize,
            usize,
            name_length,
            extra_length,
            comment_length,
            disk_start,
            header_offset,
        ) = unpack(data, position)
        if signature != b"PK\x01\x02" or disk_start:
            return None
        if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF or header_offset == 0xFFFFFFFF:
            return None  # zip64
        position += 46
        raw_name = data[position : position + name_length]
        if b"\0" in raw_name or b"\\" in raw_name:
            return None  # zipfile cuts at NUL (and on Windows turns "\\" into "/")
        name = raw_name.decode("ascii") if raw_name.isascii() else _member_name(raw_name, flags)
        if name is None:
            return None  # zipfile says what is wrong with it
        member = _Member((name, flags, method, crc, csize, usize, header_offset))
        if len(known) >= _ENTRIES_MAX:
            known.clear()
        known[entry] = member
        append(member)
        position = end
    if position != stop:
        return None
    return members


# Directory entries read before, by their exact bytes. Bounded; cleared when full.
_ENTRIES: dict[bytes, _Member] = {}
_ENTRIES_MAX = 4096


# Small parts that many files share byte for byte (content types and relationships are the
# same in every form made from one template) are unpacked and checked once per process: what
# ``_Package._unpack`` gives depends only on the compressed bytes, the method, the declared
# size and the CRC, which together are the key. Only those two kinds of part: the others read
# (body, footers, properties) differ from file to file. Bounded; cleared when full.
_UNPACKED: dict[tuple[bytes, int, int, int], bytes | None] = {}
_UNKNOWN = object()
_UNPACKED_MAX = 256
_UNPACKED_RAW_MAX = 4096  # compressed bytes
_UNPACKED_SIZE_MAX = 16 * 1024  # unpacked bytes
# Relationships read without lxml, by the folder of their source part and the rels part's
# bytes (which is all they depend on). Bounded; cleared when full.
_RELATIONSHIPS: dict[tuple[str, bytes], tuple[tuple[str, str, str], ...]] = {}
_RELATIONSHIPS_MAX = 256


class _Layout(NamedTuple):
    """Where a package keeps what is read, and whether it holds macros (by its parts)."""

    main: str
    stories: tuple[str, ...]  # headers, footers, notes of the main part
    custom: str | None  # custom document properties
    core: str | None  # core properties (dcterms:modified)
    macros: bool  # a vbaProject.bin part, or content types that say "macroEnabled"


class _Shape:
    """What a zip's member names alone decide: the part names (first of equal names wins,
    as in zipfile), how to find them whatever their case, and the layout found last in a file
    with these names, with the members it was worked out from (``_Package.layout``)."""

    __slots__ = ("index", "lower", "layout")

    def __init__(self, names: tuple[str, ...]):
        self.index: dict[str, int] = {}
        for position, filename in enumerate(names):
            self.index.setdefault(filename.lstrip("/"), position)
        self.lower = {n.lower(): n for n in self.index}
        self.layout: tuple[tuple[tuple[int, tuple, bytes], ...], _Layout] | None = None


# Shapes by their member names: every form made from one template has the same. Bounded;
# cleared when full.
_SHAPES: dict[tuple[str, ...], _Shape] = {}
_SHAPES_MAX = 256
_MEMBER_NAME = itemgetter(0)
_MEMBER_SIZE = itemgetter(5)


class _Package:
    """A bounded view of a zip package: declared and real sizes are checked before use."""

    def __init__(
        self,
        archive: zipfile.ZipFile | None,
        name: str,
        limits: ReadLimits,
        data: bytes | None = None,
        members: list[_Member] | None = None,
    ):
        self.archive = archive  # opened on demand when ``members`` came from the bytes
        self.data = data  # the whole zip, when in memory: members are then unpacked directly
        self.limits = limits
        self.members = members
        # Members read to work out the layout: index -> (directory facts, compressed bytes),
        # or None (read through zipfile: the layout is then not remembered).
        self._consulted: dict[int, tuple[tuple, bytes] | None] | None = None
        self._rels_cache: dict[str, tuple[tuple[str, str, str], ...]] = {}
        ratio = limits.max_ratio
        if members is not None:
            if len(members) > limits.max_members:
                raise _bomb()
            if sum(map(_MEMBER_SIZE, members)) > limits.max_total_bytes:
                raise _bomb()
            if members and max(map(_MEMBER_SIZE, members)) > 1024 * 1024:
                for member in members:
                    size = member[5]
                    if size > 1024 * 1024 and size > ratio * max(member[4], 1):
                        raise _bomb()
            names = tuple(map(_MEMBER_NAME, members))
            shape = _SHAPES.get(names)
            if shape is None:
                if len(_SHAPES) >= _SHAPES_MAX:
                    _SHAPES.clear()
                shape = _SHAPES[names] = _Shape(names)
            self.shape: _Shape | None = shape
            self.lower = shape.lower
            return
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise _bomb()
        total = 0
        self.shape = None
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            size = info.file_size
            total += size
            if size > 1024 * 1024 and size > ratio * max(info.compress_size, 1):
                raise _bomb()
            self.infos.setdefault(info.filename.lstrip("/"), info)
        if total > limits.max_total_bytes:
            raise _bomb()
        self.lower = {n.lower(): n for n in self.infos}

    def has(self, part: str) -> bool:
        return part.lower() in self.lower

    def layout(self) -> _Layout:
        """The main part, its stories, the property parts, and whether there are macros.

        They depend only on the member names and the parts read to find them (content types
        and relationships): a file with the same names and those parts the same, byte for
        byte and by their directory entries, has the layout found last (no relationship read
        again), as every form made from one template has.
        """
        shape = self.shape
        if shape is not None and shape.layout is not None:
            consulted, known = shape.layout
            members = self.members
            assert members is not None
            if all(
                members[index][1:6] == facts and self._raw(members[index]) == raw
                for index, facts, raw in consulted
            ):
                return known
        self._consulted = consulted = {}
        try:
            main = self.main_part()
            found = _Layout(
                main=main,
                stories=tuple(self.related_parts(main, _OTHER_STORIES)),
                custom=self._package_part("/custom-properties", "docProps/custom.xml"),
                core=self._package_part("/core-properties", "docProps/core.xml"),
                macros=(
                    "vbaproject.bin\0" in "\0".join(self.lower) + "\0"  # a name ending so
                    or (
                        self.has("[Content_Types].xml")
                        and b"macroEnabled" in self.read("[Content_Types].xml")
                    )
                ),
            )
        finally:
            self._consulted = None
        if shape is not None and None not in consulted.values():
            shape.layout = (
                tuple((index, *seen) for index, seen in consulted.items()),  # type: ignore[misc]
                found,
            )
        return found

    def read(self, part: str) -> bytes:
        actual = self.lower.get(part.lower())
        if actual is None:
            raise FormReadError(
                f"is missing a part Word needs ({part})",
                "Ask the sender to save the form again in Word or LibreOffice and resend it.",
            )
        limit = self.limits.max_part_bytes
        info: zipfile.ZipInfo | _Member
        if self.members is not None:
            index = self.shape.index[actual]  # type: ignore[union-attr]
            info = self.members[index]
            if info.file_size > limit:
                raise _bomb()
            raw = self._raw(info)
            if self._consulted is not None:  # a part the layout depends on
                self._consulted[index] = None if raw is None else (info[1:6], raw)
            data = self._unpack(info, raw) if raw is not None else None
            if data is not None:
                return data
        else:
            info = self.infos[actual]
            if info.file_size > limit:
                raise _bomb()
        try:
            if self.archive is None:
                self.archive = zipfile.ZipFile(BytesIO(self.data))
            if isinstance(info, _Member):  # the same entry as zipfile sees it
                offset = info.header_offset
                info = next(i for i in self.archive.infolist() if i.header_offset == offset)
            with self.archive.open(info) as fh:
                data = fh.read(limit + 1)
        except (
            zipfile.BadZipFile,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            StopIteration,
            zlib.error,  # damaged deflate data
        ) as exc:
            raise FormReadError(
                "is damaged (its contents cannot be unpacked)",
                "Ask the sender to save the form again and send it once more.",
            ) from exc
        if len(data) > limit:
            raise _bomb()
        return data

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def _raw(self, member: _Member) -> bytes | None:
        """A member's compressed bytes straight from the zip, or None to let ``zipfile`` read
        it: only the plain case, not encrypted, stored or deflated, and a local header that
        agrees with the directory."""
        name, flags, method, _, compressed, _, offset = member
        if flags & 0x1 or method not in (zipfile.ZIP_STORED, 8):
            return None
        data = self.data
        assert data is not None
        header = data[offset : offset + 30]
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            return None
        name_length, extra_length = _LOCAL_LENGTHS.unpack_from(header, 26)
        name_bytes = data[offset + 30 : offset + 30 + name_length]
        if name_bytes.isascii():
            local_name = name_bytes.decode("ascii")  # what code page 437 and UTF-8 give too
        else:
            local_name = name_bytes.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if local_name != name:
            return None
        start = offset + 30 + name_length + extra_length
        raw = data[start : start + compressed]
        return raw if len(raw) == compressed else None

    def _unpack(self, member: _Member, raw: bytes) -> bytes | None:
        """A member from its compressed bytes (``_raw``), or None to let ``zipfile`` read it
        (and say what is wrong): exactly the declared size (never more is unpacked) with the
        right CRC."""
        name, _, method, crc, compressed, size, _ = member
        key = None
        if (
            compressed <= _UNPACKED_RAW_MAX
            and size <= _UNPACKED_SIZE_MAX
            and (name.endswith(".rels") or name == "[Content_Types].xml")
        ):
            key = (raw, method, size, crc)
            known = _UNPACKED.get(key, _UNKNOWN)
            if known is not _UNKNOWN:
                return known  # type: ignore[return-value]
        payload: bytes | None
        if method == zipfile.ZIP_STORED:
            payload = raw
        else:
            try:
                if compressed * _DEFLATE_MAX_RATIO <= self.limits.max_part_bytes:
                    # It cannot unpack to more than the limit, whatever it holds: one buffer of
                    # the declared size, where a bounded read grows and joins blocks (several
                    # times slower on a large part).
                    payload = zlib.decompress(raw, -15, max(size, 1))
                else:
                    payload = zlib.decompressobj(-15).decompress(raw, size + 1)
            except zlib.error:
                payload = None
        if payload is not None and (len(payload) != size or zlib.crc32(payload) != crc):
            payload = None
        if key is not None:
            if len(_UNPACKED) >= _UNPACKED_MAX:
                _UNPACKED.clear()
            _UNPACKED[key] = payload
        return payload

    def parse(self, part: str, data: bytes | None = None) -> etree._Element:
        if data is None:
            data = self.read(part)
        try:
            return parse_xml(data)
        except UnsafeXmlError as exc:
            raise _unsafe(part) from exc
        except etree.XMLSyntaxError as exc:
            raise FormReadError(
                f"is damaged: part {part} is not valid XML ({exc.msg})",
                "Ask the sender to save the form again and send it once more.",
            ) from exc

    def fields(self, part: str, data: bytes) -> list[Field]:
        """Every field in a part (unnamed ones too): the fast byte scan, else lxml."""
        try:
            found = read_fields_fast(data, unnamed=True)
        except UnsafeXmlError as exc:
            raise _unsafe(part) from exc
        if found is not None:
            return found
        return read_fields(self.parse(part, data), unnamed=True)

    def relationships(self, source: str) -> tuple[tuple[str, str, str], ...]:
        """(type, target part, id) of a part's relationships ("" for the package)."""
        if source in self._rels_cache:
            return self._rels_cache[source]
        folder, base = posixpath.split(source)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        out: list[tuple[str, str, str]] = []
        if self.has(rels_part):
            raw = self.read(rels_part)
            known = _RELATIONSHIPS.get((folder, raw))
            if known is not None:
                self._rels_cache[source] = known
                return known
            found = _fast_relationships(raw)
            rels = (
                found
                if found is not None
                else self.parse(rels_part, raw).iter(_REL_NS + "Relationship")
            )
            for rel in rels:
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target") or ""
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                elif not target or "/." in "/" + target or "//" in target or target[-1] == "/":
                    resolved = posixpath.normpath(posixpath.join(folder, target))
                else:  # a clean relative path: what normpath(join()) would give, cheaper
                    resolved = f"{folder}/{target}" if folder else target
                out.append((rel.get("Type") or "", resolved, rel.get("Id") or ""))
            if found is not None:
                if len(_RELATIONSHIPS) >= _RELATIONSHIPS_MAX:
                    _RELATIONSHIPS.clear()
                _RELATIONSHIPS[(folder, raw)] = tuple(out)
        self._rels_cache[source] = result = tuple(out)
        return result

    def main_part(self) -> str:
        for rel_type, target, _ in self.relationships(""):
            if rel_type.endswith("/officeDocument") and self.has(target):
                return self.lower[target.lower()]
        if self.has("word/document.xml"):
            return self.lower["word/document.xml"]
        raise FormReadError(
            "is not a Word document: it has no main document part",
            "Ask the sender to save the form as a Word Document (.docx) and resend it.",
        )

    def related_parts(self, source: str, kinds: Sequence[str]) -> list[str]:
        parts = []
        for rel_type, target, _ in self.relationships(source):
            if rel_type.rsplit("/", 1)[-1] in kinds and self.has(target):
                parts.append(self.lower[target.lower()])
        return parts

    def _package_part(self, suffix: str, default: str) -> str | None:
        for rel_type, target, _ in self.relationships(""):
            if rel_type.endswith(suffix) and self.has(target):
                return target
        return default if self.has(default) else None

    def custom_properties(self, part: str | None) -> dict[str, str]:
        """The custom document properties in ``part`` (``_Layout.custom``), by name."""
        if part is None:
            return {}
        raw = self.read(part)
        fast = _fast_custom_properties(raw)
        if fast is not None:
            return fast
        root = self.parse(part, raw)
        props: dict[str, str] = {}
        for prop in root:
            prop_name = prop.get("name")
            if not prop_name or not len(prop):
                continue
            props[prop_name] = (prop[0].text or "").strip()
        return props

    def modified(self, part: str | None) -> dt.datetime | None:
        """When the document was last saved (``dcterms:modified`` in ``part``, the layout's
        core properties), if that says anything.

        Word and LibreOffice move the modified time on every save and keep the created time.
        A modified time no later than the created time is the generated form's own stamp (the
        template's), or a program that left the times alone: it says nothing about when the
        form came back, so None, and the file's time is used instead.
        """
        if part is None:
            return None
        raw = self.read(part)
        times: dict[str, dt.datetime | None] = {}
        fast = _fast_core_times(raw)
        for name in ("modified", "created"):
            text = fast[name]
            if text is None:
                root = self.parse(part, raw)
                found = next(root.iter(f"{{http://purl.org/dc/terms/}}{name}"), None)
                text = found.text or "" if found is not None else ""
            times[name] = _parse_w3c_time(text) if text else None
        modified, created = times["modified"], times["created"]
        if modified is not None and created is not None and modified <= created:
            return None
        return modified


# Small package parts the usual way (one namespace declaration, double-quoted attributes, no
# comments, DOCTYPE or CDATA) read with a few regexes; anything else goes to lxml. Each check
# below makes sure every element of the part was accounted for.
_XML_ATTR = re.compile(rb'([\w:.-]+)="([^"<]*)"')
_FAST_REL = re.compile(rb"<Relationship\s([^<>]*?)\s*/>")
_PLAIN_VALUE = rb'="([^"<&\t\n\r]*)"'
_PLAIN_REL = re.compile(
    rb"<Relationship Id"
    + _PLAIN_VALUE
    + rb" Type"
    + _PLAIN_VALUE
    + rb" Target"
    + _PLAIN_VALUE
    + rb"(?: TargetMode"
    + _PLAIN_VALUE
    + rb")?\s*/>"
)
_FAST_PROPERTY = re.compile(
    rb"<property\s([^<>]*)>\s*<vt:(\w+)(?:>([^<]*)</vt:\2>|\s*/>)\s*</property>"
)
_PLAIN_PROPERTY = re.compile(
    rb'<property fmtid="[^"<&\t\n\r]*" pid="[0-9]+" name="([^"<&\t\n\r]*)">'
    rb"<vt:(lpwstr|i4|bool|filetime)>([^<]*)</vt:\2></property>"
)
_FAST_CORE_TIME = {
    name: re.compile(rf"<dcterms:{name}(?:\s[^<>]*)?>([^<]*)</dcterms:{name}>".encode())
    for name in ("modified", "created")
}
_DC_TERMS = b'xmlns:dcterms="http://purl.org/dc/terms/"'


def _plain_xml(raw: bytes) -> bytes | None:
    """The part without its XML declaration, if it is plain UTF-8 with no <! or <? inside."""
    raw = normalize_namespaces(raw)  # Strict URIs, as parse_xml does (relationship types too)
    body = raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw
    if body.startswith(b"<?xml"):
        end = body.find(b"?>")
        declaration = body[:end].lower()
        if end < 0 or (b"encoding" in declaration and b"utf-8" not in declaration):
            return None
        body = body[end + 2 :].lstrip()  # Word puts "\r\n" after the declaration
    if (
        (b"!" in body and b"<!" in body)  # one-byte searches first: memchr, far faster
        or (b"?" in body and b"<?" in body)
        or b"\r" in body
    ):
        return None  # comments, DOCTYPE, CDATA, processing instructions, line ends to normalise
    return body


def _attributes(raw: bytes) -> dict[str, str] | None:
    found = _XML_ATTR.findall(raw)
    if raw.count(b"=") != len(found):
        return None  # single quotes, or "=" in a value: lxml decides
    if b"\t" in raw or b"\n" in raw:
        return None  # lxml normalises white space in attribute values
    try:
        return {key.decode("utf-8"): _unescape_attr(value) for key, value in found}
    except (UnicodeDecodeError, ValueError):
        return None


def _unescape_attr(value: bytes) -> str:
    text = value.decode("utf-8")
    if "&" not in text:
        return text
    plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    plain = plain.replace("&apos;", "'")
    if plain.count("&") != plain.count("&amp;"):
        raise ValueError("a character reference: lxml decides")
    return plain.replace("&amp;", "&")


def _fast_relationships(raw: bytes) -> list[dict[str, str]] | None:
    body = _plain_xml(raw)
    if body is None or b"xmlns:" in body or body.count(b"xmlns=") != 1:
        return None
    if b'<Relationships xmlns="' + _REL_NS[1:-1].encode() + b'"' not in body:
        return None
    plain = _PLAIN_REL.findall(body)
    if body.count(b"<") == len(plain) + 2:  # the root's start and end, one per relationship
        # The usual attributes in the usual order, nothing to unescape: no dict per element.
        return [
            {"Id": i.decode(), "Type": t.decode(), "Target": g.decode(), "TargetMode": m.decode()}
            if m
            else {"Id": i.decode(), "Type": t.decode(), "Target": g.decode()}
            for i, t, g, m in plain
        ]
    found = _FAST_REL.findall(body)
    if body.count(b"<") != len(found) + 2:
        return None
    rels = []
    for attrs in found:
        parsed = _attributes(attrs)
        if parsed is None or "xmlns" in parsed:
            return None
        rels.append(parsed)
    return rels


def _fast_custom_properties(raw: bytes) -> dict[str, str] | None:
    body = _plain_xml(raw)
    if body is None:
        return None
    plain = _PLAIN_PROPERTY.findall(body)
    if plain and body.count(b"<") == 2 + 4 * len(plain):
        # Every property in the usual shape (its start and end, its value's two tags, and the
        # root's two): names with nothing to unescape, no dict of attributes per property.
        props: dict[str, str] = {}
        try:
            for name, _, value in plain:
                if name:
                    props[name.decode("utf-8")] = _unescape_attr(value).strip()
        except (UnicodeDecodeError, ValueError):
            return None
        return props
    found = _FAST_PROPERTY.findall(body)
    values = body.count(b"<vt:")
    # The root's start and end; per property its start and end, its value's one or two tags.
    if values != len(found) or body.count(b"<") != 2 + 2 * len(found) + values + body.count(
        b"</vt:"
    ):
        return None
    props = {}
    for attrs, _, value in found:
        parsed = _attributes(attrs)
        if parsed is None:
            return None
        name = parsed.get("name")
        if not name:
            continue
        try:
            props[name] = _unescape_attr(value).strip()
        except (UnicodeDecodeError, ValueError):
            return None
    return props


def _fast_core_times(raw: bytes) -> dict[str, str | None]:
    """The text of dcterms:modified and dcterms:created; None for one lxml must look at (also
    when there is none)."""
    body = _plain_xml(raw)
    if (
        body is None
        or body.count(_DC_TERMS) != 1
        or body.count(b"purl.org/dc/terms/") != 1
        or body.count(b"xmlns:dcterms=") != 1
    ):
        return {"modified": None, "created": None}
    times: dict[str, str | None] = {}
    for name, pattern in _FAST_CORE_TIME.items():
        found = pattern.search(body) if body.count(b"<dcterms:" + name.encode()) == 1 else None
        try:
            times[name] = _unescape_attr(found.group(1)) if found is not None else None
        except (UnicodeDecodeError, ValueError):
            times[name] = None
    return times


def _parse_w3c_time(text: str) -> dt.datetime | None:
    """A W3C date-time as local time without a zone, or None. Remembered: the forms made from
    one template carry the same times. Bounded; cleared when full."""
    known = _W3C_TIMES.get(text, _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[return-value]
    if len(_W3C_TIMES) >= 1024:
        _W3C_TIMES.clear()
    _W3C_TIMES[text] = moment = _w3c_time(text)
    return moment


_W3C_TIMES: dict[str, dt.datetime | None] = {}


def _w3c_time(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)  # local time, as Excel shows it
    return moment


def _unsafe(part: str) -> FormReadError:
    return FormReadError(
        f"contains XML with a DOCTYPE or entity declarations ({part}), which Word never "
        "writes; it was not read, to keep your computer safe",
        "Ask the sender to copy the answers into a fresh copy of the form.",
    )


def _bomb() -> FormReadError:
    return FormReadError(
        'unpacks to far more data than any form could hold (a "zip bomb"); it was not read',
        "Delete it. If a real person sent it, ask them to save the form again and resend it.",
    )


# ---- finding files ---------------------------------------------------------------------------


@dataclass
class _Input:
    name: str  # display name
    path: Path | None
    data: bytes | None = None
    file_time: dt.datetime | None = None


def _expand_inputs(
    inputs: Iterable[str | os.PathLike[str]], problems: list[Problem]
) -> tuple[list[_Input], int]:
    """Every Word file to read, and how many lock files were skipped."""
    found: list[_Input] = []
    skipped = 0
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                lowered = child.name.lower()
                if is_office_lock_file(child.name):
                    skipped += 1
                elif lowered.endswith(WORD_SUFFIXES):
                    found.append(_Input(str(child), child))
                elif lowered.endswith(".eml"):
                    found.extend(_email_inputs(child, problems))
            continue
        if not path.exists():
            problems.append(
                Problem(
                    str(path),
                    "does not exist.",
                    "Check the name and folder, and run the command again.",
                )
            )
            continue
        lowered = path.name.lower()
        if is_office_lock_file(path.name):
            skipped += 1
        elif lowered.endswith(".eml"):
            found.extend(_email_inputs(path, problems))
        elif lowered.endswith(WORD_SUFFIXES):
            found.append(_Input(str(path), path))
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


def _email_inputs(path: Path, problems: list[Problem]) -> list[_Input]:
    try:
        with path.open("rb") as fh:
            message = email.message_from_binary_file(fh, policy=email.policy.default)
    except OSError as exc:
        problems.append(Problem(str(path), f"could not be opened ({exc}).", "Check the file."))
        return []
    when: dt.datetime | None = None
    try:
        date_header = message.get("Date")
        if date_header:
            when = parsedate_to_datetime(str(date_header))
            if when.tzinfo is not None:
                when = when.astimezone().replace(tzinfo=None)
    except (TypeError, ValueError):
        when = None
    if when is None:
        when = dt.datetime.fromtimestamp(path.stat().st_mtime)
    out: list[_Input] = []
    for part in message.walk():
        filename = part.get_filename()
        if not filename or part.is_multipart():
            continue
        base = Path(filename.replace("\\", "/")).name
        if is_office_lock_file(base) or not base.lower().endswith(WORD_SUFFIXES):
            continue
        payload = part.get_payload(decode=True)
        if not payload:
            problems.append(
                Problem(
                    f"{path} > {base}",
                    "is an empty attachment.",
                    "Ask the sender to attach the form again.",
                )
            )
            continue
        out.append(_Input(f"{path} > {base}", None, payload, when))
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


_WORKER_SPECS: Mapping[str, Any] = {}
_WORKER_KNOWN: frozenset[str] = frozenset()


def _init_worker(specs: Mapping[str, Any], known: frozenset[str]) -> None:
    global _WORKER_SPECS, _WORKER_KNOWN
    _WORKER_SPECS, _WORKER_KNOWN = specs, known


def _read_input(
    item: _Input,
    specs: Mapping[str, Any] | None = None,
    known: frozenset[str] | None = None,
) -> FormReading | FormReadError:
    """Read one input; a file that cannot be used gives its FormReadError (not raised).

    A file whose checksum is in ``known`` (already in the workbook, or a blank form as
    generated) is not read further: it comes back with its checksum only. A form of ours
    whose controls all kept their tags is matched to its declaration here
    (``reading.values``), so a worker process sends back values rather than every Field.
    """
    specs = _WORKER_SPECS if specs is None else specs
    known = _WORKER_KNOWN if known is None else known
    data, file_time = item.data, item.file_time
    try:
        if data is None:
            data, mtime = _read_file(item.path)
            file_time = file_time or dt.datetime.fromtimestamp(mtime)
        checksum = hashlib.sha256(data).hexdigest()
        if checksum in known:
            return FormReading(item.name, checksum, len(data), "", [], file_time=file_time)
        reading = _read_bytes(data, item.name, DEFAULT_LIMITS, file_time, checksum)
    except FormReadError as exc:
        return exc
    spec = specs.get(reading.form)
    if spec is not None and all(f.source == "tag" for f in reading.fields):
        reading.values, _ = match_fields(reading.fields, spec, None)
        reading.fields = []
    return reading


def _read_all(
    items: list[_Input], jobs: int, specs: Mapping[str, Any], known: frozenset[str]
) -> Iterable[FormReading | FormReadError]:
    """Read every input in order; in ``jobs`` worker processes when there are many."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(items) < PARALLEL_FROM:
        for item in items:
            yield _read_input(item, specs, known)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(dict(specs), known)
    ) as pool:
        yield from pool.map(_read_input, items, chunksize=16)


# ---- who and what ----------------------------------------------------------------------------


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def identify_from_name(
    file_name: str, pair_ids: Iterable[str], specs: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """Pair id and form id found in a file name (robust to "Copy of ... (2) FINAL")."""
    base = Path(file_name.split(" > ")[-1]).stem
    words = _words(base)
    pairs = [p for p in pair_ids if _words(p).strip() and _words(p) in words]
    # The longest pair id wins ("P10" over "P1").
    pairs.sort(key=len, reverse=True)
    pair = pairs[0] if pairs else None
    if len(pairs) > 1 and _words(pairs[1]) not in _words(pairs[0]):
        pair = None
    forms = []
    for form, spec in specs.items():
        if _words(form) in words or _words(spec.title) in words:
            forms.append(form)
    return pair, (forms[0] if len(forms) == 1 else None)


# ---- matching fields to the declaration ------------------------------------------------------


@dataclass
class _Reference:
    """A clean copy of the same form for the same pair: field order, kinds, placeholders."""

    order: list[tuple[str, str]]  # (field id, kind) in document order
    placeholders: dict[str, str]  # field id -> placeholder text shown when not filled in


def match_fields(
    fields: Sequence[Field], spec: Any, reference: _Reference | None
) -> tuple[dict[str, Any], int]:
    """Field id -> value for a returned form, and how many controls could not be placed.

    By tag, then alias; a control whose tag and alias are gone (a drop-down re-saved by
    LibreOffice) is placed by its position between the named controls around it, compared
    with the reference copy, when its kind agrees.
    """
    from mentordocs.tracking.workbook import spec_index

    declared = spec_index(spec)
    values: dict[str, Any] = {}
    ours = [f for f in fields if f.source != "legacy"]
    unplaced = 0
    unnamed = [i for i, f in enumerate(ours) if not f.id]
    if unnamed and reference is not None:
        named_positions = [
            (index, item.id)
            for index, item in enumerate(ours)
            if item.id and declared.match(item.id) is not None
        ]
        ref_index = {fid: i for i, (fid, _) in enumerate(reference.order)}
        assigned = _place_unnamed(ours, unnamed, named_positions, reference, ref_index)
        for index, field_id in assigned.items():
            ours[index] = Field(
                id=field_id,
                kind=ours[index].kind,
                value=ours[index].value,
                tag=ours[index].tag,
                alias=ours[index].alias,
                source="position",
                placeholder=ours[index].placeholder,
            )
        unplaced = len(unnamed) - len(assigned)
    else:
        unplaced = len(unnamed)
    match = declared.match
    placeholders = reference.placeholders if reference is not None else {}
    for item in ours:
        if not item.id or match(item.id) is None:
            continue
        value = item.value
        if placeholders and isinstance(value, str):
            shown = placeholders.get(item.id)
            if shown is not None and value == shown:
                value = ""  # LibreOffice dropped the "showing placeholder" marker
        if item.id in values and (_filled(values[item.id]) or not _filled(value)):
            # A repeated copy of a field: keep the first filled one. LibreOffice splits a
            # plain-text control holding right-to-left text into several controls with the
            # same alias; the first holds the whole value, the others fragments.
            continue
        values[item.id] = value
    return values, unplaced


def _filled(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip() != "")


def _place_unnamed(ours, unnamed, named_positions, reference, ref_index) -> dict[int, str]:
    """Assign unnamed controls to reference ids between the same named neighbours."""
    named_ids = {fid for _, fid in named_positions}
    assigned: dict[int, str] = {}
    anchors = [(-1, -1)] + [
        (pos, ref_index[fid]) for pos, fid in named_positions if fid in ref_index
    ]
    anchors.append((len(ours), len(reference.order)))
    # Keep anchors increasing in both sequences (drop any that cross).
    clean = [anchors[0]]
    for pos, ref in anchors[1:]:
        if ref > clean[-1][1] and pos > clean[-1][0]:
            clean.append((pos, ref))
    for (pos_a, ref_a), (pos_b, ref_b) in zip(clean, clean[1:], strict=False):
        gap = [i for i in unnamed if pos_a < i < pos_b]
        if not gap:
            continue
        candidates = [
            (fid, kind) for fid, kind in reference.order[ref_a + 1 : ref_b] if fid not in named_ids
        ]
        cursor = 0
        for index in gap:
            kind = ours[index].kind
            while cursor < len(candidates) and candidates[cursor][1] != kind:
                cursor += 1
            if cursor >= len(candidates):
                break
            assigned[index] = candidates[cursor][0]
            cursor += 1
    return assigned


# ---- the whole run ---------------------------------------------------------------------------


@dataclass
class CollectResult:
    """What one ``collect_forms`` run did."""

    tracking_path: Path
    read: int = 0  # Word files read (including ones already in the workbook)
    new: int = 0  # returns added or replaced in this run
    unchanged: int = 0  # files already in the workbook (same checksum)
    other: int = 0  # Word forms mentordocs did not make
    skipped: int = 0  # Office lock files and blank forms as generated
    problems: list[Problem] = field(default_factory=list)
    backup: Path | None = None


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
) -> CollectResult:
    """Read returned forms from files, folders and .eml files into the tracking workbook.

    Incremental: an existing workbook at ``tracking_path`` is read first; a file already in it
    (same SHA-256) adds nothing; of two returns of one pair and form the newest is kept and
    the other listed under Problems. The workbook is written to a temporary file and renamed;
    the previous one is kept as ``<name>.bak``. ``jobs`` worker processes read the files
    (0: one per CPU, used from PARALLEL_FROM files on). Raises CollectError when the
    workbook is open in Excel (nothing is written) or cannot be read back.
    """
    from mentordocs.forms import load_form_specs
    from mentordocs.tracking.workbook import (
        FILLED_IN,
        LEFT_BLANK,
        OtherField,
        ReturnedForm,
        TrackingData,
        read_tracking,
        spec_index,
        write_tracking,
    )

    progress = progress or NoProgress()
    target = Path(tracking_path)
    lock = office_lock_file(target)
    if lock is not None:
        raise CollectError(
            f"{target} is open in Excel or LibreOffice (found {lock.name} beside it), so it was "
            "not changed. Close it there and run the command again."
        )
    specs = load_form_specs(templates_dir)
    previous = read_tracking(target) if target.exists() else TrackingData()
    result = CollectResult(tracking_path=target)
    problems: list[Problem] = []
    items, result.skipped = _expand_inputs(inputs, problems)
    pair_ids = [p.pair_id for p in roster.pairs]
    known_pairs = set(pair_ids)
    blank_checksums, references_by_key = _packet_index(packets_dir)
    references: dict[tuple[str, str], _Reference | None] = {}
    compiled: dict[str, Any] = {}

    returns: dict[tuple[str, str], ReturnedForm] = {
        (r.pair_id, r.form): r for r in previous.returns
    }
    seen_checksums = {r.sha256 for r in previous.returns}
    seen_checksums.update(o.sha256 for o in previous.others)
    seen_checksums.update(previous.superseded)
    superseded = dict(previous.superseded)
    others = list(previous.others)
    scanned: set[str] = set()

    progress.start(len(items), "Reading forms")
    try:
        known = frozenset(seen_checksums | blank_checksums)
        for item, reading in zip(items, _read_all(items, jobs, specs, known), strict=True):
            progress.advance()
            if isinstance(reading, FormReadError):
                scanned.add(item.name)
                problems.append(Problem(item.name, reading.message + ".", reading.fix))
                continue
            result.read += 1
            if reading.sha256 in blank_checksums:
                result.skipped += 1
                continue
            if reading.sha256 in seen_checksums:
                result.unchanged += 1  # its problems from the last run, if any, are kept
                continue
            seen_checksums.add(reading.sha256)
            scanned.add(item.name)
            if reading.macros:
                problems.append(
                    Problem(
                        item.name,
                        "contains macros (it is a macro-enabled .docm). Its answers were read, "
                        "but macros can carry viruses.",
                        "Do not open it in Word unless you trust the sender; ask for a plain "
                        ".docx next time.",
                        severity="warning",
                    )
                )
            pair_id, form = reading.pair_id, reading.form
            if reading.program and reading.program != roster.program.name:
                problems.append(
                    Problem(
                        item.name,
                        f"is a form of another program ('{reading.program}'), not of "
                        f"'{roster.program.name}'; it was not copied.",
                        "Collect it with that program's roster, or check it was sent to the "
                        "right coordinator.",
                    )
                )
                continue
            if not pair_id or not form:
                named_pair, named_form = identify_from_name(item.name, pair_ids, specs)
                pair_id = pair_id or named_pair or ""
                form = form or named_form or ""
                if not reading.properties.get(PROP_FORM) and not (named_pair and named_form):
                    if any(f.source == "legacy" or f.id for f in reading.fields):
                        result.other += 1
                        others.extend(
                            OtherField(
                                source=item.name,
                                sha256=reading.sha256,
                                name=f.alias or f.tag or f.id or "(no name)",
                                kind=f.kind,
                                value=f.value,
                                tag=f.tag,
                            )
                            for f in reading.fields
                            if f.id or f.source == "legacy"
                        )
                    else:
                        problems.append(
                            Problem(
                                item.name,
                                "has no form fields and does not say which pair and form it "
                                "is, so there was nothing to copy.",
                                "If it is a returned form, rename it to start with the pair id "
                                "and the form name (e.g. P03_goal-sheet.docx) and collect again.",
                                severity="warning",
                            )
                        )
                    continue
            if form not in specs:
                problems.append(
                    Problem(
                        item.name,
                        f"says it is form '{form}', which this program's templates do not have.",
                        "Check the templates folder (--templates) matches the forms you sent.",
                    )
                )
                continue
            if pair_id not in known_pairs:
                problems.append(
                    Problem(
                        item.name,
                        f"is for pair '{pair_id or '?'}', which is not in the roster "
                        f"({Path(roster.path).name}); it was not copied.",
                        "Add the pair to the roster (sheet 'Pairs') or check the file came "
                        "from this program, then collect again.",
                    )
                )
                continue
            spec = specs[form]
            key = (pair_id, form)
            if reading.values is not None and reading.form == form:
                values, unplaced = reading.values, 0  # matched by tag where it was read
            else:
                reference = None
                # Only a form re-saved elsewhere (tags gone) needs a clean copy to compare with.
                if any(f.source != "tag" for f in reading.fields if f.source != "legacy"):
                    if key not in references:
                        references[key] = _reference_for(
                            references_by_key.get(key)
                        ) or _rendered_reference(spec, roster, pair_id, compiled)
                    reference = references[key]
                values, unplaced = match_fields(reading.fields, spec, reference)
            if unplaced:
                problems.append(
                    Problem(
                        item.name,
                        f"has {unplaced} field(s) whose name was removed (usually by re-saving "
                        "in another program); they could not be matched and were left out.",
                        "Give --packets with the folder the forms were generated into, so "
                        "collect can compare with the original, or check those answers by hand.",
                        severity="warning",
                    )
                )
            if not include_confidential:
                for field_id in spec_index(spec).layout(values).confidential:
                    values[field_id] = FILLED_IN if _filled(values[field_id]) else LEFT_BLANK
            candidate = ReturnedForm(
                pair_id=pair_id,
                form=form,
                source=item.name,
                sha256=reading.sha256,
                returned_at=reading.when,
                values=values,
                confidential_included=include_confidential,
            )
            current = returns.get(key)
            if current is None:
                returns[key] = candidate
                result.new += 1
                continue
            newer, older = _newest(current, candidate)
            returns[key] = newer
            superseded[older.sha256] = older.source
            if newer is candidate:
                result.new += 1
            problems.append(
                Problem(
                    older.source,
                    f"is an older return of {spec.title} for pair {pair_id} than "
                    f"{newer.source} (saved {_when(newer)}); the newer one is in the workbook.",
                    "Nothing to do if the newer file is the right one; otherwise remove it "
                    "from the folder and collect again.",
                    severity="warning",
                )
            )
    finally:
        progress.finish()

    # Problems about files not looked at in this run are kept from the last run.
    kept = [
        p
        for p in previous.problems
        if p.file not in scanned and p.file not in {p2.file for p2 in problems}
    ]
    result.problems = problems
    data = TrackingData(
        returns=sorted(returns.values(), key=lambda r: (r.pair_id, r.form)),
        others=others,
        problems=kept + problems,
        include_confidential=include_confidential or previous.include_confidential,
        superseded=superseded,
    )
    payload = write_tracking(target, data, roster, specs, packets_dir=packets_dir)
    if office_lock_file(target) is not None:
        raise CollectError(
            f"{target} was opened in Excel while collecting, so it was not changed. Close it "
            "and run the command again."
        )
    if target.exists():
        result.backup = backup_path(target)
        try:
            shutil.copy2(target, result.backup)
        except OSError as exc:
            raise OutputError(
                f"Could not keep a backup of {target} as {result.backup.name} ({exc}); nothing "
                "was written. Check the folder is writable."
            ) from exc
    atomic_write_bytes(target, payload)
    return result


def _when(ret: Any) -> str:
    return f"{ret.returned_at:%Y-%m-%d %H:%M}" if ret.returned_at else "at an unknown time"


def _newest(a: Any, b: Any) -> tuple[Any, Any]:
    """(newer, older) of two returns: the document's modified time, then the file's."""
    floor = dt.datetime.min
    if (b.returned_at or floor) > (a.returned_at or floor):
        return b, a
    return a, b


def _packet_index(
    packets_dir: str | os.PathLike[str] | None,
) -> tuple[set[str], dict[tuple[str, str], Path]]:
    """Checksums of forms as generated (blank) and the generated file per (pair, form)."""
    if packets_dir is None:
        return set(), {}
    from mentordocs.records import read_manifest

    folder = Path(packets_dir)
    manifest = read_manifest(folder)
    checksums = {entry.sha256 for entry in manifest.files}
    files = {
        (entry.pair_id, entry.form): folder / entry.path
        for entry in manifest.files
        if entry.path.lower().endswith(WORD_SUFFIXES)
    }
    return checksums, files


def _reference_for(path: Path | None) -> _Reference | None:
    """The field order and placeholders of the form as generated (from the packets folder)."""
    if path is None or not path.is_file():
        return None
    try:
        return _reference_from_bytes(path.read_bytes(), path.name)
    except (OSError, FormReadError):
        return None


def _rendered_reference(
    spec: Any, roster: Roster, pair_id: str, compiled: dict[str, Any]
) -> _Reference | None:
    """Render a clean copy of the form for the pair with the generator's renderer."""
    try:
        from mentordocs.generate.context import build_context
        from mentordocs.generate.render import CompiledTemplate

        template = compiled.get(spec.form)
        if template is None:
            template = compiled[spec.form] = CompiledTemplate.load(spec.template_path)
        data = template.render(build_context(roster, roster.pair(pair_id)))
        return _reference_from_bytes(data, spec.template_path.name)
    except (MentordocsError, KeyError, ImportError, OSError):
        return None


def _reference_from_bytes(data: bytes, name: str) -> _Reference:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FormReadError("is damaged") from exc
    with archive:
        package = _Package(archive, name, DEFAULT_LIMITS)
        main = package.main_part()
        fields = read_fields(package.parse(main), unnamed=True, placeholder_text=True)
        for part in package.related_parts(main, _OTHER_STORIES):
            fields.extend(read_fields(package.parse(part), unnamed=True, placeholder_text=True))
    order = [(f.id, f.kind) for f in fields if f.id]
    placeholders = {f.id: f.value for f in fields if f.placeholder and isinstance(f.value, str)}
    return _Reference(order, placeholders)
