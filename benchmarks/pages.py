"""Foundation pages: server time and SQL queries per page, as ratios against a bare `SELECT 1` request.

Run: .venv/bin/python benchmarks/pages.py [--orgs 40] [--fairs 20] [--repeat 200]
Builds a throwaway SQLite database (or uses DATABASE_URL), loads the demo, adds many organizations
and fairs for the dashboard user, then times each page through the WSGI app in this process.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from benchmarks.harness import migrate_fresh, make_app, measure  # noqa: E402
from fairapp.extensions import db  # noqa: E402


def build(args):
    app = make_app("pages")
    migrate_fresh(app)
    with app.app_context():
        from fairapp.accounts.models import Membership, Organization, Sector, User
        from fairapp.demo import load_demo
        from fairapp.fairs.models import Fair, FairRole

        load_demo()
        db.session.commit()
        user = db.session.scalar(select(User).where(User.email == "staff@fairapp.local"))
        template = db.session.scalar(select(Fair).order_by(Fair.id))
        for i in range(args.orgs):
            org = Organization(name_th=f"ชุมชนคุณธรรม ทดสอบ {i}", sector=Sector.civil, province_code="57",
                               district_code="5701")
            db.session.add(Membership(user=user, organization=org))
        for i in range(args.fairs):
            cols = {c.key: getattr(template, c.key) for c in Fair.__table__.columns if c.key not in ("id",)}
            fair = Fair(**{**cols, "name_th": f"ตลาดนัดคุณธรรม {i}"})
            db.session.add(FairRole(fair=fair, user=user, role="judge"))
        db.session.commit()
        user_id = user.id
    return app, user_id




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=40)
    parser.add_argument("--fairs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    app, user_id = build(args)
    anonymous = app.test_client()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    with app.app_context():
        engine = db.engine
    pages = [("SELECT 1 (baseline)", "/_bench/select1", anonymous), ("front page", "/", anonymous),
             ("sign-up form", "/signup", anonymous), ("login form", "/login", anonymous),
             ("fair page", "/fairs/1", anonymous),
             (f"dashboard ({args.orgs + 1} orgs, {args.fairs + 2} fairs)", "/dashboard", client),
             ("organization list (staff)", "/orgs", client), ("healthz", "/healthz", anonymous)]
    print(f"database: {engine.dialect.name}; {args.repeat} requests per page; median server time")
    base_time = None
    print(f"{'page':45} {'ms':>7} {'x base':>7} {'queries':>8}")
    for name, url, who in pages:
        median, queries, _ = measure(lambda: who.get(url), args.repeat, engine)
        base_time = base_time or median
        print(f"{name:45} {median * 1000:7.2f} {median / base_time:7.2f} {queries:8.1f}")


if __name__ == "__main__":
    main()
