"""The chair's page at 10x (issue 14): the whole category is ranked and its progress summed, but the page
shows the ranking, the plot and the spread 50 nominations at a time (?page=N) and the 50 judges furthest
behind, with the same queries whatever the category's size (the nominations of what is missing before
finalizing were loaded whole, 500 to a query), and totals of the whole category."""
from __future__ import annotations

import re

from fairapp.judging import standings
from fairapp.judging.models import Assignment, Score
from fairapp.nominations.models import Nomination, NominationStatus
from tests.factories import create_org
from tests.judging.test_chair_views import build_world, score_all


def _grow(db, w, n: int, tag: str):
    for i in range(n):
        org = create_org(f"ผู้ถูกเสนอชื่อ{tag} {i:03d}")
        nom = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=org.id,
                         nominee_org_id=org.id, status=NominationStatus.eligible)
        db.session.add(nom)
        db.session.flush()
        for judge, (v1, v2) in ((w.judge1, (3, 4)), (w.judge2, (i % 5 + 1, 2))):
            a = Assignment(nomination_id=nom.id, judge_id=judge.id)
            db.session.add(a)
            db.session.flush()
            db.session.add_all([Score(assignment_id=a.id, criterion_id=w.c1.id, value=v1),
                                Score(assignment_id=a.id, criterion_id=w.c2.id, value=v2)])
        if i % 2 == 0:  # one judge short: something missing before finalizing
            db.session.delete(a)
    db.session.commit()
    standings.forget()  # rows written here, not by the audited operations the kept standings follow


def _ranked(html: str) -> list[str]:
    table = html[html.index('id="ranking-table"'):]
    table = table[:table.index("</table>")]
    return re.findall(r"\(#(\d+)\)</td>", table)


def test_the_same_queries_and_one_window_at_two_sizes(client, login_as, db, count_queries):
    w = build_world(db)
    score_all(db, w)
    login_as(w.chair)
    url = f"/judging/categories/{w.category.id}/chair"
    seen = []
    for n, tag in ((2, "ก"), (70, "ข")):
        _grow(db, w, n, tag)
        client.get(url)
        with count_queries() as q:
            html = client.get(url).get_data(as_text=True)
        seen.append((q[0], len(_ranked(html)), html.count("<circle ")))
    assert seen[0][0] == seen[1][0], seen
    assert seen[0][1] == 5 and seen[1][1] == 50, seen
    assert "ก่อนสรุปผล ยังไม่ครบ 36 รายการ:" in html  # every missing one counted ...
    assert html.count("มีคะแนนครบจากกรรมการ 1 จาก 2 ท่าน") <= 50  # ... the first 50 named
    assert "ทั้งประเภท: ให้คะแนนครบ 114 จาก 114 ใบ" in html
    page2 = client.get(url + "?page=2").get_data(as_text=True)
    assert len(_ranked(page2)) == 25 and "หน้า 2 จาก 2" in page2
    assert not set(_ranked(page2)) & set(_ranked(html))
    assert [int(p) for p in re.findall(r"<tr><td>(\d+)</td>", page2[page2.index('id="ranking-table"'):])][:1] == [51]


def test_judge_totals_in_integers_are_the_exact_sum():
    """judge_total sums in plain integers (the chair page sums every sheet of the category): the same
    float as the exact Fraction sum, for any weights and scales."""
    import random

    from fairapp.judging.scoring import Criterion, _weighted, judge_total

    rnd = random.Random(14)
    for _ in range(5000):
        criteria = []
        for i in range(rnd.randint(1, 6)):
            low = rnd.randint(-3, 2)
            criteria.append(Criterion(i, rnd.randint(1, 60), low, low + rnd.randint(1, 10)))
        sheet = {c.id: rnd.randint(c.scale_min, c.scale_max) for c in criteria}
        assert judge_total(sheet, criteria) == float(_weighted(sheet, criteria, partial=False))
        del sheet[criteria[-1].id]
        assert judge_total(sheet, criteria) is None


def _table(html: str) -> str:
    table = html[html.index('id="ranking-table"'):]
    return table[:table.index("</table>")]


def test_the_standings_follow_every_audited_change_and_only_those(client, login_as, db):
    """The chair page computes a category's standings once per state of the fair's audit chain: a second
    view reads no score; a score saved behind the operations' back is not seen until something of the
    fair is recorded (every operation that changes what a ranking is made of records it)."""
    from sqlalchemy import event

    from fairapp.core import audit
    from fairapp.judging.models import Rubric

    w = build_world(db)
    _grow(db, w, 6, "ค")
    login_as(w.chair)
    url = f"/judging/categories/{w.category.id}/chair"
    first = _table(client.get(url).get_data(as_text=True))
    statements = []

    def seen(_conn, _cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert _table(client.get(url).get_data(as_text=True)) == first
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "judge_scores" in s], "computed again"

    db.session.execute(Score.__table__.update().values(value=1))  # every score: the means all change
    db.session.commit()
    assert _table(client.get(url).get_data(as_text=True)) == first  # not recorded: the kept standings
    rubric = db.session.scalars(db.select(Rubric).where(Rubric.category_id == w.category.id)).one()
    audit.record("test.changed", rubric, fair_id=w.fair.id)
    db.session.commit()
    assert _table(client.get(url).get_data(as_text=True)) != first  # the fair's chain moved: computed again


def test_a_score_saved_by_the_operation_is_on_the_next_view(client, login_as, db):
    from fairapp.judging import operations as ops
    from fairapp.judging.models import Assignment as A
    from tests.judging.test_chair_views import score_all

    w = build_world(db)
    score_all(db, w)
    login_as(w.chair)
    url = f"/judging/categories/{w.category.id}/chair"
    first = _table(client.get(url).get_data(as_text=True))
    assert _table(client.get(url).get_data(as_text=True)) == first
    sheet = db.session.scalars(db.select(A).where(A.judge_id == w.judge1.id).order_by(A.id)).first()
    ops.record_score(sheet, w.c1, 1, "ยังไม่มีหลักฐาน", w.judge1)
    db.session.commit()
    assert _table(client.get(url).get_data(as_text=True)) != first


def test_the_standings_and_the_minutes_are_computed_with_the_collector_paused(client, login_as, db,
                                                                             monkeypatch):
    """Tens of thousands of short-lived objects at national scale: the cyclic collector's runs found
    nothing and took half of the first view's time (core.gc_pause)."""
    import gc

    from fairapp.judging import minutes
    seen = []
    compute, render = standings._compute, minutes._render_minutes
    monkeypatch.setattr(standings, "_compute", lambda r: seen.append(("standings", gc.isenabled())) or compute(r))
    monkeypatch.setattr(minutes, "_render_minutes", lambda r: seen.append(("minutes", gc.isenabled())) or render(r))
    w = build_world(db)
    score_all(db, w)
    login_as(w.chair)
    standings.forget()
    assert client.get(f"/judging/categories/{w.category.id}/chair").status_code == 200
    assert client.get(f"/judging/categories/{w.category.id}/minutes.pdf").status_code == 200
    assert seen == [("standings", False), ("minutes", False)]
    assert gc.isenabled()
