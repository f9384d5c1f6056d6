"""Every workbook mentordocs writes names its font on every style: a font without a name or
size is drawn in whatever the program opening it picks (LibreOffice: a wider serif face, and
the tracking workbook's dates then show as ###)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from lxml import etree

from mentordocs.cli import cli

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def run(*args: object) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output  # 1: collect lists the blank forms


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbooks")
    run("init", folder / "roster.xlsx")
    run("generate", SAMPLE_ROSTER, "-o", folder / "packets", "-q")
    tracking = folder / "tracking.xlsx"
    run("collect", folder / "packets", "-o", tracking, "--roster", SAMPLE_ROSTER, "-q")
    run("report", tracking, "-o", folder / "report")
    found = {
        "starter roster": folder / "roster.xlsx",
        "tracking workbook": tracking,
        "report": next((folder / "report").glob("*.xlsx")),
    }
    assert all(path.is_file() for path in found.values())
    return found


@pytest.mark.parametrize("which", ["starter roster", "tracking workbook", "report"])
def test_every_font_has_a_name_and_a_size(workbooks, which) -> None:
    with zipfile.ZipFile(workbooks[which]) as package:
        styles = etree.fromstring(package.read("xl/styles.xml"))
    fonts = styles.findall(f"{MAIN}fonts/{MAIN}font")
    assert len(fonts) > 1  # the workbook's default and the styles' own
    for number, font in enumerate(fonts):
        name, size = font.find(f"{MAIN}name"), font.find(f"{MAIN}sz")
        assert name is not None and name.get("val") == "Calibri", (which, number)
        assert size is not None and float(size.get("val")) >= 11, (which, number)


def test_the_tracking_workbook_prints_landscape_with_its_headers_on_every_page(workbooks) -> None:
    # It printed portrait, with nothing repeated: 11 pairs made 153 pages, the pair's name on
    # the first page of each row and its ticks on the five after.
    book = openpyxl.load_workbook(workbooks["tracking workbook"])
    for ws in book.worksheets:
        if ws.sheet_state == "visible":  # not the hidden sheet of mentordocs' own records
            assert ws.page_setup.orientation == "landscape", ws.title
    status = book["Status"]
    assert (status.print_title_rows, status.print_title_cols) == ("$1:$2", "$A:$A")
    goal_sheet = next(ws for ws in book.worksheets if ws.title.startswith("Goal sheet"))
    assert (goal_sheet.print_title_rows, goal_sheet.print_title_cols) == ("$1:$1", "$A:$A")
    dashboard = book["Dashboard"]  # narrow: one page wide, as many long as it needs
    assert dashboard.sheet_properties.pageSetUpPr.fitToPage
    assert (dashboard.page_setup.fitToWidth, dashboard.page_setup.fitToHeight) == (1, 0)


def test_the_tracking_workbook_given_as_the_roster_is_named_for_what_it_is(workbooks) -> None:
    # It was "no 'Pairs' sheet ... If 'Mentoring action plan' is that sheet, rename it
    # 'Pairs'": following that would damage the tracking workbook.
    tracking = workbooks["tracking workbook"]
    for command in (["check", tracking], ["generate", tracking, "-o", tracking.parent / "x"]):
        result = CliRunner().invoke(cli, [str(a) for a in command])
        assert result.exit_code == 1, result.output
        assert "This is the tracking workbook 'mentordocs collect' writes, not a roster." in (
            result.output
        )
        assert "Give the roster workbook instead" in result.output
        assert "rename" not in result.output
    assert not (tracking.parent / "x").exists()
