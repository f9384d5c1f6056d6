"""Reading returned forms straight from a mailbox: a real IMAP server (Dovecot) on 127.0.0.1.

Messages are real MIME messages delivered into the server's maildir; ``read_mailbox`` reads
them over IMAP the way ``collect`` will (signing in, EXAMINE, BODY.PEEK[]), and what comes out
is checked as ``find_returns`` checks files: each attachment a return, not a form, or a
problem. The server is then asked whether anything changed that should not have.
"""

from __future__ import annotations

import imaplib
import io
import itertools
import socket
import ssl
import zipfile
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from dovecot_support import Dovecot
from msg_support import Attachment, OutlookMessage, outlook_message
from test_collect import make_docx

from mentordocs.cli import cli
from mentordocs.collect.inputs import ContainerLimits
from mentordocs.collect.mailbox import (
    MailboxError,
    decode_folder_name,
    encode_folder_name,
    move_messages,
    read_mailbox,
)
from mentordocs.collect.reading import read_return
from mentordocs.mailsettings import MailboxAddress, parse_mailbox_url
from mentordocs.signin import Credentials
from mentordocs.tracking import read_tracking
from mentordocs.tracking.mailstate import MailboxState

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_folders = itertools.count(1)


# ---- servers and messages -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(dovecot):
    """One Dovecot with TLS (STARTTLS and imaps) and a Collected folder, for the module."""
    server = Dovecot(dovecot, tls=True, folders=("Collected",)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plain_server(dovecot):
    """One Dovecot without TLS, for the module."""
    server = Dovecot(dovecot).start()
    yield server
    server.stop()


def fresh_folder(server: Dovecot) -> str:
    """A folder of its own for one test (the server is shared by the module)."""
    return server.add_folder(f"Test {next(_folders)}")


def imaps(server: Dovecot, folder: str = "INBOX") -> MailboxAddress:
    return parse_mailbox_url(f"imaps://{server.user}@localhost:{server.imaps_port}/{folder}")


def login(server: Dovecot, password: str | None = None) -> Credentials:
    return Credentials(server.user, password=password or server.password)


def reply(
    sender: str,
    subject: str,
    attachments: dict[str, bytes] | None = None,
    *,
    message_id: str | None = None,
    forwarded: EmailMessage | None = None,
    date: str = "Tue, 06 Oct 2026 09:30:00 +0000",
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Someone <{sender}>"
    message["To"] = "coordinator@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    message.set_content("Here you are.")
    for name, data in (attachments or {}).items():
        types = {
            ".docx": DOCX,
            ".zip": "application/zip",
            ".msg": "application/vnd.ms-outlook",
            ".pdf": "application/pdf",
            ".odt": "application/vnd.oasis.opendocument.text",
            ".png": "image/png",
        }
        maintype, subtype = types.get(name[name.rfind(".") :], "application/octet-stream").split(
            "/"
        )
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if forwarded is not None:
        message.add_attachment(forwarded)
    return bytes(message)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def flags(server: Dovecot, folder: str, *, port: int | None = None) -> list[bytes]:
    """Each message's flags, read over a connection of the test's own."""
    context = ssl.create_default_context(cafile=str(server.cert_path)) if server.tls else None
    imap = (
        imaplib.IMAP4_SSL("localhost", server.imaps_port, ssl_context=context)
        if server.tls
        else imaplib.IMAP4("127.0.0.1", port or server.port)
    )
    try:
        imap.login(server.user, server.password)
        imap.select(f'"{encode_folder_name(folder)}"', readonly=True)
        _, data = imap.fetch("1:*", "(FLAGS)")
        return [item for item in data if item]
    finally:
        imap.logout()


class Recorder:
    """A Progress that records what it was told (and can act at a given step)."""

    def __init__(self, at: int | None = None, action=None):
        self.events: list[tuple] = []
        self.count = 0
        self.at, self.action = at, action

    def start(self, total: int, label: str) -> None:
        self.events.append(("start", total, label))

    def advance(self, steps: int = 1) -> None:
        self.count += steps
        if self.count == self.at and self.action is not None:
            self.action()

    def finish(self) -> None:
        self.events.append(("finish", self.count))


# ---- reading ------------------------------------------------------------------------------------


def test_every_kind_of_attachment_is_read_and_nothing_changes_on_the_server(tls_server):
    folder = fresh_folder(tls_server)
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "From the mailbox"})
    terms = make_docx("terms-of-engagement", "P02", {"mentor_sign_name": "Zipped"})
    plan = make_docx("action-plan", "P03", {"vision": "Forwarded"})
    conf = make_docx("confidentiality-agreement", "P01", {"mentor_sign_name": "Outlook"})
    inner = EmailMessage()
    inner["From"] = "mentor3@example.org"
    inner["Subject"] = "Fwd: plan"
    inner.set_content("see attached")
    inner.add_attachment(plan, maintype="application", subtype="octet-stream",
                         filename="P03_action-plan.docx")  # fmt: skip
    outlook = outlook_message(
        OutlookMessage("Re: packet", "mentor1@example.org", "Here",
                       [Attachment("P01_confidentiality-agreement.docx", conf, DOCX)])
    )  # fmt: skip
    twice = make_msgid(domain="example.org")
    deliveries = [
        reply("mentee1@example.org", "My goal sheet", {"P01_goal-sheet.docx": goal}, message_id=twice),
        reply("mentee1@example.org", "My goal sheet", {"P01_goal-sheet.docx": goal}, message_id=twice),
        reply("mentor2@example.org", "Terms > signed", {"forms.zip": zipped({"P02_terms.docx": terms})}),
        reply("coordinator@example.org", "Fwd: plan", forwarded=inner),
        reply("mentor1@example.org", "From Outlook", {"reply.msg": outlook}),
        reply("mentee2@example.org", "Other formats", {"P02.odt": odt(), "P02.pdf": b"%PDF-1.4\n%%EOF\n"}),
        reply("mentee3@example.org", "A picture", {"photo.png": b"\x89PNG\r\n\x1a\n"}),
        reply("mentee3@example.org", "Thanks!"),
    ]  # fmt: skip
    for message in deliveries:
        tls_server.deliver(message, folder)
    progress = Recorder()

    harvest = read_mailbox(
        imaps(tls_server, folder),
        login(tls_server),
        cafile=tls_server.cert_path,
        progress=progress,
    )

    assert harvest.complete and harvest.messages == 8
    assert (harvest.read, harvest.duplicates, harvest.already_read) == (7, 1, 0)
    found = harvest.inventory
    tail = {f.name.split(" > ")[-1]: f for f in found.returns}
    assert sorted(tail) == [
        "P01_confidentiality-agreement.docx",
        "P01_goal-sheet.docx",
        "P02.odt",
        "P02.pdf",
        "P02_terms.docx",
        "P03_action-plan.docx",
    ]
    goal_found = tail["P01_goal-sheet.docx"]
    assert goal_found.name == (
        f"coordinator/{folder} > message from mentee1@example.org, "
        f'{goal_found.file_time:%Y-%m-%d %H:%M:%S}, "My goal sheet" > P01_goal-sheet.docx'
    )
    assert goal_found.sender == "mentee1@example.org" and goal_found.came_in == "mailbox > email"
    assert goal_found.file_time is not None and goal_found.data == goal
    assert '"Terms - signed"' in tail["P02_terms.docx"].name  # no " > " inside a name
    assert tail["P02_terms.docx"].came_in == "mailbox > email > zip"
    assert tail["P03_action-plan.docx"].came_in == "mailbox > email > email"
    assert tail["P03_action-plan.docx"].sender == "mentor3@example.org"
    assert tail["P01_confidentiality-agreement.docx"].came_in == "mailbox > email > Outlook message"
    assert {tail[n].kind for n in ("P02.odt", "P02.pdf")} == {"odt", "pdf"}
    assert [n.split(" > ")[-1] for n in found.not_forms] == ["photo.png"]
    picture, nothing = found.problems  # a message with no form needs a look
    assert picture.message == (
        "is an email with no form attached (only photo.png), so there was no form to read."
    )
    assert '"A picture"' in picture.file and picture.severity == "warning"
    assert "nothing attached" in nothing.message and nothing.severity == "warning"
    assert '"Thanks!"' in nothing.file
    # every message with something to collect may be moved; those needing a look may not
    assert len(harvest.movable) == 6 and len(harvest.names) == 8  # the duplicate: its twin's name
    assert progress.events == [("start", 7, f"Reading coordinator/{folder}"), ("finish", 7)]

    readings = {
        name: read_return(f.data, f.name, f.kind) for name, f in tail.items() if f.kind == "docx"
    }
    assert {(r.pair_id, r.form) for r in readings.values()} == {
        ("P01", "goal-sheet"), ("P02", "terms-of-engagement"), ("P03", "action-plan"),
        ("P01", "confidentiality-agreement"),
    }  # fmt: skip

    # Nothing deleted, nothing marked read.
    seen = flags(tls_server, folder)
    assert len(seen) == 8 and not any(b"\\Seen" in item for item in seen)


