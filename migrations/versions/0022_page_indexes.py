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
COUNTED = ('users', 'organizations')  # an earlier draft of this migration kept their counts by triggers


def upgrade():
    op.create_index('ix_booth_applications_queue', 'booth_applications',
                    ['fair_id', 'status', sa.text(WHEN), 'id'])
    op.create_index('ix_booths_fair_zone_code', 'booths', ['fair_id', 'zone', 'code', 'id', 'application_id'])
    op.create_index('ix_booth_applications_checkin', 'booth_applications',
                    ['fair_id', 'status', 'checked_in_at', 'id'])
    op.create_index('ix_booth_applications_arrivals', 'booth_applications', ['fair_id', 'checked_in_at'])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':  # what the earlier draft made, where it ran
        for table in COUNTED:
            for kind in ('in', 'out', 'reset'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_counted_{kind} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS row_counts_keep()')
        op.execute('DROP TABLE IF EXISTS row_counts')
    op.drop_index('ix_booth_applications_arrivals', table_name='booth_applications')
    op.drop_index('ix_booth_applications_checkin', table_name='booth_applications')
    op.drop_index('ix_booths_fair_zone_code', table_name='booths')
    op.drop_index('ix_booth_applications_queue', table_name='booth_applications')
