"""``ccap worker``: an rq worker on the project's queues, reconciling first.

Each worker runs ``reconcile`` when it starts and then about once a minute (rq's
maintenance), so a crash or a lost Redis is repaired without anyone running a command. The
worker also runs rq's scheduler (the back-off between retries needs it).
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


RECONCILE_EVERY = 60        # seconds between reconciles of an idle worker


class CcapWorker(Worker):
    """rq's worker, reconciling as part of its periodic maintenance: after a Redis restart the
    workers reconnect on their own, and this is what puts the lost jobs back."""
    ccap_config: Config

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        reconcile_quietly(self.ccap_config)


def reconcile_quietly(config: Config) -> None:
    try:
        # its own Store, disposed at the end: no database connection may cross the fork of a
        # work horse
        queue.reconcile(config, wait=False)
    except Exception:        # noqa: BLE001 - a worker must go on working; it runs again later
        log.exception("reconcile failed")


def run(config: Config, burst: bool = False, name: str | None = None) -> int:
    Store.open(config).dispose()          # migrations applied before any job runs
    preload()
    conn = queue.connect(config)
    reconcile_quietly(config)
    worker = CcapWorker([queue.queue(config, n, conn) for n in queue.QUEUES], connection=conn,
                        name=name, job_monitoring_interval=5,
                        worker_ttl=RECONCILE_EVERY + 15,      # rq waits ttl-15 s for a job
                        maintenance_interval=RECONCILE_EVERY)
    worker.ccap_config = config
    worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
    return 0
