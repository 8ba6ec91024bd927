"""The judges' forms: the plain (no JavaScript) scoring form and the conflict declaration."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ..core.forms import BaseForm, length, required
from ..core.text import CONTROL_MESSAGE, is_clean
from .rules import ScoreOutOfScale

COMMENT_MAX = 2000


class ScoresForm(BaseForm):
    """The plain scoring form: its criteria are read from request.form by name (score-<criterion id>,
    comment-<criterion id>); the form itself checks the CSRF token."""

    @staticmethod
    def sheet(criteria) -> tuple[dict[int, dict], dict[int, str]]:
        """What was sent per criterion ({value, comment}; value None when not scored), and the criteria
        whose value is not a whole number (with the message)."""
        values, unreadable = {}, {}
        for c in criteria:
            raw = (request.form.get(f"score-{c.id}") or "").strip()
            comment = (request.form.get(f"comment-{c.id}") or "")[:COMMENT_MAX]
            value = None
            if not is_clean(comment, multiline=True):
                unreadable[c.id] = str(CONTROL_MESSAGE)
            elif raw:
                if raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 10:
                    value = int(raw)
                else:
                    unreadable[c.id] = str(ScoreOutOfScale(min=c.scale_min, max=c.scale_max))
            values[c.id] = {"value": value, "comment": comment}
        return values, unreadable


class ConflictForm(BaseForm):
    reason = TextAreaField(_l("เหตุผลที่มีส่วนได้เสีย"), [required(_l("กรุณาระบุเหตุผล")), length(1000)],
                           description=_l("เช่น เคยเป็นที่ปรึกษาขององค์กรนี้ หรือสังกัดเดียวกับผู้ถูกเสนอชื่อ"))
