"""Printed characters matched as glyphs, and roman numerals counted by their bars."""
import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import glyphs

SANS = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _mask(text: str, font: str = SANS, size: int = 22, fax: bool = False) -> np.ndarray:
    face = ImageFont.truetype(font, size)
    image = Image.new("L", (40 + int(face.getlength(text)), size + 16), 0)
    ImageDraw.Draw(image).text((8, 6), text, font=face, fill=255)
    ink = np.asarray(image) > 110
    if fax:             # every other line lost and doubled back, as a 98-lpi fax does
        ink = np.repeat(ink[::2], 2, axis=0)[: ink.shape[0]]
    return ink.astype(np.uint8)


@pytest.mark.parametrize("font", [SANS, SERIF])
@pytest.mark.parametrize("fax", [False, True])
@pytest.mark.parametrize("numeral", ["I", "II", "III"])
def test_numeral_bars_are_counted(numeral, fax, font):
    assert glyphs.numeral_stems(_mask(f"LICENSED TYPE {numeral}", font, fax=fax)) == len(numeral)


def test_a_bar_broken_by_the_fax_still_counts_once():
    mask = _mask("LICENSED TYPE II")
    xs = np.nonzero(mask.any(axis=0))[0]
    mask[13:15, xs[-1] - 1: xs[-1] + 1] = 0      # a white line across the last bar
    assert glyphs.numeral_stems(mask) == 2


@pytest.mark.parametrize("text", ["CERTIFIED", "REGISTERED", "LICENSED TYPE H", "TYPE IV"])
def test_a_word_that_is_not_bars_is_no_numeral(text):
    assert glyphs.numeral_stems(_mask(text)) is None


def test_empty_mask_is_no_numeral():
    assert glyphs.numeral_stems(np.zeros((20, 60), np.uint8)) is None


@pytest.mark.parametrize("code", ["1", "2", "45", "451"])
def test_printed_codes_read_as_glyphs(code):
    text, confidence = glyphs.read_chars(_mask(code, size=28), "0123456789")
    assert text == code and confidence > 0.5


@pytest.mark.parametrize("ocr", ["LICENSED TYPE I", "LICENSED TYPE H", "LICENSED TYPE",
                                 "LICENSED TYPE ti"])
def test_the_numeral_settles_a_reading_of_printed_text(ocr):
    from extractors import constraints, read
    from extractors.forms import load_form
    field = next(f for f in load_form("DCC-97").page(1).fields if f.name == "provider_type")
    mask = cv2.copyMakeBorder(_mask("LICENSED TYPE II", fax=True), 4, 4, 4, 4,
                              cv2.BORDER_CONSTANT, value=0)
    crop = read.Crop(field, (0, 0, mask.shape[1], mask.shape[0]), 255 - mask * 255, mask,
                     read.inklib.measure(255 - mask * 255, 200))
    allowed = constraints.vocabulary("DCC-97", "provider_type")
    value = read._typed_value(crop, "text", True, ocr, 0.53, allowed)
    assert (value.value, value.confidence) == ("LICENSED TYPE II", read.STEMS_SURE)
    assert read._typed_value(crop, "text", True, ocr, 0.53).value == ocr.upper()  # open text


def test_printed_digits_run_together_are_cut_apart():
    mask = _mask("22", size=28)
    cols = np.nonzero(mask.any(axis=0))[0]
    gap = [x for x in range(cols[0], cols[-1]) if not mask[:, x].any()]
    mask[14:16, gap] = 1                          # a fax joins the two digits
    assert glyphs.read_chars(mask, "0123456789")[0] == "22"


def test_a_one_without_its_foot_is_still_a_one():
    """Helvetica's "1" has no foot (Liberation's has), and a fax drops a thin one."""
    mask = _mask("1", size=28, fax=True)
    rows = np.nonzero(mask.any(axis=1))[0]
    stem = mask[rows[-5]].nonzero()[0]
    mask[rows[-4]:] = 0                                            # the foot's rows lost ...
    mask[rows[-4]:rows[-1] + 1, stem.min():stem.max() + 1] = 1   # ... the stem goes on down
    text, confidence = glyphs.read_chars(mask, "0123456789")
    assert text == "1" and confidence > 0.5
