"""The registry of processing (PDPA B.E. 2562): what fairapp collects, why, on which lawful basis, who
receives it and how long it is kept. Everything the privacy duties show is made from here: the full notice
at /privacy (s.23), the short notices at collection (NOTICES), the record of processing for the DPO and its
XLSX (s.39), and the default retention periods the purge applies (s.37(3)).

The notice's VERSION changes whenever what a notice says changes: `fingerprint()` digests the Thai text of
the registry, and tests/privacy/test_registry.py holds the fingerprint of each version, so an edit of the
registry without a new version fails the tests. Each account records the version it saw and when.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

VERSION = 3  # 2: monastic titles are asked at sign-up, joining and for a booth's people too;
#   3: an awarded nomination's public page shows the parts and photos its nominator chose to publish
EFFECTIVE = date(2026, 12, 1)  # the day this version took effect

CONTROLLER = _l("ศูนย์คุณธรรม (องค์การมหาชน)")  # its address and the DPO's contact are settings (PRIVACY_*)

# Lawful bases (s.24 without consent; s.19 consent; s.26 explicit consent for sensitive data).
BASES = {
    "public_task": (_l("การปฏิบัติภารกิจเพื่อประโยชน์สาธารณะ (มาตรา 24 (4))"),
                    "มาตรา 24 (4)"),
    "legal_obligation": (_l("การปฏิบัติตามกฎหมาย (มาตรา 24 (6))"), "มาตรา 24 (6)"),
    "legitimate_interest": (_l("ประโยชน์โดยชอบด้วยกฎหมาย (มาตรา 24 (5))"), "มาตรา 24 (5)"),
    "archive": (_l("การจัดทำเอกสารประวัติศาสตร์หรือจดหมายเหตุเพื่อประโยชน์สาธารณะ (มาตรา 24 (1))"),
                "มาตรา 24 (1)"),
    "consent": (_l("ความยินยอม (มาตรา 19)"), "มาตรา 19"),
    "explicit_consent": (_l("ความยินยอมโดยชัดแจ้ง สำหรับข้อมูลอ่อนไหว (มาตรา 26)"), "มาตรา 26"),
}


@dataclass(frozen=True)
class Category:
    """A category of personal data, with the default time it is kept (days; None: as long as the fair's
    record is kept, with the person's name removable on request)."""

    key: str
    name: object          # lazy Thai msgid
    fields: object        # lazy Thai msgid: the fields, as a person reads them
    retention_days: int | None
    retention: object     # lazy Thai msgid: the period said in words
    sensitive: bool = False


@dataclass(frozen=True)
class Purpose:
    """One purpose of processing: its basis, the data it uses, whose data, who receives it."""

    key: str
    name: object
    basis: str                  # a key of BASES
    categories: tuple[str, ...]
    subjects: object
    recipients: object
    why_basis: object           # why this basis (what the DPO reads in the record)
    without_it: object          # what happens when a person does not give the data


CATEGORIES = (
    Category("account", _l("ข้อมูลบัญชีผู้ใช้"),
             _l("คำนำหน้า ชื่อ นามสกุล อีเมล เบอร์โทรศัพท์ ภาษาที่ใช้ รหัสผ่าน (เก็บเฉพาะค่าแฮช)"),
             365 * 2, _l("ตลอดที่มีบัญชี และ 2 ปีหลังใช้งานครั้งสุดท้าย")),
    Category("organization", _l("ข้อมูลองค์กรและผู้ติดต่อ"),
             _l("ชื่อองค์กร เลขประจำตัวผู้เสียภาษี ที่อยู่ ผู้ประสานงาน เบอร์โทรศัพท์"),
             365 * 2, _l("ตลอดที่องค์กรมีบัญชี และ 2 ปีหลังงานครั้งสุดท้ายที่เข้าร่วม")),
    Category("booth", _l("ใบสมัครออกบูธและผู้ประจำบูธ"),
             _l("รายชื่อผู้ประจำบูธ เบอร์โทรศัพท์ กิจกรรมในบูธ ความต้องการไฟฟ้า น้ำ ทางลาด"),
             365, _l("1 ปีหลังวันสุดท้ายของงาน")),
    Category("access_needs", _l("ความต้องการด้านสุขภาพหรือความพิการ"),
             _l("ความต้องการพิเศษที่ผู้ประจำบูธแจ้งเพื่อให้งานจัดที่นั่งหรือทางเข้าได้"),
             90, _l("90 วันหลังวันสุดท้ายของงาน"), sensitive=True),
    Category("draft", _l("ใบสมัครและการเสนอชื่อที่ยังไม่ได้ส่ง"),
             _l("ทุกช่องที่กรอกไว้ในฉบับร่าง"),
             180, _l("180 วันหลังปิดรับสมัคร หากไม่ได้ส่ง")),
    Category("nomination", _l("การเสนอชื่อและเรื่องราว"),
             _l("ชื่อผู้ถูกเสนอชื่อ ชุมชน เรื่องราวผลงาน ผู้เสนอชื่อ"),
             None, _l("เก็บเป็นบันทึกของงาน ผู้ได้รับรางวัลขอให้ปิดชื่อได้")),
    Category("religion", _l("สมณศักดิ์และฉายาของพระสงฆ์และนักบวช"),
             _l("สมณศักดิ์ ฉายา ชื่อวัด ของผู้ลงทะเบียน ผู้ประจำบูธ และผู้ถูกเสนอชื่อที่เป็นพระสงฆ์หรือนักบวช"),
             None, _l("เท่ากับบัญชี ใบสมัครบูธ หรือการเสนอชื่อที่มีข้อมูลนี้"), sensitive=True),
    Category("evidence", _l("ภาพถ่ายและเอกสารประกอบ"),
             _l("ภาพถ่ายกิจกรรม (ซึ่งอาจมีบุคคลในภาพ) และไฟล์ PDF ประกอบการเสนอชื่อ"),
             365, _l("1 ปีหลังประกาศผล สำหรับการเสนอชื่อที่ไม่ได้รับรางวัล")),
    Category("judging", _l("คะแนนและความเห็นของกรรมการ"),
             _l("ชื่อกรรมการ สังกัด คะแนน ความเห็น การแจ้งส่วนได้เสีย"),
             None, _l("เก็บเป็นบันทึกของการตัดสิน ชื่อกรรมการปิดได้เมื่อขอ")),
    Category("certificate", _l("เกียรติบัตรและการตรวจสอบสาธารณะ"),
             _l("ชื่อผู้รับ องค์กร รางวัลหรือบทบาท วันที่ เลขที่เกียรติบัตร"),
             None, _l("เก็บเป็นบันทึกสาธารณะของงาน ผู้รับขอให้แสดงว่า \"ปิดชื่อตามคำขอ\" ได้")),
    Category("checkin", _l("การสแกนเช็กอินบูธ"),
             _l("เวลาที่สแกน ผู้สแกน รหัสบูธ"),
             90, _l("90 วันหลังวันสุดท้ายของงาน")),
    Category("mail", _l("อีเมลที่ระบบส่ง"),
             _l("ผู้รับ หัวเรื่อง เนื้อหา สถานะการส่ง"),
             90, _l("90 วันหลังส่ง")),
    Category("session", _l("การเข้าสู่ระบบและลิงก์ยืนยัน"),
             _l("คุกกี้เข้าสู่ระบบ โทเคนยืนยันอีเมลและตั้งรหัสผ่าน หมายเลขไอพีสำหรับจำกัดการใช้งาน"),
             30, _l("30 วันหลังหมดอายุ")),
    Category("audit", _l("บันทึกการใช้งาน"),
             _l("ผู้กระทำ การกระทำ เวลา ค่าก่อนและหลัง"),
             365 * 10, _l("10 ปี ส่วนที่เป็นข้อมูลส่วนบุคคลลบได้โดยบันทึกยังตรวจสอบได้")),
    Category("public_profile", _l("ภาพและชื่อบุคคลบนหน้าสาธารณะ"),
             _l("ภาพกิจกรรมที่มีบุคคล ชื่อผู้ประจำบูธ บนไดเรกทอรีผู้ออกบูธและหน้าผู้ได้รับรางวัล"),
             None, _l("จนกว่าจะถอนความยินยอม")),
)
CATEGORY = {c.key: c for c in CATEGORIES}

PURPOSES = (
    Purpose("accounts", _l("การสมัครและบัญชีผู้ใช้"), "public_task", ("account", "organization", "session"),
            _l("เจ้าหน้าที่องค์กร กรรมการ เจ้าหน้าที่งาน"),
            _l("เจ้าหน้าที่ศูนย์คุณธรรมและหน่วยงานร่วมจัดของงานที่ท่านเข้าร่วม"),
            _l("การจัดตลาดนัดคุณธรรมเป็นภารกิจตามวัตถุประสงค์ของศูนย์คุณธรรมในการส่งเสริมคุณธรรม"),
            _l("หากไม่ให้ชื่อและอีเมล จะสมัครใช้งานและติดตามใบสมัครไม่ได้")),
    Purpose("booths", _l("การสมัครออกบูธและจัดผังบูธ"), "public_task", ("booth", "organization", "draft", "checkin"),
            _l("ผู้ประสานงานและผู้ประจำบูธขององค์กร"),
            _l("เจ้าหน้าที่งานที่พิจารณาใบสมัครและจัดผังบูธ"),
            _l("การคัดเลือกและจัดบูธเป็นส่วนหลักของงานตามภารกิจ"),
            _l("หากไม่ให้รายชื่อและเบอร์ติดต่อผู้ประจำบูธ จะพิจารณาใบสมัครไม่ได้")),
    Purpose("access_needs", _l("ความต้องการพิเศษของผู้ประจำบูธ"), "explicit_consent", ("access_needs",),
            _l("ผู้ประจำบูธที่แจ้งความต้องการ"),
            _l("เฉพาะเจ้าหน้าที่งานที่จัดผังบูธ"),
            _l("เป็นข้อมูลสุขภาพหรือความพิการ (ข้อมูลอ่อนไหว) จึงเก็บเมื่อท่านให้ความยินยอมโดยชัดแจ้งเท่านั้น"),
            _l("ไม่บังคับ หากไม่แจ้ง งานจะจัดบูธตามปกติ")),
    Purpose("nominations", _l("การเสนอชื่อและหลักฐาน"), "public_task", ("nomination", "evidence", "draft"),
            _l("ผู้เสนอชื่อ ผู้ถูกเสนอชื่อ และบุคคลในภาพถ่าย"),
            _l("เจ้าหน้าที่งานและกรรมการของประเภทรางวัล และเมื่อได้รับรางวัล ผู้เข้าชมเว็บไซต์ของงานเห็นเฉพาะหัวข้อของเรื่องราวและภาพที่ผู้เสนอชื่อเลือกให้เผยแพร่ ซึ่งเปลี่ยนหรือถอนได้ทุกเมื่อ"),
            _l("การคัดเลือกองค์กรและชุมชนต้นแบบเป็นภารกิจของงาน"),
            _l("หากไม่ให้เรื่องราวและหลักฐาน กรรมการจะพิจารณาการเสนอชื่อไม่ได้")),
    Purpose("religion", _l("สมณศักดิ์ของพระสงฆ์และนักบวช"), "explicit_consent", ("religion",),
            _l("พระสงฆ์หรือนักบวชที่ลงทะเบียน ประจำบูธ หรือถูกเสนอชื่อ"),
            _l("เจ้าหน้าที่งาน กรรมการของประเภทรางวัล และผู้อ่านเกียรติบัตรที่พิมพ์ชื่อ"),
            _l("สมณศักดิ์แสดงความเชื่อทางศาสนา (ข้อมูลอ่อนไหว) จึงเก็บเมื่อให้ความยินยอมโดยชัดแจ้งเท่านั้น"),
            _l("ไม่บังคับ หากไม่ให้ ใช้คำนำหน้าอื่น หรือชื่อวัดหรือชุมชนแทน")),
    Purpose("judging", _l("การตัดสินรางวัล"), "public_task", ("judging",),
            _l("กรรมการ"),
            _l("ประธานกรรมการและเจ้าหน้าที่งาน รายงานการประชุมของประเภทรางวัล"),
            _l("การตัดสินอย่างโปร่งใสและตรวจสอบได้เป็นส่วนหนึ่งของภารกิจ"),
            _l("กรรมการต้องบันทึกคะแนนในชื่อของตน")),
    Purpose("certificates", _l("เกียรติบัตรและการตรวจสอบสาธารณะ"), "public_task", ("certificate",),
            _l("ผู้ได้รับรางวัล ผู้ออกบูธ กรรมการ ผู้เข้าร่วม"),
            _l("ทุกคนที่สแกน QR หรือกรอกเลขที่เกียรติบัตรที่ /verify (ดูได้เฉพาะเกียรติบัตรที่ตนมีเลขที่)"),
            _l("เกียรติบัตรต้องตรวจสอบได้ว่าออกจริง จึงแสดงชื่อผู้รับแก่ผู้ที่มีเลขที่"),
            _l("เกียรติบัตรต้องมีชื่อผู้รับ")),
    Purpose("mail", _l("อีเมลแจ้งเรื่องของท่าน"), "public_task", ("mail",),
            _l("ผู้ใช้ทุกคน"),
            _l("ผู้ให้บริการส่งอีเมลของศูนย์คุณธรรม"),
            _l("แจ้งผลและขั้นตอนของใบสมัคร การเสนอชื่อ และการตัดสินของท่านเอง"),
            _l("หากไม่มีอีเมล จะไม่ได้รับแจ้งผลทางอีเมล ดูได้จากหน้าของท่าน")),
    Purpose("news", _l("ข่าวสารงานครั้งต่อไป"), "consent", ("account",),
            _l("ผู้ใช้ที่เลือกรับข่าวสาร"),
            _l("ผู้ให้บริการส่งอีเมลของศูนย์คุณธรรม"),
            _l("เป็นอีเมลที่ไม่เกี่ยวกับใบสมัครของท่านเอง จึงส่งเมื่อท่านยินยอมเท่านั้น ถอนได้ทุกเมื่อ"),
            _l("ไม่บังคับ ไม่มีผลต่อการสมัครหรือการพิจารณา")),
    Purpose("public_pages", _l("การแสดงภาพและชื่อบนหน้าสาธารณะ"), "consent", ("public_profile",),
            _l("ผู้ประจำบูธ ผู้ได้รับรางวัล และบุคคลในภาพ"),
            _l("ผู้เข้าชมเว็บไซต์ของงาน"),
            _l("การเผยแพร่ภาพและชื่อบุคคลไม่จำเป็นต่อการจัดงาน จึงทำเมื่อยินยอมเท่านั้น ถอนได้ทุกเมื่อ"),
            _l("ไม่บังคับ หากไม่ยินยอม หน้าสาธารณะจะแสดงเฉพาะชื่อองค์กรและบูธ")),
    Purpose("security", _l("ความปลอดภัยและบันทึกการใช้งาน"), "legitimate_interest", ("audit", "session"),
            _l("ผู้ใช้ทุกคน"),
            _l("ผู้ดูแลระบบและเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล"),
            _l("ป้องกันการปลอมแปลงและตรวจสอบย้อนหลังได้ว่าใครทำอะไร"),
            _l("ระบบบันทึกโดยอัตโนมัติ")),
)
PURPOSE = {p.key: p for p in PURPOSES}

RIGHTS = (
    ("access", _l("ขอเข้าถึงและขอรับสำเนาข้อมูล (มาตรา 30)")),
    ("portability", _l("ขอรับข้อมูลในรูปแบบที่อ่านด้วยเครื่องได้ (มาตรา 31)")),
    ("object", _l("คัดค้านการเก็บ ใช้ หรือเปิดเผยข้อมูล (มาตรา 32)")),
    ("erasure", _l("ขอให้ลบหรือทำให้ข้อมูลไม่สามารถระบุตัวตนได้ (มาตรา 33)")),
    ("restriction", _l("ขอให้ระงับการใช้ข้อมูล (มาตรา 34)")),
    ("correction", _l("ขอให้แก้ไขข้อมูลให้ถูกต้อง (มาตรา 35 และ 36)")),
    ("withdraw", _l("ถอนความยินยอมเมื่อใดก็ได้ (มาตรา 19)")),
    ("complain", _l("ร้องเรียนต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล (มาตรา 73)")),
)
REQUEST_DAYS = 30  # s.30: a request is answered within 30 days of receipt
BREACH_HOURS = 72  # s.37(4): the Office is told within 72 hours of learning of a breach


def retention_days(category: str) -> int | None:
    return CATEGORY[category].retention_days


def fingerprint() -> str:
    """A digest of what the notices say (the Thai text of the registry): it changes when they do."""
    def text(value) -> str:  # a lazy string's Thai msgid, whatever the language of the request
        return value._args[0] if hasattr(value, "_args") else str(value)

    body = {
        "controller": text(CONTROLLER),
        "categories": [[c.key, text(c.name), text(c.fields), c.retention_days, text(c.retention), c.sensitive]
                       for c in CATEGORIES],
        "purposes": [[p.key, text(p.name), p.basis, list(p.categories), text(p.subjects), text(p.recipients),
                      text(p.why_basis), text(p.without_it)] for p in PURPOSES],
        "rights": [[key, text(label)] for key, label in RIGHTS],
    }
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
