"""Read and validate the roster workbook: the coordinator's single source of truth.

``load_roster(path)`` returns a :class:`~mentordocs.models.Roster` or raises
:class:`~mentordocs.errors.RosterError` listing every error at once; ``check_roster(path)`` returns
every problem (errors, then warnings) and never raises for a problem in the file.

The sheets and columns are declared once (``PROGRAM_SETTINGS`` and ``SHEETS``) and shared with
``starter.py`` (the workbook ``mentordocs init`` writes) and ``docs/roster.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook

from mentordocs.errors import Problem, RosterError
from mentordocs.fsutil import office_lock_file
from mentordocs.models import (
    CalendarItem,
    Commitment,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Roster,
    derive_schedule,
)
from mentordocs.roster.schema import (
    CHOICE_VARIANTS,
    PROGRAM_SETTINGS,
    SHEET_ORDER,
    SHEETS,
    Column,
    SheetSpec,
    compact,
    header_keys,
    header_lookup,
    normalize_header,
    sheet_spec,
)

__all__ = [
    "PROGRAM_SETTINGS",
    "SHEETS",
    "Column",
    "SheetSpec",
    "check_roster",
    "derive_schedule",
    "load_roster",
    "normalize_header",
    "summarize",
    "validate_roster",
]

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL_NAMES = {"\x0b": "vertical tab", "\x0c": "form feed", "\x00": "null", "\x07": "bell"}


def _clean(text: str) -> tuple[str, list[str]]:
    """Text without characters a Word file cannot hold; the removed characters' descriptions."""
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        found.append(_CONTROL_NAMES.get(char, f"U+{ord(char):04X}"))
        return "\n" if char in "\x0b\x0c" else ""

    # Excel writes characters XML cannot hold as _xHHHH_ (a line break from Word: _x000B_);
    # openpyxl hands them over as written.
    text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(replace, text)
    return text.strip(), found


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


_EMAIL = re.compile(
    r"^[^\s@\"(),:;<>\[\]\\]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}$", re.UNICODE
)


def _email_error(address: str) -> str | None:
    if not _EMAIL.match(address):
        return "not a valid email address"
    local = address.split("@", 1)[0]
    if ".." in address or local.startswith(".") or local.endswith("."):
        return "not a valid email address (two dots in a row, or a dot at the start or end)"
    return None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%a %d %b %Y",
    "%A %d %B %Y",
    "%a %b %d %Y",
    "%A %B %d %Y",
)
_DATE_FIX = (
    "Type the date as 2026-09-01 or 1 Sep 2026 (numbers-only dates like 09/01/2026 are "
    "ambiguous), or choose Format Cells > Date in Excel."
)


def _parse_date_text(text: str) -> dt.date | None:
    cleaned = re.sub(r"[,]", " ", text)
    cleaned = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\bsept\b", "Sep", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"(?<=[A-Za-z])-(?=\d)|(?<=\d)-(?=[A-Za-z])", " ", cleaned)  # 1-Sep-2026
    cleaned = " ".join(cleaned.split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M", "%I:%M %p", "%I:%M:%S %p", "%I %p", "%I.%M %p")
_TIME_FIX = "Type the time as 15:30 or 3:30 PM, or choose Format Cells > Time in Excel."


def _parse_time_text(text: str) -> dt.time | None:
    cleaned = text.strip().upper().replace("A.M.", "AM").replace("P.M.", "PM")
    cleaned = re.sub(r"(\d)(AM|PM)$", r"\1 \2", cleaned)
    if cleaned in ("NOON", "MIDDAY"):
        return dt.time(12, 0)
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).time()
        except ValueError:
            continue
    return None


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
_BAD_ID_CHARS = set('/\\:*?"<>|')
_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)
}


def _id_problem(pair_id: str) -> str | None:
    bad = sorted({c for c in pair_id if c in _BAD_ID_CHARS or ord(c) < 32})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"contains {shown}, which cannot be used in a file name"
    if pair_id.startswith(".") or pair_id.endswith("."):
        return "starts or ends with a dot, which cannot be used in a file name"
    if pair_id.split(".")[0].casefold() in _RESERVED_NAMES:
        return "is a name Windows reserves for devices and cannot be a file name"
    return None


def _safe_id(pair_id: str) -> str:
    safe = "".join("-" if c in _BAD_ID_CHARS or ord(c) < 32 else c for c in pair_id).strip(". ")
    if safe.split(".")[0].casefold() in _RESERVED_NAMES:
        safe = "P-" + safe
    return safe or "P01"


def _same_name(a: str, b: str) -> bool:
    def key(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).casefold().split())

    return bool(a) and key(a) == key(b)


# ---------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_SAVE_AS_XLSX = (
    "Open it in Excel and choose File > Save As > Excel Workbook (.xlsx), then use that file."
)


