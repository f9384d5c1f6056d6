"""Building content controls for the form templates: the Word XML of each kind of field.

Each builder returns XML text (one ``w:sdt`` and its anchor, with the ``w:`` and ``w14:`` prefixes every
document root python-docx and Word write declares). Text given to a builder is escaped here, so
a caller passes plain text or a Jinja expression such as ``{{ pair.meeting_place }}`` as it is.
Every control carries its field id in both ``w:tag`` and ``w:alias`` (the title Word shows),
and sits inside a bookmark named after it (``ns.anchor_name``), its *anchor*: LibreOffice 7.4
drops the tag when it re-saves a form, keeps the alias on plain-text controls only, and turns
a plain-text control into plain text or a FILLIN field when the form goes through .odt; it
keeps bookmarks all the way.

Where the bookmark goes was measured with LibreOffice 7.4 and 25.2 (``tests/test_anchors.py``
checks it with both): a run-level control is wrapped, bookmark start just before the
``w:sdt`` and end just after it. A bookmark *inside* a plain-text control is collapsed by 7.4
to a point before the text, which then says where the answer starts but not where it ends;
around the control it stays a range in every version and path (7.4 moves the start into the
control's content on a .docx re-save; through .odt both move the bookmark into the content,
or 7.4 keeps it around what it made of a plain-text control), and typing in Word or
LibreOffice happens inside the control, never at the bookmark's edges. Block- and
cell-level controls (none in our templates) carry the bookmark inside their paragraph, around
the runs, where the schema and Word expect range markup.

Reading filled-in controls back is ``mentordocs.ooxml.fields``.
"""

from __future__ import annotations

import zlib
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

from mentordocs.ooxml.ns import NSMAP, W14, W, anchor_name, qn

__all__ = [
    "CHECKED_GLYPH",
    "DATE_FORMAT",
    "FIELD_KINDS",
    "LEVELS",
    "NSMAP",
    "PLACEHOLDER_STYLE",
    "UNCHECKED_GLYPH",
    "W14_NS",
    "W_NS",
    "anchor_bookmark",
    "anchor_name",
    "checkbox_control",
    "checkbox_run",
    "content_control",
    "date_control",
    "dropdown_control",
    "qn",
    "sdt_properties",
    "text_control",
    "text_element",
    "wrap_namespaces",
]

W_NS = W
W14_NS = W14
FIELD_KINDS = ("text", "checkbox", "date", "dropdown")


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

    ``kind`` is "text": a plain-text control (``w:text``) for a one-line answer that starts
    with a value, whose alias LibreOffice keeps when it re-saves a form; a rich-text control
    for a long answer (``multiline``), whose line breaks LibreOffice keeps (it moves them out
    of a plain-text control, joining the lines) though it drops the alias, and for any answer
    still showing its prompt: LibreOffice 7.4 reads a plain-text control showing its prompt as
    an input field and prints the prompt black, like an answer, where it keeps a rich-text
    control's *Placeholder Text* style (grey in Word and every LibreOffice). Then "checkbox",
    "date" (``full_date`` only when prefilled: "YYYY-MM-DD", or a Jinja expression giving the
    whole "YYYY-MM-DDT00:00:00Z") or "dropdown" (``choices``). ``placeholder`` marks the
    content as placeholder text (``w:showingPlcHdr``), which Word clears as soon as someone
    types.
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
        if not multiline and not placeholder:
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
        full = ""
        if full_date:
            value = full_date if full_date.startswith("{{") else full_date + "T00:00:00Z"
            full = f" w:fullDate={_attr(value)}"
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


def anchor_bookmark(name: str, bookmark_id: int | str | None = None) -> tuple[str, str]:
    """The bookmark start and end (XML text) of an anchor called ``name``.

    ``bookmark_id`` is the ``w:id`` pairing start and end, unique in the document: a number, or
    a Jinja expression that renders to one (a control repeated by a loop needs one per copy);
    by default a number worked out from ``name`` (CRC-32), the same in every build.
    """
    if bookmark_id is None:
        bookmark_id = zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF
    number = _attr(str(bookmark_id))
    return (
        f"<w:bookmarkStart w:id={number} w:name={_attr(name)}/>",
        f"<w:bookmarkEnd w:id={number}/>",
    )


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
    anchor: str = "",
    anchor_id: int | str | None = None,
) -> str:
    """One content control as XML text, tagged and aliased ``field_id``, with its anchor.

    ``text`` is the initial content (a value or a Jinja expression); when it is empty the
    control shows ``placeholder_text`` as placeholder. ``level`` says where it sits: "run"
    (inside a w:p), "block" (around a w:p, in the body or a table cell) or "cell" (around a w:tc,
    inside a w:tr); ``ppr``/``tcpr`` give the paragraph and cell properties the content needs.
    ``anchor`` is the bookmark's name (default ``anchor_name(field_id)``; give it when the id
    holds a Jinja expression) and ``anchor_id`` its ``w:id`` (see ``anchor_bookmark``).
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
    start, end = anchor_bookmark(anchor or anchor_name(field_id), anchor_id)
    if level == "run":
        return f"{start}<w:sdt>{pr}<w:sdtContent>{runs}</w:sdtContent></w:sdt>{end}"
    p_head = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    content = f"<w:p>{p_head}{start}{runs}{end}</w:p>"
    if level == "cell":
        tc_head = f"<w:tcPr>{tcpr}</w:tcPr>" if tcpr else ""
        content = f"<w:tc>{tc_head}{content}</w:tc>"
    return f"<w:sdt>{pr}<w:sdtContent>{content}</w:sdtContent></w:sdt>"


def text_control(field_id: str, text: str = "", placeholder_text: str = "", **kw: object) -> str:
    """A text field: plain text, or rich text holding several lines with ``multiline=True``."""
    # ``kw`` is content_control's own keyword arguments (level, anchor, rpr...), passed on
    # as they came; typed ``object`` here, so mypy cannot match them to its parameters.
    return content_control(field_id, "text", text=text, placeholder_text=placeholder_text, **kw)  # type: ignore[arg-type]


def checkbox_control(field_id: str, checked: bool = False, **kw: object) -> str:
    """A ☐/☒ checkbox (``w14:checkbox``)."""
    # (``kw``: as in text_control.)
    return content_control(field_id, "checkbox", checked=checked, **kw)  # type: ignore[arg-type]


def date_control(
    field_id: str,
    text: str = "",
    placeholder_text: str = "Choose a date",
    full_date: str | None = None,
    **kw: object,
) -> str:
    """A date picker; ``text`` (shown) and ``full_date`` (YYYY-MM-DD, or a Jinja expression
    giving YYYY-MM-DDT00:00:00Z) only when prefilled."""
    return content_control(
        field_id,
        "date",
        text=text,
        placeholder_text=placeholder_text,
        full_date=full_date,
        **kw,  # type: ignore[arg-type]  # kw: as in text_control
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
        **kw,  # type: ignore[arg-type]  # kw: as in text_control
    )


def wrap_namespaces(xml: str) -> str:
    """``xml`` inside a dummy root declaring w: and w14:, so lxml can parse a builder's output."""
    return f'<root xmlns:w="{W}" xmlns:w14="{W14}">{xml}</root>'
