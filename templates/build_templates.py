"""Build the six shipped form templates (.docx) and their declarations (.json): the four of
the packet at the start, the mid-point check-in and the end-of-program review.

Run from the repository root::

    python templates/build_templates.py            # writes templates/*.docx and templates/*.json
    python templates/build_templates.py OUTDIR     # somewhere else

The output is deterministic: the same script always writes byte-identical files, so a change
to a template shows up as a change to this script in review. Each form is declared here once
(``DECLARATIONS``: its fields, with label, kind, required, confidential) and laid out once, as
data (``LAYOUTS``: sections of questions and tables, walked by ``lay_out``); the builder
refuses to write a template that places an undeclared field or leaves a declared one out.

The file reads top to bottom: declarations, XML primitives, the building blocks of a layout
(``Q``, ``Questions``, ``Table``, ``Section``, ``Form``), the four layouts of the packet and
the two of the later rounds (each goal as the pair wrote it), then the document around them
(styles, footer, page, properties) and the deterministic zip.
"""

# No "from __future__ import annotations": the test loads this file without registering it in
# sys.modules, and dataclasses cannot then look at string annotations.

import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.shared import Twips
from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mentordocs.forms import FORM_IDS  # noqa: E402
from mentordocs.models import FREQUENCIES, HORIZONS, MEETING_DAYS, MEETING_MODES, PLAN_TYPES  # noqa: E402
from mentordocs.ooxml import controls as fields  # noqa: E402
from mentordocs.ooxml import ns  # noqa: E402

# Each form's template version: raise it when the form changes (it goes into every generated
# form's properties, and collect reads a return against the declaration of its version).
VERSIONS = {
    "action-plan": "2.0",
    "terms-of-engagement": "2.0",
    "goal-sheet": "2.1",
    "confidentiality-agreement": "2.0",
    "midpoint-review": "1.0",
    "end-review": "1.0",
}

# The forms of the later rounds of the program's year (their "stage" in the declaration); the
# packet at the start is FORM_IDS. Built here whether or not forms.FORM_IDS lists them yet.
STAGES = {"midpoint-review": "midpoint", "end-review": "end"}

PRIORITIES = ("High", "Medium", "Low")
OBSERVERS = ("Mentor observes mentee", "Mentee observes mentor")
MEETING_STYLES = ("Formal", "Informal", "A mix of both")
WEEKENDS = ("Weekdays only", "Weekends are fine", "Weekends only if urgent")
INTERRUPT = ("Yes, any time", "Only if it is urgent", "No, never")
CHANNELS = (
    ("in_person", "In person"),
    ("video", "Video call"),
    ("phone", "Phone call"),
    ("email", "Email"),
    ("text", "Text message"),
)
COMMITMENT_AREAS = (
    ("attendance", "Attendance"),
    ("participation", "Participation"),
    ("interaction", "How we interact"),
    ("other", "Other"),
)


def f(
    id: str,
    label: str,
    kind: str = "text",
    required: bool = False,
    confidential: bool = False,
    group: str | None = None,
    choices: tuple[str, ...] = (),
    required_instances: int = 0,
) -> dict[str, Any]:
    """One declared field, as it is written to the form's .json."""
    entry: dict[str, Any] = {
        "id": id,
        "label": label,
        "kind": kind,
        "required": required,
        "confidential": confidential,
    }
    if group:
        entry["group"] = group
    if choices:
        entry["choices"] = list(choices)
    if required_instances:
        # Only the first N instances of the group are required; later ones are optional.
        entry["required_instances"] = required_instances
    return entry


REQUIRED_GOALS = 3  # pairs set 3 to 5 goals: goals 4 and 5 are optional
OBSERVATIONS = 4  # observations a coaching plan has room for


def goal_support_fields() -> list[dict[str, Any]]:
    """How the mentor supports each of the mentee's goals and what the mentee is accountable
    for."""
    return [
        f(
            "goal_{n}_mentor_support",
            "Goal {n}: how the mentor supports it",
            required=True,
            group="goal",
            required_instances=REQUIRED_GOALS,
        ),
        f(
            "goal_{n}_mentee_accountable",
            "Goal {n}: what the mentee is accountable for",
            required=True,
            group="goal",
            required_instances=REQUIRED_GOALS,
        ),
    ]


def goal_tracking_fields(
    prefix: str, label: str, group: str, required: int
) -> list[dict[str, Any]]:
    """How progress on a goal is measured and its target date: asked the same way of the
    mentee's, the mentor's and joint goals (``prefix`` "goal", "mentor_goal", "joint_goal";
    ``label`` "Goal", "Mentor's goal", "Joint goal"). The measure and target date are required
    in the first ``required`` instances (0: never). Progress and status are not asked here:
    the mid-point check-in and the end-of-program review ask them (asked once)."""
    return [
        f(
            f"{prefix}_{{n}}_measure",
            f"{label} {{n}}: how we measure progress",
            required=bool(required),
            group=group,
            required_instances=required,
        ),
        f(
            f"{prefix}_{{n}}_target_date",
            f"{label} {{n}}: target date",
            "date",
            required=bool(required),
            group=group,
            required_instances=required,
        ),
    ]


SIGNATURES = [
    f("mentor_sign_name", "Mentor's name (typed signature)", required=True),
    f("mentor_sign_date", "Date the mentor signed", "date", required=True),
    f("mentor_agree", "Mentor agrees", "checkbox", required=True),
    f("mentee_sign_name", "Mentee's name (typed signature)", required=True),
    f("mentee_sign_date", "Date the mentee signed", "date", required=True),
    f("mentee_agree", "Mentee agrees", "checkbox", required=True),
]

PEOPLE = [
    f(f"{who}_{what}", f"{who.capitalize()}'s {label}", required=required)
    for who in ("mentor", "mentee")
    for what, label, required in (
        ("name", "name", True),
        ("role", "role in the organization", False),
        ("email", "email address", True),
        ("phone", "phone number", False),
    )
]

OBSERVATION_RECORD = (  # what each post-observation conference records
    ("seen", "what the observer saw"),
    ("patterns", "the patterns we see"),
    ("implications", "what the patterns mean"),
    ("next_step", "what to improve next, and how"),
)

ACTION_PLAN = [
    *PEOPLE,
    f("brainstorm_mentor", "The mentor's own ideas for our commitments"),
    f("brainstorm_mentee", "The mentee's own ideas for our commitments"),
    *[
        f(
            f"commitment_{area}_{{n}}",
            f"{area.capitalize()} commitment {{n}}",
            group=f"commitment_{area}",
        )
        for area, label in COMMITMENT_AREAS
    ],
    f("commitments_agreed", "We can both keep every commitment", "checkbox"),
    f("vision", "What we hope to achieve together (our vision)", required=True),
    f("mentor_support_style", "How the mentor will support, advise and coach"),
    f("why_important", "Why this matters to the mentee"),
    f(
        "goals_basis",
        "What the goals are based on (self-assessment, standards, feedback)",
        confidential=True,
    ),
    f("action_{n}_what", "Action item {n}: what", group="action"),
    f("action_{n}_when", "Action item {n}: when", "date", group="action"),
    f("action_{n}_how", "Action item {n}: how", group="action"),
    f("action_{n}_why", "Action item {n}: why", group="action"),
    f("progress_measures", "How we will measure progress", required=True),
    f("evaluation_plan", "When and how we will evaluate our relationship", required=True),
    f("evaluation_date", "Date of our relationship review", "date"),
    f("plan_type", "Plan type", "dropdown", required=True, choices=PLAN_TYPES),
    f(
        "mentor_goals_basis",
        "What the mentor's growth goals are based on (the self-assessments of mentor training)",
        confidential=True,
    ),
    f("mutual_support", "How we will support each other's growth plans"),
    f("extra_colleagues", "Colleagues we could invite for strengths we lack"),
    f("observation_frequency", "When and how often we will observe each other"),
    f("conference_place_time", "Where and when we will meet to confer"),
    f("observation_limits", "When observing is not appropriate"),
    f("coaching_outcome", "What we each hope to accomplish as coaches"),
    f("observation_{n}_date", "Observation {n}: date", "date", group="observation"),
    f(
        "observation_{n}_observer",
        "Observation {n}: who observes",
        "dropdown",
        group="observation",
        choices=OBSERVERS,
    ),
    f("observation_{n}_focus", "Observation {n}: focus", group="observation"),
    f(
        "observation_{n}_pre_conference",
        "Observation {n}: pre-conference",
        "date",
        group="observation",
    ),
    f(
        "observation_{n}_post_conference",
        "Observation {n}: post-conference",
        "date",
        group="observation",
    ),
    *[
        f(f"observation_{{n}}_{key}", f"Observation {{n}}: {label}", group="observation")
        for key, label in OBSERVATION_RECORD
    ],
    f(
        "calendar_{n}_skip",
        "Calendar task {n}: not for us (crossed out)",
        "checkbox",
        group="calendar",
    ),
    f(
        "calendar_{n}_together",
        "Calendar task {n}: we will do this together",
        "checkbox",
        group="calendar",
    ),
    f("calendar_{n}_date", "Calendar task {n}: our date", "date", group="calendar"),
    f("calendar_{n}_place_time", "Calendar task {n}: time and place", group="calendar"),
    f("calendar_{n}_notes", "Calendar task {n}: notes", group="calendar"),
    f("own_task_{n}_task", "Our own task {n}", group="own_task"),
    f("own_task_{n}_date", "Our own task {n}: date", "date", group="own_task"),
    f("own_task_{n}_place_time", "Our own task {n}: time and place", group="own_task"),
    f(
        "own_task_{n}_together",
        "Our own task {n}: we will do this together",
        "checkbox",
        group="own_task",
    ),
    *SIGNATURES,
]

TERMS = [
    f("roles_comments", "Comments or clarifications about our roles"),
    f("purpose", "Our purposes for this mentoring partnership", required=True),
    f("expect_of_mentor", "What the mentee expects from the mentor", required=True),
    f("expect_of_mentee", "What the mentor expects from the mentee", required=True),
    *[
        item
        for key, label in CHANNELS
        for item in (
            f(f"channel_{key}_use", f"{label}: we use it", "checkbox"),
            f(f"channel_{key}_how_often", f"{label}: how often and what for"),
        )
    ],
    f(
        "meeting_style",
        "Formal, informal or a mix",
        "dropdown",
        required=True,
        choices=MEETING_STYLES,
    ),
    f("meeting_day", "Meeting day", "dropdown", required=True, choices=MEETING_DAYS),
    f("meeting_time", "Meeting time", required=True),
    f("meeting_length", "How long a meeting lasts"),
    f("meeting_frequency", "How often we meet", "dropdown", required=True, choices=FREQUENCIES),
    f("meeting_mode", "In person or online", "dropdown", required=True, choices=MEETING_MODES),
    f("meeting_place", "Where we meet (room, address or video link)", required=True),
    f("cancellation_plan", "How to cancel or postpone a meeting", required=True),
    f("informal_channels", "How to reach each other between meetings", required=True),
    f("informal_hours", "Best times and places for informal contact"),
    f("informal_weekends", "Contact at weekends", "dropdown", choices=WEEKENDS),
    f("informal_interrupt", "Interrupting class or work", "dropdown", choices=INTERRUPT),
    f("reply_time", "How soon we reply to a message", required=True),
    f("derailers", "What would derail our relationship", required=True),
    f("disagreement", "How we handle disagreement or conflict", required=True),
    f("feedback", "How we give and take constructive feedback", required=True),
    f(
        "not_working",
        "What we do if it is not working, or one of us wants to end it",
        required=True,
    ),
    f("recognition", "How we recognise each other's efforts"),
    f("other_agreements", "Anything else we agree on"),
    f("start_date", "Start date", "date", required=True),
    f("midpoint_date", "Mid-point check", "date", required=True),
    f("end_date", "End date", "date", required=True),
    f("timeframe_notes", "Milestones that shape our timeframe"),
    f("revisit_date", "When we will look at these terms again", "date"),
    f("revisit_changes", "What we changed when we looked at them again"),
    *SIGNATURES,
]

