"""A signature's date that shows no ink: the writer's pen was lost to the page
(extractors.read._lost_pen)."""
import random

import numpy as np
from drawn_pages import blank, inner_size, paste, read_fields

from extractors import constraints, read
from extractors.forms import load_form
from sample_scans.hand import HandBook
from validators.reading import UNSURE

PAGE = load_form("DCC-97").page(1)
SIGNATURE, DATE = "provider_signature", "provider_signed_date"
CODE = "children.0.days.03.provider_exception"


def _page(signed: bool) -> np.ndarray:
    page = blank(PAGE, [SIGNATURE, DATE, CODE])
    if signed:
        paste(page, PAGE, SIGNATURE, HandBook(5).sign("Dana Reyes", "provider",
                                                      *inner_size(PAGE, SIGNATURE),
                                                      random.Random(2)))
    return page


def test_a_signature_witnesses_its_date():
    assert constraints.witness("DCC-97", DATE) == SIGNATURE
    assert constraints.witness("DCC-94", "parent_signed_date") == "parent_signature"
    assert constraints.witness("DCC-94", "p3.parent_signed_date") == "p3.parent_signature"


def test_a_signed_page_whose_date_shows_no_ink_has_no_sure_empty_box_of_that_writer():
    fields = read_fields(PAGE, _page(signed=True))
    assert fields[SIGNATURE].value == "wet" and fields[SIGNATURE].confidence >= read.WITNESS_SURE
    assert fields[DATE].value is None and fields[DATE].confidence < UNSURE
    assert fields[CODE].value is None and fields[CODE].confidence <= read.LOST_PEN


def test_an_unsigned_pages_empty_boxes_stay_sure():
    fields = read_fields(PAGE, _page(signed=False))
    assert fields[SIGNATURE].value == "blank"
    assert fields[DATE].value is None and fields[DATE].confidence >= 0.95
    assert fields[CODE].value is None and fields[CODE].confidence >= 0.95
