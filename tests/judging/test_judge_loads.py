"""The judges' loads and each nomination's judge count are kept by the database (migration 0030's triggers
on judge_assignments): after every way an assignment comes or goes (by hand, automatic, a conflict taking
it away, a removal, a cascade) the counters equal a count of the assignments themselves."""
from __future__ import annotations

from sqlalchemy import func, select

from fairapp.fairs.models import FairRole
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, JudgeLoad
from fairapp.nominations.models import Nomination, NominationStatus
from tests.factories import create_org, create_user
from tests.judging.test_operations import world  # noqa: F401 (the fixture)


def counted(db) -> tuple[dict, dict]:
    """(judge counts per nomination, loads per (category, judge)) counted from the assignments."""
    per_nomination = dict(db.session.execute(select(Assignment.nomination_id, func.count())
                                             .group_by(Assignment.nomination_id)).all())
    loads = dict(((c, j), n) for c, j, n in db.session.execute(
        select(Nomination.category_id, Assignment.judge_id, func.count())
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .group_by(Nomination.category_id, Assignment.judge_id)).all())
    return per_nomination, loads


def kept(db) -> tuple[dict, dict]:
    db.session.expire_all()
    per_nomination = {n.id: n.judges_assigned for n in db.session.scalars(select(Nomination)) if n.judges_assigned}
    loads = {(r.category_id, r.judge_id): r.assignments for r in db.session.scalars(select(JudgeLoad))
             if r.assignments}
    return per_nomination, loads


def test_the_counters_follow_every_path(db, world):  # noqa: F811
    fair, rubric, judge, other, (n1, n2) = world
    more = [create_user() for _ in range(3)]
    for j in more:
        db.session.add(FairRole(fair_id=fair.id, user_id=j.id, role="judge"))
    for _ in range(4):
        org = create_org()
        db.session.add(Nomination(fair_id=fair.id, category_id=rubric.category_id, nominator_org_id=org.id,
                                  nominee_org_id=org.id, status=NominationStatus.eligible))
    db.session.commit()
    assert kept(db) == counted(db) == ({}, {})

    ops.add_assignment(judge, n1, other)            # by hand
    ops.add_assignment(other, n1, other)
    db.session.commit()
    assert kept(db) == counted(db)
    assert kept(db)[0] == {n1.id: 2}
    assert kept(db)[1] == {(rubric.category_id, judge.id): 1, (rubric.category_id, other.id): 1}

    ops.auto_assign(rubric, other)                  # automatic: every nomination gets its two judges
    db.session.commit()
    assert kept(db) == counted(db)
    assert set(kept(db)[0].values()) == {2}

    ops.declare_conflict(judge, n1, "เคยเป็นที่ปรึกษาขององค์กรนี้", judge)  # the conflict takes it away
    db.session.commit()
    assert kept(db) == counted(db)
    assert kept(db)[0][n1.id] == 1

    assignment = db.session.scalars(select(Assignment).where(Assignment.nomination_id == n2.id)).first()
    ops.remove_assignment(assignment, other)        # removed by hand
    db.session.commit()
    assert kept(db) == counted(db)

    gone = more[0]                                   # deleted in SQL, outside the operations (as a cascade does)
    db.session.execute(Assignment.__table__.delete().where(Assignment.judge_id == gone.id))
    db.session.commit()
    assert kept(db) == counted(db)


def test_the_assignment_page_reads_the_loads_from_the_counters(db, world, client, login_as):  # noqa: F811
    fair, rubric, judge, other, (n1, n2) = world
    ops.add_assignment(judge, n1, other)
    ops.add_assignment(judge, n2, other)
    db.session.commit()
    from fairapp.judging.queries_assignments import assignment_overview
    overview = assignment_overview(rubric.category, rubric, view="judges")
    assert overview["load_here"][judge.id] == 2 and overview["load_fair"][judge.id] == 2
    assert overview["load_min"] == 0 and overview["load_max"] == 2  # `other` has none
    assert overview["total_short"] == 2  # two judges a nomination, each has one
    short = assignment_overview(rubric.category, rubric, short=True)
    assert {n.id for n in short["nominations"]} == {n1.id, n2.id}
