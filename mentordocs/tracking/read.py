"""Reading a tracking workbook back with openpyxl (read-only mode), also after Excel saved it.

``read_tracking`` is what an incremental ``collect`` starts from; ``read_outstanding`` is what
``mentordocs status`` prints and ``send --remind`` uses. Both rely on the hidden sheet the
writer keeps, never on the visible headers (a coordinator may rename, sort and filter them).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from mentordocs.errors import MentordocsError, Problem
from mentordocs.forms import STAGES, Value, load_form_specs
from mentordocs.records import HIDDEN_SHEET
from mentordocs.tracking.data import (
    FORMAT_VERSION,
    NOTES_HEADER,
    OTHER_SHEET,
    PROBLEMS_SHEET,
    REVIEW_SHEET,
    STATUS_SHEET,
    FormDates,
    Note,
    OtherField,
    Outstanding,
    ReturnedForm,
    ReviewItem,
    TrackedPair,
    TrackingData,
    TrackingFileError,
    excel_unescaped,
    row_digest,
)
from mentordocs.tracking.mailstate import MailboxState
from mentordocs.tracking.write import (
    RETURN_COLUMNS,
    REWRITTEN_SHEETS,
    STATUS_COLUMNS,
    problem_message,
)

__all__ = ["Coverage", "read_coverage", "read_not_sent", "read_outstanding", "read_tracking"]

# Any: cell values from openpyxl are str, int, float, bool, datetime or None, untyped there.
Row = tuple[Any, ...]


class _Workbook:
    """A workbook opened read-only; rows come padded so short rows index safely."""

    def __init__(self, path: Path):
        if not path.exists():
            raise TrackingFileError(
                f"{path} does not exist. Run 'mentordocs collect' first to make it."
            )
        # Opened as a file, so that a workbook under another name (the tracking.xlsx.bak
        # collect keeps) is read too: openpyxl goes by the name of a path.
        try:
            self.file = path.open("rb")
        except OSError as exc:
            raise TrackingFileError(f"{path} cannot be opened ({exc.strerror}).") from exc
        try:
            self.wb = load_workbook(self.file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            self.file.close()
            backup = path.with_name(path.name + ".bak")
            restore = (
                f"Restore the copy collect kept ({backup.name}, beside it: copy it over "
                f"{path.name}) or collect again into a new file."
                if backup.exists()
                else "Collect again into a new file (give -o another name)."
            )
            raise TrackingFileError(
                f"{path} is not a workbook mentordocs can read ({exc}). {restore}"
            ) from exc
        self.path = path
        if HIDDEN_SHEET not in self.wb.sheetnames:
            roster = {"Program", "Pairs"} <= set(self.wb.sheetnames)
            self.close()
            raise TrackingFileError(
                f"{path} was not written by 'mentordocs collect' (its hidden sheet "
                f"'{HIDDEN_SHEET}' is missing)"
                + (", it looks like a roster" if roster else "")
                + ". Give the tracking workbook collect writes (its -o, e.g. tracking.xlsx); "
                "to make one, collect into a new file."
            )

    def hidden(self, width: int) -> list[Row]:
        """The hidden sheet's rows; a workbook of a newer format than this version writes is
        refused (it may hold what this version would drop on writing it again)."""
        rows = list(self.rows(HIDDEN_SHEET, width=width))
        written = next((str(r[2]) for r in rows if r[0] == "meta" and r[1] == "format"), "")
        if written.isdigit() and int(written) > int(FORMAT_VERSION):
            raise TrackingFileError(
                f"{self.path} was written by a newer version of mentordocs (its format is "
                f"{written}; this version reads up to {FORMAT_VERSION}). Update mentordocs on "
                "this computer to the version that wrote it, and run the command again."
            )
        return rows

    def rows(self, title: str, min_row: int = 1, width: int = 0) -> Iterator[Row]:
        sheet = self.wb[title]
        for row in sheet.iter_rows(min_row=min_row, values_only=True):
            yield tuple(map(_decoded, row)) + (None,) * max(0, width - len(row))

    def close(self) -> None:
        self.wb.close()
        self.file.close()


def read_tracking(path: str | os.PathLike[str]) -> TrackingData:
    """Read back a tracking workbook written by ``write_tracking`` (for an incremental run)."""
    wb = _Workbook(Path(path))
    try:
        hidden = wb.hidden(width=7)  # a column's header: from 3 Dec 2026
        meta = {row[1]: row[2] for row in hidden if row[0] == "meta"}
        data = TrackingData(include_confidential=meta.get("include_confidential") == "yes")
        data.superseded = {str(r[1]): str(r[2] or "") for r in hidden if r[0] == "superseded"}
        columns: dict[str, list[tuple[int, str, str]]] = {}
        headers: dict[str, list[str]] = {}  # as written (workbooks from 3 December 2026 on)
        for row in hidden:
            if row[0] == "column":
                columns.setdefault(row[1], []).append((int(row[2]), row[3], row[4]))
                headers.setdefault(row[1], []).append(str(row[6] or ""))
        absent: dict[tuple[object, str], set[str]] = {}
        for r in hidden:
            if r[0] == "absent":
                absent.setdefault((r[1], str(r[2])), set()).update(str(r[3] or "").split())
        for row in hidden:
            if row[0] == "form_sheet":
                title, written = row[1], headers.get(row[1], [])
                placed = columns.get(title, [])
                rows = _sheet_rows(wb, title, placed)  # read once: checked, then taken
                data.not_ours += _check_layout(wb.path, title, rows, placed, written, meta)
                sheet = _form_sheet(rows[1:], row[2], placed, meta)
                for ret in sheet:  # the repeated fields the return did not have at all
                    for field_id in absent.get((row[1], ret.pair_id), ()):
                        ret.values.pop(field_id, None)
                data.returns.extend(sheet)
        data.mailbox = MailboxState.from_rows(hidden)
        data.generated = _dates(hidden, "generated")
        data.sent = _dates(hidden, "sent")
        data.program = str(meta.get("program") or "")
        collected = meta.get("collected_at")
        try:
            data.collected_at = dt.datetime.fromisoformat(str(collected)) if collected else None
        except ValueError:
            data.collected_at = collected if isinstance(collected, dt.datetime) else None
        data.form_stages = {str(r[1]): str(r[3] or STAGES[0]) for r in hidden if r[0] == "form"}
        data.stages = [str(r[1]) for r in hidden if r[0] == "stage"] or [STAGES[0]]
        data.pairs = [
            TrackedPair(str(r[1]), str(r[2] or ""), str(r[3] or ""), str(r[4] or ""))
            for r in hidden
            if r[0] == "pair"
        ]
        data.others = _others(wb)
        data.problems = _problems(wb)
        titles = {str(r[2]): str(r[1]) for r in hidden if r[0] == "form"}
        data.review = _review(wb, titles)
        form_sheets = {str(r[1]) for r in hidden if r[0] == "form_sheet"}
        data.not_ours += [
            f"the sheet '{name}'" for name in wb.wb.sheetnames if name not in _OURS | form_sheets
        ]
        for title, layout in _drawn_sheets(hidden).items():
            if title not in wb.wb.sheetnames:
                data.not_ours += _added(title, [], layout)
            elif title == STATUS_SHEET:  # read as cells once: its notes keep their number format
                cells = list(wb.wb[title].iter_rows())
                values = [tuple(_decoded(c.value) for c in r) for r in cells]
                data.not_ours += _added(title, values, layout)
                data.notes, stray = _notes(cells, layout)
                data.not_ours += stray
            else:
                data.not_ours += _added(title, list(wb.rows(title)), layout)
        if _has_comments(wb.path):
            data.not_ours.append("notes (comments) on cells")
        return data
    finally:
        wb.close()


def _dates(hidden: list[Row], kind: str) -> FormDates:
    """The hidden rows [kind, pair id, form, ISO date] (a re-save may have made the date a date)."""
    out: FormDates = {}
    for row in hidden:
        if row[0] != kind:
            continue
        value = row[3]
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError:
                continue
        out[(str(row[1]), str(row[2]))] = value
    return out


_OURS = {HIDDEN_SHEET, *REWRITTEN_SHEETS}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sheet_rows(wb: _Workbook, title: str, columns: list[tuple[int, str, str]]) -> list[Row]:
    """Every row of a form sheet, the header first, padded to its last answer column."""
    if title not in wb.wb.sheetnames:
        raise TrackingFileError(
            f"{wb.path}: sheet '{title}' is missing. Restore the backup or collect again into a "
            "new file."
        )
    return list(wb.rows(title, width=max([10] + [index for index, _, _ in columns]))) or [()]


def _check_layout(
    path: Path,
    title: str,
    rows: list[Row],
    columns: list[tuple[int, str, str]],
    written: list[str],
    meta: dict[object, object],
) -> list[str]:
    """A form sheet's answers are read back by column; raise TrackingFileError when its
    columns are no longer where collect wrote them (a column inserted, deleted or moved, a row
    added above the headers), so that no answer is read under another question. Returns what
    the coordinator added past the last column collect wrote (read safely, but not rewritten).
    ``rows`` are the sheet's rows, the header first."""
    fixed = [name for name, _ in RETURN_COLUMNS]
    if str(meta.get("format")) in ("", "None", "1"):
        fixed = fixed[:9]  # no "Came in as" before format 2
    expected = fixed + written if len(written) == len(columns) else []
    width = max([len(fixed)] + [index for index, _, _ in columns])
    cells = ["" if value is None else str(value).strip() for value in rows[0]]
    while cells and not cells[-1]:
        cells.pop()  # the padding

    backup = path.with_name(path.name + ".bak")
    or_backup = (
        f", or use the copy collect kept before its last run ({backup.name})"
        if backup.exists()
        else ""
    )

    def moved(why: str) -> TrackingFileError:
        return TrackingFileError(
            f"{path}: the columns of sheet '{title}' are not where collect wrote them "
            f"({why}), so its answers cannot be read back under the right questions. Undo the "
            f"change in Excel (keep your own notes in a workbook of your own){or_backup}, and "
            "run the command again."
        )

    for index in range(width):
        found = cells[index] if index < len(cells) else ""
        if not found:
            letter = get_column_letter(index + 1)
            raise moved(f"column {letter} has no header")
        if expected and found != expected[index]:
            neighbours = expected[max(0, index - 1) : index] + expected[index + 1 : index + 2]
            if found in neighbours:
                raise moved(f"column {get_column_letter(index + 1)} holds '{found}'")
    added = [
        f"the column {get_column_letter(index + 1)} ('{cells[index]}') of sheet '{title}'"
        for index in range(width, len(cells))
        if cells[index]
    ]
    for number, row in enumerate(rows[1:], start=2):
        if row[0] and row[5] and not _SHA256.fullmatch(str(row[5])):
            raise moved(f"row {number} holds '{row[5]}' where its checksum belongs, in column F")
        beyond = [i for i, value in enumerate(row[width:], start=width) if value not in (None, "")]
        if beyond and not added:  # a note typed past the last column, with no header
            cell = f"{get_column_letter(beyond[0] + 1)}{number}"
            added.append(f"what is typed in cell {cell} of sheet '{title}'")
    return added


