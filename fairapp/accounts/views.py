"""Sign-up, login/logout, email confirmation, password reset, dashboard, organizations, invitations.

Each view runs in the request's unit of work (core.transaction): it loads through accounts.access, calls
one operation and maps its named error with `attempt`; the commit, and the mail queued by operations,
come after the view returns.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_required, login_user, logout_user

from ..core.access import staff_required
from ..core.forms import form_csrf
from ..privacy import notices
from ..core.i18n import locale_code, safe_next
from ..core.transaction import after_commit, attempt
from ..extensions import limiter
from .blueprint import bp
from . import joining, operations as ops, queries
from .home import panels_for
from .access import Menu, can_decide_join_requests, can_manage_organization, invitation_or_404, \
    join_request_or_404, managed_organization_or_404, organization_or_404
from .forms import ActionForm, ForgotForm, InviteForm, JoinForm, LoginForm, OrganizationForm, ResetForm, SignupForm
from .models import TITLE_SUGGESTIONS, Sector


@bp.app_context_processor
def menu():
    return {"menu": Menu(current_user)}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _sign_in(user, remember: bool = False) -> None:
    user.start_session()  # a new session nonce: its logout ends it alone
    login_user(user, remember=remember)


def _sign_in_after_commit(user, remember: bool = False) -> None:
    # Only an account that is saved signs in: were the commit to fail, the browser would otherwise carry
    # the id of a row that never was (and that another sign-up could get next).
    after_commit(lambda: _sign_in(user, remember=remember))


def _person(form) -> dict:
    return {"title": form.title.data, "first_name": form.first_name.data,
            "last_name": form.last_name.data or "", "phone": form.phone.data,
            "religion_consent": bool(form.religion_consent.data)}


def _token_problem(error, **context):
    return render_template("accounts/token_problem.html", message=str(error), **context), 400


@bp.route("/signup", methods=["GET", "POST"])
@form_csrf
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Organization staff sign up: the organization and its first member, in one step."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = SignupForm()
    matches = None  # the organizations already registered that what was typed matches
    if form.validate_on_submit():
        org = form.organization()
        person = {"email": form.email.data, **_person(form)}
        joins = form.join_org.data is not None  # a match's "ask to join" button was pressed
        # EmailTaken -> the email field; OrganizationExists, JoinChoiceGone -> above the form (matches below)
        with attempt(form) as done:
            if joins:
                user, _join = joining.sign_up_to_join(org=org, join_org_id=form.join_org.data,
                                                      message=form.join_message.data or "", person=person,
                                                      password=form.password.data, locale=locale_code())
            else:
                user = ops.register_organization(org=org, person=person, password=form.password.data,
                                                 locale=locale_code())
            notices.seen(user, "signup")  # the notice stood above the button they pressed
        if done:
            _sign_in_after_commit(user)
            if joins:
                flash(_("ลงทะเบียนเรียบร้อย ส่งคำขอเข้าร่วมถึงผู้ดูแลองค์กรแล้ว คุณจะได้รับอีเมลเมื่อผู้ดูแลตอบ "
                        "และเราส่งลิงก์ยืนยันไปที่ %(email)s แล้ว", email=user.email), "success")
            else:
                flash(_("ลงทะเบียนเรียบร้อย เราส่งลิงก์ยืนยันไปที่ %(email)s แล้ว", email=user.email), "success")
            return redirect(url_for("accounts.dashboard"))
        if isinstance(done.error, ops.OrganizationExists):
            matches = done.error.matches
    if matches is None:
        matches = _matches(form)
    return render_template("accounts/signup.html", form=form, titles=TITLE_SUGGESTIONS, matches=matches)


@bp.route("/orgs/new", methods=["GET", "POST"])
@form_csrf
@login_required
def new_organization():
    """A signed-in person registers an organization they represent (one whose join request was refused
    has none; a person may represent a second one), or asks to join it when it is already registered
    (the same rules as sign-up)."""
    form = OrganizationForm()
    matches = None
    if form.validate_on_submit():
        org = form.organization()
        joins = form.join_org.data is not None  # a match's "ask to join" button was pressed
        with attempt(form) as done:
            if joins:
                made = joining.ask_to_join_found(org=org, join_org_id=form.join_org.data,
                                                 message=form.join_message.data or "", user=current_user)
            else:
                made = ops.add_organization(current_user, org)
        if done:
            if joins:
                flash(_("ส่งคำขอเข้าร่วมถึงผู้ดูแลองค์กรแล้ว คุณจะได้รับอีเมลเมื่อผู้ดูแลตอบ"), "success")
                return redirect(url_for("accounts.dashboard"))
            flash(_("ลงทะเบียน %(org)s แล้ว คุณเป็นผู้ดูแลองค์กรนี้", org=made.name(locale_code())), "success")
            return redirect(url_for("accounts.organization", org_id=made.id))
        if isinstance(done.error, ops.OrganizationExists):
            matches = done.error.matches
    if matches is None:
        matches = _matches(form)
    return render_template("accounts/new_organization.html", form=form, matches=matches,
                           has_org=bool(current_user.memberships))


def _matches(form) -> list:
    """The registered organizations what was typed matches, shown with "ask to join" whenever the form comes
    back (also for another mistake after they were found, so the choice does not vanish): one query."""
    if (request.method != "POST" or form.org_name_th.errors or form.province.errors or not form.province.data
            or not form.org_name_th.data):
        return []
    return queries.matching_organizations((form.org_name_th.data or "").strip(), form.province.data,
                                          None if form.tax_id.errors else form.tax_id.data or None)


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
            _sign_in(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("accounts.dashboard")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    # The session ends for good: a copy of its session or remember cookie taken before no longer works.
    if current_user.is_authenticated:
        ops.end_session(current_user._get_current_object())
    logout_user()
    flash(_("ออกจากระบบแล้ว"), "info")
    return redirect(url_for("fairs.index"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation mail."""
    with attempt(flash_errors=False) as done:
        user = ops.confirm_email(token)
    if not done:
        return _token_problem(done.error, can_resend=current_user.is_authenticated)
    flash(_("ยืนยันอีเมล %(email)s เรียบร้อย", email=user.email), "success")
    return redirect(url_for("accounts.dashboard") if current_user.is_authenticated
                    else url_for("accounts.login"))


