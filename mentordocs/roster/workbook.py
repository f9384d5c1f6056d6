"""Opening the roster workbook and reading its sheets into rows.

``open_workbook`` reports a file that is missing, locked, damaged or not an .xlsx workbook;
``read_table`` finds a sheet's header row, matches its headers to the format's columns and
returns the data rows, with a problem for each formula that has no saved result.
"""

from __future__ import annotations

import difflib
import io
import os
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from mentordocs.fsutil import office_lock_file
from mentordocs.ooxml.ns import OLE_SIGNATURE
from mentordocs.records import HIDDEN_SHEET
from mentordocs.roster.cells import CellReader, Row, as_text, is_blank
from mentordocs.roster.layout import LayoutError, SheetLayout, read_layouts
from mentordocs.roster.problems import Problems
from mentordocs.roster.schema import (
    SHEETS,
    Column,
    HeaderMatcher,
    SheetSpec,
    compact,
    lookalike,
    normalize_header,
)

_ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_SAVE_AS_XLSX = (
    "Open it in Excel and choose File > Save As > Excel Workbook (.xlsx), then use that file."
)
READER_VARIABLE = "MENTORDOCS_ROSTER_READER"  # "plain": read the roster the plain way
_EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")

# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


class SheetRow(NamedTuple):
    number: int  # as Excel numbers the row
    values: list[object]  # the saved values
    formulas: list[bool]  # whether each cell holds a formula


@dataclass(frozen=True)
class Merged:
    """Merged cells whose value (that of their top-left cell) was given to each of them."""

    ref: str  # as Excel names the range, e.g. "O4:O6"
    min_row: int
    max_row: int
    min_col: int  # 1-based, as openpyxl counts columns
    max_col: int
    value: object


@dataclass
class Sheet:
    """One worksheet as read: every row (blank ones included), the merged ranges whose value
    was copied into each of their cells, and the rows hidden in Excel (filtered out too)."""

    title: str
    rows: list[SheetRow]
    merged: list[Merged]
    hidden: list[int]  # row numbers, as Excel numbers them


class Book:
    """The roster workbook, read the plain way: each sheet's rows, with each cell's saved value
    and whether it holds a formula, its merged cells and hidden rows.

    It is opened as written, where openpyxl gives a formula cell its formula, in openpyxl's
    normal mode, which reports merged cells and hidden rows but makes an object of every cell,
    and so needs far more memory on a large roster. ``open_workbook`` reads the workbook the
    fast way (``StreamedBook``), and this way only when that fails or is asked for
    (``MENTORDOCS_ROSTER_READER=plain``). A workbook whose charts or images openpyxl cannot
    read is opened read-only instead (``layout`` False: no merged cells, no hidden rows). Only when a sheet has formulas is the
    workbook opened a second time, read-only, for the results Excel saved (``data_only``), so
    a workbook without formulas is read once.
    """

    def __init__(self, data: bytes, formulas: Workbook, layout: bool = True) -> None:
        self.data = data
        self.formulas = formulas
        self.layout = layout  # False: opened read-only, without merged cells and hidden rows
        self.values: Workbook | None = None

    @property
    def titles(self) -> list[str]:
        return [sheet.title for sheet in self.formulas.worksheets]

    def find_sheet(self, name: str, aliases: tuple[str, ...] = ()) -> str | None:
        """The title of the worksheet called ``name`` or one of ``aliases`` (case, spaces and
        punctuation aside)."""
        wanted = {compact(n) for n in (name, *aliases)}
        return next((title for title in self.titles if compact(title) in wanted), None)

    def sheet(self, title: str) -> Sheet:
        """The sheet called ``title``: its rows, merged cells filled in, and hidden rows."""
        sheet = next(s for s in self.formulas.worksheets if s.title == title)
        if not self.layout:
            sheet.reset_dimensions()  # read every row, whatever the file claims its size is
        values = _cells(sheet.iter_rows(values_only=True))
        formulas = self._saved_results(title, values)
        if not self.layout:
            return _finished(title, values, formulas, [], [])
        hidden = sorted(number for number, dim in sheet.row_dimensions.items() if dim.hidden)
        return _finished(title, values, formulas, sheet.merged_cells.sorted(), hidden)

    def _saved_results(self, title: str, values: list[list[object]]) -> list[list[bool]]:
        """Whether each cell holds a formula; a formula in ``values`` is replaced by the
        result Excel saved (None when it saved none), read from the workbook opened again."""
        formulas = [[_is_formula(value) for value in row] for row in values]
        if not any(any(row) for row in formulas):
            return formulas
        if self.values is None:  # the same bytes, opened once already: no new failure
            self.values = openpyxl.load_workbook(
                io.BytesIO(self.data), read_only=True, data_only=True
            )
        saved = next(s for s in self.values.worksheets if s.title == title)
        saved.reset_dimensions()  # read every row, whatever the file claims its size is
        rows = iter(_cells(saved.iter_rows(values_only=True)))
        for index, forms in enumerate(formulas):
            row = next(rows, [])
            width = max(len(row), len(forms))
            row.extend([None] * (width - len(row)))  # read-only rows may be short
            forms.extend([False] * (width - len(forms)))
            values[index] = row
        return formulas

    def close(self) -> None:
        self.formulas.close()
        if self.values is not None:
            self.values.close()


