"""The drop folder: a file is taken once, whole, only when complete, and moved only after it
is committed and queued."""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time

from sqlalchemy import func, select

from intake.store import Duplicate, Submission
from intake.watch import Watcher

from conftest import RedisServer, wait_until


def _subs(service):
    with service.store.session() as s:
        return s.scalars(select(Submission).order_by(Submission.id)).all()


def test_slowly_written_file_taken_once_whole(service, tmp_path):
    inbox = service.config.inbox_dir
    (inbox / "fax").mkdir(parents=True)
    watcher = Watcher(service.store, inbox, settle=0.6)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop, 0.1))
    thread.start()
    data = os.urandom(64 * 1024)
    target = inbox / "fax" / "slow.tif"
    (inbox / "fax" / "slow.tif.json").write_text(json.dumps(
        {"channel": "fax", "received_at": "2025-03-04T09:15:00-05:00", "sender": "5025551234"}))
    try:
        with open(target, "wb") as f:          # 8 chunks, 0.3 s apart: slower than a poll
            for i in range(8):
                f.write(data[i * 8192:(i + 1) * 8192])
                f.flush()
                time.sleep(0.3)
        wait_until(lambda: (inbox / "done" / "fax" / "slow.tif").exists(), 10, what="moved")
    finally:
        stop.set()
        thread.join()
    subs = _subs(service)
    assert len(subs) == 1 and watcher.taken == 1
    assert subs[0].sha256 == hashlib.sha256(data).hexdigest() and subs[0].size == len(data)
    assert (subs[0].channel, subs[0].sender) == ("fax", "5025551234")
    assert (inbox / "done" / "fax" / "slow.tif.json").exists()
    assert not target.exists()


def test_part_file_waits_for_rename(service):
    inbox = service.config.inbox_dir
    (inbox / "email").mkdir(parents=True)
    watcher = Watcher(service.store, inbox, settle=30)     # only the rename can make it ready
    part = inbox / "email" / "scan.pdf.part"
    part.write_bytes(b"%PDF-1.4 whole file")
    os.utime(part, (time.time() - 60, time.time() - 60))
    assert watcher.scan_once() == 0
    part.rename(inbox / "email" / "scan.pdf")             # rename keeps the old mtime
    assert watcher.scan_once() == 1
    assert _subs(service)[0].channel == "email"


def test_same_file_twice_one_submission_duplicate_recorded(service):
    inbox = service.config.inbox_dir
    watcher = Watcher(service.store, inbox, settle=0)
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nsame")
    assert watcher.scan_once() == 1
    (inbox / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nsame")
    assert watcher.scan_once() == 1
    assert len(_subs(service)) == 1
    with service.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Duplicate)) == 1
    assert sorted(p.name for p in (inbox / "done" / "upload").iterdir()) == ["a.1.png", "a.png"]


def test_bad_files_go_to_failed_with_a_reason(service):
    inbox = service.config.inbox_dir
    (inbox / "fax").mkdir(parents=True)
    (inbox / "fax" / "empty.tif").write_bytes(b"")
    (inbox / "fax" / "x.tif").write_bytes(b"II*\x00data")
    (inbox / "fax" / "x.tif.json").write_text("{not json")
    watcher = Watcher(service.store, inbox, settle=0)
    for _ in range(3):
        watcher.scan_once()
    failed = inbox / "failed" / "fax"
    assert (failed / "empty.tif.reason.txt").read_text().strip() == "the file is empty"
    assert "sidecar" in (failed / "x.tif.reason.txt").read_text()
    assert (failed / "x.tif").read_bytes() == b"II*\x00data" and (failed / "x.tif.json").exists()
    assert _subs(service) == []


def test_queue_down_file_stays_until_queued(service, tmp_path):
    inbox = service.config.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "b.png").write_bytes(b"\x89PNG\r\n\x1a\nb")
    dead = RedisServer(tmp_path)
    service.store.config = service.config.__class__(
        **{**service.config.__dict__, "redis_url": dead.url})
    watcher = Watcher(service.store, inbox, settle=0)
    assert watcher.scan_once() == 0 and (inbox / "b.png").exists()
    service.store.config = service.config
    assert watcher.scan_once() == 1 and not (inbox / "b.png").exists()
    subs = _subs(service)
    assert len(subs) == 1 and subs[0].state == "queued"
    with service.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Duplicate)) == 0


def test_email_without_forms_refused_once_with_reason(service):
    from email.message import EmailMessage
    inbox = service.config.inbox_dir
    (inbox / "email").mkdir(parents=True)
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "someone@example.org", "hello"
    msg.set_content("no attachment here")
    (inbox / "email" / "m.eml").write_bytes(msg.as_bytes())
    watcher = Watcher(service.store, inbox, settle=0)
    assert watcher.scan_once() == 1 and watcher.scan_once() == 0
    reason = (inbox / "failed" / "email" / "m.eml.reason.txt").read_text()
    assert "no PDF, TIFF, JPEG or PNG attachment" in reason
    [sub] = _subs(service)
    assert sub.state == "failed" and sub.reason == reason.strip()
    with service.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Duplicate)) == 0
