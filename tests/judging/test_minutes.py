"""The minutes PDF: Thai shaped through core.pdf, extractable by pdftotext (names, tie-break note, signature
lines), rendered to PNG in shots/ for a person to look at."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fairapp.core.time import today_local

from tests.judging.test_chair_views import build_world, score_all

SHOTS = Path(__file__).resolve().parents[2] / "shots"


@pytest.fixture
def world(db):
    w = build_world(db)
    score_all(db, w)
    return w


def _minutes(client, login_as, post_form, w, finalize=True):
    login_as(w.chair)
    page = f"/judging/categories/{w.category.id}/chair"
    if finalize:
        assert post_form(f"/judging/categories/{w.category.id}/finalize", {}, page=page).status_code == 302
    response = client.get(f"/judging/categories/{w.category.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_minutes_text_has_names_scores_tie_note_and_signatures(client, login_as, post_form, world, tmp_path):
    data = _minutes(client, login_as, post_form, world)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for name in ("เทศบาลตำบลแม่ยาว", "โรงพยาบาลเชียงรายประชานุเคราะห์", "สำนักงานวัฒนธรรมจังหวัดเชียงราย"):
        assert name in text
    assert "เสมอกัน ตัดสินด้วยคะแนนเกณฑ์" in text and "การมีส่วนร่วมของชุมชน" in text
    assert "62.50" in text
    # the ranked rows with their scores and levels ("ต้นแบบ" alone would match the category's name)
    assert re.search(r"^1 +สำนักงานวัฒนธรรมจังหวัดเชียงราย \(#\d+\) +87\.50 ต้นแบบ", text, re.M)
    assert re.search(r"^2 +โรงพยาบาลเชียงรายประชานุเคราะห์ \(#\d+\) +50\.00 เชิดชูเกียรติ", text, re.M)
    assert "ผศ.ดร.กมล ทองดี" in text and "ประธานกรรมการ" in text and "ลงชื่อ" in text
    assert str(today_local().year + 543) in text  # the B.E. date of finalizing
    assert "ฉบับร่าง" not in text


def test_minutes_before_finalizing_say_draft(client, login_as, post_form, world, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    data = _minutes(client, login_as, post_form, world, finalize=False)
    path = tmp_path / "draft.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "ฉบับร่าง" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_minutes_render_to_png(client, login_as, post_form, world, tmp_path):
    data = _minutes(client, login_as, post_form, world)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(data)
    SHOTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(path), str(SHOTS / "judging-minutes")], check=True)
    pages = sorted(SHOTS.glob("judging-minutes*.png"))
    assert pages and pages[0].stat().st_size > 10_000
