"""``/healthz`` and ``/metrics`` for the people and machines that run the service.

Both need either the scraper's bearer token (``CCAP_METRICS_TOKEN``) or an admin's session: the
figures are not personal data, but the issue's rule is that nothing but the login page is open.
The figures themselves come from ``intake.metrics`` (counted from the store, queue depth from
Redis), so the web app, ``ccap stats`` and the workers never disagree.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from intake import metrics
from web.auth import metrics_access
from web.db import close, settings, store

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@metrics_access
def healthz():
    close()          # intake.metrics opens its own sessions; don't hold the request's (SQLite lock)
    healthy, details = metrics.healthz(store(), settings())
    return jsonify({"ok": healthy, **details}), 200 if healthy else 503


@bp.get("/metrics")
@metrics_access
def prometheus():
    close()
    return Response(metrics.prometheus(store(), settings()),
                    mimetype="text/plain; version=0.0.4; charset=utf-8")
