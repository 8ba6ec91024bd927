"""Test factories: rows made through the models, committed, ready for a request to read."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from fairapp.accounts.models import Membership, Organization, Sector, User
from fairapp.core.time import today_local, utcnow
from fairapp.extensions import db
from fairapp.fairs.models import Fair, FairRole
from werkzeug.security import generate_password_hash

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
_HASH = {}


def _hash(password: str) -> str:
    # Cheap hashing in tests; production uses scrypt (config PASSWORD_HASH_METHOD).
    if password not in _HASH:
        _HASH[password] = generate_password_hash(password, method="pbkdf2:sha256:1000")
    return _HASH[password]


def create_org(name_th: str | None = None, *, sector: Sector = Sector.civil, province_code: str = "57",
               district_code: str = "5701", tax_id: str | None = None, name_en: str | None = None) -> Organization:
    org = Organization(name_th=name_th or f"ชุมชนคุณธรรมทดสอบ {next(_seq)}", name_en=name_en, sector=sector,
                       province_code=province_code, district_code=district_code, tax_id=tax_id)
    db.session.add(org)
    db.session.commit()
    return org


def create_user(email: str | None = None, *, password: str = PASSWORD, org: Organization | None = None,
                admin: bool = False, confirmed: bool = True, first_name: str = "สมชาย",
                last_name: str = "ใจดี", title: str = "นาย", locale: str = "th") -> User:
    user = User(email=email or f"user{next(_seq)}@example.org", password_hash=_hash(password), title=title,
                first_name=first_name, last_name=last_name, phone="+66812345678", is_admin=admin,
                locale=locale, email_confirmed_at=utcnow() if confirmed else None)
    db.session.add(user)
    if org is not None:
        db.session.add(Membership(user=user, organization=org, role="owner"))
    db.session.commit()
    return user


def create_fair(name_th: str | None = None, *, starts_on: date | None = None, thai_numerals: bool = False,
                province_code: str = "57") -> Fair:
    start = starts_on or today_local() + timedelta(days=30)
    fair = Fair(name_th=name_th or f"ตลาดนัดคุณธรรม ทดสอบ {next(_seq)}", venue_th="ศาลากลางจังหวัดเชียงราย",
                province_code=province_code, organizer_th="ศูนย์คุณธรรม (องค์การมหาชน)",
                starts_on=start, ends_on=start + timedelta(days=1),
                booth_opens=start - timedelta(days=35), booth_closes=start - timedelta(days=5),
                nomination_opens=start - timedelta(days=35), nomination_closes=start - timedelta(days=10),
                judging_opens=start - timedelta(days=9), judging_closes=start,
                thai_numerals=thai_numerals)
    db.session.add(fair)
    db.session.commit()
    return fair


def grant(fair: Fair, user: User, role: str) -> FairRole:
    row = FairRole(fair=fair, user=user, role=role)
    db.session.add(row)
    db.session.commit()
    return row


def insert_old_org(name_th: str):
    """An organization written with the columns organizations has had since migration 0001 (not name_key,
    added by 0027), for tests that build a database at an older revision: its id, as `.id`."""
    from types import SimpleNamespace

    from sqlalchemy import text
    org_id = db.session.execute(text(
        "INSERT INTO organizations (name_th, sector, province_code, district_code, is_provincial_office, created_at) "
        "VALUES (:name, 'civil', '57', '5701', false, :now) RETURNING id"),
        {"name": name_th, "now": utcnow().replace(tzinfo=None)}).scalar_one()
    db.session.commit()
    return SimpleNamespace(id=org_id)


def insert_old_user(email: str | None = None, *, first_name: str = "สมชาย", org: Organization | None = None) -> int:
    """A user (and its membership of `org`) written with the columns users has had since migration 0006,
    for tests that build a database at an older revision (the model may have columns added since)."""
    from sqlalchemy import text
    now = utcnow().replace(tzinfo=None)
    user_id = db.session.execute(text(
        "INSERT INTO users (email, password_hash, title, first_name, last_name, phone, locale, is_admin, active, "
        "email_confirmed_at, created_at, session_version) VALUES (:email, :hash, 'นาย', :first, 'ใจดี', "
        "'+66812345678', 'th', false, true, :now, :now, 0) RETURNING id"),
        {"email": email or f"user{next(_seq)}@example.org", "hash": _hash(PASSWORD), "first": first_name,
         "now": now}).scalar_one()
    if org is not None:
        db.session.execute(text("INSERT INTO memberships (user_id, organization_id, role, created_at) "
                                "VALUES (:u, :o, 'owner', :now)"), {"u": user_id, "o": org.id, "now": now})
    db.session.commit()
    return user_id
