"""A time box that looks empty beside its parent's initials (extractors.read._witnessed)."""
import random

import numpy as np
from drawn_pages import blank, box, inner_size, paste, read_fields

from extractors import constraints, read
from extractors.forms import load_form
from sample_scans.hand import HandBook
from validators.reading import UNSURE

PAGE = load_form("DCC-94E").page(1)
TIME, INITIALS = "rows.0.days.mon.time_in", "rows.0.days.mon.in_initials"


def _page(initials: bool, speck: bool = False) -> np.ndarray:
    page = blank(PAGE, [TIME, INITIALS])
    if speck:                                        # all a fax left of the time: one short stroke
        x0, y0, *_ = box(PAGE, TIME)
        page[y0 + 25:y0 + 45, x0 + 60:x0 + 63] = 0
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


def test_a_speck_of_a_time_beside_its_initials_is_not_surely_empty():
    """A time box with too little ink to be a time is empty (``read._slight``), but not surely
    beside initials: a fresh dev set (7575) had an "08:50" the fax reduced to a speck, its
    initials intact, read empty at 0.9 and reported as a day with one time recorded."""
    alone = read_fields(PAGE, _page(initials=False, speck=True))[TIME]
    assert alone.value is None and alone.confidence == read.BLANK_EMPTY
    beside = read_fields(PAGE, _page(initials=True, speck=True))[TIME]
    assert beside.value is None and beside.confidence < UNSURE


def test_initials_likely_present_make_a_doubtfully_empty_time_unsure():
    """A time box read empty only at BLANK_EMPTY or FAINT_EMPTY beside initials read present
    at 0.6-0.95 was written 20 times of 29 on seven dev sets (faint faxes of set 8686 among
    them): ``likely`` witnesses take initials at ``WITNESS_LIKELY``; a date's signature still
    needs ``WITNESS_SURE``."""
    from types import SimpleNamespace

    from extractors.model import FieldValue

    time = SimpleNamespace(field=PAGE.field(TIME))
    out = {INITIALS: FieldValue("present", 0.73, 0, (0, 0, 1, 1), "initials")}
    assert not read._witnessed("DCC-94E", time, out)
    assert read._witnessed("DCC-94E", time, out, likely=True)
    out[INITIALS] = FieldValue("present", 0.5, 0, (0, 0, 1, 1), "initials")
    assert not read._witnessed("DCC-94E", time, out, likely=True)
    pbf = load_form("DCC-97").page(1)
    date = next(f for f in pbf.fields if constraints.witness("DCC-97", f.name))
    signed = {constraints.witness("DCC-97", date.name):
              FieldValue("wet", 0.8, 0, (0, 0, 1, 1), "signature")}
    assert not read._witnessed("DCC-97", SimpleNamespace(field=date), signed, likely=True)
