"""send --stage: each round of the year's forms by email, once, and reminders of that round only.

Against a real SMTP server (aiosmtpd), as the other send tests."""

from __future__ import annotations

import shutil
from email import policy
from email.parser import BytesParser

import pytest
from click.testing import CliRunner
from test_send_support import FORMS, entry, make_packets, make_roster, write_docx

from mentordocs.forms import load_form_specs
from mentordocs.records import read_send_log, write_manifest
from mentordocs.send import (
    ALREADY_SENT,
    FAILED,
    SENT,
    OutboxTransport,
    SMTPTransport,
    send_packets,
    send_reminders,
)
from mentordocs.tracking import ReturnedForm, TrackingData, write_tracking


@pytest.fixture(scope="module")
def packets_template(tmp_path_factory):
    """The start's packet for three pairs, and their mid-point check-in forms beside it."""
    folder = tmp_path_factory.mktemp("template")
    out = folder / "packets"
    roster = make_roster(folder)
    manifest = make_packets(out, roster)
    for pair in roster.pairs:
        path = out / pair.pair_id / f"{pair.pair_id}_midpoint-review.docx"
        write_docx(path, f"mid-point check-in for {pair.pair_id}", pair_id=pair.pair_id)
        manifest.files.append(entry(out, pair.pair_id, "midpoint-review", path))
    write_manifest(out, manifest)
    return out


@pytest.fixture
def setup(tmp_path, packets_template):
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    return roster, out


def smtp(server) -> SMTPTransport:
    return SMTPTransport("127.0.0.1", server.port, timeout=10)


def attached(item) -> list[str]:
    return [part.get_filename() for part in item.message.iter_attachments()]


def test_plain_send_is_the_packet_and_stage_midpoint_the_check_in_once(setup, smtp_server):
    roster, out = setup
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT] * 3
    for item in smtp_server.handler.received:  # the packet: no later form rides along
        pair_id = item.pair_id
        assert attached(item) == [f"{pair_id}_{form}.docx" for form in FORMS] + [
            f"{pair_id}_meetings.ics"
        ]
    smtp_server.handler.reset()

    result = send_packets(roster, out, transport=smtp(smtp_server), stage="midpoint")
    assert result.stage == "midpoint"
    assert [(o.pair_id, o.status) for o in result.outcomes] == [
        ("P01", SENT),
        ("P02", SENT),
        ("P03", SENT),
    ]
    received = {item.pair_id: item for item in smtp_server.handler.received}
    p01 = received["P01"]
    assert attached(p01) == ["P01_midpoint-review.docx"]  # no calendar: it came with the packet
    assert (
        p01.message.get_payload()[1].get_payload(decode=True)
        == (out / "P01" / "P01_midpoint-review.docx").read_bytes()
    )
    assert p01.message["Subject"] == (
        "Riverside Mentoring 2027: your mid-point check-in (Ana Müller and Ben Osei)"
    )
    text = p01.message.get_body(("plain",)).get_content()
    assert "- Mid-point check-in (P01_midpoint-review.docx)" in text
    assert "by Monday 29 March 2027" in text  # the program's mid-point check
    html = p01.message.get_body(("html",)).get_content()
    assert "<strong>Mid-point check-in</strong> (P01_midpoint-review.docx)" in html
    log = read_send_log(out)
    assert [(r.kind, r.stage) for r in log] == [("packet", "start")] * 3 + [
        ("packet", "midpoint")
    ] * 3
    assert [f.form for f in log[-1].files] == ["midpoint-review"]

    # Never twice: the same stage again sends nothing, and neither does the plain send.
    smtp_server.handler.reset()
    again = send_packets(roster, out, transport=smtp(smtp_server), stage="midpoint")
    assert [o.status for o in again.outcomes] == [ALREADY_SENT] * 3
    assert [o.status for o in send_packets(roster, out, transport=smtp(smtp_server)).outcomes] == [
        ALREADY_SENT
    ] * 3
    assert smtp_server.handler.received == []


def test_a_stage_not_generated_yet_says_which_command_makes_it(setup, smtp_server):
    roster, out = setup
    result = send_packets(roster, out, transport=smtp(smtp_server), stage="end")
    assert [o.status for o in result.outcomes] == [FAILED] * 3
    assert result.outcomes[0].detail == (
        f"not sent: {out / 'manifest.json'} lists no end-of-program review forms for the pair. Run "
        f"'mentordocs generate ROSTER --stage end --tracking TRACKING.xlsx' for this roster "
        f"with -o {out} first."
    )
    assert len({o.detail for o in result.outcomes}) == 1  # one line for all three (the CLI)
    assert smtp_server.handler.received == []


