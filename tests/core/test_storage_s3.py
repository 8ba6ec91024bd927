"""Files in S3: a real S3 endpoint over HTTP (moto's server mode on a free port, in a thread of this process,
so a test can stop it), and an app made with STORAGE_URL pointing at it.

- The S3 store saves, reads, sizes, streams, caches for the renderer and deletes; the unit of work's
  bookkeeping (a failed unit deletes what it stored, deletions wait for the commit) is the local one's.
- Evidence uploaded through the real route lands in the bucket, not on disk, and comes back with the same
  headers as from the local folder.
- The store stopped: an upload says so in Thai (English with the language switched), and leaves no row and
  no object; reading a file is a 503 page, not a 500; /healthz says "store": "down" (and stays 200: every server shares the store).
- `flask storage migrate` copies the local folder to the bucket, keys unchanged, and a second run copies
  nothing.
The rest of the suite keeps the local folder.
"""
from __future__ import annotations

import logging
import socket
import uuid
from pathlib import Path

import boto3
import pytest
from flask import g
from moto.server import ThreadedMotoServer

from fairapp import create_app
from fairapp.core import jobs
from fairapp.core.storage import LocalStorage, StorageSaveFailed, StorageUnavailable, delete_after_commit, storage
from fairapp.core.storage_s3 import S3Storage, parse_storage_url
from fairapp.core.transaction import savepoint, unit_of_work
from fairapp.extensions import db as _db
from fairapp.extensions import limiter
from fairapp.nominations.models import Evidence
from tests.conftest import FreshContextClient
from tests.nominations.hostile import good_pdf, noise_jpeg
from tests.nominations.test_evidence import flashes, upload, upload_dir, world  # noqa: F401  (fixtures)

SAVE_DOWN_TH = "ระบบเก็บไฟล์ขัดข้องชั่วคราว ไฟล์ยังไม่ได้บันทึก กรุณาส่งไฟล์อีกครั้งในอีกสักครู่"
READ_DOWN_TH = "ระบบเก็บไฟล์ขัดข้องชั่วคราว เปิดไฟล์ไม่ได้ในขณะนี้ กรุณาลองใหม่อีกครั้งในอีกสักครู่"
SAVE_DOWN_EN = "The file store is temporarily unavailable, so the file was not saved."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def _moto():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    port = _free_port()
    state = {"port": port, "endpoint": f"http://127.0.0.1:{port}", "server": None}

    def start():
        state["server"] = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        state["server"].start()

    state["start"] = start
    start()
    yield state
    if state["server"] is not None:
        state["server"].stop()


@pytest.fixture
def s3(_moto):
    """The S3 endpoint, running, with a new empty bucket; `stop()` / `start()` it; `keys()` in the bucket."""
    if _moto["server"] is None:
        _moto["start"]()
    bucket = f"fairapp-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=_moto["endpoint"], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=bucket)

    def stop():
        _moto["server"].stop()
        _moto["server"] = None

    def keys() -> set[str]:
        answer = client.list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in answer.get("Contents", [])}

    url = (f"s3://{bucket}?endpoint_url={_moto['endpoint']}&region=us-east-1&access_key=test&secret_key=test"
           "&connect_timeout=1&read_timeout=3")
    return {"url": url, "bucket": bucket, "client": client, "stop": stop, "start": _moto["start"], "keys": keys}


@pytest.fixture
def s3_app(app, db, s3, tmp_path):
    """The app with STORAGE_URL naming the test's bucket, on the session's database."""
    shared = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAIL_OUTBOX_DIR",
                                          "PASSWORD_HASH_METHOD", "BASE_URL")}
    flask_app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                            "JOBS_MODE": "inline", "STORAGE_URL": s3["url"],
                            "UPLOAD_DIR": str(tmp_path / "local-uploads"), **shared})
    flask_app.instance_path = str(tmp_path / "instance")
    flask_app.test_client_class = FreshContextClient
    try:
        yield flask_app
    finally:
        with flask_app.app_context():
            _db.engine.dispose()
        jobs.init_app(app)  # the global Celery app back to the session app's settings
        limiter.init_app(app)  # and the global limiter


def _client_as(flask_app, user):
    client = flask_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def _evidence(nomination_id: int) -> list[Evidence]:
    _db.session.expire_all()
    return _db.session.query(Evidence).filter_by(nomination_id=nomination_id).order_by(Evidence.id).all()


def _in_app(flask_app):
    """flask_app's own context (the test body holds the session app's)."""
    return flask_app.app_context()


