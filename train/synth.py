"""Synthesised handwritten field crops, degraded the way the pipeline will see them.

A sample is one field box: text drawn by a generator hand (``sample_scans.hand``) into a box of
a real form's size at 300 dpi with the box's ruled border and its neighbours' lines around it,
then sent through one channel's damage (fax fine/normal, office scan, phone photo, born-digital),
brought to ~200 dpi as the pipeline's upright page is, and cut out the way the pipeline cuts a
field: a few pixels inside the printed box, with the registration a few pixels off, so border
fragments and neighbours' ink can show.

The damage copies the ideas of ``sample_scans.channels`` (threshold + speckle for faxes, every
other line for fax normal, paper tone + blur + JPEG for scans, low resolution + blur + light
fall-off for photos) in a form that works on one box at a time.

Real handwritten digits: with ``digits`` (a ``train.mnist.Digits``), ``make`` writes the
string's digits with MNIST glyphs (a random instance of each digit, scaled to the hand's digit
height with size, aspect, slant, stroke-weight and baseline jitter, variable gaps) while every
other character (':', '/', '-', 'am', letters) still comes from the hand's font; the box,
border and channel damage are the same as for font crops. Fonts have one shape per digit;
MNIST has hundreds of writers' shapes, which is what unseen hands need.

    python -m train.synth --kind time --n 8 --pool heldout --out /tmp/crops   # look at some
    python -m train.synth --kind date --n 8 --mnist heldback --out /tmp/crops  # MNIST digits
"""
from __future__ import annotations

import argparse
import random
import string
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from sample_scans.hand import HandBook, _fit, _font, _paste_max, _trim, font_file, pool

K300 = 300 / 72                 # pixels per point at 300 dpi (the generator's page)
K200 = 200 / 72                 # pixels per point on the pipeline's page

CODE_TABLE = ["1", "2", "40", "43", "45", "50", "55", "60", "65", "451", "452"]

# Box sizes (points) of the handwritten fields of each kind in extractors/forms layouts.
BOXES = {
    "code": [(15, 20), (15, 16), (28, 20)],
    "time": [(44, 38)],
    "date": [(180, 39), (134, 33), (124, 37), (136, 18), (146, 24)],
    "number": [(136, 18), (82, 18), (28, 20), (15, 20)],
    "text": [(136, 20), (332, 18), (136, 18)],
}

FIRST = ("Jayden Liam Olivia Emma Noah Ava Sophia Mason Isabella Elijah Mia Lucas Amelia Harper "
         "Aiden Ella Logan Chloe Grace Zoe Wyatt Levi Nora Riley Aubrey Brooklyn Carter Kinsley "
         "Easton Paisley Jaxon Bentley Kayden Addison Hunter Layla Owen Lily Caleb Hannah "
         "Dylan Kennedy Tucker Aaliyah Malik Dakota Ty Jo Eli Ana").split()
LAST = ("Lopez Smith Johnson Williams Brown Jones Miller Davis Garcia Wilson Anderson Taylor "
        "Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young "
        "Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Perez Roberts "
        "Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris Rogers Reed Cook "
        "Bell Murphy Bailey Cooper Howard Ward Cox Ng Fox Vu").split()


# -- what people write ---------------------------------------------------------------------------

def text_for(kind: str, r: random.Random) -> str:
    """A string as a person fills a ``kind`` box."""
    if kind == "code":
        if r.random() < 0.6:
            return r.choice(CODE_TABLE)
        return str(r.randint(0, 10 ** r.choice([1, 2, 2, 3, 3]) - 1))
    if kind == "time":
        return time_text(r)
    if kind == "date":
        return date_text(r)
    if kind == "number":
        n = r.choice([1, 2, 2, 7, 7, 7, 3, 4, 5, 6, 8, 9, 10])
        return "".join(r.choice(string.digits) for _ in range(n))
    if kind == "text":
        return name_text(r)
    raise ValueError(kind)


