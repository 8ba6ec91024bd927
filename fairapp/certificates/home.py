"""The fair page's certificate work (fairs.work): how many are issued, and print batches still making."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..fairs.models import Fair
from ..fairs.work import Work, source
from .batch_rows import WAITING
from .models import Certificate, PrintBatch


@source
def certificate_work(fair: Fair) -> list[Work]:
    issued = db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.fair_id == fair.id, Certificate.revoked_at.is_(None))) or 0
    making = db.session.scalar(select(func.count(PrintBatch.id)).where(
        PrintBatch.fair_id == fair.id, PrintBatch.status.in_(WAITING))) or 0
    note = _("ออกแล้ว %(n)s ฉบับ", n=issued) + (" · " + _("กำลังสร้าง %(n)s ชุด", n=making) if making else "")
    return [Work(60, _("เกียรติบัตร"), url_for("certificates.index", fair_id=fair.id), 0, note)]
