"""Packets: every pair's forms as fillable .docx, its meetings as .ics, a manifest, PDFs and zips.

Layout (see docs/ARCHITECTURE.md)::

    OUT/manifest.json
    OUT/<pair id>/<pair id>_<form id>.docx     (name pattern adjustable)
    OUT/<pair id>/<pair id>_meetings.ics
    OUT/<pair id>/<pair id>_<form id>.pdf      (--pdf)
    OUT/<pair id>.zip                          (--zip)

The default run writes the start's packet (``forms.stage_forms("start")``) and the calendar. A
later stage (``stage="midpoint"`` or ``"end"``) writes that stage's forms into the same
folders, each pair's started from what it returned (the tracking workbook, read with
``tracking.read_tracking``): the start's files and their manifest entries are left as they are.

Nothing is written until every template has been compiled, checked against the variables the
forms can use and rendered for the first pair. Re-running writes only the files whose content
changed. A file that differs from what the manifest says was generated (a coordinator typed into
it, or it was not made here) is kept, and reported, unless ``force``. Each file is written under a
temporary name and renamed, so an interrupted run leaves whole files only.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import io
import multiprocessing
import os
import re
import shutil
import signal
import string
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from multiprocessing.synchronize import Event
from pathlib import Path, PurePosixPath

from mentordocs import __version__
from mentordocs import forms as registry
from mentordocs.errors import MentordocsError, OfficeError, OutputError, Problem, TemplateError
from mentordocs.forms import FormSpec
from mentordocs.fsutil import (
    atomic_folder,
    atomic_write_bytes,
    office_lock_file,
    sha256_bytes,
    sha256_file,
)
from mentordocs.generate import office
from mentordocs.generate.context import (
    TemplateContext,
    build_context,
    latest_returns,
    program_context,
    review_context,
    roster_contexts,
    sample_contexts,
)
from mentordocs.generate.ics import pair_calendar
from mentordocs.generate.render import CompiledTemplate, new_environment
from mentordocs.generate.templates import check_template, libreoffice_note
from mentordocs.models import Pair, Roster
from mentordocs.ooxml import ns
from mentordocs.progress import NoProgress, Progress
from mentordocs.records import (
    MADE_NOW,
    Manifest,
    ManifestEntry,
    made_from,
    made_from_text,
    now_iso,
    program_made_from,
    read_manifest,
    review_made_from,
    save_declaration,
    shown_parts,
    write_manifest,
)

__all__ = [
    "AUTO_JOBS_PAIRS",
    "DEFAULT_NAME_PATTERN",
    "GenerateResult",
    "SelectionError",
    "generate_packets",
    "NAME_FIELDS",
    "STAGE_NAMES",
]

DEFAULT_NAME_PATTERN = "{pair_id}_{form}"
#: What a --name pattern may use.
NAME_FIELDS = ("pair_id", "form", "mentor", "mentee", "program")
MEETINGS_FORM = "meetings"  # the manifest's "form" for the .ics
ZIP_FORM = "zip"
_MANIFEST_SAVE_SECONDS = 5.0
#: From this many pairs on, ``jobs=None`` (the command's default) uses one worker per CPU.
AUTO_JOBS_PAIRS = 200
_BAD_NAME_CHARS = set('<>:"/\\|?*')


class SelectionError(MentordocsError):
    "A --form, --pair, --name, --jobs or --stage value does not fit the roster or the forms."


#: What a stage's run writes, as the progress and the summary call it.
STAGE_NAMES = {
    "start": "packets",
    "midpoint": "mid-point check-in forms",
    "end": "end-of-program review forms",
}


@dataclass
class GenerateResult:
    """What a run did. Paths are relative to ``out_dir``, with "/" separators (as in the manifest)."""

    out_dir: Path
    pairs: list[str] = field(default_factory=list)  # pair ids generated
    forms: list[str] = field(default_factory=list)  # form ids generated
    written: list[str] = field(default_factory=list)  # new or changed files written
    unchanged: list[str] = field(default_factory=list)  # already up to date, not touched
    skipped_edited: list[str] = field(default_factory=list)  # edited since generated: kept
    skipped_open: list[str] = field(default_factory=list)  # open in Word/LibreOffice: kept
    pdfs: list[str] = field(default_factory=list)  # PDFs written this run
    zips: list[str] = field(default_factory=list)  # zips written this run
    warnings: list[str] = field(default_factory=list)
    processes: int = 1  # processes that rendered the forms (this one, or that many workers)
    stage: str = registry.DEFAULT_STAGE  # the stage of the year whose forms were written
    # Pair id -> where its review forms' goals came from ("goal-sheet", "action-plan",
    # "roster"); only for a later stage.
    goal_sources: dict[str, str] = field(default_factory=dict)

    @property
    def roster_goals(self) -> list[str]:
        "The pairs whose review forms got the roster's goals: theirs have not come back."
        return [pair for pair, source in self.goal_sources.items() if source == "roster"]

    def path(self, relative: str) -> Path:
        "The full path of one of the relative paths above."
        return self.out_dir / Path(*PurePosixPath(relative).parts)


# ---- selection ----------------------------------------------------------------------------------


def _safe_name(text: str) -> str:
    """``text`` as a file or folder name: characters no file system takes replaced, cut to 150
    bytes of UTF-8 (a name may have 255; the extension and a scratch prefix need the rest)."""
    cleaned = "".join("-" if c in _BAD_NAME_CHARS or ord(c) < 32 else c for c in text)
    cut = cleaned.strip(". ").encode("utf-8")[:150].decode("utf-8", "ignore")
    return cut.strip(". ") or "packet"


def _check_same_program(tracking: str | os.PathLike[str], program: str, roster: Roster) -> None:
    """Refuse a tracking workbook collected for another program: its pair ids may match this
    roster's, and the review forms would then carry another program's goals."""
    if program and program != roster.program.name:
        raise OutputError(
            f"{tracking} was collected for the program '{program}', but {roster.path.name} is "
            f"the roster of '{roster.program.name}'. Give the tracking workbook of this program. "
            f"If you renamed the program, put its old name back in the Program sheet's "
            f"'Program name' row, or collect the returned forms again into a new workbook."
        )


def _check_name_pattern(pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise SelectionError(
            f"The file name pattern {pattern!r} is not valid ({exc}). Write it like "
            f"'{DEFAULT_NAME_PATTERN}'."
        ) from None
    unknown = sorted(names - set(NAME_FIELDS))
    if unknown:
        raise SelectionError(
            f"The file name pattern {pattern!r} uses {', '.join('{' + n + '}' for n in unknown)}, "
            f"which is not known. It may use: {', '.join('{' + n + '}' for n in NAME_FIELDS)}."
        )
    if "form" not in names:
        raise SelectionError(
            f"The file name pattern {pattern!r} must contain {{form}}, so that each form of a "
            f"packet gets its own file, e.g. '{DEFAULT_NAME_PATTERN}'."
        )


def _file_stem(pattern: str, roster: Roster, pair: Pair, form: str) -> str:
    return _safe_name(
        pattern.format(
            pair_id=pair.pair_id,
            form=form,
            mentor=pair.mentor.name,
            mentee=pair.mentee.name,
            program=roster.program.name,
        )
    )


def _select_pairs(
    roster: Roster, wanted: Sequence[str] | None, include_inactive: bool
) -> list[Pair]:
    if wanted:
        known = {pair.pair_id: pair for pair in roster.pairs}
        folded = {pair_id.casefold(): pair for pair_id, pair in known.items()}
        chosen: list[Pair] = []
        unknown: list[str] = []
        for pair_id in dict.fromkeys(wanted):
            pair = known.get(pair_id) or folded.get(pair_id.casefold())
            if pair is None:
                unknown.append(pair_id)
            elif pair not in chosen:
                chosen.append(pair)
        if unknown:
            raise SelectionError(
                f"No pair {', '.join(repr(u) for u in unknown)} on the Pairs sheet of "
                f"{roster.path.name}. The pairs are: {_listing([p.pair_id for p in roster.pairs])}."
            )
        inactive = [p for p in chosen if not p.active]
        if inactive and not include_inactive:
            described = ", ".join(f"{p.pair_id} ({p.status})" for p in inactive)
            verb = "is" if len(inactive) == 1 else "are"
            raise SelectionError(
                f"Pair{'s' if len(inactive) > 1 else ''} {described} {verb} not Active on the "
                f"Pairs sheet of {roster.path.name}. Add --include-inactive to generate "
                f"{'its packet' if len(inactive) == 1 else 'their packets'} anyway."
            )
        return chosen
    chosen = [p for p in roster.pairs if include_inactive or p.active]
    if not chosen:
        others = len(roster.pairs)
        raise SelectionError(
            f"No active pairs in {roster.path.name}"
            + (
                f" ({others} pair(s), none with Status 'Active'). Set their Status to Active "
                "in the Pairs sheet, or add --include-inactive."
                if others
                else ": the Pairs sheet has no pairs. Add one row per mentor/mentee pair."
            )
        )
    return chosen


def _check_folders(roster: Roster, pairs: list[Pair]) -> None:
    """Two pair ids that differ only in case (or in characters a file name cannot hold) would
    share a folder on Windows and macOS."""
    seen: dict[str, Pair] = {}
    for pair in pairs:
        key = _safe_name(pair.pair_id).casefold()
        other = seen.setdefault(key, pair)
        if other is not pair:
            rows = " and ".join(f"row {p.row}" for p in (other, pair) if p.row)
            raise SelectionError(
                f"Pairs {other.pair_id!r} and {pair.pair_id!r} in {roster.path.name} would get "
                f"the same packet folder. Give one of them another Pair ID in the Pairs sheet"
                + (f" ({rows})." if rows else ".")
            )


def _listing(items: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _load_templates(
    forms: Sequence[str] | None,
    templates_dir: str | os.PathLike[str] | None,
    stage: str = registry.DEFAULT_STAGE,
) -> tuple[dict[str, CompiledTemplate], dict[str, FormSpec]]:
    """Compile the chosen forms' templates (every error names the template and tag); no
    forms chosen: the stage's."""
    folder = Path(templates_dir) if templates_dir is not None else registry.templates_dir()
    if templates_dir is not None and not folder.is_dir():
        raise SelectionError(
            f"Templates folder {folder} does not exist. Make one with 'mentordocs templates copy "
            f"{folder}' and edit the templates in it."
        )
    chosen = list(dict.fromkeys(forms)) if forms else list(registry.stage_forms(stage))
    unknown = [form for form in chosen if form not in registry.FORM_IDS]
    if unknown:
        raise SelectionError(
            f"No form {', '.join(repr(u) for u in unknown)}. The forms are: "
            f"{', '.join(registry.FORM_IDS)}."
        )
    elsewhere = [form for form in chosen if registry.form_stage(form) != stage]
    if elsewhere:
        described = ", ".join(f"{form} (--stage {registry.form_stage(form)})" for form in elsewhere)
        raise SelectionError(
            f"--form {', '.join(elsewhere)} is not a form of the {stage!r} stage: give the "
            f"stage it belongs to, {described}. The {stage!r} stage's forms are: "
            f"{', '.join(registry.stage_forms(stage)) or 'none'}."
        )
    templates: dict[str, CompiledTemplate] = {}
    specs: dict[str, FormSpec] = {}
    for form in chosen:
        spec = specs[form] = registry.load_form_spec(folder / f"{form}.json", expected_form=form)
        templates[form] = CompiledTemplate.load(
            spec.template_path, name=spec.template_path.name, version=spec.version
        )
    return templates, specs


