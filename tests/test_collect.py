"""Collecting returned forms: identity, matching, hostile files, incremental runs, the CLI.

The forms here are small .docx files built in tmp_path with the same content controls and
custom properties the generated packets carry (docs/ARCHITECTURE.md), so these tests do not
depend on the templates; tests/test_roundtrip.py does the same with real generated packets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
from click.testing import CliRunner

from mentordocs.cli import cli
from mentordocs.collect import (
    FormReadError,
    collect_forms,
    identify_from_name,
    read_form,
)
from mentordocs.collect.reading import read_file
from mentordocs.errors import CollectError
from mentordocs.forms import load_form_specs, stage_forms
from mentordocs.models import Pair, Person, Program, Roster
from mentordocs.ooxml.package import ReadLimits, WordPackage
from mentordocs.progress import NoProgress
from mentordocs.records import Manifest, ManifestEntry, write_manifest
from mentordocs.tracking import read_outstanding, read_tracking

PROGRAM = "Test Mentoring 2026"
SPECS = load_form_specs()

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


# ---- building forms --------------------------------------------------------------------------


def control(field_id: str, kind: str, value, *, tag=True, alias=True, choices=()) -> str:
    """One content control as our templates make it; ``value`` None = still the placeholder."""
    names = (f'<w:alias w:val="{field_id}"/>' if alias else "") + (
        f'<w:tag w:val="{field_id}"/>' if tag else ""
    )
    placeholder = "<w:showingPlcHdr/>" if value is None else ""
    if kind == "checkbox":
        on = bool(value)
        pr = f'<w14:checkbox><w14:checked w14:val="{int(on)}"/></w14:checkbox>'
        text = "\u2612" if on else "\u2610"
        placeholder = ""
    elif kind == "date":
        full = f' w:fullDate="{value}T00:00:00Z"' if value else ""
        pr = f"<w:date{full}/>"
        text = value or "Pick a date"
    elif kind == "dropdown":
        items = '<w:listItem w:displayText="Choose one" w:value=""/>' + "".join(
            f"<w:listItem w:displayText={quoteattr(c)} w:value={quoteattr(c)}/>" for c in choices
        )
        pr = f"<w:dropDownList>{items}</w:dropDownList>"
        text = value or "Choose one"
    else:
        pr = "<w:text/>"
        text = value if value is not None else f"Write {field_id} here"
    runs = "".join(
        f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
        if i == 0
        else f'<w:r><w:br/><w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
        for i, line in enumerate(str(text).split("\n"))
    )
    return (
        f"<w:p><w:r><w:t>{escape(field_id)}: </w:t></w:r><w:sdt><w:sdtPr>{names}{placeholder}{pr}"
        f"</w:sdtPr><w:sdtContent>{runs}</w:sdtContent></w:sdt></w:p>"
    )


def form_fields(form: str, goals: int = 3) -> list[tuple[str, str, tuple[str, ...]]]:
    spec = SPECS[form]
    counts = {name: goals for name in spec.groups}
    return [(fid, f.kind, f.choices) for fid, f in spec.expand(counts)]


def make_docx(
    form: str = "goal-sheet",
    pair_id: str = "P01",
    values: dict | None = None,
    *,
    program: str = PROGRAM,
    properties: bool = True,
    modified: str = "2026-10-01T10:00:00Z",
    created: str | None = None,
    main: str = "word/document.xml",
    extra: dict[str, bytes] | None = None,
    unnamed: set[str] = frozenset(),
    goals: int = 3,
    strict: bool = False,
) -> bytes:
    values = values or {}
    body = "".join(
        control(
            fid,
            kind,
            values.get(fid),
            tag=fid not in unnamed,
            alias=fid not in unnamed,
            choices=choices,
        )
        for fid, kind, choices in form_fields(form, goals)
    )
    w_ns = "http://purl.oclc.org/ooxml/wordprocessingml/main" if strict else W
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{w_ns}" xmlns:w14="{W14}"><w:body>{body}</w:body></w:document>'
    )
    props = {
        "mentordocs.program": program,
        "mentordocs.pair_id": pair_id,
        "mentordocs.form": form,
        "mentordocs.template_version": SPECS[form].version,
    }
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        + "".join(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" '
            f'name="{k}"><vt:lpwstr>{escape(v)}</vt:lpwstr></property>'
            for i, (k, v) in enumerate(props.items(), start=2)
        )
        + "</Properties>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + (
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
            if created
            else ""
        )
        + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="{main}"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        + (
            f'<Relationship Id="rId3" Type="{rel}/custom-properties" Target="docProps/custom.xml"/>'
            if properties
            else ""
        )
        + "</Relationships>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr(main, document)
        z.writestr("docProps/core.xml", core)
        if properties:
            z.writestr("docProps/custom.xml", custom)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def person(name: str) -> Person:
    return Person(name=name, email=name.lower().replace(" ", ".") + "@example.org")


def make_roster(tmp_path: Path, pairs: int = 3) -> Roster:
    program = Program(
        name=PROGRAM,
        coordinator_name="Coordinator",
        coordinator_email="coord@example.org",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 6, 1),
        midpoint=dt.date(2027, 1, 15),
    )
    return Roster(
        path=tmp_path / "roster.xlsx",
        program=program,
        pairs=[
            Pair(
                pair_id=f"P{n:02d}",
                mentor=person(f"Mentor {n}"),
                mentee=person(f"Mentee {n}"),
                start_date=program.start_date,
                end_date=program.end_date,
            )
            for n in range(1, pairs + 1)
        ],
    )


SIGNED = {
    "mentor_sign_name": "Mentor One",
    "mentor_sign_date": "2026-09-20",
    "mentor_agree": True,
    "mentee_sign_name": "Mentee One",
    "mentee_sign_date": "2026-09-21",
    "mentee_agree": True,
}


def complete_values(form: str, goals: int = 3) -> dict:
    values: dict = {}
    for fid, kind, choices in form_fields(form, goals):
        if kind == "checkbox":
            values[fid] = True
        elif kind == "date":
            values[fid] = "2026-11-02"
        elif kind == "dropdown":
            values[fid] = choices[-1]
        else:
            values[fid] = f"answer for {fid}"
    values.update(SIGNED)
    return values


def sheet_rows(path: Path, title: str) -> list[dict]:
    wb = openpyxl.load_workbook(path)
    ws = wb[title]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- identity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Copy of P03_goal-sheet (2) FINAL.docx", ("P03", "goal-sheet")),
        ("p03 Goal Sheet.docx", ("P03", "goal-sheet")),
        ("reply.eml > P12_terms-of-engagement.docx", ("P12", "terms-of-engagement")),
        ("P1_goal-sheet.docx", (None, "goal-sheet")),  # P1 is not P12 or P01
        ("P03_P12_goal-sheet.docx", (None, "goal-sheet")),  # two pairs: not guessed
        ("P03 notes.docx", ("P03", None)),
    ],
)
def test_identify_from_file_name(name, expected):
    assert identify_from_name(name, ["P01", "P03", "P12"], SPECS) == expected


# ---- one collect run -------------------------------------------------------------------------


def test_collect_copies_values_into_the_right_rows(tmp_path):
    roster = make_roster(tmp_path)
    returned = tmp_path / "returned"
    values = complete_values("goal-sheet")
    values["goal_2_goal"] = 'Plan lessons\nwith = & < > "quotes" \U0001f600'
    values["goal_1_goal"] = '=HYPERLINK("http://example.org")'
    write(returned / "P02_goal-sheet.docx", make_docx("goal-sheet", "P02", values))
    write(returned / "P01_goal-sheet.docx", make_docx("goal-sheet", "P01", {"goal_1_goal": "Only"}))
    tracking = tmp_path / "tracking.xlsx"
    result = collect_forms([returned], tracking, roster)
    assert (result.read, result.new, result.problems) == (2, 2, [])
    rows = {r["Pair"]: r for r in sheet_rows(tracking, "Goal sheet")}
    p2 = rows["P02"]
    assert p2["Mentor"] == "Mentor 2" and p2["Complete"] == "Yes"
    assert p2["Goal 2"] == values["goal_2_goal"]
    assert p2["Goal 1"] == values["goal_1_goal"]  # typed text, not a formula
    assert p2["Goal 1: target date"] == dt.datetime(2026, 11, 2)
    assert p2["Signed by mentor"] == "Yes"
    assert rows["P01"]["Goal 1"] == "Only" and rows["P01"]["Complete"].startswith("No (")
    assert rows["P01"]["Goal 2"] is None  # placeholder shown: blank
    wb = openpyxl.load_workbook(tracking)
    assert wb["Goal sheet"]["F2"].data_type == "s"
    formula_cells = [c for row in wb["Goal sheet"].iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    goals = sheet_rows(tracking, "Goals")
    # The mentee's goals, then the mentor's own and the joint ones, each saying whose it is.
    assert [(g["Pair"], g["Whose goal"], g["Goal #"]) for g in goals] == [
        ("P01", "Mentee", 1),
        *[("P02", whose, n) for whose in ("Mentee", "Mentor", "Joint") for n in (1, 2, 3)],
    ]
    mentor_goal = next(g for g in goals if g["Whose goal"] == "Mentor")
    assert mentor_goal["Goal"] == values["mentor_goal_1_goal"]
    assert mentor_goal["How the mentor will reach it"] == values["mentor_goal_1_plan"]
    assert mentor_goal["How the mentor supports it"] is None  # a mentee goal's question
    assert mentor_goal["Target date"] == dt.datetime(2026, 11, 2)


def test_workbook_structure_status_dashboard_and_formatting(tmp_path):
    roster = make_roster(tmp_path, pairs=3)
    returned = tmp_path / "in"
    write(returned / "a.docx", make_docx("goal-sheet", "P01", complete_values("goal-sheet")))
    write(returned / "b.docx", make_docx("terms-of-engagement", "P01", {"mentor_agree": True}))
    tracking = tmp_path / "t.xlsx"
    collect_forms([returned], tracking, roster)
    wb = openpyxl.load_workbook(tracking)
    assert wb.sheetnames[:2] == ["Dashboard", "Status"]
    # The start's forms; a later stage's appear once generated or returned (test_tracking_year)
    assert wb.sheetnames[2:6] == [SPECS[form].title[:31] for form in stage_forms()]
    assert {"Goals", "Other forms", "Problems"} <= set(wb.sheetnames)
    assert wb["_mentordocs"].sheet_state == "hidden"
    for title in ("Goal sheet", "Goals", "Other forms", "Problems"):
        assert wb[title].freeze_panes in ("A2", "B2"), title
        assert wb[title].auto_filter.ref.startswith("A1:")
        assert wb[title]["A1"].font.bold
    status = wb["Status"]
    assert status.freeze_panes == "B3"
    assert status.auto_filter.ref.startswith("A2:")
    assert len(status.conditional_formatting) >= 4
    headers = [c.value for c in status[2]]
    assert headers[:4] == ["Pair", "Mentor", "Mentee", "Status"]
    assert headers.count("Returned") == len(stage_forms())
    row = {status.cell(1, c).value: c for c in range(1, status.max_column + 1)}
    goal_col = row["Goal sheet"]
    assert status.cell(3, goal_col + 2).value is not None  # P01 returned it
    assert status.cell(3, goal_col + 4).value == "Yes"
    assert status.cell(4, goal_col + 2).value is None  # P02 did not
    assert status.cell(2, 1).font.bold
    dash = wb["Dashboard"]
    with zipfile.ZipFile(tracking) as package:
        charts = [name for name in package.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == 1
    counts = {r[0]: r[1:] for r in dash.iter_rows(min_row=6, max_row=9, values_only=True)}
    assert counts["Goal sheet"] == (1, 1, 1, 2)
    assert counts["Terms of engagement"] == (1, 0, 0, 2)
    outstanding = read_outstanding(tracking)
    assert set(outstanding) == {"P01", "P02", "P03"}
    reasons = {o.form: o.reasons for o in outstanding["P01"]}
    assert "goal-sheet" not in reasons
    assert reasons["action-plan"] == ["not returned"]
    assert reasons["terms-of-engagement"][0].startswith("incomplete: ")
    assert reasons["terms-of-engagement"][-1] == "not signed by mentee"


def test_confidential_answers_are_not_copied_unless_asked(tmp_path):
    roster = make_roster(tmp_path)
    spec = SPECS["confidentiality-agreement"]
    secret_ids = [f.id for f in spec.fields if f.confidential]
    values = dict(SIGNED)
    values[secret_ids[0]] = "My private worry"
    path = write(tmp_path / "in" / "c.docx", make_docx("confidentiality-agreement", "P01", values))
    tracking = tmp_path / "t.xlsx"
    collect_forms([path], tracking, roster)
    labels = {f.id: f.label for f in spec.fields}
    [row] = sheet_rows(tracking, "Confidentiality agreement")
    assert row[labels[secret_ids[0]]] == "filled in"
    assert row[labels[secret_ids[1]]] == "blank"
    with zipfile.ZipFile(tracking) as z:
        assert not any(b"private worry" in z.read(name) for name in z.namelist())
    dash = [
        c
        for r in openpyxl.load_workbook(tracking)["Dashboard"].iter_rows(values_only=True)
        for c in r
    ]
    assert any(isinstance(c, str) and "not copied" in c for c in dash)

    tracking2 = tmp_path / "t2.xlsx"
    collect_forms([path], tracking2, roster, include_confidential=True)
    [row] = sheet_rows(tracking2, "Confidentiality agreement")
    assert row[labels[secret_ids[0]]] == "My private worry"
    dash = [
        c
        for r in openpyxl.load_workbook(tracking2)["Dashboard"].iter_rows(values_only=True)
        for c in r
    ]
    assert any(isinstance(c, str) and "--include-confidential" in c for c in dash)


def test_identity_from_file_name_when_properties_are_gone(tmp_path):
    """A form that lost its properties (Google Docs) is filed by its file name, with a
    warning: the name is the only proof of its pair (it used to be filed without a word).
    The warning's fix works: rename, delete the row, collect again."""
    roster = make_roster(tmp_path, pairs=3)
    data = make_docx("goal-sheet", "P03", {"goal_1_goal": "Renamed"}, properties=False)
    path = write(tmp_path / "in" / "Copy of P03_goal-sheet (2) FINAL.docx", data)
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([path], tracking, roster)
    [warning] = result.problems
    assert warning.severity == "warning" and warning.file == str(path)
    assert "it was taken as pair P03's because of its file name" in warning.message
    assert "delete pair P03's row on the sheet 'Goal sheet'" in warning.fix
    [row] = sheet_rows(tracking, "Goal sheet")
    assert (row["Pair"], row["Goal 1"]) == ("P03", "Renamed")

    # It was P02's: the coordinator follows the fix.
    renamed = path.rename(path.with_name("P02_goal-sheet.docx"))
    workbook = openpyxl.load_workbook(tracking)
    workbook["Goal sheet"].delete_rows(2)
    workbook.save(tracking)
    result = collect_forms([renamed], tracking, roster)
    assert result.new == 1
    [row] = sheet_rows(tracking, "Goal sheet")
    assert (row["Pair"], row["Goal 1"]) == ("P02", "Renamed")


