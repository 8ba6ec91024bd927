"""Fair set-up by admins, per-fair roles, and the public fair pages."""
from datetime import date, timedelta

import pytest

from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.fairs.models import Fair, FairRole
from tests.factories import create_fair, create_user, grant


def _fair_data(**over):
    today = today_local()
    start = today + timedelta(days=60)
    data = {
        "name_th": "ตลาดนัดคุณธรรม จังหวัดเชียงราย", "name_en": "Morality Market Chiang Rai",
        "venue_th": "ศาลากลางจังหวัดเชียงราย", "venue_en": "", "province": "57",
        "organizer_th": "ศูนย์คุณธรรม (องค์การมหาชน)", "description_th": "โชว์ แชร์ ช่วย เชื่อม",
        "starts_on": start, "ends_on": start + timedelta(days=1),
        "booth_opens": today, "booth_closes": start - timedelta(days=10),
        "nomination_opens": today, "nomination_closes": start - timedelta(days=20),
        "judging_opens": start - timedelta(days=19), "judging_closes": start,
    }
    data.update(over)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


@pytest.fixture
def admin(db, login_as):
    user = create_user("admin@example.org", admin=True)
    login_as(user)
    return user


def test_admin_creates_a_fair(client, db, admin, post_form):
    response = post_form("/admin/fairs/new", _fair_data(thai_numerals="y"))
    assert response.status_code == 302
    fair = db.session.query(Fair).one()
    assert fair.name_th == "ตลาดนัดคุณธรรม จังหวัดเชียงราย"
    assert fair.province_code == "57" and fair.thai_numerals and fair.venue_en is None
    assert fair.window_open("booth") and fair.window_open("nomination") and not fair.window_open("judging")
    entry = db.session.query(AuditEntry).filter_by(action="fair.created").one()
    assert entry.actor_id == admin.id and entry.after["name_th"] == fair.name_th


@pytest.mark.parametrize("over,message", [
    ({"ends_on": "2020-01-01"}, "ต้องไม่ก่อนวันเริ่มงาน"),
    ({"booth_closes": "2020-01-01"}, "วันปิดต้องไม่ก่อนวันเปิด"),
    ({"nomination_closes": (today_local() + timedelta(days=90)).isoformat()}, "ต้องปิดรับภายในวันเริ่มงาน"),
    ({"judging_closes": (today_local() + timedelta(days=90)).isoformat()}, "ภายในวันสุดท้ายของงาน"),
    ({"starts_on": "not-a-date"}, "วันที่ไม่ถูกต้อง"),
    ({"province": "99"}, "ไม่มีในรายการ"),
    ({"name_th": ""}, "กรุณากรอกช่องนี้"),
])
def test_bad_fair_input_is_explained_and_nothing_saved(client, db, admin, post_form, over, message):
    html = post_form("/admin/fairs/new", _fair_data(**over)).get_data(as_text=True)
    assert message in html
    if "name_th" not in over:
        assert 'value="ตลาดนัดคุณธรรม จังหวัดเชียงราย"' in html
    assert db.session.query(Fair).count() == 0


def test_edit_is_audited_with_before_and_after(client, db, admin, post_form):
    fair = create_fair("งานเดิม")
    response = post_form(f"/admin/fairs/{fair.id}/edit", _fair_data(name_th="งานใหม่"))
    assert response.status_code == 302
    entry = db.session.query(AuditEntry).filter_by(action="fair.updated").one()
    assert entry.before["name_th"] == "งานเดิม" and entry.after["name_th"] == "งานใหม่"


def test_edit_form_is_prefilled(client, db, admin):
    fair = create_fair("ตลาดนัดคุณธรรม ภูเก็ต", province_code="83")
    html = client.get(f"/admin/fairs/{fair.id}/edit").get_data(as_text=True)
    assert 'value="ตลาดนัดคุณธรรม ภูเก็ต"' in html
    assert '<option selected value="83">' in html


