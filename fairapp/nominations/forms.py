"""Nominators' forms: whom to nominate, and the narratives."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..core.forms import BaseForm, choices, length, optional
from ..core.geo import district_choices, province_choices
from .models import SECTION_LABELS


class NomineeForm(BaseForm):
    """Step one: the nominee is our own organization, another organization in the system, or a community."""

    nominee = RadioField(_l("ผู้ถูกเสนอชื่อ"), choices=choices([("self", _l("องค์กรของเราเอง")),
                                                                  ("org", _l("องค์กรอื่นที่ลงทะเบียนในระบบแล้ว")),
                                                                  ("community", _l("ชุมชนที่ยังไม่ได้ลงทะเบียน"))]),
                         default="self")
    org_id = SelectField(_l("องค์กรที่เสนอชื่อ"), coerce=str, validate_choice=False)
    community_name = StringField(_l("ชื่อชุมชน"), [optional(), length(200)])
    community_village = StringField(_l("หมู่บ้าน"), [optional(), length(200)])
    community_subdistrict = StringField(_l("ตำบล/แขวง"), [optional(), length(100)])
    province = SelectField(_l("จังหวัด"), validate_choice=False)
    district = SelectField(_l("อำเภอ/เขต"), validate_choice=False)

    def __init__(self, *args, orgs=(), locale="th", **kwargs):
        super().__init__(*args, **kwargs)
        self.org_id.choices = choices([(str(o.id), o.name(locale)) for o in orgs], _l("— เลือกองค์กร —"))
        self.province.choices = choices(province_choices(locale), _l("— เลือกจังหวัด —"))
        self.district.choices = choices(district_choices(self.province.data, locale) if self.province.data else [],
                                        _l("— เลือกอำเภอ/เขต —"))

    def validate_org_id(self, field):
        if self.nominee.data == "org" and not field.data:
            raise ValidationError(_l("กรุณาเลือกองค์กร"))

    def validate_community_name(self, field):
        if self.nominee.data == "community" and not (field.data or "").strip():
            raise ValidationError(_l("กรุณากรอกชื่อชุมชน"))

    def validate_province(self, field):
        if self.nominee.data == "community" and not field.data:
            raise ValidationError(_l("กรุณาเลือกจังหวัด"))


def narrative_form(category, formdata=None, data=None):
    """A form with one text area per section the category asks for, each within its length limit."""

    class NarrativeForm(BaseForm):
        pass

    for key in category.sections:
        setattr(NarrativeForm, f"s_{key}", TextAreaField(
            SECTION_LABELS.get(key, key), [optional(), length(category.narrative_max_chars)],
            render_kw={"maxlength": category.narrative_max_chars, "rows": 6, "data-section": key}))
    form = NarrativeForm(formdata=formdata, data={f"s_{k}": v for k, v in (data or {}).items()})
    return form


def narratives_from(form, category) -> dict:
    return {key: (getattr(form, f"s_{key}").data or "") for key in category.sections}
