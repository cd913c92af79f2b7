"""Events of the area axis: published by org-registry, read by every other service.

They live here, not in org-registry, because four services speak them. All area events share one
partition key (the district root), because the axis is one tree: a move rewrites the paths of a
whole subtree, so a copy must see the axis's changes in the order they were made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from yizhou.events import EventData, topic_name

AREAS_TOPIC = topic_name("areas")


class Level(StrEnum):
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    COMMUNITY = "community"
    GRID = "grid"


class AreaKind(StrEnum):
    """What an area is within its level: a subdistrict (街道) or an area (地区, more rural) at level 2, a
    community (社区) or a village (村) at level 3. Their leading organizations differ in name and kind."""

    DISTRICT = "district"        # 区
    SUBDISTRICT = "subdistrict"  # 街道
    AREA = "area"                # 地区
    COMMUNITY = "community"      # 社区
    VILLAGE = "village"          # 村
    GRID = "grid"                # 网格 / 片区


KINDS_OF_LEVEL: dict[Level, tuple[AreaKind, ...]] = {
    Level.DISTRICT: (AreaKind.DISTRICT,),
    Level.SUBDISTRICT: (AreaKind.SUBDISTRICT, AreaKind.AREA),
    Level.COMMUNITY: (AreaKind.COMMUNITY, AreaKind.VILLAGE),
    Level.GRID: (AreaKind.GRID,),
}

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


class AreaCreated(EventData):
    event_type: ClassVar[str] = "area.created"
    topic: ClassVar[str] = AREAS_TOPIC

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    level: Level
    parent_code: str | None
    path: str = Field(description="Materialized path of codes from the district down, e.g. /CY/CY01/")
    kind: AreaKind | None = Field(default=None, description="Subdistrict or area (地区), community or village (村); "
                                  "absent in events from before kinds: the level's first kind")


class AreaUpdated(EventData):
    event_type: ClassVar[str] = "area.updated"
    topic: ClassVar[str] = AREAS_TOPIC

    code: str
    name: str
    path: str


class AreaMoved(EventData):
    event_type: ClassVar[str] = "area.moved"
    topic: ClassVar[str] = AREAS_TOPIC

    code: str
    old_parent_code: str
    new_parent_code: str
    old_path: str
    new_path: str = Field(description="Every path under old_path now starts with new_path instead")


class AreaRetired(EventData):
    event_type: ClassVar[str] = "area.retired"
    topic: ClassVar[str] = AREAS_TOPIC

    code: str
    path: str
    retired_at: datetime


AXIS_EVENTS: list[type[EventData]] = [AreaCreated, AreaUpdated, AreaMoved, AreaRetired]


def axis_partition_key(path: str) -> str:
    """The district root's code: one key, one partition, total order for the axis."""
    return path.strip("/").split("/", 1)[0]
