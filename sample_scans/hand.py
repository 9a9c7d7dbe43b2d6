"""Handwriting and signatures for the sample generator.

A *writer* is a person in a plan (a parent, a provider, a staff member). Each writer gets a
stable hand from the seed: a handwriting font, a size, a slant, how much each glyph wobbles
and how far the baseline wanders, how heavy the pen is. ``write`` draws text in that hand one
glyph at a time, so two "7"s by the same writer are never identical pixels.

Wet signatures are not a font: ``sign`` draws a pen path (a capital loop, a run of cursive
humps, sometimes an underline flourish) with varying pressure, shaped by the writer's name so
the same person signs alike each time. Electronic signatures (``electronic``) are what e-sign
tools stamp: a typed name, "/s/ Name", a "DocuSigned by:" block, an "Electronically signed"
line.

Everything returns an ink mask: ``uint8`` array, 0 = paper, 255 = full ink. ``render``
composites masks onto the page in its pen colour.

The handwriting fonts are split into two disjoint pools by family (``pool``): readers are
trained on ``train`` hands and measured on ``heldout`` ones, so a score on held-out hands says
something about handwriting the reader has never seen.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")]

# Handwriting fonts from Debian packages (scripts/debian-packages.txt): name -> file name.
HANDWRITING_FONTS = {
    "dkg": "dkg.ttf", "dkgIt": "dkgIt.ttf", "Breip": "Breip.ttf", "Humor-Sans": "Humor-Sans.ttf",
    "SteveHand": "SteveHand.ttf", "Rufscript": "Rufscript010.ttf",
    "KleeOne": "KleeOne-Regular.ttf", "KleeOne-SemiBold": "KleeOne-SemiBold.ttf",
    "BecauseWeBuild": "BecauseWeBuild-Regular.otf", "BecauseWeCreate": "BecauseWeCreate-Regular.otf",
    "BecauseWeLearn": "BecauseWeLearn-Regular.otf",
    "BecauseWeOrganize": "BecauseWeOrganize-Regular.otf",
    # held out (see HELDOUT): never used to train or tune a reader
    "Delphine": "Delphine.ttf", "Kristi": "Kristi.ttf",
    "BecauseWeConnect": "BecauseWeConnect-Regular.otf",
    "BecauseWeMentor": "BecauseWeMentor-Regular.otf",
    "ComicNeue": "ComicNeue-Regular.otf", "ComicNeue-Light": "ComicNeue-Light.otf",
    "ComicNeue-Italic": "ComicNeue-Italic.otf", "femkeklaver": "femkeklaver.ttf",
}
# Whole families are held out, so a held-out hand is not a sibling weight of a training one.
HELDOUT = ("Delphine", "Kristi", "BecauseWeConnect", "BecauseWeMentor", "ComicNeue",
           "ComicNeue-Light", "ComicNeue-Italic", "femkeklaver")


def pool(name: str) -> list[str] | None:
    """Font names of a pool: ``all`` (None: every font), ``train`` or ``heldout``."""
    if name == "all":
        return None
    if name == "heldout":
        return list(HELDOUT)
    if name == "train":
        return [n for n in HANDWRITING_FONTS if n not in HELDOUT]
    raise ValueError(f"unknown font pool {name!r}")


@cache
def font_file(name: str) -> Path:
    """An installed font by ``HANDWRITING_FONTS`` name or file name, or a font file's path
    (the training hands of ``train.webfonts``)."""
    if Path(name).is_absolute() and Path(name).is_file():
        return Path(name)
    filename = HANDWRITING_FONTS.get(name, name)
    for root in FONT_DIRS:
        found = sorted(root.rglob(filename))
        if found:
            return found[0]
    raise FileNotFoundError(f"font {filename} is not installed (make setup installs it)")


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def typeface(size: int, bold: bool = False, serif: bool = False, italic: bool = False):
    """Liberation (metric twins of Helvetica/Times): the system print and typed values."""
    family = "LiberationSerif" if serif else "LiberationSans"
    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
             (True, True): "BoldItalic"}[(bold, italic)]
    return _font(str(font_file(f"{family}-{style}.ttf")), max(4, int(size)))


def _stable(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class Hand:
    """How one writer writes."""
    font: str            # HANDWRITING_FONTS name
    size: float          # glyph size as a fraction of the box height
    slant: float         # horizontal shear (positive leans right)
    wobble: float        # per-glyph rotation, degrees (standard deviation)
    drift: float         # per-glyph baseline jitter, fraction of the glyph size
    spacing: float       # extra advance between glyphs, fraction of the glyph size
    weight: int          # 0 thin pen, 1 normal, 2 felt-tip (dilation)
    ink: int             # pen darkness on the grey page (0 black .. 110 light blue ballpoint)


class HandBook:
    """The hands of every writer for one seed, drawn from a font pool."""

    def __init__(self, seed: int, fonts: list[str] | None = None):
        self.seed = seed
        self.fonts = sorted(fonts if fonts is not None else HANDWRITING_FONTS)

    def hand(self, writer: str) -> Hand:
        r = _stable(self.seed, "hand", writer)
        return Hand(font=r.choice(self.fonts), size=r.uniform(0.62, 0.86),
                    slant=r.uniform(-0.12, 0.3), wobble=r.uniform(1.0, 5.0),
                    drift=r.uniform(0.02, 0.09), spacing=r.uniform(-0.04, 0.1),
                    weight=r.choice([0, 1, 1, 1, 2]), ink=r.choice([10, 30, 50, 70, 90]))

    # -- handwriting -----------------------------------------------------------------------
    def write(self, text: str, writer: str, width: int, height: int, rng: random.Random,
              overrun: bool = False) -> np.ndarray:
        """``text`` in ``writer``'s hand fitted into a ``width`` x ``height`` box (a mask the
        size of the box; with ``overrun`` the ink may spill past the right and bottom edge,
        so the mask is larger than the box)."""
        hand = self.hand(writer)
        size = max(8, height * hand.size * rng.uniform(0.9, 1.08))
        font = _font(str(font_file(hand.font)), int(size))
        glyphs = [self._glyph(ch, hand, size, rng) for ch in text]
        advance = [font.getlength(ch) + size * (hand.spacing + rng.uniform(-0.03, 0.03))
                   if ch != " " else size * 0.35 for ch in text]
        line_w = int(sum(advance) + size)
        canvas = np.zeros((int(size * 1.9), max(line_w, 1)), np.uint8)
        pad = int(size * 0.6)                               # _glyph's margin
        x, top = size * 0.1, size * 0.2
        for ch, glyph, step in zip(text, glyphs, advance):
            if ch != " ":
                y = int(top - pad + rng.gauss(0, hand.drift * size))
                _paste_max(canvas, glyph, int(x) - pad, y)
            x += step
        canvas = _trim(canvas)
        if canvas.size == 0:
            return np.zeros((height, width), np.uint8)
        return _fit(canvas, width, height, rng, overrun)

    def _glyph(self, ch: str, hand: Hand, size: float, rng: random.Random) -> np.ndarray:
        font = _font(str(font_file(hand.font)), int(size))
        pad = int(size * 0.6)
        left, top, right, bottom = font.getbbox(ch)
        w, h = max(1, right) + 2 * pad, int(size * 1.4) + 2 * pad
        img = Image.new("L", (w, h), 0)
        ImageDraw.Draw(img).text((pad, pad), ch, font=font, fill=255)
        shear = hand.slant + rng.gauss(0, 0.04)
        img = img.transform(img.size, Image.AFFINE, (1, shear, -shear * h * 0.6, 0, 1, 0),
                            resample=Image.BILINEAR)
        img = img.rotate(rng.gauss(0, hand.wobble), resample=Image.BILINEAR)
        mask = np.asarray(img)
        if hand.weight == 2:
            mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        elif hand.weight == 0:
            mask = (mask * 0.85).astype(np.uint8)
        return mask

    # -- signatures -------------------------------------------------------------------------
    def sign(self, name: str, writer: str, width: int, height: int,
             rng: random.Random) -> np.ndarray:
        """A wet signature: synthesised pen strokes shaped by the signer, never a font."""
        shape = _stable(self.seed, "signature", writer, name)
        w, h = width * 2, height * 2                       # draw at 2x, then downsample
        canvas = np.zeros((h, w), np.float32)
        pen = max(2.0, h * shape.uniform(0.025, 0.05))
        length = shape.uniform(0.45, 0.9) * w
        x0, mid = w * shape.uniform(0.03, 0.15), h * shape.uniform(0.5, 0.65)
        amp = h * shape.uniform(0.22, 0.38)
        humps = max(4, int(len(name) * shape.uniform(0.5, 0.9)))
        slant = shape.uniform(0.1, 0.5)
        points = []
        # capital: a tall loop
        cap_h = h * shape.uniform(0.3, 0.45)
        for t in np.linspace(0, 2 * math.pi, 40):
            points.append((x0 + cap_h * 0.35 * math.sin(t) + slant * cap_h * (1 - math.cos(t)) / 2,
                           mid - cap_h * (1 - math.cos(t)) / 2))
        # cursive humps with varying height; a second capital part-way for two-word names
        second = len(name.split()) > 1 and shape.random() < 0.7
        step = length / humps / (2 * math.pi)              # trochoid: loops where loop > 1
        loop = shape.uniform(0.6, 1.8)
        heights = [shape.choice([0.45, 0.6, 0.8, 1.0, 1.3]) for _ in range(humps)]
        for t in np.linspace(0, humps * 2 * math.pi, humps * 20):
            x = x0 + cap_h * 0.3 + step * (t + loop * math.sin(t))
            a = amp * heights[min(int(t / (2 * math.pi)), humps - 1)]
            if second and abs(t - humps * math.pi) < math.pi:
                a *= 2.2
            y = mid - a * (1 - math.cos(t)) / 2 + rng.gauss(0, h * 0.006)
            points.append((x + slant * (mid - y) * 0.5, y))
        strokes = [points]
        if shape.random() < 0.5:                          # underline flourish
            y = mid + h * shape.uniform(0.08, 0.2)
            xs = np.linspace(x0, x0 + length * shape.uniform(0.7, 1.1), 30)
            strokes.append([(x, y + h * 0.04 * math.sin(k / 5)) for k, x in enumerate(xs)])
        jitter = rng.uniform(-0.04, 0.04)
        for stroke in strokes:
            for (xa, ya), (xb, yb) in zip(stroke, stroke[1:]):
                thick = pen * (0.6 + 0.6 * abs(math.sin((xa + ya) / (w * 0.07))))
                cv2.line(canvas, (int(xa), int(ya * (1 + jitter))), (int(xb), int(yb * (1 + jitter))),
                         1.0, max(1, int(round(thick))), cv2.LINE_AA)
        mask = (np.clip(canvas, 0, 1) * 255).astype(np.uint8)
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA)
        return mask

    def electronic(self, name: str, variant: str, width: int, height: int,
                   rng: random.Random, signed: str = "") -> np.ndarray:
        """An electronic signature as e-sign tools and word processors put it on the page."""
        img = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(img)
        if variant == "typed":
            font = typeface(height * 0.5, serif=rng.random() < 0.5, italic=rng.random() < 0.5)
            draw.text((width * 0.04, height * 0.2), name, font=font, fill=255)
        elif variant == "slash_s":
            draw.text((width * 0.04, height * 0.25), f"/s/ {name}",
                      font=typeface(height * 0.45), fill=255)
        elif variant == "docusign":
            small = typeface(height * 0.2)
            draw.text((width * 0.05, height * 0.02), "DocuSigned by:", font=small, fill=255)
            draw.line([(width * 0.03, height * 0.12), (width * 0.03, height * 0.95)], fill=255,
                      width=max(1, height // 30))
            draw.line([(width * 0.03, height * 0.12), (width * 0.08, height * 0.12)], fill=255,
                      width=max(1, height // 30))
            script = _font(str(font_file(self.hand(f"docusign:{name}").font)), int(height * 0.42))
            draw.text((width * 0.07, height * 0.24), name, font=script, fill=255)
            code = hashlib.sha1(name.encode()).hexdigest()[:16].upper()
            draw.text((width * 0.05, height * 0.76), code, font=small, fill=255)
        elif variant == "esigned":
            font = typeface(height * 0.26)
            draw.text((width * 0.03, height * 0.12), f"Electronically signed by {name}",
                      font=font, fill=255)
            draw.text((width * 0.03, height * 0.5), signed or "", font=font, fill=255)
        else:
            raise ValueError(f"unknown electronic signature variant {variant!r}")
        return np.asarray(img)


def _paste_max(canvas: np.ndarray, glyph: np.ndarray, x: int, y: int) -> None:
    h, w = glyph.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    np.maximum(region, glyph[y0 - y:y1 - y, x0 - x:x1 - x], out=region)


def _trim(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask > 40)
    if len(xs) == 0:
        return mask[:0, :0]
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _fit(ink: np.ndarray, width: int, height: int, rng: random.Random,
         overrun: bool) -> np.ndarray:
    """Place written ink in a box: shrink to fit (people write smaller in small boxes), offset
    a little at random; with ``overrun`` let it run past the right and bottom edges."""
    h, w = ink.shape
    room_w, room_h = width * (1.25 if overrun else 0.92), height * (1.3 if overrun else 0.9)
    k = min(1.0, room_w / w, room_h / h)
    if k < 1.0:
        ink = cv2.resize(ink, (max(1, int(w * k)), max(1, int(h * k))),
                         interpolation=cv2.INTER_AREA)
        h, w = ink.shape
    out_w = max(width, w + 2) if overrun else width
    out_h = max(height, h + 2) if overrun else height
    out = np.zeros((out_h, out_w), np.uint8)
    slack_x = max(0, min(width, out_w) - w)
    slack_y = max(0, min(height, out_h) - h)
    x = int(slack_x * (rng.uniform(0.05, 0.6) if width > 3 * height else rng.uniform(0.25, 0.75)))
    y = int(slack_y * rng.uniform(0.3, 0.8))
    if overrun:
        x, y = max(0, width - w + int(width * 0.15)), max(0, height - h + int(height * 0.2))
        x, y = min(x, out_w - w), min(y, out_h - h)
    out[y:y + h, x:x + w] = ink
    return out
