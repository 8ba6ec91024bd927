"""Applying again after a withdrawal (issue 16): one click opens a new application filled with the
withdrawn one's details; explicit consents are asked anew; anything but the organization's own ended
application of the fair is 404."""
from __future__ import annotations

import re

from sqlalchemy import select

from fairapp.booths.models import Application, Status
from fairapp.core.time import utcnow
from tests.booths.factories import create_application, create_booth_type
from tests.factories import create_fair, create_org, create_user


def test_a_withdrawn_application_opens_a_new_one_with_its_details(app, client, db, login_as, post_form):
    fair, org = create_fair(), create_org("ชุมชนบ้านป่าซาง")
    booth_type = create_booth_type(fair, capacity=3)
    old = create_application(fair, org, booth_type, Status.withdrawn, show_text="ผ้าทอมือลายน้ำไหล",
                             people=("บัวคำ", "ก้องภพ"), needs_wheelchair=True, access_consent_at=utcnow())
    member = create_user(org=org)
    login_as(member)
    page = client.get(f"/booths/{old.id}").get_data(as_text=True)
    url = f"/fairs/{fair.id}/booths/apply?org={org.id}&amp;from={old.id}"
    assert "สมัครใหม่ด้วยข้อมูลเดิม" in page and url in page
    form = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    assert "ผ้าทอมือลายน้ำไหล" in form and 'value="บัวคำ"' in form and 'value="ก้องภพ"' in form
    radio = re.search(rf'<input[^>]*name="booth_type"[^>]*value="{booth_type.id}"[^>]*>', form).group(0)
    assert "checked" in radio
    assert '<input checked id="needs_wheelchair"' in form and '<input checked id="access_consent"' not in form
    saved = post_form(url.replace("&amp;", "&"), {"booth_type": str(booth_type.id), "show_text": "ผ้าทอมือลายน้ำไหล",
                                                  "people-0-first_name": "บัวคำ", "action": "save"})
    assert saved.status_code == 302
    applications = db.session.scalars(select(Application).order_by(Application.id)).all()
    assert [a.status for a in applications] == [Status.withdrawn, Status.draft]


def test_only_the_organizations_own_ended_application_of_the_fair(app, client, db, login_as):
    fair, org, other = create_fair(), create_org(), create_org()
    booth_type = create_booth_type(fair, capacity=3)
    theirs = create_application(fair, other, booth_type, Status.withdrawn)
    live = create_application(fair, org, booth_type, Status.approved)
    elsewhere = create_application(create_fair(), org, create_booth_type(create_fair()), Status.withdrawn)
    login_as(create_user(org=org))
    for source in (theirs, live, elsewhere):
        assert client.get(f"/fairs/{fair.id}/booths/apply?org={org.id}&from={source.id}").status_code == 404