def test_grant_and_revoke_roles(client, db, admin, post_form):
    fair = create_fair()
    judge = create_user("judge@example.org", first_name="วรรณภา")
    response = post_form(f"/admin/fairs/{fair.id}/roles", {"email": "JUDGE@example.org", "role": "judge"})
    assert response.status_code == 302
    row = db.session.query(FairRole).one()
    assert (row.user_id, row.role) == (judge.id, "judge")
    html = post_form(f"/admin/fairs/{fair.id}/roles", {"email": "judge@example.org", "role": "judge"}).get_data(as_text=True)
    assert "มีบทบาทนี้ในงานนี้อยู่แล้ว" in html
    html = post_form(f"/admin/fairs/{fair.id}/roles", {"email": "ghost@example.org", "role": "chair"}).get_data(as_text=True)
    assert "ไม่พบผู้ใช้ที่ใช้อีเมลนี้" in html and 'value="ghost@example.org"' in html
    response = post_form(f"/admin/fairs/{fair.id}/roles/{row.id}/revoke", {}, page=f"/admin/fairs/{fair.id}/roles")
    assert response.status_code == 302
    assert db.session.query(FairRole).count() == 0
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["fair.role_granted", "fair.role_revoked"]


def test_role_of_another_fair_cannot_be_revoked_through_this_one(client, db, admin, post_form):
    one, two = create_fair(), create_fair()
    row = grant(two, create_user(), "staff")
    response = post_form(f"/admin/fairs/{one.id}/roles/{row.id}/revoke", {}, page=f"/admin/fairs/{one.id}/roles")
    assert response.status_code == 404
    assert db.session.query(FairRole).count() == 1


def test_roles_are_per_fair(db):
    one, two = create_fair(), create_fair()
    user = create_user()
    grant(one, user, "judge")
    assert user.has_fair_role(one.id, "judge")
    assert not user.has_fair_role(two.id, "judge")
    assert not user.is_staff_anywhere
    grant(two, user, "staff")
    db.session.refresh(user)
    assert user.is_staff_anywhere


def test_public_fair_page_in_buddhist_era(client, db):
    fair = create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย", starts_on=date(2021, 3, 15))
    html = client.get(f"/fairs/{fair.id}").get_data(as_text=True)
    assert "15 มีนาคม พ.ศ.\u00a02564" in html
    assert "จังหวัดเชียงราย" in html


def test_thai_numerals_when_the_fair_asks(client, db):
    fair = create_fair(starts_on=date(2021, 3, 15), thai_numerals=True)
    html = client.get(f"/fairs/{fair.id}").get_data(as_text=True)
    assert "๑๕ มีนาคม พ.ศ.\u00a0๒๕๖๔" in html
    client.set_cookie("lang", "en")
    html = client.get(f"/fairs/{fair.id}").get_data(as_text=True)
    assert "15 March B.E.\u00a02564" in html  # Thai numerals are for the Thai page only


def test_front_page_lists_upcoming_fairs_first(client, db):
    create_fair("งานที่ผ่านมาแล้ว", starts_on=date(2021, 3, 15))
    create_fair("งานที่กำลังจะมา")
    html = client.get("/").get_data(as_text=True)
    assert html.index("งานที่กำลังจะมา") < html.index("งานที่ผ่านมาแล้ว")


def test_unknown_fair_is_404(client, db):
    assert client.get("/fairs/424242").status_code == 404


def test_fair_page_query_count(client, db, count_queries):
    fair = create_fair()
    with count_queries() as n:
        client.get(f"/fairs/{fair.id}")
    assert n[0] <= 2


def test_window_states(db):
    fair = create_fair(starts_on=date(2030, 3, 15))
    assert fair.window_state("booth", date(2030, 1, 1)) == "upcoming"
    assert fair.window_state("booth", fair.booth_opens) == "open"
    assert fair.window_state("booth", fair.booth_closes) == "open"  # the closing day is inclusive
    assert fair.window_state("booth", fair.booth_closes + timedelta(days=1)) == "closed"


def test_lists_of_fairs_use_each_fairs_numerals(client, db):
    create_fair("งานเลขไทย", starts_on=date(2031, 3, 15), thai_numerals=True)
    create_fair("งานเลขอารบิก", starts_on=date(2031, 4, 15))
    html = client.get("/").get_data(as_text=True)
    assert "๑๕ มีนาคม พ.ศ.\u00a0๒๕๗๔" in html
    assert "15 เมษายน พ.ศ.\u00a02574" in html
