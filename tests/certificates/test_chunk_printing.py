"""Printing that starts at once: each finished chunk of a batch is a PDF staff can print while the next
ones render, in order, from the batch page (its progress lists them); printing a chunk records the copies as
the batch print does; the merge joins the chunks streamed, with one copy of the artwork."""
import io

import pytest
from pypdf import PdfReader

from fairapp.certificates import batches, operations as ops
from sqlalchemy import select

from fairapp.certificates.models import CertificatePrint, PrintBatch, PrintBatchChunk
from fairapp.certificates.render import render_pages
from fairapp.core.storage import storage

from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นายทดสอบ ผู้ใหญ่{i:03d} | ชุมชนที่ {i}" for i in range(1, 31))


@pytest.fixture
def w(db, login_as):
    w = build_cert_world(db)
    login_as(w.staff)
    return w


def _batch(app, w, db, size=10, art=False) -> int:
    with app.test_request_context():
        if art:  # artwork as a fair uploads it: a background, two emblems
            from fairapp import demo_art
            template = w.templates["participant"]
            template.background_key = storage().save(demo_art.background(), "jpg")
            template.logo_keys = [storage().save(demo_art.emblem(), "png"), storage().save(demo_art.emblem(), "png")]
        candidates = ops.participant_candidates(w.fair, NAMES)
        batch = batches.create(w.fair, "participant", candidates, w.staff, "ผู้เข้าร่วมงาน", chunk_size=size)
        db.session.commit()
        return batch.id


def _token(client, url) -> str:
    from tests.conftest import csrf_token_from
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _prints() -> int:
    return CertificatePrint.query.count()


def test_a_finished_chunk_prints_while_the_rest_renders(app, client, w, db):
    batch_id = _batch(app, w, db)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id, stop_after=1)  # the first chunk is done, two still to render
    page = f"/certificates/batches/{batch_id}"
    progress = client.get(f"{page}/progress").get_json()
    assert progress["status"] == "running"
    assert [(c["index"], c["first"], c["last"]) for c in progress["chunks"]] == [(0, 1, 10)]
    action = progress["chunks"][0]["action"]
    assert action == f"{page}/chunks/0/print" and action in client.get(page).get_data(as_text=True)

    response = client.post(action, data={"csrf_token": _token(client, page)})
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 10 and "ผู้ใหญ่001" in reader.pages[0].extract_text()
    db.session.expire_all()
    assert _prints() == 10 and {p.via for p in CertificatePrint.query} == {"batch"}

    # Again: the same confirmation the batch print asks for; nothing recorded without it.
    again = client.post(action, data={"csrf_token": _token(client, page)})
    assert again.status_code == 302 and _prints() == 10
    html = client.get(page).get_data(as_text=True)
    assert "ชุดนี้มี 10 ฉบับที่พิมพ์ไปแล้ว" in html and 'name="confirm"' in html
    confirmed = client.post(action, data={"csrf_token": _token(client, page), "confirm": "y"})
    assert confirmed.status_code == 200 and _prints() == 20

    # A chunk not rendered yet cannot be printed.
    early = client.post(f"{page}/chunks/1/print", data={"csrf_token": _token(client, page)})
    assert early.status_code == 302 and _prints() == 20

    with app.test_request_context():
        batches.run(batch_id)
    db.session.expire_all()
    progress = client.get(f"{page}/progress").get_json()
    assert progress["status"] == "done"
    assert [(c["first"], c["last"]) for c in progress["chunks"]] == [(1, 10), (11, 20), (21, 30)]
    # The whole batch now asks before printing the ten printed from the chunk again.
    refused = client.post(f"{page}/print", data={"csrf_token": _token(client, page)})
    assert refused.status_code == 302 and _prints() == 20
    # The chunks stay printable after the merge.
    last = client.post(f"{page}/chunks/2/print", data={"csrf_token": _token(client, page)})
    assert last.status_code == 200 and len(PdfReader(io.BytesIO(last.get_data())).pages) == 10
    assert _prints() == 30


def test_a_chunk_leaves_out_a_certificate_revoked_since(app, client, w, db):
    batch_id = _batch(app, w, db)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id, stop_after=1)
        batch = db.session.get(PrintBatch, batch_id)
        first = batches.certificate_ids(batch)[0]
        from fairapp.certificates.models import Certificate
        ops.revoke(db.session.get(Certificate, first), "มอบผิดคน", w.staff)
        db.session.commit()
    page = f"/certificates/batches/{batch_id}"
    response = client.post(f"{page}/chunks/0/print", data={"csrf_token": _token(client, page)})
    assert response.status_code == 200 and len(PdfReader(io.BytesIO(response.get_data())).pages) == 9
    assert _prints() == 9


def test_the_merged_file_has_one_copy_of_the_artwork(app, w, db):
    batch_id = _batch(app, w, db, art=True)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id)
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "done"
        merged = storage().read(batch.result_key)
        chunk_bytes = sum(len(storage().read(k)) for k in batch.chunk_keys.values())
        items = [i for c in db.session.scalars(select(PrintBatchChunk).where(PrintBatchChunk.batch_id == batch.id)
                                              .order_by(PrintBatchChunk.index)) for i in c.items]
        planned, _ = ops.plan(batch.fair, [ops.Candidate.from_json(i) for i in items], w.staff)
        one = render_pages([(p.design, p.face) for p in planned])
    reader = PdfReader(io.BytesIO(merged))
    assert len(reader.pages) == 30 and reader.metadata["/Title"] == "ผู้เข้าร่วมงาน"
    assert [("ผู้ใหญ่%03d" % i) in reader.pages[i - 1].extract_text() for i in (1, 11, 30)] == [True] * 3
    # The background, emblems and signatures once, not once per chunk: about one render's size.
    assert len(merged) < chunk_bytes * 0.6, (len(merged), chunk_bytes, len(one))
    assert len(merged) <= len(one), (len(merged), chunk_bytes, len(one))  # fonts too (core.pdf.prime)
