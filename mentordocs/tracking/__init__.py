"""The tracking workbook: who returned what, what they wrote, what is still missing.

- ``data``: what the workbook holds (returned forms, other forms' fields, problems);
- ``status``: what every pair still owes, by the forms' rules, stage by stage;
- ``goals``: a pair's goals across the forms and stages, and their status;
- ``write``: the workbook written with openpyxl;
- ``read``: the workbook read back (for the next collect, ``status`` and ``send --remind``).
"""

from mentordocs.records import HIDDEN_SHEET
from mentordocs.tracking.data import (
    DASHBOARD_SHEET,
    EXCEL_CELL_LIMIT,
    GOALS_SHEET,
    NOT_SENT_YET,
    NOTES_HEADER,
    OTHER_SHEET,
    PROBLEMS_SHEET,
    REVIEW_SHEET,
    STAGE_TITLES,
    STATUS_SHEET,
    OtherField,
    Outstanding,
    ReturnedForm,
    ReviewItem,
    TrackedPair,
    TrackingData,
    TrackingFileError,
    excel_length,
)
from mentordocs.tracking.read import (
    Coverage,
    read_coverage,
    read_not_sent,
    read_outstanding,
    read_tracking,
)
from mentordocs.tracking.status import open_stages, outstanding_for
from mentordocs.tracking.write import write_tracking

__all__ = [
    "Coverage",
    "DASHBOARD_SHEET",
    "EXCEL_CELL_LIMIT",
    "GOALS_SHEET",
    "HIDDEN_SHEET",
    "NOTES_HEADER",
    "NOT_SENT_YET",
    "OTHER_SHEET",
    "PROBLEMS_SHEET",
    "REVIEW_SHEET",
    "STAGE_TITLES",
    "STATUS_SHEET",
    "OtherField",
    "Outstanding",
    "ReturnedForm",
    "ReviewItem",
    "TrackedPair",
    "TrackingData",
    "TrackingFileError",
    "excel_length",
    "open_stages",
    "outstanding_for",
    "read_coverage",
    "read_not_sent",
    "read_outstanding",
    "read_tracking",
    "write_tracking",
]
