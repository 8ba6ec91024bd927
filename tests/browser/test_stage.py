"""Stage mode in a real browser (issue 16): the projector page follows the master of ceremonies' Next from
another phone within a few seconds, without navigating; with the network lost it keeps its slide quietly
and catches up when the network is back; the pages keep to the CSP."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fairapp.judging.models import Result
from fairapp.nominations.models import Nomination
from tests.browser.queue_pages import sign_in
from tests.certificates.world import build_cert_world

pytestmark = pytest.mark.browser


def _awardees(db, w) -> list[str]:
    results = db.session.scalars(select(Result).where(Result.rubric_id == w.rubric.id, Result.level_th.is_not(None))
                                 .order_by(Result.position)).all()
    return [db.session.get(Nomination, r.nomination_id).nominee_name("th") for r in results]


def test_the_projector_follows_the_control_without_reloading(browser, live_server, page, db):
    w = build_cert_world(db)
    names = _awardees(db, w)
    problems: list[str] = []
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, base_url=live_server, locale="th-TH")
    screen = projector.new_page()
    screen.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        sign_in(screen, w.staff)
        screen.goto(f"/fairs/{w.fair.id}/stage")
        expect(screen.locator("#slide-0")).to_be_visible()
        expect(screen.locator("#slide-0 h1")).to_have_text(w.fair.name_th)
        expect(screen.locator("#slide-1")).to_be_hidden()
        screen.evaluate("window.__sameDocument = true")
        font = screen.evaluate("getComputedStyle(document.querySelector('#slide-0 h1')).fontFamily")
        spacing = screen.evaluate("getComputedStyle(document.querySelector('#slide-0 h1')).letterSpacing")
        assert "Sarabun" in font and spacing == "normal"

        sign_in(page, w.staff)  # the master of ceremonies' phone (another browser)
        page.goto(f"/fairs/{w.fair.id}/stage/control")
        page.click("#next")
        expect(screen.locator("#slide-1")).to_be_visible(timeout=5000)
        expect(screen.locator("#slide-1 .name")).to_have_text(names[0])
        expect(screen.locator("#slide-0")).to_be_hidden()
        assert screen.evaluate("window.__sameDocument === true")  # no navigation
        assert not problems, problems

        projector.set_offline(True)  # the hall's network drops
        page.click("#next")
        screen.wait_for_timeout(2000)
        expect(screen.locator("#slide-1")).to_be_visible()  # the last slide stays, nothing alarming
        assert screen.locator("body").inner_text().strip().startswith(w.category.name_th)
        projector.set_offline(False)
        expect(screen.locator("#slide-2")).to_be_visible(timeout=5000)  # caught up
        expect(screen.locator("#slide-2 .name")).to_have_text(names[1])
        assert screen.evaluate("window.__sameDocument === true")

        page.click("#stage-list li[data-index='1'] button.jump")  # jump back
        expect(screen.locator("#slide-1")).to_be_visible(timeout=5000)
    finally:
        projector.close()


def test_two_control_phones_follow_each_other_without_reloading(browser, live_server, page, db):
    """Two phones on the control page: when one moves the stage (Next, a jump), the other's highlighted
    slide and its Back / Next follow within a second or two, without navigating."""
    w = build_cert_world(db)
    other = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server, locale="th-TH")
    second = other.new_page()
    problems: list[str] = []
    for p in (page, second):
        p.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        for phone in (page, second):
            sign_in(phone, w.staff)
            phone.goto(f"/fairs/{w.fair.id}/stage/control")
            phone.evaluate("window.__sameDocument = true")
        expect(second.locator("#stage-list li.now")).to_have_count(1)
        expect(second.locator("#back")).to_be_disabled()

        page.click("#next")
        expect(page.locator("#stage-list li[data-index='1']")).to_have_class("now", timeout=3000)
        follows = second.locator("#stage-list li[data-index='1']")
        expect(follows).to_have_class("now", timeout=3000)
        expect(follows).to_have_attribute("aria-current", "step")
        expect(second.locator("#stage-list li.now")).to_have_count(1)
        expect(second.locator("#back")).to_be_enabled()

        last = second.locator("#stage-list li[data-index]").count()
        second.click(f"#stage-list li[data-index='{last}'] button.jump")  # the other way round: a jump
        expect(page.locator(f"#stage-list li[data-index='{last}']")).to_have_class("now", timeout=3000)
        expect(page.locator("#next")).to_be_disabled()  # the last awardee
        expect(page.locator("#stage-list li.now")).to_have_count(1)
        for phone in (page, second):
            assert phone.evaluate("window.__sameDocument === true")  # no reload
        assert not problems, problems
    finally:
        other.close()
