"""What openpyxl's read-only mode leaves out of a worksheet: its merged cells and hidden rows.

The fast way to read the roster (``workbook.StreamedBook``) takes the cells from openpyxl's
read-only mode, which streams them, and the layout from here; the plain way (``workbook.Book``)
takes both from openpyxl's normal mode, which makes an object of every cell, and the memory
stays with the process after the workbook is closed (``benchmarks/generate.py --memory``
measures both ways; docs/performance.md has the figures).

``read_layouts(data)`` reads, for each worksheet, the ranges in its ``<mergeCells>`` and the
rows marked hidden (``<row hidden="1">``), the way openpyxl's normal mode reads them: rows
numbered as it numbers them, ``hidden`` read as its ``Bool`` reads it, the last
``<mergeCells>`` counting. Each worksheet is found through the workbook's relationships (a
``ZipPackage``), and streamed from the zip, within the limits ``ZipPackage.read`` applies to a
part, through lxml's ``iterparse`` under the settings of the hardened parser
(``mentordocs.ooxml.xml``: no DTD, no entities, no network; a part that declares a DOCTYPE is
refused).

It raises ``LayoutError`` (or the package's or lxml's error) for anything it cannot read the
way openpyxl does, and for a worksheet on which openpyxl's two modes would not read the same
cells (rows out of order or repeated, a cell whose reference names another row): the caller
then reads the workbook the plain way.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from typing import IO

from lxml import etree
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.xml.constants import SHEET_MAIN_NS

from mentordocs.ooxml import ns
from mentordocs.ooxml.package import ZipPackage

__all__ = ["LayoutError", "SheetLayout", "read_layouts"]

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_MERGE_CELLS = f"{{{SHEET_MAIN_NS}}}mergeCells"
_SHEET = f"{{{SHEET_MAIN_NS}}}sheet"
_RELATIONSHIP = f"{{{ns.RELATIONSHIPS}}}Relationship"
_RID = f"{{{ns.R}}}id"
_FALSE = ("", "false", "f", "0")  # what openpyxl's Bool reads as False (an empty value too)


class LayoutError(ValueError):
    "The layout cannot be read as openpyxl's normal mode would read it."


@dataclass(frozen=True)
class SheetLayout:
    merged: list[CellRange]  # openpyxl's order (MultiCellRange.sorted), duplicates once
    hidden: list[int]  # row numbers, ascending


def read_layouts(data: bytes) -> dict[str, SheetLayout]:
    """Each worksheet's layout by title, in the workbook's order of sheets."""
    with ZipPackage(data) as package, zipfile.ZipFile(io.BytesIO(data)) as archive:
        stored = {name.lower(): name for name in package.names}
        layouts: dict[str, SheetLayout] = {}
        for title, part in _worksheets(package):
            if title in layouts:
                raise LayoutError(f"two sheets are called {title!r}")
            # Streamed (a worksheet of 10,000 pairs is 14 MB of XML), within the limits
            # ZipPackage.read applies to a part; zipfile unpacks no more than the size declared.
            info = archive.getinfo(stored[part.lower()])
            limits = package.limits
            if info.file_size > limits.max_part_bytes or (
                info.file_size > 1024 * 1024
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                raise LayoutError(f"{part} unpacks to more than a worksheet may")
            with archive.open(info) as stream:
                layouts[title] = _sheet_layout(stream)
        return layouts


def _worksheets(package: ZipPackage) -> list[tuple[str, str]]:
    """(title, part) of each worksheet, as openpyxl lists them: every sheet of the workbook
    part whose relationship is not a chartsheet's and whose part exists."""
    main = [t for kind, t in _relationships(package, "").values() if kind == ns.REL_OFFICE_DOCUMENT]
    if len(main) != 1:
        raise LayoutError("no single workbook part")
    related = _relationships(package, main[0])
    found = []
    for sheet in package.parse(main[0]).iter(_SHEET):
        rid = sheet.get(_RID)
        if not rid:
            continue  # openpyxl drops such a sheet too, with a warning
        if rid not in related:
            raise LayoutError(f"sheet {sheet.get('name')!r} has no relationship {rid!r}")
        kind, part = related[rid]
        if "chartsheet" not in kind and package.has(part):
            found.append((sheet.get("name") or "", part))
    return found


def _relationships(package: ZipPackage, source: str) -> dict[str, tuple[str, str]]:
    """Part ``source``'s internal relationships: id -> (type, target part)."""
    folder, base = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if not package.has(rels):
        return found
    for rel in package.parse(rels).iter(_RELATIONSHIP):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id") or ""] = (rel.get("Type") or "", target)
    return found


def _sheet_layout(stream: IO[bytes]) -> SheetLayout:
    head = stream.read(4096)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise LayoutError("the worksheet declares a DOCTYPE or entities")
    hidden: dict[int, bool] = {}
    refs: list[str] = []
    number = 0
    events = etree.iterparse(
        _Joined(head, stream),
        events=("end",),
        tag=(_ROW, _MERGE_CELLS),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    for _, element in events:
        if element.tag == _MERGE_CELLS:
            refs = [child.get("ref") or "" for child in element if _local(child) == "mergeCell"]
        else:
            number = _row_number(element, number)
            attributes = {key for key in element.attrib if not key.startswith("{")}
            if attributes - {"r", "spans"}:  # where openpyxl makes a RowDimension
                hidden[number] = _is_hidden(element)
        element.clear(keep_tail=True)
        while element.getprevious() is not None:  # what was read is not kept
            del element.getparent()[0]
    if events.root is not None and events.root.getroottree().docinfo.internalDTD is not None:
        raise LayoutError("the worksheet declares a DOCTYPE")
    merged = MultiCellRange([CellRange(ref) for ref in refs]).sorted()
    return SheetLayout(merged, sorted(n for n, is_hidden in hidden.items() if is_hidden))


class _Joined:
    "The stream's first bytes, read already, then the rest of it."

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        return self.rest.read(size)


def _row_number(row: etree._Element, previous: int) -> int:
    """The row's number as openpyxl gives it (``r``, or the one after the previous row's);
    LayoutError where read-only mode would read its cells elsewhere than normal mode."""
    text = row.get("r")
    if text is None:
        number = previous + 1
    else:
        try:
            number = int(text)
        except ValueError:
            as_float = float(text)  # openpyxl accepts "3.0"; anything else fails it too
            if not as_float.is_integer():
                raise LayoutError(f"row number {text!r}") from None
            number = int(as_float)
    if number <= previous:  # read-only mode skips a row that comes again or too late
        raise LayoutError(f"row {number} comes after row {previous}")
    digits = str(number)
    for cell in row:
        ref = cell.get("r")
        # Read-only mode puts a cell in the row it is written in, normal mode in the row its
        # reference names.
        if ref and (not ref.endswith(digits) or ref[-len(digits) - 1 : -len(digits)].isdigit()):
            raise LayoutError(f"cell {ref} is written in row {number}")
    return number


def _is_hidden(row: etree._Element) -> bool:
    "Whether openpyxl's RowDimension made from the row's attributes is hidden."
    visible = row.get("visible")
    if visible is not None:  # openpyxl takes hidden = not visible, visible as written
        return not visible
    return (row.get("hidden") or "") not in _FALSE


def _local(element: etree._Element) -> str:
    "The element's name without its namespace (openpyxl matches nested elements so)."
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
