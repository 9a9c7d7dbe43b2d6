"""Which form page an upright page image is: DCC-94 page 1/2/3, DCC-97, DCC-94E, or other.

Classification is registration (``register``) against every layout page of the same
orientation: the page whose ruled lines line up best wins, and a page that lines up with none
(a cover sheet, a letter, a W-9) is ``other``. No OCR is needed, so a fax too noisy to read
is still classified. The DCC-97 page number (page 2 repeats page 1's grid) is read later from
its ``page_number`` field.

A page whose best fit falls just short (``WORDS_FROM`` .. ``MIN_SCORE``: a text-heavy page such
as DCC-94 page 3, faxed with broken dashed rules) is given a second look by its words
(``by_words``): the form's own printed text, from the layout, read back by OCR.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .forms import Page
from .register import Fit, candidate_pages, fit, rules_of

# below this no layout fits: "other" (measured: other pages <= 0.53, forms >= 0.62)
MIN_SCORE = 0.58
WORDS_FROM = 0.42    # from here up to MIN_SCORE a page is checked by its words
MIN_WORDS_FOUND = 0.5   # share of the layout page's printed words that must be read back


@dataclass(frozen=True)
class Classification:
    form: str            # "DCC-94", "DCC-97", "DCC-94E" or "other"
    page: int | None     # layout page number (DCC-97: 1, the repeated grid)
    fit: Fit | None      # where the layout lies on the image
    score: float         # the best registration score
    runner_up: float     # the second best, for confidence
    nearest: Page | None = None   # "other" pages: the layout page that fit best


def classify(ink: np.ndarray, dpi: int) -> Classification:
    """Classify a binary ink image (ink > 0), upright and deskewed, at ``dpi``."""
    height, width = ink.shape
    rules = rules_of(ink, dpi)                      # once, for every candidate page
    fits = sorted(((fit(rules, page), page) for page in candidate_pages(width > height)),
                  key=lambda pair: pair[0].score, reverse=True)
    if not fits:
        return Classification("other", None, None, 0.0, 0.0)
    (best, page), runner_up = fits[0], (fits[1][0].score if len(fits) > 1 else 0.0)
    if best.score < MIN_SCORE:
        return Classification("other", None, None, best.score, runner_up, page)
    return Classification(page.form, page.number, best, best.score, runner_up)


def needs_words(found: Classification) -> bool:
    """True for an "other" page whose ruled lines came close to a layout's."""
    return found.form == "other" and found.nearest is not None and found.score >= WORDS_FROM


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Z]{4,}", text.upper()))


def by_words(found: Classification, page_words: list[str]) -> Classification:
    """``found`` (a near miss) taken as its nearest layout page when at least
    ``MIN_WORDS_FOUND`` of that page's printed words (four letters or more) are on the page."""
    layout = found.nearest
    if layout is None:
        return found
    printed = set().union(*(_words(s.spec.get("text", "")) for s in layout.static
                            if s.kind == "text"))
    read = _words(" ".join(page_words))
    if printed and len(printed & read) / len(printed) >= MIN_WORDS_FOUND:
        return Classification(layout.form, layout.number, None, found.score, found.runner_up)
    return found
