"""Notices at collection (PDPA s.23): each form that collects personal data shows, above its button, a short
notice made from the registry (its purposes, their basis, what happens without the data, how long it is
kept, who receives it, the DPO's contact and the person's rights, with a link to the full notice); a person
who sends the form has seen that version of it (`seen`)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from . import registry
from .models import NoticeReceipt

# Each form that collects personal data, and the purposes its notice tells about.
FORMS = {
    "signup": ("accounts", "religion"),
    "join": ("accounts", "religion"),
    "booth_application": ("booths", "access_needs", "religion"),
    "nomination": ("nominations", "religion"),
}


def notice(form: str) -> dict:
    """What the short notice of `form` says (the template macro privacy/_notice.html draws it)."""
    purposes = [registry.PURPOSE[key] for key in FORMS[form]]
    categories = []
    for purpose in purposes:
        categories += [registry.CATEGORY[key] for key in purpose.categories if registry.CATEGORY[key] not in categories]
    return {"form": form, "version": registry.VERSION, "purposes": purposes, "categories": categories,
            "bases": registry.BASES, "dpo_email": current_app.config["PRIVACY_DPO_EMAIL"]}


def seen(user: User, form: str) -> None:
    """Record that `user` sent `form` with the current version of its notice (first time only)."""
    exists = db.session.scalar(select(NoticeReceipt.id).where(
        NoticeReceipt.user_id == user.id, NoticeReceipt.version == registry.VERSION, NoticeReceipt.form == form))
    if exists is None:
        db.session.add(NoticeReceipt(user_id=user.id, version=registry.VERSION, form=form))


def receipts(user: User) -> list[NoticeReceipt]:
    return list(db.session.scalars(select(NoticeReceipt).where(NoticeReceipt.user_id == user.id)
                                   .order_by(NoticeReceipt.seen_at)))
