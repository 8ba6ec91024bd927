"""Staff pages for certificates: templates with a live preview, issuing and printing sets in batches,
the list of issued certificates, one certificate (print, revoke, reissue) and the stage-desk kiosk.

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair, template, batch or certificate that does not exist is 404.
"""
from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..core import audit
from ..core.errors import DomainError, wants_json
from ..core.forms import SelectChoice, form_csrf
from ..core.http import safe_id
from ..core.i18n import locale_code
from ..core.storage import delete_after_commit, storage
from ..core.templating import thaidate
from ..core.time import utcnow
from ..core.transaction import commit, rollback
from ..core.uploads import MIMETYPES, UploadRefused, accept_image
from ..extensions import db
from ..fairs.access import staff_fair_or_404
from ..fairs.models import Fair
from ..judging.models import Rubric
from ..nominations.models import Category
from . import batches
from . import operations as ops
from .blueprint import bp
from .forms import BatchForm, PrintForm, ReissueForm, RevokeForm, TemplateForm
from .models import KIND_LABELS, KINDS, Certificate, CertificateTemplate, PrintBatch
from .render import Face, Signatory, render_one

_pdfium_lock = threading.Lock()
LONG_SAMPLE = "ศูนย์การเรียนรู้ชุมชนคุณธรรมต้นแบบบ้านป่าซางงามเพื่อการพัฒนาที่ยั่งยืนจังหวัดเชียงราย"
SAMPLES = {"awardee": ("เทศบาลตำบลแม่ยาว", "อำเภอเมืองเชียงราย จังหวัดเชียงราย"),
           "exhibitor": ("นางสาวจีรนันท์ ใจงาม", "โรงเรียนสามัคคีวิทยาคม"),
           "judge": ("ผู้ช่วยศาสตราจารย์ ดร.กมล ทองดี", "มหาวิทยาลัยราชภัฏเชียงราย"),
           "participant": ("นายสมชาย ใจดี", "")}


# ---- access ----

def _staff_get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    staff_fair_or_404(obj.fair_id)
    return obj


