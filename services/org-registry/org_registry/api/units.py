"""/api/v1/units: the units on the axis and who covers them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from org_registry.api.parameters import After, Limit, Search, Under, changes_of
from org_registry.api.registry_schemas import ID_PATTERN, UnitIn, UnitOut, UnitPatch
from org_registry.api.responses import PROBLEMS
from org_registry.domain.unit import SizeClass, UnitKind
from org_registry.store.keyset import encode_cursor
from org_registry.store.units import UnitView
from org_registry.use_cases import units as use_cases
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/units", tags=["units"])
UnitId = Annotated[str, Path(pattern=ID_PATTERN)]


def unit_out(view: UnitView) -> UnitOut:
    u = view.unit
    return UnitOut(id=u.id, name=u.name, kind=u.kind, size_class=u.size_class, area_code=u.area_code,
                   area_path=view.area_path, headcount=u.headcount, members_among_staff=u.members_among_staff,
                   credit_code=u.credit_code, organization_id=view.organization_id,
                   has_own_organization=view.has_own_organization, covered=bool(view.covering_organization_ids),
                   covering_organization_ids=list(view.covering_organization_ids))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UnitOut, responses=PROBLEMS,
             summary="Register a unit in your area")
async def create_unit(body: UnitIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> UnitOut:
    view = await use_cases.create_unit(db, scope, unit_id=body.id, name=body.name, kind=body.kind,
                                       size_class=body.size_class, area_code=body.area_code, headcount=body.headcount,
                                       members_among_staff=body.members_among_staff, credit_code=body.credit_code)
    response.headers["Location"] = f"/api/v1/units/{view.unit.id}"
    return unit_out(view)


@router.get("", response_model=Page[UnitOut], responses=PROBLEMS,
            summary="Units in your area, by name (filters: area subtree, kind, size class, covered, organization; q: name or credit code)")
async def list_units(db: DatabaseDep, scope: ScopeDep, under: Under = None, kind: UnitKind | None = None,
                     size_class: SizeClass | None = None, covered: bool | None = None,
                     organization_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                     q: Search = None, after: After = None, limit: Limit = 100) -> Page[UnitOut]:
    views = await use_cases.list_units(db, scope, under=under, kind=kind, size_class=size_class, covered=covered,
                                       organization_id=organization_id, q=q, after=after, limit=limit + 1)
    return page_of([unit_out(v) for v in views], limit, lambda u: encode_cursor(u.name, u.id))


@router.get("/{unit_id}", response_model=UnitOut, responses=PROBLEMS, summary="One unit")
async def get_unit(unit_id: UnitId, db: DatabaseDep, scope: ScopeDep, response: Response) -> UnitOut:
    return tagged(response, unit_out(await use_cases.get_unit(db, scope, unit_id)))


@router.patch("/{unit_id}", response_model=UnitOut, responses=PROBLEMS | PRECONDITION, summary="Change a unit")
async def update_unit(unit_id: UnitId, body: UnitPatch, write: ConditionalWriteDep, scope: ScopeDep,
                      response: Response) -> UnitOut:
    changes = changes_of(body, nullable={"size_class", "credit_code"})
    await write.check(use_cases.get_unit(write.database, scope, unit_id), unit_out)
    return await write.commit(response, unit_out(await use_cases.update_unit(write.database, scope, unit_id, changes)))