class _Book:
    """The roster workbook, opened read-only: each sheet's rows, with each cell's saved value
    and whether it holds a formula.

    It is opened as written (a formula cell holds its formula, data type "f"). Only when a
    sheet has formulas is the workbook opened a second time for the results Excel saved
    (``data_only``), so a workbook without formulas is read once.
    """

    def __init__(self, data: bytes, formulas: Workbook) -> None:
        self.data = data
        self.formulas = formulas
        self.values: Workbook | None = None

    def find_sheet(self, name: str) -> str | None:
        """The title of the worksheet called ``name`` (case, spaces and punctuation aside)."""
        wanted = compact(name)
        for sheet in self.formulas.worksheets:
            if compact(sheet.title) == wanted:
                return sheet.title
        return None

    def rows(self, title: str) -> list[tuple[int, list[object], list[bool]]]:
        """Every row of the sheet as (Excel row number, saved values, whether each cell holds
        a formula)."""
        sheet = next(s for s in self.formulas.worksheets if s.title == title)
        sheet.reset_dimensions()  # read every row, whatever the file claims its size is
        cells = [list(row) for row in sheet.iter_rows()]
        formulas = [[cell.data_type == "f" for cell in row] for row in cells]
        values: list[list[object]]
        if any(any(row) for row in formulas):
            if self.values is None:  # the same bytes, opened once already: no new failure
                self.values = openpyxl.load_workbook(
                    io.BytesIO(self.data), read_only=True, data_only=True
                )
            saved = next(s for s in self.values.worksheets if s.title == title)
            saved.reset_dimensions()
            values = [list(row) for row in saved.iter_rows(values_only=True)]
        else:
            values = [[cell.value for cell in row] for row in cells]
        numbered = enumerate(zip(values, formulas, strict=False), start=1)
        return [(number, vals, forms) for number, (vals, forms) in numbered]

    def close(self) -> None:
        self.formulas.close()
        if self.values is not None:
            self.values.close()


@dataclass
class _Row:
    """One data row of a sheet: raw values by column key, as Excel numbers the row."""

    sheet: str
    number: int
    values: dict[str, Any]
    headers: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # keys already reported (formula, error value)


