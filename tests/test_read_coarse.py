"""Handwriting on a standard-resolution fax sent sideways is read with its broken strokes
joined (extractors.read._joined, normalize.lines_upright)."""
import numpy as np

from extractors import normalize, read
from extractors.forms import load_form
from extractors.ink import measure

PAGE = load_form("DCC-94E").page(1)


def _crop(name: str) -> read.Crop:
    """A box holding an upright stroke that the fax broke into dots (every other row inked)."""
    grey = np.full((60, 120), 255, np.uint8)
    grey[10:50:2, 40:43] = 0
    binary = grey.copy()
    return read.Crop(PAGE.field(name), (0, 0, 120, 60), grey, binary, measure(binary))


def test_the_scan_lines_of_a_standard_resolution_fax_turned_a_quarter_run_up_and_down():
    assert normalize.lines_upright((204, 98), 90)
    assert normalize.lines_upright((204, 98), 270)
    assert not normalize.lines_upright((204, 98), 0)      # sent upright: lines run across
    assert not normalize.lines_upright((204, 98), 180)
    assert normalize.lines_upright((98, 204), 0)          # a file scanned the other way
    assert not normalize.lines_upright((204, 196), 90)    # fine resolution
    assert not normalize.lines_upright((300, 300), 90)
    assert not normalize.lines_upright((0, 0), 90)        # a photo stating no resolution


def test_a_dotted_upright_stroke_is_joined_for_the_reader():
    crop = _crop("rows.0.days.tue.time_in")
    joined = read._joined(crop)
    column = joined.grey[12:48, 41]
    assert column.max() < 200, "gaps between the dots are still paper"
    assert crop.grey[12:48, 41].max() == 255      # they were before
    assert joined.binary is crop.binary and joined.ink is crop.ink   # the ink test is kept


def test_printed_and_non_reader_boxes_are_left_as_they_are():
    crop = _crop("rows.0.child_name")             # a name: read by another path
    assert read._joined(crop) is crop


def test_a_box_the_ink_test_found_empty_is_left_as_it_is():
    """Blurred, a fax's specks look like writing the reader cannot read."""
    specks = _crop("rows.0.days.tue.time_in")
    specks.grey[:] = 255
    specks.grey[20, 30] = specks.grey[40, 80] = 0
    specks.ink = measure(specks.grey)
    assert not specks.ink.present
    assert read._joined(specks) is specks
