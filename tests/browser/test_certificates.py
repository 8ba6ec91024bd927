"""Certificates in a real browser: the kiosk prints in two clicks and asks before printing again, the
template preview follows what is typed, a batch's page follows its progress to the download."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from fairapp.certificates import operations as ops
from fairapp.certificates.models import CertificatePrint, PrintBatch
from fairapp.core.transaction import unit_of_work
from tests.browser.test_checkin import sign_in
from tests.certificates.world import build_cert_world

pytestmark = pytest.mark.browser


@pytest.fixture
def w(app, db):
    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        ops.issue(w.fair, ops.judge_candidates(w.fair), w.staff)
    return w


def prints(db) -> int:
    db.session.expire_all()  # read what the live server committed
    return db.session.scalar(select(func.count(CertificatePrint.id)))


def test_kiosk_search_then_print_in_two_clicks_and_ask_before_a_second_copy(page, w, db):
    page.set_viewport_size({"width": 1280, "height": 900})
    # The frame that prints gets a stand-in page: headless Chromium's PDF viewer and print dialog are not
    # something a test can drive (the PDF itself is checked in tests/certificates/test_issuing.py).
    frames = []

    def stand_in(route):
        frames.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><p>PDF</p>")
    page.route("**/print.pdf", stand_in)
    sign_in(page, w.staff)
    page.goto(f"/fairs/{w.fair.id}/kiosk")
    page.fill("#kiosk-q", "กมลทองดี")  # no space: still found
    with page.expect_navigation():
        page.press("#kiosk-q", "Enter")
    with page.expect_navigation():                          # the page's script is wired when it has loaded
        page.click("text=ผศ.ดร.กมล ทองดี")                  # click 1: the name
    expect(page.locator(".kiosk-pick img")).to_be_visible()
    expect(page.locator("#kiosk-confirm")).to_be_hidden()
    page.click("#kiosk-print button[type=submit]")         # click 2: print
    expect(page.locator("#kiosk-status")).to_have_text("✓")
    assert prints(db) == 1
    expect(page.locator("#print-frame")).to_have_attribute("src", re.compile(r"/certificates/\d+/print\.pdf$"))
    page.click("#kiosk-print button[type=submit]")         # again: the kiosk asks first
    expect(page.locator("#kiosk-warning")).to_contain_text("พิมพ์ไปแล้วเมื่อ")
    expect(page.locator("#kiosk-warning")).to_contain_text(w.staff.full_name)
    assert prints(db) == 1
    page.check("#kiosk-confirm input")
    page.click("#kiosk-print button[type=submit]")
    expect(page.locator("#kiosk-status")).to_have_text("✓")
    assert prints(db) == 2


def test_the_template_preview_follows_typing(page, w):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, w.staff)
    page.goto(f"/certificates/templates/{w.templates['awardee'].id}")
    image = page.locator("#preview-img")
    expect(image).to_have_attribute("src", f"/certificates/templates/{w.templates['awardee'].id}/preview.png")
    page.fill("#title_th", "เกียรติบัตรเชิดชูเกียรติ")
    expect(image).to_have_attribute("src", re.compile(r"title_th=%E0%B9%80|title_th=เกียรติบัตรเชิดชู"))
    expect(image).to_have_js_property("naturalWidth", 1100)  # the new preview arrived and decoded
    page.check("#preview-long")
    expect(image).to_have_attribute("src", re.compile(r"long=1"))


def test_a_batch_page_follows_progress_to_the_download(page, w, app, db):
    app.config["JOBS_MODE"] = "thread"
    try:
        sign_in(page, w.staff)
        page.goto(f"/fairs/{w.fair.id}/certificates")
        page.select_option("#kind", "participant")
        page.fill("#names", "\n".join(f"นายทดสอบ ที่นี่{i}" for i in range(40)))
        with page.expect_navigation():
            page.click("#batch-form button[type=submit]")
        # the whole batch's download once done (each chunk's own print button came before it)
        expect(page.locator("form[action$='/print'] button.primary")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="พิมพ์หน้า 1–25")).to_be_visible()
        expect(page.get_by_role("button", name="พิมพ์หน้า 26–40")).to_be_visible()
        db.session.expire_all()
        batch = db.session.scalars(select(PrintBatch).order_by(PrintBatch.id.desc())).first()
        assert batch.status == "done" and batch.done == 40
    finally:
        app.config["JOBS_MODE"] = "inline"
