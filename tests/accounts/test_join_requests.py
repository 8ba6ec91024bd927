"""Sign-up meets an organization already registered (issue 16): the same tax ID, or the same name after Thai
normalization in the same province, is found before a second one is created; the person asks to join it,
and its managers (owners) accept or refuse, with mail and audit."""

import pytest

from fairapp.accounts.models import JoinRequest, Membership, Organization, User, org_name_key
from fairapp.core.audit import AuditEntry
from tests.accounts.test_signup import GOOD
from tests.conftest import csrf_token_from
from tests.factories import create_org, create_user


def _counts(db):
    return (db.session.query(User).count(), db.session.query(Organization).count(),
            db.session.query(Membership).count(), db.session.query(JoinRequest).count())


# ---- the key names are compared by ----

@pytest.mark.parametrize("a,b", [
    ("ชุมชนคุณธรรม บ้านป่าซาง", "ชุมชนคุณธรรมบ้านป่าซาง"),                      # spaces
    ("ชุมชนบ้านป่าซ้าง", "ชุมชนบานปาซาง"),                                         # tone marks
    ("มทร. ล้านนา เชียงราย", "มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนา เชียงราย"),       # มทร.
    ("มรภ.เชียงราย", "มหาวิทยาลัยราชภัฏเชียงราย"),
    ("ม.แม่ฟ้าหลวง", "มหาวิทยาลัยแม่ฟ้าหลวง"),                                      # ม. at the start
    ("รพ.สต.บ้านใหม่", "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านใหม่"),
    ("รร.บ้านนา", "โรงเรียน บ้านนา"),
    ("อบต.ป่าซาง", "องค์การบริหารส่วนตำบลป่าซาง"),
    ("สนง.วัฒนธรรม จ.เชียงราย", "สำนักงานวัฒนธรรมจังหวัดเชียงราย"),
    ("กลุ่มเด็กๆ รักษ์ถิ่น", "กลุ่มเด็กเด็กรักษ์ถิ่น"),                              # ๆ
    ("กลุ่มเด็ก ๆ รักษ์ถิ่น", "กลุ่มเด็กๆรักษ์ถิ่น"),
    ("บ้านน้ําใส", "บ้านน้ำใส"),                                                      # ํา typed for ำ
    ("โรงเรียนบ้านนา ๒", "โรงเรียนบ้านนา 2"),
])
def test_names_written_differently_have_one_key(a, b):
    assert org_name_key(a) == org_name_key(b) != ""


@pytest.mark.parametrize("a,b", [
    ("วัดพระธาตุดอยตุง", "วัดพระธาตุดอยเวา"),
    ("ชุมชนบ้านใหม่", "ชุมชนบ้านเก่า"),
    ("โรงเรียนบ้านนา ม.3", "โรงเรียนบ้านนา มหาวิทยาลัย3"),  # ม. inside a name is not a university
])
def test_other_names_keep_other_keys(a, b):
    assert org_name_key(a) != org_name_key(b)


def test_the_key_follows_the_name(db):
    org = create_org("มทร.ล้านนา")
    assert org.name_key == org_name_key("มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนา")
    org.name_th = "ชุมชนบ้านใหม่"
    db.session.commit()
    assert db.session.get(Organization, org.id).name_key == org_name_key("ชุมชน บ้านใหม่")


# ---- sign-up finds it ----

