"""send_reminders: each pair with outstanding forms, per a real tracking workbook, gets a reminder."""

from __future__ import annotations

import datetime as dt
import shutil
from email import policy
from email.parser import BytesParser

import pytest
from test_send_support import make_packets, make_roster, write_docx

from mentordocs.errors import SendError
from mentordocs.forms import load_form_specs
from mentordocs.records import read_send_log
from mentordocs.send import (
    ALREADY_SENT,
    FAILED,
    SENT,
    SKIPPED,
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
    """Every packet sent (to an outbox); P01 owes the goal sheet (unsigned by the mentee), P02
    owes nothing, P03 owes everything."""
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    send_packets(roster, out, transport=OutboxTransport(tmp_path / "sent-packets"))
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
    # P01 sent its goal sheet back unsigned: the attached copy is blank, and the reminder says
    # so (signing the blank copy alone would replace all it wrote); P03 returned nothing.
    assert "The attached copies are blank. For a form you have already sent us" in text
    assert "<strong>your own filled-in copy</strong>" in html
    p03 = received["P03"]
    assert attached(p03) == [f"P03_{form}.docx" for form in load_form_specs(stage="start")]
    p03_text = p03.message.get_body(("plain",)).get_content()
    assert "not returned" in p03_text and "The attached copies are blank" not in p03_text

    log = [r for r in read_send_log(out) if r.kind == "reminder"]
    assert [r.pair_id for r in log] == ["P01", "P03"]
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


# ---- reminders only of what was sent, from a workbook that knows it ------------------------------


def _tracking_for(roster, returns, path):
    path.write_bytes(write_tracking(path, TrackingData(returns=returns), roster, load_form_specs()))
    return path


def test_a_pair_is_never_reminded_of_forms_it_was_never_sent(tmp_path, packets_template):
    # A packet run stopped after P01 and P02, and P03 got its action plan alone: a collect
    # and a reminder run then must not send P03 "reminders" of forms it never had, which the
    # packet run finishing afterwards would send again.
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    outbox = OutboxTransport(tmp_path / "outbox")
    send_packets(roster, out, transport=outbox, pairs=["P01", "P02"])
    tracking = _tracking_for(roster, [], tmp_path / "tracking.xlsx")

    result = send_reminders(roster, out, tracking, transport=outbox)
    assert [(o.pair_id, o.status) for o in result.outcomes] == [
        ("P01", SENT),
        ("P02", SENT),
        ("P03", SKIPPED),
    ]
    assert result.outcomes[2].detail == (
        "no reminder: its packet was never sent to the pair; send it first ('mentordocs send' "
        "without --remind), or, if it reached the pair another way, name the pair with --pair"
    )
    assert not (tmp_path / "outbox" / "P03_reminder.eml").exists()

    send_packets(roster, out, transport=outbox, pairs=["P03"], forms=["action-plan"])
    result = send_reminders(roster, out, tracking, transport=outbox)
    p01, p02, p03 = result.outcomes
    assert (p01.status, p02.status) == (ALREADY_SENT, ALREADY_SENT)  # once a day
    assert p03.status == SENT and p03.files == ["P03_action-plan.docx"]
    assert p03.detail.startswith(
        "not reminded of what was never sent: Terms of engagement, Goal sheet, Confidentiality "
        "agreement were never sent to the pair; send them first"
    )

    rest = send_packets(roster, out, transport=outbox)  # the packet run, finished
    assert [(o.pair_id, o.status) for o in rest.outcomes] == [
        ("P01", ALREADY_SENT),
        ("P02", ALREADY_SENT),
        ("P03", SENT),
    ]
    assert "P03_action-plan.docx" not in rest.outcomes[2].files  # it had it: not again


def test_a_mentee_who_never_had_the_packet_is_not_sent_a_reminder_of_it(world, tmp_path):
    # The pair's mentee was replaced (a new person, a new address) after the packet went: a
    # reminder would tell the new mentee "we have not yet received everything we need from
    # you" of forms they never had, without the calendar. Say to send the packet first.
    roster, out, tracking = world
    roster.pairs[2].mentee.name, roster.pairs[2].mentee.email = "Noor Haddad", "noor@example.org"
    outbox = OutboxTransport(tmp_path / "outbox")
    result = send_reminders(roster, out, tracking, transport=outbox)
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", SENT), ("P03", SKIPPED)]
    assert result.outcomes[1].detail == (
        "no reminder: its packet was never sent to noor@example.org; send it first "
        "('mentordocs send' without --remind), or, if it reached noor@example.org another "
        "way, name the pair with --pair"
    )
    assert not (tmp_path / "outbox" / "P03_reminder.eml").exists()
    # The packet goes to the new mentee alone; then the reminder goes to both.
    sent = send_packets(roster, out, transport=outbox, pairs=["P03"])
    assert sent.outcomes[0].status == SENT
    assert sent.outcomes[0].recipients == ["Noor Haddad <noor@example.org>"]
    result = send_reminders(roster, out, tracking, transport=outbox)
    assert [(o.pair_id, o.status) for o in result.outcomes] == [
        ("P01", ALREADY_SENT),  # once a day
        ("P03", SENT),
    ]
    assert len(result.outcomes[1].recipients) == 2


def test_forms_that_reached_the_pair_another_way_are_reminded_when_the_pair_is_named(
    tmp_path, packets_template
):
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    tracking = _tracking_for(roster, [], tmp_path / "tracking.xlsx")
    outbox = OutboxTransport(tmp_path / "outbox")
    assert [o.status for o in send_reminders(roster, out, tracking, transport=outbox).outcomes] == [
        SKIPPED
    ] * 3
    named = send_reminders(roster, out, tracking, transport=outbox, pairs=["P02"])
    assert [(o.pair_id, o.status, o.detail) for o in named.outcomes] == [("P02", SENT, "")]


def test_another_programs_tracking_workbook_is_refused(world, tmp_path):
    roster, out, _ = world
    other = make_roster(tmp_path / "other")
    other.program.name = "Corporate Onboarding 2027"
    tracking = _tracking_for(other, [], tmp_path / "other.xlsx")
    with pytest.raises(SendError) as caught:
        send_reminders(roster, out, tracking, transport=OutboxTransport(tmp_path / "outbox"))
    assert (
        "other.xlsx is the tracking workbook of 'Corporate Onboarding 2027', but roster.xlsx "
        "is the roster of 'Riverside Mentoring 2027'" in str(caught.value)
    )
    assert not (tmp_path / "outbox").exists()


def test_a_workbook_collected_before_a_pair_was_sent_its_forms_is_refused(world, tmp_path):
    # P03 was added to the roster (and sent its packet) after the last collect: the workbook
    # does not know its forms, and would say it owes nothing.
    roster, out, _ = world
    before = make_roster(tmp_path / "before")
    before.pairs = [pair for pair in before.pairs if pair.pair_id != "P03"]
    tracking = _tracking_for(before, [], tmp_path / "old.xlsx")
    outbox = OutboxTransport(tmp_path / "outbox")
    with pytest.raises(SendError) as caught:
        send_reminders(roster, out, tracking, transport=outbox, dry_run=True)
    said = str(caught.value)
    assert "does not know forms it is asked about were sent (it was collected without" in said
    assert "from a roster without those pairs) (to P03)" in said
    assert f"Run 'mentordocs collect' again into {tracking} with --packets" in said
    assert "nothing was sent" in said
    # Collected before P03's packet went out: said so, with when.
    early = dt.datetime(2026, 9, 1, 8, 0)
    tracking.write_bytes(
        write_tracking(tracking, TrackingData(), before, load_form_specs(), now=early)
    )
    with pytest.raises(SendError, match=r"was collected on 2026-09-01 08:00, before forms it is "):
        send_reminders(roster, out, tracking, transport=outbox, dry_run=True)
    assert [r.kind for r in read_send_log(out)] == ["packet"] * 3
    # The pairs it knows can still be reminded.
    result = send_reminders(roster, out, tracking, transport=outbox, pairs=["P01", "P02"])
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", SENT), ("P02", SENT)]


def test_a_workbook_of_the_earlier_layout_is_read_whole_for_what_it_knows(world, tmp_path):
    # Workbooks written before 3 December 2026 (evening) do not list their returns in the
    # hidden sheet: the form sheets say them, so reminders still know P02 returned everything.
    import openpyxl

    roster, out, tracking = world
    book = openpyxl.load_workbook(tracking)
    hidden = book["_mentordocs"]
    for number in range(hidden.max_row, 0, -1):
        kind, key = hidden.cell(number, 1).value, hidden.cell(number, 2).value
        if kind == "returned" or (kind == "meta" and key == "returned_rows"):
            hidden.delete_rows(number)
    book.save(tracking)
    result = send_reminders(
        roster, out, tracking, transport=OutboxTransport(tmp_path / "outbox"), dry_run=True
    )
    assert [(o.pair_id, o.status) for o in result.outcomes] == [
        ("P01", WOULD_SEND),
        ("P03", WOULD_SEND),
    ]


def test_a_copy_changed_since_generate_is_never_attached_as_the_blank_one(world, tmp_path):
    # A returned form saved over the pair's blank copy in the packets folder (the packet email
    # asks pairs to keep the file's name): the reminder attached it, answers and all, saying
    # "The attached copies are blank". The pair is held back, told how to make the blank again.
    roster, out, tracking = world
    blank = (out / "P01" / "P01_goal-sheet.docx").read_bytes()
    write_docx(out / "P01" / "P01_goal-sheet.docx", "P01's private answers", pair_id="P01")
    outbox = tmp_path / "reminders"
    result = send_reminders(roster, out, tracking, transport=OutboxTransport(outbox))
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", FAILED), ("P03", SENT)]
    detail = result.outcomes[0].detail
    assert detail.startswith(
        "no reminder: P01/P01_goal-sheet.docx changed since generate made it, and a reminder "
        "attaches the blank copy"
    )
    assert f"run 'mentordocs generate {roster.path} -o {out} --pair P01'" in detail
    assert sorted(p.name for p in outbox.iterdir()) == ["P03_reminder.eml"]

    (out / "P01" / "P01_goal-sheet.docx").write_bytes(blank)  # the blank copy made again
    again = send_reminders(roster, out, tracking, transport=OutboxTransport(outbox))
    assert [(o.pair_id, o.status) for o in again.outcomes] == [
        ("P01", SENT),
        ("P03", ALREADY_SENT),
    ]
