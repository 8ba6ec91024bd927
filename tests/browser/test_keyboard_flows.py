"""Keyboard-only use of whole tasks (issue 16, accessible to everyone): a sign-up with its province and
district lists, a booth application from sign-in to "submitted", and the stage-desk kiosk from the search
to a second, confirmed print (scoring by keyboard: test_scoring_shortcuts.py). No mouse: every
control is reached with Tab (in the page's order, so a control Tab cannot reach fails the test), radios
are chosen with the arrow keys, boxes ticked with Space, buttons pressed with Enter."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_certificates import prints, w  # noqa: F401  (w: a fixture, used by name)

pytestmark = pytest.mark.browser

TABS = 80  # a control further than this many Tabs away is, for a keyboard user, not there


def tab_to(page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with Tab")


def sign_in_by_keyboard(page, email: str) -> None:
    from tests.factories import PASSWORD

    page.goto("/login")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_whole_booth_application_by_keyboard(page, db):
    from fairapp.booths.models import Application, Status
    from tests.booths.factories import create_booth_type
    from tests.factories import create_fair, create_org, create_user

    fair = create_fair()
    create_booth_type(fair, name_th="บูธมาตรฐาน", sort_order=0)
    tent = create_booth_type(fair, name_th="เต็นท์กลางแจ้ง", sort_order=1)
    user = create_user("keyboard-member@example.org", org=create_org("ชุมชนคุณธรรมบ้านแม่กำปอง"))
    db.session.commit()
    page.set_viewport_size({"width": 360, "height": 780})  # a phone, as organizations apply
    sign_in_by_keyboard(page, user.email)
    page.goto(f"/fairs/{fair.id}/booths/apply")
    page.locator("body").focus()

    tab_to(page, 'input[type=radio][name="booth_type"]')  # the group: Tab lands on its first radio
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")                     # the arrow moves to and chooses the next type
    tab_to(page, "#show_text")
    page.keyboard.type("นิทรรศการผ้าทอมือของชุมชน")
    tab_to(page, "#share_text")
    page.keyboard.type("เล่าวิธีย้อมสีธรรมชาติ")
    tab_to(page, "#needs_power")
    page.keyboard.press("Space")
    tab_to(page, 'input[aria-label="คำนำหน้า 1"]')
    page.keyboard.type("นาง")
    page.keyboard.press("Tab")
    page.keyboard.type("สมศรี")
    page.keyboard.press("Tab")
    page.keyboard.type("ใจงาม")
    tab_to(page, 'button[value="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".flash, .notice, [role=status]").first).to_be_visible()
    db.session.expire_all()
    application = db.session.scalars(select(Application).where(Application.fair_id == fair.id)).one()
    assert application.status == Status.submitted
    assert application.booth_type_id == tent.id
    assert application.show_text == "นิทรรศการผ้าทอมือของชุมชน"
    assert application.share_text == "เล่าวิธีย้อมสีธรรมชาติ"
    assert application.needs_power is True
    assert [(p.title, p.first_name, p.last_name) for p in application.people] == [("นาง", "สมศรี", "ใจงาม")]


def test_the_kiosk_by_keyboard_search_print_and_confirm_a_second_copy(page, w, db):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    page.route("**/print.pdf", lambda route: route.fulfill(  # the print frame: see test_certificates
        status=200, content_type="text/html", body="<!doctype html><p>PDF</p>"))
    sign_in_by_keyboard(page, w.staff.email)
    page.goto(f"/fairs/{w.fair.id}/kiosk")
    assert page.evaluate("document.activeElement.id") == "kiosk-q"  # the search has the focus at once
    page.keyboard.type("กมลทองดี")                                   # no space, no tone mark needed
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, ".kiosk-results a")
    expect(page.locator(".kiosk-results a").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")                                 # the name
    tab_to(page, "#kiosk-print button[type=submit]")
    page.keyboard.press("Enter")                                     # print
    expect(page.locator("#kiosk-status")).to_have_text("✓")
    assert prints(db) == 1
    expect(page.locator("#kiosk-q")).to_be_focused()                # printed: back to the search
    tab_to(page, "#kiosk-print button[type=submit]")
    page.keyboard.press("Enter")                                     # again: the kiosk asks first
    expect(page.locator("#kiosk-warning")).to_contain_text("พิมพ์ไปแล้วเมื่อ")
    assert prints(db) == 1
    expect(page.locator("#kiosk-confirm input")).to_be_focused()     # on the confirmation, the next step
    page.keyboard.press("Space")
    tab_to(page, "#kiosk-print button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#kiosk-status")).to_have_text("✓")
    assert prints(db) == 2
    expect(page.locator("#print-frame")).to_have_attribute("src", re.compile(r"/certificates/\d+/print\.pdf$"))


def choose_by_keyboard(page, selector: str, value: str) -> None:
    """Arrow through a focused list until `value` is chosen (as a keyboard user does)."""
    tab_to(page, selector)
    for key in ("Home",) + ("ArrowDown",) * 120:
        if page.eval_on_selector(selector, "el => el.value") == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{value} is not reached with the arrows in {selector}")


def test_a_whole_sign_up_by_keyboard(page, db):
    from fairapp.accounts.models import Organization, User
    from tests.browser.test_signup import EMAIL, ORG_TH, PASSWORD

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto("/signup")
    page.locator("body").focus()
    for selector, text in (("#org_name_th", ORG_TH), ("#org_name_en", "Ban Pa Sang")):
        tab_to(page, selector)
        page.keyboard.type(text)
    choose_by_keyboard(page, "#sector", "civil")
    choose_by_keyboard(page, "#province", "57")  # เชียงราย: its districts come in as the arrow lands
    page.wait_for_selector('#district option[value="5701"]', state="attached", timeout=5000)
    choose_by_keyboard(page, "#district", "5701")
    for selector, text in (("#tax_id", "0994000165510"), ("#title", "นางสาว"), ("#first_name", "กานดา"),
                           ("#last_name", "สุขใจ"), ("#phone", "081 234 5678"), ("#email", EMAIL),
                           ("#password", PASSWORD), ("#password2", PASSWORD)):
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#accept")
    page.keyboard.press("Space")
    tab_to(page, "#signup-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith("/dashboard"), page.url
    db.session.expire_all()
    org = db.session.scalar(select(Organization).where(Organization.name_th == ORG_TH))
    assert (org.province_code, org.district_code, org.tax_id) == ("57", "5701", "0994000165510")
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert (user.first_name, user.last_name, user.phone) == ("กานดา", "สุขใจ", "+66812345678")
