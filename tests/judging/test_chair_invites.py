"""The chair invites judges by email (issue 16), instead of asking an admin: a registered address is a judge
of the fair at once (audited, mailed a link to its judging page); another address gets an invitation whose
link, opened signed out, signs up (or signs in, back to it) and accepts once, with the invited address only.
The chair resends or cancels open invitations; only the fair's chair and admins may."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from fairapp.core.audit import AuditEntry
from fairapp.core.time import utcnow
from fairapp.fairs.models import FairRole
from fairapp.judging.models import JudgeProfile
from fairapp.judging.models_invitations import JudgeInvitation
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, create_user
from tests.judging.test_chair_views import build_world

PERSON = {"title": "ผศ.ดร.", "first_name": "อรุณี", "last_name": "แสงทอง", "phone": "081 234 5678",
          "password": "ตลาดนัด-คุณธรรม-2569", "password2": "ตลาดนัด-คุณธรรม-2569"}


def _judges_url(w):
    return f"/judging/fairs/{w.fair.id}/judges"


def _invite(client, post_form, w, email, **extra):
    return post_form(f"{_judges_url(w)}/invite", {"email": email, **extra}, page=_judges_url(w))


def _link(mail) -> str:
    return re.search(r"http://localhost(/judging/invitations/\S+)", mail.body).group(1)


def _is_judge(db, fair, user_id) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(FairRole.id).where(FairRole.fair_id == fair.id, FairRole.user_id == user_id,
                                                       FairRole.role == "judge")) is not None


def _logout(client):
    with client.session_transaction() as session:
        session.clear()


def test_a_registered_address_is_a_judge_at_once_with_its_affiliation_and_a_mail(client, login_as, post_form,
                                                                               db, outbox):
    w = build_world(db)
    prof = create_user("Prof.Suda@Example.org", first_name="สุดา", last_name="ใจกว้าง", locale="en")
    login_as(w.chair)
    response = _invite(client, post_form, w, "prof.suda@example.ORG",
                       affiliation=f"{w.university.name_th} · #{w.university.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(_judges_url(w))
    assert _is_judge(db, w.fair, prof.id)
    profile = db.session.scalar(select(JudgeProfile).where(JudgeProfile.user_id == prof.id))
    assert profile.affiliation_org_id == w.university.id
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "fair.role_granted" in actions and "judging.affiliation_changed" in actions
    [mail] = outbox()
    assert mail.to == "Prof.Suda@Example.org" or mail.to.lower() == "prof.suda@example.org"
    assert f"/fairs/{w.fair.id}/judging" in mail.body  # their judging page
    assert "judge" in mail.body.lower()  # in their language (English)
    assert db.session.query(JudgeInvitation).count() == 0
    page = client.get(_judges_url(w)).get_data(as_text=True)
    assert "สุดา" in page  # listed with the fair's judges
    again = _invite(client, post_form, w, "prof.suda@example.org")
    assert again.status_code == 400
    assert "เป็นกรรมการของงานนี้อยู่แล้ว" in again.get_data(as_text=True)


def test_an_unregistered_address_signs_up_through_the_invitation_and_judges(client, login_as, post_form, db,
                                                                           outbox):
    w = build_world(db)
    login_as(w.chair)
    response = _invite(client, post_form, w, "Arunee@Example.org", name="ผศ.ดร.อรุณี แสงทอง",
                       affiliation=f"#{w.university.id}")
    assert response.status_code == 302
    invitation = db.session.scalar(select(JudgeInvitation))
    assert invitation.email == "arunee@example.org" and invitation.affiliation_org_id == w.university.id
    assert len(invitation.token_hash) == 64  # only the digest is kept
    [mail] = outbox()
    link = _link(mail)
    assert link.split("/")[-1] not in invitation.token_hash
    assert "ผศ.ดร.อรุณี แสงทอง" in mail.body and w.fair.name_th in mail.body
    page = client.get(_judges_url(w)).get_data(as_text=True)
    assert "arunee@example.org" in page and "ส่งคำเชิญอีกครั้ง" in page  # pending, with its buttons

    _logout(client)
    html = client.get(link).get_data(as_text=True)
    assert "สร้างบัญชีและตอบรับคำเชิญ" in html and f"/login?next=" in html
    response = post_form(link, {**PERSON, "email": "someone-else@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/fairs/{w.fair.id}/judging")
    from fairapp.accounts.models import User
    user = db.session.scalar(select(User).where(User.email == "arunee@example.org"))  # the invited address
    assert user is not None and user.email_confirmed_at is not None
    assert _is_judge(db, w.fair, user.id)
    assert db.session.scalar(select(JudgeProfile).where(JudgeProfile.user_id == user.id)).affiliation_org_id \
        == w.university.id
    assert db.session.get(JudgeInvitation, invitation.id).accepted_at is not None
    home = client.get("/dashboard").get_data(as_text=True)  # signed in; their home leads to the fair
    assert w.fair.name_th in home and f"/fairs/{w.fair.id}/judging" in home
    assert client.get(f"/fairs/{w.fair.id}/judging").status_code == 200
    # A second use of the link says so (and leads the judge to the fair).
    again = client.get(link)
    assert again.status_code == 400
    body = again.get_data(as_text=True)
    assert "ถูกตอบรับไปแล้ว" in body and f"/fairs/{w.fair.id}/judging" in body
    token = csrf_token_from(client.get("/privacy").get_data(as_text=True))
    assert client.post(link, data={"csrf_token": token}).status_code == 400  # accepting twice: refused


def test_a_registered_invitee_signs_in_and_comes_back_to_accept(client, login_as, post_form, db, outbox):
    w = build_world(db)
    login_as(w.chair)
    _invite(client, post_form, w, "late@example.org")
    link = _link(outbox()[0])
    late = create_user("late@example.org")  # signed up meanwhile
    _logout(client)
    html = client.get(link).get_data(as_text=True)
    assert "มีบัญชีอยู่แล้ว" in html and re.search(r"/login\?next=(/|%2F)judging(/|%2F)invitations", html)
    login = client.post(f"/login?next={link}", data={
        "email": "late@example.org", "password": PASSWORD,
        "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))})
    assert login.headers["Location"].endswith(link)
    response = post_form(link, {})
    assert response.status_code == 302 and _is_judge(db, w.fair, late.id)
    assert post_form(link, {}).status_code == 400  # once


def test_another_email_is_refused_with_a_clear_message(client, login_as, post_form, db, outbox):
    w = build_world(db)
    login_as(w.chair)
    _invite(client, post_form, w, "invited@example.org")
    link = _link(outbox()[0])
    login_as(w.member)
    html = client.get(link).get_data(as_text=True)
    assert "คำเชิญนี้ส่งถึงอีเมลอื่น" in html and "ตอบรับเป็นกรรมการ" not in html
    response = client.post(link, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 403
    assert not _is_judge(db, w.fair, w.member.id)
    assert db.session.scalar(select(JudgeInvitation)).accepted_at is None


def test_expired_and_cancelled_invitations_say_so(client, login_as, post_form, db, outbox):
    w = build_world(db)
    login_as(w.chair)
    _invite(client, post_form, w, "old@example.org")
    _invite(client, post_form, w, "gone@example.org")
    mails = {m.to: _link(m) for m in outbox()}
    old = db.session.scalar(select(JudgeInvitation).where(JudgeInvitation.email == "old@example.org"))
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    gone = db.session.scalar(select(JudgeInvitation).where(JudgeInvitation.email == "gone@example.org"))
    page = client.get(_judges_url(w)).get_data(as_text=True)
    assert "หมดอายุแล้วเมื่อ" in page  # the chair sees it expired and may resend it
    cancel = post_form(f"/judging/fairs/{w.fair.id}/judge-invitations/{gone.id}/cancel", {}, page=_judges_url(w))
    assert cancel.status_code == 302
    _logout(client)
    expired = client.get(mails["old@example.org"])
    assert expired.status_code == 400 and "หมดอายุแล้ว" in expired.get_data(as_text=True)
    cancelled = client.get(mails["gone@example.org"])
    assert cancelled.status_code == 400 and "ยกเลิกคำเชิญนี้แล้ว" in cancelled.get_data(as_text=True)
    assert client.get("/judging/invitations/not-a-token").status_code == 400
    # Resending the expired one mails a new link; the old link stays dead.
    login_as(w.chair)
    resent = post_form(f"/judging/fairs/{w.fair.id}/judge-invitations/{old.id}/resend", {}, page=_judges_url(w))
    assert resent.status_code == 302
    new_link = _link(outbox()[0])
    assert new_link != mails["old@example.org"]
    _logout(client)
    assert client.get(mails["old@example.org"]).status_code == 400
    assert client.get(new_link).status_code == 200
    # A cancelled one cannot be resent.
    login_as(w.chair)
    post_form(f"/judging/fairs/{w.fair.id}/judge-invitations/{gone.id}/resend", {}, page=_judges_url(w))
    assert db.session.get(JudgeInvitation, gone.id).cancelled_at is not None
    assert len(outbox()) == 3


def test_only_the_chair_and_admins_invite_and_others_get_404(client, login_as, post_form, db, outbox):
    w = build_world(db)
    login_as(w.chair)
    _invite(client, post_form, w, "pending@example.org")
    invitation = db.session.scalar(select(JudgeInvitation))
    for person, want in ((w.other_chair, 404), (w.member, 404), (w.staff, 403), (w.judge1, 403)):
        login_as(person)
        page = client.get(_judges_url(w))
        if page.status_code == 200:  # the fair's staff read the page: no invite form, no invitations
            assert "invite-form" not in page.get_data(as_text=True)
            assert "pending@example.org" not in page.get_data(as_text=True)
        for url in (f"{_judges_url(w)}/invite",
                    f"/judging/fairs/{w.fair.id}/judge-invitations/{invitation.id}/cancel",
                    f"/judging/fairs/{w.fair.id}/judge-invitations/{invitation.id}/resend"):
            html = client.get("/privacy").get_data(as_text=True)
            response = client.post(url, data={"email": "x@example.org", "csrf_token": csrf_token_from(html)})
            assert response.status_code == want, (person.email, url, response.status_code)
    assert db.session.get(JudgeInvitation, invitation.id).cancelled_at is None
    assert db.session.query(JudgeInvitation).count() == 1
    # Another fair's chair cannot reach this fair's invitation through their own fair either.
    other = db.session.scalar(select(FairRole).where(FairRole.user_id == w.other_chair.id))
    login_as(w.other_chair)
    html = client.get("/privacy").get_data(as_text=True)
    response = client.post(f"/judging/fairs/{other.fair_id}/judge-invitations/{invitation.id}/cancel",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 404
    # An admin may.
    login_as(w.admin)
    assert _invite(client, post_form, w, "by-admin@example.org").status_code == 302


def test_the_invite_form_keeps_its_input_and_needs_its_csrf_token(client, login_as, post_form, db, outbox):
    w = build_world(db)
    login_as(w.chair)
    bad = _invite(client, post_form, w, "not-an-email", name="อาจารย์ทดสอบ", affiliation="องค์กรที่ไม่ได้เลือก")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert 'value="not-an-email"' in html and 'value="อาจารย์ทดสอบ"' in html
    assert html.count('aria-invalid="true"') == 2  # the email and the affiliation, both at once
    # The page's other forms still go to the judges page (not to the invite form's address).
    assert f'action="/judging/fairs/{w.fair.id}/judges"' in html
    assert f'id="judges-form"' in html and f'method="get" action="/judging/fairs/{w.fair.id}/judges"' in html
    typed = _invite(client, post_form, w, "ok@example.org", affiliation="องค์กรที่ไม่ได้เลือก")
    assert typed.status_code == 400
    assert "เลือกจากรายการ" in typed.get_data(as_text=True) and 'value="ok@example.org"' in typed.get_data(as_text=True)
    unknown = _invite(client, post_form, w, "ok@example.org", affiliation="#999999")
    assert unknown.status_code == 400 and "ไม่พบองค์กรนี้" in unknown.get_data(as_text=True)
    no_token = client.post(f"{_judges_url(w)}/invite", data={"email": "ok@example.org", "name": "คงไว้"})
    assert no_token.status_code == 400
    body = no_token.get_data(as_text=True)
    assert "แบบฟอร์มหมดอายุ" in body and 'value="คงไว้"' in body
    assert db.session.query(JudgeInvitation).count() == 0 and outbox() == []


def test_the_pending_list_costs_the_same_queries_at_3_and_30(client, login_as, post_form, db, count_queries):
    from fairapp.accounts.models import token_digest
    w = build_world(db)
    login_as(w.chair)
    seen = []
    for total in (3, 30):
        have = db.session.query(JudgeInvitation).count()
        for i in range(have, total):
            db.session.add(JudgeInvitation(fair_id=w.fair.id, email=f"p{i}@example.org", token_hash=token_digest(str(i)),
                                           invited_by_id=w.chair.id, affiliation_org_id=w.orgs[i % 3].id,
                                           expires_at=utcnow() + timedelta(days=3)))
        db.session.commit()
        client.get(_judges_url(w))
        with count_queries() as n:
            html = client.get(_judges_url(w)).get_data(as_text=True)
        seen.append(n[0])
        assert html.count("ยกเลิกคำเชิญ<span") == total
    assert seen[0] == seen[1], seen
