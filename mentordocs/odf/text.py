"""The fields of an OpenDocument text, read from ``content.xml`` (and headers in ``styles.xml``).

``read_story(root, field_of_bookmark)`` walks one parsed part in document order and returns
every field as a ``mentordocs.ooxml.fields.Field``, like the Word reader:

- ``loext:content-control`` (LibreOffice 7.4 and later): its ``loext:tag`` and ``loext:alias``
  (7.5 and later; 7.4 writes neither), its kind from ``loext:checkbox``/``loext:checked``,
  ``loext:date``/``loext:current-date``, ``loext:dropdown`` or ``loext:combobox`` with
  ``loext:list-item`` children (7.4 writes the items without the attribute), else text;
  ``loext:showing-place-holder`` makes the value blank (with ``placeholder_text``: the text
  shown, ``placeholder`` true; LibreOffice 7.4 keeps the mark on a box typed into);
- ``text:text-input`` (what LibreOffice 7.4 makes of a plain-text control still showing its
  placeholder): a text field named by its ``text:description`` when that is not empty;
- bookmarks named after a field (``field_of_bookmark`` maps a bookmark's name to the field id,
  or None): one inside a control gives the control its ``anchor``; one just before a control
  or a text input (only spaces between) anchors that; a bookmark range around nothing but text
  is a text field of its own (id '', source "unnamed", the anchor); and a point bookmark
  outside any control (LibreOffice 7.4 drops a filled plain-text control and collapses a
  bookmark inside it to a point where the control began) is a text field holding the rest of
  its paragraph, up to the next field or bookmark.

What a person sees is what is read. Character data follows OpenDocument's white-space rule as
LibreOffice applies it (spaces, tabs and newlines in the XML are one space; a space after a
space, or at the start of a paragraph, is dropped); ``text:s`` (``text:c`` times) gives spaces,
``text:tab`` a tab, ``text:line-break`` and each further paragraph of a field a newline.
Tracked changes read as if all were accepted: the body already holds inserted text, and deleted
text lives only in ``text:tracked-changes``, which is skipped. Comments, ruby annotations,
foot- and endnotes (their numbers too, as in Word's reader) and the text of drawings are not
part of the text around them; fields inside notes and drawings are still found.

``before`` is the text outside fields shown before the field (paragraphs and cells apart by a
space, white space collapsed, at most 80 characters beginning at a word).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeAlias

from lxml import etree

from mentordocs.odf.ns import DRAW, LOEXT, OFFICE, TEXT
from mentordocs.ooxml.fields import FOREIGN_TAG_PREFIXES, Field

__all__ = ["BEFORE_CHARS", "FieldOfBookmark", "anchor_of", "read_story"]

#: Maps a bookmark's name to the id of the field it is named after (None: not a field's).
FieldOfBookmark = Callable[[str], str | None]

BEFORE_CHARS = 80
# Bounds on what markup can multiply, so a small hostile part cannot fill memory: spaces one
# text:s stands for, spaces all of them stand for (then each is one), controls inside controls
# (each copies the text of those inside it; deeper ones are read as their text).
_MAX_SPACES = 10_000
_MAX_SPACES_TOTAL = 1_000_000
_MAX_NESTING = 16

_T, _L = f"{{{TEXT}}}", f"{{{LOEXT}}}"
_P, _H, _S, _TAB, _LINE_BREAK = _T + "p", _T + "h", _T + "s", _T + "tab", _T + "line-break"
_CONTROL, _LIST_ITEM, _TEXT_INPUT = _L + "content-control", _L + "list-item", _T + "text-input"
_BOOKMARK, _BOOKMARK_START, _BOOKMARK_END = (
    _T + "bookmark",
    _T + "bookmark-start",
    _T + "bookmark-end",
)
_NAME = _T + "name"
#: Not shown, or (deleted text) no longer in the document once changes are accepted.
_SKIPPED = frozenset(
    (
        _T + "tracked-changes",
        _T + "ruby-text",
        _T + "soft-page-break",
        f"{{{OFFICE}}}annotation",
        f"{{{OFFICE}}}annotation-end",
        _LIST_ITEM,
    )
)
#: Text of its own, not part of the paragraph it sits in (fields inside still count); a note's
#: number is not part of what was typed either (Word's reader sees no text there).
_SEPARATE = frozenset((_T + "note-body", _T + "note-citation"))
_WHITE_SPACE = re.compile(r"[ \t\n\r]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def anchor_of(name: str | None, field_of_bookmark: FieldOfBookmark | None) -> str:
    """The id of the field bookmark ``name`` is named after, '' when it names none."""
    if not name or field_of_bookmark is None:
        return ""
    return field_of_bookmark(name) or ""


def read_story(
    root: etree._Element,
    field_of_bookmark: FieldOfBookmark | None = None,
    *,
    placeholder_text: bool = False,
) -> list[Field]:
    """Every field in one part (or one element of it: a body, a master page), in order. With
    ``placeholder_text`` a control marked as showing its placeholder keeps the text it shows
    as its value (``placeholder`` stays true), as ``ooxml.fields.read_fields`` does."""
    walker = _Walker(field_of_bookmark, placeholder_text)
    walker.children(root)
    return _resolve(walker.tokens)


# ---- walking the XML into tokens ----------------------------------------------------------------


class _Control(NamedTuple):
    "A content control or text input, read whole."

    field: Field


class _Point(NamedTuple):
    "A bookmark named after a field, at one point, outside any control."

    anchor: str


class _Start(NamedTuple):
    name: str
    anchor: str


class _End(NamedTuple):
    name: str


class _Break(NamedTuple):
    "The end of a paragraph outside any control."


_BREAK = _Break()
_Token: TypeAlias = str | _Control | _Point | _Start | _End | _Break | None


@dataclass
class _Buffer:
    """The text of the control being read, and the first field a bookmark inside names."""

    parts: list[str] = field(default_factory=list)
    paragraphs: int = 0
    anchor: str = ""


class _Walker:
    """One pass over a part: text outside fields, paragraph ends, fields and bookmarks."""

    def __init__(self, field_of_bookmark: FieldOfBookmark | None, placeholder_text: bool):
        self.tokens: list[_Token] = []
        self._field_of_bookmark = field_of_bookmark
        self._placeholder_text = placeholder_text
        self._buffers: list[_Buffer] = []  # controls being read, the innermost last
        self._paragraphs = 0  # paragraphs open around the current element
        self._separate = 0  # > 0 inside text that is not its paragraph's (a note's body)
        self._after_space = True  # the last character was a collapsible space, or none yet
        self._spaces_left = _MAX_SPACES_TOTAL

    def children(self, el: etree._Element) -> None:
        if el.text:
            self.text(el.text)
        for child in el:
            self.visit(child)
            if child.tail:
                self.text(child.tail)

    def visit(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            return
        if tag in (_P, _H):
            self.paragraph(el)
        elif tag == _S:
            count = max(1, min(_count(el.get(_T + "c")), self._spaces_left))
            self._spaces_left = max(0, self._spaces_left - count)
            self.text(" " * count, collapse=False)
        elif tag == _TAB:
            self.text("\t", collapse=False)
        elif tag == _LINE_BREAK:
            self.text("\n", collapse=False)
        elif tag in (_CONTROL, _TEXT_INPUT) and len(self._buffers) < _MAX_NESTING:
            self.control(el)
        elif tag in (_BOOKMARK, _BOOKMARK_START, _BOOKMARK_END):
            self.bookmark(el)
        elif tag in _SEPARATE or tag.startswith(f"{{{DRAW}}}"):
            self.separate(el)
        else:  # spans, links, tables, lists, sections, fields that show text...
            self.children(el)

    def text(self, text: str, *, collapse: bool = True) -> None:
        if not self._paragraphs:
            return  # white space between elements outside paragraphs means nothing
        if collapse:
            text = _WHITE_SPACE.sub(" ", text)
            if self._after_space and text.startswith(" "):
                text = text[1:]
            if not text:
                return
            self._after_space = text.endswith(" ")
        else:
            self._after_space = False
        if self._buffers:
            self._buffers[-1].parts.append(text)
        elif not self._separate:
            self.tokens.append(text)

    def paragraph(self, el: etree._Element) -> None:
        if self._buffers:
            buffer = self._buffers[-1]
            if buffer.paragraphs:
                buffer.parts.append("\n")
            buffer.paragraphs += 1
        self._paragraphs += 1
        self._after_space = True
        self.children(el)
        self._paragraphs -= 1
        if not self._buffers and not self._separate:
            self.tokens.append(_BREAK)

    def separate(self, el: etree._Element) -> None:
        """A note's body or a drawing: walked for its fields, its text kept apart."""
        saved = self._paragraphs, self._after_space, self._buffers
        self._paragraphs, self._buffers = 0, []
        self._separate += 1
        self.children(el)
        self._separate -= 1
        self._paragraphs, self._after_space, self._buffers = saved

    def control(self, el: etree._Element) -> None:
        index = len(self.tokens)
        self.tokens.append(None)  # its place in document order, before any control inside it
        buffer = _Buffer()
        self._buffers.append(buffer)
        self.children(el)
        self._buffers.pop()
        text = "".join(buffer.parts)
        if self._buffers:
            self._buffers[-1].parts.append(text)  # a control inside a control: both show it
        if el.tag == _TEXT_INPUT:
            found: Field | None = _text_input_field(el, text, buffer.anchor)
        else:
            found = _control_field(el, text, buffer.anchor, self._placeholder_text)
        if found is not None:
            self.tokens[index] = _Control(found)

    def bookmark(self, el: etree._Element) -> None:
        name = el.get(_NAME) or ""
        anchor = anchor_of(name, self._field_of_bookmark)
        if not anchor:
            return
        if self._buffers:
            if not self._buffers[-1].anchor:
                self._buffers[-1].anchor = anchor
        elif self._separate:
            return  # outside controls in a note or drawing, whose text is not read
        elif el.tag == _BOOKMARK:
            self.tokens.append(_Point(anchor))
        elif el.tag == _BOOKMARK_START:
            self.tokens.append(_Start(name, anchor))
        else:
            self.tokens.append(_End(name))


