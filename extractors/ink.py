"""Ink analysis of one field crop: is anything written here, and what kind of mark is it?

Most boxes on a form are empty (a DCC-97 page has over 400 fields), so every crop is tested
for ink before anything is read. The test ignores what is not writing: the box's own ruled
border (long straight runs), fax specks (tiny blobs) and a light grey fill (binarised away).
Initials, marks and "is there a signature" are answered here without any OCR.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

MIN_INK_FRACTION = 0.004     # of the crop's area, after rules and specks are removed
MIN_STROKE_FRACTION = 0.22   # the tallest blob must be this share of the crop height ...
MIN_STROKE_PX = 6            # ... and at least this tall (200 dpi) ...
MAX_STROKE_NEEDED_PX = 14    # ... but never need to be taller than this (a small letter)
STREAK_GAP_PX = 7            # gaps of a dotted vertical streak down a fax that are bridged
STREAK_MIN_CROP_PX = 30      # crops lower than this are not searched for streaks
STREAK_WIDTH_PX = 3          # a streak is at most this wide ...
STREAK_LENGTH = 0.75         # ... and (across a box) runs through this share of the crop,
STREAK_FILL = 0.8            # inked along at most this share of it (dots; a pen's bar is solid)
STREAK_SLOPES = (-0.05, -0.04, -0.03, -0.02, -0.01, 0.01, 0.02, 0.03, 0.04, 0.05)  # tilts
STREAK_BAND_PX = 3           # ... of a line across, this many rows thick, ...
STREAK_COVER = 0.55          # ... with ink in this share of the columns (``without_tilted_streak``)
FAINT_DELTA = 35             # grey levels under a crop's own paper that a faint pen reaches
FAINT_INSET_PX = 4           # ... looked for this far inside the crop (clear of the box's edge)
SURE_PRESENT = 0.9           # writing the binary page shows this surely needs no second look
DOT_JOIN_PX = 5              # a thin pen a fax broke into specks: specks this close join ...
DOT_MIN_SPECKS = 10          # ... and a box holding this many specks ...
DOT_MIN_STROKE_PX = 8        # ... whose joined specks make a stroke this tall ...
DOT_MIN_INK_PX = 10          # ... of this many inked pixels may hold writing (``dotted``)
DOTTED_DOUBT = 0.6           # how sure such a box is still called empty
DOT_GRID = 4                 # specks lying in at most DOT_MAX_CELLS of a DOT_GRID x DOT_GRID
DOT_MAX_CELLS = 0.7          # grid over the box, and closer to their nearest neighbour than
DOT_MAX_SPREAD = 0.45        # this share of an even spread's spacing, lie along strokes
DOT_MAX_SPECKS = 600         # more specks than a pen leaves in a box: a dithered grey area
EDGE_COLUMNS = 2             # writing this close to a crop's side reaches it (``edge_pieces``)
EDGE_REACH = 0.6             # ... a piece within this share of the width from it may have
                             # come in from the neighbouring box
CHECKBOX_BORDER = 0.22       # share of a printed check box's side, each side, that is its frame
CHECKBOX_FILL = 0.06         # ink share of the frame's inside above which the box is marked
EDGE_PX = 2                  # a piece of line this close to the crop's edge, along it, ...
LINE_PX = 7                  # ... and at most this thick (a 5 px line after the 3x3 join) is
                             # the box's border
# What the raw certainty of a decision is worth, by group of field types: a table fitted on
# development sets by ``python -m train.ink`` (``judged``).
CALIBRATION_FILE = Path(__file__).parent / "models" / "ink.json"


@dataclass(frozen=True)
class Ink:
    """What the ink test saw in a crop."""
    fraction: float          # inked share of the crop, rules and specks removed
    tallest: int             # height of the tallest connected blob (pixels)
    blobs: int               # connected blobs that are not specks
    mask: np.ndarray         # the writing only (uint8 0/1), same size as the crop
    dotted: bool = False     # "absent", but specks that may be a pen broken up (``dotted``)

    @property
    def min_stroke(self) -> float:
        """How tall a blob must be to be writing: a share of a small box's height, but in a
        big box (a note) a line of ordinary handwriting is enough."""
        return max(MIN_STROKE_PX, min(MIN_STROKE_FRACTION * self.mask.shape[0],
                                      MAX_STROKE_NEEDED_PX))

    @property
    def present(self) -> bool:
        return self.fraction >= MIN_INK_FRACTION and self.tallest >= self.min_stroke

    @property
    def certainty(self) -> float:
        """How far the crop is from the present/absent boundary, as a confidence 0.5..1: both
        tests must be clear of their thresholds."""
        by_area = _apart(self.fraction, MIN_INK_FRACTION)                  # 0 at threshold
        by_height = _apart(max(self.tallest, 0.5), self.min_stroke)
        if self.fraction >= MIN_INK_FRACTION and self.tallest < self.min_stroke:
            margin = by_height                     # ink, but no stroke tall enough
        elif self.fraction < MIN_INK_FRACTION and self.tallest >= self.min_stroke:
            margin = by_area
        else:
            margin = min(by_area, by_height) if self.present else max(by_area, by_height)
        if self.dotted and not self.present:
            return min(_certainty(margin), DOTTED_DOUBT)
        return _certainty(margin)


def _apart(value: float, threshold: float) -> float:
    """How far ``value`` is from ``threshold``, on a log scale (0 at the threshold)."""
    return float(abs(np.log(max(value / threshold, 1e-3))))


def _certainty(margin: float) -> float:
    """A decision's distance from its threshold (``_apart``) as a confidence 0.5..0.999."""
    return float(min(0.999, 0.5 + margin / 3))


