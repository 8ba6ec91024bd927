"""A realistic demo fair: the Chiang Rai bodies named in the seed news item (ศูนย์คุณธรรม, 11 พ.ย. 2563).

Every demo account has the password DEMO_PASSWORD; the README lists them.
"""
from __future__ import annotations

from datetime import timedelta

from .accounts.models import Membership, Organization, Sector, User
from .accounts.operations import hash_password
from .core.time import today_local, utcnow
from .extensions import db
from .booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
from .fairs.models import Fair, FairRole
from .nominations.models import Category, Nomination, NominationEvent, NominationStatus, NominatorKind
from .privacy.sensitive import is_monastic

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
    ("dpo@fairapp.local", "นางสาว", "ปิยนุช", "รักษาสัตย์", "moral", False, None),
]
DPO_EMAIL = "dpo@fairapp.local"  # the data protection officer (privacy pages at /privacy/dpo)


def load_demo() -> str:
    """Create the demo organizations, users, roles and fairs (the caller's unit of work commits)."""
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
                    password_hash=password_hash, is_admin=admin, email_confirmed_at=now, locale="th",
                    is_dpo=email == DPO_EMAIL,
                    religion_consent_at=now if is_monastic(title) else None)  # the demo's monk consented (s.26)
        db.session.add(user)
        db.session.add(Membership(user=user, organization=orgs[org_key],
                                  role="owner" if org_key not in ("moral",) or admin else "member"))
        if role:
            db.session.add(FairRole(fair=fair, user=user, role=role))
            db.session.add(FairRole(fair=past, user=user, role=role))
    db.session.flush()
    applications = _demo_booths(fair, orgs, now)
    nominations = _demo_nominations(fair, orgs, now)
    from .demo_certificates import load_demo_certificates
    certificates = load_demo_certificates(fair, past, orgs, now)
    return (f"{len(ORGS)} organizations, {len(USERS)} users, 2 fairs, {applications} booth applications, "
            f"{nominations} nominations, {certificates} certificates")


NARRATIVES = {
    "sufficiency": "ชุมชนร่วมกันปลูกผักปลอดสารพิษ ทำบัญชีครัวเรือน และตั้งกองทุนข้าวสารเพื่อช่วยกันในยามขาดแคลน",
    "discipline": "สมาชิกตกลงกติกาชุมชนร่วมกัน เช่น การคัดแยกขยะ การตรงต่อเวลาในการประชุมประจำเดือน",
    "integrity": "เปิดเผยบัญชีกองทุนทุกเดือนที่ศาลาประชาคม และมีคณะกรรมการตรวจสอบจากตัวแทนทุกหมู่",
    "volunteer": "จิตอาสาดูแลผู้สูงอายุที่อยู่ลำพัง และพัฒนาวัดและโรงเรียนในวันหยุด",
    "gratitude": "จัดกิจกรรมรดน้ำดำหัวผู้สูงอายุ และเชิดชูครูภูมิปัญญาท้องถิ่นทุกปี",
    "outcomes": "ครัวเรือนมีหนี้สินลดลง ความขัดแย้งในชุมชนลดลง และเยาวชนเข้าร่วมกิจกรรมมากขึ้น",
}


def _demo_nominations(fair: Fair, orgs: dict, now) -> int:
    """Award categories and a few nominations; the culture office is a provincial office."""
    orgs["culture"].is_provincial_office = True
    opens, closes = fair.nomination_opens, fair.nomination_closes
    government = Category(fair=fair, name_th="องค์กรคุณธรรมต้นแบบ ภาครัฐ", name_en="Model moral organization: government",
                          description_th="หน่วยงานภาครัฐที่ขับเคลื่อนคุณธรรมจนเป็นแบบอย่าง",
                          eligible_sectors=["government"], opens_on=opens, closes_on=closes,
                          nominator_kind=NominatorKind.both, max_per_nominator=3, min_photos=3, min_pdfs=1,
                          sort_order=0)
    education = Category(fair=fair, name_th="องค์กรคุณธรรมต้นแบบ ภาคการศึกษา", name_en="Model moral organization: education",
                         eligible_sectors=["education"], opens_on=opens, closes_on=closes,
                         nominator_kind=NominatorKind.both, min_photos=3, min_pdfs=1, sort_order=1)
    community = Category(fair=fair, name_th="ชุมชนคุณธรรมต้นแบบ", name_en="Model moral community",
                         description_th="ชุมชนที่ร่วมกันส่งเสริมคุณธรรม เสนอชื่อโดยสำนักงานวัฒนธรรมจังหวัด",
                         nominee_kind="community", eligible_provinces=["57"], opens_on=opens, closes_on=closes,
                         nominator_kind=NominatorKind.office, max_per_nominator=5, min_photos=3, min_pdfs=0,
                         sort_order=2)
    db.session.add_all([government, education, community])
    db.session.flush()
    rows = [
        Nomination(fair_id=fair.id, category_id=government.id, nominator_org_id=orgs["culture"].id,
                   nominee_org_id=orgs["culture"].id, narratives=dict(NARRATIVES), status=NominationStatus.draft),
        Nomination(fair_id=fair.id, category_id=education.id, nominator_org_id=orgs["mfu"].id,
                   nominee_org_id=orgs["mfu"].id, narratives=dict(NARRATIVES), status=NominationStatus.submitted,
                   submitted_at=now - timedelta(days=3)),
        Nomination(fair_id=fair.id, category_id=community.id, nominator_org_id=orgs["culture"].id,
                   community_name="ชุมชนบ้านป่าซาง", community_village="บ้านป่าซาง หมู่ 4",
                   community_subdistrict="ป่าซาง", community_district_code="5707", community_province_code="57",
                   narratives=dict(NARRATIVES), status=NominationStatus.returned,
                   review_note="กรุณาเพิ่มรูปกิจกรรมจิตอาสา และระบุจำนวนครัวเรือนที่เข้าร่วม",
                   submitted_at=now - timedelta(days=5)),
    ]
    db.session.add_all(rows)
    db.session.flush()
    for n in rows[1:]:
        member = db.session.query(Membership).filter_by(organization_id=n.nominator_org_id).first()
        db.session.add(NominationEvent(nomination_id=n.id, action="submitted", created_at=n.submitted_at,
                                       actor_id=member.user_id if member else None))
    db.session.add(NominationEvent(nomination_id=rows[2].id, action="returned", comment=rows[2].review_note,
                                   created_at=now - timedelta(days=1)))
    for nomination in rows[1:]:
        _demo_evidence(nomination)
    rows[1].status = NominationStatus.eligible  # Mae Fah Luang: ready for judging
    _demo_judging(fair, education)
    return len(rows)


