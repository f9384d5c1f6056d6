"""Collecting returned forms into the tracking workbook.

- ``inputs``: every file given sorted into returns, containers (zip, emails, Outlook
  messages) opened within limits, files that are not forms, files that need attention;
- ``reading``: reading one return safely (``read_form``, ``read_return``);
- ``matching``: which pair and form a return is, and which field each answer belongs to
  where that is proven (the rest goes to review);
- ``versions``: returns made from an earlier version of a template;
- ``harvest``: ``collect_forms``, the whole run, written to the tracking workbook.
"""

from mentordocs.collect.harvest import (
    PARALLEL_FROM,
    CollectResult,
    MailboxInput,
    backup_path,
    collect_forms,
)
from mentordocs.collect.inputs import RETURN_KINDS, ContainerLimits, Found, Inventory, find_returns
from mentordocs.collect.matching import (
    Matched,
    Reference,
    Unproven,
    identify_from_name,
    match_fields,
)
from mentordocs.collect.reading import (
    FormReadError,
    FormReading,
    read_form,
    read_form_bytes,
    read_return,
)

__all__ = [
    "PARALLEL_FROM",
    "RETURN_KINDS",
    "CollectResult",
    "ContainerLimits",
    "FormReadError",
    "FormReading",
    "Found",
    "Inventory",
    "MailboxInput",
    "Matched",
    "Reference",
    "Unproven",
    "backup_path",
    "collect_forms",
    "find_returns",
    "identify_from_name",
    "match_fields",
    "read_form",
    "read_form_bytes",
    "read_return",
]
