"""Make a page image upright, straight and clean before it is classified and read.

Every function is pure: numpy in, numpy out; nothing here reads files or keeps state.

    ink = binarize(page)                     # black ink on white, 0/255
    skew, ink = deskew(ink)                  # content angle, counter-clockwise positive
    rotation, ink = orient(ink, dpi)         # clockwise turn that made it upright
    ink = despeckle(ink, dpi)

Conventions (as in the truth files and the extract): ``rotation`` is the clockwise turn (0, 90,
180 or 270) that makes a page upright; ``skew`` is the angle of the content, counter-clockwise
positive, found and removed.

Orientation is decided by the forms' own ruled lines first: registration (``classify``) of the
page turned four ways, the turn whose rules line up with a layout wins. That needs no OCR,
works on faxes too noisy to read and costs a fraction of Tesseract's orientation detector,
which remains the fallback for pages that are no form (cover sheets, letters).
"""
from __future__ import annotations

import cv2
import numpy as np

from . import ocr
from .classify import MIN_SCORE, Classification, classify

ROTATIONS = (0, 90, 180, 270)
MAX_SKEW = 5.0                 # degrees either way
ORIENT_DPI = 100               # rule registration for orientation runs at this resolution
ORIENT_MARGIN = 0.05           # the winning turn must beat the next by this much
OSD_MIN_CONFIDENCE = 1.5       # below this Tesseract's guess is no better than a coin
HEADER_IN = 0.3                # fax header band at the top of a page (inches) ...
LOW_HEADER_IN = 0.6            # ... or, when that is blank, the first line down to here
SPECK_PX = 2                   # dots of line noise (pixels) wiped from the band before reading
LINE_GAP_PX = 3                # blank rows that end the header's line of text ...
MIN_LINE_PX = 6                # ... which is at least this many rows high
COARSE_SHARE = 0.75           # an axis under this share of the other's dpi is coarse
                              # (``lines_upright``)

