"""A refused operation lands where the user looks: on its field with the input kept, above a button, or in
the JSON envelope; phones always come back in Thai national format; mail that fails never undoes a save."""
import re
from pathlib import Path

from fairapp.accounts.models import Invitation, Membership, Organization, User
from tests.accounts.helpers import field_error
from tests.accounts.test_signup import GOOD
from tests.factories import create_org, create_user


def test_email_taken_is_on_the_email_field_and_the_rest_is_kept(db, post_form):
    create_user("mali@example.org")
    html = post_form("/signup", {**GOOD, "phone": "053 723 979"}).get_data(as_text=True)
    assert "อีเมลนี้มีบัญชีอยู่แล้ว" in field_error(html, "email")
    assert field_error(html, "tax_id") == ""
    assert 'value="0994000165510"' in html and 'value="ชุมชนคุณธรรมบ้านป่าซาง"' in html
    assert 'value="053 723 979"' in html and "+6653723979" not in html
    assert db.session.query(Organization).count() == 0


def test_tax_id_taken_is_on_the_tax_id_field(db, post_form):
    create_org("วัดพระธาตุ", tax_id="0994000165510")
    html = post_form("/signup", GOOD).get_data(as_text=True)
    assert "เลขประจำตัว 13 หลักนี้ลงทะเบียนไว้แล้ว" in field_error(html, "tax_id")
    assert field_error(html, "email") == ""
    assert 'value="mali@example.org"' in html


def test_phone_comes_back_in_national_format_after_an_error_elsewhere(db, post_form):
    for typed, shown in (("053 723 979", "053 723 979"), ("0812345678", "081 234 5678"),
                         ("+66 81 234 5678", "081 234 5678")):
        html = post_form("/signup", {**GOOD, "phone": typed, "password2": "something-else-entirely"}
                         ).get_data(as_text=True)
        assert "ไม่ตรงกัน" in field_error(html, "password2")
        assert f'value="{shown}"' in html, typed
        assert 'value="+66' not in html
    assert db.session.query(User).count() == 0


def test_a_bad_phone_is_shown_as_typed(db, post_form):
    html = post_form("/signup", {**GOOD, "phone": "12"}).get_data(as_text=True)
    assert "ไม่ใช่เบอร์ในประเทศไทย" in field_error(html, "phone")
    assert 'value="12"' in html


def test_sign_up_is_saved_and_signed_in_even_when_the_mail_fails(client, db, post_form, monkeypatch, outbox):
    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("fairapp.core.mail.transmit", broken)
    response = post_form("/signup", GOOD)
    assert response.status_code == 302
    assert db.session.query(User).filter_by(email="mali@example.org").count() == 1
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "บันทึกแล้ว แต่ส่งอีเมลถึง mali@example.org ไม่สำเร็จ" in dashboard  # said, not hidden
    assert outbox() == []


def test_inviting_a_member_again_is_on_the_email_field(client, db, login_as, post_form, outbox):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    html = post_form(f"/orgs/{org.id}", {"email": "Owner@Example.org"}).get_data(as_text=True)
    assert "เป็นสมาชิกขององค์กรอยู่แล้ว" in field_error(html, "email")
    assert 'value="owner@example.org"' in html
    assert db.session.query(Invitation).count() == 0 and outbox() == []


def test_a_script_gets_the_json_envelope(client, db, login_as, post_form):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    response = post_form(f"/orgs/{org.id}", {"email": "owner@example.org"},
                         headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json() == {"ok": False, "code": "already_member",
                                   "message": "ผู้ใช้นี้เป็นสมาชิกขององค์กรอยู่แล้ว"}


def test_cancelling_a_closed_invitation_is_flashed(client, db, login_as, post_form):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    post_form(f"/orgs/{org.id}", {"email": "invitee@example.org"})
    invitation = db.session.query(Invitation).one()
    url = f"/orgs/{org.id}/invitations/{invitation.id}/cancel"
    assert post_form(url, {}, page=f"/orgs/{org.id}").status_code == 302
    response = post_form(url, {}, page=f"/orgs/{org.id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in html and "คำเชิญนี้ใช้ไม่ได้แล้ว" in html
    assert response.request.path == f"/orgs/{org.id}"


def test_accepting_another_address_invitation_shows_the_error_above_the_button(client, db, login_as,
                                                                                 post_form, outbox):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    post_form(f"/orgs/{org.id}", {"email": "invitee@example.org"})
    link = re.search(r"http://localhost(/join/\S+)", outbox()[0].body).group(1)
    login_as(create_user("someone@example.org"))
    response = post_form(link, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<p class="error">[^<]*คำเชิญนี้ส่งถึงอีเมลอื่น', html)
    assert db.session.query(Membership).count() == 1


def test_joining_keeps_the_phone_in_national_format(client, db, login_as, post_form, outbox):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))
    post_form(f"/orgs/{org.id}", {"email": "new@example.org"})
    link = re.search(r"http://localhost(/join/\S+)", outbox()[0].body).group(1)
    client.delete_cookie("session")
    html = post_form(link, {"title": "นาย", "first_name": "ใหม่", "phone": "053723979",
                            "password": "a-long-pass-phrase", "password2": "another-pass-phrase"}
                     ).get_data(as_text=True)
    assert "ไม่ตรงกัน" in field_error(html, "password2")
    assert 'value="053 723 979"' in html and 'value="ใหม่"' in html


def test_member_phones_are_shown_in_national_format(client, db, login_as):
    org = create_org()
    login_as(create_user("owner@example.org", org=org))  # the factory's phone is +66812345678
    html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "081 234 5678" in html and "+66812345678" not in html


def test_control_and_bidi_characters_are_refused_on_their_field_everywhere(db, post_form):
    """One place (core.forms.BaseForm) refuses them in every form: a CR/LF in a one-line name (it would
    break a mail header), a NUL, a right-to-left override that would print a name backwards."""
    for field, value in (("org_name_th", "ชุมชน\r\nBcc: x@example.org"), ("first_name", "มะลิ\x00"),
                         ("last_name", "\u202eงานยีศ")):
        html = post_form("/signup", {**GOOD, field: value}).get_data(as_text=True)
        assert "ข้อความมีอักขระควบคุมที่ใช้ไม่ได้" in field_error(html, field), field
    assert db.session.query(Organization).count() == 0 and db.session.query(User).count() == 0


def test_a_stored_name_with_a_line_break_cannot_break_the_mail_header(app, client, db, login_as, post_form,
                                                                      outbox):
    """Text stored before the forms refused control characters (or built from several texts) still cannot
    break a mail: core.mail builds the subject with core.text.header_text (one line, no controls, cut)."""
    org = create_org("ชุมชน\r\nBcc: victim@example.org\x1b\u202e" + "ก" * 150)  # NUL: PostgreSQL refuses it anyway
    login_as(create_user("owner@example.org", org=org))
    response = post_form(f"/orgs/{org.id}", {"email": "friend@example.org"})
    assert response.status_code == 302
    assert db.session.query(Invitation).count() == 1
    [mail] = outbox()
    subject = mail.subject
    assert "\r" not in subject and "\n" not in subject and "\x1b" not in subject and "\u202e" not in subject
    assert subject.startswith("คำเชิญเข้าร่วม ชุมชน Bcc: victim@example.org") and subject.endswith("…")
    assert len(subject) == 180 and mail.to == "friend@example.org"
    raw = (Path(app.config["MAIL_OUTBOX_DIR"]) / mail.name).read_bytes()
    assert not any(line.lower().startswith(b"bcc:") for line in raw.splitlines())
