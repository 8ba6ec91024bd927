"""Judging: the pages at 1x and 10x audit entries (in SEPARATE databases), and score saving through gunicorn
at 1, 2 and 4 workers on PostgreSQL; each against a bare `SELECT 1` route measured in the same run.

Run: .venv/bin/python benchmarks/judging.py [--nominations 60] [--judges 12] [--criteria 10] [--k 3]
     [--repeat 20] [--sqlite] [--seconds 10] [--clients 16] [--skip-load] [--skip-pages]
1. Pages. Each scale gets its own new database (PostgreSQL: PG_URL's server, databases <name>_1x and
   <name>_10x, dropped at the end; --sqlite: files in the temp folder): two fairs, each with a category of
   --nominations x --judges, k judges a nomination, every sheet scored. The audit log holds every score saved
   once (1x: about 2,100 entries with the defaults) or ten times over (10x: about 21,000), in the fairs'
   chains, as if judges had changed their minds. Each page is timed through the WSGI app in this process
   (median of --repeat after one warm-up), with its SQL queries. The chair page twice: "first view" (no
   checkpoint yet: it checks its fair's whole chain; median of 5) and "after a save" (a judge saves a score
   before each view: it checks what came after the last checkpoint). Printed: ms, x baseline and queries at
   1x and 10x, and the 10x/1x time ratio (goal for the chair page: <= 2).
2. Score saving (PostgreSQL only; PG_URL, default database fairapp_bench_judging, created and dropped here):
   gunicorn with 1, 2 then 4 workers; --clients judges (half in each of two fairs) save scores over keep-alive
   connections from a second process for --seconds; req/s, p50/p95, errors; the bare route at the same
   workers and clients; the 4/2 workers ratio (goal >= 1.6x; the bare route's own 4/2 ratio shows what this
   machine allows) and the 2/1 ratio (how saving scales while there are cores for the workers). Each save changes the value, so each writes an audit entry in its fair's chain.
Temporary folders, databases and servers are removed in `finally` (also on a failure or Ctrl-C).
Last line: one JSON object of the figures and ratios.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from benchmarks.harness import (BASELINE, cleanup, has_route, json_line, make_app, measure,  # noqa: E402
                                migrate_fresh, temp_dir)
from fairapp.extensions import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PG_URL", "postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp_bench_judging")
_seq = itertools.count(1)


# -- the world ------------------------------------------------------------------------------------------

def build_world(tag: str, n_noms: int, n_judges: int, n_criteria: int, k: int, password_hash: str,
                audit_times: int, tails: dict):
    """A fair with one category, n_noms eligible nominations, n_judges judges, n_criteria criteria, every
    nomination assigned to k judges (balanced) and every sheet scored; each score saved audit_times times
    in the audit log (the fair's chain, chained onto tails)."""
    from fairapp.accounts.models import Organization, Sector, User
    from fairapp.core import audit
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
    rows, columns = [], [c.key for c in AuditEntry.__table__.columns if c.key != "id"]
    chain_of = getattr(audit, "chain_of", lambda entry: 0)  # (before issue 14: one chain)
    for round_ in range(audit_times):
        for s in scores:
            value = s.value if round_ == audit_times - 1 else rng.randint(1, 5)
            e = AuditEntry(created_at=now, actor_id=None, fair_id=fair.id, action="judging.score_saved",
                           object_type="judge_scores", object_id=s.id, before=None,
                           after={"assignment": s.assignment_id, "criterion": s.criterion_id, "value": value,
                                  "comment": ""})
            e.prev_hash = tails.get(chain_of(e), audit.GENESIS)
            e.hash = tails[chain_of(e)] = e.compute_hash()
            rows.append({c: getattr(e, c) for c in columns})
    for start in range(0, len(rows), 5000):  # bulk, in chain order (ids ascend)
        db.session.execute(AuditEntry.__table__.insert(), rows[start:start + 5000])
    db.session.commit()
    by_judge: dict[int, list[int]] = {}
    for a in assignments:
        by_judge.setdefault(a.judge_id, []).append(a.id)
    judge = judges[0]
    return {"fair": fair.id, "category": category.id, "chair": chair.id, "judge": judge.id,
            "assignment": by_judge[judge.id][0], "criterion": rubric.criteria[1].id, "scores": len(scores),
            "audit": len(rows), "judges": {j.id: by_judge.get(j.id, []) for j in judges}}


def build(args, url: str, audit_times: int, name: str):
    os.environ["DATABASE_URL"] = url
    app = make_app(name, JOBS_MODE="inline")  # no scheduler thread: jobs run after the commit
    migrate_fresh(app)
    tails: dict = {}
    with app.app_context():
        password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
        worlds = [build_world(tag, args.nominations, args.judges, args.criteria, args.k, password_hash,
                              audit_times, tails) for tag in ("เชียงราย", "ลำปาง")]
    return app, worlds


# -- PostgreSQL databases made (and dropped) here ---------------------------------------------------------

_MADE_DATABASES: list[str] = []


def _admin_url(url: str) -> str:
    return url.replace("+psycopg", "").rsplit("/", 1)[0] + "/postgres"


def create_database(url: str) -> str | None:
    """A new, empty database at url (replaced if there); None when PostgreSQL is not reachable."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(_admin_url(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - any reason PostgreSQL is not there: say it, skip
        return f"PostgreSQL not reachable ({type(error).__name__}: {error})"
    _MADE_DATABASES.append(url)
    return None


def drop_databases() -> None:
    import psycopg

    while _MADE_DATABASES:
        url = _MADE_DATABASES.pop()
        try:
            with psycopg.connect(_admin_url(url), autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        except Exception as error:  # noqa: BLE001 - reported, the rest still goes
            print(f"note: could not drop {url.rsplit('/', 1)[1]}: {error}", file=sys.stderr)


# -- 1. pages at 1x and 10x ---------------------------------------------------------------------------

def _clients(app, world):
    clients = {}
    for role in ("chair", "judge"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(world[role])
        clients[role] = client
    return clients


def _chair_views(app, engine, world, clients, repeat: int) -> dict:
    """The chair page's first view (no checkpoint: the fair's whole chain) and its view after a judge saved
    a score (only what is new); median ms and mean queries of each."""
    from fairapp.core import audit

    chair, judge = clients["chair"], clients["judge"]
    url = f"/judging/categories/{world['category']}/chair"
    flip = itertools.cycle((3, 4))
    count = [0]

    def counting(*a, **k):
        count[0] += 1

    def timed(before):
        times, queries = [], 0
        for _ in range(repeat):
            before()
            count[0] = 0
            event.listen(engine, "before_cursor_execute", counting)
            start = time.perf_counter()
            try:
                response = chair.get(url)
            finally:
                times.append(time.perf_counter() - start)
                event.remove(engine, "before_cursor_execute", counting)
            assert response.status_code == 200 and 'data-state="intact"' in response.get_data(as_text=True)
            queries += count[0]
        return statistics.median(times), queries / repeat

    def forget_checkpoints():
        if not hasattr(audit, "AuditCheckpoint"):  # before issue 14: every view checks everything
            return
        with app.app_context():
            db.session.execute(delete(audit.AuditCheckpoint).where(audit.AuditCheckpoint.chain == world["fair"]))
            db.session.commit()

    def save():
        response = judge.post(f"/judging/assignments/{world['assignment']}/scores",
                              json={"criterion_id": world["criterion"], "value": next(flip), "comment": ""})
        assert response.status_code < 400, response.status_code

    chair.get(url)  # warm-up
    first = timed(forget_checkpoints)
    steady = timed(save)
    return {"first": first, "after_save": steady}


def run_pages(args, url: str, audit_times: int, name: str) -> dict:
    started = time.perf_counter()
    app, worlds = build(args, url, audit_times, name)
    world = worlds[0]
    with app.app_context():
        engine = db.engine
    built = time.perf_counter() - started
    clients = _clients(app, world)
    anonymous = app.test_client()
    c, judge, chair = world["category"], clients["judge"], clients["chair"]
    flip = itertools.cycle((3, 4))
    pages = [
        ("SELECT 1 (baseline)", "GET", BASELINE, lambda: anonymous.get(BASELINE)),
        ("judge dashboard", "GET", f"/fairs/{world['fair']}/judging",
         lambda: judge.get(f"/fairs/{world['fair']}/judging")),
        ("scoring page", "GET", f"/judging/assignments/{world['assignment']}",
         lambda: judge.get(f"/judging/assignments/{world['assignment']}")),
        ("save one score (POST JSON)", "POST", f"/judging/assignments/{world['assignment']}/scores",
         lambda: judge.post(f"/judging/assignments/{world['assignment']}/scores",
                            json={"criterion_id": world["criterion"], "value": next(flip), "comment": ""})),
        ("assignments page", "GET", f"/judging/categories/{c}/assignments",
         lambda: chair.get(f"/judging/categories/{c}/assignments")),
        ("minutes.pdf", "GET", f"/judging/categories/{c}/minutes.pdf",
         lambda: chair.get(f"/judging/categories/{c}/minutes.pdf")),
        ("results.xlsx", "GET", f"/judging/categories/{c}/results.xlsx",
         lambda: chair.get(f"/judging/categories/{c}/results.xlsx")),
    ]
    figures: dict = {"audit_entries": sum(w["audit"] for w in worlds), "built_s": built, "pages": {}}
    for page, method, path, call in pages:
        if not has_route(app, path, method):
            continue
        median, per_request, status = measure(call, args.repeat, engine)
        if median is not None:
            figures["pages"][page] = {"ms": median * 1000, "queries": per_request}
    chair_views = _chair_views(app, engine, world, clients, max(5, args.repeat // 2))
    for key, label in (("first", "chair page, first view"), ("after_save", "chair page, after a save")):
        seconds, queries = chair_views[key]
        figures["pages"][label] = {"ms": seconds * 1000, "queries": queries}
    base = figures["pages"]["SELECT 1 (baseline)"]["ms"]
    for page in figures["pages"].values():
        page["x_base"] = page["ms"] / base
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return figures


# -- 2. score saving through gunicorn --------------------------------------------------------------------

WSGI = r"""
import os, sys
sys.path.insert(0, {root!r})
from benchmarks.harness import make_app
app = make_app("judging-load", JOBS_MODE="inline")
if os.environ.get("BENCH_ONE_LOCK") == "1":
    # The design before issue 14, for comparison in the same run: every append also takes ONE global
    # advisory lock (first, then its chain's), held to the commit: all fairs' audited writes serialize.
    from sqlalchemy import text
    from fairapp.core import audit
    from fairapp.extensions import db
    per_chain = audit.append_pending
    def one_lock(session=None):
        session = session or db.session()
        if session.info.get(audit._PENDING):
            session.flush()
            session.execute(text("SELECT pg_advisory_xact_lock(:k, -1)"), {{"k": audit._LOCK_KEY}})
        return per_chain(session)
    audit.append_pending = one_lock
