"""The nominated organization is told (issue 16), not only its nominator: by mail when it is found
eligible and when it is awarded (and when nominated: the submit operation), on its home page too."""
from __future__ import annotations

from fairapp.core.transaction import unit_of_work
from fairapp.nominations.models import NominationStatus
from fairapp.nominations.operations.common import notify_nominee
from tests.factories import create_org, create_user
from tests.nominations.test_staff import make_nomination, own_uploads, world  # noqa: F401  (a fixture)


def test_the_nominated_organization_hears_it_is_eligible(db, client, login_as, post_form, outbox):
    w = world(db)
    nominee = create_org("วิสาหกิจชุมชนบ้านดอนแก้ว")
    nominee_member = create_user("nominee@example.org", org=nominee)
    nomination = make_nomination(w.category, w.org, nominee=nominee, photos=1, pdfs=1)
    login_as(w.staff)
    response = post_form(f"/nominations/{nomination.id}/decide", {"action": "eligible"},
                         page=f"/nominations/{nomination.id}/review")
    assert response.status_code == 302
    mails = {m.to: m for m in outbox()}
    assert set(mails) == {"member@example.org", "nominee@example.org"}
    told = mails["nominee@example.org"]
    assert "วิสาหกิจชุมชนบ้านดอนแก้ว" in told.body and "ผ่านการตรวจคุณสมบัติแล้ว" in told.body
    assert "/dashboard" in told.body and f"/nominations/{nomination.id}" not in told.body  # not the nominator's page
    login_as(nominee_member)
    assert "ผ่านการตรวจคุณสมบัติ" in client.get("/dashboard").get_data(as_text=True)


def test_a_self_nomination_or_a_community_gets_no_second_mail(app, db, outbox):
    w = world(db)
    community = make_nomination(w.category, w.org, community="ชุมชนบ้านสันทราย")
    with app.test_request_context(), unit_of_work():
        notify_nominee(w.nomination, "nominated")  # nominated itself: its members have the nominator's mail
        notify_nominee(community, "nominated")     # a community has no account to tell
    assert outbox() == []


def test_an_award_is_told_once_and_again_only_when_it_changes(app, db, outbox):
    from fairapp.judging import operations as judging_ops
    from tests.judging.test_chair_views import build_world, score_all

    w = build_world(db)
    told = create_user("told@example.org", org=w.orgs[2])
    w.noms[2].nominator_org_id = w.orgs[0].id        # C, nominated by A's organization, will be first
    db.session.commit()
    score_all(db, w)
    with app.test_request_context(), unit_of_work():
        judging_ops.finalize(w.rubric, w.chair)
    awarded = [m for m in outbox() if m.to == told.email]
    assert len(awarded) == 1 and "ต้นแบบ" in awarded[0].body
    with app.test_request_context(), unit_of_work():   # reopened and finalized again, the same level
        judging_ops.reopen(w.rubric, "ตรวจทาน", w.chair)
        judging_ops.finalize(w.rubric, w.chair)
    assert len([m for m in outbox() if m.to == told.email]) == 1
    assert NominationStatus.eligible == w.noms[2].status
