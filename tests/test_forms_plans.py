"""The forms of every plan type: what each plan type's forms hold, the seed documents' items
in their places, the page size, real dates, prompts that look like prompts, cross-references
that name real sections.

Rendered from the built-in sample roster (one pair per plan type, combined ones too).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from mentordocs.forms import load_form_specs
from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.render import CompiledTemplate
from mentordocs.models import PLAN_TYPES
from mentordocs.ooxml import controls
from mentordocs.ooxml.fields import read_fields

W = f"{{{controls.W_NS}}}"


@pytest.fixture(scope="module")
def compiled() -> dict[str, CompiledTemplate]:
    return {
        form: CompiledTemplate.load(spec.template_path, version=spec.version)
        for form, spec in load_form_specs().items()
    }


@pytest.fixture(scope="module")
def rendered(compiled) -> dict[str, dict[str, etree._Element]]:
    """Plan type -> form -> the rendered document's body."""
    roster = sample_roster()
    out = {}
    for pair in roster.pairs:
        context = build_context(roster, pair)
        out[pair.plan_type] = {
            form: _document(template.render(context, {}, validate=True))
            for form, template in compiled.items()
        }
    assert set(out) == set(PLAN_TYPES)
    return out


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _text(root: etree._Element) -> str:
    return " ".join("".join(p.itertext()) for p in root.iter(W + "p"))


