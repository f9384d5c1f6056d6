"""Forms returned as PDF: read with ``mentordocs.collect.pdf.read_pdf``.

Real files: the sample's packets are generated, every field is filled with a distinct value
(``test_roundtrip.fill_packets``), and LibreOffice exports them three ways: 25.2 with form
fields, 25.2 without, and the system's LibreOffice (7.4 in CI) without. With fields, every
value must come back exactly under its id; without, the form must be identified from what the
PDF says and its answers offered only as review items, none of them wrong when it claims to be
likely. Small PDFs written here byte by byte cover the hostile and odd cases.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter
from test_roundtrip import fill_packets

from mentordocs.collect.matching import Reference, match_fields
from mentordocs.collect.pdf import (
    DOCUMENT_INFORMATION,
    LIKELY,
    PROPERTIES,
    TEXT,
    UNSURE,
    FormLabels,
    PdfError,
    PdfLimits,
    PdfReading,
    ShownLabel,
    labels_from_fields,
    read_pdf,
)
from mentordocs.forms import load_form_specs
from mentordocs.generate.office import convert
from mentordocs.ooxml.fields import Field
from mentordocs.ooxml.xml import parse_xml

SPECS = load_form_specs()
#: Pairs exported here: each plan type, and a pair whose goals are not pre-filled.
PAIRS = ("P01", "P02", "P04", "P05")
WITH_FIELDS = 'pdf:writer_pdf_Export:{"ExportFormFields":{"type":"boolean","value":"true"}}'
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ---- the real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The sample's packets generated and filled; the filled forms of PAIRS in ``chosen``."""
    data = fill_packets(tmp_path_factory.mktemp("pdf"))
    data["chosen"] = sorted(
        path
        for path in data["returned"].glob("*.docx")
        if any(f" {pair}_" in path.name for pair in PAIRS)
    )
    assert len(data["chosen"]) == 4 * len(PAIRS)
    return data


def exported(filled: dict, kind: str, soffice: str, to: str) -> list[Path]:
    """The chosen forms exported once per module by ``soffice`` (kept in ``filled``)."""
    if kind not in filled:
        filled[kind] = convert(filled["chosen"], to, filled["base"] / kind, soffice=soffice)
    return filled[kind]


def expected_values(filled: dict, reading: PdfReading) -> dict[str, object]:
    """The values the form was filled with, declared fields only."""
    key = (reading.identity.pair_id.value, reading.identity.form.value)
    spec = SPECS[key[1]]
    return {k: v for k, v in filled["expected"][key].items() if spec.match(k) is not None}


def shown_labels(docx: bytes, complete: bool = True) -> FormLabels:
    """The labels a generated form shows, as ``Field.before`` is meant to give them: all the
    text between one field and the next (``complete``), or only the paragraph just before
    each field (its label cell, or its hint when it has one)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        body = parse_xml(package.read("word/document.xml")).find(W + "body")
    placeholders = Reference.from_bytes(docx).placeholders
    labels: list[ShownLabel] = []
    chunks: list[str] = []
    inside = None
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if inside is not None:
            inside = None if event == "end" and element is inside else inside
            continue
        tag = element.find(f"{W}sdtPr/{W}tag") if element.tag == W + "sdt" else None
        if event == "start" and tag is not None:
            text = "".join(chunks)
            if not complete:
                paragraphs = [p for p in text.split("\n") if p.strip()]
                text = paragraphs[-1] if paragraphs else ""
            field_id = tag.get(W + "val")
            labels.append(ShownLabel(field_id, text, placeholders.get(field_id, "")))
            chunks, inside = [], element
        elif event == "start" and element.tag == W + "t":
            chunks.append(element.text or "")
        elif event == "start" and element.tag in (W + "tab", W + "br", W + "cr"):
            chunks.append("\t" if element.tag == W + "tab" else "\n")
        elif event == "end" and element.tag in (W + "p", W + "tc"):
            chunks.append("\n")
    if complete:
        labels.append(ShownLabel("", "".join(chunks)))
    return FormLabels(labels, complete)


def reader_for(filled: dict, complete: bool = True):
    """``read_pdf`` as collect would call it: the roster's program and pairs, the labels of
    each pair's generated form."""
    roster = filled["roster"]

    def labels(pair_id: str, form: str) -> FormLabels:
        path = filled["packets"] / pair_id / f"{pair_id}_{form}.docx"
        return shown_labels(path.read_bytes(), complete)

    def read(path: Path) -> PdfReading:
        return read_pdf(
            path.read_bytes(),
            path.name,
            SPECS,
            program=roster.program.name,
            pair_ids=[p.pair_id for p in roster.pairs],
            labels=labels,
        )

    return read


