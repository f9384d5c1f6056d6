"""Signing in with OAuth 2.0 (XOAUTH2), checked by real servers on both sides.

- msal talks to a stand-in for Microsoft's identity platform on 127.0.0.1 (tests/oauth_support.py):
  OpenID discovery, the device-code grant, the refresh-token grant, over HTTPS.
- The tokens are checked by a real IMAP server (Dovecot's ``oauth2`` passdb, asking the
  stand-in's introspection endpoint) and a real SMTP server (aiosmtpd, with an XOAUTH2 hook
  asking the stand-in), as Exchange Online would check them.
"""

from __future__ import annotations

import base64
import imaplib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from email.message import EmailMessage

import openpyxl
import pytest
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import SAMPLE_ROSTER
from dovecot_support import Dovecot
from oauth_support import CLIENT_ID, TENANT, Identity
from test_send_support import Collector, Server, server_tls_context

from mentordocs.cli import cli
from mentordocs.collect.mailbox import MailboxError, read_mailbox
from mentordocs.generate.packets import generate_packets
from mentordocs.mailsettings import parse_mailbox_url
from mentordocs.roster import load_roster
from mentordocs.send import SMTPTransport
from mentordocs.send.transports import ConnectionFailed
from mentordocs.signin import (
    IMAP_SCOPE,
    SMTP_SCOPE,
    Credentials,
    MicrosoftSignIn,
    SignInError,
    XOAuth2,
    xoauth2_string,
)

USER = "coordinator@school.example"


@pytest.fixture
def identity(tmp_path):
    # Dovecot asks the introspection endpoint about each token, which (as Exchange Online's
    # IMAP does) accepts only a token granting IMAP access.
    server = Identity(user=USER, introspection_scope=IMAP_SCOPE).start(tmp_path)
    yield server
    server.stop()


def microsoft(identity: Identity, tmp_path, scopes=(IMAP_SCOPE,), shown=None) -> MicrosoftSignIn:
    return MicrosoftSignIn(
        CLIENT_ID,
        TENANT,
        USER,
        list(scopes),
        show=(shown.append if shown is not None else print),
        cache_path=tmp_path / "config" / "microsoft-tokens.json",
        authority=identity.authority,
        cafile=identity.cert_path,
    )


# ---- XOAUTH2 ------------------------------------------------------------------------------------


def test_the_xoauth2_string_is_as_microsoft_and_google_document_it():
    # learn.microsoft.com, "Authenticate an IMAP, POP or SMTP connection using OAuth": SASL
    # XOAUTH2 is base64("user=" + userName + "^Aauth=Bearer " + accessToken + "^A^A").
    text = xoauth2_string(
        "test@contoso.onmicrosoft.com", "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA"
    )
    assert (
        text
        == "user=test@contoso.onmicrosoft.com\x01auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA\x01\x01"
    )
    exchange = XOAuth2("u@x", "t")
    assert exchange.imap(b"") == b"user=u@x\x01auth=Bearer t\x01\x01"
    error = base64.b64encode(b'{"status":"401","schemes":"bearer"}')
    assert exchange.imap(error) == b"" and exchange.error == '{"status":"401","schemes":"bearer"}'
    assert XOAuth2("u@x", "t").smtp() == "user=u@x\x01auth=Bearer t\x01\x01"
    with pytest.raises(ValueError):
        Credentials("u", password="p", token=microsoft)  # type: ignore[arg-type]


# ---- msal: device code, cache, refresh ---------------------------------------------------------


def test_device_code_once_then_silent_with_a_private_cache(identity, tmp_path):
    identity.pending_polls = 2  # msal polls while the person types the code
    shown: list[str] = []
    token = microsoft(identity, tmp_path, shown=shown).access_token()

    assert identity.user_for(token) == USER and identity.device_flows == 1
    [message] = shown
    assert message.startswith(f"Sign in to Microsoft 365 as {USER}")
    assert "https://microsoft.com/devicelogin" in message and "ABCD-1234" in message
    cache = tmp_path / "config" / "microsoft-tokens.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    assert os.listdir(cache.parent) == ["microsoft-tokens.json"]  # no temporary file left
    assert token not in identity.requests[0]  # (nothing secret in a URL)

    # A later run: the cached token, no sign-in, no call to the token endpoint.
    requests_before = len(identity.requests)
    again_shown: list[str] = []
    assert microsoft(identity, tmp_path, shown=again_shown).access_token() == token
    assert again_shown == [] and identity.device_flows == 1 and identity.refreshes == 0
    assert not any("token" in r for r in identity.requests[requests_before:])


