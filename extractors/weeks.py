"""A DCC-94E's week read against the month of the PBF it came with (a closed vocabulary).

An attendance sheet faxed with a provider's billing form records a week of the form's month:
its "week of" is one of the four to six Sundays from the last one before the month starts to
the last one in it, and its "through" is the Saturday after. Both are handwritten, often faint
or broken by a fax, and read open they are the dates most often left unsure on a sheet (six
development sets: 114 of 749 sheets had "week of" unread, wrong or under 0.75). Choosing among
a few Sundays is far easier: each candidate week is scored by the handwriting model on both
boxes at once (the likelihood of the ink given the two dates, over every CTC alignment and
every usual way of writing a date, ``written``), as ``names.resolve`` scores a sheet's
children against the PBF's.

A sheet of another month must not be forced into this one (that is ``match.missing_week``):
the weeks of the months either side and of the same month a year either side are scored too,
as are the dates the readers themselves put forward, all of them a little less likely a
priori (``ELSEWHERE``). The month's week is taken only when it beats every other reading
clearly (``SURE_MARGIN``) and both boxes hold ink. Otherwise the dates stay as read.

The sheet's signed date is a third witness: a sheet is signed at the end of its week
(``signed_term``). A sheet faxed without its PBF is read against the weeks before it arrived
(``resolve``).
"""
from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from itertools import product

import numpy as np

from .constraints import OFFSET_WEIGHT
from .model import Document, FieldValue
from .readers import handwriting as hw
from .values import month_before, received_date

SURE_MARGIN = 0.4      # nats per character by which the week must beat the next reading
ELSEWHERE = -4.0       # log prior of a date outside the PBF's month against one inside it
# (six development sets, 749 sheets, scored against their own month and a month either side:
# at these two values no week was taken wrongly and 20 of 69 sheets whose two dates did not
# already agree were read right; every wrong week taken at lower margins had one box blank)
SURE = 0.99            # the confidence of a week taken (both boxes agree by construction)
SURE_MONTH = 0.9       # the PBF's printed billing month must be read at least this surely (a
                       # month read one off is guarded by ``elsewhere``)
SEPARATORS = "/-."
SIX = timedelta(days=6)  # a week's Sunday to its Saturday
DATE_CHARS = 7         # characters of a date as usually written, 5/4/25 to 12/28/25: the unit
                       # of the margin
SIGNED_LAG = range(-1, 8)  # a sheet is signed "at the end of each week" (DCC-94 page 3): from
                       # the Friday of its week to a week after its Saturday, any day alike ...
SIGNED_ELSEWHERE = 0.1  # ... but for this share of sheets, signed on any day of the year (all
                       # at the month's end, a slip of the pen): a signed date far from every
                       # candidate week weighs on none of them. Seven development sets and the
                       # bench (187 files, 803 sheets): at 0.1, 0.3 or 0.5 alike, weeks of 14
                       # sheets wrong -> right, none right -> wrong
YEAR = 366


def written(day: date) -> list[str]:
    """The usual ways of writing ``day`` by hand: M/D/YY, MM/DD/YYYY and the mixes between,
    with a slash, a dash or a dot."""
    months = {str(day.month), f"{day.month:02d}"}
    days = {str(day.day), f"{day.day:02d}"}
    years = (f"{day.year % 100:02d}", str(day.year))
    return sorted(f"{m}{s}{d}{s}{y}" for m, d, y, s in product(months, days, years, SEPARATORS))


