"""The shipped templates and the sample roster, end to end: values verbatim in the real forms."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_render import custom_properties, fields_by_tag

from mentordocs.cli import cli
from mentordocs.forms import load_form_specs, stage_forms
from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.packets import generate_packets
from mentordocs.generate.render import CompiledTemplate
from mentordocs.records import read_manifest
from mentordocs.roster import load_roster


def test_sample_roster_through_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "packets"
    result = CliRunner().invoke(cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    roster = load_roster(SAMPLE_ROSTER)
    active = [pair for pair in roster.pairs if pair.active]
    assert f"Packets for {len(active)} pair(s)" in result.output
    assert f"{len(active) * 5} file(s) written, 0 unchanged." in result.output
    specs = load_form_specs()
    for pair in active:
        for form in stage_forms():  # the packet: the start's forms
            data = (out / pair.pair_id / f"{pair.pair_id}_{form}.docx").read_bytes()
            props = custom_properties(data)
            assert props["mentordocs.pair_id"] == pair.pair_id
            assert props["mentordocs.form"] == form
            assert props["mentordocs.program"] == roster.program.name
            assert props["mentordocs.template_version"].startswith(specs[form].version + "+")
            docx.Document(io.BytesIO(data))
        plan = fields_by_tag((out / pair.pair_id / f"{pair.pair_id}_action-plan.docx").read_bytes())
        assert plan["mentor_name"] == pair.mentor.name
        assert plan["mentee_name"] == pair.mentee.name
        assert plan["mentor_email"] == pair.mentor.email
        assert plan["mentee_email"] == pair.mentee.email
        goals = fields_by_tag((out / pair.pair_id / f"{pair.pair_id}_goal-sheet.docx").read_bytes())
        prefix = {"Mentee": "goal", "Mentor": "mentor_goal", "Joint": "joint_goal"}
        for goal in pair.goals:
            assert goals[f"{prefix[goal.whose]}_{goal.number}_goal"] == goal.goal
    inactive = [pair.pair_id for pair in roster.pairs if not pair.active]
    assert all(not (out / pair_id).exists() for pair_id in inactive)
    assert len(read_manifest(out).files) == len(active) * 5

    again = CliRunner().invoke(cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "-q"])
    assert f"0 file(s) written, {len(active) * 5} unchanged." in again.output


HOSTILE = st.lists(
    st.sampled_from(
        [
            "&",
            "<",
            ">",
            '"',
            "'",
            "{{ x }}",
            "{% if %}",
            "😀",
            "مرحبا",
            "שלום",
            "\n",
            " ",
            "a",
            "Zoë",
        ]
    ),
    min_size=1,
    max_size=10,
).map("".join)


@pytest.fixture(scope="module")
def shipped() -> dict[str, CompiledTemplate]:
    specs = load_form_specs()
    return {
        form: CompiledTemplate.load(spec.template_path, version=spec.version)
        for form, spec in specs.items()
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE, email=HOSTILE, goal=HOSTILE)
def test_hostile_values_verbatim_in_the_shipped_forms(shipped, name, email, goal):
    roster = sample_roster()
    pair = roster.pairs[0]
    pair.mentor.name = name
    pair.mentee.email = email
    pair.goals[0].goal = goal
    context = build_context(roster, pair)
    plan = fields_by_tag(shipped["action-plan"].render(context, {"mentordocs.pair_id": name}))
    assert plan["mentor_name"] == name
    assert plan["mentee_email"] == email
    sheet = fields_by_tag(shipped["goal-sheet"].render(context))
    assert sheet["goal_1_goal"] == goal


def test_two_jobs_on_the_sample_roster(tmp_path: Path) -> None:
    roster = load_roster(SAMPLE_ROSTER)
    one = generate_packets(roster, tmp_path / "one", jobs=1)
    two = generate_packets(roster, tmp_path / "two", jobs=2)
    assert one.written == two.written
    for rel in one.written:
        if rel.endswith(".docx"):
            assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()


def test_a_pair_that_joins_late_is_given_its_own_due_date(tmp_path: Path) -> None:
    # P12 starts on 11 January 2027; its forms (and its email, from the same date) asked for
    # them back "by Friday 25 September 2026", months before it started. It gets as long from its own start as the
    # others (the program starts 31 August, Forms due 25 September: 25 days): 5 February 2027.
    out = tmp_path / "packets"
    result = CliRunner().invoke(cli, ["generate", str(SAMPLE_ROSTER), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output

    def text(pair_id: str) -> str:  # every text of the form, boxes and tables too
        document = docx.Document(out / pair_id / f"{pair_id}_terms-of-engagement.docx")
        return "".join(document.element.body.itertext())

    assert "by Friday 25 September 2026" in text("P01")
    assert "by Friday 5 February 2027" in text("P12")
    assert "25 September 2026" not in text("P12")