# ---- the work for one pair (runs in worker processes with --jobs) -----------------------------


@dataclass
class _Job:
    roster: Roster
    out_dir: Path
    templates: dict[str, CompiledTemplate]
    name_pattern: str
    known: dict[str, str]  # relative path -> sha256 the manifest recorded
    force: bool
    now: dt.datetime  # DTSTAMP of calendar events made in this run
    program_context: TemplateContext | None = None
    # Pair id -> its ``review`` context (a later stage); a pair not in it gets the roster's.
    reviews: dict[str, TemplateContext] = field(default_factory=dict)
    calendar: bool = True  # write the pair's .ics (the start's packet only)


# One (pair id, form, relative path, status, sha256, template version) per file.
_Outcome = tuple[str, str, str, str, str, str]
_JOB: _Job | None = None
_STOP: Event | None = None  # set when another task failed


def _init_worker(job: _Job, stop: Event | None = None) -> None:
    global _JOB, _STOP
    _JOB, _STOP = job, stop
    # Ctrl-C reaches every process of the terminal: the main one stops the run and records
    # what was written; a worker that took it too would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _place(job: _Job, rel: str, data: bytes) -> tuple[str, str]:
    """Write ``data`` at ``rel`` unless it is already there or the file there was edited."""
    path = job.out_dir / rel
    new = sha256_bytes(data)
    if not path.exists():
        atomic_write_bytes(path, data)
        return "written", new
    on_disk = sha256_file(path)
    if on_disk == new:
        return "unchanged", new
    if not job.force and job.known.get(rel) != on_disk:
        return "edited", new
    if office_lock_file(path) is not None:
        return "open", new
    atomic_write_bytes(path, data)
    return "written", new


