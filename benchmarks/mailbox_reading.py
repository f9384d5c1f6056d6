"""Benchmark: how fast collect reads returned forms straight from a mailbox (IMAP).

    python benchmarks/mailbox_reading.py                   # 400 messages, over TLS (imaps)
    python benchmarks/mailbox_reading.py --messages 1000 --plain --batch 50

What it does:
1. Builds a roster of N/4 pairs (the sample roster's pairs repeated, as
   benchmarks/generate.py does), generates their packets and fills every form in (as
   benchmarks/collect.py does), so that each of the N messages returns a different form.
2. Starts a real IMAP server, Dovecot, on 127.0.0.1 (tests/dovecot_support.py: an
   unprivileged Dovecot, with a certificate made for the run when over TLS) and delivers N
   messages into its INBOX, each a reply from the pair's mentee with one filled-in form
   attached (a real .docx, about 40 KB), as a mail program would send it.
3. Times ``collect.mailbox.read_mailbox`` on that folder: sign in, EXAMINE, the header pass
   (Message-ID, size), every body fetched with BODY.PEEK[] in batches, each message opened by
   the harvest's email code (its attachment put in the inventory). Messages per second =
   N / wall time, for ``--rounds`` rounds (each from an empty state); the median is printed.
4. Times a second run with the state of the first (nothing new: the UID search only).
5. For comparison, times the IMAP transfer alone: the same FETCH BODY.PEEK[] batches with
   imaplib, nothing opened (what the server and the connection cost).
6. Times the whole harvest as ``mentordocs collect imaps://...`` does it (``collect_forms``
   with the mailbox as its input): fetching, reading every form, writing the tracking
   workbook; then the same again with nothing new.

A script, not a test: the figures depend on the machine. Needs Dovecot (``apt-get install dovecot-imapd``); nothing is written outside
temporary folders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import imaplib
import shutil
import ssl
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from collect import build_roster, fill_one  # noqa: E402  (benchmarks/collect.py)
from dovecot_support import Dovecot  # noqa: E402

from mentordocs.collect import MailboxInput, collect_forms  # noqa: E402
from mentordocs.collect.mailbox import read_mailbox  # noqa: E402
from mentordocs.generate.packets import generate_packets  # noqa: E402
from mentordocs.mailsettings import MailboxAddress  # noqa: E402
from mentordocs.roster import load_roster  # noqa: E402
from mentordocs.signin import Credentials  # noqa: E402

if TYPE_CHECKING:
    from mentordocs.models import Roster

DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
SENT = dt.datetime(2026, 10, 6, 9, 30, tzinfo=dt.timezone.utc)


def forms(folder: Path, count: int) -> tuple[Roster, list[tuple[str, str, bytes]]]:
    """The roster and (mentee email, file name, bytes) of ``count`` filled-in forms, each a
    different pair's or a different form."""
    roster = load_roster(build_roster(max(1, -(-count // 4)), folder))
    generate_packets(roster, folder / "packets", jobs=0)
    mentees = {pair.pair_id: pair.mentee.email for pair in roster.pairs}
    made = []
    for path in sorted((folder / "packets").glob("*/*.docx"))[:count]:
        filled = folder / "filled" / path.name
        fill_one((str(path), str(filled)))
        made.append((mentees[path.parent.name], path.name, filled.read_bytes()))
    return roster, made


def message(number: int, sender: str, name: str, data: bytes) -> bytes:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = "coordinator@example.org"
    reply["Subject"] = f"Re: your mentoring forms ({number})"
    reply["Date"] = format_datetime(SENT)
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply.set_content("Here is my form, filled in.\n")
    reply.add_attachment(data, maintype=DOCX[0], subtype=DOCX[1], filename=name)
    return bytes(reply)


def run(args: argparse.Namespace) -> None:
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        sys.exit("Dovecot is not installed (apt-get install dovecot-imapd).")
    with tempfile.TemporaryDirectory(prefix="mentordocs-bench-") as scratch:
        roster, made = forms(Path(scratch), args.messages)
        with Dovecot(binary, tls=not args.plain) as server:
            size = 0
            for number in range(args.messages):
                sender, name, data = made[number % len(made)]
                raw = message(number, sender, name, data)
                size += len(raw)
                server.deliver(raw)
            if args.plain:
                address = MailboxAddress("imap", server.user, "127.0.0.1", server.port)
                cafile = None
            else:
                address = MailboxAddress("imaps", server.user, "localhost", server.imaps_port)
                cafile = server.cert_path
            login = Credentials(server.user, password=server.password)
            print(
                f"{args.messages} messages ({size / 1e6:.1f} MB) in Dovecot's INBOX, read over "
                f"{'plain IMAP' if args.plain else 'TLS (imaps)'}, {args.batch} a FETCH"
            )
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                harvest = read_mailbox(address, login, cafile=cafile, batch_messages=args.batch)
                times.append(time.perf_counter() - start)
                assert (
                    harvest.read == args.messages
                    and len(harvest.inventory.returns) == args.messages
                )
            start = time.perf_counter()
            again = read_mailbox(address, login, harvest.state, cafile=cafile)
            nothing_new = time.perf_counter() - start
            assert again.read == 0
            transfer = imap_alone(address, server, cafile, args.messages, args.batch)
            mailbox = MailboxInput(address, login, str(cafile) if cafile else None)
            tracking = Path(scratch) / "tracking.xlsx"
            whole = []
            for _ in range(2):  # the harvest, then the same with nothing new
                start = time.perf_counter()
                result = collect_forms([], tracking, roster, mailboxes=[mailbox])
                whole.append(time.perf_counter() - start)
            assert result.problems == [], result.problems[:3]
    best, median = min(times), statistics.median(times)
    print(
        f"read_mailbox: median {median:.2f} s = {args.messages / median:,.0f} messages/s "
        f"({size / 1e6 / median:.1f} MB/s); best {best:.2f} s = {args.messages / best:,.0f} "
        f"messages/s; rounds {', '.join(f'{t:.2f}' for t in times)} s"
    )
    print(f"a second run with nothing new: {nothing_new * 1000:.0f} ms")
    print(
        f"the IMAP transfer alone (imaplib, same batches, nothing opened): {transfer:.2f} s = "
        f"{args.messages / transfer:,.0f} messages/s"
    )
    print(
        f"the whole harvest (collect_forms from the mailbox: fetch, read every form, write the "
        f"tracking workbook): {whole[0]:.2f} s = {args.messages / whole[0]:,.0f} messages/s; "
        f"again with nothing new: {whole[1]:.2f} s"
    )


def imap_alone(
    address: MailboxAddress, server: Dovecot, cafile: Path | None, count: int, batch: int
) -> float:
    start = time.perf_counter()
    if cafile is None:
        imap = imaplib.IMAP4(address.host, address.port)
    else:
        context = ssl.create_default_context(cafile=str(cafile))
        imap = imaplib.IMAP4_SSL(address.host, address.port, ssl_context=context)
    imap.login(server.user, server.password)
    imap.select("INBOX", readonly=True)
    fetched = 0
    for first in range(1, count + 1, batch):
        last = min(first + batch - 1, count)
        _, data = imap.uid("FETCH", f"{first}:{last}", "(UID BODY.PEEK[])")
        fetched += sum(1 for item in data if isinstance(item, tuple))
    imap.logout()
    assert fetched == count
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--batch", type=int, default=25, help="messages per FETCH (default 25)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="plain IMAP instead of TLS")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
