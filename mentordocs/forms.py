"""The form registry: which forms a packet holds and what each form's fields are.

Each form is a docxtpl template ``templates/<form id>.docx`` with a sidecar
``templates/<form id>.json`` that declares its fields once (see docs/ARCHITECTURE.md)::

    {"form": "goal-sheet", "title": "Goal sheet", "version": "1.0",
     "fields": [{"id": "goal_{n}_goal", "label": "Goal {n}", "kind": "text",
                 "required": true, "confidential": false, "group": "goal"}, ...]}

A repeated group (goals, commitments, action items...) uses ``{n}`` (1-based) in ``id`` and
``label``; ``FormSpec.match("goal_3_status")`` finds the declaration of a concrete id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mentordocs.errors import TemplateError

#: Every form, in the program's order, with its stage of the year (STAGES): the four forms of
#: the packet at the start, then the mid-point check-in and the end-of-program review.
FORM_STAGES: dict[str, str] = {
    "action-plan": "start",
    "terms-of-engagement": "start",
    "goal-sheet": "start",
    "confidentiality-agreement": "start",
    "midpoint-review": "midpoint",
    "end-review": "end",
}

#: Every form id, in the program's order (collect and tracking read returns of any of them).
FORM_IDS: tuple[str, ...] = tuple(FORM_STAGES)

#: Field kinds a form may declare (the same as ``fields.FIELD_KINDS``).
KINDS: tuple[str, ...] = ("text", "checkbox", "date", "dropdown")

#: The signature block every form ends with.
SIGNATURE_FIELD_IDS: tuple[str, ...] = (
    "mentor_sign_name",
    "mentor_sign_date",
    "mentor_agree",
    "mentee_sign_name",
    "mentee_sign_date",
    "mentee_agree",
)
MENTOR_SIGNATURE = ("mentor_sign_name", "mentor_sign_date", "mentor_agree")
MENTEE_SIGNATURE = ("mentee_sign_name", "mentee_sign_date", "mentee_agree")

# Any: a declaration read from JSON holds JSON values of any kind until it is checked.
JsonObject = dict[str, Any]

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_ID_PATTERN_RE = re.compile(r"^[a-z0-9_]*(\{n\}[a-z0-9_]*)?$")
_FORM_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: The rounds of a program's year, in order: the packet at the start, the mid-point check-in,
#: the end-of-program review. A form declares its stage ("stage" in its JSON; blank = start).
STAGES = ("start", "midpoint", "end")
DEFAULT_STAGE = "start"


def stage_forms(stage: str = DEFAULT_STAGE) -> tuple[str, ...]:
    """The form ids of one stage, in order: ``stage_forms()`` is the packet of the start."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    return tuple(form for form, of in FORM_STAGES.items() if of == stage)


def form_stage(form: str) -> str:
    """The stage a form id belongs to (an unknown id: the start, where every form used to be)."""
    return FORM_STAGES.get(form, DEFAULT_STAGE)


