"""The public check: /verify/<serial> says valid, revoked, superseded or not found, in HTML and JSON,
forgives how the serial was typed, catches typos without asking the database, checks an uploaded PDF
by its hash, checks a QR's signature, reveals nothing about other certificates, and is rate-limited."""
import io

import pytest

from fairapp.certificates import operations as ops
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world
from tests.conftest import csrf_token_from

JSON = {"Accept": "application/json"}


@pytest.fixture
def w(app, db):
    return build_issued_world(app, db)


def test_valid_in_html_and_json(client, w):
    html = client.get(f"/verify/{w.cert.grouped_serial}").get_data(as_text=True)
    assert "เกียรติบัตรนี้ออกจริงและใช้ได้" in html and "นางสาวมาลี ใจงาม" in html
    assert w.cert.pdf_sha256 in html and "พ.ศ." in html and w.fair.name_th in html
    data = client.get(f"/verify/{w.cert.grouped_serial}", headers=JSON).get_json()
    assert data["status"] == "valid" and data["holder"] == "นางสาวมาลี ใจงาม"
    assert data["pdf_sha256"] == w.cert.pdf_sha256 and data["date"] == w.cert.given_on.isoformat()
    assert data["award_or_role"] == "ผู้เข้าร่วมงาน"


def test_the_page_in_both_languages(client, w):
    """The verdict, the role and the date in the language asked for, and nothing of the other (the
    holder's name and the fair's Thai name aside: data)."""
    html = client.get(f"/verify/{w.cert.grouped_serial}").get_data(as_text=True)
    assert "เกียรติบัตรนี้ออกจริงและใช้ได้" in html and "ผู้เข้าร่วมงาน" in html and "พ.ศ." in html
    assert "genuinely issued" not in html and "Participant" not in html and "B.E." not in html
    client.get("/lang/en")
    html = client.get(f"/verify/{w.cert.grouped_serial}").get_data(as_text=True)
    assert "This certificate was genuinely issued and is valid" in html and "B.E." in html
    assert "<dd>Participant</dd>" in html
    assert "เกียรติบัตรนี้ออกจริงและใช้ได้" not in html and "ผู้เข้าร่วมงาน" not in html and "พ.ศ." not in html
    # The JSON keeps its documented shape: the award or role as printed on the certificate.
    assert client.get(f"/verify/{w.cert.grouped_serial}", headers=JSON).get_json()["award_or_role"] == "ผู้เข้าร่วมงาน"


def test_typed_forms_redirect_to_the_grouped_serial(client, w):
    compact = w.cert.serial.lower()
    response = client.get(f"/verify/{compact}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/verify/{w.cert.grouped_serial}")
    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    spaced = " " + " ".join(compact)  # "m c 6 8 ...": spaces anywhere are forgiven
    response = client.post("/verify", data={"csrf_token": token, "serial": spaced})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{w.cert.grouped_serial}")
    # Too long to be a serial: the form says so (400), it does not guess.
    response = client.post("/verify", data={"csrf_token": token, "serial": compact + "X" * 10})
    assert response.status_code == 400 and "16 ตัวอักษร" in response.get_data(as_text=True)
    response = client.post("/verify", data={"csrf_token": token, "serial": compact})
    assert response.status_code == 302 and response.headers["Location"].endswith(w.cert.grouped_serial)


def test_a_typo_is_caught_by_the_check_character(client, w):
    serial = w.cert.grouped_serial
    # the last two swapped (any adjacent swap changes the weighted sum mod 31); the same two: one changed
    other = "3" if serial[-1] == "2" else "2"
    typo = serial[:-2] + serial[-1] + serial[-2] if serial[-1] != serial[-2] else serial[:-1] + other
    assert typo != serial
    response = client.get(f"/verify/{typo}", headers=JSON)
    assert response.status_code == 404 and response.get_json()["status"] == "invalid"
    assert "พิมพ์ผิด" in response.get_json()["message"]


