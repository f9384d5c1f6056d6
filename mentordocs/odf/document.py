"""``read_odt``: everything mentordocs needs from an OpenDocument text, in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mentordocs.odf import ns
from mentordocs.odf.package import OdtPackage
from mentordocs.odf.text import FieldOfBookmark, read_story
from mentordocs.ooxml.fields import Field
from mentordocs.ooxml.package import DEFAULT_LIMITS, ReadLimits

__all__ = ["OdtDocument", "read_odt"]

#: The local names of every element a field is read from, whatever their prefixes.
_FIELD_ELEMENTS = (b"content-control", b"text-input", b"bookmark")


@dataclass
class OdtDocument:
    """What one .odt holds: fields in document order (body, then headers and footers),
    user-defined properties as text, when it was last saved and by what."""

    fields: list[Field]
    properties: dict[str, str] = field(default_factory=dict)
    modified: dt.datetime | None = None  # dc:date, when later than meta:creation-date
    generator: str = ""  # meta:generator, e.g. "LibreOffice/25.2.3.2$Linux_X86_64 ..."
    macros: bool = False  # Basic/ or Scripts/ in the package
    main_part: str = ns.CONTENT_PART


def read_odt(
    data: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
    *,
    field_of_bookmark: FieldOfBookmark | None = None,
    placeholder_text: bool = False,
) -> OdtDocument:
    """Read an OpenDocument text held in memory, within ``limits``.

    ``field_of_bookmark`` maps a bookmark's name to the id of the field it is named after (or
    None); without it no bookmark gives an anchor. ``placeholder_text``: as ``read_story``. Raises
    ``mentordocs.ooxml.package.PackageError`` (``message`` and ``fix``) for a file that cannot
    be read: not a zip, damaged, a "zip bomb", another kind of OpenDocument file, saved with a
    password, unsafe XML.
    """
    with OdtPackage(data, limits) as package:
        package.check_text()
        body = package.parse(ns.CONTENT_PART).find(f"{ns.qn('office:body')}/{ns.qn('office:text')}")
        shown = placeholder_text
        fields = (
            read_story(body, field_of_bookmark, placeholder_text=shown) if body is not None else []
        )
        styles = package.read(ns.STYLES_PART) if package.has(ns.STYLES_PART) else b""
        if any(name in styles for name in _FIELD_ELEMENTS):  # else no header holds a field
            masters = package.parse(ns.STYLES_PART, styles).find(ns.qn("office:master-styles"))
            if masters is not None:
                fields.extend(read_story(masters, field_of_bookmark, placeholder_text=shown))
        meta = package.meta()
        return OdtDocument(
            fields=fields,
            properties=meta.properties,
            modified=meta.modified,
            generator=meta.generator,
            macros=package.macros,
        )
