"""The PDF dossier: Thai shaped and extractable (pdftotext gives the exact text back), narratives that
flow over pages, photos two to a page, the attached PDFs listed; a PNG of each page in shots/."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from fairapp.nominations.dossier import render_dossier
from fairapp.nominations.models import Nomination, NominationStatus
from tests.factories import create_org
from tests.nominations.test_staff import own_uploads  # noqa: F401  (autouse: photos in a folder of the test's own)
from tests.nominations.test_staff import NARRATIVE, NOMINEE, make_category, make_nomination, world

SHOTS = Path(__file__).resolve().parents[2] / "shots"
LONG = " ".join([NARRATIVE] * 3) + NARRATIVE * 14   # with and without spaces: breaks at Thai word boundaries
MARKS = "ผู้ใหญ่บ้านที่นี่น้ำใจงาม ญี่ปุ่นมาดูงาน กตัญญูรู้คุณ"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftotext, pdftoppm) is not installed")


def pdftotext(data: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def _nomination(db, photos=2, pdfs=1) -> Nomination:
    w = world(db)
    narratives = {"sufficiency": LONG, "discipline": MARKS, "integrity": "ทำบัญชีรับจ่ายเปิดเผยทุกเดือน",
                  "volunteer": ("ทุกวันเสาร์ จิตอาสาในชุมชนช่วยกันดูแลแปลงผัก\n\nและนำผักไปส่งถึงบ้านผู้สูงอายุ " * 6),
                  "gratitude": "", "outcomes": NARRATIVE}
    nomination = make_nomination(w.category, w.org, narratives=narratives, photos=photos, pdfs=pdfs)
    nomination.review_note = "ขอให้ส่งภาพกิจกรรมเพิ่มเติม"
    nomination.status = NominationStatus.returned
    db.session.commit()
    return nomination


@needs_poppler
def test_dossier_text_is_exact_thai(db, app):
    nomination = _nomination(db)
    with app.test_request_context():
        data = render_dossier(nomination, "th")
    text = pdftotext(data)
    flat = re.sub(r"\s+", "", text)
    assert NOMINEE in text
    assert re.sub(r"\s+", "", LONG) in flat            # the long narrative, over several lines, every mark kept
    assert NARRATIVE in text                          # a short one, on one line, exactly
    assert MARKS in text
    for heading in ("พอเพียง", "วินัย", "สุจริต", "จิตอาสา", "กตัญญู", "ผลลัพธ์ที่เกิดขึ้น"):
        assert heading in text
    assert "องค์กรคุณธรรมต้นแบบ ภาคประชาสังคม" in text   # the category
    assert "ส่งกลับให้แก้ไข" in text and "ขอให้ส่งภาพกิจกรรมเพิ่มเติม" in text
    assert re.search(r"พ\.ศ\.\s25\d\d", text)          # dates in B.E.
    assert "แปลงผักของชุมชน ภาพที่ 1" in text and "แปลงผักของชุมชน ภาพที่ 2" in text
    assert "รายงานผลการดำเนินงาน0.pdf" in text and "12 หน้า" in text
    # The long narrative wraps: no line of it is wider than the text column.
    reader = PdfReader(io.BytesIO(data))
    assert all(float(p.mediabox.width) == pytest.approx(595.28, abs=0.1) for p in reader.pages)  # A4 portrait
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', pdftotext(data, "-bbox"))
    assert words and all(float(x0) >= 56 and float(x1) <= 595.28 - 56 for x0, x1 in words)


@needs_poppler
def test_dossier_pages_and_photos(db, app):
    nomination = _nomination(db, photos=3)
    with app.test_request_context():
        data = render_dossier(nomination, "th")
    reader = PdfReader(io.BytesIO(data))
    images = [len(page.images) for page in reader.pages]
    # narrative pages, then two photos on a page and one on the next, then the PDF list
    assert images[-3:] == [2, 1, 0] and sum(images) == 3
    assert len(reader.pages) >= 5


@needs_poppler
def test_dossier_with_two_photos_as_png(db, app):
    """The pages as PNGs in shots/ (looked at: marks stacked, nothing past the margins)."""
    nomination = _nomination(db, photos=2)
    with app.test_request_context():
        data = render_dossier(nomination, "th")
    reader = PdfReader(io.BytesIO(data))
    assert [len(page.images) for page in reader.pages][-2:] == [2, 0]
    SHOTS.mkdir(exist_ok=True)
    for old in SHOTS.glob("nomination-dossier-*.png"):
        old.unlink()
    (SHOTS / "nomination-dossier.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(SHOTS / "nomination-dossier.pdf"),
                    str(SHOTS / "nomination-dossier")], check=True)
    subprocess.run(["pdftoppm", "-r", "220", "-f", "1", "-l", "1", "-png", "-x", "0", "-y", "0", "-W", "1000",
                    "-H", "900", str(SHOTS / "nomination-dossier.pdf"), str(SHOTS / "nomination-dossier-zoom")],
                   check=True)
    assert len(list(SHOTS.glob("nomination-dossier-*.png"))) == len(reader.pages) + 1


@needs_poppler
def test_dossier_of_a_community_with_a_missing_photo_file_and_thai_digits(db, app):
    w = world(db)
    w.fair.thai_numerals = True
    category = make_category(w.fair, name_th="ชุมชนคุณธรรมต้นแบบ", nominee_kind="community")
    office = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย")
    nomination = make_nomination(category, office, community="ชุมชนบ้านป่าซาง", photos=1, pdfs=0)
    from fairapp.core.storage import storage

    storage().delete(nomination.evidence[0].storage_key)
    with app.test_request_context():
        data = render_dossier(nomination, "th")
    text = pdftotext(data)
    assert "ชุมชนบ้านป่าซาง" in text and "เมืองเชียงราย" in text
    assert "อ่านไฟล์รูปภาพนี้ไม่ได้" in text
    assert re.search(r"พ\.ศ\.\s๒๕[๐-๙]{2}", text)


def test_dossier_route(db, client, login_as):
    w = world(db)
    login_as(w.member)
    response = client.get(f"/nominations/{w.nomination.id}/dossier.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    name = f"nomination-{w.nomination.id}.pdf"
    assert response.headers["Content-Disposition"] == f"inline; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.get_data().startswith(b"%PDF-")
