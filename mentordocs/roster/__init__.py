"""The roster workbook: the coordinator's single source of truth.

``load_roster(path)`` returns a :class:`~mentordocs.models.Roster` or raises
:class:`~mentordocs.errors.RosterError` listing every error at once; ``check_roster(path)``
returns every problem (errors, then warnings) and never raises for a problem in the file.

Modules:

- ``schema``: the format: sheets, columns, allowed values, Program settings, and how a header
  as written is matched to a column (``HeaderMatcher``: other spellings, word order).
- ``problems``: the problems found, collected and sorted as ``mentordocs check`` prints them.
- ``cells``: a sheet's row, and turning its cells into typed values (dates, times, emails,
  allowed values, Pair IDs...), reporting the ones that cannot be.
- ``workbook``: opens the .xlsx (reporting a missing, locked, damaged or foreign file) and
  reads each sheet's header row and data rows, with formulas whose result was not saved,
  merged cells (their value in each cell) and hidden rows; a missing sheet or column is
  reported with what was found instead.
- ``loader``: builds the program, pairs, goals, meetings, commitments and calendar from the
  rows, with the checks across rows and sheets; ``load_roster``, ``check_roster``,
  ``validate_roster``, ``summarize``.
- ``starter``: the starter workbook ``mentordocs init`` writes.
"""

from mentordocs.models import derive_schedule
from mentordocs.roster.loader import check_roster, load_roster, summarize, validate_roster
from mentordocs.roster.schema import PROGRAM_SETTINGS, SHEETS, Column, SheetSpec, normalize_header
from mentordocs.roster.starter import STARTER_NAME, new_workbook, write_starter_roster

__all__ = [
    "PROGRAM_SETTINGS",
    "SHEETS",
    "STARTER_NAME",
    "Column",
    "SheetSpec",
    "check_roster",
    "derive_schedule",
    "load_roster",
    "new_workbook",
    "normalize_header",
    "summarize",
    "validate_roster",
    "write_starter_roster",
]
