"""Returns made from an earlier version of a template.

A coordinator may edit a template mid-year (and raise its declared ``version``, as
docs/forms.md asks): forms sent before the change carry the older version
(their template-version property, ``ooxml.ns.PROP_VERSION``, e.g. ``1.0+3fa9c2d1``), and their fields are the older
template's. ``generate``
keeps each version's declaration in the packets folder (``records.save_declaration``); a
return is matched against the declaration of the version it was made from, and an answer to a
question today's form no longer asks goes to the Review sheet instead of being dropped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mentordocs.collect.matching import Matched, Reference, Unproven
from mentordocs.forms import FormSpec, FormSpecError, template_version_now
from mentordocs.ooxml.fields import Field
from mentordocs.records import saved_declaration

__all__ = ["FormVersions"]


class FormVersions:
    """The declarations returns are read against: today's, or the one they were made from."""

    def __init__(
        self, specs: Mapping[str, FormSpec], packets_dir: str | os.PathLike[str] | None
    ) -> None:
        self.packets = Path(packets_dir) if packets_dir is not None else None
        self.current = {form: template_version_now(spec) for form, spec in specs.items()}
        self._saved: dict[tuple[str, str], FormSpec | None] = {}

    def spec_for(self, spec: FormSpec, version: str) -> tuple[FormSpec, str]:
        """The declaration a return made from template ``version`` is read against, and a
        note for the coordinator when it could not be found (today's is used then)."""
        if not version or version == self.current.get(spec.form):
            return spec, ""
        saved = self._saved_declaration(spec.form, version)
        if saved is not None:  # what the form was made from, exactly (kept by generate)
            return saved, ""
        if version.partition("+")[0] == spec.version:
            return spec, ""  # the same declared version: the template changed, its fields not
        where = f"in {self.packets}" if self.packets is not None else "(give --packets)"
        return spec, (
            f"was made from version {version} of the {spec.title} template, whose fields were "
            f"not found {where}; it was read against today's version, and answers to questions "
            "that version does not have are on the Review sheet."
        )

    def _saved_declaration(self, form: str, version: str) -> FormSpec | None:
        if self.packets is None:
            return None
        key = (form, version)
        if key not in self._saved:
            try:
                self._saved[key] = saved_declaration(self.packets, form, version)
            except FormSpecError:
                self._saved[key] = None
        return self._saved[key]

    @staticmethod
    def today(
        matched: Matched, sent: FormSpec, spec: FormSpec, reference: Reference | None = None
    ) -> Matched:
        """``matched`` (against the declaration the form was made from) for today's form:
        answers to questions today's form does not ask go to review. One still as the pair's
        own copy was sent (``reference``: a drop-down left at the choice it started at) is
        not an answer, and is not shown."""
        if sent is spec:
            return matched
        values: dict[str, str | bool] = {}
        unproven = list(matched.unproven)
        as_sent = reference.sent if reference is not None else {}
        for field_id, value in matched.values.items():
            if spec.match(field_id) is not None:
                values[field_id] = value
            elif value not in ("", False) and as_sent.get(field_id) != value:
                field = Field(field_id, sent.field(field_id).kind, value, source="tag")
                unproven.append(
                    Unproven(
                        field,
                        field_id,
                        "the form was made from an earlier version of the template; today's "
                        "version does not ask this question",
                        retired=True,
                    )
                )
        return Matched(values, unproven)