def squeezed(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


def judge(value: object, expected: object) -> str:
    """right: the same once whitespace is collapsed (a page cannot tell a wrapped line from a
    typed break, nor a tab from spaces); wrapped: the same but for where a line broke inside a
    word; else wrong."""
    if squeezed(value) == squeezed(expected):
        return "right"
    if isinstance(value, str) and isinstance(expected, str):
        return "wrapped" if "".join(value.split()) == "".join(expected.split()) else "wrong"
    return "wrong"


def measure(reading: PdfReading, expected: dict[str, object]) -> Counter:
    """Fields read right/wrong/missing; review items right/wrapped/wrong (likely ones
    apart), fields shared with others in one item, fields not located."""
    counts: Counter = Counter()
    got = {f.id: f.value for f in reading.fields}
    for field_id, value in expected.items():
        if field_id not in got:
            counts["fields missing"] += 1
        else:
            counts["fields right" if got[field_id] == value else "fields wrong"] += 1
    for item in reading.review:
        if item.shared_with:
            counts["review shared"] += 1 + len(item.shared_with)
            continue
        verdict = judge(item.value, expected.get(item.field_id))
        counts[f"review {verdict}"] += 1
        counts[f"review {item.sure} {verdict}"] += 1
    counts["unlocated"] += len(reading.unlocated)
    return counts


def table(rows: dict[tuple[str, str], Counter]) -> str:
    columns = (
        "fields right", "fields wrong", "fields missing", "review right", "review wrapped",
        "review wrong", "review likely wrong", "review shared", "unlocated",
    )  # fmt: skip
    lines = ["form | export | " + " | ".join(columns)]
    for (form, kind), counts in sorted(rows.items()):
        lines.append(f"{form} | {kind} | " + " | ".join(str(counts[c]) for c in columns))
    return "\n".join(lines)


# ---- exported with form fields (25.2) --------------------------------------------------------


def test_fields_export_gives_every_value_under_its_id(filled, soffice_25):
    read = reader_for(filled)
    rows: dict[tuple[str, str], Counter] = {}
    for path in exported(filled, "fields-25", soffice_25, WITH_FIELDS):
        reopened = PdfReader(path)
        acroform = reopened.trailer["/Root"]["/AcroForm"]
        assert acroform["/NeedAppearances"] == True  # noqa: E712 (a pypdf BooleanObject)
        reading = read(path)
        identity = reading.identity
        assert reading.with_fields and reading.unnamed_fields == 0 and reading.review == []
        assert {identity.pair_id.source, identity.form.source} == {DOCUMENT_INFORMATION}
        assert identity.program.value == filled["roster"].program.name
        expected = expected_values(filled, reading)
        got = {f.id: f.value for f in reading.fields}
        assert got == expected, path.name  # text with newlines and tabs, dates, lists, boxes
        assert {f.source for f in reading.fields} == {"alias"}
        assert len(acroform["/Fields"]) == len(reading.fields)
        # The integrator's path: a FormReading that collect's matching takes as it is.
        form_reading = reading.form_reading()
        assert (form_reading.pair_id, form_reading.form) == (
            identity.pair_id.value,
            identity.form.value,
        )
        spec = SPECS[form_reading.form]
        matched = match_fields(form_reading.fields, spec, None)
        assert matched.values == expected and matched.unproven == []
        rows.setdefault((spec.form, "25.2 fields"), Counter()).update(measure(reading, expected))
    print("\n" + table(rows))


def test_fields_export_of_an_unfilled_form_shows_prompts(filled, soffice_25, tmp_path):
    # A blank form's fields hold their prompts as values (LibreOffice even lists a drop-down's
    # prompt as its first option): collect's matching blanks them with the reference copy's
    # placeholders, as it does for a form re-saved by LibreOffice.
    blank = filled["packets"] / "P05" / "P05_goal-sheet.docx"
    [path] = convert([blank], WITH_FIELDS, tmp_path, soffice=soffice_25)
    reading = reader_for(filled)(path)
    by_id = {f.id: f for f in reading.fields}
    reference = Reference.from_bytes(blank.read_bytes())
    for field_id in ("goal_1_priority", "goal_4_measure"):
        assert by_id[field_id].value == reference.placeholders[field_id]
    assert "Choose one" in PdfReader(path).get_fields()["_3"]["/Opt"]
    values = match_fields(reading.fields, SPECS["goal-sheet"], reference).values
    assert values["goal_4_measure"] == values["goal_1_priority"] == ""
    assert values["mentor_agree"] is False


def test_a_fields_pdf_filled_in_a_viewer_gives_the_new_values(filled, soffice_25, tmp_path):
    # Someone opens the fillable PDF, types into it and saves: pypdf's writer stands in for
    # the viewer, which stores each value in the field's /V as a viewer does.
    blank = filled["packets"] / "P05" / "P05_goal-sheet.docx"
    [path] = convert([blank], WITH_FIELDS, tmp_path, soffice=soffice_25)
    reader = PdfReader(path)
    names = {str(f["/TU"]): name for name, f in reader.get_fields().items()}
    typed = {
        "goal_1_goal": "Plan lessons\ntogether",
        "goal_1_priority": "High",
        "mentor_sign_date": "3 September 2026",
    }
    writer = PdfWriter(clone_from=reader)
    values = {names[k]: v for k, v in typed.items()} | {names["mentor_agree"]: "/\u2612"}
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    filled_in = tmp_path / "filled in a viewer.pdf"
    with filled_in.open("wb") as fh:
        writer.write(fh)
    reading = reader_for(filled)(filled_in)
    by_id = {f.id: f for f in reading.fields}
    assert {k: by_id[k].value for k in typed} == typed
    assert by_id["mentor_agree"].value is True and by_id["mentee_agree"].value is False
    assert by_id["goal_1_target_date"].kind == "date"


# ---- exported without form fields ------------------------------------------------------------


def check_plain(filled: dict, paths: list[Path], kind: str) -> dict[tuple[str, str], Counter]:
    """Read plain exports: identified, answers only as review items, no likely one wrong."""
    read = reader_for(filled)
    rows: dict[tuple[str, str], Counter] = {}
    for path in paths:
        assert "/AcroForm" not in PdfReader(path).trailer["/Root"]
        reading = read(path)
        identity = reading.identity
        assert not reading.with_fields and reading.fields == [] and reading.labels_used
        assert identity.pair_id.value in PAIRS and identity.form.value in SPECS
        assert f" {identity.pair_id.value}_{identity.form.value} " in path.name
        assert identity.program.value == filled["roster"].program.name
        expected = expected_values(filled, reading)
        counts = measure(reading, expected)
        rows.setdefault((identity.form.value, kind), Counter()).update(counts)
        wrong_likely = [
            (item.field_id, item.value, expected.get(item.field_id))
            for item in reading.review
            if item.sure == LIKELY
            and not item.shared_with
            and judge(item.value, expected.get(item.field_id)) == "wrong"
        ]
        assert wrong_likely == [], path.name
        assert all(item.sure in (LIKELY, UNSURE) for item in reading.review)
        assert all(item.source == "text" and item.page >= 1 for item in reading.review)
        placed = {i.field_id for i in reading.review} | {
            s for i in reading.review for s in i.shared_with
        }
        assert placed | set(reading.unlocated) == set(expected), path.name
        # Most answers are found, and right but for line wrapping.
        found = counts["review right"] + counts["review wrapped"]
        assert found >= 0.6 * len(expected), (path.name, counts)
    return rows


def test_plain_export_by_25_is_identified_and_offers_answers_for_review(filled, soffice_25):
    rows = check_plain(filled, exported(filled, "plain-25", soffice_25, "pdf"), "25.2 plain")
    print("\n" + table(rows))


@pytest.mark.soffice
def test_plain_export_by_the_system_libreoffice(filled, soffice):
    rows = check_plain(filled, exported(filled, "plain-system", soffice, "pdf"), "system plain")
    print("\n" + table(rows))


@pytest.mark.soffice
def test_printed_without_document_information_is_identified_from_its_text(
    filled, soffice, tmp_path
):
    # A print driver keeps the page but not the .docx title, subject and keywords: here the
    # pages are copied into a new PDF without document information.
    source = next(
        p for p in exported(filled, "plain-system", soffice, "pdf") if "P02_goal" in p.name
    )
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    printed = tmp_path / "scan.pdf"
    with printed.open("wb") as fh:
        writer.write(fh)
    reopened = PdfReader(printed)
    assert "/Keywords" not in (reopened.metadata or {})
    reading = reader_for(filled)(printed)
    identity = reading.identity
    assert identity.pair_id == ("P02", TEXT) and identity.form == ("goal-sheet", TEXT)
    assert identity.program == (filled["roster"].program.name, TEXT)
    assert identity.template_version is None
    assert reading.review and not reading.fields


@pytest.mark.soffice
def test_labels_alone_never_make_a_free_text_answer_likely(filled, soffice):
    # With only each field's own label (not all the text between fields), a heading or note
    # printed after an answer cannot be told from it: free text is UNSURE, always.
    read = reader_for(filled, complete=False)
    for path in exported(filled, "plain-system", soffice, "pdf"):
        reading = read(path)
        spec = SPECS[reading.identity.form.value]
        expected = expected_values(filled, reading)
        for item in reading.review:
            if spec.field(item.field_id).kind == "text" or item.shared_with:
                assert item.sure == UNSURE, item
            elif item.sure == LIKELY:
                assert judge(item.value, expected[item.field_id]) == "right", item


@pytest.mark.soffice
def test_without_labels_a_plain_pdf_is_identified_but_nothing_is_guessed(filled, soffice):
    path = exported(filled, "plain-system", soffice, "pdf")[0]
    reading = read_pdf(path.read_bytes(), path.name, SPECS)
    assert reading.identity.form is not None and reading.identity.pair_id is not None
    assert reading.review == [] and reading.unlocated == [] and not reading.labels_used


# ---- small PDFs written byte by byte ----------------------------------------------------------


def raw_pdf(*objects: str, info: str = "") -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog) with a correct cross-reference table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    extra = f" /Info {info}" if info else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{extra} >>\n".encode()
    return out + f"startxref\n{start}\n%%EOF\n".encode()


