"""Where the program's mail goes out and comes back, and how to sign in: in one place.

The roster's Program sheet may hold the mail settings (never a password), so ``send`` and
``collect`` need no server options once they are there; an option given on the command line
wins over the sheet. ``SETTINGS`` lists the rows (name, allowed values, example);
``parse_mail_settings`` reads them from the sheet's values into ``MailSettings`` with every
problem found, in the coordinator's words; ``mail_settings_from_program`` does it for a loaded
roster (settings the roster does not know yet land in ``Program.extra``).

``parse_mailbox_url`` reads a mailbox address (``imaps://USER@SERVER/FOLDER``) into a
``MailboxAddress``, for the sheet and for ``collect``'s command line alike.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from mentordocs.errors import MentordocsError, Problem

if TYPE_CHECKING:
    from mentordocs.models import Program

__all__ = [
    "IMAP_PORTS",
    "SECURITY_CHOICES",
    "SETTINGS",
    "SIGN_IN_CHOICES",
    "MailAddressError",
    "MailSettings",
    "MailboxAddress",
    "Setting",
    "is_mailbox_url",
    "mail_settings_from_program",
    "parse_host_port",
    "parse_mail_settings",
    "parse_mailbox_url",
]

IMAP_PORTS = {"imaps": 993, "imap": 143}
_MAILBOX_EXAMPLE = "imaps://coordinator@school.org@outlook.office365.com/INBOX"


class MailAddressError(MentordocsError):
    "A server or mailbox address cannot be understood (the message shows how to write it)."


# ---- a mailbox address ------------------------------------------------------------------------


@dataclass(frozen=True)
class MailboxAddress:
    """A mailbox folder: ``imaps`` (TLS from the start) or ``imap`` (STARTTLS; no encryption
    only to this computer), the user signing in, the server and the folder."""

    scheme: str
    user: str
    host: str
    port: int
    folder: str = "INBOX"

    @property
    def key(self) -> str:
        """How the folder is named in the saved state (one state per user, server, folder)."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"

    @property
    def label(self) -> str:
        """How the folder is named to the coordinator: ``coordinator@school.org/INBOX``."""
        return f"{self.user}/{self.folder}"

    @property
    def where(self) -> str:
        return f"the mail server {self.host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """True when the server is this computer, named as such (``localhost``, 127.0.0.1,
        ::1): the one place an unencrypted connection is allowed. A name is not looked up:
        what it resolves to can change."""
        host = self.host.strip("[]").lower()
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


def is_mailbox_url(text: str) -> bool:
    """Whether a ``collect`` input is a mailbox address rather than a file or folder."""
    return text.strip().lower().startswith(("imap://", "imaps://"))


def parse_mailbox_url(text: str, default_user: str = "") -> MailboxAddress:
    """``imaps://USER@SERVER[:PORT]/FOLDER`` or ``imap://...`` as a ``MailboxAddress``.

    USER may be an email address (``coordinator@school.org@outlook.office365.com``) and may be
    left out when ``default_user`` is given; ``%40``, ``%20``... are decoded; FOLDER defaults
    to INBOX. A password in the address is refused (it would stay in the shell's history).
    Raises ``MailAddressError``.
    """
    raw = text.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in IMAP_PORTS:
        raise _mailbox_error(raw, "it does not start with imaps:// or imap://")
    if parts.query or parts.fragment:
        raise _mailbox_error(raw, "it has a ? or # part, which a mailbox address does not have")
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user = unquote(userinfo) if at else default_user.strip()
    if ":" in user:
        raise _mailbox_error(
            raw,
            "it holds a password; never put a password in the address (set "
            "MENTORDOCS_IMAP_PASSWORD, or type it when asked)",
        )
    if not user or any(c.isspace() for c in user):
        raise _mailbox_error(raw, "it does not say who signs in (USER@ before the server)")
    try:
        host, port = parse_host_port(hostport, IMAP_PORTS[scheme])
    except MailAddressError as exc:
        raise _mailbox_error(raw, str(exc)) from exc
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxAddress(scheme, user, host, port or IMAP_PORTS[scheme], folder)


_HOST_PORT = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^:\[\]/\s@]+)(?::(\d+))?")


def parse_host_port(text: str, default_port: int | None = None) -> tuple[str, int | None]:
    """``host``, ``host:port`` or ``[IPv6 address]:port`` (the host in lower case)."""
    match = _HOST_PORT.fullmatch(text.strip())
    if not match:
        raise MailAddressError(f"{text!r} is not a server name with an optional :PORT")
    port_text = match.group(2) or match.group(4)
    port = int(port_text) if port_text else default_port
    if port is not None and not 0 < port < 65536:
        raise MailAddressError(f"{port} is not a port number (1 to 65535)")
    return (match.group(1) or match.group(3)).lower(), port


def _mailbox_error(raw: str, why: str) -> MailAddressError:
    return MailAddressError(
        f"{raw!r} is not a mailbox address: {why}. Write imaps://USER@SERVER/FOLDER, e.g. "
        f"{_MAILBOX_EXAMPLE} (imap://... for a server that uses STARTTLS on port 143)."
    )


# ---- the Program sheet's mail settings --------------------------------------------------------

SECURITY_CHOICES = {"starttls": "starttls", "ssl": "ssl", "tls": "ssl", "ssltls": "ssl"}
SECURITY_CHOICES |= {"none": "plain", "plain": "plain", "noencryption": "plain"}
SIGN_IN_CHOICES = {"password": "password", "apppassword": "password"}
SIGN_IN_CHOICES |= {"microsoft365": "microsoft365", "microsoft": "microsoft365"}
SIGN_IN_CHOICES |= {"office365": "microsoft365", "oauth": "microsoft365"}
SIGN_IN_CHOICES |= {"none": "none", "nosignin": "none"}
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"(?=.{3,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Setting:
    """One Program-sheet row: its name, what it may hold, an example, and a hint."""

    key: str  # the MailSettings field
    name: str  # as the sheet writes it (column A)
    allowed: str
    example: str
    hint: str
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the values the starter workbook offers in a drop-down


SETTINGS: tuple[Setting, ...] = (
    Setting("outgoing_server", "Outgoing mail server", "SERVER or SERVER:PORT", "smtp.office365.com:587",
            "The server send uses (ask your IT department).", ("smtp server", "outgoing server")),
    Setting("outgoing_security", "Outgoing mail security", "STARTTLS, SSL or None", "STARTTLS",
            "How the connection is encrypted: STARTTLS (port 587), SSL (port 465); None only for a relay inside the school. Blank = STARTTLS.",
            (), ("STARTTLS", "SSL", "None")),
    Setting("mail_user", "Mail user", "a user name or email address", "coordinator@school.org",
            "Who signs in to send and to read the mailbox. Blank = the coordinator's email.", ("mail username", "mail login")),
    Setting("sign_in", "Mail sign-in", "Password, Microsoft 365 or None", "Microsoft 365",
            "How to sign in: Password (typed when asked; never in the workbook), Microsoft 365 (a sign-in in the browser, once), None (a relay needing no sign-in). Blank = Password.",
            ("sign-in", "sign in method", "mail sign in method"), ("Password", "Microsoft 365", "None")),
    Setting("microsoft_client_id", "Microsoft client ID", "the app registration's Application (client) ID", "0a1b2c3d-1111-2222-3333-444455556666",
            "From your IT department (see docs/mail-sign-in.md). Needed for Microsoft 365.", ("client id", "microsoft application id")),
    Setting("microsoft_tenant", "Microsoft tenant", "a domain or the Directory (tenant) ID", "school.onmicrosoft.com",
            "Your organisation in Microsoft 365. Blank = the domain of the mail user.", ("tenant", "microsoft tenant id")),
    Setting("mailbox", "Mailbox to collect", "imaps://[USER@]SERVER[:PORT]/FOLDER", "imaps://outlook.office365.com/INBOX",
            "The folder collect reads returned forms from. USER blank = the mail user.", ("mailbox", "incoming mailbox", "collect from")),
    Setting("move_to", "Move collected mail to", "a folder of that mailbox", "Collected forms",
            "Collect moves each message it has read there. Blank = leave messages where they are."),
)  # fmt: skip


@dataclass(frozen=True)
class MailSettings:
    """The mail settings, checked. Blank is "" (or None for a port): not set."""

    outgoing_server: str = ""
    outgoing_port: int | None = None
    outgoing_security: str = ""  # "starttls", "ssl", "plain"
    mail_user: str = ""
    sign_in: str = ""  # "password", "microsoft365", "none"
    microsoft_client_id: str = ""
    microsoft_tenant: str = ""
    mailbox: MailboxAddress | None = None
    move_to: str = ""

    @property
    def tenant(self) -> str:
        """The Microsoft tenant, defaulting to the mail user's domain."""
        return self.microsoft_tenant or self.mail_user.rpartition("@")[2]


def _compact(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name if name is not None else "")).casefold()
    return re.sub(r"[^a-z0-9]", "", text)


