"""Word form fields at the XML level: the one module that touches ``w:sdt`` and legacy fields.

Content controls (``w:sdt``) carry our field id in both ``w:tag`` and ``w:alias`` (LibreOffice
drops the tag when it re-saves a form; the alias survives). Kinds: ``text`` (plain or rich
text), ``checkbox`` (``w14:checkbox``), ``date`` (``w:date``), ``dropdown``
(``w:dropDownList`` / ``w:comboBox``). Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN)
are read too.

Everything here is a pure function over lxml elements or bytes; ``Field`` is the plain result.
"""

from __future__ import annotations

from typing import NamedTuple

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Strict Open XML uses other namespace URIs for the same elements.
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_STRICT_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"

NSMAP = {"w": W_NS, "w14": W14_NS, "r": R_NS}

FIELD_KINDS = ("text", "checkbox", "date", "dropdown")


def qn(name: str) -> str:
    """``"w:tag"`` -> ``"{namespace}tag"`` (Clark notation) using NSMAP."""
    prefix, local = name.split(":", 1)
    return f"{{{NSMAP[prefix]}}}{local}"


class Field(NamedTuple):
    """One fillable field found in a document.

    ``id`` is our field id where the control is ours (from the tag, else the alias), else the
    best name available (tag, alias, legacy field name). ``value`` is ``str`` for text, date and
    dropdown fields ('' when blank or still showing its placeholder), ``bool`` for checkboxes.
    ``source`` says where the name came from: "tag", "alias", "position" or "legacy".

    A named tuple: a form's fields are made by the hundred, and a tuple is made in C.
    """

    id: str
    kind: str
    value: str | bool
    tag: str = ""
    alias: str = ""
    source: str = "tag"
    placeholder: bool = False  # still showing its placeholder text


# ---- writing (content controls for templates): owned by the forms work ----------------------

# Builders return XML text (one w:sdt, namespace prefixes w: and w14: as declared on every
# document root python-docx and Word write). Text given to them is escaped here, so a caller
# passes plain text or a Jinja expression such as "{{ pair.meeting_place }}" as it is.

from xml.sax.saxutils import escape as _xml_escape  # noqa: E402
from xml.sax.saxutils import quoteattr as _xml_quoteattr  # noqa: E402

PLACEHOLDER_STYLE = "PlaceholderText"  # the character style Word uses for placeholder text
CHECKBOX_FONT = "MS Gothic"  # Word's own choice; LibreOffice falls back to any font with U+2610
CHECKED_GLYPH = "\u2612"  # ☒
UNCHECKED_GLYPH = "\u2610"  # ☐
DATE_FORMAT = "d MMMM yyyy"  # how a picked date is shown, e.g. "1 September 2026"
DATE_LOCALE = "en-GB"
LEVELS = ("block", "run", "cell")