def page_with(lines: list[str], fields: str = "") -> list[str]:
    """Objects 1 to 5 of a one-page PDF showing ``lines`` in Helvetica; ``fields`` fills the
    AcroForm's /Fields array (the callers add those objects from number 6 on)."""
    content = "BT /F1 11 Tf 14 TL 72 760 Td " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
        for line in lines
    ) + " ET"  # fmt: skip
    objects = [
        "<< /Type /Catalog /Pages 2 0 R"
        + (f" /AcroForm << /Fields [{fields}] >>" if fields else "")
        + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return objects


def test_form_fields_of_every_kind_are_read_by_tu():
    objects = page_with(
        ["Goal sheet"], fields="6 0 R 7 0 R 8 0 R 9 0 R 10 0 R 11 0 R 12 0 R 13 0 R 14 0 R"
    )
    objects += [
        # text, with LibreOffice's date format action
        "<< /FT /Tx /T (Widget) /TU (goal_1_target_date) /V (9 October 2026)"
        ' /AA << /F << /S /JavaScript /JS (AFDate_FormatEx\\("d mmmm yyyy"\\);) >> >> >>',
        "<< /FT /Btn /T (_2) /TU (mentor_agree) /V /Yes >>",
        "<< /FT /Btn /T (_3) /TU (mentee_agree) /V /Off >>",
        # an unticked box as LibreOffice names its states, ticked by a viewer: ambiguous
        "<< /FT /Btn /T (_4) /TU (ack_seek_help) /V /#E2#98#90 >>",
        # a choice with export values, a drop-down still showing its prompt
        "<< /FT /Ch /Ff 131072 /T (_5) /TU (goal_1_horizon) /V (a) /Opt [[(a) (Long-term)] [(b) (Short-term)]] >>",
        "<< /FT /Ch /Ff 131072 /T (_6) /TU (goal_1_priority) /V (Choose one) /Opt [(High) (Low)] >>",
        "<< /FT /Tx /T (_7) /V (no tooltip: not guessed) >>",
        "<< /FT /Tx /T (_8) /TU (Goal 2 - not an id) /V (not guessed either) >>",
        "<< /FT /Btn /Ff 65536 /T (_9) /TU (a_push_button) >>",
    ]
    reading = read_pdf(raw_pdf(*objects), "form.pdf", SPECS)
    by_id = {f.id: f for f in reading.fields}
    assert by_id["goal_1_target_date"] == Field(
        "goal_1_target_date", "date", "9 October 2026", alias="goal_1_target_date", source="alias"
    )
    assert by_id["mentor_agree"].value is True and by_id["mentee_agree"].value is False
    assert by_id["goal_1_horizon"].value == "Long-term"
    assert by_id["goal_1_priority"].placeholder and by_id["goal_1_priority"].value == ""
    assert set(by_id) == {
        "goal_1_target_date", "mentor_agree", "mentee_agree", "goal_1_horizon", "goal_1_priority",
    }  # fmt: skip
    assert reading.unnamed_fields == 2 and reading.with_fields
    doubt, *unnamed = reading.review
    assert (doubt.field_id, doubt.source, doubt.sure) == ("ack_seek_help", "field", UNSURE)
    # fields naming no question are not guessed at: what they hold is for review
    assert [(u.field_id, u.label, u.text, u.source) for u in unnamed] == [
        ("", "_7", "no tooltip: not guessed", "field"),
        ("", "_8", "not guessed either", "field"),
    ]


def test_identity_from_custom_properties_beats_the_rest():
    objects = page_with(["Goal sheet", "Pair P02 - Someone and Someone"])
    objects.append(
        "<< /mentordocs.program (Prog) /mentordocs.pair_id (P02) /mentordocs.form (goal-sheet)"
        " /mentordocs.template_version (1.0+abc) /Keywords (mentordocs, goal-sheet, 1.0) >>"
    )
    reading = read_pdf(raw_pdf(*objects, info="6 0 R"), "x.pdf", SPECS, pair_ids=["P02"])
    identity = reading.identity
    assert identity.pair_id == ("P02", PROPERTIES) and identity.form == ("goal-sheet", PROPERTIES)
    assert identity.template_version == ("1.0+abc", PROPERTIES) and identity.conflicts == ()
    assert reading.form_reading().properties["mentordocs.pair_id"] == "P02"


def test_clues_that_disagree_prove_nothing():
    objects = page_with(["Terms of engagement", "Pair P03"])
    objects.append("<< /Keywords (mentordocs, goal-sheet, 1.0) /Title (Goal sheet - Pair P03) >>")
    reading = read_pdf(raw_pdf(*objects, info="6 0 R"), "x.pdf", SPECS, pair_ids=["P03"])
    assert reading.identity.form is None
    assert reading.identity.pair_id == ("P03", DOCUMENT_INFORMATION)
    assert any("form" in conflict for conflict in reading.identity.conflicts)


def test_text_identity_needs_one_title_and_one_pair():
    lines = ["Goal sheet", "Pair P1 and Pair P10 met", "keep the goal sheet up to date"]
    reading = read_pdf(raw_pdf(*page_with(lines)), "x.pdf", SPECS, pair_ids=["P1", "P10"])
    assert reading.identity.form == ("goal-sheet", TEXT)  # a title is a line of its own
    assert reading.identity.pair_id is None  # two pairs named: neither is proven
    unknown = read_pdf(raw_pdf(*page_with(["Pair of shoes"])), "x.pdf", SPECS)
    assert unknown.identity.pair_id is None and unknown.identity.form is None


def test_answers_between_labels_from_a_page_of_text():
    lines = ["Goal sheet", "Pair P01", "The goal Read more ", "books", "every week",
             "Short- or long-term? Long-term", "Agreement X"]  # fmt: skip
    labels = FormLabels(
        [
            ShownLabel("goal_1_goal", "Goal sheet\nPair P01\nThe goal"),
            ShownLabel("goal_1_horizon", "Short- or long-term?"),
            ShownLabel("mentor_agree", "Agreement"),
            ShownLabel("", ""),
        ],
        complete=True,
    )
    reading = read_pdf(
        raw_pdf(*page_with(lines)), "x.pdf", SPECS, pair_ids=["P01"], labels=lambda p, f: labels
    )
    items = {item.field_id: item for item in reading.review}
    # wrapped at a space: joined; a break that may have been typed: kept
    assert items["goal_1_goal"].value == "Read more books\nevery week"
    assert items["goal_1_goal"].text == "Read more \nbooks\nevery week"
    assert items["goal_1_horizon"].value == "Long-term" and items["goal_1_horizon"].sure == LIKELY
    assert items["goal_1_goal"].sure == LIKELY and items["goal_1_goal"].page == 1
    assert "mentor_agree" in reading.unlocated  # no box printed: nothing is invented


def test_labels_from_fields_uses_before_and_placeholders():
    fields = [
        Field("goal_1_goal", "text", "Describe the goal", placeholder=True, before="The goal"),
        Field("goal_1_horizon", "dropdown", "Long-term", before="Short- or long-term?"),
        Field("", "text", "x"),
    ]
    labels = labels_from_fields(fields)
    assert labels == FormLabels(
        [
            ShownLabel("goal_1_goal", "The goal", "Describe the goal"),
            ShownLabel("goal_1_horizon", "Short- or long-term?"),
        ]
    )


# ---- files that cannot be read ------------------------------------------------------------------


def blank_pdf(pages: int = 1, **encrypt) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_password_protected_pdf_says_so():
    data = blank_pdf(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with pytest.raises(PdfError) as caught:
        read_pdf(data, "x.pdf", SPECS)
    assert caught.value.reason == "encrypted"
    assert "password" in caught.value.message and "without a password" in caught.value.fix


def test_a_pdf_protected_only_against_changes_is_read():
    data = blank_pdf(user_password="", owner_password="owner", algorithm="AES-128")
    assert PdfReader(io.BytesIO(data)).is_encrypted
    assert read_pdf(data, "x.pdf", SPECS).pages == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 a zip file", b"%PDF-1.7\n" + b"\x00" * 200, b"%PDF-1.7\n1 0 obj\n<< /Type"],
)
def test_damaged_or_foreign_files_are_clear_errors(data):
    with pytest.raises(PdfError) as caught:
        read_pdf(data, "x.pdf", SPECS)
    assert caught.value.reason == "damaged"
    assert "export the form as PDF again" in caught.value.fix


def test_a_truncated_export_is_an_error_or_still_identified(filled, soffice_25):
    # pypdf rebuilds what it can of a cut-off file: either it says it is damaged, or what it
    # reads still identifies the form (never a wrong identity).
    path = exported(filled, "fields-25", soffice_25, WITH_FIELDS)[0]
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 200):
        try:
            reading = read_pdf(data[:cut], path.name, SPECS)
        except PdfError as exc:
            assert exc.reason == "damaged"
            continue
        assert reading.identity.form is None or f"_{reading.identity.form.value} " in path.name


