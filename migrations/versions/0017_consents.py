"""privacy: consent given and withdrawn for optional purposes, as a history (issue 15)

Revision ID: 0017_consents
Revises: 0016_notice_receipts
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0017_consents'
down_revision = '0016_notice_receipts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_consents_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
    )
    op.create_index(op.f("ix_privacy_consents_user_id"), "privacy_consents", ["user_id"])


def downgrade():
    op.drop_table("privacy_consents")
