"""send_packets against a real SMTP server (aiosmtpd on 127.0.0.1) and an outbox folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from test_send_support import (
    COORDINATOR,
    FORMS,
    Collector,
    Server,
    accepting,
    free_port,
    make_certificate,
    make_packets,
    make_roster,
    server_tls_context,
    write_docx,
)

from mentordocs.errors import SendError
from mentordocs.forms import load_form_specs
from mentordocs.records import read_manifest, read_send_log, write_manifest
from mentordocs.send import (
    ALREADY_SENT,
    CHANGED,
    FAILED,
    SENT,
    WOULD_SEND,
    EmailTemplateError,
    OutboxTransport,
    RateLimiter,
    SMTPTransport,
    send_packets,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def setup(tmp_path, packets_template):
    """A roster of three pairs and its packets folder (a private copy for each test)."""
    roster = make_roster(tmp_path)
    out = tmp_path / "packets"
    shutil.copytree(packets_template, out)
    return roster, out


@pytest.fixture(scope="module")
def packets_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    out = folder / "packets"
    make_packets(out, make_roster(folder))
    return out


def smtp(server: Server, **kwargs) -> SMTPTransport:
    return SMTPTransport("127.0.0.1", server.port, timeout=10, **kwargs)


def attachments(message) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }


def assert_only_own_files(received, out: Path) -> None:
    """Every attachment of every message is byte-for-byte a file of that message's pair."""
    for item in received:
        pair_id = item.pair_id
        for name, (_type, data) in attachments(item.message).items():
            assert name.startswith(f"{pair_id}_")
            assert data == (out / pair_id / name).read_bytes()


# ---- the message ---------------------------------------------------------------------------------


def test_each_pair_gets_one_message_with_exactly_its_files(setup, smtp_server):
    roster, out = setup
    result = send_packets(roster, out, transport=smtp(smtp_server))

    assert [o.status for o in result.outcomes] == [SENT, SENT, SENT]
    assert result.complete
    received = smtp_server.handler.received
    assert len(received) == 3
    by_pair = {item.pair_id: item for item in received}
    for pair in roster.pairs:
        item = by_pair[pair.pair_id]
        assert item.mail_from == COORDINATOR
        assert item.rcpt_tos == [pair.mentor.email, pair.mentee.email]
        message = item.message
        assert [a.addr_spec for a in message["To"].addresses] == [
            pair.mentor.email,
            pair.mentee.email,
        ]
        assert message["Reply-To"].addresses[0].addr_spec == COORDINATOR
        assert message["Cc"] is None
        assert "Riverside Mentoring 2027" in message["Subject"]
        assert message.get_content_type() == "multipart/mixed"
        alternative = next(iter(message.iter_parts()))
        assert alternative.get_content_type() == "multipart/alternative"
        text = alternative.get_body(("plain",)).get_content()
        html = alternative.get_body(("html",)).get_content()
        assert pair.mentor.name in text and pair.mentee.name in text
        assert f"- Goal sheet ({pair.pair_id}_goal-sheet.docx)" in text
        assert "Friday 29 January 2027" in text
        assert "<li>" in html and f"{pair.pair_id}_meetings.ics" in html

        files = attachments(message)
        expected = [f"{pair.pair_id}_{form}.docx" for form in FORMS] + [
            f"{pair.pair_id}_meetings.ics"
        ]
        assert list(files) == expected
        for name, (content_type, data) in files.items():
            assert data == (out / pair.pair_id / name).read_bytes()
            assert content_type == (DOCX_TYPE if name.endswith(".docx") else "text/calendar")
        ics_part = [p for p in message.iter_attachments() if p.get_filename().endswith(".ics")][0]
        assert ics_part.get_param("method") == "PUBLISH"
    assert_only_own_files(received, out)

    log = read_send_log(out)
    assert [r.pair_id for r in log] == ["P01", "P02", "P03"]
    manifest = read_manifest(out).by_path()
    for record, item in zip(log, received, strict=True):
        assert record.kind == "packet" and record.transport == "smtp"
        assert record.message_id == item.message["Message-ID"]
        assert record.refused == []
        for sent in record.files:
            assert sent.sha256 == manifest[sent.path].sha256
    assert {o.message_id for o in result.sent} == {r.message_id for r in log}


def test_non_ascii_names_are_encoded_in_headers(setup, smtp_server):
    roster, out = setup
    send_packets(roster, out, transport=smtp(smtp_server), pairs=["P02"])
    item = smtp_server.handler.received[0]
    head = item.raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # every header is 7-bit on the wire
    assert b"=?utf-8?" in head
    names = [a.display_name for a in item.message["To"].addresses]
    assert names == ["José Álvarez", "Søren Ødegård"]
    assert item.message["From"].addresses[0].display_name == "Zoë Okafor-Lindqvist"
    assert "José Álvarez" in item.message.get_body(("plain",)).get_content()


