"""Anchors: every content control of our forms sits inside a bookmark named after its field.

LibreOffice 7.4 drops tags and most aliases and turns plain-text controls into plain text or
FILLIN fields on the way through .odt; it keeps bookmarks. Here: the naming scheme, the
builders, the rendered templates, the reader on each shape LibreOffice makes (inline XML), and
real round trips through LibreOffice 7.4 (the system's, ``soffice``) and 25.2 (``soffice_25``)
in which every answer must come back with its identity proven by its tag, alias or anchor.
"""

from __future__ import annotations

import collections
import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_roundtrip import fill_docx, planned_values

from mentordocs.collect import read_form
from mentordocs.forms import FORM_IDS, load_form_specs
from mentordocs.generate.context import sample_contexts
from mentordocs.generate.office import convert
from mentordocs.generate.render import CompiledTemplate
from mentordocs.ooxml import controls, ns
from mentordocs.ooxml.fields import Field, read_fields, set_field_value
from mentordocs.ooxml.package import WordPackage
from mentordocs.ooxml.xml import parse_xml

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
W = f"{{{ns.W}}}"
NS = f'xmlns:w="{ns.W}" xmlns:w14="{ns.W14}"'
WORD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


# ---- the names --------------------------------------------------------------------------------


def test_our_ids_are_spelled_out_and_read_back_without_a_lookup():
    for spec in load_form_specs(TEMPLATES).values():
        for item in spec.fields:
            for n in (1, 99, 999):
                field_id = item.id.replace("{n}", str(n))
                name = ns.anchor_name(field_id)
                assert name == "_mdf_" + field_id and len(name) < ns.ANCHOR_MAX
                assert WORD_NAME.fullmatch(name), name
                assert ns.anchor_field_id(name) == field_id


@pytest.mark.parametrize(
    "field_id",
    ["a" * 35, "an_answer_whose_id_is_far_longer_than_word_allows", "Goal 1 (mentor's)", "ü_1"],
)
def test_other_ids_are_hashed_to_forty_characters_and_found_by_lookup(field_id):
    name = ns.anchor_name(field_id)
    assert len(name) == ns.ANCHOR_MAX and WORD_NAME.fullmatch(name)
    assert name == ns.anchor_name(field_id)  # deterministic
    assert ns.anchor_field_id(name) == ""  # a hash cannot be read back alone
    assert ns.anchor_field_id(name, ns.anchor_lookup([field_id, "other"])) == field_id
    assert ns.anchor_lookup(["goal_1_goal"]) == {}  # spelled-out names need no lookup


def test_names_that_are_not_anchors_mean_nothing():
    for name in ("_GoBack", "Text1", "_mdf_", "_mdf_Goal", "mdf_goal_1_goal", "_mdf_a-b"):
        assert ns.anchor_field_id(name) == ""


# ---- the builders -----------------------------------------------------------------------------


def _built(xml: str) -> etree._Element:
    return etree.fromstring(controls.wrap_namespaces(xml))


def test_a_run_level_control_sits_between_its_anchors_halves():
    for xml in (
        controls.text_control("vision", placeholder_text="Describe it"),
        controls.checkbox_control("mentor_agree"),
        controls.date_control("mentor_sign_date"),
        controls.dropdown_control("plan_type", ["A", "B"]),
    ):
        start, sdt, end = list(_built(xml))
        tag = sdt.find(f"{W}sdtPr/{W}tag").get(W + "val")
        assert (start.tag, sdt.tag, end.tag) == (W + "bookmarkStart", W + "sdt", W + "bookmarkEnd")
        assert start.get(W + "name") == ns.anchor_name(tag)
        assert start.get(W + "id") == end.get(W + "id") and start.get(W + "id").isdigit()
    # The default bookmark id is worked out from the name: the same in every build.
    assert controls.checkbox_control("x") == controls.checkbox_control("x")
    assert controls.checkbox_control("x") != controls.checkbox_control("y")


