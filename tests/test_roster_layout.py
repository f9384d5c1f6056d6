"""The fast way to read the roster gives the same sheets as the plain way.

The plain way (``Book``) reads every cell, merged cell and hidden row in openpyxl's normal
mode; the fast way (``StreamedBook``) reads the cells in openpyxl's read-only mode and the
merged cells and hidden rows with ``mentordocs.roster.layout``. Each test below reads one
workbook both ways and compares every sheet: its rows, values, formula flags, merged ranges
with their values, and hidden rows. The workbooks: the tests' roster builders, the sample
roster, the starter workbook, workbooks written by hand the way Excel and LibreOffice Calc
write them (formulas with saved results, merged ranges across rows and columns, hidden and
filtered rows, a huge declared size), and one re-saved by LibreOffice Calc when it is here.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_ROSTER, missing
from openpyxl.chart import BarChart, Reference
from test_roster_kit import base_book, make_roster, set_cell

from mentordocs.errors import OfficeError
from mentordocs.generate.office import convert
from mentordocs.roster import check_roster, load_roster, write_starter_roster
from mentordocs.roster.layout import LayoutError, read_layouts
from mentordocs.roster.problems import Problems
from mentordocs.roster.workbook import (
    READER_VARIABLE,
    Book,
    Merged,
    Sheet,
    StreamedBook,
    open_workbook,
)

# -- reading one workbook both ways ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    "Whatever the environment says, the roster is read the fast way unless a test asks."
    monkeypatch.delenv(READER_VARIABLE, raising=False)


def _sheets(path: Path, plain: bool) -> tuple[Book, list[Sheet], Problems]:
    problems = Problems(path.name)
    book = open_workbook(path, problems, plain=plain)
    assert book is not None, problems.found
    try:
        return book, [book.sheet(title) for title in book.titles], problems
    finally:
        book.close()


def assert_same_sheets(path: Path) -> list[Sheet]:
    """Read ``path`` both ways; the fast way must be taken, and give the plain way's sheets."""
    plain_book, plain, plain_problems = _sheets(path, plain=True)
    fast_book, fast, fast_problems = _sheets(path, plain=False)
    assert type(plain_book) is Book and plain_book.layout
    assert type(fast_book) is StreamedBook  # not the plain way again, after a failure
    assert [s.title for s in fast] == [s.title for s in plain]
    for fast_sheet, plain_sheet in zip(fast, plain, strict=True):
        assert fast_sheet.rows == plain_sheet.rows, fast_sheet.title
        assert fast_sheet.merged == plain_sheet.merged, fast_sheet.title
        assert fast_sheet.hidden == plain_sheet.hidden, fast_sheet.title
        assert fast_sheet == plain_sheet
    assert fast_problems.found == plain_problems.found
    return fast


def assert_same_roster(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What check and load report is the same both ways too."""
    fast = [str(p) for p in check_roster(path)]
    monkeypatch.setenv(READER_VARIABLE, "plain")
    plain = [str(p) for p in check_roster(path)]
    monkeypatch.delenv(READER_VARIABLE)
    assert fast == plain


def _edited(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    workbook = openpyxl.load_workbook(path)
    edit(workbook)
    workbook.save(path)
    return path


# -- the tests' roster workbooks, the sample and the starter ---------------------------------


def test_the_base_roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_roster(tmp_path)
    sheets = assert_same_sheets(path)
    assert [s.title for s in sheets] == [
        "Program",
        "Pairs",
        "Goals",
        "Meetings",
        "Commitments",
        "Calendar",
    ]
    assert_same_roster(path, monkeypatch)


def test_the_sample_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = assert_same_sheets(SAMPLE_ROSTER)
    assert sum(len(s.rows) for s in sheets) > 50
    assert_same_roster(SAMPLE_ROSTER, monkeypatch)


def test_the_starter_roster(tmp_path: Path) -> None:
    assert_same_sheets(write_starter_roster(tmp_path / "roster.xlsx"))


def test_formulas_without_saved_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl writes a formula without its result, as a program that never calculated."""
    book = base_book()
    set_cell(book, "Pairs", 3, "Meeting length (minutes)", "=20+25")
    path = make_roster(tmp_path, book)
    pairs = assert_same_sheets(path)[1]
    assert pairs.rows[2].formulas.count(True) == 1
    assert_same_roster(path, monkeypatch)


@pytest.mark.parametrize(
    ("sheet", "cells", "value"),
    [
        ("Goals", "A2:A4", "P01"),  # down rows, past the last row with a value
        ("Pairs", "L2:L4", "Room 12"),
        ("Calendar", "B2:C3", "Set up routines"),  # rows and columns
        ("Pairs", "A1:P1", "Pair ID"),  # a title over the header row
        ("Pairs", "C5:D6", None),  # blank: not listed
        ("Goals", "B1:C2", "Goal #"),  # values inside the range, dropped
    ],
)
def test_merged_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheet: str, cells: str, value: object
) -> None:
    book = base_book()
    book["Goals"].append([None, 3, "Keep a reflective journal", "Long-term", None])
    path = _edited(make_roster(tmp_path, book), lambda wb: wb[sheet].merge_cells(cells))
    read = {s.title: s for s in assert_same_sheets(path)}[sheet]
    assert [m.ref for m in read.merged] == ([cells] if value is not None else [])
    if value is not None:
        assert read.merged[0].value == value
    assert_same_roster(path, monkeypatch)


