"""Organization side of booths: the fair's booth types, apply/edit/submit/withdraw, status, offers."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.forms import ActionForm
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import commit as commit_and_mail  # noqa: F401  (the booth views share it)
from ..core.transaction import rollback  # noqa: F401
from ..core.storage import storage
from ..core.time import utcnow
from ..core.uploads import UploadRefused, accept_image
from ..extensions import db
from ..fairs.access import fair_or_404
from ..fairs.models import Fair
from . import bp, operations as ops
from .forms import ApplicationForm
from .models import ACTIVITIES, Application, BoothSetup, BoothType, Status


def application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    # Another organization's application does not exist, as far as this user can tell.
    if application is None or not application.can_view(current_user):
        abort(404)
    use_thai_digits(application.fair.thai_numerals)
    return application


def booth_types(fair: Fair) -> list[BoothType]:
    return db.session.scalars(select(BoothType).where(BoothType.fair_id == fair.id)
                              .order_by(BoothType.sort_order, BoothType.id)).all()


@bp.get("/fairs/<int:fair_id>/booths")
def fair_booths(fair_id: int):
    """Booth types with what comes with them and how many remain; the user's own applications."""
    fair = fair_or_404(fair_id)
    mine = []
    if current_user.is_authenticated:
        org_ids = [m.organization_id for m in current_user.memberships]
        if org_ids:
            mine = db.session.scalars(select(Application).where(
                Application.fair_id == fair.id, Application.organization_id.in_(org_ids))
                .options(selectinload(Application.booth_type), selectinload(Application.organization),
                         selectinload(Application.booth))
                .order_by(Application.id)).all()
    return render_template("booths/fair_booths.html", fair=fair, types=booth_types(fair),
                           remaining=ops.remaining_by_type(fair.id), mine=mine,
                           is_staff=current_user.is_authenticated and current_user.has_fair_role(fair.id, "staff"))


def _form_choices(form: ApplicationForm, fair: Fair) -> None:
    remaining = ops.remaining_by_type(fair.id)
    lang = locale_code()
    form.booth_type.choices = [
        (t.id, f"{t.name(lang)} · {t.size_label} · " + _("เหลือ %(n)d บูธ", n=remaining.get(t.id, 0)))
        for t in booth_types(fair)]


def _save(form: ApplicationForm, fair: Fair, org_id: int, application: Application | None):
    """Save (and maybe submit) from a validated form; returns the application or None after an error."""
    photo_key = None
    if form.photo.data and getattr(form.photo.data, "filename", ""):
        try:
            photo_key = accept_image(form.photo.data)
        except UploadRefused as exc:
            form.photo.errors.append(str(exc))
            return None
    old_photo = application.photo_key if application else None
    booth_type = db.session.get(BoothType, form.booth_type.data)
    data = {k: getattr(form, k).data for k in ops.FIELDS}
    data = {k: (bool(v) if k.startswith("needs_") and k != "needs_note" else (v or "").strip())
            for k, v in data.items()}
    try:
        saved = ops.save_application(application, fair=fair, org_id=org_id, booth_type=booth_type,
                                     data=data, people=form.people_data(), actor=current_user,
                                     photo_key=photo_key)
        if request.form.get("action") == "submit" and saved.status == Status.draft:
            ops.submit_application(saved, current_user)
        commit_and_mail()
    except DomainError as exc:
        rollback()
        storage().delete(photo_key)  # the upload belonged to a save that did not happen
        form.form_errors.append(str(exc))
        return None
    if photo_key and old_photo and old_photo != photo_key:
        storage().delete(old_photo)
    return saved


@bp.route("/fairs/<int:fair_id>/booths/apply", methods=["GET", "POST"])
@login_required
@form_csrf
def apply(fair_id: int):
    """A new booth application for one of the user's organizations."""
    fair = fair_or_404(fair_id)
    orgs = current_user.organizations
    if not orgs:
        abort(403)
    org = current_user.acting_organization(request.args.get("org", type=int))
    if org is None:
        if request.args.get("org"):
            abort(404)
        return render_template("booths/pick_org.html", fair=fair, orgs=orgs)
    form = ApplicationForm()
    _form_choices(form, fair)
    limit = BoothSetup.for_fair(fair.id).per_org_limit
    if ops.live_applications(fair.id, org.id) >= limit:
        form.form_errors.append(str(ops.LimitReached(n=limit)))
    elif not fair.window_open("booth"):
        form.form_errors.append(str(ops.WindowClosed()))
    elif form.validate_on_submit():
        saved = _save(form, fair, org.id, None)
        if saved:
            flash(_("ส่งใบสมัครแล้ว") if saved.status == Status.submitted else _("บันทึกฉบับร่างแล้ว"), "success")
            return redirect(url_for("booths.application", application_id=saved.id))
    return render_template("booths/apply.html", fair=fair, org=org, form=form, application=None,
                           activities=ACTIVITIES)


