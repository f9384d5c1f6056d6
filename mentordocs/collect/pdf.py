"""Reading a form returned as a PDF: its form fields, which form it is, answers in its text.

A form comes back as a PDF in one of three ways, each telling less than the one before:

- **exported with form fields** (LibreOffice 25.2 with its ``ExportFormFields`` option): one
  field per content control, whose ``/TU`` (the field's tooltip, which LibreOffice fills from the
  control's alias) is our field id. Each is read as a ``Field`` with source ``"alias"``, as a
  Word form's controls are. A field without a usable ``/TU`` is counted, never guessed (its
  ``/T`` is only a position: ``Widget``, ``_2``, ...);
- **exported without fields** (LibreOffice 7.4, or 25.2 without the option; other programs'
  exports were not measured), or **printed to PDF**: the answers are words on a page. They
  never become answers.
  Where the words between the form's labels can be located they become ``ReviewItem``s, each
  saying how sure the reading is, for the coordinator to confirm;
- either way the file is **identified**: program, pair and form come from the Word file's
  custom properties when the PDF carries them (``mentordocs.*`` in the document information
  or XMP), else from the document information LibreOffice copies from the .docx (title
  "Goal sheet · Pair P03", subject the program, keywords "mentordocs, goal-sheet, 1.0"),
  else from the printed text (the form's title, "Pair P03", the program's name). ``Identity``
  says where each came from.

Locating answers in text needs the form's labels as the form shows them, in document order
(``ShownLabel``): the declared labels in the .json are not what the page prints. The best
labels are all the text a clean copy of the same form shows between one field and the next;
``labels_from_fields`` makes them from a reference copy's ``Field.before``.

A file that cannot be read raises ``PdfError`` (a ``FormReadError``: ``message`` says what is
wrong, ``fix`` what to ask the sender). The work is bounded (``PdfLimits``: bytes, pages,
fields, text), on top of pypdf's own limits on decompression and parsing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import re
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from mentordocs.collect.reading import FormReadError, FormReading
from mentordocs.forms import FormSpec
from mentordocs.ooxml import ns
from mentordocs.ooxml.fields import Field

__all__ = [
    "DOCUMENT_INFORMATION",
    "LIKELY",
    "PROPERTIES",
    "TEXT",
    "UNSURE",
    "Found",
    "Identity",
    "FormLabels",
    "LabelSource",
    "PdfError",
    "PdfLimits",
    "PdfReading",
    "ReviewItem",
    "ShownLabel",
    "labels_from_fields",
    "read_pdf",
]

#: Where an identity clue was found (``Found.source``).
PROPERTIES = "properties"  # the .docx custom properties, carried into the PDF
DOCUMENT_INFORMATION = "document information"  # the .docx title, subject and keywords
TEXT = "text"  # printed on the page

#: How sure a review item is (``ReviewItem.sure``).
LIKELY = "likely"  # both labels around it found where expected, and it reads as its kind
UNSURE = "unsure"  # found, but something about it is doubtful: ``ReviewItem.reason`` says what

_PROPERTY_NAMES = (ns.PROP_PROGRAM, ns.PROP_PAIR, ns.PROP_FORM, ns.PROP_VERSION)
_TICKED = frozenset("☒☑✓✔✗✘■▣⊠")
_UNTICKED = frozenset("☐□")
# pypdf raises its own errors for most damage, but a hostile file reaches plain Python errors
# deep inside the parser too; every one of these means "this file cannot be read".
_DAMAGE = (
    PyPdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    OverflowError,
    UnicodeError,
    zlib.error,
)


@dataclass(frozen=True)
class PdfLimits:
    """How much of a PDF is read at most: a form is a few pages of a few hundred KB."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 200
    max_fields: int = 10_000
    max_field_depth: int = 20
    max_text_chars: int = 2_000_000
    max_seconds: float = 120.0  # for reading the pages' text (pypdf bounds each stream)


DEFAULT_PDF_LIMITS = PdfLimits()


class PdfError(FormReadError):
    """A PDF that cannot be read. ``reason``: "too large", "damaged", "encrypted",
    "too many pages", "too complex"."""

    def __init__(self, reason: str, message: str, fix: str = ""):
        super().__init__(message, fix)
        self.reason = reason


class ShownLabel(NamedTuple):
    """A field and the text the form shows before it (its label), in document order.

    ``label`` is best when it is all the text between the previous field and this one
    (headings, notes, the label and its hint): then an answer's end is found as exactly as its
    start. '' means the field sits right after the previous one (two answer columns side by
    side): both are read as one stretch of text. A last entry with ``field_id`` '' holds the
    text after the last field. ``placeholder`` is the prompt the field shows when left blank.
    """

    field_id: str
    label: str
    placeholder: str = ""


@dataclass(frozen=True)
class FormLabels:
    """The shown labels of one pair's copy of a form, in document order.

    ``complete``: each label is all the text between the previous field and its own, and a
    last entry (``field_id`` '') holds the text after the last field. Then an answer ends
    exactly where the next label begins, and a free-text answer can be LIKELY. Without it
    (only each field's own label known) text the form prints after an answer (a heading, a
    note) cannot be told from the answer, so free-text answers are always UNSURE.
    """

    labels: Sequence[ShownLabel]
    complete: bool = False


#: Given (pair id, form id): the labels of that pair's copy of the form, or None.
LabelSource = Callable[[str, str], FormLabels | None]


