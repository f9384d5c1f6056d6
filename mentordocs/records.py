"""The two records kept in a packets folder: what was generated and what was sent.

``OUT/manifest.json``: written by ``generate``; one entry per generated file.
``OUT/send-log.jsonl``: appended by ``send``; one JSON object per message sent (or written as
.eml). ``OUT/.mentordocs/forms/<form>@<version>.json``: the declaration of each template
version generated from. All plain JSON, so a coordinator's IT person can read them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import IO, Any

from mentordocs.errors import OutputError
from mentordocs.forms import FormSpec, form_spec_to_json, load_form_spec
from mentordocs.fsutil import atomic_writer
from mentordocs.models import Pair, Roster

#: The tracking workbook's hidden sheet of mentordocs' own records: the mark of a workbook
#: 'mentordocs collect' wrote (a roster never has it).
HIDDEN_SHEET = "_mentordocs"

MANIFEST_NAME = "manifest.json"
SEND_LOG_NAME = "send-log.jsonl"


# ---- what of the roster a pair's files were made from ---------------------------------------------

# Each part of the roster a pair's forms show, with where a coordinator changes it.
ROSTER_PARTS = {
    "mentor": "the mentor's name, email, role or phone (sheet 'Pairs', row {row})",
    "mentee": "the mentee's name, email, role or phone (sheet 'Pairs', row {row})",
    "pair": "the pair's dates, plan type or meeting arrangements (sheet 'Pairs', row {row})",
    "goals": "its goals (sheet 'Goals')",
    "meetings": "its meetings (sheets 'Meetings' and 'Breaks')",
    "commitments": "its commitments (sheet 'Commitments')",
    "program": "the program's settings or calendar (sheets 'Program' and 'Calendar')",
}
# Not shown on any form: changing them needs no new forms. The roster's own columns and
# settings (``extra``) are parts of their own, "extra:<key>", recorded for a file only when its
# template shows that key (``CompiledTemplate.extra_keys``).
_NOT_ON_FORMS = frozenset({"row", "pair_id", "status", "setting_rows", "_schedule", "extra"})
EXTRA_PART = "extra:"


def made_from(roster: Roster, pair: Pair, program: str | None = None) -> dict[str, str]:
    """A short digest of each part of the roster ``pair``'s forms are made from (``ROSTER_PARTS``).

    Built from the values (not the Excel rows), leaving out what no form shows (the pair's
    status, mail settings) and fields still at their defaults, so that a later version's new
    setting does not make every packet look out of date. ``program``: the program part's
    digest (``program_made_from``), when worked out once for many pairs.
    """
    own = frozenset({"mentor", "mentee", "goals", "listed_meetings", "commitments", "breaks"})
    parts: dict[str, object] = {
        "mentor": _plain(pair.mentor),
        "mentee": _plain(pair.mentee),
        "pair": _plain(pair, skip=own),
        "goals": _plain(pair.goals),
        "meetings": [_plain(pair.listed_meetings), _plain(pair.breaks)],
        "commitments": _plain(pair.commitments),
    }
    digests = {part: _digest(value) for part, value in parts.items()}
    digests["program"] = program or program_made_from(roster)
    for key, value in roster.program.extra.items():
        digests[f"{EXTRA_PART}program:{key}"] = _digest(_plain(value))
    for key, value in pair.extra.items():
        digests[f"{EXTRA_PART}pair:{key}"] = _digest(_plain(value))
    for key in sorted({key for goal in pair.goals for key in goal.extra}):
        digests[f"{EXTRA_PART}goal:{key}"] = _digest([_plain(g.extra.get(key)) for g in pair.goals])
    return digests


# What a later stage's forms show of the pair's own returns (the tracking workbook they were
# generated from), by part: the keys of the ``review`` context each part covers. The texts that
# say where each came from are left out: they carry the return's date, which a later copy of
# the same answers changes without changing what the form asks about.
REVIEW_PART = "review:"
REVIEW_PARTS = {
    "goals": ("goals", "goals_source"),
    "commitments": ("commitments", "commitments_source"),
    "meetings": ("meetings_agreed", "meetings_source"),
}


def review_made_from(review: Mapping[str, object]) -> dict[str, str]:
    """A short digest of each part of a later stage's ``review`` (what the pair wrote so far,
    per the tracking workbook), as ``made_from`` parts "review:goals" and so on."""
    return {
        f"{REVIEW_PART}{part}": _digest([_plain(review.get(key)) for key in keys])
        for part, keys in REVIEW_PARTS.items()
    }


def made_from_text(parts: dict[str, str]) -> str:
    "``parts`` (``made_from``) as one line, ``part=digest`` by ``part`` (as the manifest keeps it)."
    return " ".join(f"{part}={digest}" for part, digest in sorted(parts.items()))


def made_from_parts(text: str) -> dict[str, str]:
    "``made_from_text`` read back (an empty dict for '')."
    return dict(item.split("=", 1) for item in text.split() if "=" in item)


def program_made_from(roster: Roster) -> str:
    "The digest of the program's part of the roster (its settings and its calendar)."
    return _digest([_plain(roster.program), _plain(roster.calendar)])


def shown_parts(parts: dict[str, str], extra_keys: frozenset[str] | None) -> dict[str, str]:
    """``parts`` (``made_from``) without the roster's own columns a template does not show
    (``extra_keys``: those it shows, as "source:key", "*:key" for any source; None: any)."""
    if extra_keys is None:
        return parts
    shown = {}
    for part, digest in parts.items():
        if part.startswith(EXTRA_PART):
            source, _, key = part[len(EXTRA_PART) :].partition(":")
            if f"{source}:{key}" not in extra_keys and f"*:{key}" not in extra_keys:
                continue
        shown[part] = digest
    return shown


def extra_part_said(part: str, row: int) -> str:
    "Where a coordinator changes the roster's own column or setting a part (extra:...) names."
    source, _, key = part[len(EXTRA_PART) :].partition(":")
    if source == "program":
        return f"the setting '{key}' (sheet 'Program')"
    if source == "goal":
        return f"the column '{key}' of its goals (sheet 'Goals')"
    return f"the column '{key}' (sheet 'Pairs', row {row})"


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _plain(value: Any, skip: frozenset[str] = frozenset()) -> Any:
    """``value`` as JSON (any roster value: dataclasses, lists, dicts, dates, text, numbers):
    a dataclass as its fields that forms show and that are not at their default."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for name, default in _shown_fields(type(value)):
            item = getattr(value, name)
            if name not in skip and item != default:
                out[name] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


