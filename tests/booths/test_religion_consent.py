"""PDPA s.26 in the booth form: a monastic title of one of the booth's people (religious belief) is kept
only with the explicit consent ticked beside the people; the DPO's page flags sensitive data kept from
before the forms asked."""
from __future__ import annotations

from sqlalchemy import select

from fairapp.booths.models import Application
from tests.booths.factories import create_booth_type
from tests.factories import create_fair, create_org, create_user


def _form(booth_type, **extra):
    return {"booth_type": str(booth_type.id), "show_text": "ผ้าทอมือ", "people-0-first_name": "ก้องภพ",
            "people-1-title": "พระมหา", "people-1-first_name": "สมชาย", "action": "save", **extra}


def test_a_monastic_title_needs_the_explicit_consent_and_leaving_it_clears_it(app, client, db, login_as, post_form):
    fair, org = create_fair(), create_org()
    booth_type = create_booth_type(fair)
    login_as(create_user(org=org))
    url = f"/fairs/{fair.id}/booths/apply"
    refused = post_form(url, _form(booth_type))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "ข้อมูลความเชื่อทางศาสนา" in html and 'id="religion_consent-error"' in html
    assert 'value="พระมหา"' in html and db.session.scalar(select(Application)) is None  # kept, nothing saved
    assert post_form(url, _form(booth_type, religion_consent="y")).status_code == 302
    application = db.session.scalar(select(Application))
    assert application.religion_consent_at is not None and application.people[1].title == "พระมหา"
    edit = f"/booths/{application.id}/edit"
    assert '<input checked id="religion_consent" name="religion_consent"' in client.get(edit).get_data(as_text=True)
    lay = _form(booth_type)
    lay["people-1-title"] = "นาย"
    assert post_form(edit, lay).status_code == 302  # no monastic title left: the consent goes too
    db.session.refresh(application)
    assert application.religion_consent_at is None


def test_the_dpo_page_flags_sensitive_data_kept_without_consent(app, client, db, login_as):
    fair, org = create_fair(), create_org()
    booth_type = create_booth_type(fair)
    creator = create_user(org=org)
    db.session.add(Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                               needs_wheelchair=True, created_by_id=creator.id))  # from before 0019
    monk = create_user("monk@example.org", title="พระครู", first_name="สุธรรม")  # from before 0024
    dpo = create_user("dpo@example.org")
    dpo.is_dpo = True
    db.session.commit()
    login_as(dpo)
    html = client.get("/privacy/dpo").get_data(as_text=True)
    assert "ความต้องการทางลาดในใบสมัครบูธ 1 ใบ" in html and "สมณศักดิ์ในบัญชีผู้ใช้ 1 บัญชี" in html
    monk.religion_consent_at = monk.created_at
    db.session.commit()
    assert "สมณศักดิ์ในบัญชีผู้ใช้" not in client.get("/privacy/dpo").get_data(as_text=True)


def test_a_ramp_without_recorded_consent_stays_out_of_the_exports(app, client, db, login_as):
    import csv
    import io

    from tests.booths.factories import create_application, create_booth
    from tests.factories import grant
    from fairapp.booths.models import Status
    from fairapp.core.time import utcnow

    fair = create_fair()
    booth_type = create_booth_type(fair, capacity=3)
    old = create_application(fair, create_org("ชุมชนก่อนขอความยินยอม"), booth_type, Status.approved,
                             needs_wheelchair=True)                       # from before the form asked
    new = create_application(fair, create_org("ชุมชนที่ให้ความยินยอม"), booth_type, Status.approved,
                             needs_wheelchair=True, access_consent_at=utcnow())
    create_booth(fair, booth_type, "A01", application=old)
    create_booth(fair, booth_type, "A02", application=new)
    staff = create_user("staff@example.org")
    grant(fair, staff, "staff")
    login_as(staff)
    for name, column in (("applications.csv", "ทางลาดรถเข็น"), ("allocations.csv", "ความต้องการ")):
        raw = client.get(f"/fairs/{fair.id}/booths/export/{name}").data.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(raw, newline="")))
        by_org = {row["องค์กร"]: row[column] for row in rows}
        assert by_org["ชุมชนที่ให้ความยินยอม"] in ("ใช่", "ทางลาดรถเข็น")
        assert by_org["ชุมชนก่อนขอความยินยอม"] == ""
