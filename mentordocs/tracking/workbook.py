"""The tracking workbook: what came back, what is complete and signed, what is still missing.

Sheets, in order: Dashboard (counts per form and a chart), Status (one row per pair, a
column group per form), one sheet per form (one row per returned form, every field a
column), Goals (one row per goal), Other forms (Word forms mentordocs did not make),
Problems (every file that could not be used). A hidden sheet ``_mentordocs`` keeps what
``read_tracking`` needs to add to the workbook on the next run (field ids behind the column
headers, outstanding forms per pair), so a coordinator can rename headers, sort and filter
the visible sheets freely.

``read_outstanding`` is what ``mentordocs status`` prints and ``send --remind`` uses.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from mentordocs.errors import CollectError, MentordocsError, Problem
from mentordocs.models import Roster

HIDDEN_SHEET = "_mentordocs"
STATUS_SHEET = "Status"
DASHBOARD_SHEET = "Dashboard"
GOALS_SHEET = "Goals"
OTHER_SHEET = "Other forms"
PROBLEMS_SHEET = "Problems"
FILLED_IN = "filled in"  # a confidential answer that was given (its text is not copied)
LEFT_BLANK = "blank"  # a confidential answer left empty
FORMAT_VERSION = "1"
_EXCEL_CELL_LIMIT = 32767

Value = Any  # str | bool (checkboxes) -- dates are ISO "YYYY-MM-DD" strings


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


@dataclass
class TrackingData:
    "Everything the tracking workbook holds, as read back or about to be written."

    returns: list[ReturnedForm] = field(default_factory=list)
    others: list[OtherField] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    include_confidential: bool = False
    superseded: dict[str, str] = field(default_factory=dict)  # sha256 -> file, older returns


class TrackingFileError(CollectError):
    "The tracking workbook cannot be read back (damaged, or not one mentordocs wrote)."


# ---- rules: complete, signed -----------------------------------------------------------------


class SpecIndex:
    """Fast lookups of concrete field ids (``goal_3_goal``) in a form's declaration, cached."""

    def __init__(self, spec: Any):
        self.spec = spec
        self._plain = {f.id: f for f in spec.fields if not f.repeated}
        self._patterns = [(f, f.pattern) for f in spec.fields if f.repeated]
        self._cache: dict[str, tuple[Any, int | None]] = {}
        self._layouts: dict[tuple[str, ...], _Layout] = {}

    def lookup(self, field_id: str) -> tuple[Any, int | None]:
        """(FieldSpec or None, instance number or None) for a concrete field id."""
        hit = self._cache.get(field_id)
        if hit is not None:
            return hit
        found: tuple[Any, int | None] = (self._plain.get(field_id), None)
        if found[0] is None:
            for fspec, pattern in self._patterns:
                matched = pattern.match(field_id)
                if matched:
                    found = (fspec, int(matched.group(1)))
                    break
        self._cache[field_id] = found
        return found

    def match(self, field_id: str) -> Any:
        return self.lookup(field_id)[0]

    def layout(self, field_ids: Iterable[str]) -> _Layout:
        """What a return holding these field ids looks like (cached: most returns of a form
        hold the same ids, so this is worked out once per form rather than once per return)."""
        key = tuple(field_ids)
        found = self._layouts.get(key)
        if found is None:
            if len(self._layouts) >= 256:
                self._layouts.clear()
            found = self._layouts[key] = _Layout(self, key)
        return found

    def instance(self, field_id: str) -> int | None:
        return self.lookup(field_id)[1]


class _Layout:
    """Derived from the field ids one return holds: instances per group, required ids."""

    def __init__(self, index: SpecIndex, field_ids: tuple[str, ...]):
        instances: dict[str, set[int]] = {}
        goals: list[tuple[str, int, Any]] = []
        confidential: list[str] = []
        for field_id in field_ids:
            group_spec, n = index.lookup(field_id)
            if group_spec is not None and group_spec.confidential:
                confidential.append(field_id)
            if n is not None:
                instances.setdefault(group_spec.group or group_spec.id, set()).add(n)
            if group_spec is not None and group_spec.group == "goal":
                goals.append((field_id, n, group_spec))
        self.instances = {group: sorted(ns) for group, ns in instances.items()}
        required: list[str] = []
        for fspec in index.spec.fields:
            if not fspec.required:
                continue
            if fspec.repeated:
                required.extend(
                    fspec.concrete(n)
                    for n in self.instances.get(fspec.group or fspec.id, ())
                    if fspec.required_in(n)
                )
            else:
                required.append(fspec.id)
        self.required = tuple(required)  # concrete ids, in the order the rules list them
        self.goals = tuple(goals)  # (field id, instance, FieldSpec) of the "goal" group
        self.confidential = tuple(confidential)  # ids of confidential fields


_INDEXES: dict[int, tuple[Any, SpecIndex]] = {}


def spec_index(spec: Any) -> SpecIndex:
    """The cached SpecIndex of ``spec``."""
    if isinstance(spec, SpecIndex):
        return spec
    entry = _INDEXES.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = (spec, SpecIndex(spec))
        _INDEXES[id(spec)] = entry
    return entry[1]


