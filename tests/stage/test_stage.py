"""Stage mode (issue 16): who may reach it, the slides' order, moving the shared position (next / back /
jump, bounds, CSRF), the state JSON, the certificates' printed flags, the photo with consent, and a fixed
number of queries whatever the number of awardees."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from fairapp.booths.models import Status
from fairapp.certificates import operations as cert_ops
from fairapp.certificates import printing
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work
from fairapp.judging.models import Result
from fairapp.nominations.models import Category
from fairapp.privacy.consents import set_consent
from fairapp.stage import queries
from fairapp.stage.models import StagePosition
from tests.booths.factories import create_application, create_booth_type
from tests.certificates.world import build_cert_world
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_user, grant


@pytest.fixture
def w(db):
    """The certificates' world, its third result without an award level: two awardees on stage."""
    w = build_cert_world(db)
    last = db.session.scalars(select(Result).where(Result.rubric_id == w.rubric.id)
                              .order_by(Result.position.desc())).first()
    last.level_th = None
    db.session.commit()
    return w


def _url(w, tail=""):
    return f"/fairs/{w.fair.id}/stage{tail}"


def _awarded(db, w):
    return [r for r in db.session.scalars(select(Result).where(Result.rubric_id == w.rubric.id)
                                          .order_by(Result.position)) if r.level_th]


def _post(client, w, **data):
    token = csrf_token_from(client.get(_url(w, "/control")).get_data(as_text=True))
    return client.post(_url(w, "/control"), data={**data, "csrf_token": token})


def _index(client, w):
    return client.get(_url(w, "/state")).get_json()["index"]


# ---- who ----

@pytest.mark.parametrize("tail", ["", "/state", "/control"])
def test_staff_and_admin_see_the_stage(client, login_as, w, tail):
    for user in (w.staff, w.admin):
        login_as(user)
        assert client.get(_url(w, tail)).status_code == 200


@pytest.mark.parametrize("tail", ["", "/state", "/control"])
def test_others_are_refused_as_on_other_staff_pages(client, login_as, w, tail):
    assert client.get(_url(w, tail)).status_code == 302  # the login page
    for user, status in ((w.judge1, 403), (w.chair, 403), (w.member, 404), (w.other_staff, 404)):
        login_as(user)
        assert client.get(_url(w, tail)).status_code == status, user.email


def test_a_missing_fair_is_not_found(client, login_as, w):
    login_as(w.admin)
    assert client.get("/fairs/999999/stage").status_code == 404
    assert client.get("/fairs/999999/stage/control").status_code == 404


def test_other_fairs_staff_cannot_move_it(client, login_as, w, db):
    login_as(w.other_staff)
    token = csrf_token_from(client.get(f"/fairs/{w.other_fair.id}/stage/control").get_data(as_text=True))
    assert client.post(_url(w, "/control"), data={"action": "next", "csrf_token": token}).status_code == 404
    assert db.session.get(StagePosition, w.fair.id) is None


# ---- the slides ----

def test_slides_are_the_cover_then_awardees_in_certificate_order(client, login_as, w, db):
    later = Category(fair_id=w.fair.id, name_th="ประเภทที่ยังไม่สรุปผล", opens_on=w.category.opens_on,
                     closes_on=w.category.closes_on)
    db.session.add(later)
    db.session.commit()
    login_as(w.staff)
    html = client.get(_url(w)).get_data(as_text=True)
    awarded = _awarded(db, w)
    assert len(awarded) == 2
    names = [db.session.get(type(w.noms[0]), r.nomination_id).nominee_name("th") for r in awarded]
    positions = [html.index(f'id="slide-{i}"') for i in range(len(awarded) + 1)]
    assert positions == sorted(positions)
    assert html.index(w.fair.name_th) < positions[1]
    for i, (result, name) in enumerate(zip(awarded, names), start=1):
        section = html[positions[i]:positions[i + 1] if i < len(awarded) else None]
        assert name in section and result.level_th in section and w.category.name_th in section
    assert 'id="slide-3"' not in html  # the result without a level is not on stage
    assert "ประเภทที่ยังไม่สรุปผล" not in html
    # the same order as the awardee certificates
    from fairapp.certificates.candidates import awardee_candidates
    with client.application.test_request_context():
        assert [c.holder_name for c in sorted(awardee_candidates(w.category), key=lambda c: c.stage_order)] == names