@dataclass(frozen=True)
class _Drawn:
    "How far collect wrote a sheet (as the hidden sheet's 'sheet' rows keep it)."

    rows: int
    width: int
    header_row: int = 0  # 0: no row of column headers to check
    headers: list[str] = field(default_factory=list)
    # Fingerprints of the rows below the headers as written (None: not kept, older workbooks).
    digests: list[str] | None = None
    # Those of the rows above the headers (a title, a date; None: not kept, older workbooks).
    top: list[str] | None = None


def _drawn_sheets(hidden: list[Row]) -> dict[str, _Drawn]:
    """How far collect wrote each sheet it writes anew on every run. A workbook written before
    the hidden sheet kept it: the Status sheet's extent, worked out from its pairs and forms."""
    drawn: dict[str, _Drawn] = {}
    fingerprinted = any(r[0] == "sheet_rows" for r in hidden)  # none in older workbooks
    for r in hidden:
        if r[0] == "sheet":
            title = str(r[1])
            named = [str(h[3] or "") for h in hidden if h[0] == "sheet_header" and h[1] == title]
            chunks = sorted(
                (int(h[2]), str(h[3] or ""))
                for h in hidden
                if h[0] == "sheet_rows" and h[1] == title
            )
            digests = [d for _, chunk in chunks for d in chunk.split()] if fingerprinted else None
            tops = [
                str(h[2] or "").split() for h in hidden if h[0] == "sheet_top" and h[1] == title
            ]
            top = tops[0] if tops else None
            drawn[title] = _Drawn(int(r[2]), int(r[3]), int(r[4] or 0), named, digests, top)
    if drawn:
        return drawn
    pairs = sum(1 for r in hidden if r[0] == "pair")
    forms = sum(1 for r in hidden if r[0] == "form_sheet")
    return {STATUS_SHEET: _Drawn(2 + pairs, 4 + len(STATUS_COLUMNS) * forms)}


