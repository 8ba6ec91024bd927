"""Reaching an exhibitor from a URL: only a confirmed exhibitor (an approved application with a booth) of
this fair exists here; anything else (a draft, a waiting or withdrawn application, one of another fair, a
missing id) is 404, the same answer. The signs are the fair staff's (fairs.access.staff_fair_or_404).
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..booths.models import Application, Booth, Status
from ..extensions import db
from ..fairs.access import fair_or_404, staff_fair_or_404  # noqa: F401  (directory views load fairs here)
from ..fairs.models import Fair


def is_confirmed(application: Application) -> bool:
    """A confirmed exhibitor: approved, with a booth (the same rule as the exhibitor's pass)."""
    return application.status == Status.approved and application.booth is not None


def exhibitor_or_404(fair: Fair, application_id: int) -> Application:
    """The fair's confirmed exhibitor, its booth and organization loaded with it (one query); else 404."""
    application = db.session.scalar(
        select(Application).join(Booth, Booth.application_id == Application.id)
        .where(Application.id == application_id, Application.fair_id == fair.id,
               Application.status == Status.approved)
        .options(contains_eager(Application.booth)))
    if application is None or not is_confirmed(application):
        abort(404)
    return application
