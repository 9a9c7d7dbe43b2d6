"""Which form page an upright page image is: DCC-94 page 1/2/3, DCC-97, DCC-94E, or other.

Classification is registration (``register``) against every layout page of the same
orientation: the page whose ruled lines line up best wins, and a page that lines up with none
(a cover sheet, a letter, a W-9) is ``other``. No OCR is needed, so a fax too noisy to read
is still classified. The DCC-97 page number (page 2 repeats page 1's grid) is read later from
its ``page_number`` field.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .register import Fit, candidate_pages, register

MIN_SCORE = 0.58     # below this no layout fits: "other" (measured: other pages <= 0.53, forms >= 0.62)


@dataclass(frozen=True)
class Classification:
    form: str            # "DCC-94", "DCC-97", "DCC-94E" or "other"
    page: int | None     # layout page number (DCC-97: 1, the repeated grid)
    fit: Fit | None      # where the layout lies on the image
    score: float         # the best registration score
    runner_up: float     # the second best, for confidence


def classify(ink: np.ndarray, dpi: int) -> Classification:
    """Classify a binary ink image (ink > 0), upright and deskewed, at ``dpi``."""
    height, width = ink.shape
    fits = sorted(((register(ink, page, dpi), page) for page in candidate_pages(width > height)),
                  key=lambda pair: pair[0].score, reverse=True)
    if not fits:
        return Classification("other", None, None, 0.0, 0.0)
    (best, page), runner_up = fits[0], (fits[1][0].score if len(fits) > 1 else 0.0)
    if best.score < MIN_SCORE:
        return Classification("other", None, None, best.score, runner_up)
    return Classification(page.form, page.number, best, best.score, runner_up)