def test_other_program_and_unknown_pair_are_reported_not_guessed(tmp_path):
    roster = make_roster(tmp_path, pairs=2)
    folder = tmp_path / "in"
    write(folder / "P01_goal-sheet.docx", make_docx("goal-sheet", "P01", program="Other Program"))
    write(folder / "P09_goal-sheet.docx", make_docx("goal-sheet", "P09"))
    result = collect_forms([folder], tmp_path / "t.xlsx", roster)
    assert result.new == 0
    messages = {Path(p.file).name: p.message for p in result.problems}
    assert "another program ('Other Program')" in messages["P01_goal-sheet.docx"]
    assert "pair 'P09', which is not in the roster" in messages["P09_goal-sheet.docx"]
    problems = sheet_rows(tmp_path / "t.xlsx", "Problems")
    assert len(problems) == 2 and all(p["What to do"] for p in problems)


def test_forms_made_elsewhere_go_to_other_forms(tmp_path, real_docx):
    roster = make_roster(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (
        "docx4j__LegacyForms.docx",
        "docx2python__check_drop_my.docx",
        "docx2python__test-docx2python-conversion-google_docs.docx",
    ):
        shutil.copy(real_docx / name, folder / name)
    result = collect_forms([folder], tmp_path / "t.xlsx", roster)
    assert result.other == 2
    rows = sheet_rows(tmp_path / "t.xlsx", "Other forms")
    legacy = [
        (r["Field"], r["Kind"], r["Value"]) for r in rows if r["File"].endswith("LegacyForms.docx")
    ]
    assert legacy == [
        ("Text1", "text", None),
        ("Check1", "checkbox", "No"),
        ("Dropdown1", "dropdown", None),
    ]
    drops = [r["Value"] for r in rows if r["Field"] == "Shay's Drop"]
    assert drops == [None, "my_item_A", "my_item_B"]
    google = [p for p in result.problems if "google_docs" in p.file]
    assert google and "no form fields" in google[0].message


# ---- hostile and broken files ----------------------------------------------------------------


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "in"
    good = make_docx("goal-sheet", "P01", {"goal_1_goal": "Good one"})
    write(folder / "P01_goal-sheet.docx", good)
    write(folder / "notazip.docx", b"Hello, this is plain text pretending to be Word.")
    write(folder / "corrupt.docx", good[: len(good) // 2])
    bomb = members_of(make_docx("goal-sheet", "P02"))
    bomb["word/document.xml"] += b" " * (3 * 1024 * 1024)  # a part that is read, 1000:1
    write(folder / "bomb.docx", zip_of(bomb))
    photo = members_of(make_docx("goal-sheet", "P04", {"goal_1_goal": "With a photo"}))
    photo["word/media/photo.bin"] = b"\0" * (3 * 1024 * 1024)  # never read: not a bomb
    write(folder / "P04_goal-sheet.docx", zip_of(photo))
    doctype = members_of(make_docx("goal-sheet", "P02"))
    doctype["word/document.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]>' + doctype["word/document.xml"].split(b"?>", 1)[1]
    )
    write(folder / "doctype.docx", zip_of(doctype))
    write(folder / "protected.docx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1000)
    write(folder / "~$P01_goal-sheet.docx", b"\x0cjo" + b"\0" * 150)
    macro = members_of(make_docx("goal-sheet", "P02", {"goal_1_goal": "With macros"}))
    macro["word/vbaProject.bin"] = b"not really vba"
    write(folder / "P02_goal-sheet.docm", zip_of(macro))
    write(
        folder / "P03_goal-sheet.docx",
        make_docx("goal-sheet", "P03", {"goal_1_goal": "Renamed part"}, main="word/blah.xml"),
    )
    write(
        folder / "sub" / "deeper" / "strict.docx",
        make_docx("terms-of-engagement", "P03", {"mentor_sign_name": "Strict Sam"}, strict=True),
    )
    return folder


def test_hostile_files_are_reported_and_the_run_goes_on(tmp_path, hostile):
    roster = make_roster(tmp_path, pairs=4)
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([hostile], tracking, roster)
    problems = {Path(p.file).name: p for p in result.problems}
    assert "not a Word document" in problems["notazip.docx"].message
    assert "damaged" in problems["corrupt.docx"].message
    assert "zip bomb" in problems["bomb.docx"].message
    assert "DOCTYPE" in problems["doctype.docx"].message
    assert "password" in problems["protected.docx"].message
    assert problems["P02_goal-sheet.docm"].severity == "warning"
    assert "macros" in problems["P02_goal-sheet.docm"].message
    assert not any(name.startswith("~$") for name in problems)
    assert result.skipped == 1  # the lock file
    assert all(p.fix for p in result.problems)
    rows = {r["Pair"]: r for r in sheet_rows(tracking, "Goal sheet")}
    assert rows["P01"]["Goal 1"] == "Good one"
    assert rows["P02"]["Goal 1"] == "With macros"
    assert rows["P03"]["Goal 1"] == "Renamed part"
    assert rows["P04"]["Goal 1"] == "With a photo"
    [terms] = sheet_rows(tracking, "Terms of engagement")
    assert terms["Pair"] == "P03"
    labels = {f.id: f.label for f in SPECS["terms-of-engagement"].fields}
    assert terms[labels["mentor_sign_name"]] == "Strict Sam"
    assert len(sheet_rows(tracking, "Problems")) == len(result.problems)


def test_real_decompressed_size_is_bounded():
    data = make_docx("goal-sheet", "P01", {"goal_1_goal": "x" * 5000})
    with pytest.raises(FormReadError, match="zip bomb"):
        read_form(data, limits=ReadLimits(max_part_bytes=2000))
    with pytest.raises(FormReadError, match="zip bomb"):
        read_form(data, limits=ReadLimits(max_total_bytes=1000))
    assert read_form(data).pair_id == "P01"


def test_lying_zip_header_cannot_unpack_more_than_the_limit():
    # The central directory says the part is tiny; the deflated data holds far more.
    payload = members_of(make_docx("goal-sheet", "P01"))
    payload["word/document.xml"] = payload["word/document.xml"] + b" " * 500_000
    data = bytearray(zip_of(payload))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    # Patch the uncompressed size (central directory and local header) down to 1 KB.
    real = info.file_size.to_bytes(4, "little")
    data = bytes(data).replace(real, (1024).to_bytes(4, "little"))
    with pytest.raises(FormReadError):
        read_form(data, limits=ReadLimits(max_part_bytes=100_000))
    # Under the default limit the part is unpacked in one go (deflate cannot unpack it past
    # the limit), and its size still gives it away.
    with pytest.raises(FormReadError):
        read_form(data)


# ---- e-mail ----------------------------------------------------------------------------------


def test_eml_attachments_are_read(tmp_path):
    roster = make_roster(tmp_path)
    message = EmailMessage()
    message["From"] = "mentee@example.org"
    message["To"] = "coord@example.org"
    message["Subject"] = "Our goal sheet"
    message["Date"] = "Tue, 06 Oct 2026 09:30:00 +0000"
    message.set_content("Attached.")
    message.add_attachment(
        make_docx("goal-sheet", "P02", {"goal_1_goal": "From mail"}),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="P02_goal-sheet.docx",
    )
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="x.pdf")
    eml = write(tmp_path / "mail" / "reply.eml", bytes(message))
    empty = EmailMessage()
    empty["Subject"] = "no attachment"
    empty.set_content("Forgot it!")
    write(tmp_path / "mail" / "forgot.eml", bytes(empty))
    result = collect_forms([eml.parent], tmp_path / "t.xlsx", roster)
    assert result.new == 1
    [row] = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")
    assert row["Goal 1"] == "From mail"
    assert row["Source file"].endswith("reply.eml > P02_goal-sheet.docx")
    forgot = [p for p in result.problems if p.file.endswith("forgot.eml")]
    assert [p.severity for p in forgot] == ["warning"]
    assert "nothing attached" in forgot[0].message
    # The PDF attachment is a file that may be a return: it is read, and it is not a real PDF.
    [pdf] = [p for p in result.problems if p.file.endswith("reply.eml > x.pdf")]
    assert pdf.severity == "error" and pdf.fix
    assert result.unreadable == 1


# ---- incremental runs ------------------------------------------------------------------------


def test_returned_at_ignores_the_times_a_form_was_generated_with(tmp_path):
    # A generated form carries its template's fixed created = modified stamp; a program that
    # saves it without moving the modified time must not make it look returned that day.
    generated = write(
        tmp_path / "P01_goal-sheet.docx",
        make_docx(
            "goal-sheet", "P01", modified="2026-01-01T00:00:00Z", created="2026-01-01T00:00:00Z"
        ),
    )
    os.utime(generated, (1_790_000_000, 1_790_000_000))
    reading = read_form(generated)
    assert reading.modified is None
    assert reading.when == dt.datetime.fromtimestamp(1_790_000_000)
    saved = write(
        tmp_path / "P02_goal-sheet.docx",
        make_docx(
            "goal-sheet", "P02", modified="2026-10-03T08:15:00Z", created="2026-01-01T00:00:00Z"
        ),
    )
    assert read_form(saved).when.date() == dt.date(2026, 10, 3)


def test_incremental_same_file_newest_wins_and_backup(tmp_path):
    roster = make_roster(tmp_path)
    tracking = tmp_path / "t.xlsx"
    first = write(
        tmp_path / "a" / "P01_goal-sheet.docx",
        make_docx("goal-sheet", "P01", {"goal_1_goal": "first"}, modified="2026-10-01T10:00:00Z"),
    )
    r1 = collect_forms([first], tracking, roster)
    assert (r1.new, r1.backup) == (1, None)
    before = tracking.read_bytes()

    # Same file again (a copy elsewhere), plus a newer and an older return of the same form.
    copy = write(tmp_path / "b" / "again.docx", first.read_bytes())
    newer = write(
        tmp_path / "b" / "P01_goal-sheet v2.docx",
        make_docx("goal-sheet", "P01", {"goal_1_goal": "second"}, modified="2026-10-05T10:00:00Z"),
    )
    older = write(
        tmp_path / "b" / "P01_goal-sheet old.docx",
        make_docx("goal-sheet", "P01", {"goal_1_goal": "zeroth"}, modified="2026-09-01T10:00:00Z"),
    )
    other = write(tmp_path / "b" / "P02_goal-sheet.docx", make_docx("goal-sheet", "P02"))
    r2 = collect_forms([copy, newer, older, other], tracking, roster)
    assert (r2.unchanged, r2.new) == (1, 2)
    assert r2.backup == tracking.with_name("t.xlsx.bak")
    assert r2.backup.read_bytes() == before
    rows = {r["Pair"]: r for r in sheet_rows(tracking, "Goal sheet")}
    assert rows["P01"]["Goal 1"] == "second"
    assert set(rows) == {"P01", "P02"}
    older_problems = [p for p in r2.problems if "older return" in p.message]
    assert {Path(p.file).name for p in older_problems} == {
        "P01_goal-sheet.docx",
        "P01_goal-sheet old.docx",
    }

    # A third run with nothing new changes nothing in the data.
    r3 = collect_forms([copy], tracking, roster)
    assert (r3.new, r3.unchanged) == (0, 1)
    data = read_tracking(tracking)
    assert {(r.pair_id, r.values["goal_1_goal"]) for r in data.returns} == {
        ("P01", "second"),
        ("P02", ""),
    }


def test_open_in_excel_writes_nothing(tmp_path):
    roster = make_roster(tmp_path)
    tracking = tmp_path / "t.xlsx"
    form = write(tmp_path / "in" / "P01_goal-sheet.docx", make_docx())
    collect_forms([form], tracking, roster)
    before = tracking.read_bytes()
    (tmp_path / "~$t.xlsx").write_bytes(b"owner")
    with pytest.raises(CollectError, match="open in Excel"):
        collect_forms([form], tracking, roster)
    assert tracking.read_bytes() == before
    assert not tracking.with_name("t.xlsx.bak").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "t.xlsx", "~$t.xlsx"]


# ---- matching by position --------------------------------------------------------------------


def _generated(tmp_path: Path) -> tuple[Path, bytes]:
    """A packets folder holding P01's blank goal sheet, as generate records it."""
    packets = tmp_path / "packets"
    original = make_docx("goal-sheet", "P01")
    write(packets / "P01" / "P01_goal-sheet.docx", original)
    entry = ManifestEntry(
        "P01",
        "goal-sheet",
        "P01/P01_goal-sheet.docx",
        hashlib.sha256(original).hexdigest(),
        SPECS["goal-sheet"].version,
        "2026-09-01T08:00:00+00:00",
    )
    write_manifest(packets, Manifest(program=PROGRAM, files=[entry]))
    return packets, original


def _without_labels(data: bytes, field_ids: set[str]) -> bytes:
    """The form with the label before each of ``field_ids`` removed."""
    members = members_of(data)
    document = members["word/document.xml"]
    for field_id in field_ids:
        document = document.replace(f"<w:t>{field_id}: </w:t>".encode(), b"<w:t></w:t>")
    members["word/document.xml"] = document
    return zip_of(members)


def test_a_nameless_field_is_proven_by_its_label_in_the_pairs_form(tmp_path):
    roster = make_roster(tmp_path)
    packets, _ = _generated(tmp_path)
    values = {**complete_values("goal-sheet"), "goal_1_horizon": "Short-term"}
    dropdowns = {fid for fid, kind, _ in form_fields("goal-sheet") if kind == "dropdown"}
    returned = write(
        tmp_path / "in" / "P01_goal-sheet.docx",
        make_docx("goal-sheet", "P01", values, unnamed=dropdowns),
    )
    result = collect_forms([returned], tmp_path / "t.xlsx", roster, packets_dir=packets)
    assert result.problems == [] and result.review == 0
    [ret] = read_tracking(tmp_path / "t.xlsx").returns
    for fid in dropdowns:
        assert ret.values[fid] == values.get(fid, ""), fid


def test_controls_without_a_name_go_to_review_never_into_a_column(tmp_path):
    """Position alone never proves which question an answer belongs to: nameless controls
    with no label of their own are shown for review, with the field their place suggests."""
    roster = make_roster(tmp_path)
    packets, original = _generated(tmp_path)
    values = complete_values("goal-sheet")
    values["goal_1_horizon"] = "Short-term"
    values["goal_2_horizon"] = "Long-term"
    dropdowns = {fid for fid, kind, _ in form_fields("goal-sheet") if kind == "dropdown"}
    returned = write(
        tmp_path / "in" / "P01_goal-sheet.docx",
        _without_labels(make_docx("goal-sheet", "P01", values, unnamed=dropdowns), dropdowns),
    )
    blank_copy = write(tmp_path / "in" / "untouched.docx", original)
    result = collect_forms([returned, blank_copy], tmp_path / "t.xlsx", roster, packets_dir=packets)
    assert result.blank == 1 and result.skipped == 0
    [warning] = result.problems
    assert warning.severity == "warning" and "Review sheet" in warning.message
    assert "--packets" not in warning.fix  # given already
    data = read_tracking(tmp_path / "t.xlsx")
    [ret] = data.returns
    for fid in dropdowns:
        assert ret.values.get(fid, "") == "", fid  # never placed by position
    written = {values[f] for f in dropdowns if values.get(f)}
    assert result.review == len(data.review) == len([f for f in dropdowns if values.get(f)])
    assert {str(item.text) for item in data.review} == written
    # The field each one's place suggests, shown as the form words it: a hint for the coordinator.
    spec = SPECS["goal-sheet"]
    labels = {spec.field(f).label_for(spec.instance(f)) for f in dropdowns}
    assert {item.suggestion for item in data.review} <= labels
    status = openpyxl.load_workbook(tmp_path / "t.xlsx")["Status"]
    header = [c.value for c in status[1]]
    col = header.index("Goal sheet") + 1
    assert status.cell(3, col).value == dt.datetime(2026, 9, 1)  # generated


# ---- command line ----------------------------------------------------------------------------


def test_cli_collect_and_status(tmp_path, sample_roster):
    from mentordocs.roster import load_roster

    roster = load_roster(sample_roster)
    program = roster.program.name
    pair = roster.pairs[0].pair_id
    folder = tmp_path / "in"
    write(
        folder / f"{pair}_goal-sheet.docx",
        make_docx("goal-sheet", pair, complete_values("goal-sheet"), program=program),
    )
    write(folder / "junk.docx", b"nope")
    runner = CliRunner()
    tracking = tmp_path / "tracking.xlsx"
    result = runner.invoke(
        cli,
        ["collect", str(folder), "-o", str(tracking), "--roster", str(sample_roster), "--quiet"],
    )
    assert result.exit_code == 1, result.output  # junk.docx may be a return: it was not read
    assert "1 new return(s)" in result.output
    assert result.output.splitlines()[-1] == (
        "Files: 1 read as forms, 0 not forms, 1 needing attention (1 could not be read)."
    )
    status = runner.invoke(cli, ["status", str(tracking), "--all"])  # the per-form listing
    assert status.exit_code == 0
    lines = status.output.splitlines()
    start = lines.index(f"{pair}:")
    own = [line for line in lines[start + 1 :] if line.startswith("  ")][:3]
    assert own and not any(line.strip().startswith("Goal sheet") for line in own)
    as_json = json.loads(runner.invoke(cli, ["status", str(tracking), "--json"]).output)
    assert "goal-sheet" not in [o["form"] for o in as_json[pair]]
    assert as_json[roster.pairs[1].pair_id][0]["reasons"] == ["not returned"]

    (tmp_path / "~$tracking.xlsx").write_text("x")
    locked = runner.invoke(
        cli, ["collect", str(folder), "-o", str(tracking), "--roster", str(sample_roster)]
    )
    assert locked.exit_code == 1 and "open in Excel" in locked.output
    missing = runner.invoke(cli, ["collect", str(folder), "-o", str(tracking)])
    assert missing.exit_code == 2


def test_status_on_a_file_that_is_not_a_tracking_workbook(tmp_path):
    other = tmp_path / "x.xlsx"
    openpyxl.Workbook().save(other)
    result = CliRunner().invoke(cli, ["status", str(other)])
    assert result.exit_code == 1
    assert "was not written by 'mentordocs collect'" in result.output


def test_help_has_examples():
    for command in ("collect", "status"):
        result = CliRunner().invoke(cli, [command, "-h"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_status_shows_generated_and_sent_from_the_packets_folder(tmp_path):
    from mentordocs.records import SendRecord, SentFile, append_send_record

    roster = make_roster(tmp_path, pairs=2)
    packets = tmp_path / "packets"
    original = make_docx("goal-sheet", "P02")
    write(packets / "P02" / "P02_goal-sheet.docx", original)
    entry = ManifestEntry(
        "P02",
        "goal-sheet",
        "P02/P02_goal-sheet.docx",
        hashlib.sha256(original).hexdigest(),
        SPECS["goal-sheet"].version,
        "2026-09-01T08:00:00+00:00",
    )
    write_manifest(packets, Manifest(program=PROGRAM, files=[entry]))
    append_send_record(
        packets,
        SendRecord(
            kind="packet",
            pair_id="P02",
            recipients=["m@example.org"],
            files=[SentFile(path="P02/P02_goal-sheet.docx", sha256=entry.sha256)],
            message_id="<1@example.org>",
            sent_at="2026-09-03T09:00:00+00:00",
            transport="smtp",
        ),
    )
    collect_forms([], tmp_path / "t.xlsx", roster, packets_dir=packets)
    status = openpyxl.load_workbook(tmp_path / "t.xlsx")["Status"]
    col = [c.value for c in status[1]].index("Goal sheet") + 1
    assert status.cell(2, col + 1).value == "Sent"
    p02 = 4  # header rows 1-2, then P01, P02
    assert status.cell(p02, col).value == dt.datetime(2026, 9, 1)
    assert status.cell(p02, col + 1).value == dt.datetime(2026, 9, 3)
    assert status.cell(p02, col + 2).value is None  # not returned
    assert status.cell(3, col).value is None  # P01: nothing generated


def test_fields_in_headers_footers_and_notes_are_read(tmp_path):
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    stories = {"header": "header1.xml", "footer": "footer1.xml", "footnotes": "footnotes.xml"}
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/{kind}" Target="{name}"/>'
            for i, (kind, name) in enumerate(stories.items(), start=10)
        )
        + "</Relationships>"
    )
    root = {"header": "w:hdr", "footer": "w:ftr", "footnotes": "w:footnotes"}
    extra = {"word/_rels/document.xml.rels": rels.encode()}
    for kind, name in stories.items():
        body = control(f"in_{kind}", "text", f"written in the {kind}")
        extra[f"word/{name}"] = (
            f'<{root[kind]} xmlns:w="{W}" xmlns:w14="{W14}">{body}</{root[kind]}>'
        ).encode()
    reading = read_form(make_docx("goal-sheet", "P01", extra=extra))
    found = {f.id: f.value for f in reading.fields}
    for kind in stories:
        assert found[f"in_{kind}"] == f"written in the {kind}"


# ---- the zip read straight from its bytes gives what zipfile gives ---------------------------


def test_unusual_zips_are_read_through_zipfile():
    members = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "Stored"}))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.comment = b"a zip comment"
        for name, payload in members.items():
            archive.writestr(name, payload)
    data = out.getvalue()
    assert read_form(data).fields == read_form(zip_of(members)).fields
    stored = zip_of(members, zipfile.ZIP_STORED)
    assert read_form(stored).pair_id == "P01"


