"""Queries over hub organizations and their joint actions, including "which hubs act in this area"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.hub import Hub, HubKind, JointAction, JointActionKind, PartnerKind
from org_registry.store.keyset import after as after_cursor
from org_registry.store.tables import AreaRow, hubs, joint_actions, organizations, units


@dataclass(frozen=True)
class HubView:
    hub: Hub
    area_path: str
    level: str
    joint_action_count: int


@dataclass(frozen=True)
class JointActionView:
    action: JointAction
    partner_name: str
    partner_area_code: str
    partner_area_path: str


def _hub(row: Any) -> Hub:
    return Hub(id=row.id, name=row.name, kind=HubKind(row.kind), area_code=row.area_code,
               leading_organization_id=row.leading_organization_id, member_count=row.member_count,
               party_member_count=row.party_member_count, founded_on=row.founded_on)


def _hub_values(hub: Hub) -> dict[str, Any]:
    return {"name": hub.name, "kind": hub.kind.value, "area_code": hub.area_code,
            "leading_organization_id": hub.leading_organization_id, "member_count": hub.member_count,
            "party_member_count": hub.party_member_count, "founded_on": hub.founded_on}


def _partner_paths():
    """Hub ids linked to an organization / a unit, with the partner's area alias to filter on."""
    org_area, unit_area = AreaRow.__table__.alias("org_area"), AreaRow.__table__.alias("unit_area")
    by_org = (select(joint_actions.c.hub_id)
              .join(organizations, organizations.c.id == joint_actions.c.organization_id)
              .join(org_area, org_area.c.code == organizations.c.area_code))
    by_unit = (select(joint_actions.c.hub_id)
               .join(units, units.c.id == joint_actions.c.unit_id)
               .join(unit_area, unit_area.c.code == units.c.area_code))
    return by_org, by_unit, org_area, unit_area


class HubRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, hub: Hub, now: datetime) -> None:
        await self.session.execute(hubs.insert().values(id=hub.id, **_hub_values(hub), created_at=now, updated_at=now))

    async def save(self, hub: Hub, now: datetime) -> None:
        await self.session.execute(update(hubs).where(hubs.c.id == hub.id).values(**_hub_values(hub), updated_at=now))

    async def exists(self, hub_id: str) -> bool:
        return (await self.session.execute(select(hubs.c.id).where(hubs.c.id == hub_id))).first() is not None

    async def get(self, hub_id: str) -> HubView | None:
        views = await self.list(under_path="/", hub_id=hub_id, limit=1)
        return views[0] if views else None

    async def list(self, *, under_path: str, kind: HubKind | None = None, level: str | None = None,
                   led_by: str | None = None, acting_in: str | None = None, q: str | None = None,
                   hub_id: str | None = None, after: str | None = None, limit: int = 100) -> list[HubView]:
        """Hubs located under `under_path`; with `acting_in` (an area path), only those located there or
        linked by a joint action to an organization or unit located there."""
        query = (select(hubs, AreaRow.path, AreaRow.level).join(AreaRow, AreaRow.code == hubs.c.area_code)
                 .where(AreaRow.path.startswith(under_path, autoescape=True)))
        if hub_id is not None:
            query = query.where(hubs.c.id == hub_id)
        if kind is not None:
            query = query.where(hubs.c.kind == kind.value)
        if level is not None:
            query = query.where(AreaRow.level == level)
        if led_by is not None:
            query = query.where(hubs.c.leading_organization_id == led_by)
        if q:
            query = query.where(hubs.c.name.icontains(q, autoescape=True))
        if acting_in is not None:
            by_org, by_unit, org_area, unit_area = _partner_paths()
            query = query.where(or_(
                AreaRow.path.startswith(acting_in, autoescape=True),
                hubs.c.id.in_(by_org.where(org_area.c.path.startswith(acting_in, autoescape=True))),
                hubs.c.id.in_(by_unit.where(unit_area.c.path.startswith(acting_in, autoescape=True)))))
        keyset = after_cursor([hubs.c.name, hubs.c.id], after)
        if keyset is not None:
            query = query.where(keyset)
        rows = list(await self.session.execute(query.order_by(hubs.c.name, hubs.c.id).limit(limit)))
        counts: dict[str, int] = {r.id: 0 for r in rows}
        if rows:
            for hub_ref in (await self.session.execute(
                    select(joint_actions.c.hub_id).where(joint_actions.c.hub_id.in_(list(counts))))).scalars():
                counts[hub_ref] += 1
        return [HubView(_hub(r), r.path, r.level, counts[r.id]) for r in rows]

    async def add_joint_action(self, action: JointAction, now: datetime) -> None:
        await self.session.execute(joint_actions.insert().values(
            id=action.id, hub_id=action.hub_id, kind=action.kind.value, partner_kind=action.partner_kind.value,
            organization_id=action.partner_id if action.partner_kind == PartnerKind.ORGANIZATION else None,
            unit_id=action.partner_id if action.partner_kind == PartnerKind.UNIT else None,
            partner_id=action.partner_id, started_on=action.started_on, note=action.note, created_at=now))

    async def joint_actions_of(self, hub_id: str) -> list[JointAction]:
        rows = await self.session.execute(select(joint_actions).where(joint_actions.c.hub_id == hub_id))
        return [_action(r) for r in rows]

    async def list_joint_actions(self, hub_id: str, *, kind: JointActionKind | None = None,
                                 partner_kind: PartnerKind | None = None, partner_id: str | None = None,
                                 action_id: str | None = None, after: str | None = None,
                                 limit: int = 100) -> list[JointActionView]:
        org_area, unit_area = AreaRow.__table__.alias("org_area"), AreaRow.__table__.alias("unit_area")
        query = (select(joint_actions, organizations.c.name.label("org_name"), units.c.name.label("unit_name"),
                        org_area.c.code.label("org_area_code"), org_area.c.path.label("org_area_path"),
                        unit_area.c.code.label("unit_area_code"), unit_area.c.path.label("unit_area_path"))
                 .outerjoin(organizations, organizations.c.id == joint_actions.c.organization_id)
                 .outerjoin(org_area, org_area.c.code == organizations.c.area_code)
                 .outerjoin(units, units.c.id == joint_actions.c.unit_id)
                 .outerjoin(unit_area, unit_area.c.code == units.c.area_code)
                 .where(joint_actions.c.hub_id == hub_id))
        if action_id is not None:
            query = query.where(joint_actions.c.id == action_id)
        if kind is not None:
            query = query.where(joint_actions.c.kind == kind.value)
        if partner_kind is not None:
            query = query.where(joint_actions.c.partner_kind == partner_kind.value)
        if partner_id is not None:
            query = query.where(joint_actions.c.partner_id == partner_id)
        keyset = after_cursor([joint_actions.c.kind, joint_actions.c.id], after)
        if keyset is not None:
            query = query.where(keyset)
        rows = await self.session.execute(query.order_by(joint_actions.c.kind, joint_actions.c.id).limit(limit))
        return [JointActionView(_action(r), r.org_name or r.unit_name, r.org_area_code or r.unit_area_code,
                                r.org_area_path or r.unit_area_path) for r in rows]


def _action(row: Any) -> JointAction:
    return JointAction(id=row.id, hub_id=row.hub_id, kind=JointActionKind(row.kind),
                       partner_kind=PartnerKind(row.partner_kind), partner_id=row.partner_id,
                       started_on=row.started_on, note=row.note)
