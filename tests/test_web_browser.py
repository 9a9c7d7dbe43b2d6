"""The review and audit pages in a real headless Chromium against a real server.

The app runs in werkzeug's threaded server on a free local port, on a temporary SQLite store
seeded through the store's own functions (``test_web.seed``: real page images rendered from the
forms). A worker signs in, opens the queue and the certificate, sees the problem outlined on the
page image, corrects the misread date and approves; an auditor runs the attendance check for the
month and downloads the CSV. One screenshot of the review page is kept in
``/tmp/ccap-review.png`` (or ``$CCAP_SCREENSHOT``) to look at.
"""
from __future__ import annotations

import csv
import io
import os
import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from intake import config as intake_config
from intake.store import Store
from test_web import PASSWORD, seed
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = os.environ.get("CCAP_SCREENSHOT", "/tmp/ccap-review.png")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ccap-browser")
    env = {"CCAP_DATA_DIR": str(data_dir), "REDIS_URL": "redis://127.0.0.1:1/0"}
    cfg = intake_config.load(env)
    store = Store.open(cfg)
    ids = seed(store)
    app = create_app({"CCAP_ENV": env, "CCAP_CONFIG": cfg, "CCAP_STORE": store})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", ids
    httpd.shutdown()
    thread.join(5)
    store.dispose()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_worker_corrects_a_misread_date_and_approves(server, browser):
    base, ids = server
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, base, "worker")
    expect(page).to_have_url(f"{base}/queue")
    row = page.get_by_role("row").filter(has_text=f"DCC-94 #{ids['cert']}")
    expect(row).to_contain_text("overdue")
    expect(row).to_contain_text("dcc94.signed_dates")
    row.get_by_role("link", name=f"DCC-94 #{ids['cert']}").click()

    # the problem, in words and outlined on the page image
    finding = page.locator(".finding.error").filter(has_text="dcc94.signed_dates")
    expect(finding).to_be_visible()
    box = page.locator('.box.finding-error[data-field="parent_signed_date"]')
    expect(box).to_have_count(1)
    image = page.locator("#page-2 img")
    expect(image).to_be_visible()         # sized by its attributes before it has loaded:
    page.wait_for_function("document.querySelector('#page-2 img').complete")   # wait for it
    assert page.evaluate("document.querySelector('#page-2 img').naturalWidth") == 1700
    # the box sits where the field is: scaled from the 1700 x 2200 image to what is shown
    shown = image.bounding_box()
    drawn = box.bounding_box()
    assert drawn["width"] > 20 and shown["x"] <= drawn["x"] <= shown["x"] + shown["width"]

    # clicking the field in the finding highlights its box and puts it in the correction form
    finding.get_by_role("link", name="parent_signed_date").click()
    expect(box).to_have_class("box has-value finding-error selected")
    expect(page.get_by_label("Correct value")).to_have_value("2022-04-06")
    expect(page.locator("#row-parent_signed_date")).to_have_class("flagged selected")
    page.screenshot(path=SCREENSHOT, full_page=False)
    # zooming keeps the box on its field: it grows with the image
    page.get_by_role("button", name="200 %").click()
    assert abs(box.bounding_box()["width"] - 2 * drawn["width"]) < 2
    page.get_by_role("button", name="Fit width").click()
    # clicking a box on the paper chooses its field too
    page.locator('.box[data-field="provider_signed_date"]').click()
    expect(page.get_by_label("Correct value")).to_have_value("2022-05-06")
    finding.get_by_role("link", name="parent_signed_date").click()

    page.get_by_label("Correct value").fill("05/06/2022")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".flash.ok")).to_contain_text("Findings re-checked: 1 resolved")
    expect(page.get_by_text("No problems found.")).to_be_visible()
    expect(page.locator("#row-parent_signed_date")).to_contain_text("read as 2022-04-06")

    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(f"{base}/queue")
    expect(page.locator(".flash.ok")).to_have_text("Approved.")
    expect(page.get_by_role("link", name=f"DCC-94 #{ids['cert']}")).to_have_count(0)
    page.goto(f"{base}/queue?state=approved")
    expect(page.get_by_role("link", name=f"DCC-94 #{ids['cert']}")).to_be_visible()
    context.close()


def test_auditor_runs_the_attendance_check_and_downloads_the_csv(server, browser):
    base, ids = server
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "auditor")
    expect(page).to_have_url(f"{base}/audit")
    page.get_by_label("Billing month").fill("2022-06")
    page.get_by_role("button", name="Run check").click()
    expect(page.get_by_role("heading", name="Attendance against billing")).to_be_visible()
    expect(page.locator("table")).to_contain_text("match.missing_week")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("audit-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows and {r["provider_number"] for r in rows} == {"1047732"}
    assert {r["form"] for r in rows} <= {"DCC-97", "DCC-94E"}
    # an auditor may read the documents but not reach the worker's queue
    page.get_by_role("link", name=str(ids["pbf"])).first.click()
    expect(page.get_by_text("read only")).to_be_visible()
    assert page.goto(f"{base}/queue").status == 403
    context.close()