def test_a_token_about_to_expire_is_refreshed_without_asking(identity, tmp_path):
    identity.lifetime = 60  # msal treats a token with less than 5 minutes left as expired
    first = microsoft(identity, tmp_path).access_token()
    shown: list[str] = []
    second = microsoft(identity, tmp_path, shown=shown).access_token()
    assert second != first and identity.user_for(second) == USER
    assert identity.refreshes == 1 and identity.device_flows == 1 and shown == []


def test_a_revoked_refresh_token_means_signing_in_again(identity, tmp_path):
    microsoft(identity, tmp_path).access_token()
    identity.refresh_tokens.clear()  # e.g. the password was changed
    shown: list[str] = []
    token = microsoft(identity, tmp_path, shown=shown).access_token(force_refresh=True)
    assert identity.user_for(token) == USER and identity.device_flows == 2 and len(shown) == 1


def test_a_damaged_cache_means_signing_in_again(identity, tmp_path):
    cache = tmp_path / "config" / "microsoft-tokens.json"
    cache.parent.mkdir()
    cache.write_text("{not json")
    assert identity.user_for(microsoft(identity, tmp_path).access_token()) == USER
    assert json.loads(cache.read_text())  # replaced by a good one


def test_signing_in_as_someone_else_is_refused(identity, tmp_path):
    identity.signed_in_as = "somebody.else@school.example"
    with pytest.raises(SignInError) as caught:
        microsoft(identity, tmp_path).access_token()
    assert "You signed in to Microsoft 365 as somebody.else@school.example" in str(caught.value)
    assert f"sign in as {USER}" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("AADSTS7000218: The request body must contain 'client_assertion' or 'client_secret'.",
         "'Allow public client flows' to Yes"),
        ("AADSTS700016: Application with identifier 'x' was not found in the directory.",
         "not an app registration of this tenant"),
        ("AADSTS65001: The user or administrator has not consented to use the application.",
         "grant admin consent"),
    ],
)  # fmt: skip
def test_what_microsoft_refuses_is_said_with_what_to_ask_it_for(identity, tmp_path, error, fix):
    identity.device_error = error
    with pytest.raises(SignInError) as caught:
        microsoft(identity, tmp_path).access_token()
    assert str(caught.value).startswith(f"The Microsoft 365 sign-in for {USER} could not start (")
    assert fix in str(caught.value)


def test_an_unknown_tenant_and_an_unreachable_service(identity, tmp_path):
    wrong = microsoft(identity, tmp_path)
    wrong.authority = identity.authority.replace(TENANT, "other.example")
    with pytest.raises(SignInError) as caught:
        wrong.access_token()
    assert "Microsoft does not know the tenant" in str(caught.value)

    away = microsoft(identity, tmp_path)
    away.authority = f"https://127.0.0.1:1/{TENANT}"
    with pytest.raises(SignInError) as caught:
        away.access_token()
    assert "Could not reach Microsoft's sign-in service" in str(caught.value)


# ---- real servers check the tokens ----------------------------------------------------------------


