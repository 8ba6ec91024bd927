"""Certificates: pages per second of issuing and printing a set, one kiosk print, and /verify under load.

Run: .venv/bin/python benchmarks/certificates.py [--count 500] [--workers 2] [--verify-requests 2000]
     [--skip-load]

1. Baseline, in this process, no database: plain ReportLab drawing the same page `count` times into one
   PDF: the same background, emblems and signatures, the same HarfBuzz-shaped Thai lines (shapeStr), and
   the same signed QR drawn the way ../shared/THAI-PDF.md measured it (qrcode -> PNG -> drawImage).
2. The real path, from the database: a finalized category with `count` awardees; a print batch that
   plans, issues (serial, Ed25519 signature, each certificate's own PDF stored with its SHA-256, one row
   each) and renders the merged print PDF, run to the end by batches.run. Once with the render pool
   (`--workers`, both cores by default) and once in a single process, each on a fresh set.
3. One kiosk print: POST /certificates/<id>/print to the PDF bytes, through the WSGI app, as a ratio to a
   bare `SELECT 1` route.
4. /verify/<serial> under load: gunicorn (2 workers) on PostgreSQL (PG_URL, default the test database's
   server, database fairapp_bench), hit from a second process with 8 concurrent connections; requests per
   second and latency, against the bare `SELECT 1` route on the same server. Skipped when PostgreSQL or
   gunicorn is not there (or with --skip-load).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import BASELINE, make_app, measure, migrate_fresh  # noqa: E402
from fairapp.extensions import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PG_URL", "postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp_bench")


def build_world(count: int, tag: str):
    """A fair, staff, an awardee template with artwork, and a finalized category with `count` results."""
    from fairapp import demo_art
    from fairapp.accounts.models import Organization, Sector, User
    from fairapp.certificates import operations as ops
    from fairapp.core.storage import storage
    from fairapp.core.time import today_local, utcnow
    from fairapp.fairs.models import Fair, FairRole
    from fairapp.judging.models import AwardLevel, Result, Rubric
    from fairapp.nominations.models import Category, Nomination, NominationStatus

    today = today_local()
    fair = Fair(name_th=f"ตลาดนัดคุณธรรม จังหวัดเชียงราย {tag}", venue_th="ศาลากลางจังหวัดเชียงราย",
                province_code="57", organizer_th="ศูนย์คุณธรรม (องค์การมหาชน) ร่วมกับ สำนักงานวัฒนธรรมจังหวัดเชียงราย",
                starts_on=today - timedelta(days=2), ends_on=today - timedelta(days=1),
                booth_opens=today - timedelta(days=60), booth_closes=today - timedelta(days=30),
                nomination_opens=today - timedelta(days=60), nomination_closes=today - timedelta(days=30),
                judging_opens=today - timedelta(days=29), judging_closes=today - timedelta(days=3))
    db.session.add(fair)
    staff = User(email=f"staff-{tag}@example.org", title="นางสาว", first_name="จีรนันท์", last_name="ใจงาม",
                 phone="+66812345678", password_hash="x", email_confirmed_at=utcnow())
    nominator = Organization(name_th="สำนักงานวัฒนธรรมจังหวัดเชียงราย", sector=Sector.government,
                             province_code="57", district_code="5701")
    db.session.add_all([staff, nominator])
    db.session.flush()
    db.session.add(FairRole(fair_id=fair.id, user_id=staff.id, role="staff"))
    category = Category(fair_id=fair.id, name_th="ชุมชนคุณธรรมต้นแบบ", nominee_kind="community",
                        opens_on=fair.nomination_opens, closes_on=fair.nomination_closes)
    db.session.add(category)
    db.session.flush()
    rubric = Rubric(category_id=category.id, finalized_at=utcnow(), finalized_by_id=staff.id)
    rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=60, name_th="เชิดชูเกียรติ")]
    db.session.add(rubric)
    nominations = [Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=nominator.id,
                              community_name=f"ชุมชนคุณธรรมบ้านป่าซางน้ำจำผู้ใหญ่ที่นี่ หมู่ {i}",
                              community_village=f"บ้านป่าซาง หมู่ {i}", community_subdistrict="ป่าซาง",
                              community_district_code="5707", community_province_code="57",
                              status=NominationStatus.eligible, narratives={}) for i in range(1, count + 1)]
    db.session.add_all(nominations)
    db.session.flush()
    db.session.add_all([Result(rubric_id=rubric.id, nomination_id=n.id, position=i, score=95 - i * 30 / count,
                               level_th="ต้นแบบ" if i <= count // 3 else "เชิดชูเกียรติ")
                        for i, n in enumerate(nominations, start=1)])
    store = storage()
    template = ops.new_template(fair, "awardee", staff)
    template.background_key = store.save(demo_art.background(), "jpg")
    template.logo_keys = [store.save(demo_art.emblem(), "png"), store.save(demo_art.emblem((30, 100, 60), 6), "png")]
    template.signatories = [{"name": "นายสมชาย ใจดี", "position": "ผู้อำนวยการศูนย์คุณธรรม (องค์การมหาชน)",
                             "signature_key": store.save(demo_art.signature(1), "png")},
                            {"name": "นางสุภาพร อินทร์แก้ว", "position": "วัฒนธรรมจังหวัดเชียงราย",
                             "signature_key": store.save(demo_art.signature(7), "png")}]
    db.session.commit()
    return fair.id, category.id, staff.id


def _load(fair_id, category_id, staff_id):
    from fairapp.accounts.models import User
    from fairapp.fairs.models import Fair
    from fairapp.nominations.models import Category
    return db.session.get(Fair, fair_id), db.session.get(Category, category_id), db.session.get(User, staff_id)


def baseline_pdf(planned, count: int, short_qr: bool = False) -> tuple[float, int]:
    """Plain ReportLab: the same page content, shaped with shapeStr, QR via qrcode PNG; seconds, bytes.

    short_qr: the QR holds only the verify URL (no signed payload), as ../shared/THAI-PDF.md measured.
    """
    import qrcode
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.ttfonts import shapeStr
    from reportlab.pdfgen.canvas import Canvas

    from fairapp.certificates.render import date_text
    from fairapp.core import pdf

    pdf.register_fonts()
    design = planned[0].design
    faces = [p.face for p in planned][:count]
    start = time.perf_counter()
    out = io.BytesIO()
    c = Canvas(out, pagesize=landscape(A4))
    width, height = landscape(A4)
    for face in faces:
        c.drawImage(design.background, 0, 0, width, height)
        for index, logo in enumerate(design.logos):
            c.drawImage(logo, width / 2 - 40 * mm + index * 45 * mm, height - 45 * mm, 35 * mm, 22 * mm,
                        mask="auto", preserveAspectRatio=True)
        lines = [(design.title, "Sarabun-Bold", 40), (design.issuer, "Sarabun-Bold", 20),
                 (design.preamble, "Sarabun", 18), (face.holder, "Sarabun-Bold", 30),
                 (face.holder_org, "Sarabun", 18), (face.reason, "Sarabun", 15),
                 (date_text(design, face.given_on), "Sarabun", 16)]
        y = height - 70 * mm
        for text, font, size in lines:
            c.setFont(font, size)
            c.drawCentredString(width / 2, y, shapeStr(text, font, size))
            y -= size * 1.5
        for index, person in enumerate(design.signatories):
            x = width / 2 - 60 * mm + index * 120 * mm
            c.drawImage(person.signature, x - 22 * mm, 40 * mm, 45 * mm, 15 * mm, mask="auto",
                        preserveAspectRatio=True)
            c.setFont("Sarabun", 13)
            c.drawCentredString(x, 34 * mm, shapeStr(f"({person.name})", "Sarabun", 13))
            c.drawCentredString(x, 28 * mm, shapeStr(person.position, "Sarabun", 13))
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=8)
        qr.add_data(face.qr.split("?")[0] if short_qr else face.qr)
        qr.make(fit=True)
        png = io.BytesIO()
        qr.make_image().save(png, format="PNG")
        c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 19 * mm, 27 * mm, 26 * mm, 26 * mm)
        c.setFont("Sarabun-Bold", 9)
        c.drawString(19 * mm, 23 * mm, "เลขที่ " + face.serial)
        c.showPage()
    c.save()
    return time.perf_counter() - start, len(out.getvalue())


def real_path(app, ids, workers: int) -> dict:
    """Issue and print the category's awardees in one batch, from the database; timings and sizes."""
    from fairapp.certificates import batches, operations as ops
    from fairapp.certificates.models import Certificate, PrintBatch
    from fairapp.core.storage import storage

    app.config["CERTIFICATE_WORKERS"] = workers
    merge_time = [0.0]
    original_merge = batches._merge

    def timed_merge(batch):
        start = time.perf_counter()
        original_merge(batch)
        merge_time[0] += time.perf_counter() - start
    batches._merge = timed_merge
    if workers > 1:  # start the pool (process spawn, imports) before the clock: a server keeps it warm
        pool = batches.pool(workers)
        list(pool.map(batches.ping, range(workers * 2)))
    with app.test_request_context():
        fair, category, staff = _load(*ids)
        start = time.perf_counter()
        candidates = ops.candidates_for(fair, "awardee", category)
        batch = batches.create(fair, "awardee", candidates, staff, "benchmark", category)
        db.session.commit()
        assert batches.claim(batch.id)
        batches.run(batch.id)
        seconds = time.perf_counter() - start
        batch = db.session.get(PrintBatch, batch.id)
        assert batch.status == "done", batch.error
        merged = storage().read(batch.result_key)
        issued = db.session.query(Certificate).filter_by(fair_id=fair.id).count()
    from pypdf import PdfReader
    batches._merge = original_merge
    pages = len(PdfReader(io.BytesIO(merged)).pages)
    return {"seconds": seconds, "pages": pages, "issued": issued, "bytes": len(merged), "merge": merge_time[0]}


