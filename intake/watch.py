"""``ccap watch DIR``: the drop folder the fax and e-mail gateways write into.

Layout: one subfolder per gateway (``DIR/fax/``, ``DIR/email/``; files directly in ``DIR``
come from ``upload``). Each file may have a sidecar ``FILE.json`` with ``received_at``,
``channel`` and ``sender``; gateways write the sidecar first, then the file. The channel is the
sidecar's, else the folder's name.

A file is taken only when it is complete: names ending in ``.part`` are never taken (a gateway
writes ``x.tif.part`` and renames it to ``x.tif`` when done), and any other file only once its
size and modification time have stayed the same for ``settle`` seconds. It is moved, with its
sidecar, to ``DIR/done/<gateway>/`` only after the submission is committed and queued; if the
queue cannot be reached it stays where it is and is tried again on the next pass. A file that
cannot become a submission at all (empty, or a sidecar that is not JSON) goes to
``DIR/failed/<gateway>/`` next to a ``FILE.reason.txt`` saying why. Nothing is deleted.

Polling (once a second) rather than inotify: it works the same on network shares, where many
gateways deliver, and it needs no extra package.
"""
from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from intake import ingest
from intake.store import Store

log = logging.getLogger(__name__)

SKIP_DIRS = {"done", "failed"}
IGNORED_SUFFIXES = (".part", ".tmp", ".json", ".reason.txt")


@dataclass
class Seen:
    size: int
    mtime: float
    since: float                 # monotonic time this size/mtime was first seen
    bad_sidecar: int = 0


class Watcher:
    def __init__(self, store: Store, root: Path, settle: float = 2.0):
        self.store, self.root, self.settle = store, Path(root), settle
        self.seen: dict[Path, Seen] = {}
        self.taken = 0

    def candidates(self) -> list[tuple[Path, str]]:
        out = []
        self.root.mkdir(parents=True, exist_ok=True)
        for entry in sorted(self.root.iterdir()):
            if entry.is_dir() and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                out += [(f, entry.name) for f in sorted(entry.iterdir()) if self._wanted(f)]
            elif self._wanted(entry):
                out.append((entry, "upload"))
        return out

    @staticmethod
    def _wanted(path: Path) -> bool:
        name = path.name
        return (path.is_file() and not name.startswith(".")
                and not name.endswith(IGNORED_SUFFIXES))

    def complete(self, path: Path) -> bool:
        """Size and mtime unchanged for ``settle`` seconds (a file renamed into place from
        ``.part`` keeps its old mtime, so it is taken at first sight)."""
        try:
            st = path.stat()
        except FileNotFoundError:
            self.seen.pop(path, None)
            return False
        now = time.monotonic()
        prev = self.seen.get(path)
        if prev is None or (prev.size, prev.mtime) != (st.st_size, st.st_mtime):
            age = time.time() - st.st_mtime
            self.seen[path] = Seen(st.st_size, st.st_mtime, now - max(0.0, age))
            return age >= self.settle
        return now - prev.since >= self.settle

    def scan_once(self) -> int:
        """One pass over the drop folder; returns how many files were taken."""
        taken = 0
        for path, gateway in self.candidates():
            if not self.complete(path):
                continue
            try:
                if self.take(path, gateway):
                    taken += 1
            except Exception as e:  # noqa: BLE001 - a bad file must not stop the watcher
                # file names can hold a child's name: the log says where and what, never which
                log.error("a file in %s/ was not taken this time (%s); will try again",
                          gateway, type(e).__name__)
        self.taken += taken
        return taken

    def take(self, path: Path, gateway: str) -> bool:
        if path.stat().st_size == 0:
            self._move(path, gateway, "failed", "the file is empty")
            return True
        try:
            delivery = ingest.delivery_for(path, default=gateway)
        except (ValueError, json.JSONDecodeError):
            seen = self.seen[path]
            seen.bad_sidecar += 1
            if seen.bad_sidecar < 3:         # perhaps still being written
                return False
            self._move(path, gateway, "failed", "the sidecar FILE.json is not a JSON object")
            return True
        result = ingest.ingest_bytes(self.store, path.read_bytes(), delivery)
        if not result.settled:
            return False                     # committed, not queued: keep it, try again
        if result.state == "failed":         # recorded, and refused at intake
            self._move(path, gateway, "failed", result.reason)
        else:
            self._move(path, gateway, "done")
        log.info("%s/: submission %s%s", gateway, result.submission_id,
                 " (duplicate)" if result.duplicate else "")
        return True

    def _move(self, path: Path, gateway: str, where: str, reason: str | None = None) -> None:
        dest_dir = self.root / where / gateway
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / path.name
        n = 1
        while dest.exists():
            dest = dest_dir / f"{path.stem}.{n}{path.suffix}"
            n += 1
        sidecar = path.with_name(path.name + ".json")
        if sidecar.exists():
            shutil.move(sidecar, dest.with_name(dest.name + ".json"))
        if reason:
            dest.with_name(dest.name + ".reason.txt").write_text(reason + "\n")
        shutil.move(path, dest)
        self.seen.pop(path, None)

    def run(self, stop: threading.Event | None = None, interval: float = 1.0) -> None:
        stop = stop or threading.Event()
        log.info("watching %s", self.root)
        while not stop.is_set():
            self.scan_once()
            stop.wait(interval)
