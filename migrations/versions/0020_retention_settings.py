"""privacy: a fair's own (shorter) retention periods, set by an admin (issue 15)

Revision ID: 0020_retention_settings
Revises: 0019_access_consent
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0020_retention_settings'
down_revision = '0019_access_consent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_retention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["fair_id"], ["fairs.id"], name=op.f("fk_privacy_retention_fair_id_fairs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"], name=op.f("fk_privacy_retention_set_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_retention")),
        sa.UniqueConstraint("fair_id", "category", name=op.f("uq_privacy_retention_once")),
        sa.CheckConstraint("days > 0", name=op.f("ck_privacy_retention_days_positive")),
    )
    op.create_index(op.f("ix_privacy_retention_fair_id"), "privacy_retention", ["fair_id"])


def downgrade():
    op.drop_table("privacy_retention")
