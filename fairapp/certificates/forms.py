"""Certificate forms: a template (wording, page, images, signatories), issuing a set, revoke and reissue,
typing a serial to check."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import ValidationError

from ..core.forms import BaseForm, ChosenRadioField, choices, length, optional, required
from .labels import PUBLIC_REASONS
from .render import PLACEHOLDERS
from .template_ops import ImageChange, SignatoryChange, TemplateChanges
from ..core.thai_dates import ThaiDateField

_PLACEHOLDER = re.compile(r"\[[^\[\]]*\]")
PAGE_CHOICES = choices([("A4", "A4"), ("A5", "A5"), ("LETTER", "Letter")])
ORIENTATION_CHOICES = choices([("landscape", _l("แนวนอน")), ("portrait", _l("แนวตั้ง"))])


class KnownPlaceholders:
    """Every [placeholder] in the text is one the certificate can fill in."""

    def __call__(self, form, field):
        unknown = [p for p in _PLACEHOLDER.findall(field.data or "") if p not in PLACEHOLDERS]
        if unknown:
            raise ValidationError(_l("ไม่รู้จัก %(unknown)s ใช้ได้เฉพาะ %(known)s",
                                     unknown=", ".join(unknown), known=" ".join(PLACEHOLDERS)))


class SignatoryForm(Form):
    """One signatory (a sub-form: the outer form carries the CSRF token)."""

    name = StringField(_l("ชื่อผู้ลงนาม"), [optional(), length(150)])
    position = StringField(_l("ตำแหน่ง"), [optional(), length(200)])
    signature = FileField(_l("ภาพลายมือชื่อ (PNG พื้นโปร่งใส หรือ JPEG)"))
    remove_signature = BooleanField(_l("ลบภาพลายมือชื่อ"))


class TemplateForm(BaseForm):
    name = StringField(_l("ชื่อแม่แบบ (สำหรับเจ้าหน้าที่)"), [required(), length(200)])
    category = SelectField(_l("ประเภทรางวัล"), coerce=str, validate_choice=True, default="")
    level_th = StringField(_l("ระดับรางวัล (เว้นว่าง = ทุกระดับ)"), [optional(), length(120)])
    page_size = SelectField(_l("ขนาดกระดาษ"), choices=PAGE_CHOICES)
    orientation = RadioField(_l("แนวกระดาษ"), choices=ORIENTATION_CHOICES)
    title_th = StringField(_l("หัวเรื่อง"), [required(), length(200)])
    issuer_th = TextAreaField(_l("หน่วยงานผู้มอบ"), [required(), length(400), KnownPlaceholders()],
                              description=_l("[หน่วยงาน] คือผู้จัดงาน เช่น ศูนย์คุณธรรม (องค์การมหาชน)"))
    preamble_th = StringField(_l("ข้อความนำ"), [required(), length(400)])
    reason_th = TextAreaField(_l("ข้อความเหตุที่มอบ"), [required(), length(1000), KnownPlaceholders()],
                              description=_l("ใช้ได้: [ระดับ] [ประเภทรางวัล] [งาน] [องค์กร] [บูธ] [หน่วยงาน]"))
    date_line_th = StringField(_l("บรรทัดวันที่"), [required(), length(300), KnownPlaceholders()],
                               description=_l("[วันที่] จะเป็นวันที่แบบไทย เช่น 13 พฤศจิกายน พ.ศ. 2568"))
    given_on = ThaiDateField(_l("วันที่ให้ไว้ (เว้นว่าง = วันสุดท้ายของงาน)"), [optional()])
    background = FileField(_l("ภาพพื้นหลัง (JPEG, PNG หรือ WebP ไม่เกิน 8 MB)"))
    remove_background = BooleanField(_l("ลบภาพพื้นหลัง"))
    logo_1 = FileField(_l("ตราหน่วยงาน 1"))
    logo_2 = FileField(_l("ตราหน่วยงาน 2"))
    logo_3 = FileField(_l("ตราหน่วยงาน 3"))
    remove_logo_1 = BooleanField(_l("ลบตรา 1"))
    remove_logo_2 = BooleanField(_l("ลบตรา 2"))
    remove_logo_3 = BooleanField(_l("ลบตรา 3"))
    signatories = FieldList(FormField(SignatoryForm), min_entries=3, max_entries=3)

    @staticmethod
    def data_of(template) -> dict:
        """The form's data for a saved template (what the editor shows before any change)."""
        signatories = list(template.signatories or []) + [{}] * 3
        return {"name": template.name, "category": str(template.category_id or ""), "level_th": template.level_th,
                "page_size": template.page_size, "orientation": template.orientation,
                "title_th": template.title_th, "issuer_th": template.issuer_th,
                "preamble_th": template.preamble_th, "reason_th": template.reason_th,
                "date_line_th": template.date_line_th, "given_on": template.given_on,
                "signatories": [{"name": s.get("name", ""), "position": s.get("position", "")}
                                for s in signatories[:3]]}

    def attached_images(self) -> bool:
        """True when a new image was chosen in any slot (the browser sends it once: a page shown again after
        a failed submit must say to choose it again)."""
        slots = [self.background, self.logo_1, self.logo_2, self.logo_3]
        slots += [entry.form.signature for entry in self.signatories.entries]
        return any(slot.data for slot in slots)

    def changes(self, category) -> TemplateChanges:
        """What was typed and attached, for template_ops.update_template (`category`: the one chosen,
        loaded within the fair)."""
        return TemplateChanges(
            name=self.name.data or "", page_size=self.page_size.data, orientation=self.orientation.data,
            title_th=self.title_th.data or "", issuer_th=self.issuer_th.data or "",
            preamble_th=self.preamble_th.data or "", reason_th=self.reason_th.data or "",
            date_line_th=self.date_line_th.data or "", given_on=self.given_on.data, category=category,
            level_th=self.level_th.data,
            background=ImageChange(self.background.data or None, bool(self.remove_background.data)),
            logos=[ImageChange(self[f"logo_{i}"].data or None, bool(self[f"remove_logo_{i}"].data))
                   for i in (1, 2, 3)],
            signatories=[SignatoryChange(entry.form.name.data or "", entry.form.position.data or "",
                                         ImageChange(entry.form.signature.data or None,
                                                     bool(entry.form.remove_signature.data)))
                         for entry in self.signatories.entries])

    def validate_date_line_th(self, field):
        if "[วันที่]" not in (field.data or ""):
            raise ValidationError(_l("บรรทัดวันที่ต้องมี [วันที่]"))

    def validate_signatories(self, field):
        named = [s for s in field.entries if (s.form.name.data or "").strip()]
        if not named:
            raise ValidationError(str(_l("กรุณาระบุผู้ลงนามอย่างน้อย 1 คน")))  # str: the template shows strings
        for entry in field.entries:
            if (entry.form.position.data or "").strip() and not (entry.form.name.data or "").strip():
                raise ValidationError(str(_l("ผู้ลงนามที่มีตำแหน่งต้องมีชื่อด้วย")))


