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

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mentordocs.errors import Problem, TemplateError

#: The four forms of a packet, in packet order.
FORM_IDS: tuple[str, ...] = (
    "action-plan",
    "terms-of-engagement",
    "goal-sheet",
    "confidentiality-agreement",
)

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

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_ID_PATTERN_RE = re.compile(r"^[a-z0-9_]*(\{n\}[a-z0-9_]*)?$")
_FORM_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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
    _by_id: dict[str, FieldSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({spec.id: spec for spec in self.fields})

    def field(self, field_id: str) -> FieldSpec:
        """The declaration for a declared id (``goal_{n}_goal``) or a concrete one (``goal_3_goal``)."""
        found = self._by_id.get(field_id) or self.match(field_id)
        if found is None:
            raise KeyError(f"{self.form} has no field {field_id!r}")
        return found

    def match(self, field_id: str) -> FieldSpec | None:
        """The declaration a concrete id belongs to, or None when it is not declared."""
        spec = self._by_id.get(field_id)
        if spec is not None and not spec.repeated:
            return spec
        for candidate in self.fields:
            if candidate.repeated and candidate.pattern.match(field_id):
                return candidate
        return None

    def instance(self, field_id: str) -> int | None:
        """The instance number in a concrete repeated id (``goal_3_goal`` -> 3), else None."""
        spec = self.match(field_id)
        if spec is None or not spec.repeated:
            return None
        found = spec.pattern.match(field_id)
        return int(found.group(1)) if found else None

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


def load_form_specs(templates_dir: str | Path | None = None) -> dict[str, FormSpec]:
    """Read ``<form>.json`` for every form in FORM_IDS from ``templates_dir`` (default: shipped).

    Returns the specs keyed by form id, in packet order. Raises FormSpecError naming the file
    and every problem in it when a declaration is missing or malformed.
    """
    folder = Path(templates_dir) if templates_dir is not None else _default_dir()
    if not folder.is_dir():
        raise FormSpecError(
            f"Templates folder {folder} does not exist. Give the folder that holds the .docx "
            "templates and their .json declarations (make one with 'mentordocs templates copy DIR')."
        )
    return {form: load_form_spec(folder / f"{form}.json", expected_form=form) for form in FORM_IDS}


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


def parse_form_spec(data: Any, path: Path, expected_form: str | None = None) -> FormSpec:
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
        if spec_problems:
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
    )


def _field_problems(raw: dict[str, Any], field_id: Any) -> list[str]:
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


