"""A realistic demo fair: the Chiang Rai bodies named in the seed news item (ศูนย์คุณธรรม, 11 พ.ย. 2563).

Every demo account has the password DEMO_PASSWORD; the README lists them.
"""
from __future__ import annotations

from datetime import timedelta

from .accounts.models import Membership, Organization, Sector, User
from .accounts.operations import hash_password
from .core.time import today_local, utcnow
from .extensions import db
from .fairs.models import Fair, FairRole

DEMO_PASSWORD = "fair-demo-2564"

ORGS = [
    # key, Thai name, English name, sector, province, district
    ("moral", "ศูนย์คุณธรรม (องค์การมหาชน)", "Moral Center (Public Organization)", Sector.government, "10", "1037"),
    ("culture", "สำนักงานวัฒนธรรมจังหวัดเชียงราย", "Chiang Rai Provincial Cultural Office", Sector.government, "57", "5701"),
    ("province", "สำนักงานจังหวัดเชียงราย", "Chiang Rai Provincial Office", Sector.government, "57", "5701"),
    ("mfu", "มหาวิทยาลัยแม่ฟ้าหลวง", "Mae Fah Luang University", Sector.education, "57", "5701"),
    ("crru", "มหาวิทยาลัยราชภัฏเชียงราย", "Chiang Rai Rajabhat University", Sector.education, "57", "5701"),
    ("mcu", "มหาวิทยาลัยมหาจุฬาลงกรณราชวิทยาลัย วิทยาลัยสงฆ์เชียงราย",
     "Mahachulalongkornrajavidyalaya University, Chiang Rai Buddhist College", Sector.religion, "57", "5701"),
    ("crc", "วิทยาลัยเชียงราย", "Chiang Rai College", Sector.education, "57", "5701"),
    ("rmutl", "มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนา เชียงราย", "Rajamangala University of Technology Lanna Chiang Rai",
     Sector.education, "57", "5705"),
    ("maesai", "ชุมชนคุณธรรมบ้านเวียงพางคำ", None, Sector.civil, "57", "5709"),
    ("chiangsaen", "ชุมชนคุณธรรมวัดพระธาตุผาเงา", None, Sector.religion, "57", "5708"),
    ("radio", "สถานีวิทยุกระจายเสียงแห่งประเทศไทย จังหวัดเชียงราย", "Radio Thailand Chiang Rai", Sector.media, "57", "5701"),
    ("coop", "สหกรณ์การเกษตรเวียงชัย จำกัด", "Wiang Chai Agricultural Cooperative", Sector.business, "57", "5702"),
]

USERS = [
    # email, title, first, last, org key, admin, fair role
    ("admin@fairapp.local", "นาย", "ผู้ดูแล", "ระบบงาน", "moral", True, None),
    ("staff@fairapp.local", "นางสาว", "จีรนันท์", "ใจงาม", "moral", False, "staff"),
    ("judge@fairapp.local", "ผศ.ดร.", "วรรณภา", "ศรีสุข", "mfu", False, "judge"),
    ("chair@fairapp.local", "รศ.ดร.", "ประเสริฐ", "คำแก้ว", "crru", False, "chair"),
    ("culture@fairapp.local", "นาง", "สุภาพร", "อินทร์แก้ว", "culture", False, None),
    ("temple@fairapp.local", "พระมหา", "สมชาย", "ปญฺญาวโร", "mcu", False, None),
]


def load_demo() -> str:
    """Create the demo organizations, users, roles and fairs (the caller commits)."""
    today = today_local()
    orgs = {}
    for key, name_th, name_en, sector, province, district in ORGS:
        org = Organization(name_th=name_th, name_en=name_en, sector=sector,
                           province_code=province, district_code=district)
        db.session.add(org)
        orgs[key] = org
    orgs["moral"].tax_id = "0994000165510"  # fictitious ID with a valid check digit

    fair = Fair(
        name_th="ตลาดนัดคุณธรรม จังหวัดเชียงราย", name_en="Morality Market Fair, Chiang Rai",
        venue_th="ลานกิจกรรม ศาลากลางจังหวัดเชียงราย อำเภอเมืองเชียงราย",
        venue_en="Chiang Rai Provincial Hall, Mueang Chiang Rai", province_code="57",
        organizer_th="ศูนย์คุณธรรม (องค์การมหาชน) ร่วมกับ สำนักงานวัฒนธรรมจังหวัดเชียงราย",
        description_th=("องค์กรและชุมชนคุณธรรมต้นแบบนำผลงานมาโชว์ แชร์ ช่วย เชื่อมร้อยความดี "
                        "พร้อมประกาศ ยกย่องเชิดชู และมอบเกียรติบัตรให้องค์กร ชุมชนคุณธรรมต้นแบบ"),
        starts_on=today + timedelta(days=45), ends_on=today + timedelta(days=46),
        booth_opens=today - timedelta(days=10), booth_closes=today + timedelta(days=25),
        nomination_opens=today - timedelta(days=10), nomination_closes=today + timedelta(days=20),
        judging_opens=today + timedelta(days=21), judging_closes=today + timedelta(days=40),
        thai_numerals=False)
    past = Fair(
        name_th="ตลาดนัดคุณธรรม จังหวัดเชียงราย ปี 2564", name_en="Morality Market Fair, Chiang Rai 2021",
        venue_th="ศาลากลางจังหวัดเชียงราย อำเภอเมืองเชียงราย", venue_en="Chiang Rai Provincial Hall",
        province_code="57", organizer_th="ศูนย์คุณธรรม (องค์การมหาชน)",
        description_th="จังหวัดคุณธรรมเชียงราย ปีที่ 2",
        starts_on=today.replace(year=2021, month=3, day=15), ends_on=today.replace(year=2021, month=3, day=16),
        booth_opens=today.replace(year=2021, month=1, day=4), booth_closes=today.replace(year=2021, month=2, day=26),
        nomination_opens=today.replace(year=2021, month=1, day=4),
        nomination_closes=today.replace(year=2021, month=2, day=19),
        judging_opens=today.replace(year=2021, month=2, day=22), judging_closes=today.replace(year=2021, month=3, day=12),
        thai_numerals=True)
    db.session.add_all([fair, past])

    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    for email, title, first, last, org_key, admin, role in USERS:
        user = User(email=email, title=title, first_name=first, last_name=last, phone="+66812345678",
                    password_hash=password_hash, is_admin=admin, email_confirmed_at=now, locale="th")
        db.session.add(user)
        db.session.add(Membership(user=user, organization=orgs[org_key],
                                  role="owner" if org_key not in ("moral",) or admin else "member"))
        if role:
            db.session.add(FairRole(fair=fair, user=user, role=role))
            db.session.add(FairRole(fair=past, user=user, role=role))
    db.session.flush()
    return f"{len(ORGS)} organizations, {len(USERS)} users, 2 fairs"
