"""Evidence of a nomination: upload (photos and PDFs), delete, and serve the files to those allowed.

- Upload and delete: members of the nominating organization, while the nomination is a draft or returned
  and the category's window is open. Otherwise a flashed message and a redirect to the edit page
  (staff, admins and other readers who may view but not edit get 403).
- Serving: whoever may view the nomination (Nomination.can_view); anyone else gets 404, as if the file
  did not exist. Files are sent with their safe content type, nosniff, an inline Content-Disposition
  and a CSP of their own.
- Nothing is left behind: a refused file is never stored; the stored files of an upload that does not
  commit are deleted; a deleted file's bytes go once the deletion has committed.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..core.errors import DomainError
from ..core.i18n import use_thai_digits
from ..core.storage import delete_committed, keep_queued_files, storage
from ..core.uploads import (MAX_PDF_BYTES, MAX_PDF_PAGES, MAX_PHOTO_BYTES, MB, MIMETYPES, Accepted,
                            UploadRefused, accept_evidence, display_name, download_name)
from ..extensions import db
from . import bp, operations as ops
from .models import Evidence, Nomination

MAX_NOMINATION_BYTES = 100 * MB       # all the files of one nomination together (config can lower it)
REQUEST_SLACK = 2 * MB                # form fields and multipart framing around the files

# The file responses: nothing in them may run, load or be framed. Images also get a sandbox; PDFs do not,
# because browsers refuse to show a PDF in a sandboxed document.
CSP_IMAGE = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
CSP_PDF = ("default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; object-src 'self'; "
           "frame-ancestors 'none'; form-action 'none'; base-uri 'none'")


def max_nomination_bytes() -> int:
    return int(current_app.config.get("NOMINATION_EVIDENCE_MAX_BYTES") or MAX_NOMINATION_BYTES)


@bp.url_value_preprocessor
def _upload_body_limit(endpoint, values):
    """The upload may carry several photos and PDFs: allow up to the per-nomination total for this one
    endpoint (the app's MAX_CONTENT_LENGTH stays for every other request). This runs before the CSRF
    check reads the body, which a view or a blueprint before_request would be too late for."""
    if endpoint == "nominations.upload_evidence":
        request.max_content_length = max_nomination_bytes() + REQUEST_SLACK


@bp.app_template_global()
def evidence_limits(nomination: Nomination) -> dict:
    """What the upload form states: per-file limits, and what is left of the per-nomination ones."""
    used = sum(e.size_bytes for e in nomination.evidence)
    total = max_nomination_bytes()
    return {"photo_mb": MAX_PHOTO_BYTES // MB, "pdf_mb": MAX_PDF_BYTES // MB, "pdf_pages": MAX_PDF_PAGES,
            "max_files": nomination.category.max_files,
            "files_left": max(0, nomination.category.max_files - len(nomination.evidence)),
            "total_mb": total // MB, "used_mb": round(used / MB, 1), "left_mb": max(0, round((total - used) / MB, 1))}


def _edit_url(nomination_id: int) -> str:
    try:
        return url_for("nominations.edit", nomination_id=nomination_id, _anchor="evidence")
    except BuildError:
        return f"/nominations/{nomination_id}/edit#evidence"


def _back(nomination_id: int):
    return redirect(_edit_url(nomination_id), code=303)


def _nomination_or_404(nomination_id: int, *, lock: bool = False) -> Nomination:
    query = select(Nomination).where(Nomination.id == nomination_id)
    if lock:  # one upload at a time per nomination, so two cannot pass the file limits together
        query = query.with_for_update()
    nomination = db.session.scalars(query).first()
    # Another organization's nomination does not exist, as far as this user can tell.
    if nomination is None or not nomination.can_view(current_user):
        abort(404)
    use_thai_digits(nomination.category.fair.thai_numerals)
    return nomination


def _evidence_or_404(nomination: Nomination, evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.nomination_id != nomination.id:
        abort(404)
    return evidence


def _edit_problem(nomination: Nomination) -> str | None:
    """Why the nominator cannot change the files now, or None. (Members only: others get 403 first.)"""
    if not nomination.can_edit(current_user):
        abort(403)
    if not nomination.editable:
        return str(ops.NotEditable())
    if not nomination.category.window_open():
        return str(ops.WindowClosed())
    return None


def _caption(index: int) -> str:
    return (request.form.get(f"caption-{index}") or request.form.get("caption") or "").strip()


@bp.post("/nominations/<int:nomination_id>/evidence")
@login_required
def upload_evidence(nomination_id: int):
    """Attach the chosen files: each one accepted or refused on its own (with a message naming it),
    the accepted ones saved in one commit."""
    nomination = _nomination_or_404(nomination_id, lock=True)
    problem = _edit_problem(nomination)
    if problem:
        flash(problem, "error")
        return _back(nomination.id)
    uploads = [(i, f) for i, f in enumerate(request.files.getlist("files")) if f.filename]
    if not uploads:
        flash(_("กรุณาเลือกไฟล์ที่จะแนบ"), "error")
        return _back(nomination.id)
    max_files = nomination.category.max_files
    total_cap = max_nomination_bytes()
    used = sum(e.size_bytes for e in nomination.evidence)
    stored: list[Accepted] = []
    added = []
    try:
        for index, upload in uploads:
            name = display_name(upload.filename)
            if len(nomination.evidence) >= max_files:
                flash(_("ไฟล์ %(name)s ไม่ได้แนบ: %(why)s", name=name, why=str(ops.TooManyFiles(n=max_files))),
                      "error")
                continue
            try:
                accepted = accept_evidence(upload)
            except UploadRefused as exc:
                flash(str(exc), "error")
                continue
            stored.append(accepted)
            if used + accepted.size > total_cap:
                stored.remove(accepted)
                accepted.discard()
                flash(_("ไฟล์ %(name)s ไม่ได้แนบ: ไฟล์ทั้งหมดของการเสนอชื่อหนึ่งรายการรวมกันได้ไม่เกิน %(mb)d MB "
                        "(ใช้ไปแล้ว %(used)s MB)", name=name, mb=total_cap // MB, used=f"{used / MB:.1f}"), "error")
                continue
            try:
                ops.add_evidence(nomination, accepted, _caption(index), current_user)
            except DomainError as exc:
                stored.remove(accepted)
                accepted.discard()
                flash(_("ไฟล์ %(name)s ไม่ได้แนบ: %(why)s", name=name, why=str(exc)), "error")
                continue
            used += accepted.size
            added.append(accepted)
        db.session.commit()
    except BaseException:
        # Nothing of this upload was saved: its stored files go too (no orphan bytes), then the error
        # handler shows the error page.
        db.session.rollback()
        for accepted in stored:
            accepted.discard()
        raise
    if added:
        flagged = [a for a in added if a.flagged]
        flash(_("แนบไฟล์แล้ว %(n)d ไฟล์", n=len(added)), "success")
        for accepted in flagged:
            flash(_("ไฟล์ %(name)s: %(note)s", name=accepted.name, note=accepted.note), "warning")
    return _back(nomination.id)


@bp.post("/nominations/<int:nomination_id>/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(nomination_id: int, evidence_id: int):
    nomination = _nomination_or_404(nomination_id)
    evidence = _evidence_or_404(nomination, evidence_id)
    problem = _edit_problem(nomination)
    if problem:
        flash(problem, "error")
        return _back(nomination.id)
    name = evidence.original_name
    try:
        ops.remove_evidence(evidence, current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        keep_queued_files()
        flash(str(exc), "error")
        return _back(nomination.id)
    except BaseException:
        db.session.rollback()
        keep_queued_files()  # the row stays, so do its bytes
        raise
    delete_committed()
    flash(_("ลบไฟล์ %(name)s แล้ว", name=name), "success")
    return _back(nomination.id)


def _content_disposition(name: str) -> str:
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _send(evidence: Evidence, key: str, mimetype: str, name: str):
    store = storage()
    if not store.exists(key):
        abort(404)
    response = current_app.response_class(store.read(key), mimetype=mimetype)
    h = response.headers
    h["Content-Disposition"] = _content_disposition(name)
    h["X-Content-Type-Options"] = "nosniff"
    h["Content-Security-Policy"] = CSP_PDF if mimetype == "application/pdf" else CSP_IMAGE
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Cache-Control"] = "private, max-age=300"
    response.set_etag(f"{key}")
    return response.make_conditional(request)


def send_evidence(evidence: Evidence):
    """The stored file with safe headers (a cleaned photo, or the PDF as uploaded)."""
    ext = evidence.storage_key.rsplit(".", 1)[1]
    return _send(evidence, evidence.storage_key, MIMETYPES[ext],
                 download_name(evidence.original_name, evidence.storage_key))


def send_thumb(evidence: Evidence):
    """A photo's thumbnail (480 px JPEG); PDFs have none (404)."""
    if evidence.kind != "photo" or not evidence.thumb_key:
        abort(404)
    stem = evidence.original_name.rsplit(".", 1)[0]
    return _send(evidence, evidence.thumb_key, "image/jpeg", f"{stem}-thumb.jpg")


@bp.get("/nominations/<int:nomination_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(nomination_id: int, evidence_id: int):
    """The stored file (a cleaned photo, or the PDF as uploaded) for those who may view the nomination."""
    nomination = _nomination_or_404(nomination_id)
    return send_evidence(_evidence_or_404(nomination, evidence_id))


@bp.get("/nominations/<int:nomination_id>/evidence/<int:evidence_id>/thumb")
@login_required
def evidence_thumb(nomination_id: int, evidence_id: int):
    """A photo's thumbnail (480 px JPEG); PDFs have none."""
    nomination = _nomination_or_404(nomination_id)
    return send_thumb(_evidence_or_404(nomination, evidence_id))
