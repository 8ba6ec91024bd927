"""clean text stored before the forms refused control characters

Control characters (C0/C1, DEL) and bidi overrides/isolates (U+202A-U+202E, U+2066-U+2069) are dropped
from every text column and every string inside JSON columns; line breaks in one-line (VARCHAR) columns
become a space. The rule is fairapp.core.text's, copied here so this migration never changes with the app.
The audit log is left as it is: it is the record of what was typed then, chained by hash.

Revision ID: 0008_clean_text
Revises: 0007_hardening
Create Date: 2026-11-30 02:40:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_clean_text'
down_revision = '0007_hardening'
branch_labels = None
depends_on = None

NEVER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]")
SKIP = {"audit_log", "alembic_version", "rate_limits", "ended_sessions"}


def _clean(value, one_line):
    if isinstance(value, str):
        value = NEVER.sub("", value)
        return re.sub(r"[\r\n\u2028\u2029]+", " ", value) if one_line else value
    if isinstance(value, dict):
        return {k: _clean(v, False) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, False) for v in value]
    return value


def upgrade():
    bind = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(bind=bind)
    for table in meta.sorted_tables:
        key = list(table.primary_key.columns)
        if table.name in SKIP or len(key) != 1:
            continue
        texts = [c for c in table.columns
                 if isinstance(c.type, (sa.String, sa.Text, sa.JSON)) and not c.primary_key]
        if not texts:
            continue
        pk = key[0]
        rows = bind.execute(sa.select(pk, *texts)).mappings()
        changes = []
        for row in rows:
            new = {}
            for c in texts:
                value = row[c.name]
                one_line = isinstance(c.type, sa.String) and not isinstance(c.type, sa.Text) \
                    and getattr(c.type, "length", None) is not None
                cleaned = _clean(value, one_line)
                if cleaned != value:
                    new[c.name] = cleaned
            if new:
                changes.append((row[pk.name], new))
        for ident, new in changes:
            bind.execute(table.update().where(pk == ident).values(**new))


def downgrade():
    pass  # what was dropped was never meant to be there