def test_work_is_bounded():
    with pytest.raises(PdfError) as caught:
        read_pdf(blank_pdf(), "x.pdf", SPECS, limits=PdfLimits(max_bytes=100))
    assert caught.value.reason == "too large"
    with pytest.raises(PdfError) as caught:
        read_pdf(blank_pdf(pages=5), "x.pdf", SPECS, limits=PdfLimits(max_pages=4))
    assert caught.value.reason == "too many pages"
    text = raw_pdf(*page_with(["word " * 50] * 20))
    with pytest.raises(PdfError) as caught:
        read_pdf(text, "x.pdf", SPECS, limits=PdfLimits(max_text_chars=1000))
    assert caught.value.reason == "too complex"


def test_hostile_field_trees_end():
    # A field that is its own kid, and a chain nested deeper than any form.
    cyclic = page_with([], fields="6 0 R") + ["<< /T (a) /Kids [6 0 R 7 0 R] >>",
                                                "<< /T (b) /FT /Tx /TU (goal_1_goal) /V (x) >>"]  # fmt: skip
    reading = read_pdf(raw_pdf(*cyclic), "x.pdf", SPECS)
    assert [f.id for f in reading.fields] == ["goal_1_goal"]
    depth = 40
    chain = [f"<< /T (n{i}) /Kids [{7 + i} 0 R] >>" for i in range(depth)]
    chain.append("<< /T (leaf) /FT /Tx /TU (goal_1_goal) /V (x) >>")
    with pytest.raises(PdfError) as caught:
        read_pdf(raw_pdf(*page_with([], fields="6 0 R"), *chain), "x.pdf", SPECS)
    assert caught.value.reason == "too complex"
    many = page_with([], fields=" ".join(f"{6 + i} 0 R" for i in range(30)))
    many += [f"<< /T (f{i}) /FT /Tx /TU (goal_1_goal) /V (x) >>" for i in range(30)]
    with pytest.raises(PdfError) as caught:
        read_pdf(raw_pdf(*many), "x.pdf", SPECS, limits=PdfLimits(max_fields=20))
    assert caught.value.reason == "too complex"