def test_cc_coordinator_and_from_address(setup, smtp_server):
    roster, out = setup
    send_packets(
        roster,
        out,
        transport=smtp(smtp_server),
        pairs=["P01"],
        cc_coordinator=True,
        from_address="Mentoring Office <office@example.org>",
    )
    item = smtp_server.handler.received[0]
    assert item.mail_from == "office@example.org"
    assert item.rcpt_tos == ["ana@example.org", "ben@example.org", COORDINATOR]
    assert item.message["Cc"].addresses[0].addr_spec == COORDINATOR
    assert item.message["From"].addresses[0].display_name == "Mentoring Office"
    assert item.message["Reply-To"].addresses[0].addr_spec == COORDINATOR


# ---- never twice -----------------------------------------------------------------------------------


def test_a_second_run_sends_nothing(setup, smtp_server):
    roster, out = setup
    send_packets(roster, out, transport=smtp(smtp_server))
    again = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in again.outcomes] == [ALREADY_SENT] * 3
    assert all(o.detail.startswith("already sent on 20") for o in again.outcomes)
    assert again.complete
    assert len(smtp_server.handler.received) == 3
    assert len(read_send_log(out)) == 3


def test_subset_first_then_the_rest_only(setup, smtp_server):
    roster, out = setup
    first = send_packets(
        roster, out, transport=smtp(smtp_server), pairs=["p02"], forms=["goal-sheet"]
    )
    assert [o.pair_id for o in first.sent] == ["P02"]
    assert list(attachments(smtp_server.handler.received[0].message)) == [
        "P02_goal-sheet.docx",
        "P02_meetings.ics",
    ]
    rest = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in rest.outcomes] == [SENT, SENT, SENT]
    by_pair = {item.pair_id: item for item in smtp_server.handler.received[1:]}
    assert list(attachments(by_pair["P02"].message)) == [
        "P02_action-plan.docx",
        "P02_terms-of-engagement.docx",
        "P02_confidentiality-agreement.docx",
    ]
    assert len(attachments(by_pair["P01"].message)) == 5
    assert_only_own_files(smtp_server.handler.received, out)


def test_changed_file_is_reported_and_held_until_resend(setup, smtp_server):
    roster, out = setup
    send_packets(roster, out, transport=smtp(smtp_server))
    changed = out / "P01" / "P01_action-plan.docx"
    write_docx(changed, "action-plan for P01, corrected", pair_id="P01")

    again = send_packets(roster, out, transport=smtp(smtp_server))
    outcome = again.outcomes[0]
    assert outcome.status == CHANGED
    assert str(outcome).startswith("P01: action-plan changed since it was sent on 20")
    assert "use --resend to send the new version" in outcome.detail
    assert [o.status for o in again.outcomes[1:]] == [ALREADY_SENT, ALREADY_SENT]
    assert not again.complete
    assert len(smtp_server.handler.received) == 3

    resent = send_packets(
        roster, out, transport=smtp(smtp_server), pairs=["P01"], forms=["action-plan"], resend=True
    )
    assert [o.status for o in resent.outcomes] == [SENT]
    last = smtp_server.handler.received[-1].message
    assert attachments(last)["P01_action-plan.docx"][1] == changed.read_bytes()
    final = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in final.outcomes] == [ALREADY_SENT] * 3


# ---- faults ----------------------------------------------------------------------------------------


def test_refused_recipient_is_reported_and_gets_it_next_run(setup, smtp_server):
    roster, out = setup
    smtp_server.handler.refuse = {"ben@example.org"}
    result = send_packets(roster, out, transport=smtp(smtp_server))

    assert [o.status for o in result.outcomes] == [SENT, SENT, SENT]
    p01 = result.outcomes[0]
    assert list(p01.refused) == ["ben@example.org"]
    assert "550" in p01.refused["ben@example.org"]
    assert "ben@example.org" in str(p01) and "run the same command again" in str(p01)
    assert not result.complete
    assert smtp_server.handler.received[0].rcpt_tos == ["ana@example.org"]
    assert read_send_log(out)[0].refused == ["ben@example.org"]

    smtp_server.handler.refuse = set()
    resumed = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in resumed.outcomes] == [SENT, ALREADY_SENT, ALREADY_SENT]
    assert resumed.complete
    last = smtp_server.handler.received[-1]
    assert last.rcpt_tos == ["ben@example.org"]
    assert len(attachments(last.message)) == 5
    assert len(smtp_server.handler.received) == 4


