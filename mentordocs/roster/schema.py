"""The roster workbook's format: its sheets, their columns, the allowed values, the Program
sheet's settings, and how a header written in the workbook is matched to a column.

Declared once here and shared by the loader, ``starter.py`` (the workbook ``mentordocs init``
writes) and ``docs/roster.md``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from mentordocs.models import (
    COMMITMENT_AREAS,
    FREQUENCIES,
    HORIZONS,
    MEETING_DAYS,
    MEETING_MODES,
    PAPER_SIZES,
    PLAN_TYPES,
    STATUSES,
    WHOSE_GOALS,
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one setting of the Program sheet)."""

    key: str  # attribute name in the model
    header: str  # the header as the starter workbook writes it
    required: bool = False
    kind: str = "text"  # text, line, id, email, emails, date, time, int, minutes, choice, plan
    choices: tuple[str, ...] = ()
    hint: str = ""  # what to enter: used in fixes, the Instructions sheet and header comments
    aliases: tuple[str, ...] = ()
    width: int = 18  # column width in the starter workbook


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the roster: its name, whether the workbook must have it, its columns."""

    name: str
    required: bool
    columns: tuple[Column, ...]
    purpose: str = ""
    aliases: tuple[str, ...] = ()  # other names the sheet is found by

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


# One line per column, so the format reads as a table.
# fmt: off
PROGRAM_SETTINGS: tuple[Column, ...] = (
    Column("name", "Program name", required=True, kind="line", hint="The program's name, as it appears on every form.", aliases=("program", "name")),
    Column("organization", "Organization", kind="line", hint="The school, district or company running the program.", aliases=("organisation",)),
    Column("coordinator_name", "Coordinator name", required=True, kind="line", hint="Who runs the program: the person pairs contact.", aliases=("coordinator",)),
    Column("coordinator_email", "Coordinator email", required=True, kind="email", hint="The coordinator's email address, e.g. coordinator@example.org."),
    Column("start_date", "Start date", required=True, kind="date", hint="First day of the program, e.g. 2026-09-01.", aliases=("program start", "start")),
    Column("end_date", "End date", required=True, kind="date", hint="Last day of the program, e.g. 2027-06-15.", aliases=("program end", "end")),
    Column("midpoint", "Mid-point check", kind="date", hint="Date of the mid-point review; blank = halfway between start and end.", aliases=("midpoint", "mid point", "midpoint review", "mid-point review")),
    Column("end_review", "End review", kind="date", hint="Date of the end-of-program review; blank = each pair's end date.", aliases=("end of program review", "end-of-program review", "final review", "end review date")),
    Column("forms_due", "Forms due", kind="date", hint="When the signed forms are due back.", aliases=("forms due date", "due date")),
    Column("standards", "Standards", hint="What the goals are measured against, e.g. a state's educator standards."),
    Column("signed_copies_to", "Signed copies to", kind="emails", hint="Email address(es) that receive signed copies; separate several with ';'."),
    Column("paper_size", "Paper size", kind="choice", choices=PAPER_SIZES, hint="The page size the forms print on: A4, or Letter (US); blank = A4.", aliases=("paper", "page size")),
)

_ID_HINT = "A short code for the pair, used in file names, e.g. P01."
_PAIR_ALIASES = ("pair", "pair code", "pair number", "pair no")

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("Program", True, (
        Column("setting", "Setting", required=True, kind="line", width=24),
        Column("value", "Value", required=True, width=48),
    ), "One row per setting: the setting's name in column A, its value in column B.", ("Programme", "Settings", "Program settings")),
    SheetSpec("Pairs", True, (
        Column("pair_id", "Pair ID", required=True, kind="id", hint=_ID_HINT, aliases=("pair", "id", "pair code", "pair number", "pair no"), width=10),
        Column("mentor_name", "Mentor name", required=True, kind="line", hint="The mentor's full name.", aliases=("mentor",), width=24),
        Column("mentor_role", "Mentor role", kind="line", hint="E.g. Grade 3 teacher.", width=22),
        Column("mentor_email", "Mentor email", required=True, kind="email", hint="The mentor's email address, e.g. ana.lopez@example.org.", width=30),
        Column("mentor_phone", "Mentor phone", kind="line", aliases=("mentor phone number", "mentor cell"), width=16),
        Column("mentee_name", "Mentee name", required=True, kind="line", hint="The mentee's full name.", aliases=("mentee",), width=24),
        Column("mentee_role", "Mentee role", kind="line", hint="E.g. First-year Grade 3 teacher.", width=22),
        Column("mentee_email", "Mentee email", required=True, kind="email", hint="The mentee's email address.", width=30),
        Column("mentee_phone", "Mentee phone", kind="line", aliases=("mentee phone number", "mentee cell"), width=16),
        Column("plan_type", "Plan type", kind="plan", choices=PLAN_TYPES, hint="One method, or two joined by '+' (e.g. Mutual growth + Coaching); blank = Mentee-focused.", aliases=("plan", "plan method", "plan methods"), width=24),
        Column("meeting_day", "Meeting day", kind="choice", choices=MEETING_DAYS, hint="Day of the regular meeting; blank = no schedule worked out.", width=13),
        Column("meeting_time", "Meeting time", kind="time", hint="E.g. 15:30 or 3:30 PM.", width=13),
        Column("meeting_length", "Meeting length (minutes)", kind="minutes", hint="E.g. 45.", aliases=("meeting length", "length", "meeting minutes", "duration"), width=14),
        Column("meeting_mode", "Meeting mode", kind="choice", choices=MEETING_MODES, width=13),
        Column("meeting_place", "Meeting place", kind="line", hint="A room, or the video link for online meetings.", aliases=("place", "meeting location", "location"), width=28),
        Column("frequency", "Frequency", kind="choice", choices=FREQUENCIES, hint="How often the pair meets.", aliases=("meeting frequency",), width=15),
        Column("start_date", "Start date", kind="date", hint="Blank = the program's start date.", width=13),
        Column("end_date", "End date", kind="date", hint="Blank = the program's end date.", width=13),
        Column("cancellation_plan", "Cancellation plan", hint="What the pair does when a meeting must be cancelled.", width=30),
        Column("informal_contact", "Informal contact", hint="How the pair keeps in touch between meetings.", width=30),
        Column("status", "Status", kind="choice", choices=STATUSES, hint="Blank = Active. Only Active pairs get packets.", width=10),
    ), "One row per mentor/mentee pair.", ("Pair", "Mentoring pairs")),
    SheetSpec("Goals", False, (
        Column("pair_id", "Pair ID", required=True, kind="id", hint="The pair's ID from the Pairs sheet.", aliases=_PAIR_ALIASES, width=10),
        Column("number", "Goal #", kind="int", hint="1, 2, 3... Blank = numbered in sheet order.", aliases=("goal number", "goal no", "number", "no", "#"), width=8),
        Column("goal", "Goal", required=True, hint="The goal, in a sentence.", width=40),
        Column("horizon", "Horizon", kind="choice", choices=HORIZONS, width=12),
        Column("mentor_support", "Mentor support", hint="How the mentor will help.", width=30),
        Column("mentee_accountable", "Mentee accountable for", hint="What the mentee will do.", aliases=("mentee accountable", "mentee accountability"), width=30),
        Column("measure", "Measure of progress", hint="How progress will be seen.", aliases=("measure", "progress measure"), width=30),
        Column("target_date", "Target date", kind="date", width=13),
        Column("whose", "Whose goal", kind="choice", choices=WHOSE_GOALS, hint="Mentee (the mentee's goal), Mentor (the mentor's own growth goal) or Joint (set together, as in coaching); blank = Mentee.", aliases=("whose", "goal of", "goal owner", "owner"), width=12),
    ), "Optional. Several rows per pair, one per goal.", ("Goal",)),
    SheetSpec("Meetings", False, (
        Column("pair_id", "Pair ID", required=True, kind="id", hint="The pair's ID from the Pairs sheet.", aliases=_PAIR_ALIASES, width=10),
        Column("date", "Date", required=True, kind="date", hint="The meeting's date, e.g. 2026-09-08.", aliases=("meeting date",), width=13),
        Column("time", "Time", kind="time", hint="Blank = the pair's meeting time.", aliases=("meeting time",), width=10),
        Column("place", "Place", kind="line", hint="Blank = the pair's meeting place.", aliases=("meeting place", "location"), width=28),
        Column("focus", "Focus", hint="What the meeting is about.", aliases=("topic", "agenda"), width=40),
    ), "Optional. The schedule: one row per meeting. A pair with no rows gets a schedule worked out from its meeting day, time and frequency.", ("Meeting",)),
    SheetSpec("Commitments", False, (
        Column("pair_id", "Pair ID", kind="id", hint="Blank = a commitment for the whole program.", aliases=_PAIR_ALIASES, width=10),
        Column("area", "Area", kind="choice", choices=COMMITMENT_AREAS, hint="Blank = Other.", width=14),
        Column("commitment", "Commitment", required=True, hint="A 'We will ...' sentence.", width=60),
    ), "Optional. The terms of engagement: program-wide (Pair ID blank) and pair-specific commitments.", ("Commitment",)),
    SheetSpec("Calendar", False, (
        Column("month", "Month", required=True, kind="line", hint="E.g. September.", width=14),
        Column("task", "Task", required=True, hint="What pairs should do that month.", width=50),
        Column("notes", "Notes", width=40),
    ), "Optional. The program's month-by-month guidelines; pairs adapt them in their action plan."),
    SheetSpec("Breaks", False, (
        Column("name", "Name", kind="line", hint="E.g. Winter break; blank = Break.", aliases=("break", "holiday", "break name"), width=24),
        Column("first_day", "First day", required=True, kind="date", hint="The break's first day, e.g. 2026-12-21.", aliases=("first", "from", "start", "start date", "first date"), width=13),
        Column("last_day", "Last day", kind="date", hint="The break's last day; blank = the first day (a one-day closure).", aliases=("last", "to", "until", "end", "end date", "last date"), width=13),
    ), "Optional. School holidays and closures: worked-out schedules leave out every meeting that falls in one.", ("Break", "Holidays", "Holiday", "School holidays", "Closures")),
)
# fmt: on

# Obvious variants of the allowed values, keyed by their compact spelling (lower case, letters only).
CHOICE_VARIANTS: dict[str, str] = {
    # plan types
    "menteefocused": "Mentee-focused",
    "menteecentred": "Mentee-focused",
    "menteecentered": "Mentee-focused",
    "mentee": "Mentee-focused",
    "mutual": "Mutual growth",
    "mutualgrowth": "Mutual growth",
    "reciprocal": "Mutual growth",
    "coach": "Coaching",
    # modes
    "inperson": "In person",
    "person": "In person",
    "facetoface": "In person",
    "f2f": "In person",
    "onsite": "In person",
    "virtual": "Online",
    "video": "Online",
    "remote": "Online",
    "videocall": "Online",
    "blended": "Hybrid",
    "mixed": "Hybrid",
    # frequencies
    "everyweek": "Weekly",
    "onceaweek": "Weekly",
    "every2weeks": "Every 2 weeks",
    "everytwoweeks": "Every 2 weeks",
    "biweekly": "Every 2 weeks",
    "fortnightly": "Every 2 weeks",
    "everyotherweek": "Every 2 weeks",
    "alternateweeks": "Every 2 weeks",
    "everymonth": "Monthly",
    "onceamonth": "Monthly",
    # statuses
    "onhold": "Paused",
    "hold": "Paused",
    "closed": "Ended",
    "finished": "Ended",
    "completed": "Ended",
    "complete": "Ended",
    "done": "Ended",
    # whose goal
    "mentees": "Mentee",
    "mentors": "Mentor",
    "protege": "Mentee",
    "both": "Joint",
    "shared": "Joint",
    "together": "Joint",
    "jointly": "Joint",
    # paper sizes
    "usletter": "Letter",
    "letter85x11": "Letter",
    "85x11": "Letter",
    "85x11in": "Letter",
    "a4paper": "A4",
    # horizons
    "short": "Short-term",
    "shortterm": "Short-term",
    "long": "Long-term",
    "longterm": "Long-term",
}
CHOICE_VARIANTS.update({day.lower(): day for day in MEETING_DAYS})
CHOICE_VARIANTS.update({day.lower() + "s": day for day in MEETING_DAYS})  # "Mondays"
CHOICE_VARIANTS.update({day[:3].lower(): day for day in MEETING_DAYS})
CHOICE_VARIANTS.update(
    {"tues": "Tuesday", "weds": "Wednesday", "thur": "Thursday", "thurs": "Thursday"}
)

# ---------------------------------------------------------------------------------------------
# Header matching
# ---------------------------------------------------------------------------------------------

_JOINERS = re.compile(r"['\u2019`\u00b4.\-\u2010-\u2015]")
_NON_WORD = re.compile(r"[^\w]+")


def normalize_header(text: object) -> str:
    """The matching key of a header: lower case words joined by ``_``.

    Case, spacing and punctuation do not matter: ``"Mentor E-mail"``, ``"mentor_email"`` and
    ``"MENTOR  EMAIL"`` all give ``"mentor_email"``; ``"Goal #"`` gives ``"goal_number"``.
    """
    value = unicodedata.normalize("NFKC", str(text if text is not None else "")).casefold()
    value = value.replace("#", " number ").replace("&", " and ")
    value = _JOINERS.sub("", value)
    value = _NON_WORD.sub("_", value)
    return re.sub(r"_+", "_", value).strip("_")


def compact(text: object) -> str:
    """The header's key without separators: how headers, sheet names and values are compared."""
    return normalize_header(text).replace("_", "")