# ---- through collect -----------------------------------------------------------------------------


def test_collect_reads_pdf_returns_by_field_and_printed_ones_for_review(
    filled, soffice_25, tmp_path
):
    from mentordocs.collect import collect_forms
    from mentordocs.tracking import read_tracking

    with_fields = exported(filled, "fields-25", soffice_25, WITH_FIELDS)
    plain = exported(filled, "plain-25", soffice_25, "pdf")
    folder = tmp_path / "in"
    folder.mkdir()
    pick = [p for p in with_fields if "P01_" in p.name] + [p for p in plain if "P02_" in p.name]
    for path in pick:
        (folder / path.name).write_bytes(path.read_bytes())
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([folder], tracking, filled["roster"], packets_dir=filled["packets"],
                           include_confidential=True)  # fmt: skip
    assert result.unreadable == 0 and result.new == len(pick)
    data = read_tracking(tracking)
    by_key = {(r.pair_id, r.form): r for r in data.returns}
    for (pair, form), ret in by_key.items():
        if pair == "P01":
            assert ret.came_in == "pdf"
            for field_id, value in filled["expected"][(pair, form)].items():
                if SPECS[form].match(field_id) is not None and value not in ("", False):
                    assert ret.values.get(field_id) == value, (form, field_id)
        else:
            assert ret.came_in == "pdf (printed)"
            assert not any(v not in ("", False) for v in ret.values.values())  # never placed
    assert all(item.pair_id == "P02" and "printed form" in item.why for item in data.review)
    warned = {p.file for p in result.problems if "PDF without form fields" in p.message}
    assert warned == {str(folder / p.name) for p in pick if "P02_" in p.name}


