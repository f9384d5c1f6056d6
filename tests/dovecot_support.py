"""A real IMAP server for tests: an unprivileged Dovecot on 127.0.0.1 and a free port.

Not a test module (no tests here). Use it through the ``dovecot`` fixture, which skips locally
and fails under CI=true when Dovecot is missing::

    with Dovecot(dovecot) as server:
        server.deliver(message_bytes)
        imap = imaplib.IMAP4("127.0.0.1", server.port)
        imap.login(server.user, server.password)

Started as root (CI) it runs as nobody:nogroup; started by anyone else, as that user. Its
configuration, passwords, mail and log live in a scratch folder of its own (not ``tmp_path``:
pytest's folders are private to the user running pytest, which nobody is not), removed by
``stop()``. Configuration as measured in shared/notes/dovecot.md.

Options, for the mailbox tests:

- ``tls=True``: a certificate for localhost/127.0.0.1 made in the test (``cert_path`` is the
  file a client trusts), STARTTLS on ``port`` and TLS from the start on ``imaps_port``;
- ``folders=("Collected",)``: more folders beside INBOX (``deliver(..., folder=...)``);
- ``oauth2_introspection=URL``: XOAUTH2 and OAUTHBEARER sign-in, each token checked by
  Dovecot's ``oauth2`` passdb against that token introspection endpoint (RFC 7662, POST);
- ``capability="..."``: the capabilities announced after login (to test a server without
  MOVE, or without UIDPLUS).

``kill()`` stops the server as a crash or a network cut would, keeping its mail; ``start()``
brings it back on the same port with the same mail (UIDs and UIDVALIDITY kept).
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from test_send_support import free_port, make_certificate

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
{extra}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
{oauth2_passdb}userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
  # No auth penalty (a wait of 2, 4, 8... seconds after each failed sign-in from an address):
  # the tests sign in wrongly on purpose.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service pop3-login {{
  chroot =
}}
"""


