"""Certificate templates: create, edit (wording, page, images, signatories) with a live preview, copy a
locked one, and the template's images as thumbnails.

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair or template that does not exist is 404.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import SelectChoice, form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from ..core.storage import storage
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from . import access, queries
from .blueprint import bp
from .forms import TemplateForm
from .labels import KIND_LABELS, KINDS
from .models import CertificateTemplate
from .preview import png_of, preview_pdf as render_preview
from .template_ops import copy_template as copy_of, edit_problem, new_template, template_images, update_template


@bp.route("/fairs/<int:fair_id>/certificates/templates", methods=["POST"])
@login_required
def create_template(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    kind = request.form.get("kind", "")
    typed_category = request.form.get("category") if kind == "awardee" else None
    category = access.category_or_none(fair, typed_category) if typed_category else None
    if kind not in KINDS or (typed_category and category is None):
        abort(400)
    template = new_template(fair, kind, current_user, category)
    flash(_("สร้างแม่แบบแล้ว แก้ข้อความ ภาพ และผู้ลงนามได้ด้านล่าง"), "success")
    return redirect(url_for("certificates.edit_template", template_id=template.id))


def _template_form(template: CertificateTemplate) -> TemplateForm:
    form = TemplateForm(data=TemplateForm.data_of(template)) if request.method == "GET" else TemplateForm()
    form.category.choices = [SelectChoice("", _("ทุกประเภทรางวัล"))] + [
        SelectChoice(str(c.id), c.name(locale_code())) for c in queries.categories_of(template.fair)]
    return form


@bp.route("/certificates/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_template(template_id: int):
    template = access.template_or_404(template_id)
    fair = template.fair
    use_thai_digits(fair.thai_numerals)
    form = _template_form(template)
    if request.method == "POST" and form.validate():
        with attempt(form) as done:
            update_template(template, form.changes(access.category_or_none(fair, form.category.data)),
                            current_user)
        if done:
            flash(_("บันทึกแม่แบบแล้ว"), "success")
            return redirect(url_for("certificates.edit_template", template_id=template.id))
    if request.method == "POST" and form.attached_images():  # not saved: nothing of them was kept
        form.form_errors.append(_("ภาพที่เลือกไว้ยังไม่ได้บันทึก กรุณาเลือกไฟล์ภาพอีกครั้งแล้วกดบันทึก"))
    locked = edit_problem(template)  # it issued certificates: the page offers a copy instead
    return render_template("certificates/template.html", fair=fair, template=template, form=form, locked=locked,
                           can_edit=locked is None, kind_labels=KIND_LABELS)


@bp.route("/certificates/templates/<int:template_id>/images/<key>")
@login_required
def template_image(template_id: int, key: str):
    """One of the template's images (a thumbnail in the editor); any other key is 404."""
    template = access.template_or_404(template_id)
    if key not in template_images(template) or not storage().exists(key):
        abort(404)
    return send_bytes(storage().read(key), key, max_age=3600)


@bp.route("/certificates/templates/<int:template_id>/copy", methods=["POST"])
@login_required
def copy_template(template_id: int):
    template = access.template_or_404(template_id)
    copy = copy_of(template, current_user)
    flash(_("ทำสำเนาแม่แบบแล้ว แก้ไขที่สำเนานี้ได้"), "success")
    return redirect(url_for("certificates.edit_template", template_id=copy.id))


@bp.route("/certificates/templates/<int:template_id>/preview.png")
@login_required
def preview_png(template_id: int):
    template = access.template_or_404(template_id)
    return send_bytes(png_of(render_preview(template, request.args)), f"preview-{template.id}.png")


@bp.route("/certificates/templates/<int:template_id>/preview.pdf")
@login_required
def preview_pdf(template_id: int):
    template = access.template_or_404(template_id)
    return send_bytes(render_preview(template, request.args), f"preview-{template.id}.pdf")
