"""A pair's meetings and mid-point check as an iCalendar file (Outlook, Google, Apple Calendar).

One ``VEVENT`` per meeting (timed when the roster gives a time, all-day otherwise) and an all-day
event for the mid-point check. Times are "floating" (no time zone): a calendar shows them at the
local time the roster means, wherever it is.

Each event's ``UID`` is made from the program, the pair and the date, so importing a newer file
updates the events instead of duplicating them. ``SEQUENCE`` and ``DTSTAMP`` change only when an
event's content changes (``previous`` is the file written last time): re-generating an unchanged
roster gives the same bytes, and calendars that look at ``SEQUENCE`` (Outlook) take an update.
A meeting whose date changes gets a new UID: the old event stays in calendars that imported it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from icalendar import Calendar, Event

from mentordocs import __version__
from mentordocs.models import Pair, Roster

DEFAULT_MEETING_MINUTES = 60
_CONTENT_PROPERTY = "X-MENTORDOCS-CONTENT"
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "x"


def _uid(roster: Roster, pair: Pair, what: str) -> str:
    return f"{_slug(roster.program.name)}-{_slug(pair.pair_id)}-{what}@mentordocs"


def _midpoint(roster: Roster, pair: Pair) -> dt.date:
    """The program's mid-point check, or the middle of the pair's own dates if they differ."""
    program = roster.program
    if (pair.start_date, pair.end_date) == (program.start_date, program.end_date):
        return program.midpoint
    if pair.start_date <= program.midpoint <= pair.end_date:
        return program.midpoint
    return pair.start_date + (pair.end_date - pair.start_date) / 2


def _content_hash(event: Event) -> str:
    return hashlib.sha256(event.to_ical()).hexdigest()[:16]


def _previous_events(previous: bytes | None) -> dict[str, tuple[int, dt.datetime, str]]:
    """UID -> (sequence, dtstamp, content hash) from last time's file (empty if unreadable)."""
    if not previous:
        return {}
    try:
        calendar = Calendar.from_ical(previous)
    except ValueError:
        return {}
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        stamp = event.get("DTSTAMP")
        if not uid or stamp is None:
            continue
        found[uid] = (
            int(event.get("SEQUENCE", 0)),
            stamp.dt,
            str(event.get(_CONTENT_PROPERTY, "")),
        )
    return found


def pair_calendar(
    roster: Roster,
    pair: Pair,
    *,
    previous: bytes | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The pair's meetings and mid-point check as iCalendar bytes (CRLF lines, folded).

    ``previous`` is the file generated last time, if any: unchanged events keep their
    ``DTSTAMP`` and ``SEQUENCE``, changed ones get ``SEQUENCE + 1`` and ``DTSTAMP = now``.
    """
    stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = stamp.replace(microsecond=0)
    before = _previous_events(previous)
    program = roster.program
    names = f"{pair.mentor.name} / {pair.mentee.name}"

    calendar = Calendar()
    calendar.add("prodid", f"-//mentordocs//mentordocs {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Mentoring: {names}")

    minutes = pair.meeting_length or DEFAULT_MEETING_MINUTES
    events: list[Event] = []
    per_day: dict[dt.date, int] = {}
    for meeting in sorted(pair.meetings, key=lambda m: (m.date, m.time or dt.time.min)):
        per_day[meeting.date] = per_day.get(meeting.date, 0) + 1
        suffix = "" if per_day[meeting.date] == 1 else f"-{per_day[meeting.date]}"
        event = Event()
        event.add("uid", _uid(roster, pair, f"{meeting.date:%Y%m%d}{suffix}"))
        event.add("summary", f"Mentoring: {names}")
        when = meeting.time or pair.meeting_time
        if when is None:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        else:
            start = dt.datetime.combine(meeting.date, when)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=minutes))
            event.add("transp", "OPAQUE")
        place = meeting.place or pair.meeting_place
        if place:
            event.add("location", place)
            if _URL.match(place):
                url = place if "://" in place else "https://" + place
                event.add("url", url)
        lines = []
        if meeting.focus:
            lines.append(f"Focus: {meeting.focus}")
        if pair.meeting_mode:
            lines.append(f"Meeting: {pair.meeting_mode}" + (f", {place}" if place else ""))
        lines.append(f"{program.name}, pair {pair.pair_id}.")
        if program.coordinator_name or program.coordinator_email:
            contact = program.coordinator_name
            if program.coordinator_email:
                contact = f"{contact} <{program.coordinator_email}>".strip()
            lines.append(f"Coordinator: {contact}")
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED")
        events.append(event)

    midpoint = _midpoint(roster, pair)
    check = Event()
    check.add("uid", _uid(roster, pair, "midpoint"))
    check.add("summary", f"Mid-point check: {names}")
    check.add("dtstart", midpoint)
    check.add("dtend", midpoint + dt.timedelta(days=1))
    check.add("transp", "TRANSPARENT")
    check.add(
        "description",
        f"Mid-point check of {program.name}: review the goals and progress together "
        f"(pair {pair.pair_id}).",
    )
    check.add("status", "CONFIRMED")
    events.append(check)

    for event in events:
        content = _content_hash(event)
        uid = str(event["UID"])
        sequence, dtstamp = 0, stamp
        if uid in before:
            old_sequence, old_stamp, old_content = before[uid]
            if old_content == content:
                sequence, dtstamp = old_sequence, old_stamp
            else:
                sequence = old_sequence + 1
        event.add("dtstamp", dtstamp)
        event.add("sequence", sequence)
        event.add(_CONTENT_PROPERTY.lower(), content)
        calendar.add_component(event)
    return calendar.to_ical()
