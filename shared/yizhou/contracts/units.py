"""org-registry's unit events on `yizhou.units.v1` (key: the unit id).

A unit is a workplace or body on the axis (an agency, an enterprise, a school, a market...). Unit
names are not personal data; nothing about the people working there travels.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

UNITS_TOPIC = topic_name("units")
# org-registry's record ids (a unit's among them), as other services accept them in their own APIs.
REGISTRY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"

UnitKind = Literal["agency", "public_institution", "state_owned_enterprise", "non_public_enterprise",
                   "social_organization", "commercial_building", "market", "school", "law_firm", "association"]
SizeClass = Literal["large", "medium", "small", "micro"]


class UnitEvent(EventData):
    """The fields every unit event has (not published itself)."""

    topic: ClassVar[str] = UNITS_TOPIC

    unit_id: str
    name: str = Field(description="The unit's registered name (a workplace, not a person)")
    kind: UnitKind
    size_class: SizeClass | None = Field(description="Only for non-public enterprises")
    area_code: str = Field(description="Where the unit is located (属地)")
    area_path: str = Field(description="Materialized path of that area at the time of the change")
    organization_id: str | None = Field(description="The active party organization covering the unit, if any")
    has_own_organization: bool = Field(description="Covered by a single-unit organization of its own")
    headcount: int
    members_among_staff: int
    occurred_at: datetime


class UnitCreated(UnitEvent):
    event_type: ClassVar[str] = "unit.created"


class UnitUpdated(UnitEvent):
    """Any change: attributes, location, or which organization covers it."""

    event_type: ClassVar[str] = "unit.updated"


UNIT_EVENTS: list[type[EventData]] = [UnitCreated, UnitUpdated]
