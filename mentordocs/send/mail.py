"""Email pieces for ``send``: the editable message templates, the MIME message, the transports.

- ``EmailTemplate``: a coordinator-editable text file (first line ``Subject: ...``, then the
  body) rendered with Jinja, plus an optional HTML twin; errors name the file and line.
- ``build_message``: one ``multipart/mixed`` message holding ``multipart/alternative``
  (plain text + HTML) and the attachments, headers encoded for non-ASCII names.
- ``SMTPTransport`` (one connection reused, reconnects once when the server drops it) and
  ``OutboxTransport`` (each message written as a .eml file) behind the ``Transport`` protocol.
- ``RateLimiter``: spaces messages N per minute with an injectable clock and sleep.

Nothing here prints; failures are ``SendError`` subclasses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
import smtplib
import ssl
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as email_policy
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from mentordocs.errors import SendError
from mentordocs.fsutil import atomic_write_bytes


class _Encoded(str):
    "A header value already RFC 2047-encoded and folded for the wire: stored as it is."


class _WirePolicy(email_policy.EmailPolicy):
    """``email.policy.SMTP`` (CRLF, 7-bit headers), but keeping values we encoded ourselves.

    The standard library's folding of long non-ASCII unstructured headers is broken before
    Python 3.13 (an encoded word split in two, spaces between words lost), so Subject and the
    address headers are encoded with ``email.header.Header`` and stored verbatim.
    """

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
)


class EmailTemplateError(SendError):
    "The email template cannot be used; the message names the file and line."


class MessageRefused(SendError):
    "The server refused this one message (every recipient, or its content); others can still go."


class ConnectionFailed(SendError):
    "Nothing more can be sent: no connection, the login was refused, or the connection was lost."


# ---- templates ----------------------------------------------------------------------------------


def email_templates_dir() -> Path:
    """The shipped email templates (``templates/email``, installed as ``mentordocs/templates``)."""
    from mentordocs.forms import templates_dir

    folder = templates_dir() / "email"
    if not folder.is_dir():
        raise SendError(
            f"The shipped email templates are missing ({folder}). Reinstall mentordocs, or pass "
            "your own template with --message FILE."
        )
    return folder


def format_date(value: Any) -> str:
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

        options: dict[str, Any] = {
            "loader": jinja2.FunctionLoader(load),
            "undefined": jinja2.StrictUndefined,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self._text_env = SandboxedEnvironment(autoescape=False, **options)
        self._html_env = SandboxedEnvironment(autoescape=True, **options)
        for env in (self._text_env, self._html_env):
            env.filters["date"] = format_date
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
        if text_path.suffix.lower() in (".html", ".htm") or not html_path.is_file():
            html_path = None
        return cls(text_path, html_path)

    @classmethod
    def default(cls, kind: str) -> EmailTemplate:
        """The shipped template for ``kind`` ("packet" or "reminder")."""
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
        elif isinstance(exc, jinja2.TemplateSyntaxError):
            hint = " Check the {{ }} and {% %} on that line (each needs its closing pair)."
        return EmailTemplateError(f"{location}: {detail}{where}.{hint}")

    def render(self, context: dict[str, Any], *, where: str = "") -> RenderedEmail:
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
            email = f"{local}@{domain.encode('idna').decode('ascii')}"
        except UnicodeError as exc:
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
    from email.utils import parseaddr

    name, email = parseaddr(text)
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


# ---- transports ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What happened to one message: refused recipients (address -> server reply), .eml path."""

    refused: dict[str, str] = field(default_factory=dict)
    eml: str = ""


class Transport(Protocol):
    name: str  # "smtp" or "outbox", as recorded in the send log

    def open(self) -> None: ...

    def send(
        self, message: EmailMessage, sender: str, recipients: list[str], *, name: str
    ) -> Delivery: ...

    def close(self) -> None: ...


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


SECURITY_MODES = ("plain", "starttls", "ssl")
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}


