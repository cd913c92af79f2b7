"""Queries over posts and claims."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.claim import HOLDING, ClaimState
from dual_registration.store.tables import claims, posts, registrations


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(posts.insert().values(**values))

    async def get(self, post_id: str, *, for_update: bool = False):
        query = select(posts).where(posts.c.id == post_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def close(self, post_id: str) -> None:
        await self.session.execute(update(posts).where(posts.c.id == post_id).values(open=False))

    async def list(self, *, scope_path: str, community_code: str | None, kind: str | None, open_: bool | None,
                   after: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(posts).where(posts.c.community_path.startswith(scope_path, autoescape=True))
        if community_code is not None:
            query = query.where(posts.c.community_code == community_code)
        if kind is not None:
            query = query.where(posts.c.kind == kind)
        if open_ is not None:
            query = query.where(posts.c.open.is_(open_))
        if after is not None:
            query = query.where(posts.c.id > after)
        rows = (await self.session.execute(query.order_by(posts.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(claims.insert().values(**values))

    async def get(self, claim_id: str):
        return (await self.session.execute(select(claims).where(claims.c.id == claim_id))).first()

    async def set_state(self, claim_id: str, state: ClaimState, by: str, now, note: str | None = None) -> None:
        values: dict[str, Any] = {"state": state.value, "updated_by": by, "updated_at": now}
        if note is not None:
            values["note"] = note
        await self.session.execute(update(claims).where(claims.c.id == claim_id).values(**values))

    async def holding_by(self, claimant_kind: str, claimant_id: str, target_kind: str, target_id: str) -> int:
        return (await self.session.execute(select(func.count()).where(
            claims.c.claimant_kind == claimant_kind, claims.c.claimant_id == claimant_id,
            claims.c.target_kind == target_kind, claims.c.target_id == target_id,
            claims.c.state.in_([s.value for s in HOLDING])))).scalar_one()

    async def approved_on(self, target_kind: str, target_id: str) -> int:
        return (await self.session.execute(select(func.count()).where(
            claims.c.target_kind == target_kind, claims.c.target_id == target_id,
            claims.c.state == ClaimState.APPROVED.value))).scalar_one()

    async def approved_counts(self, target_kind: str, target_ids: list[str]) -> dict[str, int]:
        if not target_ids:
            return {}
        rows = (await self.session.execute(
            select(claims.c.target_id, func.count()).where(
                claims.c.target_kind == target_kind, claims.c.target_id.in_(target_ids),
                claims.c.state == ClaimState.APPROVED.value).group_by(claims.c.target_id))).all()
        return {target_id: count for target_id, count in rows}

    async def approved_of_registration(self, registration_id: str, target_kind: str, target_id: str):
        """The registration's approved claim on a target, if any (at most one: uq_claims_one_holding)."""
        return (await self.session.execute(select(claims).where(
            claims.c.registration_id == registration_id, claims.c.target_kind == target_kind,
            claims.c.target_id == target_id, claims.c.state == ClaimState.APPROVED.value))).first()

    async def holding_of_registration(self, registration_id: str) -> list:
        return (await self.session.execute(select(claims).where(
            claims.c.registration_id == registration_id, claims.c.state.in_([s.value for s in HOLDING])))).all()

    async def list(self, *, scope_path: str, claimant_kind: str | None, claimant_id: str | None,
                   organization_id: str | None, target_kind: str | None, target_id: str | None, state: str | None,
                   after: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(claims).where(claims.c.community_path.startswith(scope_path, autoescape=True))
        for column, value in (("claimant_kind", claimant_kind), ("claimant_id", claimant_id),
                              ("target_kind", target_kind), ("target_id", target_id), ("state", state)):
            if value is not None:
                query = query.where(claims.c[column] == value)
        if organization_id is not None:
            query = query.join(registrations, registrations.c.id == claims.c.registration_id).where(
                registrations.c.organization_id == organization_id)
        if after is not None:
            query = query.where(claims.c.id > after)
        rows = (await self.session.execute(query.order_by(claims.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]
