"""Sign-up, login, password and invitation forms (shape only; the rules live in operations)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import EqualTo, ValidationError

from ..core.forms import (PASSWORD_HINT, BaseForm, EmailAddress, StrongPassword, ThaiPhone, ThaiPhoneField,
                          ThaiTaxId, choices, length, optional, required)
from ..core.geo import district_choices, district_in_province, province_choices
from ..privacy.sensitive import CONSENT_LABEL
from .models import SECTOR_LABELS, Sector


def _new_password(label) -> PasswordField:
    return PasswordField(label, [required(_l("กรุณาตั้งรหัสผ่าน")), StrongPassword()],
                         description=PASSWORD_HINT, render_kw={"autocomplete": "new-password"})


def _password_again(label) -> PasswordField:
    return PasswordField(label, [required(_l("กรุณากรอกรหัสผ่านอีกครั้ง")),
                                 EqualTo("password", message=_l("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))],
                         render_kw={"autocomplete": "new-password"})


class OrgFields:
    """The organization's fields (declared first, so they come first on the page and in the error summary)."""

    org_name_th = StringField(_l("ชื่อองค์กร/ชุมชน (ภาษาไทย)"),
                              [required(_l("กรุณากรอกชื่อองค์กรเป็นภาษาไทย")), length(200)])
    org_name_en = StringField(_l("ชื่อองค์กร (ภาษาอังกฤษ)"), [optional(), length(200)],
                              description=_l("ไม่บังคับ"))
    sector = SelectField(_l("ภาคี"), validate_choice=True)
    province = SelectField(_l("จังหวัด"), validate_choice=True)
    district = SelectField(_l("อำเภอ/เขต"), validate_choice=False)
    tax_id = StringField(_l("เลขประจำตัวผู้เสียภาษี/นิติบุคคล 13 หลัก"), [optional(), ThaiTaxId()],
                         description=_l("ไม่บังคับ สำหรับหน่วยงานที่มีเลขนี้"),
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})


class PersonFields:
    """The person's fields, shared by sign-up and joining by invitation."""

    title = StringField(_l("คำนำหน้า"), [required(_l("กรุณากรอกคำนำหน้า เช่น นาย นาง นางสาว ดร. พระ")), length(60)],
                        description=_l("เลือกจากรายการหรือพิมพ์เอง เช่น พระครูสุธรรมโสภิต"))
    religion_consent = BooleanField(CONSENT_LABEL)  # PDPA s.26: only for a monastic title (privacy.sensitive)
    first_name = StringField(_l("ชื่อ"), [required(_l("กรุณากรอกชื่อ")), length(100)])
    last_name = StringField(_l("นามสกุล"), [optional(), length(100)],
                            description=_l("พระภิกษุสงฆ์เว้นว่างได้"))
    # Stored in E.164; shown (also after an error elsewhere) the way Thais write it: 053 723 979.
    phone = ThaiPhoneField(_l("เบอร์โทรศัพท์"), [required(_l("กรุณากรอกเบอร์โทรศัพท์")), ThaiPhone()],
                           render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = EmailField(_l("อีเมล"), [required(_l("กรุณากรอกอีเมล")), length(254), EmailAddress()],
                       render_kw={"autocomplete": "email"})
    password = _new_password(_l("รหัสผ่าน"))
    password2 = _password_again(_l("ยืนยันรหัสผ่าน"))


class OrganizationForm(OrgFields, BaseForm):
    """An organization to register, by a new person (sign-up) or a signed-in one with none yet (/orgs/new)."""

    # When the organization is already registered: the one to ask to join (the button pressed carries its
    # id) and a few words to its managers.
    join_org = IntegerField(validators=[optional()])
    join_message = TextAreaField(_l("ข้อความถึงผู้ดูแลองค์กร"), [optional(), length(500)],
                                 description=_l("ไม่บังคับ เช่น ตำแหน่งหรือหน่วยงานของคุณ เพื่อให้ผู้ดูแลรู้จัก"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale() or "th")
        self.sector.choices = choices([(s.value, label) for s, label in SECTOR_LABELS.items()],
                                      _l("— เลือกภาคี —"))
        self.province.choices = choices(province_choices(locale), _l("— เลือกจังหวัด —"))
        self.district.choices = choices(district_choices(self.province.data, locale) if self.province.data else [],
                                        _l("— เลือกอำเภอ/เขต —"))

    def validate_sector(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกภาคี"))

    def validate_province(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกจังหวัด"))

    def validate_district(self, field):
        if not field.data:
            raise ValidationError(_l("กรุณาเลือกอำเภอ/เขต"))
        if self.province.data and not district_in_province(field.data, self.province.data):
            raise ValidationError(_l("อำเภอ/เขตนี้ไม่อยู่ในจังหวัดที่เลือก กรุณาเลือกใหม่"))

    def organization(self) -> dict:
        """The organization's fields as the operations take them."""
        return {"name_th": self.org_name_th.data.strip(), "name_en": (self.org_name_en.data or "").strip() or None,
                "sector": Sector(self.sector.data), "province_code": self.province.data,
                "district_code": self.district.data, "tax_id": self.tax_id.data or None}


class SignupForm(PersonFields, OrganizationForm):
    # The fair's core work rests on a public task (PDPA s.24(4)), not consent: the person acknowledges the
    # notice at collection above (privacy.notices), which the account records (privacy_notice_receipts).
    accept = BooleanField(_l("ข้าพเจ้าได้อ่านข้อมูลส่วนบุคคลในแบบฟอร์มนี้และประกาศความเป็นส่วนตัวแล้ว"),
                          [required(_l("กรุณายืนยันว่าได้อ่านประกาศความเป็นส่วนตัวก่อนลงทะเบียน"))])


class JoinForm(PersonFields, BaseForm):
    """Sign-up through an invitation: the person only; the email is the invited one."""


class LoginForm(BaseForm):
    email = EmailField(_l("อีเมล"), [required(_l("กรุณากรอกอีเมล")), length(254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("รหัสผ่าน"), [required(_l("กรุณากรอกรหัสผ่าน"))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("จดจำการเข้าสู่ระบบบนเครื่องนี้"))


class ForgotForm(BaseForm):
    email = EmailField(_l("อีเมล"), [required(_l("กรุณากรอกอีเมล")), length(254), EmailAddress()],
                       render_kw={"autocomplete": "email"})


class ResetForm(BaseForm):
    password = _new_password(_l("รหัสผ่านใหม่"))
    password2 = _password_again(_l("ยืนยันรหัสผ่านใหม่"))


class InviteForm(BaseForm):
    email = EmailField(_l("อีเมลของผู้ที่จะเชิญ"), [required(_l("กรุณากรอกอีเมล")), length(254), EmailAddress()])


class ActionForm(BaseForm):
    """An empty form: a button that posts with a CSRF token (log out, cancel, accept)."""
