"""The judges' affiliations page does not grow with the country (issue 14): it offers the organizations
that nominate or are nominated in the fair (and current affiliations), once, not every organization once
per judge; a choice of the list ("name · #id"), "#id" or a bare id is saved."""
from __future__ import annotations

from fairapp.judging.models import JudgeProfile
from tests.factories import create_org
from tests.judging.test_chair_views import build_world


def test_only_the_fairs_organizations_are_offered_once(client, login_as, db):
    w = build_world(db)
    for i in range(30):
        create_org(f"องค์กรที่ไม่เกี่ยวกับงานนี้ {i}")
    login_as(w.chair)
    html = client.get(f"/judging/fairs/{w.fair.id}/judges").get_data(as_text=True)
    assert "องค์กรที่ไม่เกี่ยวกับงานนี้" not in html and "มหาวิทยาลัยแม่ฟ้าหลวง" not in html
    for org in w.orgs:
        assert html.count(f"{org.name_th} · #{org.id}") == 1  # once in the shared list, not per judge
    assert html.count('list="affiliation-orgs"') == 2


def test_a_choice_of_the_list_or_a_number_is_saved(client, login_as, post_form, db):
    w = build_world(db)
    login_as(w.chair)
    url = f"/judging/fairs/{w.fair.id}/judges"
    response = post_form(url, {f"affiliation-{w.judge1.id}": f"{w.orgs[1].name_th} · #{w.orgs[1].id}",
                               f"affiliation-{w.judge2.id}": f"#{w.university.id}"})
    assert response.status_code == 302
    saved = {p.user_id: p.affiliation_org_id for p in JudgeProfile.query.all()}
    assert saved == {w.judge1.id: w.orgs[1].id, w.judge2.id: w.university.id}
    html = client.get(url).get_data(as_text=True)  # the current affiliation is shown and offered
    assert f'value="{w.university.name_th} · #{w.university.id}"' in html
    assert post_form(url, {f"affiliation-{w.judge1.id}": "ไม่ได้เลือกจากรายการ"}).status_code == 400
