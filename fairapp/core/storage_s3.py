"""The S3 backend of core.storage (boto3): any S3-compatible store, MinIO and Ceph included.

STORAGE_URL: `s3://<bucket>[/<prefix>]?endpoint_url=http://127.0.0.1:9000&region=us-east-1`, with options
`access_key`, `secret_key` (else the standard AWS variables or any boto3 source), `prefix`,
`connect_timeout`, `read_timeout` (seconds), `max_attempts` and `addressing_style` (path when an endpoint
is given: MinIO, moto and Ceph want it). Timeouts are short and retries few, so a store that is down
costs a request seconds, then a clear message (StorageUnavailable), not a hung worker.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import DomainError
from .storage import CHUNK, Storage, StorageSaveFailed, StorageUnavailable, StoredFile, check_key, log

# Fail fast when the store is down (a page waits seconds, not minutes), retry a little when it blinks.
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
MAX_ATTEMPTS = 2


class S3Storage(Storage):
    """A bucket of an S3-compatible store; objects under `<prefix><key>`."""

    kind = "s3"

    def __init__(self, client, bucket: str, prefix: str = "", cache_dir: str | Path | None = None):
        from botocore.exceptions import BotoCoreError, ClientError

        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._down_errors = (BotoCoreError, ClientError)

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    @staticmethod
    def _missing(error) -> bool:
        code = str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def _down(self, error, doing: str, key: str | None = None, cls=StorageUnavailable) -> DomainError:
        log.warning("storage: S3 %s %s failed: %s", doing, key or self.bucket, error)
        return cls()

    def _put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._object(key), Body=data,
                                   Metadata={"sha256": hashlib.sha256(data).hexdigest()})
        except (EndpointConnectionError, ConnectTimeoutError) as error:  # never reached the store
            raise self._down(error, "put", key, StorageSaveFailed) from error
        except self._down_errors as error:
            # It may have reached the store (a read timeout after the request was sent): try to take it back.
            try:
                self.client.delete_object(Bucket=self.bucket, Key=self._object(key))
            except self._down_errors as again:
                log.warning("storage: S3 object %s may be left without a row: %s", key, again)
            raise self._down(error, "put", key, StorageSaveFailed) from error

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        """Copy a local file under `key` (flask storage migrate); a single PUT, so its ETag is its MD5."""
        with open(path, "rb") as fh:
            self.client.put_object(Bucket=self.bucket, Key=self._object(key), Body=fh,
                                   Metadata={"sha256": sha256})

    def head(self, key: str) -> dict | None:
        """The object's headers (ContentLength, ETag, Metadata), None when it is not stored."""
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except self._down_errors as error:
            if self._missing(error):
                return None
            raise self._down(error, "head", key) from error

    def open(self, key: str) -> StoredFile:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except self._down_errors as error:
            if self._missing(error):
                raise FileNotFoundError(key) from error
            raise self._down(error, "get", key) from error
        return StoredFile(answer["Body"], answer.get("ContentLength"), self._down_errors)

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """One ranged GET (or the copy local_path downloaded, when there is one)."""
        cached = self._cached(check_key(key))
        if cached is not None and cached.is_file():
            with open(cached, "rb") as fh:
                fh.seek(start)
                data = fh.read(length)
        else:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._object(key),
                                                Range=f"bytes={start}-{start + length - 1}")
                data = answer["Body"].read()
            except self._down_errors as error:
                if self._missing(error) or "InvalidRange" in str(error):
                    raise FileNotFoundError(key) from error
                raise self._down(error, "get", key) from error
        if len(data) != length:
            raise FileNotFoundError(f"{key} holds no {length} bytes from {start}")
        return data

    def size(self, key: str) -> int:
        answer = self.head(key)
        if answer is None:
            raise FileNotFoundError(key)
        return int(answer["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            check_key(key)
        except ValueError:
            return False
        return self.head(key) is not None

    def delete(self, key: str | None) -> None:
        if not key:
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object(key))
        except self._down_errors as error:
            if not self._missing(error):
                raise self._down(error, "delete", key) from error
        cached = self._cached(key)
        if cached is not None:
            cached.unlink(missing_ok=True)

    def _cached(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / key if self.cache_dir else None

    def local_path(self, key: str) -> Path:
        """A copy on this machine (downloaded once: a key's bytes never change). FileNotFoundError when the
        key is not stored; StorageUnavailable when the store is down and no copy is here yet."""
        path = self._cached(check_key(key))
        if path is None:
            raise RuntimeError("S3Storage.local_path needs a cache folder")
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            with self.open(key) as source, open(tmp, "wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
            os.replace(tmp, path)  # whole or not at all, whoever else downloads it at the same time
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def healthy(self) -> bool:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return True
        except self._down_errors as error:
            log.warning("storage: S3 bucket %s does not answer: %s", self.bucket, error)
            return False

    def create_bucket(self) -> bool:
        """Create the bucket unless it exists; True when it was created."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except self._down_errors as error:
            if not self._missing(error):
                raise
        region = self.client.meta.region_name
        options = {} if region in (None, "us-east-1") else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        self.client.create_bucket(Bucket=self.bucket, **options)
        return True


def parse_storage_url(url: str) -> dict:
    """`s3://bucket[/prefix]?endpoint_url=...&region=...` -> the S3 settings (ValueError if malformed)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"STORAGE_URL must look like s3://<bucket>?endpoint_url=...; got {url!r}")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    prefix = parts.path.strip("/")
    unknown = set(query) - {"endpoint_url", "region", "access_key", "secret_key", "prefix", "connect_timeout",
                            "read_timeout", "max_attempts", "addressing_style"}
    if unknown:
        raise ValueError(f"STORAGE_URL: unknown option(s) {sorted(unknown)}")
    prefix = query.get("prefix", prefix).strip("/")
    return {
        "bucket": parts.netloc, "prefix": prefix + "/" if prefix else "",
        "endpoint_url": query.get("endpoint_url") or None, "region": query.get("region") or None,
        "access_key": query.get("access_key") or None, "secret_key": query.get("secret_key") or None,
        "connect_timeout": float(query.get("connect_timeout", CONNECT_TIMEOUT)),
        "read_timeout": float(query.get("read_timeout", READ_TIMEOUT)),
        "max_attempts": int(query.get("max_attempts", MAX_ATTEMPTS)),
        "addressing_style": query.get("addressing_style") or ("path" if query.get("endpoint_url") else "auto"),
    }


def make_s3_client(settings: dict):
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=settings["connect_timeout"], read_timeout=settings["read_timeout"],
        retries={"max_attempts": settings["max_attempts"], "mode": "standard"},
        s3={"addressing_style": settings["addressing_style"]},
        # Checksums only where the API requires them: MinIO and Ceph releases differ in what else they take.
        request_checksum_calculation="when_required", response_checksum_validation="when_required",
    )
    session = boto3.session.Session()  # a session of its own: boto3's default one is not thread-safe
    return session.client("s3", endpoint_url=settings["endpoint_url"], region_name=settings["region"],
                          aws_access_key_id=settings["access_key"], aws_secret_access_key=settings["secret_key"],
                          config=config)


_stores: dict[tuple, S3Storage] = {}
_stores_lock = threading.Lock()


def s3_storage(url: str, cache_dir: str | Path | None) -> S3Storage:
    """The S3 store for this URL, one client per process (a client is thread-safe, and made after a fork)."""
    ident = (os.getpid(), url, str(cache_dir))
    store = _stores.get(ident)
    if store is None:
        with _stores_lock:
            store = _stores.get(ident)
            if store is None:
                settings = parse_storage_url(url)
                store = S3Storage(make_s3_client(settings), settings["bucket"], settings["prefix"], cache_dir)
                _stores[ident] = store
    return store
