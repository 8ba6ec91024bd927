"""The judges' affiliations page does not grow with the country (issue 14): the judges come 50 to a page
(?page=N) and can be searched (?q=, kept in the pager's links); organizations are not listed in the page
(the picker asks /organizations/search as the chair types; 15,000 at 1x made the page 1.6 MB at 10x);
a save changes only the judges the form sent (the page's), and comes back to the same page and search."""
from __future__ import annotations

import re

from fairapp.judging.models import JudgeProfile
from tests.factories import create_org, create_user, grant
from tests.judging.test_chair_views import build_world


def _add_judges(db, fair, n, start=0, name="กรรมการสมทบ"):
    users = []
    for i in range(start, start + n):
        u = create_user(f"extra-judge{i}@example.org", first_name=name, last_name=f"ลำดับ {i:03d}")
        grant(fair, u, "judge")
        users.append(u)
    return users


def _fields(html: str) -> list[str]:
    return re.findall(r'name="affiliation-(\d+)"', html)


def test_organizations_are_not_listed_in_the_page(client, login_as, db):
    w = build_world(db)
    for i in range(30):
        create_org(f"องค์กรที่ไม่เกี่ยวกับงานนี้ {i}")
    login_as(w.chair)
    html = client.get(f"/judging/fairs/{w.fair.id}/judges").get_data(as_text=True)
    assert "องค์กรที่ไม่เกี่ยวกับงานนี้" not in html
    for org in w.orgs:  # not even the fair's own: the picker searches
        assert f"{org.name_th} · #{org.id}" not in html
    assert html.count('list="affiliation-orgs"') == 2
    judges_form = html.split('id="invite-form"')[0]  # the invite form's affiliation picker asks it too
    assert judges_form.count(f'data-search-url="/judging/fairs/{w.fair.id}/organizations/search"') == 2
    assert html.count(f'data-search-url="/judging/fairs/{w.fair.id}/organizations/search"') == 3


def test_judges_come_in_pages_with_constant_queries(client, login_as, db, count_queries):
    w = build_world(db)
    login_as(w.chair)
    url = f"/judging/fairs/{w.fair.id}/judges"
    seen = []
    for extra in (3, 60):
        _add_judges(db, w.fair, extra, start=len(seen) * 100)
        client.get(url)
        with count_queries() as n:
            html = client.get(url).get_data(as_text=True)
        seen.append((n[0], len(_fields(html))))
    assert seen[0][0] == seen[1][0], seen  # the same queries at 5 and 65 judges
    assert seen[0][1] == 5 and seen[1][1] == 50, seen  # one page of 50
    page2 = client.get(url + "?page=2").get_data(as_text=True)
    assert len(_fields(page2)) == 15
    assert "หน้า 2 จาก 2" in page2
    assert not set(_fields(page2)) & set(_fields(html))


def test_search_filters_and_is_kept_in_the_pagers_links(client, login_as, db):
    w = build_world(db)
    _add_judges(db, w.fair, 55, name="อาจารย์ค้นเจอ")
    _add_judges(db, w.fair, 5, start=500, name="ผู้ไม่ตรงคำค้น")
    login_as(w.chair)
    url = f"/judging/fairs/{w.fair.id}/judges"
    html = client.get(url + "?q=ค้นเจอ").get_data(as_text=True)
    assert len(_fields(html)) == 50 and "ผู้ไม่ตรงคำค้น" not in html
    assert "q=%E0%B8%84%E0%B9%89%E0%B8%99%E0%B9%80%E0%B8%88%E0%B8%AD&amp;page=2" in html  # the filter kept
    page2 = client.get(url + "?q=ค้นเจอ&page=2").get_data(as_text=True)
    assert len(_fields(page2)) == 5
    assert len(_fields(client.get(url + "?q=xtra-judge500@").get_data(as_text=True))) == 1  # by email
    assert "ไม่พบกรรมการที่ตรงกับคำค้น" in client.get(url + "?q=ไม่มีใครชื่อนี้").get_data(as_text=True)


def test_a_save_changes_only_the_judges_sent_and_comes_back_to_the_page(client, login_as, post_form, db):
    w = build_world(db)
    extra = _add_judges(db, w.fair, 55)
    db.session.add(JudgeProfile(fair_id=w.fair.id, user_id=w.judge1.id, affiliation_org_id=w.university.id))
    db.session.commit()
    login_as(w.chair)
    url = f"/judging/fairs/{w.fair.id}/judges?page=2"
    page2 = client.get(url).get_data(as_text=True)
    on_page = [int(i) for i in _fields(page2)]
    assert w.judge1.id not in on_page
    target = on_page[0]
    response = post_form(url, {f"affiliation-{i}": "" for i in on_page} | {f"affiliation-{target}": f"#{w.orgs[0].id}"},
                         page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("?page=2")
    saved = {p.user_id: p.affiliation_org_id for p in JudgeProfile.query.all()}
    assert saved[target] == w.orgs[0].id
    assert saved[w.judge1.id] == w.university.id  # on page 1: not sent, not cleared
    assert extra


def test_a_choice_of_the_list_or_a_number_is_saved(client, login_as, post_form, db):
    w = build_world(db)
    login_as(w.chair)
    url = f"/judging/fairs/{w.fair.id}/judges"
    response = post_form(url, {f"affiliation-{w.judge1.id}": f"{w.orgs[1].name_th} · #{w.orgs[1].id}",
                               f"affiliation-{w.judge2.id}": f"#{w.university.id}"})
    assert response.status_code == 302
    saved = {p.user_id: p.affiliation_org_id for p in JudgeProfile.query.all()}
    assert saved == {w.judge1.id: w.orgs[1].id, w.judge2.id: w.university.id}
    html = client.get(url).get_data(as_text=True)  # the current affiliation is shown
    assert f'value="{w.university.name_th} · #{w.university.id}"' in html
    assert post_form(url, {f"affiliation-{w.judge1.id}": "ไม่ได้เลือกจากรายการ"}).status_code == 400
    post_form(url, {f"affiliation-{w.member.id}": f"#{w.university.id}"})  # not a judge of the fair: refused
    assert JudgeProfile.query.filter_by(user_id=w.member.id).count() == 0


def test_the_pickers_search(client, login_as, db):
    w = build_world(db)
    login_as(w.chair)
    judges = client.get(f"/judging/fairs/{w.fair.id}/judges/search?q=กมล").get_json()
    assert judges["results"] == [{"id": w.judge1.id, "label": f"ผศ.ดร.กมล ทองดี · #{w.judge1.id}"}]
    assert client.get(f"/judging/fairs/{w.fair.id}/judges/search?q=ประยูร").get_json()["results"] == []  # the chair
    assert client.get(f"/judging/fairs/{w.fair.id}/judges/search").get_json()["results"] == []
    orgs = client.get(f"/judging/fairs/{w.fair.id}/organizations/search?q=แม่ฟ้า").get_json()["results"]
    assert orgs == [{"id": w.university.id, "label": f"มหาวิทยาลัยแม่ฟ้าหลวง · #{w.university.id}"}]
    by_number = client.get(f"/judging/fairs/{w.fair.id}/organizations/search?q=%23{w.orgs[0].id}").get_json()
    assert [o["id"] for o in by_number["results"]] == [w.orgs[0].id]
    assert client.get(f"/judging/fairs/{w.fair.id}/organizations/search?q=50%25").get_json()["results"] == []
