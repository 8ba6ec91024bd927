"""Where uploaded and generated files live: one interface, a local folder by default, S3 when configured.

In the spirit of indico's STORAGE_BACKENDS: every file of fairapp (evidence, booth photos, plan images,
template artwork, certificate PDFs, merged print PDFs) goes through `storage()`, which is
- `LocalStorage`: a folder (UPLOAD_DIR, else instance/uploads); `make run`, one server;
- `S3Storage` (core.storage_s3): a bucket of any S3-compatible store (MinIO, Ceph, AWS) through boto3,
  when STORAGE_URL is set: `s3://<bucket>[/<prefix>]?endpoint_url=http://127.0.0.1:9000&region=us-east-1`
  (endpoint omitted for AWS). Credentials: the standard AWS variables (AWS_ACCESS_KEY_ID /
  AWS_SECRET_ACCESS_KEY) or the URL's `access_key` / `secret_key`.

The interface: `save(data, ext) -> key`, `save_file(fileobj, ext) -> key` (a file's content streamed to
the store, never whole in memory: S3 multipart for a big one), `put_shared(key, data)` (bytes under a
content-addressed key several rows may name, never undone by a rollback), `open(key)` (a readable file with `.size`), `read`, `size`,
`exists`, `delete`, `send(key, name, ...)` (a streamed response, core.responses' header policy) and
`local_path(key)` (a file on this machine: the stored file itself, or for S3 a cached copy; keys never
change content, so a cached copy is never stale; used for the renderer's template images).

Keys are random and carry no user input (`<32 hex>.<ext>`), so a key can never name a path outside the
store; an S3 object is stored under the same key (after the prefix). A save is all or nothing (a local
file is written to a temporary name and renamed; an S3 PUT is atomic) and is recorded in `g`, so the unit
of work deletes what a failed request stored (core.transaction), whichever the backend.

A store that does not answer (unreachable, timing out, refusing) raises `StorageUnavailable` (503): the
unit of work rolls back, the person reads a clear message, and nothing is half-written. A save's failure
is also an `UploadRefused`, so forms show it on the file's field as they show a refused file.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO, Iterator

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l

from .errors import DomainError, UploadRefused

log = logging.getLogger(__name__)

_KEY = re.compile(r"^[a-z0-9]{32}\.(jpg|png|webp|pdf)$")
CHUNK = 256 * 1024  # bytes a streamed download reads at a time
PART = 8 * 1024 * 1024  # bytes of each part of an S3 multipart upload (save_file)


class StorageUnavailable(DomainError):
    """The file store did not answer (or refused): nothing was read or written. Try again later."""

    message = _l("ระบบเก็บไฟล์ขัดข้องชั่วคราว เปิดไฟล์ไม่ได้ในขณะนี้ กรุณาลองใหม่อีกครั้งในอีกสักครู่")
    status = 503


class StorageSaveFailed(StorageUnavailable, UploadRefused):
    """The file store did not take a file: the upload is not saved (and neither is the row that would
    name it). An UploadRefused too, so a form shows it on the file's field."""

    message = _l("ระบบเก็บไฟล์ขัดข้องชั่วคราว ไฟล์ยังไม่ได้บันทึก กรุณาส่งไฟล์อีกครั้งในอีกสักครู่")
    status = 503


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError("not a storage key")
    return key


def is_key(name: str) -> bool:
    return bool(_KEY.match(name))


class StoredFile:
    """An opened stored file: read in chunks, then close (a context manager); `size` in bytes."""

    def __init__(self, stream, size: int | None, errors: tuple = ()):
        self._stream, self.size, self._errors = stream, size, errors
        self.closed = False
        self._read = 0

    def read(self, n: int = -1) -> bytes:
        """Up to n bytes (all with n < 0); the file closes itself at its end (a client that read a whole
        streamed answer leaves nothing open, whoever forgets to close the response)."""
        whole = n is None or n < 0
        if self.closed:
            return b""
        try:
            data = self._stream.read() if whole else self._stream.read(n)
        except self._errors as error:
            log.warning("storage: reading failed: %s", error)
            self.close()
            raise StorageUnavailable() from error
        self._read += len(data)
        if whole or (n and not data) or (self.size is not None and self._read >= self.size):
            self.close()
        return data

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._stream.close()

    def __enter__(self) -> "StoredFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _ChunkReader:
    """Reads a local file chunk by chunk, opening it for each read: no file stays open between chunks,
    even for an answer whose body a client never reads to the end (a key's bytes never change)."""

    def __init__(self, path: Path):
        self.path, self.position = path, 0

    def read(self, n: int = -1) -> bytes:
        with open(self.path, "rb") as fh:
            fh.seek(self.position)
            data = fh.read() if n is None or n < 0 else fh.read(n)
        self.position += len(data)
        return data

    def close(self) -> None:
        pass