def test_hidden_and_grouped_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = base_book()
    for number in range(4, 8):
        book["Calendar"].append([f"Month {number}", "A task", None])

    def edit(workbook: openpyxl.Workbook) -> None:
        for row in (2, 4, 5, 6, 9, 40):  # 9 and 40 have nothing in them
            workbook["Calendar"].row_dimensions[row].hidden = True
        workbook["Pairs"].row_dimensions.group(2, 3, hidden=True)
        workbook["Goals"].row_dimensions[3].height = 30  # a row dimension, not hidden

    path = _edited(make_roster(tmp_path, book), edit)
    sheets = {s.title: s for s in assert_same_sheets(path)}
    assert sheets["Calendar"].hidden == [2, 4, 5, 6, 9, 40]
    assert sheets["Pairs"].hidden == [2, 3]
    assert sheets["Goals"].hidden == []
    assert_same_roster(path, monkeypatch)


def test_filtered_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows an AutoFilter hides are saved as hidden rows."""

    def edit(workbook: openpyxl.Workbook) -> None:
        pairs = workbook["Pairs"]
        pairs.auto_filter.ref = "A1:U3"
        pairs.auto_filter.add_filter_column(0, ["P01"])
        pairs.row_dimensions[3].hidden = True

    path = _edited(make_roster(tmp_path), edit)
    assert {s.title: s for s in assert_same_sheets(path)}["Pairs"].hidden == [3]
    assert_same_roster(path, monkeypatch)


def test_a_big_roster_with_links_comments_and_styled_blank_cells(tmp_path: Path) -> None:
    """Cells openpyxl's normal mode makes itself (for a link, a comment, a styled blank cell)
    are blank like the rest: the sheets read the same."""
    book = base_book()
    first = book["Pairs"][1]
    for number in range(3, 400):
        book["Pairs"].append([f"X{number:03d}", *first[1:]])
    path = make_roster(tmp_path, book)

    def edit(workbook: openpyxl.Workbook) -> None:
        pairs = workbook["Pairs"]
        pairs["X2"].hyperlink = "https://example.org/"  # beyond the last column
        pairs["Z500"].comment = openpyxl.comments.Comment("later", "Dana")
        pairs["W20"].font = openpyxl.styles.Font(bold=True)
        pairs.merge_cells("M10:M12")

    sheets = assert_same_sheets(_edited(path, edit))
    pairs = sheets[1]
    assert len(pairs.rows) == 400  # not 500: the comment's cell is blank
    assert pairs.rows[1].values[23:] == ["https://example.org/"]  # a link's cell shows it


# -- workbooks written by hand, as Excel and LibreOffice Calc write them ---------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill>'
    '</fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_xlsx(path: Path, sheets: dict[str, str], prolog: str = "") -> Path:
    """An .xlsx whose worksheets hold ``sheets`` (title -> the XML inside <worksheet>);
    style 1 is a date. ``prolog`` goes before each worksheet's root element."""
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"'
            f"/>{types}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><sheets>'
            + "".join(
                f'<sheet name="{title}" sheetId="{n}" r:id="rId{n}"/>'
                for n, title in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_R}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rId0" Type="{_R}/styles" Target="/xl/styles.xml"/>'
            + "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }
    for n, body in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'{prolog}<worksheet xmlns="{_MAIN}" xmlns:r="{_R}">{body}</worksheet>'
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return path


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# LibreOffice Calc writes every row's attributes (hidden="false" ...), a formula's result and
# blank styled cells; Excel writes spans, "1" for true, shared and array formulas.
_LAYOUT_SHEET = (
    '<dimension ref="A1:XFD1048576"/><sheetData>'
    '<row r="1" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
    'outlineLevel="0" collapsed="false">'
    + _text("A1", "Pair ID")
    + _text("B1", "Place")
    + _text("C1", "Total")
    + '<c r="D1" s="0"/></row>'
    '<row r="2" hidden="true" spans="1:5">'
    '<c r="A2" t="str"><v>P01</v></c>'
    + _text("B2", "Room 12")
    + '<c r="C2"><f>1+1</f><v>2</v></c></row>'
    '<row r="3" hidden="1">'
    + _text("A3", "P02")
    + _text("B3", "left over")
    + '<c r="C3"><f>C2*2</f></c>'
    + _text("E3", "left over too")
    + "</row>"
    '<row r="4" hidden="0" outlineLevel="1" collapsed="true"><c r="A4" s="1"/>'
    '<c r="C4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    "<row>" + '<c t="inlineStr"><is><t>no reference</t></is></c><c><v>5</v></c></row>'
    '<row r="7" hidden="true"/>'
    '<row r="9">' + _text("F9", "across") + "</row>"
    '<row r="12"><c r="A12" t="b"><v>1</v></c><c r="B12" s="1"><v>46000</v></c></row>'
    '<row r="13"><c r="A13"><f t="shared" ref="A13:A14" si="0">B12+1</f><v>46001</v></c></row>'
    '<row r="14"><c r="A14"><f t="shared" si="0"/><v>46002</v></c></row>'
    '<row r="15"><c r="A15"><f t="array" ref="A15">SUM(B12:B12)</f><v>46000</v></c></row>'
    '<row r="20" s="1" customFormat="1"><c r="H20" s="1"/></row>'
    "</sheetData>"
    '<autoFilter ref="A1:C4"/>'
    '<mergeCells count="5"><mergeCell ref="B2:B4"/><mergeCell ref="D2:E3"/>'
    '<mergeCell ref="C2:C3"/><mergeCell ref="F9:G9"/><mergeCell ref="B2:B4"/></mergeCells>'
    '<hyperlinks><hyperlink ref="K30" location="\'Small\'!A1" display="back"/></hyperlinks>'
)
_SMALL_DIMENSION = (
    '<dimension ref="A1:B2"/><sheetData>'
    + "".join(f'<row r="{n}">{_text(f"D{n}", f"row {n}")}</row>' for n in range(1, 7))
    + '</sheetData><mergeCells count="1"><mergeCell ref="D5:D8"/></mergeCells>'
)
_NO_CELLS = (
    '<sheetData><row r="3" hidden="1"/></sheetData>'
    '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
)


