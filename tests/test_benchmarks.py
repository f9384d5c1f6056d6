"""The benchmark scripts start (their figures are measured by hand, never by a test): each
one's ``--help`` runs, imports and all, as ``python benchmarks/NAME.py`` runs it (with the
benchmarks folder first on the path, where a script named like a standard module would hide
it: ``benchmarks/mailbox.py`` hid the standard library's ``mailbox`` from mentordocs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.name)
def test_each_benchmark_script_starts(script):
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_no_benchmark_script_hides_a_standard_module():
    assert BENCHMARKS
    clashing = [path.name for path in BENCHMARKS if path.stem in sys.stdlib_module_names]
    assert clashing == []
