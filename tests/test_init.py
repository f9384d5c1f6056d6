"""`mentordocs init [DIR]`: the starter roster, reopened with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from mentordocs.cli import cli
from mentordocs.errors import OutputError
from mentordocs.models import FREQUENCIES, MEETING_DAYS, MEETING_MODES, PLAN_TYPES, STATUSES
from mentordocs.roster import PROGRAM_SETTINGS, SHEETS, check_roster, write_starter_roster


@pytest.fixture
def starter(tmp_path: Path) -> openpyxl.Workbook:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "program")])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(tmp_path / "program" / "roster.xlsx")


def validations(sheet) -> dict[str, tuple[str, str, str]]:
    """Header -> (type, formula1, cell range) of each column's data validation."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            found[headers.get(letter)] = (validation.type, validation.formula1, cell_range.coord)
    return found


def test_init_writes_roster_xlsx_and_says_what_next(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "new" / "roster.xlsx"
    assert path.is_file()
    assert f"Wrote {path}." in result.output
    assert f"mentordocs check {path}" in result.output


def test_init_defaults_to_the_current_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "roster.xlsx").is_file()


def test_init_has_every_sheet_with_its_headers(starter: openpyxl.Workbook) -> None:
    assert starter.sheetnames == ["Instructions"] + [spec.name for spec in SHEETS]
    for spec in SHEETS:
        sheet = starter[spec.name]
        headers = [cell.value for cell in sheet[1] if cell.value]
        expected = [c.header for c in spec.columns]
        assert headers[: len(expected)] == expected


def test_required_headers_are_marked_and_explained(starter: openpyxl.Workbook) -> None:
    pairs = starter["Pairs"]
    spec = next(s for s in SHEETS if s.name == "Pairs")
    for cell, column in zip(pairs[1], spec.columns, strict=False):
        assert cell.font.bold is column.required
        assert cell.comment is not None
        assert cell.comment.text.startswith("Required." if column.required else "Optional.")
    assert pairs["A1"].fill.fgColor.rgb != pairs["C1"].fill.fgColor.rgb  # required vs optional


def test_header_rows_are_frozen_and_columns_sized(starter: openpyxl.Workbook) -> None:
    for spec in SHEETS:
        sheet = starter[spec.name]
        assert sheet.freeze_panes in ("A2", "B2"), spec.name
        assert all(cell.fill.fill_type == "solid" for cell in sheet[1] if cell.value)
        for index, column in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            assert sheet.column_dimensions[letter].width == column.width
    assert starter["Pairs"].freeze_panes == "B2"  # Pair ID stays in view


@pytest.mark.parametrize(
    ("sheet", "header", "values"),
    [
        ("Pairs", "Plan type", PLAN_TYPES),
        ("Pairs", "Meeting day", MEETING_DAYS),
        ("Pairs", "Meeting mode", MEETING_MODES),
        ("Pairs", "Frequency", FREQUENCIES),
        ("Pairs", "Status", STATUSES),
        ("Goals", "Horizon", ("Short-term", "Long-term")),
        ("Goals", "Whose goal", ("Mentee", "Mentor", "Joint")),
        ("Commitments", "Area", ("Attendance", "Participation", "Interaction", "Other")),
    ],
)
def test_drop_down_lists(
    starter: openpyxl.Workbook, sheet: str, header: str, values: tuple[str, ...]
) -> None:
    kind, formula, cells = validations(starter[sheet])[header]
    assert kind == "list"
    assert formula == '"' + ",".join(values) + '"'
    assert cells.endswith("2:" + cells.split(":")[0][0] + "1000")


def test_the_paper_size_setting_is_a_drop_down(starter: openpyxl.Workbook) -> None:
    sheet = starter["Program"]
    row = next(cell.row for cell in sheet["A"] if cell.value == "Paper size")
    lists = [
        (dv.formula1, str(dv.sqref))
        for dv in sheet.data_validations.dataValidation
        if dv.type == "list"
    ]
    assert ('"A4,Letter"', f"B{row}") in lists


def test_date_and_time_columns_are_formatted_and_validated(starter: openpyxl.Workbook) -> None:
    for spec in SHEETS:
        sheet = starter[spec.name]
        found = validations(sheet)
        for index, column in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            if column.kind == "date":
                assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
                assert found[column.header][0] == "date"
            elif column.kind == "time":
                assert sheet.column_dimensions[letter].number_format == "hh:mm"
                assert found[column.header][0] == "time"
    assert starter["Pairs"].column_dimensions["A"].number_format == "@"  # Pair ID kept as typed