def _attr(value: str) -> str:
    return _xml_quoteattr(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def text_element(text: str) -> str:
    """One w:t holding ``text`` (escaped). Spaces at either end are kept only when the element
    says so (``xml:space="preserve"``), and so is a Jinja tag's value, which may bring its own;
    other text goes without it, as Word writes it."""
    space = ' xml:space="preserve"' if "{" in text or text != text.strip() else ""
    return f"<w:t{space}>{_xml_escape(text)}</w:t>"


def _run(text: str, rpr: str = "", placeholder: bool = False) -> str:
    """One w:r; line breaks in ``text`` become w:br (a Jinja expression is left as it is)."""
    props = rpr
    if placeholder:
        props = f'<w:rStyle w:val="{PLACEHOLDER_STYLE}"/>' + props
    head = f"<w:rPr>{props}</w:rPr>" if props else ""
    pieces = []
    for index, line in enumerate(text.split("\n")):
        if index:
            pieces.append("<w:br/>")
        pieces.append(text_element(line))
    return f"<w:r>{head}{''.join(pieces)}</w:r>"


def sdt_properties(
    field_id: str,
    kind: str,
    *,
    placeholder: bool,
    multiline: bool = False,
    choices: tuple[str, ...] | list[str] = (),
    checked: bool = False,
    full_date: str | None = None,
    rpr: str = "",
) -> str:
    """The w:sdtPr of one field: alias and tag = ``field_id``, then what its kind needs.

    ``kind`` is "text": a plain-text control (``w:text``) for a one-line answer, whose alias
    LibreOffice keeps when it re-saves a form; with ``multiline`` a rich-text control, whose
    line breaks LibreOffice keeps (it moves them out of a plain-text control, joining the
    lines) though it drops the alias. Then "checkbox", "date" (``full_date`` "YYYY-MM-DD" only
    when prefilled) or
    "dropdown" (``choices``). ``placeholder`` marks the content as placeholder text
    (``w:showingPlcHdr``), which Word clears as soon as someone types.
    """
    if kind not in FIELD_KINDS:
        raise ValueError(f"unknown field kind {kind!r}; expected one of {FIELD_KINDS}")
    parts = []
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append(f"<w:alias w:val={_attr(field_id)}/>")
    parts.append(f"<w:tag w:val={_attr(field_id)}/>")
    if placeholder and kind != "checkbox":
        parts.append("<w:showingPlcHdr/>")
    if kind == "text":
        if not multiline:
            parts.append("<w:text/>")
    elif kind == "checkbox":
        parts.append(
            "<w14:checkbox>"
            f'<w14:checked w14:val="{1 if checked else 0}"/>'
            f'<w14:checkedState w14:val="{ord(CHECKED_GLYPH):04X}" w14:font="{CHECKBOX_FONT}"/>'
            f'<w14:uncheckedState w14:val="{ord(UNCHECKED_GLYPH):04X}" w14:font="{CHECKBOX_FONT}"/>'
            "</w14:checkbox>"
        )
    elif kind == "date":
        full = f" w:fullDate={_attr(full_date + 'T00:00:00Z')}" if full_date else ""
        parts.append(
            f"<w:date{full}><w:dateFormat w:val={_attr(DATE_FORMAT)}/>"
            f'<w:lid w:val="{DATE_LOCALE}"/>'
            '<w:calendar w:val="gregorian"/></w:date>'
        )
    else:
        if not choices:
            raise ValueError(f"dropdown {field_id} needs its choices")
        items = "".join(
            f"<w:listItem w:displayText={_attr(c)} w:value={_attr(c)}/>" for c in choices
        )
        parts.append(f"<w:dropDownList>{items}</w:dropDownList>")
    return f"<w:sdtPr>{''.join(parts)}</w:sdtPr>"


def checkbox_run(checked: bool = False) -> str:
    """The run showing a checkbox's glyph (inside the checkbox control's content)."""
    font = (
        f'<w:rFonts w:ascii="{CHECKBOX_FONT}" w:eastAsia="{CHECKBOX_FONT}" '
        f'w:hAnsi="{CHECKBOX_FONT}" w:hint="eastAsia"/>'
    )
    return _run(CHECKED_GLYPH if checked else UNCHECKED_GLYPH, font)


def content_control(
    field_id: str,
    kind: str = "text",
    *,
    text: str = "",
    placeholder_text: str = "",
    level: str = "run",
    multiline: bool = False,
    choices: tuple[str, ...] | list[str] = (),
    checked: bool = False,
    full_date: str | None = None,
    rpr: str = "",
    ppr: str = "",
    tcpr: str = "",
) -> str:
    """One content control as XML text, tagged and aliased ``field_id``.

    ``text`` is the initial content (a value or a Jinja expression); when it is empty the
    control shows ``placeholder_text`` as placeholder. ``level`` says where it sits: "run"
    (inside a w:p), "block" (around a w:p, in the body or a table cell) or "cell" (around a w:tc,
    inside a w:tr); ``ppr``/``tcpr`` give the paragraph and cell properties the content needs.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    if kind == "checkbox":
        showing = False
        runs = checkbox_run(checked)
    else:
        showing = not text
        if showing and not placeholder_text:
            raise ValueError(f"field {field_id}: give its initial text or its placeholder text")
        runs = _run(text or placeholder_text, rpr, placeholder=showing)
    pr = sdt_properties(
        field_id,
        kind,
        placeholder=showing,
        multiline=multiline,
        choices=choices,
        checked=checked,
        full_date=full_date,
        rpr=rpr if kind != "checkbox" else "",
    )
    if level == "run":
        content = runs
    else:
        p_head = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
        content = f"<w:p>{p_head}{runs}</w:p>"
        if level == "cell":
            tc_head = f"<w:tcPr>{tcpr}</w:tcPr>" if tcpr else ""
            content = f"<w:tc>{tc_head}{content}</w:tc>"
    return f"<w:sdt>{pr}<w:sdtContent>{content}</w:sdtContent></w:sdt>"


def text_control(field_id: str, text: str = "", placeholder_text: str = "", **kw: object) -> str:
    """A text field: plain text, or rich text holding several lines with ``multiline=True``."""
    return content_control(field_id, "text", text=text, placeholder_text=placeholder_text, **kw)  # type: ignore[arg-type]


def checkbox_control(field_id: str, checked: bool = False, **kw: object) -> str:
    """A ☐/☒ checkbox (``w14:checkbox``)."""
    return content_control(field_id, "checkbox", checked=checked, **kw)  # type: ignore[arg-type]


def date_control(
    field_id: str,
    text: str = "",
    placeholder_text: str = "Choose a date",
    full_date: str | None = None,
    **kw: object,
) -> str:
    """A date picker; ``text`` (shown) and ``full_date`` (YYYY-MM-DD) only when prefilled."""
    return content_control(
        field_id,
        "date",
        text=text,
        placeholder_text=placeholder_text,
        full_date=full_date,
        **kw,  # type: ignore[arg-type]
    )


def dropdown_control(
    field_id: str,
    choices: tuple[str, ...] | list[str],
    text: str = "",
    placeholder_text: str = "Choose an item",
    **kw: object,
) -> str:
    """A drop-down list of fixed ``choices``; ``text`` is the chosen one when prefilled."""
    return content_control(
        field_id,
        "dropdown",
        text=text,
        placeholder_text=placeholder_text,
        choices=choices,
        **kw,  # type: ignore[arg-type]
    )


def wrap_namespaces(xml: str) -> str:
    """``xml`` inside a dummy root declaring w: and w14:, so lxml can parse a builder's output."""
    return f'<root xmlns:w="{W_NS}" xmlns:w14="{W14_NS}">{xml}</root>'


# ---- end writing -----------------------------------------------------------------------------

# ---- reading (fields from a filled form): owned by the harvest work -------------------------

import copy  # noqa: E402
import re  # noqa: E402
from itertools import repeat  # noqa: E402
from operator import itemgetter  # noqa: E402
from typing import Any  # noqa: E402

from lxml import etree  # noqa: E402

from mentordocs.errors import MentordocsError  # noqa: E402

W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_STRICT_TO_TRANSITIONAL = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", W_NS.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", R_NS.encode()),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/math",
        b"http://schemas.openxmlformats.org/officeDocument/2006/math",
    ),
    (
        b"http://purl.oclc.org/ooxml/drawingml/",
        b"http://schemas.openxmlformats.org/drawingml/2006/",
    ),
)

_W = f"{{{W_NS}}}"
_W14 = f"{{{W14_NS}}}"
_SDT, _SDT_PR, _SDT_CONTENT = _W + "sdt", _W + "sdtPr", _W + "sdtContent"
_P, _T, _BR, _CR, _TAB = _W + "p", _W + "t", _W + "br", _W + "cr", _W + "tab"
_NO_BREAK_HYPHEN = _W + "noBreakHyphen"
_VAL = _W + "val"
_FLD_CHAR, _FF_DATA = _W + "fldChar", _W + "ffData"
_FLD_CHAR_TYPE = _W + "fldCharType"
# Content controls that hold other content rather than a value: never fields themselves.
_CONTAINER_KINDS = {
    _W + "group",
    _W + "docPartObj",
    _W + "docPartList",
    _W + "picture",
    _W + "citation",
    _W + "bibliography",
    _W + "equation",
    f"{{{W15_NS}}}repeatingSection",
    f"{{{W15_NS}}}repeatingSectionItem",
}
_TRUE_WORDS = {"1", "true", "on"}
FOREIGN_TAG_PREFIXES = ("goog_rdk_",)  # Google Docs wraps text in these; they are not fields


class UnsafeXmlError(MentordocsError):
    "An XML part declares a DOCTYPE or entities, which a Word document never needs."


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


_STRICT_MARK = b"http://purl.oclc.org/ooxml/"  # how every Strict URI above begins


def normalize_namespaces(xml: bytes) -> bytes:
    """Map Strict Open XML namespace URIs (purl.oclc.org) onto the usual transitional ones."""
    if _STRICT_MARK not in xml:  # a long needle: the search skips ahead fast
        return xml
    for strict, transitional in _STRICT_TO_TRANSITIONAL:
        xml = xml.replace(strict, transitional)
    return xml


def parse_xml(xml: bytes) -> etree._Element:
    """Parse one XML part safely: no DTD, no entities, no network; Strict namespaces normalised.

    Raises UnsafeXmlError for a DOCTYPE (the door to entity expansion and external fetches)
    and ``lxml.etree.XMLSyntaxError`` for XML that is not well formed.
    """
    head = xml[:2048]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeXmlError("the XML declares a DOCTYPE or entities")
    root = etree.fromstring(normalize_namespaces(xml), _PARSER)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXmlError("the XML declares a DOCTYPE or entities")
    return root


