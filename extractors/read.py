"""Read every field of one registered page, each by its type.

Input: the upright, deskewed page (greyscale and binary), the layout page and where it lies on
the image (``register.Fit``), and the PDF text layer when there is one. Output: a
``FieldValue`` per layout field, with a normalised value, a confidence and the box in pixels.

The order of work is what keeps a 400-field DCC-97 page under a second or two:

1. Crop every box (a pixel inside the printed border) and test it for ink (``ink``). Empty
   boxes are done: ``null`` / ``absent`` / ``unchecked`` / ``blank`` (a handwritten box the
   test is unsure of is read as well: ``_faint``).
2. A born-digital page's text layer answers printed and typed fields exactly.
3. Initials and marks are answered by the ink test alone, at what its certainty was worth on
   development sets (``ink.judged``).
4. What remains is read in batches, one Tesseract run per way of reading (``READERS``: page
   segmentation mode and character set per field type; printed capitals and figures by
   ``PRINTED_READERS``), unsure printed readings once more at twice the size, and handwritten
   codes, times, dates and numbers by the handwriting model (``readers.handwriting``), told
   what the form expects of a date or time (``constraints.prior``).
5. Every reading is normalised by its type (``values``); a reading that does not parse as its
   type keeps a low confidence so it goes to a person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from . import clock, constraints, glyphs, names
from . import ink as inklib
from . import ocr
from .forms import Field, Page
from .model import FieldValue
from .ocr import Word
from .readers.handwriting import Reading as HandReading
from .readers.handwriting import prepare, read_handwriting
from .register import Fit
from .values import is_normalised, normalise

# How Tesseract reads printed values of each type: (page segmentation mode, allowed characters,
# use the dictionary). IDs and numbers get no dictionary: it "corrects" digits into words.
READERS: dict[str, tuple[int, str | None, bool]] = {
    "date": (7, "0123456789/", False),
    "month": (7, "0123456789/", False),
    "number": (7, "0123456789()- ", False),
    "money": (7, "$0123456789.,", False),
    "code": (8, "0123456789", False),
    "text": (7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.-'&#/()", False),
    "name": (7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,'-", True),
    "time": (7, "0123456789:apmAPM ", False),
    "signature": (6, None, False),
}
# System-printed text and names differ: the form prints them in capitals, in a sans typeface
# whose I is a plain bar. Tesseract reads that I as "|" and a faxed C as "€", and a whitelist
# without those characters makes it drop the letter ("LICENSED TYPE" for "LICENSED TYPE I",
# "2608221897" for "C2608221897"). So printed text is read without a whitelist and the
# look-alikes are mapped back (development set: printed text 399 -> 434 of 480 right).
# Names keep a whitelist, with "|" and "!" in it: a final bar "I" ("OSEI") comes back as "!",
# and without it as nothing ("MASON OSE" at 0).
# Printed dates, months, numbers and amounts are read in one run with the union of their
# characters: each Tesseract run costs about 0.08 s of CPU to start, and a DCC-97 page had
# twelve (every type read, and read again larger); the type's parsing (``values``) still
# holds each value to its type.
PRINTED_FIGURES = "0123456789/()-$., "
# ... which lets a fax speck after a date come back as "04/30/2026 ." or "11/30/2026,": what
# no value of the type starts or ends with is taken off its ends before it is parsed
END_SPECKS = {"date": " .,-()$", "month": " .,-()$", "money": " ,-()", "number": " .,-$"}
PRINTED_READERS: dict[str, tuple[int, str | None, bool]] = {
    "text": (7, None, False),
    "name": (7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ .,'-|!", True),
    **{kind: (7, PRINTED_FIGURES, False) for kind in ("date", "month", "number", "money")},
}
PRINTED_LOOKALIKES = str.maketrans({"|": "I", "l": "I", "[": "I", "]": "I", "!": "I",
                                    "€": "C", "©": "C"})
# Printed boxes narrower than this hold one character, and printed codes and small numbers a
# few: each character is matched as a glyph (``glyphs``), which beats Tesseract on lone digits.
SINGLE_CHAR_PT = 24
FEW_CHARS_WIDTH = 2.2      # three printed digits are about 1.7 line heights wide
SINGLE_CHARSETS = {"code": "0123456789", "number": "0123456789",
                   "text": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
# Printed values Tesseract could not read as their type (a fax speck inside "01/1,1/2014" and
# it returned nothing at all) are matched glyph by glyph, at most this sure
GLYPH_FALLBACK = {"date": "0123456789/", "money": "$0123456789", "number": "0123456789"}
GLYPH_FALLBACK_MAX = 0.8
HANDWRITING_KINDS = {"code", "time", "date", "number"}
# handwritten kinds whose crops are kept to be read again against another document of the file
# (names.resolve: a sheet's children and provider number; weeks.resolve: its week)
KEPT_KINDS = {"name", "number", "date"}
ELECTRONIC = re.compile(r"docu\s*sign|electronic|e-?sign|signed\s+by|/s/|\bs/\s", re.I)
# an e-sign envelope ID: 12+ hex digits, which a fax and OCR turn into look-alike capitals
# ("0A0C079AB1A5EC18" read as "DAGCO79ARLASEC18B"), so any capitals with 4 digits among them
ENVELOPE_ID = re.compile(r"\b(?=(?:[0-9A-Z]*\d){4})[0-9A-Z]{12,}\b")
NAME_WORD = re.compile(r"\b[A-Z][a-z]{2,}\b")
UNSURE_WET = 0.7      # a name read, but not cleanly enough to call it typed: a person decides
INSET_PX = 2                      # crop this far inside the layout box
SIDE_CORE = 0.5                   # a box's side inside a handwritten box's crop: a column
SIDE_EDGE = 0.15                  # inked this much, its edge this much (``_clear_of_sides``),
SIDE_REACH_PX = 3                 # looked for from this far outside the layout box,
SIDE_SHIFT_PX = 3                 # moving the crop in by at most this much
UNREADABLE = 0.05                 # handwriting read with less confidence: no value
SPILL_GAP_PX = 12                 # boxes this close side by side are neighbours
                                  # (``_without_spills``)
SPILL_SIDE_PX = 5                 # ... ink this close to their shared side reaches it (the
                                  # printed border may take the crop's first columns)
SPILL_ROWS = 3                    # ... and a stroke crossing their border moves this many rows
SPILL_NEAR = (7, 7)               # ... taking the specks the ink test joined to it (3 px
                                  # apart: ``ink.measure``'s 3x3 join)
SPILL_MAX_ROWS = 0.6              # ... unless ink runs down this share of the left box's side
SPILL_EMPTY = 0.9                 # a box whose only ink ran over from its neighbour is empty
                                  # this surely
BLANK_EMPTY = 0.9                 # inked, but no writing for the reader: empty this surely
                                  # (dev sets 3131, 3232, 4343, 5353: of the code and time boxes
                                  # read so, 55 were empty and none written) ...
SLIGHT_FRACTION = 0.02            # ... and so is a time box this little inked ...
SLIGHT_BLOBS = 3                  # ... in this many pieces at most, where nothing is legible
                                  # (same sets: 113 such times empty, none written; written
                                  # times that read as nothing had 0.034 of the box or more in
                                  # nine tenths of cases)
FAINT_BELOW = 0.95                # an empty handwritten box less sure than this is read (0.8
                                  # missed a light pencil time on a photo at 0.81; at 0.95
                                  # dev 7373 times 594 -> 597 of 750, dev 8080 the same, no
                                  # empty box read as written)
FAINT_READ = 0.5                  # ... and what the model reads this surely is taken
FAINT_EMPTY = 0.85                # ... otherwise it is empty this surely (see ``_faint``),
FAINT_DOUBT = 0.3                 # ... or, beside a written other end of its span, this surely
WITNESS_SURE = 0.95               # initials this surely present make their time's empty box unsure
WITNESS_LIKELY = 0.6              # ... and this likely present, a time box read empty only at
                                  # BLANK_EMPTY or FAINT_EMPTY (``_witnessed``, ``likely``)
SILENT = (None, "blank", "absent")  # what an unwritten box of any type reads as
FAINT_DATE = 0.5                  # a signature's date read less surely than this: a pen half lost
LOST_PEN = 0.6                    # a signature's date lost beside it: the writer's other empty
                                  # boxes on the page are at most this sure (``_lost_pen``)
NUMERAL_LIKE = re.compile(r"[IlH|1!\[\]]{1,3}")   # what OCR makes of a printed "I", "II", "III"
STEMS_SURE = 0.9                  # a numeral's bars counted (``glyphs.numeral_stems``)
REREAD_BELOW = 0.9                # printed readings less sure than this are read again, larger
COARSE_JOIN = 0.7                 # px: on a standard-resolution fax sent sideways, handwriting
                                  # is read with its broken strokes joined up and down (``_joined``)


@dataclass
class Crop:
    field: Field
    box: tuple[int, int, int, int]            # pixels on the upright page
    grey: np.ndarray
    binary: np.ndarray
    ink: inklib.Ink
    origin: tuple[int, int] = (0, 0)          # page pixel of the crop's top left corner
    spilled: bool = False                     # ink from the box to its left was taken out


def crop_fields(layout: Page, fit: Fit, grey: np.ndarray, binary: np.ndarray,
                shades: bool = False) -> list[Crop]:
    """Each field's crop and its ink test. On a page with ``shades`` of grey (not a fax), a
    handwritten box the binary page shows empty, or holding only a doubtful piece of ink, is
    looked at again in grey (``ink.second_look``): a light pen may have been binarised away.
    On a 1-bit page (a fax), an empty handwritten code, time, date or number box holding a
    stroke of specks (``ink.dotted``) is empty only unsurely, and so read (``_faint``)."""
    h, w = binary.shape
    crops = []
    for field in layout.fields:
        x0, y0, x1, y1 = fit.box_px(field.box)
        box = (max(0, round(x0)), max(0, round(y0)), min(w, round(x1)), min(h, round(y1)))
        bx0, by0 = box[0] + INSET_PX, box[1] + INSET_PX
        bx1, by1 = box[2] - INSET_PX, box[3] - INSET_PX
        if field.handwritten and field.type in HANDWRITING_KINDS:
            bx0, bx1 = _clear_of_sides(binary, box, bx0, bx1)
        if bx1 <= bx0 or by1 <= by0:
            bx0, by0, bx1, by1 = box
        g, b = grey[by0:by1, bx0:bx1], binary[by0:by1, bx0:bx1]
        ink = inklib.measure(b, fit.dpi)
        if shades and field.handwritten and field.type not in ("signature", "mark"):
            ink = inklib.second_look(ink, g, fit.dpi,
                                     doubt=field.type in HANDWRITING_KINDS)
        elif (field.handwritten and field.type in HANDWRITING_KINDS and not ink.present
              and inklib.dotted(g)):
            ink = replace(ink, dotted=True)
        crops.append(Crop(field, box, g, b, ink, (bx0, by0)))
    return _without_spills(crops, fit.dpi)


def _clear_of_sides(binary: np.ndarray, box: tuple[int, int, int, int], left: int,
                    right: int) -> tuple[int, int]:
    """The crop's first and last columns (``left``, ``right``: ``INSET_PX`` inside the layout
    box) moved clear of the box's printed sides where the page shows them inside: a side is
    the column near the box's edge inked over at least ``SIDE_CORE`` of the box's middle rows,
    with its neighbours inked over ``SIDE_EDGE`` (its anti-aliased or ragged edge); the crop
    starts a column past them, at most ``SIDE_SHIFT_PX`` further in. Left in, the edge of a
    side became a "1" before the writing ("12:45" for a "2:45 pm" at 0.97: 25 times read so
    at 0.75 or more on the bench and five development sets)."""
    x0, y0, x1, y1 = box
    rows = binary[y0 + (y1 - y0) // 7:y1 - (y1 - y0) // 7]
    if rows.shape[0] < 4 or right - left < 4 * SIDE_SHIFT_PX:
        return left, right
    share = (rows < 128).mean(axis=0)

    def side_end(columns: range) -> int | None:
        """The last column of the side met walking ``columns`` (from outside the box in)."""
        inside = [x for x in columns if 0 <= x < share.size]
        core = [i for i, x in enumerate(inside) if share[x] >= SIDE_CORE]
        if not core:
            return None
        i = core[-1]
        while i + 1 < len(inside) and share[inside[i + 1]] >= SIDE_EDGE:
            i += 1
        return inside[i]

    end = side_end(range(x0 - SIDE_REACH_PX, left + SIDE_SHIFT_PX))
    if end is not None and end >= left:
        left = min(end + 2, left + SIDE_SHIFT_PX)
    end = side_end(range(x1 + SIDE_REACH_PX - 1, right - SIDE_SHIFT_PX - 1, -1))
    if end is not None and end <= right - 1:
        right = max(end - 1, right - SIDE_SHIFT_PX)
    return left, right


def _without_spills(crops: list[Crop], dpi: int) -> list[Crop]:
    """``crops`` where a time box whose only ink ran over from the box to its left (the "PM"
    or last digit of a time written too wide) is empty: every piece of its ink touches its
    left side, near it, in a stroke that the left box's ink (rules removed) carries to its
    own right side at the same height (``inklib.edge_pieces``). Left in, the piece made the
    empty box inked and unreadable. Only times: they are written wider than their boxes,
    while codes fit theirs (no code ran over on four dev sets), a lone stroke in a code box
    may be a "1", and a code box's first digit often touches the last digit of the day
    before. A box emptied so is ``spilled``."""
    hand = [c for c in crops if c.field.handwritten and c.ink.present
            and c.field.type not in ("signature", "mark", "initials")]
    out = {id(c): c for c in crops}
    for right in hand:
        if right.field.type != "time":
            continue
        left = next((c for c in hand if c is not right and _left_of(c, right)), None)
        if left is None:
            continue
        rows = inklib.edge_rows(inklib.remove_rules((left.binary < 128).astype(np.uint8)),
                                "right", SPILL_SIDE_PX)
        if len(rows) > SPILL_MAX_ROWS * left.binary.shape[0]:
            continue                              # the box's border, not a stroke through it
        theirs = {left.origin[1] + y for y in rows}
        pieces = [piece for piece, rows in inklib.edge_pieces(right.ink.mask, "left",
                                                              SPILL_SIDE_PX)
                  if any(right.origin[1] + y + d in theirs for y in rows
                         for d in range(-SPILL_ROWS, SPILL_ROWS + 1))]
        if not pieces:
            continue
        spill = np.any(pieces, axis=0)
        gone = cv2.dilate(spill.astype(np.uint8), np.ones(SPILL_NEAR, np.uint8)) > 0
        if (right.ink.mask.astype(bool) & ~gone).any():
            continue                              # the box has writing of its own
        paper = float(np.percentile(right.grey, 75))
        grey = np.where(gone, paper, right.grey).astype(right.grey.dtype)
        binary = np.where(gone, 255, right.binary).astype(right.binary.dtype)
        out[id(right)] = replace(right, grey=grey, binary=binary,
                                 ink=inklib.measure(binary, dpi), spilled=True)
    return [out[id(c)] for c in crops]


def _left_of(left: Crop, right: Crop) -> bool:
    """Whether box ``left`` is the neighbour just left of box ``right`` on the same line."""
    lx0, ly0, lx1, ly1 = left.box
    rx0, ry0, rx1, ry1 = right.box
    overlap = min(ly1, ry1) - max(ly0, ry0)
    return 0 <= rx0 - lx1 <= SPILL_GAP_PX and overlap >= 0.6 * min(ly1 - ly0, ry1 - ry0)


def _value(field: Field, text: str | None, confidence: float, box,
           alternatives: tuple[tuple[str, float], ...] = ()) -> FieldValue:
    if text and field.type in ("name", "text"):
        text = text.strip(" .,:;'-_|")           # specks and border bits at either end
    value = normalise(field.type, text)
    if text and (value is None or not is_normalised(field.type, value)):
        confidence *= 0.3             # ink that does not read as its type
    return FieldValue(value, float(confidence), 0, tuple(float(v) for v in box), field.type,
                      alternatives)


def _words_in(words: list[Word], box) -> str | None:
    x0, y0, x1, y1 = box
    inside = [wd for wd in words if x0 <= (wd.box[0] + wd.box[2]) / 2 <= x1
              and y0 <= (wd.box[1] + wd.box[3]) / 2 <= y1]
    if not inside:
        return None
    inside.sort(key=lambda wd: (wd.line, wd.box[0]))
    return " ".join(wd.text for wd in inside)


def read_page_fields(layout: Page, fit: Fit, grey: np.ndarray, binary: np.ndarray,
                     words: list[Word] | None = None,
                     keep: dict[str, np.ndarray] | None = None,
                     shades: bool = False, upright_lines: bool = False
                     ) -> dict[str, FieldValue]:
    """Every field of ``layout`` read from the page (``page`` indexes are set by the caller).
    ``keep`` receives the images of handwritten fields of ``KEPT_KINDS`` that hold ink;
    ``shades``: the page has grey levels (``crop_fields``); ``upright_lines``: a
    standard-resolution fax's scan lines run up and down the page (``_joined``)."""
    crops = crop_fields(layout, fit, grey, binary, shades)
    if upright_lines:
        crops = [_joined(c) for c in crops]
    if keep is not None:
        keep.update({c.field.name: c.grey for c in crops
                     if c.field.handwritten and c.field.type in KEPT_KINDS and c.ink.present})
    out: dict[str, FieldValue] = {}
    batches: dict[str, list[Crop]] = {}
    hand: dict[str, list[Crop]] = {}
    faint: dict[str, list[Crop]] = {}
    sure_empty: dict[str, list[Crop]] = {}
    for c in crops:
        f = c.field
        if words is not None:
            text = _words_in(words, c.box)
            if text is not None:
                if f.type == "signature":
                    out[f.name] = FieldValue("electronic", 0.99, 0, _fbox(c), f.type)
                elif f.type in ("initials", "mark"):
                    out[f.name] = FieldValue(normalise(f.type, text), 0.99, 0, _fbox(c), f.type)
                else:
                    out[f.name] = _value(f, text, 0.99, c.box)
                continue
        if f.type in ("initials", "mark"):
            if f.type == "mark" and not f.handwritten:      # a printed check box
                written, conf = inklib.checked(c.binary, fit.dpi)
            else:
                written, conf = inklib.judged(c.ink, inklib.group_of(f.type, f.handwritten))
            out[f.name] = FieldValue(normalise(f.type, "x" if written else None), conf, 0,
                                     _fbox(c), f.type)
        elif not c.ink.present:
            written, conf = inklib.judged(c.ink, inklib.group_of(f.type, f.handwritten))
            conf = c.ink.certainty if written else conf     # turned over: keep the raw doubt
            if c.spilled:
                conf = min(conf, SPILL_EMPTY)
            out[f.name] = FieldValue(normalise(f.type, None), conf, 0, _fbox(c), f.type)
            if f.handwritten and f.type in HANDWRITING_KINDS:
                (faint if c.ink.certainty < FAINT_BELOW else sure_empty).setdefault(
                    f.type, []).append(c)
        elif f.type == "signature":
            batches.setdefault(("signature", False), []).append(c)
        elif f.handwritten and f.type in HANDWRITING_KINDS:
            hand.setdefault(f.type, []).append(c)
        elif not f.handwritten and f.type in SINGLE_CHARSETS and (
                f.box.width < SINGLE_CHAR_PT or (f.type != "text" and _few_chars(c.ink))):
            text, conf = glyphs.read_chars(c.ink.mask, SINGLE_CHARSETS[f.type])
            out[f.name] = _value(f, text, conf, c.box)
        else:
            batches.setdefault((_reader(f.type, not f.handwritten), not f.handwritten),
                               []).append(c)
    for (reader, printed), group in batches.items():
        if reader == "signature":
            psm, whitelist, dictionary = READERS["signature"]
            readings = ocr.read_lines([_for_ocr(c) for c in group], fit.dpi, psm=psm,
                                      whitelist=whitelist, dictionary=dictionary)
            for c, (text, conf) in zip(group, readings):
                out[c.field.name] = _signature(c, text, conf)
            continue
        for c, fv in zip(group, _read_typed(group, printed, fit.dpi, layout.form)):
            out[c.field.name] = fv
    for kind, group in sure_empty.items():        # after the loop: the initials are judged
        faint.setdefault(kind, []).extend(c for c in group if _witnessed(layout.form, c, out))
    for kind in dict.fromkeys([*hand, *faint]):   # after the printed fields: dates use them
        written, unsure = hand.get(kind, []), faint.get(kind, [])
        group = written + unsure                  # one network run for the kind
        priors = [constraints.prior(layout.form, c.field.name, out) for c in group]
        readings = read_handwriting([c.grey for c in group], kind, priors)
        spread = _clock(written, readings, priors) if kind == "time" else {}
        for i, (c, reading) in enumerate(zip(written, readings)):
            out[c.field.name] = replace(_handwritten(c, reading), posterior=spread.get(i, ()))
            if (out[c.field.name].confidence == BLANK_EMPTY
                    and _witnessed(layout.form, c, out, likely=True)):
                out[c.field.name] = replace(out[c.field.name], confidence=FAINT_DOUBT)
        for c, reading in zip(unsure, readings[len(written):]):
            partner = out.get(constraints.span_partner(layout.form, c.field.name) or "")
            out[c.field.name] = _faint(c, out[c.field.name], reading,
                                       (partner is not None and partner.value is not None)
                                       or _witnessed(layout.form, c, out, likely=True))
    _lost_pen(layout, crops, out, shades)
    return {f.name: out[f.name] for f in layout.fields}


