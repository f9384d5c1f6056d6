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


def test_readme_mailbox_example_runs_against_a_real_mailbox(dovecot, tmp_path, monkeypatch):
    """The README's mailbox line, with only the server swapped for a local Dovecot (and its
    test certificate trusted): a reply with a form in it is read into the workbook."""
    from dovecot_support import Dovecot
    from test_collect import complete_values, make_docx
    from test_mailbox import reply

    from mentordocs.roster import load_roster
    from mentordocs.tracking import read_tracking

    after = README.split("<!-- walkthrough:end -->", 1)[1]
    [line] = [x for x in after.splitlines() if x.startswith("mentordocs collect imaps://")]
    args = shlex.split(line)[1:]
    url = args[1]
    assert url == "imaps://coordinator@school.org@imap.school.org/INBOX"
    shutil.copy(SAMPLES / "roster.xlsx", tmp_path / "roster.xlsx")
    monkeypatch.chdir(tmp_path)
    assert (
        CliRunner().invoke(cli, ["generate", "roster.xlsx", "-o", "packets", "-q"]).exit_code == 0
    )
    roster = load_roster(tmp_path / "roster.xlsx")
    pair = roster.pairs[0]
    goals = make_docx(
        "goal-sheet", pair.pair_id, complete_values("goal-sheet"), program=roster.program.name
    )
    with Dovecot(dovecot, tls=True) as server:
        server.deliver(reply(pair.mentee.email, "Our goals", {"goals.docx": goals}), "INBOX")
        args[1] = f"imaps://{server.user}@localhost:{server.imaps_port}/INBOX"
        monkeypatch.setenv("MENTORDOCS_IMAP_PASSWORD", server.password)
        result = CliRunner().invoke(cli, [*args, "-q", "--cafile", str(server.cert_path)])
    assert result.exit_code == 0, result.output
    assert "Mail: 1 new message(s) read" in result.output
    [ret] = read_tracking(tmp_path / "tracking.xlsx").returns
    assert (ret.pair_id, ret.form) == (pair.pair_id, "goal-sheet")
