"""A .docx template compiled once and rendered fast: docxtpl's tags, Jinja's sandbox, no re-zipping.

``CompiledTemplate.load(path)`` reads a docxtpl template (any coordinator's: ``{{ x }}``,
``{%tr for %}``, ``{%p if %}``, ``{%tc %}``, ``{%r %}``, ``{{r rich }}``) once:

- every part that carries tags (the main document, headers, footers, foot/endnotes, the core
  properties) goes through docxtpl's own XML clean-up (``DocxTemplate.patch_xml``) and is compiled
  once in a ``jinja2.sandbox.SandboxedEnvironment`` with ``StrictUndefined`` and autoescaping;
- every other part (styles, numbering, media, theme, settings, ...) is compressed once into a zip
  "prefix" that each rendered document reuses byte for byte.

``render(context, properties)`` then runs the compiled templates and assembles the .docx from the
prefix, the rendered parts and ``docProps/custom.xml``. The long static stretches of each part
are deflated once and cached; only the values in between are new per document (deflate streams
can be joined at byte-aligned block boundaries), so rendering costs little more than Jinja's own
string building. The same input always gives byte-identical output (fixed zip timestamps).

Values go in verbatim: they are XML-escaped, never evaluated as templates, stripped of the
control characters XML cannot hold, and a line break becomes a Word line break (``<w:br/>``)
inside text, a tab a ``<w:tab/>``; ``None`` prints as nothing.

Not supported (they need docxtpl's document object): ``InlineImage``, ``Subdoc``, ``Listing``,
``replace_media``/``replace_pic``.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import marshal
import os
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from mentordocs.errors import TemplateError

__all__ = ["CompiledTemplate", "CUSTOM_PROPERTIES_PART"]

CUSTOM_PROPERTIES_PART = "docProps/custom.xml"

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_DOCUMENT_MAIN = _WML + "document.main+xml"
_TEMPLATE_MAIN = _WML + "template.main+xml"  # a .dotx: rendered as a plain document
_MACRO_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
# Parts that may carry template tags (the ones docxtpl renders, plus endnotes).
_TEMPLATED_TYPES = {
    _DOCUMENT_MAIN,
    _TEMPLATE_MAIN,
    _WML + "header+xml",
    _WML + "footer+xml",
    _WML + "footnotes+xml",
    _WML + "endnotes+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
}

# ---- values -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold (line-break-like ones are handled before this).
_INVALID_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_CLEANING = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_BR = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def _clean(value: Any) -> str | Markup:
    """A value as text (``None`` -> ""); objects with ``__html__`` (docxtpl RichText) pass raw."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return str(value)


def text_value(value: Any) -> Markup:
    """A value for the text of a run (inside ``<w:t>``): escaped, line breaks as ``<w:br/>``."""
    kind = type(value)
    if kind is str or kind is int:
        found = _TEXT_SEEN.get(value)
        if found is not None:
            return found
        return _remember(_TEXT_SEEN, value, _text_markup(str(value)))
    return _text_markup(_clean(value))


def plain_value(value: Any) -> Markup:
    """A value anywhere else (an attribute, a property): escaped, line breaks as ``&#10;``."""
    kind = type(value)
    if kind is str or kind is int:
        found = _PLAIN_SEEN.get(value)
        if found is not None:
            return found
        return _remember(_PLAIN_SEEN, value, _plain_markup(str(value)))
    return _plain_markup(_clean(value))


# The same strings and numbers come back again and again (a pair's names in each of its
# forms, the program's details in every pair's, goal numbers): each is escaped once. Keys are
# plain str and int only (never bool, which equals 1 but prints "True"). Bounded.
_TEXT_SEEN: dict[str | int, Markup] = {}
_PLAIN_SEEN: dict[str | int, Markup] = {}
_SEEN_LIMIT = 20_000  # entries, each at most _SEEN_LONGEST characters: a few MB at most
_SEEN_LONGEST = 200  # longer texts (a vision statement) are one pair's own: not worth keeping


