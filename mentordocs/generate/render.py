"""A .docx template compiled once and rendered many times: docxtpl's tags in Jinja's sandbox.

``CompiledTemplate.load(path)`` reads a docxtpl template (any coordinator's: ``{{ x }}``,
``{%tr for %}``, ``{%p if %}``, ``{%tc %}``, ``{%r %}``, ``{{r rich }}``) once:

- every part that can carry tags (the main document, headers, footers, foot- and endnotes, the
  core properties) goes through docxtpl's own clean-up (``DocxTemplate.patch_xml``) and is
  compiled once in a ``jinja2.sandbox.SandboxedEnvironment`` with ``StrictUndefined`` and
  autoescaping;
- every other part (styles, numbering, media, theme, settings...) is kept as it is.

``render(context, properties)`` runs the compiled parts and packs the .docx with the other
parts and ``docProps/custom.xml`` (``generate.packaging``). The same input always gives the
same bytes.

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
import os
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, meta, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from mentordocs.errors import TemplateError
from mentordocs.forms import template_version
from mentordocs.generate.packaging import StaticParts
from mentordocs.ooxml import ns
from mentordocs.ooxml.writing import (
    MAIN_TYPES,
    TEMPLATED_TYPES,
    CustomProperties,
    part_content_types,
    with_custom_override,
    with_custom_relationship,
)
from mentordocs.ooxml.xml import UnsafeXmlError, parse_xml

__all__ = ["CompiledTemplate", "new_environment"]

Context = Mapping[str, object]

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

# ---- values -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold (line-break-like ones are handled before this).
_INVALID_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_CLEANING = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_BR = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def _markup(value: object, line_break: str, tab: str) -> Markup:
    """``value`` as escaped text, XML-illegal characters dropped, line breaks and tabs as
    given. ``None`` is nothing; an object with ``__html__`` (docxtpl's RichText) goes in raw."""
    if value is None:
        return Markup("")
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    text = str(value)
    if not _NEEDS_CLEANING.search(text):
        return escape(text)
    text = _INVALID_XML.sub("", _LINE_BREAKS.sub("\n", text))
    return Markup(str(escape(text)).replace("\n", line_break).replace("\t", tab))


def text_value(value: object) -> Markup:
    """A value for the text of a run (inside ``<w:t>``): escaped, line breaks as ``<w:br/>``."""
    return _markup(value, _BR, _TAB)


def plain_value(value: object) -> Markup:
    """A value anywhere else (an attribute, a property): escaped, line breaks as ``&#10;``."""
    return _markup(value, "&#10;", "&#9;")


def new_environment() -> SandboxedEnvironment:
    """The Jinja environment every template is compiled in."""
    env = SandboxedEnvironment(
        autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True, cache_size=0
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
# docxtpl markers whose output must be checked as a whole (table grids)
_NEEDS_TABLE_FIX = re.compile(r"\{%tc |\{%\s*(?:hm|colspan)\b|\{\{tc ")
# docxtpl lifts a statement tag ({% if %}, {%r if %}) out of its run and leaves the run's two
# halves behind, empty: one before the tag, one after. They show nothing, but every form would
# carry them (264 in the action plan, 7% of its body) and every reader would wade through them.
_EMPTY_RUN = '<w:r><w:t xml:space="preserve"></w:t></w:r>'
_EMPTY_RUN_BY_STATEMENT = re.compile(
    re.escape(_EMPTY_RUN) + r"(?=\{%)|(?<=%\})" + re.escape(_EMPTY_RUN)
)
_ESCAPED_BRACES = (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}"))


def _wrap_expressions(source: str) -> str:
    """Send every ``{{ ... }}`` through the filter for where it stands (run text or elsewhere)."""
    raw_spans = [m.span() for m in _RAW_BLOCK.finditer(source)]
    mask = _TAG.sub(lambda m: " " * len(m.group(0)), source)  # tags blanked, positions kept
    events = [(m.start(), m.group(0) != "</w:t>") for m in _WT_EVENT.finditer(mask)]
    positions = [pos for pos, _ in events]

    def replace(m: re.Match[str]) -> str:
        start = m.start()
        expression = m.group(2).strip()
        if not expression or any(a <= start < b for a, b in raw_spans):
            return m.group(0)  # raw text, or an empty tag for Jinja to report
        in_tag = mask.rfind("<", 0, start) > mask.rfind(">", 0, start)
        index = bisect.bisect_left(positions, start) - 1
        in_run_text = not in_tag and index >= 0 and events[index][1]
        name = "_md_text" if in_run_text else "_md_plain"
        return "{{" + f"{m.group(1)} ({expression})|{name} {m.group(3)}" + "}}"

    return _EXPRESSION.sub(replace, source)


def _protect_escaped_braces(source: str) -> str:
    """docxtpl's ``{_{`` / ``}_}`` / ``{_%`` / ``%_}`` mean literal braces in the document."""
    for escaped, literal in _ESCAPED_BRACES:
        source = source.replace(escaped, "{% raw %}" + literal + "{% endraw %}")
    return source


# Page sizes (w:pgSz, twips, portrait) that the program's Paper size replaces: A4, US Letter.
_PAPER_SIZES = ((11906, 16838), (12240, 15840))
_PG_SZ, _PG_W, _PG_H = f"{{{ns.W}}}pgSz", f"{{{ns.W}}}w", f"{{{ns.W}}}h"


def _page_from_context(root: etree._Element) -> None:
    """Every section of the main part on A4 or US Letter (either way round) gets the page size
    of the context's ``page`` (the program's Paper size) when it has one, else keeps its own:
    the template file itself holds a plain size, so Word and LibreOffice open it as it is."""
    for size in root.iter(_PG_SZ):
        try:
            width, height = int(size.get(_PG_W, "")), int(size.get(_PG_H, ""))
        except ValueError:
            continue
        for paper in _PAPER_SIZES:
            if all(abs(a - b) <= 2 for a, b in zip((width, height), paper, strict=True)):
                keys = ("width", "height")
            elif all(abs(a - b) <= 2 for a, b in zip((height, width), paper, strict=True)):
                keys = ("height", "width")  # landscape
            else:
                continue
            for attribute, key, value in zip((_PG_W, _PG_H), keys, (width, height), strict=True):
                size.set(attribute, f"{{{{ page.{key} if page is defined else {value} }}}}")
            break


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


_STRAY = re.compile(r"\}\}|%\}|\{\{|\{%")
_PARAGRAPH_START = re.compile(r"<w:p[ >]")


def _stray_tags(source: str) -> list[str]:
    """The paragraphs of a part's source holding what looks like a tag but is not one ('{
    mentor.name }}', '{{ name } ... %}'): Jinja leaves it as text, printed on every form."""
    source = _protect_escaped_braces(source)

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    masked = _TAG.sub(blank, _RAW_BLOCK.sub(blank, source))  # positions kept
    starts = [m.start() for m in _PARAGRAPH_START.finditer(masked)]
    bounds = zip([0, *starts], [*starts, len(masked)], strict=True)
    return [
        _shorten(_strip_xml(source[a:b]))
        for a, b in bounds
        if _STRAY.search(_strip_xml(masked[a:b]))
    ]


_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
_EXTRA_SOURCES = frozenset({"pair", "program"})  # any other (a loop's goal): "*", any source


def _extra_keys(ast: nodes.Template) -> frozenset[str] | None:
    """The roster's own columns read in a template's syntax tree, as "source:key" (``pair``,
    ``program``, or ``*`` for a loop variable such as a goal): from ``x.extra.key``,
    ``x.extra['key']``, ``x['extra'].key`` and a filter's ``attribute='extra.key'``. None when
    an ``extra`` is used any other way (whole, looped over, passed on)."""
    accesses = _accesses(ast)
    extras: dict[int, str] = {}
    for node, name, base in accesses:
        if name == "extra":
            source = base.name if isinstance(base, nodes.Name) else "*"
            extras[id(node)] = source if source in _EXTRA_SOURCES else "*"
    keys: set[str] = set()
    read: set[int] = set()
    for _, key, base in accesses:
        if id(base) in extras and key and key not in _DICT_METHODS:
            keys.add(f"{extras[id(base)]}:{key}")
            read.add(id(base))
    for const in ast.find_all(nodes.Const):  # goals|map(attribute='extra.effort')
        if isinstance(const.value, str) and const.value.startswith("extra."):
            keys.add("*:" + const.value.split(".", 2)[1])
    return frozenset(keys) if read == set(extras) else None


def _accesses(ast: nodes.Template) -> list[tuple[nodes.Node, str | None, nodes.Node]]:
    "Every ``x.name`` and ``x['name']`` in a syntax tree: (the node, the name, x)."
    found: list[tuple[nodes.Node, str | None, nodes.Node]] = []
    for attr in ast.find_all(nodes.Getattr):
        found.append((attr, attr.attr, attr.node))
    for item in ast.find_all(nodes.Getitem):
        found.append((item, _constant(item.arg), item.node))
    return found


def _constant(node: nodes.Node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- the compiled template --------------------------------------------------------------------


@dataclass
class _Part:
    name: str  # zip member name
    source: str  # Jinja source after docxtpl's clean-up (for messages)
    template: Template
    post_process: bool  # needs docxtpl's table fixes on the whole output
    fix_docpr: bool  # picture ids to renumber (a repeated picture would share one)
    variables: frozenset[str]  # top-level variables used and not defined here
    extra_keys: frozenset[str] | None  # the roster's own columns shown (None: any of them)


class CompiledTemplate:
    """One .docx template, compiled once, rendered to .docx bytes many times.

    ``name`` is the template's name in messages (default: the file name), ``version`` is
    ``"<version>+<first 8 hex of the file's sha256>"`` (just the hash when no version is given).
    """

    def __init__(self, path: Path, name: str, version: str, data: bytes):
        self.path = path
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.version = template_version(version, self.sha256)
        self._version_arg = version
        self._env = new_environment()
        self._parts: list[_Part] = []
        self._custom_part = ns.CUSTOM_PROPERTIES_PART
        self._custom = CustomProperties(None)
        self._static = StaticParts([])
        self._stray: list[tuple[str, str]] = []  # (part, paragraph) of text like a broken tag
        self._compile(_read_package(data, str(path)))

    def __repr__(self) -> str:
        return f"CompiledTemplate({str(self.path)!r}, version={self.version!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # A compiled Jinja template cannot be pickled: a worker process compiles its own copy.
        return (_load_again, (str(self.path), self.name, self._version_arg, self.sha256))

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, name: str | None = None, version: str = ""
    ) -> CompiledTemplate:
        """Read and compile the template at ``path``.

        Raises TemplateError naming the file (and, for a Jinja syntax error, the part and the
        offending tag) when it cannot be used.
        """
        where = Path(path)
        back = (
            f"Put the form's template back: 'mentordocs templates copy {where.parent}' copies "
            "the shipped one in (it never overwrites a file already there)."
        )
        try:
            data = where.read_bytes()
        except FileNotFoundError:
            raise TemplateError(f"Template {where} does not exist. {back}") from None
        except IsADirectoryError:
            raise TemplateError(
                f"Template {where} is a folder, not a Word .docx file. Move the folder away; "
                f"{back[0].lower()}{back[1:]}"
            ) from None
        except OSError as exc:
            raise TemplateError(f"Cannot read template {where}: {exc.strerror or exc}.") from exc
        return cls(where, name or where.name, version, data)

    # -- compiling ------------------------------------------------------------------------------

    def _compile(self, members: dict[str, bytes]) -> None:
        label = str(self.path)
        content_types = _parse(members["[Content_Types].xml"], label, "[Content_Types].xml")
        types = part_content_types(content_types, members)
        if any(t in ns.CT_MACRO_MAIN for t in types.values()):
            raise TemplateError(
                f"Template {label} is a macro-enabled Word file (.docm/.dotm). Open it in Word "
                "and use File > Save As > Word Document (.docx)."
            )
        if not MAIN_TYPES & set(types.values()):
            raise TemplateError(
                f"Template {label} has no Word document inside. Open it in Word and save it "
                "again as a Word Document (.docx)."
            )
        patcher = DocxTemplate(self.path)
        for member, content_type in types.items():
            if content_type in TEMPLATED_TYPES:
                part = self._compile_part(patcher, member, members[member], content_type)
                if part is not None:
                    self._parts.append(part)
        custom = [m for m, t in types.items() if t == ns.CT_CUSTOM_PROPERTIES]
        if custom:
            self._custom_part = custom[0]
            self._custom = CustomProperties(members[custom[0]])
        rendered = {part.name for part in self._parts} | {self._custom_part}
        static = {name: data for name, data in members.items() if name not in rendered}
        static["[Content_Types].xml"] = with_custom_override(content_types, self._custom_part)
        static["_rels/.rels"] = with_custom_relationship(
            members.get("_rels/.rels"), self._custom_part
        )
        first = ["[Content_Types].xml", "_rels/.rels"]
        order = first + [name for name in members if name in static and name not in first]
        self._static = StaticParts([(name, static[name]) for name in order])

    def _compile_part(
        self, patcher: DocxTemplate, member: str, raw: bytes, content_type: str
    ) -> _Part | None:
        main = content_type in MAIN_TYPES
        if b"{" not in raw and not main:
            return None
        root = _parse(raw, str(self.path), member)
        if main:
            _page_from_context(root)
        xml = etree.tostring(root, encoding="unicode")
        source = _EMPTY_RUN_BY_STATEMENT.sub("", patcher.patch_xml(xml))
        self._stray += [(member, paragraph) for paragraph in _stray_tags(source)]
        if not _ANY_TAG.search(source):
            return None
        try:
            ast = self._env.parse(
                _XML_DECLARATION + _wrap_expressions(_protect_escaped_braces(source))
            )
            template = self._env.from_string(ast)
        except TemplateSyntaxError as exc:
            raise self._syntax_error(member, source, exc) from None
        except JinjaTemplateError as exc:
            raise TemplateError(f"Template {self.path}, {member}: {exc}") from None
        return _Part(
            name=member,
            source=source,
            template=template,
            post_process=bool(_NEEDS_TABLE_FIX.search(_strip_xml(xml))),
            fix_docpr=content_type in MAIN_TYPES and "<wp:docPr" in source and "{%" in source,
            variables=frozenset(meta.find_undeclared_variables(ast)),
            extra_keys=_extra_keys(ast),
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
        lines = lined.splitlines()
        if line is not None and 0 < line <= len(lines):
            text = _strip_xml(lines[line - 1])
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

    def extra_keys(self) -> frozenset[str] | None:
        """The roster's own columns and settings the template shows, as "source:key"
        (``pair:school`` for ``pair.extra.school``, ``program:website``, ``*:x`` for a goal's
        ``goal.extra.x``); None when it may show any of them (an ``extra`` used whole, looped
        over or passed on)."""
        keys: set[str] = set()
        for part in self._parts:
            if part.extra_keys is None:
                return None
            keys |= part.extra_keys
        return frozenset(keys)

    def stray_tags(self) -> list[tuple[str, str]]:
        """(part, paragraph) of each paragraph holding what looks like a tag but is not one
        ('{ mentor.name }}'): Jinja leaves it as text, so every form would print it."""
        return list(self._stray)

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
        context: Context,
        properties: Mapping[str, str] | None = None,
        *,
        validate: bool = False,
    ) -> bytes:
        """The rendered .docx as bytes.

        ``properties`` become custom document properties (strings). With ``validate`` every
        rendered part is parsed back as XML first (slower; for checking a template once).
        Raises TemplateError naming the template and the tag for an undefined variable.
        """
        rendered = [
            (part.name, self._render_part(part, context, validate).encode("utf-8"))
            for part in self._parts
        ]
        rendered.append((self._custom_part, self._custom.xml(properties or {})))
        return self._static.pack(rendered)

    def _render_part(self, part: _Part, context: Context, validate: bool) -> str:
        try:
            text = part.template.render(context)
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
        if part.post_process or part.fix_docpr:
            text = self._post_process(part, text)
        if validate:
            self._validate(part, text)
        return text

    def _post_process(self, part: _Part, text: str) -> str:
        body = text[len(_XML_DECLARATION) :]
        if part.post_process:
            tree = DocxTemplate(self.path).fix_tables(body)
        else:
            tree = parse_xml(body.encode("utf-8"))
        if part.fix_docpr:
            # Each picture needs its own id, and a repeated picture repeats its id.
            for number, doc_pr in enumerate(tree.iter(f"{{{ns.WP}}}docPr"), start=1001):
                doc_pr.set("id", str(number))
        return _XML_DECLARATION + etree.tostring(tree, encoding="unicode")

    def _validate(self, part: _Part, text: str) -> None:
        try:
            parse_xml(text.encode("utf-8"))
        except (etree.XMLSyntaxError, UnsafeXmlError) as exc:
            raise TemplateError(
                f"Template {self.path}: {part.name} is not valid XML once rendered ({exc}). "
                "A {%p %}, {%tr %}, {%tc %} or {%r %} tag probably sits in the wrong place: "
                "each must be alone in its own paragraph, table row, cell or run."
            ) from None

    def _undefined_error(self, part: _Part, exc: UndefinedError, context: Context) -> TemplateError:
        message = exc.message or str(exc)
        found = re.search(r"'([^']+)' is undefined", message) or re.search(
            r"has no (?:attribute|element) '?([^']+?)'?$", message
        )
        tag = _find_tag(part.source, found.group(1)) if found else ""
        where = f"the tag {tag}" if tag else "a tag"
        known = ", ".join(sorted(str(k) for k in context)) or "none"
        return TemplateError(
            f"Template {self.path}: {where} in {part.name} uses something that is not defined "
            f"({message}). The variables every template can use are: {known}. Correct the tag "
            "in Word, or add the value to the roster."
        )


def _load_again(path: str, name: str, version: str, sha256: str) -> CompiledTemplate:
    """The template compiled again in a worker process; it must not have changed meanwhile."""
    template = CompiledTemplate.load(path, name=name, version=version)
    if template.sha256 != sha256:
        raise TemplateError(
            f"Template {path} changed while the packets were being generated. Run the command "
            "again."
        )
    return template


# ---- reading the template's package -------------------------------------------------------------


def _read_package(data: bytes, label: str) -> dict[str, bytes]:
    not_docx = (
        f"Template {label} is not a Word .docx file"
        + (" (it looks like an old .doc file)" if data[:8] == ns.OLE_SIGNATURE else "")
        + ". Open it in Word and save it as 'Word Document (.docx)'; "
        "a password-protected document must be saved without its password."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = {
                info.filename: package.read(info)
                for info in package.infolist()
                if not info.is_dir()
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, RuntimeError):
        raise TemplateError(not_docx) from None
    except (zlib.error, NotImplementedError) as exc:
        raise TemplateError(f"Template {label} is damaged ({exc}). {not_docx}") from None
    if "[Content_Types].xml" not in members:
        raise TemplateError(not_docx)
    return members


def _parse(raw: bytes, label: str, member: str) -> etree._Element:
    try:
        return parse_xml(raw)
    except (etree.XMLSyntaxError, UnsafeXmlError, ValueError) as exc:
        raise TemplateError(
            f"Template {label} is damaged: {member} is not valid XML ({exc}). Open it in Word "
            "and save it again."
        ) from None
