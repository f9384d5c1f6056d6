"""Every file given to collect is accounted for: read as a form, named as not a form, or a
problem with what to do; containers (zip, .eml, Outlook .msg) are opened within limits."""

from __future__ import annotations

import base64
import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from msg_support import Attachment, OutlookMessage, outlook_message
from test_collect import make_docx, make_roster, sheet_rows, write

from mentordocs.cli import cli
from mentordocs.collect import ContainerLimits, collect_forms, find_returns

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def zipped(members: dict[str, bytes], password_flag: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    if password_flag:  # mark every member encrypted (zipfile then asks for a password)
        data = data.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00")
        data = data.replace(
            b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00"
        )
    return data


def email_with(attachments: dict[str, bytes], *, forwarded: EmailMessage | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Mentee Two <mentee2@example.org>"
    message["To"] = "coord@example.org"
    message["Subject"] = "Our forms"
    message["Date"] = "Tue, 06 Oct 2026 09:30:00 +0000"
    message.set_content("Attached.")
    for name, data in attachments.items():
        maintype, subtype = ("application", "octet-stream")
        if name.endswith(".docx"):
            maintype, subtype = DOCX.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if forwarded is not None:
        message.add_attachment(forwarded)
    return bytes(message)


def test_every_kind_of_file_and_container_is_accounted_for(tmp_path):
    folder = tmp_path / "returned"
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "In a zip"})
    terms = make_docx("terms-of-engagement", "P02", {"mentor_sign_name": "In an email"})
    conf = make_docx("confidentiality-agreement", "P03", {"mentor_sign_name": "In Outlook"})
    action = make_docx("action-plan", "P01", {"vision": "Forwarded, zipped"})
    inner = EmailMessage()
    inner["Subject"] = "Fwd: plan"
    inner.set_content("see attached")
    inner.add_attachment(zipped({"plan/P01_action-plan.docx": action}), maintype="application",
                         subtype="zip", filename="plan.zip")  # fmt: skip
    write(folder / "a" / "b" / "forms.zip", zipped({"P01_goal-sheet.docx": goal, "logo.png": b"x"}))
    write(
        folder / "reply.eml",
        email_with({"P02_terms.docx": terms, "sig.jpg": b"x"}, forwarded=inner),
    )
    msg = OutlookMessage(
        "Re: packet", "mentor3@example.org", "Here",
        [Attachment("P03_confidentiality-agreement.docx", conf, DOCX), Attachment("image001.png", b"p")],
    )  # fmt: skip
    write(folder / "outlook.msg", outlook_message(msg))
    write(folder / "notes.txt", b"call Ann")
    write(folder / "old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600)
    write(folder / ".DS_Store", b"\0\0")
    write(folder / "~$reply.docx", b"lock")

    found = find_returns([folder])
    names = sorted(f.name.split(str(folder) + "/")[-1] for f in found.returns)
    assert names == [
        "a/b/forms.zip > P01_goal-sheet.docx",
        "outlook.msg > P03_confidentiality-agreement.docx",
        "reply.eml > Fwd: plan > plan.zip > plan/P01_action-plan.docx",
        "reply.eml > P02_terms.docx",
    ]
    came_in = {f.name.rsplit(" > ", 1)[-1]: f.came_in for f in found.returns}
    assert came_in["plan/P01_action-plan.docx"] == "email > email > zip"
    assert came_in["P03_confidentiality-agreement.docx"] == "Outlook message"
    senders = {f.sender for f in found.returns if f.came_in != "zip"}
    assert senders == {"mentee2@example.org", "mentor3@example.org"}
    not_forms = sorted(Path(n.rsplit(" > ", 1)[-1]).name for n in found.not_forms)
    assert not_forms == ["image001.png", "logo.png", "notes.txt", "sig.jpg"]
    [old] = found.problems
    assert old.file.endswith("old.doc") and "Word 97-2003" in old.message and "Download" in old.fix
    assert found.passed_over == 2  # .DS_Store and the lock file

    roster = make_roster(tmp_path)
    result = collect_forms([folder], tmp_path / "t.xlsx", roster)
    assert result.new == 4 and result.unreadable == 1
    goal_row = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")[0]
    assert goal_row["Goal 1"] == "In a zip" and goal_row["Came in as"] == "docx, in zip"
    [conf_row] = sheet_rows(tmp_path / "t.xlsx", "Confidentiality agreement")
    assert conf_row["Came in as"] == "docx, in Outlook message"
    [plan] = sheet_rows(tmp_path / "t.xlsx", "Mentoring action plan")
    assert plan["Came in as"] == "docx, in email > email > zip"


def test_containers_are_opened_within_limits(tmp_path):
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "x"})
    bomb = zipped({"big.docx": b"\0" * (3 * 1024 * 1024)})
    deep = goal
    for level in range(7):
        deep = zipped({f"level{level}.zip" if level else "P01_goal-sheet.docx": deep})
    write(tmp_path / "bomb.zip", bomb)
    write(tmp_path / "deep.zip", deep)
    write(tmp_path / "locked.zip", zipped({"P01_goal-sheet.docx": goal}, password_flag=True))
    write(tmp_path / "many.zip", zipped({f"f{n}.txt": b"x" for n in range(30)}))
    found = find_returns(sorted(tmp_path.glob("*.zip")), ContainerLimits(max_members=20))
    problems = {Path(p.file.split(" > ")[0]).name: p for p in found.problems}
    assert "zip bomb" in problems["bomb.zip"].message
    assert "nested" in problems["deep.zip"].message
    assert "password" in problems["locked.zip"].message
    assert "30 files" in problems["many.zip"].message
    assert not found.returns and all(p.fix for p in found.problems)