class StreamedBook(Book):
    """The roster workbook, read the fast way: the cells from openpyxl's read-only mode, which
    streams them, the merged cells and hidden rows from ``layout.read_layouts``. It gives the
    same sheets as ``Book`` (tests/test_roster_layout.py) and leaves the process far smaller.
    """

    def __init__(self, data: bytes, formulas: Workbook, layouts: dict[str, SheetLayout]) -> None:
        super().__init__(data, formulas)
        if list(layouts) != self.titles:
            raise LayoutError(f"sheets {list(layouts)} where openpyxl reads {self.titles}")
        self.layouts = layouts

    def sheet(self, title: str) -> Sheet:
        sheet = next(s for s in self.formulas.worksheets if s.title == title)
        sheet.reset_dimensions()  # read every row, whatever the file claims its size is
        values = _cells(sheet.iter_rows(values_only=True))
        formulas = self._saved_results(title, values)
        layout = self.layouts[title]
        return _finished(title, values, formulas, layout.merged, layout.hidden)


def _cells(rows: Iterable[Iterable[object]]) -> list[list[object]]:
    """The values of a sheet's rows, as openpyxl reads them (``iter_rows``, which reads the
    sheet's XML as it goes)."""
    with warnings.catch_warnings():
        # Reading a sheet's XML, openpyxl warns about the parts it would drop when saving
        # (Excel's drop-down and formatting extensions...): the roster is never saved.
        warnings.simplefilter("ignore", UserWarning)
        return [list(row) for row in rows]


def _finished(
    title: str,
    values: list[list[object]],
    formulas: list[list[bool]],
    merged: list[CellRange],
    hidden: list[int],
) -> Sheet:
    """The sheet, its merged cells filled in, without the blank cells after the last value of
    each row and the blank rows after the last (how wide openpyxl makes a sheet depends on
    its mode, and on the cells it makes itself: for links, comments, merged cells)."""
    filled = _fill_merged(values, formulas, merged)
    for row, forms in zip(values, formulas, strict=True):
        end = len(row)
        while end and row[end - 1] is None and not forms[end - 1]:
            end -= 1
        del row[end:], forms[end:]
    while values and not values[-1]:
        values.pop()
        formulas.pop()
    numbered = enumerate(zip(values, formulas, strict=True), start=1)
    rows = [SheetRow(number, vals, forms) for number, (vals, forms) in numbered]
    return Sheet(title, rows, filled, hidden)


def _width(row: list[object]) -> int:
    """How many cells of ``row`` there are up to its last one that holds a value."""
    return next((len(row) - n for n, value in enumerate(reversed(row)) if value is not None), 0)


