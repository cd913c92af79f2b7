"""org-registry's hub organization events on `yizhou.hubs.v1` (key: the hub id).

Hub organizations (枢纽型组织: trade union, youth league, women's federation, other hub social
organizations) are led by a party organization; joint actions (一统五联) link a hub to a party
organization or a unit. No personal data: names of hubs, units and organizations only, and counts;
a joint action's free-text note stays in the registry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

HUBS_TOPIC = topic_name("hubs")

HubKind = Literal["trade_union", "youth_league", "womens_federation", "other_hub_social_organization"]
JointActionKind = Literal["joint_building", "joint_work", "joint_team", "joint_service", "shared_support"]


class HubEvent(EventData):
    """The fields every hub event has (not published itself)."""

    topic: ClassVar[str] = HUBS_TOPIC

    hub_id: str
    # `hub_name`, not `name`: the personal-data guard reads a bare `name` as a person's
    hub_name: str = Field(description="The hub's name (not personal data)")
    kind: HubKind
    area_code: str = Field(description="Where the hub sits")
    area_path: str
    level: Literal["district", "subdistrict", "community", "grid"]
    leading_organization_id: str = Field(description="The party organization that leads it")
    member_count: int
    party_member_count: int
    occurred_at: datetime


class HubCreated(HubEvent):
    event_type: ClassVar[str] = "hub.created"


class HubUpdated(HubEvent):
    event_type: ClassVar[str] = "hub.updated"


class JointActionRecorded(EventData):
    """A hub and a party organization or unit act together in one of the five ways of 一统五联."""

    event_type: ClassVar[str] = "joint_action.recorded"
    topic: ClassVar[str] = HUBS_TOPIC

    joint_action_id: str
    hub_id: str
    hub_area_code: str
    hub_area_path: str
    kind: JointActionKind
    partner_kind: Literal["organization", "unit"]
    partner_id: str
    partner_area_code: str
    partner_area_path: str = Field(description="Where the partner is located: the hub acts in this area")
    started_on: date
    occurred_at: datetime


HUB_EVENTS: list[type[EventData]] = [HubCreated, HubUpdated, JointActionRecorded]
