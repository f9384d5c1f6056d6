"""The email itself: coordinator-editable templates, rendering, addresses, the MIME message.

- ``EmailTemplate``: a coordinator-editable text file (first line ``Subject: ...``, then the
  body) rendered with Jinja, plus an optional HTML twin; errors name the file and line.
- ``make_address`` / ``parse_address``: roster and command-line addresses, checked, with errors
  that say which person or option holds the wrong one.
- ``build_message``: one ``multipart/mixed`` message holding ``multipart/alternative``
  (plain text + HTML) and the attachments, headers encoded for non-ASCII names.

Nothing here prints or sends; failures are ``SendError`` subclasses.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import policy as email_policy
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, getaddresses, make_msgid
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from mentordocs.errors import SendError
from mentordocs.forms import templates_dir
from mentordocs.fsutil import sha256_bytes
from mentordocs.roster.cells import ascii_domain


class _Encoded(str):
    "A header value already RFC 2047-encoded and folded for the wire: stored as it is."


class _WirePolicy(email_policy.EmailPolicy):
    """``email.policy.SMTP`` (CRLF, 7-bit headers), but keeping values we encoded ourselves.

    The standard library's folding of long non-ASCII unstructured headers is broken before
    Python 3.13 (an encoded word split in two, spaces between words lost), so Subject and the
    address headers are encoded with ``email.header.Header`` and stored verbatim.
    """

    # Any: the signature of the method overridden (email.policy.Policy.header_store_parse).
    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, _Encoded):
            return (name, str(value))
        return super().header_store_parse(name, value)


#: How messages are serialised: CRLF line ends, headers folded and RFC 2047-encoded.
SMTP_POLICY = _WirePolicy(linesep="\r\n", refold_source="none")


def encode_text_header(name: str, text: str) -> _Encoded:
    """An unstructured header (Subject) as RFC 2047 encoded words, folded under 78 columns."""
    charset = "us-ascii" if text.isascii() else "utf-8"
    return _Encoded(Header(text, charset, header_name=name).encode())


def encode_address_header(addresses: list[Address]) -> _Encoded:
    """Addresses as ``=?utf-8?b?...?= <addr>``, one per folded line."""
    parts = []
    for address in addresses:
        name = address.display_name
        parts.append(formataddr((name, address.addr_spec), charset="utf-8"))
    return _Encoded(",\n ".join(parts))


#: MIME type (maintype, subtype, extra parameters) of each attachment we send, by suffix.
ATTACHMENT_TYPES: dict[str, tuple[str, str, dict[str, str]]] = {
    ".docx": (
        "application",
        "vnd.openxmlformats-officedocument.wordprocessingml.document",
        {},
    ),
    ".ics": ("text", "calendar", {"method": "PUBLISH", "charset": "utf-8"}),
    ".pdf": ("application", "pdf", {}),
}

TEMPLATE_VARIABLES = (
    "program",
    "pair",
    "mentor",
    "mentee",
    "coordinator",
    "forms",
    "calendar",
    "due_date",
    "due_passed",
    "missing",
    "stage",
)


class EmailTemplateError(SendError):
    "The email template cannot be used; the message names the file and line."


# ---- templates ----------------------------------------------------------------------------------


def email_templates_dir() -> Path:
    """The shipped email templates (``templates/email``, installed as ``mentordocs/templates``)."""
    folder = templates_dir() / "email"
    if not folder.is_dir():
        raise SendError(
            f"The shipped email templates are missing ({folder}). Reinstall mentordocs, or pass "
            "your own template with --message FILE."
        )
    return folder


def format_date(value: object) -> str:
    """A date as a coordinator writes it in a letter: ``Friday 12 March 2027``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%A} {value.day} {value:%B} {value.year}"
    return "" if value is None else str(value)


_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


def text_to_html(text: str) -> str:
    """A plain-text body as simple HTML: paragraphs, line breaks, and ``- item`` lists."""
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    parts: list[str] = []
    for block in blocks:
        lines = block.splitlines()
        if lines and all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{html.escape(_BULLET.sub('', line))}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>")
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 11pt;">\n'
        f"{body}\n</body></html>\n"
    )


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


_SUBJECT_LINE = re.compile(r"^\s*subject\s*:(.*)$", re.IGNORECASE)


def _read_template_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EmailTemplateError(
            f"{path}: is not UTF-8 text (byte {exc.start}). Save it as UTF-8 in your editor "
            "(Notepad: 'Save as', Encoding 'UTF-8') and run the command again."
        ) from exc
    except OSError as exc:
        raise EmailTemplateError(
            f"{path}: cannot be read ({exc.strerror or exc}). Check the --message path."
        ) from exc


def _error_line(exc: BaseException, filename: str) -> int | None:
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == filename:
            return frame.lineno
    return None


def _environment(loader: jinja2.BaseLoader, *, autoescape: bool) -> SandboxedEnvironment:
    """A Jinja sandbox with strict variables and the ``date`` filter (HTML: autoescaped)."""
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = format_date
    return env


