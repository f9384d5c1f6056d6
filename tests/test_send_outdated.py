"""send holds back a later stage's forms made before the tracking workbook held what they show.

A pair's mid-point check-in starts from what it wrote (its goal sheet, else its action plan,
else the roster's goals), read from the tracking workbook when 'generate --stage midpoint'
ran. A goal sheet collected after that leaves the check-in showing the roster's goals: send
must not mail it, and must say which command makes it again. Run through the command line, as
a coordinator does, with real files: the sample roster, generated packets, .eml files."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser

from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from test_generate_stage import _tracking
from test_render import fields_by_tag

from mentordocs.cli import cli
from mentordocs.roster import load_roster
from mentordocs.tracking import ReturnedForm

RETURNED = dt.datetime(2026, 10, 3, 9, 30)


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def midpoint_forms(outbox) -> dict[str, dict[str, str]]:
    "Each .eml's mid-point check-in attachment, by pair id: its fields by tag."
    found = {}
    for eml in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        for part in message.iter_attachments():
            name = part.get_filename()
            if name.endswith("_midpoint-review.docx"):
                found[name.split("_")[0]] = fields_by_tag(part.get_content())
    return found


def start_and_midpoint(tmp_path):
    "The sample's packets, and mid-point forms generated when nothing had come back yet."
    roster = load_roster(SAMPLE_ROSTER)
    active = [pair.pair_id for pair in roster.pairs if pair.active]
    out = tmp_path / "packets"
    assert run("generate", SAMPLE_ROSTER, "-o", out, "-q").exit_code == 0
    tracking = _tracking(tmp_path, roster, [])
    made = run(
        "generate", SAMPLE_ROSTER, "-o", out, "-q", "--stage", "midpoint", "--tracking", tracking
    )
    assert made.exit_code == 0, made.output
    return roster, active, out, tracking


def test_a_midpoint_form_made_before_the_pairs_goal_sheet_came_back_is_held_back(tmp_path):
    roster, active, out, tracking = start_and_midpoint(tmp_path)
    first = active[0]
    # The pair's goal sheet is collected after the mid-point forms were made.
    sheet = ReturnedForm(
        first, "goal-sheet", f"{first}_goal-sheet.docx", "", RETURNED, {"goal_1_goal": "Our words"}
    )
    _tracking(tmp_path, roster, [sheet])
    outbox = tmp_path / "outbox"
    sent = run("send", out, "--roster", SAMPLE_ROSTER, "--outbox", outbox, "--stage", "midpoint")
    assert sent.exit_code == 1, sent.output
    command = (
        f"mentordocs generate {SAMPLE_ROSTER} -o {out} --pair {first} --stage midpoint "
        f"--tracking {tracking}"
    )
    assert (
        f"{first}: not sent: its mid-point check-in was made before tracking.xlsx held what the "
        "pair has returned or you corrected since (its goals, now from its goal sheet), so it "
        f"would show what is no longer so. Run '{command}' first"
    ) in sent.output
    forms = midpoint_forms(outbox)
    assert sorted(forms) == sorted(active[1:])  # the others went, with the roster's goals
    second = roster.pair(active[1])
    assert forms[active[1]]["goal_1_goal"] == second.goals_of("Mentee")[0].goal
    # The command it gives makes the form again; then the pair gets its own goals, once.
    remade = run(*command.split()[1:])
    assert remade.exit_code == 0, remade.output
    again = run("send", out, "--roster", SAMPLE_ROSTER, "--outbox", outbox, "--stage", "midpoint")
    assert again.exit_code == 0, again.output
    assert "1 written" in again.output
    assert midpoint_forms(outbox)[first]["goal_1_goal"] == "Our words"


def test_a_tracking_workbook_gone_is_said_and_holds_nothing_back(tmp_path):
    roster, active, out, tracking = start_and_midpoint(tmp_path)
    tracking.rename(tmp_path / "elsewhere.xlsx")
    outbox = tmp_path / "outbox"
    dry = run(
        "send",
        out,
        "--roster",
        SAMPLE_ROSTER,
        "--outbox",
        outbox,
        "--stage",
        "midpoint",
        "--dry-run",
    )
    assert dry.exit_code == 0, dry.output
    warning = (
        f"Warning: The mid-point check-in forms were made from {tracking}, which could not be "
        "read (it is not there any more), so send could not check that they still show what "
        "each pair returned."
    )
    assert warning in dry.output
    sent = run("send", out, "--roster", SAMPLE_ROSTER, "--outbox", outbox, "--stage", "midpoint")
    assert sent.exit_code == 0, sent.output
    assert warning in sent.output
    assert sorted(midpoint_forms(outbox)) == sorted(active)


def test_the_tracking_workbook_moved_with_the_packets_is_found_and_nothing_else_holds_back(
    tmp_path,
):
    roster, active, out, tracking = start_and_midpoint(tmp_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    out.rename(moved / "packets")
    tracking.rename(moved / "tracking.xlsx")
    # A correction the coordinator typed into the workbook since (here: a goal sheet that came
    # back for the last pair) is found in the moved workbook.
    last = active[-1]
    sheet = ReturnedForm(last, "goal-sheet", "g.docx", "", RETURNED, {"goal_2_goal": "Ours"})
    _tracking(moved, roster, [sheet])
    outbox = tmp_path / "outbox"
    sent = run(
        "send",
        moved / "packets",
        "--roster",
        SAMPLE_ROSTER,
        "--outbox",
        outbox,
        "--stage",
        "midpoint",
    )
    assert sent.exit_code == 1, sent.output
    assert "Warning" not in sent.output
    assert f"{last}: not sent: its mid-point check-in was made before tracking.xlsx" in sent.output
    assert f"--tracking {moved / 'tracking.xlsx'}" in sent.output
    assert sorted(midpoint_forms(outbox)) == sorted(active[:-1])


def test_a_meeting_moved_after_sending_goes_as_a_calendar_update_that_cancels_the_old_day(
    tmp_path,
):
    # The coordinator moves P01's 15 September meeting to the 16th after the packets went:
    # generate again, send says the calendar changed, --resend --form meetings mails it. The
    # email must say it is the calendar (not welcome the pair to forms it lists none of), and
    # the file must cancel the 15th in calendars that imported the first one.
    import icalendar
    import openpyxl

    roster_path = tmp_path / "roster.xlsx"
    roster_path.write_bytes(SAMPLE_ROSTER.read_bytes())
    out, outbox = tmp_path / "packets", tmp_path / "outbox"
    assert run("generate", roster_path, "-o", out, "-q").exit_code == 0
    assert (
        run("send", out, "--roster", roster_path, "--outbox", outbox, "--pair", "P01").exit_code
        == 0
    )
    book = openpyxl.load_workbook(roster_path)
    sheet = book["Meetings"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == dt.datetime(2026, 9, 15))
    row[1].value = dt.datetime(2026, 9, 16)
    book.save(roster_path)
    assert run("generate", roster_path, "-o", out, "-q").exit_code == 0
    again = run("send", out, "--roster", roster_path, "--outbox", outbox, "--pair", "P01")
    assert again.exit_code == 1
    # (The action plan lists the meetings: it changed too.)
    assert "P01: action-plan, meetings changed since they were sent on" in again.output
    resent = run(
        "send",
        out,
        "--roster",
        roster_path,
        "--outbox",
        outbox,
        "--pair",
        "P01",
        "--form",
        "meetings",
        "--resend",
    )
    assert resent.exit_code == 0, resent.output
    newest = max(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    message = BytesParser(policy=policy.default).parsebytes(newest.read_bytes())
    assert "your meeting calendar" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Welcome" not in text and "forms" not in text
    assert "Attached is your calendar for" in text
    assert 'a meeting moved or cancelled since is marked "Cancelled" at its old time' in text
    [ics] = [p.get_content() for p in message.iter_attachments()]
    calendar = icalendar.Calendar.from_ical(ics)
    starts = {e["DTSTART"].dt: str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert starts[dt.datetime(2026, 9, 15, 15, 30)] == "CANCELLED"
    assert starts[dt.datetime(2026, 9, 16, 15, 30)] == "CONFIRMED"


def test_forms_of_a_generate_killed_outright_are_held_back_until_it_is_run_again(tmp_path):
    # generate saves its manifest now and then during a long run, so that a run killed
    # outright (kill -9, a closed laptop) leaves one; what each file was made from is worked
    # out at the end. Such a manifest must not let send take "unknown" for "unchanged": the
    # roster corrected since (another mentee) would reach the new mentee on the old forms.
    from mentordocs.records import MADE_NOW, read_manifest, write_manifest

    roster_path = tmp_path / "roster.xlsx"
    roster_path.write_bytes(SAMPLE_ROSTER.read_bytes())
    out, outbox = tmp_path / "packets", tmp_path / "outbox"
    assert run("generate", roster_path, "-o", out, "-q").exit_code == 0
    manifest = read_manifest(out)
    for entry in manifest.files:
        entry.made_from = MADE_NOW  # as the run still going marks them
    write_manifest(out, manifest)  # the save during the run: then the process was killed
    sent = run("send", out, "--roster", roster_path, "--outbox", outbox, "--pair", "P01")
    assert sent.exit_code == 1
    assert (
        "P01: not sent: its forms were made by a 'mentordocs generate' that was stopped before "
        "it finished, so what of the roster they show is not known. Run 'mentordocs generate "
        f"{roster_path} -o {out} --pair P01' first"
    ) in sent.output
    assert not outbox.exists() or not list(outbox.glob("*.eml"))
    # Running generate again finishes the job (nothing rewritten): then the packet goes.
    again = run("generate", roster_path, "-o", out)
    assert again.exit_code == 0 and "0 file(s) written" in again.output, again.output
    assert (
        run("send", out, "--roster", roster_path, "--outbox", outbox, "--pair", "P01").exit_code
        == 0
    )


def test_forms_made_again_under_another_name_replace_the_earlier_ones(tmp_path):
    # generate run again with another --name kept both names in the manifest: send attached
    # every form twice (P01_action-plan.docx and "action-plan - Liam O'Brien.docx"), and a
    # pair already sent its packet got it again under the new names.
    roster_path = tmp_path / "roster.xlsx"
    roster_path.write_bytes(SAMPLE_ROSTER.read_bytes())
    out, outbox = tmp_path / "packets", tmp_path / "outbox"
    assert run("generate", roster_path, "-o", out, "-q").exit_code == 0
    first = run("send", out, "--roster", roster_path, "--outbox", outbox, "--pair", "P01")
    assert first.exit_code == 0, first.output
    kept = out / "P03" / "P03_goal-sheet.docx"
    kept.write_bytes(kept.read_bytes() + b"\0")  # edited since: stays, unlisted
    again = run("generate", roster_path, "-o", out, "--name", "{pair_id} {form} - {mentee}")
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())
    assert "made by an earlier run under another file name (--name) were made again" in said
    assert (
        "1 file(s) made by an earlier run under another file name (--name) were edited since, "
        f"so they stay in {out} but are no longer sent or listed: P03/P03_goal-sheet.docx."
    ) in said
    assert not (out / "P01" / "P01_action-plan.docx").exists() and kept.exists()
    names = sorted(p.name for p in (out / "P01").iterdir())
    assert len(names) == 5 and all(n.startswith("P01 ") for n in names), names
    dry = run("send", out, "--roster", roster_path, "--outbox", outbox, "--dry-run")
    assert dry.exit_code == 0, dry.output
    line = next(x for x in dry.output.splitlines() if x.startswith("P02: would send"))
    assert line.count(".docx") == 4 and line.count(".ics") == 1  # once each, as now named
    assert "P01: already written to" in dry.output  # the same files: not again


def test_one_pair_made_again_from_another_tracking_workbook_does_not_repoint_the_stage(tmp_path):
    # The manifest keeps one tracking workbook per stage: a --pair run from an old copy moved
    # it for every pair, and send then held back the others' correct forms.
    roster, active, out, tracking = start_and_midpoint(tmp_path)
    old = tmp_path / "old"
    old.mkdir()
    copy = _tracking(old, roster, [])
    made = run(
        "generate", SAMPLE_ROSTER, "-o", out, "--stage", "midpoint", "--tracking", copy,
        "--pair", active[0],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    said = " ".join(made.output.split())
    assert (
        f"This run made its forms from {copy}, while the other pairs' forms of this stage in "
        f"{out} were made from {tracking}; send checks every pair's against {tracking}."
    ) in said
    sheet = ReturnedForm(
        active[1], "goal-sheet", "g.docx", "", RETURNED, {"goal_1_goal": "Ours, since"}
    )
    _tracking(tmp_path, roster, [sheet])  # the workbook in use gets a pair's goal sheet
    outbox = tmp_path / "outbox"
    sent = run("send", out, "--roster", SAMPLE_ROSTER, "--outbox", outbox, "--stage", "midpoint")
    assert f"{active[1]}: not sent: its mid-point check-in was made before" in sent.output
    assert f"--tracking {tracking}" in sent.output
    assert sorted(midpoint_forms(outbox)) == sorted(set(active) - {active[1]})