def sundays(month: date) -> list[date]:
    """The Sundays of the weeks that touch ``month``."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=(first.weekday() + 1) % 7)         # the Sunday on or before
    return [start + timedelta(weeks=k) for k in range((last - start).days // 7 + 1)]


def elsewhere(month: date) -> list[date]:
    """Sundays of weeks a sheet sent with ``month``'s PBF might hold instead: the months
    before and after, and the same month a year either side (a January sheet dated last
    year)."""
    first = month.replace(day=1)
    months = [month_before(first),
              (first + timedelta(days=31)).replace(day=1),
              first.replace(year=first.year - 1), first.replace(year=first.year + 1)]
    return sorted({s for m in months for s in sundays(m)} - set(sundays(first)))


def box_scores(crop: np.ndarray | None, days: list[date]) -> list[float] | None:
    """The log-likelihood of each of ``days`` in the handwritten ``crop`` (over the ways of
    writing it, ``written``); None for a crop with no ink."""
    forms = [written(d) for d in days]
    found = None if crop is None or not days else hw.vocabulary_scores(crop, sum(forms, []))
    if found is None:
        return None
    out, at = [], 0
    for group in forms:
        out.append(float(np.logaddexp.reduce(found[0][at:at + len(group)])))
        at += len(group)
    return out


def signed_term(signed: dict[date, float]):
    """The log-likelihood of the signed-date box given a sheet's Sunday, from the box's
    log-likelihood of each date scored (``signed``): signed on one of the ``SIGNED_LAG`` days
    after the week, or (``SIGNED_ELSEWHERE``) on any day of a year. 0 for every Sunday when
    the box holds no ink."""
    if not signed:
        return lambda sunday: 0.0
    anywhere = max(signed.values()) + np.log(SIGNED_ELSEWHERE / YEAR)
    inside = np.log(1 - SIGNED_ELSEWHERE) - np.log(len(SIGNED_LAG))

    def term(sunday: date) -> float:
        near = [signed[d] for k in SIGNED_LAG if (d := sunday + SIX + timedelta(days=k)) in signed]
        return float(np.logaddexp(inside + np.logaddexp.reduce(near), anywhere)) if near \
            else anywhere
    return term


def rank(of: dict[date, float], through: dict[date, float], weeks: set[date], chars: int,
         signed: dict[date, float] | None = None) -> tuple[date | None, float]:
    """The Sunday the two boxes hold and by how much (nats per character) that reading beats
    the next best, from each box's log-likelihood of the dates scored (``of`` and
    ``through``; a box with no ink maps none). Every pair of the two boxes' dates is weighed
    by its prior: a week of ``weeks`` (the PBF's month) none, any other date ``ELSEWHERE``
    and a pair that is no Sunday and the Saturday after it ``OFFSET_WEIGHT`` as well
    (written so by mistake, or misread). The sheet's signed date, when scored (``signed``),
    witnesses the week it ends (``signed_term``). None, when the best pair is no such week.
    The margin is over the best reading of another week (or of none): a pair with one box of
    the same week, the other misread or miswritten, does not count against it (seven
    development sets and the bench, 803 sheets: weeks of 10 sheets wrong -> right, none
    right -> wrong)."""
    slip, away = float(np.log(OFFSET_WEIGHT)), ELSEWHERE
    after = signed_term(signed or {})

    def prior(a: date | None, b: date | None) -> tuple[date | None, float]:
        start = a if a is not None else b - SIX
        fits = a is None or b is None or b - a == SIX
        if not fits:
            return None, slip + (0.0 if a in weeks and b - SIX in weeks else away)
        return (start, 0.0) if start in weeks else (None, away)

    scored = []
    for a in of or [None]:
        for b in through or [None]:
            start, weight = prior(a, b)
            sunday = a if a is not None else b - SIX
            scored.append(((of[a] if of else 0.0) + (through[b] if through else 0.0) + weight
                           + after(sunday), start, {sunday, b - SIX if b else sunday}))
    scored.sort(key=lambda sv: -sv[0])
    (top, start, _), rest = scored[0], scored[1:]
    if start is not None:           # one box of the same week misread is no other reading
        rest = [entry for entry in rest if start not in entry[2]]
    return start, (top - rest[0][0]) / chars if rest else float("inf")


def _week(crops: list[np.ndarray | None], fields: list[FieldValue | None], months: list[date],
          latest: date | None = None) -> date | None:
    """The Sunday of one of ``months``'s weeks (none after ``latest``) the sheet's boxes hold
    (``rank``, by ``SURE_MARGIN``): its week of and through (``crops`` and ``fields`` in that
    order), each scored on the dates of those weeks, of the weeks around them (``elsewhere``)
    and on those its reader put forward, and its signed date (third) on the days after each
    of those weeks (``SIGNED_LAG``). None when the week's boxes hold no ink or no week wins
    clearly."""
    weeks = {s for m in months for s in sundays(m) if latest is None or s <= latest}
    every = weeks | {s for m in months for s in elsewhere(m)}
    lags = [SIX + timedelta(days=k) for k in SIGNED_LAG]
    boxes = []
    for crop, fv, offsets in zip(crops, fields, ([timedelta(0)], [SIX], lags)):
        days = sorted({s + offset for s in every for offset in offsets}
                      | {date.fromisoformat(v) for v, _ in (fv.distribution() if fv else ()) if v})
        scores = box_scores(crop, days)
        boxes.append(dict(zip(days, scores)) if scores else {})
    if not all(boxes[:2]):     # one box alone was misread surely on poor faxes
        return None
    start, margin = rank(boxes[0], boxes[1], weeks, 2 * DATE_CHARS, boxes[2])
    return start if start is not None and margin >= SURE_MARGIN else None


def _months(documents: list[Document]) -> list[date]:
    """The billing months of the file's PBFs (``_month``)."""
    return sorted({m for doc in documents if doc.form == "DCC-97" for m in _month(doc)})


def _month(pbf: Document) -> set[date]:
    """The billing month a PBF prints, when it is known surely: a copy of the month read at
    ``SURE_MONTH``; else the month read (however surely) and the date generated agreeing (the
    system generates the form on the 1st of the month after the one it bills: two printed
    readings that agree, shared/forms/README.md); else the date generated alone, read at
    ``SURE_MONTH``. A fax blurs the month's name more than the date's digits: on seven
    development sets 51 of 370 PBFs had their month read under ``SURE_MONTH``, and in 49 of
    them it agreed with the date generated."""
    read, generated = {}, {}
    for name, fv in pbf.fields.items():
        base = name.split(".")[-1]
        try:
            if base == "billing_month" and fv.value:
                day = date.fromisoformat(fv.value + "-01")
                read[day] = max(read.get(day, 0.0), fv.confidence)
            elif base == "date_generated" and fv.value:
                day = month_before(date.fromisoformat(fv.value))
                generated[day] = max(generated.get(day, 0.0), fv.confidence)
        except ValueError:
            continue
    for found in ({m for m, p in read.items() if p >= SURE_MONTH}, set(read) & set(generated),
                  {m for m, p in generated.items() if p >= SURE_MONTH}):
        if found:
            return found
    return set()


def _agree(of: FieldValue | None, through: FieldValue | None) -> bool:
    """The two dates already read as a Sunday and the Saturday after it."""
    try:
        start, end = date.fromisoformat(of.value), date.fromisoformat(through.value)
    except (AttributeError, TypeError, ValueError):
        return False
    return start.weekday() == 6 and end - start == timedelta(days=6)


def resolve(documents: list[Document], crops: dict[tuple[int, str], np.ndarray],
            received_at: str | None = None) -> list[Document]:
    """``documents`` with each DCC-94E's week taken from the file's PBF months where the ink
    clearly holds one (module docstring). ``crops`` maps (page index, field name) to the
    handwritten field's image. Sheets sent without a PBF (or with one whose month could not
    be read) are read against the weeks up to their arrival (``received_at``) of its month
    and the month before: a sheet is sent once its week is over. Seven development sets and
    the bench (219 files of sheets alone): week of 205 -> 208, through 196 -> 202 of 219,
    none right -> wrong; clean accepted 91 -> 93 of 116; findings unchanged."""
    months, latest = _months(documents), None
    received = received_date(received_at)
    if not months and received is not None:
        months, latest = [month_before(received), received.replace(day=1)], received
    if not months:
        return documents
    out = []
    for doc in documents:
        of, through = doc.fields.get("week_of"), doc.fields.get("week_through")
        if doc.form != "DCC-94E" or of is None or through is None or _agree(of, through):
            out.append(doc)
            continue
        names = ("week_of", "week_through", "provider_signed_date")
        read = [doc.fields.get(name) for name in names]
        sunday = _week([crops.get((fv.page, name)) if fv else None
                        for fv, name in zip(read, names)], read, months, latest)
        fields = dict(doc.fields)
        for name, day in (("week_of", sunday), ("week_through", sunday and sunday + SIX)):
            if day:
                fields[name] = replace(fields[name], value=day.isoformat(), confidence=SURE,
                                       alternatives=())
        out.append(replace(doc, fields=fields))
    return out
