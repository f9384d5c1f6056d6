"""The command line as a whole: help everywhere, version, exit codes, python -m."""

from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from mentordocs import __version__
from mentordocs.cli import cli


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _all_commands(command, path)


ALL_COMMANDS = list(_all_commands(cli))
EXPECTED = {
    ("check",),
    ("init",),
    ("generate",),
    ("templates",),
    ("templates", "check"),
    ("templates", "copy"),
    ("collect",),
    ("status",),
    ("send",),
}


def test_every_documented_command_exists():
    assert {path for path, _ in ALL_COMMANDS} >= EXPECTED


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS], ids=" ".join)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help_that_teaches(path, flag):
    result = CliRunner().invoke(cli, [*path, flag])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    command = dict(ALL_COMMANDS)[path]
    summary = (command.help or "").strip().splitlines()[0]
    assert summary and summary in result.output
    if not isinstance(command, click.Group):
        # Every command shows an example a coordinator can run against samples/.
        assert "Example" in result.output, f"{' '.join(path)} has no Example in its help"
        assert "mentordocs " + " ".join(path) in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["generat"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_python_dash_m_runs_the_cli():
    completed = subprocess.run(
        [sys.executable, "-m", "mentordocs", "--version"], capture_output=True, text=True
    )
    assert completed.returncode == 0
    assert __version__ in completed.stdout


# ---- the examples in the help: each one runs -------------------------------------------------

# The order a coordinator meets the commands in (README): each command's examples run after the
# previous commands' examples, in one folder holding a copy of samples/.
WORKFLOW = [
    ("init",),
    ("check",),
    ("templates",),
    ("templates", "list"),
    ("templates", "copy"),
    ("templates", "check"),
    ("generate",),
    ("collect",),
    ("status",),
    ("send",),
]


# Example lines meant to fail, with the exit code and what they must say: checking the starter
# roster 'init' just wrote lists what the coordinator still has to fill in.
EXPECTED_FAILURES = {
    "mentordocs check new-program/roster.xlsx": (1, "is required but the cell is empty"),
}


def help_examples(path: tuple[str, ...]) -> list[str]:
    """The command lines of the ``Example:`` block of a command's help, as shown to users."""
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Example:") + 1
    examples: list[str] = []
    pending = ""
    for line in lines[start:]:
        if not line.strip():
            break
        text = pending + line.strip()
        if text.endswith("\\"):
            pending = text[:-1].rstrip() + " "
            continue
        pending = ""
        examples.append(text)
    assert not pending, f"{' '.join(path)}: the example ends with a continuation line"
    return examples


def test_every_command_is_in_the_example_workflow():
    assert {path for path, _ in ALL_COMMANDS} == set(WORKFLOW)


def test_every_help_example_runs_against_a_copy_of_samples(tmp_path, monkeypatch):
    """Each Example line exits 0 (or as EXPECTED_FAILURES says), run in order.

    Only lines needing a real mail server (--smtp) are skipped.
    """
    import shlex
    import shutil

    from conftest import SAMPLES

    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MENTORDOCS_SMTP_PASSWORD", raising=False)
    ran = skipped = 0
    for path in WORKFLOW:
        examples = help_examples(path)
        assert examples, f"{' '.join(path)} has no example lines"
        for line in examples:
            words = shlex.split(line)
            assert words[0] == "mentordocs", f"{' '.join(path)}: {line!r}"
            if "--smtp" in words:  # needs a mail server on the network
                skipped += 1
                continue
            result = CliRunner().invoke(cli, words[1:])
            code, says = EXPECTED_FAILURES.get(line, (0, ""))
            assert says in result.output, f"{line!r} does not say {says!r}:\n{result.output}"
            assert result.exit_code == code, (
                f"'{line}' (from 'mentordocs {' '.join(path)} -h') exited "
                f"{result.exit_code}:\n{result.output}"
            )
            if not code:  # ran cleanly: nothing missing, no problem reported
                assert "does not exist" not in result.output, f"{line!r}:\n{result.output}"
                assert not re.search(
                    r"\b[1-9]\d* problems?\b|\b[1-9]\d* problem\(s\)", result.output
                ), f"{line!r}:\n{result.output}"
            ran += 1
    assert ran >= 20 and skipped == 1
    assert (tmp_path / "packets" / "manifest.json").exists()
    assert (tmp_path / "tracking.xlsx").exists()
    assert list((tmp_path / "outbox").glob("*_reminder.eml"))