def _build_context(
    roster: Roster,
    pair: Pair,
    program: TemplateContext | None,
    review: TemplateContext | None = None,
) -> TemplateContext:
    return build_context(roster, pair, program=program, review=review)


def _properties(roster: Roster, pair: Pair, form: str, template: CompiledTemplate) -> dict:
    return {
        ns.PROP_PROGRAM: roster.program.name,
        ns.PROP_PAIR: pair.pair_id,
        ns.PROP_FORM: form,
        ns.PROP_VERSION: template.version,
    }


def _generate_pair(job: _Job, pair: Pair, outcomes: list[_Outcome]) -> None:
    """Render and place the pair's files, adding their outcomes once they are in place."""
    # A shallow copy: the schedule the forms and calendar work out (Pair.meetings) is cached
    # on the copy and dropped with it, so memory stays flat over a large roster.
    pair = copy.copy(pair)
    roster = job.roster
    if job.program_context is None:
        job.program_context = program_context(roster.program)
    context = _build_context(roster, pair, job.program_context, job.reviews.get(pair.pair_id))
    folder = _safe_name(pair.pair_id)
    final = job.out_dir / folder
    if final.exists():
        _write_pair(job, pair, context, folder, lambda rel, data: _place(job, rel, data), outcomes)
        return
    # A new packet: its files are written plainly into a hidden folder that is renamed into
    # place once (one rename instead of one per file); a crash leaves no half-written packet.
    placed: list[_Outcome] = []
    with atomic_folder(final) as staging:

        def write_new(rel: str, data: bytes) -> tuple[str, str]:
            (staging / rel.split("/", 1)[1]).write_bytes(data)
            return "written", sha256_bytes(data)

        _write_pair(job, pair, context, folder, write_new, placed)
    outcomes.extend(placed)  # recorded once the packet is in place


def _write_pair(
    job: _Job,
    pair: Pair,
    context: dict,
    folder: str,
    place: Callable[[str, bytes], tuple[str, str]],
    outcomes: list[_Outcome],
) -> None:
    roster = job.roster
    for form, template in job.templates.items():
        rel = f"{folder}/{_file_stem(job.name_pattern, roster, pair, form)}.docx"
        data = template.render(context, _properties(roster, pair, form, template))
        status, sha = place(rel, data)
        outcomes.append((pair.pair_id, form, rel, status, sha, template.version))
    if not job.calendar:
        return
    rel = f"{folder}/{_file_stem(job.name_pattern, roster, pair, MEETINGS_FORM)}.ics"
    previous = None
    # The calendar made last time; under another name when --name changed since (the pair's
    # folder holds one): its events are updated, not made anew.
    path = job.out_dir / rel
    if not path.exists():
        others = sorted((job.out_dir / folder).glob("*.ics"))
        path = others[0] if len(others) == 1 else path
    with contextlib.suppress(OSError):
        previous = path.read_bytes()
    status, sha = place(rel, pair_calendar(roster, pair, previous=previous, now=job.now))
    outcomes.append((pair.pair_id, MEETINGS_FORM, rel, status, sha, ""))


def _generate_chunk(pairs: Sequence[Pair]) -> tuple[int, list[_Outcome], Exception | None]:
    """A worker's task. A failure comes back with the outcomes of the files already written,
    so the manifest still records them."""
    assert _JOB is not None, "worker not initialised"
    outcomes: list[_Outcome] = []
    try:
        for pair in pairs:
            if _STOP is not None and _STOP.is_set():
                break
            _generate_pair(_JOB, pair, outcomes)
    except Exception as exc:
        return len(pairs), outcomes, exc
    return len(pairs), outcomes, None