def _remember(seen: dict[str | int, Markup], value: str | int, markup: Markup) -> Markup:
    if type(value) is str and len(value) > _SEEN_LONGEST:
        return markup
    if len(seen) >= _SEEN_LIMIT:
        seen.clear()
    seen[value] = markup
    return markup


def _text_markup(text: str | Markup) -> Markup:
    return _markup(text, _BR, _TAB)


def _plain_markup(text: str | Markup) -> Markup:
    return _markup(text, "&#10;", "&#9;")


def _markup(text: str | Markup, line_break: str, tab: str) -> Markup:
    """``text`` escaped, XML-illegal characters dropped, line breaks and tabs as given."""
    if isinstance(text, Markup):
        return text
    if not _NEEDS_CLEANING.search(text):
        return escape(text)
    text = _INVALID_XML.sub("", _LINE_BREAKS.sub("\n", text))
    return Markup(str(escape(text)).replace("\n", line_break).replace("\t", tab))


_VALUE_FILTERS = frozenset({"_md_text", "_md_plain"})
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, minus the second escape() around our own value filters.

    ``{{ x }}`` is compiled as ``{{ (x)|_md_text }}``; that filter already returns escaped
    Markup, so the ``escape(...)`` autoescaping wraps around it would only copy the string.
    """

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if (
            isinstance(node, nodes.Filter)
            and node.name in _VALUE_FILTERS
            and finalize.src is None
            and not frame.eval_ctx.volatile
        ):
            self.write("(")
            return
        super()._output_child_pre(node, frame, finalize)


class _Environment(SandboxedEnvironment):
    """The sandbox, with a quicker ``a.b`` for the plain dicts a context is made of."""

    code_generator_class = _CodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Same result as Jinja's attribute-then-item lookup: a plain dict has no attribute
        # outside dir(dict), so go straight to the item.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
            except TypeError:  # an unhashable attribute name cannot happen; be safe anyway
                pass
        return super().getattr(obj, attribute)


def _new_environment() -> SandboxedEnvironment:
    env = _Environment(
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        cache_size=0,
    )
    env.filters["_md_text"] = text_value
    env.filters["_md_plain"] = plain_value
    return env


# ---- turning a part's XML into Jinja source ---------------------------------------------------

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_ANY_TAG = re.compile(r"\{\{|\{%|\{#")
_RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_EXPRESSION = re.compile(r"\{\{([-+]?)(.*?)([-+]?)\}\}", re.DOTALL)
_WT_EVENT = re.compile(r"<w:t[ >]|</w:t>")
# docxtpl markers whose output must be re-checked as a whole (table grids, picture ids)
_NEEDS_TABLE_FIX = re.compile(r"\{%tc |\{%\s*(?:hm|colspan)\b|\{\{tc ")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")\d+(")')
# docxtpl lifts a statement tag ({% if %}, {%r if %}) out of its run and leaves the run's two
# halves behind, empty: one before the tag, one after. They show nothing, but every form would
# carry them (264 in the action plan, 7% of its body) and every reader would wade through them.
_EMPTY_RUN = '<w:r><w:t xml:space="preserve"></w:t></w:r>'
_EMPTY_RUN_BY_STATEMENT = re.compile(
    re.escape(_EMPTY_RUN) + r"(?=\{%)|(?<=%\})" + re.escape(_EMPTY_RUN)
)
_ESCAPED_BRACES = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))


def _mask_tags(source: str) -> str:
    """``source`` with every Jinja tag blanked out, same length (so positions still match)."""
    return _TAG.sub(lambda m: " " * len(m.group(0)), source)


def _wrap_expressions(source: str) -> str:
    """Send every ``{{ ... }}`` through the filter for where it stands (run text or elsewhere)."""
    raw_spans = [m.span() for m in _RAW_BLOCK.finditer(source)]
    mask = _mask_tags(source)
    events = [(m.start(), m.group(0) != "</w:t>") for m in _WT_EVENT.finditer(mask)]
    positions = [pos for pos, _ in events]

    def replace(m: re.Match[str]) -> str:
        start = m.start()
        if any(a <= start < b for a, b in raw_spans):
            return m.group(0)
        in_tag = mask.rfind("<", 0, start) > mask.rfind(">", 0, start)
        index = bisect.bisect_left(positions, start) - 1
        in_run_text = not in_tag and index >= 0 and events[index][1]
        expression = m.group(2).strip()
        if not expression:
            return m.group(0)  # let Jinja report the empty tag
        name = "_md_text" if in_run_text else "_md_plain"
        return "{{" + f"{m.group(1)} ({expression})|{name} {m.group(3)}" + "}}"

    return _EXPRESSION.sub(replace, source)


def _protect_escaped_braces(source: str) -> str:
    """docxtpl's ``{_{`` / ``}_}`` / ``{_%`` / ``%_}`` mean literal braces in the document."""
    for escaped, literal in _ESCAPED_BRACES:
        if escaped in source:
            source = source.replace(escaped, "{% raw %}" + literal + "{% endraw %}")
    return source


