"""A pair's meetings, mid-point check and end review as an iCalendar file (Outlook, Google,
Apple Calendar).

One ``VEVENT`` per meeting (timed when the roster gives a time, all-day otherwise) and an all-day
event each for the mid-point check-in and the end-of-program review (the Program sheet's
"Mid-point check" and "End review", see ``models.midpoint_of`` and ``models.end_review_of``). Times are "floating" (no time zone): a calendar shows them at the
local time the roster means, wherever it is.

Each event's ``UID`` is made from the program, the pair and the date, so importing a newer file
updates the events instead of duplicating them. ``SEQUENCE`` and ``DTSTAMP`` change only when an
event's content changes (``previous`` is the file written last time): re-generating an unchanged
roster gives the same bytes, and calendars that look at ``SEQUENCE`` (Outlook) take an update.
An event of the previous file that this one no longer has (a meeting moved to another day or
deleted) is kept with ``STATUS:CANCELLED`` and the next ``SEQUENCE`` (RFC 5545 3.8.1.11), so a
calendar that imported the earlier file takes it out; it stays cancelled in later files.

The lines are written here rather than by icalendar's serializer, which (7.3) turns a literal
backslash-N in a text (``C:\\New``) into a line break and costs about 5 ms a pair, as much as
rendering all four forms; ``icalendar`` encodes the time stamps and URLs, reads the previous
file back, and the tests parse every file with it. Lines are CRLF, folded at 75 octets, never
inside a UTF-8 character or an escape.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass

from icalendar import Calendar
from icalendar.prop import vDatetime, vUri

from mentordocs import __version__
from mentordocs.models import Pair, Roster, end_review_of, midpoint_of

DEFAULT_MEETING_MINUTES = 60
_CONTENT_PROPERTY = "X-MENTORDOCS-CONTENT"
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def _slug(text: str) -> str:
    """``text`` as letters, digits and dashes for a UID. A name beyond ASCII ("Иванов") keeps
    a short hash of itself, so that two such names never share a slug (or their UIDs)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not text.isascii():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
        slug = f"{slug}-{digest}" if slug else digest
    return slug or "x"


def _uid_prefix(roster: Roster, pair: Pair) -> str:
    return f"{_slug(roster.program.name)}-{_slug(pair.pair_id)}-"


def _fold(line: bytes) -> bytes:
    """One content line folded to 75 octets (RFC 5545 3.1), keeping UTF-8 and escapes whole."""
    if len(line) <= 75:
        return line
    pieces = []
    start, limit = 0, 75
    while len(line) - start > limit:
        end = start + limit
        while line[end] & 0xC0 == 0x80:  # never inside a UTF-8 character
            end -= 1
        backslashes = 0
        while line[end - 1 - backslashes] == 0x5C:  # never between "\" and what it escapes
            backslashes += 1
        if backslashes % 2:
            end -= 1
        pieces.append(line[start:end])
        start, limit = end, 74  # a continuation line starts with the folding space
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> bytes:
    """A TEXT value escaped per RFC 5545 3.3.11 (cached: titles and places repeat).

    Not icalendar's vText: it turns a literal backslash-N (``C:\\New``) into a line break.
    """
    escaped = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )
    return escaped.encode("utf-8")


def _stamp(value: dt.date | dt.datetime) -> bytes:
    """Floating local DATE-TIME (RFC 5545 3.3.5 form 1) or DATE, as vDatetime/vDate write them."""
    if isinstance(value, dt.datetime):
        return b"%04d%02d%02dT%02d%02d%02d" % (
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
        )
    return b"%04d%02d%02d" % (value.year, value.month, value.day)


class _Event:
    """One VEVENT's content lines, in order; DTSTAMP, SEQUENCE and the content hash added last.

    ``lines`` are unfolded (the content hash is worked out on them), ``folded`` as written.
    """

    __slots__ = ("uid", "lines", "folded")

    def __init__(self, uid: str) -> None:
        self.uid = uid
        line = b"UID:" + _text(uid)
        self.lines: list[bytes] = [line]
        self.folded: list[bytes] = [_fold(line)]

    def add(self, name: str, value: bytes, parameters: str = "") -> None:
        self.add_line(name.encode("ascii") + parameters.encode("ascii") + b":" + value)

    def add_line(self, line: bytes, folded: bytes | None = None) -> None:
        self.lines.append(line)
        self.folded.append(_fold(line) if folded is None else folded)

    def when(self, name: bytes, value: dt.date | dt.datetime) -> None:
        # Never longer than 75 octets: nothing to fold.
        if isinstance(value, dt.datetime):
            line = name + b":" + _stamp(value)
        else:
            line = name + b";VALUE=DATE:" + _stamp(value)
        self.lines.append(line)
        self.folded.append(line)

    @property
    def content(self) -> str:
        return hashlib.sha256(b"\r\n".join(self.lines)).hexdigest()[:16]

    def to_ical(self, stamp: bytes, sequence: int, content: str) -> list[bytes]:
        return [
            b"BEGIN:VEVENT",
            *self.folded,
            b"DTSTAMP:" + stamp,
            b"SEQUENCE:%d" % sequence,
            _CONTENT_LINE + content.encode("ascii"),
            b"END:VEVENT",
        ]


