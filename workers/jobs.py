"""The rq jobs: ``split`` a submission into pages, ``read`` one page, ``assemble`` the documents.

Each job first looks in the store and does only what is not done yet, so any job may run twice
(a retry, a re-queue by ``reconcile`` after a lost Redis, a worker killed half-way) without
reading a page twice or storing a document twice. The heavy objects between the steps are
kept on disk under ``work/<sha256>/`` (each page as loaded, pickled) and in the store (each
page's ``PageRead`` as JSON), never only in Redis.

Failures: an input that cannot be read (``UnsupportedFile``, ``UnreadableFile``) fails the
submission at once with the error's one-line message; anything else (an OCR crash, a timeout)
is retried by rq with back-off, and the submission is marked failed with the reason on the
last try. The original is never touched.
"""
from __future__ import annotations

import logging
import os
import pickle
import shutil
import time
from pathlib import Path

from rq import get_current_job
from sqlalchemy import func, select

from extractors.errors import ExtractError, OcrFailed
from intake import config as ccap_config
from intake import documents
from intake.store import Page, Store, Submission, utcnow
from workers import queue

log = logging.getLogger(__name__)

_stores: dict[int, Store] = {}


def _store() -> Store:
    """One Store per process: rq forks a work horse per job, and a connection pool must never
    cross a fork."""
    pid = os.getpid()
    if pid not in _stores:
        _stores.clear()
        _stores[pid] = Store(ccap_config.load())
    return _stores[pid]


def _last_try() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _reason(e: BaseException, where: str) -> str:
    """A one-line, data-free reason: our own errors' messages are written that way; for
    anything else only the kind of error is kept."""
    if isinstance(e, ExtractError):
        return f"{where}: {e.message}"
    return f"{where}: {type(e).__name__}"


def fail(store: Store, sub_id: int, reason: str, page: int | None = None) -> None:
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        if sub.state in ("done", "split"):
            return
        sub.state, sub.reason, sub.finished_at = "failed", reason[:2000], utcnow()
        if page is not None:
            row = s.scalar(select(Page).where(Page.submission_id == sub_id, Page.index == page))
            if row is not None and row.state != "read":
                row.state, row.error = "failed", reason[:2000]
    log.warning("submission %s failed: %s", sub_id, reason)


def _handle(store: Store, sub_id: int, e: Exception, where: str, page: int | None = None):
    """Fail now (bad input, or the last try), else let rq retry."""
    retryable = not isinstance(e, ExtractError) or isinstance(e, OcrFailed)
    if not retryable or _last_try():
        fail(store, sub_id, _reason(e, where), page)
        if not retryable:
            return
    raise e


def work_dir(store: Store, sha: str) -> Path:
    return store.config.data_dir / "work" / sha


# split -----------------------------------------------------------------------------------------

def split(sub_id: int) -> str:
    from extractors import pipeline
    store = _store()
    config = store.config
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        if sub is None or sub.state not in ("received", "queued", "reading"):
            return "nothing to do"
        sha = sub.sha256
        sub.started_at = sub.started_at or utcnow()
    try:
        loaded = pipeline.load_pages(config.original_path(sha))
        if not loaded.pages:
            raise ExtractError("no page could be read from the file")
        work = work_dir(store, sha)
        work.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(loaded.pages):
            target = work / f"{i:03d}.pickle"
            if not target.exists():
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, target)
    except Exception as e:          # noqa: BLE001 - every failure becomes a visible state
        _handle(store, sub_id, e, "opening the file")
        return "failed"
    with store.session() as s:
        sub = s.get(Submission, sub_id, with_for_update=True)
        have = {p.index for p in sub.pages}
        for i in range(len(loaded.pages)):
            if i not in have:
                s.add(Page(submission_id=sub_id, index=i))
        sub.page_count = len(loaded.pages)
        if sub.state in ("received", "queued"):
            sub.state = "reading"
    with store.session() as s:
        pending = s.scalars(select(Page.index).where(Page.submission_id == sub_id,
                                                     Page.state == "pending")
                            .order_by(Page.index)).all()
    conn = queue.connect(config)
    for i in pending:
        queue.enqueue_read(config, sub_id, i, conn)
    if not pending:
        _maybe_assemble(store, sub_id)
    return f"{len(pending)} pages queued"


def _source_page(store: Store, sha: str, index: int):
    """Page ``index`` as loaded by ``split``; loaded again from the original if the work file
    is gone (a data directory restored without ``work/``)."""
    cached = work_dir(store, sha) / f"{index:03d}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    from extractors import pipeline
    return pipeline.load_pages(store.config.original_path(sha)).pages[index]


# read ------------------------------------------------------------------------------------------

def read(sub_id: int, index: int) -> str:
    from extractors import pipeline
    store = _store()
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        page = s.scalar(select(Page).where(Page.submission_id == sub_id, Page.index == index))
        if sub is None or page is None or sub.state != "reading":
            return "nothing to do"
        sha, done = sub.sha256, page.state == "read"
    if not done:
        started = time.monotonic()
        try:
            result = pipeline.read_page(_source_page(store, sha, index), index=index)
            image_path = documents.save_page_image(store.config, sha, index, result)
        except Exception as e:      # noqa: BLE001
            _handle(store, sub_id, e, f"page {index + 1}", page=index)
            return "failed"
        seconds = time.monotonic() - started
        with store.session() as s:
            s.get(Submission, sub_id, with_for_update=True)     # one page job at a time here
            page = s.scalar(select(Page).where(Page.submission_id == sub_id,
                                               Page.index == index))
            if page.state != "read":
                documents.fill_page(page, result)
                page.image_path = image_path
                page.state, page.error, page.read_seconds = "read", None, seconds
    _maybe_assemble(store, sub_id)
    return "read"


def _maybe_assemble(store: Store, sub_id: int) -> None:
    """When every page is read, move to ``assembling`` and queue the assemble job. The row lock
    on the submission makes exactly one of the last two page jobs see zero pages left."""
    with store.session() as s:
        sub = s.get(Submission, sub_id, with_for_update=True)
        left = s.scalar(select(func.count()).select_from(Page)
                        .where(Page.submission_id == sub_id, Page.state != "read"))
        if left or sub.state != "reading":
            return
        sub.state = "assembling"
        pages = sub.page_count or 1
    queue.enqueue_assemble(store.config, sub_id, pages)


# assemble --------------------------------------------------------------------------------------

def assemble(sub_id: int) -> str:
    store = _store()
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        if sub is None or sub.state != "assembling":
            return "nothing to do"
        sha = sub.sha256
    started = time.monotonic()
    try:
        extract = documents.build_extract(store, sub_id)
    except Exception as e:          # noqa: BLE001
        _handle(store, sub_id, e, "assembling documents")
        return "failed"
    documents.save_extract(store, sub_id, extract, seconds=time.monotonic() - started)
    shutil.rmtree(work_dir(store, sha), ignore_errors=True)
    return "done"
