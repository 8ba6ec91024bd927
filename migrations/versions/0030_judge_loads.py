"""judges' loads and nominations' judge counts kept by the database (issue 14: pages flat at 10x)

The chair's assignment page shows the fair's lowest and highest judge load, each judge's load here and
across the fair, and which nominations are still short of judges. Counted from judge_assignments, that
grew with the whole fair (national set at 10x, 11,040 assignments: 12 ms for the loads, 6 ms for the
short ones on every view). Two counters now hold them, kept by triggers on judge_assignments so that no
path (by hand, automatic, a conflict taking an assignment away, a cascade) can leave them behind:
- judge_loads: one row per (category, judge) with the fair and the number of assignments;
- nominations.judges_assigned: the number of judges assigned to the nomination.
Both are filled from the existing assignments here. An index in the page's order (a category's eligible
nominations by id) lets it read its 50 rows, short ones too, without scanning the whole table (15 ms at
10x when the planner walked the primary key).

Revision ID: 0030_judge_loads
Revises: 0029_certificate_list_index
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_judge_loads'
down_revision = '0029_certificate_list_index'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE FUNCTION judge_assignments_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE nominations SET judges_assigned = judges_assigned + 1 WHERE id = NEW.nomination_id;
        INSERT INTO judge_loads (category_id, judge_id, fair_id, assignments)
            SELECT category_id, NEW.judge_id, fair_id, 1 FROM nominations WHERE id = NEW.nomination_id
            ON CONFLICT (category_id, judge_id) DO UPDATE SET assignments = judge_loads.assignments + 1;
        RETURN NEW;
    END IF;
    UPDATE nominations SET judges_assigned = judges_assigned - 1 WHERE id = OLD.nomination_id;
    UPDATE judge_loads SET assignments = assignments - 1
        WHERE judge_id = OLD.judge_id
          AND category_id = (SELECT category_id FROM nominations WHERE id = OLD.nomination_id);
    RETURN OLD;
END
$$ LANGUAGE plpgsql
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER judge_assignments_counted AFTER INSERT ON judge_assignments BEGIN
        UPDATE nominations SET judges_assigned = judges_assigned + 1 WHERE id = NEW.nomination_id;
        INSERT INTO judge_loads (category_id, judge_id, fair_id, assignments)
            SELECT category_id, NEW.judge_id, fair_id, 1 FROM nominations WHERE id = NEW.nomination_id
            ON CONFLICT (category_id, judge_id) DO UPDATE SET assignments = assignments + 1;
    END""",
    """CREATE TRIGGER judge_assignments_uncounted AFTER DELETE ON judge_assignments BEGIN
        UPDATE nominations SET judges_assigned = judges_assigned - 1 WHERE id = OLD.nomination_id;
        UPDATE judge_loads SET assignments = assignments - 1
            WHERE judge_id = OLD.judge_id
              AND category_id = (SELECT category_id FROM nominations WHERE id = OLD.nomination_id);
    END""",
]


def upgrade():
    op.create_table(
        'judge_loads',
        sa.Column('category_id', sa.Integer(), sa.ForeignKey('award_categories.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('judge_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('fair_id', sa.Integer(), sa.ForeignKey('fairs.id', ondelete='CASCADE'), nullable=False),
        sa.Column('assignments', sa.Integer(), server_default='0', nullable=False),
    )
    op.create_index('ix_judge_loads_fair_id', 'judge_loads', ['fair_id'])
    op.add_column('nominations', sa.Column('judges_assigned', sa.Integer(), server_default='0', nullable=False))
    op.create_index('ix_nominations_category_status', 'nominations', ['category_id', 'status', 'id'])
    op.execute("UPDATE nominations SET judges_assigned = (SELECT count(*) FROM judge_assignments "
               "WHERE judge_assignments.nomination_id = nominations.id) "
               "WHERE id IN (SELECT nomination_id FROM judge_assignments)")
    op.execute("INSERT INTO judge_loads (category_id, judge_id, fair_id, assignments) "
               "SELECT n.category_id, a.judge_id, n.fair_id, count(*) FROM judge_assignments a "
               "JOIN nominations n ON n.id = a.nomination_id GROUP BY n.category_id, a.judge_id, n.fair_id")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER judge_assignments_counted AFTER INSERT OR DELETE ON judge_assignments "
                   "FOR EACH ROW EXECUTE FUNCTION judge_assignments_count()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS judge_assignments_counted ON judge_assignments")
        op.execute("DROP FUNCTION IF EXISTS judge_assignments_count()")
    else:
        op.execute("DROP TRIGGER IF EXISTS judge_assignments_counted")
        op.execute("DROP TRIGGER IF EXISTS judge_assignments_uncounted")
    op.drop_index('ix_nominations_category_status', table_name='nominations')
    op.drop_column('nominations', 'judges_assigned')
    op.drop_index('ix_judge_loads_fair_id', table_name='judge_loads')
    op.drop_table('judge_loads')