def png_of(pdf_bytes: bytes, width: int = 1100) -> bytes:
    """The first page of a PDF as a PNG `width` pixels wide (pypdfium2; one at a time: it is not
    thread-safe)."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        document = pdfium.PdfDocument(pdf_bytes)
        try:
            page = document[0]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=False)
    return out.getvalue()


def pdf_response(data: bytes, name: str, *, inline: bool = True, frameable: bool = False):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=not inline,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    if frameable:  # the kiosk prints it from a frame of its own page
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


# ---- the fair's certificates page ----

def _finalized_categories(fair: Fair) -> list[Category]:
    return db.session.scalars(
        select(Category).join(Rubric, Rubric.category_id == Category.id)
        .where(Category.fair_id == fair.id, Rubric.finalized_at.is_not(None))
        .order_by(Category.sort_order, Category.id)).all()


@bp.route("/fairs/<int:fair_id>/certificates")
@login_required
def index(fair_id: int):
    return _index_page(staff_fair_or_404(fair_id))


def _index_page(fair: Fair, form: BatchForm | None = None, status: int = 200):
    templates = ops.templates_of(fair)
    categories = db.session.scalars(select(Category).where(Category.fair_id == fair.id)
                                    .order_by(Category.sort_order, Category.id)).all()
    finalized = _finalized_categories(fair)
    counts = dict(db.session.execute(
        select(Certificate.kind, func.count(Certificate.id))
        .where(Certificate.fair_id == fair.id, Certificate.superseded_by_id.is_(None),
               Certificate.revoked_at.is_(None)).group_by(Certificate.kind)).all())
    recent = db.session.scalars(select(PrintBatch).where(PrintBatch.fair_id == fair.id)
                                .order_by(PrintBatch.id.desc()).limit(10)).all()
    if form is None:
        form = BatchForm()
        form.category.choices = [SelectChoice(str(c.id), c.name(locale_code())) for c in finalized]
    return render_template("certificates/index.html", fair=fair, templates=templates, categories=categories,
                           finalized=finalized, counts=counts, batches=recent, form=form,
                           kinds=KINDS, kind_labels=KIND_LABELS), status


@bp.route("/fairs/<int:fair_id>/certificates/templates", methods=["POST"])
@login_required
def create_template(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        abort(400)
    category_id = None
    if kind == "awardee" and request.form.get("category"):
        category_id = safe_id(request.form.get("category"))
        category = db.session.get(Category, category_id) if category_id else None
        if category is None or category.fair_id != fair.id:
            abort(400)
        category_id = category.id
    template = ops.new_template(fair, kind, current_user, category_id)
    commit()
    flash(_("สร้างแม่แบบแล้ว แก้ข้อความ ภาพ และผู้ลงนามได้ด้านล่าง"), "success")
    return redirect(url_for("certificates.edit_template", template_id=template.id))


# ---- a template ----

def _template_form(template: CertificateTemplate, fair: Fair) -> TemplateForm:
    data = None
    if request.method == "GET":
        signatories = list(template.signatories or []) + [{}] * 3
        data = {"name": template.name, "category": str(template.category_id or ""), "level_th": template.level_th,
                "page_size": template.page_size, "orientation": template.orientation,
                "title_th": template.title_th, "issuer_th": template.issuer_th,
                "preamble_th": template.preamble_th, "reason_th": template.reason_th,
                "date_line_th": template.date_line_th, "given_on": template.given_on,
                "signatories": [{"name": s.get("name", ""), "position": s.get("position", "")}
                                for s in signatories[:3]]}
    form = TemplateForm(data=data) if data else TemplateForm()
    categories = db.session.scalars(select(Category).where(Category.fair_id == fair.id)
                                    .order_by(Category.sort_order, Category.id)).all()
    form.category.choices = [SelectChoice("", _("ทุกประเภทรางวัล"))] + [
        SelectChoice(str(c.id), c.name(locale_code())) for c in categories]
    return form


@bp.route("/certificates/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_template(template_id: int):
    template = _staff_get(CertificateTemplate, template_id)
    fair = template.fair
    form = _template_form(template, fair)
    used = db.session.scalar(select(func.count(Certificate.id)).where(Certificate.template_id == template.id))
    if request.method == "POST" and form.validate():
        try:
            ops.ensure_unlocked(template)
            _apply(template, form, fair)
        except UploadRefused as error:
            rollback()
            form.form_errors.append(str(error))
        except DomainError as error:
            rollback()
            flash(str(error), "error")
            return redirect(url_for("certificates.edit_template", template_id=template.id))
        else:
            commit()
            flash(_("บันทึกแม่แบบแล้ว"), "success")
            return redirect(url_for("certificates.edit_template", template_id=template.id))
    return render_template("certificates/template.html", fair=fair, template=template, form=form, used=used,
                           kind_labels=KIND_LABELS)


def _apply(template: CertificateTemplate, form: TemplateForm, fair: Fair) -> None:
    """Save the form into the template: texts, then images (each checked by content), audited."""
    before = template.snapshot()
    store_keys_gone: list[str] = []
    template.name = form.name.data.strip()
    if template.kind == "awardee":
        category_id = safe_id(form.category.data)
        category = db.session.get(Category, category_id) if category_id else None
        template.category_id = category.id if category is not None and category.fair_id == fair.id else None
        template.level_th = (form.level_th.data or "").strip() or None
    template.page_size = form.page_size.data
    template.orientation = form.orientation.data
    template.title_th = form.title_th.data.strip()
    template.issuer_th = form.issuer_th.data.strip()
    template.preamble_th = form.preamble_th.data.strip()
    template.reason_th = form.reason_th.data.strip()
    template.date_line_th = form.date_line_th.data.strip()
    template.given_on = form.given_on.data
    if form.background.data:
        store_keys_gone.append(template.background_key)
        template.background_key = accept_image(form.background.data, max_side=3508, as_jpeg=True)
    elif form.remove_background.data:
        store_keys_gone.append(template.background_key)
        template.background_key = None
    logos = list(template.logo_keys or []) + [None] * 3
    logos = logos[:3]
    for index in range(3):
        upload = getattr(form, f"logo_{index + 1}").data
        if upload:
            store_keys_gone.append(logos[index])
            logos[index] = accept_image(upload, max_side=800)
        elif getattr(form, f"remove_logo_{index + 1}").data:
            store_keys_gone.append(logos[index])
            logos[index] = None
    template.logo_keys = [k for k in logos if k]
    old = list(template.signatories or []) + [{}] * 3
    signatories = []
    for index, entry in enumerate(form.signatories.entries):
        sub = entry.form
        key = old[index].get("signature_key")
        if sub.signature.data:
            store_keys_gone.append(key)
            key = accept_image(sub.signature.data, max_side=900)
        elif sub.remove_signature.data:
            store_keys_gone.append(key)
            key = None
        name = (sub.name.data or "").strip()
        if name:
            signatories.append({"name": name, "position": (sub.position.data or "").strip(), "signature_key": key})
        elif key:
            store_keys_gone.append(key)
    template.signatories = signatories
    template.updated_by_id = current_user.id
    db.session.flush()
    audit.record("certificate_template.updated", template, actor=current_user, fair_id=fair.id,
                 before=before, after=template.snapshot())
    _delete_unused(store_keys_gone, template)


def _delete_unused(keys: list[str | None], template: CertificateTemplate) -> None:
    """Delete replaced images after the commit, unless another template (a copy) still uses them."""
    keys = [k for k in keys if k]
    if not keys:
        return
    others = db.session.scalars(select(CertificateTemplate).where(CertificateTemplate.fair_id == template.fair_id))
    in_use = set()
    for other in others:
        in_use.add(other.background_key)
        in_use.update(other.logo_keys or [])
        in_use.update(s.get("signature_key") for s in other.signatories or [])
    delete_after_commit(*[k for k in keys if k not in in_use])


def template_images(template: CertificateTemplate) -> dict[str, str]:
    """The template's images: storage key -> what it is (background, emblem n, signature of whom)."""
    images = {}
    if template.background_key:
        images[template.background_key] = "background"
    for number, key in enumerate(template.logo_keys or [], start=1):
        images[key] = f"logo_{number}"
    for number, person in enumerate(template.signatories or []):
        if person.get("signature_key"):
            images[person["signature_key"]] = f"signature_{number}"
    return images


