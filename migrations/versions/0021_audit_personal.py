"""audit log, format 3: each entry's personal part salted and erasable (PDPA erasure, issue 15)

audit_log.personal_digest: SHA-256 of a per-entry random salt and the entry's personal part (the values
of its personal keys in `before`/`after`); audit_log.personal_salt: that salt (removed with the part at an
erasure); audit_log.erased_by: the token of the erasure that removed it. The hash (format 3) covers the
other fields' digests and the personal digest, so the personal part can be removed and the chain still
verifies, with nothing left to check a guessed name against.

The existing entries (format 2) are first verified as they are: a broken chain stops the upgrade
(re-chaining would hide the tampering) unless FAIRAPP_AUDIT_RECHAIN_BROKEN=1 is set. They are then
re-chained in format 3, in id order per chain, and the checkpoints are replaced by one at each chain's
tail. The hash formats are copied here so this migration never changes with the app.

Revision ID: 0021_audit_personal
Revises: 0020_retention_settings
Create Date: 2026-11-30 11:10:00.000000

"""
import hashlib
import json
import os
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_audit_personal'
down_revision = '0020_retention_settings'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 5000
PERSONAL_KEYS = frozenset({
    "email", "user", "name", "first_name", "last_name", "title", "phone", "holder_name", "subject_name",
    "subject_contact", "reason", "comment", "review_note", "rejection_reason", "details", "flag_note",
    "chair_reason", "needs_note", "owner", "description", "measures",
})


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(value):
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def _created(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)).isoformat()


def _fields(row, personal_out):
    fields = {"created_at": _digest(_created(row.created_at)), "actor_id": _digest(row.actor_id),
              "fair_id": _digest(row.fair_id), "action": _digest(row.action),
              "object_type": _digest(row.object_type), "object_id": _digest(row.object_id)}
    for name in ("before", "after"):
        value = getattr(row, name)
        if personal_out and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in PERSONAL_KEYS}
        fields[name] = {str(k): _digest(v) for k, v in value.items()} if isinstance(value, dict) else _digest(value)
    return fields


def _hash_v2(row, prev):
    payload = {"v": 2, "chain": row.chain, "prev": prev, "fields": _fields(row, False)}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _personal(row):
    parts = {}
    for name in ("before", "after"):
        value = getattr(row, name)
        parts[name] = {k: v for k, v in value.items() if k in PERSONAL_KEYS} if isinstance(value, dict) else None
        parts[name] = parts[name] or None
    return parts if parts["before"] or parts["after"] else None


def _hash_v3(row, prev, personal_digest):
    payload = {"v": 3, "chain": row.chain, "prev": prev, "fields": _fields(row, True), "personal": personal_digest}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _log(v3=False):
    columns = [sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
               sa.column('actor_id', sa.Integer), sa.column('fair_id', sa.Integer),
               sa.column('action', sa.String), sa.column('object_type', sa.String),
               sa.column('object_id', sa.Integer), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
               sa.column('prev_hash', sa.String), sa.column('hash', sa.String), sa.column('chain', sa.Integer),
               sa.column('hash_version', sa.SmallInteger)]
    if v3:
        columns += [sa.column('personal_digest', sa.String), sa.column('personal_salt', sa.String),
                    sa.column('erased_by', sa.String)]
    return sa.table('audit_log', *columns)


def _batches(conn, log):
    last = (-1, 0)
    while True:
        rows = conn.execute(sa.select(log).where(sa.tuple_(log.c.chain, log.c.id) > last)
                            .order_by(log.c.chain, log.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = (rows[-1].chain, rows[-1].id)


def _checkpoints(conn, tails):
    checkpoints = sa.table('audit_checkpoints', sa.column('chain', sa.Integer), sa.column('entry_id', sa.Integer),
                           sa.column('hash', sa.String), sa.column('created_at', sa.DateTime(timezone=True)))
    conn.execute(checkpoints.delete())
    now = datetime.now(timezone.utc)
    if tails:
        conn.execute(checkpoints.insert(), [{"chain": chain, "entry_id": entry_id, "hash": digest, "created_at": now}
                                            for chain, (entry_id, digest) in sorted(tails.items())])


def upgrade():
    conn = op.get_bind()
    old = _log()
    # Format 2, as it is (checked before the schema changes: SQLite's DDL is not transactional).
    prev, broken = {}, []
    for rows in _batches(conn, old):
        for row in rows:
            expected = prev.get(row.chain, GENESIS)
            if row.hash_version != 2 or row.prev_hash != expected or _hash_v2(row, expected) != row.hash:
                broken.append(row.id)
            prev[row.chain] = row.hash
    if broken and os.environ.get("FAIRAPP_AUDIT_RECHAIN_BROKEN") != "1":
        raise RuntimeError(
            f"audit log: the hash chain is broken at entries {sorted(broken)[:20]} ({len(broken)}): re-chaining it "
            "would hide that. Find out what changed (flask audit verify on the previous version); to re-chain "
            "anyway, run the upgrade with FAIRAPP_AUDIT_RECHAIN_BROKEN=1.")

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('personal_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('erased_by', sa.String(length=32), nullable=True))
        batch_op.alter_column('hash_version', server_default='3')

    log = _log(v3=True)
    update = log.update().where(log.c.id == sa.bindparam('b_id')).values(
        prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash'), personal_digest=sa.bindparam('b_digest'),
        personal_salt=sa.bindparam('b_salt'), hash_version=3)
    tails = {}
    for rows in _batches(conn, log):
        values = []
        for row in rows:
            part = _personal(row)
            salt = secrets.token_hex(16) if part else None
            digest = hashlib.sha256(bytes.fromhex(salt) + _canonical(part).encode()).hexdigest() if part else None
            prev_hash = tails.get(row.chain, (0, GENESIS))[1]
            new = _hash_v3(row, prev_hash, digest)
            tails[row.chain] = (row.id, new)
            values.append({"b_id": row.id, "b_prev": prev_hash, "b_hash": new, "b_digest": digest, "b_salt": salt})
        conn.execute(update, values)
    _checkpoints(conn, tails)


def downgrade():
    conn = op.get_bind()
    log = _log(v3=True)
    if conn.execute(sa.select(sa.func.count()).select_from(log).where(log.c.erased_by.is_not(None))).scalar():
        raise RuntimeError("audit log: entries were erased (PDPA); format 2 cannot hold an erased entry")
    update = log.update().where(log.c.id == sa.bindparam('b_id')).values(
        prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash'), hash_version=2)
    tails = {}
    for rows in _batches(conn, log):
        values = []
        for row in rows:
            prev_hash = tails.get(row.chain, (0, GENESIS))[1]
            new = _hash_v2(row, prev_hash)
            tails[row.chain] = (row.id, new)
            values.append({"b_id": row.id, "b_prev": prev_hash, "b_hash": new})
        conn.execute(update, values)
    _checkpoints(conn, tails)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('hash_version', server_default='2')
        batch_op.drop_column('erased_by')
        batch_op.drop_column('personal_salt')
        batch_op.drop_column('personal_digest')