class Found(NamedTuple):
    """One identity clue: its value and where it was found (PROPERTIES, DOCUMENT_INFORMATION
    or TEXT)."""

    value: str
    source: str


@dataclass(frozen=True)
class Identity:
    """Which program, pair and form a PDF is, each with where it was found (None: not found).

    ``conflicts`` lists clues that disagreed (then the value is left out: not proven)."""

    program: Found | None = None
    pair_id: Found | None = None
    form: Found | None = None
    template_version: Found | None = None
    conflicts: tuple[str, ...] = ()

    def properties(self) -> dict[str, str]:
        """The clues found as the custom properties a Word form carries."""
        clues = (self.program, self.pair_id, self.form, self.template_version)
        pairs = zip(_PROPERTY_NAMES, clues, strict=True)
        return {name: found.value for name, found in pairs if found is not None}


class ReviewItem(NamedTuple):
    """An answer read from a PDF's text, for the coordinator to confirm: never an answer.

    ``field_id`` is the field the text suggests (the first of ``shared_with`` too, when the
    answers of several fields could not be told apart); ``label`` its declared label;
    ``text`` what the page shows, line by line; ``value`` the suggested answer (``bool`` for a
    checkbox): for free text the printed lines joined, a space where a line was wrapped at a
    space, a line break where it may have been typed (or a long word broken: a page cannot
    tell), tabs as the spaces the page shows. ``sure`` is LIKELY or UNSURE, ``reason`` says
    why not LIKELY; ``page`` where it starts (1-based); ``source`` "text", or "field" for a
    form field whose id is proven but whose value is not, or whose id is not proven (no
    ``/TU`` naming a field: ``field_id`` '', ``label`` the field's own ``/T``).
    """

    field_id: str
    label: str
    text: str
    value: str | bool
    sure: str
    reason: str = ""
    page: int = 0
    shared_with: tuple[str, ...] = ()
    source: str = "text"


@dataclass
class PdfReading:
    """What one PDF gives: fields proven by ``/TU``, identity, review items from its text."""

    name: str
    sha256: str
    size: int
    pages: int
    producer: str  # the document information's /Producer ("LibreOffice 25.2.3.2 ...")
    with_fields: bool  # it has form fields (whether or not their names are usable)
    fields: list[Field]  # fields whose /TU is a field id, in document order
    unnamed_fields: int  # fields without a usable /TU: not guessed
    properties: dict[str, str]  # mentordocs.* custom properties carried into the PDF, exactly
    info: dict[str, str]  # the document information (/Title, /Subject, /Keywords, ...)
    identity: Identity
    review: list[ReviewItem] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)  # field ids not located in the text
    labels_used: bool = False  # whether shown labels were available for the form
    modified: dt.datetime | None = None

    def form_reading(self, file_time: dt.datetime | None = None) -> FormReading:
        """This PDF as a ``FormReading``: its proven fields, and as its properties the identity
        (what ``identity.conflicts`` left out stays out, even a custom property)."""
        return FormReading(
            name=self.name,
            sha256=self.sha256,
            size=self.size,
            main_part="",
            fields=list(self.fields),
            properties=self.identity.properties(),
            modified=self.modified,
            file_time=file_time,
        )


def labels_from_fields(fields: Iterable[Field], *, complete: bool = False) -> FormLabels:
    """Shown labels from a clean copy's fields: ``Field.before`` and the placeholder each shows
    (read with ``placeholder_text=True``). ``complete`` when ``before`` holds all the text since
    the previous field (see ``FormLabels``)."""
    labels = [
        ShownLabel(f.id, f.before, f.value if f.placeholder and isinstance(f.value, str) else "")
        for f in fields
        if f.id
    ]
    return FormLabels(labels, complete)


def read_pdf(
    data: bytes,
    name: str,
    specs: Mapping[str, FormSpec],
    *,
    program: str = "",
    pair_ids: Iterable[str] = (),
    labels: LabelSource | None = None,
    limits: PdfLimits = DEFAULT_PDF_LIMITS,
) -> PdfReading:
    """Read a returned form sent as a PDF. Raises PdfError saying why it cannot be used.

    ``specs`` are the program's forms; ``program`` (its name) and ``pair_ids`` (the roster's
    pairs) let the printed text be recognised; ``labels`` gives the shown labels of a pair's
    form, for answers in a PDF without form fields to be located.
    """
    if len(data) > limits.max_bytes:
        raise PdfError(
            "too large",
            f"is a PDF of {len(data) / 1024 / 1024:,.0f} MB, far larger than any form; it was "
            "not read",
            "Check what the file is; ask the sender for the Word file instead.",
        )
    reader = _open(data)
    try:
        pages = len(reader.pages)
        if pages > limits.max_pages:
            raise PdfError(
                "too many pages",
                f"is a PDF of {pages} pages, more than any form has; it was not read",
                "Check what the file is; ask the sender for the Word file instead.",
            )
        info, properties = _metadata(reader)
        modified = _modified(reader)
        fields, unnamed, with_fields, field_review = _form_fields(reader, limits)
        text = _read_text(reader, limits)
    except PdfError:
        raise
    except _DAMAGE as exc:
        raise _damaged(exc) from exc
    identity = _identify(info, properties, text, specs, program, list(pair_ids))
    reading = PdfReading(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=pages,
        producer=info.get("/Producer", ""),
        with_fields=with_fields,
        fields=fields,
        unnamed_fields=unnamed,
        properties=properties,
        info=info,
        identity=identity,
        review=field_review,
        modified=modified,
    )
    spec = specs.get(identity.form.value) if identity.form else None
    if spec is not None:
        reading.review = [
            item._replace(label=_label(spec, item.field_id)) if item.field_id else item
            for item in field_review
        ]
    shown = _labels_for(labels, identity, spec)
    if spec is not None and shown is not None and shown.labels and not fields:
        reading.labels_used = True
        items, unlocated = _recover(text, shown, spec)
        reading.review.extend(items)
        reading.unlocated = unlocated
    return reading


