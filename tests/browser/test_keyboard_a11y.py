"""Keyboard-only use that axe cannot see (issue 16, accessible to everyone): sign-up's province and
district lists when arrowing through provinces."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_arrowing_through_provinces_leaves_only_the_chosen_provinces_districts(page, db):
    page.goto("/signup")
    page.focus("#province")
    for _ in range(6):  # each arrow is a change, and a request for that province's districts
        page.keyboard.press("ArrowDown")
    code = page.eval_on_selector("#province", "el => el.value")
    assert code
    # Wait until the chosen province's districts are in, then for every request still under way.
    page.wait_for_function(
        "code => Array.from(document.querySelectorAll('#district option')).some(o => o.value.startsWith(code))",
        arg=code, timeout=5000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    values = page.eval_on_selector_all("#district option", "els => els.map(e => e.value)")
    chosen = [v for v in values if v]
    assert chosen and all(v.startswith(code) and len(v) == 4 for v in chosen), (code, values)
    assert len(chosen) == len(set(chosen)), values
    assert values[0] == "", "the placeholder comes first"


def test_the_booth_forms_error_summary_leads_to_the_first_booth_type_radio(page, db):
    from tests.booths.factories import create_booth_type
    from tests.factories import PASSWORD, create_fair, create_org, create_user

    fair = create_fair()
    create_booth_type(fair, name_th="บูธมาตรฐาน", sort_order=0)
    create_booth_type(fair, name_th="เต็นท์กลางแจ้ง", sort_order=1)
    user = create_user("a11y-member@example.org", org=create_org("ชุมชนคุณธรรมบ้านป่าซาง"))
    db.session.commit()
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    page.goto(f"/fairs/{fair.id}/booths/apply")
    page.fill("#show_text", "นิทรรศการผ้าทอมือ")
    with page.expect_navigation():
        page.click('#application-form button[value="save"]')  # no booth type chosen

    link = page.locator("#error-summary a").first
    href = link.get_attribute("href")
    radios = page.locator('input[type=radio][name="booth_type"]')
    first_id = radios.first.get_attribute("id")
    assert href == f"#{first_id}", href
    for i in range(radios.count()):  # every radio of the group is invalid and described by the error
        radio = radios.nth(i)
        assert radio.get_attribute("aria-invalid") == "true"
        error_id = radio.get_attribute("aria-describedby")
        assert error_id and page.locator(f"#{error_id}").count() == 1
        assert page.locator(f"#{error_id}").inner_text().strip()
    link.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")  # a keyboard user lands on the radio and chooses it
    assert page.evaluate("document.activeElement.id") == first_id
    assert radios.first.is_checked()


FOCUS_CONTRAST = """el => {
  const rgb = s => (s.match(/rgba?\\(([^)]+)\\)/) || [null, '0,0,0,0'])[1].split(',').map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  let bg = null;  // what the ring is drawn on: the first ancestor with a background of its own
  for (let e = el.parentElement; e && !bg; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0) bg = c;
  }
  bg = bg || [255, 255, 255];
  const st = getComputedStyle(el);
  const rings = [];
  if (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2) rings.push(rgb(st.outlineColor));
  const shadow = st.boxShadow.match(/rgba?\\([^)]+\\)/);
  if (shadow) rings.push(rgb(shadow[0]));
  return Math.max(0, ...rings.map(c => ratio(c, bg)));
}"""


def test_the_focus_ring_has_3_to_1_against_what_it_is_drawn_on(page, db):
    """Tab through the home page and the sign-in form: every focused element's ring (outline or the ring
    around it) has at least 3:1 against the background it sits on (WCAG 1.4.11)."""
    for path in ("/", "/login"):
        page.goto(path)
        page.locator("body").click(position={"x": 1, "y": 1})
        seen = 0
        for _ in range(12):
            page.keyboard.press("Tab")
            el = page.evaluate_handle("document.activeElement")
            if page.evaluate("el => el === document.body", el):
                break
            seen += 1
            contrast = page.evaluate(FOCUS_CONTRAST, el)
            name = page.evaluate("el => el.outerHTML.slice(0, 80)", el)
            assert contrast >= 3, f"{path}: focus ring {contrast:.2f}:1 on {name}"
        assert seen >= 3
