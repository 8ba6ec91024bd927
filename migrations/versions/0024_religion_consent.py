"""explicit consent (PDPA s.26) for a monastic title, which tells of religious belief: users.religion_consent_at
(sign-up, joining), booth_applications.religion_consent_at (one of its people's titles) (issue 15).
Existing monastic titles have none recorded (consent is never presumed): the DPO's page counts them, and a
booth's next edit asks for it.

Revision ID: 0024_religion_consent
Revises: 0023_erasure
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0024_religion_consent'
down_revision = '0023_erasure'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite >= 3.35 drops a column itself): a batch copy of booth_applications would not
# carry its expression index (0022) over.
def upgrade():
    op.add_column('users', sa.Column('religion_consent_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('booth_applications', sa.Column('religion_consent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('booth_applications', 'religion_consent_at')
    op.drop_column('users', 'religion_consent_at')
