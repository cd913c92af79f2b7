"""Revoking tokens: a district admin names a token by its id (`jti`); `token.revoked` carries it to
every service, whose APIs refuse the token within seconds (yizhou.revocations)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from org_registry.use_cases.publishing import record
from yizhou.auth import AreaScope, Role, require_role
from yizhou.clock import Clock
from yizhou.contracts.tokens import TokenRevoked
from yizhou.database import Database
from yizhou.errors import Invalid
from yizhou.revocations import revoked_tokens

REVOKERS = frozenset({Role.DISTRICT_ADMIN})


async def revoke(db: Database, scope: AreaScope, clock: Clock, max_ttl_s: int, jti: str,
                 expires_at: datetime | None) -> TokenRevoked:
    """No token outlives the platform's longest lifetime, so neither need its revocation: kept until
    `expires_at` (the token's own `exp`, if the caller knows it), at most that long from now."""
    require_role(scope, REVOKERS, "revoke tokens")
    now = clock.now()
    longest = now + timedelta(seconds=max_ttl_s)
    if expires_at is not None and expires_at <= now:
        raise Invalid("expires_at lies in the past: the token has expired already.",
                      errors=[{"field": "expires_at", "location": "body", "message": "in the past"}])
    event = TokenRevoked(jti=jti, expires_at=min(expires_at or longest, longest), revoked_at=now)
    async with db.unit_of_work() as uow:
        record(uow, event, jti)
        await uow.commit()
    return event


async def revoked(db: Database, scope: AreaScope, clock: Clock) -> list[dict]:
    """The revocations in force, as this service's own copy of the list has them."""
    require_role(scope, REVOKERS, "list revoked tokens")
    async with db.sessions() as session:
        rows = await session.execute(select(revoked_tokens).where(revoked_tokens.c.expires_at > clock.now())
                                     .order_by(revoked_tokens.c.revoked_at.desc()).limit(1000))
        return [dict(row._mapping) for row in rows]
