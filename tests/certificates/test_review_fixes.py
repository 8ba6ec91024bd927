"""What a review of the certificates found, each fixed and pinned here: malformed QR payloads never crash
/verify; a batch never prints a certificate revoked after it was made; a revoked certificate cannot be
reissued into a valid one; two batches issuing the same people both finish, without duplicates; a dead
render process does not break later batches; different participants stay different; a resumed batch keeps
the site its QR codes name; holders never download a revoked PDF; a failed batch can be retried."""
import io
import shutil
import subprocess
from concurrent.futures.process import BrokenProcessPool

import pytest
from PIL import Image
from pypdf import PdfReader

from fairapp.certificates import batches, bundles, operations as ops, signing
from fairapp.certificates.batch_render import read_certificate
from fairapp.certificates.models import Certificate, CertificatePrint, PrintBatch
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_cert_world

JSON = {"Accept": "application/json"}


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _batch(app, w, kind="judge", names=""):
    with app.test_request_context(base_url="https://certs.example.go.th"), unit_of_work():
        candidates = ops.candidates_for(w.fair, kind, lines=names)
        batch = batches.create(w.fair, kind, candidates, w.staff, "ชุดทดสอบ")
        return batch.id


def _run(app, batch_id):
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id)


@pytest.mark.parametrize("payload", [b"[" * 5000, b'{"v":1,"kid":[1]}', b'{"v":1,"kid":"x","h":{"a":1}}',
                                     b'{"v":1,"kid":{"a":1},"s":"MC"}'])
def test_malformed_qr_payloads_are_refused_not_crashed(client, app, db, payload, w):
    token = signing.b64e(payload) + "." + signing.b64e(b"x" * 64)
    from fairapp.certificates import serials
    serial = serials.grouped(serials.new_serial("MC69"))
    response = client.get(f"/verify/{serial}?q={token}", headers=JSON)
    assert response.status_code == 404 and response.get_json()["qr"] == {"signature": "invalid"}
    result = app.test_cli_runner().invoke(args=["certificates", "verify-qr", token])
    assert result.exit_code == 1 and "INVALID" in result.output


def test_a_batch_never_prints_a_certificate_revoked_after_it_was_made(app, client, login_as, post_form, w, db):
    batch_id = _batch(app, w)
    _run(app, batch_id)
    batch = db.session.get(PrintBatch, batch_id)
    first, second = [db.session.get(Certificate, i) for i in batches.certificate_ids(batch)]
    with app.test_request_context(), unit_of_work():
        ops.revoke(first, "มอบผิดคน", w.staff)
    login_as(w.staff)
    page = f"/certificates/batches/{batch_id}"
    response = post_form(f"/certificates/batches/{batch_id}/print", {}, page=page)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and second.grouped_serial in reader.pages[0].extract_text()
    assert [p.certificate_id for p in CertificatePrint.query] == [second.id]


def test_a_revoked_certificate_cannot_be_reissued(app, w, db):
    with app.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
        ops.revoke(cert, "ทุจริต", w.staff)
        with pytest.raises(ops.AlreadyRevoked):
            ops.reissue(cert, "ขอใหม่", w.staff, holder_name="ชื่อใหม่")
    assert [c.status for c in Certificate.query] == ["revoked"]


def _files() -> set[str]:
    return {p.name for p in storage().root.rglob("*") if p.is_file()} if storage().root.exists() else set()


