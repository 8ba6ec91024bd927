""""Select all matching" on the booth review queue in a real browser (360 px): with static/js/select_all.js
the button appears once a row is ticked, switches to every matching row in place (its live region says how
many), and the decision asks for a confirmation with that number; with JavaScript off the same button asks
the server for the list with every row selected."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fairapp.booths.models import Application, Status
from tests.booths.factories import create_application, create_booth_type
from tests.browser.queue_pages import sign_in
from tests.factories import create_fair, create_org, create_user, grant

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(db):
    fair = create_fair()
    standard = create_booth_type(fair, capacity=500)
    staff = create_user("staff@example.org")
    grant(fair, staff, "staff")
    apps = [create_application(fair, create_org(f"ชุมชนบ้านนา {i:03d}"), standard) for i in range(55)]
    create_application(fair, create_org("วิสาหกิจอื่น"), standard)
    return fair, staff, apps


def _statuses(db, apps) -> set[Status]:
    db.session.rollback()  # a fresh read of what the live server committed
    return {db.session.get(Application, a.id).status for a in apps}


def test_select_all_matching_with_javascript(page, db, queue):
    fair, staff, apps = queue
    sign_in(page, staff)
    page.goto(f"/fairs/{fair.id}/booths/review?q=บานนา")
    button = page.locator("[data-select-all-button]")
    expect(button).to_be_hidden()  # nothing ticked yet
    page.locator("input[name=ids]").first.check()
    expect(page.locator("#select-all-status")).to_have_text("เลือกแล้ว 1 รายการในหน้านี้")
    expect(button).to_have_text("เลือกทั้งหมด 55 รายการที่ตรงเงื่อนไข")
    button.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard works it
    expect(page.locator("#select-all-status")).to_contain_text("55")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.locator("input[name=ids]:checked").count() == 50
    page.click("button[name=action][value=waitlist]")
    expect(page.locator("#confirm-count")).to_contain_text("55")
    page.click("#confirm-matching button[name=action]")
    expect(page.locator(".flash-success")).to_contain_text("รายชื่อสำรอง 55")
    assert _statuses(db, apps) == {Status.waitlisted}


def test_the_confirmation_page_has_no_wcag_21_aa_violations(browser, live_server, db, queue):
    """The confirmation is the answer to a POST (the axe check's page list holds addresses): checked here,
    in Thai and English at 360 and 1280 px."""
    from tests.browser.test_accessibility import AXE_JS, audit

    fair, staff, _apps = queue
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server, locale="th-TH")
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    try:
        sign_in(page, staff)
        found = []
        for lang in ("th", "en"):
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            page.goto(f"/fairs/{fair.id}/booths/review?q=บานนา&select=all")
            with page.expect_navigation():
                page.click("button[name=action][value=reject]")  # no reason: the list again, the error shown
            page.fill("textarea[name=reason]", "ไม่ตรงกับประเภทกิจกรรมของงาน")
            with page.expect_navigation():
                page.click("button[name=action][value=reject]")
            expect(page.locator("#confirm-count")).to_contain_text("55")
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                found += [(lang, width, v["id"], v["targets"]) for v in audit(page, False)]
        assert not found, found
    finally:
        context.close()


def test_select_all_matching_without_javascript(browser, live_server, db, queue):
    fair, staff, apps = queue
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server, locale="th-TH",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, staff)
        page.goto(f"/fairs/{fair.id}/booths/review?q=บานนา")
        with page.expect_navigation():
            page.click("[data-select-all-button]")
        assert "select=all" in page.url and "q=" in page.url
        expect(page.locator("input[name=scope]")).to_have_value("matching")
        with page.expect_navigation():
            page.click("button[name=action][value=waitlist]")
        expect(page.locator("#confirm-count")).to_contain_text("55")
        with page.expect_navigation():
            page.click("#confirm-matching button[name=action]")
        assert _statuses(db, apps) == {Status.waitlisted}
    finally:
        context.close()
