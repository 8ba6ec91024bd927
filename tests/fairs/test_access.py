"""The fair page's links come from fairs.access policies; loading a fair sets nothing on the page;
role grants: named errors on their fields, one grant per (fair, user, role) even when two admins race."""
import re

import pytest
from flask import g
from werkzeug.exceptions import Forbidden, NotFound

from fairapp.fairs import operations as ops
from fairapp.fairs.access import fair_or_404, fair_policy, grant_or_404, staff_fair_or_404
from fairapp.fairs.models import FairRole
from tests.factories import create_fair, create_user, grant

# One link of each group: the judge's dashboard, the judges' affiliations (chair), the certificates
# (staff), editing the fair (admins).
LINKS = {"judge": "/fairs/{}/judging", "chair": "/judging/fairs/{}/judges", "staff": "/fairs/{}/certificates",
         "set_up": "/admin/fairs/{}/edit"}


def _links(html: str) -> set[str]:
    """Which groups of role links the page shows."""
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    fair_id = re.search(r'href="/fairs/(\d+)/booths"', html).group(1)
    return {name for name, url in LINKS.items() if url.format(fair_id) in hrefs}


@pytest.mark.parametrize("role,expected", [
    ("anonymous", set()),
    ("member", set()),
    ("judge", {"judge"}),
    ("chair", {"chair"}),
    ("staff", {"staff"}),
    ("admin", {"chair", "staff", "set_up"}),
])
def test_the_fair_page_shows_each_role_its_own_links(client, db, login_as, role, expected):
    fair = create_fair()
    if role != "anonymous":
        user = create_user(admin=role == "admin")
        if role in ("judge", "chair", "staff"):
            grant(fair, user, role)
        login_as(user)
    html = client.get(f"/fairs/{fair.id}").get_data(as_text=True)
    assert _links(html) == expected


def test_a_role_in_another_fair_gives_no_links_here(client, db, login_as):
    fair, other = create_fair(), create_fair()
    user = create_user()
    for role in ("judge", "chair", "staff"):
        grant(other, user, role)
    login_as(user)
    assert _links(client.get(f"/fairs/{fair.id}").get_data(as_text=True)) == set()
    policy = fair_policy(fair, user)
    assert not (policy.can_judge or policy.can_chair or policy.can_staff or policy.can_set_up)


def test_loading_a_fair_sets_nothing_on_the_page(app, db, login_as):
    fair = create_fair(thai_numerals=True)
    with app.test_request_context():
        assert fair_or_404(fair.id).id == fair.id
        assert "thai_digits" not in g


def test_staff_fair_or_404(app, db):
    from flask_login import login_user

    fair, other = create_fair(), create_fair()
    staff, judge = create_user(), create_user()
    grant(other, staff, "staff")
    grant(fair, judge, "judge")
    with app.test_request_context():
        login_user(staff)
        with pytest.raises(NotFound):
            staff_fair_or_404(999999)
        with pytest.raises(NotFound):  # no role in that fair: its back office does not exist for them
            staff_fair_or_404(fair.id)
        assert staff_fair_or_404(other.id).id == other.id
    with app.test_request_context():
        login_user(judge)  # a role in the fair, not the one needed
        with pytest.raises(Forbidden):
            staff_fair_or_404(fair.id)


def test_grant_or_404_keeps_to_its_fair(app, db):
    fair, other = create_fair(), create_fair()
    row = grant(other, create_user(), "staff")
    assert grant_or_404(other, row.id).id == row.id
    with pytest.raises(NotFound):
        grant_or_404(fair, row.id)


def test_grant_errors_name_their_fields(app, db):
    fair, admin = create_fair(), create_user(admin=True)
    with pytest.raises(ops.UnknownRole) as refused:
        ops.grant_role(fair, admin.email, "king", admin)
    assert (refused.value.field, refused.value.status) == ("role", 400)
    with pytest.raises(ops.UnknownUser) as refused:
        ops.grant_role(fair, "ghost@example.org", "staff", admin)
    assert refused.value.field == "email"
    ops.grant_role(fair, admin.email, "judge", admin)
    with pytest.raises(ops.RoleAlreadyGranted) as refused:
        ops.grant_role(fair, admin.email, "judge", admin)
    assert refused.value.field == "email"


def test_two_admins_granting_the_same_role_at_once_make_one_grant(app, db):
    fair, admin = create_fair(), create_user(admin=True)
    judge = create_user("judge@example.org")
    with db.session.no_autoflush:
        # The other admin's grant is on its way to the database when ours checks: our check misses it.
        db.session.add(FairRole(fair_id=fair.id, user_id=judge.id, role="judge", granted_by_id=admin.id))
        with pytest.raises(ops.RoleAlreadyGranted):
            ops.grant_role(fair, "judge@example.org", "judge", admin)
    db.session.commit()
    assert db.session.query(FairRole).filter_by(user_id=judge.id).count() == 1


def test_unknown_user_is_on_the_email_field_and_kept(client, db, login_as, post_form):
    fair = create_fair()
    login_as(create_user(admin=True))
    html = post_form(f"/admin/fairs/{fair.id}/roles", {"email": "ghost@example.org", "role": "chair"}
                     ).get_data(as_text=True)
    error = re.search(r'<p class="error" id="email-error">(.*?)</p>', html, re.S)
    assert error and "ไม่พบผู้ใช้ที่ใช้อีเมลนี้" in error.group(1)
    assert 'value="ghost@example.org"' in html and '<option selected value="chair">' in html
