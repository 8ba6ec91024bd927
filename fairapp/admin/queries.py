"""Read-only queries of the admin pages."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, Organization, User
from ..core.audit import AuditEntry
from ..core.counting import how_many, page_of_all
from ..core.mail import MailMessage
from ..core.pagination import Page, thai_order
from ..extensions import db
from ..fairs.models import Fair


def counts() -> dict:
    """How many users, organizations and fairs there are, and the audit log's latest entry number, in one
    query whose work does not grow with the data: users and organizations counted while few, PostgreSQL's
    estimate ("about") once many (core.counting.how_many), the fairs counted (a few dozen), the audit log's latest
    number (an index's last key; it is never deleted from and grows by the million, so it is shown, not
    counted)."""
    (users, users_about), (organizations, organizations_about) = how_many(User), how_many(Organization)
    row = db.session.execute(select(
        users, users_about, organizations, organizations_about,
        select(func.count(Fair.id)).scalar_subquery(), select(func.max(AuditEntry.id)).scalar_subquery())).one()
    return {"users": row[0], "organizations": row[2], "fairs": row[4], "audit_latest": row[5] or 0,
            "about": {"users": bool(row[1]), "organizations": bool(row[3])}}


def users_query():
    """Every user with their organizations and fair roles, by first name in Thai order (in SQL)."""
    return select(User).options(selectinload(User.memberships).selectinload(Membership.organization),
                                selectinload(User.fair_roles)).order_by(thai_order(User.first_name), User.id)


def users() -> tuple[Page, dict]:
    """One page (?page=N) of the users and how many there are: counted while few, PostgreSQL's estimate
    ("about", as on the admin home) once many, and then the page is read without a count (core.counting)."""
    return page_of_all(users_query(), User)


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
