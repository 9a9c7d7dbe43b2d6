"""The review queue and the review page: what a Family Support worker does all day.

A document needs a person when the pipeline routed it to ``review``. The worker opens it, sees
the page images with the problem fields outlined beside the findings in plain words, corrects
misread fields, and decides: approve, return to the provider (with the reason they will be
told), or reject. Every change is a ``ReviewEvent`` (who, what, old and new value), never a
silent overwrite; the value read by OCR stays in ``FieldRow.extracted``.
"""
from __future__ import annotations

import logging

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   url_for)
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extractors.values import normalise
from intake import certificates
from intake.store import Document, FieldRow, Page, ReviewEvent, Submission
from web import documents as docview
from web import duedates
from web.auth import can, current_user, roles
from web.db import close, db, settings, store

bp = Blueprint("review", __name__)
log = logging.getLogger("ccap.web.review")

# What identifies a document in the queue, per form (the rest is on the review page).
SUMMARY_FIELDS = {
    "DCC-94": {"provider": "provider.name", "reference": "certificate_number"},
    "DCC-97": {"provider": "provider_name", "reference": "billing_month"},
    "DCC-94E": {"provider": "provider_name", "reference": "week_of"},
}
# Field types with a closed set of values: a correction must be one of them (the normaliser reads
# any ink as "present"/"checked", which is right for OCR and wrong for a typed correction).
CHOICES = {"signature": ("wet", "electronic", "blank"), "initials": ("present", "absent"),
           "mark": ("checked", "unchecked")}
QUEUE_STATES = {"open": "To review", "returned": "Returned to provider",
                "approved": "Approved", "rejected": "Rejected"}
HIDDEN_STATUSES = ("waiting", "merged")     # a certificate still waiting for pages, or folded in


@bp.get("/queue")
@roles("worker")
def queue():
    state = request.args.get("state", "open")
    if state not in QUEUE_STATES:
        abort(404)
    s = db()
    query = (select(Document)
             .where(Document.review_state == state, Document.status.not_in(HIDDEN_STATUSES))
             .options(selectinload(Document.submission), selectinload(Document.findings))
             .limit(1000))
    if state == "open":
        query = query.where(Document.route == "review")
    docs = list(s.scalars(query))
    wanted = {n for names in SUMMARY_FIELDS.values() for n in names.values()} | {"return_by"}
    values: dict[tuple[int, str], str | None] = {}
    if docs:
        for doc_id, name, value in s.execute(
                select(FieldRow.document_id, FieldRow.name, FieldRow.value)
                .where(FieldRow.document_id.in_([d.id for d in docs]), FieldRow.name.in_(wanted))):
            values[(doc_id, name)] = value
    today = duedates.today()
    rows = []
    for doc in docs:
        names = SUMMARY_FIELDS.get(doc.form, {})
        received = duedates.received_day(doc.submission.received_at) \
            or duedates.received_day(doc.submission.created_at)
        review_due = duedates.review_due(received) if received else None
        counts = {sev: sum(1 for f in doc.findings if f.severity == sev and not f.resolved)
                  for sev in ("error", "warning", "info")}
        rows.append({
            "doc": doc, "received": received, "review_due": review_due,
            "overdue": bool(state == "open" and review_due and today > review_due),
            "provider": values.get((doc.id, names.get("provider", ""))),
            "reference": values.get((doc.id, names.get("reference", ""))),
            "return_by": values.get((doc.id, "return_by")) if doc.form == "DCC-94" else None,
            "counts": counts,
            "rules": sorted({f.rule for f in doc.findings if not f.resolved}),
        })
    rows.sort(key=lambda r: (r["review_due"] is None, r["review_due"] or today, r["doc"].id))
    failed = list(s.scalars(select(Submission).where(Submission.state == "failed")
                            .order_by(Submission.id).limit(200)))
    return render_template("queue.html", rows=rows, state=state, states=QUEUE_STATES,
                           today=today, overdue=sum(r["overdue"] for r in rows), failed=failed)


@bp.post("/submissions/<int:sub_id>/retry")
@roles("worker")
def retry(sub_id: int):
    """Start a failed submission again (the same as ``ccap retry ID``)."""
    from workers import queue as work_queue
    sub = db().get(Submission, sub_id)
    if sub is None or sub.state != "failed":
        flash(f"Submission #{sub_id} has not failed; nothing to retry.", "error")
        return redirect(url_for("review.queue"))
    user_id = current_user().id
    close()                       # retry writes through its own session (one SQLite writer)
    queued = work_queue.retry(settings(), sub_id, store())
    log.info("submission %s retried by user %s (queued=%s)", sub_id, user_id, queued)
    flash(f"Submission #{sub_id} is being read again." if queued else
          f"Submission #{sub_id} will be read again as soon as the queue is reachable.", "ok")
    return redirect(url_for("review.queue"))


def _document(doc_id: int) -> Document:
    doc = db().get(Document, doc_id, options=[selectinload(Document.fields),
                                              selectinload(Document.findings),
                                              selectinload(Document.submission)])
    if doc is None:
        abort(404)
    if doc.status == "merged" and doc.merged_into_id:
        return _document(doc.merged_into_id)
    return doc


