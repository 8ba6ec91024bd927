"""Exhibitor passes: the signed token, the printable PDF, and who may see the pass pages."""
from __future__ import annotations

import io
import re
import subprocess
from types import SimpleNamespace

import pytest
from itsdangerous import URLSafeSerializer
from PIL import Image, ImageChops
from pypdf import PdfReader

from fairapp.booths.models import Application, Booth, BoothPerson, BoothType, Status
from fairapp.booths.passes import (PassForged, PassOtherFair, make_pass_token, qr_png, read_pass_token,
                                   render_pass_pdf)
from tests.factories import create_fair, create_org, create_user, grant

ORG = "สำนักงานวัฒนธรรมจังหวัดเชียงราย"
LONG_ORG = ("มหาวิทยาลัยมหาจุฬาลงกรณราชวิทยาลัย วิทยาลัยสงฆ์เชียงราย และเครือข่ายชุมชนคุณธรรม"
            "น้อมนำหลักปรัชญาของเศรษฐกิจพอเพียงบ้านป่าซาง")


def booth_world(db, *, org_name: str = ORG, code: str = "A01", zone: str = "A", allocated: bool = True,
                status: Status = Status.approved, fair=None, people=(("นาย", "ก้องภพ", "ใจดี"),), thai_numerals=False):
    """A fair with a booth type, an organization (a member), its application and maybe its booth; staff."""
    fair = fair or create_fair(thai_numerals=thai_numerals)
    org = create_org(org_name)
    member = create_user(org=org)
    booth_type = BoothType(fair_id=fair.id, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=50)
    db.session.add(booth_type)
    db.session.flush()
    application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                              status=status, show_text="นิทรรศการผ้าทอ")
    application.people = [BoothPerson(position=i, title=title, first_name=first, last_name=last)
                          for i, (title, first, last) in enumerate(people)]
    db.session.add(application)
    db.session.flush()
    booth = Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=code, zone=zone, x=1, y=1, w=1, h=1,
                  application_id=application.id if allocated else None)
    db.session.add(booth)
    db.session.commit()
    return SimpleNamespace(fair=fair, org=org, member=member, booth_type=booth_type, application=application,
                           booth=booth)


@pytest.fixture
def ctx(app, db):
    """A request context: named errors translate their message when raised."""
    with app.test_request_context():
        yield


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


# ---- the token ----

def test_token_round_trip_is_short_and_url_safe(db):
    w = booth_world(db)
    token = make_pass_token(w.application)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token) and len(token) <= 48
    assert read_pass_token(token, w.fair) is w.application
    assert read_pass_token(f"  {token}\n", w.fair) is w.application  # a scanner's stray whitespace


@pytest.mark.parametrize("forge", [
    # The signature's first character (its last one may only carry base64 padding bits).
    lambda t: t[:t.rindex(".") + 1] + ("A" if t[t.rindex(".") + 1] != "A" else "B") + t[t.rindex(".") + 2:],
    lambda t: "WzEsOTldLg" + t[t.index("."):],                       # payload changed, old signature
    lambda t: "",
    lambda t: "hello world",
    lambda t: "https://example.org/?pass=" + t,
    lambda t: "%%%." * 40,
])
def test_forged_tokens_are_refused(db, ctx, forge):
    w = booth_world(db)
    with pytest.raises(PassForged) as info:
        read_pass_token(forge(make_pass_token(w.application)), w.fair)
    assert "ปลอม" in str(info.value)


def test_tokens_signed_otherwise_are_refused(app, db, ctx):
    w = booth_world(db)
    payload = [w.fair.id, w.application.id]
    for serializer in (URLSafeSerializer("another-secret", salt="fairapp.booth-pass"),
                       URLSafeSerializer(app.config["SECRET_KEY"], salt="fairapp.other-purpose")):
        with pytest.raises(PassForged):
            read_pass_token(serializer.dumps(payload), w.fair)
    genuine = URLSafeSerializer(app.config["SECRET_KEY"], salt="fairapp.booth-pass")
    for odd in ([w.fair.id], [w.fair.id, str(w.application.id)], {"a": 1}, [w.fair.id, True],
                [w.fair.id, 999999]):
        with pytest.raises(PassForged):
            read_pass_token(genuine.dumps(odd), w.fair)


def test_a_pass_of_another_fair_says_which(db, ctx):
    here = booth_world(db)
    there = booth_world(db, fair=create_fair("ตลาดนัดคุณธรรม จังหวัดน่าน"), code="B01")
    with pytest.raises(PassOtherFair) as info:
        read_pass_token(make_pass_token(there.application), here.fair)
    assert "ตลาดนัดคุณธรรม จังหวัดน่าน" in str(info.value)


# ---- the PDF ----

