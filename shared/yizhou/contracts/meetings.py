"""demand-intake's deliberation-meeting events on `yizhou.meetings.v1` (key: the meeting id).

project-matching reads `meeting.closed` for `request_project` decisions. Attendees' names and the
minutes stay in demand-intake.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from yizhou.events import EventData, topic_name

MEETINGS_TOPIC = topic_name("meetings")


class MeetingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["resolve_demand", "request_project"]
    demand_ids: list[str]
    category: str
    summary: str = Field(description="What was decided, in the meeting's words")


class MeetingClosed(EventData):
    event_type: ClassVar[str] = "meeting.closed"
    topic: ClassVar[str] = MEETINGS_TOPIC

    meeting_id: str
    area_code: str
    area_path: str
    closed_at: datetime
    attendee_count: int
    decisions: list[MeetingDecision]


class MeetingCancelled(EventData):
    event_type: ClassVar[str] = "meeting.cancelled"
    topic: ClassVar[str] = MEETINGS_TOPIC

    meeting_id: str
    area_code: str
    area_path: str
    cancelled_at: datetime
    agenda_demand_ids: list[str] = Field(description="Demands that were on its agenda: back to be decided elsewhere")


MEETING_EVENTS: list[type[EventData]] = [MeetingClosed, MeetingCancelled]
