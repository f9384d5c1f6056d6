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
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from test_send_support import free_port

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
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
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
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
"""


class Dovecot:
    """Start and stop one Dovecot with one mailbox user (``user``/``password``)."""

    def __init__(self, binary: str, *, user: str = "coordinator", password: str = "secret") -> None:
        self.binary = binary
        self.user = user
        self.password = password
        self.port = free_port()
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

    def start(self, timeout: float = 20) -> Dovecot:
        folder = self.folder = Path(tempfile.mkdtemp(prefix="mentordocs-dovecot-"))
        user, group = pwd.getpwuid(self.uid).pw_name, grp.getgrgid(self.gid).gr_name
        config = folder / "dovecot.conf"
        config.write_text(CONFIG.format(d=folder, user=user, group=group, port=self.port))
        (folder / "passwd").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{self.uid}:{self.gid}::"
            f"{folder}/mail/{self.user}::\n"
        )
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        command = [self.binary, "-F", "-c", str(config)]
        if os.geteuid() == 0:
            for path in (folder, *folder.rglob("*")):
                os.chown(path, self.uid, self.gid)
            setpriv = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
            command = setpriv + command
        with open(folder / "stderr", "wb") as stderr:  # the child keeps its own copy
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"Dovecot exited with code {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
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

    def deliver(self, message: bytes) -> Path:
        """Put ``message`` in the user's INBOX, as a delivery agent would."""
        target = self.maildir / "new" / f"{time.time_ns()}.{uuid.uuid4().hex}.mentordocs"
        target.write_bytes(message)
        if os.geteuid() == 0:
            os.chown(target, self.uid, self.gid)
        return target

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