def remove_rules(ink: np.ndarray) -> np.ndarray:
    """Drop straight horizontal and vertical runs longer than most of the crop (box borders,
    underlines) and a dotted streak (``remove_streaks``) from a 0/1 ink mask."""
    h, w = ink.shape
    out = ink.copy()
    if w >= 8:
        bar = cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, w * 6 // 10), 1))
        horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, bar)
        out[horizontal > 0] = 0
    if h >= 8:
        bar = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, h * 7 // 10)))
        vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, bar)
        out[vertical > 0] = 0
    return remove_streaks(out)


def remove_streaks(ink: np.ndarray, strict: bool = False) -> np.ndarray:
    """Drop a dirty-glass streak from a 0/1 ink mask: a dotted line through the crop, down
    the page as it went through the fax. Across a box (a form faxed sideways, a landscape
    DCC-97) it must be thin, dotted and run through ``STREAK_LENGTH`` of the crop itself,
    since a written bar ("4", "5", "7") lies across a box too. Down a box the ink test also
    takes a line that only reaches the crop's edges (the box's own border broken by the
    fax); ``strict`` asks the same of it as across (a reader must keep a written "1").
    Where writing crosses a streak, the writing is kept."""
    out = ink
    if ink.shape[0] >= STREAK_MIN_CROP_PX:
        out = _without_streak(out, strict=strict)
    if ink.shape[1] >= STREAK_MIN_CROP_PX:
        out = _without_streak(out.T, strict=True).T
    return np.ascontiguousarray(out)


