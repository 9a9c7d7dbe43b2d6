"""A time box that looks empty beside its parent's initials (extractors.read._witnessed)."""
import random

import cv2
import numpy as np

from extractors import constraints, read
from extractors.forms import load_form
from extractors.register import Fit
from sample_scans.hand import HandBook
from validators.reading import UNSURE

PAGE = load_form("DCC-94E").page(1)
FIT = Fit(1.0, 0.0, 1.0, 0.0, 1.0, 200)          # the layout itself, at 200 dpi
TIME, INITIALS = "rows.0.days.mon.time_in", "rows.0.days.mon.in_initials"


def _page(initials: bool) -> np.ndarray:
    w, h = (round(v * 200 / 72) for v in PAGE.size)
    page = np.full((h, w), 255, np.uint8)
    for name in (TIME, INITIALS):                    # the printed boxes
        x0, y0, x1, y1 = (round(v) for v in FIT.box_px(PAGE.field(name).box))
        cv2.rectangle(page, (x0, y0), (x1, y1), 0, 2)
    if initials:                                     # a parent's "HL", as the generator writes it
        x0, y0, x1, y1 = (round(v) for v in FIT.box_px(PAGE.field(INITIALS).box))
        ink = HandBook(5).write("HL", "a", x1 - x0 - 16, y1 - y0 - 16, random.Random(1))
        inside = page[y0 + 8:y0 + 8 + ink.shape[0], x0 + 8:x0 + 8 + ink.shape[1]]
        np.minimum(inside, 255 - ink, out=inside)
    return page


def _read(page: np.ndarray) -> dict:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return read.read_page_fields(PAGE, FIT, page, binary)


def test_a_time_and_its_initials_are_written_together():
    assert constraints.witness("DCC-94E", TIME) == INITIALS
    assert constraints.witness("DCC-94E", "rows.3.days.sat.time_out") == "rows.3.days.sat.out_initials"
    assert constraints.witness("DCC-94E", "week_of") is None
    assert constraints.witness("DCC-97", "children.0.days.01.scheduled") is None


def test_an_empty_time_beside_initials_is_too_unsure_to_claim():
    fields = _read(_page(initials=True))
    assert fields[INITIALS].value == "present" and fields[INITIALS].confidence >= read.WITNESS_SURE
    assert fields[TIME].value is None and fields[TIME].confidence < UNSURE


def test_an_empty_time_without_initials_stays_surely_empty():
    fields = _read(_page(initials=False))
    assert fields[INITIALS].value == "absent"
    assert fields[TIME].value is None and fields[TIME].confidence >= 0.95
