"""Small stored certificates (CERTIFICATE_PACKED): a batch stores each certificate as its PDF with the
artwork every certificate shows cut out and stored once, under its SHA-256; the PDF read back is byte for
byte the one issued (the row's SHA-256), and looks the same."""
import hashlib
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from fairapp import demo_art
from fairapp.certificates import batch_render, batches, bundles, operations as ops, printing
from fairapp.certificates.models import Certificate
from fairapp.core.storage import local_storage, storage

from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นางสาวทดสอบ ที่นี่{i:03d} | ชุมชนที่ {i}" for i in range(1, 13))


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _run_batch(app, w, db, names=NAMES) -> list[Certificate]:
    with app.test_request_context():
        template = w.templates["participant"]
        if not template.background_key:  # artwork as a fair uploads it
            template.background_key = storage().save(demo_art.background(), "jpg")
            template.logo_keys = [storage().save(demo_art.emblem(), "png"),
                                  storage().save(demo_art.emblem((30, 100, 60), 6), "png")]
            template.signatories = [{"name": "นายสมชาย ใจดี", "position": "ผู้อำนวยการ",
                                     "signature_key": storage().save(demo_art.signature(1), "png")}]
        batch = batches.create(w.fair, "participant", ops.participant_candidates(w.fair, names), w.staff,
                               "ผู้เข้าร่วมงาน", chunk_size=5)
        db.session.commit()
        assert batches.claim(batch.id)
        batches.run(batch.id)
        db.session.expire_all()
        return Certificate.query.order_by(Certificate.id).all()


def _files() -> dict[str, int]:
    return {key: path.stat().st_size for key, path in local_storage().keys()}


def test_a_packed_certificate_is_small_and_reads_back_as_issued(app, w, db, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_PACKED", True)
    before = _files()
    certificates = _run_batch(app, w, db)
    assert len(certificates) == 12
    added = {k: v for k, v in _files().items() if k not in before}
    with app.test_request_context():
        for cert in certificates:
            key, _, size = bundles.part_of(cert.pdf_key)  # a chunk's certificates: parts of one file
            assert key in added and size <= 60 * 1024, size
            data = printing.certificate_pdf(cert)
            assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == cert.pdf_sha256
            assert len(data) > 150 * 1024  # the artwork is in the PDF served
            assert PdfReader(io.BytesIO(data)).metadata["/Title"] == f"เกียรติบัตร {cert.grouped_serial}"
        # The artwork, fonts and fixed parts are stored once, not once per certificate (the same few for
        # every pack, whichever test stored them first), and a second batch adds none of them.
        blobs = _named_blobs(certificates)
        assert 1 <= len(blobs) <= 16 and all(storage().exists(k) for k in blobs)  # images, masks, fonts, fixed part
    again = _files()
    more = _run_batch(app, w, db, names="นายใหม่ มาทีหลัง | ชุมชนใหม่")
    new_files = set(_files()) - set(again)
    with app.test_request_context():
        assert _named_blobs(more) == blobs
    assert not (new_files & blobs) and len(more) == 13


def _named_blobs(certificates) -> set[str]:
    """The keys of the shared streams the certificates' packs leave out."""
    import json
    keys = set()
    for cert in certificates:
        stored = bundles.read(storage(), cert.pdf_key)
        assert stored.startswith(batch_render.PACK_MAGIC)
        header = stored[len(batch_render.PACK_MAGIC):stored.index(b"\n", len(batch_render.PACK_MAGIC))]
        keys |= {batch_render.blob_key(digest) for _, _, digest in json.loads(header)}
    return keys


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_a_packed_certificate_looks_the_same(app, w, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_PACKED", True)
    cert = _run_batch(app, w, db, names="นางสาวก๋วยเตี๋ยว ที่นี่ | ชุมชนป่าซาง")[0]
    with app.test_request_context():
        served = printing.certificate_pdf(cert)
        whole = ops.render_one(ops.design_for(cert.template), ops.face_for(cert))
    pictures = []
    for name, data in (("served", served), ("whole", whole)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        pictures.append((tmp_path / f"{name}.png").read_bytes())
    from PIL import Image, ImageChops
    a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in pictures)
    assert a.size == b.size
    # The same picture (the page copied out of its chunk draws the fixed part as a form: at most the page's
    # outermost column of pixels differs by rounding).
    changed = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 8 else 0).histogram()[255]
    assert changed <= a.size[1], changed
    text = subprocess.run(["pdftotext", str(tmp_path / "served.pdf"), "-"], capture_output=True, text=True).stdout
    assert "นางสาวก๋วยเตี๋ยว ที่นี่" in text and cert.grouped_serial in text


def test_unpacked_certificates_still_read_and_pack_round_trips(app, w, db, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_PACKED", False)  # whole PDFs, as before packing (or by choice)
    cert = _run_batch(app, w, db, names="นายเดิม ใจดี | ชุมชนเดิม")[0]
    with app.test_request_context():
        data = printing.certificate_pdf(cert)
        assert data == storage().read(cert.pdf_key) and hashlib.sha256(data).hexdigest() == cert.pdf_sha256
    streams = [b"A" * 2000, b"B" * 3000]
    original = b"head" + streams[1] + b"middle" + streams[0] + b"tail" + b"C" * 5000
    packed = batch_render.pack(original, streams + [b"never there" * 200])
    assert len(packed) < len(original) - 4000
    blobs = {hashlib.sha256(s).hexdigest(): s for s in streams}
    assert batch_render.unpack(packed, blobs.__getitem__) == original
    assert batch_render.unpack(original, blobs.__getitem__) == original


def test_a_packed_certificate_downloads_and_previews_as_issued(app, w, db, client, login_as, monkeypatch):
    """The staff's download, the print copy and the PNG preview read a packed certificate through
    printing.certificate_pdf: the bytes issued (the row's SHA-256), never the small stored form."""
    monkeypatch.setitem(app.config, "CERTIFICATE_PACKED", True)
    cert = _run_batch(app, w, db, names="นางสาวดาวน์โหลด ได้ครบ | ชุมชนป่าซาง")[0]
    login_as(w.staff)
    served = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == cert.pdf_sha256
    preview = client.get(f"/certificates/{cert.id}/preview.png")
    assert preview.status_code == 200 and preview.data[:8] == b"\x89PNG\r\n\x1a\n"
