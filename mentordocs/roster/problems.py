"""The problems found in a roster workbook, collected while it is read and sorted as
``mentordocs check`` prints them: errors, then warnings, each in sheet and row order."""

from __future__ import annotations

from mentordocs.errors import Problem
from mentordocs.roster.schema import SHEET_ORDER, compact


class Problems:
    """Every problem found in one roster workbook, named by its file name."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def error(
        self,
        message: str,
        fix: str = "",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.found.append(Problem(self.file, message, fix, sheet, row, column, "error"))

    def warn(
        self,
        message: str,
        fix: str = "",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.found.append(Problem(self.file, message, fix, sheet, row, column, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.found)

    def sorted(self) -> list[Problem]:
        """Errors first, then warnings; each in the order of the sheets, then of the rows."""

        def key(problem: Problem) -> tuple[int, int, int]:
            return (
                0 if problem.severity == "error" else 1,
                SHEET_ORDER.get(compact(problem.sheet or ""), -1),
                problem.row or 0,
            )

        return sorted(self.found, key=key)
