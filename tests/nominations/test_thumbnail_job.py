"""An evidence photo's thumbnail is a job (nominations.jobs.make_thumbnail), not part of the upload request:
made once the upload committed, once however often it is sent, never for a row deleted meanwhile, never
left as an orphan object when its unit fails; until it exists the thumbnail route serves the cleaned photo.
"""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from PIL import Image

from fairapp.core.jobs import dispatch, job_context
from fairapp.core.time import utcnow
from fairapp.core.transaction import unit_of_work
from fairapp.extensions import db as _db
from fairapp.nominations import jobs
from fairapp.nominations import operations as ops
from fairapp.nominations.jobs import make_thumbnail, sweep_thumbnails
from fairapp.nominations.models import Evidence
from tests.nominations.hostile import good_pdf, image_bytes, noise_jpeg
from tests.nominations.test_evidence import evidence_rows, stored, token, upload, upload_dir, world  # noqa: F401
from tests.race import race


@pytest.fixture
def no_jobs(monkeypatch):
    """The thumbnail jobs the uploads ask for, kept here and not run (a lost job, a busy worker)."""
    sent = []
    monkeypatch.setattr("fairapp.nominations.operations.evidence.enqueue", lambda job, *ids: sent.append((job, ids)))
    return sent


def run_job(app, evidence_id: int):
    """The job as a worker runs it: an app context of its own, exceptions raised."""
    with job_context(app):
        return make_thumbnail(evidence_id)


def thumb_url(row: Evidence) -> str:
    return f"/nominations/{row.nomination_id}/evidence/{row.id}/thumb"


def test_an_upload_gets_its_thumbnail_from_the_job_after_the_commit(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    response = upload(client, nomination.id, [("กิจกรรม.jpg", noise_jpeg((1200, 900))), ("รายงาน.pdf", good_pdf())])
    assert response.status_code == 303
    photo, pdf = evidence_rows(nomination.id)
    assert photo.thumb_key and photo.thumb_key != photo.storage_key and pdf.thumb_key is None
    assert stored(upload_dir) == {photo.storage_key, photo.thumb_key, pdf.storage_key}
    served = client.get(thumb_url(photo))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["ETag"] == f'"{photo.thumb_key}"'
    assert Image.open(io.BytesIO(served.data)).size == (480, 360)
    assert client.get(thumb_url(pdf)).status_code == 404


def test_the_request_only_enqueues_and_the_thumb_route_serves_the_photo_until_the_job_ran(
        client, world, login_as, upload_dir, no_jobs, app):
    nomination = world["nomination"]
    login_as(world["member"])
    files = [("a.jpg", noise_jpeg((1200, 900))), ("b.png", image_bytes("PNG", (900, 600))),
             ("c.webp", image_bytes("WEBP", (700, 500))), ("d.pdf", good_pdf())]
    assert upload(client, nomination.id, files).status_code == 303
    rows = evidence_rows(nomination.id)
    assert [r.thumb_key for r in rows] == [None] * 4
    assert stored(upload_dir) == {r.storage_key for r in rows}  # no thumbnail made in the request
    assert no_jobs == [(make_thumbnail, (r.id,)) for r in rows[:3]]  # one job per photo, none for the PDF
    for row, mimetype in zip(rows[:3], ("image/jpeg", "image/png", "image/webp")):
        served = client.get(thumb_url(row))
        assert served.status_code == 200 and served.mimetype == mimetype, row.original_name
        assert served.data == client.get(f"/nominations/{nomination.id}/evidence/{row.id}").data
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"].startswith("inline; ")
    assert client.get(thumb_url(rows[3])).status_code == 404
    # The job runs later: from then on the thumbnail is served.
    assert run_job(app, rows[1].id)
    row = evidence_rows(nomination.id)[1]
    served = client.get(thumb_url(row))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(served.data)).size == (480, 320)
    assert run_job(app, rows[3].id) is None  # a PDF: nothing to make


def test_a_job_run_twice_stores_one_thumbnail(client, world, login_as, upload_dir, no_jobs, app):
    login_as(world["member"])
    upload(client, world["nomination"].id, [("a.jpg", noise_jpeg((600, 600)))])
    photo = evidence_rows(world["nomination"].id)[0]
    key = run_job(app, photo.id)
    assert key and run_job(app, photo.id) is None
    assert dispatch(app, make_thumbnail, photo.id) is None  # inline dispatch, as a resent job
    assert evidence_rows(world["nomination"].id)[0].thumb_key == key
    assert stored(upload_dir) == {photo.storage_key, key}


def test_two_jobs_at_once_store_one_thumbnail(client, world, login_as, upload_dir, no_jobs, app, monkeypatch):
    """Both render before either writes (a barrier): the row, re-read under the nomination's lock, decides."""
    login_as(world["member"])
    upload(client, world["nomination"].id, [("a.jpg", noise_jpeg((600, 600)))])
    photo = evidence_rows(world["nomination"].id)[0]
    both_rendered = threading.Barrier(2, timeout=30)
    real = jobs.evidence_thumbnail

    def render_then_wait(data, name=""):
        thumb = real(data, name)
        both_rendered.wait()
        return thumb

    monkeypatch.setattr(jobs, "evidence_thumbnail", render_then_wait)
    outcomes = race([lambda: run_job(app, photo.id)] * 2)
    keys = [o for o in outcomes if isinstance(o, str)]
    assert len(keys) == 1 and outcomes.count(None) == 1, outcomes
    assert evidence_rows(world["nomination"].id)[0].thumb_key == keys[0]
    assert stored(upload_dir) == {photo.storage_key, keys[0]}


