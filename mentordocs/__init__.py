"""mentordocs: the paperwork of a mentoring program, in bulk.

The library never prints. ``mentordocs.cli`` is a thin Click command line over it.
"""

from __future__ import annotations

__version__ = "0.1.0"
