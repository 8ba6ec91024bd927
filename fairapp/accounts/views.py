"""Sign-up, login/logout, email confirmation, password reset, dashboard, organizations, invitations."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.access import staff_required
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.i18n import locale_code, safe_next
from ..core.mail import send_mail
from ..core.thai import sort_thai
from ..extensions import db, limiter
from . import bp, operations as ops
from .forms import ActionForm, ForgotForm, InviteForm, JoinForm, LoginForm, ResetForm, SignupForm
from .models import TITLE_SUGGESTIONS, Invitation, Membership, Organization, Sector, User


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _mail(user: User, subject: str, template: str, **context) -> None:
    """Send after the commit; a mail failure is reported, never turned into a 500."""
    try:
        send_mail(user.email, subject, template, locale=user.locale, user=user, **context)
    except OSError:
        current_app.logger.exception("mail to %s failed", user.email)
        flash(_("ส่งอีเมลไม่สำเร็จ กรุณาลองส่งใหม่ภายหลัง"), "warning")


def _send_confirmation(user: User) -> None:
    token = ops.make_confirm_token(user)
    _mail(user, _("ยืนยันอีเมลของคุณ — ตลาดนัดคุณธรรม"), "confirm",
          link=url_for("accounts.confirm", token=token, _external=True))


@bp.route("/signup", methods=["GET", "POST"])
@form_csrf
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Organization staff sign up: the organization and its first member, in one step."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        org = {"name_th": form.org_name_th.data.strip(), "name_en": (form.org_name_en.data or "").strip() or None,
               "sector": Sector(form.sector.data), "province_code": form.province.data,
               "district_code": form.district.data, "tax_id": form.tax_id.data or None}
        person = {"email": form.email.data, "title": form.title.data, "first_name": form.first_name.data,
                  "last_name": form.last_name.data or "", "phone": form.phone.data}
        try:
            user = ops.register_organization(org=org, person=person, password=form.password.data,
                                             locale=locale_code())
            db.session.commit()
        except ops.EmailTaken as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        except ops.TaxIdTaken as exc:
            db.session.rollback()
            form.tax_id.errors.append(str(exc))
        else:
            login_user(user)
            _send_confirmation(user)
            flash(_("ลงทะเบียนเรียบร้อย เราส่งลิงก์ยืนยันไปที่ %(email)s แล้ว", email=user.email), "success")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/signup.html", form=form, titles=TITLE_SUGGESTIONS)


@bp.route("/login", methods=["GET", "POST"])
@form_csrf
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("อีเมลหรือรหัสผ่านไม่ถูกต้อง"))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("accounts.dashboard")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("ออกจากระบบแล้ว"), "info")
    return redirect(url_for("fairs.index"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation mail."""
    try:
        user = ops.confirm_email(token)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return render_template("accounts/token_problem.html", message=str(exc),
                               can_resend=current_user.is_authenticated), 400
    flash(_("ยืนยันอีเมล %(email)s เรียบร้อย", email=user.email), "success")
    return redirect(url_for("accounts.dashboard") if current_user.is_authenticated
                    else url_for("accounts.login"))