def _patched(data: bytes, old: bytes, new: bytes, count: int = 2) -> bytes:
    """``data`` with ``old`` replaced by ``new`` (in the local header and the directory)."""
    assert data.count(old) == count
    return data.replace(old, new)


def test_member_names_are_decoded_as_zipfile_decodes_them():
    members = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "x"}))
    members["word/media/cafX.bin"] = b"image"  # X becomes code page 437's 0x82 (e with acute)
    data = _patched(zip_of(members), b"cafX", b"caf\x82")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "word/media/caf\u00e9.bin" in archive.namelist()
    assert read_form(data).pair_id == "P01"
    # A name flagged UTF-8 that is not: zipfile says so, and the file is damaged (no crash).
    members["word/media/caf\u00e9.bin"] = members.pop("word/media/cafX.bin")
    broken = _patched(zip_of(members), "caf\u00e9".encode(), b"caf\xff\xa9")
    with pytest.raises(FormReadError, match="damaged"):
        read_form(broken)


def test_a_part_seen_before_is_still_checked_against_its_own_crc():
    good = make_docx("goal-sheet", "P01", {"goal_1_goal": "x"})
    assert read_form(good).pair_id == "P01"  # its small parts are remembered now
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        crc = archive.getinfo("[Content_Types].xml").CRC.to_bytes(4, "little")
    wrong = (int.from_bytes(crc, "little") ^ 1).to_bytes(4, "little")
    with pytest.raises(FormReadError, match="damaged"):
        read_form(_patched(good, crc, wrong))