def test_only_the_current_slide_is_shown(client, login_as, w):
    login_as(w.staff)
    html = client.get(_url(w)).get_data(as_text=True)
    assert re.search(r'id="slide-0"\s*>', html) and 'id="slide-1" hidden' in html
    _post(client, w, action="next")
    html = client.get(_url(w)).get_data(as_text=True)
    assert 'id="slide-0" hidden' in html and re.search(r'id="slide-1"\s*>', html)


def test_a_fair_without_finalized_categories_has_only_its_cover(client, login_as, w):
    login_as(w.other_staff)
    html = client.get(f"/fairs/{w.other_fair.id}/stage").get_data(as_text=True)
    assert 'id="slide-0"' in html and 'id="slide-1"' not in html
    assert client.get(f"/fairs/{w.other_fair.id}/stage/state").get_json() == {"ok": True, "index": 0, "count": 0}


# ---- moving ----

def test_next_back_jump_move_the_shared_position_within_bounds(client, login_as, w, db):
    login_as(w.staff)
    assert _index(client, w) == 0
    assert _post(client, w, action="back").status_code == 303
    assert _index(client, w) == 0
    _post(client, w, action="next")
    assert _index(client, w) == 1
    _post(client, w, action="next")
    _post(client, w, action="next")
    assert _index(client, w) == 2  # the last awardee
    _post(client, w, action="back")
    assert _index(client, w) == 1
    _post(client, w, action="jump", to="2")
    assert _index(client, w) == 2
    _post(client, w, action="jump", to="99")
    assert _index(client, w) == 2
    _post(client, w, action="jump", to="-5")
    assert _index(client, w) == 0
    assert db.session.get(StagePosition, w.fair.id).index == 0
    assert _post(client, w, action="dance").status_code == 400
    assert _post(client, w, action="jump").status_code == 400


def test_another_staff_member_sees_the_same_position(client, login_as, w, db):
    colleague = create_user("colleague@example.org")
    grant(w.fair, colleague, "staff")
    db.session.commit()
    login_as(w.staff)
    _post(client, w, action="next")
    login_as(colleague)
    assert _index(client, w) == 1
    assert 'id="now"' in client.get(_url(w, "/control")).get_data(as_text=True)


def test_moving_needs_the_csrf_token(client, login_as, w, db):
    login_as(w.staff)
    assert client.post(_url(w, "/control"), data={"action": "next"}).status_code == 400
    assert client.post(_url(w, "/control"), data={"action": "next", "csrf_token": "x"}).status_code == 400
    assert db.session.get(StagePosition, w.fair.id) is None


def test_state_json(client, login_as, w):
    login_as(w.staff)
    response = client.get(_url(w, "/state"))
    assert response.get_json() == {"ok": True, "index": 0, "count": 2}
    assert "no-store" in response.headers["Cache-Control"]
    _post(client, w, action="jump", to="2")
    assert client.get(_url(w, "/state")).get_json() == {"ok": True, "index": 2, "count": 2}


# ---- certificates printed ----

