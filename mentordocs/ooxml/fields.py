"""Reading and filling the fields of a filled-in form: content controls and legacy fields.

``read_fields(root)`` walks one parsed part (body, header, footer, notes) and returns every
field as a plain ``Field`` in document order. Content controls (``w:sdt``) carry our field id
in both ``w:tag`` and ``w:alias``; their kinds are ``text`` (plain or rich), ``checkbox``
(``w14:checkbox``), ``date`` (``w:date``) and ``dropdown`` (``w:dropDownList``/``w:comboBox``).
Legacy form fields and FILLIN fields are read too (``legacy.py``).

Anchors. Our templates wrap every control in a bookmark named after its field
(``ns.anchor_name``), which LibreOffice keeps when it drops tags and aliases. A field's
``anchor`` is the field id of the anchor bookmark that starts inside its content (before any
text), or else of the innermost anchor that is open where the field starts and began in the
same paragraph. These are the shapes LibreOffice makes of a wrapped control (measured, 7.4 and
25.2, .docx re-save and .docx -> .odt -> .docx):

- 25.2 re-save: bookmark start, control, bookmark end, as built;
- 7.4 re-save: the start moved into the control's content, the end after the control; a
  plain-text control holding right-to-left text split into several controls with the same
  alias, all within the range (each gets the anchor);
- via .odt: 7.4 and 25.2 move the whole bookmark into the control's content, except that 7.4
  turns a plain-text control into a FILLIN field inside the bookmark (its text as the result,
  or its placeholder text) or, when it held right-to-left text, into plain text inside the
  bookmark (read here as a field of its own, ``source == "bookmark"``).

A bookmark collapsed to a point says where an answer started but not where it ended: no field
is made of it (a bookmark *inside* a plain-text control is collapsed so by 7.4; ours go
around). ``before`` is the fixed text the document shows just before a field: in its
paragraph, else the nearest paragraph before it in its cell, else the nearest cell before it
in its row (or paragraph before it in the body); other fields' values are left out;
whitespace collapsed, at most 80 characters. By default only fields whose identity is not
proven get it (see ``read_fields``).

``set_field_values(root, values)`` fills controls as a person would in Word: for tests and a
coordinator's own tooling; mentordocs never edits a returned form.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from lxml import etree

from mentordocs.ooxml.legacy import LegacyField, is_fillin, is_true, legacy_fields
from mentordocs.ooxml.ns import (
    ANCHOR_MAX,
    ANCHOR_PREFIX,
    W14,
    W15,
    XML,
    W,
    anchor_field_id,
    anchor_name,
)

__all__ = [
    "FOREIGN_TAG_PREFIXES",
    "Beside",
    "Field",
    "read_fields",
    "set_field_value",
    "set_field_values",
    "shown_text",
    "text_beside_fields",
]


class Field(NamedTuple):
    """One fillable field found in a document.

    ``id`` is the tag, else the alias, else the legacy field's name ('' for an unnamed
    control). ``value`` is ``str`` for text, date and dropdown fields ('' when blank or still
    showing its placeholder), ``bool`` for checkboxes. ``source`` says where the name came
    from: "tag", "alias", "unnamed" or "legacy"; or what the field is when it has no name of
    its own: "fillin" (a FILLIN field) or "bookmark" (text inside an anchor, no field at all).

    ``anchor`` is the field id a bookmark named after a field gives it (our templates put one
    around every control: LibreOffice keeps bookmarks where it drops tags), '' when none.
    ``before`` is the text the document shows just before the field (its label, usually),
    for a coordinator to recognise an answer whose field could not be proven (by default
    filled for those only: ``read_fields(before=...)``).
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
_R, _TC, _TR, _TBL = _W + "r", _W + "tc", _W + "tr", _W + "tbl"
_BOOKMARK_START, _BOOKMARK_END = _W + "bookmarkStart", _W + "bookmarkEnd"
_ID, _NAME = _W + "id", _W + "name"
_FLD_CHAR, _FLD_SIMPLE, _INSTR_TEXT = _W + "fldChar", _W + "fldSimple", _W + "instrText"
_FLD_CHAR_TYPE = _W + "fldCharType"
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


def shown_text(part_root: etree._Element, limit: int = 2000) -> str:
    """The text a part shows (its ``w:t`` runs, one space between paragraphs), at most
    ``limit`` characters: what a header or footer says ("Pair P03 · Goal sheet")."""
    pieces: list[str] = []
    size = 0
    for paragraph in part_root.iter(_W + "p"):
        text = "".join(t.text or "" for t in paragraph.iter(_W + "t"))
        if text:
            pieces.append(text)
            size += len(text) + 1
            if size >= limit:
                break
    return " ".join(pieces)[:limit]


