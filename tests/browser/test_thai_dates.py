"""The Buddhist Era date picker in a real browser (issue 16): a calendar of Thai months and B.E. years
beside the input; a picked day is written as d/m/yyyy B.E. and saved; the keyboard works it too."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fairapp.extensions import db as _db
from fairapp.fairs.models import Fair
from tests.browser.queue_pages import sign_in
from tests.factories import create_fair, create_user

pytestmark = pytest.mark.browser


def test_a_day_picked_on_the_calendar_is_saved(page, db):
    fair = create_fair()
    admin = create_user("admin@example.org", admin=True)
    sign_in(page, admin)
    page.goto(f"/admin/fairs/{fair.id}/edit")
    field = page.locator("#ends_on")
    opener = page.locator("#ends_on + button.thaidate-open")
    expect(opener).to_have_attribute("aria-label", "เลือกวันที่จากปฏิทิน")
    opener.click()
    box = page.locator(".thaidate-box")
    starts = fair.ends_on
    expect(box.locator("strong")).to_contain_text(f"พ.ศ. {starts.year + 543}")
    # the keyboard: from the day shown, one week on, then Enter
    box.locator(f'[data-day="{starts.day}"]').focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_count(0)
    from datetime import timedelta
    later = starts + timedelta(days=7)
    expect(field).to_have_value(f"{later.day}/{later.month}/{later.year + 543}")
    with page.expect_navigation():
        page.locator("form button[type=submit].primary").first.click()
    _db.session.expire_all()
    assert _db.session.get(Fair, fair.id).ends_on == later
