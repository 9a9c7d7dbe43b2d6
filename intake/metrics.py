"""The service's figures, from the store and the queue, for ``/metrics`` and ``/healthz``.

Everything is counted from the database (the record of what happened), so the figures survive
restarts and agree between processes; only the queue depth comes from Redis. ``prometheus``
renders them in the Prometheus text format; the web app serves that, ``ccap stats`` prints
``collect`` as JSON.
"""
from __future__ import annotations

from sqlalchemy import func, select, text

from intake.config import Config
from intake.store import Document, Duplicate, Page, Store, Submission


def collect(store: Store, config: Config | None = None) -> dict:
    config = config or store.config
    out: dict = {}
    with store.session() as s:
        out["submissions"] = dict(s.execute(select(Submission.state, func.count())
                                            .group_by(Submission.state)).all())
        out["documents_by_route"] = dict(s.execute(select(Document.route, func.count())
                                                   .where(Document.status != "merged")
                                                   .group_by(Document.route)).all())
        out["documents_by_status"] = dict(s.execute(select(Document.status, func.count())
                                                    .group_by(Document.status)).all())
        out["duplicates"] = s.scalar(select(func.count()).select_from(Duplicate))
        out["pages_read"] = s.scalar(select(func.count()).select_from(Page)
                                     .where(Page.state == "read"))
        out["page_read_seconds"] = float(s.scalar(select(func.coalesce(
            func.sum(Page.read_seconds), 0.0))) or 0.0)
        done = select(func.count(), func.coalesce(func.sum(Submission.assemble_seconds), 0.0)) \
            .where(Submission.assemble_seconds.is_not(None))
        n, total = s.execute(done).one()
        out["assembled"], out["assemble_seconds"] = n, float(total or 0.0)
    out["failures"] = out["submissions"].get("failed", 0)
    out.update(queue_health(config))
    return out


def queue_health(config: Config) -> dict:
    from workers import queue
    try:
        return {"redis_up": 1, "queue_depth": queue.depth(config)}
    except Exception:       # noqa: BLE001 - a metric, not a failure of the caller
        return {"redis_up": 0, "queue_depth": {}}


def database_up(store: Store) -> bool:
    try:
        with store.engine.connect() as c:
            c.execute(text("SELECT 1"))
        return True
    except Exception:       # noqa: BLE001
        return False


def healthz(store: Store, config: Config | None = None) -> tuple[bool, dict]:
    """(healthy, details): the database answers and Redis answers."""
    details = {"database": database_up(store),
               "redis": bool(queue_health(config or store.config)["redis_up"])}
    return all(details.values()), details


def prometheus(store: Store, config: Config | None = None) -> str:
    m = collect(store, config)
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, samples: list[tuple[dict, float]]) -> None:
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lab = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{{{lab}}} {value}" if lab else f"{name} {value}")

    metric("ccap_submissions", "gauge", "Submissions by state.",
           [({"state": k}, v) for k, v in sorted(m["submissions"].items())])
    metric("ccap_documents", "gauge", "Documents by route (merged partial certificates left out).",
           [({"route": k}, v) for k, v in sorted(m["documents_by_route"].items())])
    metric("ccap_documents_status", "gauge", "Documents by status.",
           [({"status": k}, v) for k, v in sorted(m["documents_by_status"].items())])
    metric("ccap_duplicates_total", "counter", "Deliveries of bytes already stored.",
           [({}, m["duplicates"])])
    metric("ccap_failures", "gauge", "Submissions failed (see their reason; retryable).",
           [({}, m["failures"])])
    metric("ccap_pages_processed_total", "counter", "Pages read.", [({}, m["pages_read"])])
    metric("ccap_stage_seconds_sum", "counter", "Seconds spent per stage.",
           [({"stage": "read"}, round(m["page_read_seconds"], 3)),
            ({"stage": "assemble"}, round(m["assemble_seconds"], 3))])
    metric("ccap_stage_seconds_count", "counter", "Runs per stage.",
           [({"stage": "read"}, m["pages_read"]), ({"stage": "assemble"}, m["assembled"])])
    metric("ccap_queue_depth", "gauge", "Jobs waiting per queue.",
           [({"queue": k}, v) for k, v in sorted(m["queue_depth"].items())])
    metric("ccap_redis_up", "gauge", "1 when Redis answers.", [({}, m["redis_up"])])
    return "\n".join(lines) + "\n"
