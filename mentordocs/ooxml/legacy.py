"""Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN): Word 97's fields, still met;
and FILLIN fields, which LibreOffice 7.4 makes of plain-text content controls.

A legacy field is a complex field: a ``w:fldChar`` of type "begin" carrying ``w:ffData`` (name,
kind, defaults), the field code, a "separate", the result the reader sees, and an "end". Fields
can nest, so the result is collected on a stack.

A FILLIN field is a complex field whose code (``w:instrText``, possibly in pieces) is
``FILLIN "prompt"``, or a ``w:fldSimple`` with that ``w:instr``: its result is what was typed.
LibreOffice 7.4 writes one, with an empty prompt and no name, for each plain-text content
control still showing its placeholder when a form goes .docx -> .odt -> .docx (the result is
then the placeholder text). It is read as a nameless text field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from mentordocs.ooxml.ns import W

_W = f"{{{W}}}"
_FLD_CHAR, _FF_DATA, _FLD_CHAR_TYPE = _W + "fldChar", _W + "ffData", _W + "fldCharType"
_INSTR_TEXT, _FLD_SIMPLE, _INSTR = _W + "instrText", _W + "fldSimple", _W + "instr"
_P, _T, _BR, _CR, _TAB = _W + "p", _W + "t", _W + "br", _W + "cr", _W + "tab"
_VAL = _W + "val"
_TRUE_WORDS = {"1", "true", "on"}


@dataclass(frozen=True)
class LegacyField:
    "One legacy form field: its name, kind and value (``bool`` for a checkbox)."

    name: str
    kind: str  # "text", "date", "checkbox" or "dropdown"
    value: str | bool
    source: str = "legacy"  # "legacy" (FORMTEXT, ...) or "fillin" (a FILLIN field, unnamed)


@dataclass
class _Open:
    """A field whose end has not been met yet."""

    begin: etree._Element
    ff_data: etree._Element | None
    in_result: bool = False
    parts: list[str] = field(default_factory=list)
    paragraphs: int = 0
    code: list[str] = field(default_factory=list)  # the field code's pieces
    fillin: bool = False  # the code says FILLIN (known at "separate")

    @property
    def collects(self) -> bool:
        "Whether its result is wanted: a legacy form field's or a FILLIN field's."
        return self.in_result and (self.ff_data is not None or self.fillin)


def is_true(value: str | None, *, absent: bool) -> bool:
    """An OOXML on/off value ("1", "true", "on"); ``absent`` when the attribute is missing."""
    if value is None:
        return absent
    return value.strip().lower() in _TRUE_WORDS


def legacy_fields(root: etree._Element) -> list[tuple[etree._Element, LegacyField]]:
    """Every legacy form field and FILLIN field in a part, with the element that begins it
    (a ``w:fldChar`` or ``w:fldSimple``), in document order."""
    if not _has_input_fields(root):
        return []
    found: list[tuple[etree._Element, LegacyField]] = []
    stack: list[_Open] = []
    for el in root.iter(_FLD_CHAR, _T, _P, _BR, _CR, _TAB, _INSTR_TEXT, _FLD_SIMPLE):
        tag = el.tag
        if tag == _FLD_CHAR:
            kind = el.get(_FLD_CHAR_TYPE)
            if kind == "begin":
                stack.append(_Open(el, _child(el, _FF_DATA)))
            elif kind == "separate" and stack:
                stack[-1].in_result = True
                stack[-1].fillin = is_fillin("".join(stack[-1].code))
            elif kind == "end" and stack:
                done = stack.pop()
                if done.ff_data is not None:
                    found.append((done.begin, _legacy_field(done.ff_data, "".join(done.parts))))
                elif done.fillin or (not done.in_result and is_fillin("".join(done.code))):
                    found.append(
                        (done.begin, LegacyField("", "text", "".join(done.parts), "fillin"))
                    )
        elif tag == _INSTR_TEXT:
            if stack and not stack[-1].in_result:
                stack[-1].code.append(el.text or "")
        elif tag == _FLD_SIMPLE:
            if is_fillin(el.get(_INSTR) or ""):
                found.append((el, LegacyField("", "text", _simple_result(el), "fillin")))
        elif stack and stack[-1].collects:
            _add_result_text(stack[-1], el)
    return found


def is_fillin(code: str) -> bool:
    """Whether a field code (``w:instrText`` joined, or ``w:fldSimple/@w:instr``) is FILLIN."""
    words = code.split(None, 1)
    return bool(words) and words[0].upper() == "FILLIN"


def _has_input_fields(root: etree._Element) -> bool:
    """Whether a part holds a legacy form field or a FILLIN field (one scan of the part; the
    code of a field may come in pieces, so the codes are looked at joined)."""
    codes = []
    for el in root.iter(_FF_DATA, _INSTR_TEXT, _FLD_SIMPLE):
        if el.tag == _FF_DATA:
            return True
        codes.append((el.text if el.tag == _INSTR_TEXT else el.get(_INSTR)) or "")
    return "FILLIN" in "".join(codes).upper()


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    for child in el:  # an element's few children (find() parses its path on every call)
        if child.tag == tag:
            return child
    return None


def _simple_result(field_el: etree._Element) -> str:
    """The result of a ``w:fldSimple``: its runs' text, breaks and tabs kept."""
    current = _Open(field_el, None, in_result=True)
    for el in field_el.iter(_T, _P, _BR, _CR, _TAB):
        _add_result_text(current, el)
    return "".join(current.parts)


def _add_result_text(current: _Open, el: etree._Element) -> None:
    if el.tag == _T:
        if el.text:
            current.parts.append(el.text)
    elif el.tag == _P:
        current.paragraphs += 1
        if current.paragraphs > 1 or current.parts:
            current.parts.append("\n")
    elif el.tag == _TAB:
        current.parts.append("\t")
    else:
        current.parts.append("\n")


def _legacy_field(ff_data: etree._Element, result_text: str) -> LegacyField:
    name_el = ff_data.find(_W + "name")
    name = (name_el.get(_VAL) or "") if name_el is not None else ""
    check = ff_data.find(_W + "checkBox")
    drop = ff_data.find(_W + "ddList")
    if check is not None:
        checked = check.find(_W + "checked")
        if checked is not None:
            return LegacyField(name, "checkbox", is_true(checked.get(_VAL), absent=True))
        default = check.find(_W + "default")
        return LegacyField(
            name, "checkbox", default is not None and is_true(default.get(_VAL), absent=False)
        )
    if drop is not None:
        return LegacyField(name, "dropdown", _dropdown_value(drop))
    text_input = ff_data.find(_W + "textInput")
    type_el = text_input.find(_W + "type") if text_input is not None else None
    kind = "date" if type_el is not None and type_el.get(_VAL) == "date" else "text"
    # Word shows five en spaces (U+2002) in an empty FORMTEXT.
    return LegacyField(name, kind, "" if not result_text.strip(" \u2002\u00a0") else result_text)


def _dropdown_value(drop: etree._Element) -> str:
    entries = [e.get(_VAL) or "" for e in drop.findall(_W + "listEntry")]
    result = drop.find(_W + "result")
    if result is None:
        result = drop.find(_W + "default")
    try:
        index = int(result.get(_VAL) or 0) if result is not None else 0
    except ValueError:
        index = 0
    return entries[index] if 0 <= index < len(entries) else ""
