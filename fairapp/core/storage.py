"""Where uploaded and generated files live: one small interface, a local folder by default.

Keys are random and carry no user input, so a key can never name a path outside the store.
Several app servers need a shared store (an S3-compatible one); `LocalStorage` is the embedded default.
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app, g, has_app_context

_KEY = re.compile(r"^[a-z0-9]{32}\.(jpg|png|webp|pdf)$")


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes, ext: str) -> str:
        """Store bytes under a new random key; written to a temporary name first, so no half file stays."""
        key = f"{secrets.token_hex(16)}.{ext}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        if has_app_context():  # a unit of work that rolls back deletes what it stored (core.transaction)
            g.setdefault("storage_stored", []).append(key)
        return key

    def local_path(self, key: str) -> Path:
        """A file on this machine holding the key's bytes (the stored file itself, for a local store)."""
        return self._path(key)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str | None) -> None:
        if key and self.exists(key):
            self._path(key).unlink()


def storage() -> LocalStorage:
    """The app's file store (instance/uploads unless UPLOAD_DIR says otherwise)."""
    root = current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")
    return LocalStorage(root)


def delete_after_commit(*keys: str | None) -> None:
    """Delete these files once the request's transaction has committed (see delete_committed)."""
    g.setdefault("storage_deletions", []).extend(k for k in keys if k)


def delete_committed() -> None:
    """Delete the files queued by delete_after_commit; call right after the commit."""
    store = storage()
    for key in g.pop("storage_deletions", []):
        store.delete(key)


def stored_mark() -> int:
    """How many files this unit of work has stored so far (for a savepoint to undo only its own)."""
    return len(g.get("storage_stored", [])) if has_app_context() else 0


def delete_stored_since(mark: int = 0) -> None:
    """Delete the files stored since `mark`: the rows that were to name them were rolled back."""
    stored = g.get("storage_stored", []) if has_app_context() else []
    if len(stored) > mark:
        store = storage()
        for key in stored[mark:]:
            store.delete(key)
        del stored[mark:]


def forget_stored() -> None:
    """The unit of work committed: the files it stored now belong to committed rows."""
    if has_app_context():
        g.pop("storage_stored", None)


def keep_queued_files() -> None:
    """Forget queued deletions (the transaction rolled back, so the rows that own the files remain)."""
    g.pop("storage_deletions", None)
