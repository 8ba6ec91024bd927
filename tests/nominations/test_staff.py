"""Fair staff's side of nominations: award categories, the review list, the review page and decisions,
who may reach each route, audit entries, history, mail, duplicates, and queries that do not grow."""
from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from fairapp.accounts.models import Sector
from fairapp.core.audit import AuditEntry
from fairapp.core.storage import storage
from fairapp.core.time import utcnow
from fairapp.extensions import db as _db
from fairapp.nominations.models import Category, Evidence, Nomination, NominationEvent, NominationStatus
from tests.factories import create_fair, create_org, create_user, grant

NOMINEE = "วิสาหกิจชุมชนผ้าทอมือบ้านหนองบัว"
NARRATIVE = "ชุมชนร่วมกันปลูกผักปลอดสารพิษและแบ่งปันให้ผู้สูงอายุที่อยู่ลำพัง"

@pytest.fixture(autouse=True)
def own_uploads(app, tmp_path, monkeypatch):
    """Stored photos go to this test's folder, and go away with it."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


# ---- data ----

def png_bytes(width: int = 800, height: int = 600, color=(40, 120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def make_category(fair, **kw) -> Category:
    values = dict(name_th="องค์กรคุณธรรมต้นแบบ ภาคประชาสังคม", opens_on=fair.nomination_opens,
                  closes_on=fair.nomination_closes, min_photos=0, min_pdfs=0)
    values.update(kw)
    category = Category(fair_id=fair.id, **values)
    _db.session.add(category)
    _db.session.commit()
    return category


def make_nomination(category, nominator, *, nominee=None, community: str | None = None,
                    status=NominationStatus.submitted, narratives=None, photos: int = 0, pdfs: int = 0,
                    province_code: str = "57") -> Nomination:
    """A nomination made directly (the nominators' operations have their own tests)."""
    nomination = Nomination(
        fair_id=category.fair_id, category_id=category.id, nominator_org_id=nominator.id,
        nominee_org_id=None if community else (nominee or nominator).id,
        community_name=community, community_province_code=province_code if community else None,
        community_district_code="5701" if community and province_code == "57" else None,
        status=status, narratives=narratives if narratives is not None else {
            "sufficiency": NARRATIVE, "discipline": "มีวินัยในการจัดการขยะ", "integrity": "โปร่งใส",
            "volunteer": "จิตอาสาทุกวันเสาร์", "gratitude": "ดูแลผู้สูงอายุ", "outcomes": "ผู้สูงอายุมีผักกินทุกวัน"},
        submitted_at=None if status == NominationStatus.draft else utcnow() - timedelta(days=1))
    _db.session.add(nomination)
    _db.session.flush()
    store = storage()
    for i in range(photos):
        key = store.save(png_bytes(color=(40 + 60 * i, 120, 80)), "png")
        _db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=key, thumb_key=key,
                                 original_name=f"photo{i}.png", caption=f"แปลงผักของชุมชน ภาพที่ {i + 1}",
                                 size_bytes=1000, sha256="0" * 64, width=800, height=600))
    for i in range(pdfs):
        key = f"{secrets.token_hex(16)}.pdf"  # a row only: the PDF's bytes are not needed here
        _db.session.add(Evidence(nomination_id=nomination.id, kind="pdf", storage_key=key,
                                 original_name=f"รายงานผลการดำเนินงาน{i}.pdf", caption="รายงานประจำปี",
                                 size_bytes=1000, sha256="1" * 64, pages=12))
    _db.session.commit()
    return nomination


def world(db, **category_kw):
    """A fair with staff, a judge, a chair; the nominating organization (a member), another organization
    (a member), staff of another fair, an admin; a category and a submitted nomination with evidence."""
    fair = create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")
    other_fair = create_fair()
    staff, judge, chair = create_user("staff@example.org"), create_user(), create_user()
    grant(fair, staff, "staff")
    grant(fair, judge, "judge")
    grant(fair, chair, "chair")
    other_staff = create_user("other-staff@example.org")
    grant(other_fair, other_staff, "staff")
    org = create_org(NOMINEE, sector=Sector.civil)
    member = create_user("member@example.org", org=org)
    other_org = create_org("โรงเรียนบ้านดู่")
    other_member = create_user("other@example.org", org=other_org)
    admin = create_user("admin@example.org", admin=True)
    category = make_category(fair, **category_kw)
    nomination = make_nomination(category, org, photos=1, pdfs=1)
    return SimpleNamespace(fair=fair, other_fair=other_fair, staff=staff, judge=judge, chair=chair,
                           other_staff=other_staff, org=org, member=member, other_org=other_org,
                           other_member=other_member, admin=admin, category=category, nomination=nomination)


