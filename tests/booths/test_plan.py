"""The floor plan: plan_ops rules, who may see and change what, allocating through the plan's forms,
the public page and its PDF (Thai extractable with pdftotext), and queries that do not grow with booths."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from fairapp.booths import plan_ops, plan_render
from fairapp.booths.models import Application, Booth, BoothSetup, BoothType, Status
from fairapp.core.audit import AuditEntry
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work
from fairapp.core.uploads import UploadRefused
from werkzeug.datastructures import FileStorage
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant

ORG_TH = "สำนักงานวัฒนธรรมจังหวัดเชียงราย"
ORG_EN = "Chiang Rai Provincial Cultural Office"


@pytest.fixture(autouse=True)
def request_ctx(app, db):
    """Operations translate their messages: they run inside a request, as in the views."""
    with app.test_request_context():
        yield


# ---- data ----

def make_type(db, fair, name="บูธมาตรฐาน", capacity=50, sort_order=0) -> BoothType:
    booth_type = BoothType(fair_id=fair.id, name_th=name, size_label="3 x 3 ม.", capacity=capacity,
                           sort_order=sort_order)
    db.session.add(booth_type)
    db.session.commit()
    return booth_type


def make_app(db, fair, org, booth_type, status=Status.approved) -> Application:
    application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                              status=status, show_text="นิทรรศการ")
    db.session.add(application)
    db.session.commit()
    return application


def make_booth(db, fair, booth_type, code, x, y, w=2, h=2, blocked=False, application=None) -> Booth:
    booth = Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=code, zone=code[0], x=x, y=y, w=w, h=h,
                  blocked=blocked, application_id=application.id if application else None)
    db.session.add(booth)
    db.session.commit()
    return booth


@pytest.fixture
def fair(db):
    return create_fair()


@pytest.fixture
def staff(db, fair):
    user = create_user()
    grant(fair, user, "staff")
    return user


@pytest.fixture
def plan_world(db, fair):
    """Two booth types, booths A01-A03 (standard) and B01 (double), approved applications waiting."""
    standard = make_type(db, fair)
    double = make_type(db, fair, "บูธคู่", sort_order=1)
    culture = create_org(ORG_TH, name_en=ORG_EN)
    temple = create_org("วัดพระธาตุดอยตุง")
    school = create_org("โรงเรียนสามัคคีวิทยาคม")
    booths = {code: make_booth(db, fair, standard, code, 2 * i, 0) for i, code in enumerate(("A01", "A02", "A03"))}
    booths["B01"] = make_booth(db, fair, double, "B01", 0, 4, w=4)
    apps = {"culture": make_app(db, fair, culture, standard), "temple": make_app(db, fair, temple, standard),
            "school": make_app(db, fair, school, double),
            "submitted": make_app(db, fair, create_org("ชุมชนบ้านป่าซาง"), standard, Status.submitted)}
    return {"standard": standard, "double": double, "booths": booths, "apps": apps, "orgs": [culture, temple, school]}


def plan_url(fair, booth=None) -> str:
    return f"/fairs/{fair.id}/booths/plan" + (f"?booth={booth.id}" if booth else "")


def audit_actions(db) -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# ---- plan_ops: the rules ----

def test_create_booth_checks_grid_overlap_and_code(db, fair, staff):
    booth_type = make_type(db, fair)
    booth = plan_ops.create_booth(fair, booth_type, "a07", "A", 0, 0, 2, 2, staff)
    db.session.commit()
    assert booth.code == "A07" and (booth.x, booth.y, booth.w, booth.h) == (0, 0, 2, 2)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.created")).one()
    assert entry.after["code"] == "A07" and entry.actor_id == staff.id

    with pytest.raises(plan_ops.OutsideGrid):
        plan_ops.create_booth(fair, booth_type, "A08", "", 23, 0, 2, 2, staff)  # 24 columns by default
    with pytest.raises(plan_ops.OutsideGrid):
        plan_ops.create_booth(fair, booth_type, "A08", "", 0, 15, 1, 2, staff)  # 16 rows
    with pytest.raises(plan_ops.OutsideGrid):
        plan_ops.create_booth(fair, booth_type, "A08", "", -1, 0, 1, 1, staff)
    with pytest.raises(plan_ops.BoothOverlap) as overlap:
        plan_ops.create_booth(fair, booth_type, "A08", "", 1, 1, 2, 2, staff)
    assert "A07" in str(overlap.value)
    plan_ops.create_booth(fair, booth_type, "A08", "", 2, 0, 2, 2, staff)  # touching is not overlapping
    with pytest.raises(plan_ops.BoothCodeTaken):
        plan_ops.create_booth(fair, booth_type, "A07", "", 10, 10, 1, 1, staff)
    for bad in ("7A", "A-1", "", "ก01", "A", "ABCDEFGHIJK12"):
        with pytest.raises(plan_ops.InvalidBoothCode):
            plan_ops.create_booth(fair, booth_type, bad, "", 10, 10, 1, 1, staff)


def test_the_same_code_in_another_fair_is_fine(db, fair, staff):
    other = create_fair()
    plan_ops.create_booth(fair, make_type(db, fair), "A01", "", 0, 0, 1, 1, staff)
    plan_ops.create_booth(other, make_type(db, other), "A01", "", 0, 0, 1, 1, staff)
    db.session.commit()
    with pytest.raises(plan_ops.WrongFair):
        plan_ops.create_booth(fair, db.session.scalars(select(BoothType).where(BoothType.fair_id == other.id)).one(),
                              "A02", "", 5, 5, 1, 1, staff)


def test_unique_constraint_is_mapped_to_the_named_error(db, fair, staff, monkeypatch):
    """Two requests racing for one code: the database's unique constraint answers BoothCodeTaken."""
    booth_type = make_type(db, fair)
    make_booth(db, fair, booth_type, "A01", 0, 0)
    monkeypatch.setattr(plan_ops, "_check_code_free", lambda *args, **kwargs: None)
    with pytest.raises(plan_ops.BoothCodeTaken):
        plan_ops.create_booth(fair, booth_type, "A01", "", 10, 10, 1, 1, staff)


