"""Staff move an application to another booth type; a freed place goes to the waiting list."""
from fairapp.booths import operations as ops
from fairapp.booths.models import Application, Booth, BoothPerson, BoothType, Status
from fairapp.core.audit import AuditEntry
from tests.factories import create_fair, create_org, create_user, grant


def _setup(db):
    fair = create_fair()
    small = BoothType(fair_id=fair.id, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=1)
    big = BoothType(fair_id=fair.id, name_th="บูธคู่", size_label="6 x 3 ม.", capacity=1)
    db.session.add_all([small, big])
    db.session.flush()
    apps = []
    for i, status in enumerate([Status.approved, Status.waitlisted]):
        org = create_org(f"องค์กร {i}")
        app = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=small.id, status=status,
                          show_text="นิทรรศการ")
        app.people = [BoothPerson(first_name="สมชาย")]
        db.session.add(app)
        apps.append(app)
    db.session.flush()
    from fairapp.core.time import utcnow
    apps[1].waitlisted_at = utcnow()
    booth = Booth(fair_id=fair.id, booth_type_id=small.id, code="A01", x=0, y=0, w=1, h=1, application_id=apps[0].id)
    db.session.add(booth)
    db.session.commit()
    return fair, small, big, apps, booth


def test_moving_an_approved_application_frees_its_place_for_the_waiting_list(db, app):
    fair, small, big, (approved, waiting), booth = _setup(db)
    staff = create_user()
    with app.test_request_context():
        ops.move_to_type(approved, big, staff)
        db.session.commit()
    assert approved.booth_type_id == big.id and approved.status == Status.approved
    assert db.session.get(Booth, booth.id).application_id is None  # the old type's booth is released
    assert db.session.get(Application, waiting.id).status == Status.offered
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["booth.moved_type", "booth.offered"]


def test_moving_into_a_full_type_is_refused(db, app):
    fair, small, big, (approved, waiting), booth = _setup(db)
    other = Application(fair_id=fair.id, organization_id=create_org().id, booth_type_id=big.id,
                        status=Status.approved, show_text="x")
    db.session.add(other)
    db.session.commit()
    with app.test_request_context():
        try:
            ops.move_to_type(approved, big, create_user())
        except ops.TypeFull as exc:
            assert "บูธคู่" in str(exc)
        else:
            raise AssertionError("moved into a full type")


def test_move_through_the_page(client, db, login_as, post_form):
    fair, small, big, (approved, waiting), booth = _setup(db)
    staff = create_user()
    grant(fair, staff, "staff")
    login_as(staff)
    response = post_form(f"/booths/{approved.id}/move-type", {"booth_type": big.id}, page=f"/booths/{approved.id}")
    assert response.status_code == 302
    assert db.session.get(Application, approved.id).booth_type_id == big.id
    page = client.get(f"/booths/{approved.id}").get_data(as_text=True)
    assert "ย้ายไปประเภท บูธคู่ แล้ว" in page


def test_staff_decide_from_the_application_page(client, db, login_as, post_form):
    fair, small, big, (approved, waiting), booth = _setup(db)
    staff = create_user()
    grant(fair, staff, "staff")
    login_as(staff)
    response = post_form(f"/fairs/{fair.id}/booths/review",
                         {"ids": waiting.id, "action": "reject", "reason": "ไม่ตรงกับหัวข้องาน",
                          "next": f"/booths/{waiting.id}"}, page=f"/booths/{waiting.id}")
    assert response.headers["Location"] == f"/booths/{waiting.id}"
    rejected = db.session.get(Application, waiting.id)
    assert rejected.status == Status.rejected and rejected.rejection_reason == "ไม่ตรงกับหัวข้องาน"
