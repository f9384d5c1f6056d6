"""A stand-in for Microsoft's identity platform on 127.0.0.1, for the sign-in tests.

Not a test module (no tests here). ``Identity`` serves, over HTTPS with a certificate made in
the test, what msal asks of ``https://login.microsoftonline.com/<tenant>``:

- ``GET  /<tenant>/v2.0/.well-known/openid-configuration`` (the endpoints below);
- ``POST /<tenant>/oauth2/v2.0/devicecode``: a device code, its user code and the message;
- ``POST /<tenant>/oauth2/v2.0/token``: the device-code grant (``authorization_pending`` for
  the first ``pending_polls`` polls, as while the user types the code) and the refresh-token
  grant; tokens carry an id_token naming ``signed_in_as``.

It also serves, over plain HTTP on another port, a token introspection endpoint (RFC 7662,
``POST token=...``) for Dovecot's ``oauth2`` passdb, and ``user_for(token)`` for the SMTP
server's XOAUTH2 hook: both say a token is good only while it is issued, not expired, not
revoked. ``expire_all()`` and ``revoke()`` let a test make the tokens msal holds go bad.
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from test_send_support import make_certificate, server_tls_context

TENANT = "school.example"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class Issued:
    user: str
    scopes: set[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Identity:
    """The fake identity platform; ``start(folder)`` writes its certificate there."""

    user: str = "coordinator@school.example"
    signed_in_as: str = ""  # who the person signs in as in the browser (default: user)
    lifetime: int = 3600  # seconds an access token lasts
    pending_polls: int = 0  # answers 'authorization_pending' this many times (1 s apart)
    device_error: str = ""  # an AADSTS error the devicecode endpoint answers with
    introspection_scope: str = ""  # a scope a token needs for the introspection endpoint (IMAP)
    tokens: dict[str, Issued] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> user
    device_flows: int = 0
    refreshes: int = 0
    introspections: int = 0
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: dict[str, int] = field(default_factory=dict)  # device code -> polls left
    _scopes: set[str] = field(default_factory=set)  # asked for with the device code

    def start(self, folder: Path) -> Identity:
        cert, key = make_certificate(folder)
        self.cert_path, self.key_path = cert, key  # other test servers may use it too
        self._https = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, tls=True))
        context: ssl.SSLContext = server_tls_context(cert, key)
        self._https.socket = context.wrap_socket(self._https.socket, server_side=True)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, tls=False))
        for server in (self._https, self._http):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self._https, self._http):
            server.shutdown()
            server.server_close()

    @property
    def authority(self) -> str:
        return f"https://127.0.0.1:{self._https.server_address[1]}/{TENANT}"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/introspect"

    # ---- what servers ask ----------------------------------------------------------------

    def user_for(self, token: str, scope: str | None = None) -> str | None:
        """The user a token stands for, if it is good now (and grants ``scope``)."""
        with self.lock:
            issued = self.tokens.get(token)
            if issued is None or issued.revoked or issued.expires_at <= time.time():
                return None
            if scope is not None and scope not in issued.scopes:
                return None
            return issued.user

    def expire_all(self) -> None:
        with self.lock:
            for issued in self.tokens.values():
                issued.expires_at = 0

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens[token].revoked = True

    # ---- the endpoints ---------------------------------------------------------------------

    def openid_configuration(self) -> dict[str, str]:
        base = self.authority
        return {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        }

    def devicecode(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        if self.device_error:
            return 400, {"error": "invalid_client", "error_description": self.device_error}
        with self.lock:
            self.device_flows += 1
            code = f"device-{self.device_flows}"
            self._pending = {code: self.pending_polls}
            self._scopes = set(form.get("scope", "").split())
        return 200, {
            "device_code": code,
            "user_code": "ABCD-1234",
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": "To sign in, use a web browser to open the page "
            "https://microsoft.com/devicelogin and enter the code ABCD-1234 to authenticate.",
        }

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        grant = form.get("grant_type", "")
        scopes = set(form.get("scope", "").split())
        with self.lock:
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                left = self._pending.get(form.get("device_code", ""))
                if left is None:
                    return 400, {"error": "expired_token", "error_description": "AADSTS70020"}
                if left > 0:
                    self._pending[form["device_code"]] = left - 1
                    return 400, {"error": "authorization_pending", "error_description": "..."}
                del self._pending[form["device_code"]]
                return 200, self._issue(self.signed_in_as or self.user, scopes | self._scopes)
            if grant == "refresh_token":
                user = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if user is None:
                    return 400, {"error": "invalid_grant", "error_description": "AADSTS70008"}
                self.refreshes += 1
                return 200, self._issue(user, scopes)
        return 400, {"error": "unsupported_grant_type"}

    def _issue(self, user: str, scopes: set[str]) -> dict[str, object]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        scopes = {s for s in scopes if s not in ("openid", "profile", "offline_access")}
        self.tokens[access] = Issued(user, scopes, time.time() + self.lifetime)
        self.refresh_tokens[refresh] = user
        now = int(time.time())
        claims = {
            "aud": CLIENT_ID,
            "iss": f"{self.authority}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "sub": "subject-1",
            "oid": "object-1",
            "tid": "tenant-1",
            "preferred_username": user,
            "name": "Zoë Coordinator",
        }
        id_token = ".".join(
            [_b64(b'{"alg":"none","typ":"JWT"}'), _b64(json.dumps(claims).encode()), ""]
        )
        return {
            "token_type": "Bearer",
            "scope": " ".join(sorted(scopes)),
            "expires_in": self.lifetime,
            "ext_expires_in": self.lifetime,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": _b64(json.dumps({"uid": "object-1", "utid": "tenant-1"}).encode()),
        }

    def introspect(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        with self.lock:
            self.introspections += 1
        user = self.user_for(form.get("token", ""), self.introspection_scope or None)
        if user is None:
            return 200, {"active": False}
        return 200, {"active": True, "username": user}


def _handler(identity: Identity, *, tls: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            identity.requests.append(f"{self.command} {self.path}")

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            if tls and self.path.endswith("/v2.0/.well-known/openid-configuration"):
                if self.path.startswith(f"/{TENANT}/"):
                    self._answer(200, dict(identity.openid_configuration()))
                else:
                    self._answer(
                        400, {"error": "invalid_tenant", "error_description": "AADSTS90002"}
                    )
                return
            self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            fields = parse_qs(self.rfile.read(length).decode())
            form = {key: values[0] for key, values in fields.items()}
            if tls and self.path.endswith("/oauth2/v2.0/devicecode"):
                self._answer(*identity.devicecode(form))
            elif tls and self.path.endswith("/oauth2/v2.0/token"):
                self._answer(*identity.token(form))
            elif not tls and self.path == "/introspect":
                self._answer(*identity.introspect(form))
            else:
                self._answer(404, {"error": "not_found"})

    return Handler
