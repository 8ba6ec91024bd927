"""The one offline queue (static/js/queue.js) on each of its three pages (check-in, narratives, scores),
in a real browser on a 360 px phone. Each state, on each page:
saved; waiting for network, then saved in order once back; needs sign-in (logged out in another tab, or
the session cookie gone), then resumed once signed in again; a stale CSRF token renewed without a word;
a refusal shown and dropped. Also: one request at a time (a held request holds the rest), a request that
hangs times out into "waiting for network", the old per-page keys are taken over, and the words in English.

Set FAIRAPP_SHOTS=/some/folder to keep a screenshot of each state of each page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.queue_pages import STATE, STATE_TEXT, CheckinPage, NarrativePage, ScorePage, expect_state, shot, \
    sign_in, stored
from tests.judging.test_judge_views import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

ONE = {"checkin": ("A01", ["A01"]),
       "narrative": ("outcomes=หนี้สินครัวเรือนลดลง", {"outcomes": "หนี้สินครัวเรือนลดลง"}),
       "score": ("c1=4", {"c1": 4})}
NOTHING = {"checkin": [], "narrative": {}, "score": {}}


@pytest.fixture(params=["checkin", "narrative", "score"])
def site(request, db):
    if request.param == "checkin":
        return CheckinPage(db)
    if request.param == "narrative":
        return NarrativePage(db)
    return ScorePage(db, request.getfixturevalue("world"))


@pytest.fixture(autouse=True)
def no_script_errors(page):
    """No page of these tests throws, nor breaks the CSP (no inline script or style)."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not errors, errors


def posts(page, site) -> list:
    """The page's saves as the server answered them, in order: (what was sent, status)."""
    answered = []
    page.on("response", lambda r: answered.append((site.sent(r.request.post_data_json), r.status))
            if r.request.method == "POST" and r.url.endswith(site.suffix) else None)
    return answered


def open_page(page, site) -> None:
    sign_in(page, site.user)
    page.goto(site.url)
    expect_state(page, "saved")
    expect(page.locator(STATE)).to_be_visible()


def test_waiting_for_network_then_saved_in_order(page, site):
    open_page(page, site)
    answered = posts(page, site)
    page.context.set_offline(True)
    for change in site.offline_changes:
        site.change(page, change)
    expect_state(page, "offline")
    state = page.locator(STATE)
    expect(state).to_have_attribute("data-pending", str(site.offline_queued))
    expect(state).to_contain_text("รอสัญญาณ")
    expect(state).to_contain_text(f"รอส่ง {site.offline_queued} รายการ")
    assert len(stored(page)) == site.offline_queued
    assert site.saved() == NOTHING[site.kind]  # nothing reached the server
    shot(page, f"{site.kind}-offline")

    page.context.set_offline(False)  # the "online" event sends the queue
    expect_state(page, "saved")
    expect(page.locator(STATE_TEXT)).to_have_text("บันทึกครบแล้ว")
    assert [sent for sent, _status in answered] == site.offline_order
    assert site.saved() == site.offline_saved
    assert stored(page) == []
    shot(page, f"{site.kind}-saved")


@pytest.mark.parametrize("how", ["logout", "cookie"])
def test_needs_sign_in_then_resumes(page, site, how):
    open_page(page, site)
    other = page.context.new_page()
    if how == "logout":  # signed out in another tab: the page's next save is answered 401
        other.goto("/dashboard")
        with other.expect_navigation():
            other.click("form[action$='/logout'] button")
    else:  # the session cookie is gone: the CSRF check fails first, and /session says signed out
        page.context.clear_cookies()
    change, saved = ONE[site.kind]
    site.change(page, change)
    expect_state(page, "signin")
    state = page.locator(STATE)
    expect(state).to_contain_text("ต้องเข้าสู่ระบบใหม่")
    link = state.locator("a.qstate-login")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "/login")
    assert len(stored(page)) == 1
    assert site.saved() == NOTHING[site.kind]
    shot(page, f"{site.kind}-signin-{how}")

    sign_in(other, site.user)  # signed in again in the other tab
    other.close()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # back to this tab
    expect_state(page, "saved")
    expect(link).to_be_hidden()
    assert site.saved() == saved
    assert stored(page) == []


