"""People's requests: a person makes one about their own data (POST /my/requests, from /my/data); the DPO
keeps the queue (/privacy/requests: open ones first, the soonest due on top, late ones marked), enters the
ones that came in person or by post, decides each with a reason, and for a request tied to an account can
download that person's data to send it. DPOs only, but a person's own request; a missing request: 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.operations import find_user_by_email
from ..core.forms import form_csrf
from ..core.pagination import paginate
from ..core.time import today_local
from ..core.transaction import attempt
from . import erasure, requests as ops
from .access import dpo_required, request_or_404
from .blueprint import bp
from .forms import DecideForm, EnterRequestForm, OwnRequestForm
from .views_my import my_page, zip_response


@bp.post("/my/requests")
@login_required
@form_csrf
def make_request():
    form = OwnRequestForm()
    if form.validate():
        with attempt(form) as done:
            ops.request_own(current_user, form.kind.data, form.details.data.strip())
        if done:
            flash(_("ได้รับคำขอแล้ว เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลจะตอบภายใน 30 วัน"), "success")
            return redirect(url_for("privacy.my_data_page") + "#requests", code=303)
    return my_page(form, 400)


@bp.get("/privacy/requests")
@dpo_required
def request_queue():
    return render_template("privacy/requests.html", requests=paginate(ops.queue()), today=today_local())


@bp.route("/privacy/requests/new", methods=["GET", "POST"])
@dpo_required
@form_csrf
def new_request():
    form = EnterRequestForm()
    if request.method == "POST" and form.validate():
        subject = find_user_by_email(form.subject_email.data) if form.subject_email.data else None
        if form.subject_email.data and subject is None:
            form.subject_email.errors = [_("ไม่พบบัญชีที่ใช้อีเมลนี้ เว้นว่างไว้ได้หากผู้ขอไม่มีบัญชี")]
        else:
            values = {name: form[name].data for name in ("subject_name", "subject_contact", "channel",
                                                         "received_on", "kind", "details")}
            with attempt(form) as done:
                entered = ops.enter_request({**values, "subject_user": subject}, current_user)
            if done:
                flash(_("บันทึกคำขอแล้ว"), "success")
                return redirect(url_for("privacy.request_detail", request_id=entered.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/request_new.html", form=form), status


@bp.route("/privacy/requests/<int:request_id>", methods=["GET", "POST"])
@dpo_required
@form_csrf
def request_detail(request_id: int):
    found = request_or_404(request_id)
    form = DecideForm()
    if request.method == "POST" and form.validate():
        with attempt(form) as done:
            ops.decide(found, form.decision.data, form.reason.data or "", current_user)
        if done:
            flash(_("บันทึกคำตัดสินแล้ว"), "success")
            return redirect(url_for("privacy.request_detail", request_id=found.id), code=303)
    status = 400 if request.method == "POST" else 200
    erasing = found.kind == "erasure" and found.status == "open" and found.subject_user is not None \
        and found.subject_user.erased_at is None
    return render_template("privacy/request.html", item=found, form=form, today=today_local(),
                           erasure=erasure.plan(found.subject_user) if erasing else None,
                           blocker=erasure.blocker(found.subject_user) if erasing else None), status


@bp.get("/privacy/requests/<int:request_id>/data.zip")
@dpo_required
def request_data(request_id: int):
    """The data of the person who asked, to send them (a request tied to an account; else 404)."""
    found = request_or_404(request_id)
    if found.subject_user is None:
        abort(404)
    return zip_response(found.subject_user)