"""

LOAD_CLIENT = r"""
import http.client, json, sys, threading, time
spec = json.load(open(sys.argv[1]))
port, seconds = spec["port"], spec["seconds"]
lat, errors, lock = [], [0], threading.Lock()
start_at = time.perf_counter() + 0.5
stop_at = start_at + seconds
def worker(job):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    bodies = job["bodies"]
    headers = {"Cookie": job["cookie"], "Accept": "application/json", "Content-Type": "application/json"}
    i = 0
    while time.perf_counter() < start_at:
        time.sleep(0.01)
    while time.perf_counter() < stop_at:
        t = time.perf_counter()
        if bodies:
            path, body = bodies[i % len(bodies)]
            conn.request("POST", path, body=json.dumps(body), headers=headers)
        else:
            conn.request("GET", job["path"], headers=headers)
        r = conn.getresponse(); r.read()
        i += 1
        with lock:
            lat.append(time.perf_counter() - t)
            if r.status >= 400: errors[0] += 1
threads = [threading.Thread(target=worker, args=(job,)) for job in spec["jobs"]]
for t in threads: t.start()
for t in threads: t.join()
lat.sort()
print(json.dumps({"rps": len(lat) / seconds, "p50": lat[len(lat) // 2] * 1000,
                  "p95": lat[int(len(lat) * .95)] * 1000, "errors": errors[0], "n": len(lat)}))
"""


class AdvisoryWaits:
    """Samples, every 50 ms, how many backends wait on an advisory lock (an audit chain's): the mean."""

    def __init__(self, url: str):
        self.url, self.samples, self.mean = url.replace("+psycopg", ""), [], 0.0
        self._stop = threading.Event()

    def _run(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                self.samples.append(conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchone()[0])
                self._stop.wait(0.05)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)
        self.mean = statistics.fmean(self.samples) if self.samples else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cookie(app, user_id: int) -> str:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def run_load(args) -> dict:
    """Score saving by --clients judges of two fairs through gunicorn at 1, 2 and 4 workers, and the bare route."""
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        return {"skipped": "gunicorn is not installed"}
    problem = create_database(PG_URL)
    if problem:
        return {"skipped": problem}
    os.environ["DATABASE_URL"] = PG_URL
    app, worlds = build(args, PG_URL, 1, "judging-load-setup")
    flips = itertools.cycle((3, 4))
    jobs = []
    per_fair = max(1, args.clients // len(worlds))
    with app.app_context():
        from fairapp.judging.models import Criterion, Rubric
        from fairapp.nominations.models import Category
        for world in worlds:
            criteria = db.session.query(Criterion.id).join(Rubric).join(Category) \
                .filter(Category.id == world["category"]).order_by(Criterion.position).all()
            for judge_id, assignment_ids in list(world["judges"].items())[:per_fair]:
                # each save changes a value (3 <-> 4) of this judge's own sheets: an audit entry each time
                bodies = [(f"/judging/assignments/{a}/scores",
                           {"criterion_id": c.id, "value": next(flips), "comment": ""})
                          for a in assignment_ids for c in criteria]
                bodies += [(path, {**body, "value": 7 - body["value"]}) for path, body in bodies]
                jobs.append({"cookie": _cookie(app, judge_id), "bodies": bodies})
        instance = app.instance_path
        db.session.remove()
        db.engine.dispose()
    tmp = Path(temp_dir("judging-wsgi"))
    (tmp / "bench_judging_wsgi.py").write_text(WSGI.format(root=str(ROOT)))
    env = {**os.environ, "DATABASE_URL": PG_URL, "FAIRAPP_INSTANCE": instance, "PYTHONPATH": str(tmp),
           "TMPDIR": str(tmp)}
    results: dict = {"clients": len(jobs), "fairs": len(worlds), "seconds": args.seconds}
    for workers, design in ((1, "chains"), (2, "chains"), (4, "chains"), (2, "one_lock"), (4, "one_lock")):
        port = _free_port()
        server = subprocess.Popen([str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "bench_judging_wsgi:app"], cwd=tmp,
                                  env={**env, "BENCH_ONE_LOCK": "1" if design == "one_lock" else "0"},
                                  start_new_session=True)
        try:
            for _ in range(200):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
            runs = [("save", jobs)] if design == "one_lock" else \
                [("bare", [{"cookie": "", "bodies": [], "path": BASELINE}] * len(jobs)), ("save", jobs)]
            for name, spec_jobs in runs:
                spec = tmp / "spec.json"
                spec.write_text(json.dumps({"port": port, "seconds": 2, "jobs": spec_jobs}))
                subprocess.run([sys.executable, "-c", LOAD_CLIENT, str(spec)], check=True, capture_output=True)
                spec.write_text(json.dumps({"port": port, "seconds": args.seconds, "jobs": spec_jobs}))
                with AdvisoryWaits(PG_URL) as waits:
                    out = subprocess.run([sys.executable, "-c", LOAD_CLIENT, str(spec)], check=True,
                                         capture_output=True, text=True).stdout
                key = f"{name}_w{workers}" + ("_one_lock" if design == "one_lock" else "")
                results[key] = {**json.loads(out), "waiting_on_audit_lock": waits.mean}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    return results


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nominations", type=int, default=35)
    parser.add_argument("--judges", type=int, default=12)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="pages on SQLite files instead of PostgreSQL")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    figures: dict = {}
    try:
        if not args.skip_pages:
            scales = {}
            for scale, times in (("1x", 1), ("10x", 10)):
                if args.sqlite:
                    url = f"sqlite:///{temp_dir('judging-' + scale)}/bench.db"
                else:
                    url = f"{PG_URL}_{scale}"
                    problem = create_database(url)
                    if problem:
                        print(f"pages: {problem}; use --sqlite")
                        break
                scales[scale] = run_pages(args, url, times, f"judging-{scale}")
            if len(scales) == 2:
                small, big = scales["1x"], scales["10x"]
                print(f"pages ({'SQLite' if args.sqlite else 'PostgreSQL'}, each scale in its own database): "
                      f"two fairs of {args.nominations} nominations x {args.judges} judges x {args.criteria} "
                      f"criteria, k={args.k}; audit entries {small['audit_entries']} (1x) and "
                      f"{big['audit_entries']} (10x); median of {args.repeat} (chair views: "
                      f"{max(5, args.repeat // 2)})")
                print(f"{'page':28} {'1x ms':>8} {'x base':>7} {'q':>6} {'10x ms':>8} {'x base':>7} {'q':>6} "
                      f"{'10x/1x':>7}")
                figures["pages"] = {}
                for page, one in small["pages"].items():
                    ten = big["pages"].get(page)
                    if ten is None:
                        continue
                    ratio = ten["ms"] / one["ms"]
                    print(f"{page:28} {one['ms']:8.2f} {one['x_base']:7.1f} {one['queries']:6.1f} "
                          f"{ten['ms']:8.2f} {ten['x_base']:7.1f} {ten['queries']:6.1f} {ratio:7.2f}")
                    figures["pages"][page] = {"ms_1x": one["ms"], "ms_10x": ten["ms"], "queries_1x": one["queries"],
                                              "queries_10x": ten["queries"], "x_base_1x": one["x_base"],
                                              "x_base_10x": ten["x_base"], "ratio_10x_1x": ratio}
                figures["audit_entries_1x"], figures["audit_entries_10x"] = (small["audit_entries"],
                                                                             big["audit_entries"])
                figures["chair_10x_vs_1x"] = figures["pages"]["chair page, after a save"]["ratio_10x_1x"]
                figures["chair_first_view_10x_vs_1x"] = figures["pages"]["chair page, first view"]["ratio_10x_1x"]
                print(f"chair page after a save, 10x/1x: x{figures['chair_10x_vs_1x']:.2f} (goal <= 2); "
                      f"first view (whole chain): x{figures['chair_first_view_10x_vs_1x']:.2f}")
            drop_databases()
        if not args.skip_load:
            load = run_load(args)
            if "skipped" in load:
                print(f"score saving under load: skipped ({load['skipped']})")
                figures["load"] = load
            else:
                print(f"score saving: gunicorn + PostgreSQL, {load['clients']} judges in {load['fairs']} fairs, "
                      f"keep-alive, from a second process, {load['seconds']:.0f} s each")
                for workers in (1, 2, 4):
                    for name, label in (("bare", "bare SELECT 1 route"), ("save", "save a score, chain per fair"),
                                        ("save_one_lock", "save a score, ONE lock (before)")):
                        r = load.get(f"{name.replace('_one_lock', '')}_w{workers}"
                                     + ("_one_lock" if "one" in name else ""))
                        if r is None:
                            continue
                        print(f"  -w {workers} {label:32} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  "
                              f"p95 {r['p95']:6.1f} ms  errors {r['errors']}  waiting on the audit lock "
                              f"{r['waiting_on_audit_lock']:.2f}")
                figures["load"] = load
                figures["save_rps_w2"], figures["save_rps_w4"] = load["save_w2"]["rps"], load["save_w4"]["rps"]
                figures["save_w4_vs_w2"] = load["save_w4"]["rps"] / load["save_w2"]["rps"]
                figures["bare_w4_vs_w2"] = load["bare_w4"]["rps"] / load["bare_w2"]["rps"]
                figures["save_vs_bare_w4"] = load["save_w4"]["rps"] / load["bare_w4"]["rps"]
                figures["one_lock_w4_vs_w2"] = load["save_w4_one_lock"]["rps"] / load["save_w2_one_lock"]["rps"]
                figures["chains_vs_one_lock_w4"] = load["save_w4"]["rps"] / load["save_w4_one_lock"]["rps"]
                figures["cpus"] = os.cpu_count()
                figures["save_w2_vs_w1"] = load["save_w2"]["rps"] / load["save_w1"]["rps"]
                figures["bare_w2_vs_w1"] = load["bare_w2"]["rps"] / load["bare_w1"]["rps"]
                print(f"  1 -> 2 workers: saving x{figures['save_w2_vs_w1']:.2f}, bare route "
                      f"x{figures['bare_w2_vs_w1']:.2f} (what more workers give while there are cores for them; "
                      f"this machine has {figures['cpus']} and the load client shares them)")
                print(f"  4 vs 2 workers: saving x{figures['save_w4_vs_w2']:.2f} (goal >= 1.6; one lock: "
                      f"x{figures['one_lock_w4_vs_w2']:.2f}); bare route x{figures['bare_w4_vs_w2']:.2f}; at 4 "
                      f"workers saving is x{figures['save_vs_bare_w4']:.2f} the bare route and "
                      f"x{figures['chains_vs_one_lock_w4']:.2f} the one-lock design")
        for n, j, k in ((500, 50, 3), (60, 12, 3)):
            seconds, lo, hi, pairs, uncovered, conflicts = time_assign(n, j, k)
            print(f"assign(): {n} nominations x {j} judges, k={k}, {conflicts} conflicted pairs: "
                  f"{seconds * 1000:.1f} ms; {pairs} pairs; loads min {lo} / max {hi}; uncovered {uncovered}")
            figures[f"assign_{n}x{j}_ms"] = seconds * 1000
    finally:
        drop_databases()
        cleanup()
    json_line(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
