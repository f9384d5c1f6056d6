"""Building the roster from the workbook's sheets: the program, its pairs with their goals,
meetings and commitments, and the calendar; with the checks across rows and sheets (one ID
per pair, one email per person, dates inside the program, references to known pairs).

``validate_roster`` reads the workbook once and returns the roster and every problem;
``check_roster`` returns only the problems, ``load_roster`` only the roster (raising
:class:`~mentordocs.errors.RosterError` on an error); ``summarize`` says what a roster holds
in one line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from mentordocs.errors import Problem, RosterError
from mentordocs.mailsettings import SETTINGS as MAIL_SETTINGS
from mentordocs.mailsettings import mail_settings_from_program
from mentordocs.models import (
    WHOSE_GOALS,
    Break,
    CalendarItem,
    Commitment,
    Goal,
    Meeting,
    Pair,
    Person,
    Program,
    Roster,
)
from mentordocs.roster.cells import (
    CellReader,
    Converted,
    Row,
    Values,
    is_blank,
    split_date_time,
)
from mentordocs.roster.problems import Problems
from mentordocs.roster.schema import (
    PROGRAM_SETTINGS,
    SHEETS,
    Column,
    HeaderMatcher,
    compact,
    lookalike,
    normalize_header,
    sheet_spec,
)
from mentordocs.roster.workbook import Table, open_workbook, read_table

MAIL_SETTING_NAMES = frozenset(
    compact(name)
    for setting in MAIL_SETTINGS
    for name in (setting.name, setting.key, *setting.aliases)
)


class _RosterBuilder:
    """Reads one roster workbook; every problem found goes to ``problems``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems = Problems(path.name)
        self.cells = CellReader(self.problems)
        self.known_ids: dict[str, str] = {}  # every Pair ID on the Pairs sheet, by casefold
        # False when the Pairs sheet, its Pair ID column or its rows are missing (reported):
        # then a Pair ID on another sheet is not reported as unknown.
        self.ids_known = True
        self.suggestions: dict[str, str] = {}  # unknown Pair ID -> "Did you mean ...? "

    def load(self) -> Roster | None:
        """The roster, or None when a sheet it cannot do without is unusable (reported)."""
        book = open_workbook(self.path, self.problems)
        if book is None:
            return None
        try:
            tables = {spec.name: read_table(spec, book, self.cells) for spec in SHEETS}
        finally:
            book.close()
        program = self.load_program(tables["Program"])
        pair_table = tables["Pairs"]
        pairs = self.load_pairs(pair_table, program)
        self.ids_known = bool(
            pair_table and pair_table.rows and "pair_id" not in pair_table.missing
        )
        ids = {pair.pair_id.casefold(): pair for pair in pairs}
        goals = self.load_goals(_rows(tables["Goals"]), ids)
        breaks = self.load_breaks(_rows(tables["Breaks"]))
        meetings = self.load_meetings(_rows(tables["Meetings"]), ids, breaks)
        commitments = self.load_commitments(_rows(tables["Commitments"]), ids)
        calendar_items = self.load_calendar(_rows(tables["Calendar"]))
        if program is None or pair_table is None:
            return None
        program_wide = [c for c in commitments if not c.pair_id]
        for pair in pairs:
            pair.goals = sorted(
                goals.get(pair.pair_id, []), key=lambda g: (WHOSE_GOALS.index(g.whose), g.number)
            )
            explicit = sorted(
                meetings.get(pair.pair_id, []), key=lambda m: (m.date, m.time or dt.time())
            )
            # Without listed meetings, Pair.meetings works the schedule out when asked.
            pair.listed_meetings = explicit
            pair.breaks = breaks
            pair.commitments = program_wide + [c for c in commitments if c.pair_id == pair.pair_id]
        return Roster(
            path=self.path,
            program=program,
            pairs=pairs,
            calendar=calendar_items,
            commitments=program_wide,
            breaks=breaks,
        )

    # -- Program -------------------------------------------------------------------------

    def load_program(self, table: Table | None) -> Program | None:
        """The Program; None when the sheet, its Setting or Value column or a required setting
        is missing or wrong (reported)."""
        if table is None or table.missing:
            return None  # the Setting or Value column is missing: nothing else can be read
        rows = table.rows
        value_header = rows[0].headers.get("value", "Value") if rows else "Value"
        setting_header = rows[0].headers.get("setting", "Setting") if rows else "Setting"
        values, seen, extra, names = self._settings(rows, value_header)
        listing = ", ".join(f"'{name}'" for name in names)
        for col in PROGRAM_SETTINGS:
            if col.required and col.key not in seen:
                found = f" The settings in column A are: {listing}." if names else ""
                self.problems.error(
                    f"The setting '{col.header}' is missing.{found}",
                    f"Add a row with '{col.header}' in column A and its value in column B. {col.hint}",
                    table.title,
                    None,
                    setting_header,
                )
        program = self._program(Values(values), seen, extra, table.title, value_header)
        if program is not None:
            program.setting_rows = names
            self._mail_settings(program, table.title)
        return program

    def _mail_settings(self, program: Program, sheet: str) -> None:
        """The mail settings (mailsettings.SETTINGS: the outgoing server, the mailbox to collect,
        how to sign in) are checked with the rest, so 'check' reports their mistakes."""
        _, found = mail_settings_from_program(
            program, file=self.problems.file, sheet=sheet, rows=program.setting_rows
        )
        self.problems.found.extend(found)

    def _settings(
        self, rows: list[Row], value_header: str
    ) -> tuple[dict[str, Converted], dict[str, int], dict[str, object], dict[str, int]]:
        """The Program sheet's settings converted by kind, the row of each, the settings the
        format does not know (they reach the templates as they are), and every setting's name
        with its row.

        A setting named by one word that can only mean a required setting missing from the
        sheet ("Email": only Coordinator email ends in "email") is taken as that setting."""
        matcher = HeaderMatcher(PROGRAM_SETTINGS)
        values: dict[str, Converted] = {}
        seen: dict[str, int] = {}
        extra: dict[str, object] = {}
        named: list[tuple[Row, str, Column | None]] = []
        for row in rows:
            name = self.cells.cleaned(row.values.get("setting"), row, row.headers["setting"], True)
            if name:
                named.append((row, name, matcher.match(name)))
            elif not is_blank(row.values.get("value")):
                self.problems.warn(
                    "This row has a value but no setting name, so it is ignored.",
                    "Type the setting's name in column A.",
                    row.sheet,
                    row.number,
                    row.headers["setting"],
                )
        matched = {col.key for _, _, col in named if col is not None}
        for index, (row, name, col) in enumerate(named):
            guesses = matcher.guesses(name) if col is None else []
            if len(guesses) == 1 and guesses[0].required and guesses[0].key not in matched:
                named[index] = (row, name, guesses[0])
                matched.add(guesses[0].key)
        for row, name, col in named:
            if col is None:
                if "value" not in row.bad:
                    value = row.values.get("value")
                    extra[normalize_header(name)] = self.cells.extra_value(value, row, value_header)
                continue
            if col.key in seen:
                self.problems.error(
                    f"The setting '{col.header}' appears twice (rows {seen[col.key]} and {row.number}).",
                    "Delete one of the two rows.",
                    row.sheet,
                    row.number,
                    row.headers["setting"],
                )
                continue
            seen[col.key] = row.number
            value_row = Row(
                row.sheet,
                row.number,
                {col.key: row.values.get("value")},
                {col.key: value_header},
                bad={col.key} if "value" in row.bad else set(),
            )
            values[col.key] = self.cells.cell(value_row, col)
        self._lookalike_settings([(row, name) for row, name, col in named if col is None], matched)
        return values, seen, extra, {name: row.number for row, name, _ in named}

    def _lookalike_settings(self, unknown: list[tuple[Row, str]], matched: set[str]) -> None:
        """Warn of a setting name mentordocs does not know that looks like one of its settings
        missing from the sheet ('Forms due back by' for 'Forms due', 'Page size' for 'Paper
        size'): it only reaches a coordinator's own templates (program.extra), so its value
        would be ignored without a word (a due date left off every form, A4 for Letter)."""
        written = {compact(name) for _, name in unknown}
        absent = [col.header for col in PROGRAM_SETTINGS if col.key not in matched] + [
            setting.name
            for setting in MAIL_SETTINGS
            if not written & {compact(n) for n in (setting.name, setting.key, *setting.aliases)}
        ]
        for row, name in unknown:
            if compact(name) in MAIL_SETTING_NAMES:
                continue
            meant = lookalike(name, absent)
            if meant is None:
                continue
            self.problems.warn(
                f"The setting '{name}' is not one mentordocs reads (it only reaches your own "
                f"templates, as program.extra); it looks like the setting '{meant}', which is "
                "missing, so that setting is left blank.",
                f"If it is the {meant}, rename it '{meant}' in column A; if it is a setting of "
                "your own, leave it as it is.",
                row.sheet,
                row.number,
                row.headers["setting"],
            )

    def _program(
        self, v: Values, seen: dict[str, int], extra: dict[str, object], sheet: str, column: str
    ) -> Program | None:
        """The Program from its settings; None when a required one is missing or wrong."""
        start, end = v.date("start_date"), v.date("end_date")
        if start and end and end < start:
            self.problems.error(
                f"The program ends ({end.isoformat()}) before it starts ({start.isoformat()}).",
                "Check the Start date and End date settings.",
                sheet,
                seen.get("end_date"),
                column,
            )
            return None
        name, coordinator = v.text("name"), v.text("coordinator_name")
        coordinator_email = v.text("coordinator_email")
        if name is None or coordinator is None or coordinator_email is None:
            return None
        if start is None or end is None:
            return None
        midpoint = v.date("midpoint") or start + dt.timedelta(days=(end - start).days // 2)
        if not start <= midpoint <= end:
            self.problems.warn(
                f"The mid-point check ({midpoint.isoformat()}) is outside the program's dates.",
                "Check the Mid-point check setting, or leave it blank for halfway.",
                sheet,
                seen.get("midpoint"),
                column,
            )
        end_review = v.date("end_review")
        if end_review is not None and not start <= end_review <= end:
            self.problems.warn(
                f"The end review ({end_review.isoformat()}) is outside the program's dates.",
                "Check the End review setting, or leave it blank for each pair's end date.",
                sheet,
                seen.get("end_review"),
                column,
            )
        return Program(
            name=name,
            coordinator_name=coordinator,
            coordinator_email=coordinator_email,
            start_date=start,
            end_date=end,
            midpoint=midpoint,
            organization=v.text("organization") or "",
            forms_due=v.date("forms_due"),
            standards=v.text("standards") or "",
            signed_copies_to=v.text("signed_copies_to") or "",
            paper_size=v.text("paper_size") or "A4",
            extra=extra,
            end_review=end_review,
        )

    # -- Pairs ---------------------------------------------------------------------------

    def load_pairs(self, table: Table | None, program: Program | None) -> list[Pair]:
        if table is None:
            return []
        rows = table.rows
        if not rows:
            self.problems.error(
                "The Pairs sheet has no pairs yet.",
                "Fill in one row per mentor/mentee pair below the header row.",
                "Pairs",
            )
            return []
        columns = sheet_spec("Pairs").columns
        pairs: list[Pair] = []
        seen_ids: dict[str, int] = {}  # Pair ID by casefold -> its row
        seen_shapes: dict[str, tuple[str, int]] = {}  # its letters and digits -> (ID, row)
        emails: dict[str, tuple[str, int]] = {}  # email by casefold -> (name, row)
        for row in rows:
            v = self.cells.read(row, columns)
            pair_id = self._pair_id(row, v, seen_ids, seen_shapes)
            two_people = self._check_people(row, v, emails)
            start, end = self._pair_dates(row, v, program)
            self._check_meeting_plan(row, v)
            if pair_id is None or start is None or end is None or not two_people:
                continue
            if v.any_reported(row):
                continue  # a value was reported as wrong
            pair = self._pair(row, v, pair_id, start, end)
            if pair is not None:
                pairs.append(pair)
        return pairs

    def _pair_id(
        self, row: Row, v: Values, seen_ids: dict[str, int], seen_shapes: dict[str, tuple[str, int]]
    ) -> str | None:
        """The row's Pair ID; None after reporting an ID used by an earlier row (or one that
        differs from it only in spaces and punctuation)."""
        pair_id = v.text("pair_id")
        if pair_id:
            folded = pair_id.casefold()
            if folded in seen_ids:
                self.cells.fail(
                    row,
                    row.headers["pair_id"],
                    f"Pair ID '{pair_id}' is used twice (first on row {seen_ids[folded]}); IDs must differ (letter case aside).",
                    "Give each pair its own ID, e.g. the next free number.",
                )
                return None
            # 'P 1' and 'P_1': file names, calendar events and people would mix them up.
            shape = "".join(ch for ch in folded if ch.isalnum())
            if shape in seen_shapes and seen_shapes[shape][0] != folded:
                first, first_row = seen_shapes[shape]
                self.cells.fail(
                    row,
                    row.headers["pair_id"],
                    f"Pair ID '{pair_id}' differs from '{self.known_ids[first]}' (row "
                    f"{first_row}) only in spaces or punctuation, so the two pairs' files and "
                    "calendar events could be mixed up.",
                    "Give each pair an ID that differs in its letters or digits, e.g. the next "
                    "free number.",
                )
                return None
            seen_shapes.setdefault(shape, (folded, row.number))
            seen_ids[folded] = row.number
            self.known_ids[folded] = pair_id
        return pair_id

    def _check_people(self, row: Row, v: Values, emails: dict[str, tuple[str, int]]) -> bool:
        """Whether the mentor and the mentee are two people; reports one email address given
        to two names across the sheet."""
        header = row.headers
        mentor_email, mentee_email = v.text("mentor_email"), v.text("mentee_email")
        mentor_name, mentee_name = v.text("mentor_name"), v.text("mentee_name")
        same_email = bool(
            mentor_email and mentee_email and mentor_email.casefold() == mentee_email.casefold()
        )
        same_name = bool(mentor_name) and _same_name(mentor_name or "", mentee_name or "")
        if same_email:
            self.cells.fail(
                row,
                header["mentee_email"],
                f"The mentor and the mentee have the same email address ({mentee_email}).",
                "A pair is two people: correct the mentor's or the mentee's email.",
            )
        elif same_name:
            self.cells.fail(
                row,
                header["mentee_name"],
                f"The mentor and the mentee have the same name ({mentee_name}).",
                "A pair is two people: correct the mentor's or the mentee's name.",
            )
        for who in ("mentor", "mentee"):
            email, name = v.text(f"{who}_email"), v.text(f"{who}_name")
            if not email or not name or same_email:
                continue
            known = emails.setdefault(email.casefold(), (name, row.number))
            if not _same_name(known[0], name):
                self.problems.warn(
                    f"The email {email} belongs to '{known[0]}' on row {known[1]} but to '{name}' here.",
                    "Check for a copy-and-paste slip: one person, one email address.",
                    row.sheet,
                    row.number,
                    header[f"{who}_email"],
                )
        return not same_email and not same_name

    def _pair_dates(
        self, row: Row, v: Values, program: Program | None
    ) -> tuple[dt.date | None, dt.date | None]:
        """The pair's start and end (blank: the program's); Nones after reporting an end before
        the start."""
        own_start, own_end = v.date("start_date"), v.date("end_date")
        start = own_start or (program.start_date if program else None)
        end = own_end or (program.end_date if program else None)
        if start and end and end < start:
            self.cells.fail(
                row,
                row.headers["end_date" if own_end else "start_date"],
                f"The pair ends ({end.isoformat()}) before it starts ({start.isoformat()}).",
                "Correct the pair's Start date or End date (blank = the program's dates).",
            )
            return None, None
        if program and start and end and (start < program.start_date or end > program.end_date):
            which = "start_date" if start < program.start_date else "end_date"
            self.problems.warn(
                f"The pair's dates ({start.isoformat()} to {end.isoformat()}) go outside the program's ({program.start_date.isoformat()} to {program.end_date.isoformat()}).",
                "Check the dates; leave them blank to use the program's.",
                row.sheet,
                row.number,
                row.headers[which],
            )
        return start, end

    def _check_meeting_plan(self, row: Row, v: Values) -> None:
        """Warnings about a meeting plan that gives no dates, or an online one without a link."""
        if v.text("meeting_day") and is_blank(row.values.get("frequency")):
            self.problems.warn(
                "A meeting day is set but no Frequency, so no meeting dates are worked out.",
                "Choose a Frequency (Weekly, Every 2 weeks or Monthly), or list the meetings on the Meetings sheet.",
                row.sheet,
                row.number,
                row.headers["frequency"],
            )
        elif v.text("frequency") and is_blank(row.values.get("meeting_day")):
            self.problems.warn(
                "A Frequency is set but no Meeting day, so no meeting dates are worked out.",
                "Choose a Meeting day, or list the meetings on the Meetings sheet.",
                row.sheet,
                row.number,
                row.headers["meeting_day"],
            )
        if v.text("meeting_mode") == "Online" and not v.text("meeting_place"):
            self.problems.warn(
                "The pair meets online but Meeting place has no video link.",
                "Put the video meeting link in Meeting place so it reaches the forms and calendar.",
                row.sheet,
                row.number,
                row.headers["meeting_place"],
            )

    def _pair(self, row: Row, v: Values, pair_id: str, start: dt.date, end: dt.date) -> Pair | None:
        """The Pair of a row whose values were checked; None when a required one is missing."""
        mentor_name, mentor_email = v.text("mentor_name"), v.text("mentor_email")
        mentee_name, mentee_email = v.text("mentee_name"), v.text("mentee_email")
        if mentor_name is None or mentor_email is None:
            return None
        if mentee_name is None or mentee_email is None:
            return None
        return Pair(
            pair_id=pair_id,
            mentor=Person(
                mentor_name, mentor_email, v.text("mentor_role") or "", v.text("mentor_phone") or ""
            ),
            mentee=Person(
                mentee_name, mentee_email, v.text("mentee_role") or "", v.text("mentee_phone") or ""
            ),
            start_date=start,
            end_date=end,
            plan_type=v.text("plan_type") or "Mentee-focused",
            meeting_day=v.text("meeting_day") or "",
            meeting_time=v.time("meeting_time"),
            meeting_length=v.number("meeting_length"),
            meeting_mode=v.text("meeting_mode") or "",
            meeting_place=v.text("meeting_place") or "",
            frequency=v.text("frequency") or "",
            cancellation_plan=v.text("cancellation_plan") or "",
            informal_contact=v.text("informal_contact") or "",
            status=v.text("status") or "Active",
            extra=dict(row.extra),
            row=row.number,
        )

    # -- Goals, Meetings, Commitments, Calendar ------------------------------------------

    def pair_ref(self, row: Row, pair_id: str | None, pairs: dict[str, Pair]) -> Pair | None:
        """The pair a Goals/Meetings/Commitments row refers to; reports an unknown ID."""
        if not pair_id:
            return None
        pair = pairs.get(pair_id.casefold())
        if pair is None and self.ids_known and pair_id.casefold() not in self.known_ids:
            if pair_id not in self.suggestions:  # many rows may repeat one wrong ID
                known = sorted(self.known_ids.values())
                close = difflib.get_close_matches(pair_id, known, n=1)
                self.suggestions[pair_id] = f"Did you mean '{close[0]}'? " if close else ""
            hint = self.suggestions[pair_id]
            self.cells.fail(
                row,
                row.headers["pair_id"],
                f"Pair ID '{pair_id}' is not on the Pairs sheet.",
                f"{hint}Use an ID from the Pairs sheet, or add the pair there.",
            )
        return pair

    def load_goals(self, rows: list[Row] | None, pairs: dict[str, Pair]) -> dict[str, list[Goal]]:
        columns = sheet_spec("Goals").columns
        # by (pair, whose goal): (goal, row, Goal # given)
        by_owner: dict[tuple[str, str], list[tuple[Goal, Row, bool]]] = {}
        for row in rows or []:
            v = self.cells.read(row, columns)
            pair = self.pair_ref(row, v.text("pair_id"), pairs)
            number = v.number("number")
            if number is not None and number < 1:
                self.cells.fail(
                    row,
                    row.headers["number"],
                    f"Goal # {number} is not 1 or more.",
                    "Number the goals 1, 2, 3...",
                )
                continue
            text = v.text("goal")
            if pair is None or text is None or not _usable(row, v):
                continue
            target = v.date("target_date")
            if target and not pair.start_date <= target <= pair.end_date:
                self.problems.warn(
                    f"The target date {target.isoformat()} is outside the pair's dates ({pair.start_date.isoformat()} to {pair.end_date.isoformat()}).",
                    "Check the date.",
                    row.sheet,
                    row.number,
                    row.headers["target_date"],
                )
            goal = Goal(
                pair_id=pair.pair_id,
                number=number or 0,
                goal=text,
                horizon=v.text("horizon") or "",
                mentor_support=v.text("mentor_support") or "",
                mentee_accountable=v.text("mentee_accountable") or "",
                measure=v.text("measure") or "",
                target_date=target,
                extra=dict(row.extra),
                row=row.number,
                whose=v.text("whose") or "Mentee",
            )
            self._check_goal_fits_plan(goal, pair, row)
            by_owner.setdefault((pair.pair_id, goal.whose), []).append(
                (goal, row, number is not None)
            )
        result: dict[str, list[Goal]] = {}
        for (pair_id, whose), entries in by_owner.items():
            result.setdefault(pair_id, []).extend(self._number_goals(pair_id, whose, entries))
        return result

    def _check_goal_fits_plan(self, goal: Goal, pair: Pair, row: Row) -> None:
        """Warns about a mentor's goal on a pair without Mutual growth, or a joint goal on a
        pair without Coaching: the forms show it anyway, in its own section."""
        method = {"Mentor": "Mutual growth", "Joint": "Coaching"}.get(goal.whose)
        if method is None or method in pair.methods:
            return
        kind = "a mentor's goal" if goal.whose == "Mentor" else "a joint goal"
        self.problems.warn(
            f"Pair {pair.pair_id} has {kind}, but its plan type is {pair.plan_type}; the forms "
            f"show it anyway, in a section of its own.",
            f"If the pair uses {method}, add it to the pair's Plan type on the Pairs sheet "
            f"(e.g. {pair.plan_type} + {method}); if this is the mentee's goal, set Whose goal "
            "to Mentee.",
            row.sheet,
            row.number,
            row.headers.get("whose", "Whose goal"),
        )

    def _number_goals(
        self, pair_id: str, whose: str, entries: list[tuple[Goal, Row, bool]]
    ) -> list[Goal]:
        """One pair's goals of one kind (``whose``) in number order: blank Goal # take the free
        numbers in sheet order. Reports a number given twice, and more mentee goals than the
        goal sheet is meant for."""
        used: dict[int, int] = {}  # number -> row
        kind = "goals" if whose == "Mentee" else f"{whose.lower()} goals"
        for goal, row, numbered in entries:
            if numbered:
                if goal.number in used:
                    self.cells.fail(
                        row,
                        row.headers["number"],
                        f"Pair {pair_id} has two {kind} numbered {goal.number} (rows {used[goal.number]} and {row.number}).",
                        "Number the pair's goals 1, 2, 3... (the mentee's, the mentor's and joint goals each from 1) or leave Goal # blank to number them in sheet order.",
                    )
                    continue
                used[goal.number] = row.number
        next_free = 1
        for goal, _, numbered in entries:
            if not numbered:
                while next_free in used:
                    next_free += 1
                goal.number = next_free
                used[next_free] = goal.row
        goals = sorted((g for g, _, _ in entries), key=lambda g: g.number)
        if whose == "Mentee" and len(goals) > 5:
            sixth = sorted(goals, key=lambda g: g.row)[5]
            first_row = entries[0][1]
            self.problems.warn(
                f"Pair {pair_id} has {len(goals)} goals; the goal sheet is meant for 3 to 5.",
                "Consider merging or dropping goals (all of them are still used).",
                first_row.sheet,
                sixth.row,
                first_row.headers["goal"],
            )
        return goals

    def _meeting_time(self, row: Row, typed: dt.time | None) -> dt.time | None:
        """A meeting's time: its Time cell, else a time its Date cell holds (2026-09-01 15:30
        typed in one cell); a Date cell whose time differs from the Time cell is a warning."""
        raw = row.values.get("date")
        held = None
        if isinstance(raw, dt.datetime):
            held = (raw + dt.timedelta(microseconds=500_000)).time().replace(microsecond=0)
        elif isinstance(raw, str) and (with_time := split_date_time(raw)) is not None:
            held = with_time[1]
        if held is None or held == dt.time(0):
            return typed
        if typed is not None and typed != held:
            self.problems.warn(
                f"The date cell also holds the time {held.strftime('%H:%M')}, but the Time "
                f"column says {typed.strftime('%H:%M')}; the Time column's was used.",
                "Keep the time in the Time column only: type the date alone in the Date column.",
                row.sheet,
                row.number,
                row.headers["date"],
            )
        return typed or held

    def load_meetings(
        self, rows: list[Row] | None, pairs: dict[str, Pair], breaks: Sequence[Break] = ()
    ) -> dict[str, list[Meeting]]:
        columns = sheet_spec("Meetings").columns
        result: dict[str, list[Meeting]] = {}
        seen: dict[tuple[str, dt.date, dt.time | None], int] = {}
        for row in rows or []:
            v = self.cells.read(row, columns)
            pair = self.pair_ref(row, v.text("pair_id"), pairs)
            date = v.date("date")
            if pair is None or date is None or not _usable(row, v):
                continue
            when = self._meeting_time(row, v.time("time")) or pair.meeting_time
            if not pair.start_date <= date <= pair.end_date:
                self.problems.warn(
                    f"The meeting on {date.isoformat()} is outside the pair's dates ({pair.start_date.isoformat()} to {pair.end_date.isoformat()}).",
                    "Check the date.",
                    row.sheet,
                    row.number,
                    row.headers["date"],
                )
            closure = next((b for b in breaks if date in b), None)
            if closure is not None:
                self.problems.warn(
                    f"The meeting on {date.isoformat()} falls in {closure.name} "
                    f"({closure.first_day.isoformat()} to {closure.last_day.isoformat()}, "
                    f"Breaks sheet row {closure.row}).",
                    "Move the meeting to another date, or delete the row if it will not take place.",
                    row.sheet,
                    row.number,
                    row.headers["date"],
                )
            key = (pair.pair_id, date, when)
            if key in seen:
                self.problems.warn(
                    f"Pair {pair.pair_id} has this meeting twice (rows {seen[key]} and {row.number}).",
                    "Delete one of the two rows.",
                    row.sheet,
                    row.number,
                    row.headers["date"],
                )
                continue
            seen[key] = row.number
            result.setdefault(pair.pair_id, []).append(
                Meeting(
                    pair_id=pair.pair_id,
                    date=date,
                    time=when,
                    place=v.text("place") or pair.meeting_place,
                    focus=v.text("focus") or "",
                    row=row.number,
                )
            )
        return result

    def load_commitments(self, rows: list[Row] | None, pairs: dict[str, Pair]) -> list[Commitment]:
        columns = sheet_spec("Commitments").columns
        result: list[Commitment] = []
        for row in rows or []:
            v = self.cells.read(row, columns)
            pair_id = v.text("pair_id")
            pair = self.pair_ref(row, pair_id, pairs)
            if pair_id and pair is None:
                continue
            text = v.text("commitment")
            if text is None or not _usable(row, v):
                continue
            result.append(
                Commitment(
                    pair_id=pair.pair_id if pair else "",
                    area=v.text("area") or "Other",
                    text=text,
                    row=row.number,
                )
            )
        return result

    def load_calendar(self, rows: list[Row] | None) -> list[CalendarItem]:
        columns = sheet_spec("Calendar").columns
        result: list[CalendarItem] = []
        for row in rows or []:
            month_raw = row.values.get("month")
            if isinstance(month_raw, (dt.date, dt.datetime)):
                row.values["month"] = month_raw.strftime("%B %Y")
            v = self.cells.read(row, columns)
            month, task = v.text("month"), v.text("task")
            if month is None or task is None:
                continue
            result.append(CalendarItem(month, task, v.text("notes") or "", row=row.number))
        return result

    def load_breaks(self, rows: list[Row] | None) -> list[Break]:
        """The Breaks sheet in date order; a last day before the first is reported."""
        columns = sheet_spec("Breaks").columns
        result: list[Break] = []
        for row in rows or []:
            v = self.cells.read(row, columns)
            first = v.date("first_day")
            if first is None or not _usable(row, v):
                continue
            last = v.date("last_day") or first
            if last < first:
                self.cells.fail(
                    row,
                    row.headers["last_day"],
                    f"The break ends ({last.isoformat()}) before it starts ({first.isoformat()}).",
                    "Correct the First day or the Last day (blank = a one-day break).",
                )
                continue
            result.append(Break(v.text("name") or "Break", first, last, row=row.number))
        return sorted(result, key=lambda item: (item.first_day, item.last_day))


def _rows(table: Table | None) -> list[Row]:
    return table.rows if table is not None else []


def _usable(row: Row, v: Values) -> bool:
    """Whether nothing in the row was reported: no formula without a result or Excel error in
    any column, and no value of these columns that could not be converted."""
    return not row.bad and not v.any_reported(row)


def _same_name(a: str, b: str) -> bool:
    def key(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).casefold().split())

    return bool(a) and key(a) == key(b)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def validate_roster(path: str | os.PathLike[str]) -> tuple[Roster | None, list[Problem]]:
    """The roster (None when there is an error) and every problem, errors first; never raises
    for a problem in the file. ``check_roster`` and ``load_roster`` in one pass."""
    builder = _RosterBuilder(Path(path))
    roster = builder.load()
    problems = builder.problems.sorted()
    if builder.problems.has_errors:
        return None, problems
    if roster is not None:
        roster.warnings = [p for p in problems if p.severity == "warning"]
    return roster, problems


