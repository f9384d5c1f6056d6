"""`mentordocs status TRACKING`: a summary by default, everything with --all, JSON unchanged.

The tracking workbook is written by the tracking package itself (``write_tracking``) from a
small roster and returns built here, then read back by the command through CliRunner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentordocs.cli import cli
from mentordocs.forms import load_form_specs
from mentordocs.models import Pair, Person, Program, Roster
from mentordocs.tracking import ReturnedForm, TrackingData, write_tracking

SPECS = load_form_specs(stage="start")  # the start's packet (stages: test_tracking_year.py)
PROGRAM = Program(
    name="Status Mentoring 2026",
    coordinator_name="Coordinator",
    coordinator_email="coord@example.org",
    start_date=dt.date(2026, 9, 1),
    end_date=dt.date(2027, 6, 1),
    midpoint=dt.date(2027, 1, 15),
)


def _roster(pairs: int) -> Roster:
    return Roster(
        path=Path("roster.xlsx"),
        program=PROGRAM,
        pairs=[
            Pair(
                pair_id=f"P{n:02d}",
                mentor=Person(f"Mentor {n}", f"mentor{n}@example.org"),
                mentee=Person(f"Mentee {n}", f"mentee{n}@example.org"),
                start_date=PROGRAM.start_date,
                end_date=PROGRAM.end_date,
            )
            for n in range(1, pairs + 1)
        ],
    )


def _returned(pair_id: str, form: str, *blank: str) -> ReturnedForm:
    """A return of ``form`` with every field filled and both signatures, but ``blank``."""
    spec = SPECS[form]
    values: dict[str, str | bool] = {
        field_id: field.kind == "checkbox" or f"answer {field_id}"
        for field_id, field in spec.expand({group: 3 for group in spec.groups})
    }
    for field_id in blank:
        values[field_id] = False if values[field_id] is True else ""
    checksum = hashlib.sha256((pair_id + form).encode()).hexdigest()
    return ReturnedForm(pair_id, form, f"{pair_id}_{form}.docx", checksum, None, values)


def _tracking(tmp_path: Path, pairs: int, returns: list[ReturnedForm]) -> Path:
    path = tmp_path / "tracking.xlsx"
    path.write_bytes(write_tracking(path, TrackingData(returns=returns), _roster(pairs), SPECS))
    return path


@pytest.fixture
def tracking(tmp_path: Path) -> Path:
    """P01 returned everything; P02 a goal sheet the mentee did not sign (its tick is also a
    required field); P03 a signed goal sheet with two goal fields blank, and complete terms;
    P04 nothing."""
    returns = [_returned("P01", form) for form in SPECS]
    returns += [
        _returned("P02", "goal-sheet", "mentee_agree"),
        _returned("P03", "goal-sheet", "goal_1_goal", "goal_2_measure"),
        _returned("P03", "terms-of-engagement"),
    ]
    return _tracking(tmp_path, 4, returns)


def test_the_summary_counts_each_form_then_lists_what_each_pair_owes(tracking: Path) -> None:
    result = CliRunner().invoke(cli, ["status", str(tracking)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Form                       Returned  Complete  Signed  Missing",
        "Mentoring action plan             1         1       1        3",
        "Terms of engagement               2         2       2        2",
        "Goal sheet                        3         1       2        1",
        "Confidentiality agreement         1         1       1        3",
        "",
        "3 pairs still owe something:",
        "P02: Mentoring action plan (not returned), Terms of engagement (not returned), "
        "Goal sheet (incomplete: 1 required field blank, not signed by mentee), "
        "Confidentiality agreement (not returned)",
        "P03: Mentoring action plan (not returned), Goal sheet (incomplete: 2 required fields "
        "blank), Confidentiality agreement (not returned)",
        "P04: Mentoring action plan (not returned), Terms of engagement (not returned), "
        "Goal sheet (not returned), Confidentiality agreement (not returned)",
        "11 forms outstanding for 3 pairs. With --all: every reason in full.",
    ]


def test_all_prints_every_reason_in_full_as_before(tracking: Path) -> None:
    result = CliRunner().invoke(cli, ["status", str(tracking), "--all"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[lines.index("P02:") + 1 : lines.index("P04:")] == [
        "  Mentoring action plan: not returned",
        "  Terms of engagement: not returned",
        "  Goal sheet: incomplete: 1 required field blank (Mentee agrees); not signed by mentee",
        "  Confidentiality agreement: not returned",
        "P03:",
        "  Mentoring action plan: not returned",
        "  Goal sheet: incomplete: 2 required fields blank (Goal 1, Goal 2: how we measure "
        "progress)",
        "  Confidentiality agreement: not returned",
    ]
    assert lines[-1] == "11 form(s) outstanding for 3 pair(s)."
    assert len(lines) == (1 + 4) + (1 + 3) + (1 + 4) + 1


def test_json_is_unchanged(tracking: Path) -> None:
    result = CliRunner().invoke(cli, ["status", str(tracking), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert list(payload) == ["P02", "P03", "P04"]
    assert payload["P02"][2] == {
        "pair_id": "P02",
        "form": "goal-sheet",
        "reasons": ["incomplete: 1 required field blank (Mentee agrees)", "not signed by mentee"],
        "form_title": "Goal sheet",
    }


def test_nothing_outstanding(tmp_path: Path) -> None:
    path = _tracking(tmp_path, 1, [_returned("P01", form) for form in SPECS])
    result = CliRunner().invoke(cli, ["status", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "Confidentiality agreement         1         1       1        0",
        "Nothing outstanding: every active pair has returned every form, complete and signed.",
    ]


def test_one_pair_owing_is_said_in_the_singular(tmp_path: Path) -> None:
    returns = [_returned("P01", form) for form in SPECS if form != "goal-sheet"]
    result = CliRunner().invoke(cli, ["status", str(_tracking(tmp_path, 1, returns))])
    assert result.output.splitlines()[-3:] == [
        "1 pair still owes something:",
        "P01: Goal sheet (not returned)",
        "1 form outstanding for 1 pair. With --all: every reason in full.",
    ]


def test_500_pairs_owing_the_same_share_one_entry(tmp_path: Path) -> None:
    path = _tracking(tmp_path, 500, [])
    summary = CliRunner().invoke(cli, ["status", str(path)]).output.splitlines()
    everything = CliRunner().invoke(cli, ["status", str(path), "--all"]).output.splitlines()
    assert len(everything) == 2501
    assert summary[1] == "Mentoring action plan             0         0       0      500"
    assert summary[5:8] == [
        "",
        "500 pairs still owe something:",
        "500 pairs: Mentoring action plan (not returned), Terms of engagement (not returned), "
        "Goal sheet (not returned), Confidentiality agreement (not returned)",
    ]
    ids = summary[8:-1]
    assert all(line.startswith("  ") and len(line) <= 100 for line in ids)
    listed = " ".join(line.strip() for line in ids).split(", ")
    assert listed == [f"P{n:02d}" for n in range(1, 501)]
    assert len(summary) < 60
    assert summary[-1] == "2,000 forms outstanding for 500 pairs. With --all: every reason in full."


def test_status_help_has_an_example_and_the_all_option() -> None:
    result = CliRunner().invoke(cli, ["status", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "mentordocs status tracking.xlsx --all" in result.output
    assert "--all" in result.output and "--json" in result.output


def test_a_paused_or_removed_pairs_return_is_not_counted_complete(tmp_path: Path) -> None:
    roster = _roster(2)
    roster.pairs[1].status = "Paused"
    unsigned = _returned("P02", "goal-sheet", "mentor_agree", "mentee_agree")
    gone = _returned("P09", "goal-sheet", "goal_1_goal")  # a pair no longer on the roster
    path = tmp_path / "tracking.xlsx"
    data = TrackingData(returns=[_returned("P01", "goal-sheet"), unsigned, gone])
    path.write_bytes(write_tracking(path, data, roster, SPECS))
    result = CliRunner().invoke(cli, ["status", str(path)])
    assert result.exit_code == 0, result.output
    [goal_sheet] = [line for line in result.output.splitlines() if line.startswith("Goal sheet")]
    assert goal_sheet.split()[-4:] == ["1", "1", "1", "0"]  # P01 only, as on the Dashboard
