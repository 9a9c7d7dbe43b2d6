"""Where a checked document goes: ``accept``, ``review`` or ``reject``.

``reject`` only for input that is not a CCAP form at all (form ``other``). ``accept`` only when
there is no error or warning finding, no rule was left without a value it needed, and every field
a rule used was read with confidence at or above the threshold; anything else goes to ``review``.
Info findings never block. The threshold is a parameter because it is chosen from the
calibration data (``sample_scans.score``): ``DEFAULT_THRESHOLD``. Fields of which a rule
needed only whether something is written (``Reading.present``) need only a sure ink decision.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.model import Document, Route

# From the calibration table of bench/accuracy.py (seed 90210, 183 pages): fields reported at
# 0.80-0.90 were right 96.9 % of the time, at 0.90-0.95 98.2 %, at >= 0.95 99.9 % (with the second
# handwriting model: 99.0, 99.0 and 99.9 %; held-out hands 98.9, 98.5 and 99.8 %).
DEFAULT_THRESHOLD = 0.8
BLOCKING = ("error", "warning")


@dataclass
class Decision:
    route: Route
    low_confidence: list[str] = field(default_factory=list)   # used fields under the threshold
    unreadable: list[str] = field(default_factory=list)       # needed by a rule, not read


def decide(doc: Document, used: set[str], unreadable: set[str],
           threshold: float = DEFAULT_THRESHOLD, presence: set[str] = frozenset()) -> Decision:
    """``used``: fields whose values rules relied on; ``presence``: fields of which rules
    needed only whether something is written. Writing found is sure enough for those; an empty
    box must have been read as empty with confidence."""
    if doc.form == "other":
        return Decision("reject")
    unsure_empty = {n for n in presence - used if n in doc.fields
                    and doc.fields[n].value is None and doc.fields[n].confidence < threshold}
    low = sorted(unsure_empty | {n for n in used if n in doc.fields
                                 and doc.fields[n].confidence < threshold})
    blocked = any(f.severity in BLOCKING for f in doc.findings)
    route = "review" if blocked or low or unreadable else "accept"
    return Decision(route, low, sorted(unreadable))
