"""The chair's rubric form: criteria with weights and scales, award levels, tie-break rules.

Shape only (numbers, ranges, descriptors that read as "level: text"); `values()` hands the operation
(rubric_ops.save_rubric) plain values, and the operation holds the rules (weights sum to 100, scored
criteria keep their scale, nothing changes once finalized).
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FloatField, Form, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import BaseForm, choices

BLANK_ROWS = 2  # empty rows offered under the existing ones (no script needed to add more)
TIE_KINDS = (("", _l("— ไม่ใช้ —")), ("criterion", _l("คะแนนเกณฑ์ที่สูงกว่า")),
             ("judges_above", _l("จำนวนกรรมการที่ให้คะแนนรวมถึงเกณฑ์มากกว่า")),
             ("chair", _l("ประธานกรรมการตัดสิน (ระบุเหตุผล)")))
NUMBER = _l("กรุณากรอกเป็นตัวเลข")
_DESCRIPTOR = re.compile(r"^\s*(-?\d+)\s*[:=.\-–]\s*(.+?)\s*$")


def parse_descriptors(text: str) -> tuple[dict[str, str], list[str]]:
    """'5: ดีเยี่ยม' lines -> {"5": "ดีเยี่ยม"}; and the lines that did not read as 'level: text'."""
    found, bad = {}, []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _DESCRIPTOR.match(line)
        if match:
            found[str(int(match.group(1)))] = match.group(2)
        else:
            bad.append(line.strip())
    return found, bad


def descriptors_text(descriptors: dict | None) -> str:
    items = sorted((descriptors or {}).items(), key=lambda kv: -int(kv[0]))
    return "\n".join(f"{k}: {v}" for k, v in items)


class CriterionRow(Form):
    id = HiddenField()
    name_th = StringField(_l("ชื่อเกณฑ์"), [Optional(), Length(max=300, message=_l("ยาวเกิน 300 ตัวอักษร"))])
    weight = IntegerField(_l("น้ำหนัก (ร้อยละ)"), [Optional()])
    scale_min = IntegerField(_l("คะแนนต่ำสุด"), [Optional()])
    scale_max = IntegerField(_l("คะแนนสูงสุด"), [Optional()])
    descriptors = TextAreaField(_l("ความหมายของแต่ละระดับ"),
                                description=_l("บรรทัดละหนึ่งระดับ เช่น 5: ทำครบทุกขั้นตอนและมีหลักฐาน"))


class LevelRow(Form):
    min_score = FloatField(_l("คะแนนขั้นต่ำ"), [Optional()])
    name_th = StringField(_l("ชื่อระดับรางวัล"), [Optional(), Length(max=120, message=_l("ยาวเกิน 120 ตัวอักษร"))])


class TieRow(Form):
    kind = SelectField(_l("กฎ"), choices=choices(TIE_KINDS), default="")
    criterion = SelectField(_l("เกณฑ์ข้อที่"), choices=[], validate_choice=False)
    threshold = FloatField(_l("คะแนนรวมตั้งแต่"), [Optional()])
    chair_order = StringField(_l("ลำดับที่ประธานกำหนด (เลขที่การเสนอชื่อ คั่นด้วยจุลภาค)"), [Optional()])
    chair_reason = TextAreaField(_l("เหตุผลของประธาน"), [Optional()])


class RubricForm(BaseForm):
    judges_per_nomination = IntegerField(_l("จำนวนกรรมการต่อการเสนอชื่อ"), [
        InputRequired(NUMBER), NumberRange(min=1, max=20, message=_l("ใส่จำนวน %(min)d ถึง %(max)d"))])
    ranking = SelectField(_l("จัดอันดับด้วย"), choices=choices((
        ("raw", _l("ค่าเฉลี่ยคะแนนดิบ")), ("z", _l("ค่าเฉลี่ยที่ปรับมาตรฐาน (z-score)")))))
    criteria = FieldList(FormField(CriterionRow), min_entries=1)
    levels = FieldList(FormField(LevelRow), min_entries=1)
    tie_rules = FieldList(FormField(TieRow), min_entries=1)

    def __init__(self, *args, nomination_ids: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.nomination_ids = nomination_ids or set()
        numbers = [(str(i + 1), str(i + 1)) for i in range(len(self.criteria.entries))]
        for row in self.tie_rules:
            row.criterion.choices = choices(numbers, placeholder="—")

    # ---- what the rows mean, once validated ----

    def criterion_rows(self) -> list:
        return [row for row in self.criteria if (row.name_th.data or "").strip()]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        rows = self.criterion_rows()
        if not rows:
            self.form_errors.append(str(_l("กรุณาใส่เกณฑ์อย่างน้อยหนึ่งข้อ")))
            return False
        for row in rows:
            if row.weight.data is None:
                row.weight.errors.append(str(_l("กรุณาใส่น้ำหนัก")))
                ok = False
            elif not 1 <= row.weight.data <= 100:
                row.weight.errors.append(str(_l("น้ำหนักต้องอยู่ระหว่าง 1 ถึง 100")))
                ok = False
            if row.scale_min.data is None or row.scale_max.data is None:
                row.scale_max.errors.append(str(_l("กรุณาใส่คะแนนต่ำสุดและสูงสุด")))
                ok = False
            elif row.scale_max.data <= row.scale_min.data:
                row.scale_max.errors.append(str(_l("คะแนนสูงสุดต้องมากกว่าคะแนนต่ำสุด")))
                ok = False
            else:
                found, bad = parse_descriptors(row.descriptors.data)
                outside = [k for k in found if not row.scale_min.data <= int(k) <= row.scale_max.data]
                if bad or outside:
                    row.descriptors.errors.append(str(_l(
                        "เขียนบรรทัดละหนึ่งระดับ เป็น \"คะแนน: ความหมาย\" และคะแนนต้องอยู่ในช่วงของเกณฑ์")))
                    ok = False
        for row in self.levels:
            named = bool((row.name_th.data or "").strip())
            if named != (row.min_score.data is not None):
                row.name_th.errors.append(str(_l("ระดับรางวัลต้องมีทั้งคะแนนขั้นต่ำและชื่อ")))
                ok = False
            elif named and not 0 <= row.min_score.data <= 100:
                row.min_score.errors.append(str(_l("คะแนนขั้นต่ำต้องอยู่ระหว่าง 0 ถึง 100")))
                ok = False
        named_numbers = {str(i + 1) for i, row in enumerate(self.criteria)
                         if (row.name_th.data or "").strip()}
        for row in self.tie_rules:
            kind = row.kind.data
            if kind == "criterion" and row.criterion.data not in named_numbers:
                row.criterion.errors.append(str(_l("กรุณาเลือกเกณฑ์ที่มีอยู่")))
                ok = False
            elif kind == "judges_above" and (row.threshold.data is None or not 0 <= row.threshold.data <= 100):
                row.threshold.errors.append(str(_l("กรุณาใส่คะแนนรวม 0 ถึง 100")))
                ok = False
            elif kind == "chair":
                if not (row.chair_reason.data or "").strip():
                    row.chair_reason.errors.append(str(_l("การตัดสินของประธานต้องมีเหตุผล")))
                    ok = False
                order = self.chair_order(row)
                if order is None:
                    row.chair_order.errors.append(str(_l(
                        "ใส่เลขที่การเสนอชื่อในประเภทนี้ คั่นด้วยจุลภาค ตามลำดับที่ประธานกำหนด")))
                    ok = False
        return ok

    def values(self) -> dict:
        """What validated, as plain values for rubric_ops.save_rubric (blank rows left out; a tie rule's
        criterion is the index of its row among the kept criteria)."""
        criteria, index = [], {}
        for i, row in enumerate(self.criteria):
            if not (row.name_th.data or "").strip():
                continue
            index[str(i + 1)] = len(criteria)
            criteria.append({"id": int(row.form.id.data) if (row.form.id.data or "").isdigit() else None,
                             "name_th": row.name_th.data.strip(), "weight": row.weight.data,
                             "scale_min": row.scale_min.data, "scale_max": row.scale_max.data,
                             "descriptors": parse_descriptors(row.descriptors.data)[0]})
        levels = [{"min_score": row.min_score.data, "name_th": row.name_th.data.strip()}
                  for row in self.levels if (row.name_th.data or "").strip()]
        rules = []
        for row in self.tie_rules:
            kind = row.kind.data
            if kind == "criterion":
                rules.append({"kind": kind, "criterion": index[row.criterion.data]})
            elif kind == "judges_above":
                rules.append({"kind": kind, "threshold": row.threshold.data})
            elif kind == "chair":
                rules.append({"kind": kind, "chair_order": self.chair_order(row),
                              "chair_reason": row.chair_reason.data.strip()})
        return {"judges_per_nomination": self.judges_per_nomination.data, "ranking": self.ranking.data,
                "criteria": criteria, "levels": levels, "tie_rules": rules}

    def chair_order(self, row) -> list[int] | None:
        """The nomination ids the chair put in order; None when they are not this category's."""
        parts = [p for p in re.split(r"[,\s]+", row.chair_order.data or "") if p]
        if not parts or not all(p.isdigit() for p in parts):
            return None
        ids = [int(p) for p in parts]
        if len(set(ids)) != len(ids) or not set(ids) <= self.nomination_ids:
            return None
        return ids


