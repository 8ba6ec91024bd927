"""booth applications: when explicit consent was given to keep the ramp need (PDPA s.26; issue 15).
Applications that already ask for a ramp have none recorded: their next edit asks for it.

Revision ID: 0019_access_consent
Revises: 0018_storage_deletions
"""
from alembic import op
import sqlalchemy as sa

from fairapp.core.time import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0019_access_consent'
down_revision = '0018_storage_deletions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("booth_applications") as batch:
        batch.add_column(sa.Column("access_consent_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("booth_applications") as batch:
        batch.drop_column("access_consent_at")
