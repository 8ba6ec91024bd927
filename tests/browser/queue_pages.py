"""The three pages that save through the offline queue (static/js/queue.js), driven the same way by
tests/browser/test_queue.py: check-in (scans), a nomination's narratives (autosave), a judge's scores.

Each driver makes the page's world in the database, opens the page, makes changes, causes a refusal
and reads back what the server committed (in the order it was committed)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect
from sqlalchemy import select

from fairapp.booths.models import Booth, CheckInScan
from fairapp.core.time import today_local
from fairapp.judging.models import Score
from fairapp.nominations.models import Category, Nomination, NominatorKind
from tests.booths.test_passes import booth_world
from tests.factories import PASSWORD, create_fair, create_org, create_user, grant

STATE = "#save-state"
STATE_TEXT = "#save-state .qstate-text"


def sign_in(page, user) -> None:
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert "/login" not in page.url


def two_booths(db):
    """A fair with booths A01 and A02 allocated, and a member of its staff who checks them in."""
    first = booth_world(db, code="A01")
    second = booth_world(db, fair=first.fair, code="A02", org_name="โรงเรียนบ้านป่าซาง")
    staff = create_user(title="นางสาว", first_name="จีรนันท์", last_name="ใจงาม")
    grant(first.fair, staff, "staff")
    return first, second, staff


def expect_state(page, state: str, timeout: float = 8000) -> None:
    expect(page.locator(STATE)).to_have_attribute("data-state", state, timeout=timeout)


def shot(page, name: str) -> None:
    """A screenshot for a person to look at, when FAIRAPP_SHOTS names a folder (never committed)."""
    folder = os.environ.get("FAIRAPP_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def stored(page) -> list:
    """The items of the page's queue in localStorage (all fairapp:q:v1:* keys)."""
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fairapp:q:v1:'))"
                         ".flatMap(k => JSON.parse(localStorage.getItem(k)))")


class CheckinPage:
    kind = "checkin"
    suffix = "/checkin/scan"

    def __init__(self, db):
        self.db = db
        first, _second, self.user = two_booths(db)
        self.fair_id = first.fair.id
        self.url = f"/fairs/{self.fair_id}/checkin"
        self.n = 0

    def change(self, page, value: str) -> None:
        """A scan: value is a booth code (each call is a new scan, never replacing another)."""
        page.fill("#booth-code", value)
        page.press("#booth-code", "Enter")

    def saved(self) -> list:
        self.db.session.rollback()
        rows = self.db.session.execute(select(CheckInScan.id, Booth.code).join(
            Booth, Booth.application_id == CheckInScan.application_id).order_by(CheckInScan.id)).all()
        return [code for _id, code in rows]

    # the offline scenario: three scans, the same booth twice; all three sent in order
    offline_changes = ["A02", "A01", "A02"]
    offline_queued = 3
    offline_saved = ["A02", "A01", "A02"]
    offline_order = in_flight_order = ["A02", "A01", "A02"]

    def legacy(self, page):
        """The queue as check-in kept it before the one scheme: a list of scans."""
        scan = {"client_id": "0f3c2a9e-7d1b-4c55-9a0e-2b8f6d4e1a77", "booth_code": "A01", "label": "บูธ A01",
                "scanned_at": datetime.now(timezone.utc).isoformat()}
        return f"fairapp.checkin.{self.fair_id}.{self.user.id}.queue", [scan], ["A01"]

    @staticmethod
    def sent(payload: dict) -> str:
        return payload.get("booth_code")

    def refuse(self, page) -> str:
        self.change(page, "Z99")  # no such booth
        return "Z99"

    def shows_refusal(self, page, text: str) -> None:
        expect(page.locator("#scan-log li.scan-refused")).to_contain_text(text)


