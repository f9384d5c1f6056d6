"""Reading one returned Word form: its identity properties and every field, safely.

``read_form(path_or_bytes)`` opens the file as a ``WordPackage`` (bounded zip, hardened XML),
finds the main part and the stories beside it through the package's relationships, and reads
every field with ``mentordocs.ooxml.fields``. A file that cannot be used raises
``FormReadError``, whose ``message`` says what is wrong and ``fix`` what the coordinator can do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

from mentordocs.errors import CollectError
from mentordocs.ooxml import ns
from mentordocs.ooxml.fields import Field, read_fields
from mentordocs.ooxml.package import DEFAULT_LIMITS, PackageError, ReadLimits, WordPackage
from mentordocs.ooxml.revisions import accept_all
from mentordocs.ooxml.xml import is_strict

__all__ = ["FormReadError", "FormReading", "read_form", "read_form_bytes", "read_file"]

#: A file bigger than this is not read at all (a form is a few hundred KB; with photos, MBs).
MAX_FILE_BYTES = 200 * 1024 * 1024


class FormReadError(CollectError):
    """One file cannot be read as a Word form. ``fix`` says what the coordinator can do."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message, fix)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}. {self.fix}".strip()


@dataclass
class FormReading:
    """What one Word file holds: identity properties, fields in document order, flags."""

    name: str  # as shown to the coordinator, e.g. "reply.eml > P03_goal-sheet.docx"
    sha256: str
    size: int
    main_part: str
    fields: list[Field]
    properties: dict[str, str] = field(default_factory=dict)
    modified: dt.datetime | None = None  # docProps/core.xml dcterms:modified
    file_time: dt.datetime | None = None  # file mtime, or the email's Date
    macros: bool = False
    strict: bool = False
    attached_template: str | None = None  # an external template (a remote one can run code)
    # Field id -> value, worked out where the file was read when every control kept its tag
    # (then ``fields`` is left empty, so less travels back from a worker process).
    values: dict[str, str | bool] | None = None

    @property
    def program(self) -> str:
        return self.properties.get(ns.PROP_PROGRAM, "")

    @property
    def pair_id(self) -> str:
        return self.properties.get(ns.PROP_PAIR, "")

    @property
    def form(self) -> str:
        return self.properties.get(ns.PROP_FORM, "")

    @property
    def template_version(self) -> str:
        return self.properties.get(ns.PROP_VERSION, "")

    @property
    def when(self) -> dt.datetime | None:
        """When it was last saved: the document's own time, else the file's."""
        return self.modified or self.file_time


def read_form(
    source: str | os.PathLike[str] | bytes,
    name: str | None = None,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    file_time: dt.datetime | None = None,
) -> FormReading:
    """Read one Word form (path or bytes). Raises FormReadError saying why it cannot be used."""
    if isinstance(source, bytes):
        return read_form_bytes(source, name or "form.docx", limits=limits, file_time=file_time)
    data, mtime = read_file(source)
    if file_time is None:
        file_time = dt.datetime.fromtimestamp(mtime)
    return read_form_bytes(
        data, name or os.path.basename(source), limits=limits, file_time=file_time
    )


def read_file(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> tuple[bytes, float]:
    """A file's bytes and modification time; a file over ``limit`` bytes is not read."""
    try:
        with open(path, "rb") as fh:
            status = os.fstat(fh.fileno())
            if status.st_size > limit:
                raise FormReadError(
                    f"is {status.st_size / 1024 / 1024:,.0f} MB, far larger than any form; "
                    "it was not read",
                    "Check what the file is. If it is a form with many large pictures, ask the "
                    "sender to remove the pictures and send it again.",
                )
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FormReadError(
            f"could not be opened ({exc.strerror or exc})",
            "Check the file still exists and you may read it.",
        ) from exc
    if len(data) > limit:
        raise FormReadError("grew while it was being read; it was not read", "Collect again.")
    return data, status.st_mtime


def read_form_bytes(
    data: bytes,
    name: str,
    *,
    limits: ReadLimits = DEFAULT_LIMITS,
    file_time: dt.datetime | None = None,
    sha256: str | None = None,
) -> FormReading:
    """Read a Word form held in memory (``name`` is how it is shown in messages)."""
    try:
        with WordPackage(data, limits) as package:
            layout = package.layout()
            raw_main = package.read(layout.main)
            fields = read_fields(accept_all(package.parse(layout.main, raw_main)), unnamed=True)
            for part in layout.stories:
                fields.extend(read_fields(accept_all(package.parse(part)), unnamed=True))
            properties = package.custom_properties(layout.custom)
            modified = package.modified(layout.core)
    except PackageError as exc:
        raise FormReadError(exc.message, exc.fix) from exc
    return FormReading(
        name=name,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size=len(data),
        main_part=layout.main,
        fields=fields,
        properties=properties,
        modified=modified,
        file_time=file_time,
        macros=layout.macros or name.lower().endswith(".docm"),
        strict=is_strict(raw_main),
        attached_template=layout.attached_template,
    )
