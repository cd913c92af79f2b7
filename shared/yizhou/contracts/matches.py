"""project-matching's match events on `yizhou.matches.v1` (key: the match id).

A matching round proposes demand-resource pairs; staff accept or reject each. Ids, areas,
category and distance only.
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


class MatchRejected(MatchEvent):
    event_type: ClassVar[str] = "match.rejected"


MATCH_EVENTS: list[type[MatchEvent]] = [MatchProposed, MatchAccepted, MatchRejected]
