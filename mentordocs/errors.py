"""Small exception classes raised by the core; the CLI shows them as ``Error: ...`` with exit 1."""

from __future__ import annotations

from dataclasses import dataclass


class MentordocsError(Exception):
    "Base class of every error mentordocs reports to a coordinator."


@dataclass(frozen=True)
class Problem:
    """One problem found in a coordinator's file, located as they see it.

    ``row`` is the row number as Excel shows it (1 is the header row); ``column`` the header
    text as written in the workbook. ``fix`` says what to do about it.
    """

    file: str
    message: str
    fix: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" or "warning"

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class FileError(MentordocsError):
    """A file given to mentordocs cannot be used: ``message`` says what is wrong with it (as a
    phrase about the file: "is damaged ..."), ``fix`` what the coordinator can do."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message, fix)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}. {self.fix}".strip()


class RosterError(MentordocsError):
    "The roster workbook cannot be used; ``problems`` lists every reason at once."

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem(s) in the roster:"] + [f"  - {p}" for p in errors]
        super().__init__("\n".join(lines))


class TemplateError(MentordocsError):
    "A Word template cannot be used (syntax error, unknown variable, broken file...)."


class OutputError(MentordocsError):
    "An output file or folder cannot be written safely (locked, edited since, not writable...)."


class OfficeError(MentordocsError):
    "LibreOffice is missing or failed to convert a document."


class SendError(MentordocsError):
    "Email could not be prepared or sent."


class CollectError(MentordocsError):
    "Returned forms could not be collected into the tracking workbook."