_CV_TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn ``image`` clockwise by ``rotation`` (a multiple of 90) degrees."""
    rotation %= 360
    return image if rotation == 0 else cv2.rotate(image, _CV_TURN[rotation])


# -- binarise and clean -------------------------------------------------------------------

def binarize(image: np.ndarray) -> np.ndarray:
    """Black ink (0) on white (255), robust to shading: divide out the background, then Otsu.

    The background (paper brightness) is estimated by a wide max-filter on a reduced copy, so a
    phone photo darker at one corner binarises as cleanly as a flatbed scan; a 1-bit fax passes
    through unchanged. The Otsu threshold is capped so a blank page does not turn its paper
    grain into ink.
    """
    grey = np.asarray(image, dtype=np.uint8)
    h, w = grey.shape
    if h < 8 or w < 8:
        return np.where(grey < 128, 0, 255).astype(np.uint8)
    flat = without_paper(grey)
    threshold, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = min(threshold, 200)
    return np.where(flat <= threshold, 0, 255).astype(np.uint8)


def without_paper(grey: np.ndarray) -> np.ndarray:
    """``grey`` (uint8) divided by its paper's brightness, estimated by a wide max-filter on a
    reduced copy: the paper white, the ink keeping its shade against it."""
    h, w = grey.shape
    small = cv2.resize(grey, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    size = max(3, (max(small.shape) // 40) | 1)
    background = cv2.dilate(small, np.ones((size, size), np.uint8))
    background = cv2.resize(cv2.blur(background, (size, size)), (w, h),
                            interpolation=cv2.INTER_LINEAR)
    return cv2.divide(grey, np.maximum(background, 1), scale=255)


def is_bilevel(image: np.ndarray) -> bool:
    """Only black and white (a fax, a 1-bit scan): no shade of grey a faint pen could be in."""
    return not np.any((image > 0) & (image < 255))


def lines_upright(source_dpi: tuple[float, float], rotation: int) -> bool:
    """Whether a page was sent at a fax's standard resolution (its lines scanned at about half
    the dpi along them: 204 x 98) and turned a quarter to stand upright, so that the fax's
    scan lines run up and down the upright page."""
    across, down = source_dpi
    low, high = sorted(source_dpi)
    if not 0 < low < COARSE_SHARE * high:
        return False
    return (across > down) == (rotation % 180 == 90)


def ink_mask(binary: np.ndarray) -> np.ndarray:
    """1 where there is ink, 0 elsewhere: what ``classify`` and ``register`` take."""
    return (binary < 128).astype(np.uint8)


def despeckle(binary: np.ndarray, dpi: int = 200, max_area: int | None = None,
              near_in: float = 0.04) -> np.ndarray:
    """Remove isolated specks (fax line noise, dust) from a black-on-white binary image.

    A speck is a connected blob of at most ``max_area`` pixels (default 6 at 200 dpi) with no
    other ink within ``near_in`` inches: a dot of an ``i`` or a colon sits next to its letters
    and stays.
    """
    ink = ink_mask(binary)
    if max_area is None:
        max_area = max(1, round(6 * (dpi / 200) ** 2))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= max_area
    small[0] = False                                      # the background
    if not small[1:].any():
        return binary
    big = (ink > 0) & ~small[labels]
    reach = max(1, round(near_in * dpi))
    near_big = cv2.dilate(big.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    # a small blob survives when any of its pixels is near big ink
    survives = np.zeros(count, bool)
    survives[np.unique(labels[(near_big > 0) & small[labels]])] = True
    drop = small & ~survives
    out = binary.copy()
    out[drop[labels]] = 255
    return out


# -- deskew -------------------------------------------------------------------------------

def skew_angle(binary: np.ndarray, max_skew: float = MAX_SKEW) -> float:
    """The content's angle in degrees (counter-clockwise positive), within ``max_skew``.

    Projection profiles: at the right angle, rows (along the page's rules and text lines) and
    columns (along vertical rules and margins) pile the ink into the fewest, sharpest bins. The
    score is the sum of squared bin counts of both profiles, so pages turned by 90 degrees work
    as well. Coarse search on a half-size copy, then a fine one at full size.
    """
    ink = binary < 128
    ys, xs = np.nonzero(ink[::2, ::2])
    if len(ys) < 100:
        return 0.0
    coarse = _best_angle(xs, ys, np.arange(-max_skew, max_skew + 1e-9, 0.2))
    ys, xs = np.nonzero(ink)
    if len(ys) > 400_000:                                 # a fixed sample keeps it quick
        pick = np.random.default_rng(0).choice(len(ys), 400_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    fine = np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.02)
    return float(np.clip(_best_angle(xs, ys, fine), -max_skew, max_skew))


def _best_angle(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray) -> float:
    xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    span = int(max(xs.max(), ys.max()) * 1.2) + 2
    scores = []
    for angle in angles:
        t = np.float32(np.tan(np.radians(angle)))
        rows = np.bincount((ys + xs * t + span).astype(np.int32))
        cols = np.bincount((xs - ys * t + span).astype(np.int32))
        scores.append(float(np.dot(rows, rows)) + float(np.dot(cols, cols)))
    return float(angles[int(np.argmax(scores))])


def straighten(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate ``image`` by ``-angle`` degrees about its centre (white fill), same size."""
    if abs(angle) < 0.05:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def deskew(image: np.ndarray) -> tuple[float, np.ndarray]:
    """(skew found, counter-clockwise positive; the image with it removed)."""
    angle = skew_angle(image if _is_binary(image) else binarize(image))
    return angle, straighten(image, angle)


def _is_binary(image: np.ndarray) -> bool:
    sample = image[::7, ::7]
    return bool(np.isin(sample, (0, 255)).all())


# -- orientation --------------------------------------------------------------------------

def rule_orientation(binary: np.ndarray, dpi: int
                     ) -> tuple[int, Classification, float] | None:
    """(rotation, classification at ``ORIENT_DPI``, margin) when the ruled lines of a form
    decide the page's orientation; None when no turn lines up with any layout."""
    small = reduce_ink(ink_mask(binary), dpi, ORIENT_DPI)
    found = []
    for rotation in ROTATIONS:
        found.append((classify(rotate(small, rotation), ORIENT_DPI), rotation))
    found.sort(key=lambda pair: pair[0].score, reverse=True)
    (best, rotation), (second, _) = found[0], found[1]
    margin = best.score - second.score
    if best.form == "other" or best.score < MIN_SCORE or margin < ORIENT_MARGIN:
        return None
    return rotation, best, margin


def reduce_ink(ink: np.ndarray, dpi: int, target: int) -> np.ndarray:
    """An ink mask at ``target`` dpi, keeping every thin rule (max over each block)."""
    factor = max(1, round(dpi / target))
    if factor == 1:
        return ink
    h, w = ink.shape
    h2, w2 = h // factor, w // factor
    return ink[:h2 * factor, :w2 * factor].reshape(h2, factor, w2, factor).max(axis=(1, 3))


_reduce = reduce_ink          # the name the pipeline first used


def osd_orientation(image: np.ndarray, dpi: int) -> int | None:
    """Tesseract's orientation when it is reasonably sure, else None."""
    found = ocr.osd(image, dpi)
    if found is None or found.confidence < OSD_MIN_CONFIDENCE:
        return None
    return found.rotate


def orientation(image: np.ndarray, dpi: int) -> tuple[int, Classification | None]:
    """(clockwise rotation that makes the page upright, and the form page the ruled lines
    found in that turn at ``ORIENT_DPI``, or None when they decided nothing).

    Ruled lines first (forms), Tesseract OSD for the rest; 0 when neither can tell.
    ``image`` may be greyscale or binary, black ink on white.
    """
    binary = image if _is_binary(image) else binarize(image)
    by_rules = rule_orientation(binary, dpi)
    if by_rules is not None:
        return by_rules[0], by_rules[1]
    return osd_orientation(image, dpi) or 0, None


def orient(image: np.ndarray, dpi: int) -> tuple[int, np.ndarray]:
    """(clockwise rotation that makes the page upright, the upright image)."""
    rotation, _ = orientation(image, dpi)
    return rotation, rotate(image, rotation)


# -- fax header ---------------------------------------------------------------------------

def top_band(image: np.ndarray, dpi: int) -> np.ndarray:
    """The strip across the top where fax machines print their header line: its first line
    of writing within ``HEADER_IN``, or, when that much is blank (a machine that prints its
    header lower, a page that slid down), within ``LOW_HEADER_IN``; the blank strip itself
    when there is none. Dots of line noise are wiped first.

    Take it from the page *as received*: the sending machine prints its header on top of the
    transmitted image, so it stays at the top even when the paper went in upside down.
    """
    band = despeckle(image[: max(1, round(LOW_HEADER_IN * dpi))], dpi, max_area=SPECK_PX,
                     near_in=0)
    top = band[: max(1, round(HEADER_IN * dpi))]
    line = first_line(top) or first_line(band)
    return band[line] if line else top


def first_line(band: np.ndarray) -> slice | None:
    """The rows of the first line of writing in ``band``, with a little paper around it; None
    when there is none. Tesseract reads a strip as one line (psm 7): the top of the form
    peeking in under the header turned "Feb 13 2026 03:46PM" into "Teb 13 a 03:467M".
    Runs of inked rows lower than ``MIN_LINE_PX`` (specks, a streak's end) are not a line."""
    h, w = band.shape
    inked = (band < 128).sum(axis=1) >= max(3, 0.003 * w)
    y = 0
    while y < h:
        if not inked[y]:
            y += 1
            continue
        top = end = y
        while end + 1 < h and inked[end + 1: end + 1 + LINE_GAP_PX].any():
            end += 1
        if end - top + 1 >= MIN_LINE_PX:
            return slice(max(0, top - 3), min(h, end + 4))
        y = end + 1
    return None
