"""Scoring in a real browser at laptop width: clicking levels updates the weighted total and autosaves;
with the network cut a change is queued in the browser and saved once it is back; the keyboard does what
the page's help says (Tab goes to the next criterion, digits pick levels and are never typed into a
comment unless typed there); the live total is the server's figure. (The offline queue's states on this
page and the others: test_queue.py.)"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fairapp.judging.models import Assignment, Criterion, Score
from tests.browser.queue_pages import STATE, expect_state, sign_in, stored
from tests.factories import create_fair, create_user, grant
from tests.judging.test_judge_views import make_category, make_nomination, world  # noqa: F401  (the fixture)

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
    expect(page.locator(STATE)).to_contain_text("รอส่ง 2 รายการ")
    expect_state(page, "offline")
    assert {int(i["key"]): i["data"]["value"] for i in stored(page)} == {world.c1.id: 5, world.c2.id: 2}
    assert scores(db) == {world.c1.id: 3}  # nothing reached the server

    page.context.set_offline(False)  # the "online" event sends the queue
    expect_state(page, "saved", timeout=10000)
    expect(page.locator(f"#crit-{world.c2.id}-status")).to_have_text("บันทึกแล้ว")
    assert scores(db) == {world.c1.id: 5, world.c2.id: 2}
    assert stored(page) == []


def comments(db) -> dict[int, str]:
    db.session.rollback()
    return {s.criterion_id: s.comment or "" for s in db.session.scalars(select(Score))}


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_keyboard_scoring_does_what_the_help_says(wide, db, world):  # noqa: F811
    """Defect 1: Tab from a criterion went into its comment box, and the next digit was typed (and saved)
    there. Now Tab goes to the next criterion and a digit scores it; the comment box is reached with c."""
    page = wide
    c1, c2 = world.c1.id, world.c2.id
    sign_in(page, world.judge)
    page.goto(f"/judging/assignments/{world.assignment.id}")
    help_text = page.locator("#shortcuts")
    expect(help_text).to_contain_text("Tab / Shift+Tab")
    expect(help_text).to_contain_text("ไปยังเกณฑ์ถัดไป / ก่อนหน้า")
    expect(help_text).to_contain_text("c / Esc")

    page.focus(f"#score-{c1}-1")
    page.keyboard.press("4")
    page.keyboard.press("Tab")                     # the next criterion, not the comment box
    assert focused(page) == f"score-{c2}-0"
    page.keyboard.press("2")
    expect(page.locator("#live-total")).to_have_text("85.00")
    expect(page.locator(f"#crit-{c1}-status")).to_have_text("บันทึกแล้ว")
    expect(page.locator(f"#crit-{c2}-status")).to_have_text("บันทึกแล้ว")
    expect(page.locator(f"#comment-{c1}")).to_have_value("")
    expect(page.locator(f"#comment-{c2}")).to_have_value("")
    assert scores(db) == {c1: 4, c2: 2} and comments(db) == {c1: "", c2: ""}

    page.keyboard.press("Shift+Tab")               # back to the first criterion, on its chosen level
    assert focused(page) == f"score-{c1}-4"
    page.keyboard.press("5")
    expect(page.locator("#live-total")).to_have_text("100.00")

    page.keyboard.press("c")                       # into this criterion's comment box
    assert focused(page) == f"comment-{c1}"
    page.keyboard.type("3 หมู่บ้าน")                # digits typed here are text
    expect(page.locator(f"#comment-{c1}")).to_have_value("3 หมู่บ้าน")
    page.keyboard.press("Escape")                  # back to its levels
    assert focused(page) == f"score-{c1}-5"
    expect(page.locator("#live-total")).to_have_text("100.00")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")                     # past the last criterion: the button after them
    assert focused(page) == "BUTTON"
    expect_state(page, "saved")
    assert scores(db) == {c1: 5, c2: 2}
    assert comments(db) == {c1: "3 หมู่บ้าน", c2: ""}
    assert not [e for e in page.errors if "Content Security Policy" in e]


def test_the_live_total_is_the_servers_figure(wide, db):
    """The page adds up in JavaScript as the judge clicks; the server's figure (the save's answer, and the
    page rendered after a reload) must be the same, also where the total falls on half a hundredth and
    adding up in floating point would fall just below it (26.325 -> 26.324999...)."""
    fair = create_fair()
    category, rubric = make_category(fair, criteria=[
        Criterion(name_th="ความร่วมมือของเครือข่าย", weight=21, scale_min=0, scale_max=8, position=0),
        Criterion(name_th="ผลลัพธ์ที่วัดได้", weight=79, scale_min=0, scale_max=10, position=1)])
    nomination, _org = make_nomination(fair, category, "เทศบาลตำบลป่าแดด")
    judge = create_user("judge@example.org")
    grant(fair, judge, "judge")
    assignment = Assignment(judge_id=judge.id, nomination_id=nomination.id)
    db.session.add(assignment)
    db.session.commit()
    c1, c2 = rubric.criteria[0].id, rubric.criteria[1].id

    page = wide
    sign_in(page, judge)
    url = f"/judging/assignments/{assignment.id}"
    page.goto(url)
    live = page.locator("#live-total")
    for criterion, level, expected in ((c1, 1, "2.63"), (c2, 3, "26.33"), (c2, 6, "50.03")):
        with page.expect_response(lambda r: r.url.endswith("/scores") and r.request.method == "POST") as answer:
            page.click(f"label:has(#score-{criterion}-{level})")
        body = answer.value.json()
        assert body["ok"] is True
        expect(live).to_have_text(expected)       # 21 * 1/8 + 79 * 3/10 = 26.325 -> 26.33
        if body.get("total") is not None:
            assert f"{body['total']:.2f}" == live.text_content()
    assert f"{body['total']:.2f}" == "50.03"          # the complete sheet: the server's own figure

    served = page.context.request.get(url).text()  # the figure the server puts in the page
    assert '<output id="live-total" for="score-form" aria-live="polite">50.03</output>' in served
    page.reload()
    expect(live).to_have_text("50.03")