@dataclass(frozen=True)
class FieldSpec:
    """One declared field. ``id`` may hold ``{n}`` when the field repeats in ``group``."""

    id: str
    label: str
    kind: str
    required: bool
    confidential: bool
    group: str | None = None
    choices: tuple[str, ...] = ()
    # For a repeated required field: only instances 1..required_instances are required (the
    # form offers more, optional, slots). None: every instance present is required.
    required_instances: int | None = None

    @property
    def repeated(self) -> bool:
        return "{n}" in self.id

    def required_in(self, n: int | None = None) -> bool:
        """Whether instance ``n`` of this field must be filled for the form to be complete."""
        if not self.required:
            return False
        return not (self.repeated and self.required_instances and n and n > self.required_instances)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A regex matching the concrete ids of this field (``{n}`` -> a number from 1)."""
        head, sep, tail = self.id.partition("{n}")
        if not sep:
            return re.compile(re.escape(self.id) + r"\Z")
        return re.compile(re.escape(head) + r"([1-9][0-9]*)" + re.escape(tail) + r"\Z")

    def concrete(self, n: int | None = None) -> str:
        """The concrete id for instance ``n`` (``n`` is ignored for a field that does not repeat)."""
        if not self.repeated:
            return self.id
        if n is None or n < 1:
            raise ValueError(f"field {self.id} repeats: give its instance number (1, 2, ...)")
        return self.id.replace("{n}", str(n))

    def label_for(self, n: int | None = None) -> str:
        return self.label.replace("{n}", str(n)) if self.repeated and n else self.label


@dataclass(frozen=True)
class FormSpec:
    """One form: its id, title, template version, declared fields and template file."""

    form: str
    title: str
    version: str
    fields: tuple[FieldSpec, ...]
    template_path: Path
    spec_path: Path | None = None
    # When in the program's year the form is filled in: one of STAGES. The default packet is
    # the "start" forms; 'generate --stage midpoint' writes the "midpoint" ones, and so on.
    stage: str = "start"
    # Caches, each spec's own (init=False: dataclasses.replace() gives the copy new ones).
    _by_id: dict[str, FieldSpec] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Concrete id -> (declaration, instance): asked for every field of every return.
    _lookups: dict[str, tuple[FieldSpec | None, int | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _layouts: dict[tuple[str, ...], ReturnLayout] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._by_id.update({spec.id: spec for spec in self.fields})

    def field(self, field_id: str) -> FieldSpec:
        """The declaration for a declared id (``goal_{n}_goal``) or a concrete one (``goal_3_goal``)."""
        found = self._by_id.get(field_id) or self.match(field_id)
        if found is None:
            raise KeyError(f"{self.form} has no field {field_id!r}")
        return found

    def lookup(self, field_id: str) -> tuple[FieldSpec | None, int | None]:
        """(declaration or None, instance number or None) for a concrete field id."""
        found = self._lookups.get(field_id)
        if found is not None:
            return found
        plain = self._by_id.get(field_id)
        found = (plain, None) if plain is not None and not plain.repeated else (None, None)
        if found[0] is None:
            for candidate in self.fields:
                matched = candidate.repeated and candidate.pattern.match(field_id)
                if matched:
                    found = (candidate, int(matched.group(1)))
                    break
        if len(self._lookups) < 100_000:  # bounded: ids come from returned files
            self._lookups[field_id] = found
        return found

    def match(self, field_id: str) -> FieldSpec | None:
        """The declaration a concrete id belongs to, or None when it is not declared."""
        return self.lookup(field_id)[0]

    def instance(self, field_id: str) -> int | None:
        """The instance number in a concrete repeated id (``goal_3_goal`` -> 3), else None."""
        return self.lookup(field_id)[1]

    def layout(self, field_ids: Iterable[str]) -> ReturnLayout:
        """What a return holding these field ids looks like (remembered: most returns of a form
        hold the same ids)."""
        key = tuple(field_ids)
        found = self._layouts.get(key)
        if found is None:
            if len(self._layouts) >= 256:
                self._layouts.clear()
            found = self._layouts[key] = ReturnLayout(self, key)
        return found

    @property
    def groups(self) -> dict[str, tuple[FieldSpec, ...]]:
        """Repeated fields by group name, in declaration order."""
        out: dict[str, list[FieldSpec]] = {}
        for spec in self.fields:
            if spec.repeated:
                out.setdefault(spec.group or spec.id, []).append(spec)
        return {name: tuple(specs) for name, specs in out.items()}

    def expand(self, n_by_group: dict[str, int] | None = None) -> list[tuple[str, FieldSpec]]:
        """Every concrete field id with its declaration, ``n_by_group[group]`` instances per group."""
        counts = n_by_group or {}
        out: list[tuple[str, FieldSpec]] = []
        for spec in self.fields:
            if spec.repeated:
                for n in range(1, counts.get(spec.group or spec.id, 0) + 1):
                    out.append((spec.concrete(n), spec))
            else:
                out.append((spec.id, spec))
        return out

    @property
    def required_ids(self) -> tuple[str, ...]:
        """Declared ids (with ``{n}`` for repeated ones) that must be filled."""
        return tuple(spec.id for spec in self.fields if spec.required)

    @property
    def confidential_ids(self) -> tuple[str, ...]:
        """Declared ids whose answers stay between the pair (never copied to tracking)."""
        return tuple(spec.id for spec in self.fields if spec.confidential)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.fields)


class ReturnLayout:
    """What follows from the field ids one return holds: instances per group, which ids are
    required, which are goals, which are confidential."""

    def __init__(self, spec: FormSpec, field_ids: tuple[str, ...]):
        instances: dict[str, set[int]] = {}
        goals: list[tuple[str, int, FieldSpec]] = []
        confidential: list[str] = []
        for field_id in field_ids:
            declared, n = spec.lookup(field_id)
            if declared is None:
                continue
            if declared.confidential:
                confidential.append(field_id)
            if n is not None:
                instances.setdefault(declared.group or declared.id, set()).add(n)
                if declared.group == "goal":
                    goals.append((field_id, n, declared))
        self.instances = {group: sorted(ns) for group, ns in instances.items()}
        required: list[str] = []
        for declared in spec.fields:
            if not declared.required:
                continue
            if declared.repeated:
                required.extend(
                    declared.concrete(n)
                    for n in self.instances.get(declared.group or declared.id, ())
                    if declared.required_in(n)
                )
            else:
                required.append(declared.id)
        self.required = tuple(required)  # concrete ids, in declaration order
        self.goals = tuple(goals)  # (field id, instance, declaration) of the "goal" group
        self.confidential = tuple(confidential)


class FormSpecError(TemplateError):
    "A form's sidecar declaration (templates/<form>.json) is missing or malformed."


def templates_dir() -> Path:
    """The shipped templates: inside the installed package, else ``templates/`` of a checkout."""
    import mentordocs

    package_dir = Path(mentordocs.__file__).resolve().parent
    installed = package_dir / "templates"
    if installed.is_dir():
        return installed
    return package_dir.parent / "templates"


def load_form_specs(
    templates_dir: str | Path | None = None, stage: str | None = None
) -> dict[str, FormSpec]:
    """Read ``<form>.json`` for every form in FORM_IDS (or only ``stage``'s forms) from
    ``templates_dir`` (default: shipped).

    Returns the specs keyed by form id, in the program's order. Raises FormSpecError naming the
    file and every problem in it when a declaration is missing or malformed. A coordinator's
    folder copied before a later stage's form came (neither its .json nor its .docx there:
    'templates check' warns of it) has that form's shipped declaration and template.
    """
    forms = FORM_IDS if stage is None else stage_forms(stage)
    folder = Path(templates_dir) if templates_dir is not None else _default_dir()
    if not folder.is_dir():
        raise FormSpecError(
            f"Templates folder {folder} does not exist. Give the folder that holds the .docx "
            "templates and their .json declarations (make one with 'mentordocs templates copy DIR')."
        )
    specs = {}
    for form in forms:
        declaration = folder / f"{form}.json"
        if (
            form_stage(form) != DEFAULT_STAGE
            and not declaration.exists()
            and not declaration.with_suffix(".docx").exists()
        ):
            declaration = _default_dir() / declaration.name
        specs[form] = load_form_spec(declaration, expected_form=form)
    return specs


def template_version(declared: str, sha256: str) -> str:
    """The version string a form generated from a template carries (and the packets' manifest
    records): the declared version and the first 8 hex digits of the template file's SHA-256
    (``sha256``, in hex), so that an edit of the file shows without a new version number."""
    return f"{declared}+{sha256[:8]}" if declared else sha256[:8]


def template_version_now(spec: FormSpec) -> str:
    "``template_version`` of ``spec``'s template as the file is now ('' when it cannot be read)."
    try:
        data = spec.template_path.read_bytes()
    except OSError:
        return ""
    return template_version(spec.version, hashlib.sha256(data).hexdigest())


def _default_dir() -> Path:
    return templates_dir()


def load_form_spec(path: str | Path, expected_form: str | None = None) -> FormSpec:
    """Read and validate one sidecar declaration; its template is the .docx beside it."""
    path = Path(path)
    if not path.is_file():
        raise FormSpecError(
            f"{path}: the form's declaration is missing. Copy it back from the shipped "
            "templates ('mentordocs templates copy DIR') or write it beside the .docx."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FormSpecError(f"{path}: not UTF-8 text ({exc}). Save it as UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise FormSpecError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}. "
            "Fix the file in a text editor (a missing comma or quote is the usual cause)."
        ) from exc
    return parse_form_spec(data, path, expected_form)


def parse_form_spec(data: object, path: Path, expected_form: str | None = None) -> FormSpec:
    """Validate a parsed declaration; every problem is listed in one FormSpecError."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise FormSpecError(f"{path}: expected a JSON object with form, title, version and fields.")
    form = data.get("form")
    if not isinstance(form, str) or not _FORM_ID_RE.match(form):
        problems.append("'form' must be the form id, e.g. \"goal-sheet\"")
        form = expected_form or path.stem
    elif expected_form is not None and form != expected_form:
        problems.append(f"'form' is {form!r} but the file is for {expected_form!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("'title' must be the form's title as text")
        title = str(form)
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("'version' must be the template version as text, e.g. \"1.0\"")
        version = ""
    stage = data.get("stage", "start")
    if stage not in STAGES:
        problems.append(f"'stage' must be one of {', '.join(STAGES)} (blank = start)")
        stage = "start"
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append("'fields' must be a list of field declarations")
        raw_fields = []
    specs: list[FieldSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_fields, start=1):
        where = f"field {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected an object with id, label, kind, ...")
            continue
        field_id = raw.get("id")
        if isinstance(field_id, str):
            where = f"field {index} ({field_id})"
        spec_problems = _field_problems(raw, field_id)
        problems.extend(f"{where}: {message}" for message in spec_problems)
        if spec_problems or not isinstance(field_id, str):
            continue
        if field_id in seen:
            problems.append(f"{where}: the id is declared twice; each field id must be unique")
            continue
        seen.add(field_id)
        specs.append(
            FieldSpec(
                id=field_id,
                label=raw["label"],
                kind=raw["kind"],
                required=raw.get("required", False),
                confidential=raw.get("confidential", False),
                group=raw.get("group") or None,
                choices=tuple(raw.get("choices") or ()),
                required_instances=raw.get("required_instances"),
            )
        )
    if problems:
        listing = "\n".join(f"  - {message}" for message in problems)
        raise FormSpecError(f"{path}: {len(problems)} problem(s) in the declaration:\n{listing}")
    return FormSpec(
        form=form,
        title=title,
        version=version,
        fields=tuple(specs),
        template_path=path.with_suffix(".docx"),
        spec_path=path,
        stage=stage,
    )


