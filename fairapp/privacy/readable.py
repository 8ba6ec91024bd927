"""A person's data (my_data.collect) as a readable PDF, in their language with Thai shaped right (core.pdf):
each section a heading, each record its fields as "label: value" lines, long text wrapped."""
from __future__ import annotations

import io
import json
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..core import pdf
from ..core.thai import format_date

SECTIONS = {
    "account": _l("บัญชีผู้ใช้"), "organizations": _l("องค์กร"), "fair_roles": _l("บทบาทในงาน"),
    "judge_profiles": _l("ข้อมูลกรรมการ"), "booth_applications": _l("ใบสมัครออกบูธ"),
    "nominations": _l("การเสนอชื่อ"), "judging": _l("การตัดสิน"), "certificates": _l("เกียรติบัตร"),
    "mail": _l("อีเมลที่ระบบส่งถึงท่าน"), "invitations": _l("คำเชิญเข้าร่วมองค์กร"),
    "join_requests": _l("คำขอเข้าร่วมองค์กร"), "judge_invitations": _l("คำเชิญเป็นกรรมการ"),
    "checkin_scans_made": _l("การสแกนเช็กอินที่ท่านทำ"), "notices_seen": _l("ประกาศความเป็นส่วนตัวที่ท่านได้เห็น"),
    "consents": _l("ความยินยอมที่ท่านให้และถอน"),
    "your_actions": _l("การกระทำของท่านในบันทึกการใช้งาน"),
}
WIDTH, HEIGHT = A4
MARGIN = 18 * mm
LINE = 15
SIZE = 10.5


class _Writer:
    def __init__(self, title: str):
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=A4, invariant=1)
        self.canvas.setTitle(title)
        self.y = HEIGHT - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.canvas.showPage()
            self.y = HEIGHT - MARGIN

    def heading(self, text: str, size: float = 15) -> None:
        self._room(size * 2.2)
        self.y -= size * 1.4
        pdf.draw_text(self.canvas, MARGIN, self.y, text, "Sarabun-Bold", size)
        self.y -= size * 0.5

    def line(self, text: str, indent: float = 0, font: str = "Sarabun") -> None:
        for piece in pdf.wrap_text(text, font, SIZE, WIDTH - 2 * MARGIN - indent) or [""]:
            self._room(LINE)
            self.y -= LINE
            pdf.draw_text(self.canvas, MARGIN + indent, self.y, piece, font, SIZE)

    def gap(self) -> None:
        self.y -= LINE / 2

    def finish(self) -> bytes:
        self.canvas.save()
        return self.out.getvalue()


def _value(value, locale: str) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return _("ใช่") if value else _("ไม่ใช่")
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            return format_date(parsed, "datetime" if "T" in value else "long", locale)
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _record(writer: _Writer, record: dict, locale: str, indent: float = 0) -> None:
    for key, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            writer.line(f"{key}:", indent, "Sarabun-Bold")
            for item in value:
                _record(writer, item, locale, indent + 12)
                writer.gap()
        else:
            writer.line(f"{key}: {_value(value, locale)}", indent)


def readable_pdf(data: dict, name: str, locale: str) -> bytes:
    pdf.register_fonts()
    writer = _Writer(_("ข้อมูลส่วนบุคคลของ %(name)s", name=name))
    writer.heading(_("ข้อมูลส่วนบุคคลของ %(name)s", name=name), 17)
    writer.line(_("ข้อมูลทั้งหมดที่ระบบตลาดนัดคุณธรรมเก็บเกี่ยวกับท่าน ตามมาตรา 30 แห่งพระราชบัญญัติ"
                  "คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 ฉบับที่เครื่องอ่านได้อยู่ในไฟล์ data.json"))
    for key, label in SECTIONS.items():
        value = data.get(key)
        writer.heading(str(label))
        if not value or (isinstance(value, dict) and not any(value.values())):
            writer.line(_("ไม่มี"))
        elif isinstance(value, dict):
            for sub, items in value.items():
                if isinstance(items, list):
                    writer.line(f"{sub}:", 0, "Sarabun-Bold")
                    if not items:
                        writer.line(_("ไม่มี"), 12)
                    for item in items:
                        _record(writer, item, locale, 12)
                        writer.gap()
                else:
                    writer.line(f"{sub}: {_value(items, locale)}")
        else:
            for item in value:
                _record(writer, item, locale)
                writer.gap()
    return writer.finish()
