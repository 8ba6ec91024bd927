"""Account operations without HTTP: they flush, queue their mail for after the commit, raise named errors
that say which form field they belong to, and never commit."""
import pytest
from flask import g
from werkzeug.exceptions import NotFound

from fairapp.accounts import operations as ops
from fairapp.accounts.access import get_or_404, invitation_or_404
from fairapp.accounts.models import Invitation, Membership, Organization, Sector, User
from fairapp.core.errors import DomainError
from fairapp.core.transaction import unit_of_work
from fairapp.fairs.models import FairRole
from tests.factories import create_fair, create_org, create_user, grant

ORG = {"name_th": "ชุมชนคุณธรรมบ้านป่าซาง", "name_en": None, "sector": Sector.civil, "province_code": "57",
       "district_code": "5701", "tax_id": "0994000165510"}
PERSON = {"email": "mali@example.org", "title": "นางสาว", "first_name": "มะลิ", "last_name": "ศรีเวียง",
          "phone": "+6653723979"}


def _queued():
    return [(to, template) for to, _subject, template, _locale, _context in g.get("mail_queue", [])]


@pytest.fixture
def request_ctx(app, db):
    with app.test_request_context():
        yield


def test_errors_name_their_field_and_status():
    assert (ops.EmailTaken.field, ops.TaxIdTaken.field, ops.AlreadyMember.field) == ("email", "tax_id", "email")
    assert ops.TokenInvalid.status == ops.TokenExpired.status == ops.InvitationClosed.status == 400
    assert ops.EmailTaken.code == "email_taken"


def test_register_queues_the_confirmation_and_sends_it_only_after_the_commit(request_ctx, db, outbox):
    with unit_of_work():
        user = ops.register_organization(org=ORG, person=PERSON, password="a-long-pass-phrase")
        assert _queued() == [("mali@example.org", "confirm")]
        assert outbox() == []  # nothing leaves before the commit
    mails = outbox()
    assert [m.to for m in mails] == ["mali@example.org"] and "/confirm/" in mails[0].body
    assert db.session.get(User, user.id).memberships[0].role == "owner"


def test_a_failed_sign_up_saves_nothing_and_mails_nothing(request_ctx, db, outbox):
    create_org("วัดพระธาตุ", tax_id=ORG["tax_id"])
    with pytest.raises(ops.TaxIdTaken):
        with unit_of_work():
            ops.register_organization(org=ORG, person=PERSON, password="a-long-pass-phrase")
    assert db.session.query(User).count() == 0 and outbox() == []


def test_an_address_taken_at_the_same_moment_is_email_taken_not_a_crash(request_ctx, db, monkeypatch):
    create_user("mali@example.org")
    # The other request's row arrives between our check and our insert: the unique constraint decides.
    monkeypatch.setattr(ops, "find_user_by_email", lambda email: None)
    with pytest.raises(ops.EmailTaken):
        ops.create_user(email="mali@example.org", password="a-long-pass-phrase", first_name="มะลิ")
    # Only the savepoint was undone: the transaction goes on.
    assert db.session.query(User).count() == 1


def test_reset_mail_only_for_an_active_account(request_ctx, db):
    create_user("somchai@example.org")
    gone = create_user("gone@example.org")
    gone.active = False
    ops.request_password_reset("nobody@example.org")
    ops.request_password_reset("gone@example.org")
    assert _queued() == []
    ops.request_password_reset(" Somchai@Example.org ")
    assert _queued() == [("somchai@example.org", "reset")]


def test_confirmation_is_not_sent_again_to_a_confirmed_address(request_ctx, db):
    assert ops.request_confirmation(create_user("done@example.org")) is False
    assert ops.request_confirmation(create_user("new@example.org", confirmed=False)) is True
    assert _queued() == [("new@example.org", "confirm")]


def test_invitation_is_mailed_and_used_once(request_ctx, db):
    org = create_org()
    owner = create_user("owner@example.org", org=org)
    invitation, token = ops.invite_member(org, "New@Example.org", owner, locale="en")
    assert _queued() == [("new@example.org", "invite")]
    assert g.mail_queue[0][3] == "en"
    assert ops.open_invitation(token) is invitation
    user = ops.join_by_invitation(invitation, person={"title": "นาย", "first_name": "ใหม่"},
                                  password="a-long-pass-phrase")
    assert user.is_member_of(org.id) and user.email_confirmed
    with pytest.raises(ops.InvitationClosed):
        ops.open_invitation(token)
    with pytest.raises(ops.InvitationClosed):
        ops.accept_invitation(invitation, user)
    with pytest.raises(ops.InvitationClosed):
        ops.open_invitation("not-a-token")


def test_inviting_a_member_is_refused_on_the_email_field(request_ctx, db):
    org = create_org()
    owner = create_user("owner@example.org", org=org)
    with pytest.raises(ops.AlreadyMember) as refused:
        ops.invite_member(org, "OWNER@example.org", owner)
    assert refused.value.field == "email" and _queued() == []


def test_an_invitation_for_another_address_is_refused(request_ctx, db):
    org = create_org()
    invitation, _ = ops.invite_member(org, "invitee@example.org", create_user(org=org))
    with pytest.raises(ops.InvitationForOtherEmail):
        ops.accept_invitation(invitation, create_user("someone@example.org"))
    assert db.session.query(Membership).count() == 1


def test_cancel_twice_is_invitation_closed(request_ctx, db):
    org = create_org()
    owner = create_user(org=org)
    invitation, _ = ops.invite_member(org, "invitee@example.org", owner)
    ops.cancel_invitation(invitation, owner)
    with pytest.raises(ops.InvitationClosed):
        ops.cancel_invitation(invitation, owner)


def test_get_or_404_hides_what_belongs_to_another_parent(request_ctx, db):
    mine, theirs = create_org(), create_org()
    invitation, _ = ops.invite_member(theirs, "x@example.org", create_user(org=theirs))
    assert invitation_or_404(theirs, invitation.id) is invitation
    with pytest.raises(NotFound):
        invitation_or_404(mine, invitation.id)
    with pytest.raises(NotFound):
        get_or_404(Invitation, 999999, parent=theirs)
    with pytest.raises(NotFound):
        get_or_404(Organization, 999999)
    fair, other = create_fair(), create_fair()
    row = grant(other, create_user(), "staff")
    assert get_or_404(FairRole, row.id, parent=other) == row
    with pytest.raises(NotFound):
        get_or_404(FairRole, row.id, parent=fair)
    assert get_or_404(FairRole, row.id, parent=row.user, via="user") == row
    # A link that does not exist is a programming error, not a 404.
    with pytest.raises(TypeError):
        get_or_404(FairRole, row.id, parent=fair, via="granted_by")


def test_domain_errors_are_domain_errors():
    for error in (ops.EmailTaken, ops.TaxIdTaken, ops.TokenInvalid, ops.TokenExpired, ops.AlreadyMember,
                  ops.InvitationClosed, ops.InvitationForOtherEmail):
        assert issubclass(error, DomainError)
