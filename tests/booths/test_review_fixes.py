"""Fixes from review: odd input never 500s, the waiting list keeps its order, audits and limits hold."""
import pytest

from fairapp.booths import operations as ops
from fairapp.booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
from fairapp.core.audit import AuditEntry
from fairapp.core.time import utcnow
from tests.factories import create_fair, create_org, create_user, grant

HUGE = "99999999999999999999"


def _type(db, fair, capacity=1):
    booth_type = BoothType(fair_id=fair.id, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=capacity)
    db.session.add(booth_type)
    db.session.commit()
    return booth_type


def _app(db, fair, booth_type, status, org=None, **kw):
    application = Application(fair_id=fair.id, organization_id=(org or create_org()).id,
                              booth_type_id=booth_type.id, status=status, show_text="นิทรรศการ", **kw)
    application.people = [BoothPerson(first_name="สมชาย")]
    db.session.add(application)
    db.session.commit()
    return application


def test_huge_ids_in_urls_are_not_found(client, db, login_as):
    login_as(create_user(admin=True))
    for url in (f"/booths/{HUGE}", f"/fairs/{HUGE}/booths", f"/fairs/{HUGE}", f"/orgs/{HUGE}",
                f"/booths/{HUGE}/pass", f"/fairs/{HUGE}/floorplan", "/booths/2147483648"):
        assert client.get(url).status_code == 404, url


def test_odd_values_in_staff_forms_are_not_500(client, db, login_as, post_form):
    fair = create_fair()
    booth_type = _type(db, fair)
    staff = create_user()
    grant(fair, staff, "staff")
    login_as(staff)
    assert client.get(f"/fairs/{fair.id}/booths/review?type=²").status_code == 200
    assert client.get(f"/fairs/{fair.id}/booths/review?type={HUGE}").status_code == 200
    page = f"/fairs/{fair.id}/booths/review"
    assert post_form(page, {"ids": ["²", HUGE], "action": "approve"}).status_code == 200
    application = _app(db, fair, booth_type, Status.submitted)
    response = post_form(f"/booths/{application.id}/move-type", {"booth_type": HUGE}, page=page)
    assert response.status_code == 302
    for path, data in (("assign", {"booth": HUGE, "application": HUGE}), ("unassign", {"booth": HUGE}),
                       ("swap", {"booth": HUGE, "other": HUGE}), ("block", {"booth": HUGE, "blocked": "1"}),
                       ("delete", {"booth": HUGE})):
        response = post_form(f"/fairs/{fair.id}/booths/plan/{path}", data, page=page)
        assert response.status_code == 200, (path, response.status_code)  # the plan again, saying what is wrong
        assert "กรุณาคลิกเลือกบูธบนผังก่อน" in response.get_data(as_text=True), path


def test_a_nul_character_is_refused_not_a_500(client, db, login_as, post_form):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=5)
    org = create_org()
    login_as(create_user(org=org))
    response = post_form(f"/fairs/{fair.id}/booths/apply",
                         {"booth_type": booth_type.id, "show_text": "นิทรรศการ\x00", "people-0-first_name": "ก",
                          "action": "save"})
    # Refused on the field on every database (PostgreSQL could not even store it), the rest kept.
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "ข้อความมีอักขระควบคุมที่ใช้ไม่ได้" in html
    assert 'value="ก"' in html and db.session.query(Application).count() == 0


def test_the_waiting_list_is_not_jumped(db, app):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=1)
    first = _app(db, fair, booth_type, Status.waitlisted, waitlisted_at=utcnow())
    later = _app(db, fair, booth_type, Status.submitted)
    staff = create_user()
    with app.test_request_context():
        assert ops.approve_application(later, staff) == Status.waitlisted  # behind the one already waiting
        assert ops.approve_application(first, staff) == Status.approved
        db.session.commit()
    assert later.waitlist_position() == 1


def test_the_second_in_line_cannot_be_approved_past_the_first(db, app):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=1)
    _app(db, fair, booth_type, Status.waitlisted, waitlisted_at=utcnow())
    second = _app(db, fair, booth_type, Status.waitlisted, waitlisted_at=utcnow())
    with app.test_request_context(), pytest.raises(ops.NotFirstInLine):
        ops.approve_application(second, create_user())


def test_withdrawal_after_check_in_is_refused_and_audit_shows_the_booth_freed(db, app):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=2)
    org = create_org()
    member = create_user(org=org)
    here = _app(db, fair, booth_type, Status.approved, org=org, checked_in_at=utcnow())
    leaving = _app(db, fair, booth_type, Status.approved)
    db.session.add_all([Booth(fair_id=fair.id, booth_type_id=booth_type.id, code="A01", x=0, y=0, w=1, h=1,
                              application_id=here.id),
                        Booth(fair_id=fair.id, booth_type_id=booth_type.id, code="A02", x=1, y=0, w=1, h=1,
                              application_id=leaving.id)])
    db.session.commit()
    with app.test_request_context():
        with pytest.raises(ops.AlreadyCheckedIn):
            ops.withdraw_application(here, member)
        ops.withdraw_application(leaving, member)
        db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="booth.withdrawn").one()
    assert entry.before["booth"] == "A02" and entry.after["booth"] is None


def test_an_approved_application_cannot_be_emptied(db, app):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=2)
    org = create_org()
    member = create_user(org=org)
    application = _app(db, fair, booth_type, Status.approved, org=org)
    with app.test_request_context(), pytest.raises(ops.Incomplete):
        ops.save_application(application, fair=fair, org_id=org.id, booth_type=booth_type,
                             data={k: "" if k.endswith("text") or k == "needs_note" else False for k in ops.FIELDS},
                             people=[], actor=member)
    db.session.rollback()
    assert db.session.get(Application, application.id).show_text == "นิทรรศการ"


def test_the_limit_is_said_before_the_form_is_filled(client, db, login_as):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=5)
    org = create_org()
    _app(db, fair, booth_type, Status.submitted, org=org)
    db.session.add(BoothSetup(fair_id=fair.id, per_org_limit=1))
    db.session.commit()
    login_as(create_user(org=org))
    html = client.get(f"/fairs/{fair.id}/booths/apply").get_data(as_text=True)
    assert "ครบ 1 ใบแล้ว" in html


def test_the_edit_form_has_room_for_more_people(client, db, login_as):
    fair = create_fair()
    booth_type = _type(db, fair, capacity=5)
    org = create_org()
    application = _app(db, fair, booth_type, Status.submitted, org=org)
    application.people = [BoothPerson(position=i, first_name=f"คนที่{i}") for i in range(5)]
    db.session.commit()
    login_as(create_user(org=org))
    html = client.get(f"/booths/{application.id}/edit").get_data(as_text=True)
    assert 'name="people-6-first_name"' in html and 'name="people-7-first_name"' not in html


def test_an_offer_never_runs_past_the_fair_opening(db, app):
    from datetime import datetime, timedelta, timezone

    from fairapp.core.time import today_local
    fair = create_fair(starts_on=today_local() + timedelta(days=2))
    booth_type = _type(db, fair, capacity=1)
    db.session.add(BoothSetup(fair_id=fair.id, offer_hours=24 * 7))
    waiting = _app(db, fair, booth_type, Status.waitlisted, waitlisted_at=utcnow())
    with app.test_request_context():
        ops.offer_next(booth_type.id, None)
        db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status == Status.offered
    assert waiting.offer_expires_at <= datetime.combine(fair.starts_on, datetime.min.time(),
                                                        tzinfo=timezone(timedelta(hours=7))) + timedelta(seconds=1)
