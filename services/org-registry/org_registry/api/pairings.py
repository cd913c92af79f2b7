"""/api/v1/pairings: pairing (结对) in both directions — organization with organization, branch with a household
in hardship — with the agreement, each year's joint projects and review."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from org_registry.api.parameters import After, Limit, Under
from org_registry.api.registry_schemas import ID_PATTERN
from org_registry.api.responses import PROBLEMS
from org_registry.domain.pairing import Hardship, Household, PairingKind, Rating
from org_registry.use_cases import pairings as use_cases
from yizhou.auth import AreaScope
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of
from yizhou.personal_data import mask_address, mask_name, mask_phone, sees_personal_data

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/pairings", tags=["pairings"])
Id = Annotated[str, Path(pattern=ID_PATTERN)]
Text = Field(min_length=1, max_length=2000)


class OrganizationPairingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"organization_id": "o-demo-npe", "partner_organization_id": "o-demo-CY01001-tech",
         "agreement": "结对共建：每季度一次联合组织生活，共建党员活动室", "started_on": "2026-01-01"}]})

    organization_id: str = Field(pattern=ID_PATTERN, description="The organization that pairs (it may sit above you)")
    partner_organization_id: str = Field(pattern=ID_PATTERN, description="The organization it pairs with, in your area")
    agreement: str = Text
    started_on: date


class HouseholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    head_name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    address: str = Field(min_length=1, max_length=300)
    hardship: Hardship


class HouseholdPairingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"organization_id": "o-demo-CY01001-tech", "area_code": "CY0100101",
         "household": {"head_name": "孙大妈", "phone": "13700002222", "address": "金台路9号院2号楼1单元301",
                       "hardship": "elderly_alone"},
         "agreement": "每月上门探访一次，节日慰问", "started_on": "2026-01-01"}]})

    organization_id: str = Field(pattern=ID_PATTERN, description="A party branch")
    area_code: str = Field(pattern=CODE_PATTERN, description="The household's community or grid")
    household: HouseholdIn
    agreement: str = Text
    started_on: date


class YearIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"year": 2026, "joint_projects": ["党员活动室共建", "困难家庭帮扶"], "review": "按协议完成，群众认可",
         "rating": "good"}]})

    year: int = Field(ge=1990, le=2200)
    joint_projects: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=50)
    review: str = Text
    rating: Rating


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"on": "2026-12-31"}]})

    on: date


class HouseholdOut(BaseModel):
    head_name: str
    phone: str | None
    address: str
    hardship: Hardship


class YearOut(BaseModel):
    year: int
    joint_projects: list[str]
    review: str
    rating: Rating
    reviewed_on: date


class PairingOut(BaseModel):
    id: str
    kind: PairingKind
    organization_id: str
    partner_organization_id: str | None
    area_code: str
    personal_data: str = Field(description="`full` for the area's staff, else `masked` (households only)")
    household: HouseholdOut | None
    agreement: str
    started_on: date
    ended_on: date | None
    years: list[YearOut]
    created_at: datetime


def pairing_out(row: dict[str, Any], scope: AreaScope) -> PairingOut:
    full = sees_personal_data(scope, row["area_path"])
    household = None
    if row["kind"] == PairingKind.HOUSEHOLD:
        household = HouseholdOut(head_name=row["head_name"] if full else mask_name(row["head_name"]),
                                 phone=row["phone"] if full else mask_phone(row["phone"]),
                                 address=row["address"] if full else mask_address(row["address"]),
                                 hardship=row["hardship"])
    return PairingOut(id=row["id"], kind=row["kind"], organization_id=row["organization_id"],
                      partner_organization_id=row["partner_organization_id"], area_code=row["area_code"],
                      personal_data="full" if full else "masked", household=household, agreement=row["agreement"],
                      started_on=row["started_on"], ended_on=row["ended_on"],
                      years=[YearOut.model_validate(y) for y in row["years"]], created_at=row["created_at"])


@router.post("/organizations", status_code=status.HTTP_201_CREATED, response_model=PairingOut, responses=PROBLEMS,
             summary="Pair an organization with another (an agency with a \"two new\" organization, a unit's with a "
                     "village's)")
async def pair_organizations(body: OrganizationPairingIn, db: IdempotentDatabaseDep, scope: ScopeDep,
                             response: Response) -> PairingOut:
    row = await use_cases.pair_organizations(db, scope, **body.model_dump())
    response.headers["Location"] = f"/api/v1/pairings/{row['id']}"
    return pairing_out(row, scope)


@router.post("/households", status_code=status.HTTP_201_CREATED, response_model=PairingOut, responses=PROBLEMS,
             summary="Pair a party branch with a household in hardship (its personal data stays with the area's staff)")
async def pair_household(body: HouseholdPairingIn, db: IdempotentDatabaseDep, scope: ScopeDep,
                         response: Response) -> PairingOut:
    fields = body.model_dump(exclude={"household"})
    row = await use_cases.pair_household(db, scope, household=Household(**body.household.model_dump()), **fields)
    response.headers["Location"] = f"/api/v1/pairings/{row['id']}"
    return pairing_out(row, scope)


@router.get("", response_model=Page[PairingOut], responses=PROBLEMS,
            summary="Pairings whose partner organization or household is in your area (or `under`)")
async def list_pairings(db: DatabaseDep, scope: ScopeDep, under: Under = None, kind: PairingKind | None = None,
                        after: After = None, limit: Limit = 100) -> Page[PairingOut]:
    rows = await use_cases.list_pairings(db, scope, under=under, kind=kind, after=after, limit=limit + 1)
    return page_of([pairing_out(r, scope) for r in rows], limit, lambda p: p.id)


@router.get("/{pairing_id}", response_model=PairingOut, responses=PROBLEMS, summary="One pairing with its years")
async def get_pairing(pairing_id: Id, db: DatabaseDep, scope: ScopeDep) -> PairingOut:
    return pairing_out(await use_cases.get_pairing(db, scope, pairing_id), scope)


@router.post("/{pairing_id}/years", response_model=PairingOut, responses=PROBLEMS,
             summary="Record a year's joint projects and review (one per year)")
async def review_year(pairing_id: Id, body: YearIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> PairingOut:
    return pairing_out(await use_cases.review_year(db, scope, pairing_id, **body.model_dump()), scope)


@router.post("/{pairing_id}/end", response_model=PairingOut, responses=PROBLEMS, summary="End a pairing")
async def end_pairing(pairing_id: Id, body: EndIn, db: IdempotentDatabaseDep, scope: ScopeDep) -> PairingOut:
    return pairing_out(await use_cases.end_pairing(db, scope, pairing_id, body.on), scope)
