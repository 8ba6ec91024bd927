"""The scoring page's n / p shortcuts can be turned off (WCAG 2.1.4), the choice is remembered on the
device, and they never fire while typing in a text box."""
from __future__ import annotations

import pytest

from tests.browser.queue_pages import sign_in
from tests.browser.test_scoring import wide  # noqa: F401  (the fixture)
from tests.judging.test_judge_views import make_category, make_nomination, world  # noqa: F401

pytestmark = pytest.mark.browser


def test_n_and_p_can_be_turned_off_and_stay_off(wide, db, world):  # noqa: F811
    page = wide
    sign_in(page, world.judge)
    first = f"/judging/assignments/{world.assignment.id}"
    second = f"/judging/assignments/{world.second_a.id}"
    page.goto(first)
    box = page.locator("#letter-shortcuts")
    assert box.is_visible() and box.is_checked()

    page.focus(f"#comment-{world.c1.id}")            # typing n in a comment box is text
    page.keyboard.type("n")
    page.wait_for_timeout(150)
    assert page.url.endswith(first)

    box.focus()
    page.keyboard.press("Space")                   # off, by keyboard
    assert not box.is_checked()
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert page.url.endswith(first), "n moved on although the shortcuts are off"

    page.reload()                                  # remembered on this device
    assert not page.locator("#letter-shortcuts").is_checked()
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert page.url.endswith(first)

    page.locator("#letter-shortcuts").check()      # on again: n goes to the next nominee
    page.locator("h1").click()
    with page.expect_navigation():
        page.keyboard.press("n")
    assert page.url.endswith(second)