_CONTENT_LINE = _CONTENT_PROPERTY.encode("ascii") + b":"


class _Lines:
    """Content lines that repeat from event to event (title, place, description), folded once."""

    def __init__(self) -> None:
        self.seen: dict[bytes, bytes] = {}

    def __call__(self, line: bytes) -> tuple[bytes, bytes]:
        folded = self.seen.get(line)
        if folded is None:
            folded = self.seen[line] = _fold(line)
        return line, folded


@dataclass(frozen=True)
class _Before:
    "An event of last time's file: what an update keeps of it, or cancels it by."

    sequence: int
    stamp: bytes  # DTSTAMP as written
    content: str  # the content hash
    summary: str = ""
    start: dt.date | dt.datetime | None = None  # floating, or a date
    end: dt.date | dt.datetime | None = None


def _previous_events(previous: bytes | None) -> dict[str, _Before]:
    """UID -> the event as last time's file had it, read with icalendar; a file it cannot read
    gives nothing (every event then counts as new)."""
    if not previous:
        return {}
    try:
        calendar = Calendar.from_ical(previous)
    except ValueError:
        return {}
    found: dict[str, _Before] = {}
    for event in calendar.walk("VEVENT"):
        uid, stamp = event.get("UID"), event.get("DTSTAMP")
        if not uid or stamp is None or not isinstance(stamp.dt, dt.datetime):
            continue
        if stamp.dt.utcoffset() != dt.timedelta(0):
            continue
        start, end = (_floating(event.get(name)) for name in ("DTSTART", "DTEND"))
        found[str(uid)] = _Before(
            sequence=int(event.get("SEQUENCE", 0)),
            stamp=_utc_stamp(stamp.dt),
            content=str(event.get(_CONTENT_PROPERTY, "")),
            summary=str(event.get("SUMMARY", "")),
            start=start,
            end=end,
        )
    return found


def _floating(value: object) -> dt.date | dt.datetime | None:
    "A DTSTART or DTEND as this module writes them (floating or a date); else None."
    moment = getattr(value, "dt", None)
    if isinstance(moment, dt.datetime):
        return moment if moment.tzinfo is None else None
    return moment if isinstance(moment, dt.date) else None


def _cancelled(uid: str, before: _Before) -> _Event:
    """An event of last time's file that this one no longer has (a meeting moved to another
    day, deleted, or fallen in a break): the same UID, cancelled, so that calendars which
    imported the earlier file take it out instead of keeping it beside the new one."""
    event = _Event(uid)
    summary = before.summary
    if not summary.startswith(_CANCELLED):
        summary = _CANCELLED + summary
    event.add("SUMMARY", _text(summary))
    if before.start is not None:
        event.when(b"DTSTART", before.start)
    if before.end is not None:
        event.when(b"DTEND", before.end)
    event.add("TRANSP", b"TRANSPARENT")
    event.add("STATUS", b"CANCELLED")
    return event


_CANCELLED = "Cancelled: "
_AT = "@mentordocs"  # how every UID this module writes ends


def _utc_stamp(moment: dt.datetime) -> bytes:
    return vDatetime(moment.astimezone(dt.timezone.utc).replace(microsecond=0)).to_ical()


