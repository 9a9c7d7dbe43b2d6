"""Turn one input file into page images: the first step of ``ccap extract``.

Forms arrive as fax TIFFs, PDFs (scanned or born digital), phone photos (JPEG/PNG) and e-mails
carrying any of those. Whatever came in, every page leaves here the same way: a greyscale
uint8 image with square pixels at about ``WORKING_DPI``, plus, for born-digital PDF pages, the
words of the text layer (exact text, no OCR needed).

* The kind of file is decided by its first bytes, never by its name alone: gateways rename
  files, and a ``.pdf`` that is really an HTML error page must be reported, not misread.
* Fax pages are not square: standard resolution is 204 x 98 dpi. Rows are repeated until
  the pixels are square (204 x 196), which is what makes them readable at all.
* A black-and-white page that is mostly black is a negative and is turned back (``positive``).
* A fax delivered inside a PDF (one black-and-white image over the whole page) is read from the
  image's own pixels at the resolution it was scanned at, as a fax TIFF is.
* Phone photos: the sheet is found as the largest four-cornered bright region and warped flat
  to a letter page (OpenCV); a photo where no sheet is found is kept as it is.
* Nothing is dropped silently: a page or attachment that cannot be used is named in
  ``Loaded.skipped``; a file with no usable page raises ``UnsupportedFile``/``UnreadableFile``.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from . import halftone, strokes
from .normalize import is_bilevel
from .errors import UnreadableFile, UnsupportedFile
from .ocr import Word

WORKING_DPI = 200
DPI_TOLERANCE = 0.05           # within 5 % of the working dpi: keep the pixels as they are
LETTER_IN = (8.5, 11.0)
MAX_PAGES = 200                # a guard against runaway files, far above any real submission
MIN_PAGE_PX = 400              # an e-mail image smaller than this is a logo, not a page
SUPPORTED = "PDF, TIFF, JPEG, PNG or e-mail (.eml)"
MAX_MID_TONES = 0.02           # a page with fewer grey pixels than this is black-and-white


@dataclass
class SourcePage:
    image: np.ndarray                          # uint8 greyscale, square pixels
    dpi: int                                   # pixels per inch of ``image``
    text_words: list[Word] | None              # born-digital PDF text layer, boxes in pixels
    origin: str                                # "tiff page 2", "attachment 1 (pdf) page 3"
    source_dpi: tuple[float, float]            # (x, y) resolution the file stated or implied;
                                               # (0, 0) for a flattened photo stating none


@dataclass
class Loaded:
    kind: str                                  # "tiff", "pdf", "image" or "eml"
    pages: list[SourcePage]
    email_date: datetime | None = None         # the e-mail's Date header, timezone-aware
    skipped: list[str] = field(default_factory=list)   # what could not be used, and why


def sniff(data: bytes) -> str | None:
    """The kind of file by its magic bytes: "tiff", "pdf", "jpeg", "png", "eml" or None."""
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if _looks_like_email(data):
        return "eml"
    return None


_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")
_MAIL_HEADERS = {b"from", b"to", b"date", b"subject", b"mime-version", b"content-type",
                 b"received", b"message-id", b"return-path", b"delivered-to"}


def _looks_like_email(data: bytes) -> bool:
    """RFC 5322: the file opens with header lines, and some are ones every e-mail has."""
    lines = data[:8192].splitlines()
    if lines and lines[0].startswith(b"From "):            # mbox separator
        lines = lines[1:]
    names = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):                      # folded continuation
            continue
        if not _HEADER.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return len(names & _MAIL_HEADERS) >= 2


def load(path: Path) -> Loaded:
    """Read every page of the file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except IsADirectoryError:
        raise UnreadableFile("a directory, not a file") from None
    except OSError as error:
        raise UnreadableFile(f"file cannot be read ({error.strerror})") from None
    return load_bytes(data)


def load_bytes(data: bytes) -> Loaded:
    """Read every page of a file's content."""
    if not data:
        raise UnreadableFile("file is empty")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedFile(f"not a {SUPPORTED} file")
    if kind == "eml":
        return _email(data)
    pages, skipped = _pages(kind, data, "")
    if not pages:
        raise UnreadableFile(f"no page of this {kind.upper()} file can be read")
    return Loaded("image" if kind in ("jpeg", "png") else kind, pages, None, skipped)


