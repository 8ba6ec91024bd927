"""Nominators: who may nominate whom, narratives with autosave, submission when complete, resubmission."""
from datetime import timedelta

import pytest

from fairapp.accounts.models import Sector
from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.nominations import operations as ops
from fairapp.nominations.models import (Category, Evidence, Nomination, NominationEvent, NominationStatus,
                                        NominatorKind)
from tests.factories import create_fair, create_org, create_user, grant


def _category(db, fair, **over):
    today = today_local()
    values = dict(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาครัฐ", opens_on=today - timedelta(days=1),
                  closes_on=today + timedelta(days=10), nominator_kind=NominatorKind.both, max_per_nominator=2,
                  min_photos=1, min_pdfs=1, narrative_max_chars=200)
    values.update(over)
    category = Category(**values)
    db.session.add(category)
    db.session.commit()
    return category


def _evidence(db, nomination, kind, n=1):
    for i in range(n):
        db.session.add(Evidence(nomination_id=nomination.id, kind=kind, storage_key=f"{kind}{nomination.id}{i:030d}.{'pdf' if kind == 'pdf' else 'jpg'}"[-36:],
                                original_name=f"{kind}{i}", size_bytes=10, sha256="0" * 64))
    db.session.commit()


FULL = {k: "ชุมชนร่วมกันปลูกผักปลอดสารพิษและแบ่งปันให้ผู้สูงอายุ" for k in
        ("sufficiency", "discipline", "integrity", "volunteer", "gratitude", "outcomes")}


@pytest.fixture
def world(db, login_as):
    fair = create_fair()
    office = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย", sector=Sector.government)
    office.is_provincial_office = True
    school = create_org("โรงเรียนบ้านป่าซาง", sector=Sector.education)
    member = create_user("office@example.org", org=office)
    school_member = create_user("school@example.org", org=school)
    db.session.commit()
    return fair, office, school, member, school_member


def test_self_nomination_through_the_page(client, db, world, login_as, post_form):
    fair, office, school, member, _ = world
    category = _category(db, fair)
    login_as(member)
    response = post_form(f"/fairs/{fair.id}/nominations/new/{category.id}", {"nominee": "self"})
    assert response.status_code == 302
    nomination = db.session.query(Nomination).one()
    assert nomination.nominee_org_id == office.id and nomination.status == NominationStatus.draft
    assert response.headers["Location"].endswith(f"/nominations/{nomination.id}/edit")


def test_office_nominates_a_community(client, db, world, login_as, post_form):
    fair, office, *_ = world
    category = _category(db, fair, nominee_kind="community", nominator_kind=NominatorKind.office)
    login_as(world[3])
    response = post_form(f"/fairs/{fair.id}/nominations/new/{category.id}",
                         {"nominee": "community", "community_name": "ชุมชนบ้านป่าซาง", "community_village": "หมู่ 4",
                          "province": "57", "district": "5707"})
    assert response.status_code == 302
    nomination = db.session.query(Nomination).one()
    assert nomination.nominee_name() == "ชุมชนบ้านป่าซาง" and "แม่จัน" in nomination.nominee_place()


def test_community_district_must_be_in_its_province(client, db, world, login_as, post_form):
    fair = world[0]
    category = _category(db, fair, nominee_kind="community", nominator_kind=NominatorKind.office)
    login_as(world[3])
    html = post_form(f"/fairs/{fair.id}/nominations/new/{category.id}",
                     {"nominee": "community", "community_name": "ชุมชนบ้านป่าซาง", "province": "57",
                      "district": "1001"}).get_data(as_text=True)
    assert "อำเภอไม่อยู่ในจังหวัดที่เลือก" in html and 'value="ชุมชนบ้านป่าซาง"' in html
    assert db.session.query(Nomination).count() == 0


def test_only_offices_nominate_others(db, world, app):
    fair, office, school, member, school_member = world
    category = _category(db, fair, nominator_kind=NominatorKind.office)
    with app.test_request_context():
        with pytest.raises(ops.NotAllowedToNominate):
            ops.create_nomination(category, school, nominee_org=school, community=None, narratives={},
                                  actor=school_member)
        ops.create_nomination(category, office, nominee_org=school, community=None, narratives={}, actor=member)


@pytest.mark.parametrize("over,error", [
    ({"eligible_sectors": ["education"]}, ops.NotEligible),
    ({"eligible_provinces": ["10"]}, ops.NotEligible),
    ({"closes_on": today_local() - timedelta(days=1)}, ops.WindowClosed),
])
def test_conditions_of_the_category(db, world, app, over, error):
    fair, office, school, member, _ = world
    category = _category(db, fair, **over)
    with app.test_request_context():
        with pytest.raises(error):
            ops.create_nomination(category, office, nominee_org=office, community=None, narratives={}, actor=member)


def test_limit_per_nominator(db, world, app):
    fair, office, school, member, _ = world
    category = _category(db, fair, max_per_nominator=1)
    with app.test_request_context():
        ops.create_nomination(category, office, nominee_org=office, community=None, narratives={}, actor=member)
        with pytest.raises(ops.LimitReached):
            ops.create_nomination(category, office, nominee_org=school, community=None, narratives={}, actor=member)


def _draft(db, world, app, **over):
    fair, office, school, member, _ = world
    category = _category(db, fair, **over)
    with app.test_request_context():
        nomination = ops.create_nomination(category, office, nominee_org=office, community=None, narratives={},
                                           actor=member)
        db.session.commit()
    return nomination