class EmailTemplate:
    """An email template: a text file (``Subject: ...`` line, then the body) and optional HTML.

    Both are Jinja templates rendered in a sandbox with strict variables, so a misspelt name is
    an error (with file and line) rather than a blank in 300 emails. Without an HTML file, the
    HTML part is made from the text (paragraphs and ``- `` lists).
    """

    def __init__(self, text_path: str | os.PathLike[str], html_path: str | os.PathLike[str] | None):
        self.text_path = Path(text_path)
        self.html_path = Path(html_path) if html_path is not None else None
        source = _read_template_file(self.text_path)
        lines = source.splitlines(keepends=True)
        index = next((i for i, line in enumerate(lines) if line.strip()), None)
        if index is None:
            raise EmailTemplateError(
                f"{self.text_path}: is empty. Write 'Subject: ...' on the first line, then a "
                "blank line, then the message (see docs/send.md)."
            )
        match = _SUBJECT_LINE.match(lines[index].rstrip("\r\n"))
        if not match:
            raise EmailTemplateError(
                f"{self.text_path}, line {index + 1}: the first line must be the subject, "
                f"written 'Subject: ...' (found {lines[index].strip()[:60]!r}). Add a line such "
                "as 'Subject: Your mentoring forms' at the top."
            )
        body_lines = lines[index + 1 :]
        if not "".join(body_lines).strip():
            raise EmailTemplateError(
                f"{self.text_path}, line {index + 1}: there is no message after the Subject line. "
                "Write the message below it, after a blank line."
            )
        # Pad with newlines so Jinja's line numbers are the file's line numbers.
        self._sources = {
            "subject": "\n" * index + match.group(1),
            "body": "\n" * (index + 1) + "".join(body_lines),
        }
        self._filenames = {"subject": str(self.text_path), "body": str(self.text_path)}
        if self.html_path is not None:
            self._sources["html"] = _read_template_file(self.html_path)
            self._filenames["html"] = str(self.html_path)

        def load(name: str) -> tuple[str, str, Callable[[], bool]]:
            return self._sources[name], self._filenames[name], lambda: True

        loader = jinja2.FunctionLoader(load)
        self._text_env = _environment(loader, autoescape=False)
        self._html_env = _environment(loader, autoescape=True)
        self._templates: dict[str, jinja2.Template] = {}
        for name in self._sources:
            env = self._html_env if name == "html" else self._text_env
            try:
                self._templates[name] = env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise self._error(name, exc, "") from exc

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> EmailTemplate:
        """A coordinator's template; ``<same name>.html`` beside it, if any, is the HTML part."""
        text_path = Path(path)
        if not text_path.is_file():
            raise EmailTemplateError(
                f"{text_path}: no such file. Check the --message path (see docs/send.md for the "
                "format, or start from a copy of the shipped templates/email/packet.txt)."
            )
        html_path = text_path.with_suffix(".html")
        has_html = text_path.suffix.lower() not in (".html", ".htm") and html_path.is_file()
        return cls(text_path, html_path if has_html else None)

    @classmethod
    def default(cls, kind: str) -> EmailTemplate:
        """The shipped template for ``kind`` ("packet", "midpoint", "end" or "reminder")."""
        folder = email_templates_dir()
        html_path = folder / f"{kind}.html"
        return cls(folder / f"{kind}.txt", html_path if html_path.is_file() else None)

    def _error(self, name: str, exc: Exception, where: str) -> EmailTemplateError:
        filename = self._filenames[name]
        line = _error_line(exc, filename)
        location = f"{filename}, line {line}" if line else filename
        detail = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else exc
        hint = ""
        if isinstance(exc, jinja2.UndefinedError):
            hint = (
                " Check the spelling; the names you can use are "
                + ", ".join(TEMPLATE_VARIABLES)
                + " (see docs/send.md)."
            )
            missing = re.search(r"'dict object' has no attribute '([^']*)'", str(detail))
            if missing and missing.group(1) != missing.group(1).lower():  # pair.extra.School
                hint += (
                    " The roster's own columns and settings are under .extra in lower case, "
                    "with '_' for spaces: 'School name' is pair.extra.school_name."
                )
        elif isinstance(exc, jinja2.TemplateSyntaxError):
            hint = " Check the {{ }} and {% %} on that line (each needs its closing pair)."
        return EmailTemplateError(f"{location}: {detail}{where}.{hint}")

    def render(self, context: Mapping[str, object], *, where: str = "") -> RenderedEmail:
        """Subject, text and HTML for one message; ``where`` ("for pair P03") goes in errors."""
        suffix = f" (while writing the message {where})" if where else ""
        rendered: dict[str, str] = {}
        for name, template in self._templates.items():
            try:
                rendered[name] = template.render(context)
            except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
                raise self._error(name, exc, suffix) from exc
        subject = " ".join(rendered["subject"].split())
        if not subject:
            raise EmailTemplateError(
                f"{self.text_path}: the subject came out empty{suffix}. Put some fixed words on "
                "the 'Subject:' line."
            )
        text = rendered["body"].strip("\n") + "\n"
        body_html = rendered["html"] if "html" in rendered else text_to_html(text)
        return RenderedEmail(subject=subject, text=text, html=body_html)