GOAL_SHEET = [
    f("goal_{n}_goal", "Goal {n}", required=True, group="goal", required_instances=REQUIRED_GOALS),
    f(
        "goal_{n}_horizon",
        "Goal {n}: short- or long-term",
        "dropdown",
        required=True,
        group="goal",
        choices=HORIZONS,
        required_instances=REQUIRED_GOALS,
    ),
    f("goal_{n}_priority", "Goal {n}: priority", "dropdown", group="goal", choices=PRIORITIES),
    *goal_support_fields(),
    *goal_tracking_fields("goal", "Goal", "goal", REQUIRED_GOALS),
    # the mentor's own growth goals (mutual growth): at least one when the sheet shows them
    f(
        "mentor_goal_{n}_goal",
        "Mentor's goal {n}",
        required=True,
        group="mentor_goal",
        required_instances=1,
    ),
    f(
        "mentor_goal_{n}_plan",
        "Mentor's goal {n}: how the mentor will reach it",
        group="mentor_goal",
    ),
    f(
        "mentor_goal_{n}_mentee_support",
        "Mentor's goal {n}: how the mentee helps",
        group="mentor_goal",
    ),
    *goal_tracking_fields("mentor_goal", "Mentor's goal", "mentor_goal", 0),
    # goals set together (coaching): one or two
    f(
        "joint_goal_{n}_goal",
        "Joint goal {n}",
        required=True,
        group="joint_goal",
        required_instances=1,
    ),
    f(
        "joint_goal_{n}_skills",
        "Joint goal {n}: the strategies and skills we want to master",
        group="joint_goal",
    ),
    f("joint_goal_{n}_mentor_part", "Joint goal {n}: the mentor's part", group="joint_goal"),
    f("joint_goal_{n}_mentee_part", "Joint goal {n}: the mentee's part", group="joint_goal"),
    *goal_tracking_fields("joint_goal", "Joint goal", "joint_goal", 0),
    *SIGNATURES,
]

CONFIDENTIALITY = [
    f("kept_private", "What stays between the two of us", confidential=True),
    f("off_limits", "Topics that are off limits", required=True, confidential=True),
    f(
        "ack_no_reporting",
        "The mentor does not report the mentee's difficulties",
        "checkbox",
        required=True,
    ),
    f("ack_seek_help", "The mentee may still ask others for help", "checkbox", required=True),
    f("ack_no_gossip", "No gossip about personal or professional lives", "checkbox", required=True),
    f(
        "ack_open_communication",
        "Open and honest communication; conflicts resolved as they arise",
        "checkbox",
        required=True,
    ),
    f(
        "ack_either_may_end",
        "Either of us may end the relationship and the other accepts it",
        "checkbox",
        required=True,
    ),
    *SIGNATURES,
]

# ---- the later rounds: the mid-point check-in and the end-of-program review ------------------
#
# Both follow each goal the pair set, in the goal sheet's groups and slot numbers, so a goal's
# row lines up across the three rounds (goal_2_goal is the same goal on every form).

GOAL_GROUPS = (  # prefix and group, the label of one goal, the heading of the group
    ("goal", "Goal", "The mentee's goals"),
    ("mentor_goal", "Mentor's goal", "The mentor's growth goals"),
    ("joint_goal", "Joint goal", "Our coaching goals"),
)
MIDPOINT_STATUSES = ("On track", "At risk", "Done", "Changed", "Dropped")
FINAL_STATUSES = ("Achieved", "Partly achieved", "Not achieved", "Changed", "Dropped")
COMMITMENTS_KEPT = ("Yes, all of them", "Mostly", "Not yet")
TERMS_KEPT = ("Yes", "Mostly", "No")
CONTINUE = ("Yes", "No", "Not decided yet")


def review_goal_fields(stage: str) -> list[dict[str, Any]]:
    """Each goal of each group: as the pair wrote it (prefilled), then what the round asks of
    it. Every instance present is required (a pair's form holds only the goals it has)."""
    asked = {
        "midpoint": (
            ("progress", "progress so far", ()),
            ("evidence", "evidence of progress", ()),
            ("status", "status at the mid-point", MIDPOINT_STATUSES),
            ("next_step", "next step", ()),
        ),
        "end": (
            ("final_status", "final status", FINAL_STATUSES),
            ("evidence", "evidence at the end", ()),
        ),
    }[stage]
    out = []
    for prefix, label, _ in GOAL_GROUPS:
        out.append(f(f"{prefix}_{{n}}_goal", f"{label} {{n}}", required=True, group=prefix))
        for key, what, choices in asked:
            kind = "dropdown" if choices else "text"
            out.append(
                f(
                    f"{prefix}_{{n}}_{key}",
                    f"{label} {{n}}: {what}",
                    kind,
                    required=True,
                    group=prefix,
                    choices=choices,
                )
            )
    return out


MIDPOINT_REVIEW = [
    *review_goal_fields("midpoint"),
    f(
        "commitments_kept",
        "Are we keeping our collective commitments?",
        "dropdown",
        required=True,
        choices=COMMITMENTS_KEPT,
    ),
    f("commitments_revisit", "Which commitments need revisiting, and how"),
    f("meetings_held", "Meetings held so far, against the schedule agreed", required=True),
    f("meetings_review", "How our meetings are going", required=True),
    f("second_half_changes", "What we change for the second half", required=True),
    *SIGNATURES,
]

END_REVIEW = [
    *review_goal_fields("end"),
    f("mentee_learned", "What the mentee learned", required=True),
    f("mentee_will_keep", "What the mentee will keep doing", required=True),
    f("mentor_growth", "How the mentor grew (mutual growth)", required=True),
    f(
        "relationship_review",
        "Our relationship, looked at against our terms of engagement",
        required=True,
    ),
    f(
        "terms_kept",
        "Did we keep our terms of engagement?",
        "dropdown",
        required=True,
        choices=TERMS_KEPT,
    ),
    f(
        "continue_informally",
        "Will we go on meeting informally?",
        "dropdown",
        required=True,
        choices=CONTINUE,
    ),
    f("program_feedback", "Feedback for the program", confidential=True),
    *SIGNATURES,
]

TITLES = {
    "action-plan": "Mentoring action plan",
    "terms-of-engagement": "Terms of engagement",
    "goal-sheet": "Goal sheet",
    "confidentiality-agreement": "Confidentiality agreement",
    "midpoint-review": "Mid-point check-in",
    "end-review": "End-of-program review",
}

DECLARATIONS = {
    "action-plan": ACTION_PLAN,
    "terms-of-engagement": TERMS,
    "goal-sheet": GOAL_SHEET,
    "confidentiality-agreement": CONFIDENTIALITY,
    "midpoint-review": MIDPOINT_REVIEW,
    "end-review": END_REVIEW,
}


def declaration(form: str) -> dict[str, Any]:
    out: dict[str, Any] = {"form": form, "title": TITLES[form], "version": VERSIONS[form]}
    if form in STAGES:  # as forms.form_spec_to_json writes it: blank for the start
        out["stage"] = STAGES[form]
    out["fields"] = DECLARATIONS[form]
    return out


# ---- layout primitives ---------------------------------------------------------------------

ACCENT = "1F3864"  # headings, header rows
ACCENT_2 = "2E5597"
LABEL_FILL = "E8EEF7"  # shaded label cells
NOTE_FILL = "F3F6FA"
BORDER = "A6B4CC"
FONT = "Calibri"  # metric-compatible with Carlito, which LibreOffice substitutes
# The page: A4 in the template; generate prints it on the program's Paper size, A4 or US
# Letter (see _set_page); the text width fits both.
PAGE_W, PAGE_H = 11906, 16838
MARGIN = 1134  # 2 cm
TEXT_W = PAGE_W - 2 * MARGIN  # 9638 twips; fits on Letter (12240 wide) as well
LINE = 420  # minimum height of a one-line answer row (twips)
BOX = 1100  # minimum height of a room-to-write answer row


def run(text: str, bold: bool = False, italic: bool = False, color: str = "", size: int = 0) -> str:
    props = ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if size:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    head = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{head}{fields.text_element(text)}</w:r>"


def para(content: str = "", style: str = "", ppr: str = "") -> str:
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr
    head = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{head}{content}</w:p>"


def jinja_p(tag: str) -> str:
    """A paragraph holding one docxtpl paragraph tag ({%p ... %}); rendering removes it."""
    return para(run("{%p " + tag + " %}"))


def heading(text: str, level: int = 1) -> str:
    return para(run(text), f"Heading{level}")


def note(text: str) -> str:
    return para(run(text), "FormNote")


def quote(text: str) -> str:
    return para(run(text), "FormQuote")


def bullets(items: list[str]) -> str:
    """Bulleted paragraphs; a lead ending in ':' is set in bold."""
    out = []
    for item in items:
        lead, sep, rest = item.partition(": ")
        if sep and len(lead) < 30:
            out.append(para(run(lead + ":", bold=True) + run(" " + rest), "ListBullet"))
        else:
            out.append(para(run(item), "ListBullet"))
    return "".join(out)


def numbered_steps(items: list[str]) -> str:
    """Paragraphs numbered 1, 2, 3... (the number typed, so every reader shows it the same)."""
    return "".join(
        para(run(f"{n}.", bold=True) + "<w:r><w:tab/></w:r>" + run(item), "FormStep")
        for n, item in enumerate(items, start=1)
    )


def cell(
    content: str,
    width: int,
    fill: str = "",
    span: int = 1,
    header: bool = False,
    valign: str = "top",
) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    if valign != "top":  # top is what Word and LibreOffice do when a cell says nothing
        props += f'<w:vAlign w:val="{valign}"/>'
    if not content.startswith("<w:p"):
        content = para(content, "TableText" if not header else "TableHeader")
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def row(cells: list[str], height: int = 0, header: bool = False) -> str:
    props = "<w:cantSplit/>"
    if header:
        props += "<w:tblHeader/>"
    if height:
        props += f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>'
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def jinja_row(tag: str, widths: list[int]) -> str:
    """A table row holding one docxtpl row tag ({%tr ... %}); rendering removes the row."""
    return row([cell(para(run("{%tr " + tag + " %}"), "TableText"), sum(widths), span=len(widths))])


def table(widths: list[int], rows: list[str], header: list[str] | None = None) -> str:
    # Borders and cell margins come from the "Form Table" style (FORM_TABLE): one place to
    # change the look of every table, and no copy of them in each table of every form.
    props = (
        f'<w:tblStyle w:val="{FORM_TABLE}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/>'
    )
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    head = ""
    if header is not None:
        head = row(
            [
                cell(para(run(text), "TableHeader"), w, fill=ACCENT, header=True)
                for text, w in zip(header, widths, strict=True)
            ],
            header=True,
        )
    # A short empty paragraph after each table keeps tables apart (Word merges adjacent ones).
    spacer = para("", "TableGap")
    return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{head}{''.join(rows)}</w:tbl>{spacer}"


def keep_together(rows: list[str]) -> list[str]:
    """Rows that Word and LibreOffice keep on one page (keep-with-next on all but the last)."""
    return [with_next(item) for item in rows[:-1]] + rows[-1:]