def new_key(ext: str) -> str:
    """A new random key for a file of this extension."""
    return check_key(f"{secrets.token_hex(16)}.{ext}")


def record_stored(*keys: str) -> None:
    """Files stored for this unit of work: one that rolls back deletes them (core.transaction)."""
    if has_app_context():
        g.setdefault("storage_stored", []).extend(keys)


class Storage:
    """What every backend offers; `save` records each key for the unit of work (identical for all)."""

    kind = "?"

    def save(self, data: bytes, ext: str) -> str:
        """Store bytes under a new random key, all or nothing; raises StorageSaveFailed when the store is down."""
        key = new_key(ext)
        self._put(key, data)
        record_stored(key)
        return key

    def save_file(self, fileobj: BinaryIO, ext: str) -> str:
        """Store a file's content (from its current position to its end) under a new random key, streamed:
        read and written a piece at a time, never whole in memory (a local file copied; S3: a multipart
        upload in parts of PART bytes when bigger, with its SHA-256 as metadata as `save` gives it). All or
        nothing and recorded for the unit of work, as `save`; raises StorageSaveFailed when the store is down."""
        key = new_key(ext)
        self._put_file(key, fileobj)
        record_stored(key)
        return key

    def put_shared(self, key: str, data: bytes) -> None:
        """Store bytes under a key the caller chose: a content-addressed name (the same key always holds the
        same bytes) that rows of any unit of work may share, so it is not recorded for the unit of work:
        a rollback never deletes it (a row committed elsewhere may name it). All or nothing, as `save`."""
        self._put(check_key(key), data)

    def read(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """`length` bytes of the stored file from byte `start` (a part of a bundle: certificates.bundles);
        FileNotFoundError when the key is not stored or the file is shorter."""
        raise NotImplementedError

    def send(self, key: str, name: str, **options):
        """The stored file as a streamed response (core.responses.send_stream: the one header policy).
        With `etag`, a conditional request is answered before the store is asked. 404 if not stored."""
        from flask import abort

        from .responses import send_stream

        def opener() -> StoredFile:
            try:
                return self.open(key)
            except (FileNotFoundError, ValueError):
                abort(404)

        return send_stream(opener, name, **options)

    # Each backend: _put, open, size, exists, delete, local_path, healthy, keys (and _put_file to stream).
    def _put(self, key: str, data: bytes) -> None:
        raise NotImplementedError

    def _put_file(self, key: str, fileobj: BinaryIO) -> None:
        """save_file's writing. An S3 store (a boto3 client and a bucket): boto3's managed upload, multipart
        in parts of PART bytes; any other backend without its own: read whole, then _put."""
        if self.kind == "s3":
            _s3_put_file(self, key, fileobj)
        else:
            self._put(key, fileobj.read())

    def open(self, key: str) -> StoredFile:
        """The stored file, to read (FileNotFoundError when the key is not stored)."""
        raise NotImplementedError

    def size(self, key: str) -> int:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def delete(self, key: str | None) -> None:
        raise NotImplementedError

    def local_path(self, key: str) -> Path:
        raise NotImplementedError

    def healthy(self) -> bool:
        raise NotImplementedError


class LocalStorage(Storage):
    """A folder: `<root>/<first two characters>/<key>`."""

    kind = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def _put(self, key: str, data: bytes) -> None:
        """Written to a temporary name first, then renamed: no half file stays."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def _put_file(self, key: str, fileobj: BinaryIO) -> None:
        """Copied a piece at a time to a temporary name, then renamed: no half file stays."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        try:
            with open(tmp, "wb") as out:
                shutil.copyfileobj(fileobj, out, CHUNK)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def local_path(self, key: str) -> Path:
        """The stored file itself (FileNotFoundError when the key is not stored)."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def open(self, key: str) -> StoredFile:
        path = self._path(key)
        size = path.stat().st_size  # FileNotFoundError now, not at the first read
        return StoredFile(_ChunkReader(path), size)

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def read_range(self, key: str, start: int, length: int) -> bytes:
        with open(self._path(key), "rb") as fh:
            fh.seek(start)
            data = fh.read(length)
        if len(data) != length:
            raise FileNotFoundError(f"{key} holds no {length} bytes from {start}")
        return data

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str | None) -> None:
        if key and self.exists(key):
            self._path(key).unlink(missing_ok=True)

    def healthy(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            return os.access(self.root, os.W_OK | os.X_OK)
        except OSError:
            return False

    def keys(self) -> Iterator[tuple[str, Path]]:
        """Every stored key and its file (half-written `.part` files and anything else left out)."""
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if is_key(path.name) and path.name[:2] == folder.name and path.is_file():
                    yield path.name, path


def _s3_put_file(store, key: str, fileobj: BinaryIO) -> None:
    """An S3 store's save_file: the file's SHA-256 first (read a piece at a time), then boto3's managed
    upload from the same position (one PUT below PART bytes, else a multipart upload of PART-byte parts,
    which S3 completes atomically or aborts). A store that is down raises StorageSaveFailed."""
    import hashlib

    from boto3.s3.transfer import TransferConfig

    start = fileobj.tell()
    digest = hashlib.sha256()
    for piece in iter(lambda: fileobj.read(CHUNK), b""):
        digest.update(piece)
    fileobj.seek(start)
    config = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, use_threads=False)
    try:
        store.client.upload_fileobj(fileobj, store.bucket, store._object(key), Config=config,
                                    ExtraArgs={"Metadata": {"sha256": digest.hexdigest()}})
    except Exception as error:  # botocore's errors, or boto3's S3UploadFailedError around them
        try:
            store.client.delete_object(Bucket=store.bucket, Key=store._object(key))
        except Exception as again:  # noqa: BLE001
            log.warning("storage: S3 object %s may be left without a row: %s", key, again)
        raise store._down(error, "put", key, StorageSaveFailed) from error


# ---- which store ----

def local_storage() -> LocalStorage:
    """The local folder (UPLOAD_DIR, else instance/uploads): the default store, and what `migrate` copies."""
    root = current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")
    return LocalStorage(root)


def storage() -> Storage:
    """The app's file store: S3 when STORAGE_URL is set, else the local folder."""
    url = current_app.config.get("STORAGE_URL")
    if url:
        cache = current_app.config.get("STORAGE_CACHE_DIR") or os.path.join(current_app.instance_path,
                                                                            "storage-cache")
        from .storage_s3 import s3_storage  # boto3 is imported only by an installation that uses it

        return s3_storage(url, cache)
    return local_storage()


# ---- the unit of work's bookkeeping (the same for every backend) ----

def _delete_quietly(store: Storage, key: str) -> None:
    """Delete, logging a failure: a cleanup must never hide the error that caused it, nor fail a commit."""
    try:
        store.delete(key)
    except Exception as error:  # the store is down: the file stays, without a row (logged to be removed)
        log.warning("storage: could not delete %s (%s); it is left without a row", key, error)


def delete_after_commit(*keys: str | None) -> None:
    """Delete these files once the unit of work has committed, durably (core.file_deletions: named in
    storage_deletions in this unit of work; a store that refuses is tried again by the sweep)."""
    keys = [k for k in keys if k]
    if keys:
        from .file_deletions import request
        request(keys)


def stored_mark() -> int:
    """How many files this unit of work has stored so far (for a savepoint to undo only its own)."""
    return len(g.get("storage_stored", [])) if has_app_context() else 0


def delete_stored_since(mark: int = 0) -> None:
    """Delete the files stored since `mark`: the rows that were to name them were rolled back."""
    stored = g.get("storage_stored", []) if has_app_context() else []
    if len(stored) > mark:
        store = storage()
        for key in stored[mark:]:
            _delete_quietly(store, key)
        del stored[mark:]


def forget_stored() -> None:
    """The unit of work committed: the files it stored now belong to committed rows."""
    if has_app_context():
        g.pop("storage_stored", None)


def store_health() -> str:
    """"ok" or "down": whether this server can use its file store (for /healthz)."""
    try:
        return "ok" if storage().healthy() else "down"
    except Exception as error:  # a malformed STORAGE_URL, a client that cannot be made
        log.warning("storage: health check failed: %s", error)
        return "down"