def check_roster(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in the roster workbook: errors first, then warnings.

    Never raises for a problem in the file (missing, wrong type, locked, damaged, bad values):
    each becomes a :class:`Problem` naming the sheet, row, column and a fix.
    """
    return validate_roster(path)[1]


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """Read and validate the roster workbook at ``path``.

    Raises :class:`RosterError` listing every error at once. The returned roster's ``warnings``
    holds the things that are allowed but probably wrong.
    """
    roster, problems = validate_roster(path)
    if roster is None:
        raise RosterError(problems)
    return roster


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summarize(roster: Roster) -> str:
    """One line saying what a roster holds, for the command line."""
    active = sum(1 for p in roster.pairs if p.active)
    goals = sum(len(p.goals) for p in roster.pairs)
    listed = sum(1 for p in roster.pairs for m in p.meetings if not m.derived)
    derived = sum(1 for p in roster.pairs for m in p.meetings if m.derived)
    return (
        f"'{roster.program.name}': {_count(len(roster.pairs), 'pair')}, {active} active; "
        f"{_count(goals, 'goal')}; {_count(listed, 'meeting')} listed and {derived} worked out "
        f"from meeting days; {_count(len(roster.commitments), 'program-wide commitment')}; "
        f"{_count(len(roster.calendar), 'calendar task')}."
    )