def _labels_for(
    labels: LabelSource | None, identity: Identity, spec: FormSpec | None
) -> FormLabels | None:
    if labels is None or spec is None or identity.pair_id is None:
        return None
    return labels(identity.pair_id.value, spec.form)


# ---- opening ----------------------------------------------------------------------------------


def _open(data: bytes) -> PdfReader:
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF-" not in data[:1024]:
        raise PdfError(
            "damaged",
            "is not a PDF (it does not start as one does), so it could not be read",
            "Check what the file is; ask the sender to export the form as PDF again, or to "
            "send the Word file.",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _decrypted(reader):
            raise PdfError(
                "encrypted",
                "is a PDF protected with a password, so its contents could not be read",
                "Ask the sender to send it again without a password (in LibreOffice: File > "
                "Export as PDF, Security tab; in Word: untick 'Encrypt the document with a "
                "password'), or to send the Word file.",
            )
    except PdfError:
        raise
    except _DAMAGE as exc:
        raise _damaged(exc) from exc
    return reader


def _decrypted(reader: PdfReader) -> bool:
    """Open a PDF protected only against changes (the empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except (FileNotDecryptedError, NotImplementedError):
        return False
    except DependencyError as exc:
        raise PdfError(
            "encrypted",
            f"is an encrypted PDF that cannot be opened here ({exc})",
            "Ask the sender to send it again without a password or protection, or to send the "
            "Word file.",
        ) from exc


def _damaged(exc: BaseException) -> PdfError:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return PdfError(
        "damaged",
        f"is a damaged PDF that could not be read ({detail})",
        "Ask the sender to export the form as PDF again (or to send the Word file); a "
        "half-downloaded attachment gives this too.",
    )


# ---- document information and XMP ---------------------------------------------------------


def _metadata(reader: PdfReader) -> tuple[dict[str, str], dict[str, str]]:
    """(document information as text, mentordocs.* custom properties found in it or XMP)."""
    info: dict[str, str] = {}
    raw = reader.metadata
    if raw is not None:
        for key, value in list(raw.items())[:200]:
            resolved = value.get_object() if isinstance(value, IndirectObject) else value
            if isinstance(resolved, str):
                info[str(key)] = str(resolved)[:2000]
    properties = {
        prop: info["/" + prop].strip() for prop in _PROPERTY_NAMES if info.get("/" + prop, "")
    }
    try:
        xmp = reader.xmp_metadata
        custom = xmp.custom_properties if xmp is not None else {}
    except _DAMAGE:
        custom = {}  # a broken XMP packet: the document information still counts
    for prop in _PROPERTY_NAMES:
        value = custom.get(prop)
        if isinstance(value, str) and value.strip() and prop not in properties:
            properties[prop] = value.strip()
    return info, properties


def _modified(reader: PdfReader) -> dt.datetime | None:
    """When the PDF was last changed (else made), as local time without a zone, from the
    document information as pypdf reads it."""
    metadata = reader.metadata
    if metadata is None:
        return None
    try:
        moment = metadata.modification_date or metadata.creation_date
    except (ValueError, PyPdfError):  # a date pypdf cannot read says nothing
        return None
    if moment is not None and moment.tzinfo is not None:
        try:
            moment = moment.astimezone().replace(tzinfo=None)
        except (OverflowError, ValueError, OSError):  # out of range: says nothing
            return None
    return moment


# ---- form fields ------------------------------------------------------------------------------

_ID = re.compile(r"[a-z0-9_]{1,200}\Z")
_INHERITED = ("/FT", "/Ff", "/V", "/Opt", "/AA")
_PUSHBUTTON, _RADIO, _EDIT = 1 << 16, 1 << 15, 1 << 18


def _form_fields(
    reader: PdfReader, limits: PdfLimits
) -> tuple[list[Field], int, bool, list[ReviewItem]]:
    """(fields named by /TU, how many without, whether it has fields, review items)."""
    root = _resolve(reader.trailer.get("/Root"))
    form = _resolve(root.get("/AcroForm")) if isinstance(root, DictionaryObject) else None
    top = _resolve(form.get("/Fields")) if isinstance(form, DictionaryObject) else None
    if not isinstance(top, ArrayObject):
        return [], 0, False, []
    terminals: list[tuple[DictionaryObject, dict[str, PdfObject]]] = []
    _walk(top, {}, terminals, set(), 0, limits)
    fields: list[Field] = []
    review: list[ReviewItem] = []
    unnamed = 0
    for node, inherited in terminals:
        tu = node.get("/TU")
        field_id = str(tu).strip() if isinstance(tu, str) else ""
        item = _field_value(node, inherited)
        if item is None:
            continue  # a push button or signature: not an answer
        kind, value, placeholder, doubt = item
        if not _ID.match(field_id):
            unnamed += 1
            if value is True or (isinstance(value, str) and value.strip()):
                shown = "ticked" if value is True else str(value)
                partial = node.get("/T")
                review.append(
                    ReviewItem(
                        "",
                        str(partial) if isinstance(partial, str) else "",
                        shown,
                        shown,
                        UNSURE,
                        "a field of the PDF with no name saying which question it answers",
                        source="field",
                    )
                )
            continue
        if doubt:
            review.append(
                ReviewItem(field_id, field_id, str(value), True, UNSURE, doubt, source="field")
            )
            continue
        fields.append(
            Field(field_id, kind, value, alias=field_id, source="alias", placeholder=placeholder)
        )
    return fields, unnamed, bool(terminals), review


def _resolve(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _walk(
    kids: ArrayObject,
    inherited: dict[str, PdfObject],
    out: list[tuple[DictionaryObject, dict[str, PdfObject]]],
    seen: set[object],
    depth: int,
    limits: PdfLimits,
) -> None:
    """Terminal fields under ``kids``, with the attributes they inherit; bounded."""
    if depth > limits.max_field_depth:
        raise PdfError(
            "too complex",
            f"has form fields nested more than {limits.max_field_depth} deep; it was not read",
            "Ask the sender to export the form as PDF again, or to send the Word file.",
        )
    for kid in kids:
        node = _resolve(kid)
        key = (kid.idnum, kid.generation) if isinstance(kid, IndirectObject) else id(node)
        if not isinstance(node, DictionaryObject) or key in seen:
            continue
        seen.add(key)
        if len(seen) > limits.max_fields:
            raise PdfError(
                "too complex",
                f"has more than {limits.max_fields:,} form fields, far more than any form; it "
                "was not read",
                "Ask the sender to export the form as PDF again, or to send the Word file.",
            )
        here = dict(inherited)
        here.update({name: node[name] for name in _INHERITED if name in node})
        children = _resolve(node.get("/Kids"))
        if isinstance(children, ArrayObject) and any(_is_named(c) for c in children):
            _walk(children, here, out, seen, depth + 1, limits)
        else:
            out.append((node, here))


def _is_named(kid: object) -> bool:
    """A kid that is a field (has a name), not only a widget of its parent."""
    node = _resolve(kid)
    return isinstance(node, DictionaryObject) and "/T" in node


def _field_value(
    node: DictionaryObject, inherited: Mapping[str, PdfObject]
) -> tuple[str, str | bool, bool, str] | None:
    """(kind, value, showing a placeholder, doubt) of a terminal field; None: not an answer."""
    found = _resolve(inherited.get("/FT"))
    kind = str(found) if isinstance(found, NameObject) else ""
    flags = _integer(inherited.get("/Ff"))
    value = _resolve(inherited.get("/V"))
    if kind == "/Tx":
        text = str(value) if isinstance(value, str) else ""
        return ("date" if _formats_a_date(inherited) else "text"), text, False, ""
    if kind == "/Btn":
        if flags & _PUSHBUTTON:
            return None
        state = value if isinstance(value, NameObject) else _resolve(node.get("/AS"))
        name = str(state)[1:] if isinstance(state, NameObject) else "Off"
        if flags & _RADIO:
            return "dropdown", "" if name == "Off" else name, False, ""
        if name in _UNTICKED:
            # LibreOffice names an unticked box's two states "☐" and "☒": a viewer that ticks
            # it may store either, so "☐" does not say which the person meant.
            return "checkbox", True, False, f"the box's state is named {name!r}: ticked or not?"
        return "checkbox", name != "Off", False, ""
    if kind == "/Ch":
        options = _options(_resolve(inherited.get("/Opt")))
        chosen = [str(v) for v in (value if isinstance(value, ArrayObject) else [value])]
        chosen = [v for v in chosen if isinstance(v, str) and v and v != "None"]
        shown = [options.get(v, v) for v in chosen]
        if options and chosen and not flags & _EDIT and not set(shown) <= set(options.values()):
            return "dropdown", "", True, ""  # the prompt ("Choose one"), not a choice
        return "dropdown", "; ".join(shown), False, ""
    return None  # a signature field, or no kind at all


def _integer(value: object) -> int:
    value = _resolve(value)
    return int(value) if isinstance(value, int) else 0


def _options(value: object) -> dict[str, str]:
    """A choice field's /Opt: export value -> text shown."""
    out: dict[str, str] = {}
    if not isinstance(value, ArrayObject):
        return out
    for item in list(value)[:1000]:
        item = _resolve(item)
        if isinstance(item, ArrayObject) and len(item) == 2:
            export, shown = _resolve(item[0]), _resolve(item[1])
            if isinstance(export, str) and isinstance(shown, str):
                out[str(export)] = str(shown)
        elif isinstance(item, str):
            out[str(item)] = str(item)
    return out


def _formats_a_date(inherited: Mapping[str, PdfObject]) -> bool:
    """LibreOffice gives a date control's field a date format action (AFDate_FormatEx)."""
    actions = _resolve(inherited.get("/AA"))
    if not isinstance(actions, DictionaryObject):
        return False
    for key in ("/F", "/K"):
        action = _resolve(actions.get(key))
        script = _resolve(action.get("/JS")) if isinstance(action, DictionaryObject) else None
        if isinstance(script, str) and "AFDate_" in script:
            return True
    return False


# ---- the pages' text -------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_PAGE_NUMBER = re.compile(r"(page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?", re.IGNORECASE)


class _Text:
    """The pages' text: ``lines`` as printed (identity), ``text`` without running headers and
    footers (answers), its words (normalised) with where each starts and ends."""

    def __init__(self, pages: list[list[str]]):
        self.lines = [line for page in pages for line in page]
        running = _running_lines(pages)
        parts: list[str] = []
        self.page_starts: list[int] = []
        offset = 0
        for page in pages:
            self.page_starts.append(offset)
            kept = [
                line
                for index, line in enumerate(page)
                if not (
                    (index == 0 or index == len(page) - 1)
                    and (_shape(line) in running or _PAGE_NUMBER.fullmatch(line.strip()))
                )
            ]
            chunk = "\n".join(kept) + "\n"
            parts.append(chunk)
            offset += len(chunk)
        self.text = "".join(parts)
        self.words: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.line_start: list[bool] = []
        self.index: dict[str, list[int]] = {}
        previous_end = 0
        for match in _WORD.finditer(self.text):
            word = _norm(match.group())
            # Nothing but spaces and punctuation lies between two words: a word begins a line
            # when a line break does.
            first = not self.words or "\n" in self.text[previous_end : match.start()]
            self.index.setdefault(word, []).append(len(self.words))
            self.words.append(word)
            self.starts.append(match.start())
            self.ends.append(match.end())
            self.line_start.append(first)
            previous_end = match.end()

    def page_of(self, offset: int) -> int:
        return bisect.bisect_right(self.page_starts, offset)

    def find(self, words: Sequence[str], cursor: int) -> int | None:
        """The first place from word ``cursor`` where ``words`` follow each other; fewer than
        three words only where they begin a line (a short label is not matched mid-sentence)."""
        if not words:
            return None
        positions = self.index.get(words[0], [])
        for pos in positions[bisect.bisect_left(positions, cursor) :]:
            if self.words[pos : pos + len(words)] == list(words) and (
                len(words) >= 3 or self.line_start[pos]
            ):
                return pos
        return None


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


def _words(text: str) -> list[str]:
    return [_norm(m.group()) for m in _WORD.finditer(unicodedata.normalize("NFC", text))]


def _shape(line: str) -> str:
    """A line with its numbers blanked: the same on every page for a running footer."""
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Shapes of lines printed first or last on every page (a running header or footer).

    Every page, not most: a heading that starts each page after the first ("Goal 2", "Goal
    3") or an answer's last line that happens to end several pages must stay."""
    if len(pages) < 2:
        return set()
    shapes = [{_shape(line) for line in page[:1] + page[-1:] if line.strip()} for page in pages]
    return set.intersection(*shapes)


def _read_text(reader: PdfReader, limits: PdfLimits) -> _Text:
    """Every page's text lines, within the limits (time, characters)."""
    started = time.monotonic()
    pages: list[list[str]] = []
    total = 0
    for page in reader.pages:
        text = unicodedata.normalize("NFC", page.extract_text() or "")
        total += len(text)
        if total > limits.max_text_chars or time.monotonic() - started > limits.max_seconds:
            raise PdfError(
                "too complex",
                "holds far more text than any form (or text too slow to read); it was not read",
                "Check what the file is; ask the sender for the Word file instead.",
            )
        pages.append(text.splitlines())
    return _Text(pages)


# ---- identity ---------------------------------------------------------------------------------

_PAIR = re.compile(r"\bPair(?:\s+ID)?\s*[:#]?\s+([A-Za-z0-9](?:[A-Za-z0-9_.\-]*[A-Za-z0-9])?)")
_VERSION = re.compile(r"\d+(\.\d+)*([+\-][\w.]+)?\Z")
_KEYS = ("program", "pair_id", "form", "template_version")


def _identify(
    info: Mapping[str, str],
    properties: Mapping[str, str],
    text: _Text,
    specs: Mapping[str, FormSpec],
    program: str,
    pair_ids: Sequence[str],
) -> Identity:
    """Program, pair and form from the custom properties, else the document information,
    else the printed text. Clues that disagree leave the value out and say so."""
    clues: dict[str, list[Found]] = {key: [] for key in _KEYS}
    for key, prop in zip(_KEYS, _PROPERTY_NAMES, strict=True):
        if properties.get(prop):
            clues[key].append(Found(properties[prop], PROPERTIES))
    for key, value in _from_information(info, specs, program, pair_ids).items():
        clues[key].append(Found(value, DOCUMENT_INFORMATION))
    for key, value in _from_text(text, specs, program, pair_ids).items():
        clues[key].append(Found(value, TEXT))
    chosen: dict[str, Found | None] = {}
    conflicts: list[str] = []
    for key, found in clues.items():
        values = {_folded(f.value) for f in found}
        if key == "template_version":  # the keywords hold "1.0" where the property has "1.0+hash"
            values = {value.split("+")[0] for value in values}
        if len(values) > 1:
            listing = "; ".join(f"{f.source}: {f.value!r}" for f in found)
            conflicts.append(f"{key.replace('_', ' ')} is not the same everywhere ({listing})")
        chosen[key] = found[0] if found and len(values) == 1 else None
    return Identity(
        program=chosen["program"],
        pair_id=chosen["pair_id"],
        form=chosen["form"],
        template_version=chosen["template_version"],
        conflicts=tuple(conflicts),
    )


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pair_in(text: str, pair_ids: Sequence[str]) -> set[str]:
    """Pair ids written as "Pair P03": the roster's spelling when ``pair_ids`` are given (then
    only those), else any that holds a digit."""
    known = {_folded(p): p for p in pair_ids}
    found: set[str] = set()
    for match in _PAIR.finditer(text):
        candidate = match.group(1)
        if known:
            if _folded(candidate) in known:
                found.add(known[_folded(candidate)])
        elif any(ch.isdigit() for ch in candidate):
            found.add(candidate)
    return found


def _from_information(
    info: Mapping[str, str], specs: Mapping[str, FormSpec], program: str, pair_ids: Sequence[str]
) -> dict[str, str]:
    """What the .docx title, subject and keywords say, for a form of ours: LibreOffice copies
    them as the PDF's /Title ("Goal sheet · Pair P03"), /Subject (the program) and /Keywords
    ("mentordocs, goal-sheet, 1.0")."""
    words = [w for w in re.split(r"[,;\s]+", info.get("/Keywords", "")) if w]
    if "mentordocs" not in (w.casefold() for w in words):
        return {}
    out: dict[str, str] = {}
    forms = [index for index, word in enumerate(words) if word in specs]
    if len({words[i] for i in forms}) == 1:
        out["form"] = words[forms[0]]
        after = words[forms[0] + 1] if forms[0] + 1 < len(words) else ""
        if _VERSION.match(after):
            out["template_version"] = after
    pairs = _pair_in(info.get("/Title", ""), pair_ids)
    if len(pairs) == 1:
        out["pair_id"] = pairs.pop()
    subject = " ".join(info.get("/Subject", "").split())
    if subject:
        out["program"] = program if program and _folded(subject) == _folded(program) else subject
    return out


def _from_text(
    text: _Text, specs: Mapping[str, FormSpec], program: str, pair_ids: Sequence[str]
) -> dict[str, str]:
    """What the printed text says: the form's title as a line of its own (or a part of one
    between " · "), "Pair P03", the program's name."""
    out: dict[str, str] = {}
    titles = {_folded(spec.title): form for form, spec in specs.items()}
    forms: set[str] = set()
    pairs: set[str] = set()
    for line in text.lines:
        for part in re.split(r"\s+[·|•]\s+", line):
            part = re.sub(r"\s+page\s+\d+\s+of\s+\d+\s*$", "", part, flags=re.IGNORECASE)
            form = titles.get(_folded(part))
            if form:
                forms.add(form)
        pairs |= _pair_in(line, pair_ids)
    if len(forms) == 1:
        out["form"] = forms.pop()
    if len(pairs) == 1:
        out["pair_id"] = pairs.pop()
    if program and _folded(program) in _folded(" ".join(text.lines)):
        out["program"] = program
    return out


# ---- answers in the text ----------------------------------------------------------------------

#: Kinds whose answer shows where it ends: one box, one date, one of the choices.
_DELIMITED = frozenset(("checkbox", "date", "dropdown"))
_HEAD = 6  # words of a label matched at its start, and again at its end
_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}|[^\W\d_]{3,}\.?\s+\d{1,2},?\s+\d{4}"
)


