"""Check-in in a real browser: scans typed while the network is down are queued on the phone and sent
once it is back, counted once; the camera reads a pass's QR; the pages keep to the CSP. (The queue's
states on this page and the others: test_queue.py.)"""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from PIL import Image
from sqlalchemy import func, select

from fairapp.booths.models import Application, CheckInScan
from fairapp.booths.passes import make_pass_token, qr_png
from fairapp.core.audit import AuditEntry
from tests.browser.queue_pages import STATE, expect_state, sign_in, stored, two_booths
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
__all__ = ["sign_in", "two_booths"]  # used by the other browser tests


def type_code(page, code: str) -> None:
    page.fill("#booth-code", code)
    page.press("#booth-code", "Enter")


def counted(db) -> tuple[int, int, int]:
    """(applications checked in, scans recorded, check-in audit entries), read fresh."""
    db.session.rollback()
    return (db.session.scalar(select(func.count(Application.id)).where(Application.checked_in_at.is_not(None))),
            db.session.scalar(select(func.count(CheckInScan.id))),
            db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.checked_in")))


def test_scans_made_offline_are_queued_and_sent_once_when_back_online(page, db):
    first, second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    queue = page.locator(STATE)
    expect(queue).to_have_attribute("data-pending", "0")

    page.context.set_offline(True)
    expect_state(page, "offline")
    for code in ("A01", "a02", "A01"):  # the first booth twice
        type_code(page, code)
    expect(queue).to_have_attribute("data-pending", "3")
    expect(page.locator("#scan-log li.scan-queued")).to_have_count(3)
    assert counted(db) == (0, 0, 0)  # nothing reached the server
    scans = stored(page)
    assert [s["data"].get("booth_code") for s in scans] == ["A01", "A02", "A01"]
    assert len({s["id"] for s in scans}) == 3 and all(s["data"]["scanned_at"] for s in scans)

    page.context.set_offline(False)  # the "online" event sends the queue
    expect(queue).to_have_attribute("data-pending", "0", timeout=10000)
    expect(page.locator("#scan-log li.scan-checked_in")).to_have_count(2)
    expect(page.locator("#scan-log li.scan-already")).to_have_count(1)
    expect(page.locator("#scan-log li.scan-already")).to_contain_text("นางสาวจีรนันท์ ใจงาม")
    assert counted(db) == (2, 3, 2)


def test_the_queue_survives_a_reload_and_a_dead_endpoint(page, db):
    first, second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    page.route("**/checkin/scan", lambda route: route.abort("connectionrefused"))
    type_code(page, "A02")
    type_code(page, "A02")
    expect(page.locator(STATE)).to_have_attribute("data-pending", "2")
    expect_state(page, "offline")

    page.reload()  # the phone's browser was closed and opened again
    expect(page.locator(STATE)).to_have_attribute("data-pending", "2")
    assert counted(db) == (0, 0, 0)

    page.unroute("**/checkin/scan")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # or wait for the retry timer
    expect(page.locator(STATE)).to_have_attribute("data-pending", "0", timeout=10000)
    assert counted(db) == (1, 2, 1)
    expect(page.locator("#last-result")).to_contain_text("A02")


def test_an_expired_csrf_token_is_renewed_and_the_scan_still_goes_through(page, db):
    first, second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    page.evaluate("window.fairappCheckin.queue.csrf = 'expired-token'")  # a page left open past the limit
    type_code(page, "A01")
    expect(page.locator(STATE)).to_have_attribute("data-pending", "0", timeout=4000)  # before any retry timer
    expect(page.locator("#last-result")).to_have_class("result result-checked_in")
    assert counted(db) == (1, 1, 1)


def _y4m(png: bytes, width: int = 640, height: int = 480) -> bytes:
    """A still Y4M video of the QR on white, for Chromium's fake camera."""
    frame = Image.new("L", (width, height), 255)
    qr = Image.open(io.BytesIO(png)).convert("L")
    qr.thumbnail((360, 360))
    padded = Image.new("L", (qr.width + 40, qr.height + 40), 255)
    padded.paste(qr, (20, 20))
    frame.paste(padded, ((width - padded.width) // 2, (height - padded.height) // 2))
    chroma = bytes([128]) * (width * height // 4)
    header = f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode()
    return header + (b"FRAME\n" + frame.tobytes() + chroma + chroma) * 3


def test_the_camera_reads_the_pass_qr(browser, live_server, db, tmp_path):
    first, second, staff = two_booths(db)
    video = tmp_path / "pass.y4m"
    video.write_bytes(_y4m(qr_png(make_pass_token(second.application))))
    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}"]
    # A browser of its own, with a fake camera that films the pass (same Playwright as the session's).
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=args, headless=True)
    try:
        context = camera_browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server,
                                             locale="th-TH")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, staff)
        page.goto(f"/fairs/{first.fair.id}/checkin")
        page.click("#camera-start")
        expect(page.locator("#viewfinder")).to_be_visible()
        expect(page.locator("#last-result")).to_contain_text("A02", timeout=10000)
        expect(page.locator("#last-result")).to_have_class("result result-checked_in")
        page.wait_for_timeout(1000)  # the same QR stays in view: scanned once per showing
        assert counted(db) == (1, 1, 1)
        assert not errors, errors
    finally:
        camera_browser.close()


def test_checkin_pages_keep_to_the_csp(page, db):
    first, second, staff = two_booths(db)
    violations, page_errors = [], []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener("securitypolicyviolation", function (e) {
          window.__csp.push(e.violatedDirective + " " + e.blockedURI);
        });
    """)
    sign_in(page, staff)
    for path in (f"/fairs/{first.fair.id}/checkin", f"/fairs/{first.fair.id}/checkin/dashboard",
                 f"/booths/{first.application.id}/pass"):
        page.goto(path, wait_until="load")
        violations += page.evaluate("window.__csp")
    # The dashboard refreshes itself from the stats endpoint (every 5 s, and when shown again).
    page.goto(f"/fairs/{first.fair.id}/checkin/dashboard")
    with page.expect_response(lambda r: r.url.endswith("/checkin/stats"), timeout=8000) as stats:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert stats.value.ok
    expect(page.locator("#dash-updated")).not_to_have_class("muted stale")
    assert not violations, violations
    assert not page_errors, page_errors
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard scrolls sideways ({width} px)"