def test_an_address_corrected_after_the_forms_changed_gets_the_packet_now(setup, smtp_server):
    # The mentee's address was mistyped: the server refused it. The coordinator corrects it
    # in the roster and generates again: the forms that show the address change. The mentee,
    # who never had anything, gets the whole packet as it is now; the mentor's earlier copy
    # of the changed form is reported for --resend (it was: "changed since it was sent" for
    # the pair, nothing to the mentee, and --resend the only way on, mailing the mentor all).
    roster, out = setup
    roster.pairs[0].mentee.email = "ben.typo@example.org"
    smtp_server.handler.refuse = {"ben.typo@example.org"}
    first = send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    assert list(first.outcomes[0].refused) == ["ben.typo@example.org"]
    smtp_server.handler.refuse = set()
    roster.pairs[0].mentee.email = "ben@example.org"
    changed = out / "P01" / "P01_action-plan.docx"
    write_docx(changed, "action-plan for P01, Ben's address corrected", pair_id="P01")

    again = send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    assert [(o.pair_id, o.status) for o in again.outcomes] == [("P01", SENT), ("P01", CHANGED)]
    last = smtp_server.handler.received[-1]
    assert last.rcpt_tos == ["ben@example.org"]
    got = attachments(last.message)
    assert len(got) == 5 and got["P01_action-plan.docx"][1] == changed.read_bytes()
    held = again.outcomes[1]
    assert held.detail.startswith(
        "action-plan changed since it was sent to Ana Müller <ana@example.org> on 20"
    )
    assert held.detail.endswith(
        " (Ben Osei <ben@example.org> got the new version now). To send it to them as well, use "
        "--resend --pair P01 --form action-plan (Ben Osei <ben@example.org> then gets it again)"
    )
    assert held.files == ["P01_action-plan.docx"]
    assert not again.complete
    # Nothing more goes until --resend: the mentee has it all, the mentor's copy is reported.
    third = send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    assert [o.status for o in third.outcomes] == [CHANGED]
    assert len(smtp_server.handler.received) == 2


def test_a_send_log_that_cannot_be_written_stops_before_the_first_message(
    setup, smtp_server, tmp_path
):
    # Found out only when the first message was to be recorded, that message had gone out
    # unrecorded (and would go again). Here the log points at a drive that is gone.
    roster, out = setup
    (out / "send-log.jsonl").symlink_to(tmp_path / "gone" / "send-log.jsonl")
    with pytest.raises(SendError) as caught:
        send_packets(roster, out, transport=smtp(smtp_server))
    assert str(caught.value).startswith(f"Cannot write {out / 'send-log.jsonl'} (")
    assert "nothing was sent" in str(caught.value)
    assert smtp_server.handler.received == []


def test_no_word_of_a_new_version_sent_now_when_the_message_does_not_go(setup, smtp_server):
    # The mentee's address corrected after the action plan changed, and a form open in Word:
    # nothing goes, so nothing may say the mentee "got the new version now".
    roster, out = setup
    send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    roster.pairs[0].mentee.email = "ben.osei@example.org"
    write_docx(out / "P01" / "P01_action-plan.docx", "corrected", pair_id="P01")
    (out / "P01" / "~$1_goal-sheet.docx").write_bytes(b"\x0cjo" + b"\0" * 150)
    again = send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    assert [(o.pair_id, o.status) for o in again.outcomes] == [("P01", FAILED)]
    assert "open" in again.outcomes[0].detail
    assert len(smtp_server.handler.received) == 1


def test_all_recipients_refused_is_not_logged(setup, smtp_server):
    roster, out = setup
    smtp_server.handler.refuse = {"jose@example.org", "soren@example.org"}
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, SENT]
    assert "refused every recipient" in result.outcomes[1].detail
    assert [r.pair_id for r in read_send_log(out)] == ["P01", "P03"]

    smtp_server.handler.refuse = set()
    resumed = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in resumed.outcomes] == [ALREADY_SENT, SENT, ALREADY_SENT]
    assert smtp_server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1}


def test_authentication_refused_stops_with_a_clear_error(setup):
    roster, out = setup
    server = Server(
        Collector(), authenticator=accepting("coord", "right"), auth_require_tls=False
    ).start()
    try:
        result = send_packets(roster, out, transport=smtp(server, user="coord", password="wrong"))
        assert "refused the login for 'coord'" in result.stopped
        assert "535" in result.stopped
        assert [o.status for o in result.outcomes] == [FAILED] * 3
        assert server.handler.received == []
        assert read_send_log(out) == []

        asked: list[str] = []

        def password() -> str:
            asked.append("yes")
            return "right"

        resumed = send_packets(roster, out, transport=smtp(server, user="coord", password=password))
        assert [o.status for o in resumed.outcomes] == [SENT] * 3
        assert asked == ["yes"]  # asked once, for the one connection
        assert server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1}
    finally:
        server.stop()


class StopServerAfter:
    """A progress callback that stops the SMTP server after ``n`` messages (server goes away)."""

    def __init__(self, server: Server, n: int):
        self.server, self.n, self.done = server, n, 0

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.done == self.n:
            self.server.stop()

    def finish(self) -> None:
        pass


