"""awardee pages (issue 16): what the nominator lets the fair publish if the nomination is awarded:
nominations.public_sections (the narrative sections, a JSON list) and nomination_evidence.public (a photo).
Nothing is published until the nominator ticks it.

Revision ID: 0026_awardee_story
Revises: 0027_join_requests
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0026_awardee_story'
down_revision = '0027_join_requests'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('nominations') as batch_op:
        batch_op.add_column(sa.Column('public_sections', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('nomination_evidence') as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('nomination_evidence') as batch_op:
        batch_op.drop_column('public')
    with op.batch_alter_table('nominations') as batch_op:
        batch_op.drop_column('public_sections')