def kiosk_print(app, ids) -> dict:
    from fairapp.certificates.models import Certificate

    fair_id, _, staff_id = ids
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(staff_id)
        session["_fresh"] = True
    with app.app_context():
        cert_id = db.session.query(Certificate.id).filter_by(fair_id=fair_id).first()[0]
        engine = db.engine
        base, base_q, _ = measure(lambda: client.get(BASELINE), 50, engine)
        seconds, queries, status = measure(
            lambda: client.post(f"/certificates/{cert_id}/print", data={"confirm": "y", "via": "kiosk"}), 30, engine)
    return {"base_ms": base * 1000, "ms": seconds * 1000, "queries": queries, "status": status}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LOAD_CLIENT = r"""
import http.client, json, sys, threading, time
port, path, total, conc = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lat, errors, lock = [], [0], threading.Lock()
def worker(n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/json"})
        r = conn.getresponse(); r.read()
        with lock:
            lat.append(time.perf_counter() - t)
            if r.status != 200: errors[0] += 1
threads = [threading.Thread(target=worker, args=(total // conc,)) for _ in range(conc)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - start
lat.sort()
print(json.dumps({"rps": len(lat) / wall, "p50": lat[len(lat) // 2] * 1000, "p95": lat[int(len(lat) * .95)] * 1000,
                  "errors": errors[0], "n": len(lat)}))
"""

