"""Certificates: the real path of printing a set against the fastest plain-ReportLab floor, in the same run.

Run: .venv/bin/python benchmarks/certificates.py [--count 500] [--workers N] [--tenfold] [--old-floor]
     [--packed] [--skip-kiosk] [--skip-load] [--verify-requests 2000] [--cluster] [--repeat N]

1. The fair floor, no database: plain ReportLab drawing the same page `count` times, the fastest way we know:
   the fixed part (background, emblems, signatures, title, issuer, preamble, signatories, hint) drawn once
   as a Form XObject, static Thai text shaped once, each page's own lines shaped (shapeStr) with their
   /ActualText, the signed QR as vector rectangles with a fixed mask and its version counted, not searched
   for (core.qr.code, as fairapp makes it: a third less time than qrcode's fit; no PNG round trip; each row's
   runs of dark modules found by a regular expression, as render.qr_ops finds them). Once in this
   process, once in N processes (N = CERTIFICATE_WORKERS, what `make run` renders with; a warm pool, each
   process drawing its share into its own PDF; checked to run in N processes at once, and measured before
   and after the real path, the faster counting: the machine's other load never flatters the real path).
2. The real path, from the database, as `make run` runs it (JOBS_MODE thread, CERTIFICATE_WORKERS N):
   printing.create_batch in a unit of work, then the chunk jobs (rows, serials, signatures, each
   certificate's own PDF stored with its SHA-256, the chunk PDFs) and the merge, until the batch is done.
   Measured: seconds, SQL queries, the time until the first pages could go to a printer (first_printable_s:
   the first chunk's PDF when the batch page offers chunks, else the merged file), bytes stored per
   certificate (every file the batch added to the store but its print files, divided by the certificates),
   the merged PDF against one render_pages of the same pages, and the peak RSS of every process (this one
   and the render processes: the kernel's high-water marks, reset before the batch, so nothing samples
   while it runs). The batch's state is read every 100 ms (the batch page asks every second): the measuring
   must not take the real path's CPU. --repeat N real-path runs, each in a fresh database (default 2 up to
   2,000 certificates, else 1), the faster counting, as the faster of the two floors does: this machine is at
   times 30-60% slower for a while, and the best of two on one side only would be biased.
3. --tenfold: the real path again at 10x the count in a database of its own (time and query ratios).
4. One kiosk print through the WSGI app against a bare `SELECT 1` route; /verify under load on gunicorn
   and PostgreSQL (skipped with --skip-load or without PostgreSQL).
--cluster: instead of the above, the real path on a cluster of its own (scripts/cluster.sh up --fresh on port
8380, database fairapp_bench_cluster, a temporary run folder; stopped, dropped and removed at the end): its
two Celery workers issue and print the batch made as staff make it, against the 2-process floor in the same
run (the faster of --repeat batches, each for a world of its own, against the faster of two floors); first
printable chunk, pages/s, stored bytes, peak RSS of each worker process, the merge's share.
--old-floor: also the floor this file used to print (PNG QR with automatic masks, everything drawn on
every page), for comparison.

Every temporary folder and database file is removed at the end (also on failure or Ctrl-C). The last line
is one JSON object of the figures and ratios.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (BASELINE, cleanup, json_line, make_app, measure, migrate_fresh,  # noqa: E402
                                temp_dir)
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


# ---- the fair floor: plain ReportLab, the fastest way to draw the same page ----

def _floor_static(c, design, width, height, shaped, draw):
    """The fixed part, drawn once into a Form XObject: images, static lines, signatories, hint."""
    from reportlab.lib.units import mm
    if design.background:
        c.drawImage(design.background, 0, 0, width, height)
    y = height - 19 * mm
    for index, logo in enumerate(design.logos):
        c.drawImage(logo, width / 2 - 40 * mm + index * 45 * mm, y - 22 * mm, 35 * mm, 22 * mm,
                    mask="auto", preserveAspectRatio=True)
    y -= 28 * mm + 36
    for text, font, size in ((design.title, "Sarabun-Bold", 40), (design.issuer, "Sarabun-Bold", 20),
                             (design.preamble, "Sarabun", 18)):
        draw(text, font, size, width / 2, y)
        y -= size * 1.5
    for index, person in enumerate(design.signatories):
        x = width / 2 - 60 * mm + index * 120 * mm
        if person.signature:
            c.drawImage(person.signature, x - 22 * mm, 40 * mm, 45 * mm, 15 * mm, mask="auto",
                        preserveAspectRatio=True)
        draw(f"({person.name})", "Sarabun", 13, x, 34 * mm)
        draw(person.position, "Sarabun", 13, x, 28 * mm)
    if design.verify_hint:
        draw(design.verify_hint, "Sarabun", 6, 32 * mm, 19 * mm)
    return y


def fair_floor_pages(design, faces) -> tuple[float, int]:
    """Draw `faces` on the design into one PDF, the fastest plain-ReportLab way; (seconds, bytes)."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase.ttfonts import shapeStr
    from reportlab.pdfgen.canvas import Canvas

    from fairapp.certificates.render import date_text
    from fairapp.core import pdf, qr

    pdf.register_fonts()
    start = time.perf_counter()
    out = io.BytesIO()
    width, height = design.pagesize
    c = Canvas(out, pagesize=design.pagesize, pageCompression=1)
    cache: dict = {}

    def shaped(text, font, size):
        key = (text, font, size)
        if key not in cache:
            cache[key] = shapeStr(text, font, size)
        return cache[key]

    def draw(text, font, size, x, y):
        if not text:
            return
        c.setFont(font, size)
        c.addLiteral(f"/Span <</ActualText {pdf.actual_text(text)}>> BDC")
        c.drawCentredString(x, y, shaped(text, font, size))
        c.addLiteral("EMC")

    dark_run = re.compile(rb"\x01+")
    c.beginForm("fixed", 0, 0, width, height)
    y0 = _floor_static(c, design, width, height, shaped, draw)
    c.endForm()
    qsize = 26 * mm
    for face in faces:
        c.doForm("fixed")
        y = y0 - 10 * mm
        for text, font, size in ((face.holder, "Sarabun-Bold", 30), (face.holder_org, "Sarabun", 18),
                                 (face.reason, "Sarabun", 15), (date_text(design, face.given_on), "Sarabun", 16)):
            draw(text, font, size, width / 2, y)
            y -= size * 1.5
        modules = qr.code(face.qr, border=0, mask=2).get_matrix()  # qrcode, its version counted (no best_fit)
        cell = qsize / len(modules)
        x0, top = 19 * mm, 27 * mm + qsize
        ops, side = ["q 0 g"], f"{cell:.3f} re"
        for row, line in enumerate(modules):  # each row's runs of dark modules by a regular expression (C)
            height = f" {top - (row + 1) * cell:.3f} "
            for run in dark_run.finditer(bytes(line)):
                first, end = run.span()
                ops.append(f"{x0 + first * cell:.3f}{height}{(end - first) * cell:.3f} {side}")
        ops.append("f Q")
        c.addLiteral("\n".join(ops))
        c.setFont("Sarabun-Bold", 9)
        c.drawString(19 * mm, 23 * mm, shaped("เลขที่ " + face.serial, "Sarabun-Bold", 9))
        c.showPage()
    c.save()
    return time.perf_counter() - start, len(out.getvalue())