def without_tilted_streak(ink: np.ndarray) -> np.ndarray:
    """``ink`` (a 0/1 mask) without a thin line across the crop, straight or a little out of
    true: a fax's streak once the page was turned upright by its content, or what is left of
    the box's top or bottom border. For each of ``STREAK_SLOPES`` (and level) the crop is
    sheared so that such a line would lie level, and the band of ``STREAK_BAND_PX`` rows
    with ink in the most columns is found; when the best band has ink in ``STREAK_COVER`` of
    the columns, its ink is the line. Its dashes may lie further apart than
    ``_without_streak`` bridges, so this is asked only of ink that reads as nothing, or of
    specks in a box the ink test called empty (``dotted``)."""
    h, w = ink.shape
    best, found = 0.0, None
    for slope in (0.0, *STREAK_SLOPES):
        lift = int(np.ceil(abs(slope) * w))
        tilt = np.float32([[1, 0, 0], [slope, 1, lift if slope < 0 else 0]])
        sheared = cv2.warpAffine(ink, tilt, (w, h + lift), flags=cv2.INTER_NEAREST)
        band = cv2.dilate(sheared, np.ones((STREAK_BAND_PX, 1), np.uint8))
        cover = band.sum(axis=1) / w
        y = int(cover.argmax())
        if cover[y] > best:
            line = np.zeros_like(sheared)
            top = max(0, y - STREAK_BAND_PX // 2)
            line[top:y + STREAK_BAND_PX // 2 + 1] = sheared[top:y + STREAK_BAND_PX // 2 + 1]
            best, found = float(cover[y]), cv2.warpAffine(line, tilt, (w, h),
                                                          flags=cv2.INTER_NEAREST
                                                          | cv2.WARP_INVERSE_MAP)
    if found is None or best < STREAK_COVER:
        return ink
    found = cv2.dilate(found, np.ones((3, 1), np.uint8))      # the steps of the shear
    return ink & (found == 0)


def _without_streak(ink: np.ndarray, strict: bool) -> np.ndarray:
    """``ink`` without a dotted vertical line through most of its height: the gaps are
    bridged, and only a long line counts (bridging fills a letter's bowls too, so a shorter
    one could be a letter): 90 % of the height, or (``strict``) ``STREAK_LENGTH`` of it
    within the crop, no wider than a streak and dotted."""
    h = ink.shape[0]
    ink = np.ascontiguousarray(ink)
    bridged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE,
                               cv2.getStructuringElement(cv2.MORPH_RECT, (1, STREAK_GAP_PX)))
    if not strict:       # OpenCV erodes as if ink went on past the crop's edge
        streak = cv2.morphologyEx(bridged, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (1, h * 9 // 10))) > 0
    else:                # outside the crop is paper; a wide band is writing joined up
        line = cv2.getStructuringElement(cv2.MORPH_RECT, (1, round(h * STREAK_LENGTH)))
        streak = cv2.dilate(cv2.erode(bridged, line, borderType=cv2.BORDER_CONSTANT,
                                      borderValue=0), line)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(streak, connectivity=8)
        keep = np.zeros(count, bool)
        for i in range(1, count):
            x, y, w, h_i, _ = stats[i]
            if w > STREAK_WIDTH_PX + 1:
                continue                   # a band, not a line
            inked = ink[y:y + h_i, x:x + w].any(axis=1).mean()
            keep[i] = inked <= STREAK_FILL  # dotted; a pen's bar is solid
        streak = keep[labels]
    # where writing crosses the streak the ink is wider than the streak: keep it there
    wide = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (STREAK_WIDTH_PX + 1, 1)))
    out = ink.copy()
    out[streak & (wide == 0)] = 0
    return out


def measure(binary_crop: np.ndarray, dpi: int = 200) -> Ink:
    """Ink test of a black-on-white binary crop (0 ink, 255 paper)."""
    ink = (binary_crop < 128).astype(np.uint8)
    if ink.size == 0:
        return Ink(0.0, 0, 0, ink)
    ink = remove_rules(ink)
    # a thin pen through a fax breaks into dotted pieces: join near pieces before judging
    joined = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    speck = max(2, round(4 * (dpi / 200) ** 2))
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] > speck + 8        # + the dilation's ring
    for i in range(1, count):
        if keep[i] and _border_leftover(stats[i], ink.shape):
            keep[i] = False
    mask = (keep[labels] & (ink > 0)).astype(np.uint8)
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT][keep[1:]].max()) if keep[1:].any() else 0
    return Ink(float(mask.mean()), tallest, int(keep.sum()), mask)


def measure_faint(grey_crop: np.ndarray, dpi: int = 200) -> Ink:
    """The ink test of a grey crop by its own paper: a pixel ``FAINT_DELTA`` levels darker
    than the crop's paper (its 75th percentile) is ink. The page's binarisation sets one
    threshold for the whole page by the printed form's dark lines, and a light, thin pen (a
    pencil, an outline hand) falls under it and vanishes. Looked for ``FAINT_INSET_PX``
    inside the crop, where the box's anti-aliased border does not reach. (Dev sets 3131, 3232
    and 4242, scans, photos and e-mails: of 62 written boxes the page's binary called empty,
    60 were found; none of 24 700 empty boxes was called written.)"""
    h, w = grey_crop.shape
    k = FAINT_INSET_PX
    mask = np.zeros((h, w), np.uint8)
    if h <= 2 * k + MIN_STROKE_PX or w <= 2 * k + MIN_STROKE_PX:
        return Ink(0.0, 0, 0, mask)
    inner = grey_crop[k:h - k, k:w - k]
    paper = float(np.percentile(inner[::2, ::2], 75))     # a quarter of the pixels will do
    dark = inner < paper - FAINT_DELTA
    if dark.mean() < MIN_INK_FRACTION:                       # too little to be writing
        return Ink(0.0, 0, 0, mask)
    found = measure(np.where(dark, 0, 255).astype(np.uint8), dpi)
    mask[k:h - k, k:w - k] = found.mask
    return Ink(found.fraction, found.tallest, found.blobs, mask)