def _demo_judging(fair: Fair, category: Category) -> None:
    """A rubric for the education category; the judges' affiliations (the judge is at Mae Fah Luang,
    whose nomination the chair will see as a detected conflict)."""
    from .accounts.models import User
    from .judging.models import AwardLevel, Criterion, JudgeProfile, Rubric

    rubric = Rubric(category_id=category.id, judges_per_nomination=2, ranking="raw")
    rubric.criteria = [
        Criterion(position=0, name_th="การส่งเสริมคุณธรรม 5 ประการ", weight=40, scale_min=1, scale_max=5,
                  descriptors={"1": "ไม่ปรากฏการดำเนินงาน", "3": "ดำเนินการต่อเนื่อง มีผู้เข้าร่วมบางส่วน",
                               "5": "โดดเด่น เป็นแบบอย่างให้หน่วยงานอื่น"}),
        Criterion(position=1, name_th="การมีส่วนร่วมของบุคลากรและชุมชน", weight=30, scale_min=1, scale_max=5),
        Criterion(position=2, name_th="ผลลัพธ์ที่วัดได้", weight=30, scale_min=0, scale_max=2,
                  descriptors={"0": "ยังไม่มี", "1": "มีบางส่วน", "2": "ชัดเจนและต่อเนื่อง"}),
    ]
    rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=60, name_th="เชิดชูเกียรติ")]
    db.session.add(rubric)
    for email, org_name in (("judge@fairapp.local", "มหาวิทยาลัยแม่ฟ้าหลวง"),
                            ("chair@fairapp.local", "มหาวิทยาลัยราชภัฏเชียงราย")):
        user = db.session.query(User).filter_by(email=email).one()
        org = db.session.query(Organization).filter_by(name_th=org_name).one()
        db.session.add(JudgeProfile(fair_id=fair.id, user_id=user.id, affiliation_org_id=org.id))


