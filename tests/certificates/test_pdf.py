"""Certificates as PDFs: Thai shaped and stacked right (compared with reviewed reference images, with a
tolerance that a lost or displaced tone mark exceeds), text extraction gives back the exact Thai, B.E.
dates in Thai numerals when the fair asks, long names fit, and the QR read back from the rendered page
verifies online and offline."""
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from fairapp.certificates import operations as ops, signing
from fairapp.certificates.render import BOLD, fit_lines, render_one
from fairapp.core import pdf
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work

from tests.certificates.thai_samples import DESIGN, LONG_ORG, SAMPLES
from tests.certificates.world import build_cert_world

REFERENCE = Path(__file__).resolve().parent / "reference"
SHOTS = Path(__file__).resolve().parents[2] / "shots"
poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
# The most pixels (150 dpi, grey) in any 16 x 16 tile that may differ from the reference by more than a
# quarter of the grey scale. Anti-aliasing noise is scattered, a mark is a cluster: a lost or moved tone
# mark puts many times this into one tile (test_the_tolerance_catches_a_lost_or_displaced_mark).
MAX_DIFFERENT_PIXELS = 8
TILE = 16


def _png(data: bytes, tmp_path: Path, name: str, dpi: str = "150") -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", dpi, "-singlefile", str(path), str(tmp_path / name)],
                   check=True)
    return tmp_path / f"{name}.png"