class Beside(NamedTuple):
    """The text a paragraph holding fields shows outside them (a check box's label, or what
    someone typed next to a box instead of in it), with the names of those fields: their tags,
    aliases and the field ids of the anchor bookmarks in the paragraph."""

    names: tuple[str, ...]
    text: str  # whitespace collapsed


_HYPERLINK = _W + "hyperlink"
_R_TEXT = (_T, _TAB)


def text_beside_fields(part_root: etree._Element, *, blank: bool = False) -> list[Beside]:
    """Each paragraph holding inline content controls that shows text outside them (with
    ``blank``, every such paragraph, text or none), in document order: what a form's template
    puts beside its boxes, against which a return shows what was typed beside them (read
    after the tracked changes are accepted). Anchors with hashed names give no name here."""
    return _beside(part_root.iter(_SDT), blank)


def _beside(controls: Iterable[etree._Element], blank: bool) -> list[Beside]:
    "``text_beside_fields`` of the paragraphs holding ``controls`` (``w:sdt`` elements)."
    out = []
    seen: set[etree._Element] = set()
    for sdt in controls:
        paragraph = sdt.getparent()
        if paragraph is None or paragraph.tag != _P or paragraph in seen:
            continue  # a block-level control, or a paragraph met already
        seen.add(paragraph)
        runs = list(paragraph.iterchildren(_R, _HYPERLINK))
        if not (runs or blank):
            continue  # the answer lines of a form: nothing but boxes and bookmarks
        pieces = [
            " " if el.tag == _TAB else (el.text or "") for run in runs for el in run.iter(*_R_TEXT)
        ]
        text = " ".join("".join(pieces).split())
        if not (text or blank) or next(paragraph.iterancestors(_SDT), None) is not None:
            continue  # nothing beside its boxes, or itself inside a control
        names: list[str] = []
        for control in paragraph.iterchildren(_SDT):
            pr = control.find(_SDT_PR)
            for child in pr if pr is not None else ():
                if child.tag in (_TAG, _ALIAS):
                    names.append(child.get(_VAL) or "")
        for start in paragraph.iter(_BOOKMARK_START):
            names.append(anchor_field_id(start.get(_NAME) or ""))
        out.append(Beside(tuple(dict.fromkeys(n for n in names if n)), text))
    return out


def read_fields(
    part_root: etree._Element,
    *,
    unnamed: bool = False,
    placeholder_text: bool = False,
    anchors: Mapping[str, str] | None = None,
    before: Literal["unproven", "all", "none"] = "unproven",
    beside: list[Beside] | None = None,
) -> list[Field]:
    """Every form field in one part, in document order.

    Content controls at every nesting level, legacy form fields and FILLIN fields, and the
    text of an anchor bookmark holding no field (see the module's docstring). Controls that
    are not fields (groups, repeating sections, Word's own building blocks) and Google Docs'
    ``goog_rdk_*`` wrappers are skipped. A field with no name (tag, alias, legacy name) and no
    anchor is left out unless ``unnamed`` is true; then it comes with ``id == ""``.
    With ``placeholder_text`` a control showing its placeholder keeps that text as its value
    (``placeholder`` stays true): how a reference copy tells what "not filled in" looks like.
    ``anchors`` maps hashed anchor names to field ids (``ns.anchor_lookup`` of the form's
    ids); spelled-out names (all of ours) need none.

    ``before`` says which fields get ``Field.before``: by default those whose identity is not
    proven (no tag, alias or anchor, or two of them disagree: the ones a coordinator reviews);
    "all" every field; "none" none. A label costs about 10 us, as much as the rest of the
    reading of a field, so a form whose every field is proven pays nothing for it.

    Given a list as ``beside``, the paragraphs holding the controls found that show text
    outside them are appended to it (as ``text_beside_fields`` finds them, without walking
    the part again).
    """
    complex_fields = dict(legacy_fields(part_root))
    walk = _AnchorWalk(dict(anchors or {}))
    found = None if complex_fields else _quick_fields(part_root, placeholder_text)
    if found is None:
        found = _walked_fields(part_root, placeholder_text, walk, complex_fields)
    if beside is not None:
        beside.extend(_beside((el for _, el, _, _ in found if el.tag == _SDT), blank=False))
    labels = _Before() if before != "none" else None
    fields = []
    for _, el, item, name in found:
        anchor = walk.field_id(name, item) if name else ""
        if unnamed or item.id or anchor:
            label = ""
            if labels is not None and (before == "all" or not _proven(item, anchor)):
                label = labels.of(el)
            fields.append(Field._make((*item[:7], anchor, label)) if anchor or label else item)
    return fields


