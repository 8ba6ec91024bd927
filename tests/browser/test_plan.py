"""The floor plan in a real browser: staff click a booth on the plan and assign an approved application;
the public plan on a phone never scrolls the page sideways (only the plan's own box)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fairapp.booths.models import Application, Booth, BoothType, Status
from tests.factories import PASSWORD, create_fair, create_org, create_user, grant

pytestmark = pytest.mark.browser

ORG_TH = "สำนักงานวัฒนธรรมจังหวัดเชียงราย"


def _plan(db):
    fair = create_fair()
    booth_type = BoothType(fair_id=fair.id, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=10)
    db.session.add(booth_type)
    db.session.flush()
    booths = [Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=f"A{i + 1:02d}", zone="A", x=2 + 2 * i, y=1,
                    w=2, h=2) for i in range(4)]
    db.session.add_all(booths)
    application = Application(fair_id=fair.id, organization_id=create_org(ORG_TH).id, booth_type_id=booth_type.id,
                              status=Status.approved, show_text="นิทรรศการ")
    db.session.add(application)
    db.session.commit()
    return fair, booths, application


def _watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_staff_assign_an_application_by_clicking_the_plan(page, db):
    fair, booths, application = _plan(db)
    staff = create_user("plan-staff@example.org")
    grant(fair, staff, "staff")
    problems = _watch_csp(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.fill("#email", staff.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")

    page.goto(f"/fairs/{fair.id}/booths/plan")
    target = booths[1]
    expect(page.locator("#booth-panel")).to_be_hidden()
    page.evaluate("window.__samePage = true")
    page.locator(f"#booth-{target.id} rect.box").click()
    # Selected in place (no reload): the panel shows the booth and only this type's applications.
    assert page.evaluate("window.__samePage === true")
    expect(page.locator("#booth-panel")).to_be_visible()
    expect(page.locator('#booth-panel [data-fill="code"]')).to_have_text("A02")
    expect(page.locator(f"#booth-{target.id}")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator("#assign-booth")).to_have_value(str(target.id))
    assert page.url.endswith(f"?booth={target.id}")

    page.select_option("#assign-application", str(application.id))
    with page.expect_navigation():
        page.click("#assign-form button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(f"จัดสรรบูธ A02 ให้ {ORG_TH} แล้ว")

    page.reload()
    booth = page.locator(f"#booth-{target.id}")
    expect(booth).to_have_class(re.compile(r"\bstate-assigned\b"))
    expect(booth.locator("rect.box")).to_have_attribute("fill", "#dce8f8")
    expect(page.locator(f"#booth-{booths[0].id}")).to_have_class(re.compile(r"\bstate-available\b"))
    db.session.expire_all()
    assert db.session.get(Booth, target.id).application_id == application.id
    assert not problems, problems  # no CSP violation, no script error


def test_public_plan_on_a_phone(page, db):
    fair, booths, application = _plan(db)
    booths[0].application_id = application.id
    db.session.commit()
    problems = _watch_csp(page)
    page.goto(f"/fairs/{fair.id}/floorplan")
    expect(page.locator("#plan-index")).to_contain_text(ORG_TH)
    expect(page.locator("[data-print]")).to_be_visible()  # the print button comes with the script
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width} px)"
    assert page.evaluate("document.querySelector('.plan-scroll').scrollWidth") > 360  # the plan keeps its size
    assert not problems, problems


def test_without_javascript_booth_links_and_forms_still_work(browser, live_server, db):
    fair, booths, application = _plan(db)
    staff = create_user("plan-nojs@example.org")
    grant(fair, staff, "staff")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server, locale="th-TH",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#email", staff.email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-form button[type=submit]")
        page.goto(f"/fairs/{fair.id}/booths/plan")
        with page.expect_navigation():
            page.locator(f"#booth-{booths[2].id} rect.box").click()  # the booth is a link
        expect(page.locator('#booth-panel [data-fill="code"]')).to_have_text("A03")
        page.select_option("#assign-application", str(application.id))
        with page.expect_navigation():
            page.click("#assign-form button[type=submit]")
        expect(page.locator(f"#booth-{booths[2].id}")).to_have_class(re.compile(r"\bstate-assigned\b"))
        expect(page.locator("#swap-pick")).to_be_hidden()  # needs the script
    finally:
        context.close()