def _joined(c: Crop) -> Crop:
    """A handwritten code, time, date or number box of a standard-resolution fax (204 x 98
    dpi) sent sideways, as the handwriting reader is given it: smoothed up and down by
    ``COARSE_JOIN``. Such a fax scans every other line of the paper, and its threshold breaks a
    light pen's strokes further; a stroke running along the scan lines comes out as a dotted
    run, which on a page turned a quarter runs up and down (a "1", the sides of a "0"). A
    slight blur along the lines joins it again. Only boxes the ink test found written are so
    read: in a box it called empty, unsurely, the blur made a fax's specks look like writing
    the reader could not read (dev set 5353: two empty time boxes of a sheet went from 0.85
    to 0.6 sure, and the sheet lost its accept).

    Measured on the pipeline's own crops of written boxes on such faxes (the landscape DCC-97
    and DCC-94E), read alone: on two development sets in held-out hands (7575, 4343) times
    324 -> 345 of 544 and 824 -> 841 of 914, codes 74 and 122 -> 74 and 122, numbers 25 -> 25
    and 44 -> 47, wrong readings at 0.75 or more 10 -> 10 and 7 -> 8; on set 6464 (all hands)
    times 585 -> 587 of 623, codes 96 -> 103 of 107, dates 128 -> 130 of 145. Across the lines
    it lost times; on fine-resolution faxes it was no better (times 778 -> 786 and 1 266 ->
    1 259). On pages sent upright (certificates), the lines run across: the same blur along
    them read dates no better (32 -> 33 of 34, 27 of 27), so those are read as they are."""
    if not (c.field.handwritten and c.field.type in HANDWRITING_KINDS and c.ink.present):
        return c
    return replace(c, grey=cv2.GaussianBlur(c.grey, (1, 5), 0, sigmaY=COARSE_JOIN))


