"""DCC-94E Child Care Daily Attendance Record: the rules ``dcc94e.*``.

One sheet is one week, Sunday to Saturday, filled entirely by hand: per child row, the time in
and time out of each day, each initialled by the parent; the parent signs each row for the week
and the provider signs at the bottom (shared/forms/README.md; 922 KAR 2:160).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from extractors.constraints import witness
from extractors.forms import WEEKDAYS
from extractors.model import Finding
from extractors.values import hours_between

from .reading import Context, Reading, finding, listing, parse_date, rule

FORM = "DCC-94E"
# Initials read absent beside a recorded time less surely than this are no evidence that the
# parent did not initial it: on seven development sets (2 467 pages) such readings at under
# 0.99 were truly absent 5 times of 132 (a fax thins a light pen's initials to specks the ink
# test doubts), at 0.99 or more 215 times of 215. The sheet goes to a person instead.
ABSENT_SURE = 0.95
INITIALLED_SURE = 0.95  # initials read present at least this surely: a time was written there


@dataclass(frozen=True)
class Visit:
    """One child's one day on the sheet."""
    weekday: str               # "mon"
    on: date | None            # the date, when week_of is readable
    prefix: str                # "rows.2.days.mon."
    time_in: str | None
    time_out: str | None
    in_initials: str | None
    out_initials: str | None

    @property
    def hours(self) -> float | None:
        return hours_between(self.time_in, self.time_out)

    @property
    def label(self) -> str:
        return str(self.on) if self.on else self.weekday.title()


@dataclass(frozen=True)
class Row:
    index: int
    name: str | None
    visits: tuple[Visit, ...]

    @property
    def label(self) -> str:
        return self.name or f"row {self.index + 1}"

    @property
    def has_times(self) -> bool:
        return any(v.time_in or v.time_out for v in self.visits)


def week_of(r: Reading) -> date | None:
    """The Sunday the sheet starts on. ``week_of`` is a Sunday and ``week_through`` the
    Saturday after it; both are handwritten, so each checks the other. When they disagree the
    one that falls on the right weekday wins, and the sheet goes to a person to confirm it.
    Two dates that agree, a Sunday and the Saturday after it, need no confidence of their
    own: the agreement is the evidence (five dev sets: 359 such pairs, all right, 18 of them
    read under 0.8), so they are peeked, not counted as used."""
    start, end = parse_date(r.peek("week_of")), parse_date(r.peek("week_through"))
    if start and end and end - start == timedelta(days=6) and start.weekday() == 6:
        return start
    start, end = r.date("week_of"), r.date("week_through")
    candidates = [c for c in (start, end - timedelta(days=6) if end else None) if c]
    if not candidates:
        r.unreadable("week_of")
        return None
    if len(set(candidates)) == 1 and candidates[0].weekday() == 6:
        return candidates[0]
    r.unreadable("week_of", "week_through")
    sundays = [c for c in candidates if c.weekday() == 6]
    return (sundays or candidates)[0]


def rows(r: Reading) -> list[Row]:
    """Every row that holds a child's name or any time.

    The values are peeked, not counted as used: the ``dcc94e.*`` rules need only whether a
    time or initial was written (``Reading.present``); the ``match.*`` rules, which need the
    times themselves and the names, count them (``match.compare``)."""
    start = week_of(r)
    out = []
    for i in sorted({int(m.group(1)) for m in r.names(r"rows\.(\d+)\.child_name")}):
        visits = []
        for n, day in enumerate(WEEKDAYS):
            p = f"rows.{i}.days.{day}."
            if not r.has(p + "time_in"):
                continue
            visits.append(Visit(day, start + timedelta(days=n) if start else None, p,
                                r.peek(p + "time_in"), r.peek(p + "time_out"),
                                r.peek(p + "in_initials"), r.peek(p + "out_initials")))
        row = Row(i, r.peek(f"rows.{i}.child_name"), tuple(visits))
        if row.name or row.has_times:
            out.append(row)
    if not out:                          # an attendance sheet with no child: nothing to accept
        r.unreadable("rows.0.child_name")
    return out


def _on(visits: list[Visit]) -> str:
    return listing([v.label for v in visits])


def stray(r: Reading, v: Visit) -> bool:
    """Whether the only mark on a day is one time that could not be read (a guess, under
    ``UNSURE``), with neither the day's other time nor an initial beside it. On development
    sets 4242, 5151, 6061, 7373 and 8080 such days were specks 6 times of 6, while a day whose
    times were all read as badly but which had an initial or both times was written 352 times
    of 352. It is no evidence of a visit, so no rule claims a missing time, initial or
    signature on it; it is counted as used, and its low confidence sends the sheet to a
    person."""
    written = [t for t in ("time_in", "time_out") if getattr(v, t) is not None]
    if len(written) != 1 or "present" in (v.in_initials, v.out_initials):
        return False
    name = v.prefix + written[0]
    if not r.guessed(name):
        return False
    r.get(name)
    return True


