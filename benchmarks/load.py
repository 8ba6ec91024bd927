"""The fair-day load run against the local cluster (`make cluster`): req/s, latency percentiles and errors
for each kind of user, at several numbers of users at once.

Run: .venv/bin/python benchmarks/load.py [--url http://127.0.0.1:8080] [--levels 50,100,200] [--seconds 20]
At each level that many people use the site at once for `--seconds`, each as fast as they are answered
(no think time: the worst minute of the day), mixed as FAIR_DAY_MIX says: the public opening
`/verify/<serial>?q=...` from the QR codes of 300 certificates, exhibitors' booth codes scanned at the door,
judges autosaving scores, organization members reading their dashboard, fair staff issuing a batch, following
it and printing it, and `/livez` (the process answers; nothing checked) as the floor that shares the same
servers and queues at the same time. Per kind: req/s, p50/p95/p99, errors, and p95 as a multiple of the
floor's p95 (goal: 0 errors at every level; every kind's p95 <= 10x the floor's at 100 users).
Every request comes from a loopback address of its own (127.1.x.y: the kernel routes all of 127/8 to this
machine), so haproxy's X-Forwarded-For tells the app a new client each time, as a fair's crowd of phones
would: per-address request limits (/verify: 30 a minute) are exercised, not hit by one address. The
demo's ids are read from the cluster's database (its run folder's env: instance/cluster/env, CLUSTER_DIR to
change). Not part of `make test`. The last line is one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "fair-demo-2564"

_addresses = itertools.count(1)
_address_lock = threading.Lock()


def next_address() -> str:
    """A loopback source address not used before in this run (127.1.0.1 upwards, 65,000 of them)."""
    with _address_lock:
        n = next(_addresses) % 65000 + 1
    return f"127.1.{n // 256}.{n % 256 or 1}"


class Http:
    """One request per connection from a fresh source address; the cookies of one signed-in person."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(next_address(), 0))
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, data, response.headers
        finally:
            conn.close()

    def login(self, email: str) -> None:
        status, page, _ = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = f"csrf_token={token}&email={email}&password={DEMO_PASSWORD}".encode()
        status, _, headers = self.request("POST", "/login", body,
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303) or "login" in (headers.get("Location") or ""):
            sys.exit(f"load: could not sign in as {email} (HTTP {status})")
        status, data, _ = self.request("GET", "/session")
        self.csrf = json.loads(data)["csrf_token"]

    def post_json(self, path: str, payload: dict):
        return self.request("POST", path, json.dumps(payload).encode(),
                            {"Content-Type": "application/json", "X-CSRFToken": self.csrf or ""})


