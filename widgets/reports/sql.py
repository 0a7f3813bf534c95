"""A small SQL helper shared by the reports modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert_new(conn: Connection, table: sa.Table, values: Mapping[str, Any]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING <key>``: whether a row was inserted.

    ``RETURNING`` rather than ``rowcount``, which SQLAlchemy 2.1 reports as -1 for an INSERT
    on psycopg (so a rowcount test says "not inserted" on PostgreSQL).
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    key = next(iter(table.primary_key.columns))
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return conn.execute(stmt).first() is not None