def test_program_sheet_lists_every_setting(starter: openpyxl.Workbook) -> None:
    program = starter["Program"]
    assert [program.cell(row=1, column=c).value for c in (1, 2)] == ["Setting", "Value"]
    settings = [program.cell(row=r, column=1).value for r in range(2, 2 + len(PROGRAM_SETTINGS))]
    assert settings == [s.header for s in PROGRAM_SETTINGS]
    for row, setting in enumerate(PROGRAM_SETTINGS, start=2):
        assert program.cell(row=row, column=2).value is None
        hint = program.cell(row=row, column=3).value
        assert hint.startswith("Required." if setting.required else "Optional.")
        if setting.kind == "date":
            assert program.cell(row=row, column=2).number_format == "yyyy-mm-dd"


def test_instructions_sheet(starter: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for c in starter["Instructions"]["A"] if c.value)
    assert "mentordocs check roster.xlsx" in text
    for spec in SHEETS:
        assert f"{spec.name}" in text


def test_empty_starter_gives_fill_in_problems_not_a_crash(tmp_path: Path) -> None:
    path = write_starter_roster(tmp_path)
    problems = check_roster(path)
    assert problems and all(p.severity == "error" for p in problems)
    assert {(p.sheet, p.row, p.column) for p in problems} == {
        ("Program", 2, "Value"),
        ("Program", 4, "Value"),
        ("Program", 5, "Value"),
        ("Program", 6, "Value"),
        ("Program", 7, "Value"),
        ("Pairs", None, None),
    }
    assert all(p.fix.startswith("Fill in") for p in problems)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_a_filled_in_starter_passes(tmp_path: Path) -> None:
    path = write_starter_roster(tmp_path / "roster.xlsx")
    workbook = openpyxl.load_workbook(path)
    program = workbook["Program"]
    values = ["Pilot", None, "Dana", "dana@example.org", "2026-09-01", "2027-06-01"]
    for row, value in enumerate(values, start=2):
        program.cell(row=row, column=2, value=value)
    workbook["Pairs"].append(
        ["P01", "Ana", None, "ana@example.org", None, "Ben", None, "ben@example.org"]
    )
    workbook["Pairs"]["K2"] = "Tue"  # Meeting day
    workbook["Pairs"]["P2"] = "Weekly"  # Frequency
    workbook.save(path)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output


def test_init_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"the coordinator's work")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"Error: {path} already exists; mentordocs init never overwrites a roster." in result.output
    )
    assert "Choose another folder" in result.output
    assert path.read_bytes() == b"the coordinator's work"
    with pytest.raises(OutputError):
        write_starter_roster(path)


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 2


def test_write_starter_roster_needs_an_xlsx_name(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"\.xlsx"):
        write_starter_roster(tmp_path / "roster.xls")


def test_init_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["init", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "mentordocs init new-program" in result.output


def test_init_given_a_workbook_name_writes_that_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "spring-2027.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spring-2027.xlsx").is_file()
    assert openpyxl.load_workbook(tmp_path / "spring-2027.xlsx")["Program"]["A2"].value


def test_program_sheet_offers_the_mail_settings_blank(starter: openpyxl.Workbook) -> None:
    from mentordocs.mailsettings import SETTINGS

    program = starter["Program"]
    rows = {cell.value: cell.row for cell in program["A"] if cell.value}
    lists = {str(dv.sqref): dv.formula1 for dv in program.data_validations.dataValidation}
    for setting in SETTINGS:
        row = rows[setting.name]
        assert row > 1 + len(PROGRAM_SETTINGS)
        assert program.cell(row=row, column=2).value is None  # never a password, nothing filled
        assert setting.example in program.cell(row=row, column=3).value
    assert lists[f"B{rows['Mail sign-in']}"] == '"Password,Microsoft 365,None"'
    assert lists[f"B{rows['Outgoing mail security']}"] == '"STARTTLS,SSL,None"'
    # blank mail settings are no problem for check
    mail_rows = {rows[setting.name] for setting in SETTINGS}
    assert not any(p.row in mail_rows for p in check_roster_of(starter))


def check_roster_of(workbook: openpyxl.Workbook):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        workbook.save(path)
        return check_roster(path)


@pytest.mark.parametrize("name", ["roster.csv", "Roster.XLS", "roster.ods"])
def test_init_given_another_file_name_says_so_and_makes_no_folder(tmp_path: Path, name) -> None:
    """'init roster.csv' made a folder named roster.csv with a roster.xlsx inside."""
    result = CliRunner().invoke(cli, ["init", str(tmp_path / name)])
    assert result.exit_code == 2
    assert "is not the name of an .xlsx workbook" in result.output
    assert f"{Path(name).stem}.xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_folder_with_a_dot_in_its_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "program.2027")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "program.2027" / "roster.xlsx").is_file()
