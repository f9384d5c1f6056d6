"""Every name of the Office Open XML world mentordocs uses, in one place.

Namespaces (with ``qn()`` to spell an element in Clark notation), the content types and
relationship types of a Word package, the custom document properties that identify a form of
ours, and the signature of the old binary (OLE) format. Nothing outside ``mentordocs.ooxml``
spells any of these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# ---- namespaces -------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
XML = "http://www.w3.org/XML/1998/namespace"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
DCTERMS = "http://purl.org/dc/terms/"

#: Prefixes for ``qn`` and XPath.
NSMAP = {"w": W, "w14": W14, "w15": W15, "r": R, "mc": MC}

#: Strict Open XML spells the same elements in other namespaces; a part in Strict is read
#: with these replaced by the usual (transitional) ones.
STRICT_TO_TRANSITIONAL = (
    ("http://purl.oclc.org/ooxml/wordprocessingml/main", W),
    ("http://purl.oclc.org/ooxml/officeDocument/relationships", R),
    (
        "http://purl.oclc.org/ooxml/officeDocument/math",
        "http://schemas.openxmlformats.org/officeDocument/2006/math",
    ),
    ("http://purl.oclc.org/ooxml/drawingml/", "http://schemas.openxmlformats.org/drawingml/2006/"),
)
STRICT_MARK = "http://purl.oclc.org/ooxml/"  # how every Strict namespace above begins


def qn(name: str) -> str:
    """``"w:tag"`` -> ``"{namespace}tag"`` (Clark notation), with the prefixes of NSMAP."""
    prefix, local = name.split(":", 1)
    return f"{{{NSMAP[prefix]}}}{local}"


# ---- content types ----------------------------------------------------------------------------

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_DOCUMENT_MAIN = _WML + "document.main+xml"
CT_TEMPLATE_MAIN = _WML + "template.main+xml"  # a .dotx
CT_MACRO_MAIN = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
CT_HEADER = _WML + "header+xml"
CT_FOOTER = _WML + "footer+xml"
CT_FOOTNOTES = _WML + "footnotes+xml"
CT_ENDNOTES = _WML + "endnotes+xml"
CT_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
CT_CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

# ---- relationship types -----------------------------------------------------------------------

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_OFFICE_DOCUMENT = _REL + "officeDocument"
REL_CUSTOM_PROPERTIES = _REL + "custom-properties"
REL_CORE_PROPERTIES = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
)
REL_ATTACHED_TEMPLATE = _REL + "attachedTemplate"
#: The parts beside the body that can hold what a person typed, by the last word of their
#: relationship type (Strict and transitional spell the rest differently).
STORY_RELATIONSHIPS = ("header", "footer", "footnotes", "endnotes")

#: The custom document properties (``docProps/custom.xml``) format id Word uses.
CUSTOM_PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
CUSTOM_PROPERTIES_PART = "docProps/custom.xml"

# ---- our custom document properties --------------------------------------------------------------

#: Every form mentordocs makes carries these, so a return can be identified whatever its name.
PROP_PROGRAM = "mentordocs.program"
PROP_PAIR = "mentordocs.pair_id"
PROP_FORM = "mentordocs.form"
PROP_VERSION = "mentordocs.template_version"

# ---- anchors: bookmarks naming a form's fields -------------------------------------------------

#: Every content control of our templates sits inside a bookmark named after its field, so the
#: field can be recognised after LibreOffice drops its tag and alias or turns it into a FILLIN
#: field (it keeps bookmarks). A leading underscore makes it a hidden bookmark in Word (not
#: listed in Insert > Bookmark unless "Hidden bookmarks" is ticked); LibreOffice 7.4 and 25.2
#: keep such names through .docx and .odt.
ANCHOR_PREFIX = "_mdf_"
#: Word's limit on a bookmark's name (letters, digits, underscores).
ANCHOR_MAX = 40
_ANCHOR_READABLE = ANCHOR_MAX - len(ANCHOR_PREFIX) - 13  # readable part of a hashed name
_ANCHOR_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def anchor_name(field_id: str) -> str:
    """The bookmark name that anchors the field ``field_id``: deterministic, at most 40 chars.

    An id of lowercase letters, digits and underscores up to 34 characters (every id of ours)
    is spelled out: ``_mdf_goal_3_goal``. Any other id gets exactly 40 characters: the prefix,
    its first 22 characters made safe (padded with ``_``), ``_`` and 12 hex digits of its
    SHA-256, e.g. ``_mdf_a_very_long_field_id_th_1f3a...``; such a name is turned back into
    its id by looking it up among known ids (``anchor_lookup``). A spelled-out name is never
    40 characters long, so the two cannot be confused.
    """
    if 0 < len(field_id) < ANCHOR_MAX - len(ANCHOR_PREFIX) and _ANCHOR_CHARS.issuperset(field_id):
        return ANCHOR_PREFIX + field_id
    safe = "".join(c if c in _ANCHOR_CHARS else "_" for c in field_id.lower())
    digest = hashlib.sha256(field_id.encode("utf-8")).hexdigest()[:12]
    return f"{ANCHOR_PREFIX}{safe[:_ANCHOR_READABLE]:_<{_ANCHOR_READABLE}}_{digest}"


def anchor_lookup(field_ids: Iterable[str]) -> dict[str, str]:
    """Bookmark name -> field id for the hashed names of ``field_ids`` (ids over 34 chars or
    with other characters); spelled-out names need no lookup."""
    found: dict[str, str] = {}
    for field_id in field_ids:
        name = anchor_name(field_id)
        if len(name) == ANCHOR_MAX:
            found[name] = field_id
    return found


def anchor_field_id(name: str, lookup: dict[str, str] | None = None) -> str:
    """The field id a bookmark ``name`` anchors ('' when it is not an anchor, or a hashed name
    ``lookup`` does not know)."""
    if not name.startswith(ANCHOR_PREFIX):
        return ""
    if len(name) == ANCHOR_MAX:
        return (lookup or {}).get(name, "")
    field_id = name[len(ANCHOR_PREFIX) :]
    return field_id if field_id and _ANCHOR_CHARS.issuperset(field_id) else ""


# ---- other formats met where a .docx is expected -----------------------------------------------

#: The first bytes of an OLE compound file: an old .doc, or a .docx encrypted with a password.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
