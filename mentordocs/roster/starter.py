"""The starter roster workbook ``mentordocs init`` writes for a coordinator to fill in Excel.

Its sheets and headers come from ``schema.SHEETS`` and ``schema.PROGRAM_SETTINGS``, so the
workbook and the loader cannot drift apart.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mentordocs.errors import OutputError
from mentordocs.fsutil import atomic_write_bytes
from mentordocs.mailsettings import SETTINGS
from mentordocs.roster.schema import PROGRAM_SETTINGS, SHEETS, Column, SheetSpec
from mentordocs.xlsxstyle import font

__all__ = ["STARTER_NAME", "VALIDATED_ROWS", "new_workbook", "write_starter_roster"]

STARTER_NAME = "roster.xlsx"
VALIDATED_ROWS = 1000  # drop-downs and formats cover rows 2..1000

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
TEXT_FORMAT = "@"

_REQUIRED_FILL = PatternFill("solid", fgColor="1F4E79")  # dark blue: required
_OPTIONAL_FILL = PatternFill("solid", fgColor="5B9BD5")  # light blue: optional
_HEADER_FONT = font(bold=True, color="FFFFFF")
_OPTIONAL_FONT = font(bold=False, color="FFFFFF")
_HINT_FONT = font(italic=True, color="595959")
_AUTHOR = "mentordocs"

INSTRUCTIONS = (
    "How to fill in this roster",
    "",
    "This workbook is the one list mentordocs makes every pair's forms from. Fill in the sheets, "
    "save, then run:  mentordocs check roster.xlsx  (it lists anything to correct, with the row and column).",
    "",
    "Dark blue headers are required; light blue ones are optional. Point at a header to read what to enter.",
    "Cells with a drop-down arrow take one of the listed values.",
    "Dates: type them as 2026-09-01 or 1 Sep 2026. Times: 15:30 or 3:30 PM.",
    "",
    "Program: the program's settings, one per row (the value goes in column B).",
    "Pairs: one row per mentor and mentee. Only pairs with Status Active get packets.",
    "Goals (optional): one row per goal, using the pair's ID from the Pairs sheet. Whose goal says "
    "whether it is the mentee's (the default), the mentor's own growth goal (Mutual growth plans) "
    "or a goal the two set together (Coaching plans).",
    "Meetings (optional): one row per meeting. A pair with no rows here gets its dates worked out "
    "from its Meeting day, Meeting time and Frequency (Monthly: the same weekday of the month, "
    "e.g. every first Tuesday).",
    "Commitments (optional): the terms of engagement. Leave Pair ID blank for a commitment of the "
    "whole program.",
    "Calendar (optional): what pairs should do each month; they adapt it in their action plan.",
    "Breaks (optional): school holidays and closures, one row each; worked-out meeting dates skip "
    "them, and check warns about a listed meeting inside one.",
    "",
    "You may add your own columns: they are kept and can be used in custom templates.",
    "Blank rows are ignored. This Instructions sheet is ignored too.",
)


def _date_validation() -> DataValidation:
    """A soft check (a warning Excel shows, not a refusal) that a cell holds a date."""
    return DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Not a date",
        error="Type a date such as 2026-09-01 or 1 Sep 2026.",
    )


def _list_validation(col: Column) -> DataValidation:
    """A drop-down list of the column's allowed values."""
    return DataValidation(
        type="list",
        formula1='"' + ",".join(col.choices) + '"',
        allow_blank=True,
        showDropDown=False,  # False shows the arrow (the attribute's meaning is inverted)
        showErrorMessage=True,
        errorTitle=f"Not a {col.header.lower()}",
        error=f"Choose one of: {', '.join(col.choices)}.",
    )


def _style_header(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, col in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=col.header)
        cell.font = _HEADER_FONT if col.required else _OPTIONAL_FONT
        cell.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        note = "Required." if col.required else "Optional."
        if col.choices:
            note += " Choose from the list: " + ", ".join(col.choices) + "."
        if col.hint:
            note += " " + col.hint
        cell.comment = Comment(note, _AUTHOR, width=260, height=110)
    sheet.row_dimensions[1].height = 30


