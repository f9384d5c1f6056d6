"""`mentordocs report TRACKING -o OUT`: the one-page program summary (issue 15, point 5).

The tracking workbook of the year is built as in test_tracking_year.py (P01 to the end, P02
with a mid-point check-in the mentee did not sign, P03 a goal sheet only, P04 nothing, P05
paused); the summary is checked figure by figure, reopened from summary.xlsx (openpyxl),
summary.html and summary.pdf (pypdf), and a hostile confidential answer collected with
--include-confidential is looked for in every byte written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pypdf
import pytest
from click.testing import CliRunner
from lxml import etree
from test_collect import SPECS, complete_values, make_roster
from test_tracking_year import SECRET, packets, year_returns, year_roster, year_specs, year_workbook

from mentordocs.cli import cli
from mentordocs.report import read_summary
from mentordocs.report.summary import Attention
from mentordocs.tracking import ReturnedForm, TrackingData, write_tracking

MARK = "SECRET-FEEDBACK"  # the part of SECRET no other text holds


def year_tracking(tmp_path: Path, returns: list, specs: dict | None = None) -> Path:
    """The year's tracking workbook holding ``returns`` (collected with ``specs``, by default
    the year's declarations)."""
    tracking = tmp_path / "tracking.xlsx"
    specs = specs if specs is not None else year_specs(tmp_path)
    data = TrackingData(returns=returns)
    roster = year_roster(tmp_path)
    tracking.write_bytes(
        write_tracking(tracking, data, roster, specs, packets_dir=packets(tmp_path))
    )
    return tracking


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["report", *args], env=env)


def test_the_summary_counts_every_stage_goal_and_pair(tmp_path):
    summary = read_summary(year_workbook(tmp_path), year_specs(tmp_path))
    assert summary.program == "Test Mentoring 2026" and summary.active_pairs == 4
    rows = [
        (s.title, f.title, f.returned, f.complete, f.signed, f.missing, f.not_sent)
        for s in summary.stages
        for f in s.forms
    ]
    assert rows == [
        ("Start", "Mentoring action plan", 1, 1, 1, 3, 0),
        ("Start", "Terms of engagement", 1, 1, 1, 3, 0),
        ("Start", "Goal sheet", 3, 3, 3, 1, 0),
        ("Start", "Confidentiality agreement", 1, 1, 1, 3, 0),
        ("Mid-point", "Mid-point check-in", 2, 1, 1, 0, 2),
        ("End", "End-of-program review", 1, 1, 1, 0, 3),
    ]
    assert [(g.title, g.counts) for g in summary.goals] == [
        (
            "Goals at the mid-point",
            [
                ("On track", 2),
                ("At risk", 2),
                ("Done", 2),
                ("Changed", 0),
                ("Dropped", 0),
                ("Not given", 0),
            ],
        ),
        (
            "Goals at the end",
            [
                ("Achieved", 2),
                ("Partly achieved", 0),
                ("Not achieved", 1),
                ("Changed", 0),
                ("Dropped", 0),
                ("Not given", 0),
            ],
        ),
    ]
    start_owed = [
        "Mentoring action plan: not returned",
        "Terms of engagement: not returned",
        "Confidentiality agreement: not returned",
    ]
    assert summary.attention == [
        # P01's goal 2 was at risk at the mid-point: its latest status is the end's.
        Attention("P01", "Mentor 1", "Mentee 1", ["Mentee's goal 2: Not achieved at the end"]),
        Attention(
            "P02",
            "Mentor 2",
            "Mentee 2",
            [
                *start_owed,
                "Mid-point check-in: incomplete: 1 required field blank, not signed by mentee",
                "Mentee's goal 1: At risk at the mid-point",
            ],
        ),
        Attention("P03", "Mentor 3", "Mentee 3", start_owed),
        Attention(
            "P04",
            "Mentor 4",
            "Mentee 4",
            [
                "Mentoring action plan: not returned",
                "Terms of engagement: not returned",
                "Goal sheet: not returned",
                "Confidentiality agreement: not returned",
            ],
        ),
    ]


