"""What Word shows: one part with every tracked change accepted and markup compatibility resolved.

``accept_all(part_root)`` changes a parsed part (body, header, footer, notes) in place to
what Word displays after *Accept All Changes*, and reads ``mc:AlternateContent`` the way Word
does, so that ``fields.read_fields`` sees each answer once, where the person left it:

* nothing deleted is read (a value is never the deleted text, nor deleted and new text
  glued together);
* nothing is read twice (a text box is written twice, once as DrawingML in ``mc:Choice`` and
  once as VML in ``mc:Fallback``, each copy holding the same controls; a moved text is in
  both its old and its new place);
* a control whose own markup was deleted is no longer a control: what it held stays, as
  plain text, outside any field.

The rules, with the ECMA-376 elements they follow, by the titles the standard gives them:
Part 1 (WordprocessingML) section 17.13.5 "Revisions", Part 3 "Markup Compatibility and
Extensibility".

Markup compatibility (Part 3: ``AlternateContent``, ``Choice``, ``Fallback``):
  A ``mc:Choice`` is selected when every namespace named by the prefixes of its ``Requires``
  attribute (resolved where the Choice stands) is one Word understands
  (``UNDERSTOOD_NAMESPACES``, below); "the first Choice element, in markup order" is used,
  else the ``mc:Fallback``, else nothing ("as if the AlternateContent element were absent").
  The AlternateContent is replaced by the children of the branch chosen, so what Word renders
  is read exactly once.

Inserted and deleted content (``ins`` "Inserted Run Content", ``del`` "Deleted Run Content"):
  ``w:ins`` around run content is unwrapped: its content stays where it is. ``w:del`` is
  removed with everything in it: ``w:delText``, ``w:delInstrText``, deleted breaks, tabs,
  symbols, whole controls, and any ``w:t`` a producer left inside it. A stray ``w:delText`` or
  ``w:delInstrText`` outside a ``w:del`` is deleted text all the same and removed.

Paragraph marks (``del`` "Deleted Paragraph", ``ins`` "Inserted Paragraph", ``moveFrom``
"Move Source Paragraph", ``moveTo`` "Move Destination Paragraph", all in ``w:pPr/w:rPr``):
  A paragraph whose mark was deleted (or moved away) has its contents "combined with the
  following paragraph": they move to the start of the next paragraph, which keeps its own
  properties (the mark that survives is the next one's). The next paragraph is the next
  sibling ``w:p``, looking past bookmarks and other range markers; a paragraph is never joined
  across a table, a cell, a text box or a block-level control's edge. With no such next
  paragraph the paragraph stays, unless nothing is left in it, in which case it goes too
  (never the last paragraph of its container). An inserted or moved-here mark stays: only the
  marker goes.

Moves (``moveFrom`` "Move Source Run Content", ``moveTo`` "Move Destination Run Content",
``moveFromRangeStart/End``, ``moveToRangeStart/End``):
  ``w:moveFrom`` content is the old place and is removed like ``w:del``; ``w:moveTo`` content
  is kept like ``w:ins``. The range elements only name the move ("all content within it which
  [is] marked as a move source is part of a single named move"); they are removed, and
  content inside a range that is not itself marked as moved stays.

Property changes (``rPrChange``, ``pPrChange``, ``sectPrChange``, ``tblPrChange``,
``tblPrExChange``, ``tblGridChange``, ``trPrChange``, ``tcPrChange``, ``numberingChange``):
  Each holds the *previous* properties; accepting keeps the current ones, so the change
  element is removed. Inserted numbering (``w:numPr/w:ins``) keeps the numbering.

Table rows and cells (``del`` "Deleted Table Row" and ``ins`` "Inserted Table Row" in
``w:trPr``; ``cellDel``, ``cellIns``, ``cellMerge``):
  A deleted row is removed (and a table left without rows with it); a deleted cell is
  removed; inserted rows and cells stay. A vertical-merge revision (``cellMerge``) only loses
  its marker: merged cells hold no text of their own.

Content controls under revision:
  A control inside ``w:ins``/``w:moveTo`` stays, inside ``w:del``/``w:moveFrom`` goes, with
  the rule above. Word records that a control *itself* (its start and end tags, not its
  content) was inserted, deleted or moved with the custom XML markup revision ranges
  (``customXmlInsRangeStart/End``, ``customXmlDelRangeStart/End``,
  ``customXmlMoveFromRangeStart/End``, ``customXmlMoveToRangeStart/End``): a Del or MoveFrom
  range starts before the ``w:sdt`` and ends as the first child of its ``w:sdtContent``. A
  control whose ``w:sdtPr`` lies inside such a range is unwrapped: its content (itself subject
  to the rules above) stays, but no longer as a field. A ``w:del`` or ``w:moveFrom`` in
  ``w:sdtPr/w:rPr`` is not in the schema (``w:sdtPr/w:rPr`` is a plain ``CT_RPr``, which has
  no revision markers); should a producer write one, it is read the same way. The range
  markers themselves are removed.

Placeholder text (``showingPlcHdr``, "Current Contents Are Placeholder Text"):
  A control still marked as showing its placeholder but holding tracked inserted text is not
  showing its placeholder once that text is accepted (a placeholder is never typed as a
  revision): the stale marker is removed, so the inserted text is read as the value.
  LibreOffice 7.4 leaves the marker in place when a person types over a placeholder.

Text typed outside every control is not any field's value: ``inserted_outside_controls``
lists the tracked insertions that lie outside all controls, each with the text shown before
it, for a coordinator to review.

lxml's public API only (``iter`` by tag, ``getparent``, ``index``/``insert``/``remove``,
``iterwalk``); no text matching over XML.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import NamedTuple

from lxml import etree

from mentordocs.ooxml.ns import MC, W14, W15, W

__all__ = [
    "UNDERSTOOD_NAMESPACES",
    "StrayText",
    "accept_all",
    "choose_alternate_content",
    "inserted_outside_controls",
]

#: The namespaces Word (Microsoft 365, 2024) understands when it chooses among the branches
#: of an ``mc:AlternateContent``: those of ECMA-376 and Microsoft's extensions up to Word
#: 2024. Chosen so that a DrawingML text box (``Requires="wps"``) wins over its VML
#: fallback, as in Word. A namespace missing here only makes a later branch be read instead.
UNDERSTOOD_NAMESPACES = frozenset(
    (
        # ECMA-376 transitional (Strict parts are mapped onto these by ooxml.xml)
        W,  # w
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",  # r
        "http://schemas.openxmlformats.org/officeDocument/2006/math",  # m
        "http://schemas.openxmlformats.org/drawingml/2006/main",  # a
        "http://schemas.openxmlformats.org/drawingml/2006/picture",  # pic
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",  # wp
        "http://schemas.openxmlformats.org/drawingml/2006/chart",  # c
        "http://schemas.openxmlformats.org/drawingml/2006/diagram",  # dgm
        "urn:schemas-microsoft-com:vml",  # v
        "urn:schemas-microsoft-com:office:office",  # o
        "urn:schemas-microsoft-com:office:word",  # w10
        "http://schemas.microsoft.com/office/word/2006/wordml",  # wne
        # Word 2010
        W14,  # w14
        "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",  # wps
        "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",  # wpg
        "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",  # wpc
        "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",  # wpi
        "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",  # wp14
        "http://schemas.microsoft.com/office/drawing/2010/main",  # a14
        # Word 2013
        W15,  # w15
        # Word 2016 to 2024
        "http://schemas.microsoft.com/office/word/2015/wordml/symex",  # w16se
        "http://schemas.microsoft.com/office/word/2016/wordml/cid",  # w16cid
        "http://schemas.microsoft.com/office/word/2018/wordml",  # w16
        "http://schemas.microsoft.com/office/word/2018/wordml/cex",  # w16cex
        "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",  # w16sdtdh
        "http://schemas.microsoft.com/office/word/2023/wordml/word16du",  # w16du
        "http://schemas.microsoft.com/office/word/2024/wordml/sdtformatlock",  # w16sdtfl
        "http://schemas.microsoft.com/office/drawing/2014/main",  # a16
        "http://schemas.microsoft.com/office/drawing/2014/chartex",  # cx
        "http://schemas.microsoft.com/office/drawing/2015/9/8/chartex",  # cx1
        "http://schemas.microsoft.com/office/drawing/2015/10/21/chartex",  # cx2
        "http://schemas.microsoft.com/office/drawing/2016/5/9/chartex",  # cx3
        "http://schemas.microsoft.com/office/drawing/2016/5/10/chartex",  # cx4
        "http://schemas.microsoft.com/office/drawing/2016/5/11/chartex",  # cx5
        "http://schemas.microsoft.com/office/drawing/2016/5/12/chartex",  # cx6
        "http://schemas.microsoft.com/office/drawing/2016/5/13/chartex",  # cx7
        "http://schemas.microsoft.com/office/drawing/2016/5/14/chartex",  # cx8
        "http://schemas.microsoft.com/office/drawing/2016/ink",  # aink
        "http://schemas.microsoft.com/office/drawing/2016/SVG/main",  # asvg
        "http://schemas.microsoft.com/office/drawing/2017/model3d",  # am3d
        "http://schemas.microsoft.com/office/2019/extlst",  # oel
    )
)


class StrayText(NamedTuple):
    """Text a tracked change put outside every content control: no field's value.

    ``text`` is the text inserted (as shown once accepted, paragraphs joined with newlines);
    ``before`` up to ``BEFORE_CHARS`` characters of the text the part shows just before it;
    ``control_before`` the tag (else alias) of the control that precedes it in the same
    paragraph ('' when none): the field next to which it was typed, to help a person place
    it, never proof that it belongs there. ``moved`` is true for text moved there
    (``w:moveTo``) rather than typed.
    """

    text: str
    before: str
    control_before: str = ""
    moved: bool = False


#: How much of the text before a stray insertion ``StrayText.before`` keeps.
BEFORE_CHARS = 80

_W, _MC = f"{{{W}}}", f"{{{MC}}}"
_ALTERNATE, _CHOICE, _FALLBACK = _MC + "AlternateContent", _MC + "Choice", _MC + "Fallback"
_P, _PPR, _RPR, _TRPR, _NUMPR = _W + "p", _W + "pPr", _W + "rPr", _W + "trPr", _W + "numPr"
_TR, _TC, _TBL, _TCPR = _W + "tr", _W + "tc", _W + "tbl", _W + "tcPr"
_SDT, _SDT_PR, _SDT_CONTENT = _W + "sdt", _W + "sdtPr", _W + "sdtContent"
_TAG, _ALIAS, _VAL, _ID = _W + "tag", _W + "alias", _W + "val", _W + "id"
_SHOWING_PLACEHOLDER = _W + "showingPlcHdr"
_INS, _DEL, _MOVE_FROM, _MOVE_TO = _W + "ins", _W + "del", _W + "moveFrom", _W + "moveTo"
_DELETED_TEXT = (_W + "delText", _W + "delInstrText")
_CELL_DEL = _W + "cellDel"
_T, _TAB, _BR, _CR = _W + "t", _W + "tab", _W + "br", _W + "cr"
_SYM, _NO_BREAK_HYPHEN = _W + "sym", _W + "noBreakHyphen"
_SHOWN = (_T, _TAB, _BR, _CR, _SYM, _NO_BREAK_HYPHEN)
#: Where w:ins, w:del, w:moveFrom and w:moveTo are markers on a paragraph mark, a row or a
#: numbering, rather than wrappers around content.
_MARKER_PARENTS = frozenset((_RPR, _TRPR, _NUMPR))
_CONTROL_MARKUP_GONE = (_W + "customXmlDelRangeStart", _W + "customXmlMoveFromRangeStart")
_CONTROL_MARKUP_GONE_END = (_W + "customXmlDelRangeEnd", _W + "customXmlMoveFromRangeEnd")
#: Elements that only mark a revision, removed once every revision is accepted.
_MARKERS = tuple(
    _W + name
    for name in (
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
        "tblPrExChange",
        "tblGridChange",
        "trPrChange",
        "tcPrChange",
        "numberingChange",
        "cellIns",
        "cellMerge",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "customXmlInsRangeStart",
        "customXmlInsRangeEnd",
        "customXmlDelRangeStart",
        "customXmlDelRangeEnd",
        "customXmlMoveFromRangeStart",
        "customXmlMoveFromRangeEnd",
        "customXmlMoveToRangeStart",
        "customXmlMoveToRangeEnd",
    )
)
#: Siblings looked past when finding the paragraph a deleted paragraph mark joins.
_RANGE_MARKS = frozenset(
    _W + name
    for name in (
        "bookmarkStart",
        "bookmarkEnd",
        "commentRangeStart",
        "commentRangeEnd",
        "permStart",
        "permEnd",
        "proofErr",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "customXmlInsRangeStart",
        "customXmlInsRangeEnd",
        "customXmlDelRangeStart",
        "customXmlDelRangeEnd",
        "customXmlMoveFromRangeStart",
        "customXmlMoveFromRangeEnd",
        "customXmlMoveToRangeStart",
        "customXmlMoveToRangeEnd",
    )
)
#: Anything this module changes; a part holding none of these is left as it is, at once.
_ANY = (_ALTERNATE, _INS, _DEL, _MOVE_FROM, _MOVE_TO, *_DELETED_TEXT, _CELL_DEL, *_MARKERS)


def accept_all(part_root: etree._Element, stray: list[StrayText] | None = None) -> etree._Element:
    """Change ``part_root`` in place to what Word shows with every tracked change accepted.

    ``mc:AlternateContent`` is resolved first (``choose_alternate_content``); then the rules
    in this module's docstring, in this order: deleted and moved-away content removed,
    controls whose own markup was deleted unwrapped, stale placeholder markers dropped,
    deleted paragraph marks joined, insertions unwrapped, markers removed. Given a list as
    ``stray``, the insertions outside every control are appended to it (see
    ``inserted_outside_controls``). Returns ``part_root``, so a call can wrap a parse.
    """
    if next(part_root.iter(*_ANY), None) is None:
        return part_root
    choose_alternate_content(part_root)
    unwrap = _controls_with_deleted_markup(part_root)
    _remove_deleted(part_root)
    for sdt in unwrap:
        _replace_with_content(sdt)
    _clear_stale_placeholders(part_root)
    _join_deleted_paragraph_marks(part_root)
    if stray is not None:
        stray.extend(_stray_insertions(part_root))
    for el in list(part_root.iter(_INS, _MOVE_TO)):
        if _wraps_content(el):
            _replace_with_content(el)
    # What is left of ins/del/moveFrom/moveTo marks a paragraph mark, row or numbering.
    for el in list(part_root.iter(_INS, _DEL, _MOVE_FROM, _MOVE_TO, *_MARKERS)):
        _remove(el)
    return part_root


def inserted_outside_controls(part_root: etree._Element) -> list[StrayText]:
    """The tracked insertions (and moves) of a part that lie outside every content control.

    What a person typed with Track Changes on but not inside any field: LibreOffice puts text
    typed just after a control outside it. None of it is any field's value; a coordinator
    should see it. Call it on a part as parsed (the part is not changed; a copy is
    accepted), or pass a list as ``stray`` to ``accept_all`` to collect the same while
    accepting. Adjacent insertions are one entry; whitespace-only ones are left out.
    """
    found: list[StrayText] = []
    accept_all(copy.deepcopy(part_root), found)
    return found


def choose_alternate_content(part_root: etree._Element) -> etree._Element:
    """Replace every ``mc:AlternateContent`` by the branch Word reads (module docstring)."""
    for alternate in list(part_root.iter(_ALTERNATE)):
        chosen = None
        for branch in alternate:
            if branch.tag == _CHOICE and _understood(branch):
                chosen = branch
                break
            if branch.tag == _FALLBACK:
                chosen = branch
                break
        if chosen is None:
            _remove(alternate)
        else:
            _replace_with_children(alternate, chosen)
    return part_root


def _understood(choice: etree._Element) -> bool:
    prefixes = (choice.get("Requires") or "").split()
    if not prefixes:
        return False  # a Choice must require something; one that does not is malformed
    scope = choice.nsmap
    return all(scope.get(prefix) in UNDERSTOOD_NAMESPACES for prefix in prefixes)


# ---- removing what was deleted ---------------------------------------------------------------


def _remove_deleted(root: etree._Element) -> None:
    """Deleted and moved-away content, leftover deleted text, deleted rows and cells."""
    rows: list[etree._Element] = []
    for el in list(root.iter(_DEL, _MOVE_FROM)):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag == _TRPR:
            row = parent.getparent()
            if el.tag == _DEL and row is not None and row.tag == _TR:
                rows.append(row)
        elif parent.tag not in _MARKER_PARENTS:
            _remove(el)
    for el in list(root.iter(*_DELETED_TEXT)):
        _remove(el)
    for row in rows:
        table = row.getparent()
        _remove(row)
        if table is not None and table.tag == _TBL and next(table.iter(_TR), None) is None:
            _remove(table)
    for mark in list(root.iter(_CELL_DEL)):
        cell = mark.getparent()
        cell = cell.getparent() if cell is not None and cell.tag == _TCPR else None
        if cell is not None and cell.tag == _TC:
            _remove(cell)


def _controls_with_deleted_markup(root: etree._Element) -> list[etree._Element]:
    """Controls whose start tag lies inside a tracked deletion (or move away) of markup."""
    found: list[etree._Element] = []
    open_ranges: set[str] = set()
    for el in root.iter(_SDT_PR, *_CONTROL_MARKUP_GONE, *_CONTROL_MARKUP_GONE_END):
        if el.tag in _CONTROL_MARKUP_GONE:
            open_ranges.add(el.get(_ID) or "")
        elif el.tag in _CONTROL_MARKUP_GONE_END:
            open_ranges.discard(el.get(_ID) or "")
        elif open_ranges or _marked_deleted(el.find(_RPR)):
            sdt = el.getparent()
            if sdt is not None and sdt.tag == _SDT:
                found.append(sdt)
    return found


def _marked_deleted(rpr: etree._Element | None) -> bool:
    """Whether run properties (of a paragraph mark, or a control) carry a deletion mark."""
    if rpr is None:
        return False
    return any(child.tag in (_DEL, _MOVE_FROM) for child in rpr)


def _clear_stale_placeholders(root: etree._Element) -> None:
    for el in list(root.iter(_INS, _MOVE_TO)):
        if not _wraps_content(el) or not _shows_something(el):
            continue
        sdt = _enclosing_control(el)
        pr = sdt.find(_SDT_PR) if sdt is not None else None
        if pr is not None:
            for marker in pr.findall(_SHOWING_PLACEHOLDER):
                pr.remove(marker)


def _join_deleted_paragraph_marks(root: etree._Element) -> None:
    """Each paragraph whose mark was deleted or moved away joins the paragraph after it."""
    joining = [p for p in root.iter(_P) if _marked_deleted(_paragraph_mark(p))]
    for paragraph in joining:
        parent = paragraph.getparent()
        if parent is None:
            continue
        following = _next_paragraph(paragraph)
        if following is not None:
            properties = following.find(_PPR)
            at = 1 if properties is not None and following.index(properties) == 0 else 0
            for child in [c for c in paragraph if c.tag != _PPR]:
                following.insert(at, child)  # lxml moves the element (and its tail)
                at += 1
            _remove(paragraph)
        elif not _has_content(paragraph) and sum(1 for c in parent if c.tag == _P) > 1:
            _remove(paragraph)


def _paragraph_mark(paragraph: etree._Element) -> etree._Element | None:
    """A paragraph's mark properties (``w:pPr/w:rPr``), or None."""
    for child in paragraph:
        if child.tag == _PPR:
            for grandchild in child:
                if grandchild.tag == _RPR:
                    return grandchild
            return None
    return None


