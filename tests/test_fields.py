"""Reading Word form fields: tiny inline XML for each rule, then real files from Word,
LibreOffice, Google Docs and docx4j (tests/fixtures/real-docx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from mentordocs.collect import read_form
from mentordocs.ooxml.fields import read_fields, set_field_value
from mentordocs.ooxml.ns import STRICT_TO_TRANSITIONAL, W
from mentordocs.ooxml.xml import UnsafeXmlError, parse_xml

W_NS = W
W_STRICT_NS = STRICT_TO_TRANSITIONAL[0][0]

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


# ---- valid XML read as XML (a hand-written scanner once read these differently) --------------


def test_a_name_given_twice_differently_names_nothing():
    root = body(
        sdt('<w:tag w:val="goal_1_goal"/><w:tag w:val="goal_2_goal"/>', run("which one?"))
        + sdt('<w:tag w:val="goal_3_goal"/><w:tag w:val="goal_3_goal"/>', run("the same twice"))
    )
    assert [(f.id, f.tag, f.value) for f in read_fields(root, unnamed=True)] == [
        ("", "", "which one?"),
        ("goal_3_goal", "goal_3_goal", "the same twice"),
    ]


def test_a_greater_than_sign_in_an_attribute_and_a_prefix_bound_anew():
    # ">" needs no escaping in an attribute value; a prefix may be bound to Word's namespace on
    # any element, and "w" to another namespace inside it.
    root = body(
        sdt(named("goal_1_goal") + '<w:placeholder w:val="a > b"/>', run("after a >"))
        + f'<q:sdt xmlns:q="{W_NS}"><q:sdtPr><q:tag q:val="goal_2_goal"/></q:sdtPr>'
        '<q:sdtContent><w:r xmlns:w="urn:not-word"><w:t>not Word text</w:t></w:r>'
        "<q:r><q:t>Word text</q:t></q:r></q:sdtContent></q:sdt>"
    )
    assert values(root) == {"goal_1_goal": "after a >", "goal_2_goal": "Word text"}


def test_a_very_long_name_is_read_as_it_is():
    long_name = "goal_1_goal" + "x" * 30_000
    root = body(sdt(named(long_name), run("kept")))
    [field] = read_fields(root)
    assert (field.id, field.value) == (long_name, "kept")


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
    assert drops == [  # read_form keeps what a field showing its placeholder shows
        ("Shay's Drop", "Choose an item.", True),
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