def _count(value: str | None) -> int:
    """``text:c``: how many spaces a ``text:s`` stands for (1 when absent or unreadable)."""
    try:
        count = int(value) if value is not None else 1
    except ValueError:
        return 1
    return max(1, min(count, _MAX_SPACES))


# ---- one control as a Field ---------------------------------------------------------------------


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1")


def _control_field(
    el: etree._Element, text: str, anchor: str, placeholder_text: bool
) -> Field | None:
    """A ``loext:content-control`` as a Field; None for a picture control or a foreign one."""
    tag, alias = el.get(_L + "tag") or "", el.get(_L + "alias") or ""
    if _true(el.get(_L + "picture")) or tag.startswith(FOREIGN_TAG_PREFIXES):
        return None
    placeholder = _true(el.get(_L + "showing-place-holder"))
    blank = placeholder and not placeholder_text
    items = [
        (item.get(_L + "display-text"), item.get(_L + "value"))
        for item in el
        if item.tag == _LIST_ITEM
    ]
    value: str | bool
    if _true(el.get(_L + "checkbox")):
        kind, value = "checkbox", _true(el.get(_L + "checked"))
    elif _true(el.get(_L + "date")):
        kind, value = "date", "" if blank else _date_value(el.get(_L + "current-date"), text)
    elif items or _true(el.get(_L + "dropdown")) or _true(el.get(_L + "combobox")):
        kind, value = "dropdown", "" if blank else _list_value(items, text)
    else:
        kind, value = "text", "" if blank else text
    source = "tag" if tag else ("alias" if alias else "unnamed")
    return Field(tag or alias, kind, value, tag, alias, source, placeholder, anchor)