def _demo_evidence(nomination: Nomination) -> None:
    """Three photos and a one-page report, made here and taken through the real upload checks."""
    import io

    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from werkzeug.datastructures import FileStorage

    from .core.pdf import draw_text, register_fonts
    from .core.storage import storage
    from .core.uploads import accept_evidence, evidence_thumbnail

    colours = [((46, 125, 50), (165, 214, 167)), ((230, 81, 0), (255, 204, 128)), ((21, 101, 192), (144, 202, 249))]
    captions = ["แปลงผักปลอดสารพิษของชุมชน", "จิตอาสาทำความสะอาดวัด", "กิจกรรมรดน้ำดำหัวผู้สูงอายุ"]
    for i, ((dark, light), caption) in enumerate(zip(colours, captions)):
        image = Image.new("RGB", (1200, 800), light)
        draw = ImageDraw.Draw(image)
        for y in range(0, 800, 40):  # a field of rows, so the thumbnail shows something
            draw.rectangle([0, y, 1200, y + 18], fill=dark if (y // 40 + i) % 2 else light)
        draw.ellipse([450, 250, 750, 550], fill=(255, 255, 255))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        accepted = accept_evidence(FileStorage(io.BytesIO(out.getvalue()), filename=f"photo-{i + 1}.jpg"))
        row = _evidence_row(accepted, caption)
        # made here rather than by the job (nominations.jobs): the demo's pages show them at once
        row.thumb_key = storage().save(evidence_thumbnail(storage().read(accepted.key)), "jpg")
        nomination.evidence.append(row)
    register_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    draw_text(pdf, 72, 770, "รายงานผลการดำเนินงานชุมชนคุณธรรม", font="Sarabun-Bold", size=18)
    draw_text(pdf, 72, 740, NARRATIVES["outcomes"], size=12)
    pdf.showPage()
    pdf.save()
    accepted = accept_evidence(FileStorage(io.BytesIO(out.getvalue()), filename="รายงานผลการดำเนินงาน.pdf"))
    nomination.evidence.append(_evidence_row(accepted, "รายงานผลการดำเนินงาน"))


def _evidence_row(accepted, caption: str):
    from .nominations.models import Evidence

    return Evidence(kind=accepted.kind, storage_key=accepted.key,
                    original_name=accepted.name, caption=caption, size_bytes=accepted.size,
                    sha256=accepted.sha256, width=accepted.width, height=accepted.height, pages=accepted.pages,
                    flagged=accepted.flagged, flag_note=accepted.note)


def _demo_booths(fair: Fair, orgs: dict, now) -> int:
    """Booth types, a floor plan of three zones, and applications in every state."""
    db.session.add(BoothSetup(fair_id=fair.id, per_org_limit=2, offer_hours=72, plan_cols=24, plan_rows=14))
    standard = BoothType(fair=fair, name_th="บูธมาตรฐาน", name_en="Standard booth", size_label="3 x 3 ม.",
                         includes_th="โต๊ะ 1 ตัว เก้าอี้ 2 ตัว ปลั๊กไฟ 1 จุด", capacity=8, sort_order=0)
    double = BoothType(fair=fair, name_th="บูธคู่", name_en="Double booth", size_label="6 x 3 ม.",
                       includes_th="โต๊ะ 2 ตัว เก้าอี้ 4 ตัว ปลั๊กไฟ 2 จุด", capacity=2, sort_order=1)
    tent = BoothType(fair=fair, name_th="เต็นท์กลางแจ้ง", name_en="Outdoor tent", size_label="4 x 4 ม.",
                     includes_th="เต็นท์ โต๊ะ 1 ตัว เก้าอี้ 2 ตัว", capacity=4, sort_order=2)
    db.session.add_all([standard, double, tent])
    booths = []
    for i in range(10):  # zone A: a row of standard booths along the hall's north wall
        booths.append(Booth(fair_id=fair.id, booth_type=standard, code=f"A{i + 1:02d}", zone="A",
                            x=2 + i * 2, y=1, w=2, h=2, blocked=(i == 9)))
    for i in range(3):   # zone B: double booths in the middle of the hall
        booths.append(Booth(fair_id=fair.id, booth_type=double, code=f"B{i + 1:02d}", zone="B",
                            x=4 + i * 5, y=6, w=4, h=2))
    for i in range(5):   # zone C: tents on the lawn outside
        booths.append(Booth(fair_id=fair.id, booth_type=tent, code=f"C{i + 1:02d}", zone="C",
                            x=2 + i * 4, y=11, w=3, h=2))
    db.session.add_all(booths)
    plan = [  # organization, type, status, booth code
        ("culture", standard, Status.approved, "A01"), ("mfu", standard, Status.approved, "A02"),
        ("crru", standard, Status.approved, "A03"), ("mcu", double, Status.approved, "B01"),
        ("maesai", tent, Status.approved, "C01"), ("chiangsaen", tent, Status.approved, None),
        ("radio", standard, Status.submitted, None), ("coop", tent, Status.submitted, None),
        ("crc", double, Status.approved, None), ("rmutl", double, Status.waitlisted, None),
        ("province", standard, Status.draft, None),
    ]
    people = [("นาย", "ก้องภพ", "ใจดี"), ("นางสาว", "พิมพ์ชนก", "คำมา"), ("นาง", "ศรีนวล", "ทองดี")]
    for n, (key, booth_type, status, code) in enumerate(plan):
        application = Application(
            fair=fair, organization=orgs[key], booth_type=booth_type, status=status,
            show_text="นิทรรศการองค์กรคุณธรรมต้นแบบ ผลงานด้านความพอเพียง วินัย สุจริต จิตอาสา กตัญญู",
            share_text="แบ่งปันประสบการณ์การขับเคลื่อนองค์กรคุณธรรม",
            help_text="ให้คำปรึกษาการจัดทำแผนส่งเสริมคุณธรรม" if n % 2 else "",
            connect_text="เชื่อมเครือข่ายจังหวัดคุณธรรมเชียงราย",
            needs_power=bool(n % 3 == 0), needs_wheelchair=bool(n % 4 == 0),
            access_consent_at=now if n % 4 == 0 else None,
            submitted_at=None if status == Status.draft else now - timedelta(days=9 - n % 9),
            decided_at=now - timedelta(days=2) if status in (Status.approved, Status.waitlisted) else None,
            waitlisted_at=now - timedelta(days=2) if status == Status.waitlisted else None)
        application.people = [BoothPerson(position=i, title=t, first_name=f, last_name=l)
                               for i, (t, f, l) in enumerate(people[: 1 + n % 3])]
        db.session.add(application)
        if code:
            next(b for b in booths if b.code == code).application = application
    db.session.flush()
    return len(plan)
