"""The Tesseract wrapper: real Tesseract for reading, a fake one on PATH for failures."""
import json
import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from extractors import ocr
from extractors.errors import OcrFailed
from extractors.forms import load_form

DATA = Path(__file__).parent / "data"
DPI = 200


@pytest.fixture(scope="module")
def page1() -> np.ndarray:
    pdf = pdfium.PdfDocument(DATA / "DCC-94.pdf")
    return np.array(pdf[0].render(scale=DPI / 72).to_pil().convert("L"))


@pytest.fixture(scope="module")
def field_crops(page1):
    """(crop, expected text) of the filled printed fields on DCC-94 page 1."""
    values = json.loads((DATA / "DCC-94.values.json").read_text())
    out = []
    for field in load_form("DCC-94").page(1).fields:
        if values.get(field.name) and field.type in ("text", "name", "date", "number"):
            x0, y0, x1, y1 = field.box.scaled(DPI / 72)
            out.append((page1[y0 + 2:y1 - 2, x0 + 2:x1 - 2], values[field.name]))
    return out[:12]


def test_batch_reads_each_crop_in_order(field_crops):
    crops = [c for c, _ in field_crops]
    blank = np.full((40, 300), 255, np.uint8)
    results = ocr.read_lines(crops[:6] + [blank] + crops[6:], DPI)
    assert len(results) == len(crops) + 1
    assert results[6] == ("", 0.0)                      # nothing on the blank crop
    texts = [t for t, _ in results[:6] + results[7:]]
    right = sum(t == expected for t, (_, expected) in zip(texts, field_crops))
    assert right >= len(field_crops) - 1
    assert all(0 <= conf <= 1 for _, conf in results)


def test_batch_gives_what_single_calls_give(field_crops):
    crops = [c for c, _ in field_crops[:4]]
    assert ocr.read_lines(crops, DPI) == [ocr.read_line(c, DPI) for c in crops]


def test_whitelist_and_no_dictionary_for_ids():
    crop = np.full((60, 400), 255, np.uint8)
    cv2.putText(crop, "C2205031234", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    text, conf = ocr.read_line(crop, DPI, whitelist="C0123456789", dictionary=False)
    assert text == "C2205031234" and conf > 0.5


def test_empty_and_tiny_crops_are_not_sent():
    assert ocr.read_lines([], DPI) == []
    assert ocr.read_lines([np.zeros((0, 10), np.uint8)], DPI) == [("", 0.0)]


def test_words_have_boxes_on_the_page(page1):
    band = page1[: DPI * 2]                              # the title block, for speed
    words = ocr.words(band, DPI)
    assert any(w.text == "Cabinet" for w in words)
    h, w = band.shape
    assert all(0 <= wd.box[0] < wd.box[2] <= w and 0 <= wd.box[1] < wd.box[3] <= h
               for wd in words)
    cabinet = next(w for w in words if w.text == "Cabinet")
    assert abs(cabinet.box[0] - 36 * DPI / 72) < 6       # where the PDF drew it


@pytest.mark.parametrize("turn, rotate", [(None, 0), (cv2.ROTATE_90_CLOCKWISE, 270),
                                          (cv2.ROTATE_180, 180)])
def test_osd_says_how_to_turn_the_page_upright(page1, turn, rotate):
    image = page1 if turn is None else cv2.rotate(page1, turn)
    found = ocr.osd(image, DPI)
    assert found is not None and found.rotate == rotate


def test_osd_on_a_blank_page_is_none():
    assert ocr.osd(np.full((2200, 1700), 255, np.uint8), DPI) is None


# -- failures, injected with a fake tesseract first on PATH -------------------------------

def fake_tesseract(tmp_path: Path, monkeypatch, body: str) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "tesseract"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")


CROP = np.full((40, 200), 255, np.uint8)


def test_a_failing_tesseract_is_ocr_failed(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, 'echo "Error: broken model" >&2; exit 1')
    with pytest.raises(OcrFailed, match="exit status 1: Error: broken model"):
        ocr.read_lines([CROP], DPI)


def test_a_crashing_tesseract_is_ocr_failed(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, "kill -SEGV $$")
    with pytest.raises(OcrFailed, match="killed by signal SIGSEGV") as caught:
        ocr.words(CROP, DPI)
    assert caught.value.exit_code == 3


def test_one_crop_that_crashes_tesseract_costs_only_itself(tmp_path, monkeypatch):
    """Tesseract 5.3 dies of SIGFPE on the odd image; the rest of the batch is still read."""
    real = shutil.which("tesseract")
    fake_tesseract(tmp_path, monkeypatch,
                   f'grep -qs "00002.png" "$1" && kill -FPE $$\nexec {real} "$@"')
    crop = np.full((60, 300), 255, np.uint8)
    cv2.putText(crop, "HELLO", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    results = ocr.read_lines([crop] * 5, DPI)
    assert [t for t, _ in results] == ["HELLO", "HELLO", "", "HELLO", "HELLO"]
    assert results[2] == ("", 0.0)


def test_a_bilevel_crop_is_softened_before_reading():
    bilevel = np.where(np.random.default_rng(0).random((30, 30)) < 0.5, 0, 255).astype(np.uint8)
    assert not np.isin(ocr._for_reading(bilevel), (0, 255)).all()
    grey = np.full((30, 30), 128, np.uint8)
    assert np.array_equal(ocr._for_reading(grey), grey)


def test_a_hanging_tesseract_times_out(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, "exec sleep 30")
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_S", 1)
    with pytest.raises(OcrFailed, match="timed out"):
        ocr.osd(CROP, DPI)


def test_a_missing_tesseract_is_ocr_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OcrFailed, match="not installed"):
        ocr.read_line(CROP, DPI)