@pytest.mark.parametrize("level", ["block", "cell"])
def test_block_and_cell_controls_carry_the_anchor_around_their_runs(level):
    [sdt] = _built(controls.text_control("vision", text="Hi", level=level))
    paragraph = next(sdt.iter(W + "p"))
    assert [c.tag for c in paragraph] == [W + "bookmarkStart", W + "r", W + "bookmarkEnd"]
    assert paragraph[0].get(W + "name") == "_mdf_vision"


def test_a_looped_field_names_its_anchor_and_id_in_jinja():
    xml = controls.text_control(
        "goal_{{ g.slot }}_goal",
        placeholder_text="Type here",
        anchor="_mdf_goal_{{ g.slot }}_goal",
        anchor_id="{{ 7000 + (g.slot)|int }}",
    )
    assert xml.startswith(
        '<w:bookmarkStart w:id="{{ 7000 + (g.slot)|int }}" w:name="_mdf_goal_{{ g.slot }}_goal"/>'
    )


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[bytes]]:
    specs = load_form_specs(TEMPLATES)
    out: dict[str, list[bytes]] = {}
    for form, spec in specs.items():
        template = CompiledTemplate.load(spec.template_path, version=spec.version)
        out[form] = [
            template.render(context, {"mentordocs.form": form}, validate=True)
            for context in sample_contexts()
        ]
    return out


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return parse_xml(package.read("word/document.xml"))


@pytest.mark.parametrize("form", FORM_IDS)
def test_every_rendered_control_has_its_own_anchor(form, rendered):
    for data in rendered[form]:
        root = _document(data)
        starts = list(root.iter(W + "bookmarkStart"))
        ids = [b.get(W + "id") for b in starts]
        assert len(set(ids)) == len(ids), "bookmark ids must be unique in a document"
        assert sorted(ids) == sorted(b.get(W + "id") for b in root.iter(W + "bookmarkEnd"))
        for sdt in root.iter(W + "sdt"):
            tag = sdt.find(f"{W}sdtPr/{W}tag").get(W + "val")
            start, end = sdt.getprevious(), sdt.getnext()
            assert start.tag == W + "bookmarkStart" and end.tag == W + "bookmarkEnd", tag
            assert start.get(W + "id") == end.get(W + "id")
            assert ns.anchor_field_id(start.get(W + "name")) == tag
        fields = read_fields(root)
        assert fields and all(f.anchor == f.tag == f.id for f in fields)


@pytest.mark.parametrize("form", FORM_IDS)
def test_a_part_with_field_codes_is_read_as_one_without(form, rendered):
    # A part with no field codes is read in one pass over its controls; one with a field code
    # (a FILLIN, a legacy form field) by walking every bookmark and field character, which
    # LibreOffice 7.4's shapes need. The same form must read the same either way.
    W = f"{{{ns.W}}}"
    for data in rendered[form]:
        root = _document(data)
        plain = read_fields(root, unnamed=True, before="all")
        assert plain and all(f.anchor for f in plain)
        body_el = root.find(W + "body")
        body_el[-1].addprevious(
            etree.fromstring(f"<w:p {NS}>{fillin(run('a field code'))}</w:p>".encode())
        )
        walked = read_fields(root, unnamed=True, before="all")
        assert walked[: len(plain)] == plain
        assert [(f.kind, f.value) for f in walked[len(plain) :]] == [("text", "a field code")]


# ---- reading each shape (inline XML) ----------------------------------------------------------


def body(xml: str) -> etree._Element:
    return parse_xml(f"<w:document {NS}><w:body>{xml}</w:body></w:document>".encode())


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def bs(name: str, number: int) -> str:
    return f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>'


def be(number: int) -> str:
    return f'<w:bookmarkEnd w:id="{number}"/>'


def sdt(props: str, content: str) -> str:
    return f"<w:sdt><w:sdtPr>{props}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def fillin(result: str, code: str = ' FILLIN ""') -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{result}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def row(label: str, answer: str) -> str:
    return (
        f"<w:tr><w:tc><w:p>{run(label)}</w:p><w:p>{run('a hint')}</w:p></w:tc>"
        f"<w:tc><w:p>{answer}</w:p></w:tc></w:tr>"
    )


