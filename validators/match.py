"""Attendance against billing: the rules ``match.*``.

A provider bills a month on the DCC-97 and keeps a DCC-94E per week; the two must agree
(922 KAR 2:020, claims: "days billed, but not reflected on the 94E"). Here the sheets are paired
with the billing form of the same provider whose month they overlap, sheet rows with billed
children by name ("exactly as listed on the Provider Billing Form", but handwritten, so matched
loosely), and then compared child by child, day by day.

``ccap extract`` applies these rules when one file holds both forms; the service and the
auditors' batch checks call :func:`compare` with documents gathered across files.

Where the findings go: all of them on the DCC-97, the document that is paid from and that
the worker decides on (a stranger's name on a sheet says which sheet in the message). The
sheets keep their own ``dcc94e.*`` findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher

from extractors.constraints import day_weight
from extractors.model import Finding
from extractors.values import edits, hours_between

from . import dcc94e, dcc97, policy
from .reading import Context, Reading, finding, listing, rule

NAME_SIMILARITY = 0.8      # a handwritten name this close to a printed one is the same child


def name_similarity(a: str, b: str) -> float:
    """0..1, order of the words ignored ("LOPEZ JAYDEN" is "JAYDEN LOPEZ")."""
    a, b = a.upper().split(), b.upper().split()
    return max(SequenceMatcher(None, " ".join(a), " ".join(b)).ratio(),
               SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b))).ratio())


def best_child(name: str | None, children: list[dcc97.Child]) -> dcc97.Child | None:
    """The billed child a sheet row's name stands for, or None when nobody is close enough."""
    if not name:
        return None
    scored = [(name_similarity(name, c.name), c) for c in children if c.name]
    score, child = max(scored, key=lambda s: s[0], default=(0.0, None))
    return child if score >= NAME_SIMILARITY else None


def week_start(day: date) -> date:
    """The Sunday on or before ``day`` (a DCC-94E week runs Sunday to Saturday)."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


@dataclass
class Sheet:
    reading: Reading
    start: date                                   # the Sunday
    rows: list[dcc94e.Row]
    children: dict[int, dcc94e.Row] = field(default_factory=dict)   # PBF child index -> row

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in the sheet's week (its Sunday to the Saturday after)."""
        return self.start <= day < self.start + timedelta(days=7)

    def unnamed(self) -> list[dcc94e.Row]:
        """Rows with times given to no billed child (yet)."""
        taken = {id(r) for r in self.children.values()}
        return [r for r in self.rows if id(r) not in taken and r.has_times]


@dataclass
class Pairing:
    """One billing form and the attendance sheets of the same provider in its month."""
    pbf: Reading
    month: date
    children: list[dcc97.Child]
    sheets: list[Sheet]
    doubtful: list[Reading] = field(default_factory=list)   # same provider's sheets whose week
                                                           # is unread, unsure or off the month

    def sheet_of(self, child: dcc97.Child, day: date) -> Sheet | None:
        """The sheet with a row of ``child`` in the week of ``day``, None when no sheet has it."""
        for sheet in self.sheets:
            if sheet.covers(day) and child.index in sheet.children:
                return sheet
        return None

    def ask_person(self, sheet: Reading, names: list[str]) -> None:
        ask_person(self.pbf, sheet, names)


def ask_person(pbf: Reading, sheet: Reading, names: list[str]) -> None:
    """These sheet fields decide a comparison but were not read surely: both documents go to
    a person."""
    sheet.unreadable(*names)
    pbf.unreadable(*names)


MAX_DAY_HOURS = 16     # more than this between arrival and departure is taken for a misread
                       # time (an a.m./p.m. slip), not for a day in care: a person looks
SETTLED = 0.95         # a day's hours are settled when they fall on the same side of the rule's
                       # limits with this probability, over the times the reader weighed


def _length(hours: float | None, low: float) -> str | None:
    """Which side of the rule's limits a day falls on."""
    if hours is None:
        return None
    return "short" if hours < low else "long" if hours > MAX_DAY_HOURS else "day"


