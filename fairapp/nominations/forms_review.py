"""The eligibility decision on a nomination (the staff's review page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from ..core.forms import BaseForm, length, optional
from .operations import DECISIONS


class DecisionForm(BaseForm):
    """Eligible, ineligible (reason required) or returned for correction (comment required): the button
    pressed (`action`) says which; the operation says whether a comment is needed."""

    action = StringField()
    comment = TextAreaField(_l("เหตุผลหรือสิ่งที่ต้องแก้ไข (ผู้เสนอชื่อจะเห็นข้อความนี้)"),
                            [optional(), length(2000)],
                            description=_l("จำเป็นเมื่อไม่ผ่านหรือส่งกลับให้แก้ไข"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data not in DECISIONS:  # no button pressed: said above the form, not on a field
            self.form_errors.append(_l("กรุณาเลือกผลการตรวจคุณสมบัติ"))
            ok = False
        return ok