def test_a_remembered_layout_is_used_only_for_the_same_structure():
    """Files with the same member names but other content types or relationships are read
    as what they are, whatever was read before them."""
    ours = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "Kept"}))
    names = list(ours)
    first = read_form(zip_of(ours))
    assert not first.macros and first.main_part == "word/document.xml"
    # The same names, content types that say macros are enabled: read as such.
    macro = dict(ours)
    macro["[Content_Types].xml"] = ours["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    assert list(macro) == names
    assert read_form(zip_of(macro)).macros
    # The same names, the main document moved (another part, under the same names).
    moved = dict(ours)
    moved["_rels/.rels"] = ours["_rels/.rels"].replace(
        b'Target="word/document.xml"', b'Target="docProps/core.xml"'
    )
    reading = read_form(zip_of(moved))
    assert reading.main_part == "docProps/core.xml" and not reading.fields
    # And the first form again, after those: its own layout, values as before.
    again = read_form(zip_of(ours))
    assert again.fields == first.fields and not again.macros


def _crc_table() -> list[int]:
    table = []
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
        table.append(crc)
    return table


def _forge_crc(data: bytes, at: int, target: int) -> bytes:
    """``data`` with its 4 bytes at ``at`` chosen so that its CRC-32 is ``target`` (the
    register is worked back from the target over the bytes after them, then forward)."""
    table = _crc_table()
    by_top = {entry >> 24: index for index, entry in enumerate(table)}
    register = target ^ 0xFFFFFFFF
    for byte in reversed(data[at + 4 :]):
        index = by_top[register >> 24]
        register = (((register ^ table[index]) << 8) & 0xFFFFFFFF) | (index ^ byte)
    indices = []
    for _ in range(4):
        index = by_top[register >> 24]
        indices.append(index)
        register = ((register ^ table[index]) << 8) & 0xFFFFFFFF
    state = zlib.crc32(data[:at]) ^ 0xFFFFFFFF
    chosen = bytearray()
    for index in reversed(indices):
        chosen.append((state ^ index) & 0xFF)
        state = table[index] ^ (state >> 8)
    return data[:at] + bytes(chosen) + data[at + 4 :]


def test_a_layout_is_not_taken_from_a_part_with_the_same_crc_and_size():
    """Two content types parts with the same CRC-32, size and method in the directory, but
    different bytes: the second file's layout (macros) is its own, not the first's."""
    main_type = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    macro_type = b"application/vnd.ms-word.document.macroEnabled.main+xml"
    ours = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "Kept"}))
    extra = b'<Default Extension="ABCD" ContentType="application/octet-stream"/>'
    counter = b'<Default Extension="n%05d" ContentType="application/octet-stream"/>'
    plain = ours["[Content_Types].xml"].replace(b"</Types>", extra + counter % 0 + b"</Types>")
    assert main_type in plain
    target = zlib.crc32(plain)
    padding = b" " * (len(main_type) - len(macro_type))
    for attempt in range(100_000):
        macro = plain.replace(main_type, macro_type).replace(
            counter % 0, counter % attempt + padding
        )
        at = macro.index(b"ABCD")
        macro = _forge_crc(macro, at, target)
        if macro[at : at + 4].isalnum() and macro[at : at + 4].isascii():
            break
    assert zlib.crc32(macro) == target and len(macro) == len(plain) and macro != plain
    first = zip_of({**ours, "[Content_Types].xml": plain}, zipfile.ZIP_STORED)
    second = zip_of({**ours, "[Content_Types].xml": macro}, zipfile.ZIP_STORED)
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        entry, same = a.getinfo("[Content_Types].xml"), b.getinfo("[Content_Types].xml")
    assert (entry.CRC, entry.file_size) == (same.CRC, same.file_size)  # the directory cannot tell
    assert not read_form(first).macros
    assert read_form(second).macros
    assert not read_form(first).macros


