"""Reading one returned Word form: its identity properties and every field, safely.

``read_form(path_or_bytes)`` opens the file as a ``WordPackage`` (bounded zip, hardened XML),
finds the main part and the stories beside it through the package's relationships, and reads
every field with ``mentordocs.ooxml.fields``; an OpenDocument text (.odt, whatever its name) is
read by ``mentordocs.odf`` instead. A file that cannot be used raises
``FormReadError``, whose ``message`` says what is wrong and ``fix`` what the coordinator can do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from mentordocs.errors import CollectError, FileError
from mentordocs.odf import is_opendocument, read_odt
from mentordocs.ooxml import ns
from mentordocs.ooxml.fields import Beside, Field, read_fields, shown_text
from mentordocs.ooxml.package import DEFAULT_LIMITS, PackageError, ReadLimits, WordPackage
from mentordocs.ooxml.revisions import StrayText, accept_all
from mentordocs.ooxml.xml import is_strict

if TYPE_CHECKING:
    from mentordocs.collect.matching import Matched

__all__ = [
    "FormReadError",
    "FormReading",
    "read_file",
    "read_form",
    "read_form_bytes",
    "read_return",
]

#: A file bigger than this is not read at all (a form is a few hundred KB; with photos, MBs).
MAX_FILE_BYTES = 200 * 1024 * 1024


class FormReadError(FileError, CollectError):
    "One file cannot be read as a returned form; ``fix`` says what the coordinator can do."


@dataclass
class FormReading:
    """What one Word file holds: identity properties, fields in document order, flags."""

    name: str  # as shown to the coordinator, e.g. "reply.eml > P03_goal-sheet.docx"
    sha256: str
    size: int
    main_part: str
    # A field still marked as showing its placeholder keeps the text it shows (``placeholder``
    # true): LibreOffice 7.4 keeps the mark on a box typed into, so whether that text is the
    # prompt or an answer is told against the pair's own form (``matching``).
    fields: list[Field]
    properties: dict[str, str] = field(default_factory=dict)
    modified: dt.datetime | None = None  # docProps/core.xml dcterms:modified
    file_time: dt.datetime | None = None  # file mtime, or the email's Date
    macros: bool = False
    strict: bool = False
    attached_template: str | None = None  # an external template (a remote one can run code)
    format: str = "docx"  # what it came back as: "docx", "odt", "pdf", "pdf (printed)"
    # Answers recovered from a printed PDF's text: for review only, never proven.
    recovered: list[Recovered] = field(default_factory=list)
    # The questions whose answers could not be found in a printed PDF's text (their labels).
    unlocated: list[str] = field(default_factory=list)
    # Text typed (with Track Changes on) outside every field: no field's value, for review.
    stray: list[StrayText] = field(default_factory=list)
    # Text shown beside fields, in their paragraphs (Word files): the form's own (a check box's
    # label) or typed there instead of in the box; told apart against the form's template.
    beside: list[Beside] = field(default_factory=list)
    # Parts that were not well-formed XML, read as far as they go: nothing in them is proof.
    damaged: list[str] = field(default_factory=list)
    # The fields matched to the declaration where the file was read, when every field kept
    # its tag (then ``fields`` is left empty, so less travels back from a worker process).
    matched: Matched | None = None
    # What its headers and footers show, read when the properties do not say the pair: the
    # forms' footers name it ("Pair P03 · Goal sheet").
    shown: str = ""

    @property
    def program(self) -> str:
        return self.properties.get(ns.PROP_PROGRAM, "")

    @property
    def pair_id(self) -> str:
        return self.properties.get(ns.PROP_PAIR, "")

    @property
    def form(self) -> str:
        return self.properties.get(ns.PROP_FORM, "")

    @property
    def template_version(self) -> str:
        return self.properties.get(ns.PROP_VERSION, "")

    @property
    def when(self) -> dt.datetime | None:
        """When it was last saved: the document's own time, else the file's."""
        return self.modified or self.file_time


@dataclass(frozen=True)
class Recovered:
    """An answer read from a PDF that does not prove which question it answers: from its
    printed text (where it seems to be), or from one of its form fields without a name."""

    field_id: str  # the field whose printed label it follows
    label: str  # that label, as printed
    text: str  # what was printed
    sure: str  # "likely" or "unsure"
    reason: str = ""
    source: str = "text"  # "text", or "field": a form field of the PDF


def read_form(
    source: str | os.PathLike[str] | bytes,
    name: str | None = None,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    file_time: dt.datetime | None = None,
) -> FormReading:
    """Read one Word form (path or bytes). Raises FormReadError saying why it cannot be used."""
    if isinstance(source, bytes):
        return read_form_bytes(source, name or "form.docx", limits=limits, file_time=file_time)
    data, mtime = read_file(source)
    if file_time is None:
        file_time = dt.datetime.fromtimestamp(mtime)
    return read_form_bytes(
        data, name or os.path.basename(source), limits=limits, file_time=file_time
    )


def read_file(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> tuple[bytes, float]:
    """A file's bytes and modification time; a file over ``limit`` bytes is not read."""
    try:
        with open(path, "rb") as fh:
            status = os.fstat(fh.fileno())
            if status.st_size > limit:
                raise FormReadError(
                    f"is {status.st_size / 1024 / 1024:,.0f} MB, far larger than any form; "
                    "it was not read",
                    "Check what the file is. If it is a form with many large pictures, ask the "
                    "sender to remove the pictures and send it again.",
                )
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FormReadError(
            f"could not be opened ({exc.strerror or exc})",
            "Check the file still exists and you may read it.",
        ) from exc
    if len(data) > limit:
        raise FormReadError("grew while it was being read; it was not read", "Collect again.")
    return data, status.st_mtime


