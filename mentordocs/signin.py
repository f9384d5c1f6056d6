"""Signing in to mail servers, shared by ``send`` (SMTP) and ``collect`` (IMAP).

Two ways in:

- **a password** (an ordinary provider, or a Gmail/Google Workspace *app password*), given
  as a value or as a function asked only when a connection is really made;
- **OAuth 2.0 with Microsoft 365** (SASL ``XOAUTH2``): ``MicrosoftSignIn`` signs the
  coordinator in once with a *device code* (a code to type at https://microsoft.com/devicelogin
  in any browser, on any device), using the organisation's own app registration (its client
  id and tenant). The tokens are kept in the user's configuration folder
  (``token_cache_path()``), readable by the user only, and refreshed without asking again.

``Credentials`` carries either to the SMTP and IMAP code, which speak ``XOAUTH2`` with
``XOAuth2``. Nothing here prints: the device code's instructions go to the ``show`` callback
the command line gives. Failures are ``SignInError``, whose text says what to do.
"""

from __future__ import annotations

import base64
import contextlib
import os
import ssl
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mentordocs.errors import MentordocsError

if TYPE_CHECKING:
    import msal
    import requests

__all__ = [
    "IMAP_SCOPE",
    "MICROSOFT_AUTHORITY",
    "SMTP_SCOPE",
    "Credentials",
    "MicrosoftSignIn",
    "SignInError",
    "TokenSource",
    "XOAuth2",
    "token_cache_path",
    "xoauth2_string",
]

MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
#: The delegated permissions Exchange Online asks for (learn.microsoft.com, "Authenticate an
#: IMAP, POP or SMTP connection using OAuth"); msal adds offline_access (the refresh token).
SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
_DOCS = "docs/mail-sign-in.md"

# Any: msal returns plain JSON dictionaries (the token endpoint's answer).
_MsalResult = dict[str, Any]


class SignInError(MentordocsError):
    "Signing in to the mail server failed (the message says what to do)."


class TokenSource(Protocol):
    """Where OAuth 2.0 access tokens come from. ``force_refresh`` asks for a new one (the
    server refused the one given)."""

    def access_token(self, *, force_refresh: bool = False) -> str: ...


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response, before base64: ``user=U^Aauth=Bearer T^A^A``."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


class XOAuth2:
    """One XOAUTH2 exchange, as smtplib's ``auth`` and imaplib's ``authenticate`` call it.

    The first call answers with the user and token. A server that refuses the token sends a
    challenge holding a JSON error; the client must answer it with an empty line, after which
    the server says no. That error is kept in ``error`` for the message shown.
    """

    def __init__(self, user: str, token: str):
        self.user = user
        self.token = token
        self.calls = 0
        self.error = ""

    def _answer(self, challenge: bytes | None) -> str:
        self.calls += 1
        if self.calls == 1:
            return xoauth2_string(self.user, self.token)
        if challenge:
            self.error = _decode_error(challenge)
        return ""

    def smtp(self, challenge: bytes | None = None) -> str:
        """For ``smtplib.SMTP.auth("XOAUTH2", exchange.smtp)``: smtplib base64-encodes it."""
        return self._answer(challenge)

    def imap(self, challenge: bytes) -> bytes:
        """For ``imaplib.IMAP4.authenticate("XOAUTH2", exchange.imap)``. imaplib passes the
        server's (decoded) continuation, empty at first."""
        if self.calls == 0:
            return self._answer(None).encode()
        return self._answer(challenge).encode()


def _decode_error(challenge: bytes) -> str:
    """The server's JSON error (``{"status":"401",...}``), as text, whether or not it arrives
    still base64-encoded."""
    raw = challenge.strip()
    with contextlib.suppress(ValueError):
        raw = base64.b64decode(raw, validate=True)
    return raw.decode("utf-8", "replace")


@dataclass
class Credentials:
    """Who signs in and how: ``password`` (a value, or a function asked once when first
    needed) or ``token`` (OAuth 2.0), never both."""

    user: str
    password: str | Callable[[], str] | None = None
    token: TokenSource | None = None

    def __post_init__(self) -> None:
        if self.password is not None and self.token is not None:
            raise ValueError("give a password or a token source, not both")

    def password_value(self) -> str:
        if callable(self.password):
            self.password = self.password()
        return self.password or ""

    @property
    def method(self) -> str:
        return "oauth2" if self.token is not None else "password"


# ---- Microsoft 365 ---------------------------------------------------------------------------