def test_a_file_longer_than_its_size_says_is_read_to_the_end():
    # /proc files report a size of 0 and hold more: the reader keeps going until the end.
    cmdline = Path("/proc/self/cmdline")
    if not cmdline.exists():
        pytest.skip("needs Linux's /proc")
    data, _ = read_file(str(cmdline))
    assert cmdline.stat().st_size == 0
    assert data == cmdline.read_bytes() and len(data) > 0


def test_unreadable_paths_are_reported(tmp_path):
    with pytest.raises(FormReadError, match="could not be opened"):
        read_form(tmp_path / "missing.docx")
    with pytest.raises(FormReadError, match="could not be opened"):
        read_form(tmp_path)  # a folder
    path = write(tmp_path / "P01_goal-sheet.docx", make_docx("goal-sheet", "P01"))
    os.utime(path, (1_700_000_000, 1_700_000_000))
    reading = read_form(path)
    assert reading.file_time == dt.datetime.fromtimestamp(1_700_000_000)
    assert reading.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_damaged_member_is_reported_not_misread():
    data = bytearray(make_docx("goal-sheet", "P01", {"goal_1_goal": "x" * 3000}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # Flip bytes inside the deflated document: a CRC (or deflate) error, whichever comes first.
    start = info.header_offset + 30 + len(info.filename.encode()) + 200
    for index in range(start, start + 8):
        data[index] ^= 0xFF
    with pytest.raises(FormReadError, match="damaged"):
        read_form(bytes(data))


def test_package_parts_are_read_by_lxml_whatever_their_spelling(real_docx):
    """Relationships with comments, properties with character and entity references."""
    strange = members_of(make_docx("goal-sheet", "P01"))
    strange["_rels/.rels"] = strange["_rels/.rels"].replace(
        b"<Relationship ", b"<!-- a comment --><Relationship ", 1
    )
    strange["docProps/custom.xml"] = strange["docProps/custom.xml"].replace(
        b"<vt:lpwstr>", b"<vt:lpwstr>&#65;&amp;", 1
    )
    escaped = members_of(make_docx("goal-sheet", "P01"))
    escaped["docProps/custom.xml"] = escaped["docProps/custom.xml"].replace(
        b"<vt:lpwstr>", b"<vt:lpwstr> &lt;A&amp;B&gt; &quot;", 1
    )
    assert read_form(zip_of(strange)).program.startswith("A&")
    assert read_form(zip_of(escaped)).program.startswith('<A&B> "')
    # A value whose end tag names another type is not XML: the file is damaged.
    mismatched = dict(escaped)
    mismatched["docProps/custom.xml"] = escaped["docProps/custom.xml"].replace(
        b"</vt:lpwstr>", b"</vt:i4>", 1
    )
    with pytest.raises(FormReadError, match="not valid XML"):
        read_form(zip_of(mismatched))
    for path in sorted(real_docx.glob("*.docx")):
        with WordPackage(path.read_bytes()) as package:
            layout = package.layout()
            assert package.has(layout.main), path


def with_a_copied_box(form: str, field_id: str, first: str, second: str) -> bytes:
    """A return of ``form`` whose ``field_id`` box was copied in Word: ``first`` in the box,
    ``second`` in its copy."""
    from lxml import etree

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    members = members_of(make_docx(form, "P01", {field_id: first}))
    root = etree.fromstring(members["word/document.xml"])
    [control] = [
        sdt
        for sdt in root.iter(W + "sdt")
        if sdt.find(f"{W}sdtPr/{W}tag").get(W + "val") == field_id
    ]
    copy = etree.fromstring(etree.tostring(control))
    [text] = copy.iter(W + "t")
    text.text = second
    control.addnext(copy)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return zip_of(members)


def test_a_copied_box_with_its_own_answer_goes_to_review_not_lost(tmp_path):
    """A row or box copied in Word repeats its field's name; a copy holding an answer of its
    own is shown for review (the first copy's answer stays in the column), never dropped."""
    data = with_a_copied_box(
        "goal-sheet", "goal_1_goal", "Plan lessons weekly", "A fourth goal I added"
    )
    returned = write(tmp_path / "in" / "P01_goal-sheet.docx", data)
    result = collect_forms([returned], tmp_path / "t.xlsx", make_roster(tmp_path))
    [row] = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")
    assert row["Goal 1"] == "Plan lessons weekly"
    data = read_tracking(tmp_path / "t.xlsx")
    assert result.review == 1 and [str(i.text) for i in data.review] == ["A fourth goal I added"]
    assert "second copy" in data.review[0].why
    assert any("Review sheet" in p.message for p in result.problems)


def test_a_review_answer_copied_into_its_column_and_its_row_deleted_stays_done(tmp_path):
    """The Review sheet's way of working: check the answer, type it into its column on the
    form's sheet, delete the Review row. The next run keeps the typed answer and does not
    bring the row back (the file is not read again)."""
    roster = make_roster(tmp_path)
    data = with_a_copied_box("goal-sheet", "goal_1_goal", "Plan lessons weekly", "Observe a class")
    returned = write(tmp_path / "in" / "P01_goal-sheet.docx", data)
    tracking = tmp_path / "t.xlsx"
    collect_forms([returned], tracking, roster)

    def handled(book):
        sheet = book["Goal sheet"]
        column = next(c.column for c in sheet[1] if c.value == "Goal 2")
        sheet.cell(2, column, "Observe a class")
        assert book["Review"]["D2"].value == "Observe a class"
        book["Review"].delete_rows(2)

    _edited(tracking, handled)
    collect_forms([returned, _second_return(tmp_path)], tracking, roster)
    rows = {row["Pair"]: row for row in sheet_rows(tracking, "Goal sheet")}
    assert rows["P01"]["Goal 1"] == "Plan lessons weekly"
    assert rows["P01"]["Goal 2"] == "Observe a class" and rows["P02"]["Goal 1"]
    assert sheet_rows(tracking, "Review") == [] and read_tracking(tracking).review == []


# ---- the coordinator's own changes to the workbook ---------------------------------------------


@pytest.fixture
def collected(tmp_path):
    """A tracking workbook with one goal sheet in it, and the roster it was collected with."""
    roster = make_roster(tmp_path)
    returned = write(
        tmp_path / "in" / "P01_goal-sheet.docx",
        make_docx(
            "goal-sheet", "P01", {"goal_1_goal": "Plan lessons weekly", "mentor_agree": True}
        ),
    )
    tracking = tmp_path / "t.xlsx"
    collect_forms([returned], tracking, roster)
    return tracking, roster


def _edited(tracking, change) -> bytes:
    book = openpyxl.load_workbook(tracking)
    change(book)
    book.save(tracking)
    return tracking.read_bytes()


def _second_return(tmp_path):
    return write(
        tmp_path / "in2" / "P02_goal-sheet.docx",
        make_docx("goal-sheet", "P02", {"goal_1_goal": "Second pair's goal"}),
    )


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda book: book["Goal sheet"].insert_cols(2), "column B has no header"),
        (lambda book: book["Goal sheet"].insert_rows(1), "column A has no header"),
        (
            lambda book: (
                book["Goal sheet"].insert_cols(4),
                book["Goal sheet"].cell(1, 4, "Coordinator notes"),
            ),
            "column E holds 'Returned at'",
        ),
        (
            lambda book: (
                book["Goal sheet"].insert_cols(12),
                book["Goal sheet"].cell(1, 12, "Notes"),
            ),
            "column M holds 'Goal 1: short- or long-term'",
        ),
    ],
    ids=[
        "column inserted",
        "title row inserted",
        "column inserted with a header",
        "column inserted among the answers",
    ],
)
def test_a_form_sheet_whose_columns_moved_is_refused_never_read_in_the_wrong_place(
    collected, tmp_path, change, said
):
    tracking, roster = collected
    before = _edited(tracking, change)
    with pytest.raises(CollectError) as caught:
        collect_forms([_second_return(tmp_path)], tracking, roster)
    assert "sheet 'Goal sheet' are not where collect wrote them" in str(caught.value)
    assert said in str(caught.value) and "Undo the change in Excel" in str(caught.value)
    assert ".bak" not in str(caught.value)  # there is none yet: it is named only when there
    assert tracking.read_bytes() == before  # nothing written
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert result.exit_code == 1 and "not where collect wrote them" in result.output