def _strip_xml(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def _find_tag(source: str, name: str) -> str:
    """The first Jinja tag in ``source`` that mentions ``name`` (as a whole word), or ''."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)")
    dotted = re.compile(r"\." + re.escape(name) + r"(?!\w)")
    for m in _TAG.finditer(source):
        tag = _strip_xml(m.group(0))
        if pattern.search(tag) or dotted.search(tag):
            return tag
    return ""


# ---- zip writing --------------------------------------------------------------------------------

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest a zip can say: fixed for every file
_DOS_TIME = 0
_EMPTY_FINAL_BLOCK = b"\x03\x00"  # a final, empty, fixed-Huffman deflate block
_STORED_LIMIT = 2048  # dynamic stretches up to this size are stored, longer ones deflated
_CHUNK_CACHE_LIMIT = 50_000  # static stretches kept deflated per template (a few hundred in use)


@dataclass(frozen=True)
class _Entry:
    name: bytes
    crc: int
    compressed: int
    size: int
    offset: int

    def central(self) -> bytes:
        flags = 0 if self.name.isascii() else 0x800
        return (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                zipfile.ZIP_DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                self.crc,
                self.compressed,
                self.size,
                len(self.name),
                0,
                0,
                0,
                0,
                0,
                self.offset,
            )
            + self.name
        )


def _local_header(name: bytes, crc: int, compressed: int, size: int) -> bytes:
    flags = 0 if name.isascii() else 0x800
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            flags,
            zipfile.ZIP_DEFLATED,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            compressed,
            size,
            len(name),
            0,
        )
        + name
    )


def _deflate(data: bytes, level: int = 9) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _deflate_segment(data: bytes, level: int = 9) -> bytes:
    """``data`` as non-final deflate blocks ending on a byte boundary (joinable with others)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


_STORED_HEADER = struct.Struct("<BHH").pack


def _stored_segment(data: bytes) -> bytes:
    """``data`` as non-final stored (uncompressed) deflate blocks."""
    size = len(data)
    if size <= 0xFFFF:
        return _STORED_HEADER(0, size, size ^ 0xFFFF) + data
    out = []
    for start in range(0, size, 0xFFFF):
        block = data[start : start + 0xFFFF]
        out.append(_STORED_HEADER(0, len(block), len(block) ^ 0xFFFF) + block)
    return b"".join(out)


class _ZipBuilder:
    """Builds a zip from raw or pre-deflated members, with fixed timestamps.

    ``prefix`` is members written already (``entries``); ``central`` their central directory
    records, when worked out before (they never change: the prefix starts the file).
    """

    def __init__(
        self, prefix: bytes = b"", entries: tuple[_Entry, ...] = (), central: bytes | None = None
    ):
        self.chunks: list[bytes] = [prefix] if prefix else []
        self.central = central if central is not None else _central(entries)
        self.count = len(entries)
        self.entries: list[_Entry] = []
        self.offset = len(prefix)

    def add_deflated(self, name: str, crc: int, size: int, data: Iterable[bytes]) -> None:
        data = b"".join(data)
        encoded = name.encode("utf-8")
        header = _local_header(encoded, crc, len(data), size)
        self.entries.append(_Entry(encoded, crc, len(data), size, self.offset))
        self.chunks.append(header)
        self.chunks.append(data)
        self.offset += len(header) + len(data)

    def add(self, name: str, data: bytes, level: int = 6) -> None:
        self.add_deflated(name, zlib.crc32(data), len(data), [_deflate(data, level)])

    def add_small(self, name: str, data: bytes) -> None:
        """A small member as one stored deflate block: a compressor costs more to set up than
        the few hundred bytes it would save."""
        size = len(data)
        if size > 0xFFFF:
            self.add(name, data)
            return
        block = struct.pack("<BHH", 1, size, size ^ 0xFFFF) + data  # final, stored
        self.add_deflated(name, zlib.crc32(data), size, [block])

    def finish(self) -> bytes:
        central = self.central + _central(self.entries)
        count = self.count + len(self.entries)
        end = struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            count,
            count,
            len(central),
            self.offset,
            0,
        )
        return b"".join([*self.chunks, central, end])


