"""Read one printed character (a DCC-97 weekday letter, a scheduled code) by template matching,
and count the bars of a printed roman numeral (``numeral_stems``).

Tesseract is weak on a lone character in a small box (no context, no line to segment). The
state system prints these in a plain sans-serif, so a character is matched against templates
of the allowed characters drawn in Liberation Sans (Helvetica's metric twin): both are cut to
their ink's bounding box, scaled to the same height and compared by correlation. The margin
between the best and the second-best candidate is the confidence.
"""
from __future__ import annotations

import re
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = 32                                         # templates and crops are compared at SIZE px
FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"


def _normalised(mask: np.ndarray) -> np.ndarray | None:
    """The ink's bounding box scaled to SIZE high, centred on a SIZE x SIZE float canvas."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    cut = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    h, w = cut.shape
    width = max(1, min(SIZE, round(w * SIZE / h)))
    cut = cv2.resize(cut, (width, SIZE), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((SIZE, SIZE), np.float32)
    x = (SIZE - width) // 2
    canvas[:, x:x + width] = cut
    canvas = cv2.GaussianBlur(canvas, (5, 5), 1.2)
    canvas -= canvas.mean()
    norm = np.linalg.norm(canvas)
    return canvas / norm if norm else None


@cache
def _templates(charset: str) -> list[tuple[str, np.ndarray]]:
    out = []
    for path in (FONT, BOLD):
        font = ImageFont.truetype(path, 64)
        for ch in charset:
            img = Image.new("L", (96, 96), 0)
            ImageDraw.Draw(img).text((16, 8), ch, font=font, fill=255)
            drawn = np.asarray(img) > 127
            for variant in ([drawn, _footless(drawn)] if ch == "1" else [drawn]):
                t = _normalised(variant)
                if t is not None:
                    out.append((ch, t))
    return out


def _footless(one: np.ndarray) -> np.ndarray:
    """A "1" without its foot: Liberation draws one, Helvetica and Arial (what the state's
    forms print) do not, and a fax often drops a thin foot. The foot is the bottom rows
    wider than the stem."""
    widths = one.sum(axis=1)
    rows = np.nonzero(widths)[0]
    stem = int(np.median(widths[rows]))
    out = one.copy()
    for y in rows[::-1]:
        if widths[y] <= 1.5 * stem:
            break
        out[y] = False
    return out


def read_char(mask: np.ndarray, charset: str) -> tuple[str, float]:
    """(best character, confidence 0..1) for an ink mask (non-zero = ink) of one character."""
    crop = _normalised(mask > 0)
    if crop is None:
        return "", 0.0
    best: dict[str, float] = {}
    for ch, template in _templates(charset):
        score = float((crop * template).sum())
        best[ch] = max(best.get(ch, -1.0), score)
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    top, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = max(0.0, min(0.999, (score - 0.5) * 1.2 + (score - second) * 2.5))
    return top, confidence


def read_chars(mask: np.ndarray, charset: str) -> tuple[str, float]:
    """A short printed string (a code, a day count): its characters are the ink's blobs
    left to right (blobs overlapping in x are one character); confidence is the weakest.
    Blobs under ``SPECK_SHARE`` of the tallest blob's height are fax specks, not characters."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8), 8)
    if count < 2:
        return "", 0.0
    tallest = stats[1:, cv2.CC_STAT_HEIGHT].max()
    spans = sorted((stats[i, 0], stats[i, 0] + stats[i, 2], i) for i in range(1, count)
                   if stats[i, cv2.CC_STAT_HEIGHT] >= SPECK_SHARE * tallest)
    groups: list[list] = []
    for x0, x1, i in spans:
        if groups and x0 < groups[-1][1] - 1:
            groups[-1][1] = max(groups[-1][1], x1)
            groups[-1][2].append(i)
        else:
            groups.append([x0, x1, [i]])
    text, confidence = "", 1.0
    for x0, x1, members in groups:
        blob = np.isin(labels, members)
        for part in _digits_of(blob, x0, x1) if charset.isdigit() else [blob]:
            char, conf = read_char(part, charset)
            text += char
            confidence = min(confidence, conf)
    return text, (confidence if text else 0.0)


SPECK_SHARE = 0.4           # a blob lower than this share of the tallest is not a character
DIGIT_PITCH = 0.7           # printed digits stand about this many digit heights apart


def _digits_of(blob: np.ndarray, x0: int, x1: int) -> list[np.ndarray]:
    """A blob of digits run together (a fax joins "22"), cut apart: a digit is about 0.6 of
    its height wide, so a blob wider than one digit's pitch holds more than one. Each cut is
    made at the thinnest column near its share of the width (where the digits touch)."""
    ys = np.nonzero(blob.any(axis=1))[0]
    count = max(1, round((x1 - x0) / (DIGIT_PITCH * (ys[-1] - ys[0] + 1))))
    column_ink = blob.sum(axis=0)
    cuts = [x0]
    for share in np.linspace(x0, x1, count + 1)[1:-1]:
        reach = max(1, round((x1 - x0) / count / 4))
        near = range(max(cuts[-1] + 1, round(share) - reach), min(x1, round(share) + reach + 1))
        cuts.append(min(near, key=lambda x: (column_ink[x], abs(x - share)), default=round(share)))
    cuts.append(x1)
    parts = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        part = np.zeros_like(blob)
        part[:, a:b] = blob[:, a:b]
        parts.append(part)
    return parts


# A roman numeral at the end of printed text ("LICENSED TYPE II"): OCR drops or adds a bar
# of "II" on faxes, since the bars are all alike and only their number carries meaning.
NUMERAL_END = re.compile(r"(?<=\s)I{1,3}$")
STEM_COVER = 0.6            # a column is part of a bar when ink covers this much of the line
STEM_WIDTH = 0.35           # a bar is at most this many line heights wide


def numeral_stems(mask: np.ndarray) -> int | None:
    """How many upright bars end a printed line (an ink mask): 1 to 3, or None when the line
    does not end in bars standing apart after a word.

    Bars are counted, not recognised. The line's glyphs are the runs of columns with ink across
    its middle third (so serifs, which touch at top and bottom, do not join two bars); a glyph
    is a bar when it is narrow and at least one of its columns is inked over most of the line's
    height. Blank columns must stand before and between the bars: the two sides of a "D" are
    narrow and tall too, but its bowl joins them. Fax breaks in a bar and a sans or serif
    face count the same; an "H" (its crossbar crosses the middle) is one wide glyph."""
    ink = (mask > 0)
    profile = ink.sum(axis=1)
    if not profile.any():
        return None
    rows = np.nonzero(profile >= 0.1 * profile.max())[0]
    band = ink[rows.min():rows.max() + 1]
    height = band.shape[0]
    middle = band[height // 3: height - height // 3].any(axis=0).astype(np.int8)
    edges = np.diff(np.concatenate([[0], middle, [0]]))
    glyphs = list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))
    bars = 0
    for x0, x1 in reversed(glyphs):
        if x1 - x0 > STEM_WIDTH * height or \
                not (band[:, x0:x1].sum(axis=0) >= STEM_COVER * height).any():
            break
        bars += 1
    if not 1 <= bars <= 3 or bars == len(glyphs):
        return None                    # no bars, too many, or nothing before them
    for (_, left_end), (right_start, _) in zip(glyphs[-bars - 1:], glyphs[-bars:]):
        if band[:, left_end:right_start].any(axis=0).all():
            return None                # no blank column between: one letter's sides ("D")
    return bars
