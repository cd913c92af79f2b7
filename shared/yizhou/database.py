"""Async SQLAlchemy engine and the unit of work: one transaction per use case, outbox included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from yizhou.events import EventData
from yizhou.messaging_tables import outbox
from yizhou.partner import partner_views
from yizhou.pending_inserts import SESSION_KEY as PENDING_INSERTS
from yizhou.pending_inserts import PendingInserts


def make_engine(url: str, pool_timeout_s: float = 5.0, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets the relay read while the API writes
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # in WAL: durable across process crashes, fsync at checkpoints
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.close()

        return engine
    # A down database must answer fast (503), not hang the request: bounded connect and pool waits.
    # No pre-ping: it cost a round trip on every checkout (a fifth of a demand submit's throughput).
    # Stale connections after a server restart are handled optimistically instead: the first statement
    # on one fails as a disconnect (503, `database_unavailable`), SQLAlchemy then drops the whole pool,
    # and the next checkouts connect afresh.
    # A fixed pool, no overflow: overflow connections are closed as soon as they come back, so bursts
    # kept opening and closing connections (authentication on both sides, ~80 sessions in 15 s of load
    # instead of 10), which slowed the process exactly when it was busiest. A request beyond the pool
    # waits for a connection (at most pool_timeout_s, then 503).
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=False,
        connect_args={"timeout": pool_timeout_s, "command_timeout": 30},
    )


# SQLSTATE classes that mean "the server is not there right now", not "this statement is wrong":
# 08 connection exceptions, 57P01-57P03 shutdown / crash / starting up, 53300 too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unavailable(exc: BaseException) -> bool:
    """True when a database error says the server is down, restarting or full: retry later, 503."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


class Database:
    def __init__(self, url: str, pool_timeout_s: float = 5.0, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_timeout_s, pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.on_commit: list[Callable[[], None]] = []

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def outbox_rows(data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> list[dict[str, Any]]:
    """An event's outbox row, and those of its partner-facing views (see yizhou.partner): what every
    recorder writes, so the inside and the partner topics cannot drift apart."""
    row = data.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id, source=source)
    return [row, *(view.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id, source=source)
                   for view in partner_views(data.event_type, row["data"]))]


class SessionWork:
    """Records events into the outbox of a session someone else commits (a consumer's handler: its
    inbox claim, its changes and these rows are one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: list[dict[str, Any]] = []

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None:
        self._rows += outbox_rows(data, aggregate_id=aggregate_id, subject=subject, source=source)

    async def flush(self) -> None:
        if self._rows:
            await self.session.execute(outbox.insert(), self._rows)
            self._rows = []


class UnitOfWork:
    """`async with db.unit_of_work() as uow:` ... `await uow.commit()`; leaving without commit rolls back.

    Events recorded with `uow.record(...)` are written to the outbox in the same transaction as the
    state change, so a commit makes both durable together and a rollback drops both. Rows given to
    `insert_at_commit` on its session are written at commit too, with the outbox rows (one statement
    on PostgreSQL: see yizhou.pending_inserts).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self.session: AsyncSession
        self._outbox_rows: list[dict[str, Any]] = []
        self._pending = PendingInserts()

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._db.sessions()
        self.session.info[PENDING_INSERTS] = self._pending
        await self.session.begin()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None:
        self._outbox_rows += outbox_rows(data, aggregate_id=aggregate_id, subject=subject, source=source)

    async def flush(self) -> None:
        """The ORM's pending objects, then the rows held for commit: after this, reads see them all."""
        session = self.session
        if session.new or session.dirty or session.deleted:  # (an empty flush is not free on the hot path)
            await session.flush()
        await self._pending.write(session)

    async def commit(self) -> None:
        recorded = bool(self._outbox_rows)
        if recorded:
            self._pending.add(outbox, self._outbox_rows)
            self._outbox_rows = []
        # ORM objects first: a held row may refer to one (a deadline clock to its dispatch).
        await self.flush()
        await self.session.commit()
        if recorded:  # wake the relay now rather than at its next poll
            for wake in self._db.on_commit:
                wake()