def time_text(r: random.Random) -> str:
    minute = r.choice([0, 0, 15, 30, 45, 5, 10, 20, 25, 35, 40, 50, 55]) if r.random() < 0.6 \
        else r.randint(0, 59)
    if r.random() < 0.2:                                  # a 24-hour clock
        hour = r.randint(0, 23)
        return f"{hour:02d}:{minute:02d}" if r.random() < 0.6 else f"{hour}:{minute:02d}"
    hour = r.randint(1, 12)
    half = r.choice("ap")
    suffix = r.choice([half, half, f" {half}", f"{half}m", f" {half}m", f"{half}m".upper(),
                       f" {half}m".upper(), half.upper(), f" {half}.m.", ""])
    sep = ":" if r.random() < 0.93 else "."
    hh = f"{hour:02d}" if r.random() < 0.12 else str(hour)
    if r.random() < 0.04 and minute == 0:                 # "7am"
        return f"{hh}{suffix.strip() or half}"
    return f"{hh}{sep}{minute:02d}{suffix}"


def date_text(r: random.Random) -> str:
    year = r.choice([r.randint(2019, 2027), r.randint(2019, 2027), r.randint(2008, 2030)])
    month, day = r.randint(1, 12), r.randint(1, 28 if r.random() < 0.7 else 31)
    while True:
        try:
            from datetime import date
            date(year, month, day)
            break
        except ValueError:
            day -= 1
    pad = r.random() < 0.35
    mm, dd = (f"{month:02d}", f"{day:02d}") if pad else (str(month), str(day))
    yy = f"{year % 100:02d}" if r.random() < 0.55 else str(year)
    sep = r.choice("/" * 14 + "-.")
    return f"{mm}{sep}{dd}{sep}{yy}"


def name_text(r: random.Random) -> str:
    if r.random() < 0.2:                                  # unseen names: random syllables
        name = "".join(r.choice(string.ascii_lowercase) for _ in range(r.randint(2, 9))).title()
    else:
        name = r.choice(FIRST)
    if r.random() < 0.7:
        name += " " + r.choice(LAST)
    return name.upper() if r.random() < 0.3 else name


# -- drawing a box on the page -------------------------------------------------------------------

@dataclass
class Sample:
    crop: np.ndarray            # grey uint8, white paper, as the pipeline cuts it
    text: str                   # what was written
    kind: str
    channel: str


def make(kind: str, r: random.Random, book: HandBook, writer: str | None = None,
         channel: str | None = None, text: str | None = None, empty: bool = False,
         digits=None, hollow: float = 0.0) -> Sample:
    """One degraded crop of a ``kind`` box written by ``writer`` (random when None); with
    ``digits`` (``train.mnist.Digits``) the text's digits are real MNIST handwriting; in
    ``hollow`` of the crops the strokes are drawn as outlines (``outline``)."""
    text = "" if empty else (text if text is not None else text_for(kind, r))
    wpt, hpt = r.choice(BOXES[kind])
    wpt *= r.uniform(0.92, 1.08)
    hpt *= r.uniform(0.92, 1.08)
    w, h = round(wpt * K300), round(hpt * K300)
    margin = round(10 * K300)
    page = np.full((h + 2 * margin, w + 2 * margin), 255.0, np.float32)
    _rules(page, margin, w, h, kind, r)
    if text:
        writer = writer or f"w{r.getrandbits(40):x}"
        overrun = r.random() < 0.06
        if digits is not None and any(c.isdigit() for c in text):
            mask = write_mnist(book, digits, text, writer, w, h, r, overrun=overrun)
        else:
            mask = book.write(text, writer, w, h, r, overrun=overrun)
        if hollow and r.random() < hollow:
            mask = outline(mask, r)
        level = book.hand(writer).ink
        mh, mw = min(mask.shape[0], page.shape[0] - margin), min(mask.shape[1], page.shape[1] - margin)
        m = mask[:mh, :mw].astype(np.float32) / 255
        region = page[margin:margin + mh, margin:margin + mw]
        np.minimum(region, 255 - m * (255 - level), out=region)
    if r.random() < 0.02:                                 # a stray pen mark near the border
        x, y = r.randint(0, w // 5), r.randint(0, h)
        cv2.line(page, (margin + x, margin + y), (margin + x + r.randint(3, 15), margin + y +
                 r.randint(-5, 5)), 60.0, 2)
    channel = channel or r.choices(["scan", "fax_fine", "fax_normal", "photo", "digital"],
                                   [35, 25, 18, 12, 10])[0]
    # residual skew after the pipeline's deskew
    angle = r.gauss(0, 0.4)
    if abs(angle) > 0.05:
        rot = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), angle, 1.0)
        page = cv2.warpAffine(page, rot, (page.shape[1], page.shape[0]),
                              flags=cv2.INTER_LINEAR, borderValue=255)
    g200 = degrade(page, channel, r)
    crop = cut(g200, margin * 200 / 300, w * 200 / 300, h * 200 / 300, r)
    return Sample(crop, text, kind, channel)


