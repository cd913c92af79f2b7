"""org-registry's party organization events on `yizhou.organizations.v2` (key: the organization id).

v2 because `setup_mode` grew beyond the twelve "two new" modes (the own organizations of agencies, state
enterprises and public institutions; the leading organizations of the axis's areas): a reader of v1's
enum would refuse the new values, so the change is a new topic version (docs/events.md).

An organization has a parent (隶属关系, who it reports to) and a location area (属地, where it sits),
kept apart because they differ often. The secretary travels as a member id only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

ORGANIZATIONS_TOPIC = topic_name("organizations", version=2)

OrganizationKind = Literal["committee", "general_branch", "branch"]
SetupMode = Literal["single_unit", "joint", "functional_zone_committee", "non_public_economy_committee",
                    "commercial_building", "project", "street_market", "talent_centre", "social_work_committee",
                    "private_school_general_branch", "lawyers_committee", "association_or_chamber",
                    "agency", "state_enterprise", "public_institution",
                    "district_committee", "working_committee", "community_organization", "village_organization",
                    "grid_branch"]


class OrganizationEvent(EventData):
    """The fields every organization event has (not published itself)."""

    topic: ClassVar[str] = ORGANIZATIONS_TOPIC

    organization_id: str
    name: str = Field(description="The organization's name (not personal data)")
    kind: OrganizationKind
    setup_mode: SetupMode = Field(description="One of the twelve ways of setting up (seed 000), a unit's own "
                                  "organization (agency, state enterprise, public institution), or an area's "
                                  "leading organization (district committee ... grid branch)")
    area_code: str = Field(description="Location area (属地)")
    area_path: str
    parent_organization_id: str | None = Field(description="Who it reports to (隶属关系)")
    covered_unit_ids: list[str]
    founded_on: date
    dissolved_on: date | None
    occurred_at: datetime


class OrganizationCreated(OrganizationEvent):
    event_type: ClassVar[str] = "organization.created"


class OrganizationUpdated(OrganizationEvent):
    event_type: ClassVar[str] = "organization.updated"


class OrganizationDissolved(OrganizationEvent):
    event_type: ClassVar[str] = "organization.dissolved"


ORGANIZATION_EVENTS: list[type[EventData]] = [OrganizationCreated, OrganizationUpdated, OrganizationDissolved]
