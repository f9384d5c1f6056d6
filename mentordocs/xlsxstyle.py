"""The one font of every workbook mentordocs writes (the tracking workbook, the report, the
starter roster): openpyxl's own default, Calibri 11, named on every style that sets a font.

A font written without a name or size (openpyxl's ``Font()``) is drawn in whatever the program
opening it picks: LibreOffice takes a serif face, wider than Calibri, and dates in columns sized
for Calibri then show as ``###``.
"""

from __future__ import annotations

from openpyxl.styles import Font

FONT_NAME = "Calibri"
FONT_SIZE = 11


def font(
    *, size: float = FONT_SIZE, bold: bool = False, italic: bool = False, color: str | None = None
) -> Font:
    "A font of the workbook's face: bold, italic, a size or a colour (RRGGBB) as given."
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, color=color)
