"""CompiledTemplate: docxtpl templates compiled once, rendered to real .docx files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mentordocs.errors import TemplateError
from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.render import CompiledTemplate

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def control(field_id: str, text: str) -> str:
    """A plain-text content control (w:sdt) holding ``text``, tagged and aliased."""
    return (
        f'<w:sdt xmlns:w="{W}"><w:sdtPr><w:alias w:val="{field_id}"/><w:tag w:val="{field_id}"/>'
        f"<w:text/></w:sdtPr><w:sdtContent><w:r><w:t>{text}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def docxtpl_render(path: Path, context: dict) -> bytes:
    """What docxtpl itself makes of a template (the reference the fast path must match)."""
    naive = DocxTemplate(path)
    naive.render(context, autoescape=True)
    buffer = io.BytesIO()
    naive.save(buffer)
    return buffer.getvalue()


def make_template(path: Path, *, extra_paragraphs: tuple[str, ...] = ()) -> Path:
    """A small docxtpl template made with python-docx: paragraphs, a {%tr for %} table row,
    content controls with Jinja tags (also in an attribute), a footer and a header."""
    document = docx.Document()
    document.add_heading("{{ program.name }}", 1)
    document.add_paragraph("Mentor: {{ mentor.name }}")
    paragraph = document.add_paragraph("Mentor email: ")
    paragraph._p.append(etree.fromstring(control("mentor_email", "{{ mentor.email }}")))
    paragraph = document.add_paragraph("Mentee: ")
    paragraph._p.append(etree.fromstring(control("mentee_name", "{{ mentee.name }}")))
    table = document.add_table(rows=4, cols=2)
    table.rows[0].cells[0].text = "Goal"
    table.rows[0].cells[1].text = "Measure"
    table.rows[1].cells[0].text = "{%tr for g in goal_slots %}"
    cell = table.rows[2].cells[0]
    cell.paragraphs[0]._p.append(
        etree.fromstring(control("goal_{{ g.slot }}_goal", "{{ g.goal }}"))
    )
    table.rows[2].cells[1].text = "{{ g.measure }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    for text in extra_paragraphs:
        document.add_paragraph(text)
    for number in range(30):
        document.add_paragraph(f"Static paragraph {number}: what the program asks of a pair.")
    document.sections[0].footer.paragraphs[0].text = "Pair {{ pair.id }}"
    document.sections[0].header.paragraphs[0].text = "{{ program.organization }}"
    document.save(path)
    return path


def sample_context(pair_number: int = 0) -> dict:
    roster = sample_roster()
    return build_context(roster, roster.pairs[pair_number])


def fields_by_tag(data: bytes) -> dict[str, str]:
    """Every content control in the body: tag -> its text (w:t joined, w:br as newline)."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    found = {}
    for sdt in root.iter(f"{{{W}}}sdt"):
        tag = sdt.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val")
        alias = sdt.find("w:sdtPr/w:alias", NS).get(f"{{{W}}}val")
        assert tag == alias
        parts = []
        for el in sdt.find("w:sdtContent", NS).iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab"):
            if el.tag == f"{{{W}}}t":
                parts.append(el.text or "")
            else:
                parts.append("\n" if el.tag.endswith("br") else "\t")
        found[tag] = "".join(parts)
    return found


def custom_properties(data: bytes) -> dict[str, str]:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("docProps/custom.xml"))
    return {
        prop.get("name"): prop.find("vt:lpwstr", NS).text or ""
        for prop in root.findall("cp:property", NS)
    }


@pytest.fixture
def template_path(tmp_path: Path) -> Path:
    return make_template(tmp_path / "form.docx")


