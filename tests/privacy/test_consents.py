"""Consent where the basis is consent (PDPA s.19): un-ticked until given, withdrawn with one click, effective
at once for whoever asks (consents.consenting), with its history and audit entries."""
from __future__ import annotations

from sqlalchemy import select

from fairapp.core.audit import AuditEntry
from fairapp.extensions import db as _db
from fairapp.privacy import consents
from tests.conftest import csrf_token_from
from tests.factories import create_org, create_user


def _toggle(client, purpose, given):
    token = csrf_token_from(client.get("/my/data").get_data(as_text=True))
    return client.post(f"/my/consents/{purpose}", data={"csrf_token": token, "given": "1" if given else "0"})


def _consenting(purpose):
    return set(_db.session.scalars(consents.consenting(purpose)))


def test_optional_purposes_start_unticked_and_withdrawal_is_one_click(app, client, db, login_as):
    assert set(consents.OPTIONAL) == {"news", "public_pages"}
    user, other = create_user(org=create_org()), create_user()
    login_as(user)
    page = client.get("/my/data").get_data(as_text=True)
    assert page.count("ยังไม่ได้ให้ความยินยอม") == 2 and "ท่านให้ความยินยอมแล้ว" not in page
    assert _consenting("public_pages") == set()
    response = _toggle(client, "public_pages", True)
    assert response.status_code == 303 and response.headers["Location"].endswith("/my/data#consents")
    assert _consenting("public_pages") == {user.id} and _consenting("news") == set()
    page = client.get("/my/data").get_data(as_text=True)
    section = page[page.index('id="consent-public_pages"'):]
    assert "ท่านให้ความยินยอมแล้ว" in section[:section.index("</li>")]
    assert _toggle(client, "public_pages", False).status_code == 303  # withdrawn: one click
    assert _consenting("public_pages") == set()
    assert _toggle(client, "public_pages", False).status_code == 303  # again: nothing to record
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("privacy.consent%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["privacy.consent_given", "privacy.consent_withdrawn"]
    history = [(c.purpose, c.given) for c in consents.history(user)]
    assert history == [("public_pages", True), ("public_pages", False)]
    assert other.id not in _consenting("public_pages")


def test_only_optional_purposes_can_be_toggled(app, client, db, login_as):
    login_as(create_user())
    token = csrf_token_from(client.get("/my/data").get_data(as_text=True))
    for purpose in ("accounts", "judging", "nonsense"):  # a public task is not consent: nothing to withdraw
        assert client.post(f"/my/consents/{purpose}", data={"csrf_token": token, "given": "0"}).status_code == 404