def _lost_pen(layout: Page, crops: list[Crop], out: dict[str, FieldValue],
              shades: bool = False) -> None:
    """When the date beside a signature shows the writer's pen lost to the page (a light pen
    through a fax), every other empty handwritten box of that writer on the page is at most
    ``LOST_PEN`` sure. The pen is lost when the date beside a surely made signature shows no
    ink (only specks, or nothing the reader could confirm), or when, on a 1-bit page, the date
    beside a wet signature is read under ``FAINT_DATE`` (``_faded``; a page with ``shades`` of
    grey keeps a light pen, and its faint boxes were read again by their own paper). On six
    dev sets every date beside a wet or electronic signature was written; a PBF whose
    provider's pen the fax lost had its 31 codes, holidays over the year's limit among them,
    read empty at 1.0 and was accepted (dev 7575 fax-0073); another had its exception "1" on
    a scheduled 1 read empty at 0.999, its signature only 0.8 sure and its date read at 0.27
    (fresh held-out set 8686 fax-0082). A blank PBF e-mailed with a hard-to-read date kept
    its blank_form finding only with the 1-bit condition (bench held-out hands, mail-0019)."""
    lost = {(c.field.filled_by, "") for c in crops
            if c.field.type == "date" and (_inkless(layout, c, out)
                                          or (not shades and _faded(layout, c, out)))}
    if not shades:
        lost |= _silent_writers(layout, out)
    for c in crops:
        fv = out[c.field.name]
        if any(c.field.filled_by == w and c.field.name.startswith(where) for w, where in lost) \
                and c.field.handwritten and (
                (fv.value is None and c.field.type in HANDWRITING_KINDS)
                or (fv.value == "absent" and c.field.type == "initials")):
            out[c.field.name] = replace(fv, confidence=min(fv.confidence, LOST_PEN))


