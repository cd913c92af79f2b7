"""project-matching's resource events on `yizhou.resources.v1` (key: the resource id).

What units, members, social organizations and the service alliance offer. No personal data: a
member's offer carries the member id, skills and hours, never a name, phone or address.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

RESOURCES_TOPIC = topic_name("resources")

ResourceKind = Literal["venue", "skill", "volunteer_hours", "money", "service", "post"]
# party_organization: a venue of the guarantee network, offered by the organization that owns it.
ProviderKind = Literal["unit", "member", "social_organization", "service_alliance", "community", "party_organization"]


class ResourceEvent(EventData):
    """The fields every resource event has (not published itself)."""

    topic: ClassVar[str] = RESOURCES_TOPIC

    resource_id: str
    kind: ResourceKind
    area_code: str
    area_path: str
    categories: list[str] = Field(description="Service category codes it can serve")
    capacity: int = Field(description="Needs it can take per matching period (0 for money)")
    provider_kind: ProviderKind
    provider_id: str | None = Field(description="The unit, member or organization offering it")
    state: Literal["active", "withdrawn"]


class ResourceRegistered(ResourceEvent):
    event_type: ClassVar[str] = "resource.registered"

    skills: list[str] = []
    amount_yuan: float | None = Field(default=None, description="For money: the amount offered")
    origin: str = Field(description="'api', or the registration event it came from")


class ResourceUpdated(ResourceEvent):
    event_type: ClassVar[str] = "resource.updated"

    skills: list[str] = []
    amount_yuan: float | None = None


class ResourceWithdrawn(ResourceEvent):
    event_type: ClassVar[str] = "resource.withdrawn"


RESOURCE_EVENTS: list[type[ResourceEvent]] = [ResourceRegistered, ResourceUpdated, ResourceWithdrawn]
