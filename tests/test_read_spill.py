"""Writing that runs over from one handwritten box into the next (extractors.read._without_spills)."""
import cv2
import numpy as np

from extractors import read
from extractors.forms import load_form
from extractors.register import Fit

PAGE = load_form("DCC-94E").page(1)
FIT = Fit(1.0, 0.0, 1.0, 0.0, 1.0, 200)          # the layout itself, at 200 dpi
LEFT, RIGHT = "rows.0.days.fri.time_out", "rows.0.days.sat.time_in"


def _page() -> np.ndarray:
    w, h = (round(v * 200 / 72) for v in PAGE.size)
    page = np.full((h, w), 255, np.uint8)
    for name in (LEFT, RIGHT):                       # the printed boxes
        x0, y0, x1, y1 = (round(v) for v in FIT.box_px(PAGE.field(name).box))
        cv2.rectangle(page, (x0, y0), (x1, y1), 0, 2)
    return page


def _box(name: str) -> tuple[int, int, int, int]:
    return tuple(round(v) for v in FIT.box_px(PAGE.field(name).box))


def _write(page: np.ndarray, text: str, x: int, y: int) -> None:
    cv2.putText(page, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 3, cv2.LINE_AA)


def _read(page: np.ndarray) -> dict:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return read.read_page_fields(PAGE, FIT, page, binary)


def _crops(page: np.ndarray) -> dict[str, read.Crop]:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return {c.field.name: c for c in read.crop_fields(PAGE, FIT, page, binary)}


def test_the_end_of_a_time_written_past_its_box_leaves_the_next_box_empty():
    page = _page()
    x0, y0, x1, y1 = _box(LEFT)
    _write(page, "5:45PM", x0 + 30, y1 - 30)         # the "M" runs over the border
    assert _crops(page)[RIGHT].spilled
    fields = _read(page)
    assert fields[RIGHT].value is None
    assert fields[RIGHT].confidence >= 0.75          # sure enough for routing
    assert fields[LEFT].value is not None            # the writing itself is still read



def test_a_fax_speck_beside_the_run_over_stroke_is_part_of_it():
    """A fax breaks the stroke's edge into specks a pixel or three off it; the ink test joins
    them to the stroke, and so does the spill."""
    page = _page()
    x0, y0, x1, y1 = _box(LEFT)
    _write(page, "5:45PM", x0 + 30, y1 - 30)
    assert _crops(page)[RIGHT].spilled
    rx0, ry0, rx1, ry1 = _box(RIGHT)
    inside = page[ry0 + 4:ry1 - 4, rx0 + 4:rx1 - 4] < 128   # the stroke that ran over
    ys, xs = np.nonzero(inside)
    y, x = ys[np.argmax(xs)] + ry0 + 4, xs.max() + rx0 + 4   # its rightmost pixel
    page[y, x + 3] = 0                                      # a speck 3 px to its right
    crop = _crops(page)[RIGHT]
    assert crop.spilled and not crop.ink.present

def test_a_box_with_its_own_writing_at_its_left_side_keeps_it():
    page = _page()
    lx0, _, lx1, ly1 = _box(LEFT)
    rx0, _, rx1, ry1 = _box(RIGHT)
    _write(page, "5:4", lx0 + 8, ly1 - 60)            # ends well inside its box, higher up
    cv2.line(page, (rx0 + 2, ry1 - 20), (rx0 + 16, ry1 - 75), 0, 4)  # a "1" against the border
    crops = _crops(page)
    assert not crops[RIGHT].spilled
    assert crops[RIGHT].ink.present


def test_ink_at_the_border_on_both_sides_but_at_other_heights_is_not_a_spill():
    page = _page()
    lx0, ly0, lx1, ly1 = _box(LEFT)
    rx0, ry0, rx1, ry1 = _box(RIGHT)
    cv2.line(page, (lx1 - 12, ly0 + 10), (lx1 - 2, ly0 + 30), 0, 4)   # high on the left
    cv2.line(page, (rx0 + 2, ry1 - 40), (rx0 + 20, ry1 - 10), 0, 4)   # low on the right
    assert not _crops(page)[RIGHT].spilled


def test_a_code_box_keeps_a_stroke_against_the_code_before_it():
    """Codes fit their boxes: the "4" of a "43" written against the last digit of the day
    before is writing, and a lone stroke there may be a "1"."""
    page97 = load_form("DCC-97").page(1)
    day1, day2 = (f"children.0.days.0{d}.provider_exception" for d in (1, 2))
    w, h = (round(v * 200 / 72) for v in page97.size)
    page = np.full((h, w), 255, np.uint8)
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = (
        (round(v) for v in FIT.box_px(page97.field(n).box)) for n in (day1, day2))
    cv2.line(page, (ax1 - 14, ay0 + 12), (ax1 - 1, ay0 + 40), 0, 4)   # runs into its border
    cv2.line(page, (bx0 + 1, by0 + 14), (bx0 + 12, by0 + 45), 0, 4)   # a stroke against its own
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    crops = {c.field.name: c for c in read.crop_fields(page97, FIT, page, binary)}
    assert crops[day2].ink.present and not crops[day2].spilled
