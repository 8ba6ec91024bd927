"""PDPA s.26 in the booth form: a ramp for a wheelchair (someone's disability) is kept only with the explicit
consent ticked beside it; no ramp, no consent kept."""
from __future__ import annotations

from sqlalchemy import select

from fairapp.booths.models import Application
from tests.booths.factories import create_booth_type
from tests.factories import create_fair, create_org, create_user


def _form(booth_type, **extra):
    return {"booth_type": str(booth_type.id), "show_text": "ผ้าทอมือ", "people-0-first_name": "ก้องภพ",
            "action": "save", **extra}


def test_a_ramp_needs_the_explicit_consent_and_leaving_it_clears_it(app, client, db, login_as, post_form):
    fair, org = create_fair(), create_org()
    booth_type = create_booth_type(fair)
    login_as(create_user(org=org))
    url = f"/fairs/{fair.id}/booths/apply"
    refused = post_form(url, _form(booth_type, needs_wheelchair="y", needs_note="ขอโต๊ะเพิ่ม"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "ซึ่งเป็นข้อมูลอ่อนไหว" in html and 'id="access_consent-error"' in html
    assert "ขอโต๊ะเพิ่ม" in html and db.session.scalar(select(Application)) is None  # kept, nothing saved
    saved = post_form(url, _form(booth_type, needs_wheelchair="y", access_consent="y"))
    assert saved.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.needs_wheelchair and application.access_consent_at is not None
    edit = f"/booths/{application.id}/edit"
    assert '<input checked id="access_consent" name="access_consent"' in client.get(edit).get_data(as_text=True)
    assert post_form(edit, _form(booth_type)).status_code == 302  # the ramp left out: the consent goes too
    db.session.refresh(application)
    assert not application.needs_wheelchair and application.access_consent_at is None
