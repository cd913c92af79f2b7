"""Inserts a unit of work holds until it commits, then writes together with its outbox rows.

A demand submit adds rows to four tables (the demand, its deadline clocks, its history line, the
outbox); one statement each cost the request path a round trip each, most of its time on PostgreSQL.
There the held inserts go out as one statement, all but the last as data-modifying CTEs
(`WITH w0 AS (INSERT ...), w1 AS (INSERT ...) INSERT ...`): one round trip, one plan, and the foreign
keys still hold (PostgreSQL checks them at the end of the statement). SQLite has no data-modifying
CTEs; there they go out one table after another, back to back at commit, which is also where SQLite
wants them (its write lock is held from the first insert to the commit).

The rows are invisible to the transaction's own reads until they are written: hold only rows the
unit of work does not read back (or `flush` it first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, insert, text
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.ext.asyncio import AsyncSession

# Where a unit of work leaves its pending inserts on its session (a session outside one has none).
SESSION_KEY = "yizhou.pending_inserts"

# Bind parameters per statement: PostgreSQL's protocol allows 65,535; larger batches (bulk paths have
# their own multi-row writes) go out a table at a time.
MAX_PARAMETERS = 20_000

# The SQL is rendered once with `:name` parameters (the base dialect adds casts only where a type needs
# one); the engine's own dialect binds them at execution.
_NAMED_PARAMETERS = PGDialect(paramstyle="named")


@dataclass
class _Rows:
    table: Table
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


class PendingInserts:
    def __init__(self) -> None:
        self._batches: list[_Rows] = []

    def __bool__(self) -> bool:
        return bool(self._batches)

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Rows of one table, all with the same columns; kept in order (a row after the rows it refers to)."""
        defaults = _scalar_defaults(table)
        for row in rows:
            if defaults:  # as the table's own insert would fill them; the combined statement has no defaults
                row = {**{name: value for name, value in defaults.items() if name not in row}, **row}
            columns = tuple(row)
            last = self._batches[-1] if self._batches else None
            if last is None or last.table is not table or last.columns != columns:
                last = _Rows(table, columns)
                self._batches.append(last)
            last.rows.append(row)

    async def write(self, session: AsyncSession) -> None:
        batches, self._batches = self._batches, []
        if not batches:
            return
        parameters = sum(len(b.columns) * len(b.rows) for b in batches)
        if len(batches) > 1 and session.bind.dialect.name == "postgresql" and parameters <= MAX_PARAMETERS \
                and all(_computed_defaults(b.table).issubset(b.columns) for b in batches):
            shape = tuple((b.table, b.columns, len(b.rows)) for b in batches)
            values = {f"w{i}_{r}_{name}": value
                      for i, b in enumerate(batches) for r, row in enumerate(b.rows) for name, value in row.items()}
            await session.execute(one_statement(shape), values)
            return
        for b in batches:
            await session.execute(b.table.insert(), b.rows if len(b.rows) > 1 else b.rows[0])


@lru_cache(maxsize=None)
def _scalar_defaults(table: Table) -> dict[str, Any]:
    return {c.name: c.default.arg for c in table.columns if c.default is not None and c.default.is_scalar}


@lru_cache(maxsize=None)
def _computed_defaults(table: Table) -> frozenset[str]:
    """Columns whose default Python computes per row (a callable): rows without them go out table by table."""
    return frozenset(c.name for c in table.columns if c.default is not None and not c.default.is_scalar)


@lru_cache(maxsize=256)
def one_statement(shape: tuple[tuple[Table, tuple[str, ...], int], ...]) -> TextClause:
    """The batches of `shape` as one INSERT with the others as CTEs, built and compiled once per shape (a
    submit is always the same shape), so a call only binds values. SQLAlchemy would compile a Core
    construct of this kind on every execution (a multi-row VALUES insert has no cache key: a third of a
    submit's time), so it is kept as text, with typed parameters: `w{i}_{r}_{column}` is row r of batch i, of the
    column's type, so the columns' own conversions (UTC times, JSON) still apply."""
    inserts, parameters = [], []
    for i, (table, columns, count) in enumerate(shape):
        rows = []
        for r in range(count):
            row = {name: bindparam(f"w{i}_{r}_{name}", type_=table.c[name].type) for name in columns}
            parameters += row.values()
            rows.append(row)
        inserts.append(insert(table).values(rows))
    *ahead, last = inserts
    statement = last.add_cte(*(ahead_insert.cte(f"w{i}") for i, ahead_insert in enumerate(ahead)))
    compiled = statement.compile(dialect=_NAMED_PARAMETERS)
    unknown = set(compiled.params) - {p.key for p in parameters}
    if unknown:  # a column default the statement would compute: rows must carry every such column
        raise ValueError(f"held rows lack columns with defaults: {sorted(unknown)}")
    # `:name::JSON` (a cast the dialect keeps) would not parse as a parameter in text; `:name ::JSON` does.
    return text(re.sub(r"(:w\d+_\d+_\w+)::", r"\1 ::", str(compiled))).bindparams(*parameters)


async def insert_at_commit(session: AsyncSession, table: Table, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    """Inserts `rows` when the session's unit of work commits (see the module's note), or now when the
    session belongs to no unit of work (a consumer's handler, a read session)."""
    rows = [rows] if isinstance(rows, dict) else rows
    if not rows:
        return
    pending: PendingInserts | None = session.info.get(SESSION_KEY)
    if pending is None:
        await session.execute(table.insert(), rows if len(rows) > 1 else rows[0])
    else:
        pending.add(table, rows)