def test_report_writes_the_sheet_and_the_page_and_leaves_the_workbook_alone(tmp_path):
    tracking = year_workbook(tmp_path)
    before = hashlib.sha256(tracking.read_bytes()).hexdigest()
    result = invoke(str(tracking), "-o", str(tmp_path / "report"))
    assert result.exit_code == 0, result.output
    assert "Mid-point: Mid-point check-in: 2 returned, 0 missing, 2 not sent yet" in result.output
    assert "Goals at the mid-point: 2 on track, 2 at risk, 2 done" in result.output
    assert "4 pairs need attention." in result.output
    assert hashlib.sha256(tracking.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == [
        "summary.html",
        "summary.xlsx",
    ]
    wb = openpyxl.load_workbook(tmp_path / "report" / "summary.xlsx")
    assert wb.sheetnames == ["Summary"]
    ws = wb["Summary"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Test Mentoring 2026: program summary"
    table = {r[0]: r[1:7] for r in rows if r[0] and isinstance(r[1], int) and r[6]}
    # Returned, Missing, Not sent yet, Complete, Signed, Stage
    assert table["Mid-point: Mid-point check-in"] == (2, 0, 2, 1, 1, "Mid-point")
    assert table["Start: Goal sheet"] == (3, 1, 0, 3, 3, "Start")
    attention = [r for r in rows if r[0] in ("P01", "P02", "P03", "P04", "P05")]
    assert [r[0] for r in attention] == ["P01", "P02", "P03", "P04"]
    assert attention[0][3] == "Mentee's goal 2: Not achieved at the end"
    assert ws.page_setup.fitToHeight == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(tmp_path / "report" / "summary.xlsx") as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # the returns, goals at the mid-point, goals at the end
    page = (tmp_path / "report" / "summary.html").read_text(encoding="utf-8")
    assert page.count("<svg ") == 3 and "<img" not in page  # charts inline
    for svg in re.findall(r"<svg .*?</svg>", page, re.S):  # each a well-formed SVG document
        root = etree.fromstring(svg.encode())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.findall(".//{http://www.w3.org/2000/svg}rect")  # bars drawn
    assert "<title>Forms per pair</title>" in page
    assert "Goals at the mid-point (6)" in page and "Goals at the end (3)" in page
    assert "<td>Mentee&#x27;s goal 2: Not achieved at the end</td>" in page


@pytest.mark.soffice
def test_pdf_is_one_page_with_its_charts(tmp_path, soffice):
    tracking = year_workbook(tmp_path)
    result = invoke(
        str(tracking), "-o", str(tmp_path / "out"), "--pdf", env={"MENTORDOCS_SOFFICE": soffice}
    )
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(tmp_path / "out" / "summary.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Test Mentoring 2026: program summary" in text
    # The charts' own texts: drawn from the SVG images (the page's tables do not hold them).
    assert "Forms per pair" in text and "Goals at the mid-point (6)" in text
    assert "Mentee's goal 2: Not achieved at the end" in text
    assert "and 2 more" in text  # P02: three reasons shown, then how many more


def test_no_confidential_answer_anywhere(tmp_path, soffice_if_any):
    """Collected with --include-confidential, the tracking workbook holds the hostile
    feedback; nothing the report writes does."""
    tracking = year_workbook(tmp_path, feedback=SECRET, included=True)
    with zipfile.ZipFile(tracking) as package:  # the value really is in the workbook
        assert any(MARK.encode() in package.read(n) for n in package.namelist())
    args = [str(tracking), "-o", str(tmp_path / "out")]
    env = None
    if soffice_if_any:
        args.append("--pdf")
        env = {"MENTORDOCS_SOFFICE": soffice_if_any}
    result = invoke(*args, env=env)
    assert result.exit_code == 0, result.output
    assert MARK not in result.output
    written = sorted((tmp_path / "out").iterdir())
    assert len(written) == (3 if soffice_if_any else 2)
    for path in written:
        data = path.read_bytes()
        assert MARK.encode() not in data, path.name
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as package:
                for name in package.namelist():
                    assert MARK.encode() not in package.read(name), name
        if path.suffix == ".pdf":
            text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
            assert MARK not in text and "alert(" not in text


@pytest.fixture
def soffice_if_any() -> str | None:
    from mentordocs.generate.office import find_soffice

    return find_soffice()


def test_names_are_escaped_and_never_formulas(tmp_path):
    roster = make_roster(tmp_path, 2)
    roster.pairs[0].mentor.name = '<script>alert("x")</script> & =HYPERLINK("y")'
    roster.pairs[0].mentee.name = "Ann_x0020_Lee"  # Excel would show an escape decoded
    tracking = tmp_path / "t.xlsx"
    start = {form: spec for form, spec in SPECS.items() if spec.stage == "start"}
    returns = [
        ReturnedForm("P02", "goal-sheet", "g.docx", "a" * 64, None, complete_values("goal-sheet"))
    ]
    tracking.write_bytes(write_tracking(tracking, TrackingData(returns=returns), roster, start))
    result = invoke(str(tracking), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert "<h2>Goals by status</h2>" not in page  # the start alone: no goal status yet
    ws = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["Summary"]
    [cell] = [c for row in ws.iter_rows() for c in row if c.value == roster.pairs[0].mentor.name]
    assert cell.data_type == "s"
    with zipfile.ZipFile(tmp_path / "out" / "summary.xlsx") as package:
        xml = b"".join(package.read(n) for n in package.namelist() if n.startswith("xl/"))
    assert b"Ann_x005F_x0020_Lee" in xml and b"Ann_x0020_Lee" not in xml


def test_errors_name_the_file_and_what_to_do(tmp_path):
    tracking = year_workbook(tmp_path)
    afile = tmp_path / "report.txt"
    afile.write_text("x")
    result = invoke(str(tracking), "-o", str(afile))
    assert result.exit_code == 2 and "is a file" in result.output
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    result = invoke(str(plain), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"Error: {plain} was not written by 'mentordocs collect'" in result.output
    missing = {"MENTORDOCS_SOFFICE": str(tmp_path / "no-soffice")}
    result = invoke(str(tracking), "-o", str(tmp_path / "out"), "--pdf", env=missing)
    assert result.exit_code == 1
    assert "LibreOffice is needed for --pdf but was not found" in result.output
    assert "print summary.html from a browser" in result.output
    assert not (tmp_path / "out" / "summary.xlsx").exists()  # nothing half done
    lock = tmp_path / "out2" / ".~lock.summary.xlsx#"
    lock.parent.mkdir()
    lock.write_text("x")
    result = invoke(str(tracking), "-o", str(tmp_path / "out2"))
    assert result.exit_code == 1 and "summary.xlsx is open in Excel or LibreOffice" in result.output


def test_report_help_teaches():
    result = CliRunner().invoke(cli, ["report", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "mentordocs report tracking.xlsx -o report --pdf" in result.output
    assert "confidential" in result.output
    assert "report" in CliRunner().invoke(cli, ["-h"]).output


# ---- the year with real forms: generated, filled, collected, summarised ------------------------


@pytest.fixture(scope="module")
def real_year(tmp_path_factory):
    """The sample roster's packets filled and collected; the mid-point check-in generated for
    the first two active pairs only (the first returns it, one goal at risk; the second does
    not); the end review generated for the first pair, returned with a hostile confidential
    feedback, collected with --include-confidential."""
    from test_roundtrip import planned_values
    from test_year import SAMPLE, fill

    from mentordocs.collect import collect_forms
    from mentordocs.forms import load_form_specs, stage_forms
    from mentordocs.generate.packets import generate_packets
    from mentordocs.roster import load_roster

    base = tmp_path_factory.mktemp("real-year")
    roster = load_roster(SAMPLE)
    active = [p.pair_id for p in roster.pairs if p.active]
    packets, tracking = base / "packets", base / "tracking.xlsx"
    specs = load_form_specs()

    def fill_forms(stage: str, pairs: list[str], returned: Path, edit=None) -> None:
        for pair_id in pairs:
            for form in stage_forms(stage):
                path = packets / pair_id / f"{pair_id}_{form}.docx"
                values = planned_values(path, specs[form], pair_id)
                values |= {"mentor_agree": True, "mentee_agree": True}
                if edit is not None:
                    edit(values)
                fill(path, returned, values)

    def statuses(values: dict) -> None:
        for field_id in values:
            if field_id.endswith("_status"):
                values[field_id] = "On track"
            if field_id.endswith("_final_status"):
                values[field_id] = "Achieved"
        values["goal_1_status"] = "At risk"
        values["goal_1_final_status"] = "Not achieved"
        values["program_feedback"] = SECRET

    generate_packets(roster, packets)
    fill_forms("start", active, base / "returned-start")
    collect_forms([base / "returned-start"], tracking, roster, packets_dir=packets)
    start_only = base / "start-only.xlsx"
    start_only.write_bytes(tracking.read_bytes())
    generate_packets(roster, packets, stage="midpoint", tracking=tracking, pairs=active[:2])
    fill_forms("midpoint", active[:1], base / "returned-mid", statuses)
    collect_forms([base / "returned-mid"], tracking, roster, packets_dir=packets)
    midpoint = base / "midpoint.xlsx"
    midpoint.write_bytes(tracking.read_bytes())
    generate_packets(roster, packets, stage="end", tracking=tracking, pairs=active[:1])
    fill_forms("end", active[:1], base / "returned-end", statuses)
    collect_forms(
        [base / "returned-end"], tracking, roster, packets_dir=packets, include_confidential=True
    )
    return {
        "active": active,
        "start_only": start_only,
        "midpoint": midpoint,
        "tracking": tracking,
        "base": base,
    }


def test_real_year_owed_not_sent_and_goals(real_year):
    from mentordocs.tracking import read_outstanding

    first, second, *others = real_year["active"]
    mid = real_year["midpoint"]
    # Only the pair the check-in was generated for and that did not return it owes it.
    owed = read_outstanding(mid, stage="midpoint")
    assert {p: [(o.form, o.reasons) for o in items] for p, items in owed.items()} == {
        second: [("midpoint-review", ["not returned"])]
    }
    assert read_outstanding(real_year["start_only"], stage="midpoint") == {}
    ws = openpyxl.load_workbook(mid)["Status"]
    groups = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value}
    column = groups["Mid-point: Mid-point check-in"] + 2  # Returned
    returned = {ws.cell(r, 1).value: ws.cell(r, column).value for r in range(3, ws.max_row + 1)}
    assert returned[second] is None  # owed, not back: red
    assert all(returned[p] == "Not sent yet" for p in others)
    assert "End: End-of-program review" not in groups  # not generated yet: no end columns
    goals = [r for r in openpyxl.load_workbook(mid)["Goals"].iter_rows(values_only=True)]
    header = goals[0]
    status = header.index("Mid-point: Status")
    at_risk = [(r[0], r[4], r[5]) for r in goals[1:] if r[status] == "At risk"]
    assert at_risk == [(first, "Mentee", 1)]
    # The start-only workbook of the same program has no stage columns at all.
    start = openpyxl.load_workbook(real_year["start_only"])
    assert not any(
        "Mid-point" in str(c.value) for row in start["Status"].iter_rows(max_row=2) for c in row
    )
    assert "Mid-point check-in" not in start.sheetnames


def test_real_year_report_and_nothing_confidential(real_year, soffice_if_any):
    first, second, *others = real_year["active"]
    tracking = real_year["tracking"]
    with zipfile.ZipFile(tracking) as package:  # collected with --include-confidential
        assert any(MARK.encode() in package.read(n) for n in package.namelist())
    summary = read_summary(tracking)
    forms = {f.form: f for s in summary.stages for f in s.forms}
    assert (forms["midpoint-review"].returned, forms["midpoint-review"].missing) == (1, 1)
    assert forms["midpoint-review"].not_sent == len(others)
    assert (forms["end-review"].returned, forms["end-review"].not_sent) == (1, len(others) + 1)
    reasons = {a.pair_id: a.reasons for a in summary.attention}
    assert "Mentee's goal 1: Not achieved at the end" in reasons[first]
    assert "Mid-point check-in: not returned" in reasons[second]
    out = real_year["base"] / "report"
    args = [str(tracking), "-o", str(out)] + (["--pdf"] if soffice_if_any else [])
    env = {"MENTORDOCS_SOFFICE": soffice_if_any} if soffice_if_any else None
    result = invoke(*args, env=env)
    assert result.exit_code == 0, result.output
    for path in out.iterdir():
        data = path.read_bytes()
        assert MARK.encode() not in data, path.name
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as package:
                assert not any(MARK.encode() in package.read(n) for n in package.namelist())
        if path.suffix == ".pdf":
            reader = pypdf.PdfReader(path)
            assert len(reader.pages) == 1
            assert MARK not in reader.pages[0].extract_text()


@pytest.mark.soffice
def test_the_pdf_stays_one_page_with_500_pairs_needing_attention(tmp_path, soffice):
    from test_tracking_year import end_values, goal_sheet, midpoint_values

    roster = make_roster(tmp_path, 500)
    returns = []
    for pair in roster.pairs:  # every pair owes three start forms and has goals at risk
        mid = midpoint_values({"goal_1": "At risk", "goal_2": "At risk", "goal_3": "Done"})
        end = end_values({"goal_1": "Not achieved", "goal_2": "Achieved", "goal_3": "Achieved"})
        end["mentor_agree"] = False
        for form, values in (("goal-sheet", goal_sheet()), ("midpoint-review", mid)):
            returns.append(ReturnedForm(pair.pair_id, form, "f.docx", "a" * 64, None, values))
        returns.append(ReturnedForm(pair.pair_id, "end-review", "e.docx", "b" * 64, None, end))
    tracking = tmp_path / "tracking.xlsx"
    specs = year_specs(tmp_path)
    tracking.write_bytes(write_tracking(tracking, TrackingData(returns=returns), roster, specs))
    result = invoke(
        str(tracking), "-o", str(tmp_path / "out"), "--pdf", env={"MENTORDOCS_SOFFICE": soffice}
    )
    assert result.exit_code == 0, result.output
    assert "500 pairs need attention." in result.output
    reader = pypdf.PdfReader(tmp_path / "out" / "summary.pdf")
    assert len(reader.pages) == 1
    assert "... and 488 more pairs" in reader.pages[0].extract_text()
    ws = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["Summary"]
    listed = [r[0] for r in ws.iter_rows(values_only=True) if re.fullmatch(r"P\d+", str(r[0]))]
    assert len(listed) == 500  # the sheet lists every pair


def test_a_status_typed_instead_of_chosen_is_counted_never_shown(tmp_path):

    typed = "SECRET-STATUS going through a hard time"
    returns = year_returns()
    [midpoint] = [r for r in returns if r.form == "midpoint-review" and r.pair_id == "P01"]
    midpoint.values["goal_1_status"] = typed
    [p02] = [r for r in returns if r.form == "midpoint-review" and r.pair_id == "P02"]
    p02.values["goal_2_status"] = "  on   TRACK "  # a choice, typed: read as the choice
    p02.values["goal_1_status"] = "at risk"
    tracking = year_tracking(tmp_path, returns)
    result = invoke(str(tracking), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "SECRET-STATUS" not in result.output
    html = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "SECRET-STATUS" not in html and "Something else (typed in)" in html
    summary = read_summary(tracking)
    [p02_attention] = [a for a in summary.attention if a.pair_id == "P02"]
    assert "Mentee's goal 1: At risk at the mid-point" in p02_attention.reasons
    [midpoint_counts] = [g for g in summary.goals if g.stage == "midpoint"]
    counts = dict(midpoint_counts.counts)
    assert counts["Something else (typed in)"] == 1 and counts["At risk"] >= 1
    with zipfile.ZipFile(tmp_path / "out" / "summary.xlsx") as package:
        assert not any(b"SECRET-STATUS" in package.read(n) for n in package.namelist())


def test_complete_is_what_collect_judged_with_the_coordinators_own_declarations(tmp_path):
    """A coordinator whose own templates make a question required collects with them; the
    report (which is not given the templates) counted complete with the shipped declarations
    and disagreed with the Status sheet and its own attention list. It takes collect's word."""
    specs = year_specs(tmp_path)
    terms = specs["terms-of-engagement"]
    made_required = terms.field("other_agreements")
    assert not made_required.required
    # P01's terms, returned with that question (optional in the shipped form) left blank.
    returns = [
        dataclasses.replace(r, values={**r.values, made_required.id: ""})
        if r.form == terms.form
        else r
        for r in year_returns()
    ]
    assert sum(r.form == terms.form for r in returns) == 1
    own = dataclasses.replace(
        terms,
        fields=tuple(
            dataclasses.replace(f, required=True) if f is made_required else f for f in terms.fields
        ),
    )
    target = year_tracking(tmp_path, returns, {**specs, terms.form: own})
    summary = read_summary(target, specs)  # the shipped declarations, as 'report' has them
    [row] = [f for s in summary.stages for f in s.forms if f.form == terms.form]
    assert (row.returned, row.complete) == (1, 0)
    owed = [reason for a in summary.attention for reason in a.reasons]
    assert any(
        reason.startswith("Terms of engagement: incomplete: 1 required field blank")
        for reason in owed
    )


def test_a_pdf_libreoffice_fails_to_make_leaves_the_page_its_error_points_to(tmp_path):
    """The error said to print summary.html from a browser, but the PDF was made first and
    its failure stopped the run before summary.html was written."""
    tracking = year_workbook(tmp_path)
    broken = tmp_path / "broken-soffice"
    broken.write_text("#!/bin/sh\necho 'soffice: cannot start' >&2\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    out = tmp_path / "out"
    result = invoke(str(tracking), "-o", str(out), "--pdf", env={"MENTORDOCS_SOFFICE": str(broken)})
    assert result.exit_code == 1, result.output
    assert "Open summary.html in a browser and print it to PDF instead" in result.output
    assert "summary.pdf was not" in result.output
    assert (out / "summary.html").is_file() and (out / "summary.xlsx").is_file()
    assert not (out / "summary.pdf").exists()
    assert openpyxl.load_workbook(out / "summary.xlsx")["Summary"]


def test_a_pdf_that_fails_removes_the_earlier_runs_pdf(tmp_path):
    """The folder held summary.pdf of an earlier run beside the new workbook and page: a
    coordinator could send those old figures."""
    tracking = year_workbook(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.pdf").write_bytes(b"%PDF-1.4 the earlier run's")
    broken = tmp_path / "broken-soffice"
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    result = invoke(str(tracking), "-o", str(out), "--pdf", env={"MENTORDOCS_SOFFICE": str(broken)})
    assert result.exit_code == 1
    assert "the one of an earlier run was removed: its figures were out of date" in result.output
    assert not (out / "summary.pdf").exists() and (out / "summary.html").is_file()


def test_a_pdf_of_an_earlier_run_left_beside_new_figures_is_pointed_out(tmp_path):
    tracking = year_workbook(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.pdf").write_bytes(b"%PDF-1.4 the earlier run's")
    result = invoke(str(tracking), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Note: {out / 'summary.pdf'} is from an earlier run, with older figures" in (
        result.output
    )
    assert (out / "summary.pdf").read_bytes() == b"%PDF-1.4 the earlier run's"  # not ours to delete
