"""What .ci/run installs really runs: both LibreOffice versions and Dovecot.

Each test needs its program: locally it skips without it, under CI=true it fails.
"""

from __future__ import annotations

import imaplib
import socket
from email.message import EmailMessage

import pytest
from conftest import IN_CI
from docx import Document
from dovecot_support import Dovecot
from pypdf import PdfReader

from mentordocs.generate.office import convert


def test_soffice_versions_finds_both_installs(soffice, soffice_25, soffice_versions):
    assert soffice_versions["25.2"].path == soffice_25
    assert soffice_versions["25.2"].version.startswith("25.2.")
    assert soffice in {found.path for found in soffice_versions.values()}
    if IN_CI:
        # .ci/run: Debian 12's libreoffice-writer-nogui, and 25.2 unpacked beside it.
        assert sorted(soffice_versions) == ["25.2", "7.4"]
        assert soffice_versions["7.4"].path != soffice_25


def test_libreoffice_25_converts_a_docx_to_pdf(soffice_25, tmp_path, monkeypatch):
    source = tmp_path / "hello.docx"
    document = Document()
    document.add_paragraph("Converted by LibreOffice 25.2 for mentordocs.")
    document.save(source)
    monkeypatch.setenv("MENTORDOCS_SOFFICE", soffice_25)

    [pdf] = convert([source], "pdf", tmp_path / "out")

    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    assert "Converted by LibreOffice 25.2 for mentordocs." in reader.pages[0].extract_text()
    assert reader.metadata is not None and "LibreOffice 25.2" in (reader.metadata.producer or "")


def test_dovecot_serves_imap_on_localhost(dovecot):
    message = EmailMessage()
    message["From"] = "mentor@example.org"
    message["To"] = "coordinator@example.org"
    message["Subject"] = "P01 action plan, filled in"
    message.set_content("Attached.")

    with Dovecot(dovecot) as server:
        server.deliver(message.as_bytes())
        imap = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        try:
            assert imap.login(server.user, server.password)[0] == "OK"
            status, data = imap.select("INBOX", readonly=True)
            assert (status, data) == ("OK", [b"1"])
            status, fetched = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert status == "OK"
            assert b"Subject: P01 action plan, filled in" in fetched[0][1]
        finally:
            imap.logout()
        process, folder = server.process, server.folder

    assert process is not None and process.poll() is not None, "Dovecot still runs after stop()"
    assert folder is not None and not folder.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
