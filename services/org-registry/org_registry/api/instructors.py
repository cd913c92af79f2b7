"""/api/v1/instructors: party-building instructors (党建工作指导员), the units without an organization each one
guides, their visits, and the guided units ready for a branch. Staff only: instructors are people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from org_registry.api.parameters import After, Limit, Under
from org_registry.api.registry_schemas import ID_PATTERN
from org_registry.api.responses import PROBLEMS
from org_registry.domain.instructor import MAX_VISIT_SUMMARY
from org_registry.store.instructors import InstructorView
from org_registry.use_cases import instructors as use_cases
from yizhou.auth import AreaScope
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.personal_data import mask_name, mask_phone, mask_text, sees_personal_data

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/instructors", tags=["instructors"])
Id = Annotated[str, Path(pattern=ID_PATTERN)]


class InstructorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "王建国", "phone": "13912345678", "home_unit_id": None, "area_code": "CY01",
         "appointed_on": "2026-03-01"}]})

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    home_unit_id: str | None = Field(default=None, pattern=ID_PATTERN, description="The unit (an agency) they come from")
    area_code: str = Field(pattern=CODE_PATTERN, description="The area they are appointed to; they guide units in it")
    appointed_on: date


class UnitsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"unit_ids": ["u-demo-CY01001-1"], "assigned_on": "2026-03-15"}]})

    unit_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(min_length=1, max_length=200)
    assigned_on: date


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"unit_id": "u-demo-CY01001-1", "visited_on": "2026-03-20",
         "summary": "Met the manager; two members among the staff, one more transferring in.", "members_found": 2}]})

    unit_id: str = Field(pattern=ID_PATTERN)
    visited_on: date
    summary: str = Field(min_length=1, max_length=MAX_VISIT_SUMMARY)
    members_found: int = Field(ge=0, le=100_000, description="Party members found among the unit's staff")


class InstructorOut(BaseModel):
    id: str
    personal_data: str = Field(description="`full` for staff whose area covers the instructor's, else `masked`")
    name: str
    phone: str | None
    home_unit_id: str | None
    area_code: str
    appointed_on: date
    ended_on: date | None
    unit_ids: list[str] = Field(description="The units they guide now")
    visit_count: int


class VisitOut(BaseModel):
    id: str
    instructor_id: str
    unit_id: str
    visited_on: date
    summary: str
    members_found: int
    created_at: datetime


class ProspectiveBranchOut(BaseModel):
    unit_id: str
    name: str
    area_code: str
    members_among_staff: int = Field(description="Three full members may set up a branch")
    instructor_id: str


def instructor_out(view: InstructorView, scope: AreaScope) -> InstructorOut:
    i = view.instructor
    full = sees_personal_data(scope, view.area_path)
    return InstructorOut(id=i.id, personal_data="full" if full else "masked",
                         name=i.name if full else mask_name(i.name), phone=i.phone if full else mask_phone(i.phone),
                         home_unit_id=i.home_unit_id, area_code=i.area_code, appointed_on=i.appointed_on,
                         ended_on=i.ended_on, unit_ids=view.unit_ids, visit_count=view.visit_count)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InstructorOut, responses=PROBLEMS,
             summary="Appoint an instructor to an area (editors)")
async def appoint_instructor(body: InstructorIn, db: IdempotentDatabaseDep, scope: ScopeDep,
                             response: Response) -> InstructorOut:
    view = await use_cases.appoint(db, scope, **body.model_dump())
    response.headers["Location"] = f"/api/v1/instructors/{view.instructor.id}"
    return instructor_out(view, scope)


@router.get("", response_model=Page[InstructorOut], responses=PROBLEMS,
            summary="Instructors appointed in your area (or `under`), staff only")
async def list_instructors(db: DatabaseDep, scope: ScopeDep, under: Under = None, after: After = None,
                           limit: Limit = 100) -> Page[InstructorOut]:
    views = await use_cases.list_instructors(db, scope, under=under, after=after, limit=limit + 1)
    return page_of([instructor_out(v, scope) for v in views], limit, lambda i: i.id)


@router.get("/prospective-branches", response_model=Page[ProspectiveBranchOut], responses=PROBLEMS,
            summary="Units an instructor guides that have no organization and three or more members among the "
                    "staff: ready to set up a branch")
async def prospective_branches(db: DatabaseDep, scope: ScopeDep, under: Under = None, after: After = None,
                               limit: Limit = 100) -> Page[ProspectiveBranchOut]:
    rows = await use_cases.list_prospective_branches(db, scope, under=under, after=after, limit=limit + 1)
    return page_of([ProspectiveBranchOut(unit_id=r["id"], name=r["name"], area_code=r["area_code"],
                                         members_among_staff=r["members_among_staff"], instructor_id=r["instructor_id"])
                    for r in rows], limit, lambda b: b.unit_id)


@router.get("/{instructor_id}", response_model=InstructorOut, responses=PROBLEMS, summary="One instructor")
async def get_instructor(instructor_id: Id, db: DatabaseDep, scope: ScopeDep) -> InstructorOut:
    return instructor_out(await use_cases.get_instructor(db, scope, instructor_id), scope)


@router.post("/{instructor_id}/units", response_model=InstructorOut, responses=PROBLEMS,
             summary="Assign units without an organization of their own, in the instructor's area")
async def assign_units(instructor_id: Id, body: UnitsIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> InstructorOut:
    view = await use_cases.assign_units(db, scope, instructor_id, body.unit_ids, body.assigned_on)
    return instructor_out(view, scope)


@router.delete("/{instructor_id}/units/{unit_id}", response_model=InstructorOut, responses=PROBLEMS,
               summary="Stop guiding a unit (it set up its organization, or moved)")
async def unassign_unit(instructor_id: Id, unit_id: Id, db: DatabaseDep, scope: ScopeDep) -> InstructorOut:
    return instructor_out(await use_cases.unassign_unit(db, scope, instructor_id, unit_id), scope)


@router.post("/{instructor_id}/visits", status_code=status.HTTP_201_CREATED, response_model=VisitOut,
             responses=PROBLEMS, summary="Log a visit to a unit the instructor guides")
async def log_visit(instructor_id: Id, body: VisitIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> VisitOut:
    return VisitOut.model_validate(await use_cases.log_visit(db, scope, instructor_id, **body.model_dump()))


@router.get("/{instructor_id}/visits", response_model=Page[VisitOut], responses=PROBLEMS,
            summary="An instructor's visits, oldest first (personal data in summaries masked for staff of other areas)")
async def list_visits(instructor_id: Id, db: DatabaseDep, scope: ScopeDep, after: After = None,
                      limit: Limit = 100) -> Page[VisitOut]:
    view = await use_cases.get_instructor(db, scope, instructor_id)
    full = sees_personal_data(scope, view.area_path)
    rows = await use_cases.list_visits(db, scope, instructor_id, after=after, limit=limit + 1)
    return page_of([VisitOut.model_validate(r if full else {**r, "summary": mask_text(r["summary"])}) for r in rows],
                   limit, lambda v: v.id)