def audit_entries(action: str) -> list[AuditEntry]:
    return _db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def html(response) -> str:
    return response.get_data(as_text=True)


# ---- who gets what ----

ROLES = ("anonymous", "member", "other_member", "staff", "other_staff", "judge", "chair", "admin")
# The fair's staff pages: its other role holders get 403; people with no role in the fair, 404 (as if missing).
STAFF_PAGE = {"anonymous": 302, "member": 404, "other_member": 404, "staff": 200, "other_staff": 404,
              "judge": 403, "chair": 403, "admin": 200}
# A nomination's pages: those who may not view it get 404 (as if missing); its members may not review (403).
DOSSIER = {**STAFF_PAGE, "member": 200, "other_member": 404, "other_staff": 404, "judge": 404, "chair": 404}
NOMINATION_STAFF_PAGE = {**DOSSIER, "member": 403}


def _urls(w) -> dict[str, tuple[str, dict]]:
    f, n = w.fair.id, w.nomination.id
    return {
        "categories": (f"/fairs/{f}/nominations/categories", STAFF_PAGE),
        "edit_category": (f"/fairs/{f}/nominations/categories/{w.category.id}", STAFF_PAGE),
        "review": (f"/fairs/{f}/nominations/review", STAFF_PAGE),
        "staff_view": (f"/nominations/{n}/review", NOMINATION_STAFF_PAGE),
        "export_csv": (f"/fairs/{f}/nominations/export.csv", STAFF_PAGE),
        "export_xlsx": (f"/fairs/{f}/nominations/export.xlsx", STAFF_PAGE),
        "dossier": (f"/nominations/{n}/dossier.pdf", DOSSIER),
    }


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_each_page(db, client, login_as, role):
    w = world(db)
    if role != "anonymous":
        login_as(getattr(w, role))
    for name, (url, expected) in _urls(w).items():
        response = client.get(url)
        assert response.status_code == expected[role], (name, role, response.status_code)
        if expected[role] == 302:
            assert "/login" in response.headers["Location"] and "next=" in response.headers["Location"]


