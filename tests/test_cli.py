"""The command line as a whole: help everywhere, version, exit codes, python -m."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from pathlib import Path

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
    ("report",),
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
    ("report",),
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


# ---- the progress bar ---------------------------------------------------------------------------


class TerminalRunner(CliRunner):
    """A CliRunner whose stderr is a terminal, as in a coordinator's console window."""

    @contextlib.contextmanager
    def isolation(self, *args, **kwargs):
        with super().isolation(*args, **kwargs) as streams:
            sys.stderr.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def bar(label: str) -> re.Pattern[str]:
    return re.compile(re.escape(label) + r"\s+\[[#-]+\]\s+\d+%")


def bigger_roster(folder: Path) -> Path:
    """samples/roster.xlsx with every pair twice (as Q01..Q12 too): 22 active pairs."""
    import openpyxl
    from conftest import SAMPLE_ROSTER

    workbook = openpyxl.load_workbook(SAMPLE_ROSTER)
    sheet = workbook["Pairs"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value]
    for row in rows:
        sheet.append(["Q" + row[0][1:], *row[1:]])
    path = folder / "bigger.xlsx"
    workbook.save(path)
    return path


def test_generate_draws_a_progress_bar_on_stderr_when_it_runs_long(tmp_path):
    roster = str(bigger_roster(tmp_path))
    args = ["generate", roster, "--form", "goal-sheet", "-o"]
    result = TerminalRunner().invoke(cli, [*args, str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert bar("Generating packets").search(result.stderr), result.stderr
    assert "100%" in result.stderr
    assert "Generating packets" not in result.stdout and "%" not in result.stdout
    assert "Packets for 22 pair(s)" in result.stdout

    quiet = TerminalRunner().invoke(cli, [*args, str(tmp_path / "b"), "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert "Generating packets" not in quiet.output
    assert "Packets for 22 pair(s)" in quiet.stdout

    not_a_terminal = CliRunner().invoke(cli, [*args, str(tmp_path / "c")])
    assert not_a_terminal.exit_code == 0, not_a_terminal.output
    assert "Generating packets" not in not_a_terminal.output  # e.g. a log file or a pipe


def test_a_short_run_draws_no_bar(tmp_path):
    from conftest import SAMPLE_ROSTER

    args = ["generate", str(SAMPLE_ROSTER), "--form", "goal-sheet", "-o", str(tmp_path / "out")]
    result = TerminalRunner().invoke(cli, args)  # 11 pairs: below the 20 a bar is worth it for
    assert result.exit_code == 0, result.output
    assert "Generating packets" not in result.output


def test_collect_and_send_draw_their_bars_unless_quiet(tmp_path, monkeypatch):
    from conftest import SAMPLE_ROSTER

    monkeypatch.chdir(tmp_path)
    roster = str(SAMPLE_ROSTER)
    made = CliRunner().invoke(cli, ["generate", roster, "-o", "packets"])
    assert made.exit_code == 0, made.output

    collect = ["collect", "packets", "--roster", roster, "-o"]
    result = TerminalRunner().invoke(cli, [*collect, "tracking.xlsx"])  # 44 forms
    assert result.exit_code == 0, result.output
    assert bar("Reading forms").search(result.stderr), result.stderr
    assert "Reading forms" not in result.stdout
    quiet = TerminalRunner().invoke(cli, [*collect, "tracking-2.xlsx", "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert "Reading forms" not in quiet.output

    send = ["send", "packets", "--roster", roster, "--outbox"]
    result = TerminalRunner().invoke(cli, [*send, "outbox"])  # 11 messages
    assert result.exit_code == 0, result.output
    assert bar("Sending packets").search(result.stderr), result.stderr
    assert "Sending packets" not in result.stdout
    quiet = TerminalRunner().invoke(cli, [*send, "outbox", "--resend", "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert "Sending packets" not in quiet.output


def test_collect_counts_every_file_once_in_its_last_line(tmp_path, monkeypatch):
    """The packets folder given back as it is: every form is blank as generated (read, and
    not counted as returned), the calendars and the manifest are not forms, an Office lock file
    and the hidden .mentordocs folder are passed over; each is counted once."""
    from conftest import SAMPLE_ROSTER

    monkeypatch.chdir(tmp_path)
    roster = str(SAMPLE_ROSTER)
    assert CliRunner().invoke(cli, ["generate", roster, "-o", "packets"]).exit_code == 0
    lock = Path("packets/P01/~$P01_goal-sheet.docx")
    lock.write_bytes(b"\x0bAna Lopez" + b"\x00" * 150)
    hidden = len([p for p in Path("packets/.mentordocs").rglob("*") if p.is_file()])
    args = ["collect", "packets", "--roster", roster, "-o", "t.xlsx", "--packets", "packets"]
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("0 new return(s), 0 already in the workbook")
    assert "44 form(s) as generated, nothing filled in: not counted as returned." in lines
    assert f"{hidden + 1} file(s) passed over: Office lock files (~$...)" in result.output
    assert lines[-1] == (
        "Files: 44 read as forms (44 of them blank, as generated), 12 not forms, "
        f"{hidden + 1} passed over, 0 needing attention."
    )


@pytest.mark.soffice
@pytest.mark.parametrize("version", ["7.4", "25.2"])
def test_a_generated_form_saved_again_with_nothing_in_it_is_not_a_return(
    tmp_path, monkeypatch, request, version
):
    """A coordinator opens a form in the packets folder and saves it (LibreOffice here): a
    new checksum, nothing written in it. It is the pair's blank copy, not its return."""
    from conftest import SAMPLE_ROSTER

    from mentordocs.generate.office import convert
    from mentordocs.tracking import read_tracking

    soffice = request.getfixturevalue("soffice_74" if version == "7.4" else "soffice_25")
    monkeypatch.chdir(tmp_path)
    roster = str(SAMPLE_ROSTER)
    assert CliRunner().invoke(cli, ["generate", roster, "-o", "packets"]).exit_code == 0
    form = Path("packets/P01/P01_goal-sheet.docx")
    before = form.read_bytes()
    (saved,) = convert([form], "docx", tmp_path / "saved", soffice=soffice)
    form.write_bytes(saved.read_bytes())
    assert form.read_bytes() != before
    args = ["collect", "packets", "--roster", roster, "-o", "t.xlsx", "--packets", "packets"]
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("0 new return(s)")
    assert "44 form(s) as generated, nothing filled in: not counted as returned." in result.output
    assert read_tracking(Path("t.xlsx")).returns == []


def test_a_form_filled_in_where_it_was_generated_is_a_return(tmp_path, monkeypatch):
    """An answer typed into the pair's copy in the packets folder itself (a coordinator filling
    a form in for a pair) is a return, not a blank copy saved again."""
    import io
    import zipfile

    from conftest import SAMPLE_ROSTER
    from lxml import etree

    from mentordocs.ooxml.fields import set_field_values
    from mentordocs.ooxml.xml import parse_xml
    from mentordocs.tracking import read_tracking

    monkeypatch.chdir(tmp_path)
    roster = str(SAMPLE_ROSTER)
    assert CliRunner().invoke(cli, ["generate", roster, "-o", "packets"]).exit_code == 0
    form = Path("packets/P01/P01_goal-sheet.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(form) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "word/document.xml":
                root = parse_xml(payload)
                assert set_field_values(root, {"mentee_sign_name": "Kwame Mensah"})
                payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            dst.writestr(info, payload)
    form.write_bytes(out.getvalue())
    args = ["collect", "packets", "--roster", roster, "-o", "t.xlsx", "--packets", "packets"]
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("1 new return(s)")
    [ret] = read_tracking(Path("t.xlsx")).returns
    assert (ret.pair_id, ret.form) == ("P01", "goal-sheet")
    assert ret.values["mentee_sign_name"] == "Kwame Mensah"


def test_the_overview_goes_on_with_the_roster_init_writes():
    # Step 1 is 'mentordocs init' (it writes roster.xlsx); steps 2 to 5 named the sample's
    # roster, so a coordinator following them checked and sent the sample program.
    text = CliRunner().invoke(cli, ["--help"]).output
    steps = [line for line in text.splitlines() if line.strip()[:2] in {"2.", "3.", "4.", "5."}]
    assert len(steps) == 4
    assert all(" roster.xlsx" in step and "samples/" not in step for step in steps)
    assert "To try it first on the sample program, give samples/roster.xlsx" in text