def _next_paragraph(paragraph: etree._Element) -> etree._Element | None:
    for sibling in paragraph.itersiblings():
        if sibling.tag == _P:
            return sibling
        if sibling.tag not in _RANGE_MARKS:
            return None
    return None


def _has_content(paragraph: etree._Element) -> bool:
    return any(child.tag != _PPR and child.tag not in _RANGE_MARKS for child in paragraph)


# ---- what was typed outside every control ----------------------------------------------------


def _stray_insertions(root: etree._Element) -> list[StrayText]:
    """Insertions outside every control, with the text shown before each (accepted view)."""
    outside = [
        el
        for el in root.iter(_INS, _MOVE_TO)
        if _wraps_content(el) and _enclosing_control(el) is None
    ]
    if not outside:
        return []
    wanted = set(outside)
    # An insertion inside another is part of that one's text.
    targets = [el for el in outside if not any(a in wanted for a in el.iterancestors())]
    before: dict[etree._Element, tuple[str, str]] = {}
    shown = ""  # the last characters shown so far, in document order
    seen_paragraph = False
    last_control: tuple[etree._Element | None, str] = (None, "")
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if el in wanted:
                paragraph = _enclosing_paragraph(el)
                same = paragraph is not None and last_control[0] is paragraph
                before[el] = (_last_words(shown), last_control[1] if same else "")
            elif el.tag == _P:
                shown = _keep_tail(shown + "\n" if seen_paragraph else shown)
                seen_paragraph = True
            elif el.tag in _SHOWN:
                shown = _keep_tail(shown + _shown_text(el))
        elif el.tag == _SDT:
            last_control = (_enclosing_paragraph(el), _control_name(el))
    return _merge_adjacent(targets, before)