def with_next(xml: str) -> str:
    """``xml`` (a row) kept on the page of what follows it: keep-with-next on its paragraphs."""
    return re.sub(r'(<w:pStyle w:val="[^"]+"/>)(?!<w:keepNext/>)', r"\1<w:keepNext/>", xml)


def label_cell(label: str, hint: str = "", width: int = 3200, span: int = 1) -> str:
    content = para(run(label, bold=True), "TableText")
    if hint:
        content += para(run(hint), "TableHint")
    return cell(content, width, fill=LABEL_FILL, span=span)


# ---- one form being laid out -----------------------------------------------------------------


class Layout:
    """Collects a form's body XML and checks every field it places against the declaration."""

    def __init__(self, form: str) -> None:
        self.form = form
        self.declared = {entry["id"]: entry for entry in DECLARATIONS[form]}
        self.placed: set[str] = set()
        self.body: list[str] = []
        self.anchors = 0  # fields placed so far: numbers their anchors' bookmark ids

    def add(self, *xml: str) -> None:
        self.body.extend(xml)

    def render(self, block: "Block") -> str:
        """The XML of a block: ready XML as it is, a Table or Questions laid out here."""
        return block if isinstance(block, str) else block.xml(self)

    def kind(self, field_id: str) -> str:
        if field_id not in self.declared:
            raise SystemExit(f"{self.form}: field {field_id} is placed but not declared")
        return str(self.declared[field_id]["kind"])

    def field(
        self,
        field_id: str,
        placeholder: str = "",
        value: str = "",
        fill: str = "",
        n: str = "",
        multiline: bool = False,
    ) -> str:
        """The XML (run level, inside a paragraph) of the declared field ``field_id``.

        ``value``: what it starts with (text, Jinja allowed); ``fill``: a roster expression it
        starts with when that is set, else the placeholder shows (docxtpl {%r if %} runs);
        ``n``: what ``{n}`` becomes in the id (e.g. "{{ g.slot }}").
        """
        kind = self.kind(field_id)
        self.placed.add(field_id)
        concrete = field_id.replace("{n}", n) if "{n}" in field_id else field_id
        anchor = self.anchor(field_id, n)
        if kind == "checkbox":
            return fields.checkbox_control(concrete, **anchor)
        if not placeholder:
            placeholder = {"date": "Pick a date", "dropdown": "Choose one"}.get(kind, "Type here")
        args: dict[str, Any] = {"placeholder_text": placeholder, **anchor}
        if kind == "dropdown":
            args["choices"] = self.declared[field_id]["choices"]
        if kind == "text":
            # A long answer is a rich-text control: LibreOffice keeps its line breaks when it
            # re-saves (it moves them out of a plain-text control, joining the lines) but
            # drops its alias, so collect places it by position. A one-line answer is a
            # plain-text control, whose alias (the field id) LibreOffice keeps.
            args["multiline"] = multiline

        def control(text: str, full_date: str | None = None) -> str:
            return fields.content_control(concrete, kind, text=text, full_date=full_date, **args)

        if not fill:
            if kind == "date" and value:
                raise SystemExit(f"{self.form}: date {field_id} starts with a value: use fill")
            return control(value)
        # A date written in from the roster is a real date (w:fullDate), so it comes back as
        # one: the context gives every date X as X_full ("2026-09-01T00:00:00Z") too.
        full_date = "{{ " + fill + "_full }}" if kind == "date" else None
        return (
            run("{%r if " + fill + " %}")
            + control("{{ " + fill + " }}", full_date)
            + run("{%r else %}")
            + control("")
            + run("{%r endif %}")
        )

    def anchor(self, field_id: str, n: str) -> dict[str, Any]:
        """The name and bookmark id of the anchor around one placed field (see
        ``ooxml.controls``). Each placement gets its own thousand ids, the instance number
        ``n`` picks one of them: a literal number, or "{{ g.slot }}" rendered in a loop. Both
        branches of a ``fill`` (only one is rendered) share one.
        """
        self.anchors += 1
        base = self.anchors * 1000
        if "{{" not in n:
            return {"anchor_id": base + int(n or 0)}
        expression = n.strip()[2:-2].strip()
        widest = ns.anchor_name(field_id.replace("{n}", "999"))
        if widest != ns.ANCHOR_PREFIX + field_id.replace("{n}", "999"):
            raise SystemExit(f"{self.form}: {field_id} is too long to name its anchor in a loop")
        return {
            "anchor": ns.ANCHOR_PREFIX + field_id.replace("{n}", n),
            "anchor_id": "{{ " + f"{base} + ({expression})|int" + " }}",
        }

    def check_complete(self) -> None:
        missing = set(self.declared) - self.placed
        if missing:
            raise SystemExit(f"{self.form}: declared but not placed: {', '.join(sorted(missing))}")


# ---- what a form is made of ------------------------------------------------------------------
#
# Each form's layout (further down) is data. A Form is the purpose shown under its title, then
# Sections (numbered in order: "1. About us") and blocks; the signatures come last, numbered
# after the sections. A block is ready XML (heading, note, bullets, the docxtpl tag paragraphs
# of only_if and for_each) or one of these, which place declared fields:
#
#   Questions(Q(...), ...)       label | answer rows, one per question: the usual way to ask
#   Table(widths, rows, header)  a grid of Rows (Text, Label and Answer cells), Banners, Tags
#
# To add a question: declare its field (DECLARATIONS, above), then add a Q to the Questions of
# the section where it belongs. The build stops on a field placed but not declared, or
# declared but not placed.

LABEL_W = 3200  # the label column of a Questions table


@dataclass(frozen=True)
class Q:
    """A question: a shaded label (a hint under it) beside the declared field ``field``.

    ``placeholder``: the grey prompt ("": the kind's own, "Type here", "Pick a date", ...);
    ``value``: what the field starts with; ``fill``: a roster expression (Jinja) the field
    starts with when it is set, else the placeholder shows; ``multiline``: a long answer (a
    rich-text control in a tall row), by default every text field.
    """

    field: str
    label: str
    hint: str = ""
    placeholder: str = ""
    value: str = ""
    fill: str = ""
    multiline: bool | None = None


@dataclass(frozen=True)
class Text:
    """A table cell holding fixed text (Jinja allowed)."""

    text: str
    bold: bool = False
    span: int = 1  # how many columns the cell covers

    def xml(self, layout: Layout, width: int) -> str:
        return cell(run(self.text, bold=self.bold), width, span=self.span)


@dataclass(frozen=True)
class Label:
    """A shaded label cell, with an optional hint under the label."""

    label: str
    hint: str = ""
    span: int = 1

    def xml(self, layout: Layout, width: int) -> str:
        return label_cell(self.label, self.hint, width, self.span)


@dataclass(frozen=True)
class Answer:
    """A table cell holding the declared field ``field``; ``n`` is what "{n}" in it becomes.

    ``placeholder``, ``value``, ``fill``: as for Q; ``multiline``: a long answer (one line
    unless said); ``center``: centred across (tick boxes), ``middle``: centred down;
    ``after``: text after the field, in the same paragraph; ``span``: the columns it covers.
    """

    field: str
    placeholder: str = ""
    value: str = ""
    fill: str = ""
    n: str = ""
    multiline: bool = False
    center: bool = False
    middle: bool = False
    after: str = ""
    span: int = 1

    def xml(self, layout: Layout, width: int) -> str:
        content = layout.field(
            self.field, self.placeholder, self.value, self.fill, self.n, self.multiline
        )
        if self.after:
            content += run(self.after)
        style = "AnswerCenter" if self.center else "Answer"
        valign = "center" if self.middle else "top"
        return cell(para(content, style), width, span=self.span, valign=valign)


@dataclass(frozen=True)
class Hint:
    """A table cell holding fixed text in the hint style (Jinja allowed)."""

    text: str
    span: int = 1

    def xml(self, layout: Layout, width: int) -> str:
        return cell(para(run(self.text), "TableHint"), width, span=self.span)


Cell = Text | Label | Answer | Hint


class Row:
    """A table row, one cell per column; ``height``: its minimum height (twips), 0 as needed;
    ``with_next``: kept on the page of the row after it."""

    def __init__(self, *cells: Cell, height: int = 0, with_next: bool = False) -> None:
        self.cells = cells
        self.height = height
        self.with_next = with_next

    def xml(self, layout: Layout, widths: Sequence[int]) -> str:
        cells, column = [], 0
        for item in self.cells:  # a cell spanning columns takes their widths together
            cells.append(item.xml(layout, sum(widths[column : column + item.span])))
            column += item.span
        if column != len(widths):
            raise SystemExit(f"{layout.form}: a row covers {column} of {len(widths)} columns")
        xml = row(cells, self.height)
        return with_next(xml) if self.with_next else xml


@dataclass(frozen=True)
class Banner:
    """A row across the whole table: a label in the accent colour, a hint under it and
    ``examples`` under that, one a line."""

    label: str
    hint: str = ""
    examples: tuple[str, ...] = ()

    def xml(self, layout: Layout, widths: Sequence[int]) -> str:
        content = para(run(self.label, bold=True, color=ACCENT), "TableText")
        if self.hint:
            content += para(run(self.hint), "TableHint")
        for example in self.examples:
            content += para(run("•\u00a0" + example), "TableExample")
        # a banner heads the rows below it: never alone at the foot of a page
        return with_next(row([cell(content, sum(widths), fill=LABEL_FILL, span=len(widths))]))


@dataclass(frozen=True)
class Tag:
    """A docxtpl row tag such as "for m in meetings" ({%tr ... %}); rendering drops the row."""

    tag: str

    def xml(self, layout: Layout, widths: Sequence[int]) -> str:
        return jinja_row(self.tag, list(widths))


TableRow = Row | Banner | Tag


@dataclass(frozen=True)
class Table:
    """Columns ``widths`` (twips, adding up to TEXT_W), ``rows``, an optional ``header`` row
    (repeated on each page); ``one_page``: Word and LibreOffice keep the rows on one page."""

    widths: tuple[int, ...]
    rows: tuple[TableRow, ...]
    header: tuple[str, ...] | None = None
    one_page: bool = False

    def xml(self, layout: Layout) -> str:
        rows = [item.xml(layout, self.widths) for item in self.rows]
        if self.one_page:
            rows = keep_together(rows)
        header = None if self.header is None else list(self.header)
        return table(list(self.widths), rows, header)


class Questions:
    """Label | answer rows, one per Q. ``n``: what "{n}" in their fields becomes; ``line``,
    ``box``: the height of the row of a one-line and of a long answer; ``one_page``: as for
    Table; ``after``: a last row across the table, in the hint style (a line of text)."""

    def __init__(
        self,
        *questions: Q,
        n: str = "",
        line: int = LINE,
        box: int = BOX,
        one_page: bool = False,
        after: str = "",
    ) -> None:
        self.questions = questions
        self.n, self.line, self.box, self.one_page = n, line, box, one_page
        self.after = after

    def xml(self, layout: Layout) -> str:
        rows = []
        for q in self.questions:
            multiline = layout.kind(q.field) == "text" if q.multiline is None else q.multiline
            answer = Answer(q.field, q.placeholder, q.value, q.fill, self.n, multiline)
            height = self.box if multiline else self.line
            rows.append(Row(Label(q.label, q.hint), answer, height=height))
        if self.after:
            rows.append(Row(Hint(self.after, span=2)))
        return Table((LABEL_W, TEXT_W - LABEL_W), tuple(rows), one_page=self.one_page).xml(layout)


Block = str | Table | Questions


class Section:
    """A numbered part of a form: its heading ("3. Our collective commitments"), then blocks."""

    def __init__(self, title: str, *blocks: Block) -> None:
        self.title = title
        self.blocks = blocks


