"""Migration 0008 cleans text stored before the forms refused control and bidi-override characters.

It runs on its own SQLite file (whatever DATABASE_URL says): the migration is plain SQLAlchemy Core over
reflected tables, so the same statements run on PostgreSQL.
"""
from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from datetime import date

from fairapp import create_app
from fairapp.accounts.models import Organization, User
from fairapp.extensions import db
from fairapp.nominations.models import Category, Nomination
from tests.factories import create_fair, insert_old_org, insert_old_user

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_stored_text_loses_control_characters_and_one_line_columns_their_breaks(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "SECRET_KEY": "x", "MAIL_OUTBOX_DIR": str(tmp_path / "mail")})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0007_hardening")
        org = insert_old_org("ชุมชน\r\nBcc: x@example.org\u202e")  # the columns of 0007 (not name_key)
        user_id = insert_old_user("mali@example.org", org=org, first_name="มะลิ\x00")
        nomination_text = {"sufficiency": "บรรทัดแรก\nบรรทัดสอง\u202e", "n": 3}
        category = Category(fair_id=create_fair().id, name_th="ประเภท\u2066", opens_on=date(2026, 1, 1),
                            closes_on=date(2026, 2, 1))
        db.session.add(category)
        db.session.flush()
        db.session.add(Nomination(fair_id=category.fair_id, category_id=category.id, nominator_org_id=org.id,
                                  nominee_org_id=org.id, narratives=nomination_text))
        db.session.commit()
        ids = org.id, user_id, category.id
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        org, user, category = (db.session.get(m, i) for m, i in zip((Organization, User, Category), ids))
        assert org.name_th == "ชุมชน Bcc: x@example.org" and user.first_name == "มะลิ"
        assert category.name_th == "ประเภท"
        nomination = db.session.query(Nomination).one()
        assert nomination.narratives == {"sufficiency": "บรรทัดแรก\nบรรทัดสอง", "n": 3}  # a text keeps its lines
        db.session.remove()
        db.engine.dispose()