def test_a_workbook_written_by_hand(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "layout.xlsx",
        {"Layout": _LAYOUT_SHEET, "Small": _SMALL_DIMENSION, "Empty": _NO_CELLS},
    )
    layout, small, empty = assert_same_sheets(path)
    assert layout.hidden == [2, 3, 7]
    assert [m.ref for m in layout.merged] == ["B2:B4", "C2:C3", "F9:G9"]  # D2:E3 is blank
    assert layout.merged[1] == Merged("C2:C3", 2, 3, 3, 3, 2)  # the formula's saved result
    assert [row.values for row in layout.rows[1:5]] == [
        ["P01", "Room 12", 2],
        ["P02", "Room 12", 2],  # B3 and E3 held values Excel would not show
        [None, "Room 12", "#DIV/0!"],
        ["no reference", 5],
    ]
    assert layout.rows[2].formulas == [False, False, True]  # as their top-left cells
    assert [row.number for row in layout.rows] == list(range(1, 16))
    # D5:D8 spreads over the rows that hold a value Excel shows, not past the last of them (row
    # 6's only value is hidden under the merge).
    assert [row.values for row in small.rows][3:] == [
        [None, None, None, "row 4"],
        [None, None, None, "row 5"],
    ]
    assert empty.rows == [] and empty.merged == [] and empty.hidden == [3]


def test_the_sheets_of_a_workbook_without_a_dimension(tmp_path: Path) -> None:
    body = _LAYOUT_SHEET.replace('<dimension ref="A1:XFD1048576"/>', "")
    assert_same_sheets(write_xlsx(tmp_path / "layout.xlsx", {"Layout": body}))


