"""``ccap worker``: an rq worker on the project's queues, reconciling first.

Each worker runs ``reconcile`` when it starts, so starting a worker after a crash or a lost
Redis is enough to get stuck submissions moving again. The worker also runs rq's scheduler
(the back-off between retries needs it) and beats its heartbeat every few seconds so that a
killed worker is noticed quickly.
"""
from __future__ import annotations

import logging

from rq import Worker

from intake.config import Config
from intake.store import Store
from workers import queue

log = logging.getLogger(__name__)


def preload() -> None:
    """Import the pipeline once in the worker: rq forks a work horse per job, and importing
    OpenCV, the readers and the validators in every horse cost about 1.4 s a job."""
    import extractors.pipeline  # noqa: F401
    import validators  # noqa: F401
    import workers.jobs  # noqa: F401


def run(config: Config, burst: bool = False, name: str | None = None) -> int:
    Store.open(config).dispose()          # migrations applied before any job runs
    preload()
    conn = queue.connect(config)
    try:
        queue.reconcile(config)
    except Exception:        # noqa: BLE001 - a worker must still start; reconcile runs again later
        log.exception("reconcile at start failed")
    worker = Worker([queue.queue(config, n, conn) for n in queue.QUEUES], connection=conn,
                    name=name, job_monitoring_interval=5)
    worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
    return 0