def form_spec_to_json(spec: FormSpec) -> dict[str, Any]:
    """The sidecar JSON object for ``spec`` (used by the template builder)."""
    fields_out = []
    for item in spec.fields:
        entry: dict[str, Any] = {
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
    return {"form": spec.form, "title": spec.title, "version": spec.version, "fields": fields_out}


# ---- checking a templates folder (``mentordocs templates check``) ------------------------------


def check_templates(
    folder: str | Path | None = None,
    contexts: list[dict[str, Any]] | None = None,
) -> list[Problem]:
    """Check every form's template in ``folder`` (default: the shipped ones) against its JSON.

    Each template is compiled and rendered (with ``contexts``, default: the built-in sample
    roster, one pair per plan type, so every conditional section shows at least once), then its
    content controls are compared with the declaration. Problems found: a missing file, a Jinja
    syntax error, an unknown variable (template and tag named), a content control without a
    tag, a tag that differs from its alias, a duplicated field id, a field the declaration
    does not list, a field of another kind or with other choices than declared, and a declared
    field the template lacks. Returns every problem (empty when all is well).
    """
    from mentordocs.generate.context import sample_contexts

    base = Path(folder) if folder is not None else templates_dir()
    if not base.is_dir():
        raise FormSpecError(
            f"Templates folder {base} does not exist. Make one with 'mentordocs templates copy "
            f"{base}', or give the folder that holds your edited templates."
        )
    samples = contexts if contexts is not None else sample_contexts()
    problems: list[Problem] = []
    for form in FORM_IDS:
        try:
            spec = load_form_spec(base / f"{form}.json", expected_form=form)
        except FormSpecError as exc:
            problems.append(Problem(file=str(base / f"{form}.json"), message=str(exc)))
            continue
        problems.extend(check_template(spec, samples))
    return problems


def check_template(spec: FormSpec, contexts: list[dict[str, Any]]) -> list[Problem]:
    """Problems of one form's template against its declaration (see ``check_templates``)."""
    from mentordocs.generate.render import CompiledTemplate

    path = spec.template_path
    where = str(path)
    if not path.is_file():
        return [
            Problem(
                file=where,
                message="the template is missing.",
                fix="Copy it back with 'mentordocs templates copy DIR' (it never overwrites).",
            )
        ]
    try:
        compiled = CompiledTemplate.load(path, version=spec.version)
    except TemplateError as exc:
        return [Problem(file=where, message=_strip_prefix(str(exc), where))]
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    reported: set[tuple[str, str]] = set()

    def report(key: str, message: str, fix: str = "") -> None:
        if (key, message) not in reported:
            reported.add((key, message))
            problems.append(Problem(file=where, message=message, fix=fix))

    for context in contexts:
        try:
            data = compiled.render(context, {}, validate=True)
        except TemplateError as exc:
            report("render", _strip_prefix(str(exc), where))
            continue
        for part, controls in _controls_by_part(data):
            counts: dict[str, int] = {}
            for control in controls:
                _check_control(spec, part, control, counts, report)
                if control.id:
                    seen_ids.add(control.id)
            for field_id, count in counts.items():
                if count > 1:
                    report(
                        field_id,
                        f"the field id '{field_id}' is used by {count} content controls in {part}.",
                        "Give each content control its own id (Developer > Properties: Title and "
                        "Tag); a copied control keeps the id of the one it was copied from.",
                    )
    if problems and not seen_ids:
        return problems
    for declared in spec.fields:
        if not any(declared.pattern.match(found) for found in seen_ids):
            shown = declared.concrete(1) if declared.repeated else declared.id
            report(
                declared.id,
                f"the declared field '{declared.id}' ({declared.label}) is not in the template"
                + (f" (looked for e.g. '{shown}')." if declared.repeated else "."),
                "Put back a content control whose Title and Tag are that id, or remove the field "
                f"from {spec.spec_path.name if spec.spec_path else 'the .json declaration'}.",
            )
    return problems


def _strip_prefix(message: str, where: str) -> str:
    """The renderer's message without its "Template <path>" opening (the Problem names the file)."""
    if message.startswith(f"Template {where}: "):
        return message[len(f"Template {where}: ") :]
    if message.startswith(f"Template {where} "):
        return "the template " + message[len(f"Template {where} ") :]
    return message


def _controls_by_part(data: bytes) -> list[tuple[str, list[Any]]]:
    """The fields (``fields.Field``) of each part of a rendered .docx that can hold them."""
    import io
    import zipfile

    from mentordocs.ooxml.controls import parse_xml, read_fields

    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name == "word/document.xml" or (
                name.startswith("word/") and name.split("/")[-1].startswith(("header", "footer"))
            ):
                root = parse_xml(package.read(name))
                out.append((name, read_fields(root, unnamed=True, placeholder_text=True)))
    return out


_FIELD_KIND_WORDS = {
    "text": "a text",
    "checkbox": "a checkbox",
    "date": "a date picker",
    "dropdown": "a drop-down",
}


def _check_control(
    spec: FormSpec, part: str, control: Any, counts: dict[str, int], report: Any
) -> None:
    if control.source == "legacy":
        return
    if not control.tag and not control.alias:
        shown = str(control.value).strip() or "(empty)"
        report(
            f"untagged:{shown}",
            f"a content control in {part} has no tag (it shows '{_short(shown)}').",
            "In Word: Developer > Properties, set both Title and Tag to the field id it should "
            "have, or delete the control.",
        )
        return
    field_id = control.tag or control.alias
    if not control.tag:
        report(
            field_id,
            f"the content control '{field_id}' in {part} has a title but no tag.",
            "In Word: Developer > Properties, set its Tag to the same id as its Title.",
        )
    elif control.alias and control.alias != control.tag:
        report(
            field_id,
            f"the content control in {part} has the tag '{control.tag}' but the title "
            f"'{control.alias}'.",
            "In Word: Developer > Properties, make Title and Tag the same field id.",
        )
    counts[field_id] = counts.get(field_id, 0) + 1
    declared = spec.match(field_id)
    if declared is None:
        report(
            field_id,
            f"the field '{field_id}' in {part} is not declared in "
            f"{spec.spec_path.name if spec.spec_path else 'the declaration'}.",
            "Add it to the .json declaration (id, label, kind, required, confidential), or fix "
            "the control's Title and Tag if it is a typo.",
        )
        return
    if control.kind != declared.kind:
        report(
            declared.id,
            f"the field '{field_id}' is {_FIELD_KIND_WORDS.get(control.kind, control.kind)} "
            f"control but is declared as {_FIELD_KIND_WORDS[declared.kind]}.",
            f"Use {_FIELD_KIND_WORDS[declared.kind]} content control, or change its 'kind' in "
            "the declaration.",
        )


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def copy_templates(
    destination: str | Path, source: str | Path | None = None
) -> tuple[list[Path], list[Path]]:
    """Copy every form's template and declaration into ``destination`` for a coordinator to edit.

    Never overwrites: a file already there is left alone. Returns (copied, kept).
    """
    from mentordocs.errors import OutputError
    from mentordocs.fsutil import atomic_write_bytes

    src = Path(source) if source is not None else templates_dir()
    dest = Path(destination)
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"{dest} is a file, not a folder. Give a folder for the templates.")
    copied: list[Path] = []
    kept: list[Path] = []
    for form in FORM_IDS:
        for suffix in (".docx", ".json"):
            source_file = src / f"{form}{suffix}"
            target = dest / source_file.name
            if target.exists():
                kept.append(target)
                continue
            if not source_file.is_file():
                raise FormSpecError(
                    f"The shipped template {source_file} is missing; reinstall mentordocs."
                )
            atomic_write_bytes(target, source_file.read_bytes())
            copied.append(target)
    return copied, kept
