"""privacy: which version of a notice at collection each person saw, at which form, and when (issue 15)

Revision ID: 0016_notice_receipts
Revises: 0015_privacy
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0016_notice_receipts'
down_revision = '0015_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_notice_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(40), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_notice_receipts_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notice_receipts")),
        sa.UniqueConstraint("user_id", "version", "form", name=op.f("uq_privacy_notice_receipts_once")),
    )
    op.create_index(op.f("ix_privacy_notice_receipts_user_id"), "privacy_notice_receipts", ["user_id"])


def downgrade():
    op.drop_table("privacy_notice_receipts")