def is_filled(value: Value) -> bool:
    """A field counts as filled: a checked box, a non-blank text, a confidential "filled in"."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip()
    return bool(text) and text != LEFT_BLANK


def blank_required(ret: ReturnedForm, spec: Any) -> list[str]:
    """Required field ids (concrete) left blank in ``ret``; a group counts per instance present."""
    # Asked several times per return while writing the workbook: remembered on the return,
    # for this declaration and these values.
    cached = ret.__dict__.get("_blank_required")
    if cached is not None and cached[0] is spec and cached[1] == len(ret.values):
        return list(cached[2])
    missing = _blank_required(ret, spec)
    ret.__dict__["_blank_required"] = (spec, len(ret.values), tuple(missing))
    return missing


def _blank_required(ret: ReturnedForm, spec: Any) -> list[str]:
    values = ret.values
    return [
        field_id
        for field_id in spec_index(spec).layout(values).required
        if not is_filled(values.get(field_id))
    ]


def signed_by(ret: ReturnedForm, role: str) -> bool:
    """Signed by ``role`` ("mentor"/"mentee"): the agree box ticked and the name typed."""
    return ret.values.get(f"{role}_agree") is True and is_filled(
        ret.values.get(f"{role}_sign_name")
    )


def outstanding_for(
    roster: Roster, returns: Iterable[ReturnedForm], specs: Mapping[str, Any]
) -> dict[str, list[Outstanding]]:
    """What every active pair still owes, per form, keyed by pair id (pairs owing nothing omitted)."""
    latest = {(r.pair_id, r.form): r for r in returns}
    out: dict[str, list[Outstanding]] = {}
    for pair in roster.pairs:
        if not pair.active:
            continue
        for form, spec in specs.items():
            ret = latest.get((pair.pair_id, form))
            reasons = _reasons(ret, spec)
            if reasons:
                out.setdefault(pair.pair_id, []).append(
                    Outstanding(pair.pair_id, form, reasons, spec.title)
                )
    return out


def _labels(field_ids: list[str], spec: Any, most: int = 4) -> str:
    """The fields as the form words them: "Goal 2, Mentee agrees and 3 more"."""
    index = spec_index(spec)
    labels = []
    for field_id in field_ids[:most]:
        fspec, n = index.lookup(field_id)
        labels.append(fspec.label_for(n) if fspec is not None else field_id)
    text = ", ".join(labels)
    if len(field_ids) > most:
        text += f" and {len(field_ids) - most} more"
    return text


def _reasons(ret: ReturnedForm | None, spec: Any) -> list[str]:
    if ret is None:
        return ["not returned"]
    reasons = []
    blank = blank_required(ret, spec)
    if blank:
        noun = "field" if len(blank) == 1 else "fields"
        reasons.append(f"incomplete: {len(blank)} required {noun} blank ({_labels(blank, spec)})")
    for role in ("mentor", "mentee"):
        if spec_index(spec).match(f"{role}_agree") is not None and not signed_by(ret, role):
            reasons.append(f"not signed by {role}")
    return reasons


# ---- writing ---------------------------------------------------------------------------------


def write_tracking(
    path: str | os.PathLike[str],
    data: TrackingData,
    roster: Roster,
    specs: Mapping[str, Any],
    *,
    packets_dir: str | os.PathLike[str] | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """Build the tracking workbook and return its bytes (the caller writes them atomically).

    ``specs`` are the form declarations (``forms.load_form_specs()``); ``packets_dir`` the
    packets folder whose manifest and send log fill the Generated and Sent columns.
    """
    from openpyxl import Workbook

    now = now or dt.datetime.now().replace(microsecond=0)
    generated, sent = _packet_dates(packets_dir)
    latest = {(r.pair_id, r.form): r for r in data.returns}
    outstanding = outstanding_for(roster, data.returns, specs)
    wb = Workbook(write_only=True)
    book = _Book(wb)
    hidden_rows: list[list[Any]] = [
        ["meta", "format", FORMAT_VERSION],
        ["meta", "include_confidential", "yes" if data.include_confidential else "no"],
        ["meta", "collected_at", now.isoformat()],
        ["meta", "program", roster.program.name],
    ]
    _dashboard(book, data, roster, specs, latest, now)
    _status(book, roster, specs, latest, generated, sent)
    used_titles = {DASHBOARD_SHEET, STATUS_SHEET, GOALS_SHEET, OTHER_SHEET, PROBLEMS_SHEET}
    by_form: dict[str, list[ReturnedForm]] = {}
    for ret in data.returns:
        by_form.setdefault(ret.form, []).append(ret)
    for form, spec in specs.items():
        title = _sheet_title(spec.title, used_titles)
        used_titles.add(title)
        hidden_rows.extend(_form_sheet(book, title, spec, by_form.get(form, []), roster))
    _goals_sheet(book, specs, data.returns, roster)
    _other_sheet(book, data.others)
    _problems_sheet(book, data.problems)
    for sha256, source in data.superseded.items():
        hidden_rows.append(["superseded", sha256, source])
    for pair_id, items in outstanding.items():
        for item in items:
            for reason in item.reasons:
                hidden_rows.append(["outstanding", pair_id, item.form, reason])
    hidden = book.table(HIDDEN_SHEET, [], [])
    hidden.ws.sheet_state = "hidden"
    for row in hidden_rows:
        hidden.add([(value, 0) for value in row])
    return book.save()


class _Book:
    """An openpyxl write-only workbook whose data rows are written as XML directly.

    openpyxl styles the header rows and writes charts, filters, frozen panes and conditional
    formatting; the (many) data rows are produced here as worksheet XML and spliced in,
    which is some 20 times faster than openpyxl's cell objects for thousands of forms.
    """

    def __init__(self, wb: Any):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb = wb
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor="1F4E78")
        self.group_fill = PatternFill("solid", fgColor="2E75B6")
        self.header_align = Alignment(wrap_text=True, vertical="center")
        self.title_font = Font(bold=True, size=16, color="1F4E78")
        self.note_font = Font(italic=True, color="7F7F7F")
        self.warn_font = Font(bold=True, color="9C5700")
        self.border = Border(bottom=Side(style="thin", color="BFBFBF"))
        self.red = PatternFill("solid", fgColor="FFC7CE")
        self.amber = PatternFill("solid", fgColor="FFEB9C")
        self.green = PatternFill("solid", fgColor="C6EFCE")
        self.tables: list[_Table] = []
        scratch = wb.create_sheet("_styles")  # only to register styles; removed below
        top = Alignment(vertical="top")
        wrap = Alignment(wrap_text=True, vertical="top")
        self.TOP = _style_id(scratch, align=top)
        self.WRAP = _style_id(scratch, align=wrap)
        self.DATE = _style_id(scratch, align=top, fmt="yyyy-mm-dd")
        self.WRAP_DATE = _style_id(scratch, align=wrap, fmt="yyyy-mm-dd")
        self.DATETIME = _style_id(scratch, align=top, fmt="yyyy-mm-dd hh:mm")
        wb._sheets.remove(scratch)

    def table(
        self, title: str, headers: list[str], widths: list[float], freeze: str | None = None
    ) -> _Table:
        ws = self.wb.create_sheet(title)
        if freeze:
            ws.freeze_panes = freeze  # before the first row, or write-only mode ignores it
        table = _Table(ws, self)
        self.tables.append(table)
        _widths(ws, widths)
        if headers:
            ws.append(self.header_cells(ws, headers))
            table.next_row = 2
        return table

    def header_cells(self, ws: Any, headers: list[str]) -> list[Any]:
        return [
            _cell(ws, h, font=self.header_font, fill=self.header_fill, align=self.header_align)
            for h in headers
        ]

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        rows = {t.ws.path.lstrip("/"): t.rows for t in self.tables if t.rows}
        if not rows:
            return buffer.getvalue()
        out = io.BytesIO()
        with (
            zipfile.ZipFile(buffer) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
        ):
            for info in source.infolist():
                payload = source.read(info.filename)
                extra = rows.get(info.filename)
                if extra:
                    head, sep, tail = payload.partition(b"</sheetData>")
                    if not sep:  # openpyxl wrote an empty <sheetData/>
                        head, sep, tail = payload.partition(b"<sheetData/>")
                        head += b"<sheetData>"
                    payload = b"".join(
                        [head, "".join(extra).encode("utf-8"), b"</sheetData>", tail]
                    )
                target.writestr(info.filename, payload)
        return out.getvalue()


def _style_id(ws: Any, *, align: Any = None, fmt: str | None = None) -> int:
    cell = _cell(ws, None, align=align, fmt=fmt)
    return cell.style_id


class _Table:
    """Data rows of one sheet, kept as worksheet XML until the workbook is saved."""

    def __init__(self, ws: Any, book: _Book):
        self.ws = ws
        self.book = book
        self.rows: list[str] = []
        self.next_row = 1

    def add(self, cells: list[tuple[Any, int]]) -> None:
        number = self.next_row
        self.next_row += 1
        parts = [f'<row r="{number}">']
        append = parts.append
        letters = _columns_upto(len(cells))
        for index, (value, style) in enumerate(cells):
            if value is None:
                continue
            if type(value) is not str:
                if value == "":
                    continue
                ref = f'<c r="{letters[index]}{number}" s="{style}"'
                if isinstance(value, bool):
                    append(f'{ref} t="b"><v>{int(value)}</v></c>')
                    continue
                if isinstance(value, (int, float)):
                    append(f"{ref}><v>{value!r}</v></c>")
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    append(f"{ref}><v>{_serial(value)}</v></c>")
                    continue
                value = str(value)
            elif not value:
                continue
            # _xml_text, inlined: this runs for every text cell of the workbook.
            if not value.isprintable():
                value = _ILLEGAL_RE.sub("", value)
            if len(value) > _EXCEL_CELL_LIMIT:
                value = _clean_text(value)
            if "&" in value:
                value = value.replace("&", "&amp;")
            if "<" in value:
                value = value.replace("<", "&lt;")
            if ">" in value:
                value = value.replace(">", "&gt;")
            append(
                f'<c r="{letters[index]}{number}" s="{style}" t="inlineStr">'
                f'<is><t xml:space="preserve">{value}</t></is></c>'
            )
        append("</row>")
        self.rows.append("".join(parts))

    @property
    def count(self) -> int:
        return len(self.rows)


_COLUMNS: list[str] = []


def _column(index: int) -> str:
    """Column letters for a 0-based index (cached)."""
    while len(_COLUMNS) <= index:
        from openpyxl.utils import get_column_letter

        _COLUMNS.append(get_column_letter(len(_COLUMNS) + 1))
    return _COLUMNS[index]


def _columns_upto(count: int) -> list[str]:
    """The cached column letters, at least ``count`` of them."""
    if len(_COLUMNS) < count:
        _column(count - 1)
    return _COLUMNS


_EPOCH = dt.datetime(1899, 12, 30)
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _serial(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None, microsecond=0) - _EPOCH
        return repr(delta.days + delta.seconds / 86400)
    return str((value - _EPOCH.date()).days)


def _clean_text(value: str) -> str:
    # isprintable() is false for every character the regex removes (and for tabs and line
    # breaks): a quick way past it for the many short, plain cells.
    if not value.isprintable():
        value = _ILLEGAL_RE.sub("", value)
    if len(value) > _EXCEL_CELL_LIMIT:
        value = value[: _EXCEL_CELL_LIMIT - 40] + " [cut: too long for one Excel cell]"
    return value


def _xml_text(value: str) -> str:
    value = _clean_text(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _cell(ws: Any, value: Any, *, font=None, fill=None, align=None, fmt=None, border=None) -> Any:
    """An openpyxl cell for the few styled cells (headers, the Dashboard)."""
    from openpyxl.cell import WriteOnlyCell

    text_value = isinstance(value, str)
    if text_value:
        value = _clean_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if text_value and value.startswith("="):
        cell.data_type = "s"  # typed text, never a formula
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if align is not None:
        cell.alignment = align
    if fmt is not None:
        cell.number_format = fmt
    if border is not None:
        cell.border = border
    return cell


def _widths(ws: Any, widths: list[float]) -> None:
    for index, width in enumerate(widths):
        ws.column_dimensions[_column(index)].width = width


def _sheet_title(title: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Form"
    candidate, number = clean, 2
    while candidate in used:
        suffix = f" ({number})"
        candidate = clean[: 31 - len(suffix)] + suffix
        number += 1
    return candidate


def _display(value: Value, kind: str) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return None
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _to_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _packet_dates(
    packets_dir: str | os.PathLike[str] | None,
) -> tuple[dict[tuple[str, str], dt.date], dict[tuple[str, str], dt.date]]:
    generated: dict[tuple[str, str], dt.date] = {}
    sent: dict[tuple[str, str], dt.date] = {}
    if packets_dir is None:
        return generated, sent
    from mentordocs.records import read_manifest, read_send_log

    manifest = read_manifest(packets_dir)
    form_of = {entry.path: entry.form for entry in manifest.files}
    for entry in manifest.files:
        day = _to_date(entry.generated_at)
        if day is not None:
            generated[(entry.pair_id, entry.form)] = day
    for record in read_send_log(packets_dir):
        if record.kind != "packet":
            continue
        day = _to_date(record.sent_at)
        if day is None:
            continue
        for sent_file in record.files:
            form = sent_file.form or form_of.get(sent_file.path, "")
            if form and sent_file.path:  # a file really attached, not only named
                sent[(record.pair_id, form)] = day
    return generated, sent


def _names(roster: Roster, pair_id: str) -> tuple[str, str]:
    for pair in roster.pairs:
        if pair.pair_id == pair_id:
            return pair.mentor.name, pair.mentee.name
    return "", ""


def _dashboard(book: _Book, data, roster, specs, latest, now) -> None:
    from openpyxl.chart import BarChart, Reference

    ws = book.wb.create_sheet(DASHBOARD_SHEET)
    _widths(ws, [30, 12, 12, 12, 12, 12])
    active = [p for p in roster.pairs if p.active]
    ws.append([_cell(ws, f"{roster.program.name}: returned forms", font=book.title_font)])
    ws.append(
        [
            _cell(
                ws,
                f"Collected {now:%d %B %Y at %H:%M}; {len(active)} active pairs.",
                font=book.note_font,
            )
        ]
    )
    if data.include_confidential:
        note = _cell(
            ws,
            "Confidential answers ARE copied into this workbook (collected with "
            "--include-confidential). Share it with care.",
            font=book.warn_font,
        )
    else:
        note = _cell(
            ws,
            "Confidential answers are not copied: the workbook only says whether they were "
            "filled in.",
            font=book.note_font,
        )
    ws.append([note])
    ws.append([])
    ws.append(book.header_cells(ws, ["Form", "Returned", "Complete", "Signed", "Missing"]))
    first = 6
    for form, spec in specs.items():
        returned = complete = signed = 0
        for pair in active:
            ret = latest.get((pair.pair_id, form))
            if ret is None:
                continue
            returned += 1
            if not blank_required(ret, spec):
                complete += 1
            if signed_by(ret, "mentor") and signed_by(ret, "mentee"):
                signed += 1
        ws.append(
            [
                _cell(ws, value, border=book.border)
                for value in (spec.title, returned, complete, signed, len(active) - returned)
            ]
        )
    last = first + len(specs) - 1
    chart = BarChart()
    chart.type = "col"
    chart.title = "Forms per pair"
    chart.y_axis.title = "Pairs"
    chart.y_axis.majorGridlines = None
    chart.add_data(
        Reference(ws, min_col=2, max_col=5, min_row=first - 1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"A{last + 3}")


_STATUS_COLUMNS = (
    ("Generated", 11),
    ("Sent", 11),
    ("Returned", 11),
    ("File", 24),
    ("Complete", 16),
    ("Mentor signed", 9),
    ("Mentee signed", 9),
)


def _status(book: _Book, roster, specs, latest, generated, sent) -> None:
    from openpyxl.formatting.rule import FormulaRule

    fixed = ["Pair", "Mentor", "Mentee", "Status"]
    headers = list(fixed)
    widths: list[float] = [9, 22, 22, 9]
    for _ in specs:
        headers += [name for name, _ in _STATUS_COLUMNS]
        widths += [width for _, width in _STATUS_COLUMNS]
    table = book.table(STATUS_SHEET, [], widths, "B3")
    ws = table.ws
    group_row = [_cell(ws, None, fill=book.header_fill) for _ in fixed]
    for spec in specs.values():
        for index in range(len(_STATUS_COLUMNS)):
            group_row.append(
                _cell(
                    ws,
                    spec.title if index == 0 else None,
                    font=book.header_font,
                    fill=book.group_fill,
                )
            )
    ws.append(group_row)
    ws.append(book.header_cells(ws, headers))
    table.next_row = 3
    top, date = book.TOP, book.DATE
    today = dt.date.today()
    for pair in roster.pairs:
        row = [
            (pair.pair_id, top),
            (pair.mentor.name, top),
            (pair.mentee.name, top),
            (pair.status, top),
        ]
        for form, spec in specs.items():
            key = (pair.pair_id, form)
            ret = latest.get(key)
            if ret is None:
                complete = mentor = mentee = returned = file_name = None
            else:
                blank = blank_required(ret, spec)
                complete = "Yes" if not blank else f"No ({len(blank)} blank)"
                mentor = "Yes" if signed_by(ret, "mentor") else "No"
                mentee = "Yes" if signed_by(ret, "mentee") else "No"
                returned = ret.returned_at.date() if ret.returned_at else today
                file_name = ret.source
            row += [
                (generated.get(key), date),
                (sent.get(key), date),
                (returned, date),
                (file_name, top),
                (complete, top),
                (mentor, top),
                (mentee, top),
            ]
        table.add(row)
    last_row = max(3, len(roster.pairs) + 2)
    ws.auto_filter.ref = f"A2:{_column(len(headers) - 1)}{last_row}"
    start = len(fixed)  # 0-based index of the first form column
    for offset in range(len(specs)):
        base = start + offset * len(_STATUS_COLUMNS)
        returned_col = _column(base + 2)
        complete_col = _column(base + 4)
        mentee_col = _column(base + 6)
        # Missing (an active pair has not returned it): red. Incomplete or unsigned: amber.
        ws.conditional_formatting.add(
            f"{returned_col}3:{returned_col}{last_row}",
            FormulaRule(
                formula=[f'AND($D3="Active",ISBLANK({returned_col}3))'],
                fill=book.red,
                stopIfTrue=True,
            ),
        )
        ws.conditional_formatting.add(
            f"{complete_col}3:{mentee_col}{last_row}",
            FormulaRule(formula=[f'LEFT({complete_col}3,2)="No"'], fill=book.amber),
        )
        ws.conditional_formatting.add(
            f"{complete_col}3:{mentee_col}{last_row}",
            FormulaRule(formula=[f'{complete_col}3="Yes"'], fill=book.green),
        )


_RETURN_COLUMNS = (
    ("Pair", 9),
    ("Mentor", 20),
    ("Mentee", 20),
    ("Returned at", 17),
    ("Source file", 28),
    ("Checksum (SHA-256)", 16),
    ("Complete", 14),
    ("Signed by mentor", 10),
    ("Signed by mentee", 10),
)


def _field_columns(spec: Any, rows: list[ReturnedForm]) -> list[tuple[str, str, Any]]:
    """(field id, header label, FieldSpec) for every declared field, groups as seen in returns."""
    counts: dict[str, int] = {}
    index = spec_index(spec)
    for ret in rows:
        for key, ns in index.layout(ret.values).instances.items():
            counts[key] = max(counts.get(key, 0), ns[-1])
    columns = []
    # Groups listed instance by instance (Goal 1 ..., Goal 2 ...), not field by field.
    done_groups: set[str] = set()
    for fspec in spec.fields:
        if not fspec.repeated:
            columns.append((fspec.id, fspec.label, fspec))
            continue
        group = fspec.group or fspec.id
        if group in done_groups:
            continue
        done_groups.add(group)
        members = [f for f in spec.fields if f.repeated and (f.group or f.id) == group]
        for n in range(1, counts.get(group, 0) + 1):
            for member in members:
                columns.append((member.concrete(n), member.label_for(n), member))
    return columns


def _form_sheet(book: _Book, title, spec, rows, roster) -> list[list[Any]]:
    columns = _field_columns(spec, rows)
    headers = [name for name, _ in _RETURN_COLUMNS] + [label for _, label, _ in columns]
    widths = [w for _, w in _RETURN_COLUMNS] + [_field_width(f) for _, _, f in columns]
    table = book.table(title, headers, widths, "B2")
    names = {pair.pair_id: (pair.mentor.name, pair.mentee.name) for pair in roster.pairs}
    top, wrap, wrap_date = book.TOP, book.WRAP, book.WRAP_DATE
    kinds = [(field_id, fspec.kind) for field_id, _, fspec in columns]
    for ret in sorted(rows, key=lambda r: r.pair_id):
        mentor, mentee = names.get(ret.pair_id, ("", ""))
        blank = blank_required(ret, spec)
        row = [
            (ret.pair_id, top),
            (mentor, top),
            (mentee, top),
            (ret.returned_at, book.DATETIME),
            (ret.source, top),
            (ret.sha256, top),
            ("Yes" if not blank else f"No ({len(blank)} blank)", top),
            ("Yes" if signed_by(ret, "mentor") else "No", top),
            ("Yes" if signed_by(ret, "mentee") else "No", top),
        ]
        get = ret.values.get
        for field_id, kind in kinds:
            value = get(field_id)
            # _display, inlined (one call per cell adds up over thousands of forms).
            if value is True:
                row.append(("Yes", wrap))
            elif value is False:
                row.append(("No", wrap))
            elif value is None or value == "":
                row.append((None, wrap))
            elif kind == "date" and isinstance(value, str):
                shown = _display(value, kind)
                row.append((shown, wrap_date if isinstance(shown, dt.date) else wrap))
            else:
                row.append((value, wrap_date if isinstance(value, dt.date) else wrap))
        table.add(row)
    table.ws.auto_filter.ref = f"A1:{_column(len(headers) - 1)}{max(2, table.count + 1)}"
    first = len(_RETURN_COLUMNS) + 1
    return [
        ["column", title, first + index, field_id, fspec.kind, spec.form]
        for index, (field_id, _, fspec) in enumerate(columns)
    ] + [["form_sheet", title, spec.form]]


def _field_width(fspec: Any) -> float:
    return {"checkbox": 10, "date": 12, "dropdown": 16}.get(fspec.kind, 30)


def _goals_sheet(book: _Book, specs, returns, roster) -> None:
    names: list[tuple[str, str]] = []  # (field suffix, label) in declaration order
    for spec in specs.values():
        for fspec in spec.fields:
            if fspec.group == "goal":
                suffix = fspec.id.partition("{n}")[2].lstrip("_")
                label = re.sub(r"^Goal \{n\}:?\s*", "", fspec.label) or "Goal"
                if suffix not in {s for s, _ in names}:
                    names.append((suffix, label[:1].upper() + label[1:]))
    headers = ["Pair", "Mentor", "Mentee", "Form", "Goal #"] + [label for _, label in names]
    table = book.table(GOALS_SHEET, headers, [9, 20, 20, 18, 8] + [30] * len(names), "B2")
    people = {pair.pair_id: (pair.mentor.name, pair.mentee.name) for pair in roster.pairs}
    top, wrap, wrap_date = book.TOP, book.WRAP, book.WRAP_DATE
    for ret in sorted(returns, key=lambda r: (r.pair_id, r.form)):
        spec = specs.get(ret.form)
        if spec is None:
            continue
        goals: dict[int, dict[str, Any]] = {}
        values = ret.values
        for field_id, n, fspec in spec_index(spec).layout(values).goals:
            suffix = fspec.id.partition("{n}")[2].lstrip("_")
            goals.setdefault(n, {})[suffix] = _display(values[field_id], fspec.kind)
        mentor, mentee = people.get(ret.pair_id, ("", ""))
        for n in sorted(goals):
            if not any(v not in (None, "No") for v in goals[n].values()):
                continue  # an empty goal slot
            row = [(ret.pair_id, top), (mentor, top), (mentee, top), (spec.title, top), (n, top)]
            for suffix, _ in names:
                value = goals[n].get(suffix)
                row.append((value, wrap_date if isinstance(value, dt.date) else wrap))
            table.add(row)
    table.ws.auto_filter.ref = f"A1:{_column(len(headers) - 1)}{max(2, table.count + 1)}"


def _other_sheet(book: _Book, others: list[OtherField]) -> None:
    headers = ["File", "Field", "Kind", "Value", "Checksum (SHA-256)", "Tag"]
    table = book.table(OTHER_SHEET, headers, [34, 28, 10, 40, 16, 20], "A2")
    top, wrap = book.TOP, book.WRAP
    for item in others:
        value = _display(item.value, item.kind)
        table.add(
            [
                (item.source, top),
                (item.name, top),
                (item.kind, top),
                (value, book.WRAP_DATE if isinstance(value, dt.date) else wrap),
                (item.sha256, top),
                (item.tag, top),
            ]
        )
    table.ws.auto_filter.ref = f"A1:F{max(2, table.count + 1)}"


_VERB_FIRST = re.compile(r"(is|has|contains|unpacks|could|does|says)\b")


def _problems_sheet(book: _Book, problems: list[Problem]) -> None:
    headers = ["File", "What is wrong", "What to do", "Severity"]
    table = book.table(PROBLEMS_SHEET, headers, [40, 60, 60, 10], "A2")
    wrap = book.WRAP
    for problem in problems:
        message = problem.message
        if _VERB_FIRST.match(message):  # "is damaged." reads better as "This file is damaged."
            message = "This file " + message
        table.add(
            [
                (problem.file, wrap),
                (message, wrap),
                (problem.fix, wrap),
                (problem.severity, book.TOP),
            ]
        )
    table.ws.auto_filter.ref = f"A1:D{max(2, table.count + 1)}"


# ---- reading back ----------------------------------------------------------------------------


class _OpenpyxlBook:
    """A workbook read through openpyxl (read-only): the fallback reader."""

    def __init__(self, wb: Any):
        self.wb = wb
        self.sheetnames = list(wb.sheetnames)

    def rows(self, title: str, min_row: int = 1) -> Iterable[tuple[Any, ...]]:
        return self.wb[title].iter_rows(min_row=min_row, values_only=True)

    def close(self) -> None:
        self.wb.close()


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_SHEET_T, _SHEET_IS, _SHEET_V = _SHEET_NS + "t", _SHEET_NS + "is", _SHEET_NS + "v"


class _FastBook:
    """A workbook's cell values read straight from its XML (some 10 times faster than openpyxl).

    Handles what Excel or LibreOffice write when a coordinator saves the workbook: shared
    and inline strings, numbers, booleans, errors, dates by their cell style.
    """

    def __init__(self, path: Path):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        from mentordocs.ooxml.controls import parse_xml

        self.archive = zipfile.ZipFile(path)
        names = {n.lower(): n for n in self.archive.namelist()}
        self._names = names
        workbook = parse_xml(self._read("xl/workbook.xml"))
        rels = parse_xml(self._read("xl/_rels/workbook.xml.rels"))
        targets = {}
        for rel in rels:
            target = rel.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id")] = target
        self.paths: dict[str, str] = {}
        for sheet in workbook.iter(_SHEET_NS + "sheet"):
            self.paths[sheet.get("name")] = targets.get(sheet.get(_DOC_REL_NS + "id"), "")
        self.sheetnames = list(self.paths)
        self.shared: list[str] = []
        if "xl/sharedstrings.xml" in names:
            root = parse_xml(self._read("xl/sharedStrings.xml"))
            for item in root.iter(_SHEET_NS + "si"):
                self.shared.append(_string_item(item))
        self.date_styles: set[int] = set()
        if "xl/styles.xml" in names:
            styles = parse_xml(self._read("xl/styles.xml"))
            custom = {
                int(fmt.get("numFmtId")): fmt.get("formatCode") or ""
                for fmt in styles.iter(_SHEET_NS + "numFmt")
            }
            xfs = styles.find(_SHEET_NS + "cellXfs")
            for index, xf in enumerate(xfs if xfs is not None else []):
                number = int(xf.get("numFmtId") or 0)
                code = custom.get(number, BUILTIN_FORMATS.get(number, ""))
                if code and is_date_format(code):
                    self.date_styles.add(index)

    def _read(self, name: str) -> bytes:
        return self.archive.read(self._names[name.lower()])

    def rows(self, title: str, min_row: int = 1) -> Iterable[tuple[Any, ...]]:
        from openpyxl.utils import column_index_from_string
        from openpyxl.utils.datetime import from_excel

        path = self.paths[title]
        columns: dict[str, int] = {}  # column letters -> 0-based index, as met
        with self.archive.open(self._names[path.lower()]) as fh:
            events = etree.iterparse(
                fh,
                events=("end",),
                tag=_SHEET_NS + "row",
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=True,
            )
            for _, row in events:
                number = int(row.get("r") or 0)
                if number < min_row:
                    row.clear()
                    continue
                values: list[Any] = []
                for position, cell in enumerate(row.iterchildren(_SHEET_NS + "c")):
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        position = columns.get(letters)
                        if position is None:
                            position = columns[letters] = column_index_from_string(letters) - 1
                    while len(values) < position:
                        values.append(None)
                    values.append(self._value(cell, from_excel))
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                yield tuple(values)

    def _value(self, cell: Any, from_excel: Any) -> Any:
        kind = cell.get("t") or "n"
        if kind == "inlineStr":
            found = cell.find(_SHEET_IS)
            return _string_item(found) if found is not None else ""
        v = cell.find(_SHEET_V)
        text = v.text if v is not None else None
        if text is None:
            return None
        if kind == "s":
            return self.shared[int(text)]
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        number = float(text)
        if int(cell.get("s") or 0) in self.date_styles:
            return from_excel(number)
        return (
            int(number)
            if number.is_integer() and "." not in text and "E" not in text.upper()
            else number
        )

    def close(self) -> None:
        self.archive.close()


def _string_item(item: Any) -> str:
    if len(item) == 1:  # the usual <is><t>text</t></is> (or <si>): no runs to join
        only = item[0]
        if only.tag == _SHEET_T and not len(only):
            return only.text or ""
    return "".join(t.text or "" for t in item.iter(_SHEET_T))


def _open(path: str | os.PathLike[str]) -> Any:
    target = Path(path)
    if not target.exists():
        raise TrackingFileError(
            f"{target} does not exist. Run 'mentordocs collect' first to make it."
        )
    try:
        return _FastBook(target)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError):
        pass  # let openpyxl try, and say what is wrong if it cannot read it either
    from openpyxl import load_workbook

    try:
        return _OpenpyxlBook(load_workbook(target, read_only=True, data_only=True))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TrackingFileError(
            f"{target} is not a workbook mentordocs can read ({exc}). Restore the backup "
            f"({target.name}.bak beside it) or collect again into a new file."
        ) from exc


def _hidden_rows(wb: Any, path: Path) -> list[tuple[Any, ...]]:
    if HIDDEN_SHEET not in wb.sheetnames:
        raise TrackingFileError(
            f"{path} was not written by 'mentordocs collect' (its hidden sheet "
            f"'{HIDDEN_SHEET}' is missing). Collect into a new file instead."
        )
    return [tuple(row) for row in wb.rows(HIDDEN_SHEET)]


def read_tracking(path: str | os.PathLike[str]) -> TrackingData:
    """Read back a tracking workbook written by ``write_tracking`` (for an incremental run)."""
    target = Path(path)
    wb = _open(target)
    try:
        hidden = _hidden_rows(wb, target)
        meta = {row[1]: row[2] for row in hidden if row and row[0] == "meta"}
        data = TrackingData(include_confidential=meta.get("include_confidential") == "yes")
        data.superseded = {
            str(row[1]): str(row[2] or "") for row in hidden if row and row[0] == "superseded"
        }
        columns: dict[str, list[tuple[int, str, str]]] = {}
        sheet_form: dict[str, str] = {}
        for row in hidden:
            if row and row[0] == "column":
                columns.setdefault(row[1], []).append((int(row[2]), row[3], row[4]))
            elif row and row[0] == "form_sheet":
                sheet_form[row[1]] = row[2]
        for title, form in sheet_form.items():
            if title not in wb.sheetnames:
                raise TrackingFileError(
                    f"{target}: sheet '{title}' is missing. Restore the backup or collect "
                    "again into a new file."
                )
            data.returns.extend(
                _read_form_sheet(wb.rows(title, 2), form, columns.get(title, []), meta)
            )
        if OTHER_SHEET in wb.sheetnames:
            for row in wb.rows(OTHER_SHEET, 2):
                row = tuple(row) + (None,) * 6
                if row[0] is None:
                    continue
                kind = row[2] or "text"
                value = _from_cell(row[3], kind)
                data.others.append(
                    OtherField(
                        source=str(row[0]),
                        sha256=str(row[4] or ""),
                        name=str(row[1] or ""),
                        kind=kind,
                        value=value,
                        tag=str(row[5] or ""),
                    )
                )
        if PROBLEMS_SHEET in wb.sheetnames:
            for row in wb.rows(PROBLEMS_SHEET, 2):
                row = tuple(row) + (None,) * 4
                if row[0] is None:
                    continue
                message = str(row[1] or "")
                if message.startswith("This file ") and _VERB_FIRST.match(message[10:]):
                    message = message[10:]
                data.problems.append(
                    Problem(
                        file=str(row[0]),
                        message=message,
                        fix=str(row[2] or ""),
                        severity=str(row[3] or "error"),
                    )
                )
        return data
    finally:
        wb.close()


def _from_cell(value: Any, kind: str) -> Value:
    if value is None:
        return False if kind == "checkbox" else ""
    if kind == "checkbox" and value in ("Yes", "No"):
        return value == "Yes"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_form_sheet(rows: Iterable[tuple], form: str, columns, meta) -> list[ReturnedForm]:
    out = []
    included = meta.get("include_confidential") == "yes"
    for row in rows:
        row = tuple(row) + (None,) * 6
        if not row[0]:
            continue
        returned = row[3]
        if isinstance(returned, dt.date) and not isinstance(returned, dt.datetime):
            returned = dt.datetime.combine(returned, dt.time())
        values: dict[str, Value] = {}
        for index, field_id, kind in columns:
            cell = row[index - 1] if index - 1 < len(row) else None
            values[field_id] = _from_cell(cell, kind)
        out.append(
            ReturnedForm(
                pair_id=str(row[0]),
                form=form,
                source=str(row[4] or ""),
                sha256=str(row[5] or ""),
                returned_at=returned if isinstance(returned, dt.datetime) else None,
                values=values,
                confidential_included=included,
            )
        )
    return out


def read_outstanding(path: str | os.PathLike[str]) -> dict[str, list[Outstanding]]:
    """The forms each pair still owes, from a tracking workbook, keyed by pair id.

    Pairs that owe nothing are left out; within a pair, forms keep packet order. Reasons are
    short phrases: "not returned", "incomplete: 3 required fields blank", "not signed by
    mentor", "not signed by mentee".
    """
    target = Path(path)
    wb = _open(target)
    try:
        hidden = _hidden_rows(wb, target)
    finally:
        wb.close()
    titles: dict[str, str] = {}
    try:
        from mentordocs.forms import load_form_specs

        titles = {form: spec.title for form, spec in load_form_specs().items()}
    except MentordocsError:  # titles are a nicety; the ids are enough
        titles = {}
    out: dict[str, list[Outstanding]] = {}
    index: dict[tuple[str, str], Outstanding] = {}
    for row in hidden:
        if not row or row[0] != "outstanding":
            continue
        pair_id, form, reason = str(row[1]), str(row[2]), str(row[3])
        item = index.get((pair_id, form))
        if item is None:
            item = Outstanding(pair_id, form, [], titles.get(form, form))
            index[(pair_id, form)] = item
            out.setdefault(pair_id, []).append(item)
        item.reasons.append(reason)
    return out
