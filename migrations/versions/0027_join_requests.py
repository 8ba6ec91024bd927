"""join requests (issue 16): organizations.name_key (the Thai name spelled one way: abbreviations written
out, no spaces or tone marks; filled here for the organizations already registered) and join_requests (a
person asks to join an organization found at sign-up; its managers accept or refuse; one pending request
per person and organization)

Revision ID: 0027_join_requests
Revises: 0028_judge_invitations
"""
from alembic import op
import sqlalchemy as sa

from fairapp.accounts.models import org_name_key

# revision identifiers, used by Alembic.
revision = '0027_join_requests'
down_revision = '0028_judge_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=400), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_organizations_name_key'), ['name_key'], unique=False)
    conn = op.get_bind()
    organizations = sa.table('organizations', sa.column('id', sa.Integer), sa.column('name_th', sa.String),
                             sa.column('name_key', sa.String))
    rows = conn.execute(sa.select(organizations.c.id, organizations.c.name_th)).all()
    for org_id, name_th in rows:
        conn.execute(organizations.update().where(organizations.c.id == org_id)
                     .values(name_key=org_name_key(name_th)))

    op.create_table(
        'join_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('pending', 'accepted', 'refused')",
                           name=op.f('ck_join_requests_known_state')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_join_requests_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_join_requests_organization_id_organizations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_join_requests_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests')),
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_join_requests_pending', ['organization_id', 'user_id'], unique=True,
                              sqlite_where=sa.text("state = 'pending'"),
                              postgresql_where=sa.text("state = 'pending'"))


def downgrade():
    op.drop_table('join_requests')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_name_key'))
        batch_op.drop_column('name_key')
