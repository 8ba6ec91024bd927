"""Offline on the fair's day (issue 16) in a real browser: the service worker (static/js/sw.js, served at
/sw.js by fairapp/core/offline.py) lets check-in, the judge's scoring page and the stage's projector and
control pages open after a cold reload with the network off, once opened on that phone; the work done
offline is sent when the network is back, once; no other page is kept, and signing out empties the copies.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from fairapp.booths.models import Application, CheckInScan
from fairapp.judging.models import Score
from tests.browser.queue_pages import STATE, ScorePage, expect_state, sign_in, two_booths
from tests.certificates.world import build_cert_world
from tests.judging.test_judge_views import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

HELD = """async (url) => {
  const cache = await caches.open('fairapp-pages');
  return !!(await cache.match(url, {ignoreVary: true}));
}"""


def kept_for_offline(page) -> None:
    """Wait until the worker controls the page and keeps a copy of it."""
    assert page.evaluate("Promise.race([navigator.serviceWorker.ready.then(() => true),"
                         " new Promise(done => setTimeout(() => done(false), 10000))])"), "no service worker"
    url = page.url.split("#")[0]
    for _ in range(100):
        if page.evaluate(HELD, url):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{url} was not kept for use offline")


def reload_offline(page) -> None:
    """Network off, then a cold reload: the page must come back (not chromium's offline error page)."""
    page.context.set_offline(True)
    page.reload()
    assert page.url.startswith("http://127.0.0.1")
    expect(page.locator("#main-frame-error")).to_have_count(0)


def test_check_in_opens_offline_and_the_scan_is_sent_once_when_back(page, db):
    first, _second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    kept_for_offline(page)

    reload_offline(page)
    expect(page.locator("#booth-code")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.fill("#booth-code", "A01")
    page.press("#booth-code", "Enter")
    expect(page.locator(STATE)).to_have_attribute("data-pending", "1")
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckInScan.id))) == 0

    page.context.set_offline(False)
    expect(page.locator(STATE)).to_have_attribute("data-pending", "0", timeout=15000)
    expect(page.locator("#scan-log li.scan-checked_in")).to_have_count(1)
    assert page.evaluate("window.__sameDocument === true")
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckInScan.id))) == 1
    assert db.session.get(Application, first.application.id).checked_in_at is not None


def test_scoring_opens_offline_and_the_score_is_saved_once_with_a_renewed_token(page, db, world):  # noqa: F811
    site = ScorePage(db, world)
    sign_in(page, site.user)
    page.goto(site.url)
    kept_for_offline(page)

    reload_offline(page)
    expect(page.locator(f"#criterion-{site.c1}")).to_be_visible()
    # The copy's form token may be older than WTF_CSRF_TIME_LIMIT (opened yesterday): the queue renews it.
    page.evaluate("FairQueue.all.forEach(function (q) { q.csrf = 'stale-token'; })")
    site.change(page, "c1=4")
    expect_state(page, "offline")
    assert site.saved() == {}

    answered = []
    page.on("response", lambda r: answered.append(r.status) if r.url.endswith("/scores") else None)
    page.context.set_offline(False)
    expect_state(page, "saved", timeout=15000)
    assert site.saved() == {"c1": 4}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Score.id))) == 1
    assert answered == [400, 200]  # the stale token refused once, then sent with a fresh one


def test_the_judges_dashboard_keeps_the_scoring_pages_it_links_to(page, db, world):  # noqa: F811
    """Opening the dashboard online is enough: each scoring page it links to opens offline too."""
    sign_in(page, world.judge)
    page.goto(f"/fairs/{world.fair.id}/judging")
    kept_for_offline(page)
    second = page.url.split("/fairs/")[0] + f"/judging/assignments/{world.second_a.id}"
    for _ in range(100):
        if page.evaluate(HELD, second):
            break
        page.wait_for_timeout(100)
    page.context.set_offline(True)
    page.goto(second)  # never opened: kept from the dashboard's links
    expect(page.locator(f"#criterion-{world.c1.id}")).to_be_visible()
    assert f"/judging/assignments/{world.second_a.id}" in page.url


def test_the_stage_projector_and_control_open_offline(browser, live_server, page, db):
    w = build_cert_world(db)
    sign_in(page, w.staff)
    page.goto(f"/fairs/{w.fair.id}/stage/control")
    kept_for_offline(page)
    reload_offline(page)
    expect(page.locator("#next")).to_be_visible()
    page.click("#next")  # offline: said, the page stays
    expect(page.locator("#stage-status")).to_be_visible()
    expect(page.locator("#stage-list li.now")).not_to_have_attribute("data-index", "1")
    page.context.set_offline(False)

    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, base_url=live_server, locale="th-TH")
    screen = projector.new_page()
    try:
        sign_in(screen, w.staff)
        screen.goto(f"/fairs/{w.fair.id}/stage")
        kept_for_offline(screen)
        reload_offline(screen)
        expect(screen.locator("#slide-0")).to_be_visible()
        expect(screen.locator("#slide-0 h1")).to_have_text(w.fair.name_th)
        projector.set_offline(False)
        page.click("#next")  # the phone, online again, moves the stage: the projector follows
        expect(screen.locator("#slide-1")).to_be_visible(timeout=5000)
    finally:
        projector.close()


def test_only_the_fair_day_pages_are_kept_and_signing_out_empties_them(page, db):
    first, _second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    kept_for_offline(page)
    checkin = page.url
    page.goto(f"/fairs/{first.fair.id}")  # another page: not kept
    page.wait_for_timeout(300)
    assert not page.evaluate(HELD, page.url)
    assert page.evaluate(HELD, checkin)

    page.goto(checkin)
    page.locator("form[action$='/logout'] button").click()
    page.wait_for_load_state()
    page.wait_for_function("caches.keys().then(keys => !keys.includes('fairapp-pages'))")
    page.context.set_offline(True)
    with pytest.raises(Exception):
        page.goto(checkin)  # nothing kept: chromium's own offline error


def test_a_page_whose_copy_is_gone_does_not_open_offline(page, db):
    """The reloads above really were served from the copies: without one, the network is off for the
    worker too."""
    first, _second, staff = two_booths(db)
    sign_in(page, staff)
    page.goto(f"/fairs/{first.fair.id}/checkin")
    kept_for_offline(page)
    page.evaluate("caches.delete('fairapp-pages')")
    page.context.set_offline(True)
    with pytest.raises(Exception):
        page.reload()
