"""Read the fax header line: when the fax was sent, and which page of how many.

Fax machines print one line across the top of every transmitted page, in their own format:

    MAY-16-2022 09:14  SUNNY DAYS CC  502 555 0199  TO 5025732007  P.001/003
    05/16/2022 09:14 FAX 5025550199 SUNNY DAYS CC PAGE 01/03
    16 May 2022 9:14AM From:+1 502-555-0199 To:5025732007 p.1/3
    Mon May 16 09:14:33 2022 ... Pg 1

The parser looks for a date, a time and a page counter anywhere in the line, in any of the
common spellings, and tolerates OCR noise around them. Times carry no zone: they are the
sending machine's local time, taken as Kentucky's (America/New_York).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .values import look_alike

LOCAL = ZoneInfo("America/New_York")
MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
_MON = r"([A-Z0][A-Z]{2})[A-Z]*\.?"    # a month's name, maybe misread: see ``month``


def month(name: str) -> int | None:
    """The month a three-letter name stands for: exactly, or the one month it is in
    look-alike letters ("OCL" for OCT, "DCC" for DEC: ``values.look_alike``); else None."""
    name = name[:3].upper()
    if name in MONTHS:
        return MONTHS[name]
    near = [i for m, i in MONTHS.items() if look_alike(m) == look_alike(name)]
    return near[0] if len(near) == 1 else None

# Date spellings: (regex, order of the groups as y/m/d letters)
_DATES = [
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"), "mdy"),
    (re.compile(rf"\b{_MON}[-\s.]?(\d{{1,2}})[-,\s]+(\d{{4}})\b"), "Mdy"),
    (re.compile(rf"\b(\d{{1,2}})[-\s]?{_MON}[-\s]?(\d{{4}}|\d{{2}})\b"), "dMy"),
    (re.compile(rf"\b{_MON}\s+(\d{{1,2}})\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s+(\d{{4}})\b"), "Mdy"),
]
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([AP])?\.?M?\b", re.I)
_PAGE = re.compile(
    r"\b(?:P(?:AGE|G|\.)?|PAGE)\s*[.:#]?\s*0*(\d{1,3})(?:\s*(?:/|OF)\s*0*(\d{1,3}))?\b", re.I)


@dataclass(frozen=True)
class FaxHeader:
    text: str
    sent_at: datetime | None      # timezone-aware (America/New_York), minute precision
    page: int | None
    of: int | None


def _date(text: str) -> tuple[int, int, int] | None:
    upper = text.upper()
    for pattern, order in _DATES:
        for m in pattern.finditer(upper):
            g = m.groups()
            try:
                if order == "ymd":
                    y, mo, d = int(g[0]), int(g[1]), int(g[2])
                elif order == "mdy":
                    mo, d, y = int(g[0]), int(g[1]), int(g[2])
                elif order == "Mdy":
                    mo, d, y = month(g[0]), int(g[1]), int(g[2])
                else:
                    d, mo, y = int(g[0]), month(g[1]), int(g[2])
            except ValueError:
                continue
            if mo is None:
                continue
            y += 2000 if y < 100 else 0
            if 1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100:
                return y, mo, d
    return None


def _time(text: str) -> tuple[int, int] | None:
    for m in _TIME.finditer(text):
        hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(4) or "").upper()
        if half:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if half == "P" else 0)
        if hour <= 23 and minute <= 59:
            return hour, minute
    return None


def _page(text: str) -> tuple[int | None, int | None]:
    found = [m for m in _PAGE.finditer(text) if m.group(1)]
    if not found:
        return None, None
    m = found[-1]                       # the counter is at the end of most headers
    page, of = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    if page < 1 or (of is not None and (of < 1 or page > of)):
        return None, None
    return page, of


def parse(text: str | None) -> FaxHeader | None:
    """The date-time and page counter in a header line; None when the line holds no date."""
    if not text or not text.strip():
        return None
    day, clock = _date(text), _time(text)
    page, of = _page(text)
    sent = None
    if day and clock:
        try:
            sent = datetime(*day, *clock, tzinfo=LOCAL)
        except ValueError:
            sent = None
    if sent is None and page is None:
        return None
    return FaxHeader(text.strip(), sent, page, of)
