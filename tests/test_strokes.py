"""A fax machine set dark: every stroke of the page thinned back by a pixel, and only then."""
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from extractors import strokes

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fax_page() -> np.ndarray:
    """DCC-94 page 1 as a fine fax in text mode: 1-bit, square pixels at 200 dpi."""
    page = pdfium.PdfDocument(DATA / "DCC-94.pdf")[0]
    grey = np.array(page.render(scale=200 / 72).to_pil().convert("L"))
    return np.where(grey < 160, 0, 255).astype(np.uint8)


def darker(page: np.ndarray) -> np.ndarray:
    """The page as a machine set dark sends it: every black stroke a pixel fatter."""
    return cv2.erode(page, np.ones((2, 2), np.uint8))


def test_an_ordinary_fax_page_is_left_as_it_came(fax_page):
    assert strokes.stroke_width(fax_page < 128) <= strokes.HEAVY
    assert strokes.thinned(fax_page) is fax_page


def test_a_dark_fax_page_is_thinned_back(fax_page):
    dark = darker(fax_page)
    assert strokes.stroke_width(dark < 128) > strokes.HEAVY
    out = strokes.thinned(dark)
    assert (out < 128).sum() < 0.8 * (dark < 128).sum()
    assert abs(strokes.stroke_width(out < 128) - strokes.stroke_width(fax_page < 128)) < 0.5


def test_a_page_in_shades_of_grey_is_left_as_it_came(fax_page):
    grey = cv2.GaussianBlur(darker(fax_page), (3, 3), 0)
    assert strokes.thinned(grey) is grey


def test_a_blank_page_has_no_strokes():
    assert strokes.stroke_width(np.zeros((50, 50), bool)) == 0.0


def test_a_dark_fax_tiff_is_loaded_thinned(tmp_path, fax_page):
    from PIL import Image

    from extractors.load import load
    path = tmp_path / "dark.tif"
    Image.fromarray(darker(fax_page)).convert("1").save(path, dpi=(200, 200),
                                                         compression="group4")
    page = load(path).pages[0]
    assert strokes.stroke_width(page.image < 128) <= strokes.HEAVY