def table(*rows: str) -> str:
    return f"<w:tbl>{''.join(rows)}</w:tbl>"


def shown(fields: list[Field]) -> list[tuple[str, str, str, object, str]]:
    return [(f.anchor, f.id, f.source, f.value, f.kind) for f in fields]


def test_the_shapes_libreoffice_makes_are_all_anchored():
    text = "<w:text/>"
    root = body(
        table(
            # 25.2 re-save: as built.
            row("Name", bs("_mdf_mentor_name", 1) + sdt(text, run("Ana")) + be(1)),
            # 7.4 re-save: the start moved into the content, tag and alias gone.
            row("Role", sdt("<w:date/>", bs("_mdf_role", 2) + run("Teacher")) + be(2)),
            # via .odt: the whole bookmark inside, behind an empty run.
            row("Plan", sdt("", "<w:r/>" + bs("_mdf_plan", 3) + run("Coaching") + be(3))),
            # 7.4 via .odt: a FILLIN field inside the bookmark (the control showed its prompt).
            row("Email", bs("_mdf_email", 4) + fillin(run("Type your email")) + be(4)),
            # 7.4 via .odt: plain text inside the bookmark, no field at all.
            row("Phone", bs("_mdf_phone", 5) + run("555") + run("-0100") + be(5)),
        )
    )
    assert shown(read_fields(root)) == [
        ("mentor_name", "", "unnamed", "Ana", "text"),
        ("role", "", "unnamed", "Teacher", "date"),
        ("plan", "", "unnamed", "Coaching", "text"),
        ("email", "", "fillin", "Type your email", "text"),
        ("phone", "", "bookmark", "555-0100", "text"),
    ]
    assert [f.before for f in read_fields(root, before="all")] == [
        "Name a hint",
        "Role a hint",
        "Plan a hint",
        "Email a hint",
        "Phone a hint",
    ]


def test_a_control_split_by_libreoffice_gives_every_piece_the_anchor():
    # 7.4 splits a plain-text control holding right-to-left text into several with the same
    # alias; the bookmark's start lands in the first, its end after the last.
    alias = '<w:alias w:val="mentor_name"/><w:text/>'
    root = body(
        "<w:p>"
        + sdt(alias, bs("_mdf_mentor_name", 9) + run("Ana \u05e9\u05dc\u05d5\u05dd"))
        + sdt(alias, run("\u05e9\u05dc\u05d5\u05dd"))
        + be(9)
        + sdt("<w:text/>", run("not in the bookmark"))
        + "</w:p>"
    )
    fields = read_fields(root, unnamed=True)
    assert [(f.id, f.anchor) for f in fields] == [
        ("mentor_name", "mentor_name"),
        ("mentor_name", "mentor_name"),
        ("", ""),
    ]


def test_fillin_fields_are_read_as_text_fields():
    code_in_pieces = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FILL</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">IN "Your name" \\d "x" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run("Ana")
        + '<w:r><w:br/><w:t>Lee</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    simple = (
        '<w:fldSimple w:instr=" fillin &quot;When?&quot; ">' + run("Mondays") + "</w:fldSimple>"
    )
    page = fillin(run("3"), " PAGE ")
    root = body(f"<w:p>{run('Name: ')}{code_in_pieces}</w:p><w:p>{simple}{page}</w:p>")
    assert read_fields(root) == []  # nameless and not anchored
    fields = read_fields(root, unnamed=True)
    assert shown(fields) == [
        ("", "", "fillin", "Ana\nLee", "text"),
        ("", "", "fillin", "Mondays", "text"),
    ]
    assert fields[0].before == "Name:"


