"""`mentordocs send` end to end: samples/roster.xlsx -> generate -> send to a real SMTP server."""

from __future__ import annotations

import shutil
from collections import Counter
from email import policy
from email.parser import BytesParser

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from test_send_support import Collector, Server, accepting

from mentordocs.cli import cli
from mentordocs.forms import load_form_specs
from mentordocs.generate.packets import generate_packets
from mentordocs.records import read_manifest, read_send_log
from mentordocs.roster import load_roster
from mentordocs.send import send_packets
from mentordocs.tracking import TrackingData, write_tracking

PASSWORD_ENV = "MENTORDOCS_SMTP_PASSWORD"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """samples/roster.xlsx generated once into a packets folder (copied for each test)."""
    out = tmp_path_factory.mktemp("generated") / "packets"
    generate_packets(load_roster(SAMPLE_ROSTER), out)
    return out


@pytest.fixture
def packets(generated, tmp_path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    out = tmp_path / "packets"
    shutil.copytree(generated, out)
    return out


def run(*args: str, **kwargs):
    return CliRunner().invoke(cli, ["send", *args], catch_exceptions=False, **kwargs)


def active_pairs() -> list[str]:
    return [pair.pair_id for pair in load_roster(SAMPLE_ROSTER).pairs if pair.active]


def test_sample_roster_end_to_end_over_smtp(packets, smtp_server):
    result = run(
        str(packets),
        "--roster",
        str(SAMPLE_ROSTER),
        "--smtp",
        f"127.0.0.1:{smtp_server.port}",
        "-q",
    )
    assert result.exit_code == 0, result.output
    pairs = active_pairs()
    assert f"{len(pairs)} sent, 0 already sent, 0 failed" in result.stdout

    received = smtp_server.handler.received
    assert Counter(item.pair_id for item in received) == dict.fromkeys(pairs, 1)
    manifest = read_manifest(packets)
    roster = load_roster(SAMPLE_ROSTER)
    for item in received:
        pair = roster.pair(item.pair_id)
        assert item.rcpt_tos == [pair.mentor.email, pair.mentee.email]
        assert [a.display_name for a in item.message["To"].addresses] == [
            pair.mentor.name,
            pair.mentee.name,
        ]
        assert item.message["Reply-To"].addresses[0].addr_spec == roster.program.coordinator_email
        expected = {
            entry.path.rsplit("/", 1)[1]: entry
            for entry in manifest.for_pair(item.pair_id)
            if entry.path.endswith((".docx", ".ics"))
        }
        parts = {part.get_filename(): part for part in item.message.iter_attachments()}
        assert sorted(parts) == sorted(expected)
        for name, part in parts.items():  # byte-identical to that pair's own files
            assert part.get_payload(decode=True) == (packets / expected[name].path).read_bytes()

    again = run(
        str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{smtp_server.port}"
    )
    assert again.exit_code == 0, again.output
    assert f"0 sent, {len(pairs)} already sent, 0 failed" in again.stdout
    assert len(smtp_server.handler.received) == len(pairs)


def test_refused_recipient_exits_1_and_says_what_to_do(packets, smtp_server):
    roster = load_roster(SAMPLE_ROSTER)
    mentee = roster.pair("P03").mentee.email
    smtp_server.handler.refuse = {mentee.lower()}
    args = [str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{smtp_server.port}"]
    result = run(*args)
    assert result.exit_code == 1
    assert f"P03: the server refused {mentee}" in result.stderr
    assert "run the same command again" in result.stderr

    smtp_server.handler.refuse = set()
    resumed = run(*args)
    assert resumed.exit_code == 0, resumed.output
    assert "1 sent" in resumed.stdout
    assert smtp_server.handler.received[-1].rcpt_tos == [mentee]


def test_password_comes_from_the_environment_or_a_hidden_prompt(packets, monkeypatch):
    server = Server(
        Collector(), authenticator=accepting("coord", "pa55 word"), auth_require_tls=False
    ).start()
    try:
        base = [str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{server.port}"]
        prompted = run(*base, "--user", "coord", "--pair", "P01", input="pa55 word\n")
        assert prompted.exit_code == 0, prompted.output
        assert "Password for coord on 127.0.0.1" in prompted.stderr
        assert "pa55 word" not in prompted.output  # hidden input is not echoed

        monkeypatch.setenv(PASSWORD_ENV, "pa55 word")
        from_env = run(*base, "--user", "coord", "--pair", "P02")
        assert from_env.exit_code == 0, from_env.output
        assert "Password" not in from_env.output

        monkeypatch.setenv(PASSWORD_ENV, "wrong")
        refused = run(*base, "--user", "coord", "--pair", "P04")
        assert refused.exit_code == 1
        assert "refused the login for 'coord'" in refused.stderr
        assert "Stopped:" in refused.stderr
        assert server.handler.per_pair() == {"P01": 1, "P02": 1}
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "Give exactly one of --smtp HOST[:PORT] and --outbox DIR"),
        (["--smtp", "localhost", "--outbox", "o"], "Give exactly one of --smtp"),
        (["--smtp", "localhost", "--password", "x"], "No such option '--password'"),
        (["--outbox", "o", "--starttls"], "--starttls applies only with --smtp"),
        (["--smtp", "localhost", "--starttls", "--ssl"], "Give --starttls or --ssl, not both"),
        (["--smtp", "localhost:smtp"], "is not HOST or HOST:PORT"),
        (["--smtp", "localhost:70000"], "is not HOST or HOST:PORT"),
        (["--outbox", "o", "--rate", "0"], "--rate"),
        (["--outbox", "o", "--from", "office at school"], "is not an email address"),
        # The comma splits the name from the address (it was "not an email address", no word
        # of quotes); a second address was dropped without a word.
        (
            ["--outbox", "o", "--from", "Smith, Jane <jane@x.org>"],
            """has a comma in the name, which splits it in two. Put the name in double quotes: '"Smith, Jane" <jane@x.org>'""",
        ),
        (["--outbox", "o", "--from", "Jane <jane@x.org>, bob@x.org"], "holds 2 addresses"),
    ],
)
def test_wrong_command_lines_exit_2(packets, extra, message):
    result = run(str(packets), "--roster", str(SAMPLE_ROSTER), *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert not (packets / "send-log.jsonl").exists()


def test_dry_run_prints_who_gets_what_and_sends_nothing(packets, smtp_server):
    result = run(
        str(packets),
        "--roster",
        str(SAMPLE_ROSTER),
        "--smtp",
        f"127.0.0.1:{smtp_server.port}",
        "--user",
        "coord",  # no password asked: nothing is sent
        "--dry-run",
        "--pair",
        "P02",
        "--form",
        "goal-sheet",
    )
    assert result.exit_code == 0, result.output
    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pair("P02")
    assert "P02: would send to " in result.stdout
    assert pair.mentee.email in result.stdout
    assert "P02_goal-sheet.docx, P02_meetings.ics" in result.stdout
    assert "Dry run: 1 message would be sent through 127.0.0.1" in result.stdout
    assert "Password" not in result.output
    assert smtp_server.handler.received == []
    assert read_send_log(packets) == []


def test_a_dry_run_that_finds_a_pair_it_could_not_send_exits_1(packets, tmp_path):
    (packets / "P02" / "P02_goal-sheet.docx").unlink()
    outbox = tmp_path / "outbox"
    args = [str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox), "--quiet"]
    result = run(*args, "--dry-run")
    assert result.exit_code == 1, result.output
    assert "P02: not sent: P02/P02_goal-sheet.docx is listed in manifest.json but missing" in (
        result.stdout
    )
    assert "1 would fail" in result.stdout and "Nothing was sent." in result.stdout
    assert "Sending now would leave 1 message unsent" in result.stderr
    assert not outbox.exists() and read_send_log(packets) == []
    # with the pair left out, the dry run finds nothing wrong
    others = [f"--pair={p.pair_id}" for p in load_roster(SAMPLE_ROSTER).pairs[2:4]]
    assert run(*args, "--dry-run", *others).exit_code == 0


