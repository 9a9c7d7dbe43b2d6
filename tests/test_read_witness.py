"""A time box that looks empty beside its parent's initials (extractors.read._witnessed)."""
import random

import numpy as np
from drawn_pages import blank, inner_size, paste, read_fields

from extractors import constraints, read
from extractors.forms import load_form
from sample_scans.hand import HandBook
from validators.reading import UNSURE

PAGE = load_form("DCC-94E").page(1)
TIME, INITIALS = "rows.0.days.mon.time_in", "rows.0.days.mon.in_initials"


def _page(initials: bool) -> np.ndarray:
    page = blank(PAGE, [TIME, INITIALS])
    if initials:                                     # a parent's "HL", as the generator writes it
        paste(page, PAGE, INITIALS,
              HandBook(5).write("HL", "a", *inner_size(PAGE, INITIALS), random.Random(1)))
    return page


def test_a_time_and_its_initials_are_written_together():
    assert constraints.witness("DCC-94E", TIME) == INITIALS
    assert constraints.witness("DCC-94E", "rows.3.days.sat.time_out") == "rows.3.days.sat.out_initials"
    assert constraints.witness("DCC-94E", "week_of") is None
    assert constraints.witness("DCC-97", "children.0.days.01.scheduled") is None


def test_an_empty_time_beside_initials_is_too_unsure_to_claim():
    fields = read_fields(PAGE, _page(initials=True))
    assert fields[INITIALS].value == "present" and fields[INITIALS].confidence >= read.WITNESS_SURE
    assert fields[TIME].value is None and fields[TIME].confidence < UNSURE


def test_an_empty_time_without_initials_stays_surely_empty():
    fields = read_fields(PAGE, _page(initials=False))
    assert fields[INITIALS].value == "absent"
    assert fields[TIME].value is None and fields[TIME].confidence >= 0.95