def test_render_fills_paragraphs_tables_controls_header_and_footer(template_path: Path) -> None:
    template = CompiledTemplate.load(template_path, version="1.0")
    context = sample_context()
    data = template.render(context, {"mentordocs.pair_id": "P001"})

    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == context["program"]["name"]
    assert "Mentor: Mentor 1" in texts
    # python-docx skips content controls in cell.text: take every w:t of the cell
    rows = [
        ["".join(c._tc.xpath(".//w:t/text()")) for c in row.cells]
        for row in document.tables[0].rows
    ]
    assert rows[0] == ["Goal", "Measure"]
    goals = [slot["goal"] for slot in context["goal_slots"]]
    assert [row[0] for row in rows[1:]] == goals
    assert rows[1][1] == context["goal_slots"][0]["measure"]
    assert document.sections[0].footer.paragraphs[0].text == "Pair P001"
    assert document.sections[0].header.paragraphs[0].text == context["program"]["organization"]
    fields = fields_by_tag(data)
    assert fields["mentor_email"] == "mentor1@example.org"
    assert fields["goal_1_goal"] == goals[0]
    assert fields["goal_3_goal"] == ""
    slots = len(context["goal_slots"])  # roster goals first, then empty slots up to five
    assert slots == 5
    assert set(fields) == {"mentor_email", "mentee_name"} | {
        f"goal_{n}_goal" for n in range(1, slots + 1)
    }


def test_same_text_as_docxtpl(template_path: Path) -> None:
    """The fast path produces the document docxtpl itself would."""
    context = sample_context()
    theirs_data = docxtpl_render(template_path, context)
    ours = CompiledTemplate.load(template_path).render(context)

    def text(data: bytes) -> list[str]:
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
        return ["".join(p.itertext()) for p in root.iter(f"{{{W}}}p")]

    assert text(ours) == text(theirs_data)


def test_version_variables_and_parts(template_path: Path) -> None:
    template = CompiledTemplate.load(template_path, version="2.1", name="goal-sheet.docx")
    assert template.name == "goal-sheet.docx"
    assert template.version.startswith("2.1+") and len(template.version) == len("2.1+") + 8
    # page: the program's Paper size, which a page on A4 or Letter is printed on
    assert template.variables() == {"program", "mentor", "mentee", "goal_slots", "pair", "page"}
    assert "word/document.xml" in template.parts
    assert any(part.startswith("word/footer") for part in template.parts)
    assert CompiledTemplate.load(template_path).version == template.version[4:]


def _page(data: bytes) -> tuple[str | None, str | None]:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    size = root.find(f"{{{W}}}body/{{{W}}}sectPr/{{{W}}}pgSz")
    return size.get(f"{{{W}}}w"), size.get(f"{{{W}}}h")


@pytest.mark.parametrize(
    ("template_size", "paper", "expected"),
    [
        ((12240, 15840), "A4", ("11906", "16838")),  # python-docx's Letter, printed on A4
        ((11906, 16838), "Letter", ("12240", "15840")),
        ((16838, 11906), "Letter", ("15840", "12240")),  # landscape stays landscape
        ((12240, 20160), "A4", ("12240", "20160")),  # US Legal: not the program's to change
    ],
)
def test_a_page_on_a4_or_letter_takes_the_programs_paper_size(
    tmp_path: Path, template_size: tuple[int, int], paper: str, expected: tuple[str, str]
) -> None:
    path = make_template(tmp_path / "form.docx")
    document = docx.Document(path)
    document.sections[0].page_width, document.sections[0].page_height = (
        docx.shared.Twips(template_size[0]),
        docx.shared.Twips(template_size[1]),
    )
    document.save(path)
    template = CompiledTemplate.load(path)
    roster = sample_roster()
    roster.program.paper_size = paper
    context = build_context(roster, roster.pairs[0])
    assert _page(template.render(context)) == expected
    # Without a page in the context (a context of one's own), the template keeps its size.
    del context["page"]
    assert _page(template.render(context)) == tuple(str(v) for v in template_size)
    # The template file itself is left as it was: Word and LibreOffice open it.
    assert _page(path.read_bytes()) == tuple(str(v) for v in template_size)


def test_output_is_byte_identical_for_same_input(template_path: Path) -> None:
    template = CompiledTemplate.load(template_path)
    context = sample_context()
    first = template.render(context, {"a": "b"})
    assert template.render(context, {"a": "b"}) == first
    assert CompiledTemplate.load(template_path).render(context, {"a": "b"}) == first
    assert template.render(sample_context(1), {"a": "b"}) != first


def test_validated_and_streamed_renders_agree(template_path: Path) -> None:
    template = CompiledTemplate.load(template_path)
    context = sample_context()
    fast = zipfile.ZipFile(io.BytesIO(template.render(context)))
    checked = zipfile.ZipFile(io.BytesIO(template.render(context, validate=True)))
    assert fast.testzip() is None
    for name in fast.namelist():
        assert fast.read(name) == checked.read(name), name