class _Anchor(NamedTuple):
    """Where a label was found, in words: ``start`` its first word, ``end`` the word after its
    last (None: that end of it was not found); ``partial`` when only some of its first or last
    words matched (a glyph the PDF's font does not map back to its letter, say)."""

    start: int | None
    end: int | None
    partial: bool = False


def _locate(text: _Text, words: Sequence[str], cursor: int) -> _Anchor | None:
    """A label's place from word ``cursor`` on: its first words, then its last ones close
    after them (a long label's middle may differ: numbering, bullets, a name in a script the
    PDF's font garbles). Fewer of them are tried when all do not match; never fewer than
    three of its first words, nor fewer than six of its last without its first."""
    if len(words) <= _HEAD:
        head = text.find(words, cursor)
        return None if head is None else _Anchor(head, head + len(words))
    head = text.find(words[:_HEAD], cursor)
    partial = False
    if head is None:
        head = text.find(words[:3], cursor)
        partial = head is not None
    if head is None:
        tail = text.find(words[-_HEAD:], cursor)
        return None if tail is None else _Anchor(None, tail + _HEAD)
    limit = head + 2 * len(words) + 20
    for size in (_HEAD, 3, 2, 1):
        tail = text.find(words[-size:], head + 1)
        if tail is not None and tail + size <= limit:
            return _Anchor(head, tail + size, partial or size < _HEAD)
    return _Anchor(head, None, partial)


