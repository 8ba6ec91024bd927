"""Demo certificates. The past fair (2564, Thai numerals) went all the way: booths checked in, a community
category judged and finalized, and certificates issued for every kind, one reissued (a misspelled name)
and one revoked; both fairs have a template per kind with a background, two emblems and signatures."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .accounts.models import User
from .booths.models import Application, Booth, BoothPerson, BoothType, Status
from .certificates import operations as cert_ops
from .certificates.models import Certificate
from .core.storage import storage
from .extensions import db
from .fairs.models import Fair, FairRole
from .judging import operations as judging_ops
from .judging.models import AwardLevel, Criterion, JudgeProfile, Rubric
from .nominations.models import Category, Nomination, NominationStatus, NominatorKind
from . import demo_art

SIGNATORIES = [("นายสมชาย ใจดี", "ผู้อำนวยการศูนย์คุณธรรม (องค์การมหาชน)"),
               ("นางสุภาพร อินทร์แก้ว", "วัฒนธรรมจังหวัดเชียงราย")]


def _artwork() -> dict:
    store = storage()
    return {"background": store.save(demo_art.background(), "jpg"),
            "logos": [store.save(demo_art.emblem(), "png"), store.save(demo_art.emblem((30, 100, 60), 6), "png")],
            "signatures": [store.save(demo_art.signature(1), "png"), store.save(demo_art.signature(7), "png")]}


def _templates(fair: Fair, actor: User, art: dict) -> None:
    for kind in cert_ops.KINDS:
        template = cert_ops.new_template(fair, kind, actor)
        template.background_key = art["background"]
        template.logo_keys = list(art["logos"])
        template.signatories = [{"name": name, "position": position, "signature_key": key}
                                for (name, position), key in zip(SIGNATORIES, art["signatures"])]


def load_demo_certificates(fair: Fair, past: Fair, orgs: dict, now) -> int:
    """Templates for both fairs; the past fair's booths, judged category and issued certificates."""
    staff = db.session.scalar(select(User).where(User.email == "staff@fairapp.local"))
    judge = db.session.scalar(select(User).where(User.email == "judge@fairapp.local"))
    chair = db.session.scalar(select(User).where(User.email == "chair@fairapp.local"))
    _templates(fair, staff, _artwork())  # each fair its own files: editing one never deletes the other's
    _templates(past, staff, _artwork())

    # Booths on the day: four approved, three checked in.
    booth_type = BoothType(fair=past, name_th="บูธมาตรฐาน", size_label="3 x 3 ม.", capacity=6)
    db.session.add(booth_type)
    db.session.flush()
    people = {"culture": [("นาง", "สุภาพร", "อินทร์แก้ว"), ("นาย", "ธนากร", "ศรีวิชัย")],
              "mfu": [("ผศ.ดร.", "อรุณี", "แก้วมณี")], "mcu": [("พระครู", "สมุห์อนันต์", "อนนฺโท")],
              "maesai": [("นาย", "บุญมา", "ใจงาม"), ("นางสาว", "ก๋วยเตี๋ยว", "ที่นี่")]}
    for index, key in enumerate(("culture", "mfu", "mcu", "maesai")):
        application = Application(fair=past, organization=orgs[key], booth_type=booth_type, status=Status.approved,
                                  show_text="นิทรรศการชุมชนและองค์กรคุณธรรมต้นแบบ", submitted_at=now - timedelta(days=1800),
                                  decided_at=now - timedelta(days=1790),
                                  checked_in_at=None if key == "mfu" else now - timedelta(days=1761),
                                  religion_consent_at=now - timedelta(days=1800) if key == "mcu" else None)  # s.26
        application.people = [BoothPerson(position=i, title=t, first_name=f, last_name=l)
                              for i, (t, f, l) in enumerate(people[key])]
        db.session.add(application)
        db.session.add(Booth(fair_id=past.id, booth_type=booth_type, code=f"A{index + 1:02d}", zone="A", x=2 + 3 * index,
                             y=2, w=2, h=2, application=application))
    # A judged and finalized community category.
    category = Category(fair=past, name_th="ชุมชนคุณธรรมต้นแบบ", name_en="Model moral community",
                        nominee_kind="community", opens_on=past.nomination_opens, closes_on=past.nomination_closes,
                        nominator_kind=NominatorKind.office)
    db.session.add(category)
    db.session.flush()
    communities = [("ชุมชนบ้านป่าซาง", "บ้านป่าซาง หมู่ 4", "ป่าซาง", "5707"),
                   ("ชุมชนบ้านห้วยซ้อ", "บ้านห้วยซ้อ หมู่ 2", "ห้วยซ้อ", "5703"),
                   ("ชุมชนบ้านสันทรายหลวง", "บ้านสันทรายหลวง หมู่ 1", "สันทราย", "5701")]
    nominations = []
    for name, village, subdistrict, district in communities:
        nomination = Nomination(fair_id=past.id, category_id=category.id, nominator_org_id=orgs["culture"].id,
                                community_name=name, community_village=village, community_subdistrict=subdistrict,
                                community_district_code=district, community_province_code="57",
                                status=NominationStatus.eligible, narratives={})
        db.session.add(nomination)
        nominations.append(nomination)
    # The winner's story and photos, what its nominator chose to publish on its awardee page (awardees/).
    from .demo import NARRATIVES, _demo_evidence
    winner = nominations[0]
    winner.narratives = dict(NARRATIVES)
    winner.public_sections = ["sufficiency", "volunteer", "outcomes"]
    _demo_evidence(winner)
    for evidence in winner.evidence[:2]:
        evidence.public = True
    rubric = Rubric(category_id=category.id, judges_per_nomination=2, ranking="raw")
    criterion = Criterion(position=0, name_th="การขับเคลื่อนคุณธรรมในชุมชน", weight=100, scale_min=1, scale_max=5)
    rubric.criteria = [criterion]
    rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=60, name_th="เชิดชูเกียรติ")]
    db.session.add(rubric)
    db.session.add(FairRole(fair=past, user=chair, role="judge"))  # the past fair's chair also scored
    db.session.add_all([JudgeProfile(fair_id=past.id, user_id=judge.id, affiliation_org_id=orgs["mfu"].id),
                        JudgeProfile(fair_id=past.id, user_id=chair.id, affiliation_org_id=orgs["crru"].id)])
    db.session.flush()
    for nomination, (a, b) in zip(nominations, ((5, 5), (4, 4), (4, 3))):
        for user, value in ((judge, a), (chair, b)):
            assignment = judging_ops.add_assignment(user, nomination, chair)
            judging_ops.record_score(assignment, criterion, value, "", user)
    judging_ops.finalize(rubric, chair)
    db.session.flush()

    # Certificates for every kind; a misspelled name reissued; a participant's revoked.
    issued = 0
    for kind, extra in (("awardee", {"category": category}), ("exhibitor", {}), ("judge", {}),
                        ("participant", {"lines": "นางสาวมาลี ใจงาม | โรงเรียนบ้านป่าซาง\n"
                                                   "นายสมชาย ผู้ใหญ่บ้าน | ชุมชนบ้านห้วยซ้อ\n"
                                                   "Mr. John Smith | Chiang Rai International School"})):
        certificates, _ = cert_ops.issue(past, cert_ops.candidates_for(past, kind, **extra), staff)
        issued += len(certificates)
    misspelled = db.session.scalar(select(Certificate).where(
        Certificate.fair_id == past.id, Certificate.holder_name == "นายธนากร ศรีวิชัย"))
    cert_ops.reissue(misspelled, "สะกดนามสกุลผิด", staff, holder_name="นายธนากร ศรีวิไชย")
    revoked = db.session.scalar(select(Certificate).where(
        Certificate.fair_id == past.id, Certificate.holder_name == "นายสมชาย ผู้ใหญ่บ้าน"))
    cert_ops.revoke(revoked, "ออกให้ผิดคน ผู้เข้าร่วมตัวจริงคือผู้ใหญ่บ้านหมู่ 2", staff,
                    public_reason="issued_in_error")
    return issued + 1