def pair_calendar(
    roster: Roster,
    pair: Pair,
    *,
    previous: bytes | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The pair's meetings, mid-point check and end review as iCalendar bytes (CRLF lines,
    folded).

    ``previous`` is the file generated last time, if any: unchanged events keep their
    ``DTSTAMP`` and ``SEQUENCE``, changed ones get ``SEQUENCE + 1`` and ``DTSTAMP = now``.
    """
    stamp = _utc_stamp(now or dt.datetime.now(dt.timezone.utc))
    before = _previous_events(previous)
    names = f"{pair.mentor.name} / {pair.mentee.name}"
    title = _text(f"Mentoring: {names}")
    events = _meeting_events(roster, pair, title) + [
        _midpoint_event(roster, pair, names),
        _end_review_event(roster, pair, names),
    ]
    out = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _fold(b"PRODID:" + _text(f"-//mentordocs//mentordocs {__version__}//EN")),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        _fold(b"X-WR-CALNAME:" + title),
    ]
    current = {event.uid for event in events}
    own = f"-{_slug(pair.pair_id)}-"  # only this pair's events are cancelled, never another's
    events += [
        _cancelled(uid, old)
        for uid, old in before.items()
        if uid not in current and old.start is not None and own in uid and uid.endswith(_AT)
    ]
    for event in events:
        content = event.content
        sequence, event_stamp = 0, stamp
        if event.uid in before:
            old = before[event.uid]
            if old.content == content:
                sequence, event_stamp = old.sequence, old.stamp
            else:
                sequence = old.sequence + 1
        out.extend(event.to_ical(event_stamp, sequence, content))
    out.append(b"END:VCALENDAR")
    return b"\r\n".join(out) + b"\r\n"


def _meeting_events(roster: Roster, pair: Pair, title: bytes) -> list[_Event]:
    """One event per meeting: timed when a time is known, all-day otherwise."""
    program = roster.program
    uid = _uid_prefix(roster, pair)
    contact = program.coordinator_name
    if program.coordinator_email:
        contact = f"{contact} <{program.coordinator_email}>".strip()
    length = dt.timedelta(minutes=pair.meeting_length or DEFAULT_MEETING_MINUTES)
    repeated = _Lines()
    summary = repeated(b"SUMMARY:" + title)
    events: list[_Event] = []
    per_day: dict[dt.date, int] = {}
    for meeting in sorted(pair.meetings, key=lambda m: (m.date, m.time or dt.time.min)):
        per_day[meeting.date] = per_day.get(meeting.date, 0) + 1
        suffix = "" if per_day[meeting.date] == 1 else f"-{per_day[meeting.date]}"
        event = _Event(f"{uid}{_stamp(meeting.date).decode('ascii')}{suffix}@mentordocs")
        event.add_line(*summary)
        when = meeting.time or pair.meeting_time
        if when is None:
            event.when(b"DTSTART", meeting.date)
            event.when(b"DTEND", meeting.date + dt.timedelta(days=1))
            event.add_line(*repeated(b"TRANSP:TRANSPARENT"))
        else:
            start = dt.datetime.combine(meeting.date, when)
            event.when(b"DTSTART", start)
            event.when(b"DTEND", start + length)
            event.add_line(*repeated(b"TRANSP:OPAQUE"))
        place = meeting.place or pair.meeting_place
        if place:
            event.add_line(*repeated(b"LOCATION:" + _text(place)))
            if _URL.match(place):
                url = vUri(place if "://" in place else "https://" + place).to_ical()
                event.add_line(*repeated(b"URL:" + url))
        lines = [f"Focus: {meeting.focus}"] if meeting.focus else []
        if pair.meeting_mode:
            lines.append(f"Meeting: {pair.meeting_mode}" + (f", {place}" if place else ""))
        lines.append(f"{program.name}, pair {pair.pair_id}.")
        if contact:
            lines.append(f"Coordinator: {contact}")
        event.add_line(*repeated(b"DESCRIPTION:" + _text("\n".join(lines))))
        event.add_line(*repeated(b"STATUS:CONFIRMED"))
        events.append(event)
    return events


def _midpoint_event(roster: Roster, pair: Pair, names: str) -> _Event:
    """The mid-point check, an all-day event."""
    midpoint = midpoint_of(roster.program, pair)
    check = _Event(f"{_uid_prefix(roster, pair)}midpoint@mentordocs")
    check.add("SUMMARY", _text(f"Mid-point check: {names}"))
    check.when(b"DTSTART", midpoint)
    check.when(b"DTEND", midpoint + dt.timedelta(days=1))
    check.add("TRANSP", b"TRANSPARENT")
    check.add(
        "DESCRIPTION",
        _text(
            f"Mid-point check of {roster.program.name}: review the goals and progress together "
            f"and fill in the mid-point check-in form (pair {pair.pair_id})."
        ),
    )
    check.add("STATUS", b"CONFIRMED")
    return check


def _end_review_event(roster: Roster, pair: Pair, names: str) -> _Event:
    """The end-of-program review, an all-day event."""
    day = end_review_of(roster.program, pair)
    review = _Event(f"{_uid_prefix(roster, pair)}end-review@mentordocs")
    review.add("SUMMARY", _text(f"End review: {names}"))
    review.when(b"DTSTART", day)
    review.when(b"DTEND", day + dt.timedelta(days=1))
    review.add("TRANSP", b"TRANSPARENT")
    review.add(
        "DESCRIPTION",
        _text(
            f"End-of-program review of {roster.program.name}: look back on the goals and the "
            f"relationship together and fill in the end-of-program review form "
            f"(pair {pair.pair_id})."
        ),
    )
    review.add("STATUS", b"CONFIRMED")
    return review
