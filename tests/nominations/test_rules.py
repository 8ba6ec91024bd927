"""The rules moved into the operations, each tested without HTTP and through its page: who may nominate
others (one policy for the page and the operation), the edit rule asked early (`edit_problem`), award
categories (`create_category`, `update_category`: audited, and what may change once nominated), the
autosave's JSON contract, and the loaders' 404s."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fairapp.accounts.models import Sector
from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.extensions import db as _db
from fairapp.nominations import access, operations as ops
from fairapp.nominations.models import Category, Evidence, Nomination, NominationStatus, NominatorKind
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant


def _category(fair, **over) -> Category:
    today = today_local()
    values = dict(fair_id=fair.id, name_th="ชุมชนคุณธรรมต้นแบบ", opens_on=today - timedelta(days=1),
                  closes_on=today + timedelta(days=10), nominator_kind=NominatorKind.both, min_photos=0, min_pdfs=0,
                  narrative_max_chars=500)
    values.update(over)
    category = Category(**values)
    _db.session.add(category)
    _db.session.commit()
    return category


@pytest.fixture
def w(db):
    fair = create_fair()
    office = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย", sector=Sector.government)
    office.is_provincial_office = True
    school = create_org("โรงเรียนบ้านป่าซาง", sector=Sector.education)
    staff = create_user("staff@example.org")
    grant(fair, staff, "staff")
    _db.session.commit()
    return dict(fair=fair, office=office, school=school, staff=staff,
                office_member=create_user("office@example.org", org=office),
                school_member=create_user("school@example.org", org=school))


def _draft(w, category, **over) -> Nomination:
    nomination = Nomination(fair_id=category.fair_id, category_id=category.id, nominator_org_id=w["school"].id,
                            nominee_org_id=w["school"].id, **{"narratives": {}, **over})
    _db.session.add(nomination)
    _db.session.commit()
    return nomination


# ---- who may nominate others: one policy ----

@pytest.mark.parametrize("kind,office,others", [
    (NominatorKind.self, True, False), (NominatorKind.office, True, True), (NominatorKind.both, True, True),
    (NominatorKind.both, False, False), (NominatorKind.office, False, False)])
def test_the_page_offers_other_nominees_exactly_when_the_operation_allows_them(
        client, w, login_as, app, kind, office, others):
    category = _category(w["fair"], nominator_kind=kind)
    nominator, member = (w["office"], w["office_member"]) if office else (w["school"], w["school_member"])
    assert ops.may_nominate_others(category, nominator) is others
    with app.test_request_context():
        if others:
            ops.create_nomination(category, nominator, nominee_org=w["school"] if office else w["office"],
                                  community=None, narratives={}, actor=member)
        else:
            with pytest.raises(ops.NotAllowedToNominate):
                ops.create_nomination(category, nominator, nominee_org=w["school"] if office else w["office"],
                                      community=None, narratives={}, actor=member)
        _db.session.rollback()
    login_as(member)
    page = client.get(f"/fairs/{w['fair'].id}/nominations/new/{category.id}").get_data(as_text=True)
    assert ('name="org_id"' in page) is others
    assert ('name="community_name"' in page) is others


def test_a_category_nobody_here_may_use_says_so_before_the_form_is_filled(client, w, login_as):
    category = _category(w["fair"], nominator_kind=NominatorKind.office)
    login_as(w["school_member"])
    page = client.get(f"/fairs/{w['fair'].id}/nominations/new/{category.id}").get_data(as_text=True)
    assert "ประเภทรางวัลนี้รับการเสนอชื่อจากสำนักงานจังหวัดเท่านั้น" in page


def test_a_nominee_named_by_a_posted_id_that_does_not_exist(client, w, login_as, post_form):
    category = _category(w["fair"])
    login_as(w["office_member"])
    url = f"/fairs/{w['fair'].id}/nominations/new/{category.id}"
    page = post_form(url, {"nominee": "org", "org_id": "999999"}).get_data(as_text=True)
    assert "กรุณาเลือกองค์กร" in page and _db.session.scalar(select(Nomination.id)) is None


# ---- the edit rule, asked early ----

def test_edit_problem_names_what_the_operations_would_refuse(w, app):
    category = _category(w["fair"])
    nomination = _draft(w, category)
    with app.test_request_context():
        assert ops.edit_problem(nomination) is None
        nomination.status = NominationStatus.submitted
        assert isinstance(ops.edit_problem(nomination), ops.NotEditable)
        nomination.status = NominationStatus.returned
        category.closes_on = today_local() - timedelta(days=1)
        assert isinstance(ops.edit_problem(nomination), ops.WindowClosed)
        with pytest.raises(ops.WindowClosed):
            ops.save_narratives(nomination, {"sufficiency": "ปลูกผัก"}, w["school_member"])


def test_the_edit_page_of_a_closed_window_is_read_only(client, w, login_as, post_form):
    category = _category(w["fair"], closes_on=today_local() - timedelta(days=1),
                         opens_on=today_local() - timedelta(days=5))
    nomination = _draft(w, category, status=NominationStatus.returned)
    login_as(w["school_member"])
    page = client.get(f"/nominations/{nomination.id}/edit").get_data(as_text=True)
    assert "ช่วงรับการเสนอชื่อของประเภทรางวัลนี้ปิดอยู่" in page
    assert "readonly" in page and 'value="submit"' not in page
    view = client.get(f"/nominations/{nomination.id}").get_data(as_text=True)
    assert f'action="/nominations/{nomination.id}/submit"' not in view


# ---- the autosave's JSON contract ----

def _token(client) -> str:
    return csrf_token_from(client.get("/password/forgot").get_data(as_text=True))


def test_autosave_answers_the_one_envelope(client, w, login_as):
    category = _category(w["fair"], narrative_max_chars=200)
    nomination = _draft(w, category)
    login_as(w["school_member"])
    headers = {"X-CSRFToken": _token(client)}
    url = f"/nominations/{nomination.id}/autosave"
    ok = client.post(url, json={"sufficiency": "ออมเงินวันละบาท", "not-a-section": "x"}, headers=headers)
    body = ok.get_json()
    assert ok.status_code == 200 and body["ok"] is True and body["saved_at"] and body["message"] == "บันทึกอัตโนมัติแล้ว"
    assert _db.session.get(Nomination, nomination.id).narratives == {k: ("ออมเงินวันละบาท" if k == "sufficiency" else "")
                                                                     for k in category.sections}
    for payload in ([1, 2], {"sufficiency": 3}):
        bad = client.post(url, json=payload, headers=headers)
        assert bad.status_code == 400 and bad.get_json() == {"ok": False, "code": "unreadable",
                                                             "message": "ข้อมูลที่ส่งมาอ่านไม่ได้"}
    long = client.post(url, json={"discipline": "ก" * 201}, headers=headers)
    assert long.status_code == 409 and long.get_json()["code"] == "too_long" and long.get_json()["ok"] is False
    nomination = _db.session.get(Nomination, nomination.id)
    nomination.status = NominationStatus.submitted
    _db.session.commit()
    for accept in ({}, {"Accept": "application/json"}):  # a script's request, whatever it accepts
        refused = client.post(url, json={"sufficiency": "แก้"}, headers={**headers, **accept})
        assert refused.status_code == 409
        assert set(refused.get_json()) == {"ok", "code", "message"}
        assert refused.get_json()["code"] == "not_editable"
    nomination.status = NominationStatus.draft
    category = _db.session.get(Category, category.id)
    category.closes_on = today_local() - timedelta(days=1)
    category.opens_on = today_local() - timedelta(days=3)
    _db.session.commit()
    closed = client.post(url, json={"sufficiency": "แก้"}, headers=headers)
    assert closed.status_code == 409 and closed.get_json()["code"] == "window_closed"
    assert _db.session.get(Nomination, nomination.id).narratives["sufficiency"] == "ออมเงินวันละบาท"


# ---- award categories: operations ----

def _values(fair, **over) -> dict:
    values = ops.category_defaults(fair)
    values.update(name_th="อำเภอคุณธรรม", name_en=None, description_th="", nominator_kind=NominatorKind.both)
    values.update(over)
    return values


def test_create_category_is_audited_and_checks_the_fair_window(w, app):
    fair = w["fair"]
    with app.test_request_context():
        category = ops.create_category(fair, _values(fair), w["staff"])
        second = ops.create_category(fair, _values(fair, name_th="ชุมชนคุณธรรม"), w["staff"])
        assert second.sort_order == category.sort_order + 1
        with pytest.raises(ops.OutsideFairWindow) as late:
            ops.create_category(fair, _values(fair, closes_on=fair.nomination_closes + timedelta(days=1)), w["staff"])
        assert late.value.field == "closes_on"
        with pytest.raises(ops.ClosesBeforeOpens):
            ops.create_category(fair, _values(fair, opens_on=fair.nomination_closes,
                                              closes_on=fair.nomination_opens), w["staff"])
        with pytest.raises(ops.FilesBelowMinimum):
            ops.create_category(fair, _values(fair, min_photos=5, min_pdfs=5, max_files=9), w["staff"])
        _db.session.commit()
    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "nomination.category_created")).all()
    assert [e.after["name_th"] for e in entries] == ["อำเภอคุณธรรม", "ชุมชนคุณธรรม"]


def test_update_category_records_only_what_changed(w, app):
    category = _category(w["fair"])
    with app.test_request_context():
        values = ops.snapshot(category)
        values.update(nominator_kind=NominatorKind(values["nominator_kind"]), name_th="ชุมชนคุณธรรมต้นแบบ ภาคเหนือ")
        ops.update_category(category, values, w["staff"])
        ops.update_category(category, values, w["staff"])  # nothing changed: no entry
        _db.session.commit()
    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "nomination.category_changed")).all()
    assert len(entries) == 1
    assert entries[0].before == {"name_th": "ชุมชนคุณธรรมต้นแบบ"}
    assert entries[0].after == {"name_th": "ชุมชนคุณธรรมต้นแบบ ภาคเหนือ"}


@pytest.mark.parametrize("change,error,field", [
    ({"nominator_kind": NominatorKind.self}, ops.NarrowedOnceNominated, "nominator_kind"),
    ({"nominator_kind": NominatorKind.office}, ops.NarrowedOnceNominated, "nominator_kind"),
    ({"eligible_sectors": ["education"]}, ops.NarrowedOnceNominated, "eligible_sectors"),
    ({"eligible_provinces": ["57"]}, ops.NarrowedOnceNominated, "eligible_provinces"),
    ({"max_files": 2}, ops.BelowFilesAttached, "max_files"),
    ({"narrative_max_chars": 200}, ops.BelowNarrativeWritten, "narrative_max_chars"),
])
def test_what_stays_once_a_category_has_nominations(w, app, change, error, field):
    category = _category(w["fair"], max_files=10)
    with app.test_request_context():
        values = {**ops.snapshot(category), "nominator_kind": category.nominator_kind, **change}
        ops.update_category(category, values, w["staff"])  # no nominations yet: anything goes
        _db.session.rollback()
        nomination = _draft(w, _db.session.get(Category, category.id), narratives={"sufficiency": "ก" * 300},
                            status=NominationStatus.submitted)
        for i in range(3):
            _db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=f"{i:032d}.jpg",
                                     original_name="a.jpg", size_bytes=1, sha256="0" * 64))
        _db.session.commit()
        category = _db.session.get(Category, category.id)
        values = {**ops.snapshot(category), "nominator_kind": category.nominator_kind, **change}
        with pytest.raises(error) as refused:
            ops.update_category(category, values, w["staff"])
        assert refused.value.field == field
        _db.session.rollback()


def test_drafts_alone_leave_the_conditions_open_but_bound_the_limits(w, app):
    """Drafts have not been received: who may nominate may narrow under them; the files and text they
    hold still bound the limits."""
    category = _category(w["fair"], max_files=10)
    nomination = _draft(w, category, narratives={"sufficiency": "ก" * 300})
    _db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=f"{7:032d}.jpg",
                             original_name="a.jpg", size_bytes=1, sha256="0" * 64))
    _db.session.commit()
    with app.test_request_context():
        base = {**ops.snapshot(category), "nominator_kind": NominatorKind.office, "nominee_kind": "community",
                "eligible_sectors": ["civil"]}
        ops.update_category(category, base, w["staff"])
        with pytest.raises(ops.BelowNarrativeWritten):
            ops.update_category(category, {**base, "narrative_max_chars": 299}, w["staff"])
        ops.update_category(category, {**base, "narrative_max_chars": 300, "max_files": 1}, w["staff"])
        _db.session.commit()
    category = _db.session.get(Category, category.id)
    assert (category.nominator_kind, category.nominee_kind, category.max_files) == (NominatorKind.office,
                                                                                     "community", 1)


def test_eligibility_may_widen_once_nominated(w, app):
    category = _category(w["fair"], eligible_sectors=["education"], eligible_provinces=["57"], max_files=10,
                         nominator_kind=NominatorKind.office)
    _draft(w, category, narratives={"sufficiency": "ก" * 100}, status=NominationStatus.eligible)
    with app.test_request_context():
        values = {**ops.snapshot(category), "nominator_kind": NominatorKind.both, "nominee_kind": "community",
                  "eligible_sectors": ["government", "education"], "eligible_provinces": [], "max_files": 12,
                  "narrative_max_chars": 100}
        ops.update_category(category, values, w["staff"])
        _db.session.commit()
    category = _db.session.get(Category, category.id)
    assert category.eligible_sectors == ["government", "education"] and category.eligible_provinces == []
    assert category.nominator_kind == NominatorKind.both and category.nominee_kind == "community"


def test_the_edit_page_shows_the_refusal_on_its_field_and_keeps_the_input(client, w, login_as, post_form):
    category = _category(w["fair"], opens_on=w["fair"].nomination_opens, closes_on=w["fair"].nomination_closes)
    _draft(w, category, status=NominationStatus.submitted)
    login_as(w["staff"])
    url = f"/fairs/{w['fair'].id}/nominations/categories/{category.id}"
    data = {"name_th": "ชุมชนคุณธรรมต้นแบบ ปรับชื่อ", "nominee_kind": "organization", "nominator_kind": "self",
            "opens_on": category.opens_on.isoformat(), "closes_on": category.closes_on.isoformat(),
            "max_per_nominator": "3", "sections": ["sufficiency"], "narrative_max_chars": "500",
            "min_photos": "0", "min_pdfs": "0", "max_files": "20"}
    response = post_form(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    field = re.search(r'<fieldset class="field has-error" id="nominator_kind".*?</fieldset>', page, re.S)
    assert field and "ประเภทรางวัลนี้มีการเสนอชื่อแล้ว จึงเพิ่มได้อย่างเดียว ตัดออกไม่ได้" in field.group(0)
    assert 'value="ชุมชนคุณธรรมต้นแบบ ปรับชื่อ"' in page
    assert _db.session.get(Category, category.id).name_th == "ชุมชนคุณธรรมต้นแบบ"
    assert _db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "nomination.category_changed")) is None


# ---- loaders ----

def test_get_or_404_refuses_a_row_of_another_parent(w, app):
    from werkzeug.exceptions import NotFound

    mine, other = _category(w["fair"]), _category(create_fair())
    with app.test_request_context():
        assert access.get_or_404(Category, mine.id, parent=w["fair"]) is mine
        for ident in (other.id, 999999):
            with pytest.raises(NotFound):
                access.get_or_404(Category, ident, parent=w["fair"])


def test_fair_page_buttons_follow_the_policies(client, w, login_as):
    open_category = _category(w["fair"])
    closed = _category(w["fair"], name_th="ปิดแล้ว", opens_on=today_local() - timedelta(days=9),
                       closes_on=today_local() - timedelta(days=2))
    url = f"/fairs/{w['fair'].id}/nominations"
    login_as(w["school_member"])
    page = client.get(url).get_data(as_text=True)
    assert f"/nominations/new/{open_category.id}" in page and f"/nominations/new/{closed.id}" not in page
    assert "/nominations/review" not in page and "/rubric" not in page
    login_as(w["staff"])
    page = client.get(url).get_data(as_text=True)
    assert "/nominations/new/" not in page and "/nominations/review" in page and "/rubric" in page


# ---- forms: a refusal lands on its field, the input stays ----

def test_a_narrative_too_long_names_its_own_field(w, app):
    """TooLong carries the form field of the section that is too long (attempt(form) puts it there), even
    when the section was written before the category's limit shrank."""
    category = _category(w["fair"], narrative_max_chars=250)
    nomination = _draft(w, category, narratives={"discipline": "ก" * 240})
    category.narrative_max_chars = 200
    _db.session.commit()
    with app.test_request_context(method="POST"):
        with pytest.raises(ops.TooLong) as long:
            ops.save_narratives(nomination, {"sufficiency": "ออมเงินวันละบาท"}, w["school_member"])
        assert long.value.field == "s_discipline" and "200" in str(long.value)
        with pytest.raises(ops.TooLong) as long:
            ops.save_narratives(nomination, {"discipline": "", "volunteer": "ก" * 201}, w["school_member"])
        assert long.value.field == "s_volunteer"


def test_decide_refuses_an_unknown_decision(w, app):
    category = _category(w["fair"])
    nomination = _draft(w, category, status=NominationStatus.submitted)
    with app.test_request_context():
        with pytest.raises(ops.UnknownDecision):
            ops.decide(nomination, "maybe", "", w["staff"])
        with pytest.raises(ops.CommentRequired) as missing:
            ops.decide(nomination, "return", "  ", w["staff"])
        assert missing.value.field == "comment"
        ops.decide(nomination, "eligible", "", w["staff"])
        assert isinstance(ops.decision_problem(nomination), ops.WrongStatus)