def _text_of(container: etree._Element) -> str:
    """The text of a control's content: paragraphs joined with newlines, breaks and tabs kept."""
    parts: list[str] = []
    seen_paragraph = False
    for el in container.iter(_P, _T, _BR, _CR, _TAB, _NO_BREAK_HYPHEN):
        tag = el.tag
        if tag == _T:
            if el.text:
                parts.append(el.text)
        elif tag == _P:
            if seen_paragraph:
                parts.append("\n")
            seen_paragraph = True
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == _BR:
            # Page and column breaks are layout, not part of what was typed.
            if el.get(_W + "type") in (None, "textWrapping"):
                parts.append("\n")
        else:  # w:cr
            parts.append("\n")
    return "".join(parts)


def _is_true(value: str | None, *, absent: bool) -> bool:
    if value is None:
        return absent
    return value.strip().lower() in _TRUE_WORDS


def _control_field(sdt: etree._Element, placeholder_text: bool = False) -> Field | None:
    """One content control as a Field, or None when it is a container or not a field."""
    pr = sdt.find(_SDT_PR)
    if pr is None:
        return None
    tag = alias = ""
    kind = "text"
    kind_el = None
    placeholder = False
    for child in pr:
        ctag = child.tag
        if ctag == _W + "tag":
            tag = child.get(_VAL) or ""
        elif ctag == _W + "alias":
            alias = child.get(_VAL) or ""
        elif ctag == _W + "showingPlcHdr":
            placeholder = _is_true(child.get(_VAL), absent=True)
        elif ctag in _CONTAINER_KINDS:
            return None
        elif ctag == _W14 + "checkbox":
            kind, kind_el = "checkbox", child
        elif ctag == _W + "date":
            kind, kind_el = "date", child
        elif ctag in (_W + "dropDownList", _W + "comboBox"):
            kind, kind_el = "dropdown", child
    if tag.startswith(FOREIGN_TAG_PREFIXES):
        return None
    content = sdt.find(_SDT_CONTENT)
    value: str | bool
    if kind == "checkbox":
        checked = kind_el.find(_W14 + "checked") if kind_el is not None else None
        value = checked is not None and _is_true(checked.get(_W14 + "val"), absent=True)
    elif placeholder and not placeholder_text:
        value = ""
    else:
        text = _text_of(content) if content is not None else ""
        value = text
        if kind == "date" and kind_el is not None:
            full = kind_el.get(_W + "fullDate")
            if full and text.strip():
                value = full[:10]
        elif kind == "dropdown" and kind_el is not None:
            value = _list_value(kind_el, text)
    name = tag or alias
    return Field(
        id=name,
        kind=kind,
        value=value,
        tag=tag,
        alias=alias,
        source="tag" if tag else ("alias" if alias else "unnamed"),
        placeholder=placeholder,
    )


def _list_value(list_el: etree._Element, shown: str) -> str:
    """The value of the drop-down item whose displayed text is ``shown`` (else ``shown``)."""
    shown_key = shown.strip()
    for item in list_el.iter(_W + "listItem"):
        display = item.get(_W + "displayText")
        item_value = item.get(_W + "value")
        if display is None:
            display = item_value
        if display is not None and display.strip() == shown_key:
            return item_value if item_value is not None else display
    return shown


def _legacy_fields(root: etree._Element) -> list[tuple[etree._Element, Field]]:
    """Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN), with their begin element."""
    if root.find(f".//{_FF_DATA}") is None:
        return []
    found: list[tuple[etree._Element, Field]] = []
    # A stack of open fields: [begin fldChar, ffData or None, in result?, text parts, paragraphs]
    stack: list[list] = []
    for el in root.iter(_FLD_CHAR, _T, _P, _BR, _CR, _TAB):
        tag = el.tag
        if tag == _FLD_CHAR:
            char_type = el.get(_FLD_CHAR_TYPE)
            if char_type == "begin":
                stack.append([el, el.find(_FF_DATA), False, [], 0])
            elif char_type == "separate" and stack:
                stack[-1][2] = True
            elif char_type == "end" and stack:
                begin, ff_data, _, parts, _ = stack.pop()
                if ff_data is not None:
                    found.append((begin, _legacy_field(ff_data, "".join(parts))))
            continue
        if not stack:
            continue
        current = stack[-1]
        if not current[2] or current[1] is None:
            continue
        if tag == _T:
            if el.text:
                current[3].append(el.text)
        elif tag == _P:
            current[4] += 1
            if current[4] > 1 or current[3]:
                current[3].append("\n")
        elif tag == _TAB:
            current[3].append("\t")
        else:
            current[3].append("\n")
    return found


def _legacy_field(ff_data: etree._Element, result_text: str) -> Field:
    name_el = ff_data.find(_W + "name")
    name = (name_el.get(_VAL) or "") if name_el is not None else ""
    check = ff_data.find(_W + "checkBox")
    drop = ff_data.find(_W + "ddList")
    value: str | bool
    if check is not None:
        kind = "checkbox"
        checked = check.find(_W + "checked")
        if checked is not None:
            value = _is_true(checked.get(_VAL), absent=True)
        else:
            default = check.find(_W + "default")
            value = default is not None and _is_true(default.get(_VAL), absent=False)
    elif drop is not None:
        kind = "dropdown"
        entries = [e.get(_VAL) or "" for e in drop.findall(_W + "listEntry")]
        result = drop.find(_W + "result")
        if result is None:
            result = drop.find(_W + "default")
        try:
            index = int(result.get(_VAL) or 0) if result is not None else 0
        except ValueError:
            index = 0
        value = entries[index] if 0 <= index < len(entries) else ""
    else:
        kind = "text"
        text_input = ff_data.find(_W + "textInput")
        type_el = text_input.find(_W + "type") if text_input is not None else None
        if type_el is not None and type_el.get(_VAL) == "date":
            kind = "date"
        # Word shows five non-breaking... spaces (U+2002) in an empty FORMTEXT.
        value = "" if not result_text.strip(" \u2002\u00a0") else result_text
    return Field(id=name, kind=kind, value=value, alias=name, source="legacy")