class _Stretch(NamedTuple):
    """The text between one label and the next."""

    label: str
    text: str
    page: int
    doubts: tuple[str, ...]


def _recover(
    text: _Text, form_labels: FormLabels, spec: FormSpec
) -> tuple[list[ReviewItem], list[str]]:
    """Review items for the answers found between the shown labels, and the ids of declared
    fields whose answer could not be located."""
    shown = form_labels.labels
    words = [_words(item.label) for item in shown]
    anchors: list[_Anchor | None] = []
    cursor = 0
    for item_words in words:
        anchor = _locate(text, item_words, cursor) if item_words else None
        anchors.append(anchor)
        if anchor is not None:
            cursor = anchor.end if anchor.end is not None else (anchor.start or 0) + 1
    items: list[ReviewItem] = []
    unlocated: list[str] = []
    index = 0
    while index < len(shown):
        following = index + 1
        while following < len(shown) and shown[following].field_id and not words[following]:
            following += 1  # fields right after this one, with no text between them
        group = [s for s in shown[index:following] if s.field_id]
        declared = [s for s in group if spec.match(s.field_id) is not None]
        stretch = _stretch(text, shown, words, anchors, index, following) if declared else None
        if declared and (stretch is None or len(declared) < len(group)):
            # not located; or sharing its text with a field the form does not declare
            unlocated.extend(s.field_id for s in declared)
        elif stretch is not None:
            found, lost = _answers(stretch, declared, spec, form_labels.complete)
            items.extend(found)
            unlocated.extend(lost)
        index = following
    return items, unlocated


