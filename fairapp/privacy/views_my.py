"""A person's own data (PDPA s.30, s.31): /my/data shows what is held and offers it as JSON (machine
readable) and as a ZIP (data.json, a readable PDF, and the stored files: application photos, their
organizations' evidence, their certificates). Signed-in people, their own data only."""
from __future__ import annotations

import json
import tempfile
import zipfile

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import ActionForm
from ..certificates.models import Certificate
from ..certificates.printing import certificate_pdf
from ..core.i18n import locale_code
from ..core.time import today_local
from ..core.responses import send_bytes, send_stream
from ..core.storage import storage
from ..extensions import db
from . import consents, my_data, registry
from .blueprint import bp
from .forms import OwnRequestForm
from .readable import SECTIONS, readable_pdf
from .requests import own_requests


IN_MEMORY = 16 * 1024 * 1024  # a ZIP up to this size is built in memory; a larger one spills to a temporary file


def _data() -> dict:
    return my_data.collect(current_user, request.host_url.rstrip("/"))


def my_page(form: OwnRequestForm | None = None, status: int = 200):
    """/my/data: what is held (counts per section), the downloads, the person's requests and the form to
    make one."""
    data = _data()
    counts = {key: (len(value) if isinstance(value, list) else sum(len(v) for v in value.values())
                    if key == "judging" else 1) for key, value in data.items() if key in SECTIONS}
    return render_template("privacy/my_data.html", sections=SECTIONS, counts=counts, form=form or OwnRequestForm(),
                           requests=own_requests(current_user), today=today_local(),
                           consents=consents.current(current_user), purposes=registry.PURPOSE,
                           action_form=ActionForm()), status


@bp.post("/my/consents/<purpose>")
@login_required
def set_consent(purpose: str):
    """Give (given=1) or withdraw (given=0) consent for an optional purpose: one click, effective at once."""
    if purpose not in consents.OPTIONAL:
        abort(404)
    given = request.form.get("given") == "1"
    if consents.set_consent(current_user, purpose, given):
        flash(_("บันทึกความยินยอมแล้ว") if given else _("ถอนความยินยอมแล้ว มีผลทันที"), "success")
    return redirect(url_for("privacy.my_data_page") + "#consents", code=303)


@bp.get("/my/data")
@login_required
def my_data_page():
    return my_page()


@bp.get("/my/data.json")
@login_required
def my_data_json():
    body = json.dumps(_data(), ensure_ascii=False, indent=2).encode("utf-8")
    return send_bytes(body, f"my-data-{current_user.id}.json", inline=False)


class _Spooled:
    """A finished temporary file for send_stream: read in chunks, its size known, closed at the end."""

    def __init__(self, fh):
        self._fh, self.size = fh, fh.tell()
        fh.seek(0)

    def read(self, n: int = -1) -> bytes:
        if self._fh.closed:
            return b""
        data = self._fh.read(n)
        if not data or n is None or n < 0:
            self.close()  # at its end (like core.storage.StoredFile): nothing stays open after a full read
        return data

    def close(self) -> None:
        self._fh.close()


def _file_bytes(key: str, kind: str) -> bytes | None:
    """A stored file's bytes, or None when it is no longer stored (the ZIP lists it as missing)."""
    try:
        if kind == "certificate":
            certificate = db.session.get(Certificate, int(key))
            return certificate_pdf(certificate) if certificate is not None else None
        return storage().read(key)
    except (FileNotFoundError, ValueError):
        return None


@bp.get("/my/data.zip")
@login_required
def my_data_zip():
    return zip_response(current_user)


def zip_response(user):
    """The person's data as a ZIP, built in memory up to 16 MB, past that in a temporary file streamed from
    disk (evidence files can be large). A file the store no longer holds is listed in missing-files.txt instead; a
    store that does not answer is a clear 503 (StorageUnavailable), never a half ZIP."""
    data = my_data.collect(user, request.host_url.rstrip("/"))
    fh = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)
    try:
        missing = []
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
            name = f"{user.first_name} {user.last_name}".strip()
            archive.writestr(_("ข้อมูลของฉัน") + ".pdf", readable_pdf(data, name, locale_code()))
            for path, key, kind in my_data.files(user):
                content = _file_bytes(key, kind)
                if content is None:
                    missing.append(path)
                    continue
                archive.writestr(path, content, compress_type=zipfile.ZIP_STORED)  # photos and PDFs: packed
            if missing:
                archive.writestr("missing-files.txt", "\n".join(missing) + "\n")
    except BaseException:  # the store down (StorageUnavailable: a clear 503), or anything else: no half ZIP
        fh.close()
        raise
    name = f"my-data-{user.id}.zip"
    if fh.tell() <= IN_MEMORY:  # small: answered whole, nothing left open
        fh.seek(0)
        body = fh.read()
        fh.close()
        return send_bytes(body, name, mimetype="application/zip", inline=False)
    return send_stream(lambda: _Spooled(fh), name, mimetype="application/zip", inline=False)
