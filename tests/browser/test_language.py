"""The language switch in a real browser: Thai by default, English on one click, the choice sticks."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def lang_cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "lang"), None)


def test_language_switch_sticks_across_pages(page):
    page.goto("/")
    html, switch = page.locator("html"), page.locator("#lang-switch")
    expect(html).to_have_attribute("lang", "th")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("hreflang", "en")
    assert lang_cookie(page) is None

    with page.expect_navigation():
        switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("ภาษาไทย")
    expect(switch).to_have_attribute("hreflang", "th")
    assert urlsplit(page.url).path == "/"  # back on the page the switch was clicked on
    assert lang_cookie(page) == "en"

    # Another page: still English, from the cookie.
    page.goto("/login")
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("ภาษาไทย")

    # And back to Thai, staying on the login page.
    with page.expect_navigation():
        switch.click()
    assert urlsplit(page.url).path == "/login"
    expect(html).to_have_attribute("lang", "th")
    expect(switch).to_have_text("English")
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบ")
    assert lang_cookie(page) == "th"

    page.goto("/signup")
    expect(html).to_have_attribute("lang", "th")