def _stretch(
    text: _Text,
    shown: Sequence[ShownLabel],
    words: Sequence[Sequence[str]],
    anchors: Sequence[_Anchor | None],
    index: int,
    following: int,
) -> _Stretch | None:
    """The text between label ``index`` and the next label (``following``), or None when
    either end cannot be placed."""
    here = anchors[index]
    if here is None or here.end is None:
        return None
    doubts = ["its label was recognised only in part"] if here.partial else []
    begin = text.ends[here.end - 1]
    if following < len(shown) and not shown[following].field_id and not words[following]:
        end, end_label = len(text.text), ""  # nothing is printed after the last field
    elif following < len(shown):
        after = anchors[following]
        if after is None or after.start is None:
            return None  # the next label is not where it should be: the end is unknown
        end = text.starts[after.start]
        end_label = shown[following].label
        if after.partial:
            doubts.append("the label after it was recognised only in part")
    else:
        end, end_label = len(text.text), ""
        doubts.append("the end of the form's text was not recognised; it runs to the end")
    if end < begin:
        return None
    removed = _repeated_headings(text, begin, end, words[:following])
    if removed:
        pages = ", ".join(str(text.page_of(start)) for start, _ in removed)
        doubts.append(f"a table heading repeated at the top of page {pages} was left out of it")
    body = _kept(text.text, begin, end, removed)
    lead = re.search(r"[^\w\s]*\s*$", shown[index].label)
    trail = re.match(r"\s*[^\w\s]*", end_label)
    body = _trim(body, lead.group().strip() if lead else "", trail.group().strip() if trail else "")
    inner = _words(body)
    tail = list(words[index][-3:])
    if tail and any(inner[i : i + len(tail)] == tail for i in range(len(inner))):
        doubts.append("the label's words appear again inside it")
    if any(
        begin < p < end
        and _kept(text.text, begin, p, removed).strip()
        and _kept(text.text, p, end, removed).strip()
        for p in text.page_starts
    ):
        doubts.append("it runs over a page break")
    return _Stretch(shown[index].label, body.strip(), text.page_of(begin), tuple(doubts))