def test_server_going_away_mid_run_then_resume_sends_exactly_the_rest(tmp_path):
    roster = make_roster(tmp_path, pairs=4)
    out = tmp_path / "packets"
    make_packets(out, roster)
    server = Server(Collector()).start()
    try:
        result = send_packets(
            roster, out, transport=smtp(server), progress=StopServerAfter(server, 2)
        )
        assert [o.status for o in result.outcomes] == [SENT, SENT, FAILED, FAILED]
        assert "Could not connect" in result.stopped or "lost" in result.stopped
        assert [r.pair_id for r in read_send_log(out)] == ["P01", "P02"]

        server.restart()
        resumed = send_packets(roster, out, transport=smtp(server))
        assert [o.status for o in resumed.outcomes] == [ALREADY_SENT, ALREADY_SENT, SENT, SENT]
        assert server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1, "P04": 1}
    finally:
        server.stop()


def test_connection_dropped_by_server_then_resume(setup, smtp_server):
    roster, out = setup
    smtp_server.handler.drop_after = 1
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, FAILED]
    assert "The connection to the mail server 127.0.0.1:" in result.stopped
    assert "was lost" in result.stopped
    assert smtp_server.handler.sessions == 2  # it tried once more on a new connection
    smtp_server.handler.drop_after = None
    resumed = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in resumed.outcomes] == [ALREADY_SENT, SENT, SENT]
    assert smtp_server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1}


def test_a_dropped_connection_is_reopened_once_and_the_run_goes_on(setup, smtp_server):
    roster, out = setup
    smtp_server.handler.drop_once_after = 1
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, SENT, SENT]
    assert result.complete
    assert smtp_server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1}
    assert smtp_server.handler.sessions == 2  # one connection reused, reopened once


def test_a_message_too_big_for_the_server_fails_alone(setup):
    roster, out = setup
    server = Server(Collector(), data_size_limit=2000).start()
    try:
        result = send_packets(roster, out, transport=smtp(server))
        assert [o.status for o in result.outcomes] == [FAILED] * 3
        assert not result.stopped  # each message was tried
        assert "is too big for the server (552" in result.outcomes[0].detail
        assert "--form" in result.outcomes[0].detail
        assert server.handler.received == []
        assert read_send_log(out) == []
    finally:
        server.stop()


def test_server_down_from_the_start(setup):
    roster, out = setup
    transport = SMTPTransport("127.0.0.1", free_port(), timeout=5)
    result = send_packets(roster, out, transport=transport)
    assert result.stopped.startswith("Could not connect to the mail server 127.0.0.1:")
    assert "Check the --smtp host and port" in result.stopped
    assert [o.status for o in result.outcomes] == [FAILED] * 3
    assert read_send_log(out) == []


# ---- TLS -------------------------------------------------------------------------------------------


def test_starttls_with_a_self_signed_certificate(setup, tmp_path):
    roster, out = setup
    cert, key = make_certificate(tmp_path)
    server = Server(
        Collector(),
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        authenticator=accepting("coord", "s3cret"),  # login only once encrypted (the default)
    ).start()
    try:
        untrusted = send_packets(
            roster,
            out,
            transport=smtp(server, security="starttls", user="coord", password="s3cret"),
        )
        assert "could not be verified" in untrusted.stopped and "--cafile" in untrusted.stopped
        assert server.handler.received == []

        result = send_packets(
            roster,
            out,
            transport=smtp(
                server, security="starttls", user="coord", password="s3cret", cafile=cert
            ),
        )
        assert [o.status for o in result.outcomes] == [SENT] * 3
        assert server.handler.per_pair() == {"P01": 1, "P02": 1, "P03": 1}
    finally:
        server.stop()


def test_implicit_ssl(setup, tmp_path):
    roster, out = setup
    cert, key = make_certificate(tmp_path)
    server = Server(Collector(), ssl_context=server_tls_context(cert, key)).start()
    try:
        result = send_packets(
            roster, out, transport=smtp(server, security="ssl", cafile=cert), pairs=["P03"]
        )
        assert [o.status for o in result.outcomes] == [SENT]
        assert server.handler.per_pair() == {"P03": 1}
    finally:
        server.stop()


def test_plain_server_without_starttls_is_refused_when_asked(setup, smtp_server):
    roster, out = setup
    result = send_packets(roster, out, transport=smtp(smtp_server, security="starttls"))
    assert "does not offer STARTTLS" in result.stopped
    assert smtp_server.handler.received == []