_BY_NAME = {_compact(n): s for s in SETTINGS for n in (s.name, s.key, *s.aliases)}
_PASSWORD_NAMES = re.compile(r"password|passwd|secret|token")


def parse_mail_settings(
    values: Mapping[str, object],
    *,
    file: str = "",
    sheet: str = "Program",
    rows: Mapping[str, int] | None = None,
    default_user: str = "",
) -> tuple[MailSettings, list[Problem]]:
    """The mail settings among ``values`` (setting name -> cell value, names matched whatever
    their case, spacing and punctuation; other settings ignored), and every problem found.

    ``rows`` (setting name -> Excel row) places the problems; ``default_user`` (the
    coordinator's email) is who reads the mailbox when neither its address nor the Mail user
    row says (``mail_user`` itself stays blank then: send signs in only when asked). A row
    that holds a password is an error: passwords are never kept in the workbook.
    """
    found: dict[str, str] = {}
    problems: list[Problem] = []
    row_of = {_compact(k): r for k, r in (rows or {}).items()}

    def problem(name: str, message: str, fix: str) -> None:
        problems.append(
            Problem(file, message, fix, sheet=sheet, row=row_of.get(_compact(name)), column="Value")
        )

    for name, value in values.items():
        text = "" if value is None else " ".join(str(value).split())
        setting = _BY_NAME.get(_compact(name))
        if setting is None:
            if _PASSWORD_NAMES.search(_compact(name)) and text:
                problem(name, f"The setting '{name}' holds a password or secret; the workbook must never hold one.",
                        "Delete that row and save. Set MENTORDOCS_SMTP_PASSWORD / MENTORDOCS_IMAP_PASSWORD, or type the password when asked.")  # fmt: skip
            continue
        if text:
            found[setting.key] = text
        if _compact(name) in row_of:  # a problem names the setting; its row is where it was
            row_of.setdefault(_compact(setting.name), row_of[_compact(name)])
    settings = _checked(found, default_user, problem)
    return settings, problems


