"""Dialect-aware bulk upsert (SQLite and PostgreSQL both speak INSERT … ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite


def existing_keys(conn: Connection, table: Table, key: str, values: Sequence[Any]) -> set[Any]:
    if not values:
        return set()
    col = table.c[key]
    return set(conn.execute(select(col).where(col.in_(values))).scalars())


def upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], key: str, update: Sequence[str]
) -> None:
    """Insert rows; where `key` already exists, overwrite only the `update` columns.

    Rows must have unique keys within one call (PostgreSQL refuses to touch a row twice in
    one statement).
    """
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported engines
        raise RuntimeError(f"unsupported database dialect: {dialect}")
    stmt = stmt.on_conflict_do_update(
        index_elements=[key], set_={c: stmt.excluded[c] for c in update}
    )
    conn.execute(stmt, rows)