@functools.cache
def _shown_fields(cls: type) -> tuple[tuple[str, object], ...]:
    "A dataclass's fields that forms show, each with its default (a fresh one, compared only)."
    shown = []
    for f in fields(cls):
        if f.name in _NOT_ON_FORMS:
            continue
        if f.default is not MISSING:
            default: object = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = _NO_DEFAULT
        shown.append((f.name, default))
    return tuple(shown)


_NO_DEFAULT = object()  # a field that must be given: never left out


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass(slots=True)
class ManifestEntry:
    pair_id: str
    form: str  # form id, e.g. "action-plan"; "meetings" for the .ics; "zip" for a --zip archive
    path: str  # relative to the packets folder, with "/" separators
    sha256: str
    template_version: str = ""
    generated_at: str = ""
    # What of the roster the file was made from (``made_from_text``; "" unknown), so that send
    # can tell a file made before the roster changed. Kept in the manifest's "made_from" table,
    # not in the entry (an older mentordocs reads the entries).
    made_from: str = field(default="", compare=False, repr=False)


@dataclass
class Manifest:
    program: str = ""
    roster: str = ""
    generator: str = ""
    files: list[ManifestEntry] = field(default_factory=list)
    # Form id -> the coordinator's templates folder its forms were last generated from, as
    # {"folder": absolute path, "relative": path from the packets folder}; a form generated
    # from the shipped templates has none. collect given the packets folder reads against it.
    templates: dict[str, dict[str, str]] = field(default_factory=dict)
    # Stage ("midpoint", "end") -> the tracking workbook its forms were last generated from,
    # as {"file": absolute path, "relative": path from the packets folder}: send checks that
    # the pairs' returns it holds are still those the forms show.
    tracking: dict[str, dict[str, str]] = field(default_factory=dict)

    def tracking_file(self, stage: str, packets: Path) -> Path | None:
        """The tracking workbook ``stage``'s forms were generated from: the recorded path,
        else the same place seen from ``packets`` (the two moved together), else the recorded
        path though it is not there; None when none is recorded (an earlier mentordocs)."""
        recorded = self.tracking.get(stage) or {}
        if not recorded.get("file"):
            return None
        path = Path(recorded["file"])
        moved = packets / recorded["relative"] if recorded.get("relative") else None
        if not path.is_file() and moved is not None and moved.is_file():
            return moved.resolve()
        return path

    def generated_with(self, stage: str, tracking: str | os.PathLike[str], packets: Path) -> None:
        "Record that ``stage``'s forms were generated from the ``tracking`` workbook."
        where = Path(tracking).resolve()
        self.tracking[stage] = {"file": str(where), "relative": _relative(where, packets)}

    def templates_folder(self, form: str, packets: Path) -> tuple[Path | None, bool]:
        """(the folder ``form`` was generated from, whether it is still there): the recorded
        path, else the same place seen from ``packets`` (the two moved together); (None,
        True) for the shipped templates."""
        recorded = self.templates.get(form)
        if not recorded:
            return None, True
        folder = Path(recorded.get("folder", ""))
        if recorded.get("folder") and folder.is_dir():
            return folder, True
        moved = packets / recorded.get("relative", "") if recorded.get("relative") else None
        if moved is not None and moved.is_dir():
            return moved.resolve(), True
        return folder, False

    def generated_from(
        self, forms: Iterable[str], folder: str | os.PathLike[str] | None, packets: Path
    ) -> None:
        """Record that the files of ``forms`` were generated from ``folder`` (None: shipped)."""
        for form in forms:
            if folder is None:
                self.templates.pop(form, None)
                continue
            where = Path(folder).resolve()
            self.templates[form] = {"folder": str(where), "relative": _relative(where, packets)}

    def by_path(self) -> dict[str, ManifestEntry]:
        return {entry.path: entry for entry in self.files}

    def for_pair(self, pair_id: str) -> list[ManifestEntry]:
        return [entry for entry in self.files if entry.pair_id == pair_id]


