"""Email confirmation and password reset links: good, expired, forged, used."""
import re

from fairapp.accounts import operations as ops
from fairapp.accounts.models import User
from tests.factories import PASSWORD, create_user


def _link(mail) -> str:
    return re.search(r"http://[^\s]+", mail.body).group(0).replace("http://localhost", "")


def test_confirmation_link_confirms(client, db, app):
    user = create_user("new@example.org", confirmed=False)
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed


def test_expired_confirmation_link(client, db, app, monkeypatch):
    user = create_user("new@example.org", confirmed=False)
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    monkeypatch.setitem(app.config, "CONFIRM_TOKEN_MAX_AGE", -1)
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 400
    assert "หมดอายุ" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.email_confirmed


def test_forged_confirmation_link(client, db, app):
    user = create_user("new@example.org", confirmed=False)
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    response = client.get(f"/confirm/{token[:-3]}abc")
    assert response.status_code == 400
    assert "ลิงก์นี้ไม่ถูกต้อง" in response.get_data(as_text=True)
    assert client.get("/confirm/garbage").status_code == 400


def test_confirmation_link_for_an_old_address_is_refused(client, db, app):
    user = create_user("old@example.org", confirmed=False)
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    user.email = "changed@example.org"
    db.session.commit()
    assert client.get(f"/confirm/{token}").status_code == 400


def test_resend_confirmation(client, db, login_as, post_form, outbox):
    login_as(create_user("new@example.org", confirmed=False))
    response = post_form("/confirm/resend", {}, page="/dashboard")
    assert response.status_code == 302
    mail = outbox()[0]
    assert mail.to == "new@example.org"
    assert client.get(_link(mail)).status_code == 302
    assert db.session.query(User).one().email_confirmed


def test_password_reset_round_trip(client, db, post_form, outbox):
    create_user("somchai@example.org")
    response = post_form("/password/forgot", {"email": "somchai@example.org"})
    assert response.status_code == 302
    link = _link(outbox()[0])
    assert "/password/reset/" in link
    response = post_form(link, {"password": "new-long-passphrase", "password2": "new-long-passphrase"})
    assert response.status_code == 302
    response = post_form("/login", {"email": "somchai@example.org", "password": "new-long-passphrase"})
    assert response.headers["Location"].endswith("/dashboard")
    # The link is used up: the password it was made for has changed.
    assert client.get(link).status_code == 400


def test_reset_refuses_weak_password_and_keeps_link(client, db, post_form, outbox):
    create_user("somchai@example.org")
    post_form("/password/forgot", {"email": "somchai@example.org"})
    link = _link(outbox()[0])
    html = post_form(link, {"password": "somchai-somchai", "password2": "somchai-somchai"}).get_data(as_text=True)
    assert "เดาง่ายเกินไป" in html
    response = post_form("/login", {"email": "somchai@example.org", "password": PASSWORD})
    assert response.status_code == 302  # old password still works


def test_expired_reset_link(client, db, app, monkeypatch):
    user = create_user("somchai@example.org")
    with app.test_request_context():
        token = ops.make_reset_token(user)
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "หมดอายุ" in response.get_data(as_text=True)


def test_forgot_password_does_not_reveal_accounts(client, db, post_form, outbox):
    response = post_form("/password/forgot", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "หากอีเมลนี้มีบัญชีอยู่" in response.get_data(as_text=True)
    assert outbox() == []


def test_a_confirmation_token_is_not_a_reset_token(client, db, app):
    user = create_user("somchai@example.org")
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    assert client.get(f"/password/reset/{token}").status_code == 400
