"""Nominations in a real browser (Debian's chromium) on a 360 px phone: the narratives saved as you type
survive a dropped connection (sent again on `online`, or kept in localStorage and sent when the page is
opened again), and evidence is uploaded several files at a time, a disguised file refused by name.
(The offline queue's states on this page and the others: test_queue.py.)"""
from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from fairapp.core.time import today_local
from fairapp.nominations.models import Category, Evidence, Nomination, NominatorKind
from tests.browser.queue_pages import STATE, expect_state, sign_in, stored
from tests.factories import create_fair, create_org, create_user

pytestmark = pytest.mark.browser

SAVED = "บันทึกครบแล้ว"
OFFLINE = "รอสัญญาณ: เก็บไว้ในเครื่องนี้แล้ว"
SUFFICIENCY = "ชุมชนปลูกผักสวนครัวกินเองทุกหลังคาเรือน แบ่งปันผลผลิตให้เพื่อนบ้าน"
OUTCOMES = "หนี้สินครัวเรือนลดลงร้อยละ ๓๐ ภายในสองปี เยาวชนกลับมาช่วยงานวัด"


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    return root


@pytest.fixture
def draft(db, upload_dir):
    """A member of a school and the school's draft nomination in a category whose window is open."""
    fair = create_fair()
    org = create_org("โรงเรียนบ้านป่าซาง")
    member = create_user("nominator@example.org", org=org, title="นางสาว", first_name="กานดา",
                         last_name="สุขใจ")
    today = today_local()
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาคการศึกษา",
                        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=30),
                        nominator_kind=NominatorKind.both, sections=["sufficiency", "outcomes"],
                        min_photos=2, min_pdfs=1, max_files=20)
    db.session.add(category)
    db.session.flush()
    nomination = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id,
                            nominee_org_id=org.id, narratives={}, created_by_id=member.id)
    db.session.add(nomination)
    db.session.commit()
    return member, nomination.id


def narratives(db, nomination_id: int) -> dict:
    """The sections with text, as committed (the server stores every section, empty ones as "")."""
    db.session.rollback()  # a fresh read of what the live server committed
    return {k: v for k, v in (db.session.get(Nomination, nomination_id).narratives or {}).items() if v}