def test_outbox_then_reminders(packets, tmp_path):
    outbox = tmp_path / "outbox"
    result = run(str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox))
    assert result.exit_code == 0, result.output
    pairs = active_pairs()
    assert f"{len(pairs)} written, 0 already sent" in result.stdout
    eml = sorted(outbox.glob("*.eml"))
    assert [p.name for p in eml] == [f"{pair_id}_packet.eml" for pair_id in pairs]
    message = BytesParser(policy=policy.default).parsebytes(eml[0].read_bytes())
    assert message["X-Unsent"] == "1"
    shown = ", ".join(f"{pair_id}_packet.eml" for pair_id in pairs[:10])
    assert f"New in {outbox}: {shown} and {len(pairs) - 10} more. Open each" in result.stdout

    again = run(str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox))
    assert f"Already written (see send-log.jsonl): {', '.join(pairs)}" in again.stdout

    roster = load_roster(SAMPLE_ROSTER)
    tracking = tmp_path / "tracking.xlsx"
    tracking.write_bytes(write_tracking(tracking, TrackingData(), roster, load_form_specs()))
    reminders = run(
        str(packets),
        "--roster",
        str(SAMPLE_ROSTER),
        "--outbox",
        str(outbox),
        "--remind",
        str(tracking),
    )
    assert reminders.exit_code == 0, reminders.output
    assert f"{len(pairs)} written" in reminders.stdout
    reminder = BytesParser(policy=policy.default).parsebytes(
        (outbox / f"{pairs[0]}_reminder.eml").read_bytes()
    )
    assert reminder["Subject"].startswith("Reminder:")
    assert len(list(reminder.iter_attachments())) == 4  # every form, not the calendar


