"""session versions and ended sessions

users.session_version (a password reset, "sign out everywhere") and ended_sessions (a logout).

Revision ID: 0006_session_version
Revises: 0005_certificates
Create Date: 2026-11-30 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_session_version'
down_revision = '0005_certificates'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing user starts at 0, the version a session made before this migration (its identity is
    # the bare user id) is read as: those sessions hold until the version first moves.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    op.create_table('ended_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ended_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ended_sessions'))
    )
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_sessions_nonce'), ['nonce'], unique=False)
        batch_op.create_index(batch_op.f('ix_ended_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_ended_sessions_nonce'))

    op.drop_table('ended_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