def test_update_booth_moves_resizes_recodes_and_retypes(db, fair, staff, plan_world):
    a01, a02 = plan_world["booths"]["A01"], plan_world["booths"]["A02"]
    plan_ops.update_booth(a01, staff, x=0, y=1)  # overlaps only itself
    with pytest.raises(plan_ops.BoothOverlap):
        plan_ops.update_booth(a01, staff, w=3)  # into A02
    with pytest.raises(plan_ops.BoothCodeTaken):
        plan_ops.update_booth(a01, staff, code="A02")
    with pytest.raises(plan_ops.OutsideGrid):
        plan_ops.update_booth(a01, staff, x=23)
    plan_ops.update_booth(a01, staff, code="A10", zone="โถงกลาง", booth_type=plan_world["double"])
    db.session.commit()
    assert (a01.code, a01.zone, a01.booth_type_id, a01.y) == ("A10", "โถงกลาง", plan_world["double"].id, 1)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.changed")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.before["code"] == "A01" and entry.after["code"] == "A10"
    # An occupied booth keeps its type.
    a02.application_id = plan_world["apps"]["culture"].id
    db.session.commit()
    with pytest.raises(plan_ops.RetypeOccupied):
        plan_ops.update_booth(a02, staff, booth_type=plan_world["double"])


