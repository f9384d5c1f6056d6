"""A form made from an earlier version of a template is read against that version's fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import SAMPLE_ROSTER, TEMPLATES
from test_roundtrip import fill_docx

from mentordocs.collect import collect_forms, read_form
from mentordocs.generate.packets import generate_packets
from mentordocs.roster import load_roster
from mentordocs.tracking import read_tracking


def test_an_answer_to_a_question_todays_form_no_longer_asks_goes_to_review(tmp_path: Path):
    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0].pair_id
    packets = tmp_path / "packets"
    generate_packets(roster, packets, pairs=[pair], forms=["goal-sheet"])
    [sent] = list(packets.rglob("*_goal-sheet.docx"))
    values = {"goal_1_goal": "Kept question", "goal_1_priority": "High"}
    returned = tmp_path / "in" / sent.name
    returned.parent.mkdir()
    returned.write_bytes(fill_docx(sent.read_bytes(), values))
    shipped = json.loads((TEMPLATES / "goal-sheet.json").read_text(encoding="utf-8"))["version"]
    assert read_form(returned).template_version.startswith(f"{shipped}+")

    # Mid-year the coordinator changes the goal sheet: a new version, no "priority" question.
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates, ignore=shutil.ignore_patterns("*.py", "email"))
    declaration = json.loads((templates / "goal-sheet.json").read_text(encoding="utf-8"))
    declaration["version"] = "9.0"
    declaration["fields"] = [f for f in declaration["fields"] if "priority" not in f["id"]]
    (templates / "goal-sheet.json").write_text(json.dumps(declaration), encoding="utf-8")

    tracking = tmp_path / "t.xlsx"
    result = collect_forms(
        [returned.parent], tracking, roster, packets_dir=packets, templates_dir=templates
    )
    assert result.unreadable == 0 and result.new == 1
    data = read_tracking(tracking)
    [ret] = data.returns
    assert ret.values["goal_1_goal"] == "Kept question"
    assert "goal_1_priority" not in ret.values  # today's form has no such column
    [item] = data.review
    assert item.text == "High" and "earlier version" in item.why

    # Without the packets folder the old declaration is not known: read against today's,
    # with a warning that says so, and the answer still not lost.
    result = collect_forms([returned.parent], tmp_path / "t2.xlsx", roster, templates_dir=templates)
    [note] = [p for p in result.problems if f"version {shipped}" in p.message]
    assert note.severity == "warning"
