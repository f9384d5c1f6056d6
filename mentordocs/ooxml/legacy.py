"""Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN): Word 97's fields, still met.

A legacy field is a complex field: a ``w:fldChar`` of type "begin" carrying ``w:ffData`` (name,
kind, defaults), the field code, a "separate", the result the reader sees, and an "end". Fields
can nest, so the result is collected on a stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from mentordocs.ooxml.ns import W

_W = f"{{{W}}}"
_FLD_CHAR, _FF_DATA, _FLD_CHAR_TYPE = _W + "fldChar", _W + "ffData", _W + "fldCharType"
_P, _T, _BR, _CR, _TAB = _W + "p", _W + "t", _W + "br", _W + "cr", _W + "tab"
_VAL = _W + "val"
_TRUE_WORDS = {"1", "true", "on"}


@dataclass(frozen=True)
class LegacyField:
    "One legacy form field: its name, kind and value (``bool`` for a checkbox)."

    name: str
    kind: str  # "text", "date", "checkbox" or "dropdown"
    value: str | bool


@dataclass
class _Open:
    """A field whose end has not been met yet."""

    begin: etree._Element
    ff_data: etree._Element | None
    in_result: bool = False
    parts: list[str] = field(default_factory=list)
    paragraphs: int = 0


def is_true(value: str | None, *, absent: bool) -> bool:
    """An OOXML on/off value ("1", "true", "on"); ``absent`` when the attribute is missing."""
    if value is None:
        return absent
    return value.strip().lower() in _TRUE_WORDS


def legacy_fields(root: etree._Element) -> list[tuple[etree._Element, LegacyField]]:
    """Every legacy form field in a part, with the element that begins it, in document order."""
    if root.find(f".//{_FF_DATA}") is None:
        return []
    found: list[tuple[etree._Element, LegacyField]] = []
    stack: list[_Open] = []
    for el in root.iter(_FLD_CHAR, _T, _P, _BR, _CR, _TAB):
        if el.tag == _FLD_CHAR:
            kind = el.get(_FLD_CHAR_TYPE)
            if kind == "begin":
                stack.append(_Open(el, el.find(_FF_DATA)))
            elif kind == "separate" and stack:
                stack[-1].in_result = True
            elif kind == "end" and stack:
                done = stack.pop()
                if done.ff_data is not None:
                    found.append((done.begin, _legacy_field(done.ff_data, "".join(done.parts))))
        elif stack and stack[-1].in_result and stack[-1].ff_data is not None:
            _add_result_text(stack[-1], el)
    return found


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