def outline(mask: np.ndarray, r: random.Random) -> np.ndarray:
    """Strokes drawn as their outline: a hollow or double-line hand (outlined "bubble"
    lettering, a felt pen gone dry in the middle, a fax's edge enhancement). The stroke is
    widened, then its inside is cleared, leaving a rim on each side."""
    ink = mask > 127
    if not ink.any():
        return mask
    ys = np.nonzero(ink.any(axis=1))[0]
    tall = ys[-1] - ys[0] + 1                              # the line's ink height
    rim = max(2, round(tall * r.uniform(0.03, 0.05)))      # each side's line
    grow = rim + max(1, round(tall * r.uniform(0.01, 0.04)))
    fat = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2))
    inside = cv2.erode(fat, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1,) * 2))
    return cv2.subtract(fat, inside)


def write_mnist(book: HandBook, digits, text: str, writer: str, width: int, height: int,
                r: random.Random, overrun: bool = False) -> np.ndarray:
    """``text`` as ``HandBook.write`` draws it (an ink mask fitted to the box), but each digit
    is a random MNIST instance sized to the hand's digits; other characters use the hand's
    font glyphs, placed on the same baseline."""
    hand = book.hand(writer)
    size = max(8, height * hand.size * r.uniform(0.9, 1.08))
    font = _font(str(font_file(hand.font)), int(size))
    _, d_top, _, d_bottom = font.getbbox("0")            # the font's digit band
    digit_h = max(6.0, (d_bottom - d_top) * r.uniform(0.85, 1.15))
    stretch = r.uniform(0.8, 1.25)                        # this writer's digits, wide or narrow
    weight = r.uniform(0.3, 0.7)                           # stroke: the threshold on MNIST grey
    if hand.weight == 0:
        weight += 0.1
    elif hand.weight == 2:
        weight -= 0.15
    pen = r.choices(["", "thin", "thick"], [70, 18, 12])[0]   # one pen for the whole string
    pad = int(size * 0.6)                                  # HandBook._glyph's margin
    top = size * 0.2
    pieces: list[tuple[np.ndarray, int, float]] = []       # glyph, paste y, advance
    for ch in text:
        if ch == " ":
            pieces.append((np.zeros((1, 1), np.uint8), 0, size * 0.35))
        elif ch.isdigit():
            glyph = mnist_glyph(digits.pick(ch, r), digit_h * r.uniform(0.93, 1.07),
                                stretch * r.uniform(0.92, 1.08), hand.slant + r.gauss(0, 0.05),
                                r.gauss(0, hand.wobble), weight + r.uniform(-0.05, 0.05), pen, r)
            bottom = top + d_bottom + r.gauss(0, hand.drift * size)
            gap = size * (0.06 + max(0.0, hand.spacing) + r.uniform(-0.03, 0.08))
            pieces.append((glyph, int(bottom - glyph.shape[0]), glyph.shape[1] + gap))
        else:
            glyph = book._glyph(ch, hand, size, r)
            y = int(top - pad + r.gauss(0, hand.drift * size))
            step = font.getlength(ch) + size * (hand.spacing + r.uniform(-0.03, 0.03))
            pieces.append((glyph, y, step))
    line_w = int(sum(step for _, _, step in pieces) + 2 * size)
    canvas = np.zeros((int(size * 2.4), max(line_w, 1)), np.uint8)
    x = size * 0.1 + pad
    for ch, (glyph, y, step) in zip(text, pieces):
        if ch.isdigit():
            _paste_max(canvas, glyph, int(x), y + pad)
        elif ch != " ":
            _paste_max(canvas, glyph, int(x) - pad, y + pad)
        x += step
    canvas = _trim(canvas)
    if canvas.size == 0:
        return np.zeros((height, width), np.uint8)
    return _fit(canvas, width, height, r, overrun)


