"""Turning the cells of a roster row into typed values (text, Pair IDs, email addresses,
dates, times, numbers, allowed values), reporting each cell that cannot be turned into one
with its sheet, row and column and how to correct it."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import idna
from openpyxl.utils.datetime import from_excel

from mentordocs.models import PLAN_METHODS, plan_type_of
from mentordocs.records import MANIFEST_NAME, SEND_LOG_NAME
from mentordocs.roster.problems import Problems
from mentordocs.roster.schema import CHOICE_VARIANTS, Column, compact

# A converted cell: str (text, line, id, email, emails, choice, plan), int (int, minutes),
# datetime.date (date) or datetime.time (time); None when blank or reported as wrong.
Converted = str | int | dt.date | dt.time | None

# ---------------------------------------------------------------------------------------------
# Text, and the parsing of what coordinators type
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


def is_blank(value: object) -> bool:
    """Whether a cell counts as empty: nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object) -> str:
    """A cell's value as the coordinator sees it in Excel (whole numbers without ".0")."""
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


def _strip_invisible(text: str) -> str:
    """``text`` without the invisible format characters (zero-width space, byte order mark,
    direction marks) a copy from a web page or a PDF leaves at its ends."""
    while text and (unicodedata.category(text[0]) == "Cf" or text[0].isspace()):
        text = text[1:]
    while text and (unicodedata.category(text[-1]) == "Cf" or text[-1].isspace()):
        text = text[:-1]
    return text


def ascii_domain(domain: str) -> str:
    """An email domain in the ASCII form mail servers use: an international one (``straße.de``)
    encoded by IDNA 2008 (``xn--strae-oqa.de``), as browsers and mail servers do. Python's own
    'idna' codec is IDNA 2003, which writes ``strasse.de``: another domain, someone else's.
    Raises ValueError saying why a domain cannot be written so."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(str(exc)) from exc


def shown_address(address: str) -> str:
    """An address as people write it: an ASCII-encoded international domain
    (``xn--strae-oqa.de``) shown in its own letters (``straße.de``); others as they are."""
    local, at, domain = address.rpartition("@")
    if not at or "xn--" not in domain.casefold():
        return address
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return address


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
    "Type the date again as 2026-09-01 or 1 Sep 2026 (numbers-only dates like 09/01/2026 "
    "are ambiguous); changing the cell's format in Excel does not change what is typed in it."
)


_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")


def _numeric_readings(text: str) -> list[dt.date]:
    """The dates a numbers-only date such as ``13/09/2026`` can be: day first, month first.

    Empty when neither is a date; one date when only one reading is (``13/09/2026``: there is
    no month 13) or both give the same day (``05/05/2026``); two when it is ambiguous. A
    two-digit year is in this century.
    """
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None:
        return []
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    if year < 100:
        year += 2000
    readings: list[dt.date] = []
    for day, month in ((first, second), (second, first)):
        try:
            reading = dt.date(year, month, day)
        except ValueError:
            continue
        if reading not in readings:
            readings.append(reading)
    return readings


# A time typed after a date in one text cell: "2026-09-08 10:00", "8 Sep 2026 3:30 PM",
# "2026-09-08T10:00" (as some systems export it).
_TRAILING_TIME = re.compile(
    r"(?P<date>.*?\d)(?:\s+|T)(?:at\s+)?(?P<time>\d{1,2}(?:[:.]\d{2}){1,2}(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"|\d{1,2}\s*[AaPp]\.?[Mm]\.?)"
)


def split_date_time(text: str) -> tuple[str, dt.time] | None:
    """The date text and the time of a text cell holding both (``2026-09-08 10:00``); None
    when it does not end with a time after a date."""
    match = _TRAILING_TIME.fullmatch(" ".join(text.split()))
    if match is None:
        return None
    time = _parse_time_text(match.group("time"))
    return None if time is None else (match.group("date").rstrip(" ,"), time)


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


_BAD_ID_CHARS = set('/\\:*?"<>|')
_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)
}


# A Pair ID names the pair's folder and, with the form, its files: short enough for every
# file system (255 bytes a name) whatever the letters, and never a file the packets folder holds.
MAX_ID_LENGTH = 40
_PACKETS_FOLDER_FILES = {MANIFEST_NAME, SEND_LOG_NAME}


def _id_problem(pair_id: str) -> str | None:
    if pair_id.casefold() in _PACKETS_FOLDER_FILES:
        return "is the name of a file mentordocs keeps in the packets folder"
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


# ---------------------------------------------------------------------------------------------
# Rows and their converted values
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One data row of a sheet: raw values by column key, as Excel numbers the row.

    ``headers`` gives each column's header as written (the column problems name); ``extra``
    holds the columns the format does not know, by their normalised header.
    """

    sheet: str
    number: int
    values: dict[str, object]
    headers: dict[str, str]
    extra: dict[str, object] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # keys already reported (formula, error value)


