"""Booth pages: server time and SQL queries per request, as ratios against a bare `SELECT 1` request.

Run: .venv/bin/python benchmarks/booths.py [--applications 300] [--booths 150] [--small 30] [--repeat 100]
Builds a throwaway SQLite database (or uses DATABASE_URL: its schema is dropped and rebuilt), a fair with
many applications in every state and a floor plan, a second fair with few, then times each page through
the WSGI app in this process. Pages another feature has not built yet are skipped with a note.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import generate_password_hash  # noqa: E402

from benchmarks.harness import migrate_fresh, has_route, make_app, measure  # noqa: E402
from fairapp.extensions import db  # noqa: E402

STATES = (  # share of the applications in each state (the rest are submitted)
    ("approved", 0.45), ("waitlisted", 0.15), ("offered", 0.03), ("rejected", 0.07), ("withdrawn", 0.03),
)
PEOPLE = (("นาย", "ก้องภพ", "ใจดี"), ("นางสาว", "พิมพ์ชนก", "คำมา"), ("นาง", "ศรีนวล", "ทองดี"))




def build_fair(name: str, n_apps: int, n_booths: int, password_hash: str, tag: str):
    """A fair with three booth types, n_booths booths on a grid and n_apps applications of as many orgs."""
    from fairapp.accounts.models import Membership, Organization, Sector, User
    from fairapp.booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
    from fairapp.core.time import today_local, utcnow
    from fairapp.fairs.models import Fair

    today, now = today_local(), utcnow()
    fair = Fair(name_th=name, venue_th="ศาลากลางจังหวัดเชียงราย", province_code="57",
                starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=31),
                booth_opens=today - timedelta(days=10), booth_closes=today + timedelta(days=20),
                nomination_opens=today - timedelta(days=10), nomination_closes=today + timedelta(days=20),
                judging_opens=today + timedelta(days=21), judging_closes=today + timedelta(days=30))
    db.session.add(fair)
    db.session.flush()
    db.session.add(BoothSetup(fair_id=fair.id, per_org_limit=1, offer_hours=72, plan_cols=30, plan_rows=20))
    approved = int(n_apps * STATES[0][1])
    shares = [("standard", 0.6), ("double", 0.15), ("tent", 0.25)]
    types = {}
    for order, (key, share) in enumerate(shares):
        types[key] = BoothType(fair_id=fair.id, name_th={"standard": "บูธมาตรฐาน", "double": "บูธคู่",
                                                           "tent": "เต็นท์กลางแจ้ง"}[key],
                               size_label="3 x 3 ม.", capacity=max(1, round(approved * share) + 2),
                               sort_order=order)
    db.session.add_all(types.values())
    db.session.flush()
    booths = []
    for i in range(n_booths):
        key = shares[0][0] if i < n_booths * 0.6 else shares[1][0] if i < n_booths * 0.75 else shares[2][0]
        booths.append(Booth(fair_id=fair.id, booth_type_id=types[key].id, code=f"{'ABC'[i % 3]}{i + 1:03d}",
                            zone="ABC"[i % 3], x=i % 30, y=i // 30, w=1, h=1, blocked=(i % 37 == 36)))
    db.session.add_all(booths)
    db.session.flush()
    free = {t.id: [b for b in booths if b.booth_type_id == t.id and not b.blocked] for t in types.values()}
    sequence = []
    for state, share in STATES:
        sequence += [state] * int(n_apps * share)
    sequence += ["submitted"] * (n_apps - len(sequence))
    member = None
    first_allocated = None
    type_cycle = [types["standard"]] * 6 + [types["double"]] * 2 + [types["tent"]] * 2
    for i, state in enumerate(sequence):
        org = Organization(name_th=f"องค์กรคุณธรรม{tag} ลำดับ {i + 1}", sector=list(Sector)[i % 6],
                           province_code=("57", "50", "10")[i % 3], district_code=("5701", "5001", "1001")[i % 3])
        user = User(email=f"{tag}-member{i}@example.org", password_hash=password_hash, first_name="สมชาย",
                    last_name="ใจดี", email_confirmed_at=now)
        db.session.add_all([org, user, Membership(user=user, organization=org, role="owner")])
        booth_type = type_cycle[i % len(type_cycle)]
        application = Application(
            fair_id=fair.id, organization=org, booth_type_id=booth_type.id, status=Status(state),
            show_text="นิทรรศการองค์กรคุณธรรมต้นแบบ", share_text="แบ่งปันประสบการณ์", needs_power=i % 3 == 0,
            submitted_at=now - timedelta(days=9, minutes=-i), decided_at=now - timedelta(days=2),
            waitlisted_at=now - timedelta(days=2, minutes=-i) if state == "waitlisted" else None,
            offer_expires_at=now + timedelta(hours=48) if state == "offered" else None,
            rejection_reason="ไม่ตรงเงื่อนไข" if state == "rejected" else None)
        application.people = [BoothPerson(position=k, title=t, first_name=f, last_name=l)
                              for k, (t, f, l) in enumerate(PEOPLE[: 1 + i % 3])]
        db.session.add(application)
        if state == "approved" and free[booth_type.id] and i % 8 != 7:  # most approved ones have a booth
            free[booth_type.id].pop(0).application = application
            if first_allocated is None:
                first_allocated, member = application, user
    db.session.flush()
    return fair, member, first_allocated


def build(args):
    app = make_app("booths")
    migrate_fresh(app)
    with app.app_context():
        from fairapp.accounts.models import User
        from fairapp.fairs.models import FairRole

        password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        big, member, allocated = build_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย", args.applications, args.booths,
                                            password_hash, "ใหญ่")
        small, _, _ = build_fair("ตลาดนัดคุณธรรม จังหวัดน่าน", args.small, args.small // 2, password_hash, "เล็ก")
        staff = User(email="staff@example.org", password_hash=password_hash, first_name="วิไล", last_name="ใจงาม")
        db.session.add(staff)
        db.session.add_all([FairRole(fair=fair, user=staff, role="staff") for fair in (big, small)])
        db.session.commit()
        code = allocated.booth.code
        ids = {"big": big.id, "small": small.id, "staff": staff.id, "member": member.id,
               "application": allocated.id, "code": code}
    return app, ids






def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--booths", type=int, default=150)
    parser.add_argument("--small", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    app, ids = build(args)
    staff, member, anonymous = app.test_client(), app.test_client(), app.test_client()
    for client, user in ((staff, ids["staff"]), (member, ids["member"])):
        with client.session_transaction() as session:
            session["_user_id"] = str(user)
    with app.app_context():
        engine = db.engine
    big, small, n, m = ids["big"], ids["small"], args.applications, args.small

    def get(client, url):
        return lambda: client.get(url)

    def scan():
        return staff.post(f"/fairs/{big}/checkin/scan",
                          json={"client_id": uuid.uuid4().hex, "booth_code": ids["code"]})

    pages = [  # (name, rows, method, path, call)
        ("SELECT 1 (baseline)", "", "GET", "/_bench/select1", get(anonymous, "/_bench/select1")),
        ("review queue", f"{n} apps", "GET", f"/fairs/{big}/booths/review", get(staff, f"/fairs/{big}/booths/review")),
        ("review queue", f"{m} apps", "GET", f"/fairs/{small}/booths/review",
         get(staff, f"/fairs/{small}/booths/review")),
        ("review queue, filtered (approved)", f"{n} apps", "GET", f"/fairs/{big}/booths/review",
         get(staff, f"/fairs/{big}/booths/review?status=approved")),
        ("floor plan (public)", f"{args.booths} booths", "GET", f"/fairs/{big}/floorplan",
         get(anonymous, f"/fairs/{big}/floorplan")),
        ("floor plan (staff)", f"{args.booths} booths", "GET", f"/fairs/{big}/booths/plan",
         get(staff, f"/fairs/{big}/booths/plan")),
        ("check-in scan (POST, booth code)", "", "POST", f"/fairs/{big}/checkin/scan", scan),
        ("booth status page (member)", "allocated", "GET", f"/booths/{ids['application']}",
         get(member, f"/booths/{ids['application']}")),
        ("fair booths page (member)", "", "GET", f"/fairs/{big}/booths", get(member, f"/fairs/{big}/booths")),
        ("export applications.csv", f"{n} apps", "GET", f"/fairs/{big}/booths/export/applications.csv",
         get(staff, f"/fairs/{big}/booths/export/applications.csv")),
        ("export applications.xlsx", f"{n} apps", "GET", f"/fairs/{big}/booths/export/applications.xlsx",
         get(staff, f"/fairs/{big}/booths/export/applications.xlsx")),
        ("export allocations.xlsx", f"{args.booths} booths", "GET", f"/fairs/{big}/booths/export/allocations.xlsx",
         get(staff, f"/fairs/{big}/booths/export/allocations.xlsx")),
    ]
    print(f"database: {engine.dialect.name}; fair 1: {n} applications, {args.booths} booths; fair 2: {m} "
          f"applications; built in {time.perf_counter() - started:.1f} s; {args.repeat} requests per page; "
          f"median server time")
    print(f"{'page':36} {'rows':>12} {'ms':>8} {'x base':>7} {'queries':>8}")
    base = None
    notes, queries = [], {}
    for name, rows, method, path, call in pages:
        if not has_route(app, path, method):
            notes.append(f"{name}: {method} {path} is not in the app yet (another engineer is building it)")
            print(f"{name:36} {rows:>12} {'-':>8} {'-':>7} {'-':>8}  (skipped: no route)")
            continue
        median, per_request, status = measure(call, args.repeat, engine)
        if median is None:
            notes.append(f"{name}: {method} {path} answered {status}; not measured")
            print(f"{name:36} {rows:>12} {'-':>8} {'-':>7} {'-':>8}  (skipped: {status})")
            continue
        base = base or median
        queries[(name, rows)] = per_request
        print(f"{name:36} {rows:>12} {median * 1000:8.2f} {median / base:7.2f} {per_request:8.1f}")
    big_q, small_q = queries.get(("review queue", f"{n} apps")), queries.get(("review queue", f"{m} apps"))
    if big_q is not None and small_q is not None:
        verdict = "the same" if big_q == small_q else "DIFFERENT (an N+1 query?)"
        print(f"\nreview queue queries: {small_q:.0f} with {m} applications, {big_q:.0f} with {n}: {verdict}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
