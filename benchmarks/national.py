"""A national data set in one command: the national fair and 77 provincial ones, at a scale.

Run: .venv/bin/python benchmarks/national.py --scale 1|10 [--database URL]
  --scale 1: about 15,000 organizations, 6,000 booth applications, 4,000 nominations, 300 judges,
  40,000 certificates and 200,000 audit entries (--scale 10: ten times each; --scale 0.1 for a quick one).
  --database: a SQLAlchemy URL (default: a new SQLite file in the temp folder, its path printed). The
  database is REPLACED (migrated from empty; on PostgreSQL its public schema is dropped first).
Rows go in by bulk inserts (executemany of plain dicts, ids given here), never the ORM one object at a
time; certificates are rows only (no PDFs); the audit entries are chained by fairapp.core.audit's own
functions (chain_of, entry_hash: one chain per fair), so `flask audit verify` passes. The database is then
settled as one in use is (`settle`: VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite).
Last line: one JSON object (counts and seconds). Used by benchmarks/pages.py (`build()`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

BASE = {"organizations": 15_000, "applications": 6_000, "nominations": 4_000, "judges": 300,
        "certificates": 40_000, "audit": 200_000}
NATIONAL_WEIGHT = 23  # the national fair gets 23 shares, each provincial fair 1 (of 100)
STAFF_EMAIL = "staff@national.local"
ADMIN_EMAIL = "admin@national.local"
PASSWORD = "bench-password"
BATCH = 5_000


def counts(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in BASE.items()}


def _spread(total: int, n_fairs: int) -> list[int]:
    """How many of `total` go to each fair: the national fair (index 0) weighs NATIONAL_WEIGHT."""
    weights = [NATIONAL_WEIGHT] + [1] * (n_fairs - 1)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    for i in range(total - sum(shares)):
        shares[i % n_fairs] += 1
    return shares


class Loader:
    """Bulk inserts with ids given here (a fresh database), in batches."""

    def __init__(self, session):
        self.session = session
        self.next_id: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def ids(self, model, n: int) -> range:
        start = self.next_id.get(model.__tablename__, 1)
        self.next_id[model.__tablename__] = start + n
        return range(start, start + n)

    def add(self, model, rows: list[dict]) -> None:
        for i in range(0, len(rows), BATCH):
            self.session.execute(insert(model.__table__), rows[i:i + BATCH])
        self.rows[model.__tablename__] = self.rows.get(model.__tablename__, 0) + len(rows)

    def fix_sequences(self) -> None:
        """PostgreSQL: move each table's id sequence past the ids given here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for table, next_id in self.next_id.items():
            self.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :v)"),
                                 {"v": max(next_id - 1, 1)})


def audit_rows(entries: list[dict], last: dict) -> list[dict]:
    """Chain the entries (in id order) with the audit module's own public functions: `chain_of(entry)`
    picks the chain (one per fair), `entry_hash(entry)` the hash (of an AuditEntry or any row with its
    fields). `last` holds each chain's tail hash and is updated (so the next batch chains on)."""
    from types import SimpleNamespace

    from fairapp.core import audit

    version = getattr(audit, "HASH_VERSION", None)
    out = []
    for values in entries:
        entry = SimpleNamespace(**values)
        entry.chain = audit.chain_of(entry)
        entry.hash_version = version
        entry.prev_hash = last.get(entry.chain, audit.GENESIS)
        if version and version >= 3:  # the personal part salted (format 3)
            entry.erased_by = None
            audit.seal(entry)
        entry.hash = last[entry.chain] = audit.entry_hash(entry)
        out.append(vars(entry))
    return out


