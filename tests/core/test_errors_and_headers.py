import pytest


def test_security_headers_on_pages(client):
    response = client.get("/")
    h = response.headers
    assert "default-src 'self'" in h["Content-Security-Policy"]
    assert "script-src 'self'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, db):
    from tests.factories import create_user
    user = create_user("cookie@example.org")
    html = client.get("/login").get_data(as_text=True)
    from tests.conftest import csrf_token_from
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                           "csrf_token": csrf_token_from(html)})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_is_the_default(monkeypatch, tmp_path):
    from fairapp import create_app
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("FAIRAPP_INSTANCE", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_404_in_thai_then_english(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "ไม่พบหน้านี้" in html
    assert "กลับหน้าแรก" in html
    client.set_cookie("lang", "en")
    html = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_404_as_json_when_asked(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["ok"] is False
    assert response.json["code"] == "not_found"
    assert response.json["message"]


def test_405_says_what_to_do(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "ใช้ปุ่มบนหน้าเว็บ" in response.get_data(as_text=True)


def test_413_oversized_request(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "ใหญ่เกิน" in response.get_data(as_text=True)


def test_500_page_rolls_back_and_explains(client, app, monkeypatch):
    def boom():
        raise RuntimeError("unexpected")

    monkeypatch.setitem(app.view_functions, "fairs.index", boom)
    response = client.get("/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "ระบบขัดข้อง" in html
    assert "unexpected" not in html  # no internals shown


def test_missing_csrf_on_a_button_gives_the_csrf_page(client):
    response = client.post("/logout")
    assert response.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_sticks(client):
    response = client.get("/lang/en", query_string={"next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.get("/lang/th")
    assert '<html lang="th">' in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    response = client.get("/lang/xx")
    assert "Set-Cookie" not in response.headers


def test_a_get_of_the_language_switch_changes_no_account_but_the_signed_in_post_does(client, db, login_as, post_form):
    from tests.factories import create_user

    user = create_user()
    user.locale = "th"
    db.session.commit()
    login_as(user)
    client.get("/lang/en")
    db.session.refresh(user)
    assert user.locale == "th"  # a GET only sets the cookie
    response = post_form("/lang/en?next=/dashboard", {}, page="/dashboard")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    db.session.refresh(user)
    assert user.locale == "en"
