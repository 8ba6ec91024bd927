"""The chair invites judges by email (issue 16): the invite form of the judges page, resend and cancel of its
open invitations (the fair's chair and admins), and the invitation link /judging/invitations/<token> (the
invited person: sign up on it, or sign in with next= back to it, then accept)."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from wtforms import EmailField, StringField
from wtforms.validators import ValidationError

from ..accounts.forms import ActionForm, JoinForm
from ..accounts.models import TITLE_SUGGESTIONS
from ..accounts.operations import create_user, find_user_by_email
from ..core.access import get_or_404
from ..core.forms import BaseForm, EmailAddress, form_csrf, length, optional, required
from ..core.http import safe_id
from ..core.i18n import locale_code
from ..core.transaction import after_commit, attempt
from ..privacy import notices
from . import access
from . import invitations as inv
from .blueprint import bp
from .models_invitations import JudgeInvitation
from .views_judges import render_judges

_CHOSEN = re.compile(r"#\s*(\d+)\s*$")  # "ชื่อองค์กร · #123" (the picker's choice) or "#123"


class JudgeInviteForm(BaseForm):
    """The judges page's "invite a judge": an email, an optional name, an optional affiliation (a choice of
    the organization picker: "name · #id", "#id" or an id)."""
    email = EmailField(_l("อีเมลของกรรมการ"), [required(_l("กรุณากรอกอีเมล")), length(254), EmailAddress()],
                       id="invite-email", render_kw={"autocomplete": "off"})
    name = StringField(_l("ชื่อ-นามสกุล (ถ้ามี)"), [optional(), length(200)], id="invite-name",
                       description=_l("ใช้ในอีเมลคำเชิญ หากผู้นี้ยังไม่มีบัญชี"))
    affiliation = StringField(_l("สังกัด (ถ้ามี)"), [optional(), length(300)], id="invite-affiliation",
                              description=_l("พิมพ์ชื่อองค์กรแล้วเลือกจากรายการ หรือพิมพ์ # ตามด้วยเลของค์กร"))

    def affiliation_id(self) -> int | None:
        """The organization id chosen, None when left empty or not a choice (validate_affiliation refuses
        a name typed but not chosen: it is not guessed)."""
        value = (self.affiliation.data or "").strip()
        chosen = _CHOSEN.search(value)
        return safe_id(chosen.group(1) if chosen else value) if value else None

    def validate_affiliation(self, field) -> None:
        if (field.data or "").strip() and self.affiliation_id() is None:
            raise ValidationError(str(inv.UnknownAffiliation.message))


@bp.post("/judging/fairs/<int:fair_id>/judges/invite")
@login_required
@form_csrf
def invite_judge(fair_id: int):
    """Invite a judge: a registered address is a judge at once (mailed), another gets an invitation."""
    fair = access.chair_fair_or_404(fair_id, change=True)
    form = JudgeInviteForm()
    if form.validate_on_submit():
        with attempt(form) as done:  # AlreadyJudge -> email, UnknownAffiliation -> affiliation
            outcome, who = inv.invite_judge(fair, form.email.data, current_user, name=form.name.data or "",
                                            affiliation_org_id=form.affiliation_id(), locale=locale_code())
        if done:
            if outcome == "granted":
                flash(_("%(name)s เป็นกรรมการของงานนี้แล้ว เราแจ้งทางอีเมลแล้ว", name=who.full_name), "success")
            else:
                flash(_("ส่งคำเชิญเป็นกรรมการไปที่ %(email)s แล้ว", email=who.email), "success")
            return redirect(url_for("judging.judges", fair_id=fair.id))
    return render_judges(fair, invite_form=form), 400


@bp.post("/judging/fairs/<int:fair_id>/judge-invitations/<int:invitation_id>/resend")
@login_required
def resend_judge_invitation(fair_id: int, invitation_id: int):
    fair = access.chair_fair_or_404(fair_id, change=True)
    invitation = get_or_404(JudgeInvitation, invitation_id, fair)
    with attempt() as done:  # accepted or cancelled meanwhile: flashed
        inv.resend_invitation(invitation, current_user, locale=locale_code())
    if done:
        flash(_("ส่งคำเชิญถึง %(email)s อีกครั้งแล้ว (ลิงก์เดิมใช้ไม่ได้แล้ว)", email=invitation.email), "success")
    return redirect(url_for("judging.judges", fair_id=fair.id))


@bp.post("/judging/fairs/<int:fair_id>/judge-invitations/<int:invitation_id>/cancel")
@login_required
def cancel_judge_invitation(fair_id: int, invitation_id: int):
    fair = access.chair_fair_or_404(fair_id, change=True)
    invitation = get_or_404(JudgeInvitation, invitation_id, fair)
    with attempt() as done:
        inv.cancel_invitation(invitation, current_user)
    if done:
        flash(_("ยกเลิกคำเชิญถึง %(email)s แล้ว", email=invitation.email), "info")
    return redirect(url_for("judging.judges", fair_id=fair.id))


def _problem(error, invitation: JudgeInvitation | None = None):
    judge_of = (invitation is not None and current_user.is_authenticated
                and current_user.has_fair_role(invitation.fair_id, "judge"))
    return render_template("judging/invitation_problem.html", message=str(error), invitation=invitation,
                           judge_of=judge_of), 400


def _sign_in(user) -> None:
    # As accounts' sign-up: only a saved account signs in (after the commit), with a new session nonce.
    user.start_session()
    login_user(user)


def _person(form) -> dict:
    return {"title": form.title.data, "first_name": form.first_name.data,
            "last_name": form.last_name.data or "", "phone": form.phone.data,
            "religion_consent": bool(form.religion_consent.data)}


@bp.route("/judging/invitations/<token>", methods=["GET", "POST"])
@form_csrf
def judge_invitation(token: str):
    """The invitation link. Signed in with the invited address: accept. Signed in otherwise: refused, with
    what to do. Signed out: sign in (back here) when the address has an account, else sign up here."""
    with attempt(flash_errors=False) as known:
        invitation = inv.find_invitation(token)
    if not known:
        return _problem(known.error)
    with attempt(flash_errors=False) as still_open:
        inv.check_open(invitation)
    if not still_open:
        return _problem(still_open.error, invitation)
    fair = invitation.fair
    if current_user.is_authenticated:
        form = ActionForm()
        other = not inv.for_this_user(invitation, current_user)
        if not other and form.validate_on_submit():
            with attempt(form) as done:
                inv.accept_invitation(invitation, current_user)
            if done:
                flash(_("คุณเป็นกรรมการของ %(fair)s แล้ว", fair=fair.name(locale_code())), "success")
                return redirect(url_for("judging.judge_dashboard", fair_id=fair.id))
        status = 403 if other and request.method == "POST" else 200
        return render_template("judging/invitation_accept.html", invitation=invitation, fair=fair, form=form,
                               other=other, other_message=str(inv.InvitationForOtherEmail.message)), status
    existing = find_user_by_email(invitation.email)
    form = JoinForm()
    form.email.data = invitation.email  # the address is the invited one, whatever was posted
    if existing is None and form.validate_on_submit():
        with attempt(form) as done:
            user = create_user(email=invitation.email, password=form.password.data, locale=locale_code(),
                               **_person(form))
            inv.accept_invitation(invitation, user)
            notices.seen(user, "join")
        if done:
            after_commit(lambda: _sign_in(user))
            flash(_("ยินดีต้อนรับ คุณเป็นกรรมการของ %(fair)s แล้ว", fair=fair.name(locale_code())), "success")
            return redirect(url_for("judging.judge_dashboard", fair_id=fair.id))
    return render_template("judging/invitation.html", invitation=invitation, fair=fair, form=form,
                           existing=existing, titles=TITLE_SUGGESTIONS)
