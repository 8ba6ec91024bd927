"""print batches as jobs: one row per chunk

certificate_batch_chunks: each chunk of a print batch, run by its own job (Celery's "print" queue, or this
process), claimed under a lease so two workers share one batch and a chunk whose worker died is taken
again; certificate_batches.queue_missed_at: the job server could not take the batch's chunks (the sweep
sends them once it is back). Batches not yet done get their chunk rows here.

Revision ID: 0010_print_chunks
Revises: 0009_mail_messages
Create Date: 2026-11-30 04:00:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_print_chunks'
down_revision = '0009_mail_messages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_batch_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_certificate_batch_chunks_known_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['certificate_batches.id'], name=op.f('fk_certificate_batch_chunks_batch_id_certificate_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_batch_chunks')),
    sa.UniqueConstraint('batch_id', 'index', name=op.f('uq_certificate_batch_chunks_batch_id_index'))
    )
    with op.batch_alter_table('certificate_batch_chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_batch_chunks_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_batch_chunks_status'), ['status'], unique=False)
    with op.batch_alter_table('certificate_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_missed_at', sa.DateTime(timezone=True), nullable=True))

    # Batches not done yet: a row per chunk (finished ones done, the rest waiting for the sweep).
    conn = op.get_bind()
    chunks = sa.table('certificate_batch_chunks', sa.column('batch_id', sa.Integer), sa.column('index', sa.Integer),
                      sa.column('status', sa.String), sa.column('attempts', sa.Integer))
    rows = conn.execute(sa.text("SELECT id, items, chunk_size, chunk_keys, status FROM certificate_batches "
                                "WHERE status <> 'done'")).all()
    for batch_id, items, size, keys, status in rows:
        items = json.loads(items) if isinstance(items, str) else (items or [])
        keys = json.loads(keys) if isinstance(keys, str) else (keys or {})
        count = -(-len(items) // size) if items and size else 0
        values = [{"batch_id": batch_id, "index": i, "attempts": 0,
                   "status": "done" if str(i) in keys else ("failed" if status == "failed" else "queued")}
                  for i in range(count)]
        if values:
            conn.execute(chunks.insert(), values)


def downgrade():
    with op.batch_alter_table('certificate_batches', schema=None) as batch_op:
        batch_op.drop_column('queue_missed_at')
    with op.batch_alter_table('certificate_batch_chunks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_batch_chunks_status'))
        batch_op.drop_index(batch_op.f('ix_certificate_batch_chunks_batch_id'))
    op.drop_table('certificate_batch_chunks')
