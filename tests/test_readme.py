"""The README stays true: its set-up commands are what CI runs, its walkthrough runs as written."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import REPO, SAMPLES

from mentordocs.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one_verbatim():
    install_and_run, install_and_test = _setup_commands()
    assert "pip install ." in install_and_run
    assert "mentordocs generate samples/roster.xlsx" in install_and_run
    assert '".[test]"' in install_and_test and install_and_test.endswith("pytest")
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install_and_test in ci_lines


def _walkthrough() -> list[list[str]]:
    block = README.split("<!-- walkthrough:start -->", 1)[1].split("<!-- walkthrough:end -->")[0]
    lines = [line for line in block.splitlines() if line.startswith("mentordocs ")]
    return [shlex.split(line)[1:] for line in lines]


def test_readme_walkthrough_runs_as_written(tmp_path, monkeypatch):
    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    commands = _walkthrough()
    start = ["check", "generate", "send", "collect", "status", "send"]
    midpoint = ["generate", "send", "collect", "send"]
    end = ["generate", "send", "collect", "status", "report"]
    assert [c[0] for c in commands] == start + midpoint + end
    for args in commands:
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, f"mentordocs {shlex.join(args)}\n{result.output}"
    # What the walkthrough promises is really there: the year's six forms for 11 active pairs,
    # and 11 packets, 11 reminders, 11 check-ins, 11 check-in reminders, 11 end reviews.
    assert len(list(Path("packets").glob("*/*.docx"))) == 66
    assert len(list(Path("packets").glob("*/*_midpoint-review.docx"))) == 11
    assert len(list(Path("packets").glob("*/*_end-review.docx"))) == 11
    assert len(list(Path("outbox").glob("*.eml"))) == 55
    workbook = openpyxl.load_workbook("tracking.xlsx")
    assert {"Status", "Dashboard", "Problems"} <= set(workbook.sheetnames)
    assert Path("report/summary.xlsx").is_file() and Path("report/summary.html").is_file()
    summary = openpyxl.load_workbook("report/summary.xlsx")["Summary"]
    assert any("End-of-program review" in str(c.value) for row in summary.iter_rows() for c in row)


def test_readme_links_and_images_exist():
    for target in re.findall(r"\]\(((?:docs|samples|templates)/[^)#]+)\)", README):
        assert (REPO / target).exists(), target
