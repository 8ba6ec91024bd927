"""privacy: the DPO role, the breach register and people's requests (issue 15)

Revision ID: 0015_privacy
Revises: 0012_chunk_rows
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0015_privacy'
down_revision = '0012_chunk_rows'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("is_dpo", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "privacy_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("people_affected", sa.Integer(), nullable=True),
        sa.Column("risk", sa.String(10), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("office_notified_at", UTCDateTime(), nullable=True),
        sa.Column("people_notified_at", UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_privacy_breaches_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_breaches")),
        sa.CheckConstraint("risk IN ('unlikely', 'risk', 'high')", name=op.f("ck_privacy_breaches_risk_known")),
        sa.CheckConstraint("people_affected IS NULL OR people_affected >= 0",
                           name=op.f("ck_privacy_breaches_people_count")),
    )


    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(300), nullable=False),
        sa.Column("subject_contact", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["subject_user_id"], ["users.id"], name=op.f("fk_privacy_requests_subject_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["entered_by_id"], ["users.id"], name=op.f("fk_privacy_requests_entered_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_privacy_requests_decided_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        sa.CheckConstraint("status IN ('open', 'granted', 'partly', 'refused')",
                           name=op.f("ck_privacy_requests_status_known")),
    )
    op.create_index(op.f("ix_privacy_requests_subject_user_id"), "privacy_requests", ["subject_user_id"])
    op.create_index(op.f("ix_privacy_requests_status"), "privacy_requests", ["status"])


def downgrade():
    op.drop_table("privacy_requests")
    op.drop_table("privacy_breaches")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_dpo")
