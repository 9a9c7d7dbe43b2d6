"""Turn clean page images into the files the gateways deliver.

Each channel copies what its real machine does to paper:

* ``fax_fine`` / ``fax_normal``: the sender's machine feeds the sheet (maybe sideways or upside
  down, a little skewed), scans it at 204 x 196 or 204 x 98 dpi, thresholds it to 1 bit, adds
  speckle, prints its header line across the top band, and the receiving gateway stores a
  multi-page TIFF (Group 4 for fine, Group 3 for normal; non-square pixels kept as sent).
* ``scan_pdf``: an office scanner, greyscale at 200-300 dpi, paper tone and sensor noise, JPEG
  compressed inside a PDF with no text layer.
* ``digital_pdf``: a form filled on a computer and saved as PDF (reportlab): system and typed
  values are real text (a text layer), handwriting and signatures pasted in as images.
* ``photo``: a phone picture of one page on a table: perspective, uneven light, background.
* ``email``: an ``.eml`` message with the scanned pages attached as a PDF.

Gateways that know when they received a file write a sidecar ``FILE.json`` with
``received_at``, ``channel`` and ``sender``.
"""
from __future__ import annotations

import hashlib
import io
import json
import random
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from extractors.forms import Box, load_form

from .hand import HandBook, typeface
from .model import SubmissionPlan
from .render import DPI, K

DCC_FAX = "5025732007"          # the DCC fax number on the forms (page 3)
FAX_WIDTH = 1728                # pixels across a fax line (ITU-T T.4, letter/A4 at 204 dpi)


def _phone(number: str, style: int) -> str:
    a, b, c = number[:3], number[3:6], number[6:]
    return [f"{a} {b} {c}", f"({a}) {b}-{c}", f"+1 {a}-{b}-{c}", number][style % 4]


# Fax header lines, as machines of different makes print them. Each takes the sent time,
# sender number and name, page number and page count.
FAX_HEADER_FORMATS = [
    lambda t, num, name, n, m: (f"{t:%b-%d-%Y %H:%M}".upper() + f"  {name}  {_phone(num, 0)}"
                                f"  TO {DCC_FAX}  P.{n:03d}/{m:03d}"),
    lambda t, num, name, n, m: f"{t:%m/%d/%Y %H:%M} FAX {num} {name} PAGE {n:02d}/{m:02d}",
    lambda t, num, name, n, m: (f"{t.day} {t:%b %Y} {t:%I:%M%p}".lstrip("0") +
                                f" From:{_phone(num, 2)} To:{DCC_FAX} p.{n}/{m}"),
    lambda t, num, name, n, m: f"{t:%b %d %Y %I:%M%p}  {name}  {_phone(num, 1)}  Page {n} of {m}",
    lambda t, num, name, n, m: f"{t:%Y-%m-%d %H:%M} FROM {num} P {n}/{m}",
]


@dataclass
class Written:
    paths: list[Path]                   # the delivered file first, then its sidecar if any
    fax_headers: list[str | None]       # the header line printed on each page, if any


def write(plan: SubmissionPlan, images: list[Image.Image], out: Path, rng: random.Random,
          hands: HandBook) -> Written:
    """Write ``plan``'s file (and sidecar) under ``out`` from its upright page images."""
    headers: list[str | None] = [None] * len(images)
    if plan.channel in ("fax_fine", "fax_normal"):
        path = out / f"{plan.name}.tif"
        headers = _fax(plan, images, path, rng)
    elif plan.channel == "scan_pdf":
        path = out / f"{plan.name}.pdf"
        path.write_bytes(_scan_pdf(plan, images, rng))
    elif plan.channel == "digital_pdf":
        path = out / f"{plan.name}.pdf"
        path.write_bytes(_digital_pdf(plan, rng, hands))
    elif plan.channel == "photo":
        if len(images) != 1:
            raise ValueError(f"{plan.name}: a photo shows one page, the plan has {len(images)}")
        path = out / f"{plan.name}.{'png' if rng.random() < 0.1 else 'jpg'}"
        _photo(_as_delivered(images[0], plan.pages[0].rotation, plan.pages[0].skew), path, rng)
    elif plan.channel == "email":
        path = out / f"{plan.name}.eml"
        path.write_bytes(_email(plan, _scan_pdf(plan, images, rng)))
    else:
        raise ValueError(f"unknown channel {plan.channel!r}")
    paths = [path]
    if plan.sidecar and plan.received_at is not None:
        sidecar = path.with_name(path.name + ".json")
        sidecar.write_text(json.dumps({"received_at": plan.received_at.isoformat(),
                                       "channel": plan.channel, "sender": plan.sender},
                                      indent=1) + "\n")
        paths.append(sidecar)
    return Written(paths, headers)