def test_a_job_for_a_deleted_row_does_nothing(client, world, login_as, upload_dir, no_jobs, app):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((600, 600))), ("b.pdf", good_pdf())])
    photo, pdf = evidence_rows(nomination.id)
    photo_id, pdf_key = photo.id, pdf.storage_key  # read now: the request expires what the test loaded
    response = client.post(f"/nominations/{nomination.id}/evidence/{photo_id}/delete",
                           data={"csrf_token": token(client)})
    assert response.status_code == 303
    assert run_job(app, photo_id) is None
    assert stored(upload_dir) == {pdf_key}


def test_a_row_deleted_while_the_job_renders_gets_no_thumbnail(client, world, login_as, upload_dir, no_jobs, app,
                                                               monkeypatch):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((600, 600)))])
    photo = evidence_rows(nomination.id)[0]
    tok = token(client)
    real = jobs.evidence_thumbnail

    def render_while_deleted(data, name=""):
        thumb = real(data, name)
        deleted = client.post(f"/nominations/{nomination.id}/evidence/{photo.id}/delete", data={"csrf_token": tok})
        assert deleted.status_code == 303
        return thumb

    monkeypatch.setattr(jobs, "evidence_thumbnail", render_while_deleted)
    assert run_job(app, photo.id) is None
    assert stored(upload_dir) == set() and evidence_rows(nomination.id) == []


def test_a_thumbnail_stored_after_the_row_was_loaded_is_deleted_with_it(client, world, login_as, upload_dir, no_jobs,
                                                                      app):
    """remove_evidence re-reads the row under the nomination's lock: a thumbnail whose job committed after
    the request loaded the row goes with it (no orphan)."""
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((600, 600)))])
    evidence = _db.session.get(Evidence, evidence_rows(nomination.id)[0].id)
    assert evidence.thumb_key is None  # loaded before the job ran
    key = dispatch(app, make_thumbnail, evidence.id)
    assert key and stored(upload_dir) == {evidence.storage_key, key}
    with app.test_request_context(method="POST"), unit_of_work():
        ops.remove_evidence(evidence, world["member"])
    assert stored(upload_dir) == set()


def test_a_thumbnail_stored_after_the_draft_was_loaded_is_deleted_with_the_draft(client, world, login_as, upload_dir,
                                                                               no_jobs, app):
    """delete_nomination too: the evidence rows are read again under the draft's lock."""
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((600, 600)))])
    draft = _db.session.get(type(nomination), nomination.id)
    evidence = draft.evidence[0]
    assert evidence.thumb_key is None  # loaded before the job ran
    key = dispatch(app, make_thumbnail, evidence.id)
    assert key and stored(upload_dir) == {evidence.storage_key, key}
    with app.test_request_context(method="POST"), unit_of_work():
        ops.delete_nomination(draft, world["member"])
    assert stored(upload_dir) == set()


def test_a_failure_after_the_thumbnail_was_stored_leaves_no_orphan(client, world, login_as, upload_dir, no_jobs, app,
                                                                 monkeypatch):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((600, 600)))])
    photo = evidence_rows(nomination.id)[0]
    real_commit, commits = _db.session.commit, []

    def commit_fails_after_the_save():
        commits.append(stored(upload_dir))
        if len(commits) == 2:  # the job's second unit: the thumbnail is stored, its row not yet committed
            raise RuntimeError("database gone")
        return real_commit()

    monkeypatch.setattr(_db.session, "commit", commit_fails_after_the_save)
    with pytest.raises(RuntimeError, match="database gone"):
        run_job(app, photo.id)
    monkeypatch.setattr(_db.session, "commit", real_commit)
    assert len(commits) == 2 and len(commits[1]) == 2  # it was stored ...
    assert stored(upload_dir) == {photo.storage_key}  # ... and deleted with the unit
    assert evidence_rows(nomination.id)[0].thumb_key is None
    assert client.get(thumb_url(photo)).status_code == 200  # the photo is served meanwhile
    assert dispatch(app, make_thumbnail, photo.id)  # the next run (the sweep's) makes it


def test_the_sweep_sends_again_the_jobs_that_were_lost(client, world, login_as, upload_dir, no_jobs, app):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("old.jpg", noise_jpeg((600, 600))), ("new.jpg", noise_jpeg((600, 600))),
                                   ("old.pdf", good_pdf())])
    old, new, pdf = evidence_rows(nomination.id)
    for row in (old, pdf):
        row.created_at = utcnow() - timedelta(minutes=2)
    _db.session.commit()
    with job_context(app):
        assert sweep_thumbnails() == 1  # the photo older than a minute; not the new one, not the PDF
    old, new, pdf = evidence_rows(nomination.id)
    assert old.thumb_key and new.thumb_key is None and pdf.thumb_key is None
    with job_context(app):
        assert sweep_thumbnails() == 0
    assert stored(upload_dir) == {old.storage_key, old.thumb_key, new.storage_key, pdf.storage_key}


def test_the_sweep_is_scheduled(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["fairapp.nominations.jobs.sweep_thumbnails"]["schedule"] == 300
    assert app.extensions["celery"].conf.task_routes["fairapp.nominations.jobs.make_thumbnail"] == {"queue": "default"}