class Form:
    """A form's layout: the ``purpose`` shown under its title, then Sections and blocks;
    ``due``: the context's date it is due by (the packet's, or a later round's)."""

    def __init__(self, purpose: str, *parts: Section | Block, due: str = "program.forms_due"):
        self.purpose = purpose
        self.parts = parts
        self.due = due


def only_if(condition: str, *blocks: Block, otherwise: tuple[Block, ...] = ()) -> tuple[Block, ...]:
    """``blocks`` when the Jinja ``condition`` holds, else ``otherwise`` (docxtpl {%p if %})."""
    other = (jinja_p("else"), *otherwise) if otherwise else ()
    return (jinja_p(f"if {condition}"), *blocks, *other, jinja_p("endif"))


def for_each(loop: str, *blocks: Block) -> tuple[Block, ...]:
    """``blocks`` repeated for each item of a Jinja ``loop`` such as "g in goal_slots"."""
    return (jinja_p(f"for {loop}"), *blocks, jinja_p("endfor"))


def looped(loop: str, *rows: TableRow) -> tuple[TableRow, ...]:
    """Table ``rows`` repeated for each item of a Jinja ``loop`` (docxtpl {%tr for %})."""
    return (Tag(f"for {loop}"), *rows, Tag("endfor"))


# ---- what every form has: a title block and signatures -----------------------------------------


def how_to_fill_in(due: str) -> str:
    """The box under the title; ``due``: the context's date the form is due by."""
    return (
        "Fill it in together. Click a grey prompt and type over it; click a box to tick it; "
        "pick dates and choices from the lists. Save it as a Word file (.docx) with the same "
        "name and return it to {{ program.coordinator_name }} ({{ program.coordinator_email }})"
        "{% if " + due + " %} by {{ " + due + "_long }}{% endif %}."
    )


HOW_TO_FILL_IN = how_to_fill_in("program.forms_due")  # the packet at the start


def title_block(title: str, purpose: str, how_to_text: str = HOW_TO_FILL_IN) -> str:
    """Program name, title, the pair, the form's purpose and a box on how to fill it in."""
    program = (
        "{{ program.name }}{% if program.organization %} · {{ program.organization }}{% endif %}"
    )
    pair = "Pair {{ pair.id }} · {{ mentor.name }} (mentor) and {{ mentee.name }} (mentee)"
    how_to = para(run("How to fill in this form", bold=True, color=ACCENT), "TableText") + para(
        run(how_to_text), "TableText"
    )
    return (
        para(run(program), "ProgramName")
        + para(run(title), "Title")
        + para(run(pair), "Subtitle")
        + note(purpose)
        + table([TEXT_W], [row([cell(how_to, TEXT_W, fill=NOTE_FILL)])])
    )


AGREE = {
    "action-plan": "I agree to this action plan",
    "terms-of-engagement": "I agree to these terms",
    "goal-sheet": "I agree to these goals",
    "confidentiality-agreement": "I agree to keep this agreement",
    "midpoint-review": "I agree with this check-in",
    "end-review": "I agree with this review",
}

SIGNATURE_NOTE = (
    "Typing your name and ticking “I agree” is your signature. Keep a copy each"
    "{% if program.signed_copies_to %} and send a signed copy to "
    "{{ program.signed_copies_to }}{% endif %}."
)


def signatures(agree: str) -> Table:
    """Typed names, dates and "I agree" boxes, the mentor's beside the mentee's."""
    label_w, col_w = 2600, (TEXT_W - 2600) // 2
    return Table(
        widths=(label_w, col_w, TEXT_W - label_w - col_w),
        header=("", "Mentor: {{ mentor.name }}", "Mentee: {{ mentee.name }}"),
        rows=(
            Row(
                Label("Name"),
                Answer("mentor_sign_name", "Type your full name"),
                Answer("mentee_sign_name", "Type your full name"),
                height=560,
            ),
            Row(Label("Date"), Answer("mentor_sign_date"), Answer("mentee_sign_date"), height=LINE),
            Row(
                Label("Agreement"),
                Answer("mentor_agree", after=" " + agree),
                Answer("mentee_agree", after=" " + agree),
                height=LINE,
            ),
        ),
        one_page=True,
    )


def signature_block(layout: Layout, number: int | None) -> None:
    layout.add(
        heading(f"{number}. Signatures" if number else "Signatures"),
        note(SIGNATURE_NOTE),
        signatures(AGREE[layout.form]).xml(layout),
    )


def lay_out(layout: Layout, form: Form) -> None:
    """Walk a form's layout: title block, numbered sections and blocks, signatures."""
    layout.add(title_block(TITLES[layout.form], form.purpose, how_to_fill_in(form.due)))
    number = 0
    for part in form.parts:
        if isinstance(part, Section):
            number += 1
            layout.add(heading(f"{number}. {part.title}"), *map(layout.render, part.blocks))
        else:
            layout.add(layout.render(part))
    signature_block(layout, number + 1 if number else None)


# ---- the four forms of the packet ----------------------------------------------------------------------------


def person_rows(who: str) -> tuple[TableRow, ...]:
    """The rows of "About us" for ``who`` ("mentor" or "mentee"): a banner, then name, role,
    email and phone, written in from the roster (role and phone only when the roster has
    them, else the prompt shows). The answers take the table's width, so a long email address
    fits on its line instead of breaking in the middle."""
    rows: list[TableRow] = [Banner(who.capitalize() + ": {{ " + who + ".name }}")]
    for what, label, optional in (
        ("name", "Name", False),
        ("role", "Role in the organization", True),
        ("email", "Email address", False),
        ("phone", "Phone number", True),
    ):
        expr = f"{who}.{what}"
        answer = Answer(
            f"{who}_{what}",
            f"Type the {who}'s {label.lower()}",
            value="" if optional else "{{ " + expr + " }}",
            fill=expr if optional else "",
        )
        rows.append(Row(Label(label), answer, height=LINE))
    return tuple(rows)


PEOPLE_TABLE = Table(
    widths=(LABEL_W, TEXT_W - LABEL_W),
    rows=(*person_rows("mentor"), *person_rows("mentee")),
)

MEETING_SCHEDULE = Table(
    widths=(500, 2700, 900, 3000, TEXT_W - 7100),
    header=("#", "Date", "Time", "Place", "Focus"),
    rows=looped(
        "m in meetings",
        Row(
            Text("{{ m.number }}"),
            Text("{{ m.date_long }}"),
            Text("{{ m.time }}"),
            Text("{{ m.place }}"),
            Text("{{ m.focus }}"),
        ),
    ),
)

BREAKS_NOTE = note(
    "No meetings during the program's breaks: {% for b in breaks %}{{ b.name }} "
    "({{ b.first_day }}{% if not b.one_day %} to {{ b.last_day }}{% endif %})"
    "{% if not loop.last %}; {% endif %}{% endfor %}."
)

COMMITMENT_QUESTIONS = {  # the question under each of COMMITMENT_AREAS
    "attendance": "What do we promise about being there, on time and ready?",
    "participation": "How will we take part in our meetings?",
    "interaction": "How will we treat each other?",
    "other": "Anything else we need to promise each other that fits none of the above.",
}

# Ideas to choose from or reword, under the participation and interaction questions.
COMMITMENT_EXAMPLES = {
    "participation": (
        "We will aim for the best work we can do.",
        "We will listen actively and take a full part.",
        "We will watch how much of the talking each of us does.",
        "We will stay on the topic, with no conversations on the side.",
        "We will leave texts and email alone while we meet.",
        "We will make it safe to take risks, try things out and succeed.",
        "We will discuss ideas, not the person who offered them.",
    ),
    "interaction": (
        "We will ask questions to understand, and build on each other's ideas.",
        "We will talk openly and welcome each other's views.",
        "We will show care and respect for each other.",
        "We will keep confidences: what is said between us stays between us.",
        "We will respect every point of view, values and experience: no answer is wrong.",
        "We will enjoy working together.",
    ),
}


def commitment_rows(area: str, label: str) -> tuple[TableRow, ...]:
    """An area of commitments: its question (and ideas), then a row per commitment."""
    answer = Answer(f"commitment_{area}_{{n}}", "We will ...", fill="c.text", n="{{ c.number }}")
    examples = COMMITMENT_EXAMPLES.get(area, ())
    hint = COMMITMENT_QUESTIONS[area] + (" Some ideas:" if examples else "")
    return (
        Banner(label, hint, examples),
        *looped(f"c in commitments.{area}", Row(Text("{{ c.number }}"), answer, height=LINE)),
    )


COMMITMENTS_TABLE = Table(
    widths=(600, TEXT_W - 600),
    rows=tuple(item for area, label in COMMITMENT_AREAS for item in commitment_rows(area, label)),
)

COMMITMENT_STEPS = [
    "On your own first: each of you writes down, privately, the commitments that matter to "
    "you, one idea a line (a few minutes is enough), in the box below.",
    "Together: sort both lists under the four questions of the table, putting similar ideas "
    "side by side.",
    "Keep what matters most, then ask: can we both keep every one of these? Talk through any "
    "you do not agree on until you do.",
    "Write the final list in the table (four to six in all is a good number) and sign the "
    "plan at the end.",
]

BRAINSTORM = Questions(
    Q(
        "brainstorm_mentor",
        "The mentor's own ideas",
        hint="Before you compare notes",
        placeholder="One idea a line: what would you like us to promise each other?",
    ),
    Q(
        "brainstorm_mentee",
        "The mentee's own ideas",
        hint="Before you compare notes",
        placeholder="One idea a line: what would you like us to promise each other?",
    ),
    box=900,
)

CONSENSUS = Table(
    widths=(LABEL_W, TEXT_W - LABEL_W),
    rows=(
        Row(
            Label("Can we both keep every one?", "If not, talk it through first"),
            Answer(
                "commitments_agreed",
                after=" Yes: we can both keep every commitment above",
                middle=True,
            ),
            height=LINE,
        ),
    ),
)


def action_item(n: int, what: str = "", when: str = "") -> Row:
    """Row ``n`` of the action items: ``what`` written in; ``when``: a roster date shown if set."""
    number = str(n)
    return Row(
        Text(number),
        Answer("action_{n}_what", "What will we do?", value=what, n=number),
        Answer("action_{n}_when", fill=when, n=number),
        Answer("action_{n}_how", "How?", n=number),
        Answer("action_{n}_why", "Why?", n=number),
        height=700,
    )


ACTION_ITEMS = Table(
    widths=(500, 3000, 1900, 2100, TEXT_W - 7500),
    header=("#", "What", "When", "How", "Why"),
    rows=(
        # 1 to 3: the program's first-meeting checklist, written in already (the address for
        # signed copies is in the signatures' note, where it has the page's width)
        action_item(
            1,
            "Discuss and sign our mentoring agreement and keep a copy each"
            "{% if program.signed_copies_to %}; send a signed copy to the program{% endif %}",
            when="program.forms_due",
        ),
        action_item(2, "Talk through what we hope to achieve together and the goals we might set"),
        action_item(
            3, "Agree how we will measure progress and when we will review our relationship"
        ),
        action_item(4),
        action_item(5),
    ),
)