def _text_input_field(el: etree._Element, text: str, anchor: str) -> Field:
    alias = el.get(_T + "description") or ""
    return Field(alias, "text", text, "", alias, "alias" if alias else "unnamed", False, anchor)


def _date_value(current: str | None, shown: str) -> str:
    """The picked date (``YYYY-MM-DD``) when one is shown, else the text shown."""
    if current and _DATE.match(current) and shown.strip():
        return current[:10]
    return shown


def _list_value(items: list[tuple[str | None, str | None]], shown: str) -> str:
    """The value of the drop-down item whose displayed text is ``shown`` (else ``shown``)."""
    key = shown.strip()
    for display, value in items:
        if display is None:
            display = value
        if display is not None and display.strip() == key:
            return value if value is not None else display
    return shown


# ---- tokens to fields ---------------------------------------------------------------------------


class _Window:
    """The text outside fields seen last, for ``before``."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0

    def add(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size > 20 * BEFORE_CHARS:
            kept = "".join(self._parts)[-4 * BEFORE_CHARS :]
            self._parts, self._size = [kept], len(kept)

    def text(self) -> str:
        words = " ".join("".join(self._parts).split())
        if len(words) <= BEFORE_CHARS:
            return words
        tail = words[-BEFORE_CHARS:]
        if words[-BEFORE_CHARS - 1] != " " and " " in tail:
            tail = tail[tail.index(" ") + 1 :]  # begin at a word
        return tail


def _resolve(tokens: list[_Token]) -> list[Field]:
    """The fields in order, with bookmarks outside controls turned into anchors or fields."""
    fields: list[Field] = []
    window = _Window()
    anchors: dict[int, str] = {}  # control token -> the field a bookmark just outside names
    consumed: set[int] = set()  # text tokens that became a bookmark field's value
    ends: dict[str, list[int]] = {}  # where ranges end, by name, in order
    for index, token in enumerate(tokens):
        if isinstance(token, _End):
            ends.setdefault(token.name, []).append(index)
    for index, token in enumerate(tokens):
        if index in consumed or token is None:
            continue
        if isinstance(token, str):
            window.add(token)
        elif isinstance(token, _Break):
            window.add(" ")
        elif isinstance(token, _Control):
            found = token.field
            if not found.anchor and index in anchors:
                found = found._replace(anchor=anchors[index])
            fields.append(found._replace(before=window.text()))
        elif isinstance(token, (_Point, _Start)):
            end = _range_end(ends, token.name, index) if isinstance(token, _Start) else None
            if isinstance(token, _Start) and end is not None:
                taken = _range_field(tokens, index, end, token.anchor, anchors)
            else:
                taken = _point_field(tokens, index, token.anchor, anchors)
            if taken is not None:
                value, used = taken
                fields.append(
                    Field("", "text", value, "", "", "unnamed", False, token.anchor, window.text())
                )
                consumed.update(used)
    return fields


def _range_end(ends: dict[str, list[int]], name: str, start: int) -> int | None:
    """Where the bookmark range named ``name`` beginning at ``start`` ends (None: never)."""
    found = ends.get(name, [])
    at = bisect.bisect_right(found, start)
    return found[at] if at < len(found) else None


def _point_field(
    tokens: list[_Token], start: int, anchor: str, anchors: dict[int, str]
) -> tuple[str, list[int]] | None:
    """A bookmark at one point outside controls: it anchors a control or text input right after
    it (None), else it is a text field reaching to the end of its paragraph or the next field
    or bookmark: (value, its text tokens)."""
    texts: list[int] = []
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if isinstance(token, str):
            texts.append(index)
            continue
        if token is None:
            continue  # a control that is no field (a picture)
        if isinstance(token, _Control) and _blank(tokens, texts):
            anchors.setdefault(index, anchor)
            return None
        break  # a paragraph's end, another field or bookmark
    return "".join(str(tokens[i]) for i in texts), texts


def _range_field(
    tokens: list[_Token], start: int, end: int, anchor: str, anchors: dict[int, str]
) -> tuple[str, list[int]] | None:
    """A bookmark range outside controls: around one control and nothing but spaces, it anchors
    that control (None); around text only, it is a text field of that text, paragraphs joined
    with newlines (value, its tokens); around anything else it proves nothing (None)."""
    texts: list[int] = []
    controls: list[int] = []
    for index in range(start + 1, end):
        token = tokens[index]
        if isinstance(token, (str, _Break)):
            texts.append(index)
        elif isinstance(token, _Control):
            controls.append(index)
        elif token is not None:
            return None  # another bookmark named after a field inside: which one counts?
    if controls:
        if len(controls) == 1 and _blank(tokens, texts):
            anchors.setdefault(controls[0], anchor)
        return None
    while texts and isinstance(tokens[texts[-1]], _Break):
        texts.pop()  # a range ending just after its paragraph
    value = "".join("\n" if isinstance(tokens[i], _Break) else str(tokens[i]) for i in texts)
    return value, texts


def _blank(tokens: list[_Token], indexes: list[int]) -> bool:
    return all(isinstance(tokens[i], _Break) or not str(tokens[i]).strip() for i in indexes)
