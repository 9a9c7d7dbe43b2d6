"""Between the pipeline's dataclasses and the store's rows: pages read, documents assembled.

``fill_page`` keeps a page's ``PageRead`` (as JSON) on its row, so assembling never needs to
read a page again; ``build_extract`` turns the stored reads into a checked ``Extract``;
``save_extract`` writes its documents, fields and findings in one transaction that also moves
the submission to ``done``, so a crash leaves either nothing or everything.
"""
from __future__ import annotations

import logging

import numpy as np
from PIL import Image
from sqlalchemy import delete, select

from extractors.model import Extract
from intake import certificates
from intake.config import Config
from intake.history import StoreHistory
from intake.store import Document, FieldRow, FindingRow, Page, Store, Submission, utcnow

log = logging.getLogger(__name__)


def save_page_image(config: Config, sha: str, index: int, read) -> str | None:
    """Save the upright page image the review app shows (when the read carries one); returns
    its path relative to the data directory."""
    image = getattr(read, "image", None)
    if image is None:
        return None
    path = config.page_image_path(sha, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.fromarray(np.asarray(image)) if not isinstance(image, Image.Image) else image
    tmp = path.with_suffix(".tmp.png")
    img.save(tmp, optimize=False)
    tmp.replace(path)
    return str(path.relative_to(config.data_dir))


def fill_page(page: Page, read) -> None:
    """Copy what the review app lists (form, page number, rotation) and keep the whole read."""
    page.read = read.to_json()
    page.form, page.form_page, page.of = read.form, read.page, read.of
    page.rotation, page.skew_degrees = read.rotation, read.skew


def build_extract(store: Store, sub_id: int) -> Extract:
    """The submission's documents from its stored page reads, grouped and validated."""
    from extractors import pipeline
    from extractors.load import Loaded
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        rows = s.scalars(select(Page).where(Page.submission_id == sub_id)
                         .order_by(Page.index)).all()
        filename, received_at, sha = sub.filename, sub.received_at, sub.sha256
        raw_reads = [r.read for r in rows]
    reads = [pipeline.PageRead.from_json(r) for r in raw_reads]
    if received_at is None:     # no sidecar: the fax header (e-mails were split at ingest,
        # their Date is already the attachments' received_at)
        received_at = pipeline.received_at_for(store.config.original_path(sha),
                                               Loaded("", []), reads)
    return pipeline.assemble(filename, received_at, reads,
                             history=StoreHistory(store, exclude_submission=sub_id))


def provider_number(doc) -> str | None:
    fv = doc.fields.get("provider_number")
    return fv.value if fv is not None else None


def save_extract(store: Store, sub_id: int, extract: Extract, seconds: float) -> None:
    """Store ``extract``'s documents and finish the submission, all or nothing. Running it a
    second time for a finished submission changes nothing."""
    with store.session() as s:
        sub = s.get(Submission, sub_id, with_for_update=True)
        if sub.state != "assembling":
            return
        if sub.received_at is None and extract.received_at:
            sub.received_at = extract.received_at
        old = s.scalars(select(Document.id).where(Document.submission_id == sub_id)).all()
        if old:     # a half-written earlier run cannot exist (one transaction), but be sure
            s.execute(delete(FieldRow).where(FieldRow.document_id.in_(old)))
            s.execute(delete(FindingRow).where(FindingRow.document_id.in_(old)))
            s.execute(delete(Document).where(Document.id.in_(old)))
        rows = []
        for n, doc in enumerate(extract.documents):
            row = Document(submission_id=sub_id, index=n, form=doc.form, pages=list(doc.pages),
                           missing_pages=list(doc.missing_pages), route=doc.route,
                           status="complete", provider_number=provider_number(doc),
                           added_pages=[])
            write_fields(row, doc)
            s.add(row)
            rows.append(row)
        s.flush()
        certificates.tie(s, store.config, sub, rows)
        sub.state, sub.reason = "done", None
        sub.finished_at, sub.assemble_seconds = utcnow(), seconds
    log.info("submission %s done: %d documents", sub_id, len(extract.documents))


def write_fields(row: Document, doc) -> None:
    """Replace ``row``'s fields and findings with those of the core's ``doc``."""
    existing = {f.name: f for f in row.fields}
    for name, fv in doc.fields.items():
        f = existing.get(name)
        if f is None:
            f = FieldRow(name=name)
            row.fields.append(f)
        f.value, f.extracted, f.confidence = fv.value, fv.value, fv.confidence
        f.page, f.box, f.type, f.corrected = fv.page, list(fv.box), fv.type, False
    row.findings[:] = finding_rows(doc.findings)


def finding_rows(findings) -> list[FindingRow]:
    """Store rows for the core's findings."""
    return [FindingRow(rule=x.rule, severity=x.severity, message=x.message,
                       fields=list(x.fields), policy=x.policy) for x in findings]


__all__ = ["save_page_image", "fill_page", "build_extract", "save_extract", "write_fields",
           "finding_rows"]