def _merge_adjacent(
    targets: list[etree._Element], before: dict[etree._Element, tuple[str, str]]
) -> list[StrayText]:
    found: list[StrayText] = []
    previous: etree._Element | None = None
    for el in targets:
        text = _text_outside_controls(el)
        if previous is not None and found and _next_sibling_content(previous) is el:
            found[-1] = found[-1]._replace(text=found[-1].text + text)
        else:
            shown_before, near = before.get(el, ("", ""))
            found.append(StrayText(text, shown_before, near, el.tag == _MOVE_TO))
        previous = el
    return [item for item in found if item.text.strip()]


def _next_sibling_content(el: etree._Element) -> etree._Element | None:
    for sibling in el.itersiblings():
        if sibling.tag not in _RANGE_MARKS:
            return sibling
    return None


def _text_outside_controls(el: etree._Element) -> str:
    """The text an insertion shows, less what its own controls hold (read as fields)."""
    parts: list[str] = []
    for item in el.iter(_P, *_SHOWN):
        if _enclosing_control(item, stop=el) is not None:
            continue
        if item.tag == _P:
            if parts:
                parts.append("\n")
        else:
            parts.append(_shown_text(item))
    return "".join(parts)


def _shown_text(el: etree._Element) -> str:
    if el.tag == _T:
        return el.text or ""
    if el.tag == _TAB:
        return "\t"
    if el.tag == _NO_BREAK_HYPHEN:
        return "-"
    if el.tag == _SYM:
        return ""  # a symbol font glyph: no text to show
    if el.tag == _BR and el.get(_W + "type") not in (None, "textWrapping"):
        return ""  # page and column breaks are layout
    return "\n"


