"""The demo data loads on a migrated database and shows every part working, certificates included."""
from sqlalchemy import select

from fairapp.certificates.models import Certificate, CertificateTemplate
from fairapp.demo import load_demo


def test_the_demo_loads_with_certificates_of_every_kind(app, db, client):
    with app.test_request_context():
        summary = load_demo()
        db.session.commit()
    assert "certificates" in summary
    certificates = db.session.scalars(select(Certificate)).all()
    assert {c.kind for c in certificates} == {"awardee", "exhibitor", "judge", "participant"}
    assert {c.status for c in certificates} == {"valid", "revoked", "superseded"}
    assert db.session.query(CertificateTemplate).count() == 8
    awardees = sorted((c for c in certificates if c.kind == "awardee"), key=lambda c: c.stage_order)
    assert awardees[0].holder_name == "ชุมชนบ้านป่าซาง" and "ต้นแบบ" in awardees[0].role_th
    # Only the three booths that checked in (and their people), not Mae Fah Luang's.
    exhibitors = [c.holder_name for c in certificates if c.kind == "exhibitor"]
    assert "มหาวิทยาลัยแม่ฟ้าหลวง" not in exhibitors and "นางสาวก๋วยเตี๋ยว ที่นี่" in exhibitors
    superseded = next(c for c in certificates if c.status == "superseded")
    data = client.get(f"/verify/{superseded.grouped_serial}", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "superseded" and data["superseded_by"]
    # Every value in the audit log that names a person (an email or a user's name) is under a personal key
    # (core.audit.PERSONAL_KEYS), so an erasure can remove it and the chain still verifies.
    from fairapp.accounts.models import User
    from fairapp.core import audit
    from fairapp.core.audit import AuditEntry

    people = [(u.email, f"{u.first_name} {u.last_name}".strip()) for u in db.session.scalars(select(User))]
    needles = {n for pair in people for n in pair if len(n) >= 5}
    leaks = []
    for entry in db.session.scalars(select(AuditEntry)):
        for side in (entry.before, entry.after):
            for key, value in (side or {}).items() if isinstance(side, dict) else ():
                if key not in audit.PERSONAL_KEYS and any(n in str(value) for n in needles):
                    leaks.append((entry.action, key))
    assert leaks == []
    assert audit.full_check().bad == []