def _added(title: str, rows: list[Row], drawn: _Drawn) -> list[str]:
    """What a coordinator changed on a sheet collect writes anew on every run, which the next
    run would lose: columns or rows inserted or deleted among collect's (found by its headers
    no longer where it wrote them), anything typed to the right of its columns, or rows added."""
    moved = _moved_headers(title, rows, drawn)
    if moved:
        return [moved]
    added: list[str] = []
    for number, row in enumerate(rows, start=1):
        beyond = [i for i, value in enumerate(row) if i >= drawn.width and _text(value)]
        if beyond:
            cell = f"{get_column_letter(beyond[0] + 1)}{number}"
            added.append(f"what is typed in cell {cell} of sheet '{title}'")
            break
    if drawn.digests is None:  # an older workbook: only rows below the last are seen
        filled = [n for n, row in enumerate(rows, start=1) if any(_text(v) for v in row)]
        if filled and filled[-1] > drawn.rows:
            added.append(f"what is typed in row {filled[-1]} of sheet '{title}'")
        return added
    above = _first_unwritten(rows[: max(drawn.header_row - 1, 0)], 1, drawn.top, drawn.width)
    if above is not None:
        added.append(
            f"what is typed in row {above} of sheet '{title}' (above the column headers, "
            "where collect writes the sheet's title)"
        )
    notes = (
        drawn.headers.index(NOTES_HEADER)
        if title == STATUS_SHEET and NOTES_HEADER in drawn.headers
        else None
    )
    start = drawn.header_row + 1
    below = _first_unwritten(
        rows[drawn.header_row :], start, drawn.digests, notes if notes is not None else drawn.width
    )
    if below is not None:
        added.append(
            f"what is typed in row {below} of sheet '{title}' (a value collect wrote there was "
            "changed, or the row was added)"
        )
    return added