def _fill_merged(
    values: list[list[object]], formulas: list[list[bool]], ranges: list[CellRange]
) -> list[Merged]:
    """Give every cell of each merged range the value of its top-left cell (Excel shows that
    value across the range and keeps no other; openpyxl's read-only mode reads what another
    cell may still hold). The ranges with a value."""
    for cells in ranges:  # first every cell but the top-left one blank, as Excel shows them
        top, left = cells.min_row - 1, cells.min_col - 1
        for index in range(top, min(cells.max_row, len(values))):
            row, forms = values[index], formulas[index]
            for col in range(left + (index == top), min(cells.max_col, len(row))):
                row[col], forms[col] = None, False
    # A range is spread over the rows and columns that hold a value Excel shows
    # (after the blanking above), no further: a whole column
    # merged (A1:A1048576) would otherwise become a million rows of that value alone.
    last_row = max(
        (n for n, row in enumerate(values, 1) if any(v is not None for v in row)), default=0
    )
    width = max((_width(row) for row in values), default=0)
    filled: list[Merged] = []
    for cells in ranges:
        top, left = cells.min_row - 1, cells.min_col - 1
        inside = top < len(values) and left < len(values[top])
        value = values[top][left] if inside else None
        is_formula = formulas[top][left] if inside else False
        if is_blank(value) and not is_formula:
            continue
        max_row, max_col = min(cells.max_row, last_row), min(cells.max_col, width)
        for index in range(top, max_row):
            row, forms = values[index], formulas[index]
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
                forms.extend([False] * (max_col - len(forms)))
            for col in range(left, max_col):
                row[col], forms[col] = value, is_formula
        filled.append(Merged(cells.coord, cells.min_row, max_row, cells.min_col, max_col, value))
    return filled


def _is_formula(value: object) -> bool:
    """Whether a cell read as written holds a formula: openpyxl gives its text, starting with
    "=", or an ArrayFormula or DataTableFormula. (Text typed as '=... counts too; it only makes
    the sheet be read twice, and its saved value is the same text.)"""
    return (isinstance(value, str) and value.startswith("=")) or isinstance(
        value, (ArrayFormula, DataTableFormula)
    )


def open_workbook(path: Path, problems: Problems, plain: bool | None = None) -> Book | None:
    """The workbook at ``path``, or None after reporting why it cannot be read.

    It is read the fast way (``StreamedBook``); the plain way (``Book``) when that fails, when
    ``plain`` is true, or when ``plain`` is None and the environment variable
    MENTORDOCS_ROSTER_READER is "plain" (to compare the two, or to step around the fast way).
    """
    data = _read_bytes(path, problems)
    if data is None:
        return None
    wrong_format = _format_problem(path.suffix.lower(), data)
    if wrong_format is not None:
        problems.error(*wrong_format)
        return None
    if plain is None:
        plain = os.environ.get(READER_VARIABLE, "").strip().lower() == "plain"
    book: Book | None = None if plain else _streamed(data)
    if book is None:
        book = _plain(data, problems)
        if book is None:
            return None
    if HIDDEN_SHEET in book.titles:  # read as a roster, its sheets would be "fixed" into one
        book.close()
        problems.error(
            "This is the tracking workbook 'mentordocs collect' writes, not a roster.",
            "Give the roster workbook instead: the one you filled in with the pairs (made by "
            "'mentordocs init', e.g. roster.xlsx).",
        )
        return None
    lock = office_lock_file(path)
    if lock is not None:
        problems.warn(
            f"The workbook seems to be open in Excel or LibreOffice ({lock.name} is beside it): changes not yet saved are not seen.",
            "Save the workbook in Excel first (you may keep it open).",
        )
    return book


