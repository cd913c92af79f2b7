"""org-registry's party member events on `yizhou.members.v1` (key: the member id).

Members' personal data (name, phone, ID number) is stored once, in org-registry, and never put on
any topic: consumers get ids, areas, skills and availability flags only.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

MEMBERS_TOPIC = topic_name("members")


class MemberEvent(EventData):
    """The fields every member event has (not published itself)."""

    topic: ClassVar[str] = MEMBERS_TOPIC

    member_id: str
    organization_id: str = Field(description="The member's party organization")
    work_unit_id: str | None
    residence_area_code: str = Field(description="Where the member lives (dual registration happens there)")
    residence_area_path: str
    skills: list[str]
    in_service: bool = Field(description="An in-service member (在职党员), who registers where they live")
    state: Literal["active", "left"]
    occurred_at: datetime


class MemberCreated(MemberEvent):
    event_type: ClassVar[str] = "member.created"


class MemberUpdated(MemberEvent):
    event_type: ClassVar[str] = "member.updated"


class MemberLeft(MemberEvent):
    event_type: ClassVar[str] = "member.left"


MEMBER_EVENTS: list[type[EventData]] = [MemberCreated, MemberUpdated, MemberLeft]
