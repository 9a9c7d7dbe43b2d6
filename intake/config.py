"""Configuration of the service, read from the environment with defaults that work out of the box.

Every ``ccap`` command, the workers and the web app call :func:`load` so that one set of
environment variables points all of them at the same data directory, database and Redis:

``CCAP_DATA_DIR``   originals, page images, the drop folder (``inbox/``) and the default SQLite
                    database; default ``var/`` under the current directory.
``DATABASE_URL``    SQLAlchemy URL; default ``sqlite:///<CCAP_DATA_DIR>/ccap.sqlite3``. PostgreSQL
                    works too (``postgresql+psycopg://user@host/db``).
``REDIS_URL``       the rq queues; default ``redis://127.0.0.1:6379/0``.
``CCAP_CERT_WAIT_HOURS``  how long a certificate with missing pages waits for them to arrive in
                    a later fax before it goes to review as incomplete (default 48).
``CCAP_PAGE_TIMEOUT``     seconds one page may take to read (default 120); job timeouts scale
                    with the number of pages from it.
``CCAP_RETRIES``    how often a failed job is retried, with back-off, before the submission is
                    marked failed (default 3).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    redis_url: str
    cert_wait_hours: float = 48.0
    page_timeout: int = 120
    retries: int = 3
    retry_delays: tuple[int, ...] = field(default=(5, 30, 120))

    # Where things live under the data directory -------------------------------------------
    @property
    def originals_dir(self) -> Path:
        """Untouched received files, content-addressed: ``originals/ab/cd/<sha256>``."""
        return self.data_dir / "originals"

    @property
    def pages_dir(self) -> Path:
        """Upright page images the review UI shows: ``pages/<sha256>/<index>.png``."""
        return self.data_dir / "pages"

    @property
    def inbox_dir(self) -> Path:
        """The drop folder ``ccap demo`` watches (one subfolder per gateway)."""
        return self.data_dir / "inbox"

    def original_path(self, sha256: str) -> Path:
        return self.originals_dir / sha256[:2] / sha256[2:4] / sha256

    def page_image_path(self, sha256: str, index: int) -> Path:
        return self.pages_dir / sha256 / f"{index:03d}.png"


def load(env: dict[str, str] | None = None) -> Config:
    """The configuration from ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("CCAP_DATA_DIR") or "var").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'ccap.sqlite3'}"
    redis_url = env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    retries = int(env.get("CCAP_RETRIES", "3"))
    delays = tuple(int(x) for x in env.get("CCAP_RETRY_DELAYS", "5,30,120").split(",") if x)
    return Config(data_dir=data_dir, database_url=database_url, redis_url=redis_url,
                  cert_wait_hours=float(env.get("CCAP_CERT_WAIT_HOURS", "48")),
                  page_timeout=int(env.get("CCAP_PAGE_TIMEOUT", "120")),
                  retries=retries, retry_delays=delays or (5,))