def test_renamed_headers_are_fine(collected, tmp_path):
    tracking, roster = collected
    _edited(tracking, lambda book: book["Goal sheet"].cell(1, 11, "My name for it"))
    collect_forms([_second_return(tmp_path)], tracking, roster)
    rows = {row["Pair"]: row for row in sheet_rows(tracking, "Goal sheet")}
    assert rows["P01"]["Goal 1"] == "Plan lessons weekly"
    assert rows["P02"]["Goal 1"] == "Second pair's goal"


def test_work_of_the_coordinators_own_is_never_written_over(collected, tmp_path):
    from openpyxl.comments import Comment

    tracking, roster = collected

    def notes(book):
        sheet = book["Goal sheet"]
        sheet.cell(1, sheet.max_column + 1, "Coordinator notes")
        sheet.cell(2, sheet.max_column, "phoned P01 on 3 December")
        sheet.cell(2, 11).comment = Comment("check this one", "Coordinator")
        book.create_sheet("My notes")["A1"] = "to do"

    before = _edited(tracking, notes)
    with pytest.raises(CollectError) as caught:
        collect_forms([_second_return(tmp_path)], tracking, roster)
    message = str(caught.value)
    assert "('Coordinator notes') of sheet 'Goal sheet'" in message
    assert "the sheet 'My notes'" in message and "notes (comments) on cells" in message
    assert "nothing was changed" in message and tracking.read_bytes() == before
    # reading it is fine: status shows what is owed
    assert CliRunner().invoke(cli, ["status", str(tracking)]).exit_code == 0


def _status_rows(tracking) -> dict[str, tuple]:
    sheet = openpyxl.load_workbook(tracking)["Status"]
    return {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_a_workbook_saved_while_collect_runs_is_not_written_over(collected, tmp_path):
    # The coordinator types a note in the Status sheet and saves while collect reads the
    # returns (or a second collect into the same workbook finishes first): writing the
    # workbook as collect read it would drop what was saved, keeping it only in the .bak the
    # next run replaces. collect refuses, naming what happened; the next run takes both.
    tracking, roster = collected

    def note(book):
        sheet = book["Status"]
        rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
        sheet.cell(rows["P03"], sheet.max_column, "phoned on 3 December")

    class SavedMeanwhile(NoProgress):
        def advance(self, steps: int = 1) -> None:
            if not (tmp_path / "saved").exists():
                (tmp_path / "saved").touch()
                _edited(tracking, note)

    with pytest.raises(CollectError) as caught:
        collect_forms([_second_return(tmp_path)], tracking, roster, progress=SavedMeanwhile())
    assert str(caught.value) == (
        f"{tracking} was saved by someone else while collect was running (in Excel or "
        "LibreOffice, or by another 'mentordocs collect' at the same time), so it was not "
        "written: that would have lost what was saved. Nothing was changed and no mail was "
        "moved. Run the command again: it reads the workbook as it is now."
    )
    assert _status_rows(tracking)["P03"][-1] == "phoned on 3 December"
    assert "P02" not in {r.pair_id for r in read_tracking(tracking).returns}
    again = collect_forms([_second_return(tmp_path)], tracking, roster)
    assert again.new == 1
    assert _status_rows(tracking)["P03"][-1] == "phoned on 3 December"
    assert {r.pair_id for r in read_tracking(tracking).returns} == {"P01", "P02"}


def test_a_workbook_only_touched_while_collect_runs_is_written(collected, tmp_path):
    # A sync client (OneDrive, Dropbox) sets the file's time without changing what it holds:
    # nothing was saved, so nothing can be lost; collect writes as usual.
    tracking, roster = collected

    class TouchedMeanwhile(NoProgress):
        def advance(self, steps: int = 1) -> None:
            later = tracking.stat().st_mtime + 60
            os.utime(tracking, (later, later))

    result = collect_forms(
        [_second_return(tmp_path)], tracking, roster, progress=TouchedMeanwhile()
    )
    assert result.new == 1
    assert {r.pair_id for r in read_tracking(tracking).returns} == {"P01", "P02"}


def test_notes_in_the_status_sheet_are_kept_by_pair_on_every_run(collected, tmp_path):
    tracking, roster = collected

    def notes(book):
        sheet = book["Status"]
        assert sheet.cell(2, sheet.max_column).value == "Your notes"
        column = sheet.max_column
        sheet.cell(2, column).value = "Notes"  # a header renamed is still the notes column
        rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
        sheet.cell(rows["P01"], column, "phoned on 3 December")
        sheet.cell(rows["P03"], column, "leaves in January")
        # sorted by pair, newest first: the notes go with their pair, not their row
        values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
        for number, row in enumerate(reversed(values), start=3):
            for index, value in enumerate(row, start=1):
                sheet.cell(number, index).value = value

    _edited(tracking, notes)
    collect_forms([_second_return(tmp_path)], tracking, roster)
    rows = _status_rows(tracking)
    assert rows["P01"][-1] == "phoned on 3 December" and rows["P03"][-1] == "leaves in January"
    assert rows["P02"][-1] is None  # P02's return came in, with no note
    assert any(str(value).endswith("P02_goal-sheet.docx") for value in rows["P02"])
    assert {k: n.value for k, n in read_tracking(tracking).notes.items()} == {
        "P01": "phoned on 3 December",
        "P03": "leaves in January",
    }

    # P03 leaves the roster: its row stays while it has a note, saying so
    collect_forms([], tracking, make_roster(tmp_path, pairs=2))
    rows = _status_rows(tracking)
    assert rows["P03"][3] == "Not on the roster" and rows["P03"][-1] == "leaves in January"
    assert list(rows) == ["P01", "P02", "P03"]

    # the note cleared, the row goes
    def clear(book):
        sheet = book["Status"]
        sheet.cell(5, sheet.max_column).value = None

    _edited(tracking, clear)
    collect_forms([], tracking, make_roster(tmp_path, pairs=2))
    assert list(_status_rows(tracking)) == ["P01", "P02"]


def test_a_note_keeps_its_value_and_how_its_cell_shows_it(collected, tmp_path):
    tracking, roster = collected
    typed = {
        3: (dt.time(14, 30), "hh:mm"),
        4: (0.5, "0%"),
        5: (dt.datetime(2027, 1, 5, 9, 15), "dd/mm/yyyy hh:mm"),
    }

    def notes(book):
        sheet = book["Status"]
        for row, (value, number_format) in typed.items():
            cell = sheet.cell(row, sheet.max_column, value)
            cell.number_format = number_format

    _edited(tracking, notes)
    collect_forms([_second_return(tmp_path)], tracking, roster)
    sheet = openpyxl.load_workbook(tracking)["Status"]
    for row, (value, number_format) in typed.items():
        cell = sheet.cell(row, sheet.max_column)
        assert (cell.value, cell.number_format) == (value, number_format)


def test_status_shows_the_notes_on_the_pairs_that_owe_something(collected, tmp_path):
    tracking, roster = collected

    def notes(book):
        sheet = book["Status"]
        sheet.cell(3, sheet.max_column, 0.5).number_format = "0%"
        sheet.cell(4, sheet.max_column, "On leave until March:\nno reminders")
        sheet.cell(5, sheet.max_column, dt.datetime(2027, 1, 5))

    _edited(tracking, notes)
    collect_forms([], tracking, roster)
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("Your notes on these pairs (the Status sheet's last column):")
    assert lines[at + 1 :] == [
        "P01: 50%",
        "P02: On leave until March: no reminders",
        "P03: 2027-01-05",
    ]


def test_a_blank_row_inserted_among_the_pairs_is_harmless(collected, tmp_path):
    tracking, roster = collected

    def spaced(book):
        sheet = book["Status"]
        sheet.cell(4, sheet.max_column, "waiting for the mentee")
        sheet.insert_rows(4)  # nothing typed in it

    _edited(tracking, spaced)
    collect_forms([_second_return(tmp_path)], tracking, roster)
    assert _status_rows(tracking)["P02"][-1] == "waiting for the mentee"


def test_a_note_follows_its_pair_when_the_roster_changes_the_case_of_its_id(collected, tmp_path):
    tracking, roster = collected
    _edited(tracking, lambda book: book["Status"].cell(4, book["Status"].max_column, "called"))
    roster.pairs[1].pair_id = "p02"
    collect_forms([], tracking, roster)
    rows = _status_rows(tracking)
    assert list(rows) == ["P01", "p02", "P03"] and rows["p02"][-1] == "called"


def test_a_workbook_of_the_earlier_layout_keeps_a_column_typed_past_the_status_sheet(
    collected, tmp_path
):
    """Workbooks written before the sheets' extents were kept (format 3): the Status sheet's
    extent is worked out from its pairs and forms, so a column of notes typed after it stops
    collect instead of being written over by the new notes column."""
    tracking, roster = collected

    def older(book):
        hidden = book["_mentordocs"]
        for number in range(hidden.max_row, 0, -1):
            if hidden.cell(number, 1).value in ("sheet", "sheet_header"):
                hidden.delete_rows(number)
            elif hidden.cell(number, 2).value == "format":
                hidden.cell(number, 3).value = "3"
        status = book["Status"]
        status.delete_cols(status.max_column)  # no notes column then
        status.cell(2, status.max_column + 1, "My notes")
        status.cell(3, status.max_column, "phoned")

    before = _edited(tracking, older)
    with pytest.raises(CollectError, match=r"what is typed in cell AG2 of sheet 'Status'"):
        collect_forms([_second_return(tmp_path)], tracking, roster)
    assert tracking.read_bytes() == before
    _edited(tracking, lambda book: book["Status"].delete_cols(33))
    collect_forms([_second_return(tmp_path)], tracking, roster)
    assert set(_status_rows(tracking)) == {"P01", "P02", "P03"}


def test_a_workbook_written_before_the_title_rows_were_kept_is_collected_again(collected, tmp_path):
    """Workbooks of 3 December 2026 and earlier kept no fingerprints of the rows above the
    column headers: their titles are not taken for the coordinator's edits; the next run
    keeps them, so that what is typed there afterwards stops collect."""
    tracking, roster = collected

    def older(book):
        hidden = book["_mentordocs"]
        for number in range(hidden.max_row, 0, -1):
            if hidden.cell(number, 1).value == "sheet_top":
                hidden.delete_rows(number)
        book["Dashboard"].cell(2, 1, "Collected a while ago")  # not seen in such a workbook

    _edited(tracking, older)
    collect_forms([_second_return(tmp_path)], tracking, roster)
    hidden = openpyxl.load_workbook(tracking)["_mentordocs"]
    kept = {row[1] for row in hidden.iter_rows(values_only=True) if row[0] == "sheet_top"}
    assert {"Dashboard", "Status"} <= kept
    _edited(tracking, lambda book: book["Dashboard"].cell(4, 1, "Next review: 12 January"))
    with pytest.raises(CollectError, match=r"row 4 of sheet 'Dashboard' \(above the column"):
        collect_forms([_second_return(tmp_path)], tracking, roster)


def test_a_workbook_of_a_newer_format_is_refused_not_rewritten(collected, tmp_path):
    tracking, roster = collected

    def newer(book):
        hidden = book["_mentordocs"]
        [row] = [r for r in hidden.iter_rows() if r[1].value == "format"]
        row[2].value = "99"

    before = _edited(tracking, newer)
    with pytest.raises(CollectError, match=r"written by a newer version of mentordocs"):
        collect_forms([_second_return(tmp_path)], tracking, roster)
    assert tracking.read_bytes() == before
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert result.exit_code == 1 and "Update mentordocs" in result.output


def _typed_at_the_end(title):
    def change(book):
        sheet = book[title]
        sheet.cell(sheet.max_row + 1, 1, "chase P02 again")

    return change


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda book: book["Status"].cell(3, book["Status"].max_column + 1, "call"),
            r"what is typed in cell AH3 of sheet 'Status'",
        ),
        (
            lambda book: book["Status"].insert_cols(6),
            r"a column or row inserted or deleted on sheet 'Status' \(cell F2, where collect "
            r"wrote the header 'Sent', is empty\)",
        ),
        (
            lambda book: book["Status"].delete_cols(5, 2),  # notes would be read from AG
            r"deleted on sheet 'Status' \(cell AF2, where collect wrote the header 'Mentee "
            r"signed', is empty\)",
        ),
        (
            lambda book: book["Status"].delete_cols(12, 7),  # a whole form's columns
            r"deleted on sheet 'Status' \(cell AA2, where collect wrote the header 'Sent'",
        ),
        (
            lambda book: book["Status"].insert_rows(1),
            r"deleted on sheet 'Status' \(cell A2, where collect wrote the header 'Pair', "
            r"is empty",
        ),
        (_typed_at_the_end("Status"), r"what is typed in row 6 of sheet 'Status' \(a value"),
        (
            lambda book: book["Status"].cell(4, 7, "chased on 3 December"),  # P02's Returned
            r"what is typed in row 4 of sheet 'Status' \(a value collect wrote there was changed",
        ),
        (
            lambda book: book["Goals"].cell(2, 7, "Plan lessons every week"),  # a goal retyped
            r"what is typed in row 2 of sheet 'Goals'",
        ),
        (
            lambda book: book["Goals"].cell(1, book["Goals"].max_column + 1, "Checked"),
            r"cell \w+1 of sheet 'Goals'",
        ),
        (_typed_at_the_end("Goals"), r"what is typed in row 3 of sheet 'Goals'"),
        (lambda book: book["Review"].cell(1, 9, "Done?"), r"cell I1 of sheet 'Review'"),
        (_typed_at_the_end("Problems"), r"what is typed in row 2 of sheet 'Problems'"),
        (_typed_at_the_end("Other forms"), r"what is typed in row 2 of sheet 'Other forms'"),
        (lambda book: book["Dashboard"].cell(2, 9, "good!"), r"cell I2 of sheet 'Dashboard'"),
        (
            lambda book: book["Dashboard"].cell(4, 1, "Next review: 12 January"),  # an empty row
            r"what is typed in row 4 of sheet 'Dashboard' \(above the column headers",
        ),
        (
            lambda book: book["Dashboard"].cell(1, 2, "(draft)"),  # beside the title
            r"what is typed in row 1 of sheet 'Dashboard' \(above the column headers",
        ),
        (
            lambda book: book["Status"].cell(1, 1, "Autumn term"),
            r"what is typed in row 1 of sheet 'Status' \(above the column headers",
        ),
        (
            lambda book: book["Status"].cell(6, book["Status"].max_column, "who is this?"),
            r"the note in cell \w+6 of sheet 'Status', on a row with no pair",
        ),
    ],
)
def test_what_is_typed_outside_what_collect_writes_stops_it_on_every_sheet(
    collected, tmp_path, change, said
):
    tracking, roster = collected
    before = _edited(tracking, change)
    with pytest.raises(CollectError, match=said) as caught:
        collect_forms([_second_return(tmp_path)], tracking, roster)
    assert "'Your notes' column of the Status sheet" in str(caught.value)
    assert tracking.read_bytes() == before


