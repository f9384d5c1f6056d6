"""Forms filled in through LibreOffice 7.4 itself (``tests/fixtures/libreoffice-typed``, made by
its ``make.py`` through LibreOffice's UNO bridge): what was typed reaches its column.

LibreOffice 7.4 drops the controls' tags and keeps a box typed into marked as "showing its
placeholder": the mark alone would make every typed answer blank.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_ROSTER

from mentordocs.collect import collect_forms
from mentordocs.collect.matching import Reference
from mentordocs.generate.packets import generate_packets
from mentordocs.roster import load_roster
from mentordocs.tracking import read_tracking

TYPED = Path(__file__).parent / "fixtures" / "libreoffice-typed"


@pytest.fixture(scope="module")
def packets(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("typed") / "packets"
    generate_packets(load_roster(SAMPLE_ROSTER), out)
    return out


@pytest.mark.parametrize("given", ["packets folder", "roster only"])
def test_answers_typed_in_libreoffice_7_4_reach_their_columns(packets, tmp_path, given):
    tracking = tmp_path / "tracking.xlsx"
    result = collect_forms(
        [TYPED],
        tracking,
        load_roster(SAMPLE_ROSTER),
        packets_dir=packets if given == "packets folder" else None,
        include_confidential=True,
    )
    assert result.new == 2, result.problems
    assert [p for p in result.problems if p.severity == "error"] == []
    returns = {(r.pair_id, r.form): r.values for r in read_tracking(tracking).returns}
    terms = returns["P02", "terms-of-engagement"]
    assert terms["purpose"] == "R1_PURPOSE help Olga settle in"
    assert terms["mentor_sign_name"] == "R1_SIGN Wei Zhang"
    assert terms["mentor_agree"] is True
    goals = returns["P01", "goal-sheet"]
    assert goals["goal_5_goal"] == "R1_ODT_GOAL5 a fifth goal"
    # The boxes nobody typed into still show their prompts, marked so: blank, not the prompt.
    for (pair_id, form), values in returns.items():
        made = Reference.from_bytes((packets / pair_id / f"{pair_id}_{form}.docx").read_bytes())
        assert set(made.placeholders.values()).isdisjoint(values.values()), form
        assert values["purpose" if form == "terms-of-engagement" else "goal_1_goal"]
    assert not read_tracking(tracking).review  # nothing typed was left for review either
