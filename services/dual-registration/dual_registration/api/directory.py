"""/api/v1/units and /api/v1/members: the read copies of org-registry's units and members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from dual_registration.api.parameters import After, Limit
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import MemberOut, UnitOut
from dual_registration.use_cases import directory as use_cases
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.list_parameters import ExactAreaCode
from yizhou.pagination import Page, page_of

router = APIRouter(prefix="/api/v1", tags=["units and members (read copy)"])
Community = ExactAreaCode


@router.get("/units", response_model=Page[UnitOut], responses=PROBLEMS,
            summary="Units in your area known from org-registry, with their registration state")
async def list_units(db: DatabaseDep, scope: ScopeDep, community_code: Community = None, after: After = None,
                     limit: Limit = 100) -> Page[UnitOut]:
    rows = await use_cases.list_units(db, scope, community_code=community_code, after=after, limit=limit + 1)
    return page_of([UnitOut.model_validate(r) for r in rows], limit, lambda u: u.unit_id)


@router.get("/units/{unit_id}", response_model=UnitOut, responses=PROBLEMS, summary="One unit")
async def get_unit(unit_id: Annotated[str, Path(max_length=64)], db: DatabaseDep, scope: ScopeDep) -> UnitOut:
    return UnitOut.model_validate(await use_cases.get_unit(db, scope, unit_id))


@router.get("/members", response_model=Page[MemberOut], responses=PROBLEMS,
            summary="Members residing in your area known from org-registry (staff only)")
async def list_members(db: DatabaseDep, scope: ScopeDep, community_code: Community = None, after: After = None,
                       limit: Limit = 100) -> Page[MemberOut]:
    rows = await use_cases.list_members(db, scope, community_code=community_code, after=after, limit=limit + 1)
    return page_of([MemberOut.model_validate(r) for r in rows], limit, lambda m: m.member_id)


@router.get("/members/{member_id}", response_model=MemberOut, responses=PROBLEMS, summary="One member")
async def get_member(member_id: Annotated[str, Path(max_length=64)], db: DatabaseDep, scope: ScopeDep) -> MemberOut:
    return MemberOut.model_validate(await use_cases.get_member(db, scope, member_id))
