"""The named refusals of the booth rules. Each carries its HTTP status (409 unless said) and, where it is
about one form field, that field: core.errors shows it there, above the form, in a flash or as JSON."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core.errors import DomainError


class WindowClosed(DomainError):
    message = _l("ช่วงรับสมัครบูธของงานนี้ปิดอยู่ จึงแก้ไขหรือส่งใบสมัครไม่ได้")


class LimitReached(DomainError):
    message = _l("องค์กรของคุณสมัครบูธในงานนี้ครบ %(n)d ใบแล้ว")


class NotEditable(DomainError):
    message = _l("ใบสมัครในสถานะนี้แก้ไขไม่ได้")


class TypeLocked(NotEditable):
    message = _l("เปลี่ยนประเภทบูธได้เฉพาะก่อนการพิจารณา")
    field = "booth_type"


class AccessConsentNeeded(DomainError):
    """PDPA s.26: a ramp for a wheelchair tells of someone's disability; it is kept only with explicit consent."""
    message = _l("ความต้องการทางลาดบอกถึงความพิการของผู้ประจำบูธ ซึ่งเป็นข้อมูลอ่อนไหว "
                 "กรุณาติ๊กให้ความยินยอมโดยชัดแจ้ง หรือเอาความต้องการนี้ออก")
    status = 400
    field = "access_consent"


class TypeOfAnotherFair(DomainError):
    message = _l("ประเภทบูธนี้ไม่ใช่ของงานนี้")
    field = "booth_type"


class BoothOfAnotherFair(DomainError):
    message = _l("บูธนี้ไม่ใช่ของงานนี้")


class Incomplete(DomainError):
    message = _l("ใบสมัครยังไม่ครบ: %(missing)s")


class WrongStatus(DomainError):
    message = _l("ทำรายการนี้กับใบสมัครในสถานะ \"%(status)s\" ไม่ได้")


class ReasonRequired(DomainError):
    message = _l("กรุณาระบุเหตุผลที่ไม่อนุมัติ")
    field = "reason"


class NothingChosen(DomainError):
    message = _l("กรุณาเลือกใบสมัครอย่างน้อยหนึ่งใบ")


class OfferExpired(DomainError):
    message = _l("ข้อเสนอนี้หมดอายุแล้ว")


class BoothTaken(DomainError):
    message = _l("บูธ %(code)s มีองค์กรอื่นอยู่แล้ว")


class BoothBlocked(DomainError):
    message = _l("บูธ %(code)s ถูกปิดไว้ ใช้จัดสรรไม่ได้")


class BoothTypeMismatch(DomainError):
    message = _l("บูธ %(code)s เป็นบูธคนละประเภทกับที่สมัคร")


class NotApproved(DomainError):
    message = _l("จัดสรรบูธได้เฉพาะใบสมัครที่อนุมัติแล้ว")


class TypeFull(DomainError):
    message = _l("บูธประเภท %(name)s เต็มแล้ว")


class CapacityBelowHeld(DomainError):
    message = _l("มีใบสมัครที่อนุมัติแล้ว %(n)d ใบ จึงลดจำนวนให้ต่ำกว่านี้ไม่ได้")
    field = "capacity"


class NotFirstInLine(DomainError):
    message = _l("ยังมีองค์กรอยู่ก่อนในรายชื่อสำรอง ที่ว่างจะเสนอให้ตามลำดับ")


class AlreadyCheckedIn(DomainError):
    message = _l("องค์กรนี้เช็กอินแล้ว จึงถอนใบสมัครเองไม่ได้ กรุณาติดต่อเจ้าหน้าที่งาน")


# ---- check-in: the scan endpoint answers these as the JSON envelope, with the scan's client_id ----

class CheckInRefused(DomainError):
    """A scan the check-in page must not send again: it is answered, and leaves the phone's queue."""

    application = None  # the exhibitor the scan named, when it named one


class NotAllocated(CheckInRefused):
    message = _l("องค์กรนี้ยังไม่ได้รับการจัดสรรบูธ จึงเช็กอินไม่ได้")


class BoothUnknown(CheckInRefused):
    message = _l("ไม่พบบูธรหัส %(code)s ในงานนี้")
    status = 404


class BoothEmpty(CheckInRefused):
    message = _l("บูธ %(code)s ยังไม่มีองค์กรที่ได้รับการจัดสรร")


class ScanUnreadable(CheckInRefused):
    message = _l("ข้อมูลการสแกนอ่านไม่ได้")
    status = 400


class ScanOfAnotherFair(CheckInRefused):
    message = _l("รหัสการสแกนนี้ถูกใช้กับงานอื่นแล้ว")


class SameBooth(DomainError):
    message = _l("กรุณาเลือกบูธอื่น")
    field = "other"


class NothingToMove(DomainError):
    message = _l("บูธ %(a)s และ %(b)s ว่างทั้งคู่ ไม่มีองค์กรให้ย้าย")


class NothingAllocated(DomainError):
    message = _l("บูธ %(code)s ยังว่างอยู่")


__all__ = [name for name, value in list(globals().items())
           if isinstance(value, type) and issubclass(value, DomainError)]