def test_custom_properties_added_with_content_type_and_relationship(
    template_path: Path,
) -> None:
    props = {
        "mentordocs.program": "Prog & <Co>",
        "mentordocs.pair_id": "P001",
        "mentordocs.form": "goal-sheet",
        "mentordocs.template_version": "1.0+abcd1234",
    }
    data = CompiledTemplate.load(template_path).render(sample_context(), props)
    assert custom_properties(data) == props
    package = zipfile.ZipFile(io.BytesIO(data))
    types = package.read("[Content_Types].xml").decode()
    assert 'PartName="/docProps/custom.xml"' in types
    rels = package.read("_rels/.rels").decode()
    assert 'Target="docProps/custom.xml"' in rels
    assert package.namelist()[0] == "[Content_Types].xml"
    assert len(package.namelist()) == len(set(package.namelist()))
    docx.Document(io.BytesIO(data))  # python-docx opens it


def test_existing_custom_properties_kept_and_ours_replaced(tmp_path: Path) -> None:
    first = CompiledTemplate.load(make_template(tmp_path / "a.docx"))
    with_props = tmp_path / "b.docx"
    with_props.write_bytes(
        first.render(sample_context(), {"department": "Science", "mentordocs.form": "old"})
    )
    template = CompiledTemplate.load(with_props)
    data = template.render(sample_context(), {"mentordocs.form": "goal-sheet"})
    assert custom_properties(data) == {"department": "Science", "mentordocs.form": "goal-sheet"}
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    assert types.count("/docProps/custom.xml") == 1


VALUE_ALPHABET = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from(["&", "<", ">", '"', "'", "{{ x }}", "{% if %}", "😀", "مرحبا", "שלום", "\n"])
HOSTILE = st.lists(VALUE_ALPHABET, min_size=1, max_size=12).map("".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE, email=HOSTILE, goal=HOSTILE)
def test_hostile_values_come_out_verbatim(
    template_path: Path, name: str, email: str, goal: str
) -> None:
    template = CompiledTemplate.load(template_path)
    context = sample_context()
    context["mentee"]["name"] = name
    context["mentor"]["email"] = email
    context["goal_slots"][0]["goal"] = goal
    data = template.render(context, {"mentordocs.pair_id": name})
    fields = fields_by_tag(data)
    assert fields["mentee_name"] == name
    assert fields["mentor_email"] == email
    assert fields["goal_1_goal"] == goal
    assert custom_properties(data)["mentordocs.pair_id"] == name.replace("\n", "\n")


def test_line_breaks_tabs_and_spaces(template_path: Path) -> None:
    context = sample_context()
    context["mentee"]["name"] = "  first line\r\nsecond\tcolumn\x0bthird  "
    data = CompiledTemplate.load(template_path).render(context)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    sdt = next(
        s
        for s in root.iter(f"{{{W}}}sdt")
        if s.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val") == "mentee_name"
    )
    content = sdt.find("w:sdtContent", NS)
    assert len(content.findall(".//w:br", NS)) == 2
    assert len(content.findall(".//w:tab", NS)) == 1
    texts = content.findall(".//w:t", NS)
    assert [t.text for t in texts] == ["  first line", "second", "column", "third  "]
    assert all(t.get(XML_SPACE) == "preserve" for t in texts)
    assert fields_by_tag(data)["mentee_name"] == "  first line\nsecond\tcolumn\nthird  "


def test_control_characters_dropped_and_none_is_empty(template_path: Path) -> None:
    context = sample_context()
    context["mentee"]["name"] = "a\x00b\x07c\ud800d"
    context["mentor"]["email"] = None
    data = CompiledTemplate.load(template_path).render(context)
    fields = fields_by_tag(data)
    assert fields["mentee_name"] == "abcd"
    assert fields["mentor_email"] == ""


def test_values_are_never_evaluated(template_path: Path) -> None:
    context = sample_context()
    context["mentee"]["name"] = "{{ mentor.name }} {% for x in y %}{{ ''.__class__ }}"
    data = CompiledTemplate.load(template_path).render(context)
    assert fields_by_tag(data)["mentee_name"] == context["mentee"]["name"]