ROW = re.compile(r"^[a-z_]+\.\d+\.")   # a repeated row's fields: "rows.2.", "children.0."


def _silent_writers(layout: Page, out: dict[str, FieldValue]) -> set[tuple[str, str]]:
    """(writer, where) for writers who sign a page, or a row of it (``ROW``; "" for the whole
    page), yet left no mark anywhere there (every box of theirs, their signature too, read
    empty) while another writer wrote there: on a 1-bit page, the fax may have lost their pen.

    A fax machine set light (``bench/faxmodes.py`` text-light: dev 6464's forms thresholded at
    80) lost parents' pens on DCC-94E rows whose child the provider had named: the rows read as
    no attendance and no missing initials, and six defective sheets were accepted; none is
    now. Re-run on the page reads of both bench pools and four development sets, the bench
    pools are unchanged and 8 clean sheets of 395 on the development sets go to a person
    (rows of a child named and nothing else: a week of absence, which a fax that lost the
    parent's pen cannot be told from)."""
    marked: dict[tuple[str, str], bool] = {}
    signers = set()
    for f in layout.fields:
        fv = out.get(f.name)
        if not f.handwritten or fv is None:
            continue
        row = ROW.match(f.name)
        for where in ("", row.group(0)) if row else ("",):
            key = (f.filled_by, where)
            if f.type == "signature":
                signers.add(key)
            marked[key] = marked.get(key, False) or fv.value not in SILENT
    return {(w, where) for w, where in signers if not marked[(w, where)]
            and any(m for (other, there), m in marked.items() if there == where and other != w)}


