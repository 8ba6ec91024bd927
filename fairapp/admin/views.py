"""Admin overview, users, mail outbox and audit log."""
from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, Organization, User
from ..core.access import admin_required
from ..core.audit import AuditEntry, verify_chain
from ..core.mail import outbox_message, outbox_messages
from ..core.thai import sort_thai
from ..extensions import db
from ..fairs.models import Fair
from . import bp

PAGE = 50


@bp.get("/")
@admin_required
def home():
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "organizations": db.session.scalar(select(func.count(Organization.id))),
        "fairs": db.session.scalar(select(func.count(Fair.id))),
        "audit": db.session.scalar(select(func.count(AuditEntry.id))),
    }
    return render_template("admin/home.html", counts=counts)


@bp.get("/users")
@admin_required
def users():
    rows = db.session.scalars(select(User).options(
        selectinload(User.memberships).selectinload(Membership.organization),
        selectinload(User.fair_roles))).all()
    return render_template("admin/users.html", users=sort_thai(rows, key=lambda u: u.first_name))


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
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                                 .offset((page - 1) * PAGE).limit(PAGE)).all()
    actors = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in entries if e.actor_id})))}
    return render_template("admin/audit.html", entries=entries, actors=actors, page=page,
                           broken=verify_chain(), has_more=len(entries) == PAGE)
