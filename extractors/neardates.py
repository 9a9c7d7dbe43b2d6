"""A handwritten date read only as a guess, read again against every date around the date it
is expected near (a closed vocabulary).

A signed date is written near another date of its document: a certificate's near the date it
was generated, a PBF's after its billing month, an attendance sheet's at the end of its week
(``priors`` with ``near`` in ``forms/vocabulary.json``). When the open reading of such a date
is a guess (under ``REREAD_BELOW``: a faxed "9/10/2025" read as nothing valid, or as
"2046-09-10"), each date from ``PAD`` days before the expected window to ``PAD`` days after it,
and each date the reader put forward, is scored by both readers: the likelihood of the ink
given the date, summed over every CTC alignment and every usual way of writing it
(``weeks.written``), weighed by the prior (``Prior.factor``: a date outside the window keeps
a quarter of its weight). The readers' shares are averaged and the likeliest date is taken,
still as a guess (at most ``GUESS`` sure): it is a better value for the person who confirms
it, never evidence a rule may settle on.

When the date it is expected near was not read (a sheet's week lost by a fax), the window is
the ``SIGNED_BEFORE`` days up to the day the file was received: a form is signed before it is
sent (a faxed sheet's "4/28/26" read as "2022-04-28" has nothing else to be held to). An
open reading inside the window is not traded for a re-read outside it: both are guesses, and
the window is evidence the open reading already has.

Measured on four development sets in held-out hands (3232, 4343, 7575, 8686; 2 182
handwritten dates): right 1 968 -> 1 981. The re-read changed 38 values, all of them wrong
before: 13 became right, none that was right became wrong; findings and routes unchanged.
The window before receipt and the kept open reading (six sets: both bench pools, dev 7575,
4343, 6464, 5353; 2 783 handwritten dates, stages 8-9 re-run on the saved page reads): right
2 617 -> 2 624, none lost, 5 values wrong either way; no route changed.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from . import constraints, weeks
from .forms import split_page_prefix
from .model import Document
from .readers import handwriting as hw
from .values import received_date

REREAD_BELOW = 0.3     # a date read less surely than this is read again against its window
GUESS = 0.25           # ... and what it is read as then is at most this sure
PAD = 150              # days before and after the window that are scored too
KEEP = 5               # runners-up kept
SIGNED_BEFORE = 90     # days before its receipt a date with no anchor read is expected in (a
                       # certificate is signed within 10 days, a PBF and its sheets after the
                       # month they bill and within the 90 days of an adjustment)


def _days(prior: hw.Prior, proposed: list[str]) -> list[date]:
    start = date.fromisoformat(prior.earliest) - timedelta(days=PAD)
    end = date.fromisoformat(prior.latest) + timedelta(days=PAD)
    days = {start + timedelta(days=k) for k in range((end - start).days + 1)}
    return sorted(days | {date.fromisoformat(v) for v in proposed if v})


def reread(crop: np.ndarray, prior: hw.Prior, proposed: list[str]
           ) -> list[tuple[str, float]] | None:
    """The dates ``crop`` may hold, likeliest first with their shares (both readers'
    averaged), scored on ``_days``; None for a crop with no ink."""
    x = hw.prepare(crop)
    if x is None:
        return None
    days = _days(prior, proposed)
    forms = [weeks.written(d) for d in days]
    weight = np.log([prior.factor(d.isoformat()) for d in days])
    models = hw.readers()
    share = np.zeros(len(days))
    for model in models:
        s = hw.grouped_log_likelihoods(hw.log_probs([x], model=model)[0], forms) + weight
        p = np.exp(s - s.max())
        share += p / p.sum() / len(models)
    order = np.argsort(-share)[:KEEP]
    return [(days[k].isoformat(), float(share[k])) for k in order]


def _inside(prior: hw.Prior, value: str) -> bool:
    return prior.earliest <= value <= prior.latest


def _window(form: str, name: str, fields: dict, received: date | None) -> hw.Prior | None:
    """Where the date ``name`` is expected: near its anchor date when that was read, else in
    the ``SIGNED_BEFORE`` days up to ``received``; None for a date expected near nothing."""
    prior = constraints.prior(form, name, fields)
    if prior is not None or received is None or not constraints.expected_near(form, name):
        return prior
    return hw.Prior(earliest=str(received - timedelta(days=SIGNED_BEFORE)),
                    latest=str(received), weight=constraints.PRIOR_WEIGHT)


def resolve(documents: list[Document], crops: dict[tuple[int, str], np.ndarray],
            received_at: str | None = None) -> list[Document]:
    """``documents`` with each handwritten date read as a guess, and expected near another
    date of its document, read again against the dates around it (module docstring).
    ``crops`` maps (page index, field name) to the handwritten field's image."""
    received = received_date(received_at)
    out = []
    for doc in documents:
        fields = dict(doc.fields)
        for name, fv in doc.fields.items():
            if fv.type != "date" or fv.confidence >= REREAD_BELOW:
                continue
            prior = _window(doc.form, name, doc.fields, received)
            crop = crops.get((fv.page, split_page_prefix(name)[1]))
            if prior is None or not (prior.earliest and prior.latest) or crop is None:
                continue
            ranked = reread(crop, prior, [v for v, _ in fv.distribution()])
            if ranked is None or ranked[0][0] == fv.value or (
                    fv.value and _inside(prior, fv.value) and not _inside(prior, ranked[0][0])):
                continue                    # an open reading in the window is kept over one out
            value, share = ranked[0]
            confidence = min(share, GUESS)
            fields[name] = replace(fv, value=value, confidence=confidence,
                                   alternatives=((value, confidence), *ranked[1:]))
        out.append(replace(doc, fields=fields))
    return out
