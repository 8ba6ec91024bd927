"""Sign-up through the real form: what succeeds, and what each kind of bad input gets."""
import pytest

from fairapp.accounts.models import Membership, Organization, User
from fairapp.core.audit import AuditEntry
from tests.accounts.helpers import field_error
from tests.factories import create_org, create_user

GOOD = {
    "org_name_th": "ชุมชนคุณธรรมบ้านป่าซาง",
    "org_name_en": "Ban Pa Sang Moral Community",
    "sector": "civil",
    "province": "57",
    "district": "5701",
    "tax_id": "0994000165510",
    "title": "นางสาว",
    "first_name": "มะลิ",
    "last_name": "ศรีเวียง",
    "phone": "081 234 5678",
    "email": "mali@example.org",
    "password": "ตลาดนัด-คุณธรรม-2569",
    "password2": "ตลาดนัด-คุณธรรม-2569",
    "accept": "y",
}


def _count(db):
    return (db.session.query(User).count(), db.session.query(Organization).count(),
            db.session.query(Membership).count())


def test_signup_creates_org_owner_and_sends_confirmation(client, db, post_form, outbox):
    response = post_form("/signup", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    user = db.session.query(User).filter_by(email="mali@example.org").one()
    org = db.session.query(Organization).one()
    assert user.phone == "+66812345678"
    assert user.full_name == "นางสาวมะลิ ศรีเวียง"
    assert not user.email_confirmed
    assert org.name_th == "ชุมชนคุณธรรมบ้านป่าซาง" and org.tax_id == "0994000165510"
    assert org.province_code == "57" and org.district_code == "5701"
    assert user.memberships[0].role == "owner"
    assert db.session.query(AuditEntry).filter_by(action="organization.registered").count() == 1
    mails = outbox()
    assert len(mails) == 1 and mails[0].to == "mali@example.org"
    assert "/confirm/" in mails[0].body
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "ชุมชนคุณธรรมบ้านป่าซาง" in dashboard
    assert "กรุณายืนยันอีเมล" in dashboard


def test_signup_tax_id_is_optional_and_dashes_allowed(client, db, post_form):
    assert post_form("/signup", {**GOOD, "tax_id": ""}).status_code == 302
    assert db.session.query(Organization).one().tax_id is None


def test_tax_id_with_dashes_is_normalized(db, post_form):
    assert post_form("/signup", {**GOOD, "tax_id": "0-9940-00165-51-0"}).status_code == 302
    assert db.session.query(Organization).one().tax_id == "0994000165510"


@pytest.mark.parametrize("field,value,message", [
    ("tax_id", "0994000165511", "หลักตรวจสอบไม่ตรง"),
    ("tax_id", "12345", "ตัวเลข 13 หลัก"),
    ("phone", "+1 202 555 0143", "ไม่ใช่เบอร์ในประเทศไทย"),
    ("phone", "12", "ไม่ใช่เบอร์ในประเทศไทย"),
    ("email", "not-an-email", "อีเมลนี้ไม่ถูกต้อง"),
    # Not just "อย่างน้อย 10 ตัวอักษร": the field's hint says that on every page.
    ("password", "short", "รหัสผ่านต้องยาวอย่างน้อย 10 ตัวอักษร"),
    ("password", "password123", "เดาง่ายเกินไป"),
    ("password", "aaaaaaaaaaaa", "เดาง่ายเกินไป"),
    ("password", "mali-mali-mali", "เดาง่ายเกินไป"),  # contains the email's name
    ("password2", "something-else-entirely", "ไม่ตรงกัน"),
    ("district", "1001", "ไม่อยู่ในจังหวัดที่เลือก"),
    ("province", "", "กรุณาเลือกจังหวัด"),
    ("sector", "", "กรุณาเลือกภาคี"),
    ("sector", "aliens", "ไม่มีในรายการ"),
    ("org_name_th", "", "กรุณากรอกชื่อองค์กร"),
    ("org_name_th", "ก" * 201, "ไม่เกิน 200"),
    ("accept", "", "ยืนยันว่าได้อ่านประกาศความเป็นส่วนตัว"),
])
def test_bad_input_is_explained_kept_and_nothing_saved(db, post_form, field, value, message):
    data = {**GOOD, field: value}
    if field == "password":
        data["password2"] = value
    if not value:
        data.pop(field)
    response = post_form("/signup", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in field_error(html, field)  # under the field it is about, not just somewhere
    assert "error-summary" in html
    # What was typed is kept (passwords aside).
    if field != "org_name_th":
        assert 'value="ชุมชนคุณธรรมบ้านป่าซาง"' in html
    if field != "email":
        assert 'value="mali@example.org"' in html
    assert 'value="มะลิ"' in html
    assert "ตลาดนัด-คุณธรรม-2569" not in html
    if field not in ("province", "district"):
        assert '<option selected value="5701">' in html
    assert _count(db) == (0, 0, 0)


def test_duplicate_email_is_refused_nothing_half_written(db, post_form):
    create_user("mali@example.org")
    before = _count(db)
    html = post_form("/signup", GOOD).get_data(as_text=True)
    assert "อีเมลนี้มีบัญชีอยู่แล้ว" in html
    assert 'value="ชุมชนคุณธรรมบ้านป่าซาง"' in html
    assert _count(db) == before  # the organization was not saved without its user


def test_duplicate_email_any_case(db, post_form):
    create_user("mali@example.org")
    html = post_form("/signup", {**GOOD, "email": "MALI@Example.ORG"}).get_data(as_text=True)
    assert "อีเมลนี้มีบัญชีอยู่แล้ว" in html


def test_duplicate_tax_id_is_refused(db, post_form):
    create_org("วัดพระธาตุ", tax_id="0994000165510")
    html = post_form("/signup", GOOD).get_data(as_text=True)
    assert "เลขประจำตัว 13 หลักนี้ลงทะเบียนไว้แล้ว" in html
    assert db.session.query(User).count() == 0


def test_missing_csrf_keeps_the_form(client, db):
    response = client.post("/signup", data=GOOD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "แบบฟอร์มหมดอายุ" in html
    assert 'value="ชุมชนคุณธรรมบ้านป่าซาง"' in html
    assert _count(db) == (0, 0, 0)


def test_monk_title_free_text_with_its_explicit_consent(db, post_form):
    """A monastic title tells of religious belief (PDPA s.26): kept only with the explicit consent box."""
    data = {**GOOD, "title": "พระครูสุธรรมโสภิต", "last_name": ""}
    refused = post_form("/signup", data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "ข้อมูลความเชื่อทางศาสนา" in html and 'id="religion_consent-error"' in html
    assert 'value="พระครูสุธรรมโสภิต"' in html and db.session.query(User).count() == 0  # kept, nothing saved
    assert post_form("/signup", {**data, "religion_consent": "y"}).status_code == 302
    user = db.session.query(User).one()
    assert user.full_name == "พระครูสุธรรมโสภิตมะลิ" and user.religion_consent_at is not None


def test_a_lay_title_needs_no_consent_and_records_none(db, post_form):
    assert post_form("/signup", {**GOOD, "religion_consent": "y"}).status_code == 302
    assert db.session.query(User).one().religion_consent_at is None


def test_signed_in_user_is_sent_to_dashboard(client, db, login_as):
    login_as(create_user())
    response = client.get("/signup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")


def test_signup_page_query_count(client, db, count_queries):
    with count_queries() as n:
        assert client.get("/signup").status_code == 200
    assert n[0] == 0  # the form's lists come from memory (provinces, sectors)