def _pages(kind: str, data: bytes, prefix: str) -> tuple[list[SourcePage], list[str]]:
    reader = {"tiff": _tiff, "pdf": _pdf, "jpeg": _photo, "png": _photo}[kind]
    try:
        return reader(data, prefix)
    except Image.DecompressionBombError:
        raise UnreadableFile("image is too large to be a page") from None


# -- images -------------------------------------------------------------------------------

def _grey(image: Image.Image) -> np.ndarray:
    """Any PIL mode as uint8 greyscale (transparent areas white, 16-bit scaled)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(image, dtype=np.float64)
        top = arr.max() or 1
        return (arr * (255 / top)).clip(0, 255).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def square_pixels(image: np.ndarray, dpi_x: float, dpi_y: float
                  ) -> tuple[np.ndarray, float, float]:
    """Stretch the coarser axis so pixels are square (fax 204 x 98: every row twice)."""
    if abs(dpi_x - dpi_y) <= DPI_TOLERANCE * max(dpi_x, dpi_y):
        return image, dpi_x, dpi_y
    axis, ratio = (0, dpi_x / dpi_y) if dpi_x > dpi_y else (1, dpi_y / dpi_x)
    if abs(ratio - round(ratio)) < 0.1:           # 2:1 as faxes are: repeat, crisp 1-bit edges
        image = np.repeat(image, round(ratio), axis=axis)
        factor = round(ratio)
    else:
        h, w = image.shape
        size = (w, round(h * ratio)) if axis == 0 else (round(w * ratio), h)
        image = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
        factor = ratio
    return (image, dpi_x, dpi_y * factor) if axis == 0 else (image, dpi_x * factor, dpi_y)


def to_working_dpi(image: np.ndarray, dpi: float) -> np.ndarray:
    """Resample a square-pixel image to ``WORKING_DPI`` unless it is already within 5 %."""
    if abs(dpi - WORKING_DPI) <= DPI_TOLERANCE * WORKING_DPI:
        return image
    k = WORKING_DPI / dpi
    h, w = image.shape
    return cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))),
                      interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)


def _stated_dpi(image: Image.Image) -> tuple[float, float] | None:
    dpi = image.info.get("dpi") or image.info.get("resolution")
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    return (x, y) if x >= 20 and y >= 20 else None


FAX_WIDTH_PX = 1728            # every fax line is 1728 pixels (215 mm at 8 per mm)


def _guessed_dpi(width: int, height: int) -> tuple[float, float]:
    """The resolution of an image that states none: a fax by its line width (standard or fine
    by its length), anything else taken for a whole letter page with square pixels."""
    if abs(width - FAX_WIDTH_PX) <= 16:
        return (204.0, 98.0) if height < 1600 else (204.0, 196.0)
    dpi = _letter_dpi(width, height)
    return dpi, dpi


def _letter_dpi(width: int, height: int) -> float:
    """The dpi an image would have if it were a whole letter page."""
    return max(width, height) / LETTER_IN[1]


def _plausible(width: int, height: int, dpi: tuple[float, float]) -> bool:
    """Does the stated dpi make this a page-sized image (not a 56-inch phone photo at 72)?"""
    long_in = max(width / dpi[0], height / dpi[1])
    return 5 <= long_in <= 15


def positive(pixels: np.ndarray) -> np.ndarray:
    """A black-and-white page that is mostly black is a negative (a fax gateway that got the
    TIFF's PhotometricInterpretation backwards, a scanner set to invert): turned back. Pages
    with real grey tones (photos, greyscale scans) are left alone; a dark photo is not a
    negative."""
    if pixels.size == 0:
        return pixels
    mid = np.count_nonzero((pixels > 64) & (pixels < 192)) / pixels.size
    dark = np.count_nonzero(pixels <= 64) / pixels.size
    return 255 - pixels if mid < MAX_MID_TONES and dark > 0.5 else pixels


def _page(pixels: np.ndarray, stated: tuple[float, float], origin: str,
          words: list[Word] | None = None) -> SourcePage:
    pixels = halftone.descreen(positive(pixels))
    image, dx, dy = square_pixels(pixels, *stated)
    image = to_working_dpi(strokes.thinned(image), (dx + dy) / 2)
    return SourcePage(image, WORKING_DPI, words, origin, stated)


def _tiff(data: bytes, prefix: str) -> tuple[list[SourcePage], list[str]]:
    try:
        tiff = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise
    except Exception:              # noqa: BLE001 - Pillow raises many kinds on damaged data
        raise UnreadableFile("TIFF file is damaged and cannot be opened") from None
    pages, skipped = [], []
    try:
        for number, frame in enumerate(ImageSequence.Iterator(tiff), 1):
            if number > MAX_PAGES:
                raise UnreadableFile(f"more than {MAX_PAGES} pages")
            pixels = _grey(frame)
            stated = _stated_dpi(frame)
            if stated is None or not _plausible(*frame.size, stated):    # e.g. a default 72
                stated = _guessed_dpi(*frame.size)
            pages.append(_page(pixels, stated, f"{prefix}tiff page {number}"))
    except (UnreadableFile, Image.DecompressionBombError):
        raise
    except Exception:              # noqa: BLE001 - Pillow raises many kinds on damaged data
        skipped.append(f"{prefix}tiff page {len(pages) + 1}: damaged; it and any pages after "
                       "it could not be read")
    return pages, skipped


def _photo(data: bytes, prefix: str) -> tuple[list[SourcePage], list[str]]:
    try:
        image = Image.open(io.BytesIO(data))
        image = ImageOps.exif_transpose(image)
        pixels = _grey(image)
    except Image.DecompressionBombError:
        raise
    except Exception:              # noqa: BLE001 - Pillow raises many kinds on damaged data
        raise UnreadableFile("image file is damaged and cannot be opened") from None
    origin = f"{prefix}image"
    stated = _stated_dpi(image)
    h, w = pixels.shape
    corners = find_sheet(pixels)
    if corners is not None:
        return [SourcePage(flatten_sheet(pixels, corners), WORKING_DPI, None, origin,
                           stated or (0.0, 0.0))], []
    if stated is None or not _plausible(w, h, stated):       # a photo: assume a letter page
        dpi = _letter_dpi(w, h)
        return [SourcePage(to_working_dpi(pixels, dpi), WORKING_DPI, None, origin,
                           stated or (dpi, dpi))], []
    return [_page(pixels, stated, origin)], []


# -- phone photos -------------------------------------------------------------------------

FIND_PX = 800                  # the sheet is looked for on a copy this long
SHEET_CONTRAST = 40            # paper must be this much brighter than what surrounds it


def find_sheet(grey: np.ndarray) -> np.ndarray | None:
    """The four corners (tl, tr, br, bl; float32, pixels) of a sheet of paper in a photo.

    The sheet is the largest bright region that is a convex quadrilateral covering 20-97 % of
    the frame and clearly brighter than its surroundings; a scan that is all page (or a photo
    with no clear sheet) gives None.
    """
    h, w = grey.shape
    k = FIND_PX / max(h, w)
    small = cv2.resize(grey, (max(1, round(w * k)), max(1, round(h * k))),
                       interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    area = small.shape[0] * small.shape[1]
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edges = cv2.dilate(cv2.Canny(small, 40, 120), np.ones((3, 3), np.uint8))
    for mask in (bright, _fill(edges)):
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        hull = cv2.convexHull(max(contours, key=cv2.contourArea))
        if not 0.2 * area <= cv2.contourArea(hull) <= 0.97 * area:
            continue
        for eps in (0.02, 0.03, 0.05):
            quad = cv2.approxPolyDP(hull, eps * cv2.arcLength(hull, True), True)
            if len(quad) == 4 and _stands_out(small, quad):
                return _order(quad.reshape(4, 2).astype(np.float32) / k)
    return None


def _stands_out(small: np.ndarray, quad: np.ndarray) -> bool:
    """Is the quadrilateral paper on something darker? (On a flat scan the form's printed
    outer frame is a quadrilateral too, but white margin surrounds it, not a table.)"""
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.reshape(-1, 2), 1)
    outside = small[inside == 0]
    return outside.size > 0 and np.median(small[inside > 0]) - np.median(outside) >= SHEET_CONTRAST


def _fill(edges: np.ndarray) -> np.ndarray:
    """Fill the outer contours of an edge map, so a sheet's outline becomes a solid region."""
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(edges)
    cv2.drawContours(filled, contours, -1, 255, cv2.FILLED)
    return filled


def _order(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s, d = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)],
                       points[np.argmax(d)]])