def _signature_of(layout: Page, c: Crop, out: dict[str, FieldValue]) -> FieldValue | None:
    """The reading of the signature that witnesses the date ``c`` (None if none does)."""
    name = constraints.witness(layout.form, c.field.name)
    if name is None or layout.field(name).type != "signature":
        return None
    return out.get(name)


def _inkless(layout: Page, c: Crop, out: dict[str, FieldValue]) -> bool:
    """The date beside a surely made signature shows no ink."""
    fv = out[c.field.name]
    return (_written(_signature_of(layout, c, out), WITNESS_SURE) and not c.ink.present
            and fv.value is None and fv.confidence < WITNESS_SURE)


def _faded(layout: Page, c: Crop, out: dict[str, FieldValue]) -> bool:
    """The date beside a wet signature was read, but under ``FAINT_DATE``. Seven development
    sets (2 467 pages): 23 PBFs so, 22 of them sent to a person already; capping the provider's
    empty codes changed no other figure and turned the one accepted (a false accept) to
    review."""
    signature, fv = _signature_of(layout, c, out), out[c.field.name]
    return (signature is not None and signature.value == "wet" and fv.value is not None
            and fv.confidence < FAINT_DATE)


def _witnessed(form: str, c: Crop, out: dict[str, FieldValue], likely: bool = False) -> bool:
    """Whether the box written together with ``c``'s (its time's parent initials, its date's
    signature: ``constraints.witness``) is surely written: then ``c`` looking empty is more
    likely writing a fax lost. On four dev sets, of the time boxes read empty beside initials
    present at ``WITNESS_SURE``, 181 were written (58 of them had been empty at 0.75 or more)
    and 2 empty.

    ``likely``: for a time box whose emptiness is itself in doubt (read empty only at
    ``BLANK_EMPTY`` or ``FAINT_EMPTY``), initials present at ``WITNESS_LIKELY`` are enough. On
    seven dev sets (2 467 pages), of such time boxes beside initials present at 0.6-0.95, 20
    were written and 9 empty; at 1.0 they were empty 24 times of 44. Claimed empty, the written
    ones made four false ``dcc94e.times_recorded`` on faint faxes of set 8686."""
    other = out.get(constraints.witness(form, c.field.name) or "")
    return _written(other, WITNESS_LIKELY if likely and c.field.type == "time" else WITNESS_SURE)