def lookalike(written: str, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``written`` (a header or setting mentordocs does not read)
    looks like, or None: one it holds or is held by ('Forms due back by' for 'Forms due'), or
    one spelled close to it (a typo: 'Page size', 'Paper size')."""
    key = compact(written)
    by_key = {compact(name): name for name in names}
    held = [k for k in by_key if min(len(k), len(key)) >= 5 and (k in key or key in k)]
    if held:
        return by_key[max(held, key=len)]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    return by_key[close[0]] if close else None


def header_keys(text: object) -> list[str]:
    """The compact forms a header can be matched by: as written, and without a '(...)' note."""
    keys = [compact(text)]
    without = re.sub(r"\(.*?\)", " ", str(text))
    if without.strip() and compact(without) not in keys:
        keys.append(compact(without))
    return keys


def header_lookup(columns: Iterable[Column]) -> dict[str, Column]:
    """Every key a header (or a Program setting's name) may match, to its column."""
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            for key in header_keys(name):
                lookup.setdefault(key, col)
    return lookup


# Words a header may add or spell its own way: "Mentor e-mail address", "E-mail (mentor)" and
# "Mentor's email" all name the Mentor email column.
_FILLER_WORDS = frozenset({"a", "an", "the", "of", "for", "in", "address", "addresses"})
_SYNONYMS = {
    "mail": "email",
    "emails": "email",
    "telephone": "phone",
    "tel": "phone",
    "mobile": "phone",
    "organisation": "organization",
    "programme": "program",
    "mins": "minutes",
}
_POSSESSIVE = re.compile(r"['\u2019]s\b")


def header_words(text: object) -> tuple[str, ...]:
    """A header's words, with the ones that do not change its meaning left out and common
    spellings made one: ``"Mentor's e-mail address"`` gives ``("mentor", "email")``."""
    without = _POSSESSIVE.sub("", unicodedata.normalize("NFKC", str(text)).casefold())
    words = (_SYNONYMS.get(word, word) for word in normalize_header(without).split("_"))
    return tuple(word for word in words if word and word not in _FILLER_WORDS)


def _without_note(text: str) -> str:
    return re.sub(r"\(.*?\)", " ", text)


class HeaderMatcher:
    """Which column of a sheet (or which Program setting) a header as written names.

    :meth:`match` is sure: the header or one of its aliases, whatever the case, spacing,
    punctuation and word order, with or without a note in brackets; "address", "of"... and
    spellings such as "e-mail" or "telephone" aside. :meth:`guesses` is not: the columns whose
    header ends in the one word written (``"Email"``: Mentor email and Mentee email on Pairs).
    """

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        self.keys = header_lookup(self.columns)
        self.words: dict[frozenset[str], Column] = {}
        self.heads: dict[str, list[Column]] = {}
        for col in self.columns:
            for name in (col.header, *col.aliases):
                for text in (name, _without_note(name)):
                    if header_words(text):
                        self.words.setdefault(frozenset(header_words(text)), col)
            head = header_words(_without_note(col.header))[-1:]
            if head:
                self.heads.setdefault(head[0], []).append(col)

    def match(self, written: str) -> Column | None:
        """The column ``written`` names, or None."""
        for key in header_keys(written):
            if key in self.keys:
                return self.keys[key]
        for text in (written, _without_note(written)):
            col = self.words.get(frozenset(header_words(text)))
            if col is not None:
                return col
        return None

    def guesses(self, written: str) -> list[Column]:
        """The columns a one-word header may mean: those whose header ends in that word."""
        words = header_words(_without_note(written))
        return list(self.heads.get(words[0], [])) if len(words) == 1 else []


# Where each sheet's problems come in what `check` prints, by the sheet's compact name.
SHEET_ORDER = {
    compact(name): index for index, spec in enumerate(SHEETS) for name in (spec.name, *spec.aliases)
}


def sheet_spec(name: str) -> SheetSpec:
    """The sheet called ``name`` in :data:`SHEETS`."""
    return next(spec for spec in SHEETS if spec.name == name)
