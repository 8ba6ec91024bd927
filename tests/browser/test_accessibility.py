"""WCAG 2.1 A/AA with axe-core (issue 16, accessible to everyone): the main pages of every kind of user
(public, an organization's member, judge, chair, staff, admin, DPO) on the demo data, at 360 px and
1280 px, in Thai and in English. Any violation of the wcag2a / wcag2aa / wcag21a / wcag21aa rules fails,
listed as rule, impact and the elements (targets).

axe-core is the npm package in tests/browser/axe (scripts/system-deps.sh runs `npm ci` there). It is
injected as an init script (not subject to the pages' Content Security Policy) into one browser context per
person, reused for every page, width and language. The counts of violations by impact are printed
(pytest -s) and appended to AXE_LOG when that variable names a file.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

# The markup axe checks does not depend on the database: run once, in the SQLite run of `make test` (the
# PostgreSQL run, side by side, would take the same 70-80 s of the two cores again for nothing).
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                 reason="markup only: checked in the SQLite run")]

AXE_JS = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (360, 1280)
LANGS = ("th", "en")

# Each person's pages; {names} are filled from the demo data (ids()).
PAGES = {
    None: ["/", "/login", "/signup", "/password/forgot", "/privacy", "/verify", "/verify/{serial}",
           "/fairs/{fair}", "/fairs/{fair}/booths", "/fairs/{fair}/floorplan", "/fairs/{fair}/exhibitors",
           "/fairs/{fair}/exhibitors/{exhibitor}", "/fairs/{past}/results", "/fairs/{past}/awardees/{awardee}",
           "/fairs/{past}/kiosk"],
    "culture@fairapp.local": ["/dashboard", "/orgs/{culture}", "/fairs/{fair}/booths/apply",
                              "/booths/{application}", "/fairs/{fair}/nominations", "/nominations/{nomination}",
                              "/fairs/{fair}/nominations/new/{category}", "/my/certificates", "/my/data"],
    "judge@fairapp.local": ["/dashboard", "/fairs/{fair}/judging", "/judging/assignments/{assignment}", "/orgs/new"],
    "chair@fairapp.local": ["/judging/categories/{category}/chair", "/judging/categories/{category}/assignments",
                            "/judging/fairs/{fair}/judges"],  # with the invite form and a pending invitation
    "staff@fairapp.local": ["/fairs/{fair}", "/fairs/{fair}/booths/review", "/fairs/{fair}/booths/plan",
                            "/fairs/{fair}/booths/setup", "/fairs/{fair}/checkin", "/fairs/{fair}/checkin/dashboard",
                            "/fairs/{fair}/nominations/review", "/nominations/{nomination}/review",
                            "/fairs/{fair}/nominations/categories", "/judging/categories/{category}/rubric",
                            "/judging/fairs/{fair}/judges", "/fairs/{fair}/certificates",
                            "/fairs/{fair}/certificates/issued", "/certificates/{certificate}",
                            # stage mode on the past fair (its awardees), the stage desk's print form (issue 16)
                            "/fairs/{past}/stage", "/fairs/{past}/stage/control",
                            # the staff lists searched, every matching row selected (issue 16)
                            "/fairs/{fair}/booths/review?q=ชุมชน&select=all",
                            "/fairs/{fair}/nominations/review?q=ชุมชน&select=all",
                            "/fairs/{fair}/certificates/issued?select=all"],
    "admin@fairapp.local": ["/admin/", "/orgs", "/admin/users", "/admin/audit", "/admin/fairs", "/admin/mail",
                            "/admin/fairs/{fair}/edit", "/admin/fairs/{fair}/roles",
                            "/privacy/fairs/{fair}/retention"],
    "dpo@fairapp.local": ["/privacy/dpo", "/privacy/record", "/privacy/requests", "/privacy/requests/new"],
}

def ids(db) -> dict:
    """Load the demo, give the judge an assignment, and name the rows the pages need."""
    from fairapp.accounts.models import Organization, User
    from fairapp.booths.models import Application
    from fairapp.certificates.models import Certificate
    from fairapp.demo import load_demo
    from fairapp.fairs.models import Fair
    from fairapp.judging.models import Assignment, Result, Rubric
    from fairapp.nominations.models import Category, Nomination

    load_demo()
    db.session.flush()
    fair = db.session.scalar(select(Fair).where(Fair.name_en == "Morality Market Fair, Chiang Rai"))
    culture = db.session.scalar(select(Organization).where(Organization.name_th == "สำนักงานวัฒนธรรมจังหวัดเชียงราย"))
    judge = db.session.scalar(select(User).where(User.email == "judge@fairapp.local"))
    rubric = db.session.scalars(select(Rubric)).first()
    category = db.session.get(Category, rubric.category_id) if rubric else db.session.scalars(
        select(Category).where(Category.fair_id == fair.id)).first()
    nomination = db.session.scalars(select(Nomination).where(Nomination.category_id == category.id)
                                    .order_by(Nomination.id)).first()
    own = db.session.scalars(select(Nomination).where(Nomination.nominator_org_id == culture.id)).first()
    assignment = Assignment(nomination_id=nomination.id, judge_id=judge.id)
    db.session.add(assignment)
    application = db.session.scalars(select(Application).where(Application.organization_id == culture.id)).first()
    exhibitor = db.session.scalars(select(Application).where(Application.fair_id == fair.id,
                                                             Application.status == "approved")).first()
    certificate = next(c for c in db.session.scalars(select(Certificate).order_by(Certificate.id))
                       if c.status == "valid")
    past = db.session.scalar(select(Fair).where(Fair.name_en == "Morality Market Fair, Chiang Rai 2021"))
    awardee = db.session.scalar(select(Result.nomination_id).where(Result.level_th.is_not(None))
                                .order_by(Result.position))  # the demo's winner: its story and photos published
    db.session.commit()
    return dict(fair=fair.id, past=past.id, culture=culture.id, category=category.id, nomination=(own or nomination).id,
                assignment=assignment.id, application=application.id, exhibitor=exhibitor.id,
                certificate=certificate.id, serial=certificate.grouped_serial, awardee=awardee)


def audit(page, thai_check: bool = True) -> list[dict]:
    """axe's violations of the WCAG 2.1 A/AA rules, and ids used twice (axe 4.10 no longer reports those:
    WCAG 2.2 dropped 4.1.1, but a label or aria-describedby pointing at the wrong element still misleads)."""
    return page.evaluate("""([tags, thaiCheck]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
        .then(r => {
          const out = r.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length,
                                              targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
          const seen = {};
          document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
          const twice = Object.keys(seen).filter(id => seen[id] > 1);
          if (twice.length) out.push({id: 'duplicate-id', impact: 'minor', count: twice.length,
                                      targets: twice.map(id => '#' + id)});
          if (thaiCheck && document.documentElement.lang !== 'th') {  // Thai user data in an English page: lang="th"
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const bad = [];
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
              const el = n.parentElement;
              if (!/[\u0e00-\u0e7f]/.test(n.data) || el.closest('script, style, [hidden], svg title')) continue;
              if ((el.closest('[lang]') || document.documentElement).getAttribute('lang').split('-')[0] !== 'th')
                bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ': ' + n.data.trim().slice(0, 40));
            }
            if (bad.length) out.push({id: 'thai-text-without-lang-th', impact: 'moderate', count: bad.length,
                                      targets: bad.slice(0, 5)});
          }
          return out;
        })""", [TAGS, thai_check])


# The judge invitation's link, opened signed out (issue 16): the sign-up form that accepts it.
PAGES[None].append("/judging/invitations/{judge_invitation}")


def _judge_invitation(db, fair_id: int) -> str:
    """A pending judge invitation of the demo fair (shown on the chair's judges page) and its link's token."""
    from fairapp.accounts.models import User, token_digest
    from fairapp.core.time import utcnow
    from fairapp.judging.models_invitations import JudgeInvitation

    chair = db.session.scalar(select(User).where(User.email == "chair@fairapp.local"))
    token = "axe-judge-invitation"
    db.session.add(JudgeInvitation(fair_id=fair_id, email="new-judge@example.org", name="อาจารย์ผู้ได้รับเชิญ",
                                   token_hash=token_digest(token), invited_by_id=chair.id,
                                   expires_at=utcnow() + timedelta(days=14)))
    db.session.commit()
    return token


def test_the_main_pages_have_no_wcag_21_aa_violations(app, browser, live_server, db):
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run scripts/system-deps.sh (npm ci in tests/browser/axe)")
    from fairapp.demo import DEMO_PASSWORD

    with app.test_request_context():
        names = ids(db)
        names["judge_invitation"] = _judge_invitation(db, names["fair"])
    found: list[tuple] = []
    impacts: Counter = Counter()
    pages_seen = 0
    broken: list[str] = []
    for person, paths in PAGES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server, locale="th-TH")
        context.add_init_script(path=str(AXE_JS))
        page = context.new_page()
        if person:
            page.goto("/login")
            page.fill("#email", person)
            page.fill("#password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("#login-form button[type=submit]")
            assert "/login" not in page.url, f"{person} could not sign in"
        for lang in LANGS:
            context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            widths = list(WIDTHS)
            for path in paths:  # each page loaded once per language, checked at both widths
                url = path.format(**names)
                response = page.goto(url)
                if not response.ok:
                    broken.append(f"{person or 'anonymous'} {url}: HTTP {response.status}")
                    continue
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 900})
                    pages_seen += 1
                    for v in audit(page):  # and Thai user data in English mode inside lang="th" (WCAG 3.1.2)
                        impacts[v["impact"]] += v["count"]
                        found.append((person or "anonymous", lang, width, url, v["id"], v["impact"],
                                      v["count"], v["targets"]))
                widths.reverse()  # the next page starts at the width this one ended at
        context.close()

    summary = {"pages": pages_seen, "violations": len(found), "elements_by_impact": dict(impacts)}
    print("axe:", json.dumps(summary))
    if os.environ.get("AXE_LOG"):
        with open(os.environ["AXE_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(summary) + "\n")
            for row in found:
                log.write(json.dumps(row, ensure_ascii=False) + "\n")
    assert not broken, broken
    assert not found, "axe found WCAG 2.1 A/AA violations (person, lang, width, page, rule, impact, " \
                      "elements, targets):\n" + "\n".join(map(str, found))
