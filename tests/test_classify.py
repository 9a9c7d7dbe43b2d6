"""Registration and classification against the layouts' ruled lines."""
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from extractors.classify import classify
from extractors.forms import load_form

DATA = Path(__file__).parent / "data"
DPI = 200


def render(form: str, page: int) -> np.ndarray:
    pdf = pdfium.PdfDocument(DATA / f"{form}.pdf")
    return np.array(pdf[page - 1].render(scale=DPI / 72).to_pil().convert("L"))


def distort(image: np.ndarray, sx: float, sy: float, tx: float, ty: float) -> np.ndarray:
    h, w = image.shape
    matrix = np.float32([[sx, 0, tx], [0, sy, ty]])
    return cv2.warpAffine(image, matrix, (w, h), borderValue=255)


@pytest.mark.parametrize("form, page", [("DCC-94", 1), ("DCC-94", 2), ("DCC-94", 3),
                                        ("DCC-97", 1), ("DCC-94E", 1)])
@pytest.mark.parametrize("sx, sy, tx, ty", [(1, 1, 0, 0), (1.03, 0.97, -25, 40),
                                            (0.96, 1.02, 30, -18),
                                            (0.88, 0.88, 100, 60)])   # a fax set to reduce
def test_each_page_is_recognised_and_registered(form, page, sx, sy, tx, ty):
    image = distort(render(form, page), sx, sy, tx, ty)
    result = classify((image < 128).astype(np.uint8), DPI)
    assert (result.form, result.page) == (form, page)
    assert result.score > 0.9 and result.runner_up < 0.7
    # a field box lands within 2 px of where the distortion put it
    field = load_form(form).page(page).fields[0]
    x0, y0, x1, y1 = result.fit.box_px(field.box)
    k = DPI / 72
    assert abs(x0 - (sx * field.box.x0 * k + tx)) <= 2
    assert abs(y1 - (sy * field.box.y1 * k + ty)) <= 2


def test_a_page_without_the_grid_is_other():
    image = np.full((2200, 1700), 255, np.uint8)
    for i, y in enumerate(range(200, 1800, 60)):   # lines of text-like blobs, a letter
        cv2.putText(image, "Dear provider, please find attached" * (1 + i % 2), (150, y),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    assert classify((image < 128).astype(np.uint8), DPI).form == "other"


def test_a_near_miss_is_decided_by_the_forms_own_words():
    from extractors.classify import Classification, by_words, needs_words
    page3 = load_form("DCC-94").page(3)
    near = Classification("other", None, None, 0.53, 0.40, page3)
    assert needs_words(near)
    printed = [s.spec["text"] for s in page3.static if s.kind == "text"]
    # most of the page read back (OCR loses some words) -> DCC-94 page 3
    found = by_words(near, printed[: len(printed) * 3 // 4])
    assert (found.form, found.page) == ("DCC-94", 3)
    # a letter that shares a few words with the form stays "other"
    letter = ["Dear provider, please find the attendance record for the child care",
              "certificate attached. Division of Child Care, Frankfort, Kentucky"]
    assert by_words(near, letter).form == "other"
    assert not needs_words(Classification("other", None, None, 0.30, 0.2, page3))


def test_a_streak_down_the_whole_fax_does_not_pull_the_layout_onto_it():
    # a dirty glass draws a dotted line from top to bottom: longer than any of the form's
    # rules, it must not count for more than one of them (on rules a fax drew a pixel
    # thinner, it used to pull the table's right edge onto itself, 370 px off)
    ink = (distort(render("DCC-94", 2), 1.01, 0.98, -12, 8) < 128).astype(np.uint8)
    ink = cv2.erode(ink, np.ones((1, 2), np.uint8))
    rng = np.random.default_rng(7)
    dots = np.repeat(rng.random(ink.shape[0] // 2 + 1) < 0.6, 2)[:ink.shape[0]]
    ink[dots, 1220:1222] = 1                    # a fax's rows come doubled: 2 px tall dots
    result = classify(ink, DPI)
    assert (result.form, result.page) == ("DCC-94", 2)
    field = load_form("DCC-94").page(2).fields[0]
    x0, _, _, _ = result.fit.box_px(field.box)
    assert abs(x0 - (1.01 * field.box.x0 * DPI / 72 - 12)) <= 3


def test_rules_a_fax_broke_into_dashes_still_register():
    from extractors.register import rule_masks
    clean = render("DCC-94", 3)
    across, _ = rule_masks((clean < 128).astype(np.uint8), DPI)
    image = clean.copy()
    gaps = (np.arange(image.shape[1]) % 60) >= 36          # 0.12 in gaps every 0.3 in
    image[(across > 0) & gaps[None, :]] = 255
    image = distort(image, 1.01, 0.98, 6, -10)
    result = classify((image < 128).astype(np.uint8), DPI)
    assert (result.form, result.page) == ("DCC-94", 3)
    field = load_form("DCC-94").page(3).fields[0]
    _, _, _, y1 = result.fit.box_px(field.box)
    assert abs(y1 - (0.98 * field.box.y1 * DPI / 72 - 10)) <= 3