def _as_delivered(img: Image.Image, rotation: int, skew: float) -> Image.Image:
    """The page as it went through the machine: turned so that a clockwise turn of
    ``rotation`` makes it upright, and skewed by ``skew`` degrees counter-clockwise."""
    if rotation:
        img = img.rotate(rotation, expand=True)          # PIL turns counter-clockwise
    if skew:
        img = img.rotate(skew, resample=Image.BILINEAR, expand=False, fillcolor=255)
    return img


# -- fax --------------------------------------------------------------------------------------

def _fax(plan: SubmissionPlan, images: list[Image.Image], path: Path,
         rng: random.Random) -> list[str]:
    fine = plan.channel == "fax_fine"
    ydpi = 196 if fine else 98
    style = plan.fax_header_format if plan.fax_header_format is not None else 0
    fmt = FAX_HEADER_FORMATS[style % len(FAX_HEADER_FORMATS)]
    sent = plan.received_at or datetime(2022, 1, 1)
    machine = random.Random(f"{plan.sender}:machine")   # one machine, one set of habits
    threshold = machine.randint(120, 175)
    speckle = machine.uniform(0.0002, 0.0015)
    frames, headers = [], []
    for n, (img, page) in enumerate(zip(images, plan.pages), 1):
        sheet = _on_letter(_as_delivered(img, page.rotation, page.skew), rng)
        grey = cv2.resize(np.asarray(sheet), (FAX_WIDTH, round(11 * 196)),
                          interpolation=cv2.INTER_AREA).astype(np.float32)
        grey += np.random.default_rng(rng.getrandbits(32)).normal(0, 18, grey.shape)
        header = fmt(sent, plan.sender, plan.sender_name, n, len(images))
        headers.append(header)
        ink = grey < threshold
        _speckle(ink, speckle, rng)
        ink[:34, :] = False                                # the header band is printed over
        ink[:34, :] |= _header_strip(header, ink.shape[1], 34)
        if not fine:                                       # normal mode: every other line
            ink = cv2.resize(ink.astype(np.uint8), (FAX_WIDTH, ink.shape[0] // 2),
                             interpolation=cv2.INTER_NEAREST).astype(bool)
        frames.append(Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).convert("1"))
    frames[0].save(path, save_all=True, append_images=frames[1:],
                   compression="group4" if fine else "group3", dpi=(204, ydpi))
    return headers


def _on_letter(img: Image.Image, rng: random.Random) -> Image.Image:
    """Lay a page on the fax's letter-size scan area (portrait), shrinking a landscape page
    fed the long way, shifted a little as a sheet feeder does."""
    width, height = round(8.5 * DPI), round(11 * DPI)
    k = min(1.0, width / img.width, height / img.height)
    if k < 1.0:
        img = img.resize((round(img.width * k), round(img.height * k)), Image.BILINEAR)
    sheet = Image.new("L", (width, height), 255)
    dx = (width - img.width) // 2 + rng.randint(-25, 25)
    dy = (height - img.height) // 2 + rng.randint(-20, 30)
    sheet.paste(img, (dx, dy))
    return sheet


def _speckle(ink: np.ndarray, density: float, rng: random.Random) -> None:
    """Scanner dust and line noise: isolated black specks, small clumps, white dropouts."""
    g = np.random.default_rng(rng.getrandbits(32))
    h, w = ink.shape
    count = int(h * w * density)
    ys, xs = g.integers(0, h - 2, count), g.integers(0, w - 2, count)
    ink[ys, xs] = True
    clumps = count // 20
    ys, xs = g.integers(0, h - 3, clumps), g.integers(0, w - 3, clumps)
    for dy in range(2):
        for dx in range(2):
            ink[ys + dy, xs + dx] = True
    drop = g.random(ink.shape) < density * 2
    ink[drop] = False
    if rng.random() < 0.3:                                 # a dirty glass: a thin streak
        x = rng.randint(200, w - 200)
        ink[:, x:x + rng.randint(1, 2)] |= g.random((h, 1)) < 0.6


