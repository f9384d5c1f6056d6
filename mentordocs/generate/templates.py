"""The coordinator's own templates: copy the shipped ones out, check edited ones.

``copy_templates(DIR)`` writes every form's template and declaration into a folder to edit in
Word (never overwriting); ``check_templates(DIR)`` compiles, renders and reads back each
template and compares its content controls with the form's declaration, so a mistake is found
before ``generate --templates DIR`` rather than in 200 packets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from mentordocs.errors import MentordocsError, OutputError, Problem, TemplateError
from mentordocs.forms import (
    DEFAULT_STAGE,
    FORM_IDS,
    FormSpec,
    FormSpecError,
    form_stage,
    load_form_spec,
    templates_dir,
)
from mentordocs.fsutil import atomic_write_bytes
from mentordocs.generate.context import TemplateContext, sample_contexts
from mentordocs.generate.render import CompiledTemplate
from mentordocs.ooxml.fields import Field, read_fields
from mentordocs.ooxml.package import WordPackage

__all__ = ["check_template", "check_templates", "copy_templates"]

Context = TemplateContext


def check_templates(
    folder: str | Path | None = None,
    contexts: list[Context] | None = None,
    samples: list[Context] | None = None,
) -> list[Problem]:
    """Check every form's template in ``folder`` (default: the shipped ones) against its JSON.

    Each template is compiled and rendered (with ``contexts``, default: the built-in sample
    roster, one pair per plan type, so every conditional section shows at least once; given
    ``contexts``, a coordinator's pairs, the ``samples`` are rendered too (give them the
    roster's own columns: ``sample_contexts(like=roster)``), so a roster without every plan
    type is no reason to call a section's field missing), then its
    content controls are compared with the declaration. Problems found: a missing file, a Jinja
    syntax error, an unknown variable (template and tag named), a content control without a
    tag, a tag that differs from its alias, a duplicated field id, a field the declaration
    does not list, a field of another kind or with other choices than declared, and a declared
    field the template lacks. A coordinator's folder without a later stage's form (both its
    files) gets a warning. Returns every problem (empty when all is well).
    """
    base = Path(folder) if folder is not None else templates_dir()
    if not base.is_dir():
        raise FormSpecError(
            f"Templates folder {base} does not exist. Make one with 'mentordocs templates copy "
            f"{base}', or give the folder that holds your edited templates."
        )
    samples = samples if samples is not None else sample_contexts()
    given = contexts if contexts is not None else samples
    also = samples if contexts is not None else None
    problems: list[Problem] = []
    for form in FORM_IDS:
        json_path, docx_path = base / f"{form}.json", base / f"{form}.docx"
        later = folder is not None and form_stage(form) != DEFAULT_STAGE
        if later and not json_path.exists() and not docx_path.exists():
            # A folder copied before the review forms came: the packet's forms still work.
            problems.append(
                Problem(
                    file=str(json_path),
                    message=f"the {form} form is not in this folder (a later version of "
                    "mentordocs added it), so 'generate --templates' cannot make it.",
                    fix=f"Copy it in with 'mentordocs templates copy {base}' (it never "
                    "overwrites your edited forms).",
                    severity="warning",
                )
            )
            continue
        try:
            spec = load_form_spec(json_path, expected_form=form)
        except FormSpecError as exc:
            problems.append(Problem(file=str(base / f"{form}.json"), message=str(exc)))
            continue
        problems.extend(check_template(spec, given, also))
    return problems


def check_template(
    spec: FormSpec, contexts: list[Context], also: list[Context] | None = None
) -> list[Problem]:
    """Problems of one form's template against its declaration (see ``check_templates``).

    ``also``: more contexts whose rendering is checked the same way, except that one that
    cannot be rendered is passed over: the built-in samples beside a coordinator's roster
    (``roster_contexts``), which show the sections of the plan types the roster may lack
    (``sample_contexts(like=roster)`` gives them the roster's own columns). When one is passed
    over, a declared field none of the rendered contexts shows is a warning, not an error:
    it may sit in a section only that context would have shown.
    """
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
        return _explained([Problem(file=where, message=_strip_prefix(str(exc), where))], path)
    problems: list[Problem] = [
        Problem(
            file=where,
            message=f"the paragraph '{paragraph}' in {part} holds what looks like a tag but is "
            "not one, so every form would print it as it is.",
            fix="Correct it in Word: a value is written {{ name }}, a condition or loop "
            "{% ... %}, with two characters on each side.",
        )
        for part, paragraph in compiled.stray_tags()
    ]
    seen_ids: set[str] = set()
    reported: set[tuple[str, str]] = set()

    def report(key: str, message: str, fix: str = "", severity: str = "error") -> None:
        # A key of a control without a name is all there is to tell it by: its message holds
        # what the pair's render shows (the pair's data), different for every pair.
        seen = (key, "") if key.startswith(_BY_KEY_ALONE) else (key, message)
        if seen not in reported:
            reported.add(seen)
            problems.append(Problem(file=where, message=message, fix=fix, severity=severity))

    optional = list(also or [])
    failed = ""  # why a pair could not be rendered: the sections it shows were not seen
    for context in [*contexts, *optional]:
        try:
            data = compiled.render(context, {}, validate=True)
        except TemplateError as exc:
            if not any(context is other for other in optional):
                report("render", _strip_prefix(str(exc), where))
                failed = failed or "see the problem above"
            else:
                failed = failed or _strip_prefix(str(exc), where)
            continue
        for part, controls in _controls_by_part(data):
            counts: dict[str, int] = {}
            for control in controls:
                _check_control(spec, part, control, counts, report)
                if not control.tag and not control.alias:
                    counts[_UNNAMED] = counts.get(_UNNAMED, 0) + 1
                if control.id:
                    seen_ids.add(control.id)
            for field_id, count in counts.items():
                if count > 1 and field_id != _UNNAMED:
                    report(
                        field_id,
                        f"the field id '{field_id}' is used by {count} content controls in {part}.",
                        "Give each content control its own id (Developer > Properties: Title and "
                        "Tag); a copied control keeps the id of the one it was copied from.",
                    )
    if problems and not seen_ids:
        return _explained(problems, path)
    unsure = (
        " (It may be in a section only the pairs that could not be rendered with this "
        f"template show ({failed.rstrip('.')}). If the template uses columns or settings of "
        "your own, run 'mentordocs templates check DIR --roster YOUR-ROSTER'.)"
        if failed
        else ""
    )
    for declared in spec.fields:
        if not any(declared.pattern.match(found) for found in seen_ids):
            shown = declared.concrete(1) if declared.repeated else declared.id
            report(
                declared.id,
                f"the declared field '{declared.id}' ({declared.label}) is not in the template"
                + (f" (looked for e.g. '{shown}')." if declared.repeated else ".")
                + unsure,
                "Put back a content control whose Title and Tag are that id, or remove the field "
                f"from {spec.spec_path.name if spec.spec_path else 'the .json declaration'}.",
                severity="warning" if failed else "error",
            )
    return _explained(problems, path)


def _explained(problems: list[Problem], template: Path) -> list[Problem]:
    """``problems``, led by a note that LibreOffice last saved the template when it did and
    there is an error among them (the likely cause). The note is a warning: it is no problem
    of its own."""
    errors = any(problem.severity == "error" for problem in problems)
    version = libreoffice_version(template) if errors else None
    if version is None:
        return problems
    cause = Problem(
        file=str(template),
        message=f"the template was last saved by LibreOffice {version}, {_LIBREOFFICE_CHANGES}; "
        "the problems below may all come from that.",
        fix=LIBREOFFICE_FIX,
        severity="warning",
    )
    return [cause, *problems]


def libreoffice_version(template: Path) -> str | None:
    """The LibreOffice version that last saved ``template`` ("7.4.7.2"), or None when another
    program did (or the file cannot be read: its own error says so elsewhere)."""
    try:
        with WordPackage(template.read_bytes()) as package:
            application = package.application()
    except (OSError, MentordocsError):
        return None
    found = re.match(r"LibreOffice/(\d+(?:\.\d+)*)", application)
    return found.group(1) if found else None


_LIBREOFFICE_CHANGES = (
    "which changes the content controls and tags a form needs (it can drop the controls' tags "
    "and rename the bookmarks that hold tags)"
)
LIBREOFFICE_FIX = (
    "Edit your templates in Microsoft Word: copy the shipped ones into a new folder with "
    "'mentordocs templates copy NEW-FOLDER' and make your changes there."
)


def libreoffice_note(folder: Path, forms: Sequence[str] = FORM_IDS) -> str:
    """A sentence naming the templates of ``forms`` in ``folder`` last saved by LibreOffice,
    which changes what the forms need (measured: 7.4 drops every content control's tag; 7.4
    and 25.2 rename the bookmarks that hold tags, ``{{ g.slot }}`` becoming
    ``{{_g.slot_}}``), or ""."""
    saved = [
        (path.name, version)
        for form in forms
        if (version := libreoffice_version(path := folder / f"{form}.docx")) is not None
    ]
    if not saved:
        return ""
    named = ", ".join(f"{name} (LibreOffice {version})" for name, version in saved)
    return (
        f"Note: {named} {'was' if len(saved) == 1 else 'were'} last saved by LibreOffice, "
        f"{_LIBREOFFICE_CHANGES}; the problems above may all come from that. {LIBREOFFICE_FIX}"
    )


def _strip_prefix(message: str, where: str) -> str:
    """The renderer's message without its "Template <path>" opening (the Problem names the file)."""
    if message.startswith(f"Template {where}: "):
        return message[len(f"Template {where}: ") :]
    if message.startswith(f"Template {where} "):
        return "the template " + message[len(f"Template {where} ") :]
    return message


def _controls_by_part(data: bytes) -> list[tuple[str, list[Field]]]:
    """The fields of the body and each header and footer of a rendered .docx."""
    with WordPackage(data) as package:
        layout = package.layout()
        return [
            (
                part,
                read_fields(package.parse(part), unnamed=True, placeholder_text=True, before="all"),
            )
            for part in (layout.main, *layout.stories)
        ]


_UNNAMED = ""  # counts' key for the controls without a name met so far in a part
_BY_KEY_ALONE = ("untagged:", "bookmark:")

_FIELD_KIND_WORDS = {
    "text": "a text",
    "checkbox": "a checkbox",
    "date": "a date picker",
    "dropdown": "a drop-down",
}


def _check_control(
    spec: FormSpec,
    part: str,
    control: Field,
    counts: dict[str, int],
    report: Callable[..., None],
) -> None:
    if control.source == "legacy":
        return
    if control.source == "bookmark":  # text in a field's hidden bookmark, no control around it
        report(
            f"bookmark:{part}:{control.anchor}",
            f"the text '{_short(str(control.value))}' in {part} sits in the "
            f"hidden bookmark of the field '{control.anchor}' without its content control "
            "(Word's Remove Content Control keeps the text and the bookmark): collect would "
            "take that text for an answer to it on every returned form.",
            "In Word: Insert > Bookmark, tick Hidden bookmarks, select the bookmark named "
            f"after '{control.anchor}' (_mdf_...) and Delete it.",
        )
        return
    if not control.tag and not control.alias:
        # Named by the text before it (the template's label), not by what it holds: a
        # prefilled value differs from pair to pair and is the pair's data.
        label = _short(control.before) if control.before else ""
        shown = _short(str(control.value).strip() or "(empty)")
        prompt = shown if control.placeholder or not label else ""
        where = (f"after '{label}' " if label else "") + (
            f"(it shows '{prompt}') " if prompt else ""
        )
        report(
            f"untagged:{part}:{counts.get(_UNNAMED, 0)}",  # the how-manyth without a name
            f"a content control in {part} {where}has no tag.",
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
    if not control.anchor:
        report(
            field_id,
            f"the field '{field_id}' in {part} has no hidden bookmark of its own (the shipped "
            "fields have one): LibreOffice 7.4 drops the tags of the forms it saves, and the "
            "bookmark is what then tells collect which question an answer answers. In a form "
            "a pair saved with it, this answer may go to the Review sheet for you to file.",
            "Nothing to do if your pairs use Word or LibreOffice 25; Word cannot add such a "
            "bookmark.",
            severity="warning",
        )
    elif control.anchor != field_id:
        report(
            field_id,
            f"the content control '{field_id}' in {part} sits in the hidden bookmark of the "
            f"field '{control.anchor}' (it was renamed, or copied from that one), so collect "
            "could not prove which question its answers answer: each would go to the Review "
            "sheet.",
            "In Word: Insert > Bookmark, tick Hidden bookmarks, select the bookmark named "
            f"after '{control.anchor}' (_mdf_...) and Delete it; or give the control back "
            f"its id '{control.anchor}'.",
        )
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