def _floor_warm(_: int = 0) -> int:
    from fairapp.core import pdf
    pdf.register_fonts()
    return os.getpid()


def _floor_part(design, faces) -> tuple[int, float, float, float, int, float]:
    """One process's share of the floor: (its pid, when it started and ended (wall clock), its seconds,
    bytes, its CPU seconds), so the parent can check the shares really ran at once, in as many processes."""
    started, cpu = time.time(), time.process_time()
    seconds, size = fair_floor_pages(design, faces)
    return os.getpid(), started, time.time(), seconds, size, time.process_time() - cpu


FLOOR_CHECK: list[str] = []  # what the N-process floors' check found, printed with the figures
FLOOR_CPU: list[float] = []  # each floor's CPU seconds (all its processes)


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fair_floor(design, faces, processes: int) -> tuple[float, int]:
    """The fair floor in a warm pool of `processes` (1: one process), each drawing its share into its own
    PDF. Never in this process: its memory is the real path's to measure. Checked: each share ran in a
    process of its own and the shares overlapped in time (truly parallel, not one after another)."""
    processes = max(1, processes)
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn"), initializer=_floor_warm) as ex:
        list(ex.map(_floor_warm, range(processes * 2)))  # processes started, imports done: before the clock
        share = -(-len(faces) // processes)
        start = time.perf_counter()
        parts = list(ex.map(_floor_part, [design] * processes,
                            [faces[i * share:(i + 1) * share] for i in range(processes)]))
        seconds = time.perf_counter() - start
    FLOOR_CPU.append(sum(p[5] for p in parts))
    if processes > 1:
        pids = {p[0] for p in parts}
        overlap = min(p[2] for p in parts) - max(p[1] for p in parts)
        shortest = min(p[2] - p[1] for p in parts)
        FLOOR_CHECK.append(f"{len(pids)} processes, running at once {max(0.0, overlap):.1f} s of the shortest "
                           f"share's {shortest:.1f} s, load average {os.getloadavg()[0]:.1f}")
        if len(pids) != processes or overlap < 0.8 * shortest:
            raise RuntimeError(f"the {processes}-process floor did not run in parallel: {FLOOR_CHECK[-1]}")
    return seconds, sum(p[4] for p in parts)


def old_floor(planned, count: int) -> tuple[float, int]:
    """The floor this benchmark used to print: qrcode -> PNG -> drawImage, automatic masks, everything
    drawn on every page (kept with --old-floor, to compare)."""
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
    start = time.perf_counter()
    out = io.BytesIO()
    c = Canvas(out, pagesize=landscape(A4))
    width, height = landscape(A4)
    for face in [p.face for p in planned][:count]:
        c.drawImage(design.background, 0, 0, width, height)
        for index, logo in enumerate(design.logos):
            c.drawImage(logo, width / 2 - 40 * mm + index * 45 * mm, height - 45 * mm, 35 * mm, 22 * mm,
                        mask="auto", preserveAspectRatio=True)
        y = height - 70 * mm
        for text, font, size in [(design.title, "Sarabun-Bold", 40), (design.issuer, "Sarabun-Bold", 20),
                                 (design.preamble, "Sarabun", 18), (face.holder, "Sarabun-Bold", 30),
                                 (face.holder_org, "Sarabun", 18), (face.reason, "Sarabun", 15),
                                 (date_text(design, face.given_on), "Sarabun", 16)]:
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
        qr.add_data(face.qr)
        qr.make(fit=True)
        png = io.BytesIO()
        qr.make_image().save(png, format="PNG")
        c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 19 * mm, 27 * mm, 26 * mm, 26 * mm)
        c.setFont("Sarabun-Bold", 9)
        c.drawString(19 * mm, 23 * mm, "เลขที่ " + face.serial)
        c.showPage()
    c.save()
    return time.perf_counter() - start, len(out.getvalue())


