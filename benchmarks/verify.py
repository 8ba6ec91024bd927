"""The public check under load: `/verify/<serial>` against a bare `SELECT 1` route through the same stack.

Run: .venv/bin/python benchmarks/verify.py [--seconds 6] [--workers 4] [--connections 8,32,64]

Both routes are served by the same gunicorn (`--workers` sync workers) on a throwaway PostgreSQL database
(DATABASE_URL's server, database `fairapp_bench_verify`, dropped at the end) with the demo loaded, and both
go through the whole stack: sessions, the request's unit of work, and the same per-address request limit
(CERTIFICATE_RATE_LIMIT, counted in the database store, shared by every worker). The baseline is that
stack's floor: a route that asks the database `SELECT 1` and answers a few bytes.

At each number of concurrent connections the four kinds run `--seconds` each, in 1 s slices taken in
turn (so a change in the machine's load weighs on every kind alike):
  select1      GET /_bench/select1               the floor
  verify       GET /verify/<serial>              the page the public opens (HTML, Thai)
  verify_qr    GET /verify/<serial>?q=<token>    the same from the printed QR: the signature is checked too
  verify_json  GET /verify/<serial>  (Accept: application/json)
Every request comes on a new connection from a loopback address of its own (127.2.x.y), as a crowd of
phones does, so the per-address limit is exercised and never hit. The client is asyncio on raw sockets
(it uses a fraction of one core), so what is measured is the server. Prints req/s, p50/p95 and errors per
kind and each kind's req/s as a ratio of the floor's in the same run; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import cleanup, json_line, temp_dir  # noqa: E402

DB_NAME = "fairapp_bench_verify"
BASELINE = "/_bench/select1"


def wsgi_app():
    """The app as gunicorn serves it here: the real app plus the floor route, under the same request limit
    as /verify (gunicorn 'benchmarks.verify:wsgi_app()')."""
    from flask import current_app
    from sqlalchemy import text

    from fairapp import create_app
    from fairapp.extensions import db, limiter

    app = create_app()

    @limiter.limit(lambda: current_app.config["CERTIFICATE_RATE_LIMIT"])
    def select1():
        db.session.execute(text("SELECT 1"))
        return "ok"

    app.add_url_rule(BASELINE, "bench_select1", select1)
    return app


# ---- the server ----

def _admin_url(url: str) -> str:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    return urlunsplit(parts._replace(path="/postgres"))


def _bench_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def _recreate(url: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f"CREATE DATABASE \"{DB_NAME}\" ENCODING 'UTF8' TEMPLATE template0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> dict:
    """Migrate, load the demo, and read a valid certificate's serial and QR token."""
    flask = str(ROOT / ".venv" / "bin" / "flask")
    for args in (["db", "upgrade"], ["demo", "--if-empty"]):
        subprocess.run([flask, *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")) as conn:
        serial, token = conn.execute("SELECT serial, token FROM certificates WHERE revoked_at IS NULL "
                                     "AND superseded_by_id IS NULL ORDER BY id LIMIT 1").fetchone()
    return {"path": "/verify/" + "-".join(serial[i:i + 4] for i in range(0, len(serial), 4)), "token": token}


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--backlog", "2048", "--log-level", "warning", "benchmarks.verify:wsgi_app()"],
        env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited while starting")
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start in 60 s")


# ---- the client ----

_addresses = itertools.count(1)


def _next_address() -> str:
    n = next(_addresses) % 65000 + 1
    return f"127.2.{n // 256}.{n % 256 or 1}"


async def _one(port: int, path: str, accept: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(_next_address(), 0))
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n"
                     f"Accept-Language: th\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    return int(data[9:12]) if data[:5] == b"HTTP/" else 0


async def _slice(port: int, path: str, accept: str, connections: int, seconds: float) -> tuple[list, int, float]:
    """`connections` clients sending one after another for `seconds`: latencies of the 200s, errors, time."""
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client():
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(_one(port, path, accept), 60)
            except (OSError, asyncio.TimeoutError):
                status = 0
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    return latencies, errors, time.monotonic() - began


def measure(port: int, target: dict, connections: int, seconds: float, slice_s: float = 1.0) -> dict:
    """Each kind for `seconds` in all, in slices of `slice_s` taken in turn (kind after kind, again and
    again), so a change in the machine's load while the benchmark runs weighs on every kind alike."""
    kinds = {"select1": (BASELINE, "text/html"),
             "verify": (target["path"], "text/html"),
             "verify_qr": (f"{target['path']}?q={target['token']}", "text/html"),
             "verify_json": (target["path"], "application/json")}
    asyncio.run(_slice(port, BASELINE, "text/html", connections, 1.0))  # warm every worker
    for path, accept in kinds.values():  # and every page once (the first view of a page renders it)
        asyncio.run(_slice(port, path, accept, 1, 0.2))
    found = {kind: ([], 0, 0.0) for kind in kinds}
    for _ in range(max(1, round(seconds / slice_s))):
        for kind, (path, accept) in kinds.items():
            latencies, errors, took = asyncio.run(_slice(port, path, accept, connections, slice_s))
            old = found[kind]
            found[kind] = (old[0] + latencies, old[1] + errors, old[2] + took)
    results = {}
    for kind, (latencies, errors, took) in found.items():
        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        results[kind] = {"rps": len(latencies) / took, "p50_ms": pct(0.5), "p95_ms": pct(0.95), "errors": errors,
                         "requests": len(latencies) + errors}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", default="8,32,64")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp")
    if not base.startswith("postgresql"):
        raise SystemExit("benchmarks/verify.py measures on PostgreSQL: set DATABASE_URL to a PostgreSQL server")
    instance = temp_dir("verify")
    env = {**os.environ, "DATABASE_URL": _bench_url(base), "FAIRAPP_INSTANCE": instance, "FLASK_APP": "fairapp",
           "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1", "SESSION_COOKIE_SECURE": "0",
           "PYTHONPATH": str(ROOT)}
    env.pop("CELERY_BROKER_URL", None)
    server = None
    figures: dict = {"workers": args.workers, "seconds": args.seconds, "levels": {}}
    try:
        _recreate(base)
        target = prepare(env)
        port = _free_port()
        server = start_server(env, port, args.workers)
        print(f"/verify against {BASELINE} on gunicorn -w {args.workers}, PostgreSQL, same request limit "
              f"({args.seconds:.0f} s per kind)")
        print(f"{'connections':>11} {'kind':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} "
              f"{'vs floor':>9}")
        for connections in (int(c) for c in args.connections.split(",")):
            results = measure(port, target, connections, args.seconds)
            floor = results["select1"]["rps"] or 1.0
            for kind, r in results.items():
                r["ratio"] = r["rps"] / floor
                print(f"{connections:>11} {kind:<12} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                      f"{r['errors']:>7} {r['ratio']:>8.2f}x")
            figures["levels"][str(connections)] = results
        figures["verify_vs_floor"] = {c: lv["verify"]["ratio"] for c, lv in figures["levels"].items()}
        figures["verify_qr_vs_floor"] = {c: lv["verify_qr"]["ratio"] for c, lv in figures["levels"].items()}
        figures["errors"] = sum(r["errors"] for lv in figures["levels"].values() for r in lv.values())
        json_line(figures)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        _recreate(base, drop_only=True)
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
