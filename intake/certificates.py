"""Certificates (DCC-94) whose pages come in separate faxes.

A certificate with missing pages does not go to review at once: it ``waits`` (for
``CCAP_CERT_WAIT_HOURS``, default 48 h) for the rest to arrive. When a later submission brings
pages that tie to it (``validators.completeness``: same certificate number, or same case number
and date generated), the pages are put together: once the certificate is whole, the earliest
document takes the others' fields and pages, is ``completed`` and validated again; the later
partial documents are ``merged`` into it. A wait that runs out sends the document to review as
``incomplete`` (``workers.queue.expire_waiting``, run by ``reconcile``).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from extractors.model import Extract, PageInfo
from intake.config import Config
from intake.store import Document, Page, ReviewEvent, Submission, utcnow  # noqa: F401
from validators import completeness

FORM = completeness.FORM
OPEN = ("waiting", "incomplete")


def _pages(s: Session, sub_id: int) -> list[PageInfo]:
    rows = s.scalars(select(Page).where(Page.submission_id == sub_id).order_by(Page.index))
    return [PageInfo(p.index, p.form or "other", p.form_page, p.of) for p in rows]


def _as_extract(s: Session, docs: list[Document], sub_id: int) -> Extract:
    from intake.history import model_document
    return Extract(f"submission-{sub_id}", None, _pages(s, sub_id),
                   [model_document(d) for d in docs])


def tie(s: Session, config: Config, sub: Submission, rows: list[Document]) -> None:
    """Wait, or complete earlier certificates, for the partial certificates among ``rows``
    (documents just stored for ``sub``, flushed, in the caller's transaction)."""
    partial = [d for d in rows if d.form == FORM and d.missing_pages]
    if not partial:
        return
    if s.get_bind().dialect.name == "postgresql":
        # Two halves of a certificate assembled at the same moment must not each miss the
        # other's uncommitted rows: one at a time (SQLite's BEGIN IMMEDIATE already is).
        s.execute(text("SELECT pg_advisory_xact_lock(94)"))
    earlier = s.scalars(select(Document).where(Document.form == FORM,
                                               Document.status.in_(OPEN),
                                               Document.submission_id != sub.id)
                        .options(selectinload(Document.fields))
                        .order_by(Document.id)).all()
    by_sub: dict[int, list[Document]] = {sub.id: partial}
    for d in earlier:
        by_sub.setdefault(d.submission_id, []).append(d)
    extracts = [_as_extract(s, docs, sid) for sid, docs in by_sub.items()]
    owner = {}          # (source, page index) -> stored document
    for sid, docs in by_sub.items():
        for d in docs:
            for i in d.pages or []:
                owner[(f"submission-{sid}", i)] = d
    handled = set()
    for cert in completeness.certificates(extracts):
        docs = {owner[(r.source, r.index)].id: owner[(r.source, r.index)]
                for refs in cert.pages.values() for r in refs if (r.source, r.index) in owner}
        group = sorted(docs.values(), key=lambda d: d.id)
        if not any(d in partial for d in group):
            continue
        handled.update(d.id for d in group)
        if cert.whole and len(group) > 1:
            _complete(s, group[0], group[1:])
        else:
            for d in group:
                if d in partial:
                    d.status = "waiting"
                    d.wait_until = utcnow() + timedelta(hours=config.cert_wait_hours)
    for d in partial:
        if d.id not in handled:
            d.status = "waiting"
            d.wait_until = utcnow() + timedelta(hours=config.cert_wait_hours)


def _completed_at(s: Session, parts: list[Document]) -> str | None:
    """When the certificate was whole: the receipt of its last part (the 10-day window is
    judged on it). None when any part's receipt time is unknown."""
    from datetime import datetime
    times = [s.get(Submission, d.submission_id).received_at for d in parts]
    if not times or any(t is None for t in times):
        return None
    return max(times, key=datetime.fromisoformat)


def _complete(s: Session, primary: Document, others: list[Document]) -> None:
    """Fold ``others``' pages and fields into ``primary`` and validate it again."""
    import validators
    from intake.documents import write_fields
    from intake.history import model_document
    for other in others:
        for f in other.fields:
            mine = primary.field(f.name)
            if mine is None or (mine.value is None and f.value is not None):
                if mine is not None:
                    primary.fields.remove(mine)
                    s.flush()
                primary.fields.append(type(f)(name=f.name, value=f.value, extracted=f.extracted,
                                              confidence=f.confidence, page=f.page,
                                              box=list(f.box or []), type=f.type,
                                              corrected=f.corrected))
        primary.added_pages = list(primary.added_pages or []) + [
            [other.submission_id, i] for i in other.pages or []]
        other.status, other.merged_into_id, other.wait_until = "merged", primary.id, None
        s.add(ReviewEvent(document_id=other.id, submission_id=other.submission_id,
                          action="merged", note=f"pages added to document {primary.id}"))
    s.flush()
    primary.missing_pages, primary.wait_until = [], None
    doc = model_document(primary)
    checked = validators.check(Extract(f"submission-{primary.submission_id}",
                                       _completed_at(s, [primary, *others]),
                                       _pages(s, primary.submission_id), [doc])).documents[0]
    primary.route = checked.route
    write_fields(primary, checked)
    primary.status = "completed"
    s.add(ReviewEvent(document_id=primary.id, submission_id=primary.submission_id,
                      action="completed", note="missing pages arrived in a later submission"))


__all__ = ["tie"]
