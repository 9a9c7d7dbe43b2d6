"""The rq queues and how work is put on them.

Work for one submission is split so that a 30-page fax keeps every worker busy:

* ``split`` (queue ``ccap-split``): open the stored original, make one row per page, queue a
  ``read`` job per page;
* ``read`` (queue ``ccap-pages``): the expensive per-page step (OCR); the job that reads the last
  page moves the submission to ``assembling`` and queues
* ``assemble`` (queue ``ccap-assemble``): group pages into documents, validate, store.

The database, not Redis, is the record of what is done: every job checks the store first and
does nothing twice, and job ids are fixed (``split-7``, ``read-7-3``, ``assemble-7``) so that
:func:`reconcile` can tell from Redis whether the job a submission waits for still exists.
When Redis loses its data or a worker is killed, ``reconcile`` (run by ``ccap reconcile`` and
by every worker when it starts) queues again whatever a submission in a middle state waits
for. A submission is given up (``failed``) after ``retries + 1`` lost attempts, so a page that
kills its worker every time does not loop for ever.
"""
from __future__ import annotations

import logging
import os
import socket

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.worker import Worker
from sqlalchemy import select, update

from intake import ingest
from intake.config import Config
from intake.store import IN_FLIGHT_STATES, Document, Page, ReviewEvent, Store, Submission, utcnow

log = logging.getLogger(__name__)

SPLIT, PAGES, ASSEMBLE = "ccap-split", "ccap-pages", "ccap-assemble"
QUEUES = (ASSEMBLE, SPLIT, PAGES)     # the order a worker takes work in: finish before starting
SPLIT_TIMEOUT = 600                    # opening a file (rasterising every page of a PDF)
ASSEMBLE_BASE, ASSEMBLE_PER_PAGE = 60, 10
RESULT_TTL = 3600
ALIVE = {JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.STARTED}


def connect(config: Config) -> Redis:
    return Redis.from_url(config.redis_url, socket_timeout=10, socket_connect_timeout=5,
                          health_check_interval=30)


def queue(config: Config, name: str, connection: Redis | None = None) -> Queue:
    return Queue(name, connection=connection or connect(config), default_timeout=SPLIT_TIMEOUT)


def _retry(config: Config) -> Retry | None:
    return Retry(max=config.retries, interval=list(config.retry_delays)) if config.retries else None


def split_id(sub_id: int) -> str:
    return f"split-{sub_id}"


def read_id(sub_id: int, index: int) -> str:
    return f"read-{sub_id}-{index}"


def assemble_id(sub_id: int) -> str:
    return f"assemble-{sub_id}"


def _enqueue(config: Config, conn: Redis, name: str, func: str, job_id: str, args: tuple,
             timeout: int) -> Job:
    return queue(config, name, conn).enqueue(
        func, *args, job_id=job_id, job_timeout=timeout, result_ttl=RESULT_TTL,
        failure_ttl=7 * 24 * 3600, retry=_retry(config))


def enqueue_split(config: Config, sub_id: int, conn: Redis | None = None) -> Job:
    return _enqueue(config, conn or connect(config), SPLIT, "workers.jobs.split",
                    split_id(sub_id), (sub_id,), SPLIT_TIMEOUT)


def enqueue_read(config: Config, sub_id: int, index: int, conn: Redis | None = None) -> Job:
    return _enqueue(config, conn or connect(config), PAGES, "workers.jobs.read",
                    read_id(sub_id, index), (sub_id, index), config.page_timeout)


def enqueue_assemble(config: Config, sub_id: int, pages: int,
                     conn: Redis | None = None) -> Job:
    return _enqueue(config, conn or connect(config), ASSEMBLE, "workers.jobs.assemble",
                    assemble_id(sub_id), (sub_id,), ASSEMBLE_BASE + ASSEMBLE_PER_PAGE * pages)