def _written(fv: FieldValue | None, sure: float) -> bool:
    """Whether a witness box (initials, a signature) was read as made, at least ``sure``."""
    return fv is not None and fv.value not in (None, "absent", "blank") and fv.confidence >= sure


def _faint(c: Crop, empty: FieldValue, reading: HandReading,
           partner_written: bool = False) -> FieldValue:
    """A handwritten box the ink test called empty, but not surely (specks near its
    thresholds, or writing a fax nearly lost), decided by reading it.

    Development sets 7373, 8080 and 5151, 359 such boxes. The 6 the model read at 0.5 or more
    held that writing: a confident reading is taken. Where the model saw no writing at all,
    288 were empty and 10 were not: the box is empty at ``FAINT_EMPTY``, unless the other end
    of its span is written (an arrival without its departure) or its initials are
    (``_witnessed``; such a box is read here even when the ink test was sure). Where the model
    saw something it could not read (31 empty, 24 written), the box stays as unsure as the ink
    test left it, for a person; except a box for DCC staff (a PBF's worker exception), which
    a returned form rarely holds: seven dev sets had 87 such boxes, 85 of them empty.

    An unsure empty box whose other end is written is more likely faint writing than not:
    on development sets 7373 and 8080, 76 such time boxes left empty at under 0.95 were all
    written (the ink test's raw certainty had put 18 of them at 0.5-0.85). It is empty at
    ``FAINT_DOUBT``: too unsure for a rule to claim a missing time on it (``UNSURE``), and
    the document goes to a person."""
    if reading.confidence >= FAINT_READ and reading.value is not None:
        return _value(c.field, reading.value, reading.confidence, c.box, _alternatives(reading))
    if partner_written:
        return replace(empty, confidence=min(empty.confidence, FAINT_DOUBT))
    if reading.value is not None and c.field.filled_by != "staff":
        return empty
    return replace(empty, confidence=max(empty.confidence, FAINT_EMPTY))


def _reader(kind: str, printed: bool) -> tuple[int, str | None, bool]:
    """How Tesseract reads a box of type ``kind``: page segmentation, characters, dictionary."""
    return (PRINTED_READERS if printed else READERS).get(kind, READERS[kind])


