"""Staff pages at 1x and 10x data: server time, SQL queries and bytes per page, in SEPARATE databases.

Run: .venv/bin/python benchmarks/pages.py [--scales 1,10] [--repeat 5]
         [--database URL_FOR_1X --database URL_FOR_10X]
Each scale gets its own database with the national data set (benchmarks/national.py: 77 provincial fairs
and the national one): by default new SQLite files in the temp folder, removed at the end (also on a
failure or Ctrl-C); with --database (PostgreSQL) the given databases are REPLACED and emptied at the end.
Every page is timed through the WSGI app in this process (median of --repeat after one warm-up) at each
scale; the baseline is a bare `SELECT 1` route through the same stack, measured in the same run at each
scale. Printed: ms, x baseline, queries and KB at each scale, then the big/small time ratio (the goal:
<= 2 for every page, with the same queries). Documents that are the whole data (the minutes PDF, results
and exports: DOCUMENTS) grow with it by nature: they are "linear by nature" when their cost per row stays
within 2x with the same queries, and their first byte is printed. Last line: one JSON object of the
figures and ratios.
Downloads are read to their last byte (a streamed export is timed whole, and its first chunk too).
Pages of lists read by key (the booth review queue, the missing booths) are reached as a person reaches
them: by their "next" links (`#next=N`), which carry the key.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from benchmarks import national  # noqa: E402
from benchmarks.harness import BASELINE, has_route, make_app  # noqa: E402
from fairapp.core import pdf  # noqa: E402
from fairapp.extensions import db  # noqa: E402


# "<path>#cold": timed with the process' Thai shaping cache emptied before each request (core.pdf._shaped
# keeps the 8,192 latest lines): a PDF as it is rendered the first time. Warm, the minutes at 1x is served
# from that cache (its ~950 lines fit) while at 10x (~8,900 lines) every line is shaped again, so the warm
# figures compare a cached 1x with an uncached 10x; the first render compares like with like.
COLD = "#cold"
NEXT = "#next="  # "<path>#next=2": the page reached from <path> by its "next" link twice, as a person does


def follow(client, path: str) -> str:
    """The address a "#next=N" path stands for (pages read by key carry the key in their links); the last
    page when the list is shorter (a small --scales)."""
    if NEXT not in path:
        return path
    path, times = path.split(NEXT)
    for _ in range(int(times)):
        html = client.get(path).get_data(as_text=True)
        found = re.search(r'href="([^"]+)" rel="next"', html)
        if not found:
            break
        path = found.group(1).replace("&amp;", "&")
    return path


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(name, who, path): `who` is staff (the fairs' staff), admin, or anonymous; "#next=N": see follow."""
    nat, prov, cat = ids["national"], ids["provincial"], ids["category"]
    return [
        ("SELECT 1 (baseline)", "anonymous", BASELINE),
        ("booth review queue (national fair)", "staff", f"/fairs/{nat}/booths/review"),
        ("booth review queue, page 3", "staff", f"/fairs/{nat}/booths/review{NEXT}2"),
        ("booth review queue, status=approved", "staff", f"/fairs/{nat}/booths/review?status=approved"),
        ("booth review queue (provincial fair)", "staff", f"/fairs/{prov}/booths/review"),
        ("check-in dashboard", "staff", f"/fairs/{nat}/checkin/dashboard"),
        ("check-in: all missing, page 2", "staff", f"/fairs/{nat}/checkin/missing{NEXT}1"),
        ("nominations review list", "staff", f"/fairs/{nat}/nominations/review"),
        ("nominations review, status=eligible", "staff", f"/fairs/{nat}/nominations/review?status=eligible"),
        ("organizations list (staff)", "staff", "/orgs"),
        ("dashboard (staff)", "staff", "/dashboard"),
        ("judges of the fair", "admin", f"/judging/fairs/{nat}/judges"),
        ("judges of the fair, page 2", "admin", f"/judging/fairs/{nat}/judges?page=2"),
        ("judge picker's search", "admin", f"/judging/fairs/{nat}/judges/search?q=%E0%B8%81"),
        ("organization picker's search", "admin", f"/judging/fairs/{nat}/organizations/search?q=%E0%B8%81"),
        ("assignments of a category", "admin", f"/judging/categories/{cat}/assignments"),
        ("assignments, page 2, short of judges", "admin", f"/judging/categories/{cat}/assignments?short=1&page=2"),
        ("assignments, judges' loads", "admin", f"/judging/categories/{cat}/assignments?view=judges"),
        ("chair page of a category", "admin", f"/judging/categories/{cat}/chair"),
        ("minutes PDF of a category", "admin", f"/judging/categories/{cat}/minutes.pdf"),
        ("minutes PDF, first render", "admin", f"/judging/categories/{cat}/minutes.pdf{COLD}"),
        ("results CSV of a category", "admin", f"/judging/categories/{cat}/results.csv"),
        ("certificates issued list", "staff", f"/fairs/{nat}/certificates/issued"),
        ("export booth applications.csv", "staff", f"/fairs/{nat}/booths/export/applications.csv"),
        ("export booth applications.xlsx", "staff", f"/fairs/{nat}/booths/export/applications.xlsx"),
        ("export booth allocations.csv", "staff", f"/fairs/{nat}/booths/export/allocations.csv"),
        ("export nominations.csv", "staff", f"/fairs/{nat}/nominations/export.csv"),
        ("export nominations.xlsx", "staff", f"/fairs/{nat}/nominations/export.xlsx"),
        ("admin home", "admin", "/admin/"),
        ("admin users", "admin", "/admin/users"),
        ("admin audit log", "admin", "/admin/audit"),
        ("admin mail", "admin", "/admin/mail"),
        ("admin fairs", "admin", "/admin/fairs"),
    ]


