"""Model organizations and communities (issue 16): what the nominator lets the fair publish (unticked
until chosen, saved, audited, changeable at any status), the public awardee page (only what was
published, only once the category is final, nothing of a withheld name), its photos, the results page
leading with the awardees' cards, award levels in English, and a fixed number of queries."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fairapp.certificates import operations as cert_ops
from fairapp.certificates.candidates import awardee_candidates
from fairapp.certificates.models import Certificate
from fairapp.core.audit import AuditEntry
from fairapp.core.storage import storage
from fairapp.core.time import today_local, utcnow
from fairapp.core.transaction import unit_of_work
from fairapp.judging.models import Result, Rubric
from fairapp.nominations.models import Category, Evidence, Nomination, NominationEvent, NominationStatus
from fairapp.booths.models import Status
from tests.booths.factories import create_application, create_booth
from tests.certificates.world import build_cert_world
from tests.conftest import csrf_token_from
from tests.factories import create_org
from tests.nominations.test_staff import png_bytes

STORY = {"sufficiency": "ปลูกผักสวนครัวทุกหลังคาเรือนและทำบัญชีครัวเรือน",
         "discipline": "ข้อความส่วนตัวที่ไม่ให้เผยแพร่ เบอร์โทรของผู้ใหญ่บ้าน",
         "volunteer": "จิตอาสาพัฒนาวัดทุกวันพระ"}


def _photo(app, nomination, caption="ภาพ"):
    with app.test_request_context():
        key = storage().save(png_bytes(40, 30), "png")
    evidence = Evidence(nomination_id=nomination.id, kind="photo", storage_key=key, thumb_key=key,
                        original_name="photo.png", caption=caption, size_bytes=10, sha256="0" * 64)
    return evidence


@pytest.fixture
def w(app, db):
    """The certificates' world (a finalized category; its three results have levels); the member's
    organization (orgs[0]) nominated itself: its nomination has a story and two photos, nothing published."""
    w = build_cert_world(db)
    w.nom = w.noms[0]
    w.nom.narratives = dict(STORY)
    w.photos = [_photo(app, w.nom, "แปลงผักของชุมชน"), _photo(app, w.nom, "ภาพที่ไม่ให้เผยแพร่")]
    db.session.add_all(w.photos)
    db.session.commit()
    return w


def _page(w, nomination=None):
    return f"/fairs/{w.fair.id}/awardees/{(nomination or w.nom).id}"


def _photo_url(w, evidence, nomination=None):
    return f"{_page(w, nomination)}/photos/{evidence.id}"


def _publish(client, w, sections=(), photos=()):
    """As the member: publish these sections and these photos (others withdrawn), through the pages."""
    html = client.get(f"/nominations/{w.nom.id}").get_data(as_text=True)
    token = csrf_token_from(html)
    response = client.post(f"/nominations/{w.nom.id}/publication",
                           data={"csrf_token": token, "public_sections": list(sections)})
    assert response.status_code == 303
    for evidence in w.photos:
        response = client.post(f"/nominations/{w.nom.id}/evidence/{evidence.id}/public",
                               data={"csrf_token": token, "public": "1" if evidence in photos else "0"})
        assert response.status_code == 303


# ---- the nominator's choice ----

def test_nothing_is_published_until_ticked(client, login_as, w, db):
    login_as(w.member)
    html = client.get(f"/nominations/{w.nom.id}").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="public_sections"[^>]*>', html)
    assert len(boxes) == len(w.category.sections) and not any("checked" in b for b in boxes)
    assert html.count('aria-pressed="false"') == 2 and 'aria-pressed="true"' not in html
    assert db.session.get(Nomination, w.nom.id).public_sections == []
    assert client.get(_page(w)).status_code == 200
    page = client.get(_page(w)).get_data(as_text=True)
    assert STORY["sufficiency"] not in page and f"/photos/{w.photos[0].id}" not in page
    assert 'id="nothing-published"' in page
    assert client.get(_photo_url(w, w.photos[0])).status_code == 404


def test_choices_are_saved_and_audited_after_the_award(client, login_as, w, db):
    assert w.nom.status == NominationStatus.eligible  # and awarded: the choice is open at any status
    login_as(w.member)
    _publish(client, w, sections=("volunteer", "sufficiency", "not-a-section"), photos=(w.photos[0],))
    db.session.expire_all()
    nomination = db.session.get(Nomination, w.nom.id)
    assert nomination.public_sections == ["sufficiency", "volunteer"]  # the category's order; unknown keys dropped
    assert [e.public for e in nomination.evidence] == [True, False]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "nomination.publication")
                                 .order_by(AuditEntry.id)).all()
    assert len(entries) == 2  # the sections, then the first photo (the second did not change)
    assert entries[0].after["public_sections"] == ["sufficiency", "volunteer"] and entries[0].before["public_sections"] == []
    assert entries[1].after["public_photos"] == [w.photos[0].id] and entries[1].before["public_photos"] == []
    assert all(e.actor_id == w.member.id for e in entries)
    events = db.session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == w.nom.id,
                                                              NominationEvent.action == "publication")).all()
    assert len(events) == 2
    html = client.get(f"/nominations/{w.nom.id}").get_data(as_text=True)
    assert len(re.findall(r'name="public_sections" value="(sufficiency|volunteer)" checked', html)) == 2
    assert 'aria-pressed="true"' in html


def test_others_cannot_choose(client, login_as, w, db):
    login_as(w.staff)  # staff may view the nomination, not choose for its nominator
    token = csrf_token_from(client.get(f"/fairs/{w.fair.id}").get_data(as_text=True))
    assert client.post(f"/nominations/{w.nom.id}/publication",
                       data={"csrf_token": token, "public_sections": "sufficiency"}).status_code == 403
    assert client.post(f"/nominations/{w.nom.id}/evidence/{w.photos[0].id}/public",
                       data={"csrf_token": token, "public": "1"}).status_code == 403
    login_as(w.judge1)
    assert client.post(f"/nominations/{w.nom.id}/publication",
                       data={"csrf_token": token, "public_sections": "sufficiency"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Nomination, w.nom.id).public_sections == []
    assert not db.session.get(Evidence, w.photos[0].id).public


def test_a_draft_saves_its_choices_with_the_narratives(app, client, login_as, w, db):
    category = Category(fair_id=w.fair.id, name_th="ประเภทที่เปิดรับ", opens_on=today_local() - timedelta(days=1),
                        closes_on=today_local() + timedelta(days=5), min_photos=0, min_pdfs=0,
                        sections=["sufficiency", "volunteer"])
    db.session.add(category)
    db.session.flush()
    draft = Nomination(fair_id=w.fair.id, category_id=category.id, nominator_org_id=w.orgs[0].id,
                       nominee_org_id=w.orgs[0].id, narratives={})
    db.session.add(draft)
    db.session.commit()
    login_as(w.member)
    html = client.get(f"/nominations/{draft.id}/edit").get_data(as_text=True)
    assert html.count('name="public_sections"') == 2 and "checked" not in html.split('id="narrative-form"')[1].split("</form>")[0]
    response = client.post(f"/nominations/{draft.id}/edit", data={
        "csrf_token": csrf_token_from(html), "s_sufficiency": "ออมทรัพย์", "s_volunteer": "จิตอาสา",
        "public_sections": "volunteer", "action": "save"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, draft.id).public_sections == ["volunteer"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.publication",
                                                      AuditEntry.object_id == draft.id)) is not None


# ---- the public page ----

def test_the_page_shows_only_what_was_published(client, login_as, w, db):
    login_as(w.member)
    _publish(client, w, sections=("sufficiency", "volunteer"), photos=(w.photos[0],))
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    html = client.get(_page(w)).get_data(as_text=True)
    assert w.orgs[0].name_th in html and w.category.name_th in html
    result = db.session.scalar(select(Result).where(Result.nomination_id == w.nom.id))
    assert result.level_th in html
    assert STORY["sufficiency"] in html and STORY["volunteer"] in html and "พอเพียง" in html and "จิตอาสา" in html
    assert STORY["discipline"] not in html and "วินัย" not in html
    assert _photo_url(w, w.photos[0]) in html and "แปลงผักของชุมชน" in html
    assert _photo_url(w, w.photos[1]) not in html and "ภาพที่ไม่ให้เผยแพร่" not in html
    photo = client.get(_photo_url(w, w.photos[0]))
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert client.get(_photo_url(w, w.photos[1])).status_code == 404  # unpublished
    assert client.get(f"{_page(w)}/photos/{w.photos[0].id + 999}").status_code == 404
    other_nom = w.noms[1]  # a published photo asked under another awardee's page
    assert client.get(_photo_url(w, w.photos[0], other_nom)).status_code == 404


def test_a_withdrawal_takes_effect_at_once(client, login_as, w, db):
    login_as(w.member)
    _publish(client, w, sections=("sufficiency",), photos=(w.photos[0],))
    assert client.get(_photo_url(w, w.photos[0])).status_code == 200
    _publish(client, w)
    html = client.get(_page(w)).get_data(as_text=True)
    assert STORY["sufficiency"] not in html and _photo_url(w, w.photos[0]) not in html
    assert client.get(_photo_url(w, w.photos[0])).status_code == 404


def test_not_final_not_awarded_or_another_fair_is_not_found(client, login_as, w, db):
    login_as(w.member)
    _publish(client, w, sections=("sufficiency",), photos=(w.photos[0],))
    assert client.get(_page(w)).status_code == 200
    assert client.get(f"/fairs/{w.other_fair.id}/awardees/{w.nom.id}").status_code == 404
    assert client.get(f"/fairs/{w.fair.id}/awardees/999999").status_code == 404
    result = db.session.scalar(select(Result).where(Result.nomination_id == w.nom.id))
    level, result.level_th = result.level_th, None  # ranked, but no award level
    db.session.commit()
    assert client.get(_page(w)).status_code == 404
    result.level_th = level
    db.session.get(Rubric, w.rubric.id).finalized_at = None  # the category reopened: not final
    db.session.commit()
    assert client.get(_page(w)).status_code == 404
    assert client.get(_photo_url(w, w.photos[0])).status_code == 404
    assert f"/awardees/{w.nom.id}" not in client.get(f"/fairs/{w.fair.id}/results").get_data(as_text=True)


def _issue_awardee_certificates(app, w):
    with app.test_request_context(), unit_of_work():
        cert_ops.issue(w.fair, awardee_candidates(w.category), w.staff)


def test_the_certificate_check_is_linked_unless_revoked(app, client, w, db):
    _issue_awardee_certificates(app, w)
    cert = db.session.scalar(select(Certificate).where(Certificate.subject_key == f"award:{w.nom.id}"))
    html = client.get(_page(w)).get_data(as_text=True)
    assert f"/verify/{cert.serial}" in html
    cert.revoked_at = utcnow()
    db.session.commit()
    assert "/verify/" not in client.get(_page(w)).get_data(as_text=True)


def test_a_withheld_name_is_not_shown_anywhere(app, client, w, db):
    _issue_awardee_certificates(app, w)
    cert = db.session.scalar(select(Certificate).where(Certificate.subject_key == f"award:{w.nom.id}"))
    cert.holder_withheld_at = utcnow()  # erased at the holder's request (PDPA s.33)
    db.session.commit()
    assert client.get(_page(w)).status_code == 404
    results = client.get(f"/fairs/{w.fair.id}/results").get_data(as_text=True)
    assert f'id="awardee-{w.nom.id}"' not in results and f'id="awardee-{w.noms[1].id}"' in results


def test_the_page_links_the_booth_at_the_fair(client, w, db):
    application = create_application(w.fair, w.orgs[0], w.booth_type, Status.approved)
    create_booth(w.fair, w.booth_type, "C07", application=application)
    html = client.get(_page(w)).get_data(as_text=True)
    assert f"/fairs/{w.fair.id}/exhibitors/{application.id}" in html
    assert client.get(f"/fairs/{w.fair.id}/exhibitors/{application.id}").status_code == 200


# ---- the results page ----

def test_the_results_lead_with_the_awardees_cards(client, login_as, w, db):
    login_as(w.member)
    _publish(client, w, photos=(w.photos[0],))
    html = client.get(f"/fairs/{w.fair.id}/results").get_data(as_text=True)
    cards = html.index('class="awardee-cards"')
    assert cards < html.index("<table")
    results = db.session.scalars(select(Result).where(Result.rubric_id == w.rubric.id)
                                 .order_by(Result.position)).all()
    positions = [html.index(f'id="awardee-{r.nomination_id}"') for r in results]
    assert positions == sorted(positions) and positions[-1] < html.index("<table")
    assert f'href="{_page(w)}"' in html and _photo_url(w, w.photos[0]) in html
    for r in results:
        assert r.level_th in html[positions[0]:html.index("<table")]


def test_award_levels_in_english(client, login_as, w, db):
    results = db.session.scalars(select(Result).where(Result.rubric_id == w.rubric.id)
                                 .order_by(Result.position)).all()
    assert [r.level_th for r in results] == ["ต้นแบบ", "เชิดชูเกียรติ", "เชิดชูเกียรติ"]
    results[-1].level_th = "ระดับพิเศษ"  # a level with no English: Thai, marked as Thai
    db.session.commit()
    client.get("/lang/en")
    html = client.get(f"/fairs/{w.fair.id}/results").get_data(as_text=True)
    cards = re.findall(r'<span class="award-level">(.*?)</span>\s*<h3>', html)
    assert cards == ["Model", "Honoured", '<span lang="th">ระดับพิเศษ</span>'], cards
    table = re.findall(r"<td>([^<]*|<span lang=\"th\">[^<]*</span>)</td></tr>", html)
    assert table == ["Model", "Honoured", '<span lang="th">ระดับพิเศษ</span>'], table
    assert "เชิดชูเกียรติ" not in html
    first = db.session.get(Nomination, results[0].nomination_id)
    page = client.get(_page(w, first)).get_data(as_text=True)
    assert re.findall(r'<span class="award-level">[^<]*</span>', page) == ['<span class="award-level">Award: Model</span>']
    client.get("/lang/th")
    html = client.get(f"/fairs/{w.fair.id}/results").get_data(as_text=True)
    assert re.findall(r'<span class="award-level">(.*?)</span>\s*<h3>', html)[:2] == ["ต้นแบบ", "เชิดชูเกียรติ"]


def test_the_stage_shows_levels_in_english(client, login_as, w, db):
    login_as(w.staff)
    client.get("/lang/en")
    for tail in ("", "/control"):
        html = client.get(f"/fairs/{w.fair.id}/stage{tail}").get_data(as_text=True)
        assert "Model" in html and "Honoured" in html and "เชิดชูเกียรติ" not in html


def test_the_level_filter_escapes():
    from fairapp.awardees.levels import level_label
    from flask import Flask
    from flask_babel import Babel
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        assert str(level_label("<b>ระดับ</b>")) == '<span lang="th">&lt;b&gt;ระดับ&lt;/b&gt;</span>'


# ---- a fixed number of queries ----

def _more_awardees(app, db, w, extra: int):
    """`extra` more awardees in the world's category, each with a published story and photo."""
    for i in range(extra):
        org = create_org(f"องค์กรเพิ่มที่ {i}")
        nomination = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=org.id,
                                nominee_org_id=org.id, status=NominationStatus.eligible,
                                narratives=dict(STORY), public_sections=["sufficiency"])
        db.session.add(nomination)
        db.session.flush()
        evidence = _photo(app, nomination)
        evidence.public = True
        db.session.add(evidence)
        db.session.add(Result(rubric_id=w.rubric.id, nomination_id=nomination.id, position=10 + i,
                              score=60, level_th="เชิดชูเกียรติ"))
    db.session.commit()


@pytest.mark.parametrize("which", ["results", "page"])
def test_a_fixed_number_of_queries(app, client, w, db, count_queries, which):
    _issue_awardee_certificates(app, w)
    url = f"/fairs/{w.fair.id}/results" if which == "results" else _page(w)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _more_awardees(app, db, w, 10)
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    if which == "results":
        assert html.count('class="awardee-card"') == 13
    assert large[0] == small[0], (small[0], large[0])
