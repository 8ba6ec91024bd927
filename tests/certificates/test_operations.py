"""The certificates' rules as operations, without HTTP: a template edit refused after some images were
stored leaves none of them; batch creation checks everything before it writes and starts only once its
unit of work has committed; one print rule ("printed before: confirm") for one certificate, the kiosk and a
batch; a batch chunk that fails leaves neither rows nor files."""
import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from fairapp import demo_art
from fairapp.certificates import batches, errors, operations as ops, printing, template_ops
from fairapp.certificates.models import Certificate, CertificatePrint, CertificateTemplate, PrintBatch
from fairapp.core.audit import AuditEntry
from fairapp.core.errors import UploadRefused
from fairapp.core.storage import storage
from fairapp.core.transaction import savepoint, unit_of_work

from tests.certificates.world import build_cert_world


@pytest.fixture
def w(db):
    return build_cert_world(db)


def stored_files() -> set[str]:
    root = Path(storage().root)
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def _changes(template: CertificateTemplate, **images) -> template_ops.TemplateChanges:
    return template_ops.TemplateChanges(
        name="แม่แบบใหม่", page_size="A4", orientation="landscape", title_th="เกียรติบัตร", issuer_th="[หน่วยงาน]",
        preamble_th="ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า", reason_th="ได้เข้าร่วมงาน[งาน]",
        date_line_th="ให้ไว้ ณ วันที่ [วันที่]",
        signatories=[template_ops.SignatoryChange("นายสมชาย ใจดี", "ผู้อำนวยการ")], **images)


# ---- template edits ----

def test_an_edit_refused_after_images_were_stored_leaves_none_of_them(app, w, db):
    template = w.templates["participant"]
    before = stored_files()
    changes = _changes(template, background=template_ops.ImageChange(upload(demo_art.background(), "paper.jpg")),
                       logos=[template_ops.ImageChange(upload(demo_art.emblem(), "seal.png")),
                              template_ops.ImageChange(upload(b"<?php echo 1; ?>", "bad.png"))])
    with app.test_request_context(), unit_of_work():
        with pytest.raises(UploadRefused) as refused:
            with savepoint():  # what attempt(form) does around the view's call
                template_ops.update_template(template, changes, w.staff)
    assert refused.value.field == "logo_2" and "bad.png" in str(refused.value)
    assert stored_files() == before  # the background and the first emblem were stored, then deleted
    db.session.expire_all()
    template = db.session.get(CertificateTemplate, template.id)
    assert template.name != "แม่แบบใหม่" and template.background_key is None and template.logo_keys == []
    assert AuditEntry.query.filter_by(action="certificate_template.updated").count() == 0


def test_a_locked_template_is_refused_before_any_image_is_stored(app, w, db):
    template = w.templates["judge"]
    with app.test_request_context(), unit_of_work():
        ops.issue(w.fair, ops.judge_candidates(w.fair), w.staff)
    before = stored_files()
    changes = _changes(template, background=template_ops.ImageChange(upload(demo_art.background(), "paper.jpg")))
    with app.test_request_context(), unit_of_work():
        assert isinstance(template_ops.edit_problem(template), errors.TemplateLocked)
        with pytest.raises(errors.TemplateLocked):
            template_ops.update_template(template, changes, w.staff)
    assert stored_files() == before


def test_a_saved_edit_deletes_the_replaced_image_after_the_commit_unless_a_copy_uses_it(app, w, db):
    template = w.templates["participant"]
    first = _changes(template, background=template_ops.ImageChange(upload(demo_art.background(), "a.jpg")))
    with app.test_request_context(), unit_of_work():
        template_ops.update_template(template, first, w.staff)
    old_key = template.background_key
    with app.test_request_context(), unit_of_work():
        copy = template_ops.copy_template(template, w.staff)
    second = _changes(template, background=template_ops.ImageChange(upload(demo_art.background(), "b.jpg")))
    with app.test_request_context(), unit_of_work():
        template_ops.update_template(template, second, w.staff)
    assert template.background_key != old_key and storage().exists(old_key)  # the copy still shows it
    third = _changes(copy, background=template_ops.ImageChange(remove=True))
    with app.test_request_context(), unit_of_work():
        template_ops.update_template(copy, third, w.staff)
        assert storage().exists(old_key)  # not before the commit
    assert not storage().exists(old_key)
    assert AuditEntry.query.filter_by(action="certificate_template.updated").count() == 3


# ---- batch creation ----

def test_batch_creation_checks_everything_before_it_writes(app, w, db):
    with app.test_request_context(), unit_of_work():
        with pytest.raises(errors.NotFinalized) as refused:
            printing.create_batch(w.fair, "awardee", w.staff, category=None)
        assert refused.value.field == "category"
        with pytest.raises(errors.NoCandidates) as refused:
            printing.create_batch(w.fair, "participant", w.staff, names="  \n ")
        assert refused.value.field == "names"
        db.session.delete(w.templates["judge"])
        db.session.flush()
        with pytest.raises(errors.NoTemplate) as refused:
            printing.create_batch(w.fair, "judge", w.staff)
        assert "กรรมการ" in str(refused.value)
        assert PrintBatch.query.count() == 0 and Certificate.query.count() == 0