def _central(entries: Iterable[_Entry]) -> bytes:
    return b"".join(entry.central() for entry in entries)


# ---- the compiled template --------------------------------------------------------------------


@dataclass
class _Part:
    name: str  # zip member name
    source: str  # Jinja source after docxtpl's clean-up (for messages)
    template: Any  # jinja2.Template
    post_process: bool  # needs docxtpl's table / picture-id fixes on the whole output
    fix_docpr: bool
    code: bytes = b""  # the compiled template's Python code, marshalled (for worker processes)
    variables: frozenset[str] = frozenset()  # top-level variables used and not defined here


class CompiledTemplate:
    """One .docx template, compiled once, rendered to .docx bytes many times.

    ``name`` is the template's name in messages (default: the file name), ``version`` is
    ``"<version>+<first 8 hex of the file's sha256>"`` (just the hash when no version is given).
    """

    def __init__(self) -> None:  # use CompiledTemplate.load
        self.name = ""
        self.path = Path()
        self.version = ""
        self.sha256 = ""
        self._version_arg = ""
        self._env = _new_environment()
        self._parts: list[_Part] = []
        self._prefix = b""
        self._prefix_entries: tuple[_Entry, ...] = ()
        self._prefix_central = b""
        self._custom_part = CUSTOM_PROPERTIES_PART
        self._custom_kept: list[tuple[str, str]] = []  # (name, inner XML) of other properties
        self._chunks: dict[str, tuple[bytes, bytes]] = {}  # static XML -> (raw, deflated)

    def __repr__(self) -> str:
        return f"CompiledTemplate({str(self.path)!r}, version={self.version!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # A Jinja Template object cannot be pickled, but its Python code can be marshalled (as
        # Jinja's own bytecode cache does): a worker process gets the compiled template ready,
        # without reading the .docx or compiling it again.
        state = {
            "name": self.name,
            "path": str(self.path),
            "version": self.version,
            "sha256": self.sha256,
            "version_arg": self._version_arg,
            "parts": [
                (p.name, p.source, p.code, p.post_process, p.fix_docpr, p.variables)
                for p in self._parts
            ],
            "prefix": self._prefix,
            "prefix_entries": self._prefix_entries,
            "custom_part": self._custom_part,
            "custom_kept": self._custom_kept,
            "chunks": self._chunks,
            "python": sys.version,
        }
        return (_restore, (state,))

    # -- loading --------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        version: str = "",
    ) -> CompiledTemplate:
        """Read and compile the template at ``path``.

        Raises TemplateError naming the file (and, for a Jinja syntax error, the part and the
        offending tag) when it cannot be used.
        """
        self = cls()
        self.path = Path(path)
        self.name = name or self.path.name
        self._version_arg = version
        label = str(self.path)
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise TemplateError(f"Template {label} does not exist.") from None
        except IsADirectoryError:
            raise TemplateError(f"Template {label} is a folder, not a Word .docx file.") from None
        except OSError as exc:
            raise TemplateError(f"Cannot read template {label}: {exc.strerror or exc}.") from exc
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.version = f"{version}+{self.sha256[:8]}" if version else self.sha256[:8]
        members = _read_package(data, label)
        self._compile(members, label)
        return self

    def _compile(self, members: dict[str, bytes], label: str) -> None:
        content_types = _parse_xml(members["[Content_Types].xml"], label, "[Content_Types].xml")
        types = _part_content_types(content_types, members)
        if any(t in _MACRO_TYPES for t in types.values()):
            raise TemplateError(
                f"Template {label} is a macro-enabled Word file (.docm/.dotm). Open it in Word "
                "and use File > Save As > Word Document (.docx)."
            )
        if _DOCUMENT_MAIN not in types.values() and _TEMPLATE_MAIN not in types.values():
            raise TemplateError(
                f"Template {label} has no Word document inside. Open it in Word and save it "
                "again as a Word Document (.docx)."
            )
        rendered: dict[str, _Part] = {}
        for member, content_type in types.items():
            if content_type not in _TEMPLATED_TYPES:
                continue
            part = self._compile_part(member, members[member], label, content_type)
            if part is not None:
                rendered[member] = part

        # docProps/custom.xml: keep the template's other properties, ours are set per document.
        custom = [m for m, t in types.items() if t == _CUSTOM_CT]
        if custom:
            self._custom_part = custom[0]
            self._custom_kept = _read_custom_properties(members[custom[0]], label)
        content_types_xml, changed_ct = _ensure_content_types(content_types, self._custom_part)
        rels_xml = _ensure_root_relationship(members.get("_rels/.rels"), self._custom_part, label)

        builder = _ZipBuilder()
        for member, raw in _ordered(members):
            if member in rendered or member == self._custom_part:
                continue
            if member == "[Content_Types].xml" and changed_ct:
                raw = content_types_xml
            elif member == "_rels/.rels":
                raw = rels_xml
            builder.add(member, raw, level=9)
        if "_rels/.rels" not in members:
            builder.add("_rels/.rels", rels_xml, level=9)
        self._prefix = b"".join(builder.chunks)
        self._prefix_entries = tuple(builder.entries)
        self._prefix_central = _central(self._prefix_entries)
        self._parts = list(rendered.values())

    def _compile_part(self, member: str, raw: bytes, label: str, content_type: str) -> _Part | None:
        if b"{" not in raw:
            return None
        root = _parse_xml(raw, label, member)
        xml = etree.tostring(root, encoding="unicode")
        source = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]
        source = _EMPTY_RUN_BY_STATEMENT.sub("", source)
        if not _ANY_TAG.search(source):
            return None
        post_process = bool(_NEEDS_TABLE_FIX.search(_strip_xml(xml)))
        main = content_type in (_DOCUMENT_MAIN, _TEMPLATE_MAIN)
        fix_docpr = main and "<wp:docPr" in source and "{%" in source
        jinja_source = _wrap_expressions(_protect_escaped_braces(source))
        try:
            ast = self._env.parse(_XML_DECLARATION + jinja_source)
            variables = frozenset(meta.find_undeclared_variables(ast))
            code = self._env.compile(ast)
        except TemplateSyntaxError as exc:
            raise self._syntax_error(member, source, exc) from None
        except JinjaTemplateError as exc:  # pragma: no cover - other compile-time errors
            raise TemplateError(f"Template {label}, {member}: {exc}") from None
        template = self._env.template_class.from_code(self._env, code, _globals(self._env))
        return _Part(
            member, source, template, post_process, fix_docpr, marshal.dumps(code), variables
        )

    def _syntax_error(self, member: str, source: str, exc: TemplateSyntaxError) -> TemplateError:
        # Parse the unwrapped source with one paragraph a line to point at the paragraph.
        lined = re.sub(r"<w:p([ >])", r"\n<w:p\1", _protect_escaped_braces(source))
        message, line = exc.message or str(exc), None
        try:
            self._env.parse(lined)
        except TemplateSyntaxError as original:
            message, line = original.message or str(original), original.lineno
        where = ""
        if line is not None:
            lines = lined.splitlines()
            text = _strip_xml(lines[line - 1]) if 0 < line <= len(lines) else ""
            tags = [_strip_xml(t) for t in _TAG.findall(lines[line - 1])] if text else []
            if tags:
                where = f" at the tag {tags[-1]} in the paragraph '{_shorten(text)}'"
            elif text:
                where = f" in the paragraph '{_shorten(text)}'"
        return TemplateError(
            f"Template {self.path}: the tags in {member} are not valid{where}: {message}. "
            "Open the template in Word and correct that tag (every {% for %} / {% if %} needs "
            "its {% endfor %} / {% endif %}; tags are written {{ name }} or {% ... %})."
        )

    # -- using ----------------------------------------------------------------------------------

    def variables(self) -> set[str]:
        """The top-level variables the template uses and does not define itself."""
        return set().union(*(part.variables for part in self._parts))

    def tag_using(self, name: str) -> str:
        """The first tag (as written in the template) that mentions ``name``, or ''."""
        for part in self._parts:
            tag = _find_tag(part.source, name)
            if tag:
                return tag
        return ""

    @property
    def parts(self) -> list[str]:
        "Names of the parts (zip members) rendered for each document."
        return [part.name for part in self._parts]

    def render(
        self,
        context: Mapping[str, Any],
        properties: Mapping[str, str] | None = None,
        *,
        validate: bool = False,
    ) -> bytes:
        """The rendered .docx as bytes.

        ``properties`` become custom document properties (strings). With ``validate`` every
        rendered part is parsed back as XML first (slower; for checking a template once).
        Raises TemplateError naming the template and the tag for an undefined variable.
        """
        builder = _ZipBuilder(self._prefix, self._prefix_entries, self._prefix_central)
        for part in self._parts:
            try:
                if part.post_process or part.fix_docpr or validate:
                    text = self._post_process(part, "".join(part.template.generate(context)))
                    if validate:
                        self._validate(part, text)
                    data = text.encode("utf-8")
                    builder.add(part.name, data)
                else:
                    crc, size, pieces = self._render_streamed(part, context)
                    builder.add_deflated(part.name, crc, size, pieces)
            except UndefinedError as exc:
                raise self._undefined_error(part, exc, context) from None
            except SecurityError as exc:
                raise TemplateError(
                    f"Template {self.path}: a tag in {part.name} tries something templates may "
                    f"not do ({exc}). Remove that tag."
                ) from None
            except TemplateError:
                raise
            except Exception as exc:  # a tag that fails on this data, e.g. {{ name + 1 }}
                raise TemplateError(
                    f"Template {self.path}: a tag in {part.name} failed: "
                    f"{type(exc).__name__}: {exc}. Check the tags that use this value."
                ) from None
        builder.add_small(self._custom_part, self._custom_xml(properties or {}))
        return builder.finish()

    def _render_streamed(
        self, part: _Part, context: Mapping[str, Any]
    ) -> tuple[int, int, list[bytes]]:
        """Run the template, joining cached deflated static text with the new values.

        Plain ``str`` pieces are the template's own XML (values come out as Markup): each is
        encoded and deflated once, on first sight, and reused for every document after.
        """
        chunks = self._chunks
        get = chunks.get
        raws: list[bytes] = []
        out: list[bytes] = []
        keep_raw, keep = raws.append, out.append
        pending: list[str] = []
        wait, join, stored = pending.append, "".join, _STORED_HEADER
        template = part.template
        for piece in template.root_render_func(template.new_context(context)):
            cached = get(piece)
            if cached is None:
                if type(piece) is not str or len(chunks) >= _CHUNK_CACHE_LIMIT:
                    wait(piece)
                    continue
                raw = piece.encode("utf-8")
                cached = chunks[piece] = (raw, _deflate_segment(raw, 9))
            if pending:
                data = join(pending).encode("utf-8")
                pending.clear()
                keep_raw(data)
                size = len(data)
                # Short stretches as a stored block (always under the 65,535-byte limit).
                keep(
                    stored(0, size, size ^ 0xFFFF) + data
                    if size <= _STORED_LIMIT
                    else _deflate_segment(data, 6)
                )
            keep_raw(cached[0])
            keep(cached[1])
        if pending:
            data = join(pending).encode("utf-8")
            keep_raw(data)
            keep(_deflate_segment(data, 6))
        keep(_EMPTY_FINAL_BLOCK)
        whole = b"".join(raws)
        return zlib.crc32(whole), len(whole), out

    def _post_process(self, part: _Part, text: str) -> str:
        if part.fix_docpr:
            counter = iter(range(1001, 1 << 31))
            text = _DOCPR_ID.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", text)
        if part.post_process:
            body = text[len(_XML_DECLARATION) :]
            tree = DocxTemplate.fix_tables(None, body)  # type: ignore[arg-type]
            text = _XML_DECLARATION + etree.tostring(tree, encoding="unicode")
        return text

    def _validate(self, part: _Part, text: str) -> None:
        try:
            etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                f"Template {self.path}: {part.name} is not valid XML once rendered ({exc}). "
                "A {%p %}, {%tr %}, {%tc %} or {%r %} tag probably sits in the wrong place: "
                "each must be alone in its own paragraph, table row, cell or run."
            ) from None

    def _undefined_error(
        self, part: _Part, exc: UndefinedError, context: Mapping[str, Any]
    ) -> TemplateError:
        message = exc.message or str(exc)
        name = ""
        m = re.search(r"'([^']+)' is undefined", message)
        if m:
            name = m.group(1)
        else:
            m = re.search(r"has no (?:attribute|element) '?([^']+?)'?$", message)
            if m:
                name = m.group(1)
        tag = _find_tag(part.source, name) if name else ""
        where = f"the tag {tag}" if tag else "a tag"
        known = ", ".join(sorted(str(k) for k in context)) or "none"
        return TemplateError(
            f"Template {self.path}: {where} in {part.name} uses something that is not defined "
            f"({message}). The variables every template can use are: {known}. Correct the tag "
            "in Word, or add the value to the roster."
        )

    def _custom_xml(self, properties: Mapping[str, str]) -> bytes:
        items = [(name, inner) for name, inner in self._custom_kept if name not in properties]
        for name, value in properties.items():
            value = str(value)
            text = _INVALID_XML.sub("", value) if _NEEDS_CLEANING.search(value) else value
            items.append((name, f"<vt:lpwstr>{escape(text)}</vt:lpwstr>"))
        body = "".join(
            f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{escape(name)}">{inner}'
            "</property>"
            for pid, (name, inner) in enumerate(items, start=2)
        )
        return (
            f'{_XML_DECLARATION}<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">'
            f"{body}</Properties>"
        ).encode()


