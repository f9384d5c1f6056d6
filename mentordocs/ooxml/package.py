"""Reading a Word package (.docx, .docm, .dotx) safely, with ``zipfile`` and the hardened parser.

``ZipPackage(data)`` opens a zip in memory and refuses what no real document looks like
(too many members, two members with one name); ``WordPackage`` is a ZipPackage that knows Word's
layout (``mentordocs.odf`` builds its OpenDocument package on the same base, so both formats are
read within the same limits). Every part is read through ``read()``, which
applies ``ReadLimits`` to the parts actually read: a part's declared size, its unpacked size
(never more than declared is unpacked), its compression ratio, and the total unpacked over the
whole package, repeated reads included. A document with large photos is fine as long as the
parts that are read are reasonable.

``layout()`` finds what the rest of mentordocs needs through the package's relationships: the
main part, the stories beside it that can hold fields (headers, footers, foot- and endnotes,
each once however often it is referred to), the property parts, whether there are macros and
whether the document is attached to a template elsewhere.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from types import TracebackType
from typing import NamedTuple, TypeVar

from lxml import etree

from mentordocs.errors import FileError
from mentordocs.ooxml import ns
from mentordocs.ooxml.xml import UnsafeXmlError, parse_xml

__all__ = [
    "DEFAULT_LIMITS",
    "Layout",
    "PackageError",
    "ReadLimits",
    "Relationship",
    "WordPackage",
    "ZipPackage",
    "w3c_time",
]


@dataclass(frozen=True)
class ReadLimits:
    """Bounds that keep a hostile file (a "zip bomb") from exhausting memory or time."""

    max_part_bytes: int = 50 * 1024 * 1024  # one part, unpacked
    max_total_bytes: int = 200 * 1024 * 1024  # every part read, unpacked, repeated reads too
    max_ratio: int = 100  # unpacked / packed, for parts over 1 MB
    max_members: int = 10_000


DEFAULT_LIMITS = ReadLimits()
_RATIO_FROM = 1024 * 1024


class PackageError(FileError):
    """A file cannot be read as a Word package; ``fix`` says what the coordinator can do.
    ``damaged_xml``: a part is not well-formed XML (it may still be read, to be checked)."""

    damaged_xml = False


_RESEND = "Ask the sender to save the form again and send it once more."


def _damaged(detail: str = "its contents cannot be unpacked") -> PackageError:
    return PackageError(f"is damaged ({detail})", _RESEND)


def _bomb() -> PackageError:
    return PackageError(
        'unpacks to far more data than any form could hold (a "zip bomb"); it was not read',
        "Delete it. If a real person sent it, ask them to save the form again and resend it.",
    )


def _word_encrypted() -> PackageError:
    return PackageError(
        "is protected with a password, or saved in the old Word 97-2003 format, so its "
        "answers cannot be read",
        "Ask the sender to remove the password (Word: File > Info > Protect Document > "
        "Encrypt with Password, clear it) and save it as a Word Document (.docx).",
    )


class Relationship(NamedTuple):
    type: str
    target: str  # the part's name inside the package, or the address of an external target
    id: str
    external: bool


@dataclass(frozen=True)
class Layout:
    """Where a Word document's parts are (names as stored in the zip)."""

    main: str
    stories: tuple[str, ...]  # headers, footers, footnotes, endnotes: each once
    custom: str | None  # custom document properties
    core: str | None  # core properties (created, modified, ...)
    macros: bool
    attached_template: str | None  # an external template the document is attached to


_P = TypeVar("_P", bound="ZipPackage")


