"""What the renderer changes in a template's package: content types and custom properties.

A rendered form carries custom document properties (``docProps/custom.xml``) that say which
program, pair, form and template version it is. These functions give a template's package
what that needs (an override in ``[Content_Types].xml``, a relationship in ``_rels/.rels``) and
write the properties part itself. A ``.dotx`` template becomes a plain document.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Iterable, Mapping

from lxml import etree

from mentordocs.ooxml import ns
from mentordocs.ooxml.xml import parse_xml

__all__ = [
    "TEMPLATED_TYPES",
    "CustomProperties",
    "part_content_types",
    "with_custom_override",
    "with_custom_relationship",
]

#: Parts whose text may carry template tags (the ones docxtpl renders, plus endnotes).
TEMPLATED_TYPES = frozenset(
    (
        ns.CT_DOCUMENT_MAIN,
        ns.CT_TEMPLATE_MAIN,
        ns.CT_HEADER,
        ns.CT_FOOTER,
        ns.CT_FOOTNOTES,
        ns.CT_ENDNOTES,
        ns.CT_CORE_PROPERTIES,
    )
)
MAIN_TYPES = frozenset((ns.CT_DOCUMENT_MAIN, ns.CT_TEMPLATE_MAIN))


def part_content_types(content_types: etree._Element, names: Iterable[str]) -> dict[str, str]:
    """The content type of each part name, from ``[Content_Types].xml`` (overrides, then the
    default for the name's extension)."""
    defaults = {
        (el.get("Extension") or "").lower(): el.get("ContentType") or ""
        for el in content_types.iter(f"{{{ns.CONTENT_TYPES}}}Default")
    }
    overrides = {
        (el.get("PartName") or "").lstrip("/").lower(): el.get("ContentType") or ""
        for el in content_types.iter(f"{{{ns.CONTENT_TYPES}}}Override")
    }
    found = {}
    for name in names:
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        found[name] = overrides.get(name.lower(), defaults.get(extension, ""))
    return found


def with_custom_override(content_types: etree._Element, custom_part: str) -> bytes:
    """``[Content_Types].xml`` with an override for the custom properties part and the main
    part typed as a document (not a .dotx template)."""
    has_custom = False
    for el in content_types.iter(f"{{{ns.CONTENT_TYPES}}}Override"):
        if el.get("ContentType") == ns.CT_TEMPLATE_MAIN:
            el.set("ContentType", ns.CT_DOCUMENT_MAIN)
        if (el.get("PartName") or "").lstrip("/").lower() == custom_part.lower():
            has_custom = True
            el.set("ContentType", ns.CT_CUSTOM_PROPERTIES)
    if not has_custom:
        etree.SubElement(
            content_types,
            f"{{{ns.CONTENT_TYPES}}}Override",
            PartName="/" + custom_part,
            ContentType=ns.CT_CUSTOM_PROPERTIES,
        )
    return etree.tostring(content_types, xml_declaration=True, encoding="UTF-8", standalone=True)


def with_custom_relationship(package_rels: bytes | None, custom_part: str) -> bytes:
    """``_rels/.rels`` with a relationship to the custom properties part."""
    tag = f"{{{ns.RELATIONSHIPS}}}Relationship"
    if package_rels is None:
        # lxml-stubs types nsmap keys as str; None is lxml's key for the default namespace.
        default: dict[str | None, str] = {None: ns.RELATIONSHIPS}
        root = etree.Element(f"{{{ns.RELATIONSHIPS}}}Relationships", nsmap=default)  # type: ignore[arg-type]
    else:
        root = parse_xml(package_rels)
    relationships = list(root.iter(tag))
    custom = [rel for rel in relationships if rel.get("Type") == ns.REL_CUSTOM_PROPERTIES]
    for rel in custom:
        rel.set("Target", custom_part)
    if not custom:
        ids = {rel.get("Id") for rel in relationships}
        number = len(relationships) + 1
        while f"rId{number}" in ids:
            number += 1
        attributes = {"Id": f"rId{number}", "Type": ns.REL_CUSTOM_PROPERTIES, "Target": custom_part}
        etree.SubElement(root, tag, attributes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class CustomProperties:
    """``docProps/custom.xml`` for each rendered form: the template's own properties (parsed
    once), without those a form sets, then the form's own as text."""

    def __init__(self, template_part: bytes | None):
        if template_part is None:
            # lxml-stubs types nsmap keys as str; None is lxml's key for the default namespace.
            default: dict[str | None, str] = {None: ns.CUSTOM_PROPERTIES, "vt": ns.VT}
            self._base = etree.Element(_PROPERTIES, nsmap=default)  # type: ignore[arg-type]
        else:
            self._base = parse_xml(template_part)

    def xml(self, properties: Mapping[str, str]) -> bytes:
        root = copy.deepcopy(self._base)
        for prop in list(root.iter(_PROPERTY)):
            if prop.get("name") in properties:
                parent = prop.getparent()
                if parent is not None:
                    parent.remove(prop)
        for name, value in properties.items():
            prop = etree.SubElement(root, _PROPERTY, fmtid=ns.CUSTOM_PROPERTY_FMTID, name=name)
            etree.SubElement(prop, f"{{{ns.VT}}}lpwstr").text = _xml_text(str(value))
        for pid, prop in enumerate(root.iter(_PROPERTY), start=2):
            prop.set("pid", str(pid))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_PROPERTIES = f"{{{ns.CUSTOM_PROPERTIES}}}Properties"
_PROPERTY = f"{{{ns.CUSTOM_PROPERTIES}}}property"


def _xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
    )