def test_what_is_not_proof_gives_no_anchor():
    other = bs("_mdf_other", 1) + run("x")  # left open: its end is in the next paragraph
    root = body(
        f"<w:p>{other}</w:p><w:p>{be(1)}{sdt('<w:text/>', run('Ana'))}</w:p>"
        # A collapsed bookmark says where an answer began, not where it ended: no field.
        f"<w:p>{bs('_mdf_point', 2)}{be(2)}{run('typed later')}</w:p>"
        # A control nested in an anchored control does not take its anchor.
        + "<w:p>"
        + sdt("", bs("_mdf_outer", 3) + run("o") + sdt("<w:text/>", run("inner")) + be(3))
        + "</w:p>"
        # Another program's bookmark names nothing.
        + f"<w:p>{bs('Text1', 4)}{sdt('', run('legacy'))}{be(4)}</w:p>"
    )
    fields = read_fields(root, unnamed=True)
    assert [(f.value, f.anchor, f.source) for f in fields] == [
        ("x", "other", "bookmark"),
        ("Ana", "", "unnamed"),
        ("oinner", "outer", "unnamed"),
        ("inner", "", "unnamed"),
        ("legacy", "", "unnamed"),
    ]


def test_a_conflict_between_tag_and_anchor_is_reported_as_it_is():
    named = '<w:alias w:val="mentor_name"/><w:tag w:val="mentor_name"/>'
    root = body(f"<w:p>{bs('_mdf_mentee_name', 1)}{sdt(named, run('Ana'))}{be(1)}</w:p>")
    [field] = read_fields(root)
    assert (field.id, field.tag, field.anchor) == ("mentor_name", "mentor_name", "mentee_name")


def test_hashed_anchor_names_are_resolved_by_lookup_or_by_the_controls_own_name():
    long_id = "an_answer_whose_id_is_far_longer_than_word_allows"
    name = ns.anchor_name(long_id)
    named = f'<w:tag w:val="{long_id}"/>'
    root = body(
        f"<w:p>{bs(name, 1)}{sdt('', run('lost its tag'))}{be(1)}</w:p>"
        f"<w:p>{bs(name, 2)}{sdt(named, run('kept its tag'))}{be(2)}</w:p>"
    )
    assert [f.anchor for f in read_fields(root, unnamed=True)] == ["", long_id]
    looked_up = read_fields(root, unnamed=True, anchors=ns.anchor_lookup([long_id]))
    assert [f.anchor for f in looked_up] == [long_id, long_id]


def test_anchored_fields_without_a_name_are_read_by_default():
    root = body(f"<w:p>{bs('_mdf_vision', 1)}{sdt('', run('Together'))}{be(1)}</w:p>")
    [field] = read_fields(root)
    assert (field.id, field.anchor, field.value) == ("", "vision", "Together")


def test_before_is_the_label_the_document_shows_answers_left_out():
    long_label = "A question that goes on " * 6
    answer = sdt("<w:text/>", run("secret answer"))
    root = body(
        f"<w:p>{run('I,  ')}{run(' Ana')}<w:r><w:tab/></w:r>{answer}</w:p>"  # same paragraph
        + table(
            "<w:tr><w:tc><w:p>" + run("Mentor") + "</w:p></w:tc>"
            f"<w:tc><w:p>{bs('_mdf_a', 1)}{answer}{be(1)}</w:p></w:tc>"
            f"<w:tc><w:p>{bs('_mdf_b', 2)}{answer}{be(2)}</w:p></w:tc></w:tr>",
            "<w:tr><w:tc><w:p>" + run("Question:") + "</w:p>"
            f"<w:p>{bs('_mdf_c', 3)}{run('typed, no field')}{be(3)}</w:p>"
            f"<w:p>{answer}</w:p></w:tc></w:tr>",
        )
        + f"<w:p>{run(long_label)}</w:p><w:p>{answer}</w:p>"
        + f"<w:p>{run(long_label)}{answer}</w:p>"
    )
    befores = [f.before for f in read_fields(root, unnamed=True, before="all")]
    assert befores[:5] == ["I, Ana", "Mentor", "Mentor", "Question:", "Question:"]
    clipped_start, clipped_end = befores[5:]
    assert len(clipped_start) == len(clipped_end) == 80
    assert clipped_start.startswith("A question that") and clipped_start.endswith("...")
    assert clipped_end.startswith("...") and clipped_end.endswith("goes on")
    assert all(f.before == "" for f in read_fields(root, unnamed=True, before="none"))


