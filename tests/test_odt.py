"""OpenDocument returns (.odt) read without LibreOffice: ``mentordocs.odf``.

Two halves. Hand-written OpenDocument XML pins down each element kind: content controls as
LibreOffice 7.5+ and 7.4 write them, 7.4's text inputs, bookmarks named after fields, the
white-space rule, tracked changes, properties, passwords and limits. Then real LibreOffice (7.4
at ``soffice``, 25.2 at ``soffice_25``) converts the shipped forms, filled with hostile values,
to .odt, and every field read from the .odt is compared with the same field read from the .docx.

The bookmarks named after fields come from the ``anchors`` branch (a bookmark inside every
control of our templates); until its naming function is in ``mentordocs.ooxml`` these tests use
a stand-in naming (``mdf_<field id>``) and put the bookmarks in as that branch will.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from test_roundtrip import fill_docx, one_line_fields

from mentordocs.collect import FormReadError, find_returns, read_form
from mentordocs.generate.office import convert
from mentordocs.odf import is_odt, is_opendocument, read_odt
from mentordocs.odf.text import anchor_of
from mentordocs.ooxml.fields import Field
from mentordocs.ooxml.package import PackageError, ReadLimits
from mentordocs.ooxml.xml import parse_xml

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
NAMESPACES = (
    f'xmlns:office="{OFFICE}" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"'
)
TEXT_TYPE = "application/vnd.oasis.opendocument.text"

BOOKMARK_PREFIX = "mdf_"  # the stand-in naming of bookmarks named after fields


def field_of_bookmark(name: str) -> str | None:
    return name[len(BOOKMARK_PREFIX) :] if name.startswith(BOOKMARK_PREFIX) else None


def manifest(extra: str = "", media_type: str = TEXT_TYPE) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
        f">{extra}</manifest:file-entry></manifest:manifest>"
    )


def odt(
    body: str = "",
    *,
    meta: str | None = None,
    styles: str | None = None,
    media_type: str = TEXT_TYPE,
    members: dict[str, bytes] | None = None,
    mimetype_first: bool = True,
) -> bytes:
    """An .odt package in memory: ``body`` is what goes inside ``office:text``."""
    parts: dict[str, bytes] = {
        "META-INF/manifest.xml": manifest(media_type=media_type).encode(),
        "content.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES} '
            f'office:version="1.3"><office:body><office:text>{body}</office:text></office:body>'
            "</office:document-content>"
        ).encode(),
    }
    if meta is not None:
        parts["meta.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NAMESPACES}>'
            f"<office:meta>{meta}</office:meta></office:document-meta>"
        ).encode()
    if styles is not None:
        parts["styles.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NAMESPACES}>'
            f"<office:master-styles>{styles}</office:master-styles></office:document-styles>"
        ).encode()
    parts.update(members or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        if mimetype_first:
            package.writestr(zipfile.ZipInfo("mimetype"), media_type, zipfile.ZIP_STORED)
        for name, data in parts.items():
            package.writestr(name, data)
        if not mimetype_first:
            package.writestr("mimetype", media_type)
    return out.getvalue()


def fields_of(body: str) -> list[Field]:
    return read_odt(odt(body), field_of_bookmark=field_of_bookmark).fields


def values_of(body: str) -> dict[str, object]:
    return {f.id: f.value for f in fields_of(body)}


def cc(attributes: str, content: str) -> str:
    """A content control in a paragraph of its own."""
    return f"<text:p><loext:content-control {attributes}>{content}</loext:content-control></text:p>"


# ---- the element kinds, as LibreOffice 7.5 and later write them ----------------------------------


def test_text_control_as_libreoffice_25_writes_it():
    [field] = fields_of(
        cc(
            'loext:alias="goal_1_goal" loext:tag="goal_1_goal"',
            '<text:s/>A &amp; &lt;b&gt; "q" \U0001f600 \u05e9\u05dc\u05d5\u05dd<text:tab/>tab'
            '<text:s text:c="2"/>x<text:line-break/>second <text:span>line</text:span><text:s/>',
        )
    )
    assert field == Field(
        "goal_1_goal",
        "text",
        ' A & <b> "q" \U0001f600 \u05e9\u05dc\u05d5\u05dd\ttab  x\nsecond line ',
        tag="goal_1_goal",
        alias="goal_1_goal",
        source="tag",
    )


def test_plain_text_control_keeps_its_alias_and_a_tagless_one_is_named_by_it():
    fields = fields_of(
        cc('loext:plain-text="true" loext:alias="mentor_sign_name"', "Ana")
        + cc('loext:plain-text="true"', "nameless")
    )
    assert [(f.id, f.source, f.value) for f in fields] == [
        ("mentor_sign_name", "alias", "Ana"),
        ("", "unnamed", "nameless"),
    ]


def test_checkboxes():
    box = 'loext:checkbox="true" loext:checked-state="\u2612" loext:unchecked-state="\u2610"'
    fields = fields_of(
        cc(f'{box} loext:checked="true" loext:tag="a"', "\u2612")
        + cc(f'{box} loext:checked="false" loext:tag="b"', "\u2610")
        + cc(f'{box} loext:tag="c"', "\u2610")
    )
    assert [(f.id, f.kind, f.value) for f in fields] == [
        ("a", "checkbox", True),
        ("b", "checkbox", False),
        ("c", "checkbox", False),
    ]


def test_dates_give_the_picked_date_unless_the_placeholder_shows():
    date = 'loext:date="true" loext:date-format="d MMMM yyyy" loext:date-rfc-language-tag="en-GB"'
    values = values_of(
        cc(f'{date} loext:current-date="2026-09-07T00:00:00Z" loext:tag="a"', "7 September 2026")
        + cc(f'{date} loext:tag="b" loext:showing-place-holder="true"', "Pick a date")
        + cc(f'{date} loext:current-date="2026-09-07T00:00:00Z" loext:tag="c"', "")
        + cc(f'{date} loext:tag="d"', "next Tuesday")
    )
    assert values == {"a": "2026-09-07", "b": "", "c": "", "d": "next Tuesday"}


def test_dropdowns_give_the_chosen_items_value():
    items = (
        '<loext:list-item loext:display-text="Short term" loext:value="short"/>'
        '<loext:list-item loext:display-text="Long term" loext:value="long"/>'
    )
    values = values_of(
        cc('loext:dropdown="true" loext:tag="a"', items + "Long term")
        + cc('loext:dropdown="true" loext:tag="b" loext:showing-place-holder="true"', items + "x")
        + cc('loext:combobox="true" loext:tag="c"', items + "typed in")
        + cc('loext:dropdown="true" loext:tag="d"', "")
    )
    assert values == {"a": "long", "b": "", "c": "typed in", "d": ""}
    assert {f.kind for f in fields_of(cc('loext:combobox="true" loext:tag="c"', "x"))} == {
        "dropdown"
    }


def test_placeholder_text_reads_blank_but_says_so():
    [field] = fields_of(cc('loext:tag="a" loext:showing-place-holder="true"', "Type here"))
    assert (field.value, field.placeholder) == ("", True)


def test_pictures_and_google_wrappers_are_not_fields():
    fields = fields_of(
        cc('loext:picture="true" loext:tag="photo"', "")
        + cc('loext:tag="goog_rdk_12"', "wrapped")
        + cc('loext:tag="a"', "kept")
    )
    assert [f.id for f in fields] == ["a"]


# ---- as LibreOffice 7.4 writes them ----------------------------------------------------------


def test_libreoffice_74_controls_have_no_names_but_keep_their_kinds():
    items = '<loext:list-item loext:display-text="High" loext:value="High"/>'
    fields = fields_of(
        cc("", "rich text<text:line-break/>two")
        + cc("", items + "High")  # 7.4 writes the items, not loext:dropdown
        + cc('loext:checkbox="true" loext:checked="true"', "\u2612")
        + cc('loext:date="true" loext:current-date="2026-10-18T00:00:00Z"', "18 October 2026")
    )
    assert [(f.id, f.source, f.kind, f.value) for f in fields] == [
        ("", "unnamed", "text", "rich text\ntwo"),
        ("", "unnamed", "dropdown", "High"),
        ("", "unnamed", "checkbox", True),
        ("", "unnamed", "date", "2026-10-18"),
    ]


def test_text_inputs_are_fields_named_by_their_description():
    fields = fields_of(
        '<text:p><text:text-input text:description="">Type your full name</text:text-input></text:p>'
        '<text:p>Name: <text:text-input text:description="mentor_sign_name">Ana <text:s/>M'
        "</text:text-input></text:p>"
    )
    assert [(f.id, f.source, f.kind, f.value, f.before) for f in fields] == [
        ("", "unnamed", "text", "Type your full name", ""),
        ("mentor_sign_name", "alias", "text", "Ana  M", "Name:"),
    ]


# ---- bookmarks named after fields --------------------------------------------------------------


def test_a_bookmark_inside_a_control_anchors_it():
    body = cc(
        "",
        '<text:bookmark-start text:name="mdf_goal_1_goal"/>My goal'
        '<text:bookmark-end text:name="mdf_goal_1_goal"/>',
    ) + cc('loext:tag="b"', '<text:bookmark-start text:name="_GoBack"/>x')
    fields = fields_of(body)
    assert [(f.id, f.anchor, f.value) for f in fields] == [
        ("", "goal_1_goal", "My goal"),
        ("b", "", "x"),
    ]
    # Without a naming function no bookmark means anything.
    assert [f.anchor for f in read_odt(odt(body)).fields] == ["", ""]


def test_a_point_bookmark_outside_controls_is_the_rest_of_its_paragraph():
    # LibreOffice 7.4 drops a filled plain-text control and collapses the bookmark inside it
    # to a point where the control began.
    fields = fields_of(
        '<text:p>Name</text:p><text:p><text:bookmark text:name="mdf_mentor_sign_name"/>'
        '<text:s text:c="2"/>Ana <text:span>Mar\u00eda</text:span><text:tab/>L<text:s/></text:p>'
        '<text:p>after</text:p><text:p><text:bookmark text:name="mdf_empty"/></text:p>'
        '<text:p>x <text:bookmark text:name="mdf_mid"/>answer'
        '<text:bookmark text:name="mdf_next"/>other</text:p>'
    )
    assert [(f.id, f.source, f.anchor, f.value, f.before) for f in fields] == [
        ("", "unnamed", "mentor_sign_name", "  Ana Mar\u00eda\tL ", "Name"),
        ("", "unnamed", "empty", "", "Name after"),
        ("", "unnamed", "mid", "answer", "Name after x"),
        ("", "unnamed", "next", "other", "Name after x"),
    ]


def test_a_bookmark_just_before_a_control_or_text_input_anchors_it():
    fields = fields_of(
        '<text:p><text:bookmark text:name="mdf_mentee_sign_name"/>'
        '<text:text-input text:description="">Type your full name</text:text-input></text:p>'
        '<text:p><text:bookmark text:name="mdf_a"/> <loext:content-control>v'
        "</loext:content-control></text:p>"
    )
    assert [(f.anchor, f.value) for f in fields] == [
        ("mentee_sign_name", "Type your full name"),
        ("a", "v"),
    ]


def test_bookmark_ranges_outside_controls():
    fields = fields_of(
        # around text only, over two paragraphs: a field of its own
        '<text:p><text:bookmark-start text:name="mdf_story"/>one</text:p>'
        '<text:p>two<text:bookmark-end text:name="mdf_story"/> outside</text:p>'
        # around one control: anchors it
        '<text:p><text:bookmark-start text:name="mdf_c"/><loext:content-control>in'
        '</loext:content-control><text:bookmark-end text:name="mdf_c"/></text:p>'
        # around two controls: proves nothing
        '<text:p><text:bookmark-start text:name="mdf_both"/><loext:content-control>1'
        "</loext:content-control> and <loext:content-control>2</loext:content-control>"
        '<text:bookmark-end text:name="mdf_both"/></text:p>'
    )
    assert [(f.anchor, f.value) for f in fields] == [
        ("story", "one\ntwo"),
        ("c", "in"),
        ("", "1"),
        ("", "2"),
    ]


def test_anchor_of():
    assert anchor_of("mdf_goal_1_goal", field_of_bookmark) == "goal_1_goal"
    assert anchor_of("_GoBack", field_of_bookmark) == ""
    assert anchor_of("mdf_goal_1_goal", None) == ""
    assert anchor_of(None, field_of_bookmark) == ""


# ---- what a person sees ------------------------------------------------------------------------


# Each paragraph's text as LibreOffice 7.4 and 25.2 show it (measured: converted to text).
WHITE_SPACE_CASES = {
    "  lead  two\n\tnl  <text:span> sp </text:span> trail  ": "lead two nl sp trail ",
    'a<text:tab/> b<text:s/> c <text:s text:c="3"/>d<text:line-break/> e': "a\t b  c    d\n e",
    "x<loext:content-control> in </loext:content-control> y ": "x in y ",
    "<text:span>  </text:span>z <text:span> </text:span>": "z ",
}


def test_white_space_follows_libreoffice():
    for markup, shown in WHITE_SPACE_CASES.items():
        if "content-control" in markup:
            [field] = fields_of(f"<text:p>{markup}</text:p>")
            assert field.value == " in ", markup  # what LibreOffice shows between x and y
        else:  # the paragraph's text, as a field from a bookmark at its start
            [field] = fields_of(f'<text:p><text:bookmark text:name="mdf_p"/>{markup}</text:p>')
            assert field.value == shown, markup
    [field] = fields_of(cc('loext:tag="a"', "  one \n two  "))
    assert field.value == "one two "


def test_tracked_changes_read_as_accepted():
    tracked = (
        '<text:tracked-changes text:track-changes="false">'
        '<text:changed-region text:id="ct1"><text:deletion><office:change-info>'
        "<dc:creator>Ann</dc:creator><dc:date>2026-10-01T10:00:00</dc:date></office:change-info>"
        "<text:p>deleted </text:p>"
        '<text:p><loext:content-control loext:tag="gone">old</loext:content-control></text:p>'
        "</text:deletion></text:changed-region>"
        '<text:changed-region text:id="ct2"><text:insertion><office:change-info>'
        "<dc:creator>Ann</dc:creator><dc:date>2026-10-01T10:00:00</dc:date></office:change-info>"
        "</text:insertion></text:changed-region></text:tracked-changes>"
    )
    body = tracked + cc(
        'loext:tag="goal"',
        'Keep <text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>'
        'inserted<text:change-end text:change-id="ct2"/> end',
    )
    assert values_of(body) == {"goal": "Keep inserted end"}


def test_comments_notes_and_drawings_are_not_part_of_a_value():
    body = cc(
        'loext:tag="a"',
        "answer<office:annotation><dc:creator>C</dc:creator><text:p>a comment</text:p>"
        '</office:annotation><text:note text:note-class="footnote"><text:note-citation>1'
        "</text:note-citation><text:note-body><text:p>note "
        '<loext:content-control loext:tag="in_note">n</loext:content-control></text:p>'
        "</text:note-body></text:note> more",
    )
    assert values_of(body) == {"a": "answer more", "in_note": "n"}


def test_before_is_the_label_shown_before_a_field():
    long_text = "word " * 30
    fields = fields_of(
        f"<text:p>{long_text}</text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>Goal <text:s/>1</text:p>"
        "</table:table-cell><table:table-cell>"
        + cc('loext:tag="a"', "answer")
        + "</table:table-cell></table:table-row></table:table>"
        + cc('loext:tag="b"', "next")
    )
    assert fields[0].before.endswith("word Goal 1")
    assert len(fields[0].before) <= 80 and fields[0].before.startswith("word ")
    assert fields[1].before.endswith("word Goal 1")  # another field's answer is no label


def test_headers_and_footers_are_read_after_the_body():
    styles = (
        '<style:master-page style:name="Standard"><style:header>'
        + cc('loext:tag="in_header"', "h")
        + "</style:header><style:footer>"
        + cc('loext:tag="in_footer"', "f")
        + "</style:footer></style:master-page>"
    )
    document = read_odt(odt(cc('loext:tag="body"', "b"), styles=styles))
    assert [f.id for f in document.fields] == ["body", "in_header", "in_footer"]


# ---- the package -------------------------------------------------------------------------------


def test_properties_and_times_from_meta():
    meta = (
        "<meta:generator>LibreOffice/25.2.3.2$Linux_X86_64</meta:generator>"
        "<meta:creation-date>2026-01-01T00:00:00</meta:creation-date>"
        "<dc:date>2026-10-02T09:30:15.123456789</dc:date>"
        '<meta:user-defined meta:name="mentordocs.pair_id">P03</meta:user-defined>'
        '<meta:user-defined meta:name="mentordocs.form" meta:value-type="string"> goal-sheet '
        "</meta:user-defined>"
        '<meta:user-defined meta:name="Amount" meta:value-type="float">2.5</meta:user-defined>'
    )
    document = read_odt(odt(meta=meta))
    assert document.properties == {
        "mentordocs.pair_id": "P03",
        "mentordocs.form": "goal-sheet",
        "Amount": "2.5",
    }
    assert document.modified == dt.datetime(2026, 10, 2, 9, 30, 15, 123456)
    assert document.generator.startswith("LibreOffice/25.2")
    # Saved no later than created: the form's own stamp, which says nothing.
    same = meta.replace("2026-10-02T09:30:15.123456789", "2026-01-01T00:00:00")
    assert read_odt(odt(meta=same)).modified is None
    assert read_odt(odt()).properties == {}


def test_read_form_reads_an_odt_whatever_its_name():
    meta = (
        '<meta:user-defined meta:name="mentordocs.pair_id">P03</meta:user-defined>'
        '<meta:user-defined meta:name="mentordocs.form">goal-sheet</meta:user-defined>'
    )
    data = odt(cc('loext:tag="goal_1_goal"', "Mine"), meta=meta)
    reading = read_form(data, "P03 goal sheet.docx")
    assert (reading.format, reading.pair_id, reading.form) == ("odt", "P03", "goal-sheet")
    assert reading.main_part == "content.xml"
    assert [(f.id, f.value) for f in reading.fields] == [("goal_1_goal", "Mine")]


def test_collect_refuses_an_odt_whose_fields_lost_their_names():
    with pytest.raises(FormReadError, match="removes the names") as caught:
        read_form(odt(cc("", "rich") + cc('loext:tag="a"', "x")), "P01.odt")
    assert "1 of 2" in caught.value.message and ".docx" in caught.value.fix


def test_odt_files_are_returns(tmp_path):
    (tmp_path / "P01 goal sheet.odt").write_bytes(odt())
    (tmp_path / "notes.txt").write_text("x")
    found = find_returns([tmp_path])
    assert [(f.name, f.kind) for f in found.returns] == [
        (str(tmp_path / "P01 goal sheet.odt"), "odt")
    ]
    assert found.not_forms == [str(tmp_path / "notes.txt")]


def test_recognising_an_odt():
    assert is_odt(odt())
    assert is_odt(odt(mimetype_first=False))  # not as the format asks, still an .odt
    sheet = odt(media_type="application/vnd.oasis.opendocument.spreadsheet")
    assert not is_odt(sheet) and is_opendocument(sheet)
    assert not is_opendocument(b"PK\x03\x04" + b"\x00" * 100)
    assert not is_opendocument(b"not a zip")
    with pytest.raises(FormReadError, match="another kind"):
        read_form(sheet, "sheet.odt")


def test_a_password_protected_odt_says_to_save_it_without_one():
    # The manifest as LibreOffice 7.4 writes it for File > Save As > "Save with password"
    # (measured); the parts it lists are encrypted, so content.xml is not XML.
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0#sha256-1k" manifest:checksum="fWr63l/1oo+4Dx9BCKkNdSHETrs2FOwxD5D/zCee5U0=">'
        '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc"'
        ' manifest:initialisation-vector="b4NWbWsXqbcKV56qJsTWhw=="/>'
        '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32"'
        ' manifest:iteration-count="100000" manifest:salt="dlXnDOLvYvtkTaEb1yCgiQ=="/>'
        "</manifest:encryption-data>"
    )
    data = odt(
        members={
            "META-INF/manifest.xml": manifest(encryption).encode(),
            "content.xml": bytes(range(256)) * 8,
        }
    )
    with pytest.raises(FormReadError, match="password") as caught:
        read_form(data, "P01.odt")
    assert "Save with password" in caught.value.fix
    with pytest.raises(PackageError, match="password"):
        read_odt(data)


def test_limits_apply_as_to_a_docx():
    data = odt(cc('loext:tag="a"', "x" * 50_000))
    with pytest.raises(FormReadError, match="zip bomb"):
        read_form(data, limits=ReadLimits(max_part_bytes=20_000))
    with pytest.raises(FormReadError, match="zip bomb"):
        read_form(data, limits=ReadLimits(max_total_bytes=20_000))
    with pytest.raises(FormReadError, match="zip bomb"):
        read_form(data, limits=ReadLimits(max_members=2))
    assert read_form(data).fields[0].value == "x" * 50_000


def test_unsafe_or_broken_xml_is_refused_with_what_to_do():
    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><office:document-content/>'
    with pytest.raises(FormReadError, match="DOCTYPE") as caught:
        read_form(odt(members={"content.xml": entity}), "P01.odt")
    assert caught.value.fix
    with pytest.raises(FormReadError, match="not valid XML"):
        read_form(odt(members={"content.xml": b"<office:document-content>"}), "P01.odt")
    lost = odt()
    with zipfile.ZipFile(io.BytesIO(lost)) as package:
        kept = {n: package.read(n) for n in package.namelist() if n != "content.xml"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, payload in kept.items():
            package.writestr(name, payload)
    with pytest.raises(FormReadError, match="missing a part every OpenDocument text has"):
        read_form(out.getvalue(), "P01.odt")


def test_what_markup_multiplies_is_bounded():
    [field] = fields_of(cc('loext:tag="a"', '<text:s text:c="999999999"/>'))
    assert field.value == " " * 10_000
    [field] = fields_of(cc('loext:tag="a"', '<text:s text:c="10000"/>' * 150))
    assert len(field.value) == 1_000_000 + 50  # then one space each
    nested = "<loext:content-control>" * 40 + "v" + "</loext:content-control>" * 40
    fields = fields_of(cc('loext:tag="a"', nested))
    assert len(fields) == 16 and {f.value for f in fields} == {"v"}


# ---- real LibreOffice: the shipped forms, filled, saved as .odt ------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def hostile_values(path: Path, spec, pair_id: str) -> dict[str, object]:
    """A distinct value for every field of a generated form, hostile where text is free.

    Text answers begin and end with spaces and hold markup characters, quotes, an emoji,
    right-to-left text, a tab and a run of spaces; long answers (rich-text controls) also line
    breaks and an empty line, which a one-line (plain-text) control does not take in Word.
    """
    one_line = one_line_fields(path)
    values: dict[str, object] = {}
    for index, found in enumerate(f for f in read_form(path).fields if f.id):
        if found.id in values:
            continue
        declared = spec.match(found.id)
        kind = declared.kind if declared else found.kind
        if kind == "checkbox":
            values[found.id] = index % 3 != 0
        elif kind == "date":
            values[found.id] = (dt.date(2026, 9, 1) + dt.timedelta(days=index)).isoformat()
        elif kind == "dropdown":
            choices = declared.choices if declared else ()
            values[found.id] = choices[index % len(choices)] if choices else ""
        else:
            values[found.id] = (
                f"  {pair_id} {found.id}: & <b>x</b> \"double\" 'single' \U0001f600 "
                "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\tafter a tab,   three spaces"
                + ("" if found.id in one_line else "\nsecond line\n\nafter an empty line")
                + "  "
            )
    return values


def add_anchors(data: bytes) -> bytes:
    """A .docx with a bookmark named after its field inside every tagged control (as the
    templates of the anchors branch will have), named with the stand-in naming."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "word/document.xml":
                root = parse_xml(payload)
                for number, sdt in enumerate(root.iter(W + "sdt"), start=9000):
                    tag, content = sdt.find(f"{W}sdtPr/{W}tag"), sdt.find(W + "sdtContent")
                    if tag is None or content is None:
                        continue
                    paragraphs = content.findall(W + "p")
                    first = paragraphs[0] if paragraphs else content
                    last = paragraphs[-1] if paragraphs else content
                    start = etree.Element(W + "bookmarkStart")
                    start.set(W + "id", str(number))
                    start.set(W + "name", BOOKMARK_PREFIX + tag.get(W + "val", ""))
                    end = etree.Element(W + "bookmarkEnd")
                    end.set(W + "id", str(number))
                    first.insert(1 if first.find(W + "pPr") is not None else 0, start)
                    last.append(end)
                payload = etree.tostring(
                    root, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            target.writestr(info, payload)
    return out.getvalue()


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict:
    """The sample's packets generated, every form filled with hostile values: as filled
    (``filled/``) and with bookmarks named after fields (``anchored/``)."""
    from mentordocs.forms import load_form_specs
    from mentordocs.generate.packets import generate_packets
    from mentordocs.roster import load_roster

    base = tmp_path_factory.mktemp("odt")
    roster = load_roster(Path(__file__).resolve().parent.parent / "samples" / "roster.xlsx")
    generate_packets(roster, base / "packets")
    specs = load_form_specs()
    for folder in ("filled", "anchored"):
        (base / folder).mkdir()
    for path in sorted((base / "packets").rglob("*.docx")):
        reading = read_form(path)
        data = fill_docx(
            path.read_bytes(), hostile_values(path, specs[reading.form], reading.pair_id)
        )
        (base / "filled" / path.name).write_bytes(data)
        (base / "anchored" / path.name).write_bytes(add_anchors(data))
    return {"base": base, "roster": roster}


def converted(
    filled: dict, folder: str, soffice: str, label: str, pattern: str = "*.docx"
) -> list[tuple[Path, Path]]:
    """(.docx, .odt) pairs: ``folder``'s forms converted by one LibreOffice (once each)."""
    key = (folder, label, pattern)
    if key not in filled:
        sources = sorted((filled["base"] / folder).glob(pattern))
        name = re.sub(r"\W", "", pattern)
        outdir = filled["base"] / f"{folder}-{label}-{name}"
        odts = convert(sources, "odt", outdir, soffice=soffice)
        filled[key] = list(zip(sources, odts, strict=True))
    return filled[key]


def docx_fields(path: Path) -> list[Field]:
    return read_form(path).fields


def odt_fields(path: Path) -> list[Field]:
    # As read_form reads a return: a field showing its placeholder keeps the text it shows.
    return read_odt(
        path.read_bytes(), field_of_bookmark=field_of_bookmark, placeholder_text=True
    ).fields


def compare(docx: list[Field], odt_read: list[Field], by: str) -> Counter:
    """Per docx field: "same" (found by ``by`` with kind and value equal), "different" (found,
    not equal) or "missing"; a docx field's identity is its tag."""
    found: dict[str, Field] = {}
    for item in odt_read:
        found.setdefault(getattr(item, by), item)
    counts: Counter = Counter()
    for item in docx:
        other = found.get(item.id)
        if other is None or not item.id:
            counts["missing"] += 1
        elif (other.kind, other.value) == (item.kind, item.value):
            counts["same"] += 1
        else:
            counts["different"] += 1
    return counts


def comparison_table(pairs: list[tuple[Path, Path]], by: str) -> dict[str, Counter]:
    """Counts per form (summed over the sample's pairs)."""
    table: dict[str, Counter] = {}
    for docx, odt_path in pairs:
        form = docx.stem.split("_", 1)[1]
        table.setdefault(form, Counter()).update(
            compare(docx_fields(docx), odt_fields(odt_path), by)
        )
    return table


def test_libreoffice_25_keeps_every_field_as_the_docx_has_it(filled, soffice_25):
    pairs = converted(filled, "filled", soffice_25, "25")
    assert len(pairs) == 44
    for docx, odt_path in pairs:
        before, after = read_form(docx), read_form(odt_path)
        assert after.format == "odt", docx.name
        ours = {name: value for name, value in before.properties.items() if "mentordocs" in name}
        assert len(ours) == 4 and ours.items() <= after.properties.items(), docx.name
        # Every field, in document order, with its tag, alias, kind and value.
        assert [(f.id, f.tag, f.alias, f.kind, f.value) for f in after.fields] == [
            (f.id, f.tag, f.alias, f.kind, f.value) for f in before.fields
        ], docx.name
    table = comparison_table(pairs, "tag")
    assert all(set(counts) == {"same"} for counts in table.values()), table


def test_libreoffice_25_returns_collect_as_the_docx_do(filled, soffice_25):
    from mentordocs.collect import collect_forms
    from mentordocs.tracking import read_tracking

    pairs = converted(filled, "filled", soffice_25, "25")
    results = {}
    for name, folder in (("docx", filled["base"] / "filled"), ("odt", pairs[0][1].parent)):
        tracking = filled["base"] / f"tracking-{name}.xlsx"
        result = collect_forms(
            [folder],
            tracking,
            filled["roster"],
            packets_dir=filled["base"] / "packets",
            include_confidential=True,
        )
        assert [p for p in result.problems if p.severity == "error"] == [], name
        results[name] = {(r.pair_id, r.form): r.values for r in read_tracking(tracking).returns}
    assert len(results["odt"]) == 44
    assert results["odt"] == results["docx"]


def test_libreoffice_25_keeps_the_bookmarks_inside_controls(filled, soffice_25):
    pairs = converted(filled, "anchored", soffice_25, "25", "P01_*.docx")  # one pair's forms
    assert len(pairs) == 4
    for _, odt_path in pairs:
        fields = odt_fields(odt_path)
        assert fields and all(f.anchor == f.tag for f in fields), odt_path.name


def test_blank_forms_read_blank_through_libreoffice_25(filled, soffice_25, tmp_path):
    blank = sorted((filled["base"] / "packets").glob("P01/*.docx"))
    odts = convert(blank, "odt", tmp_path, soffice=soffice_25)
    for docx, odt_path in zip(blank, odts, strict=True):
        before, after = docx_fields(docx), odt_fields(odt_path)
        assert [(f.id, f.kind, f.value, f.placeholder) for f in after] == [
            (f.id, f.kind, f.value, f.placeholder) for f in before
        ], docx.name
        assert any(f.placeholder for f in after)


def plain_text_ids(docx: Path) -> set[str]:
    return one_line_fields(docx)


def test_libreoffice_74_drops_names_and_filled_plain_text_controls(filled, soffice_74):
    soffice = soffice_74
    # What 7.4 loses, precisely: no control keeps its tag or alias; a filled plain-text
    # control is gone altogether (its text stays in the paragraph, with nothing to say which
    # field it was); every other control keeps its kind and value, in order.
    pairs = converted(filled, "filled", soffice, "74", "P0[12]_*.docx")  # two pairs' forms
    assert len(pairs) == 8
    for docx, odt_path in pairs:
        before, after = docx_fields(docx), odt_fields(odt_path)
        assert all((f.id, f.tag, f.alias, f.source) == ("", "", "", "unnamed") for f in after)
        plain = plain_text_ids(docx)
        kept = [(f.kind, f.value) for f in before if f.id not in plain]
        assert [(f.kind, f.value) for f in after] == kept, docx.name
        # Our forms carry a bookmark named after every field: collect proves each by it.
        assert all(f.anchor for f in read_form(odt_path).fields if f.source != "legacy")
        # A form made before the bookmarks (or with them deleted) is refused, saying why.
        with pytest.raises(FormReadError, match="removes the names"):
            read_form(without_bookmarks(odt_path.read_bytes()))


def without_bookmarks(odt_data: bytes) -> bytes:
    """An .odt with every bookmark taken out of its text."""
    source = zipfile.ZipFile(io.BytesIO(odt_data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                data = re.sub(rb"<text:bookmark(-start|-end)?\b[^>]*/>", b"", data)
            target.writestr(info, data)
    return out.getvalue()


def test_libreoffice_74_with_bookmarks_proves_every_field(filled, soffice_74):
    soffice = soffice_74
    # With a bookmark named after its field inside every control (the anchors branch), every
    # answer read from 7.4's .odt is found by its anchor with the value the .docx holds:
    # controls keep the bookmark inside them; a filled plain-text control's bookmark becomes
    # a point where the control began, and the rest of that paragraph is the answer (every
    # plain-text control of our templates is alone in its paragraph; checked below).
    pairs = converted(filled, "anchored", soffice, "74")
    for docx, odt_path in pairs:
        before, after = docx_fields(docx), odt_fields(odt_path)
        assert [(f.anchor, f.kind, f.value) for f in after] == [
            (f.id, f.kind, f.value) for f in before
        ], docx.name
    table = comparison_table(pairs, "anchor")
    assert all(set(counts) == {"same"} for counts in table.values()), table


def test_plain_text_controls_are_alone_in_their_paragraphs(filled):
    # What reading 7.4's point bookmarks relies on.
    for path in sorted((filled["base"] / "packets").rglob("*.docx")):
        with zipfile.ZipFile(path) as package:
            root = parse_xml(package.read("word/document.xml"))
        for pr in root.iter(W + "sdtPr"):
            if pr.find(W + "text") is None:
                continue
            sdt = pr.getparent()
            paragraph = sdt.getparent()
            assert paragraph.tag == W + "p", path.name
            around = (W + "pPr", W + "bookmarkStart", W + "bookmarkEnd")  # its own anchor
            others = [c for c in paragraph if c is not sdt and c.tag not in around]
            assert others == [], (path.name, pr.find(W + "tag").get(W + "val"))


def test_tracked_changes_in_a_real_odt(filled, soffice, soffice_25, tmp_path):
    source = filled["base"] / "filled" / "P01_goal-sheet.docx"
    with zipfile.ZipFile(source) as package:
        members = {info.filename: package.read(info) for info in package.infolist()}
    root = parse_xml(members["word/document.xml"])
    ann = 'w:author="Ann" w:date="2026-10-01T10:00:00Z"'
    for sdt in root.iter(W + "sdt"):
        if sdt.find(f"{W}sdtPr/{W}tag").get(W + "val") == "goal_1_goal":
            content = sdt.find(W + "sdtContent")
            for child in list(content):
                content.remove(child)
            changed = etree.fromstring(
                f'<w:x xmlns:w="{W[1:-1]}"><w:r><w:t xml:space="preserve">Keep </w:t></w:r>'
                f'<w:del w:id="901" {ann}><w:r><w:delText xml:space="preserve">deleted '
                f'</w:delText></w:r></w:del><w:ins w:id="902" {ann}><w:r><w:t>inserted</w:t>'
                '</w:r></w:ins><w:r><w:t xml:space="preserve"> end</w:t></w:r></w:x>'
            )
            content.extend(list(changed))
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    path = tmp_path / "tracked.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, payload in members.items():
            package.writestr(name, payload)
    for label, office in (("74", soffice), ("25", soffice_25)):
        [result] = convert([path], "odt", tmp_path / label, soffice=office)
        assert b"text:tracked-changes" in zipfile.ZipFile(result).read("content.xml")
        [goal] = [f for f in odt_fields(result) if f.kind == "text"][:1]
        assert goal.value == "Keep inserted end", label


def test_white_space_as_libreoffice_shows_it(soffice, soffice_25, tmp_path):
    # The white-space cases above, shown by LibreOffice itself (saved as plain text).
    body = "".join(f"<text:p>{markup}</text:p>" for markup in WHITE_SPACE_CASES)
    path = tmp_path / "spaces.odt"
    path.write_bytes(odt(body))
    expected = "\n".join(WHITE_SPACE_CASES.values())
    for label, office in (("74", soffice), ("25", soffice_25)):
        [text] = convert([path], "txt:Text (encoded):UTF8", tmp_path / label, soffice=office)
        assert text.read_text(encoding="utf-8-sig").rstrip("\n") == expected, label
