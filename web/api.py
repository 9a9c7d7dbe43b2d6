"""The gateways' upload API: ``POST /api/v1/submissions`` and ``GET /api/v1/submissions/<id>``.

Each gateway has its own bearer token (issued by an admin, ``intake.store.issue_token``); the
token fixes the channel its files are recorded under. The upload goes through the same
``intake.ingest.ingest_bytes`` as the drop folder: original stored first, one submission per
distinct file (the same bytes again answer ``duplicate: true`` with the first submission's id),
then queued. Redis being down is not an error for the gateway: the submission is kept as
``received`` and ``ccap reconcile`` queues it.

Multipart fields: ``file`` (required), ``received_at`` (ISO 8601 with offset; default: now,
the upload time), ``sender`` (optional).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import PurePath

from flask import Blueprint, g, jsonify, request, url_for
from sqlalchemy.orm import selectinload

from intake.ingest import Delivery, ingest_bytes
from intake.store import Submission
from web.auth import gateway_access
from web.db import close, db, store

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("ccap.web.api")


def _problem(status: int, message: str):
    return jsonify({"error": message}), status


@bp.post("/submissions")
@gateway_access
def create_submission():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _problem(400, "multipart field 'file' is required")
    data = upload.read()
    if not data:
        return _problem(400, "the file is empty")
    received_at = request.form.get("received_at") or None
    if received_at:
        try:
            if datetime.fromisoformat(received_at).tzinfo is None:
                return _problem(400, "received_at needs a UTC offset, e.g. 2022-05-16T09:14:00-04:00")
        except ValueError:
            return _problem(400, "received_at is not an ISO 8601 timestamp")
    else:
        received_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    gateway_name, channel = g.gateway.name, g.gateway.channel
    close()                     # ingest opens its own sessions (and SQLite allows one writer)
    delivery = Delivery(filename=PurePath(upload.filename).name[:255] or "upload",
                        channel=channel, sender=request.form.get("sender") or None,
                        received_at=received_at)
    result = ingest_bytes(store(), data, delivery)
    log.info("gateway %s: submission %s (%d bytes, duplicate=%s, queued=%s)", gateway_name,
             result.submission_id, len(data), result.duplicate, result.queued)
    body = result.to_json()
    body["url"] = url_for("api.get_submission", sub_id=result.submission_id)
    return jsonify(body), 200 if result.duplicate else 201, {"Location": body["url"]}


@bp.get("/submissions/<int:sub_id>")
@gateway_access
def get_submission(sub_id: int):
    sub = db().get(Submission, sub_id, options=[selectinload(Submission.documents),
                                                selectinload(Submission.duplicates)])
    if sub is None or sub.channel != g.gateway.channel:     # a gateway sees its own files only
        return _problem(404, "no such submission")
    return jsonify(sub.to_json())
