"""Collecting returned forms into the tracking workbook.

- ``inputs``: finding the returns among files, folders and saved emails;
- ``reading``: reading one Word form safely (``read_form``);
- ``matching``: which pair and form a return is, which field each answer belongs to;
- ``harvest``: ``collect_forms``, the whole run, written to the tracking workbook.
"""

from mentordocs.collect.harvest import PARALLEL_FROM, CollectResult, backup_path, collect_forms
from mentordocs.collect.inputs import WORD_SUFFIXES, Found, find_returns
from mentordocs.collect.matching import Reference, identify_from_name, match_fields
from mentordocs.collect.reading import FormReadError, FormReading, read_form, read_form_bytes

__all__ = [
    "PARALLEL_FROM",
    "WORD_SUFFIXES",
    "CollectResult",
    "FormReadError",
    "FormReading",
    "Found",
    "Reference",
    "backup_path",
    "collect_forms",
    "find_returns",
    "identify_from_name",
    "match_fields",
    "read_form",
    "read_form_bytes",
]