def read_form_bytes(
    data: bytes,
    name: str,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    file_time: dt.datetime | None = None,
    sha256: str | None = None,
) -> FormReading:
    """Read a Word form held in memory (``name`` is how it is shown in messages)."""
    if is_opendocument(data):  # an .odt; another kind is refused, saying what it is
        return _read_odt_form(data, name, limits, file_time, sha256)
    try:
        with WordPackage(data, limits) as package:
            layout = package.layout()
            raw_main = package.read(layout.main)
            stray: list[StrayText] = []
            damaged: list[str] = []
            main = accept_all(_parse(package, layout.main, raw_main, damaged), stray)
            beside: list[Beside] = []
            fields = read_fields(main, unnamed=True, placeholder_text=True, beside=beside)
            properties = package.custom_properties(layout.custom)
            shown: list[str] = []
            for part in layout.stories:
                root = accept_all(_parse(package, part, None, damaged), stray)
                fields.extend(read_fields(root, unnamed=True, placeholder_text=True, beside=beside))
                if ns.PROP_PAIR not in properties:
                    shown.append(shown_text(root))
            modified = package.modified(layout.core)
    except PackageError as exc:
        raise FormReadError(exc.message, exc.fix) from exc
    return FormReading(
        name=name,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=len(data),
        main_part=layout.main,
        fields=fields,
        properties=properties,
        modified=modified,
        file_time=file_time,
        macros=layout.macros or name.lower().endswith(".docm"),
        strict=is_strict(raw_main),
        attached_template=layout.attached_template,
        stray=stray,
        beside=beside,
        damaged=damaged,
        shown=" ".join(shown),
    )


def _parse(
    package: WordPackage, part: str, data: bytes | None, damaged: list[str]
) -> etree._Element:
    """A story part; one that is not well-formed XML is read as far as it goes and named in
    ``damaged`` (its fields then prove nothing: they are for review)."""
    try:
        return package.parse(part, data)
    except PackageError as exc:
        if not exc.damaged_xml:
            raise
        damaged.append(part)
        return package.parse(part, data, recover=True)


def read_return(
    data: bytes,
    name: str,
    kind: str,
    *,
    file_time: dt.datetime | None = None,
    sha256: str | None = None,
) -> FormReading:
    """Read a Word or OpenDocument return. Raises FormReadError.

    The two are told apart by their content, not by ``kind`` (a form renamed .docx that is an
    .odt is still read). PDFs are read by ``collect.pdf`` (their printed answers are located
    against the pair's own form).
    """
    if kind not in ("docx", "odt"):
        raise ValueError(f"read_return reads Word and OpenDocument files, not {kind!r}")
    return read_form_bytes(data, name, file_time=file_time, sha256=sha256)


def _read_odt_form(
    data: bytes,
    name: str,
    limits: ReadLimits,
    file_time: dt.datetime | None,
    sha256: str | None,
) -> FormReading:
    """An OpenDocument text (a form saved from LibreOffice as .odt) read like a Word form.

    LibreOffice 7.4 and older keep no field's name in an .odt (and drop filled plain-text
    fields altogether, leaving their text in the paragraph): a form without the bookmarks our
    templates put in every field would lose those answers, so it is refused, saying why.
    """
    try:
        document = read_odt(
            data, limits, field_of_bookmark=ns.anchor_field_id, placeholder_text=True
        )
    except PackageError as exc:
        raise FormReadError(exc.message, exc.fix) from exc
    nameless = sum(1 for item in document.fields if not item.id and not item.anchor)
    if nameless:
        raise FormReadError(
            f"was saved as .odt by a LibreOffice that removes the names of the form's fields "
            f"({nameless} of {len(document.fields)} have none; LibreOffice 7.4 and older do "
            "this), so its answers cannot be matched to their questions safely and were not read",
            "Open it and copy the answers into the tracking workbook by hand, or ask the sender "
            "to fill in the .docx form they were sent and save it as a Word Document (.docx), "
            "or to use LibreOffice 7.5 or later.",
        )
    return FormReading(
        name=name,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=len(data),
        main_part=document.main_part,
        fields=document.fields,
        properties=document.properties,
        modified=document.modified,
        file_time=file_time,
        macros=document.macros,
        format="odt",
    )