def rubric_form_data(rubric) -> dict:
    """The form's data for a rubric (or the defaults for a new one), with blank rows to add more."""
    if rubric is None:
        return {"judges_per_nomination": 3, "ranking": "raw",
                "criteria": [{"scale_min": 1, "scale_max": 5}] * (BLANK_ROWS + 1),
                "levels": [{}] * (BLANK_ROWS + 1), "tie_rules": [{}] * (BLANK_ROWS + 1)}
    numbers = {c.id: str(i + 1) for i, c in enumerate(rubric.criteria)}
    criteria = [{"id": str(c.id), "name_th": c.name_th, "weight": c.weight, "scale_min": c.scale_min,
                 "scale_max": c.scale_max, "descriptors": descriptors_text(c.descriptors)} for c in rubric.criteria]
    rules = []
    for r in rubric.tie_rules:
        order = sorted((r.chair_order or {}).items(), key=lambda kv: kv[1])
        rules.append({"kind": r.kind, "criterion": numbers.get(r.criterion_id, ""), "threshold": r.threshold,
                      "chair_order": ", ".join(k for k, _v in order), "chair_reason": r.chair_reason or ""})
    return {"judges_per_nomination": rubric.judges_per_nomination, "ranking": rubric.ranking,
            "criteria": criteria + [{}] * BLANK_ROWS,
            "levels": [{"min_score": lv.min_score, "name_th": lv.name_th} for lv in rubric.levels] + [{}] * BLANK_ROWS,
            "tie_rules": rules + [{}] * BLANK_ROWS}