_Found = list[tuple[int, etree._Element, Field, str]]  # order, where it starts, field, anchor


def _quick_fields(part_root: etree._Element, placeholder_text: bool) -> _Found | None:
    """The controls of a part, each with the anchor starting just before it or at the start of
    its content; None when that does not account for every control and every anchor (then
    ``_walked_fields`` works out which anchors enclose which fields). A form as built, filled
    in Word or re-saved by LibreOffice 25.2, and a document without anchors, take this way:
    one pass over the controls, as fast as reading them without anchors."""
    found: _Found = []
    anchored = 0
    for order, sdt in enumerate(part_root.iter(_SDT)):
        control = _control_field(sdt, placeholder_text)
        if control is None:
            continue
        item, content = control
        previous = sdt.getprevious()
        name = previous.get(_NAME) or "" if previous is not None else ""
        if (
            previous is None
            or previous.tag != _BOOKMARK_START
            or not name.startswith(ANCHOR_PREFIX)
        ):
            inside = _anchor_start_in(content) if content is not None else None
            name = (inside.get(_NAME) or "") if inside is not None else ""
        anchored += bool(name)
        found.append((order, sdt, item, name))
    total = 0  # (an XPath count() with starts-with() takes four times as long)
    for start in part_root.iter(_BOOKMARK_START):
        total += (start.get(_NAME) or "").startswith(ANCHOR_PREFIX)
    if total == 0 or total == anchored == len(found):
        return found
    return None


def _walked_fields(
    part_root: etree._Element,
    placeholder_text: bool,
    walk: _AnchorWalk,
    complex_fields: dict[etree._Element, LegacyField],
) -> _Found:
    """Every field of a part with the anchor that starts in it or encloses it (see the
    module's docstring): one walk over controls, bookmarks and field characters in document
    order."""
    found: _Found = []
    tags: tuple[str, ...] = (_SDT, _BOOKMARK_START, _BOOKMARK_END)
    if complex_fields:
        tags += (_FLD_CHAR, _FLD_SIMPLE)
    for order, el in enumerate(part_root.iter(*tags)):
        tag = el.tag
        if tag == _BOOKMARK_START:
            walk.start(el, order)
        elif tag == _BOOKMARK_END:
            walk.end(el)
        elif tag == _SDT:
            control = _control_field(el, placeholder_text)
            if control is not None:
                item, content = control
                name = walk.beside(el)
                if not name:
                    inside = _anchor_start_in(content) if content is not None else None
                    name = walk.claim(inside, el) if inside is not None else walk.enclosing(el)
                found.append((order, el, item, name))
        elif el in complex_fields:
            old = complex_fields[el]
            item = Field(old.name, old.kind, old.value, alias=old.name, source=old.source)
            found.append((order, el, item, walk.enclosing(el)))
    if walk.leftovers:
        found.extend(_bookmark_fields(part_root, walk))
        found.sort(key=lambda entry: entry[0])
    return found


def _proven(item: Field, anchor: str) -> bool:
    """Whether a field's identity is proven: named by its tag, alias or anchor, which agree."""
    name = item.tag or item.alias or anchor
    return bool(name) and item.alias in ("", name) and anchor in ("", name)


def _control_field(
    sdt: etree._Element, placeholder_text: bool
) -> tuple[Field, etree._Element | None] | None:
    """One content control as a Field with its content element, or None when it is a
    container or not a field."""
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
    tags: set[str] = set()
    aliases: set[str] = set()
    for child in pr:
        name = child.tag
        if name == _TAG:
            tags.add(child.get(_VAL) or "")
        elif name == _ALIAS:
            aliases.add(child.get(_VAL) or "")
        elif name == _SHOWING_PLACEHOLDER:
            placeholder = is_true(child.get(_VAL), absent=True)
        elif name in _CONTAINER_KINDS:
            return None
        elif name in _KINDS:
            kind, kind_el = _KINDS[name], child
    # A name given twice, differently, names nothing: the field is then placed like one whose
    # names were removed (by its anchor or label), or shown for review.
    tag = tags.pop() if len(tags) == 1 else ""
    alias = aliases.pop() if len(aliases) == 1 else ""
    if tag.startswith(FOREIGN_TAG_PREFIXES):
        return None
    value = _control_value(content, kind, kind_el, placeholder and not placeholder_text)
    source = "tag" if tag else ("alias" if alias else "unnamed")
    return Field(tag or alias, kind, value, tag, alias, source, placeholder), content