# -- where the fast way steps aside ------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "body"),
    [
        (
            "rows out of order",
            f'<sheetData><row r="2">{_text("A2", "b")}</row><row r="1">{_text("A1", "a")}'
            "</row></sheetData>",
        ),
        (
            "a row twice",
            f'<sheetData><row r="1">{_text("A1", "a")}</row><row r="1">{_text("B1", "b")}'
            "</row></sheetData>",
        ),
        (
            "a cell in another row",
            f'<sheetData><row r="1">{_text("A1", "a")}{_text("B3", "b")}</row></sheetData>',
        ),
    ],
)
def test_a_sheet_read_only_mode_would_read_otherwise_is_read_the_plain_way(
    tmp_path: Path, case: str, body: str
) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", {"Odd": body})
    with pytest.raises(LayoutError):
        read_layouts(path.read_bytes())
    problems = Problems(path.name)
    book = open_workbook(path, problems)
    assert type(book) is Book and book.layout, case
    plain_book, plain, _ = _sheets(path, plain=True)
    assert [book.sheet(t) for t in book.titles] == plain


def test_a_doctype_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "doctype.xlsx",
        {"Sheet": f'<sheetData><row r="1">{_text("A1", "a")}</row></sheetData>'},
        prolog='<!DOCTYPE worksheet [<!ENTITY x "y">]>',
    )
    with pytest.raises(LayoutError, match="DOCTYPE"):
        read_layouts(path.read_bytes())
    book = open_workbook(path, Problems(path.name))
    assert not isinstance(book, StreamedBook)


def test_a_damaged_chart_does_not_stop_the_fast_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain way reads charts and steps back to read-only mode, without merged cells,
    when one is damaged (tests/test_roster_forgiving.py); the fast way never reads them."""
    path = make_roster(tmp_path)
    workbook = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(workbook["Pairs"], min_col=10, min_row=1, max_row=3))
    workbook["Pairs"].add_chart(chart, "T2")
    workbook["Pairs"].merge_cells("L2:L3")
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w") as damaged:
        for item, data in parts.items():
            cut = item.filename == "xl/charts/chart1.xml"
            damaged.writestr(item, data[: len(data) // 2] if cut else data)
    plain_book, plain, plain_problems = _sheets(path, plain=True)
    assert not plain_book.layout and plain[1].merged == []
    assert "Part of the workbook cannot be read" in plain_problems.found[0].message
    fast_book, fast, fast_problems = _sheets(path, plain=False)
    assert type(fast_book) is StreamedBook and fast_problems.found == []
    assert [m.ref for m in fast[1].merged] == ["L2:L3"]
    assert [p.meeting_place for p in load_roster(path).pairs] == ["Room 12", "Room 12"]
    monkeypatch.setenv(READER_VARIABLE, "plain")
    assert [p.meeting_place for p in load_roster(path).pairs] == ["Room 12", ""]


# -- a workbook re-saved by LibreOffice Calc ---------------------------------------------------


@pytest.mark.soffice
def test_a_roster_saved_again_by_libreoffice_calc(
    tmp_path: Path, soffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = base_book()
    book["Goals"].append([None, 3, "Keep a reflective journal", "Long-term", None])
    set_cell(book, "Pairs", 3, "Meeting length (minutes)", "=20+25")

    def edit(workbook: openpyxl.Workbook) -> None:
        workbook["Goals"].merge_cells("A2:A4")
        workbook["Calendar"].merge_cells("B2:C3")
        workbook["Pairs"].row_dimensions[3].hidden = True

    source = _edited(make_roster(tmp_path, book), edit)
    ods = tmp_path / "ods"
    try:  # through OpenDocument and back, as a coordinator using Calc would save it
        middle = convert([source], "ods", ods, soffice=soffice)[0]
        saved = convert([middle], "xlsx:Calc MS Excel 2007 XML", tmp_path / "xlsx", soffice=soffice)
    except OfficeError as exc:
        if "source file could not be loaded" in str(exc):  # a soffice without Calc
            missing(f"LibreOffice Calc is not installed with this soffice ({exc})")
        raise
    sheets = {s.title: s for s in assert_same_sheets(saved[0])}
    assert [m.ref for m in sheets["Goals"].merged] == ["A2:A4"]
    assert sheets["Pairs"].hidden == [3]
    assert sheets["Pairs"].rows[2].values[9] == 45  # the result Calc saved (Meeting length)
    assert_same_roster(saved[0], monkeypatch)