def _streamed(data: bytes) -> StreamedBook | None:
    """The workbook read the fast way; None when it cannot be, and the plain way then reads
    it, or reports why it cannot."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # as for the plain way, below
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # the plain way reports what is wrong
        return None
    try:
        return StreamedBook(data, workbook, read_layouts(data))
    except Exception:  # a layout it cannot read as openpyxl would
        workbook.close()
        return None


def _plain(data: bytes, problems: Problems) -> Book | None:
    """The workbook read the plain way, in openpyxl's normal mode (read-only when that
    fails, with a warning); None after reporting why it cannot be read."""
    try:
        with warnings.catch_warnings():
            # openpyxl's normal mode warns about the parts it would drop when saving (Excel's
            # drop-down and formatting extensions, shapes...): the roster is never saved.
            warnings.simplefilter("ignore", UserWarning)
            return Book(data, openpyxl.load_workbook(io.BytesIO(data)))
    except zipfile.BadZipFile:
        problems.error(
            "The file is damaged: it is not a complete Excel workbook.",
            "Open it in Excel (which offers to repair it) and save it again, or restore a backup copy.",
        )
        return None
    except Exception as exc:  # openpyxl raises many kinds on broken or foreign files
        # The normal mode also reads charts, images and the like, which read-only mode skips:
        # a workbook whose extras openpyxl cannot read is still read, without merged cells
        # and hidden rows.
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        except Exception:
            problems.error(
                f"The file cannot be read as an Excel workbook ({type(exc).__name__}: {exc}).",
                "Open it in Excel and save it again as Excel Workbook (.xlsx), or restore a backup copy.",
            )
            return None
        problems.warn(
            f"Part of the workbook cannot be read ({type(exc).__name__}: {exc}), so merged cells are read as blank and hidden rows are not pointed out.",
            "Open the workbook in Excel and save it again; check merged cells yourself meanwhile.",
        )
        return Book(data, workbook, layout=False)


def _read_bytes(path: Path, problems: Problems) -> bytes | None:
    """The file's bytes, or None after reporting a lock file, a missing, unreadable or empty
    file, or a folder."""
    if path.name.startswith("~$"):
        real = path.with_name(path.name[2:])
        problems.error(
            "This is the lock file Excel keeps while a workbook is open, not the roster itself.",
            f"Give the workbook's own name instead, e.g. {real.name}.",
        )
        return None
    if not path.exists():
        problems.error(
            "File not found.",
            "Check the name and folder; run 'mentordocs init' to create a new roster.",
        )
        return None
    if path.is_dir():
        inside = path / "roster.xlsx"
        hint = f"Did you mean {inside}?" if inside.is_file() else "Give the path of the .xlsx file."
        problems.error("This is a folder, not a roster workbook.", hint)
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.error(
            f"The file cannot be read: {exc.strerror or exc}.",
            "Close it in Excel if another program holds it, and check that you may read it.",
        )
        return None
    if not data:
        problems.error(
            "The file is empty (0 bytes).",
            "Restore the roster from a backup, or save it again from Excel.",
        )
        return None
    return data


def _format_problem(suffix: str, data: bytes) -> tuple[str, str] | None:
    """(message, fix) when the file is not an .xlsx workbook: CSV, another spreadsheet's
    format, an old or password-protected Excel file, anything else that is not a zip."""
    if suffix in (".csv", ".tsv", ".txt"):
        return (
            "This is a text (CSV) file; a roster needs several sheets, which CSV cannot hold.",
            "Copy the rows into the workbook made by 'mentordocs init' and save it as Excel Workbook (.xlsx).",
        )
    if suffix in (".ods", ".numbers"):
        return (
            f"This is a {suffix} spreadsheet; mentordocs reads Excel workbooks (.xlsx).",
            "Save it in Excel format: File > Save As > Excel 2007-365 (.xlsx) in LibreOffice, or File > Export To > Excel in Numbers.",
        )
    if data.startswith(OLE_SIGNATURE):
        if any(marker in data for marker in _ENCRYPTED_MARKERS):
            return (
                "The workbook is protected with a password, so it cannot be read.",
                "In Excel choose File > Info > Protect Workbook > Encrypt with Password, clear the password, and save.",
            )
        return "This is an old Excel 97-2003 workbook (.xls).", _SAVE_AS_XLSX
    if suffix == ".xls":
        return "This is an old Excel 97-2003 workbook (.xls), or not Excel at all.", _SAVE_AS_XLSX
    if not data.startswith(b"PK"):
        looks_text = b"\x00" not in data[:2048]
        return (
            "This is not an Excel workbook"
            + (" (it looks like a text file)." if looks_text else "."),
            "Give the roster saved from Excel as Excel Workbook (.xlsx).",
        )
    return None


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


@dataclass
class _Columns:
    """Where a sheet's columns are, found from its header row."""

    header_row: int  # as Excel numbers it
    known: dict[int, str]  # column index -> key of a column of the format
    extras: dict[int, tuple[str, str]]  # column index -> (normalised header, header as written)
    headers: dict[str, str]  # key -> header as written (the format's header when absent)
    missing: frozenset[str]  # keys of the required columns the header row lacks (reported)

    def header_at(self, index: int) -> str | None:
        """The header of the column at ``index`` as written, None when it has none."""
        if index in self.known:
            return self.headers[self.known[index]]
        return self.extras[index][1] if index in self.extras else None


@dataclass
class Table:
    """A sheet's data rows, and the keys of the required columns its header row lacks.

    Those columns were reported once; in each row they are marked as reported (``Row.bad``),
    so nothing that only follows from their absence is reported again.
    """

    title: str
    rows: list[Row]
    missing: frozenset[str]