def _relative(where: Path, packets: Path) -> str:
    "``where`` as a path from the packets folder; '' when there is none (another drive)."
    try:
        return os.path.relpath(where, packets.resolve())
    except ValueError:  # another drive (Windows)
        return ""


def read_manifest(out_dir: str | os.PathLike[str]) -> Manifest:
    """Read ``OUT/manifest.json``; an empty manifest when there is none yet."""
    path = Path(out_dir) / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(ManifestEntry)}  # a newer version's keys are left out
        files = [
            ManifestEntry(**{k: v for k, v in entry.items() if k in known})
            for entry in data.get("files", [])
        ]
    except (ValueError, TypeError) as exc:
        raise OutputError(
            f"{path} is damaged ({exc}). Move it aside and run 'mentordocs generate' again "
            "with --force to rebuild it."
        ) from exc
    made = _made_from_of(data.get("made_from"))
    for entry in files:
        entry.made_from = made.get(entry.path, "")
    return Manifest(
        program=data.get("program", ""),
        roster=data.get("roster", ""),
        generator=data.get("generator", ""),
        files=files,
        templates=_by_key(data.get("templates")),
        tracking=_by_key(data.get("tracking")),
    )


def _made_from_of(recorded: object) -> dict[str, str]:
    'The manifest\'s "made_from" (path -> ``made_from_text``), as written; else none.'
    if not isinstance(recorded, list):
        return {}
    made: dict[str, str] = {}
    for group in recorded:
        if isinstance(group, dict) and isinstance(group.get("made"), str):
            made.update((str(path), group["made"]) for path in group.get("files") or [])
    return made


def _by_key(recorded: object) -> dict[str, dict[str, str]]:
    """The manifest's "templates" (form id -> folder) or "tracking" (stage -> workbook), as
    written; anything else: none."""
    if not isinstance(recorded, dict):
        return {}
    return {
        str(form): {str(k): str(v) for k, v in where.items()}
        for form, where in recorded.items()
        if isinstance(where, dict)
    }


#: A manifest entry's ``made_from`` for a file written or checked by the run still going: what
#: of the roster it shows is worked out when the manifest is written at the end of the run
#: (``write_manifest``'s ``made_from``), not kept for every file meanwhile.
MADE_NOW = "(this run)"
#: What a manifest saved during a run says of such a file (a run killed outright leaves it so):
#: made by a generate that did not finish, from what is not known; send holds it back.
UNFINISHED = "unfinished"


def write_manifest(
    out_dir: str | os.PathLike[str],
    manifest: Manifest,
    made_from: Callable[[ManifestEntry], str] | None = None,
) -> None:
    """Write ``OUT/manifest.json`` atomically, one entry at a time (flat memory at any size).

    ``made_from`` works out what an entry marked ``MADE_NOW`` was made from; without it (a
    save during the run) such entries are written as ``UNFINISHED``."""
    head = {
        "program": manifest.program,
        "roster": manifest.roster,
        "generator": manifest.generator,
        "templates": manifest.templates,
        "tracking": manifest.tracking,
    }
    names = [f.name for f in fields(ManifestEntry) if f.name != "made_from"]
    entries = sorted(manifest.files, key=lambda e: (e.pair_id, e.form, e.path))
    with atomic_writer(Path(out_dir) / MANIFEST_NAME, "w") as fh:
        fh.write("{\n")
        for key, value in head.items():
            fh.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        _write_made_from(fh, entries, made_from)
        fh.write('  "files": [')
        for number, entry in enumerate(entries):
            record = {name: getattr(entry, name) for name in names}
            fh.write(("," if number else "") + "\n    " + json.dumps(record, ensure_ascii=False))
        fh.write("\n  ]\n}\n" if entries else "]\n}\n")