def test_two_batches_issuing_the_same_people_both_finish_without_duplicates(app, w, db, monkeypatch):
    before = _files()
    a, b = _batch(app, w), _batch(app, w)
    original = batches.render_chunk
    state = {"ran_a": False}

    def render_then_let_a_win(jobs):
        if not state["ran_a"]:  # batch B is rendering: batch A runs from start to end meanwhile
            state["ran_a"] = True
            _run(app, a)
        return original(jobs)
    monkeypatch.setattr(batches, "render_chunk", render_then_let_a_win)
    _run(app, b)
    db.session.expire_all()
    assert [db.session.get(PrintBatch, i).status for i in (a, b)] == ["done", "done"]
    assert Certificate.query.count() == 2  # each judge once
    assert batches.certificate_ids(db.session.get(PrintBatch, a)) == batches.certificate_ids(db.session.get(PrintBatch, b))
    # B's first try (its own PDFs and chunk) was undone by its savepoint: no file is left without a row.
    files = _files() - before
    owned = {(bundles.part_of(c.pdf_key) or [c.pdf_key])[0] for c in Certificate.query}  # a bundle or its own
    owned |= {db.session.get(PrintBatch, i).result_key for i in (a, b)}
    owned |= {k for i in (a, b) for k in db.session.get(PrintBatch, i).chunk_keys.values() if k}  # printable chunks
    assert files == owned


def test_a_dead_render_process_does_not_break_the_batch(app, w, db, monkeypatch):
    class Broken:
        def submit(self, *args):
            raise BrokenProcessPool("a worker died")
    monkeypatch.setattr(batches, "pool", lambda workers: Broken())
    batch_id = _batch(app, w)
    _run(app, batch_id)
    assert db.session.get(PrintBatch, batch_id).status == "done"


def test_different_participants_stay_different(app, w):
    with app.test_request_context():
        people = ops.participant_candidates(w.fair, "นายน้ำ ใจดี | โรงเรียนก\nนายนำ ใจดี | โรงเรียนข\n"
                                                    "สมชาย ใจดี | ก\nสมชาย ใจดี | ข\nสมชาย  ใจดี | ก")
    assert [p.holder_name for p in people] == ["นายน้ำ ใจดี", "นายนำ ใจดี", "สมชาย ใจดี", "สมชาย ใจดี"]
    assert len({p.subject_key for p in people}) == 4


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_a_resumed_batch_keeps_the_site_its_qr_codes_name(app, w, db, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    app.config["BASE_URL"] = ops.LOOPBACK_BASE
    try:
        batch_id = _batch(app, w)  # asked from https://certs.example.go.th, not run yet
        assert db.session.get(PrintBatch, batch_id).base_url == "https://certs.example.go.th"
        assert batches.run_waiting(app) == 1  # as `flask certificates work` runs it, with no request
        path = tmp_path / "c.pdf"
        path.write_bytes(read_certificate(storage(), Certificate.query.first().pdf_key))
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "certs.example.go.th/verify" in text and "127.0.0.1" not in text
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "c")], check=True)
        with Image.open(tmp_path / "c.png") as image:
            (code,) = zxingcpp.read_barcodes(image)
        assert code.text.startswith("https://certs.example.go.th/verify/")
    finally:
        app.config["BASE_URL"] = "https://fair.example.org"


def test_holders_never_download_a_revoked_pdf(app, client, login_as, w, db):
    with app.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
    judge = w.judge1 if cert.subject_key == f"judge:{w.judge1.id}" else w.judge2
    login_as(judge)
    assert client.get(f"/my/certificates/{cert.id}.pdf").status_code == 200
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(Certificate, cert.id), "มอบผิดคน", w.staff)
    assert client.get(f"/my/certificates/{cert.id}.pdf").status_code == 404


def test_a_failed_batch_can_be_retried(app, client, login_as, post_form, w, db, monkeypatch):
    batch_id = _batch(app, w)

    def boom(jobs):
        raise RuntimeError("disk full")
    with monkeypatch.context() as patch:
        patch.setattr(batches, "render_chunk", boom)
        _run(app, batch_id)
    assert db.session.get(PrintBatch, batch_id).status == "failed"
    login_as(w.staff)
    page = f"/certificates/batches/{batch_id}"
    assert "ลองใหม่" in client.get(page).get_data(as_text=True)
    assert post_form(f"/certificates/batches/{batch_id}/retry", {}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(PrintBatch, batch_id).status == "done"