def _different_pixels(a: Path, b: Path) -> int:
    with Image.open(a) as left, Image.open(b) as right:
        assert left.size == right.size
        diff = ImageChops.difference(left.convert("L"), right.convert("L")).point(lambda v: 255 if v > 64 else 0)
    worst = 0
    if diff.getbbox() is None:
        return 0
    x0, y0, x1, y1 = diff.getbbox()
    for top in range(y0 - y0 % TILE, y1, TILE // 2):  # overlapping tiles: a cluster on a tile edge counts whole
        for left_edge in range(x0 - x0 % TILE, x1, TILE // 2):
            worst = max(worst, diff.crop((left_edge, top, left_edge + TILE, top + TILE)).histogram()[255])
    return worst


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@poppler
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_rendering_matches_the_reviewed_reference(name, tmp_path):
    rendered = _png(render_one(DESIGN, SAMPLES[name]), tmp_path, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(rendered, SHOTS / f"certificate-reference-{name}.png")
    assert _different_pixels(rendered, REFERENCE / f"{name}.png") <= MAX_DIFFERENT_PIXELS


@poppler
def test_the_tolerance_catches_a_lost_or_displaced_mark(tmp_path, monkeypatch):
    reference = REFERENCE / "marks.png"
    # ที่นี่ without its first tone mark.
    lost = replace(SAMPLES["marks"], holder="ผู้ใหญ่ ทีนี่ ญี่ปุ่น")
    lost_diff = _different_pixels(_png(render_one(DESIGN, lost), tmp_path, "lost"), reference)
    # ก๋วยเตี๋ยว with the tone mark on the second syllable only.
    moved = replace(SAMPLES["marks"], holder_org="น้ำ ฐู ก๋วยเตียว")
    moved_diff = _different_pixels(_png(render_one(DESIGN, moved), tmp_path, "moved"), reference)
    # No shaping at all: marks drawn where ReportLab puts them by itself (floating, colliding).
    monkeypatch.setattr(pdf, "_shaped", lambda text, font: text)
    unshaped_diff = _different_pixels(_png(render_one(DESIGN, SAMPLES["marks"]), tmp_path, "unshaped"), reference)
    print("worst tile: lost", lost_diff, "moved", moved_diff, "unshaped", unshaped_diff)
    assert min(lost_diff, moved_diff, unshaped_diff) > 3 * MAX_DIFFERENT_PIXELS, (lost_diff, moved_diff, unshaped_diff)


@poppler
def test_pdftotext_gives_back_the_exact_thai(tmp_path):
    text = unicodedata.normalize("NFC", _text(render_one(DESIGN, SAMPLES["marks"]), tmp_path))
    for word in ("ผู้ใหญ่", "ที่นี่", "ญี่ปุ่น", "น้ำ", "ฐู", "ก๋วยเตี๋ยว", "เกียรติบัตร", "ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า",
                 "ศูนย์คุณธรรม (องค์การมหาชน)", "MC68-7K2M-QX9D-R4TX"):
        assert word in text, word
    assert "13 พฤศจิกายน พ.ศ.\u00a02568" in text  # the era and the year joined by a no-break space
    long_text = _text(render_one(DESIGN, SAMPLES["long-name"]), tmp_path)
    assert LONG_ORG in long_text.replace("\n", "").replace(" ", "")


def test_long_names_shrink_then_wrap_at_a_word_boundary():
    width = 600
    lines, size = fit_lines(LONG_ORG, BOLD, width, 32, 20, 2, 24)
    assert lines == [LONG_ORG] and 20 <= size < 32  # 60 characters: shrunk, one line
    longer = LONG_ORG + "จังหวัดเชียงรายและภาคีเครือข่ายภาคเหนือตอนบน"
    lines, size = fit_lines(longer, BOLD, width, 32, 20, 2, 24)
    assert len(lines) == 2 and "".join(lines) == longer
    assert all(pdf.text_width(line, BOLD, size) <= width for line in lines)
    assert unicodedata.category(lines[1][0]) not in ("Mn", "Mc")  # never starts with a mark or vowel sign
    assert len(lines[0]) in pdf._boundaries("word", longer)  # the break is between two Thai words
    huge = longer * 4
    lines, size = fit_lines(huge, BOLD, width, 32, 20, 2, 24)
    assert len(lines) == 2 and lines[-1].endswith("…") and size == 20
    assert all(pdf.text_width(line, BOLD, size) <= width for line in lines)


@pytest.fixture
def issued(app, db):
    w = build_cert_world(db)
    w.fair.thai_numerals = True
    with app.test_request_context(), unit_of_work():
        (w.cert,), _ = ops.issue(w.fair, ops.participant_candidates(w.fair, "นางสาวก๋วยเตี๋ยว ที่นี่ | ผู้ใหญ่บ้านน้ำฐู"),
                                 w.staff)
    return w


@poppler
def test_an_issued_certificate_in_thai_numerals(issued, tmp_path):
    text = _text(storage().read(issued.cert.pdf_key), tmp_path)
    assert "นางสาวก๋วยเตี๋ยว ที่นี่" in text and "ผู้ใหญ่บ้านน้ำฐู" in text
    day = issued.cert.given_on
    from fairapp.core.thai import thai_digits
    assert thai_digits(str(day.year + 543)) in text and str(day.year + 543) not in text.split("เลขที่")[0]


@poppler
def test_the_qr_read_from_the_page_verifies_online_and_offline(issued, tmp_path, client, app):
    zxingcpp = pytest.importorskip("zxingcpp")
    page = _png(storage().read(issued.cert.pdf_key), tmp_path, "issued", dpi="200")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(page, SHOTS / "certificate-issued-qr.png")
    with Image.open(page) as image:
        codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1
    scanned = codes[0].text
    assert scanned == signing.qr_url("https://fair.example.org", issued.cert.grouped_serial, issued.cert.token)
    # Online: the link itself, as a phone would open it.
    path = scanned.replace("https://fair.example.org", "")
    data = client.get(path, headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "valid" and data["qr"] == {"signature": "valid", "matches_record": True}
    # Offline: the command with the published key, no database.
    runner = app.test_cli_runner()
    key_file = tmp_path / "key.pem"
    key_file.write_text(client.get("/verify/public-key.pem").get_data(as_text=True))
    result = runner.invoke(args=["certificates", "verify-qr", scanned, "--public-key", str(key_file), "--offline"])
    assert result.exit_code == 0 and "นางสาวก๋วยเตี๋ยว ที่นี่" in result.output
    tampered = scanned.replace(issued.cert.token.split(".")[0],
                               signing.b64e(signing.b64d(issued.cert.token.split(".")[0]).replace(
                                   "ที่นี่".encode(), "ที่โน่น".encode())))
    result = runner.invoke(args=["certificates", "verify-qr", tampered, "--public-key", str(key_file)])
    assert result.exit_code == 1 and "INVALID" in result.output


def test_the_qr_operators_are_the_runs_of_dark_modules():
    """qr_ops finds each row's runs with a regular expression: exactly the rectangles the runs of qr.runs
    make (the same bytes a certificate always had: its stored SHA-256 stays checkable by a re-render)."""
    from fairapp.certificates.render import qr_ops
    from fairapp.core import qr

    for data in ("https://fair.example.org/verify/TH57-2568-0001", "x" * 300, "เกียรติบัตร " * 9):
        x, y, size = 53.858, 76.535, 73.7
        matrix = qr.matrix(data, border=0, mask=2)
        cell = size / len(matrix)
        expected = ["q 0 g"] + [f"{x + col * cell:.3f} {y + size - (row + 1) * cell:.3f} {length * cell:.3f} "
                                f"{cell:.3f} re" for row, col, length in qr.runs(matrix)] + ["f Q"]
        assert qr_ops(data, x, y, size) == "\n".join(expected)
