"""Queries over party organizations and the units they cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.organization import Organization, OrganizationKind, SetupMode
from org_registry.store.keyset import after as after_cursor
from org_registry.store.tables import AreaRow, members, organization_units, organizations

ORG_COLUMNS = [organizations.c.id, organizations.c.name, organizations.c.kind, organizations.c.setup_mode,
               organizations.c.area_code, organizations.c.parent_id, organizations.c.tree_path,
               organizations.c.founded_on, organizations.c.dissolved_on, organizations.c.secretary_member_id]


@dataclass(frozen=True)
class OrganizationView:
    organization: Organization
    area_path: str
    member_count: int
    secretary_name: str | None  # personal data: the API masks it for callers who do not own the record


def located():
    return select(*ORG_COLUMNS, AreaRow.path).join_from(organizations, AreaRow, AreaRow.code == organizations.c.area_code)


def organization_values(o: Organization) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "kind": o.kind.value, "setup_mode": o.setup_mode.value,
            "area_code": o.area_code, "parent_id": o.parent_id, "tree_path": o.tree_path, "founded_on": o.founded_on,
            "dissolved_on": o.dissolved_on, "secretary_member_id": o.secretary_member_id}


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: list[Organization], now: datetime) -> None:
        if not rows:
            return
        await self.session.execute(organizations.insert(), [{**organization_values(o), "created_at": now,
                                                             "updated_at": now} for o in rows])
        links = [{"organization_id": o.id, "unit_id": u} for o in rows for u in o.covered_unit_ids]
        if links:
            await self.session.execute(organization_units.insert(), links)

    async def replace(self, o: Organization, now: datetime) -> None:
        values = organization_values(o)
        values.pop("id")
        values.pop("tree_path")  # moved by `reparent`, with the whole subtree
        await self.session.execute(update(organizations).where(organizations.c.id == o.id).values(**values, updated_at=now))
        await self.session.execute(delete(organization_units).where(organization_units.c.organization_id == o.id))
        if o.covered_unit_ids:
            await self.session.execute(organization_units.insert(),
                                       [{"organization_id": o.id, "unit_id": u} for u in o.covered_unit_ids])

    async def reparent(self, old_path: str, new_path: str, now: datetime) -> None:
        """Rewrites the tree path prefix of the organization's whole subtree in one statement."""
        await self.session.execute(
            update(organizations).where(organizations.c.tree_path.startswith(old_path, autoescape=True))
            .values(tree_path=literal(new_path, String).concat(
                func.substr(organizations.c.tree_path, len(old_path) + 1, type_=String)), updated_at=now))

    async def get(self, organization_id: str) -> OrganizationView | None:
        views = await self.views(list(await self.session.execute(located().where(organizations.c.id == organization_id))))
        return views[0] if views else None

    async def by_ids(self, ids: list[str]) -> list[OrganizationView]:
        if not ids:
            return []
        views = {v.organization.id: v for v in await self.views(
            list(await self.session.execute(located().where(organizations.c.id.in_(ids)))))}
        return [views[i] for i in ids if i in views]

    async def states(self, ids: list[str]) -> dict[str, tuple[str, bool]]:
        """organization id -> (area path, dissolved) for the ids that exist (bulk reference checks)."""
        found: dict[str, tuple[str, bool]] = {}
        for start in range(0, len(ids), 500):
            query = (select(organizations.c.id, organizations.c.dissolved_on, AreaRow.path)
                     .join(AreaRow, AreaRow.code == organizations.c.area_code)
                     .where(organizations.c.id.in_(ids[start:start + 500])))
            found.update({r.id: (r.path, r.dissolved_on is not None) for r in await self.session.execute(query)})
        return found

    async def tree_paths(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            query = select(organizations.c.id, organizations.c.tree_path).where(organizations.c.id.in_(ids[start:start + 500]))
            found.update({r.id: r.tree_path for r in await self.session.execute(query)})
        return found

    async def count_active_children(self, organization_id: str) -> int:
        query = select(func.count()).where(organizations.c.parent_id == organization_id,
                                           organizations.c.dissolved_on.is_(None))
        return (await self.session.execute(query)).scalar_one()

    async def dissolve(self, organization_id: str, dissolved_on: date, now: datetime) -> None:
        await self.session.execute(update(organizations).where(organizations.c.id == organization_id)
                                   .values(dissolved_on=dissolved_on, updated_at=now))

    async def list(self, *, under_path: str | None = None, kind: OrganizationKind | None = None,
                   setup_mode: SetupMode | None = None, parent_id: str | None = None, include_dissolved: bool = False,
                   q: str | None = None, covers_unit_id: str | None = None, tree_under: str | None = None,
                   after: str | None = None, limit: int = 100, tree_order: bool = False) -> list[OrganizationView]:
        """By name, or with `tree_order` parents before their subordinates (exports re-import in that order)."""
        query = located()
        if under_path is not None:
            query = query.where(AreaRow.path.startswith(under_path, autoescape=True))
        if kind is not None:
            query = query.where(organizations.c.kind == kind.value)
        if setup_mode is not None:
            query = query.where(organizations.c.setup_mode == setup_mode.value)
        if parent_id is not None:
            query = query.where(organizations.c.parent_id == parent_id)
        if tree_under is not None:
            query = query.where(organizations.c.tree_path.startswith(tree_under, autoescape=True),
                                organizations.c.tree_path != tree_under)
        if not include_dissolved:
            query = query.where(organizations.c.dissolved_on.is_(None))
        if q:
            query = query.where(organizations.c.name.icontains(q, autoescape=True))
        if covers_unit_id is not None:
            query = query.where(organizations.c.id.in_(select(organization_units.c.organization_id)
                                                       .where(organization_units.c.unit_id == covers_unit_id)))
        order = [organizations.c.tree_path] if tree_order else [organizations.c.name, organizations.c.id]
        keyset = after_cursor(order, after)
        if keyset is not None:
            query = query.where(keyset)
        rows = list(await self.session.execute(query.order_by(*order).limit(limit)))
        return await self.views(rows)

    async def views(self, rows: list[Any]) -> list[OrganizationView]:
        ids = [r.id for r in rows]
        covered: dict[str, list[str]] = {i: [] for i in ids}
        counts: dict[str, int] = {}
        secretaries: dict[str, str] = {}
        if ids:
            links = select(organization_units).where(organization_units.c.organization_id.in_(ids)).order_by(
                organization_units.c.organization_id, organization_units.c.unit_id)
            for link in await self.session.execute(links):
                covered[link.organization_id].append(link.unit_id)
            count_query = (select(members.c.organization_id, func.count()).where(
                members.c.organization_id.in_(ids), members.c.left_on.is_(None)).group_by(members.c.organization_id))
            counts = {r[0]: r[1] for r in await self.session.execute(count_query)}
            secretary_ids = [r.secretary_member_id for r in rows if r.secretary_member_id]
            if secretary_ids:
                names = select(members.c.id, members.c.name).where(members.c.id.in_(secretary_ids))
                secretaries = {r.id: r.name for r in await self.session.execute(names)}
        return [OrganizationView(
            organization=Organization(
                id=r.id, name=r.name, kind=OrganizationKind(r.kind), setup_mode=SetupMode(r.setup_mode),
                area_code=r.area_code, parent_id=r.parent_id, tree_path=r.tree_path, founded_on=r.founded_on,
                dissolved_on=r.dissolved_on, secretary_member_id=r.secretary_member_id,
                covered_unit_ids=tuple(covered[r.id])),
            area_path=r.path, member_count=counts.get(r.id, 0),
            secretary_name=secretaries.get(r.secretary_member_id) if r.secretary_member_id else None) for r in rows]
