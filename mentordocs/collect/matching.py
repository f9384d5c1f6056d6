"""Which pair and form a return is, and which declared field each of its answers belongs to.

A form of ours says who it is in its custom properties; a file that lost them (re-typed into a
new document, say) may still say it in its name ("P03 goal sheet FINAL (2).docx"). Its
controls say which field they are by their tag, else their alias. Controls whose names were
removed by another program are placed by comparing with a clean copy of the same form for the
same pair (the reference): the generated file from the packets folder, else one rendered now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mentordocs.errors import MentordocsError
from mentordocs.forms import FormSpec, Value, is_filled
from mentordocs.generate.context import build_context
from mentordocs.generate.render import CompiledTemplate
from mentordocs.models import Roster
from mentordocs.ooxml.fields import Field, read_fields
from mentordocs.ooxml.package import PackageError, WordPackage

__all__ = ["Reference", "References", "identify_from_name", "match_fields"]


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def identify_from_name(
    file_name: str, pair_ids: Iterable[str], specs: Mapping[str, FormSpec]
) -> tuple[str | None, str | None]:
    """Pair id and form id found in a file name (robust to "Copy of ... (2) FINAL")."""
    base = Path(file_name.split(" > ")[-1]).stem
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
    """A clean copy of the same form for the same pair: field order, kinds, placeholders."""

    order: list[tuple[str, str]]  # (field id, kind) in document order
    placeholders: dict[str, str]  # field id -> placeholder text shown when not filled in

    @classmethod
    def from_bytes(cls, data: bytes) -> Reference:
        """The reference held by a generated .docx. Raises PackageError."""
        with WordPackage(data) as package:
            layout = package.layout()
            fields: list[Field] = []
            for part in (layout.main, *layout.stories):
                fields.extend(read_fields(package.parse(part), unnamed=True, placeholder_text=True))
        order = [(f.id, f.kind) for f in fields if f.id]
        placeholders = {f.id: f.value for f in fields if f.placeholder and isinstance(f.value, str)}
        return cls(order, placeholders)


class References:
    """References by (pair, form), made once each: from the packets folder, else rendered."""

    def __init__(self, roster: Roster, generated: Mapping[tuple[str, str], Path]):
        self.roster = roster
        self.generated = generated
        self._made: dict[tuple[str, str], Reference | None] = {}
        self._templates: dict[str, CompiledTemplate] = {}

    def get(self, pair_id: str, spec: FormSpec) -> Reference | None:
        key = (pair_id, spec.form)
        if key not in self._made:
            self._made[key] = self._from_packets(key) or self._rendered(pair_id, spec)
        return self._made[key]

    def _from_packets(self, key: tuple[str, str]) -> Reference | None:
        path = self.generated.get(key)
        if path is None or not path.is_file():
            return None
        try:
            return Reference.from_bytes(path.read_bytes())
        except (OSError, PackageError):
            return None

    def _rendered(self, pair_id: str, spec: FormSpec) -> Reference | None:
        try:
            template = self._templates.get(spec.form)
            if template is None:
                template = self._templates[spec.form] = CompiledTemplate.load(spec.template_path)
            context = build_context(self.roster, self.roster.pair(pair_id))
            return Reference.from_bytes(template.render(context))
        except (MentordocsError, KeyError, OSError):
            return None


def match_fields(
    fields: Sequence[Field], spec: FormSpec, reference: Reference | None
) -> tuple[dict[str, Value], int]:
    """Field id -> value for a returned form, and how many controls could not be placed.

    By tag, then alias; a control whose tag and alias are gone (a drop-down re-saved by
    LibreOffice) is placed by its position between the named controls around it, compared
    with the reference copy, when its kind agrees.
    """
    ours = [f for f in fields if f.source != "legacy"]
    unnamed = [i for i, f in enumerate(ours) if not f.id]
    unplaced = len(unnamed)
    if unnamed and reference is not None:
        named = [(i, f.id) for i, f in enumerate(ours) if f.id and spec.match(f.id) is not None]
        assigned = _place_unnamed(ours, unnamed, named, reference)
        for index, field_id in assigned.items():
            ours[index] = ours[index]._replace(id=field_id, source="position")
        unplaced -= len(assigned)
    placeholders = reference.placeholders if reference is not None else {}
    values: dict[str, Value] = {}
    for item in ours:
        if not item.id or spec.match(item.id) is None:
            continue
        value = item.value
        if isinstance(value, str) and placeholders.get(item.id) == value:
            value = ""  # LibreOffice dropped the "showing placeholder" marker
        if item.id in values and (is_filled(values[item.id]) or not is_filled(value)):
            # A repeated copy of a field: keep the first filled one. LibreOffice splits a
            # plain-text control holding right-to-left text into several controls with the
            # same alias; the first holds the whole value, the others fragments.
            continue
        values[item.id] = value
    return values, unplaced


def _place_unnamed(
    ours: list[Field],
    unnamed: list[int],
    named_positions: list[tuple[int, str]],
    reference: Reference,
) -> dict[int, str]:
    """Assign unnamed controls to reference ids between the same named neighbours."""
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
        gap = [i for i in unnamed if pos_a < i < pos_b]
        candidates = [
            (fid, kind) for fid, kind in reference.order[ref_a + 1 : ref_b] if fid not in named_ids
        ]
        cursor = 0
        for index in gap:
            while cursor < len(candidates) and candidates[cursor][1] != ours[index].kind:
                cursor += 1
            if cursor >= len(candidates):
                break
            assigned[index] = candidates[cursor][0]
            cursor += 1
    return assigned
