"""How messages leave: an SMTP server or a folder of .eml files, and the pace they go at.

- ``SMTPTransport`` (one connection reused, reconnects once when the server drops it) and
  ``OutboxTransport`` (each message written as a .eml file) behind the ``Transport`` protocol;
  each ``send`` returns a ``Delivery``.
- ``MessageRefused`` (this message cannot go; others can) and ``ConnectionFailed`` (nothing more
  can go) are the two ways a send fails.
- ``RateLimiter``: spaces messages N per minute with an injectable clock and sleep.

Nothing here prints; failures are ``SendError`` subclasses.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from mentordocs.errors import SendError
from mentordocs.fsutil import atomic_write_bytes
from mentordocs.send.messages import SMTP_POLICY, message_id_of, same_message
from mentordocs.signin import SignInError, TokenSource, XOAuth2, tls_context


class MessageRefused(SendError):
    """The server refused this one message (every recipient, or its content); others can still go.

    ``refused``: each refused recipient's address and the server's reply, when it said.
    """

    def __init__(self, message: str, refused: dict[str, str] | None = None):
        super().__init__(message)
        self.refused = refused or {}


class ConnectionFailed(SendError):
    "Nothing more can be sent: no connection, the login was refused, or the connection was lost."


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
    a connection is actually made (so a run with nothing to send never asks). ``token`` signs
    ``user`` in with OAuth 2.0 instead (SASL XOAUTH2, e.g. ``signin.MicrosoftSignIn``), also
    only when a connection is made; a token the server refuses is replaced by a fresh one,
    once. Certificates are verified; ``ssl_context`` (e.g. trusting a company CA with
    ``cafile``) changes what is trusted.
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
        token: TokenSource | None = None,
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
        self._token = token
        self.timeout = timeout
        self.local_hostname = local_hostname
        if ssl_context is None and security != "plain":
            ssl_context = tls_context(cafile, SendError)
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
                if self._token is not None:
                    self._sign_in_oauth(smtp, self.user, self._token)
                else:
                    smtp.login(self.user, self._password_value())
            return smtp
        except ConnectionFailed:
            self._quietly_close(smtp)
            raise
        except SignInError as exc:
            self._quietly_close(smtp)
            raise ConnectionFailed(str(exc)) from exc
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

    def _sign_in_oauth(self, smtp: smtplib.SMTP, user: str, token: TokenSource) -> None:
        """AUTH XOAUTH2; a refused token is replaced by a fresh one, once."""
        refused: smtplib.SMTPAuthenticationError | None = None
        for force_refresh in (False, True):
            exchange = XOAuth2(user, token.access_token(force_refresh=force_refresh))
            try:
                smtp.auth("XOAUTH2", exchange.smtp, initial_response_ok=True)
                return
            except smtplib.SMTPAuthenticationError as exc:
                if exc.smtp_code == 504:  # "Unrecognized authentication type"
                    raise ConnectionFailed(
                        f"{self.where} does not accept OAuth 2.0 sign-in (XOAUTH2). Check the "
                        "server name, or sign in with a password (see docs/mail-sign-in.md)."
                    ) from exc
                refused = exc
        assert refused is not None
        reply = _reply_text(refused.smtp_code, refused.smtp_error)
        hint = (
            " Microsoft 365 refuses SMTP AUTH unless it is allowed: ask your IT department to "
            "turn on 'Authenticated SMTP' for this mailbox (and for the organisation), and "
            "that no security policy blocks it (docs/mail-sign-in.md)."
            if "5.7.139" in reply or "SmtpClientAuthentication" in reply
            else " Check with your IT department that this mailbox may send with SMTP AUTH and "
            "that the app registration has the SMTP.Send permission (docs/mail-sign-in.md)."
        )
        raise ConnectionFailed(
            f"{self.where} refused the OAuth 2.0 sign-in for {user!r} ({reply}).{hint} "
            "Nothing more can be sent until the sign-in works."
        ) from refused

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
                raise MessageRefused(
                    "the server refused every recipient: "
                    + "; ".join(f"{a} ({r})" for a, r in reasons.items()),
                    refused=reasons,
                ) from exc
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

    def _paths(self, name: str) -> Iterator[Path]:
        safe = re.sub(r"[^\w.-]+", "_", name).strip("._") or "message"
        yield self.directory / f"{safe}.eml"
        for number in itertools.count(2):
            yield self.directory / f"{safe}-{number}.eml"

    def _free_path(self, name: str) -> Path:
        return next(path for path in self._paths(name) if not path.exists())

    def drafts(self, name: str) -> list[Path]:
        """The files the folder already holds under a message's name: ``name.eml``,
        ``name-2.eml`` and so on, up to the first number free."""
        return list(itertools.takewhile(Path.exists, self._paths(name)))

    def unrecorded_draft(
        self, message: EmailMessage, name: str, recorded: Collection[str]
    ) -> tuple[Path, str | None] | None:
        """A draft of ``message`` already in the folder that the send log does not name (file
        names in ``recorded``): a run stopped between writing it and recording it. Its path and
        Message-ID when it is this message, its path and None when it differs; None when
        there is none."""
        unrecorded = [path for path in self.drafts(name) if path.name not in recorded]
        if not unrecorded:
            return None
        wire = message.as_bytes(policy=SMTP_POLICY)
        for path in unrecorded:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if same_message(data, wire):
                return path, message_id_of(data)
        return unrecorded[0], None

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
