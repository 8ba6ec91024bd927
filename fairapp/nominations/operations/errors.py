"""The named rule failures of nominations (each with its HTTP status and, where it is about one form
field, that field): views map them in one way (core.errors), never by reading their messages early."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core.errors import DomainError


class WindowClosed(DomainError):
    message = _l("ช่วงรับการเสนอชื่อของประเภทรางวัลนี้ปิดอยู่")


class NotAllowedToNominate(DomainError):
    message = _l("ประเภทรางวัลนี้รับการเสนอชื่อจาก%(who)sเท่านั้น")


class NotEligible(DomainError):
    message = _l("ผู้ถูกเสนอชื่อไม่อยู่ในเงื่อนไขของประเภทรางวัลนี้: %(why)s")


class LimitReached(DomainError):
    message = _l("องค์กรของคุณเสนอชื่อในประเภทรางวัลนี้ครบ %(n)d รายการแล้ว")


class NotEditable(DomainError):
    message = _l("การเสนอชื่อนี้แก้ไขไม่ได้แล้ว (ส่งแล้วหรือพิจารณาแล้ว)")


class Incomplete(DomainError):
    message = _l("ยังส่งไม่ได้ เพราะยังขาด: %(missing)s")


class WrongStatus(DomainError):
    message = _l("ทำรายการนี้กับการเสนอชื่อในสถานะ \"%(status)s\" ไม่ได้")


class CommentRequired(DomainError):
    message = _l("กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข")
    field = "comment"


class UnknownDecision(DomainError):
    message = _l("กรุณาเลือกผลการตรวจคุณสมบัติ")
    status = 400


class TooLong(DomainError):
    """A narrative over the category's length; `field` is that section's form field (s_<key>)."""

    message = _l("หัวข้อ \"%(section)s\" ยาวเกิน %(n)d ตัวอักษร")


# ---- evidence ----

class TooManyFiles(DomainError):
    message = _l("แนบไฟล์ได้ไม่เกิน %(n)d ไฟล์ต่อการเสนอชื่อ")


class EvidenceTooLarge(DomainError):
    message = _l("ไฟล์ทั้งหมดของการเสนอชื่อหนึ่งรายการรวมกันได้ไม่เกิน %(mb)d MB (ใช้ไปแล้ว %(used)s MB)")


# ---- award categories ----

class OutsideFairWindow(DomainError):
    message = _l("ต้องอยู่ในช่วงรับการเสนอชื่อของงาน (%(opens)s ถึง %(closes)s)")
    field = "opens_on"


class ClosesBeforeOpens(DomainError):
    message = _l("วันปิดต้องไม่ก่อนวันเปิด")
    field = "closes_on"


class FilesBelowMinimum(DomainError):
    message = _l("ต้องไม่น้อยกว่าจำนวนรูปภาพขั้นต่ำรวมกับไฟล์ PDF ขั้นต่ำ")
    field = "max_files"


class NarrowedOnceNominated(DomainError):
    """Who may nominate, and who is eligible, may widen under nominations received, never narrow."""

    message = _l("ประเภทรางวัลนี้มีการเสนอชื่อแล้ว จึงเพิ่มได้อย่างเดียว ตัดออกไม่ได้")


class BelowFilesAttached(DomainError):
    message = _l("มีการเสนอชื่อที่แนบไฟล์ไว้แล้ว %(n)d ไฟล์ จึงตั้งให้น้อยกว่านี้ไม่ได้")
    field = "max_files"


class BelowNarrativeWritten(DomainError):
    message = _l("มีเรื่องเล่าที่เขียนไว้แล้วยาว %(n)d ตัวอักษร จึงตั้งให้น้อยกว่านี้ไม่ได้")
    field = "narrative_max_chars"


__all__ = [name for name, value in list(globals().items())
           if isinstance(value, type) and issubclass(value, DomainError) and value is not DomainError]
