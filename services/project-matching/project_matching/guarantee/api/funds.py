"""/api/v1/funds: organizations' activity funds per year; /api/v1/organizations: the read copy of
org-registry's party organizations that funds, venues and scorecards refer to."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from project_matching.api.parameters import After, SubtreeCode, Id, Limit
from project_matching.api.responses import PROBLEMS
from project_matching.api.schemas import fen
from project_matching.guarantee.api.schemas import (AreaStatementOut, EntryOut, IncomeIn, OrganizationOut,
                                                    OrganizationStatementOut, SpendingIn)
from project_matching.guarantee.domain.funds import Entry
from project_matching.guarantee.store.funds import organizations_under
from project_matching.guarantee.use_cases import funds as use_cases
from project_matching.use_cases.access import area_in_scope
from yizhou.auth import require_role
from yizhou.personal_data import STAFF_ROLES
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import DatabaseDep, DistrictZoneDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, encode_cursor, page_of

router = APIRouter(route_class=IdempotentRoute, tags=["guarantee: funds"])
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="The budget year")]
FUND_PROBLEMS = {**PROBLEMS, 409: {"description": "insufficient-funds (the balance would go below zero), "
                                                  "organization-dissolved, project-not-ready"},
                 422: {"description": "validation, unknown-reference (organization or project unknown or outside "
                                      "your area), rule-violated (entry outside its year, purpose without target)"}}


def out(e: Entry) -> EntryOut:
    return EntryOut(id=e.id, organization_id=e.organization_id, year=e.year, direction=e.direction,
                    amount_yuan=e.amount_fen / 100, source=e.source, purpose=e.purpose, project_id=e.project_id,
                    activity=e.activity, note=e.note, booked_on=e.booked_on,
                    balance_after_yuan=e.balance_after_fen / 100)


@router.post("/api/v1/funds/income", status_code=status.HTTP_201_CREATED, response_model=EntryOut,
             responses=FUND_PROBLEMS, summary="Record funds received by an organization (party dues returned, "
                                              "district allocation, unit contribution, government purchase)")
async def receive(body: IncomeIn, db: IdempotentDatabaseDep, scope: ScopeDep, zone: DistrictZoneDep,
                  response: Response) -> EntryOut:
    entry = await use_cases.receive(db, scope, organization_id=body.organization_id, year=body.year,
                                    source=body.source, amount_fen=fen(body.amount_yuan), booked_on=body.booked_on,
                                    note=body.note, zone=zone)
    response.headers["Location"] = f"/api/v1/funds/entries/{entry.id}"
    return out(entry)


@router.post("/api/v1/funds/spending", status_code=status.HTTP_201_CREATED, response_model=EntryOut,
             responses=FUND_PROBLEMS, summary="Record spending for a project or an activity; never below a zero "
                                              "balance (409 insufficient-funds)")
async def spend(body: SpendingIn, db: IdempotentDatabaseDep, scope: ScopeDep, zone: DistrictZoneDep,
                response: Response) -> EntryOut:
    entry = await use_cases.record_spending(db, scope, organization_id=body.organization_id, year=body.year,
                                            amount_fen=fen(body.amount_yuan), purpose=body.purpose,
                                            project_id=body.project_id, activity=body.activity,
                                            booked_on=body.booked_on, note=body.note, zone=zone)
    response.headers["Location"] = f"/api/v1/funds/entries/{entry.id}"
    return out(entry)


@router.get("/api/v1/funds/entries", response_model=Page[EntryOut], responses=PROBLEMS,
            summary="Fund entries of the organizations in your area (filters: area, organization, year, direction, "
                    "source, project)")
async def list_entries(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                       organization_id: Annotated[str | None, Query(max_length=64)] = None,
                       year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                       direction: Literal["income", "spending"] | None = None,
                       source: Literal["party_dues_returned", "district_allocation", "unit_contribution",
                                       "government_purchase"] | None = None,
                       project_id: Annotated[str | None, Query(max_length=64)] = None, after: After = None,
                       limit: Limit = 100) -> Page[EntryOut]:
    found = await use_cases.list_entries(db, scope, area_code=area_code, organization_id=organization_id, year=year,
                                         direction=direction, source=source, project_id=project_id, after=after,
                                         limit=limit + 1)
    return page_of([out(e) for e in found], limit, lambda e: e.id)


@router.get("/api/v1/funds/statements/organizations/{organization_id}", response_model=OrganizationStatementOut,
            responses=PROBLEMS, summary="An organization's yearly statement: income by source, spending by purpose "
                                        "and project, balance")
async def organization_statement(organization_id: Id, year: YearQuery, db: DatabaseDep,
                                 scope: ScopeDep) -> OrganizationStatementOut:
    return OrganizationStatementOut(**await use_cases.organization_statement(db, scope, organization_id, year))


@router.get("/api/v1/funds/statements/areas/{area_code}", response_model=AreaStatementOut, responses=PROBLEMS,
            summary="An area subtree's yearly statement: totals of the organizations located in it, and a page of "
                    "them with their own figures")
async def area_statement(area_code: Annotated[str, Path(pattern=CODE_PATTERN)], year: YearQuery, db: DatabaseDep,
                         scope: ScopeDep, after: After = None, limit: Limit = 100) -> AreaStatementOut:
    statement = await use_cases.area_statement(db, scope, area_code, year, after=after, limit=limit)
    cursor = statement.pop("next_cursor")
    return AreaStatementOut(**statement, next_cursor=encode_cursor(cursor) if cursor else None)


@router.get("/api/v1/organizations", response_model=Page[OrganizationOut], responses=PROBLEMS,
            summary="Party organizations located in your area (the read copy of org-registry's events)")
async def list_organizations(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None,
                             include_dissolved: bool = False, after: After = None,
                             limit: Limit = 200) -> Page[OrganizationOut]:
    require_role(scope, STAFF_ROLES, "read organizations")
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        found = await organizations_under(session, path, after=after, limit=limit + 1,
                                          include_dissolved=include_dissolved)
    return page_of([OrganizationOut(organization_id=o.id, name=o.name, kind=o.kind, area_code=o.area_code,
                                    dissolved=o.dissolved) for o in found], limit, lambda o: o.organization_id)