def _globals(env: SandboxedEnvironment) -> dict[str, Any]:
    """The template globals as a plain dict: Jinja's ChainMap is copied into every render's
    context key by key, a plain dict at C speed."""
    return dict(env.make_globals(None))


def _restore(state: dict[str, Any]) -> CompiledTemplate:
    """A CompiledTemplate from ``__reduce__``'s state (in a worker process)."""
    if state["python"] != sys.version:  # marshalled code is only valid for the same Python
        return CompiledTemplate.load(
            state["path"], name=state["name"], version=state["version_arg"]
        )
    self = CompiledTemplate()
    self.name = state["name"]
    self.path = Path(state["path"])
    self.version = state["version"]
    self.sha256 = state["sha256"]
    self._version_arg = state["version_arg"]
    env = self._env
    for name, source, code, post_process, fix_docpr, variables in state["parts"]:
        template = env.template_class.from_code(env, marshal.loads(code), _globals(env))
        self._parts.append(_Part(name, source, template, post_process, fix_docpr, code, variables))
    self._prefix = state["prefix"]
    self._prefix_entries = state["prefix_entries"]
    self._prefix_central = _central(self._prefix_entries)
    self._custom_part = state["custom_part"]
    self._custom_kept = state["custom_kept"]
    self._chunks = dict(state["chunks"])
    return self


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- package helpers ----------------------------------------------------------------------------