@bp.post("/confirm/resend")
@login_required
@limiter.limit("5 per hour")
def resend_confirmation():
    if current_user.email_confirmed:
        flash(_("อีเมลของคุณยืนยันแล้ว"), "info")
    else:
        _send_confirmation(current_user)
        flash(_("ส่งลิงก์ยืนยันใหม่ไปที่ %(email)s แล้ว", email=current_user.email), "success")
    return redirect(url_for("accounts.dashboard"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@form_csrf
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        user = ops.find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            _mail(user, _("ตั้งรหัสผ่านใหม่ — ตลาดนัดคุณธรรม"), "reset",
                  link=url_for("accounts.reset_password", token=ops.make_reset_token(user), _external=True))
        # The same answer whether or not the address has an account.
        flash(_("หากอีเมลนี้มีบัญชีอยู่ เราได้ส่งลิงก์ตั้งรหัสผ่านใหม่ไปแล้ว ลิงก์ใช้ได้ %(hours)d ชั่วโมง",
                hours=current_app.config["RESET_TOKEN_MAX_AGE"] // 3600), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@form_csrf
def reset_password(token: str):
    try:
        user = ops.user_for_reset(token)
    except DomainError as exc:
        return render_template("accounts/token_problem.html", message=str(exc), reset=True), 400
    form = ResetForm()
    form.known_email = user.email
    if form.validate_on_submit():
        ops.reset_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("ตั้งรหัสผ่านใหม่เรียบร้อย กรุณาเข้าสู่ระบบด้วยรหัสผ่านใหม่"), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.get("/dashboard")
@login_required
def dashboard():
    """What this user can do: their organizations, their roles per fair, the fairs that are on."""
    from ..fairs.queries import dashboard_fairs  # fairs depends on accounts, not the reverse

    user = db.session.scalar(
        select(User).where(User.id == current_user.id).options(
            selectinload(User.memberships).selectinload(Membership.organization),
            selectinload(User.fair_roles)))
    orgs = sort_thai(user.organizations, key=lambda o: o.name_th)
    return render_template("accounts/dashboard.html", user=user, orgs=orgs,
                           fairs=dashboard_fairs(user), resend_form=ActionForm())


def _org_or_404(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    # Existence of another organization is private: not found, not forbidden.
    if org is None or not org.can_view(current_user):
        abort(404)
    return org


@bp.get("/orgs")
@staff_required
def organizations():
    """Fair staff: every organization, in Thai dictionary order, with a filter by sector/province."""
    sector = request.args.get("sector") or None
    query = select(Organization)
    if sector in {s.value for s in Sector}:
        query = query.where(Organization.sector == Sector(sector))
    orgs = sort_thai(db.session.scalars(query), key=lambda o: o.name_th)
    return render_template("accounts/organizations.html", orgs=orgs, sector=sector, sectors=list(Sector))


@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def organization(org_id: int):
    """The organization's page: details, members, invitations; members invite colleagues here."""
    org = _org_or_404(org_id)
    form = InviteForm()
    can_manage = org.can_manage(current_user)
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                invitation, token = ops.invite_member(org, form.email.data, current_user)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                form.email.errors.append(str(exc))
            else:
                try:
                    send_mail(invitation.email, _("คำเชิญเข้าร่วม %(org)s ในระบบตลาดนัดคุณธรรม", org=org.name_th),
                              "invite", locale=locale_code(), org=org, inviter=current_user,
                              link=url_for("accounts.join", token=token, _external=True))
                except OSError:
                    current_app.logger.exception("invitation mail failed")
                    flash(_("ส่งอีเมลไม่สำเร็จ กรุณาลองส่งใหม่ภายหลัง"), "warning")
                flash(_("ส่งคำเชิญไปที่ %(email)s แล้ว", email=invitation.email), "success")
                return redirect(url_for("accounts.organization", org_id=org.id))
    members = db.session.scalars(
        select(Membership).where(Membership.organization_id == org.id)
        .options(selectinload(Membership.user))).all()
    members = sort_thai(members, key=lambda m: m.user.first_name)
    invitations = [i for i in org.invitations if i.is_open] if can_manage else []
    return render_template("accounts/organization.html", org=org, members=members, form=form,
                           invitations=invitations, can_manage=can_manage, action_form=ActionForm())


@bp.post("/orgs/<int:org_id>/invitations/<int:invitation_id>/cancel")
@login_required
def cancel_invitation(org_id: int, invitation_id: int):
    org = _org_or_404(org_id)
    if not org.can_manage(current_user):
        abort(403)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != org.id:
        abort(404)
    try:
        ops.cancel_invitation(invitation, current_user)
        db.session.commit()
        flash(_("ยกเลิกคำเชิญถึง %(email)s แล้ว", email=invitation.email), "info")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("accounts.organization", org_id=org.id))


@bp.route("/join/<token>", methods=["GET", "POST"])
@form_csrf
def join(token: str):
    """The invitation link: sign up as a member, or (signed in as the invitee) accept."""
    invitation = ops.find_invitation(token)
    if invitation is None or not invitation.is_open:
        return render_template("accounts/token_problem.html",
                               message=str(ops.InvitationClosed()), invitation=True), 400
    org = invitation.organization
    if current_user.is_authenticated:
        form = ActionForm()
        if form.validate_on_submit():
            try:
                ops.accept_invitation(invitation, current_user)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                flash(_("คุณเป็นสมาชิกของ %(org)s แล้ว", org=org.name_th), "success")
                return redirect(url_for("accounts.organization", org_id=org.id))
        return render_template("accounts/join_accept.html", invitation=invitation, org=org, form=form)
    existing = ops.find_user_by_email(invitation.email)
    form = JoinForm()
    form.email.data = invitation.email  # the address is the invited one, whatever was posted
    if existing is None and form.validate_on_submit():
        try:
            user = ops.create_user(email=invitation.email, password=form.password.data,
                                   title=form.title.data, first_name=form.first_name.data,
                                   last_name=form.last_name.data or "", phone=form.phone.data,
                                   locale=locale_code())
            ops.accept_invitation(invitation, user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            login_user(user)
            flash(_("ยินดีต้อนรับ คุณเป็นสมาชิกของ %(org)s แล้ว", org=org.name_th), "success")
            return redirect(url_for("accounts.organization", org_id=org.id))
    return render_template("accounts/join.html", invitation=invitation, org=org, form=form,
                           existing=existing, titles=TITLE_SUGGESTIONS)
