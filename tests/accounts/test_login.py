from fairapp.accounts.models import User
from tests.factories import PASSWORD, create_user


def test_login_and_logout(client, db, post_form):
    create_user("somchai@example.org")
    response = post_form("/login", {"email": "Somchai@Example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert db.session.query(User).one().last_login_at is not None
    assert client.get("/dashboard").status_code == 200
    response = post_form("/logout", {}, page="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_keeps_email_not_password(client, db, post_form):
    create_user("somchai@example.org")
    response = post_form("/login", {"email": "somchai@example.org", "password": "wrong-password-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in html
    assert 'value="somchai@example.org"' in html
    assert "wrong-password-1" not in html


def test_unknown_email_gets_the_same_answer(client, db, post_form):
    html = post_form("/login", {"email": "nobody@example.org", "password": "whatever-123"}).get_data(as_text=True)
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in html


def test_deactivated_user_cannot_log_in(client, db, post_form):
    user = create_user("gone@example.org")
    user.active = False
    db.session.commit()
    html = post_form("/login", {"email": "gone@example.org", "password": PASSWORD}).get_data(as_text=True)
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in html


def test_login_is_rate_limited(client, db, post_form):
    create_user("somchai@example.org")
    statuses = [post_form("/login", {"email": "somchai@example.org", "password": f"wrong-{i}"}).status_code
                for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    response = post_form("/login", {"email": "somchai@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "ทำรายการถี่เกินไป" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the page is not limited


def test_login_next_is_followed_only_on_site(client, db):
    create_user("somchai@example.org")
    from tests.conftest import csrf_token_from
    for target, expected in [("/orgs", "/orgs"), ("https://evil.example/x", "/dashboard"),
                             ("//evil.example", "/dashboard")]:
        html = client.get("/login").get_data(as_text=True)
        response = client.post("/login", query_string={"next": target},
                               data={"email": "somchai@example.org", "password": PASSWORD,
                                     "csrf_token": csrf_token_from(html)})
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/dashboard").get_data(as_text=True))})


def test_protected_page_sends_anonymous_to_login_with_next(client, db):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login?next=%2Fdashboard" in response.headers["Location"]