def _read_package(data: bytes, label: str) -> dict[str, bytes]:
    not_docx = (
        f"Template {label} is not a Word .docx file"
        + (
            " (it looks like an old .doc file)"
            if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            else ""
        )
        + ". Open it in Word or LibreOffice and save it as 'Word Document (.docx)'; "
        "a password-protected document must be saved without its password."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = {
                info.filename: package.read(info)
                for info in package.infolist()
                if not info.is_dir()
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise TemplateError(not_docx) from None
    except (zlib.error, NotImplementedError) as exc:
        raise TemplateError(f"Template {label} is damaged ({exc}). {not_docx}") from None
    if "[Content_Types].xml" not in members:
        raise TemplateError(not_docx)
    return members


def _parse_xml(raw: bytes, label: str, member: str) -> etree._Element:
    try:
        return etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f"Template {label} is damaged: {member} is not valid XML ({exc}). Open it in Word "
            "and save it again."
        ) from None


def _part_content_types(content_types: etree._Element, members: Mapping[str, bytes]) -> dict:
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType", "")
        for el in content_types.iter(f"{{{_CT_NS}}}Default")
    }
    overrides = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
        for el in content_types.iter(f"{{{_CT_NS}}}Override")
    }
    lowered = {k.lower(): v for k, v in overrides.items()}
    types = {}
    for member in members:
        content_type = overrides.get(member) or lowered.get(member.lower())
        if content_type is None:
            content_type = defaults.get(PurePosixPath(member).suffix.lstrip(".").lower(), "")
        types[member] = content_type
    return types