def _header_strip(text: str, width: int, height: int) -> np.ndarray:
    """The sending machine's header line as 1-bit ink across the top of the page."""
    strip = Image.new("L", (width, height), 0)
    ImageDraw.Draw(strip).text((24, height // 2), text, font=typeface(22, bold=False), fill=255,
                               anchor="lm")
    return np.asarray(strip) > 100


# -- scanned and born-digital PDFs ----------------------------------------------------------

def _scan_pdf(plan: SubmissionPlan, images: list[Image.Image], rng: random.Random) -> bytes:
    dpi = random.Random(f"{plan.sender}:scanner").choice([200, 200, 240, 300])
    stamp = (plan.received_at or datetime(2022, 1, 1)).utctimetuple()
    pages = []
    for img, page in zip(images, plan.pages):
        img = _as_delivered(img, page.rotation, page.skew)
        if dpi != DPI:
            img = img.resize((round(img.width * dpi / DPI), round(img.height * dpi / DPI)),
                             Image.LANCZOS)
        a = np.asarray(img).astype(np.float32)
        tone = rng.uniform(232, 250)                       # paper is not white
        a = a * (tone / 255) + np.random.default_rng(rng.getrandbits(32)).normal(0, 1.5, a.shape)
        a = cv2.GaussianBlur(a, (3, 3), rng.uniform(0.3, 0.8))
        pages.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:],
                  quality=rng.randint(40, 60),
                  creationDate=stamp, modDate=stamp)     # fixed: same seed, same bytes
    return buffer.getvalue()