def test_unknown_names_are_recognised_by_their_content(tmp_path):
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "renamed"})
    write(tmp_path / "attachment", goal)  # no extension at all
    write(tmp_path / "scan.bin", b"%PDF-1.7 ...")
    write(tmp_path / "data.dat", b"\x00\x01binary")
    found = find_returns([tmp_path])
    kinds = {Path(f.name).name: f.kind for f in found.returns}
    assert kinds == {"attachment": "docx", "scan.bin": "pdf"}
    assert [Path(n).name for n in found.not_forms] == ["data.dat"]


def test_cli_summary_counts_every_file_and_exits_1_for_an_unreadable_return(
    tmp_path, sample_roster
):
    from mentordocs.roster import load_roster

    roster = load_roster(sample_roster)
    pair = roster.pairs[0].pair_id
    folder = tmp_path / "in"
    good = make_docx("goal-sheet", pair, {"goal_1_goal": "fine"}, program=roster.program.name)
    write(folder / "ok.zip", zipped({f"{pair}_goal-sheet.docx": good, "photo.jpg": b"x"}))
    runner = CliRunner()
    args = ["collect", str(folder), "-o", str(tmp_path / "t.xlsx"), "--roster", str(sample_roster)]
    result = runner.invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output
    assert "1 file(s) are not forms: photo.jpg." in result.output
    assert result.output.splitlines()[-1] == (
        "Files: 1 read as forms, 1 not forms, 0 needing attention."
    )
    write(folder / "broken.docx", good[:200])
    result = runner.invoke(cli, [*args, "-q"])
    assert result.exit_code == 1
    assert "could not be read" in result.output.splitlines()[-1]
    csv = runner.invoke(cli, ["collect", str(folder), "-o", str(tmp_path / "t.csv"),
                              "--roster", str(sample_roster)])  # fmt: skip
    assert csv.exit_code == 2 and "does not end in .xlsx" in csv.output


def test_a_form_without_identity_is_matched_by_its_senders_address(tmp_path):
    roster = make_roster(tmp_path)
    roster.pairs[1].mentee.email = "mentee2@example.org"
    anonymous = make_docx("goal-sheet", "P02", {"goal_1_goal": "by mail"}, properties=False)
    write(tmp_path / "in" / "reply.eml", email_with({"goal-sheet.docx": anonymous}))
    result = collect_forms([tmp_path / "in"], tmp_path / "t.xlsx", roster)
    assert result.new == 1
    [row] = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")
    assert row["Pair"] == "P02" and row["Goal 1"] == "by mail"
    [note] = [p for p in result.problems if "sent it" in p.message]
    assert note.severity == "warning" and "mentee2@example.org" in note.message
    assert "save the attachment as a file named with that pair's id" in note.fix