def token_cache_path() -> Path:
    """Where Microsoft 365 tokens are kept: the user's configuration folder for mentordocs
    (e.g. ``~/.config/mentordocs`` on Linux, ``%APPDATA%\\mentordocs`` on Windows,
    ``~/Library/Application Support/mentordocs`` on a Mac). ``MENTORDOCS_TOKEN_CACHE``
    names another file."""
    import click

    override = os.environ.get("MENTORDOCS_TOKEN_CACHE")
    if override:
        return Path(override)
    return Path(click.get_app_dir("mentordocs")) / "microsoft-tokens.json"


# What Microsoft's errors mean for a coordinator, by their AADSTS code.
_AAD_FIXES = {
    "AADSTS7000218": "Ask your IT department to set 'Allow public client flows' to Yes in the "
    "app registration (Authentication page).",
    "AADSTS700016": "The Microsoft client ID is not an app registration of this tenant: check "
    "the client ID and the tenant with your IT department.",
    "AADSTS90002": "The Microsoft tenant was not found: check its spelling (e.g. "
    "school.onmicrosoft.com, your school's domain, or the tenant's ID).",
    "AADSTS65001": "The app registration's permissions have not been granted: ask your IT "
    "department to grant admin consent for SMTP.Send, IMAP.AccessAsUser.All and "
    "offline_access.",
    "AADSTS50076": "Your organisation requires another sign-in step: run the command again and "
    "complete the sign-in in the browser.",
    "AADSTS70016": "The sign-in was not completed in time: run the command again and enter the "
    "code promptly.",
    "AADSTS70020": "The sign-in was not completed in time: run the command again and enter the "
    "code promptly.",
    "AADSTS50126": "The Microsoft password was wrong: sign in again.",
}


