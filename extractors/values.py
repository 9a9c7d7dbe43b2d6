"""Normalise field values exactly as shared/forms/README.md says ("Value normalisation").

One function per field type, and ``normalise(type, text)`` to dispatch. Every function takes
the text as written on the paper (or as read by OCR) and returns the normalised string, or None
when the text is empty or cannot be read as that type. Initials, marks and signatures are never
None: an empty box is ``absent``, ``unchecked`` or ``blank``.

    >>> normalise("date", "5/6/22")
    '2022-05-06'
    >>> normalise("time", "12:15a")
    '00:15'
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Callable

_SPACES = re.compile(r"\s+")
# Characters OCR takes for one another on a fax: a round D read as O, a T or 1 as L or I, an E
# whose middle bar bled away as C or F. Two texts with the same ``look_alike`` key may be one.
_LOOK_ALIKE = str.maketrans({**dict.fromkeys("ODQ", "0"), **dict.fromkeys("ILT|", "1"),
                             "S": "5", "B": "8", "Z": "2", "G": "6", "E": "F", "C": "F"})


def look_alike(text: str) -> str:
    """``text`` in capitals with look-alike characters merged ("TO-L" and "TD-1" give one key,
    as do "OCL" and "OCT")."""
    return text.upper().translate(_LOOK_ALIKE)


def edits(a: str, b: str) -> int:
    """Characters changed, added or dropped between ``a`` and ``b`` (how far a misreading
    went: "173885" is one from "1173885")."""
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in
               SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op != "equal")


def _text(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = _SPACES.sub(" ", raw).strip().upper()
    return value or None


def _digits(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = re.sub(r"\D", "", raw)
    return value or None


def _date(raw: str | None) -> str | None:
    """M/D/YY, MM/DD/YYYY, M-D-YYYY or ISO YYYY-MM-DD; two-digit years are 20YY."""
    if not raw or not raw.strip():
        return None
    s = raw.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})", s)
        if not m:
            return None
        mo, d, y = (int(g) for g in m.groups())
        if y < 100:
            y += 2000
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _month(raw: str | None) -> str | None:
    """MM/YYYY, M/YY or YYYY-MM."""
    if not raw or not raw.strip():
        return None
    s = raw.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})", s)
        if not m:
            return None
        mo, y = int(m.group(1)), int(m.group(2))
        if y < 100:
            y += 2000
    if not 1 <= mo <= 12:
        return None
    return f"{y:04d}-{mo:02d}"


def _money(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    s = raw.replace("$", "").replace(",", "").strip()
    m = re.fullmatch(r"(\d*)(?:\.(\d{1,2}))?", s)
    if not m or not (m.group(1) or m.group(2)):
        return None
    whole = int(m.group(1) or 0)
    cents = int((m.group(2) or "0").ljust(2, "0"))
    return f"{whole}.{cents:02d}"


_TIME = re.compile(r"(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?", re.I)


def _time(raw: str | None) -> str | None:
    """'7:45a' -> 07:45, '5:30 pm' -> 17:30, '12:00p' -> 12:00, '12:15a' -> 00:15, '17:05'."""
    if not raw or not raw.strip():
        return None
    m = _TIME.fullmatch(raw.strip())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = (m.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def received_date(received_at: str | None) -> date | None:
    """The calendar date of an ISO 8601 ``received_at``, in the offset it was written with
    (Kentucky local time for fax headers and sidecars)."""
    if not received_at:
        return None
    try:
        return datetime.fromisoformat(received_at).date()
    except ValueError:
        return None


def minutes(value: str | None) -> int | None:
    """A normalised ``HH:MM`` as minutes after midnight; None when empty or not a time."""
    if not value or not re.fullmatch(r"\d\d:\d\d", value):
        return None
    return int(value[:2]) * 60 + int(value[3:])


def hours_between(start: str | None, end: str | None) -> float | None:
    """Hours from one normalised time to the next (past midnight counts as the next day)."""
    a, b = minutes(start), minutes(end)
    if a is None or b is None:
        return None
    return ((b - a) % (24 * 60)) / 60


def _present(raw: str | None) -> str:
    return "present" if raw and raw.strip() else "absent"


def _mark(raw: str | None) -> str:
    return "checked" if raw and raw.strip() else "unchecked"


def _signature(raw: str | None) -> str:
    """The paper value of a signature is already its class (wet/electronic/blank)."""
    value = (raw or "").strip().lower()
    return value if value in ("wet", "electronic") else "blank"


NORMALISERS: dict[str, Callable[[str | None], str | None]] = {
    "text": _text, "name": _text, "date": _date, "month": _month, "money": _money,
    "number": _digits, "code": _digits, "time": _time, "initials": _present,
    "mark": _mark, "signature": _signature,
}

# Patterns a normalised value of each type must match (the extract schema's $defs, in Python).
PATTERNS = {
    "text": re.compile(r"[^a-z\s]+( [^a-z\s]+)*"),
    "name": re.compile(r"[^a-z\s]+( [^a-z\s]+)*"),
    "date": re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "money": re.compile(r"\d+\.\d{2}"),
    "number": re.compile(r"\d+"),
    "code": re.compile(r"\d+"),
    "time": re.compile(r"([01]\d|2[0-3]):[0-5]\d"),
    "initials": re.compile(r"present|absent"),
    "mark": re.compile(r"checked|unchecked"),
    "signature": re.compile(r"wet|electronic|blank"),
}


def normalise(field_type: str, raw: str | None) -> str | None:
    """The normalised value of ``raw`` read as ``field_type``; None when empty or unreadable."""
    return NORMALISERS[field_type](raw)


def is_normalised(field_type: str, value: str | None) -> bool:
    """True when ``value`` is a valid normalised value of the type (None counts for nullable)."""
    if value is None:
        return field_type not in ("initials", "mark", "signature")
    return PATTERNS[field_type].fullmatch(value) is not None
