"""Register an upright page image to a form layout by its ruled lines.

Every CCAP form is a grid of printed rules. After deskew, a fax, scan or photo differs from the
layout by a scale and a shift on each axis (fax machines stretch, crop and shift the page), so
registration is two 1-D problems: the profile of horizontal rules along y, and of vertical rules
along x, each matched against the same profiles drawn from the layout's static lines and boxes.
The best match score also tells which form page it is (see ``classify``).

    >>> fit = register(ink, load_form("DCC-94").page(1), dpi=200)
    >>> fit.box_px(field.box)      # where a layout box lands on this image
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from .forms import Box, Page, load_form

SCALES = np.concatenate([np.linspace(0.85, 0.925, 16), np.linspace(0.93, 1.07, 29),
                         np.linspace(1.075, 1.15, 16)])   # page scale to layout, per axis
USUAL = (0.93, 1.07)     # where faxed, scanned and photographed pages land; a fax machine or
                         # copier set to reduce (85-93 %) or enlarge lands outside, and then
RESIZED_SCORE = 0.8      # ... the fit must be this good: at 0.88 scale, cover sheets and
                         # letters of dev sets fit DCC-94 page 1 at 0.60-0.62 (forms at normal
                         # scale fit from 0.62 up), a DCC-94E reduced to 90 % fits at 0.94
MIN_RULE_IN = 0.35                        # a rule is at least this long (inches)
GAP_IN = 0.08                             # gaps in a dashed (faxed) rule closed before finding it
ACROSS_GAP_IN = 0.15    # ... along a rule across the page: a fax broke DCC-94 page 3's section
                        # boxes into dashes with wider gaps, and 4 of 525 pages (bench seed 90210,
                        # dev set 3131) were then fitted 0.3 page-heights off; none changed else
THIN_IN = 0.025                           # pieces of a rule are at most this thick
SMOOTH_PX = 2.0                           # profile smoothing (pixels at the working dpi)


@dataclass(frozen=True)
class Fit:
    """x_px = sx * x_pt * k + tx, y_px = sy * y_pt * k + ty, with k = dpi / 72."""
    sx: float
    tx: float
    sy: float
    ty: float
    score: float          # 0..1, how well the rules line up (mean of both axes)
    dpi: int

    def point(self, x: float, y: float) -> tuple[float, float]:
        k = self.dpi / 72
        return self.sx * x * k + self.tx, self.sy * y * k + self.ty

    def box_px(self, box: Box) -> tuple[float, float, float, float]:
        x0, y0 = self.point(box.x0, box.y0)
        x1, y1 = self.point(box.x1, box.y1)
        return x0, y0, x1, y1


def rule_masks(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rules of a binary ink image (ink > 0) by morphological opening."""
    length = max(3, int(MIN_RULE_IN * dpi))
    ink = (ink > 0).astype(np.uint8)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length // 2, 1), np.uint8))
    # a thin rule through a fax (204 x 98 dpi especially) comes out dashed: join the thin,
    # flat pieces (never letters, which are taller) along their line, and find rules again
    gap, thin = max(2, int(GAP_IN * dpi)), max(2, int(THIN_IN * dpi))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    flat = ((h <= thin) & (w >= 2 * h)).astype(np.uint8)
    upright = ((w <= thin) & (h >= 2 * w)).astype(np.uint8)
    flat[0] = upright[0] = 0
    across = max(2, int(ACROSS_GAP_IN * dpi))
    dashes = cv2.morphologyEx(flat[labels], cv2.MORPH_CLOSE, np.ones((3, across), np.uint8))
    horizontal |= cv2.morphologyEx(dashes, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    dashes = cv2.morphologyEx(upright[labels], cv2.MORPH_CLOSE, np.ones((gap, 3), np.uint8))
    vertical |= cv2.morphologyEx(dashes, cv2.MORPH_OPEN, np.ones((length // 2, 1), np.uint8))
    return horizontal, vertical


def _counts(mask: np.ndarray, axis: int) -> np.ndarray:
    """How many rule pixels each row (``axis`` 1) or column (``axis`` 0) of a mask holds."""
    return (mask > 0).sum(axis=axis).astype(np.float32)


def _profile(counts: np.ndarray, cap: float = np.inf) -> np.ndarray:
    """Rule pixel counts, each at most ``cap``, smoothed and scaled to unit length."""
    p = np.minimum(counts, cap)
    p = cv2.GaussianBlur(p.reshape(-1, 1), (0, 0), SMOOTH_PX).ravel()
    norm = np.linalg.norm(p)
    return p / norm if norm else p


@dataclass(frozen=True)
class Template:
    """A layout page's rules as ``_match`` compares them: the profile of its horizontal rules
    down the page (``y``) and of its vertical ones across it (``x``), and the most rule pixels
    one of its rows (``cap_y``) or columns (``cap_x``) can hold at the largest scale."""
    y: np.ndarray
    x: np.ndarray
    cap_y: float
    cap_x: float


@cache
def _template(form: str, page: int, dpi: int) -> Template:
    layout = load_form(form).page(page)
    k = dpi / 72
    w, h = round(layout.size[0] * k), round(layout.size[1] * k)
    canvas = np.zeros((h, w), np.uint8)
    thick = max(1, round(0.6 * k))
    for item in layout.static:
        spec = item.spec
        if item.kind == "line":
            (x0, y0), (x1, y1) = spec["from"], spec["to"]
            cv2.line(canvas, (round(x0 * k), round(y0 * k)), (round(x1 * k), round(y1 * k)), 255,
                     thick)
        elif item.kind == "box":
            x0, y0, x1, y1 = spec["box"]
            cv2.rectangle(canvas, (round(x0 * k), round(y0 * k)), (round(x1 * k), round(y1 * k)),
                          255, thick)
    rows, columns = (_counts(mask, axis) for mask, axis in zip(rule_masks(canvas, dpi), (1, 0)))
    return Template(_profile(rows), _profile(columns), float(rows.max()) * SCALES[-1],
                    float(columns.max()) * SCALES[-1])


def _match(page: np.ndarray, template: np.ndarray
           ) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The best (scale, shift, score) mapping template index i to page index scale * i +
    shift: among the ``USUAL`` scales, and among all ``SCALES``."""
    best = usual = (1.0, 0.0, -1.0)
    n = len(page)
    for s in SCALES:
        length = max(2, int(round(len(template) * s)))
        scaled = np.interp(np.arange(length) / s, np.arange(len(template)), template)
        scaled /= np.linalg.norm(scaled) or 1
        pad = np.zeros(n + 2 * length, np.float32)
        pad[length:length + n] = page
        corr = cv2.matchTemplate(pad.reshape(1, -1), scaled.astype(np.float32).reshape(1, -1),
                                 cv2.TM_CCORR).ravel()
        i = int(np.argmax(corr))
        found = (float(s), float(i - length), float(corr[i]))
        if found[2] > best[2]:
            best = found
        if USUAL[0] <= s <= USUAL[1] and found[2] > usual[2]:
            usual = found
    return usual, best


@dataclass(frozen=True)
class Rules:
    """Where an ink image's ruled lines lie: how many rule pixels each row holds (of its
    horizontal rules) and each column (of its vertical rules). Found once per image, then
    fitted to each candidate layout page (``fit``)."""
    y: np.ndarray
    x: np.ndarray
    dpi: int


def rules_of(ink: np.ndarray, dpi: int) -> Rules:
    horizontal, vertical = rule_masks(ink, dpi)
    return Rules(_counts(horizontal, 1), _counts(vertical, 0), dpi)


def fit(rules: Rules, page: Page) -> Fit:
    """Fit a layout page onto an image's ruled lines: at the usual scales, or at any of
    ``SCALES`` when that fits at least ``RESIZED_SCORE`` and better."""
    grid = min(page.number, len(load_form(page.form).pages))   # DCC-97 page N repeats page 1
    t = _template(page.form, grid, rules.dpi)
    # no row or column of the image counts for more than the layout's longest rule can: a
    # fax's streak down the whole page would otherwise outweigh every rule of a DCC-94
    (usual_y, any_y) = _match(_profile(rules.y, t.cap_y), t.y)
    (usual_x, any_x) = _match(_profile(rules.x, t.cap_x), t.x)
    (sy, ty, score_y), (sx, tx, score_x) = usual_y, usual_x
    resized = (any_x[2] + any_y[2]) / 2
    if resized >= RESIZED_SCORE and resized > (score_x + score_y) / 2:
        (sy, ty, score_y), (sx, tx, score_x) = any_y, any_x
    return Fit(sx, tx, sy, ty, (score_x + score_y) / 2, rules.dpi)


def register(ink: np.ndarray, page: Page, dpi: int) -> Fit:
    """Fit a layout page onto a binary ink image (upright, deskewed, ``dpi`` pixels per inch)."""
    return fit(rules_of(ink, dpi), page)


def candidate_pages(landscape: bool) -> list[Page]:
    """The layout pages an upright image of this orientation may be."""
    pages = []
    for form_name in ("DCC-94", "DCC-97", "DCC-94E"):
        form = load_form(form_name)
        pages.extend(p for p in form.pages if p.landscape == landscape)
    return pages
