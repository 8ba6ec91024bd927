"""Read-only queries of the admin pages."""
from __future__ import annotations

from sqlalchemy import BigInteger, Float, case, column, func, literal, literal_column, select, table
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, Organization, User
from ..core.audit import AuditEntry
from ..core.mail import MailMessage
from ..core.pagination import Page, paginate, thai_order
from ..extensions import db
from ..fairs.models import Fair


EXACT_UP_TO = 20_000  # users and organizations are counted exactly up to here; beyond, PostgreSQL's estimate
PG_CLASS = table("pg_class", column("oid"), column("reltuples", Float))


def _how_many(model) -> tuple:
    """(how many rows, whether it is an estimate): counted (count(*) reads every row) while the table is
    small; on PostgreSQL, once the planner's statistics say it is over EXACT_UP_TO rows, their figure
    (pg_class.reltuples, kept by autovacuum: one row read whatever the table's size)."""
    counted = select(func.count()).select_from(model.__table__).scalar_subquery()
    if db.session.get_bind().dialect.name != "postgresql":
        return counted, literal(False)
    estimate = select(PG_CLASS.c.reltuples).where(
        PG_CLASS.c.oid == literal_column(f"'{model.__tablename__}'::regclass")).scalar_subquery()
    big = func.coalesce(estimate, 0) >= EXACT_UP_TO
    return case((big, func.round(estimate).cast(BigInteger)), else_=counted), big


def counts() -> dict:
    """How many users, organizations and fairs there are, and the audit log's latest entry number, in one
    query whose work does not grow with the data: users and organizations counted while few, PostgreSQL's
    estimate ("about") once many (_how_many), the fairs counted (a few dozen), the audit log's latest
    number (an index's last key; it is never deleted from and grows by the million, so it is shown, not
    counted)."""
    (users, users_about), (organizations, organizations_about) = _how_many(User), _how_many(Organization)
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
    """One page (?page=N) of the users (core.pagination; a Page iterates over its rows) and how many there
    are: counted while few; once many, PostgreSQL's estimate ("about", as on the admin home, _how_many) and
    the page is read without a count (previous / next), so the page costs the same at any size."""
    number, estimated = _how_many(User)
    total, about = db.session.execute(select(number, estimated)).one()
    page = paginate(users_query(), count=not about, total=None if about else total)
    return page, {"total": total, "about": bool(about)}


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