_GROUP_FILES = 256  # files a "made_from" group lists at most (a text shared by many: flat memory)


def _write_made_from(
    fh: IO[str], entries: list[ManifestEntry], made_from: Callable[[ManifestEntry], str] | None
) -> None:
    """What each file was made from, as groups of the files made from one text (a pair's files
    mostly share one), written a group at a time."""
    fh.write('  "made_from": [')
    written = 0
    text = ""
    files: list[str] = []

    def flush() -> None:
        nonlocal written
        if files:
            group = json.dumps({"made": text, "files": files}, ensure_ascii=False)
            fh.write(("," if written else "") + "\n    " + group)
            written += 1

    for entry in entries:
        made = entry.made_from
        if made == MADE_NOW:
            made = made_from(entry) if made_from is not None else UNFINISHED
        if not made:
            continue
        if made != text or len(files) >= _GROUP_FILES:  # one text for many: bounded groups
            flush()
            text, files = made, []
        files.append(entry.path)
    flush()
    fh.write("\n  ],\n" if written else "],\n")


@dataclass
class SentFile:
    path: str  # relative to the packets folder
    sha256: str
    form: str = ""


@dataclass
class SendRecord:
    kind: str  # "packet" or "reminder"
    pair_id: str
    recipients: list[str]
    files: list[SentFile]
    message_id: str
    sent_at: str
    transport: str  # "smtp" or "outbox"
    refused: list[str] = field(default_factory=list)  # recipients the server refused
    eml: str = ""  # path of the .eml written, for --outbox
    stage: str = "start"  # the round of the year: "start" (the packet), "midpoint", "end"


def read_send_log(out_dir: str | os.PathLike[str]) -> list[SendRecord]:
    """Every message recorded in ``OUT/send-log.jsonl``, oldest first (empty if none)."""
    path = Path(out_dir) / SEND_LOG_NAME
    if not path.exists():
        return []
    records: list[SendRecord] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                data["files"] = [SentFile(**f) for f in data.get("files", [])]
                known = {f.name for f in fields(SendRecord)}  # a newer version's keys: left out
                records.append(SendRecord(**{k: v for k, v in data.items() if k in known}))
            except (ValueError, TypeError, AttributeError) as exc:
                raise OutputError(_damaged_line(path, number, line, exc)) from exc
    return records


def _damaged_line(path: Path, number: int, line: str, exc: Exception) -> str:
    """Say which message a damaged send-log line recorded, as far as it can be read: deleting
    it means that message goes again."""
    found = {
        key: match.group(1)
        for key in ("pair_id", "kind", "sent_at")
        if (match := re.search(rf'"{key}"\s*:\s*"([^"]*)"', line))
    }
    what = ""
    if "pair_id" in found:
        sent = f", sent {found['sent_at'][:16].replace('T', ' ')}" if "sent_at" in found else ""
        what = f" It records a {found.get('kind', 'message')} to {found['pair_id']}{sent}."
    who = found.get("pair_id", "the pair it names")
    return (
        f"{path}, line {number}, is damaged ({exc}).{what} Repair that line in a text editor "
        f"(the lines around it show the form), or delete it and leave {who} out of the next "
        "send (name the other pairs with --pair), or it gets that message again. Every other "
        "line is kept."
    )


def append_send_record(out_dir: str | os.PathLike[str], record: SendRecord) -> None:
    """Append one record and flush it to disk before returning (so nothing is sent twice)."""
    path = Path(out_dir) / SEND_LOG_NAME
    line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


# ---- the declarations of the forms as generated ---------------------------------------------------

#: Where ``generate`` keeps, per form and template version, the declaration it generated from,
#: so that ``collect`` reads a form made from an older template against that template's fields.
FORMS_DIR = ".mentordocs/forms"


def declaration_path(out_dir: str | os.PathLike[str], form: str, version: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "+-._" else "_" for c in version)
    return Path(out_dir) / FORMS_DIR / f"{form}@{safe}.json"


def save_declaration(out_dir: str | os.PathLike[str], spec: FormSpec, version: str) -> None:
    """Keep ``spec`` as the declaration of template ``version`` (once; never rewritten)."""
    path = declaration_path(out_dir, spec.form, version)
    if path.exists():
        return
    text = json.dumps(form_spec_to_json(spec), ensure_ascii=False, indent=1) + "\n"
    with atomic_writer(path, "w") as fh:
        fh.write(text)


def saved_declaration(out_dir: str | os.PathLike[str], form: str, version: str) -> FormSpec | None:
    """The declaration kept for ``form`` at template ``version``, or None."""
    path = declaration_path(out_dir, form, version)
    if not path.is_file():
        return None
    return load_form_spec(path, expected_form=form)