def test_missing_things_are_404_for_staff(db, client, login_as):
    w = world(db)
    login_as(w.staff)
    other_category = make_category(w.other_fair)
    for url in ("/fairs/999999/nominations/categories", "/fairs/999999/nominations/review",
                "/fairs/999999/nominations/export.csv", f"/fairs/{w.fair.id}/nominations/categories/999999",
                f"/fairs/{w.fair.id}/nominations/categories/{other_category.id}", "/nominations/999999/review",
                "/nominations/999999/dossier.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post("/nominations/999999/decide", data={}).status_code == 404


@pytest.mark.parametrize("role", ("anonymous", "member", "other_member", "other_staff", "judge", "chair"))
def test_only_staff_may_post(db, client, login_as, role):
    """Access is checked before the form (and its CSRF token): the answer does not depend on the token."""
    w = world(db)
    if role != "anonymous":
        login_as(getattr(w, role))
    for url, expected in ((f"/nominations/{w.nomination.id}/decide", NOMINATION_STAFF_PAGE),
                          (f"/fairs/{w.fair.id}/nominations/categories", STAFF_PAGE),
                          (f"/fairs/{w.fair.id}/nominations/categories/{w.category.id}", STAFF_PAGE)):
        response = client.post(url, data={"action": "eligible", "name_th": "x"})
        assert response.status_code == expected[role], (url, role)
    assert _db.session.get(Nomination, w.nomination.id).status == NominationStatus.submitted


def test_post_with_only_a_csrf_token(db, client, login_as, post_form):
    """What the authorization matrix sends: staff get the form back with a message, nothing changes."""
    w = world(db)
    login_as(w.staff)
    response = post_form(f"/nominations/{w.nomination.id}/decide", {}, page=f"/nominations/{w.nomination.id}/review")
    assert response.status_code == 200
    assert "กรุณาเลือกผลการตรวจคุณสมบัติ" in html(response)
    response = post_form(f"/fairs/{w.fair.id}/nominations/categories", {})
    assert response.status_code == 200 and "กรุณากรอกช่องนี้" in html(response)
    response = post_form(f"/fairs/{w.fair.id}/nominations/categories/{w.category.id}", {})
    assert response.status_code == 200
    assert _db.session.get(Nomination, w.nomination.id).status == NominationStatus.submitted
    assert len(_db.session.scalars(select(Category)).all()) == 1
    assert _db.session.get(Category, w.category.id).name_th == "องค์กรคุณธรรมต้นแบบ ภาคประชาสังคม"


def test_stale_csrf_token_keeps_the_comment(db, client, login_as):
    w = world(db)
    login_as(w.staff)
    response = client.post(f"/nominations/{w.nomination.id}/decide",
                           data={"csrf_token": "stale", "action": "return", "comment": "ขอรูปเพิ่มอีกสองรูป"})
    assert response.status_code == 200
    assert "แบบฟอร์มหมดอายุ" in html(response) and "ขอรูปเพิ่มอีกสองรูป" in html(response)
    assert _db.session.get(Nomination, w.nomination.id).status == NominationStatus.submitted


# ---- award categories ----

def _category_form(fair, **kw) -> dict:
    data = {"name_th": "ชุมชนคุณธรรมต้นแบบ", "name_en": "Model moral community", "description_th": "ชุมชนที่เข้มแข็ง",
            "nominee_kind": "community", "nominator_kind": "office", "eligible_sectors": ["civil", "religion"],
            "eligible_provinces": ["57", "50"], "opens_on": fair.nomination_opens.isoformat(),
            "closes_on": fair.nomination_closes.isoformat(), "max_per_nominator": "2",
            "sections": ["sufficiency", "volunteer", "outcomes"], "narrative_max_chars": "2000", "min_photos": "3",
            "min_pdfs": "1", "max_files": "10"}
    data.update(kw)
    return data


def test_staff_add_a_category_and_it_is_audited(db, client, login_as, post_form):
    w = world(db)
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/categories"
    page = html(client.get(url))
    assert re.search(r'<input checked[^>]*name="sections"[^>]*value="outcomes"', page)  # defaults: every section
    response = post_form(url, _category_form(w.fair))
    assert response.status_code == 302
    category = _db.session.scalars(select(Category).where(Category.name_th == "ชุมชนคุณธรรมต้นแบบ")).one()
    assert category.nominee_kind == "community" and category.nominator_kind.value == "office"
    assert category.eligible_sectors == ["religion", "civil"]  # in the sectors' own order
    assert category.eligible_provinces == ["50", "57"]
    assert category.sections == ["sufficiency", "volunteer", "outcomes"]
    assert (category.max_per_nominator, category.min_photos, category.min_pdfs, category.max_files) == (2, 3, 1, 10)
    entry = audit_entries("nomination.category_created")[-1]
    assert entry.actor_id == w.staff.id and entry.fair_id == w.fair.id and entry.object_id == category.id
    assert entry.after["name_th"] == "ชุมชนคุณธรรมต้นแบบ" and entry.after["nominator_kind"] == "office"
    assert "ชุมชนคุณธรรมต้นแบบ" in html(client.get(url))


def test_category_outside_the_fair_window_is_refused_and_input_kept(db, client, login_as, post_form):
    w = world(db)
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/categories"
    late = (w.fair.nomination_closes + timedelta(days=3)).isoformat()
    response = post_form(url, _category_form(w.fair, closes_on=late, sections=[], name_th="อำเภอคุณธรรม"))
    page = html(response)
    assert response.status_code == 200
    assert "ต้องอยู่ในช่วงรับการเสนอชื่อของงาน" in page
    assert "กรุณาเลือกอย่างน้อยหนึ่งหัวข้อ" in page
    assert 'value="อำเภอคุณธรรม"' in page and late in page
    assert _db.session.scalars(select(Category).where(Category.name_th == "อำเภอคุณธรรม")).first() is None
    response = post_form(url, _category_form(w.fair, min_photos="8", min_pdfs="5", max_files="10",
                                              closes_on=w.fair.nomination_opens.isoformat(),
                                              opens_on=w.fair.nomination_closes.isoformat()))
    assert "วันปิดต้องไม่ก่อนวันเปิด" in html(response)
    assert "ต้องไม่น้อยกว่าจำนวนรูปภาพขั้นต่ำรวมกับไฟล์ PDF ขั้นต่ำ" in html(response)


def test_staff_edit_a_category_audited_with_before_and_after(db, client, login_as, post_form):
    w = world(db)
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/categories/{w.category.id}"
    page = html(client.get(url))
    assert 'value="องค์กรคุณธรรมต้นแบบ ภาคประชาสังคม"' in page
    # Who may nominate and where stay as they are: the category has a nomination (test_rules has the rule).
    response = post_form(url, _category_form(w.fair, name_th="องค์กรคุณธรรมต้นแบบ ภาคศาสนา", min_photos="4",
                                              nominee_kind="organization", nominator_kind="both",
                                              eligible_sectors=[], eligible_provinces=[]))
    assert response.status_code == 302
    category = _db.session.get(Category, w.category.id)
    assert category.name_th == "องค์กรคุณธรรมต้นแบบ ภาคศาสนา" and category.min_photos == 4
    assert category.eligible_sectors == []
    entry = audit_entries("nomination.category_changed")[-1]
    assert entry.before["name_th"] == "องค์กรคุณธรรมต้นแบบ ภาคประชาสังคม"
    assert entry.after["name_th"] == "องค์กรคุณธรรมต้นแบบ ภาคศาสนา"
    assert entry.before["min_photos"] == 0 and entry.after["min_photos"] == 4
    assert entry.before["max_files"] == 20 and entry.after["max_files"] == 10
    # What did not change is not in the entry (it used to say `"max_files" not in before or ...`, which
    # held whatever was recorded, since max_files did change).
    assert not {"opens_on", "closes_on", "nominee_kind", "nominator_kind", "eligible_sectors"} & set(entry.before)
    assert set(entry.before) == set(entry.after)


# ---- decisions ----

def test_mark_eligible(db, client, login_as, post_form, outbox):
    w = world(db)
    login_as(w.staff)
    response = post_form(f"/nominations/{w.nomination.id}/decide", {"action": "eligible"},
                         page=f"/nominations/{w.nomination.id}/review")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/fairs/{w.fair.id}/nominations/review")
    nomination = _db.session.get(Nomination, w.nomination.id)
    assert nomination.status == NominationStatus.eligible and nomination.decided_at is not None
    follow = html(client.get(response.headers["Location"]))
    assert "บันทึกแล้ว: ผ่านการตรวจคุณสมบัติ" in follow
    entry = audit_entries("nomination.eligible")[-1]
    assert entry.before["status"] == "submitted" and entry.after["status"] == "eligible"
    assert entry.actor_id == w.staff.id
    assert [m.to for m in outbox()] == ["member@example.org"]


def test_ineligible_without_a_reason_changes_nothing(db, client, login_as, post_form, outbox):
    w = world(db)
    login_as(w.staff)
    response = post_form(f"/nominations/{w.nomination.id}/decide", {"action": "ineligible", "comment": "   "},
                         page=f"/nominations/{w.nomination.id}/review")
    assert response.status_code == 200
    assert "กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข" in html(response)
    nomination = _db.session.get(Nomination, w.nomination.id)
    assert nomination.status == NominationStatus.submitted and nomination.decided_at is None
    assert audit_entries("nomination.ineligible") == []
    assert _db.session.scalars(select(NominationEvent)).all() == []
    assert outbox() == []


def test_ineligible_with_a_reason(db, client, login_as, post_form, outbox):
    w = world(db)
    login_as(w.admin)
    reason = "ผู้ถูกเสนอชื่อไม่อยู่ในพื้นที่ที่กำหนด"
    response = post_form(f"/nominations/{w.nomination.id}/decide", {"action": "ineligible", "comment": reason},
                         page=f"/nominations/{w.nomination.id}/review")
    assert response.status_code == 302
    nomination = _db.session.get(Nomination, w.nomination.id)
    assert nomination.status == NominationStatus.ineligible and nomination.review_note == reason
    mail = outbox()[0]
    assert reason in mail.body and "ไม่ผ่านการตรวจคุณสมบัติ" in mail.body


def test_return_for_correction_records_history_and_mails_the_members(db, client, login_as, post_form, outbox):
    w = world(db)
    second = create_user("member2@example.org", org=w.org)
    create_user("outsider@example.org", org=w.other_org)
    login_as(w.staff)
    comment = "กรุณาเพิ่มรูปกิจกรรมจิตอาสาอีก ๒ รูป และแก้ชื่อหมู่บ้านให้ถูกต้อง"
    response = post_form(f"/nominations/{w.nomination.id}/decide", {"action": "return", "comment": comment},
                         page=f"/nominations/{w.nomination.id}/review")
    assert response.status_code == 302
    nomination = _db.session.get(Nomination, w.nomination.id)
    assert nomination.status == NominationStatus.returned and nomination.review_note == comment
    events = _db.session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == nomination.id)).all()
    assert [(e.action, e.comment, e.actor_id) for e in events] == [("returned", comment, w.staff.id)]
    entry = audit_entries("nomination.returned")[-1]
    assert entry.before["status"] == "submitted" and entry.after["status"] == "returned"
    assert entry.after["comment"] == comment
    mails = outbox()
    assert sorted(m.to for m in mails) == sorted(["member@example.org", second.email])
    body = mails[0].body
    assert comment in body and "ส่งกลับให้แก้ไข" in body and NOMINEE in body
    assert re.search(rf"http://[^\s]+/nominations/{nomination.id}\b", body)
    # The history is on the review page, with who and when. (Its own list: the comment is also the page's
    # review note, the status label says "returned", and the staff member's name is in the page header.)
    page = html(client.get(f"/nominations/{nomination.id}/review"))
    history = re.search(r'<ol class="list" id="history">(.*?)</ol>', page, re.S).group(1)
    assert "ส่งกลับให้แก้ไข" in history and comment in history and w.staff.full_name in history
    assert re.search(r"25\d\d", history)  # when, in B.E.