def lost(r: Reading, time: str) -> bool:
    """Whether the time field ``time`` (a visit's prefix + "time_in" or "time_out") was read
    empty beside the parent's initials for it: a time too faint for the fax to keep, more
    likely than an initial without a time (development set 5353: a very faint pen lost both
    times of a day, read empty at 0.85, beside a present initial). No rule rests on such a
    box being empty; a person looks at it. Which box witnesses which is the forms' data
    (``extractors.constraints.witness``), as it is for the reader."""
    mark = witness("DCC-94E", time)
    return mark is not None and r.peek(time) is None and r.peek(mark) == "present"


@rule("dcc94e.times_recorded")
def times_recorded(r: Reading, ctx: Context) -> list[Finding]:
    """A day with one time and not the other. A day whose empty end is only a guess (faint
    writing the reader could not confirm either way) is not claimed: the sheet goes to a
    person for that box instead."""
    out = []
    for row in rows(r):
        half = [v for v in row.visits if not stray(r, v)
                and r.present(v.prefix + "time_in") != r.present(v.prefix + "time_out")
                and not r.guessed(_empty_end(v)) and not _maybe_initialled(r, v)]
        if half:
            out.append(finding(
                "dcc94e.times_recorded",
                f"{row.label}: only one of arrival and departure is recorded on {_on(half)}; "
                f"both times must be recorded each day.",
                [_empty_end(v) for v in half]))
    return out


def _doubtfully_absent(r: Reading, mark: str) -> bool:
    """Initials ``mark`` read absent, but under ``ABSENT_SURE``: likely there after all."""
    return r.peek(mark) == "absent" and r.confidence(mark) < ABSENT_SURE


def _maybe_initialled(r: Reading, v: Visit) -> bool:
    """Whether the initials beside a half-recorded day's empty end were read absent only
    unsurely (``_doubtfully_absent``): then they are likely there, and so is a time the fax
    thinned away. The box goes to a person (set 8686: three false findings on faint faxes,
    each a written time read empty at 0.9 beside its initials read absent at 0.62-0.85)."""
    mark = witness(FORM, _empty_end(v))
    if mark is None or not _doubtfully_absent(r, mark):
        return False
    r.unreadable(_empty_end(v))
    return True


def _empty_end(v: Visit) -> str:
    """The time field of a half-recorded day that was read empty."""
    return v.prefix + ("time_out" if v.time_in else "time_in")


@rule("dcc94e.initials")
def initials(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    for row in rows(r):
        fields, days = [], []
        for v in row.visits:
            if stray(r, v):
                continue
            for time, mark in (("time_in", "in_initials"), ("time_out", "out_initials")):
                if r.present(v.prefix + time):
                    initialled = r.get(v.prefix + mark)
                    if _doubtfully_absent(r, v.prefix + mark):
                        r.unreadable(v.prefix + mark)
                    elif initialled != "present":
                        fields.append(v.prefix + mark)
                        if v not in days:
                            days.append(v)
                elif lost(r, v.prefix + time):
                    r.unreadable(v.prefix + time)
        if fields:
            out.append(finding(
                "dcc94e.initials",
                f"{row.label}: a recorded time on {_on(days)} is not initialled by the parent.",
                fields))
    return out


@rule("dcc94e.parent_signature")
def parent_signature(r: Reading, ctx: Context) -> list[Finding]:
    """A row with times but no parent's signature. A time's initials, surely there, show the
    time was written when the time itself was not read (a fax lost the pen it was written
    with): the parent initials beside a time they write, never alone."""
    out = []
    for row in rows(r):
        name = f"rows.{row.index}.parent_signature"
        visits = [v for v in row.visits if not stray(r, v)]
        written = any([r.present(v.prefix + t) for v in visits for t in ("time_in", "time_out")])
        if not written and r.peek(name) in ("blank", None):
            initialled = [v.prefix + m for v in visits for m in ("in_initials", "out_initials")
                          if r.peek(v.prefix + m) == "present"
                          and r.confidence(v.prefix + m) >= INITIALLED_SURE]
            if initialled:
                r.get(initialled[0])            # the finding rests on these initials
                written = True
        if written and r.get(name) in ("blank", None):
            out.append(finding(
                "dcc94e.parent_signature",
                f"{row.label}: times are recorded for the week but the parent did not sign the "
                f"row to verify them.", [name]))
    return out


@rule("dcc94e.provider_signature")
def provider_signature(r: Reading, ctx: Context) -> list[Finding]:
    if r.get("provider_signature") in ("blank", None):
        start = week_of(r)
        week = f"the week of {start}" if start else "the week"
        return [finding("dcc94e.provider_signature",
                        f"The attendance record for {week} is not signed by the provider at "
                        f"the bottom.", ["provider_signature"])]
    return []