def flatten_sheet(grey: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Warp the sheet inside ``corners`` to a flat letter page at ``WORKING_DPI``."""
    tl, tr, br, bl = corners
    wide = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    tall = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    short, long = (round(LETTER_IN[0] * WORKING_DPI), round(LETTER_IN[1] * WORKING_DPI))
    size = (short, long) if tall >= wide else (long, short)
    shrink = max(size) / max(wide, tall)
    if shrink < 0.8:               # shrink first (area averaging) so the warp does not alias
        grey = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        corners = corners * shrink
    target = np.float32([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1],
                         [0, size[1] - 1]])
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(grey, matrix, size, flags=cv2.INTER_LINEAR,
                               borderValue=255)


# -- PDF ----------------------------------------------------------------------------------

MIN_TEXT_WORDS = 3             # fewer words than this is no text layer worth trusting
SCANNED_IMAGE_SHARE = 0.5      # an image over half the page: a scan (its text layer is OCR)
WHOLE_PAGE = 0.95              # an image over this share of the page is the page (``_fax_image``)


def _pdf(data: bytes, prefix: str) -> tuple[list[SourcePage], list[str]]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableFile("PDF is password-protected") from None
        raise UnreadableFile("PDF file is damaged and cannot be opened") from None
    count = len(pdf)
    if count > MAX_PAGES:
        raise UnreadableFile(f"more than {MAX_PAGES} pages")
    pdf.init_forms()               # so filled-in form fields are drawn too
    layers = _text_layers(data, count)
    pages, skipped = [], []
    for i in range(count):
        origin = f"{prefix}pdf page {i + 1}"
        try:
            page = pdf[i]
            scale = _pdf_scale(*page.get_size())
            words = layers[i] if scale == WORKING_DPI / 72 else None
            fax = _fax_image(page) if words is None else None
            if fax is not None:                   # its own pixels: nothing to draw
                pages.append(_page(*fax, origin))
                continue
            bitmap = page.render(scale=scale, may_draw_forms=True)
            image = np.asarray(bitmap.to_pil().convert("L"), dtype=np.uint8).copy()
        except (pdfium.PdfiumError, OSError, ValueError):
            skipped.append(f"{origin}: damaged, could not be drawn")
            continue
        if words is None:
            image = positive(image)
        stated = float(scale * 72)
        pages.append(SourcePage(image, WORKING_DPI, words, origin, (stated, stated)))
    return pages, skipped


def _fax_image(page) -> tuple[np.ndarray, tuple[float, float]] | None:
    """A PDF page that is one black-and-white image laid upright over the whole page (a fax
    gateway's PDF around a G3/G4 fax image): the image's own pixels, and the resolution they
    were scanned at along each axis (204 x 98 for a standard fax). None for any other page.

    Drawn by pdfium instead, such a page comes out in shades of grey with square pixels, and
    is read as an office scan: not as a 1-bit page whose light pen a fax may have lost, nor as
    a standard-resolution fax whose lines run up and down once it is turned upright, nor
    (``halftone``) as a photo-mode fax."""
    if page.get_rotation() % 360:
        return None
    images = [o for o in page.get_objects() if o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    if len(images) != 1:
        return None
    placed = images[0].get_matrix()              # image space -> page points
    width_pt, height_pt = page.get_size()
    if (placed.b or placed.c or placed.a <= 0 or placed.d <= 0
            or placed.a * placed.d < WHOLE_PAGE * width_pt * height_pt):
        return None
    try:
        pixels = _grey(images[0].get_bitmap(render=False).to_pil())
    except (pdfium.PdfiumError, OSError, ValueError):
        return None
    if pixels.size == 0 or not is_bilevel(pixels):
        return None
    h, w = pixels.shape
    return pixels, (w * 72 / placed.a, h * 72 / placed.d)


def _pdf_scale(width_pt: float, height_pt: float) -> float:
    """Pixels per point to render a page at ``WORKING_DPI``.

    A page whose size is no paper size (some scanner software places a 300 dpi scan at one
    point per pixel: a 35 x 46 inch "page") is drawn as if it were a letter page instead.
    """
    long_in = max(width_pt, height_pt) / 72
    if 5 <= long_in <= 17:
        return WORKING_DPI / 72
    return WORKING_DPI * LETTER_IN[1] / max(width_pt, height_pt, 1)


def _text_layers(data: bytes, count: int) -> list[list[Word] | None]:
    """Each page's words from its text layer (pixels at ``WORKING_DPI``), or None.

    A page has a usable layer when it carries at least a few words and is not essentially one
    big image (a scan whose invisible text came from some other OCR). Rotated pages are left
    to OCR rather than transforming their coordinates.
    """
    layers: list[list[Word] | None] = [None] * count
    k = WORKING_DPI / 72
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for i, page in enumerate(pdf.pages[:count]):
                if (page.rotation or 0) % 360 or _mostly_image(page):
                    continue
                x_off, y_off = page.bbox[0], page.bbox[1]
                found = page.extract_words()
                if len(found) < MIN_TEXT_WORDS:
                    continue
                lines: dict[int, int] = {}
                words = []
                for w in found:
                    line = lines.setdefault(round(w["bottom"]), len(lines))
                    words.append(Word(w["text"], (round((w["x0"] - x_off) * k),
                                                  round((w["top"] - y_off) * k),
                                                  round((w["x1"] - x_off) * k),
                                                  round((w["bottom"] - y_off) * k)), 1.0, line))
                layers[i] = words
    except Exception:              # noqa: BLE001 - pdfminer raises many kinds; images remain
        return [None] * count
    return layers


def _mostly_image(page) -> bool:
    page_area = float(page.width * page.height) or 1.0
    for image in page.images:
        w = max(0.0, float(image["x1"]) - float(image["x0"]))
        h = max(0.0, float(image["bottom"]) - float(image["top"]))
        if w * h > SCANNED_IMAGE_SHARE * page_area:
            return True
    return False


# -- e-mail -------------------------------------------------------------------------------

def _email(data: bytes) -> Loaded:
    """Every page of every attachment we can read; the Date header as ``email_date``.

    Attachments are named by number and type, never by file name (names often hold a child's
    name, and these strings end up in logs and review screens).
    """
    message = BytesParser(policy=policy.default).parsebytes(data)
    pages, skipped = [], []
    number = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.get_content_maintype() == "text" and not part.get_filename():
            continue                                       # the message body
        number += 1
        label = f"attachment {number} ({ctype})"
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:          # noqa: BLE001 - malformed transfer encodings
            content = b""
        kind = sniff(content) if content else None
        if not content:
            skipped.append(f"{label}: empty")
            continue
        if kind is None or kind == "eml":
            skipped.append(f"{label}: not a PDF, TIFF, JPEG or PNG")
            continue
        if kind in ("jpeg", "png") and _too_small(content):
            skipped.append(f"{label}: too small to be a page")
            continue
        try:
            found, notes = _pages(kind, content, f"attachment {number} ({kind}) ")
        except (UnreadableFile, UnsupportedFile) as error:
            skipped.append(f"{label}: {error}")
            continue
        pages.extend(found)
        skipped.extend(notes)
    if not pages:
        if number == 0:
            raise UnsupportedFile("e-mail has no attachment")
        if all("not a PDF" in s or "too small" in s for s in skipped):
            raise UnsupportedFile("e-mail has no PDF, TIFF, JPEG or PNG attachment")
        raise UnreadableFile("no attachment of this e-mail can be read")
    return Loaded("eml", pages, _date(message), skipped)


def _too_small(content: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(content)) as image:
            return max(image.size) < MIN_PAGE_PX
    except (UnidentifiedImageError, OSError, ValueError):
        return False               # let the reader report it


def _date(message) -> datetime | None:
    raw = message.get("Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
