"""A signed-in person with no organization (their join request was refused, or they came as a judge)
registers the one they represent at /orgs/new, or asks to join it when it is already registered: the same
rules as sign-up, and never a dead end (issue 16)."""
from sqlalchemy import select

from fairapp.accounts.models import JoinRequest, Membership, Organization
from fairapp.core.audit import AuditEntry
from tests.factories import create_org, create_user

ORG = {"org_name_th": "ชุมชนคุณธรรมบ้านสันติสุข", "org_name_en": "", "sector": "civil", "province": "57",
       "district": "5701", "tax_id": ""}


def test_the_home_of_a_person_without_an_organization_leads_to_the_page(client, login_as, db):
    login_as(create_user("refused@example.org"))
    assert 'href="/orgs/new"' in client.get("/dashboard").get_data(as_text=True)
    page = client.get("/orgs/new")
    assert page.status_code == 200 and 'id="org-form"' in page.get_data(as_text=True)


def test_a_new_organization_is_registered_with_the_person_as_its_owner(client, login_as, post_form, db):
    person = create_user("refused@example.org")
    login_as(person)
    response = post_form("/orgs/new", ORG)
    org = db.session.scalar(select(Organization).where(Organization.name_th == ORG["org_name_th"]))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/orgs/{org.id}")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == person.id))
    assert (membership.organization_id, membership.role) == (org.id, "owner")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organization.registered"))
    assert entry.actor_id == person.id and entry.object_id == org.id


def test_one_already_registered_is_offered_to_join_and_nothing_is_created(client, login_as, post_form, db, outbox):
    owner = create_user("owner@example.org", org=create_org("ชุมชนคุณธรรม บ้านสันติสุข", province_code="57",
                                                           district_code="5701"))
    existing = owner.memberships[0].organization
    person = create_user("refused@example.org")
    login_as(person)
    page = post_form("/orgs/new", ORG)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'id="match-{existing.id}"' in html and ORG["org_name_th"] in html
    assert db.session.query(Organization).count() == 1  # not a second one
    asked = post_form("/orgs/new", {**ORG, "join_org": existing.id, "join_message": "ฝ่ายกิจกรรม"})
    assert asked.status_code == 302
    join = db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == person.id))
    assert (join.organization_id, join.state, join.message) == (existing.id, "pending", "ฝ่ายกิจกรรม")
    assert [m.to for m in outbox()] == ["owner@example.org"]
    assert not db.session.scalar(select(Membership).where(Membership.user_id == person.id))


def test_a_mistake_keeps_what_was_typed_and_creates_nothing(client, login_as, post_form, db):
    login_as(create_user("refused@example.org"))
    page = post_form("/orgs/new", {**ORG, "district": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "กรุณาเลือกอำเภอ/เขต" in html and ORG["org_name_th"] in html
    assert db.session.query(Organization).count() == 0


def test_signed_out_goes_to_sign_in_and_a_post_needs_its_token(client, login_as, db):
    response = client.get("/orgs/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(create_user("refused@example.org"))
    stale = client.post("/orgs/new", data=ORG)  # the form says so and keeps what was typed
    assert stale.status_code == 200 and ORG["org_name_th"] in stale.get_data(as_text=True)
    assert db.session.query(Organization).count() == 0