def test_imap_xoauth2_with_dovecot_including_an_expired_token(identity, tmp_path, dovecot):
    with Dovecot(dovecot, user=USER, oauth2_introspection=identity.introspection_url) as server:
        message = EmailMessage()
        message["From"] = "mentor@example.org"
        message["Subject"] = "Goal sheet"
        message.set_content("Attached.")
        message.add_attachment(b"PK\x03\x04", maintype="application", subtype="octet-stream",
                               filename="P01_goal-sheet.docx")  # fmt: skip
        server.deliver(bytes(message))
        address = parse_mailbox_url(f"imap://{USER}@127.0.0.1:{server.port}/INBOX")
        signin = microsoft(identity, tmp_path)

        first = read_mailbox(address, Credentials(USER, token=signin))
        assert first.read == 1 and "method=XOAUTH2" in server.log
        old = signin.access_token()
        identity.expire_all()  # the server now refuses it; msal still thinks it good
        refused = imaplib.IMAP4("127.0.0.1", server.port)
        with pytest.raises(imaplib.IMAP4.error):
            refused.authenticate("XOAUTH2", XOAuth2(USER, old).imap)
        refused.logout()

        server.deliver(bytes(message).replace(b"Goal sheet", b"Second"))
        second = read_mailbox(address, Credentials(USER, token=signin), first.state)

        assert second.read == 1 and identity.refreshes == 1 and identity.device_flows == 1
        assert server.log.count("Login: user=<coordinator@school.example>, method=XOAUTH2") == 2

        # a token for sending mail only does not open the mailbox
        smtp_only = microsoft(identity, tmp_path / "smtp", scopes=(SMTP_SCOPE,))
        with pytest.raises(MailboxError, match="IMAP.AccessAsUser.All"):
            read_mailbox(address, Credentials(USER, token=smtp_only), second.state)

        identity.refresh_tokens.clear()
        identity.expire_all()
        identity.device_error = "AADSTS7000218: client_assertion or client_secret"
        with pytest.raises(SignInError):
            read_mailbox(address, Credentials(USER, token=signin), second.state)


def test_imap_refusing_oauth_says_what_to_check(identity, tmp_path, dovecot):
    with Dovecot(dovecot, user=USER, oauth2_introspection=identity.introspection_url) as server:
        address = parse_mailbox_url(f"imap://{USER}@127.0.0.1:{server.port}/INBOX")

        class Revoked:
            def access_token(self, *, force_refresh: bool = False) -> str:
                return "not-a-token"

        with pytest.raises(MailboxError) as caught:
            read_mailbox(address, Credentials(USER, token=Revoked()))
        assert "refused the OAuth 2.0 sign-in for coordinator@school.example" in str(caught.value)
        assert "IMAP.AccessAsUser.All" in str(caught.value)

    with Dovecot(dovecot, user=USER) as plain:  # no XOAUTH2 there
        address = parse_mailbox_url(f"imap://{USER}@127.0.0.1:{plain.port}/INBOX")
        with pytest.raises(MailboxError) as caught:
            read_mailbox(address, Credentials(USER, token=Revoked()))
        assert "does not accept OAuth 2.0 sign-in (XOAUTH2)" in str(caught.value)


@dataclass
class OAuthCollector(Collector):
    """aiosmtpd handler: AUTH XOAUTH2, each token asked of the identity platform, as Exchange
    Online does (a refused token: a 334 challenge with the JSON error, then 535)."""

    identity: Identity | None = None
    attempts: list[tuple[str, bool]] = field(default_factory=list)
    refuse_with: str = ""  # the server's reply to a refused token (default: aiosmtpd's 535)

    async def auth_XOAUTH2(self, server, args):  # noqa: N802
        blob = args[1] if len(args) > 1 else await server.challenge_auth("")
        text = base64.b64decode(blob).decode() if isinstance(blob, str) else blob.decode()
        fields = dict(part.split("=", 1) for part in text.split("\x01") if part)
        user, token = fields["user"], fields["auth"].removeprefix("Bearer ")
        good = self.identity is not None and self.identity.user_for(token, SMTP_SCOPE) == user
        self.attempts.append((user, good))
        if good:
            return AuthResult(success=True, auth_data=user)
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(success=False, handled=False, message=self.refuse_with or None)


@pytest.fixture
def oauth_smtp(identity):
    """A real SMTP server asking ``identity`` about each token (its certificate is the
    identity platform's: one file to trust, as a company CA would be)."""
    handler = OAuthCollector(identity=identity)
    context = server_tls_context(identity.cert_path, identity.key_path)
    server = Server(handler, tls_context=context, require_starttls=True)
    server.start()
    server.cert_path = identity.cert_path
    yield server
    server.stop()