# Documents that ARE the whole data (they grow with it by nature): how many rows each holds, so the
# benchmark reports their cost per row (linear when it holds at 10x) and their first byte.
DOCUMENTS = {
    "minutes PDF of a category": "SELECT count(*) FROM nominations WHERE category_id = :cat AND status = 'eligible'",
    "minutes PDF, first render": "SELECT count(*) FROM nominations WHERE category_id = :cat AND status = 'eligible'",
    "results CSV of a category": "SELECT count(*) FROM nominations WHERE category_id = :cat AND status = 'eligible'",
    "export booth applications.csv": "SELECT count(*) FROM booth_applications WHERE fair_id = :nat",
    "export booth applications.xlsx": "SELECT count(*) FROM booth_applications WHERE fair_id = :nat",
    "export booth allocations.csv": "SELECT count(*) FROM booths WHERE fair_id = :nat AND application_id IS NOT NULL",
    "export nominations.csv": "SELECT count(*) FROM nominations WHERE fair_id = :nat",
    "export nominations.xlsx": "SELECT count(*) FROM nominations WHERE fair_id = :nat",
}


def measure(client, path: str, repeat: int, engine) -> dict | None:
    """Median seconds (whole body read), median seconds to the first chunk, queries per request, bytes."""
    count = [0]

    def before(*a, **k):
        count[0] += 1

    cold = path.endswith(COLD)
    path = path.removesuffix(COLD)

    def once():
        if cold:
            pdf._shaped.cache_clear()
        start = time.perf_counter()
        response = client.get(path, buffered=False)
        chunks = iter(response.response)
        first = next(chunks, b"")
        first_at = time.perf_counter() - start
        size = len(first) + sum(len(c) for c in chunks)
        response.close()
        return response.status_code, time.perf_counter() - start, first_at, size

    status, _, _, _ = once()  # warm-up
    if status >= 400:
        return {"status": status}
    event.listen(engine, "before_cursor_execute", before)
    times, firsts = [], []
    try:
        for _ in range(repeat):
            status, whole, first, size = once()
            assert status < 400, (path, status)
            times.append(whole)
            firsts.append(first)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return {"ms": statistics.median(times) * 1000, "first_ms": statistics.median(firsts) * 1000,
            "queries": count[0] / repeat, "kb": size / 1024}


