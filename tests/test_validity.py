"""Every generated form is valid WordprocessingML as Word expects it, for every plan type
(the combined ones too: Mentee-focused + Coaching, Mutual growth + Coaching).

Checked with openxml-audit, a pure-Python port of the Open XML SDK's validator (schema and
semantic rules of Office 2019).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_ROSTER
from openxml_audit import OpenXmlValidator

from mentordocs.generate.packets import generate_packets
from mentordocs.models import PLAN_TYPES
from mentordocs.roster import load_roster


@pytest.fixture(scope="module")
def one_packet_per_plan_type(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    roster = load_roster(SAMPLE_ROSTER)
    chosen: dict[str, str] = {}
    for pair in roster.pairs:
        chosen.setdefault(pair.plan_type, pair.pair_id)
    assert set(chosen) == set(PLAN_TYPES), "the sample should have a pair of every plan type"
    out = tmp_path_factory.mktemp("valid")
    result = generate_packets(roster, out, pairs=list(chosen.values()), include_inactive=True)
    return [result.path(rel) for rel in result.written if rel.endswith(".docx")]


def test_every_form_of_every_plan_type_is_valid(one_packet_per_plan_type: list[Path]) -> None:
    validator = OpenXmlValidator()
    failures = {}
    for path in one_packet_per_plan_type:
        result = validator.validate(str(path))
        if not result.is_valid:
            failures[path.name] = [str(error) for error in result.errors[:5]]
    assert failures == {}
    assert len(one_packet_per_plan_type) == 4 * len(PLAN_TYPES)  # combined plan types too
