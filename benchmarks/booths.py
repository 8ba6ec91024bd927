"""Booth pages at 1x and 10x data, in SEPARATE databases: server time and SQL queries per request, the
10x/1x time ratio, and each figure against a bare `SELECT 1` request measured in the same run and database.

Run: .venv/bin/python benchmarks/booths.py [--applications 300] [--booths 150] [--factor 10] [--repeat 50]
         [--database URL_FOR_1X --database URL_FOR_10X]
Each size gets its own database with one fair (--applications applications in every state, --booths booths
on a floor plan; the big one --factor times each): by default new SQLite files in the temp folder; with
--database (PostgreSQL) the given databases are REPLACED and emptied at the end. Temp folders and files
are removed at the end, also on a failure or Ctrl-C. Pages are timed through the WSGI app in this process
(median of --repeat after one warm-up). A page is flat when its time at 10x is within 2x of 1x with the
same queries; an export is the whole data and is "linear by nature" when its cost per row stays within 2x
(its first byte is printed too). Last line: one JSON object of the figures and ratios.
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

from benchmarks.harness import cleanup, has_route, json_line, make_app, migrate_fresh, temp_dir  # noqa: E402
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


def build(url: str, n_apps: int, n_booths: int, tag: str):
    """A new database at `url` with one fair of n_apps applications and n_booths booths, and its staff."""
    app = make_app(f"booths-{tag}", SQLALCHEMY_DATABASE_URI=url, JOBS_MODE="inline")
    migrate_fresh(app)
    with app.app_context():
        from fairapp.accounts.models import User
        from fairapp.fairs.models import FairRole

        password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        fair, member, allocated = build_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย", n_apps, n_booths, password_hash, tag)
        staff = User(email="staff@example.org", password_hash=password_hash, first_name="วิไล", last_name="ใจงาม")
        db.session.add(staff)
        db.session.add(FairRole(fair=fair, user=staff, role="staff"))
        db.session.commit()
        ids = {"fair": fair.id, "staff": staff.id, "member": member.id, "application": allocated.id,
               "code": allocated.booth.code, "allocated": sum(1 for b in fair_booths(fair.id) if b)}
    return app, ids


def fair_booths(fair_id: int) -> list:
    from fairapp.booths.models import Booth

    return list(db.session.scalars(db.select(Booth.application_id).where(Booth.fair_id == fair_id)))


# (name, who, method, path, rows: "apps" | "booths" | "allocated" | None; None = a page, else a document)
PAGES = [
    ("SELECT 1 (baseline)", "anonymous", "GET", "/_bench/select1", None),
    ("review queue", "staff", "GET", "/fairs/{fair}/booths/review", None),
    ("review queue, page 3", "staff", "GET", "/fairs/{fair}/booths/review?page=3", None),
    ("review queue, status=approved", "staff", "GET", "/fairs/{fair}/booths/review?status=approved", None),
    ("check-in dashboard", "staff", "GET", "/fairs/{fair}/checkin/dashboard", None),
    ("check-in scan (POST, booth code)", "staff", "POST", "/fairs/{fair}/checkin/scan", None),
    ("booth status page (member)", "member", "GET", "/booths/{application}", None),
    ("fair booths page (member)", "member", "GET", "/fairs/{fair}/booths", None),
    ("floor plan (public)", "anonymous", "GET", "/fairs/{fair}/floorplan", "booths"),
    ("floor plan (staff)", "staff", "GET", "/fairs/{fair}/booths/plan", "booths"),
    ("export applications.csv", "staff", "GET", "/fairs/{fair}/booths/export/applications.csv", "apps"),
    ("export applications.xlsx", "staff", "GET", "/fairs/{fair}/booths/export/applications.xlsx", "apps"),
    ("export allocations.csv", "staff", "GET", "/fairs/{fair}/booths/export/allocations.csv", "allocated"),
    ("export allocations.xlsx", "staff", "GET", "/fairs/{fair}/booths/export/allocations.xlsx", "allocated"),
]


def measure_all(app, ids: dict, repeat: int) -> dict:
    """Every page of PAGES on this database: median ms (whole body read), first chunk ms, queries, KB."""
    import statistics

    from sqlalchemy import event

    clients = {who: app.test_client() for who in ("anonymous", "staff", "member")}
    for who in ("staff", "member"):
        with clients[who].session_transaction() as session:
            session["_user_id"] = str(ids[who])
    with app.app_context():
        engine = db.engine
    out = {}
    for name, who, method, path, rows in PAGES:
        url = path.format(**ids)
        if not has_route(app, url.split("?")[0], method):
            out[name] = {"status": "no route"}
            continue
        client = clients[who]

        def once():
            start = time.perf_counter()
            if method == "POST":
                response = client.post(url, json={"client_id": uuid.uuid4().hex, "booth_code": ids["code"]},
                                       buffered=False)
            else:
                response = client.get(url, buffered=False)
            chunks = iter(response.response)
            first = next(chunks, b"")
            first_at = time.perf_counter() - start
            size = len(first) + sum(len(c) for c in chunks)
            response.close()
            return response.status_code, time.perf_counter() - start, first_at, size

        status = once()[0]
        if status >= 400:
            out[name] = {"status": status}
            continue
        count = [0]

        def before(*a, **k):
            count[0] += 1

        event.listen(engine, "before_cursor_execute", before)
        times, firsts, size = [], [], 0
        try:
            for _ in range(repeat):
                status, whole, first, size = once()
                times.append(whole)
                firsts.append(first)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        out[name] = {"ms": statistics.median(times) * 1000, "first_ms": statistics.median(firsts) * 1000,
                     "queries": count[0] / repeat, "kb": size / 1024,
                     "rows": {"apps": ids["apps"], "booths": ids["booths"], "allocated": ids["allocated"]}.get(rows)}
    engine.dispose()
    return out


def empty(url: str) -> None:
    """A database given with --database: its schema emptied (PostgreSQL)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--booths", type=int, default=150)
    parser.add_argument("--factor", type=int, default=10, help="the big database has this many times the data")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database", action="append", default=[],
                        help="a database URL per size, small then big (REPLACED, emptied at the end)")
    args = parser.parse_args()
    if args.database and (len(args.database) != 2 or args.database[0] == args.database[1]):
        parser.error("give two different databases (one per size), or none")
    sizes = [(args.applications, args.booths), (args.applications * args.factor, args.booths * args.factor)]
    figures = []
    try:
        tmp = temp_dir("booths-db")
        urls = args.database or [f"sqlite:///{tmp}/small.db", f"sqlite:///{tmp}/big.db"]
        for (n_apps, n_booths), url, tag in zip(sizes, urls, ("เล็ก", "ใหญ่")):
            started = time.perf_counter()
            app, ids = build(url, n_apps, n_booths, tag)
            ids.update(apps=n_apps, booths=n_booths)
            built = time.perf_counter() - started
            figures.append({"built_s": round(built, 1), "ids": ids, "pages": measure_all(app, ids, args.repeat)})
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    finally:
        cleanup()
        for url in args.database:
            empty(url)
    small, big = figures
    dialect = urls[0].split(":")[0].split("+")[0]
    print(f"database: {dialect}; separate databases: {sizes[0][0]} applications / {sizes[0][1]} booths (built in "
          f"{small['built_s']} s) and {sizes[1][0]} / {sizes[1][1]} (built in {big['built_s']} s); median of {args.repeat}")
    print(f"{'page':36} {'ms 1x':>8} {'ms 10x':>8} {'ratio':>6} {'x base':>7} {'queries':>9} {'KB 10x':>7} "
          f"{'1st ms':>7} {'ms/row 1x':>9} {'10x':>7}")
    base = small["pages"]["SELECT 1 (baseline)"]["ms"], big["pages"]["SELECT 1 (baseline)"]["ms"]
    out = {"database": dialect, "sizes": sizes, "baseline_ms": list(base), "pages": {}}
    flat = True
    for name, *_rest in PAGES:
        a, b = small["pages"].get(name, {}), big["pages"].get(name, {})
        if "ms" not in a or "ms" not in b:
            print(f"{name:36} skipped ({a.get('status')} / {b.get('status')})")
            continue
        ratio = b["ms"] / a["ms"]
        same = a["queries"] == b["queries"]
        row = {"ms": [a["ms"], b["ms"]], "ratio": ratio, "x_base": b["ms"] / base[1],
               "queries": [a["queries"], b["queries"]], "kb": [a["kb"], b["kb"]], "first_ms": [a["first_ms"], b["first_ms"]]}
        per_row = ""
        if a["rows"]:  # a document that is the whole data: linear by nature when its cost per row holds
            row["ms_per_row"] = [a["ms"] / a["rows"], b["ms"] / b["rows"]]
            row["per_row_ratio"] = row["ms_per_row"][1] / row["ms_per_row"][0]
            ok = row["per_row_ratio"] <= 2 and same
            row["verdict"] = "linear by nature" if ok else "grows"
            per_row = f" {row['ms_per_row'][0]:9.3f} {row['ms_per_row'][1]:7.3f}"
            mark = "  linear by nature" if ok else "  <-- grows (per row)"
        else:
            ok = ratio <= 2 and same
            row["verdict"] = "flat" if ok else "grows"
            mark = "" if ok else "  <-- grows"
        flat &= ok
        out["pages"][name] = row
        print(f"{name:36} {a['ms']:8.2f} {b['ms']:8.2f} {ratio:6.2f} {b['ms'] / base[1]:7.1f} "
              f"{a['queries']:4.0f}->{b['queries']:<4.0f} {b['kb']:7.0f} {b['first_ms']:7.1f}{per_row}{mark}")
    out["all_flat_or_linear"] = flat
    json_line(out)


if __name__ == "__main__":
    main()
