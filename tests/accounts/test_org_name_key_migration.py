"""Migration 0027 fills organizations.name_key for the organizations registered before it (sign-up then
finds them by their normalized name), on its own SQLite file."""
from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fairapp import create_app
from fairapp.accounts.models import org_name_key
from fairapp.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
REVISION = "0027_join_requests"


def test_existing_organizations_get_their_key_and_the_table_comes_and_goes(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x", "MAIL_OUTBOX_DIR": str(tmp_path / "mail")})
    with app.app_context():
        before = ScriptDirectory(MIGRATIONS).get_revision(REVISION).down_revision
        upgrade(directory=MIGRATIONS, revision=before)
        db.session.execute(text(
            "INSERT INTO organizations (name_th, sector, province_code, district_code, is_provincial_office, "
            "created_at) VALUES (:name, 'education', '57', '5701', 0, '2026-01-01 00:00:00')"),
            {"name": "มทร. ล้านนา เชียงราย"})
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision=REVISION)
        key = db.session.scalar(text("SELECT name_key FROM organizations"))
        assert key == org_name_key("มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนาเชียงราย") != ""
        assert "join_requests" in inspect(db.engine).get_table_names()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision=before)
        assert "join_requests" not in inspect(db.engine).get_table_names()
        assert "name_key" not in {c["name"] for c in inspect(db.engine).get_columns("organizations")}
        db.session.remove()
        db.engine.dispose()
