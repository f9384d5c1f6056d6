"""samples/roster.xlsx is what samples/build_sample.py builds, and a realistic program."""

from __future__ import annotations

import importlib.util

from conftest import SAMPLE_ROSTER, SAMPLES

from mentordocs.models import PLAN_TYPES
from mentordocs.roster import load_roster


def _builder():
    spec = importlib.util.spec_from_file_location("build_sample", SAMPLES / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_sample_is_what_the_builder_makes():
    assert _builder().build() == SAMPLE_ROSTER.read_bytes(), (
        "samples/roster.xlsx is out of date: run python samples/build_sample.py"
    )


def test_sample_is_the_program_the_issue_describes():
    roster = load_roster(SAMPLE_ROSTER)
    assert roster.warnings == []
    assert roster.program.end_review is not None  # the year's three stages have their dates
    assert roster.program.start_date < roster.program.midpoint < roster.program.end_review
    assert 10 <= len(roster.pairs) <= 14
    names = " ".join(p.mentor.name + " " + p.mentee.name for p in roster.pairs)
    assert "'" in names  # apostrophes
    assert any(ord(c) > 0x2000 for c in names)  # a non-Latin script
    assert any(c in names for c in "áéíóúñçöü")  # accents
    assert any(p.goals for p in roster.pairs) and any(not p.goals for p in roster.pairs)
    assert any(p.listed_meetings for p in roster.pairs)
    assert any(not p.listed_meetings and p.meetings for p in roster.pairs)  # worked out
    assert any(p.meeting_mode == "Online" for p in roster.pairs)
    assert [p.status for p in roster.pairs].count("Paused") == 1
    assert {p.plan_type for p in roster.pairs} == set(PLAN_TYPES)  # combined ones too
    assert any("school" in p.extra for p in roster.pairs)  # a coordinator's own column
    assert roster.calendar and roster.commitments
    # Every kind of goal: the mentor's own (mutual growth) and joint ones (coaching) are in
    # their own rows, never in the mentee's table.
    kinds = {(p.plan_type, g.whose) for p in roster.pairs for g in p.goals}
    assert ("Mutual growth", "Mentor") in kinds and ("Coaching", "Joint") in kinds
    assert not [g for p in roster.pairs for g in p.goals if g.goal.lower().startswith("mentor")]
    # A US district: the forms print on Letter; its school holidays are on the Breaks sheet
    # and no worked-out meeting falls in one.
    assert roster.program.paper_size == "Letter"
    assert {b.name for b in roster.breaks} >= {"Winter break"}
    meetings = [m for p in roster.pairs for m in p.meetings]
    assert not [m for m in meetings for b in roster.breaks if m.date in b]