def test_return_without_a_comment_and_deciding_twice(db, client, login_as, post_form):
    w = world(db)
    login_as(w.staff)
    url, page = f"/nominations/{w.nomination.id}/decide", f"/nominations/{w.nomination.id}/review"
    response = post_form(url, {"action": "return"}, page=page)
    assert response.status_code == 200 and "กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข" in html(response)
    assert post_form(url, {"action": "eligible"}, page=page).status_code == 302
    response = post_form(url, {"action": "ineligible", "comment": "ไม่ครบ"}, page=page)
    assert response.status_code == 200
    assert "ทำรายการนี้กับการเสนอชื่อในสถานะ" in html(response)
    assert 'name="action"' not in html(response)  # decided: no buttons any more
    assert _db.session.get(Nomination, w.nomination.id).status == NominationStatus.eligible


# ---- the review page and the list ----

def test_review_page_shows_everything_the_nominator_sent(db, client, login_as):
    w = world(db)
    login_as(w.staff)
    page = html(client.get(f"/nominations/{w.nomination.id}/review"))
    assert NOMINEE in page and NARRATIVE in page and "จิตอาสาทุกวันเสาร์" in page
    assert "พอเพียง" in page and "ผลลัพธ์ที่เกิดขึ้น" in page
    photo = w.nomination.evidence[0]
    assert f"/nominations/{w.nomination.id}/evidence/{photo.id}" in page
    assert "รายงานผลการดำเนินงาน0.pdf" in page and "12 หน้า" in page
    assert f"/nominations/{w.nomination.id}/dossier.pdf" in page
    assert 'name="action" value="return"' in page


