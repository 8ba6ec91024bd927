"""`flask storage ...`: move an installation's files from the local folder to S3, and prepare the bucket.

`flask storage migrate` copies EVERY file of the local folder (UPLOAD_DIR, else instance/uploads) to the
bucket named by STORAGE_URL, under the same key: rows keep naming their files, nothing in the database
changes. It copies all the folder's files rather than only those rows name: a file no row names is an
upload whose request failed before core.storage deleted it, or one queued for deletion; copying it is
harmless, while reading the database to choose would tie the copy to a schema and miss a file a row names
in a table the command does not know. A file already in the bucket with the same size and checksum (the
SHA-256 fairapp records with each object, else the MD5 ETag of a single PUT) is skipped, so the command
can be run again after an interruption, or once more just before switching STORAGE_URL on. The local
files are left in place (remove them when the site runs on S3). `--dry-run` only counts.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import Flask


def _digests(path: Path) -> tuple[str, str]:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def _same(head: dict | None, size: int, sha256: str, md5: str) -> bool:
    if head is None or int(head.get("ContentLength", -1)) != size:
        return False
    recorded = (head.get("Metadata") or {}).get("sha256")
    if recorded:
        return recorded == sha256
    return head.get("ETag", "").strip('"') == md5


def _target(app: Flask):
    from .storage_s3 import parse_storage_url, s3_storage

    url = app.config.get("STORAGE_URL")
    if not url:
        raise click.ClickException("STORAGE_URL is not set: name the S3 bucket to copy to "
                                   "(s3://<bucket>?endpoint_url=...&region=...)")
    try:
        parse_storage_url(url)
    except ValueError as error:
        raise click.ClickException(str(error))
    return s3_storage(url, None)


def register(app: Flask) -> None:
    group = click.Group("storage", help="Where files are stored (a local folder, or S3 with STORAGE_URL).")

    @group.command("migrate")
    @click.option("--dry-run", is_flag=True, help="Count what would be copied; copy nothing.")
    @click.option("--from", "source", type=click.Path(file_okay=False), default=None,
                  help="The local folder to copy (default: UPLOAD_DIR, else instance/uploads).")
    def migrate_command(dry_run: bool, source: str | None) -> None:
        """Copy every file of the local folder to the S3 bucket of STORAGE_URL, keys unchanged.

        Files already there with the same size and checksum are skipped: safe to run again.
        """
        from .storage import LocalStorage, local_storage

        target = _target(app)
        with app.app_context():  # this app's settings, whatever context the caller holds
            local = LocalStorage(source) if source else local_storage()
        if not target.healthy():
            raise click.ClickException(f"the bucket {target.bucket!r} does not answer (is the store up, "
                                       "the bucket made, the credentials right?); nothing was copied")
        copied = present = failed = 0
        size_copied = 0
        for key, path in local.keys():
            size = path.stat().st_size
            sha256, md5 = _digests(path)
            try:
                if _same(target.head(key), size, sha256, md5):
                    present += 1
                    continue
                if not dry_run:
                    target.put_file(key, path, sha256)
            except Exception as error:  # the store down or refusing this one, the file unreadable: say which
                failed += 1
                click.echo(f"storage: {key} not copied: {error}", err=True)
                continue
            copied += 1
            size_copied += size
        verb = "would copy" if dry_run else "copied"
        click.echo(f"storage: {verb} {copied} file(s) ({size_copied} bytes) from {local.root} to "
                   f"s3://{target.bucket}/{target.prefix}; {present} already there; {failed} failed")
        if failed:
            raise SystemExit(1)

    @group.command("create-bucket")
    def create_bucket_command() -> None:
        """Create the bucket of STORAGE_URL unless it exists (for a new MinIO or a test store)."""
        target = _target(app)
        made = target.create_bucket()
        click.echo(f"storage: bucket {target.bucket} {'created' if made else 'already there'}")

    app.cli.add_command(group)
