"""The award category form (add and edit pages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from ..accounts.models import SECTOR_LABELS
from ..core.forms import BaseForm, CheckboxesField, choices, length, optional, required
from ..core.geo import province_choices
from ..core.thai import format_date
from . import operations as ops
from .models import SECTIONS, NominatorKind
from ..core.thai_dates import ThaiDateField

DATE_MSG = _l("กรุณาเลือกวันที่")
NOMINEE_KINDS = (("organization", _l("องค์กร")), ("community", _l("ชุมชน")))
NOMINATOR_KINDS = ((NominatorKind.self.value, _l("องค์กรเสนอตนเอง")),
                   (NominatorKind.office.value, _l("สำนักงานจังหวัดเป็นผู้เสนอ")),
                   (NominatorKind.both.value, _l("ได้ทั้งสองแบบ")))


def _count(label, least: int, most: int, description=None):
    return IntegerField(label, [InputRequired(_l("กรุณากรอกเป็นตัวเลข")),
                                NumberRange(min=least, max=most,
                                            message=_l("ใส่จำนวน %(min)d ถึง %(max)d", min=least, max=most))],
                        description=description)


def _date(label):
    return ThaiDateField(label, [InputRequired(DATE_MSG)])


class CategoryForm(BaseForm):
    name_th = StringField(_l("ชื่อประเภทรางวัล (ภาษาไทย)"), [required(), length(200)],
                          description=_l("เช่น องค์กรคุณธรรมต้นแบบ ภาครัฐ"))
    name_en = StringField(_l("ชื่อประเภทรางวัล (ภาษาอังกฤษ)"), [optional(), length(200)])
    description_th = TextAreaField(_l("รายละเอียดและเกณฑ์"), [optional(), length(5000)])
    nominee_kind = RadioField(_l("ผู้ที่ได้รับการเสนอชื่อเป็น"), choices=choices(NOMINEE_KINDS), default="organization")
    eligible_sectors = CheckboxesField(_l("ภาคีที่มีสิทธิ์"), choices=choices((s.value, label) for s, label in
                                                                            SECTOR_LABELS.items()),
                                       description=_l("ไม่เลือกเลย = ทุกภาคี"))
    eligible_provinces = SelectMultipleField(_l("จังหวัดที่มีสิทธิ์"),
                                             description=_l("เลือกได้หลายจังหวัด (กด Ctrl หรือแตะค้าง) "
                                                            "ไม่เลือกเลย = ทุกจังหวัด"))
    opens_on = _date(_l("เปิดรับการเสนอชื่อ"))
    closes_on = _date(_l("ปิดรับการเสนอชื่อ"))
    nominator_kind = RadioField(_l("ผู้ที่เสนอชื่อได้"), choices=choices(NOMINATOR_KINDS), default=NominatorKind.both.value)
    max_per_nominator = _count(_l("จำนวนการเสนอชื่อสูงสุดต่อผู้เสนอ"), 1, 100)
    sections = CheckboxesField(_l("หัวข้อเรื่องเล่าที่ต้องเขียน"), choices=choices(SECTIONS))
    narrative_max_chars = _count(_l("ความยาวสูงสุดของแต่ละหัวข้อ (ตัวอักษร)"), 200, 20000)
    min_photos = _count(_l("จำนวนรูปภาพขั้นต่ำ"), 0, 50)
    min_pdfs = _count(_l("จำนวนไฟล์ PDF ขั้นต่ำ"), 0, 20)
    max_files = _count(_l("จำนวนไฟล์สูงสุดต่อการเสนอชื่อ"), 1, 60)

    def __init__(self, *args, fair, locale: str = "th", **kwargs):
        super().__init__(*args, **kwargs)
        self.fair = fair
        self.locale = locale
        self.eligible_provinces.choices = choices(province_choices(locale))
        window = {"opens": format_date(fair.nomination_opens, "short", locale),
                  "closes": format_date(fair.nomination_closes, "short", locale)}
        self.opens_on.description = self.closes_on.description = _l(
            "ภายในช่วงรับการเสนอชื่อของงาน: %(opens)s ถึง %(closes)s", **window)

    def validate_sections(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกอย่างน้อยหนึ่งหัวข้อ"))

    def validate(self, extra_validators=None) -> bool:
        """The fields' shapes, then the category rules (asked of the operations, so every message shows
        at once; `create_category` / `update_category` enforce the same rules)."""
        ok = super().validate(extra_validators)
        values = {name: getattr(self, name).data for name in ("opens_on", "closes_on", "max_files", "min_photos",
                                                               "min_pdfs")}
        for problem in ops.category_problems(self.fair, values):
            field = getattr(self, problem.field)
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(str(problem))
            ok = False
        return ok

    @staticmethod
    def data_of(category) -> dict:
        """The form's data for an existing category (the edit page)."""
        data = ops.snapshot(category)
        data["name_en"] = data["name_en"] or ""
        return data

    def values(self) -> dict:
        """What the form says, as Category attributes (choices kept in their list order)."""
        sectors = set(self.eligible_sectors.data or [])
        sections = set(self.sections.data or [])
        return {
            "name_th": self.name_th.data.strip(), "name_en": (self.name_en.data or "").strip() or None,
            "description_th": (self.description_th.data or "").strip(), "nominee_kind": self.nominee_kind.data,
            "eligible_sectors": [c.value for c in self.eligible_sectors.choices if c.value in sectors],
            "eligible_provinces": sorted(set(self.eligible_provinces.data or [])),
            "opens_on": self.opens_on.data, "closes_on": self.closes_on.data,
            "nominator_kind": NominatorKind(self.nominator_kind.data),
            "max_per_nominator": self.max_per_nominator.data,
            "sections": [k for k, _ in SECTIONS if k in sections],
            "narrative_max_chars": self.narrative_max_chars.data, "min_photos": self.min_photos.data,
            "min_pdfs": self.min_pdfs.data, "max_files": self.max_files.data,
        }

