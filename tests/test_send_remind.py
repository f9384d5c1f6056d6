"""send_reminders: each pair with outstanding forms, per a real tracking workbook, gets a reminder."""

from __future__ import annotations

import datetime as dt
import shutil
from email import policy
from email.parser import BytesParser

import pytest
from test_send_support import make_packets, make_roster

from mentordocs.forms import load_form_specs
from mentordocs.records import read_send_log
from mentordocs.send import (
    ALREADY_SENT,
    FAILED,
    SENT,
    WOULD_SEND,
    OutboxTransport,
    SMTPTransport,
    send_packets,
    send_reminders,
)
from mentordocs.tracking import (
    ReturnedForm,
    TrackingData,
    read_outstanding,
    write_tracking,
)


def returned(pair_id: str, form: str, spec, *, blank: tuple[str, ...] = (), unsigned: str = ""):
    """A returned form with every field filled (one instance per group), minus ``blank``."""
    counts = dict.fromkeys(spec.groups, 1)
    values: dict[str, object] = {}
    for field_id, fspec in spec.expand(counts):
        values[field_id] = True if fspec.kind == "checkbox" else "filled"
    for field_id in blank:
        values[field_id] = ""
    if unsigned:
        values[f"{unsigned}_agree"] = False
    return ReturnedForm(pair_id, form, f"{pair_id}_{form}.docx", "0" * 64, None, values)


@pytest.fixture(scope="module")
def packets_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    out = folder / "packets"
    make_packets(out, make_roster(folder))
    return out


@pytest.fixture
def world(tmp_path, packets_template):
    """P01 owes the goal sheet (unsigned by the mentee), P02 owes nothing, P03 owes everything."""
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    specs = load_form_specs()
    returns = [returned("P02", form, spec) for form, spec in specs.items()]
    returns += [returned("P01", form, spec) for form, spec in specs.items() if form != "goal-sheet"]
    returns.append(returned("P01", "goal-sheet", specs["goal-sheet"], unsigned="mentee"))
    tracking = tmp_path / "tracking.xlsx"
    tracking.write_bytes(write_tracking(tracking, TrackingData(returns=returns), roster, specs))
    return roster, out, tracking


def attached(item) -> list[str]:
    return [part.get_filename() for part in item.message.iter_attachments()]


def test_reminders_name_exactly_what_is_missing(world, smtp_server):
    roster, out, tracking = world
    outstanding = read_outstanding(tracking)
    assert sorted(outstanding) == ["P01", "P03"]  # the workbook says what we expect

    transport = SMTPTransport("127.0.0.1", smtp_server.port, timeout=10)
    result = send_reminders(roster, out, tracking, transport=transport)

    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", SENT), ("P03", SENT)]
    received = {item.pair_id: item for item in smtp_server.handler.received}
    assert sorted(received) == ["P01", "P03"]  # P02 returned everything: no email
    p01 = received["P01"]
    assert attached(p01) == ["P01_goal-sheet.docx"]
    assert p01.rcpt_tos == ["ana@example.org", "ben@example.org"]
    assert p01.message["Subject"].startswith("Reminder: Riverside Mentoring 2027")
    text = p01.message.get_body(("plain",)).get_content()
    assert (
        "- Goal sheet: incomplete: 1 required field blank (Mentee agrees); not signed by mentee"
        in text
    )
    assert "Terms of engagement" not in text
    html = p01.message.get_body(("html",)).get_content()
    assert (
        "<strong>Goal sheet</strong>: incomplete: 1 required field blank (Mentee agrees); "
        "not signed" in html
    )
    assert (
        p01.message.get_payload()[1].get_payload(decode=True)
        == (out / "P01" / "P01_goal-sheet.docx").read_bytes()
    )
    p03 = received["P03"]
    assert attached(p03) == [f"P03_{form}.docx" for form in load_form_specs(stage="start")]
    assert "not returned" in p03.message.get_body(("plain",)).get_content()

    log = read_send_log(out)
    assert [(r.kind, r.pair_id) for r in log] == [("reminder", "P01"), ("reminder", "P03")]
    assert [f.form for f in log[0].files] == ["goal-sheet"]


