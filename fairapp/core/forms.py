"""Form basics: a base form whose CSRF failure keeps the typed values, and Thai-aware validators.

Views that validate a BaseForm are exempt from the global CSRF check (`form_csrf`), because the
form checks the token itself: a stale or missing token then re-renders the form with what was
typed and a clear message, instead of an error page that loses it.
"""
from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum.th import tin as th_tin
from wtforms import RadioField, SelectField, SelectMultipleField, TelField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import csrf
from .text import CONTROL_MESSAGE, is_clean

CSRF_MESSAGE = _l("แบบฟอร์มหมดอายุหรือไม่ได้ส่งรหัสความปลอดภัยมา ข้อมูลที่กรอกยังอยู่ "
                  "กรุณาตรวจสอบแล้วกดส่งอีกครั้ง")


def form_csrf(view):
    """Mark a view whose BaseForm checks the CSRF token itself (and keeps the input on failure)."""
    return csrf.exempt(view)


# WTForms' own messages have no Thai catalog: map the ones our fields can raise to our strings
# (Thai msgids, translated to English by our catalog); anything else gets a generic sentence.
_WTFORMS_MESSAGES = {
    "This field is required.": _l("กรุณากรอกช่องนี้"),
    "Not a valid choice.": _l("ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่"),
    "Invalid Choice: could not coerce.": _l("ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่"),
    "Not a valid date value.": _l("วันที่ไม่ถูกต้อง กรุณาเลือกวันที่จากปฏิทิน"),
    "Not a valid datetime value.": _l("วันและเวลาไม่ถูกต้อง"),
    "Not a valid time value.": _l("เวลาไม่ถูกต้อง"),
    "Not a valid integer value.": _l("กรุณากรอกเป็นตัวเลข"),
    "Not a valid decimal value.": _l("กรุณากรอกเป็นตัวเลข"),
    "Not a valid float value.": _l("กรุณากรอกเป็นตัวเลข"),
}
_GENERIC = _l("ข้อมูลในช่องนี้ไม่ถูกต้อง กรุณาตรวจสอบอีกครั้ง")


class _Messages:
    """WTForms' translations hook, answering in the page's language."""

    def gettext(self, string):
        return str(_WTFORMS_MESSAGES.get(string, _GENERIC))

    def ngettext(self, singular, plural, n):
        return str(_WTFORMS_MESSAGES.get(singular, _GENERIC))


