"""erasure (PDPA s.33; issue 15): users.erased_at (the account was pseudonymized at the person's
request); certificates.holder_withheld_at (the holder's name withheld at their request: the certificate
and its public check stay, without the name)

Revision ID: 0023_erasure
Revises: 0022_page_indexes
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0023_erasure'
down_revision = '0022_page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_withheld_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('holder_withheld_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
