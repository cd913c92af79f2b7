"""/api/v1/resources: the resource list; /api/v1/area-places: where areas are (demands take their
area's place, resources theirs unless they give their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel

from project_matching.api.parameters import After, SubtreeCode, Id, Limit
from project_matching.api.responses import PROBLEMS
from project_matching.api.schemas import PlaceIn, ResourceIn, ResourceOut, ResourcePatch, fen
from project_matching.domain.matching import Window
from project_matching.domain.resource import Resource
from project_matching.store.resources import PlaceRepository
from project_matching.use_cases import resources as use_cases
from project_matching.use_cases.access import area_in_scope, not_found
from yizhou.auth import AreaScope
from yizhou.axis_events import CODE_PATTERN
from yizhou.conditional_writes import PRECONDITION, ConditionalWriteDep, tagged
from yizhou.database import Database
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, tags=["resources"])


def out(r: Resource) -> ResourceOut:
    return ResourceOut(id=r.id, kind=r.kind, title=r.title, provider_kind=r.provider_kind, provider_id=r.provider_id,
                       area_code=r.area_code, area_path=r.area_path, categories=list(r.categories),
                       skills=list(r.skills), capacity=r.capacity,
                       amount_yuan=None if r.amount_fen is None else r.amount_fen / 100, latitude=r.latitude,
                       longitude=r.longitude, windows=[{"starts_at": w.starts_at, "ends_at": w.ends_at}
                                                       for w in r.windows],
                       state=r.state, origin=r.origin, updated_at=r.updated_at)


@router.post("/api/v1/resources", status_code=status.HTTP_201_CREATED, response_model=ResourceOut,
             responses=PROBLEMS, summary="Register a resource (venue, skill, volunteer hours, money, service, post)")
async def register(body: ResourceIn, db: IdempotentDatabaseDep, scope: ScopeDep, response: Response) -> ResourceOut:
    data = body.model_dump(exclude={"amount_yuan", "windows"})
    data["amount_fen"] = None if body.amount_yuan is None else fen(body.amount_yuan)
    data["windows"] = [Window(w.starts_at, w.ends_at) for w in body.windows]
    resource = await use_cases.register(db, scope, data)
    response.headers["Location"] = f"/api/v1/resources/{resource.id}"
    return out(resource)


@router.get("/api/v1/resources", response_model=Page[ResourceOut], responses=PROBLEMS,
            summary="Resources in your area (filters: area, kind, category, state)")
async def list_resources(db: DatabaseDep, scope: ScopeDep, area_code: SubtreeCode = None, kind: str | None = None,
                         category: str | None = None, state: str | None = "active", after: After = None,
                         limit: Limit = 200) -> Page[ResourceOut]:
    found = await use_cases.list_resources(db, scope, area_code=area_code, kind=kind, category=category, state=state,
                                           after=after, limit=limit + 1)
    return page_of([out(r) for r in found], limit, lambda r: r.id)


@router.get("/api/v1/resources/{resource_id}", response_model=ResourceOut, responses=PROBLEMS, summary="One resource")
async def get_resource(resource_id: Id, db: DatabaseDep, scope: ScopeDep, response: Response) -> ResourceOut:
    return tagged(response, out(await use_cases.get(db, scope, resource_id)))


@router.patch("/api/v1/resources/{resource_id}", response_model=ResourceOut, responses=PROBLEMS | PRECONDITION,
              summary="Change a resource's title, categories, capacity or windows")
async def change(resource_id: Id, body: ResourcePatch, write: ConditionalWriteDep, scope: ScopeDep,
                 response: Response) -> ResourceOut:
    changes = body.model_dump(exclude_unset=True, exclude={"windows"})
    if body.windows is not None:
        changes["windows"] = [Window(w.starts_at, w.ends_at) for w in body.windows]
    if not changes:
        from yizhou.problems import Problem

        raise Problem("validation", "Nothing to change.", errors=[{"field": "body", "message": "empty"}])
    await write.check(use_cases.get(write.database, scope, resource_id), out)
    return await write.commit(response, out(await use_cases.change(write.database, scope, resource_id, changes)))


@router.post("/api/v1/resources/{resource_id}/withdraw", response_model=ResourceOut, responses=PROBLEMS,
             summary="Withdraw a resource (it is no longer matched)")
async def withdraw(resource_id: Id, db: IdempotentDatabaseDep, scope: ScopeDep) -> ResourceOut:
    return out(await use_cases.withdraw(db, scope, resource_id))


class PlaceOut(BaseModel):
    code: str
    latitude: float
    longitude: float


async def _place(db: Database, scope: AreaScope, code: str) -> PlaceOut | None:
    """The area's reference point as GET answers it; None while none is set."""
    async with db.sessions() as session:
        area = await area_in_scope(session, scope, code, field="code")
        point = (await PlaceRepository(session).all()).get(area.code)
    return None if point is None else PlaceOut(code=area.code, latitude=point[0], longitude=point[1])


@router.get("/api/v1/area-places/{code}", response_model=PlaceOut, responses=PROBLEMS,
            summary="The reference point of an area (404 while none is set)")
async def get_place(code: Annotated[str, Path(pattern=CODE_PATTERN)], db: DatabaseDep, scope: ScopeDep,
                    response: Response) -> PlaceOut:
    place = await _place(db, scope, code)
    if place is None:
        raise not_found("place of area", code)
    return tagged(response, place)


@router.put("/api/v1/area-places/{code}", status_code=status.HTTP_204_NO_CONTENT, responses=PROBLEMS | PRECONDITION,
            summary="Set the reference point of an area (e.g. a grid's centre)")
async def put_place(code: Annotated[str, Path(pattern=CODE_PATTERN)], body: PlaceIn, write: ConditionalWriteDep,
                    scope: ScopeDep) -> Response:
    await write.check(_place(write.database, scope, code))  # no place yet: only a write without If-Match
    await use_cases.put_place(write.database, scope, code, body.latitude, body.longitude)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    await write.commit(answer, await _place(write.database, scope, code))
    return answer