def _database(run_dir: Path):
    import psycopg

    env = dict(re.findall(r"^export (\w+)='?([^'\n]*)'?$", (run_dir / "env").read_text(), re.M))
    return psycopg.connect(env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


ASSIGNMENT = ("SELECT a.id, n.category_id FROM judge_assignments a JOIN users u ON u.id = a.judge_id"
              " JOIN nominations n ON n.id = a.nomination_id JOIN rubrics r ON r.category_id = n.category_id"
              " WHERE u.email = 'judge@fairapp.local' AND r.finalized_at IS NULL ORDER BY a.id LIMIT 1")


def demo_ids(run_dir: Path, url: str) -> dict:
    """What the scenarios need, read from the cluster's database. The demo's judge has sheets only in a
    category already finalized: the demo's chair first assigns them an eligible nomination of a category
    still open, through the site as a chair would (once; later runs find it)."""
    with _database(run_dir) as conn:
        one = lambda sql, *p: conn.execute(sql, p).fetchone()  # noqa: E731
        serial = one("SELECT serial FROM certificates WHERE revoked_at IS NULL ORDER BY id LIMIT 1")
        booth = one("SELECT b.fair_id, b.code FROM booths b JOIN booth_applications a ON a.id = b.application_id"
                    " WHERE a.status = 'approved' ORDER BY b.id LIMIT 1")
        assignment = one(ASSIGNMENT)
        if assignment is None:
            open_one = one("SELECT n.id, n.category_id FROM nominations n JOIN rubrics r ON r.category_id ="
                           " n.category_id WHERE n.status = 'eligible' AND r.finalized_at IS NULL ORDER BY n.id")
            judge = one("SELECT id FROM users WHERE email = 'judge@fairapp.local'")
            if open_one and judge:
                chair = Http(url)
                chair.login("chair@fairapp.local")
                path = f"/judging/categories/{open_one[1]}/assignments"
                _, page, _ = chair.request("GET", path)
                token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
                chair.request("POST", path + "/add",
                              f"csrf_token={token}&judge_id={judge[0]}&nomination_id={open_one[0]}".encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
                assignment = one(ASSIGNMENT)
        criteria = conn.execute(
            "SELECT c.id, c.scale_min, c.scale_max FROM rubric_criteria c JOIN rubrics r ON r.id = c.rubric_id"
            " WHERE r.category_id = %s ORDER BY c.position", (assignment[1],)).fetchall() if assignment else []
    if not (serial and booth and assignment and criteria):
        sys.exit("load: the cluster's database lacks the demo (make cluster loads it)")
    return {"serial": serial[0], "fair": booth[0], "code": booth[1], "assignment": assignment[0],
            "criteria": criteria}


FAIR_DAY_MIX = (  # kind, share of the users (at least one user each)
    ("bare", 0.05),     # GET /livez: the floor (this process answers; nothing checked)
    ("public", 0.50),   # GET /verify/<serial>?q=<token>: the public scanning printed QR codes
    ("checkin", 0.15),  # POST /fairs/<id>/checkin/scan: exhibitors' booth codes scanned at the door
    ("score", 0.15),    # POST /judging/assignments/<id>/scores: judges autosaving scores
    ("status", 0.10),   # GET /dashboard: organizations reading their status
    ("print", 0.05),    # staff: a batch of 5 issued, followed until done, printed (POST, GETs, the PDF)
)


def certificates_to_scan(run_dir: Path, limit: int = 300) -> list[str]:
    """The QR URLs' paths of valid certificates (what the public's phones open)."""
    with _database(run_dir) as conn:
        rows = conn.execute("SELECT serial, token FROM certificates WHERE revoked_at IS NULL AND "
                            "superseded_by_id IS NULL ORDER BY id LIMIT %s", (limit,)).fetchall()
    return [f"/verify/{'-'.join(s[i:i + 4] for i in range(0, len(s), 4))}?q={token}" for s, token in rows]


def fair_day(url: str, ids: dict, scans: list[str], users: int, seconds: float) -> dict:
    """`users` people at once, each doing their kind of request again and again for `seconds`; per kind:
    requests, req/s, p50/p95/p99 and errors (anything but a 2xx, or no answer)."""
    staff, judge, member = Http(url), Http(url), Http(url)
    staff.login("staff@fairapp.local")
    judge.login("judge@fairapp.local")
    member.login("culture@fairapp.local")
    public = Http(url)
    criteria = ids["criteria"]
    fair = ids["fair"]

    def timed(method, http, path, *rest) -> tuple:
        """(status, seconds, body, headers) of one request."""
        started = time.perf_counter()
        status, data, headers = (http.post_json(path, *rest) if method == "JSON"
                                 else http.request(method, path, *rest))
        return status, time.perf_counter() - started, data, headers

    def one(*args) -> list[tuple]:
        status, took, _, _ = timed(*args)
        return [(status, took)]

    def bare(_i, _n):
        return one("GET", public, "/livez")

    def scan(i, n):
        return one("GET", public, scans[(i * 7919 + n) % len(scans)])

    def checkin(_i, _n):  # the same booth scanned again and again: "already checked in" is a 200 too
        return one("JSON", staff, f"/fairs/{fair}/checkin/scan",
                   {"client_id": uuid.uuid4().hex, "booth_code": ids["code"]})

    def score(i, n):  # each save changes a score, so each one writes and is audited
        cid, low, high = criteria[(i + n) % len(criteria)]
        return one("JSON", judge, f"/judging/assignments/{ids['assignment']}/scores",
                   {"criterion_id": cid, "value": low + (i + n) % (high - low + 1), "comment": "load run",
                    "client_id": uuid.uuid4().hex})

    def status(_i, _n):
        return one("GET", member, "/dashboard")

    def print_batch(i, n):
        """One staff member's round: the batch form, the progress until done, the print. Each request's
        answer is counted; the round stops at the first that fails."""
        tag = uuid.uuid4().hex[:8]
        names = "\n".join(f"ผู้เข้าร่วมวันงาน {tag} {k} | โหลดทดสอบ" for k in range(5))
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        code, took, page, _ = timed("GET", staff, f"/fairs/{fair}/certificates")
        answers = [(code, took)]
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        made, took, _, headers = timed("POST", staff, f"/fairs/{fair}/certificates/batches",
                                       urlencode({"csrf_token": token, "kind": "participant",
                                                  "names": names}).encode(), form)
        answers.append((200 if made in (302, 303) else made, took))
        if made not in (302, 303):
            return answers
        batch = headers["Location"].rstrip("/").rsplit("/", 1)[1]
        deadline, state = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            code, took, data, _ = timed("GET", staff, f"/certificates/batches/{batch}/progress")
            answers.append((code, took))
            state = json.loads(data)["status"] if code == 200 else None
            if state in (None, "done", "failed"):
                break
            time.sleep(0.5)
        if state != "done":
            answers.append((f"batch-{state}", 0.0))
            return answers
        code, took, pdf, _ = timed("POST", staff, f"/certificates/batches/{batch}/print",
                                   urlencode({"csrf_token": token}).encode(), form)
        answers.append((code if pdf[:5] == b"%PDF-" else f"{code}-not-pdf", took))
        return answers

    actions = {"bare": bare, "public": scan, "checkin": checkin, "score": score, "status": status,
               "print": print_batch}
    counts = {kind: max(1, round(users * share)) for kind, share in FAIR_DAY_MIX}
    counts["public"] = max(1, counts["public"] + users - sum(counts.values()))  # the rest are the public
    plan = [kind for kind, _ in FAIR_DAY_MIX for _ in range(counts[kind])]
    samples: dict[str, list[float]] = {kind: [] for kind, _ in FAIR_DAY_MIX}
    statuses: dict[str, dict] = {kind: {} for kind, _ in FAIR_DAY_MIX}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def person(index: int, kind: str):
        counter = itertools.count()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                answers = actions[kind](index, next(counter))
            except (OSError, AttributeError, ValueError, KeyError) as error:
                answers = [(type(error).__name__, time.perf_counter() - started)]
            with lock:
                for answer, took in answers:
                    samples[kind].append(took)
                    statuses[kind][answer] = statuses[kind].get(answer, 0) + 1

    threads = [threading.Thread(target=person, args=(i, kind), daemon=True) for i, kind in enumerate(plan)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    results = {}
    for kind, latencies in samples.items():
        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0
        ok = sum(n for s, n in statuses[kind].items() if isinstance(s, int) and 200 <= s < 300)
        results[kind] = {"users": plan.count(kind), "requests": len(latencies), "rps": len(latencies) / elapsed,
                         "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
                         "errors": len(latencies) - ok, "answers": {str(k): v for k, v in statuses[kind].items()}}
    floor = results["bare"]["p95_ms"] or 1.0
    for r in results.values():
        r["p95_vs_bare"] = r["p95_ms"] / floor
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('CLUSTER_PORT', '8080')}")
    parser.add_argument("--levels", default="50,100,200", help="concurrent users of each fair-day run")
    parser.add_argument("--seconds", type=float, default=20, help="length of each level")
    parser.add_argument("--run-dir", default=os.environ.get("CLUSTER_DIR", str(ROOT / "instance" / "cluster")))
    args = parser.parse_args()
    run_dir = Path(args.run_dir)
    if not run_dir.is_absolute():
        run_dir = ROOT / run_dir
    try:
        status = Http(args.url).request("GET", "/healthz")[0]
    except OSError as error:
        status = error
    if status != 200:
        sys.exit(f"load: {args.url}/healthz answers {status}: is the cluster up (make cluster)?")
    ids = demo_ids(run_dir, args.url)
    scans = certificates_to_scan(run_dir)
    print(f"load: fair day on {args.url}, {args.seconds:g} s per level; mix "
          + ", ".join(f"{kind} {share:.0%}" for kind, share in FAIR_DAY_MIX)
          + f"; {len(scans)} certificates scanned")
    print(f"{'users':>5} {'kind':<8} {'users':>5} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'p95/bare':>8} {'errors':>6}  answers")
    figures = {"seconds": args.seconds, "levels": {}}
    for users in (int(level) for level in args.levels.split(",")):
        results = fair_day(args.url, ids, scans, users, args.seconds)
        for kind, r in results.items():
            answers = " ".join(f"{k}:{v}" for k, v in sorted(r["answers"].items()))
            print(f"{users:>5} {kind:<8} {r['users']:>5} {r['requests']:>8} {r['rps']:>7.1f} {r['p50_ms']:>8.1f} "
                  f"{r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['p95_vs_bare']:>7.1f}x {r['errors']:>6}  {answers}",
                  flush=True)
        figures["levels"][str(users)] = results
    errors = sum(r["errors"] for level in figures["levels"].values() for r in level.values())
    figures["errors"] = errors
    hundred = figures["levels"].get("100")
    if hundred:
        figures["worst_p95_vs_bare_at_100"] = max(r["p95_vs_bare"] for k, r in hundred.items() if k != "bare")
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
