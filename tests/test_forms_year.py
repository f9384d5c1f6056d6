"""The forms of the later rounds of the program's year: ``midpoint-review`` and ``end-review``
(issue 15, point 1; the field ids are the helpers' contract, work/coord/year-contract.md).

Each form is rendered by the repository's renderer with a context from ``build_context`` and a
hand-made ``review`` (what generate gives it: the goals as the pair wrote them, their
commitments and meeting plan), hostile strings included; the files are reopened with
python-docx and lxml and read back with collect's reader (``read_form`` and ``match_fields``).
LibreOffice opens, prints and re-saves them in the tests marked ``soffice`` (and 25.2's).
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from openxml_audit import OpenXmlValidator
from pypdf import PdfReader
from test_forms_libreoffice import GREY, painted, squeezed
from test_roundtrip import fill_docx, planned_values

from mentordocs.collect import read_form
from mentordocs.collect.matching import match_fields
from mentordocs.forms import (
    SIGNATURE_FIELD_IDS,
    FormSpec,
    blank_required,
    load_form_spec,
    signed_by,
)
from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.office import convert
from mentordocs.generate.render import CompiledTemplate
from mentordocs.ooxml import controls, ns
from mentordocs.ooxml.fields import read_fields

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
YEAR_FORMS = ("midpoint-review", "end-review")
GROUPS = ("goal", "mentor_goal", "joint_goal")
W = f"{{{controls.W_NS}}}"
W14 = f"{{{controls.W14_NS}}}"
KIND_MARKERS = {"checkbox": W14 + "checkbox", "date": W + "date", "dropdown": W + "dropDownList"}

# The contract, as written there: id -> (kind, required, confidential, choices).
MIDPOINT_STATUSES = ("On track", "At risk", "Done", "Changed", "Dropped")
FINAL_STATUSES = ("Achieved", "Partly achieved", "Not achieved", "Changed", "Dropped")
SIGNATURES = {
    "mentor_sign_name": ("text", True, False, ()),
    "mentor_sign_date": ("date", True, False, ()),
    "mentor_agree": ("checkbox", True, False, ()),
    "mentee_sign_name": ("text", True, False, ()),
    "mentee_sign_date": ("date", True, False, ()),
    "mentee_agree": ("checkbox", True, False, ()),
}
CONTRACT = {
    "midpoint-review": {
        **{
            f"{p}_{{n}}_{key}": (kind, True, False, choices)
            for p in GROUPS
            for key, kind, choices in (
                ("goal", "text", ()),
                ("progress", "text", ()),
                ("evidence", "text", ()),
                ("status", "dropdown", MIDPOINT_STATUSES),
                ("next_step", "text", ()),
            )
        },
        "commitments_kept": ("dropdown", True, False, ("Yes, all of them", "Mostly", "Not yet")),
        "commitments_revisit": ("text", False, False, ()),
        "meetings_held": ("text", True, False, ()),
        "meetings_review": ("text", True, False, ()),
        "second_half_changes": ("text", True, False, ()),
        **SIGNATURES,
    },
    "end-review": {
        **{
            f"{p}_{{n}}_{key}": (kind, True, False, choices)
            for p in GROUPS
            for key, kind, choices in (
                ("goal", "text", ()),
                ("final_status", "dropdown", FINAL_STATUSES),
                ("evidence", "text", ()),
            )
        },
        "mentee_learned": ("text", True, False, ()),
        "mentee_will_keep": ("text", True, False, ()),
        "mentor_growth": ("text", True, False, ()),
        "relationship_review": ("text", True, False, ()),
        "terms_kept": ("dropdown", True, False, ("Yes", "Mostly", "No")),
        "continue_informally": ("dropdown", True, False, ("Yes", "No", "Not decided yet")),
        "program_feedback": ("text", False, True, ()),
        **SIGNATURES,
    },
}
HEADINGS = {  # the heading of each group on the forms (the goal sheet's)
    "goal": "The mentee's goals",
    "mentor_goal": "The mentor's growth goals",
    "joint_goal": "Our coaching goals",
}

HOSTILE_GOAL = (
    'Ask <b>more</b> & "open" questions {{ mentor.name }} {% if x %}{%p endif %} '
    "‘quoted’ \u05e9\u05dc\u05d5\u05dd 日本語 \U0001f600\nand a second line "
    + "with a long tail of words "
    * 12
).strip()
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


def spec_of(form: str, folder: Path = TEMPLATES) -> FormSpec:
    return load_form_spec(folder / f"{form}.json", expected_form=form)


@pytest.fixture(scope="module")
def compiled() -> dict[str, CompiledTemplate]:
    out = {}
    for form in YEAR_FORMS:
        spec = spec_of(form)
        out[form] = CompiledTemplate.load(spec.template_path, version=spec.version)
    return out


def goal(slot: int, whose: str, text: str, **more: str) -> dict[str, object]:
    """One goal of ``review.goals`` as the contract gives it."""
    out: dict[str, object] = {
        "slot": slot,
        "whose": whose,
        "text": text,
        "measure": "",
        "target_date": "",
        "target_date_long": "",
        "target_date_iso": "",
        "target_date_full": "",
        "midpoint_status": "",
        "midpoint_progress": "",
        "next_step": "",
    }
    out.update(more)
    return out


def review(stage: str, goals: dict[str, list], **more: object) -> dict[str, object]:
    """A ``review`` context as generate builds it (contract), goals as given."""
    out: dict[str, object] = {
        "stage": stage,
        "goals": {group: goals.get(group, []) for group in GROUPS},
        "goals_source": "goal-sheet",
        "goals_source_text": "as you wrote them in your goal sheet (returned 3 October 2026)",
        "commitments": [
            {"area": "Attendance", "text": "We will start and end on time."},
            {"area": "How we interact", "text": 'We will <listen> & "build" on {{ ideas }}'},
        ],
        "commitments_source_text": "as you wrote them in your action plan (returned 3 October 2026)",
        "meetings_agreed": "Every other Tuesday at 15:30, 45 minutes, in person",
        "due_date": "29 January 2027",
        "due_date_long": "Friday 29 January 2027",
        "due_date_iso": "2027-01-29",
        "due_date_full": "2027-01-29T00:00:00Z",
    }
    out.update(more)
    return out


def roster_goals(context: dict) -> dict[str, list]:
    """The review goals of a sample pair: its roster goals (the form's last resort)."""
    return {
        group: [
            goal(g["slot"], g["whose"], g["goal"], measure=g["measure"])
            for g in context[key]
            if g["goal"]
        ]
        for group, key in (
            ("goal", "goals"),
            ("mentor_goal", "mentor_goals"),
            ("joint_goal", "joint_goals"),
        )
    }


def sample_context(index: int, stage: str, goals: dict[str, list] | None = None, **more):
    """``build_context`` of sample pair ``index`` plus a review of ``stage``."""
    roster = sample_roster()
    context = build_context(roster, roster.pairs[index])
    context["review"] = review(stage, roster_goals(context) if goals is None else goals, **more)
    return context


def stage_of(form: str) -> str:
    return "midpoint" if form == "midpoint-review" else "end"


def render(compiled, form: str, context: dict) -> bytes:
    return compiled[form].render(context, {"mentordocs.form": form}, validate=True)


def document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def text_of(data: bytes) -> str:
    """The document's text, a paragraph a line (line breaks inside one as spaces)."""
    lines = []
    for p in document(data).iter(W + "p"):
        parts = []
        for node in p.iter(W + "t", W + "br"):
            parts.append(node.text or "" if node.tag == W + "t" else "\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def read_back(data: bytes, form: str) -> dict[str, object]:
    """The answers as collect reads a returned form: proven values by field id."""
    reading = read_form(data, f"P001_{form}.docx")
    return match_fields(reading.fields, spec_of(form), None).values


def expected_ids(form: str, goals: dict[str, list]) -> set[str]:
    slots = {group: [g["slot"] for g in goals.get(group, [])] for group in GROUPS}
    out = set()
    for item in spec_of(form).fields:
        if item.repeated:
            out |= {item.concrete(n) for n in slots[item.group or ""]}
        else:
            out.add(item.id)
    return out


# ---- the declarations ------------------------------------------------------------------------


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_declarations_are_the_contracts(form):
    spec = spec_of(form)
    assert spec.stage == stage_of(form)
    assert (spec.title, spec.version) == {
        "midpoint-review": ("Mid-point check-in", "1.0"),
        "end-review": ("End-of-program review", "1.0"),
    }[form]
    found = {f.id: (f.kind, f.required, f.confidential, f.choices) for f in spec.fields}
    assert found == CONTRACT[form]
    assert tuple(f.id for f in spec.fields[-6:]) == SIGNATURE_FIELD_IDS
    for item in spec.fields:
        assert item.required_instances is None, item.id  # every goal present is required
        if item.repeated:
            assert item.group == item.id.split("_{n}_")[0], item.id
    assert spec.confidential_ids == (("program_feedback",) if form == "end-review" else ())


def test_builder_writes_the_committed_year_forms(tmp_path):
    module = importlib.util.spec_from_file_location(
        "build_templates", TEMPLATES / "build_templates.py"
    )
    builder = importlib.util.module_from_spec(module)
    module.loader.exec_module(builder)
    assert builder.main(["build_templates.py", str(tmp_path)]) == 0
    for form in YEAR_FORMS:
        for suffix in (".docx", ".json"):
            name = f"{form}{suffix}"
            assert (tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes(), (
                f"templates/{name} is out of date: run python templates/build_templates.py"
            )
        assert spec_of(form, tmp_path).stage == stage_of(form)


# ---- rendered: every field a tagged control, goals prefilled ---------------------------------


@pytest.mark.parametrize("form", YEAR_FORMS)
@pytest.mark.parametrize("index", range(5))
def test_every_field_is_a_tagged_control_of_its_kind(compiled, form, index):
    """For a pair of each plan type (its goals from the roster): exactly the fields of the
    goals it has, each a content control tagged and titled with its id, of the declared
    kind; prompts grey, in rich-text controls; the goals prefilled."""
    context = sample_context(index, stage_of(form))
    goals = context["review"]["goals"]
    data = render(compiled, form, context)
    docx.Document(io.BytesIO(data))  # opens cleanly
    spec = spec_of(form)
    found = []
    root = document(data)
    for sdt in root.iter(W + "sdt"):
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
        if declared.kind == "dropdown":
            items = pr.findall(f"{W}dropDownList/{W}listItem")
            assert tuple(i.get(W + "value") for i in items) == declared.choices
        showing = pr.find(W + "showingPlcHdr") is not None
        styles = {s.get(W + "val") for s in sdt.iter(W + "rStyle")}
        assert showing == (controls.PLACEHOLDER_STYLE in styles), tag
        if declared.kind == "text" and showing:
            assert pr.find(W + "text") is None, f"{tag} shows its prompt in plain text"
        assert sdt.getparent().tag == W + "p"
        found.append(tag)
    assert len(found) == len(set(found)), "a field id is used twice"
    assert set(found) == expected_ids(form, goals)
    # every field sits in a bookmark named after it (LibreOffice keeps those)
    names = {b.get(W + "name") for b in root.iter(W + "bookmarkStart")}
    assert {ns.anchor_name(tag) for tag in found} <= names
    values = read_back(data, form)
    for group in GROUPS:
        for g in goals[group]:
            assert values[f"{group}_{g['slot']}_goal"] == g["text"]
    # a group shows only when the pair has goals in it
    text = text_of(data)
    for group, heading in HEADINGS.items():
        assert (heading in text) == bool(goals[group]), (group, heading)


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_hostile_goals_are_prefilled_verbatim_in_their_slots(compiled, form):
    goals = {
        "goal": [goal(1, "Mentee", HOSTILE_GOAL), goal(4, "Mentee", "Goal & <four>")],
        "mentor_goal": [goal(2, "Mentor", "{{ review.goals }} {%p if 1 %}")],
        "joint_goal": [goal(1, "Joint", "Écouter — 聞く — 😀\r\nline")],
    }
    data = render(compiled, form, sample_context(4, stage_of(form), goals))
    values = read_back(data, form)
    assert values["goal_1_goal"] == HOSTILE_GOAL
    assert values["goal_4_goal"] == "Goal & <four>"
    assert values["mentor_goal_2_goal"] == "{{ review.goals }} {%p if 1 %}"
    assert values["joint_goal_1_goal"] == "Écouter — 聞く — 😀\nline"
    assert "goal_2_goal" not in values and "goal_3_goal" not in values
    # the prefilled goal is the control's content (black, editable), not its prompt
    for field in read_fields(document(data)):
        if field.id.endswith("_goal") and field.id.count("_") >= 2:
            assert not field.placeholder, field.id
    # every other answer of the goal is empty, waiting for the pair
    assert values["goal_1_evidence"] == ""
    assert set(values) == expected_ids(form, goals)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE)
def test_any_goal_text_arrives_verbatim(compiled, value):
    goals = {"goal": [goal(1, "Mentee", value)], "joint_goal": [goal(2, "Joint", value)]}
    for form in YEAR_FORMS:
        values = read_back(render(compiled, form, sample_context(4, stage_of(form), goals)), form)
        assert values["goal_1_goal"] == value
        assert values["joint_goal_2_goal"] == value


def test_every_rendered_year_form_is_valid_wordprocessingml(compiled, tmp_path):
    """openxml-audit (the Open XML SDK's rules) finds nothing wrong, for every plan type, with
    hostile goals, the mid-point's answers and no goals at all."""
    validator = OpenXmlValidator()
    failures = {}
    hostile = {
        "goal": [
            goal(1, "Mentee", HOSTILE_GOAL, measure="<m> & {{ m }}", target_date="1 May 2027")
        ],
        "joint_goal": [goal(2, "Joint", "J & <j>", midpoint_status="At risk", next_step="N")],
    }
    for form in YEAR_FORMS:
        contexts = [sample_context(index, stage_of(form)) for index in range(5)]
        contexts += [
            sample_context(0, stage_of(form), hostile),
            sample_context(0, stage_of(form), {}),
        ]
        for number, context in enumerate(contexts):
            path = tmp_path / f"{number}_{form}.docx"
            path.write_bytes(render(compiled, form, context))
            result = validator.validate(str(path))
            if not result.is_valid:
                failures[path.name] = [str(error) for error in result.errors[:5]]
    assert failures == {}


# ---- what the forms say ----------------------------------------------------------------------


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_the_form_says_where_the_goals_come_from(compiled, form):
    goals = {"goal": [goal(1, "Mentee", "Build routines")]}
    sheet = render(compiled, form, sample_context(0, stage_of(form), goals))
    assert (
        "The goals below are as you wrote them in your goal sheet (returned 3 October 2026)."
        in (text_of(sheet))
    )
    assert "write yours over it" not in text_of(sheet)
    source = "from the program's roster: your goal sheet & <action plan> have not come back"
    context = sample_context(0, stage_of(form), goals, goals_source="roster")
    context["review"]["goals_source_text"] = source
    text = text_of(render(compiled, form, context))
    assert f"The goals below are {source}." in text
    assert "If a goal is not the one you have been working on, write yours over it." in text


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_a_pair_without_goals_is_told_what_to_do(compiled, form):
    data = render(compiled, form, sample_context(0, stage_of(form), {}))
    text = text_of(data)
    assert "No goals are on record for you" in text
    assert not any(heading in text for heading in HEADINGS.values())
    assert set(read_back(data, form)) == expected_ids(form, {})


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_the_due_date_and_the_pair_are_in_the_title_block(compiled, form):
    text = text_of(render(compiled, form, sample_context(0, stage_of(form))))
    assert "by Friday 29 January 2027." in text
    assert "Pair P001 · Mentor 1 (mentor) and Mentee 1 (mentee)" in text
    assert spec_of(form).title in text


def test_the_midpoint_lists_the_pairs_commitments_and_meetings(compiled):
    meetings = 'Every Tuesday at 15:30 <room "12"> & {{ online }}\nor by video'
    context = sample_context(0, "midpoint", meetings_agreed=meetings)
    data = render(compiled, "midpoint-review", context)
    text = text_of(data)
    assert "The commitments below are as you wrote them in your action plan" in text
    assert 'We will <listen> & "build" on {{ ideas }}' in text
    assert "How we interact" in text
    assert meetings in text
    context["review"]["commitments"] = []
    context["review"]["meetings_agreed"] = ""
    text = text_of(render(compiled, "midpoint-review", context))
    assert "No commitments are on record for you" in text
    assert "Your meeting schedule" not in text


def test_the_end_review_shows_the_midpoint_answers_when_known(compiled):
    goals = {
        "goal": [
            goal(
                1,
                "Mentee",
                "Routines",
                midpoint_status="At risk",
                midpoint_progress="Two of five <routines> & more",
                next_step="Ask for an observation",
            ),
            goal(2, "Mentee", "A unit plan"),
        ]
    }
    meetings = "Weekly & <online> {{ x }}"
    context = sample_context(0, "end", goals, meetings_agreed=meetings)
    text = text_of(render(compiled, "end-review", context))
    assert f"Your meeting schedule:\n{meetings}" in text  # beside the relationship questions
    assert "At risk: Two of five <routines> & more" in text
    assert "Ask for an observation" in text
    assert text.count("At the mid-point check") == 1  # goal 2 has no mid-point answers
    assert text.count("The next step you set then") == 1


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_prompts_say_what_to_write(compiled, form):
    data = render(compiled, form, sample_context(4, stage_of(form)))
    prompts = {
        f.id: f.value for f in read_fields(document(data), placeholder_text=True) if f.placeholder
    }
    spec = spec_of(form)
    for field_id, prompt in prompts.items():
        kind = spec.match(field_id).kind
        expected = {"date": "Pick a date", "dropdown": "Choose one"}.get(kind)
        if expected:
            assert prompt == expected, field_id
        else:  # a text prompt is a sentence about this answer, never a generic one
            assert prompt != "Type here" and len(str(prompt).split()) >= 3, (field_id, prompt)
    # everything the pair writes shows its prompt, but the goals they wrote (and tick boxes)
    goals = sample_context(4, stage_of(form))["review"]["goals"]
    prefilled = {f"{group}_{g['slot']}_goal" for group in GROUPS for g in goals[group]}
    ticks = {"mentor_agree", "mentee_agree"}
    assert set(prompts) == expected_ids(form, goals) - prefilled - ticks


@pytest.mark.parametrize("form", YEAR_FORMS)
def test_required_fields_signatures_and_confidential_feedback(compiled, form, tmp_path):
    """A blank form owes every answer of every goal it shows (required_instances unset);
    filled in and signed, it owes nothing."""
    goals = {
        "goal": [goal(n, "Mentee", f"Goal {n}") for n in (1, 2, 3, 4, 5)],
        "mentor_goal": [goal(1, "Mentor", "Open questions")],
    }
    data = render(compiled, form, sample_context(1, stage_of(form), goals))
    spec = spec_of(form)
    values = read_back(data, form)
    blank = blank_required(values, spec)
    slots = [("goal", n) for n in range(1, 6)] + [("mentor_goal", 1)]
    asked = [i.split("_{n}_")[1] for i in spec.ids if i.startswith("goal_{n}_")]
    per_goal = {f"{group}_{n}_{key}" for group, n in slots for key in asked if key != "goal"}
    singles = {i for i in spec.required_ids if "{n}" not in i}  # unticked boxes too
    assert set(blank) == per_goal | singles
    assert not any(i.endswith("_goal") for i in blank)  # prefilled
    assert not signed_by(values, "mentor") and not signed_by(values, "mentee")
    path = tmp_path / f"P002_{form}.docx"
    path.write_bytes(data)
    filled = planned_values(path, spec, "P002")
    filled.update(mentor_agree=True, mentee_agree=True)
    back = read_back(fill_docx(data, filled), form)
    assert blank_required(back, spec) == []
    assert signed_by(back, "mentor") and signed_by(back, "mentee")
    assert back == filled


# ---- LibreOffice -------------------------------------------------------------------------------


def year_forms(compiled, folder: Path) -> list[Path]:
    """Both forms of a pair with every kind of goal, on US Letter, hostile goal text."""
    roster = sample_roster()
    roster.program.paper_size = "Letter"
    pair = next(p for p in roster.pairs if p.plan_type == "Mutual growth + Coaching")
    context = build_context(roster, pair)
    goals = roster_goals(context)
    goals["goal"][0]["text"] = HOSTILE_GOAL
    goals["goal"][1].update(midpoint_status="On track", midpoint_progress="Half a unit")
    folder.mkdir(parents=True)
    paths = []
    for form in YEAR_FORMS:
        context["review"] = review(stage_of(form), goals)
        path = folder / f"{pair.pair_id}_{form}.docx"
        path.write_bytes(render(compiled, form, context))
        paths.append(path)
    return paths


def check_in_libreoffice(soffice: str, compiled, tmp_path: Path) -> None:
    forms = year_forms(compiled, tmp_path / "forms")
    pdfs = convert(forms, "pdf", tmp_path / "pdf", soffice=soffice)
    for form, pdf in zip(forms, pdfs, strict=True):
        reader = PdfReader(pdf)
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792), pdf.name
        pieces = painted(pdf)
        grey = squeezed(" ".join(text for colour, text in pieces if colour == GREY))
        shown = [
            str(f.value)
            for f in read_fields(document(form.read_bytes()), placeholder_text=True)
            if f.placeholder and f.kind != "checkbox"
        ]
        black = [p for p in dict.fromkeys(shown) if squeezed(p) not in grey]
        assert black == [], f"{pdf.name}: prompts not printed grey: {black}"
        printed = squeezed(" ".join(text for _, text in pieces))
        assert squeezed('Ask <b>more</b> & "open" questions') in printed
    # filled in, re-saved by LibreOffice as .docx: every answer comes back proven
    filled = {}
    for path in forms:
        form = path.stem.split("_", 1)[1]
        values = planned_values(path, spec_of(form), "P005")
        path.write_bytes(fill_docx(path.read_bytes(), values))
        filled[form] = values
    resaved = convert(forms, "docx", tmp_path / "resaved", soffice=soffice)
    for path in resaved:
        form = path.stem.split("_", 1)[1]
        back = match_fields(read_form(path).fields, spec_of(form), None).values
        for field_id, value in filled[form].items():
            got = back.get(field_id)
            if isinstance(value, str) and isinstance(got, str):
                got, value = got.replace("\t", " "), value.replace("\t", " ")
            assert got == value, (path.name, field_id)


@pytest.mark.soffice
def test_libreoffice_74_prints_prompts_grey_and_gives_every_answer_back(
    soffice_74, compiled, tmp_path
):
    check_in_libreoffice(soffice_74, compiled, tmp_path)


def test_libreoffice_25_prints_prompts_grey_and_gives_every_answer_back(
    soffice_25, compiled, tmp_path
):
    check_in_libreoffice(soffice_25, compiled, tmp_path)


@pytest.mark.soffice
def test_the_year_templates_themselves_open_in_libreoffice(soffice, tmp_path):
    templates = [spec_of(form).template_path for form in YEAR_FORMS]
    pdfs = convert(templates, "pdf", tmp_path / "pdf", soffice=soffice)
    assert [p.stem for p in pdfs] == list(YEAR_FORMS)
    assert all(len(PdfReader(p).pages) >= 1 for p in pdfs)