def test_same_tax_id_shows_the_organization_and_creates_nothing(db, post_form):
    existing = create_org("วัดพระธาตุ", tax_id="0994000165510", province_code="10", district_code="1001")
    create_user("owner@example.org", org=existing)
    before = _counts(db)
    response = post_form("/signup", GOOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "องค์กรนี้ลงทะเบียนไว้แล้ว" in html and f'id="match-{existing.id}"' in html
    assert "วัดพระธาตุ" in html and "เลขประจำตัว 13 หลักเดียวกัน" in html
    assert "owner@example.org" not in html and "0994000165510" in html  # only what was typed, none of theirs
    assert html.count("0994000165510") == 1
    assert _counts(db) == before


def test_same_normalized_name_in_the_province_is_found(db, post_form):
    existing = create_org("มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนา เชียงราย")
    html = post_form("/signup", {**GOOD, "org_name_th": "มทร. ล้านนา  เชียงราย", "tax_id": ""}).get_data(as_text=True)
    assert f'id="match-{existing.id}"' in html and 'name="join_org"' in html
    assert db.session.query(Organization).count() == 1 and db.session.query(User).count() == 0
    # Everything typed is kept (passwords aside: they are typed again).
    assert 'value="มทร. ล้านนา  เชียงราย"' in html and 'value="mali@example.org"' in html and 'value="มะลิ"' in html
    assert '<option selected value="5701">' in html and "ตลาดนัด-คุณธรรม-2569" not in html


def test_tone_marks_and_spaces_do_not_make_another_organization(db, post_form):
    existing = create_org("ชุมชนคุณธรรม บ้านป่าซ้าง")
    html = post_form("/signup", {**GOOD, "tax_id": ""}).get_data(as_text=True)  # ชุมชนคุณธรรมบ้านป่าซาง
    assert f'id="match-{existing.id}"' in html and db.session.query(Organization).count() == 1


def test_same_name_in_another_province_is_another_organization(db, post_form):
    create_org("ชุมชนคุณธรรมบ้านป่าซาง", province_code="10", district_code="1001")
    assert post_form("/signup", {**GOOD, "tax_id": ""}).status_code == 302
    assert db.session.query(Organization).count() == 2


def test_same_name_with_another_tax_id_is_another_organization(db, post_form):
    create_org("ชุมชนคุณธรรมบ้านป่าซาง", tax_id="0105536000315")
    assert post_form("/signup", GOOD).status_code == 302  # GOOD's tax ID differs: let them go on
    assert db.session.query(Organization).count() == 2


def test_same_name_without_a_tax_id_there_is_a_match_even_with_one_typed(db, post_form):
    existing = create_org("ชุมชนคุณธรรมบ้านป่าซาง")  # no tax ID: it may be this one
    html = post_form("/signup", GOOD).get_data(as_text=True)
    assert f'id="match-{existing.id}"' in html and db.session.query(Organization).count() == 1


# ---- asking to join ----

def _ask(db, post_form, org, **extra):
    data = {**GOOD, "tax_id": "", "join_org": str(org.id), "join_message": "ฝ่ายกิจกรรม", **extra}
    return post_form("/signup", data)


def test_request_mails_the_managers_and_the_account_has_no_membership(client, db, post_form, outbox):
    org = create_org("ชุมชนคุณธรรมบ้านป่าซาง")
    owner = create_user("owner@example.org", org=org, locale="en")
    member = create_user("member@example.org")
    db.session.add(Membership(user=member, organization=org, role="member"))
    db.session.commit()
    response = _ask(db, post_form, org)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    user = db.session.query(User).filter_by(email="mali@example.org").one()
    assert user.memberships == [] and db.session.query(Organization).count() == 1
    join = db.session.query(JoinRequest).one()
    assert (join.organization_id, join.user_id, join.state, join.message) == (org.id, user.id, "pending", "ฝ่ายกิจกรรม")
    mails = {m.to: m for m in outbox()}
    assert set(mails) == {"owner@example.org", "mali@example.org"}  # the manager (not the member); the confirmation
    assert "ฝ่ายกิจกรรม" in mails["owner@example.org"].body and "มะลิ" in mails["owner@example.org"].body
    assert "asks to join" in mails["owner@example.org"].body  # in the manager's language
    assert f"/orgs/{org.id}#join-requests" in mails["owner@example.org"].body
    assert db.session.query(AuditEntry).filter_by(action="organization.join_requested").count() == 1
    home = client.get("/dashboard").get_data(as_text=True)
    assert f'id="home-join-mine-{join.id}"' in home and "รอผู้ดูแลองค์กรตอบ" in home


def test_a_choice_that_does_not_match_what_was_typed_is_refused(db, post_form):
    org = create_org("ชุมชนคุณธรรมบ้านป่าซาง")
    other = create_org("วัดศรีสุข")
    html = _ask(db, post_form, other).get_data(as_text=True)
    assert "องค์กรที่เลือกไม่ตรง" in html and f'id="match-{org.id}"' in html and f'id="match-{other.id}"' not in html
    assert db.session.query(User).count() == 0 and db.session.query(JoinRequest).count() == 0


def test_the_choice_stays_when_the_passwords_are_missing(db, post_form):
    org = create_org("ชุมชนคุณธรรมบ้านป่าซาง")
    html = _ask(db, post_form, org, password="", password2="").get_data(as_text=True)
    assert f'id="match-{org.id}"' in html and 'value="ฝ่ายกิจกรรม"' not in html and "ฝ่ายกิจกรรม</textarea>" in html
    assert db.session.query(User).count() == 0


def _decide_url(org, join, decision):
    return f"/orgs/{org.id}/join-requests/{join.id}/{decision}"


def _world(db):
    org = create_org("ชุมชนคุณธรรมบ้านป่าซาง")
    owner = create_user("owner@example.org", org=org)
    requester = create_user("mali@example.org", first_name="มะลิ", locale="en")
    join = JoinRequest(organization=org, user=requester, message="", state="pending")
    db.session.add(join)
    db.session.commit()
    return org, owner, requester, join


def _post(client, url, page):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_owner_sees_the_request_and_accepts(client, db, login_as, outbox):
    org, owner, requester, join = _world(db)
    login_as(owner)
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert f'id="join-request-{join.id}"' in page and "mali@example.org" in page
    response = _post(client, _decide_url(org, join, "accept"), f"/orgs/{org.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orgs/{org.id}")
    membership = db.session.query(Membership).filter_by(user_id=requester.id).one()
    assert membership.organization_id == org.id and membership.role == "member"  # a member, not a manager
    join = db.session.get(JoinRequest, join.id)
    assert join.state == "accepted" and join.decided_by_id == owner.id and join.decided_at is not None
    mail = outbox()[0]
    assert mail.to == "mali@example.org" and "accepted" in mail.body  # in the requester's language
    assert db.session.query(AuditEntry).filter_by(action="organization.join_accepted").count() == 1
    assert f'id="join-request-{join.id}"' not in client.get(f"/orgs/{org.id}").get_data(as_text=True)
    # Answered once: a second click (or another manager) is told, nothing changes.
    again = _post(client, _decide_url(org, join, "refuse"), f"/orgs/{org.id}")
    assert again.status_code == 302 and db.session.get(JoinRequest, join.id).state == "accepted"
    assert "ได้รับการตอบแล้ว" in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_owner_refuses(client, db, login_as, outbox):
    org, owner, requester, join = _world(db)
    login_as(owner)
    assert _post(client, _decide_url(org, join, "refuse"), f"/orgs/{org.id}").status_code == 302
    assert db.session.get(JoinRequest, join.id).state == "refused"
    assert db.session.query(Membership).filter_by(user_id=requester.id).count() == 0
    assert outbox()[0].to == "mali@example.org"
    assert db.session.query(AuditEntry).filter_by(action="organization.join_refused").count() == 1


def test_an_admin_may_decide(client, db, login_as):
    org, _owner, requester, join = _world(db)
    login_as(create_user(admin=True))
    assert _post(client, _decide_url(org, join, "accept"), f"/orgs/{org.id}").status_code == 302
    assert requester.id in {m.user_id for m in db.session.query(Membership).filter_by(organization_id=org.id)}


@pytest.mark.parametrize("who", ["member", "staff", "other_owner", "requester"])
def test_others_get_404_and_nothing_changes(client, db, login_as, who):
    from tests.factories import create_fair, grant
    org, _owner, requester, join = _world(db)
    if who == "member":
        user = create_user()
        db.session.add(Membership(user=user, organization=org, role="member"))
        db.session.commit()
    elif who == "staff":
        user = create_user()
        grant(create_fair(), user, "staff")
    elif who == "other_owner":
        user = create_user(org=create_org())
    else:
        user = requester
    login_as(user)
    page = "/dashboard"
    assert _post(client, _decide_url(org, join, "accept"), page).status_code == 404
    assert _post(client, _decide_url(org, join, "refuse"), page).status_code == 404
    assert db.session.get(JoinRequest, join.id).state == "pending"
    if who in ("member", "staff"):  # they may see the organization's page, not its requests
        html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
        assert "join-request-" not in html and "mali@example.org" not in html


def test_another_organizations_request_is_404(client, db, login_as):
    org, _owner, _requester, join = _world(db)
    other = create_org()
    login_as(create_user(org=other))
    assert _post(client, f"/orgs/{other.id}/join-requests/{join.id}/accept", "/dashboard").status_code == 404
    assert db.session.get(JoinRequest, join.id).state == "pending"


def test_deciding_needs_the_csrf_token(client, db, login_as):
    org, owner, _requester, join = _world(db)
    login_as(owner)
    response = client.post(_decide_url(org, join, "accept"), data={})
    assert response.status_code == 400 and "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)
    assert db.session.get(JoinRequest, join.id).state == "pending"
    assert client.get(_decide_url(org, join, "accept")).status_code == 405


def test_a_second_pending_request_is_refused(db, app):
    from fairapp.accounts import joining
    from fairapp.accounts.joining import JoinRequestPending
    org, _owner, requester, _join = _world(db)
    with app.test_request_context():
        with pytest.raises(JoinRequestPending):
            joining.ask_to_join(org, requester, "")
    db.session.rollback()
    assert db.session.query(JoinRequest).count() == 1


def test_the_database_keeps_one_pending_request_per_person_and_organization(db):
    from sqlalchemy.exc import IntegrityError
    org, _owner, requester, _join = _world(db)
    db.session.add(JoinRequest(organization=org, user=requester, message="", state="pending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(JoinRequest(organization=org, user=requester, message="", state="refused"))
    db.session.commit()  # decided ones do not count


def test_a_refused_person_may_ask_again(db, app, client, login_as):
    from fairapp.accounts import joining
    org, owner, requester, join = _world(db)
    login_as(owner)
    _post(client, _decide_url(org, join, "refuse"), f"/orgs/{org.id}")
    with app.test_request_context():
        joining.ask_to_join(db.session.get(Organization, org.id), db.session.get(User, requester.id), "อีกครั้ง")
        db.session.commit()
    assert db.session.query(JoinRequest).filter_by(state="pending").count() == 1


def test_the_managers_home_counts_the_waiting_requests(client, db, login_as):
    org, owner, _requester, _join = _world(db)
    login_as(owner)
    home = client.get("/dashboard").get_data(as_text=True)
    assert f'id="home-join-waiting-{org.id}"' in home and "คำขอเข้าร่วมรอคุณตอบ 1 รายการ" in home


def test_organization_page_queries_do_not_grow_with_requests(client, db, login_as, count_queries):
    org, owner, _requester, _join = _world(db)
    login_as(owner)
    client.get(f"/orgs/{org.id}")
    with count_queries() as few:
        client.get(f"/orgs/{org.id}")
    for i in range(10):
        db.session.add(JoinRequest(organization=org, user=create_user(), message="สวัสดี", state="pending"))
    db.session.commit()
    with count_queries() as many:
        html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert html.count('id="join-request-') == 11
    assert many[0] == few[0]


def test_erasure_deletes_the_persons_join_requests(db, app):
    from fairapp.privacy import erasure
    org, owner, requester, _join = _world(db)
    with app.test_request_context():
        done = erasure.erase(requester, owner)
        db.session.commit()
    assert done.counts["join_requests"] == 1 and db.session.query(JoinRequest).count() == 0


def test_my_data_lists_the_persons_join_requests(db, app):
    from fairapp.privacy.my_data import collect
    org, _owner, requester, _join = _world(db)
    with app.test_request_context():
        data = collect(requester)
    assert [(j["organization_id"], j["state"]) for j in data["join_requests"]] == [(org.id, "pending")]


# ---- two sign-ups of one organization at the same moment ----

def test_sign_ups_racing_with_one_name_make_one_organization(app, db, thread_sessions_for):
    """The name has no unique constraint (the same name in another province is another organization): the
    check and the creation run under a lock (PostgreSQL: an advisory lock on the name in the province;
    SQLite: BEGIN IMMEDIATE), so the others find the one that was made."""
    from collections import Counter

    from fairapp.accounts import operations as ops
    from fairapp.accounts.models import Sector
    from tests.race import race, times

    threads = 5
    org = {"name_th": "ชุมชนคุณธรรม บ้านป่าซาง", "name_en": None, "sector": Sector.civil, "province_code": "57",
           "district_code": "5701", "tax_id": None}

    def sign_up(i):
        person = {"email": f"p{i}@example.org", "title": "นาย", "first_name": f"คนที่{i}", "last_name": "",
                  "phone": "+66812345678"}
        return ops.register_organization(org={**org, "name_th": org["name_th"] if i % 2 else "ชุมชนคุณธรรมบ้านป่าซ้าง"},
                                         person=person, password="a-long-pass-phrase")

    outcomes = race(times(threads, sign_up), app=app, sessions=thread_sessions_for(threads))
    kinds = Counter("made" if isinstance(o, User) else type(o).__name__ for o in outcomes)
    assert kinds == {"made": 1, "OrganizationExists": threads - 1}, outcomes
    db.session.expire_all()
    assert db.session.query(Organization).count() == 1 and db.session.query(User).count() == 1
