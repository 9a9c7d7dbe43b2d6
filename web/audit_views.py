"""The auditors' pages: run a batch check (``web.audit``), read its report, download the CSV."""
from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, render_template, url_for

from web import audit
from web.auth import current_user, roles
from web.db import db, settings

bp = Blueprint("audit_views", __name__)
log = logging.getLogger("ccap.web.audit")


def _previous_month() -> str:
    first = date.today().replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1
            else first.replace(month=first.month - 1)).strftime("%Y-%m")


@bp.get("/audit")
@roles("auditor")
def index():
    return render_template("audit_index.html", runs=audit.list_runs(settings()),
                           forms=audit.SAMPLE_FORMS, default_month=_previous_month())


def _month() -> date | None:
    try:
        return audit.parse_month(request.form.get("month", ""))
    except ValueError:
        flash("Give the month as YYYY-MM.", "error")
        return None


def _who() -> str:
    user = current_user()
    return user.username


def _saved(run: audit.AuditRun):
    audit.save(settings(), run)
    log.info("audit run %s (%s) by user %s: %d rows", run.id, run.kind, current_user().id,
             len(run.rows))
    return redirect(url_for("audit_views.report", run_id=run.id))


@bp.post("/audit/match")
@roles("auditor")
def run_match():
    month = _month()
    if month is None:
        return redirect(url_for("audit_views.index"))
    provider = request.form.get("provider", "").strip() or None
    return _saved(audit.match_check(db(), month, provider, user=_who()))


@bp.post("/audit/sample")
@roles("auditor")
def run_sample():
    month = _month()
    if month is None:
        return redirect(url_for("audit_views.index"))
    try:
        n = int(request.form.get("n", "10"))
        seed_text = request.form.get("seed", "").strip()
        seed = int(seed_text) if seed_text else None
        run = audit.sample_check(db(), month, n, request.form.get("form", "DCC-97"), seed,
                                 user=_who())
    except ValueError as exc:
        flash(f"Cannot draw that sample: {exc}.", "error")
        return redirect(url_for("audit_views.index"))
    return _saved(run)


def _run(run_id: str) -> audit.AuditRun:
    run = audit.load(settings(), run_id)
    if run is None:
        abort(404)
    return run


@bp.get("/audit/<run_id>")
@roles("auditor")
def report(run_id: str):
    run = _run(run_id)
    links = {"stylesheet": url_for("static", filename="app.css"),
             "back": url_for("audit_views.index"),
             "csv": url_for("audit_views.report_csv", run_id=run.id),
             "pdf": url_for("audit_views.report_pdf", run_id=run.id),
             "document": url_for("review.document", doc_id=0)[:-1]}
    return render_template("audit_report.html", run=run, links=links)


@bp.get("/audit/<run_id>.csv")
@roles("auditor")
def report_csv(run_id: str):
    run = _run(run_id)
    return Response(run.csv_text(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="audit-{run.id}.csv"',
                             "Cache-Control": "private, no-store"})


@bp.get("/audit/<run_id>.pdf")
@roles("auditor")
def report_pdf(run_id: str):
    run = _run(run_id)
    return Response(audit.pdf_bytes(run), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="audit-{run.id}.pdf"',
                             "Cache-Control": "private, no-store"})