def test_a_batch_starts_only_once_its_unit_of_work_has_committed(app, w, db, monkeypatch):
    with app.test_request_context(), unit_of_work():
        batch = printing.create_batch(w.fair, "judge", w.staff)
        batch_id = batch.id
        db.session.flush()
        assert batch.status == "queued" and Certificate.query.count() == 0  # not yet
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch_id)
    assert batch.status == "done" and Certificate.query.count() == 2  # inline: right after the commit
    assert AuditEntry.query.filter_by(action="certificate_batch.created").count() == 1
    # A unit of work that fails after making a batch leaves no batch, and nothing was started.
    started = []
    monkeypatch.setattr(batches, "send", lambda batch_id, chunk_ids: started.append(batch_id))
    with pytest.raises(RuntimeError):
        with app.test_request_context(), unit_of_work():
            printing.create_batch(w.fair, "exhibitor", w.staff)
            raise RuntimeError("the request failed later")
    assert started == [] and PrintBatch.query.count() == 1


# ---- printing: one rule for one certificate, the kiosk and a batch ----

def test_printed_before_asks_for_confirmation_everywhere(app, w, db):
    with app.test_request_context(), unit_of_work():
        batch = printing.create_batch(w.fair, "judge", w.staff)
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch.id)
    first, second = printing.batch_certificates(batch)
    with app.test_request_context(), unit_of_work():
        assert printing.print_problem([first]) is None and printing.batch_print_problem(batch) is None
        printing.print_certificates([first], w.staff, "kiosk")
    with app.test_request_context(), unit_of_work():
        problem = printing.print_problem([first])
        assert isinstance(problem, errors.PrintedBefore) and "พิมพ์ไปแล้วเมื่อ" in str(problem)
        assert w.staff.full_name in str(problem) and problem.extra["printed_at"]
        assert printing.print_problem([first], confirmed=True) is None
        # The kiosk's copy makes the batch ask too, in the batch's words.
        problem = printing.batch_print_problem(batch)
        assert isinstance(problem, errors.PrintedBefore) and problem.count == 1 and "ชุดนี้มี 1 ฉบับ" in str(problem)
        with pytest.raises(errors.PrintedBefore):
            printing.print_certificates([first], w.staff, "single")
        with pytest.raises(errors.PrintedBefore):
            printing.print_batch(batch, w.staff)
    assert CertificatePrint.query.count() == 1
    with app.test_request_context(), unit_of_work():
        data = printing.print_batch(batch, w.staff, confirmed=True)
    assert data.startswith(b"%PDF") and CertificatePrint.query.count() == 3
    assert AuditEntry.query.filter_by(action="certificates.printed").count() == 2


def test_what_cannot_be_printed_says_why(app, w, db):
    with app.test_request_context(), unit_of_work():
        batch = printing.create_batch(w.fair, "judge", w.staff)
        queued = batches.create(w.fair, "participant", ops.participant_candidates(w.fair, "นายก ข"), w.staff, "x")
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch.id)
    assert isinstance(printing.batch_print_problem(db.session.get(PrintBatch, queued.id)), errors.BatchNotReady)
    certificates = printing.batch_certificates(batch)
    with app.test_request_context(), unit_of_work():
        for cert in certificates:
            ops.revoke(cert, "มอบผิดคน", w.staff)
    with app.test_request_context(), unit_of_work():
        problem = printing.print_problem(certificates[:1], confirmed=True)
        assert isinstance(problem, errors.NotPrintable) and certificates[0].grouped_serial in str(problem)
        assert isinstance(printing.batch_print_problem(batch, confirmed=True), errors.NothingToPrint)
        with pytest.raises(errors.NotPrintable):
            printing.print_certificates(certificates[:1], w.staff, "kiosk", confirmed=True)


# ---- a chunk is a unit of work ----

@pytest.mark.parametrize("packed", [True, False])
def test_a_failing_chunk_leaves_neither_rows_nor_files(app, w, db, monkeypatch, packed):
    monkeypatch.setitem(app.config, "CERTIFICATE_PACKED", packed)
    with app.test_request_context(), unit_of_work():
        batch = batches.create(w.fair, "judge", ops.judge_candidates(w.fair), w.staff, "กรรมการ")
    before = stored_files()
    owner, name = (batches, "save_packed") if packed else (ops, "save_new")
    real = getattr(owner, name)

    def save_then_fail(*args):
        real(*args)  # the certificates' PDFs (and shared artwork) and rows, and the chunk's PDF, are written...
        raise OSError("disk full")  # ...then the chunk fails
    monkeypatch.setattr(owner, name, save_then_fail)
    with app.test_request_context():
        assert batches.claim(batch.id)
        batches.run(batch.id)
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch.id)
    assert batch.status == "failed" and "disk full" in batch.error and batch.chunk_keys == {}
    assert Certificate.query.count() == 0 and stored_files() == before


def test_a_stalled_batch_is_picked_up_after_the_commit(app, w, db):
    with app.test_request_context(), unit_of_work():
        batch = batches.create(w.fair, "judge", ops.judge_candidates(w.fair), w.staff, "กรรมการ")
    with app.test_request_context(), unit_of_work():
        batch = db.session.get(PrintBatch, batch.id)
        assert printing.resume_stalled(batch) is True
        assert batch.status == "queued"
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch.id)
    assert batch.status == "done"
    with app.test_request_context(), unit_of_work():
        assert printing.resume_stalled(batch) is False and printing.retry_batch(batch, w.staff) is False