def mnist_glyph(digit: np.ndarray, height: float, stretch: float, slant: float, turn: float,
                weight: float, pen: str, r: random.Random) -> np.ndarray:
    """One 28 x 28 MNIST digit (ink 255 on 0) as a pen glyph ``height`` pixels tall: cut to its
    ink, scaled (width by ``stretch``), sheared by ``slant``, turned ``turn`` degrees, and its
    soft grey strokes cut at ``weight`` (0..1; higher is a thinner pen); a ``thin`` pen is
    eroded, a ``thick`` one dilated."""
    ys, xs = np.nonzero(digit > 30)
    if len(xs) == 0:
        return np.zeros((max(1, int(height)), 1), np.uint8)
    ink = digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    k = height / ink.shape[0]
    w = max(2, int(round(ink.shape[1] * k * stretch)))
    h = max(2, int(round(height)))
    ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_CUBIC)
    m = max(2, int(h * 0.3))                               # room for the shear and the turn
    ink = cv2.copyMakeBorder(ink, m, m, m, m, cv2.BORDER_CONSTANT, value=0)
    hh, ww = ink.shape
    shear = np.float32([[1, -slant, slant * hh / 2], [0, 1, 0]])
    ink = cv2.warpAffine(ink, shear, (ww, hh), flags=cv2.INTER_LINEAR, borderValue=0)
    rot = cv2.getRotationMatrix2D((ww / 2, hh / 2), turn, 1.0)
    ink = cv2.warpAffine(ink, rot, (ww, hh), flags=cv2.INTER_LINEAR, borderValue=0)
    cut = 255 * min(0.72, max(0.1, weight))
    soft = 255 * 0.12
    ink = np.clip((ink - cut) / soft + 0.5, 0, 1)
    if pen == "thin":
        k = 1 + int(round(h * r.uniform(0.03, 0.06)))
        ink = cv2.erode(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    elif pen == "thick":
        k = 1 + int(round(h * r.uniform(0.01, 0.035)))
        ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    out = (ink * 255).astype(np.uint8)
    ys, xs = np.nonzero(out > 40)
    if len(xs) == 0:
        return np.zeros((h, 1), np.uint8)
    return out[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _rules(page: np.ndarray, m: int, w: int, h: int, kind: str, r: random.Random) -> None:
    """The printed box's border and, often, the lines of its neighbours."""
    thick = max(1, round(r.uniform(0.5, 1.0) * K300))
    style = r.random()
    if kind == "date" or kind == "text" or kind == "number":
        style = min(style, 0.9) if r.random() < 0.7 else 1.0
    if style < 0.85:                                      # a full rectangle (grid of boxes)
        cv2.rectangle(page, (m, m), (m + w, m + h), 0.0, thick)
        if r.random() < 0.6:                              # the grid goes on around it
            cv2.line(page, (0, m), (page.shape[1], m), 0.0, thick)
            cv2.line(page, (0, m + h), (page.shape[1], m + h), 0.0, thick)
        if r.random() < 0.5:
            cv2.line(page, (m, 0), (m, page.shape[0]), 0.0, thick)
            cv2.line(page, (m + w, 0), (m + w, page.shape[0]), 0.0, thick)
    else:                                                 # a signature-style line under it
        cv2.line(page, (0, m + h), (page.shape[1], m + h), 0.0, thick)


# -- a channel's damage ------------------------------------------------------------------------

def degrade(page: np.ndarray, channel: str, r: random.Random) -> np.ndarray:
    """``page`` (300 dpi float grey) as the pipeline's ~200 dpi uint8 grey after ``channel``."""
    g = np.random.default_rng(r.getrandbits(32))
    h, w = page.shape
    to200 = (max(1, round(w * 2 / 3)), max(1, round(h * 2 / 3)))
    if channel in ("fax_fine", "fax_normal"):
        grey = cv2.resize(page, (max(1, round(w * 204 / 300)), max(1, round(h * 196 / 300))),
                          interpolation=cv2.INTER_AREA)
        grey = grey + g.normal(0, r.uniform(8, 22), grey.shape)
        ink = grey < r.randint(120, 180)
        density = r.uniform(0.0, 0.002)
        ink |= g.random(ink.shape) < density
        ink &= ~(g.random(ink.shape) < density * 2)
        if channel == "fax_normal":                       # every other line, then doubled
            ink = np.repeat(ink[r.randint(0, 1)::2], 2, axis=0)[:grey.shape[0]]
        out = np.where(ink, 0.0, 255.0).astype(np.float32)
        out = cv2.resize(out, to200, interpolation=r.choice([cv2.INTER_NEAREST, cv2.INTER_AREA]))
        if r.random() < 0.5:                              # the pipeline may binarise again
            out = np.where(out < 128, 0.0, 255.0)
        return np.clip(out, 0, 255).astype(np.uint8)
    if channel == "scan":
        dpi = r.choice([200, 240, 300])
        a = cv2.resize(page, (round(w * dpi / 300), round(h * dpi / 300)),
                       interpolation=cv2.INTER_AREA) if dpi != 300 else page
        a = a * (r.uniform(225, 252) / 255) + g.normal(0, r.uniform(1, 4), a.shape)
        a = cv2.GaussianBlur(a, (3, 3), r.uniform(0.3, 0.9))
        a = _jpeg(a, r.randint(40, 75))
        return np.clip(cv2.resize(a, to200, interpolation=cv2.INTER_AREA), 0, 255).astype(np.uint8)
    if channel == "photo":
        k = r.uniform(0.5, 0.6)
        a = cv2.resize(page, (max(1, round(w * k)), max(1, round(h * k))),
                       interpolation=cv2.INTER_AREA)
        a = cv2.GaussianBlur(a, (0, 0), r.uniform(0.5, 1.1))
        yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]].astype(np.float32)
        light = r.uniform(0.75, 1.0) + r.uniform(-0.15, 0.15) * xx / a.shape[1] \
            + r.uniform(-0.15, 0.15) * yy / a.shape[0]
        a = a * light * r.uniform(0.85, 0.98) + g.normal(0, r.uniform(2, 6), a.shape)
        a = _jpeg(a, r.randint(70, 92))
        return np.clip(cv2.resize(a, to200, interpolation=cv2.INTER_CUBIC), 0, 255).astype(np.uint8)
    if channel == "digital":
        return np.clip(cv2.resize(page, to200, interpolation=cv2.INTER_AREA), 0, 255).astype(np.uint8)
    raise ValueError(f"unknown channel {channel!r}")


