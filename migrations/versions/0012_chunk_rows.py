"""print batches: each chunk's data in its own row

certificate_batch_chunks gets the chunk's share of the batch (`items`: its candidates), what it made
(`pdf_key`: its print PDF; `certificate_ids`: its certificates in page order; `pages`: how many), so a
chunk reads and writes only its own row: no work per chunk that grows with the batch (before, every chunk
read the batch's whole item list and rewrote its JSON maps of chunk keys and certificate ids, quadratic
in the batch's size). Batches made before keep their JSON columns (written once more by the merge, for
readers of the finished batch); their chunk rows are filled (made, for batches finished before 0010)
from them here.

Revision ID: 0012_chunk_rows
Revises: 0013_list_indexes
Create Date: 2026-11-30 08:15:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_chunk_rows'
down_revision = '0013_list_indexes'
branch_labels = None
depends_on = None


def _json(value, empty):
    if value is None:
        return empty
    return json.loads(value) if isinstance(value, str) else value


def upgrade():
    with op.batch_alter_table('certificate_batch_chunks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('pdf_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('certificate_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))

    conn = op.get_bind()
    chunks = sa.table('certificate_batch_chunks', sa.column('id', sa.Integer), sa.column('items', sa.JSON),
                      sa.column('pdf_key', sa.String), sa.column('certificate_ids', sa.JSON),
                      sa.column('pages', sa.Integer))
    insert = sa.table('certificate_batch_chunks', sa.column('batch_id', sa.Integer), sa.column('index', sa.Integer),
                      sa.column('status', sa.String), sa.column('attempts', sa.Integer))
    batches = conn.execute(sa.text("SELECT id, items, chunk_size, chunk_keys, certificate_ids, status "
                                   "FROM certificate_batches")).all()
    for batch_id, items, size, keys, ids, status in batches:
        items, keys, ids = _json(items, []), _json(keys, {}), _json(ids, {})
        rows = conn.execute(sa.text("SELECT id, \"index\" FROM certificate_batch_chunks WHERE batch_id = :b"),
                            {"b": batch_id}).all()
        if not rows and items and size:  # a batch finished before 0010 made chunk rows: its rows now
            conn.execute(insert.insert(), [
                {"batch_id": batch_id, "index": i, "attempts": 0,
                 "status": "done" if str(i) in keys else ("failed" if status == "failed" else "queued")}
                for i in range(-(-len(items) // size))])
            rows = conn.execute(sa.text("SELECT id, \"index\" FROM certificate_batch_chunks WHERE batch_id = :b"),
                                {"b": batch_id}).all()
        for chunk_id, index in rows:
            done = str(index) in keys
            own = ids.get(str(index), []) if done else None
            conn.execute(chunks.update().where(chunks.c.id == chunk_id).values(
                items=items[index * size:(index + 1) * size] if size else [],
                pdf_key=keys.get(str(index)) if done else None,
                certificate_ids=own, pages=len(own) if own is not None else None))


def downgrade():
    with op.batch_alter_table('certificate_batch_chunks', schema=None) as batch_op:
        batch_op.drop_column('pages')
        batch_op.drop_column('certificate_ids')
        batch_op.drop_column('pdf_key')
        batch_op.drop_column('items')
