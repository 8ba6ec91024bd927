"""stage mode (issue 16): stage_positions, the slide each fair's awards stage shows (0: the cover), one row
per fair, shared by every app server.

Revision ID: 0025_stage
Revises: 0024_religion_consent
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0025_stage'
down_revision = '0024_religion_consent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stage_positions',
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('index', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_stage_positions_fair_id_fairs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('fair_id', name=op.f('pk_stage_positions')),
    )


def downgrade():
    op.drop_table('stage_positions')