def test_control_shows_whether_each_certificate_is_printed(client, login_as, w, db, app):
    login_as(w.staff)
    html = client.get(_url(w, "/control")).get_data(as_text=True)
    assert html.count("ยังไม่ออกเกียรติบัตร") == 2
    with app.test_request_context(), unit_of_work():
        from fairapp.certificates.candidates import candidates_for
        from fairapp.fairs.models import Fair
        fair = db.session.get(Fair, w.fair.id)
        issued, _ = cert_ops.issue(fair, candidates_for(fair, "awardee", category=db.session.get(
            Category, w.category.id)), db.session.get(type(w.staff), w.staff.id))
        printing.print_certificates([issued[0]], db.session.get(type(w.staff), w.staff.id), "single")
        first, second = issued[0].id, issued[1].id
    html = client.get(_url(w, "/control")).get_data(as_text=True)
    slides = html.split('data-index="')[1:]
    assert "พิมพ์แล้ว 1 ฉบับ" in slides[0] and f"/certificates/{first}" in slides[0]
    assert "ยังไม่พิมพ์" in slides[1] and f"/certificates/{second}" in slides[1]


# ---- the photo ----

def _photo_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 60)).save(out, "JPEG")
    return out.getvalue()


def test_photo_only_with_its_makers_consent(client, login_as, w, db, app):
    first = db.session.get(type(w.noms[0]), _awarded(db, w)[0].nomination_id)
    org = first.nominee_org
    maker = create_user("maker@example.org", org=org)
    application = create_application(w.fair, org, w.booth_type, Status.approved)
    application.created_by_id = maker.id
    with app.test_request_context():
        application.photo_key = storage().save(_photo_bytes(), "jpg")
    db.session.commit()
    login_as(w.staff)
    photo_url = f"/fairs/{w.fair.id}/stage/photo/{application.id}"
    assert photo_url not in client.get(_url(w)).get_data(as_text=True)
    assert client.get(photo_url).status_code == 404
    with app.test_request_context(), unit_of_work():
        set_consent(db.session.get(type(maker), maker.id), "public_pages", True)
    assert photo_url in client.get(_url(w)).get_data(as_text=True)
    assert client.get(photo_url).status_code == 200
    login_as(w.member)
    assert client.get(photo_url).status_code == 404


# ---- queries ----

def _more_awardees(db, w, extra: int):
    """`extra` more finalized categories like the world's, each with two awardees."""
    from fairapp.judging.models import Rubric
    from fairapp.nominations.models import Nomination, NominationStatus
    from fairapp.core.time import utcnow
    from tests.factories import create_org
    for i in range(extra):
        category = Category(fair_id=w.fair.id, name_th=f"ประเภทที่ {i}", opens_on=w.category.opens_on,
                            closes_on=w.category.closes_on)
        db.session.add(category)
        db.session.flush()
        rubric = Rubric(category_id=category.id, finalized_at=utcnow())
        db.session.add(rubric)
        db.session.flush()
        for position in (1, 2):
            org = create_org(f"องค์กรที่ {i}-{position}")
            nomination = Nomination(fair_id=w.fair.id, category_id=category.id, nominator_org_id=org.id,
                                    nominee_org_id=org.id, status=NominationStatus.eligible)
            db.session.add(nomination)
            db.session.flush()
            db.session.add(Result(rubric_id=rubric.id, nomination_id=nomination.id, position=position,
                                  score=90 - position, level_th="ต้นแบบ"))
    db.session.commit()


@pytest.mark.parametrize("tail", ["", "/state", "/control"])
def test_a_fixed_number_of_queries(client, login_as, w, db, count_queries, tail):
    login_as(w.staff)
    client.get(_url(w, tail))
    with count_queries() as small:
        assert client.get(_url(w, tail)).status_code == 200
    _more_awardees(db, w, 10)
    with count_queries() as large:
        response = client.get(_url(w, tail))
    assert response.status_code == 200
    if tail == "/state":
        assert response.get_json()["count"] == 22
    assert large[0] == small[0], (small[0], large[0])


def test_the_fairs_page_links_to_the_stage_for_staff_only(client, login_as, w):
    login_as(w.staff)
    assert f'/fairs/{w.fair.id}/stage/control' in client.get(f"/fairs/{w.fair.id}").get_data(as_text=True)
    login_as(w.judge1)
    assert "/stage/control" not in client.get(f"/fairs/{w.fair.id}").get_data(as_text=True)
