"""indexes for the staff pages read by key (issue 14: pages flat at 10x)

The booth review queue and the check-in "missing" list are read by key (core.pagination.seek_page): a
page starts at the key of the row before it, read from an index in the list's order, so it reads about
one page of rows whatever the page and the fair's size (OFFSET read and dropped every row before it).
- booth_applications (fair_id, status, when it joined the queue, id): the queue, one status at a time,
  in its order (booths.queries._review_when: the waiting list's time, else when it was sent);
- booths (fair_id, zone, code, id, application_id): the missing list's order, and each zone's booths for
  the check-in counts (read from the index alone);
- booth_applications (fair_id, status, checked_in_at, id): the approved exhibitors, checked in or not
  (the check-in counts, from the index alone);
- booth_applications (fair_id, checked_in_at): the latest arrivals, newest first.

row_counts (PostgreSQL): how many users and organizations there are, kept by triggers (the admin home
shows them: a count(*) reads every row, 150,000 at 10x, on every view): one trigger per statement (its
transition table counted), and TRUNCATE resets. Filled from count(*) here, in the same transaction as
the triggers (which lock the tables against writes until it commits). SQLite (development) counts.

Revision ID: 0022_page_indexes
Revises: 0021_audit_personal
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0022_page_indexes'
down_revision = '0021_audit_personal'
branch_labels = None
depends_on = None

WHEN = 'coalesce(waitlisted_at, submitted_at, created_at)'
COUNTED = ('users', 'organizations')

PG_FUNCTION = """
CREATE FUNCTION row_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + (SELECT count(*) FROM changed) WHERE name = TG_TABLE_NAME;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET n = n - (SELECT count(*) FROM changed) WHERE name = TG_TABLE_NAME;
    ELSE
        UPDATE row_counts SET n = 0 WHERE name = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade():
    op.create_index('ix_booth_applications_queue', 'booth_applications',
                    ['fair_id', 'status', sa.text(WHEN), 'id'])
    op.create_index('ix_booths_fair_zone_code', 'booths', ['fair_id', 'zone', 'code', 'id', 'application_id'])
    op.create_index('ix_booth_applications_checkin', 'booth_applications',
                    ['fair_id', 'status', 'checked_in_at', 'id'])
    op.create_index('ix_booth_applications_arrivals', 'booth_applications', ['fair_id', 'checked_in_at'])
    # SQLite (development) counts instead: its count(*) reads the b-tree's pages, and a table that a batch
    # migration rebuilds would lose its triggers
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.create_table('row_counts', sa.Column('name', sa.String(40), primary_key=True),
                    sa.Column('n', sa.BigInteger(), nullable=False))
    op.execute(PG_FUNCTION)
    for table in COUNTED:
        for kind, event, changed in (('in', 'INSERT', 'REFERENCING NEW TABLE AS changed '),
                                     ('out', 'DELETE', 'REFERENCING OLD TABLE AS changed '),
                                     ('reset', 'TRUNCATE', '')):
            op.execute(f'CREATE TRIGGER {table}_counted_{kind} AFTER {event} ON {table} {changed}'
                       f'FOR EACH STATEMENT EXECUTE FUNCTION row_counts_keep()')
        op.execute(f"INSERT INTO row_counts (name, n) SELECT '{table}', count(*) FROM {table}")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in COUNTED:
            for kind in ('in', 'out', 'reset'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_counted_{kind} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS row_counts_keep()')
        op.drop_table('row_counts')
    op.drop_index('ix_booth_applications_arrivals', table_name='booth_applications')
    op.drop_index('ix_booth_applications_checkin', table_name='booth_applications')
    op.drop_index('ix_booths_fair_zone_code', table_name='booths')
    op.drop_index('ix_booth_applications_queue', table_name='booth_applications')