# ---- the message --------------------------------------------------------------------------------


@dataclass
class Attachment:
    filename: str
    data: bytes

    @property
    def mime_type(self) -> tuple[str, str, dict[str, str]]:
        suffix = Path(self.filename).suffix.lower()
        return ATTACHMENT_TYPES.get(suffix, ("application", "octet-stream", {}))


def make_address(name: str, email: str, what: str) -> Address:
    """``Address(name, email)``; a wrong address raises ``SendError`` naming ``what`` it is."""
    email = (email or "").strip()
    if not email:
        raise SendError(f"{what} has no email address. Fill it in the roster.")
    if "@" not in email or any(c.isspace() for c in email) or email.count("@") != 1:
        raise SendError(
            f"{what} has the email address {email!r}, which is not an address "
            "(expected name@example.org). Correct it in the roster."
        )
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        raise SendError(
            f"{what} has the email address {email!r}, whose part before the @ has letters "
            "outside plain ASCII (such as é or ü); few mail servers accept that. Use another "
            "address for this person in the roster."
        )
    if not domain.isascii():  # an international domain name: send it in its ASCII form
        try:
            email = f"{local}@{ascii_domain(domain)}"
        except ValueError as exc:
            raise SendError(
                f"{what} has the email address {email!r}, whose domain is not valid ({exc}). "
                "Correct it in the roster."
            ) from exc
    try:
        address = Address(display_name=(name or "").strip(), addr_spec=email)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise SendError(
            f"{what} has the email address {email!r}, which is not an address ({exc}). "
            "Correct it in the roster."
        ) from exc
    if not address.domain or not address.username:
        raise SendError(
            f"{what} has the email address {email!r}, which is not an address "
            "(expected name@example.org). Correct it in the roster."
        )
    return address


def parse_address(text: str, what: str) -> Address:
    """An address typed on the command line: ``name@x.org`` or ``Name <name@x.org>``."""
    found = [(n, e) for n, e in getaddresses([text]) if n or e]
    if len(found) > 1 and "@" not in found[0][1] and not found[0][0]:
        raise SendError(  # Smith, Jane <jane@x.org>: the comma splits it in two
            f"{what} {text!r} has a comma in the name, which splits it in two. Put the name "
            f"in double quotes: '\"{text.split('<')[0].strip()}\" <{found[-1][1]}>'."
        )
    if len(found) > 1:
        raise SendError(
            f"{what} {text!r} holds {len(found)} addresses; give one, as name@example.org or "
            "'Name <name@example.org>'."
        )
    name, email = found[0] if found else ("", "")
    problem = SendError(
        f"{what} {text!r} is not an email address. Write it as name@example.org "
        "or 'Name <name@example.org>'."
    )
    if not email:
        raise problem
    try:
        return make_address(name, email, f"{what} {text!r}")
    except SendError as exc:
        raise problem from exc


def same_message(first: bytes, second: bytes) -> bool:
    """Whether two messages (as written) go to the same people with the same subject and the
    same attachments, their dates and Message-IDs aside."""

    def essence(data: bytes) -> tuple[object, ...]:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
        people = sorted(
            address.addr_spec.casefold()
            for header in ("To", "Cc")
            for address in getattr(message[header], "addresses", ())
        )
        attached = []
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            attached.append(
                (part.get_filename(), sha256_bytes(payload) if isinstance(payload, bytes) else "")
            )
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        return people, str(message["Subject"] or ""), text, attached

    try:
        return essence(first) == essence(second)
    except (HeaderParseError, ValueError, LookupError):  # a damaged draft is not this one
        return False


def message_id_of(data: bytes) -> str | None:
    "The Message-ID of a message as written; None when it has none."
    message = BytesParser(policy=email_policy.default).parsebytes(data, headersonly=True)
    value = str(message["Message-ID"] or "").strip()
    return value or None


def build_message(
    *,
    sender: Address,
    to: list[Address],
    cc: list[Address],
    reply_to: Address | None,
    rendered: RenderedEmail,
    attachments: list[Attachment],
    message_id: str | None = None,
    date: dt.datetime | None = None,
) -> EmailMessage:
    """The message: multipart/mixed (multipart/alternative text + HTML, then attachments)."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = encode_address_header([sender])
    message["To"] = encode_address_header(to)
    if cc:
        message["Cc"] = encode_address_header(cc)
    if reply_to is not None:
        message["Reply-To"] = encode_address_header([reply_to])
    message["Subject"] = encode_text_header("Subject", rendered.subject)
    message["Date"] = format_datetime(date or dt.datetime.now(dt.timezone.utc).astimezone())
    message["Message-ID"] = message_id or make_msgid(domain=sender.domain)
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    for attachment in attachments:
        maintype, subtype, params = attachment.mime_type
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(params),
        )
    return message