def _repeated_headings(
    text: _Text, begin: int, end: int, labels: Sequence[Sequence[str]]
) -> list[tuple[int, int]]:
    """The first lines of pages between ``begin`` and ``end`` that repeat words the form
    showed before (a table's heading row, which Word and LibreOffice repeat on each page)."""
    inside = [start for start in text.page_starts if begin < start < end]
    shown = [" " + " ".join(words) + " " for words in labels if words] if inside else []
    removed: list[tuple[int, int]] = []
    for start in inside:
        stop = text.text.find("\n", start, end)
        stop = end if stop < 0 else stop
        line = _words(text.text[start:stop])
        if len(line) >= 2 and any(" " + " ".join(line) + " " in label for label in shown):
            removed.append((start, stop))
    return removed


def _kept(text: str, start: int, stop: int, removed: Sequence[tuple[int, int]]) -> str:
    """``text[start:stop]`` without the ``removed`` ranges."""
    parts: list[str] = []
    for cut_start, cut_stop in removed:
        if cut_stop <= start or cut_start >= stop:
            continue
        parts.append(text[start:cut_start])
        start = max(start, cut_stop)
    parts.append(text[start:stop])
    return "".join(parts)


def _trim(body: str, lead: str, trail: str) -> str:
    """The stretch without the label's closing punctuation ("?", ":") and the next label's
    opening punctuation."""
    stripped = body.lstrip()
    if lead and stripped.startswith(lead):
        body = stripped[len(lead) :]
    stripped = body.rstrip()
    if trail and stripped.endswith(trail):
        body = stripped[: -len(trail)]
    return body