def test_a_stale_csrf_token_is_renewed_once_and_the_save_goes_through(page, site):
    open_page(page, site)
    answered = posts(page, site)
    page.evaluate("FairQueue.all.forEach(function (q) { q.csrf = 'stale-token'; })")  # a page left open for long
    change, saved = ONE[site.kind]
    with page.expect_response(lambda r: r.url.endswith("/session")):
        site.change(page, change)
    expect_state(page, "saved")
    assert [status for _sent, status in answered] == [400, 200]
    assert site.saved() == saved


def test_a_refusal_is_shown_and_dropped(page, site):
    open_page(page, site)
    text = site.refuse(page)
    expect_state(page, "refused")
    state = page.locator(STATE)
    expect(state).to_contain_text("บันทึกไม่ได้:")
    expect(state).to_contain_text(text)
    site.shows_refusal(page, text)
    assert stored(page) == []  # a refusal is not sent again
    shot(page, f"{site.kind}-refused")


def test_one_request_at_a_time(page, site):
    open_page(page, site)
    held, later, answered = [], [], posts(page, site)

    def hold_the_first(route):
        if held:
            later.append(route.request)
            route.continue_()
        else:
            held.append(route)

    page.route(f"**{site.suffix}", hold_the_first)
    first, *rest = site.offline_changes
    with page.expect_request(lambda r: r.url.endswith(site.suffix)):
        site.change(page, first)
    for change in rest:  # the same key as the one in flight does not replace it: it follows it
        site.change(page, change)
    state = page.locator(STATE)
    expect(state).to_have_attribute("data-pending", "3")
    expect_state(page, "saving")
    expect(state).to_contain_text("กำลังบันทึก…")
    page.wait_for_timeout(300)  # time enough for a second request, were one sent
    assert not later  # the first is held by the network: the others wait behind it
    shot(page, f"{site.kind}-saving")
    held[0].continue_()
    expect_state(page, "saved")
    assert [sent for sent, _status in answered] == site.in_flight_order
    assert site.saved() == site.offline_saved


def test_a_request_that_hangs_times_out_and_is_sent_again(page, db, world):  # noqa: F811
    site = ScorePage(db, world)
    page.add_init_script("window.fairQueueOptions = {timeoutMs: 700, backoffMs: [60000]};")
    open_page(page, site)
    held = []
    page.route(f"**{site.suffix}", lambda route: held.append(route))  # never answered
    site.change(page, "c1=3")
    expect_state(page, "offline")
    assert len(held) == 1 and len(stored(page)) == 1
    page.unroute(f"**{site.suffix}")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect_state(page, "saved")
    assert site.saved() == {"c1": 3}


def test_the_old_keys_are_taken_over(page, site):
    sign_in(page, site.user)
    page.goto("/dashboard")
    old_key, old_value, saved = site.legacy(page)
    page.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [old_key, old_value])
    page.goto(site.url)
    expect_state(page, "saved")
    assert site.saved() == saved
    assert page.evaluate("(k) => localStorage.getItem(k)", old_key) is None
    assert stored(page) == []


def test_the_states_in_english(page, site):
    sign_in(page, site.user)
    page.goto(f"/lang/en?next={site.url}")
    expect(page.locator(STATE_TEXT)).to_have_text("All saved")
    page.context.set_offline(True)
    change, _saved = ONE[site.kind]
    site.change(page, change)
    expect(page.locator(STATE)).to_contain_text("Waiting for network")
    expect(page.locator(STATE)).to_contain_text("1 waiting")
    shot(page, f"{site.kind}-offline-en")
    page.context.set_offline(False)
    expect_state(page, "saved")