def _settled(sheet: Reading, visit: dcc94e.Visit, low: float) -> bool:
    """Whether the day falls on the same side of ``low`` hours (and of ``MAX_DAY_HOURS``)
    whichever of the reader's alternatives for its two times was written. A child dropped
    off at 7:15 or 7:45 and picked up at 17:30 was there a full day either way: the times
    need not be read exactly for the rule to be sure. Failing that, whichever time of day
    each box may hold (``_by_the_clock``)."""
    read = _length(visit.hours, low)
    p = sum(pa * pb
            for a, pa in sheet.distribution(visit.prefix + "time_in")
            for b, pb in sheet.distribution(visit.prefix + "time_out")
            if _length(hours_between(a, b), low) == read)
    return p >= SETTLED or _by_the_clock(sheet, visit, low, read) >= CLOCK_SETTLED


# Four development sets in held-out hands (3232, 4343, 7575, 8686; 2 686 days of 292 sheets
# with both times written): days settled 907 -> 1 556, none on the wrong side; sheets with
# every such day settled 17 -> 51. At 0.99 two days settled wrongly (at 0.9926 and 0.9929).
CLOCK_SETTLED = 0.995


def _by_the_clock(sheet: Reading, visit: dcc94e.Visit, low: float, read: str | None) -> float:
    """The probability that the day falls on the side ``read`` of the limits, over every
    time of day each box may hold when one was read again against the clock
    (``Reading.posterior``), each pair weighed by the span's prior (a departure before the
    arrival, or a day of under an hour or over 14, is unlikely: ``constraints.day_weight``).
    0 when neither box was read so."""
    start, end = visit.prefix + "time_in", visit.prefix + "time_out"
    fields = sheet.doc.fields
    if read is None or not any(fields[n].posterior for n in (start, end) if n in fields):
        return 0.0
    weigh = day_weight(dcc94e.FORM, start)
    side = total = 0.0
    for a, pa in sheet.posterior(start):
        for b, pb in sheet.posterior(end):
            w = pa * pb * weigh(a, b)
            total += w
            side += w if _length(hours_between(a, b), low) == read else 0.0
    return side / total if total else 0.0


def _unsure(sheet: Reading, visit: dcc94e.Visit, empty_only: bool) -> list[str]:
    """The time fields of ``visit`` too unsure to be evidence: all of them, or (``empty_only``)
    those read as empty (ink that could not be read, an ink test near its threshold, or an
    empty box beside the parent's initials: ``dcc94e.lost``)."""
    names = [visit.prefix + t for t in ("time_in", "time_out")]
    return [n for n in names if (sheet.guessed(n) or dcc94e.lost(sheet, n))
            and (not empty_only or sheet.peek(n) is None)]


EVIDENCE = 0.85         # a time that decides a day's hours alone must be read this surely: six
                        # development sets, times read at 0.85-0.90 right 96.8 %, at 0.80-0.85
                        # 93.8 %; the four full-day findings there that were false each rested
                        # on a time misread at 0.67-0.86 (12:35 for 14:35, 10:10 for 19:10)


def _weak(sheet: Reading, visit: dcc94e.Visit) -> list[str]:
    """The times of ``visit`` read too unsurely (under ``EVIDENCE``) for the hours they make
    to be reported as a finding: a person confirms them instead."""
    names = [visit.prefix + t for t in ("time_in", "time_out")]
    return [n for n in names if sheet.confidence(n) < EVIDENCE]


def _same_provider(pbf: Reading, sheet: Reading, pbf_count: int) -> bool | None:
    """Whether ``sheet`` is the provider's of ``pbf``: True when the numbers agree; None
    (perhaps) when, with one PBF in the file, the sheet's handwritten number is unreadable, a
    guess, or one slip of the pen or the reader away from the PBF's ("173885" for 1173885):
    the sheet is taken, and ``_confirm_provider`` decides whether its number must go to a
    person. A handwritten number that agrees with the printed one digit for digit needs no
    confidence of its own (a misreading would hardly land on the PBF's number); one that
    clearly differs counts as used."""
    mine, theirs = dcc97.provider_value(pbf, "provider_number"), sheet.peek("provider_number")
    if mine and theirs and mine == theirs:
        return True
    if pbf_count != 1 or (mine and theirs and not sheet.guessed("provider_number")
                          and not _one_slip(mine, theirs)):
        sheet.get("provider_number")
        return False                 # clearly another provider's number
    return None


