"""An OpenDocument package (.odt) read safely: the same bounded zip reader as a Word package.

``OdtPackage(data)`` is a ``mentordocs.ooxml.package.ZipPackage`` (member count, part and total
sizes, compression ratio, hardened XML) that words its messages for OpenDocument. It knows the
package's layout: ``mimetype`` (what kind of document), ``META-INF/manifest.xml`` (which parts
are encrypted: a document saved with a password cannot be read), ``content.xml`` (the body),
``styles.xml`` (master pages: headers and footers) and ``meta.xml`` (user-defined properties,
the modified and created times, the program that saved it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from mentordocs.odf import ns
from mentordocs.ooxml.package import PackageError, ZipPackage, w3c_time

__all__ = ["OdtMeta", "OdtPackage", "is_odt", "is_opendocument", "media_type"]

_MIMETYPE = ns.MIMETYPE_PART.encode()
_MAX_MEDIA_TYPE = 200  # bytes; "application/vnd.oasis.opendocument.text" is 39
_OPENDOCUMENT = "application/vnd.oasis.opendocument."
_RESAVE = "Ask the sender to open the form in LibreOffice, save it again and resend it."
_LOCAL_HEADER = b"PK\x03\x04"
_FRACTION = re.compile(r"\.(\d+)")  # LibreOffice writes nanoseconds; Python reads microseconds


def media_type(data: bytes) -> str | None:
    """What the ``mimetype`` member of an OpenDocument package says, None for anything else.

    The format puts ``mimetype`` first and uncompressed, so the first bytes tell; a package
    written otherwise is opened to look (only when the name appears in it at all).
    """
    if data[:4] != _LOCAL_HEADER:
        return None
    if data[30:38] == _MIMETYPE and data[8:10] == b"\x00\x00":  # first, and stored
        size = int.from_bytes(data[18:22], "little")
        start = 38 + int.from_bytes(data[28:30], "little")  # after the extra field
        found = data[start : start + size] if size <= _MAX_MEDIA_TYPE else b""
    elif _MIMETYPE in data:
        found = _mimetype_member(data)
    else:
        return None
    text = found.strip().decode("ascii", "replace")
    return text if text.startswith(_OPENDOCUMENT) else None


def _mimetype_member(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo(ns.MIMETYPE_PART)
            return package.read(info) if info.file_size <= _MAX_MEDIA_TYPE else b""
    except (KeyError, zipfile.BadZipFile, ValueError, EOFError, OSError, RuntimeError, zlib.error):
        return b""  # RuntimeError: an encrypted member (NotImplementedError is one too)


def is_opendocument(data: bytes) -> bool:
    """Whether ``data`` is an OpenDocument package of any kind (text, spreadsheet, ...)."""
    return media_type(data) is not None


def is_odt(data: bytes) -> bool:
    """Whether ``data`` is an OpenDocument text (.odt)."""
    return media_type(data) == ns.MEDIA_TYPE_TEXT


@dataclass(frozen=True)
class OdtMeta:
    """What ``meta.xml`` says."""

    properties: dict[str, str] = field(default_factory=dict)  # meta:user-defined, as text
    modified: dt.datetime | None = None  # dc:date, when later than meta:creation-date
    generator: str = ""  # meta:generator, e.g. "LibreOffice/7.4.7.2$Linux_X86_64 ..."


class OdtPackage(ZipPackage):
    """An OpenDocument text in memory, read part by part within ``limits``."""

    def _not_a_package(self) -> PackageError:
        return PackageError(
            "is not an OpenDocument text (.odt) even though it is named like one",
            "Ask the sender to open the form in LibreOffice or Word and save it again as .odt "
            "or .docx.",
        )

    def _missing(self, part: str) -> PackageError:
        return PackageError(f"is missing a part every OpenDocument text has ({part})", _RESAVE)

    def _encrypted(self) -> PackageError:
        return _password()

    def _unsafe(self, part: str) -> PackageError:
        return PackageError(
            f"contains XML with a DOCTYPE or entity declarations ({part}), which LibreOffice "
            "never writes; it was not read, to keep your computer safe",
            "Ask the sender to copy the answers into a fresh copy of the form.",
        )

    def check_text(self) -> None:
        """Raise PackageError unless this is a text document that is not password-protected."""
        if self.has(ns.MIMETYPE_PART):
            kind = self.read(ns.MIMETYPE_PART).strip().decode("ascii", "replace")
            if kind != ns.MEDIA_TYPE_TEXT:
                raise PackageError(
                    f"is an OpenDocument file of another kind ({kind}), not a text document",
                    "Ask the sender to save the form from LibreOffice Writer as .odt or .docx.",
                )
        if not self.has(ns.MANIFEST_PART):
            return
        manifest = self.parse(ns.MANIFEST_PART)
        if manifest.find(f".//{ns.qn('manifest:encryption-data')}") is not None:
            raise _password()

    @property
    def macros(self) -> bool:
        """Whether the package holds macros (LibreOffice Basic or scripts)."""
        return any(name.lower().startswith(ns.MACRO_FOLDERS) for name in self.names)

    def meta(self) -> OdtMeta:
        if not self.has(ns.META_PART):
            return OdtMeta()
        root = self.parse(ns.META_PART)
        office_meta = root.find(ns.qn("office:meta"))
        if office_meta is None:
            return OdtMeta()
        properties: dict[str, str] = {}
        for prop in office_meta.iter(ns.qn("meta:user-defined")):
            name = prop.get(ns.qn("meta:name"))
            if name:
                properties[name] = "".join(str(t) for t in prop.itertext()).strip()
        modified = _time(office_meta.find(ns.qn("dc:date")))
        created = _time(office_meta.find(ns.qn("meta:creation-date")))
        if modified is not None and created is not None and modified <= created:
            modified = None  # the form's own stamp, not a save: the file's time says more
        generator = office_meta.find(ns.qn("meta:generator"))
        return OdtMeta(
            properties=properties,
            modified=modified,
            generator=(generator.text or "").strip() if generator is not None else "",
        )


def _time(el: etree._Element | None) -> dt.datetime | None:
    """An OpenDocument date-time (local time unless it has a zone) as local time, or None."""
    if el is None or not el.text:
        return None
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], el.text.strip(), count=1)
    return w3c_time(text)


def _password() -> PackageError:
    return PackageError(
        "is protected with a password (saved with 'Save with password' in LibreOffice), so its "
        "answers cannot be read",
        "Ask the sender to open it in LibreOffice, choose File > Save As, untick 'Save with "
        "password', save it and send it again.",
    )
