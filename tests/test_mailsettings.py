"""The mail settings of the Program sheet, mailbox addresses, and the mailbox state kept in the
tracking workbook's hidden sheet."""

from __future__ import annotations

import openpyxl
import pytest

from mentordocs.mailsettings import (
    SETTINGS,
    MailAddressError,
    MailboxAddress,
    is_mailbox_url,
    parse_mail_settings,
    parse_mailbox_url,
)
from mentordocs.tracking.mailstate import MailboxState, normalize_message_id

# ---- mailbox addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "imaps://coordinator@school.org@outlook.office365.com/INBOX",
            MailboxAddress("imaps", "coordinator@school.org", "outlook.office365.com", 993),
        ),
        (
            "imaps://coordinator%40school.org@Outlook.Office365.com:10993/Mentoring%20returns",
            MailboxAddress(
                "imaps", "coordinator@school.org", "outlook.office365.com", 10993, "Mentoring returns"
            ),
        ),
        ("imap://me@localhost", MailboxAddress("imap", "me", "localhost", 143, "INBOX")),
        ("IMAP://me@[::1]:1143/Réponses", MailboxAddress("imap", "me", "::1", 1143, "Réponses")),
        ("imaps://imap.gmail.com/INBOX", MailboxAddress("imaps", "default@x.org", "imap.gmail.com", 993)),
    ],
)  # fmt: skip
def test_mailbox_addresses_are_read(text, expected):
    assert is_mailbox_url(text)
    assert parse_mailbox_url(text, default_user="default@x.org") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("https://me@host/INBOX", "does not start with imaps://"),
        ("imaps://me:secret@host/INBOX", "holds a password"),
        ("imaps://host/INBOX", "does not say who signs in"),
        ("imaps://me@host:99999/INBOX", "not a port number"),
        ("imaps://me@host:abc/INBOX", "not a server name"),
        ("imaps://me@host/INBOX?x=1", "has a ? or # part"),
    ],
)
def test_wrong_mailbox_addresses_say_how_to_write_one(text, why):
    with pytest.raises(MailAddressError) as caught:
        parse_mailbox_url(text)
    assert why in str(caught.value)
    assert "imaps://USER@SERVER/FOLDER" in str(caught.value)


def test_only_a_server_named_as_this_computer_is_loopback():
    loopback = ["localhost", "127.0.0.1", "127.0.0.2", "::1", "mail.localhost"]
    others = ["mail.example.org", "10.0.0.1", "localhost.example.org", "::2"]
    assert all(MailboxAddress("imap", "u", host, 143).loopback for host in loopback)
    assert not any(MailboxAddress("imap", "u", host, 143).loopback for host in others)
    assert not is_mailbox_url("returned/forms.zip")


# ---- the Program sheet's settings ---------------------------------------------------------------


def test_program_sheet_settings_are_read_whatever_their_spelling():
    values = {
        "Outgoing mail server": "SMTP.Office365.com:587",
        "outgoing_mail_security": "starttls",
        "MAIL SIGN-IN": "Microsoft 365",
        "Microsoft client ID": "0A1B2C3D-1111-2222-3333-444455556666",
        "Mailbox to collect": "imaps://outlook.office365.com/INBOX",
        "Move collected mail to": "Collected forms",
        "Program name": "ignored here",
    }
    settings, problems = parse_mail_settings(values, default_user="coordinator@school.org")
    assert problems == []
    assert (settings.outgoing_server, settings.outgoing_port) == ("smtp.office365.com", 587)
    assert settings.outgoing_security == "starttls" and settings.sign_in == "microsoft365"
    assert settings.microsoft_client_id == "0a1b2c3d-1111-2222-3333-444455556666"
    assert settings.mail_user == ""  # blank: send signs in only when asked
    assert settings.tenant == ""  # the command line falls back to the user's domain
    assert settings.mailbox == MailboxAddress(
        "imaps", "coordinator@school.org", "outlook.office365.com", 993
    )
    assert settings.move_to == "Collected forms"