# ---- the store itself ----

def test_the_url_names_bucket_endpoint_region_prefix_and_credentials():
    settings = parse_storage_url("s3://fair-files/prod/?endpoint_url=http://127.0.0.1:9000&region=us-east-1")
    assert settings["bucket"] == "fair-files" and settings["prefix"] == "prod/"
    assert settings["endpoint_url"] == "http://127.0.0.1:9000" and settings["region"] == "us-east-1"
    assert settings["addressing_style"] == "path" and settings["access_key"] is None  # from AWS_* then
    aws = parse_storage_url("s3://fair-files?region=ap-southeast-1")
    assert aws["endpoint_url"] is None and aws["addressing_style"] == "auto" and aws["prefix"] == ""
    for bad in ("http://fair-files", "s3://", "s3://b?endpoint=x"):
        with pytest.raises(ValueError):
            parse_storage_url(bad)


def test_save_read_size_exists_open_local_path_delete(s3_app, s3):
    data = good_pdf()
    with _in_app(s3_app):
        store = storage()
        assert isinstance(store, S3Storage)
        key = store.save(data, "pdf")
        assert s3["keys"]() == {key}  # the same key, no folder: an object of its own
        assert store.exists(key) and store.size(key) == len(data) and store.read(key) == data
        with store.open(key) as fh:
            assert fh.size == len(data)
            chunks = []
            while chunk := fh.read(1000):
                chunks.append(chunk)
        assert len(chunks) == -(-len(data) // 1000) and b"".join(chunks) == data
        path = store.local_path(key)  # the renderer's copy on this machine
        assert path.read_bytes() == data and str(path).startswith(s3_app.instance_path)
        store.delete(key)
        assert s3["keys"]() == set() and not store.exists(key) and not path.exists()
        with pytest.raises(FileNotFoundError):
            store.read(key)
        with pytest.raises(FileNotFoundError):
            store.local_path(key)
        assert not store.exists("../../etc/passwd")
        store.delete(key)  # gone already: nothing to do


def test_a_part_of_an_object_is_one_ranged_read(s3_app, s3, monkeypatch):
    data = bytes(range(256)) * 40
    with _in_app(s3_app):
        store = storage()
        key = store.save(data, "pdf")
        asked = []
        real = store.client.get_object
        monkeypatch.setattr(store.client, "get_object", lambda **kw: asked.append(kw.get("Range")) or real(**kw))
        assert store.read_range(key, 1000, 3000) == data[1000:4000] and asked == ["bytes=1000-3999"]
        assert store.read_range(key, 0, len(data)) == data
        for start, length in ((len(data) - 10, 11), (len(data), 5)):  # past the end: not there, never short
            with pytest.raises(FileNotFoundError):
                store.read_range(key, start, length)
        store.local_path(key)  # a copy on this machine: read from it, no request
        asked.clear()
        assert store.read_range(key, 7, 9) == data[7:16] and asked == []
        store.delete(key)
        with pytest.raises(FileNotFoundError):
            store.read_range(key, 0, 1)


def test_the_unit_of_work_deletes_what_a_failed_unit_stored_and_deletes_after_the_commit(s3_app, s3):
    with _in_app(s3_app):
        with pytest.raises(RuntimeError), unit_of_work():
            storage().save(b"%PDF-1.4 never", "pdf")
            raise RuntimeError("the rows were refused")
        assert s3["keys"]() == set()
        with unit_of_work():
            kept = storage().save(b"%PDF-1.4 kept", "pdf")
            with pytest.raises(RuntimeError), savepoint():
                storage().save(b"%PDF-1.4 undone", "pdf")
                raise RuntimeError("only this part fails")
        assert s3["keys"]() == {kept}
        with unit_of_work():
            delete_after_commit(kept)
            assert s3["keys"]() == {kept}  # not before the commit
        assert s3["keys"]() == set()


def test_the_store_down_raises_a_named_error_and_a_cleanup_never_hides_it(s3_app, s3):
    with _in_app(s3_app):
        store = storage()
        key = store.save(b"%PDF-1.4 there", "pdf")
        s3["stop"]()
        with pytest.raises(StorageSaveFailed) as refused:
            store.save(b"%PDF-1.4 lost", "pdf")
        assert refused.value.status == 503 and str(refused.value) == SAVE_DOWN_TH
        for read in (store.read, store.exists, store.size, store.open):
            with pytest.raises(StorageUnavailable):
                read(key)
        assert not store.healthy()
        # A unit that stored a file fails while the store is down: its cleanup cannot delete the file,
        # and says so in the log, but the error the caller sees is the unit's own.
        with pytest.raises(RuntimeError, match="the original"), unit_of_work():
            g.setdefault("storage_stored", []).append(key)
            raise RuntimeError("the original")
        s3["start"]()
        assert store.healthy() and s3["keys"]() == {key}


# ---- through the app ----

def _headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k not in ("Date", "ETag", "Set-Cookie", "Vary")}


