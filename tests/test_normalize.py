"""Page normalisation: orientation, deskew, binarisation, despeckling, the fax header band.

Pages are the born-digital example forms rendered at 200 dpi, and the same pages degraded the
way a standard-resolution fax degrades them (1-bit, 204 x 98 dpi with line noise, rows doubled
back to square pixels), turned and skewed by known amounts.
"""
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import normalize as norm
from extractors.load import square_pixels

DATA = Path(__file__).parent / "data"
DPI = 200
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def render(form: str, page: int) -> np.ndarray:
    pdf = pdfium.PdfDocument(DATA / f"{form}.pdf")
    return np.array(pdf[page - 1].render(scale=DPI / 72).to_pil().convert("L"))


def fax(page: np.ndarray, seed: int = 0) -> np.ndarray:
    """A standard-resolution fax of ``page``: sent portrait, 1-bit, speckled, rows doubled."""
    landscape = page.shape[1] > page.shape[0]
    tall = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE) if landscape else page
    small = cv2.resize(tall, (1728, 1078), interpolation=cv2.INTER_AREA)
    bits = np.where(small < 150, 0, 255).astype(np.uint8)
    flip = np.random.default_rng(seed).random(bits.shape) < 0.003
    bits[flip] = 255 - bits[flip]
    square, _, _ = square_pixels(bits, 204, 98)
    return cv2.rotate(square, cv2.ROTATE_90_COUNTERCLOCKWISE) if landscape else square


def turned(image: np.ndarray, rotation: int) -> np.ndarray:
    """The page as it arrives when ``rotation`` (clockwise) is what makes it upright."""
    return norm.rotate(image, (360 - rotation) % 360)


def skewed(image: np.ndarray, degrees: float) -> np.ndarray:
    """Content turned ``degrees`` counter-clockwise (OpenCV's positive angle)."""
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderValue=255)


def letter() -> np.ndarray:
    """A page of plain typed text and no rules: a cover letter."""
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 34)
    text = ("Dear Family Support worker, please find attached the attendance records for the "
            "month of May together with the billing form and the certificate for the child.")
    words, lines, line = text.split(), [], ""
    for word in words * 6:
        if len(line) + len(word) > 60:
            lines.append(line)
            line = ""
        line += word + " "
    for i, line in enumerate(lines):
        draw.text((150, 200 + 48 * i), line, fill=0, font=font)
    return np.array(image)


@pytest.fixture(scope="module")
def pages():
    return {(form, page): render(form, page)
            for form, page in [("DCC-94", 1), ("DCC-94", 3), ("DCC-97", 1), ("DCC-94E", 1)]}


# -- orientation --------------------------------------------------------------------------

@pytest.mark.parametrize("key", [("DCC-94", 1), ("DCC-94", 3), ("DCC-97", 1), ("DCC-94E", 1)])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_form_pages_are_turned_upright_by_their_rules(pages, key, rotation):
    for image in (pages[key], fax(pages[key], seed=rotation)):
        found = norm.rule_orientation(norm.binarize(turned(image, rotation)), DPI)
        assert found is not None
        assert found[0] == rotation and (found[1].form, found[1].page) == key


def test_orient_returns_the_upright_image(pages):
    image = pages[("DCC-97", 1)]
    rotation, upright = norm.orient(turned(image, 90), DPI)
    assert rotation == 90 and np.array_equal(upright, image)


@pytest.mark.parametrize("rotation", [90, 180])
def test_a_page_without_rules_falls_back_to_tesseract(rotation):
    page = letter()
    assert norm.rule_orientation(norm.binarize(page), DPI) is None
    found, upright = norm.orient(turned(page, rotation), DPI)
    assert found == rotation and upright.shape == page.shape


def test_a_blank_page_stays_as_it_is():
    blank = np.full((2200, 1700), 255, np.uint8)
    rotation, image = norm.orient(blank, DPI)
    assert rotation == 0 and image is blank


# -- deskew -------------------------------------------------------------------------------

@pytest.mark.parametrize("degrees", [-3.0, -1.2, 0.0, 2.5, 3.0])
def test_deskew_finds_the_angle_of_forms_and_faxes(pages, degrees):
    for image in (pages[("DCC-94", 1)], fax(pages[("DCC-94E", 1)])):
        angle, straight = norm.deskew(skewed(image, degrees))
        assert abs(angle - degrees) <= 0.1
        assert straight.shape == image.shape
        assert abs(norm.skew_angle(norm.binarize(straight))) <= 0.1


