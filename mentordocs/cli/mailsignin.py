"""Signing in to mail servers from the command line, shared by ``send`` and ``collect``.

- ``sign_in_options``: ``--sign-in``, ``--ms-client-id``, ``--ms-tenant`` (each may come from
  the roster's Program sheet instead, see ``mentordocs.mailsettings``);
- ``credentials``: the ``Credentials`` for a server: a password from an environment variable
  or a hidden prompt (asked only when a connection is made), or a Microsoft 365 sign-in whose
  device code is shown on stderr.

A password never comes from the command line or the workbook.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from mentordocs.cli.common import echo_err

if TYPE_CHECKING:
    from mentordocs.mailsettings import MailSettings
    from mentordocs.models import Roster
    from mentordocs.signin import Credentials

SMTP_PASSWORD_ENV = "MENTORDOCS_SMTP_PASSWORD"
#: Another Microsoft sign-in authority (a national cloud, e.g. https://login.microsoftonline.us).
AUTHORITY_ENV = "MENTORDOCS_MICROSOFT_AUTHORITY"
SIGN_IN_METHODS = ("password", "microsoft365", "none")
_GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

_Command = TypeVar("_Command", bound=Callable[..., object])


def sign_in_options(command: _Command) -> _Command:
    """``--sign-in``, ``--ms-client-id``, ``--ms-tenant``."""
    options = [
        click.option(
            "--sign-in",
            "sign_in",
            type=click.Choice(SIGN_IN_METHODS),
            metavar="METHOD",
            help="How to sign in: password (asked for, or from the environment), microsoft365 "
            "(OAuth 2.0: a code to enter in a browser, once), or none. Default: the roster's "
            "'Mail sign-in', else password when a user is given.",
        ),
        click.option(
            "--ms-client-id",
            metavar="ID",
            help="Microsoft 365: your organisation's app registration (Application (client) ID).",
        ),
        click.option(
            "--ms-tenant",
            metavar="TENANT",
            help="Microsoft 365: your organisation (e.g. school.onmicrosoft.com). Default: the "
            "domain of the user's address.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def resolve_method(option: str | None, settings: MailSettings | None, user: str | None) -> str:
    """The sign-in method: the option, else the roster's, else password when there is a user."""
    if option:
        return option
    if settings is not None and settings.sign_in:
        return settings.sign_in
    return "password" if user else "none"


def credentials(
    *,
    method: str,
    user: str,
    host: str,
    password_env: str,
    scopes: Sequence[str],
    settings: MailSettings | None = None,
    client_id: str | None = None,
    tenant: str | None = None,
    cafile: Path | None = None,
) -> Credentials:
    """How ``user`` signs in to ``host``: a password (``password_env`` or a hidden prompt,
    asked when first needed) or, for ``microsoft365``, a Microsoft 365 token."""
    from mentordocs.signin import Credentials, MicrosoftSignIn

    if method != "microsoft365":
        return Credentials(user, password=_password_prompt(password_env, user, host))
    client = client_id or (settings.microsoft_client_id if settings else "")
    domain = user.rpartition("@")[2]
    chosen_tenant = tenant or (settings.microsoft_tenant if settings else "") or domain
    if client and not _GUID.fullmatch(client):
        raise click.BadParameter(
            f"{client!r} is not an Application (client) ID: copy it from the app registration's "
            "Overview page (36 characters like 0a1b2c3d-1111-2222-3333-444455556666).",
            param_hint="'--ms-client-id'",
        )
    if not client:
        raise click.UsageError(
            "Microsoft 365 sign-in needs your organisation's app registration: give "
            "--ms-client-id ID, or write it on the roster's Program sheet as 'Microsoft client "
            "ID' (see docs/mail-sign-in.md)."
        )
    if not chosen_tenant:
        raise click.UsageError(
            "Microsoft 365 sign-in needs the tenant: give --ms-tenant (e.g. "
            "school.onmicrosoft.com), or sign in with an email address as the user."
        )
    authority = os.environ.get(AUTHORITY_ENV)
    token = MicrosoftSignIn(
        client,
        chosen_tenant,
        user,
        scopes,
        show=echo_err,
        authority=f"{authority.rstrip('/')}/{chosen_tenant}" if authority else None,
        cafile=cafile,
    )
    return Credentials(user, token=token)


def _password_prompt(env: str, user: str, host: str) -> Callable[[], str]:
    def password() -> str:
        value = os.environ.get(env)
        if value:
            return value
        return str(
            click.prompt(f"Password for {user} on {host} (or set {env})", hide_input=True, err=True)
        )

    return password


def mail_settings(roster: Roster, roster_path: Path) -> MailSettings:
    """The roster's mail settings (Program sheet); a mistake there stops before sending."""
    from mentordocs.errors import RosterError
    from mentordocs.mailsettings import mail_settings_from_program

    settings, problems = mail_settings_from_program(roster.program, file=str(roster_path))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RosterError(errors)
    return settings
