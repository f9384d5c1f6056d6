"""The forms as LibreOffice 7.4 and 25.2 print them: every prompt grey, a long email address on
one line, the program's paper size.

Each form is converted to PDF by LibreOffice; pypdf reads the text and the colour it is
painted in (the ``rg`` operator before it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from mentordocs.forms import load_form_specs
from mentordocs.generate.context import build_context, sample_roster
from mentordocs.generate.office import convert
from mentordocs.generate.render import CompiledTemplate
from mentordocs.ooxml.fields import read_fields
from mentordocs.ooxml.xml import parse_xml

GREY = (0.451, 0.451, 0.451)  # the Placeholder Text style's colour, 737373
LONG_EMAIL = "konstantina.papadopoulou-nikolaidou@example.org"


def blank_forms(folder: Path) -> list[Path]:
    """The four forms of a pair whose plan type has every section (Mutual growth + Coaching),
    on US Letter, its mentee with a long email address."""
    roster = sample_roster()
    roster.program.paper_size = "Letter"
    pair = next(p for p in roster.pairs if p.plan_type == "Mutual growth + Coaching")
    pair.mentee.email = LONG_EMAIL
    context = build_context(roster, pair)
    folder.mkdir(parents=True)
    paths = []
    for form, spec in load_form_specs().items():
        template = CompiledTemplate.load(spec.template_path, version=spec.version)
        path = folder / f"{pair.pair_id}_{form}.docx"
        path.write_bytes(template.render(context, {}, validate=True))
        paths.append(path)
    return paths


def prompts(path: Path) -> list[str]:
    """The prompt every field still showing one shows."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        root = parse_xml(package.read("word/document.xml"))
    return [
        str(f.value)
        for f in read_fields(root, placeholder_text=True)
        if f.placeholder and f.kind != "checkbox"
    ]


class _Painter:
    """Collects each piece of text of a page with the fill colour set before it."""

    def __init__(self) -> None:
        self.colour: tuple[float, ...] = (0.0, 0.0, 0.0)
        self.pieces: list[tuple[tuple[float, ...], str]] = []

    def before(self, op: bytes, args: list, cm: object, tm: object) -> None:
        if op == b"rg":
            self.colour = tuple(round(float(a), 3) for a in args)
        elif op == b"g":
            self.colour = (round(float(args[0]), 3),) * 3

    def text(self, value: str, cm: object, tm: object, font: object, size: object) -> None:
        if value.strip():
            self.pieces.append((self.colour, value))


def painted(pdf: Path) -> list[tuple[tuple[float, ...], str]]:
    """Every piece of text of the PDF with the fill colour it is painted in."""
    painter = _Painter()
    for page in PdfReader(pdf).pages:
        painter.colour = (0.0, 0.0, 0.0)
        page.extract_text(visitor_operand_before=painter.before, visitor_text=painter.text)
    return painter.pieces


def squeezed(text: str) -> str:
    return "".join(text.split())


def check_printed(soffice: str, tmp_path: Path) -> None:
    forms = blank_forms(tmp_path / "forms")
    pdfs = convert(forms, "pdf", tmp_path / "pdf", soffice=soffice)
    for form, pdf in zip(forms, pdfs, strict=True):
        reader = PdfReader(pdf)
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792), pdf.name
        pieces = painted(pdf)
        grey = squeezed(" ".join(text for colour, text in pieces if colour == GREY))
        shown = prompts(form)
        assert len(shown) >= 5, form.name
        black = [p for p in dict.fromkeys(shown) if squeezed(p) not in grey]
        assert black == [], f"{pdf.name}: prompts not printed grey: {black}"
    plan = next(p for p in pdfs if "action-plan" in p.name)
    lines = "\n".join(page.extract_text() for page in PdfReader(plan).pages).splitlines()
    assert any(LONG_EMAIL in line for line in lines), "the email address broke across lines"


@pytest.mark.soffice
def test_libreoffice_74_prints_every_prompt_grey_and_emails_whole(soffice_74, tmp_path):
    check_printed(soffice_74, tmp_path)


def test_libreoffice_25_prints_every_prompt_grey_and_emails_whole(soffice_25, tmp_path):
    check_printed(soffice_25, tmp_path)


@pytest.mark.soffice
def test_the_shipped_templates_themselves_open_in_libreoffice(soffice, tmp_path):
    # A coordinator edits a copy of a template ("templates copy"): the file itself, tags and
    # all, must open. (A tag in the page size made LibreOffice refuse it: the page size is
    # rendered by generate instead; see render._page_from_context.)
    templates = [spec.template_path for spec in load_form_specs().values()]
    pdfs = convert(templates, "pdf", tmp_path / "pdf", soffice=soffice)
    assert [p.stem for p in pdfs] == [t.stem for t in templates]
    assert all(len(PdfReader(p).pages) >= 1 for p in pdfs)