def test_a_pdf_form_whose_fields_lost_their_names_puts_its_answers_up_for_review(
    filled, soffice, soffice_25, tmp_path
):
    # Filled in and saved by LibreOffice 7.4, which drops the boxes' names, then exported as a
    # PDF form by 25.2: its fields have no name saying which question each answers. It was
    # called "a PDF without form fields", and what its fields hold was read nowhere.
    from test_roundtrip import fill_docx

    from mentordocs.collect import collect_forms
    from mentordocs.tracking import read_tracking

    sent = filled["packets"] / "P01" / "P01_confidentiality-agreement.docx"
    source = tmp_path / "P01_confidentiality-agreement.docx"  # half filled in
    source.write_bytes(
        fill_docx(sent.read_bytes(), {"mentor_sign_name": "Ana Typed", "mentor_agree": True})
    )
    [resaved] = convert([source], "docx", tmp_path / "saved-by-7.4", soffice=soffice)
    [pdf] = convert([resaved], WITH_FIELDS, tmp_path / "in", soffice=soffice_25)
    reading = read_pdf(pdf.read_bytes(), pdf.name, SPECS)
    assert reading.with_fields and not reading.fields and reading.unnamed_fields
    tracking = tmp_path / "t.xlsx"
    result = collect_forms([pdf], tracking, filled["roster"], packets_dir=filled["packets"],
                           include_confidential=True)  # fmt: skip
    data = read_tracking(tracking)
    [ret] = data.returns
    assert ret.came_in == "pdf (fields without names)"
    assert not any(v not in ("", False) for v in ret.values.values())  # never placed
    shown = {str(item.text) for item in data.review if "a field of the PDF" in item.why}
    assert shown == {"Ana Typed", "ticked"}  # a field still showing its prompt is blank
    [warning] = [p for p in result.problems if "PDF" in p.message]
    assert warning.message.startswith("is a PDF form whose fields have no names")


