"""The certificates' named refusals: each says what is wrong, carries its HTTP status and, where it belongs
to one, the form field it is shown on."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.errors import DomainError
from ..core.templating import num, thaidate


class NoTemplate(DomainError):
    message = _l("ยังไม่มีแม่แบบเกียรติบัตรสำหรับ%(kind)s กรุณาสร้างแม่แบบก่อน")


class NotFinalized(DomainError):
    message = _l("ผลการตัดสินประเภทนี้ยังไม่ประกาศ จึงยังออกเกียรติบัตรผู้ได้รับรางวัลไม่ได้")
    field = "category"


class NoCandidates(DomainError):
    message = _l("ยังไม่มีผู้ที่จะได้รับเกียรติบัตรในชุดนี้")


class AlreadyRevoked(DomainError):
    message = _l("เกียรติบัตรเลขที่ %(serial)s ถูกเพิกถอนแล้ว")


class AlreadySuperseded(DomainError):
    message = _l("เกียรติบัตรเลขที่ %(serial)s มีฉบับใหม่แทนแล้ว จึงออกใหม่ซ้ำไม่ได้")


class ReasonRequired(DomainError):
    message = _l("กรุณาระบุเหตุผล")
    status = 400
    field = "reason"


class PublicReasonRequired(DomainError):
    """No public reason chosen, or one not on the list (labels.PUBLIC_REASONS)."""

    message = _l("กรุณาเลือกเหตุผลที่จะแสดงต่อสาธารณะจากรายการ")
    status = 400
    field = "public_reason"


class TemplateLocked(DomainError):
    message = _l("แม่แบบนี้ออกเกียรติบัตรไปแล้ว %(n)s ฉบับ จึงแก้ไม่ได้ (ฉบับที่ออกแล้วต้องเหมือนเดิม) "
                 "กรุณาทำสำเนาแม่แบบแล้วแก้ที่สำเนา")


class NotPrintable(DomainError):
    message = _l("เกียรติบัตรเลขที่ %(serial)s ใช้ไม่ได้แล้ว จึงพิมพ์ไม่ได้")


class NothingToPrint(DomainError):
    message = _l("ไม่มีเกียรติบัตรที่ยังใช้ได้ในชุดนี้ จึงไม่มีอะไรให้พิมพ์")


class BatchNotReady(DomainError):
    message = _l("ชุดนี้ยังสร้างไฟล์ไม่เสร็จ")


class PrintedBefore(DomainError):
    """Printed before and not confirmed: when, by whom (and, for a set, how many of it)."""

    message = _l("พิมพ์ไปแล้วเมื่อ %(when)s โดย %(who)s จะพิมพ์อีกครั้งหรือไม่")
    in_a_set = _l("ชุดนี้มี %(n)s ฉบับที่พิมพ์ไปแล้ว (ล่าสุดเมื่อ %(when)s โดย %(who)s) กรุณายืนยันก่อนพิมพ์ซ้ำ")

    def __init__(self, latest, count: int = 1, *, batch: bool = False):
        # extra: what a script is told besides the message (the JSON envelope's other fields)
        super().__init__(self.in_a_set if batch else None, n=num(count), when=thaidate(latest.printed_at, "datetime"),
                         who=latest.printed_by.full_name if latest.printed_by else "-",
                         extra={"printed_at": latest.printed_at.isoformat()})
        self.printed_at = latest.printed_at
        self.count = count


class Withheld(DomainError):
    """The holder's name was erased at their request (PDPA s.33): the certificate's file is gone."""
    message = _l("เกียรติบัตรนี้ไม่เปิดเผยชื่อตามคำขอของผู้ถือ ไฟล์จึงถูกลบแล้ว ยังตรวจสอบเลขที่ได้ที่หน้าตรวจสอบเกียรติบัตร")
    status = 410
