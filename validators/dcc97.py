"""DCC-97 Provider Billing Form (PBF): the rules ``dcc97.*``.

The state system prints, per child, the Scheduled line (1 full day, 2 part day, empty) from the
certificate; the provider writes a code on the Provider Exception line only where a day
differs, and staff may write on the Worker line. The code that is billed for a day is the last
one written: worker, else provider, else scheduled. Page N > 1 repeats page 1 for children
3(N-1).. with its other fields prefixed ``pN.`` (shared/forms/README.md).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from extractors.model import Finding
from extractors.values import month_before

from . import policy
from .reading import (Context, Reading, finding, listing, parse_date, parse_month,
                      plural, rule)

FORM = "DCC-97"


@dataclass(frozen=True)
class Day:
    number: int                # day of the month, 1..31
    on: date | None            # the date (None when the billing month is unreadable)
    prefix: str                # "children.4.days.07."
    scheduled: str | None
    provider: str | None
    worker: str | None

    @property
    def billed(self) -> str | None:
        """The code that stands for the day: worker, else provider exception, else scheduled."""
        value = self.worker or self.provider or self.scheduled
        return policy.canonical(value) if value else None

    @property
    def exception(self) -> str | None:
        """A code written by hand (provider or worker line)."""
        value = self.worker or self.provider
        return policy.canonical(value) if value else None

    @property
    def exception_field(self) -> str:
        """The field ``exception`` comes from (the worker's line wins, as in ``billed``)."""
        return self.prefix + ("worker_exception" if self.worker else "provider_exception")

    @property
    def billed_field(self) -> str:
        """The field ``billed`` comes from: the exception's line, else the scheduled code."""
        return self.exception_field if self.exception else self.prefix + "scheduled"


@dataclass(frozen=True)
class Child:
    index: int
    name: str | None
    schedule: str | None       # REGULAR, SCHOOL, FLEX
    days: tuple[Day, ...]

    @property
    def label(self) -> str:
        return self.name or f"child {self.index + 1} on the form"

    def field(self, rest: str) -> str:
        return f"children.{self.index}.{rest}"


def unread_codes(r: Reading, d: Day) -> list[str]:
    """The exception boxes of a day billed by its scheduled code that were read empty only as
    a guess: a code written there (an absence, 40) may change what the day bills."""
    if d.exception:
        return []
    return [n for n in (d.prefix + "provider_exception", d.prefix + "worker_exception")
            if r.has(n) and r.guessed(n)]


def billing_month(r: Reading) -> date | None:
    """First day of the billing month. It is printed on every page, and the form is generated
    in the next month (on its 1st), so the copies and ``date_generated`` vote (see
    :meth:`Reading.vote`). The month before the generated date's month, not the day before
    it: a faxed "01/01/2025" read as 2025-01-02 had voted for January against two copies of
    December, and the tie left the month unread."""
    names = ["billing_month"] + sorted(m.group(0) for m in r.names(r"p\d+\.billing_month"))
    copies = [(name, parse_month(r.peek(name))) for name in names]
    for name in ["date_generated"] + sorted(m.group(0)
                                            for m in r.names(r"p\d+\.date_generated")):
        generated = parse_date(r.peek(name))
        if generated is not None:
            copies.append((name, month_before(generated)))
    return r.vote(copies, "billing_month")[1]


def month_label(month: date | None) -> str:
    return month.strftime("%B %Y") if month else "an unreadable month"


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def provider_value(r: Reading, name: str) -> str | None:
    """A header field printed on every page (``provider_type``, ``p2.provider_type``, ...)."""
    names = [name] + sorted(m.group(0) for m in r.names(rf"p\d+\.{name}"))
    return r.first(*names)[1]


def children(r: Reading) -> list[Child]:
    """Every child block on the pages that holds a name or any code."""
    month = billing_month(r)
    length = calendar.monthrange(month.year, month.month)[1] if month else 31
    out = []
    indexes = sorted({int(m.group(1)) for m in r.names(r"children\.(\d+)\.name")})
    for i in indexes:
        days = []
        for n in range(1, length + 1):
            prefix = f"children.{i}.days.{n:02d}."
            if not r.has(prefix + "scheduled"):
                continue
            days.append(Day(n, month.replace(day=n) if month else None, prefix,
                            r.get(prefix + "scheduled"), r.get(prefix + "provider_exception"),
                            r.get(prefix + "worker_exception")))
        # that a child is listed counts here; the name itself counts where it is compared
        # with the sheets (match.pair)
        name = f"children.{i}.name"
        r.present(name)
        child = Child(i, r.peek(name), r.get(f"children.{i}.schedule_type"), tuple(days))
        if child.name or any(d.billed for d in child.days):
            out.append(child)
    if not out:                          # a billing form always lists a child: misread
        r.unreadable("children.0.name")
    return out


def _days(days: list[Day]) -> str:
    return ("day " if len(days) == 1 else "days ") + listing([str(d.number) for d in days])


@rule("dcc97.same_code_exception")
def same_code_exception(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    for child in children(r):
        same = [d for d in child.days if d.provider and d.scheduled
                and policy.canonical(d.provider) == policy.canonical(d.scheduled)]
        if same:
            codes = listing(sorted({policy.canonical(d.provider) for d in same}))
            out.append(finding(
                "dcc97.same_code_exception",
                f"{child.label}, {_days(same)}: the provider exception repeats the scheduled "
                f"code {codes} (\"Exceptions cannot be made\"); write a code only where the day "
                f"differs from the schedule.",
                [d.prefix + "provider_exception" for d in same]))
    return out


# A code that is in no table is rare on paper and the reader's usual slip ("1" read as "4",
# "43" as "13"), so it is claimed only when read this surely; under it the PBF goes to a
# person. (Seven dev sets: 8 true unknown codes read at 0.85-0.99; 8 false findings, the surest
# of each at 0.70-0.75.)
UNKNOWN_SURE = 0.8


def _misread(r: Reading, name: str, code: str | None) -> bool:
    """Whether the handwritten ``code`` in ``name`` is in no table and read under
    ``UNKNOWN_SURE``: likelier a code misread than a wrong one (a "55" read as "5" at 0.74),
    so no rule may claim on it; the PBF goes to a person for it."""
    if code is None or policy.code(code) is not None or r.confidence(name) >= UNKNOWN_SURE:
        return False
    r.unreadable(name)
    return True


@rule("dcc97.unknown_code")
def unknown_code(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    for child in children(r):
        unknown, wrong_schedule, fields = [], [], []
        for d in child.days:
            for line in ("provider", "worker"):
                value = getattr(d, line)
                if value is None:
                    continue
                name = d.prefix + f"{line}_exception"
                if _misread(r, name, value):
                    continue
                entry = policy.code(value)
                if entry is None:
                    unknown.append(f"{value} on day {d.number}")
                elif child.schedule and child.schedule not in entry.schedules:
                    wrong_schedule.append(f"{value} on day {d.number}")
                else:
                    continue
                fields.append(name)
        said = []
        if unknown:
            said.append(f"code {listing(unknown)} " + ("is not a billing code" if len(unknown) == 1
                                                          else "are not billing codes"))
        if wrong_schedule:
            verb = "is" if len(wrong_schedule) == 1 else "are"
            said.append(f"code {listing(wrong_schedule)} {verb} not used on a "
                        f"{child.schedule.title()} schedule (Flex forms use 451/452 for 45)")
        if said:
            out.append(finding("dcc97.unknown_code", f"{child.label}: {'; '.join(said)}.",
                               fields))
    return out


@rule("dcc97.code_not_allowed")
def code_not_allowed(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    # the provider's type is read only for a code kept for licensed providers: a PBF without
    # one does not wait on how surely its type line was read
    type_of = cache(lambda: provider_value(r, "provider_type"))
    month = billing_month(r)
    uncoded = policy.in_force("uncoded_absences", month) if month else None
    for child in children(r):
        licensed, absences = [], []
        for d in child.days:
            value = d.exception
            entry = policy.code(value)
            if entry is None:
                continue
            provider_type = type_of() if entry.licensed_only else None
            not_licensed = entry.licensed_only and provider_type is not None and \
                provider_type not in policy.LICENSED_TYPES
            not_used = bool(uncoded) and value in uncoded.value and child.schedule != "FLEX"
            if (not_licensed or not_used) and r.guessed(d.exception_field):
                r.unreadable(d.exception_field)   # a "45" guessed for a "43": a person reads it
                continue
            if entry.licensed_only and provider_type is None:
                r.unreadable("provider_type")
            if not_licensed:
                licensed.append(d)
            if not_used:
                absences.append(d)
        if licensed:
            codes = listing(sorted({d.exception for d in licensed}))
            out.append(finding(
                "dcc97.code_not_allowed",
                f"{child.label}, {_days(licensed)}: code {codes} (extraordinary absence) is for "
                f"licensed providers only; this provider is {type_of()}.",
                [d.exception_field for d in licensed] + ["provider_type"]))
        if absences:
            codes = listing(sorted({d.exception for d in absences}))
            out.append(finding(
                "dcc97.code_not_allowed",
                f"{child.label}, {_days(absences)}: absence code {codes} is not used in "
                f"{month_label(month)}, when CCAP paid on enrollment.",
                [d.exception_field for d in absences] + ["billing_month"],
                policy=uncoded.source))
    return out


def _ends(day: Day) -> bool:
    entry = policy.code(day.billed)
    return entry is not None and entry.ends_enrollment


@rule("dcc97.end_sequence")
def end_sequence(r: Reading, ctx: Context) -> list[Finding]:
    """The days after a code that ends the enrollment (60, 65) that are not coded 55; a day
    whose code is probably misread (``_misread``) is left to a person."""
    out = []
    for child in children(r):
        ends = [i for i, d in enumerate(child.days) if _ends(d)]
        if not ends:
            continue
        first = child.days[ends[0]]
        later = [d for d in child.days[ends[0] + 1:]
                 if (d.scheduled or d.exception) and d.billed != policy.AFTER_END
                 and not _misread(r, d.exception_field, d.exception)]
        if later:
            out.append(finding(
                "dcc97.end_sequence",
                f"{child.label}: code {first.billed} on day {first.number} ends the enrollment, "
                f"but {_days(later)} after it {'is' if len(later) == 1 else 'are'} not coded "
                f"{policy.AFTER_END}.",
                [first.prefix + "provider_exception"]
                + [d.prefix + "provider_exception" for d in later]))
    return out


@rule("dcc97.flex_uncoded")
def flex_uncoded(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    for child in children(r):
        if child.schedule == "FLEX" and not any(d.exception for d in child.days):
            out.append(finding(
                "dcc97.flex_uncoded",
                f"{child.label} has a Flex schedule and no day is coded; a Flex schedule is "
                f"not prefilled, so nothing can be paid until the provider codes it.",
                [child.field("schedule_type")]))
    return out


def holiday_dates(r: Reading) -> set[date]:
    """The dates coded 43 (holiday) on any child: one holiday per date, whatever the children."""
    return {d.on for c in children(r) for d in c.days
            if d.on and d.exception == policy.HOLIDAY}


@rule("dcc97.holiday_limit")
def holiday_limit(r: Reading, ctx: Context) -> list[Finding]:
    month = billing_month(r)
    mine = holiday_dates(r)
    if not mine or month is None:
        return []
    provider = provider_value(r, "provider_number")
    if provider is None:
        r.unreadable("provider_number")
        return []
    earlier: set[date] = set()        # earlier billing forms of the same provider in this file
    for doc in ctx.extract.documents:
        if doc is r.doc:
            break
        if doc.form == FORM:
            other = Reading(doc)
            other_month = billing_month(other)
            if (provider_value(other, "provider_number") == provider and other_month
                    and other_month.year == month.year and other_month != month):
                earlier |= holiday_dates(other)
    before = ctx.history.holidays_used(provider, month.year) + len(earlier)
    limit = policy.in_force("holiday_limit", month)
    total = before + len(mine - earlier)
    if total <= limit.value:
        return []
    days = sorted(d.day for d in mine)
    return [finding(
        "dcc97.holiday_limit",
        f"{plural(len(mine), 'holiday')} (code 43) billed in {month_label(month)} on "
        f"{_days_of(days)}, with {before} already used in {month.year}: {total} in the year, "
        f"more than the {limit.value} allowed; closures beyond that are coded 55.",
        [f"{d.prefix}provider_exception" for c in children(r) for d in c.days
         if d.exception == policy.HOLIDAY], policy=limit.source)]


def _days_of(days: list[int]) -> str:
    return ("day " if len(days) == 1 else "days ") + listing([str(d) for d in days])


@rule("dcc97.adjustment_window")
def adjustment_window(r: Reading, ctx: Context) -> list[Finding]:
    month = billing_month(r)
    received = ctx.received()
    if month is None or received is None:
        return []
    limit = policy.in_force("adjustment_days", month)
    end = month_end(month)
    late = (received - end).days
    if late < limit.value:
        return []
    return [finding(
        "dcc97.adjustment_window",
        f"Received {received}, {late} days after the end of the billing month "
        f"{month_label(month)} ({end}); no payment or adjustment is made {limit.value} or more "
        f"days after the month of care (last day {end + timedelta(days=limit.value - 1)}).",
        ["billing_month"], policy=limit.source)]


def _levels(dob: date, first: date, last: date) -> tuple[str | None, str | None]:
    """The care level on the month's first day, and the one after a birthday in the month."""
    want_1, want_2 = policy.care_level(dob, first), policy.care_level(dob, last)
    return want_1, (want_2 if want_2 != want_1 else None)


def _apart(got: str | None, want: str | None) -> int:
    """How many care levels apart two levels are (0 when either is not a level)."""
    order = [level for level, _, _ in policy.CARE_LEVELS]
    return abs(order.index(got) - order.index(want)) if got in order and want in order else 0


# A printed level one step from the birth date's is what a birthday near the month or a stale
# record gives; two or more steps usually mean the date's year was misread on a fax ("2015" as
# "2025", "2021" as "2024"). Seven dev sets: 12 true findings, all one step apart (3 of them on
# dates read under 0.95); 3 false ones, 2 to 6 steps apart on dates read at 0.69-0.82.
DOB_SURE = 0.95


# A birth date whose care levels are the printed ones needs no confidence of its own: its
# exact digits do not matter when the levels agree, and a misreading that turns a wrong level
# into an agreeing one was never seen (seven dev sets: 39 birth dates read under 0.8 agreed
# with the printed levels, and the true dates agreed too; 453 of 453 at 0.8 or more).
@rule("dcc97.care_level")
def care_level(r: Reading, ctx: Context) -> list[Finding]:
    month = billing_month(r)
    if month is None:
        return []
    out = []
    first, last = month, month_end(month)
    for child in children(r):
        got_1, got_2 = r.get(child.field("care_level")), r.get(child.field("care_level_2"))
        peeked = parse_date(r.peek(child.field("dob")))
        if peeked and peeked <= last and _levels(peeked, first, last) == (got_1, got_2):
            continue        # the printed levels and the birth date agree: that is the evidence
        dob = parse_date(r.get(child.field("dob")))
        if dob is None or dob > last or r.guessed(child.field("dob")):
            r.unreadable(child.field("dob"))    # born after the month billed, or a guess
            continue
        want_1, want_2 = _levels(dob, first, last)
        if r.confidence(child.field("dob")) < DOB_SURE and _apart(got_1, want_1) >= 2:
            r.unreadable(child.field("dob"))    # a year misread ("2015" as "2025"), likelier
            continue                            # than a level two or more steps wrong
        guessed = [child.field(name) for name, got, want in (("care_level", got_1, want_1),
                                                              ("care_level_2", got_2, want_2))
                   if got != want and r.guessed(child.field(name))]
        if guessed:                 # a faxed "TD-1" read as "TO-4" at 0.30: a person looks
            r.unreadable(*guessed)
            continue
        want = want_1 if want_2 is None else f"{want_1}, then {want_2} from the birthday"
        want = want or "no care level (outside the ages the program pays for)"
        got = got_1 if got_2 is None else f"{got_1} then {got_2}"
        out.append(finding(
            "dcc97.care_level",
            f"{child.label} (born {dob}) is billed at care level {got}; the child's age in "
            f"{month_label(month)} gives {want}.",
            [child.field("dob"), child.field("care_level"), child.field("care_level_2")]))
    return out


@rule("dcc97.blank_form")
def blank_form(r: Reading, ctx: Context) -> list[Finding]:
    if any(d.exception for c in children(r) for d in c.days):
        return []
    names = ["provider_note"] + sorted(m.group(0) for m in r.names(r"p\d+\.provider_note"))
    name = next((n for n in names if r.present(n)), None)   # a note is written; what it says
    if name is None:                                         # does not matter here
        return []
    unsure = [box for c in children(r) for d in c.days for box in unread_codes(r, d)]
    if unsure:                 # a code may be written there, unread: not claimed, a person looks
        r.unreadable(*unsure)
        return []
    return [finding(
        "dcc97.blank_form",
        "Nothing is coded on the billing form, only a provider note; coding the PBF is the "
        "provider's responsibility and a note alone cannot be paid.", [name])]


@rule("dcc97.provider_signature")
def provider_signature(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    signatures = r.names(r"(?:p(\d+)\.)?provider_signature")
    for m in sorted(signatures, key=lambda m: int(m.group(1) or 1)):
        if r.get(m.group(0)) == "blank":
            page = int(m.group(1) or 1)
            out.append(finding(
                "dcc97.provider_signature",
                f"Page {page} of the billing form for {month_label(billing_month(r))} is not "
                f"signed by the provider; every page must be signed.", [m.group(0)]))
    return out