def test_smtp_xoauth2_with_aiosmtpd_including_an_expired_token(identity, tmp_path, oauth_smtp):
    signin = microsoft(identity, tmp_path, scopes=(SMTP_SCOPE,))
    transport = SMTPTransport("127.0.0.1", oauth_smtp.port, security="starttls", user=USER,
                              token=signin, cafile=oauth_smtp.cert_path)  # fmt: skip
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = USER, "ana@example.org", "Forms"
    message.set_content("Attached.")
    transport.send(message, USER, ["ana@example.org"], name="P01")
    transport.close()
    identity.expire_all()  # the server refuses the cached token: one fresh one, once
    transport.send(message, USER, ["ana@example.org"], name="P01")
    transport.close()

    assert len(oauth_smtp.handler.received) == 2
    assert oauth_smtp.handler.attempts == [(USER, True), (USER, False), (USER, True)]
    assert identity.refreshes == 1 and identity.device_flows == 1

    identity.refresh_tokens.clear()
    identity.expire_all()
    identity.device_error = "AADSTS7000218: client_assertion or client_secret"
    with pytest.raises(ConnectionFailed) as caught:
        transport.send(message, USER, ["ana@example.org"], name="P01")
    assert "'Allow public client flows' to Yes" in str(caught.value)


def test_smtp_refusing_every_token_says_what_to_ask_it(oauth_smtp):
    class Useless:
        def access_token(self, *, force_refresh: bool = False) -> str:
            return "nope"

    transport = SMTPTransport("127.0.0.1", oauth_smtp.port, security="starttls", user=USER,
                              token=Useless(), cafile=oauth_smtp.cert_path)  # fmt: skip
    with pytest.raises(ConnectionFailed) as caught:
        transport.open()
    assert "refused the OAuth 2.0 sign-in for 'coordinator@school.example'" in str(caught.value)
    assert "SMTP.Send" in str(caught.value)

    oauth_smtp.handler.refuse_with = (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant."
    )
    with pytest.raises(ConnectionFailed) as caught:
        transport.open()
    assert "(535 5.7.139 Authentication unsuccessful" in str(caught.value)
    assert "turn on 'Authenticated SMTP' for this mailbox" in str(caught.value)


# ---- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated") / "packets"
    generate_packets(load_roster(SAMPLE_ROSTER), out)
    return out


def test_send_signs_in_with_microsoft_365_from_the_program_sheet(
    identity, tmp_path, oauth_smtp, packets, monkeypatch
):
    roster = tmp_path / "roster.xlsx"
    shutil.copy(SAMPLE_ROSTER, roster)
    book = openpyxl.load_workbook(roster)
    for row in (
        ("Outgoing mail server", f"127.0.0.1:{oauth_smtp.port}"),
        ("Outgoing mail security", "STARTTLS"),
        ("Mail user", USER),
        ("Mail sign-in", "Microsoft 365"),
        ("Microsoft client ID", CLIENT_ID),
        ("Microsoft tenant", TENANT),
    ):
        book["Program"].append(row)
    book.save(roster)
    bundle = identity.cert_path  # one certificate to trust, for both servers
    monkeypatch.setenv("MENTORDOCS_MICROSOFT_AUTHORITY", identity.authority.rsplit("/", 1)[0])
    monkeypatch.setenv("MENTORDOCS_TOKEN_CACHE", str(tmp_path / "cache" / "tokens.json"))
    out = tmp_path / "packets"
    shutil.copytree(packets, out)

    args = ["send", str(out), "--roster", str(roster), "--cafile", str(bundle), "--pair", "P01"]
    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 0, result.output
    assert "https://microsoft.com/devicelogin" in result.stderr and "ABCD-1234" in result.stderr
    assert "1 sent" in result.stdout
    assert oauth_smtp.handler.per_pair() == {"P01": 1}
    assert oauth_smtp.handler.attempts == [(USER, True)]

    again = CliRunner().invoke(cli, [*args[:-1], "P02"])  # the next run: no sign-in to do
    assert again.exit_code == 0, again.output
    assert "devicelogin" not in again.stderr and identity.device_flows == 1


def test_send_sign_in_options_on_the_command_line(packets, tmp_path):
    out = tmp_path / "packets"
    shutil.copytree(packets, out)
    base = ["send", str(out), "--roster", str(SAMPLE_ROSTER)]
    missing = CliRunner().invoke(
        cli, [*base, "--smtp", "localhost", "--user", USER, "--sign-in", "microsoft365"]
    )
    assert missing.exit_code == 2 and "--ms-client-id ID" in missing.output
    outbox = CliRunner().invoke(cli, [*base, "--outbox", "o", "--sign-in", "password"])
    assert outbox.exit_code == 2 and "--sign-in applies only with --smtp" in outbox.output
