"""``ccap demo`` (``make demo``): the whole service on one machine, fed the committed samples.

It starts what is missing and stops what it started: Redis (a private ``redis-server`` with its
data under ``var/redis`` when ``REDIS_URL`` does not answer), two workers, the drop-folder
watcher on ``var/inbox/`` and the web app on 127.0.0.1; then it drops the samples into the
inbox as the gateways would (sidecar first, the file written as ``.part`` and renamed), waits
until every one is processed, prints the figures, the URL and a demo login, and keeps running
until Ctrl-C. ``--once`` stops after the figures (for scripts). Workers that die are started
again, and ``ccap reconcile --every 60`` runs beside them, as a supervisor would in production.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from intake import config as ccap_config
from intake.store import Document, Duplicate, FindingRow, Store, Submission, create_user

SAMPLE_SUFFIXES = {".tif", ".tiff", ".pdf", ".jpg", ".jpeg", ".png", ".eml"}
DEMO_USERS = (("worker", "worker"), ("auditor", "auditor"), ("admin", "admin"))
DEMO_PASSWORD = "ccap-demo"
CCAP = str(Path(sys.executable).with_name("ccap"))


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from /proc), children first. rq's work horse puts itself
    in a process group of its own, so signalling the worker's group does not reach it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo += children.get(p, [])
    return out


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> None:
    for p in [pid] + descendants(pid):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (RedisError, ValueError):
        return False


class Demo:
    def __init__(self, port: int, workers: int, samples: Path):
        self.env = dict(os.environ)
        self.env.setdefault("OMP_THREAD_LIMIT", "1")
        self.env["CCAP_DATA_DIR"] = str(Path(self.env.get("CCAP_DATA_DIR") or "var").resolve())
        self.config = ccap_config.load(self.env)
        self.port, self.n_workers, self.samples = port, workers, samples
        self.logs = self.config.data_dir / "logs"
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []

    # Starting and stopping -------------------------------------------------------------------
    def start_redis(self) -> None:
        if self.env.get("REDIS_URL") and _answers(self.env["REDIS_URL"]):
            print(f"Redis: using {self.env['REDIS_URL']}")
            return
        port = _free_port()
        data = self.config.data_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
             "--appendonly", "yes", "--save", "", "--daemonize", "no"],
            stdout=open(self.logs / "redis.log", "a"), stderr=subprocess.STDOUT,
            start_new_session=True)      # Ctrl-C reaches the demo only; it stops Redis last
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 15
        while not _answers(self.env["REDIS_URL"]):
            if time.monotonic() > deadline or self.redis.poll() is not None:
                raise SystemExit("redis-server did not start; see var/logs/redis.log")
            time.sleep(0.1)
        self.config = ccap_config.load(self.env)
        print(f"Redis: started redis-server on 127.0.0.1:{port} (data in {data})")

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "a")
        return subprocess.Popen([CCAP, *args], env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        if not _port_free(self.port):
            raise SystemExit(f"port {self.port} on 127.0.0.1 is in use; try --port")
        self.start_redis()
        store = Store.open(self.config)
        with store.session() as s:
            for username, role in DEMO_USERS:
                create_user(s, username, DEMO_PASSWORD, role, name=f"Demo {role}")
        store.dispose()
        self.workers = [self.spawn(f"worker-{i + 1}", "worker") for i in range(self.n_workers)]
        self.others = [self.spawn("watch", "watch", str(self.config.inbox_dir), "--settle", "1"),
                       self.spawn("reconcile", "reconcile", "--every", "60"),
                       self.spawn("web", "serve", "--host", "127.0.0.1",
                                  "--port", str(self.port))]

    def stop(self) -> None:
        procs = [p for p in self.others + self.workers if p.poll() is None]
        for p in procs:
            p.send_signal(signal.SIGTERM)      # rq: finish the current job, then stop
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_tree(p.pid)
                p.wait()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.send_signal(signal.SIGTERM)     # redis saves its append-only file
            self.redis.wait(20)
        print("stopped: web, watcher, reconciler, workers" + (", redis" if self.redis else ""))

    def supervise(self) -> None:
        """Start again any worker that died (reconcile runs as it starts)."""
        for i, p in enumerate(self.workers):
            if p.poll() is not None:
                print(f"worker {i + 1} exited ({p.returncode}); starting it again")
                self.workers[i] = self.spawn(f"worker-{i + 1}", "worker")

    # The samples ----------------------------------------------------------------------------
    def drop_samples(self, store: Store) -> int:
        """Copy every committed sample into the inbox as its gateway would; those already
        stored (a second ``make demo``) are left out, so they are not counted twice."""
        with store.session() as s:
            known = set(s.scalars(select(Submission.sha256)))
        dropped = 0
        for path in sorted(self.samples.rglob("*")):
            if path.suffix.lower() not in SAMPLE_SUFFIXES or not path.is_file():
                continue
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() in known:
                continue
            sidecar = path.with_name(path.name + ".json")
            side = json.loads(sidecar.read_text()) if sidecar.exists() else {}
            channel = side.get("channel") or ("email" if path.suffix == ".eml" else "upload")
            folder = self.config.inbox_dir / channel.split("_")[0]
            folder.mkdir(parents=True, exist_ok=True)
            if sidecar.exists():
                shutil.copyfile(sidecar, folder / sidecar.name)
            part = folder / (path.name + ".part")
            part.write_bytes(data)
            part.rename(folder / path.name)
            dropped += 1
        return dropped

    def wait_processed(self, store: Store, dropped: int, timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            inbox_left = [p for p in self.config.inbox_dir.glob("*/*")
                          if p.is_file() and p.parent.name not in ("done", "failed")
                          and not p.name.endswith(".json")]
            with store.session() as s:
                counts = dict(s.execute(select(Submission.state, func.count())
                                        .group_by(Submission.state)).all())
            busy = sum(counts.get(k, 0) for k in ("received", "queued", "reading",
                                                  "assembling"))
            line = (f"  inbox {len(inbox_left)}, in progress {busy}, "
                    f"done {counts.get('done', 0)}, failed {counts.get('failed', 0)}")
            if line != last:
                print(line, flush=True)
                last = line
            if not inbox_left and not busy:
                return
            self.supervise()
            time.sleep(1)
        print("  (still working; the figures below are so far)")


def figures(store: Store) -> dict:
    with store.session() as s:
        files = s.scalar(select(func.count()).select_from(Submission)
                         .where(Submission.parent_id.is_(None)))
        subs = dict(s.execute(select(Submission.state, func.count())
                              .group_by(Submission.state)).all())
        docs = s.scalar(select(func.count()).select_from(Document)
                        .where(Document.status != "merged"))
        routes = dict(s.execute(select(Document.route, func.count())
                                .where(Document.status != "merged")
                                .group_by(Document.route)).all())
        statuses = dict(s.execute(select(Document.status, func.count())
                                  .group_by(Document.status)).all())
        findings = s.scalar(select(func.count()).select_from(FindingRow)
                            .join(Document).where(Document.status != "merged"))
        no_docs = s.scalar(select(func.count()).select_from(Submission)
                           .where(Submission.state == "done",
                                  ~Submission.documents.any()))
        dups = s.scalar(select(func.count()).select_from(Duplicate))
    return {"files": files, "submissions": subs, "documents": docs, "routes": routes,
            "document_status": statuses, "findings": findings,
            "done_without_documents": no_docs, "duplicates": dups}


def run(port: int = 8080, workers: int = 2, once: bool = False,
        samples: Path = Path("sample_scans")) -> int:
    demo = Demo(port, workers, samples)
    stopping = False

    def _interrupt(*_):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)   # also when started with SIGINT ignored (`&`)
    demo.start()
    try:
        store = Store(demo.config)
        dropped = demo.drop_samples(store)
        print(f"dropped {dropped} sample files into {demo.config.inbox_dir}")
        demo.wait_processed(store, dropped)
        print(json.dumps(figures(store), indent=2))
        print(f"\nReview app: http://127.0.0.1:{port}/")
        print("Demo logins (password " + DEMO_PASSWORD + "): "
              + ", ".join(u for u, _ in DEMO_USERS))
        print(f"Drop more files into {demo.config.inbox_dir}/<gateway>/; Ctrl-C stops.")
        while not once:
            time.sleep(1)
            demo.supervise()
    except KeyboardInterrupt:
        print("\nstopping...")
    finally:
        demo.stop()
    return 0