def test_block_and_delete_only_empty_booths(db, fair, staff, plan_world):
    a01, a02 = plan_world["booths"]["A01"], plan_world["booths"]["A02"]
    a01.application_id = plan_world["apps"]["culture"].id
    db.session.commit()
    with pytest.raises(plan_ops.BoothOccupied):
        plan_ops.set_blocked(a01, True, staff)
    with pytest.raises(plan_ops.BoothNotEmpty):
        plan_ops.delete_booth(a01, staff)
    db.session.rollback()
    plan_ops.set_blocked(a02, True, staff)
    db.session.commit()
    assert db.session.get(Booth, a02.id).blocked and db.session.get(Booth, a02.id).state == "blocked"
    plan_ops.set_blocked(a02, False, staff)
    a02_id = a02.id
    plan_ops.delete_booth(a02, staff)
    db.session.commit()
    assert db.session.get(Booth, a02_id) is None
    assert audit_actions(db)[-3:] == ["booth.blocked", "booth.unblocked", "booth.deleted"]


def test_grid_size_and_image(db, fair, staff, plan_world):
    assert db.session.get(BoothSetup, fair.id) is None  # the defaults, not yet saved
    with pytest.raises(plan_ops.GridTooSmall) as small:
        plan_ops.set_plan_grid(fair, 3, 10, staff)  # A02 (x 2-4), A03 and B01 stick out
    assert "A02, A03, B01" in str(small.value)
    with pytest.raises(plan_ops.GridSizeInvalid):
        plan_ops.set_plan_grid(fair, 500, 10, staff)
    plan_ops.set_plan_grid(fair, 30, 12, staff)
    db.session.commit()
    with unit_of_work():
        first = plan_ops.set_plan_image(fair, FileStorage(io.BytesIO(_png()), "plan.png"), staff).plan_image_key
    with unit_of_work():
        second = plan_ops.set_plan_image(fair, FileStorage(io.BytesIO(_png(80)), "plan.png"), staff).plan_image_key
    assert not storage().exists(first) and storage().exists(second)  # the image replaced goes after the commit
    with pytest.raises(UploadRefused) as refused:
        plan_ops.set_plan_image(fair, FileStorage(io.BytesIO(b"not an image"), "plan.png"), staff)
    assert refused.value.field == "image"
    db.session.rollback()
    setup = db.session.get(BoothSetup, fair.id)
    assert (setup.plan_cols, setup.plan_rows, setup.plan_image_key) == (30, 12, second)
    assert audit_actions(db)[-3:] == ["booth.plan_grid_changed", "booth.plan_image_changed",
                                      "booth.plan_image_changed"]


def test_load_plan_states(db, fair, staff, plan_world):
    booths = plan_world["booths"]
    booths["A01"].application_id = plan_world["apps"]["culture"].id
    booths["A03"].blocked = True
    db.session.commit()
    plan = plan_render.load_plan(fair)
    states = {b.code: plan.states[b.id] for b in plan.booths}
    # temple (standard) still waits, so the free standard booth is "reserved"; school (double) waits too.
    assert states == {"A01": "assigned", "A02": "reserved", "A03": "blocked", "B01": "reserved"}
    assert [a.organization.name_th for a in plan.waiting] == ["วัดพระธาตุดอยตุง", "โรงเรียนสามัคคีวิทยาคม"]
    public = plan_render.load_plan(fair, waiting=False)
    assert public.states[booths["A02"].id] == "available"  # without the waiting list: nothing reserved


def test_labels_fit_their_booth():
    label = plan_render.fit_label("A01", ORG_TH, 2, 2)
    assert "".join(label.name_lines) == ORG_TH and len(label.name_lines) >= 2
    assert 0.2 <= label.name_size <= 0.42
    bottom = label.name_y[-1] + label.name_size * 0.35
    assert label.code_y > 0 and bottom < 2
    tiny = plan_render.fit_label("A01", ORG_TH * 3, 1, 1)
    assert all(line.endswith("…") for line in tiny.name_lines[-1:])
    assert plan_render.fit_label("A01", "", 1, 1).name_lines == ()


# ---- who may see and change what ----

POSTS = ("assign", "unassign", "swap", "block", "add", "edit", "delete", "grid", "image", "image/remove")