# ---- rate ------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_messages_evenly():
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock, sleep=clock.sleep)  # one every 2 s
    assert limiter.wait() == 0  # the first goes at once
    clock.now += 0.5  # building the next message took 0.5 s
    assert limiter.wait() == pytest.approx(1.5)
    clock.now += 5  # a slow server: already late, no sleep
    assert limiter.wait() == 0
    assert limiter.wait() == pytest.approx(2.0)
    assert clock.sleeps == [pytest.approx(1.5), pytest.approx(2.0)]
    unlimited = RateLimiter(None, clock=clock, sleep=clock.sleep)
    assert [unlimited.wait() for _ in range(3)] == [0, 0, 0]


def test_rate_is_applied_between_messages(setup, smtp_server):
    roster, out = setup
    clock = FakeClock()
    send_packets(roster, out, transport=smtp(smtp_server), rate=20, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [pytest.approx(3.0), pytest.approx(3.0)]
    assert len(smtp_server.handler.received) == 3


# ---- outbox and dry run ----------------------------------------------------------------------------


def test_outbox_writes_eml_files_that_parse_back(setup, tmp_path):
    roster, out = setup
    outbox = tmp_path / "outbox"
    result = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in result.outcomes] == [SENT] * 3
    files = sorted(p.name for p in outbox.iterdir())
    assert files == ["P01_packet.eml", "P02_packet.eml", "P03_packet.eml"]
    message = BytesParser(policy=policy.default).parsebytes(
        (outbox / "P02_packet.eml").read_bytes()
    )
    assert message["X-Unsent"] == "1"
    assert [a.display_name for a in message["To"].addresses] == ["José Álvarez", "Søren Ødegård"]
    for name, (_type, data) in attachments(message).items():
        assert data == (out / "P02" / name).read_bytes()
    log = read_send_log(out)
    assert log[1].transport == "outbox" and log[1].eml == str(outbox / "P02_packet.eml")
    assert log[1].message_id == message["Message-ID"]

    again = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in again.outcomes] == [ALREADY_SENT] * 3
    resent = send_packets(
        roster, out, transport=OutboxTransport(outbox), pairs=["P02"], resend=True
    )
    assert resent.sent[0].eml.endswith("P02_packet-2.eml")  # the first file is never overwritten
    assert len(list(outbox.iterdir())) == 4


def test_a_draft_written_by_a_stopped_run_is_recorded_not_written_twice(setup, tmp_path):
    # A run killed between writing P02's draft and recording it in the send log: the next run
    # wrote P02_packet-2.eml beside it, two drafts for the coordinator to send.
    roster, out = setup
    outbox = tmp_path / "outbox"
    send_packets(roster, out, transport=OutboxTransport(outbox))
    log = (out / "send-log.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "send-log.jsonl").write_text(log[0] + log[2], encoding="utf-8")  # P02's not recorded
    written = (outbox / "P02_packet.eml").read_bytes()

    again = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in again.outcomes] == [ALREADY_SENT, SENT, ALREADY_SENT]
    assert "recorded now, not written a second time" in again.outcomes[1].detail
    assert sorted(p.name for p in outbox.iterdir()) == [
        "P01_packet.eml",
        "P02_packet.eml",
        "P03_packet.eml",
    ]
    assert (outbox / "P02_packet.eml").read_bytes() == written
    message = BytesParser(policy=policy.default).parsebytes(written)
    [record] = [r for r in read_send_log(out) if r.pair_id == "P02"]
    assert record.eml == str(outbox / "P02_packet.eml")
    assert record.message_id == message["Message-ID"]
    assert [(f.path, f.sha256) for f in record.files] == [
        (f["path"], f["sha256"]) for f in json.loads(log[1])["files"]
    ]
    third = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in third.outcomes] == [ALREADY_SENT] * 3


def test_another_unrecorded_draft_under_the_pairs_name_holds_the_pair_back(setup, tmp_path):
    # A draft the send log does not know that is not this message (an older packet, a file
    # of the coordinator's): nothing more is written for the pair, and the draft is named.
    roster, out = setup
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "P01_packet.eml").write_bytes(
        b"To: someone@example.org\r\nSubject: Something else\r\n\r\nHello\r\n"
    )
    result = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in result.outcomes] == [FAILED, SENT, SENT]
    detail = result.outcomes[0].detail
    assert f"{outbox / 'P01_packet.eml'} is already in the outbox but not in the send log" in detail
    assert "If you have not sent it, delete it and run the same command again" in detail
    assert sorted(p.name for p in outbox.iterdir()) == [
        "P01_packet.eml",
        "P02_packet.eml",
        "P03_packet.eml",
    ]
    assert [r.pair_id for r in read_send_log(out)] == ["P02", "P03"]
    (outbox / "P01_packet.eml").unlink()
    again = send_packets(roster, out, transport=OutboxTransport(outbox))
    assert [o.status for o in again.outcomes] == [SENT, ALREADY_SENT, ALREADY_SENT]


