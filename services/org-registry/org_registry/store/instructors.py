"""Instructors, the units they guide and their visits; rows come out as domain `Instructor`s with counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.instructor import MEMBERS_FOR_A_BRANCH, Instructor
from org_registry.store.tables import (AreaRow, instructor_units, instructor_visits, instructors, organization_units,
                                       organizations, units)


@dataclass(frozen=True)
class InstructorView:
    instructor: Instructor
    area_path: str
    unit_ids: list[str]
    visit_count: int


def _instructor(row: Any) -> Instructor:
    return Instructor(id=row.id, name=row.name, phone=row.phone, home_unit_id=row.home_unit_id,
                      area_code=row.area_code, appointed_on=row.appointed_on, ended_on=row.ended_on)


class InstructorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, instructor: Instructor, now: datetime) -> None:
        i = instructor
        await self.session.execute(instructors.insert().values(
            id=i.id, name=i.name, phone=i.phone, home_unit_id=i.home_unit_id, area_code=i.area_code,
            appointed_on=i.appointed_on, ended_on=i.ended_on, created_at=now))

    async def views(self, ids: list[str]) -> list[InstructorView]:
        if not ids:
            return []
        rows = (await self.session.execute(
            select(instructors, AreaRow.path).join(AreaRow, AreaRow.code == instructors.c.area_code)
            .where(instructors.c.id.in_(ids)))).all()
        guided: dict[str, list[str]] = {}
        for r in await self.session.execute(select(instructor_units.c.instructor_id, instructor_units.c.unit_id)
                                            .where(instructor_units.c.instructor_id.in_(ids))
                                            .order_by(instructor_units.c.unit_id)):
            guided.setdefault(r.instructor_id, []).append(r.unit_id)
        visits = dict((await self.session.execute(
            select(instructor_visits.c.instructor_id, func.count()).where(instructor_visits.c.instructor_id.in_(ids))
            .group_by(instructor_visits.c.instructor_id))).all())
        by_id = {r.id: InstructorView(_instructor(r), r.path, guided.get(r.id, []), visits.get(r.id, 0)) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def get(self, instructor_id: str, for_update: bool = False) -> InstructorView | None:
        if for_update:  # one writer at a time per instructor (assignments, visits)
            await self.session.execute(select(instructors.c.id).where(instructors.c.id == instructor_id)
                                       .with_for_update())
        found = await self.views([instructor_id])
        return found[0] if found else None

    async def list(self, *, under_path: str, after: str | None, limit: int) -> list[InstructorView]:
        query = (select(instructors.c.id).join(AreaRow, AreaRow.code == instructors.c.area_code)
                 .where(AreaRow.path.startswith(under_path, autoescape=True)))
        if after is not None:
            query = query.where(instructors.c.id > after)
        ids = list((await self.session.execute(query.order_by(instructors.c.id).limit(limit))).scalars())
        return await self.views(ids)

    async def assign(self, instructor_id: str, unit_ids: list[str], on: date) -> list[str]:
        """The units newly assigned (those already guided by this instructor are left as they are)."""
        taken = set((await self.session.execute(select(instructor_units.c.unit_id).where(
            instructor_units.c.instructor_id == instructor_id, instructor_units.c.unit_id.in_(unit_ids)))).scalars())
        new = [u for u in unit_ids if u not in taken]
        if new:
            await self.session.execute(instructor_units.insert(), [
                {"instructor_id": instructor_id, "unit_id": u, "assigned_on": on} for u in new])
        return new

    async def unassign(self, instructor_id: str, unit_id: str) -> bool:
        result = await self.session.execute(delete(instructor_units).where(
            instructor_units.c.instructor_id == instructor_id, instructor_units.c.unit_id == unit_id))
        return result.rowcount == 1

    async def end(self, instructor_id: str, ended_on: date) -> None:
        await self.session.execute(update(instructors).where(instructors.c.id == instructor_id)
                                   .values(ended_on=ended_on))
        await self.session.execute(delete(instructor_units).where(instructor_units.c.instructor_id == instructor_id))

    async def add_visit(self, values: dict[str, Any]) -> None:
        await self.session.execute(instructor_visits.insert().values(**values))

    async def visits(self, instructor_id: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(instructor_visits).where(instructor_visits.c.instructor_id == instructor_id)
        if after is not None:
            query = query.where(instructor_visits.c.id > after)
        rows = await self.session.execute(query.order_by(instructor_visits.c.id).limit(limit))
        return [dict(r._mapping) for r in rows]


async def prospective_branches(session: AsyncSession, under_path: str, *, after: str | None,
                               limit: int) -> list[dict[str, Any]]:
    """Units guided by an instructor, with no active organization covering them and enough members among the
    staff to set up a branch: the path from an instructor's work to organizational coverage."""
    covered = (select(organization_units.c.unit_id)
               .join(organizations, organizations.c.id == organization_units.c.organization_id)
               .where(organizations.c.dissolved_on.is_(None)))
    query = (select(units.c.id, units.c.name, units.c.area_code, units.c.members_among_staff,
                    func.min(instructor_units.c.instructor_id).label("instructor_id"))
             .join(instructor_units, instructor_units.c.unit_id == units.c.id)
             .join(AreaRow, AreaRow.code == units.c.area_code)
             .where(and_(AreaRow.path.startswith(under_path, autoescape=True),
                         units.c.members_among_staff >= MEMBERS_FOR_A_BRANCH, units.c.id.not_in(covered)))
             .group_by(units.c.id, units.c.name, units.c.area_code, units.c.members_among_staff))
    if after is not None:
        query = query.where(units.c.id > after)
    return [dict(r._mapping) for r in await session.execute(query.order_by(units.c.id).limit(limit))]