@pytest.fixture
def people(db, fair, staff, plan_world):
    member = create_user(org=plan_world["orgs"][0])
    judge = create_user()
    grant(fair, judge, "judge")
    other_staff = create_user()
    grant(create_fair(), other_staff, "staff")
    return {"member": member, "judge": judge, "staff": staff, "admin": create_user(admin=True),
            "other_staff": other_staff}


def _token(client) -> str:
    """A CSRF token of this client's session (the forgot-password form is open to everyone)."""
    return csrf_token_from(client.get("/password/forgot").get_data(as_text=True))


@pytest.mark.parametrize("who, get_status, post_status", [
    ("anonymous", 302, 302), ("member", 404, 404), ("judge", 403, 403), ("other_staff", 404, 404),
    ("staff", 200, 200), ("admin", 200, 200)])
def test_editor_is_for_the_fairs_staff_and_admins(client, login_as, fair, people, who, get_status, post_status):
    if who != "anonymous":
        login_as(people[who])
    response = client.get(plan_url(fair))
    assert response.status_code == get_status
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")
    token = _token(client)
    for action in POSTS:
        response = client.post(f"/fairs/{fair.id}/booths/plan/{action}", data={"csrf_token": token})
        expected = 302 if action == "image/remove" and post_status == 200 else post_status
        assert response.status_code == expected, f"{action} as {who}: {response.status_code}"
        if who == "anonymous":
            assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who", ["anonymous", "member", "judge", "staff", "admin"])
