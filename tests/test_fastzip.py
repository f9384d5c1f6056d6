"""The fast packer writes what zipfile writes: same members, order, contents and time stamps."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import TEMPLATES

from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.packaging import StaticParts, pack_plain
from mentordocs.generate.render import CompiledTemplate


def members(data: bytes) -> list[tuple[str, tuple[int, ...], int, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None  # every CRC checks out
        return [
            (info.filename, info.date_time, info.external_attr, package.read(info))
            for info in package.infolist()
        ]


def both(parts: list[tuple[str, bytes]], rendered: list[tuple[str, bytes]]) -> None:
    fast = StaticParts(parts).pack(rendered)
    plain = pack_plain([*parts, *rendered])
    assert members(fast) == members(plain)


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.name)
def test_every_shipped_form_packs_the_same_both_ways(template: Path) -> None:
    compiled = CompiledTemplate.load(template)
    roster = sample_roster()
    for pair in roster.pairs[:3]:
        data = compiled.render(build_context(roster, pair), {"mentordocs.pair_id": pair.pair_id})
        names = [name for name, *_ in members(data)]
        static = [(name, body) for name, _, _, body in members(data)][: len(names) - 3]
        rendered = [(name, body) for name, _, _, body in members(data)][len(names) - 3 :]
        both(static, rendered)


def test_every_real_docx_packs_the_same_both_ways(real_docx: Path) -> None:
    for path in sorted(real_docx.glob("*.docx")):
        with zipfile.ZipFile(path) as package:
            parts = [(i.filename, package.read(i)) for i in package.infolist() if not i.is_dir()]
        both(parts[:-1], parts[-1:])


def test_names_empty_parts_and_large_parts() -> None:
    both(
        [("[Content_Types].xml", b"<Types/>"), ("word/média/é.bin", b""), ("empty", b"")],
        [("big.xml", b"<a>" + b"x" * 300_000 + b"</a>"), ("random.bin", bytes(range(256)) * 50)],
    )