def test_duplicates_are_flagged(db, client, login_as):
    w = world(db)
    office = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย", sector=Sector.government)
    again = make_nomination(w.category, office, nominee=w.org)            # the same organization, again
    community_a = make_nomination(w.category, office, community="ชุมชนบ้านป่าซาง")
    community_b = make_nomination(w.category, w.other_org, community="ชุมชน บ้านป่าซาง")  # spacing differs
    draft = make_nomination(w.category, w.other_org, nominee=w.org, status=NominationStatus.draft)
    alone = make_nomination(w.category, w.other_org)
    other_category = make_category(w.fair, name_th="ชุมชนคุณธรรมต้นแบบ")
    elsewhere = make_nomination(other_category, office, nominee=w.org)     # another category: not a duplicate
    login_as(w.staff)
    page = html(client.get(f"/fairs/{w.fair.id}/nominations/review"))
    rows = dict(re.findall(r'<tr id="nomination-(\d+)">(.*?)</tr>', page, re.S))
    flagged = {int(i) for i, row in rows.items() if "duplicate" in row}
    assert flagged == {w.nomination.id, again.id, community_a.id, community_b.id}
    assert str(draft.id) not in rows and alone.id not in flagged and elsewhere.id not in flagged
    detail = html(client.get(f"/nominations/{w.nomination.id}/review"))
    assert 'id="duplicates"' in detail and f"/nominations/{again.id}/review" in detail
    assert 'id="duplicates"' not in html(client.get(f"/nominations/{alone.id}/review"))