def test_evidence_uploaded_through_the_route_is_in_s3_and_served_with_the_same_headers(
        s3_app, s3, world, client, login_as, upload_dir):  # noqa: F811
    nomination, member = world["nomination"], world["member"]
    pdf, photo = good_pdf(), noise_jpeg((900, 700))
    # The same two files through the local store (the session's app) ...
    login_as(member)
    assert upload(client, nomination.id, [("รายงาน.pdf", pdf), ("ภาพ.jpg", photo)],
                  caption="ทั่วไป").status_code == 303
    local_rows = _evidence(nomination.id)
    # ... and through S3.
    s3_client = _client_as(s3_app, member)
    response = upload(s3_client, nomination.id, [("รายงาน.pdf", pdf), ("ภาพ.jpg", photo)], False, caption="ทั่วไป")
    assert response.status_code == 303
    rows = _evidence(nomination.id)[len(local_rows):]
    assert len(rows) == 2
    assert s3["keys"]() == {rows[0].storage_key, rows[1].storage_key, rows[1].thumb_key}
    assert not Path(s3_app.config["UPLOAD_DIR"]).exists()  # nothing on this server's disk

    for local, remote, kind in zip(local_rows, rows, ("attachment", "inline")):  # a PDF is only a download
        url = f"/nominations/{nomination.id}/evidence/{{}}"
        from_disk = client.get(url.format(local.id))
        from_s3 = s3_client.get(url.format(remote.id))
        assert from_s3.status_code == from_disk.status_code == 200
        assert from_s3.data == from_disk.data
        assert _headers(from_s3) == _headers(from_disk)
        assert from_s3.headers["Content-Disposition"].startswith(kind + "; ")
        assert from_s3.headers["Content-Length"] == str(len(from_s3.data))
        assert from_s3.headers["ETag"] == f'"{remote.storage_key}"'
        again = s3_client.get(url.format(remote.id), headers={"If-None-Match": from_s3.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    thumb = s3_client.get(f"/nominations/{nomination.id}/evidence/{rows[1].id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    outsider = _client_as(s3_app, world["outsider"])
    assert outsider.get(f"/nominations/{nomination.id}/evidence/{rows[0].id}").status_code == 404


def test_the_store_stopped_an_upload_is_refused_in_thai_with_no_row_and_no_object(s3_app, s3, world):  # noqa: F811
    nomination, member = world["nomination"], world["member"]
    s3_client = _client_as(s3_app, member)
    pdf = good_pdf()
    assert upload(s3_client, nomination.id, [("แรก.pdf", pdf)], False).status_code == 303
    [first] = _evidence(nomination.id)
    assert s3_client.get("/healthz").json["store"] == "ok"

    s3["stop"]()
    for name, data in (("ที่สอง.pdf", good_pdf(3)), ("ภาพ.jpg", noise_jpeg((300, 200)))):
        response = upload(s3_client, nomination.id, [(name, data)], False)
        assert response.status_code == 303  # back to the page, never a 500
        assert ("error", SAVE_DOWN_TH) in flashes(s3_client)
    assert [e.id for e in _evidence(nomination.id)] == [first.id]  # no row without its file

    page = s3_client.get(f"/nominations/{nomination.id}/evidence/{first.id}")
    assert page.status_code == 503 and READ_DOWN_TH in page.get_data(as_text=True)
    health = s3_client.get("/healthz")
    assert health.status_code == 200  # shared by every server: reported, not failed (the balancer keeps them)
    assert health.json["store"] == "down" and health.json["database"] == "ok" and health.json["storage"] == "s3"

    english = _client_as(s3_app, member)
    english.set_cookie("lang", "en")
    upload(english, nomination.id, [("third.pdf", good_pdf())], False)
    [(_, message)] = flashes(english)
    assert message.startswith(SAVE_DOWN_EN)

    s3["start"]()
    assert s3["keys"]() == {first.storage_key}  # no file without its row
    assert s3_client.get("/healthz").status_code == 200
    served = s3_client.get(f"/nominations/{nomination.id}/evidence/{first.id}")
    assert served.status_code == 200 and served.data == pdf


def test_healthz_reports_the_local_store(client, app, tmp_path, monkeypatch):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json["store"] == "ok" and answer.json["storage"] == "local"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the uploads folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocked))
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json["store"] == "down" and answer.json["database"] == "ok"


# ---- flask storage migrate ----

def test_migrate_copies_the_local_folder_once_and_again_copies_nothing(s3_app, s3):
    root = s3_app.config["UPLOAD_DIR"]
    local = LocalStorage(root)
    files = {local.save(good_pdf(n), "pdf"): good_pdf(n) for n in (1, 2, 3)}
    photo = noise_jpeg((200, 100))
    files[local.save(photo, "jpg")] = photo
    some = next(iter(files))
    (local.root / some[:2] / (some + ".part")).write_bytes(b"half")  # a write that never finished
    (local.root / "README").write_text("not a stored file")
    runner = s3_app.test_cli_runner()

    dry = runner.invoke(args=["storage", "migrate", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would copy 4 file(s)" in dry.output and "0 already there" in dry.output and s3["keys"]() == set()

    first = runner.invoke(args=["storage", "migrate"])
    assert first.exit_code == 0, first.output
    assert "copied 4 file(s)" in first.output and "0 already there; 0 failed" in first.output
    assert s3["keys"]() == set(files)
    with _in_app(s3_app):
        assert all(storage().read(key) == data for key, data in files.items())

    second = runner.invoke(args=["storage", "migrate"])
    assert second.exit_code == 0, second.output
    assert "copied 0 file(s)" in second.output and "4 already there; 0 failed" in second.output

    # A copy cut short (here: an object of another size under the key) is copied again.
    s3["client"].put_object(Bucket=s3["bucket"], Key=some, Body=b"cut")
    third = runner.invoke(args=["storage", "migrate"])
    assert "copied 1 file(s)" in third.output and "3 already there" in third.output
    with _in_app(s3_app):
        assert storage().read(some) == files[some]


def test_migrate_says_what_is_missing_and_copies_nothing(app, s3_app, s3):
    unset = app.test_cli_runner().invoke(args=["storage", "migrate"])
    assert unset.exit_code != 0 and "STORAGE_URL is not set" in unset.output
    LocalStorage(s3_app.config["UPLOAD_DIR"]).save(good_pdf(), "pdf")
    s3["stop"]()
    down = s3_app.test_cli_runner().invoke(args=["storage", "migrate"])
    assert down.exit_code != 0 and "does not answer" in down.output and "nothing was copied" in down.output
    s3["start"]()
    assert s3["keys"]() == set()


def test_create_bucket_makes_it_once(s3_app, s3, monkeypatch):
    fresh = f"fairapp-new-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(s3_app.config, "STORAGE_URL", s3["url"].replace(s3["bucket"], fresh, 1))
    runner = s3_app.test_cli_runner()
    made = runner.invoke(args=["storage", "create-bucket"])
    assert made.exit_code == 0 and f"bucket {fresh} created" in made.output, made.output
    again = runner.invoke(args=["storage", "create-bucket"])
    assert again.exit_code == 0 and "already there" in again.output
    s3["client"].head_bucket(Bucket=fresh)


def test_save_file_streams_a_big_file_as_a_multipart_upload(s3_app, s3, monkeypatch):
    """Storage.save_file on S3: parts of PART bytes (a multipart upload: its ETag says how many parts),
    the SHA-256 as metadata, the object's bytes those of the file, read from its current position."""
    import hashlib
    import io

    from fairapp.core import storage as storage_module

    monkeypatch.setattr(storage_module, "PART", 5 * 1024 * 1024)  # S3's smallest part
    data = bytes(range(256)) * (11 * 4096)  # 11 MiB: three parts
    source = io.BytesIO(b"skip" + data)
    source.seek(4)
    with _in_app(s3_app):
        store = storage()
        key = store.save_file(source, "pdf")
        head = s3["client"].head_object(Bucket=s3["bucket"], Key=key)
        assert head["ETag"].strip('"').endswith("-3")
        assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert store.read(key) == data
        small = store.save_file(io.BytesIO(b"%PDF-1.4 small"), "pdf")  # below one part: one PUT
        assert "-" not in s3["client"].head_object(Bucket=s3["bucket"], Key=small)["ETag"]
        assert store.read(small) == b"%PDF-1.4 small"
