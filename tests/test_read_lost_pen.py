"""A signature's date that shows no ink: the writer's pen was lost to the page
(extractors.read._lost_pen)."""
import random

import numpy as np
from drawn_pages import FIT, blank, inner_size, paste, read_fields

from extractors import constraints, read
from extractors.forms import load_form
from extractors.model import FieldValue
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


def _after_lost_pen(date_confidence: float, shades: bool = False) -> dict:
    """``read._lost_pen`` on a page signed by hand whose date was read at ``date_confidence``
    and whose exception code box was read empty at 0.999."""
    page = _page(signed=True)
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    crops = [c for c in read.crop_fields(PAGE, FIT, page, binary, False)
             if c.field.name in (SIGNATURE, DATE, CODE)]
    out = {SIGNATURE: FieldValue("wet", 0.8, 0, (0, 0, 1, 1), "signature"),
           DATE: FieldValue("2026-02-05", date_confidence, 0, (0, 0, 1, 1), "date"),
           CODE: FieldValue(None, 0.999, 0, (0, 0, 1, 1), "code")}
    read._lost_pen(PAGE, crops, out, shades)
    return out


def test_a_wet_signatures_date_read_poorly_leaves_no_sure_empty_box_of_that_writer():
    """Fresh held-out set 8686: a provider's exception "1" the fax lost was read empty at
    0.999 beside a signature read at 0.8 and a date read at 0.27; the PBF was accepted."""
    assert _after_lost_pen(0.27)[CODE].confidence <= read.LOST_PEN
    assert _after_lost_pen(0.9)[CODE].confidence == 0.999


def test_a_date_read_poorly_on_a_page_with_grey_levels_is_no_lost_pen():
    """A page with grey levels keeps a light pen (its faint boxes are read again by their
    paper): an e-mailed blank PBF whose date was merely hard to read keeps its sure empty
    boxes, and so its blank_form finding (bench, held-out hands, mail-0019)."""
    assert _after_lost_pen(0.27, shades=True)[CODE].confidence == 0.999


SHEET = load_form("DCC-94E").page(1)


def _sheet(parent_wrote: bool, provider_wrote: bool = True) -> dict:
    """A DCC-94E's readings: every box empty but a child's name (the provider's) and, with
    ``parent_wrote``, one arrival time."""
    empty = {"signature": "blank", "initials": "absent"}
    out = {f.name: FieldValue(empty.get(f.type), 0.999, 0, (0, 0, 1, 1), f.type)
           for f in SHEET.fields if f.handwritten}
    if provider_wrote:
        out["rows.0.child_name"] = FieldValue("ZOEY RAMIREZ", 0.99, 0, (0, 0, 1, 1), "name")
    if parent_wrote:
        out["rows.0.days.mon.time_in"] = FieldValue("08:00", 0.99, 0, (0, 0, 1, 1), "time")
    return out


def test_a_writer_who_signs_but_left_no_mark_beside_anothers_writing_is_silent():
    """A fax machine set light lost parents' pens on whole rows (bench/faxmodes.py,
    text-light): the rows read as no attendance, and defective sheets were accepted."""
    assert read._silent_writers(SHEET, _sheet(parent_wrote=False)) == {("parent", ""),
                                                                       ("parent", "rows.0.")}
    assert read._silent_writers(SHEET, _sheet(parent_wrote=True)) == set()
    assert read._silent_writers(SHEET, _sheet(False, provider_wrote=False)) == set()


def test_a_row_whose_parent_left_no_mark_beside_a_named_child_is_silent():
    out = _sheet(parent_wrote=False)
    out["rows.1.child_name"] = FieldValue("LIAM REYES", 0.99, 0, (0, 0, 1, 1), "name")
    out["rows.1.days.mon.time_in"] = FieldValue("08:00", 0.99, 0, (0, 0, 1, 1), "time")
    assert read._silent_writers(SHEET, out) == {("parent", "rows.0.")}


def test_a_silent_writers_empty_boxes_are_not_sure_on_a_fax_only():
    binary = np.full((10, 10), 255, np.uint8)
    for shades, sure in ((False, False), (True, True)):
        crops = [c for c in read.crop_fields(SHEET, FIT, binary, binary, False)
                 if c.field.name in ("rows.0.days.tue.time_in", "rows.0.days.tue.in_initials")]
        out = _sheet(parent_wrote=False)
        read._lost_pen(SHEET, crops, out, shades)
        time, initials = out["rows.0.days.tue.time_in"], out["rows.0.days.tue.in_initials"]
        assert (time.confidence > read.LOST_PEN) is sure
        assert (initials.confidence > read.LOST_PEN) is sure