@pytest.mark.parametrize("include", [False, True])
def test_a_confidential_answer_on_the_review_sheet_is_copied_only_when_asked(tmp_path, include):
    data = with_a_copied_box(
        "confidentiality-agreement", "kept_private", "Our talks", "SECRET: my health"
    )
    returned = write(tmp_path / "in" / "P01_confidentiality-agreement.docx", data)
    tracking = tmp_path / "t.xlsx"
    result = collect_forms(
        [returned], tracking, make_roster(tmp_path), include_confidential=include
    )
    [item] = read_tracking(tracking).review
    assert result.review == 1
    workbook = openpyxl.load_workbook(tracking)
    everything = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    if include:
        assert item.text == "SECRET: my health"
    else:
        assert "not copied: it may answer a confidential question" in str(item.text)
        assert "SECRET" not in everything and "Our talks" not in everything


# ---- two returns of one pair's form --------------------------------------------------------------


def undated(data: bytes) -> bytes:
    """The form without its document's own modified time (some programs write none)."""
    members = members_of(data)
    members["docProps/core.xml"] = re.sub(
        rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", members["docProps/core.xml"]
    )
    return zip_of(members)


def zipped_on(name: str, data: bytes, when: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buffer.getvalue()


def test_a_zipped_form_is_dated_by_the_zip_so_the_newer_correction_wins(tmp_path):
    first = undated(make_docx("goal-sheet", "P01", {"goal_1_goal": "FIRST draft"}))
    fixed = undated(make_docx("goal-sheet", "P01", {"goal_1_goal": "Corrected"}))
    name = "P01_goal-sheet.docx"
    write(tmp_path / "nov" / "forms.zip", zipped_on(name, fixed, (2026, 11, 20, 9, 0, 0)))
    write(tmp_path / "oct" / "forms.zip", zipped_on(name, first, (2026, 10, 1, 9, 0, 0)))
    tracking = tmp_path / "t.xlsx"
    # the November zip is met first; the October one is still the older
    result = collect_forms([tmp_path / "nov", tmp_path / "oct"], tracking, make_roster(tmp_path))
    [ret] = read_tracking(tracking).returns
    assert ret.values["goal_1_goal"] == "Corrected"
    assert ret.returned_at == dt.datetime(2026, 11, 20, 9, 0)
    [older] = [p for p in result.problems if "older return" in p.message]
    assert older.file.startswith(str(tmp_path / "oct"))


def test_two_returns_that_cannot_be_told_apart_in_time_are_said_so_and_either_can_win(tmp_path):
    roster = make_roster(tmp_path)
    a = write(
        tmp_path / "a" / "P02_goal-sheet.docx",
        make_docx("goal-sheet", "P02", {"goal_1_goal": "Right"}),
    )
    b = write(
        tmp_path / "b" / "P02_goal-sheet.docx",
        make_docx("goal-sheet", "P02", {"goal_1_goal": "Wrong"}),
    )
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([tmp_path / "b", tmp_path / "a"], tracking, roster)
    [warning] = [p for p in result.problems if p.file == str(a)]
    assert "which is newer cannot be told (both saved 2026-10-01 10:00)" in warning.message
    assert f"take {b} out of the folder, delete pair P02's row" in warning.fix
    # The fix it gives works: the other file comes back once the kept one and its row are gone.
    b.unlink()
    book = openpyxl.load_workbook(tracking)
    sheet = book["Goal sheet"]
    sheet.delete_rows(
        next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "P02")
    )
    book.save(tracking)
    result = collect_forms([tmp_path / "a"], tracking, roster)
    [ret] = [r for r in read_tracking(tracking).returns if r.pair_id == "P02"]
    assert ret.values["goal_1_goal"] == "Right" and result.new == 1
    # and once in, it is not read again
    assert collect_forms([tmp_path / "a"], tracking, roster).unchanged == 1


