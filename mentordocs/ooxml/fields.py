"""Reading and filling the fields of a filled-in form: content controls and legacy fields.

``read_fields(root)`` walks one parsed part (body, header, footer, notes) and returns every
field as a plain ``Field`` in document order. Content controls (``w:sdt``) carry our field id
in both ``w:tag`` and ``w:alias``; their kinds are ``text`` (plain or rich), ``checkbox``
(``w14:checkbox``), ``date`` (``w:date``) and ``dropdown`` (``w:dropDownList``/``w:comboBox``).
Legacy form fields are read too (``legacy.py``).

``set_field_values(root, values)`` fills controls as a person would in Word: for tests and a
coordinator's own tooling; mentordocs never edits a returned form.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

from lxml import etree

from mentordocs.ooxml.legacy import is_true, legacy_fields
from mentordocs.ooxml.ns import W14, W15, XML, W

__all__ = ["FOREIGN_TAG_PREFIXES", "Field", "read_fields", "set_field_value", "set_field_values"]


class Field(NamedTuple):
    """One fillable field found in a document.

    ``id`` is the tag, else the alias, else the legacy field's name ('' for an unnamed
    control). ``value`` is ``str`` for text, date and dropdown fields ('' when blank or still
    showing its placeholder), ``bool`` for checkboxes. ``source`` says where the name came
    from: "tag", "alias", "unnamed" or "legacy".

    ``anchor`` is the field id a bookmark named after a field gives it (our templates put one
    inside every control: LibreOffice keeps bookmarks where it drops tags), '' when none.
    ``before`` is the text the document shows just before the field (its label, usually),
    for a coordinator to recognise an answer whose field could not be proven.
    """

    id: str
    kind: str
    value: str | bool
    tag: str = ""
    alias: str = ""
    source: str = "tag"
    placeholder: bool = False  # still showing its placeholder text
    anchor: str = ""
    before: str = ""


#: Google Docs wraps text in controls tagged like this: they are not form fields.
FOREIGN_TAG_PREFIXES = ("goog_rdk_",)

_W, _W14 = f"{{{W}}}", f"{{{W14}}}"
_SDT, _SDT_PR, _SDT_CONTENT = _W + "sdt", _W + "sdtPr", _W + "sdtContent"
_P, _T, _BR, _CR, _TAB = _W + "p", _W + "t", _W + "br", _W + "cr", _W + "tab"
_NO_BREAK_HYPHEN = _W + "noBreakHyphen"
_VAL = _W + "val"
_TAG, _ALIAS, _SHOWING_PLACEHOLDER = _W + "tag", _W + "alias", _W + "showingPlcHdr"
_CHECKED, _CHECKED_VAL, _FULL_DATE = _W14 + "checked", _W14 + "val", _W + "fullDate"
_KINDS = {
    _W14 + "checkbox": "checkbox",
    _W + "date": "date",
    _W + "dropDownList": "dropdown",
    _W + "comboBox": "dropdown",
}
# Content controls that hold other content rather than a value: never fields themselves.
_CONTAINER_KINDS = frozenset(
    (
        _W + "group",
        _W + "docPartObj",
        _W + "docPartList",
        _W + "picture",
        _W + "citation",
        _W + "bibliography",
        _W + "equation",
        f"{{{W15}}}repeatingSection",
        f"{{{W15}}}repeatingSectionItem",
    )
)


def read_fields(
    part_root: etree._Element, *, unnamed: bool = False, placeholder_text: bool = False
) -> list[Field]:
    """Every form field in one part, in document order.

    Content controls at every nesting level and legacy form fields. Controls that are not
    fields (groups, repeating sections, Word's own building blocks) and Google Docs'
    ``goog_rdk_*`` wrappers are skipped. A control with neither tag nor alias is left out
    unless ``unnamed`` is true; then it comes with ``id == ""`` and ``source == "unnamed"``.
    With ``placeholder_text`` a control showing its placeholder keeps that text as its value
    (``placeholder`` stays true): how a reference copy tells what "not filled in" looks like.
    """
    found: list[tuple[etree._Element, Field]] = []
    for sdt in part_root.iter(_SDT):
        item = _control_field(sdt, placeholder_text)
        if item is not None and (unnamed or item.source != "unnamed"):
            found.append((sdt, item))
    legacy = legacy_fields(part_root)
    if not legacy:
        return [item for _, item in found]
    for begin, old in legacy:
        found.append((begin, Field(old.name, old.kind, old.value, alias=old.name, source="legacy")))
    order = {el: index for index, el in enumerate(part_root.iter())}
    found.sort(key=lambda pair: order.get(pair[0], 0))
    return [item for _, item in found]


def _control_field(sdt: etree._Element, placeholder_text: bool) -> Field | None:
    """One content control as a Field, or None when it is a container or not a field."""
    pr = content = None
    for child in sdt:  # a control's two or three children, walked once (find() costs more)
        if child.tag == _SDT_PR:
            pr = child
        elif child.tag == _SDT_CONTENT:
            content = child
    if pr is None:
        return None
    tag = alias = ""
    kind, kind_el, placeholder = "text", None, False
    for child in pr:
        name = child.tag
        if name == _TAG:
            tag = child.get(_VAL) or ""
        elif name == _ALIAS:
            alias = child.get(_VAL) or ""
        elif name == _SHOWING_PLACEHOLDER:
            placeholder = is_true(child.get(_VAL), absent=True)
        elif name in _CONTAINER_KINDS:
            return None
        elif name in _KINDS:
            kind, kind_el = _KINDS[name], child
    if tag.startswith(FOREIGN_TAG_PREFIXES):
        return None
    value = _control_value(content, kind, kind_el, placeholder and not placeholder_text)
    source = "tag" if tag else ("alias" if alias else "unnamed")
    return Field(tag or alias, kind, value, tag, alias, source, placeholder)


def _control_value(
    content: etree._Element | None, kind: str, kind_el: etree._Element | None, blank: bool
) -> str | bool:
    if kind == "checkbox":
        for child in kind_el if kind_el is not None else ():
            if child.tag == _CHECKED:
                return is_true(child.get(_CHECKED_VAL), absent=True)
        return False
    if blank:
        return ""
    text = _text_of(content) if content is not None else ""
    if kind == "date" and kind_el is not None:
        full = kind_el.get(_FULL_DATE)
        return full[:10] if full and text.strip() else text
    if kind == "dropdown" and kind_el is not None:
        return _list_value(kind_el, text)
    return text


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


# ---- filling ----------------------------------------------------------------------------------


def set_field_value(part_root: etree._Element, field_id: str, value: str | bool) -> int:
    """Fill the content control(s) tagged ``field_id`` as a person would in Word.

    Text (newlines become line breaks), dates (``YYYY-MM-DD``: sets ``w:fullDate`` and the
    shown text), drop-downs (an item's value or displayed text), checkboxes (bool). Removes
    ``w:showingPlcHdr``. Returns how many controls were filled (0 when there is none).
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


def _fill_control(sdt: etree._Element, value: str | bool) -> None:
    pr = sdt.find(_SDT_PR)
    assert pr is not None  # _controls_by_name found the control by its properties
    for plc in pr.findall(_W + "showingPlcHdr"):
        pr.remove(plc)
    content = sdt.find(_SDT_CONTENT)
    if content is None:
        content = etree.SubElement(sdt, _SDT_CONTENT)
    box = pr.find(_W14 + "checkbox")
    if box is not None:
        _replace_text(content, _tick(box, bool(value)))
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


def _tick(box: etree._Element, value: bool) -> str:
    """Set a checkbox's state; the glyph it then shows."""
    checked = box.find(_W14 + "checked")
    if checked is None:
        checked = etree.Element(_W14 + "checked")
        box.insert(0, checked)
    checked.set(_W14 + "val", "1" if value else "0")
    state = box.find(_W14 + ("checkedState" if value else "uncheckedState"))
    code = state.get(_W14 + "val") if state is not None else None
    return chr(int(code, 16)) if code else ("\u2612" if value else "\u2610")


def _replace_text(content: etree._Element, text: str) -> None:
    """Put ``text`` into a control's content, keeping the first run's formatting."""
    paragraphs = list(content.iter(_P))
    holder = paragraphs[0] if paragraphs else content
    for extra in paragraphs[1:]:
        parent = extra.getparent()
        if parent is not None:
            parent.remove(extra)
    runs = holder.findall(_W + "r")
    first_rpr = runs[0].find(_W + "rPr") if runs else None
    rpr = copy.deepcopy(first_rpr) if first_rpr is not None else None
    for child in list(holder):
        if child.tag != _W + "pPr":
            holder.remove(child)
    run = etree.SubElement(holder, _W + "r")
    if rpr is not None:
        # The placeholder style (usually grey) is not the filled-in text's style.
        for style in rpr.findall(_W + "rStyle"):
            rpr.remove(style)
        run.append(rpr)
    for number, line in enumerate(text.split("\n")):
        if number:
            etree.SubElement(run, _BR)
        for index, piece in enumerate(line.split("\t")):
            if index:
                etree.SubElement(run, _TAB)
            if piece:
                t = etree.SubElement(run, _T)
                t.text = piece
                if piece != piece.strip():
                    t.set(f"{{{XML}}}space", "preserve")
