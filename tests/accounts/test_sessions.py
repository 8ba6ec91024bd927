"""Sessions end with the password: a reset and "sign out everywhere" void every session and remember
cookie made before them (users.session_version), a logout voids its own (its nonce in ended_sessions);
both are carried in Flask-Login's identity."""
from __future__ import annotations

from sqlalchemy import func, select

from fairapp.accounts import operations as ops
from fairapp.accounts.models import EndedSession, User
from fairapp.core.audit import AuditEntry
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, create_user

EMAIL = "somchai@example.org"
NEW_PASSWORD = "ดอกบัว-บาน-ริมน้ำ-2569"
SESSION, REMEMBER = "session", "remember_token"


def _client(app):
    # The `client` fixture has set the test client class (a fresh context per request).
    return app.test_client()


def _sign_in(app, remember: bool = False):
    c = _client(app)
    html = c.get("/login").get_data(as_text=True)
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token_from(html)}
    if remember:
        data["remember"] = "y"
    response = c.post("/login", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert c.get("/dashboard").status_code == 200
    return c


def _cookie(c, name: str) -> str:
    cookie = c.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _with_cookie(app, name: str, value: str):
    """A browser that holds only this copied cookie."""
    c = _client(app)
    c.set_cookie(name, value)
    return c


def _signed_out(c) -> bool:
    response = c.get("/dashboard")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _post_button(c, url: str, page: str = "/dashboard"):
    return c.post(url, data={"csrf_token": csrf_token_from(c.get(page).get_data(as_text=True))})


def test_a_password_reset_ends_old_session_and_remember_cookies(app, client, db):
    create_user(EMAIL)
    browser = _sign_in(app, remember=True)
    session_copy, remember_copy = _cookie(browser, SESSION), _cookie(browser, REMEMBER)
    assert not _signed_out(_with_cookie(app, SESSION, session_copy))
    assert not _signed_out(_with_cookie(app, REMEMBER, remember_copy))

    with app.test_request_context():
        token = ops.make_reset_token(db.session.scalar(select(User)))
    link = f"/password/reset/{token}"
    html = client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                       "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302

    assert _signed_out(browser)
    assert _signed_out(_with_cookie(app, SESSION, session_copy))
    assert _signed_out(_with_cookie(app, REMEMBER, remember_copy))
    # The new password signs in as before.
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": EMAIL, "password": NEW_PASSWORD,
                                           "csrf_token": csrf_token_from(html)})
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_a_cookie_captured_before_logout_stops_working(app, client, db):
    create_user(EMAIL)
    browser = _sign_in(app, remember=True)
    session_copy, remember_copy = _cookie(browser, SESSION), _cookie(browser, REMEMBER)
    response = _post_button(browser, "/logout")
    assert response.status_code == 302
    assert _signed_out(browser)
    assert _signed_out(_with_cookie(app, SESSION, session_copy))
    assert _signed_out(_with_cookie(app, REMEMBER, remember_copy))
    # Signing in again works.
    assert not _signed_out(_sign_in(app))


def test_logout_ends_that_session_alone(app, client, db):
    create_user(EMAIL)
    phone, laptop = _sign_in(app, remember=True), _sign_in(app, remember=True)
    phone_remember = _cookie(phone, REMEMBER)
    assert _post_button(laptop, "/logout").status_code == 302
    assert _signed_out(laptop)
    assert not _signed_out(phone)
    assert not _signed_out(_with_cookie(app, REMEMBER, phone_remember))
    # A password reset later ends the rest, and the logged-out rows go with them.
    with app.test_request_context():
        ops.end_sessions(db.session.scalar(select(User)))
        db.session.commit()
    assert _signed_out(phone)
    assert db.session.scalar(select(func.count()).select_from(EndedSession)) == 0


def test_sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one(app, client, db):
    user = create_user(EMAIL)
    here = _sign_in(app, remember=True)
    elsewhere = _sign_in(app, remember=True)
    elsewhere_remember = _cookie(elsewhere, REMEMBER)
    assert "ออกจากระบบบนอุปกรณ์อื่นทั้งหมด" in here.get("/dashboard").get_data(as_text=True)

    response = _post_button(here, "/sessions/end-others")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = here.get("/dashboard")
    assert page.status_code == 200
    assert "ออกจากระบบบนอุปกรณ์อื่นทั้งหมดแล้ว" in page.get_data(as_text=True)
    # This browser's remember cookie was issued again, with the new version: it alone signs in.
    assert not _signed_out(_with_cookie(app, REMEMBER, _cookie(here, REMEMBER)))

    assert _signed_out(elsewhere)
    assert _signed_out(_with_cookie(app, REMEMBER, elsewhere_remember))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sessions_ended"))
    assert entry is not None and entry.actor_id == user.id


def test_sign_out_everywhere_needs_the_csrf_token_and_a_session(app, client, db):
    create_user(EMAIL)
    here = _sign_in(app)
    assert here.post("/sessions/end-others").status_code == 400
    assert not _signed_out(here)
    assert db.session.scalar(select(User.session_version)) == 0
    anonymous = _client(app)
    response = anonymous.post("/sessions/end-others",
                              data={"csrf_token": csrf_token_from(anonymous.get("/login").get_data(as_text=True))})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_identity_carries_the_version(app, client, db, login_as):
    """A session made before versions existed (the bare id) counts as version 0: it holds until the
    version first moves; a forged or malformed identity loads no one."""
    user = create_user(EMAIL)
    user.start_session()
    nonce = user.session_nonce
    assert user.get_id() == f"{user.id}:0:{nonce}"
    browser = login_as(user)  # session["_user_id"] = the bare id
    assert not _signed_out(browser)
    with app.test_request_context():
        ops.end_sessions(user)
        db.session.commit()
    assert _signed_out(browser)
    for identity in (f"{user.id}:0", f"{user.id}:0:{nonce}", f"{user.id}:x", f"{user.id}:1:1", "x",
                     f"{user.id}:٢", f"{user.id}:1:{nonce}:", ""):
        with browser.session_transaction() as session:
            session["_user_id"] = identity
        assert _signed_out(browser), identity
    for identity in (f"{user.id}:1", f"{user.id}:1:{nonce}"):
        with browser.session_transaction() as session:
            session["_user_id"] = identity
        assert not _signed_out(browser), identity


def test_a_signed_in_request_loads_its_user_in_one_query(app, client, db, count_queries):
    """Every signed-in request loads the user and checks that its session was not ended: one statement."""
    user = create_user(EMAIL)
    user.start_session()
    identity = user.get_id()
    db.session.commit()
    laptop = _sign_in(app)
    assert _post_button(laptop, "/logout").status_code == 302
    ended_nonce = db.session.scalar(select(EndedSession.nonce))
    loader = app.login_manager._user_callback
    with app.test_request_context():
        with count_queries() as n:
            assert loader(identity).id == user.id
        assert n[0] == 1
        with count_queries() as n:
            assert loader(f"{user.id}:0:{ended_nonce}") is None  # that session was logged out
        assert n[0] == 1