def test_a_second_run_reads_only_new_mail(tls_server):
    folder = fresh_folder(tls_server)
    for n in range(3):
        tls_server.deliver(
            reply(f"m{n}@example.org", f"Form {n}", {"P01_goal-sheet.docx": make_docx()}), folder
        )
    address, password = imaps(tls_server, folder), login(tls_server)
    first = read_mailbox(address, password, cafile=tls_server.cert_path)
    assert first.read == 3
    for n in range(3, 5):
        tls_server.deliver(
            reply(f"m{n}@example.org", f"Form {n}", {"P01_goal-sheet.docx": make_docx()}), folder
        )

    saved = MailboxState.from_rows(first.state.rows())  # as the workbook keeps it
    second = read_mailbox(address, password, saved, cafile=tls_server.cert_path)

    assert (second.read, second.already_read, second.messages) == (2, 3, 5)
    assert sorted(f.sender for f in second.inventory.returns) == [
        "m3@example.org",
        "m4@example.org",
    ]
    assert saved.folders[address.key].uids == {1, 2, 3}  # the state given is not changed
    assert second.state.folders[address.key].uids == {1, 2, 3, 4, 5}
    third = read_mailbox(address, password, second.state, cafile=tls_server.cert_path)
    assert (third.read, third.inventory.returns, third.inventory.problems) == (0, [], [])