def _ensure_content_types(content_types: etree._Element, custom_part: str) -> tuple[bytes, bool]:
    """[Content_Types].xml with an Override for the custom properties (and no .dotx main)."""
    changed = False
    has_custom = False
    for el in content_types.iter(f"{{{_CT_NS}}}Override"):
        if el.get("ContentType") == _TEMPLATE_MAIN:
            el.set("ContentType", _DOCUMENT_MAIN)
            changed = True
        if el.get("PartName", "").lstrip("/").lower() == custom_part.lower():
            has_custom = True
            if el.get("ContentType") != _CUSTOM_CT:
                el.set("ContentType", _CUSTOM_CT)
                changed = True
    if not has_custom:
        etree.SubElement(
            content_types,
            f"{{{_CT_NS}}}Override",
            PartName="/" + custom_part,
            ContentType=_CUSTOM_CT,
        )
        changed = True
    xml = etree.tostring(content_types, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml, changed


def _ensure_root_relationship(raw: bytes | None, custom_part: str, label: str) -> bytes:
    """_rels/.rels with a relationship to the custom properties part."""
    if raw is None:
        root = etree.Element(f"{{{_RELS_NS}}}Relationships", nsmap={None: _RELS_NS})
    else:
        root = _parse_xml(raw, label, "_rels/.rels")
    relationships = list(root.iter(f"{{{_RELS_NS}}}Relationship"))
    if any(rel.get("Type") == _CUSTOM_REL for rel in relationships):
        for rel in relationships:
            if rel.get("Type") == _CUSTOM_REL:
                rel.set("Target", custom_part)
    else:
        ids = {rel.get("Id") for rel in relationships}
        number = len(relationships) + 1
        while f"rId{number}" in ids:
            number += 1
        etree.SubElement(
            root, f"{{{_RELS_NS}}}Relationship", Id=f"rId{number}", Type=_CUSTOM_REL,
            Target=custom_part,
        )  # fmt: skip
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _read_custom_properties(raw: bytes, label: str) -> list[tuple[str, str]]:
    root = _parse_xml(raw, label, "docProps/custom.xml")
    kept = []
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        inner = "".join(
            etree.tostring(child, encoding="unicode", with_tail=False) for child in prop
        )
        # The children carry their own xmlns:vt declaration; the root declares it too.
        inner = inner.replace(f' xmlns:vt="{_VT_NS}"', "")
        kept.append((prop.get("name", ""), inner))
    return kept


def _ordered(members: Mapping[str, bytes]) -> list[tuple[str, bytes]]:
    """Package members with [Content_Types].xml and _rels/.rels first, as Word writes them."""
    first = [name for name in ("[Content_Types].xml", "_rels/.rels") if name in members]
    rest = [name for name in members if name not in first]
    return [(name, members[name]) for name in first + rest]
