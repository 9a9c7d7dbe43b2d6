"""The queue with real ``ccap worker`` processes, a real redis-server and real Tesseract:
pages fan out and come back as documents; a worker killed with -9, a Redis that loses
everything, and a crashing OCR engine lose nothing and never process anything twice."""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from redis import Redis
from rq import Worker
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from intake import ingest, metrics
from intake.history import StoreHistory
from intake.store import Document, Page, Submission
from workers import queue

from conftest import wait_until

DATA = Path(__file__).parent / "data"
FINAL = ("done", "failed")


def _render(form: str) -> list:
    pdf = pdfium.PdfDocument(DATA / f"{form}.pdf")
    return [pdf[i].render(scale=200 / 72).to_pil().convert("L") for i in range(len(pdf))]


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    """Scanned (no text layer, so Tesseract runs) versions of the test forms."""
    out = tmp_path_factory.mktemp("scans")
    c94 = _render("DCC-94")
    files = {"c94": out / "cert.tif", "c94_p1": out / "cert-p1.png",
             "c94_p23": out / "cert-p23.tif", "pbf": out / "pbf.png",
             "sheet": out / "sheet.png"}
    pages = [p.convert("1") for p in c94]
    pages[0].save(files["c94"], save_all=True, append_images=pages[1:], dpi=(200, 200),
                  compression="group4")
    c94[0].save(files["c94_p1"], dpi=(200, 200))
    pages[1].save(files["c94_p23"], save_all=True, append_images=pages[2:], dpi=(200, 200),
                  compression="group4")
    _render("DCC-97")[0].save(files["pbf"], dpi=(200, 200))
    _render("DCC-94E")[0].save(files["sheet"], dpi=(200, 200))
    files["pbf_digital"] = DATA / "DCC-97.pdf"
    return files