def test_pass_pdf_has_the_names_code_dates_and_the_qr(db):
    w = booth_world(db, people=(("นาย", "ก้องภพ", "ใจดี"), ("นางสาว", "ผู้ใหญ่", "ที่นี่")))
    data = render_pass_pdf(w.application)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (298, 420)  # A6
    text = pdftotext(data)
    for expected in (ORG, "A01", "โซน A", w.fair.name_th, "บูธมาตรฐาน", "ก้องภพ ใจดี", "ผู้ใหญ่ ที่นี่",
                     str(w.fair.starts_on.year + 543), "บัตรผู้ออกบูธ"):
        assert expected in text, f"{expected!r} not in the PDF's text"
    # The QR is the pass token, drawn from the PNG the qrcode library made.
    image = reader.pages[0].images[0].image.convert("1")
    want = Image.open(io.BytesIO(qr_png(make_pass_token(w.application)))).convert("1")
    assert image.size == want.size and ImageChops.difference(image, want).getbbox() is None


def test_pass_pdf_wraps_a_long_organization_name_and_many_people(db):
    people = tuple(("นางสาว", f"สมศรี{i}", "ใจงาม") for i in range(8))
    w = booth_world(db, org_name=LONG_ORG, code="C12", zone="เต็นท์", people=people)
    text = pdftotext(render_pass_pdf(w.application))
    assert LONG_ORG.replace(" ", "") in re.sub(r"\s+", "", text)
    assert "โซน เต็นท์" in text and "C12" in text
    assert "และอีก 4 คน" in text  # four names shown, the rest counted


def test_pass_pdf_uses_thai_numerals_when_the_fair_does(db):
    w = booth_world(db, thai_numerals=True)
    text = pdftotext(render_pass_pdf(w.application))
    year = str(w.fair.starts_on.year + 543).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert year in text and "A01" in text  # booth codes stay as printed on the floor plan


def test_pass_pdf_is_a_pure_function_of_the_data(db):
    w = booth_world(db)
    assert render_pass_pdf(w.application) == render_pass_pdf(w.application)


def test_pass_pdf_needs_a_booth(db):
    w = booth_world(db, allocated=False)
    with pytest.raises(ValueError):
        render_pass_pdf(w.application)


# ---- the pass pages ----

def _people(db, w):
    other = create_user(org=create_org("ชุมชนอื่น"))
    staff, judge, chair = create_user(), create_user(), create_user()
    grant(w.fair, staff, "staff")
    grant(w.fair, judge, "judge")
    grant(w.fair, chair, "chair")
    other_staff = create_user()
    grant(create_fair(), other_staff, "staff")
    return {"org_member": w.member, "other_org_member": other, "staff": staff, "judge": judge, "chair": chair,
            "admin": create_user(admin=True), "staff_of_another_fair": other_staff}


@pytest.mark.parametrize("role, expect", [
    ("org_member", 200), ("other_org_member", 404), ("staff", 200), ("judge", 404), ("chair", 404),
    ("admin", 200), ("staff_of_another_fair", 404)])
def test_who_sees_the_pass(client, login_as, db, role, expect):
    w = booth_world(db)
    login_as(_people(db, w)[role])
    page = client.get(f"/booths/{w.application.id}/pass")
    pdf = client.get(f"/booths/{w.application.id}/pass.pdf")
    assert page.status_code == expect and pdf.status_code == expect
    if expect == 200:
        html = page.get_data(as_text=True)
        assert "A01" in html and ORG in html and "<svg" in html and 'class="qr"' in html
        assert "style=" not in html and "<script>" not in html  # the CSP allows neither
        assert pdf.mimetype == "application/pdf" and "no-store" in pdf.headers["Cache-Control"]
        assert ORG in pdftotext(pdf.data)


def test_pass_needs_signing_in(client, db):
    w = booth_world(db)
    for url in (f"/booths/{w.application.id}/pass", f"/booths/{w.application.id}/pass.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/booths/999999/pass").status_code == 302


def test_missing_application_is_404(client, login_as, db):
    login_as(create_user(admin=True))
    assert client.get("/booths/999999/pass").status_code == 404
    assert client.get("/booths/999999/pass.pdf").status_code == 404


@pytest.mark.parametrize("status, words", [
    (Status.approved, "ยังไม่ได้รับการจัดสรรตำแหน่งบูธ"),
    (Status.submitted, "บัตรจะออกให้เมื่อใบสมัครได้รับการอนุมัติและจัดสรรบูธแล้ว"),
])
def test_no_pass_before_a_booth_is_allocated(client, login_as, db, status, words):
    w = booth_world(db, allocated=False, status=status)
    login_as(w.member)
    page = client.get(f"/booths/{w.application.id}/pass")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and words in html and "<svg" not in html
    response = client.get(f"/booths/{w.application.id}/pass.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/booths/{w.application.id}/pass")
    assert "ยังไม่มีบัตรผู้ออกบูธ" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_qr_on_screen_is_the_token(client, login_as, db):
    from fairapp.booths.passes import qr_svg
    w = booth_world(db)
    login_as(w.member)
    html = client.get(f"/booths/{w.application.id}/pass").get_data(as_text=True)
    path = re.search(r'<path fill="#000" d="([^"]+)"', html).group(1)
    assert path in str(qr_svg(make_pass_token(w.application)))