def _first_unwritten(
    rows: list[Row], first: int, written: list[str] | None, width: int
) -> int | None:
    """The number of the first of ``rows`` (numbered from ``first``) whose values in its first
    ``width`` cells are none of the rows collect ``written`` (their fingerprints; None: none
    were kept, nothing is checked); empty rows are skipped."""
    if written is None:
        return None
    left = Counter(written)
    for number, row in enumerate(rows, start=first):
        digest = row_digest(row[:width])
        if digest is None:
            continue
        if left[digest] > 0:
            left[digest] -= 1
            continue
        return number
    return None


def _moved_headers(title: str, rows: list[Row], drawn: _Drawn) -> str | None:
    """A column or row inserted or deleted among collect's: a header it wrote is not in its
    place any more (renaming one is fine)."""
    if not drawn.header_row:
        return None
    number = drawn.header_row
    cells = [_text(v) for v in rows[number - 1]] if len(rows) >= number else []
    for index, expected in enumerate(drawn.headers):
        found = cells[index] if index < len(cells) else ""
        neighbours = drawn.headers[max(0, index - 1) : index] + drawn.headers[index + 1 : index + 2]
        if found and (found == expected or found not in neighbours):
            continue
        letter = get_column_letter(index + 1)
        now = f"holds '{found}'" if found else "is empty"
        return (
            f"a column or row inserted or deleted on sheet '{title}' (cell {letter}{number}, "
            f"where collect wrote the header '{expected}', {now})"
        )
    return None


