"""Minimization (PDPA s.22): the 13-digit ID in full only for those who need it; fair staff read it masked."""
from __future__ import annotations

from fairapp.core.thai import mask_id
from tests.factories import create_fair, create_org, create_user, grant

TAX_ID = "0994000165510"


def test_mask_keeps_the_first_and_last_digits_only():
    assert mask_id(TAX_ID) == "0-xxxx-xxxxx-x1-0"
    assert mask_id("0-9940-00165-51-0") == "0-xxxx-xxxxx-x1-0"
    assert mask_id("12345") == "xxxxx" and mask_id(None) == ""


def test_members_and_admins_read_the_id_in_full_staff_masked(app, client, db, login_as):
    org = create_org()
    org.tax_id = TAX_ID
    member, admin, staff = create_user(org=org), create_user(admin=True), create_user()
    grant(create_fair(), staff, "staff")
    for user, shown in ((member, TAX_ID), (admin, TAX_ID), (staff, "0-xxxx-xxxxx-x1-0")):
        login_as(user)
        html = client.get(f"/orgs/{org.id}").get_data(as_text=True)
        assert f'<dd id="tax-id">{shown}</dd>' in html, user.email
        if user is staff:
            assert TAX_ID not in html
