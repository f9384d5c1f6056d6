"""The one XML parser for parts of Office files: lxml, hardened.

No DTD is loaded, no entity is resolved, nothing is fetched from the network, and a part that
declares a DOCTYPE (the door to entity expansion and external fetches) is refused outright:
Word, LibreOffice and Excel never write one. Strict Open XML namespaces are mapped onto the
usual ones before parsing, so the rest of the code sees one spelling.
"""

from __future__ import annotations

from lxml import etree

from mentordocs.errors import MentordocsError
from mentordocs.ooxml import ns


class UnsafeXmlError(MentordocsError):
    "An XML part declares a DOCTYPE or entities, which an Office document never needs."


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    collect_ids=False,  # Word XML has no xml:id worth indexing
)
# The same, going on past what is not well formed, for reading a damaged part as far as it
# goes (its contents then prove nothing; see ``parse_xml``'s ``recover``).
_RECOVERING = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    collect_ids=False,
    recover=True,
)
_STRICT = [(s.encode(), t.encode()) for s, t in ns.STRICT_TO_TRANSITIONAL]
_STRICT_MARK = ns.STRICT_MARK.encode()


def normalize_namespaces(xml: bytes) -> bytes:
    """``xml`` with Strict Open XML namespace URIs replaced by the transitional ones."""
    if _STRICT_MARK not in xml:
        return xml
    for strict, transitional in _STRICT:
        xml = xml.replace(strict, transitional)
    return xml


def is_strict(xml: bytes) -> bool:
    "Whether a part is written in Strict Open XML."
    return _STRICT_MARK in xml[:4096]


def parse_xml(xml: bytes, *, recover: bool = False) -> etree._Element:
    """Parse one part safely and return its root element.

    Raises UnsafeXmlError for a DOCTYPE or entity declaration and
    ``lxml.etree.XMLSyntaxError`` for XML that is not well formed. With ``recover``, XML that
    is not well formed is read as far as libxml2 can make sense of it (a damaged part: what
    it gives is for a person to check, never proof of anything).
    """
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise UnsafeXmlError("the XML declares a DOCTYPE or entities")
    xml = normalize_namespaces(xml)
    root = etree.fromstring(xml, _RECOVERING if recover else _PARSER)
    if root is None:  # recovering found nothing at all: say why, as the strict parser does
        root = etree.fromstring(xml, _PARSER)
    docinfo = root.getroottree().docinfo
    # lxml-stubs 0.5 leaves out DocInfo.doctype, which lxml has had since 2.0.
    doctype = docinfo.doctype  # type: ignore[union-attr]
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError("the XML declares a DOCTYPE or entities")
    return root