def test_starttls_and_a_folder_name_in_any_language(tls_server):
    folder = tls_server.add_folder("Réponses & formulaires")
    assert encode_folder_name(folder) == "R&AOk-ponses &- formulaires"
    assert decode_folder_name("R&AOk-ponses &- formulaires") == folder
    tls_server.deliver(reply("m@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}), folder)
    address = MailboxAddress("imap", tls_server.user, "localhost", tls_server.port, folder)

    harvest = read_mailbox(address, login(tls_server), cafile=tls_server.cert_path)

    assert harvest.read == 1 and len(harvest.inventory.returns) == 1
    last_login = [line for line in tls_server.log.splitlines() if "Login: user=" in line][-1]
    assert "method=PLAIN" in last_login and ", TLS, " in last_login  # STARTTLS, then the login


def test_a_message_too_big_is_not_fetched(tls_server):
    folder = fresh_folder(tls_server)
    tls_server.deliver(
        reply("m@example.org", "Huge", {"P01_goal-sheet.docx": b"x" * 200_000}), folder
    )
    harvest = read_mailbox(
        imaps(tls_server, folder), login(tls_server), cafile=tls_server.cert_path,
        max_message_bytes=100_000,
    )  # fmt: skip
    [problem] = harvest.inventory.problems
    assert "more than collect reads" in problem.message and "Save its attachments" in problem.fix
    assert harvest.read == 0 and harvest.state.folders  # looked at: not reported again


def test_a_rebuilt_folder_is_looked_at_again_but_nothing_is_read_twice(dovecot):
    with Dovecot(dovecot) as server:
        for n in range(2):
            server.deliver(reply(f"m{n}@example.org", "Form", {"P01_goal-sheet.docx": make_docx()}))
        server.deliver(reply("x@example.org", "No Message-ID", {"a.docx": make_docx()}).replace(
            b"Message-ID:", b"X-Old-ID:"))  # fmt: skip
        address = parse_mailbox_url(f"imap://{server.user}@127.0.0.1:{server.port}/INBOX")
        first = read_mailbox(address, login(server))
        assert first.read == 3
        server.kill()  # the folder is rebuilt: its index and UID list go, UIDVALIDITY changes
        for index in server.maildir.glob("dovecot*"):
            index.unlink()
        server.start()

        again = read_mailbox(address, login(server), first.state)

        assert again.uidvalidity != first.uidvalidity
        assert (again.already_read, again.duplicates, again.read) == (0, 2, 1)
        assert [f.sender for f in again.inventory.returns] == ["x@example.org"]


# ---- moving ---------------------------------------------------------------------------------------


def test_move_to_moves_the_messages_read_and_leaves_those_needing_a_look(tls_server):
    folder, target = fresh_folder(tls_server), fresh_folder(tls_server)
    tls_server.deliver(reply("a@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}), folder)
    tls_server.deliver(reply("b@example.org", "Thanks!"), folder)
    tls_server.deliver(reply("c@example.org", "Terms", {"P02_terms.docx": make_docx("terms-of-engagement", "P02")}), folder)  # fmt: skip
    address, password = imaps(tls_server, folder), login(tls_server)

    harvest = read_mailbox(address, password, move_to=target, cafile=tls_server.cert_path)
    moved = move_messages(
        address, password, harvest.movable, harvest.uidvalidity, target, cafile=tls_server.cert_path
    )

    assert (moved.moved, moved.copied) == (2, 0)
    assert len(tls_server.messages(folder)) == 1 and len(tls_server.messages(target)) == 2
    again = read_mailbox(address, password, harvest.state, cafile=tls_server.cert_path)
    assert again.read == 0 and again.already_read == 1
    there = read_mailbox(
        imaps(tls_server, target), password, harvest.state, cafile=tls_server.cert_path
    )
    assert (there.read, there.duplicates) == (0, 2)  # the same messages: not read again
    assert not any(b"\\Seen" in item for item in flags(tls_server, target))


@pytest.mark.parametrize(
    ("capability", "moved", "copied", "left"),
    [("IMAP4rev1 LITERAL+ UIDPLUS", 1, 0, 1), ("IMAP4rev1 LITERAL+", 0, 1, 2)],
    ids=["copy-and-uid-expunge", "copy-only"],
)
def test_without_move_only_the_messages_read_are_expunged(dovecot, capability, moved, copied, left):
    with Dovecot(dovecot, folders=("Collected",), capability=capability) as server:
        server.deliver(reply("a@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}))
        server.deliver(reply("b@example.org", "Deleted by the coordinator, not expunged"))
        address = parse_mailbox_url(f"imap://{server.user}@127.0.0.1:{server.port}/INBOX")
        imap = imaplib.IMAP4("127.0.0.1", server.port)
        imap.login(server.user, server.password)
        imap.select("INBOX")
        imap.uid("STORE", "2", "+FLAGS", r"(\Deleted)")
        imap.logout()

        harvest = read_mailbox(address, login(server), move_to="Collected")
        result = move_messages(
            address, login(server), harvest.movable, harvest.uidvalidity, "Collected"
        )

        assert harvest.movable == [1]
        assert (result.moved, result.copied) == (moved, copied)
        assert len(server.messages("INBOX")) == left  # the other \Deleted message stays
        assert len(server.messages("Collected")) == 1
        assert ("copied" in result.note) == bool(copied)


def test_move_to_a_missing_folder_stops_before_reading(tls_server):
    folder = fresh_folder(tls_server)
    tls_server.deliver(reply("a@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}), folder)
    with pytest.raises(MailboxError) as caught:
        read_mailbox(imaps(tls_server, folder), login(tls_server), move_to="Colected", cafile=tls_server.cert_path)  # fmt: skip
    message = str(caught.value)
    assert "'Colected' (the folder to move messages to) does not exist" in message
    assert "Collected" in message and "Nothing was read" in message


# ---- what goes wrong ----------------------------------------------------------------------------


def test_a_wrong_password_says_what_to_check(tls_server):
    with pytest.raises(MailboxError) as caught:
        read_mailbox(imaps(tls_server), login(tls_server, "wrong"), cafile=tls_server.cert_path)
    message = str(caught.value)
    assert message.startswith(
        f"The mail server localhost:{tls_server.imaps_port} refused the sign-in for coordinator ("
    )
    assert "MENTORDOCS_IMAP_PASSWORD" in message and "app password" in message
    assert "Nothing was read" in message


def test_a_missing_folder_lists_the_folders_there(tls_server):
    with pytest.raises(MailboxError) as caught:
        read_mailbox(imaps(tls_server, "Retruns"), login(tls_server), cafile=tls_server.cert_path)
    message = str(caught.value)
    assert (
        "The folder 'Retruns' (the folder to read) does not exist in coordinator's mailbox"
        in message
    )
    assert "The folders there are: INBOX, Collected" in message
    assert "Check the spelling" in message


def test_a_certificate_that_cannot_be_verified(tls_server):
    with pytest.raises(MailboxError) as caught:
        read_mailbox(imaps(tls_server), login(tls_server))  # the test's CA is not trusted
    assert "could not be verified" in str(caught.value)
    assert "--cafile FILE" in str(caught.value)


def test_a_refused_connection():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there
    address = parse_mailbox_url(f"imaps://me@127.0.0.1:{port}/INBOX")
    with pytest.raises(MailboxError) as caught:
        read_mailbox(address, Credentials("me", password="x"))
    assert f"The mail server 127.0.0.1:{port} refused the connection" in str(caught.value)
    assert "run the same command again" in str(caught.value)


def test_plain_imap_only_to_this_computer(plain_server, monkeypatch):
    plain_server.deliver(reply("a@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}))
    here = parse_mailbox_url(f"imap://{plain_server.user}@127.0.0.1:{plain_server.port}/INBOX")
    assert read_mailbox(here, login(plain_server)).read == 1  # loopback: no TLS needed

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # mail.example.org is this test's server
        return real("127.0.0.1" if host == "mail.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    before = plain_server.log.count("Login: user=")
    away = parse_mailbox_url(
        f"imap://{plain_server.user}@mail.example.org:{plain_server.port}/INBOX"
    )
    with pytest.raises(MailboxError) as caught:
        read_mailbox(away, login(plain_server))
    assert "does not offer STARTTLS" in str(caught.value) and "imaps://" in str(caught.value)
    assert plain_server.log.count("Login: user=") == before  # the password never went out


def test_the_server_going_away_keeps_what_was_read_and_the_next_run_goes_on(dovecot):
    with Dovecot(dovecot) as server:
        for n in range(1, 11):
            server.deliver(
                reply(f"m{n}@example.org", f"Form {n}", {"P01_goal-sheet.docx": make_docx()})
            )
        address = parse_mailbox_url(f"imap://{server.user}@127.0.0.1:{server.port}/INBOX")

        cut = read_mailbox(
            address, login(server), batch_messages=2, progress=Recorder(at=3, action=server.kill)
        )

        assert not cut.complete
        assert cut.stopped.startswith("The connection to the mail server 127.0.0.1:")
        assert "was lost while reading coordinator/INBOX" in cut.stopped
        assert "What was read is kept: run the same command again" in cut.stopped
        assert cut.read == 4  # the batch being read when the server went was already in hand
        server.start()
        rest = read_mailbox(address, login(server), cut.state)
        assert rest.complete and (rest.already_read, rest.read) == (4, 6)
        senders = [f.sender for f in cut.inventory.returns + rest.inventory.returns]
        assert sorted(senders) == sorted(f"m{n}@example.org" for n in range(1, 11))


def test_container_limits_apply_to_mailbox_messages(tls_server):
    folder = fresh_folder(tls_server)
    deep = make_docx()
    for level in range(3):
        deep = zipped({f"level{level}.zip" if level else "P01_goal-sheet.docx": deep})
    tls_server.deliver(reply("a@example.org", "Deep", {"deep.zip": deep}), folder)
    harvest = read_mailbox(
        imaps(tls_server, folder), login(tls_server), cafile=tls_server.cert_path,
        limits=ContainerLimits(max_depth=2),
    )  # fmt: skip
    [problem] = harvest.inventory.problems
    assert "nested" in problem.message and harvest.movable == []


def test_a_password_beyond_ascii_signs_in_with_authenticate_plain(dovecot):
    with Dovecot(dovecot, password="Grüße-ñ-密码") as server:
        server.deliver(reply("a@example.org", "Goal", {"P01_goal-sheet.docx": make_docx()}))
        address = parse_mailbox_url(f"imap://{server.user}@127.0.0.1:{server.port}/INBOX")
        assert read_mailbox(address, login(server)).read == 1
        assert "method=PLAIN" in server.log


# ---- the whole command, against the server ----------------------------------------------------


def test_collect_reads_a_mailbox_into_the_workbook_and_moves_what_it_used(
    tls_server, tmp_path, monkeypatch
):
    from test_collect import complete_values

    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    program = roster.program.name
    first, second = roster.pairs[0], roster.pairs[1]
    folder, target = fresh_folder(tls_server), fresh_folder(tls_server)
    goal = make_docx("goal-sheet", first.pair_id, complete_values("goal-sheet"), program=program)
    tls_server.deliver(reply(first.mentee.email, "Our goals", {"goals.docx": goal}), folder)
    tls_server.deliver(reply("x@example.org", "Out of office"), folder)
    url = f"imaps://{tls_server.user}@localhost:{tls_server.imaps_port}/{folder}"
    monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", tls_server.password)
    tracking = tmp_path / "t.xlsx"
    args = ["collect", url, "-o", str(tracking), "--roster", str(SAMPLE_ROSTER), "-q",
            "--cafile", str(tls_server.cert_path), "--move-to", target]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Mail: 2 new message(s) read, 1 moved." in result.output
    [ret] = read_tracking(tracking).returns
    assert (ret.pair_id, ret.form) == (first.pair_id, "goal-sheet")
    assert ret.came_in == "docx, in mailbox > email"
    # The message with the form went to the target; the other stays, still unread.
    assert len(tls_server.messages(folder)) == 1 and len(tls_server.messages(target)) == 1
    assert not any(b"\\Seen" in item for item in flags(tls_server, folder))

    # New mail: the next run reads only it; the workbook keeps what it had.
    terms = make_docx(
        "terms-of-engagement", second.pair_id, {"mentor_sign_name": "M"}, program=program
    )
    tls_server.deliver(reply(second.mentor.email, "Terms", {"terms.docx": terms}), folder)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Mail: 1 new message(s) read" in result.output
    forms = sorted((r.pair_id, r.form) for r in read_tracking(tracking).returns)
    assert forms == [(first.pair_id, "goal-sheet"), (second.pair_id, "terms-of-engagement")]


def test_files_and_a_mailbox_in_one_command(tls_server, tmp_path, monkeypatch):
    from test_collect import complete_values, write

    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    program = roster.program.name
    first, second = roster.pairs[0], roster.pairs[1]
    folder = fresh_folder(tls_server)
    goal = make_docx("goal-sheet", first.pair_id, complete_values("goal-sheet"), program=program)
    tls_server.deliver(reply(first.mentee.email, "Our goals", {"goals.docx": goal}), folder)
    saved = tmp_path / "saved"
    terms = make_docx(
        "terms-of-engagement", second.pair_id, {"mentor_sign_name": "M"}, program=program
    )
    write(saved / f"{second.pair_id}_terms.docx", terms)
    url = f"imaps://{tls_server.user}@localhost:{tls_server.imaps_port}/{folder}"
    monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", tls_server.password)
    tracking = tmp_path / "t.xlsx"
    args = ["collect", str(saved), url, "-o", str(tracking), "--roster", str(SAMPLE_ROSTER),
            "-q", "--cafile", str(tls_server.cert_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Mail: 1 new message(s) read" in result.output
    came_in = {(r.pair_id, r.form): r.came_in for r in read_tracking(tracking).returns}
    assert came_in == {
        (first.pair_id, "goal-sheet"): "docx, in mailbox > email",
        (second.pair_id, "terms-of-engagement"): "docx",
    }


def test_with_no_inputs_the_mailbox_and_move_folder_come_from_the_roster(
    tls_server, tmp_path, monkeypatch
):
    import openpyxl
    from test_collect import complete_values

    from mentordocs.roster import load_roster

    folder, target = fresh_folder(tls_server), fresh_folder(tls_server)
    book = openpyxl.load_workbook(SAMPLE_ROSTER)
    settings = {row[0].value: row[1] for row in book["Program"].iter_rows() if row[0].value}
    settings["Mail user"].value = tls_server.user
    settings["Mailbox to collect"].value = f"imaps://localhost:{tls_server.imaps_port}/{folder}"
    settings["Move collected mail to"].value = target
    roster_path = tmp_path / "roster.xlsx"
    book.save(roster_path)
    roster = load_roster(roster_path)
    first = roster.pairs[0]
    goal = make_docx(
        "goal-sheet", first.pair_id, complete_values("goal-sheet"), program=roster.program.name
    )
    tls_server.deliver(reply(first.mentee.email, "Our goals", {"goals.docx": goal}), folder)
    monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", tls_server.password)
    tracking = tmp_path / "t.xlsx"
    args = ["collect", "-o", str(tracking), "--roster", str(roster_path), "-q",
            "--cafile", str(tls_server.cert_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Mail: 1 new message(s) read, 1 moved." in result.output
    [ret] = read_tracking(tracking).returns
    assert (ret.pair_id, ret.form, ret.came_in) == (
        first.pair_id,
        "goal-sheet",
        "docx, in mailbox > email",
    )
    assert not tls_server.messages(folder) and len(tls_server.messages(target)) == 1


def test_move_to_without_a_mailbox_is_refused(tmp_path):
    args = ["collect", str(tmp_path), "-o", str(tmp_path / "t.xlsx"), "--roster",
            str(SAMPLE_ROSTER), "--move-to", "Collected"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "no mailbox is being read" in result.output and not (tmp_path / "t.xlsx").exists()


def test_a_mailbox_with_sign_in_none_is_refused_before_anything_is_read(tmp_path):
    args = ["collect", "imaps://coordinator@mail.example.org/INBOX", "-o",
            str(tmp_path / "t.xlsx"), "--roster", str(SAMPLE_ROSTER), "--sign-in", "none"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "always needs a sign-in" in result.output and "Program sheet" in result.output
    assert not (tmp_path / "t.xlsx").exists()


def test_a_copy_set_aside_from_the_mailbox_comes_back_as_its_warning_says(
    tls_server, tmp_path, monkeypatch
):
    # Ana sends her terms, then a corrected copy 40 seconds later, as replies to one email
    # (same subject, same file name). The two messages are told apart (to the second), one row
    # is added, and the one set aside can be brought back the way its warning says: a message
    # is read only once, so from a file saved from it.
    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0]
    folder = fresh_folder(tls_server)
    program = roster.program.name
    first = make_docx("terms-of-engagement", pair.pair_id, {"mentor_sign_name": "FIRST"},
                      program=program, modified="2026-09-14T10:00:00Z")  # fmt: skip
    second = make_docx("terms-of-engagement", pair.pair_id, {"mentor_sign_name": "SECOND"},
                       program=program, modified="2026-09-14T10:00:40Z")  # fmt: skip
    for data, second_of_minute in ((first, "00"), (second, "40")):
        date = f"Mon, 14 Sep 2026 10:00:{second_of_minute} +0000"
        tls_server.deliver(
            reply(pair.mentor.email, "Re: Your mentoring packet", {"terms.docx": data}, date=date),
            folder,
        )
    url = f"imaps://{tls_server.user}@localhost:{tls_server.imaps_port}/{folder}"
    monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", tls_server.password)
    tracking = tmp_path / "t.xlsx"
    args = ["collect", url, "-o", str(tracking), "--roster", str(SAMPLE_ROSTER), "-q",
            "--cafile", str(tls_server.cert_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 new return(s)" in result.output  # one row, not two
    data = read_tracking(tracking)
    [kept] = data.returns
    assert kept.values["mentor_sign_name"] == "SECOND"
    [aside] = [p for p in data.problems if "older return" in p.message]
    assert aside.file != kept.source and ":00, " in aside.file and ":40, " in kept.source
    assert aside.fix.endswith(
        f"If this one is: delete pair {pair.pair_id}'s row on the sheet 'Terms of engagement', "
        "save, and collect again, giving this form saved from that message as a file (a message "
        "is read from the mailbox only once)."
    )

    # The coordinator wants the first copy: row deleted, the attachment saved as a file.
    import openpyxl

    book = openpyxl.load_workbook(tracking)
    book["Terms of engagement"].delete_rows(2)
    book.save(tracking)
    saved = tmp_path / "terms from Ana.docx"
    saved.write_bytes(first)
    result = CliRunner().invoke(cli, [*args, str(saved)])
    assert result.exit_code == 0, result.output
    data = read_tracking(tracking)
    [back] = data.returns
    assert back.values["mentor_sign_name"] == "FIRST"
    assert not [p for p in data.problems if "older return" in p.message]  # said of it: past


def collect_and_move(server, tmp_path, monkeypatch):
    "``collect`` of the server's INBOX into t.xlsx, moving what it used to 'Collected'."
    monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", server.password)
    url = f"imap://{server.user}@127.0.0.1:{server.port}/INBOX"
    tracking = tmp_path / "t.xlsx"
    args = ["collect", url, "-o", str(tracking), "--roster", str(SAMPLE_ROSTER), "-q",
            "--move-to", "Collected"]  # fmt: skip
    return CliRunner().invoke(cli, args), tracking


def test_a_move_that_fails_after_the_workbook_is_saved_says_what_was_read_and_what_to_do(
    dovecot, tmp_path, monkeypatch
):
    # The server goes away between reading and moving: the summary is still printed, the
    # failed move says to move them by hand (running again would not), and the exit code says
    # something needs doing. A second delivery of a message is counted, not left unsaid.
    import mentordocs.collect.harvest as harvest
    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    first, second = roster.pairs[0], roster.pairs[1]
    program = roster.program.name
    with Dovecot(dovecot) as server:
        server.add_folder("Collected")
        twice = make_msgid(domain="example.org")
        goal = make_docx("goal-sheet", first.pair_id, {"goal_1_goal": "Kept"}, program=program)
        for _ in range(2):
            server.deliver(reply(first.mentee.email, "Goals", {"g.docx": goal}, message_id=twice))
        terms = make_docx(
            "terms-of-engagement", second.pair_id, {"mentor_sign_name": "T"}, program=program
        )
        server.deliver(reply(second.mentor.email, "Terms", {"t.docx": terms}))
        real_move = harvest.move_messages

        def server_gone(*args, **kwargs):
            server.kill()
            return real_move(*args, **kwargs)

        monkeypatch.setattr(harvest, "move_messages", server_gone)
        result, tracking = collect_and_move(server, tmp_path, monkeypatch)
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "2 new return(s)" in said
    assert (
        "Mail: 2 new message(s) read (and 1 second copy(ies) of a message read, passed over). "
        "The messages read from coordinator/INBOX could not all be moved to 'Collected'"
    ) in said
    assert (
        "The workbook is saved with what they held; the messages not moved stay where they are "
        "and are not read again: move them in your mail program."
    ) in said
    assert "Files: 2 read as forms" in said
    assert len(read_tracking(tracking).returns) == 2


@pytest.mark.parametrize("moment", ["while reading", "while moving"])
def test_ctrl_c_says_whether_the_workbook_was_saved_and_what_is_left_to_do(
    dovecot, tmp_path, monkeypatch, moment
):
    # Ctrl-C printed only "Aborted!": nothing said whether the workbook held the returns or
    # that emails read were left unmoved for good (they are not read again).
    import os
    import signal

    import mentordocs.collect.harvest as harvest
    from mentordocs.roster import load_roster

    roster = load_roster(SAMPLE_ROSTER)
    pair = roster.pairs[0]
    with Dovecot(dovecot) as server:
        server.add_folder("Collected")
        goal = make_docx(
            "goal-sheet", pair.pair_id, {"goal_1_goal": "Kept"}, program=roster.program.name
        )
        server.deliver(reply(pair.mentee.email, "Goals", {"g.docx": goal}))
        patched = "move_messages" if moment == "while moving" else "write_tracking"
        real = getattr(harvest, patched)

        def ctrl_c(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGINT)  # as the terminal sends it
            return real(*args, **kwargs)

        monkeypatch.setattr(harvest, patched, ctrl_c)
        result, tracking = collect_and_move(server, tmp_path, monkeypatch)
        still = len(server.messages("INBOX"))
    assert result.exit_code == 130, result.output
    said = " ".join(result.output.split())
    if moment == "while moving":
        assert (
            f"Stopped (Ctrl-C) after {tracking} was saved: every return read is in it, but some "
            "of the emails read may not have been moved to 'Collected' yet. They will not be "
            "read again; move the ones still in the mailbox's folder by hand."
        ) in said
        assert len(read_tracking(tracking).returns) == 1
    else:
        assert (
            f"Stopped (Ctrl-C). Nothing was written: {tracking} is as it was and no email was "
            "moved. Run the same command again to collect."
        ) in said
        assert not tracking.exists()
    assert "Traceback" not in result.output
    assert still == 1  # not moved: neither stopped run got to it


def test_a_connection_lost_on_an_earlier_run_is_not_listed_once_everything_is_read(
    dovecot, tmp_path
):
    from test_collect import make_roster

    from mentordocs.collect import collect_forms
    from mentordocs.collect.harvest import MailboxInput

    with Dovecot(dovecot) as server:
        for n in range(1, 31):  # more than one batch of messages fetched at a time
            form = make_docx("goal-sheet", f"P{n:02d}", {"goal_1_goal": f"Goal {n}"})
            server.deliver(reply(f"m{n}@example.org", f"Form {n}", {"g.docx": form}))
        url = f"imap://{server.user}@127.0.0.1:{server.port}/INBOX"
        mailbox = MailboxInput(parse_mailbox_url(url), login(server))
        roster, tracking = make_roster(tmp_path, pairs=30), tmp_path / "t.xlsx"
        cut = collect_forms(
            [], tracking, roster, mailboxes=[mailbox], progress=Recorder(at=1, action=server.kill)
        )
        lost = [p for p in cut.problems if p.file == "coordinator/INBOX"]
        assert lost and "was lost" in lost[0].message
        server.start()
        rest = collect_forms([], tracking, roster, mailboxes=[mailbox])
        assert rest.messages > 0 and rest.still_listed == 0 and not rest.problems
        assert len(read_tracking(tracking).returns) == 30
        assert not [p for p in read_tracking(tracking).problems if p.file == "coordinator/INBOX"]