def test_by_default_only_fields_whose_identity_is_not_proven_get_their_label():
    named = '<w:alias w:val="a"/><w:tag w:val="a"/>'
    root = body(
        table(
            row("Tagged", sdt(named, run("1"))),
            row("Anchored", bs("_mdf_b", 1) + sdt("", run("2")) + be(1)),
            row("Nameless", sdt("", run("3"))),
            row("Conflict", bs("_mdf_c", 2) + sdt(named, run("4")) + be(2)),
            row("Tag and title differ", sdt('<w:alias w:val="x"/><w:tag w:val="y"/>', run("5"))),
        )
    )
    assert [f.before for f in read_fields(root, unnamed=True)] == [
        "",
        "",
        "Nameless a hint",
        "Conflict a hint",
        "Tag and title differ a hint",
    ]


def test_filling_keeps_a_bookmark_inside_the_control():
    named = '<w:tag w:val="a"/>'
    root = body(f"<w:p>{sdt(named, bs('_mdf_a', 1) + run('old') + be(1))}</w:p>")
    assert set_field_value(root, "a", "new") == 1
    content = next(root.iter(W + "sdtContent"))
    assert [c.tag.split("}")[1] for c in content] == ["bookmarkStart", "r", "bookmarkEnd"]
    [field] = read_fields(root)
    assert (field.value, field.anchor) == ("new", "a")


# ---- real LibreOffice -------------------------------------------------------------------------


def _read(path: Path) -> list[Field]:
    with WordPackage(path.read_bytes()) as package:
        layout = package.layout()
        found: list[Field] = []
        for part in (layout.main, *layout.stories):
            found.extend(read_fields(package.parse(part), unnamed=True))
    return found


def proven(fields: list[Field]) -> dict[str, list[object]]:
    """Values by proven field id; a field whose tag, alias and anchor disagree fails."""
    found: dict[str, list[object]] = collections.defaultdict(list)
    for item in fields:
        names = {item.tag, item.alias, item.anchor} - {""}
        assert len(names) <= 1, f"conflicting identities {names}"
        if names:
            found[names.pop()].append(item.value)
    return found


def check_every_answer_proven(folder: Path, expected: dict[str, dict[str, object]]) -> None:
    """Each expected answer comes back under its proven id: the first filled copy (7.4 splits a
    control holding right-to-left text into pieces, the first holding the whole value)."""
    for stem, values in expected.items():
        got = proven(_read(folder / f"{stem}.docx"))
        assert set(got) == set(values), stem
        for field_id, value in values.items():
            filled = [v for v in got[field_id] if v not in ("", False)] or got[field_id]
            assert filled[0] == value, (stem, field_id)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, rendered) -> tuple[Path, dict[str, dict[str, object]]]:
    """The four forms of the coaching pair, every field filled with a distinct value."""
    folder = tmp_path_factory.mktemp("anchors") / "filled"
    folder.mkdir()
    specs = load_form_specs(TEMPLATES)
    expected = {}
    for form in FORM_IDS:
        path = folder / f"P003_{form}.docx"
        path.write_bytes(rendered[form][2])
        values = planned_values(path, specs[form], "P003")
        path.write_bytes(fill_docx(path.read_bytes(), values))
        expected[path.stem] = values
    return folder, expected


def round_trips(soffice: str, folder: Path, out: Path) -> tuple[Path, Path]:
    """The forms re-saved as .docx, and taken .docx -> .odt -> .docx, by one LibreOffice."""
    files = sorted(folder.glob("*.docx"))
    convert(files, "docx", out / "resaved", soffice=soffice)
    odts = convert(files, "odt", out / "odt", soffice=soffice)
    convert(odts, "docx", out / "via-odt", soffice=soffice)
    return out / "resaved", out / "via-odt"


def _is_74(soffice: str, versions: dict) -> bool:
    found = versions.get("7.4")
    return found is not None and found.path == soffice


