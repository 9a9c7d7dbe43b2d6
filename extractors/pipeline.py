"""The pipeline, stage by stage. This is the one place that shows the order of the work.

    loaded = load_pages(path)                         # 1. file -> page images (+ text layer)
    reads = [read_page(p, i) for i, p in enumerate(loaded.pages)]
        # per page: 2. fax header  3. clean + deskew  4. orient  5. classify + register
        #           (a near miss decided by the form's own words)
        #           6. read every field by its type, then what the form allows
    received = received_at_for(path, loaded, reads)   # 7. sidecar, fax header, e-mail Date
    extract = assemble(path.name, received, reads)    # 8. number unsure repeated pages,
                                                      #    group pages into documents,
                                                      #    names against known names,
                                                      #    sheet weeks against PBF months
                                                      # 9. validators: findings and route

``extract_file`` runs them all. The service runs ``read_page`` as one job per page (the
expensive part, so a 30-page fax uses every worker) and ``assemble`` once per submission;
``PageRead`` therefore converts to and from JSON.

Everything here is pure: files are read in ``load_pages`` only; nothing is written.
"""
from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from . import constraints, faxheader, group, names, neardates, normalize, ocr, received, weeks
from . import classify as classify_by
from .classify import classify
from .register import Fit, register
from .forms import Page, load_form
from .load import Loaded, SourcePage, load
from .model import Extract, FieldValue, PageInfo
from .read import read_page_fields

# Which form a page is, is decided on a reduced copy: coarse rules are enough to tell the forms
# apart and tolerate residual skew better; the fit used to crop fields is then made at full size.
# The orientation step classifies at the same resolution, and its result is reused.
CLASSIFY_DPI = normalize.ORIENT_DPI

__all__ = ["PageRead", "load_pages", "read_page", "received_at_for", "assemble", "read_file",
           "extract_file"]


@dataclass
class PageRead:
    """Everything learnt from one page on its own."""
    index: int
    form: str                                   # "DCC-94", "DCC-97", "DCC-94E" or "other"
    page: int | None                            # form page number
    of: int | None                              # page count printed on the page
    rotation: int
    skew: float
    fax_header: str | None
    image_size: tuple[int, int]
    score: float                                # how well the layout fit (classification)
    fields: dict[str, FieldValue] = field(default_factory=dict)
    kept_crops: dict[str, np.ndarray] = field(default_factory=dict)  # read again: read.KEPT_KINDS
    image: np.ndarray | None = None             # the upright page (not serialised)

    def info(self) -> PageInfo:
        return PageInfo(self.index, self.form, self.page, self.of, self.rotation, self.skew,
                        self.fax_header, self.image_size)

    def to_json(self) -> dict:
        return {"index": self.index, "form": self.form, "page": self.page, "of": self.of,
                "rotation": self.rotation, "skew": self.skew, "fax_header": self.fax_header,
                "image_size": list(self.image_size), "score": self.score,
                "fields": {k: _field_json(v) for k, v in self.fields.items()},
                "kept_crops": {k: _png(v) for k, v in self.kept_crops.items()}}

    @classmethod
    def from_json(cls, raw: dict) -> "PageRead":
        return cls(raw["index"], raw["form"], raw["page"], raw["of"], raw["rotation"],
                   raw["skew"], raw["fax_header"], tuple(raw["image_size"]), raw["score"],
                   {k: _field_from_json(v) for k, v in raw["fields"].items()},
                   {k: _unpng(v) for k, v in raw.get("kept_crops", {}).items()})


def _field_json(fv: FieldValue) -> dict:
    """A field as the contract has it, plus the reader's alternatives and posterior (kept
    between the service's page and document jobs; not part of ``ccap extract``'s output)."""
    out = fv.to_json()
    if fv.alternatives:
        out["alternatives"] = [[v, round(float(p), 4)] for v, p in fv.alternatives]
    if fv.posterior:
        out["posterior"] = [[v, round(float(p), 6)] for v, p in fv.posterior]
    return out


def _field_from_json(raw: dict) -> FieldValue:
    fv = FieldValue.from_json(raw)
    fv.alternatives = tuple((v, p) for v, p in raw.get("alternatives", ()))
    fv.posterior = tuple((v, p) for v, p in raw.get("posterior", ()))
    return fv


def _png(image: np.ndarray) -> str:
    return base64.b64encode(cv2.imencode(".png", image)[1].tobytes()).decode()


def _unpng(text: str) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(base64.b64decode(text), np.uint8), cv2.IMREAD_GRAYSCALE)


def load_pages(path: Path) -> Loaded:
    """Stage 1: the file's pages as images (raises ``errors.ExtractError`` for bad input)."""
    return load(Path(path))


