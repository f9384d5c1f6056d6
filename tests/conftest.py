"""Shared fixtures. Tests write only to tmp_path; nothing is written into the repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from mentordocs.generate.office import find_soffice

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SAMPLE_ROSTER = SAMPLES / "roster.xlsx"
TEMPLATES = REPO / "templates"
REAL_DOCX = REPO / "tests" / "fixtures" / "real-docx"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Where .ci/install-libreoffice-25 unpacks LibreOffice 25.2 beside the system's 7.4;
# MENTORDOCS_SOFFICE_25 points elsewhere.
SOFFICE_25 = os.environ.get("MENTORDOCS_SOFFICE_25") or (
    "/opt/libreoffice-25.2/usr/lib/libreoffice/program/soffice"
)


def missing(message: str) -> NoReturn:
    """Something a test needs is not installed: a skip locally, a failure under CI=true."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Every test marked "soffice" gets the soffice fixture, so it skips locally without
    # LibreOffice and fails under CI=true.
    for item in items:
        if item.get_closest_marker("soffice") and "soffice" not in getattr(
            item, "fixturenames", []
        ):
            item.fixturenames.append("soffice")


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice. Missing: a skip locally, a failure under CI=true."""
    found = find_soffice()
    if found is None:
        missing("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui")
    return found


@dataclass(frozen=True)
class Soffice:
    """One LibreOffice install: its soffice and the version it reports (e.g. "25.2.3.2")."""

    path: str
    version: str


def soffice_version(path: str) -> str:
    """Run ``soffice --version`` once, with a throw-away profile of its own."""
    with tempfile.TemporaryDirectory(prefix="mentordocs-lo-version-") as profile:
        completed = subprocess.run(
            [path, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    found = re.search(r"LibreOffice (\d+(?:\.\d+)+)", completed.stdout)
    if completed.returncode != 0 or found is None:
        pytest.fail(
            f"{path} --version gave exit {completed.returncode}: {completed.stdout}{completed.stderr}"
        )
    return found.group(1)


@pytest.fixture(scope="session")
def soffice_versions() -> dict[str, Soffice]:
    """The LibreOffice installs found, by the major.minor version they report.

    Two places are looked at: the system's soffice (``find_soffice()``: ``MENTORDOCS_SOFFICE``,
    else PATH and the usual folders; Debian 12's 7.4 in CI) and 25.2 beside it
    (``MENTORDOCS_SOFFICE_25``, else /opt/libreoffice-25.2, put there by
    .ci/install-libreoffice-25). Each is asked its version once. What is not installed is simply
    not in the result: use the ``soffice`` and ``soffice_25`` fixtures to require one.
    """
    paths = [find_soffice(), SOFFICE_25]
    found: dict[str, Soffice] = {}
    for path in dict.fromkeys(p for p in paths if p and Path(p).exists()):
        version = soffice_version(path)
        found.setdefault(".".join(version.split(".")[:2]), Soffice(path, version))
    return found


@pytest.fixture(scope="session")
def soffice_74(soffice_versions: dict[str, Soffice]) -> str:
    """Path of LibreOffice 7.4's soffice (Debian 12's, the system's in CI), for the tests of
    what that version does. Missing: a skip locally, a failure under CI=true."""
    found = soffice_versions.get("7.4")
    if found is None:
        missing(
            f"LibreOffice 7.4 is not installed (found {sorted(soffice_versions) or 'no version'}); "
            "on Debian 12: apt-get install libreoffice-writer-nogui"
        )
    return found.path


@pytest.fixture(scope="session")
def soffice_25(soffice_versions: dict[str, Soffice]) -> str:
    """Path of LibreOffice 25.2's soffice. Missing: a skip locally, a failure under CI=true."""
    found = soffice_versions.get("25.2")
    if found is None:
        missing(
            f"LibreOffice 25.2 is not installed: not at {SOFFICE_25} (MENTORDOCS_SOFFICE_25 to "
            f"point elsewhere), found {sorted(soffice_versions) or 'no version'}; "
            ".ci/install-libreoffice-25 unpacks it"
        )
    return found.path


@pytest.fixture(scope="session")
def dovecot() -> str:
    """Path of the Dovecot binary (tests/dovecot_support.py starts it). Missing: a skip locally,
    a failure under CI=true."""
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        missing("Dovecot is not installed; .ci/run installs dovecot-imapd")
    return found


@pytest.fixture(scope="session")
def real_docx() -> Path:
    """The folder of real .docx files made by Word, LibreOffice and Google Docs.

    They are committed in tests/fixtures/real-docx/ (provenance: tests/fixtures/README.md), so
    this never skips: a missing or empty folder is a failure everywhere.
    """
    if not any(REAL_DOCX.glob("*.docx")):
        pytest.fail(f"{REAL_DOCX} is missing or holds no .docx files: see tests/fixtures/README.md")
    return REAL_DOCX


@pytest.fixture
def sample_roster(tmp_path: Path) -> Path:
    """A private copy of samples/roster.xlsx in tmp_path."""
    target = tmp_path / "roster.xlsx"
    shutil.copy(SAMPLE_ROSTER, target)
    return target


@pytest.fixture(scope="module")
def shared_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, shared by a test module."""
    from test_send_support import Collector, Server

    server = Server(Collector()).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(shared_server):
    """The shared SMTP server, emptied: what it receives is in ``.handler.received``."""
    shared_server.handler.reset()
    return shared_server
