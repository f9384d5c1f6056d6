"""The tracking workbook: who returned what, what they wrote, what is still missing.

- ``data``: what the workbook holds (returned forms, other forms' fields, problems);
- ``status``: what every pair still owes, by the forms' rules;
- ``write``: the workbook written with openpyxl;
- ``read``: the workbook read back (for the next collect, ``status`` and ``send --remind``).
"""

from mentordocs.tracking.data import (
    DASHBOARD_SHEET,
    GOALS_SHEET,
    HIDDEN_SHEET,
    OTHER_SHEET,
    PROBLEMS_SHEET,
    REVIEW_SHEET,
    STATUS_SHEET,
    OtherField,
    Outstanding,
    ReturnedForm,
    ReviewItem,
    TrackingData,
    TrackingFileError,
)
from mentordocs.tracking.read import read_outstanding, read_tracking
from mentordocs.tracking.status import outstanding_for
from mentordocs.tracking.write import write_tracking

__all__ = [
    "DASHBOARD_SHEET",
    "GOALS_SHEET",
    "HIDDEN_SHEET",
    "OTHER_SHEET",
    "PROBLEMS_SHEET",
    "REVIEW_SHEET",
    "STATUS_SHEET",
    "OtherField",
    "Outstanding",
    "ReturnedForm",
    "ReviewItem",
    "TrackingData",
    "TrackingFileError",
    "outstanding_for",
    "read_outstanding",
    "read_tracking",
    "write_tracking",
]
