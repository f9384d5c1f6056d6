"""The shipped form templates: rendered, reopened with python-docx and lxml, and checked.

Also ``mentordocs templates check`` on broken copies (each made by editing a template's XML
in tmp_path), ``templates copy`` and ``templates list``.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mentordocs.cli import cli
from mentordocs.forms import FORM_IDS, load_form_specs
from mentordocs.generate.context import (
    build_context,
    roster_contexts,
    sample_contexts,
    sample_roster,
)
from mentordocs.generate.render import CompiledTemplate
from mentordocs.generate.templates import check_template, check_templates
from mentordocs.models import Goal
from mentordocs.ooxml import controls as fields
from mentordocs.ooxml.fields import read_fields
from mentordocs.roster import load_roster

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
W = f"{{{fields.W_NS}}}"
W14 = f"{{{fields.W14_NS}}}"
KIND_MARKERS = {"checkbox": W14 + "checkbox", "date": W + "date", "dropdown": W + "dropDownList"}


@pytest.fixture(scope="module")
def compiled() -> dict[str, CompiledTemplate]:
    specs = load_form_specs(TEMPLATES)
    return {
        form: CompiledTemplate.load(spec.template_path, version=spec.version)
        for form, spec in specs.items()
    }


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _controls(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(W + "sdt"))


def _expected_ids(form: str, context: dict) -> set[str]:
    """The concrete field ids a rendered form must hold for this context."""
    spec = load_form_specs(TEMPLATES)[form]
    if spec.stage != "start":
        # A review form: a row per goal the pair has (review.goals), in that goal's slot.
        ids = {field.id for field in spec.fields if not field.repeated}
        for field in spec.fields:
            if field.repeated:
                ids |= {field.concrete(g["slot"]) for g in context["review"]["goals"][field.group]}
        return ids
    plan = context["plan"]
    counts = {
        "goal": len(context["goal_slots"]) if plan["mentee_goals"] else 0,
        "mentor_goal": len(context["mentor_goal_slots"]) if plan["mentor_goals"] else 0,
        "joint_goal": len(context["joint_goal_slots"]) if plan["joint_goals"] else 0,
        "action": 5,
        "own_task": 3,
        "calendar": len(context["calendar"]),
        "observation": 4 if plan["coaching"] else 0,
    }
    for area, rows in context["commitments"].items():
        counts[f"commitment_{area}"] = len(rows)
    ids = {field_id for field_id, _ in spec.expand(counts)}
    if not plan["mentee_goals"]:
        ids -= {"goals_basis"}
    if not plan["mutual_growth"]:
        ids -= {"mentor_goals_basis", "mutual_support", "extra_colleagues"}
    if not plan["coaching"]:
        ids -= {
            "observation_frequency",
            "conference_place_time",
            "observation_limits",
            "coaching_outcome",
        }
    return ids


@pytest.mark.parametrize("form", FORM_IDS)
def test_rendered_forms_hold_every_declared_field_tagged_and_of_its_kind(form, compiled):
    spec = load_form_specs(TEMPLATES)[form]
    for context in sample_contexts():
        data = compiled[form].render(context, {"mentordocs.form": form}, validate=True)
        docx.Document(io.BytesIO(data))  # opens cleanly with python-docx
        found = []
        for sdt in _controls(_document(data)):
            pr = sdt.find(W + "sdtPr")
            tag = pr.find(W + "tag").get(W + "val")
            assert pr.find(W + "alias").get(W + "val") == tag
            declared = spec.match(tag)
            assert declared is not None, tag
            marker = KIND_MARKERS.get(declared.kind)
            if marker:
                assert pr.find(marker) is not None, f"{tag} should be a {declared.kind}"
            else:
                assert all(pr.find(m) is None for m in KIND_MARKERS.values()), tag
            showing = pr.find(W + "showingPlcHdr") is not None
            if declared.kind == "text" and showing:
                # A prompt is a rich-text control: LibreOffice 7.4 prints the prompt of a
                # plain-text one black, like an answer, and keeps a rich-text one's style.
                assert pr.find(W + "text") is None, f"{tag} shows its prompt in plain text"
            if declared.kind == "dropdown":
                items = pr.findall(f"{W}dropDownList/{W}listItem")
                assert tuple(i.get(W + "value") for i in items) == declared.choices
            styles = {s.get(W + "val") for s in sdt.iter(W + "rStyle")}
            assert showing == (fields.PLACEHOLDER_STYLE in styles), tag
            found.append(tag)
        assert len(found) == len(set(found)), "a field id is used twice"
        assert set(found) == _expected_ids(form, context)


@pytest.mark.parametrize("form", FORM_IDS)
def test_forms_use_real_heading_styles_a_title_and_a_footer(form, compiled):
    context = sample_contexts()[0]
    data = compiled[form].render(context, {}, validate=True)
    document = docx.Document(io.BytesIO(data))
    styles = [p.style.name for p in document.paragraphs if p.text.strip()]
    assert "Title" in styles
    assert styles.count("Heading 1") >= 1
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [load_form_specs(TEMPLATES)[form].title]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-1].endswith("Signatures")
    footer = document.sections[0].footer._element
    footer_text = "".join(footer.itertext())
    assert "Pair P001" in footer_text and "Page" in footer_text
    assert load_form_specs(TEMPLATES)[form].title in footer_text
    assert context["program"]["name"] in footer_text
    instructions = [t.text.strip() for t in footer.iter(W + "instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=1)
    # Tables have a header row that repeats and shaded label cells.
    body = _document(data)
    assert body.find(f".//{W}tblHeader") is not None
    assert body.find(f".//{W}shd") is not None
    # Every table takes its borders and cell margins from one table style, "Form Table"
    # (a coordinator restyles every table of a form by changing it in Word).
    table_styles = {t.style.name for t in document.tables}
    assert table_styles == {"Form Table"}
    style = document.styles["Form Table"].element
    borders = style.find(f"{W}tblPr/{W}tblBorders")
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "left", "bottom", "right"}
    assert all(b.get(W + "val") == "single" for b in borders)
    assert style.find(f"{W}tblPr/{W}tblCellMar/{W}left").get(W + "w") == "100"


def test_prefilled_values_come_from_the_roster(compiled):
    roster = sample_roster()
    pair = roster.pairs[0]
    context = build_context(roster, pair)
    data = compiled["goal-sheet"].render(context, {}, validate=True)
    values = {f.id: f for f in read_fields(_document(data))}
    goal = pair.goals[0]
    assert values["goal_1_goal"].value == goal.goal
    assert values["goal_1_horizon"].value == "Short-term"
    assert values["goal_1_measure"].value == goal.measure
    # A date from the roster is a real date (w:fullDate): it comes back as one.
    assert values["goal_1_target_date"].value == "2026-12-18"
    # progress and status are the mid-point check-in's and the end review's to ask (asked once)
    assert not [i for i in values if i.endswith(("_midpoint_progress", "_status"))]
    assert values["goal_2_mentor_support"].value == ""  # empty in the roster: placeholder
    assert values["goal_2_mentor_support"].placeholder
    assert values["goal_3_goal"].value == ""  # a padding slot
    assert values["mentor_agree"].value is False
    data = compiled["terms-of-engagement"].render(context, {}, validate=True)
    values = {f.id: f.value for f in read_fields(_document(data))}
    assert values["meeting_day"] == "Wednesday"
    assert values["meeting_frequency"] == "Weekly"
    assert values["cancellation_plan"] == pair.cancellation_plan
    assert values["start_date"] == "2026-09-01"
    assert values["derailers"] == ""


def test_a_pair_with_three_goals_gets_five_goal_slots_the_last_two_optional(compiled):
    roster = sample_roster()
    pair = roster.pairs[0]
    pair.goals = [Goal(pair.pair_id, n, f"Roster goal {n}") for n in range(1, 4)]
    context = build_context(roster, pair)
    suffixes = ("goal", "horizon", "mentor_support", "measure", "target_date")
    data = compiled["goal-sheet"].render(context, {}, validate=True)
    root = _document(data)
    values = {f.id: f for f in read_fields(root)}
    assert [values[f"goal_{n}_goal"].value for n in range(1, 4)] == [
        f"Roster goal {n}" for n in range(1, 4)
    ]
    for n in (4, 5):
        for suffix in suffixes:
            field = values[f"goal_{n}_{suffix}"]
            assert field.value == "" and field.placeholder, field.id
    assert "goal_6_goal" not in values
    goal_headings = [h for h in _headings(root) if h.startswith("Goal ")]
    assert goal_headings == [
        "Goal 1",
        "Goal 2",
        "Goal 3",
        "Goal 4 (optional)",
        "Goal 5 (optional)",
    ]
    # The action plan asks for the goals once, on the goal sheet, and says so.
    plan = _document(compiled["action-plan"].render(context, {}, validate=True))
    assert not [f.id for f in read_fields(plan) if "goal_" in f.id]
    assert "Your goals are on your goal sheet" in "".join(t.text or "" for t in plan.iter(W + "t"))


def _headings(root: etree._Element) -> list[str]:
    return [
        "".join(p.itertext())
        for p in root.iter(W + "p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(W + "val").startswith("Heading")
    ]


def test_terms_of_engagement_has_room_for_anything_else_we_agree_on(compiled):
    data = compiled["terms-of-engagement"].render(sample_contexts()[0], {}, validate=True)
    root = _document(data)
    (control,) = [
        sdt
        for sdt in _controls(root)
        if sdt.find(f"{W}sdtPr/{W}tag").get(W + "val") == "other_agreements"
    ]
    pr = control.find(W + "sdtPr")
    assert pr.find(W + "alias").get(W + "val") == "other_agreements"
    # A long answer: a rich-text control (no w:text), like the other long answers.
    assert pr.find(W + "text") is None
    assert pr.find(W + "showingPlcHdr") is not None
    values = {f.id: f for f in read_fields(root)}
    assert values["other_agreements"].value == ""
    assert values["other_agreements"].placeholder is True
    shown = "".join(t.text or "" for t in control.iter(W + "t"))
    assert shown == "Optional: write any other agreements"
    text = "".join(t.text or "" for t in root.iter(W + "t"))
    assert "Anything else we agree on" in text


def test_a_coordinators_own_roster_columns_reach_a_template(tmp_path):
    folder = _copy_templates(tmp_path)
    template = folder / "goal-sheet.docx"
    # The coordinator adds a line to their copy of the goal sheet, naming their own columns.
    _edit(
        template,
        "<w:sectPr",
        "<w:p><w:r><w:t>School: {{ pair.extra.school }}; district "
        "{{ program.extra.district_code }}</w:t></w:r></w:p><w:sectPr",
    )
    roster = sample_roster()
    pair = roster.pairs[0]
    pair.extra = {"school": "Lincoln Elementary & Annex <K-5>"}
    spec = load_form_specs(folder)["goal-sheet"]
    data = CompiledTemplate.load(template, version=spec.version).render(
        build_context(roster, pair), {}, validate=True
    )
    text = "".join(t.text or "" for t in _document(data).iter(W + "t"))
    assert "School: Lincoln Elementary & Annex <K-5>; district NF-01" in text
    # The check (with its built-in sample roster, whose pairs have a School column) accepts it.
    code, output = _check(folder)
    assert code == 0, output


HOSTILE = (
    st.lists(
        st.one_of(
            st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")),
            st.sampled_from(["&", "<", ">", '"', "'", "{{", "}}", "{%", "%}", "\n", "😀", "שלום"]),
        ),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .filter(lambda s: s.strip() == s and s.strip() != "")
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE)
def test_hostile_roster_values_arrive_verbatim(compiled, value):
    roster = sample_roster()
    pair = roster.pairs[0]
    pair.mentor.name = value
    pair.meeting_place = value
    pair.goals[0].goal = value
    roster.calendar[0].task = value
    roster.program.name = value
    context = build_context(roster, pair)
    values = {}
    for form in ("action-plan", "terms-of-engagement", "goal-sheet"):
        root = _document(compiled[form].render(context, {}, validate=True))
        values.update({f.id: f.value for f in read_fields(root)})
        text = "".join(t.text or "" for t in root.iter(W + "t"))
        assert value.replace("\n", "") in text
    assert values["mentor_name"] == value
    assert values["meeting_place"] == value
    assert values["goal_1_goal"] == value


# ---- templates check ------------------------------------------------------------------------


def _copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "my-templates"
    target.mkdir()
    for form in FORM_IDS:
        for suffix in (".docx", ".json"):
            shutil.copy(TEMPLATES / f"{form}{suffix}", target / f"{form}{suffix}")
    return target


def _edit(template: Path, old: str, new: str, count: int = 1) -> None:
    with zipfile.ZipFile(template) as package:
        members = {name: package.read(name) for name in package.namelist()}
    xml = members["word/document.xml"].decode("utf-8")
    assert xml.count(old) >= count, f"{old!r} not in {template.name}"
    members["word/document.xml"] = xml.replace(old, new, count).encode("utf-8")
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


def _edited_copy(tmp_path: Path, form: str, old: str, new: str) -> Path:
    """A copy of the shipped templates, ``old`` replaced by ``new`` in ``form``'s template."""
    folder = _copy_templates(tmp_path)
    _edit(folder / f"{form}.docx", old, new)
    return folder