def _format_columns(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = col.width
        if col.kind == "date":
            dimension.number_format = DATE_FORMAT
        elif col.kind == "time":
            dimension.number_format = TIME_FORMAT
        elif col.kind == "id" or col.key.endswith("_phone"):
            dimension.number_format = TEXT_FORMAT  # keep "007" and "+1 555..." as typed
        if col.kind in ("text", "line") and col.width >= 28:
            dimension.alignment = Alignment(wrap_text=True, vertical="top")


def _add_validations(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    last = VALIDATED_ROWS
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        target = f"{letter}2:{letter}{last}"
        if col.choices:
            validation = _list_validation(col)
        elif col.kind == "date":
            validation = _date_validation()
        elif col.kind == "time":
            validation = DataValidation(
                type="time",
                operator="between",
                formula1="0",
                formula2="0.999988",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Not a time",
                error="Type a time such as 15:30 or 3:30 PM.",
            )
        else:
            continue
        validation.add(target)
        sheet.add_data_validation(validation)


def _table_sheet(workbook: Workbook, spec: SheetSpec) -> Worksheet:
    sheet = workbook.create_sheet(spec.name)
    _style_header(sheet, spec.columns)
    _format_columns(sheet, spec.columns)
    _add_validations(sheet, spec.columns)
    sheet.freeze_panes = "B2" if spec.columns[0].key == "pair_id" else "A2"
    return sheet


def _program_sheet(workbook: Workbook, spec: SheetSpec) -> Worksheet:
    sheet = workbook.create_sheet(spec.name)
    columns = (*spec.columns, Column("notes", "What to enter", width=70))
    _style_header(sheet, columns)
    sheet.cell(row=1, column=3).comment = None
    for index, col in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col.width
    for row, setting in enumerate(PROGRAM_SETTINGS, start=2):
        name = sheet.cell(row=row, column=1, value=setting.header)
        name.font = font(bold=setting.required)
        value = sheet.cell(row=row, column=2)
        if setting.kind == "date":
            value.number_format = DATE_FORMAT
        hint = ("Required. " if setting.required else "Optional. ") + setting.hint
        sheet.cell(row=row, column=3, value=hint).font = _HINT_FONT
    dates = _date_validation()
    for row, setting in enumerate(PROGRAM_SETTINGS, start=2):
        if setting.kind == "date":
            dates.add(f"B{row}")
        elif setting.choices:
            choice = _list_validation(setting)
            choice.add(f"B{row}")
            sheet.add_data_validation(choice)
    sheet.add_data_validation(dates)
    _mail_rows(sheet, len(PROGRAM_SETTINGS) + 3)
    sheet.freeze_panes = "A2"
    return sheet


def _mail_rows(sheet: Worksheet, first: int) -> None:
    """The mail settings (for send and collect), after a blank row: names, blank values, and
    what to enter with an example; never a password."""
    for row, setting in enumerate(SETTINGS, start=first):
        sheet.cell(row=row, column=1, value=setting.name)
        hint = f"Optional, for send and collect. {setting.hint} E.g. {setting.example}"
        sheet.cell(row=row, column=3, value=hint).font = _HINT_FONT
        if setting.choices:
            choice = DataValidation(
                type="list",
                formula1='"' + ",".join(setting.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"Not a {setting.name.lower()}",
                error=f"Choose one of: {', '.join(setting.choices)}.",
            )
            choice.add(f"B{row}")
            sheet.add_data_validation(choice)


def _instructions_sheet(workbook: Workbook) -> Worksheet:
    sheet = workbook.create_sheet("Instructions")
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(row=row, column=1, value=line or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = font(bold=True, size=14)
    return sheet


def new_workbook() -> Workbook:
    """The starter roster as an openpyxl workbook: Instructions, then one sheet per roster sheet."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty "Sheet" a new workbook has
    _instructions_sheet(workbook)
    for spec in SHEETS:
        if spec.name == "Program":
            _program_sheet(workbook, spec)
        else:
            _table_sheet(workbook, spec)
    workbook.active = workbook.sheetnames.index("Program")
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == "Program"
    return workbook


def write_starter_roster(path: str | os.PathLike[str]) -> Path:
    """Write the starter roster to ``path`` (a folder gets ``roster.xlsx`` inside it).

    Never overwrites: raises :class:`OutputError` when the file already exists.
    """
    target = Path(path)
    if target.is_dir() or not target.suffix:
        target = target / STARTER_NAME
    if target.suffix.lower() != ".xlsx":
        raise OutputError(
            f"{target}: a roster must be an Excel workbook; give a name ending in .xlsx."
        )
    if target.exists():
        raise OutputError(
            f"{target} already exists; mentordocs init never overwrites a roster. "
            f"Choose another folder, e.g. 'mentordocs init new-program', or move the existing file first."
        )
    buffer = io.BytesIO()
    new_workbook().save(buffer)
    atomic_write_bytes(target, buffer.getvalue())
    return target
