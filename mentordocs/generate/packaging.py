"""Packing a rendered form into a .docx: the template's other parts, then the rendered ones.

``pack_plain`` writes the zip with the standard library's ``zipfile``. ``StaticParts.pack``
does the same through ``fastzip.FastPacker``, which compresses the template's unchanging parts
once instead of once per form (measured in ``benchmarks/generate.py``); both give the same
members in the same order with the same contents and time stamps, which a test checks.

Every member gets the same fixed time stamp, so the same input always gives the same bytes,
and ``generate`` can tell an unchanged form from a changed one by its checksum.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from mentordocs.generate.fastzip import FastPacker

__all__ = ["StaticParts", "pack_plain"]

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say


def pack_plain(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """A .docx (a zip) holding ``parts`` (name, bytes), in that order, written by zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)
    return buffer.getvalue()


class StaticParts:
    """The parts of a template that every rendered document carries unchanged, in order."""

    def __init__(self, parts: list[tuple[str, bytes]]):
        self.parts = parts
        self._fast = FastPacker(parts) if FastPacker.fits(len(d) for _, d in parts) else None

    def pack(self, rendered: Iterable[tuple[str, bytes]]) -> bytes:
        """A .docx holding the static parts, then ``rendered`` (name, bytes) in that order."""
        rendered = list(rendered)
        sizes = [len(d) for _, d in (*self.parts, *rendered)]
        if self._fast is not None and FastPacker.fits(sizes):
            return self._fast.pack(rendered)
        return pack_plain([*self.parts, *rendered])
