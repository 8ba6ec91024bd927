"""audit log: one hash chain per fair, checkpoints

audit_log.chain: the chain of the entry (its fair's id; 0 for entries with no fair), with an index on
(chain, id); audit_log.hash_version: the hash format (1: one global chain over the entry's canonical JSON;
2: per chain, over the digests of each field, so a personal field can later be replaced by its digest).
audit_checkpoints: a chain verified up to an entry (id, hash).

The existing entries (format 1, one chain) are first verified as they are: a broken chain stops the
upgrade (re-chaining it would hide the tampering) unless FAIRAPP_AUDIT_RECHAIN_BROKEN=1 is set. They are
then re-chained per fair in format 2, in id order, and each chain gets a checkpoint at its tail (what was
just verified). The hash formats are copied here so this migration never changes with the app.

Revision ID: 0011_audit_chains
Revises: 0010_print_chunks
Create Date: 2026-11-30 05:30:00.000000

"""
import hashlib
import json
import os
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_audit_chains'
down_revision = '0010_print_chunks'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
BATCH = 5000


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(value):
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def _created(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)).isoformat()


def _hash_v1(row, prev):
    body = {"created_at": _created(row.created_at), "actor_id": row.actor_id, "fair_id": row.fair_id,
            "action": row.action, "object_type": row.object_type, "object_id": row.object_id,
            "before": row.before, "after": row.after}
    return hashlib.sha256((prev + _canonical(body)).encode()).hexdigest()


def _hash_v2(row, chain, prev):
    fields = {"created_at": _digest(_created(row.created_at)), "actor_id": _digest(row.actor_id),
              "fair_id": _digest(row.fair_id), "action": _digest(row.action),
              "object_type": _digest(row.object_type), "object_id": _digest(row.object_id)}
    for name in ("before", "after"):
        value = getattr(row, name)
        fields[name] = {str(k): _digest(v) for k, v in value.items()} if isinstance(value, dict) else _digest(value)
    payload = {"v": 2, "chain": chain, "prev": prev, "fields": fields}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _log(chained=True):
    columns = [sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)),
               sa.column('actor_id', sa.Integer), sa.column('fair_id', sa.Integer),
               sa.column('action', sa.String), sa.column('object_type', sa.String),
               sa.column('object_id', sa.Integer), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
               sa.column('prev_hash', sa.String), sa.column('hash', sa.String)]
    if chained:
        columns += [sa.column('chain', sa.Integer), sa.column('hash_version', sa.SmallInteger)]
    return sa.table('audit_log', *columns)


def _batches(conn, log):
    last = 0
    while True:
        rows = conn.execute(sa.select(log).where(log.c.id > last).order_by(log.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rehash(conn, log, new_hash, version):
    """Re-chain every entry in id order: new_hash(row, prev by chain) -> (chain, hash). Returns the tails."""
    tails = {}
    update = log.update().where(log.c.id == sa.bindparam('b_id')).values(
        chain=sa.bindparam('b_chain'), prev_hash=sa.bindparam('b_prev'), hash=sa.bindparam('b_hash'),
        hash_version=version)
    for rows in _batches(conn, log):
        values = []
        for row in rows:
            chain, make = new_hash(row)
            prev = tails.get(chain, (0, GENESIS))[1]
            digest = make(prev)
            tails[chain] = (row.id, digest)
            values.append({"b_id": row.id, "b_chain": chain, "b_prev": prev, "b_hash": digest})
        conn.execute(update, values)
    return tails


def upgrade():
    conn = op.get_bind()
    old = _log(chained=False)
    # Format 1, as it is: one chain in id order (checked before the schema changes: SQLite's DDL is not
    # transactional, a refused upgrade leaves the database as it was).
    prev, broken = GENESIS, []
    for rows in _batches(conn, old):
        for row in rows:
            if row.prev_hash != prev or _hash_v1(row, prev) != row.hash:
                broken.append(row.id)
            prev = row.hash
    if broken and os.environ.get("FAIRAPP_AUDIT_RECHAIN_BROKEN") != "1":
        raise RuntimeError(
            f"audit log: the hash chain is broken at entries {broken[:20]} ({len(broken)}): re-chaining it per "
            "fair would hide that. Find out what changed (flask audit verify on the previous version); to "
            "re-chain anyway, run the upgrade with FAIRAPP_AUDIT_RECHAIN_BROKEN=1.")

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), server_default='2', nullable=False))
        batch_op.create_index('ix_audit_log_chain_id', ['chain', 'id'], unique=False)
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index('ix_audit_checkpoints_chain_id', ['chain', 'id'], unique=False)

    log = _log()

    def v2(row):
        chain = row.fair_id if row.fair_id is not None else 0
        return chain, lambda prev: _hash_v2(row, chain, prev)

    tails = _rehash(conn, log, v2, 2)
    checkpoints = sa.table('audit_checkpoints', sa.column('chain', sa.Integer), sa.column('entry_id', sa.Integer),
                           sa.column('hash', sa.String), sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(timezone.utc)
    if tails:
        conn.execute(checkpoints.insert(), [{"chain": chain, "entry_id": entry_id, "hash": digest, "created_at": now}
                                            for chain, (entry_id, digest) in sorted(tails.items())])


def downgrade():
    conn = op.get_bind()
    log = _log()
    _rehash(conn, log, lambda row: (0, lambda prev: _hash_v1(row, prev)), 1)  # one chain, format 1 again
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_checkpoints_chain_id')
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_chain_id')
        batch_op.drop_column('hash_version')
        batch_op.drop_column('chain')