def test_remembered_values_keep_their_own_text(template_path: Path) -> None:
    """Escaped values are remembered between documents: a number and a boolean that are equal
    (1 == True) still print as themselves, in run text and in an attribute alike."""
    template = CompiledTemplate.load(template_path)
    names, tags = [], []
    for value in (1, True, "1", 1.0, None, "a & b", 0, False):
        context = sample_context()
        context["mentee"]["name"] = value
        context["goal_slots"][0]["slot"] = value  # inside the control's w:tag attribute
        fields = fields_by_tag(template.render(context))
        names.append(fields["mentee_name"])
        tags.append(next(tag for tag in fields if tag.startswith("goal_")))
    assert names == ["1", "True", "1", "1.0", "", "a & b", "0", "False"]
    assert tags == [f"goal_{name}_goal" for name in names]


def test_values_are_escaped_and_line_breaks_kept() -> None:
    from mentordocs.generate.render import plain_value, text_value

    assert text_value("v1<") == "v1&lt;" and plain_value(7) == "7"
    assert text_value(None) == "" and text_value("a\x00b") == "ab"
    assert text_value("line\nbreak") == ('line</w:t><w:br/><w:t xml:space="preserve">break')
    assert plain_value("line\nbreak") == "line&#10;break"


def test_undefined_variable_names_template_and_tag(template_path: Path) -> None:
    template = CompiledTemplate.load(template_path)
    context = sample_context()
    del context["mentee"]
    with pytest.raises(TemplateError) as error:
        template.render(context)
    message = str(error.value)
    assert "form.docx" in message
    assert "{{ mentee.name }}" in message
    assert "'mentee' is undefined" in message


