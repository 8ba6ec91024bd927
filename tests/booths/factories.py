"""Booth factories: booth types, applications (with people), booths on the plan, the fair's settings.

Rows are made through the models and committed, like tests/factories.py, so a request reads them.
"""
from __future__ import annotations

import itertools
from datetime import timedelta

from fairapp.booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
from fairapp.core.time import utcnow
from fairapp.extensions import db
from fairapp.fairs.models import Fair

_seq = itertools.count(1)


def create_booth_type(fair: Fair, capacity: int = 3, *, name_th: str = "บูธมาตรฐาน", name_en: str | None = None,
                      size_label: str = "3 x 3 ม.", includes_th: str = "โต๊ะ 1 ตัว เก้าอี้ 2 ตัว",
                      sort_order: int = 0) -> BoothType:
    booth_type = BoothType(fair_id=fair.id, name_th=name_th, name_en=name_en, size_label=size_label,
                           includes_th=includes_th, capacity=capacity, sort_order=sort_order)
    db.session.add(booth_type)
    db.session.commit()
    return booth_type


def set_booth_setup(fair: Fair, *, per_org_limit: int = 1, offer_hours: int = 72) -> BoothSetup:
    setup = db.session.get(BoothSetup, fair.id) or BoothSetup(fair_id=fair.id)
    setup.per_org_limit, setup.offer_hours = per_org_limit, offer_hours
    setup.plan_cols, setup.plan_rows = setup.plan_cols or 24, setup.plan_rows or 16
    db.session.add(setup)
    db.session.commit()
    return setup


def create_application(fair: Fair, org, booth_type: BoothType, status: Status = Status.submitted, *,
                       show_text: str = "นิทรรศการผ้าทอมือของชุมชน", people: tuple[str, ...] = ("ก้องภพ",),
                       by=None, commit: bool = True, **fields) -> Application:
    """An application in any state, with the timestamps that state implies."""
    now = utcnow()
    seq = next(_seq)
    application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=booth_type.id,
                              status=status, show_text=show_text, created_by_id=getattr(by, "id", None),
                              **fields)
    if status != Status.draft:
        # Distinct, increasing times, so the order of the queue is the order of creation.
        application.submitted_at = now - timedelta(days=1) + timedelta(microseconds=seq)
    if status in (Status.approved, Status.rejected, Status.waitlisted, Status.offered):
        application.decided_at = now
    if status == Status.waitlisted:
        application.waitlisted_at = now - timedelta(hours=1) + timedelta(microseconds=seq)
    if status == Status.offered and "offer_expires_at" not in fields:
        application.offer_expires_at = now + timedelta(hours=72)
    if status == Status.rejected and "rejection_reason" not in fields:
        application.rejection_reason = "ประเภทกิจกรรมไม่ตรงกับงาน"
    application.people = [BoothPerson(position=i, first_name=name, last_name="ใจดี")
                          for i, name in enumerate(people)]
    db.session.add(application)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return application


def create_booth(fair: Fair, booth_type: BoothType, code: str | None = None, *, x: int = 0, y: int = 0,
                 zone: str = "A", blocked: bool = False, application: Application | None = None,
                 commit: bool = True) -> Booth:
    n = next(_seq)
    booth = Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=code or f"{zone}{n:02d}", zone=zone,
                  x=x if x else n % 24, y=y if y else n // 24, w=1, h=1, blocked=blocked,
                  application_id=application.id if application else None)
    db.session.add(booth)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return booth