def second_look(found: Ink, grey_crop: np.ndarray, dpi: int = 200,
                doubt: bool = False) -> Ink:
    """``found`` (the ink test of the binary page), or the grey crop's own (``measure_faint``)
    where that finds writing the binary missed or only a doubtful piece of: the outline of a
    hollow initial leaves a blob just tall enough, and "present" that unsure is usually wrong
    (``judged`` turned two such initials over to "absent" on dev set 3232).

    With ``doubt``, the grey crop's own test is also taken when it calls the box empty less
    surely than the binary did: a light or hollow pen whose strokes each came out too short.
    Of the handwritten codes, times, dates and numbers the binary test called empty (bench
    held-out pool and dev set 7575, scans, photos and e-mails), the grey test was under 0.8
    sure for 30 written boxes (outlined "1"s and "2"s on two photographed PBFs and a scanned
    one, all called empty at 0.999) and 0.95 or more sure for all 13 870 empty ones."""
    if found.present and found.certainty >= SURE_PRESENT:
        return found
    faint = measure_faint(grey_crop, dpi)
    if faint.present and (not found.present or faint.certainty > found.certainty):
        return faint
    if doubt and not found.present and faint.certainty < found.certainty:
        return faint
    return found


def dotted(crop: np.ndarray) -> bool:
    """Whether a crop of a 1-bit page (a fax) that the ink test calls empty holds specks in
    a stroke: a light, thin pen that the fax broke into dots, each too small to be ink and
    too far from the next to join. Looked for ``FAINT_INSET_PX`` inside the crop, after the
    rules and a streak across it (``without_tilted_streak``) are removed; specks
    ``DOT_JOIN_PX`` apart join, and some joined piece must be as tall as a small stroke.
    Scattered fax noise rarely lines up so. (Dev sets 3131 and 3232,
    faxes, 16 089 handwritten code, time, date and number boxes the ink test called empty:
    of the 9 written ones it called empty surely, 5 hold such a stroke, and no surely empty
    box does; of all 16 046 empty ones, 2 do.) The specks must be ``DOT_MIN_SPECKS`` or more
    once joined, or before joining when they lie along strokes (``_specks_in_strokes``)."""
    h, w = crop.shape
    k = FAINT_INSET_PX
    if h <= 2 * k + DOT_MIN_STROKE_PX or w <= 2 * k + DOT_MIN_STROKE_PX:
        return False
    ink = without_tilted_streak(remove_rules((crop[k:h - k, k:w - k] < 128).astype(np.uint8)))
    joined = cv2.dilate(ink, np.ones((DOT_JOIN_PX, DOT_JOIN_PX), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if count - 1 < DOT_MIN_SPECKS and not _specks_in_strokes(ink):
        return False
    grown = DOT_JOIN_PX - 1                        # what the dilation added to each size
    strokes = [i for i in range(1, count)
               if stats[i, cv2.CC_STAT_HEIGHT] - grown >= DOT_MIN_STROKE_PX
               and stats[i, cv2.CC_STAT_WIDTH] - grown <= 0.8 * ink.shape[1]]
    return int(np.isin(labels, strokes)[ink > 0].sum()) >= DOT_MIN_INK_PX


def _specks_in_strokes(ink: np.ndarray) -> bool:
    """Whether ``DOT_MIN_SPECKS`` or more specks of a 0/1 mask lie along strokes rather than
    evenly over it: a pen the fax broke into dots further apart than ``DOT_JOIN_PX`` (a "43"
    in a narrow code box) against the dither of a box printed grey (a PBF's days past the
    month's end). Strokes leave part of the box clear (the specks fall in at most
    ``DOT_MAX_CELLS`` of a ``DOT_GRID`` grid's cells) and crowd their specks (the median
    distance to the nearest one is under ``DOT_MAX_SPREAD`` of what an even spread of as
    many would give). Dev sets 4343 and 3131, 21 400 handwritten fax boxes the ink test
    called empty: this finds 23 more of the 87 written ones (22 codes, a time) and 3 more of
    the 21 313 empty ones; 27 other empty boxes as speckled, most of them grey days past the
    month's end, are not taken for writing."""
    centres = cv2.connectedComponentsWithStats(ink, connectivity=8)[3][1:]
    if not DOT_MIN_SPECKS <= len(centres) <= DOT_MAX_SPECKS:
        return False
    h, w = ink.shape
    cells = {(min(int(x * DOT_GRID / w), DOT_GRID - 1), min(int(y * DOT_GRID / h), DOT_GRID - 1))
             for x, y in centres}
    if len(cells) > DOT_MAX_CELLS * DOT_GRID * DOT_GRID:
        return False
    apart = np.sqrt(((centres[:, None] - centres[None]) ** 2).sum(axis=-1))
    np.fill_diagonal(apart, np.inf)
    even = np.sqrt(h * w / len(centres))
    return float(np.median(apart.min(axis=1))) <= DOT_MAX_SPREAD * even


def edge_rows(mask: np.ndarray, side: str, columns: int = EDGE_COLUMNS) -> list[int]:
    """Rows in which the writing ``mask`` comes within ``columns`` of the crop's ``side``
    ("left" or "right")."""
    cols = mask[:, :columns] if side == "left" else mask[:, -columns:]
    return np.flatnonzero(cols.any(axis=1)).tolist()


def edge_pieces(mask: np.ndarray, side: str, columns: int = EDGE_COLUMNS
                ) -> list[tuple[np.ndarray, list[int]]]:
    """The connected pieces of the writing ``mask`` that come within ``columns`` of the
    crop's ``side`` and stay within ``EDGE_REACH`` of its width from it, each as (its
    pixels, the rows where it does): candidates for writing that came in from the
    neighbouring box."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8),
                                                               connectivity=8)
    w = mask.shape[1]
    out = []
    for i in range(1, count):
        x0 = stats[i, cv2.CC_STAT_LEFT]
        x1 = x0 + stats[i, cv2.CC_STAT_WIDTH]
        reaches = x0 < columns if side == "left" else x1 > w - columns
        near = x1 <= EDGE_REACH * w if side == "left" else x0 >= (1 - EDGE_REACH) * w
        if reaches and near:
            piece = labels == i
            out.append((piece, edge_rows(piece, side, columns)))
    return out


def _border_leftover(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a (dilated) blob is what is left of the box's own border rather than writing:
    thin and touching the crop's edge, or a short piece of line running along an edge (a
    border broken by the fax, too short for ``remove_rules``, that registration left just
    inside the crop)."""
    x, y, bw, bh, _ = stat
    h, w = shape
    touches = x == 0 or y == 0 or x + bw == w or y + bh == h
    if touches and min(bw, bh) <= 5:
        return True
    near_side = x <= EDGE_PX or x + bw >= w - EDGE_PX
    near_top = y <= EDGE_PX or y + bh >= h - EDGE_PX
    return bool((near_side and bw <= LINE_PX and bh >= 2 * bw)
                or (near_top and bh <= LINE_PX and bw >= 2 * bh))


def checked(binary_crop: np.ndarray, dpi: int = 200) -> tuple[bool, float]:
    """(marked, certainty) of a printed check box whose crop is the box itself: only the
    inside of its frame is measured. A fax redraws a thin frame ragged and thick, and what the
    rule removal leaves of it looked like a mark; the system's X fills the middle. (Dev sets
    3131, 3232 and 4242, every channel: 135 marked boxes had 0.23 or more of the inside
    inked, 1287 empty ones at most 0.03; the old test called 5 of those empty boxes marked.)
    Certainty is the distance from ``CHECKBOX_FILL``, as ``Ink.certainty`` measures it."""
    h, w = binary_crop.shape
    dy, dx = round(h * CHECKBOX_BORDER), round(w * CHECKBOX_BORDER)
    inside = measure(binary_crop[dy:h - dy, dx:w - dx], dpi).fraction
    return inside >= CHECKBOX_FILL, _certainty(_apart(inside, CHECKBOX_FILL))


def group_of(field_type: str, handwritten: bool) -> str | None:
    """Which table of ``judged`` a field's ink decision is worth looking up in: initials and
    marks (the decision is the value; printed check boxes are judged by ``checked``), printed
    boxes (an empty one is empty by the decision alone); handwritten boxes and signatures have
    readers of their own."""
    if field_type in ("initials", "mark"):
        return "mark"
    if not handwritten and field_type != "signature":
        return "printed"
    return None


@cache
def _calibration() -> dict:
    return json.loads(CALIBRATION_FILE.read_text())["table"] if CALIBRATION_FILE.exists() else {}


def judged(ink: Ink, group: str | None) -> tuple[bool, float]:
    """(written, probability that this is right) for a field of ``group`` (``group_of``)
    answered by the ink test alone. The fitted table says what the raw decision at its raw
    certainty is worth; a decision right less often than not is turned over. Without a group
    or a table entry the raw decision and certainty stand."""
    steps = _calibration().get(group or "", {}).get("present" if ink.present else "absent")
    if not steps:
        return ink.present, ink.certainty
    p = next((p for upper, p in steps if ink.certainty <= upper), steps[-1][1])
    return (ink.present, p) if p >= 0.5 else (not ink.present, 1 - p)
