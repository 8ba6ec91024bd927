"""Booth forms: the application (with the people who staff the booth), booth types and settings, the
review queue's decisions. They check the shape of what was typed; the rules are the operations'."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, Form, FormField, IntegerField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import NumberRange

from ..core.forms import BaseForm, ChosenRadioField, length, optional, required
from ..core.http import safe_id
from ..privacy.sensitive import BOOTH_CONSENT_LABEL
from .operations import ACTIONS, FIELDS

TEXT_MAX = 1000
class PersonForm(Form):
    """One person on the booth (a sub-form: the outer form carries the CSRF token)."""

    title = StringField(_l("คำนำหน้า"), [optional(), length(60)])
    first_name = StringField(_l("ชื่อ"), [optional(), length(100)])
    last_name = StringField(_l("นามสกุล"), [optional(), length(100)])


def booth_type_field(field_class, label):
    return field_class(label, coerce=int, empty_message=_l("กรุณาเลือกประเภทบูธ"),
                       unknown_message=_l("ประเภทบูธนี้ไม่ได้เปิดรับในงานนี้ กรุณาเลือกจากรายการ"))


class ApplicationForm(BaseForm):
    booth_type = booth_type_field(ChosenRadioField, _l("ประเภทบูธ"))
    show_text = TextAreaField(_l("โชว์: ผลงานหรือกิจกรรมที่จะนำมาแสดง"), [optional(), length(TEXT_MAX)])
    share_text = TextAreaField(_l("แชร์: ความรู้หรือประสบการณ์ที่จะแบ่งปัน"), [optional(), length(TEXT_MAX)])
    help_text = TextAreaField(_l("ช่วย: สิ่งที่จะช่วยเหลือผู้มาร่วมงานหรือชุมชน"), [optional(), length(TEXT_MAX)])
    connect_text = TextAreaField(_l("เชื่อม: เครือข่ายที่จะเชื่อมโยง"), [optional(), length(TEXT_MAX)])
    needs_power = BooleanField(_l("ต้องการไฟฟ้าเพิ่ม"))
    needs_water = BooleanField(_l("ต้องการน้ำประปา"))
    needs_wheelchair = BooleanField(_l("ต้องการทางลาดสำหรับรถเข็น"))
    needs_note = StringField(_l("ความต้องการอื่น ๆ"), [optional(), length(500)])
    access_consent = BooleanField(_l("ข้าพเจ้ายินยอมโดยชัดแจ้งให้เก็บความต้องการทางลาด ซึ่งบอกถึงความพิการของผู้ประจำบูธ "
                                     "เพื่อจัดบูธให้เข้าถึงได้ (ข้อมูลอ่อนไหว มาตรา 26) ถอนได้โดยเอาความต้องการนี้ออก"))
    people = FieldList(FormField(PersonForm), min_entries=4, max_entries=12)
    religion_consent = BooleanField(BOOTH_CONSENT_LABEL)
    photo = FileField(_l("รูปภาพหรือโลโก้ขององค์กร (JPEG, PNG หรือ WebP ไม่เกิน 8 MB)"))

    def values(self) -> dict:
        """The application's own fields as the operation takes them (texts trimmed, needs as booleans)."""
        data = {k: getattr(self, k).data for k in FIELDS}
        values = {k: (bool(v) if k.startswith("needs_") and k != "needs_note" else (v or "").strip())
                  for k, v in data.items()}
        values["access_consent"] = bool(self.access_consent.data)
        values["religion_consent"] = bool(self.religion_consent.data)
        return values

    def people_data(self) -> list[dict]:
        """The people typed in, blank rows left out."""
        return [p for p in (entry.data for entry in self.people) if (p.get("first_name") or "").strip()]

    def fill_people(self, people) -> None:
        """Show an application's people, with two empty rows for more (no script needed)."""
        for i, person in enumerate(people):
            values = {"title": person.title, "first_name": person.first_name, "last_name": person.last_name}
            if i < len(self.people.entries):
                for key, value in values.items():
                    self.people.entries[i].form[key].data = value
            else:
                self.people.append_entry(values)
        while len(self.people.entries) < min(len(people) + 2, self.people.max_entries):
            self.people.append_entry()


class BoothTypeForm(BaseForm):
    name_th = StringField(_l("ชื่อประเภทบูธ (ภาษาไทย)"), [required(), length(120)])
    name_en = StringField(_l("ชื่อประเภทบูธ (ภาษาอังกฤษ)"), [optional(), length(120)])
    size_label = StringField(_l("ขนาด"), [required(), length(60)],
                             description=_l("กว้าง x ลึก เป็นเมตร เช่น 3 x 3"))
    includes_th = StringField(_l("สิ่งที่ได้รับ"), [optional(), length(300)],
                              description=_l("เช่น โต๊ะ 1 ตัว เก้าอี้ 2 ตัว ปลั๊กไฟ 1 จุด"))
    capacity = IntegerField(_l("จำนวนบูธที่รับได้"), [NumberRange(min=0, max=2000, message=_l("ใส่จำนวน 0 ถึง 2000"))])

    def values(self) -> dict:
        return {k: self[k].data for k in ("name_th", "name_en", "size_label", "includes_th", "capacity")}


class SetupForm(BaseForm):
    per_org_limit = IntegerField(_l("จำนวนใบสมัครสูงสุดต่อองค์กร"),
                                 [NumberRange(min=1, max=20, message=_l("ใส่จำนวน 1 ถึง 20"))])
    offer_hours = IntegerField(_l("เวลาตอบรับที่ว่างจากรายชื่อสำรอง (ชั่วโมง)"),
                               [NumberRange(min=1, max=24 * 14, message=_l("ใส่จำนวน 1 ถึง 336 ชั่วโมง"))])

    def values(self) -> dict:
        return {"per_org_limit": self.per_org_limit.data, "offer_hours": self.offer_hours.data}


class ReviewForm(BaseForm):
    """The review queue's decision on the ticked applications (the reason is needed only to reject:
    the operation says so)."""

    ids = SelectMultipleField(coerce=lambda v: safe_id(v) or 0, validate_choice=False)
    action = StringField()
    reason = TextAreaField(_l("เหตุผลที่ไม่อนุมัติ (องค์กรจะเห็นข้อความนี้)"), [optional(), length(500)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.action.data not in ACTIONS:
            self.form_errors.append(str(_l("กรุณาเลือกการดำเนินการ")))
            return False
        return ok

    def ticked(self) -> set[int]:
        return {i for i in (self.ids.data or []) if i}