def forwarded_chain(levels: int, attachments: dict[str, bytes]) -> bytes:
    """An email forwarding an email forwarding ... ``levels`` deep; the innermost carries
    ``attachments``. Written as text, so that building it needs no recursion."""
    raw = email_with(attachments)
    for level in range(levels):
        head = (
            f"From: mentee2@example.org\r\nSubject: Fwd {level}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'
            "Content-Type: message/rfc822\r\n\r\n"
        )
        raw = head.encode() + raw + f"\r\n--b{level}--\r\n".encode()
    return raw


def test_forwarded_and_embedded_messages_are_opened_within_the_nesting_limit(tmp_path):
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "x"})
    write(tmp_path / "shallow.eml", forwarded_chain(3, {"P01_goal-sheet.docx": goal}))
    write(tmp_path / "deep.eml", forwarded_chain(9, {"P01_goal-sheet.docx": goal}))
    message = OutlookMessage("inner", "mentee2@example.org", attachments=[])
    message.attachments.append(Attachment("P01_goal-sheet.docx", goal))
    for level in range(9):
        message = OutlookMessage(
            f"level {level}", "mentee2@example.org", attachments=[Attachment(message=message)]
        )
    write(tmp_path / "deep.msg", outlook_message(message))
    found = find_returns(sorted(tmp_path.iterdir()))
    assert [r.name.split(" > ")[0] for r in found.returns] == [str(tmp_path / "shallow.eml")]
    deep = {Path(p.file.split(" > ")[0]).name: p for p in found.problems}
    assert set(deep) == {"deep.eml", "deep.msg"}
    assert all("nested 5 levels deep" in p.message and p.fix for p in deep.values())


def test_an_email_nested_hundreds_deep_is_a_problem_not_a_crash(tmp_path):
    folder = tmp_path / "in"
    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "never reached"})
    write(folder / "abyss.eml", forwarded_chain(2000, {"P01_goal-sheet.docx": goal}))
    write(folder / "P02_goal-sheet.docx", make_docx("goal-sheet", "P02", {"goal_1_goal": "fine"}))
    result = collect_forms([folder], tmp_path / "t.xlsx", make_roster(tmp_path))
    [problem] = [p for p in result.problems if "abyss.eml" in p.file]
    assert "nested hundreds of levels deep" in problem.message and problem.fix
    assert [row["Goal 1"] for row in sheet_rows(tmp_path / "t.xlsx", "Goal sheet")] == ["fine"]


REAL_MSG = Path(__file__).parent / "fixtures" / "real-msg"  # saved by Outlook: see its README


def test_messages_saved_by_outlook_are_opened_attachment_by_attachment():
    def found_in(name: str):
        return find_returns([REAL_MSG / f"MSGReader__{name}.msg"])

    pictures = found_in("EmailWithAttachments")
    assert [n.rsplit(" > ", 1)[1] for n in pictures.not_forms] == ["peterpan.jpg", "tinkerbell.jpg"]
    assert not pictures.returns and not pictures.problems

    nested = found_in("EmailWithInnerMailAndAttachments")
    assert [(r.name.split(" > ", 1)[1], r.kind, r.came_in) for r in nested.returns] == [
        ("OUTER 1.pdf", "pdf", "Outlook message"),
        ("OUTER 2.pdf", "pdf", "Outlook message"),
        ("Inner mail > INNER 1.pdf", "pdf", "Outlook message > Outlook message"),
        ("Inner mail > INNER 2.pdf", "pdf", "Outlook message > Outlook message"),
    ]
    assert all(r.data and r.data.startswith(b"%PDF") for r in nested.returns)

    # an attached message with nothing attached: named, so that the coordinator can look
    empty = found_in("EmailWithMsgAttachment")
    [warning] = empty.problems
    assert warning.file.endswith("EmailWithMsgAttachment.msg > Msg Attachment Test")
    assert "nothing attached" in warning.message and warning.severity == "warning"