@bp.route("/booths/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
@form_csrf
def edit(application_id: int):
    application = application_or_404(application_id)
    if not application.can_edit(current_user):
        abort(403)
    fair = application.fair
    form = ApplicationForm(obj=application if request.method == "GET" else None)
    _form_choices(form, fair)
    if request.method == "GET":
        form.booth_type.data = application.booth_type_id
        for entry, person in zip(form.people.entries, application.people):
            entry.form.title.data, entry.form.first_name.data, entry.form.last_name.data = \
                person.title, person.first_name, person.last_name
        while len(form.people.entries) < len(application.people):
            person = application.people[len(form.people.entries)]
            form.people.append_entry({"title": person.title, "first_name": person.first_name,
                                      "last_name": person.last_name})
        while len(form.people.entries) < min(len(application.people) + 2, form.people.max_entries):
            form.people.append_entry()  # room for more people without a script
    if application.status not in ops.EDITABLE:
        form.form_errors.append(str(ops.NotEditable()))
    elif not fair.window_open("booth"):
        form.form_errors.append(str(ops.WindowClosed()))
    elif form.validate_on_submit():
        if _save(form, fair, application.organization_id, application):
            flash(_("บันทึกการแก้ไขแล้ว"), "success")
            return redirect(url_for("booths.application", application_id=application.id))
    return render_template("booths/apply.html", fair=fair, org=application.organization, form=form,
                           application=application, activities=ACTIVITIES)


@bp.get("/booths/<int:application_id>")
@login_required
def application(application_id: int):
    """Where the application stands, at all times, with what the organization can do next."""
    application = application_or_404(application_id)
    is_staff = current_user.has_fair_role(application.fair_id, "staff")
    return render_template("booths/application.html", application=application, fair=application.fair,
                           position=application.waitlist_position(), missing=ops.missing_parts(application),
                           can_edit=application.can_edit(current_user), action_form=ActionForm(),
                           is_staff=is_staff, types=booth_types(application.fair) if is_staff else [],
                           offer_expired=bool(application.offer_expires_at
                                              and application.offer_expires_at < utcnow()))


def _org_action(application_id: int, operation, done_message: str):
    application = application_or_404(application_id)
    if not application.can_edit(current_user):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            operation(application, current_user)
            commit_and_mail()
            flash(done_message, "success")
        except DomainError as exc:
            rollback()
            flash(str(exc), "error")
    return redirect(url_for("booths.application", application_id=application_id))


@bp.post("/booths/<int:application_id>/submit")
@login_required
def submit(application_id: int):
    return _org_action(application_id, ops.submit_application, _("ส่งใบสมัครแล้ว"))


@bp.post("/booths/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    return _org_action(application_id, ops.withdraw_application, _("ถอนใบสมัครแล้ว"))


@bp.post("/booths/<int:application_id>/accept")
@login_required
def accept_offer(application_id: int):
    return _org_action(application_id, ops.accept_offer, _("ตอบรับที่ว่างแล้ว ใบสมัครได้รับการอนุมัติ"))


@bp.post("/booths/<int:application_id>/decline")
@login_required
def decline_offer(application_id: int):
    return _org_action(application_id, ops.decline_offer, _("สละสิทธิ์ที่ว่างแล้ว"))


@bp.get("/booths/<int:application_id>/photo")
@login_required
def photo(application_id: int):
    """The application's photo, only to those who may see the application."""
    application = application_or_404(application_id)
    if not application.photo_key or not storage().exists(application.photo_key):
        abort(404)
    ext = application.photo_key.rsplit(".", 1)[1]
    mimetype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[ext]
    response = current_app.response_class(storage().read(application.photo_key), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="booth-{application.id}.{ext}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