class _Loader:
    def __init__(self, path: Path):
        self.path = path
        self.file = path.name
        self.problems: list[Problem] = []
        self.known_ids: dict[str, str] = {}  # every Pair ID on the Pairs sheet, by casefold
        self.suggestions: dict[str, str] = {}  # unknown Pair ID -> "Did you mean ...? "

    # -- problems ------------------------------------------------------------------------

    def error(
        self,
        message: str,
        fix: str = "",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(Problem(self.file, message, fix, sheet, row, column, "error"))

    def warn(
        self,
        message: str,
        fix: str = "",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(Problem(self.file, message, fix, sheet, row, column, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def sorted_problems(self) -> list[Problem]:
        def key(problem: Problem) -> tuple[int, int, int]:
            return (
                0 if problem.severity == "error" else 1,
                SHEET_ORDER.get(compact(problem.sheet or ""), -1),
                problem.row or 0,
            )

        return sorted(self.problems, key=key)

    # -- the file ------------------------------------------------------------------------

    def open(self) -> _Book | None:
        """The workbook, or None after a file problem."""
        path = self.path
        suffix = path.suffix.lower()
        if path.name.startswith("~$"):
            real = path.with_name(path.name[2:])
            self.error(
                "This is the lock file Excel keeps while a workbook is open, not the roster itself.",
                f"Give the workbook's own name instead, e.g. {real.name}.",
            )
            return None
        if not path.exists():
            self.error(
                "File not found.",
                "Check the name and folder; run 'mentordocs init' to create a new roster.",
            )
            return None
        if path.is_dir():
            inside = path / "roster.xlsx"
            hint = (
                f"Did you mean {inside}?"
                if inside.is_file()
                else "Give the path of the .xlsx file."
            )
            self.error("This is a folder, not a roster workbook.", hint)
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.error(
                f"The file cannot be read: {exc.strerror or exc}.",
                "Close it in Excel if another program holds it, and check that you may read it.",
            )
            return None
        if not data:
            self.error(
                "The file is empty (0 bytes).",
                "Restore the roster from a backup, or save it again from Excel.",
            )
            return None
        if suffix in (".csv", ".tsv", ".txt"):
            self.error(
                "This is a text (CSV) file; a roster needs several sheets, which CSV cannot hold.",
                "Copy the rows into the workbook made by 'mentordocs init' and save it as Excel Workbook (.xlsx).",
            )
            return None
        if suffix in (".ods", ".numbers"):
            self.error(
                f"This is a {suffix} spreadsheet; mentordocs reads Excel workbooks (.xlsx).",
                "Save it in Excel format: File > Save As > Excel 2007-365 (.xlsx) in LibreOffice, or File > Export To > Excel in Numbers.",
            )
            return None
        if data.startswith(_OLE_MAGIC):
            if any(marker in data for marker in _ENCRYPTED_MARKERS):
                self.error(
                    "The workbook is protected with a password, so it cannot be read.",
                    "In Excel choose File > Info > Protect Workbook > Encrypt with Password, clear the password, and save.",
                )
            else:
                self.error("This is an old Excel 97-2003 workbook (.xls).", _SAVE_AS_XLSX)
            return None
        if suffix == ".xls":
            self.error(
                "This is an old Excel 97-2003 workbook (.xls), or not Excel at all.", _SAVE_AS_XLSX
            )
            return None
        if not data.startswith(b"PK"):
            looks_text = b"\x00" not in data[:2048]
            self.error(
                "This is not an Excel workbook"
                + (" (it looks like a text file)." if looks_text else "."),
                "Give the roster saved from Excel as Excel Workbook (.xlsx).",
            )
            return None
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        except zipfile.BadZipFile:
            self.error(
                "The file is damaged: it is not a complete Excel workbook.",
                "Open it in Excel (which offers to repair it) and save it again, or restore a backup copy.",
            )
            return None
        except Exception as exc:  # openpyxl raises many kinds on broken or foreign files
            self.error(
                f"The file cannot be read as an Excel workbook ({type(exc).__name__}: {exc}).",
                "Open it in Excel and save it again as Excel Workbook (.xlsx), or restore a backup copy.",
            )
            return None
        lock = office_lock_file(path)
        if lock is not None:
            self.warn(
                f"The workbook seems to be open in Excel or LibreOffice ({lock.name} is beside it): changes not yet saved are not seen.",
                "Save the workbook in Excel first (you may keep it open).",
            )
        return _Book(data, workbook)

    # -- sheets --------------------------------------------------------------------------

    def read_table(self, spec: SheetSpec, book: _Book) -> list[_Row] | None:
        """The sheet's non-blank data rows, or None when the sheet is missing or unusable."""
        title = book.find_sheet(spec.name)
        if title is None:
            if spec.required:
                headers = ", ".join(c.header for c in spec.columns)
                self.error(
                    f"The workbook has no '{spec.name}' sheet.",
                    f"Add a sheet named '{spec.name}' with the headers {headers} in row 1 (run 'mentordocs init' for a starter workbook).",
                )
            return None
        rows = book.rows(title)
        lookup = header_lookup(spec.columns)
        # The header row: of the first 10 rows, the one naming the most known columns (a title
        # row above the headers is fine); failing that, the first row with anything in it.
        header_index: int | None = None
        best = 0
        for i, (_, vals, _) in enumerate(rows[:10]):
            known = sum(
                1
                for v in vals
                if not _is_blank(v) and any(k in lookup for k in header_keys(_as_text(v)))
            )
            if known > best:
                header_index, best = i, known
        if header_index is None:
            header_index = next(
                (
                    i
                    for i, (_, vals, _) in enumerate(rows[:10])
                    if any(not _is_blank(v) for v in vals)
                ),
                None,
            )
        if header_index is None:
            if spec.required:
                headers = ", ".join(c.header for c in spec.columns)
                self.error(
                    f"The '{title}' sheet is empty.",
                    f"Put the headers {headers} in row 1 and one row per entry below.",
                    sheet=title,
                )
            return [] if not spec.required else None
        header_row, header_values, _ = rows[header_index]
        found: dict[str, tuple[int, str]] = {}  # key -> (column index, header as written)
        extras: dict[int, tuple[str, str]] = {}  # column index -> (normalised key, header)
        for index, raw in enumerate(header_values):
            if _is_blank(raw):
                continue
            written = " ".join(_as_text(raw).split())
            col = next((lookup[k] for k in header_keys(written) if k in lookup), None)
            if col is None:
                key = normalize_header(written) or f"column_{index + 1}"
                if key in {k for k, _ in extras.values()}:
                    self.warn(
                        f"Two columns are headed '{written}'; only the first one is used.",
                        "Rename or delete one of them.",
                        title,
                        header_row,
                        written,
                    )
                    continue
                extras[index] = (key, written)
                continue
            if col.key in found:
                self.error(
                    f"Two columns mean '{col.header}': '{found[col.key][1]}' and '{written}'.",
                    "Delete or rename one of them.",
                    title,
                    header_row,
                    written,
                )
                continue
            found[col.key] = (index, written)
        usable = True
        for col in spec.columns:
            if col.required and col.key not in found:
                self.error(
                    f"The required column '{col.header}' is missing.",
                    f"Add a column headed '{col.header}' to row {header_row}.",
                    title,
                    header_row,
                    col.header,
                )
                usable = False
        if not usable:
            return None
        headers = {key: written for key, (_, written) in found.items()}
        headers.update(
            {key: col.header for col in spec.columns for key in [col.key] if key not in headers}
        )
        by_index = {index: key for key, (index, _) in found.items()}
        result: list[_Row] = []
        unnamed_reported: set[int] = set()
        for number, vals, forms in rows[header_index + 1 :]:
            if all(_is_blank(v) for v in vals) and not any(forms):
                continue
            row = _Row(title, number, {}, headers)
            for index, (value, is_formula) in enumerate(zip(vals, forms, strict=False)):
                if index in extras:
                    key, written = extras[index]
                elif index in by_index:
                    key = by_index[index]
                    written = headers[key]
                else:
                    if not _is_blank(value) and index not in unnamed_reported:
                        unnamed_reported.add(index)
                        from openpyxl.utils import get_column_letter

                        self.warn(
                            f"Column {get_column_letter(index + 1)} has values but no header, so they are ignored.",
                            f"Type a header in row {header_row} to keep them (they then reach the templates).",
                            title,
                            number,
                        )
                    continue
                if value is None and is_formula:
                    self.error(
                        "This cell holds a formula whose result was never saved, so its value is unknown.",
                        "Open the workbook in Excel and save it (Excel stores the results), or type the value instead of a formula.",
                        title,
                        number,
                        written,
                    )
                    row.bad.add(key)
                    value = None
                elif is_formula and value in _EXCEL_ERRORS:
                    self.error(
                        f"This cell's formula gives the Excel error {value}.",
                        "Correct the formula, or type the value instead.",
                        title,
                        number,
                        written,
                    )
                    row.bad.add(key)
                    value = None
                if index in extras:
                    row.extra[key] = self.extra_value(value, row, written)
                else:
                    row.values[key] = value
            result.append(row)
        return result

    # -- cell conversion -----------------------------------------------------------------

    def cleaned(self, value: object, row: _Row, column: str, single_line: bool = False) -> str:
        text, removed = _clean(_as_text(value))
        if removed:
            kinds = ", ".join(sorted(set(removed)))
            replaced = (
                "replaced by a line break"
                if {"vertical tab", "form feed"} & set(removed)
                else "removed"
            )
            self.warn(
                f"The cell holds hidden characters that a Word file cannot hold ({kinds}); they were {replaced}.",
                "Nothing to do for the packets; to clean the workbook too, retype the cell.",
                row.sheet,
                row.number,
                column,
            )
        if single_line:
            text = " ".join(text.split())
        return text

    def extra_value(self, value: object, row: _Row, column: str) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return self.cleaned(value, row, column)
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def cell(self, row: _Row, col: Column, *, default: Any = None) -> Any:
        """The converted value of ``col`` in ``row``; reports a problem and returns None if bad."""
        if col.key in row.bad:
            return None
        raw = row.values.get(col.key)
        column = row.headers.get(col.key, col.header)
        if _is_blank(raw):
            if col.required:
                self.error(
                    f"'{col.header}' is required but the cell is empty.",
                    f"Fill in {col.header}." + (f" {col.hint}" if col.hint else ""),
                    row.sheet,
                    row.number,
                    column,
                )
                return None
            return default
        convert = getattr(self, f"to_{col.kind}")
        return convert(raw, row, col, column)

    def fail(self, row: _Row, column: str, message: str, fix: str) -> None:
        self.error(message, fix, row.sheet, row.number, column)

    def to_text(self, raw: Any, row: _Row, col: Column, column: str) -> str:
        return self.cleaned(raw, row, column)

    def to_line(self, raw: Any, row: _Row, col: Column, column: str) -> str:
        return self.cleaned(raw, row, column, single_line=True)

    def to_id(self, raw: Any, row: _Row, col: Column, column: str) -> str | None:
        text = self.cleaned(raw, row, column, single_line=True)
        problem = _id_problem(text)
        if problem:
            self.fail(
                row,
                column,
                f"Pair ID '{text}' {problem}.",
                f"Use letters, digits, '-' or '_' instead, e.g. '{_safe_id(text)}' (and the same ID on every sheet).",
            )
            return None
        return text

    def to_email(self, raw: Any, row: _Row, col: Column, column: str) -> str | None:
        text = self.cleaned(raw, row, column, single_line=True)
        if text.lower().startswith("mailto:"):
            text = text[7:]
        problem = _email_error(text)
        if problem:
            inner = re.search(r"<([^<>\s]+@[^<>\s]+)>", text)
            fix = (
                f"Keep only the address: {inner.group(1)}"
                if inner
                else "Enter one address like name@example.org (no spaces, one @, a domain with a dot)."
            )
            self.fail(row, column, f"'{text}' is {problem}.", fix)
            return None
        return text

    def to_emails(self, raw: Any, row: _Row, col: Column, column: str) -> str | None:
        text = self.cleaned(raw, row, column, single_line=True)
        addresses = [a.strip() for a in re.split(r"[;,]", text) if a.strip()]
        bad = [a for a in addresses if _email_error(a)]
        if bad:
            self.fail(
                row,
                column,
                f"{', '.join(repr(a) for a in bad)} {'is' if len(bad) == 1 else 'are'} not a valid email address.",
                "Enter addresses like name@example.org, separated by ';'.",
            )
            return None
        return "; ".join(addresses)

    def to_date(self, raw: Any, row: _Row, col: Column, column: str) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if 20000 <= raw <= 80000:  # an Excel date serial in a cell formatted as a number
                value = _EXCEL_EPOCH + dt.timedelta(days=int(raw))
                self.warn(
                    f"The date is stored as the number {_as_text(raw)}; it was read as {value.isoformat()}.",
                    "Choose Format Cells > Date in Excel so everyone sees the date.",
                    row.sheet,
                    row.number,
                    column,
                )
                return value
            self.fail(row, column, f"'{_as_text(raw)}' is not a date.", _DATE_FIX)
            return None
        if isinstance(raw, dt.time):
            self.fail(row, column, f"'{_as_text(raw)}' is a time, not a date.", _DATE_FIX)
            return None
        text = self.cleaned(raw, row, column, single_line=True)
        parsed = _parse_date_text(text)
        if parsed is None:
            if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
                message = f"'{text}' is ambiguous: it could be day/month or month/day."
            else:
                message = f"'{text}' is not a date."
            self.fail(row, column, message, _DATE_FIX)
        return parsed

    def to_time(self, raw: Any, row: _Row, col: Column, column: str) -> dt.time | None:
        if isinstance(raw, dt.datetime):
            return raw.time().replace(microsecond=0)
        if isinstance(raw, dt.time):
            return raw.replace(microsecond=0)
        if isinstance(raw, dt.timedelta) and raw < dt.timedelta(days=1):
            seconds = round(raw.total_seconds())
            return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        if isinstance(raw, float) and 0 <= raw < 1:  # a fraction of a day
            seconds = round(raw * 86400)
            return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        text = self.cleaned(raw, row, column, single_line=True)
        parsed = _parse_time_text(text)
        if parsed is None:
            self.fail(row, column, f"'{text}' is not a time.", _TIME_FIX)
        return parsed

    def to_int(self, raw: Any, row: _Row, col: Column, column: str) -> int | None:
        if isinstance(raw, bool):
            raw = _as_text(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = self.cleaned(raw, row, column, single_line=True)
        if re.fullmatch(r"\d+", text):
            return int(text)
        self.fail(row, column, f"'{text}' is not a whole number.", "Type a whole number, e.g. 1.")
        return None

    def to_minutes(self, raw: Any, row: _Row, col: Column, column: str) -> int | None:
        minutes: int | None = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            minutes = round(raw) if float(raw).is_integer() else None
        elif isinstance(raw, dt.time):  # typed as 0:45 and shown as a time
            minutes = raw.hour * 60 + raw.minute
        else:
            text = self.cleaned(raw, row, column, single_line=True).lower()
            match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hr|hrs|hours?)?", text)
            if match:
                number = float(match.group(1))
                unit = match.group(2) or "min"
                value = number * 60 if unit.startswith("h") else number
                minutes = round(value) if float(value).is_integer() else None
        if minutes is None or minutes <= 0:
            self.fail(
                row,
                column,
                f"'{_as_text(raw)}' is not a meeting length in minutes.",
                "Type the number of minutes, e.g. 45.",
            )
            return None
        if minutes > 240:
            self.warn(
                f"A meeting length of {minutes} minutes is unusually long.",
                "Check the number: the column is in minutes (e.g. 45 for three quarters of an hour).",
                row.sheet,
                row.number,
                column,
            )
        return minutes

    def to_choice(self, raw: Any, row: _Row, col: Column, column: str) -> str | None:
        text = self.cleaned(raw, row, column, single_line=True)
        key = compact(text)
        for choice in col.choices:
            if compact(choice) == key:
                return choice
        variant = CHOICE_VARIANTS.get(key)
        if variant in col.choices:
            return variant
        options = ", ".join(col.choices)
        close = difflib.get_close_matches(
            text.casefold(), [c.casefold() for c in col.choices], n=1, cutoff=0.6
        )
        hint = ""
        if close:
            hint = f"Did you mean '{next(c for c in col.choices if c.casefold() == close[0])}'? "
        self.fail(
            row,
            column,
            f"'{text}' is not one of the allowed values for {col.header}.",
            f"{hint}Choose one of: {options}.",
        )
        return None

    # -- the sheets ----------------------------------------------------------------------

    def load(self) -> Roster | None:
        book = self.open()
        if book is None:
            return None
        try:
            tables = {spec.name: self.read_table(spec, book) for spec in SHEETS}
        finally:
            book.close()
        program = self.load_program(tables["Program"])
        pair_rows = tables["Pairs"]
        pairs = self.load_pairs(pair_rows, program)
        ids = {pair.pair_id.casefold(): pair for pair in pairs}
        goals = self.load_goals(tables["Goals"], ids)
        meetings = self.load_meetings(tables["Meetings"], ids)
        commitments = self.load_commitments(tables["Commitments"], ids)
        calendar_items = self.load_calendar(tables["Calendar"])
        if program is None or pair_rows is None:
            return None
        program_wide = [c for c in commitments if not c.pair_id]
        for pair in pairs:
            pair.goals = sorted(goals.get(pair.pair_id, []), key=lambda g: g.number)
            explicit = sorted(
                meetings.get(pair.pair_id, []), key=lambda m: (m.date, m.time or dt.time())
            )
            # Without listed meetings, Pair.meetings works the schedule out when asked.
            pair.listed_meetings = explicit
            pair.commitments = program_wide + [c for c in commitments if c.pair_id == pair.pair_id]
        return Roster(
            path=self.path,
            program=program,
            pairs=pairs,
            calendar=calendar_items,
            commitments=program_wide,
        )

    def load_program(self, rows: list[_Row] | None) -> Program | None:
        if rows is None:
            return None
        sheet = rows[0].sheet if rows else "Program"
        lookup = header_lookup(PROGRAM_SETTINGS)
        values: dict[str, Any] = {}
        seen: dict[str, int] = {}
        extra: dict[str, Any] = {}
        value_header = rows[0].headers.get("value", "Value") if rows else "Value"
        for row in rows:
            name = self.cleaned(row.values.get("setting"), row, row.headers["setting"], True)
            if not name:
                if not _is_blank(row.values.get("value")):
                    self.warn(
                        "This row has a value but no setting name, so it is ignored.",
                        "Type the setting's name in column A.",
                        row.sheet,
                        row.number,
                        row.headers["setting"],
                    )
                continue
            col = next((lookup[k] for k in header_keys(name) if k in lookup), None)
            if col is None:
                key = normalize_header(name)
                value_row = _Row(
                    row.sheet,
                    row.number,
                    {"value": row.values.get("value")},
                    row.headers,
                    bad=row.bad,
                )
                if "value" not in row.bad:
                    extra[key] = self.extra_value(row.values.get("value"), value_row, value_header)
                continue
            if col.key in seen:
                self.error(
                    f"The setting '{col.header}' appears twice (rows {seen[col.key]} and {row.number}).",
                    "Delete one of the two rows.",
                    row.sheet,
                    row.number,
                    row.headers["setting"],
                )
                continue
            seen[col.key] = row.number
            setting = Column(col.key, col.header, col.required, col.kind, col.choices, col.hint)
            value_row = _Row(
                row.sheet,
                row.number,
                {col.key: row.values.get("value")},
                {col.key: value_header},
                bad={col.key} if "value" in row.bad else set(),
            )
            values[col.key] = self.cell(value_row, setting)
        for col in PROGRAM_SETTINGS:
            if col.required and col.key not in seen:
                self.error(
                    f"The setting '{col.header}' is missing.",
                    f"Add a row with '{col.header}' in column A and its value in column B. {col.hint}",
                    sheet,
                    None,
                    "Setting",
                )
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            self.error(
                f"The program ends ({end.isoformat()}) before it starts ({start.isoformat()}).",
                "Check the Start date and End date settings.",
                sheet,
                seen.get("end_date"),
                value_header,
            )
            return None
        if any(values.get(c.key) is None for c in PROGRAM_SETTINGS if c.required):
            return None
        midpoint = values.get("midpoint") or start + dt.timedelta(days=(end - start).days // 2)
        if not start <= midpoint <= end:
            self.warn(
                f"The mid-point check ({midpoint.isoformat()}) is outside the program's dates.",
                "Check the Mid-point check setting, or leave it blank for halfway.",
                sheet,
                seen.get("midpoint"),
                value_header,
            )
        return Program(
            name=values["name"],
            coordinator_name=values["coordinator_name"],
            coordinator_email=values["coordinator_email"],
            start_date=start,
            end_date=end,
            midpoint=midpoint,
            organization=values.get("organization") or "",
            forms_due=values.get("forms_due"),
            standards=values.get("standards") or "",
            signed_copies_to=values.get("signed_copies_to") or "",
            extra=extra,
        )

    def load_pairs(self, rows: list[_Row] | None, program: Program | None) -> list[Pair]:
        if rows is None:
            return []
        spec = sheet_spec("Pairs")
        cols = {c.key: c for c in spec.columns}
        if not rows:
            self.error(
                "The Pairs sheet has no pairs yet.",
                "Fill in one row per mentor/mentee pair below the header row.",
                "Pairs",
            )
            return []
        pairs: list[Pair] = []
        seen_ids: dict[str, int] = {}
        emails: dict[str, tuple[str, int]] = {}
        for row in rows:
            v = {key: self.cell(row, col) for key, col in cols.items()}
            header = row.headers
            pair_id = v["pair_id"]
            if pair_id:
                folded = pair_id.casefold()
                if folded in seen_ids:
                    self.fail(
                        row,
                        header["pair_id"],
                        f"Pair ID '{pair_id}' is used twice (first on row {seen_ids[folded]}); IDs must differ (letter case aside).",
                        "Give each pair its own ID, e.g. the next free number.",
                    )
                    pair_id = None
                else:
                    seen_ids[folded] = row.number
                    self.known_ids[folded] = pair_id
            same_email = (
                v["mentor_email"]
                and v["mentee_email"]
                and v["mentor_email"].casefold() == v["mentee_email"].casefold()
            )
            if same_email:
                self.fail(
                    row,
                    header["mentee_email"],
                    f"The mentor and the mentee have the same email address ({v['mentee_email']}).",
                    "A pair is two people: correct the mentor's or the mentee's email.",
                )
            elif v["mentor_name"] and _same_name(v["mentor_name"], v["mentee_name"] or ""):
                self.fail(
                    row,
                    header["mentee_name"],
                    f"The mentor and the mentee have the same name ({v['mentee_name']}).",
                    "A pair is two people: correct the mentor's or the mentee's name.",
                )
            for who in ("mentor", "mentee"):
                email, name = v[f"{who}_email"], v[f"{who}_name"]
                if not email or not name or same_email:
                    continue
                known = emails.setdefault(email.casefold(), (name, row.number))
                if not _same_name(known[0], name):
                    self.warn(
                        f"The email {email} belongs to '{known[0]}' on row {known[1]} but to '{name}' here.",
                        "Check for a copy-and-paste slip: one person, one email address.",
                        row.sheet,
                        row.number,
                        header[f"{who}_email"],
                    )
            start = v["start_date"] or (program.start_date if program else None)
            end = v["end_date"] or (program.end_date if program else None)
            if start and end and end < start:
                self.fail(
                    row,
                    header["end_date" if v["end_date"] else "start_date"],
                    f"The pair ends ({end.isoformat()}) before it starts ({start.isoformat()}).",
                    "Correct the pair's Start date or End date (blank = the program's dates).",
                )
                start = end = None
            elif (
                program and start and end and (start < program.start_date or end > program.end_date)
            ):
                which = "start_date" if start < program.start_date else "end_date"
                self.warn(
                    f"The pair's dates ({start.isoformat()} to {end.isoformat()}) go outside the program's ({program.start_date.isoformat()} to {program.end_date.isoformat()}).",
                    "Check the dates; leave them blank to use the program's.",
                    row.sheet,
                    row.number,
                    header[which],
                )
            if v["meeting_day"] and _is_blank(row.values.get("frequency")):
                self.warn(
                    "A meeting day is set but no Frequency, so no meeting dates are worked out.",
                    "Choose a Frequency (Weekly, Every 2 weeks or Monthly), or list the meetings on the Meetings sheet.",
                    row.sheet,
                    row.number,
                    header["frequency"],
                )
            elif v["frequency"] and _is_blank(row.values.get("meeting_day")):
                self.warn(
                    "A Frequency is set but no Meeting day, so no meeting dates are worked out.",
                    "Choose a Meeting day, or list the meetings on the Meetings sheet.",
                    row.sheet,
                    row.number,
                    header["meeting_day"],
                )
            if v["meeting_mode"] == "Online" and not v["meeting_place"]:
                self.warn(
                    "The pair meets online but Meeting place has no video link.",
                    "Put the video meeting link in Meeting place so it reaches the forms and calendar.",
                    row.sheet,
                    row.number,
                    header["meeting_place"],
                )
            required = ("pair_id", "mentor_name", "mentor_email", "mentee_name", "mentee_email")
            if (
                pair_id is None
                or any(v[key] is None for key in required)
                or start is None
                or end is None
            ):
                continue
            if same_email or _same_name(v["mentor_name"], v["mentee_name"]):
                continue
            if any(key in row.bad for key in cols) or any(
                v[key] is None and not _is_blank(row.values.get(key)) for key in cols
            ):
                continue  # a value was reported as wrong
            pairs.append(
                Pair(
                    pair_id=pair_id,
                    mentor=Person(
                        v["mentor_name"],
                        v["mentor_email"],
                        v["mentor_role"] or "",
                        v["mentor_phone"] or "",
                    ),
                    mentee=Person(
                        v["mentee_name"],
                        v["mentee_email"],
                        v["mentee_role"] or "",
                        v["mentee_phone"] or "",
                    ),
                    start_date=start,
                    end_date=end,
                    plan_type=v["plan_type"] or "Mentee-focused",
                    meeting_day=v["meeting_day"] or "",
                    meeting_time=v["meeting_time"],
                    meeting_length=v["meeting_length"],
                    meeting_mode=v["meeting_mode"] or "",
                    meeting_place=v["meeting_place"] or "",
                    frequency=v["frequency"] or "",
                    cancellation_plan=v["cancellation_plan"] or "",
                    informal_contact=v["informal_contact"] or "",
                    status=v["status"] or "Active",
                    extra=dict(row.extra),
                    row=row.number,
                )
            )
        return pairs

    def pair_ref(
        self, row: _Row, pair_id: str | None, pairs: dict[str, Pair], blank_ok: bool = False
    ) -> Pair | None:
        """The pair a Goals/Meetings/Commitments row refers to; reports an unknown ID."""
        if not pair_id:
            return None
        pair = pairs.get(pair_id.casefold())
        if pair is None and pair_id.casefold() not in self.known_ids:
            if pair_id not in self.suggestions:  # many rows may repeat one wrong ID
                known = sorted(self.known_ids.values())
                close = difflib.get_close_matches(pair_id, known, n=1)
                self.suggestions[pair_id] = f"Did you mean '{close[0]}'? " if close else ""
            hint = self.suggestions[pair_id]
            self.fail(
                row,
                row.headers["pair_id"],
                f"Pair ID '{pair_id}' is not on the Pairs sheet.",
                f"{hint}Use an ID from the Pairs sheet, or add the pair there.",
            )
        return pair

    def rows_ok(self, row: _Row, values: dict[str, Any]) -> bool:
        return not row.bad and not any(
            values.get(key) is None and not _is_blank(row.values.get(key)) for key in values
        )

    def load_goals(self, rows: list[_Row] | None, pairs: dict[str, Pair]) -> dict[str, list[Goal]]:
        spec = sheet_spec("Goals")
        by_pair: dict[str, list[tuple[Goal, _Row, bool]]] = {}
        for row in rows or []:
            v = {col.key: self.cell(row, col) for col in spec.columns}
            pair = self.pair_ref(row, v["pair_id"], pairs)
            if v["number"] is not None and v["number"] < 1:
                self.fail(
                    row,
                    row.headers["number"],
                    f"Goal # {v['number']} is not 1 or more.",
                    "Number the goals 1, 2, 3...",
                )
                continue
            if pair is None or v["goal"] is None or not self.rows_ok(row, v):
                continue
            if v["target_date"] and not pair.start_date <= v["target_date"] <= pair.end_date:
                self.warn(
                    f"The target date {v['target_date'].isoformat()} is outside the pair's dates ({pair.start_date.isoformat()} to {pair.end_date.isoformat()}).",
                    "Check the date.",
                    row.sheet,
                    row.number,
                    row.headers["target_date"],
                )
            goal = Goal(
                pair_id=pair.pair_id,
                number=v["number"] or 0,
                goal=v["goal"],
                horizon=v["horizon"] or "",
                mentor_support=v["mentor_support"] or "",
                mentee_accountable=v["mentee_accountable"] or "",
                measure=v["measure"] or "",
                target_date=v["target_date"],
                extra=dict(row.extra),
                row=row.number,
            )
            by_pair.setdefault(pair.pair_id, []).append((goal, row, v["number"] is not None))
        result: dict[str, list[Goal]] = {}
        for pair_id, entries in by_pair.items():
            used: dict[int, int] = {}
            for goal, row, numbered in entries:
                if numbered:
                    if goal.number in used:
                        self.fail(
                            row,
                            row.headers["number"],
                            f"Pair {pair_id} has two goals numbered {goal.number} (rows {used[goal.number]} and {row.number}).",
                            "Number the pair's goals 1, 2, 3... or leave Goal # blank to number them in sheet order.",
                        )
                        continue
                    used[goal.number] = row.number
            next_free = 1
            for goal, _, numbered in entries:
                if not numbered:
                    while next_free in used:
                        next_free += 1
                    goal.number = next_free
                    used[next_free] = goal.row
            goals = sorted((g for g, _, _ in entries), key=lambda g: g.number)
            if len(goals) > 5:
                sixth = sorted(goals, key=lambda g: g.row)[5]
                self.warn(
                    f"Pair {pair_id} has {len(goals)} goals; the goal sheet is meant for 3 to 5.",
                    "Consider merging or dropping goals (all of them are still used).",
                    "Goals" if not rows else rows[0].sheet,
                    sixth.row,
                    rows[0].headers["goal"] if rows else "Goal",
                )
            result[pair_id] = goals
        return result

    def load_meetings(
        self, rows: list[_Row] | None, pairs: dict[str, Pair]
    ) -> dict[str, list[Meeting]]:
        spec = sheet_spec("Meetings")
        result: dict[str, list[Meeting]] = {}
        seen: dict[tuple[str, dt.date, dt.time | None], int] = {}
        for row in rows or []:
            v = {col.key: self.cell(row, col) for col in spec.columns}
            pair = self.pair_ref(row, v["pair_id"], pairs)
            if pair is None or v["date"] is None or not self.rows_ok(row, v):
                continue
            when = v["time"] or pair.meeting_time
            if not pair.start_date <= v["date"] <= pair.end_date:
                self.warn(
                    f"The meeting on {v['date'].isoformat()} is outside the pair's dates ({pair.start_date.isoformat()} to {pair.end_date.isoformat()}).",
                    "Check the date.",
                    row.sheet,
                    row.number,
                    row.headers["date"],
                )
            key = (pair.pair_id, v["date"], when)
            if key in seen:
                self.warn(
                    f"Pair {pair.pair_id} has this meeting twice (rows {seen[key]} and {row.number}).",
                    "Delete one of the two rows.",
                    row.sheet,
                    row.number,
                    row.headers["date"],
                )
                continue
            seen[key] = row.number
            result.setdefault(pair.pair_id, []).append(
                Meeting(
                    pair_id=pair.pair_id,
                    date=v["date"],
                    time=when,
                    place=v["place"] or pair.meeting_place,
                    focus=v["focus"] or "",
                    row=row.number,
                )
            )
        return result

    def load_commitments(self, rows: list[_Row] | None, pairs: dict[str, Pair]) -> list[Commitment]:
        spec = sheet_spec("Commitments")
        result: list[Commitment] = []
        for row in rows or []:
            v = {col.key: self.cell(row, col) for col in spec.columns}
            pair = self.pair_ref(row, v["pair_id"], pairs)
            if v["pair_id"] and pair is None:
                continue
            if v["commitment"] is None or not self.rows_ok(row, v):
                continue
            result.append(
                Commitment(
                    pair_id=pair.pair_id if pair else "",
                    area=v["area"] or "Other",
                    text=v["commitment"],
                    row=row.number,
                )
            )
        return result

    def load_calendar(self, rows: list[_Row] | None) -> list[CalendarItem]:
        spec = sheet_spec("Calendar")
        result: list[CalendarItem] = []
        for row in rows or []:
            month_raw = row.values.get("month")
            if isinstance(month_raw, (dt.date, dt.datetime)):
                row.values["month"] = month_raw.strftime("%B %Y")
            v = {col.key: self.cell(row, col) for col in spec.columns}
            if v["month"] is None or v["task"] is None:
                continue
            result.append(CalendarItem(v["month"], v["task"], v["notes"] or "", row=row.number))
        return result


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def validate_roster(path: str | os.PathLike[str]) -> tuple[Roster | None, list[Problem]]:
    """The roster (None when there is an error) and every problem, errors first; never raises
    for a problem in the file. ``check_roster`` and ``load_roster`` in one pass."""
    loader = _Loader(Path(path))
    roster = loader.load()
    problems = loader.sorted_problems()
    if loader.has_errors:
        return None, problems
    if roster is not None:
        roster.warnings = [p for p in problems if p.severity == "warning"]
    return roster, problems


def check_roster(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in the roster workbook: errors first, then warnings.

    Never raises for a problem in the file (missing, wrong type, locked, damaged, bad values):
    each becomes a :class:`Problem` naming the sheet, row, column and a fix.
    """
    return validate_roster(path)[1]


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """Read and validate the roster workbook at ``path``.

    Raises :class:`RosterError` listing every error at once. The returned roster's ``warnings``
    holds the things that are allowed but probably wrong.
    """
    roster, problems = validate_roster(path)
    if roster is None:
        raise RosterError(problems)
    return roster


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summarize(roster: Roster) -> str:
    """One line saying what a roster holds, for the command line."""
    active = sum(1 for p in roster.pairs if p.active)
    goals = sum(len(p.goals) for p in roster.pairs)
    listed = sum(1 for p in roster.pairs for m in p.meetings if not m.derived)
    derived = sum(1 for p in roster.pairs for m in p.meetings if m.derived)
    return (
        f"'{roster.program.name}': {_count(len(roster.pairs), 'pair')}, {active} active; "
        f"{_count(goals, 'goal')}; {_count(listed, 'meeting')} listed and {derived} worked out "
        f"from meeting days; {_count(len(roster.commitments), 'program-wide commitment')}; "
        f"{_count(len(roster.calendar), 'calendar task')}."
    )