def _notes(cells: list[tuple[Any, ...]], drawn: _Drawn) -> tuple[dict[str, Note], list[str]]:
    """The coordinator's notes on the Status sheet (its rows of cells), by pair, each with its
    cell's number format, and any note on a row with no pair (which could not be kept)."""
    if NOTES_HEADER not in drawn.headers:
        return {}, []
    column = drawn.headers.index(NOTES_HEADER)
    notes: dict[str, Note] = {}
    for number, row in enumerate(cells[drawn.header_row :], start=drawn.header_row + 1):
        cell = row[column] if column < len(row) else None
        value = _decoded(cell.value) if cell is not None else None
        if not _text(value):
            continue
        pair_id = _text(_decoded(row[0].value))
        if not pair_id:
            where = f"{get_column_letter(column + 1)}{number}"
            return notes, [
                f"the note in cell {where} of sheet '{STATUS_SHEET}', on a row with no pair"
            ]
        number_format = str(cell.number_format or "General") if cell is not None else "General"
        earlier = notes.get(pair_id)
        if earlier is not None:  # two rows of one pair (a row copied): both notes, as text
            value, number_format = f"{_text(earlier.value)}\n{_text(value)}", "General"
        notes[pair_id] = Note(value, number_format)
    return notes, []


def _decoded(value: Any) -> Any:
    "A cell's value as Excel shows it (its text's _xHHHH_ spellings decoded)."
    return excel_unescaped(value) if isinstance(value, str) else value


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _has_comments(path: Path) -> bool:
    """Whether the workbook holds notes on cells (Excel's comments and threaded comments)."""
    with zipfile.ZipFile(path) as package:
        return any(
            name.startswith(("xl/comments", "xl/threadedComments/")) for name in package.namelist()
        )


def _form_sheet(
    rows: list[Row],
    form: str,
    columns: list[tuple[int, str, str]],
    meta: dict[object, object],
) -> list[ReturnedForm]:
    """The returns on a form sheet's data ``rows``."""
    included = meta.get("include_confidential") == "yes"
    came_in_column = str(meta.get("format")) not in ("", "None", "1")  # from format 2 on
    out = []
    for row in rows:
        if not row[0]:
            continue
        returned = row[3]
        if isinstance(returned, dt.date) and not isinstance(returned, dt.datetime):
            returned = dt.datetime.combine(returned, dt.time())
        out.append(
            ReturnedForm(
                pair_id=str(row[0]),
                form=form,
                source=str(row[4] or ""),
                sha256=str(row[5] or ""),
                returned_at=returned if isinstance(returned, dt.datetime) else None,
                values={fid: _from_cell(row[index - 1], kind) for index, fid, kind in columns},
                confidential_included=included,
                came_in=str(row[9] or "") if came_in_column else "",
            )
        )
    return out


def _others(wb: _Workbook) -> list[OtherField]:
    if OTHER_SHEET not in wb.wb.sheetnames:
        return []
    return [
        OtherField(
            source=str(row[0]),
            sha256=str(row[4] or ""),
            name=str(row[1] or ""),
            kind=row[2] or "text",
            value=_from_cell(row[3], row[2] or "text"),
            tag=str(row[5] or ""),
        )
        for row in wb.rows(OTHER_SHEET, min_row=2, width=6)
        if row[0] is not None
    ]


def _review(wb: _Workbook, form_ids: dict[str, str]) -> list[ReviewItem]:
    """The Review sheet's rows; the sheet shows each form's title, the item keeps its id."""
    if REVIEW_SHEET not in wb.wb.sheetnames:
        return []
    return [
        ReviewItem(
            pair_id=str(row[0]),
            form=form_ids.get(str(row[1] or ""), str(row[1] or "")),
            source=str(row[2] or ""),
            text=_from_cell(row[3], "text"),
            before=str(row[4] or ""),
            suggestion=str(row[5] or ""),
            why=str(row[6] or ""),
            sha256=str(row[7] or ""),
        )
        for row in wb.rows(REVIEW_SHEET, min_row=2, width=8)
        if row[0] is not None
    ]


def _problems(wb: _Workbook) -> list[Problem]:
    if PROBLEMS_SHEET not in wb.wb.sheetnames:
        return []
    return [
        Problem(
            file=str(row[0]),
            message=problem_message(str(row[1] or "")),
            fix=str(row[2] or ""),
            severity=str(row[3] or "error"),
        )
        for row in wb.rows(PROBLEMS_SHEET, min_row=2, width=4)
        if row[0] is not None
    ]


