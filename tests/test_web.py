"""The review and audit web app through Flask's test client, on a real SQLite store seeded with
the store's own functions (ingest, page images, save_extract) and real page images rendered from
the forms.

The table ``ROUTES`` lists every route with the roles that may use it; a test checks that the
table covers the app's whole URL map, so a new route cannot be added without saying who may use
it, and another that each route refuses anonymous users and every other role.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

import validators
from extractors.forms import load_form
from extractors.model import Document as CoreDocument, Extract, FieldValue, PageInfo
from extractors.values import normalise
from intake import config as intake_config
from intake.documents import save_extract, save_page_image
from intake.ingest import Delivery, ingest_bytes
from intake.store import (Document, Page, ReviewEvent, Store, Submission, create_user,
                          issue_token)
from web import audit, duedates
from web.app import create_app

DATA = Path(__file__).parent / "data"
DPI = 200
PASSWORD = "correct horse battery"
ROLES = ("worker", "auditor", "admin")


# -- seeding through the store's real functions ------------------------------------------------

def render(pdf: Path) -> list:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].render(scale=DPI / 72).to_pil().convert("L") for i in range(len(doc))]


def store_extract(store: Store, pdf: Path, extract: Extract, channel: str = "fax") -> int:
    """Ingest ``pdf`` (without queueing: no worker here), keep its page images, then save the
    given extract as if the workers had read it. Returns the submission id."""
    return store_read(store, pdf.read_bytes(),
                      Delivery(pdf.name, channel, None, extract.received_at), render(pdf), extract)


def store_read(store: Store, data: bytes, delivery: Delivery, images: list,
               extract: Extract) -> int:
    """Ingest ``data`` without queueing, keep ``images`` as its read pages and save ``extract``
    for it as the workers would. Returns the submission id."""
    result = ingest_bytes(store, data, delivery, enqueue=False)
    with store.session() as s:
        sub = s.get(Submission, result.submission_id)
        for info in extract.pages:
            image = images[info.index]
            rel = save_page_image(store.config, sub.sha256, info.index, SimpleNamespace(image=image))
            s.add(Page(submission_id=sub.id, index=info.index, state="read", form=info.form,
                       form_page=info.page, of=info.of, rotation=0, skew_degrees=0.0,
                       image_path=rel, read={"image_size": list(image.size)}))
        sub.page_count, sub.state = len(extract.pages), "assembling"
    save_extract(store, result.submission_id, extract, 0.1)
    return result.submission_id


def layout_document(form: str, values: dict, page: int = 0) -> CoreDocument:
    """A one-page document of ``form`` read perfectly from ``values`` (text as written)."""
    fields = {}
    for f in load_form(form).page(1).fields:
        raw = values.get(f.name)
        value = ("wet" if raw else "blank") if f.type == "signature" else normalise(f.type, raw)
        fields[f.name] = FieldValue(value, 0.99, page, f.box.scaled(DPI / 72), f.type)
    return CoreDocument(form, [page], [], fields)


def seed(store: Store) -> dict:
    """A DCC-94 with a misread signature date (the worker's case), and a DCC-97 and DCC-94E of
    one provider and month arriving in separate faxes (the auditor's case)."""
    raw = json.loads((DATA / "extract.sample.json").read_text())
    raw["received_at"] = "2022-05-12T09:14:00-04:00"          # inside the 10-day window
    cert = Extract.from_json(raw)
    misread = cert.documents[0].fields["parent_signed_date"]
    misread.value, misread.confidence = "2022-04-06", 0.7     # OCR took the 5 of May for a 4
    cert = validators.check(cert)
    ids = {"cert_sub": store_extract(store, DATA / "DCC-94.pdf", cert)}

    pbf = Extract("pbf.pdf", "2022-07-05T10:00:00-04:00",
                  [PageInfo(0, "DCC-97", 1, 1, image_size=(2200, 1700))],
                  [layout_document("DCC-97", json.loads((DATA / "DCC-97.values.json").read_text()))])
    ids["pbf_sub"] = store_extract(store, DATA / "DCC-97.pdf", validators.check(pbf))
    sheet = Extract("sheet.pdf", "2022-06-13T08:00:00-04:00",
                    [PageInfo(0, "DCC-94E", 1, None, image_size=(2200, 1700))],
                    [layout_document("DCC-94E", json.loads((DATA / "DCC-94E.values.json").read_text()))])
    ids["sheet_sub"] = store_extract(store, DATA / "DCC-94E.pdf", validators.check(sheet))

    with store.session() as s:
        for key in ("cert", "pbf", "sheet"):
            ids[key] = s.scalar(select(Document.id).where(Document.submission_id == ids[key + "_sub"]))
        for role in ROLES:
            create_user(s, role, PASSWORD, role, name=f"Test {role}")
        ids["gateway_token"] = issue_token(s, "fax-gateway", "fax")
    return ids


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ccap")
    env = {"CCAP_DATA_DIR": str(data_dir), "CCAP_METRICS_TOKEN": "scrape-me",
           "REDIS_URL": "redis://127.0.0.1:1/0"}      # nothing listens: Redis is "down"
    cfg = intake_config.load(env)
    store = Store.open(cfg)
    ids = seed(store)
    app = create_app({"CCAP_ENV": env, "CCAP_CONFIG": cfg, "CCAP_STORE": store, "TESTING": True})
    yield SimpleNamespace(app=app, store=store, cfg=cfg, ids=ids, data_dir=data_dir)
    store.dispose()


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, role: str | None):
    client = app.test_client()
    if role is None:
        return client, None
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": role, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    home = "/audit" if role == "auditor" else "/queue"
    return client, csrf_token(client, home)


# -- who may use what ----------------------------------------------------------------------------

BROWSER, GATEWAY = "browser", "gateway"
# (method, path with {placeholders}, roles allowed, kind)
ROUTES = [
    ("GET", "/", ROLES, BROWSER),
    ("POST", "/logout", ROLES, BROWSER),
    ("GET", "/queue", ("worker", "admin"), BROWSER),
    ("GET", "/documents/{doc_id}", ROLES, BROWSER),
    ("GET", "/documents/{doc_id}/pages/{number}.png", ROLES, BROWSER),
    ("POST", "/documents/{doc_id}/correct", ("worker", "admin"), BROWSER),
    ("POST", "/documents/{doc_id}/approve", ("worker", "admin"), BROWSER),
    ("POST", "/documents/{doc_id}/return", ("worker", "admin"), BROWSER),
    ("POST", "/documents/{doc_id}/reject", ("worker", "admin"), BROWSER),
    ("POST", "/submissions/{sub_id}/retry", ("worker", "admin"), BROWSER),
    ("GET", "/audit", ("auditor", "admin"), BROWSER),
    ("POST", "/audit/match", ("auditor", "admin"), BROWSER),
    ("POST", "/audit/sample", ("auditor", "admin"), BROWSER),
    ("GET", "/audit/{run_id}", ("auditor", "admin"), BROWSER),
    ("GET", "/audit/{run_id}.csv", ("auditor", "admin"), BROWSER),
    ("GET", "/audit/{run_id}.pdf", ("auditor", "admin"), BROWSER),
    ("GET", "/admin/users", ("admin",), BROWSER),
    ("POST", "/admin/users", ("admin",), BROWSER),
    ("POST", "/admin/tokens", ("admin",), BROWSER),
    ("GET", "/healthz", ("admin",), "metrics"),
    ("GET", "/metrics", ("admin",), "metrics"),
    ("POST", "/api/v1/submissions", (), GATEWAY),
    ("GET", "/api/v1/submissions/{sub_id}", (), GATEWAY),
]
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/static/{filename}")}


def test_the_table_covers_every_route(site):
    rules = {(m, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule))
             for r in site.app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    assert rules - PUBLIC == {(m, p) for m, p, _, _ in ROUTES}


@pytest.fixture(scope="module")
def run_id(site):
    with site.store.session() as s:
        run = audit.match_check(s, date(2022, 6, 1), user="fixture")
    audit.save(site.cfg, run)
    return run.id


@pytest.mark.parametrize("method, path, allowed, kind", ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
@pytest.mark.parametrize("role", (None,) + ROLES, ids=lambda r: r or "anonymous")
def test_each_route_refuses_anonymous_users_and_wrong_roles(site, run_id, method, path,
                                                            allowed, kind, role):
    url = path.format(doc_id=site.ids["cert"], sub_id=site.ids["cert_sub"], run_id=run_id,
                      number=1)
    client, token = login(site.app, role)
    data = {"csrf_token": token} if method == "POST" and token else {}
    response = client.open(url, method=method, data=data)
    if role is None or role not in allowed:
        if role is None and kind == BROWSER and method == "GET":
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login?next=")
        elif role is None or kind != BROWSER:
            assert response.status_code == 401
        else:
            assert response.status_code == 403
    else:
        assert response.status_code in (200, 302, 503), (response.status_code, url)
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"] or path == "/logout"


def test_metrics_and_health_take_the_scrapers_bearer_token(site):
    client = site.app.test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "ccap_submissions{state=\"done\"} 3" in text
    assert "ccap_redis_up 0" in text
    health = client.get("/healthz", headers={"Authorization": "Bearer scrape-me"})
    assert health.status_code == 503          # Redis is down in this test
    assert health.get_json() == {"ok": False, "database": True, "redis": False}


def test_gateway_upload_and_status(site):
    client = site.app.test_client()
    auth = {"Authorization": f"Bearer {site.ids['gateway_token']}"}
    body = (DATA / "DCC-94E.pdf").read_bytes() + b"\n% another copy\n"
    response = client.post("/api/v1/submissions", headers=auth, data={
        "file": (io.BytesIO(body), "../../etc/fax.pdf"), "received_at": "2022-06-13T08:00:00-04:00"})
    assert response.status_code == 201, response.get_data(as_text=True)
    sub_id = response.get_json()["submission"]
    assert response.get_json()["queued"] is False            # Redis down: kept, reconcile queues it
    again = client.post("/api/v1/submissions", headers=auth,
                        data={"file": (io.BytesIO(body), "fax-again.pdf")})
    assert again.status_code == 200 and again.get_json().items() >= {
        "submission": sub_id, "duplicate": True, "queued": False,
        "url": f"/api/v1/submissions/{sub_id}"}.items()
    status = client.get(f"/api/v1/submissions/{sub_id}", headers=auth).get_json()
    assert status["filename"] == "fax.pdf" and status["channel"] == "fax"
    assert status["state"] == "received" and len(status["duplicates"]) == 1
    assert client.post("/api/v1/submissions", headers=auth, data={}).status_code == 400
    bad_time = client.post("/api/v1/submissions", headers=auth, data={
        "file": (io.BytesIO(b"x"), "a.pdf"), "received_at": "yesterday"})
    assert bad_time.status_code == 400


def test_a_post_without_the_csrf_token_is_refused(site):
    client, _ = login(site.app, "worker")
    response = client.post(f"/documents/{site.ids['cert']}/reject", data={"note": "spam"})
    assert response.status_code == 400
    with site.store.session() as s:
        assert s.get(Document, site.ids["cert"]).review_state == "open"


def test_the_session_secret_is_generated_once_into_the_data_dir(site):
    secret = site.data_dir / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert site.app.config["SECRET_KEY"] == secret.read_text().strip()
    again = create_app({"CCAP_ENV": {"CCAP_DATA_DIR": str(site.data_dir)},
                        "CCAP_CONFIG": site.cfg, "CCAP_STORE": site.store})
    assert again.config["SECRET_KEY"] == site.app.config["SECRET_KEY"]
    given = create_app({"CCAP_ENV": {"CCAP_SECRET_KEY": "from-env"}, "CCAP_CONFIG": site.cfg,
                        "CCAP_STORE": site.store})
    assert given.config["SECRET_KEY"] == "from-env"


def test_wrong_password_and_disabled_users_cannot_sign_in(site):
    client = site.app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "worker", "password": "nope",
                                           "csrf_token": token})
    assert response.status_code == 401 and "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/queue").status_code == 302
    # an admin adds a worker, who signs in; then the admin disables them
    admin, admin_token = login(site.app, "admin")
    short = admin.post("/admin/users", data={"csrf_token": admin_token, "username": "temp",
                                             "role": "worker", "password": "short"},
                       follow_redirects=True)
    assert "at least 10 characters" in short.get_data(as_text=True)
    admin.post("/admin/users", data={"csrf_token": admin_token, "username": "temp",
                                     "role": "worker", "password": "long enough pass"})
    temp = site.app.test_client()
    temp.post("/login", data={"username": "temp", "password": "long enough pass",
                              "csrf_token": csrf_token(temp, "/login")})
    assert temp.get("/queue").status_code == 200
    admin.post("/admin/users", data={"csrf_token": admin_token, "username": "temp",
                                     "role": "worker", "active": "0"})
    assert temp.get("/queue").status_code == 302                  # the open session ends too
    again = temp.post("/login", data={"username": "temp", "password": "long enough pass",
                                      "csrf_token": csrf_token(temp, "/login")})
    assert again.status_code == 401
    # and an admin cannot lock themselves out
    response = admin.post("/admin/users", data={"csrf_token": admin_token, "username": "admin",
                                                "role": "worker"}, follow_redirects=True)
    assert "cannot take away your own admin access" in response.get_data(as_text=True)


