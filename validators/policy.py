"""The CCAP policy the rules apply, as data: dated limits, the billing code table, care levels.

Why a dated table: policy changes over time (from 12/1/22, tentatively to 12/31/23, CCAP paid on
enrollment and absences were not coded), and a billing form is judged by the policy in force in
its billing month, a certificate by the policy in force when it was generated. A new period is a
new row here, never an ``if`` on a date in a rule.

Sources are the DCC provider pages in ``shared/seeds`` and the billing code table in
``shared/forms/README.md`` (which marks what is sourced, secondary or assumed).

    >>> in_force("return_days", date(2022, 5, 3)).value
    10
    >>> sorted(in_force("uncoded_absences", date(2023, 3, 1)).value)
    ['40', '45', '50']
    >>> born = date(2019, 6, 15)
    >>> care_level(born, date(2022, 6, 14)), care_level(born, date(2022, 6, 15))
    ('TD-2', 'PS-1')
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

FOREVER_BEFORE, FOREVER_AFTER = date.min, date.max


@dataclass(frozen=True)
class Policy:
    """One value of one named policy, in force from ``since`` to ``until`` (both inclusive)."""
    name: str
    value: Any
    since: date
    until: date
    source: str

    def covers(self, day: date) -> bool:
        return self.since <= day <= self.until


_ENROLLMENT_BASED = ("CCAP paid on enrollment, not attendance, from 12/1/22 (tentatively to "
                     "12/31/23); child absences (codes 40, 45, 50) were not recorded, Flex "
                     "schedules were still coded (DCC provider guidance, Enrollment vs Attendance "
                     "PBF Coding).")

POLICIES: tuple[Policy, ...] = (
    Policy("return_days", 10, FOREVER_BEFORE, FOREVER_AFTER,
           "The signed certificate must be returned within ten (10) calendar days of being "
           "generated (DCC provider guidance)."),
    Policy("adjustment_days", 90, FOREVER_BEFORE, FOREVER_AFTER,
           "No payments or adjustments are made ninety (90) or more days after the month care "
           "was provided (922 KAR 2:160, Section 17(g); DCC provider guidance)."),
    Policy("holiday_limit", 10, FOREVER_BEFORE, FOREVER_AFTER,
           "A provider may use at most ten (10) holidays (code 43) per calendar year; one use on "
           "any child counts (DCC provider guidance)."),
    Policy("full_day_hours", (5.0, 18.0), FOREVER_BEFORE, FOREVER_AFTER,
           "A full day is five (5) to eighteen (18) hours of care; a part day is under five (5) "
           "hours (DCC payment rates)."),
    Policy("uncoded_absences", frozenset(), FOREVER_BEFORE, date(2022, 11, 30),
           "Absences are coded 40, 45 (licensed providers) or 50 (DCC-97 instructions)."),
    Policy("uncoded_absences", frozenset({"40", "45", "50"}), date(2022, 12, 1),
           date(2023, 12, 31), _ENROLLMENT_BASED),
    Policy("uncoded_absences", frozenset(), date(2024, 1, 1), FOREVER_AFTER,
           "Absences are coded 40, 45 (licensed providers) or 50 (DCC-97 instructions)."),
)


def in_force(name: str, day: date) -> Policy:
    """The row of policy ``name`` in force on ``day``."""
    for row in POLICIES:
        if row.name == name and row.covers(day):
            return row
    raise KeyError(f"no policy {name!r} in force on {day}")


# --- billing codes -------------------------------------------------------------------------

@dataclass(frozen=True)
class Code:
    """One DCC-97 billing code (shared/forms/README.md, "Billing codes")."""
    code: str
    meaning: str
    payable: bool
    attended: bool = False        # billed as a day the child was in care (needs DCC-94E times)
    full_day: bool = False        # billed as a full day (5 to 18 hours)
    part_day: bool = False        # billed as a part day (under 5 hours)
    licensed_only: bool = False   # only licensed providers may use it
    ends_enrollment: bool = False  # 60/65: every later scheduled day must be 55
    schedules: frozenset[str] = frozenset({"REGULAR", "SCHOOL", "FLEX"})


_NOT_FLEX = frozenset({"REGULAR", "SCHOOL"})
_FLEX = frozenset({"FLEX"})

CODES: dict[str, Code] = {c.code: c for c in (
    Code("1", "full day", True, attended=True, full_day=True),
    Code("2", "part day", True, attended=True, part_day=True),
    Code("40", "excused absence", True),
    Code("43", "holiday", True),
    Code("45", "extraordinary absence", True, licensed_only=True, schedules=_NOT_FLEX),
    Code("451", "extraordinary absence, full day (Flex)", True, licensed_only=True,
         schedules=_FLEX),
    Code("452", "extraordinary absence, part day (Flex)", True, licensed_only=True,
         schedules=_FLEX),
    Code("50", "absence, not payable", False),
    Code("55", "no payment requested", False),
    Code("60", "last day attended", True, attended=True, ends_enrollment=True),
    Code("65", "last day, not paid", False, ends_enrollment=True),
)}

HOLIDAY = "43"
AFTER_END = "55"
LICENSED_TYPES = frozenset({"LICENSED TYPE I", "LICENSED TYPE II"})


def code(value: str | None) -> Code | None:
    """The table entry of a normalised code ("043" reads as 43), None when not in the table."""
    if not value or not value.isdigit():
        return None
    return CODES.get(str(int(value)))


def canonical(value: str) -> str:
    """A code as the table spells it (leading zeros dropped)."""
    return str(int(value)) if value.isdigit() else value


# --- care levels -----------------------------------------------------------------------------

# (level, first age in whole years, first age no longer in the level); "up to the next birthday".
CARE_LEVELS: tuple[tuple[str, int, int], ...] = (
    ("IN-1", 0, 1), ("TD-1", 1, 2), ("TD-2", 2, 3), ("PS-1", 3, 4), ("PS-2", 4, 5),
    ("PS-3", 5, 6), ("SA-1", 6, 8), ("SA-2", 8, 13), ("SA-3", 13, 19),
)


def age_on(dob: date, day: date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday turns on 1 March)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def care_level(dob: date, day: date) -> str | None:
    """The care level of a child born on ``dob`` on ``day``; None outside 0..18 years."""
    age = age_on(dob, day)
    for level, low, high in CARE_LEVELS:
        if low <= age < high:
            return level
    return None