def fake_tesseract(tmp_path: Path, body: str) -> str:
    """A directory to put first on PATH with a ``tesseract`` that runs ``body``."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir(exist_ok=True)
    exe = bindir / "tesseract"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return f"{bindir}:{os.environ['PATH']}"


def states(service) -> dict[int, str]:
    with service.store.session() as s:
        return dict(s.execute(select(Submission.id, Submission.state)).all())


def wait_final(service, ids, timeout=90):
    wait_until(lambda: all(states(service).get(i) in FINAL for i in ids), timeout,
               interval=0.3, what=f"submissions {ids} to finish")


def documents(service, sub_id) -> list[Document]:
    with service.store.session() as s:
        return s.scalars(select(Document).where(Document.submission_id == sub_id)
                         .options(selectinload(Document.fields),
                                  selectinload(Document.findings))).all()


def test_pages_fan_out_to_workers_and_come_back_as_documents(service, scans):
    w1, w2 = service.spawn("worker"), service.spawn("worker")
    conn = Redis.from_url(service.config.redis_url)
    wait_until(lambda: len(Worker.all(connection=conn)) >= 2, 90, interval=0.3,
               what="both workers to be listening")   # else one may take every page
    out = service.ccap("ingest", "--wait", "--timeout", "90", str(scans["c94"]))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["state"] == "done" and result["page_count"] == 3
    [doc] = result["documents"]
    assert doc["form"] == "DCC-94" and doc["pages"] == [0, 1, 2] and doc["findings"]
    with service.store.session() as s:
        pages = s.scalars(select(Page).where(Page.submission_id == result["id"])).all()
        assert {p.state for p in pages} == {"read"} and all(p.image_path for p in pages)
    assert (service.config.data_dir / pages[0].image_path).exists()
    assert w1.poll() is None and w2.poll() is None
    conn = Redis.from_url(service.config.redis_url)
    readers = {Job.fetch(queue.read_id(result["id"], i), connection=conn).worker_name
               for i in range(3)}
    assert len(readers) == 2                      # the pages were shared between the workers
    text = metrics.prometheus(service.store)
    assert 'ccap_submissions{state="done"} 1' in text
    assert "ccap_pages_processed_total 3" in text and "ccap_redis_up 1" in text
    assert metrics.healthz(service.store) == (True, {"database": True, "redis": True})


def test_worker_killed_mid_job_submission_completes_exactly_once(sqlite_service, scans,
                                                                  tmp_path):
    svc = sqlite_service
    slow = {"PATH": fake_tesseract(tmp_path, 'sleep 1\nexec /usr/bin/tesseract "$@"')}
    sub_id = ingest.ingest_path(svc.store, scans["c94"]).submission_id
    w1 = svc.spawn("worker", env=slow)
    conn = Redis.from_url(svc.config.redis_url)
    started = StartedJobRegistry(queue.PAGES, connection=conn)
    wait_until(lambda: started.get_job_ids(cleanup=False), 30, what="a page job to start")
    svc.kill(w1)                                  # the worker and its work horse, -9
    assert states(svc)[sub_id] == "reading"
    svc.spawn("worker")                           # reconciles at start
    wait_final(svc, [sub_id])
    assert states(svc)[sub_id] == "done"
    [doc] = documents(svc, sub_id)
    assert doc.form == "DCC-94"
    with svc.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert s.get(Submission, sub_id).attempts == 1


def test_redis_restart_mid_batch_loses_nothing(sqlite_service, scans, redis_server):
    svc = sqlite_service
    ids = [ingest.ingest_path(svc.store, scans[k]).submission_id
           for k in ("c94", "c94_p1", "c94_p23", "pbf_digital")]
    svc.spawn("worker")
    wait_until(lambda: "done" in states(svc).values(), 60, interval=0.2,
               what="a first submission done")
    redis_server.restart()                        # every queued job is gone
    assert any(s not in FINAL for s in states(svc).values())
    out = svc.ccap("reconcile")
    assert out.returncode == 0 and json.loads(out.stdout)["requeued"] >= 1
    svc.spawn("worker")
    wait_final(svc, ids)
    assert set(states(svc).values()) == {"done"}
    with svc.store.session() as s:
        per_sub = dict(s.execute(select(Document.submission_id, func.count())
                                 .group_by(Document.submission_id)).all())
    assert per_sub == {i: 1 for i in ids}        # one document each: none lost, none twice


def test_ocr_crash_fails_with_reason_keeps_original_and_retry_works(sqlite_service, scans,
                                                                    tmp_path):
    svc = sqlite_service
    broken = {"PATH": fake_tesseract(tmp_path, "exit 1")}
    sub_id = ingest.ingest_path(svc.store, scans["c94_p1"]).submission_id
    w1 = svc.spawn("worker", env=broken)
    wait_final(svc, [sub_id], timeout=60)
    with svc.store.session() as s:
        sub = s.get(Submission, sub_id)
        assert sub.state == "failed" and sub.reason.startswith("page 1: ")
        assert "tesseract" in sub.reason.lower()
        sha = sub.sha256
    original = svc.config.original_path(sha)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == sha
    svc.kill(w1)
    assert svc.ccap("retry", str(sub_id)).returncode == 0
    svc.spawn("worker")
    wait_final(svc, [sub_id])
    assert states(svc)[sub_id] == "done" and len(documents(svc, sub_id)) == 1


def test_unreadable_file_fails_at_once_with_reason(sqlite_service, tmp_path):
    svc = sqlite_service
    bad = tmp_path / "invoice.pdf"
    bad.write_bytes(b"<html>not a pdf</html>")
    sub_id = ingest.ingest_path(svc.store, bad).submission_id
    svc.spawn("worker")
    wait_final(svc, [sub_id], timeout=30)
    with svc.store.session() as s:
        sub = s.get(Submission, sub_id)
        assert sub.state == "failed" and sub.reason.startswith("opening the file: ")
        assert sub.attempts == 0


def test_certificate_across_two_faxes_is_completed(service, scans):
    svc = service
    first = ingest.ingest_path(svc.store, scans["c94_p1"]).submission_id
    svc.spawn("worker")
    wait_final(svc, [first])
    [waiting] = documents(svc, first)
    assert waiting.status == "waiting" and waiting.missing_pages == [2, 3]
    second = ingest.ingest_path(svc.store, scans["c94_p23"]).submission_id
    wait_final(svc, [second])
    [done] = documents(svc, first)
    [merged] = documents(svc, second)
    assert (done.status, done.missing_pages) == ("completed", [])
    assert done.added_pages == [[second, 0], [second, 1]]
    assert (merged.status, merged.merged_into_id) == ("merged", done.id)
    assert "dcc94.all_pages" not in {f.rule for f in done.findings}


def test_a_correction_made_while_a_certificate_waits_survives_its_completion(sqlite_service,
                                                                          scans):
    """Page 1 is read by a worker and waits; a Family Support worker corrects a field of it in
    the review app; pages 2-3 arrive in another fax: the completed certificate keeps the
    correction (with the reading beside it) and its findings were worked out on it."""
    from intake.store import create_user
    from test_web import PASSWORD, login
    from web.app import create_app
    svc = sqlite_service
    first = ingest.ingest_path(svc.store, scans["c94_p1"]).submission_id
    svc.spawn("worker")
    wait_final(svc, [first])
    [waiting] = documents(svc, first)
    assert waiting.status == "waiting"
    read = waiting.field("applicant.phone").value
    with svc.store.session() as s:
        create_user(s, "worker", PASSWORD, "worker")
    app = create_app({"CCAP_ENV": svc.env, "CCAP_CONFIG": svc.config, "CCAP_STORE": svc.store,
                      "TESTING": True})
    client, token = login(app, "worker")
    assert client.post(f"/documents/{waiting.id}/correct", data={
        "csrf_token": token, "field": "applicant.phone", "value": "5025550100"}).status_code == 302
    second = ingest.ingest_path(svc.store, scans["c94_p23"]).submission_id
    wait_final(svc, [second])
    [done] = documents(svc, first)
    phone = done.field("applicant.phone")
    assert done.status == "completed" and done.missing_pages == []
    assert (phone.value, phone.extracted, phone.corrected) == ("5025550100", read, True)
    assert "dcc94.all_pages" not in {f.rule for f in done.findings}
    html = client.get(f"/documents/{done.id}").get_data(as_text=True)
    assert "5025550100" in html


def test_certificate_wait_runs_out_goes_to_review_incomplete(tmp_path, redis_server, scans):
    from conftest import make_service
    svc = make_service(tmp_path, redis_server, None, CCAP_CERT_WAIT_HOURS="0")
    try:
        sub_id = ingest.ingest_path(svc.store, scans["c94_p1"]).submission_id
        svc.spawn("worker")
        wait_final(svc, [sub_id])
        assert queue.reconcile(svc.config, svc.store)["incomplete"] == 1
        [doc] = documents(svc, sub_id)
        assert (doc.status, doc.route) == ("incomplete", "review")
    finally:
        svc.stop_all()
        svc.store.dispose()


def test_holiday_history_counts_other_submissions(service, scans):
    svc = service
    sub_id = ingest.ingest_path(svc.store, scans["pbf_digital"]).submission_id
    svc.spawn("worker")
    wait_final(svc, [sub_id])
    history = StoreHistory(svc.store)
    assert history.holidays_used("1047732", 2022) == 1      # day 20 coded 43
    assert history.holidays_used("1047732", 2023) == 0
    assert StoreHistory(svc.store, exclude_submission=sub_id).holidays_used("1047732", 2022) == 0


def test_demo_once_runs_the_whole_service_and_stops_cleanly(tmp_path):
    """``ccap demo --once`` on two samples: its own Redis, workers, watcher, web app; the
    figures printed; nothing left running."""
    import shutil
    import subprocess
    import sys
    from email.message import EmailMessage

    from conftest import free_port
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(DATA / "DCC-97.pdf", samples / "pbf.pdf")
    (samples / "pbf.pdf.json").write_text(json.dumps(
        {"channel": "upload", "received_at": "2022-07-05T10:00:00-04:00", "sender": None}))
    (samples / "pbf.pdf.truth.json").write_text("{}")
    msg = EmailMessage()
    msg["From"], msg["Date"] = "p@example.org", "Tue, 05 Jul 2022 10:00:00 -0400"
    msg.set_content("see attached")
    msg.add_attachment((DATA / "DCC-94E.pdf").read_bytes(), maintype="application",
                       subtype="pdf", filename="sheet.pdf")
    (samples / "mail.eml").write_bytes(msg.as_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(CCAP_DATA_DIR=str(tmp_path / "var"), OMP_THREAD_LIMIT="1")
    port = free_port()
    out = subprocess.run([str(Path(sys.executable).with_name("ccap")), "demo", "--once",
                          "--port", str(port), "--samples", str(samples)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "started redis-server" in out.stdout and f"http://127.0.0.1:{port}/" in out.stdout
    figures = json.loads(out.stdout[out.stdout.index("{"):out.stdout.rindex("}") + 1])
    assert figures["files"] == 2 and figures["documents"] == 2
    assert figures["submissions"] == {"done": 2, "split": 1}
    assert "stopped" in out.stdout
    assert not list((tmp_path / "var" / "inbox").glob("*/*.pdf"))      # all moved to done/
