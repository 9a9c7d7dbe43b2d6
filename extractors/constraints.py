"""What the forms allow, applied to a page's readings: closed vocabularies and derived values.

A printed provider type is one of four phrases, a certificate number a C and ten digits, a care
level one of nine codes, a weekday under a DCC-97 day number is the weekday of that date in the
billing month. OCR that reads "LICENSED
TYPE 1" or a smudged "H" under a Monday is corrected by what the form allows, and its
confidence says how far the reading was from the allowed value. The vocabularies and the
derivations are data (``forms/vocabulary.json``); this module only applies them.
"""
from __future__ import annotations

import calendar
import json
import re
from dataclasses import replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from fnmatch import fnmatch
from functools import cache, partial
from pathlib import Path
from typing import Callable

from . import names
from .forms import split_page_prefix
from .model import FieldValue
from .readers.handwriting import Prior
from .values import hours_between, look_alike

MIN_RATIO = 0.5             # a reading less alike than this to every allowed value is kept as read
MISFIT = 0.3                # ... with at most this confidence; as is an identifier that does not
                            # fit its format
LOOK_ALIKE = 0.85           # a reading that is one allowed value in look-alike characters


@cache
def _spec() -> dict:
    return json.loads((Path(__file__).parent / "forms" / "vocabulary.json").read_text())


def per_page(form: str, name: str) -> bool:
    """Whether a printed field differs from page to page by design ("Page N of M"), so that
    its copies on several pages are not one value."""
    base = split_page_prefix(name)[1]
    return any(fnmatch(base, pattern) for pattern in _spec().get("per_page", {}).get(form, []))


def vocabulary(form: str, name: str) -> list[str]:
    """The values ``name`` of ``form`` may take (empty when it is open text)."""
    base = split_page_prefix(name)[1]
    return next((allowed for pattern, allowed in _spec()["vocabularies"].get(form, {}).items()
                 if fnmatch(base, pattern)), [])


def snap(value: str | None, allowed: list[str], confidence: float) -> tuple[str | None, float]:
    """The allowed value nearest to ``value`` and the confidence that it is the one."""
    if value is None:
        return None, confidence
    if value in allowed:
        return value, min(0.99, confidence + 0.1)
    key = look_alike(value)
    alike = {a for a in allowed if look_alike(a) == key}
    if len(alike) == 1:                     # "TO-L" is "TD-1" in look-alike letters
        return alike.pop(), LOOK_ALIKE
    ratios = sorted(((SequenceMatcher(None, value, a).ratio(), a) for a in allowed), reverse=True)
    best_ratio, best = ratios[0]
    second = ratios[1][0] if len(ratios) > 1 else 0.0
    if best_ratio < MIN_RATIO or best_ratio == second:
        return value, min(confidence, MISFIT)
    return best, min(0.94, 0.5 + (best_ratio - second))


WEEK = "MTWTFSS"          # Monday first, as ``calendar.weekday`` counts


def _day(name: str) -> int:
    """The day number of a DCC-97 calendar field: 14 for ``children.2.days.14.weekday``."""
    return int(name.split(".days.")[1].split(".")[0])


def weekday_of_billing_month(name: str, prefix: str, fields: dict[str, FieldValue]):
    """(value, confidence) of ``children.N.days.DD.weekday``: S M T W T F S, or None (greyed)
    after the month's end. From the billing month when it was read well; else from the
    weekday letters read on the page themselves (``_weekday_by_vote``); None when neither
    decides."""
    day = _day(name)
    month = fields.get(f"{prefix}billing_month") or fields.get("billing_month")
    if month is None or month.value is None or month.confidence < 0.8:
        voted = _weekday_by_vote(prefix, fields)
        if voted is None:
            return None
        first, confidence = voted
        return WEEK[(first + day - 1) % 7], confidence
    year, number = (int(v) for v in month.value.split("-"))
    if day > calendar.monthrange(year, number)[1]:
        return None, month.confidence
    return WEEK[calendar.weekday(year, number, day)], month.confidence