class SMTPTransport:
    """Send through an SMTP server with one connection reused for the whole run.

    ``security``: "plain", "starttls" or "ssl". ``password`` may be a callable, asked only when
    a connection is actually made (so a run with nothing to send never asks). Certificates are
    verified; ``ssl_context`` (e.g. trusting a company CA with ``cafile``) changes what is trusted.
    """

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        security: str = "plain",
        user: str | None = None,
        password: str | Callable[[], str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        cafile: str | os.PathLike[str] | None = None,
        timeout: float = 60.0,
        local_hostname: str | None = None,
    ):
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}, not {security!r}")
        self.host = host
        self.port = port or DEFAULT_PORTS[security]
        self.security = security
        self.user = user
        self._password = password
        self.timeout = timeout
        self.local_hostname = local_hostname
        if ssl_context is None and security != "plain":
            ssl_context = ssl.create_default_context()  # verifies the certificate and host name
            if cafile is not None:
                try:
                    ssl_context.load_verify_locations(cafile=os.fspath(cafile))
                except (OSError, ssl.SSLError) as exc:
                    raise SendError(
                        f"{cafile}: cannot be used as a certificate file ({exc}). Give a PEM "
                        "file (text starting with -----BEGIN CERTIFICATE-----)."
                    ) from exc
        self.ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"the mail server {self.host}:{self.port}"

    def _password_value(self) -> str:
        if callable(self._password):
            self._password = self._password()
        return self._password or ""

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP | None = None
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=self.ssl_context,
                    local_hostname=self.local_hostname,
                )
            else:
                smtp = smtplib.SMTP(
                    self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname
                )
            smtp.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ConnectionFailed(
                        f"{self.where} does not offer STARTTLS. Try --ssl (usually port 465), "
                        "or ask your IT department which security the server uses."
                    )
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if self.user:
                if not smtp.has_extn("auth"):
                    hint = (
                        " Most servers only accept a login over an encrypted connection: add "
                        "--starttls (port 587) or --ssl (port 465)."
                        if self.security == "plain"
                        else " Check with your IT department whether a login is needed."
                    )
                    raise ConnectionFailed(f"{self.where} does not accept a login.{hint}")
                smtp.login(self.user, self._password_value())
            return smtp
        except ConnectionFailed:
            self._quietly_close(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self._quietly_close(smtp)
            raise ConnectionFailed(
                f"{self.where} refused the login for {self.user!r} "
                f"({_reply_text(exc.smtp_code, exc.smtp_error)}). Check --user and the password "
                "(MENTORDOCS_SMTP_PASSWORD); many providers require an app password. "
                "Nothing more can be sent until the login works."
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            self._quietly_close(smtp)
            raise ConnectionFailed(
                f"The certificate of {self.where} could not be verified ({exc.verify_message}). "
                "Check the host name; if your organisation uses its own certificate authority, "
                "pass its certificate with --cafile FILE."
            ) from exc
        except ssl.SSLError as exc:
            self._quietly_close(smtp)
            raise ConnectionFailed(
                f"The encrypted connection to {self.where} failed ({exc.reason or exc}). "
                "Check --starttls / --ssl and the port (STARTTLS is usually 587, SSL 465)."
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._quietly_close(smtp)
            detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise ConnectionFailed(
                f"Could not connect to {self.where} ({detail}). Check the --smtp host and port "
                "and your network, then run the same command again."
            ) from exc

    @staticmethod
    def _quietly_close(smtp: smtplib.SMTP | None) -> None:
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()

    def open(self) -> None:
        if self._smtp is None:
            self._smtp = self._connect()

    def _drop(self) -> None:
        self._quietly_close(self._smtp)
        self._smtp = None

    def send(
        self, message: EmailMessage, sender: str, recipients: list[str], *, name: str = ""
    ) -> Delivery:
        data = message.as_bytes(policy=SMTP_POLICY)
        for attempt in (1, 2):
            self.open()
            assert self._smtp is not None
            try:
                refused = self._smtp.sendmail(sender, recipients, data)
            except smtplib.SMTPRecipientsRefused as exc:
                reasons = {
                    address: _reply_text(code, reply)
                    for address, (code, reply) in exc.recipients.items()
                }
                error = MessageRefused(
                    "the server refused every recipient: "
                    + "; ".join(f"{a} ({r})" for a, r in reasons.items())
                )
                error.refused = reasons  # type: ignore[attr-defined]
                raise error from exc
            except smtplib.SMTPSenderRefused as exc:
                code, reply = exc.smtp_code, _reply_text(exc.smtp_code, exc.smtp_error)
                if code == 421 and attempt == 1:  # "closing connection": try a new one
                    self._drop()
                    continue
                if code in (452, 552):
                    size = len(data) / 1_000_000
                    raise MessageRefused(
                        f"the message ({size:.1f} MB with its attachments) is too big for the "
                        f"server ({reply}); send that pair fewer forms at a time with --form"
                    ) from exc
                if 400 <= code < 500:
                    raise MessageRefused(
                        f"the server could not take the message just now ({reply}); run the "
                        "same command again later"
                    ) from exc
                raise ConnectionFailed(
                    f"{self.where} refused the sender address {sender} ({reply}). Use --from "
                    "with an address your mail account may send from."
                ) from exc
            except smtplib.SMTPDataError as exc:
                if exc.smtp_code == 421 and attempt == 1:  # "closing connection": try a new one
                    self._drop()
                    continue
                raise MessageRefused(
                    f"the server refused the message ({_reply_text(exc.smtp_code, exc.smtp_error)})"
                ) from exc
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                # Servers close idle connections; reconnect once, then give up.
                self._drop()
                if attempt == 2:
                    raise ConnectionFailed(
                        f"The connection to {self.where} was lost ({exc or 'closed'})."
                    ) from exc
                continue
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == 421 and attempt == 1:  # "closing connection": try a new one
                    self._drop()
                    continue
                raise MessageRefused(
                    f"the server refused the message ({_reply_text(exc.smtp_code, exc.smtp_error)})"
                ) from exc
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise ConnectionFailed(
                    f"The connection to {self.where} failed ({exc or type(exc).__name__})."
                ) from exc
            return Delivery(
                refused={a: _reply_text(code, reply) for a, (code, reply) in refused.items()}
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # the server may already be gone; nothing to save
                self._quietly_close(self._smtp)
            self._smtp = None


class OutboxTransport:
    """Write each message as ``<name>.eml`` in a folder, never overwriting a file there.

    The files carry ``X-Unsent: 1`` so Outlook opens them as drafts ready to send; Thunderbird
    and Apple Mail open them too.
    """

    name = "outbox"

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def open(self) -> None:
        if self.directory.exists() and not self.directory.is_dir():
            raise ConnectionFailed(
                f"{self.directory} is a file, not a folder. Give --outbox a folder name."
            )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConnectionFailed(
                f"Could not create the outbox folder {self.directory} ({exc.strerror or exc}). "
                "Check the path and that you may write there."
            ) from exc

    def _free_path(self, name: str) -> Path:
        safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "message"
        candidate = self.directory / f"{safe}.eml"
        number = 2
        while candidate.exists():
            candidate = self.directory / f"{safe}-{number}.eml"
            number += 1
        return candidate

    def send(
        self, message: EmailMessage, sender: str, recipients: list[str], *, name: str = "message"
    ) -> Delivery:
        if "X-Unsent" not in message:
            message["X-Unsent"] = "1"
        path = self._free_path(name)
        try:
            atomic_write_bytes(path, message.as_bytes(policy=SMTP_POLICY))
        except SendError:
            raise
        except Exception as exc:
            raise ConnectionFailed(str(exc)) from exc
        return Delivery(eml=str(path))

    def close(self) -> None:
        pass


# ---- pacing -------------------------------------------------------------------------------------


class RateLimiter:
    """At most ``per_minute`` messages a minute, evenly spaced (``None``: no limit).

    ``wait()`` is called before each message; it sleeps until ``60 / per_minute`` seconds have
    passed since the previous one. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        per_minute: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_minute is not None and per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep as needed before the next message; returns the seconds slept."""
        if not self.interval:
            return 0.0
        now = self.clock()
        slept = 0.0
        if self._last is not None:
            delay = self._last + self.interval - now
            if delay > 0:
                self.sleep(delay)
                slept = delay
                now = max(self.clock(), self._last + self.interval)
        self._last = now
        return slept
