"""Shared fixtures for the service tests: real servers on private ports, started by the tests.

* ``redis_server``: a ``redis-server`` of our own (no persistence, a free port, its files in a
  temp dir), like rq's own tests; ``restart()`` loses everything it held, as a crashed Redis
  without persistence would.
* ``pg_server``: a PostgreSQL cluster made with ``initdb`` in a temp dir (as the ``postgres``
  user when we are root, since ``initdb`` refuses root); skipped only when the PostgreSQL
  server programs are not installed.
* ``service``: a fresh data directory, database (SQLite, or PostgreSQL for the ``pg``
  parameter) and flushed Redis, with the environment to hand to ``ccap`` subprocesses.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from intake.demo import kill_tree

CCAP = str(Path(sys.executable).with_name("ccap"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class RedisServer:
    dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no",
             "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis
        wait_until(lambda: self._ping(redis), 10, what="redis-server")

    def _ping(self, redis) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.exceptions.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        """Kill -9 and start again: everything Redis held is gone."""
        self.stop()
        self.start()

    def flush(self) -> None:
        import redis
        redis.Redis(port=self.port).flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@dataclass
class PgServer:
    dir: Path
    bindir: Path
    port: int = field(default_factory=free_port)
    user: str | None = None

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run(prefix + list(cmd), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                  "-U", "postgres", "--no-sync", "-E", "UTF8")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-l",
                  str(self.dir / "log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c synchronous_commit=off -c full_page_writes=off", "start")

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                  "stop")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def create_database(self) -> str:
        import sqlalchemy
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sqlalchemy.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    if not initdb:
        pytest.skip("PostgreSQL server programs (initdb) are not installed")
    base = tmp_path_factory.mktemp("pg")
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
        os.chmod(base, 0o777)
        for parent in base.parents:        # the server user must reach its directory
            if str(parent).startswith(tempfile_root()):
                os.chmod(parent, os.stat(parent).st_mode | 0o711)
    server = PgServer(base, Path(initdb).parent, user=user)
    server.start()
    yield server
    server.stop()


def tempfile_root() -> str:
    import tempfile
    return tempfile.gettempdir()


def _user_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@dataclass
class Service:
    """One test's service: config, open store, and the environment for ``ccap`` processes."""
    env: dict
    config: object
    store: object
    redis: RedisServer
    procs: list = field(default_factory=list)

    def ccap(self, *args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([CCAP, *args], env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=kw.pop("timeout", 300),
                              **kw)

    def spawn(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        """A long-running ``ccap`` process in its own process group (so a test can kill -9
        the worker and its work horse together, as a crashed machine would)."""
        log = open(Path(self.env["CCAP_DATA_DIR"]) / f"{args[0]}-{len(self.procs)}.log", "w")
        proc = subprocess.Popen([CCAP, *args], env={**self.env, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Signal ``proc`` and every process it started (rq's work horse puts itself in a
        process group of its own, so the group alone is not enough), as a crash would."""
        kill_tree(proc.pid, sig)
        if sig == signal.SIGKILL:
            proc.wait(20)

    def stop_all(self) -> None:
        """Clean-up after a test: nothing here is under test any more, so no warm shutdown."""
        for proc in self.procs:
            self.kill(proc)


def make_service(tmp_path: Path, redis_server: RedisServer, database_url: str | None,
                 **extra: str) -> Service:
    from intake import config as ccap_config
    from intake.store import Store
    redis_server.flush()
    data = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCAP_", "DATABASE_URL",
                                                                      "REDIS_URL"))}
    env.update({"CCAP_DATA_DIR": str(data), "REDIS_URL": redis_server.url,
                "CCAP_RETRIES": "1", "CCAP_RETRY_DELAYS": "1", "OMP_THREAD_LIMIT": "1",
                "PYTHONUNBUFFERED": "1"})
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    config = ccap_config.load(env)
    return Service(env, config, Store.open(config), redis_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request):
    """A database URL: None (the SQLite default) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_server").create_database()


@pytest.fixture
def service(tmp_path, redis_server, any_db):
    svc = make_service(tmp_path, redis_server, any_db)
    yield svc
    svc.stop_all()
    svc.store.dispose()


@pytest.fixture
def sqlite_service(tmp_path, redis_server):
    svc = make_service(tmp_path, redis_server, None)
    yield svc
    svc.stop_all()
    svc.store.dispose()