def wait_for_saved(db, nomination_id: int, section: str, text: str, timeout: float = 6.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        saved = narratives(db, nomination_id)
        if saved.get(section) == text or time.monotonic() > deadline:
            return saved
        time.sleep(0.1)


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px (scrollWidth {width})"


def test_autosave_survives_a_dropped_connection(page, db, draft):
    member, nid = draft
    sign_in(page, member)
    page.goto(f"/nominations/{nid}/edit")
    status = page.locator(STATE)
    sufficiency, outcomes = page.locator('textarea[data-section="sufficiency"]'), page.locator(
        'textarea[data-section="outcomes"]')
    expect(sufficiency).to_have_attribute("name", "s_sufficiency")
    no_horizontal_scroll(page)

    with page.expect_response(lambda r: r.url.endswith("/autosave")):
        sufficiency.fill(SUFFICIENCY)
    expect(status).to_contain_text(SAVED, timeout=5000)
    assert wait_for_saved(db, nid, "sufficiency", SUFFICIENCY) == {"sufficiency": SUFFICIENCY}

    # The signal drops: what is typed now cannot be sent, and the page says so.
    page.context.set_offline(True)
    outcomes.fill(OUTCOMES)
    expect(status).to_contain_text(OFFLINE, timeout=5000)
    expect_state(page, "offline")
    assert narratives(db, nid) == {"sufficiency": SUFFICIENCY}
    no_horizontal_scroll(page)

    # Back online: the browser fires `online` and the page sends what it kept, without a reload.
    page.context.set_offline(False)
    expect(status).to_contain_text(SAVED, timeout=5000)
    assert wait_for_saved(db, nid, "outcomes", OUTCOMES) == {"sufficiency": SUFFICIENCY, "outcomes": OUTCOMES}
    # Nothing is left waiting in this browser.
    expect_state(page, "saved")
    assert stored(page) == []


def test_text_typed_offline_comes_back_when_the_page_is_opened_again(page, db, draft):
    member, nid = draft
    sign_in(page, member)
    page.goto(f"/nominations/{nid}/edit")
    page.context.set_offline(True)
    box = page.locator('textarea[data-section="outcomes"]')
    box.fill(OUTCOMES)
    box.blur()  # the send on blur happens now, offline, not while the page is being closed
    expect(page.locator(STATE)).to_contain_text(OFFLINE, timeout=5000)
    expect_state(page, "offline")
    assert narratives(db, nid) == {}  # nothing reached the server ...
    kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join(' ')")
    assert OUTCOMES in kept  # ... and the text waits in the phone's own storage
    # The phone's browser is closed while still offline. (Chromium's offline emulation belongs to the page:
    # a keepalive send made as it closes may still get out, so the server is not asked again here.)
    page.close()

    page.context.set_offline(False)
    later = page.context.new_page()  # same browser profile: its localStorage kept the text
    later.goto(f"/nominations/{nid}/edit")
    expect(later.locator('textarea[data-section="outcomes"]')).to_have_value(OUTCOMES)
    expect_state(later, "saved")
    assert narratives(db, nid) == {"outcomes": OUTCOMES}
    # And the counter counts the restored text.
    expect(later.locator('.counter[data-for="s_outcomes"]')).to_have_text(f"{len(OUTCOMES)} / 3000")


def _jpeg(path, colour) -> None:
    image = Image.new("RGB", (640, 480), colour)
    for x in range(0, 640, 40):  # some detail, so it is not a flat block
        image.paste((255, 255, 255), (x, 0, x + 4, 480))
    image.save(path, "JPEG", quality=85)


def _pdf(path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.drawString(72, 760, "Ban Pa Sang school: activity report 2025")
    c.showPage()
    c.save()
    path.write_bytes(out.getvalue())


def test_upload_photos_and_a_pdf_on_a_phone(page, db, draft, tmp_path):
    member, nid = draft
    files = tmp_path / "files"
    files.mkdir()
    _jpeg(files / "ทำบุญตักบาตร.jpg", (200, 120, 40))
    _jpeg(files / "photo-2.jpg", (40, 120, 200))
    _pdf(files / "report.pdf")
    (files / "fake.jpg").write_text("<!doctype html><html><body><script>alert(1)</script></body></html>")

    sign_in(page, member)
    page.goto(f"/nominations/{nid}/edit")
    expect(page.locator(".ev-grid img")).to_have_count(0)
    page.set_input_files("#evidence-files", [files / "ทำบุญตักบาตร.jpg", files / "photo-2.jpg",
                                             files / "report.pdf", files / "fake.jpg"])
    page.fill("#evidence-caption", "กิจกรรมจิตอาสาทำความสะอาดวัด")
    with page.expect_navigation():
        page.click(".ev-upload button[type=submit]")

    assert page.url.endswith(f"/nominations/{nid}/edit#evidence")
    expect(page.locator(".flash-success")).to_contain_text("แนบไฟล์แล้ว 3 ไฟล์")
    refusal = page.locator(".flash-error")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text("ไฟล์ fake.jpg ไม่ใช่รูปภาพ (JPEG, PNG, WebP) หรือไฟล์ PDF")

    thumbs = page.locator(".ev-grid img")
    expect(thumbs).to_have_count(2)
    for i in range(2):
        thumbs.nth(i).scroll_into_view_if_needed()  # loading="lazy"
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle(),
                               timeout=5000)
    expect(page.locator(".ev-grid .ev-name")).to_have_text(["ทำบุญตักบาตร.jpg", "photo-2.jpg"])
    expect(page.locator(".ev-grid .ev-caption").first).to_have_text("กิจกรรมจิตอาสาทำความสะอาดวัด")
    expect(page.locator(".ev-pdfs .ev-pdf")).to_have_count(1)
    expect(page.locator(".ev-pdfs .ev-pdf")).to_contain_text("report.pdf")
    expect(page.locator(".ev-pdfs .ev-meta")).to_contain_text("1 หน้า")
    no_horizontal_scroll(page)

    db.session.rollback()
    rows = db.session.scalars(select(Evidence).where(Evidence.nomination_id == nid).order_by(Evidence.id)).all()
    assert [(e.kind, e.original_name) for e in rows] == [
        ("photo", "ทำบุญตักบาตร.jpg"), ("photo", "photo-2.jpg"), ("pdf", "report.pdf")]
    assert all(e.thumb_key for e in rows[:2]) and rows[2].pages == 1