class BaseForm(FlaskForm):
    """FlaskForm whose CSRF error is a translated, actionable message shown above the form."""

    class Meta:
        def get_translations(self, form):
            return _Messages()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = _refuse_control_characters(self) and ok
        self._say_what_to_choose()
        if "csrf_token" in self.errors:
            self.csrf_token.errors = [str(CSRF_MESSAGE)]
            self.form_errors.append(str(CSRF_MESSAGE))
        return ok


    def _say_what_to_choose(self) -> None:
        """WTForms says "not a valid choice" also when nothing was chosen: say "please choose …" then."""
        not_valid = {str(_WTFORMS_MESSAGES["Not a valid choice."]),
                     str(_WTFORMS_MESSAGES["Invalid Choice: could not coerce."])}
        for field in self:
            if getattr(field, "choices", None) is None or not field.errors:
                continue
            if not any(str(v).strip() for v in (field.raw_data or [])):
                field.errors = [str(_l("กรุณาเลือก%(label)s", label=field.label.text)) if e in not_valid else e
                                for e in field.errors]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (the template draws each one with its label: _forms.html's choice_group)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def confirmed(count: int | None = None) -> bool:
    """The person confirmed on the confirmation page (its "confirmed" field) and, with `count`, for exactly
    the number it showed (its "expected" field): a list that changed since is asked about again."""
    return request.form.get("confirmed") == "1" and (count is None or request.form.get("expected") == str(count))


def choices(pairs, placeholder=None) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs, with an optional empty first option; a Thai label
    (an organization's name) on a page in another language is marked lang="th" (WCAG 3.1.2)."""
    from .templating import thai_attr

    items = [SelectChoice("", placeholder)] if placeholder is not None else []
    return items + [SelectChoice(value, label, {"lang": "th"} if thai_attr(label) else {}) for value, label in pairs]


def required(message=None):
    """DataRequired with a Thai/English message."""
    return DataRequired(message=message or _l("กรุณากรอกช่องนี้"))


def length(max: int, min: int = -1):
    """Length with a message that names the limit."""
    if min > 0:
        return Length(min=min, max=max,
                      message=_l("ความยาวต้องอยู่ระหว่าง %(min)d ถึง %(max)d ตัวอักษร", min=min, max=max))
    return Length(max=max, message=_l("ยาวได้ไม่เกิน %(max)d ตัวอักษร", max=max))


optional = Optional


class EmailAddress:
    """A syntactically valid email address (no DNS lookup); normalizes the field's data."""

    def __call__(self, form, field):
        try:
            result = validate_email((field.data or "").strip(), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("อีเมลนี้ไม่ถูกต้อง ตัวอย่าง: somchai@example.go.th"))
        field.data = result.normalized.lower()


def normalize_thai_phone(raw: str) -> str | None:
    """The number in E.164 (+66...) when it is a valid Thai number, else None."""
    try:
        number = phonenumbers.parse(raw, "TH")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "TH":
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_thai_phone(e164: str | None) -> str:
    """A stored +66 number shown the way Thais write it (081 234 5678)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "TH")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class ThaiPhone:
    """A Thai phone number (mobile or landline); the field's data becomes E.164."""

    def __call__(self, form, field):
        value = normalize_thai_phone((field.data or "").strip())
        if value is None:
            raise ValidationError(_l("เบอร์โทรศัพท์นี้ไม่ใช่เบอร์ในประเทศไทย ตัวอย่าง: 081 234 5678 หรือ 053 711 234"))
        field.data = value


class ThaiPhoneField(TelField):
    """A phone field that stores E.164 (with ThaiPhone) and always shows Thai national format.

    A form re-rendered after an error elsewhere shows "053 723 979", never "+6653723979"; a number that
    did not validate is shown exactly as typed.
    """

    def _value(self) -> str:
        if self.errors and self.raw_data:
            return self.raw_data[0]
        return format_thai_phone(self.data) if self.data else ""


class ThaiTaxId:
    """A 13-digit Thai juristic/tax ID with a correct check digit; dashes and spaces allowed."""

    def __call__(self, form, field):
        digits = re.sub(r"[\s-]", "", field.data or "")
        if not digits:
            field.data = None
            return
        if not re.fullmatch(r"[0-9]{13}", digits):
            raise ValidationError(_l("เลขประจำตัวผู้เสียภาษี/นิติบุคคลต้องเป็นตัวเลข 13 หลัก"))
        if not th_tin.is_valid(digits):
            raise ValidationError(_l("เลขประจำตัว 13 หลักนี้ไม่ถูกต้อง (หลักตรวจสอบไม่ตรง) กรุณาตรวจสอบอีกครั้ง"))
        field.data = digits


PASSWORD_MIN_LENGTH = 10
PASSWORD_HINT = _l("อย่างน้อย %(n)d ตัวอักษร ใช้วลีที่จำง่ายแต่เดายาก", n=PASSWORD_MIN_LENGTH)

COMMON_PASSWORDS = frozenset("""
password password1 password123 passw0rd 12345678 123456789 1234567890 qwerty123 qwertyuiop
11111111 00000000 12341234 abcd1234 1q2w3e4r 1qaz2wsx iloveyou admin123 welcome1 letmein1
sunshine football baseball superman princess asdfghjkl zxcvbnm123 88888888 99999999 thailand
bangkok1 kanchana 123qweasd qwer1234 asdf1234 computer internet changeme fairapp123 moral1234
""".split())


class StrongPassword:
    """At least 10 characters, not a common password, not the email, not one repeated character.

    The email comes from the form's email field, or `form.known_email` when the form has none.
    """

    def __init__(self, email_field: str = "email"):
        self.email_field = email_field

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) < PASSWORD_MIN_LENGTH:
            raise ValidationError(_l("รหัสผ่านต้องยาวอย่างน้อย %(n)d ตัวอักษร", n=PASSWORD_MIN_LENGTH))
        lowered = value.lower()
        email_field = getattr(form, self.email_field, None)
        email = getattr(form, "known_email", None) or (email_field.data if email_field else "")
        local = (email or "").split("@")[0].lower()
        if (lowered in COMMON_PASSWORDS or len(set(value)) < 4
                or (len(local) >= 4 and local in lowered)):
            raise ValidationError(_l("รหัสผ่านนี้เดาง่ายเกินไป กรุณาใช้วลีที่ยาวขึ้นหรือผสมคำที่ไม่เกี่ยวกับชื่อและอีเมล"))


# ---- plain text and choices that say what is wrong ----

def _text_fields(form):
    for field in form:
        if hasattr(field, "entries"):  # FieldList
            for entry in field.entries:
                yield from (_text_fields(entry.form) if hasattr(entry, "form") else [entry])
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
            yield from _text_fields(field.form)
        else:
            yield field


def _refuse_control_characters(form) -> bool:
    """Every text a form takes, in one place: no control or bidi-override characters, and no line break
    in a one-line field (an organization's name with CR/LF would break a mail header). Said on the field;
    what was typed stays. True when none was found."""
    ok = True
    for field in _text_fields(form):
        if not isinstance(field.data, str) or field.type in ("CSRFTokenField", "PasswordField"):
            continue
        if not is_clean(field.data, multiline=field.type in ("TextAreaField", "HiddenField")):
            field.errors = list(field.errors or []) + [str(CONTROL_MESSAGE)]
            ok = False
    return ok


class _Chosen:
    """A choice field that says what is wrong: nothing chosen, or a value that is not on offer.

    WTForms says "Not a valid choice" (or "could not coerce") for both, and the first when nothing was
    chosen at all; a person reads neither as "please choose one".
    """

    def __init__(self, *args, empty_message=None, unknown_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_message = empty_message or _l("กรุณาเลือกหนึ่งข้อ")
        self.unknown_message = unknown_message or _l("ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None  # not a value of this field at all: pre_validate says it is not on offer

    def pre_validate(self, form):
        raw = self.raw_data[0] if self.raw_data else ""
        if not str(raw).strip():
            raise StopValidation(str(self.empty_message))
        if self.data not in {value for value, *_ in self.iter_choices()} - {""}:
            raise StopValidation(str(self.unknown_message))


class ChosenRadioField(_Chosen, RadioField):
    pass


class ChosenSelectField(_Chosen, SelectField):
    pass