def observation_table(n: int) -> Table:
    """One observation of a coaching plan: planned (date, who, conferences, focus), then what
    the post-observation conference found."""
    number = str(n)
    label = 2300
    half = (TEXT_W - 2 * label) // 2
    record = (
        ("seen", "What we saw", "The data the observer collected", "What happened, as noted"),
        ("patterns", "Patterns", "What keeps coming back", "The patterns you see"),
        ("implications", "What they mean", "For teaching and learning", "What they imply"),
        ("next_step", "Next step", "What to improve next, and how", "Your decision and plan"),
    )
    return Table(
        widths=(label, half, label, TEXT_W - 2 * label - half),
        rows=(
            Banner(f"Observation {n}"),
            # (labels of three words or more: a printed copy's reader finds them mid-line)
            Row(
                Label("Observation date"),
                Answer("observation_{n}_date", n=number),
                Label("Who observes whom"),
                Answer("observation_{n}_observer", n=number),
                height=LINE,
            ),
            Row(
                Label("Pre-conference date"),
                Answer("observation_{n}_pre_conference", n=number),
                Label("Post-conference date"),
                Answer("observation_{n}_post_conference", n=number),
                height=LINE,
            ),
            Row(
                Label("Focus", "What to look for"),
                Answer(
                    "observation_{n}_focus", "What will the observer look for?", n=number, span=3
                ),
                height=600,
            ),
            *(
                Row(
                    Label(name, hint),
                    Answer(f"observation_{{n}}_{key}", prompt, n=number, multiline=True, span=3),
                    height=700,
                )
                for key, name, hint, prompt in record
            ),
        ),
        one_page=True,
    )


# Each task takes two rows: its tick boxes, date and notes, then its time and place under it.
# (Printed and read back, answers side by side are told apart by their kinds: a row holds at
# most one free-text answer, and a label of its own starts the next.)
CALENDAR = Table(
    widths=(TEXT_W - 6750, 900, 1300, 1650, 2900),
    header=("Task", "Not for us", "Together", "Date", "Notes"),
    rows=looped(
        "c in calendar",
        Tag("if c.first_in_month"),
        Banner("{{ c.month }}"),
        Tag("endif"),
        Row(
            Text("{{ c.task }}"),
            Answer("calendar_{n}_skip", n="{{ c.number }}", center=True),
            Answer("calendar_{n}_together", n="{{ c.number }}", center=True),
            Answer("calendar_{n}_date", n="{{ c.number }}"),
            Answer("calendar_{n}_notes", "Notes", fill="c.notes", n="{{ c.number }}"),
            height=LINE,
            with_next=True,
        ),
        Row(
            Label("Time and place"),
            Answer(
                "calendar_{n}_place_time",
                "When and where, if it matters",
                n="{{ c.number }}",
                span=4,
            ),
            height=LINE,
        ),
    ),
)

OWN_TASKS = Table(
    widths=(500, TEXT_W - 500 - 1300 - 1650, 1300, 1650),
    header=("#", "Task", "Together", "Date"),
    rows=tuple(
        row
        for n in range(1, 4)
        for row in (
            Row(
                Text(str(n)),
                Answer("own_task_{n}_task", "A task you add", n=str(n)),
                Answer("own_task_{n}_together", center=True, n=str(n)),
                Answer("own_task_{n}_date", n=str(n)),
                height=LINE,
                with_next=True,
            ),
            Row(
                Label("Time and place", span=2),
                Answer("own_task_{n}_place_time", "When and where", n=str(n), span=2),
                height=LINE,
            ),
        )
    ),
)

PLAN_METHODS_TEXT = [
    "Mentee-focused: we work on the mentee's goals, for example areas a review suggested. The "
    "mentor is not an arm of the supervisor and sees a review only if the mentee chooses to "
    "share it.",
    "Mutual growth: as above, and the mentor also works on their own goals for growing as a "
    "mentor; we share our plans and support each other's.",
    "Coaching: we set one or two goals together and work on them by observing each other at "
    "work, with a conference before and after each observation.",
]

MUTUAL_GROWTH_PART = (
    heading("Mutual growth: the mentor's growth goals", 2),
    note(
        "Besides working on the mentee's goals, the mentor sets goals for growing as a mentor "
        "and plans how to reach them; write them on the goal sheet, under “The mentor's growth "
        "goals”. Then share and compare your goals and plans, find out each other's strengths, "
        "and agree how you will support each other."
    ),
    Questions(
        Q(
            "mentor_goals_basis",
            "What are the mentor's goals based on?",
            hint="What the self-assessments of mentor training show, side by side; this "
            "stays between you",
            placeholder="What comparing the self-assessments showed the mentor could work on",
        ),
        Q(
            "mutual_support",
            "How will we support each other's plans?",
            hint="Share and compare your goals and strengths",
            placeholder="Describe how you will help each other grow",
        ),
        Q(
            "extra_colleagues",
            "Who else could join us?",
            hint="A colleague with strengths neither of us has",
            placeholder="Name a colleague and the strength they bring, if any",
        ),
    ),
)

COACHING_PART = (
    heading("Coaching: observing each other", 2),
    note(
        "Set one or two goals together, with the strategies and skills you want to master, on "
        "the goal sheet under “Our coaching goals”. You work on them by observing each other "
        "at work: a pre-conference to plan each observation, and a post-conference to look at "
        "what it showed, the patterns, what they mean, and what to improve next."
    ),
    Questions(
        Q(
            "observation_frequency",
            "When and how often will we observe each other?",
            hint="Often enough to see a pattern",
            placeholder="For example: once a month each, for a full lesson",
        ),
        Q(
            "conference_place_time",
            "Where and when will we confer?",
            hint="Before and after each observation",
            placeholder="Type the place and times for your conferences",
        ),
        Q(
            "observation_limits",
            "When is observing not appropriate?",
            placeholder="Times or situations when you would rather not be observed",
        ),
        Q(
            "coaching_outcome",
            "What do we each hope to accomplish?",
            hint="As coaches of each other, by the end",
            placeholder="Describe what you each want from coaching each other",
        ),
    ),
    heading("Our observations and conferences", 2),
    note(
        "Fill in the date, who observes and the focus when you plan an observation; after the "
        "post-conference, note what you saw, the patterns, what they mean and your next step."
    ),
    *(observation_table(n) for n in range(1, OBSERVATIONS + 1)),
)

GOAL_SHEET_PARTS = (  # the goal sheet's sections, and when a pair's sheet has them
    ("plan.mentee_goals", "the mentee's goals, with how the mentor supports each one"),
    ("plan.mentor_goals", "the mentor's own growth goals"),
    ("plan.joint_goals", "our coaching goals, set together"),
)

ACTION_PLAN_LAYOUT = Form(
    "Your shared plan for the year: who you are, how you will work together, what you want to "
    "achieve and how you will get there. Revisit it whenever things change.",
    Section("About us", PEOPLE_TABLE),
    Section(
        "When we meet",
        note(
            "You agree your regular meeting day, time and place, and what to do when a meeting "
            "cannot happen, in your terms of engagement (section 5, “Our scheduled meetings”)."
        ),
        heading("Our meeting schedule", 2),
        *only_if(
            "meetings",
            MEETING_SCHEDULE,
            otherwise=(
                note(
                    "No meetings are scheduled yet. Agree your first dates together and note "
                    "them here."
                ),
            ),
        ),
        *only_if("breaks", BREAKS_NOTE),
    ),
    Section(
        "Our collective commitments",
        note(
            "Commitments are the promises you make to each other about how you will work "
            "together; each one starts with “We will”. They build trust and say what you can "
            "expect of each other. The roster's are written in below: keep the ones that work "
            "for you, reword any that do not, and add your own. How to agree on them:"
        ),
        numbered_steps(COMMITMENT_STEPS),
        heading("Our own ideas first", 2),
        BRAINSTORM,
        heading("Our commitments", 2),
        COMMITMENTS_TABLE,
        CONSENSUS,
        note(
            "If your meetings start to feel unproductive, come back to this list together and "
            "change what needs changing."
        ),
    ),
    Section(
        "Our vision and purpose",
        Questions(
            Q(
                "vision",
                "What do we hope to achieve together?",
                hint="Your vision for this year",
                placeholder="Describe what success looks like for you both",
            ),
            Q(
                "mentor_support_style",
                "How will the mentor help?",
                hint="Support, advise, consult, collaborate, coach",
                placeholder="Describe how the mentor will support the mentee",
            ),
            Q(
                "why_important",
                "Why does this matter to the mentee?",
                placeholder="Say why this is important to you",
            ),
        ),
    ),
    Section(
        "Our goals",
        note(
            "Your goals are on your goal sheet, each with how you will work on it, how you will "
            "measure progress and by when; keep it up to date as goals change. It holds:"
        ),
        *(
            block
            for condition, text in GOAL_SHEET_PARTS
            for block in only_if(condition, bullets([text]))
        ),
        *only_if(
            "plan.mentee_goals",
            note(
                "The mentee sets three to five goals for your time together, drawing on their "
                "self-assessment{% if program.standards %} and on the program's standards{% endif %}."
            ),
            *only_if("program.standards", quote("{{ program.standards }}")),
            Questions(
                Q(
                    "goals_basis",
                    "What are the mentee's goals based on?",
                    hint="Only what the mentee chooses to share; this stays between you",
                    placeholder="For example: self-assessment, standards, feedback from a review",
                )
            ),
        ),
    ),
    Section(
        "Action items",
        note(
            "What will you do, when, how and why? The first three come from the program's "
            "first-meeting checklist; add your own below them."
        ),
        ACTION_ITEMS,
    ),
    Section(
        "Measuring progress",
        note("The program's mid-point check is on {{ program.midpoint_long }}."),
        Questions(
            Q(
                "progress_measures",
                "How will we know we are making progress?",
                hint="Indicators and benchmarks",
                placeholder="What will tell you that a goal has been reached?",
            ),
            Q(
                "evaluation_plan",
                "When and how will we review our relationship?",
                placeholder="For example: a frank conversation at the mid-point and at the end",
            ),
            Q(
                "evaluation_date",
                "Date of our review",
                placeholder="Pick a date",
                fill="program.midpoint",
            ),
        ),
    ),
    Section(
        "Our plan type",
        note(
            "The program's three ways of planning the work; a pair may use coaching beside "
            "either of the others, for a different part of its work."
        ),
        bullets(PLAN_METHODS_TEXT),
        Questions(
            Q(
                "plan_type",
                "Our plan type",
                hint="Ask the coordinator if you want to change it",
                placeholder="Choose one",
                fill="pair.plan_type",
            )
        ),
        *only_if("plan.mutual_growth", *MUTUAL_GROWTH_PART),
        *only_if("plan.coaching", *COACHING_PART),
    ),
    Section(
        "Our month-by-month plan",
        note(
            "The program suggests these tasks month by month. Go through them together and make "
            "them yours: tick “Not for us” to cross out a task that does not fit, “Together” "
            "for one you will do together, and add a date, a time and place, and notes."
        ),
        *only_if(
            "calendar",
            CALENDAR,
            otherwise=(
                note("The program has no calendar of tasks this year: add your own below."),
            ),
        ),
        heading("Tasks we add ourselves", 2),
        OWN_TASKS,
    ),
)


CHANNELS_TABLE = Table(
    widths=(2200, 1300, TEXT_W - 3500),
    header=("Way", "We use it", "How often, and what for"),
    rows=tuple(
        Row(
            Label(label),
            Answer(f"channel_{key}_use", center=True),
            Answer(f"channel_{key}_how_often", "How often, and what for?"),
            height=LINE,
        )
        for key, label in CHANNELS
    ),
)

