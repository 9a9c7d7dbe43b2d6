"""Draw one planned page as a clean, upright greyscale image at 300 dpi.

The blank form comes from its layout (``extractors.forms``: text, lines, shaded boxes), drawn
in Liberation Sans, the metric twin of the Helvetica the state's forms use. Then each field's
ink from the plan: system values printed in the same plain typeface, typed values in a word
processor's fonts, handwriting and signatures from ``hand``. Pages that are not CCAP forms
(fax cover sheets, letters, W-9s) are drawn from ``DocumentPlan.other_text``.

Scanning, faxing and photographing happen later, in ``channels``.
"""
from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from extractors.forms import Field, load_form

from .hand import HandBook, typeface
from .model import DocumentPlan, Ink

DPI = 300
K = DPI / 72                  # pixels per layout point
LETTER = (612, 792)


def render_page(doc: DocumentPlan, page: int, rng: random.Random, hands: HandBook) -> Image.Image:
    """The page ``page`` of ``doc``, upright, as an 8-bit greyscale image at ``DPI``."""
    if doc.form == "other":
        return _other_page(doc, rng)
    layout = load_form(doc.form).page(page)
    img = Image.new("L", (round(layout.size[0] * K), round(layout.size[1] * K)), 255)
    draw = ImageDraw.Draw(img)
    for item in layout.static:
        _static(draw, item.kind, item.spec)
    page_ink = np.asarray(img).copy()
    for field in layout.fields:
        ink = doc.paper.get(field.name)
        if ink is not None:
            _field(page_ink, field, ink, rng, hands)
    return Image.fromarray(page_ink)


def _static(draw: ImageDraw.ImageDraw, kind: str, spec: dict) -> None:
    if kind == "text":
        font = typeface(spec.get("size", 8) * K, bold=spec.get("bold", False))
        anchor = {"left": "ls", "center": "ms", "right": "rs"}[spec.get("align", "left")]
        draw.text((spec["at"][0] * K, spec["at"][1] * K), spec["text"], font=font, fill=0,
                  anchor=anchor)
    elif kind == "line":
        (x0, y0), (x1, y1) = spec["from"], spec["to"]
        draw.line([(x0 * K, y0 * K), (x1 * K, y1 * K)], fill=0,
                  width=max(1, round(spec.get("width", 0.6) * K)))
    elif kind == "box":
        x0, y0, x1, y1 = (v * K for v in spec["box"])
        fill = spec.get("fill")
        draw.rectangle([x0, y0, x1, y1], fill=None if fill is None else round(fill * 255),
                       outline=0, width=max(1, round(spec.get("width", 0.6) * K)))


def _field(page: np.ndarray, field: Field, ink: Ink, rng: random.Random,
           hands: HandBook) -> None:
    """Put one field's ink on the page (in place)."""
    x0, y0, x1, y1 = field.box.scaled(K)
    w, h = x1 - x0, y1 - y0
    if ink.style == "grey":
        page[y0:y1, x0:x1] = np.minimum(page[y0:y1, x0:x1], 200)
        return
    if ink.text is None:
        return
    text = "X" if field.type == "mark" and ink.style != "hand" else ink.text
    if ink.style in ("print", "typed"):
        mask = _typed(text, w, h, field.box.width < 50, serif=ink.style == "typed" and
                      len(text) > 3 and rng.random() < 0.3)
        level = 0
    elif ink.style == "hand":
        mask = hands.write(text, ink.writer or "anon", w, h, rng, overrun=ink.overrun)
        level = hands.hand(ink.writer or "anon").ink
    elif ink.style == "wet":
        mask = hands.sign(text, ink.writer or text, w, h, rng)
        level = hands.hand(ink.writer or text).ink
    elif ink.style == "electronic":
        mask = hands.electronic(text, ink.variant or "typed", w, h, rng,
                                signed=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20"
                                       f"{rng.randint(22, 26)} {rng.randint(1, 12)}:"
                                       f"{rng.randint(0, 59):02d} PM")
        level = 0
    else:
        raise ValueError(f"unknown ink style {ink.style!r}")
    _composite(page, mask, x0, y0, level)


def _typed(text: str, w: int, h: int, centred: bool, serif: bool = False) -> np.ndarray:
    """Text in a plain typeface, as large as fits (at most 9 pt), vertically centred."""
    size = min(9 * K, h * 0.78)
    font = typeface(size, serif=serif)
    while size > 8 and font.getlength(text) > w - 4 * K:
        size *= 0.92
        font = typeface(size, serif=serif)
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    x = w / 2 if centred else 2 * K
    draw.text((x, h / 2), text, font=font, fill=255, anchor="mm" if centred else "lm")
    return np.asarray(img)


def _composite(page: np.ndarray, mask: np.ndarray, x: int, y: int, level: int) -> None:
    """Darken the page where the mask has ink, towards grey ``level`` (0 = black pen)."""
    h = min(mask.shape[0], page.shape[0] - y)
    w = min(mask.shape[1], page.shape[1] - x)
    if h <= 0 or w <= 0:
        return
    m = mask[:h, :w].astype(np.float32) / 255
    region = page[y:y + h, x:x + w].astype(np.float32)
    page[y:y + h, x:x + w] = np.minimum(region, 255 - m * (255 - level)).astype(np.uint8)


# -- pages that are not CCAP forms ---------------------------------------------------------------

def _other_page(doc: DocumentPlan, rng: random.Random) -> Image.Image:
    img = Image.new("L", (round(LETTER[0] * K), round(LETTER[1] * K)), 255)
    draw = ImageDraw.Draw(img)
    kind = doc.other_kind or "letter"
    body, big, small = typeface(11 * K), typeface(30 * K, bold=True), typeface(8 * K)
    y = 72 * K
    if kind == "cover":
        draw.text((72 * K, y), "FAX", font=big, fill=0)
        draw.text((72 * K, y + 40 * K), "COVER SHEET", font=typeface(16 * K, bold=True), fill=0)
        y += 100 * K
        for label, value in doc.other_text.items():
            draw.text((72 * K, y), f"{label}:", font=typeface(12 * K, bold=True), fill=0)
            draw.text((170 * K, y), value, font=body, fill=0)
            draw.line([(170 * K, y + 16 * K), (540 * K, y + 16 * K)], fill=0, width=2)
            y += 34 * K
        draw.text((72 * K, 700 * K), "CONFIDENTIALITY NOTICE: This facsimile contains "
                  "information intended only for the addressee.", font=small, fill=0)
    elif kind == "w9":
        draw.text((72 * K, y), "Form W-9", font=typeface(20 * K, bold=True), fill=0)
        draw.text((200 * K, y + 4 * K), "Request for Taxpayer Identification Number and "
                  "Certification", font=typeface(11 * K, bold=True), fill=0)
        y += 50 * K
        for label, value in doc.other_text.items():
            draw.rectangle([72 * K, y, 540 * K, y + 34 * K], outline=0, width=2)
            draw.text((76 * K, y + 3 * K), label, font=small, fill=0)
            draw.text((80 * K, y + 16 * K), value, font=body, fill=0)
            y += 40 * K
    else:
        head = doc.other_text.get("From", "")
        draw.text((72 * K, y), head, font=typeface(14 * K, bold=True), fill=0)
        y += 60 * K
        for label, value in doc.other_text.items():
            if label == "From":
                continue
            for line in _wrap(f"{value}", draw, body, 468 * K):
                draw.text((72 * K, y), line, font=body, fill=0)
                y += 16 * K
            y += 10 * K
    return img


def _wrap(text: str, draw: ImageDraw.ImageDraw, font, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])
