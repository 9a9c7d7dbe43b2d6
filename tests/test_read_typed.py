"""Printed fields read by Tesseract, and the glyph-by-glyph fallback when it reads nothing."""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors import glyphs, ink, read
from extractors.forms import load_form

DOB = load_form("DCC-94").page(1).field("children.0.dob")
RATE = load_form("DCC-94").page(1).field("children.0.state_max_rate_full")
DATA = Path(__file__).parent / "data"


def _printed(text: str, field=DOB) -> read.Crop:
    """A date box as a fine fax prints it: Liberation Sans, about 10 pt at 200 dpi."""
    image = Image.new("L", (160, 40), 255)
    ImageDraw.Draw(image).text((6, 8), text, font=ImageFont.truetype(glyphs.FONT, 24), fill=0)
    grey = np.asarray(image)
    binary = np.where(grey < 128, 0, 255).astype(np.uint8)
    return read.Crop(field, (0, 0, 160, 40), grey, binary, ink.measure(binary, 200))


def test_a_printed_date_is_read_by_tesseract():
    [fv] = read._read_typed([_printed("01/11/2014")], True, 200, "DCC-94")
    assert fv.value == "2014-01-11" and fv.confidence > read.GLYPH_FALLBACK_MAX


def test_a_date_tesseract_reads_nothing_of_is_read_glyph_by_glyph(monkeypatch):
    # Tesseract 5.3 returned nothing at all for a faxed "01/11/2014" with a speck between
    # the ones: its failure is injected here, the glyphs still read the date, less surely
    monkeypatch.setattr(read.ocr, "read_lines", lambda crops, *a, **k: [("", 0.0)] * len(crops))
    [fv] = read._read_typed([_printed("01/11/2014")], True, 200, "DCC-94")
    assert fv.value == "2014-01-11" and fv.confidence <= read.GLYPH_FALLBACK_MAX
    [fv] = read._read_typed([_printed("TBD")], True, 200, "DCC-94")
    assert fv.value is None                          # no date in the glyphs either


def test_an_amount_tesseract_reads_nothing_of_keeps_its_dollar_sign_apart(monkeypatch):
    # the "$" is a glyph of its own, not a digit ("$28.00" was read "628.00" without it)
    monkeypatch.setattr(read.ocr, "read_lines", lambda crops, *a, **k: [("", 0.0)] * len(crops))
    [fv] = read._read_typed([_printed("$28.00", RATE)], True, 200, "DCC-94")
    assert fv.value == "28.00"


def test_a_printed_name_is_read_without_the_specks_and_border_a_fax_adds(monkeypatch):
    name = load_form("DCC-94").page(1).field("children.0.name")
    monkeypatch.setattr(read.ocr, "read_lines",
                        lambda crops, *a, **k: [("PAISLEY. NAPIER |", 0.9)] * len(crops))
    [fv] = read._read_typed([_printed("PAISLEY NAPIER", name)], True, 200, "DCC-94")
    assert fv.value == "PAISLEY NAPIER"


def test_a_printed_name_ending_in_a_bar_i_keeps_it():
    # Liberation's I is a plain bar: at the end of "OSEI" on a phone photo (tests/data: the
    # crop as the pipeline hands it to Tesseract, from a generated page) Tesseract 5.3 reads
    # it as "!", and a whitelist without "!" made the name "MASON OSE" read at 0
    name = load_form("DCC-97").page(1).field("children.0.name")
    grey = np.asarray(Image.open(DATA / "photo-name-osei.png").convert("L"))
    binary = np.where(grey < 128, 0, 255).astype(np.uint8)
    crop = read.Crop(name, (0, 0, grey.shape[1], grey.shape[0]), grey, binary,
                     ink.measure(binary, 200))
    [fv] = read._read_typed([crop], True, 200, "DCC-97")
    assert fv.value == "MASON OSEI"


def test_a_speck_after_a_printed_date_is_not_part_of_it(monkeypatch):
    # the figures' shared whitelist has "." and ",": a speck after the date came back so
    monkeypatch.setattr(read.ocr, "read_lines", lambda crops, *a, **k: [("04/30/2026 .", 0.91)])
    [fv] = read._read_typed([_printed("04/30/2026")], True, 200, "DCC-94")
    assert fv.value == "2026-04-30"
