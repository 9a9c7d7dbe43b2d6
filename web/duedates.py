"""Due dates on the review queue: a review is due 2 business days after a document is received.

Business days are Monday to Friday less the Kentucky state holidays on which the Division's
offices are closed (KRS 18A.190): New Year's Day, Martin Luther King Jr. Day, Memorial Day,
Independence Day, Labor Day, Veterans Day, Thanksgiving and the Friday after, Christmas Eve,
Christmas Day and New Year's Eve. A holiday on a Saturday is observed the Friday before, on a
Sunday the Monday after (the Governor's yearly calendar may differ by a day around Christmas;
Good Friday is a half day and counts as a business day). The dates come from dateutil's
relativedelta, so nothing here counts weekdays by hand.

Dates are the day in Kentucky (Eastern time; the western counties' Central time would move an
evening fax by at most one day, which we accept).

    >>> review_due(date(2022, 5, 13))       # a Friday -> the Tuesday after
    datetime.date(2022, 5, 17)
    >>> review_due(date(2022, 11, 23))      # Wednesday before Thanksgiving -> Tuesday
    datetime.date(2022, 11, 29)
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import MO, TH, relativedelta

KENTUCKY = ZoneInfo("America/New_York")
REVIEW_BUSINESS_DAYS = 2


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def state_holidays(year: int) -> frozenset[date]:
    """The days Kentucky state offices are closed in ``year`` (observed dates)."""
    jan1, jun1, sep1, nov1 = date(year, 1, 1), date(year, 6, 1), date(year, 9, 1), date(year, 11, 1)
    thanksgiving = nov1 + relativedelta(weekday=TH(4))
    fixed = [jan1, date(year, 7, 4), date(year, 11, 11), date(year, 12, 24), date(year, 12, 25),
             date(year, 12, 31)]
    moving = [jan1 + relativedelta(weekday=MO(3)),           # Martin Luther King Jr. Day
              jun1 - relativedelta(days=1, weekday=MO(-1)),   # Memorial Day: last Monday of May
              sep1 + relativedelta(weekday=MO(1)),           # Labor Day
              thanksgiving, thanksgiving + timedelta(days=1)]
    return frozenset([_observed(d) for d in fixed] + moving)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in state_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The business day ``days`` business days after ``start`` (which may itself be a holiday)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def received_day(received_at: str | datetime | None) -> date | None:
    """The Kentucky calendar day of an ISO 8601 timestamp (or datetime); None when unknown."""
    if received_at is None:
        return None
    if isinstance(received_at, str):
        try:
            received_at = datetime.fromisoformat(received_at)
        except ValueError:
            return None
    if received_at.tzinfo is None:
        return received_at.date()
    return received_at.astimezone(KENTUCKY).date()


def review_due(received: date) -> date:
    return add_business_days(received, REVIEW_BUSINESS_DAYS)


def today() -> date:
    return datetime.now(KENTUCKY).date()
