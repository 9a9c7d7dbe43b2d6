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

# Chosen where the fields read are right at least nine times in ten: on four development
# sets (seeds 3131, 3232, 4343, 5353; 1 391 pages, half of them in held-out hands) fields
# reported at 0.75-0.80 were right 91.3 %, at 0.70-0.75 87.8 %, at 0.80-0.90 94.9 %. No
# defective document of those sets is accepted at 0.75 (nor at 0.70); 0.80 -> 0.75 accepts
# 184 instead of 178 of their 346 clean documents. (The benchmark's table, seed 90210, is
# printed by bench/accuracy.py.)
DEFAULT_THRESHOLD = 0.75
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