def _read_typed(group: list[Crop], printed: bool, dpi: int, form: str) -> list[FieldValue]:
    """Crops read the same way (``_reader``) read by Tesseract in one run, each as a value of
    its own type. Printed crops read with less than ``REREAD_BELOW`` confidence are read once
    more at twice the size, and the more confident reading is kept (development set: printed
    fields 1150 -> 1173 of 1217 right, about a fifth of the printed crops read twice). A
    printed date, amount or number still unread as its type is read glyph by glyph
    (``GLYPH_FALLBACK``)."""
    kinds = [c.field.type for c in group]
    psm, whitelist, dictionary = _reader(kinds[0], printed)
    images = [_for_ocr(c) for c in group]
    readings = ocr.read_lines(images, dpi, psm=psm, whitelist=whitelist, dictionary=dictionary,
                              unsure=True)
    numbered = [constraints.vocabulary(form, c.field.name) for c in group]
    values = [_typed_value(c, kind, printed, text, conf, n)
              for c, kind, (text, conf), n in zip(group, kinds, readings, numbered)]
    again = [i for i, fv in enumerate(values) if printed and fv.confidence < REREAD_BELOW]
    if again:
        bigger = [cv2.resize(images[i], None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
                  for i in again]
        for i, (text, conf) in zip(again, ocr.read_lines(bigger, 2 * dpi, psm=psm,
                                                          whitelist=whitelist,
                                                          dictionary=dictionary, unsure=True)):
            second = _typed_value(group[i], kinds[i], printed, text, conf, numbered[i])
            if second.confidence > values[i].confidence:
                values[i] = second
    for i, (fv, kind) in enumerate(zip(values, kinds)):
        if printed and fv.value is None and kind in GLYPH_FALLBACK and group[i].ink.present:
            text, conf = glyphs.read_chars(group[i].ink.mask, GLYPH_FALLBACK[kind])
            glyphed = _typed_value(group[i], kind, printed, text, min(conf, GLYPH_FALLBACK_MAX))
            values[i] = glyphed if glyphed.value is not None else fv
    return values


def _typed_value(c: Crop, kind: str, printed: bool, text: str, conf: float,
                 numbered: list[str] = ()) -> FieldValue:
    """A reading as a value of its type. ``numbered``: the field's allowed values, when some
    end in a roman numeral ("LICENSED TYPE II"): the numeral is then counted on the image."""
    if printed and kind in PRINTED_READERS:
        text = text.translate(PRINTED_LOOKALIKES)
    if printed and kind == "name":
        text = names.printed_name(text)
    if printed and kind in END_SPECKS:
        text = text.strip().strip(END_SPECKS[kind])
    if printed and kind == "text" and any(glyphs.NUMERAL_END.search(v) for v in numbered):
        text, conf = _numeral_by_stems(c, text.strip(), conf, numbered)
    if kind == "money" and "." not in text and len(re.sub(r"\D", "", text)) >= 3:
        digits = re.sub(r"\D", "", text)      # printed money always has cents
        text, conf = f"{digits[:-2]}.{digits[-2:]}", conf * 0.8
    return _value(c.field, text.strip(), conf, c.box)


def _few_chars(ink: inklib.Ink) -> bool:
    """A printed value of at most three characters: three blobs at most, and no wider than
    three digits. A faxed ten-digit case number can be as few blobs, its digits run together,
    and read as glyphs it lost one of each joined pair (development set: 11 of 19 misread
    case numbers of DCC-97 forms)."""
    columns = np.nonzero(ink.mask.any(axis=0))[0]
    return ink.blobs <= 3 and len(columns) > 0 and \
        columns[-1] - columns[0] <= FEW_CHARS_WIDTH * max(ink.tallest, 1)


def _numeral_by_stems(c: Crop, text: str, conf: float,
                      numbered: list[str] = ()) -> tuple[str, float]:
    """A printed line that may end in a roman numeral, with the numeral as its bars count it.

    On faxes Tesseract read "LICENSED TYPE II" as "TYPE I", "TYPE H" or just "TYPE" at about
    0.53, and a right "TYPE I" at the same 0.53 (development sets: 12 of 69 wrong). Counted bars
    were right on all 69, so a count lifts the reading to ``STEMS_SURE``, whatever OCR made of
    the last word; a line not ending in bars (CERTIFIED) stays as read. When the words before
    the bars are those of an allowed value (``numbered``), that value is the reading: OCR also
    made "ti" of the bars of a clean scan's "II"."""
    stems = glyphs.numeral_stems(_without_strays(c.ink.mask))
    if stems is None:
        return text, conf
    for allowed in numbered:
        head, _, tail = allowed.rpartition(" ")
        if head and tail == "I" * stems and text.startswith(head + " "):
            return allowed, max(conf, STEMS_SURE)
    words = text.split()
    if words and NUMERAL_LIKE.fullmatch(words[-1]):
        words = words[:-1]
    return " ".join(words + ["I" * stems]), max(conf, STEMS_SURE)


def _fbox(c: Crop) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in c.box)


def _for_ocr(c: Crop) -> np.ndarray:
    """The crop Tesseract sees: black writing on white, box borders and specks removed."""
    return np.where(_without_strays(c.ink.mask) > 0, 0, 255).astype(np.uint8)


