"""files deleted durably: storage_deletions names each file to delete in the unit of work that deletes its
row; a job deletes them after the commit, a sweep retries what the store refused (issue 15)

Revision ID: 0018_storage_deletions
Revises: 0017_consents
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0018_storage_deletions'
down_revision = '0017_consents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "storage_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_deletions")),
    )
    op.create_index(op.f("ix_storage_deletions_requested_at"), "storage_deletions", ["requested_at"])


def downgrade():
    op.drop_table("storage_deletions")