def test_a_pdf_form_whose_fields_partly_lost_their_names_says_so(
    filled, soffice, soffice_25, tmp_path
):
    # The same path for the terms of engagement: the boxes the roster filled in keep their
    # names (LibreOffice 7.4 makes input fields of them), the others lose them. The answers in
    # the nameless fields are for review, said on the Problems sheet ("0 needing attention"
    # was false), and the values the form was sent with are not offered as answers.
    from test_roundtrip import fill_docx

    from mentordocs.collect import collect_forms
    from mentordocs.collect.matching import Reference
    from mentordocs.tracking import read_tracking

    sent = filled["packets"] / "P01" / "P01_terms-of-engagement.docx"
    source = tmp_path / "P01_terms-of-engagement.docx"
    source.write_bytes(fill_docx(sent.read_bytes(), {"purpose": "OUR PURPOSE typed"}))
    [resaved] = convert([source], "docx", tmp_path / "saved-by-7.4", soffice=soffice)
    [pdf] = convert([resaved], WITH_FIELDS, tmp_path / "in", soffice=soffice_25)
    reading = read_pdf(pdf.read_bytes(), pdf.name, SPECS)
    assert reading.fields and reading.unnamed_fields  # partly named
    result = collect_forms([pdf], tmp_path / "t.xlsx", filled["roster"],
                           packets_dir=filled["packets"], include_confidential=True)  # fmt: skip
    [warning] = [p for p in result.problems if "no names" in p.message]
    assert warning.message.startswith("is a PDF form with ")
    review = {str(item.text) for item in read_tracking(tmp_path / "t.xlsx").review}
    assert any("OUR PURPOSE typed" in text for text in review)
    as_sent = {str(v) for v in Reference.from_bytes(sent.read_bytes()).sent.values()}
    assert as_sent and not as_sent & review
