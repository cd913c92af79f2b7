"""The HTTP face of a service's read copy of the axis: `/api/v1/areas`, scoped to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from yizhou.auth import AreaScope
from yizhou.axis_copy import area_copy
from yizhou.axis_events import Level
from yizhou.dependencies import DatabaseDep, get_scope
from yizhou.errors import NotFound
from yizhou.list_parameters import After, Under
from yizhou.pagination import Page, page_of


class AreaCopyOut(BaseModel):
    code: str
    name: str
    level: Level
    parent_code: str | None
    path: str
    retired: bool


axis_copy_router = APIRouter(prefix="/api/v1/areas", tags=["areas (read copy)"])


@axis_copy_router.get("", response_model=Page[AreaCopyOut], summary="Areas of this service's read copy in the caller's scope")
async def list_areas(db: DatabaseDep, scope: Annotated[AreaScope, Depends(get_scope)],
                     under: Under = None, level: Level | None = None, include_retired: bool = False,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                     after: After = None):
    query = select(area_copy).where(area_copy.c.path.startswith(scope.path, autoescape=True)).order_by(area_copy.c.path).limit(limit + 1)
    if under is not None:
        query = query.where(area_copy.c.path.startswith(await _subtree_path(db, scope, under), autoescape=True))
    if level is not None:
        query = query.where(area_copy.c.level == level.value)
    if not include_retired:
        query = query.where(area_copy.c.retired.is_(False))
    if after is not None:
        query = query.where(area_copy.c.path > after)
    async with db.sessions() as session:
        rows = [AreaCopyOut(**row._mapping) for row in (await session.execute(query)).all()]
    return page_of(rows, limit, lambda area: area.path)


async def _subtree_path(db, scope: AreaScope, code: str) -> str:
    async with db.sessions() as session:
        path = (await session.execute(select(area_copy.c.path).where(area_copy.c.code == code))).scalar()
    # Outside the scope answers like unknown (existence is not disclosed).
    if path is None or not scope.covers(path):
        raise NotFound(f"No area '{code}' in your scope.")
    return path


@axis_copy_router.get("/{code}", response_model=AreaCopyOut, summary="One area of the read copy",
                      responses={404: {"description": "Unknown, or outside the caller's area"}})
async def get_area(code: str, db: DatabaseDep, scope: Annotated[AreaScope, Depends(get_scope)]):
    async with db.sessions() as session:
        row = (await session.execute(select(area_copy).where(area_copy.c.code == code))).first()
    # Outside the scope answers like unknown: existence of other areas' records is not disclosed.
    if row is None or not scope.covers(row.path):
        raise NotFound(f"No area '{code}' in your scope.")
    return AreaCopyOut(**row._mapping)
