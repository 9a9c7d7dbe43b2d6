"""A DCC-94 whose pages come in two faxes, with a Family Support worker correcting the first
part in the review app before the rest arrives: completing the certificate must keep the
corrections (applied again on top of the assembled readings, even where the later fax read the
field again) and judge the findings on them. SQLite and a real PostgreSQL; the corrections go
through the real web route, the faxes through ingest and ``save_extract`` as the workers do."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import validators
from extractors.model import Document as CoreDocument, Extract, PageInfo
from intake import config as intake_config
from intake.history import model_document
from intake.ingest import Delivery
from intake.store import Document, ReviewEvent, Store, create_user
from web.app import create_app

from test_web import DATA, PASSWORD, login, render, store_read

FAX_A_AT = "2022-05-12T09:00:00-04:00"      # pages 1 and 2: 9 days after 2022-05-03
FAX_B_AT = "2022-05-16T09:14:00-04:00"      # pages 2 (again) and 3: 13 days, past the window


def sample_fields() -> dict:
    """The sample certificate's fields (read perfectly), by form page."""
    raw = json.loads((DATA / "extract.sample.json").read_text())
    doc = Extract.from_json(raw).documents[0]
    return {n: [(name, fv) for name, fv in doc.fields.items() if fv.page == n - 1]
            for n in (1, 2, 3)}


def part(form_pages: list[int], received_at: str, source: str, **readings) -> Extract:
    """A fax carrying ``form_pages`` of the certificate, its fields as read (``readings``
    override a field's value: name -> (value, confidence))."""
    by_page = sample_fields()
    fields = {}
    for index, n in enumerate(form_pages):
        for name, fv in by_page[n]:
            fields[name] = replace(fv, page=index)
    for name, (value, confidence) in readings.items():
        fields[name.replace("__", ".")] = replace(fields[name.replace("__", ".")], value=value,
                                                  confidence=confidence)
    missing = [n for n in (1, 2, 3) if n not in form_pages]
    pages = [PageInfo(i, "DCC-94", n, 3, image_size=(1700, 2200))
             for i, n in enumerate(form_pages)]
    doc = CoreDocument("DCC-94", list(range(len(form_pages))), missing, fields)
    return validators.check(Extract(source, received_at, pages, [doc]))


def store_fax(store: Store, images: list, extract: Extract) -> int:
    """Ingest a fax of these page images (without queueing) and save ``extract`` for it as
    the workers would; returns the submission id."""
    buf = io.BytesIO()
    pages = [im.convert("1") for im in images]
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:],
                  compression="group4", dpi=(200, 200))
    return store_read(store, buf.getvalue(),
                      Delivery(extract.source, "fax", None, extract.received_at), images, extract)


@pytest.fixture
def site(tmp_path, any_db):
    env = {"CCAP_DATA_DIR": str(tmp_path / "var"), "REDIS_URL": "redis://127.0.0.1:1/0"}
    if any_db:
        env["DATABASE_URL"] = any_db
    cfg = intake_config.load(env)
    store = Store.open(cfg)
    with store.session() as s:
        create_user(s, "worker", PASSWORD, "worker")
    app = create_app({"CCAP_ENV": env, "CCAP_CONFIG": cfg, "CCAP_STORE": store,
                      "TESTING": True})
    yield SimpleNamespace(app=app, store=store, images=render(DATA / "DCC-94.pdf"))
    store.dispose()


def page_of_box(html: str, field: str) -> int | None:
    """Which page image of the review page outlines ``field``."""
    for chunk in html.split('<figure class="page" id="page-')[1:]:
        if f'data-field="{field}"' in chunk:
            return int(chunk.split('"', 1)[0])
    return None


def the_document(store: Store, doc_id: int) -> Document:
    with store.session() as s:
        return s.get(Document, doc_id, options=[selectinload(Document.fields),
                                                selectinload(Document.findings)])


