"""Revoked tokens. A district admin revokes a token by its id (`jti`) at org-registry, which publishes
`token.revoked`; every service keeps the list in its own database (`revoked_tokens`, filled by its
consumer) and each process reads it again every few seconds, so a revoked token is refused by every
API within seconds, wherever it is sent. Entries end when the token would have expired anyway."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.bulk import upsert_many
from yizhou.columns import UtcDateTime
from yizhou.consumer import Subscription
from yizhou.contracts.tokens import TOKENS_TOPIC, TokenRevoked
from yizhou.database import Database
from yizhou.envelope import ReceivedEvent

log = logging.getLogger(__name__)

revocations_metadata = MetaData()

revoked_tokens = Table(
    "revoked_tokens", revocations_metadata,
    Column("jti", String(100), primary_key=True),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=False),
)

REFRESH_S = 2.0


async def on_token_revoked(session: AsyncSession, event: ReceivedEvent) -> None:
    data = TokenRevoked.model_validate(event.data)
    await upsert_many(session, revoked_tokens, [{"jti": data.jti, "expires_at": data.expires_at,
                                                 "revoked_at": data.revoked_at}], ["jti"])


REVOCATION_SUBSCRIPTIONS = [Subscription(TOKENS_TOPIC, TokenRevoked.event_type, on_token_revoked)]


class RevocationList:
    """The revoked token ids of one process, read again from the database at most every REFRESH_S
    (one small query per process and period, not one per request)."""

    def __init__(self, db: Database, refresh_s: float = REFRESH_S) -> None:
        self._db = db
        self._refresh_s = refresh_s
        self._ids: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def is_revoked(self, jti: str) -> bool:
        if time.monotonic() - self._read_at >= self._refresh_s:
            await self._refresh()
        return jti in self._ids

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < self._refresh_s:
                return  # another request read it meanwhile
            try:
                async with self._db.sessions() as session:
                    rows = await session.execute(select(revoked_tokens.c.jti)
                                                 .where(revoked_tokens.c.expires_at > datetime.now(UTC)))
                    self._ids = frozenset(rows.scalars())
            except Exception as exc:  # the database is away: keep the last list, the request fails on its own
                log.warning("revoked tokens not read (%s: %s); keeping the last list", type(exc).__name__, exc)
            self._read_at = time.monotonic()