def read_table(spec: SheetSpec, book: Book, cells: CellReader) -> Table | None:
    """The sheet's non-blank data rows, or None when the sheet is missing or empty (reported
    when the workbook must have it; an optional sheet without rows is an empty table)."""
    problems = cells.problems
    title = book.find_sheet(spec.name, spec.aliases)
    if title is None:
        if spec.required:
            _missing_sheet(spec, book, problems)
        return None
    sheet = book.sheet(title)
    matcher = HeaderMatcher(spec.columns)
    header_index = _header_index(sheet.rows, matcher)
    if header_index is None:
        if spec.required:
            headers = ", ".join(c.header for c in spec.columns)
            problems.error(
                f"The '{title}' sheet is empty.",
                f"Put the headers {headers} in row 1 and one row per entry below.",
                sheet=title,
            )
            return None
        return Table(title, [], frozenset())
    columns = _match_headers(spec, title, sheet.rows[header_index], matcher, problems)
    rows = _data_rows(title, sheet.rows[header_index + 1 :], columns, cells)
    _merged_and_hidden(spec, sheet, columns, rows, problems)
    return Table(title, rows, columns.missing)


def _missing_sheet(spec: SheetSpec, book: Book, problems: Problems) -> None:
    """Report a required sheet the workbook lacks, naming the sheets it has and the one that
    may be meant: a sheet with its required headers, or with a name close to its own."""
    headers = ", ".join(c.header for c in spec.columns)
    titles = book.titles
    others = {compact(n) for s in SHEETS if s is not spec for n in (s.name, *s.aliases)}
    candidates = [t for t in titles if compact(t) not in others]
    matcher = HeaderMatcher(spec.columns)
    required = {c.key for c in spec.columns if c.required}
    meant = next(
        (t for t in candidates if _names_columns(book.sheet(t).rows[:10], matcher, required)),
        None,
    )
    if meant is None:
        by_name = {compact(t): t for t in candidates}
        close = difflib.get_close_matches(compact(spec.name), list(by_name), n=1, cutoff=0.6)
        meant = by_name[close[0]] if close else None
    add = f"add a sheet named '{spec.name}' with the headers {headers} in row 1 (run 'mentordocs init' for a starter workbook)."
    problems.error(
        f"The workbook has no '{spec.name}' sheet. Its sheets are: {', '.join(titles)}.",
        f"If '{meant}' is that sheet, rename it '{spec.name}'; otherwise {add}"
        if meant
        else add[0].upper() + add[1:],
    )


def _names_columns(rows: list[SheetRow], matcher: HeaderMatcher, keys: set[str]) -> bool:
    """Whether one of ``rows`` names every column of ``keys``."""
    for row in rows:
        named = {matcher.match(as_text(v)) for v in row.values if not is_blank(v)}
        if keys <= {col.key for col in named if col is not None}:
            return True
    return False


def _header_index(rows: list[SheetRow], matcher: HeaderMatcher) -> int | None:
    """The header row: of the first 10 rows, the one naming the most known columns (a title row
    above the headers is fine); failing that, the first row with anything in it."""
    header_index: int | None = None
    best = 0
    for i, (_, vals, _) in enumerate(rows[:10]):
        known = sum(1 for v in vals if not is_blank(v) and matcher.match(as_text(v)) is not None)
        if known > best:
            header_index, best = i, known
    if header_index is None:
        header_index = next(
            (i for i, (_, vals, _) in enumerate(rows[:10]) if any(not is_blank(v) for v in vals)),
            None,
        )
    return header_index