def read_page(source: SourcePage, index: int) -> PageRead:
    """Stages 2-6 for one page."""
    placed = place_page(source, index)
    read = placed.read
    if placed.layout is None:
        return read
    sideways = normalize.lines_upright(source.source_dpi, read.rotation)
    fields = read_page_fields(placed.layout, placed.fit, placed.grey, placed.binary,  # 6. read
                              source.text_words, keep=read.kept_crops,
                              shades=not normalize.is_bilevel(source.image),
                              upright_lines=sideways)
    read.page, read.of, fields = _page_number(load_form(read.form), read.page, fields)
    read.fields = constraints.apply(read.form, fields)
    for value in read.fields.values():
        value.page = index
    return read


@dataclass
class Placed:
    """A page cleaned, turned upright, classified and registered (stages 2-5): what reading
    its fields starts from. ``layout`` and ``fit`` are None for a page that is no form."""
    read: PageRead
    grey: np.ndarray
    binary: np.ndarray
    layout: Page | None = None
    fit: Fit | None = None


def place_page(source: SourcePage, index: int) -> Placed:
    """Stages 2-5 for one page."""
    grey, dpi = source.image, source.dpi
    header = None
    if source.text_words is None:                               # 2. fax header (as received)
        text = received.header_text(grey, dpi)
        header = text.strip() if text and faxheader.parse(text) else None
    binary = normalize.despeckle(normalize.binarize(grey), dpi)   # 3. clean and straighten
    skew, rotation, found = 0.0, 0, None
    if source.text_words is None:                   # a born-digital page is already upright
        skew, binary = normalize.deskew(binary)
        grey = normalize.straighten(grey, skew)
        rotation, found = normalize.orientation(binary, dpi)     # 4. orientation
        binary = normalize.rotate(binary, rotation)
        grey = normalize.rotate(grey, rotation)
    ink = normalize.ink_mask(binary)                             # 5. classify + register
    if found is None:            # orientation found no form in any turn (or did not run)
        found = classify(normalize.reduce_ink(ink, dpi, CLASSIFY_DPI), CLASSIFY_DPI)
    if classify_by.needs_words(found):     # a near miss: the form's own words decide
        found = classify_by.by_words(found, [w.text for w in ocr.words(grey, dpi)])
    size = (binary.shape[1], binary.shape[0])
    read = PageRead(index, found.form, found.page, None, rotation, skew, header, size,
                    found.score, image=grey)
    if found.form == "other":
        return Placed(read, grey, binary)
    layout = load_form(found.form).page(found.page)
    return Placed(read, grey, binary, layout, register(ink, layout, dpi))


def _page_number(form, grid_page: int, fields: dict[str, FieldValue]):
    """(page number, page count, fields named for that page). Forms that repeat a grid (DCC-97)
    print "Page N of M"; page N's fields carry N's names (``p2.``, ``children.3``...)."""
    if "page_number" not in fields:
        return grid_page, form.page_count if (form.page_count or 0) > 1 else None, fields
    number = _int(fields["page_number"].value) or grid_page
    count = _int(fields.get("page_count", FieldValue(None)).value)
    if number > 1 and form.repeat is not None:
        names = form.renaming(grid_page, number)
        fields = {names.get(k, k): v for k, v in fields.items()}
    return number, count, fields


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and 0 < int(value) < 100 else None
    except ValueError:
        return None


def received_at_for(path: Path, loaded: Loaded, reads: list[PageRead]) -> str | None:
    """Stage 7: when the file was received (``received``: sidecar, fax header, e-mail Date)."""
    # every page of a fax carries the same header time: a vote outlasts one misread digit
    parsed = [(h.sent_at, r.fax_header) for r in sorted(reads, key=lambda r: r.index)
              if r.fax_header and (h := faxheader.parse(r.fax_header)) and h.sent_at]
    header = None
    if parsed:
        votes = Counter(when for when, _ in parsed)
        winner = max(votes, key=lambda when: votes[when])
        header = next(text for when, text in parsed if when == winner)
    return received.received_at(Path(path), loaded, header)[0]


def assemble(source: str, received_at: str | None, reads: list[PageRead],
             history=None) -> Extract:
    """Stages 8-9: number and group pages into documents, then apply the validators."""
    import validators

    reads = group.number_pages(sorted(reads, key=lambda r: r.index))
    documents = group.documents(reads)
    crops = {(r.index, name): crop for r in reads for name, crop in r.kept_crops.items()}
    documents = names.resolve(documents, crops)          # handwritten names vs known names
    documents = weeks.resolve(documents, crops, received_at)   # a sheet's week: its month
    documents = neardates.resolve(documents, crops, received_at)  # a guess vs its window
    extract = Extract(source, received_at, [r.info() for r in reads], documents)
    return validators.check(extract, history)


def read_file(path: Path, received_at: str | None = None
              ) -> tuple[str | None, list[PageRead]]:
    """Stages 1-7 for one file: when it was received (``received_at`` when given), and its
    pages read."""
    loaded = load_pages(path)
    reads = [read_page(page, i) for i, page in enumerate(loaded.pages)]
    return received_at or received_at_for(Path(path), loaded, reads), reads


def extract_file(path: Path, received_at: str | None = None, history=None) -> Extract:
    """Every stage, in order, for one file."""
    received, reads = read_file(path, received_at)
    return assemble(Path(path).name, received, reads, history)
