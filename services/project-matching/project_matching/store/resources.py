"""Resources and area places: rows in, domain `Resource`s out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.domain.matching import Window
from project_matching.domain.resource import Resource
from project_matching.store.tables import area_places, resources


def windows_json(windows) -> list[dict[str, str]]:
    return [{"starts_at": w.starts_at.isoformat(), "ends_at": w.ends_at.isoformat()} for w in windows]


def to_resource(row) -> Resource:
    return Resource(
        id=row.id, kind=row.kind, title=row.title, provider_kind=row.provider_kind, provider_id=row.provider_id,
        area_code=row.area_code, area_path=row.area_path, serves_path=row.serves_path,
        categories=tuple(row.categories), skills=tuple(row.skills), capacity=row.capacity, amount_fen=row.amount_fen,
        latitude=row.latitude, longitude=row.longitude,
        windows=tuple(Window(datetime.fromisoformat(w["starts_at"]), datetime.fromisoformat(w["ends_at"]))
                      for w in row.windows),
        state=row.state, origin=row.origin, created_at=row.created_at, updated_at=row.updated_at)


class ResourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, resource_id: str) -> Resource | None:
        row = (await self.session.execute(select(resources).where(resources.c.id == resource_id))).first()
        return to_resource(row) if row else None

    async def by_origin(self, origin: str) -> Resource | None:
        row = (await self.session.execute(select(resources).where(resources.c.origin == origin))).first()
        return to_resource(row) if row else None

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(resources.insert().values(**values))

    async def change(self, resource_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(update(resources).where(resources.c.id == resource_id).values(**values))

    async def list(self, *, under_path: str, kind: str | None = None, category: str | None = None,
                   state: str | None = "active", provider_id: str | None = None, after: str | None = None,
                   limit: int = 200) -> list[Resource]:
        query = select(resources).where(resources.c.area_path.startswith(under_path, autoescape=True))
        if kind:
            query = query.where(resources.c.kind == kind)
        if state:
            query = query.where(resources.c.state == state)
        if provider_id:
            query = query.where(resources.c.provider_id == provider_id)
        if after:
            query = query.where(resources.c.id > after)
        query = query.order_by(resources.c.id)
        rows = (await self.session.execute(query if category else query.limit(limit))).all()
        found = [to_resource(r) for r in rows]
        # Categories are a JSON list: filtered here, portably, rather than with a dialect's JSON operators.
        if category:
            found = [r for r in found if category in r.categories]
        return found[:limit]

    async def active_for(self, provider_kind: str, provider_id: str) -> list[Resource]:
        query = select(resources).where(resources.c.provider_kind == provider_kind,
                                        resources.c.provider_id == provider_id, resources.c.state == "active")
        return [to_resource(r) for r in (await self.session.execute(query)).all()]


class PlaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(self, code: str, latitude: float, longitude: float, now: datetime) -> None:
        if (await self.session.execute(select(area_places.c.code).where(area_places.c.code == code))).first():
            await self.session.execute(update(area_places).where(area_places.c.code == code).values(
                latitude=latitude, longitude=longitude, updated_at=now))
        else:
            await self.session.execute(area_places.insert().values(code=code, latitude=latitude, longitude=longitude,
                                                                   updated_at=now))

    async def all(self) -> dict[str, tuple[float, float]]:
        rows = (await self.session.execute(select(area_places))).all()
        return {r.code: (r.latitude, r.longitude) for r in rows}


def point_of(path: str, places: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    """The place of the area at the end of `path`, or of its nearest ancestor that has one."""
    for code in reversed(path.strip("/").split("/")):
        if code in places:
            return places[code]
    return None
