"""A handwritten box's crop kept clear of the printed sides (extractors.read._clear_of_sides)."""
import cv2
import numpy as np

from extractors import read
from extractors.forms import load_form
from extractors.register import Fit

PAGE = load_form("DCC-94E").page(1)
FIT = Fit(1.0, 0.0, 1.0, 0.0, 1.0, 200)          # the layout itself, at 200 dpi
NAME = "rows.0.days.tue.time_out"


def _crop(shift: int, ink: int = 0) -> read.Crop:
    """The crop of ``NAME`` on a page whose printed box lies ``shift`` px right of the layout's
    (a fax's local stretch), its sides 2 px thick, plus a grey anti-aliased column of ``ink``
    beside the left side's inner edge."""
    w, h = (round(v * 200 / 72) for v in PAGE.size)
    page = np.full((h, w), 255, np.uint8)
    x0, y0, x1, y1 = (round(v) for v in FIT.box_px(PAGE.field(NAME).box))
    cv2.rectangle(page, (x0 + shift, y0), (x1 + shift, y1), 0, 2)
    if ink:
        page[y0:y1, x0 + shift + 2] = ink
    cv2.putText(page, "2:45", (x0 + 30, y1 - 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 3,
                cv2.LINE_AA)
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return next(c for c in read.crop_fields(PAGE, FIT, page, binary) if c.field.name == NAME)


def test_a_side_inside_the_layout_box_is_left_out_of_the_crop():
    crop = _crop(shift=2, ink=100)               # the side and its grey edge inside the crop
    left = crop.grey[10:-10, :3]
    assert left.min() > 200, "the side's edge was cut into the crop"
    assert crop.origin[0] == crop.box[0] + read.INSET_PX + read.SIDE_SHIFT_PX


def test_a_box_where_the_layout_puts_it_is_cropped_as_before():
    crop = _crop(shift=0)
    assert crop.origin[0] == crop.box[0] + read.INSET_PX
    assert crop.grey.shape[1] == crop.box[2] - crop.box[0] - 2 * read.INSET_PX


def test_the_crop_moves_in_no_further_than_the_limit_and_keeps_the_writing():
    crop = _crop(shift=3)
    assert crop.origin[0] - (crop.box[0] + read.INSET_PX) <= read.SIDE_SHIFT_PX
    assert (crop.grey < 128).sum() > 200          # the "2:45" is still there