NAME_CONFIRMS = 0.95     # a sheet name read this surely and on the PBF confirms the provider


def _confirm_provider(sheet: Reading, rows: list[dcc94e.Row]) -> None:
    """A sheet taken on a doubtful number (``_same_provider`` None): a child of the PBF named
    on it, read surely, is the evidence that it is this provider's sheet, as an agreeing
    number would be, and the number is only peeked. Otherwise the number counts, and a number
    read at all goes to a person."""
    if any(sheet.confidence(f"rows.{row.index}.child_name") >= NAME_CONFIRMS for row in rows):
        return
    sheet.get("provider_number")
    if sheet.peek("provider_number"):
        sheet.unreadable("provider_number")


def _one_slip(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one character left out, added or changed."""
    return edits(a, b) <= 1


def pair(pbfs: list[Reading], sheets: list[Reading]) -> list[Pairing]:
    """Each billing form with the sheets of its provider whose week overlaps its month."""
    out = []
    for pbf in pbfs:
        month = dcc97.billing_month(pbf)
        if month is None:
            continue
        end = dcc97.month_end(month)
        children = dcc97.children(pbf)
        mine, doubtful = [], []
        for s in sheets:
            same = _same_provider(pbf, s, len(pbfs))
            if same is False:
                continue
            named: list[dcc94e.Row] = []      # rows that name a child of the PBF
            start = dcc94e.week_of(s)
            if start is None:                 # which week it covers is unknown: ask a person
                ask_person(pbf, s, ["week_of"])
                doubtful.append(s)
            else:
                in_month = start <= end and start + timedelta(days=6) >= month
                if not in_month or s.guessed("week_of") or s.guessed("week_through"):
                    doubtful.append(s)        # perhaps misread: it may cover a missing week
                if in_month:
                    sheet = Sheet(s, start, dcc94e.rows(s))
                    _count_as_used(s, sheet.rows)
                    for row in sheet.rows:       # in order: twins of one name pair up in turn
                        free = [c for c in children if c.index not in sheet.children]
                        child = best_child(row.name, free)
                        if child is not None:
                            sheet.children[child.index] = row
                            named.append(row)
                    _by_elimination(pbf, sheet, children)
                    mine.append(sheet)
            if same is None:
                _confirm_provider(s, named)
        if mine:
            for child in children:            # their names were compared with the sheets'
                pbf.get(f"children.{child.index}.name")
            out.append(Pairing(pbf, month, children, mine, doubtful))
    return out


ELIMINATION_SIMILARITY = 0.5


def _count_as_used(sheet: Reading, rows: list[dcc94e.Row]) -> None:
    """The names of a sheet compared with billing are evidence: a sheet is accepted only when
    they were read well (``dcc94e.rows`` only peeks at them). Of the times, whether they are
    written always counts; their values count where a rule's conclusion rests on them
    (``full_day_hours``)."""
    for row in rows:
        sheet.get(f"rows.{row.index}.child_name")
        for v in row.visits:
            sheet.present(v.prefix + "time_in")
            sheet.present(v.prefix + "time_out")


def _by_elimination(pbf: Reading, sheet: Sheet, children: list[dcc97.Child]) -> None:
    """A name misread on the sheet: when exactly one billed child of the week has no row and
    exactly one row with times names nobody (unreadable, or loosely like that child), that row
    is taken as the child's, and both documents go to a person to confirm it."""
    left = _without_row(sheet, children)
    loose = sheet.unnamed()
    if len(left) != 1 or len(loose) != 1:
        return
    child, row = left[0], loose[0]
    if row.name and child.name and name_similarity(row.name, child.name) < ELIMINATION_SIMILARITY:
        return
    sheet.children[child.index] = row
    name = f"rows.{row.index}.child_name"
    ask_person(pbf, sheet.reading, [name])


def _without_row(sheet: Sheet, children: list[dcc97.Child]) -> list[dcc97.Child]:
    """The billed children who attended in the sheet's week but have no row on it."""
    return [c for c in children if c.index not in sheet.children
            and any(sheet.covers(d.on) for d in _attended_days(c))]


def _attended_days(child: dcc97.Child) -> list[dcc97.Day]:
    return [d for d in child.days if d.on and (e := policy.code(d.billed)) and e.attended]


def _visit(row: dcc94e.Row, day: date) -> dcc94e.Visit | None:
    return next((v for v in row.visits if v.on == day), None)


@rule("match.billed_not_attended")
def billed_not_attended(p: Pairing, ctx: Context) -> list[tuple[Reading, Finding]]:
    out = []
    for child in p.children:
        missing, fields = [], []
        for d in _attended_days(child):
            sheet = p.sheet_of(child, d.on)
            if sheet is None:                     # no sheet for the week: match.missing_week
                continue
            visit = _visit(sheet.children[child.index], d.on)
            if visit is not None:
                if visit.time_in or visit.time_out:
                    continue  # there that day; one time missing is dcc94e.times_recorded's
                unsure = _unsure(sheet.reading, visit, empty_only=True)
                if unsure:                   # maybe written, not read: a person looks
                    p.ask_person(sheet.reading, unsure)
                    continue
            unread = dcc97.unread_codes(p.pbf, d)
            if unread:                       # perhaps not billed as attended: a person looks
                p.pbf.unreadable(*unread)
                continue
            missing.append(d)
            fields.append(d.billed_field)
        if missing:
            codes = listing(sorted({d.billed for d in missing}))
            out.append((p.pbf, finding(
                "match.billed_not_attended",
                f"{child.label}: {_days(missing)} of {dcc97.month_label(p.month)} "
                f"{'is' if len(missing) == 1 else 'are'} billed (code {codes}) but the "
                f"attendance record has no arrival or departure time.", fields)))
    return out


@rule("match.full_day_hours")
def full_day_hours(p: Pairing, ctx: Context) -> list[tuple[Reading, Finding]]:
    out = []
    low, _ = policy.in_force("full_day_hours", p.month).value
    for child in p.children:
        short, long = [], []
        for d in _attended_days(child):
            sheet = p.sheet_of(child, d.on)
            visit = _visit(sheet.children[child.index], d.on) if sheet else None
            hours = visit.hours if visit else None
            if hours is None:
                continue
            settled = _settled(sheet.reading, visit, low)
            unsure = [] if settled else _unsure(sheet.reading, visit, empty_only=False)
            entry = policy.code(d.billed)
            if unsure and not entry.full_day:
                # a day not billed as full can earn a note at most (info), which blocks
                # nothing: unsure times would send the documents to a person for no finding
                continue
            if not settled:                       # the exact times are the evidence
                sheet.reading.get(visit.prefix + "time_in")
                sheet.reading.get(visit.prefix + "time_out")
                if unsure:
                    p.ask_person(sheet.reading, unsure)
                    continue
            if hours > MAX_DAY_HOURS:
                p.ask_person(sheet.reading, [visit.prefix + "time_in", visit.prefix + "time_out"])
                continue
            finding_for = (short if entry.full_day and hours < low else
                           long if entry.part_day and hours >= low else None)
            unread = dcc97.unread_codes(p.pbf, d) if finding_for is not None else []
            if unread:      # billed by its schedule unless an unread code is there: a person
                p.pbf.unreadable(*unread)
                continue
            weak = [] if settled or finding_for is None else _weak(sheet.reading, visit)
            if weak:                              # a finding must rest on times read surely
                p.ask_person(sheet.reading, weak)
            elif finding_for is not None:
                finding_for.append((d, hours, visit))
        for group, severity, what in ((short, None, "billed as a full day (code 1) with only"),
                                      (long, "info", "billed as a part day (code 2) with")):
            if not group:
                continue
            detail = listing([f"day {d.number} {h:.1f} h" for d, h, _ in group])
            tail = (f"; a full day is {low:g} hours or more." if severity is None else
                    f"; {low:g} hours or more is a full day.")
            out.append((p.pbf, finding(
                "match.full_day_hours",
                f"{child.label}: {_days([d for d, _, _ in group])} {what} the hours recorded on "
                f"the attendance record ({detail}){tail}",
                [d.billed_field for d, _, _ in group]
                + [v.prefix + t for _, _, v in group for t in ("time_in", "time_out")],
                severity=severity)))
    return out


@rule("match.child_not_on_pbf")
def child_not_on_pbf(p: Pairing, ctx: Context) -> list[tuple[Reading, Finding]]:
    out = []
    for sheet in p.sheets:
        matched = {id(row) for row in sheet.children.values()}
        for row in sheet.rows:
            if id(row) in matched or not row.name:
                continue
            if best_child(row.name, p.children) is not None:
                continue                          # a second row for a child already matched
            name = f"rows.{row.index}.child_name"
            if sheet.reading.guessed(name) and _without_row(sheet, p.children):
                # a name read only as a guess, on a sheet that lacks a billed child's row: more
                # likely that child's name misread than a stranger; a person looks
                p.ask_person(sheet.reading, [name])
                continue
            out.append((p.pbf, finding(
                "match.child_not_on_pbf",
                f"{row.name}, on the attendance record for the week of {sheet.start}, is not a "
                f"child on the billing form for {dcc97.month_label(p.month)}.",
                [f"rows.{row.index}.child_name"])))
    return out


@rule("match.missing_week")
def missing_week(p: Pairing, ctx: Context) -> list[tuple[Reading, Finding]]:
    out = []
    for child in p.children:
        weeks: dict[date, list[dcc97.Day]] = {}
        for d in _attended_days(child):
            if p.sheet_of(child, d.on) is None:
                unread = dcc97.unread_codes(p.pbf, d)
                if unread:
                    p.pbf.unreadable(*unread)
                    continue
                weeks.setdefault(week_start(d.on), []).append(d)
        if weeks and p.doubtful:      # a sheet whose week was not read surely may be it
            for sheet in p.doubtful:
                p.ask_person(sheet, ["week_of"])
            continue
        for start in list(weeks):
            unnamed = _unnamed_rows(p, weeks[start])
            for sheet, name in unnamed:   # the child's row, perhaps, its name misread
                p.ask_person(sheet, [name])
            if unnamed:
                del weeks[start]
        if weeks:
            starts = sorted(weeks)
            out.append((p.pbf, finding(
                "match.missing_week",
                f"{child.label}: no attendance record for the week"
                f"{'' if len(starts) == 1 else 's'} of {listing([str(s) for s in starts])}, "
                f"though {_days([d for s in starts for d in weeks[s]])} "
                f"{'is' if sum(map(len, weeks.values())) == 1 else 'are'} billed.",
                [d.billed_field for s in starts for d in weeks[s]])))
    return out


def _unnamed_rows(p: Pairing, days: list[dcc97.Day]) -> list[tuple[Reading, str]]:
    """Rows with times, on the sheets of the week of ``days``, that were given to no billed
    child and whose name was read only as a guess: (sheet, name field). A child billed that
    week may be on one of them under a misread name ("PT TY" for JAXON LOPEZ), too unlike it
    to be taken by elimination (``_by_elimination``). Dev set 6464: on a fax whose sheets
    were read with their weeks, four such rows (names read at 0.0-0.46) made two false
    findings of this rule on one PBF; on the bench and four dev sets nothing else changed."""
    out = []
    for sheet in p.sheets:
        if any(sheet.covers(d.on) for d in days):
            out += [(sheet.reading, name) for row in sheet.unnamed()
                    if sheet.reading.guessed(name := f"rows.{row.index}.child_name")]
    return out


def _days(days: list[dcc97.Day]) -> str:
    return ("day " if len(days) == 1 else "days ") + listing([str(d.number) for d in days])


MATCH_RULES = (billed_not_attended, full_day_hours, child_not_on_pbf, missing_week)


def compare(pbfs: list[Reading], sheets: list[Reading], ctx: Context
            ) -> list[tuple[Reading, Finding]]:
    """Every ``match.*`` finding for these billing forms and sheets, with the document each
    belongs to."""
    return [hit for p in pair(pbfs, sheets) for fn in MATCH_RULES for hit in fn(p, ctx)]