def test_deskew_works_on_plain_text_and_sideways_pages(pages):
    assert abs(norm.deskew(skewed(letter(), 2.0))[0] - 2.0) <= 0.1
    sideways = turned(pages[("DCC-94", 3)], 90)
    assert abs(norm.deskew(skewed(sideways, -2.0))[0] + 2.0) <= 0.1


def test_deskew_stays_within_five_degrees():
    angle, _ = norm.deskew(skewed(letter(), 12.0))
    assert -5.0 <= angle <= 5.0


# -- binarise, despeckle, band ------------------------------------------------------------

def test_binarize_copes_with_uneven_light(pages):
    page = pages[("DCC-94", 1)]
    shade = np.linspace(0.45, 1.0, page.shape[1])[None, :]        # dark on the left
    dim = (page * shade).astype(np.uint8)
    binary = norm.binarize(dim)
    assert set(np.unique(binary)) <= {0, 255}
    truth = page < 128
    ink = binary == 0
    assert (ink & ~truth).mean() < 0.01             # the shade did not become ink
    assert (ink & truth).sum() > 0.9 * truth.sum()  # the ink is kept


def test_binarize_a_blank_page_is_blank():
    noise = np.random.default_rng(0).normal(245, 3, (2200, 1700)).clip(0, 255)
    assert (norm.binarize(noise.astype(np.uint8)) == 0).mean() < 0.001


def test_despeckle_removes_isolated_specks_and_keeps_dots_of_text():
    image = np.full((400, 800), 255, np.uint8)
    cv2.putText(image, "9:14 pi", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.circle(image, (130, 200), 2, 0, -1)          # a 13-pixel dot: not a speck
    text = image.copy()
    rng = np.random.default_rng(1)
    ys, xs = rng.integers(200, 400, 300), rng.integers(300, 800, 300)
    image[ys, xs] = 0                                 # single-pixel fax noise
    image[250:252, 600:602] = 0                       # a 2x2 speck
    clean = norm.despeckle(image, DPI)
    assert np.array_equal(clean[:, :300], text[:, :300])
    assert (clean[190:, 300:] == 0).sum() == 0


def test_despeckle_tiny_colon_dots_next_to_digits_stay():
    image = np.full((100, 200), 255, np.uint8)
    image[40:60, 50:53] = 0                           # a digit stroke
    image[44:46, 58:60] = 0                           # colon dots, 4 px each
    image[54:56, 58:60] = 0
    assert np.array_equal(norm.despeckle(image, DPI), image)


def test_functions_do_not_change_their_input(pages):
    page = pages[("DCC-94", 3)]
    before = page.copy()
    norm.binarize(page), norm.deskew(page), norm.despeckle(page, DPI), norm.orient(page, DPI)
    assert np.array_equal(page, before)


def test_top_band_is_the_first_line_in_the_top_third_of_an_inch(pages):
    page = pages[("DCC-94", 1)].copy()
    page[:120] = 255
    assert norm.top_band(page, DPI).shape == (60, 1700)      # nothing there: the whole strip
    page[2:4, 300:310] = 0                                   # a speck above the header
    cv2.putText(page, "FEB 13 2026 03:46PM KIDS ACADEMY PAGE 1 OF 1", (10, 22),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)
    page[40:60, 100:1600] = 0                                # the form's top peeking in
    line = norm.first_line(page[:60])
    assert 4 < line.start < 12 and 20 < line.stop < 35         # the header's line only
    assert norm.top_band(page, DPI).shape == (line.stop - line.start, 1700)


def test_a_header_printed_lower_or_through_line_noise_is_still_found(pages):
    page = pages[("DCC-94", 1)].copy()
    page[:120] = 255
    cv2.putText(page, "FEB 13 2026 03:46PM KIDS ACADEMY PAGE 1 OF 1", (10, 92),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1)         # a third of an inch down
    band = norm.top_band(page, DPI)
    assert 10 < band.shape[0] < 30 and (band < 128).sum() > 500
    noisy = page.copy()
    dots = np.random.default_rng(3).random(noisy.shape) < 0.01
    noisy[dots] = 0                                           # 1 % of the pixels black
    assert norm.top_band(noisy, DPI).shape == band.shape     # the same line, specks wiped