class MicrosoftSignIn:
    """OAuth 2.0 access tokens for one Microsoft 365 mailbox, with msal.

    ``client_id`` and ``tenant`` are the organisation's app registration (see
    docs/mail-sign-in.md); ``user`` the mailbox (``coordinator@school.org``); ``scopes``
    ``[SMTP_SCOPE]`` for send, ``[IMAP_SCOPE]`` for collect. The first use shows a device code
    through ``show`` and waits (at most ``wait`` seconds) while the coordinator signs in; later
    uses take the cached token or refresh it silently. ``authority`` (default
    ``https://login.microsoftonline.com/<tenant>``) is for national clouds; ``cafile`` trusts
    a company certificate authority (a proxy that inspects TLS).
    """

    def __init__(
        self,
        client_id: str,
        tenant: str,
        user: str,
        scopes: Sequence[str],
        *,
        show: Callable[[str], None],
        cache_path: str | os.PathLike[str] | None = None,
        authority: str | None = None,
        cafile: str | os.PathLike[str] | None = None,
        timeout: float = 60.0,
        wait: float = 900.0,
    ):
        self.client_id = client_id.strip()
        self.tenant = tenant.strip()
        self.user = user.strip()
        self.scopes = list(scopes)
        self.show = show
        self.cache_path = Path(cache_path) if cache_path is not None else token_cache_path()
        self.authority = authority or f"{MICROSOFT_AUTHORITY}/{self.tenant}"
        self.cafile = cafile
        self.timeout = timeout
        self.wait = wait
        self._app: msal.PublicClientApplication | None = None
        self._cache: msal.SerializableTokenCache | None = None

    def access_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token: from the cache, refreshed silently, or (the first time, or
        when the refresh token was revoked) by a device-code sign-in."""
        import requests

        try:
            app = self._application()
            result = self._silent(app, force_refresh)
            if result is None or "access_token" not in result:
                result = self._device_code(app)
        except requests.RequestException as exc:
            raise SignInError(
                f"Could not reach Microsoft's sign-in service ({self.authority}) to sign in "
                f"{self.user} ({type(exc).__name__}). Check your network (and, behind a company "
                "proxy, the certificate file given with --cafile), then run the command again."
            ) from exc
        finally:
            self._save_cache()
        self._check_account(result)
        return str(result["access_token"])

    def _application(self) -> msal.PublicClientApplication:
        if self._app is not None:
            return self._app
        import msal

        self._cache = msal.SerializableTokenCache()
        text = _read_private(self.cache_path)
        if text:
            try:
                self._cache.deserialize(text)
            except ValueError:
                self._cache = msal.SerializableTokenCache()  # damaged: sign in afresh
        try:
            self._app = msal.PublicClientApplication(
                self.client_id,
                authority=self.authority,
                token_cache=self._cache,
                instance_discovery=False,  # the authority is given; nothing else to look up
                http_client=_HttpClient(self.cafile, self.timeout),
            )
        except ValueError as exc:
            raise SignInError(
                f"Microsoft does not know the tenant {self.tenant!r} ({exc}). Check the "
                f"Microsoft tenant (e.g. school.onmicrosoft.com or your school's domain); see "
                f"{_DOCS}."
            ) from exc
        return self._app

    def _silent(self, app: msal.PublicClientApplication, force_refresh: bool) -> _MsalResult | None:
        accounts = app.get_accounts(username=self.user)
        if not accounts:
            return None
        result: _MsalResult | None = app.acquire_token_silent(
            self.scopes, account=accounts[0], force_refresh=force_refresh
        )
        return result

    def _device_code(self, app: msal.PublicClientApplication) -> _MsalResult:
        flow: _MsalResult = app.initiate_device_flow(scopes=self.scopes)
        if "user_code" not in flow:
            raise SignInError(self._failed("could not start", flow))
        flow["expires_at"] = min(float(flow.get("expires_at", 0)), time.time() + self.wait)
        self.show(
            f"Sign in to Microsoft 365 as {self.user} to let mentordocs use your mailbox: "
            + str(flow.get("message") or "")
        )
        result: _MsalResult = app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise SignInError(self._failed("did not complete", result))
        return result

    def _failed(self, what: str, result: _MsalResult) -> str:
        description = str(result.get("error_description") or result.get("error") or "no answer")
        first_line = description.splitlines()[0] if description else ""
        fix = next(
            (text for code, text in _AAD_FIXES.items() if code in description),
            f"Check the Microsoft client ID and tenant with your IT department; see {_DOCS}.",
        )
        return f"The Microsoft 365 sign-in for {self.user} {what} ({first_line}). {fix}"

    def _check_account(self, result: _MsalResult) -> None:
        claims = result.get("id_token_claims") or {}
        signed_in = str(claims.get("preferred_username") or "")
        if signed_in and signed_in.lower() != self.user.lower():
            raise SignInError(
                f"You signed in to Microsoft 365 as {signed_in}, but the mailbox is "
                f"{self.user}. Run the command again and sign in as {self.user} (in the "
                "browser, choose 'Use another account')."
            )

    def _save_cache(self) -> None:
        if self._cache is not None and self._cache.has_state_changed:
            _write_private(self.cache_path, self._cache.serialize())
            self._cache.has_state_changed = False


class _HttpClient:
    """The HTTP client msal uses (its documented ``http_client``: ``get`` and ``post``):
    requests, with a timeout on every request, one retry, and ``cafile`` trusted when given.
    Given per request, because a session-wide ``verify`` gives way to the REQUESTS_CA_BUNDLE
    environment variable, and a company certificate authority would be ignored."""

    def __init__(self, cafile: str | os.PathLike[str] | None, timeout: float):
        import requests

        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(max_retries=1)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.options: dict[str, object] = {"timeout": timeout}
        if cafile is not None:
            self.options["verify"] = os.fspath(cafile)

    # Any: msal passes requests' own keyword arguments (params, data, headers...) through.
    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.get(url, **{**kwargs, **self.options})

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.post(url, **{**kwargs, **self.options})


def _read_private(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SignInError(
            f"Could not read the saved Microsoft sign-in {path} ({exc}). Delete that file and "
            "sign in again."
        ) from exc


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the user only (0600, folder 0700), atomically:
    a temporary file beside it, renamed over it."""
    tmp: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp: 0600 already
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise SignInError(
            f"Could not save the Microsoft sign-in in {path} ({exc.strerror or exc}); you will "
            "be asked to sign in again next time. Check that folder is writable."
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def tls_context(
    cafile: str | os.PathLike[str] | None, error: type[MentordocsError] = MentordocsError
) -> ssl.SSLContext:
    """The TLS settings for a mail server: its certificate and host name checked, against the
    system's authorities and ``cafile`` (a company's own, PEM). Raises ``error`` for a
    ``cafile`` that cannot be used."""
    context = ssl.create_default_context()  # checks the certificate and the host name
    if cafile is not None:
        try:
            context.load_verify_locations(cafile=os.fspath(cafile))
        except (OSError, ssl.SSLError) as exc:
            raise error(
                f"{cafile}: cannot be used as a certificate file ({exc}). Give a PEM file "
                "(text starting with -----BEGIN CERTIFICATE-----)."
            ) from exc
    return context