def test_pairs_never_sent_their_packet_are_named_on_one_line_not_reminded(packets, tmp_path):
    outbox = tmp_path / "outbox"
    pairs = active_pairs()
    first = run(
        str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox), "--pair", pairs[0]
    )
    assert first.exit_code == 0, first.output
    roster = load_roster(SAMPLE_ROSTER)
    tracking = tmp_path / "tracking.xlsx"
    tracking.write_bytes(write_tracking(tracking, TrackingData(), roster, load_form_specs()))
    remind = ("--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox), "--remind", str(tracking))
    reminders = run(str(packets), *remind)
    assert reminders.exit_code == 0, reminders.output
    assert (
        f"{', '.join(pairs[1:])}: no reminder: its packet was never sent to the pair; send it "
        "first ('mentordocs send' without --remind)"
    ) in reminders.stdout
    assert f"1 written, 0 already sent, 0 failed, {len(pairs) - 1} skipped." in reminders.stdout
    assert sorted(p.name for p in outbox.glob("*_reminder.eml")) == [f"{pairs[0]}_reminder.eml"]


def test_template_error_is_reported_with_file_and_line(packets, tmp_path, smtp_server):
    template = tmp_path / "message.txt"
    template.write_text("Subject: Hello\n\n{% for form in forms %}\n{{ form.titel }}\n", "utf-8")
    result = run(
        str(packets),
        "--roster",
        str(SAMPLE_ROSTER),
        "--smtp",
        f"127.0.0.1:{smtp_server.port}",
        "--message",
        str(template),
    )
    assert result.exit_code == 1
    assert f"Error: {template}, line 3: " in result.stderr or f"{template}, line 4" in result.stderr
    assert smtp_server.handler.received == []


def test_starttls_with_cafile(packets, tmp_path):
    from test_send_support import make_certificate, server_tls_context

    cert, key = make_certificate(tmp_path)
    server = Server(
        Collector(), tls_context=server_tls_context(cert, key), require_starttls=True
    ).start()
    try:
        args = [str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{server.port}"]
        untrusted = run(*args, "--starttls", "--pair", "P01")
        assert untrusted.exit_code == 1
        assert "could not be verified" in untrusted.stderr and "--cafile" in untrusted.stderr
        trusted = run(*args, "--starttls", "--cafile", str(cert), "--pair", "P01")
        assert trusted.exit_code == 0, trusted.output
        assert server.handler.per_pair() == {"P01": 1}
    finally:
        server.stop()


def test_server_down_exits_1_listing_what_was_not_sent(packets):
    from test_send_support import free_port

    result = run(str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "Stopped: Could not connect to the mail server 127.0.0.1:" in result.stderr
    assert f"Not sent because of that: {', '.join(active_pairs())}." in result.stderr
    assert "run the same command again: only what is missing will be sent" in result.stderr
    assert f"0 sent, 0 already sent, {len(active_pairs())} failed" in result.stdout


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["send", "-h"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "mentordocs send packets --roster samples/roster.xlsx --outbox outbox" in result.output


def smtp_args(packets, server) -> list[str]:
    return [str(packets), "--roster", str(SAMPLE_ROSTER), "--smtp", f"127.0.0.1:{server.port}"]


def test_cc_coordinator_puts_the_coordinator_in_cc(packets, smtp_server):
    roster = load_roster(SAMPLE_ROSTER)
    coordinator = roster.program.coordinator_email
    plain = run(*smtp_args(packets, smtp_server), "--pair", "P01", "-q")
    assert plain.exit_code == 0, plain.output
    assert smtp_server.handler.received[0].message["Cc"] is None
    assert coordinator not in smtp_server.handler.received[0].rcpt_tos

    copied = run(*smtp_args(packets, smtp_server), "--pair", "P02", "--cc-coordinator", "-q")
    assert copied.exit_code == 0, copied.output
    item = smtp_server.handler.received[1]
    assert item.pair_id == "P02"
    assert [a.addr_spec for a in item.message["Cc"].addresses] == [coordinator]
    pair = roster.pair("P02")
    assert item.rcpt_tos == [pair.mentor.email, pair.mentee.email, coordinator]
    assert [a.addr_spec for a in item.message["To"].addresses] == [
        pair.mentor.email,
        pair.mentee.email,
    ]


def test_resend_sends_again_what_was_already_sent(packets, smtp_server):
    args = [*smtp_args(packets, smtp_server), "--pair", "P01", "--pair", "P02", "-q"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert "2 sent, 0 already sent" in first.stdout
    second = run(*args)
    assert second.exit_code == 0, second.output
    assert "0 sent, 2 already sent" in second.stdout
    assert smtp_server.handler.per_pair() == {"P01": 1, "P02": 1}

    again = run(*args, "--resend")
    assert again.exit_code == 0, again.output
    assert "2 sent" in again.stdout
    assert smtp_server.handler.per_pair() == {"P01": 2, "P02": 2}
    assert Counter(record.pair_id for record in read_send_log(packets)) == {"P01": 2, "P02": 2}


def test_rate_spaces_the_messages(packets, smtp_server, monkeypatch):
    """--rate 6 (a minute) waits 10 seconds before each message after the first.

    The wait goes through the core's injectable clock and sleep (set here as their defaults),
    so the test sees the spacing without waiting for it.
    """
    now = [1000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setitem(send_packets.__kwdefaults__, "clock", lambda: now[0])
    monkeypatch.setitem(send_packets.__kwdefaults__, "sleep", sleep)
    pairs = ["--pair", "P01", "--pair", "P02", "--pair", "P03"]
    unlimited = run(*smtp_args(packets, smtp_server), *pairs, "-q")
    assert unlimited.exit_code == 0, unlimited.output
    assert waits == []

    limited = run(*smtp_args(packets, smtp_server), *pairs, "--resend", "--rate", "6", "-q")
    assert limited.exit_code == 0, limited.output
    assert waits == [pytest.approx(10.0), pytest.approx(10.0)]
    assert smtp_server.handler.per_pair() == {"P01": 2, "P02": 2, "P03": 2}


def test_ssl_with_cafile(packets, tmp_path):
    from test_send_support import make_certificate, server_tls_context

    cert, key = make_certificate(tmp_path)
    server = Server(Collector(), ssl_context=server_tls_context(cert, key)).start()
    try:
        untrusted = run(*smtp_args(packets, server), "--ssl", "--pair", "P01")
        assert untrusted.exit_code == 1
        assert "could not be verified" in untrusted.stderr and "--cafile" in untrusted.stderr
        assert server.handler.received == []
        trusted = run(*smtp_args(packets, server), "--ssl", "--cafile", str(cert), "--pair", "P01")
        assert trusted.exit_code == 0, trusted.output
        assert "1 sent" in trusted.stdout
        assert server.handler.per_pair() == {"P01": 1}
    finally:
        server.stop()


def _mentee_replaced(roster_path, pair_id: str, name: str, email: str) -> int:
    """The roster with ``pair_id``'s mentee replaced, as a coordinator would type it in Excel."""
    import openpyxl

    book = openpyxl.load_workbook(roster_path)
    sheet = book["Pairs"]
    headers = [cell.value for cell in sheet[1]]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == pair_id]
    row[headers.index("Mentee name")].value = name
    row[headers.index("Mentee email")].value = email
    book.save(roster_path)
    return row[0].row


def _generated_here(tmp_path, monkeypatch):
    """A copy of the sample roster in ``tmp_path`` (the current folder now), its packets
    generated into ./packets."""
    monkeypatch.chdir(tmp_path)
    roster = tmp_path / "roster.xlsx"
    shutil.copy(SAMPLE_ROSTER, roster)
    assert CliRunner().invoke(cli, ["generate", str(roster), "-o", "packets", "-q"]).exit_code == 0
    return roster


def test_forms_made_before_the_roster_changed_are_not_sent(tmp_path, monkeypatch):
    # P11's mentee is replaced after generate: her forms still name the previous mentee and
    # carry her email and phone; they must not go to the new one until generated again.
    roster = _generated_here(tmp_path, monkeypatch)
    outbox = ("--roster", str(roster), "--outbox", "outbox")
    assert run("packets", *outbox, "--pair", "P01").exit_code == 0
    number = _mentee_replaced(roster, "P11", "Tomás Ferreira", "tomas.ferreira@example.org")

    held = run("packets", *outbox)
    assert held.exit_code == 1
    assert (
        "P11: not sent: its forms were made before roster.xlsx changed (the mentee's name, "
        f"email, role or phone (sheet 'Pairs', row {number})), so they would show what is no "
        f"longer so. Run 'mentordocs generate {roster} -o packets --pair P11' first"
    ) in held.stderr
    assert not (tmp_path / "outbox" / "P11_packet.eml").exists()
    assert "P02" in {r.pair_id for r in read_send_log(tmp_path / "packets")}  # the rest went

    again = CliRunner().invoke(cli, ["generate", str(roster), "-o", "packets", "--pair", "P11"])
    assert again.exit_code == 0, again.output
    sent = run("packets", *outbox, "--pair", "P11")
    assert sent.exit_code == 0, sent.output
    message = BytesParser(policy=policy.default).parsebytes(
        (tmp_path / "outbox" / "P11_packet.eml").read_bytes()
    )
    assert "tomas.ferreira@example.org" in message["To"]
    plan = next(p for p in message.iter_attachments() if "action-plan" in p.get_filename())
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(plan.get_payload(decode=True))) as docx:
        text = docx.read("word/document.xml").decode("utf-8")
    assert "Tomás Ferreira" in text


def test_a_command_to_run_works_pasted_for_a_pair_id_with_a_space(tmp_path, monkeypatch):
    # Pair IDs may hold a space ("P 11"): the command send gives was "--pair P 11", which
    # fails pasted ("Got unexpected extra argument (11)"). It is quoted, as paths are.
    import re
    import shlex

    import openpyxl

    monkeypatch.chdir(tmp_path)
    roster = tmp_path / "my roster.xlsx"
    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "P11":
                    cell.value = "P 11"
    book.save(roster)
    assert CliRunner().invoke(cli, ["generate", str(roster), "-o", "packets", "-q"]).exit_code == 0
    outbox = ("--roster", str(roster), "--outbox", "outbox")
    _mentee_replaced(roster, "P 11", "Tomás Ferreira", "tomas.ferreira@example.org")

    held = run("packets", *outbox)
    assert held.exit_code == 1
    [command] = re.findall(
        r"P 11: not sent: .*? Run '(mentordocs generate [^']+)' first", held.stderr
    )
    assert command == f'mentordocs generate "{roster}" -o packets --pair "P 11"'
    again = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert again.exit_code == 0, again.output
    assert run("packets", *outbox, "--pair", "P 11").exit_code == 0


def test_a_roster_change_no_form_shows_holds_nothing_back(tmp_path, monkeypatch):
    # Pausing a pair and setting the mail server change the roster, not the forms.
    import openpyxl

    roster = _generated_here(tmp_path, monkeypatch)
    book = openpyxl.load_workbook(roster)
    pairs = book["Pairs"]
    headers = [cell.value for cell in pairs[1]]
    pairs.cell(3, headers.index("Status") + 1, "Paused")
    program = book["Program"]
    [server] = [r for r in program.iter_rows() if r[0].value == "Outgoing mail server"]
    server[1].value = "smtp.example.org:587"
    book.save(roster)
    result = run("packets", "--roster", str(roster), "--outbox", "outbox")
    assert result.exit_code == 0, result.output
    assert "not sent: its forms were made before" not in result.output


def test_a_change_to_the_program_holds_back_every_pair_on_one_line(tmp_path, monkeypatch):
    import openpyxl

    roster = _generated_here(tmp_path, monkeypatch)
    book = openpyxl.load_workbook(roster)
    [due] = [r for r in book["Program"].iter_rows() if r[0].value == "Forms due"]
    due[1].value = "2026-10-09"
    book.save(roster)
    held = run("packets", "--roster", str(roster), "--outbox", "outbox")
    assert held.exit_code == 1
    pairs = active_pairs()
    assert (
        f"{', '.join(pairs)}: not sent: its forms were made before roster.xlsx changed (the "
        "program's settings or calendar (sheets 'Program' and 'Calendar')), so they would show "
        f"what is no longer so. Run 'mentordocs generate {roster} -o packets' first"
    ) in held.stderr
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").glob("*.eml"))
    assert CliRunner().invoke(cli, ["generate", str(roster), "-o", "packets", "-q"]).exit_code == 0
    sent = run("packets", "--roster", str(roster), "--outbox", "outbox")
    assert sent.exit_code == 0, sent.output
    assert f"{len(pairs)} written" in sent.stdout


def test_an_unknown_pair_is_named_with_the_pairs_there(packets):
    result = run(str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", "o", "--pair", "P99")
    assert result.exit_code == 1
    assert "--pair P99: no such pair in roster.xlsx (sheet 'Pairs', column 'Pair ID')" in (
        result.output
    )
    assert "Pairs there: P01, P02, P03, P04, P05, P06, P07, P08, P09, P10 and 2 more." in (
        result.output
    )


def test_a_roster_column_spelt_as_in_the_roster_is_explained(packets, tmp_path):
    template = tmp_path / "message.txt"
    template.write_text("Subject: Hello\n\nYour school: {{ pair.extra.School }}\n", "utf-8")
    args = ("--roster", str(SAMPLE_ROSTER), "--outbox", str(tmp_path / "o"), "--dry-run")
    result = run(str(packets), *args, "--message", str(template))
    assert result.exit_code == 1
    assert "has no attribute 'School'" in result.stderr
    assert "'School name' is pair.extra.school_name" in result.stderr
    template.write_text("Subject: Hello\n\nYour school: {{ pair.extra.school }}\n", "utf-8")
    assert run(str(packets), *args, "--message", str(template)).exit_code == 0


@pytest.mark.parametrize("moment", ["between messages", "as the server takes one"])  # and below
def test_ctrl_c_says_what_went_out_and_running_again_sends_the_rest(
    packets, tmp_path, monkeypatch, moment
):
    # Ctrl-C before the third message, or as the server takes the second: either way two
    # messages went out and are recorded, so the next run neither loses one nor sends it twice.
    import os
    import signal

    from mentordocs.send.transports import OutboxTransport

    real = OutboxTransport.send
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if moment == "between messages" and len(calls) == 3:
            raise KeyboardInterrupt
        delivery = real(self, *args, **kwargs)
        if moment == "as the server takes one" and len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the terminal sends it
        return delivery

    monkeypatch.setattr(OutboxTransport, "send", interrupted)
    outbox = tmp_path / "outbox"
    args = (str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox))
    stopped = run(*args)
    assert stopped.exit_code == 130
    assert "Stopped (Ctrl-C). 2 messages went out before that, each recorded in" in stopped.stderr
    assert "Run the same command again to send the rest: nothing is sent twice." in stopped.stderr
    # Pressed while the server takes a message, it is said at once why the run goes on a while.
    waits = "Ctrl-C: stopping once the message to P02, which the server is taking now, is recorded"
    assert (waits in stopped.stderr) == (moment == "as the server takes one")
    assert len(read_send_log(packets)) == 2 and len(list(outbox.glob("*.eml"))) == 2
    monkeypatch.setattr(OutboxTransport, "send", real)
    rest = run(*args)
    assert rest.exit_code == 0, rest.output
    assert f"{len(active_pairs()) - 2} written, 2 already sent" in rest.stdout
    assert len(list(outbox.glob("*.eml"))) == len(active_pairs())  # none twice


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_as_the_server_takes_a_message_waits_until_it_is_recorded(
    packets, tmp_path, monkeypatch, name
):
    # A scheduler stopping the job (SIGTERM) or the terminal closed (SIGHUP) while the server
    # takes the second message: it killed send at once, the message gone but not recorded, so
    # the next run sent it again. It is held like Ctrl-C: recorded, then the run stops.
    import os
    import signal

    from mentordocs.send.transports import OutboxTransport

    number = getattr(signal, name)
    real = OutboxTransport.send
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        delivery = real(self, *args, **kwargs)
        if len(calls) == 2:
            os.kill(os.getpid(), number)
        return delivery

    monkeypatch.setattr(OutboxTransport, "send", interrupted)
    outbox = tmp_path / "outbox"
    args = (str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox))
    stopped = run(*args)
    assert stopped.exit_code == 128 + number
    assert f"Stopped ({name}). 2 messages went out before that, each recorded in" in stopped.stderr
    assert "Ctrl-C" not in stopped.stderr
    assert len(read_send_log(packets)) == 2 and len(list(outbox.glob("*.eml"))) == 2
    assert signal.getsignal(number) == signal.SIG_DFL  # put back as it was
    monkeypatch.setattr(OutboxTransport, "send", real)
    rest = run(*args)
    assert rest.exit_code == 0, rest.output
    assert len(list(outbox.glob("*.eml"))) == len(active_pairs())  # none twice


def test_a_hangup_signal_ignored_by_nohup_stays_ignored(packets, tmp_path, monkeypatch):
    # 'nohup mentordocs send ...': the terminal closing must not stop the run.
    import os
    import signal

    from mentordocs.send.transports import OutboxTransport

    real = OutboxTransport.send
    calls = []

    def hangup(self, *args, **kwargs):
        calls.append(1)
        delivery = real(self, *args, **kwargs)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGHUP)
        return delivery

    monkeypatch.setattr(OutboxTransport, "send", hangup)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup leaves it
    try:
        outbox = tmp_path / "outbox"
        done = run(str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(outbox))
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)
    assert done.exit_code == 0, done.output
    assert len(list(outbox.glob("*.eml"))) == len(active_pairs())


def test_a_column_of_your_own_holds_back_only_forms_that_show_it(tmp_path, monkeypatch):
    # A 'Coordinator notes' column typed in between generate and send: no form shows it, so
    # nothing is held back; a duration cell ([h]:mm, read as a timedelta) is no trouble. A
    # template of the coordinator's own that shows 'School' holds its pair back, naming it.
    import datetime as dt

    import openpyxl

    from mentordocs.generate.packets import generate_packets

    monkeypatch.chdir(tmp_path)
    roster_path = tmp_path / "roster.xlsx"
    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    pairs = book["Pairs"]
    notes, travel = pairs.max_column + 1, pairs.max_column + 2
    pairs.cell(1, notes, "Coordinator notes")
    pairs.cell(1, travel, "Travel time")
    pairs.cell(2, travel, dt.timedelta(hours=25, minutes=30)).number_format = "[h]:mm"
    book.save(roster_path)
    assert CliRunner().invoke(cli, ["generate", str(roster_path), "-o", "packets"]).exit_code == 0
    book = openpyxl.load_workbook(roster_path)
    book["Pairs"].cell(2, notes, "called the mentee on 3 Sep")
    book["Pairs"].cell(2, travel, dt.timedelta(hours=1)).number_format = "[h]:mm"
    book.save(roster_path)
    sent = run("packets", "--roster", str(roster_path), "--outbox", "outbox")
    assert sent.exit_code == 0, sent.output

    # A coordinator's own goal sheet that prints the pair's school, for P02 only.
    from test_templates import _edited_copy

    folder = _edited_copy(
        tmp_path,
        "goal-sheet",
        "<w:sectPr",
        "<w:p><w:r><w:t>School: {{ pair.extra.school }}</w:t></w:r></w:p><w:sectPr",
    )
    roster = load_roster(roster_path)
    made = generate_packets(
        roster, tmp_path / "packets", templates_dir=folder, pairs=["P02"], forms=["goal-sheet"]
    )
    assert made.written == ["P02/P02_goal-sheet.docx"]
    book = openpyxl.load_workbook(roster_path)
    for number in (3, 4):  # P02 and P03 move school
        book["Pairs"].cell(number, pairs_headers(book).index("School") + 1, "Lincoln High")
    book.save(roster_path)
    args = ("--roster", str(roster_path), "--outbox", "outbox", "--pair", "P02", "--pair", "P03")
    held = run("packets", *args, "--form", "goal-sheet", "--resend")
    assert held.exit_code == 1
    assert (
        "P02: not sent: its forms were made before roster.xlsx changed (the column 'school' "
        "(sheet 'Pairs', row 3))"
    ) in held.stderr
    assert "P03" not in held.stderr  # the shipped goal sheet does not show the school


def pairs_headers(book) -> list[str]:
    return [cell.value for cell in book["Pairs"][1]]


def test_ctrl_c_twice_while_a_message_goes_out_says_it_may_be_unrecorded(
    packets, tmp_path, monkeypatch
):
    import os
    import signal

    from mentordocs.send.transports import OutboxTransport

    real = OutboxTransport.send
    calls = []

    def pressed_twice(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # impatient: the second press stops at once
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OutboxTransport, "send", pressed_twice)
    args = (str(packets), "--roster", str(SAMPLE_ROSTER), "--outbox", str(tmp_path / "o"))
    stopped = run(*args)
    assert stopped.exit_code == 130
    assert "Stopped (Ctrl-C). 1 message went out before that" in stopped.stderr
    assert "The message to P02 was being handed to the server at that moment" in stopped.stderr
    assert "Ctrl-C: stopping once the message to P02" in stopped.stderr  # the first press
    assert "nothing is sent twice" not in stopped.stderr


def test_a_template_put_right_after_generate_holds_back_its_forms_until_made_again(
    tmp_path, monkeypatch
):
    # The coordinator generates from their own templates, sees a typo in the goal sheet,
    # corrects the template in Word and sends: every pair would get the goal sheet with the
    # typo. Held back, saying to generate again; then everything goes, corrected.
    from test_templates import _edit, _edited_copy

    monkeypatch.chdir(tmp_path)
    typo = "<w:p><w:r><w:t>Bring this sheet to your first meting.</w:t></w:r></w:p><w:sectPr"
    folder = _edited_copy(tmp_path, "goal-sheet", "<w:sectPr", typo)
    generate = ["generate", str(SAMPLE_ROSTER), "-o", "packets", "--templates", str(folder)]
    assert CliRunner().invoke(cli, generate).exit_code == 0
    _edit(folder / "goal-sheet.docx", "first meting.", "first meeting.")

    args = ("packets", "--roster", str(SAMPLE_ROSTER), "--outbox", "outbox")
    only_the_plan = run(*args, "--form", "action-plan", "--dry-run")  # its template is as it was
    assert only_the_plan.exit_code == 0, only_the_plan.output
    held = run(*args)
    assert held.exit_code == 1
    assert (
        f"{', '.join(active_pairs())}: not sent: its Goal sheet form was made before your "
        f"template in {folder} "
        f"changed, so the pair would get the form as it was. Run 'mentordocs generate "
        f"{SAMPLE_ROSTER} -o packets --templates {folder}' first, then send again"
    ) in " ".join(held.stderr.split())
    assert not list((tmp_path / "outbox").glob("*.eml"))

    again = CliRunner().invoke(cli, generate)
    assert again.exit_code == 0, again.output
    sent = run(*args)
    assert sent.exit_code == 0, sent.output
    emails = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(emails) == len(active_pairs())
    message = BytesParser(policy=policy.default).parsebytes(emails[0].read_bytes())
    sheet = next(part for part in message.iter_attachments() if "goal-sheet" in part.get_filename())
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(sheet.get_content())) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "first meeting." in body and "meting" not in body
