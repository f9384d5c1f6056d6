"""The docs stay true: docs/commands.md is what the commands print, and every command teaches."""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import REPO

DOCS = REPO / "docs"
REGENERATE = "python docs/build_commands.py"


def _builder():
    spec = importlib.util.spec_from_file_location("build_commands", DOCS / "build_commands.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _builder()
PATHS = list(builder.command_paths())


def test_command_reference_is_current():
    committed = (DOCS / "commands.md").read_text(encoding="utf-8")
    expected = builder.build()
    if committed != expected:
        stale = [
            builder.title(path)
            for path, section in builder.sections().items()
            if section not in committed
        ]
        which = f" (help changed for: {', '.join(stale)})" if stale else ""
        pytest.fail(f"docs/commands.md is out of date{which}. Regenerate it with: {REGENERATE}")


def test_command_reference_lists_every_command():
    assert ("templates", "copy") in PATHS and ("send",) in PATHS
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    for path in PATHS:
        assert f"\n## {builder.title(path)}\n" in text


@pytest.mark.parametrize("path", [p for p in PATHS if p], ids=" ".join)
def test_every_command_has_help_and_an_example(path):
    # The top-level `mentordocs -h` is left out: it shows the whole pipeline as numbered steps.
    help_text = builder.help_text(path)
    description = help_text.split("\nOptions:", 1)[0].split("\n", 1)[1]
    assert description.strip(), f"mentordocs {' '.join(path)} has no help text"
    assert re.search(r"^  Example:$", help_text, re.M), (
        f"mentordocs {' '.join(path)} has no 'Example:' block in its help"
    )
