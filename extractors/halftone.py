"""Halftoned black-and-white pages: an ordered dither back to shades of grey, a greyish paper
diffused into dots back to white.

A fax machine in "photo" mode, and many PC fax drivers, send shades of grey as a pattern of
dots instead of thresholding them. An ordered dither (a Bayer matrix) lays those dots on a fixed
grid: the anti-aliased edges of printed text, a form's grey bands, a greyish paper and a light
pen all come through as a lattice of single pixels, which Tesseract reads as letters and the
readers as ink.

``descreen`` smooths a page back to grey where it is dithered, and only when the dots form a
screen (a third or more of the single pixels have another one ``PERIOD`` pixels along their row
or column; ordered dithers 0.45-0.62, error diffusion at most 0.16, 1 163 generated fax pages
at most 0.03, so none of those is changed). A dithered region is where single pixels (a black
pixel whose four neighbours are white, or a white one whose four are black) are dense: at least
``DENSE`` of a ``WINDOW``-pixel square.

Measured with ``bench/faxmodes.py`` (scans and e-mailed forms of development sets 6464 and
7575 re-sent as ordered-dither faxes, 90 and 99 pages): system-printed fields 94.1 -> 98.3 %
and 95.4 -> 98.3 %, handwritten times 557 -> 577 of 636 and 579 -> 630 of 733, findings recall
0.875 -> 0.958 and 0.917 either way (precision 0.913 -> 0.958, 0.982 -> 0.965), clean documents
accepted 9 -> 12 of 20 and 9 -> 12 of 24. ``SIGMA`` was chosen on 6464 (printed fields: 0.8
97.9 %, 1.0 98.3 %, 1.2 97.9 %, 1.6 91.0 %; a box over one cell of the screen 95.4 %).

Error diffusion (Floyd-Steinberg) leaves dots with no period, and is not smoothed: smoothed the
same way, the forms of set 6464 lost more than they gained (findings precision / recall 0.979 /
0.979 -> 0.884 / 0.792, clean documents accepted 13 -> 6 of 20). A diffused pen stroke is only
a few dots wide and reads better as those dots than as the pale smear smoothing makes of it.
What does hurt there is a greyish paper (an office scan faxed by a PC driver): diffused, it
covers the whole page with lone dots, in every empty box. ``whiten_paper`` takes those off
where black pixels are few, and leaves the denser dots of a pen or a grey band. Forms of sets
6464 and 7575 so sent: system-printed fields 97.1 -> 99.7 % and 96.7 -> 99.6 %, findings
precision / recall 0.761 / 0.729 -> 0.978 / 0.938 and 0.725 / 0.617 -> 0.981 / 0.867, clean
documents accepted 3 -> 9 of 20 and 1 -> 8 of 24. Forms diffused after the machine whitened
the paper are not changed.
"""
from __future__ import annotations

import cv2
import numpy as np

from .normalize import is_bilevel

WINDOW = 9             # px: the square single pixels are counted in (about 1 mm at 200 dpi)
DENSE = 0.08           # share of single pixels in it that makes it dithered
MIN_AREA = 0.03        # share of the page dithered before anything is changed
PERIOD = (4, 8)        # px: the grids of 4 x 4 and 8 x 8 ordered dithers
PERIODIC = 0.3         # share of single pixels with another a period away: a screen
REACH = 4              # px: a dithered region is widened by this much before smoothing
SIGMA = 1.0            # px: the Gaussian that turns a 4 x 4 screen's dots back into grey
PAPER_WINDOW = 31      # px: the square a paper's dots are counted in (about 4 mm) ...
PAPER_DOTS = 0.02      # ... where this share of lone black pixels makes it dotted paper ...
DOTTED_PAPER = 0.6     # ... and a page this much dotted is a greyish paper, dithered
PALE = 0.15            # a lone black pixel among this few black ones is paper, not a pen

_CROSS = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32)


def single_pixels(ink: np.ndarray) -> np.ndarray:
    """Pixels unlike all four of their neighbours (``ink``: bool, True where black)."""
    around = cv2.filter2D(ink.astype(np.float32), -1, _CROSS, borderType=cv2.BORDER_REPLICATE)
    return (ink & (around == 0)) | (~ink & (around == 4))


def screen(single: np.ndarray) -> tuple[int, float]:
    """The ``PERIOD`` that best explains the ``single`` pixels, and the share of them with
    another one that far away along their row or column: near 1 for an ordered dither, near
    0.1 for error diffusion or line noise."""
    count = np.count_nonzero(single)
    best = (PERIOD[0], 0.0)
    for k in PERIOD:
        paired = (np.count_nonzero(single[:, :-k] & single[:, k:])
                  + np.count_nonzero(single[:-k, :] & single[k:, :]))
        if count and paired / (2 * count) > best[1]:
            best = (k, paired / (2 * count))
    return best


def dithered(single: np.ndarray) -> np.ndarray:
    """Where a page whose ``single`` pixels these are is dithered: a bool mask, widened by
    ``REACH``."""
    density = cv2.boxFilter(single.astype(np.float32), -1, (WINDOW, WINDOW),
                            borderType=cv2.BORDER_REPLICATE)
    dense = (density >= DENSE).astype(np.uint8)
    return cv2.dilate(dense, np.ones((2 * REACH + 1,) * 2, np.uint8)).astype(bool)


def whiten_paper(pixels: np.ndarray, single: np.ndarray) -> np.ndarray:
    """A page whose greyish paper was dithered by error diffusion, with the paper's dots taken
    off: lone black pixels where black ones are few (under ``PALE`` of a ``WINDOW`` square),
    on a page dotted so over ``DOTTED_PAPER`` of it. A pen's strokes, even a light one, are
    denser dots and keep them; so do a form's grey bands."""
    ink = pixels < 128
    lone = single & ink
    if np.count_nonzero(lone) < DOTTED_PAPER * PAPER_DOTS * lone.size / 2:   # too few to be
        return pixels                                                         # dotted paper
    dots = cv2.boxFilter(lone.astype(np.float32), -1, (PAPER_WINDOW, PAPER_WINDOW),
                         borderType=cv2.BORDER_REPLICATE)
    if np.count_nonzero(dots >= PAPER_DOTS) < DOTTED_PAPER * dots.size:
        return pixels
    black = cv2.boxFilter(ink.astype(np.float32), -1, (WINDOW, WINDOW),
                          borderType=cv2.BORDER_REPLICATE)
    return np.where(lone & (black < PALE), 255, pixels).astype(np.uint8)


def descreen(pixels: np.ndarray) -> np.ndarray:
    """``pixels`` with its dithered regions smoothed to grey when they form a screen, or, when
    they do not, its dotted paper made white (``whiten_paper``); returned as it was when it has
    shades of grey already, or nothing of either kind worth the name (``MIN_AREA``)."""
    if pixels.size == 0 or not is_bilevel(pixels):
        return pixels
    single = single_pixels(pixels < 128)
    period, share = screen(single)
    if share < PERIODIC:
        return whiten_paper(pixels, single)
    mask = dithered(single)
    if np.count_nonzero(mask) < MIN_AREA * mask.size:
        return pixels
    smooth = cv2.GaussianBlur(pixels, (0, 0), SIGMA * period / 4)
    return np.where(mask, smooth, pixels).astype(np.uint8)
