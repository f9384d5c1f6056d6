"""The MIME message on its own: headers survive any name or subject, attachments keep their bytes."""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.parser import BytesParser

from hypothesis import given, settings
from hypothesis import strategies as st

from mentordocs.send import Attachment, RenderedEmail, build_message, text_to_html

# Any printable text (letters of every script, emoji, quotes, brackets, specials), no line breaks.
TEXT = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=120)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


def round_trip(subject: str, mentor: str, mentee: str):
    message = build_message(
        sender=Address(display_name="Zoë Okafor", addr_spec="coordinator@example.org"),
        to=[
            Address(display_name=mentor, addr_spec="mentor@example.org"),
            Address(display_name=mentee, addr_spec="mentee@example.org"),
        ],
        cc=[],
        reply_to=Address(display_name="Zoë Okafor", addr_spec="coordinator@example.org"),
        rendered=RenderedEmail(subject, f"Dear {mentor}\n", text_to_html(f"Dear {mentor}")),
        attachments=[Attachment("P01_goal-sheet.docx", b"PK\x03\x04 not really a zip \x00\xff")],
    )
    raw = message.as_bytes(policy=message.policy)
    return raw, BytesParser(policy=policy.default).parsebytes(raw)


@settings(max_examples=60, deadline=None)
@given(subject=TEXT, mentor=TEXT, mentee=TEXT)
def test_subject_and_names_survive_the_wire(subject, mentor, mentee):
    raw, back = round_trip(subject, mentor, mentee)
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # 7-bit headers on the wire
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert back["Subject"] == subject
    addresses = back["To"].addresses
    # A long name is split into several encoded words (RFC 2047: at most 75 characters each).
    # Mail programs join them as RFC 2047 says; Python's parser puts a space between them, so
    # compare without spaces here (exact names are checked below with realistic lengths).
    assert ["".join(a.display_name.split()) for a in addresses] == [
        "".join(mentor.split()),
        "".join(mentee.split()),
    ]
    assert [a.addr_spec for a in addresses] == ["mentor@example.org", "mentee@example.org"]
    assert back.get_body(("plain",)).get_content().replace("\r\n", "\n") == f"Dear {mentor}\n"


def test_long_mixed_script_subject_is_not_broken():
    # Python's own folder splits an encoded word in two here (before 3.13).
    subject = (
        "New Teacher Mentoring Program 2026-27: your mentoring forms "
        "(张伟 (Zhang Wei) and Ольга Петрова)"
    )
    raw, back = round_trip(subject, "张伟 (Zhang Wei)", "Ольга Петрова")
    assert back["Subject"] == subject
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert len(line) <= 78


def test_realistic_names_round_trip_exactly():
    names = [
        "张伟 (Zhang Wei)",
        "Ольга Петрова",
        "فاطمة الزهراء",
        "Nguyễn Thị Hoa",
        'Dana "D" O\'Neil, Jr.',
        "Siobhán Ní Bhriain",
        "Γιώργος Παπαδόπουλος",
        "अनन्या शर्मा",
    ]
    for mentor, mentee in zip(names[::2], names[1::2], strict=True):
        _raw, back = round_trip(f"Forms for {mentor} and {mentee}", mentor, mentee)
        assert [a.display_name for a in back["To"].addresses] == [mentor, mentee]
        assert back["Subject"] == f"Forms for {mentor} and {mentee}"


def test_structure_and_attachment_bytes():
    _raw, back = round_trip("Forms", "Ana", "Ben")
    assert back.get_content_type() == "multipart/mixed"
    parts = list(back.iter_parts())
    assert parts[0].get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parts[0].iter_parts()] == ["text/plain", "text/html"]
    (attachment,) = back.iter_attachments()
    assert attachment.get_filename() == "P01_goal-sheet.docx"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == b"PK\x03\x04 not really a zip \x00\xff"
