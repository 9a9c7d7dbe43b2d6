"""A signature's date that shows no ink: the writer's pen was lost to the page
(extractors.read._lost_pen)."""
import random

import cv2
import numpy as np

from extractors import constraints, read
from extractors.forms import load_form
from extractors.register import Fit
from sample_scans.hand import HandBook
from validators.reading import UNSURE

PAGE = load_form("DCC-97").page(1)
FIT = Fit(1.0, 0.0, 1.0, 0.0, 1.0, 200)          # the layout itself, at 200 dpi
SIGNATURE, DATE = "provider_signature", "provider_signed_date"
CODE = "children.0.days.03.provider_exception"


def _box(name: str) -> tuple[int, int, int, int]:
    return tuple(round(v) for v in FIT.box_px(PAGE.field(name).box))


def _page(signed: bool) -> np.ndarray:
    w, h = (round(v * 200 / 72) for v in PAGE.size)
    page = np.full((h, w), 255, np.uint8)
    for name in (SIGNATURE, DATE, CODE):             # the printed boxes
        x0, y0, x1, y1 = _box(name)
        cv2.rectangle(page, (x0, y0), (x1, y1), 0, 2)
    if signed:
        x0, y0, x1, y1 = _box(SIGNATURE)
        ink = HandBook(5).sign("Dana Reyes", "provider", x1 - x0 - 16, y1 - y0 - 16,
                               random.Random(2))
        inside = page[y0 + 8:y0 + 8 + ink.shape[0], x0 + 8:x0 + 8 + ink.shape[1]]
        np.minimum(inside, (255 - ink).astype(np.uint8), out=inside)
    return page


def _read(page: np.ndarray) -> dict:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return read.read_page_fields(PAGE, FIT, page, binary)


def test_a_signature_witnesses_its_date():
    assert constraints.witness("DCC-97", DATE) == SIGNATURE
    assert constraints.witness("DCC-94", "parent_signed_date") == "parent_signature"
    assert constraints.witness("DCC-94", "p3.parent_signed_date") == "p3.parent_signature"


def test_a_signed_page_whose_date_shows_no_ink_has_no_sure_empty_box_of_that_writer():
    fields = _read(_page(signed=True))
    assert fields[SIGNATURE].value == "wet" and fields[SIGNATURE].confidence >= read.WITNESS_SURE
    assert fields[DATE].value is None and fields[DATE].confidence < UNSURE
    assert fields[CODE].value is None and fields[CODE].confidence <= read.LOST_PEN


def test_an_unsigned_pages_empty_boxes_stay_sure():
    fields = _read(_page(signed=False))
    assert fields[SIGNATURE].value == "blank"
    assert fields[DATE].value is None and fields[DATE].confidence >= 0.95
    assert fields[CODE].value is None and fields[CODE].confidence >= 0.95
