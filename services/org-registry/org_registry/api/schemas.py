from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yizhou.axis_events import CODE_PATTERN, AreaKind, Level


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"code": "CY01", "name": "Jianwai Subdistrict", "level": "subdistrict", "parent_code": "CY",
         "kind": "subdistrict"}]})

    code: str = Field(pattern=CODE_PATTERN, description="Stable code, e.g. the administrative division code")
    name: str = Field(min_length=1, max_length=200)
    level: Level
    kind: AreaKind | None = Field(default=None, description="At level 2 `subdistrict` (街道, the default) or `area` "
                                  "(地区); at level 3 `community` (社区, the default) or `village` (村)")
    parent_code: str | None = Field(default=None, pattern=CODE_PATTERN, description="Required except for a district")


class AreaRename(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Jianwai Street"}]})

    name: str = Field(min_length=1, max_length=200)


class AreaMove(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"new_parent_code": "CY02"}]})

    new_parent_code: str = Field(pattern=CODE_PATTERN)


class AreaOut(BaseModel):
    code: str
    name: str
    level: Level
    kind: AreaKind
    parent_code: str | None
    path: str
    retired: bool
    retired_at: datetime | None