class Values:
    """A row's converted cells by column key, read back with their types."""

    def __init__(self, converted: dict[str, Converted]) -> None:
        self.converted = converted

    def text(self, key: str) -> str | None:
        value = self.converted.get(key)
        if value is None or isinstance(value, str):
            return value
        raise TypeError(f"{key}: {value!r} is not text")

    def number(self, key: str) -> int | None:
        value = self.converted.get(key)
        if value is None or isinstance(value, int):
            return value
        raise TypeError(f"{key}: {value!r} is not a number")

    def date(self, key: str) -> dt.date | None:
        value = self.converted.get(key)
        if value is None or isinstance(value, dt.date):
            return value
        raise TypeError(f"{key}: {value!r} is not a date")

    def time(self, key: str) -> dt.time | None:
        value = self.converted.get(key)
        if value is None or isinstance(value, dt.time):
            return value
        raise TypeError(f"{key}: {value!r} is not a time")

    def any_reported(self, row: Row) -> bool:
        """Whether one of these cells of ``row`` was reported: a formula without a result, an
        Excel error, or a value that could not be converted."""
        return any(key in row.bad for key in self.converted) or any(
            value is None and not is_blank(row.values.get(key))
            for key, value in self.converted.items()
        )


class CellReader:
    """Converts cells by their column's kind; every problem goes to ``problems``."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.converters: dict[str, Callable[[object, Row, Column, str], Converted]] = {
            "text": self._to_text,
            "line": self._to_line,
            "id": self._to_id,
            "email": self._to_email,
            "emails": self._to_emails,
            "date": self._to_date,
            "time": self._to_time,
            "int": self._to_int,
            "minutes": self._to_minutes,
            "choice": self._to_choice,
            "plan": self._to_plan,
        }

    def read(self, row: Row, columns: Iterable[Column]) -> Values:
        """Every column's converted value, converted (and reported) in column order."""
        return Values({col.key: self.cell(row, col) for col in columns})

    def cleaned(self, value: object, row: Row, column: str, single_line: bool = False) -> str:
        text, removed = _clean(as_text(value))
        if removed:
            kinds = ", ".join(sorted(set(removed)))
            replaced = (
                "replaced by a line break"
                if {"vertical tab", "form feed"} & set(removed)
                else "removed"
            )
            self.problems.warn(
                f"The cell holds hidden characters that a Word file cannot hold ({kinds}); they were {replaced}.",
                "Nothing to do for the packets; to clean the workbook too, retype the cell.",
                row.sheet,
                row.number,
                column,
            )
        if single_line:
            text = " ".join(text.split())
        return text

    def extra_value(self, value: object, row: Row, column: str) -> object:
        """The value of a column the format does not know, as templates get it."""
        if value is None:
            return ""
        if isinstance(value, str):
            return self.cleaned(value, row, column)
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def cell(self, row: Row, col: Column) -> Converted:
        """The converted value of ``col`` in ``row``; reports a problem and returns None if bad."""
        if col.key in row.bad:
            return None
        raw = row.values.get(col.key)
        column = row.headers.get(col.key, col.header)
        if is_blank(raw):
            if col.required:
                self.problems.error(
                    f"'{col.header}' is required but the cell is empty.",
                    f"Fill in {col.header}." + (f" {col.hint}" if col.hint else ""),
                    row.sheet,
                    row.number,
                    column,
                )
            return None
        return self.converters[col.kind](raw, row, col, column)

    def fail(self, row: Row, column: str, message: str, fix: str) -> None:
        """Report an error in the cell of ``row`` under the header ``column``."""
        self.problems.error(message, fix, row.sheet, row.number, column)

    def _to_text(self, raw: object, row: Row, col: Column, column: str) -> str:
        return self.cleaned(raw, row, column)

    def _to_line(self, raw: object, row: Row, col: Column, column: str) -> str:
        return self.cleaned(raw, row, column, single_line=True)

    def _to_id(self, raw: object, row: Row, col: Column, column: str) -> str | None:
        # One spelling of "é" (Word on a Mac types it as "e" and an accent): the same ID on
        # every sheet, and one folder, whichever computer typed it.
        text = unicodedata.normalize("NFC", self.cleaned(raw, row, column, single_line=True))
        if len(text) > MAX_ID_LENGTH:
            self.fail(
                row,
                column,
                f"Pair ID '{text}' is {len(text)} characters long; it names the pair's folder "
                f"and files, so it can be at most {MAX_ID_LENGTH}.",
                "Give the pair a short ID, e.g. 'P01' (and the same ID on every sheet); names "
                "go in their own columns.",
            )
            return None
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

    def _to_email(self, raw: object, row: Row, col: Column, column: str) -> str | None:
        text = _strip_invisible(self.cleaned(raw, row, column, single_line=True))
        if text.lower().startswith("mailto:"):
            text = text[7:]
        hidden = sorted({c for c in text if unicodedata.category(c) == "Cf"})
        if hidden:  # copied in with the address, inside it: the address a person sees is not it
            names = ", ".join(
                f"U+{ord(c):04X} {unicodedata.name(c, 'FORMAT CHARACTER')}" for c in hidden
            )
            self.fail(
                row,
                column,
                f"'{text}' holds an invisible character ({names}), copied in with the address.",
                "Delete what is in the cell and type the address again.",
            )
            return None
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
        try:
            ascii_domain(text.rpartition("@")[2])
        except ValueError as exc:
            self.fail(
                row,
                column,
                f"'{text}' has a domain (after the @) that is not a valid international domain "
                f"name ({exc}).",
                "Copy the address exactly as the person gave it, or ask them for it again.",
            )
            return None
        if not text.split("@", 1)[0].isascii():  # send refuses it: say so before it is needed
            self.problems.warn(
                f"'{text}' has letters outside plain ASCII (such as é or ü) before the @; few "
                "mail servers accept that, so 'mentordocs send' will not send to it.",
                "Use another address for this person (the same without accents, if it exists).",
                row.sheet,
                row.number,
                column,
            )
        return text

    def _to_emails(self, raw: object, row: Row, col: Column, column: str) -> str | None:
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

    def _to_date(self, raw: object, row: Row, col: Column, column: str) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if 20000 <= raw <= 80000:  # an Excel date serial in a cell formatted as a number
                value: dt.date = from_excel(int(raw)).date()  # the 1900 date system
                self.problems.warn(
                    f"The date is stored as the number {as_text(raw)}; it was read as {value.isoformat()}.",
                    "Choose Format Cells > Date in Excel so everyone sees the date.",
                    row.sheet,
                    row.number,
                    column,
                )
                return value
            self.fail(row, column, f"'{as_text(raw)}' is not a date.", _DATE_FIX)
            return None
        if isinstance(raw, dt.time):
            self.fail(row, column, f"'{as_text(raw)}' is a time, not a date.", _DATE_FIX)
            return None
        text = self.cleaned(raw, row, column, single_line=True)
        parsed = _parse_date_text(text)
        if parsed is not None:
            return parsed
        with_time = split_date_time(text)
        if with_time is not None and with_time[0]:
            text = with_time[0]  # the time is read by whoever needs it (a meeting's)
            parsed = _parse_date_text(text)
            if parsed is not None:
                return parsed
        readings = _numeric_readings(text)
        if len(readings) == 1:
            return readings[0]
        if len(readings) == 2:
            message = f"'{text}' is ambiguous: it could be day/month or month/day."
        else:
            message = f"'{text}' is not a date."
        self.fail(row, column, message, _DATE_FIX)
        return None

    def _to_time(self, raw: object, row: Row, col: Column, column: str) -> dt.time | None:
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

    def _to_int(self, raw: object, row: Row, col: Column, column: str) -> int | None:
        if isinstance(raw, bool):
            raw = as_text(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = self.cleaned(raw, row, column, single_line=True)
        if re.fullmatch(r"\d+", text):
            return int(text)
        self.fail(row, column, f"'{text}' is not a whole number.", "Type a whole number, e.g. 1.")
        return None

    def _to_minutes(self, raw: object, row: Row, col: Column, column: str) -> int | None:
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
                f"'{as_text(raw)}' is not a meeting length in minutes.",
                "Type the number of minutes, e.g. 45.",
            )
            return None
        if minutes > 240:
            self.problems.warn(
                f"A meeting length of {minutes} minutes is unusually long.",
                "Check the number: the column is in minutes (e.g. 45 for three quarters of an hour).",
                row.sheet,
                row.number,
                column,
            )
        return minutes

    def _to_choice(self, raw: object, row: Row, col: Column, column: str) -> str | None:
        text = self.cleaned(raw, row, column, single_line=True)
        found = _match_choice(text, col.choices)
        if found is not None:
            return found
        options = ", ".join(col.choices)
        close = difflib.get_close_matches(
            text.casefold(), [c.casefold() for c in col.choices], n=1, cutoff=0.6
        )
        hint = ""
        if close and not _negates(text, close[0]):
            hint = f"Did you mean '{next(c for c in col.choices if c.casefold() == close[0])}'? "
        self.fail(
            row,
            column,
            f"'{text}' is not one of the allowed values for {col.header}.",
            f"{hint}Choose one of: {options}.",
        )
        return None

    def _to_plan(self, raw: object, row: Row, col: Column, column: str) -> str | None:
        """A plan type: one method, or several joined by '+', ',', '&', '/' or 'and', in any
        order and spelling a method is known by; written as PLAN_TYPES writes it."""
        text = self.cleaned(raw, row, column, single_line=True)
        found = _match_choice(text, col.choices)
        if found is not None:
            return found
        parts = [part for part in _PLAN_SEPARATORS.split(text) if part.strip()]
        methods = [_match_choice(part, PLAN_METHODS) for part in parts]
        unknown = [part.strip() for part, method in zip(parts, methods, strict=True) if not method]
        if parts and not unknown:
            return plan_type_of(method for method in methods if method)
        if len(parts) > 1:
            message = (
                f"'{unknown[0]}' in '{text}' is not a plan method ({', '.join(PLAN_METHODS)})."
            )
        else:
            message = f"'{text}' is not one of the allowed values for {col.header}."
        self.fail(
            row,
            column,
            message,
            f"Choose one of: {', '.join(col.choices)}. (A pair using two methods joins them "
            "with '+'.)",
        )
        return None


_PLAN_SEPARATORS = re.compile(r"\s*(?:[+,&/;]|\band\b|\bwith\b)\s*", re.IGNORECASE)


def _match_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The allowed value ``text`` names, whatever its case and punctuation, or a known variant
    of one (``Tues``, ``Biweekly``); None when it names none."""
    key = compact(text)
    for choice in choices:
        if compact(choice) == key:
            return choice
    variant = CHOICE_VARIANTS.get(key)
    return variant if variant in choices else None


_NEGATIONS = re.compile(r"(?:in|un|non|not|no)[\s-]*", re.IGNORECASE)


def _negates(text: str, choice: str) -> bool:
    """Whether ``text`` is ``choice`` negated ('inactive', 'not active', 'Non-active'): the
    opposite of what it is spelled close to, so never offered as what was meant."""
    folded = text.casefold().strip()
    return folded.endswith(choice) and _NEGATIONS.fullmatch(folded[: -len(choice)]) is not None
