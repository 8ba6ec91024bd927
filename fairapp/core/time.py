"""Times are stored in UTC and shown in Asia/Bangkok; dates of fairs and windows are local dates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

BANGKOK = ZoneInfo("Asia/Bangkok")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def today_local() -> date:
    """Today's date in Thailand (a window that closes 'on the 30th' closes at midnight in Bangkok)."""
    return datetime.now(BANGKOK).date()


def to_local(value: datetime) -> datetime:
    """An aware or naive-UTC datetime converted to Bangkok time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BANGKOK)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime on every backend: stored as UTC, read back aware.

    SQLite has no time zones; PostgreSQL's timestamptz has. Either way the app sees aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
