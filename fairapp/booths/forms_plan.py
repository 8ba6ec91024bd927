"""The floor-plan editor's forms, one per action. The booth travels in a hidden field; the booths and
applications a form names are looked up in the form's fair (`form.chosen`), so a view gets objects, and a
booth of another fair is as good as none."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, StopValidation
from wtforms.widgets import HiddenInput

from ..core.forms import BaseForm, length, optional, required
from . import plan_ops
from .access import get_in
from ..core.forms import ChosenSelectField
from .forms import booth_type_field
from .models import Application, Booth, BoothType


class PlanForm(BaseForm):
    """A form of the plan page: it knows its fair, and what it chose there."""

    def __init__(self, *args, fair=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fair = fair
        self.chosen: dict[str, object] = {}

    def choose(self, name: str, model, message, field: str | None = None) -> bool:
        """Look up the id in `name` among the fair's `model`s; say `message` (on `field`, or above the
        form) when it names none."""
        self.chosen[name] = get_in(model, self[name].data, self.fair)
        if self.chosen[name] is None:
            (self[field].errors if field else self.form_errors).append(str(message))
            return False
        return True


class BoothRefForm(PlanForm):
    booth = IntegerField(widget=HiddenInput(), validators=[optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.choose("booth", Booth, _l("กรุณาคลิกเลือกบูธบนผังก่อน")) and ok


class AssignForm(BoothRefForm):
    application = IntegerField(_l("ใบสมัครที่อนุมัติแล้ว รอจัดสรรบูธ"), [optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.choose("application", Application, _l("กรุณาเลือกใบสมัคร"), "application") and ok


class SwapForm(BoothRefForm):
    other = IntegerField(_l("ย้ายไปหรือสลับกับบูธ"), [optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.choose("other", Booth, _l("กรุณาเลือกบูธปลายทาง"), "other") and ok


class BlockForm(BoothRefForm):
    blocked = StringField()  # "1" close the booth, "0" open it: the value of the button pressed

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.blocked.data not in ("0", "1"):
            self.form_errors.append(str(_l("กรุณากดปุ่มปิดบูธหรือเปิดบูธ")))
            return False
        return ok


def _whole(low: int, message):
    return [InputRequired(message=_l("กรุณากรอกช่องนี้")), NumberRange(min=low, message=message)]


class BoothFields(PlanForm):
    code = StringField(_l("รหัสบูธ"), [required(), length(plan_ops.CODE_MAX)],
                       description=_l("อักษรภาษาอังกฤษตามด้วยตัวเลข เช่น A07"))
    zone = StringField(_l("โซน"), [optional(), length(40)])
    booth_type = booth_type_field(ChosenSelectField, _l("ประเภทบูธ"))
    x = IntegerField(_l("ช่องที่ (แนวนอน x)"), _whole(0, _l("ใส่ตัวเลขตั้งแต่ 0 ขึ้นไป")))
    y = IntegerField(_l("แถวที่ (แนวตั้ง y)"), _whole(0, _l("ใส่ตัวเลขตั้งแต่ 0 ขึ้นไป")))
    w = IntegerField(_l("กว้าง (ช่อง)"), _whole(1, _l("ใส่ตัวเลขตั้งแต่ 1 ขึ้นไป")))
    h = IntegerField(_l("ลึก (ช่อง)"), _whole(1, _l("ใส่ตัวเลขตั้งแต่ 1 ขึ้นไป")))

    def set_types(self, types: list[BoothType], lang: str) -> None:
        self.booth_type.choices = [(t.id, f"{t.name(lang)} · {t.size_text}") for t in types]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok:  # the choice was one of the fair's types: the object, for the operation
            self.chosen["booth_type"] = get_in(BoothType, self.booth_type.data, self.fair)
        return ok

    def place(self) -> dict:
        return {"x": self.x.data, "y": self.y.data, "w": self.w.data, "h": self.h.data}


class AddBoothForm(BoothFields):
    pass


class EditBoothForm(BoothFields, BoothRefForm):
    pass


class GridForm(PlanForm):
    _range = _l("ใส่ตัวเลข 2 ถึง 200")
    cols = IntegerField(_l("ความกว้างของผัง (ช่อง)"), _whole(plan_ops.GRID_MIN, _range)
                        + [NumberRange(max=plan_ops.GRID_MAX, message=_range)])
    rows = IntegerField(_l("ความลึกของผัง (ช่อง)"), _whole(plan_ops.GRID_MIN, _range)
                        + [NumberRange(max=plan_ops.GRID_MAX, message=_range)])


class ImageForm(PlanForm):
    image = FileField(_l("รูปผังสถานที่ (JPEG, PNG หรือ WebP ไม่เกิน 8 MB)"))

    def validate_image(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise StopValidation(str(_l("กรุณาเลือกไฟล์รูปผัง")))


FORMS = {"assign": AssignForm, "unassign": BoothRefForm, "swap": SwapForm, "block": BlockForm,
         "edit": EditBoothForm, "delete": BoothRefForm, "add": AddBoothForm, "grid": GridForm, "image": ImageForm,
         "remove_image": PlanForm}
