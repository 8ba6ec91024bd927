"""judge invitations (issue 16): judge_invitations, the chair's invitations to judge a fair sent to people
with no account yet (token stored hashed; accepted, cancelled or expired once).

Revision ID: 0028_judge_invitations
Revises: 0025_stage
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0028_judge_invitations'
down_revision = '0025_stage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'judge_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('affiliation_org_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_judge_invitations_fair_id_fairs'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'],
                                name=op.f('fk_judge_invitations_invited_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['affiliation_org_id'], ['organizations.id'],
                                name=op.f('fk_judge_invitations_affiliation_org_id_organizations'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_judge_invitations_token_hash')),
    )
    with op.batch_alter_table('judge_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_invitations_fair_id'), ['fair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judge_invitations_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('judge_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_invitations_email'))
        batch_op.drop_index(batch_op.f('ix_judge_invitations_fair_id'))
    op.drop_table('judge_invitations')