class BatchForm(BaseForm):
    kind = SelectField(_l("ชุดเกียรติบัตร"), choices=choices([("awardee", _l("ผู้ได้รับรางวัล")),
                                                           ("exhibitor", _l("ผู้ออกบูธที่เช็กอินแล้ว")),
                                                           ("judge", _l("กรรมการที่ให้คะแนนแล้ว")),
                                                           ("participant", _l("ผู้เข้าร่วมงาน"))]))
    category = SelectField(_l("ประเภทรางวัล"), coerce=str, validate_choice=False)
    names = TextAreaField(_l("รายชื่อผู้เข้าร่วม บรรทัดละหนึ่งคน (ชื่อ-สกุล | หน่วยงาน)"), [optional(), length(50_000)])


class RevokeForm(BaseForm):
    """Two reasons: one from a short list that the public reads on /verify, and the staff's own words,
    kept as an internal note (staff pages and the audit log only)."""

    public_reason = ChosenRadioField(_l("เหตุผลที่แจ้งต่อสาธารณะ (แสดงในหน้าตรวจสอบ)"),
                                     choices=choices(PUBLIC_REASONS.items()),
                                     empty_message=_l("กรุณาเลือกเหตุผลที่จะแสดงต่อสาธารณะ"))
    reason = TextAreaField(_l("บันทึกภายใน (เห็นเฉพาะเจ้าหน้าที่)"),
                           [required(_l("กรุณาบันทึกเหตุผลที่เพิกถอนไว้สำหรับเจ้าหน้าที่")), length(1000)],
                           description=_l("ไม่แสดงต่อสาธารณะ เช่น รายละเอียดของความผิดพลาด ผู้แจ้ง"))


class ReissueForm(BaseForm):
    holder_name = StringField(_l("ชื่อผู้รับ (แก้ไขได้)"), [required(), length(300)])
    holder_org = StringField(_l("บรรทัดใต้ชื่อ (หน่วยงาน/ที่อยู่)"), [optional(), length(300)])
    reason = StringField(_l("เหตุผลที่ออกใหม่"), [required(_l("กรุณาระบุเหตุผลที่ออกใหม่")), length(1000)],
                         description=_l("บันทึกภายใน เช่น สะกดชื่อผิด หน้าตรวจสอบสาธารณะจะแสดงเพียงว่า "
                                        "มีการแก้ไขรายละเอียดและฉบับใหม่แทน"))


class PrintForm(BaseForm):
    confirm = BooleanField(_l("ยืนยันพิมพ์ซ้ำ"))


class CheckForm(BaseForm):
    serial = StringField(_l("เลขที่เกียรติบัตร"), [optional(), length(60)],
                         description=_l("เช่น MC68-7K2M-QX9D-R4TJ ตัวพิมพ์เล็กหรือไม่มีขีดก็ได้"))
    pdf = FileField(_l("หรือแนบไฟล์ PDF เกียรติบัตรเพื่อตรวจว่าตรงกับที่ออกจริง"))