def read_fields(
    part_root: etree._Element, *, unnamed: bool = False, placeholder_text: bool = False
) -> list[Field]:
    """Every form field in one part (body, header, footer, notes), in document order.

    Content controls at every nesting level and legacy form fields. Controls that are not
    fields (groups, repeating sections, Word's own building blocks) and Google Docs'
    ``goog_rdk_*`` wrappers are skipped. A control with neither tag nor alias is left out
    unless ``unnamed`` is true; then it comes with ``id == ""`` and ``source == "unnamed"``
    so the caller can match it by its position. With ``placeholder_text`` a control showing
    its placeholder keeps that text as its value (``placeholder`` stays true): how a reference
    copy tells what "not filled in" looks like once LibreOffice has dropped the marker.
    """
    fields = []
    for sdt in part_root.iter(_SDT):
        field = _control_field(sdt, placeholder_text)
        if field is None or (field.source == "unnamed" and not unnamed):
            continue
        fields.append((sdt, field))
    legacy = _legacy_fields(part_root)
    if legacy:
        fields.extend(legacy)
        order = {el: i for i, el in enumerate(part_root.iter())}
        fields.sort(key=lambda pair: order.get(pair[0], 0))
    return [field for _, field in fields]


# A fast path for the common case: a part written with the usual "w"/"w14" prefixes, whose
# controls are not nested and hold no legacy fields. It scans the bytes (linear time, no
# backtracking) instead of building a tree, and gives exactly what read_fields gives; for
# anything else it answers None and the caller parses the part with lxml. The part is cut at
# every "sdt" in one pass (``_controls`` proves every control is found); each control's
# properties are worked out once per distinct bytes (``_recipe``) and each form's sequence of
# them once (``_Plan``); the texts of all controls in the fast lane come from a few passes
# over their joined contents (``_lane_texts``). Each pass over a part is chosen for speed on
# this kind of text, where '<' is so frequent that a bytes search for a marker beginning with
# it cannot skip ahead: single rare bytes are found with memchr, other markers by the regex
# engine or with a long needle.

_FAST_MAX_BYTES = 8 * 1024 * 1024
_W_NS_BYTES = W_NS.encode()
_W_DECL = b'xmlns:w="' + _W_NS_BYTES + b'"'
_W14_DECL = b'xmlns:w14="' + W14_NS.encode() + b'"'
# The part is cut at every "sdt" (one pass in the regex engine), and every cut where a w:
# element's name begins must be where a control's own tags put it (see ``_controls``): so no
# control can hide anywhere (nested, with attributes on its start tag, a stray end tag). Only
# "w" may name the WordprocessingML namespace (checked first).
_FAST_SDT = re.compile(rb"sdt")
# Legacy fields are "<w:ffData>": any "ffData" at all sends the part to lxml (_legacy_hint).
_FAST_LEGACY = re.compile(rb"ffData")
_FAST_DECLARATION = re.compile(rb"<\?xml[ \t\r\n][^>]*\?>")
_FAST_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_FAST_CONTAINERS = re.compile(
    rb"<w:(?:group|docPartObj|docPartList|picture|citation|bibliography|equation)[\s/>]"
    rb"|<w15:repeatingSection"
)
# A text element: a start tag (not an empty element's), its text, its end tag.
_FAST_TEXT = re.compile(
    rb"<w:t(?:\s[^>]*)?(?<!/)>([^<]*)</w:t>|<w:(p|br|cr|tab|noBreakHyphen)((?:\s[^>]*)?)/?>"
)
_FAST_T = re.compile(rb"<w:t(?:\s[^>]*)?(?<!/)>([^<]*)</w:t>")
_FAST_STRUCTURE = re.compile(rb"<w:(?:p|br|cr|tab|noBreakHyphen)[\s/>]")
_FAST_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_FAST_TAG = re.compile(rb"<w:tag(\s[^>]*)?/?>")
_FAST_ALIAS = re.compile(rb"<w:alias(\s[^>]*)?/?>")
_FAST_PLACEHOLDER = re.compile(rb"<w:showingPlcHdr(\s[^>]*)?/?>")
_FAST_CHECKED = re.compile(rb"<w14:checked(\s[^>]*)?/?>")
_FAST_DATE = re.compile(rb"<w:date(\s[^>]*)?/?>")
_FAST_LIST_ITEM = re.compile(rb"<w:listItem(\s[^>]*)?/?>")
_FAST_PLAIN_VAL = {
    b"<w:tag": re.compile(rb'<w:tag w:val="([^"&<]*)"/>'),
    b"<w:alias": re.compile(rb'<w:alias w:val="([^"&<]*)"/>'),
}
_REFERENCE = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" not in text:
        return text
    if "&#" not in text:  # the common case: only the five named references
        if "\x03" in text:
            raise _NotSure  # not a character XML allows (and the stand-in for "&" below)
        plain = (
            text.replace("&amp;", "\x03")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", '"')
            .replace("&apos;", "'")
        )
        if "&" in plain:
            raise _NotSure  # an entity reference lxml would refuse: let it say so
        return plain.replace("\x03", "&")
    result, replaced = _REFERENCE.subn(_reference, text)
    if replaced != text.count("&"):
        raise _NotSure  # an entity reference lxml would refuse: let it say so
    return result


