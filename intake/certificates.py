"""Certificates (DCC-94) whose pages come in separate faxes.

A certificate with missing pages does not go to review at once: it ``waits`` (for
``CCAP_CERT_WAIT_HOURS``, default 48 h) for the rest to arrive. When a later submission brings
pages that tie to it (``validators.completeness``: same certificate number, or same case number
and date generated), the pages are put together: once the certificate is whole, the earliest
document takes the others' fields and pages, is ``completed`` and validated again; the later
partial documents are ``merged`` into it. Corrections a Family Support worker already made to
any part (kept as ``correct`` events in the trail) are applied again on top of the assembled
readings before the validators run, so a completion never undoes a person's work. A wait
that runs out sends the document to review as ``incomplete`` (``workers.queue.expire_waiting``,
run by ``reconcile``).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from extractors.model import Extract, PageInfo
from intake.config import Config
from intake.store import (Document, FieldRow, Page, ReviewEvent, Submission,
                          latest_corrections, utcnow)  # noqa: F401
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


def lock(s: Session) -> None:
    """Hold, until ``s``'s transaction ends, the one lock that assembling certificates and a
    person's correction take: two halves of a certificate assembled at the same moment must
    not each miss the other's uncommitted rows, and a correction made while its certificate is
    being completed must be either seen by the completion or made on its result, never lost
    in between. PostgreSQL: a transaction-level advisory lock; on SQLite every writing
    transaction already is one at a time (``BEGIN IMMEDIATE``)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(94)"))


def tie(s: Session, config: Config, sub: Submission, rows: list[Document]) -> None:
    """Wait, or complete earlier certificates, for the partial certificates among ``rows``
    (documents just stored for ``sub``, flushed, in the caller's transaction)."""
    partial = [d for d in rows if d.form == FORM and d.missing_pages]
    if not partial:
        return
    lock(s)
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


def completed_at(s: Session, doc: Document) -> str | None:
    """When a certificate completed across faxes was whole: the receipt of its last part (the
    10-day window is judged on it); for any other document its own receipt. None when a
    part's receipt time is unknown."""
    from datetime import datetime
    subs = {doc.submission_id} | {int(sid) for sid, _ in doc.added_pages or []}
    times = [s.get(Submission, sid).received_at for sid in sorted(subs)]
    if not times or any(t is None for t in times):
        return None
    return max(times, key=datetime.fromisoformat)


def _reading(row: FieldRow) -> str | None:
    """What the pipeline read into a field, whatever a person made of it since."""
    return row.extracted if row.corrected else row.value


def _take_readings(s: Session, primary: Document, others: list[Document]) -> None:
    """Put the parts' readings together: a field keeps the earliest part's reading unless that
    part could not read it and a later one could. Decided on readings, never on corrections,
    which :func:`_apply_corrections` puts back on top."""
    for other in others:
        for f in other.fields:
            mine = primary.field(f.name)
            if mine is None or (_reading(mine) is None and _reading(f) is not None):
                if mine is not None:
                    primary.fields.remove(mine)
                    s.flush()
                primary.fields.append(FieldRow(name=f.name, value=_reading(f),
                                               extracted=_reading(f), confidence=f.confidence,
                                               page=f.page, box=list(f.box or []), type=f.type,
                                               corrected=False,
                                               submission_id=f.submission_id
                                               or other.submission_id))


def _apply_corrections(s: Session, primary: Document, parts: list[Document]) -> int:
    """Apply again, on top of the assembled readings, the newest correction a person made to
    each field of any part (even where a later part read the field again: a person decided).
    ``extracted`` keeps the reading. Returns how many corrections were applied."""
    applied = 0
    for name, event in latest_corrections(s, [d.id for d in parts]).items():
        row = primary.field(name)
        if row is None:
            continue
        row.value, row.extracted = event.new_value, _reading(row)
        row.corrected, row.confidence = True, 1.0
        applied += 1
    return applied


def _complete(s: Session, primary: Document, others: list[Document]) -> None:
    """Fold ``others``' pages and fields into ``primary``, apply the reviewers' corrections of
    every part again, and validate it on the corrected values."""
    import validators
    from intake.documents import finding_rows
    from intake.history import model_document
    _take_readings(s, primary, others)
    for other in others:
        primary.added_pages = list(primary.added_pages or []) + [
            [other.submission_id, i] for i in other.pages or []]
        other.status, other.merged_into_id, other.wait_until = "merged", primary.id, None
        s.add(ReviewEvent(document_id=other.id, submission_id=other.submission_id,
                          action="merged", note=f"pages added to document {primary.id}"))
    s.flush()
    kept = _apply_corrections(s, primary, [primary, *others])
    primary.missing_pages, primary.wait_until = [], None
    checked = validators.check(Extract(f"submission-{primary.submission_id}",
                                       completed_at(s, primary),
                                       _pages(s, primary.submission_id),
                                       [model_document(primary)])).documents[0]
    primary.route = checked.route
    primary.findings[:] = finding_rows(checked.findings)
    primary.status = "completed"
    note = "missing pages arrived in a later submission"
    if kept:
        note += f"; {kept} reviewer correction{'s' if kept > 1 else ''} applied again"
    s.add(ReviewEvent(document_id=primary.id, submission_id=primary.submission_id,
                      action="completed", note=note))


__all__ = ["tie", "completed_at", "lock"]