# ---- anchors ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _OpenAnchor:
    """An anchor bookmark met (its start) in document order."""

    name: str
    start: etree._Element
    order: int
    owner: etree._Element | None = None  # the control it starts inside
    used: bool = False  # a field took it
    paragraph: etree._Element | None = None  # worked out when first needed


@dataclass
class _AnchorWalk:
    """The anchor bookmarks open at each point of a walk through a part in document order."""

    lookup: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)  # anchor name -> field id, once worked out
    open: dict[str, _OpenAnchor] = field(default_factory=dict)  # by w:id, in opening order
    claimed: dict[etree._Element, etree._Element] = field(default_factory=dict)  # start -> sdt
    leftovers: list[_OpenAnchor] = field(default_factory=list)  # anchors no field took

    def start(self, el: etree._Element, order: int) -> None:
        name = el.get(_NAME) or ""
        if name.startswith(ANCHOR_PREFIX):
            owner = self.claimed.pop(el, None) if self.claimed else None
            anchor = _OpenAnchor(name, el, order, owner, used=owner is not None)
            self.open[el.get(_ID) or ""] = anchor

    def end(self, el: etree._Element) -> None:
        anchor = self.open.pop(el.get(_ID) or "", None)
        if anchor is not None and not anchor.used:
            self.leftovers.append(anchor)

    def beside(self, el: etree._Element) -> str:
        """The name of the open anchor that starts just before ``el``, as our templates put
        it ('' for none): the quick answer for a form as built or re-saved by 25.2."""
        previous = el.getprevious()
        if previous is None or previous.tag != _BOOKMARK_START:
            return ""
        anchor = self.open.get(previous.get(_ID) or "")
        if anchor is None or anchor.start is not previous:
            return ""
        anchor.used = True
        return anchor.name

    def field_id(self, name: str, item: Field) -> str:
        """The field id the anchor bookmark ``name`` of ``item`` stands for ('' for none).

        A hashed name (40 characters) that ``lookup`` does not know is still recognised when
        it is the anchor name of the field's own tag or alias: a control that kept its name
        proves it.
        """
        known = self.ids.get(name)
        if known is not None:
            return known
        field_id = anchor_field_id(name, self.lookup)
        if not field_id and len(name) == ANCHOR_MAX:
            for own in (item.tag, item.alias):
                if own and anchor_name(own) == name:
                    self.lookup[name] = field_id = own
                    break
            if not field_id:
                return ""  # another control may prove it later
        self.ids[name] = field_id
        return field_id

    def claim(self, start: etree._Element, sdt: etree._Element) -> str:
        """The anchor starting inside the content of ``sdt`` (met after it in the walk)."""
        self.claimed[start] = sdt
        return start.get(_NAME) or ""

    def enclosing(self, el: etree._Element) -> str:
        """The name of the innermost open anchor that began beside ``el`` or in the paragraph
        ``el`` is in ('' for none). An anchor a control's content holds never passes to controls nested
        in that control."""
        if not self.open:
            return ""
        parent = el.getparent()
        paragraph = None
        for anchor in reversed(self.open.values()):
            if anchor.start.getparent() is not parent:  # else: side by side, as built
                if paragraph is None:
                    paragraph = _paragraph_of(el)
                if anchor.paragraph is None:
                    anchor.paragraph = _paragraph_of(anchor.start)
                if anchor.paragraph is not paragraph or paragraph is None:
                    continue
            if anchor.owner is not None and anchor.owner in el.iterancestors(_SDT):
                continue
            anchor.used = True
            return anchor.name
        return ""


_NOT_CONTENT = frozenset((_W + "pPr", _W + "proofErr", _BOOKMARK_END, _W + "permStart"))


def _anchor_start_in(content: etree._Element) -> etree._Element | None:
    """An anchor bookmark starting in a control's content before any of its text, or None.

    Looks through the content's first children (and into its first paragraph or cell, for a
    block- or cell-level control), passing runs without text and markup without content.
    """
    holder: etree._Element | None = content
    while holder is not None:
        inner, holder = holder, None
        for child in inner:
            tag = child.tag
            if tag == _BOOKMARK_START:
                if (child.get(_NAME) or "").startswith(ANCHOR_PREFIX):
                    return child
            elif tag == _R:
                for part in child:
                    if part.tag in _TEXT_TAGS:
                        return None
            elif tag in (_P, _TC):
                holder = child
                break
            elif tag not in _NOT_CONTENT:
                return None
    return None


