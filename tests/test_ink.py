"""The ink test of one field crop: writing kept, box borders, specks and fax streaks dropped."""
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from extractors import ink


def _crop(text: str, h: int = 40, w: int = 240) -> np.ndarray:
    img = np.full((h, w), 255, np.uint8)
    cv2.putText(img, text, (8, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    return img


def test_an_empty_box_with_its_border_is_empty():
    img = np.full((40, 240), 255, np.uint8)
    cv2.rectangle(img, (0, 0), (239, 39), 0, 2)
    assert not ink.measure(img).present


def test_a_dotted_streak_through_the_crop_is_not_writing():
    img = _crop("ZOEY YOUNG")
    for y in range(0, 40, 5):                      # a dotted vertical line, top to bottom
        img[y:y + 3, 200:202] = 0
    mask = ink.measure(img).mask
    assert mask[:, 198:204].sum() == 0
    assert mask[:, :150].sum() == ink.measure(_crop("ZOEY YOUNG")).mask[:, :150].sum()


def test_a_dotted_streak_across_a_sideways_faxed_box_is_dropped_where_it_crosses_no_writing():
    img = np.full((60, 60), 255, np.uint8)
    cv2.line(img, (38, 8), (20, 52), 0, 3)                   # a slanted "1"
    one = ink.remove_streaks((img < 128).astype(np.uint8))
    for x in range(0, 60, 5):                      # a dotted horizontal line, side to side
        img[30:32, x:x + 3] = 0
    mask = ink.remove_streaks((img < 128).astype(np.uint8))
    assert mask[30:32, :20].sum() == 0 and mask[30:32, 40:].sum() == 0
    assert (mask & one).sum() == one.sum()                     # the "1" is whole


def _tilted_dashes(img: np.ndarray, y0: int, slope: float) -> np.ndarray:
    """A fax's streak across ``img``: dashes with gaps wider than a dotted streak's."""
    for x in range(0, img.shape[1], 11):
        for dx in range(6):
            if x + dx < img.shape[1]:
                img[int(y0 + slope * (x + dx)), x + dx] = 0
    return img


@pytest.mark.parametrize("slope", [0.0, 0.025, -0.04])
def test_a_dashed_streak_a_little_out_of_true_is_found(slope):
    img = _tilted_dashes(np.full((100, 120), 255, np.uint8), 60, slope)
    img[20:22, 30:32] = 0                                        # a speck stays
    mask = (img < 128).astype(np.uint8)
    rest = ink.without_tilted_streak(mask)
    assert rest.sum() == 4


def test_writing_without_a_streak_is_left_alone():
    mask = (_crop("7:45 PM", h=100, w=120) < 128).astype(np.uint8)
    assert (ink.without_tilted_streak(mask) == mask).all()


def test_a_written_bar_across_a_small_box_is_no_streak():
    img = np.full((52, 38), 255, np.uint8)
    cv2.putText(img, "57", (2, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.line(img, (6, 20), (36, 20), 0, 2)                  # the 5's and the 7's bars run on
    mask = (img < 128).astype(np.uint8)
    assert (ink.remove_streaks(mask) == mask).all()


def test_a_digit_filling_a_small_box_is_kept():
    img = np.full((20, 30), 255, np.uint8)
    cv2.putText(img, "2", (8, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    assert ink.measure(img).present


def test_a_broken_border_just_inside_a_checkbox_crop_is_not_a_mark():
    # registration left the box's left border a pixel inside the crop, broken by the fax
    # into pieces too short for remove_rules (seen on dev faxes read as "checked" at 0.98)
    img = np.full((24, 25), 255, np.uint8)
    img[9:21, 2] = 0                               # a piece of the left border
    img[0:4, 0:5] = 0                              # the top-left corner, thick
    img[1:3, 12:25] = 0                            # and a bit of the top border
    assert not ink.measure(img).present
    tick = img.copy()
    cv2.line(tick, (7, 12), (11, 18), 0, 2)        # a real check mark beside it is kept
    cv2.line(tick, (11, 18), (20, 5), 0, 2)
    assert ink.measure(tick).present


def test_a_printed_check_box_is_judged_by_the_inside_of_its_frame():
    # a fax redraws the 10 pt frame ragged and up to 4 px thick, here a little off the crop,
    # with a speck inside: the old whole-crop test read such boxes as marked at 0.98
    rng = np.random.default_rng(0)
    box = np.full((28, 29), 255, np.uint8)
    cv2.rectangle(box, (3, 2), (26, 25), 0, 3)
    box[(rng.random(box.shape) < 0.3) & (cv2.dilate(255 - box, np.ones((3, 3))) > 0)] = 0
    box[14, 12] = 0
    assert ink.judged(ink.measure(box), "mark")[0]             # the old test: "marked"
    marked, sure = ink.checked(box)
    assert not marked and sure >= 0.95
    cv2.line(box, (8, 7), (20, 19), 0, 2)          # the system's X
    cv2.line(box, (20, 7), (8, 19), 0, 2)
    marked, sure = ink.checked(box)
    assert marked and sure >= 0.95


def test_a_light_pen_the_page_binarised_away_is_found_in_grey():
    # paper 235 with grain, the box's anti-aliased border along the crop's edges, and a thin
    # hollow "0" at 190 (45 levels under the paper, lighter than the page's Otsu cut)
    rng = np.random.default_rng(1)
    empty = np.clip(235 + rng.normal(0, 4, (100, 118)), 0, 255).astype(np.uint8)
    empty[0:2, :] = 150
    empty[:, -2:] = 160
    assert not ink.measure_faint(empty).present
    written = empty.copy()
    cv2.ellipse(written, (55, 50), (14, 24), 0, 0, 360, 190, 1)
    cv2.ellipse(written, (55, 50), (10, 20), 0, 0, 360, 190, 1)
    binary = np.where(written < 128, 0, 255).astype(np.uint8)
    assert not ink.measure(binary).present                  # what the page's binary shows
    found = ink.measure_faint(written)
    assert found.present and found.mask.shape == written.shape and found.mask[50, 41]


def _ink(present: bool, certainty: float):
    """What ``judged`` looks at: the raw decision and its raw certainty."""
    return SimpleNamespace(present=present, certainty=certainty)


def test_judged_takes_the_fitted_worth_of_a_decision_and_turns_over_a_bad_one():
    table = ink._calibration()["mark"]
    steps = table["present"]
    assert [p for _, p in steps] == sorted(p for _, p in steps)        # rises with certainty
    assert ink.judged(_ink(True, 0.95), "mark") == (True, pytest.approx(steps[-1][1], abs=0.02))
    written, p = ink.judged(_ink(True, 0.52), "mark")    # specks just over the thresholds
    assert not written and p > 0.5
    assert ink.judged(_ink(False, 0.7), "no such group") == (False, pytest.approx(0.7, abs=0.01))


def test_the_fit_smooths_and_never_falls():
    pytest.importorskip("sklearn")                 # a training requirement, not the service's
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
    from train.ink import isotonic
    steps = isotonic([(0.6, 1, 10), (0.7, 9, 10), (0.8, 8, 10), (1.0, 40, 40)])
    ps = [p for _, p in steps]
    assert ps == sorted(ps) and ps[-1] < 1.0 and steps[-1][0] == 1.0


def test_groups_of_fields_whose_ink_decision_is_looked_up():
    assert ink.group_of("initials", True) == "mark"
    assert ink.group_of("code", False) == "printed"
    assert ink.group_of("time", True) is None and ink.group_of("signature", False) is None
    written, p = ink.judged(_ink(False, 0.7), "printed")     # a faxed empty printed box
    assert not written and p > 0.9


def test_a_second_look_in_grey_replaces_a_doubtful_or_missing_decision_only():
    rng = np.random.default_rng(2)
    grey = np.clip(235 + rng.normal(0, 4, (90, 120)), 0, 255).astype(np.uint8)
    cv2.ellipse(grey, (60, 45), (16, 26), 0, 0, 360, 185, 1)      # a light hollow letter
    binary = np.where(grey < 128, 0, 255).astype(np.uint8)
    empty = ink.measure(binary)
    assert not empty.present and ink.second_look(empty, grey).present
    sure = ink.Ink(0.2, 80, 1, np.ones_like(grey))
    assert ink.second_look(sure, grey) is sure                   # no second look needed
    blank = np.clip(235 + rng.normal(0, 4, (90, 120)), 0, 255).astype(np.uint8)
    doubtful = ink.Ink(0.004, 15, 1, np.zeros_like(blank))
    assert ink.second_look(doubtful, blank) is doubtful          # the grey saw nothing better



def test_a_second_look_may_only_doubt_an_empty_box_when_asked_to():
    # a light outlined "1": short strokes, each under the height the ink test wants
    rng = np.random.default_rng(3)
    grey = np.clip(215 + rng.normal(0, 3, (52, 40)), 0, 255).astype(np.uint8)
    for y in range(12, 40, 8):
        cv2.line(grey, (17, y), (17, y + 3), 170, 1)
        cv2.line(grey, (23, y), (23, y + 3), 170, 1)
    empty = ink.measure(np.where(grey < 128, 0, 255).astype(np.uint8))
    assert not empty.present and empty.certainty > 0.99
    faint = ink.measure_faint(grey)
    assert not faint.present and faint.certainty < 0.9          # the grey doubts it
    assert ink.second_look(empty, grey) is empty
    doubted = ink.second_look(empty, grey, doubt=True)
    assert not doubted.present and doubted.certainty == faint.certainty
    blank = np.clip(215 + rng.normal(0, 3, (52, 40)), 0, 255).astype(np.uint8)
    assert ink.second_look(empty, blank, doubt=True) is empty    # plain paper: no doubt

def _specks(rng, h: int, w: int, n: int) -> np.ndarray:
    img = np.full((h, w), 255, np.uint8)
    for y, x in zip(rng.integers(6, h - 6, n), rng.integers(6, w - 6, n)):
        img[y, x] = 0
    return img


def test_a_thin_pen_a_fax_broke_into_specks_is_empty_only_unsurely():
    rng = np.random.default_rng(3)
    box = _specks(rng, 95, 180, 6)                        # a fax's own noise
    cv2.rectangle(box, (0, 0), (179, 94), 0, 2)
    assert not ink.dotted(box)
    pen = np.full((95, 180), 255, np.uint8)
    cv2.putText(pen, "5:35 pm", (12, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 1)
    yy, xx = np.indices(pen.shape)
    dots = (pen < 128) & (yy % 4 == 0) & (xx % 4 == 0)      # single pixels 4 apart
    broken = np.where(dots, 0, box).astype(np.uint8)
    found = ink.measure(broken)
    assert not found.present and found.certainty > 0.95      # too broken for the ink test
    assert ink.dotted(broken)
    assert replace(found, dotted=True).certainty == ink.DOTTED_DOUBT


def test_scattered_specks_are_no_dotted_stroke():
    for seed in range(20):
        assert not ink.dotted(_specks(np.random.default_rng(seed), 95, 180, 40))


def test_a_code_broken_into_specks_further_apart_than_they_join_is_empty_only_unsurely():
    """A light "43" in a PBF's narrow code box, which a fine fax kept as 14 specks: joined,
    they are too few pieces to count as specks, but the specks lie along the strokes."""
    pen = np.full((52, 38), 255, np.uint8)
    cv2.putText(pen, "43", (3, 38), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    yy, xx = np.indices(pen.shape)
    dots = (pen < 128) & (yy % 5 == 0) & (xx % 4 == 0)
    broken = np.where(dots, 0, 255).astype(np.uint8)
    assert not ink.measure(broken).present
    assert ink.dotted(broken)


def test_a_box_printed_grey_is_no_dotted_stroke():
    """A PBF's day past the month's end is printed grey, which a fax dithers into specks
    spread evenly over the box."""
    rng = np.random.default_rng(5)
    for _ in range(10):
        grey = np.full((52, 38), 255, np.uint8)
        for y in range(5, 48, 5):
            for x in range(5, 34, 5):
                if rng.random() < 0.6:
                    grey[y + rng.integers(-1, 2), x + rng.integers(-1, 2)] = 0
        assert not ink.dotted(grey)


def test_a_fax_streak_across_an_empty_box_is_no_dotted_stroke():
    """An empty time box of a development fax (seed 3131) crossed by a dashed streak a little
    out of true: its dashes crowd together as a broken pen's specks do, but they are the
    streak (``without_tilted_streak``), not writing."""
    box = cv2.imread(str(Path(__file__).parent / "data" / "fax-streak-empty-time.png"),
                     cv2.IMREAD_GRAYSCALE)
    assert not ink.dotted(box)