TERMS_LAYOUT = Form(
    "What your mentoring relationship will be like: talk these questions through at your first "
    "meeting and write down what you decide. They are a starting point; add anything that "
    "matters to you both.",
    Section(
        "Our roles",
        note(
            "The mentor shares experience, advises, advocates, coaches and supports. The mentee "
            "sets goals, asks for advice, reflects on their work and keeps growing "
            "professionally: reflecting together is why you meet regularly, even when there is "
            "no particular question. Some starting points:"
        ),
        bullets(
            [
                "The mentee drives the relationship; the mentor guides it.",
                "Taking part is voluntary, and the mentee makes their own decisions and owns "
                "their results.",
                "We are both open, engaged and non-judgmental; each of us teaches and each learns.",
                "The structure is formal, our conversations informal, and what we say is "
                "confidential.",
                "Trust rests on confidentiality and on acting ethically toward each other and "
                "everyone we talk about.",
            ]
        ),
        Questions(
            Q(
                "roles_comments",
                "Anything to add about our roles?",
                hint="Comments or clarifications",
                placeholder="Note anything you want to clarify about your roles",
            )
        ),
    ),
    Section(
        "Our purpose",
        Questions(
            Q(
                "purpose",
                "Why are we doing this?",
                hint="Mentoring for its own sake is not a purpose",
                placeholder="Write your specific purposes for this partnership",
            )
        ),
    ),
    Section(
        "What we expect of each other",
        Questions(
            Q(
                "expect_of_mentor",
                "The mentee expects the mentor to ...",
                hint="During and between our sessions",
                placeholder="Write what the mentee hopes for from the mentor",
            ),
            Q(
                "expect_of_mentee",
                "The mentor expects the mentee to ...",
                placeholder="Write what the mentor hopes for from the mentee",
            ),
        ),
    ),
    Section(
        "How we keep in touch",
        CHANNELS_TABLE,
        Questions(
            Q(
                "meeting_style",
                "Formal, informal or a mix?",
                hint="How structured our meetings are",
                placeholder="Choose one",
            )
        ),
    ),
    Section(
        "Our scheduled meetings",
        note("The action plan refers to what you agree here; its schedule lists the dates."),
        Questions(
            Q("meeting_day", "Day", placeholder="Choose a day", fill="pair.meeting_day"),
            Q(
                "meeting_time",
                "Time",
                hint="Before or after school or work?",
                placeholder="For example: 15:30",
                fill="pair.meeting_time",
                multiline=False,
            ),
            Q(
                "meeting_length",
                "How long",
                placeholder="For example: 45 minutes",
                fill="pair.meeting_length_text",
                multiline=False,
            ),
            Q("meeting_frequency", "How often", placeholder="Choose one", fill="pair.frequency"),
            Q(
                "meeting_mode",
                "In person or online",
                placeholder="Choose one",
                fill="pair.meeting_mode",
            ),
            Q(
                "meeting_place",
                "Where",
                hint="Room, address or video link",
                placeholder="Type where you will meet",
                fill="pair.meeting_place",
                multiline=False,
            ),
            Q(
                "cancellation_plan",
                "If one of us has to cancel or postpone",
                hint="How much notice, how we tell each other, how we find another time",
                placeholder="Describe what you will do",
                fill="pair.cancellation_plan",
            ),
        ),
    ),
    Section(
        "Between meetings",
        note(
            "Questions and news do not always wait for the next meeting. Agree how and when you "
            "can reach each other informally, so neither of you is caught off guard."
        ),
        Questions(
            Q(
                "informal_channels",
                "How can we reach each other?",
                hint="Email, text, a call, dropping by ...",
                placeholder="Write the ways that suit you both",
                fill="pair.informal_contact",
            ),
            Q(
                "informal_hours",
                "Best times and places",
                placeholder="For example: mornings before 8:30, in the staff room",
            ),
            Q("informal_weekends", "Weekends?", placeholder="Choose one"),
            Q(
                "informal_interrupt",
                "Can we interrupt each other's class or work?",
                placeholder="Choose one",
            ),
            Q(
                "reply_time",
                "How soon do we reply?",
                hint="To a phone or email message",
                placeholder="For example: within one working day",
                multiline=False,
            ),
        ),
    ),
    Section(
        "Keeping our relationship healthy",
        Questions(
            Q(
                "derailers",
                "What would derail us?",
                hint="Name it now so you can avoid it",
                placeholder="Write what could get in the way",
            ),
            Q(
                "disagreement",
                "When we disagree",
                hint="How we handle disagreement or conflict, and agree to disagree",
                placeholder="Describe how you will handle it",
            ),
            Q(
                "feedback",
                "Constructive feedback",
                hint="How we each prefer to give and receive it",
                placeholder="Describe how you will give and take feedback",
            ),
            Q(
                "not_working",
                "If it is not working",
                hint="What we try first, who could help, and how either of us says it is "
                "time to end it",
                placeholder="Describe what you will do, and how you will tell each other",
            ),
            Q(
                "recognition",
                "Recognising each other",
                hint="How we appreciate each other's efforts",
                placeholder="Describe how you will say thank you and celebrate",
            ),
            Q(
                "other_agreements",
                "Anything else we agree on",
                hint="Add whatever matters to both of you, as ground rules for working together",
                placeholder="Optional: write any other agreements",
            ),
        ),
    ),
    Section(
        "Our timeframe",
        note(
            "A clear end point keeps you focused. Halfway through, stop and look at your "
            "progress together."
        ),
        Questions(
            Q("start_date", "We start on", placeholder="Pick a date", fill="pair.start_date"),
            Q(
                "midpoint_date",
                "Mid-point check",
                placeholder="Pick a date",
                fill="program.midpoint",
            ),
            Q("end_date", "We finish on", placeholder="Pick a date", fill="pair.end_date"),
            Q(
                "timeframe_notes",
                "Milestones that shape our timeframe",
                hint="For example: a performance review or a project deadline",
                placeholder="Note any milestones",
            ),
        ),
    ),
    Section(
        "Looking at our agreement again",
        note(
            "What suits you in September may not suit you in February. Agree now when you will "
            "look at these terms again, and change whatever is not working for either of you."
        ),
        Questions(
            Q(
                "revisit_date",
                "We will look at these terms again on",
                hint="For example at the mid-point check, {{ program.midpoint }}",
                placeholder="Pick a date",
            ),
            Q(
                "revisit_changes",
                "What we changed",
                hint="Fill this in when you have looked at them again",
                placeholder="Note what you changed and why, or that nothing needed to change",
            ),
        ),
    ),
)


def goal_progress(prefix: str) -> tuple[Q, ...]:
    """The questions every goal ends with: measure and target date (its progress and status
    are asked by the mid-point check-in and the end-of-program review: GOAL_FOLLOW_UP)."""
    return (
        Q(
            f"{prefix}_{{n}}_measure",
            "How we will measure progress",
            hint="How will we know it is done?",
            placeholder="Describe the sign of progress",
            fill="g.measure",
        ),
        Q(
            f"{prefix}_{{n}}_target_date",
            "Target date",
            placeholder="Pick a date",
            fill="g.target_date",
        ),
    )


# The last row of every goal, where its progress and status were asked up to version 2.0: they
# are asked once, by the later rounds' forms (docs/forms.md, "Asked once").
GOAL_FOLLOW_UP = (
    "Progress and status: the mid-point check-in and the end-of-program review take these up, "
    "goal by goal. Keep this sheet as your plan."
)


def goal_sections(slots: str, title: str, *questions: Q) -> tuple[Block, ...]:
    """One section per goal of the loop over ``slots`` ("goal_slots"...), headed ``title``
    and its number, "(optional)" while an optional slot is empty."""
    return for_each(
        f"g in {slots}",
        heading(title + " {{ g.slot }}{% if g.optional %} (optional){% endif %}", 2),
        Questions(*questions, n="{{ g.slot }}", box=800, one_page=True, after=GOAL_FOLLOW_UP),
    )


MENTEE_GOALS = (
    heading("The mentee's goals"),
    note(
        "Three to five goals: the first three are needed. Mix short-term work goals with "
        "long-term career goals, and agree which come first."
    ),
    *goal_sections(
        "goal_slots",
        "Goal",
        Q(
            "goal_{n}_goal",
            "The goal",
            placeholder="Describe the goal in a sentence",
            fill="g.goal",
        ),
        Q(
            "goal_{n}_horizon",
            "Short- or long-term?",
            placeholder="Choose one",
            fill="g.horizon",
        ),
        Q("goal_{n}_priority", "Priority", placeholder="Choose one"),
        Q(
            "goal_{n}_mentor_support",
            "How the mentor will support it",
            placeholder="How will the mentor help?",
            fill="g.mentor_support",
        ),
        Q(
            "goal_{n}_mentee_accountable",
            "What the mentee is accountable for",
            placeholder="What will the mentee do?",
            fill="g.mentee_accountable",
        ),
        *goal_progress("goal"),
    ),
)

MENTOR_GOALS = (
    heading("The mentor's growth goals"),
    note(
        "Mutual growth: the mentor's own goals for growing as a mentor, drawn from the "
        "self-assessments of mentor training, with the mentor's plan to reach them."
    ),
    *goal_sections(
        "mentor_goal_slots",
        "Mentor's goal",
        Q(
            "mentor_goal_{n}_goal",
            "The mentor's goal",
            placeholder="A goal for growing as a mentor",
            fill="g.goal",
        ),
        Q(
            "mentor_goal_{n}_plan",
            "How the mentor will reach it",
            hint="The mentor's own plan",
            placeholder="What will the mentor do?",
            fill="g.mentor_support",
        ),
        Q(
            "mentor_goal_{n}_mentee_support",
            "How the mentee helps",
            hint="For example, honest feedback",
            placeholder="How will the mentee support the mentor's growth?",
            fill="g.mentee_accountable",
        ),
        *goal_progress("mentor_goal"),
    ),
)

JOINT_GOALS = (
    heading("Our coaching goals"),
    note(
        "Coaching: one or two goals you set together, such as a question about good practice "
        "you will explore by observing each other. Record each observation in the action plan "
        "(section 8, “Our observations and conferences”)."
    ),
    *goal_sections(
        "joint_goal_slots",
        "Coaching goal",
        Q(
            "joint_goal_{n}_goal",
            "Our goal",
            placeholder="Describe the goal you share in a sentence",
            fill="g.goal",
        ),
        Q(
            "joint_goal_{n}_skills",
            "Strategies and skills to master",
            placeholder="Which strategies and skills will you work on?",
        ),
        Q(
            "joint_goal_{n}_mentor_part",
            "The mentor's part",
            placeholder="What will the mentor do?",
            fill="g.mentor_support",
        ),
        Q(
            "joint_goal_{n}_mentee_part",
            "The mentee's part",
            placeholder="What will the mentee do?",
            fill="g.mentee_accountable",
        ),
        *goal_progress("joint_goal"),
    ),
)

GOAL_SHEET_LAYOUT = Form(
    "Your goals for your time together, each with how you will work on it and measure it: your "
    "plan. The mid-point check-in on {{ program.midpoint_long }} starts from it.",
    *only_if("plan.mentee_goals", *MENTEE_GOALS),
    *only_if("plan.mentor_goals", *MENTOR_GOALS),
    *only_if("plan.joint_goals", *JOINT_GOALS),
    note(
        "Need room for more goals? Ask {{ program.coordinator_name }} for a new goal sheet with "
        "more goal sections."
    ),
)


# The promises both sign up to, each with its tick box.
PROMISES = (
    (
        "ack_no_reporting",
        "The mentor will not report the mentee's difficulties to supervisors, managers or other "
        "colleagues.",
    ),
    (
        "ack_seek_help",
        "The mentee remains free to ask supervisors and other colleagues for help and advice; "
        "that takes nothing away from our partnership.",
    ),
    ("ack_no_gossip", "Neither of us will gossip about the other's personal or professional life."),
    (
        "ack_open_communication",
        "We will talk openly and honestly, and raise and try to resolve any conflict as it comes "
        "up.",
    ),
    (
        "ack_either_may_end",
        "Either of us may end the mentoring relationship, for any reason, and the other will "
        "accept that decision.",
    ),
)