_TEXT_TAGS = frozenset((_T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN, _FLD_CHAR, _W + "sym"))


def _paragraph_of(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    if parent is None or parent.tag == _P:
        return parent
    for ancestor in parent.iterancestors(_P):
        return ancestor
    return None


def _bookmark_fields(part_root: etree._Element, walk: _AnchorWalk) -> _Found:
    """The text inside each anchor no field took: what LibreOffice 7.4 leaves of a filled
    plain-text control that went through .odt. A collapsed anchor (no text inside) gives no
    field: where the answer ends is not known."""
    by_start = {anchor.start: anchor for anchor in walk.leftovers}
    ends = {anchor.start.get(_ID) for anchor in walk.leftovers}
    parts: dict[etree._Element, list[str]] = {}
    inside: list[tuple[str | None, etree._Element]] = []  # (w:id, start) of those open here
    new_paragraph = False  # a paragraph began inside: a line break if more text follows
    for el in part_root.iter(
        _BOOKMARK_START, _BOOKMARK_END, _P, _T, _BR, _CR, _TAB, _NO_BREAK_HYPHEN
    ):
        tag = el.tag
        if tag == _BOOKMARK_START:
            if el in by_start:
                inside.append((el.get(_ID), el))
                parts[el] = []
                new_paragraph = False
        elif tag == _BOOKMARK_END:
            if el.get(_ID) in ends:
                inside = [entry for entry in inside if entry[0] != el.get(_ID)]
        elif tag == _P:
            new_paragraph = True
        elif inside:
            text = parts[inside[-1][1]]
            if new_paragraph and text:
                text.append("\n")
            new_paragraph = False
            if tag == _T:
                text.append(el.text or "")
            elif tag == _TAB:
                text.append("\t")
            elif tag == _NO_BREAK_HYPHEN:
                text.append("-")
            elif tag != _BR or el.get(_W + "type") in (None, "textWrapping"):
                text.append("\n")
    found = []
    for start, pieces in parts.items():
        if pieces:
            anchor = by_start[start]
            item = Field("", "text", "".join(pieces), source="bookmark")
            found.append((anchor.order, anchor.start, item, anchor.name))
    return found


# ---- the text before a field ------------------------------------------------------------------

BEFORE_LIMIT = 80  # characters of ``Field.before``
_FORM_FIELD_CODES = frozenset(("FILLIN", "FORMTEXT", "FORMCHECKBOX", "FORMDROPDOWN"))


class _Before:
    """``Field.before`` for the fields of one part: the fixed text shown just before a field
    (see the module's docstring). Cells and paragraphs looked at are remembered, so a row's
    label is read once for all the fields beside it."""

    def __init__(self) -> None:
        self.texts: dict[etree._Element, str] = {}

    def of(self, start: etree._Element) -> str:
        """For the field beginning at ``start``: the end of its paragraph's text before it, else
        the start of the nearest earlier paragraph or cell with text."""
        paragraph = _paragraph_of(start)
        if paragraph is not None:
            text = _Flat(start).text_of(paragraph) if _text_precedes(paragraph, start) else ""
            if text:
                return text if len(text) <= BEFORE_LIMIT else "..." + text[3 - BEFORE_LIMIT :]
        node = paragraph if paragraph is not None else start
        for _ in range(2):  # the paragraphs before it in its cell (or body), then the cells
            for sibling in itertools.islice(node.itersiblings(preceding=True), 8):
                if sibling.tag == _TBL:
                    break
                if sibling.tag in (_P, _TC, _SDT):
                    known = self.texts.get(sibling)
                    if known is None:
                        known = self.texts[sibling] = _fixed_text(sibling)
                    if known:
                        return (
                            known
                            if len(known) <= BEFORE_LIMIT
                            else known[: BEFORE_LIMIT - 3] + "..."
                        )
            parent = node.getparent()
            if parent is None or parent.tag != _TC:
                break
            node = parent
        return ""


def _text_precedes(paragraph: etree._Element, start: etree._Element) -> bool:
    """Whether anything but properties and bookmarks comes before ``start`` in its paragraph
    (an answer cell usually holds the control alone)."""
    for child in paragraph:
        if child is start:
            return False
        if child.tag not in _NOT_CONTENT and child.tag != _BOOKMARK_START:
            return True
    return True


_ANSWER_MARKS = frozenset((_SDT, _FLD_CHAR, _FLD_SIMPLE, _BOOKMARK_START))


def _fixed_text(el: etree._Element) -> str:
    """The text of a paragraph or cell: straight from its runs when it holds no field and no
    bookmark (a label), else through ``_Flat``, which leaves answers out."""
    parts = []
    for item in el.iter(_T, _P, _TAB, _BR, _CR, *_ANSWER_MARKS):
        tag = item.tag
        if tag == _T:
            parts.append(item.text or "")
        elif tag in _ANSWER_MARKS:
            return _Flat(None).text_of(el)
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


#: What ``_Flat`` looks into for text (properties, deletions, drawings and controls it skips).
_HOLDERS = frozenset(
    (_R, _P, _TC, _SDT_CONTENT)
    + tuple(
        _W + name for name in ("hyperlink", "smartTag", "ins", "moveTo", "customXml", "dir", "bdo")
    )
)
_SPACES = frozenset((_TAB, _BR, _CR))


class _Flat:
    """The fixed text of an element up to ``stop``: control contents, the results of FILLIN
    and legacy form fields and the text inside anchors (answers, all) left out."""

    def __init__(self, stop: etree._Element | None) -> None:
        self.stop = stop
        self.path: set[etree._Element] = set()  # the elements holding stop
        if stop is not None:
            for ancestor in stop.iterancestors():
                if ancestor.tag == _P:
                    break
                self.path.add(ancestor)
        self.parts: list[str] = []
        self.fields: list[list[str]] = []  # open complex fields: [code, "result" once past it]
        self.anchors: set[str | None] = set()
        self.done = False

    def text_of(self, el: etree._Element) -> str:
        self.walk(el)
        return " ".join("".join(self.parts).split())

    def walk(self, el: etree._Element) -> None:
        for child in el:
            if self.done or child is self.stop:
                self.done = True
                return
            tag = child.tag
            if tag == _T:
                if not self.anchors and not (self.fields and self._in_answer()):
                    self.parts.append(child.text or "")
            elif tag in _HOLDERS:
                if tag == _P and self.parts:
                    self.parts.append(" ")
                self.walk(child)  # runs, hyperlinks, cells, insertions...
            elif tag in _SPACES:
                self.parts.append(" ")
            elif tag == _BOOKMARK_START:
                if (child.get(_NAME) or "").startswith(ANCHOR_PREFIX):
                    self.anchors.add(child.get(_ID))
            elif tag == _BOOKMARK_END:
                self.anchors.discard(child.get(_ID))
            elif tag == _FLD_CHAR:
                self._field_char(child.get(_FLD_CHAR_TYPE))
            elif tag == _INSTR_TEXT:
                if self.fields:
                    self.fields[-1][0] += child.text or ""
            elif tag == _FLD_SIMPLE and not is_fillin(child.get(_W + "instr") or ""):
                self.walk(child)
            elif tag == _SDT and child in self.path:
                self.walk(child)  # the control holding stop (another control's text is an answer)

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(["", ""])
        elif kind == "separate" and self.fields:
            self.fields[-1][1] = "result"
        elif kind == "end" and self.fields:
            self.fields.pop()

    def _in_answer(self) -> bool:
        for code, part in self.fields:
            words = code.split(None, 1)
            if part and words and words[0].upper() in _FORM_FIELD_CODES:
                return True
        return False


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
    """Put ``text`` into a control's content, keeping the first run's formatting and any
    bookmark in it (the new run goes before the first bookmark end, as typing there would)."""
    paragraphs = list(content.iter(_P))
    holder = paragraphs[0] if paragraphs else content
    for extra in paragraphs[1:]:
        parent = extra.getparent()
        if parent is not None:
            parent.remove(extra)
    runs = holder.findall(_W + "r")
    first_rpr = runs[0].find(_W + "rPr") if runs else None
    rpr = copy.deepcopy(first_rpr) if first_rpr is not None else None
    end = None
    for child in list(holder):
        if child.tag == _BOOKMARK_END and end is None:
            end = child
        elif child.tag not in (_W + "pPr", _BOOKMARK_START, _BOOKMARK_END):
            holder.remove(child)
    run = etree.Element(_W + "r")
    if end is not None:
        end.addprevious(run)
    else:
        holder.append(run)
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