def test_login_redirect_stays_on_this_site(site):
    client = site.app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/", data={
        "username": "worker", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/queue"


def test_queue_shows_the_certificate_with_its_due_date(site):
    client, _ = login(site.app, "worker")
    html = client.get("/queue").get_data(as_text=True)
    assert f"DCC-94 #{site.ids['cert']}" in html
    # received Thursday 2022-05-12 -> due Monday 2022-05-16, long overdue today
    assert "2022-05-16 (overdue)" in html
    assert "dcc94.signed_dates" in html


def test_review_page_shows_findings_boxes_and_image(site):
    client, _ = login(site.app, "worker")
    html = client.get(f"/documents/{site.ids['cert']}?field=parent_signed_date").get_data(as_text=True)
    assert "dcc94.signed_dates" in html
    assert re.search(r'class="box has-value finding-error" data-field="parent_signed_date"', html)
    image = client.get(f"/documents/{site.ids['cert']}/pages/2.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/documents/{site.ids['cert']}/pages/9.png").status_code == 404
    assert client.get("/documents/99999").status_code == 404


def test_auditor_reads_documents_but_cannot_change_them(site):
    client, token = login(site.app, "auditor")
    html = client.get(f"/documents/{site.ids['cert']}").get_data(as_text=True)
    assert "read only" in html and "Save correction" not in html