def _field_problems(raw: JsonObject, field_id: object) -> list[str]:
    problems: list[str] = []
    if not isinstance(field_id, str) or not _ID_PATTERN_RE.match(field_id) or not field_id:
        problems.append(
            "'id' must be lowercase letters, digits and '_' (with '{n}' for a repeated field)"
        )
    elif "{n}" in field_id and not raw.get("group"):
        problems.append("a repeated field ('{n}' in its id) must name its 'group'")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append("'label' must be the question as the form shows it")
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(f"'kind' must be one of {', '.join(KINDS)} (not {kind!r})")
    for flag in ("required", "confidential"):
        if flag in raw and not isinstance(raw[flag], bool):
            problems.append(f"'{flag}' must be true or false")
    limit = raw.get("required_instances")
    if limit is not None and (
        not isinstance(limit, int)
        or isinstance(limit, bool)
        or limit < 1
        or not raw.get("required")
        or "{n}" not in str(field_id)
    ):
        problems.append(
            "'required_instances' must be a whole number from 1, on a required repeated field "
            "(how many of its instances must be filled)"
        )
    group = raw.get("group")
    if group is not None and (not isinstance(group, str) or not _ID_RE.match(group)):
        problems.append("'group' must be lowercase letters, digits and '_'")
    choices = raw.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
        problems.append("'choices' must be a list of texts")
    elif kind == "dropdown" and not choices:
        problems.append("a dropdown must list its 'choices'")
    elif kind != "dropdown" and choices:
        problems.append("only a dropdown has 'choices'")
    return problems