CONFIDENTIALITY_LAYOUT = Form(
    "Trust is the heart of mentoring: this agreement says what stays between the two of you and "
    "how you will keep your partnership honest.",
    Section(
        "What stays between us",
        note(
            "What we discuss, in meetings or informally, stays between the two of us. Sensitive "
            "matters are held in confidence, and neither of us repeats them without the other's "
            "permission. Keeping confidences and acting ethically are what our trust is built "
            "on. Confidentiality does not cover anything that puts someone's safety at risk or "
            "that the law requires us to report."
        ),
        Questions(
            Q(
                "kept_private",
                "Anything we want to name as private",
                hint="Optional",
                placeholder="Note anything specific you agree to keep between you",
            )
        ),
    ),
    Section(
        "Topics that are off limits",
        Questions(
            Q(
                "off_limits",
                "We will not discuss",
                hint="Either of us may name a topic; write “none” if there are none",
                placeholder="Write the topics that are off limits",
            )
        ),
    ),
    Section(
        "Our promises",
        Table(
            widths=(TEXT_W - 1400, 1400),
            header=("We promise", "We agree"),
            rows=tuple(
                Row(Text(text), Answer(field_id, center=True, middle=True), height=LINE)
                for field_id, text in PROMISES
            ),
            one_page=True,
        ),
    ),
    Section(
        "If things get difficult",
        note(
            "How you handle a disagreement, what you do if the relationship is not working and "
            "how either of you says it is time to end it are in your terms of engagement "
            "(section 7, “Keeping our relationship healthy”). Whatever you agree there, the "
            "promise above stands: either of you may end it, and the other accepts that."
        ),
    ),
)


# ---- the later rounds: each goal as the pair wrote it, then what the round asks ---------------


@dataclass(frozen=True)
class GoalBanner:
    """The row heading one goal of a later round: its name, then what the pair planned for it,
    each of ``lines`` ((Jinja condition, text)) shown only when its condition holds."""

    label: str
    lines: tuple[tuple[str, str], ...] = ()

    def xml(self, layout: Layout, widths: Sequence[int]) -> str:
        content = para(run(self.label, bold=True, color=ACCENT), "TableText")
        for condition, text in self.lines:
            content += jinja_p(f"if {condition}") + para(run(text), "TableHint") + jinja_p("endif")
        return with_next(row([cell(content, sum(widths), fill=LABEL_FILL, span=len(widths))]))


# What one goal is called on the forms, by group (the goal sheet's headings).
GOAL_TITLES = {"goal": "Goal", "mentor_goal": "Mentor's goal", "joint_goal": "Coaching goal"}

# What the pair planned for a goal, under its name (from the goal sheet they returned).
GOAL_PLANNED = (
    ("g.measure", "How you planned to measure it: {{ g.measure }}"),
    ("g.target_date", "Target date: {{ g.target_date }}"),
)


def review_ask(
    prefix: str,
    key: str,
    label: str,
    hint: str,
    placeholder: str,
    height: int = BOX,
    fill: str = "",
) -> Row:
    """A label | answer row of one goal: the field ``{prefix}_{n}_{key}`` of slot g.slot."""
    field_id = f"{prefix}_{{n}}_{key}"
    return Row(
        Label(label, hint),
        Answer(field_id, placeholder, fill=fill, n="{{ g.slot }}", multiline=True),
        height=height,
    )


def review_goal_table(prefix: str, stage: str) -> Table:
    """One goal of a later round: its banner, the goal as the pair wrote it (prefilled, theirs
    to reword), then the round's questions; the end review shows the mid-point's answers."""
    rows: list[TableRow] = [
        GoalBanner(GOAL_TITLES[prefix] + " {{ g.slot }}", GOAL_PLANNED),
        review_ask(
            prefix,
            "goal",
            "The goal",
            "As you wrote it; if it has changed, write it as it is now",
            "Write the goal as you are working on it",
            height=700,
            fill="g.text",
        ),
    ]
    if stage == "midpoint":
        rows += [
            review_ask(
                prefix,
                "progress",
                "Progress so far",
                "What you have done since you set it",
                "Describe what you have done and how far you have come",
            ),
            review_ask(
                prefix,
                "evidence",
                "Evidence",
                "How do you know? The signs of progress you chose",
                "What shows it: results, observations, feedback, examples of work",
            ),
            review_ask(
                prefix,
                "status",
                "Status",
                "Changed: write the goal as it is now, above",
                "Choose one",
                height=LINE,
            ),
            review_ask(
                prefix,
                "next_step",
                "Next step",
                "What needs doing next, by whom and by when",
                "Write the next step and when you will take it",
                height=800,
            ),
        ]
    else:
        rows += [
            Tag("if g.midpoint_status or g.midpoint_progress"),
            Row(
                Label("At the mid-point check"),
                Text(
                    "{{ g.midpoint_status }}{% if g.midpoint_status and g.midpoint_progress %}"
                    ": {% endif %}{{ g.midpoint_progress }}"
                ),
                height=LINE,
            ),
            Tag("endif"),
            Tag("if g.next_step"),
            Row(Label("The next step you set then"), Text("{{ g.next_step }}"), height=LINE),
            Tag("endif"),
            review_ask(
                prefix,
                "final_status",
                "Where it ended",
                "Changed: write the goal as it ended up, above",
                "Choose one",
                height=LINE,
            ),
            review_ask(
                prefix,
                "evidence",
                "Evidence",
                "How do you know? The signs and benchmarks you chose",
                "What shows it: results, observations, feedback, examples of work",
            ),
        ]
    return Table((LABEL_W, TEXT_W - LABEL_W), tuple(rows), one_page=True)


def review_goals(stage: str) -> tuple[Block, ...]:
    """Where the goals come from, then each group the pair has goals in (none: a note)."""
    blocks: list[Block] = [
        quote("The goals below are {{ review.goals_source_text }}."),
        *only_if(
            "review.goals_source == 'roster'",
            note("If a goal is not the one you have been working on, write yours over it."),
        ),
    ]
    for prefix, _, title in GOAL_GROUPS:
        blocks += only_if(
            f"review.goals.{prefix}",
            heading(title, 2),
            *for_each(f"g in review.goals.{prefix}", review_goal_table(prefix, stage)),
        )
    blocks += only_if(
        "not (review.goals.goal or review.goals.mentor_goal or review.goals.joint_goal)",
        note(
            "No goals are on record for you: ask {{ program.coordinator_name }} "
            "({{ program.coordinator_email }}) for a form that lists the goals you are working on."
        ),
    )
    return tuple(blocks)


COMMITMENT_LIST = Table(
    widths=(2000, TEXT_W - 2000),
    header=("Area", "Our commitment"),
    rows=looped(
        "c in review.commitments",
        Row(Text("{{ c.area }}", bold=True), Text("{{ c.text }}"), height=LINE),
    ),
)

MIDPOINT_LAYOUT = Form(
    "Halfway to the end point you set, stop and look at your progress together: each goal as "
    "you wrote it, how your commitments and meetings are going, and what to change for the "
    "second half.",
    Section(
        "Our goals so far",
        note(
            "For each goal: how far you have come, what shows it, where it stands and what "
            "comes next. Goals change as you go: if one has, write it as it is now and choose "
            "“Changed”."
        ),
        *review_goals("midpoint"),
    ),
    Section(
        "Our collective commitments",
        note(
            "Your commitments are the promises you made each other about how you work "
            "together, and a point to reflect from: if your meetings have started to feel "
            "unproductive, now is the time to revisit them and change what needs changing."
        ),
        *only_if(
            "review.commitments",
            note("The commitments below are {{ review.commitments_source_text }}."),
            COMMITMENT_LIST,
            otherwise=(
                note(
                    "No commitments are on record for you: think of the ones you have kept "
                    "in practice."
                ),
            ),
        ),
        Questions(
            Q(
                "commitments_kept",
                "Are we keeping them?",
                hint="Can we both still keep every one?",
                placeholder="Choose one",
            ),
            Q(
                "commitments_revisit",
                "Which need revisiting, and how?",
                hint="Optional when all is well",
                placeholder="Name the commitments to change, and how you will change them",
            ),
            one_page=True,
        ),
    ),
    Section(
        "Our meetings",
        *only_if(
            "review.meetings_agreed",
            note("Your meeting schedule:"),
            quote("{{ review.meetings_agreed }}"),
        ),
        note(
            "Pairs often find part of their agreement needs changing during the year, such as "
            "the time of day that suits you both for a quick word: say so here."
        ),
        Questions(
            Q(
                "meetings_held",
                "How many meetings so far?",
                hint="Against your meeting schedule",
                placeholder="For example: 12 of the 16 we planned; 2 moved, 2 cancelled",
            ),
            Q(
                "meetings_review",
                "How are our meetings going?",
                hint="Do we both come prepared and take a full part? Do the day, time, place "
                "and length still suit us, and our contact between meetings?",
                placeholder="Describe what works and what does not",
            ),
            one_page=True,
        ),
    ),
    Section(
        "The second half",
        note(
            "Your plan can change at any time to keep up with what you both need"
            "{% if pair.end_date %}; the program ends for you on {{ pair.end_date_long }}"
            "{% endif %}."
        ),
        Questions(
            Q(
                "second_half_changes",
                "What will we change for the second half?",
                hint="Goals to add, change or drop; commitments; meetings; our terms of engagement",
                placeholder="Write what you will change, or that you will carry on as you are",
            ),
        ),
    ),
    due="review.due_date",
)

END_LAYOUT = Form(
    "You set an end point at the start to make the most of your time together. Now look back "
    "together: where each goal ended up, what you both learned, how your relationship worked, "
    "and whether you will go on meeting.",
    Section(
        "Our goals at the end",
        note(
            "For each goal: where it ended up and what shows it. A goal that changed on the "
            "way is written as it ended up, with “Changed”."
        ),
        *review_goals("end"),
    ),
    Section(
        "What the mentee learned",
        Questions(
            Q(
                "mentee_learned",
                "What did the mentee learn?",
                hint="Skills, knowledge, and the professional vision you worked toward",
                placeholder="Describe what you learned and what changed in your work",
            ),
            Q(
                "mentee_will_keep",
                "What will the mentee keep doing?",
                hint="Habits to carry on without a mentor",
                placeholder="For example: reflecting on each lesson, asking colleagues for "
                "feedback",
            ),
            one_page=True,
        ),
    ),
    Section(
        "How the mentor grew",
        note(
            "Mentoring is mutual: both of you teach and both learn."
            "{% if review.goals.mentor_goal %} The mentor's own growth goals are in section "
            "1.{% endif %}{% if plan.coaching %} As coaches of each other: did you each "
            "accomplish what you hoped to?{% endif %}"
        ),
        Questions(
            Q(
                "mentor_growth",
                "What did the mentor learn?",
                hint="As a mentor, and in their own work",
                placeholder="Describe how mentoring changed the mentor's practice",
            ),
        ),
    ),
    Section(
        "Our relationship",
        note(
            "Look back at the terms of engagement you agreed at the start: your roles, what you "
            "expected of each other, how you kept in touch, how you gave feedback and handled "
            "disagreement, and how you recognised each other's efforts."
        ),
        *only_if(
            "review.meetings_agreed",
            note("Your meeting schedule:"),
            quote("{{ review.meetings_agreed }}"),
        ),
        Questions(
            Q(
                "relationship_review",
                "How did our relationship work?",
                hint="Against our terms of engagement: what held, what did not, and why",
                placeholder="Describe what worked between you and what you would do differently",
            ),
            Q(
                "terms_kept",
                "Did we keep our terms?",
                placeholder="Choose one",
            ),
            Q(
                "continue_informally",
                "Will we go on meeting informally?",
                hint="Taking part was voluntary, and so is what comes next",
                placeholder="Choose one",
            ),
            one_page=True,
        ),
    ),
    Section(
        "Feedback for the program",
        note(
            "Optional and confidential: the program's tracking workbook does not copy this "
            "answer; {{ program.coordinator_name }} reads it only in the form you return. What "
            "worked, what did not, and what should the program change for the next pairs?"
        ),
        Questions(
            Q(
                "program_feedback",
                "Our feedback",
                hint="Confidential",
                placeholder="Write what you would like the program to know",
            ),
        ),
    ),
    due="review.due_date",
)


