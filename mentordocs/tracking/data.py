"""What the tracking workbook holds, as plain dataclasses, and the names of its sheets."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mentordocs.errors import CollectError, Problem
from mentordocs.forms import STAGES, Value
from mentordocs.tracking.mailstate import MailboxState

#: What a cell of the workbook can hold.
CellValue = str | int | float | dt.date | dt.datetime | dt.time | dt.timedelta | None

#: The most characters one Excel cell holds: a longer answer is cut to fit, and said so.
EXCEL_CELL_LIMIT = 32767
STATUS_SHEET = "Status"
DASHBOARD_SHEET = "Dashboard"
GOALS_SHEET = "Goals"
OTHER_SHEET = "Other forms"
PROBLEMS_SHEET = "Problems"
REVIEW_SHEET = "Review"
# 2: "Came in as" after the signatures, a Review sheet; 3: stages; 4: the Status sheet's notes
# and each sheet's extent (an older mentordocs would drop the notes: it is refused a newer format)
FORMAT_VERSION = "4"

#: How the workbook names each stage of the program's year (``forms.STAGES``).
STAGE_TITLES: dict[str, str] = {"start": "Start", "midpoint": "Mid-point", "end": "End"}
#: "Goals at the mid-point", "At risk at the end": a stage in a sentence.
STAGE_PHRASES: dict[str, str] = {
    "start": "at the start",
    "midpoint": "at the mid-point",
    "end": "at the end",
}
assert tuple(STAGE_TITLES) == tuple(STAGE_PHRASES) == STAGES

#: What the Status sheet shows for a later stage's form not generated for a pair yet (the pair
#: does not owe it: it is never "not returned").
NOT_SENT_YET = "Not sent yet"
#: The Status sheet's last column, the coordinator's own: collect keeps what is typed there.
NOTES_HEADER = "Your notes"
NOTES_GROUP = "Kept by collect"
#: The Status sheet's word for a pair kept only for its note (no longer on the roster).
NOT_ON_ROSTER = "Not on the roster"

#: (pair id, form id) -> the day something happened to that pair's form (generated, sent).
FormDates = dict[tuple[str, str], dt.date]


@dataclass(frozen=True)
class Note:
    "What a coordinator typed in a pair's 'Your notes' cell, and how the cell showed it."

    value: CellValue
    number_format: str = "General"  # e.g. "hh:mm" for a time, "0%" for a percentage


@dataclass
class ReturnedForm:
    """One returned form as the tracking workbook keeps it.

    ``values`` maps each field id found in the document to its value: ``str`` (text, dates
    as ``YYYY-MM-DD``, drop-down values) or ``bool`` (checkboxes). A confidential field holds
    ``"filled in"`` or ``"blank"`` unless ``confidential_included``.
    """

    pair_id: str
    form: str
    source: str  # file name as the coordinator saved it (e.g. "reply.eml > P03_goal-sheet.docx")
    sha256: str
    returned_at: dt.datetime | None
    values: dict[str, Value] = field(default_factory=dict)
    confidential_included: bool = False
    collected_at: dt.datetime | None = None
    came_in: str = ""  # how it came back: "docx", "odt by email", "pdf in zip in email", ...


@dataclass
class ReviewItem:
    """An answer found in a return whose field could not be proven, for the coordinator to
    check and copy by hand: it is never put in a field's column."""

    pair_id: str
    form: str
    source: str  # the file it was found in
    sha256: str
    text: Value  # what was written
    before: str = ""  # the text the form shows before it (its label, usually)
    suggestion: str = ""  # the field its place suggests: a hint, not a proof
    why: str = ""


@dataclass
class OtherField:
    "One field of a Word form that mentordocs did not make."

    source: str
    sha256: str
    name: str  # tag, alias or legacy field name
    kind: str
    value: Value
    tag: str = ""


@dataclass
class Outstanding:
    """A form a pair still owes: ``reasons`` in a coordinator's words.

    e.g. ``["not returned"]``, ``["incomplete: 3 required fields blank", "not signed by mentee"]``.
    """

    pair_id: str
    form: str
    reasons: list[str]
    form_title: str = ""
    stage: str = "start"  # the stage of the program's year the form belongs to (forms.STAGES)