def form_spec_to_json(spec: FormSpec) -> JsonObject:
    """The sidecar JSON object for ``spec`` (used by the template builder)."""
    fields_out = []
    for item in spec.fields:
        entry: JsonObject = {
            "id": item.id,
            "label": item.label,
            "kind": item.kind,
            "required": item.required,
            "confidential": item.confidential,
        }
        if item.group:
            entry["group"] = item.group
        if item.choices:
            entry["choices"] = list(item.choices)
        if item.required_instances:
            entry["required_instances"] = item.required_instances
        fields_out.append(entry)
    out: JsonObject = {"form": spec.form, "title": spec.title, "version": spec.version}
    if spec.stage != "start":
        out["stage"] = spec.stage
    out["fields"] = fields_out
    return out


# ---- the rules: filled, complete, signed ------------------------------------------------------

#: What a confidential answer becomes where it is not copied: whether it was given.
FILLED_IN = "filled in"
LEFT_BLANK = "blank"

#: A value as read from a form: text (dates as ``YYYY-MM-DD``, a drop-down's value) or a tick.
Value = str | bool


def is_filled(value: Value | None) -> bool:
    """A field counts as filled: a ticked box, a non-blank text, a confidential "filled in"."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip()
    return bool(text) and text != LEFT_BLANK


def blank_required(values: Mapping[str, Value], spec: FormSpec) -> list[str]:
    """Required field ids (concrete) left blank; a repeated group counts per instance present."""
    return [
        field_id for field_id in spec.layout(values).required if not is_filled(values.get(field_id))
    ]


def signed_by(values: Mapping[str, Value], role: str) -> bool:
    """Signed by ``role`` ("mentor"/"mentee"): the agree box ticked and the name typed."""
    return values.get(f"{role}_agree") is True and is_filled(values.get(f"{role}_sign_name"))


def labels(field_ids: list[str], spec: FormSpec, most: int = 4) -> str:
    """The fields as the form words them: "Goal 2, Mentee agrees and 3 more"."""
    words = []
    for field_id in field_ids[:most]:
        declared, n = spec.lookup(field_id)
        words.append(declared.label_for(n) if declared is not None else field_id)
    text = ", ".join(words)
    if len(field_ids) > most:
        text += f" and {len(field_ids) - most} more"
    return text


NOT_RETURNED = "not returned"  # the reason a form is owed when nothing came back


def outstanding_reasons(values: Mapping[str, Value] | None, spec: FormSpec) -> list[str]:
    """Why a pair still owes this form, in a coordinator's words (empty: nothing owed).

    ``values`` is None when the form was not returned.
    """
    if values is None:
        return [NOT_RETURNED]
    reasons = []
    blank = blank_required(values, spec)
    if blank:
        noun = "field" if len(blank) == 1 else "fields"
        reasons.append(f"incomplete: {len(blank)} required {noun} blank ({labels(blank, spec)})")
    for role in ("mentor", "mentee"):
        if spec.match(f"{role}_agree") is not None and not signed_by(values, role):
            reasons.append(f"not signed by {role}")
    return reasons
