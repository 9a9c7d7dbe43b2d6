"""The ink test of one field crop: writing kept, box borders, specks and fax streaks dropped."""
import cv2
import numpy as np

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


def test_a_digit_filling_a_small_box_is_kept():
    img = np.full((20, 30), 255, np.uint8)
    cv2.putText(img, "2", (8, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    assert ink.measure(img).present
