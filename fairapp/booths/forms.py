"""Booth forms: the application (with the people who staff the booth), booth types, review decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, Form, FormField, IntegerField, RadioField, StringField,
                     TextAreaField)
from wtforms.validators import NumberRange, ValidationError

from ..core.forms import BaseForm, length, optional, required

TEXT_MAX = 1000


class PersonForm(Form):
    """One person on the booth (a sub-form: the outer form carries the CSRF token)."""

    title = StringField(_l("คำนำหน้า"), [optional(), length(60)])
    first_name = StringField(_l("ชื่อ"), [optional(), length(100)])
    last_name = StringField(_l("นามสกุล"), [optional(), length(100)])


class ApplicationForm(BaseForm):
    booth_type = RadioField(_l("ประเภทบูธ"), coerce=int, validate_choice=True)
    show_text = TextAreaField(_l("โชว์: ผลงานหรือกิจกรรมที่จะนำมาแสดง"), [optional(), length(TEXT_MAX)])
    share_text = TextAreaField(_l("แชร์: ความรู้หรือประสบการณ์ที่จะแบ่งปัน"), [optional(), length(TEXT_MAX)])
    help_text = TextAreaField(_l("ช่วย: สิ่งที่จะช่วยเหลือผู้มาร่วมงานหรือชุมชน"), [optional(), length(TEXT_MAX)])
    connect_text = TextAreaField(_l("เชื่อม: เครือข่ายที่จะเชื่อมโยง"), [optional(), length(TEXT_MAX)])
    needs_power = BooleanField(_l("ต้องการไฟฟ้าเพิ่ม"))
    needs_water = BooleanField(_l("ต้องการน้ำประปา"))
    needs_wheelchair = BooleanField(_l("ต้องการทางลาดสำหรับรถเข็น"))
    needs_note = StringField(_l("ความต้องการอื่น ๆ"), [optional(), length(500)])
    people = FieldList(FormField(PersonForm), min_entries=4, max_entries=12)
    photo = FileField(_l("รูปภาพหรือโลโก้ขององค์กร (JPEG, PNG หรือ WebP ไม่เกิน 8 MB)"))

    def validate_booth_type(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกประเภทบูธ"))

    def people_data(self) -> list[dict]:
        """The people typed in, blank rows left out."""
        return [p for p in (entry.data for entry in self.people) if (p.get("first_name") or "").strip()]


class BoothTypeForm(BaseForm):
    name_th = StringField(_l("ชื่อประเภทบูธ (ภาษาไทย)"), [required(), length(120)])
    name_en = StringField(_l("ชื่อประเภทบูธ (ภาษาอังกฤษ)"), [optional(), length(120)])
    size_label = StringField(_l("ขนาด"), [required(), length(60)], description=_l("เช่น 3 x 3 ม."))
    includes_th = StringField(_l("สิ่งที่ได้รับ"), [optional(), length(300)],
                              description=_l("เช่น โต๊ะ 1 ตัว เก้าอี้ 2 ตัว ปลั๊กไฟ 1 จุด"))
    capacity = IntegerField(_l("จำนวนบูธที่รับได้"), [NumberRange(min=0, max=2000, message=_l("ใส่จำนวน 0 ถึง 2000"))])


class SetupForm(BaseForm):
    per_org_limit = IntegerField(_l("จำนวนใบสมัครสูงสุดต่อองค์กร"),
                                 [NumberRange(min=1, max=20, message=_l("ใส่จำนวน 1 ถึง 20"))])
    offer_hours = IntegerField(_l("เวลาตอบรับที่ว่างจากรายชื่อสำรอง (ชั่วโมง)"),
                               [NumberRange(min=1, max=24 * 14, message=_l("ใส่จำนวน 1 ถึง 336 ชั่วโมง"))])


class RejectForm(BaseForm):
    """The review queue's bulk form; the reason is needed only to reject (the view checks)."""

    reason = TextAreaField(_l("เหตุผลที่ไม่อนุมัติ (องค์กรจะเห็นข้อความนี้)"), [optional(), length(500)])