def _match_headers(
    spec: SheetSpec, title: str, header: SheetRow, matcher: HeaderMatcher, problems: Problems
) -> _Columns:
    """The columns the header row names; reports two headers of one column, and each missing
    required column."""
    header_row = header.number
    found: dict[str, tuple[int, str]] = {}  # key -> (column index, header as written)
    extras: dict[int, tuple[str, str]] = {}
    for index, raw in enumerate(header.values):
        if is_blank(raw):
            continue
        written = " ".join(as_text(raw).split())
        col = matcher.match(written)
        if col is None:
            key = normalize_header(written) or f"column_{index + 1}"
            if key in {k for k, _ in extras.values()}:
                problems.warn(
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
            problems.error(
                f"Two columns mean '{col.header}': '{found[col.key][1]}' and '{written}'.",
                "Delete or rename one of them.",
                title,
                header_row,
                written,
            )
            continue
        found[col.key] = (index, written)
    missing = _missing_columns(spec, title, header, matcher, found, extras, problems)
    headers = {key: written for key, (_, written) in found.items()}
    headers.update({col.key: col.header for col in spec.columns if col.key not in headers})
    known = {index: key for key, (index, _) in found.items()}
    return _Columns(header_row, known, extras, headers, frozenset(missing))


def _missing_columns(
    spec: SheetSpec,
    title: str,
    header: SheetRow,
    matcher: HeaderMatcher,
    found: dict[str, tuple[int, str]],
    extras: dict[int, tuple[str, str]],
    problems: Problems,
) -> list[str]:
    """The keys of the required columns the header row lacks, each reported with the headers
    found. A one-word header that can only mean a missing column ("Email" where only one
    column ends in "email") is taken as that column (moved from ``extras`` to ``found``)."""
    written_all = [" ".join(as_text(v).split()) for v in header.values if not is_blank(v)]
    listing = ", ".join(f"'{w}'" for w in written_all)
    missing: list[str] = []
    for col in spec.columns:
        if col.key in found:
            continue
        if not col.required:
            _ignored_lookalike(col, title, header, matcher, extras, problems)
            continue
        hints = [i for i, (_, w) in extras.items() if col in matcher.guesses(w)]
        if len(hints) == 1 and matcher.guesses(extras[hints[0]][1]) == [col]:
            found[col.key] = (hints[0], extras.pop(hints[0])[1])
            continue
        missing.append(col.key)
        meant = _meant(col, [extras[i][1] for i in hints], [w for _, w in extras.values()])
        add = f"add a column headed '{col.header}' to row {header.number}."
        problems.error(
            f"The required column '{col.header}' is missing. The headers in row {header.number} are: {listing}.",
            f"If '{meant}' holds the {col.header}, rename it '{col.header}'; otherwise {add}"
            if meant
            else add[0].upper() + add[1:],
            title,
            header.number,
            col.header,
        )
    return missing


def _ignored_lookalike(
    col: Column,
    title: str,
    header: SheetRow,
    matcher: HeaderMatcher,
    extras: dict[int, tuple[str, str]],
    problems: Problems,
) -> None:
    """Warn when an optional column is absent and a header that is not read looks like it
    ('Pair status' or 'Satus' for 'Status'): its values would be ignored without a word. For
    a pair's Status it is an error: ignored, every Paused or Ended pair is taken as Active
    and gets its packet."""
    guesses = [w for _, w in extras.values() if col in matcher.guesses(w)]
    meant = _meant(col, guesses, [w for _, w in extras.values()])
    if meant is None:
        return
    if col.key == "status":
        problems.error(
            f"The column '{meant}' is not one mentordocs reads, and it looks like the column "
            f"'{col.header}', which is missing: read so, every pair would be Active and get "
            "its packet, Paused and Ended ones too.",
            f"If it holds the pairs' status, rename it '{col.header}'; if not, give it another "
            "name that does not look like it.",
            title,
            header.number,
            meant,
        )
        return
    problems.warn(
        f"The column '{meant}' is not one mentordocs reads, so what it holds is ignored; it "
        f"looks like the column '{col.header}', which is missing.",
        f"If it holds the {col.header}, rename it '{col.header}'; if not, leave it as it is.",
        title,
        header.number,
        meant,
    )


def _meant(col: Column, guesses: list[str], unknown: list[str]) -> str | None:
    """The header that may have been meant for ``col``: one it may be short for, or one
    spelled close to it (a typo)."""
    return guesses[0] if guesses else lookalike(col.header, unknown)


def _merged_and_hidden(
    spec: SheetSpec, sheet: Sheet, columns: _Columns, rows: list[Row], problems: Problems
) -> None:
    """Warn about merged cells whose value was read in each of their cells, and hidden rows
    that were read, below the header row."""
    for merged in sheet.merged:
        if merged.max_row <= columns.header_row:
            continue
        where = []
        if merged.max_row > merged.min_row:
            where.append(
                f"rows {_span(str(merged.min_row), str(merged.max_row), merged.max_row - merged.min_row)}"
            )
        if merged.max_col > merged.min_col:
            first, last = get_column_letter(merged.min_col), get_column_letter(merged.max_col)
            where.append(f"columns {_span(first, last, merged.max_col - merged.min_col)}")
        text = " ".join(as_text(merged.value).split())
        shown = text if len(text) <= 40 else text[:37] + "..."
        problems.warn(
            f"Cells {merged.ref} are merged, so '{shown}' was read in every one of them ({' of '.join(where)}).",
            "If that was not meant, unmerge them (Home > Merge & Center > Unmerge Cells) and fill in each cell.",
            sheet.title,
            merged.min_row,
            columns.header_at(merged.min_col - 1),
        )
    read = {row.number for row in rows}
    hidden = [number for number in sheet.hidden if number in read]
    if hidden:
        one = len(hidden) == 1
        listed = _row_list(hidden)
        if spec.name == "Pairs":
            pairs = "this pair" if one else "these pairs"
            fix = f"Hiding a row does not leave it out: if {pairs} left the program, set Status to Ended; otherwise there is nothing to do."
        else:
            fix = "Hiding a row does not leave it out: delete the rows that should not be used; otherwise there is nothing to do."
        problems.warn(
            f"{'Row' if one else 'Rows'} {listed} {'is' if one else 'are'} hidden (or filtered out) in Excel; {'it was' if one else 'they were'} read like every other row.",
            fix,
            sheet.title,
            hidden[0],
        )


def _span(first: str, last: str, steps: int) -> str:
    """``4 and 5``, ``4 to 6``: two rows or columns, or more."""
    return f"{first} and {last}" if steps == 1 else f"{first} to {last}"


def _row_list(numbers: list[int], most: int = 10) -> str:
    """Row numbers as runs: ``7, 9 to 12 and 15``; after ``most`` runs, how many more rows."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    runs = [part for run in runs for part in ([run[:1], run[1:]] if len(run) == 2 else [run])]
    words = [str(r[0]) if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs[:most]]
    if len(runs) > most:
        rest = sum(len(r) for r in runs[most:])
        words.append(f"{rest} more")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _data_rows(title: str, rows: list[SheetRow], columns: _Columns, cells: CellReader) -> list[Row]:
    """The rows below the header row that have anything in them, by column key."""
    problems = cells.problems
    result: list[Row] = []
    unnamed_reported: set[int] = set()
    # Every row has a value (maybe None) for each column with a header, however short it is.
    width = max([*columns.known, *columns.extras], default=-1) + 1
    for number, vals, forms in rows:
        if all(is_blank(v) for v in vals) and not any(forms):
            continue
        row = Row(title, number, {}, columns.headers, bad=set(columns.missing))
        short = max(width - len(vals), 0)
        cells_and_formulas = zip([*vals, *[None] * short], [*forms, *[False] * short], strict=True)
        for index, (value, is_formula) in enumerate(cells_and_formulas):
            if index in columns.extras:
                key, written = columns.extras[index]
            elif index in columns.known:
                key = columns.known[index]
                written = columns.headers[key]
            else:
                if not is_blank(value) and index not in unnamed_reported:
                    unnamed_reported.add(index)
                    problems.warn(
                        f"Column {get_column_letter(index + 1)} has values but no header, so they are ignored.",
                        f"Type a header in row {columns.header_row} to keep them (they then reach the templates).",
                        title,
                        number,
                    )
                continue
            unusable = _formula_problem(value, is_formula)
            if unusable is not None:
                problems.error(*unusable, title, number, written)
                row.bad.add(key)
                value = None
            if index in columns.extras:
                row.extra[key] = cells.extra_value(value, row, written)
            else:
                row.values[key] = value
        result.append(row)
    return result


def _formula_problem(value: object, is_formula: bool) -> tuple[str, str] | None:
    """(message, fix) when the cell is a formula whose saved result cannot be used."""
    if value is None and is_formula:
        return (
            "This cell holds a formula whose result was never saved, so its value is unknown.",
            "Open the workbook in Excel and save it (Excel stores the results), or type the value instead of a formula.",
        )
    if is_formula and value in _EXCEL_ERRORS:
        return (
            f"This cell's formula gives the Excel error {value}.",
            "Correct the formula, or type the value instead.",
        )
    return None
