"""Events dual-registration reads, each with its own tolerant reader (only the fields it needs):

- the area axis (scoping);
- org-registry's units and members, so registrations refer to known units and to members' residence
  communities, and follow the party organization a unit or member belongs to now;
- org-registry's party organizations (names, for exports);
- project-matching's projects and demand-intake's demands, so claims refer to open ones.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.community import community_or_none
from dual_registration.store.read_copies import follow_organization, mark_member_left, upsert
from dual_registration.store.tables import (demand_copy, member_copy, metadata, organization_copy, project_copy,
                                            unit_copy)
from yizhou.axis_copy import area_copy, axis_subscriptions
from yizhou.consumer import Subscription
from yizhou.envelope import ReceivedEvent
from yizhou.events import topic_name

UNITS_TOPIC = topic_name("units")
MEMBERS_TOPIC = topic_name("members")
ORGANIZATIONS_TOPIC = topic_name("organizations", version=2)  # yizhou.contracts.organizations
PROJECTS_TOPIC = topic_name("projects")
DEMANDS_TOPIC = topic_name("demands")


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class UnitFacts(_Tolerant):
    unit_id: str
    name: str
    kind: str
    area_code: str
    area_path: str
    organization_id: str | None = None


class MemberFacts(_Tolerant):
    member_id: str
    organization_id: str | None = None
    work_unit_id: str | None = None
    residence_area_code: str
    residence_area_path: str
    skills: list[str] = []
    in_service: bool = True
    state: str | None = None  # "active" | "left"


class OrganizationFacts(_Tolerant):
    organization_id: str
    name: str
    area_code: str
    dissolved_on: str | None = None


class ProjectFacts(_Tolerant):
    project_id: str
    area_code: str
    area_path: str
    category: str
    step: str


class DemandFacts(_Tolerant):
    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str


def _community(path: str) -> dict[str, str | None]:
    community = community_or_none(path)
    return {"community_code": community.code if community else None,
            "community_path": community.path if community else None}


async def on_unit(session: AsyncSession, event: ReceivedEvent) -> None:
    unit = UnitFacts.model_validate(event.data)
    await upsert(session, unit_copy, "unit_id", unit.unit_id, {
        "name": unit.name, "kind": unit.kind, "area_code": unit.area_code, "area_path": unit.area_path,
        "organization_id": unit.organization_id, **_community(unit.area_path)})
    # An organization set up after the unit registered arrives as this unit.updated: the registration
    # takes it, so the unit's evaluations reach it.
    await follow_organization(session, "unit", unit.unit_id, unit.organization_id)


async def on_member(session: AsyncSession, event: ReceivedEvent) -> None:
    member = MemberFacts.model_validate(event.data)
    await upsert(session, member_copy, "member_id", member.member_id, {
        "organization_id": member.organization_id, "work_unit_id": member.work_unit_id,
        "residence_area_code": member.residence_area_code, "residence_area_path": member.residence_area_path,
        "skills": member.skills, "in_service": member.in_service,
        "left": event.type == "member.left" or member.state == "left",
        **_community(member.residence_area_path)})
    await follow_organization(session, "member", member.member_id, member.organization_id)


async def on_organization(session: AsyncSession, event: ReceivedEvent) -> None:
    organization = OrganizationFacts.model_validate(event.data)
    await upsert(session, organization_copy, "organization_id", organization.organization_id, {
        "name": organization.name, "area_code": organization.area_code,
        "dissolved": event.type == "organization.dissolved" or organization.dissolved_on is not None})


async def on_project(session: AsyncSession, event: ReceivedEvent) -> None:
    project = ProjectFacts.model_validate(event.data)
    await upsert(session, project_copy, "project_id", project.project_id, {
        "area_code": project.area_code, "area_path": project.area_path, "category": project.category,
        "step": project.step, "last_event": event.type})


async def on_demand(session: AsyncSession, event: ReceivedEvent) -> None:
    demand = DemandFacts.model_validate(event.data)
    await upsert(session, demand_copy, "demand_id", demand.demand_id, {
        "area_code": demand.area_code, "area_path": demand.area_path, "category": demand.category,
        "state": demand.state})


async def on_member_left(session: AsyncSession, event: ReceivedEvent) -> None:
    """A member who left may no longer register or claim; a thin `member.left` (id only) is enough."""
    if "residence_area_path" in event.data:
        await on_member(session, event)
        return
    member_id = event.data["member_id"]  # missing: a KeyError sends the event to the dead letters
    await mark_member_left(session, str(member_id))


PROJECT_EVENTS = ("project.designed", "project.approved", "project.rejected", "project.started",
                  "project.completed", "project.evaluated")
DEMAND_EVENTS = ("demand.submitted", "demand.accepted", "demand.assigned", "demand.started", "demand.escalated",
                 "demand.dispatched", "demand.overdue", "demand.resolved", "demand.closed", "demand.reopened",
                 "demand.merged", "demand.withdrawn", "demand.rejected")

SUBSCRIPTIONS: list[Subscription] = [
    *axis_subscriptions(metadata),   # our records' paths follow area moves too
    Subscription(UNITS_TOPIC, "unit.created", on_unit),
    Subscription(UNITS_TOPIC, "unit.updated", on_unit),
    Subscription(MEMBERS_TOPIC, "member.created", on_member),
    Subscription(MEMBERS_TOPIC, "member.updated", on_member),
    Subscription(MEMBERS_TOPIC, "member.left", on_member_left),
    *(Subscription(ORGANIZATIONS_TOPIC, t, on_organization)
      for t in ("organization.created", "organization.updated", "organization.dissolved")),
    *(Subscription(PROJECTS_TOPIC, t, on_project) for t in PROJECT_EVENTS),
    *(Subscription(DEMANDS_TOPIC, t, on_demand) for t in DEMAND_EVENTS),
]

# Tables built only from events: `yizhou rebuild dual-registration` clears and replays them.
READ_MODELS = [area_copy, unit_copy, member_copy, organization_copy, project_copy, demand_copy]