@bp.route("/certificates/templates/<int:template_id>/images/<key>")
@login_required
def template_image(template_id: int, key: str):
    """One of the template's images (a thumbnail in the editor); any other key is 404."""
    template = _staff_get(CertificateTemplate, template_id)
    if key not in template_images(template) or not storage().exists(key):
        abort(404)
    ext = key.rsplit(".", 1)[1]
    response = send_file(io.BytesIO(storage().read(key)), mimetype=MIMETYPES[ext], max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/certificates/templates/<int:template_id>/copy", methods=["POST"])
@login_required
def copy_template(template_id: int):
    template = _staff_get(CertificateTemplate, template_id)
    copy = ops.copy_template(template, current_user)
    commit()
    flash(_("ทำสำเนาแม่แบบแล้ว แก้ไขที่สำเนานี้ได้"), "success")
    return redirect(url_for("certificates.edit_template", template_id=copy.id))


def _preview_pdf(template: CertificateTemplate) -> bytes:
    """A sample certificate of the template, with the form's unsaved texts (query string) applied."""
    fair = template.fair
    design = ops.design_for(template, fair)
    args = request.args
    texts = {}
    for field, attr, limit in (("title_th", "title", 200), ("preamble_th", "preamble", 400),
                               ("date_line_th", "date_line", 300)):
        if field in args:
            texts[attr] = args.get(field, "")[:limit]
    if "issuer_th" in args:
        texts["issuer"] = ops.fill(args.get("issuer_th", "")[:400], {"หน่วยงาน": fair.organizer_th,
                                                                     "งาน": fair.name_th})
    if args.get("page_size") in ("A4", "A5", "LETTER"):
        texts["page_size"] = args["page_size"]
    if args.get("orientation") in ("landscape", "portrait"):
        texts["orientation"] = args["orientation"]
    signatories = []
    for index in range(3):
        name = args.get(f"signatories-{index}-name")
        if name is None:
            signatories = None
            break
        if name.strip():
            old = design.signatories[index] if index < len(design.signatories) else None
            signatories.append(Signatory(name.strip()[:150], args.get(f"signatories-{index}-position", "")[:200],
                                         old.signature if old else None))
    if signatories is not None:
        texts["signatories"] = tuple(signatories)
    design = replace(design, key="preview", **texts)
    holder, org = SAMPLES[template.kind]
    if args.get("long"):
        holder = LONG_SAMPLE
    reason_text = args.get("reason_th", template.reason_th)[:1000]
    values = {"ระดับ": template.level_th or "ต้นแบบ",
              "ประเภทรางวัล": template.category.name_th if template.category else "องค์กรคุณธรรมต้นแบบ",
              "งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org or fair.organizer_th,
              "บูธ": "A01"}
    given = template.given_on or fair.ends_on
    if args.get("given_on"):
        try:
            given = date.fromisoformat(args["given_on"])
        except ValueError:
            pass
    face = Face(serial=_("ตัวอย่าง ไม่ใช่เกียรติบัตรจริง"), holder=holder, holder_org=org,
                reason=ops.fill(reason_text, values), given_on=given,
                qr=ops.public_base_url() + "/verify", title="ตัวอย่าง")
    return render_one(design, face)


def _png_response(pdf_bytes: bytes, cache: str, width: int = 1100):
    response = send_file(io.BytesIO(png_of(pdf_bytes, width)), mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = cache
    return response


@bp.route("/certificates/templates/<int:template_id>/preview.png")
@login_required
def preview_png(template_id: int):
    template = _staff_get(CertificateTemplate, template_id)
    return _png_response(_preview_pdf(template), "private, no-store")


@bp.route("/certificates/templates/<int:template_id>/preview.pdf")
@login_required
def preview_pdf(template_id: int):
    template = _staff_get(CertificateTemplate, template_id)
    return pdf_response(_preview_pdf(template), f"preview-{template.id}.pdf")


# ---- batches: issue a set and print it ----

@bp.route("/fairs/<int:fair_id>/certificates/batches", methods=["POST"])
@login_required
@form_csrf
def create_batch(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    form = BatchForm()
    finalized = _finalized_categories(fair)
    form.category.choices = [SelectChoice(str(c.id), c.name(locale_code())) for c in finalized]
    if not form.validate():  # the page again, with the message and the typed names kept
        return _index_page(fair, form)
    kind = form.kind.data
    category = None
    try:
        if kind == "awardee":
            category = next((c for c in finalized if str(c.id) == form.category.data), None)
            if category is None:
                raise ops.NotFinalized()
        candidates = ops.candidates_for(fair, kind, category, form.names.data or "")
        if not candidates:
            raise DomainError(_("ยังไม่มีผู้ที่จะได้รับเกียรติบัตรในชุดนี้"))
        templates = ops.templates_of(fair)
        for candidate in candidates:  # say so now, not halfway through the batch
            if ops.template_for(templates, candidate.kind, candidate.category_id, candidate.level_th) is None:
                raise ops.NoTemplate(kind=str(KIND_LABELS[kind]))
    except DomainError as error:
        rollback()
        form.form_errors.append(str(error))
        return _index_page(fair, form)
    title = str(KIND_LABELS[kind]) + (f" · {category.name_th}" if category else "")
    batch = batches.create(fair, kind, candidates, current_user, title, category)
    audit.record("certificate_batch.created", batch, actor=current_user, fair_id=fair.id,
                 after={"kind": kind, "category_id": batch.category_id, "total": batch.total})
    commit()
    batches.start(batch.id)
    return redirect(url_for("certificates.batch", batch_id=batch.id))


def _batch_prints(batch: PrintBatch):
    """(how many of the batch's certificates were printed before, the latest such print)."""
    ids = batches.certificate_ids(batch)
    prints = ops.last_prints(ids)
    latest = max(prints.values(), key=lambda p: p.printed_at, default=None)
    return len(prints), latest


@bp.route("/certificates/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    batch = _staff_get(PrintBatch, batch_id)
    printed, latest = _batch_prints(batch) if batch.status == "done" else (0, None)
    return render_template("certificates/batch.html", batch=batch, fair=batch.fair, printed=printed,
                           latest=latest, form=PrintForm())


@bp.route("/certificates/batches/<int:batch_id>/progress")
@login_required
def batch_progress(batch_id: int):
    batch = _staff_get(PrintBatch, batch_id)
    resumed = False
    if batches.stalled(batch):  # its worker died (or never started): pick it up here
        batches.start(batch.id)
        db.session.expire_all()
        batch = db.session.get(PrintBatch, batch_id)
        resumed = True
    return jsonify(status=batch.status, done=batch.done, total=batch.total, percent=batch.percent,
                   skipped=batch.skipped, resumed=resumed, error=bool(batch.error),
                   url=url_for("certificates.batch", batch_id=batch.id))


@bp.route("/certificates/batches/<int:batch_id>/print", methods=["POST"])
@login_required
def batch_print(batch_id: int):
    batch = _staff_get(PrintBatch, batch_id)
    form = PrintForm()
    form.validate()  # the token was checked before the view; `confirm` is a checkbox
    if batch.status != "done" or not batch.result_key:
        flash(_("ชุดนี้ยังสร้างไฟล์ไม่เสร็จ"), "error")
        return redirect(url_for("certificates.batch", batch_id=batch.id))
    ids = batches.certificate_ids(batch)  # in page order
    current = {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)))}
    pages = [index for index, cert_id in enumerate(ids) if current[cert_id].status == "valid"]
    if not pages:
        flash(_("ไม่มีเกียรติบัตรที่ยังใช้ได้ในชุดนี้ จึงไม่มีอะไรให้พิมพ์"), "error")
        return redirect(url_for("certificates.batch", batch_id=batch.id))
    printed, latest = _batch_prints(batch)
    if printed and not form.confirm.data:
        flash(_("ชุดนี้มี %(n)s ฉบับที่พิมพ์ไปแล้ว (ล่าสุดเมื่อ %(when)s โดย %(who)s) กรุณายืนยันก่อนพิมพ์ซ้ำ",
                n=printed, when=thaidate(latest.printed_at, "datetime"),
                who=latest.printed_by.full_name if latest.printed_by else "-"), "warning")
        return redirect(url_for("certificates.batch", batch_id=batch.id))
    data = storage().read(batch.result_key)
    if len(pages) < len(ids):  # revoked or replaced since the batch was made: their pages stay out
        data = _only_pages(data, pages, batch.title)
    ops.record_prints([current[ids[index]] for index in pages], current_user, "batch", batch.id)
    batch.printed_at = utcnow()
    commit()
    return pdf_response(data, f"certificates-batch-{batch.id}.pdf", inline=False)


def _only_pages(data: bytes, pages: list[int], title: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for index in pages:
        writer.add_page(reader.pages[index])
    writer.add_metadata({"/Title": title, "/Creator": "fairapp"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@bp.route("/certificates/batches/<int:batch_id>/retry", methods=["POST"])
@login_required
def batch_retry(batch_id: int):
    """A failed batch, again: it resumes at its first unfinished chunk."""
    batch = _staff_get(PrintBatch, batch_id)
    if batch.status == "failed":
        batches.requeue(batch)
        audit.record("certificate_batch.retried", batch, actor=current_user, fair_id=batch.fair_id)
        commit()
        batches.start(batch.id)
    return redirect(url_for("certificates.batch", batch_id=batch.id))


# ---- issued certificates ----

@bp.route("/fairs/<int:fair_id>/certificates/issued")
@login_required
def issued(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    query = select(Certificate).where(Certificate.fair_id == fair.id)
    kind = request.args.get("kind", "")
    if kind in KINDS:
        query = query.where(Certificate.kind == kind)
    q = request.args.get("q", "")[:100]
    if q.strip():
        from .serials import SerialError, normalize
        try:
            query = query.where(Certificate.serial == normalize(q))
        except SerialError:
            query = query.where(Certificate.search_key.contains(ops.search_norm(q), autoescape=True))
    rows = db.session.scalars(query.order_by(Certificate.kind, Certificate.stage_order, Certificate.id)
                              .limit(500)).all()
    prints = ops.last_prints([c.id for c in rows])
    return render_template("certificates/issued.html", fair=fair, rows=rows, prints=prints, kind=kind, q=q,
                           kinds=KINDS, kind_labels=KIND_LABELS)


@bp.route("/certificates/<int:cert_id>")
@login_required
def detail(cert_id: int):
    return _detail_page(_staff_get(Certificate, cert_id))


def _detail_page(cert: Certificate, *, revoke_form=None, reissue_form=None, status: int = 200):
    history = db.session.scalars(select(Certificate).where(Certificate.fair_id == cert.fair_id,
                                                           Certificate.subject_key == cert.subject_key)
                                 .order_by(Certificate.generation)).all()
    if reissue_form is None:
        reissue_form = ReissueForm(formdata=None, data={"holder_name": cert.holder_name,
                                                        "holder_org": cert.holder_org})
    return render_template("certificates/detail.html", cert=cert, fair=cert.fair, history=history,
                           revoke_form=revoke_form or RevokeForm(formdata=None), reissue_form=reissue_form,
                           last=ops.last_prints([cert.id]).get(cert.id)), status


@bp.route("/certificates/<int:cert_id>/certificate.pdf")
@login_required
def certificate_pdf(cert_id: int):
    cert = _staff_get(Certificate, cert_id)
    return pdf_response(storage().read(cert.pdf_key), f"certificate-{cert.grouped_serial}.pdf")


@bp.route("/certificates/<int:cert_id>/preview.png")
@login_required
def certificate_png(cert_id: int):
    cert = _staff_get(Certificate, cert_id)
    width = 700 if request.args.get("size") == "small" else 1100
    return _png_response(storage().read(cert.pdf_key), "private, max-age=600", width)


@bp.route("/certificates/<int:cert_id>/print", methods=["POST"])
@login_required
def print_one(cert_id: int):
    """Record a printed copy and give the PDF. Printed before and not confirmed: say when and by whom
    (409 for the kiosk's script, a warning on the page otherwise)."""
    cert = _staff_get(Certificate, cert_id)
    form = PrintForm()
    via = "kiosk" if request.form.get("via") == "kiosk" else "single"
    back = request.form.get("back") == "kiosk"
    form.validate()  # the token was checked before the view; `confirm` is a checkbox
    if cert.status != "valid":
        message = _("เกียรติบัตรเลขที่ %(serial)s ใช้ไม่ได้แล้ว จึงพิมพ์ไม่ได้", serial=cert.grouped_serial)
        if wants_json():
            return jsonify(error=message), 409
        flash(message, "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    last = ops.last_prints([cert.id]).get(cert.id)
    if last is not None and not form.confirm.data:
        message = _("พิมพ์ไปแล้วเมื่อ %(when)s โดย %(who)s จะพิมพ์อีกครั้งหรือไม่",
                    when=thaidate(last.printed_at, "datetime"),
                    who=last.printed_by.full_name if last.printed_by else "-")
        if wants_json():
            return jsonify(warning=message, printed_at=last.printed_at.isoformat()), 409
        flash(message, "warning")
        if back:
            return redirect(url_for("certificates.kiosk", fair_id=cert.fair_id, q=request.form.get("q", ""),
                                    pick=cert.id))
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    ops.record_prints([cert], current_user, via)
    commit()
    if wants_json():
        return jsonify(pdf=url_for("certificates.print_pdf", cert_id=cert.id))
    return pdf_response(storage().read(cert.pdf_key), f"certificate-{cert.grouped_serial}.pdf")


@bp.route("/certificates/<int:cert_id>/print.pdf")
@login_required
def print_pdf(cert_id: int):
    """The PDF the kiosk loads into its frame to print (the copy was recorded by print_one)."""
    cert = _staff_get(Certificate, cert_id)
    return pdf_response(storage().read(cert.pdf_key), f"certificate-{cert.grouped_serial}.pdf", frameable=True)


@bp.route("/certificates/<int:cert_id>/revoke", methods=["POST"])
@login_required
@form_csrf
def revoke(cert_id: int):
    cert = _staff_get(Certificate, cert_id)
    form = RevokeForm()
    if not form.validate():
        return _detail_page(cert, revoke_form=form, status=400)
    try:
        ops.revoke(cert, form.reason.data, current_user)
    except DomainError as error:
        rollback()
        flash(str(error), "error")
    else:
        commit()
        flash(_("เพิกถอนเกียรติบัตรเลขที่ %(serial)s แล้ว", serial=cert.grouped_serial), "success")
    return redirect(url_for("certificates.detail", cert_id=cert.id))


@bp.route("/certificates/<int:cert_id>/reissue", methods=["POST"])
@login_required
@form_csrf
def reissue(cert_id: int):
    cert = _staff_get(Certificate, cert_id)
    form = ReissueForm()
    if not form.validate():
        return _detail_page(cert, reissue_form=form, status=400)
    try:
        new = ops.reissue(cert, form.reason.data, current_user, holder_name=form.holder_name.data,
                          holder_org=form.holder_org.data or "")
    except DomainError as error:
        rollback()
        flash(str(error), "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    commit()
    flash(_("ออกเกียรติบัตรฉบับใหม่เลขที่ %(new)s แทนฉบับเลขที่ %(old)s แล้ว", new=new.grouped_serial,
            old=cert.grouped_serial), "success")
    return redirect(url_for("certificates.detail", cert_id=new.id))


# ---- the stage-desk kiosk ----

@bp.route("/fairs/<int:fair_id>/kiosk")
@login_required
def kiosk(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    q = request.args.get("q", "")[:100]
    rows = []
    needle = ops.search_norm(q)
    if needle:
        from .serials import SerialError, normalize
        query = select(Certificate).where(Certificate.fair_id == fair.id, Certificate.superseded_by_id.is_(None),
                                          Certificate.revoked_at.is_(None))
        try:
            query = query.where(Certificate.serial == normalize(q))
        except SerialError:
            query = query.where(Certificate.search_key.contains(needle, autoescape=True))
        rows = db.session.scalars(query.order_by(Certificate.kind, Certificate.stage_order).limit(30)).all()
    pick = safe_id(request.args.get("pick"))
    picked = next((c for c in rows if c.id == pick), rows[0] if len(rows) == 1 else None)
    prints = ops.last_prints([c.id for c in rows])
    return render_template("certificates/kiosk.html", fair=fair, q=q, rows=rows, picked=picked, prints=prints,
                           form=PrintForm())