WSGI = r"""
import os, sys
sys.path.insert(0, {root!r})
from benchmarks.harness import make_app
app = make_app("verify-load", JOBS_MODE="inline")
"""


def verify_under_load(requests: int) -> dict | None:
    """gunicorn + PostgreSQL, /verify/<serial> against the bare route, from a second process."""
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists() and not shutil.which("gunicorn"):
        return {"skipped": "gunicorn is not installed"}
    try:
        import psycopg
        with psycopg.connect(PG_URL.replace("+psycopg", "").rsplit("/", 1)[0] + "/postgres", autocommit=True,
                             connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'fairapp_bench'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE fairapp_bench")
    except Exception as error:  # noqa: BLE001 - any reason PostgreSQL is not there: say it, skip
        return {"skipped": f"PostgreSQL not reachable ({type(error).__name__})"}
    os.environ["DATABASE_URL"] = PG_URL
    app = make_app("verify-load-setup")
    migrate_fresh(app)
    with app.test_request_context():
        fair, category, staff = _load(*build_world(30, "load"))
        from fairapp.certificates import operations as ops
        certificates, _ = ops.issue(fair, ops.candidates_for(fair, "awardee", category)[:5], staff)
        db.session.commit()
        serial = certificates[0].grouped_serial
        instance = app.instance_path
        db.engine.dispose()
    tmp = Path(tempfile.mkdtemp(prefix="fairapp-bench-wsgi-"))
    (tmp / "bench_wsgi.py").write_text(WSGI.format(root=str(ROOT)))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": PG_URL, "FAIRAPP_INSTANCE": instance, "PYTHONPATH": str(tmp)}
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "bench_wsgi:app"], cwd=tmp, env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        results = {}
        for name, path in (("bare", BASELINE), ("verify", f"/verify/{serial}")):
            subprocess.run([sys.executable, "-c", LOAD_CLIENT, str(port), path, "200", "8"], check=True,
                           capture_output=True)  # warm-up
            out = subprocess.run([sys.executable, "-c", LOAD_CLIENT, str(port), path, str(requests), "8"],
                                 check=True, capture_output=True, text=True).stdout
            results[name] = json.loads(out)
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verify-requests", type=int, default=2000)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # the issuing runs are on SQLite; the load test sets PostgreSQL

    app = make_app("certificates", JOBS_MODE="inline", BASE_URL="https://fair.example.org")
    migrate_fresh(app)
    from fairapp.certificates import operations as ops
    with app.test_request_context():
        ids_a = build_world(args.count, "A")
        ids_b = build_world(args.count, "B")
        fair, category, staff = _load(*ids_a)
        planned, _ = ops.plan(fair, ops.candidates_for(fair, "awardee", category), staff)
        base_seconds, base_bytes = baseline_pdf(planned, args.count)
        short_seconds, _ = baseline_pdf(planned, args.count, short_qr=True)
        db.session.rollback()
    print(f"certificates: {args.count} A4 landscape pages, background + 2 emblems + 2 signatures, "
          f"{os.cpu_count()} cores")
    base_rate = args.count / base_seconds
    print(f"  baseline  plain ReportLab, one process, no database: {base_seconds:6.2f} s  {base_rate:6.1f} pages/s"
          f"  ({base_bytes / 1e6:.1f} MB)")
    short_rate = args.count / short_seconds
    print(f"  baseline with a URL-only QR (as THAI-PDF.md measured):   {short_seconds:6.2f} s  {short_rate:6.1f} pages/s")
    pooled = real_path(app, ids_a, args.workers)
    rate = pooled["pages"] / pooled["seconds"]
    print(f"  real path, {args.workers} render processes: {pooled['seconds']:6.2f} s  {rate:6.1f} pages/s  "
          f"x{rate / base_rate:.2f} of baseline, x{rate / short_rate:.2f} of the URL-only one  "
          f"({pooled['issued']} issued, {pooled['pages']} pages, {pooled['bytes'] / 1e6:.1f} MB; "
          f"merging the chunks {pooled['merge']:.2f} s)")
    from fairapp.certificates import batches
    batches.shutdown_pool()
    single = real_path(app, ids_b, 0)
    rate1 = single["pages"] / single["seconds"]
    print(f"  real path, one process:         {single['seconds']:6.2f} s  {rate1:6.1f} pages/s  "
          f"x{rate1 / base_rate:.2f} of baseline, x{rate1 / short_rate:.2f} of the URL-only one")
    kiosk = kiosk_print(app, ids_a)
    print(f"  kiosk print (request to PDF bytes): {kiosk['ms']:.1f} ms, {kiosk['queries']:.0f} queries; "
          f"SELECT 1 route {kiosk['base_ms']:.2f} ms; ratio x{kiosk['ms'] / kiosk['base_ms']:.1f}")
    if not args.skip_load:
        load = verify_under_load(args.verify_requests)
        if "skipped" in load:
            print(f"  /verify under load: skipped ({load['skipped']})")
        else:
            bare, verify = load["bare"], load["verify"]
            print(f"  gunicorn -w 2 + PostgreSQL, 8 connections from another process, {verify['n']} requests:")
            print(f"    bare SELECT 1 route: {bare['rps']:7.0f} req/s  p50 {bare['p50']:.1f} ms  p95 {bare['p95']:.1f} ms")
            print(f"    GET /verify/<serial>: {verify['rps']:7.0f} req/s  p50 {verify['p50']:.1f} ms  "
                  f"p95 {verify['p95']:.1f} ms  errors {verify['errors']}")
            print(f"    ratio: throughput x{verify['rps'] / bare['rps']:.2f}, p50 latency x{verify['p50'] / bare['p50']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
