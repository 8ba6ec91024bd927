"""Sign-up in a real browser (Debian's chromium) against the live server: Thai UI, 360 px phone."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from fairapp.accounts.models import Membership, Organization, Sector, User

pytestmark = pytest.mark.browser

ORG_TH = "ชุมชนคุณธรรมบ้านป่าซาง"
ORG_EN = "Ban Pa Sang Moral Community"
EMAIL = "kanda.sukjai@example.org"
PASSWORD = "ตลาดนัด-คุณธรรม-2569"


def fill_signup(page, *, tax_id: str = "0994000165510", phone: str = "081 234 5678") -> None:
    """Fill every field of the sign-up form, choosing the district once JS has loaded the list."""
    page.goto("/signup")
    page.fill("#org_name_th", ORG_TH)
    page.fill("#org_name_en", ORG_EN)
    page.select_option("#sector", "civil")
    page.select_option("#province", "57")  # เชียงราย
    # app.js fetches /geo/districts/57 and fills the district list.
    page.wait_for_selector('#district option[value="5701"]', state="attached", timeout=5000)
    page.select_option("#district", "5701")  # เมืองเชียงราย
    expect(page.locator("#district option:checked")).to_have_text("เมืองเชียงราย")
    page.fill("#tax_id", tax_id)
    page.fill("#title", "นางสาว")
    page.fill("#first_name", "กานดา")
    page.fill("#last_name", "สุขใจ")
    page.fill("#phone", phone)
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.check("#accept")


def submit(page) -> None:
    with page.expect_navigation():
        page.click("#signup-form button[type=submit]")


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px (scrollWidth {width})"


def test_signup_in_thai_on_a_phone(page, app, db, outbox):
    fill_signup(page)
    no_horizontal_scroll(page)
    submit(page)

    assert page.url.endswith("/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("link", name=ORG_TH)).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text(EMAIL)
    expect(page.locator("#confirm-notice")).to_be_visible()
    no_horizontal_scroll(page)

    db.session.expire_all()
    org = db.session.scalar(select(Organization).where(Organization.name_th == ORG_TH))
    assert org is not None
    assert (org.name_en, org.sector, org.province_code, org.district_code, org.tax_id) == (
        ORG_EN, Sector.civil, "57", "5701", "0994000165510")
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user is not None
    assert (user.title, user.first_name, user.last_name, user.phone, user.locale) == (
        "นางสาว", "กานดา", "สุขใจ", "+66812345678", "th")
    assert user.email_confirmed_at is None
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.organization_id == org.id and membership.role == "owner"

    files = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    [mail] = outbox()
    assert mail.to == EMAIL
    assert "ยืนยันอีเมล" in mail.subject
    assert "/confirm/" in mail.body


def test_failed_signup_keeps_what_was_typed(page, db):
    fill_signup(page, tax_id="0994000165511", phone="+1 202 555 0143")
    submit(page)

    assert page.url.endswith("/signup")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    # The errors, in Thai, next to the two fields...
    expect(page.locator("#tax_id-error")).to_contain_text("หลักตรวจสอบไม่ตรง")
    expect(page.locator("#phone-error")).to_contain_text("ไม่ใช่เบอร์ในประเทศไทย")
    expect(page.locator("#tax_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error")).to_have_count(2)
    # ... and in the summary, which links to them and has the focus.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("กรุณาแก้ไข 2 ช่องด้านล่าง")
    expect(summary.locator('a[href="#tax_id"]')).to_have_text("เลขประจำตัวผู้เสียภาษี/นิติบุคคล 13 หลัก")
    expect(summary.locator('a[href="#phone"]')).to_have_text("เบอร์โทรศัพท์")
    expect(summary).to_be_focused()

    # What was typed is still there, the province and its district included.
    expect(page.locator("#org_name_th")).to_have_value(ORG_TH)
    expect(page.locator("#org_name_en")).to_have_value(ORG_EN)
    expect(page.locator("#sector")).to_have_value("civil")
    expect(page.locator("#province")).to_have_value("57")
    expect(page.locator("#district")).to_have_value("5701")
    expect(page.locator("#district option:checked")).to_have_text("เมืองเชียงราย")
    expect(page.locator("#tax_id")).to_have_value("0994000165511")
    expect(page.locator("#title")).to_have_value("นางสาว")
    expect(page.locator("#first_name")).to_have_value("กานดา")
    expect(page.locator("#last_name")).to_have_value("สุขใจ")
    expect(page.locator("#phone")).to_have_value("+1 202 555 0143")
    expect(page.locator("#email")).to_have_value(EMAIL)
    expect(page.locator("#accept")).to_be_checked()
    # Passwords are never sent back.
    expect(page.locator("#password")).to_have_value("")
    expect(page.locator("#password2")).to_have_value("")
    no_horizontal_scroll(page)

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_pages_respect_the_content_security_policy(page, db):
    """Front page, sign-up (with the district fetch) and login: no CSP violation, no broken static file."""
    console_errors, page_errors, failed, bad_static, violations = [], [], [], [], []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    # A navigation may abort requests still in flight (a font, the favicon): that is not a failure.
    page.on("requestfailed", lambda req: failed.append(f"{req.url} {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    page.on("response", lambda resp: bad_static.append(f"{resp.status} {resp.url}")
            if "/static/" in resp.url and resp.status >= 400 else None)
    # Injected through the DevTools protocol, so the page's own CSP does not block it.
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener("securitypolicyviolation", function (e) {
          window.__csp.push(e.violatedDirective + " " + e.blockedURI);
        });
    """)

    static_seen = []
    page.on("response", lambda resp: static_seen.append(resp.url) if "/static/" in resp.url else None)
    for path in ("/", "/signup", "/login"):
        page.goto(path, wait_until="load")
        if path == "/signup":
            page.select_option("#province", "57")
            page.wait_for_selector('#district option[value="5701"]', state="attached", timeout=5000)
        page.evaluate("document.fonts.ready")
        violations += page.evaluate("window.__csp")

    assert not [e for e in console_errors if "content security policy" in e.lower()], console_errors
    assert not page_errors, page_errors
    assert not violations, violations
    assert not failed, failed
    assert not bad_static, bad_static
    # The CSS, the JS and the Sarabun font did load (so the checks above had something to check).
    assert any(u.endswith("/static/css/app.css") for u in static_seen)
    assert any(u.endswith("/static/js/app.js") for u in static_seen)
    assert any("/static/fonts/Sarabun" in u for u in static_seen)