def test_a_reminder_goes_once_a_day_unless_resend(world, smtp_server):
    roster, out, tracking = world
    transport = SMTPTransport("127.0.0.1", smtp_server.port, timeout=10)
    today = dt.date.today()
    send_reminders(roster, out, tracking, transport=transport, today=today)
    again = send_reminders(roster, out, tracking, transport=transport, today=today)
    assert [o.status for o in again.outcomes] == [ALREADY_SENT, ALREADY_SENT]
    assert "already sent today" in again.outcomes[0].detail
    assert again.complete
    tomorrow = send_reminders(
        roster, out, tracking, transport=transport, today=today + dt.timedelta(days=1)
    )
    assert [o.status for o in tomorrow.outcomes] == [SENT, SENT]
    forced = send_reminders(
        roster, out, tracking, transport=transport, today=today, resend=True, pairs=["P03"]
    )
    assert [o.status for o in forced.outcomes] == [SENT]
    assert smtp_server.handler.per_pair() == {"P01": 2, "P03": 3}


def test_reminders_are_separate_from_packets(world, smtp_server):
    roster, out, tracking = world
    transport = SMTPTransport("127.0.0.1", smtp_server.port, timeout=10)
    send_packets(roster, out, transport=transport)
    reminders = send_reminders(roster, out, tracking, transport=transport)
    assert [o.status for o in reminders.outcomes] == [SENT, SENT]
    packets_again = send_packets(roster, out, transport=transport)
    assert [o.status for o in packets_again.outcomes] == [ALREADY_SENT] * 3


def test_reminder_subset_dry_run_and_refused_recipient(world, smtp_server):
    roster, out, tracking = world
    transport = SMTPTransport("127.0.0.1", smtp_server.port, timeout=10)
    dry = send_reminders(
        roster, out, tracking, transport=transport, dry_run=True, forms=["goal-sheet"]
    )
    assert [(o.pair_id, o.status, o.files) for o in dry.outcomes] == [
        ("P01", WOULD_SEND, ["P01_goal-sheet.docx"]),
        ("P03", WOULD_SEND, ["P03_goal-sheet.docx"]),
    ]
    assert smtp_server.handler.received == []

    smtp_server.handler.refuse = {"chen@example.org"}
    result = send_reminders(roster, out, tracking, transport=transport, pairs=["P03"])
    assert result.outcomes[0].refused and not result.complete
    smtp_server.handler.refuse = set()
    rest = send_reminders(roster, out, tracking, transport=transport, pairs=["P03"])
    assert [o.status for o in rest.outcomes] == [SENT]
    assert smtp_server.handler.received[-1].rcpt_tos == ["chen@example.org"]


def test_pair_in_tracking_but_not_in_roster_is_reported(world, smtp_server):
    roster, out, tracking = world
    roster.pairs = [pair for pair in roster.pairs if pair.pair_id != "P03"]
    transport = SMTPTransport("127.0.0.1", smtp_server.port, timeout=10)
    result = send_reminders(roster, out, tracking, transport=transport)
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", SENT), ("P03", FAILED)]
    assert "not in the roster roster.xlsx" in result.outcomes[1].detail


def test_reminder_after_the_due_date_says_it_was_due(world, tmp_path):
    roster, out, tracking = world
    late = dt.date(2027, 2, 3)  # forms were due Friday 29 January 2027
    send_reminders(
        roster, out, tracking, transport=OutboxTransport(tmp_path / "outbox"), today=late
    )
    message = BytesParser(policy=policy.default).parsebytes(
        (tmp_path / "outbox" / "P03_reminder.eml").read_bytes()
    )
    text = message.get_body(("plain",)).get_content()
    assert "They were due on Friday 29 January 2027: please reply" in text
    assert "attached by Friday" not in text
    assert (
        "were due on <strong>Friday 29 January 2027</strong>"
        in message.get_body(("html",)).get_content()
    )