def test_not_found_reveals_nothing(client, w):
    from fairapp.certificates import serials
    answers = set()
    for _ in range(3):
        stranger = serials.grouped(serials.new_serial("MC69"))
        response = client.get(f"/verify/{stranger}", headers=JSON)
        body = response.get_json()
        assert response.status_code == 404 and body["status"] == "not_found"
        answers.add(tuple(sorted(k for k in body)))
    assert answers == {("serial", "status")}  # the same shape, nothing else, whatever the serial


def test_revoked_and_superseded(client, w, app, db):
    with app.test_request_context(), unit_of_work():
        new = ops.reissue(w.cert, "สะกดชื่อผิด", w.staff, holder_name="นางสาวมาลี ใจงามดี")
        ops.revoke(w.other, "มอบผิดคน", w.staff, public_reason="issued_in_error")
    data = client.get(f"/verify/{w.cert.grouped_serial}", headers=JSON).get_json()
    assert data["status"] == "superseded" and data["superseded_by"] == new.grouped_serial
    html = client.get(f"/verify/{w.cert.grouped_serial}").get_data(as_text=True)
    assert "มีฉบับใหม่แทนแล้ว" in html and new.grouped_serial in html
    data = client.get(f"/verify/{w.other.grouped_serial}", headers=JSON).get_json()
    assert data["status"] == "revoked" and data["revoked_reason_code"] == "issued_in_error"
    html = client.get(f"/verify/{w.other.grouped_serial}").get_data(as_text=True)
    assert "ถูกเพิกถอนแล้ว" in html and "ออกเกียรติบัตรโดยคลาดเคลื่อน" in html
    assert "มอบผิดคน" not in html and "มอบผิดคน" not in str(data)  # the staff's note is not public
    assert client.get(f"/verify/{new.grouped_serial}", headers=JSON).get_json()["status"] == "valid"


def test_upload_a_pdf_to_check_its_hash(client, w):
    data = storage().read(w.cert.pdf_key)
    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    response = client.post("/verify", data={"csrf_token": token, "pdf": (io.BytesIO(data), "mine.pdf")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "SHA-256 ตรงกัน" in html and "นางสาวมาลี ใจงาม" in html
    changed = data.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in data else data + b"\n%x"
    response = client.post("/verify", data={"csrf_token": token, "pdf": (io.BytesIO(changed), "mine.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 404 and "ไม่ตรงกับเกียรติบัตรที่ระบบออก" in response.get_data(as_text=True)
    response = client.post("/verify", data={"csrf_token": token, "pdf": (io.BytesIO(b"GIF89a..."), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "ไม่ใช่ PDF" in response.get_data(as_text=True)


def test_the_qr_link_is_checked_online(client, w):
    url = f"/verify/{w.cert.grouped_serial}?q={w.cert.token}"
    data = client.get(url, headers=JSON).get_json()
    assert data["qr"] == {"signature": "valid", "matches_record": True}
    # A genuine signature of another certificate under this serial: signed, but not this one.
    data = client.get(f"/verify/{w.cert.grouped_serial}?q={w.other.token}", headers=JSON).get_json()
    assert data["qr"] == {"signature": "valid", "matches_record": False}
    payload, signature = w.cert.token.split(".")
    forged = f"{payload}.{signature[:10]}{'B' if signature[10] != 'B' else 'C'}{signature[11:]}"
    data = client.get(f"/verify/{w.cert.grouped_serial}?q={forged}", headers=JSON).get_json()
    assert data["qr"] == {"signature": "invalid"}
    html = client.get(f"/verify/{w.cert.grouped_serial}?q={forged}").get_data(as_text=True)
    assert "อาจถูกปลอมแปลง" in html


def test_rate_limited(client, w, app):
    limit = int(app.config["CERTIFICATE_RATE_LIMIT"].split()[0])
    codes = [client.get(f"/verify/{w.cert.grouped_serial}", headers=JSON).status_code for _ in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[-1] == 429
