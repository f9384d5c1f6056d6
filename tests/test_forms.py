"""The form registry (forms.py), the template context (context.py) and the content-control builders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from mentordocs.forms import (
    FORM_IDS,
    SIGNATURE_FIELD_IDS,
    FormSpecError,
    form_spec_to_json,
    form_stage,
    load_form_spec,
    load_form_specs,
    stage_forms,
    templates_dir,
)
from mentordocs.generate.context import (
    EMPTY_COMMITMENT_SLOTS,
    build_context,
    format_date,
    format_date_long,
    sample_roster,
)
from mentordocs.models import PLAN_TYPES, Commitment, Goal
from mentordocs.ooxml import controls as fields
from mentordocs.ooxml.fields import read_fields

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# ---- the declarations ---------------------------------------------------------------------------


def test_every_form_is_declared_in_packet_order():
    specs = load_form_specs(TEMPLATES)
    packet = ("action-plan", "terms-of-engagement", "goal-sheet", "confidentiality-agreement")
    assert tuple(specs) == FORM_IDS == (*packet, "midpoint-review", "end-review")
    # The packet is the start's forms; each later round of the year has its own.
    assert stage_forms() == stage_forms("start") == packet
    assert stage_forms("midpoint") == ("midpoint-review",)
    assert stage_forms("end") == ("end-review",)
    assert tuple(load_form_specs(TEMPLATES, stage="start")) == packet
    with pytest.raises(ValueError, match="unknown stage 'autumn'"):
        stage_forms("autumn")
    for form, spec in specs.items():
        assert spec.form == form
        assert spec.stage == form_stage(form)
        versions = {"goal-sheet": "2.1"}  # 2.1: progress and status asked once, later
        assert spec.version == versions.get(form, "2.0" if form in packet else "1.0")
        assert spec.template_path == TEMPLATES / f"{form}.docx"
        assert spec.template_path.is_file()


def test_shipped_templates_are_the_repositorys_templates():
    # Installed from a wheel, templates_dir() is inside the package; in a checkout it is
    # templates/. Either way the forms are the repository's, byte for byte.
    assert (templates_dir() / "action-plan.docx").is_file()
    specs = load_form_specs()
    assert specs.keys() == load_form_specs(TEMPLATES).keys()
    for spec in specs.values():
        shipped = spec.template_path.read_bytes()
        assert shipped == (TEMPLATES / spec.template_path.name).read_bytes()


@pytest.mark.parametrize("form", FORM_IDS)
def test_every_form_ends_with_the_required_signature_block(form):
    spec = load_form_specs(TEMPLATES)[form]
    assert spec.ids[-6:] == SIGNATURE_FIELD_IDS
    for field_id in SIGNATURE_FIELD_IDS:
        assert spec.field(field_id).required
    assert spec.field("mentor_agree").kind == "checkbox"
    assert spec.field("mentee_sign_date").kind == "date"


@pytest.mark.parametrize("form", FORM_IDS)
def test_field_ids_are_well_formed_and_repeated_ones_name_their_group(form):
    spec = load_form_specs(TEMPLATES)[form]
    for item in spec.fields:
        assert re.fullmatch(r"[a-z0-9_]*(\{n\}[a-z0-9_]*)?", item.id), item.id
        if item.repeated:
            assert item.group and "{n}" in item.label
        if item.kind == "dropdown":
            assert item.choices


def test_goal_fields_match_concrete_ids_and_give_their_instance():
    sheet = load_form_specs(TEMPLATES)["goal-sheet"]
    assert sheet.match("goal_3_measure").id == "goal_{n}_measure"
    # asked by the mid-point check-in and the end review, not the goal sheet (version 2.1)
    for asked_later in ("goal_3_midpoint_progress", "goal_3_status", "joint_goal_1_status"):
        assert sheet.match(asked_later) is None
    assert sheet.field("goal_12_target_date").kind == "date"
    assert sheet.instance("goal_12_goal") == 12
    assert sheet.match("goal_0_goal") is None
    assert sheet.match("goal_x_goal") is None
    assert sheet.match("mentor_agree").id == "mentor_agree"
    assert sheet.instance("mentor_agree") is None
    with pytest.raises(KeyError):
        sheet.field("nonsense")
    assert sheet.field("goal_{n}_horizon").choices == ("Short-term", "Long-term")
    assert set(sheet.groups) == {"goal", "mentor_goal", "joint_goal"}
    # Whose goal it is shows in the id: the mentor's own growth goals and joint goals.
    assert sheet.match("mentor_goal_2_target_date").id == "mentor_goal_{n}_target_date"
    assert sheet.instance("joint_goal_1_goal") == 1
    assert sheet.match("goal_1_goal").group == "goal"


def test_expand_lists_concrete_ids_per_group():
    sheet = load_form_specs(TEMPLATES)["goal-sheet"]
    ids = [field_id for field_id, _ in sheet.expand({"goal": 2})]
    assert ids[:3] == ["goal_1_goal", "goal_2_goal", "goal_1_horizon"]
    assert "goal_3_goal" not in ids
    assert ids[-6:] == list(SIGNATURE_FIELD_IDS)


def test_required_and_confidential_ids():
    specs = load_form_specs(TEMPLATES)
    confidentiality = specs["confidentiality-agreement"]
    assert "off_limits" in confidentiality.confidential_ids
    assert "off_limits" in confidentiality.required_ids
    assert "kept_private" in confidentiality.confidential_ids
    terms = specs["terms-of-engagement"]
    assert "derailers" not in terms.confidential_ids
    assert "goals_basis" in specs["action-plan"].confidential_ids
    assert "goal_{n}_goal" in specs["goal-sheet"].required_ids
    # Pairs set three to five goals: the required goal fields are required for goals 1 to 3;
    # a mentor's or a joint goal: the first one only (shown only for the plans that have them).
    declared = json.loads((TEMPLATES / "goal-sheet.json").read_text(encoding="utf-8"))
    for group, first in (("goal", 3), ("mentor_goal", 1), ("joint_goal", 1)):
        goal_fields = [item for item in declared["fields"] if item.get("group") == group]
        assert goal_fields
        for item in goal_fields:
            assert item.get("required_instances") == (first if item["required"] else None), item
    # The goals are asked once, on the goal sheet: the action plan refers to it.
    assert not [item for item in specs["action-plan"].fields if "goal_{n}" in item.id]
    # Seed 001 invites the pair to add their own ground rules: a free, optional answer.
    other = terms.field("other_agreements")
    assert (other.kind, other.required, other.confidential) == ("text", False, False)
    assert other.label == "Anything else we agree on"
    # Sections shown only for some plan types are never required (a repeated one may be, in
    # the instances the form shows: they are in a return only when the form has them).
    plan = specs["action-plan"]
    for field_id in ("mentor_goals_basis", "mutual_support", "observation_{n}_seen"):
        assert not plan.field(field_id).required
    assert "mentor_goals_basis" in plan.confidential_ids


def _write(tmp_path: Path, data: object, name: str = "goal-sheet.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_broken_json_names_the_file_line_and_column(tmp_path):
    path = _write(tmp_path, '{"form": "goal-sheet",\n "title": "x" "version": "1.0"}')
    with pytest.raises(FormSpecError, match=r"goal-sheet\.json: not valid JSON at line 2, column"):
        load_form_spec(path)


def test_every_problem_in_a_declaration_is_listed(tmp_path):
    data = {
        "form": "goal-sheet",
        "title": "Goal sheet",
        "version": "1.0",
        "fields": [
            {"id": "Goal One", "label": "x", "kind": "text"},
            {"id": "a", "label": "A", "kind": "slider"},
            {"id": "b", "label": "B", "kind": "dropdown"},
            {"id": "c_{n}", "label": "C {n}", "kind": "text"},
            {"id": "d", "label": "D", "kind": "text", "required": "yes"},
            {"id": "e", "label": "E", "kind": "text"},
            {"id": "e", "label": "E again", "kind": "text"},
        ],
    }
    with pytest.raises(FormSpecError) as info:
        load_form_spec(_write(tmp_path, data), expected_form="goal-sheet")
    message = str(info.value)
    assert "goal-sheet.json: 6 problem(s)" in message
    assert "field 1 (Goal One): 'id' must be lowercase" in message
    assert (
        "field 2 (a): 'kind' must be one of text, checkbox, date, dropdown (not 'slider')"
        in message
    )
    assert "field 3 (b): a dropdown must list its 'choices'" in message
    assert "field 4 (c_{n}): a repeated field ('{n}' in its id) must name its 'group'" in message
    assert "field 5 (d): 'required' must be true or false" in message
    assert "field 7 (e): the id is declared twice" in message


def test_required_instances_limits_which_repeated_slots_are_required(tmp_path):
    goal = load_form_specs(TEMPLATES)["goal-sheet"].field("goal_{n}_goal")
    assert goal.required_instances == 3
    assert goal.required_in(3) and not goal.required_in(4)
    data = {
        "form": "goal-sheet",
        "title": "Goal sheet",
        "version": "1.0",
        "fields": [
            {
                "id": "g_{n}",
                "label": "G {n}",
                "kind": "text",
                "group": "g",
                "required": True,
                "required_instances": 0,
            },
            {"id": "h", "label": "H", "kind": "text", "required": True, "required_instances": 2},
        ],
    }
    with pytest.raises(FormSpecError) as info:
        load_form_spec(_write(tmp_path, data), expected_form="goal-sheet")
    assert str(info.value).count("'required_instances' must be a whole number from 1") == 2


def test_a_form_declares_its_stage_of_the_year(tmp_path):
    assert {
        spec.stage
        for spec in load_form_specs(TEMPLATES).values()
        if spec.form
        in ("action-plan", "terms-of-engagement", "goal-sheet", "confidentiality-agreement")
    } == {"start"}
    data = {
        "form": "goal-sheet",
        "title": "T",
        "version": "1.0",
        "stage": "midpoint",
        "fields": [{"id": "a", "label": "A", "kind": "text"}],
    }
    spec = load_form_spec(_write(tmp_path, data), expected_form="goal-sheet")
    assert spec.stage == "midpoint"
    assert form_spec_to_json(spec)["stage"] == "midpoint"
    data["stage"] = "autumn"
    with pytest.raises(FormSpecError, match="'stage' must be one of start, midpoint, end"):
        load_form_spec(_write(tmp_path, data), expected_form="goal-sheet")


def test_a_declaration_for_another_form_is_refused(tmp_path):
    data = {
        "form": "action-plan",
        "title": "T",
        "version": "1.0",
        "fields": [{"id": "a", "label": "A", "kind": "text"}],
    }
    with pytest.raises(
        FormSpecError, match="'form' is 'action-plan' but the file is for 'goal-sheet'"
    ):
        load_form_spec(_write(tmp_path, data), expected_form="goal-sheet")


def test_missing_declaration_and_missing_folder(tmp_path):
    with pytest.raises(FormSpecError, match="declaration is missing"):
        load_form_spec(tmp_path / "goal-sheet.json")
    with pytest.raises(FormSpecError, match="does not exist"):
        load_form_specs(tmp_path / "nowhere")


# ---- the context ----------------------------------------------------------------------------------


def _plain(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, float, bool))


def test_context_is_plain_picklable_data():
    roster = sample_roster()
    for pair in roster.pairs:
        context = build_context(roster, pair)
        assert _plain(context)
        assert pickle.loads(pickle.dumps(context)) == context


def test_context_keeps_roster_values_exactly():
    roster = sample_roster()
    pair = roster.pairs[0]
    hostile = "A & B <c> \"d\" 'e' {{ x }} {% if %} 😀 עברית\nsecond line"
    pair.mentor.name = hostile
    pair.meeting_place = hostile
    pair.goals[0].goal = hostile
    roster.program.name = hostile
    context = build_context(roster, pair)
    assert context["mentor"]["name"] == hostile
    assert context["pair"]["meeting_place"] == hostile
    assert context["goals"][0]["goal"] == hostile
    assert context["program"]["name"] == hostile


def test_dates_are_given_three_ways():
    roster = sample_roster()
    context = build_context(roster, roster.pairs[0])
    assert context["program"]["start_date"] == "1 September 2026"
    assert context["program"]["start_date_long"] == "Tuesday 1 September 2026"
    assert context["program"]["start_date_iso"] == "2026-09-01"
    assert context["goals"][0]["target_date_iso"] == "2026-12-18"
    assert format_date(None) == format_date_long(None) == ""
    assert format_date_long(dt.date(2027, 1, 29)) == "Friday 29 January 2027"


def test_goal_slots_offer_five_goals_the_rosters_first_and_empty_ones_optional():
    roster = sample_roster()
    pair = roster.pairs[2]
    pair.goals = []
    context = build_context(roster, pair)
    assert [g["slot"] for g in context["goal_slots"]] == [1, 2, 3, 4, 5]
    assert [g["goal"] for g in context["goal_slots"]] == [""] * 5
    assert [g["optional"] for g in context["goal_slots"]] == [False, False, False, True, True]
    assert context["plan_goals"] == context["goal_slots"]
    # Three roster goals: two more slots, empty and optional, in the plan and on the sheet.
    pair.goals = [Goal(pair.pair_id, n, f"Goal text {n}") for n in range(1, 4)]
    context = build_context(roster, pair)
    for key in ("plan_goals", "goal_slots"):
        assert [g["goal"] for g in context[key]] == [
            "Goal text 1",
            "Goal text 2",
            "Goal text 3",
            "",
            "",
        ]
        assert [g["prefilled"] for g in context[key]] == [True, True, True, False, False]
        assert [g["optional"] for g in context[key]] == [False, False, False, True, True]
    # A prefilled fourth goal is not marked optional.
    pair.goals = [Goal(pair.pair_id, n, f"Goal text {n}") for n in range(1, 5)]
    context = build_context(roster, pair)
    assert [g["optional"] for g in context["plan_goals"]] == [False] * 4 + [True]
    # More than five: the sheet shows them all, the plan the first five.
    pair.goals = [Goal(pair.pair_id, n, f"Goal text {n}") for n in range(1, 8)]
    context = build_context(roster, pair)
    assert len(context["goals"]) == len(context["goal_slots"]) == 7
    assert [g["goal"] for g in context["plan_goals"]] == [f"Goal text {n}" for n in range(1, 6)]
    assert not any(g["optional"] for g in context["goal_slots"])


def test_commitments_by_area_are_the_rosters_then_empty_slots():
    roster = sample_roster()
    pair = roster.pairs[0]
    pair.commitments = [
        Commitment("", "Attendance", "We will be on time."),
        Commitment(pair.pair_id, "Attendance", "We will warn each other."),
    ]
    context = build_context(roster, pair)
    attendance = context["commitments"]["attendance"]
    assert [c["text"] for c in attendance] == [
        "We will be on time.",
        "We will warn each other.",
    ] + [""] * EMPTY_COMMITMENT_SLOTS
    assert [c["number"] for c in attendance] == [1, 2, 3, 4]
    assert attendance[0]["program_wide"] and not attendance[1]["program_wide"]
    assert [c["text"] for c in context["commitments"]["other"]] == [""] * EMPTY_COMMITMENT_SLOTS


def test_plan_flags_and_calendar_months():
    roster = sample_roster()
    flags = [build_context(roster, pair)["plan"] for pair in roster.pairs]
    # Mentee-focused, Mutual growth, Coaching, Mentee-focused + Coaching, Mutual growth + Coaching
    assert [f["mentee_focused"] for f in flags] == [True, False, False, True, False]
    assert [f["mutual_growth"] for f in flags] == [False, True, False, False, True]
    assert [f["coaching"] for f in flags] == [False, False, True, True, True]
    assert [f["combined"] for f in flags] == [False, False, False, True, True]
    # Which goal sections the forms show: the mentee's unless the plan is coaching alone, the
    # mentor's with mutual growth, joint ones with coaching.
    assert [f["mentee_goals"] for f in flags] == [True, True, False, True, True]
    assert [f["mentor_goals"] for f in flags] == [False, True, False, False, True]
    assert [f["joint_goals"] for f in flags] == [False, False, True, True, True]
    # A kind of goal the roster gives a pair shows whatever its plan type.
    first = roster.pairs[0]
    first.goals.append(Goal(first.pair_id, 1, "Mine", whose="Mentor"))
    assert build_context(roster, first)["plan"]["mentor_goals"]
    calendar = build_context(roster, roster.pairs[0])["calendar"]
    assert [c["first_in_month"] for c in calendar[:3]] == [True, False, True]
    assert calendar[0]["number"] == 1


# ---- the content-control builders -------------------------------------------------------------


def _parse(xml: str) -> etree._Element:
    """The control a builder made (a run-level one comes between its anchor's two halves)."""
    return next(etree.fromstring(fields.wrap_namespaces(xml)).iter(f"{{{fields.W_NS}}}sdt"))


W = f"{{{fields.W_NS}}}"
W14 = f"{{{fields.W14_NS}}}"


@pytest.mark.parametrize("level", ["run", "block", "cell"])
def test_text_control_carries_its_id_in_tag_and_alias(level):
    sdt = _parse(fields.text_control("vision", placeholder_text="Describe it", level=level))
    pr = sdt.find(W + "sdtPr")
    assert pr.find(W + "tag").get(W + "val") == pr.find(W + "alias").get(W + "val") == "vision"
    assert pr.find(W + "showingPlcHdr") is not None
    content = sdt.find(W + "sdtContent")
    first = content[0].tag
    assert first == {"run": W + "r", "block": W + "p", "cell": W + "tc"}[level]
    style = content.find(".//" + W + "rStyle")
    assert style.get(W + "val") == fields.PLACEHOLDER_STYLE
    assert "".join(content.itertext()) == "Describe it"


def test_a_one_line_answer_is_plain_text_unless_it_shows_its_prompt():
    # LibreOffice 7.4 reads a plain-text control showing its prompt as an input field and
    # prints the prompt black, like an answer; a rich-text control keeps the grey style.
    prompt = _parse(fields.text_control("x", placeholder_text="Type here"))
    assert prompt.find(f"{W}sdtPr/{W}text") is None
    assert prompt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None
    answer = _parse(fields.text_control("x", text="Ana"))
    assert answer.find(f"{W}sdtPr/{W}text") is not None
    long_answer = _parse(fields.text_control("x", text="Ana", multiline=True))
    assert long_answer.find(f"{W}sdtPr/{W}text") is None


def test_prefilled_text_is_escaped_and_keeps_line_breaks():
    sdt = _parse(fields.text_control("x", text="A & <B>\nC", level="block"))
    assert sdt.find(W + "sdtPr/" + W + "showingPlcHdr") is None
    assert [t.text for t in sdt.iter(W + "t")] == ["A & <B>", "C"]
    assert len(list(sdt.iter(W + "br"))) == 1


def test_checkbox_date_and_dropdown_controls():
    box = _parse(fields.checkbox_control("mentor_agree", checked=True))
    checked = box.find(f"{W}sdtPr/{W14}checkbox/{W14}checked")
    assert checked.get(W14 + "val") == "1"
    assert "".join(box.itertext()) == fields.CHECKED_GLYPH
    date = _parse(fields.date_control("d", text="1 September 2026", full_date="2026-09-01"))
    picker = date.find(f"{W}sdtPr/{W}date")
    assert picker.get(W + "fullDate") == "2026-09-01T00:00:00Z"
    assert picker.find(W + "dateFormat").get(W + "val") == fields.DATE_FORMAT
    empty = _parse(fields.date_control("d"))
    assert empty.find(f"{W}sdtPr/{W}date").get(W + "fullDate") is None
    # a template's date: the whole value comes from the context (X_full) when rendered
    computed = _parse(fields.date_control("d", text="{{ g.x }}", full_date="{{ g.x_full }}"))
    assert computed.find(f"{W}sdtPr/{W}date").get(W + "fullDate") == "{{ g.x_full }}"
    drop = _parse(fields.dropdown_control("plan_type", ["A & B", "C"], text="C"))
    items = drop.findall(f"{W}sdtPr/{W}dropDownList/{W}listItem")
    assert [i.get(W + "value") for i in items] == ["A & B", "C"]


def test_builders_refuse_what_word_cannot_show():
    with pytest.raises(ValueError, match="placeholder"):
        fields.text_control("x")
    with pytest.raises(ValueError, match="choices"):
        fields.dropdown_control("x", [])
    with pytest.raises(ValueError, match="level"):
        fields.text_control("x", "t", level="page")


def test_builders_round_trip_through_the_reader():
    body = "".join(
        [
            fields.text_control("a", text="Hello", level="block"),
            "<w:p>" + fields.checkbox_control("b", checked=True) + "</w:p>",
            "<w:p>" + fields.dropdown_control("c", ["X", "Y"], text="Y") + "</w:p>",
            fields.text_control("d", placeholder_text="Type here", level="block"),
        ]
    )
    root = etree.fromstring(
        f'<w:document xmlns:w="{fields.W_NS}" xmlns:w14="{fields.W14_NS}"><w:body>{body}'
        "</w:body></w:document>"
    )
    found = {f.id: (f.kind, f.value, f.tag == f.alias) for f in read_fields(root)}
    assert found == {
        "a": ("text", "Hello", True),
        "b": ("checkbox", True, True),
        "c": ("dropdown", "Y", True),
        "d": ("text", "", True),
    }


def test_docs_list_every_declared_field():
    text = (TEMPLATES.parent / "docs" / "forms.md").read_text(encoding="utf-8")
    for spec in load_form_specs(TEMPLATES).values():
        for item in spec.fields:
            assert f"| `{item.id}` | {item.label} |" in text, f"docs/forms.md lacks {item.id}"


def test_representative_pairs_cover_every_plan_type_and_the_extremes():
    from mentordocs.generate.context import representative_pairs

    roster = sample_roster()
    roster.pairs[1].goals = [Goal("P002", n, f"g{n}") for n in range(1, 9)]
    chosen = representative_pairs(roster, limit=2)
    assert {pair.plan_type for pair in chosen} == set(PLAN_TYPES)
    assert roster.pairs[1] in chosen
    assert len({id(pair) for pair in chosen}) == len(chosen)
    assert representative_pairs(roster.__class__(roster.path, roster.program, [])) == []


def test_specs_survive_pickling_for_worker_processes():
    specs = load_form_specs(TEMPLATES)
    specs["goal-sheet"].match("goal_2_goal")  # fills the cached patterns
    copied = pickle.loads(pickle.dumps(specs))
    assert copied == specs
    assert copied["goal-sheet"].match("goal_3_measure").id == "goal_{n}_measure"


def test_a_declaration_copied_with_replace_leaves_the_original_alone():
    """dataclasses.replace() passed a spec's lookup caches to the copy, whose fields then
    overwrote the original's: the shipped terms made a question required everywhere."""
    terms = load_form_specs()["terms-of-engagement"]
    question = terms.field("other_agreements")
    assert not question.required and terms.lookup("other_agreements")[0] is question
    own = dataclasses.replace(
        terms,
        fields=tuple(
            dataclasses.replace(f, required=True) if f is question else f for f in terms.fields
        ),
    )
    assert own.field("other_agreements").required
    assert own.lookup("other_agreements")[0].required
    assert terms.field("other_agreements") is question and not question.required
    assert terms.lookup("other_agreements")[0] is question


def test_a_folder_copied_before_the_review_forms_came_has_the_shipped_ones(tmp_path):
    """'templates check' warns of such a folder and generate's start stage uses it; reading
    it for collect or report failed on the missing midpoint-review.json."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for form in stage_forms():
        for suffix in (".docx", ".json"):
            shutil.copy(TEMPLATES / f"{form}{suffix}", folder / f"{form}{suffix}")
    specs = load_form_specs(folder)
    assert list(specs) == list(FORM_IDS)
    for form, spec in specs.items():
        expected = folder if form in stage_forms() else templates_dir()  # installed or not
        assert spec.template_path.parent.resolve() == expected.resolve(), form
    # A start form missing is still an error, and so is half a review form.
    (folder / "midpoint-review.docx").write_bytes(b"")
    with pytest.raises(FormSpecError, match="midpoint-review.json"):
        load_form_specs(folder)
