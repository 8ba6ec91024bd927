"""indexes for the staff lists cut in pages (issue 14)

The lists are ordered and cut by the database (core.pagination): organizations and users in Thai
dictionary order (PostgreSQL: ICU's th collation, as core.pagination.thai_order asks for it), so a page
is read from an index instead of sorting every row; booth applications and nominations by fair and status
(the review lists' counts per status and their status filter). SQLite keeps its plain indexes (its `thai`
collation is registered by the app on each connection, and an index using it could not be read without).

Revision ID: 0013_list_indexes
Revises: 0011_audit_chains
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_list_indexes'
down_revision = '0011_audit_chains'
branch_labels = None
depends_on = None

THAI = '"th-TH-x-icu"'


def upgrade():
    op.create_index('ix_booth_applications_fair_status', 'booth_applications', ['fair_id', 'status'])
    op.create_index('ix_nominations_fair_status', 'nominations', ['fair_id', 'status'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE INDEX ix_organizations_name_thai ON organizations (name_th COLLATE {THAI}, id)')
        op.execute(f'CREATE INDEX ix_users_first_name_thai ON users (first_name COLLATE {THAI}, id)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_users_first_name_thai')
        op.execute('DROP INDEX ix_organizations_name_thai')
    op.drop_index('ix_nominations_fair_status', table_name='nominations')
    op.drop_index('ix_booth_applications_fair_status', table_name='booth_applications')
