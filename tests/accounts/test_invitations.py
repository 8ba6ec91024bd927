"""More staff join an organization by invitation; an organization's data stays with its members."""
import re

from fairapp.accounts.models import Invitation, Membership, User
from fairapp.core.time import utcnow
from tests.factories import create_fair, create_org, create_user, grant


def _invite(client, post_form, org, email, outbox):
    response = post_form(f"/orgs/{org.id}", {"email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    mail = outbox()[0]
    return re.search(r"http://localhost(/join/\S+)", mail.body).group(1)


def test_invite_new_person_who_signs_up(client, db, login_as, post_form, outbox):
    org = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย")
    login_as(create_user("owner@example.org", org=org))
    link = _invite(client, post_form, org, "New.Person@example.org", outbox)
    assert outbox()[0].to == "new.person@example.org"
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                          client.get("/dashboard").get_data(as_text=True)).group(1)})
    page = client.get(link).get_data(as_text=True)
    assert "new.person@example.org" in page
    response = post_form(link, {"email": "attacker@example.org", "title": "นาย", "first_name": "ใหม่",
                                "last_name": "ใจดี", "phone": "0812345678", "password": "a-long-pass-phrase",
                                "password2": "a-long-pass-phrase"})
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="new.person@example.org").one()
    assert user.is_member_of(org.id) and user.email_confirmed
    assert db.session.query(User).filter_by(email="attacker@example.org").count() == 0
    assert client.get(link).status_code == 400  # used once


def test_existing_user_accepts_when_signed_in(client, db, login_as, post_form, outbox):
    org = create_org()
    owner = create_user("owner@example.org", org=org)
    invitee = create_user("invitee@example.org")
    login_as(owner)
    link = _invite(client, post_form, org, "invitee@example.org", outbox)
    login_as(invitee)
    assert post_form(link, {}).status_code == 302
    assert db.session.query(Membership).filter_by(user_id=invitee.id).count() == 1


def test_invitation_for_another_address(client, db, login_as, post_form, outbox):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    link = _invite(client, post_form, org, "invitee@example.org", outbox)
    login_as(create_user("someone-else@example.org"))
    html = post_form(link, {}).get_data(as_text=True)
    assert "คำเชิญนี้ส่งถึงอีเมลอื่น" in html
    assert db.session.query(Membership).count() == 1


def test_expired_and_cancelled_invitations(client, db, login_as, post_form, outbox):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    link = _invite(client, post_form, org, "invitee@example.org", outbox)
    invitation = db.session.query(Invitation).one()
    invitation.expires_at = utcnow()
    db.session.commit()
    assert "ใช้ไม่ได้แล้ว" in client.get(link).get_data(as_text=True)
    # A fresh invitation, then cancelled by the owner.
    post_form(f"/orgs/{org.id}", {"email": "invitee@example.org"})
    fresh = db.session.query(Invitation).filter(Invitation.expires_at > utcnow()).one()
    response = post_form(f"/orgs/{org.id}/invitations/{fresh.id}/cancel", {}, page=f"/orgs/{org.id}")
    assert response.status_code == 302
    db.session.refresh(fresh)
    assert fresh.cancelled_at is not None


def test_cannot_invite_an_existing_member(client, db, login_as, post_form):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    html = post_form(f"/orgs/{org.id}", {"email": "owner@example.org"}).get_data(as_text=True)
    assert "เป็นสมาชิกขององค์กรอยู่แล้ว" in html
    assert db.session.query(Invitation).count() == 0


def test_bad_invite_email_keeps_input(client, db, login_as, post_form):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    html = post_form(f"/orgs/{org.id}", {"email": "not an email"}).get_data(as_text=True)
    assert "อีเมลนี้ไม่ถูกต้อง" in html and 'value="not an email"' in html


def test_other_organizations_are_not_found(client, db, login_as):
    mine, theirs = create_org("ของเรา"), create_org("ของเขา")
    login_as(create_user(org=mine))
    assert client.get(f"/orgs/{mine.id}").status_code == 200
    assert client.get(f"/orgs/{theirs.id}").status_code == 404
    assert client.get("/orgs/999999").status_code == 404


def test_fair_staff_see_organizations_but_cannot_invite(client, db, login_as, post_form):
    org = create_org("วิทยาลัยเชียงราย")
    staff = create_user("staff@example.org")
    grant(create_fair(), staff, "staff")
    login_as(staff)
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "วิทยาลัยเชียงราย" in page and "invite-form" not in page
    assert post_form(f"/orgs/{org.id}", {"email": "x@example.org"}).status_code == 403


def test_organization_list_is_in_thai_dictionary_order(client, db, login_as):
    for name in ["ฮา ชุมชน", "ไก่ ชุมชน", "กา ชุมชน", "ขนม ชุมชน", "เกาะ ชุมชน"]:
        create_org(name)
    login_as(create_user(admin=True))
    html = client.get("/orgs").get_data(as_text=True)
    positions = [html.index(n) for n in ["กา ชุมชน", "เกาะ ชุมชน", "ไก่ ชุมชน", "ขนม ชุมชน", "ฮา ชุมชน"]]
    assert positions == sorted(positions)


def test_dashboard_query_count_does_not_grow(client, db, login_as, count_queries):
    user = create_user()
    login_as(user)

    def add_org_and_fair():
        org = create_org()
        db.session.add(Membership(user=user, organization=org))
        grant(create_fair(), user, "judge")

    add_org_and_fair()
    with count_queries() as few:
        client.get("/dashboard")
    for i in range(7):
        add_org_and_fair()
    db.session.commit()
    with count_queries() as many:
        html = client.get("/dashboard").get_data(as_text=True)
    assert html.count('class="card"') == 24  # 8 organizations, 8 fairs, and 8 fairs' judging on the home panel
    assert many[0] == few[0] <= 15  # the page (6) and the home panels: booths 2, nominations 1, judging 5, joining 1


def test_invitations_to_one_address_sent_at_once_leave_one_open(app, client, db, login_as):
    """Two staff (or one double click) inviting one address at the same moment: the organization's row lock
    makes the second replace the first, as one after the other would. Real requests, real threads."""
    import threading

    from tests.conftest import csrf_token_from

    org = create_org()
    owner = create_user("owner@example.org", org=org)
    url = f"/orgs/{org.id}"
    clients = []
    for _ in range(6):
        c = app.test_client()
        with c.session_transaction() as session:
            session["_user_id"] = str(owner.id)
        clients.append((c, csrf_token_from(c.get(url).get_data(as_text=True))))
    barrier, codes = threading.Barrier(len(clients)), []

    def invite(c, token):
        barrier.wait(timeout=30)
        codes.append(c.post(url, data={"email": "friend@example.org", "csrf_token": token}).status_code)

    threads = [threading.Thread(target=invite, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [302] * len(clients)
    invitations = db.session.query(Invitation).filter_by(email="friend@example.org").all()
    assert len(invitations) == len(clients) and sum(i.is_open for i in invitations) == 1
