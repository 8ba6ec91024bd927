"""A file accepted once is not lost when the rest of its form fails.

A phone user who attached a photo and then mistyped a date must not attach the photo again (and must not
lose it without being told). `keep_upload(form.photo, accept_image)` is called by the view on every POST,
right after `form.validate_on_submit()` (validation resets field errors), whether or not it validated:
- a newly chosen file is checked by content (`accept`) and stored; a refusal lands on the field;
- the stored file is remembered in the form as a signed token (hidden input `<field>-kept`, rendered by the
  `field` macro of templates/_forms.html with the file's name and "no need to attach it again");
- on the next submit without a new file, the token brings the same stored file back.
The token is signed with SECRET_KEY, bound to the signed-in user and valid for a day, so nobody can claim
another person's file by its key. A kept file whose form is abandoned is not referenced by any row: it stays
in the store (nothing sweeps unreferenced keys yet; the retention purge of the PDPA issue is where that
belongs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .errors import UploadRefused
from .storage import storage

_SALT = "fairapp.kept-upload"
MAX_AGE = 24 * 3600


@dataclass
class KeptFile:
    key: str
    name: str
    token: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def token_name(field) -> str:
    """The hidden input that carries a kept file of this field."""
    return f"{field.name}-kept"


def _from_token(field) -> KeptFile | None:
    token = request.form.get(token_name(field), "")
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != _user_id() or not storage().exists(str(data.get("k"))):
        return None
    return KeptFile(data["k"], str(data.get("n") or ""), token)


def _new_file(field):
    data = field.data
    return data if data is not None and getattr(data, "filename", "") else None


def keep_upload(field, accept: Callable[..., str]) -> str | None:
    """The storage key of this field's file: a new upload (checked and stored) or the one kept before.

    `accept(file_storage) -> key` checks the content and stores it (core.uploads.accept_image); its
    UploadRefused goes onto the field (the kept file, if any, stays). Sets `field.kept` for the template.
    """
    field.kept = _from_token(field)
    upload = _new_file(field)
    if upload is not None:
        try:
            key = accept(upload)
        except UploadRefused as error:
            field.errors = list(field.errors or []) + [str(error)]
            return field.kept.key if field.kept else None
        name = str(getattr(upload, "filename", "") or "")[:120]
        token = _serializer().dumps({"k": key, "n": name, "u": _user_id()})
        field.kept = KeptFile(key, name, token)
    return field.kept.key if field.kept else None


def kept_key(field) -> str | None:
    """The key `keep_upload` found for this field (None when nothing was attached)."""
    kept = getattr(field, "kept", None)
    return kept.key if kept else None