# ---- the real path ----

def _reset_peak(pid: int) -> bool:
    """Start the process's peak resident memory (VmHWM) again from what it holds now ("5" to clear_refs, Linux
    4.0): the kernel then keeps the peak, so nothing has to sample while the real path runs (a sampling
    thread took its CPU and its cores). False where refused."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class RssSampler(threading.Thread):
    """The peak resident memory (MB) of this process and of each of its child processes while it runs: the
    kernel's high-water marks, reset at `start`, read at `stop`; sampled every 50 ms where they cannot be
    reset."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.peaks: dict[int, float] = {}
        self.kernel = False

    @staticmethod
    def _rss(pid: int, field: str = "VmRSS:") -> float | None:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith(field):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def _children(self) -> list[int]:
        pids = []
        for task in os.listdir(f"/proc/{os.getpid()}/task"):
            try:
                with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
                    pids += [int(p) for p in fh.read().split()]
            except OSError:
                pass
        return pids

    def start(self) -> None:
        self.kernel = all([_reset_peak(pid) for pid in [os.getpid(), *self._children()]])
        if not self.kernel:
            super().start()

    def run(self) -> None:
        while not self.stop_event.wait(0.05):
            for pid in [os.getpid(), *self._children()]:
                rss = self._rss(pid)
                if rss is not None and rss > self.peaks.get(pid, 0):
                    self.peaks[pid] = rss

    def stop(self) -> dict:
        if self.kernel:
            for pid in [os.getpid(), *self._children()]:
                self.peaks[pid] = self._rss(pid, "VmHWM:") or 0.0
        else:
            self.stop_event.set()
            self.join()
        own = self.peaks.pop(os.getpid(), 0.0)
        return {"web_process_mb": own, "render_processes_mb": max(self.peaks.values(), default=0.0)}


def _store_sizes(app) -> dict[str, int]:
    from fairapp.core.storage import local_storage
    with app.app_context():
        return {key: path.stat().st_size for key, path in local_storage().keys()}


POLL = None


def _poll(conn, batch_id: int) -> tuple:
    """(status, error, first chunk's PDF key when it is done, when that chunk finished, when the batch
    finished) of the batch: one statement on the polling connection, its read transaction ended at once (the
    next poll sees what the jobs committed). The measuring must not take the real path's CPU: the session
    and ORM cost about ten times as much a poll."""
    global POLL
    from sqlalchemy import text
    if POLL is None:
        POLL = text("SELECT b.status, b.error, c.pdf_key, c.finished_at, b.finished_at FROM certificate_batches b "
                    "LEFT JOIN certificate_batch_chunks c ON c.batch_id = b.id AND c.\"index\" = 0 "
                    "AND c.status = 'done' WHERE b.id = :id")
    try:
        return tuple(conn.execute(POLL, {"id": batch_id}).one())
    finally:
        conn.rollback()


def _since(start_epoch: float, stamp, polled: float) -> float:
    """Seconds from `start_epoch` (time.time()) to a row's finished_at (the job's own clock, written as it
    committed), so the figure does not carry the polling's 100 ms steps; the polled time if the row has none
    (never more than it)."""
    from datetime import datetime, timezone
    if stamp is None:
        return polled
    when = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    seconds = when.timestamp() - start_epoch
    return seconds if polled - 0.25 <= seconds <= polled else polled  # (a clock that disagrees: the polled time)


def real_path(app, ids, workers: int) -> dict:
    """printing.create_batch for the category's awardees in one unit of work, then the chunk jobs as `make
    run` runs them (job threads, the render pool), until the batch is done; timings, queries, sizes, memory."""
    from sqlalchemy import event, select

    from fairapp.certificates import batches, printing
    from fairapp.certificates.models import Certificate, PrintBatch, PrintBatchChunk
    from fairapp.core.transaction import unit_of_work

    chunk_printing = hasattr(printing, "print_chunk")  # the batch page offers each finished chunk
    before = _store_sizes(app)
    if workers > 1:  # start the pool (process spawn, imports) before the clock: a server keeps it warm
        list(batches.pool(workers).map(batches.ping, range(workers * 2)))
    queries = [0]
    here, polling = threading.current_thread(), [False]

    def count(*_a, **_k):  # the request that makes the batch and the jobs; not this loop's polling
        if threading.current_thread() is not here or not polling[0]:
            queries[0] += 1

    with app.app_context():
        engine = db.engine
    poll = engine.connect()  # the batch's state read on one connection, one statement (not the session's ORM)
    start_mb = RssSampler._rss(os.getpid()) or 0.0  # this process before the batch (the world, the app)
    sampler = RssSampler()
    sampler.start()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with app.test_request_context(base_url="https://fair.example.org"):
            fair, category, staff = _load(*ids)
            renderers = [p.pid for p in batches.pool(workers)._processes.values()] if workers > 1 else []
            cpu_start = (sum(os.times()[:2]), sum(_cpu_of(pid) for pid in renderers))
            start, start_epoch = time.perf_counter(), time.time()
            with unit_of_work():
                batch = printing.create_batch(fair, "awardee", staff, category=category)
            batch_id = batch.id
        first = None
        polling[0] = True
        while True:
            status, error, first_key, first_at, done_at = _poll(poll, batch_id)
            now = time.perf_counter()
            if first is None and ((chunk_printing and first_key) or status == "done"):
                first = _since(start_epoch, first_at if first_key else done_at, now - start)
            if status == "done":
                seconds = _since(start_epoch, done_at, now - start)
                cpu = (sum(os.times()[:2]) - cpu_start[0], sum(_cpu_of(pid) for pid in renderers) - cpu_start[1])
                break
            if status == "failed":
                raise RuntimeError(f"the batch failed: {error}")
            time.sleep(0.1)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        memory = sampler.stop()
        poll.close()
    with app.app_context():
        row = db.session.get(PrintBatch, batch_id)
        result_key = row.result_key
        issued = db.session.query(Certificate).filter_by(fair_id=ids[0]).count()
        db.session.remove()
    after = _store_sizes(app)
    added = {k: v for k, v in after.items() if k not in before}
    merged = added.pop(result_key, 0)
    with app.app_context():
        from pypdf import PdfReader
        from fairapp.core.storage import storage
        pages = len(PdfReader(storage().local_path(result_key)).pages)
        db.session.remove()
    # Print files that stay (chunk PDFs offered for printing) are not the stored certificates.
    print_files = 0
    with app.app_context():
        for key in db.session.scalars(select(PrintBatchChunk.pdf_key).where(PrintBatchChunk.batch_id == batch_id)):
            print_files += added.pop(key, 0)
        db.session.remove()
    return {"seconds": seconds, "first_printable_s": first, "pages": pages, "issued": issued,
            "merged_bytes": merged, "print_files_bytes": print_files,
            "stored_bytes": sum(added.values()), "queries": queries[0], "batch_id": batch_id,
            "cpu_web_process_s": cpu[0], "cpu_render_processes_s": cpu[1],
            "web_process_start_mb": start_mb, **memory}


