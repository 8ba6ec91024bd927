"""Open Badges credentials (issue 17): issuing and signing a set's credentials against rendering the same
set's PDFs, in the same run.

Run: .venv/bin/python benchmarks/badges.py [--count 500] [--tenfold] [--pdf-tenfold]

For `count` awardee certificates of a fair (benchmarks/certificates.build_world: the demo's artwork):
- baseline: their PDFs rendered in this process (certificates.render.render_one for each, the design
  built once: what `operations.issue` does for a certificate, with no database work);
- credentials: the same certificates' OpenBadgeCredentials built from the database (one query: every
  certificate with its fair) and signed (eddsa-rdfc-2022: two RDFC-1.0 canonicalizations with pyld and one
  Ed25519 signature each), serialized as served; plus the fair's status list credential, signed once.
Figures: seconds, per-certificate milliseconds and SQL queries of each, and credentials / PDFs.
--tenfold: the credentials again at 10x the count in a database of their own (time and query ratios to
1x); --pdf-tenfold: the PDFs at 10x too (slow), else the 10x ratio is against 10 times the 1x PDF time.
Every temporary folder is removed at the end (also on failure or Ctrl-C). The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import joinedload  # noqa: E402

from benchmarks.harness import cleanup, json_line, make_app, migrate_fresh  # noqa: E402
from fairapp.extensions import db  # noqa: E402

BASE = "https://fair.example.org"


class Queries:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _hit(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)


def run(count: int, tag: str, render_pdfs: bool) -> dict:
    from benchmarks.certificates import build_world
    from fairapp.badges import credential, status
    from fairapp.certificates import operations as ops
    from fairapp.certificates.candidates import awardee_candidates
    from fairapp.certificates.models import Certificate
    from fairapp.certificates.render import render_one
    from fairapp.certificates.signing import signing_key
    from fairapp.core.transaction import unit_of_work
    from fairapp.fairs.models import Fair
    from fairapp.nominations.models import Category
    from fairapp.accounts.models import User

    app = make_app(f"badges-{tag}", BASE_URL=BASE)
    migrate_fresh(app)
    figures: dict = {"count": count}
    with app.test_request_context(base_url=BASE):
        fair_id, category_id, staff_id = build_world(count, tag)
        with unit_of_work():
            fair, category, staff = (db.session.get(Fair, fair_id), db.session.get(Category, category_id),
                                     db.session.get(User, staff_id))
            planned, _ = ops.plan(fair, awardee_candidates(category), staff)
            faces = [(p.design, p.face) for p in planned]
            render_one(*faces[0])  # warm: fonts loaded, as in a running server
            if render_pdfs:
                start = time.perf_counter()
                pdfs = [render_one(design, face) for design, face in faces]
                figures["pdfs_s"] = time.perf_counter() - start
            else:
                pdfs = [render_one(*faces[0])] * len(faces)  # rows need a PDF each; not measured here
            ops.save_new(planned, pdfs, staff, fair)
        db.session.remove()
        key = signing_key()
        with unit_of_work():  # warm: contexts parsed once per process
            one = db.session.scalar(select(Certificate).options(joinedload(Certificate.fair)).limit(1))
            credential.issue(one, BASE, key)
        db.session.remove()
        with unit_of_work(), Queries(db.engine) as queries:
            start = time.perf_counter()
            certs = db.session.scalars(select(Certificate).options(joinedload(Certificate.fair))
                                       .where(Certificate.fair_id == fair_id).order_by(Certificate.id)).all()
            bodies = [json.dumps(credential.issue(cert, BASE, key), ensure_ascii=False) for cert in certs]
            figures["credentials_s"] = time.perf_counter() - start
            figures["credentials_queries"] = queries.count
            assert len(bodies) == count
            start = time.perf_counter()
            status.status_credential(db.session.get(Fair, fair_id), BASE, key)
            figures["status_list_s"] = time.perf_counter() - start
        figures["credential_bytes"] = sum(len(b.encode()) for b in bodies) // count
    figures["credential_ms_each"] = 1000 * figures["credentials_s"] / count
    if render_pdfs:
        figures["pdf_ms_each"] = 1000 * figures["pdfs_s"] / count
        figures["ratio_credentials_to_pdfs"] = figures["credentials_s"] / figures["pdfs_s"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--tenfold", action="store_true")
    parser.add_argument("--pdf-tenfold", action="store_true")
    args = parser.parse_args()
    out: dict = {}
    try:
        one = run(args.count, "1x", True)
        out["x1"] = one
        print(f"1x  ({args.count}): PDFs {one['pdfs_s']:.2f} s ({one['pdf_ms_each']:.1f} ms each); credentials "
              f"issued+signed {one['credentials_s']:.2f} s ({one['credential_ms_each']:.1f} ms each, "
              f"{one['credentials_queries']} queries, {one['credential_bytes']} bytes each); status list "
              f"{one['status_list_s'] * 1000:.0f} ms", flush=True)
        print(f"ratio credentials / PDFs: {one['ratio_credentials_to_pdfs']:.3f}", flush=True)
        if args.tenfold:
            ten = run(args.count * 10, "10x", args.pdf_tenfold)
            pdfs_s = ten["pdfs_s"] if args.pdf_tenfold else one["pdfs_s"] * 10
            ten["ratio_credentials_to_pdfs"] = ten["credentials_s"] / pdfs_s
            ten["time_ratio_to_1x"] = ten["credentials_s"] / one["credentials_s"]
            ten["query_ratio_to_1x"] = ten["credentials_queries"] / max(1, one["credentials_queries"])
            out["x10"] = ten
            print(f"10x ({args.count * 10}): credentials {ten['credentials_s']:.2f} s "
                  f"({ten['credential_ms_each']:.1f} ms each, {ten['credentials_queries']} queries); "
                  f"time x{ten['time_ratio_to_1x']:.2f}, queries x{ten['query_ratio_to_1x']:.2f} of 1x; "
                  f"credentials / PDFs {ten['ratio_credentials_to_pdfs']:.3f}"
                  + ("" if args.pdf_tenfold else " (PDFs: 10 x the 1x time)"), flush=True)
    finally:
        cleanup()
    json_line(out)


if __name__ == "__main__":
    main()
