"""The service worker's server side (core/offline.py, issue 16): /sw.js served at the root with its
settings written in and a version that changes with any static file; the session mark on every response
(none on static files), different per session, "-" signed out; Clear-Site-Data on sign-out."""
from __future__ import annotations

import json
import re

from fairapp.core import offline
from tests.factories import create_user


def _settings(body: str) -> dict:
    return json.loads(re.search(r"var S = (\{.*?\});\n", body).group(1))


def test_the_worker_is_served_at_the_root_with_its_settings(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript" and response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    settings = _settings(response.get_data(as_text=True))
    assert re.fullmatch(r"[0-9a-f]{16}", settings["version"])
    assert "/static/js/checkin.js" in settings["precache"] and "/static/js/offline.js" in settings["precache"]
    assert settings["clearOn"] == ["/login", "/logout"]
    pages = [re.compile(p) for p in settings["pages"]]
    kept = ["/fairs/3/checkin", "/fairs/3/judging", "/judging/assignments/7", "/fairs/3/stage",
            "/fairs/3/stage/control"]
    never = ["/fairs/3", "/dashboard", "/fairs/3/checkin/dashboard", "/fairs/3/stage/state", "/admin/users",
             "/judging/assignments/7/scores", "/my/data"]
    assert all(any(p.match(path) for p in pages) for path in kept)
    assert not any(p.match(path) for p in pages for path in never)


def test_the_version_changes_with_a_static_file(app, tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("one")
    first = offline._version(str(tmp_path))
    offline._version.cache_clear()
    assert offline._version(str(tmp_path)) == first  # the same files: the same worker
    (tmp_path / "js" / "a.js").write_text("two")
    offline._version.cache_clear()
    assert offline._version(str(tmp_path)) != first
    offline._version.cache_clear()


def test_the_session_mark(client, login_as, db):
    anonymous = client.get("/login")
    assert anonymous.headers[offline.SESSION_HEADER] == "-"
    assert offline.SESSION_HEADER not in client.get("/static/js/queue.js").headers
    first, second = create_user("first@example.org"), create_user("second@example.org")
    login_as(first)
    mark = client.get("/dashboard").headers[offline.SESSION_HEADER]
    assert re.fullmatch(r"[0-9a-f]{24}", mark)  # an HMAC: the identity itself is never sent
    assert client.get("/session").headers[offline.SESSION_HEADER] == mark  # the same session, any response
    login_as(second)
    assert client.get("/dashboard").headers[offline.SESSION_HEADER] not in ("-", mark)


def test_signing_out_clears_the_browser_cache(client, login_as, db):
    login_as(create_user("leaving@example.org"))
    token = client.get("/session").get_json()["csrf_token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code in (302, 303)
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert response.headers[offline.SESSION_HEADER] == "-"
    assert "Clear-Site-Data" not in client.get("/login").headers