def one_render_bytes(app, ids) -> int:
    """Bytes of render_pages of all the fair's issued certificates, in page order: one render of the pages."""
    from fairapp.certificates import operations as ops
    from fairapp.certificates.models import Certificate
    from fairapp.certificates.render import render_pages

    with app.test_request_context(base_url="https://fair.example.org"):
        certs = db.session.query(Certificate).filter_by(fair_id=ids[0]).order_by(Certificate.stage_order,
                                                                               Certificate.id).all()
        designs = {}
        pages = []
        for cert in certs:
            if cert.template_id not in designs:
                designs[cert.template_id] = ops.design_for(cert.template)
            pages.append((designs[cert.template_id], ops.face_for(cert)))
        data = render_pages(pages)
        db.session.remove()
    return len(data)


def run_scale(count: int, workers: int | None, *, old: bool, packed: bool = False, repeat: int = 1) -> dict:
    """A fresh database with `count` awardees: the fair floor (1 and N processes) and the real path (`repeat`
    times, each in a fresh database; the faster counts, as the faster of two floors does)."""
    from fairapp.certificates import batches
    from fairapp.certificates import operations as ops

    extra = {} if workers is None else {"CERTIFICATE_WORKERS": workers}
    if packed:
        extra["CERTIFICATE_PACKED"] = True
    app = make_app(f"certificates-{count}", JOBS_MODE="thread", BASE_URL="https://fair.example.org", **extra)
    workers = int(app.config["CERTIFICATE_WORKERS"])  # what make run renders with, unless told
    migrate_fresh(app)
    with app.test_request_context(base_url="https://fair.example.org"):
        ids = build_world(count, "A")
        fair, category, staff = _load(*ids)
        planned, _ = ops.plan(fair, ops.candidates_for(fair, "awardee", category), staff)
        design, faces = planned[0].design, [p.face for p in planned]
        old_seconds = old_floor(planned, count)[0] if old else None
        db.session.rollback()
        del planned  # the floor's input only (design, faces): this process' memory is the real path's
    gc.collect()
    floor1, floor_bytes = fair_floor(design, faces, 1)
    floorn, _ = fair_floor(design, faces, workers)
    floor_cpu = FLOOR_CPU[-1]
    runs = []
    for attempt in range(repeat):  # each run on a database of its own, the same world in it, nothing issued
        if attempt:
            with app.app_context():
                db.engine.dispose()
            app = make_app(f"certificates-{count}-{attempt + 1}", JOBS_MODE="thread",
                           BASE_URL="https://fair.example.org", **extra)
            migrate_fresh(app)
            with app.test_request_context(base_url="https://fair.example.org"):
                ids = build_world(count, "A")
        try:
            runs.append(real_path(app, ids, workers))
        finally:
            batches.shutdown_pool()
        if not attempt:
            one_bytes = one_render_bytes(app, ids)
    # Again after the real path, the faster of the two counts, as the faster of the real path's runs does:
    # the machine's other load slows either at times, and a slowed floor would flatter the real path.
    again = fair_floor(design, faces, workers)[0]
    floor_cpu = FLOOR_CPU[-1] if again < floorn else floor_cpu  # the CPU of the floor that counts
    floorn = min(floorn, again)
    real = dict(min(runs, key=lambda run: run["seconds"]))
    real["runs_s"] = [run["seconds"] for run in runs]
    for memory in ("web_process_mb", "render_processes_mb", "web_process_start_mb"):
        real[memory] = runs[0][memory]  # a process holding one world (a later run's also holds the first)
    real["one_render_bytes"] = one_bytes
    with app.app_context():
        db.engine.dispose()
    return {"count": count, "workers": workers, "packed": packed, "floor_1p_s": floor1, "floor_np_s": floorn, "floor_bytes": floor_bytes,
            "floor_np_cpu_s": floor_cpu,
            "old_floor_s": old_seconds, "app": app, "ids": ids, **real}