def _jpeg(a: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", np.clip(a, 0, 255).astype(np.uint8),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE).astype(np.float32)


def cut(g200: np.ndarray, margin: float, w: float, h: float, r: random.Random) -> np.ndarray:
    """The field box as the pipeline cuts it: inset a few pixels, registration a little off."""
    inset = r.uniform(1.5, 4)
    dx, dy = r.gauss(0, 1.6), r.gauss(0, 1.6)
    x0 = int(round(margin + inset + dx))
    y0 = int(round(margin + inset + dy))
    x1 = int(round(margin + w - inset + dx + r.gauss(0, 0.8)))
    y1 = int(round(margin + h - inset + dy + r.gauss(0, 0.8)))
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(g200.shape[1], max(x1, x0 + 4)), min(g200.shape[0], max(y1, y0 + 4))
    return g200[y0:y1, x0:x1].copy()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="time")
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--pool", default="train", choices=["train", "heldout"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/crops"))
    parser.add_argument("--mnist", choices=["train", "calib", "heldback"],
                        help="write the digits with MNIST digits of this part")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    r = random.Random(args.seed)
    book = HandBook(args.seed, fonts=pool(args.pool))
    digits = None
    if args.mnist:
        from train.mnist import Digits
        digits = Digits(args.mnist)
    for i in range(args.n):
        s = make(args.kind, r, book, digits=digits)
        name = f"{i:03d}_{s.channel}_{s.text.replace('/', '-').replace(' ', '_')}.png"
        cv2.imwrite(str(args.out / name), s.crop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
