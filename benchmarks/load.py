"""A bounded load run against the local cluster (`make cluster`): req/s, latency percentiles and errors.

Run: .venv/bin/python benchmarks/load.py [--url http://127.0.0.1:8080] [--seconds 8] [--clients 16]
Four scenarios one after the other, each `--seconds` long with `--clients` threads sending as fast as
they are answered, all through the balancer:
  healthz   GET /healthz                          the floor: one SELECT 1 on a server behind haproxy
  verify    GET /verify/<serial>                  the public scanning a demo certificate's QR code
  checkin   POST /fairs/<id>/checkin/scan (JSON)  the demo staff member scanning booth codes
  score     POST /judging/assignments/<id>/scores the demo judge autosaving scores (each a change)
Every request comes from a loopback address of its own (127.1.x.y: the kernel routes all of 127/8 to this
machine), so haproxy's X-Forwarded-For tells the app a new client each time, as a fair's crowd of phones
would: per-address request limits (/verify: 30 a minute) are exercised, not hit by one address. The
demo's ids (a certificate, a booth code, the judge's assignment and criteria) are read from the cluster's
database (its run folder's env: instance/cluster/env, CLUSTER_DIR to change). Not part of `make test`.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import statistics
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

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


def run(name: str, one_request, clients: int, seconds: float) -> dict:
    """`clients` threads calling one_request() until `seconds` pass: latencies and answers by status."""
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(index: int):
        counter = itertools.count()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = one_request(index, next(counter))
            except OSError as error:
                status = type(error).__name__
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    ok = sum(n for s, n in statuses.items() if isinstance(s, int) and 200 <= s < 300)
    return {"name": name, "requests": len(latencies), "rps": len(latencies) / elapsed, "p50": pct(50),
            "p95": pct(95), "p99": pct(99), "max": latencies[-1] * 1000 if latencies else 0.0,
            "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
            "errors": len(latencies) - ok, "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('CLUSTER_PORT', '8080')}")
    parser.add_argument("--seconds", type=float, default=8, help="length of each scenario")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--run-dir", default=os.environ.get("CLUSTER_DIR", str(ROOT / "instance" / "cluster")))
    args = parser.parse_args()
    run_dir = Path(args.run_dir)
    if not run_dir.is_absolute():
        run_dir = ROOT / run_dir
    public = Http(args.url)
    try:
        status = public.request("GET", "/healthz")[0]
    except OSError as error:
        status = error
    if status != 200:
        sys.exit(f"load: {args.url}/healthz answers {status}: is the cluster up (make cluster)?")
    ids = demo_ids(run_dir, args.url)
    staff, judge = Http(args.url), Http(args.url)
    staff.login("staff@fairapp.local")
    judge.login("judge@fairapp.local")
    criteria = ids["criteria"]

    def healthz(_i, _n):
        return public.request("GET", "/healthz")[0]

    serial = ids["serial"]
    printed = "-".join(serial[i:i + 4] for i in range(0, len(serial), 4))  # as on the QR code (no redirect)

    def verify(_i, _n):
        return public.request("GET", f"/verify/{printed}")[0]

    def checkin(_i, _n):  # the same booth scanned again and again: "already checked in" is a 200 too
        return staff.post_json(f"/fairs/{ids['fair']}/checkin/scan",
                               {"client_id": uuid.uuid4().hex, "booth_code": ids["code"]})[0]

    def score(i, n):  # each save changes a score (another value), so each one writes and is audited
        cid, low, high = criteria[(i + n) % len(criteria)]
        value = low + (i + n) % (high - low + 1)
        return judge.post_json(f"/judging/assignments/{ids['assignment']}/scores",
                               {"criterion_id": cid, "value": value, "comment": "load run",
                                "client_id": uuid.uuid4().hex})[0]

    print(f"load: {args.url}, {args.clients} clients, {args.seconds:g} s per scenario "
          f"(certificate {printed}, booth {ids['code']}, assignment {ids['assignment']})")
    print(f"{'scenario':<9} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'x floor':>8} {'errors':>7}  answers")
    results = []
    for name, fn in (("healthz", healthz), ("verify", verify), ("checkin", checkin), ("score", score)):
        r = run(name, fn, args.clients, args.seconds)
        results.append(r)
        floor = results[0]["p50"] or 1
        answers = " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items(), key=lambda kv: str(kv[0])))
        print(f"{name:<9} {r['requests']:>8} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
              f"{r['max']:>8.1f} {r['p50'] / floor:>8.1f} {r['errors']:>7}  {answers}", flush=True)
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
