"""A chunk's work does not grow with its batch: each chunk row holds its share of the set and what it made
(its print PDF, its certificates), a chunk reads and writes its own row and the batch's counters (never the
batch's whole item list or JSON maps, which the merge writes once); the merge streams the merged file to the
store (Storage.save_file); each certificate's own PDF is copied out of its chunk's PDF by bytes (PlainPdf),
the same page as pypdf's copy, and packed from where its artwork is."""
import hashlib
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from fairapp import demo_art
from fairapp.certificates import batch_render, batches, operations as ops, pdf_copy
from fairapp.certificates.models import PrintBatch, PrintBatchChunk
from fairapp.certificates.render import render_pages
from fairapp.core.storage import Storage, storage
from fairapp.extensions import db as _db
from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นายทดสอบ ผู้ใหญ่{i:03d} | ชุมชนที่ {i}" for i in range(1, 31))
BATCH_COLUMNS = ("certificate_batches.items", "certificate_batches.chunk_keys", "certificate_batches.certificate_ids")


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _batch(app, w, db, art=False) -> int:
    with app.test_request_context():
        if art:
            template = w.templates["participant"]
            template.background_key = storage().save(demo_art.background(), "jpg")
            template.logo_keys = [storage().save(demo_art.emblem(), "png")]
        candidates = ops.participant_candidates(w.fair, NAMES)
        batch = batches.create(w.fair, "participant", candidates, w.staff, "ผู้เข้าร่วมงาน", chunk_size=10)
        db.session.commit()
        return batch.id


def _chunks(batch_id: int) -> list[PrintBatchChunk]:
    return list(_db.session.scalars(select(PrintBatchChunk).where(PrintBatchChunk.batch_id == batch_id)
                                    .order_by(PrintBatchChunk.index)))


def test_each_chunk_row_holds_its_share_of_the_set(app, w, db):
    batch_id = _batch(app, w, db)
    with app.test_request_context():
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.total == 30 and batch.chunks == 3 and batch.items == []
        chunks = _chunks(batch_id)
        assert [len(c.items) for c in chunks] == [10, 10, 10]
        names = [ops.Candidate.from_json(i).holder_name for c in chunks for i in c.items]
        assert names == [c.holder_name for c in ops.participant_candidates(w.fair, NAMES)]


def test_a_chunk_reads_and_writes_its_own_row_not_the_batchs_whole_set(app, w, db):
    batch_id = _batch(app, w, db)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context():
        assert batches.claim(batch_id)
        engine = db.engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            batches.run(batch_id, stop_after=2)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        touching = [s for s in statements if any(column in s for column in BATCH_COLUMNS)
                    or (s.startswith("UPDATE certificate_batches ") and ("chunk_keys" in s or "certificate_ids" in s))]
        assert touching == []  # not read, not rewritten: a chunk's work does not grow with the batch
        db.session.expire_all()
        done = [c for c in _chunks(batch_id) if c.status == "done"]
        assert [(c.index, c.pages, len(c.certificate_ids)) for c in done] == [(0, 10, 10), (1, 10, 10)]
        assert all(storage().exists(c.pdf_key) for c in done)
        assert [c["index"] for c in batches.finished_chunks(db.session.get(PrintBatch, batch_id))] == [0, 1]


def test_the_merge_streams_to_the_store_and_writes_the_batch_maps_once(app, w, db, monkeypatch):
    batch_id = _batch(app, w, db)
    saved: list[str] = []
    real = Storage.save_file

    def save_file(self, fileobj, ext):
        key = real(self, fileobj, ext)
        saved.append(key)
        return key

    monkeypatch.setattr(Storage, "save_file", save_file)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id)
        db.session.expire_all()
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "done" and saved == [batch.result_key]
        assert len(PdfReader(io.BytesIO(storage().read(batch.result_key))).pages) == 30
        chunks = _chunks(batch_id)
        assert batch.chunk_keys == {str(c.index): c.pdf_key for c in chunks}
        assert batch.certificate_ids == {str(c.index): c.certificate_ids for c in chunks}
        assert batches.certificate_ids(batch) == [i for c in chunks for i in c.certificate_ids]


