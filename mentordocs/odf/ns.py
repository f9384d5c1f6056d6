"""Every name of the OpenDocument world mentordocs uses, in one place.

Namespaces (with ``qn()`` to spell an element in Clark notation), the media type of a text
document and the parts of its package. LibreOffice writes content controls in its own extension
namespace (``loext``) until OpenDocument has them. Nothing outside ``mentordocs.odf`` spells any
of these.
"""

from __future__ import annotations

# ---- namespaces -------------------------------------------------------------------------------

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
DC = "http://purl.org/dc/elements/1.1/"
#: LibreOffice's extensions (content controls since 7.4, their names and kinds since 7.5).
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"

NSMAP = {
    "office": OFFICE,
    "text": TEXT,
    "style": STYLE,
    "table": TABLE,
    "draw": DRAW,
    "meta": META,
    "manifest": MANIFEST,
    "dc": DC,
    "loext": LOEXT,
}


def qn(name: str) -> str:
    """``"text:p"`` -> ``"{namespace}p"`` (Clark notation), with the prefixes of NSMAP."""
    prefix, local = name.split(":", 1)
    return f"{{{NSMAP[prefix]}}}{local}"


# ---- the package ------------------------------------------------------------------------------

#: What the ``mimetype`` member of a text document holds (.odt).
MEDIA_TYPE_TEXT = "application/vnd.oasis.opendocument.text"
MIMETYPE_PART = "mimetype"
MANIFEST_PART = "META-INF/manifest.xml"
CONTENT_PART = "content.xml"
STYLES_PART = "styles.xml"  # headers and footers live in its master pages
META_PART = "meta.xml"
#: Folders of a package that hold macros (LibreOffice Basic, or scripts in other languages).
MACRO_FOLDERS = ("basic/", "scripts/")
