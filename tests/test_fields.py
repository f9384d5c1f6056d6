"""Reading Word form fields: tiny inline XML for each rule, then real files from Word,
LibreOffice, Google Docs and docx4j (tests/fixtures/real-docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mentordocs.collect.harvest import read_form
from mentordocs.ooxml.controls import (
    W_NS,
    W_STRICT_NS,
    UnsafeXmlError,
    parse_xml,
    read_fields,
    read_fields_fast,
    set_field_value,
)

NS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"'
)


def body(xml: str, ns: str = NS) -> etree._Element:
    return parse_xml(f"<w:document {ns}><w:body>{xml}</w:body></w:document>".encode())


def sdt(props: str, content: str) -> str:
    return f"<w:sdt><w:sdtPr>{props}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def named(name: str) -> str:
    return f'<w:alias w:val="{name}"/><w:tag w:val="{name}"/>'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def values(root: etree._Element, **kwargs) -> dict[str, object]:
    return {f.id: f.value for f in read_fields(root, **kwargs)}


# ---- content controls ------------------------------------------------------------------------


def test_rich_text_joins_paragraphs_and_keeps_breaks_and_tabs():
    content = (
        "<w:p>" + run("first") + "<w:r><w:br/><w:t>second</w:t><w:tab/><w:t>x</w:t></w:r></w:p>"
        "<w:p>" + run("third") + "<w:r><w:cr/><w:t>fourth</w:t></w:r></w:p>"
    )
    root = body(sdt(named("notes"), content))
    assert values(root) == {"notes": "first\nsecond\tx\nthird\nfourth"}


def test_page_break_is_not_a_line_break():
    root = body(sdt(named("a"), "<w:p><w:r><w:t>x</w:t><w:br w:type='page'/></w:r></w:p>"))
    assert values(root) == {"a": "x"}


def test_placeholder_shown_is_blank_and_flagged():
    root = body(sdt(named("goal") + "<w:showingPlcHdr/>", "<w:p>" + run("Write here") + "</w:p>"))
    [field] = read_fields(root)
    assert (field.value, field.placeholder) == ("", True)
    [raw] = read_fields(root, placeholder_text=True)
    assert raw.value == "Write here"


@pytest.mark.parametrize(
    ("checked", "expected"),
    [
        ('<w14:checked w14:val="1"/>', True),
        ('<w14:checked w14:val="true"/>', True),
        ("<w14:checked/>", True),  # an omitted value means checked
        ('<w14:checked w14:val="0"/>', False),
        ('<w14:checked w14:val="false"/>', False),
        ("", False),
    ],
)
def test_checkbox_states(checked, expected):
    root = body(sdt(named("agree") + f"<w14:checkbox>{checked}</w14:checkbox>", run("x")))
    [field] = read_fields(root)
    assert (field.kind, field.value) == ("checkbox", expected)


def test_date_uses_full_date_else_text():
    picked = sdt(
        named("d1")
        + '<w:date w:fullDate="2026-03-05T00:00:00Z"><w:dateFormat w:val="d/M/yyyy"/></w:date>',
        run("5/3/2026"),
    )
    typed = sdt(named("d2") + "<w:date/>", run("next spring"))
    empty = sdt(
        named("d3") + '<w:date w:fullDate="2026-03-05T00:00:00Z"/><w:showingPlcHdr/>', run("Pick")
    )
    root = body(f"<w:p>{picked}{typed}{empty}</w:p>")
    fields = read_fields(root)
    assert [f.kind for f in fields] == ["date"] * 3
    assert values(root) == {"d1": "2026-03-05", "d2": "next spring", "d3": ""}


def test_dropdown_maps_shown_text_to_item_value_and_combo_keeps_free_text():
    items = (
        '<w:listItem w:value="Choose an item."/>'
        '<w:listItem w:displayText="Every two weeks" w:value="biweekly"/>'
        '<w:listItem w:displayText="Weekly" w:value="weekly"/>'
    )
    drop = sdt(named("freq") + f"<w:dropDownList>{items}</w:dropDownList>", run("Every two weeks"))
    combo = sdt(named("mode") + f"<w:comboBox>{items}</w:comboBox>", run("By pigeon"))
    root = body(f"<w:p>{drop}{combo}</w:p>")
    assert values(root) == {"freq": "biweekly", "mode": "By pigeon"}


def test_nested_controls_in_table_cells_headers_level_and_groups():
    inner = sdt(named("inner"), run("deep"))
    cell = f"<w:tbl><w:tr><w:tc><w:p>{inner}</w:p></w:tc></w:tr></w:tbl>"
    group = sdt("<w:group/>", cell)
    outer = sdt(named("outer"), "<w:p>" + run("outer text") + "</w:p>")
    root = body(group + outer)
    assert values(root) == {"inner": "deep", "outer": "outer text"}


def test_google_docs_wrappers_are_skipped_and_unnamed_controls_reported_on_request():
    google = sdt('<w:tag w:val="goog_rdk_3"/>', "<w:p>" + run("just text") + "</w:p>")
    anonymous = sdt("<w:dropDownList><w:listItem w:value='A'/></w:dropDownList>", run("A"))
    root = body(google + "<w:p>" + anonymous + "</w:p>")
    assert read_fields(root) == []
    [field] = read_fields(root, unnamed=True)
    assert (field.id, field.source, field.value, field.kind) == ("", "unnamed", "A", "dropdown")


def test_alias_only_control_is_named_by_alias():
    root = body(sdt('<w:alias w:val="mentor_sign_name"/>', run("Ana")))
    [field] = read_fields(root)
    assert (field.id, field.source) == ("mentor_sign_name", "alias")


def test_legacy_text_checkbox_and_dropdown():
    def legacy(ff: str, instr: str, result: str = "") -> str:
        return (
            f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData>{ff}</w:ffData></w:fldChar></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"{result}"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )

    xml = "<w:p>" + legacy(
        '<w:name w:val="Name"/><w:textInput/>', "FORMTEXT", run("Ana") + run(" Lee")
    )
    xml += legacy('<w:name w:val="Empty"/><w:textInput/>', "FORMTEXT", run("\u2002" * 5))
    xml += legacy(
        '<w:name w:val="Ok"/><w:checkBox><w:default w:val="0"/><w:checked/></w:checkBox>',
        "FORMCHECKBOX",
    )
    xml += legacy(
        '<w:name w:val="Pick"/><w:ddList><w:result w:val="2"/><w:listEntry w:val="a"/>'
        '<w:listEntry w:val="b"/><w:listEntry w:val="c"/></w:ddList>',
        "FORMDROPDOWN",
    )
    xml += "</w:p>"
    fields = read_fields(body(xml))
    assert [(f.id, f.kind, f.value, f.source) for f in fields] == [
        ("Name", "text", "Ana Lee", "legacy"),
        ("Empty", "text", "", "legacy"),
        ("Ok", "checkbox", True, "legacy"),
        ("Pick", "dropdown", "c", "legacy"),
    ]


def test_strict_namespaces_are_normalised():
    strict = NS.replace(W_NS, W_STRICT_NS)
    root = body(sdt(named("a"), run("strict value")), ns=strict)
    assert values(root) == {"a": "strict value"}


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><d>&a;&a;</d>',
        b'<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd"><d/>',
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    ],
)
def test_doctype_and_entities_are_refused(xml):
    with pytest.raises(UnsafeXmlError):
        parse_xml(xml)


def test_doctype_in_utf16_is_refused_after_parsing():
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "x">]><d>&a;</d>'
    with pytest.raises(UnsafeXmlError):
        parse_xml(xml.encode("utf-16"))


def test_set_field_value_round_trips_every_kind():
    items = '<w:listItem w:displayText="Weekly" w:value="weekly"/><w:listItem w:displayText="Monthly" w:value="monthly"/>'
    xml = "<w:p>" + sdt(named("t") + "<w:showingPlcHdr/>", run("Type here")) + "</w:p>"
    xml += (
        "<w:p>"
        + sdt(named("c") + "<w14:checkbox><w14:checked w14:val='0'/></w14:checkbox>", run("\u2610"))
        + "</w:p>"
    )
    xml += "<w:p>" + sdt(named("d") + "<w:date/><w:showingPlcHdr/>", run("Pick a date")) + "</w:p>"
    xml += (
        "<w:p>"
        + sdt(named("f") + f"<w:dropDownList>{items}</w:dropDownList>", run("Weekly"))
        + "</w:p>"
    )
    root = body(xml)
    assert set_field_value(root, "t", " two\nlines\tand <&> \u05e9\u05dc\u05d5\u05dd ") == 1
    set_field_value(root, "c", True)
    set_field_value(root, "d", "2026-09-30")
    set_field_value(root, "f", "monthly")
    assert set_field_value(root, "missing", "x") == 0
    reread = parse_xml(etree.tostring(root))
    assert values(reread) == {
        "t": " two\nlines\tand <&> \u05e9\u05dc\u05d5\u05dd ",
        "c": True,
        "d": "2026-09-30",
        "f": "monthly",
    }


# ---- real files made elsewhere ---------------------------------------------------------------


def fields_of(path: Path) -> list[tuple[str, str, object]]:
    return [(f.id, f.kind, f.value) for f in read_form(path).fields]


def test_word_content_control_checkboxes_and_dropdowns(real_docx):
    fields = read_form(real_docx / "docx2python__check_drop_my.docx").fields
    boxes = [f.value for f in fields if f.kind == "checkbox" and f.source == "unnamed"]
    assert boxes == [False, True]
    drops = [(f.id, f.value, f.placeholder) for f in fields if f.id == "Shay's Drop"]
    assert drops == [
        ("Shay's Drop", "", True),
        ("Shay's Drop", "my_item_A", False),
        ("Shay's Drop", "my_item_B", False),
    ]
    legacy = [(f.id, f.kind, f.value) for f in fields if f.source == "legacy"]
    assert legacy == [
        ("", "checkbox", False),
        ("Check1", "checkbox", True),  # unchecked state absent, default 1
        ("Dropdown2", "dropdown", "Piihan B"),  # no result: the first entry
    ]


def test_docx4j_legacy_forms(real_docx):
    assert fields_of(real_docx / "docx4j__LegacyForms.docx") == [
        ("Text1", "text", ""),
        ("Check1", "checkbox", False),
        ("Dropdown1", "dropdown", ""),
    ]


def test_legacy_checkbox_true_false_matrix(real_docx):
    # The document labels each box: default/checked x 0/false/1/true.
    values_ = [v for _, _, v in fields_of(real_docx / "docx2python__checked-true-false.docx")]
    assert values_ == [False, False, False, False, True, True, True, True]


@pytest.mark.parametrize(
    ("name", "checked", "choice"),
    [
        ("docx2python__checked_drop1.docx", True, "PIlihan A"),
        ("docx2python__unchecked_drop0.docx", False, "Piihan B"),
    ],
)
def test_legacy_checked_and_dropdown_result(real_docx, name, checked, choice):
    assert fields_of(real_docx / name) == [
        ("Check1", "checkbox", checked),
        ("Dropdown2", "dropdown", choice),
    ]


def test_agency_form_with_many_legacy_fields(real_docx):
    fields = read_form(real_docx / "docx2python__checked_boxes.docx").fields
    kinds = [f.kind for f in fields]
    assert (kinds.count("text"), kinds.count("checkbox"), kinds.count("dropdown")) == (46, 44, 14)
    by_name = {f.id: f.value for f in fields}
    assert by_name["chkMember_APS"] is True
    assert by_name["chkOfficeUse_Urgent"] is False


def test_rich_text_control(real_docx):
    assert fields_of(real_docx / "docx2python__ControlTest.docx") == [
        (
            "Test_Control",
            "text",
            "This is a test\nFor a content control or content container in word. ",
        )
    ]


def test_bound_controls_named_by_tag_or_alias(real_docx):
    invoice = dict((i, v) for i, _, v in fields_of(real_docx / "docx4j__invoice.docx"))
    assert invoice["od:xpath=x1&customer name=customer name"] == "Joe Bloggs"
    simple = fields_of(real_docx / "docx4j__binding-simple.docx")
    assert simple == [
        ("Data value: element", "text", "element 1 contents"),
        ("Data value: element2", "text", "element 2 contents"),
    ]


def test_strict_document_is_read(real_docx):
    reading = read_form(real_docx / "docx2python__strict.docx")
    assert reading.strict and reading.main_part == "word/document.xml"
    assert reading.fields == []


def test_renamed_main_part_found_through_rels(real_docx):
    reading = read_form(real_docx / "docx2python__renamed_document_xml.docx")
    assert reading.main_part == "word/blah_blah.xml"
    with zipfile.ZipFile(real_docx / "docx2python__renamed_document_xml.docx") as z:
        assert "word/document.xml" not in z.namelist()


@pytest.mark.parametrize(
    "name",
    [
        "docx2python__test-docx2python-conversion-google_docs.docx",
        "docx2python__libreoffice_conversion.docx",
        "docx2python__merged_cells.docx",
    ],
)
def test_documents_without_fields_have_none(real_docx, name):
    reading = read_form(real_docx / name)
    assert reading.fields == []
    assert reading.modified is None or reading.modified.year > 2000


def test_custom_properties_and_modified_time_are_read(real_docx):
    reading = read_form(real_docx / "docx2python__checked-true-false.docx")
    assert reading.properties["MSIP_Label_b670c84b-f5f9-4c6c-a358-8f158745c3e2_Name"] == "Public"
    assert reading.modified is not None


# ---- the fast byte scan gives exactly what lxml gives ----------------------------------------


def both(xml: bytes) -> tuple[list | None, list]:
    fast = read_fields_fast(xml, unnamed=True)
    slow = read_fields(parse_xml(xml), unnamed=True)
    return fast, slow


def doc(inner: str) -> bytes:
    return f"<w:document {NS}><w:body>{inner}</w:body></w:document>".encode()


@pytest.mark.parametrize(
    "inner",
    [
        sdt(named("a"), "<w:p>" + run("x &amp; y &lt;z&gt; &#x1F600; &#233;") + "</w:p><w:p/>"),
        sdt(named("a"), run("&amp;lt; is not &lt; &amp;amp; &quot;q&quot; &apos;a&apos;")),
        sdt(named("a") + "<w:showingPlcHdr/>", run("Type here")),
        sdt(named("a") + '<w14:checkbox><w14:checked w14:val="true"/></w14:checkbox>', run("x")),
        sdt(named("a") + "<w14:checkbox/>", run("x")),
        sdt(named("d") + '<w:date w:fullDate="2026-01-02T00:00:00Z"/>', run("2 Jan")),
        sdt(named("d") + "<w:date/>", run("next week")),
        sdt(named("d") + "<w:date><w:dateFormat w:val='d/M'/></w:date>", run("")),
        sdt(
            named("f") + "<w:dropDownList><w:listItem w:displayText='One &amp; two' "
            'w:value="1&amp;2"/></w:dropDownList>',
            run("One &amp; two"),
        ),
        sdt(
            named("a") + "<w:sdtEndPr/>",
            "<w:r><w:t>a</w:t><w:br w:type='page'/><w:br/><w:cr/>"
            "<w:tab/><w:noBreakHyphen/><w:t xml:space='preserve'> b </w:t><w:t/></w:r>",
        ),
        sdt('<w:tag w:val="goog_rdk_1"/>', run("google")) + sdt("", run("anonymous")),
        # The fast lane (alias then tag, as generated) and what it must hand on.
        sdt(named("t") + "<w:text/>", "<w:r><w:t>a &amp; b</w:t><w:br/><w:t>c</w:t></w:r>"),
        sdt(named("t"), "<w:r><w:t>a &amp;</w:t><w:t>amp; b &#233;</w:t></w:r>"),
        sdt(named("t"), "<w:r><w:t>x</w:t><w:br w:type='page'/><w:t>y</w:t></w:r>"),
        sdt(named("t"), "<w:r><w:t>x</w:t><w:tab/><w:t>y</w:t><w:cr/><w:noBreakHyphen/></w:r>"),
        sdt(named("t"), "<w:r><w:t/><w:t></w:t></w:r>"),
        sdt(named("t"), ""),
        sdt(named("c") + '<w14:checkbox><w14:checked w14:val="1"/></w14:checkbox>', run("x")),
        sdt(named("c") + '<w14:checkbox><w14:checked w14:val="0"/></w14:checkbox>', run("x")),
        sdt(
            named("c") + '<w14:checkbox><w14:checkedState w14:val="2612"/></w14:checkbox>',
            run("x"),
        ),
        sdt(named("c") + "<w14:checkbox><w14:checked/></w14:checkbox>", run("x")),
        sdt(named("d") + '<w:date w:fullDate="2026-03-04T00:00:00Z"/>', run("4 March")),
        sdt(named("d") + '<w:date w:fullDate="2026-03-04T00:00:00Z"/>', run(" ")),
        sdt(named("d") + "<w:date><w:dateFormat w:val='d/M'/></w:date>", run("soon")),
        sdt(
            named("f") + '<w:dropDownList><w:listItem w:displayText="One" w:value="1"/>'
            '<w:listItem w:displayText="Two" w:value="2"/></w:dropDownList>',
            run(" Two "),
        ),
        sdt(
            named("f") + '<w:comboBox><w:listItem w:displayText="One" w:value="1"/>'
            "<w:listItem w:value='3'/></w:comboBox>",
            run("3"),
        ),
        sdt(
            named("f") + '<w:dropDownList><w:listItem w:displayText="One" w:value="1"/>'
            "</w:dropDownList>",
            run("typed"),
        ),
        sdt(named("t") + "<w:showingPlcHdr/>", run("Click here")),
        sdt('<w:alias w:val="a"/><w:tag w:val=""/>', run("alias only")),
        sdt('<w:alias w:val="x"/><w:tag w:val="goog_rdk_2"/>', run("google")),
        sdt(named("t"), "<w:r><w:t>one</w:t></w:r><w:proofErr w:type='spellStart'/>"),
        # '!' and '?' in text are not comments or processing instructions.
        sdt(named("t"), run("Great! Why? 2 &gt; 1")),
        sdt(named("t"), run("x")) + "<w:r><w:t>Done! Next?</w:t></w:r>",
        # Word's w:sdtEndPr between the properties and the content.
        sdt(named("t"), run("x")).replace("</w:sdtPr>", "</w:sdtPr><w:sdtEndPr/>"),
        sdt(named("t"), run("y")).replace(
            "</w:sdtPr>", "</w:sdtPr><w:sdtEndPr><w:rPr><w:b/></w:rPr></w:sdtEndPr>"
        ),
        # "Data" in a date's properties is not a legacy field's w:ffData.
        sdt(
            named("d") + '<w:date w:fullDate="2026-03-04T00:00:00Z"><w:lid w:val="en-GB"/>'
            '<w:storeMappedDataAs w:val="dateTime"/></w:date>',
            run("4 March"),
        ),
        sdt(named("t"), "<w:r><w:t xml:space='preserve'>a</w:t><w:t/><w:t>b</w:t></w:r>"),
        sdt(named("t"), run("&#x10FFFF; &#9; &#233;")),
        # Line breaks between, before and after the texts of a run; references beside them.
        sdt(named("t"), "<w:r><w:br/><w:t>x</w:t><w:br/></w:r><w:r><w:br/></w:r>"),
        sdt(
            named("t"),
            "<w:r><w:t xml:space='preserve'>a </w:t><w:br/><w:t xml:space='preserve'> b</w:t>"
            "<w:br/><w:br/><w:t>c &amp;</w:t><w:br/><w:t>amp; d</w:t></w:r>",
        ),
        sdt(named("t"), "<w:r><w:t>a</w:t><w:t>b</w:t></w:r><w:r><w:t/><w:t>c</w:t></w:r>"),
        # "sdt" that does not begin a w: element's name: typed in a field's text or elsewhere.
        sdt(named("a"), run("my sdt notes")),
        run("sdt") + sdt(named("a"), run("x")) + run("xsdt sdt"),
        # A checkbox's content is never read, whatever its start tag holds.
        sdt(named("c") + "<w14:checkbox/>", run("x")).replace(
            "<w:sdtContent>", "<w:sdtContent w:x='1'>"
        ),
    ],
)
def test_fast_scan_equals_lxml(inner):
    fast, slow = both(doc("<w:p>" + inner + "</w:p>"))
    assert fast is not None
    assert fast == slow


@pytest.mark.parametrize(
    "inner",
    [
        sdt(named("outer"), sdt(named("inner"), run("nested"))),  # nested controls
        "<!-- a comment -->" + sdt(named("a"), run("x")),
        sdt("<w:group/>", run("x")),
        "<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>" + sdt(named("a"), run("x")),
        sdt(named("a"), run("an &undefined; entity")),
        sdt(named("a") + "<w:group/>", run("x")),  # a container in the fast lane's shape
        '<w:sdt w:x="1"><w:sdtPr>'
        + named("a")
        + "</w:sdtPr><w:sdtContent>"
        + run("x")
        + "</w:sdtContent></w:sdt>",  # attributes on the start tag
        "<w:r><w:fldChar w:fldCharType='begin'><w:ffData><w:name w:val='f'/></w:ffData>"
        "</w:fldChar></w:r>" + sdt(named("a"), run("x")),  # a legacy field
        sdt(named("a"), run("fine")) + "<w:p/></w:sdt>",  # an end tag with no start
        # A control with attributes and an end tag with a space: once missed by the scan.
        sdt(named("a"), run("x"))
        + '<w:sdt w:x="1"><w:sdtPr>'
        + named("b")
        + "</w:sdtPr><w:sdtContent>"
        + run("y")
        + "</w:sdtContent></w:sdt >",
        sdt(named("a"), "<w:r><w:t>a<?pi x?>b</w:t></w:r>"),  # lxml's text stops at the PI
        "<?pi x?>" + sdt(named("a"), run("x")),  # any processing instruction
        sdt(named("a"), run("<![CDATA[x]]>")),  # CDATA
        sdt(named("a"), run("x<!-- c -->y")),  # a comment in a field's text
        sdt(named("a") + sdt(named("b"), run("in props")), run("x")),  # a control in properties
        sdt(named("a"), "<w:p>" + sdt(named("b"), run("inner")) + "</w:p>"),  # nested, in a p
        sdt(named("a"), "<w:r><w:t>A<w:t>B</w:t>C</w:t></w:r>"),  # lxml gives "AB"
        sdt(named("a"), "<w:r><w:t>A<w:r/>B</w:t></w:r>"),  # lxml gives "A"
        sdt(named("a"), "<w:p><w:r><w:t>A<w:t>B</w:t>C</w:t></w:r></w:p>"),  # the same, slow lane
        sdt(named("a"), "<w:r><w:t>X<w:t xml:space='preserve'/>Y</w:t></w:r>"),  # lxml: "X"
        sdt(named("a"), "<w:r><w:t>a\r\nb</w:t></w:r>"),  # lxml turns CR LF into LF
        sdt(named("a"), "<w:p><w:r><w:t>a\rb</w:t></w:r></w:p>"),  # the same, slow lane
        sdt('<w:alias w:val="a\tb"/><w:tag w:val="a\tb"/>', run("x")),  # lxml: "a b"
        sdt('<w:tag w:val="a\nb"/>', run("x")),
        sdt(named("a"), run("an &#0; character XML forbids")),
        sdt(named("a"), run("one as is: \x03 &amp;")),
        sdt(named("a"), run("&amp &lt;")),  # a reference without its ';'
        sdt(named("a"), run("notes on ffData")),  # legacy fields are looked for by that name
        sdt(named("a"), run("D" * 60 + " ffData")),  # ... past many a 'D' too
        sdt(named("a"), "<w:r><w:t>x</w:t ><w:t>y</w:t></w:r>"),  # an end tag with a space
        sdt(named("a"), run("x")).replace("<w:sdtContent>", "<w:sdtContent w:x='1'>"),
        sdt("", run("x")).replace("<w:sdtContent>", "<w:sdtContent w:x='1'>"),  # slow lane
    ],
)
def test_fast_scan_leaves_unusual_parts_to_lxml(inner):
    assert read_fields_fast(doc("<w:p>" + inner + "</w:p>"), unnamed=True) is None


def test_fast_scan_reads_parts_word_2020_writes():
    # Word declares the "w16sdtdh" prefix (and lists it as ignorable) on every part's root,
    # and may put a checksum in a control's properties.
    root = (
        f"<w:document {NS} "
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:w16sdtdh="http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash" '
        'mc:Ignorable="w14 w16sdtdh"><w:body><w:p>'
    )
    checksum = '<w16sdtdh:storeItemChecksum w16sdtdh:val="x1"/>'
    inner = sdt(named("a") + checksum, run("notes on sdt")) + sdt(named("b"), run("y"))
    xml = (root + inner + "</w:p></w:body></w:document>").encode()
    fast, slow = both(xml)
    assert [f.value for f in slow] == ["notes on sdt", "y"]
    assert fast == slow


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
        b"<?xml version='1.0' encoding='utf-8'?>",
        b'\xef\xbb\xbf<?xml version="1.0"?>',
        b"",
    ],
)
def test_fast_scan_reads_parts_declared_utf8(head):
    fast, slow = both(head + doc("<w:p>" + sdt(named("a"), run("caf\u00e9?!")) + "</w:p>"))
    [field] = slow
    assert field.value == "caf\u00e9?!"
    assert fast == slow


def test_fast_scan_leaves_other_encodings_and_bad_bytes_to_lxml():
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + doc(
        "<w:p>" + sdt(named("a"), run("caf\u00e9")) + "</w:p>"
    ).replace("\u00e9".encode(), b"\xe9")
    assert read_fields_fast(latin, unnamed=True) is None
    assert read_fields(parse_xml(latin))[0].value == "caf\u00e9"  # what lxml makes of it
    broken = doc("<w:p>" + sdt(named("a"), run("x")) + "</w:p>").replace(b">x<", b">\xff<")
    assert read_fields_fast(broken, unnamed=True) is None  # not a UnicodeDecodeError
    with pytest.raises(etree.XMLSyntaxError):
        parse_xml(broken)
    stylesheet = b'<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?>' + doc("")
    assert read_fields_fast(stylesheet, unnamed=True) is None
    with_nul = doc("<w:p>" + sdt(named("a"), run("x\0y")) + "</w:p>")
    assert read_fields_fast(with_nul, unnamed=True) is None
    # A reference cut in two by a line break: lxml refuses the part; so does the scan.
    cut = sdt(named("a"), "<w:r><w:t>x &am</w:t><w:br/><w:t>p; y</w:t></w:r>")
    assert read_fields_fast(doc("<w:p>" + cut + "</w:p>"), unnamed=True) is None


def test_fast_scan_refuses_doctype():
    with pytest.raises(UnsafeXmlError):
        read_fields_fast(b'<!DOCTYPE d [<!ENTITY a "b">]>' + doc(sdt(named("a"), run("&a;"))))


def test_fast_scan_on_every_real_file(real_docx):
    for path in sorted(real_docx.glob("*.docx")):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("word/") and name.endswith(".xml"):
                    data = z.read(name)
                    fast = read_fields_fast(data, unnamed=True)
                    if fast is not None:
                        assert fast == read_fields(parse_xml(data), unnamed=True), (path, name)


# ---- the fast scan against lxml on made-up parts ---------------------------------------------

_PROPERTIES = [
    named("a"),
    named("a") + "<w:text/>",
    '<w:rPr><w:b/></w:rPr><w:alias w:val="w"/><w:tag w:val="w"/><w:id w:val="7"/>',
    named("b") + '<w14:checkbox><w14:checked w14:val="1"/></w14:checkbox>',
    named("b") + "<w14:checkbox><w14:checked/></w14:checkbox>",
    named("b") + "<w14:checkbox/>",
    named("d") + '<w:date w:fullDate="2026-03-04T00:00:00Z"><w:storeMappedDataAs/></w:date>',
    named("d") + "<w:date/>",
    named("f") + '<w:dropDownList><w:listItem w:displayText="One" w:value="1"/>'
    "<w:listItem w:value='2'/></w:dropDownList>",
    named("f") + '<w:comboBox><w:listItem w:displayText=" One " w:value="1"/></w:comboBox>',
    named("p") + "<w:showingPlcHdr/>",
    '<w:alias w:val="only alias"/>',
    '<w:tag w:val="goog_rdk_9"/>',
    "",
    "<w:group/>",
    named("g") + "<w:docPartObj><w:docPartGallery w:val='x'/></w:docPartObj>",
    named("e") + "<w:sdtEndPr/>",
    '<w:alias w:val="a&amp;b"/><w:tag w:val="t&#233;"/>',
]
_TEXTS = [
    "x",
    "",
    " two  words ",
    "a &amp; b &lt;c&gt;",
    "&quot;q&quot; &apos;a&apos; &amp;lt; &amp;amp; &amp;",
    "&#233;&#x1F600;",
    "Why? Yes!",
    "sdt",
]
_CONTENTS = [
    *[run(text) for text in _TEXTS],
    "<w:r><w:t>a</w:t><w:br/><w:t>b</w:t></w:r>",
    "<w:r><w:t>a</w:t><w:br w:type='page'/><w:tab/><w:cr/><w:noBreakHyphen/></w:r>",
    "<w:r><w:t/><w:t></w:t><w:rPr><w:i/></w:rPr></w:r>",
    "<w:p><w:r><w:t>one</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>two</w:t></w:r></w:p>",
    "",
    "<w:r><w:t>A<w:t>B</w:t></w:t></w:r>",
    sdt(named("inner"), run("nested")),
    "<w:p>" + sdt(named("inner"), run("nested")) + "</w:p>",
]
_END_PROPERTIES = ["", "<w:sdtEndPr/>", "<w:sdtEndPr><w:rPr><w:b/></w:rPr></w:sdtEndPr>"]
_BETWEEN = [
    run("between"),
    run("sdt"),
    "<w:proofErr w:type='spellStart'/>",
    "<!-- a comment -->",
    "<?pi data?>",
    '<w:bookmarkStart w:id="0" w:name="b"/><w:bookmarkEnd w:id="0"/>',
    "<w:r><w:fldChar w:fldCharType='begin'><w:ffData><w:name w:val='L'/><w:textInput/>"
    "</w:ffData></w:fldChar></w:r><w:r><w:fldChar w:fldCharType='separate'/></w:r>"
    + run("legacy")
    + "<w:r><w:fldChar w:fldCharType='end'/></w:r>",
]


@st.composite
def _control(draw: st.DrawFn) -> str:
    start = draw(st.sampled_from(["<w:sdt>"] * 5 + ['<w:sdt w:x="1">']))
    properties = draw(st.sampled_from(_PROPERTIES))
    end = draw(st.sampled_from(_END_PROPERTIES))
    content = draw(st.sampled_from(_CONTENTS))
    content_start = draw(st.sampled_from(["<w:sdtContent>"] * 5 + ["<w:sdtContent w:x='1'>"]))
    return (
        f"{start}<w:sdtPr>{properties}</w:sdtPr>{end}"
        f"{content_start}{content}</w:sdtContent></w:sdt>"
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.one_of(_control(), st.sampled_from(_BETWEEN)), max_size=6),
    head=st.sampled_from([b"", b'<?xml version="1.0" encoding="UTF-8"?>\r\n']),
    word=st.booleans(),
)
def test_fast_scan_gives_what_lxml_gives_or_leaves_it(pieces, head, word):
    xml = head + doc("<w:p>" + "".join(pieces) + "</w:p>")
    if word:  # the root as Word 2020 writes it
        xml = xml.replace(
            b"<w:document ",
            b'<w:document xmlns:w16sdtdh="http://schemas.microsoft.com/office/word/2020/'
            b'wordml/sdtdatahash" ',
        )
    fast, slow = both(xml)
    assert fast is None or fast == slow
