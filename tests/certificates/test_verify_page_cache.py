"""The public check's page is rendered once per certificate state and language and served again
(certificates.public_page): what can change is in its key, so a revocation or a reissue shows at once; a
signed-in person's page and a page with a message are never kept; a visitor's page has nothing of theirs
(its form looks up another serial by GET), so serving it sets no session and no cookie."""
from __future__ import annotations

import pytest
from flask import template_rendered

from fairapp.certificates import operations as ops
from fairapp.certificates.labels import PUBLIC_REASONS
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world
from tests.conftest import csrf_token_from


@pytest.fixture
def w(app, db):
    return build_issued_world(app, db)


@pytest.fixture
def renders(app):
    """The names of the templates rendered while the test runs."""
    seen: list[str] = []

    def record(sender, template, context, **extra):
        seen.append(template.name)
    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def _without_token(html: str) -> str:
    return html  # a visitor's page carries no CSRF token


def test_the_second_view_is_not_rendered_again_and_is_the_same_page(app, client, w, renders):
    url = f"/verify/{w.cert.grouped_serial}"
    first = client.get(url)
    assert first.status_code == 200 and renders == ["certificates/verify.html"]
    visitor = app.test_client()  # another phone
    second = visitor.get(url)
    assert second.status_code == 200 and renders == ["certificates/verify.html"]  # served, not rendered
    assert second.headers["Content-Type"] == first.headers["Content-Type"] == "text/html; charset=utf-8"
    html1, html2 = first.get_data(as_text=True), second.get_data(as_text=True)
    assert html1 == html2 and "csrf_token" not in html2
    assert "เกียรติบัตรนี้ออกจริงและใช้ได้" in html2 and "นางสาวมาลี ใจงาม" in html2
    # Nothing of the visitor's: no session, no cookie, rendered or kept.
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    # The page's form looks up another serial (GET, nothing changes) ...
    assert 'method="get" action="/verify"' in html2 and 'href="/verify#pdf"' in html2
    looked = visitor.get("/verify", query_string={"serial": w.other.serial.lower()})
    assert looked.status_code == 302 and looked.headers["Location"].endswith(w.other.grouped_serial)
    # ... keeps what was typed, with why, when it is not a serial; the file check keeps its CSRF token.
    wrong = visitor.get("/verify", query_string={"serial": "MC68-7K2M-QX9D-R4TX0"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'value="MC68-7K2M-QX9D-R4TX0"' in page and 'id="serial-error"' in page
    assert csrf_token_from(page) and 'enctype="multipart/form-data"' in page


def test_a_revocation_shows_at_once(app, client, w, renders):
    url = f"/verify/{w.cert.grouped_serial}"
    assert "เกียรติบัตรนี้ออกจริงและใช้ได้" in client.get(url).get_data(as_text=True)
    with app.test_request_context(), unit_of_work():
        ops.revoke(w.cert, "พิมพ์ชื่อผิด", w.staff, public_reason=next(iter(PUBLIC_REASONS)))
    html = client.get(url).get_data(as_text=True)
    assert "เกียรติบัตรนี้ถูกเพิกถอนแล้ว" in html and "เกียรติบัตรนี้ออกจริงและใช้ได้" not in html
    assert renders.count("certificates/verify.html") == 2


def test_each_language_and_each_qr_token_is_its_own_page(app, client, w, renders):
    url = f"/verify/{w.cert.grouped_serial}"
    client.get(url)
    client.get("/lang/en")
    assert "genuinely issued" in client.get(url).get_data(as_text=True)
    assert renders.count("certificates/verify.html") == 2
    with_qr = client.get(f"{url}?q={w.cert.token}").get_data(as_text=True)
    assert "signature" in with_qr.lower() and renders.count("certificates/verify.html") == 3
    forged = client.get(f"{url}?q={w.other.token}").get_data(as_text=True)  # another certificate's QR
    assert renders.count("certificates/verify.html") == 4
    assert _without_token(forged) != _without_token(with_qr)


def test_a_signed_in_person_and_a_waiting_message_are_never_served_a_kept_page(app, client, w, renders, login_as):
    url = f"/verify/{w.cert.grouped_serial}"
    app.test_client().get(url)  # a visitor's page is kept
    assert renders == ["certificates/verify.html"]
    login_as(w.staff)
    html = client.get(url).get_data(as_text=True)
    assert renders.count("certificates/verify.html") == 2  # rendered for them: their own menu
    assert "ออกจากระบบ" in html
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "ข้อความที่รออยู่")]
    assert "ข้อความที่รออยู่" in visitor.get(url).get_data(as_text=True)
    assert renders.count("certificates/verify.html") == 3


def test_the_json_is_kept_too_and_a_revocation_shows_at_once(app, w, monkeypatch):
    """The JSON a verifier's script reads is the same for everyone: kept per facts and language, no session
    made for it, and a revocation changes it at once."""
    from fairapp.certificates import views_public
    described = []
    real = views_public.describe
    monkeypatch.setattr(views_public, "describe", lambda cert: described.append(cert.id) or real(cert))
    url = f"/verify/{w.cert.grouped_serial}"
    first = app.test_client().get(url, headers={"Accept": "application/json"})
    second = app.test_client().get(url, headers={"Accept": "application/json"})
    assert first.status_code == second.status_code == 200
    assert second.headers["Content-Type"] == "application/json"
    assert first.get_json() == second.get_json() and second.get_json()["status"] == "valid"
    assert described == [w.cert.id]  # the second was served, not built again
    assert "Set-Cookie" not in second.headers
    with app.test_request_context(), unit_of_work():
        ops.revoke(w.cert, "พิมพ์ชื่อผิด", w.staff, public_reason=next(iter(PUBLIC_REASONS)))
    third = app.test_client().get(url, headers={"Accept": "application/json"}).get_json()
    assert third["status"] == "revoked" and third["revoked_reason_code"] == next(iter(PUBLIC_REASONS))
    assert described == [w.cert.id, w.cert.id]
    # the HTML page of the same certificate is another page
    assert "เกียรติบัตรนี้ถูกเพิกถอนแล้ว" in app.test_client().get(url).get_data(as_text=True)