class ZipPackage:
    """A zip package in memory, read part by part within ``limits``.

    The messages that name a format (not a zip at all, a missing part, a password, XML the
    format's programs never write) come from the ``_not_a_package``, ``_missing``,
    ``_encrypted`` and ``_unsafe`` hooks, which each format's subclass words for itself.
    """

    def __init__(self, data: bytes, limits: ReadLimits = DEFAULT_LIMITS):
        if data[:2] != b"PK":
            raise self._not_a_package()
        self.limits = limits
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise _damaged() from exc
        try:
            self._members = self._index(self._zip.infolist())
        except PackageError:
            self._zip.close()
            raise

    # -- what a format says in its own words --------------------------------------------------

    def _not_a_package(self) -> PackageError:
        return PackageError("is not a zip package", _RESEND)

    def _missing(self, part: str) -> PackageError:
        return PackageError(f"is missing a part it needs ({part})", _RESEND)

    def _encrypted(self) -> PackageError:
        return PackageError("is protected with a password, so it cannot be read", _RESEND)

    def _unsafe(self, part: str) -> PackageError:
        return PackageError(
            f"contains XML with a DOCTYPE or entity declarations ({part}); it was not read, "
            "to keep your computer safe",
            "Ask the sender to copy the answers into a fresh copy of the form.",
        )

    def _index(self, infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
        """Members by lower-case name; two members whose names differ only in case (or not
        at all) make the package ambiguous: readers disagree on which one counts."""
        if len(infos) > self.limits.max_members:
            raise _bomb()
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            key = info.filename.lstrip("/").lower()
            if key in members:
                raise PackageError(
                    f"is damaged: it holds two parts named {info.filename!r}, so programs "
                    "disagree on what it says; it was not read",
                    _RESEND,
                )
            members[key] = info
        return members

    def __enter__(self: _P) -> _P:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # -- parts --------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        "The parts' names as stored (without a leading '/')."
        return [info.filename.lstrip("/") for info in self._members.values()]

    def has(self, part: str) -> bool:
        return part.lstrip("/").lower() in self._members

    def read(self, part: str) -> bytes:
        """One part's bytes, unpacked within the limits. Raises PackageError."""
        info = self._members.get(part.lstrip("/").lower())
        if info is None:
            raise self._missing(part)
        limits = self.limits
        size = info.file_size
        if size > limits.max_part_bytes or self._read_total + size > limits.max_total_bytes:
            raise _bomb()
        if size > _RATIO_FROM and size > limits.max_ratio * max(info.compress_size, 1):
            raise _bomb()
        try:
            with self._zip.open(info) as stream:
                data = stream.read(size + 1)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise self._encrypted() from exc
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _damaged() from exc
        except zlib.error as exc:
            raise _damaged() from exc
        if len(data) != size:
            raise _damaged()
        self._read_total += size
        return data

    def parse(
        self, part: str, data: bytes | None = None, *, recover: bool = False
    ) -> etree._Element:
        """A part parsed with the hardened parser (``recover``: a damaged part read as far as
        it goes). Raises PackageError; for XML that is not well formed, one whose
        ``damaged_xml`` is true."""
        if data is None:
            data = self.read(part)
        try:
            return parse_xml(data, recover=recover)
        except UnsafeXmlError as exc:
            raise self._unsafe(part) from exc
        except etree.XMLSyntaxError as exc:
            error = PackageError(
                f"is damaged: part {part} is not valid XML ({exc.msg})",
                _RESEND + " LibreOffice 7.4 writes such a file when a form was edited with Track "
                "Changes on: then ask the sender to accept all changes (Edit > Track Changes > "
                "Accept All), save and send it again.",
            )
            error.damaged_xml = True
            raise error from exc


class WordPackage(ZipPackage):
    """A Word package (.docx, .docm, .dotx): its parts, relationships, layout and properties."""

    def __init__(self, data: bytes, limits: ReadLimits = DEFAULT_LIMITS):
        if data[:8] == ns.OLE_SIGNATURE:
            raise _word_encrypted()
        self._relationships: dict[str, tuple[Relationship, ...]] = {}
        super().__init__(data, limits)

    def _not_a_package(self) -> PackageError:
        return PackageError(
            "is not a Word document (.docx) even though it is named like one",
            "Ask the sender to open the form in Word or LibreOffice and save it as a Word "
            "Document (.docx).",
        )

    def _missing(self, part: str) -> PackageError:
        return PackageError(
            f"is missing a part Word needs ({part})",
            "Ask the sender to save the form again in Word or LibreOffice and resend it.",
        )

    def _encrypted(self) -> PackageError:
        return _word_encrypted()

    def _unsafe(self, part: str) -> PackageError:
        return PackageError(
            f"contains XML with a DOCTYPE or entity declarations ({part}), which Word "
            "never writes; it was not read, to keep your computer safe",
            "Ask the sender to copy the answers into a fresh copy of the form.",
        )

    # -- relationships and layout -------------------------------------------------------------

    def relationships(self, source: str) -> tuple[Relationship, ...]:
        """The relationships of part ``source`` ("" for the package itself), targets resolved."""
        known = self._relationships.get(source)
        if known is not None:
            return known
        folder, base = posixpath.split(source)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        found: list[Relationship] = []
        if self.has(rels_part):
            for rel in self.parse(rels_part).iter(f"{{{ns.RELATIONSHIPS}}}Relationship"):
                target = rel.get("Target") or ""
                external = rel.get("TargetMode") == "External"
                if not external:
                    target = posixpath.normpath(
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.join(folder, target)
                    )
                found.append(
                    Relationship(rel.get("Type") or "", target, rel.get("Id") or "", external)
                )
        result = self._relationships[source] = tuple(found)
        return result

    def _related(self, source: str, kind: str) -> list[str]:
        """Internal parts that ``source`` relates to by a type ending in ``/kind``."""
        out = []
        for rel in self.relationships(source):
            if not rel.external and rel.type.rsplit("/", 1)[-1] == kind and self.has(rel.target):
                out.append(self._members[rel.target.lower()].filename.lstrip("/"))
        return out

    def main_part(self) -> str:
        main = self._related("", "officeDocument")
        if main:
            return main[0]
        if self.has("word/document.xml"):
            return self._members["word/document.xml"].filename.lstrip("/")
        raise PackageError(
            "is not a Word document: it has no main document part",
            "Ask the sender to save the form as a Word Document (.docx) and resend it.",
        )

    def layout(self) -> Layout:
        main = self.main_part()
        stories: dict[str, None] = {}
        for kind in ns.STORY_RELATIONSHIPS:
            for part in self._related(main, kind):
                stories.setdefault(part, None)
        stories.pop(main, None)
        custom = self._related("", "custom-properties")
        core = self._related("", "core-properties")
        # Word links an attached template from the settings part (w:attachedTemplate); look
        # beside the main part too, where other producers may put it.
        attached = [
            rel.target
            for source in (main, *self._related(main, "settings"))
            for rel in self.relationships(source)
            if rel.type.rsplit("/", 1)[-1] == "attachedTemplate" and rel.external
        ]
        return Layout(
            main=main,
            stories=tuple(stories),
            custom=custom[0] if custom else self._existing("docProps/custom.xml"),
            core=core[0] if core else self._existing("docProps/core.xml"),
            macros=self._has_macros(),
            attached_template=attached[0] if attached else None,
        )

    def _existing(self, part: str) -> str | None:
        return self._members[part.lower()].filename.lstrip("/") if self.has(part) else None

    def _has_macros(self) -> bool:
        if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in self._members):
            return True
        if not self.has("[Content_Types].xml"):
            return False
        types = self.parse("[Content_Types].xml")
        return any(
            "macroEnabled" in (el.get("ContentType") or "")
            for el in types.iter(
                f"{{{ns.CONTENT_TYPES}}}Default", f"{{{ns.CONTENT_TYPES}}}Override"
            )
        )

    # -- properties ---------------------------------------------------------------------------

    def custom_properties(self, part: str | None) -> dict[str, str]:
        """The custom document properties in ``part`` by name, as text."""
        if part is None:
            return {}
        props: dict[str, str] = {}
        for prop in self.parse(part).iter(f"{{{ns.CUSTOM_PROPERTIES}}}property"):
            name = prop.get("name")
            if name and len(prop):
                props[name] = (prop[0].text or "").strip()
        return props

    def application(self) -> str:
        """The program that last saved the package, as it names itself in the extended
        properties (``docProps/app.xml``: "Microsoft Office Word", "LibreOffice/7.4.7.2$Linux..."),
        or "" when it does not say."""
        found = self._related("", "extended-properties")
        part = found[0] if found else self._existing("docProps/app.xml")
        if part is None:
            return ""
        name = self.parse(part).find(f"{{{ns.EXTENDED_PROPERTIES}}}Application")
        return (name.text or "").strip() if name is not None else ""

    def modified(self, part: str | None) -> dt.datetime | None:
        """When the document was last saved (``dcterms:modified``), if that says anything.

        Word and LibreOffice move the modified time on every save and keep the created time.
        A modified time no later than the created time is the generated form's own stamp, or
        a program that left the times alone: it says nothing about when the form came back,
        so None, and the caller uses the file's time instead.
        """
        if part is None:
            return None
        root = self.parse(part)
        times = {}
        for name in ("modified", "created"):
            found = root.find(f"{{{ns.DCTERMS}}}{name}")
            times[name] = w3c_time(found.text or "") if found is not None else None
        modified, created = times["modified"], times["created"]
        if modified is not None and created is not None and modified <= created:
            return None
        return modified


def w3c_time(text: str) -> dt.datetime | None:
    """A W3C date-time (as in core properties) as local time without a zone, or None."""
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
