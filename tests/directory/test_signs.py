"""The booth signs PDF: fair staff only (refused as the fair's other staff pages are), one A5 page per
confirmed booth by booth code, the organization's name extractable exactly (shaped Thai with
/ActualText), and a QR that reads back as the exhibitor's absolute address."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from fairapp.booths.models import Status
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.directory.test_directory import exhibitor
from tests.factories import create_fair, create_org, create_user, grant

poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
NAME = "วิสาหกิจชุมชนผู้ใหญ่บ้านน้ำปี้ ที่นี่ญี่ปุ่น"


@pytest.fixture
def world(db):
    fair = create_fair()
    booth_type = create_booth_type(fair, capacity=50)
    return fair, booth_type


def test_staff_get_one_a5_page_per_confirmed_booth(client, login_as, world):
    fair, booth_type = world
    staff = create_user()
    grant(fair, staff, "staff")
    exhibitor(fair, booth_type, NAME, code="A10")
    exhibitor(fair, booth_type, "วัดพระธาตุดอยตุง", code="A2")
    exhibitor(fair, booth_type, "โรงเรียนบ้านป่าซาง", code="B01")
    create_application(fair, create_org("ยังรอพิจารณา"), booth_type, Status.submitted)
    create_booth(fair, booth_type, "C01")  # an empty booth: no sign
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/exhibitors/signs.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3
    for page in reader.pages:  # A5 portrait: 148 x 210 mm
        assert round(float(page.mediabox.width)) == 420 and round(float(page.mediabox.height)) == 595
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True,
                              check=True).stdout.decode()
        pages = text.split("\f")
        assert "A2" in pages[0] and "A10" in pages[1] and "B01" in pages[2]  # by booth code, as people read
        assert NAME in " ".join(pages[1].split()) or all(w in pages[1] for w in NAME.split())
        assert "ยังรอพิจารณา" not in text and "C01" not in text
        assert "ก้องภพ" not in text  # no person's name on a public sign


def test_no_exhibitors_yet_is_one_page_saying_so(client, login_as, world):
    fair, _ = world
    staff = create_user()
    grant(fair, staff, "staff")
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/exhibitors/signs.pdf")
    assert response.status_code == 200 and len(PdfReader(io.BytesIO(response.data)).pages) == 1


def test_refused_to_everyone_but_the_fairs_staff(client, login_as, world):
    fair, booth_type = world
    exhibitor(fair, booth_type, NAME)
    url = f"/fairs/{fair.id}/exhibitors/signs.pdf"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    judge, visitor, other_staff = create_user(), create_user(org=create_org()), create_user()
    grant(fair, judge, "judge")
    grant(create_fair(), other_staff, "staff")
    for user, status in ((judge, 403), (visitor, 404), (other_staff, 404)):
        login_as(user)
        assert client.get(url).status_code == status
    login_as(create_user(admin=True))
    assert client.get(url).status_code == 200
    assert client.get("/fairs/999999/exhibitors/signs.pdf").status_code == 404


@poppler
def test_the_qr_reads_back_as_the_exhibitors_page(client, login_as, world, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    fair, booth_type = world
    staff = create_user()
    grant(fair, staff, "staff")
    application = exhibitor(fair, booth_type, NAME, code="A01")
    login_as(staff)
    (tmp_path / "signs.pdf").write_bytes(client.get(f"/fairs/{fair.id}/exhibitors/signs.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "signs.pdf"),
                    str(tmp_path / "sign")], check=True)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "sign.png"))
    assert [c.text for c in codes] == [f"http://localhost/fairs/{fair.id}/exhibitors/{application.id}"]
    assert client.get(codes[0].text.removeprefix("http://localhost")).status_code == 200


def test_the_directory_offers_the_signs_to_staff_only(client, login_as, world):
    fair, _ = world
    url = f"/fairs/{fair.id}/exhibitors"
    assert 'id="signs-link"' not in client.get(url).get_data(as_text=True)
    staff = create_user()
    grant(fair, staff, "staff")
    login_as(staff)
    assert f'id="signs-link" href="{url}/signs.pdf"' in client.get(url).get_data(as_text=True)