def test_the_backup_collect_keeps_can_be_read_and_a_damaged_workbook_says_what_to_do(
    collected, tmp_path
):
    tracking, roster = collected
    collect_forms([_second_return(tmp_path)], tracking, roster)  # keeps t.xlsx.bak
    backup = tracking.with_name("t.xlsx.bak")
    result = CliRunner().invoke(cli, ["status", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Goal sheet" in result.output
    tracking.write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Restore the copy collect kept (t.xlsx.bak" in result.output
    backup.unlink()
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert ".bak" not in result.output and "Collect again into a new file" in result.output


def test_an_answer_longer_than_an_excel_cell_is_cut_and_said_so(tmp_path):
    long = "We will " + "keep going, " * 3_500  # 42,008 characters
    returned = write(
        tmp_path / "in" / "P01_goal-sheet.docx",
        make_docx("goal-sheet", "P01", {"goal_1_goal": long}),
    )
    result = collect_forms([returned], tmp_path / "t.xlsx", make_roster(tmp_path))
    [warning] = result.problems
    assert (
        "answers 'Goal 1' with 42,008 characters, more than an Excel cell holds" in warning.message
    )
    assert warning.severity == "warning" and "returned form" in warning.fix
    [row] = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")
    assert row["Goal 1"].startswith("We will keep going") and len(row["Goal 1"]) <= 32_767


def test_a_text_for_review_or_from_another_form_too_long_for_a_cell_is_said_so(tmp_path):
    import docx
    from lxml import etree

    long = "We will " + "keep going, " * 3_500  # 42,008 characters
    write(
        tmp_path / "in" / "P01_goal-sheet.docx",
        with_a_copied_box("goal-sheet", "goal_1_goal", "Plan lessons weekly", long),
    )
    elsewhere = docx.Document()  # a form of someone else's: one named box, filled in
    elsewhere.add_paragraph("Tell us more:")
    box = etree.fromstring(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:sdtPr><w:tag w:val="story"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>'
        f"{long}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    elsewhere.element.body.insert(1, box)
    elsewhere.save(tmp_path / "in" / "survey.docx")
    result = collect_forms([tmp_path / "in"], tmp_path / "t.xlsx", make_roster(tmp_path))
    cut = {Path(p.file).name: p for p in result.problems if "more than an Excel cell" in p.message}
    assert set(cut) == {"P01_goal-sheet.docx", "survey.docx"}
    assert "42,008 characters" in cut["P01_goal-sheet.docx"].message
    assert "the Review sheet shows its beginning" in cut["P01_goal-sheet.docx"].message
    assert "the Other forms sheet shows its beginning" in cut["survey.docx"].message
    assert all(p.severity == "warning" for p in cut.values())
    [review] = sheet_rows(tmp_path / "t.xlsx", "Review")
    [other] = sheet_rows(tmp_path / "t.xlsx", "Other forms")
    for shown in (review["What was written"], other["Value"]):
        assert shown.startswith("We will keep going") and len(shown) <= 32_767


def _two_signed_copies(tmp_path, mentors_goal: str, mentees_goal: str):
    "The mentor's and the mentee's copies of P01's goal sheet, each signed by its sender."
    mentors = make_docx(
        "goal-sheet",
        "P01",
        {"goal_1_goal": mentors_goal, "mentor_agree": True, "mentor_sign_name": "Ana"},
        modified="2026-10-01T10:00:00Z",
    )
    mentees = make_docx(
        "goal-sheet",
        "P01",
        {"goal_1_goal": mentees_goal, "mentee_agree": True, "mentee_sign_name": "Ben"},
        modified="2026-10-03T10:00:00Z",
    )
    folder = tmp_path / "in"
    write(folder / "from the mentor" / "P01_goal-sheet.docx", mentors)
    write(folder / "from the mentee" / "P01_goal-sheet.docx", mentees)
    tracking = tmp_path / "t.xlsx"
    return collect_forms([folder], tracking, make_roster(tmp_path)), tracking


def test_the_mentor_and_the_mentee_each_signing_their_own_copy_count_as_both_signed(tmp_path):
    result, tracking = _two_signed_copies(tmp_path, "Plan lessons weekly", "Plan lessons weekly")
    [ret] = read_tracking(tracking).returns
    assert ret.values["goal_1_goal"] == "Plan lessons weekly"
    assert ret.values["mentor_sign_name"] == "Ana" and ret.values["mentee_sign_name"] == "Ben"
    [carried] = [p for p in result.problems if "each signed their own copy" in p.message]
    assert "from the mentee" in carried.file and "not signed by the mentor" in carried.message
    owed = read_outstanding(tracking).get("P01", [])
    assert not any("not signed" in r for item in owed for r in item.reasons)


def test_a_signature_on_a_copy_with_other_answers_is_not_counted_for_the_kept_ones(tmp_path):
    # The mentor signed "Plan lessons weekly"; the mentee's newer copy says "every week". The
    # mentor's signature was counted with the mentee's answers: "signed by both" for words the
    # mentor never signed. They stay unsigned by the mentor, said so, and the mentor is owed.
    result, tracking = _two_signed_copies(
        tmp_path, "Plan lessons weekly", "Plan lessons every week"
    )
    [ret] = read_tracking(tracking).returns
    assert ret.values["goal_1_goal"] == "Plan lessons every week"  # the newer copy's answers
    assert ret.values["mentee_sign_name"] == "Ben"
    assert not ret.values.get("mentor_sign_name") and not ret.values.get("mentor_agree")
    assert not [p for p in result.problems if "each signed their own copy" in p.message]
    [unsigned] = [p for p in result.problems if "signed other answers" in p.message]
    assert "from the mentee" in unsigned.file and "its answers differ (Goal 1" in unsigned.message
    assert unsigned.fix == "Ask the mentor to sign this copy, or agree which answers stand."
    owed = read_outstanding(tracking).get("P01", [])
    assert any("not signed by mentor" in r for item in owed for r in item.reasons)


def test_a_note_typed_past_the_last_column_without_a_header_stops_collect_too(collected, tmp_path):
    tracking, roster = collected

    def note(book):
        sheet = book["Goal sheet"]
        sheet.cell(2, sheet.max_column + 3, "call back Friday")

    before = _edited(tracking, note)
    with pytest.raises(CollectError, match=r"what is typed in cell \w+2 of sheet 'Goal sheet'"):
        collect_forms([_second_return(tmp_path)], tracking, roster)
    assert tracking.read_bytes() == before


def test_a_workbook_written_before_column_headers_were_kept_is_read_and_collected_into(
    collected, tmp_path
):
    """Workbooks written before 3 December 2026 have no header in the hidden 'column' rows."""
    tracking, roster = collected

    def older(book):
        hidden = book["_mentordocs"]
        assert hidden.max_column == 7  # only the 'column' rows have a seventh cell
        hidden.delete_cols(7)

    _edited(tracking, older)
    assert CliRunner().invoke(cli, ["status", str(tracking)]).exit_code == 0
    collect_forms([_second_return(tmp_path)], tracking, roster)
    assert sorted(r.pair_id for r in read_tracking(tracking).returns) == ["P01", "P02"]


def test_a_set_aside_return_brought_back_is_still_weighed_by_its_date(tmp_path):
    roster = make_roster(tmp_path)

    def copy(day: int, text: str):
        data = make_docx(
            "goal-sheet", "P02", {"goal_1_goal": text}, modified=f"2026-10-0{day}T10:00:00Z"
        )
        return write(tmp_path / f"day{day}" / "P02_goal-sheet.docx", data)

    oldest, middle, newest = copy(1, "A oldest"), copy(2, "B middle"), copy(3, "C newest")
    tracking = tmp_path / "t.xlsx"
    collect_forms([tmp_path], tracking, roster)
    assert read_tracking(tracking).returns[0].values["goal_1_goal"] == "C newest"
    # The coordinator wants B: takes C out and deletes its row, as the Problems sheet says.
    newest.unlink()
    book = openpyxl.load_workbook(tracking)
    book["Goal sheet"].delete_rows(2)
    book.save(tracking)
    result = collect_forms([tmp_path], tracking, roster)
    [ret] = read_tracking(tracking).returns
    assert ret.values["goal_1_goal"] == "B middle"
    [aside] = [p for p in result.problems if p.file == str(oldest)]
    assert f"older return of Goal sheet for pair P02 than {middle}" in aside.message


def test_a_copied_box_holding_part_of_the_first_answer_is_still_shown_for_review(tmp_path):
    data = with_a_copied_box(
        "goal-sheet", "goal_1_goal", "Weekly meetings and a monthly review", "monthly review"
    )
    returned = write(tmp_path / "in" / "P01_goal-sheet.docx", data)
    result = collect_forms([returned], tmp_path / "t.xlsx", make_roster(tmp_path))
    assert result.review == 1
    assert [str(i.text) for i in read_tracking(tmp_path / "t.xlsx").review] == ["monthly review"]


def test_an_unplaced_answer_on_a_form_with_confidential_questions_is_not_copied(tmp_path):
    """Its place may suggest a question that is not confidential, but a place is a guess."""
    data = make_docx(
        "confidentiality-agreement",
        "P01",
        {"mentor_sign_name": "Ana"},
        unnamed={"mentor_sign_name"},
    )
    returned = write(tmp_path / "in" / "P01_confidentiality-agreement.docx", data)
    collect_forms([returned], tmp_path / "t.xlsx", make_roster(tmp_path))
    [item] = read_tracking(tmp_path / "t.xlsx").review
    assert "not copied: it may answer a confidential question" in str(item.text)


def test_a_box_of_another_form_still_showing_its_prompt_is_blank_on_other_forms(tmp_path):
    # A coordinator's own Word form, its box named only by its Title (Word's Properties
    # dialog): untouched, it shows Word's prompt, which is no answer.
    body = control("Favourite colour", "text", None, tag=False) + control(
        "Years teaching", "text", "12", tag=False
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:w14="{W14}"><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(io.BytesIO(make_docx(properties=False))) as made:
        members = {name: made.read(name) for name in made.namelist()}
    members["word/document.xml"] = document.encode()
    write(tmp_path / "in" / "survey.docx", zip_of(members, zipfile.ZIP_DEFLATED))
    collect_forms([tmp_path / "in"], tmp_path / "t.xlsx", make_roster(tmp_path))
    rows = {r["Field"]: r["Value"] for r in sheet_rows(tmp_path / "t.xlsx", "Other forms")}
    assert rows == {"Favourite colour": None, "Years teaching": "12"}
