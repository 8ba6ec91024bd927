"""Judging pages: server time and SQL queries per request, as ratios against a bare `SELECT 1` request;
and the time of automatic assignment.

Run: .venv/bin/python benchmarks/judging.py [--nominations 60] [--judges 12] [--criteria 10] [--k 3]
     [--small-nominations 10] [--small-judges 4] [--repeat 30]
Builds a throwaway SQLite database (or uses DATABASE_URL: its schema is dropped and rebuilt) with a large
world (every sheet fully scored, every score with its hash-chained audit entry) and a small one, then
times each page through the WSGI app in this process. Pages not built yet are skipped with a note.
"""
from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import generate_password_hash  # noqa: E402

from benchmarks.harness import migrate_fresh, has_route, make_app, measure  # noqa: E402
from fairapp.extensions import db  # noqa: E402

_seq = itertools.count(1)




def build_world(tag: str, n_noms: int, n_judges: int, n_criteria: int, k: int, password_hash: str, last_hash):
    """A fair with one category, n_noms eligible nominations, n_judges judges, n_criteria criteria, every
    nomination assigned to k judges (balanced) and every sheet scored; audit entries chained onto last_hash."""
    from fairapp.accounts.models import Organization, Sector, User
    from fairapp.core.audit import AuditEntry
    from fairapp.core.time import today_local, utcnow
    from fairapp.fairs.models import Fair, FairRole
    from fairapp.judging.assign import assign
    from fairapp.judging.models import (Assignment, AwardLevel, Criterion, JudgeProfile, Rubric, Score,
                                        TieBreakRule)
    from fairapp.nominations.models import Category, Nomination, NominationStatus

    rng = random.Random(n_noms * 1000 + n_judges)
    today, now = today_local(), utcnow().replace(microsecond=0)
    fair = Fair(name_th=f"ตลาดนัดคุณธรรม {tag}", venue_th="ศาลากลางจังหวัดเชียงราย", province_code="57",
                starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=6),
                booth_opens=today - timedelta(days=40), booth_closes=today - timedelta(days=10),
                nomination_opens=today - timedelta(days=40), nomination_closes=today - timedelta(days=10),
                judging_opens=today - timedelta(days=5), judging_closes=today + timedelta(days=5))
    db.session.add(fair)
    db.session.flush()
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ", opens_on=today - timedelta(days=40),
                        closes_on=today - timedelta(days=10))
    db.session.add(category)
    db.session.flush()
    weights = [100 // n_criteria] * n_criteria
    weights[0] += 100 - sum(weights)
    rubric = Rubric(category_id=category.id, judges_per_nomination=k, ranking="z")
    rubric.criteria = [Criterion(name_th=f"เกณฑ์ที่ {i + 1}", weight=w, scale_min=1, scale_max=5, position=i,
                                 descriptors={"5": "ดีเยี่ยม", "1": "ไม่พบ"}) for i, w in enumerate(weights)]
    rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=60, name_th="เชิดชูเกียรติ")]
    db.session.add(rubric)
    db.session.flush()
    rubric.tie_rules = [TieBreakRule(kind="criterion", criterion_id=rubric.criteria[0].id, position=0),
                        TieBreakRule(kind="judges_above", threshold=70, position=1)]
    orgs = [Organization(name_th=f"ชุมชนคุณธรรม{tag} {i}", sector=Sector.civil, province_code="57",
                         district_code="5701") for i in range(n_noms)]
    db.session.add_all(orgs)
    db.session.flush()
    noms = [Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=o.id, nominee_org_id=o.id,
                       status=NominationStatus.eligible) for o in orgs]
    db.session.add_all(noms)
    judges = [User(email=f"judge{next(_seq)}@example.org", password_hash=password_hash, title="ผศ.ดร.",
                   first_name=f"กรรมการ{i}", last_name="ใจดี") for i in range(n_judges)]
    chair = User(email=f"chair{next(_seq)}@example.org", password_hash=password_hash, first_name="ประธาน",
                 last_name="ศรีสุข")
    db.session.add_all(judges + [chair])
    db.session.flush()
    db.session.add_all([FairRole(fair_id=fair.id, user_id=j.id, role="judge") for j in judges]
                       + [FairRole(fair_id=fair.id, user_id=chair.id, role="chair")]
                       + [JudgeProfile(fair_id=fair.id, user_id=j.id) for j in judges])
    result = assign([n.id for n in noms], [j.id for j in judges], k, set())
    assignments = [Assignment(judge_id=j, nomination_id=n, created_by_id=chair.id) for j, n in result.pairs]
    db.session.add_all(assignments)
    db.session.flush()
    scores = []
    for a in assignments:
        for c in rubric.criteria:
            scores.append(Score(assignment_id=a.id, criterion_id=c.id, value=rng.randint(2, 5), comment=""))
    db.session.add_all(scores)
    db.session.flush()
    entries = []
    prev = last_hash
    for s in scores:
        e = AuditEntry(created_at=now, actor_id=None, fair_id=fair.id, action="judging.score_saved",
                       object_type="judge_scores", object_id=s.id, before=None,
                       after={"assignment": s.assignment_id, "criterion": s.criterion_id, "value": s.value,
                              "comment": ""}, prev_hash=prev)
        e.hash = e.compute_hash()
        prev = e.hash
        entries.append(e)
    db.session.add_all(entries)
    db.session.commit()
    judge = judges[0]
    mine = next(a for a in assignments if a.judge_id == judge.id)
    return {"fair": fair.id, "category": category.id, "chair": chair.id, "judge": judge.id, "assignment": mine.id,
            "criterion": rubric.criteria[1].id, "scores": len(scores), "audit": len(entries)}, prev


