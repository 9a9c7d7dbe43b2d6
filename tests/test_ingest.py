"""Taking files in: originals kept by hash first, duplicates recorded, e-mails split, a lost
Redis never loses a submission."""
from __future__ import annotations

import hashlib
import json
from email.message import EmailMessage

from rq import Queue
from sqlalchemy import func, select

from intake import ingest
from intake.store import Duplicate, Submission
from workers import queue

from conftest import RedisServer

PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)      # bytes are what matters here, not pixels


def test_original_stored_by_hash_then_recorded_and_queued(service, tmp_path):
    f = tmp_path / "fax 1.tif"
    f.write_bytes(b"II*\x00" + b"page" * 100)
    (tmp_path / "fax 1.tif.json").write_text(json.dumps(
        {"received_at": "2025-03-04T09:15:00-05:00", "channel": "fax", "sender": "5025551234"}))
    result = ingest.ingest_path(service.store, f)
    sha = hashlib.sha256(f.read_bytes()).hexdigest()
    original = service.config.data_dir / "originals" / sha[:2] / sha[2:4] / sha
    assert original.read_bytes() == f.read_bytes()
    assert result.queued and not result.duplicate
    with service.store.session() as s:
        sub = s.get(Submission, result.submission_id)
        assert (sub.sha256, sub.channel, sub.sender, sub.received_at, sub.state) == \
            (sha, "fax", "5025551234", "2025-03-04T09:15:00-05:00", "queued")
    jobs = Queue(queue.SPLIT, connection=queue.connect(service.config)).job_ids
    assert jobs == [f"split-{result.submission_id}"]


def test_same_bytes_twice_one_submission_and_a_visible_duplicate(service, tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(b"%PDF-1.4 same bytes")
    b.write_bytes(a.read_bytes())
    first = ingest.ingest_path(service.store, a, channel="fax")
    second = ingest.ingest_path(service.store, b, channel="email")
    assert second.duplicate and second.submission_id == first.submission_id
    with service.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 1
        dup = s.scalar(select(Duplicate))
        assert (dup.filename, dup.channel) == ("b.pdf", "email")
        assert s.get(Submission, first.submission_id).to_json()["duplicates"][0]["filename"] \
            == "b.pdf"
    assert len(Queue(queue.SPLIT, connection=queue.connect(service.config))) == 1


def test_cli_ingest_says_duplicate(sqlite_service, tmp_path):
    f = tmp_path / "x.png"
    f.write_bytes(PNG)
    assert "queued" in sqlite_service.ccap("ingest", str(f)).stderr
    out = sqlite_service.ccap("ingest", "--channel", "upload", str(f))
    assert out.returncode == 0 and "duplicate" in out.stderr


def test_email_split_into_attachments_with_sender_and_date(service, tmp_path):
    from PIL import Image
    import io
    page = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(page, "PNG")
    logo = io.BytesIO()
    Image.new("L", (40, 20), 0).save(logo, "PNG")
    msg = EmailMessage()
    msg["From"] = "Provider <provider@example.org>"
    msg["Date"] = "Tue, 04 Mar 2025 09:15:00 -0500"
    msg["Subject"] = "billing"
    msg.set_content("attached")
    msg.add_attachment(b"%PDF-1.4 billing form", maintype="application", subtype="pdf",
                       filename="billing.pdf")
    msg.add_attachment(page.getvalue(), maintype="image", subtype="png", filename="photo.png")
    msg.add_attachment(logo.getvalue(), maintype="image", subtype="png", filename="logo.png")
    msg.add_attachment(b"hello", maintype="text", subtype="plain", filename="notes.txt")
    result = ingest.ingest_bytes(service.store, msg.as_bytes(),
                                 ingest.Delivery("mail.eml", "email"))
    assert [c.queued for c in result.children] == [True, True]
    with service.store.session() as s:
        parent = s.get(Submission, result.submission_id)
        assert parent.state == "split"
        kids = s.scalars(select(Submission).where(Submission.parent_id == parent.id)
                         .order_by(Submission.id)).all()
        assert [k.filename for k in kids] == ["billing.pdf", "photo.png"]
        assert {(k.sender, k.received_at, k.channel) for k in kids} == \
            {("provider@example.org", "2025-03-04T09:15:00-05:00", "email")}


def test_redis_down_submission_kept_and_queued_by_reconcile(service, tmp_path):
    dead = RedisServer(tmp_path)           # never started: nothing listens on its port
    cfg = service.config.__class__(**{**service.config.__dict__, "redis_url": dead.url})
    service.store.config = cfg
    f = tmp_path / "late.png"
    f.write_bytes(PNG)
    result = ingest.ingest_path(service.store, f)
    assert not result.queued
    with service.store.session() as s:
        assert s.get(Submission, result.submission_id).state == "received"
    again = ingest.ingest_path(service.store, f)     # the gateway delivers it again
    assert not again.duplicate and again.submission_id == result.submission_id
    service.store.config = service.config            # Redis is back
    assert queue.reconcile(service.config, service.store)["requeued"] == 1
    assert queue.reconcile(service.config, service.store)["requeued"] == 0   # nothing twice
    with service.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Duplicate)) == 0


def test_email_with_redis_down_is_split_by_reconcile(service, tmp_path):
    msg = EmailMessage()
    msg["From"], msg["Date"] = "p@example.org", "Tue, 04 Mar 2025 09:15:00 -0500"
    msg.set_content("attached")
    msg.add_attachment(b"%PDF-1.4 form a", maintype="application", subtype="pdf",
                       filename="a.pdf")
    msg.add_attachment(b"%PDF-1.4 form b", maintype="application", subtype="pdf",
                       filename="b.pdf")
    dead = RedisServer(tmp_path)
    service.store.config = service.config.__class__(
        **{**service.config.__dict__, "redis_url": dead.url})
    first = ingest.ingest_bytes(service.store, msg.as_bytes(), ingest.Delivery("m.eml", "email"))
    assert first.state == "received" and not first.settled
    service.store.config = service.config
    assert queue.reconcile(service.config, service.store)["requeued"] == 2
    with service.store.session() as s:
        subs = s.scalars(select(Submission).order_by(Submission.id)).all()
        assert [(x.filename, x.state) for x in subs] == \
            [("m.eml", "split"), ("a.pdf", "queued"), ("b.pdf", "queued")]
        assert s.scalar(select(func.count()).select_from(Duplicate)) == 0
