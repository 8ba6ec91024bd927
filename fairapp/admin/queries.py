"""Read-only queries of the admin pages."""
from __future__ import annotations

from sqlalchemy import BigInteger, String, column, func, select, table
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, Organization, User
from ..core.audit import AuditEntry
from ..core.mail import MailMessage
from ..core.pagination import Page, paginate, thai_order
from ..extensions import db
from ..fairs.models import Fair


# How many users and organizations there are, kept by triggers on PostgreSQL (migration 0022): the admin
# home reads two numbers instead of counting every row (150,000 organizations at 10x) on every view.
ROW_COUNTS = table("row_counts", column("name", String), column("n", BigInteger))


def _how_many(name: str, model):
    if db.session.get_bind().dialect.name == "postgresql":
        return select(ROW_COUNTS.c.n).where(ROW_COUNTS.c.name == name).scalar_subquery()
    return select(func.count(model.id)).scalar_subquery()  # SQLite (development): counted


def counts() -> dict[str, int]:
    """How many users, organizations and fairs there are, and the audit log's latest entry number, in one
    query that reads a handful of rows whatever the data: users and organizations from row_counts (kept
    by triggers), the fairs counted (a few dozen), the audit log's latest number (an index's last key; it
    is never deleted from and grows by the million, so it is shown, not counted)."""
    users, organizations, fairs, audit = db.session.execute(select(
        _how_many("users", User), _how_many("organizations", Organization),
        select(func.count(Fair.id)).scalar_subquery(), select(func.max(AuditEntry.id)).scalar_subquery())).one()
    return {"users": users or 0, "organizations": organizations or 0, "fairs": fairs,
            "audit_latest": audit or 0}


def users_query():
    """Every user with their organizations and fair roles, by first name in Thai order (in SQL)."""
    return select(User).options(selectinload(User.memberships).selectinload(Membership.organization),
                                selectinload(User.fair_roles)).order_by(thai_order(User.first_name), User.id)


def users() -> Page:
    """One page (?page=N) of the users (core.pagination; a Page iterates over its rows)."""
    return paginate(users_query())


def audit_page(page: int, size: int) -> tuple[list[AuditEntry], dict[int, User]]:
    """One page of the audit log, newest first, and the users who acted in it (by id)."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                                 .offset((page - 1) * size).limit(size)).all()
    actors = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in entries if e.actor_id})))}
    return entries, actors


def mail_page(status: str | None, page: int, size: int) -> tuple[list[MailMessage], int]:
    """One page of the mail, newest first (only those in `status` when given), and how many there are."""
    query = select(MailMessage)
    if status:
        query = query.where(MailMessage.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(MailMessage.id.desc()).offset((page - 1) * size).limit(size)).all()
    return rows, total


def mail_counts() -> dict[str, int]:
    """How many mails are in each state."""
    return dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