def test_program_sheet_mistakes_are_problems_with_the_row_and_what_to_do():
    values = {
        "Outgoing mail server": "smtp server.example",
        "Outgoing mail security": "maybe",
        "Mail sign-in": "Microsoft 365",
        "Microsoft tenant": "not a tenant!",
        "Mailbox to collect": "pop3://mail.example.org",
        "SMTP password": "hunter2",
    }
    rows = {name: number for number, name in enumerate(values, start=10)}
    _, problems = parse_mail_settings(values, file="roster.xlsx", rows=rows)
    by_row = {p.row: p for p in problems}
    assert sorted(by_row) == [10, 11, 12, 13, 14, 15]
    assert "not a server name" in by_row[10].message
    assert "'maybe' is not one of STARTTLS, SSL or None" in by_row[11].message
    assert "no Microsoft client ID" in by_row[12].message and "client ID" in by_row[12].fix
    assert "not a Microsoft tenant" in by_row[13].message
    assert "not a mailbox address" in by_row[14].message
    assert (
        "must never hold one" in by_row[15].message and "MENTORDOCS_SMTP_PASSWORD" in by_row[15].fix
    )
    assert all(p.sheet == "Program" and p.column == "Value" for p in problems)
    assert str(by_row[11]).startswith("roster.xlsx, sheet 'Program', row 11, column 'Value'")


def test_every_setting_has_a_name_allowed_values_an_example_and_a_hint():
    for setting in SETTINGS:
        assert setting.name and setting.allowed and setting.example and setting.hint
        _, problems = parse_mail_settings(
            {setting.name: setting.example, "Microsoft client ID": SETTINGS[4].example},
            default_user="coordinator@school.org",
        )
        assert problems == [], (setting.name, problems)


# ---- the state kept in the workbook -------------------------------------------------------------


def test_state_rows_round_trip_through_a_workbook_cell_limit_and_all(tmp_path):
    state = MailboxState()
    key = "imaps://me@school.org@imap.example.org:993/INBOX"
    for uid in [*range(1, 41), 42, *range(45, 61)]:
        state.mark(key, 777, uid, f"<{uid}@example.org>")
    many = "imap://me@localhost:143/Big"
    for uid in range(1, 20_000, 2):  # no runs to compress: several rows of 30,000 characters
        state.mark(many, 5, uid)
    rows = state.rows()
    assert ["mailbox", key, 777, "1:40,42,45:60"] in rows
    assert ["mailbox-message-id", "<42@example.org>"] in rows
    assert all(len(str(cell)) < 32_767 for row in rows for cell in row)
    assert len([r for r in rows if r[1] == many]) > 1

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["meta", "format", "2"])
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    read = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    back = MailboxState.from_rows(list(read.active.iter_rows(values_only=True)))
    assert back == state
    assert back.known_uids(key, 777) == state.folders[key].uids
    assert back.known_uids(key, 778) == set()  # a new UIDVALIDITY: every message again


def test_a_new_uidvalidity_starts_the_folder_afresh_but_keeps_message_ids():
    state = MailboxState()
    state.mark("k", 1, 5, "<a@x>")
    state.mark("k", 2, 1, "<b@x>")
    assert state.folders["k"].uidvalidity == 2 and state.folders["k"].uids == {1}
    assert state.message_ids == {"<a@x>", "<b@x>"}


def test_unreadable_state_rows_are_skipped():
    rows = [
        ("mailbox", "k", "not a number", "1:3"),
        ("mailbox", "k2", 3, "9:1"),
        ("mailbox", "", 3, "1"),
        ("mailbox-message-id", None),
        ("outstanding", "P01", "goal-sheet", "not returned"),
        (),
    ]
    assert MailboxState.from_rows(rows) == MailboxState()


def test_message_ids_are_normalised():
    assert normalize_message_id(" <a@b>\r\n ") == "<a@b>"
    assert normalize_message_id(None) == ""
    assert normalize_message_id("<é@b>").startswith("sha256:")
    assert normalize_message_id("<" + "x" * 600 + ">").startswith("sha256:")