def test_dry_run_sends_nothing(setup, smtp_server):
    roster, out = setup
    result = send_packets(roster, out, transport=smtp(smtp_server), dry_run=True)
    assert [o.status for o in result.outcomes] == [WOULD_SEND] * 3
    assert result.outcomes[1].recipients == [
        "José Álvarez <jose@example.org>",
        "Søren Ødegård <soren@example.org>",
    ]
    assert result.outcomes[1].files[-1] == "P02_meetings.ics"
    assert smtp_server.handler.received == []
    assert not (out / "send-log.jsonl").exists()


# ---- refusing anything that is not the pair's ------------------------------------------------------


def test_a_file_of_another_pair_is_never_attached(setup, smtp_server):
    roster, out = setup
    manifest = read_manifest(out)
    for entry in manifest.files:  # manifest points P02's goal sheet at P01's file
        if entry.pair_id == "P02" and entry.form == "goal-sheet":
            entry.path = "P01/P01_goal-sheet.docx"
    write_manifest(out, manifest)
    # and P01's file copied over P03's own goal sheet
    shutil.copy(out / "P01" / "P01_goal-sheet.docx", out / "P03" / "P03_goal-sheet.docx")

    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, FAILED]
    assert "could belong to another pair" in result.outcomes[1].detail
    assert "is the form of pair P01" in result.outcomes[2].detail
    # The fix replaces that one form, not every form edited on purpose in the folder.
    assert result.outcomes[2].detail.endswith(
        f"Make it again with 'mentordocs generate ROSTER -o {out.resolve()} --pair P03 --form "
        "goal-sheet --force' (--force replaces that form only)."
    )
    assert smtp_server.handler.per_pair() == {"P01": 1}
    assert_only_own_files(smtp_server.handler.received, out)


def test_forms_made_by_an_earlier_mentordocs_are_held_back_until_made_again(setup, smtp_server):
    # mentordocs upgraded between generate and send, its action plan reworded: P02's plan was
    # made from the earlier one (as the manifest records), so P02 waits; the others go.
    roster, out = setup
    manifest = read_manifest(out)
    for entry in manifest.files:
        if entry.pair_id == "P02" and entry.form == "action-plan":
            entry.template_version = "1.0+0badcafe"
    write_manifest(out, manifest)
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, SENT]
    assert result.outcomes[1].detail == (
        "not sent: its Mentoring action plan form was made before mentordocs' own templates "
        "(a newer version of mentordocs) changed, so the pair would get the form as it was. "
        f"Run 'mentordocs generate {roster.path} -o {out}' first, then send again"
    )
    assert smtp_server.handler.per_pair() == {"P01": 1, "P03": 1}


def test_a_damaged_form_is_named_with_the_command_that_makes_it_again(setup, smtp_server):
    roster, out = setup
    (out / "P02" / "P02_goal-sheet.docx").write_bytes(b"junk")
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, SENT]
    detail = result.outcomes[1].detail
    assert detail.startswith("not sent: P02/P02_goal-sheet.docx is not a readable Word document")
    assert "Ask the sender" not in detail and "((" not in detail  # not collect's advice
    assert "--pair P02 --form goal-sheet --force" in detail


def test_a_form_open_in_word_holds_back_only_a_pair_that_needs_it(setup, smtp_server):
    roster, out = setup
    send_packets(roster, out, transport=smtp(smtp_server), pairs=["P01"])
    for pair_id in ("P01", "P02"):
        (out / pair_id / f"~${pair_id[-1]}_goal-sheet.docx").write_bytes(b"lock")
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [ALREADY_SENT, FAILED, SENT]
    assert "P02/P02_goal-sheet.docx is open in Word" in result.outcomes[1].detail


def test_missing_or_open_file_fails_that_pair_only(setup, smtp_server):
    roster, out = setup
    (out / "P03" / "P03_meetings.ics").unlink()
    (out / "P02" / "~$2_action-plan.docx").write_bytes(b"lock")  # open in Word
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, FAILED]
    assert "P02/P02_action-plan.docx is open in Word" in result.outcomes[1].detail
    assert (
        "P03/P03_meetings.ics is listed in manifest.json but missing" in result.outcomes[2].detail
    )


def test_a_form_not_generated_for_a_pair_is_reported(tmp_path, smtp_server):
    roster = make_roster(tmp_path, pairs=2)
    out = tmp_path / "packets"
    make_packets(out, roster)
    manifest = read_manifest(out)
    manifest.files = [
        e for e in manifest.files if not (e.pair_id == "P02" and e.form == "goal-sheet")
    ]
    write_manifest(out, manifest)
    result = send_packets(roster, out, transport=smtp(smtp_server), forms=["goal-sheet"])
    assert [o.status for o in result.outcomes] == [SENT, FAILED]
    assert "lists no goal-sheet for P02" in result.outcomes[1].detail
    assert smtp_server.handler.per_pair() == {"P01": 1}