def _chunks(items: Sequence[Pair], size: int) -> Iterable[list[Pair]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _pool_context() -> BaseContext:
    """Fresh worker processes (not forks of this one): their memory does not grow with the
    roster, each gets only the pairs it works on. forkserver where there is one, else spawn.

    The fork server is started here, before the templates are compiled: it imports what the
    workers need (a quarter of a second) while this process compiles and checks them.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["mentordocs.generate.packets", "mentordocs.generate.render"]
        )
        forkserver.ensure_running()
        return context
    return multiprocessing.get_context("spawn")


# ---- the run ----------------------------------------------------------------------------------


class _Recorder:
    """Keeps the manifest and the result in step with each file's outcome."""

    def __init__(self, out_dir: Path, manifest: Manifest, result: GenerateResult):
        self.out_dir = out_dir
        self.manifest = manifest
        self.entries = manifest.by_path()
        self.result = result
        self.now = now_iso()
        self.last_save = time.monotonic()
        self.interval = _MANIFEST_SAVE_SECONDS
        # Pair id -> form -> what of the roster its file is made from, recorded with each file
        # written or found unchanged (a file kept because edited keeps what it was made from).
        self.made_from: Callable[[str, str], str | None] = lambda pair_id, form: None
        # Files an earlier run wrote under another file name pattern (--name): old -> new path.
        self.renamed: dict[str, str] = {}

    def record(self, outcome: _Outcome) -> None:
        pair_id, form, rel, status, sha, version = outcome
        # Outcomes from workers arrive as fresh strings: share the repeated ones.
        pair_id, form, version = sys.intern(pair_id), sys.intern(form), sys.intern(version)
        result = self.result
        made = MADE_NOW  # from today's roster: what of it is worked out when the run ends
        if status == "written":
            self.entries[rel] = ManifestEntry(pair_id, form, rel, sha, version, self.now, made)
            if rel.endswith(".pdf"):
                result.pdfs.append(rel)
            elif rel.endswith(".zip"):
                result.zips.append(rel)
            else:
                result.written.append(rel)
        elif status == "unchanged":
            old = self.entries.get(rel)
            if old is None or old.sha256 != sha:
                self.entries[rel] = ManifestEntry(pair_id, form, rel, sha, version, self.now, made)
            else:
                old.made_from = made
            result.unchanged.append(rel)
        elif status == "edited":
            result.skipped_edited.append(rel)
        elif status == "open":
            result.skipped_open.append(rel)

    def _drop_renamed(self) -> None:
        """Take out of the manifest the files this run made again under another name: else
        send would attach both. The old file goes too when it is as generated; one edited
        since stays in the folder, unlisted, and a warning names it."""
        removed, kept = [], []
        for old, new in self.renamed.items():
            entry = self.entries.get(old)
            if entry is None or new not in self.entries:
                continue  # the new one was not made (edited, open, the run stopped): keep both
            del self.entries[old]
            path = self.out_dir / old
            if not path.exists() or os.path.samefile(path, self.out_dir / new):
                continue  # gone, or the same file (a name differing only in case, on Windows)
            if sha256_file(path) == entry.sha256 and office_lock_file(path) is None:
                path.unlink()
                removed.append(old)
            else:
                kept.append(old)
        if removed:
            self.result.warnings.append(
                f"{len(removed)} file(s) made by an earlier run under another file name (--name) "
                f"were made again under this run's names and removed: {_some(removed)}."
            )
        if kept:
            self.result.warnings.append(
                f"{len(kept)} file(s) made by an earlier run under another file name (--name) "
                f"were edited since, so they stay in {self.out_dir} but are no longer sent or "
                f"listed: {_some(kept)}. Delete them once you have what you need from them."
            )
        self.renamed = {}

    def _made_from_text(self, entry: ManifestEntry) -> str:
        return self.made_from(entry.pair_id, entry.form) or ""

    def save(self, force: bool = False) -> None:
        """Write the manifest: at the end, and now and then during a long run (so a run that
        is killed outright leaves a manifest that knows most of what it wrote)."""
        if not force and time.monotonic() - self.last_save < self.interval:
            return
        started = time.monotonic()
        if force:
            self._drop_renamed()
        self.manifest.files = list(self.entries.values())
        made_from = self._made_from_text if force else None  # worked out once, at the end
        write_manifest(self.out_dir, self.manifest, made_from)
        self.last_save = time.monotonic()
        # Saving costs time in proportion to the manifest: keep it under ~5% of the run.
        self.interval = max(_MANIFEST_SAVE_SECONDS, 20 * (self.last_save - started))


def generate_packets(
    roster: Roster,
    out_dir: str | os.PathLike[str],
    *,
    forms: Sequence[str] | None = None,
    pairs: Sequence[str] | None = None,
    templates_dir: str | os.PathLike[str] | None = None,
    include_inactive: bool = False,
    name_pattern: str = DEFAULT_NAME_PATTERN,
    pdf: bool = False,
    zip_packets: bool = False,
    jobs: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    stage: str = registry.DEFAULT_STAGE,
    tracking: str | os.PathLike[str] | None = None,
) -> GenerateResult:
    """Write every chosen pair's packet into ``out_dir`` and record it in ``manifest.json``.

    ``forms``/``pairs`` choose form ids and pair ids (default: every form, every Active pair);
    ``templates_dir`` is a folder of the coordinator's own templates; ``name_pattern`` names
    the files (``{pair_id}``, ``{form}``, ``{mentor}``, ``{mentee}``, ``{program}``); ``pdf``
    adds a PDF beside each .docx (one LibreOffice run); ``zip_packets`` writes
    ``OUT/<pair id>.zip``; ``jobs`` is the number of worker processes (0: one per CPU; None:
    one per CPU for rosters of ``AUTO_JOBS_PAIRS`` pairs or more, else none besides this one);
    ``force`` overwrites files edited since they were generated.

    ``stage`` ("start", "midpoint", "end") chooses the round of the year: a later stage writes
    that stage's forms (no calendar) beside the start's, each pair's ``review`` built from its
    returns in the ``tracking`` workbook (required then); ``result.goal_sources`` says where
    each pair's goals came from.

    Raises SelectionError for an unknown form, pair or stage (or a later stage without
    ``tracking``), TrackingFileError for a tracking workbook that cannot be read,
    TemplateError for a template that cannot be used, OfficeError when --pdf needs
    LibreOffice and it is missing; nothing is written in those cases.
    """
    progress = progress or NoProgress()
    out = Path(out_dir)
    _check_choices(jobs, stage, tracking, name_pattern)
    selected = _select_pairs(roster, pairs, include_inactive)
    _check_folders(roster, selected)
    if jobs is None:  # starting workers costs a few tenths of a second: worth it for many pairs
        jobs = 0 if len(selected) >= AUTO_JOBS_PAIRS else 1
    jobs = jobs or os.cpu_count() or 1
    pool_context = _pool_context() if jobs > 1 and len(selected) > 1 else None
    templates, specs, reviews, template_warnings = _prepare_templates(
        roster, selected, forms, templates_dir, stage, tracking, name_pattern
    )
    _check_file_names(roster, selected, list(templates), name_pattern)
    _check_output(out, pdf)
    manifest = read_manifest(out)
    out.mkdir(parents=True, exist_ok=True)
    for form, template in templates.items():  # so collect knows each version's fields
        save_declaration(out, specs[form], template.version)

    result = GenerateResult(
        out_dir=out, pairs=[p.pair_id for p in selected], forms=list(templates), stage=stage
    )
    result.warnings.extend(template_warnings)
    result.goal_sources = {pair_id: review["goals_source"] for pair_id, review in reviews.items()}
    result.processes = min(jobs, len(selected)) if pool_context is not None else 1
    result.warnings += _record_run(manifest, roster, out)
    result.warnings += _record_templates(manifest, list(templates), templates_dir, out, selected)
    result.warnings += _record_tracking(manifest, stage, tracking, out, selected, list(templates))
    recorder = _Recorder(out, manifest, result)
    recorder.renamed = _renamed(
        manifest, roster, selected, [*templates, MEETINGS_FORM], name_pattern
    )
    recorder.made_from = _MadeFrom(roster, templates, stage, reviews)
    job = _Job(
        roster=roster,
        out_dir=out,
        templates=templates,
        name_pattern=name_pattern,
        known={entry.path: entry.sha256 for entry in manifest.files},
        force=force,
        now=dt.datetime.now(dt.timezone.utc),
        reviews=reviews,
        calendar=stage == registry.DEFAULT_STAGE,
    )
    try:
        progress.start(len(selected), f"Generating {STAGE_NAMES[stage]}")
        try:
            _run(job, selected, jobs, recorder, progress, pool_context)
        finally:
            progress.finish()
        if pdf:
            _make_pdfs(job, recorder, progress)
        if zip_packets:
            _make_zips(job, selected, recorder, progress)
    finally:
        recorder.save(force=True)
    for name in ("written", "unchanged", "skipped_edited", "skipped_open", "pdfs", "zips"):
        getattr(result, name).sort()
    _explain_kept(result)
    return result


class _MadeFrom:
    """What of the roster a pair's file of a form shows (``made_from_text``), for ``send`` to
    tell a file made before the roster changed: the roster's own columns only where the
    template shows them; at a later stage, what it shows of the pair's returns (the tracking
    workbook), and not the roster's goals when the pair's came from its goal sheet or action
    plan. Asked for when the manifest is written at the end of the run, entry by
    entry in pair order: each pair's parts are worked out once, for its first entry."""

    def __init__(
        self,
        roster: Roster,
        templates: Mapping[str, CompiledTemplate],
        stage: str,
        reviews: Mapping[str, TemplateContext],
    ) -> None:
        self.roster, self.stage, self.reviews = roster, stage, reviews
        self.pairs = {pair.pair_id: pair for pair in roster.pairs}
        self.program = program_made_from(roster)  # the same for every pair
        self.shows = {form: template.extra_keys() for form, template in templates.items()}
        self.shows[MEETINGS_FORM] = frozenset()
        self._pair = ""
        self._texts: dict[frozenset[str] | None, str] = {}

    def __call__(self, pair_id: str, form: str) -> str | None:
        if form not in self.shows:
            return None  # a zip: never sent, made of files that say it themselves
        if pair_id != self._pair:
            parts = made_from(self.roster, self.pairs[pair_id], self.program)
            review = self.reviews.get(pair_id)
            if self.stage != registry.DEFAULT_STAGE and review is not None:
                if review.get("goals_source") != "roster":
                    parts.pop("goals", None)
                parts.update(review_made_from(review))
            self._pair = pair_id
            self._texts = {
                keys: made_from_text(shown_parts(parts, keys)) for keys in set(self.shows.values())
            }
        return self._texts[self.shows[form]]


def _record_run(manifest: Manifest, roster: Roster, out: Path) -> list[str]:
    """Record the program, roster and mentordocs of this run in the manifest; a warning when
    the folder holds another program's packets."""
    warnings = []
    if manifest.program and manifest.program != roster.program.name:
        warnings.append(
            f"{out} already holds packets of '{manifest.program}'; this run adds packets of "
            f"'{roster.program.name}' beside them. Use a separate folder for each program."
        )
    manifest.program = roster.program.name
    manifest.roster = str(roster.path)
    manifest.generator = f"mentordocs {__version__}"
    return warnings


def _record_tracking(
    manifest: Manifest,
    stage: str,
    tracking: str | os.PathLike[str] | None,
    out: Path,
    selected: Sequence[Pair],
    forms: list[str],
) -> list[str]:
    """Record the tracking workbook a later stage's forms are made from (send checks them
    against it again). A run for some pairs only, from another workbook than the other pairs'
    forms of the stage were made from, leaves the record alone and says so."""
    if tracking is None or stage == registry.DEFAULT_STAGE:
        return []
    chosen = {pair.pair_id for pair in selected}
    others = any(e.pair_id not in chosen and e.form in forms for e in manifest.files)
    before = manifest.tracking_file(stage, out)
    now = Path(tracking).resolve()
    if others and before is not None and before.resolve() != now:
        return [
            f"This run made its forms from {now}, while the other pairs' forms of this stage in "
            f"{out} were made from {before}; send checks every pair's against {before}. If that "
            f"is not what you meant, run it again with --tracking {before}."
        ]
    manifest.generated_with(stage, tracking, out)
    return []


def _record_templates(
    manifest: Manifest,
    forms: list[str],
    templates_dir: str | os.PathLike[str] | None,
    out: Path,
    selected: Sequence[Pair],
) -> list[str]:
    """Record in the manifest which templates folder each form is generated from (collect
    given the packets folder reads against it). A run for some pairs only (--pair) with
    other templates than the packets' other copies of a form were made from leaves the
    record alone and says so: it is most likely a --templates forgotten."""
    chosen = {pair.pair_id for pair in selected}
    others = {entry.form for entry in manifest.files if entry.pair_id not in chosen}
    now = Path(templates_dir).resolve() if templates_dir is not None else None

    def made_from(folder: Path | None) -> str:
        return f"your templates in {folder}" if folder else "the shipped templates"

    warnings = []
    for form in forms:
        before, _ = manifest.templates_folder(form, out)
        if form in others and before != now:
            warnings.append(
                f"This run made {form} from {made_from(now)}, while the other pairs' copies in "
                f"{out} were made from {made_from(before)}. If that is not what you meant, run "
                f"it again with {f'--templates {before}' if before else 'no --templates'} "
                f"(collect reads the packets' forms against {before or 'the shipped templates'})."
            )
            continue
        manifest.generated_from([form], templates_dir, out)
    return warnings


def _check_choices(
    jobs: int | None, stage: str, tracking: str | os.PathLike[str] | None, name_pattern: str
) -> None:
    """The options that can be checked before anything is read. Raises SelectionError."""
    if jobs is not None and jobs < 0:
        raise SelectionError(f"--jobs must be 1 or more (or 0 for one per CPU), not {jobs}.")
    if stage not in registry.STAGES:
        raise SelectionError(f"No stage {stage!r}. The stages are: {', '.join(registry.STAGES)}.")
    if stage != registry.DEFAULT_STAGE and tracking is None:
        raise SelectionError(
            f"The {STAGE_NAMES[stage]} start from what each pair wrote: give the tracking "
            "workbook 'mentordocs collect' keeps, with --tracking TRACKING.xlsx."
        )
    _check_name_pattern(name_pattern)


def _stage_reviews(
    roster: Roster,
    selected: Sequence[Pair],
    stage: str,
    tracking: str | os.PathLike[str] | None,
) -> dict[str, TemplateContext]:
    """For a later stage, each selected pair's ``review`` (its goals and answers so far, from
    the tracking workbook); nothing for the start."""
    if stage == registry.DEFAULT_STAGE or tracking is None:
        return {}
    # Imported here: only a later stage reads the tracking workbook (openpyxl).
    from mentordocs.tracking import read_tracking

    collected = read_tracking(tracking)
    _check_same_program(tracking, collected.program, roster)
    returned = latest_returns(collected.returns)
    return {
        pair.pair_id: review_context(roster, pair, stage, returned.get(pair.pair_id, {}))
        for pair in selected
    }


def _check_output(out: Path, pdf: bool) -> None:
    """The packets folder can be written and, with ``pdf``, LibreOffice is there."""
    if pdf and office.find_soffice() is None:
        raise OfficeError(
            "--pdf needs LibreOffice, which was not found. Install it "
            "(https://www.libreoffice.org, or 'apt-get install libreoffice-writer-nogui'), "
            "set MENTORDOCS_SOFFICE to the full path of soffice, or leave out --pdf."
        )
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder. Give a folder for the packets with -o.")


def _check_templates(
    roster: Roster,
    first: Pair,
    templates: dict[str, CompiledTemplate],
    name_pattern: str,
    review: TemplateContext | None = None,
) -> None:
    """Every tag refers to a known variable and the first pair renders cleanly, in memory."""
    context = _build_context(roster, first, None, review)
    builtins = set(new_environment().globals)
    for form, template in templates.items():
        unknown = sorted(template.variables() - set(context) - builtins)
        if unknown:
            details = "; ".join(
                f"{name} (in {template.tag_using(name) or 'a tag'})" for name in unknown
            )
            raise TemplateError(
                f"Template {template.path} uses variable(s) that do not exist: {details}. "
                f"The variables a template can use are: {', '.join(sorted(context))}. "
                "Correct the tag in Word (see docs/forms.md for every variable)."
            )
        template.render(context, _properties(roster, first, form, template), validate=True)
    pair_calendar(roster, first)


def _prepare_templates(
    roster: Roster,
    selected: Sequence[Pair],
    forms: Sequence[str] | None,
    templates_dir: str | os.PathLike[str] | None,
    stage: str,
    tracking: str | os.PathLike[str] | None,
    name_pattern: str,
) -> tuple[dict[str, CompiledTemplate], dict[str, FormSpec], dict[str, TemplateContext], list[str]]:
    """The chosen forms' templates compiled and checked (a coordinator's against their
    declarations too), their declarations, each pair's review for a later stage, and what
    the check warns of."""
    with _libreoffice_explained(templates_dir, forms or registry.stage_forms(stage)):
        templates, specs = _load_templates(forms, templates_dir, stage)
        reviews = _stage_reviews(roster, selected, stage, tracking)
        first = selected[0]
        _check_templates(roster, first, templates, name_pattern, reviews.get(first.pair_id))
        warnings = []
        if templates_dir is not None:
            warnings = _check_declarations(roster, selected, specs, reviews, Path(templates_dir))
    return templates, specs, reviews, warnings


@contextlib.contextmanager
def _libreoffice_explained(
    templates_dir: str | os.PathLike[str] | None, forms: Sequence[str]
) -> Iterator[None]:
    """A template error about a coordinator's folder says which of the run's templates
    LibreOffice last saved: the likely cause of every problem in them."""
    try:
        yield
    except TemplateError as exc:
        note = libreoffice_note(Path(templates_dir), forms) if templates_dir is not None else ""
        if not note:
            raise
        raise TemplateError(f"{exc}\n{note}") from exc


LISTED_PROBLEMS = 12  # template problems listed in generate's error; 'templates check' has all


def _check_declarations(
    roster: Roster,
    selected: Sequence[Pair],
    specs: dict[str, FormSpec],
    reviews: dict[str, TemplateContext],
    folder: Path,
) -> list[str]:
    """A coordinator's templates hold the content controls their declarations list, as
    'templates check' checks them (rendered for a few of the chosen pairs and the built-in
    samples): a control without a tag, or one the declaration lacks, would send its answers
    to the Review sheet of every return; a declared required question the template lacks
    would keep every form incomplete. Raises TemplateError listing the problems; returns the
    warnings, one line per template."""
    contexts = roster_contexts(roster, selected, reviews)
    samples = sample_contexts(like=roster)
    found = [
        problem for spec in specs.values() for problem in check_template(spec, contexts, samples)
    ]
    problems = [problem for problem in found if problem.severity == "error"]
    if not problems:
        by_file: dict[str, list[Problem]] = {}
        for problem in found:
            by_file.setdefault(problem.file, []).append(problem)
        return [
            str(warnings[0])
            + (
                f" (And {len(warnings) - 1} more: 'mentordocs templates check {folder}' "
                "lists them.)"
                if len(warnings) > 1
                else ""
            )
            for warnings in by_file.values()
        ]
    listed = "\n".join(f"  - {problem}" for problem in problems[:LISTED_PROBLEMS])
    if len(problems) > LISTED_PROBLEMS:
        listed += f"\n  ... and {len(problems) - LISTED_PROBLEMS} more"
    raise TemplateError(
        f"The templates in {folder} do not match their declarations (.json), so the "
        f"answers in the returned forms could not all be read back:\n{listed}\n"
        f"Correct each, check with 'mentordocs templates check {folder}', then generate "
        "again. Nothing was written."
    )


def _renamed(
    manifest: Manifest, roster: Roster, pairs: Sequence[Pair], forms: list[str], pattern: str
) -> dict[str, str]:
    """The forms (their PDFs, the calendar) of this run's pairs that an earlier run wrote under
    another file name pattern: their path -> the path this run gives them."""
    chosen = {pair.pair_id: pair for pair in pairs}
    moved: dict[str, str] = {}
    for entry in manifest.files:
        pair = chosen.get(entry.pair_id)
        suffix = entry.path[entry.path.rfind(".") :]
        if pair is None or entry.form not in forms or suffix not in (".docx", ".pdf", ".ics"):
            continue
        new = f"{_safe_name(pair.pair_id)}/{_file_stem(pattern, roster, pair, entry.form)}{suffix}"
        if new != entry.path:
            moved[entry.path] = new
    return moved


def _some(paths: list[str]) -> str:
    "The first few of ``paths``, and how many more."
    shown = ", ".join(paths[:5])
    return shown + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _check_file_names(
    roster: Roster, pairs: Sequence[Pair], forms: Sequence[str], name_pattern: str
) -> None:
    """Every form of every pair gets a file name of its own (a long name cut to the length a
    file name can have may lose the form's part). Raises SelectionError naming the pair."""
    for pair in pairs:
        names = {_file_stem(name_pattern, roster, pair, form).casefold() for form in forms}
        if len(names) < len(forms):
            where = f" (Pairs sheet, row {pair.row})" if pair.row else ""
            raise SelectionError(
                f"The file name pattern {name_pattern!r} gives two forms of pair "
                f"{pair.pair_id}{where} the same file name, once cut to the length a file name "
                "can have. Put {form} near the start of the pattern, e.g. "
                f"'{DEFAULT_NAME_PATTERN}', or shorten the names it uses."
            )


def _run(
    job: _Job,
    pairs: list[Pair],
    jobs: int,
    recorder: _Recorder,
    progress: Progress,
    context: BaseContext | None = None,
) -> None:
    if jobs <= 1 or len(pairs) < 2:
        for pair in pairs:
            outcomes: list[_Outcome] = []
            try:
                _generate_pair(job, pair, outcomes)
            finally:
                for outcome in outcomes:
                    recorder.record(outcome)
            progress.advance(1)
            recorder.save()
        return
    workers = min(jobs, len(pairs))
    size = max(1, min(25, len(pairs) // (workers * 8)))
    # Workers get the program-wide part of the roster once and their pairs with each task.
    shared = dataclasses.replace(job, roster=dataclasses.replace(job.roster, pairs=[]))
    context = context or _pool_context()
    stop = context.Event()
    failure: Exception | None = None
    with (
        _stop_on_ctrl_c(stop) as pressed,
        context.Pool(workers, initializer=_init_worker, initargs=(shared, stop)) as pool,
    ):
        for done, outcomes, error in pool.imap_unordered(_generate_chunk, _chunks(pairs, size)):
            for outcome in outcomes:
                recorder.record(outcome)
            if error is not None and failure is None:
                # Stop the other tasks, but record what they already wrote before raising.
                failure = error
                stop.set()
            progress.advance(done)
            recorder.save()
    if failure is not None:
        raise failure
    if pressed:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_on_ctrl_c(stop: Event) -> Iterator[list[int]]:
    """Ctrl-C while worker processes generate: they finish the pair at hand and stop, and
    what they wrote is recorded (the list it gives is not empty then: raise once done); a
    second Ctrl-C stops at once. Only in the main thread, where Python handles signals."""
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return

    def finish_then_stop(signum: int, frame: object) -> None:
        if pressed:
            raise KeyboardInterrupt
        pressed.append(signum)
        stop.set()

    previous = signal.signal(signal.SIGINT, finish_then_stop)
    try:
        yield pressed
    finally:
        signal.signal(
            signal.SIGINT, previous if previous is not None else signal.default_int_handler
        )


# ---- PDFs and zips ------------------------------------------------------------------------------


def _run_files(recorder: _Recorder, suffix: str) -> list[tuple[str, str, str]]:
    """(pair id, form, relative path) of this run's files with ``suffix`` that exist on disk."""
    result = recorder.result
    rels = [*result.written, *result.unchanged, *result.skipped_edited, *result.skipped_open]
    out = []
    for rel in sorted(set(rels)):
        if rel.endswith(suffix):
            entry = recorder.entries.get(rel)
            if entry is not None and (recorder.out_dir / rel).exists():
                out.append((entry.pair_id, entry.form, rel))
    return out


def _make_pdfs(job: _Job, recorder: _Recorder, progress: Progress) -> None:
    """A PDF beside each .docx that has none or an older one, in a single LibreOffice run."""
    out = job.out_dir
    todo: list[tuple[str, str, str, str]] = []  # pair id, form, docx rel, pdf rel
    for pair_id, form, rel in _run_files(recorder, ".docx"):
        pdf_rel = rel[: -len(".docx")] + ".pdf"
        source, target = out / rel, out / pdf_rel
        if target.exists():
            if target.stat().st_mtime_ns >= source.stat().st_mtime_ns:
                recorder.result.unchanged.append(pdf_rel)
                continue
            if not job.force and job.known.get(pdf_rel) != sha256_file(target):
                recorder.result.skipped_edited.append(pdf_rel)
                continue
            if office_lock_file(target) is not None:
                recorder.result.skipped_open.append(pdf_rel)
                continue
        todo.append((pair_id, form, rel, pdf_rel))
    if not todo:
        return
    progress.start(len(todo), "Converting to PDF")
    try:
        with tempfile.TemporaryDirectory(prefix=".mentordocs-pdf-", dir=out) as scratch:
            sources = []
            for number, (_, _, rel, _) in enumerate(todo):
                copy = Path(scratch) / f"{number:06d}.docx"
                shutil.copyfile(out / rel, copy)
                sources.append(copy)
            try:
                converted = office.convert(sources, "pdf", outdir=Path(scratch) / "pdf")
            except OfficeError as exc:
                # LibreOffice saw numbered copies: name each form as the coordinator knows it.
                real = {
                    numbered.name: str(out / rel)
                    for numbered, (_, _, rel, _) in zip(sources, todo, strict=True)
                }
                message = re.sub(
                    r"(?:\S*[/\\])?\b(\d{6}\.docx)\b",
                    lambda m: real.get(m.group(1), m.group(0)),
                    str(exc),
                )
                raise OfficeError(f"Making the PDFs failed: {message}") from None
            for (pair_id, form, rel, pdf_rel), made in zip(todo, converted, strict=True):
                target = out / pdf_rel
                os.replace(made, target)
                version = recorder.entries[rel].template_version
                recorder.record((pair_id, form, pdf_rel, "written", sha256_file(target), version))
                progress.advance(1)
    finally:
        progress.finish()


def _zip_bytes(files: list[tuple[str, Path]]) -> bytes:
    """A zip of ``(name in zip, file)`` with fixed timestamps: same files, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _make_zips(job: _Job, selected: list[Pair], recorder: _Recorder, progress: Progress) -> None:
    """``OUT/<pair id>.zip`` holding every file of the pair's folder that the manifest lists."""
    by_pair: dict[str, list[str]] = {}
    for entry in recorder.entries.values():
        if entry.form != ZIP_FORM:
            by_pair.setdefault(entry.pair_id, []).append(entry.path)
    progress.start(len(selected), "Zipping packets")
    try:
        for pair in selected:
            rels = sorted(rel for rel in by_pair.get(pair.pair_id, []))
            files = [
                (PurePosixPath(rel).name, job.out_dir / rel)
                for rel in rels
                if (job.out_dir / rel).is_file()
            ]
            rel = f"{_safe_name(pair.pair_id)}.zip"
            status, sha = _place(job, rel, _zip_bytes(files))
            recorder.record((pair.pair_id, ZIP_FORM, rel, status, sha, ""))
            progress.advance(1)
    finally:
        progress.finish()


def _explain_kept(result: GenerateResult) -> None:
    if result.skipped_edited:
        result.warnings.append(
            f"{len(result.skipped_edited)} file(s) were changed after they were generated and "
            f"were kept as they are (e.g. {result.skipped_edited[0]}). Run again with --force to "
            "replace them with freshly generated ones."
        )
    if result.skipped_open:
        result.warnings.append(
            f"{len(result.skipped_open)} file(s) are open in Word or LibreOffice and were not "
            f"replaced (e.g. {result.skipped_open[0]}). Close them and run again."
        )
