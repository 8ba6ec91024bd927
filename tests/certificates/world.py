"""A fair ready for certificates: a finalized category (three results, two with an award level), two
judges who scored, two booths checked in (with their people) and one that was not, and a template for
every kind."""
from fairapp.booths.models import Status
from fairapp.certificates import operations as cert_ops
from fairapp.core.time import utcnow
from fairapp.judging import operations as judging_ops

from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_org, create_user, grant
from tests.judging.test_chair_views import build_world, score_all


def build_cert_world(db):
    w = build_world(db)
    score_all(db, w)
    judging_ops.finalize(w.rubric, w.chair)
    w.booth_type = create_booth_type(w.fair, capacity=5)
    w.exhibitors = [create_org("ชุมชนบ้านป่าซาง"), create_org("โรงเรียนสามัคคีวิทยาคม"), create_org("วัดร่องขุ่น")]
    w.apps = []
    for index, (org, code) in enumerate(zip(w.exhibitors, ("A10", "A2", "B01"))):
        app = create_application(w.fair, org, w.booth_type, Status.approved,
                                 people=("ก้องภพ", "พิมพ์ชนก") if index == 0 else ("สมศรี",))
        create_booth(w.fair, w.booth_type, code, application=app)
        if index < 2:  # the third did not come
            app.checked_in_at = utcnow()
        w.apps.append(app)
    w.other_staff = create_user("other-staff@example.org")
    from tests.factories import create_fair
    w.other_fair = create_fair()
    grant(w.other_fair, w.other_staff, "staff")
    w.templates = {kind: cert_ops.new_template(w.fair, kind, w.staff) for kind in cert_ops.KINDS}
    for template in w.templates.values():
        template.signatories = [{"name": "นายสมชาย ใจดี", "position": "ผู้อำนวยการศูนย์คุณธรรม",
                                 "signature_key": None}]
    db.session.commit()
    return w


def build_issued_world(app, db):
    """The certificates world with two participant certificates issued: `w.cert` (with an organization)
    and `w.other` (without) -- what the public checks (/verify) are tried on."""
    from fairapp.core.transaction import unit_of_work

    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        (w.cert, w.other), _ = cert_ops.issue(w.fair, cert_ops.participant_candidates(
            w.fair, "นางสาวมาลี ใจงาม | ชุมชนบ้านป่าซาง\nนายก้องภพ ศรีสุข"), w.staff)
    return w