def report_scale(r: dict) -> dict:
    n, workers = r["count"], r["workers"]
    rate = r["pages"] / r["seconds"]
    out = {"count": n, "workers": workers, "packed": r["packed"],
           "fair_floor_1p_pages_s": n / r["floor_1p_s"], "fair_floor_np_pages_s": n / r["floor_np_s"],
           "real_pages_s": rate, "real_vs_fair_floor": rate / (n / r["floor_np_s"]),
           "real_vs_fair_floor_1p": rate / (n / r["floor_1p_s"]), "real_s": r["seconds"],
           "first_printable_s": r["first_printable_s"],
           "stored_bytes_per_certificate": r["stored_bytes"] / max(1, r["issued"]),
           "merged_bytes": r["merged_bytes"], "one_render_bytes": r["one_render_bytes"],
           "merged_bytes_vs_one_render": r["merged_bytes"] / r["one_render_bytes"],
           "print_files_bytes": r["print_files_bytes"],
           "queries": r["queries"], "queries_per_certificate": r["queries"] / max(1, r["issued"]),
           "peak_rss_mb": max(r["web_process_mb"], r["render_processes_mb"]),
           "web_process_rss_mb": r["web_process_mb"], "render_process_rss_mb": r["render_processes_mb"],
           "web_process_before_batch_mb": r["web_process_start_mb"],
           "floor_np_cpu_s": r["floor_np_cpu_s"], "real_cpu_s": r["cpu_web_process_s"] + r["cpu_render_processes_s"],
           "real_cpu_web_process_s": r["cpu_web_process_s"],
           "real_cpu_render_processes_s": r["cpu_render_processes_s"]}
    # CPU seconds, all processes: what a loaded machine does not distort as much as wall time (the cores
    # are shared with whatever else runs; the real path's own processes still do only their work).
    out["floor_cpu_vs_real_cpu"] = out["floor_np_cpu_s"] / out["real_cpu_s"] if out["real_cpu_s"] else None
    if r.get("old_floor_s"):
        out["old_floor_pages_s"] = n / r["old_floor_s"]
        out["fair_vs_old_floor_1p"] = r["old_floor_s"] / r["floor_1p_s"]
    print(f"certificates: {n} A4 landscape pages, background + 2 emblems + 2 signatures, {os.cpu_count()} cores, "
          f"N = {workers} render processes")
    print(f"  fair floor, plain ReportLab, 1 process:  {r['floor_1p_s']:7.2f} s  {out['fair_floor_1p_pages_s']:6.1f} pages/s")
    print(f"  fair floor, plain ReportLab, {workers} processes: {r['floor_np_s']:7.2f} s  "
          f"{out['fair_floor_np_pages_s']:6.1f} pages/s (the faster of a run before and one after the real path;"
          f" checked parallel: {'; '.join(FLOOR_CHECK[-2:])})")
    out["floor_np_check"] = FLOOR_CHECK[-2:]
    if r.get("old_floor_s"):
        print(f"  old floor (PNG QR, all drawn each page):  {r['old_floor_s']:7.2f} s  "
              f"{out['old_floor_pages_s']:6.1f} pages/s (fair floor x{out['fair_vs_old_floor_1p']:.2f} of it)")
    runs = "" if len(r["runs_s"]) < 2 else f" (the faster of {len(r['runs_s'])} runs: " + ", ".join(
        f"{s:.2f} s" for s in r["runs_s"]) + ")"
    out["real_runs_s"] = r["runs_s"]
    print(f"  real path (create_batch + chunk jobs + merge, as make run): {r['seconds']:7.2f} s{runs}  {rate:6.1f} pages/s"
          f"  x{out['real_vs_fair_floor']:.2f} of the {workers}-process floor, x{out['real_vs_fair_floor_1p']:.2f} "
          f"of the 1-process floor; {r['queries']} queries ({out['queries_per_certificate']:.2f} per certificate)")
    print(f"  first printable pages after {r['first_printable_s']:.2f} s; stored "
          f"{out['stored_bytes_per_certificate'] / 1024:.1f} KB per certificate; merged PDF "
          f"{r['merged_bytes'] / 1e6:.2f} MB = x{out['merged_bytes_vs_one_render']:.2f} of one render "
          f"({r['one_render_bytes'] / 1e6:.2f} MB); peak RSS {out['web_process_rss_mb']:.0f} MB (web/job process; "
          f"{r['web_process_start_mb']:.0f} MB before the batch), "
          f"{out['render_process_rss_mb']:.0f} MB (a render process)")
    print(f"  CPU seconds: real path {out['real_cpu_s']:.2f} (web/job process {out['real_cpu_web_process_s']:.2f}, its "
          f"job threads, the polling; render processes {out['real_cpu_render_processes_s']:.2f}), the {workers}-process "
          f"floor {out['floor_np_cpu_s']:.2f}: the floor's CPU x{out['floor_cpu_vs_real_cpu']:.2f} of the real path's")
    return out


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
    tmp = Path(temp_dir("wsgi"))
    (tmp / "bench_wsgi.py").write_text(WSGI.format(root=str(ROOT)))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": PG_URL, "FAIRAPP_INSTANCE": instance, "PYTHONPATH": str(tmp),
           "TMPDIR": str(tmp)}  # the servers' own temporary folders go in this one, removed with it
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


