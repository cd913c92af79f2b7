"""Writing many rows in one statement, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Float, Integer, Table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator


def _array_type(table: Table, name: str) -> str:
    kind = table.c[name].type
    kind = kind.impl if isinstance(kind, TypeDecorator) else kind
    for sql_type, array in ((Boolean, "boolean"), (Integer, "bigint"), (Float, "double precision"),
                            (DateTime, "timestamptz")):
        if isinstance(kind, sql_type):
            return array
    return "text"


async def upsert_many(session: AsyncSession, table: Table, rows: list[dict], key: list[str], *,
                      add: bool = False) -> None:
    """Inserts `rows` (all with the same columns), or where a row with the same `key` exists, sets its
    other columns to the new values (`add`: adds them to the old ones). Rows are written in the order
    given (sort them to take row locks in one order). On PostgreSQL the values travel as one array
    per column (`unnest`), which spares the client a bind parameter per value, most of the cost of a
    large write; on SQLite it is an executemany."""
    if not rows:
        return
    columns = list(rows[0])
    others = [name for name in columns if name not in key]
    if session.bind.dialect.name == "postgresql":
        arrays = ", ".join(f"CAST(:{name} AS {_array_type(table, name)}[])" for name in columns)
        assign = ", ".join(f'"{name}" = {table.name}."{name}" + EXCLUDED."{name}"' if add else f'"{name}" = EXCLUDED."{name}"'
                           for name in others)
        statement = text(f'INSERT INTO {table.name} ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
                         f"SELECT * FROM unnest({arrays}) "
                         f'ON CONFLICT ({", ".join(key)}) DO UPDATE SET {assign}')
        await session.execute(statement, {name: [row[name] for row in rows] for name in columns})
        return
    insert = sqlite.insert(table)
    await session.execute(insert.on_conflict_do_update(
        index_elements=key,
        set_={name: (table.c[name] + insert.excluded[name]) if add else insert.excluded[name] for name in others}), rows)
