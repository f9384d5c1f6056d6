"""Which pair and form a return is, and which declared field each of its answers belongs to.

A form of ours says who it is in its custom properties; a file that lost them (re-typed into a
new document, say) may still say it in its name ("P03 goal sheet FINAL (2).docx"). Its
controls say which field they are by their tag, else their alias. Controls whose names were
removed by another program are placed by comparing with a clean copy of the same form for the
same pair (the reference): the generated file from the packets folder, else one rendered now.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mentordocs.errors import MentordocsError
from mentordocs.forms import FormSpec, Value, is_filled, template_version
from mentordocs.generate.context import build_context
from mentordocs.generate.render import CompiledTemplate
from mentordocs.models import Roster
from mentordocs.ooxml.fields import Field, read_fields, text_beside_fields
from mentordocs.ooxml.ns import PROP_VERSION
from mentordocs.ooxml.package import PackageError, WordPackage

__all__ = ["Matched", "Reference", "References", "Unproven", "identify_from_name", "match_fields"]


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def identify_from_name(
    file_name: str, pair_ids: Iterable[str], specs: Mapping[str, FormSpec]
) -> tuple[str | None, str | None]:
    """Pair id and form id found in a file name (robust to "Copy of ... (2) FINAL")."""
    base = unicodedata.normalize("NFC", Path(file_name.split(" > ")[-1]).stem)  # as the roster's
    words = _words(base)
    pairs = [p for p in pair_ids if _words(p).strip() and _words(p) in words]
    pairs.sort(key=len, reverse=True)  # the longest pair id wins ("P10" over "P1")
    pair = pairs[0] if pairs else None
    if len(pairs) > 1 and _words(pairs[1]) not in _words(pairs[0]):
        pair = None
    forms = [
        form for form, spec in specs.items() if _words(form) in words or _words(spec.title) in words
    ]
    return pair, (forms[0] if len(forms) == 1 else None)


@dataclass
class Reference:
    """A clean copy of the same form for the same pair: its fields in order, their kinds,
    placeholders, the values it was sent with (a prefilled text, a drop-down's first choice)
    and the text shown before each (their labels)."""

    order: list[tuple[str, str]]  # (field id, kind) in document order
    placeholders: dict[str, str]  # field id -> placeholder text shown when not filled in
    before: dict[str, str] = field(default_factory=dict)  # field id -> text shown before it
    sent: dict[str, Value] = field(default_factory=dict)  # field id -> value it was sent with
    # field id -> the text its paragraph shows outside the fields in it ('' for none)
    beside: dict[str, str] = field(default_factory=dict)
    version: str = ""  # the version of the template it was made from
    as_sent: bool = False  # the pair's copy from the packets folder (else rendered now)

    @classmethod
    def from_bytes(cls, data: bytes) -> Reference:
        """The reference held by a generated .docx. Raises PackageError."""
        with WordPackage(data) as package:
            layout = package.layout()
            fields: list[Field] = []
            beside: dict[str, str] = {}
            for part in (layout.main, *layout.stories):
                root = package.parse(part)
                fields.extend(read_fields(root, unnamed=True, placeholder_text=True, before="all"))
                for entry in text_beside_fields(root, blank=True):
                    beside.update(dict.fromkeys(entry.names, entry.text))
            version = package.custom_properties(layout.custom).get(PROP_VERSION, "")
        named = [f for f in fields if f.id]
        return cls(
            order=[(f.id, f.kind) for f in named],
            placeholders={
                f.id: f.value for f in named if f.placeholder and isinstance(f.value, str)
            },
            before={f.id: f.before for f in named if f.before},
            sent={f.id: f.value for f in named if not f.placeholder and is_filled(f.value)},
            beside=beside,
            version=version,
        )

    @property
    def ids(self) -> set[str]:
        return {field_id for field_id, _ in self.order}


class References:
    """References by (pair, form), made once each: from the packets folder, else rendered."""

    def __init__(
        self,
        roster: Roster,
        generated: Mapping[tuple[str, str], Path],
        sent: Mapping[tuple[str, str], str] | None = None,
    ):
        self.roster = roster
        self.generated = generated
        self.sent = sent or {}  # (pair, form) -> checksum of the copy last sent (send log)
        self._made: dict[tuple[str, str], Reference | None] = {}
        self._fresh: dict[tuple[str, str], Reference | None] = {}
        self._templates: dict[str, CompiledTemplate] = {}
        self._fixed: dict[str, frozenset[str]] = {}

    def get(self, pair_id: str, spec: FormSpec) -> Reference | None:
        key = (pair_id, spec.form)
        if key not in self._made:
            self._made[key] = self._from_packets(key) or self._rendered(pair_id, spec)
        return self._made[key]

    def fixed_beside(self, spec: FormSpec) -> frozenset[str]:
        """The fields whose line, in ``spec``'s template, shows text beside the boxes that is
        the template's own, never the roster's (a check box's label): a copy rendered now
        shows it as the pair's form did."""
        if spec.form not in self._fixed:
            fixed: set[str] = set()
            try:
                with WordPackage(spec.template_path.read_bytes()) as package:
                    layout = package.layout()
                    for part in (layout.main, *layout.stories):
                        for entry in text_beside_fields(package.parse(part), blank=True):
                            if entry.text and "{" not in entry.text:
                                fixed.update(entry.names)
            except (OSError, PackageError):
                pass  # nothing known to be fixed: only lines holding nothing but boxes count
            self._fixed[spec.form] = frozenset(fixed)
        return self._fixed[spec.form]

    def rendered(self, pair_id: str, spec: FormSpec) -> Reference | None:
        """The pair's copy made now from the roster and today's template, never read from the
        packets folder (where the file may have been saved over)."""
        key = (pair_id, spec.form)
        if key not in self._fresh:
            self._fresh[key] = self._rendered(pair_id, spec)
        return self._fresh[key]

    def sent_copy(self, pair_id: str, spec: FormSpec) -> Reference | None:
        """The pair's copy as generated (from the packets folder), or None: never rendered
        now, since today's template may not be the one it was made from."""
        key = (pair_id, spec.form)
        if key in self._made:
            return self._made[key]
        found = self._from_packets(key)
        if found is not None:
            self._made[key] = found
        return found

    def _from_packets(self, key: tuple[str, str]) -> Reference | None:
        path = self.generated.get(key)
        if path is None or not path.is_file():
            return None
        try:
            data = path.read_bytes()
            made = Reference.from_bytes(data)
        except (OSError, PackageError):
            return None
        # Generated again since it was sent (the roster changed, say): not the pair's copy.
        sent = self.sent.get(key)
        made.as_sent = sent is None or sent == hashlib.sha256(data).hexdigest()
        return made

    def _rendered(self, pair_id: str, spec: FormSpec) -> Reference | None:
        try:
            template = self._templates.get(spec.form)
            if template is None:
                template = self._templates[spec.form] = CompiledTemplate.load(spec.template_path)
            context = build_context(self.roster, self.roster.pair(pair_id))
            made = Reference.from_bytes(template.render(context))
            made.version = template_version(spec.version, template.sha256)
            return made
        except (MentordocsError, KeyError, OSError):
            return None


@dataclass(frozen=True)
class Unproven:
    """An answer whose field could not be proven: shown for review, never put in a column."""

    field: Field
    suggestion: str  # the field its place suggests (a hint, not a proof), or ""
    why: str
    named: bool = False  # the suggestion is the field's own name (a second copy of a field)
    undeclared: str = ""  # the field's one name, which the form does not declare
    retired: bool = False  # a question of the template version it was made from, not today's


@dataclass
class Matched:
    values: dict[str, Value]
    unproven: list[Unproven]


_NAME_REMOVED = (
    "its field name was removed (usually by saving the form in another program), so which "
    "question it answers cannot be proven"
)


def match_fields(
    fields: Sequence[Field],
    spec: FormSpec,
    reference: Reference | None,
    *,
    made_with: str | None = None,
) -> Matched:
    """Which declared field each answer belongs to, where that is proven.

    Proof is a name the field carries (its tag, its title, a bookmark named after it) that the
    form declares for a field of that kind (and, with a reference copy, that the pair's own
    form has), or, for a field whose names are gone, the form's own label just before it,
    when exactly one field of the pair's form has that label. Anything else is ``unproven``:
    a hint of the field its place suggests, never a value in a column.

    ``made_with``: the template version the fields' form was made from, when known. A box
    LibreOffice 7.4 left marked as showing its prompt is told from an answer against the
    reference's prompts only when the reference was made from that version; else what it
    shows (other than the reference's prompt) is for review.
    """
    values: dict[str, Value] = {}
    unproven: list[Unproven] = []
    ours = [f for f in fields if f.source != "legacy"]
    unnamed: list[int] = []
    for index, item in enumerate(ours):
        field_id, problem = _proven_id(item, spec, reference)
        if field_id:
            value = _blank_placeholder(item, field_id, reference)
            if _prompt_unknown(item, field_id, value, reference, made_with):
                unproven.append(Unproven(item, field_id, _OTHER_PROMPTS, True))
            elif _another_answer(values, field_id, value):
                unproven.append(Unproven(item, field_id, _SECOND_COPY.format(field_id), True))
            else:
                _keep(values, field_id, value)
        elif problem:
            unproven.append(Unproven(item, "", problem, undeclared=_undeclared(item, spec)))
        else:
            unnamed.append(index)
    if unnamed:
        unproven += _by_label_or_review(ours, unnamed, values, spec, reference)
    return Matched(values, [u for u in unproven if _written(u.field, reference)])


def _proven_id(item: Field, spec: FormSpec, reference: Reference | None) -> tuple[str, str]:
    """(field id, "") when its names prove it, ("", why) when they contradict each other or
    the form, ("", "") when it has no name."""
    names = [n for n in dict.fromkeys((item.tag, item.alias, item.anchor)) if n]
    if not names:
        return "", ""
    if len(names) > 1:
        return "", f"its names disagree ({', '.join(repr(n) for n in names)})"
    name = names[0]
    declared = spec.match(name)
    if declared is None:
        return "", f"its name ('{name}') is not a field of {spec.title}"
    if declared.kind != item.kind:
        return "", (
            f"it is named '{name}', which the form declares as a {declared.kind} field, "
            f"but it is a {item.kind} field here"
        )
    if reference is not None and name not in reference.ids:
        return "", f"it is named '{name}', but the pair's own form has no such field"
    return name, ""


def _undeclared(item: Field, spec: FormSpec) -> str:
    """The field's name when it has one (its tag, title and bookmark agree) that ``spec``
    does not declare: a question of a coordinator's own template, collected without it."""
    names = {n for n in (item.tag, item.alias, item.anchor) if n}
    name = names.pop() if len(names) == 1 else ""
    return name if name and spec.match(name) is None else ""


def _by_label_or_review(
    ours: list[Field],
    unnamed: list[int],
    values: dict[str, Value],
    spec: FormSpec,
    reference: Reference | None,
) -> list[Unproven]:
    """Nameless fields: proven by their label where it is unique in the pair's form, else
    for review, with the field their place suggests."""
    out: list[Unproven] = []
    by_label: dict[str, list[str]] = {}
    if reference is not None:
        for field_id, text in reference.before.items():
            by_label.setdefault(text, []).append(field_id)
    hints = _place_unnamed(ours, unnamed, reference) if reference is not None else {}
    kinds = dict(reference.order) if reference is not None else {}
    for index in unnamed:
        item = ours[index]
        labelled = by_label.get(item.before, []) if item.before else []
        candidates = [
            fid
            for fid in labelled
            if fid not in values and kinds.get(fid) == item.kind and spec.match(fid) is not None
        ]
        if len(candidates) == 1:
            _keep(values, candidates[0], _blank_placeholder(item, candidates[0], reference))
        else:
            out.append(Unproven(item, hints.get(index, ""), _NAME_REMOVED))
    return out


def _keep(values: dict[str, Value], field_id: str, value: Value) -> None:
    """A repeated copy of a field keeps the first filled value. LibreOffice splits a
    plain-text control holding right-to-left text into several controls with the same
    name; the first holds the whole value, the others fragments."""
    if field_id in values and (is_filled(values[field_id]) or not is_filled(value)):
        return
    values[field_id] = value


_SECOND_COPY = (
    "it is a second copy of the field '{}' (a row or box copied in Word?) holding another "
    "answer; the first copy's answer is in the column"
)


# Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _another_answer(values: dict[str, Value], field_id: str, value: Value) -> bool:
    """Whether a repeated copy of a field holds an answer of its own: filled, and neither the
    answer already kept nor a piece of it. LibreOffice 7.4 splits a control holding
    right-to-left text into pieces that repeat part of the whole; any other copy that differs
    is an answer of its own."""
    if field_id not in values or not is_filled(value) or not is_filled(values[field_id]):
        return False
    kept = values[field_id]
    if isinstance(value, str) and isinstance(kept, str) and value in kept:
        return value != kept and not _RIGHT_TO_LEFT.search(value)
    return value != kept


def _blank_placeholder(item: Field, field_id: str, reference: Reference | None) -> Value:
    "A field's value, or '' when it shows its prompt (``_shows_prompt``)."
    return "" if _shows_prompt(item, field_id, reference) else item.value


def _shows_prompt(item: Field, field_id: str, reference: Reference | None) -> bool:
    """Whether a text, date or drop-down field still shows its prompt (the placeholder text),
    whatever its "showing placeholder" mark says.

    The mark is trusted on a control that kept its tag: Word, Google Docs and LibreOffice
    25.2 clear it as soon as something is typed. LibreOffice 7.4 drops tags and keeps the mark
    on a box typed into, and 25.2 drops the mark when it saves: there the text tells, against
    the pair's own form (the prompt of ``field_id``; any of its prompts for a field not
    proven, ``field_id`` ''). Without that form, a marked field is taken for its prompt.
    """
    value = item.value
    if not isinstance(value, str):
        return False
    if not value.strip() or (item.placeholder and (item.tag or reference is None)):
        return True
    if reference is None:
        return False
    if field_id:
        return reference.placeholders.get(field_id) == value
    return value in reference.placeholders.values()


_OTHER_PROMPTS = (
    "LibreOffice 7.4 leaves a box typed into marked as showing its prompt, and the pair's copy "
    "at hand does not show the prompt this form was sent with (another version of the "
    "template, or the roster has changed since), so whether this is an answer or that prompt "
    "cannot be told"
)


def _prompt_unknown(
    item: Field,
    field_id: str,
    value: Value,
    reference: Reference | None,
    made_with: str | None,
) -> bool:
    """Whether ``value`` of a box still marked as showing its prompt, not the reference's
    prompt, may be the prompt the form was sent with: the reference is of another template
    version, or rendered now from a roster that fills that box in (see ``match_fields``'
    ``made_with``)."""
    if made_with is None or not item.placeholder or not is_filled(value) or reference is None:
        return False
    if reference.version != made_with:
        return True
    return not reference.as_sent and field_id not in reference.placeholders


def _written(item: Field, reference: Reference | None) -> bool:
    """Whether an unproven field holds anything a person wrote (blank ones lose nothing)."""
    return is_filled(item.value) and not _shows_prompt(item, "", reference)


def all_for_review(fields: Sequence[Field], reference: Reference | None, why: str) -> Matched:
    """Every field that holds something a person wrote, for review, none in a column (a
    damaged return: its field's name is only a hint); those still showing a prompt of the
    pair's form (``reference``) are left out."""
    return Matched(
        {},
        [
            Unproven(item, item.tag or item.alias or item.anchor, why)
            for item in fields
            if item.source != "legacy" and _written(item, reference)
        ],
    )


def _place_unnamed(
    ours: list[Field], unnamed: list[int], reference: Reference | None
) -> dict[int, str]:
    """The reference field each nameless field's place (between named neighbours, same kind)
    suggests. A hint for the coordinator only."""
    if reference is None:
        return {}
    named_positions = [
        (i, f.tag or f.alias or f.anchor) for i, f in enumerate(ours) if i not in unnamed
    ]
    ref_index = {fid: i for i, (fid, _) in enumerate(reference.order)}
    named_ids = {fid for _, fid in named_positions}
    anchors = [(-1, -1)] + [
        (pos, ref_index[fid]) for pos, fid in named_positions if fid in ref_index
    ]
    anchors.append((len(ours), len(reference.order)))
    clean = [anchors[0]]  # anchors increasing in both sequences (drop any that cross)
    for pos, ref in anchors[1:]:
        if ref > clean[-1][1] and pos > clean[-1][0]:
            clean.append((pos, ref))
    assigned: dict[int, str] = {}
    for (pos_a, ref_a), (pos_b, ref_b) in zip(clean, clean[1:], strict=False):
        candidates = [
            (fid, kind) for fid, kind in reference.order[ref_a + 1 : ref_b] if fid not in named_ids
        ]
        cursor = 0
        for index in (i for i in unnamed if pos_a < i < pos_b):
            while cursor < len(candidates) and candidates[cursor][1] != ours[index].kind:
                cursor += 1
            if cursor >= len(candidates):
                break
            assigned[index] = candidates[cursor][0]
            cursor += 1
    return assigned