# ---- --cluster: the real path on the cluster's two Celery workers ----

CLUSTER_PORT = "8380"
CLUSTER_DB = "fairapp_bench_cluster"


def _cluster_env(path: Path) -> dict[str, str]:
    """The environment scripts/cluster.sh wrote for every process of the cluster (its `env` file)."""
    out = subprocess.run(["bash", "-c", 'set -a; . "$0"; env -0', str(path)], check=True, capture_output=True,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}).stdout
    pairs = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    return {k: v for k, v in pairs.items() if k not in ("PATH", "PWD", "SHLVL", "_", "OLDPWD")}


class TreeRssSampler(threading.Thread):
    """The peak resident memory (MB) of each process in the trees of these pids (a Celery worker and its
    prefork children) while it runs: their high-water marks, reset at `start` and read at `stop` (nothing
    samples meanwhile, on the cluster's cores); every 50 ms where they cannot be reset."""

    def __init__(self, roots: dict[str, int]):
        super().__init__(daemon=True)
        self.roots, self.stop_event, self.peaks = roots, threading.Event(), {}
        self.kernel = False

    def start(self) -> None:
        self.kernel = all([_reset_peak(pid) for root in self.roots.values() for pid in self._tree(root)])
        if not self.kernel:
            super().start()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        pids, todo = [], [pid]
        while todo:
            current = todo.pop()
            pids.append(current)
            try:
                for task in os.listdir(f"/proc/{current}/task"):
                    with open(f"/proc/{current}/task/{task}/children") as fh:
                        todo += [int(p) for p in fh.read().split()]
            except OSError:
                pass
        return pids

    def run(self) -> None:
        while not self.stop_event.wait(0.05):
            for name, root in self.roots.items():
                for pid in self._tree(root):
                    rss = RssSampler._rss(pid)
                    if rss is not None and rss > self.peaks.get((name, pid), 0):
                        self.peaks[(name, pid)] = rss

    def stop(self) -> dict[str, float]:
        if self.kernel:
            for name, root in self.roots.items():
                for pid in self._tree(root):
                    self.peaks[(name, pid)] = RssSampler._rss(pid, "VmHWM:") or 0.0
        else:
            self.stop_event.set()
            self.join()
        out: dict[str, float] = {}
        for (name, pid), rss in self.peaks.items():
            label = f"{name} (main)" if pid == self.roots[name] else f"{name} (pool process)"
            out[label] = max(out.get(label, 0.0), rss)
        return out