def _reference(found: re.Match[str]) -> str:
    name = found.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if not (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        raise _NotSure  # not a character XML allows: lxml refuses the part
    return chr(code)


def _fast_attrs(raw: bytes | None) -> dict[bytes, str]:
    if not raw:
        return {}
    return {
        m.group(1): _unescape(m.group(2) if m.group(2) is not None else m.group(3))
        for m in _FAST_ATTR.finditer(raw)
    }


def read_fields_fast(xml: bytes, *, unnamed: bool = False) -> list[Field] | None:
    """``read_fields`` straight from a part's bytes, or None when the fast path cannot be sure.

    Refuses (raises UnsafeXmlError) a DOCTYPE like ``parse_xml``; Strict namespaces are
    normalised first.
    """
    head = xml[:2048]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeXmlError("the XML declares a DOCTYPE or entities")
    if len(xml) > _FAST_MAX_BYTES or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    xml = normalize_namespaces(xml)
    if xml.count(_W_NS_BYTES) != 1 or _W_DECL not in xml:
        return None
    if _W14_DECL not in xml and b"w14:" in xml:
        return None
    if not _plain_markup(xml) or _legacy_hint(xml):
        return None
    try:
        return _fast_scan(xml, unnamed)
    except (_NotSure, UnicodeDecodeError):
        return None


def _plain_markup(xml: bytes) -> bool:
    """UTF-8 with no NUL, comment, CDATA section, DOCTYPE or processing instruction.

    Each of those begins with "<!" or "<?". '!' and '?' are rare bytes, so each is found with
    memchr and the byte before it looked at: far cheaper than searching for "<!--" and the like
    ('<' is so frequent that a search for such a marker cannot skip ahead). The XML declaration
    is the one "<?" allowed; it must say UTF-8 (or nothing), as the scan decodes UTF-8.
    """
    if b"\0" in xml:
        return False  # never in XML: lxml refuses it
    start = 3 if xml[:3] == b"\xef\xbb\xbf" else 0
    declaration = _FAST_DECLARATION.match(xml, start)
    if declaration is not None:
        encoding = _FAST_ENCODING.search(declaration.group())
        if encoding is not None and encoding.group(1).lower() != b"utf-8":
            return False
        start = declaration.end()
    find = xml.find
    for mark in (b"?", b"!"):
        at = find(mark, start)
        while at >= 0:
            if at and xml[at - 1] == 0x3C:  # "<?" or "<!"
                return False
            at = find(mark, at + 1)
    return True


def _legacy_hint(xml: bytes) -> bool:
    """Whether "ffData" occurs. Its 'D' is rare in the parts mentordocs makes: each is found
    with memchr and looked at; past one per KB (where that stops paying), the regex engine
    looks at the rest."""
    find = xml.find
    at = find(b"D", 2)
    for _ in range(max(16, len(xml) >> 10)):
        if at < 0:
            return False
        if xml.startswith(b"ffData", at - 2):
            return True
        at = find(b"D", at + 1)
    return _FAST_LEGACY.search(xml, at - 2) is not None


class _NotSure(Exception):
    "The fast scan met something it does not handle; lxml reads the part instead."


def _fast_scan(xml: bytes, unnamed: bool) -> list[Field]:
    pieces = _FAST_SDT.split(xml)
    if len(pieces) == 1:
        return []
    prs, contents = _plain_controls(pieces) or _controls(pieces)
    plan = _known_plan(prs)
    if plan is not None:
        # Every control in the fast lane: their texts together, then one Field each.
        texts = _lane_texts(plan.lane(contents)) if plan.lane else []
        if texts is not None:
            for slot, kind, extra in plan.fixups:
                text = texts[slot]
                if kind == "date":
                    if extra and text.strip():
                        texts[slot] = extra
                else:  # a drop-down: the value of the item shown
                    texts[slot] = extra.get(text.strip(), text)
            values = plan.order(texts + plan.checked) if plan.order else texts
            # _TAG and _NO are endless: the rows end with the ids (all others are as long).
            rows = zip(
                plan.ids, plan.kinds, values, plan.ids, plan.aliases, _TAG, _NO, strict=False
            )
            return list(map(tuple.__new__, _FIELD, rows))  # Field(*row) for each, in C
    # One control at a time: any outside the fast lane, or a text the batch could not take.
    recipes = [_RECIPES.get(pr) or _recipe(pr) for pr in prs]
    lane = [
        content
        for recipe, content in zip(recipes, contents, strict=True)
        if recipe[0] in _LANE_KINDS
    ]
    texts = iter(_lane_texts(lane) or [_lane_text(content) for content in lane])
    fields: list[Field] = []
    append = fields.append
    for (kind, tag, alias, extra, pr), content in zip(recipes, contents, strict=True):
        if kind == "text":
            text = next(texts)
            if text is not None:
                append(Field(tag, kind, text, tag, alias, "tag", False))
                continue
        elif kind == "checkbox":
            append(Field(tag, kind, extra, tag, alias, "tag", False))
            continue
        elif kind is not None:
            text = next(texts)
            if text is not None:
                if kind == "date":
                    if extra and text.strip():
                        text = extra
                else:  # a drop-down: the value of the item shown
                    text = extra.get(text.strip(), text)
                append(Field(tag, kind, text, tag, alias, "tag", False))
                continue
        field = _fast_control(pr, _content(content))
        if field is not None and (unnamed or field.source != "unnamed"):
            append(field)
    return fields


def _content(piece: bytes) -> bytes:
    """A control's content from its piece ("Content>" ... "</w:")."""
    if not piece.startswith(b"Content>") or not piece.endswith(b"</w:"):
        raise _NotSure
    return piece[8:-4]


_TAG = repeat("tag")  # endless: map() stops at the shortest
_FIELD = repeat(Field)
_NO = repeat(False)


class _Plan:
    """What a part's sequence of control properties decides, when every control is in the fast
    lane: which contents need their text (``lane``), the date and drop-down texts to turn into
    values (``fixups``: slot in the texts, kind, extra), where each control's value comes from
    (``order`` over the texts followed by the checkboxes' values in ``checked``; None when
    every control is a text), and each control's id (= tag), kind and alias."""

    __slots__ = ("lane", "fixups", "order", "checked", "ids", "kinds", "aliases")

    def __init__(self, recipes: list[tuple[str | None, str, str, Any, bytes]]):
        lane = [index for index, recipe in enumerate(recipes) if recipe[0] != "checkbox"]
        self.lane = _getter(lane) if lane else None
        self.fixups = [
            (slot, recipes[index][0], recipes[index][3])
            for slot, index in enumerate(lane)
            if recipes[index][0] != "text"
        ]
        self.checked = [recipe[3] for recipe in recipes if recipe[0] == "checkbox"]
        order, texts, boxes = [], 0, len(lane)
        for recipe in recipes:
            if recipe[0] == "checkbox":
                order.append(boxes)
                boxes += 1
            else:
                order.append(texts)
                texts += 1
        self.order = _getter(order) if self.checked else None
        self.ids = [recipe[1] for recipe in recipes]
        self.kinds = [recipe[0] for recipe in recipes]
        self.aliases = [recipe[2] for recipe in recipes]


def _getter(indices: list[int]) -> Any:
    """``seq -> [seq[i] for i in indices]`` in C (a tuple; one item is a tuple too)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda seq: (seq[index],)
    return itemgetter(*indices)


def _plan(prs: list[bytes]) -> _Plan | None:
    """The plan for these control properties, or None when a control is outside the fast lane
    (the caller goes one control at a time); _NotSure as ``_recipe`` says."""
    recipes = [_RECIPES.get(pr) or _recipe(pr) for pr in prs]
    if any(recipe[0] is None for recipe in recipes):
        return None
    return _Plan(recipes)


def _known_plan(prs: list[bytes]) -> _Plan | None:
    """The plan for these control properties: one of the last few seen when every property is
    the same, byte for byte (lists compared, which needs no hash of each), else worked out."""
    for known, plan in _PLANS:
        if known == prs:
            return plan
    plan = _plan(prs)
    _PLANS.insert(0, (prs, plan))
    del _PLANS[_PLANS_MAX:]
    return plan


# The plans of the forms met last, newest first: every copy of one form has the same control
# properties, in the same order. A few forms are read by turns in one run.
_PLANS: list[tuple[list[bytes], _Plan | None]] = []
_PLANS_MAX = 16


_W_NAME_STARTS = (b"<w:", b"</w:")


def _plain_controls(pieces: list[bytes]) -> tuple[list[bytes], list[bytes]] | None:
    """``_controls`` for the usual case, no control with ``w:sdtEndPr``: each control is then
    six pieces, checked a column at a time (in C) rather than one control at a time. None when
    the part is not in that shape; raises _NotSure where ``_controls`` would."""
    count = len(pieces) - 1
    n = count // 6
    if (
        count != 6 * n
        or pieces[1::6].count(b"><w:") != n
        or pieces[3::6].count(b"Pr><w:") != n
        or pieces[5::6].count(b"Content></w:") != n
    ):
        return None
    gaps = pieces[::6]
    if not (
        all(map(bytes.endswith, gaps[:-1], repeat(b"<w:")))
        and all(map(bytes.startswith, gaps[1:], repeat(b">")))
    ):
        raise _NotSure
    # The properties are checked by _recipe, the contents where they are read (_lane_texts,
    # _content): a checkbox's is never read.
    return pieces[2::6], pieces[4::6]


def _controls(pieces: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The raw properties and contents of every control, from the part cut at each "sdt".

    Every cut where a w: element's name begins must be one of a control's own tags, in order:
    ``<w:sdt><w:sdtPr>`` properties ``</w:sdtPr>``, then ``<w:sdtEndPr/>`` or
    ``<w:sdtEndPr>...</w:sdtEndPr>`` or nothing, then ``<w:sdtContent>`` content
    ``</w:sdtContent></w:sdt>``; else _NotSure (a ``w:sdtEndPr`` inside the properties is let
    through, as lxml reads only their other children). A property piece is "Pr>" + the
    properties + "</w:" (checked by ``_recipe``), a content piece "Content>" + the content +
    "</w:".
    """
    # A cut at an "sdt" that does not begin a w: element's name (Word declares a namespace
    # prefix "w16sdtdh" on every part; text) is joined back: only "w" names WordprocessingML.
    joined = []
    run = [pieces[0]]
    for piece in pieces[1:]:
        if run[-1].endswith(_W_NAME_STARTS):
            joined.append(b"sdt".join(run))
            run = [piece]
        else:
            run.append(piece)
    joined.append(b"sdt".join(run))
    pieces = joined
    prs: list[bytes] = []
    contents: list[bytes] = []
    last = len(pieces) - 1
    if last and not pieces[0].endswith(b"<w:"):
        raise _NotSure
    at = 1
    try:
        while at <= last:
            if pieces[at] != b"><w:":
                raise _NotSure
            end = at + 1
            while pieces[end + 1].startswith(b"EndPr"):
                end += 1  # a w:sdtEndPr inside the properties: a name, not a control
            if pieces[end + 1] != b"Pr><w:":
                raise _NotSure
            prs.append(b"sdt".join(pieces[at + 1 : end + 1]))
            at = end + 2
            if pieces[at] == b"EndPr/><w:":
                at += 1
            elif pieces[at].startswith(b"EndPr>"):
                if not pieces[at].endswith(b"</w:") or pieces[at + 1] != b"EndPr><w:":
                    raise _NotSure
                at += 2
            content = pieces[at]
            if (
                not content.startswith(b"Content>")
                or not content.endswith(b"</w:")
                or pieces[at + 1] != b"Content></w:"
            ):
                raise _NotSure
            contents.append(content)
            gap = pieces[at + 2]
            if not gap.startswith(b">") or (at + 2 < last and not gap.endswith(b"<w:")):
                raise _NotSure
            at += 3
    except IndexError:
        raise _NotSure from None
    return prs, contents


# The fast lane: a control the way mentordocs writes it (alias, then tag, plain values) and
# filled the usual way. Anything it is not sure about goes to ``_fast_control``.
_LANE_HEAD = re.compile(rb'<w:alias w:val="([^"&<]*)"/><w:tag w:val="([^"&<]*)"/>')
_LANE_FULL_DATE = re.compile(rb'<w:date w:fullDate="([^"&<]*)"')
_LANE_ITEM = re.compile(rb'<w:listItem w:displayText="([^"&<]*)" w:value="([^"&<]*)"/>')
_LANE_KINDS = frozenset(("text", "date", "dropdown"))  # the kinds whose text is needed


# What a control's properties say, by their exact bytes: the same form's controls carry the
# same properties in every copy, so each is worked out once. Bounded; cleared when full.
_RECIPES: dict[bytes, tuple[str | None, str, str, Any, bytes]] = {}
_RECIPES_MAX = 8192


def _recipe(piece: bytes) -> tuple[str | None, str, str, Any, bytes]:
    """(kind, tag, alias, extra, properties) from a property piece ("Pr>" ... "</w:").

    ``kind`` is None for a control outside the fast lane (``_fast_control`` reads it from the
    properties). _NotSure for a piece that is not one, a container (a group, building block or
    repeating section: lxml decides) or white space other than spaces (lxml normalises it in
    attribute values).
    """
    if not piece.startswith(b"Pr>") or not piece.endswith(b"</w:"):
        raise _NotSure
    pr = piece[3:-4]
    if b"\t" in pr or b"\n" in pr or b"\r" in pr or _FAST_CONTAINERS.search(pr):
        raise _NotSure
    lane = _lane_recipe(pr)
    recipe = (None, "", "", None, pr) if lane is False else (*lane, pr)
    if len(_RECIPES) >= _RECIPES_MAX:
        _RECIPES.clear()
    _RECIPES[piece] = recipe
    return recipe


def _lane_recipe(pr: bytes) -> tuple[str, str, str, Any] | bool:
    """(kind, tag, alias, extra) for properties in the usual shape, else False.

    ``extra`` is the checkbox's value, the date's ``YYYY-MM-DD`` (or ""), or a drop-down's
    shown text -> value (the first item with that text wins, as in ``_list_value``).
    """
    head = _LANE_HEAD.match(pr)
    if head is None:
        return False
    tag = head.group(2).decode("utf-8")
    if not tag or tag.startswith(FOREIGN_TAG_PREFIXES) or b"<w:showingPlcHdr" in pr:
        return False
    alias = head.group(1).decode("utf-8")
    checkbox = b"<w14:checkbox" in pr
    date = b"<w:date" in pr
    dropdown = b"<w:dropDownList" in pr or b"<w:comboBox" in pr
    if checkbox:
        if date or dropdown:
            return False
        if b'<w14:checked w14:val="1"/>' in pr:
            return ("checkbox", tag, alias, True)
        if b'<w14:checked w14:val="0"/>' in pr or b"<w14:checked" not in pr:
            return ("checkbox", tag, alias, False)
        return False
    if date:
        found = _LANE_FULL_DATE.search(pr)
        if dropdown or found is None:
            return False
        return ("date", tag, alias, found.group(1).decode("utf-8")[:10])
    if dropdown:
        items = _LANE_ITEM.findall(pr)
        if len(items) != pr.count(b"<w:listItem"):
            return False
        choices: dict[str, str] = {}
        for display, item_value in items:
            choices.setdefault(display.decode("utf-8").strip(), item_value.decode("utf-8"))
        return ("dropdown", tag, alias, choices)
    return ("text", tag, alias, None)


_LANE_SEPARATOR = b"<w:t>\x01</w:t>"
_LANE_JOINT = b"</w:" + _LANE_SEPARATOR + b"Content>"  # where two content pieces meet
# Each piece of markup the lane reads becomes its marks followed by ETX (\x03) up to its own
# length, so that every replace is of equal length: one search pass and a copy, where a
# replace that changes the length counts first and so searches twice. The padding goes in the
# pass that splits the texts out. None of NUL, STX, ETX, EOT may be in XML (checked absent).
_LANE_PAD = 0x03


def _lane_mark(markup: bytes, marks: bytes) -> tuple[bytes, bytes]:
    return markup, marks + bytes([_LANE_PAD]) * (len(markup) - len(marks))


# A line break between two texts of a run joins them; any other plain one is a text too.
_LANE_MARKUP = (
    _lane_mark(b'<w:t xml:space="preserve">', b"\0"),
    _lane_mark(b"</w:t><w:br/><w:t>", b"\n"),
    _lane_mark(b"<w:br/>", b"\0\n\x02"),
    _lane_mark(b"<w:t>", b"\0"),
    _lane_mark(b"</w:t>", b"\x02"),
)
_LANE_NOT_MARKS = bytes(range(256)).translate(None, b"\0\x02")  # every byte but the marks
_LANE_MARKS_TO_NUL = bytes.maketrans(b"\x02", b"\0")
_LANE_UNPADDED = bytes([_LANE_PAD, 0])
# The five named references, "&amp;" first (to EOT: "&amp;lt;" must stay "&lt;"), each padded
# to its own length as above; EOT becomes "&" again as the padding goes.
_NAMED_BYTES = (
    _lane_mark(b"&amp;", b"\x04"),
    _lane_mark(b"&lt;", b"<"),
    _lane_mark(b"&gt;", b">"),
    _lane_mark(b"&quot;", b'"'),
    _lane_mark(b"&apos;", b"'"),
)
_EOT_TO_AMP = bytes.maketrans(b"\x04", b"&")
# What may not be left once the text elements are marks: paragraphs, breaks other than a plain
# <w:br/>, carriage returns, tabs, non-breaking hyphens, text elements of another shape.
_LANE_REFUSE = re.compile(rb"<w:(?:t\s|p[\s/>]|br|cr|tab|noBreakHyphen)|</w:t")


def _lane_texts(contents: list[bytes]) -> list[str | None] | None:
    """The text of each control's content (runs in one paragraph, line breaks kept), or None.

    ``contents`` are content pieces ("Content>" + a control's content + "</w:", checked).
    All at once, in a few passes over them joined with a text element holding U+0001
    (which XML does not allow, so it splits the result back exactly; checked). Every text
    element's start tag becomes NUL and its end tag STX (neither allowed in XML either): they
    must alternate, each text between them holding no markup, so each is exactly one element's
    text.
    """
    blob = _LANE_SEPARATOR.join(contents)
    if (
        b"\x02" in blob
        or b"\x03" in blob
        or not blob.startswith(b"Content>")
        or not blob.endswith(b"</w:")
        or blob.count(_LANE_JOINT) != len(contents) - 1
    ):
        return None  # each piece is "Content>" + a content + "</w:"; STX, ETX are not XML
    for markup, marks in _LANE_MARKUP:
        blob = blob.replace(markup, marks)
    marks = blob.translate(None, _LANE_NOT_MARKS)
    if marks != b"\0\x02" * (len(marks) >> 1):
        return None
    pieces = blob.translate(_LANE_MARKS_TO_NUL, bytes([_LANE_PAD])).split(b"\0")
    raw_texts = pieces[1::2]
    raw = b"\0".join(raw_texts)
    if b"<" in raw or b"\r" in raw or _LANE_REFUSE.search(b"".join(pieces[::2])):
        # Markup inside a text; a carriage return as is (lxml makes it a line feed); between
        # the texts, something that is not just runs.
        return None
    # NUL between the texts keeps a reference from spanning two of them.
    if b"&" not in raw:
        text = b"".join(raw_texts).decode("utf-8")
    elif b"&#" in raw or b"\x04" in raw:
        text = _unescape(raw).replace("\0", "")
    else:
        for reference, character in _NAMED_BYTES:
            raw = raw.replace(reference, character)
        if b"&" in raw:
            return None  # an entity reference lxml would refuse: let it say so
        text = raw.translate(_EOT_TO_AMP, _LANE_UNPADDED).decode("utf-8")
    texts: list[str | None] = text.split("\x01")  # type: ignore[assignment]
    return texts if len(texts) == len(contents) else None


def _lane_text(content: bytes) -> str | None:
    """``_lane_texts`` of one control: its text, or None (``_fast_control`` reads it)."""
    texts = _lane_texts([content])
    return texts[0] if texts is not None else None


def _fast_one(pattern: re.Pattern[bytes], pr: bytes, name: bytes) -> str | None:
    found = pattern.search(pr)
    return _fast_attrs(found.group(1)).get(name) if found else None


def _fast_name(pr: bytes, element: bytes, pattern: re.Pattern[bytes]) -> str:
    if element not in pr:
        return ""
    plain = _FAST_PLAIN_VAL[element].search(pr)  # the usual <w:tag w:val="id"/>
    if plain:
        return plain.group(1).decode("utf-8")
    return _fast_one(pattern, pr, b"w:val") or ""


def _fast_control(pr: bytes, content: bytes) -> Field | None:
    tag = _fast_name(pr, b"<w:tag", _FAST_TAG)
    if tag.startswith(FOREIGN_TAG_PREFIXES):
        return None
    alias = _fast_name(pr, b"<w:alias", _FAST_ALIAS)
    placeholder = b"<w:showingPlcHdr" in pr and _is_true(
        _fast_one(_FAST_PLACEHOLDER, pr, b"w:val"), absent=True
    )
    value: str | bool
    if b"<w14:checkbox" in pr:
        kind = "checkbox"
        # <w14:checkedState> also starts with "<w14:checked": look for the element itself.
        checked = _FAST_CHECKED.search(pr) if b"<w14:checked" in pr else None
        value = checked is not None and _is_true(
            _fast_attrs(checked.group(1)).get(b"w14:val"), absent=True
        )
    else:
        kind = "text"
        if b"<w:date" in pr and _FAST_DATE.search(pr):
            kind = "date"
        elif b"<w:dropDownList" in pr or b"<w:comboBox" in pr:
            kind = "dropdown"
        if placeholder:
            value = ""
        else:
            value = _fast_text(content)
            if kind == "date":
                full_date = _fast_one(_FAST_DATE, pr, b"w:fullDate")
                if full_date and value.strip():
                    value = full_date[:10]
            elif kind == "dropdown":
                items = []
                for item in _FAST_LIST_ITEM.finditer(pr):
                    attrs = _fast_attrs(item.group(1))
                    items.append((attrs.get(b"w:displayText"), attrs.get(b"w:value")))
                value = _fast_list_value(items, value)
    return Field(
        id=tag or alias,
        kind=kind,
        value=value,
        tag=tag,
        alias=alias,
        source="tag" if tag else ("alias" if alias else "unnamed"),
        placeholder=placeholder,
    )


def _fast_text(content: bytes) -> str:
    """The text of a control's content, as ``_text_of`` gives it; _NotSure where a text element
    holds more than text (every end tag must close a text the regex took) or a carriage return
    is typed as is (lxml turns it into a line feed)."""
    if b"\r" in content:
        raise _NotSure
    ends = content.count(b"</w:t")
    if not _FAST_STRUCTURE.search(content):  # one line of runs: just their text
        texts = _FAST_T.findall(content)
        if len(texts) != ends:
            raise _NotSure
        return "".join(_unescape(text) for text in texts if text)
    parts: list[str] = []
    seen_paragraph = False
    for token in _FAST_TEXT.finditer(content):
        text = token.group(1)
        if text is not None:
            ends -= 1
            if text:
                parts.append(_unescape(text))
            continue
        name = token.group(2)
        if name == b"p":
            if seen_paragraph:
                parts.append("\n")
            seen_paragraph = True
        elif name == b"tab":
            parts.append("\t")
        elif name == b"noBreakHyphen":
            parts.append("-")
        elif name == b"br":
            if _fast_attrs(token.group(3)).get(b"w:type", "textWrapping") == "textWrapping":
                parts.append("\n")
        else:
            parts.append("\n")
    if ends:
        raise _NotSure
    return "".join(parts)


def _fast_list_value(items: list[tuple[str | None, str | None]], shown: str) -> str:
    shown_key = shown.strip()
    for display, item_value in items:
        if display is None:
            display = item_value
        if display is not None and display.strip() == shown_key:
            return item_value if item_value is not None else display
    return shown


def _controls_by_name(part_root: etree._Element) -> dict[str, list[etree._Element]]:
    """Content controls by tag (else alias)."""
    found: dict[str, list[etree._Element]] = {}
    for sdt in part_root.iter(_SDT):
        pr = sdt.find(_SDT_PR)
        if pr is None:
            continue
        tag = pr.find(_W + "tag")
        alias = pr.find(_W + "alias")
        name = tag.get(_VAL) if tag is not None else None
        if not name and alias is not None:
            name = alias.get(_VAL)
        if name:
            found.setdefault(name, []).append(sdt)
    return found


def set_field_value(part_root: etree._Element, field_id: str, value: str | bool) -> int:
    """Fill the content control(s) tagged ``field_id`` as a person would in Word.

    Text (newlines become line breaks), dates (``YYYY-MM-DD``: sets ``w:fullDate`` and the
    shown text), drop-downs (an item's value or displayed text), checkboxes (bool). Removes
    ``w:showingPlcHdr``. Returns how many controls were filled (0 when there is none).
    For coordinators' tooling and tests; mentordocs itself never edits returned forms.
    """
    return set_field_values(part_root, {field_id: value})


def set_field_values(part_root: etree._Element, values: dict[str, str | bool]) -> int:
    """``set_field_value`` for many fields in one pass; returns how many controls were filled."""
    controls = _controls_by_name(part_root)
    count = 0
    for field_id, value in values.items():
        for sdt in controls.get(field_id, ()):
            _fill_control(sdt, value)
            count += 1
    return count


def _fill_control(sdt: etree._Element, value: str | bool) -> None:
    pr = sdt.find(_SDT_PR)
    for plc in pr.findall(_W + "showingPlcHdr"):
        pr.remove(plc)
    content = sdt.find(_SDT_CONTENT)
    if content is None:
        content = etree.SubElement(sdt, _SDT_CONTENT)
    box = pr.find(_W14 + "checkbox")
    if box is not None:
        checked = box.find(_W14 + "checked")
        if checked is None:
            checked = etree.Element(_W14 + "checked")
            box.insert(0, checked)
        checked.set(_W14 + "val", "1" if value else "0")
        state = box.find(_W14 + ("checkedState" if value else "uncheckedState"))
        code = state.get(_W14 + "val") if state is not None else None
        shown = chr(int(code, 16)) if code else ("\u2612" if value else "\u2610")
        _replace_text(content, shown)
        return
    text = str(value)
    date_el = pr.find(_W + "date")
    if date_el is not None and text:
        date_el.set(_W + "fullDate", f"{text}T00:00:00Z")
    list_el = pr.find(_W + "dropDownList")
    if list_el is None:
        list_el = pr.find(_W + "comboBox")
    if list_el is not None:
        for item in list_el.iter(_W + "listItem"):
            if text in (item.get(_W + "value"), item.get(_W + "displayText")):
                text = item.get(_W + "displayText") or item.get(_W + "value") or text
                break
    _replace_text(content, text)


def _replace_text(content: etree._Element, text: str) -> None:
    """Put ``text`` into a control's content, keeping the first run's formatting."""
    paragraphs = [p for p in content.iter(_P)]
    holder = paragraphs[0] if paragraphs else content
    for extra in paragraphs[1:]:
        extra.getparent().remove(extra)
    runs = holder.findall(_W + "r")
    rpr = None
    if runs:
        first_rpr = runs[0].find(_W + "rPr")
        rpr = copy.deepcopy(first_rpr) if first_rpr is not None else None
    for child in list(holder):
        if child.tag not in (_W + "pPr",):
            holder.remove(child)
    run = etree.SubElement(holder, _W + "r")
    if rpr is not None:
        # The placeholder style (usually grey) is not the filled-in text's style.
        for style in rpr.findall(_W + "rStyle"):
            rpr.remove(style)
        run.append(rpr)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number:
            etree.SubElement(run, _BR)
        pieces = line.split("\t")
        for index, piece in enumerate(pieces):
            if index:
                etree.SubElement(run, _TAB)
            if piece:
                t = etree.SubElement(run, _T)
                t.text = piece
                if piece != piece.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


# ---- end reading -----------------------------------------------------------------------------
