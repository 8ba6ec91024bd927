"""The record of processing activities (PDPA s.39), made from the registry: one row per purpose, as the DPO
reads it on its page and in its XLSX; and the letter to the people affected by a breach, drafted from the
register in Thai (or in the DPO's language)."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.tables import Table
from ..core.thai import format_date
from . import registry
from .models import Breach

# The security measures (s.39(8)) fairapp itself applies, for the record.
SECURITY = _l("เชื่อมต่อแบบเข้ารหัสเท่านั้น สิทธิ์เข้าถึงตามบทบาทในแต่ละงาน (องค์กรอื่นมองไม่เห็น) "
              "รหัสผ่านเก็บเป็นค่าแฮชทางเดียว บันทึกการใช้งานเป็นลูกโซ่แฮชที่ตรวจการแก้ไขย้อนหลังได้ "
              "ไฟล์ที่อัปโหลดตรวจชนิดจากเนื้อไฟล์ และลบข้อมูลเมตาของภาพ (ตำแหน่ง กล้อง เวลา)")

HEADER = (_l("วัตถุประสงค์"), _l("ฐานทางกฎหมาย"), _l("เหตุผลของฐาน"), _l("ประเภทข้อมูล"), _l("รายการข้อมูล"),
          _l("ข้อมูลอ่อนไหว"), _l("เจ้าของข้อมูล"), _l("ผู้รับข้อมูล"), _l("ระยะเวลาเก็บ"), _l("หากไม่ให้ข้อมูล"),
          _l("มาตรการรักษาความปลอดภัย"))


def rows() -> list[list[str]]:
    """One row per purpose and data category, in the request's language."""
    out = []
    for purpose in registry.PURPOSES:
        for key in purpose.categories:
            category = registry.CATEGORY[key]
            out.append([str(purpose.name), str(registry.BASES[purpose.basis][0]), str(purpose.why_basis),
                        str(category.name), str(category.fields), _("ใช่") if category.sensitive else _("ไม่ใช่"),
                        str(purpose.subjects), str(purpose.recipients), str(category.retention),
                        str(purpose.without_it), str(SECURITY)])
    return out


def table() -> Table:
    return Table(title=_("บันทึกรายการประมวลผล"), header=[str(h) for h in HEADER], rows=rows())


def letter(breach: Breach, contact: dict, locale: str) -> str:
    """The letter to the people affected (s.37(4)), in `locale` (Thai unless asked otherwise): what
    happened, when, which data, what was done, what they can do, whom to ask."""
    with force_locale(locale):
        data = ", ".join(str(registry.CATEGORY[key].name) for key in breach.categories) or "-"
        found = format_date(breach.found_at, "datetime", locale)
        lines = [
            _("เรื่อง แจ้งเหตุการละเมิดข้อมูลส่วนบุคคล: %(title)s", title=breach.title),
            "",
            _("เรียน ท่านผู้เป็นเจ้าของข้อมูลส่วนบุคคล"),
            "",
            _("%(controller)s ขอแจ้งให้ท่านทราบว่า เมื่อ %(when)s เราพบเหตุการละเมิดข้อมูลส่วนบุคคลซึ่งอาจเกี่ยวข้องกับ"
              "ข้อมูลของท่าน", controller=str(registry.CONTROLLER), when=found)
            + (_(" (เหตุเกิดเมื่อ %(when)s)", when=format_date(breach.occurred_at, "datetime", locale))
               if breach.occurred_at else ""),
            "",
            _("สิ่งที่เกิดขึ้น: %(what)s", what=breach.description or breach.title),
            _("ข้อมูลที่เกี่ยวข้อง: %(data)s", data=data),
            _("สิ่งที่เราได้ดำเนินการแล้ว: %(done)s", done=breach.measures or _("อยู่ระหว่างดำเนินการ")),
            "",
            _("สิ่งที่ท่านทำได้: หากข้อมูลที่เกี่ยวข้องมีรหัสผ่านหรืออีเมล โปรดเปลี่ยนรหัสผ่านของท่าน และระวังอีเมลหรือ"
              "ข้อความที่อ้างชื่อศูนย์คุณธรรมเพื่อขอข้อมูลเพิ่มเติม ท่านมีสิทธิขอเข้าถึง แก้ไข หรือลบข้อมูลของท่าน และ"
              "ร้องเรียนต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคลได้"),
            "",
            _("สอบถามเพิ่มเติมได้ที่เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล อีเมล %(email)s", email=contact["dpo_email"])
            + (_(" โทรศัพท์ %(phone)s", phone=contact["dpo_phone"]) if contact.get("dpo_phone") else ""),
            "",
            _("ขออภัยในเหตุที่เกิดขึ้น"),
            str(registry.CONTROLLER),
        ]
    return "\n".join(lines)