def _tags(path: Path) -> int:
    return len(list(_document(path.read_bytes()).iter(W + "tag")))


@pytest.mark.soffice
def test_every_answer_comes_back_proven_through_the_systems_libreoffice(
    filled, soffice, soffice_versions, tmp_path
):
    folder, expected = filled
    resaved, via_odt = round_trips(soffice, folder, tmp_path)
    if _is_74(soffice, soffice_versions):
        # 7.4 really dropped every tag: identities come from aliases and anchors.
        assert _tags(resaved / "P003_goal-sheet.docx") == 0
        assert _tags(via_odt / "P003_goal-sheet.docx") == 0
    check_every_answer_proven(resaved, expected)
    check_every_answer_proven(via_odt, expected)


def test_every_answer_comes_back_proven_through_libreoffice_25(filled, soffice_25, tmp_path):
    folder, expected = filled
    resaved, via_odt = round_trips(soffice_25, folder, tmp_path)
    check_every_answer_proven(resaved, expected)
    check_every_answer_proven(via_odt, expected)


@pytest.mark.soffice
def test_a_form_filled_in_libreoffice_after_odt_comes_back_proven(
    rendered, soffice, soffice_versions, tmp_path
):
    # 7.4 turns a plain-text control still showing its prompt into an input field in .odt
    # (FILLIN in .docx), its anchor around it. Forms of template version 1 showed the
    # signatures' prompts in plain-text controls (today every prompt is in a rich-text one, so
    # 7.4 keeps it a control and prints it grey); their returns still come back. Make such a
    # form, type into each input field, as a person would, and save.
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    current = tmp_path / "current" / "P003_confidentiality-agreement.docx"
    current.parent.mkdir()
    current.write_bytes(rendered["confidentiality-agreement"][2])
    [odt] = convert([current], "odt", tmp_path / "odt-current", soffice=soffice)
    with zipfile.ZipFile(odt) as package:
        assert b"<text:text-input" not in package.read("content.xml")
    blank = tmp_path / "P003_confidentiality-agreement.docx"
    blank.write_bytes(_with_plain_text_prompts(rendered["confidentiality-agreement"][2]))
    [odt] = convert([blank], "odt", tmp_path / "odt", soffice=soffice)
    with zipfile.ZipFile(odt) as package:
        members = {info: package.read(info.filename) for info in package.infolist()}
    typed = {}
    for info, data in members.items():
        if info.filename == "content.xml":
            root = parse_xml(data)
            for number, box in enumerate(root.iter(f"{{{text_ns}}}text-input")):
                start = box.getprevious()
                assert start is not None and start.tag == f"{{{text_ns}}}bookmark-start"
                field_id = ns.anchor_field_id(start.get(f"{{{text_ns}}}name"))
                for child in list(box):
                    box.remove(child)
                box.text = typed[field_id] = f"typed {number} in LibreOffice"
            members[info] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(odt, "w") as package:
        for info, data in members.items():
            package.writestr(info, data)
    [back] = convert([odt], "docx", tmp_path / "back", soffice=soffice)
    fields = _read(back)
    if _is_74(soffice, soffice_versions):
        assert len(typed) == 2  # the two signatures' names
        assert {f.anchor: f.value for f in fields if f.source == "fillin"} == typed
    got = proven(fields)
    original = {f.id: f for f in read_form(blank).fields if f.id}
    assert set(got) == set(original)
    for field_id, value in typed.items():
        assert got[field_id] == [value]


def _with_plain_text_prompts(data: bytes) -> bytes:
    """A form as template version 1 made it: the signatures' names, still showing their
    prompts, in plain-text controls (``w:text``)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info)
            if info.filename == "word/document.xml":
                for who in ("mentor", "mentee"):
                    named = f'<w:tag w:val="{who}_sign_name"/><w:showingPlcHdr/>'.encode()
                    assert named in payload
                    payload = payload.replace(named, named + b"<w:text/>")
            target.writestr(info, payload)
    return out.getvalue()