def _returned(pair_id: str, form: str) -> ReturnedForm:
    """A complete, signed return: every field filled, one instance per group."""
    spec = load_form_specs()[form]
    values: dict[str, str | bool] = {}
    for field_id, declared in spec.expand(dict.fromkeys(spec.groups, 1)):
        values[field_id] = True if declared.kind == "checkbox" else "filled"
    return ReturnedForm(pair_id, form, f"{pair_id}_{form}.docx", "0" * 64, None, values)


def test_remind_stage_names_only_that_stages_forms(setup, smtp_server, tmp_path):
    roster, out = setup
    for stage in ("start", "midpoint"):  # both rounds went out (written to an outbox)
        send_packets(roster, out, transport=OutboxTransport(tmp_path / "outbox"), stage=stage)
    # The outbox names each round's drafts, so new ones are told from those already sent.
    drafts = sorted(p.name for p in (tmp_path / "outbox").glob("P01_*"))
    assert drafts == ["P01_midpoint.eml", "P01_packet.eml"]
    # P01 returned the packet but not the check-in; P02 everything; P03 nothing at all.
    returns = [_returned("P01", form) for form in FORMS]
    returns += [_returned("P02", form) for form in (*FORMS, "midpoint-review")]
    tracking = tmp_path / "tracking.xlsx"
    data = TrackingData(returns=returns)
    specs = load_form_specs()
    tracking.write_bytes(write_tracking(tracking, data, roster, specs, packets_dir=out))

    result = send_reminders(roster, out, tracking, transport=smtp(smtp_server), stage="midpoint")
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P01", SENT), ("P03", SENT)]
    received = {item.pair_id: item for item in smtp_server.handler.received}
    assert attached(received["P01"]) == ["P01_midpoint-review.docx"]
    assert attached(received["P03"]) == ["P03_midpoint-review.docx"]
    text = received["P03"].message.get_body(("plain",)).get_content()
    assert "- Mid-point check-in: not returned" in text
    assert "Goal sheet" not in text  # the packet's forms belong to another round
    reminders = [r for r in read_send_log(out) if r.kind == "reminder"]
    assert [r.stage for r in reminders] == ["midpoint"] * 2
    written = send_reminders(
        roster,
        out,
        tracking,
        transport=OutboxTransport(tmp_path / "outbox"),
        stage="midpoint",
        resend=True,
        pairs=["P03"],
    )
    assert written.sent[0].eml.endswith("P03_midpoint-reminder.eml")

    # The plain reminder is the packet's: only P03 owes any of it, and only packet forms.
    smtp_server.handler.reset()
    result = send_reminders(roster, out, tracking, transport=smtp(smtp_server))
    assert [(o.pair_id, o.status) for o in result.outcomes] == [("P03", SENT)]
    [item] = smtp_server.handler.received
    assert attached(item) == [f"P03_{form}.docx" for form in FORMS]


def test_send_stage_command_line(setup, tmp_path):
    from mentordocs.cli import cli

    roster, out = setup
    roster_path = tmp_path / "roster.xlsx"
    _save_roster(roster, roster_path)
    outbox = tmp_path / "outbox"
    args = ["send", str(out), "--roster", str(roster_path), "--outbox", str(outbox)]
    result = CliRunner().invoke(cli, [*args, "--stage", "midpoint", "--form", "goal-sheet"])
    assert result.exit_code == 1
    assert "--form goal-sheet: not a form of the 'midpoint' stage" in result.output
    assert "goal-sheet (--stage start)" in result.output
    result = CliRunner().invoke(cli, [*args, "--stage", "midpoint", "--pair", "P02"])
    assert result.exit_code == 0, result.output
    [eml] = outbox.glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert "your mid-point check-in" in message["Subject"]
    assert [p.get_filename() for p in message.iter_attachments()] == ["P02_midpoint-review.docx"]
    assert [r.stage for r in read_send_log(out)] == ["midpoint"]


def _save_roster(roster, path) -> None:
    """The roster as a workbook the command line loads (its Program and Pairs sheets)."""
    from openpyxl import Workbook

    book = Workbook()
    program = book.active
    program.title = "Program"
    p = roster.program
    program.append(["Setting", "Value"])
    for name, value in (
        ("Program name", p.name),
        ("Coordinator name", p.coordinator_name),
        ("Coordinator email", p.coordinator_email),
        ("Start date", p.start_date),
        ("End date", p.end_date),
        ("Mid-point check", p.midpoint),
    ):
        program.append([name, value])
    pairs = book.create_sheet("Pairs")
    pairs.append(["Pair ID", "Mentor name", "Mentor email", "Mentee name", "Mentee email"])
    for pair in roster.pairs:
        pairs.append(
            [pair.pair_id, pair.mentor.name, pair.mentor.email, pair.mentee.name, pair.mentee.email]
        )
    book.save(path)
