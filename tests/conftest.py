"""Shared fixtures. Tests write only to tmp_path; nothing is written into the repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mentordocs.generate.office import find_soffice

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SAMPLE_ROSTER = SAMPLES / "roster.xlsx"
TEMPLATES = REPO / "templates"
REAL_DOCX = REPO / "tests" / "fixtures" / "real-docx"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


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
        message = (
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
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
