"""/api/v1/coordination-bodies and /api/v1/consultation-platforms: the work network."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from org_registry.api.parameters import After, Limit, Search, Under
from org_registry.api.registry_schemas import ID_PATTERN
from org_registry.api.responses import PROBLEMS
from org_registry.domain.coordination import (BODY_LEVEL, BodyKind, LineOfWork, Seat, Sector, lines_without_member,
                                              missing_sectors)
from org_registry.store.coordination import BodyView, PlatformView
from org_registry.store.keyset import encode_cursor
from org_registry.use_cases import coordination as use_cases
from yizhou.auth import AreaScope
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.personal_data import mask_name, mask_phone, sees_personal_data

bodies = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/coordination-bodies", tags=["coordination bodies"])
platforms = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/consultation-platforms", tags=["consultation platforms"])
Id = Annotated[str, Path(pattern=ID_PATTERN)]


class BodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "coordination_committee", "name": "Jianwai Party-Building Coordination Committee", "area_code": "CY01",
         "member_unit_ids": ["u-cbd-admin", "u-soho", "u-hospital-3"], "term_months": 12, "starts_on": "2026-01-01"}]})

    kind: BodyKind = Field(description="Must match the area's level: leading_group-district, coordination_committee-"
                                       "subdistrict, sub_committee-community, grid_collaboration_group-grid")
    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=CODE_PATTERN)
    member_unit_ids: list[str] = Field(default_factory=list, max_length=500,
                                       description="In rotation order; the first chairs first")
    term_months: int = Field(default=12, ge=1, le=60, description="How long each chair serves")
    starts_on: date


class MemberUnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"unit_id": "u-soho", "on": "2026-04-01"}]})

    unit_id: str = Field(pattern=ID_PATTERN)
    on: date


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"on": "2027-01-01"}]})

    on: date


class BodyOut(BaseModel):
    id: str
    kind: BodyKind
    level: str
    name: str
    area_code: str
    area_path: str
    member_unit_ids: list[str] = Field(description="In rotation order")
    chair_unit_id: str | None
    chair_since: date | None
    term_months: int
    next_rotation_on: date | None


class PlatformIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Jianwai Community Joint Consultation", "area_code": "CY01001",
         "topics": ["parking", "elderly canteen", "old building lifts"]}]})

    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(pattern=CODE_PATTERN)
    topics: list[str] = Field(default_factory=list, max_length=50)


class RepresentativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sector": "public", "name": "刘淑芬", "phone": "13600001234"},
        {"sector": "government", "name": "陈科长", "unit_id": "u-street-office"}]})

    sector: Sector
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    unit_id: str | None = Field(default=None, pattern=ID_PATTERN)
    member_id: str | None = Field(default=None, pattern=ID_PATTERN)


class RepresentativeOut(BaseModel):
    id: str
    sector: Sector
    name: str = Field(description="Masked unless you own the record")
    phone: str | None
    unit_id: str | None
    member_id: str | None


class PlatformOut(BaseModel):
    id: str
    name: str
    area_code: str
    area_path: str
    topics: list[str]
    representatives: list[RepresentativeOut]
    missing_sectors: list[Sector] = Field(description="Sectors not yet represented (all three are needed)")


def body_out(view: BodyView) -> BodyOut:
    b = view.body
    return BodyOut(id=b.id, kind=b.kind, level=BODY_LEVEL[b.kind].value, name=b.name, area_code=b.area_code,
                   area_path=view.area_path, member_unit_ids=list(b.member_unit_ids), chair_unit_id=b.chair_unit_id,
                   chair_since=b.chair_since, term_months=b.term_months, next_rotation_on=b.next_rotation_on)


def platform_out(view: PlatformView, scope: AreaScope) -> PlatformOut:
    full = sees_personal_data(scope, view.area_path)
    reps = [RepresentativeOut(id=r.id, sector=r.sector, name=r.name if full else mask_name(r.name),
                              phone=r.phone if full else mask_phone(r.phone), unit_id=r.unit_id, member_id=r.member_id)
            for r in view.representatives]
    return PlatformOut(id=view.id, name=view.name, area_code=view.area_code, area_path=view.area_path, topics=view.topics,
                       representatives=reps, missing_sectors=missing_sectors([r.sector for r in view.representatives]))


@bodies.post("", status_code=status.HTTP_201_CREATED, response_model=BodyOut, responses=PROBLEMS,
             summary="Set up a coordination body at the level its kind belongs to; the first member unit chairs first")
async def create_body(body: BodyIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> BodyOut:
    view = await use_cases.create_body(db, scope, kind=body.kind, name=body.name, area_code=body.area_code,
                                       member_unit_ids=body.member_unit_ids, term_months=body.term_months,
                                       starts_on=body.starts_on)
    response.headers["Location"] = f"/api/v1/coordination-bodies/{view.body.id}"
    return body_out(view)


@bodies.get("", response_model=Page[BodyOut], responses=PROBLEMS,
            summary="Coordination bodies in your area (filters: subtree, kind, member unit; q: name)")
async def list_bodies(db: DatabaseDep, scope: ScopeDep, under: Under = None, kind: BodyKind | None = None,
                      unit_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None, q: Search = None,
                      after: After = None, limit: Limit = 100) -> Page[BodyOut]:
    views = await use_cases.list_bodies(db, scope, under=under, kind=kind, unit_id=unit_id, q=q, after=after,
                                        limit=limit + 1)
    return page_of([body_out(v) for v in views], limit, lambda b: encode_cursor(b.name, b.id))


@bodies.get("/{body_id}", response_model=BodyOut, responses=PROBLEMS, summary="One coordination body")
async def get_body(body_id: Id, db: DatabaseDep, scope: ScopeDep) -> BodyOut:
    return body_out(await use_cases.get_body(db, scope, body_id))


@bodies.post("/{body_id}/member-units", response_model=BodyOut, responses=PROBLEMS,
             summary="A unit located in the body's area joins (last in the rotation)")
async def add_member_unit(body_id: Id, body: MemberUnitIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> BodyOut:
    return body_out(await use_cases.add_member_unit(db, scope, body_id, body.unit_id, body.on))


@bodies.delete("/{body_id}/member-units/{unit_id}", response_model=BodyOut, responses=PROBLEMS,
               summary="A unit leaves; if it chaired, the next unit in the rotation takes the chair today")
async def remove_member_unit(body_id: Id, unit_id: Id, db: DatabaseDep, scope: ScopeDep,
                             on: Annotated[date | None, Query(description="Default: today")] = None) -> BodyOut:
    return body_out(await use_cases.remove_member_unit(db, scope, body_id, unit_id, on or date.today()))


@bodies.post("/{body_id}/rotate-chair", response_model=BodyOut, responses=PROBLEMS,
             summary="Pass the chair to the next member unit in rotation order")
async def rotate_chair(body_id: Id, body: Rotation, db: IdempotentDatabaseDep, scope: ScopeDep) -> BodyOut:
    return body_out(await use_cases.rotate_chair(db, scope, body_id, body.on))


@platforms.post("", status_code=status.HTTP_201_CREATED, response_model=PlatformOut, responses=PROBLEMS,
                summary="Set up a party-government-public joint consultation platform (党政群共商共治)")
async def create_platform(body: PlatformIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> PlatformOut:
    view = await use_cases.create_platform(db, scope, name=body.name, area_code=body.area_code, topics=body.topics)
    response.headers["Location"] = f"/api/v1/consultation-platforms/{view.id}"
    return platform_out(view, scope)


@platforms.get("", response_model=Page[PlatformOut], responses=PROBLEMS,
               summary="Consultation platforms in your area (filters: subtree; q: name)")
async def list_platforms(db: DatabaseDep, scope: ScopeDep, under: Under = None, q: Search = None, after: After = None,
                         limit: Limit = 100) -> Page[PlatformOut]:
    views = await use_cases.list_platforms(db, scope, under=under, q=q, after=after, limit=limit + 1)
    return page_of([platform_out(v, scope) for v in views], limit, lambda p: encode_cursor(p.name, p.id))


@platforms.get("/{platform_id}", response_model=PlatformOut, responses=PROBLEMS, summary="One platform")
async def get_platform(platform_id: Id, db: DatabaseDep, scope: ScopeDep) -> PlatformOut:
    return platform_out(await use_cases.get_platform(db, scope, platform_id), scope)


@platforms.post("/{platform_id}/representatives", response_model=PlatformOut, responses=PROBLEMS,
                summary="Add a representative of the party, the government or the public")
async def add_representative(platform_id: Id, body: RepresentativeIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> PlatformOut:
    view = await use_cases.add_representative(db, scope, platform_id, sector=body.sector, name=body.name,
                                              phone=body.phone, unit_id=body.unit_id, member_id=body.member_id)
    return platform_out(view, scope)


@platforms.delete("/{platform_id}/representatives/{representative_id}", response_model=PlatformOut,
                  responses=PROBLEMS, summary="Remove a representative")
async def remove_representative(platform_id: Id, representative_id: Id, db: DatabaseDep, scope: ScopeDep) -> PlatformOut:
    return platform_out(await use_cases.remove_representative(db, scope, platform_id, representative_id), scope)


class PartTimeMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "赵敏", "phone": "13800001111", "home_unit_id": "u-demo-CY01001-0", "seat": "member",
         "line_of_work": "two_new", "term_from": "2026-01-01", "term_to": "2030-12-31"}]})

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    home_unit_id: str = Field(pattern=ID_PATTERN, description="The unit in the committee's area the person comes from")
    seat: Seat
    line_of_work: LineOfWork = Field(description="The line of the \"1+3\" structure they serve on")
    term_from: date
    term_to: date


class PartTimeMemberOut(BaseModel):
    id: str
    name: str = Field(description="Masked unless your area covers the committee's")
    phone: str | None
    home_unit_id: str
    seat: Seat
    line_of_work: LineOfWork
    term_from: date
    term_to: date
    serving: bool = Field(description="Within their term today")


class PartTimeMembersOut(BaseModel):
    body_id: str
    items: list[PartTimeMemberOut]
    lines_without_member: list[LineOfWork] = Field(description="Lines of the \"1+3\" nobody serves on today")


def part_time_member_out(row: dict, full: bool, today: date) -> PartTimeMemberOut:
    return PartTimeMemberOut(id=row["id"], name=row["name"] if full else mask_name(row["name"]),
                             phone=row["phone"] if full else mask_phone(row["phone"]), home_unit_id=row["home_unit_id"],
                             seat=row["seat"], line_of_work=row["line_of_work"], term_from=row["term_from"],
                             term_to=row["term_to"], serving=row["term_from"] <= today <= row["term_to"])


@bodies.post("/{body_id}/part-time-members", status_code=status.HTTP_201_CREATED, response_model=PartTimeMemberOut,
             responses=PROBLEMS, summary="Seat a part-time member (兼职委员) on a regional committee for a term")
async def add_part_time_member(body_id: Id, body: PartTimeMemberIn, db: IdempotentDatabaseDep,
                               scope: ScopeDep) -> PartTimeMemberOut:
    row = await use_cases.add_part_time_member(db, scope, body_id, **body.model_dump())
    return part_time_member_out(row, True, datetime.now(UTC).date())


@bodies.get("/{body_id}/part-time-members", response_model=PartTimeMembersOut, responses=PROBLEMS,
            summary="A regional committee's part-time members, and the lines of the \"1+3\" nobody serves on today")
async def list_part_time_members(body_id: Id, db: DatabaseDep, scope: ScopeDep) -> PartTimeMembersOut:
    view, rows = await use_cases.part_time_members(db, scope, body_id)
    full, today = sees_personal_data(scope, view.area_path), datetime.now(UTC).date()
    items = [part_time_member_out(r, full, today) for r in rows]
    return PartTimeMembersOut(body_id=body_id, items=items,
                              lines_without_member=lines_without_member([m.line_of_work for m in items if m.serving]))
