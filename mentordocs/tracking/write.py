"""Writing the tracking workbook with openpyxl (write-only mode).

Sheets, in order: Dashboard (counts per form and a chart per stage, the goals' status at the
mid-point and at the end), Status (one row per pair, a column group per form, stage by stage,
and last the coordinator's own notes, which every run keeps),
one sheet per form (one row per returned form, every field a column), Goals (one row per goal
of a pair, followed across the stages), Other forms (Word forms mentordocs did not make),
Problems (every file that could not be used), and a hidden sheet that keeps what
``read_tracking`` needs on the next run (the field id behind each column, what each pair owes,
when each form was generated and sent, how far each sheet was written), so a coordinator can
rename headers, sort and filter the visible sheets freely, and anything else typed in them is
found on the next run (``read_tracking``) rather than written over.

Stages: the start packet's forms are always shown; a later stage (mid-point, end) appears once
one of its forms was generated for a pair (``packets_dir``'s manifest, or an earlier run's) or
came back. A workbook of the start alone is laid out as before the stages existed.

Cells are styled through named styles (Home > Cell Styles in Excel): "Answer" and "Answer date"
for what people wrote, "Detail", "Detail date" and "Detail time" for the rest.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Side
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)

from mentordocs.errors import Problem
from mentordocs.forms import STAGES, FieldSpec, FormSpec, Value, blank_required, signed_by
from mentordocs.models import WHOSE_GOALS, Pair, Roster
from mentordocs.records import HIDDEN_SHEET, MANIFEST_NAME, read_manifest, read_send_log
from mentordocs.tracking.data import (
    DASHBOARD_SHEET,
    EXCEL_CELL_LIMIT,
    FORMAT_VERSION,
    GOALS_SHEET,
    NOT_ON_ROSTER,
    NOT_SENT_YET,
    NOTES_GROUP,
    NOTES_HEADER,
    OTHER_SHEET,
    PROBLEMS_SHEET,
    REVIEW_SHEET,
    STAGE_PHRASES,
    STAGE_TITLES,
    STATUS_SHEET,
    CellValue,
    FormDates,
    Note,
    OtherField,
    ReturnedForm,
    ReviewItem,
    TrackingData,
    cut_for_excel,
    excel_escaped,
    excel_length,
    row_digest,
)
from mentordocs.tracking.goals import GOAL_GROUPS, goals_of, status_counts, status_field, suffix_of
from mentordocs.tracking.status import (
    by_stage,
    is_owed,
    latest_returns,
    not_sent_for,
    open_stages,
    outstanding_for,
)
from mentordocs.xlsxstyle import font

__all__ = ["REWRITTEN_SHEETS", "write_tracking"]

#: The sheets collect writes anew from what it knows on every run (the form sheets, read back
#: answer by answer, are not among them): what a coordinator types there is found on the next
#: run (``read_tracking``), by each sheet's extent, headers and rows kept in the hidden sheet.
REWRITTEN_SHEETS = (
    DASHBOARD_SHEET,
    STATUS_SHEET,
    GOALS_SHEET,
    REVIEW_SHEET,
    OTHER_SHEET,
    PROBLEMS_SHEET,
)
_DIGESTS_PER_CELL = 2_000  # 13 characters each: well inside an Excel cell

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_VERB_FIRST = re.compile(r"(is|has|contains|unpacks|could|does|says)\b")

ANSWER, ANSWER_DATE = "Answer", "Answer date"
DETAIL, DETAIL_DATE, DETAIL_TIME = "Detail", "Detail date", "Detail time"
NOT_SENT = "Not sent"  # a later stage's form the pair was not given yet (grey, italic)
_HEADER_FONT = font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_GROUP_FILL = PatternFill("solid", fgColor="2E75B6")
_RED = PatternFill("solid", fgColor="FFC7CE")
_AMBER = PatternFill("solid", fgColor="FFEB9C")
_GREEN = PatternFill("solid", fgColor="C6EFCE")

#: A cell to write: its value, and the named style to give it (None: the default).
Cell = tuple[CellValue, str | None]
# Any: openpyxl's write-only worksheet class is not public (it lives in a private module).
WriteOnlyWorksheet = Any


def write_tracking(
    path: str | os.PathLike[str],
    data: TrackingData,
    roster: Roster,
    specs: Mapping[str, FormSpec],
    *,
    packets_dir: str | os.PathLike[str] | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """Build the tracking workbook and return its bytes (the caller writes them atomically).

    ``specs`` are the form declarations (``forms.load_form_specs()``); ``packets_dir`` the
    packets folder whose manifest and send log fill the Generated and Sent columns. ``path``
    names the workbook in nothing but the caller's messages.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    book = _Book()
    latest = latest_returns(data.returns)
    generated, sent = _packet_dates(packets_dir)
    generated = {**data.generated, **generated}  # the packets folder's word is the latest
    sent = {**data.sent, **sent}
    stages = open_stages(specs, data.returns, generated)
    shown = {  # the open stages' forms, stage by stage
        form: spec
        for stage, forms in by_stage(specs).items()
        if stage in stages
        for form, spec in forms.items()
    }
    _dashboard(book, data, roster, shown, latest, now, generated)
    _status(book, roster, shown, latest, (generated, sent), len(stages) > 1, data.notes)
    hidden: list[list[object]] = [
        ["meta", "format", FORMAT_VERSION],
        ["meta", "include_confidential", "yes" if data.include_confidential else "no"],
        ["meta", "collected_at", now.isoformat()],
        ["meta", "program", roster.program.name],
    ]
    used = {*REWRITTEN_SHEETS, HIDDEN_SHEET}
    hidden.extend(["form", form, spec.title, spec.stage] for form, spec in specs.items())
    hidden.extend(["stage", stage, STAGE_TITLES.get(stage, stage), "open"] for stage in stages)
    for form, spec in shown.items():
        title = _sheet_title(spec.title, used)
        used.add(title)
        rows = [r for r in data.returns if r.form == form]
        hidden.extend(_form_sheet(book, title, spec, rows, roster))
    _goals_sheet(book, shown, latest, roster, stages)
    _review_sheet(book, data.review, roster, specs)
    _other_sheet(book, data.others)
    _problems_sheet(book, data.problems)
    for title in REWRITTEN_SHEETS:
        drawn = book.drawn[title]
        hidden.append(["sheet", title, drawn.rows, drawn.width, drawn.header_row])
        hidden.extend(["sheet_header", title, n, text] for n, text in enumerate(drawn.headers, 1))
        for n in range(0, len(drawn.digests), _DIGESTS_PER_CELL):
            chunk = " ".join(drawn.digests[n : n + _DIGESTS_PER_CELL])
            hidden.append(["sheet_rows", title, n // _DIGESTS_PER_CELL, chunk])
        if drawn.header_row > 1:  # the rows above the headers (a title, a note): kept too
            hidden.append(["sheet_top", title, " ".join(drawn.top)])
    hidden.extend(["superseded", sha, source] for sha, source in data.superseded.items())
    hidden.extend(data.mailbox.rows())
    hidden.extend(
        ["pair", pair.pair_id, pair.mentor.name, pair.mentee.name, pair.status]
        for pair in roster.pairs
    )
    # Which pair returned which form (the form sheets say it too): for send --remind, which
    # reads this sheet alone.
    hidden.append(["meta", "returned_rows", "yes"])
    hidden.extend(["returned", pair_id, form] for pair_id, form in sorted(latest))
    hidden.extend(
        ["generated", pair_id, form, day.isoformat()] for (pair_id, form), day in generated.items()
    )
    hidden.extend(["sent", pair_id, form, day.isoformat()] for (pair_id, form), day in sent.items())
    owed = outstanding_for(roster, data.returns, specs, generated=generated)
    for pair_id, items in owed.items():
        for item in items:
            hidden.extend(["outstanding", pair_id, item.form, r, item.stage] for r in item.reasons)
    for pair_id, forms in not_sent_for(roster, data.returns, specs, generated).items():
        hidden.extend(["not_sent", pair_id, form, specs[form].stage] for form in forms)
    sheet = book.wb.create_sheet(HIDDEN_SHEET)
    sheet.sheet_state = "hidden"
    for row in hidden:
        sheet.append([excel_escaped(v) if isinstance(v, str) else v for v in row])
    return book.save()


@dataclass
class _Drawn:
    """What was written on a sheet: checked on the next run, so that nothing a coordinator
    adds there is written over without a word."""

    rows: int = 0
    width: int = 0
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # of the rows below the headers
    top: list[str] = field(default_factory=list)  # of the rows above them


class _Book:
    """A write-only workbook with the named styles and a way to add styled rows."""

    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.drawn: dict[str, _Drawn] = {}
        top = Alignment(vertical="top")
        wrap = Alignment(wrap_text=True, vertical="top")
        for name, alignment, number_format in (
            (ANSWER, wrap, "General"),
            (ANSWER_DATE, wrap, "yyyy-mm-dd"),
            (DETAIL, top, "General"),
            (DETAIL_DATE, top, "yyyy-mm-dd"),
            (DETAIL_TIME, top, "yyyy-mm-dd hh:mm"),
            (NOT_SENT, top, "General"),
        ):
            style = NamedStyle(
                name=name, font=font(), alignment=alignment, number_format=number_format
            )
            if name == NOT_SENT:
                style.font = font(italic=True, color="7F7F7F")
            self.wb.add_named_style(style)

    def sheet(
        self,
        title: str,
        headers: Sequence[str],
        widths: Sequence[float],
        freeze: str | None = None,
    ) -> WriteOnlyWorksheet:
        ws = self.wb.create_sheet(title)
        if freeze:
            ws.freeze_panes = freeze  # before the first row, or write-only mode ignores it
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        _print_setup(ws, freeze, sum(widths))
        self.drawn[title] = _Drawn()
        if headers:
            self.headers(ws, headers)
        return ws

    def append(self, ws: WriteOnlyWorksheet, row: Sequence[object]) -> None:
        "Add a row (of values or cells) and remember how far the sheet reaches."
        ws.append([excel_escaped(item) if isinstance(item, str) else item for item in row])
        drawn = self.drawn[ws.title]
        drawn.rows += 1
        drawn.width = max(drawn.width, len(row))
        if ws.title not in REWRITTEN_SHEETS:
            return
        values = [getattr(item, "value", item) for item in row]
        if not drawn.header_row:  # above the headers (the headers come in through ``headers``)
            digest = row_digest(values)
            if digest:
                drawn.top.append(digest)
            return
        if ws.title == STATUS_SHEET and NOTES_HEADER in drawn.headers:  # the coordinator's
            values[drawn.headers.index(NOTES_HEADER) :] = []
        digest = row_digest(values)
        if digest:
            drawn.digests.append(digest)

    def headers(self, ws: WriteOnlyWorksheet, headers: Sequence[str]) -> None:
        "Add the row of column headers (the one the sheet's filter sits on)."
        ws.append(self.header_cells(ws, headers))
        drawn = self.drawn[ws.title]
        drawn.rows += 1
        drawn.width = max(drawn.width, len(headers))
        drawn.header_row, drawn.headers = drawn.rows, list(headers)

    @staticmethod
    def header_cells(ws: WriteOnlyWorksheet, headers: Iterable[str | None]) -> list[OpenpyxlCell]:
        cells = []
        for text in headers:
            cell = _cell(ws, text)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(cell)
        return cells

    def add(
        self, ws: WriteOnlyWorksheet, cells: Iterable[Cell], *made: OpenpyxlCell | None
    ) -> None:
        "Add a row of styled values, then of cells ``made`` already."
        row: list[object] = []
        for value, style in cells:
            if value is None or value == "":
                row.append(None)
                continue
            cell = _cell(ws, value)
            if style is not None:
                cell.style = style
            row.append(cell)
        self.append(ws, row + list(made))

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


def _cell(ws: WriteOnlyWorksheet, value: CellValue) -> OpenpyxlCell:
    """A cell holding ``value``; text is cleaned for Excel and never taken for a formula."""
    if isinstance(value, str):
        text = value
        if not text.isprintable():  # line breaks as Excel keeps them; no illegal characters
            text = _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        if excel_length(text) > EXCEL_CELL_LIMIT:  # counted as Excel does (an emoji is two)
            text = (
                cut_for_excel(text, EXCEL_CELL_LIMIT - 40) + " [cut: too long for one Excel cell]"
            )
        cell = WriteOnlyCell(ws, value=excel_escaped(text))
        if text.startswith("="):
            cell.data_type = "s"  # typed text, never a formula
        return cell
    # types-openpyxl leaves out date, which openpyxl writes as a date.
    return WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]


def _sheet_title(title: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Form"
    candidate, number = clean, 2
    while candidate in used:
        suffix = f" ({number})"
        candidate = clean[: 31 - len(suffix)] + suffix
        number += 1
    return candidate


def display(value: Value | None, kind: str) -> CellValue:
    """A value as the workbook shows it: Yes/No for ticks, real dates, None for blank."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return None
    if kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _answer(value: CellValue) -> Cell:
    return (value, ANSWER_DATE if isinstance(value, dt.date) else ANSWER)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _complete(values: Mapping[str, Value], spec: FormSpec) -> str:
    blank = blank_required(values, spec)
    return "Yes" if not blank else f"No ({len(blank)} blank)"


def _filter(ws: WriteOnlyWorksheet, columns: int, rows: int, first: int = 1) -> None:
    ws.auto_filter.ref = f"A{first}:{get_column_letter(columns)}{max(first + 1, rows)}"


# ---- the packets folder: when each form was generated and sent ---------------------------------

_Dates = dict[tuple[str, str], dt.date]


def _to_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _packet_dates(packets_dir: str | os.PathLike[str] | None) -> tuple[_Dates, _Dates]:
    generated: _Dates = {}
    sent: _Dates = {}
    if packets_dir is None:
        return generated, sent
    manifest = read_manifest(packets_dir)
    form_of = {entry.path: entry.form for entry in manifest.files}
    written: dt.date | None = None  # for an entry without its time: the manifest's day
    for entry in manifest.files:
        day = _to_date(entry.generated_at)
        if day is None:
            if written is None:
                stamp = (Path(packets_dir) / MANIFEST_NAME).stat().st_mtime
                written = dt.datetime.fromtimestamp(stamp).date()
            day = written  # listed, so generated: a later stage's form is then owed
        generated[(entry.pair_id, entry.form)] = day
    for record in read_send_log(packets_dir):
        day = _to_date(record.sent_at)
        if record.kind != "packet" or day is None:
            continue
        for sent_file in record.files:
            form = sent_file.form or form_of.get(sent_file.path, "")
            if form and sent_file.path:  # a file really attached, not only named
                sent[(record.pair_id, form)] = day
    return generated, sent


# ---- the sheets --------------------------------------------------------------------------------


def _dashboard(
    book: _Book,
    data: TrackingData,
    roster: Roster,
    specs: Mapping[str, FormSpec],
    latest: Mapping[tuple[str, str], ReturnedForm],
    now: dt.datetime,
    generated: FormDates,
) -> None:
    """Counts per form, stage by stage, with a chart per stage; once a later stage is open, also
    how many goals stand at each status at the mid-point and at the end, with their charts."""
    staged = len({spec.stage for spec in specs.values()}) > 1
    ws = book.sheet(DASHBOARD_SHEET, [], [44 if staged else 30, 12, 12, 12, 12, 12])
    active = [p for p in roster.pairs if p.active]
    title = _cell(ws, f"{roster.program.name}: returned forms")
    title.font = font(bold=True, size=16, color="1F4E78")
    book.append(ws, [title])
    book.append(ws, [_note(ws, f"Collected {now:%d %B %Y at %H:%M}; {len(active)} active pairs.")])
    if data.include_confidential:
        warning = _cell(
            ws,
            "Confidential answers ARE copied into this workbook (collected with "
            "--include-confidential). Share it with care.",
        )
        warning.font = font(bold=True, color="9C5700")
        book.append(ws, [warning])
    else:
        book.append(
            ws,
            [
                _note(
                    ws,
                    "Confidential answers are not copied: the workbook only says whether they "
                    "were filled in.",
                )
            ],
        )
    book.append(ws, [])
    headers = ["Form", "Returned", "Complete", "Signed", "Missing"]
    book.headers(ws, headers + (["Not sent yet"] if staged else []))
    row = 6
    charts: list[tuple[str, int, int, list[str]]] = []  # title, first row, last row, series
    for stage, forms in by_stage(specs).items():
        first = row
        for form, spec in forms.items():
            book.append(
                ws,
                [
                    _bordered(ws, value)
                    for value in _form_counts(form, spec, active, latest, generated, staged)
                ],
            )
            row += 1
        name = (
            "Forms per pair" if not staged else f"{STAGE_TITLES.get(stage, stage)}: forms per pair"
        )
        charts.append((name, first, row - 1, headers[1:5]))
    if staged:
        ids = {p.pair_id for p in active}
        for stage, forms in by_stage(specs).items():
            for spec in forms.values():
                if stage == STAGES[0]:
                    continue
                returns = [(r.pair_id, r.values) for r in latest.values() if r.form == spec.form]
                counts = status_counts(spec, returns, ids)
                if counts is None:
                    continue
                name = f"Goals {STAGE_PHRASES.get(stage, stage)}"
                book.append(ws, [])
                book.append(ws, book.header_cells(ws, [f"{name} ({spec.title})", "Goals"]))
                row += 2
                for status, count in counts:
                    book.append(ws, [_bordered(ws, status), _bordered(ws, count)])
                    row += 1
                charts.append((name, row - len(counts), row - 1, ["Goals"]))
    anchor = row + 2
    for name, first, last, series in charts:
        _dashboard_chart(ws, name, first, last, series, anchor)
        anchor += 18


def _form_counts(
    form: str,
    spec: FormSpec,
    active: Sequence[Pair],
    latest: Mapping[tuple[str, str], ReturnedForm],
    generated: FormDates,
    staged: bool,
) -> list[CellValue]:
    """A Dashboard row: the form, then how many active pairs returned it, complete, signed,
    how many owe it and have not returned it, and (with stages) how many were not sent it yet."""
    returned = [latest[key] for p in active if (key := (p.pair_id, form)) in latest]
    owed = sum(
        1 for p in active if is_owed(p.pair_id, spec, (p.pair_id, form) in latest, generated)
    )
    row: list[CellValue] = [
        spec.title if spec.stage == STAGES[0] else f"{STAGE_TITLES.get(spec.stage)}: {spec.title}",
        len(returned),
        sum(1 for r in returned if not blank_required(r.values, spec)),
        sum(1 for r in returned if signed_by(r.values, "mentor") and signed_by(r.values, "mentee")),
        owed - len(returned),
    ]
    if staged:
        row.append(len(active) - owed)
    return row


def _bordered(ws: WriteOnlyWorksheet, value: CellValue) -> OpenpyxlCell:
    cell = _cell(ws, value)
    cell.border = Border(bottom=Side(style="thin", color="BFBFBF"))
    return cell


# The widest sheet (in Excel's character widths) printed one page wide: about 60% of its size
# on a landscape page. Wider ones (a form sheet of many answers) print across pages instead.
_FIT_WIDTH_UP_TO = 260


def _print_setup(ws: WriteOnlyWorksheet, freeze: str | None, width: float) -> None:
    """Printed landscape, one page wide when that stays readable, the rows and columns kept on
    screen (the headers, the Pair column) repeated on every page."""
    ws.page_setup.orientation = "landscape"
    if width <= _FIT_WIDTH_UP_TO:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages as needed
    if not freeze:
        return
    column, row = coordinate_from_string(freeze)
    if row > 1:
        ws.print_title_rows = f"1:{row - 1}"
    if column != "A":
        ws.print_title_cols = f"A:{get_column_letter(column_index_from_string(column) - 1)}"


def _note(ws: WriteOnlyWorksheet, text: str) -> OpenpyxlCell:
    cell = _cell(ws, text)
    cell.font = font(italic=True, color="7F7F7F")
    return cell


def _dashboard_chart(
    ws: WriteOnlyWorksheet, title: str, first: int, last: int, series: Sequence[str], anchor: int
) -> None:
    """A column chart of the table rows ``first``..``last``: one series per name in ``series``
    (columns B, C, ...), the rows' first cells as categories; placed at row ``anchor``."""
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = "Goals" if series == ["Goals"] else "Pairs"
    chart.y_axis.majorGridlines = None
    for column, name in enumerate(series, start=2):
        values = Reference(ws, min_col=column, min_row=first, max_row=last)
        chart.series.append(Series(values, title=name))
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    if len(series) == 1:
        chart.legend = None
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"A{anchor}")


STATUS_COLUMNS = (
    ("Generated", 11),
    ("Sent", 11),
    ("Returned", 11),
    ("File", 24),
    ("Complete", 16),
    ("Mentor signed", 9),
    ("Mentee signed", 9),
)


def _status(
    book: _Book,
    roster: Roster,
    specs: Mapping[str, FormSpec],
    latest: Mapping[tuple[str, str], ReturnedForm],
    dates: tuple[FormDates, FormDates],
    staged: bool,
    notes: Mapping[str, Note],
) -> None:
    """One row per pair, a column group per form, and last the coordinator's own notes (kept
    from one run to the next; a pair no longer on the roster keeps its row while it has one); with later stages open, a group's title
    starts with its stage ("Mid-point: ...") and a later form not generated for the pair says
    "Not sent yet" where the day it was returned would be."""
    fixed = ["Pair", "Mentor", "Mentee", "Status"]
    headers = fixed + [name for _ in specs for name, _ in STATUS_COLUMNS] + [NOTES_HEADER]
    widths = [9, 22, 22, 9] + [width for _ in specs for _, width in STATUS_COLUMNS] + [40]
    ws = book.sheet(STATUS_SHEET, [], widths, "B3")
    group_row = [None] * len(fixed) + [
        _group_title(spec, staged) if index == 0 else None
        for spec in specs.values()
        for index in range(len(STATUS_COLUMNS))
    ]
    group_cells = book.header_cells(ws, group_row + [NOTES_GROUP])
    for cell in group_cells[len(fixed) :]:
        cell.fill = _GROUP_FILL
    book.append(ws, group_cells)
    book.headers(ws, headers)
    kept = {pair_id.casefold(): (pair_id, note) for pair_id, note in notes.items()}
    for pair in roster.pairs:
        row: list[Cell] = [
            (pair.pair_id, DETAIL),
            (pair.mentor.name, DETAIL),
            (pair.mentee.name, DETAIL),
            (pair.status, DETAIL),
        ]
        for form, spec in specs.items():
            row += _status_cells(
                latest.get((pair.pair_id, form)), spec, (pair.pair_id, form), dates
            )
        _, note = kept.pop(pair.pair_id.casefold(), ("", None))
        book.add(ws, row, _note_cell(ws, note))
    for pair_id, note in kept.values():  # a pair no longer on the roster keeps its note
        nothing: list[Cell] = [(None, None)] * (len(headers) - 5)
        book.add(
            ws,
            [(pair_id, DETAIL), (None, None), (None, None), (NOT_ON_ROSTER, DETAIL), *nothing],
            _note_cell(ws, note),
        )
    last_row = max(3, len(roster.pairs) + len(kept) + 2)
    _filter(ws, len(headers), last_row, first=2)
    for offset in range(len(specs)):
        _status_colours(ws, len(fixed) + offset * len(STATUS_COLUMNS), last_row)


def _note_cell(ws: WriteOnlyWorksheet, note: Note | None) -> OpenpyxlCell | None:
    """A coordinator's note as it was typed: its value, and its number format (a time, a
    percentage) when it had one."""
    if note is None:
        return None
    value, style = _answer(note.value)
    cell = _cell(ws, value)
    cell.style = style or ANSWER
    if note.number_format and note.number_format != "General":
        cell.number_format = note.number_format
    return cell


def _group_title(spec: FormSpec, staged: bool) -> str:
    if not staged or spec.stage == STAGES[0]:
        return spec.title
    return f"{STAGE_TITLES.get(spec.stage, spec.stage)}: {spec.title}"


def _status_cells(
    ret: ReturnedForm | None,
    spec: FormSpec,
    key: tuple[str, str],
    dates: tuple[FormDates, FormDates],
) -> list[Cell]:
    generated, sent = dates
    cells: list[Cell] = [(generated.get(key), DETAIL_DATE), (sent.get(key), DETAIL_DATE)]
    if ret is None:
        if not is_owed(key[0], spec, False, generated):
            return cells + [(NOT_SENT_YET, NOT_SENT)] + [(None, None)] * 4
        return cells + [(None, None)] * 5
    returned = ret.returned_at.date() if ret.returned_at else dt.date.today()
    return cells + [
        (returned, DETAIL_DATE),
        (ret.source, DETAIL),
        (_complete(ret.values, spec), DETAIL),
        (_yes_no(signed_by(ret.values, "mentor")), DETAIL),
        (_yes_no(signed_by(ret.values, "mentee")), DETAIL),
    ]


def _status_colours(ws: WriteOnlyWorksheet, base: int, last_row: int) -> None:
    """Missing (an active pair owes it and has not returned it): red; "Not sent yet" is text,
    so never red. Incomplete or unsigned: amber."""
    returned = get_column_letter(base + 3)
    complete = get_column_letter(base + 5)
    mentee = get_column_letter(base + 7)
    ws.conditional_formatting.add(
        f"{returned}3:{returned}{last_row}",
        FormulaRule(
            formula=[f'AND($D3="Active",ISBLANK({returned}3))'], fill=_RED, stopIfTrue=True
        ),
    )
    answers = f"{complete}3:{mentee}{last_row}"
    ws.conditional_formatting.add(
        answers, FormulaRule(formula=[f'LEFT({complete}3,2)="No"'], fill=_AMBER)
    )
    ws.conditional_formatting.add(answers, FormulaRule(formula=[f'{complete}3="Yes"'], fill=_GREEN))


RETURN_COLUMNS = (
    ("Pair", 9),
    ("Mentor", 20),
    ("Mentee", 20),
    ("Returned at", 17),
    ("Source file", 28),
    ("Checksum (SHA-256)", 16),
    ("Complete", 14),
    ("Signed by mentor", 10),
    ("Signed by mentee", 10),
    ("Came in as", 14),
)
_FIELD_WIDTHS = {"checkbox": 10, "date": 12, "dropdown": 16}


def _field_columns(spec: FormSpec, rows: list[ReturnedForm]) -> list[tuple[str, str, FieldSpec]]:
    """(field id, header, declaration) for every declared field, groups as seen in returns,
    listed instance by instance (Goal 1 ..., Goal 2 ...), not field by field."""
    counts: dict[str, int] = {}
    for ret in rows:
        for group, numbers in spec.layout(ret.values).instances.items():
            counts[group] = max(counts.get(group, 0), numbers[-1])
    columns: list[tuple[str, str, FieldSpec]] = []
    done: set[str] = set()
    for declared in spec.fields:
        if not declared.repeated:
            columns.append((declared.id, declared.label, declared))
            continue
        group = declared.group or declared.id
        if group in done:
            continue
        done.add(group)
        members = [f for f in spec.fields if f.repeated and (f.group or f.id) == group]
        for n in range(1, counts.get(group, 0) + 1):
            columns.extend((m.concrete(n), m.label_for(n), m) for m in members)
    return columns


def _form_sheet(
    book: _Book, title: str, spec: FormSpec, rows: list[ReturnedForm], roster: Roster
) -> list[list[object]]:
    """One form's sheet; returns the hidden rows that say which field each column holds, and
    for each return the repeated fields it did not have at all (a pair with two goals leaves
    the third goal's columns blank: read back, that goal must not seem present and blank)."""
    columns = _field_columns(spec, rows)
    hidden: list[list[object]] = []
    headers = [name for name, _ in RETURN_COLUMNS] + [label for _, label, _ in columns]
    widths = [w for _, w in RETURN_COLUMNS] + [_FIELD_WIDTHS.get(f.kind, 30) for _, _, f in columns]
    ws = book.sheet(title, headers, widths, "B2")
    names = {pair.pair_id: (pair.mentor.name, pair.mentee.name) for pair in roster.pairs}
    for ret in sorted(rows, key=lambda r: r.pair_id):
        mentor, mentee = names.get(ret.pair_id, ("", ""))
        row: list[Cell] = [
            (ret.pair_id, DETAIL),
            (mentor, DETAIL),
            (mentee, DETAIL),
            (ret.returned_at, DETAIL_TIME),
            (ret.source, DETAIL),
            (ret.sha256, DETAIL),
            (_complete(ret.values, spec), DETAIL),
            (_yes_no(signed_by(ret.values, "mentor")), DETAIL),
            (_yes_no(signed_by(ret.values, "mentee")), DETAIL),
            (ret.came_in, DETAIL),
        ]
        row += [_answer(display(ret.values.get(fid), f.kind)) for fid, _, f in columns]
        book.add(ws, row)
        absent = [fid for fid, _, f in columns if f.repeated and fid not in ret.values]
        for start in range(0, len(absent), 500):  # an Excel cell holds 32,767 characters
            hidden.append(["absent", title, ret.pair_id, " ".join(absent[start : start + 500])])
    _filter(ws, len(headers), len(rows) + 1)
    first = len(RETURN_COLUMNS) + 1
    return (
        hidden
        + [
            ["column", title, first + index, field_id, declared.kind, spec.form, header]
            for index, (field_id, header, declared) in enumerate(columns)
        ]
        + [["form_sheet", title, spec.form]]
    )


def _goal_names(specs: Iterable[FormSpec]) -> list[tuple[str, str]]:
    """(field suffix, column header) of the goal fields, in declaration order: the mentor's
    and joint goals' fields share a column with the mentee's where they ask the same."""
    names: list[tuple[str, str]] = []
    for spec in specs:
        for declared in spec.fields:
            if declared.group not in GOAL_GROUPS:
                continue
            suffix = suffix_of(declared)
            label = re.sub(r"^[^{]*\{n\}:?\s*", "", declared.label) or "Goal"
            if suffix not in {s for s, _ in names}:
                names.append((suffix, label[:1].upper() + label[1:]))
    return names


#: Goal statuses shown red (needs attention) and green (going well) on the Goals sheet.
_BAD_STATUS = ("At risk", "Not achieved")
_GOOD_STATUS = ("On track", "Done", "Achieved")


def _goals_sheet(
    book: _Book,
    specs: Mapping[str, FormSpec],
    latest: Mapping[tuple[str, str], ReturnedForm],
    roster: Roster,
    stages: Sequence[str],
) -> None:
    """One row per goal of a pair (whose goal, number), followed across the stages: the start
    forms' columns as the goal was written, then each later stage's ("Mid-point: Status",
    "End: Final status"...), and, with later stages, the latest status given, to filter on."""
    staged = len(stages) > 1
    groups = by_stage(specs)
    columns: list[tuple[str, str, str]] = []  # stage, field suffix, header
    for stage in stages:
        for suffix, label in _goal_names(groups.get(stage, {}).values()):
            if stage != STAGES[0]:  # "Status at the mid-point" -> "Mid-point: Status"
                phrase = STAGE_PHRASES.get(stage, stage)
                label = label.removesuffix(f" {phrase}") or label
            header = label if stage == STAGES[0] else f"{STAGE_TITLES.get(stage, stage)}: {label}"
            columns.append((stage, suffix, header))
    status_suffix = {
        stage: suffix_of(found)
        for stage in stages
        for spec in groups.get(stage, {}).values()
        if (found := status_field(spec)) is not None
    }
    headers = ["Pair", "Mentor", "Mentee", "Written in", "Whose goal", "Goal #"]
    headers += ["Latest status"] if staged else []
    fixed = len(headers)
    headers += [header for _, _, header in columns]
    ws = book.sheet(
        GOALS_SHEET, headers, [9, 20, 20, 18, 10, 8] + [14] * staged + [30] * len(columns), "B2"
    )
    # (pair, whose, n) -> stage -> suffix -> value; and the form each goal was first written in
    goals: dict[tuple[str, int, int], dict[str, dict[str, Value]]] = {}
    written: dict[tuple[str, int, int], str] = {}
    for stage in stages:
        for form, spec in groups.get(stage, {}).items():
            for (pair_id, ret_form), ret in sorted(latest.items()):
                if ret_form != form:
                    continue
                for (whose, n), answers in goals_of(spec, ret.values).items():
                    key = (pair_id, whose, n)
                    goals.setdefault(key, {}).setdefault(stage, {}).update(answers)
                    written.setdefault(key, spec.title)
    people = {pair.pair_id: (pair.mentor.name, pair.mentee.name) for pair in roster.pairs}
    kinds = {
        (spec.stage, suffix_of(f)): f.kind
        for spec in specs.values()
        for f in spec.fields
        if f.group in GOAL_GROUPS
    }
    for key in sorted(goals):
        pair_id, whose, n = key
        by_stage_answers = goals[key]
        mentor, mentee = people.get(pair_id, ("", ""))
        row: list[Cell] = [(pair_id, DETAIL), (mentor, DETAIL), (mentee, DETAIL)]
        row += [(written[key], DETAIL), (WHOSE_GOALS[whose], DETAIL), (n, DETAIL)]
        if staged:
            statuses = [
                by_stage_answers.get(stage, {}).get(suffix)
                for stage, suffix in status_suffix.items()
            ]
            given = [s for s in statuses if isinstance(s, str) and s.strip()]
            row.append((given[-1] if given else None, DETAIL))
        for stage, suffix, _ in columns:
            value = by_stage_answers.get(stage, {}).get(suffix)
            row.append(_answer(display(value, kinds.get((stage, suffix), "text"))))
        book.add(ws, row)
    _filter(ws, len(headers), len(goals) + 1)
    status_columns = [fixed] if staged else []
    status_columns += [
        fixed + 1 + index
        for index, (stage, suffix, _) in enumerate(columns)
        if status_suffix.get(stage) == suffix and stage != STAGES[0]
    ]
    last = max(2, len(goals) + 1)
    for column in status_columns:
        letter = get_column_letter(column)
        cells = f"{letter}2:{letter}{last}"
        bad = ",".join(f'{letter}2="{s}"' for s in _BAD_STATUS)
        good = ",".join(f'{letter}2="{s}"' for s in _GOOD_STATUS)
        ws.conditional_formatting.add(cells, FormulaRule(formula=[f"OR({bad})"], fill=_RED))
        ws.conditional_formatting.add(cells, FormulaRule(formula=[f"OR({good})"], fill=_GREEN))


REVIEW_HEADERS = (
    "Pair",
    "Form",
    "File",
    "What was written",
    "Shown after",
    "Perhaps the field",
    "Why it is here",
    "Checksum (SHA-256)",
)


def _review_sheet(
    book: _Book, items: list[ReviewItem], roster: Roster, specs: Mapping[str, FormSpec]
) -> None:
    """Answers whose field could not be proven: for the coordinator to check and copy."""
    ws = book.sheet(REVIEW_SHEET, REVIEW_HEADERS, [9, 18, 30, 40, 30, 24, 40, 16], "A2")
    for item in items:
        spec = specs.get(item.form)
        title = spec.title if spec is not None else item.form
        hint = item.suggestion
        if spec is not None and hint:
            declared, n = spec.lookup(hint)
            hint = declared.label_for(n) if declared is not None else hint
        book.add(
            ws,
            [
                (item.pair_id, DETAIL),
                (title, DETAIL),
                (item.source, ANSWER),
                _answer(display(item.text, "text")),
                (item.before, ANSWER),
                (hint, ANSWER),
                (item.why, ANSWER),
                (item.sha256, DETAIL),
            ],
        )
    _filter(ws, len(REVIEW_HEADERS), len(items) + 1)


def _other_sheet(book: _Book, others: list[OtherField]) -> None:
    headers = ["File", "Field", "Kind", "Value", "Checksum (SHA-256)", "Tag"]
    ws = book.sheet(OTHER_SHEET, headers, [34, 28, 10, 40, 16, 20], "A2")
    for item in others:
        value = display(item.value, item.kind)
        book.add(
            ws,
            [
                (item.source, DETAIL),
                (item.name, DETAIL),
                (item.kind, DETAIL),
                _answer(value),
                (item.sha256, DETAIL),
                (item.tag, DETAIL),
            ],
        )
    _filter(ws, len(headers), len(others) + 1)


def _problems_sheet(book: _Book, problems: list[Problem]) -> None:
    headers = ["File", "What is wrong", "What to do", "Severity"]
    ws = book.sheet(PROBLEMS_SHEET, headers, [40, 60, 60, 10], "A2")
    for problem in problems:
        message = problem.message
        if _VERB_FIRST.match(message):  # "is damaged." reads better as "This file is damaged."
            message = "This file " + message
        book.add(
            ws,
            [
                (problem.file, ANSWER),
                (message, ANSWER),
                (problem.fix, ANSWER),
                (problem.severity, DETAIL),
            ],
        )
    _filter(ws, len(headers), len(problems) + 1)


def problem_message(text: str) -> str:
    """A Problems-sheet message as ``Problem.message`` holds it (the inverse of the sheet's
    "This file ..." wording)."""
    if text.startswith("This file ") and _VERB_FIRST.match(text[10:]):
        return text[10:]
    return text
