"""Handwritten boxes the ink test called empty, but not surely, are read (extractors.read._faint)."""
import random
import sys
from pathlib import Path

import cv2
import numpy as np

from extractors import ink, read
from extractors.forms import load_form
from sample_scans.hand import HandBook, pool
from validators.reading import UNSURE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import synth  # noqa: E402

FIELD = load_form("DCC-94E").page(1).field("rows.0.days.mon.time_in")


def _crop(grey: np.ndarray) -> read.Crop:
    binary = np.where(grey < 128, 0, 255).astype(np.uint8)
    return read.Crop(FIELD, (0, 0, grey.shape[1], grey.shape[0]), grey, binary,
                     ink.measure(binary, 200))


def _faint(grey: np.ndarray):
    c = _crop(grey)
    empty = read.FieldValue(None, 0.6, 0, (0, 0, 1, 1), "time")
    [reading] = read.read_handwriting([c.grey], "time")
    return read._faint(c, empty, reading)


def test_specks_in_an_empty_box_read_as_empty_with_more_certainty():
    grey = np.full((60, 160), 255, np.uint8)
    rng = np.random.default_rng(3)
    for y, x in zip(rng.integers(5, 55, 6), rng.integers(5, 155, 6)):
        grey[y:y + 2, x:x + 2] = 0
    fv = _faint(grey)
    assert fv.value is None and fv.confidence == read.FAINT_EMPTY


def test_writing_the_ink_test_doubted_is_read_when_the_model_is_sure():
    book = HandBook(5, fonts=pool("heldout"))
    got = []
    for seed in range(6):
        sample = synth.make("time", random.Random(seed), book, text="7:45", channel="scan")
        got.append(_faint(sample.crop))
    read_back = [fv for fv in got if fv.value is not None]
    assert read_back and all(fv.value == "07:45" and fv.confidence >= read.FAINT_READ
                             for fv in read_back)


def test_an_unsure_box_whose_partner_is_written_is_doubtful():
    grey = np.full((60, 160), 255, np.uint8)
    grey[30:32, 40:42] = 0
    c = _crop(grey)
    empty = read.FieldValue(None, 0.6, 0, (0, 0, 1, 1), "time")
    nothing = read.HandReading("", None, 0.0)
    doubtful = read._faint(c, empty, nothing, partner_written=True)
    assert doubtful.value is None and doubtful.confidence == read.FAINT_DOUBT
    assert doubtful.confidence < UNSURE             # no rule claims a missing time on it
    assert read._faint(c, empty, read.HandReading("7:4", "07:40", 0.3)) == empty
    assert read._faint(c, empty, nothing).confidence == read.FAINT_EMPTY
    sure = read.HandReading("7:45", "07:45", 0.9, [("07:45", 0.9)])
    assert read._faint(c, empty, sure, partner_written=True).value == "07:45"


def test_an_unsure_box_the_model_sees_something_in_stays_unsure():
    c = _crop(np.full((60, 160), 255, np.uint8))
    empty = read.FieldValue(None, 0.6, 0, (0, 0, 1, 1), "time")
    assert read._faint(c, empty, read.HandReading("0:54", "00:54", 0.1)) == empty


def test_an_unsure_staff_box_is_empty_even_when_the_model_sees_something():
    """A PBF's worker exception is for DCC staff: a returned form rarely holds one."""
    grey = np.full((45, 43), 255, np.uint8)
    field = load_form("DCC-97").page(1).field("children.0.days.01.worker_exception")
    binary = np.where(grey < 128, 0, 255).astype(np.uint8)
    c = read.Crop(field, (0, 0, 43, 45), grey, binary, ink.measure(binary, 200))
    empty = read.FieldValue(None, 0.6, 0, (0, 0, 1, 1), "code")
    fv = read._faint(c, empty, read.HandReading("4", "4", 0.2))
    assert fv.value is None and fv.confidence == read.FAINT_EMPTY


def test_ink_in_which_the_reader_finds_no_writing_is_an_empty_box():
    grey = np.full((60, 160), 255, np.uint8)
    grey[20:40, 70:90] = 0                            # the ink test sees a blot
    reading = read.HandReading("", None, 0.0, [], blank=True)
    fv = read._handwritten(_crop(grey), reading)
    assert fv.value is None and fv.confidence == read.BLANK_EMPTY


def test_a_lone_short_stroke_in_a_time_box_is_no_time():
    grey = np.full((60, 160), 255, np.uint8)
    grey[20:42, 70:73] = 0                            # a speck of a stroke, nothing legible
    c = _crop(grey)
    assert c.ink.present and read._slight(c)
    [reading] = read.read_handwriting([c.grey], "time")
    fv = read._handwritten(c, reading)
    assert fv.value is None and fv.confidence == read.BLANK_EMPTY


def test_a_fax_streak_a_little_out_of_true_in_a_time_box_is_no_time():
    grey = np.full((100, 120), 255, np.uint8)
    for x in range(0, 120, 9):                        # dashes, rising 3 px across the box
        cv2.line(grey, (x, int(70 - 0.025 * x)), (x + 5, int(70 - 0.025 * (x + 5))), 0, 2)
    grey[20:36, 50:52] = 0                            # and a fleck tall enough to be ink
    c = _crop(grey)
    assert c.ink.present and c.ink.blobs > read.SLIGHT_BLOBS
    nothing = read.HandReading("", None, 0.01, [])      # the reader found no time in it
    fv = read._handwritten(c, nothing)
    assert fv.value is None and fv.confidence == read.BLANK_EMPTY
