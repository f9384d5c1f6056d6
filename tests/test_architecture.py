"""The layout's rules, checked on the source: which package may import which, and which
module alone knows the Word file format (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mentordocs

PACKAGE = Path(mentordocs.__file__).resolve().parent


def imports_of(package: str) -> set[str]:
    """Every mentordocs module imported anywhere in ``package`` (function bodies included)."""
    found: set[str] = set()
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("mentordocs.")}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("send", ("collect",)),
        ("collect", ("send",)),
        # the tracking workbook is Excel: no Word or OpenDocument XML, no reading of returns
        ("tracking", ("ooxml", "odf", "collect", "generate", "send")),
        # the report only reads the tracking workbook
        ("report", ("ooxml", "odf", "collect", "send")),
    ],
)
def test_no_data_flows_backwards(package, forbidden):
    imported = imports_of(package)
    wrong = sorted(m for m in imported if m.split(".")[1] in forbidden)
    assert not wrong, f"mentordocs.{package} imports {wrong}"


def test_only_ooxml_spells_the_word_format():
    spelled = (
        "schemas.openxmlformats.org",  # WordprocessingML and package namespaces
        "schemas.microsoft.com/office/word",
        "mentordocs.pair_id",  # our custom properties
        "mentordocs.template_version",
        "D0CF11E0",  # the OLE signature of an encrypted or old .doc file
        "\\xd0\\xcf\\x11\\xe0",
    )
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] == "ooxml":
            continue
        text = path.read_text(encoding="utf-8")
        for spelling in spelled:
            assert spelling.lower() not in text.lower(), (path, spelling)


def test_no_function_is_over_100_lines():
    build = PACKAGE.parent / "templates" / "build_templates.py"  # absent from an installed copy
    paths = [*PACKAGE.rglob("*.py"), *([build] if build.is_file() else [])]
    long = [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in paths
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 100
    ]
    assert not long, long
