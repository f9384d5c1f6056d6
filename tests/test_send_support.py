"""Shared pieces for the send tests: a roster, a packets folder, a real SMTP server, a certificate.

Not a test module of its own (no tests here); test_send*.py import from it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from docx import Document

from mentordocs.forms import load_form_specs, template_version_now
from mentordocs.fsutil import sha256_file
from mentordocs.models import Pair, Person, Program, Roster
from mentordocs.records import Manifest, ManifestEntry, write_manifest

FORMS = ("action-plan", "terms-of-engagement", "goal-sheet", "confidentiality-agreement")
COORDINATOR = "coordinator@example.org"


def make_roster(tmp_path: Path, *, pairs: int = 3) -> Roster:
    """Three active pairs; P02 has non-ASCII names, the coordinator too."""
    program = Program(
        name="Riverside Mentoring 2027",
        coordinator_name="Zoë Okafor-Lindqvist",
        coordinator_email=COORDINATOR,
        start_date=dt.date(2027, 1, 11),
        end_date=dt.date(2027, 6, 25),
        midpoint=dt.date(2027, 3, 29),
        organization="Riverside School",
        forms_due=dt.date(2027, 1, 29),
    )
    people = [
        (Person("Ana Müller", "ana@example.org"), Person("Ben Osei", "ben@example.org")),
        (Person("José Álvarez", "jose@example.org"), Person("Søren Ødegård", "soren@example.org")),
        (Person("Chen Wei 陈伟", "chen@example.org"), Person("Dana O'Neil", "dana@example.org")),
        (Person("Eve Adams", "eve@example.org"), Person("Finn Berg", "finn@example.org")),
    ]
    made = [
        Pair(
            pair_id=f"P{n:02d}",
            mentor=mentor,
            mentee=mentee,
            start_date=program.start_date,
            end_date=program.end_date,
            row=n + 1,
        )
        for n, (mentor, mentee) in enumerate(people[:pairs], start=1)
    ]
    return Roster(path=tmp_path / "roster.xlsx", program=program, pairs=made)


def write_docx(path: Path, text: str, *, pair_id: str | None = None) -> None:
    """A small real .docx; with ``pair_id``, the mentordocs.pair_id custom property as generate sets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(text)
    document.save(path)
    if pair_id is not None:
        add_custom_property(path, "mentordocs.pair_id", pair_id)


def add_custom_property(path: Path, name: str, value: str) -> None:
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property></Properties>'
    )
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    parts["docProps/custom.xml"] = custom.encode()
    types = parts["[Content_Types].xml"].decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/docProps/custom.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
    )
    parts["[Content_Types].xml"] = types.encode()
    rels = parts["_rels/.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
    )
    parts["_rels/.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name_, data in parts.items():
            target.writestr(name_, data)


def ics_text(pair_id: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mentordocs//test//EN\r\nMETHOD:PUBLISH\r\n"
        f"BEGIN:VEVENT\r\nUID:{pair_id}-1@mentordocs\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART:20270111T150000Z\r\nSUMMARY:Mentoring meeting {pair_id}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def make_packets(out: Path, roster: Roster, forms: tuple[str, ...] = FORMS) -> Manifest:
    """OUT/<pair>/<pair>_<form>.docx + <pair>_meetings.ics and manifest.json, as generate writes."""
    entries: list[ManifestEntry] = []
    for pair in roster.pairs:
        folder = out / pair.pair_id
        for form in forms:
            path = folder / f"{pair.pair_id}_{form}.docx"
            write_docx(path, f"{form} for {pair.pair_id}", pair_id=pair.pair_id)
            entries.append(entry(out, pair.pair_id, form, path))
        ics = folder / f"{pair.pair_id}_meetings.ics"
        ics.write_text(ics_text(pair.pair_id), encoding="utf-8", newline="")
        entries.append(entry(out, pair.pair_id, "meetings", ics))
    manifest = Manifest(program=roster.program.name, roster="roster.xlsx", files=entries)
    write_manifest(out, manifest)
    return manifest


def entry(out: Path, pair_id: str, form: str, path: Path) -> ManifestEntry:
    return ManifestEntry(
        pair_id=pair_id,
        form=form,
        path=path.relative_to(out).as_posix(),
        sha256=sha256_file(path),
        # As generate records it: the version of the shipped template the form is made from.
        template_version=SHIPPED_VERSIONS.get(form, ""),
    )


SHIPPED_VERSIONS = {form: template_version_now(spec) for form, spec in load_form_specs().items()}


# ---- a real SMTP server -------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def pair_id(self) -> str:
        names = [part.get_filename() for part in self.message.iter_attachments()]
        owners = {name.split("_", 1)[0] for name in names if name}
        assert len(owners) == 1, f"attachments of several pairs in one message: {names}"
        return owners.pop()


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message; refuses listed recipients; can drop connections."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    drop_after: int | None = None  # close the connection at MAIL FROM once this many arrived
    drop_once_after: int | None = None  # the same, once only (a server closing idle connections)
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        once = self.drop_once_after
        if once is not None and len(self.received) >= once:
            self.drop_once_after = None
            server.transport.close()
            return "421 4.4.2 Idle timeout, closing connection"
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = bytes(envelope.original_content or envelope.content)
        message = BytesParser(policy=policy.default).parsebytes(raw)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw)
            )
        return "250 2.0.0 Message accepted for delivery"

    def reset(self) -> None:
        """Forget everything, as a fresh server would (one server serves a whole test module)."""
        with self.lock:
            self.received.clear()
        self.refuse = set()
        self.drop_after = self.drop_once_after = None
        self.sessions = 0

    def per_pair(self) -> Counter[str]:
        return Counter(item.pair_id for item in self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Start/stop aiosmtpd on 127.0.0.1; ``restart()`` brings it back on the same port."""

    def __init__(self, handler: Collector, **kwargs):
        self.handler = handler
        self.kwargs = kwargs
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> Server:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    restart = start


def accepting(user: str, password: str):
    """An aiosmtpd authenticator accepting exactly ``user``/``password``."""

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticator


# ---- a self-signed certificate ------------------------------------------------------------------


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