def test_completing_a_certificate_keeps_the_reviewers_corrections(site):
    store = site.store
    # fax A: pages 1 and 2; the parent's date is a smudge, the provider's signature read
    # blank, a stray mark read as a Saturday code
    first = store_fax(store, site.images[:2], part(
        [1, 2], FAX_A_AT, "fax-a.tif", parent_signed_date=(None, 0.3),
        provider_signature=("blank", 0.9), children__0__schedule__sat=("FD", 0.6)))
    with store.session() as s:
        doc_id = s.scalar(select(Document.id).where(Document.submission_id == first))
        doc = s.get(Document, doc_id)
        assert (doc.status, doc.missing_pages) == ("waiting", [3])
        assert "dcc94.provider_signature" in {f.rule for f in doc.findings}

    # the worker reads the page image and corrects all three, through the review page
    client, token = login(site.app, "worker")
    assert client.get(f"/documents/{doc_id}").status_code == 200
    for name, value in (("parent_signed_date", "5/6/22"), ("provider_signature", "wet"),
                        ("children.0.schedule.sat", "")):
        response = client.post(f"/documents/{doc_id}/correct", data={
            "csrf_token": token, "field": name, "value": value})
        assert response.status_code == 302
    assert "dcc94.provider_signature" not in {f.rule for f in the_document(store, doc_id).findings}

    # fax B: page 2 sent again (its date now read, wrongly, as 2020) with page 3
    second = store_fax(store, site.images[1:], part(
        [2, 3], FAX_B_AT, "fax-b.tif", parent_signed_date=("2020-05-06", 0.95),
        provider_signature=("blank", 0.9), children__0__schedule__sat=("FD", 0.6)))

    done = the_document(store, doc_id)
    assert (done.status, done.missing_pages) == ("completed", [])
    assert done.added_pages == [[second, 0], [second, 1]]
    date, signature = done.field("parent_signed_date"), done.field("provider_signature")
    # the correction wins over the later fax's reading of the same field, which is kept
    assert (date.value, date.extracted, date.corrected) == ("2022-05-06", "2020-05-06", True)
    assert (signature.value, signature.extracted, signature.corrected) == ("wet", "blank", True)
    saturday = done.field("children.0.schedule.sat")       # cleared by the worker: stays blank
    assert (saturday.value, saturday.extracted, saturday.corrected) == (None, "FD", True)
    rules = {f.rule for f in done.findings}
    # judged on the corrected values and the last part's receipt
    assert "dcc94.signed_dates" not in rules and "dcc94.provider_signature" not in rules
    assert "dcc94.all_pages" not in rules and "dcc94.return_window" in rules
    # ... where the readings alone would have raised both
    read_only = model_document(done)
    read_only = replace(read_only, fields={
        n: replace(fv, value=done.field(n).extracted) for n, fv in read_only.fields.items()})
    raw = validators.check(Extract("x", FAX_B_AT, [], [read_only])).documents[0]
    assert {"dcc94.signed_dates", "dcc94.provider_signature"} <= {f.rule for f in raw.findings}

    with store.session() as s:
        events = [(e.action, e.note) for e in s.scalars(
            select(ReviewEvent).where(ReviewEvent.document_id == doc_id).order_by(ReviewEvent.id))]
    assert events[-1] == ("completed", "missing pages arrived in a later submission; "
                                       "3 reviewer corrections applied again")

    # the review page shows them as corrections; a later correction is judged on the same
    # receipt (fax B's), so the late return stays
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "read as 2020-05-06" in html and "read as blank" in html
    # each box on the page it was read from: fax A's pages are 1-2, fax B's 3-4
    assert page_of_box(html, "parent_signed_date") == 3     # the reading taken from fax B
    assert page_of_box(html, "provider_signature") == 2     # fax A's reading kept
    assert page_of_box(html, "applicant.name") == 1
    client.post(f"/documents/{doc_id}/correct", data={
        "csrf_token": token, "field": "applicant.phone", "value": "502-555-0144"})
    assert "dcc94.return_window" in {f.rule for f in the_document(store, doc_id).findings}


def test_a_correction_on_a_part_that_is_folded_in_is_kept(site):
    """Three faxes: page 1, then page 2 alone, then page 3. The worker corrects the page-2
    part while it waits; completion folds it into the earliest document and keeps the fix."""
    store = site.store
    a = store_fax(store, site.images[:1], part([1], FAX_A_AT, "p1.tif"))
    b = store_fax(store, site.images[1:2], part([2], FAX_A_AT, "p2.tif",
                                                 parent_signed_date=("2020-05-06", 0.95)))
    with store.session() as s:
        ids = {sub: s.scalar(select(Document.id).where(Document.submission_id == sub))
               for sub in (a, b)}
        assert {s.get(Document, i).status for i in ids.values()} == {"waiting"}
    client, token = login(site.app, "worker")
    client.post(f"/documents/{ids[b]}/correct", data={
        "csrf_token": token, "field": "parent_signed_date", "value": "2022-05-06"})
    store_fax(store, site.images[2:], part([3], FAX_A_AT, "p3.tif"))
    done = the_document(store, ids[a])
    assert done.status == "completed"
    assert the_document(store, ids[b]).merged_into_id == ids[a]
    date = done.field("parent_signed_date")
    assert (date.value, date.extracted, date.corrected) == ("2022-05-06", "2020-05-06", True)
    assert "dcc94.signed_dates" not in {f.rule for f in done.findings}


def test_a_correction_waits_while_a_certificate_is_being_completed(site):
    """A correction arriving while a worker's transaction completes certificates waits for it
    (and then is made on the completed document), instead of being overwritten in between."""
    import threading
    from sqlalchemy import text
    from intake import certificates
    store = site.store
    first = store_fax(store, site.images[:2], part([1, 2], FAX_A_AT, "fax-a.tif",
                                                   provider_signature=("blank", 0.9)))
    with store.session() as s:
        doc_id = s.scalar(select(Document.id).where(Document.submission_id == first))
    client, token = login(site.app, "worker")
    answered = threading.Event()
    with store.session() as s:
        s.execute(text("SELECT 1"))
        certificates.lock(s)                         # what tie() holds while it completes
        thread = threading.Thread(target=lambda: (client.post(
            f"/documents/{doc_id}/correct", data={"csrf_token": token,
                                                  "field": "provider_signature", "value": "wet"}),
            answered.set()))
        thread.start()
        assert not answered.wait(1.0)
    thread.join(30)
    assert answered.is_set()
    assert the_document(store, doc_id).field("provider_signature").value == "wet"
