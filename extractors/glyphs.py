"""Read one printed character (a DCC-97 weekday letter, a scheduled code) by template matching.

Tesseract is weak on a lone character in a small box (no context, no line to segment). The
state system prints these in a plain sans-serif, so a character is matched against templates
of the allowed characters drawn in Liberation Sans (Helvetica's metric twin): both are cut to
their ink's bounding box, scaled to the same height and compared by correlation. The margin
between the best and the second-best candidate is the confidence.
"""
from __future__ import annotations

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
            t = _normalised(np.asarray(img) > 127)
            if t is not None:
                out.append((ch, t))
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
    left to right (blobs overlapping in x are one character); confidence is the weakest."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8), 8)
    spans = sorted((stats[i, 0], stats[i, 0] + stats[i, 2], i) for i in range(1, count))
    groups: list[list] = []
    for x0, x1, i in spans:
        if groups and x0 < groups[-1][1] - 1:
            groups[-1][1] = max(groups[-1][1], x1)
            groups[-1][2].append(i)
        else:
            groups.append([x0, x1, [i]])
    text, confidence = "", 1.0
    for _, _, members in groups:
        char, conf = read_char(np.isin(labels, members), charset)
        text += char
        confidence = min(confidence, conf)
    return text, (confidence if text else 0.0)
