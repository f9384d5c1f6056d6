"""Files that are out of date: what holds a pair's message back before it is sent.

A pair's forms are made from three things that can change after ``generate`` ran: the roster
(another mentee, a goal added), the form's template (a typo put right in Word), and, for the
mid-point and end review, the pair's returns in the tracking workbook (its goal sheet came back
after its mid-point check-in was made). A message whose files show what is no longer so is held
back, saying which command makes them again. The manifest records what each file was made from
(``records.made_from``, ``records.review_made_from``, ``ManifestEntry.template_version``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mentordocs.errors import MentordocsError
from mentordocs.forms import (
    DEFAULT_STAGE,
    FORM_IDS,
    FormSpecError,
    form_stage,
    load_form_specs,
    template_version_now,
)
from mentordocs.models import Pair, Roster
from mentordocs.records import (
    EXTRA_PART,
    REVIEW_PART,
    ROSTER_PARTS,
    UNFINISHED,
    Manifest,
    extra_part_said,
    made_from,
    made_from_parts,
    review_made_from,
)

if TYPE_CHECKING:
    from mentordocs.generate.context import TemplateContext
    from mentordocs.tracking import ReturnedForm

STAGE_NAMES = {"midpoint": "mid-point check-in", "end": "end-of-program review"}
# What each part of a later stage's review is, and where the form now would take it from.
_REVIEW_SAID = {"goals": "its goals", "commitments": "its commitments", "meetings": "its meetings"}
_SOURCE_SAID = {
    "goal-sheet": "its goal sheet",
    "action-plan": "its action plan",
    "terms-of-engagement": "its terms of engagement",
    "roster": "the roster",
}


@dataclass
class PacketFile:
    "A file of a pair's message, checked to be the pair's own."

    form: str
    rel: str  # relative to OUT, "/" separators, as in the manifest
    path: Path
    sha256: str
    lock: str = ""  # the name of Word's or LibreOffice's lock file beside it: open there
    made: str = ""  # its checksum when generate wrote it, per the manifest ("" unknown)

    @property
    def edited(self) -> bool:
        "Changed since generate wrote it (edited, or another file saved over it)."
        return bool(self.made) and self.made != self.sha256


class Outdated:
    """Tells which pairs' files were made before what they show changed, for one run of send.

    What the templates and the tracking workbook would give now is worked out once, when first
    needed; ``warnings`` says what could not be checked (a tracking workbook no longer there).
    """

    def __init__(self, roster: Roster, manifest: Manifest, out: Path, stage: str) -> None:
        self.roster, self.manifest, self.out, self.stage = roster, manifest, out, stage
        self.made = {entry.path: entry.made_from for entry in manifest.files}
        self.versions = {entry.path: entry.template_version for entry in manifest.files}
        self.warnings: list[str] = []
        self._templates: dict[str, tuple[str, str, Path | None]] = {}
        self._returns: dict[str, dict[str, ReturnedForm]] | None = None
        self._unreadable = False  # the stage's tracking workbook could not be read
        self.tracking = manifest.tracking_file(stage, out) if stage != DEFAULT_STAGE else None

    # ---- the roster --------------------------------------------------------------------------

    def roster_changed(self, pair: Pair, files: list[PacketFile]) -> str:
        """Why ``files`` show what is no longer so in the roster (another mentee, a goal
        added), with the command that makes them again; '' when nothing changed."""
        if any(self.made.get(f.rel) == UNFINISHED for f in files):
            return (
                "not sent: its forms were made by a 'mentordocs generate' that was stopped before "
                "it finished, so what of the roster they show is not known. Run "
                f"'{self.generate_command(f' --pair {shell_word(pair.pair_id)}')}' first (it finishes the job "
                "and rewrites only what is out of date; add --force if you edited its forms by "
                "hand since), then send again"
            )
        now = made_from(self.roster, pair)
        changed: list[str] = []
        for f in files:
            recorded = made_from_parts(self.made.get(f.rel, ""))
            changed += [
                p
                for p in recorded
                if not p.startswith(REVIEW_PART) and recorded[p] != now.get(p) and p not in changed
            ]
        if not changed:
            return ""
        parts = [ROSTER_PARTS[p].format(row=pair.row) for p in ROSTER_PARTS if p in changed]
        parts += [extra_part_said(p, pair.row) for p in changed if p.startswith(EXTRA_PART)]
        # A change to the program's settings touches every pair: generate them all again.
        option = "" if "program" in changed else f" --pair {shell_word(pair.pair_id)}"
        return (
            f"not sent: its forms were made before {self.roster.path.name} changed "
            f"({'; '.join(parts)}), so they would show what is no longer so. Run "
            f"'{self.generate_command(option)}' first (with --force if you edited its forms "
            "by hand), then send again"
        )

    # ---- the templates -----------------------------------------------------------------------

    def template_changed(self, pair: Pair, files: list[PacketFile]) -> str:
        """Why ``files`` were made from a template that has changed since (a typo put right in
        Word after generate), with what to do; '' when none was."""
        changed: list[tuple[str, Path | None]] = []
        for f in files:
            if f.form not in FORM_IDS or not self.versions.get(f.rel):
                continue
            version, title, folder = self._template_now(f.form)
            if version and version != self.versions[f.rel] and (title, folder) not in changed:
                changed.append((title, folder))
        if not changed:
            return ""
        named = ", ".join(title for title, _ in changed)
        folders = list(dict.fromkeys(folder for _, folder in changed))
        where = (
            "mentordocs' own templates (a newer version of mentordocs)"
            if folders == [None]
            else "your template"
            + ("s" if len(changed) > 1 else "")
            + " in "
            + ", ".join(str(folder) for folder in folders if folder is not None)
        )
        option = "".join(f" --templates {shell_word(f)}" for f in folders if f is not None)
        return (
            f"not sent: its {named} {'form was' if len(changed) == 1 else 'forms were'} made "
            f"before {where} changed, so the pair would get the form as it was. Run "
            f"'{self.generate_command(option)}' first, then send again"
            + (
                ""
                if not option
                else "; or, if the change was meant for later, put the template back"
            )
        )

    def _template_now(self, form: str) -> tuple[str, str, Path | None]:
        """(the version a file of ``form`` generated now would carry, '' when that cannot be
        told: the folder is gone or unreadable; the form's title; the coordinator's folder,
        None for the shipped templates)."""
        if form not in self._templates:
            folder, there = self.manifest.templates_folder(form, self.out)
            version, title = "", form
            if there:
                try:
                    spec = load_form_specs(folder, stage=form_stage(form))[form]
                    version, title = template_version_now(spec), spec.title
                except FormSpecError:
                    pass  # generate says what is wrong with it; nothing to compare here
            self._templates[form] = (version, title, folder)
        return self._templates[form]

    # ---- the pair's returns (a later stage) ---------------------------------------------------

    def returns_changed(self, pair: Pair, files: list[PacketFile]) -> str:
        """Why a later stage's ``files`` show what the tracking workbook no longer holds of the
        pair (its goal sheet came back since, an answer was corrected), with the command that
        makes them again; '' when nothing changed or it cannot be told."""
        recorded: dict[str, str] = {}
        for f in files:
            parts = made_from_parts(self.made.get(f.rel, ""))
            recorded.update((p, d) for p, d in parts.items() if p.startswith(REVIEW_PART))
        if not recorded:
            return ""  # made by an earlier mentordocs, or the start's packet
        review = self._review_now(pair)
        if review is None:
            return ""
        now = review_made_from(review)
        changed = [p for p in recorded if now.get(p) != recorded[p]]
        if not changed:
            return ""
        said = []
        for part in changed:
            name = part[len(REVIEW_PART) :]
            source = review.get(f"{name}_source")
            where = _SOURCE_SAID.get(str(source), "")
            said.append(_REVIEW_SAID.get(name, name) + (f", now from {where}" if where else ""))
        tracking = self.tracking or Path("TRACKING.xlsx")
        what = STAGE_NAMES.get(self.stage, self.stage)
        return (
            f"not sent: its {what} was made before {tracking.name} held what the pair has "
            f"returned or you corrected since ({'; '.join(said)}), so it would show what is no "
            f"longer so. Run '{self.generate_command(f' --pair {shell_word(pair.pair_id)}')}' first (with "
            "--force if you edited its forms by hand), then send again"
        )

    def _review_now(self, pair: Pair) -> TemplateContext | None:
        """What a later stage's form made now would show of ``pair``'s returns (its
        ``review``), read from the tracking workbook the stage was generated from; None when
        that workbook cannot be read (said once in ``warnings``)."""
        if self._returns is None:
            self._returns = self._read_returns()
        if self.tracking is None or self._unreadable:
            return None
        # Imported here: only a later stage needs the review forms' context.
        from mentordocs.generate.context import review_context

        return review_context(self.roster, pair, self.stage, self._returns.get(pair.pair_id, {}))

    def _read_returns(self) -> dict[str, dict[str, ReturnedForm]]:
        "Each pair's latest return of each form in the stage's tracking workbook."
        if self.tracking is None:
            return {}
        from mentordocs.generate.context import latest_returns
        from mentordocs.tracking import read_tracking

        try:
            if not self.tracking.is_file():
                raise MentordocsError("it is not there any more")
            returns = read_tracking(self.tracking).returns
        except MentordocsError as exc:
            self._unreadable = True
            what = STAGE_NAMES.get(self.stage, self.stage)
            self.warnings.append(
                f"The {what} forms were made from {self.tracking}, which could not be read "
                f"({exc}), so send could not check that they still show what each pair "
                "returned. If returns were collected since, make them again first: "
                f"'{self.generate_command('')}', with the tracking workbook's path as it is now."
            )
            return {}
        return latest_returns(returns)

    # ---- what to run -------------------------------------------------------------------------

    def generate_command(self, options: str) -> str:
        "The generate command that makes a held-back pair's forms again, at this stage."
        staged = ""
        if self.stage != DEFAULT_STAGE:
            tracking = shell_word(self.tracking) if self.tracking else "TRACKING.xlsx"
            staged = f" --stage {self.stage} --tracking {tracking}"
        return (
            f"mentordocs generate {shell_word(self.roster.path)} -o {shell_word(self.out)}"
            f"{options}{staged}"
        )


def shell_word(path: Path | str) -> str:
    "A path or a Pair ID as typed in a command (in quotes when it holds a space)."
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text
