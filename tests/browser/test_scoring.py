"""Scoring in a real browser at laptop width: clicking levels updates the weighted total and autosaves;
with the network cut a change is queued in the browser and saved once it is back; digits pick levels."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fairapp.judging.models import Score
from tests.browser.test_checkin import sign_in
from tests.judging.test_judge_views import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def wide(browser, live_server, db):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server, locale="th-TH")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    yield page
    context.close()


def scores(db) -> dict[int, int]:
    db.session.rollback()
    return {s.criterion_id: s.value for s in db.session.scalars(select(Score))}


def test_a_judge_scores_two_criteria_and_the_total_follows(wide, db, world):  # noqa: F811
    page = wide
    sign_in(page, world.judge)
    page.goto(f"/judging/assignments/{world.assignment.id}")
    total = page.locator("#live-total")
    expect(total).to_have_text("0.00")
    page.click(f"label:has(#score-{world.c1.id}-4)")
    expect(total).to_have_text("45.00")
    expect(page.locator(f"#crit-{world.c1.id}-status")).to_have_text("บันทึกแล้ว")
    page.click(f"label:has(#score-{world.c2.id}-1)")
    expect(total).to_have_text("65.00")
    expect(page.locator(f"#crit-{world.c2.id}-status")).to_have_text("บันทึกแล้ว")
    assert scores(db) == {world.c1.id: 4, world.c2.id: 1}

    # keyboard: a digit on the focused criterion picks that level
    page.focus(f"#score-{world.c1.id}-4")
    page.keyboard.press("5")
    expect(total).to_have_text("80.00")
    expect(page.locator(f"#crit-{world.c1.id}-status")).to_have_text("บันทึกแล้ว")
    assert scores(db)[world.c1.id] == 5
    # the bottom of the scale asks for a comment before anything is sent
    page.click(f"label:has(#score-{world.c2.id}-0)")
    expect(page.locator(f"#crit-{world.c2.id}-status")).to_contain_text("ต้องเขียนเหตุผล")
    assert scores(db)[world.c2.id] == 1
    page.fill(f"#comment-{world.c2.id}", "ยังไม่มีตัวชี้วัดผลลัพธ์")
    expect(page.locator(f"#crit-{world.c2.id}-status")).to_have_text("บันทึกแล้ว", timeout=5000)
    assert scores(db)[world.c2.id] == 0
    # n goes to the next nominee
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_url(f"**/judging/assignments/{world.second_a.id}")
    assert not [e for e in page.errors if "Content Security Policy" in e]


def test_a_score_changed_offline_is_queued_and_saved_when_back_online(wide, db, world):  # noqa: F811
    page = wide
    sign_in(page, world.judge)
    page.goto(f"/judging/assignments/{world.assignment.id}")
    page.click(f"label:has(#score-{world.c1.id}-3)")
    expect(page.locator(f"#crit-{world.c1.id}-status")).to_have_text("บันทึกแล้ว")

    page.context.set_offline(True)
    page.click(f"label:has(#score-{world.c1.id}-5)")
    page.click(f"label:has(#score-{world.c2.id}-2)")
    expect(page.locator("#live-total")).to_have_text("100.00")
    expect(page.locator("#net-status")).to_contain_text("รอส่ง 2 คะแนน")
    queued = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fairapp:scores:'))"
                           ".map(k => JSON.parse(localStorage.getItem(k)))[0]")
    assert {int(k): v["value"] for k, v in queued.items()} == {world.c1.id: 5, world.c2.id: 2}
    assert scores(db) == {world.c1.id: 3}  # nothing reached the server

    page.context.set_offline(False)  # the "online" event sends the queue
    expect(page.locator("#net-status")).to_have_text("", timeout=10000)
    expect(page.locator(f"#crit-{world.c2.id}-status")).to_have_text("บันทึกแล้ว")
    assert scores(db) == {world.c1.id: 5, world.c2.id: 2}
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fairapp:scores:')).length") == 0
