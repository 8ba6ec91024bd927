"""Request limits kept in the database, so every server process counts against one limit.

The table only for now; the storage that uses it is built with issue 12.7.
"""
from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from ..extensions import db

rate_limits = Table(
    "rate_limits", db.metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