@bp.get("/documents/<int:doc_id>")
@roles("worker", "auditor")
def document(doc_id: int):
    doc = _document(doc_id)
    if doc.id != doc_id:
        return redirect(url_for("review.document", doc_id=doc.id))
    pages, fields = docview.build(
        db(), settings(), doc, lambda n: url_for("review.page_image", doc_id=doc.id, number=n))
    selected = request.args.get("field")
    events = list(db().scalars(select(ReviewEvent).where(ReviewEvent.document_id == doc.id)
                               .options(selectinload(ReviewEvent.user))
                               .order_by(ReviewEvent.id)))
    open_findings = [f for f in doc.findings if not f.resolved]
    return render_template(
        "document.html", doc=doc, pages=pages, fields=fields, due=docview.due(doc),
        findings=sorted(open_findings, key=lambda f: docview.SEVERITY_ORDER.get(f.severity, 3)),
        selected=next((f for f in fields if f.name == selected), None), events=events,
        editable=can("worker") and doc.review_state == "open",
        submission=doc.submission, choices=CHOICES)


@bp.get("/documents/<int:doc_id>/pages/<int:number>.png")
@roles("worker", "auditor")
def page_image(doc_id: int, number: int):
    doc = _document(doc_id)
    keys = docview.document_pages(doc)
    if not 1 <= number <= len(keys):
        abort(404)
    sub_id, index = keys[number - 1]
    page = db().scalar(select(Page).where(Page.submission_id == sub_id, Page.index == index))
    path, _ = docview.page_image(settings(), page)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"     # personal data: no caches
    return response


# -- decisions ---------------------------------------------------------------------------------

def _open_for_change(doc_id: int) -> Document:
    doc = _document(doc_id)
    if doc.review_state != "open":
        flash(f"This document was already {doc.review_state}; nothing changed.", "error")
        abort(redirect(url_for("review.document", doc_id=doc.id)))
    return doc


def _event(doc: Document, action: str, **kw) -> None:
    db().add(ReviewEvent(document_id=doc.id, submission_id=doc.submission_id,
                         user_id=current_user().id, action=action, **kw))


@bp.post("/documents/<int:doc_id>/correct")
@roles("worker")
def correct(doc_id: int):
    certificates.lock(db())     # not while the certificate this may be part of is completed
    doc = _open_for_change(doc_id)
    name = request.form.get("field", "")
    row = doc.field(name)
    if row is None:
        flash("Choose a field of this document to correct.", "error")
        return redirect(url_for("review.document", doc_id=doc.id))
    raw = request.form.get("value", "").strip()
    if row.type in CHOICES:
        value = raw.lower()
        if value not in CHOICES[row.type]:
            flash(f"A {row.type} is one of: {', '.join(CHOICES[row.type])}; nothing changed.",
                  "error")
            return redirect(url_for("review.document", doc_id=doc.id, field=name))
    else:
        value = normalise(row.type or "text", raw or None)
    if raw and value is None:
        flash(f"“{raw}” cannot be read as a {row.type or 'value'}; nothing changed.", "error")
        return redirect(url_for("review.document", doc_id=doc.id, field=name))
    if value != row.value:
        _event(doc, "correct", field=name, old_value=row.value, new_value=value,
               note=request.form.get("note") or None)
        if not row.corrected:
            row.extracted = row.value if row.extracted is None else row.extracted
        row.value, row.corrected, row.confidence = value, True, 1.0
        changed = docview.revalidate(db(), doc)
        db().commit()
        log.info("document %s field corrected by user %s", doc.id, current_user().id)
        flash("Field corrected." + (f" Findings re-checked: {changed}." if changed else ""), "ok")
    return redirect(url_for("review.document", doc_id=doc.id, field=name))


@bp.post("/documents/<int:doc_id>/approve")
@roles("worker")
def approve(doc_id: int):
    doc = _open_for_change(doc_id)
    note = request.form.get("note", "").strip()
    errors = [f for f in doc.findings if f.severity == "error" and not f.resolved]
    if errors and not note:
        flash("This document still has problems. Say why it can be approved anyway, "
              "or return it to the provider.", "error")
        return redirect(url_for("review.document", doc_id=doc.id))
    return _decide(doc, "approved", "approve", note or None, "Approved.")


@bp.post("/documents/<int:doc_id>/return")
@roles("worker")
def return_to_provider(doc_id: int):
    doc = _open_for_change(doc_id)
    reasons = [r.strip() for r in request.form.getlist("reason") if r.strip()]
    extra = request.form.get("note", "").strip()
    if extra:
        reasons.append(extra)
    if not reasons:
        flash("Give the provider a reason for the return.", "error")
        return redirect(url_for("review.document", doc_id=doc.id))
    return _decide(doc, "returned", "return", "\n".join(reasons), "Returned to the provider.")


@bp.post("/documents/<int:doc_id>/reject")
@roles("worker")
def reject(doc_id: int):
    doc = _open_for_change(doc_id)
    note = request.form.get("note", "").strip()
    if not note:
        flash("Say why the document is rejected.", "error")
        return redirect(url_for("review.document", doc_id=doc.id))
    return _decide(doc, "rejected", "reject", note, "Rejected.")


def _decide(doc: Document, state: str, action: str, note: str | None, said: str):
    """Record a worker's decision on a document (state, event, log line without personal
    data), then go back to the queue."""
    doc.review_state = state
    _event(doc, action, note=note)
    db().commit()
    log.info("document %s %s by user %s", doc.id, state, current_user().id)
    flash(said, "ok")
    return redirect(_next_in_queue(doc))


def _next_in_queue(done: Document) -> str:
    return url_for("review.queue")