def test_docx_without_pair_property_is_accepted_in_its_folder(tmp_path, smtp_server):
    roster = make_roster(tmp_path, pairs=1)
    out = tmp_path / "packets"
    make_packets(out, roster)
    write_docx(out / "P01" / "P01_goal-sheet.docx", "made elsewhere, no mentordocs property")
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT]


def test_invalid_address_fails_that_pair_with_its_roster_row(setup, smtp_server):
    roster, out = setup
    roster.pairs[2].mentee.email = "dana at example.org"
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, SENT, FAILED]
    assert "roster.xlsx, sheet 'Pairs', row 4, column 'Mentee email'" in result.outcomes[2].detail
    assert "'dana at example.org'" in result.outcomes[2].detail


def test_international_addresses(setup, smtp_server):
    roster, out = setup
    roster.pairs[0].mentee.email = "ben@bücher.example"
    roster.pairs[1].mentee.email = "søren@example.org"
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, FAILED, SENT]
    assert smtp_server.handler.received[0].rcpt_tos == [
        "ana@example.org",
        "ben@xn--bcher-kva.example",
    ]
    assert "letters outside plain ASCII" in result.outcomes[1].detail
    assert "column 'Mentee email'" in result.outcomes[1].detail


def test_an_international_domain_goes_to_that_domain_not_a_lookalike(setup, smtp_server):
    # IDNA 2008, as mail servers and browsers: ß and final sigma are letters of their own.
    # Python's 'idna' codec (IDNA 2003) writes strasse.de and ...4c9d.gr: other people's domains.
    roster, out = setup
    roster.pairs[0].mentee.email = "juergen@straße.de"
    roster.pairs[1].mentee.email = "eleni@ελληνικός.gr"
    roster.pairs[2].mentee.email = "dana@exämple.org"
    result = send_packets(roster, out, transport=smtp(smtp_server))
    assert [o.status for o in result.outcomes] == [SENT, SENT, SENT]
    assert [item.rcpt_tos[1] for item in smtp_server.handler.received] == [
        "juergen@xn--strae-oqa.de",
        "eleni@xn--qxaegecap6byf.gr",
        "dana@xn--exmple-cua.org",
    ]
    # shown to the coordinator as typed in the roster, not in the servers' ASCII form
    assert [o.recipients[1].rpartition(" ")[2] for o in result.outcomes] == [
        "<juergen@straße.de>",
        "<eleni@ελληνικός.gr>",
        "<dana@exämple.org>",
    ]


def test_packets_of_another_program_are_refused(setup, tmp_path):
    roster, out = setup
    roster.program.name = "Another Program"
    with pytest.raises(SendError, match=r"holds the packets of 'Riverside Mentoring 2027'"):
        send_packets(roster, out, transport=OutboxTransport(tmp_path / "outbox"))


def test_inactive_pairs_are_skipped_unless_named(setup, smtp_server):
    roster, out = setup
    roster.pairs[0].status = "Paused"
    result = send_packets(roster, out, transport=smtp(smtp_server), dry_run=True)
    assert result.outcomes[0].status == "skipped"
    assert "status is 'Paused'" in result.outcomes[0].detail
    named = send_packets(roster, out, transport=smtp(smtp_server), dry_run=True, pairs=["P01"])
    assert [o.status for o in named.outcomes] == [WOULD_SEND]


# ---- mistakes caught before anything is sent -------------------------------------------------------


def test_template_errors_name_file_and_line_before_sending(setup, smtp_server, tmp_path):
    roster, out = setup
    template = tmp_path / "welcome.txt"
    template.write_text(
        "Subject: Forms for {{ pair.pair_id }}\n\nDear {{ mentor.name }},\n\nHello {{ mentee.nmae }}\n",
        encoding="utf-8",
    )
    with pytest.raises(EmailTemplateError) as caught:
        send_packets(roster, out, transport=smtp(smtp_server), message_template=template)
    assert f"{template}, line 5:" in str(caught.value)
    assert "nmae" in str(caught.value) and "P01" in str(caught.value)

    template.write_text("Subject: Hi\n\nDear {{ mentor.name }\n", encoding="utf-8")
    with pytest.raises(EmailTemplateError, match=r"welcome\.txt, line 3:"):
        send_packets(roster, out, transport=smtp(smtp_server), message_template=template)

    template.write_text("Dear all,\n\nHello\n", encoding="utf-8")
    with pytest.raises(EmailTemplateError, match=r"line 1: the first line must be the subject"):
        send_packets(roster, out, transport=smtp(smtp_server), message_template=template)
    assert smtp_server.handler.received == []
    assert read_send_log(out) == []


