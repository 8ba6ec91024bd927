"""certificates.bundles: a chunk's certificates are one stored file, each certificate a byte range of it that
reads back byte for byte as issued; dropping some (erasure) stores the others again without them and
deletes the old file after the commit, all or nothing with the unit of work."""
import hashlib
import threading
import time

import pytest
from sqlalchemy import text

from fairapp.certificates import bundles
from fairapp.certificates.batch_render import read_certificate
from fairapp.certificates.models import Certificate
from fairapp.core.storage import local_storage, storage
from fairapp.core.transaction import unit_of_work

from tests.certificates.test_small_certificates import _run_batch
from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นายทดสอบ ชุดเดียวกัน{i} | ชุมชนที่ {i}" for i in range(1, 8))  # chunks of 5 and 2


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _issue(app, w, db) -> list[Certificate]:
    return _run_batch(app, w, db, names=NAMES)  # chunks of 5, the artwork as a fair uploads it


def _reads_as_issued(cert: Certificate) -> bool:
    return hashlib.sha256(read_certificate(storage(), cert.pdf_key)).hexdigest() == cert.pdf_sha256


def _stored_bytes() -> list[bytes]:
    return [path.read_bytes() for _, path in local_storage().keys()]


def test_a_chunk_is_one_file_and_each_certificate_a_part_of_it(app, w, db):
    certs = _issue(app, w, db)
    parts = [bundles.part_of(c.pdf_key) for c in certs]
    assert len(certs) == 7 and all(parts)
    by_file: dict[str, list[tuple[int, int]]] = {}
    for key, start, length in parts:
        by_file.setdefault(key, []).append((start, length))
    assert sorted(len(spans) for spans in by_file.values()) == [2, 5]  # one file per chunk
    with app.test_request_context():
        for key, spans in by_file.items():  # the parts fill the file, one after another
            spans.sort()
            assert spans[0][0] == 0 and all(a + n == b for (a, n), (b, _) in zip(spans, spans[1:]))
            assert spans[-1][0] + spans[-1][1] == storage().size(key)
        assert all(_reads_as_issued(c) for c in certs)


def test_dropping_certificates_cuts_them_out_of_their_bundle(app, w, db):
    certs = _issue(app, w, db)
    first = bundles.part_of(certs[0].pdf_key)[0]
    in_first = [c for c in certs if c.pdf_key.startswith(first)]
    leaving, staying = [in_first[0], in_first[2]], [c for c in in_first if c not in (in_first[0], in_first[2])]
    with app.test_request_context():
        cut = [bundles.read(storage(), c.pdf_key) for c in leaving]
        with unit_of_work():
            bundles.drop(leaving)
        db.session.expire_all()
        assert not storage().exists(first)  # deleted once the unit committed
        moved = {bundles.part_of(c.pdf_key)[0] for c in staying}
        assert len(moved) == 1 and moved != {first}  # the three others: one new bundle
        assert all(_reads_as_issued(c) for c in certs if c not in leaving)
        stored = _stored_bytes()
        assert not any(part in data for part in cut for data in stored)  # nothing of the dropped is kept

        # the last two of a bundle: the one that stays gets a file of its own
        new = moved.pop()
        last = [c for c in certs if c.pdf_key.startswith(new)]
        with unit_of_work():
            bundles.drop(last[:2])
        db.session.expire_all()
        assert bundles.part_of(last[2].pdf_key) is None and _reads_as_issued(last[2])


def test_a_drop_that_rolls_back_changes_nothing(app, w, db):
    certs = _issue(app, w, db)
    keys = [c.pdf_key for c in certs]
    files = set(local_storage().keys())
    with app.test_request_context():
        with pytest.raises(RuntimeError), unit_of_work():
            bundles.drop([certs[1]])
            raise RuntimeError("the erasure failed after")
        db.session.expire_all()
        assert [c.pdf_key for c in Certificate.query.order_by(Certificate.id)] == keys
        assert set(local_storage().keys()) == files  # the new bundle went with the unit, the old one stays
        assert all(_reads_as_issued(c) for c in certs)


def test_a_lost_bundle_does_not_stop_a_drop(app, w, db):
    certs = _issue(app, w, db)
    key = bundles.part_of(certs[0].pdf_key)[0]
    storage().delete(key)
    with app.test_request_context(), unit_of_work():
        bundles.drop([certs[0]])  # the erasure goes on; the others had no file left to keep


def test_drops_take_their_turn_on_postgresql(app, w, db):
    """Two erasures never rewrite one bundle at once: the second waits for the first's transaction (here
    another connection holds the lock), then reads where the certificates are now."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (SQLite's one write lock serializes them already)")
    certs = _issue(app, w, db)
    cert_id = certs[0].id
    done = threading.Event()
    errors = []

    def erase_one():
        with app.test_request_context():
            try:
                with unit_of_work():
                    bundles.drop([db.session.get(Certificate, cert_id)])
                done.set()
            except Exception as error:  # pragma: no cover (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    with db.engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:k, 0)"), {"k": bundles._LOCK})
        worker = threading.Thread(target=erase_one)
        worker.start()
        time.sleep(0.5)
        assert not done.is_set()  # waiting for its turn
        other.execute(text("SELECT pg_advisory_unlock(:k, 0)"), {"k": bundles._LOCK})
        other.commit()
    worker.join(10)
    assert done.is_set() and not errors
    db.session.expire_all()
    assert all(_reads_as_issued(c) for c in Certificate.query if c.id != cert_id)