def _shows_something(el: etree._Element) -> bool:
    return any(item.tag != _T or item.text for item in el.iter(*_SHOWN))


def _last_words(text: str) -> str:
    """The end of ``text``: at most BEFORE_CHARS characters, not starting mid-word."""
    if len(text) <= BEFORE_CHARS:
        return text.strip()
    cut = text[-BEFORE_CHARS:]
    if not text[-BEFORE_CHARS - 1].isspace():
        cut = cut.split(None, 1)[1] if len(cut.split(None, 1)) > 1 else cut
    return cut.strip()


def _keep_tail(text: str) -> str:
    return text[-BEFORE_CHARS * 2 :] if len(text) > BEFORE_CHARS * 4 else text


def _control_name(sdt: etree._Element) -> str:
    pr = sdt.find(_SDT_PR)
    if pr is None:
        return ""
    tag = pr.find(_TAG)
    alias = pr.find(_ALIAS)
    name = tag.get(_VAL) if tag is not None else None
    if not name and alias is not None:
        name = alias.get(_VAL)
    return name or ""


# ---- tree helpers ------------------------------------------------------------------------------


def _wraps_content(el: etree._Element) -> bool:
    """Whether a w:ins/w:del/w:moveFrom/w:moveTo wraps content (rather than marks something)."""
    parent = el.getparent()
    return parent is not None and parent.tag not in _MARKER_PARENTS


def _enclosing_control(
    el: etree._Element, stop: etree._Element | None = None
) -> etree._Element | None:
    """The content control whose content holds ``el`` (looking up to ``stop``), or None."""
    node = el.getparent()
    while node is not None and node is not stop:
        if node.tag == _SDT_CONTENT:
            return node.getparent()
        node = node.getparent()
    return None


def _enclosing_paragraph(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None and node.tag != _P:
        node = node.getparent()
    return node


def _replace_with_content(el: etree._Element) -> None:
    """Put an element's content where it stands (a control: its w:sdtContent's children)."""
    if el.tag != _SDT:
        _replace_with_children(el, el)
        return
    content = el.find(_SDT_CONTENT)
    if content is None:
        _remove(el)
    else:
        _replace_with_children(el, content)


def _replace_with_children(el: etree._Element, holder: etree._Element) -> None:
    """Replace ``el`` by the children of ``holder`` (``el`` itself or one of its children)."""
    parent = el.getparent()
    if parent is None:
        return
    at = parent.index(el)
    children: Iterable[etree._Element] = list(holder)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
    _remove(el)


def _remove(el: etree._Element) -> None:
    """Remove ``el``, keeping the text after it (its tail) in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