def _tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each process tree (a cluster's role: its process and its
    children, e.g. a Celery worker's pool processes; children that ended are counted by their parent)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for role, root in roots.items():
        total = 0.0
        for pid in TreeRssSampler._tree(root):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used = sum(int(v) for v in fields[11:15]) / tick  # utime, stime, cutime, cstime
            total += used
            if pid == root and role.startswith("worker"):  # a Celery worker's own share (not in the sums)
                out[f"{role}: of it, its main process"] = used
        out[role] = total
    out["this process (the batch asked, polled)"] = sum(os.times()[:2])
    out["postgresql (the whole server: every process named postgres)"] = _postgres_cpu(tick)
    return out


def _postgres_cpu(tick: int) -> float:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine (backends that ended are
    counted by the postmaster that waited for them); it serves only this run while the batch runs."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                head, fields = fh.read().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == "postgres":
            total += sum(int(v) for v in fields.split()[11:15]) / tick
    return total


def _bucket_sizes(store) -> dict[str, int]:
    sizes, token = {}, None
    while True:
        page = store.client.list_objects_v2(Bucket=store.bucket, **({"ContinuationToken": token} if token else {}))
        sizes.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
        if not page.get("IsTruncated"):
            return sizes
        token = page["NextContinuationToken"]


def _warm_cluster(app, base_url: str) -> None:
    """A batch of 4 chunks on another fair before the clock, so each of the workers' 4 processes has
    rendered (imports, fonts, the artwork fetched from S3) as a running cluster's have, as the real path
    of `make run` starts with its render pool warm."""
    from fairapp.certificates import printing
    from fairapp.certificates.models import PrintBatch
    from fairapp.core.transaction import unit_of_work

    with app.test_request_context(base_url=base_url):
        fair, category, staff = _load(*build_world(4 * 25, "warm"))
        with unit_of_work():
            batch_id = printing.create_batch(fair, "awardee", staff, category=category).id
    deadline = time.perf_counter() + 300
    while time.perf_counter() < deadline:
        with app.app_context():
            status = db.session.get(PrintBatch, batch_id).status
            db.session.remove()
        if status in ("done", "failed"):
            return
        time.sleep(0.2)
    raise RuntimeError("the warm-up batch did not finish on the cluster")


def _cluster_batch(app, base_url: str, ids, workers: dict[str, int], roles: dict[str, int]) -> dict:
    """Staff's batch for the world `ids` on the cluster, timed from the request to its merged file:
    seconds, first printable, the workers' peak memory, each role's CPU, what it stored, the seconds from
    the last chunk's end to the batch's (the merge)."""
    from sqlalchemy import func, select

    from fairapp.certificates import printing
    from fairapp.certificates.models import PrintBatch, PrintBatchChunk
    from fairapp.core.storage import storage
    from fairapp.core.transaction import unit_of_work

    with app.app_context():
        before = _bucket_sizes(storage())
        db.session.remove()
    cpu_before = _tree_cpu(roles)
    sampler = TreeRssSampler(workers)
    sampler.start()
    try:
        with app.test_request_context(base_url=base_url):
            fair, category, staff = _load(*ids)
            start, start_epoch = time.perf_counter(), time.time()
            with unit_of_work():
                batch = printing.create_batch(fair, "awardee", staff, category=category)
            batch_id = batch.id
        first = None
        with app.app_context():
            poll = db.engine.connect()
        while True:
            status, error, first_key, first_at, done_at = _poll(poll, batch_id)
            now = time.perf_counter()
            if first is None and (first_key or status == "done"):
                first = _since(start_epoch, first_at if first_key else done_at, now - start)
            if status == "done":
                seconds = _since(start_epoch, done_at, now - start)
                break
            if status == "failed":
                raise RuntimeError(f"the batch failed on the cluster: {error}")
            if now - start > 3600:
                raise RuntimeError("the batch did not finish on the cluster within an hour")
            time.sleep(0.1)
        poll.close()
    finally:
        memory = sampler.stop()
    cpu = {role: used - cpu_before.get(role, 0.0) for role, used in _tree_cpu(roles).items()}
    with app.app_context():
        chunks = db.session.execute(select(PrintBatchChunk.pdf_key, PrintBatchChunk.pages).where(
            PrintBatchChunk.batch_id == batch_id)).all()
        batch = db.session.get(PrintBatch, batch_id)
        result_key = batch.result_key
        last = db.session.scalar(select(func.max(PrintBatchChunk.finished_at)).where(PrintBatchChunk.batch_id == batch_id))
        merge = (batch.finished_at - last).total_seconds() if last and batch.finished_at else None
        after = _bucket_sizes(storage())
        db.session.remove()
    return {"seconds": seconds, "first": first, "memory": memory, "cpu": cpu, "result_key": result_key, "merge": merge,
            "chunk_keys": [key for key, _ in chunks], "issued": sum(p or 0 for _, p in chunks),
            "added": {k: v for k, v in after.items() if k not in before}}


def cluster_run(count: int, repeat: int = 2) -> dict:
    """Start a cluster of our own (scripts/cluster.sh up --fresh on port CLUSTER_PORT, a temporary folder,
    database CLUSTER_DB), build the world in its database, make the batch as staff would (printing.create_batch
    in an app configured as the cluster's: Celery jobs on its Redis, its S3 store, its PostgreSQL), and
    time its two workers doing it against the 2-process floor measured here in the same run: `repeat`
    batches, each for a world of its own, against a floor before and after, the faster of each counting.
    The cluster is stopped and its database dropped in `finally`."""
    from fairapp import create_app
    from fairapp.certificates import operations as ops

    run_dir = Path(temp_dir("cluster"))
    env = {**os.environ, "CLUSTER_PORT": CLUSTER_PORT, "CLUSTER_DIR": str(run_dir), "CLUSTER_DB": CLUSTER_DB}
    env.pop("DATABASE_URL", None)
    script = str(ROOT / "scripts" / "cluster.sh")
    saved = dict(os.environ)
    try:
        started = time.perf_counter()
        subprocess.run([script, "up", "--fresh"], env=env, cwd=ROOT, check=True)
        print(f"  cluster up in {time.perf_counter() - started:.0f} s")
        settings = _cluster_env(run_dir / "env")
        os.environ.update(settings)
        app = create_app()
        _warm_cluster(app, settings["BASE_URL"])
        workers = {name: int((run_dir / "pids" / f"{name}.pid").read_text()) for name in ("worker-1", "worker-2")}
        roles = {path.stem: int(path.read_text()) for path in (run_dir / "pids").glob("*.pid")}
        runs, floor = [], None
        for attempt in range(repeat):  # each run a world of its own (a fair, its awardees), nothing issued yet
            with app.test_request_context(base_url=settings["BASE_URL"]):
                ids = build_world(count, f"cluster-{attempt + 1}")
                if floor is None:
                    fair, category, staff = _load(*ids)
                    planned, _ = ops.plan(fair, ops.candidates_for(fair, "awardee", category), staff)
                    design, faces = planned[0].design, [p.face for p in planned]
                    db.session.rollback()
            if floor is None:
                floor = fair_floor(design, faces, 2)[0]
            runs.append(_cluster_batch(app, settings["BASE_URL"], ids, workers, roles))
        # the faster of two floors (before and after) against the faster of the runs
        floor = min(floor, fair_floor(design, faces, 2)[0])
        run = min(runs, key=lambda r: r["seconds"])
        seconds, first, memory, cpu, added = run["seconds"], run["first"], runs[0]["memory"], run["cpu"], run["added"]
        issued = run["issued"]
        merged = added.pop(run["result_key"], 0)
        for key in run["chunk_keys"]:
            added.pop(key, None)
        rate, floor_rate = count / seconds, count / floor
        out = {"count": count, "real_s": seconds, "real_pages_s": rate, "fair_floor_2p_pages_s": floor_rate,
               "real_vs_fair_floor": rate / floor_rate, "first_printable_s": first,
               "stored_bytes_per_certificate": sum(added.values()) / max(1, issued), "merged_bytes": merged,
               "worker_peak_rss_mb": memory, "peak_rss_mb": max(memory.values(), default=0.0),
               "cpu_s_by_process": cpu, "real_runs_s": [r["seconds"] for r in runs], "merge_s": run["merge"]}
        faster = "" if len(runs) < 2 else " (the faster of " + ", ".join(f"{r['seconds']:.2f} s" for r in runs) + ")"
        pool = len(TreeRssSampler._tree(workers["worker-1"])) - 1
        print(f"  cluster (2 Celery workers x {pool} pool process{'es' if pool > 1 else ''}, PostgreSQL, Redis, S3), "
              f"{count} certificates: "
              f"{seconds:.2f} s{faster}, {rate:.1f} pages/s = x{out['real_vs_fair_floor']:.2f} of the 2-process floor "
              f"({floor_rate:.1f} pages/s, {'; '.join(FLOOR_CHECK[-2:])}); first printable after {first:.2f} s; "
              f"stored {out['stored_bytes_per_certificate'] / 1024:.1f} KB per certificate; "
              f"the merge after the last chunk {run['merge'] or 0:.2f} s")
        print("  peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(memory.items())))
        print(f"  CPU seconds while the batch ran (each of the cluster's processes and its children; {2 * seconds:.1f} "
              "CPU seconds were there on 2 cores): " + ", ".join(f"{k} {v:.1f}" for k, v in
                                                                   sorted(cpu.items(), key=lambda kv: -kv[1])))
        return out
    finally:
        os.environ.clear()
        os.environ.update(saved)
        subprocess.run([script, "down"], env=env, cwd=ROOT, check=False)
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                        "import sys, psycopg\n"
                        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
                        "    c.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\" WITH (FORCE)')",
                        PG_URL.replace("+psycopg", "").rsplit("/", 1)[0] + "/postgres", CLUSTER_DB], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None,
                        help="render processes (default: CERTIFICATE_WORKERS, what make run uses)")
    parser.add_argument("--tenfold", action="store_true", help="the real path also at 10x, in its own database")
    parser.add_argument("--old-floor", action="store_true", help="also the floor this file used to print")
    parser.add_argument("--packed", action="store_true",
                        help="CERTIFICATE_PACKED: small stored certificates (the artwork stored once)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="real-path runs, each in a fresh database, the faster counting (default: 2 up to "
                             "2,000 certificates, else 1)")
    parser.add_argument("--verify-requests", type=int, default=2000)
    parser.add_argument("--skip-kiosk", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--cluster", action="store_true",
                        help="only the real path on a cluster of its own (scripts/cluster.sh, port 8380): its two "
                             "Celery workers against the 2-process floor")
    args = parser.parse_args()
    if args.cluster:
        figures: dict = {}
        try:
            figures["cluster"] = cluster_run(args.count, args.repeat or (2 if args.count <= 2000 else 1))
        finally:
            cleanup()
        json_line(figures)
        return 0
    os.environ.pop("DATABASE_URL", None)  # the issuing runs are on SQLite; the load test sets PostgreSQL
    figures: dict = {}
    try:
        def repeat(count: int) -> int:
            return args.repeat or (2 if count <= 2000 else 1)
        first = run_scale(args.count, args.workers, old=args.old_floor, packed=args.packed,
                          repeat=repeat(args.count))
        figures.update(report_scale(first))
        if args.tenfold:
            big = run_scale(args.count * 10, args.workers, old=False, packed=args.packed,
                            repeat=repeat(args.count * 10))
            ten = report_scale(big)
            figures["tenfold"] = ten
            figures["tenfold_time_ratio"] = ten["real_s"] / figures["real_s"]
            figures["tenfold_queries_per_certificate_ratio"] = (ten["queries_per_certificate"]
                                                                / figures["queries_per_certificate"])
            print(f"  10x ({args.count * 10}): time x{figures['tenfold_time_ratio']:.1f}, queries per "
                  f"certificate x{figures['tenfold_queries_per_certificate_ratio']:.2f}")
        if args.packed and not args.skip_kiosk:
            print("  kiosk print: skipped with --packed (the kiosk view reads printing.certificate_pdf only once "
                  "the views use it)")
        elif not args.skip_kiosk:
            kiosk = kiosk_print(first["app"], first["ids"])
            print(f"  kiosk print (request to PDF bytes): {kiosk['ms']:.1f} ms, {kiosk['queries']:.0f} queries; "
                  f"SELECT 1 route {kiosk['base_ms']:.2f} ms; ratio x{kiosk['ms'] / kiosk['base_ms']:.1f}")
            figures["kiosk_ms"] = kiosk["ms"]
            figures["kiosk_vs_select1"] = kiosk["ms"] / kiosk["base_ms"]
        if not args.skip_load:
            load = verify_under_load(args.verify_requests)
            if "skipped" in load:
                print(f"  /verify under load: skipped ({load['skipped']})")
            else:
                bare, verify = load["bare"], load["verify"]
                print(f"  gunicorn -w 2 + PostgreSQL, 8 connections from another process, {verify['n']} requests:")
                print(f"    bare SELECT 1 route: {bare['rps']:7.0f} req/s  p50 {bare['p50']:.1f} ms  "
                      f"p95 {bare['p95']:.1f} ms")
                print(f"    GET /verify/<serial>: {verify['rps']:7.0f} req/s  p50 {verify['p50']:.1f} ms  "
                      f"p95 {verify['p95']:.1f} ms  errors {verify['errors']}")
                ratio = verify["rps"] / bare["rps"]
                print(f"    ratio: throughput x{ratio:.2f}, p50 latency x{verify['p50'] / bare['p50']:.1f}")
                figures["verify_vs_select1_rps"] = ratio
    finally:
        from fairapp.certificates import batches
        batches.shutdown_pool(wait=False)
        cleanup()
    json_line(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