def _digital_pdf(plan: SubmissionPlan, rng: random.Random, hands: HandBook) -> bytes:
    """A form filled on a computer: real text where a keyboard typed, images where a hand drew."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from .render import _field, render_page

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for page in plan.pages:
        doc = plan.documents[page.document]
        if doc.form == "other":                           # a scanned page put into the PDF
            img = render_page(doc, page.page, rng, hands)
            pdf.setPageSize((612, 792))
            pdf.drawImage(ImageReader(img), 0, 0, 612, 792)
            pdf.showPage()
            continue
        layout = load_form(doc.form).page(page.page)
        width, height = layout.size
        pdf.setPageSize((width, height))
        for item in layout.static:
            _pdf_static(pdf, item.kind, item.spec, height)
        for field in layout.fields:
            ink = doc.paper.get(field.name)
            if ink is None:
                continue
            x0, y0, x1, y1 = field.box.x0, field.box.y0, field.box.x1, field.box.y1
            if ink.style == "grey":
                pdf.setFillGray(0.8)
                pdf.rect(x0, height - y1, x1 - x0, y1 - y0, stroke=0, fill=1)
                pdf.setFillGray(0)
            elif ink.text is None:
                continue
            elif ink.style in ("print", "typed") or (
                    ink.style == "electronic" and ink.variant in ("typed", "slash_s", "esigned")):
                text = "X" if field.type == "mark" else ink.text
                if ink.style == "electronic":
                    text = {"typed": ink.text, "slash_s": f"/s/ {ink.text}",
                            "esigned": f"Electronically signed by {ink.text}"}[ink.variant]
                size = min(9.0, (y1 - y0) * 0.78)
                while size > 4 and pdf.stringWidth(text, "Helvetica", size) > x1 - x0 - 4:
                    size *= 0.92
                pdf.setFont("Helvetica", size)
                baseline = height - (y0 + y1) / 2 - size * 0.35
                if x1 - x0 < 50:
                    pdf.drawCentredString((x0 + x1) / 2, baseline, text)
                else:
                    pdf.drawString(x0 + 2, baseline, text)
            else:                                          # handwriting, wet ink, stamps
                w, h = round((x1 - x0) * K), round((y1 - y0) * K)
                patch = np.full((h, w), 255, np.uint8)
                _field(patch, replace(field, box=Box(0, 0, x1 - x0, y1 - y0)), ink, rng, hands)
                pdf.drawImage(ImageReader(Image.fromarray(patch)), x0, height - y1, x1 - x0,
                              y1 - y0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _pdf_static(pdf, kind: str, spec: dict, height: float) -> None:
    if kind == "text":
        font = "Helvetica-Bold" if spec.get("bold") else "Helvetica"
        pdf.setFont(font, spec.get("size", 8))
        x, y = spec["at"][0], height - spec["at"][1]
        align = spec.get("align", "left")
        {"left": pdf.drawString, "center": pdf.drawCentredString,
         "right": pdf.drawRightString}[align](x, y, spec["text"])
    elif kind == "line":
        (x0, y0), (x1, y1) = spec["from"], spec["to"]
        pdf.setLineWidth(spec.get("width", 0.6))
        pdf.line(x0, height - y0, x1, height - y1)
    elif kind == "box":
        x0, y0, x1, y1 = spec["box"]
        pdf.setLineWidth(spec.get("width", 0.6))
        fill = spec.get("fill")
        if fill is not None:
            pdf.setFillGray(fill)
        pdf.rect(x0, height - y1, x1 - x0, y1 - y0, stroke=1, fill=int(fill is not None))
        pdf.setFillGray(0)


# -- phone photo ------------------------------------------------------------------------------

def _photo(page: Image.Image, path: Path, rng: random.Random) -> None:
    """A phone picture of ``page`` lying on a table: perspective, light fall-off, background."""
    g = np.random.default_rng(rng.getrandbits(32))
    scale = 0.55                                           # ~165 dpi across the sheet
    src = np.asarray(page.resize((round(page.width * scale), round(page.height * scale)),
                                 Image.LANCZOS))
    h, w = src.shape
    out_w, out_h = (round(w * 1.3), round(h * 1.3))
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    margin_x, margin_y = out_w - w, out_h - h
    target = np.float32([
        [margin_x * rng.uniform(0.2, 0.6), margin_y * rng.uniform(0.2, 0.6)],
        [w + margin_x * rng.uniform(0.4, 0.8), margin_y * rng.uniform(0.15, 0.6)],
        [w + margin_x * rng.uniform(0.3, 0.8), h + margin_y * rng.uniform(0.3, 0.8)],
        [margin_x * rng.uniform(0.15, 0.6), h + margin_y * rng.uniform(0.4, 0.85)]])
    matrix = cv2.getPerspectiveTransform(corners, target)
    paper = np.stack([src * 0.98, src * 0.96, src * 0.9], axis=-1)         # warm paper
    warped = cv2.warpPerspective(paper.astype(np.float32), matrix, (out_w, out_h),
                                 borderValue=(-1, -1, -1))
    table = np.array([rng.uniform(60, 140), rng.uniform(50, 110), rng.uniform(30, 90)])
    background = table + g.normal(0, 12, (out_h, out_w, 1))
    img = np.where(warped < 0, background, warped)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * out_w, rng.uniform(0.2, 0.8) * out_h
    light = 1.05 - 0.4 * np.hypot((xx - cx) / out_w, (yy - cy) / out_h)
    img = img * light[..., None] + g.normal(0, 5, img.shape)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.6, 1.2))
    rgb = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)[..., ::-1].copy(), "RGB")
    if path.suffix == ".png":
        rgb.save(path, optimize=False)
    else:
        rgb.save(path, quality=rng.randint(78, 90))


# -- e-mail ------------------------------------------------------------------------------------

def _email(plan: SubmissionPlan, pdf: bytes) -> bytes:
    """An e-mail from the provider or parent with the scanned pages attached as a PDF."""
    msg = EmailMessage()
    msg["From"] = f"{plan.sender_name.title()} <{plan.sender}>"
    msg["To"] = "DCC Child Care Assistance <ccap.intake@ky.gov>"
    msg["Subject"] = "CCAP paperwork"
    if plan.received_at is not None:
        msg["Date"] = format_datetime(plan.received_at)
    digest = hashlib.sha256(f"{plan.name}:{plan.sender}".encode()).hexdigest()
    msg["Message-ID"] = f"<{digest[:24]}@mail.example.net>"
    msg.set_content("Please find the attached forms.\n\nThank you.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf",
                       filename=f"scan_{digest[:6]}.pdf")
    msg.set_boundary(f"==ccap-{digest[24:40]}==")
    return bytes(msg)