def test_undefined_attribute_names_the_tag(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", extra_paragraphs=("Nick: {{ mentor.nickname }}",))
    with pytest.raises(TemplateError, match=r"\{\{ mentor\.nickname \}\}"):
        CompiledTemplate.load(path).render(sample_context())


def test_syntax_error_names_template_and_tag(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "broken.docx", extra_paragraphs=("Goals: {% for g in goals %}",)
    )
    with pytest.raises(TemplateError) as error:
        CompiledTemplate.load(path)
    message = str(error.value)
    assert "broken.docx" in message
    assert "word/document.xml" in message
    assert "endfor" in message


def test_syntax_error_in_a_tag_is_pointed_at(tmp_path: Path) -> None:
    path = make_template(tmp_path / "broken.docx", extra_paragraphs=("Name: {{ mentor.name ) }}",))
    with pytest.raises(TemplateError) as error:
        CompiledTemplate.load(path)
    assert "{{ mentor.name ) }}" in str(error.value)
    assert "Name:" in str(error.value)


def test_sandbox_blocks_unsafe_attributes(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "evil.docx", extra_paragraphs=("{{ mentor.name.__class__.__mro__ }}",)
    )
    with pytest.raises(TemplateError):
        CompiledTemplate.load(path).render(sample_context())


def test_escaped_braces_stay_literal(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", extra_paragraphs=("Write {_{ like this }_}",))
    document = docx.Document(io.BytesIO(CompiledTemplate.load(path).render(sample_context())))
    assert "Write {{ like this }}" in [p.text for p in document.paragraphs]


def test_paragraph_level_if(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx",
        extra_paragraphs=("{%p if plan.coaching %}", "Coaching schedule", "{%p endif %}"),
    )
    template = CompiledTemplate.load(path)
    shown = [
        p.text for p in docx.Document(io.BytesIO(template.render(sample_context(2)))).paragraphs
    ]
    hidden = [
        p.text for p in docx.Document(io.BytesIO(template.render(sample_context(0)))).paragraphs
    ]
    assert "Coaching schedule" in shown
    assert "Coaching schedule" not in hidden
    assert not any("{%" in text for text in shown + hidden)


def test_statement_tags_leave_no_empty_runs(tmp_path: Path) -> None:
    """docxtpl leaves an empty run on each side of a statement tag it lifts out of a run; the
    compiled template drops those (they show nothing) and keeps every run with text."""
    document = docx.Document()
    paragraph = document.add_paragraph("Lead: ")
    for text in ("{%r if mentor.name %}", "{{ mentor.name }}", "{%r else %}", "nobody"):
        paragraph.add_run(text)
    paragraph.add_run("{%r endif %}")
    paragraph.add_run(" (mentor)")
    document.add_paragraph("Before {% if mentee.name %}named{% endif %} after")
    path = tmp_path / "runs.docx"
    document.save(path)
    context = sample_context()

    theirs_data = docxtpl_render(path, context)
    ours = CompiledTemplate.load(path).render(context)

    def runs(data: bytes) -> list[list[str]]:
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
        return [
            ["".join(r.itertext()) for r in p.iter(f"{{{W}}}r")] for p in root.iter(f"{{{W}}}p")
        ]

    theirs = runs(theirs_data)
    assert "" in theirs[0]  # docxtpl's empty halves
    assert runs(ours) == [[text for text in p if text] for p in theirs]
    assert runs(ours)[0] == ["Lead: ", "Mentor 1", " (mentor)"]
    assert b'<w:t xml:space="preserve"></w:t>' not in zipfile.ZipFile(io.BytesIO(ours)).read(
        "word/document.xml"
    )


def test_not_a_docx(tmp_path: Path) -> None:
    text = tmp_path / "notes.docx"
    text.write_text("just text")
    with pytest.raises(TemplateError, match="not a Word .docx file"):
        CompiledTemplate.load(text)
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(TemplateError, match="old .doc file"):
        CompiledTemplate.load(old)
    with pytest.raises(TemplateError, match="does not exist"):
        CompiledTemplate.load(tmp_path / "missing.docx")
    workbook = tmp_path / "book.docx"
    with zipfile.ZipFile(workbook, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
    with pytest.raises(TemplateError, match="no Word document inside"):
        CompiledTemplate.load(workbook)


def test_real_documents_without_tags_render_unchanged_text(real_docx: Path) -> None:
    for path in sorted(real_docx.glob("*.docx")):
        template = CompiledTemplate.load(path)
        data = template.render({}, {"mentordocs.form": "x"})
        package = zipfile.ZipFile(io.BytesIO(data))
        assert package.testzip() is None
        assert custom_properties(data)["mentordocs.form"] == "x", path.name


def test_pickling_recompiles(template_path: Path) -> None:
    import pickle

    template = CompiledTemplate.load(template_path, version="1.0")
    copy = pickle.loads(pickle.dumps(template))
    assert copy.version == template.version
    assert copy.render(sample_context()) == template.render(sample_context())


def test_a_dotx_template_renders_as_a_document(tmp_path: Path) -> None:
    source = make_template(tmp_path / "form.docx")
    dotx = tmp_path / "form.dotx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(dotx, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            copy.writestr(info, data)
    data = CompiledTemplate.load(dotx).render(sample_context())
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert b"document.main+xml" in types and b"template.main+xml" not in types
    assert fields_by_tag(data)["mentee_name"] == "Mentee 1"


def test_macro_enabled_template_is_refused(tmp_path: Path) -> None:
    source = make_template(tmp_path / "form.docx")
    docm = tmp_path / "form.docm"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(docm, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            copy.writestr(info, data)
    with pytest.raises(TemplateError, match=r"macro-enabled.*Save As > Word Document"):
        CompiledTemplate.load(docm)


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("School: {{ pair.extra.school }}", {"pair:school"}),
        (
            "{{ pair.extra['school'] }} {{ pair['extra']['district'] }}",
            {"pair:school", "pair:district"},
        ),
        ("Site: {{ program.extra.website }}", {"program:website"}),
        ("{% for g in goal_slots %}{{ g.extra.effort }}{% endfor %}", {"*:effort"}),
        ("{{ goal_slots|map(attribute='extra.effort')|join(', ') }}", {"*:effort"}),
        ("{% for k, v in pair.extra.items() %}{{ k }}: {{ v }}{% endfor %}", None),
        ("{% set e = pair.extra %}{{ e.school }}", None),
        ("Nothing of your own: {{ mentor.name }}", set()),
    ],
)
def test_which_of_the_rosters_own_columns_a_template_shows(tmp_path, line, shown):
    """What ``send`` holds a pair back for: a column of the coordinator's own counts only
    for a template that shows it (by source: a Pairs column, a Program setting, any goal's);
    one that uses ``extra`` whole may show any (None)."""
    template = CompiledTemplate.load(make_template(tmp_path / "t.docx", extra_paragraphs=(line,)))
    keys = template.extra_keys()
    assert (None if keys is None else set(keys)) == shown