def _without_strays(mask: np.ndarray) -> np.ndarray:
    """``mask`` without small blobs standing apart from the writing: a fax speck a little
    larger than the ink test's speck size, a few letter-widths right of "SCOTT", comes back from
    Tesseract as a final "I". A blob under 40 % of the tallest blob's height, further than that
    height from every tall blob, is dropped; a comma or full stop beside its word stays."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    tall_h = heights.max()
    tall = [i for i in range(1, count) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.4 * tall_h]
    out = mask.copy()
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_HEIGHT] >= 0.4 * tall_h:
            continue
        x0 = stats[i, cv2.CC_STAT_LEFT]
        x1 = x0 + stats[i, cv2.CC_STAT_WIDTH]
        gap = min(max(stats[j, cv2.CC_STAT_LEFT] - x1,
                      x0 - stats[j, cv2.CC_STAT_LEFT] - stats[j, cv2.CC_STAT_WIDTH], 0)
                  for j in tall)
        if gap > tall_h:
            out[labels == i] = 0
    return out


def _signature(c: Crop, text: str, conf: float) -> FieldValue:
    """wet / electronic: e-sign stamps and "/s/" say so in words (or by an envelope ID, the
    long hexadecimal number under a DocuSign name); a typed name reads cleanly as letters;
    pen strokes read as nothing or as low-confidence noise. A name read unsurely goes to a
    person (``UNSURE_WET`` is under the routing threshold), and so does ink read as two or more
    lines with letters: a stamp's header, name and envelope ID, its telling words spoilt by
    the fax ("hy” / imlegary “ones" for "DocuSigned by: / Megan Jones"). Dev sets 3131, 3232
    and 4343: 19 of 26 e-sign blocks read as several such lines, 2 of 1516 wet signatures."""
    letters = _letters(text)
    if ELECTRONIC.search(text) or ENVELOPE_ID.search(text):
        return FieldValue("electronic", 0.97, 0, _fbox(c), "signature")
    words = _lettered(text.split())
    if conf >= 0.75 and len(words) >= 2 and len(letters) >= 6:
        return FieldValue("electronic", min(0.95, conf), 0, _fbox(c), "signature")
    if conf < 0.4 or len(letters) < 3:
        certainty = 0.97
    else:           # pen strokes read as "Qs Arh" or "WANA"; a faxed typed name as words
        certainty = UNSURE_WET if len(NAME_WORD.findall(text)) >= 2 else 0.8
    if len(_lettered(text.splitlines())) >= 2:   # lines of type (a stamp whose words the fax
                                                  # spoilt), not a pen
        certainty = min(certainty, UNSURE_WET)
    return FieldValue("wet", certainty, 0, _fbox(c), "signature")


def _letters(text: str) -> str:
    return re.sub(r"[^A-Za-z]", "", text)


def _lettered(parts: list[str]) -> list[str]:
    """The parts (words, lines) holding two letters or more."""
    return [part for part in parts if len(_letters(part)) >= 2]


def _handwritten(c: Crop, reading: HandReading) -> FieldValue:
    """A handwritten code, time, date or number read by the handwriting model, with what the
    form already says about it (``constraints.prior``), and its alternatives: the value at
    its (calibrated) confidence, then the runners-up with their shares of the beam
    (``FieldValue.distribution`` turns them into probabilities). A reading the model gives
    no chance at all is no value (ink, but nothing legible). Ink in which the reader finds
    no writing at all (``Reading.blank``: specks, a bit of the box's border, the end of the
    next box's writing run over the border) is an empty box, ``BLANK_EMPTY`` sure, and so is
    a time box whose ink is too slight to be a time and holds nothing legible (``_slight``)."""
    if reading.blank or (reading.confidence < UNREADABLE and _slight(c)):
        return _value(c.field, None, BLANK_EMPTY, c.box)
    if reading.confidence < UNREADABLE:
        return _value(c.field, "", reading.confidence, c.box)
    return _value(c.field, reading.text, reading.confidence, c.box, _alternatives(reading))


def _slight(c: Crop) -> bool:
    """Whether the ink of a time box is too slight to be a time, when the reader finds no
    time in it: under ``SLIGHT_FRACTION`` of the box in at most ``SLIGHT_BLOBS`` pieces (a
    time is three characters or more; this is a speck, a piece of border or a fax's streak),
    once a streak across the box a little out of true is taken out
    (``inklib.without_tilted_streak``). Codes are not judged so: a written "1" is as slight."""
    if c.field.type != "time":
        return False
    ink = c.ink
    raw = inklib.remove_rules((c.binary < 128).astype(np.uint8))
    rest = inklib.without_tilted_streak(raw)
    if not np.array_equal(rest, raw):
        ink = inklib.measure(np.where(rest > 0, 0, 255).astype(np.uint8))
    return not ink.present or (ink.fraction < SLIGHT_FRACTION and ink.blobs <= SLIGHT_BLOBS)


def _clock(crops: list[Crop], readings: list[HandReading], priors: list) -> dict[int, tuple]:
    """By index, the posterior over the times of day (``clock.posteriors``) of each time read
    legibly but under ``clock.REREAD_BELOW``."""
    unsure = [i for i, r in enumerate(readings[:len(crops)])
              if r.value is not None and UNREADABLE <= r.confidence < clock.REREAD_BELOW]
    inputs = {i: prepare(crops[i].grey) for i in unsure}
    unsure = [i for i in unsure if inputs[i] is not None]
    if not unsure:
        return {}
    found = clock.posteriors([inputs[i] for i in unsure], [priors[i] for i in unsure],
                             [[v for v, _ in readings[i].alternatives] for i in unsure])
    return dict(zip(unsure, found))


def _alternatives(r: HandReading) -> tuple[tuple[str, float], ...]:
    return ((r.value, r.confidence),) + tuple(r.alternatives[1:]) if r.alternatives else ()