def test_an_own_pdf_copied_by_bytes_is_the_page_pypdf_copies(app, w, db, tmp_path):
    _batch(app, w, db, art=True)
    with app.test_request_context():
        candidates = ops.participant_candidates(w.fair, NAMES)[:4]
        planned, _ = ops.plan(w.fair, candidates, w.staff)
        jobs = [(p.design, p.face, True) for p in planned]
        merged = render_pages([(d, f) for d, f, _ in jobs])
        db.session.rollback()
    own = batch_render.own_pages(jobs, merged)
    by_pypdf = [batch_render.single_page(page, f.title or f.holder, d.issuer)
                for (d, f, _), page in zip(jobs, PdfReader(io.BytesIO(merged)).pages)]
    assert len(own) == 4 and own == batch_render.own_pages(jobs, merged)  # deterministic
    # Each starts with the same bytes, the artwork and fonts all four use (hashed and cut once for all),
    # then its own page; on its own, a page is the PDF page_pdf writes.
    pages = batch_render.PageSet(batch_render.PlainPdf(merged), range(4))
    assert pages.start_size > 0.9 * len(own[0]) and all(d.startswith(pages.start()) for d in own)
    assert [pages.sha256(d[pages.start_size:]) for d in own] == [hashlib.sha256(d).hexdigest() for d in own]
    alone = batch_render.PlainPdf(merged).page_pdf(2, jobs[2][1].title or jobs[2][1].holder, jobs[2][0].issuer)
    assert PdfReader(io.BytesIO(alone)).pages[0].extract_text() == PdfReader(io.BytesIO(own[2])).pages[0].extract_text()
    for data, other, (design, face, _) in zip(own, by_pypdf, jobs):
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1 and reader.metadata.title == face.title
        assert reader.pages[0].extract_text() == PdfReader(io.BytesIO(other)).pages[0].extract_text()
    streams = batch_render.artwork_streams({d for d, _, _ in jobs})
    shared = frozenset(hashlib.sha256(s).hexdigest() for s in streams)
    blobs = {hashlib.sha256(s).hexdigest(): s for s in streams}
    for data in own:
        packed = batch_render.pack_known(data, shared, streams)
        assert packed == batch_render.pack(data, streams) and len(packed) < len(data) / 3
        assert batch_render.unpack(packed, blobs.__getitem__) == data
    if shutil.which("pdftoppm"):  # the same pixels as pypdf's copy
        for name, data in (("bytes", own[1]), ("pypdf", by_pypdf[1])):
            (tmp_path / f"{name}.pdf").write_bytes(data)
            subprocess.run(["pdftoppm", "-r", "30", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                           check=True)
        assert (tmp_path / "bytes-1.png").read_bytes() == (tmp_path / "pypdf-1.png").read_bytes()


def test_a_render_process_packs_from_where_the_chunk_put_the_artwork(app, w, db, monkeypatch):
    """The packs a render process gives back are pack_known's, found from the chunk's PDF (its streams hashed
    once for the chunk), not by reading and hashing every certificate's PDF again; with the artwork they
    leave out, by SHA-256, so the storing process never builds it."""
    _batch(app, w, db, art=True)
    with app.test_request_context():
        planned, _ = ops.plan(w.fair, ops.participant_candidates(w.fair, NAMES)[:5], w.staff)
        jobs = [(p.design, p.face, i != 2) for i, p in enumerate(planned)]  # one found already: not new
        db.session.rollback()
    expected_own, chunk = batch_render.render_chunk(jobs)
    shared = batch_render.resource_streams(batch_render.PlainPdf(chunk))  # the artwork, the fonts, the fixed part
    assert set(batch_render.shared_streams(jobs)) < set(shared)
    expected = [batch_render.pack_known(d, frozenset(shared), list(shared.values())) for d in expected_own]

    def searched(*args):
        raise AssertionError("a certificate's PDF read and hashed again")
    monkeypatch.setattr(batch_render, "pack_known", searched)
    stored, merged, given = batch_render.render_for_store(jobs, True)
    assert given == shared and merged == chunk and len(PdfReader(io.BytesIO(merged)).pages) == 5
    assert [s.data for s in stored] == expected and all(len(s.data) < len(d) / 10 for s, d in zip(stored, expected_own))
    assert [s.sha256 for s in stored] == [hashlib.sha256(d).hexdigest() for d in expected_own]
    assert all(batch_render.unpack(s.data, shared.__getitem__) == d for s, d in zip(stored, expected_own))
    plain, _, none = batch_render.render_for_store(jobs, False)
    assert none is None and [s.data for s in plain] == expected_own and type(plain[0].data) is bytes


def test_a_pdf_it_cannot_read_by_bytes_falls_back_to_pypdf(app, w, db):
    with app.test_request_context():
        planned, _ = ops.plan(w.fair, ops.participant_candidates(w.fair, NAMES)[:2], w.staff)
        jobs = [(p.design, p.face, True) for p in planned]
        merged = render_pages([(d, f) for d, f, _ in jobs])
        db.session.rollback()
    with pytest.raises(ValueError):
        batch_render.PlainPdf(merged.replace(b"startxref\n", b"startxref\n9"))
    broken = merged.replace(b"xref\n0 ", b"xref \n0 ")  # the table moved by a byte: not where startxref says
    own = batch_render.own_pages(jobs, broken) if b"xref \n0 " in broken else batch_render.own_pages(jobs, merged)
    assert len(own) == 2 and all(len(PdfReader(io.BytesIO(d)).pages) == 1 for d in own)


def test_the_merge_copies_chunks_by_bytes_as_pypdf_would(app, w, db, tmp_path, monkeypatch):
    _batch(app, w, db, art=True)
    with app.test_request_context():
        planned, _ = ops.plan(w.fair, ops.participant_candidates(w.fair, NAMES)[:6], w.staff)
        chunks = [render_pages([(p.design, p.face) for p in planned[i:i + 3]]) for i in (0, 3)]
        one = render_pages([(p.design, p.face) for p in planned])
        db.session.rollback()
    by_bytes = io.BytesIO()
    assert batch_render.merge_pdfs([lambda c=c: c for c in chunks], by_bytes, "ชุด") == 6

    class Unreadable:
        def __init__(self, data):
            raise ValueError("read with pypdf")

    monkeypatch.setattr(pdf_copy, "PlainPdf", Unreadable)
    by_pypdf = io.BytesIO()
    batch_render.merge_pdfs([lambda c=c: c for c in chunks], by_pypdf, "ชุด")
    merged = by_bytes.getvalue()
    assert len(merged) <= 1.05 * len(one)  # the artwork once
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(merged)).pages]
    assert texts == [p.extract_text() for p in PdfReader(io.BytesIO(by_pypdf.getvalue())).pages]
    assert PdfReader(io.BytesIO(merged)).metadata.title == "ชุด"
    if shutil.which("pdftoppm"):
        for name, data in (("bytes", merged), ("pypdf", by_pypdf.getvalue())):
            (tmp_path / f"{name}.pdf").write_bytes(data)
            subprocess.run(["pdftoppm", "-r", "20", "-f", "4", "-l", "4", "-png", str(tmp_path / f"{name}.pdf"),
                            str(tmp_path / name)], check=True)
        assert (tmp_path / "bytes-4.png").read_bytes() == (tmp_path / "pypdf-4.png").read_bytes()


def test_the_merge_reads_the_next_chunks_while_it_copies_one():
    """prefetched: the reads come back in order, at most `ahead` + 1 held at once; a read that fails fails
    at its turn, and the merge that stops there starts no read beyond the ones already asked for."""
    import threading
    import time

    lock, started, held, most = threading.Lock(), [], [0], [0]

    def read(i):
        def go():
            with lock:
                started.append(i)
                held[0] += 1
                most[0] = max(most[0], held[0])
            time.sleep(0.01)
            if i == 7:
                raise OSError("the store is down")
            return b"%d" % i
        return go

    got = []
    for source in batch_render.prefetched([read(i) for i in range(6)], ahead=2):
        got.append(source())
        with lock:
            held[0] -= 1
    assert got == [b"%d" % i for i in range(6)] and most[0] == 3
    started.clear()
    reads = batch_render.prefetched([read(i) for i in range(20)], ahead=2)
    with pytest.raises(OSError, match="store is down"):
        for source in reads:
            source()
    reads.close()
    assert max(started) <= 9 and sorted(started) == list(range(len(started)))