def test_own_template_with_html_twin(setup, smtp_server, tmp_path):
    roster, out = setup
    (tmp_path / "mine.txt").write_text(
        "\ufeffSubject: {{ program.name }} – {{ pair.pair_id }}\n\n"
        "Hi {{ mentor.name }} & {{ mentee.name }},\n\n"
        "{% for form in forms %}\n- {{ form.title }}\n{% endfor %}\n",
        encoding="utf-8",
    )
    (tmp_path / "mine.html").write_text(
        "<p>Hi {{ mentor.name }} &amp; {{ mentee.name }}</p>", encoding="utf-8"
    )
    roster.pairs[0].mentor.name = "Ana <Müller>"
    send_packets(
        roster,
        out,
        transport=smtp(smtp_server),
        message_template=tmp_path / "mine.txt",
        pairs=["P01"],
    )
    message = smtp_server.handler.received[0].message
    assert message["Subject"] == "Riverside Mentoring 2027 – P01"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    titles = [spec.title for spec in load_form_specs(stage="start").values()]  # the packet
    assert text == "Hi Ana <Müller> & Ben Osei,\n\n" + "".join(f"- {t}\n" for t in titles)
    html = message.get_body(("html",)).get_content()
    assert "Hi Ana &lt;Müller&gt; &amp; Ben Osei" in html  # escaped in HTML


def test_text_only_template_gets_html_made_from_it(setup, smtp_server, tmp_path):
    roster, out = setup
    (tmp_path / "plain.txt").write_text(
        "Subject: Hello\n\nDear {{ mentor.name }},\nsee below.\n\n- one\n- two <b>\n",
        encoding="utf-8",
    )
    send_packets(
        roster,
        out,
        transport=smtp(smtp_server),
        message_template=tmp_path / "plain.txt",
        pairs=["P01"],
    )
    html = smtp_server.handler.received[0].message.get_body(("html",)).get_content()
    html = html.replace("\r\n", "\n")
    assert "<p>Dear Ana Müller,<br>\nsee below.</p>" in html
    assert "<ul><li>one</li><li>two &lt;b&gt;</li></ul>" in html


def test_unknown_pair_form_or_missing_packets_are_errors(setup, tmp_path):
    roster, out = setup
    transport = OutboxTransport(tmp_path / "outbox")
    with pytest.raises(SendError, match=r"--pair P09: no such pair in roster\.xlsx"):
        send_packets(roster, out, transport=transport, pairs=["P09"])
    with pytest.raises(SendError, match=r"--form goals: no such form\. Forms you can name: "):
        send_packets(roster, out, transport=transport, forms=["goals"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SendError, match=r"manifest\.json is missing .* 'mentordocs generate"):
        send_packets(roster, empty, transport=transport)
    assert not (tmp_path / "outbox").exists()


class Interrupting:
    """An outbox transport that runs ``during`` while its first message is going out."""

    name = "outbox"

    def __init__(self, folder: Path, during):
        self.outbox = OutboxTransport(folder)
        self.during = during

    def open(self) -> None:
        self.outbox.open()

    def send(self, message, sender, recipients, *, name):
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return self.outbox.send(message, sender, recipients, name=name)

    def close(self) -> None:
        self.outbox.close()


def test_two_sends_at_once_on_one_folder_are_refused(setup, tmp_path):
    roster, out = setup
    dry = []

    def second_send() -> None:  # another run on the same folder while the first is sending
        with pytest.raises(SendError, match=r"Another 'mentordocs send' is working on"):
            send_packets(roster, out, transport=OutboxTransport(tmp_path / "outbox-2"))
        dry.append(
            send_packets(roster, out, transport=OutboxTransport(tmp_path / "o"), dry_run=True)
        )

    done = send_packets(roster, out, transport=Interrupting(tmp_path / "outbox", second_send))
    assert [o.status for o in dry[0].outcomes] == [WOULD_SEND] * 3  # a dry run only reads
    assert [o.status for o in done.outcomes] == [SENT] * 3
    again = send_packets(roster, out, transport=OutboxTransport(tmp_path / "outbox"))
    assert [o.status for o in again.outcomes] == [ALREADY_SENT] * 3  # the folder is free again


def test_send_and_collect_do_not_need_each_other():
    """Sending and reading returns are separate stages: neither imports the other."""
    for package, other in (("send", "collect"), ("collect", "send")):
        code = f"import sys, mentordocs.{package}; print('mentordocs.{other}' in sys.modules)"
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert completed.stdout.strip() == "False", f"mentordocs.{package} imports {other}"


def test_send_log_lines_are_plain_json(setup, tmp_path):
    roster, out = setup
    send_packets(roster, out, transport=OutboxTransport(tmp_path / "outbox"), pairs=["P01"])
    line = json.loads((out / "send-log.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["pair_id"] == "P01" and line["kind"] == "packet"
    assert line["recipients"] == ["ana@example.org", "ben@example.org"]
    assert [f["form"] for f in line["files"]] == [*FORMS, "meetings"]
