"""The certificates the visual test renders: the Thai strings that go wrong without shaping, and a
60-character organization name. Shared by the test and by scripts/certificate_references.py, which
writes the reviewed reference images."""
from datetime import date

from fairapp.certificates.render import Design, Face, Signatory

LONG_ORG = "วิสาหกิจชุมชนคุณธรรมต้นแบบบ้านห้วยซ้อเพื่อการพัฒนาที่ยั่งยืน"
assert len(LONG_ORG) == 60

DESIGN = Design(key="reference", issuer="ศูนย์คุณธรรม (องค์การมหาชน) ร่วมกับ สำนักงานวัฒนธรรมจังหวัดเชียงราย",
                signatories=(Signatory("นายสมชาย ใจดี", "ผู้อำนวยการศูนย์คุณธรรม (องค์การมหาชน)"),
                             Signatory("นางสาวจีรนันท์ ใจงาม", "วัฒนธรรมจังหวัดเชียงราย")),
                verify_hint="ตรวจสอบเกียรติบัตรได้ที่ fair.example.org/verify")
QR = "https://fair.example.org/verify/MC68-7K2M-QX9D-R4TX?q=reference"

SAMPLES = {
    "marks": Face(serial="MC68-7K2M-QX9D-R4TX", holder="ผู้ใหญ่ ที่นี่ ญี่ปุ่น", holder_org="น้ำ ฐู ก๋วยเตี๋ยว",
                  reason="ได้ร่วมออกบูธเผยแพร่ผลงาน โชว์ แชร์ ช่วย เชื่อม ในงานตลาดนัดคุณธรรม จังหวัดเชียงราย",
                  given_on=date(2025, 11, 13), qr=QR),
    "long-name": Face(serial="MC68-7K2M-QX9D-R4TX", holder=LONG_ORG, holder_org="อำเภอเชียงของ จังหวัดเชียงราย",
                      reason="ได้รับรางวัลระดับต้นแบบ ประเภทชุมชนคุณธรรมต้นแบบ ในงานตลาดนัดคุณธรรม จังหวัดเชียงราย",
                      given_on=date(2025, 11, 13), qr=QR),
}