def test_an_empty_zip_an_unnamed_attachment_and_a_workbook_are_each_accounted_for(tmp_path):
    goal = make_docx("goal-sheet", "P02", {"goal_1_goal": "x"})
    write(tmp_path / "empty.zip", zipped({}))
    message = EmailMessage()
    message["From"] = "mentee2@example.org"
    message["Subject"] = "My form"
    message.set_content("Here it is.")
    message.add_attachment(goal, maintype="application", subtype="octet-stream")  # no file name
    write(tmp_path / "unnamed.eml", bytes(message))
    book = openpyxl.Workbook()
    book.save(tmp_path / "tracking.xlsx.bak")  # a workbook under a name that says nothing
    found = find_returns(sorted(tmp_path.iterdir()))
    [form] = found.returns
    assert (
        form.name == f"{tmp_path / 'unnamed.eml'} > unnamed attachment (application octet-stream)"
    )
    assert form.kind == "docx"
    assert found.not_forms == [str(tmp_path / "tracking.xlsx.bak")]
    [empty] = found.problems
    assert empty.file == str(tmp_path / "empty.zip") and "empty zip archive" in empty.message


def test_a_form_under_the_wrong_extension_is_read_as_what_it_is(tmp_path):
    folder = tmp_path / "in"
    write(folder / "P01_goal-sheet.pdf", make_docx("goal-sheet", "P01", {"goal_1_goal": "Word"}))
    write(folder / "P02_goal-sheet.docx", b"%PDF-1.7\n% a PDF saved under a Word name\n")
    found = find_returns([folder])
    assert sorted((Path(r.name).name, r.kind) for r in found.returns) == [
        ("P01_goal-sheet.pdf", "docx"),
        ("P02_goal-sheet.docx", "pdf"),
    ]
    collect_forms([folder / "P01_goal-sheet.pdf"], tmp_path / "t.xlsx", make_roster(tmp_path))
    [row] = sheet_rows(tmp_path / "t.xlsx", "Goal sheet")
    assert row["Goal 1"] == "Word"


