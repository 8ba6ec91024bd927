"""The DPO's forms (a breach; a request entered; a decision) and a person's own request. Times are typed in
Bangkok time and stored in UTC."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from ..core.forms import BaseForm, CheckboxesField, choices, length, optional, required
from ..core.time import BANGKOK, to_local
from . import registry
from .models import CHANNELS, DECISIONS, REQUEST_KINDS, RISKS
from ..core.thai_dates import ThaiDateField, ThaiDateTimeField

TIME_MSG = _l("กรุณาเลือกวันและเวลา")


def _when(label, *, needed: bool = False, description=None):
    checks = [InputRequired(TIME_MSG)] if needed else [optional()]
    return ThaiDateTimeField(label, checks, description=description)


class BreachForm(BaseForm):
    title = StringField(_l("เรื่อง"), [required(), length(200)],
                        description=_l("สั้น ๆ เช่น ส่งอีเมลรายชื่อผู้ประจำบูธผิดผู้รับ"))
    description = TextAreaField(_l("สิ่งที่เกิดขึ้น"), [required(), length(5000)])
    found_at = _when(_l("เวลาที่พบเหตุ"), needed=True,
                     description=_l("เวลาไทย กำหนด 72 ชั่วโมงในการแจ้งสำนักงานฯ นับจากเวลานี้"))
    occurred_at = _when(_l("เวลาที่เกิดเหตุ (ถ้าทราบ)"))
    categories = CheckboxesField(_l("ข้อมูลที่เกี่ยวข้อง"),
                                 choices=choices((c.key, c.name) for c in registry.CATEGORIES))
    people_affected = IntegerField(_l("จำนวนบุคคลที่ได้รับผลกระทบ (โดยประมาณ)"),
                                   [optional(), NumberRange(min=0, max=10_000_000,
                                                            message=_l("กรุณากรอกจำนวนตั้งแต่ 0"))])
    risk = RadioField(_l("ระดับความเสี่ยง"), [InputRequired(_l("กรุณาเลือกระดับความเสี่ยง"))],
                      choices=choices(RISKS.items()), default="risk")
    measures = TextAreaField(_l("สิ่งที่ดำเนินการแล้ว"), [optional(), length(5000)])
    office_notified_at = _when(_l("เวลาที่แจ้งสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล"))
    people_notified_at = _when(_l("เวลาที่แจ้งเจ้าของข้อมูล"))

    TIMES = ("found_at", "occurred_at", "office_notified_at", "people_notified_at")

    @classmethod
    def data_of(cls, breach) -> dict:
        data = {name: getattr(breach, name) for name in ("title", "description", "categories",
                                                          "people_affected", "risk", "measures")}
        for name in cls.TIMES:
            value = getattr(breach, name)
            data[name] = to_local(value).replace(tzinfo=None) if value else None
        return data

    def values(self) -> dict:
        """What the operations take: times as aware UTC, text stripped."""
        values = {"title": self.title.data.strip(), "description": self.description.data.strip(),
                  "categories": list(self.categories.data or []), "people_affected": self.people_affected.data,
                  "risk": self.risk.data, "measures": (self.measures.data or "").strip()}
        for name in self.TIMES:
            value: datetime | None = self[name].data
            values[name] = value.replace(tzinfo=BANGKOK).astimezone(timezone.utc) if value else None
        return values


class OwnRequestForm(BaseForm):
    """A person's request about their own data, from /my/data."""

    kind = RadioField(_l("ท่านต้องการ"), [InputRequired(_l("กรุณาเลือกสิ่งที่ต้องการ"))],
                      choices=choices((k, v) for k, v in REQUEST_KINDS.items() if k not in ("access", "portability")))
    details = TextAreaField(_l("รายละเอียด"), [required(), length(3000)],
                            description=_l("เช่น ข้อมูลใดไม่ถูกต้องและที่ถูกต้องคืออะไร หรือข้อมูลใดที่ต้องการให้ลบ"))


class EnterRequestForm(BaseForm):
    """A request that came in person, by post or by email, entered by the DPO."""

    subject_name = StringField(_l("ชื่อผู้ขอ"), [required(), length(300)])
    subject_email = StringField(_l("อีเมลบัญชีของผู้ขอ (ถ้ามี)"), [optional(), length(254)],
                                description=_l("หากผู้ขอมีบัญชีในระบบ คำขอจะผูกกับบัญชีนั้น"))
    subject_contact = StringField(_l("ช่องทางติดต่อกลับ"), [optional(), length(300)],
                                  description=_l("ที่อยู่ เบอร์โทรศัพท์ หรืออีเมล"))
    channel = RadioField(_l("ได้รับทาง"), [InputRequired(_l("กรุณาเลือกช่องทาง"))],
                         choices=choices((k, v) for k, v in CHANNELS.items() if k != "web"))
    received_on = ThaiDateField(_l("วันที่ได้รับ"), [InputRequired(_l("กรุณาเลือกวันที่"))],
                                description=_l("กำหนด 30 วันนับจากวันนี้"))
    kind = RadioField(_l("ประเภทคำขอ"), [InputRequired(_l("กรุณาเลือกประเภทคำขอ"))],
                      choices=choices(REQUEST_KINDS.items()))
    details = TextAreaField(_l("รายละเอียด"), [optional(), length(3000)])


class DecideForm(BaseForm):
    decision = RadioField(_l("คำตัดสิน"), [InputRequired(_l("กรุณาเลือกคำตัดสิน"))], choices=choices(DECISIONS.items()))
    reason = TextAreaField(_l("เหตุผลที่แจ้งผู้ขอ"), [optional(), length(3000)],
                           description=_l("จำเป็นเมื่อปฏิเสธหรือดำเนินการบางส่วน"))


class RetentionForm(BaseForm):
    """A fair's own periods (days), each at most the registry's default; empty: the default."""

    checkin = IntegerField(_l("การสแกนเช็กอินบูธ: เก็บกี่วันหลังวันสุดท้ายของงาน"),
                           [optional(), NumberRange(min=1, message=_l("อย่างน้อย 1 วัน"))])
    draft = IntegerField(_l("ใบสมัครและการเสนอชื่อที่ไม่ได้ส่ง: เก็บกี่วันหลังปิดรับ"),
                         [optional(), NumberRange(min=1, message=_l("อย่างน้อย 1 วัน"))])
    evidence = IntegerField(_l("หลักฐานของการเสนอชื่อที่ไม่ได้รับรางวัล: เก็บกี่วันหลังประกาศผล"),
                            [optional(), NumberRange(min=1, message=_l("อย่างน้อย 1 วัน"))])