def test_public_plan_and_pdf_are_for_everyone(client, login_as, fair, people, who):
    if who != "anonymous":
        login_as(people[who])
    assert client.get(f"/fairs/{fair.id}/floorplan").status_code == 200
    response = client.get(f"/fairs/{fair.id}/floorplan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert client.get(f"/fairs/{fair.id}/floorplan/image").status_code == 404  # no image yet
    assert client.get("/fairs/999999/floorplan").status_code == 404
    assert client.get("/fairs/999999/floorplan.pdf").status_code == 404


def test_no_csrf_token_keeps_the_input_and_changes_nothing(client, login_as, fair, staff, plan_world, db):
    login_as(staff)
    before = audit_actions(db)
    response = client.post(f"/fairs/{fair.id}/booths/plan/add",
                           data={"code": "Z09", "booth_type": plan_world["standard"].id, "x": 20, "y": 10,
                                 "w": 1, "h": 1})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "แบบฟอร์มหมดอายุ" in body
    assert 'value="Z09"' in body
    assert audit_actions(db) == before
    assert db.session.scalar(select(Booth).where(Booth.code == "Z09")) is None


# ---- allocating through the plan's forms ----

def test_assign_an_approved_application(client, login_as, post_form, fair, staff, plan_world, db, outbox):
    login_as(staff)
    a02, culture = plan_world["booths"]["A02"], plan_world["apps"]["culture"]
    page = client.get(plan_url(fair, a02)).get_data(as_text=True)
    assert 'id="booth-panel"' in page and ORG_TH in page
    response = post_form(f"/fairs/{fair.id}/booths/plan/assign", {"booth": a02.id, "application": culture.id},
                         page=plan_url(fair, a02))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{plan_url(fair, a02)}#plan"
    assert db.session.get(Booth, a02.id).application_id == culture.id
    assert "booth.allocated" in audit_actions(db)
    page = client.get(plan_url(fair, a02)).get_data(as_text=True)
    assert f"จัดสรรบูธ A02 ให้ {ORG_TH} แล้ว" in page
    assert re.search(r'class="booth state-assigned selected" id="booth-%d"' % a02.id, page)


def test_assign_refusals_keep_the_choice(client, login_as, post_form, fair, staff, plan_world, db):
    login_as(staff)
    booths, apps = plan_world["booths"], plan_world["apps"]
    url = f"/fairs/{fair.id}/booths/plan/assign"

    # Not approved: the operation says so; the chosen application stays chosen.
    response = post_form(url, {"booth": booths["A01"].id, "application": apps["submitted"].id}, page=plan_url(fair))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "จัดสรรบูธได้เฉพาะใบสมัครที่อนุมัติแล้ว" in body
    assert f'<option value="{apps["submitted"].id}" selected>' in body
    assert f'name="booth" type="hidden" value="{booths["A01"].id}"' in body

    # A double booth's application in a standard booth.
    response = post_form(url, {"booth": booths["A01"].id, "application": apps["school"].id}, page=plan_url(fair))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "บูธ A01 เป็นบูธคนละประเภทกับที่สมัคร" in body
    assert re.search(r'<option value="%d" data-type="\d+" selected hidden disabled>' % apps["school"].id, body)

    # A booth someone already has.
    booths["A01"].application_id = apps["culture"].id
    db.session.commit()
    response = post_form(url, {"booth": booths["A01"].id, "application": apps["temple"].id}, page=plan_url(fair))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "บูธ A01 มีองค์กรอื่นอยู่แล้ว" in body
    assert re.search(r'<option value="%d" data-type="\d+" selected>' % apps["temple"].id, body)

    # No booth chosen, no application chosen.
    body = post_form(url, {}, page=plan_url(fair)).get_data(as_text=True)
    assert "กรุณาคลิกเลือกบูธบนผังก่อน" in body and "กรุณาเลือกใบสมัคร" in body
    assert db.session.get(Application, apps["temple"].id).booth is None
    assert "booth.allocated" not in audit_actions(db)


def test_swap_move_and_unassign(client, login_as, post_form, fair, staff, plan_world, db):
    login_as(staff)
    booths, apps = plan_world["booths"], plan_world["apps"]
    booths["A01"].application_id = apps["culture"].id
    booths["A02"].application_id = apps["temple"].id
    db.session.commit()
    swap = f"/fairs/{fair.id}/booths/plan/swap"

    response = post_form(swap, {"booth": booths["A01"].id, "other": booths["A02"].id}, page=plan_url(fair))
    assert response.status_code == 302
    assert (db.session.get(Booth, booths["A01"].id).application_id,
            db.session.get(Booth, booths["A02"].id).application_id) == (apps["temple"].id, apps["culture"].id)
    assert "สลับบูธ A01 กับ A02 แล้ว" in client.get(plan_url(fair)).get_data(as_text=True)

    # Move: the other booth is empty.
    response = post_form(swap, {"booth": booths["A02"].id, "other": booths["A03"].id}, page=plan_url(fair))
    assert response.status_code == 302
    assert db.session.get(Booth, booths["A03"].id).application_id == apps["culture"].id
    assert db.session.get(Booth, booths["A02"].id).application_id is None
    assert f"ย้าย {ORG_TH} จากบูธ A02 ไปบูธ A03 แล้ว" in client.get(plan_url(fair)).get_data(as_text=True)

    # A booth of another type: refused, the choice kept.
    response = post_form(swap, {"booth": booths["A03"].id, "other": booths["B01"].id}, page=plan_url(fair))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "บูธ B01 เป็นบูธคนละประเภทกับที่สมัคร" in body
    assert f'<option value="{booths["B01"].id}" data-type="{plan_world["double"].id}" selected' in body

    # Unassign: the application stays approved, waiting again.
    response = post_form(f"/fairs/{fair.id}/booths/plan/unassign", {"booth": booths["A03"].id}, page=plan_url(fair))
    assert response.status_code == 302
    assert db.session.get(Booth, booths["A03"].id).application_id is None
    assert db.session.get(Application, apps["culture"].id).status == Status.approved
    actions = audit_actions(db)
    assert actions.count("booth.swapped") == 3 and actions[-1] == "booth.unallocated"


def test_block_unblock_edit_add_delete_through_the_forms(client, login_as, post_form, fair, staff, plan_world, db):
    login_as(staff)
    booths, apps = plan_world["booths"], plan_world["apps"]
    base = f"/fairs/{fair.id}/booths/plan"
    booths["A01"].application_id = apps["culture"].id
    db.session.commit()

    body = post_form(f"{base}/block", {"booth": booths["A01"].id, "blocked": "1"}, page=plan_url(fair)).get_data(as_text=True)
    assert "บูธ A01 มีองค์กรอยู่ จึงปิดบูธไม่ได้" in body
    assert post_form(f"{base}/block", {"booth": booths["A02"].id, "blocked": "1"}, page=plan_url(fair)).status_code == 302
    assert db.session.get(Booth, booths["A02"].id).blocked
    assert post_form(f"{base}/block", {"booth": booths["A02"].id, "blocked": "0"}, page=plan_url(fair)).status_code == 302
    assert not db.session.get(Booth, booths["A02"].id).blocked

    # Add: an overlap is refused with what was typed kept; then a good one.
    data = {"code": "c01", "zone": "ลานหญ้า", "booth_type": plan_world["standard"].id, "x": 1, "y": 0, "w": 2, "h": 2}
    response = post_form(f"{base}/add", data, page=plan_url(fair))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "บูธ C01 ทับกับบูธ A01" in body
    assert 'value="c01"' in body and 'value="ลานหญ้า"' in body and '<details id="add-details" class="panel-box" open>' in body
    response = post_form(f"{base}/add", {**data, "x": 10, "y": 10, "w": "", "h": "2"}, page=plan_url(fair))
    assert response.status_code == 200 and "กรุณากรอกช่องนี้" in response.get_data(as_text=True)
    response = post_form(f"{base}/add", {**data, "x": 10, "y": 10}, page=plan_url(fair))
    assert response.status_code == 302
    c01 = db.session.scalar(select(Booth).where(Booth.fair_id == fair.id, Booth.code == "C01"))
    assert (c01.zone, c01.x, c01.y) == ("ลานหญ้า", 10, 10)

    # The edit form shows the chosen booth as it is.
    body = client.get(plan_url(fair, booths["B01"])).get_data(as_text=True)
    edit_form = body[body.index('id="edit-form"'):body.index('id="delete-form"')]
    assert f'<option selected value="{plan_world["double"].id}">' in edit_form
    assert re.search(r'<input [^>]*id="edit-code"[^>]* value="B01">', edit_form)
    assert re.search(r'<input [^>]*id="edit-w"[^>]* value="4">', edit_form)

    # Edit: a taken code is refused; then a move.
    edit = {"booth": c01.id, "code": "A02", "zone": "ลานหญ้า", "booth_type": plan_world["standard"].id,
            "x": 10, "y": 10, "w": 2, "h": 2}
    body = post_form(f"{base}/edit", edit, page=plan_url(fair)).get_data(as_text=True)
    assert "รหัสบูธ A02 มีอยู่แล้วในงานนี้" in body and '<details id="edit-details" open>' in body
    assert post_form(f"{base}/edit", {**edit, "code": "C01", "x": 12}, page=plan_url(fair)).status_code == 302
    assert db.session.get(Booth, c01.id).x == 12

    # Delete: not an occupied booth; an empty one.
    body = post_form(f"{base}/delete", {"booth": booths["A01"].id}, page=plan_url(fair)).get_data(as_text=True)
    assert "บูธ A01 มีองค์กรอยู่ จึงลบไม่ได้" in body
    c01_id = c01.id
    assert post_form(f"{base}/delete", {"booth": c01_id}, page=plan_url(fair)).status_code == 302
    assert db.session.get(Booth, c01_id) is None


def test_a_booth_of_another_fair_cannot_be_touched(client, login_as, post_form, fair, staff, plan_world, db):
    other = create_fair()
    foreign = make_booth(db, other, make_type(db, other), "A01", 0, 0)
    login_as(staff)
    body = post_form(f"/fairs/{fair.id}/booths/plan/block", {"booth": foreign.id, "blocked": "1"},
                     page=plan_url(fair)).get_data(as_text=True)
    assert "กรุณาคลิกเลือกบูธบนผังก่อน" in body
    assert not db.session.get(Booth, foreign.id).blocked
    assert client.get(f"/fairs/{fair.id}/booths/plan?booth={foreign.id}").status_code == 200


def _png(width=60, height=40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "lightblue").save(out, "PNG")
    return out.getvalue()


def test_grid_and_plan_image(client, login_as, post_form, fair, staff, plan_world, db, app):
    login_as(staff)
    base = f"/fairs/{fair.id}/booths/plan"
    body = post_form(f"{base}/grid", {"cols": 3, "rows": 10}, page=plan_url(fair)).get_data(as_text=True)
    assert "ผังขนาดนี้เล็กเกินไป" in body and 'value="3"' in body
    assert post_form(f"{base}/grid", {"cols": 30, "rows": 12}, page=plan_url(fair)).status_code == 302
    assert 'viewBox="-1 -1 31 13"' in client.get(plan_url(fair)).get_data(as_text=True)

    body = post_form(f"{base}/image", {"image": (io.BytesIO(b"not an image"), "plan.png")}, page=plan_url(fair),
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "ไม่ใช่รูปภาพ" in body
    response = post_form(f"{base}/image", {"image": (io.BytesIO(_png()), "plan.png")}, page=plan_url(fair),
                         content_type="multipart/form-data")
    assert response.status_code == 302
    key = db.session.get(BoothSetup, fair.id).plan_image_key
    with app.test_request_context():
        assert storage().exists(key)
    client.get("/logout")
    image = client.get(f"/fairs/{fair.id}/floorplan/image")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert f'href="/fairs/{fair.id}/floorplan/image?v={key[:8]}"' in client.get(f"/fairs/{fair.id}/floorplan").get_data(as_text=True)
    other = create_fair()
    assert client.get(f"/fairs/{other.id}/floorplan/image").status_code == 404

    login_as(staff)
    assert post_form(f"{base}/image/remove", {}, page=plan_url(fair)).status_code == 302
    assert db.session.get(BoothSetup, fair.id).plan_image_key is None
    with app.test_request_context():
        assert not storage().exists(key)  # the old file goes once the change is committed


# ---- the public plan ----

def test_public_plan_shows_who_is_where(client, fair, plan_world, db):
    booths, apps = plan_world["booths"], plan_world["apps"]
    booths["A02"].application_id = apps["culture"].id
    booths["A01"].application_id = apps["temple"].id
    booths["A03"].blocked = True
    db.session.commit()
    body = client.get(f"/fairs/{fair.id}/floorplan").get_data(as_text=True)
    assert ORG_TH in body and "วัดพระธาตุดอยตุง" in body
    index = body[body.index('id="plan-index"'):]
    assert index.index("A01") < index.index("A02") < index.index(ORG_TH)  # by code
    assert "โรงเรียนสามัคคีวิทยาคม" not in index  # approved but not placed: not on the public plan
    assert 'class="booth state-blocked" id="booth-A03"' in body
    assert 'class="booth state-available" id="booth-B01"' in body  # never "reserved" in public
    assert "<script>" not in body and "style=" not in body

    client.set_cookie("lang", "en")
    body = client.get(f"/fairs/{fair.id}/floorplan").get_data(as_text=True)
    assert ORG_EN in body and "วัดพระธาตุดอยตุง" in body  # no English name: the Thai one


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_has_the_thai_names_as_text(client, fair, plan_world, db, tmp_path):
    booths, apps = plan_world["booths"], plan_world["apps"]
    booths["A01"].application_id = apps["culture"].id
    booths["B01"].application_id = apps["school"].id
    db.session.commit()
    response = client.get(f"/fairs/{fair.id}/floorplan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('inline; filename="floorplan.pdf"')
    path = tmp_path / "floorplan.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert ORG_TH in text  # exactly, in one piece (the index lists it whole)
    assert "โรงเรียนสามัคคีวิทยาคม" in text
    assert "A01" in text and "B01" in text and fair.name_th in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2", pages) and "841.89 x 595.276" in pages  # A4 landscape

    client.set_cookie("lang", "en")
    path.write_bytes(client.get(f"/fairs/{fair.id}/floorplan.pdf").data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout
    assert ORG_EN in " ".join(text.split())  # whole, even when wrapped over lines


# ---- queries do not grow with the plan ----

def _fill(db, fair, n_booths, n_apps):
    booth_type = make_type(db, fair, f"ประเภท {n_booths}", capacity=1000)
    apps = [make_app(db, fair, create_org(), booth_type) for _ in range(n_apps)]
    for i in range(n_booths):
        application = apps[i] if i < n_apps // 2 else None
        make_booth(db, fair, booth_type, f"Q{i + 1:02d}", (i % 10) * 2, (i // 10) * 2, application=application)


def test_query_counts_do_not_grow_with_booths(client, login_as, count_queries, db, staff):
    small, large = create_fair(), create_fair()
    _fill(db, small, 3, 2)
    _fill(db, large, 40, 30)
    admin = create_user(admin=True)
    login_as(admin)
    counts = {}
    for name, fair in (("small", small), ("large", large)):
        for page in ("/fairs/{id}/booths/plan", "/fairs/{id}/floorplan", "/fairs/{id}/floorplan.pdf"):
            url = page.format(id=fair.id)
            with count_queries() as n:
                assert client.get(url).status_code == 200
            counts[(name, page)] = n[0]
    for page in ("/fairs/{id}/booths/plan", "/fairs/{id}/floorplan", "/fairs/{id}/floorplan.pdf"):
        assert counts[("small", page)] == counts[("large", page)], counts
        assert counts[("large", page)] <= 10, counts


def test_an_empty_fair(client, login_as, fair, staff):
    """No booth types, no booths: the editor says where to start; the public pages still answer."""
    login_as(staff)
    body = client.get(plan_url(fair)).get_data(as_text=True)
    assert "ยังไม่มีประเภทบูธ" in body and f"/fairs/{fair.id}/booths/setup" in body
    body = client.get(f"/fairs/{fair.id}/floorplan").get_data(as_text=True)
    assert "ยังไม่ได้วางผังบูธ" in body and "ยังไม่มีองค์กรที่ได้รับการจัดสรรบูธ" in body
    assert client.get(f"/fairs/{fair.id}/floorplan.pdf").status_code == 200


# ---- staff placing booths on the same spot at once ----

def test_racing_booths_on_one_spot_leave_one(app, db, fair, staff, thread_sessions_for):
    """The overlap check reads the other booths; the fair's row lock makes racing requests take turns (on
    SQLite, each unit of work's BEGIN IMMEDIATE)."""
    from fairapp.accounts.models import User
    from fairapp.fairs.models import Fair
    from tests.race import on_sqlite, race

    booth_type = make_type(db, fair)
    ids = (fair.id, staff.id, booth_type.id)  # read here: the test's own objects stay in this thread
    n = 4 if on_sqlite() else 8

    def prepare():
        return (db.session.get(Fair, ids[0]), db.session.get(BoothType, ids[2]), db.session.get(User, ids[1]))

    def place(i):
        def act(p):
            the_fair, the_type, actor = p
            plan_ops.create_booth(the_fair, the_type, f"R{i + 1:02d}", "", 4, 4, 2, 2, actor)
            return "created"
        return prepare, act

    outcomes = race([place(i) for i in range(n)], app=app, sessions=thread_sessions_for(n))
    outcomes = ["overlap" if isinstance(o, plan_ops.BoothOverlap) else o if isinstance(o, str) else repr(o)
                for o in outcomes]
    assert sorted(outcomes) == ["created"] + ["overlap"] * (n - 1)
    assert len(db.session.scalars(select(Booth).where(Booth.fair_id == ids[0])).all()) == 1
