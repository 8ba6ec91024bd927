"""Sign-up meets an organization already registered (issue 16), in a real browser: the match is shown with
"ask to join", the request is sent, the manager accepts it on the organization's page; axe-core (the rules
of tests/browser/test_accessibility.py) finds no WCAG 2.1 A/AA violation on each of these pages, at 360 and
1280 px, in Thai and English."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fairapp.accounts.models import JoinRequest, Membership
from tests.browser.test_accessibility import AXE_JS, audit
from tests.browser.test_signup import PASSWORD, fill_signup
from tests.factories import PASSWORD as OWNER_PASSWORD
from tests.factories import create_org, create_user

pytestmark = pytest.mark.browser


def _axe(page, where: str, found: list) -> None:
    """axe on the page as it is, in Thai then English (reloaded), at both widths; back to Thai after."""
    for lang in ("th", "en"):
        page.context.add_cookies([{"name": "lang", "value": lang, "url": page.url}])
        page.reload()
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            found += [(where, lang, width, v["id"], v["targets"]) for v in audit(page, False)]
    page.context.add_cookies([{"name": "lang", "value": "th", "url": page.url}])
    page.reload()


def test_ask_to_join_then_the_manager_accepts(browser, live_server, app, db, outbox):
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run scripts/system-deps.sh (npm ci in tests/browser/axe)")
    org = create_org("ชุมชนคุณธรรม บ้านป่าซ้าง")  # the same name once spaces and tone marks go
    create_user("owner@example.org", org=org, first_name="สมหญิง")
    found: list = []

    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server, locale="th-TH")
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    fill_signup(page, tax_id="")
    with page.expect_navigation():
        page.click("#signup-form button[type=submit]")
    expect(page.locator("#join-choice")).to_be_visible()
    expect(page.locator(f"#match-{org.id}")).to_contain_text("ชุมชนคุณธรรม บ้านป่าซ้าง")
    expect(page.locator("#org_name_th")).to_have_value("ชุมชนคุณธรรมบ้านป่าซาง")  # kept as typed
    for width in (360, 1280):  # a POST's answer: checked as it came (a reload would post again)
        page.set_viewport_size({"width": width, "height": 900})
        found += [("signup with a match", "th", width, v["id"], v["targets"]) for v in audit(page, False)]
    page.set_viewport_size({"width": 360, "height": 780})
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.fill("#join_message", "ฝ่ายกิจกรรมชุมชน")
    with page.expect_navigation():
        page.click(f"#match-{org.id} button")
    assert page.url.endswith("/dashboard")
    expect(page.locator("#home-join")).to_contain_text("รอผู้ดูแลองค์กรตอบ")
    _axe(page, "requester's home", found)
    context.close()

    join = db.session.query(JoinRequest).one()
    assert join.state == "pending" and db.session.query(Membership).filter_by(user_id=join.user_id).count() == 0

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server, locale="th-TH")
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", "owner@example.org")
    page.fill("#password", OWNER_PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    expect(page.locator(f"#home-join-waiting-{org.id}")).to_be_visible()
    _axe(page, "manager's home", found)
    page.goto(f"/orgs/{org.id}")
    expect(page.locator(f"#join-request-{join.id}")).to_contain_text("ฝ่ายกิจกรรมชุมชน")
    _axe(page, "organization with a request", found)
    with page.expect_navigation():
        page.click(f"#join-request-{join.id} button.primary")
    expect(page.locator(".flash-success")).to_contain_text("เป็นสมาชิกขององค์กรแล้ว")
    context.close()

    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).state == "accepted"
    assert db.session.query(Membership).filter_by(user_id=join.user_id, role="member").count() == 1
    assert not found, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(map(str, found))
