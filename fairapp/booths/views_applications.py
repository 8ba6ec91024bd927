"""Organizations' side of booths: the fair's booth types, apply / edit (draft or submit), the application's
page with what can be done next, withdraw, answer an offer, the photo."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import ActionForm
from ..core.forms import form_csrf
from ..privacy import notices
from ..core.i18n import locale_code, use_thai_digits
from ..core.kept_files import keep_upload
from ..core.storage import storage
from ..core.transaction import attempt
from ..core.uploads import accept_image
from ..fairs.models import Fair
from .blueprint import bp
from . import operations as ops, queries
from .access import (application_or_404, application_permissions, can_manage_booths, fair_or_404, get_in,
                     own_application_or_404)
from .forms import ApplicationForm
from .models import ACTIVITIES, Application, BoothType, Status


@bp.get("/fairs/<int:fair_id>/booths")
def fair_booths(fair_id: int):
    """Booth types with what comes with them and how many remain; the user's own applications."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    types = queries.booth_types(fair)
    member = bool(current_user.is_authenticated and current_user.organizations)
    return render_template("booths/fair_booths.html", fair=fair, types=types,
                           remaining=queries.remaining_by_type(fair.id),
                           mine=queries.applications_of(current_user, fair), is_member=member,
                           can_apply=member and bool(types) and fair.window_open("booth"),
                           can_manage=can_manage_booths(current_user, fair.id))


def _form(fair: Fair, application: Application | None = None) -> ApplicationForm:
    """The application form with the fair's booth types (and the places left) to choose from."""
    form = ApplicationForm(obj=application if application is not None and request.method == "GET" else None)
    remaining = queries.remaining_by_type(fair.id)
    lang = locale_code()
    form.booth_type.choices = [
        (t.id, f"{t.name(lang)} · {t.size_text} · " + _("เหลือ %(n)d บูธ", n=remaining.get(t.id, 0)))
        for t in queries.booth_types(fair)]
    if application is not None and request.method == "GET":
        form.booth_type.data = application.booth_type_id
        form.fill_people(application.people)
        if application.status in REAPPLY_FROM:  # a new application: explicit consent is given anew
            form.access_consent.data = form.religion_consent.data = False
    return form


def _save(form: ApplicationForm, fair: Fair, org_id: int, application: Application | None):
    """Save (and submit, when asked) a posted form; the saved application, or None (the errors are on
    the form, the input kept, and a photo accepted once stays attached: core.kept_files)."""
    valid = form.validate_on_submit()
    photo_key = keep_upload(form.photo, accept_image)
    if not valid or form.photo.errors:
        return None
    with attempt(form) as done:
        saved = ops.save_application(application, fair=fair, org_id=org_id,
                                     booth_type=get_in(BoothType, form.booth_type.data, fair),
                                     data=form.values(), people=form.people_data(), actor=current_user,
                                     photo_key=photo_key, submit=request.form.get("action") == "submit")
        notices.seen(current_user, "booth_application")
    return saved if done else None


REAPPLY_FROM = (Status.withdrawn, Status.rejected, Status.lapsed)


def _reapplying(fair: Fair, org_id: int) -> Application | None:
    """Applying again (`?from=<id>`, GET): the organization's own ended application of this fair, whose
    details fill the new form (404 for any other). Its consents are not carried over: the form asks again."""
    source_id = request.args.get("from", type=int)
    if source_id is None or request.method != "GET":
        return None
    source = own_application_or_404(source_id)
    if source.fair_id != fair.id or source.organization_id != org_id or source.status not in REAPPLY_FROM:
        abort(404)
    return source


@bp.route("/fairs/<int:fair_id>/booths/apply", methods=["GET", "POST"])
@login_required
@form_csrf
def apply(fair_id: int):
    """A new booth application for one of the user's organizations."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    if not current_user.organizations:
        abort(403)
    org = current_user.acting_organization(request.args.get("org", type=int))
    if org is None:
        if request.args.get("org"):
            abort(404)  # not one of the user's organizations: to them it does not exist
        return render_template("booths/pick_org.html", fair=fair, orgs=current_user.organizations)
    form = _form(fair, _reapplying(fair, org.id))
    problem = ops.apply_problem(fair, org.id)
    if problem:
        form.form_errors.append(problem)
    elif form.is_submitted():
        saved = _save(form, fair, org.id, None)
        if saved:
            flash(_("ส่งใบสมัครแล้ว") if saved.status == Status.submitted else _("บันทึกฉบับร่างแล้ว"), "success")
            return redirect(url_for("booths.application", application_id=saved.id))
    return render_template("booths/apply.html", fair=fair, org=org, form=form, application=None,
                           activities=ACTIVITIES, can_submit=True)


@bp.route("/booths/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
@form_csrf
def edit(application_id: int):
    application = own_application_or_404(application_id)
    fair = application.fair
    use_thai_digits(fair.thai_numerals)
    form = _form(fair, application)
    problem = ops.edit_problem(application)
    if problem:
        form.form_errors.append(problem)
    elif form.is_submitted():
        if _save(form, fair, application.organization_id, application):
            flash(_("บันทึกการแก้ไขแล้ว"), "success")
            return redirect(url_for("booths.application", application_id=application.id))
    return render_template("booths/apply.html", fair=fair, org=application.organization, form=form,
                           application=application, activities=ACTIVITIES,
                           can_submit=application.status == Status.draft)


@bp.get("/booths/<int:application_id>")
@login_required
def application(application_id: int):
    """Where the application stands, at all times, with what the organization can do next."""
    application = application_or_404(application_id)
    use_thai_digits(application.fair.thai_numerals)
    can = application_permissions(current_user, application)
    return render_template("booths/application.html", application=application, fair=application.fair,
                           position=application.waitlist_position(), missing=ops.missing_parts(application),
                           action_form=ActionForm(),
                           types=queries.booth_types(application.fair) if can["can_decide"] else [], **can)


def _org_action(application_id: int, operation, done_message: str):
    """A button of the application's page: the operation, then back to the page (a refusal flashed)."""
    application = own_application_or_404(application_id)
    with attempt() as done:
        operation(application, current_user)
    if done:
        flash(done_message, "success")
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
    key = application.photo_key
    if not key:
        abort(404)
    return storage().send(key, f"booth-{application.id}.{key.rsplit('.', 1)[1]}", max_age=300)
