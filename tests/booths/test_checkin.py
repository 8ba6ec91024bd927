"""Check-in on the day: scans by pass token or booth code, idempotent twice over, refusals that record
nothing, garbage that never gives a 500, staff-only access, and the dashboard's figures.

The scan endpoint's contract (static/js/checkin.js is written against it): success is 200
{"ok": true, "result": "checked_in" | "already", "client_id", "repeat", "booth", "zone", "organization",
"checked_in_at", "checked_in_by", "message"}; a refusal is the one envelope {"ok": false, "code",
"message", "client_id", ...} with 400 (unreadable), 404 (unknown booth or pass) or 409 (a rule)."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fairapp.booths.models import Application, Booth, CheckInScan, Status
from fairapp.booths.operations.checkin import CLIENT_ID
from fairapp.booths.passes import make_pass_token
from fairapp.core.audit import AuditEntry
from fairapp.core.time import to_local, utcnow
from fairapp.extensions import db as _db
from tests.booths.test_passes import booth_world
from tests.factories import create_fair, create_org, create_user, grant


@pytest.fixture
def w(db):
    world = booth_world(db)
    world.staff = create_user(title="นางสาว", first_name="จีรนันท์", last_name="ใจงาม")
    grant(world.fair, world.staff, "staff")
    return world


def _csrf(client, fair_id: int) -> str:
    html = client.get(f"/fairs/{fair_id}/checkin").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', html).group(1)


def scan(client, fair_id: int, *, token=None, code=None, client_id=None, scanned_at=None, csrf=None, raw=None):
    """POST a scan as the check-in page does (JSON, CSRF token in X-CSRFToken)."""
    body = {"client_id": client_id or str(uuid.uuid4())}
    if token is not None:
        body["token"] = token
    if code is not None:
        body["booth_code"] = code
    if scanned_at is not None:
        body["scanned_at"] = scanned_at
    headers = {"X-CSRFToken": csrf or _csrf(client, fair_id), "Accept": "application/json"}
    if raw is not None:
        return client.post(f"/fairs/{fair_id}/checkin/scan", data=raw, headers=headers,
                           content_type="application/json")
    return client.post(f"/fairs/{fair_id}/checkin/scan", json=body, headers=headers)


def checkins() -> int:
    return _db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.checked_in"))


def scans() -> int:
    return _db.session.scalar(select(func.count(CheckInScan.id)))


def test_scan_by_pass_token_checks_in(client, login_as, w):
    login_as(w.staff)
    response = scan(client, w.fair.id, token=make_pass_token(w.application))
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is True and body["result"] == "checked_in"
    assert body["booth"] == "A01" and body["zone"] == "A" and body["organization"] == w.org.name_th
    assert body["repeat"] is False and body["checked_in_by"] == "นางสาวจีรนันท์ ใจงาม" and body["checked_in_at"]
    assert "A01" in body["message"] and w.org.name_th in body["message"]
    application = _db.session.get(Application, w.application.id)
    assert application.checked_in_at is not None and application.checked_in_by_id == w.staff.id
    assert checkins() == 1 and scans() == 1


@pytest.mark.parametrize("typed", ["A01", "a01", " A 01 ", "A๐๑"])
def test_scan_by_booth_code_as_typed_on_a_phone(client, login_as, w, typed):
    login_as(w.staff)
    body = scan(client, w.fair.id, code=typed).get_json()
    assert body["result"] == "checked_in" and body["booth"] == "A01"
    assert checkins() == 1


def test_the_same_scan_sent_twice_counts_once(client, login_as, w):
    login_as(w.staff)
    client_id = str(uuid.uuid4())
    csrf = _csrf(client, w.fair.id)
    first = scan(client, w.fair.id, code="A01", client_id=client_id, csrf=csrf).get_json()
    again = scan(client, w.fair.id, code="A01", client_id=client_id, csrf=csrf).get_json()
    assert first["result"] == again["result"] == "checked_in"
    assert again["repeat"] is True and first["repeat"] is False
    assert checkins() == 1 and scans() == 1


def test_a_second_scan_of_the_same_exhibitor_is_already_with_time_and_person(client, login_as, w):
    login_as(w.staff)
    csrf = _csrf(client, w.fair.id)
    scan(client, w.fair.id, token=make_pass_token(w.application), csrf=csrf)
    at = _db.session.get(Application, w.application.id).checked_in_at
    other_staff = create_user(first_name="มานะ")
    grant(w.fair, other_staff, "staff")
    login_as(other_staff)
    body = scan(client, w.fair.id, code="A01").get_json()
    assert body["result"] == "already"
    assert f"{to_local(at):%H:%M} น." in body["message"]
    assert "นางสาวจีรนันท์ ใจงาม" in body["message"] and "A01" in body["message"]
    assert body["checked_in_by"] == "นางสาวจีรนันท์ ใจงาม"
    application = _db.session.get(Application, w.application.id)
    assert application.checked_in_at == at and application.checked_in_by_id == w.staff.id
    assert checkins() == 1 and scans() == 2


def test_an_offline_scan_keeps_the_time_it_was_made(client, login_as, w):
    login_as(w.staff)
    when = utcnow() - timedelta(minutes=42)
    scan(client, w.fair.id, code="A01", scanned_at=when.isoformat().replace("+00:00", "Z"))
    got = _db.session.get(Application, w.application.id).checked_in_at
    assert abs((got - when).total_seconds()) < 1


@pytest.mark.parametrize("offset", [timedelta(days=3), -timedelta(hours=2)])
def test_an_implausible_scan_time_gives_way_to_the_servers(client, login_as, w, offset):
    login_as(w.staff)
    scan(client, w.fair.id, code="A01", scanned_at=(utcnow() - offset).isoformat())
    got = _db.session.get(Application, w.application.id).checked_in_at
    assert abs((got - utcnow()).total_seconds()) < 60


def _assert_refused(response, status, code, *words):
    body = response.get_json()
    assert (response.status_code, body["ok"], body["code"]) == (status, False, code), body
    assert "result" not in body and CLIENT_ID.fullmatch(body["client_id"]), body
    for word in words:
        assert word in body["message"], body["message"]
    assert checkins() == 0 and scans() == 0
    assert _db.session.scalar(select(func.count(Application.id)).where(Application.checked_in_at.is_not(None))) == 0


def test_forged_pass_is_refused_and_nothing_recorded(client, login_as, w):
    login_as(w.staff)
    token = make_pass_token(w.application)
    _assert_refused(scan(client, w.fair.id, token=token[:-2] + "xx"), 404, "pass_forged", "ปลอม")
    _assert_refused(scan(client, w.fair.id, token="https://evil.example/x"), 404, "pass_forged", "ปลอม")


def test_pass_of_another_fair_is_refused_with_its_name(client, login_as, w, db):
    there = booth_world(db, fair=create_fair("ตลาดนัดคุณธรรม จังหวัดน่าน"), code="A01")
    login_as(w.staff)
    _assert_refused(scan(client, w.fair.id, token=make_pass_token(there.application)), 409, "pass_other_fair",
                    "งานอื่น", "ตลาดนัดคุณธรรม จังหวัดน่าน")


def test_unknown_or_empty_booth_is_refused(client, login_as, w, db):
    db.session.add(Booth(fair_id=w.fair.id, booth_type_id=w.booth_type.id, code="A02", zone="A", x=2, y=1))
    db.session.commit()
    login_as(w.staff)
    _assert_refused(scan(client, w.fair.id, code="Z99"), 404, "booth_unknown", "Z99", "ไม่พบบูธ")
    _assert_refused(scan(client, w.fair.id, code="A02"), 409, "booth_empty", "A02", "ยังไม่มีองค์กร")


@pytest.mark.parametrize("status", [Status.approved, Status.withdrawn, Status.submitted])
def test_an_application_without_a_booth_is_refused(client, login_as, db, status):
    world = booth_world(db, allocated=False, status=status)
    staff = create_user()
    grant(world.fair, staff, "staff")
    login_as(staff)
    response = scan(client, world.fair.id, token=make_pass_token(world.application))
    _assert_refused(response, 409, "not_allocated", "ยังไม่ได้รับการจัดสรรบูธ")
    assert response.get_json()["organization"] == world.org.name_th  # the exhibitor the pass named


@pytest.mark.parametrize("raw", [
    "", "not json", "[]", "null", "42", '"A01"', "{", '{"client_id": "x"}',
    '{"client_id": 12345678, "booth_code": "A01"}',
    '{"client_id": "' + "a" * 65 + '", "booth_code": "A01"}',
    '{"client_id": "12345678-bad id", "booth_code": "A01"}',
    '{"client_id": "abcdefgh\\n", "booth_code": "A01"}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000"}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000", "booth_code": ["A01"]}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000", "token": {"a": 1}}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000", "booth_code": "A01", "scanned_at": "yesterday"}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000", "booth_code": "A01", "scanned_at": 1700000000}',
    '{"client_id": "2f1c5ad0-0000-4000-8000-000000000000", "booth_code": "   "}',
])
def test_garbage_is_a_400_with_a_message_never_a_500(client, login_as, w, raw):
    login_as(w.staff)
    response = scan(client, w.fair.id, raw=raw)
    body = response.get_json()
    assert (response.status_code, body["ok"], body["code"]) == (400, False, "scan_unreadable"), body
    assert body["message"] and "result" not in body
    assert checkins() == 0 and scans() == 0


def test_a_form_post_with_only_the_csrf_token_is_a_400(client, login_as, w):
    login_as(w.staff)
    response = client.post(f"/fairs/{w.fair.id}/checkin/scan", data={"csrf_token": _csrf(client, w.fair.id)})
    assert response.status_code == 400 and response.get_json()["code"] == "scan_unreadable"


def test_a_scan_without_the_csrf_token_is_refused_and_records_nothing(client, login_as, w):
    login_as(w.staff)
    response = client.post(f"/fairs/{w.fair.id}/checkin/scan", json={"client_id": str(uuid.uuid4()),
                                                                     "booth_code": "A01"},
                           headers={"Accept": "application/json"})
    body = response.get_json()
    assert (response.status_code, body["ok"], body["code"]) == (400, False, "csrf")  # the page keeps it queued
    assert checkins() == 0 and scans() == 0


def test_a_client_id_used_at_another_fair_is_refused(client, login_as, w, db):
    there = booth_world(db, fair=create_fair(), code="B01")
    grant(there.fair, w.staff, "staff")
    login_as(w.staff)
    client_id = str(uuid.uuid4())
    assert scan(client, there.fair.id, code="B01", client_id=client_id).get_json()["result"] == "checked_in"
    response = scan(client, w.fair.id, code="A01", client_id=client_id)
    body = response.get_json()
    assert (response.status_code, body["code"], body["client_id"]) == (409, "scan_of_another_fair", client_id)
    assert checkins() == 1


# ---- who may check in ----

def _roles(db, w):
    other = create_user(org=create_org("ชุมชนอื่น"))
    judge, chair, other_staff = create_user(), create_user(), create_user()
    grant(w.fair, judge, "judge")
    grant(w.fair, chair, "chair")
    grant(create_fair(), other_staff, "staff")
    return {"org_member": w.member, "other_org_member": other, "staff": w.staff, "judge": judge,
            "chair": chair, "admin": create_user(admin=True), "staff_of_another_fair": other_staff}


PAGES = ("/fairs/{fair}/checkin", "/fairs/{fair}/checkin/dashboard", "/fairs/{fair}/checkin/stats")


# The fair's judges and chair get 403; people with no role in the fair, 404 (as if it were not there).
@pytest.mark.parametrize("role, expect", [
    ("org_member", 404), ("other_org_member", 404), ("staff", 200), ("judge", 403), ("chair", 403),
    ("admin", 200), ("staff_of_another_fair", 404)])
def test_only_this_fairs_staff_check_in(client, login_as, db, w, role, expect):
    login_as(_roles(db, w)[role])
    for page in PAGES:
        assert client.get(page.format(fair=w.fair.id)).status_code == expect, page
    token = client.get("/password/forgot").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token).group(1)
    response = scan(client, w.fair.id, code="A01", csrf=csrf)
    assert response.status_code == expect
    assert checkins() == (1 if expect == 200 else 0)


def test_signed_out_goes_to_login_and_nothing_happens(client, w):
    for page in PAGES:
        response = client.get(page.format(fair=w.fair.id))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    html = client.get("/password/forgot").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(f"/fairs/{w.fair.id}/checkin/scan", json={"client_id": str(uuid.uuid4()),
                                                                     "booth_code": "A01"},
                           headers={"X-CSRFToken": csrf})
    body = response.get_json()  # a script is told to sign in again (its queue is kept)
    assert (response.status_code, body["ok"], body["code"]) == (401, False, "login_required")
    assert checkins() == 0


def test_unknown_fair_is_404(client, login_as, w):
    login_as(create_user(admin=True))
    for page in PAGES:
        assert client.get(page.format(fair=999999)).status_code == 404


def test_checkin_page_is_wired_for_the_script(client, login_as, w):
    login_as(w.staff)
    html = client.get(f"/fairs/{w.fair.id}/checkin").get_data(as_text=True)
    # The page's queue and its states are static/js (tested in tests/browser); here: what the view wires.
    for needle in ("vendor/jsqr/jsQR.js", "js/checkin.js", 'id="booth-code"',
                   f'data-scan-url="/fairs/{w.fair.id}/checkin/scan"',
                   f'data-stats-url="/fairs/{w.fair.id}/checkin/stats"', "data-csrf="):
        assert needle in html
    assert "style=" not in html and "<script>" not in html


# ---- the dashboard ----

def _fill(db, fair, booth_type, n: int, zone: str, checked: int, staff):
    for i in range(n):
        org = create_org()
        application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                                  status=Status.approved)
        if i < checked:
            application.checked_in_at, application.checked_in_by_id = utcnow() - timedelta(minutes=i), staff.id
        db.session.add(application)
        db.session.flush()
        db.session.add(Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=f"{zone}{i + 10}", zone=zone,
                             x=i, y=ord(zone), application_id=application.id))
    db.session.commit()


def test_stats_count_checked_in_and_expected_by_zone(client, login_as, db, w):
    _fill(db, w.fair, w.booth_type, 3, "B", 2, w.staff)
    _fill(db, w.fair, w.booth_type, 2, "C", 0, w.staff)
    # Not expected: an empty booth, and an approved application without a booth.
    db.session.add(Booth(fair_id=w.fair.id, booth_type_id=w.booth_type.id, code="D01", zone="D", x=9, y=9))
    db.session.add(Application(fair_id=w.fair.id, organization_id=create_org().id, booth_type_id=w.booth_type.id,
                               status=Status.approved))
    db.session.commit()
    login_as(w.staff)
    stats = client.get(f"/fairs/{w.fair.id}/checkin/stats").get_json()
    zones = {z["zone"]: (z["checked_in"], z["expected"]) for z in stats["zones"]}
    assert zones == {"A": (0, 1), "B": (2, 3), "C": (0, 2)}
    assert (stats["checked_in"], stats["expected"]) == (2, 6)
    assert stats["text"] == "เช็กอินแล้ว 2 จาก 6 บูธ"
    assert [r["code"] for r in stats["recent"]] == ["B10", "B11"] and stats["recent"][0]["by"] == "นางสาวจีรนันท์ ใจงาม"
    assert [m["code"] for m in next(z for z in stats["zones"] if z["zone"] == "B")["missing"]] == ["B12"]
    assert stats["csrf_token"]
    html = client.get(f"/fairs/{w.fair.id}/checkin/dashboard").get_data(as_text=True)
    assert "เช็กอินแล้ว 2 จาก 6 บูธ" in html and "โซน B" in html and "B12" in html
    assert "style=" not in html


def test_stats_and_scans_take_the_same_number_of_queries_for_3_or_30_applications(
        client, login_as, db, w, count_queries):
    login_as(w.staff)
    counts = []
    for n in (3, 30):
        zone = "B" if n == 3 else "C"
        _fill(db, w.fair, w.booth_type, n, zone, n // 2, w.staff)
        client.get(f"/fairs/{w.fair.id}/checkin/stats")  # warm-up (the first request loads more)
        with count_queries() as stats_q:
            client.get(f"/fairs/{w.fair.id}/checkin/stats")
        with count_queries() as page_q:
            client.get(f"/fairs/{w.fair.id}/checkin/dashboard")
        csrf = _csrf(client, w.fair.id)
        with count_queries() as scan_q:
            scan(client, w.fair.id, code=f"{zone}{n + 9}", csrf=csrf)
        counts.append((stats_q[0], page_q[0], scan_q[0]))
    assert counts[0] == counts[1], counts


def test_thai_numerals_when_the_fair_asks(client, login_as, db):
    world = booth_world(db, thai_numerals=True)
    staff = create_user()
    grant(world.fair, staff, "staff")
    login_as(staff)
    assert client.get(f"/fairs/{world.fair.id}/checkin/stats").get_json()["text"] == "เช็กอินแล้ว ๐ จาก ๑ บูธ"


# ---- several phones at once (PostgreSQL: row locks; SQLite: each POST's BEGIN IMMEDIATE) ----

def _race(app, w, client_ids: list[str]) -> list[dict]:
    """One request per client id, each from its own signed-in client, released together."""
    from tests.conftest import FreshContextClient
    from tests.race import race, times

    app.test_client_class = FreshContextClient
    fair_id = w.fair.id  # read here: the threads have no app context to load it in
    clients = []
    for _ in client_ids:
        c = app.test_client()
        with c.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(w.staff.id), True
        clients.append((c, _csrf(c, fair_id)))

    def send(i):
        c, csrf = clients[i]
        return scan(c, fair_id, code="A01", client_id=client_ids[i], csrf=csrf).get_json()
    return race(times(len(client_ids), send))


def test_phones_scanning_one_exhibitor_at_once_check_in_once(app, db, w):
    answers = _race(app, w, [str(uuid.uuid4()) for _ in range(8)])
    assert sorted(a["result"] for a in answers) == ["already"] * 7 + ["checked_in"]
    assert checkins() == 1 and scans() == 8


def test_one_scan_sent_by_several_retries_at_once_is_counted_once(app, db, w):
    client_id = str(uuid.uuid4())
    answers = _race(app, w, [client_id] * 6)
    assert {a["result"] for a in answers} == {"checked_in"}, answers
    assert checkins() == 1 and scans() == 1
