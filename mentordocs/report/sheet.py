"""The program summary as a workbook of its own: one "Summary" sheet, laid out to print on one
page, with its charts (openpyxl). The coordinator's tracking workbook is never written to."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from mentordocs.report.summary import ProgramSummary
from mentordocs.tracking.data import excel_escaped
from mentordocs.xlsxstyle import font

__all__ = ["SUMMARY_SHEET", "summary_workbook"]

SUMMARY_SHEET = "Summary"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEADER_FONT = font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_TITLE_FONT = font(bold=True, size=16, color="1F4E78")
_SECTION_FONT = font(bold=True, size=12, color="1F4E78")
_NOTE_FONT = font(italic=True, color="7F7F7F")


class _Sheet:
    """Rows appended one by one, remembering the row number."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 0

    def add(self, values: Sequence[object], font: Font | None = None, header: bool = False) -> int:
        self.row += 1
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = self.ws.cell(self.row, column)
            if isinstance(value, str):
                cell.value = excel_escaped(_ILLEGAL.sub("", value))
                cell.data_type = "s"  # typed text, never a formula ("=..." in a name)
            else:
                cell.value = value  # type: ignore[assignment]  # ints only here
            cell.alignment = Alignment(vertical="top", wrap_text=column == 4 and not header)
            if header:
                cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            elif font is not None:
                cell.font = font
        return self.row

    def skip(self) -> None:
        self.row += 1


def summary_workbook(summary: ProgramSummary) -> bytes:
    """The Summary workbook's bytes (the caller writes them atomically)."""
    wb = Workbook()
    blank = wb.worksheets[0]
    ws = wb.create_sheet(SUMMARY_SHEET)
    wb.remove(blank)
    sheet = _Sheet(ws)
    for column, width in enumerate([30, 26, 26, 60, 11, 11, 13], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    program = summary.program or "Mentoring program"
    sheet.add([f"{program}: program summary"], _TITLE_FONT)
    when = f"Collected {summary.collected_at:%d %B %Y at %H:%M}; " if summary.collected_at else ""
    sheet.add(
        [
            f"{when}{summary.active_pairs} active pairs. Counts only: no answer from a form is "
            "in this summary, confidential or not."
        ],
        _NOTE_FONT,
    )
    charts: list[tuple[BarChart, int]] = []
    sheet.skip()
    sheet.add(["Returns per stage"], _SECTION_FONT)
    head = ["Form", "Returned", "Missing", "Not sent yet", "Complete", "Signed", "Stage"]
    first = sheet.add(head, header=True) + 1
    for stage in summary.stages:
        for form in stage.forms:
            label = form.title if len(summary.stages) == 1 else f"{stage.title}: {form.title}"
            sheet.add(
                [
                    label,
                    form.returned,
                    form.missing,
                    form.not_sent,
                    form.complete,
                    form.signed,
                    stage.title,
                ]
            )
    if sheet.row >= first:
        charts.append((_chart(ws, "Forms per pair", first, sheet.row, 4, stacked=True), first))
    for goals in summary.goals:
        sheet.skip()
        sheet.add([f"{goals.title} ({goals.total} goals)"], _SECTION_FONT)
        first = sheet.add(["Status", "Goals"], header=True) + 1
        for status, count in goals.counts:
            sheet.add([status, count])
        charts.append((_chart(ws, goals.title, first, sheet.row, 2), first))
    sheet.skip()
    sheet.add([f"Pairs that need attention ({len(summary.attention)})"], _SECTION_FONT)
    sheet.add(["Pair", "Mentor", "Mentee", "What needs attention"], header=True)
    for pair in summary.attention:
        sheet.add([pair.pair_id, pair.mentor, pair.mentee, "; ".join(pair.reasons)])
    if not summary.attention:
        sheet.add(["None: every form sent is back, complete and signed; no goal is at risk."])
    ws.auto_filter.ref = None
    # The charts sit to the right of the tables, one under the other.
    anchor = 1
    for chart, _ in charts:
        ws.add_chart(chart, f"I{anchor}")
        anchor += 16
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _chart(
    ws: Worksheet, title: str, first: int, last: int, columns: int, stacked: bool = False
) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    else:
        chart.legend = None
    data = Reference(ws, min_col=2, max_col=columns, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 7.5, 15
    return chart