def run_scale(scale: float, url: str, repeat: int) -> tuple[dict, dict]:
    """Build the national set at `scale` in `url`, then time every page there."""
    built = national.build(url, scale)
    app = make_app(f"pages-{scale}", SQLALCHEMY_DATABASE_URI=url, JOBS_MODE="inline")
    instance = os.environ["FAIRAPP_INSTANCE"]
    try:
        ids = built["ids"]
        clients = {"anonymous": app.test_client(), "staff": app.test_client(), "admin": app.test_client()}
        for who in ("staff", "admin"):
            with clients[who].session_transaction() as session:
                session["_user_id"] = str(ids[who])
        with app.app_context():  # requests run outside it (each its own `g`: who is signed in)
            engine = db.engine
            rows = {name: db.session.scalar(text(sql), {"cat": ids["category"], "nat": ids["national"]})
                    for name, sql in DOCUMENTS.items()}
            db.session.remove()
        results = {}
        for name, who, path in pages(ids):
            if not has_route(app, path.split("?")[0].split(NEXT)[0].removesuffix(COLD)):
                results[name] = {"status": "no route"}
                continue
            results[name] = measure(clients[who], follow(clients[who], path), repeat, engine)
            if name in rows and "ms" in results[name]:
                results[name]["rows"] = rows[name]
        engine.dispose()
        return built, results
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def empty(url: str) -> None:
    """Remove the data set from a database given with --database (PostgreSQL: the schema is emptied)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="two scales, small then big (default 1,10)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", action="append", default=[],
                        help="a database URL per scale, in the same order (REPLACED, emptied at the end)")
    args = parser.parse_args()
    small, big = (float(s) for s in args.scales.split(","))
    tmp = tempfile.mkdtemp(prefix="fairapp-bench-pages-")
    urls = args.database or [f"sqlite:///{tmp}/national-{small}.db", f"sqlite:///{tmp}/national-{big}.db"]
    if len(urls) != 2 or urls[0] == urls[1]:
        parser.error("give two different databases (one per scale), or none")
    figures = {}
    try:
        for scale, url in ((small, urls[0]), (big, urls[1])):
            built, results = run_scale(scale, url, args.repeat)
            figures[scale] = {"built_s": built["seconds"], "rows": built["rows"], "pages": results}
            if url.startswith("sqlite"):
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for url in args.database:
            empty(url)
    s_pages, b_pages = figures[small]["pages"], figures[big]["pages"]
    dialect = urls[0].split(":")[0].split("+")[0]
    print(f"database: {dialect}; national data set at {small:g}x (built in {figures[small]['built_s']} s) and "
          f"{big:g}x (built in {figures[big]['built_s']} s), separate databases; median of {args.repeat}")
    head = f"{'page':38} {'ms ' + format(small, 'g') + 'x':>9} {'ms ' + format(big, 'g') + 'x':>9} {'ratio':>6} "
    print(head + f"{'x base':>7} {'queries':>11} {'KB':>13} {'1st ms':>7}")
    base_small, base_big = s_pages["SELECT 1 (baseline)"]["ms"], b_pages["SELECT 1 (baseline)"]["ms"]
    out = {"database": dialect, "scales": [small, big], "baseline_ms": [round(base_small, 3), round(base_big, 3)],
           "pages": {}}
    flat = True
    documents = []
    for name, a in s_pages.items():
        b = b_pages[name]
        if "ms" not in a or "ms" not in b:
            print(f"{name:38} skipped ({a.get('status')} / {b.get('status')})")
            continue
        ratio = b["ms"] / a["ms"]
        same = a["queries"] == b["queries"]
        row = {"ms": [round(a["ms"], 2), round(b["ms"], 2)], "ratio": round(ratio, 2),
               "queries": [a["queries"], b["queries"]], "kb": [round(a["kb"], 1), round(b["kb"], 1)],
               "first_ms": [round(a["first_ms"], 2), round(b["first_ms"], 2)]}
        if a.get("rows") and b.get("rows"):  # a document: linear by nature when its cost per row holds
            per_row = (a["ms"] / a["rows"], b["ms"] / b["rows"])
            row.update(rows=[a["rows"], b["rows"]], ms_per_row=[round(per_row[0], 4), round(per_row[1], 4)],
                       per_row_ratio=round(per_row[1] / per_row[0], 2))
            ok = row["per_row_ratio"] <= 2 and same
            row["verdict"] = "linear by nature" if ok else "grows"
            mark = "  linear by nature" if ok else "  <-- grows (per row)"
            documents.append((name, a, b, row))
        else:
            ok = ratio <= 2 and same
            row["verdict"] = "flat" if ok else "grows"
            mark = "" if ok else "  <-- grows"
        flat &= ok
        print(f"{name:38} {a['ms']:9.1f} {b['ms']:9.1f} {ratio:6.2f} {b['ms'] / base_big:7.0f} "
              f"{a['queries']:5.0f}->{b['queries']:<5.0f} {a['kb']:6.0f}->{b['kb']:<6.0f} {b['first_ms']:7.1f}{mark}")
        out["pages"][name] = row
    if documents:
        print("\ndocuments that are the whole data (linear by nature: cost per row, first byte):")
        print(f"{'document':38} {'rows':>13} {'ms/row':>15} {'ratio':>6} {'1st byte ms':>15}")
        for name, a, b, row in documents:
            print(f"{name:38} {a['rows']:6}->{b['rows']:<6} {row['ms_per_row'][0]:7.3f}->{row['ms_per_row'][1]:<7.3f} "
                  f"{row['per_row_ratio']:6.2f} {a['first_ms']:7.1f}->{b['first_ms']:<7.1f}  {row['verdict']}")
    out["all_flat_or_linear"] = flat
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