@dataclass
class TrackedPair:
    "A pair as the roster listed it when the workbook was written (for ``report``)."

    pair_id: str
    mentor: str = ""
    mentee: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return self.status == "Active"  # as models.Pair.active


@dataclass
class TrackingData:
    "Everything the tracking workbook holds, as read back or about to be written."

    returns: list[ReturnedForm] = field(default_factory=list)
    others: list[OtherField] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    include_confidential: bool = False
    superseded: dict[str, str] = field(default_factory=dict)  # sha256 -> file, older returns
    review: list[ReviewItem] = field(default_factory=list)
    mailbox: MailboxState = field(default_factory=MailboxState)  # the mail already read
    # When each pair's form was generated and sent: from the packets folder (--packets), kept
    # from one collect to the next so a later stage's forms stay owed without --packets.
    generated: FormDates = field(default_factory=dict)
    sent: FormDates = field(default_factory=dict)
    pairs: list[TrackedPair] = field(default_factory=list)  # as read back (the roster's pairs)
    form_stages: dict[str, str] = field(default_factory=dict)  # form id -> stage, as read back
    stages: list[str] = field(default_factory=list)  # the open stages, as read back
    program: str = ""  # the program's name, as read back
    collected_at: dt.datetime | None = None  # when the workbook was last written, as read back
    # What a coordinator added that collect does not write (a sheet, a column after the last
    # one, notes on cells), as read back: collect refuses to rewrite the workbook over it.
    not_ours: list[str] = field(default_factory=list)
    # The coordinator's notes on each pair (the Status sheet's last column), kept on every run.
    notes: dict[str, Note] = field(default_factory=dict)


def excel_length(text: str) -> int:
    """How long Excel (and LibreOffice Calc) count a text: in UTF-16 units, so an emoji counts
    two. A cell holds at most ``EXCEL_CELL_LIMIT`` of them."""
    return len(text.encode("utf-16-le")) // 2


def cut_for_excel(text: str, limit: int) -> str:
    "The longest beginning of ``text`` of at most ``limit`` UTF-16 units, whole characters."
    if excel_length(text) <= limit:
        return text
    return text.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", errors="ignore")


# An .xlsx cell's text spells a character XML cannot hold as _xHHHH_ (_x000D_ for a carriage
# return), which Excel decodes when it shows the cell; openpyxl writes text as it is. So a
# text that holds such a spelling itself (a SharePoint file name, Goal_x0020_Sheet.docx) has
# its underscore written as _x005F_, as Excel writes it, and that is read back as "_" (which
# openpyxl does itself for a workbook's shared strings, as Excel and Calc save them). Other
# escapes are read as they are: collect writes no control character to a cell, and Calc
# writes a literal _x0020_ as it is and shows it so.
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED_UNDERSCORE = re.compile(r"_x005[Ff]_")


def excel_escaped(text: str) -> str:
    "``text`` as a cell must hold it for Excel to show it as it is (``_x0020_`` kept)."
    return _LITERAL_ESCAPE.sub("_x005F_", text) if "_x" in text else text


def excel_unescaped(text: str) -> str:
    "A cell's text as collect wrote it (``_x005F_x0020_`` read as ``_x0020_``)."
    return _ESCAPED_UNDERSCORE.sub("_", text) if "_x" in text else text


def row_digest(values: Iterable[object]) -> str | None:
    """A short fingerprint of a row's values as the workbook shows them, the same after Excel
    or LibreOffice saved it (a date read back as a date-time, 3 as 3.0); None for an empty row.
    Kept for each row collect writes on the sheets it rewrites, so that a value typed over
    there is found on the next run rather than written over."""
    parts = [_shown(value) for value in values]
    while parts and not parts[-1]:
        parts.pop()
    if not parts:
        return None
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    # Line breaks and other control characters, and Excel's escapes of them (_x000D_), are
    # left out: spreadsheet programs rewrite them when they save ("\r" as "\n").
    text = str(value).replace("_x005F_", "_")
    return _CONTROLS.sub("", _ESCAPES.sub("", text)).strip()


_ESCAPES = re.compile(r"_x[0-9A-Fa-f]{4}_")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


class TrackingFileError(CollectError):
    "The tracking workbook cannot be read back (damaged, or not one mentordocs wrote)."