@bp.post("/confirm/resend")
@limiter.limit("5 per hour")  # above login_required, which reads the user (see core.ratelimit)
@login_required
def resend_confirmation():
    if ops.request_confirmation(current_user):
        flash(_("ส่งลิงก์ยืนยันใหม่ไปที่ %(email)s แล้ว", email=current_user.email), "success")
    else:
        flash(_("อีเมลของคุณยืนยันแล้ว"), "info")
    return redirect(url_for("accounts.dashboard"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@form_csrf
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        ops.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(_("หากอีเมลนี้มีบัญชีอยู่ เราได้ส่งลิงก์ตั้งรหัสผ่านใหม่ไปแล้ว ลิงก์ใช้ได้ %(hours)d ชั่วโมง",
                hours=current_app.config["RESET_TOKEN_MAX_AGE"] // 3600), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@form_csrf
def reset_password(token: str):
    with attempt(flash_errors=False) as found:
        user = ops.user_for_reset(token)
    if not found:
        return _token_problem(found.error, reset=True)
    form = ResetForm()
    form.known_email = user.email
    if form.validate_on_submit():
        ops.reset_password(user, form.password.data)
        logout_user()
        flash(_("ตั้งรหัสผ่านใหม่เรียบร้อย กรุณาเข้าสู่ระบบด้วยรหัสผ่านใหม่"), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.post("/sessions/end-others")
@login_required
def sign_out_everywhere():
    """End this user's sessions on every other browser and device; this one is signed in again."""
    user = current_user._get_current_object()
    ops.sign_out_everywhere(user)
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    fresh = login_fresh()
    after_commit(lambda: login_user(user, remember=remember, fresh=fresh))
    flash(_("ออกจากระบบบนอุปกรณ์อื่นทั้งหมดแล้ว อุปกรณ์นี้ยังเข้าสู่ระบบอยู่"), "success")
    return redirect(url_for("accounts.dashboard"))


@bp.get("/dashboard")
@login_required
def dashboard():
    """What this user can do: their organizations, their roles per fair, the fairs that are on."""
    user = queries.dashboard_user(current_user.id)
    return render_template("accounts/dashboard.html", user=user, orgs=queries.organizations_of(user),
                           fairs=queries.dashboard_fairs(user), panels=panels_for(user), resend_form=ActionForm(),
                           sessions_form=ActionForm())


@bp.get("/orgs")
@staff_required
def organizations():
    """Fair staff: every organization, in Thai dictionary order, with a filter by sector; pages of 50."""
    sector = queries.parse_sector(request.args.get("sector"))
    page, how_many = queries.organizations(sector)
    return render_template("accounts/organizations.html", page=page, orgs=page.items, how_many=how_many,
                           sector=sector.value if sector else None, sectors=list(Sector))


@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def organization(org_id: int):
    """The organization's page: details, members, invitations; members invite colleagues here."""
    org = managed_organization_or_404(org_id) if request.method == "POST" else organization_or_404(org_id)
    can_manage = can_manage_organization(current_user, org)
    form = InviteForm()
    if form.validate_on_submit():
        with attempt(form) as done:  # AlreadyMember -> the email field
            invitation, _token = ops.invite_member(org, form.email.data, current_user, locale=locale_code())
        if done:
            flash(_("ส่งคำเชิญไปที่ %(email)s แล้ว", email=invitation.email), "success")
            return redirect(url_for("accounts.organization", org_id=org.id))
    # Minimization (PDPA): the 13-digit ID in full for the organization's members and admins; fair staff,
    # who only need to tell organizations apart, read it masked (core.thai.mask_id).
    full_ids = current_user.is_admin or current_user.is_member_of(org.id)
    can_decide = can_decide_join_requests(current_user, org)
    return render_template("accounts/organization.html", org=org, members=queries.members(org), form=form,
                           invitations=queries.open_invitations(org) if can_manage else [],
                           join_requests=queries.pending_join_requests(org) if can_decide else [],
                           can_manage=can_manage, action_form=ActionForm(), full_ids=full_ids)


@bp.post("/orgs/<int:org_id>/join-requests/<int:request_id>/<any(accept, refuse):decision>")
@login_required
def decide_join_request(org_id: int, request_id: int, decision: str):
    """A manager (owner) or an admin accepts or refuses a join request; to anyone else it does not exist."""
    join = join_request_or_404(org_id, request_id)
    name = join.user.full_name
    with attempt() as done:  # JoinRequestDecided (another manager answered first) is flashed
        joining.decide(join, current_user, accept=decision == "accept")
    if done:
        if decision == "accept":
            flash(_("%(name)s เป็นสมาชิกขององค์กรแล้ว", name=name), "success")
        else:
            flash(_("ปฏิเสธคำขอของ %(name)s แล้ว", name=name), "info")
    return redirect(url_for("accounts.organization", org_id=org_id))


@bp.post("/orgs/<int:org_id>/invitations/<int:invitation_id>/cancel")
@login_required
def cancel_invitation(org_id: int, invitation_id: int):
    org = managed_organization_or_404(org_id)
    invitation = invitation_or_404(org, invitation_id)
    with attempt() as done:  # InvitationClosed is flashed
        ops.cancel_invitation(invitation, current_user)
    if done:
        flash(_("ยกเลิกคำเชิญถึง %(email)s แล้ว", email=invitation.email), "info")
    return redirect(url_for("accounts.organization", org_id=org.id))


@bp.route("/join/<token>", methods=["GET", "POST"])
@form_csrf
def join(token: str):
    """The invitation link: sign up as a member, or (signed in as the invitee) accept."""
    with attempt(flash_errors=False) as found:
        invitation = ops.open_invitation(token)
    if not found:
        return _token_problem(found.error, invitation=True)
    org = invitation.organization
    if current_user.is_authenticated:
        form = ActionForm()
        if form.validate_on_submit():
            with attempt(form) as done:  # another address, already a member: above the button
                ops.accept_invitation(invitation, current_user)
            if done:
                flash(_("คุณเป็นสมาชิกของ %(org)s แล้ว", org=org.name_th), "success")
                return redirect(url_for("accounts.organization", org_id=org.id))
        return render_template("accounts/join_accept.html", invitation=invitation, org=org, form=form)
    existing = ops.find_user_by_email(invitation.email)
    form = JoinForm()
    form.email.data = invitation.email  # the address is the invited one, whatever was posted
    if existing is None and form.validate_on_submit():
        with attempt(form) as done:
            user = ops.join_by_invitation(invitation, person=_person(form), password=form.password.data,
                                          locale=locale_code())
            notices.seen(user, "join")
        if done:
            _sign_in_after_commit(user)
            flash(_("ยินดีต้อนรับ คุณเป็นสมาชิกของ %(org)s แล้ว", org=org.name_th), "success")
            return redirect(url_for("accounts.organization", org_id=org.id))
    return render_template("accounts/join.html", invitation=invitation, org=org, form=form,
                           existing=existing, titles=TITLE_SUGGESTIONS)