def _headings(root: etree._Element, level: int | None = None) -> list[str]:
    found = []
    for p in root.iter(W + "p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = style.get(W + "val") if style is not None else ""
        if name.startswith("Heading") and (level is None or name == f"Heading{level}"):
            found.append("".join(p.itertext()))
    return found


def _ids(root: etree._Element) -> set[str]:
    return {f.id for f in read_fields(root)}


# -- what each plan type's forms hold --------------------------------------------------------


def test_each_method_adds_its_sections_and_a_combined_plan_has_both(rendered):
    for plan_type, forms in rendered.items():
        methods = plan_type.split(" + ")
        plan = _headings(forms["action-plan"], 2)
        mutual = "Mutual growth" in methods
        coaching = "Coaching" in methods
        assert ("Mutual growth: the mentor's growth goals" in plan) == mutual, plan_type
        assert ("Coaching: observing each other" in plan) == coaching, plan_type
        ids = _ids(forms["action-plan"])
        assert ("mentor_goals_basis" in ids) == mutual
        assert {f"observation_{n}_next_step" for n in range(1, 5)} <= ids or not coaching
        sheet = _headings(forms["goal-sheet"], 1)
        sheet_ids = _ids(forms["goal-sheet"])
        assert ("The mentee's goals" in sheet) == (methods != ["Coaching"]), plan_type
        assert ("The mentor's growth goals" in sheet) == mutual, plan_type
        assert ("Our coaching goals" in sheet) == coaching, plan_type
        assert ("mentor_goal_1_target_date" in sheet_ids) == mutual
        assert ("joint_goal_2_skills" in sheet_ids) == coaching
        assert ("goal_1_goal" in sheet_ids) == (methods != ["Coaching"])


def test_mentor_goals_are_prefilled_like_the_mentees_in_their_own_section(compiled):
    roster = sample_roster()
    pair = next(p for p in roster.pairs if p.plan_type == "Mutual growth + Coaching")
    [mentor_goal] = pair.goals_of("Mentor")
    [joint_goal] = pair.goals_of("Joint")
    data = compiled["goal-sheet"].render(build_context(roster, pair), {}, validate=True)
    values = {f.id: f for f in read_fields(_document(data))}
    assert values["mentor_goal_1_goal"].value == mentor_goal.goal
    assert values["mentor_goal_1_plan"].value == mentor_goal.mentor_support
    assert values["mentor_goal_1_mentee_support"].value == mentor_goal.mentee_accountable
    assert values["mentor_goal_1_measure"].value == mentor_goal.measure
    assert values["mentor_goal_1_target_date"].value == mentor_goal.target_date.isoformat()
    assert "mentor_goal_1_status" not in values  # the mid-point check-in asks it
    assert values["mentor_goal_2_goal"].placeholder  # a second, optional slot
    assert values["joint_goal_1_goal"].value == joint_goal.goal
    assert values["joint_goal_1_mentor_part"].value == joint_goal.mentor_support
    assert values["joint_goal_1_mentee_part"].value == joint_goal.mentee_accountable
    # the mentee's goals stay the mentee's: the mentor's goal is not among them
    assert mentor_goal.goal not in {values[f"goal_{n}_goal"].value for n in range(1, 6)}
    headings = _headings(_document(data), 2)
    assert "Mentor's goal 2 (optional)" in headings and "Coaching goal 1" in headings


def test_every_observation_records_its_post_conference(rendered):
    forms = rendered["Coaching"]
    ids = _ids(forms["action-plan"])
    for n in range(1, 5):
        for what in ("date", "observer", "focus", "pre_conference", "post_conference"):
            assert f"observation_{n}_{what}" in ids
        for what in ("seen", "patterns", "implications", "next_step"):
            assert f"observation_{n}_{what}" in ids


# -- the seed documents' items -----------------------------------------------------------------


def test_collective_commitments_follow_the_protocol(rendered):
    root = rendered["Mentee-focused"]["action-plan"]
    ids = _ids(root)
    text = _text(root)
    # 1. each person's own ideas first, 2. sorted under the four questions, 3. consensus
    assert {"brainstorm_mentor", "brainstorm_mentee", "commitments_agreed"} <= ids
    assert "On your own first" in text and "can we both keep every one of these?" in text
    for question in (
        "What do we promise about being there",
        "How will we take part in our meetings?",
        "How will we treat each other?",
        "Anything else we need to promise each other",
    ):
        assert question in text
    # the example lists, as ideas to choose from
    examples = [
        "".join(p.itertext())
        for p in root.iter(W + "p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(W + "val") == "TableExample"
    ]
    assert len(examples) == 13 and all(e.startswith("•\u00a0We will") for e in examples)
    assert "keep confidences" in text and "side" in text


def test_the_month_by_month_plan_adapts_each_task(rendered):
    root = rendered["Mentee-focused"]["action-plan"]
    ids = _ids(root)
    tasks = len(sample_roster().calendar)
    for n in range(1, tasks + 1):
        for what in ("skip", "together", "date", "place_time", "notes"):
            assert f"calendar_{n}_{what}" in ids
    assert {"own_task_1_place_time", "own_task_3_date"} <= ids
    assert "tick “Not for us” to cross out a task" in _text(root)


def test_terms_hold_the_principles_the_mentees_role_and_a_date_to_revisit(rendered):
    root = rendered["Mentee-focused"]["terms-of-engagement"]
    text = _text(root)
    assert "confidentiality and on acting ethically" in text
    assert "reflects on their work and keeps growing" in text
    assert {"revisit_date", "revisit_changes"} <= _ids(root)
    assert "9. Looking at our agreement again" in _headings(root, 1)


def test_a_question_is_asked_once_and_the_other_forms_refer_to_it(rendered):
    forms = rendered["Mutual growth + Coaching"]
    plan, terms = forms["action-plan"], forms["terms-of-engagement"]
    sheet, confidentiality = forms["goal-sheet"], forms["confidentiality-agreement"]
    # meeting time and place: in the terms only
    assert {"meeting_time", "meeting_place"} <= _ids(terms)
    assert not {"meeting_time", "meeting_place"} & _ids(plan)
    # goals: on the goal sheet only
    assert not [i for i in _ids(plan) if re.match(r"(mentor_|joint_)?goal_\d", i)]
    # ending the relationship (and conflict): in the terms only
    assert "not_working" in _ids(terms) and "disagreement" in _ids(terms)
    assert not {"ending_steps", "conflict_steps"} & _ids(confidentiality)
    assert "ack_either_may_end" in _ids(confidentiality)  # the promise itself stays
    # each goal's progress and status: in the mid-point check-in and the end review only; the
    # goal sheet says so under every goal (three kinds of goal here, one line each per slot)
    assert not [i for i in _ids(sheet) if i.endswith(("_midpoint_progress", "_status"))]
    follow_up = "the mid-point check-in and the end-of-program review take these up"
    slots = [i for i in _ids(sheet) if re.fullmatch(r"(mentor_|joint_)?goal_\d+_goal", i)]
    assert _text(sheet).count(follow_up) == len(slots) > 0
    # every reference names a section that exists, by its number and title
    references = (
        (plan, terms, 1, "5", "Our scheduled meetings"),
        (confidentiality, terms, 1, "7", "Keeping our relationship healthy"),
        (sheet, plan, 2, "8", "Our observations and conferences"),
        (plan, sheet, 1, "", "The mentor's growth goals"),
        (plan, sheet, 1, "", "Our coaching goals"),
    )
    for source, target, level, number, title in references:
        if number:
            assert f"section {number}, “{title}”" in _text(source)
        else:
            assert f"“{title}”" in _text(source)
        assert title in " ".join(h.partition(". ")[2] or h for h in _headings(target, level))
    plan_sections = _headings(plan, 1)
    assert "8. Our plan type" in plan_sections
    assert "5. Our scheduled meetings" in _headings(terms, 1)
    assert "7. Keeping our relationship healthy" in _headings(terms, 1)


# -- page, dates, prompts, emails --------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "width", "height"), [("A4", 11906, 16838), ("Letter", 12240, 15840)]
)
def test_the_page_size_is_the_programs(compiled, size, width, height):
    roster = sample_roster()
    roster.program.paper_size = size
    context = build_context(roster, roster.pairs[0])
    for template in compiled.values():
        root = _document(template.render(context, {}, validate=True))
        page = root.find(f"{W}body/{W}sectPr/{W}pgSz")
        assert (page.get(W + "w"), page.get(W + "h")) == (str(width), str(height))
        margins = root.find(f"{W}body/{W}sectPr/{W}pgMar")
        widest = max(int(w.get(W + "w")) for w in root.iter(W + "tblW"))
        assert widest <= width - int(margins.get(W + "left")) - int(margins.get(W + "right"))


def test_dates_from_the_roster_are_real_dates(rendered):
    months = "January February March April May June July August September October November December"
    checked = 0
    for forms in rendered.values():
        for root in forms.values():
            for sdt in root.iter(W + "sdt"):
                picker = sdt.find(f"{W}sdtPr/{W}date")
                if picker is None:
                    continue
                showing = sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None
                full = picker.get(W + "fullDate")
                if showing:
                    assert full is None
                    continue
                shown = "".join(sdt.find(W + "sdtContent").itertext())
                day, month, year = shown.split()
                iso = f"{year}-{months.split().index(month) + 1:02d}-{int(day):02d}"
                assert full == f"{iso}T00:00:00Z", shown
                checked += 1
    assert checked >= 5 * 6  # action item 1, review date, three terms dates, target dates


def test_every_prompt_is_placeholder_text_in_a_control_libreoffice_keeps_it_in(rendered):
    for forms in rendered.values():
        for form, root in forms.items():
            for sdt in root.iter(W + "sdt"):
                pr = sdt.find(W + "sdtPr")
                if pr.find(W + "showingPlcHdr") is None:
                    continue
                styles = {r.get(W + "val") for r in sdt.iter(W + "rStyle")}
                assert styles == {controls.PLACEHOLDER_STYLE}, form
                assert pr.find(W + "text") is None, (form, pr.find(W + "tag").get(W + "val"))


def test_email_addresses_have_the_width_of_the_page(rendered):
    for forms in rendered.values():
        root = forms["action-plan"]
        for sdt in root.iter(W + "sdt"):
            tag = sdt.find(f"{W}sdtPr/{W}tag").get(W + "val")
            if tag.endswith("_email"):
                cell = next(a for a in sdt.iterancestors() if a.tag == W + "tc")
                width = int(cell.find(f"{W}tcPr/{W}tcW").get(W + "w"))
                assert width >= 6000, (tag, width)  # about 55 characters


def test_the_breaks_are_listed_under_the_schedule(rendered):
    text = _text(rendered["Coaching"]["action-plan"])
    assert (
        "No meetings during the program's breaks: Winter break (21 December 2026 to 1 January 2027)."
        in text
    )


def test_roster_dates_come_back_as_dates_and_date_columns_hold_only_dates(tmp_path):
    import datetime as dt

    import openpyxl
    from conftest import SAMPLE_ROSTER
    from test_roundtrip import fill_docx

    from mentordocs.collect import collect_forms
    from mentordocs.generate.packets import generate_packets
    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    packets = tmp_path / "packets"
    generate_packets(roster, packets, pairs=["P01", "P04", "P10"], jobs=1)
    returned = tmp_path / "returned"  # the forms sent back with only a box ticked
    returned.mkdir()
    for path in packets.rglob("*.docx"):
        (returned / path.name).write_bytes(fill_docx(path.read_bytes(), {"mentor_agree": True}))
    tracking = tmp_path / "tracking.xlsx"
    collect_forms([returned], tracking, roster, packets_dir=packets, jobs=1)
    book = openpyxl.load_workbook(tracking)
    specs = load_form_specs(stage="start")  # the packet: a later stage's sheet comes with it
    dates_seen = 0
    for spec in specs.values():
        rows = list(book[spec.title[:31]].iter_rows(values_only=True))
        header = rows[0]
        for index, title in enumerate(header):
            declared = next(
                (f for f in spec.fields if f.label_for(_instance(title, f)) == title), None
            )
            if declared is None or declared.kind != "date":
                continue
            values = [row[index] for row in rows[1:] if row[index] is not None]
            assert all(isinstance(v, dt.datetime) for v in values), (spec.form, title, values)
            dates_seen += len(values)
    # the target dates, the terms' start, mid-point and end, action item 1, the review date
    assert dates_seen >= 20
    goal_sheet = {r[0]: r for r in list(book["Goal sheet"].iter_rows(values_only=True))[1:]}
    header = next(book["Goal sheet"].iter_rows(values_only=True))
    target = header.index("Goal 1: target date")
    assert goal_sheet["P01"][target] == dt.datetime(2026, 10, 9)


def _instance(title: object, declared) -> int | None:
    """The instance number a column header of a repeated field shows ("Goal 3: ..." -> 3)."""
    if not declared.repeated or not isinstance(title, str):
        return None
    head = declared.label.partition("{n}")[0]
    rest = title[len(head) :] if title.startswith(head) else ""
    digits = "".join(ch for ch in rest[:3] if ch.isdigit())
    return int(digits) if digits else None