def _from_cell(value: object, kind: str) -> Value:
    if value is None:  # blank, a check box too: unread (a printed PDF's), not "No"
        return ""
    if kind == "checkbox" and value in ("Yes", "No"):
        return value == "Yes"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_outstanding(
    path: str | os.PathLike[str], stage: str | None = None
) -> dict[str, list[Outstanding]]:
    """The forms each pair still owes, from a tracking workbook, keyed by pair id.

    Pairs that owe nothing are left out; within a pair, forms keep stage and packet order.
    Reasons are short phrases: "not returned", "incomplete: 3 required fields blank", "not
    signed by mentor", "not signed by mentee". ``stage`` ("start", "midpoint", "end") keeps
    that stage's forms only; by default every stage that is open: a later stage's form is
    owed only by the pairs it was generated for (or that returned it), so a stage not sent
    yet owes nothing.
    """
    wb = _Workbook(Path(path))
    try:
        hidden = wb.hidden(width=5)
    finally:
        wb.close()
    return _outstanding(hidden, stage)


def _outstanding(hidden: list[Row], stage: str | None) -> dict[str, list[Outstanding]]:
    "``read_outstanding`` from the hidden sheet's rows."
    try:
        titles = {form: spec.title for form, spec in load_form_specs().items()}
    except MentordocsError:  # titles are a nicety; the ids are enough
        titles = {}
    titles.update({str(r[1]): str(r[2]) for r in hidden if r[0] == "form" and r[2]})
    out: dict[str, list[Outstanding]] = {}
    index: dict[tuple[str, str], Outstanding] = {}
    for row in hidden:
        if row[0] != "outstanding":
            continue
        pair_id, form, reason = str(row[1]), str(row[2]), str(row[3])
        form_stage = str(row[4] or STAGES[0])  # a workbook from before the stages: the start
        if stage is not None and form_stage != stage:
            continue
        item = index.get((pair_id, form))
        if item is None:
            title = titles.get(form, form)
            item = index[(pair_id, form)] = Outstanding(pair_id, form, [], title, form_stage)
            out.setdefault(pair_id, []).append(item)
        item.reasons.append(reason)
    return out


def read_not_sent(path: str | os.PathLike[str]) -> dict[str, list[tuple[str, str]]]:
    """The later stages' forms not generated yet for each active pair of an open stage: pair
    id -> [(stage, form id)] (empty for a workbook of the start alone)."""
    wb = _Workbook(Path(path))
    try:
        hidden = wb.hidden(width=4)
    finally:
        wb.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for row in hidden:
        if row[0] == "not_sent":
            out.setdefault(str(row[1]), []).append((str(row[3]), str(row[2])))
    return out


@dataclass(frozen=True)
class Coverage:
    """What a tracking workbook can speak for (``read_coverage``): its program, when it was
    collected, and every (pair id, form) it knows was generated, sent, returned or owed."""

    program: str
    collected_at: dt.datetime | None
    known: frozenset[tuple[str, str]]
    outstanding: dict[str, list[Outstanding]]  # as ``read_outstanding`` gives it


def read_coverage(path: str | os.PathLike[str]) -> Coverage:
    """The workbook's program, collection time, known forms and what each pair owes, from its
    hidden sheet alone (a workbook written before it kept its returns there: read whole)."""
    wb = _Workbook(Path(path))
    try:
        hidden = wb.hidden(width=5)
    finally:
        wb.close()
    meta = {row[1]: row[2] for row in hidden if row[0] == "meta"}
    kinds = ("generated", "sent", "outstanding", "returned")
    known = {(str(row[1]), str(row[2])) for row in hidden if row[0] in kinds}
    collected = meta.get("collected_at")
    if meta.get("returned_rows") != "yes":
        data = read_tracking(path)
        known |= {(r.pair_id, r.form) for r in data.returns}
        collected = data.collected_at
    if not isinstance(collected, dt.datetime):
        try:
            collected = dt.datetime.fromisoformat(str(collected)) if collected else None
        except ValueError:
            collected = None
    program = str(meta.get("program") or "")
    return Coverage(program, collected, frozenset(known), _outstanding(hidden, None))
