"""/api/v1/hubs: hub organizations (枢纽型组织) and their joint actions (一统五联);
/api/v1/organizations/{id}/led-hubs: what a party organization leads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from org_registry.api.parameters import After, Limit, Search, Under, changes_of
from org_registry.api.registry_schemas import ID_PATTERN
from org_registry.api.responses import PROBLEMS
from org_registry.domain.hub import HubKind, JointActionKind, PartnerKind
from org_registry.store.hubs import HubView, JointActionView
from org_registry.store.keyset import encode_cursor
from org_registry.use_cases import hubs as use_cases
from yizhou.axis_events import CODE_PATTERN, Level
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/hubs", tags=["hub organizations"])
led = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/organizations", tags=["hub organizations"])
Id = Annotated[str, Path(pattern=ID_PATTERN)]
Count = Field(ge=0, le=10_000_000)


class HubIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Jianwai Subdistrict Trade Union Federation", "kind": "trade_union", "area_code": "CY01",
         "leading_organization_id": "o-demo-CY01-social", "member_count": 5200, "party_member_count": 640,
         "founded_on": "2003-05-01"}]})

    name: str = Field(min_length=1, max_length=200)
    kind: HubKind
    area_code: str = Field(pattern=CODE_PATTERN, description="Where the hub sits; its level is the area's")
    leading_organization_id: str = Field(pattern=ID_PATTERN, description="An active party organization; it may "
                                                                         "sit above your area")
    member_count: int = Count
    party_member_count: int = Field(default=0, ge=0, le=10_000_000, description="Counted among member_count")
    founded_on: date | None = None


class HubPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"member_count": 5400, "party_member_count": 655}, {"leading_organization_id": "o-demo-npe"}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    leading_organization_id: str | None = Field(default=None, pattern=ID_PATTERN)
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    party_member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_on: date | None = None


class HubOut(BaseModel):
    id: str
    name: str
    kind: HubKind
    area_code: str
    area_path: str
    level: Level
    leading_organization_id: str
    member_count: int
    party_member_count: int
    founded_on: date | None
    joint_action_count: int


class JointActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "joint_service", "partner_kind": "unit", "partner_id": "u-demo-CY01001-0", "started_on": "2026-03-01",
         "note": "Monthly legal-aid and job-fair days for the building's young staff"},
        {"kind": "joint_building", "partner_kind": "organization", "partner_id": "o-demo-CY01001-tech",
         "started_on": "2025-07-01"}]})

    kind: JointActionKind = Field(description="joint_building 组织联建, joint_work 工作联动, joint_team 队伍联管, "
                                              "joint_service 服务联办, shared_support 保障联享")
    partner_kind: PartnerKind
    partner_id: str = Field(pattern=ID_PATTERN, description="A party organization (active) or a unit")
    started_on: date
    note: str | None = Field(default=None, max_length=500)


class JointActionOut(BaseModel):
    id: str
    hub_id: str
    kind: JointActionKind
    partner_kind: PartnerKind
    partner_id: str
    partner_name: str
    partner_area_code: str
    partner_area_path: str
    started_on: date
    note: str | None


def hub_out(view: HubView) -> HubOut:
    h = view.hub
    return HubOut(id=h.id, name=h.name, kind=h.kind, area_code=h.area_code, area_path=view.area_path,
                  level=Level(view.level), leading_organization_id=h.leading_organization_id,
                  member_count=h.member_count, party_member_count=h.party_member_count, founded_on=h.founded_on,
                  joint_action_count=view.joint_action_count)


def action_out(view: JointActionView) -> JointActionOut:
    a = view.action
    return JointActionOut(id=a.id, hub_id=a.hub_id, kind=a.kind, partner_kind=a.partner_kind, partner_id=a.partner_id,
                          partner_name=view.partner_name, partner_area_code=view.partner_area_code,
                          partner_area_path=view.partner_area_path, started_on=a.started_on, note=a.note)


def _hub_page(views: list[HubView], limit: int) -> Page[HubOut]:
    return page_of([hub_out(v) for v in views], limit, lambda h: encode_cursor(h.name, h.id))


LeadBy = Annotated[str | None, Query(pattern=ID_PATTERN, description="Only hubs this organization leads")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HubOut, responses=PROBLEMS,
             summary="Register a hub organization led by an active party organization")
async def create_hub(body: HubIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> HubOut:
    view = await use_cases.create_hub(db, scope, name=body.name, kind=body.kind, area_code=body.area_code,
                                      leading_organization_id=body.leading_organization_id,
                                      member_count=body.member_count, party_member_count=body.party_member_count,
                                      founded_on=body.founded_on)
    response.headers["Location"] = f"/api/v1/hubs/{view.hub.id}"
    return hub_out(view)


@router.get("", response_model=Page[HubOut], responses=PROBLEMS,
            summary="Hubs in your area; `acting_in`: those located in that area's subtree or linked by a joint "
                    "action to an organization or unit located there")
async def list_hubs(db: DatabaseDep, scope: ScopeDep, under: Under = None,
                    acting_in: Annotated[str | None, Query(pattern=CODE_PATTERN,
                                                           description="An area code inside yours")] = None,
                    kind: HubKind | None = None, level: Level | None = None, led_by: LeadBy = None,
                    q: Search = None, after: After = None, limit: Limit = 100) -> Page[HubOut]:
    views = await use_cases.list_hubs(db, scope, under=under, acting_in=acting_in, kind=kind,
                                      level=level.value if level else None, led_by=led_by, q=q, after=after,
                                      limit=limit + 1)
    return _hub_page(views, limit)


@router.get("/{hub_id}", response_model=HubOut, responses=PROBLEMS, summary="One hub organization")
async def get_hub(hub_id: Id, db: DatabaseDep, scope: ScopeDep, response: Response) -> HubOut:
    return tagged(response, hub_out(await use_cases.get_hub(db, scope, hub_id)))


@router.patch("/{hub_id}", response_model=HubOut, responses=PROBLEMS | PRECONDITION,
              summary="Change a hub's name, member counts or leading organization")
async def update_hub(hub_id: Id, body: HubPatch, write: ConditionalWriteDep, scope: ScopeDep,
                     response: Response) -> HubOut:
    changes = changes_of(body, nullable={"founded_on"})
    await write.check(use_cases.get_hub(write.database, scope, hub_id), hub_out)
    return await write.commit(response, hub_out(await use_cases.update_hub(write.database, scope, hub_id, changes)))


@router.post("/{hub_id}/joint-actions", status_code=status.HTTP_201_CREATED, response_model=JointActionOut,
             responses=PROBLEMS, summary="Record a joint action (一统五联) with a party organization or a unit; "
                                         "one of each kind per pair (409 `duplicate`)")
async def record_joint_action(hub_id: Id, body: JointActionIn, db: IdempotentDatabaseDep, scope: ScopeDep,
                              response: Response) -> JointActionOut:
    view = await use_cases.record_joint_action(db, scope, hub_id, kind=body.kind, partner_kind=body.partner_kind,
                                               partner_id=body.partner_id, started_on=body.started_on, note=body.note)
    response.headers["Location"] = f"/api/v1/hubs/{hub_id}/joint-actions"
    return action_out(view)


@router.get("/{hub_id}/joint-actions", response_model=Page[JointActionOut], responses=PROBLEMS,
            summary="A hub's joint actions (filters: kind, partner kind, partner)")
async def list_joint_actions(hub_id: Id, db: DatabaseDep, scope: ScopeDep, kind: JointActionKind | None = None,
                             partner_kind: PartnerKind | None = None,
                             partner_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                             after: After = None, limit: Limit = 100) -> Page[JointActionOut]:
    views = await use_cases.list_joint_actions(db, scope, hub_id, kind=kind, partner_kind=partner_kind,
                                               partner_id=partner_id, after=after, limit=limit + 1)
    return page_of([action_out(v) for v in views], limit, lambda a: encode_cursor(a.kind.value, a.id))


@led.get("/{organization_id}/led-hubs", response_model=Page[HubOut], responses=PROBLEMS,
         summary="What this party organization leads: its hub organizations located in your area")
async def led_hubs(organization_id: Id, db: DatabaseDep, scope: ScopeDep, kind: HubKind | None = None,
                   q: Search = None, after: After = None, limit: Limit = 100) -> Page[HubOut]:
    views = await use_cases.led_hubs(db, scope, organization_id, kind=kind, q=q, after=after, limit=limit + 1)
    return _hub_page(views, limit)