OAUTH2_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2.conf.ext
}}
"""

OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


class Dovecot:
    """Start and stop one Dovecot with one mailbox user (``user``/``password``)."""

    def __init__(
        self,
        binary: str,
        *,
        user: str = "coordinator",
        password: str = "secret",
        tls: bool = False,
        folders: tuple[str, ...] = (),
        oauth2_introspection: str | None = None,
        capability: str | None = None,
    ) -> None:
        self.binary = binary
        self.user = user
        self.password = password
        self.tls = tls
        self.folders = folders
        self.oauth2_introspection = oauth2_introspection
        self.capability = capability
        self.port = free_port()
        self.imaps_port = free_port() if tls else 0
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            self.uid, self.gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()

    @property
    def maildir(self) -> Path:
        assert self.folder is not None, "start() the server first"
        return self.folder / "mail" / self.user / "Maildir"

    @property
    def log(self) -> str:
        """What Dovecot has written to its log so far."""
        path = self.folder / "dovecot.log" if self.folder else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    @property
    def cert_path(self) -> Path:
        """The server's certificate (PEM), for a client to trust (``tls=True``)."""
        assert self.folder is not None and self.tls, "start() a server made with tls=True"
        return self.folder / "cert.pem"

    def folder_path(self, name: str = "INBOX") -> Path:
        """The maildir of folder ``name`` (Maildir++: ``.Name`` beside INBOX's own, the name in
        IMAP's modified UTF-7)."""
        from mentordocs.collect.mailbox import encode_folder_name

        return self.maildir if name == "INBOX" else self.maildir / f".{encode_folder_name(name)}"

    def _configure(self, folder: Path) -> Path:
        user, group = pwd.getpwuid(self.uid).pw_name, grp.getgrgid(self.gid).gr_name
        extra = [f"imap_capability = {self.capability}"] if self.capability else []
        if self.tls:
            make_certificate(folder)
            extra += ["ssl = yes", f"ssl_cert = <{folder}/cert.pem", f"ssl_key = <{folder}/key.pem"]
        mechanisms = "plain login"
        oauth2 = ""
        if self.oauth2_introspection:
            mechanisms += " xoauth2 oauthbearer"
            oauth2 = OAUTH2_PASSDB.format(d=folder)
            (folder / "oauth2.conf.ext").write_text(
                OAUTH2_CONFIG.format(url=self.oauth2_introspection)
            )
        text = CONFIG.format(
            d=folder,
            user=user,
            group=group,
            port=self.port,
            imaps_port=self.imaps_port,
            mechanisms=mechanisms,
            extra="\n".join(extra),
            oauth2_passdb=oauth2,
        )
        if self.tls:
            text = text.replace("ssl = no\n", "")
        config = folder / "dovecot.conf"
        config.write_text(text)
        (folder / "passwd").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{self.uid}:{self.gid}::"
            f"{folder}/mail/{self.user}::\n"
        )
        for name in ("INBOX", *self.folders):
            for sub in ("new", "cur", "tmp"):
                (self.folder_path(name) / sub).mkdir(parents=True, exist_ok=True)
        return config

    def start(self, timeout: float = 20) -> Dovecot:
        """Start the server; after ``kill()``, again on the same port with the same mail."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="mentordocs-dovecot-"))
            config = self._configure(self.folder)
        else:
            config = self.folder / "dovecot.conf"
        folder = self.folder
        command = [self.binary, "-F", "-c", str(config)]
        if os.geteuid() == 0:
            for path in (folder, *folder.rglob("*")):
                os.chown(path, self.uid, self.gid)
            setpriv = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
            command = setpriv + command
        with open(folder / "stderr", "wb") as stderr:  # the child keeps its own copy
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + timeout
        ports = [p for p in (self.port, self.imaps_port) if p]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"Dovecot exited with code {self.process.returncode}")
            try:
                for port in ports:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        pass
                return self
            except OSError:
                time.sleep(0.1)
        self._fail(f"Dovecot did not accept connections on 127.0.0.1:{self.port} in {timeout} s")

    def _fail(self, what: str) -> NoReturn:
        assert self.folder is not None
        stderr = (self.folder / "stderr").read_text(errors="replace")
        log = self.log
        self.stop()
        raise RuntimeError(f"{what}\nstderr:\n{stderr}\nlog:\n{log}")

    def deliver(self, message: bytes, folder: str = "INBOX") -> Path:
        """Put ``message`` in the user's ``folder``, as a delivery agent would: written in
        ``tmp``, then renamed into ``new`` (so the server never sees half a message)."""
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.mentordocs"
        scratch = self.folder_path(folder) / "tmp" / name
        scratch.write_bytes(message)
        if os.geteuid() == 0:
            os.chown(scratch, self.uid, self.gid)
        target = self.folder_path(folder) / "new" / name
        scratch.rename(target)
        return target

    def add_folder(self, name: str) -> str:
        """A new, empty folder ``name`` (its name on disk in IMAP's modified UTF-7, as Dovecot
        keeps it); returns ``name``."""
        from mentordocs.collect.mailbox import encode_folder_name

        path = self.maildir / f".{encode_folder_name(name)}"
        for sub in ("new", "cur", "tmp"):
            (path / sub).mkdir(parents=True)
        if os.geteuid() == 0:
            for item in (path, *path.iterdir()):
                os.chown(item, self.uid, self.gid)
        self.folders = (*self.folders, name)
        return name

    def messages(self, folder: str = "INBOX") -> list[Path]:
        """The files of the messages in ``folder`` (new and cur), as Dovecot keeps them."""
        path = self.folder_path(folder)
        return sorted(p for sub in ("new", "cur") for p in (path / sub).iterdir())

    def kill(self) -> None:
        """Stop the server and every process it started (by their ids), dropping every
        connection as a crash or a cut network would; its mail stays for ``start()``.

        (Stopping only the master, as ``stop()`` does, leaves an imap process serving a client
        that is still connected until it logs out.)"""
        if self.process is not None and self.process.poll() is None:
            started = _descendants(self.process.pid)
            self.process.terminate()
            self.process.wait(timeout=10)
            for pid in started:  # the master leaves them to finish their work: end them now
                with contextlib.suppress(OSError):  # gone already
                    if b"dovecot" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)
        self.process = None

    def stop(self) -> None:
        """Stop the server (by its process id) and remove its folder."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder)
            self.folder = None

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