def load(session, scale: float, seed: int = 14) -> dict:
    """Fill an empty, migrated database; returns the counts and the ids the benchmarks use."""
    from werkzeug.security import generate_password_hash

    from fairapp.accounts.models import Membership, Organization, Sector, User
    from fairapp.booths.models import Application, Booth, BoothPerson, BoothSetup, BoothType, Status
    from fairapp.certificates.models import Certificate
    from fairapp.core.audit import AuditEntry
    from fairapp.core.geo import district_choices, province_choices
    from fairapp.core.time import today_local
    from fairapp.fairs.models import Fair, FairRole
    from fairapp.judging.models import AwardLevel, Assignment, Criterion, JudgeProfile, Rubric, Score
    from fairapp.nominations.models import Category, Nomination, NominationStatus

    rnd = random.Random(seed)
    want = counts(scale)
    L = Loader(session)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = today_local()
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    provinces = [code for code, _ in province_choices("th")]
    districts = {p: [c for c, _ in district_choices(p, "th")] or [p + "01"] for p in provinces}
    sectors = list(Sector)

    # ---- fairs: the national one (Bangkok) and one per province ----
    fair_province = ["10"] + provinces
    fair_ids = list(L.ids(Fair, len(fair_province)))
    L.add(Fair, [{
        "id": fid, "name_th": ("มหกรรมคุณธรรมแห่งชาติ" if i == 0 else f"ตลาดนัดคุณธรรม จังหวัด {p}"),
        "venue_th": "ศูนย์การประชุม", "province_code": p, "description_th": "",
        "starts_on": today + timedelta(days=30 + i % 20), "ends_on": today + timedelta(days=32 + i % 20),
        "booth_opens": today - timedelta(days=20), "booth_closes": today + timedelta(days=10),
        "nomination_opens": today - timedelta(days=20), "nomination_closes": today + timedelta(days=10),
        "judging_opens": today - timedelta(days=5), "judging_closes": today + timedelta(days=25),
        "thai_numerals": False, "created_at": now} for i, (fid, p) in enumerate(zip(fair_ids, fair_province))])
    n_fairs = len(fair_ids)

    # ---- people: staff, admin, one member per organization, judges ----
    staff_id, admin_id = L.ids(User, 2)
    users = [{"id": staff_id, "email": STAFF_EMAIL, "first_name": "วิไล", "last_name": "ใจงาม"},
             {"id": admin_id, "email": ADMIN_EMAIL, "first_name": "สมศักดิ์", "last_name": "ผู้ดูแล",
              "is_admin": True}]
    org_ids = list(L.ids(Organization, want["organizations"]))
    member_ids = list(L.ids(User, len(org_ids)))
    judge_ids = list(L.ids(User, want["judges"]))
    users += [{"id": uid, "email": f"member{k}@national.example.org", "first_name": "สมชาย",
               "last_name": f"ใจดี {k}"} for k, uid in enumerate(member_ids)]
    users += [{"id": uid, "email": f"judge{k}@national.example.org", "first_name": "กรรมการ",
               "last_name": f"คนที่ {k}"} for k, uid in enumerate(judge_ids)]
    for u in users:
        u.update(password_hash=password_hash, email_confirmed_at=now, created_at=now, title="",
                 locale="th", active=True, session_version=0, is_admin=u.get("is_admin", False))
    L.add(User, users)
    orgs = []
    for k, oid in enumerate(org_ids):
        p = provinces[k % len(provinces)]
        orgs.append({"id": oid, "name_th": f"องค์กรคุณธรรม {rnd.choice('กขคงจฉชซ')}{k:06d}",
                     "sector": sectors[k % len(sectors)], "province_code": p,
                     "district_code": districts[p][k % len(districts[p])], "is_provincial_office": k < 77,
                     "created_at": now})
    L.add(Organization, orgs)
    L.add(Membership, [{"id": mid, "user_id": uid, "organization_id": oid, "role": "owner", "created_at": now}
                       for mid, uid, oid in zip(L.ids(Membership, len(org_ids)), member_ids, org_ids)])
    roles = [(fid, staff_id, "staff") for fid in fair_ids]
    judges_of_fair: dict[int, list[int]] = {fid: [] for fid in fair_ids}
    for k, uid in enumerate(judge_ids):
        fid = fair_ids[0] if k % 5 == 0 else fair_ids[1 + k % (n_fairs - 1)]
        judges_of_fair[fid].append(uid)
    for fid in fair_ids:  # every fair has at least three judges
        while len(judges_of_fair[fid]) < 3:
            judges_of_fair[fid].append(judge_ids[rnd.randrange(len(judge_ids))])
    for fid, uids in judges_of_fair.items():
        roles += [(fid, uid, "judge") for uid in dict.fromkeys(uids)]
    L.add(FairRole, [{"id": rid, "fair_id": f, "user_id": u, "role": r, "created_at": now}
                     for rid, (f, u, r) in zip(L.ids(FairRole, len(roles)), roles)])
    profiles = [(fid, uid) for fid, uids in judges_of_fair.items() for uid in dict.fromkeys(uids)]
    L.add(JudgeProfile, [{"id": pid, "fair_id": f, "user_id": u, "affiliation_org_id": None}
                         for pid, (f, u) in zip(L.ids(JudgeProfile, len(profiles)), profiles)])

    # ---- booths: three types per fair, a floor plan, applications in every state ----
    apps_per_fair = _spread(want["applications"], n_fairs)
    type_rows, booth_rows, app_rows, people = [], [], [], []
    states = ([Status.approved] * 45 + [Status.waitlisted] * 15 + [Status.offered] * 3 + [Status.rejected] * 7
              + [Status.withdrawn] * 3 + [Status.submitted] * 27)
    org_cursor = 0
    for fid, n_apps in zip(fair_ids, apps_per_fair):
        tids = list(L.ids(BoothType, 3))
        approved = int(n_apps * 0.45)
        for order, (tid, name, share) in enumerate(zip(tids, ("บูธมาตรฐาน", "บูธคู่", "เต็นท์กลางแจ้ง"), (.6, .15, .25))):
            type_rows.append({"id": tid, "fair_id": fid, "name_th": name, "size_label": "3 x 3 ม.", "includes_th": "",
                              "capacity": max(1, round(approved * share) + 2), "sort_order": order})
        n_booths = max(3, approved)
        cols = 40
        booth_ids = list(L.ids(Booth, n_booths))
        free = []
        for i, bid in enumerate(booth_ids):
            tid = tids[0] if i < n_booths * .6 else tids[1] if i < n_booths * .75 else tids[2]
            row = {"id": bid, "fair_id": fid, "booth_type_id": tid, "code": f"{'ABC'[i % 3]}{i + 1:04d}",
                   "zone": "ABC"[i % 3], "x": i % cols, "y": i // cols, "w": 1, "h": 1, "blocked": False,
                   "application_id": None}
            booth_rows.append(row)
            free.append(row)
        for i, aid in enumerate(L.ids(Application, n_apps)):
            status = states[aid % len(states)]
            oid = org_ids[org_cursor % len(org_ids)]
            org_cursor += 1
            submitted = now - timedelta(days=15, minutes=-i)
            app_rows.append({
                "id": aid, "fair_id": fid, "organization_id": oid, "booth_type_id": tids[(0, 0, 0, 1, 2)[i % 5]],
                "status": status, "show_text": "นิทรรศการองค์กรคุณธรรมต้นแบบ", "share_text": "แบ่งปันประสบการณ์",
                "help_text": "", "connect_text": "", "needs_power": i % 3 == 0, "needs_water": False,
                "needs_wheelchair": False, "needs_note": "", "created_at": submitted, "updated_at": submitted,
                "submitted_at": submitted, "decided_at": now - timedelta(days=2),
                "waitlisted_at": submitted if status == Status.waitlisted else None,
                "offer_expires_at": now + timedelta(hours=48) if status == Status.offered else None,
                "rejection_reason": "ไม่ตรงเงื่อนไข" if status == Status.rejected else None})
            if status == Status.approved and free:
                free.pop(0)["application_id"] = aid
            people.append({"application_id": aid, "position": 0, "title": "นาย", "first_name": "ก้องภพ",
                           "last_name": "ใจดี"})
    L.add(BoothType, type_rows)
    L.add(Application, app_rows)
    L.add(Booth, booth_rows)
    L.add(BoothSetup, [{"fair_id": fid, "per_org_limit": 1, "offer_hours": 72, "plan_cols": 40,
                        "plan_rows": max(16, -(-n // 40) + 1)} for fid, n in zip(fair_ids, apps_per_fair)])
    for pid, row in zip(L.ids(BoothPerson, len(people)), people):
        row["id"] = pid
    L.add(BoothPerson, people)

    # ---- nominations: two categories per fair, rubrics, three judges each, scores ----
    nom_per_fair = _spread(want["nominations"], n_fairs)
    cat_rows, rubric_rows, crit_rows, level_rows, nom_rows, assign_rows, score_rows = [], [], [], [], [], [], []
    nstates = ([NominationStatus.submitted] * 4 + [NominationStatus.eligible] * 4 + [NominationStatus.returned]
               + [NominationStatus.ineligible])
    first_category = None
    for fid, n_noms in zip(fair_ids, nom_per_fair):
        cids = list(L.ids(Category, 2))
        first_category = first_category or cids[0]
        crit_of = {}
        for order, cid in enumerate(cids):
            cat_rows.append({"id": cid, "fair_id": fid, "name_th": ("องค์กรคุณธรรมต้นแบบ", "ชุมชนคุณธรรมต้นแบบ")[order],
                             "description_th": "", "nominee_kind": "organization", "eligible_sectors": [],
                             "eligible_provinces": [], "opens_on": today - timedelta(days=20),
                             "closes_on": today + timedelta(days=10), "sort_order": order,
                             "sections": ["integrity", "discipline"], "narrative_max_chars": 3000,
                             "min_photos": 0, "min_pdfs": 0, "max_files": 20, "max_per_nominator": 3})
            (rid,) = L.ids(Rubric, 1)
            rubric_rows.append({"id": rid, "category_id": cid, "judges_per_nomination": 3, "ranking": "raw",
                                "scores_open": False})
            crit_of[cid] = list(L.ids(Criterion, 3))
            for pos, (crid, w) in enumerate(zip(crit_of[cid], (40, 30, 30))):
                crit_rows.append({"id": crid, "rubric_id": rid, "position": pos, "name_th": f"เกณฑ์ที่ {pos + 1}",
                                  "weight": w, "scale_min": 1, "scale_max": 5, "descriptors": {}})
            for lid, (m, name) in zip(L.ids(AwardLevel, 2), ((80, "ต้นแบบ"), (60, "เชิดชูเกียรติ"))):
                level_rows.append({"id": lid, "rubric_id": rid, "min_score": m, "name_th": name})
        judges = list(dict.fromkeys(judges_of_fair[fid]))
        for i, nid in enumerate(L.ids(Nomination, n_noms)):
            cid = cids[i % 2]
            nominator, nominee = org_ids[rnd.randrange(len(org_ids))], org_ids[rnd.randrange(len(org_ids))]
            status = nstates[nid % len(nstates)]
            submitted = now - timedelta(days=10, minutes=-i)
            nom_rows.append({"id": nid, "fair_id": fid, "category_id": cid, "nominator_org_id": nominator,
                             "nominee_org_id": nominee, "status": status,
                             "narratives": {"integrity": "ซื่อสัตย์สุจริต", "discipline": "มีวินัย"},
                             "review_note": None, "created_at": submitted, "updated_at": submitted,
                             "submitted_at": submitted,
                             "decided_at": None if status == NominationStatus.submitted else now})
            if status != NominationStatus.eligible:
                continue
            for j in range(3):
                (asid,) = L.ids(Assignment, 1)
                judge = judges[(i + j) % len(judges)]
                if any(a["nomination_id"] == nid and a["judge_id"] == judge for a in assign_rows[-3:]):
                    continue
                assign_rows.append({"id": asid, "nomination_id": nid, "judge_id": judge, "created_at": now,
                                    "created_by_id": staff_id})
                for crid in crit_of[cid]:
                    score_rows.append({"assignment_id": asid, "criterion_id": crid, "value": rnd.randint(1, 5),
                                       "comment": "", "updated_at": now})
    L.add(Category, cat_rows)
    L.add(Rubric, rubric_rows)
    L.add(Criterion, crit_rows)
    L.add(AwardLevel, level_rows)
    L.add(Nomination, nom_rows)
    L.add(Assignment, assign_rows)
    for sid, row in zip(L.ids(Score, len(score_rows)), score_rows):
        row["id"] = sid
    L.add(Score, score_rows)

    # ---- certificates (rows only: no PDFs) ----
    from fairapp.certificates.labels import KINDS
    from fairapp.certificates.serials import new_serial, prefix_for

    cert_per_fair = _spread(want["certificates"], n_fairs)
    prefix = prefix_for(today.year + 543)
    seen: set[str] = set()
    cid = iter(L.ids(Certificate, want["certificates"]))
    for fid, n in zip(fair_ids, cert_per_fair):  # a fair at a time (flat memory)
        cert_rows = []
        for i in range(n):
            serial = new_serial(prefix)
            while serial in seen:
                serial = new_serial(prefix)
            seen.add(serial)
            kind = KINDS[i % len(KINDS)]
            cert_rows.append({
                "id": next(cid), "serial": serial, "fair_id": fid, "kind": kind, "subject_key": f"{kind}:{i}",
                "generation": 1, "holder_name": f"ผู้เข้าร่วม คนที่ {i}", "holder_org": "", "reason": "",
                "role_th": "ผู้เข้าร่วมงาน", "given_on": today, "stage_order": 0, "search_key": f"ผู้เข้าร่วม {i}",
                "token": "-", "pdf_key": f"bench-{serial}", "pdf_sha256": hashlib.sha256(serial.encode()).hexdigest(),
                "issued_at": now, "issued_by_id": staff_id})
        L.add(Certificate, cert_rows)

    # ---- the audit log, chained ----
    actions = ("booths.approve", "nominations.decide", "judging.score", "certificates.issue", "booths.checkin")
    audit_per_fair = _spread(want["audit"], n_fairs)
    plan = [fid for fid, n in zip(fair_ids, audit_per_fair) for _ in range(n)]
    rnd.shuffle(plan)  # fairs interleave, as they do in life
    start = now - timedelta(days=30)
    ids = L.ids(AuditEntry, len(plan))
    tails: dict = {}
    for b in range(0, len(plan), 50_000):  # built, chained and inserted a batch at a time (flat memory)
        entries = [{"id": ids[k], "created_at": start + timedelta(seconds=k * 10), "actor_id": staff_id,
                    "fair_id": plan[k], "action": actions[k % len(actions)], "object_type": "booth_applications",
                    "object_id": k + 1, "before": {"status": "submitted"}, "after": {"status": "approved"}}
                   for k in range(b, min(b + 50_000, len(plan)))]
        L.add(AuditEntry, audit_rows(entries, tails))
    L.fix_sequences()
    session.commit()
    national = fair_ids[0]
    return {"rows": L.rows, "ids": {"national": national, "provincial": fair_ids[1], "staff": staff_id,
                                    "admin": admin_id, "category": first_category}}


def settle(engine) -> None:
    """What a database in use has and a bulk load has not yet: the planner's statistics, and (PostgreSQL)
    the visibility map that lets a count or a page be read from an index alone. Autovacuum would do it
    within minutes of the load, maybe halfway through a benchmark; done here, every run measures the
    same settled database."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def build(url: str, scale: float) -> dict:
    """Migrate the database at `url` from empty and load the national set into it (seconds included)."""
    from benchmarks.harness import make_app, migrate_fresh
    from fairapp.extensions import db

    started = time.perf_counter()
    if url.startswith("sqlite:///"):  # replaced: a new file
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = make_app("national", SQLALCHEMY_DATABASE_URI=url, JOBS_MODE="inline")
    try:
        migrate_fresh(app)
        with app.app_context():
            if db.engine.dialect.name == "sqlite":
                db.session.execute(text("PRAGMA synchronous=OFF"))
            figures = load(db.session, scale)
            db.session.remove()
            settle(db.engine)
            db.engine.dispose()
    finally:  # the app's instance folder (temp); the data set itself stays
        shutil.rmtree(os.environ["FAIRAPP_INSTANCE"], ignore_errors=True)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["scale"] = scale
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--database", help="SQLAlchemy URL (replaced); default: a new SQLite file")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='fairapp-national-')}/national.db"
    figures = build(url, args.scale)
    print(f"national data set at scale {args.scale} in {url.split('@')[-1]}: built in {figures['seconds']} s")
    for table, n in sorted(figures["rows"].items()):
        print(f"  {table:28} {n:>10,}")
    print(json.dumps({"scale": args.scale, "seconds": figures["seconds"], "rows": figures["rows"]}))


if __name__ == "__main__":
    main()