def test_correcting_a_field_rechecks_the_findings_then_approve(site, tmp_path):
    # a document of its own, so the other tests keep theirs open
    with site.store.session() as s:
        sub = s.get(Submission, site.ids["cert_sub"])
        received = sub.received_at
    client, token = login(site.app, "worker")
    doc_id = site.ids["cert"]
    bad = client.post(f"/documents/{doc_id}/correct", data={
        "csrf_token": token, "field": "parent_signed_date", "value": "not a date"},
        follow_redirects=True)
    assert "cannot be read as a date" in bad.get_data(as_text=True)
    ok = client.post(f"/documents/{doc_id}/correct", data={
        "csrf_token": token, "field": "parent_signed_date", "value": "5/6/22"},
        follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "Field corrected. Findings re-checked: 1 resolved." in html
    assert "No problems found." in html and "read as 2022-04-06" in html
    assert client.post(f"/documents/{doc_id}/approve", data={"csrf_token": token}).status_code == 302
    again = client.post(f"/documents/{doc_id}/reject", data={"csrf_token": token, "note": "x"},
                        follow_redirects=True)
    assert "already approved" in again.get_data(as_text=True)
    with site.store.session() as s:
        doc = s.get(Document, doc_id)
        assert doc.review_state == "approved" and doc.field("parent_signed_date").value == "2022-05-06"
        assert doc.field("parent_signed_date").extracted == "2022-04-06"
        events = [(e.action, e.field, e.old_value, e.new_value) for e in
                  s.scalars(select(ReviewEvent).where(ReviewEvent.document_id == doc_id))]
        assert events == [("correct", "parent_signed_date", "2022-04-06", "2022-05-06"),
                          ("approve", None, None, None)]
        # reopen for the other tests
        doc.review_state = "open"
    assert received


def test_closed_value_fields_take_only_their_values(site):
    client, token = login(site.app, "worker")
    doc_id = site.ids["cert"]
    html = client.post(f"/documents/{doc_id}/correct", follow_redirects=True, data={
        "csrf_token": token, "field": "provider_signature", "value": "Linda"}).get_data(as_text=True)
    assert "A signature is one of: wet, electronic, blank; nothing changed." in html
    client.post(f"/documents/{doc_id}/correct", data={
        "csrf_token": token, "field": "provider_signature", "value": "Electronic"})
    with site.store.session() as s:
        doc = s.get(Document, doc_id)
        assert doc.field("provider_signature").value == "electronic"
        assert "dcc94.provider_signature" in {f.rule for f in doc.findings}
    client.post(f"/documents/{doc_id}/correct", data={
        "csrf_token": token, "field": "provider_signature", "value": "wet"})
    with site.store.session() as s:
        doc = s.get(Document, doc_id)
        assert "dcc94.provider_signature" not in {f.rule for f in doc.findings}


def test_return_needs_a_reason_and_records_it(site):
    client, token = login(site.app, "worker")
    doc_id = site.ids["pbf"]
    response = client.post(f"/documents/{doc_id}/return", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Give the provider a reason" in response.get_data(as_text=True)
    client.post(f"/documents/{doc_id}/return", data={"csrf_token": token,
                                                     "note": "Sign the form by hand."})
    with site.store.session() as s:
        doc = s.get(Document, doc_id)
        assert doc.review_state == "returned"
        event = s.scalars(select(ReviewEvent).where(ReviewEvent.document_id == doc_id)).one()
        assert (event.action, event.note) == ("return", "Sign the form by hand.")
        doc.review_state = "open"
        s.delete(event)
    html = client.get("/queue?state=returned").get_data(as_text=True)
    assert "Nothing here." in html


def test_a_failed_submission_is_shown_and_retried(site):
    result = ingest_bytes(site.store, b"%PDF-1.4 not really", Delivery("broken.pdf", "fax"),
                          enqueue=False)
    with site.store.session() as s:
        sub = s.get(Submission, result.submission_id)
        sub.state, sub.reason, sub.attempts = "failed", "load: not a readable PDF", 3
    client, token = login(site.app, "worker")
    html = client.get("/queue").get_data(as_text=True)
    assert "load: not a readable PDF" in html and f"Retry #{result.submission_id}" in html
    response = client.post(f"/submissions/{result.submission_id}/retry",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "will be read again as soon as the queue is reachable" in response.get_data(as_text=True)
    with site.store.session() as s:
        sub = s.get(Submission, result.submission_id)
        assert (sub.state, sub.reason) == ("received", None)     # reconcile queues it


def test_match_audit_across_submissions_from_browser_and_csv(site):
    client, token = login(site.app, "auditor")
    response = client.post("/audit/match", data={"csrf_token": token, "month": "2022-06"})
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Attendance against billing" in report and "match.missing_week" in report
    run_id = response.headers["Location"].rsplit("/", 1)[1]
    download = client.get(f"/audit/{run_id}.csv")
    assert download.headers["Content-Disposition"] == f'attachment; filename="audit-{run_id}.csv"'
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert rows and {r["run_id"] for r in rows} == {run_id}
    assert {r["provider_number"] for r in rows} == {"1047732"}
    assert {r["rule"] for r in rows} >= {"match.missing_week"}
    pdf = client.get(f"/audit/{run_id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get("/audit/../../etc.csv").status_code == 404


def test_sample_records_its_seed_and_draws_the_same_again(site, capsys):
    argv = ["sample", "--month", "2022-06", "--n", "1", "--form", "DCC-97", "--seed", "7"]
    assert audit.run_cli(argv, cfg=site.cfg) == 0
    first = capsys.readouterr().out
    assert "seed=7" in first and "population: 1" in first
    assert audit.run_cli(argv + ["--csv", "-"], cfg=site.cfg) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["seed"], r["document_id"]) for r in rows] == [("7", str(site.ids["pbf"]))]
    # without a seed one is drawn and printed
    assert audit.run_cli(["sample", "--month", "2022-06"], cfg=site.cfg) == 0
    assert re.search(r"seed=\d+", capsys.readouterr().out)
    assert audit.run_cli(["sample", "--month", "June"], cfg=site.cfg) == 2


def test_cli_match_writes_csv_and_printable_html(site, tmp_path, capsys):
    out_csv, out_html, out_pdf = tmp_path / "r.csv", tmp_path / "r.html", tmp_path / "r.pdf"
    assert audit.run_cli(["match", "--month", "2022-06", "--provider", "1047732",
                          "--csv", str(out_csv), "--html", str(out_html), "--pdf", str(out_pdf)],
                         cfg=site.cfg) == 0
    assert out_pdf.read_bytes().startswith(b"%PDF")
    text = capsys.readouterr().out
    assert "billing forms: 1" in text and "attendance sheets: 1" in text
    assert out_csv.read_text().startswith("run_id,provider_number,billing_month,rule")
    html = out_html.read_text()
    assert "<style>" in html and "match.missing_week" in html
    run_id = re.search(r"run (\S+) saved", text).group(1)
    assert audit.run_cli(["show", run_id], cfg=site.cfg) == 0
    assert audit.run_cli(["show", "nope"], cfg=site.cfg) == 2


def test_no_personal_data_in_the_logs(site, caplog):
    caplog.set_level("DEBUG")
    client, token = login(site.app, "worker")
    client.get(f"/documents/{site.ids['cert']}")
    client.post(f"/documents/{site.ids['cert']}/correct", data={
        "csrf_token": token, "field": "applicant.name", "value": "Maria E Lopez"})
    logged = caplog.text.upper()
    for secret in ("LOPEZ", "4002817365", "C2205031234", PASSWORD.upper()):
        assert secret not in logged


def test_review_due_counts_business_days():
    assert duedates.review_due(date(2022, 5, 13)) == date(2022, 5, 17)      # Fri -> Tue
    assert duedates.review_due(date(2022, 7, 1)) == date(2022, 7, 6)        # July 4th
    assert duedates.review_due(date(2022, 12, 22)) == date(2022, 12, 28)    # Christmas Eve, Day
    assert duedates.received_day("2022-05-13T23:30:00-04:00") == date(2022, 5, 13)
    assert duedates.received_day("2022-05-14T02:30:00+00:00") == date(2022, 5, 13)


def test_the_app_on_postgresql_with_a_real_redis(pg_server, redis_server, tmp_path):
    """The same app on PostgreSQL, with Redis up: review, audit, upload (queued) and health."""
    redis_server.flush()
    env = {"CCAP_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": pg_server.create_database(),
           "REDIS_URL": redis_server.url, "CCAP_METRICS_TOKEN": "scrape-me"}
    cfg = intake_config.load(env)
    store = Store.open(cfg)
    try:
        ids = seed(store)
        app = create_app({"CCAP_ENV": env, "CCAP_CONFIG": cfg, "CCAP_STORE": store})
        client, token = login(app, "worker")
        assert f"DCC-94 #{ids['cert']}" in client.get("/queue").get_data(as_text=True)
        html = client.post(f"/documents/{ids['cert']}/correct", follow_redirects=True, data={
            "csrf_token": token, "field": "parent_signed_date", "value": "2022-05-06"}
        ).get_data(as_text=True)
        assert "1 resolved" in html
        assert client.post(f"/documents/{ids['cert']}/approve",
                           data={"csrf_token": token}).status_code == 302

        auditor, token = login(app, "auditor")
        report = auditor.post("/audit/match", data={"csrf_token": token, "month": "2022-06"},
                              follow_redirects=True).get_data(as_text=True)
        assert "match.missing_week" in report
        sample = auditor.post("/audit/sample", follow_redirects=True, data={
            "csrf_token": token, "month": "2022-06", "n": "5", "form": "DCC-94E", "seed": "3"})
        assert "Population</dt><dd>1" in sample.get_data(as_text=True)

        gateway = app.test_client()
        upload = gateway.post("/api/v1/submissions",
                              headers={"Authorization": f"Bearer {ids['gateway_token']}"},
                              data={"file": (io.BytesIO(b"%PDF-1.4 new fax"), "new.pdf")})
        assert upload.status_code == 201 and upload.get_json()["queued"] is True
        health = gateway.get("/healthz", headers={"Authorization": "Bearer scrape-me"})
        assert health.status_code == 200 and health.get_json()["ok"] is True
        metrics = gateway.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert "ccap_redis_up 1" in metrics.get_data(as_text=True)
    finally:
        store.dispose()


# -- sign-in throttling ----------------------------------------------------------------------------

def sign_in(app, username: str, password: str, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client, "/login")
    return client, client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": token})


def add_worker(store: Store, username: str) -> int:
    with store.session() as s:
        return create_user(s, username, PASSWORD, "worker").id


def test_failed_sign_ins_lock_the_account(site, caplog):
    caplog.set_level("INFO")
    user_id = add_worker(site.store, "lockme")
    for _ in range(4):
        assert sign_in(site.app, "lockme", "wrong", "10.1.0.1")[1].status_code == 401
    _, fifth = sign_in(site.app, "lockme", "wrong", "10.1.0.2")     # from any address
    assert fifth.status_code == 429 and fifth.headers["Retry-After"] == "900"
    assert "Too many failed sign-ins for this user name. Signing in is locked for 15 minutes" \
        in fifth.get_data(as_text=True)
    # locked: the right password is refused too, from anywhere, and signs nobody in
    client, right = sign_in(site.app, "lockme", PASSWORD, "10.1.0.3")
    assert right.status_code == 429 and client.get("/queue").status_code == 302
    assert sign_in(site.app, "LOCKME", "guess", "10.1.0.3")[1].status_code == 429  # any case
    # other accounts are not affected
    assert sign_in(site.app, "worker", PASSWORD, "10.1.0.1")[1].status_code == 302
    assert f"sign-in locked for 900 s: too many failures for this account (user {user_id})" \
        in caplog.text
    assert "sign-in refused: account locked" in caplog.text
    for personal in ("lockme", "10.1.0."):
        assert personal not in caplog.text.lower()
    # an administrator lifts the lock by setting a new password
    admin, admin_token = login(site.app, "admin")
    admin.post("/admin/users", data={"csrf_token": admin_token, "username": "lockme",
                                     "role": "worker", "password": "a brand new password"})
    assert sign_in(site.app, "lockme", "a brand new password", "10.1.0.1")[1].status_code == 302


def test_a_successful_sign_in_clears_the_account_failures(site):
    add_worker(site.store, "forgetful")
    for _ in range(4):
        assert sign_in(site.app, "forgetful", "wrong", "10.2.0.1")[1].status_code == 401
    assert sign_in(site.app, "forgetful", PASSWORD, "10.2.0.1")[1].status_code == 302
    for _ in range(4):
        assert sign_in(site.app, "forgetful", "wrong", "10.2.0.1")[1].status_code == 401
    assert sign_in(site.app, "forgetful", "wrong", "10.2.0.1")[1].status_code == 429


def test_failures_from_one_address_lock_the_address(site):
    for n in range(19):              # a different (unknown) name each time: only the address
        assert sign_in(site.app, f"guess{n}", "x", "10.3.0.1")[1].status_code == 401
    _, locked = sign_in(site.app, "guess19", "x", "10.3.0.1")
    assert locked.status_code == 429
    assert "for this computer&#39;s address" in locked.get_data(as_text=True)
    assert sign_in(site.app, "worker", PASSWORD, "10.3.0.1")[1].status_code == 429
    assert sign_in(site.app, "worker", PASSWORD, "10.3.0.2")[1].status_code == 302


def test_a_lock_ends_after_its_time(site):
    import time
    app = create_app({"CCAP_ENV": {"CCAP_DATA_DIR": str(site.data_dir),
                                   "REDIS_URL": "redis://127.0.0.1:1/0"},
                      "CCAP_CONFIG": site.cfg, "CCAP_STORE": site.store, "TESTING": True,
                      "LOGIN_FAILURES": 2, "LOGIN_LOCK_SECONDS": 2})
    add_worker(site.store, "patient")
    assert sign_in(app, "patient", "wrong", "10.4.0.1")[1].status_code == 401
    assert sign_in(app, "patient", "wrong", "10.4.0.1")[1].status_code == 429
    assert sign_in(app, "patient", PASSWORD, "10.4.0.1")[1].status_code == 429
    time.sleep(2.2)
    assert sign_in(app, "patient", PASSWORD, "10.4.0.1")[1].status_code == 302


def test_sign_in_locks_are_shared_through_redis(site, redis_server):
    """Two web processes on one Redis see the same lock; Redis holds no name in clear."""
    import redis
    redis_server.flush()
    env = {"CCAP_DATA_DIR": str(site.data_dir), "REDIS_URL": redis_server.url}
    cfg = intake_config.load(env)
    one, two = (create_app({"CCAP_ENV": env, "CCAP_CONFIG": cfg, "CCAP_STORE": site.store,
                            "TESTING": True}) for _ in range(2))
    add_worker(site.store, "shared")
    for _ in range(4):
        assert sign_in(one, "shared", "wrong", "10.5.0.1")[1].status_code == 401
    assert sign_in(two, "shared", "wrong", "10.5.0.1")[1].status_code == 429
    assert sign_in(one, "shared", PASSWORD, "10.5.0.1")[1].status_code == 429
    keys = [k.decode() for k in redis.Redis.from_url(redis_server.url).keys("*")]
    assert keys and not any("shared" in k or "10.5.0.1" in k for k in keys)
