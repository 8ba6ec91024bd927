import pytest

from fairapp.core.forms import format_thai_phone, normalize_thai_phone


@pytest.mark.parametrize("raw,e164", [
    ("081 234 5678", "+66812345678"),
    ("0812345678", "+66812345678"),
    ("+66 81 234 5678", "+66812345678"),
    ("053-711-234", "+6653711234"),
    ("02 123 4567", "+6621234567"),
])
def test_thai_numbers_accepted(raw, e164):
    assert normalize_thai_phone(raw) == e164


@pytest.mark.parametrize("raw", ["+1 202 555 0143", "12345", "abc", "", "0812", "+44 20 7946 0958"])
def test_non_thai_numbers_refused(raw):
    assert normalize_thai_phone(raw) is None


def test_phone_shown_as_thais_write_it():
    assert format_thai_phone("+66812345678") == "081 234 5678"
    assert format_thai_phone(None) == ""


def _choice_form(app, lang, data):
    from werkzeug.datastructures import MultiDict
    from wtforms import RadioField, SelectField

    from fairapp.core.forms import BaseForm, choices

    class F(BaseForm):
        class Meta:
            csrf = False
        size = SelectField("ขนาด", choices=choices([("s", "S"), ("m", "M")]))
        side = RadioField("ด้าน", choices=choices([("l", "L"), ("r", "R")]))

    with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
        form = F(formdata=MultiDict(data))
        form.validate()
        return form.size.errors, form.side.errors


def test_a_choice_left_empty_says_choose_one_and_an_unknown_one_says_not_on_the_list(app):
    assert _choice_form(app, "th", {}) == (["กรุณาเลือกขนาด"], ["กรุณาเลือกด้าน"])
    assert _choice_form(app, "en", {"size": "", "side": ""}) == (["Please choose: ขนาด"], ["Please choose: ด้าน"])
    size, side = _choice_form(app, "th", {"size": "xl", "side": "up"})
    assert size == side == ["ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่"]