class NarrativePage:
    kind = "narrative"
    suffix = "/autosave"

    def __init__(self, db):
        self.db = db
        fair = create_fair()
        org = create_org("โรงเรียนบ้านป่าซาง")
        self.user = create_user("nominator@example.org", org=org, title="นางสาว", first_name="กานดา",
                                last_name="สุขใจ")
        today = today_local()
        self.category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาคการศึกษา",
                                 opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=30),
                                 nominator_kind=NominatorKind.both, sections=["sufficiency", "outcomes"])
        db.session.add(self.category)
        db.session.flush()
        nomination = Nomination(fair_id=fair.id, category_id=self.category.id, nominator_org_id=org.id,
                                nominee_org_id=org.id, narratives={}, created_by_id=self.user.id)
        db.session.add(nomination)
        db.session.commit()
        self.nomination_id = nomination.id
        self.url = f"/nominations/{nomination.id}/edit"

    def change(self, page, value: str) -> None:
        """value "section=text": that section's text (a newer text replaces an unsent one)."""
        section, text = value.split("=", 1)
        page.locator(f'textarea[data-section="{section}"]').fill(text)

    def saved(self) -> dict:
        self.db.session.rollback()
        return {k: v for k, v in (self.db.session.get(Nomination, self.nomination_id).narratives or {}).items() if v}

    offline_changes = ["sufficiency=พอเพียง ๑", "outcomes=ผลลัพธ์", "sufficiency=พอเพียง ๒"]
    offline_queued = 2  # the second text of a section replaced the first, unsent
    offline_saved = {"outcomes": "ผลลัพธ์", "sufficiency": "พอเพียง ๒"}
    offline_order = ["outcomes", "sufficiency"]  # a replaced value goes after the ones made before it
    in_flight_order = ["sufficiency", "outcomes", "sufficiency"]

    def legacy(self, page):
        """The text as autosave kept it before the one scheme: {section: text} under the autosave URL."""
        return (f"fairapp:narratives:/nominations/{self.nomination_id}/autosave", {"outcomes": "ขยะลดลง"},
                {"outcomes": "ขยะลดลง"})

    @staticmethod
    def sent(payload: dict) -> str:
        return ",".join(payload)

    def refuse(self, page) -> str:
        self.db.session.rollback()
        category = self.db.session.get(Category, self.category.id)
        category.opens_on = today_local() - timedelta(days=30)
        category.closes_on = today_local() - timedelta(days=1)  # the window closed while the page was open
        self.db.session.commit()
        self.change(page, "outcomes=ช้าไปหนึ่งวัน")
        return ""

    def shows_refusal(self, page, text: str) -> None:
        expect(page.locator("#s_outcomes-refused")).to_be_visible()


class ScorePage:
    kind = "score"
    suffix = "/scores"

    def __init__(self, db, world):
        self.db = db
        self.world = world
        self.user = world.judge
        self.url = f"/judging/assignments/{world.assignment.id}"
        self.c1, self.c2 = world.c1.id, world.c2.id

    def change(self, page, value: str) -> None:
        """value "c1=4": that criterion's level (a newer level replaces an unsent one)."""
        which, level = value.split("=")
        criterion = self.c1 if which == "c1" else self.c2
        page.click(f"label:has(#score-{criterion}-{level})")

    def saved(self) -> dict:
        self.db.session.rollback()
        names = {self.c1: "c1", self.c2: "c2"}
        return {names[s.criterion_id]: s.value for s in self.db.session.scalars(select(Score))}

    offline_changes = ["c1=5", "c2=2", "c1=4"]
    offline_queued = 2
    offline_saved = {"c1": 4, "c2": 2}
    offline_order = ["c2=2", "c1=4"]
    in_flight_order = ["c1=5", "c2=2", "c1=4"]

    def legacy(self, page):
        """The scores as the scoring page kept them before the one scheme: {criterion: score}."""
        kept = {str(self.c1): {"criterion_id": self.c1, "value": 4, "comment": "", "client_id": "a1b2c3d4e5"}}
        return f"fairapp:scores:{self.user.id}:{self.world.assignment.id}", kept, {"c1": 4}

    def sent(self, payload: dict) -> str:
        return f"{'c1' if payload['criterion_id'] == self.c1 else 'c2'}={payload['value']}"

    def refuse(self, page) -> str:
        from fairapp.core.time import utcnow
        from fairapp.judging.models import Rubric

        self.db.session.rollback()
        rubric = self.db.session.get(Rubric, self.world.rubric.id)
        rubric.finalized_at = utcnow()  # the chair finalized the category while the page was open
        self.db.session.commit()
        self.change(page, "c2=1")
        return ""

    def shows_refusal(self, page, text: str) -> None:
        expect(page.locator(f"#crit-{self.c2}-status")).to_have_class("crit-status error")
