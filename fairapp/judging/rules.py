"""What every judging operation shares: the named errors, the audit call, and the rubric's row lock.

Scores of a finalized category never change: every operation that writes scores, assignments, conflicts or
the rubric calls `ensure_open`, which reads the rubric under a shared row lock (FOR SHARE on PostgreSQL;
a POST on SQLite already holds the write lock), so `finalize` (FOR UPDATE) never interleaves with them.

Rows that exist once per key (a score per assignment and criterion, an assignment or a conflict per judge
and nomination, a rubric per category) are created with `insert_or_existing`: two units of work that both
found no row and both insert it do not fail, the later one takes the row the other committed.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.errors import DomainError
from ..core.transaction import savepoint
from ..extensions import db
from ..nominations.models import Nomination
from .models import Rubric

T = TypeVar("T")


class CategoryFinalized(DomainError):
    message = _l("ประเภทรางวัลนี้สรุปผลแล้ว คะแนนเปลี่ยนไม่ได้ หากจำเป็นต้องแก้ ประธานต้องเปิดการตัดสินใหม่พร้อมเหตุผล")


class ConflictOfInterest(DomainError):
    message = _l("กรรมการมีส่วนได้เสียกับการเสนอชื่อนี้ จึงให้คะแนนไม่ได้")


class NotAssigned(DomainError):
    message = _l("การเสนอชื่อนี้ไม่ได้มอบหมายให้กรรมการท่านนี้")


class ScoreOutOfScale(DomainError):
    status = 400  # can never succeed as sent
    message = _l("คะแนนต้องอยู่ระหว่าง %(min)d ถึง %(max)d")


class CommentRequired(DomainError):
    status = 400
    message = _l("ให้คะแนนต่ำสุดของเกณฑ์ \"%(criterion)s\" ต้องเขียนเหตุผลประกอบ")


class ScoresRefused(DomainError):
    """The plain scoring form: one or more criteria refused, so none is saved. `errors`: criterion id ->
    message."""

    status = 400
    message = _l("ยังไม่ได้บันทึก: กรุณาแก้ไขเกณฑ์ที่มีข้อความแจ้งด้านล่าง แล้วบันทึกอีกครั้ง")

    def __init__(self, errors: dict[int, str]):
        super().__init__()
        self.errors = errors


class ReasonRequired(DomainError):
    status = 400
    field = "reason"
    message = _l("กรุณาระบุเหตุผล")


class ReasonTooLong(DomainError):
    status = 400
    field = "reason"
    message = _l("เหตุผลยาวเกิน %(max)d ตัวอักษร")


class NotEligibleForJudging(DomainError):
    message = _l("ตัดสินได้เฉพาะการเสนอชื่อที่ผ่านการตรวจคุณสมบัติแล้ว")


class NotAJudge(DomainError):
    status = 400
    message = _l("ผู้ใช้นี้ไม่ได้เป็นกรรมการของงานนี้")


class UnknownOrganization(DomainError):
    status = 400
    message = _l("ไม่พบองค์กรที่เลือก")


class WeightsInvalid(DomainError):
    message = _l("น้ำหนักของเกณฑ์ทุกข้อรวมกันได้ %(total)d ต้องรวมกันได้ 100 พอดี กรุณาปรับน้ำหนัก")


class ScoredCriterionRemoved(DomainError):
    message = _l("ลบเกณฑ์ \"%(criterion)s\" ไม่ได้ เพราะกรรมการให้คะแนนเกณฑ์นี้แล้ว (แก้ถ้อยคำได้)")


class ScoredScaleChanged(DomainError):
    message = _l("เปลี่ยนช่วงคะแนนของเกณฑ์ \"%(criterion)s\" ไม่ได้ เพราะกรรมการให้คะแนนเกณฑ์นี้แล้ว "
                 "(แก้ถ้อยคำได้)")


class JudgingNotOpen(DomainError):
    message = _l("ยังไม่ถึงช่วงการตัดสิน (เริ่ม %(date)s) จึงยังสรุปผลไม่ได้")


class FinalizeNeedsReason(DomainError):
    """Finalizing while something is missing needs the chair's written reason (audited, in the minutes)."""

    field = "reason"
    message = _l("ยังมี %(n)d รายการที่ไม่ครบ (ดูรายการบนหน้าประธาน) หากจะสรุปผลทั้งที่ยังไม่ครบ "
                 "กรุณาระบุเหตุผล ซึ่งจะบันทึกไว้ในประวัติการตรวจสอบและในบันทึกผลการตัดสิน")


REASON_MAX = 2000


def clean_reason(reason: str | None, *, required: bool = True, message=None) -> str:
    """The reason as stored: stripped; refused when empty (if required) or too long."""
    text = (reason or "").strip()
    if required and not text:
        raise ReasonRequired(message)
    if len(text) > REASON_MAX:
        raise ReasonTooLong(max=REASON_MAX)
    return text


def record(action: str, obj, actor, fair_id: int, before=None, after=None, **kw) -> None:
    audit.record(f"judging.{action}", obj, actor=actor, fair_id=fair_id, before=before, after=after, **kw)


def rubric_for(nomination: Nomination) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.category_id == nomination.category_id))


def lock_rubric(rubric: Rubric, *, share: bool = False) -> Rubric:
    """Re-read the rubric under its row lock: FOR UPDATE (finalize, reopen, rubric edits) or FOR SHARE
    (operations that must not run while it is being finalized)."""
    return db.session.scalars(select(Rubric).where(Rubric.id == rubric.id)
                              .with_for_update(read=share)
                              .execution_options(populate_existing=True)).one()


def ensure_open(rubric: Rubric | None) -> None:
    """Raise CategoryFinalized when the category's results are frozen (read under a shared row lock)."""
    if rubric is not None and lock_rubric(rubric, share=True).finalized:
        raise CategoryFinalized()


def insert_or_existing(row: T, existing: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert `row`, or take the row of the same key that another unit of work inserted meanwhile.

    The insert runs in a savepoint: when the unique constraint refuses it (the other insert committed
    between our read and our write), only the insert is undone and `existing()` reads the row that won
    (a new statement, so it sees that commit; lock it there if the caller will compare or change it).
    Returns (the row, True if this unit inserted it). Any other integrity error is raised as it is.
    """
    try:
        with savepoint():
            db.session.add(row)
            db.session.flush()
        return row, True
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
