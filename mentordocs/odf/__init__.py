"""The only part of mentordocs that knows OpenDocument (.odt, as LibreOffice saves a form).

- ``ns``: namespaces, the text document's media type, the parts of a package;
- ``package``: ``OdtPackage``, an .odt read within the same ``ReadLimits`` as a .docx (the
  bounded zip reader of ``mentordocs.ooxml.package``), ``is_odt``/``is_opendocument``, ``meta.xml``;
- ``text``: the fields of ``content.xml`` (and of headers and footers), as the Word reader's
  ``mentordocs.ooxml.fields.Field``;
- ``document``: ``read_odt``, all of it in one call.

Every XML part goes through ``mentordocs.ooxml.xml.parse_xml``, the one hardened parser.
"""

from mentordocs.odf.document import OdtDocument, read_odt
from mentordocs.odf.package import is_odt, is_opendocument, media_type
from mentordocs.odf.text import FieldOfBookmark, anchor_of

__all__ = [
    "FieldOfBookmark",
    "OdtDocument",
    "anchor_of",
    "is_odt",
    "is_opendocument",
    "media_type",
    "read_odt",
]
