"""Queries over coordination bodies (and their member units) and consultation platforms (and representatives)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.coordination import BodyKind, CoordinationBody, Sector
from org_registry.store.keyset import after as after_cursor
from org_registry.store.tables import (
    AreaRow,
    body_member_units,
    consultation_platforms,
    coordination_bodies,
    part_time_members,
    platform_representatives,
)


@dataclass(frozen=True)
class BodyView:
    body: CoordinationBody
    area_path: str


@dataclass(frozen=True)
class Representative:
    id: str
    sector: Sector
    name: str
    phone: str | None
    unit_id: str | None
    member_id: str | None


@dataclass(frozen=True)
class PlatformView:
    id: str
    name: str
    area_code: str
    area_path: str
    topics: list[str]
    representatives: list[Representative]


class CoordinationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_body(self, body: CoordinationBody, now: datetime) -> None:
        await self.session.execute(coordination_bodies.insert().values(
            id=body.id, kind=body.kind.value, name=body.name, area_code=body.area_code, chair_unit_id=body.chair_unit_id,
            chair_since=body.chair_since, term_months=body.term_months, created_at=now, updated_at=now))
        await self._write_units(body)

    async def save_body(self, body: CoordinationBody, now: datetime) -> None:
        await self.session.execute(update(coordination_bodies).where(coordination_bodies.c.id == body.id).values(
            name=body.name, chair_unit_id=body.chair_unit_id, chair_since=body.chair_since,
            term_months=body.term_months, updated_at=now))
        await self.session.execute(delete(body_member_units).where(body_member_units.c.body_id == body.id))
        await self._write_units(body)

    async def _write_units(self, body: CoordinationBody) -> None:
        if body.member_unit_ids:
            await self.session.execute(body_member_units.insert(), [
                {"body_id": body.id, "unit_id": u, "position": i} for i, u in enumerate(body.member_unit_ids)])

    async def get_body(self, body_id: str) -> BodyView | None:
        views = await self.list_bodies(body_id=body_id, under_path="/", limit=1)
        return views[0] if views else None

    async def list_bodies(self, *, under_path: str, kind: BodyKind | None = None, q: str | None = None,
                          unit_id: str | None = None, body_id: str | None = None, after: str | None = None,
                          limit: int = 100) -> list[BodyView]:
        query = (select(coordination_bodies, AreaRow.path).join(AreaRow, AreaRow.code == coordination_bodies.c.area_code)
                 .where(AreaRow.path.startswith(under_path, autoescape=True)))
        if body_id is not None:
            query = query.where(coordination_bodies.c.id == body_id)
        if kind is not None:
            query = query.where(coordination_bodies.c.kind == kind.value)
        if q:
            query = query.where(coordination_bodies.c.name.icontains(q, autoescape=True))
        if unit_id is not None:
            query = query.where(coordination_bodies.c.id.in_(
                select(body_member_units.c.body_id).where(body_member_units.c.unit_id == unit_id)))
        keyset = after_cursor([coordination_bodies.c.name, coordination_bodies.c.id], after)
        if keyset is not None:
            query = query.where(keyset)
        rows = list(await self.session.execute(query.order_by(coordination_bodies.c.name, coordination_bodies.c.id)
                                               .limit(limit)))
        units: dict[str, list[str]] = {r.id: [] for r in rows}
        if rows:
            links = (select(body_member_units).where(body_member_units.c.body_id.in_(list(units)))
                     .order_by(body_member_units.c.body_id, body_member_units.c.position))
            for link in await self.session.execute(links):
                units[link.body_id].append(link.unit_id)
        return [BodyView(CoordinationBody(id=r.id, kind=BodyKind(r.kind), name=r.name, area_code=r.area_code,
                                          member_unit_ids=tuple(units[r.id]), chair_unit_id=r.chair_unit_id,
                                          chair_since=r.chair_since, term_months=r.term_months), r.path) for r in rows]

    async def add_platform(self, values: dict[str, Any], now: datetime) -> None:
        await self.session.execute(consultation_platforms.insert().values(**values, created_at=now))

    async def add_part_time_member(self, values: dict[str, Any], now: datetime) -> None:
        await self.session.execute(part_time_members.insert().values(**values, created_at=now))

    async def part_time_members(self, body_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(part_time_members).where(part_time_members.c.body_id == body_id)
                                          .order_by(part_time_members.c.term_from, part_time_members.c.id))
        return [dict(r._mapping) for r in rows]

    async def add_representative(self, values: dict[str, Any], now: datetime) -> None:
        await self.session.execute(platform_representatives.insert().values(**values, created_at=now))

    async def remove_representative(self, platform_id: str, representative_id: str) -> int:
        result = await self.session.execute(delete(platform_representatives).where(
            platform_representatives.c.platform_id == platform_id, platform_representatives.c.id == representative_id))
        return result.rowcount

    async def get_platform(self, platform_id: str) -> PlatformView | None:
        views = await self.list_platforms(under_path="/", platform_id=platform_id, limit=1)
        return views[0] if views else None

    async def list_platforms(self, *, under_path: str, q: str | None = None, platform_id: str | None = None,
                             after: str | None = None, limit: int = 100) -> list[PlatformView]:
        query = (select(consultation_platforms, AreaRow.path)
                 .join(AreaRow, AreaRow.code == consultation_platforms.c.area_code)
                 .where(AreaRow.path.startswith(under_path, autoescape=True)))
        if platform_id is not None:
            query = query.where(consultation_platforms.c.id == platform_id)
        if q:
            query = query.where(consultation_platforms.c.name.icontains(q, autoescape=True))
        keyset = after_cursor([consultation_platforms.c.name, consultation_platforms.c.id], after)
        if keyset is not None:
            query = query.where(keyset)
        rows = list(await self.session.execute(query.order_by(consultation_platforms.c.name, consultation_platforms.c.id)
                                               .limit(limit)))
        reps: dict[str, list[Representative]] = {r.id: [] for r in rows}
        if rows:
            query = (select(platform_representatives).where(platform_representatives.c.platform_id.in_(list(reps)))
                     .order_by(platform_representatives.c.platform_id, platform_representatives.c.sector,
                               platform_representatives.c.id))
            for r in await self.session.execute(query):
                reps[r.platform_id].append(Representative(r.id, Sector(r.sector), r.name, r.phone, r.unit_id, r.member_id))
        return [PlatformView(r.id, r.name, r.area_code, r.path, list(r.topics), reps[r.id]) for r in rows]
