"""The command line as a whole: help everywhere, version, exit codes, python -m."""

from __future__ import annotations

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
