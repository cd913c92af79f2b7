"""`Idempotency-Key` for POSTs: a retry with the same key and body gets the first answer again; the
same key with a different body is a 422. The key row is written in the same transaction as the
resource, so a crash cannot leave one without the other."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.columns import UtcDateTime
from yizhou.errors import ApplicationError, register_problem

idempotency_metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    idempotency_metadata,
    Column("caller", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

KEY_REUSED = register_problem("idempotency-key-reused", 422, "The Idempotency-Key was used with a different request")


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def replayed(session: AsyncSession, caller: str, key: str, body_hash: str) -> tuple[int, Any] | None:
    """The stored answer for a retry, or None for a first request."""
    row = (await session.execute(select(idempotency_keys).where(
        idempotency_keys.c.caller == caller, idempotency_keys.c.key == key))).first()
    if row is None:
        return None
    if row.request_hash != body_hash:
        raise ApplicationError.of(KEY_REUSED, f"Idempotency-Key '{key}' was already used with a different body.")
    return row.status_code, row.response


async def remember(session: AsyncSession, caller: str, key: str, body_hash: str, status_code: int, response: Any) -> None:
    await session.execute(idempotency_keys.insert().values(
        caller=caller, key=key, request_hash=body_hash, status_code=status_code, response=response,
        created_at=datetime.now(UTC)))
