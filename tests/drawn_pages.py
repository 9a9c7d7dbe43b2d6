"""Draw a form page as the reader sees it, at 200 dpi on the layout itself, for tests of
``extractors.read.read_page_fields``: the printed boxes, handwriting pasted into them."""
from __future__ import annotations

import cv2
import numpy as np

from extractors import read
from extractors.forms import Page
from extractors.register import Fit

FIT = Fit(1.0, 0.0, 1.0, 0.0, 1.0, 200)          # the layout itself, at 200 dpi


def box(layout: Page, name: str) -> tuple[int, int, int, int]:
    return tuple(round(v) for v in FIT.box_px(layout.field(name).box))


def blank(layout: Page, names: list[str]) -> np.ndarray:
    """A white page with the printed boxes of the fields ``names``."""
    w, h = (round(v * 200 / 72) for v in layout.size)
    page = np.full((h, w), 255, np.uint8)
    for name in names:
        x0, y0, x1, y1 = box(layout, name)
        cv2.rectangle(page, (x0, y0), (x1, y1), 0, 2)
    return page


def paste(page: np.ndarray, layout: Page, name: str, ink: np.ndarray, margin: int = 8) -> None:
    """Darken the box of field ``name`` by the ink mask ``ink`` (0..255), ``margin`` inside."""
    x0, y0, _, _ = box(layout, name)
    inside = page[y0 + margin:y0 + margin + ink.shape[0], x0 + margin:x0 + margin + ink.shape[1]]
    np.minimum(inside, (255 - ink).astype(np.uint8), out=inside)


def inner_size(layout: Page, name: str, margin: int = 8) -> tuple[int, int]:
    """(width, height) of the box of ``name`` less ``margin`` on each side."""
    x0, y0, x1, y1 = box(layout, name)
    return x1 - x0 - 2 * margin, y1 - y0 - 2 * margin


def read_fields(layout: Page, page: np.ndarray) -> dict:
    binary = np.where(page < 128, 0, 255).astype(np.uint8)
    return read.read_page_fields(layout, FIT, page, binary)
