"""Every `from mentordocs... import ...` line in the README and docs imports (they must not drift)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
IMPORT = re.compile(r"^\s*from (mentordocs[\w.]*) import ([\w, ]+)$", re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_library_imports_in_the_docs_work(page: Path) -> None:
    for module_name, names in IMPORT.findall(page.read_text(encoding="utf-8")):
        module = importlib.import_module(module_name)
        for name in (n.strip() for n in names.split(",")):
            assert hasattr(module, name), f"{page.name}: {module_name} has no {name}"
