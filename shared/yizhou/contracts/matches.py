"""project-matching's match events on `yizhou.matches.v1` (key: the match id).

A matching round proposes demand-resource pairs; staff accept or reject each. Ids, areas,
category and distance only; an accepted match also names the resource's provider (kind and id).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from yizhou.events import EventData, topic_name

MATCHES_TOPIC = topic_name("matches")


class MatchEvent(EventData):
    topic: ClassVar[str] = MATCHES_TOPIC

    match_id: str
    round_id: str
    demand_id: str | None = Field(description="The demand served (null for a project post)")
    resource_id: str
    area_code: str = Field(description="The demand's area")
    area_path: str
    category: str
    distance_m: int


class MatchProposed(MatchEvent):
    event_type: ClassVar[str] = "match.proposed"


class MatchAccepted(MatchEvent):
    event_type: ClassVar[str] = "match.accepted"

    # Optional (added after the first release): who provides the accepted resource, so that demand-intake
    # can assign the demand to a registered unit in the same step. Absent in events published before.
    provider_kind: str | None = Field(default=None, description="The resource's provider kind: unit, member, "
                                      "social_organization, service_alliance, community, party_organization")
    provider_id: str | None = Field(default=None, description="The provider's id (a unit's or member's id in "
                                    "org-registry), when the resource names one")


class MatchRejected(MatchEvent):
    event_type: ClassVar[str] = "match.rejected"


MATCH_EVENTS: list[type[MatchEvent]] = [MatchProposed, MatchAccepted, MatchRejected]