def _check(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["templates", "check", str(folder)])
    return result.exit_code, result.output


def test_shipped_templates_pass_the_check():
    assert check_templates() == []
    result = CliRunner().invoke(cli, ["templates", "check"])
    assert result.exit_code == 0, result.output
    assert "all 6 templates match their declarations" in result.output


def test_check_names_the_template_and_tag_of_an_unknown_variable(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(
        folder / "terms-of-engagement.docx", "{{ pair.meeting_place }}", "{{ pair.meeting_room }}"
    )
    code, output = _check(folder)
    assert code == 1
    assert "terms-of-engagement.docx" in output
    assert "{{ pair.meeting_room }}" in output
    assert "1 problem in the templates" in output


def test_check_reports_a_jinja_syntax_error(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(folder / "goal-sheet.docx", "{%p endfor %}", "{%p endfro %}")
    code, output = _check(folder)
    assert code == 1
    assert "goal-sheet.docx" in output
    assert "endfro" in output


def test_check_reports_a_duplicated_field_id(tmp_path):
    folder = _copy_templates(tmp_path)
    template = folder / "confidentiality-agreement.docx"
    _edit(template, 'w:val="ack_no_gossip"', 'w:val="ack_seek_help"', count=2)
    code, output = _check(folder)
    assert code == 1
    assert "the field id 'ack_seek_help' is used by 2 content controls" in output
    assert "the declared field 'ack_no_gossip'" in output


def test_check_reports_a_content_control_without_a_tag(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(
        folder / "confidentiality-agreement.docx",
        '<w:alias w:val="off_limits"/><w:tag w:val="off_limits"/>',
        "",
    )
    code, output = _check(folder)
    assert code == 1
    assert "(it shows 'Write the topics that are off limits') has no tag" in output
    assert (
        "the declared field 'off_limits' (Topics that are off limits) is not in the template"
        in output
    )
    # Once, whatever each pair shows: a label holding a tag gave a message per pair (with
    # their names), and generate listed it once per pair.
    _edit(
        folder / "confidentiality-agreement.docx",
        "<w:t>We will not discuss</w:t>",
        "<w:t>We ({{ mentor.name }}) will not discuss</w:t>",
    )
    assert _check(folder)[1].count("has no tag") == 1
    result = _generate(folder, tmp_path / "packets", "--form", "confidentiality-agreement")
    assert result.exit_code == 1
    assert result.output.count("has no tag") == 1, result.output


def test_check_reports_tag_and_title_that_differ(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(
        folder / "confidentiality-agreement.docx",
        '<w:tag w:val="kept_private"/>',
        '<w:tag w:val="private"/>',
    )
    code, output = _check(folder)
    assert code == 1
    assert "has the tag 'private' but the title 'kept_private'" in output


def test_check_reports_a_declared_field_the_template_lacks_and_an_undeclared_one(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(folder / "terms-of-engagement.docx", 'w:val="recognition"', 'w:val="thanks"', count=2)
    code, output = _check(folder)
    assert code == 1
    assert (
        "the field 'thanks' in word/document.xml is not declared in terms-of-engagement.json"
        in output
    )
    assert (
        "the declared field 'recognition' (How we recognise each other's efforts) is not in"
        in output
    )


def test_check_reports_a_repeated_field_missing_from_every_instance(tmp_path):
    folder = _copy_templates(tmp_path)
    _edit(
        folder / "goal-sheet.docx",
        'w:val="goal_{{ g.slot }}_priority"',  # the tag and title (the anchor's name stays)
        'w:val="goal_{{ g.slot }}_rank"',
        count=2,
    )
    code, output = _check(folder)
    assert code == 1
    assert "the declared field 'goal_{n}_priority'" in output and "e.g. 'goal_1_priority'" in output
    assert "the field 'goal_1_rank'" in output


def test_check_reports_a_control_of_the_wrong_kind(tmp_path):
    folder = _copy_templates(tmp_path)
    spec_path = folder / "confidentiality-agreement.json"
    spec_path.write_text(
        spec_path.read_text(encoding="utf-8").replace(
            '"id": "kept_private",\n      "label": "What stays between the two of us",\n      "kind": "text"',
            '"id": "kept_private",\n      "label": "What stays between the two of us",\n      "kind": "date"',
        ),
        encoding="utf-8",
    )
    code, output = _check(folder)
    assert code == 1
    assert "'kept_private' is a text control but is declared as a date picker" in output


def test_check_reports_a_missing_template_and_a_broken_declaration(tmp_path):
    folder = _copy_templates(tmp_path)
    (folder / "goal-sheet.docx").unlink()
    (folder / "terms-of-engagement.json").write_text("{", encoding="utf-8")
    code, output = _check(folder)
    assert code == 1
    assert "goal-sheet.docx: the template is missing." in output
    assert "terms-of-engagement.json: not valid JSON" in output


def test_check_with_the_sample_roster(tmp_path):
    roster = Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx"
    result = CliRunner().invoke(cli, ["templates", "check", "--roster", str(roster)])
    assert result.exit_code == 0, result.output


# ---- copy, list, build -----------------------------------------------------------------------


def test_copy_writes_templates_and_never_overwrites(tmp_path):
    target = tmp_path / "mine"
    result = CliRunner().invoke(cli, ["templates", "copy", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == sorted(
        f"{form}{suffix}" for form in FORM_IDS for suffix in (".docx", ".json")
    )
    edited = target / "goal-sheet.docx"
    edited.write_bytes(b"my edits")
    result = CliRunner().invoke(cli, ["templates", "copy", str(target)])
    assert result.exit_code == 0
    assert (
        "kept" in result.output
        and "goal-sheet.docx (already there; not overwritten)" in result.output
    )
    assert edited.read_bytes() == b"my edits"
    problem = check_templates(target)[0]
    assert problem.file.endswith("goal-sheet.docx")
    assert problem.message.startswith("the template is not a Word .docx file")


def test_copy_into_a_file_is_an_error(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["templates", "copy", str(target)])
    assert result.exit_code in (1, 2)
    assert "Error" in result.output or "Usage" in result.output


def test_list_shows_every_form():
    result = CliRunner().invoke(cli, ["templates", "list"])
    assert result.exit_code == 0
    for spec in load_form_specs(TEMPLATES).values():
        assert spec.form in result.output and spec.title in result.output


def test_builder_reproduces_the_committed_templates(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_templates", TEMPLATES / "build_templates.py"
    )
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.main(["build_templates.py", str(tmp_path)]) == 0
    for form in FORM_IDS:
        for suffix in (".docx", ".json"):
            name = f"{form}{suffix}"
            assert (tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes(), (
                f"templates/{name} is out of date: run python templates/build_templates.py"
            )


@pytest.mark.soffice
def test_libreoffice_converts_every_rendered_form(tmp_path, compiled):
    from mentordocs.generate.office import convert

    context = sample_contexts()[2]  # coaching: the longest action plan
    paths = []
    for form in FORM_IDS:
        path = tmp_path / f"P003_{form}.docx"
        path.write_bytes(compiled[form].render(context, {}, validate=True))
        paths.append(path)
    pdfs = convert(paths, "pdf", tmp_path / "pdf")
    assert [p.name for p in pdfs] == [f"P003_{form}.pdf" for form in FORM_IDS]
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("form", FORM_IDS)
def test_content_controls_sit_where_word_expects_them(form, compiled):
    """Run-level controls inside a paragraph hold runs; none is empty or nested."""
    for context in sample_contexts():
        root = _document(compiled[form].render(context, {}, validate=True))
        for sdt in root.iter(W + "sdt"):
            assert sdt.getparent().tag == W + "p"
            children = list(sdt)
            assert [c.tag for c in children] == [W + "sdtPr", W + "sdtContent"]
            runs = list(children[1])
            assert runs and all(r.tag == W + "r" for r in runs)
            assert sdt.find(f".//{W}sdt") is None
            pr = children[0]
            order = [c.tag for c in pr]
            assert order[:2] == [W + "alias", W + "tag"]
        # Every table cell ends with a paragraph, as Word requires.
        for tc in root.iter(W + "tc"):
            assert tc[-1].tag == W + "p"


@pytest.mark.parametrize("form", FORM_IDS)
def test_raw_templates_open_in_python_docx_and_carry_their_title(form):
    document = docx.Document(str(TEMPLATES / f"{form}.docx"))
    spec = load_form_specs(TEMPLATES)[form]
    assert document.core_properties.title == spec.title + " · Pair {{ pair.id }}"
    with zipfile.ZipFile(TEMPLATES / f"{form}.docx") as package:
        names = package.namelist()
        settings = package.read("word/settings.xml").decode("utf-8")
    assert "docProps/thumbnail.jpeg" not in names
    # Word 2010 mode or later: checkbox content controls need it.
    assert (
        'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="14"'
        in settings
    )


# ---- generate --templates: the same check, before anything is written ------------------------

SAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx"


def _generate(folder: Path, out: Path, *options: str, roster: Path = SAMPLE_ROSTER):
    return CliRunner().invoke(
        cli, ["generate", str(roster), "-o", str(out), "--templates", str(folder), *options]
    )


def _untag_off_limits(folder: Path) -> None:
    _edit(
        folder / "confidentiality-agreement.docx",
        '<w:alias w:val="off_limits"/><w:tag w:val="off_limits"/>',
        "",
    )


def _rename_recognition(folder: Path) -> None:
    _edit(folder / "terms-of-engagement.docx", 'w:val="recognition"', 'w:val="thanks"', count=2)


def _declare_kept_private_a_date(folder: Path) -> None:
    spec_path = folder / "confidentiality-agreement.json"
    text = spec_path.read_text(encoding="utf-8")
    old = '"id": "kept_private",\n      "label": "What stays between the two of us",\n      "kind": "text"'
    assert old in text
    spec_path.write_text(text.replace(old, old.replace('"text"', '"date"')), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_untag_off_limits, "(it shows 'Write the topics that are off limits') has no tag"),
        (_rename_recognition, "the field 'thanks' in word/document.xml is not declared"),
        (_rename_recognition, "the declared field 'recognition'"),
        (_declare_kept_private_a_date, "is a text control but is declared as a date picker"),
    ],
)
def test_generate_refuses_templates_that_do_not_match_their_declarations(tmp_path, edit, expected):
    """A control without a tag or one its declaration lacks would send that answer of every
    return to the Review sheet; a declared question gone would keep every form incomplete:
    generate finds what 'templates check' finds, before any packet is written."""
    folder = _copy_templates(tmp_path)
    edit(folder)
    out = tmp_path / "packets"
    result = _generate(folder, out)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "do not match their declarations" in result.output
    assert f"mentordocs templates check {folder}" in result.output
    assert "Nothing was written." in result.output
    assert not out.exists()
    # The forms the edit does not touch are still made.
    untouched = ["goal-sheet", "action-plan"]
    result = _generate(folder, out, *(f"--form={form}" for form in untouched))
    assert result.exit_code == 0, result.output
    assert {p.name.split("_", 1)[1] for p in out.rglob("*.docx")} == {
        f"{form}.docx" for form in untouched
    }


def test_generate_lists_at_most_a_dozen_template_problems(tmp_path):
    folder = _copy_templates(tmp_path)
    # Every control of the terms of engagement loses its tag and title, as LibreOffice 7.4's
    # re-save does (see below for the real thing).
    template = folder / "terms-of-engagement.docx"
    with zipfile.ZipFile(template) as package:
        members = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    untagged = 0
    for marker in [*root.iter(W + "tag"), *root.iter(W + "alias")]:
        marker.getparent().remove(marker)
        untagged += 1
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    result = _generate(folder, tmp_path / "packets", "--form", "terms-of-engagement")
    assert result.exit_code == 1
    listed = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(listed) == 12
    more = re.search(r"^  \.\.\. and (\d+) more$", result.output, re.M)
    assert more and untagged > 24
    # Each control once, as 'templates check' counts them (not once per pair's value: the
    # pairs' data stays out of the message too).
    checked = CliRunner().invoke(cli, ["templates", "check", str(folder)]).output
    counted = re.search(r"(\d+) problems in the templates", checked)
    assert counted and 12 + int(more.group(1)) == int(counted.group(1))
    assert "Monday" not in result.output and "Tuesday" not in result.output


def test_a_roster_without_every_plan_type_is_no_reason_to_call_a_field_missing(tmp_path):
    """A field only a Mutual growth or Coaching plan shows is not 'missing' from the template
    because the coordinator's roster has only Mentee-focused pairs: the built-in samples are
    rendered beside the roster's pairs (where they can be)."""
    roster = tmp_path / "roster.xlsx"
    workbook = openpyxl.load_workbook(SAMPLE_ROSTER)
    sheet = workbook["Pairs"]
    column = [cell.value for cell in sheet[1]].index("Plan type") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, column).value = "Mentee-focused"
    workbook.save(roster)
    folder = _copy_templates(tmp_path)
    result = CliRunner().invoke(cli, ["templates", "check", str(folder), "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert _generate(folder, tmp_path / "packets", roster=roster).exit_code == 0
    # A real problem is still found with that roster.
    _rename_recognition(folder)
    result = CliRunner().invoke(cli, ["templates", "check", str(folder), "--roster", str(roster)])
    assert result.exit_code == 1
    assert "the declared field 'recognition'" in result.output


def _resaved_by(soffice: str, folder: Path, forms: list[str], tmp_path: Path) -> Path:
    """A templates folder whose ``forms`` were opened and saved as .docx by LibreOffice."""
    from mentordocs.generate.office import convert

    resaved = convert(
        [folder / f"{form}.docx" for form in forms], "docx", tmp_path / "lo", soffice=soffice
    )
    for path in resaved:
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.mark.soffice
def test_templates_saved_by_libreoffice_7_4_are_refused_and_the_cause_named(tmp_path, soffice_74):
    """LibreOffice 7.4 drops every content control's tag when it saves a .docx: a template
    saved by it would send every answer to the Review sheet. Both 'templates check' and
    generate refuse it and say LibreOffice is the cause."""
    forms = ["terms-of-engagement", "confidentiality-agreement"]
    folder = _resaved_by(soffice_74, _copy_templates(tmp_path), forms, tmp_path)
    code, output = _check(folder)
    assert code == 1
    assert "terms-of-engagement.docx: the template was last saved by LibreOffice 7.4" in output
    assert "mentordocs templates copy NEW-FOLDER" in output
    assert "has no tag" in output
    out = tmp_path / "packets"
    result = _generate(folder, out, *(f"--form={form}" for form in forms))
    assert result.exit_code == 1
    assert "has no tag" in result.output
    assert "terms-of-engagement.docx (LibreOffice 7.4" in result.output
    assert "confidentiality-agreement.docx (LibreOffice 7.4" in result.output
    assert not out.exists()


@pytest.mark.soffice
def test_a_template_saved_by_libreoffice_25_is_refused_and_the_cause_named(tmp_path, soffice_25):
    """LibreOffice 25.2 keeps the tags but renames the bookmarks that hold Jinja tags
    ('{{ g.slot }}' becomes '{{_g.slot_}}'): the goal sheet cannot be rendered."""
    folder = _resaved_by(soffice_25, _copy_templates(tmp_path), ["goal-sheet"], tmp_path)
    out = tmp_path / "packets"
    result = _generate(folder, out)
    assert result.exit_code == 1
    assert "goal-sheet.docx" in result.output
    assert "Note: goal-sheet.docx (LibreOffice 25.2" in result.output
    assert "was last saved by LibreOffice" in result.output
    assert not out.exists()


def _delete_anchor(template: Path, field_id: str) -> None:
    """Delete the hidden bookmark named after ``field_id`` (its start and end) from a template,
    as Word's Insert > Bookmark > Delete does."""
    with zipfile.ZipFile(template) as package:
        members = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    starts = [
        el for el in root.iter(W + "bookmarkStart") if el.get(W + "name") == f"_mdf_{field_id}"
    ]
    assert len(starts) == 1
    ends = [
        el for el in root.iter(W + "bookmarkEnd") if el.get(W + "id") == starts[0].get(W + "id")
    ]
    assert len(ends) == 1
    for el in (*starts, *ends):
        el.getparent().remove(el)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)


def test_a_field_renamed_in_its_template_but_not_its_bookmark_is_a_problem(tmp_path):
    """Word keeps a control's hidden bookmark when its Title and Tag are changed: the bookmark
    still names the old field, so collect cannot prove which field an answer is (every
    return's answer would go to Review). Renamed in the declaration too, the template passed
    the check; now the check and generate say so, and deleting the bookmark settles it."""
    folder = _copy_templates(tmp_path)
    _rename_recognition(folder)
    declaration = folder / "terms-of-engagement.json"
    declaration.write_text(
        declaration.read_text(encoding="utf-8").replace('"id": "recognition"', '"id": "thanks"'),
        encoding="utf-8",
    )
    code, output = _check(folder)
    assert code == 1, output
    assert (
        "the content control 'thanks' in word/document.xml sits in the hidden bookmark of the "
        "field 'recognition'" in output
    )
    assert "Insert > Bookmark, tick Hidden bookmarks" in output
    result = _generate(folder, tmp_path / "packets")
    assert result.exit_code == 1 and "hidden bookmark of the field 'recognition'" in result.output
    assert not (tmp_path / "packets").exists()

    # The coordinator deletes the bookmark, as the fix says: a warning is left, no problem.
    _delete_anchor(folder / "terms-of-engagement.docx", "recognition")
    code, output = _check(folder)
    assert code == 0, output
    assert "Warning: " in output
    assert "the field 'thanks' in word/document.xml has no hidden bookmark of its own" in output
    assert "all 6 templates match their declarations" in output
    result = _generate(folder, tmp_path / "packets")
    assert result.exit_code == 0, result.output
    assert "the field 'thanks' in word/document.xml has no hidden bookmark" in result.output
    returned = next((tmp_path / "packets").rglob("*_terms-of-engagement.docx"))
    assert "thanks" in {field.id for field in read_fields(_document(returned.read_bytes()))}


@pytest.mark.parametrize(
    "broken", ["{ pair.meeting_place }}", "pair.meeting_place }}", "{ % if x %}"]
)
def test_a_tag_written_wrong_is_found_before_every_form_prints_it(tmp_path, broken):
    """'{ pair.meeting_place }}' is no tag to Jinja: it passed the check and every form
    printed it as it is."""
    folder = _copy_templates(tmp_path)
    _edit(folder / "terms-of-engagement.docx", "{{ pair.meeting_place }}", broken)
    code, output = _check(folder)
    assert code == 1, output
    assert "holds what looks like a tag but is not one" in output
    assert "terms-of-engagement.docx: the paragraph '" in output
    result = _generate(folder, tmp_path / "packets", "--form", "terms-of-engagement")
    assert result.exit_code == 1
    assert "looks like a tag but is not one" in result.output
    assert not (tmp_path / "packets").exists()


def test_a_template_missing_from_your_folder_says_how_to_put_it_back(tmp_path):
    folder = _copy_templates(tmp_path)
    (folder / "goal-sheet.docx").unlink()
    out = tmp_path / "packets"
    result = _generate(folder, out)
    assert result.exit_code == 1
    assert "goal-sheet.docx does not exist. Put the form's template back: 'mentordocs " in (
        result.output
    )
    assert f"templates copy {folder}'" in result.output
    assert not out.exists()
    # Doing what it says works, and leaves the edited templates alone.
    edited = (folder / "terms-of-engagement.docx").read_bytes()
    assert CliRunner().invoke(cli, ["templates", "copy", str(folder)]).exit_code == 0
    assert (folder / "terms-of-engagement.docx").read_bytes() == edited
    assert _generate(folder, out).exit_code == 0


def _roster_with_own_setting(tmp_path: Path, plan_type: str | None = None) -> Path:
    """The sample roster with a Program setting of the coordinator's own (Program website),
    and, with ``plan_type``, every pair of that plan type."""
    workbook = openpyxl.load_workbook(SAMPLE_ROSTER)
    program = workbook["Program"]
    program.append(["Program website", "https://mentoring.example.org"])
    if plan_type is not None:
        pairs = workbook["Pairs"]
        column = [cell.value for cell in pairs[1]].index("Plan type") + 1
        for row in range(2, pairs.max_row + 1):
            if pairs.cell(row, 1).value:
                pairs.cell(row, column).value = plan_type
    path = tmp_path / f"roster-{plan_type or 'all'}.xlsx"
    workbook.save(path)
    return path


def test_own_settings_in_templates_and_pairs_that_show_one_plan_type_are_no_problem(tmp_path):
    """A template using the coordinator's own setting, generated for one pair (--pair) or a
    roster of one plan type: the fields of the other plan types' sections were called missing
    (the built-in samples, which show them, could not render the own setting) and nothing was
    written. The samples now get the roster's own columns and settings."""
    folder = _copy_templates(tmp_path)
    for form in ("action-plan", "goal-sheet"):
        _edit(
            folder / f"{form}.docx",
            "{{ program.name }}",
            "{{ program.name }} ({{ program.extra.program_website }})",
        )
    every_plan = _roster_with_own_setting(tmp_path)
    one_plan = _roster_with_own_setting(tmp_path, "Mentee-focused")
    for roster, options in ((every_plan, ["--pair", "P01"]), (one_plan, [])):
        out = tmp_path / f"packets-{roster.stem}"
        result = _generate(folder, out, *options, roster=roster)
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(
            cli, ["templates", "check", str(folder), "--roster", str(roster)]
        )
        assert result.exit_code == 0, result.output
    # A declared field missing while samples could not be rendered (here: given without the
    # roster's setting) is a warning that says why, not an error.
    spec = load_form_specs(folder)["action-plan"]
    loaded = load_roster(one_plan)
    problems = check_template(spec, roster_contexts(loaded), sample_contexts())
    missing = [p for p in problems if "is not in the template" in p.message]
    assert missing and all(p.severity == "warning" for p in missing)
    assert "could not be rendered with this template" in missing[0].message
    assert not [p for p in problems if p.severity == "error"]


def test_text_left_in_a_fields_bookmark_when_its_control_was_removed_is_named_so(tmp_path):
    """Word's Remove Content Control keeps the text and the hidden bookmark: collect would take
    that text for the field's answer on every return. It was reported as 'a content control
    with no tag', which the template does not have."""
    folder = _copy_templates(tmp_path)
    template = folder / "confidentiality-agreement.docx"
    with zipfile.ZipFile(template) as package:
        members = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    [start] = [
        el for el in root.iter(W + "bookmarkStart") if el.get(W + "name") == "_mdf_kept_private"
    ]
    control = start.getnext()
    assert control.tag == W + "sdt"
    run = etree.SubElement(etree.Element(W + "r"), W + "t")
    run.text = "Nothing here"
    control.addprevious(run.getparent())
    control.getparent().remove(control)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    code, output = _check(folder)
    assert code == 1
    assert (
        "the text 'Nothing here' in word/document.xml sits in the hidden bookmark of the field "
        "'kept_private' without its content control" in output
    )
    assert "select the bookmark named after 'kept_private' (_mdf_...) and Delete it" in output
    assert "has no tag" not in output


def test_a_template_with_warnings_only_is_no_problem_whoever_saved_it(tmp_path):
    """A template last saved by LibreOffice with only warnings (a field without a bookmark of
    its own) failed the check: the LibreOffice note was counted as a problem."""
    folder = _copy_templates(tmp_path)
    _delete_anchor(folder / "terms-of-engagement.docx", "recognition")
    with zipfile.ZipFile(folder / "terms-of-engagement.docx") as package:
        members = {name: package.read(name) for name in package.namelist()}
    members["docProps/app.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="'
        b'http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        b"<Application>LibreOffice/25.2.3.2$Linux_X86_64 LibreOffice_project/520$Build-2"
        b"</Application></Properties>"
    )
    with zipfile.ZipFile(folder / "terms-of-engagement.docx", "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    code, output = _check(folder)
    assert code == 0, output
    assert "the field 'recognition' in word/document.xml has no hidden bookmark" in output
    assert "last saved by LibreOffice" not in output
    assert _generate(folder, tmp_path / "packets").exit_code == 0
    # With an error too, the note comes first, as a warning: one problem in the templates.
    _rename_recognition(folder)
    code, output = _check(folder)
    assert code == 1
    assert output.index("last saved by LibreOffice 25.2.3.2") < output.index("'thanks'")
    assert (
        "Warning: " + str(folder / "terms-of-engagement.docx") + ": the template was last" in output
    )
    assert "2 problems in the templates" in output  # 'thanks' undeclared, 'recognition' gone


def test_a_section_that_uses_an_own_column_does_not_have_its_fields_called_deleted(tmp_path):
    """Without --roster, the sample pairs that show the coaching section could not render its
    own column: the section's fields were errors saying to remove them from the .json."""
    campus = "Coaching: observing each other at {{ pair.extra.campus }}"
    code, output = _check(
        _edited_copy(tmp_path, "action-plan", "Coaching: observing each other", campus)
    )
    assert code == 1  # the undefined column itself is a problem
    assert "campus" in output
    missing = [line for line in output.splitlines() if "'observation_frequency'" in line]
    assert missing and all(line.startswith("Warning: ") for line in missing), output
    assert "run 'mentordocs templates check DIR --roster YOUR-ROSTER'" in missing[0]