def test_a_picture_shown_in_an_email_is_not_taken_for_an_attachment(tmp_path):
    message = EmailMessage()
    message["From"] = "mentee2@example.org"
    message["Subject"] = "Thanks!"
    message.set_content("See you Tuesday.")
    message.add_alternative('<p>See you Tuesday.</p><img src="cid:logo">', subtype="html")
    picture = EmailMessage()
    picture.set_content(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", disposition="inline")
    picture["Content-ID"] = "<logo>"
    message.make_mixed()
    message.attach(picture)
    write(tmp_path / "thanks.eml", bytes(message))
    found = find_returns([tmp_path / "thanks.eml"])
    assert not found.returns and not found.not_forms
    [warning] = found.problems
    assert "nothing attached" in warning.message


def test_nothing_in_a_folder_is_left_out_without_a_word(tmp_path, monkeypatch):
    """A Mac's iCloud placeholder (the form not downloaded), a shortcut to a file that is gone
    and a subfolder that cannot be opened are each named, with what to do; a link back up the
    folder tree is not followed round and round."""
    import os

    folder = tmp_path / "returned"
    good = write(folder / "P01_goal-sheet.docx", make_docx("goal-sheet", "P01", {}))
    (folder / ".P02_goal-sheet.docx.icloud").write_bytes(b"bplist00")
    (folder / "P03_goal-sheet.docx").symlink_to(tmp_path / "gone.docx")
    write(folder / "locked" / "P04_goal-sheet.docx", make_docx("goal-sheet", "P04", {}))
    (folder / "again").symlink_to(folder, target_is_directory=True)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = find_returns([folder])
    assert [f.path for f in found.returns] == [good]
    said = {Path(p.file).name: p for p in found.problems}
    assert set(said) == {"P02_goal-sheet.docx", "P03_goal-sheet.docx", "locked"}
    assert "in iCloud but not downloaded" in said["P02_goal-sheet.docx"].message
    assert "Download Now" in said["P02_goal-sheet.docx"].fix
    assert "shortcut to a file that no longer exists" in said["P03_goal-sheet.docx"].message
    assert "could not be opened (Permission denied)" in said["locked"].message
    assert found.passed_over == 0


def _reply(sender: str, subject: str, date: str, attachments: dict[str, bytes]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    message["Date"] = date
    message.set_content("Attached.")
    for name, data in attachments.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message


def test_every_message_of_a_mail_folder_saved_as_one_file_is_read(tmp_path):
    # Thunderbird keeps a folder as one file without an ending ("Inbox"); Gmail's and Apple
    # Mail's exports are .mbox files. Each holds many messages: every one is read.
    import mailbox

    forms = {
        pair: make_docx("terms-of-engagement", pair, {"mentor_sign_name": f"From {pair}"})
        for pair in ("P01", "P02", "P03")
    }
    export, thunderbird = tmp_path / "Mentoring returns.mbox", tmp_path / "Inbox"
    for path, pairs in ((export, ("P01", "P02")), (thunderbird, ("P03",))):
        box = mailbox.mbox(path)
        for number, pair in enumerate(pairs, start=1):
            date = f"Mon, 14 Sep 2026 10:0{number}:30 +0000"
            box.add(_reply(f"{pair.lower()}@example.org", f"Terms {pair}", date,
                           {f"{pair}_terms.docx": forms[pair]}))  # fmt: skip
        box.add(_reply("someone@example.org", "Lunch?", "Mon, 14 Sep 2026 12:00:00 +0000", {}))
        box.close()
    found = find_returns([export, thunderbird])
    assert sorted(f.name.rsplit(" > ", 1)[-1] for f in found.returns) == [
        "P01_terms.docx", "P02_terms.docx", "P03_terms.docx",
    ]  # fmt: skip
    first = next(f for f in found.returns if f.name.endswith("P01_terms.docx"))
    sent = first.file_time
    assert sent is not None
    assert first.name == (
        f'{export} > message from p01@example.org, {sent:%Y-%m-%d %H:%M:%S}, "Terms P01" > '
        "P01_terms.docx"
    )
    assert first.came_in == "mail folder > email" and first.sender == "p01@example.org"
    assert (
        sorted(p.message for p in found.problems)
        == ["is an email with nothing attached, so there was no form to read."] * 2
    )  # the two lunch invitations, one in each file
    roster = make_roster(tmp_path)
    result = collect_forms([export, thunderbird], tmp_path / "t.xlsx", roster)
    assert result.new == 3
    rows = sheet_rows(tmp_path / "t.xlsx", "Terms of engagement")
    assert sorted(r["Mentor's name (typed signature)"] for r in rows) == [
        "From P01", "From P02", "From P03",
    ]  # fmt: skip


def test_an_attachment_without_a_name_is_read_beside_a_picture(tmp_path):
    # Some mail programs attach a file with neither a name nor "attachment": only its type.
    # Beside a logo shown in the message, it was taken for part of the message's text.
    goal = make_docx("goal-sheet", "P02", {"goal_1_goal": "Nameless"})
    message = EmailMessage()
    message["From"] = "mentee2@example.org"
    message["Subject"] = "Goals"
    message.set_content("Here.")
    message.add_related(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<logo>")
    message.make_mixed()
    part = EmailMessage()
    part.set_content(goal, maintype="application", subtype=DOCX.split("/")[1])
    del part["Content-Disposition"]
    message.attach(part)
    write(tmp_path / "goals.eml", bytes(message))
    found = find_returns([tmp_path / "goals.eml"])
    [form] = found.returns
    assert form.name.endswith("unnamed attachment (" + DOCX.replace("/", " ") + ")")
    assert not found.problems


def test_a_forwarded_message_encoded_in_base64_is_opened(tmp_path):
    # Exchange sends an attached message base64-encoded (Content-Transfer-Encoding: base64).
    plan = make_docx("action-plan", "P03", {"vision": "Inside"})
    inner = _reply("mentor3@example.org", "Plan", "Mon, 14 Sep 2026 10:00:00 +0000",
                   {"P03_action-plan.docx": plan})  # fmt: skip
    outer = EmailMessage()
    outer["From"] = "coordinator@example.org"
    outer["Subject"] = "Fwd: Plan"
    outer.set_content("Forwarding.")
    outer.make_mixed()
    wrapped = EmailMessage()
    wrapped["Content-Type"] = "message/rfc822"
    wrapped["Content-Transfer-Encoding"] = "base64"
    wrapped.set_payload(base64.encodebytes(bytes(inner)).decode("ascii"))
    outer.attach(wrapped)
    write(tmp_path / "fwd.eml", bytes(outer))
    found = find_returns([tmp_path / "fwd.eml"])
    [form] = found.returns
    assert form.name == f"{tmp_path / 'fwd.eml'} > Plan > P03_action-plan.docx"
    assert form.sender == "mentor3@example.org" and not found.problems


def test_attachments_wrapped_where_collect_cannot_open_them_are_named_with_what_to_do(tmp_path):
    # Outlook's winmail.dat (its rich-text format) and an S/MIME message's content hold the
    # forms inside them: "not a form" would be false, and the message would be moved away.
    message = _reply("mentor1@example.org", "Forms", "Mon, 14 Sep 2026 10:00:00 +0000", {})
    message.add_attachment(b"\x78\x9f\x3e\x22", maintype="application", subtype="ms-tnef",
                           filename="winmail.dat")  # fmt: skip
    message.add_attachment(b"0\x80", maintype="application", subtype="pkcs7-mime",
                           filename="smime.p7m")  # fmt: skip
    write(tmp_path / "wrapped.eml", bytes(message))
    found = find_returns([tmp_path / "wrapped.eml"])
    assert not found.returns and not found.not_forms
    tnef, smime = found.problems
    assert tnef.file.endswith("wrapped.eml > winmail.dat") and tnef.severity == "error"
    assert tnef.message.startswith("is Outlook's winmail.dat")
    assert "save the form from it" in tnef.fix
    assert smime.file.endswith("wrapped.eml > smime.p7m")
    assert smime.message.startswith("is the content of a signed or encrypted email (S/MIME)")


def test_an_email_with_only_a_signature_picture_needs_a_look(tmp_path):
    # "Please see attached my signed forms", and only the signature's logo attached.
    message = _reply("mentor1@example.org", "Signed forms", "Mon, 14 Sep 2026 10:00:00 +0000",
                     {"image001.png": b"\x89PNG\r\n\x1a\n", "invite.ics": b"BEGIN:VCALENDAR"})  # fmt: skip
    write(tmp_path / "signed.eml", bytes(message))
    found = find_returns([tmp_path / "signed.eml"])
    [warning] = found.problems
    assert warning.message == (
        "is an email with no form attached (only image001.png, invite.ics), so there was no "
        "form to read."
    )
    assert warning.severity == "warning" and "ask them to attach it" in warning.fix


def test_a_form_emailed_back_as_it_was_sent_names_who_sent_it(tmp_path):
    # A mentee replies with the form believing it filled in, but it is byte for byte the form
    # sent: not a return, and the coordinator is told who sent it (a copy lying in a folder
    # is only counted).
    from test_collect import _generated

    packets, original = _generated(tmp_path)
    message = _reply("mentee1@example.org", "Done!", "Mon, 14 Sep 2026 10:00:00 +0000",
                     {"P01_goal-sheet.docx": original})  # fmt: skip
    write(tmp_path / "in" / "done.eml", bytes(message))
    write(tmp_path / "in" / "copy.docx", original)
    result = collect_forms([tmp_path / "in"], tmp_path / "t.xlsx", make_roster(tmp_path),
                           packets_dir=packets)  # fmt: skip
    assert result.blank == 2 and result.new == 0
    [warning] = result.problems
    assert warning.file == f"{tmp_path / 'in' / 'done.eml'} > P01_goal-sheet.docx"
    assert warning.message == (
        "is the form exactly as it was sent, with nothing filled in, so it does not count as "
        "returned."
    )
    assert warning.fix.startswith("If mentee1@example.org meant to return it filled in")
    assert warning.severity == "warning"


def test_a_date_out_of_range_does_not_stop_the_run(tmp_path):
    # "Date: Fri, 31 Dec 9999 23:59:59 -1200" cannot be turned into local time: the whole
    # collect stopped on it (and, from a mailbox, on every later run).
    import mailbox

    goal = make_docx("goal-sheet", "P01", {"goal_1_goal": "Far future"})
    message = _reply("mentee1@example.org", "Goals", "Fri, 31 Dec 9999 23:59:59 -1200",
                     {"P01_goal-sheet.docx": goal})  # fmt: skip
    write(tmp_path / "far.eml", bytes(message))
    box = mailbox.mbox(tmp_path / "far.mbox")
    box.add(message)
    box.close()
    found = find_returns([tmp_path / "far.eml", tmp_path / "far.mbox"])
    assert len(found.returns) == 2 and not found.problems
    assert all(f.file_time is None for f in found.returns)
    assert '"Goals"' in found.returns[1].name and "9999" not in found.returns[1].name
