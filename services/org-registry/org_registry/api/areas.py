"""/api/v1/areas: the axis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from org_registry.api.schemas import AreaIn, AreaMove, AreaOut, AreaRename
from org_registry.domain.area import Area
from org_registry.use_cases import areas as use_cases
from yizhou.auth import Role
from yizhou.axis_events import CODE_PATTERN, Level
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.dependencies import CallerDep, DatabaseDep, ScopeDep, get_scope
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import After, Under
from yizhou.pagination import Page, page_of
from yizhou.problems import Problem

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/areas", tags=["areas"])

Code = Annotated[str, Path(pattern=CODE_PATTERN, description="Area code")]
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role or scope forbids it"},
            404: {"description": "Unknown or outside your scope"}, 409: {"description": "Conflicts with the area's state"},
            422: {"description": "Invalid body or broken axis rule"}}


def out(area: Area) -> AreaOut:
    return AreaOut(code=area.code, name=area.name, level=area.level, kind=area.area_kind, parent_code=area.parent_code, path=area.path,
                   retired=area.retired, retired_at=area.retired_at)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AreaOut, responses=PROBLEMS,
             summary="Create an area under a parent one level up (a district admin creates their district)")
async def create_area(body: AreaIn, request_db: IdempotentDatabaseDep, caller: CallerDep, response: Response,
                      request: Request) -> AreaOut:
    if body.level == Level.DISTRICT:
        if body.parent_code is not None:
            raise Problem("wrong-level", "A district is the top of the axis and has no parent.")
        if caller.role != Role.DISTRICT_ADMIN or caller.area != body.code:
            raise Problem("forbidden", "Only a district admin creates a district, and only the one in their token.")
        area = await use_cases.create_area(request_db, None, code=body.code, name=body.name, level=body.level,
                                           parent_code=None, bootstrap_role=caller.role, kind=body.kind)
    else:
        scope = await get_scope(request, caller)
        area = await use_cases.create_area(request_db, scope, code=body.code, name=body.name, level=body.level,
                                           parent_code=body.parent_code, kind=body.kind)
    response.headers["Location"] = f"/api/v1/areas/{area.code}"
    return out(area)


@router.get("", response_model=Page[AreaOut], responses=PROBLEMS,
            summary="Areas in your scope, in path order (the subtree of `under` if given)")
async def list_areas(db: DatabaseDep, scope: ScopeDep,
                     under: Under = None,
                     level: Level | None = None,
                     parent_code: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
                     include_retired: bool = False,
                     after: After = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Page[AreaOut]:
    areas = await use_cases.list_areas(db, scope, under=under, level=level, parent_code=parent_code,
                                       include_retired=include_retired, after=after, limit=limit + 1)
    return page_of([out(a) for a in areas], limit, lambda a: a.path)


@router.get("/{code}", response_model=AreaOut, responses=PROBLEMS, summary="One area")
async def get_area(code: Code, db: DatabaseDep, scope: ScopeDep, response: Response) -> AreaOut:
    return tagged(response, out(await use_cases.get_area(db, scope, code)))


@router.get("/{code}/children", response_model=Page[AreaOut], responses=PROBLEMS, summary="Direct children")
async def children(code: Code, db: DatabaseDep, scope: ScopeDep, include_retired: bool = False,
                   after: After = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Page[AreaOut]:
    areas = await use_cases.list_areas(db, scope, under=code, level=None, parent_code=code,
                                       include_retired=include_retired, after=after, limit=limit + 1)
    return page_of([out(a) for a in areas], limit, lambda a: a.path)


@router.get("/{code}/ancestors", response_model=list[AreaOut], responses=PROBLEMS,
            summary="Ancestors from the district down to the parent (names of the levels above are not restricted)")
async def ancestors(code: Code, db: DatabaseDep, scope: ScopeDep) -> list[AreaOut]:
    return [out(a) for a in await use_cases.ancestors(db, scope, code)]


@router.patch("/{code}", response_model=AreaOut, responses=PROBLEMS | PRECONDITION, summary="Rename an area")
async def rename(code: Code, body: AreaRename, write: ConditionalWriteDep, scope: ScopeDep, response: Response) -> AreaOut:
    await write.check(use_cases.get_area(write.database, scope, code), out)
    return await write.commit(response, out(await use_cases.rename_area(write.database, scope, code, body.name)))


@router.post("/{code}/move", response_model=AreaOut, responses=PROBLEMS,
             summary="Move an area (and its subtree) under another parent of the level above")
async def move(code: Code, body: AreaMove, db: IdempotentDatabaseDep, scope: ScopeDep) -> AreaOut:
    return out(await use_cases.move_area(db, scope, code, body.new_parent_code))


@router.post("/{code}/retire", response_model=AreaOut, responses=PROBLEMS,
             summary="Retire an area with no active children; it keeps its history")
async def retire(code: Code, db: IdempotentDatabaseDep, scope: ScopeDep) -> AreaOut:
    return out(await use_cases.retire_area(db, scope, code))
