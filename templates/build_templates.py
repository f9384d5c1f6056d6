"""Build the four shipped form templates (.docx) and their declarations (.json).

Run from the repository root::

    python templates/build_templates.py            # writes templates/*.docx and templates/*.json
    python templates/build_templates.py OUTDIR     # somewhere else

The output is deterministic: the same script always writes byte-identical files, so a change
to a template shows up as a change to this script in review. Each form is declared here once
(``DECLARATIONS``: its fields, with label, kind, required, confidential) and laid out once
(``layout_<form>``); the builder refuses to write a template that places an undeclared field or
leaves a declared one out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mentordocs.forms import FORM_IDS  # noqa: E402
from mentordocs.models import FREQUENCIES, HORIZONS, MEETING_DAYS, MEETING_MODES, PLAN_TYPES  # noqa: E402

VERSION = "1.0"

GOAL_STATUSES = ("Not started", "In progress", "Achieved", "Changed", "Set aside")
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
) -> dict:
    entry: dict = {
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
    return entry


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

ACTION_PLAN = [
    *PEOPLE,
    f("meeting_time", "Our regular meeting time", required=True),
    f("meeting_place", "Our regular meeting place", required=True),
    *[
        f(
            f"commitment_{area}_{{n}}",
            f"{label} commitment {{n}}",
            group=f"commitment_{area}",
        )
        for area, label in COMMITMENT_AREAS
    ],
    f("vision", "What we hope to achieve together (our vision)", required=True),
    f("mentor_support_style", "How the mentor will support, advise and coach"),
    f("why_important", "Why this matters to the mentee"),
    f(
        "goals_basis",
        "What the goals are based on (self-assessment, standards, feedback)",
        confidential=True,
    ),
    f("goal_{n}_goal", "Goal {n}", required=True, group="goal"),
    f(
        "goal_{n}_mentor_support",
        "Goal {n}: how the mentor supports it",
        required=True,
        group="goal",
    ),
    f(
        "goal_{n}_mentee_accountable",
        "Goal {n}: what the mentee is accountable for",
        required=True,
        group="goal",
    ),
    f("action_{n}_what", "Action item {n}: what", group="action"),
    f("action_{n}_when", "Action item {n}: when", "date", group="action"),
    f("action_{n}_how", "Action item {n}: how", group="action"),
    f("action_{n}_why", "Action item {n}: why", group="action"),
    f("progress_measures", "How we will measure progress", required=True),
    f("evaluation_plan", "When and how we will evaluate our relationship", required=True),
    f("evaluation_date", "Date of our relationship review", "date"),
    f("plan_type", "Plan type", "dropdown", required=True, choices=PLAN_TYPES),
    f("mentor_growth_{n}_goal", "Mentor's growth goal {n}", group="mentor_growth"),
    f("mentor_growth_{n}_plan", "Mentor's growth goal {n}: how", group="mentor_growth"),
    f("mutual_support", "How we will support each other's growth plans"),
    f("extra_colleagues", "Colleagues we could invite for strengths we lack"),
    f("coaching_focus", "The strategies and skills we want to master together"),
    f("observation_frequency", "When and how often we will observe each other"),
    f("conference_place_time", "Where and when we will meet to confer"),
    f("observation_limits", "When observing is not appropriate"),
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
    f("coaching_next_steps", "How we decide what to improve next after each post-conference"),
    f("coaching_outcome", "What we each hope to accomplish as coaches"),
    f(
        "calendar_{n}_together",
        "Calendar task {n}: we will do this together",
        "checkbox",
        group="calendar",
    ),
    f("calendar_{n}_date", "Calendar task {n}: our date", "date", group="calendar"),
    f("calendar_{n}_notes", "Calendar task {n}: notes", group="calendar"),
    f("own_task_{n}_task", "Our own task {n}", group="own_task"),
    f("own_task_{n}_date", "Our own task {n}: date", "date", group="own_task"),
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
    f("not_working", "What we do if it is not working", required=True),
    f("recognition", "How we recognise each other's efforts"),
    f("start_date", "Start date", "date", required=True),
    f("midpoint_date", "Mid-point check", "date", required=True),
    f("end_date", "End date", "date", required=True),
    f("timeframe_notes", "Milestones that shape our timeframe"),
    *SIGNATURES,
]

GOAL_SHEET = [
    f("goal_{n}_goal", "Goal {n}", required=True, group="goal"),
    f(
        "goal_{n}_horizon",
        "Goal {n}: short- or long-term",
        "dropdown",
        required=True,
        group="goal",
        choices=HORIZONS,
    ),
    f("goal_{n}_priority", "Goal {n}: priority", "dropdown", group="goal", choices=PRIORITIES),
    f(
        "goal_{n}_mentor_support",
        "Goal {n}: how the mentor supports it",
        required=True,
        group="goal",
    ),
    f(
        "goal_{n}_mentee_accountable",
        "Goal {n}: what the mentee is accountable for",
        required=True,
        group="goal",
    ),
    f("goal_{n}_measure", "Goal {n}: how we measure progress", required=True, group="goal"),
    f("goal_{n}_target_date", "Goal {n}: target date", "date", required=True, group="goal"),
    f("goal_{n}_midpoint_progress", "Goal {n}: progress at the mid-point check", group="goal"),
    f("goal_{n}_status", "Goal {n}: status", "dropdown", group="goal", choices=GOAL_STATUSES),
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
    f("conflict_steps", "How we will raise and resolve a conflict"),
    f("ending_steps", "How we will tell each other if one of us wants to end it"),
    *SIGNATURES,
]

TITLES = {
    "action-plan": "Mentoring action plan",
    "terms-of-engagement": "Terms of engagement",
    "goal-sheet": "Goal sheet",
    "confidentiality-agreement": "Confidentiality agreement",
}

DECLARATIONS = {
    "action-plan": ACTION_PLAN,
    "terms-of-engagement": TERMS,
    "goal-sheet": GOAL_SHEET,
    "confidentiality-agreement": CONFIDENTIALITY,
}


def declaration(form: str) -> dict:
    return {"form": form, "title": TITLES[form], "version": VERSION, "fields": DECLARATIONS[form]}


def write_json(form: str, outdir: Path) -> Path:
    path = outdir / f"{form}.json"
    text = json.dumps(declaration(form), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else HERE
    outdir.mkdir(parents=True, exist_ok=True)
    for form in FORM_IDS:
        write_json(form, outdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