def test_autosave_keeps_what_was_typed(client, db, world, app, login_as):
    nomination = _draft(db, world, app)
    login_as(world[3])
    from tests.conftest import csrf_token_from
    token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
    response = client.post(f"/nominations/{nomination.id}/autosave", json={"sufficiency": "ปลูกผักสวนครัว"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["ok"]
    db.session.refresh(nomination)
    assert nomination.narratives["sufficiency"] == "ปลูกผักสวนครัว"
    # No token: refused, nothing saved.
    response = client.post(f"/nominations/{nomination.id}/autosave", json={"sufficiency": "อื่น"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    db.session.refresh(nomination)
    assert nomination.narratives["sufficiency"] == "ปลูกผักสวนครัว"
    # Too long: a clear message, nothing saved.
    response = client.post(f"/nominations/{nomination.id}/autosave", json={"discipline": "ก" * 201},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 409 and "ยาวเกิน 200" in response.get_json()["message"]
    # Garbage: 400, not 500.
    assert client.post(f"/nominations/{nomination.id}/autosave", data="[1,2",
                       headers={"X-CSRFToken": token, "Content-Type": "application/json"}).status_code == 400


def test_submit_says_what_is_missing_then_goes_through(db, world, app):
    nomination = _draft(db, world, app, min_photos=2, min_pdfs=1)
    member = world[3]
    with app.test_request_context():
        with pytest.raises(ops.Incomplete) as missing:
            ops.submit_nomination(nomination, member)
        text = str(missing.value)
        assert "พอเพียง" in text and "รูปภาพอีก 2 รูป" in text and "ไฟล์ PDF อีก 1 ไฟล์" in text
        ops.save_narratives(nomination, FULL, member)
        _evidence(db, nomination, "photo", 2)
        _evidence(db, nomination, "pdf", 1)
        db.session.refresh(nomination)
        ops.submit_nomination(nomination, member)
        db.session.commit()
    assert nomination.status == NominationStatus.submitted
    with app.test_request_context():
        with pytest.raises(ops.NotEditable):
            ops.save_narratives(nomination, {"sufficiency": "แก้"}, member)


def test_returned_nomination_is_fixed_and_resubmitted_with_history(db, world, app):
    nomination = _draft(db, world, app, min_photos=0, min_pdfs=0)
    member, staff = world[3], create_user()
    with app.test_request_context():
        ops.save_narratives(nomination, FULL, member)
        ops.submit_nomination(nomination, member)
        ops.return_for_correction(nomination, "กรุณาเพิ่มจำนวนครัวเรือน", staff)
        ops.save_narratives(nomination, {"outcomes": "ครัวเรือน 120 หลังเข้าร่วม"}, member)
        ops.submit_nomination(nomination, member)
        db.session.commit()
    actions = [e.action for e in db.session.query(NominationEvent).order_by(NominationEvent.id)]
    assert actions == ["created", "saved", "submitted", "returned", "saved", "resubmitted"]
    returned = db.session.query(NominationEvent).filter_by(action="returned").one()
    assert returned.comment == "กรุณาเพิ่มจำนวนครัวเรือน"
    assert db.session.query(AuditEntry).filter_by(action="nomination.returned").one().actor_id == staff.id


def test_other_organizations_never_see_a_nomination(client, db, world, app, login_as):
    nomination = _draft(db, world, app)
    login_as(world[4])  # the school's member
    for url in (f"/nominations/{nomination.id}", f"/nominations/{nomination.id}/edit"):
        assert client.get(url).status_code == 404


def test_delete_a_draft(client, db, world, app, login_as, post_form):
    nomination = _draft(db, world, app)
    login_as(world[3])
    response = post_form(f"/nominations/{nomination.id}/delete", {}, page="/password/forgot")
    assert response.status_code == 302
    assert db.session.query(Nomination).count() == 0


def test_the_categories_page_lists_my_nominations(client, db, world, app, login_as):
    nomination = _draft(db, world, app)
    login_as(world[3])
    html = client.get(f"/fairs/{world[0].id}/nominations").get_data(as_text=True)
    mine = html[html.index('id="my-nominations"'):]
    mine = mine[:mine.index("</ul>")]
    assert f'href="/nominations/{nomination.id}"' in mine and "องค์กรคุณธรรมต้นแบบ ภาครัฐ" in mine
    assert "ฉบับร่าง" in mine


def test_autosave_refuses_control_and_bidi_characters(client, db, world, app, login_as):
    """A JSON body is held to the forms' rule in one place (core.text): 400 with the envelope, nothing saved."""
    from tests.conftest import csrf_token_from
    nomination = _draft(db, world, app)
    login_as(world[3])
    token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
    for text in ("\u202eงานยีศ", "ปลูกผัก\x00", "ก\x1b[31m"):
        response = client.post(f"/nominations/{nomination.id}/autosave", json={"sufficiency": text},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 400, text
        assert response.get_json()["code"] == "unclean_text"
    # A narrative is many lines: line breaks are fine there.
    response = client.post(f"/nominations/{nomination.id}/autosave", json={"sufficiency": "บรรทัดแรก\r\nบรรทัดสอง"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    db.session.refresh(nomination)
    assert nomination.narratives["sufficiency"] == "บรรทัดแรก\r\nบรรทัดสอง"
