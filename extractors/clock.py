"""A handwritten time the reader was unsure of, read again against every time of day it may be
(a closed vocabulary), by both readers: the posterior the rules weigh when only the side of a
limit matters (``match.full_day_hours``: five hours or more).

The open reading (``readers.handwriting.decode``) keeps the best few strings of a beam; for a
faxed time it often leaves most of the probability to "something else", so a day whose hours
are a full day whichever time was written could not be told from one that might be short.
Here each time on the prior's marks (every ``Prior.minute_step`` minutes from ``earliest`` to
``latest``: 05:00-21:00 every 5 minutes on a DCC-94E) and each time the readers put forward is
scored by the likelihood of the ink given the time, summed over every CTC alignment and every
usual way of writing it (``written``), weighed by the prior (``Prior.factor``), and the two
readers' shares are pooled by their geometric mean. The reading itself (value, confidence,
alternatives) is left as it was: as a reading, this posterior was no better than the open one
(on 2 875 unsure boxes of four held-out development sets, 1 546 right against 1 581, and taking
it as the value cost accepted documents), but as a spread over every time it is.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .readers import handwriting as hw

REREAD_BELOW = 0.95    # a time read less surely than this gets its posterior
KEEP = 24              # the likeliest times kept, with their shares
STEP = 5               # the clock's marks when the prior names none (minutes)


@lru_cache(maxsize=None)
def written(minutes: int) -> tuple[str, ...]:
    """The usual ways of writing a time of day by hand: 24-hour with or without a leading
    zero, 12-hour with "a"/"p", "am"/"pm" (joined or spaced, small or capital) or bare (a bare
    "5:30" may be 05:30 or 17:30: the other end of the day decides)."""
    hour, minute = divmod(minutes, 60)
    half, twelve = ("a" if hour < 12 else "p"), (hour % 12 or 12)
    return tuple(sorted({f"{hour}:{minute:02d}", f"{hour:02d}:{minute:02d}",
                         f"{twelve}:{minute:02d}", f"{twelve}:{minute:02d}{half}",
                         f"{twelve}:{minute:02d}{half}m", f"{twelve}:{minute:02d} {half}m",
                         f"{twelve}:{minute:02d} {half.upper()}M"}))


def _minutes(value: str) -> int:
    return int(value[:2]) * 60 + int(value[3:5])


@lru_cache(maxsize=8)
def _marks(earliest: str, latest: str, step: int) -> tuple[str, ...]:
    return tuple(f"{m // 60:02d}:{m % 60:02d}"
                 for m in range(_minutes(earliest), _minutes(latest) + 1, step))


def candidates(prior: hw.Prior | None, proposed: list[str]) -> list[str]:
    """The times a box is scored on: the prior's marks, and what the readers put forward."""
    if prior is not None and prior.earliest and prior.latest:
        marks = _marks(prior.earliest, prior.latest, prior.minute_step or STEP)
    else:
        marks = _marks("00:00", "23:55", STEP)
    return sorted(set(marks) | {v for v in proposed if v})


def posteriors(inputs: list[np.ndarray], priors: list[hw.Prior | None],
               proposed: list[list[str]]) -> list[tuple[tuple[str, float], ...]]:
    """For each prepared input (``hw.prepare``), the ``KEEP`` likeliest of its ``candidates``
    with their pooled shares, likeliest first."""
    frames = [hw.log_probs(inputs, model=m) for m in hw.readers()]
    out = []
    for i, prior in enumerate(priors):
        times = candidates(prior, proposed[i])
        forms = [written(_minutes(t)) for t in times]
        weight = np.log([prior.factor(t) if prior else 1.0 for t in times])
        pooled = np.zeros(len(times))
        for logp in frames:
            scores = hw.grouped_log_likelihoods(logp[i], forms) + weight
            pooled += (scores - np.logaddexp.reduce(scores)) / len(frames)
        share = np.exp(pooled - pooled.max())
        share /= share.sum()
        order = np.argsort(-share)[:KEEP]
        out.append(tuple((times[k], float(share[k])) for k in order))
    return out
