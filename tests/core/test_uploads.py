"""core.uploads: evidence (photos, PDFs) and booth images are accepted by content, cleaned, or refused
with a message naming the file, and nothing refused stays stored."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from fairapp.core import pdf_check, uploads
from fairapp.core.storage import LocalStorage, storage
from fairapp.core.uploads import UploadRefused, accept_evidence, accept_image, display_name, download_name, sniff
from tests.nominations.hostile import (HTML, good_pdf, image_bytes, jpeg_with_gps, noise_jpeg, pdf_catalog_aa,
                                       pdf_embedded, pdf_encrypted, pdf_launch, pdf_open_action_js, png_bomb)


class Upload(io.BytesIO):
    """What werkzeug hands a view: a stream with a filename."""

    def __init__(self, data: bytes, filename: str):
        super().__init__(data)
        self.filename = filename
        self.stream = self


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    with app.test_request_context():
        yield tmp_path / "uploads"


def stored_files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def refused(data: bytes, name: str, **kw) -> str:
    with pytest.raises(UploadRefused) as exc:
        accept_evidence(Upload(data, name), **kw)
    return str(exc.value)


# ---- sniffing and names ----

def test_sniff_reads_the_first_bytes_only():
    assert sniff(image_bytes("JPEG")) == "jpg"
    assert sniff(image_bytes("PNG")) == "png"
    assert sniff(image_bytes("WEBP")) == "webp"
    assert sniff(good_pdf()) == "pdf"
    assert sniff(b"\r\n  %PDF-1.4\n") == "pdf"          # whitespace before the header is allowed
    assert sniff(b"MZ" + good_pdf()) is None            # anything else before it is not
    assert sniff(b"RIFF\x00\x00\x00\x00WAVE") is None
    assert sniff(image_bytes("GIF", mode="P")) is None
    assert sniff(HTML) is None and sniff(b"") is None


def test_display_name_keeps_the_last_part_and_drops_control_characters():
    assert display_name("../../etc/passwd.jpg") == "passwd.jpg"
    assert display_name("C:\\fakepath\\รูปกิจกรรม.JPG") == "รูปกิจกรรม.JPG"
    assert display_name("evil\x00.jpg") == "evil.jpg"
    assert display_name("photo\u202egpj.exe") == "photogpj.exe"
    long = display_name("ก" * 500 + ".pdf")
    assert len(long) <= uploads.MAX_NAME_CHARS and long.endswith(".pdf")
    assert display_name("") and display_name(None) and display_name("\x00\x01")


def test_download_name_matches_what_is_served():
    assert download_name("report.pdf", "a" * 32 + ".pdf") == "report.pdf"
    assert download_name("photo.JPEG", "a" * 32 + ".jpg") == "photo.JPEG"
    assert download_name("evil.html", "a" * 32 + ".jpg") == "evil.html.jpg"
    assert download_name("scan.pdf", "a" * 32 + ".png") == "scan.pdf.png"


# ---- photos ----

def test_photo_is_reencoded_without_exif_or_gps_and_turned_upright(store):
    original = jpeg_with_gps()
    assert b"Exif" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    accepted = accept_evidence(Upload(original, "วัดร่องขุ่น.jpg"))
    assert accepted.kind == "photo" and accepted.name == "วัดร่องขุ่น.jpg"
    data = storage().read(accepted.key)
    assert accepted.key.endswith(".jpg") and accepted.size == len(data)
    assert accepted.sha256 == hashlib.sha256(data).hexdigest()
    assert b"Exif" not in data and b"HostileCam" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and image.getexif().get_ifd(0x8825) == {}
    assert (image.width, image.height) == (80, 120) == (accepted.width, accepted.height)  # orientation 6 applied
    assert stored_files(store) == {accepted.key}  # the thumbnail is a job's (nominations.jobs), later


def test_photo_is_scaled_to_the_cap_and_its_thumbnail_is_made_from_the_stored_photo(store):
    accepted = accept_evidence(Upload(image_bytes("PNG", (3200, 1600)), "wide.png"))
    assert (accepted.width, accepted.height) == (uploads.MAX_EVIDENCE_SIDE, uploads.MAX_EVIDENCE_SIDE // 2)
    assert accepted.key.endswith(".png") and accepted.keys == [accepted.key]
    assert stored_files(store) == {accepted.key}  # no thumbnail in the request
    thumb = Image.open(io.BytesIO(uploads.evidence_thumbnail(storage().read(accepted.key))))
    assert thumb.format == "JPEG" and thumb.size == (uploads.THUMB_SIDE, uploads.THUMB_SIDE // 2)


def test_a_thumbnail_of_a_transparent_photo_is_on_white(store):
    accepted = accept_evidence(Upload(image_bytes("PNG", (40, 40), mode="RGBA", color=(0, 0, 0, 0)), "logo.png"))
    thumb = Image.open(io.BytesIO(uploads.evidence_thumbnail(storage().read(accepted.key))))
    assert thumb.format == "JPEG" and thumb.mode == "RGB" and thumb.getpixel((20, 20)) == (255, 255, 255)


def test_a_thumbnail_of_bytes_that_do_not_decode_is_refused_by_name():
    with pytest.raises(UploadRefused, match="a.jpg"):
        uploads.evidence_thumbnail(noise_jpeg((60, 60))[:200], "a.jpg")


def test_png_with_alpha_and_webp_are_kept_in_their_format(store):
    png = accept_evidence(Upload(image_bytes("PNG", (40, 40), mode="RGBA", color=(0, 0, 0, 0)), "logo.png"))
    assert Image.open(io.BytesIO(storage().read(png.key))).mode == "RGBA"
    webp = accept_evidence(Upload(image_bytes("WEBP", (40, 40)), "x.webp"))
    assert webp.key.endswith(".webp") and Image.open(io.BytesIO(storage().read(webp.key))).format == "WEBP"


def test_content_decides_not_the_name(store):
    accepted = accept_evidence(Upload(noise_jpeg((50, 50)), "really-a-photo.pdf"))
    assert accepted.kind == "photo" and accepted.key.endswith(".jpg")
    message = refused(HTML, "holiday.jpg")
    assert "holiday.jpg" in message and "JPEG" in message


def test_truncated_photos_are_refused_and_nothing_is_stored(store):
    data = noise_jpeg()
    assert "truncated.jpg" in refused(data[:len(data) // 2], "truncated.jpg")
    png = image_bytes("PNG", (200, 200))
    assert "cut.png" in refused(png[:-20], "cut.png")
    assert stored_files(store) == set()


def test_decompression_bomb_is_refused_by_its_pixel_count(store):
    message = refused(png_bomb(), "bomb.png")
    assert "bomb.png" in message and "64" in message
    assert stored_files(store) == set()


def test_size_limits_name_the_file_and_the_limit(store):
    assert refused(b"\xff\xd8\xff" + bytes(uploads.MAX_PHOTO_BYTES), "big.jpg") == "ไฟล์ big.jpg ใหญ่เกิน 10 MB"
    assert refused(b"%PDF-1.4\n" + bytes(uploads.MAX_PDF_BYTES), "report.pdf") == "ไฟล์ report.pdf ใหญ่เกิน 20 MB"
    # A PDF between the photo and the PDF limit is fine as far as size goes.
    assert "12" not in refused(b"%PDF-1.4\n" + bytes(12 * uploads.MB), "mid.pdf")
    assert refused(noise_jpeg((900, 900)), "small.jpg", max_bytes=uploads.MB // 2) == "ไฟล์ small.jpg ใหญ่เกิน 0.5 MB"
    assert refused(b"", "empty.pdf") == "ไฟล์ empty.pdf ว่างเปล่า"


def test_reading_stops_after_the_limit():
    class Counting(Upload):
        read_total = 0

        def read(self, n=-1):
            data = super().read(n)
            Counting.read_total += len(data)
            return data

    upload = Counting(bytes(30 * uploads.MB), "huge.bin")
    assert len(uploads._read_limited(upload, uploads.MAX_PDF_BYTES)) == uploads.MAX_PDF_BYTES + 1
    assert Counting.read_total == uploads.MAX_PDF_BYTES + 1


def test_a_photo_is_stored_once_and_a_failed_save_leaves_nothing_behind(store, monkeypatch):
    real_save = LocalStorage.save
    calls = []

    def save_then_fail(self, data, ext):
        calls.append(ext)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, data, ext)

    monkeypatch.setattr(LocalStorage, "save", save_then_fail)
    first = accept_evidence(Upload(noise_jpeg((60, 60)), "a.jpg"))
    assert calls == ["jpg"] and stored_files(store) == {first.key}  # one save: the photo, no thumbnail
    with pytest.raises(OSError):
        accept_evidence(Upload(noise_jpeg((60, 60)), "b.jpg"))
    assert calls == ["jpg", "jpg"] and stored_files(store) == {first.key}


def test_discard_deletes_every_key(store):
    accepted = accept_evidence(Upload(noise_jpeg((60, 60)), "a.jpg"))
    assert len(stored_files(store)) == 1
    accepted.discard()
    assert stored_files(store) == set()


# ---- PDFs ----

def test_good_pdf_is_stored_as_uploaded_with_its_page_count(store):
    data = good_pdf()
    accepted = accept_evidence(Upload(data, "รายงานผลการดำเนินงาน.pdf"))
    assert accepted.kind == "pdf" and accepted.pages == 2 and not accepted.flagged and accepted.keys == [accepted.key]
    assert storage().read(accepted.key) == data and accepted.sha256 == hashlib.sha256(data).hexdigest()
    assert accepted.size == len(data) and stored_files(store) == {accepted.key}


@pytest.mark.parametrize("make,words", [
    (pdf_encrypted, "รหัสผ่าน"), (lambda: pdf_encrypted(user=""), "รหัสผ่าน"),
    (pdf_open_action_js, "สคริปต์"), (pdf_catalog_aa, "สคริปต์"), (pdf_launch, "สคริปต์"),
    (pdf_embedded, "ไฟล์อื่นฝัง"),
])
def test_dangerous_pdfs_are_refused(store, make, words):
    message = refused(make(), "report.pdf")
    assert "report.pdf" in message and words in message
    assert stored_files(store) == set()


def test_broken_pdfs_are_refused(store):
    data = good_pdf()
    for broken in (data[:len(data) // 2], data[:-8], b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"%%EOF"):
        assert "เสียหรือไม่สมบูรณ์" in refused(broken, "broken.pdf")
    assert stored_files(store) == set()


def test_a_pdf_pypdf_must_repair_is_accepted_but_flagged(store):
    data = good_pdf().replace(b"startxref\n", b"startxref\n1")   # the xref offset is wrong
    accepted = accept_evidence(Upload(data, "scanner.pdf"))
    assert accepted.flagged and accepted.note and accepted.pages == 2


def test_page_cap(store, monkeypatch):
    monkeypatch.setattr(pdf_check, "MAX_PDF_PAGES", 1)
    assert refused(good_pdf(), "long.pdf") == "ไฟล์ long.pdf มี 2 หน้า เกิน 1 หน้า"


# ---- booths keep accept_image ----

def test_accept_image_still_returns_a_key(store):
    key = accept_image(Upload(jpeg_with_gps(), "booth.jpg"))
    assert key.endswith(".jpg") and b"Exif" not in storage().read(key)
    with pytest.raises(UploadRefused):
        accept_image(Upload(HTML, "booth.jpg"))
    with pytest.raises(UploadRefused):
        accept_image(Upload(png_bomb(), "bomb.png"))
