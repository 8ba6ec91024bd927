"""Evidence of a nomination: upload (photos and PDFs), delete, and serve the files to those allowed.

- Upload and delete: members of the nominating organization (others who may view get 403), while the
  nomination is a draft or returned and the category's window is open; otherwise a flashed message and
  a redirect to the edit page. The limits (files per nomination, bytes of all its files) are the
  operation's (`ops.add_evidence`, under the nomination's row lock).
- Serving: whoever may view the nomination (Nomination.can_view); anyone else gets 404, as if the file
  did not exist. Files are streamed by core.storage (core.responses.send_stream: safe content type, nosniff, the Thai name
  in Content-Disposition, a CSP of their own, private caching with an ETag). Photos (re-encoded, so
  nothing of the upload but its pixels) are shown inline; a PDF is kept as uploaded, so it is only ever
  a download (attachment, the sandboxed download CSP): no browser viewer on the site's origin opens it,
  whatever core.pdf_check may have missed.
- Nothing is left behind: a refused file is never stored, or is deleted with the savepoint that
  refused it; the files of a request that rolls back are deleted (core.transaction); a deleted file's
  bytes go once the deletion has committed.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.storage import storage
from ..core.text import form_text
from ..core.transaction import attempt
from ..core.uploads import (MAX_PDF_BYTES, MAX_PDF_PAGES, MAX_PHOTO_BYTES, MB, MIMETYPES, UploadRefused,
                            accept_evidence, display_name, download_name)
from .blueprint import bp
from . import access, operations as ops
from .models import Evidence, Nomination

REQUEST_SLACK = 2 * MB                # form fields and multipart framing around the files
FILE_MAX_AGE = 300                    # seconds a browser may keep a private copy of a file


@bp.url_value_preprocessor
def _upload_body_limit(endpoint, values):
    """The upload may carry several photos and PDFs: allow up to the per-nomination total for this one
    endpoint (the app's MAX_CONTENT_LENGTH stays for every other request). This runs before the CSRF
    check reads the body, which a view or a blueprint before_request would be too late for."""
    if endpoint == "nominations.upload_evidence":
        request.max_content_length = ops.max_nomination_bytes() + REQUEST_SLACK


@bp.app_template_global()
def evidence_limits(nomination: Nomination) -> dict:
    """What the upload form states: per-file limits, and what is left of the per-nomination ones."""
    used = ops.usage(nomination)
    return {"photo_mb": MAX_PHOTO_BYTES // MB, "pdf_mb": MAX_PDF_BYTES // MB, "pdf_pages": MAX_PDF_PAGES,
            "max_files": used.max_files, "files_left": used.files_left,
            "total_mb": used.max_bytes // MB, "used_mb": round(used.bytes / MB, 1),
            "left_mb": round(used.bytes_left / MB, 1)}


def _back(nomination_id: int):
    return redirect(url_for("nominations.edit", nomination_id=nomination_id, _anchor="evidence"), code=303)


def _caption(index: int) -> str:
    return form_text(f"caption-{index}") or form_text("caption")


@bp.post("/nominations/<int:nomination_id>/evidence")
@login_required
def upload_evidence(nomination_id: int):
    """Attach the chosen files: each one accepted or refused on its own (with a message naming it)."""
    nomination = access.editable_nomination_or_404(nomination_id)
    problem = ops.evidence_problem(nomination)
    if problem is not None:
        flash(str(problem), "error")
        return _back(nomination.id)
    uploads = [(i, f) for i, f in enumerate(request.files.getlist("files")) if f.filename]
    if not uploads:
        flash(_("กรุณาเลือกไฟล์ที่จะแนบ"), "error")
        return _back(nomination.id)
    added = []
    for index, upload in uploads:
        with attempt(flash_errors=False) as done:
            accepted = accept_evidence(upload)
            ops.add_evidence(nomination, accepted, _caption(index), current_user)
        if done:
            added.append(accepted)
        elif isinstance(done.error, UploadRefused):  # its message names the file already
            flash(str(done.error), "error")
        else:
            flash(_("ไฟล์ %(name)s ไม่ได้แนบ: %(why)s", name=display_name(upload.filename), why=str(done.error)),
                  "error")
    if added:
        flash(_("แนบไฟล์แล้ว %(n)d ไฟล์", n=len(added)), "success")
        for accepted in added:
            if accepted.flagged:
                flash(_("ไฟล์ %(name)s: %(note)s", name=accepted.name, note=accepted.note), "warning")
    return _back(nomination.id)


@bp.post("/nominations/<int:nomination_id>/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(nomination_id: int, evidence_id: int):
    nomination = access.editable_nomination_or_404(nomination_id)
    evidence = access.evidence_or_404(nomination, evidence_id)
    name = evidence.original_name
    with attempt() as done:
        ops.remove_evidence(evidence, current_user)
    if done:
        flash(_("ลบไฟล์ %(name)s แล้ว", name=name), "success")
    return _back(nomination.id)


@bp.post("/nominations/<int:nomination_id>/evidence/<int:evidence_id>/public")
@login_required
def evidence_public(nomination_id: int, evidence_id: int):
    """Publish a photo on the awardee's public page if the nomination is awarded (public=1), or withdraw
    it (public=0): the nominating organization's members, at any status (others who may view: 403)."""
    nomination = access.editable_nomination_or_404(nomination_id)
    evidence = access.evidence_or_404(nomination, evidence_id)
    if evidence.kind != "photo":
        abort(404)
    public = request.form.get("public") == "1"
    with attempt() as done:
        ops.set_photo_public(evidence, public, current_user)
    if done:
        flash(_("ภาพนี้จะเผยแพร่บนหน้าสาธารณะหากได้รับรางวัล") if public else _("ภาพนี้จะไม่เผยแพร่บนหน้าสาธารณะ"),
              "success")
    endpoint = "nominations.edit" if nomination.editable else "nominations.view"
    return redirect(url_for(endpoint, nomination_id=nomination.id, _anchor=f"evidence-{evidence.id}"), code=303)


def _send(key: str, name: str, mimetype: str, *, inline: bool = True):
    """Streamed from the store (a PDF may be 20 MB); 404 when it is not stored."""
    return storage().send(key, name, mimetype=mimetype, inline=inline, max_age=FILE_MAX_AGE, etag=key)


def send_evidence(evidence: Evidence):
    """The stored file under its uploaded name: a cleaned photo inline, the PDF as uploaded as a download."""
    mimetype = MIMETYPES[evidence.storage_key.rsplit(".", 1)[1]]
    return _send(evidence.storage_key, download_name(evidence.original_name, evidence.storage_key), mimetype,
                 inline=mimetype.startswith("image/"))


def send_thumb(evidence: Evidence):
    """A photo's thumbnail (480 px JPEG); PDFs have none (404). Until its job (nominations.jobs) has made
    it, the cleaned photo itself, with its own type: a page never shows a broken image."""
    if evidence.kind != "photo":
        abort(404)
    if not evidence.thumb_key:
        return send_evidence(evidence)
    stem = evidence.original_name.rsplit(".", 1)[0]
    return _send(evidence.thumb_key, f"{stem}-thumb.jpg", "image/jpeg")


@bp.get("/nominations/<int:nomination_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(nomination_id: int, evidence_id: int):
    """The stored file (a cleaned photo, or the PDF as uploaded) for those who may view the nomination."""
    nomination = access.nomination_or_404(nomination_id)
    return send_evidence(access.evidence_or_404(nomination, evidence_id))


@bp.get("/nominations/<int:nomination_id>/evidence/<int:evidence_id>/thumb")
@login_required
def evidence_thumb(nomination_id: int, evidence_id: int):
    """A photo's thumbnail (480 px JPEG; the photo itself until it is made); PDFs have none."""
    nomination = access.nomination_or_404(nomination_id)
    return send_thumb(access.evidence_or_404(nomination, evidence_id))
