"""Counting units, their organizations and their members per kind in an area subtree, in one query."""

from __future__ import annotations

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.coverage import CoverageCounts
from org_registry.domain.organization import SINGLE_UNIT_MODES
from org_registry.store.tables import AreaRow, instructor_units, instructors, organization_units, organizations, units

_OWN = sorted(m.value for m in SINGLE_UNIT_MODES)  # a unit's own organization, whatever kind of unit it is


async def coverage_counts(session: AsyncSession, under_path: str, kind: str | None = None,
                          size_class: str | None = None) -> list[CoverageCounts]:
    cover = (select(organization_units.c.unit_id,
                    func.max(case((organizations.c.setup_mode.in_(_OWN), 1), else_=0)).label("own"))
             .join(organizations, organizations.c.id == organization_units.c.organization_id)
             .where(organizations.c.dissolved_on.is_(None))
             .group_by(organization_units.c.unit_id).subquery())
    guided = (select(instructor_units.c.unit_id).join(instructors, instructors.c.id == instructor_units.c.instructor_id)
              .where(instructors.c.ended_on.is_(None)).distinct().subquery())
    query = (select(units.c.kind, units.c.size_class, func.count().label("units"),
                    func.coalesce(func.sum(func.coalesce(cover.c.own, 0)), 0).label("own"),
                    func.count(cover.c.unit_id).label("covered"),
                    func.coalesce(func.sum(case((units.c.members_among_staff > 0, 1), else_=0)), 0).label("with_members"),
                    func.count(guided.c.unit_id).label("with_instructor"),
                    func.coalesce(func.sum(case((cover.c.unit_id.is_not(None) | guided.c.unit_id.is_not(None), 1),
                                                else_=0)), 0).label("work_covered"))
             .join(AreaRow, AreaRow.code == units.c.area_code)
             .outerjoin(cover, cover.c.unit_id == units.c.id)
             .outerjoin(guided, guided.c.unit_id == units.c.id)
             .where(AreaRow.path.startswith(under_path, autoescape=True))
             .group_by(units.c.kind, units.c.size_class)
             .order_by(units.c.kind, func.coalesce(units.c.size_class, literal(""))))
    if kind is not None:
        query = query.where(units.c.kind == kind)
    if size_class is not None:
        query = query.where(units.c.size_class == size_class)
    return [CoverageCounts(kind=r.kind, size_class=r.size_class, units=r.units, with_own_organization=int(r.own),
                           covered=r.covered, with_members=int(r.with_members), with_instructor=r.with_instructor,
                           work_covered=int(r.work_covered))
            for r in await session.execute(query)]