def _answers(
    stretch: _Stretch, group: Sequence[ShownLabel], spec: FormSpec, complete: bool
) -> tuple[list[ReviewItem], list[str]]:
    """Review items from one stretch of text: one per field, or one for fields side by side
    whose answers cannot be told apart. Returns (items, ids not located)."""
    if len(group) == 1:
        parts: list[str] | None = [stretch.text]
    else:
        parts = _split(stretch.text, group, spec)
    if parts is None:
        collapsed = " ".join(stretch.text.split())
        if not collapsed:
            return [], []
        first = group[0].field_id
        doubts = (
            f"the answers of {len(group)} fields printed side by side could not be told apart",
            *stretch.doubts,
        )
        item = ReviewItem(
            first,
            _label(spec, first),
            stretch.text,
            collapsed,
            UNSURE,
            "; ".join(doubts),
            stretch.page,
            tuple(s.field_id for s in group[1:]),
        )
        return [item], []
    items: list[ReviewItem] = []
    lost: list[str] = []
    for member, part in zip(group, parts, strict=True):
        declared = spec.field(member.field_id)
        collapsed = " ".join(part.split())
        if not collapsed or collapsed == " ".join(member.placeholder.split()):
            continue  # left blank (or still showing its prompt): no answer to confirm
        value, doubt = _as_kind(declared.kind, collapsed, declared.choices)
        if declared.kind not in _DELIMITED and value is not None:
            value = _joined(part)
        if value is None:
            lost.append(member.field_id)
            continue
        if declared.kind not in _DELIMITED and not complete and not doubt:
            doubt = "only the labels are known, so text printed after the answer may be in it"
        doubts = (*stretch.doubts, doubt) if doubt else stretch.doubts
        items.append(
            ReviewItem(
                member.field_id,
                _label(spec, member.field_id),
                part.strip(),
                value,
                UNSURE if doubts else LIKELY,
                "; ".join(doubts),
                stretch.page,
            )
        )
    return items, lost


def _joined(text: str) -> str:
    """Printed lines as one answer: a line that ends in a space was wrapped there (joined with
    a space); one that does not may end where a line break was typed, or be a word broken
    across lines: its break is kept for the coordinator to see."""
    lines = text.strip().split("\n")
    out = " ".join(lines[0].split())
    for before, line in zip(lines, lines[1:], strict=False):
        out += (" " if before[-1:].isspace() else "\n") + " ".join(line.split())
    return out


def _label(spec: FormSpec, field_id: str) -> str:
    declared, n = spec.lookup(field_id)
    return declared.label_for(n) if declared is not None else field_id


def _as_kind(kind: str, text: str, choices: Sequence[str]) -> tuple[str | bool | None, str]:
    """(suggested value, doubt) for text read as a field of ``kind``; None: it is not one."""
    if kind == "checkbox":
        boxes = [ch for ch in text if ch in _TICKED or ch in _UNTICKED]
        return (boxes[0] in _TICKED, "") if len(boxes) == 1 else (None, "")
    if kind == "dropdown" and choices:
        folded = text.casefold()
        for choice in sorted(choices, key=len, reverse=True):
            if folded == choice.casefold():
                return choice, ""
            if folded.startswith(choice.casefold() + " "):
                return choice, f"followed by other text ({text[len(choice) :].strip()[:80]!r})"
        return text, "not one of its choices"
    if kind == "date":
        if _DATE.fullmatch(text):
            return text, ""
        return text, "more than a date" if _DATE.search(text) else "does not read as a date"
    return text, ""


def _split(text: str, group: Sequence[ShownLabel], spec: FormSpec) -> list[str] | None:
    """The answers of fields side by side (a mentor and a mentee column, a table row), when
    their kinds make each one's edges plain: a tick box is one box, a date one date, a
    drop-down one of its choices (or the prompt it shows when blank). At most one free-text
    answer, which keeps what is left between them. None: they cannot be told apart."""
    kinds = [spec.field(s.field_id).kind for s in group]
    if all(kind == "checkbox" for kind in kinds):
        boxes = [ch for ch in text if ch in _TICKED or ch in _UNTICKED]
        return boxes if len(boxes) == len(group) else None
    free = [
        index for index, kind in enumerate(kinds) if kind not in ("checkbox", "date", "dropdown")
    ]
    if len(free) > 1:
        return None
    pivot = free[0] if free else len(group)
    rest = " ".join(text.split())
    parts = [""] * len(group)
    for index in range(pivot):
        taken = _take(rest, group[index], kinds[index], spec, from_start=True)
        if taken is None:
            return None
        parts[index], rest = taken
    for index in reversed(range(pivot + 1, len(group))):
        taken = _take(rest, group[index], kinds[index], spec, from_start=False)
        if taken is None:
            return None
        parts[index], rest = taken
    if pivot < len(group):
        parts[pivot] = rest
    elif rest:
        return None
    return parts


_DATE_AT_END = re.compile("(?:" + _DATE.pattern + r")\Z")


def _take(
    text: str, member: ShownLabel, kind: str, spec: FormSpec, *, from_start: bool
) -> tuple[str, str] | None:
    """(the answer of ``member`` at one edge of ``text``, what is left), or None."""
    literals = [member.placeholder] if member.placeholder.strip() else []
    if kind == "checkbox":
        literals += sorted(_TICKED | _UNTICKED)
    elif kind == "dropdown":
        literals += sorted(spec.field(member.field_id).choices, key=len, reverse=True)
    folded = text.casefold()
    for literal in (" ".join(item.split()) for item in literals):
        size = len(literal)
        if (
            from_start
            and folded.startswith(literal.casefold())
            and not text[size : size + 1].isalnum()
        ):
            return text[:size], text[size:].strip()
        if (
            not from_start
            and folded.endswith(literal.casefold())
            and not text[-size - 1 : -size].isalnum()
        ):
            return text[-size:], text[:-size].strip()
    if kind == "date":
        found = _DATE.match(text) if from_start else _DATE_AT_END.search(text)
        if found and (not from_start or not text[found.end() : found.end() + 1].isalnum()):
            return found.group(), (
                text[found.end() :] if from_start else text[: found.start()]
            ).strip()
    return None
