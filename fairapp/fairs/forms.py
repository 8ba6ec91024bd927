"""Fair set-up and role forms."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..core.forms import BaseForm, EmailAddress, choices, length, optional, required
from ..core.geo import province_choices
from ..core.thai_dates import ThaiDateField
from .models import FAIR_ROLES, ROLE_LABELS, WINDOWS

DATE_MSG = _l("กรุณาเลือกวันที่")


def _date(label):
    # InputRequired, not DataRequired: a typed but invalid date gets "invalid", not "missing".
    return ThaiDateField(label, [InputRequired(DATE_MSG)])


class FairForm(BaseForm):
    name_th = StringField(_l("ชื่องาน (ภาษาไทย)"), [required(), length(200)])
    name_en = StringField(_l("ชื่องาน (ภาษาอังกฤษ)"), [optional(), length(200)])
    venue_th = StringField(_l("สถานที่จัดงาน (ภาษาไทย)"), [required(), length(300)])
    venue_en = StringField(_l("สถานที่จัดงาน (ภาษาอังกฤษ)"), [optional(), length(300)])
    province = SelectField(_l("จังหวัด"), validate_choice=True)
    organizer_th = StringField(_l("หน่วยงานผู้จัด"), [required(), length(300)])
    description_th = TextAreaField(_l("รายละเอียดงาน"), [optional(), length(5000)])
    starts_on = _date(_l("วันเริ่มงาน"))
    ends_on = _date(_l("วันสุดท้ายของงาน"))
    booth_opens = _date(_l("เปิดรับสมัครบูธ"))
    booth_closes = _date(_l("ปิดรับสมัครบูธ"))
    nomination_opens = _date(_l("เปิดรับการเสนอชื่อ"))
    nomination_closes = _date(_l("ปิดรับการเสนอชื่อ"))
    judging_opens = _date(_l("เริ่มการตัดสิน"))
    judging_closes = _date(_l("สิ้นสุดการตัดสิน"))
    thai_numerals = BooleanField(_l("แสดงตัวเลขเป็นเลขไทย (๑ ๒ ๓) ในหน้าของงานนี้"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = choices(province_choices(str(get_locale() or "th")), _l("— เลือกจังหวัด —"))

    def validate_province(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกจังหวัด"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.starts_on.data and self.ends_on.data and self.ends_on.data < self.starts_on.data:
            self.ends_on.errors.append(_l("วันสุดท้ายของงานต้องไม่ก่อนวันเริ่มงาน"))
            ok = False
        for kind, label in WINDOWS:
            opens, closes = getattr(self, f"{kind}_opens"), getattr(self, f"{kind}_closes")
            if opens.data and closes.data and closes.data < opens.data:
                closes.errors.append(_l("วันปิดต้องไม่ก่อนวันเปิด"))
                ok = False
        for kind in ("booth", "nomination"):
            closes = getattr(self, f"{kind}_closes")
            if closes.data and self.starts_on.data and closes.data > self.starts_on.data:
                closes.errors.append(_l("ต้องปิดรับภายในวันเริ่มงาน"))
                ok = False
        if self.judging_closes.data and self.ends_on.data and self.judging_closes.data > self.ends_on.data:
            self.judging_closes.errors.append(_l("การตัดสินต้องเสร็จภายในวันสุดท้ายของงาน"))
            ok = False
        return ok


class GrantRoleForm(BaseForm):
    email = EmailField(_l("อีเมลของผู้ใช้"), [required(), length(254), EmailAddress()])
    role = SelectField(_l("บทบาท"), choices=choices(((r, ROLE_LABELS[r]) for r in FAIR_ROLES), _l("— เลือกบทบาท —")))

    def validate_role(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกบทบาท"))
