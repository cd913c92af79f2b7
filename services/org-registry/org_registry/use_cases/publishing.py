"""Events of units, organizations and members, built from the stored views (no personal data)."""

from __future__ import annotations

from datetime import UTC, datetime

from org_registry.store.members import MemberView
from org_registry.store.organizations import OrganizationView
from org_registry.store.units import UnitView
from yizhou.contracts.members import MemberEvent
from yizhou.contracts.organizations import OrganizationEvent
from yizhou.contracts.units import UnitEvent
from yizhou.database import UnitOfWork
from yizhou.events import EventData

SOURCE = "/yizhou/org-registry"


def unit_event(cls: type[UnitEvent], view: UnitView, at: datetime | None = None) -> UnitEvent:
    u = view.unit
    return cls(unit_id=u.id, name=u.name, kind=u.kind.value, size_class=u.size_class.value if u.size_class else None,
               area_code=u.area_code, area_path=view.area_path, organization_id=view.organization_id,
               has_own_organization=view.has_own_organization, headcount=u.headcount,
               members_among_staff=u.members_among_staff, occurred_at=at or datetime.now(UTC))


def organization_event(cls: type[OrganizationEvent], view: OrganizationView, at: datetime | None = None) -> OrganizationEvent:
    o = view.organization
    return cls(organization_id=o.id, name=o.name, kind=o.kind.value, setup_mode=o.setup_mode.value,
               area_code=o.area_code, area_path=view.area_path, parent_organization_id=o.parent_id,
               covered_unit_ids=list(o.covered_unit_ids), founded_on=o.founded_on, dissolved_on=o.dissolved_on,
               occurred_at=at or datetime.now(UTC))


def member_event(cls: type[MemberEvent], view: MemberView, at: datetime | None = None) -> MemberEvent:
    m = view.member
    return cls(member_id=m.id, organization_id=m.organization_id, work_unit_id=m.work_unit_id,
               residence_area_code=m.residence_area_code, residence_area_path=view.residence_path,
               skills=list(m.skills), in_service=m.in_service, state="left" if m.left else "active",
               occurred_at=at or datetime.now(UTC))


def record(uow: UnitOfWork, event: EventData, aggregate_id: str) -> None:
    uow.record(event, aggregate_id=aggregate_id, source=SOURCE)
