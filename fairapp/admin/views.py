"""Admin overview, users, mail outbox and audit log."""
from __future__ import annotations

from flask import abort, render_template, request

from ..core.access import admin_required
from ..core.audit import verify_chain
from ..core.mail import outbox_message, outbox_messages
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
    return render_template("admin/users.html", users=queries.users())


@bp.get("/mail")
@admin_required
def mail():
    return render_template("admin/mail.html", messages=outbox_messages())


@bp.get("/mail/<name>")
@admin_required
def mail_message(name: str):
    message = outbox_message(name)
    if message is None:
        abort(404)
    return render_template("admin/mail_message.html", message=message)


@bp.get("/audit")
@admin_required
def audit():
    page = max(request.args.get("page", 1, type=int), 1)
    entries, actors = queries.audit_page(page, PAGE)
    return render_template("admin/audit.html", entries=entries, actors=actors, page=page,
                           broken=verify_chain(), has_more=len(entries) == PAGE)