def build(args):
    from fairapp.core.audit import GENESIS

    app = make_app("judging")
    migrate_fresh(app)
    with app.app_context():
        password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        small, last = build_world("เล็ก", args.small_nominations, args.small_judges, args.criteria, args.k,
                                  password_hash, GENESIS)
        big, _ = build_world("ใหญ่", args.nominations, args.judges, args.criteria, args.k, password_hash, last)
    return app, {"small": small, "big": big}






def time_assign(n_noms: int, n_judges: int, k: int, repeat: int = 3):
    from fairapp.judging.assign import assign

    rng = random.Random(7)
    noms, judges = list(range(1, n_noms + 1)), list(range(1, n_judges + 1))
    conflicts = {(j, n) for n in noms for j in judges if rng.random() < 0.03}  # ~3% conflicted pairs
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = assign(noms, judges, k, conflicts)
        times.append(time.perf_counter() - start)
    loads = list(result.loads.values())
    return statistics.median(times), min(loads), max(loads), len(result.pairs), len(result.uncovered), len(conflicts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nominations", type=int, default=60)
    parser.add_argument("--judges", type=int, default=12)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--small-nominations", type=int, default=10)
    parser.add_argument("--small-judges", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    app, worlds = build(args)
    with app.app_context():
        engine = db.engine
    anonymous = app.test_client()
    clients = {}
    for size, w in worlds.items():
        for role in ("chair", "judge"):
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(w[role])
            clients[(size, role)] = client

    def get(client, url):
        return lambda: client.get(url)

    def save(client, w):
        flip = itertools.cycle((3, 4))
        return lambda: client.post(f"/judging/assignments/{w['assignment']}/scores",
                                   json={"criterion_id": w["criterion"], "value": next(flip), "comment": ""})

    pages = [("SELECT 1 (baseline)", "", "GET", "/_bench/select1", get(anonymous, "/_bench/select1"))]
    for size in ("small", "big"):
        w = worlds[size]
        rows = f"{args.nominations if size == 'big' else args.small_nominations}n x " \
               f"{args.judges if size == 'big' else args.small_judges}j"
        judge, chair = clients[(size, "judge")], clients[(size, "chair")]
        c = w["category"]
        pages += [
            ("judge dashboard", rows, "GET", f"/fairs/{w['fair']}/judging", get(judge, f"/fairs/{w['fair']}/judging")),
            ("scoring page", rows, "GET", f"/judging/assignments/{w['assignment']}",
             get(judge, f"/judging/assignments/{w['assignment']}")),
            ("save one score (POST JSON)", rows, "POST", f"/judging/assignments/{w['assignment']}/scores",
             save(judge, w)),
            ("chair page (ranking, spread)", rows, "GET", f"/judging/categories/{c}/chair",
             get(chair, f"/judging/categories/{c}/chair")),
            ("assignments page", rows, "GET", f"/judging/categories/{c}/assignments",
             get(chair, f"/judging/categories/{c}/assignments")),
            ("minutes.pdf", rows, "GET", f"/judging/categories/{c}/minutes.pdf",
             get(chair, f"/judging/categories/{c}/minutes.pdf")),
            ("results.xlsx", rows, "GET", f"/judging/categories/{c}/results.xlsx",
             get(chair, f"/judging/categories/{c}/results.xlsx")),
        ]
    big, small = worlds["big"], worlds["small"]
    print(f"database: {engine.dialect.name}; large: {args.nominations} nominations x {args.judges} judges x "
          f"{args.criteria} criteria, k={args.k}, {big['scores']} scores, {big['audit'] + small['audit']} audit "
          f"entries; small: {args.small_nominations} x {args.small_judges}; built in "
          f"{time.perf_counter() - started:.1f} s; {args.repeat} requests per page; median server time")
    print(f"{'page':32} {'world':>10} {'ms':>8} {'x base':>8} {'queries':>8}")
    base, notes, queries = None, [], {}
    for name, rows, method, path, call in pages:
        if not has_route(app, path, method):
            notes.append(f"{name}: {method} {path} is not in the app yet")
            print(f"{name:32} {rows:>10} {'-':>8} {'-':>8} {'-':>8}  (skipped: no route)")
            continue
        median, per_request, status = measure(call, args.repeat, engine)
        if median is None:
            notes.append(f"{name}: {method} {path} answered {status}; not measured")
            print(f"{name:32} {rows:>10} {'-':>8} {'-':>8} {'-':>8}  (skipped: {status})")
            continue
        base = base or median
        queries.setdefault(name, []).append(per_request)
        print(f"{name:32} {rows:>10} {median * 1000:8.2f} {median / base:8.1f} {per_request:8.1f}")
    print()
    for name, counts in queries.items():
        if len(counts) == 2:
            verdict = "same" if counts[0] == counts[1] else "DIFFERENT (grows with data?)"
            print(f"queries, small vs large world, {name:30}: {counts[0]:5.1f} vs {counts[1]:5.1f}  {verdict}")
    print()
    for n, j, k in ((500, 50, 3), (60, 12, 3)):
        seconds, lo, hi, pairs, uncovered, conflicts = time_assign(n, j, k)
        print(f"assign(): {n} nominations x {j} judges, k={k}, {conflicts} conflicted pairs: "
              f"{seconds * 1000:.1f} ms; {pairs} pairs; loads min {lo} / max {hi}; uncovered {uncovered}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
