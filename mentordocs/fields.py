"""Word form fields at the XML level: the one module that touches ``w:sdt`` and legacy fields.

Content controls (``w:sdt``) carry our field id in both ``w:tag`` and ``w:alias`` (LibreOffice
drops the tag when it re-saves a form; the alias survives). Kinds: ``text`` (plain or rich
text), ``checkbox`` (``w14:checkbox``), ``date`` (``w:date``), ``dropdown``
(``w:dropDownList`` / ``w:comboBox``). Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN)
are read too.

Everything here is a pure function over lxml elements or bytes; ``Field`` is the plain result.
"""

from __future__ import annotations

from dataclasses import dataclass

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Strict Open XML uses other namespace URIs for the same elements.
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_STRICT_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"

NSMAP = {"w": W_NS, "w14": W14_NS, "r": R_NS}

FIELD_KINDS = ("text", "checkbox", "date", "dropdown")


def qn(name: str) -> str:
    """``"w:tag"`` -> ``"{namespace}tag"`` (Clark notation) using NSMAP."""
    prefix, local = name.split(":", 1)
    return f"{{{NSMAP[prefix]}}}{local}"


@dataclass
class Field:
    """One fillable field found in a document.

    ``id`` is our field id where the control is ours (from the tag, else the alias), else the
    best name available (tag, alias, legacy field name). ``value`` is ``str`` for text, date and
    dropdown fields ('' when blank or still showing its placeholder), ``bool`` for checkboxes.
    ``source`` says where the name came from: "tag", "alias", "position" or "legacy".
    """

    id: str
    kind: str
    value: str | bool
    tag: str = ""
    alias: str = ""
    source: str = "tag"
    placeholder: bool = False  # still showing its placeholder text


# ---- writing (content controls for templates): owned by the forms work ----------------------

# ---- end writing -----------------------------------------------------------------------------

# ---- reading (fields from a filled form): owned by the harvest work -------------------------

# ---- end reading -----------------------------------------------------------------------------
