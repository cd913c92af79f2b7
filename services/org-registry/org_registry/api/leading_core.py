"""/api/v1/leading-core: each area of a subtree with its leading party organization (领导核心轴), the
areas without one, and the share led per level."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from org_registry.api.parameters import After, Under
from org_registry.api.responses import PROBLEMS
from org_registry.domain.organization import LEADING_MODE_OF_KIND, SetupMode
from org_registry.use_cases.leading_core import leading_core
from yizhou.axis_events import AreaKind, Level
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.pagination import encode_cursor

router = APIRouter(prefix="/api/v1/leading-core", tags=["leading core"])


class LevelFigure(BaseModel):
    level: Level
    areas: int = Field(description="Active areas of this level in the subtree")
    led: int = Field(description="Of them, areas with an active leading organization")
    without_leader: int
    led_share: float | None = Field(description="Percent, one decimal; null when there are no areas")


class LedAreaOut(BaseModel):
    code: str
    name: str
    level: Level
    kind: AreaKind
    path: str
    leading_mode: SetupMode = Field(description="The setup mode of the organization that leads an area of this kind")
    leading_organization_id: str | None
    leading_organization_name: str | None


class LeadingCoreOut(BaseModel):
    as_of: datetime
    area_code: str
    levels: list[LevelFigure]
    items: list[LedAreaOut] = Field(description="Areas in path order (only those without a leader with `missing`)")
    next_cursor: str | None


@router.get("", response_model=LeadingCoreOut, responses=PROBLEMS,
            summary="The leading core of an area subtree (default: yours): each area with its leading organization, "
                    "`missing=true` for the areas without one, and the share led per level")
async def get_leading_core(db: DatabaseDep, scope: ScopeDep, under: Under = None, level: Level | None = None,
                           missing: bool = False, after: After = None,
                           limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> LeadingCoreOut:
    core = await leading_core(db, scope, under=under, level=level, missing=missing, after=after, limit=limit + 1)
    more = len(core.areas) > limit
    items = core.areas[:limit]
    return LeadingCoreOut(
        as_of=core.as_of, area_code=core.area_code,
        levels=[LevelFigure(level=c.level, areas=c.areas, led=c.led, without_leader=c.without_leader,
                            led_share=c.led_share) for c in core.levels],
        items=[LedAreaOut(code=a.area.code, name=a.area.name, level=a.area.level, kind=a.area.area_kind,
                          path=a.area.path, leading_mode=LEADING_MODE_OF_KIND[a.area.area_kind],
                          leading_organization_id=a.leader_id, leading_organization_name=a.leader_name)
               for a in items],
        next_cursor=encode_cursor(items[-1].area.path) if more and items else None)