def month_by_weekdays(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The billing month checked against the weekday letters printed under its days (the
    system prints them from the month, so they spell it again). When a month starts on
    another weekday than a clear majority of the letters say, it was misread (a faxed 5 read
    as 8): the one month within a digit of the reading that fits the letters (and, among
    several, lies up to three months before the date generated) replaces it, else the
    reading stays; either way it goes to a person (confidence under 0.8), and the weekdays
    follow the letters. An unsure reading is checked too: a PBF's two pages had "2025-06"
    at 0.74 and "2025-05" at 0.68, the copies' vote took the wrong one and a tie with the
    date generated left the month unread, so no sheet was compared with the PBF."""
    out = dict(fields)
    for name, fv in fields.items():
        prefix, base = split_page_prefix(name)
        if base != "billing_month" or fv.value is None:
            continue
        voted = _weekday_by_vote(prefix, fields)
        year, number = (int(v) for v in fv.value.split("-"))
        if voted is None or voted[0] == calendar.weekday(year, number, 1):
            continue
        fits = [m for m in _one_digit_away(fv.value)
                if calendar.weekday(int(m[:4]), int(m[5:]), 1) == voted[0]]
        generated = fields.get(prefix + "date_generated") or fields.get("date_generated")
        if len(fits) > 1 and generated is not None and generated.value:   # billed months
            due = _months(generated.value[:7])                            # come just before
            fits = [m for m in fits if 0 <= due - _months(m) <= 3]
        value = fits[0] if len(fits) == 1 else fv.value
        confidence = min(0.75, voted[1], 1.0 if value != fv.value else fv.confidence)
        out[name] = replace(fv, value=value, confidence=confidence, alternatives=())
    return out


def _months(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _one_digit_away(month: str) -> list[str]:
    """Valid months ("YYYY-MM") that differ from ``month`` in exactly one digit."""
    out = []
    for i, ch in enumerate(month):
        if not ch.isdigit():
            continue
        for d in "0123456789":
            other = month[:i] + d + month[i + 1:]
            if d != ch and 1 <= int(other[5:]) <= 12 and 1990 <= int(other[:4]) <= 2069:
                out.append(other)
    return out


def _weekday_by_vote(prefix: str, fields: dict[str, FieldValue]) -> tuple[int, float] | None:
    """(weekday of day 1, confidence) that agrees with most weekday letters read on the page.

    A month's weekdays are one shift of M T W T F S S, so the 28-31 letters printed under the
    day numbers of every child vote for one of seven shifts; a smudged "H" under one Monday
    is outvoted. Decided only by a clear majority."""
    votes = [0] * 7
    voters = 0
    for name, fv in fields.items():
        if not (name.startswith(prefix) and name.endswith(".weekday") and ".days." in name):
            continue
        if fv.value is None or fv.value not in WEEK or fv.confidence < 0.5:
            continue
        day = _day(name)
        voters += 1
        for first in range(7):
            votes[first] += WEEK[(first + day - 1) % 7] == fv.value
    ranked = sorted(range(7), key=votes.__getitem__, reverse=True)
    best, second = votes[ranked[0]], votes[ranked[1]]
    if voters < 7 or best < 0.7 * voters or best - second < 5:
        return None
    return ranked[0], min(0.97, 0.5 + 0.5 * (best - second) / voters)


def count_of_scheduled(name: str, prefix: str, fields: dict[str, FieldValue]):
    """(value, confidence) of ``children.N.summary.K.count``: the number of the child's days
    scheduled with the summary line's code, which is what the system printed there (551 of
    551 summary lines of the development sets). Its confidence is that of the least sure
    reading it counts; None (the line's own reading stands) when that is less sure than the
    line's own reading or the line's code is unread."""
    child, line = name.split(".")[1], name.split(".")[3]
    code = fields.get(f"{prefix}children.{child}.summary.{line}.code")
    days = [fv for n, fv in fields.items()
            if n.startswith(f"{prefix}children.{child}.days.") and n.endswith(".scheduled")]
    if code is None or code.value is None or not days:
        return None
    confidence = min([code.confidence] + [fv.confidence for fv in days])
    if confidence < fields[prefix + name].confidence:
        return None
    return str(sum(fv.value == code.value for fv in days)), confidence


DERIVATIONS = {"weekday_of_billing_month": weekday_of_billing_month,
               "count_of_scheduled": count_of_scheduled}

PRIOR_WEIGHT = 0.25         # a value outside its window keeps a quarter of its weight: a
                            # clearly written surprising value (a real defect) still wins
WEEKDAY_PRIOR_WEIGHT = 0.05  # "week of" a Sunday is printed on the form: a firmer fact
OFF_STEP_WEIGHT = 0.5       # a time off the usual 5-minute marks (7:52 beside 7:50): a nudge only
DIGITS_PRIOR_WEIGHT = 0.05  # provider numbers have 7 digits: a 6-digit reading lost one


def _prior_spec(form: str, name: str) -> dict | None:
    _, base = split_page_prefix(name)
    return next((v for pattern, v in _spec().get("priors", {}).get(form, {}).items()
                 if fnmatch(base, pattern)), None)


def expected_near(form: str, name: str) -> bool:
    """Whether the handwritten date ``name`` is expected near another date (a signed date)."""
    return "near" in (_prior_spec(form, name) or {})


def prior(form: str, name: str, page: dict[str, FieldValue]) -> Prior | None:
    """What the handwritten date, time or number ``name`` is expected to be (``priors`` in the
    data), from the printed dates already read on the same ``page``; None when nothing is
    known."""
    spec = _prior_spec(form, name)
    if spec is None:
        return None
    if "weekday" in spec:
        return Prior(weekday=spec["weekday"], weight=WEEKDAY_PRIOR_WEIGHT)
    if "digits" in spec:
        return Prior(digits=spec["digits"], weight=DIGITS_PRIOR_WEIGHT)
    if "between" in spec:                    # "HH:MM" strings compare as times do
        return Prior(earliest=spec["between"][0], latest=spec["between"][1], weight=PRIOR_WEIGHT,
                     minute_step=spec.get("minute_step"), off_step_weight=OFF_STEP_WEIGHT)
    anchor = next((fv for n, fv in page.items() if split_page_prefix(n)[1] == spec["near"]
                   and fv.value is not None and fv.confidence >= 0.5), None)
    if anchor is None:
        return None
    start = date.fromisoformat(anchor.value if len(anchor.value) == 10 else anchor.value + "-01")
    before, after = spec["days"]
    return Prior(earliest=str(start + timedelta(days=before)),
                 latest=str(start + timedelta(days=after)), weight=PRIOR_WEIGHT)


def conform(value: str | None, fmt: str, confidence: float) -> tuple[str | None, float]:
    """``value`` held to an identifier format ("C##########": a C and ten digits).

    The letters of a format are printed by the system, not information: a reading with the
    right digits but a lost or garbled letter ("2608221897", "€2608221897") is given the
    format's letters back. A reading whose digits do not fit is kept, with a confidence low
    enough to send it to a person.
    """
    if value is None:
        return None, confidence
    digits = [ch for ch in value if ch.isdigit()]
    if len(digits) != fmt.count("#"):
        inside = _format_regex(fmt).findall(value)
        whole = [m for m in inside if len(m) == len(fmt)]        # with its letters
        for found in (whole, inside):
            if len(found) == 1:        # the crop caught its neighbours' text as well
                return conform(found[0], fmt, min(confidence, 0.7))
        return value, min(confidence, MISFIT)
    it = iter(digits)
    return "".join(next(it) if ch == "#" else ch for ch in fmt), confidence


def _format_regex(fmt: str) -> re.Pattern:
    """Where ``fmt`` stands whole inside a longer reading: its digits as a run of exactly that
    many, its letters optional (they may be lost or garbled)."""
    body = "".join(r"\d" if ch == "#" else f"(?:{re.escape(ch)})?" for ch in fmt)
    return re.compile(rf"(?<![\dA-Z]){body}(?!\d)")


def apply(form: str, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The page's readings with vocabularies and derivations of ``form`` applied."""
    vocab = _spec()["vocabularies"].get(form, {})
    derived = _spec()["derived"].get(form, {})
    formats = _spec()["formats"].get(form, {})
    people = _spec().get("person_names", {}).get(form, [])
    if "weekday_of_billing_month" in derived.values():
        fields = month_by_weekdays(fields)
    out = dict(fields)
    for name, fv in fields.items():
        prefix, base = split_page_prefix(name)
        for pattern, how in derived.items():
            if fnmatch(base, pattern):
                found = DERIVATIONS[how](base, prefix, fields)
                # the system prints into a block only when it has a child for it: a derived
                # value replaces a reading, it never fills a box the ink test found empty
                if found is not None and (fv.value is not None or found[0] is None):
                    value, conf = found
                    agree = value == fv.value
                    sure = max(fv.confidence, conf) if agree else conf * 0.97
                    out[name] = replace(fv, value=value, confidence=sure)
                break
        else:
            for pattern, allowed in vocab.items():
                if fnmatch(base, pattern) and fv.value is not None:
                    value, conf = snap(fv.value, allowed, fv.confidence)
                    out[name] = replace(fv, value=value, confidence=conf)
                    break
            for pattern, fmt in formats.items():
                if fnmatch(base, pattern) and fv.value is not None:
                    value, conf = conform(fv.value, fmt, fv.confidence)
                    out[name] = replace(fv, value=value, confidence=conf)
                    break
            if any(fnmatch(base, pattern) for pattern in people):
                out[name] = replace(out[name], value=names.split_initial(out[name].value))
    return _offsets(form, _spans(form, _weekly(form, vocab, out)))


TWIN_WEIGHT = 0.15     # the same clock time in the other half of the day, never read as such
TWIN_SURE = 0.6        # ... is at most this sure when it wins: a person confirms it


def span(start: FieldValue, end: FieldValue, low: float, high: float,
         window: tuple[str, str] | None = None) -> tuple[FieldValue, FieldValue]:
    """Two handwritten times read together (``spans`` in the data). Each pair of the readers'
    candidates is weighed by the product of their probabilities, and by ``PRIOR_WEIGHT`` when
    it makes no day (``_day_weight``); what neither reader put forward keeps its own share of
    the weight ("something else"). When another pair than the one read wins, it replaces it,
    each time with its probability over all pairs; a pair that already makes sense is left
    exactly as read.

    A pair that makes no day may have lost an a.m. or p.m.: "4:40" after "3:05P" (the P
    written past the box's edge) is 16:40. Each time is then also weighed in the other half
    of the day, at ``TWIN_WEIGHT`` of its own probability, and a time that changes then is at
    most ``TWIN_SURE``: the reader did not see it so."""
    if start.value is None or end.value is None:
        return start, end
    firsts, seconds = start.distribution(), end.distribution()
    twins = _day_weight(start.value, end.value, low, high, window) < 1
    if twins:
        firsts, seconds = _with_twins(firsts), _with_twins(seconds)
    if len(firsts) + len(seconds) < 3:                  # no runner-up to give way to
        return start, end
    joint = {(a, b): pa * pb * _day_weight(a, b, low, high, window)
             for a, pa in firsts for b, pb in seconds}
    unknown = max(0.0, 1 - sum(p for _, p in firsts) * sum(p for _, p in seconds))
    total = sum(joint.values()) + unknown
    a, b = max(joint, key=joint.get)
    if (a, b) == (start.value, end.value):
        return start, end
    out = _marginal(start, joint, 0, a, total), _marginal(end, joint, 1, b, total)
    if twins:            # a time changed so may be the other half of the day of what was read
        out = tuple(new if new.value == old.value
                    else replace(new, confidence=min(new.confidence, TWIN_SURE))
                    for new, old in zip(out, (start, end)))
    return out


def _day_weight(a: str, b: str, low: float, high: float, window: tuple[str, str] | None) -> float:
    """1 for an arrival ``a`` and departure ``b`` that make a day: ``low``..``high`` hours,
    the departure later on the clock (child care ends before midnight), and both inside
    ``window`` (the hours care is given); ``PRIOR_WEIGHT`` for each way they do not."""
    hours = hours_between(a, b)
    weight = 1.0 if hours is not None and low <= hours <= high else PRIOR_WEIGHT
    if b <= a:
        weight *= PRIOR_WEIGHT
    if window:
        weight *= PRIOR_WEIGHT ** sum(not window[0] <= t <= window[1] for t in (a, b))
    return weight


def day_weight(form: str, name: str) -> Callable[[str, str], float]:
    """The span's prior weight (``_day_weight``) of an arrival and a departure, as a function
    of the two, for the time field ``name`` that opens a span (``spans`` in the data); a
    weight of 1 when it opens none."""
    for pattern, spec in _spec().get("spans", {}).get(form, {}).items():
        if fnmatch(split_page_prefix(name)[1], pattern):
            low, high = spec["hours"]
            return partial(_day_weight, low=low, high=high, window=_window(form, pattern))
    return lambda start, end: 1.0


def _window(form: str, pattern: str) -> tuple[str, str] | None:
    """The hours care is given (``between`` of the priors) for the times of ``pattern``."""
    window = _spec().get("priors", {}).get(form, {}).get(pattern, {}).get("between")
    return tuple(window) if window else None


def _with_twins(candidates: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``candidates`` with each time also in the other half of the day, at ``TWIN_WEIGHT`` of
    its probability or the reader's own for that time if more (noon and midnight have no
    twin)."""
    out = dict(candidates)
    for v, p in candidates:
        if v and int(v[:2]) % 12:
            twin = f"{(int(v[:2]) + 12) % 24:02d}{v[2:]}"
            out[twin] = max(out.get(twin, 0.0), p * TWIN_WEIGHT)
    return list(out.items())


def _marginal(fv: FieldValue, joint: dict, side: int, value: str, total: float) -> FieldValue:
    """``fv`` taking ``value``, with every candidate's probability summed over the pairs."""
    shares: dict[str, float] = {}
    for pair, w in joint.items():
        shares[pair[side]] = shares.get(pair[side], 0.0) + w / total
    ranked = [(value, shares.pop(value))] + sorted(shares.items(), key=lambda kv: -kv[1])
    return replace(fv, value=value, confidence=ranked[0][1], alternatives=tuple(ranked))


OFFSET_SURE = 0.99     # two readings agreeing are never taken for certain
OFFSET_WEIGHT = 0.05   # dates that break the form's offset: as firm a fact as "week of" a Sunday


def offset(first: FieldValue, second: FieldValue, days: int) -> tuple[FieldValue, FieldValue]:
    """Two handwritten dates, the second ``days`` after the first (``offsets`` in the data).
    As in ``span``, each pair of the readers' candidates is weighed by the product of their
    probabilities, and by ``OFFSET_WEIGHT`` when it breaks the offset (so is what neither
    reader put forward: it would have to agree by chance). The best pair wins and each date
    takes its probability over all pairs: two readings that agree back each other up (a week
    of read at 0.69 beside its week through at 0.99), and an unsure one that disagrees gives
    way to a runner-up that agrees with a sure one."""
    if first.value is None or second.value is None:
        return first, second
    firsts, seconds = first.distribution(), second.distribution()

    def fits(a: str | None, b: str | None) -> bool:
        try:
            return date.fromisoformat(b) - date.fromisoformat(a) == timedelta(days=days)
        except (TypeError, ValueError):
            return False

    joint = {(a, b): pa * pb * (1.0 if fits(a, b) else OFFSET_WEIGHT)
             for a, pa in firsts for b, pb in seconds}
    unknown = max(0.0, 1 - sum(p for _, p in firsts) * sum(p for _, p in seconds))
    total = sum(joint.values()) + unknown * OFFSET_WEIGHT
    a, b = max(joint, key=joint.get)
    if not fits(a, b):
        return first, second
    return tuple(replace(fv, confidence=min(OFFSET_SURE, fv.confidence))
                 for fv in (_marginal(first, joint, 0, a, total),
                            _marginal(second, joint, 1, b, total)))


def _offsets(form: str, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    out = dict(fields)
    for name, spec in _spec().get("offsets", {}).get(form, {}).items():
        for full in fields:
            prefix, base = split_page_prefix(full)
            source = f"{prefix}{spec['from']}"
            if base == name and source in out:
                out[source], out[full] = offset(out[source], out[full], spec["days"])
    return out


def span_partner(form: str, name: str) -> str | None:
    """The other end of the span ``name`` belongs to (a day's departure for its arrival, and
    the other way round), or None."""
    base = split_page_prefix(name)[1]
    head, _, last = name.rpartition(".")
    for pattern, spec in _spec().get("spans", {}).get(form, {}).items():
        start = pattern.rsplit(".", 1)[1]
        if fnmatch(base, pattern):
            return f"{head}.{spec['until']}"
        if last == spec["until"] and fnmatch(base.rsplit(".", 1)[0] + "." + start, pattern):
            return f"{head}.{start}"
    return None


def witness(form: str, name: str) -> str | None:
    """The box written together with the handwritten box ``name`` (a time's parent initials, a
    date's signature), or None: the ``witnesses`` of ``forms/vocabulary.json``."""
    base = split_page_prefix(name)[1]
    for pattern, other in _spec().get("witnesses", {}).get(form, {}).items():
        if fnmatch(base, pattern):
            head = name.rsplit(".", 1)[0] + "." if "." in name else ""
            return head + other
    return None


def _spans(form: str, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    out = dict(fields)
    for pattern, spec in _spec().get("spans", {}).get(form, {}).items():
        low, high = spec["hours"]
        window = _window(form, pattern)
        for name in fields:
            if fnmatch(split_page_prefix(name)[1], pattern):
                partner = name.rsplit(".", 1)[0] + "." + spec["until"]
                if partner in out:
                    out[name], out[partner] = span(out[name], out[partner], low, high, window)
    return out


WEEKLY_CONFIDENCE = 0.7     # taken from other weeks, not read: a person confirms it
WEEKLY_AGREE = 0.9          # read unsurely, but what the other weeks say: development sets
                            # 6061, 7373, 8080, 5151 had 145 such codes under 0.8, all right


def _weekly(form: str, vocab: dict, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Scheduled codes printed from a weekly schedule, checked against the same weekday of
    the other weeks when at least two of them were read surely and all agree: a code that
    reads as no allowed value ("7" for "2") is taken from them; an unsure reading that agrees
    with them is sure."""
    out = dict(fields)
    for pattern in _spec().get("weekly", {}).get(form, []):
        allowed = vocab.get(pattern, [])
        for name, fv in fields.items():
            base = split_page_prefix(name)[1]
            if not fnmatch(base, pattern) or fv.value is None:
                continue
            day = _day(base)
            same_weekday = [fields.get(name.replace(f".days.{day:02d}.", f".days.{d:02d}."))
                            for d in range(day % 7 or 7, 32, 7) if d != day]
            sure = [o.value for o in same_weekday
                    if o is not None and o.value is not None and o.confidence >= 0.8]
            if len(sure) < 2 or len(set(sure)) != 1:
                continue
            if fv.value not in allowed:
                out[name] = replace(fv, value=sure[0], confidence=WEEKLY_CONFIDENCE)
            elif fv.value == sure[0] and fv.confidence < WEEKLY_AGREE:
                out[name] = replace(fv, confidence=WEEKLY_AGREE)
    return out
