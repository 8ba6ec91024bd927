"""Admin overview, users, mail outbox and audit log."""
from __future__ import annotations

from flask import current_app, flash, render_template, redirect, request, url_for
from flask_babel import gettext as _

from ..core.access import admin_required, get_or_404
from ..core.audit import verify_recent
from ..core.mail import STATUS_LABELS, MailMessage, resend
from .blueprint import bp
from . import queries

PAGE = 50


@bp.get("/")
@admin_required
def home():
    return render_template("admin/home.html", counts=queries.counts())


@bp.get("/users")
@admin_required
def users():
    page, how_many = queries.users()
    return render_template("admin/users.html", users=page, how_many=how_many)


@bp.get("/mail")
@admin_required
def mail():
    """Every mail and its state, newest first; ?status=failed shows only what needs an admin."""
    status = request.args.get("status")
    status = status if status in STATUS_LABELS else None
    page = max(request.args.get("page", 1, type=int), 1)
    messages, total = queries.mail_page(status, page, PAGE)
    return render_template("admin/mail.html", messages=messages, status=status, labels=STATUS_LABELS,
                           counts=queries.mail_counts(), page=page, pages=max(1, -(-total // PAGE)),
                           smtp=bool(current_app.config.get("MAIL_SERVER")))


@bp.get("/mail/<int:message_id>")
@admin_required
def mail_message(message_id: int):
    return render_template("admin/mail_message.html", message=get_or_404(MailMessage, message_id),
                           labels=STATUS_LABELS)


@bp.post("/mail/<int:message_id>/resend")
@admin_required
def mail_resend(message_id: int):
    message = get_or_404(MailMessage, message_id, lock=True)
    if message.status == "sent":
        flash(_("อีเมลนี้ส่งไปแล้ว"), "info")
    else:
        resend(message)
        flash(_("ส่งอีเมลถึง %(to)s อีกครั้งแล้ว ดูสถานะได้ในหน้านี้", to=message.to), "success")
    return redirect(url_for("admin.mail_message", message_id=message_id))


@bp.get("/audit")
@admin_required
def audit():
    page = max(request.args.get("page", 1, type=int), 1)
    entries, actors = queries.audit_page(page, PAGE)
    return render_template("admin/audit.html", entries=entries, actors=actors, page=page,
                           broken=verify_recent().bad, has_more=len(entries) == PAGE)