LAYOUTS = {
    "action-plan": ACTION_PLAN_LAYOUT,
    "terms-of-engagement": TERMS_LAYOUT,
    "goal-sheet": GOAL_SHEET_LAYOUT,
    "confidentiality-agreement": CONFIDENTIALITY_LAYOUT,
    "midpoint-review": MIDPOINT_LAYOUT,
    "end-review": END_LAYOUT,
}


# ---- the document around the body ------------------------------------------------------------

FORM_TABLE = "FormTable"
_FORM_TABLE_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
STYLE_XML = {
    # styleId: (type, name, basedOn, pPr (a table style: tblPr), rPr)
    FORM_TABLE: (
        "table",
        "Form Table",
        "TableNormal",
        f"<w:tblBorders>{_FORM_TABLE_BORDERS}</w:tblBorders>"
        '<w:tblCellMar><w:top w:w="60" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>',
        "",
    ),
    "ProgramName": (
        "paragraph",
        "Program Name",
        "Normal",
        '<w:spacing w:before="0" w:after="40"/>',
        f'<w:b/><w:caps/><w:color w:val="{ACCENT_2}"/><w:spacing w:val="10"/><w:sz w:val="20"/><w:szCs w:val="20"/>',
    ),
    "FormNote": (
        "paragraph",
        "Form Note",
        "Normal",
        '<w:keepNext/><w:spacing w:before="0" w:after="120"/>',
        '<w:color w:val="404040"/>',
    ),
    "FormStep": (
        "paragraph",
        "Form Step",
        "FormNote",
        '<w:ind w:left="360" w:hanging="360"/>',
        "",
    ),
    "FormQuote": (
        "paragraph",
        "Form Quote",
        "FormNote",
        f'<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{BORDER}"/></w:pBdr>'
        '<w:ind w:left="240"/>',
        "<w:i/>",
    ),
    "TableText": (
        "paragraph",
        "Table Text",
        "Normal",
        '<w:spacing w:before="20" w:after="20"/>',
        "",
    ),
    "TableHint": (
        "paragraph",
        "Table Hint",
        "Normal",
        '<w:spacing w:before="0" w:after="20"/>',
        '<w:i/><w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
    ),
    "TableExample": (
        "paragraph",
        "Table Example",
        "TableHint",
        '<w:ind w:left="200" w:hanging="140"/>',
        "",
    ),
    "TableHeader": (
        "paragraph",
        "Table Header",
        "Normal",
        '<w:keepNext/><w:spacing w:before="20" w:after="20"/>',
        '<w:b/><w:color w:val="FFFFFF"/>',
    ),
    "Answer": ("paragraph", "Answer", "Normal", '<w:spacing w:before="20" w:after="20"/>', ""),
    "AnswerCenter": ("paragraph", "Answer Centered", "Answer", '<w:jc w:val="center"/>', ""),
    "TableGap": (
        "paragraph",
        "Table Gap",
        "Normal",
        '<w:spacing w:before="0" w:after="0" w:line="200" w:lineRule="exact"/>',
        '<w:sz w:val="8"/><w:szCs w:val="8"/>',
    ),
    "PlaceholderText": ("character", "Placeholder Text", "", "", '<w:color w:val="737373"/>'),
}


FONT_XML = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'

# Document defaults: Calibri 10.5 pt, a little space after paragraphs.
DOC_DEFAULTS_XML = (
    f'<w:docDefaults xmlns:w="{fields.W_NS}"><w:rPrDefault><w:rPr>{FONT_XML}'
    '<w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
    '<w:spacing w:after="100" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
    "</w:docDefaults>"
)

BUILTIN_LOOKS = {
    # styleId of a style python-docx's blank document has: (pPr, rPr); the font is added to rPr
    "Normal": ("", ""),
    "Title": (
        '<w:spacing w:before="0" w:after="60"/><w:contextualSpacing/>',
        f'<w:color w:val="{ACCENT}"/><w:sz w:val="44"/><w:szCs w:val="44"/>',
    ),
    "Subtitle": (
        '<w:spacing w:before="0" w:after="160"/>',
        '<w:color w:val="404040"/><w:sz w:val="22"/><w:szCs w:val="22"/>',
    ),
    "Heading1": (
        f'<w:keepNext/><w:keepLines/><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="{BORDER}"/></w:pBdr>'
        '<w:spacing w:before="300" w:after="120"/><w:outlineLvl w:val="0"/>',
        f'<w:b/><w:color w:val="{ACCENT}"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
    ),
    "Heading2": (
        '<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="1"/>',
        f'<w:b/><w:color w:val="{ACCENT_2}"/><w:sz w:val="23"/><w:szCs w:val="23"/>',
    ),
    "Footer": ("", '<w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/>'),
}


def _w(tag: str) -> str:
    return f"{{{fields.W_NS}}}{tag}"


def _set_styles(doc: DocxDocument) -> None:
    """Document defaults, the look of the built-in styles used, and the forms' own styles."""
    styles = doc.styles.element
    defaults = styles.find(_w("docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(0, parse_xml(DOC_DEFAULTS_XML))
    by_id = {el.get(_w("styleId")): el for el in styles.findall(_w("style"))}
    for style_id, (ppr, rpr) in BUILTIN_LOOKS.items():
        _restyle(by_id[style_id], ppr, rpr)
    for style_id, spec in STYLE_XML.items():
        if style_id in by_id:
            styles.remove(by_id[style_id])
        styles.append(parse_xml(_style_xml(style_id, *spec)))


def _restyle(style: etree._Element, ppr: str, rpr: str) -> None:
    """Replace a built-in style's paragraph and run properties (the run's with the font)."""
    W = fields.W_NS
    for tag in ("pPr", "rPr"):
        old = style.find(_w(tag))
        if old is not None:
            style.remove(old)
    if ppr:
        style.append(parse_xml(f'<w:pPr xmlns:w="{W}">{ppr}</w:pPr>'))
    style.append(parse_xml(f'<w:rPr xmlns:w="{W}">{FONT_XML}{rpr}</w:rPr>'))


def _style_xml(style_id: str, kind: str, name: str, based: str, ppr: str, rpr: str) -> str:
    """A custom style of STYLE_XML as XML."""
    based_xml = f'<w:basedOn w:val="{based}"/>' if based else ""
    ppr_xml = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    rpr_xml = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    if kind == "table":  # its properties are a table's (w:tblPr, after any w:rPr)
        ppr_xml, rpr_xml = "", f"{rpr_xml}<w:tblPr>{ppr}</w:tblPr>"
    return (
        f'<w:style xmlns:w="{fields.W_NS}" w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{based_xml}<w:qFormat/>{ppr_xml}{rpr_xml}</w:style>'
    )


def _footer_xml(title: str) -> str:
    def field_runs(instr: str) -> str:
        return (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )

    tabs = f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs>'
    return para(
        run("Pair {{ pair.id }} · " + title + " · {{ program.name }}")
        + "<w:r><w:tab/></w:r>"
        + run("Page ")
        + field_runs("PAGE")
        + run(" of ")
        + field_runs("NUMPAGES"),
        "Footer",
        tabs,
    )


# The namespaces a fragment of body or footer XML is parsed with.
_FRAGMENT_NS = f'xmlns:w="{fields.W_NS}" xmlns:w14="{fields.W14_NS}" xmlns:mc="{ns.MC}"'


def build_docx(form: str) -> bytes:
    layout = Layout(form)
    lay_out(layout, LAYOUTS[form])
    layout.check_complete()

    doc = Document()
    _set_styles(doc)
    _set_body(doc, "".join(layout.body))
    _set_page(doc, TITLES[form])
    _set_properties(doc, form)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def _set_body(doc: DocxDocument, xml: str) -> None:
    """Replace the blank document's body with ``xml``, keeping its section properties."""
    body = doc.element.body
    sect = body.find(_w("sectPr"))
    for child in list(body):
        if child is not sect:
            body.remove(child)
    wrapper = parse_xml(f"<w:body {_FRAGMENT_NS}>{xml}</w:body>")
    for child in list(wrapper):
        sect.addprevious(child)


def _set_page(doc: DocxDocument, title: str) -> None:
    """A4 with 2 cm margins (generate prints it on the program's Paper size, A4 or Letter:
    ``render`` gives an A4 or Letter page the size of the context's ``page``), and the footer
    (pair, form, program, page numbers)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(section, side, Twips(MARGIN))
    section.bottom_margin = Twips(MARGIN)
    section.footer_distance = Twips(567)
    section.header_distance = Twips(567)
    footer = section.footer.paragraphs[0]._p
    footer.addprevious(parse_xml(f"<w:wrapper {_FRAGMENT_NS}>{_footer_xml(title)}</w:wrapper>")[0])
    footer.getparent().remove(footer)


def _set_properties(doc: DocxDocument, form: str) -> None:
    """docProps/core.xml, fixed dates included; it is rendered too, so each generated form
    carries its own title."""
    props = doc.core_properties
    props.title = TITLES[form] + " · Pair {{ pair.id }}"
    props.subject = "{{ program.name }}"
    props.author = "mentordocs"
    props.last_modified_by = "mentordocs"
    props.keywords = f"mentordocs {form} {VERSIONS[form]}"
    props.comments = (
        "A mentordocs form template (docxtpl). Edit the wording in Word; keep the grey "
        "fields and the template tags in braces. Check it with 'mentordocs templates check'."
    )
    props.revision = 1
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    props.created = props.modified = stamp
    props.last_printed = stamp


# python-docx's blank document carries a thumbnail of an empty page (a wrong preview in file
# browsers) and Word 2010's stylesWithEffects.xml (400 kB nobody reads): leave both out.
_DROPPED_PARTS = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")


def _without_dropped_parts(name: str, data: bytes) -> bytes:
    if name.endswith(".rels"):
        text = data.decode("utf-8")
        text = re.sub(
            r'<Relationship [^>]*Target="(?:docProps/thumbnail\.jpeg|stylesWithEffects\.xml)"/>',
            "",
            text,
        )
        return text.encode("utf-8")
    if name == "[Content_Types].xml":
        text = data.decode("utf-8")
        text = re.sub(r'<Override PartName="/word/stylesWithEffects\.xml"[^>]*/>', "", text)
        return text.encode("utf-8")
    return data


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack a .docx with fixed timestamps and order, so the build is reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(
        (n for n in source.namelist() if n not in _DROPPED_PARTS),
        key=lambda n: (n != "[Content_Types].xml", n),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, _without_dropped_parts(name, source.read(name)))
    return out.getvalue()


def write_json(form: str, outdir: Path) -> Path:
    path = outdir / f"{form}.json"
    text = json.dumps(declaration(form), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else HERE
    outdir.mkdir(parents=True, exist_ok=True)
    for form in dict.fromkeys((*FORM_IDS, *STAGES)):  # once each, when FORM_IDS lists them
        write_json(form, outdir)
        (outdir / f"{form}.docx").write_bytes(build_docx(form))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