def _checked(
    found: dict[str, str], default_user: str, problem: Callable[[str, str, str], None]
) -> MailSettings:
    """``found`` (setting key -> text) checked, one by one, into MailSettings."""
    settings = MailSettings(mail_user=found.get("mail_user", ""))
    user = settings.mail_user or default_user.strip()
    name = {s.key: s.name for s in SETTINGS}
    if "outgoing_server" in found:
        try:
            host, port = parse_host_port(found["outgoing_server"])
            settings = replace(settings, outgoing_server=host, outgoing_port=port)
        except MailAddressError as exc:
            problem(
                name["outgoing_server"],
                f"{exc}.",
                "Write the server's name, e.g. smtp.office365.com:587.",
            )
    security = _choice(found, "outgoing_security", SECURITY_CHOICES, problem)
    sign_in = _choice(found, "sign_in", SIGN_IN_CHOICES, problem)
    settings = replace(settings, outgoing_security=security, sign_in=sign_in)
    if "microsoft_client_id" in found:
        if _GUID.fullmatch(found["microsoft_client_id"]):
            settings = replace(settings, microsoft_client_id=found["microsoft_client_id"].lower())
        else:
            problem(name["microsoft_client_id"], f"'{found['microsoft_client_id']}' is not an Application (client) ID.",
                    "Copy the ID from the app registration's Overview page: 36 characters like 0a1b2c3d-1111-2222-3333-444455556666.")  # fmt: skip
    if "microsoft_tenant" in found:
        tenant = found["microsoft_tenant"]
        if (
            _GUID.fullmatch(tenant)
            or _DOMAIN.fullmatch(tenant)
            or tenant.lower() == "organizations"
        ):
            settings = replace(settings, microsoft_tenant=tenant.lower())
        else:
            problem(name["microsoft_tenant"], f"'{tenant}' is not a Microsoft tenant.",
                    "Write your organisation's domain (school.org or school.onmicrosoft.com) or its Directory (tenant) ID.")  # fmt: skip
    if "mailbox" in found:
        try:
            settings = replace(settings, mailbox=parse_mailbox_url(found["mailbox"], user))
        except MailAddressError as exc:
            problem(name["mailbox"], str(exc), "Correct the address as shown.")
    if "move_to" in found:
        settings = replace(settings, move_to=found["move_to"])
    if settings.sign_in == "microsoft365" and not settings.microsoft_client_id:
        problem(name["sign_in"], "Mail sign-in is Microsoft 365 but no Microsoft client ID is given.",
                "Add the row 'Microsoft client ID' with the ID your IT department gives you (see docs/mail-sign-in.md).")  # fmt: skip
    tenant_given = "microsoft_tenant" in found
    if settings.sign_in == "microsoft365" and not (tenant_given or "@" in user):
        problem(name["microsoft_tenant"], "Mail sign-in is Microsoft 365 but the tenant is unknown.",
                "Add the row 'Microsoft tenant' (e.g. school.onmicrosoft.com), or a Mail user with an email address.")  # fmt: skip
    return settings


def _choice(
    found: dict[str, str],
    key: str,
    choices: Mapping[str, str],
    problem: Callable[[str, str, str], None],
) -> str:
    """The setting ``key`` as one of ``choices``' values; "" when blank or not allowed."""
    if key not in found:
        return ""
    chosen = choices.get(_compact(found[key]))
    if chosen is None:
        setting = next(s for s in SETTINGS if s.key == key)
        problem(
            setting.name,
            f"'{found[key]}' is not one of {setting.allowed}.",
            f"Write one of {setting.allowed}.",
        )
    return chosen or ""


def mail_settings_from_program(
    program: Program,
    *,
    file: str = "",
    sheet: str = "Program",
    rows: Mapping[str, int] | None = None,
) -> tuple[MailSettings, list[Problem]]:
    """The mail settings of a loaded roster's Program sheet (from ``program.extra``, where
    settings the roster's schema does not list are kept, by their normalised names)."""
    return parse_mail_settings(
        program.extra,
        file=file,
        sheet=sheet,
        rows=program.setting_rows if rows is None else rows,
        default_user=program.coordinator_email,
    )


assert {s.key for s in SETTINGS} <= {f.name for f in fields(MailSettings)}