def enqueue_submission(config: Config, sub_id: int, store: Store | None = None) -> bool:
    """Queue the first job of a just-recorded submission. False when Redis cannot be reached:
    the submission stays ``received`` and ``reconcile`` queues it later."""
    try:
        enqueue_split(config, sub_id)
    except RedisError as e:
        log.warning("submission %s: not queued (%s); reconcile will queue it", sub_id,
                    type(e).__name__)
        return False
    own = store is None
    store = store or Store(config)
    try:
        with store.session() as s:
            s.execute(update(Submission).where(Submission.id == sub_id,
                                               Submission.state == "received")
                      .values(state="queued", updated_at=utcnow()))
    finally:
        if own:
            store.dispose()
    return True


# Reconciling the store with Redis --------------------------------------------------------------

def _worker_alive(conn: Redis, name: str | None) -> bool:
    """Whether the rq worker ``name`` is still there: its key must exist and, when it runs on
    this machine, its process too (a worker killed with -9 leaves its key for minutes)."""
    if not name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, connection=conn)
    if worker is None:
        return False
    if worker.hostname == socket.gethostname() and worker.pid:
        try:
            os.kill(worker.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def job_state(conn: Redis, job_id: str) -> str:
    """``alive`` (queued, waiting, or running on a live worker), ``died`` (it was running on a
    worker that is gone) or ``lost`` (Redis no longer has it, or it will not run again)."""
    try:
        job = Job.fetch(job_id, connection=conn)
        status = job.get_status(refresh=False)
    except Exception:        # NoSuchJobError, or a hash left half-written by a lost Redis
        return "lost"
    if status not in ALIVE:
        return "lost"
    if status == JobStatus.STARTED and not _worker_alive(conn, job.worker_name):
        _forget_started(conn, job)
        return "died"
    if status == JobStatus.SCHEDULED and _overdue(conn, job):
        return "lost"
    if status == JobStatus.QUEUED and conn.lpos(Queue(job.origin, connection=conn).key,
                                                job.id) is None:
        return "died"       # taken off the queue by a worker that died before starting it
    return "alive"


def job_alive(conn: Redis, job_id: str) -> bool:
    return job_state(conn, job_id) == "alive"


def _overdue(conn: Redis, job: Job, grace: float = 60.0) -> bool:
    """A retry whose time is long past: the worker whose scheduler held it has died."""
    registry = ScheduledJobRegistry(job.origin, connection=conn)
    try:
        when = registry.get_scheduled_time(job)
    except Exception:        # noqa: BLE001 - not in the registry any more
        return True
    if (utcnow() - when).total_seconds() > grace:
        registry.remove(job)
        return True
    return False


def _forget_started(conn: Redis, job: Job) -> None:
    """Drop a dead worker's claim on ``job`` so that rq's own clean-up does not run it again."""
    registry = StartedJobRegistry(job.origin, connection=conn)
    for entry in conn.zrange(registry.key, 0, -1):
        if entry.decode().split(":")[0] == job.id:
            conn.zrem(registry.key, entry)


def reconcile(config: Config, store: Store | None = None, wait: bool = True) -> dict:
    """Queue again every job an in-flight submission waits for that Redis no longer has, and
    send certificates whose wait ran out to review. Safe to run at any time, as often as
    wanted, from any number of processes: a Redis lock lets one run at a time, and with
    ``wait=False`` (workers) a run is skipped while another is going on."""
    own = store is None
    store = store or Store(config)
    conn = connect(config)
    counts = {"requeued": 0, "given_up": 0, "incomplete": 0}
    lock = conn.lock("ccap:reconcile", timeout=120)
    if not lock.acquire(blocking=wait, blocking_timeout=130 if wait else None):
        return {**counts, "skipped": 1}
    try:
        with store.session() as s:
            subs = s.execute(select(Submission.id, Submission.state, Submission.page_count,
                                    Submission.filename)
                             .where(Submission.state.in_(IN_FLIGHT_STATES))
                             .order_by(Submission.id)).all()
        for sub_id, state, pages, filename in subs:
            if ingest.is_email(filename):      # an e-mail not yet split into attachments
                counts["requeued"] += len(ingest.resume_email(store, sub_id).children)
                continue
            counts["requeued"] += _reconcile_one(config, store, conn, sub_id, state, pages,
                                                 counts)
        counts["incomplete"] = expire_waiting(store)
    finally:
        try:
            lock.release()
        except Exception:      # noqa: BLE001 - expired, or Redis lost meanwhile
            pass
        if own:
            store.dispose()
    if counts["requeued"] or counts["given_up"] or counts["incomplete"]:
        log.info("reconcile: %s", counts)
    return counts


def _reconcile_one(config: Config, store: Store, conn: Redis, sub_id: int, state: str,
                   pages: int | None, counts: dict) -> int:
    if state in ("received", "queued"):
        wanted = [("split", split_id(sub_id), None)]
    elif state == "reading":
        with store.session() as s:
            pending = s.scalars(select(Page.index).where(Page.submission_id == sub_id,
                                                         Page.state == "pending")).all()
        wanted = [("read", read_id(sub_id, i), i) for i in pending]
        if not pending:     # every page read, but the move to assembling was lost
            wanted = [("assemble", assemble_id(sub_id), None)]
    else:
        wanted = [("assemble", assemble_id(sub_id), None)]
    found = {w[1]: job_state(conn, w[1]) for w in wanted}
    lost = [w for w in wanted if found[w[1]] != "alive"]
    if not lost:
        return 0
    with store.session() as s:
        sub = s.get(Submission, sub_id)
        if state == "reading" and not any(w[0] == "read" for w in wanted):
            sub.state = "assembling"
        if "died" in found.values():
            # a worker died on this submission's job: counted, so that a page that kills its
            # worker every time is given up on instead of looping (a job Redis merely lost is
            # not counted)
            sub.attempts += 1
            if sub.attempts > config.retries + 1:
                sub.state = "failed"
                sub.reason = (f"gave up after {sub.attempts - 1} attempts: the worker died "
                              f"each time")
                counts["given_up"] += 1
                return 0
    for kind, _job_id, index in lost:
        if kind == "split":
            enqueue_split(config, sub_id, conn)
        elif kind == "read":
            enqueue_read(config, sub_id, index, conn)
        else:
            enqueue_assemble(config, sub_id, pages or 1, conn)
    log.info("submission %s: queued again %s", sub_id, ", ".join(w[1] for w in lost))
    return len(lost)


def expire_waiting(store: Store) -> int:
    """Certificates whose missing pages did not arrive in time go to review as incomplete."""
    now = utcnow()
    with store.session() as s:
        docs = s.scalars(select(Document).where(Document.status == "waiting",
                                                Document.wait_until <= now)).all()
        for doc in docs:
            doc.status, doc.route = "incomplete", "review"
            s.add(ReviewEvent(document_id=doc.id, submission_id=doc.submission_id,
                              action="incomplete",
                              note="missing pages did not arrive in time"))
        return len(docs)


def retry(config: Config, sub_id: int, store: Store | None = None) -> bool:
    """Start a failed submission again (``ccap retry ID``, the web app's retry button)."""
    own = store is None
    store = store or Store(config)
    try:
        with store.session() as s:
            sub = s.get(Submission, sub_id)
            if sub is None or sub.state != "failed":
                return False
            for page in sub.pages:
                if page.state == "failed":
                    page.state, page.error = "pending", None
            sub.state, sub.reason, sub.attempts = "received", None, 0
            s.add(ReviewEvent(submission_id=sub_id, action="retry"))
        return enqueue_submission(config, sub_id, store)
    finally:
        if own:
            store.dispose()


def depth(config: Config) -> dict[str, int]:
    """Jobs waiting per queue (for /metrics)."""
    conn = connect(config)
    return {name: len(queue(config, name, conn)) for name in QUEUES}


__all__ = ["QUEUES", "connect", "enqueue_submission", "reconcile", "retry", "depth"]
