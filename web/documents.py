"""What the review page shows of one stored document, worked out in Python so the template
stays plain: its pages (image, size, the field boxes as percentages of the image, so they scale
with it), its fields in the order a reviewer needs them, its findings and its due dates.

Field boxes come from the extract: ``[x0, y0, x1, y1]`` in pixels of the upright page image,
whose size is the page's ``image_size`` (kept in the page's ``read`` record, else read from the
PNG's header). A box is drawn as an absolutely positioned ``div`` over the image.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from extractors.forms import load_form
from extractors.model import Extract, PageInfo
from intake.certificates import completed_at
from intake.config import Config
from intake.history import model_document
from intake.store import Document, Page
from validators.routing import DEFAULT_THRESHOLD as LOW_CONFIDENCE
from web import duedates

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class BoxView:
    field: str
    left: float          # percent of the image width / height
    top: float
    width: float
    height: float
    classes: str


@dataclass
class PageView:
    number: int          # position in the document, 1-based ("page 2 of 3")
    form_page: int | None
    submission_id: int
    index: int           # page index in its submission
    image_url: str | None
    boxes: list[BoxView] = field(default_factory=list)
    missing: bool = False
    size: tuple[int, int] | None = None


@dataclass
class FieldView:
    name: str
    label: str
    value: str | None
    extracted: str | None
    confidence: float
    corrected: bool
    severity: str | None         # worst finding naming this field
    page_number: int | None      # which PageView shows it
    type: str | None

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE and self.value is not None


@dataclass
class Due:
    received: date | None
    review_due: date | None
    overdue: bool
    return_by: date | None       # DCC-94: date_generated + 10 days, printed on the form
    late: bool                   # received after return_by


def field_labels(form: str, page_count: int) -> dict[str, str]:
    """Layout label of every field of a ``form`` document with ``page_count`` pages."""
    try:
        layout = load_form(form)
    except KeyError:                      # "other": no layout
        return {}
    count = min(page_count, layout.page_count or page_count) or 1
    return {f.name: f.label for f in layout.fields(count)}


def due(doc: Document, today: date | None = None) -> Due:
    received = duedates.received_day(doc.submission.received_at) \
        or duedates.received_day(doc.submission.created_at)
    review_due = duedates.review_due(received) if received else None
    today = today or duedates.today()
    return_by_field = doc.field("return_by") if doc.form == "DCC-94" else None
    return_by = _date(return_by_field.value) if return_by_field else None
    return Due(received, review_due,
               overdue=bool(review_due and doc.review_state == "open" and doc.route == "review"
                            and today > review_due),
               return_by=return_by,
               late=bool(return_by and received and received > return_by))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@lru_cache(maxsize=512)
def _png_size(path: str, mtime: float) -> tuple[int, int] | None:
    try:
        with Image.open(path) as im:
            return im.size
    except OSError:
        return None


def page_image(cfg: Config, page: Page | None) -> tuple[Path | None, tuple[int, int] | None]:
    """Path and (width, height) of a stored page image, or (None, None) when there is none."""
    if page is None or not page.image_path:
        return None, None
    path = cfg.data_dir / page.image_path
    if not path.is_file():
        return None, None
    size = (page.read or {}).get("image_size")
    if size:
        return path, (int(size[0]), int(size[1]))
    return path, _png_size(str(path), path.stat().st_mtime)


def document_pages(doc: Document) -> list[tuple[int, int]]:
    """(submission id, page index) of each page, in form page order, then pages that arrived
    later in other submissions."""
    return [(doc.submission_id, i) for i in doc.pages or []] + \
        [(int(s), int(i)) for s, i in doc.added_pages or []]


def build(session, cfg: Config, doc: Document, url_for_page) -> tuple[list[PageView], list[FieldView]]:
    """Pages with their boxes and the fields, flagged fields first."""
    worst: dict[str, str] = {}
    for f in doc.findings:
        if f.resolved:
            continue
        for name in f.fields or []:
            if name not in worst or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[worst[name]]:
                worst[name] = f.severity

    page_keys = document_pages(doc)
    rows = {(p.submission_id, p.index): p for p in session.scalars(
        select(Page).where(Page.submission_id.in_({s for s, _ in page_keys} or {-1})))}
    pages: list[PageView] = []
    view_of: dict[tuple[int, int], PageView] = {}      # (submission id, page index) -> view
    for n, key in enumerate(page_keys, start=1):
        row = rows.get(key)
        path, size = page_image(cfg, row)
        view = PageView(n, row.form_page if row else None, key[0], key[1],
                        url_for_page(n) if path else None, size=size)
        pages.append(view)
        view_of.setdefault(key, view)
    for missing in doc.missing_pages or []:
        pages.append(PageView(len(pages) + 1, missing, doc.submission_id, -1, None, missing=True))

    labels = field_labels(doc.form, len(pages))
    fields: list[FieldView] = []
    for row in doc.fields:
        # a field a completed certificate took from a later fax is on that fax's page
        view = view_of.get((row.submission_id or doc.submission_id, row.page))
        fv = FieldView(row.name, labels.get(row.name, row.name), row.value, row.extracted,
                       row.confidence, row.corrected, worst.get(row.name),
                       view.number if view else None, row.type)
        fields.append(fv)
        if view is not None and view.size and row.box and len(row.box) == 4:
            view.boxes.append(_box(fv, row.box, view.size))
    fields.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity or "", 3),
                               0 if f.low_confidence else 1, 0 if f.value is not None else 1))
    return pages, fields


def _box(fv: FieldView, box: list[float], size: tuple[int, int]) -> BoxView:
    w, h = size
    x0, y0, x1, y1 = box
    classes = ["box"]
    if fv.value is not None:
        classes.append("has-value")
    if fv.severity:
        classes.append(f"finding-{fv.severity}")
    elif fv.low_confidence:
        classes.append("low-confidence")
    return BoxView(fv.name, 100 * x0 / w, 100 * y0 / h, 100 * (x1 - x0) / w, 100 * (y1 - y0) / h,
                   " ".join(classes))


# Rules that need other files (other billing forms of the year, the provider's attendance
# sheets): a correction on one document cannot re-decide them here, so their findings stay as
# the service or the auditors' batch check left them.
CROSS_FILE_RULES = ("dcc97.holiday_limit", "match.")


def revalidate(session, doc: Document) -> str:
    """Re-run the validators on ``doc`` with its current (corrected) values and replace its
    findings; returns a short summary of what changed ("" when nothing did). The route stays
    as the pipeline decided: the document is in a person's hands already."""
    from validators import check
    from intake.documents import finding_rows

    pages = session.scalars(select(Page).where(Page.submission_id == doc.submission_id)
                            .order_by(Page.index))
    infos = [PageInfo(p.index, p.form or "other", p.form_page, p.of, p.rotation or 0,
                      p.skew_degrees or 0.0) for p in pages]
    # a certificate completed by a later fax is judged on its last part's receipt, as it was
    # when it was completed (intake.certificates)
    extract = Extract(doc.submission.filename, completed_at(session, doc), infos,
                      [model_document(doc)])
    new = [f for f in check(extract).documents[0].findings
           if not f.rule.startswith(CROSS_FILE_RULES)]
    kept = [f for f in doc.findings if f.rule.startswith(CROSS_FILE_RULES)]
    before = {(f.rule, f.message) for f in doc.findings if not f.rule.startswith(CROSS_FILE_RULES)}
    after = {(f.rule, f.message) for f in new}
    if before == after:
        return ""
    for row in list(doc.findings):
        if row not in kept:
            doc.findings.remove(row)
    doc.findings.extend(finding_rows(new))
    session.flush()
    gone, added = len(before - after), len(after - before)
    parts = []
    if gone:
        parts.append(f"{gone} resolved")
    if added:
        parts.append(f"{added} new")
    return ", ".join(parts)
