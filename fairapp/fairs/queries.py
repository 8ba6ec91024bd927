"""Read-only queries for fair pages and the dashboard."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.thai import sort_thai
from ..core.time import today_local
from ..extensions import db
from .models import Fair, FairRole


def upcoming_fairs() -> list[Fair]:
    """Fairs that have not ended, soonest first, then the rest, newest first."""
    today = today_local()
    fairs = db.session.scalars(select(Fair).order_by(Fair.starts_on)).all()
    coming = [f for f in fairs if f.ends_on >= today]
    past = sorted((f for f in fairs if f.ends_on < today), key=lambda f: f.starts_on, reverse=True)
    return coming + past


def fairs_newest_first() -> list[Fair]:
    """Every fair, the latest start first (the admins' list)."""
    return db.session.scalars(select(Fair).order_by(Fair.starts_on.desc())).all()


def grants(fair: Fair) -> list[FairRole]:
    """The roles granted in a fair with their users, by first name in Thai order."""
    rows = db.session.scalars(select(FairRole).where(FairRole.fair_id == fair.id)
                              .options(selectinload(FairRole.user))).all()
    return sort_thai(rows, key=lambda g: g.user.first_name)


def waiting_per_staffed_fair(user, model, waiting, today, limit: int = 30) -> list:
    """(fair id, Thai name, English name, how many rows of `model` match `waiting`) for the fairs still to
    come where the user is staff (an admin: every such fair): what the home page shows fair staff."""
    from sqlalchemy import and_, func

    query = (select(Fair.id, Fair.name_th, Fair.name_en, func.count(model.id))
             .join(model, and_(model.fair_id == Fair.id, waiting))
             .where(Fair.ends_on >= today).group_by(Fair.id, Fair.name_th, Fair.name_en).order_by(Fair.id))
    if not user.is_admin:
        query = query.where(Fair.id.in_(select(FairRole.fair_id).where(FairRole.user_id == user.id,
                                                                       FairRole.role == "staff")))
    return db.session.execute(query.limit(limit)).all()