def test_review_list_filters_and_counts(db, client, login_as):
    w = world(db)
    bangkok_school = create_org("โรงเรียนวัดสุทธิวราราม", sector=Sector.education, province_code="10",
                                district_code="1028")
    school_nom = make_nomination(w.category, bangkok_school, status=NominationStatus.returned)
    community = make_nomination(w.category, w.other_org, community="ชุมชนบ้านแม่สาย")
    other_category = make_category(w.fair, name_th="ชุมชนคุณธรรมต้นแบบ")
    in_other = make_nomination(other_category, w.other_org, status=NominationStatus.eligible)
    make_nomination(w.category, w.other_org, status=NominationStatus.draft)
    login_as(w.staff)
    base = f"/fairs/{w.fair.id}/nominations/review"

    def ids(query=""):
        return {int(i) for i in re.findall(r'<tr id="nomination-(\d+)">', html(client.get(base + query)))}

    assert ids() == {w.nomination.id, school_nom.id, community.id, in_other.id}
    assert ids("?status=returned") == {school_nom.id}
    assert ids("?sector=education") == {school_nom.id}
    assert ids("?province=10") == {school_nom.id}
    assert ids("?province=57") == {w.nomination.id, community.id, in_other.id}
    assert ids(f"?category={other_category.id}") == {in_other.id}
    page = html(client.get(base + "?status=returned"))
    counts = page[page.index('id="counts"'):page.index("</p>", page.index('id="counts"'))]
    assert "ส่งแล้ว รอตรวจคุณสมบัติ 2" in counts and "ส่งกลับให้แก้ไข 1" in counts
    assert "ผ่านการตรวจคุณสมบัติ 1" in counts
    assert "รูป 1 · PDF 1" in html(client.get(base))


def _many(w, n: int, start: int = 0) -> None:
    orgs = [create_org(f"องค์กรที่ {i}") for i in range(10)]
    for i in range(start, start + n):
        nomination = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=orgs[i % 10].id,
                                nominee_org_id=orgs[(i * 7) % 10].id, status=NominationStatus.submitted,
                                narratives={"sufficiency": NARRATIVE}, submitted_at=utcnow())
        _db.session.add(nomination)
        _db.session.flush()
        _db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=f"{i:030x}aa.jpg",
                                 original_name="a.jpg", size_bytes=1, sha256="0" * 64))
    _db.session.commit()


def test_review_list_queries_do_not_grow(db, client, login_as, count_queries):
    """The same number of queries for 21 and for 201 nominations, measured in one test (two parametrized
    tests compared through a module dict skipped the comparison when run alone or out of order)."""
    w = world(db)
    make_category(w.fair, name_th="ชุมชนคุณธรรมต้นแบบ")
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/review"
    queries, made = {}, 0
    for total in (20, 200):
        _many(w, total - made, start=made)
        made = total
        client.get(url)
        with count_queries() as counted:
            response = client.get(url)
        assert response.status_code == 200
        assert len(re.findall(r'<tr id="nomination-', html(response))) == min(total + 1, 50)  # pages of 50
        queries[total] = counted[0]
    print(f"review list: {queries} queries")
    assert queries[20] <= 12
    assert queries[20] == queries[200]
